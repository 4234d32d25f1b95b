//! School buses (校车): vehicles, use-permit applications with their step history, signs,
//! drivers with their records, attendants, routes with their riders, and trips with their
//! events.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

fn to(table: &str, col: &str, target: &str) -> ForeignKeyCreateStatement {
    fk(
        a(table),
        a(col),
        a(target),
        a("id"),
        ForeignKeyAction::Restrict,
    )
}

/// The id, the owning school and who created the row.
fn head(t: &mut TableCreateStatement, table: &str) {
    t.table(a(table))
        .col(big_pk_auto(a("id")))
        .col(big_integer(a("school_id")))
        .foreign_key(&mut to(table, "school_id", "orgs"));
}

fn stamps(t: &mut TableCreateStatement) {
    t.col(big_integer_null(a("created_by")))
        .col(string(a("created_by_name")).default(""))
        .col(timestamp_with_time_zone(a("created_at")))
        .col(timestamp_with_time_zone(a("updated_at")))
        .col(integer(a("version")).default(0));
}

async fn index(
    m: &SchemaManager<'_>,
    table: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("idx_{table}_{}", cols.join("_")))
        .table(a(table));
    if unique {
        i.unique();
    }
    for c in cols {
        i.col(a(c));
    }
    m.create_index(i).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        head(&mut t, "bus_vehicles");
        t.col(string(a("plate")))
            // The owner: the school, or the provider company serving it.
            .col(string(a("owner")))
            .col(big_integer(a("seats")))
            .col(string(a("bus_type")))
            // in_service | suspended | retired
            .col(string(a("status")))
            .col(date(a("inspection_until")))
            .col(date(a("insurance_until")))
            // The equipment on board: a JSON array of codes.
            .col(text(a("equipment")).default("[]"))
            .col(date_null(a("equipment_checked_on")))
            // The bus's satellite positioning device (a `bus_gps` device of the school).
            .col(big_integer_null(a("gps_device_id")))
            .foreign_key(&mut to("bus_vehicles", "gps_device_id", "devices"));
        stamps(&mut t);
        m.create_table(t).await?;
        index(m, "bus_vehicles", &["school_id", "plate"], true).await?;
        index(m, "bus_vehicles", &["gps_device_id"], false).await?;

        let mut t = Table::create();
        head(&mut t, "bus_drivers");
        t.col(big_integer(a("person_id")))
            .col(string(a("licence_class")))
            .col(date(a("licensed_since")))
            .col(date(a("birth_date")))
            .col(boolean(a("drink_driving")).default(false))
            .col(boolean(a("criminal_record")).default(false))
            .col(date_null(a("health_certificate_until")))
            .col(date_null(a("annual_review_until")))
            .col(double_null(a("review_study_hours")))
            .foreign_key(&mut to("bus_drivers", "person_id", "people"));
        stamps(&mut t);
        m.create_table(t).await?;
        index(m, "bus_drivers", &["school_id", "person_id"], true).await?;

        let mut t = Table::create();
        head(&mut t, "bus_driver_records");
        t.col(big_integer(a("driver_id")))
            // full_points | accident | serious_violation | drink_driving | criminal_record |
            // health_certificate | annual_review | training
            .col(string(a("kind")))
            .col(date(a("on_date")))
            .col(string(a("severity")).default(""))
            .col(string(a("responsibility")).default(""))
            .col(date_null(a("valid_until")))
            .col(double_null(a("hours")))
            .col(text(a("note")).default(""))
            .foreign_key(&mut to("bus_driver_records", "driver_id", "bus_drivers"))
            .col(big_integer_null(a("recorded_by")))
            .col(string(a("recorded_by_name")).default(""))
            .col(timestamp_with_time_zone(a("recorded_at")));
        m.create_table(t).await?;
        index(m, "bus_driver_records", &["driver_id"], false).await?;

        let mut t = Table::create();
        head(&mut t, "bus_attendants");
        t.col(big_integer(a("person_id")))
            .col(date(a("birth_date")))
            // Trainings: a JSON array of {on, hours, topic}.
            .col(text(a("trainings")).default("[]"))
            .foreign_key(&mut to("bus_attendants", "person_id", "people"));
        stamps(&mut t);
        m.create_table(t).await?;
        index(m, "bus_attendants", &["school_id", "person_id"], true).await?;

        let mut t = Table::create();
        head(&mut t, "bus_routes");
        t.col(string(a("name")))
            // Stops in order: a JSON array of {name, lat, lon, time}.
            .col(text(a("stops")).default("[]"))
            // The path: a JSON array of {lat, lon, road}.
            .col(text(a("path")).default("[]"));
        stamps(&mut t);
        m.create_table(t).await?;
        index(m, "bus_routes", &["school_id", "name"], true).await?;

        let mut t = Table::create();
        head(&mut t, "bus_riders");
        t.col(big_integer(a("route_id")))
            .col(string(a("name")))
            .col(string(a("class_name")).default(""))
            .col(string(a("stop")))
            .col(string(a("guardian")).default(""))
            .col(string(a("phone")).default(""))
            .col(timestamp_with_time_zone(a("created_at")))
            .foreign_key(&mut to("bus_riders", "route_id", "bus_routes"));
        m.create_table(t).await?;
        index(m, "bus_riders", &["route_id"], false).await?;

        let mut t = Table::create();
        head(&mut t, "bus_signs");
        t.col(big_integer(a("vehicle_id")))
            .col(big_integer_null(a("permit_id")))
            .col(string(a("number")))
            .col(string(a("plate")))
            .col(string(a("owner")))
            // The drivers: JSON arrays of person ids and of names.
            .col(text(a("driver_person_ids")).default("[]"))
            .col(text(a("driver_names")).default("[]"))
            .col(string(a("route_name")))
            .col(string(a("operating_times")))
            .col(text(a("stops")).default("[]"))
            .col(string(a("authority")))
            .col(date(a("valid_from")))
            .col(date(a("valid_until")))
            // valid | recovered
            .col(string(a("status")))
            .col(timestamp_with_time_zone(a("issued_at")))
            .col(timestamp_with_time_zone_null(a("recovered_at")))
            .foreign_key(&mut to("bus_signs", "vehicle_id", "bus_vehicles"));
        m.create_table(t).await?;
        index(m, "bus_signs", &["number"], true).await?;
        index(m, "bus_signs", &["vehicle_id"], false).await?;

        let mut t = Table::create();
        head(&mut t, "bus_permits");
        t.col(big_integer(a("vehicle_id")))
            .col(big_integer(a("route_id")))
            // The drivers applied for: a JSON array of bus_drivers ids.
            .col(text(a("driver_ids")).default("[]"))
            .col(string(a("operating_times")))
            .col(text(a("safety_rules")))
            .col(string(a("status")))
            .col(date(a("applied_on")))
            .col(date_null(a("forwarded_on")))
            .col(date_null(a("police_reply_on")))
            .col(date_null(a("transport_reply_on")))
            .col(date_null(a("reviewed_on")))
            .col(boolean_null(a("favourable")))
            .col(date_null(a("decided_on")))
            .col(date_null(a("issued_on")))
            .col(date_null(a("refused_on")))
            .col(text(a("review_opinion")).default(""))
            .col(text(a("refusal_reasons")).default(""))
            .col(big_integer_null(a("sign_id")))
            .foreign_key(&mut to("bus_permits", "vehicle_id", "bus_vehicles"))
            .foreign_key(&mut to("bus_permits", "route_id", "bus_routes"))
            .foreign_key(&mut to("bus_permits", "sign_id", "bus_signs"));
        stamps(&mut t);
        m.create_table(t).await?;
        index(m, "bus_permits", &["school_id", "status"], false).await?;

        let mut t = Table::create();
        t.table(a("bus_permit_events"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("permit_id")))
            .col(integer(a("seq")))
            .col(string(a("action")))
            .col(date(a("on_date")))
            // What the step carried (department, opinion, reasons, documents): JSON.
            .col(text(a("detail")).default("{}"))
            .col(big_integer_null(a("by_user")))
            .col(string(a("by_name")).default(""))
            .col(timestamp_with_time_zone(a("at")))
            .foreign_key(&mut to("bus_permit_events", "permit_id", "bus_permits"));
        m.create_table(t).await?;
        index(m, "bus_permit_events", &["permit_id", "seq"], true).await?;

        let mut t = Table::create();
        head(&mut t, "bus_trips");
        t.col(big_integer(a("route_id")))
            .col(big_integer(a("vehicle_id")))
            .col(big_integer(a("driver_id")))
            // The attendants: a JSON array of bus_attendants ids.
            .col(text(a("attendant_ids")).default("[]"))
            .col(date(a("day")))
            // morning | afternoon | other, as the school names its runs.
            .col(string(a("run")))
            // A day of fog, rain, snow …: the adverse speed limit everywhere.
            .col(boolean(a("adverse")).default(false))
            .col(string(a("status")))
            // The pre-trip check: a JSON object item → passed.
            .col(text(a("check_items")).default("{}"))
            .col(boolean_null(a("check_passed")))
            .col(big_integer(a("boarded")).default(0))
            .col(big_integer_null(a("alighted")))
            .col(timestamp_with_time_zone_null(a("started_at")))
            .col(timestamp_with_time_zone_null(a("finished_at")))
            // When the bus left its path (the deviation rule's state).
            .col(timestamp_with_time_zone_null(a("off_route_since")))
            .foreign_key(&mut to("bus_trips", "route_id", "bus_routes"))
            .foreign_key(&mut to("bus_trips", "vehicle_id", "bus_vehicles"))
            .foreign_key(&mut to("bus_trips", "driver_id", "bus_drivers"));
        stamps(&mut t);
        m.create_table(t).await?;
        index(m, "bus_trips", &["vehicle_id", "status"], false).await?;
        index(m, "bus_trips", &["school_id", "day"], false).await?;

        let mut t = Table::create();
        t.table(a("bus_trip_events"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("trip_id")))
            .col(integer(a("seq")))
            .col(string(a("action")))
            // Counts, check items, refusals: JSON (no rider's name).
            .col(text(a("detail")).default("{}"))
            .col(big_integer_null(a("by_user")))
            .col(string(a("by_name")).default(""))
            .col(timestamp_with_time_zone(a("at")))
            .foreign_key(&mut to("bus_trip_events", "trip_id", "bus_trips"));
        m.create_table(t).await?;
        index(m, "bus_trip_events", &["trip_id", "seq"], true).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the bus migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
