//! The early warning's devices that are security equipment (cameras, one-key alarms, access
//! gates) are entries of the security register, not a second list: `devices.equipment_id`
//! names the register entry a device is (many devices may be one entry, e.g. the cameras of
//! one surveillance system; a device of another kind names none).
//!
//! Devices registered before this migration are given an entry each, of the register kind of
//! their device kind (the table as it stood when this migration landed, written out here so
//! the migration never changes with the code): the entry takes the device's name, works, and —
//! an alarm — is not yet known to be linked to the police, so the register shows what is still
//! to be confirmed. A school that had registered the same equipment by hand moves the device
//! onto its own entry (`PATCH /api/v1/devices/{id}` with `equipment_id`) and retires the
//! generated one.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Device kind → register kind, as at this migration.
const KINDS: &[(&str, &str)] = &[
    ("camera", "camera"),
    ("alarm_button", "one_key_alarm"),
    ("access_gate", "access_control"),
];

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        db.execute_unprepared(
            "ALTER TABLE devices ADD COLUMN equipment_id BIGINT NULL \
             REFERENCES security_equipment (id) ON DELETE RESTRICT",
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_devices_equipment_id")
                .table(a("devices"))
                .col(a("equipment_id"))
                .to_owned(),
        )
        .await?;
        let kinds = KINDS
            .iter()
            .map(|(d, _)| format!("'{d}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT id, school_id, kind, name FROM devices \
                     WHERE equipment_id IS NULL AND kind IN ({kinds}) ORDER BY id"
                ),
            ))
            .await?;
        let now = chrono::Utc::now();
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let school: i64 = row.try_get("", "school_id")?;
            let kind: String = row.try_get("", "kind")?;
            let name: String = row.try_get("", "name")?;
            let Some((_, entry_kind)) = KINDS.iter().find(|(d, _)| *d == kind) else {
                continue;
            };
            let alarm = *entry_kind == "one_key_alarm";
            let insert = Query::insert()
                .into_table(a("security_equipment"))
                .columns(
                    [
                        "school_id",
                        "kind",
                        "name",
                        "location",
                        "quantity",
                        "working",
                        "linked_police",
                        "licence",
                        "retired",
                        "updated_by_name",
                        "updated_at",
                    ]
                    .map(a),
                )
                .values_panic([
                    school.into(),
                    (*entry_kind).into(),
                    name.into(),
                    "".into(),
                    1i32.into(),
                    true.into(),
                    alarm.then_some(false).into(),
                    "".into(),
                    false.into(),
                    "".into(),
                    now.into(),
                ])
                .returning_col(a("id"))
                .to_owned();
            let entry: i64 = db
                .query_one_raw(backend.build(&insert))
                .await?
                .ok_or_else(|| DbErr::Migration("no entry id returned".into()))?
                .try_get("", "id")?;
            let link = Query::update()
                .table(a("devices"))
                .value(a("equipment_id"), entry)
                .and_where(Expr::col(a("id")).eq(id))
                .to_owned();
            db.execute_raw(backend.build(&link)).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the device–register link cannot be reverted; restore a backup instead".into(),
        ))
    }
}
