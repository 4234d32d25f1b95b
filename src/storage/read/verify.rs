//! The check that the read path and SeaORM over sqlx read every table alike.

use super::Reader;
use crate::error::Result;
use sea_orm::{DatabaseConnection, EntityName, EntityTrait};

/// Tables without a model, read and written only by raw statements (the migrator's own, the
/// audit chain's head and checkpoints, the sign-in throttle, the data version's counters,
/// which the read path reads as one integer), or whose model is private to the code that
/// reads it (the sign-in's password history, the second factor's secrets and recovery codes;
/// the inspections' answers saved as one goes; the field key's check value): the read path
/// reads no model of them.
const NO_ENTITY: &[&str] = &[
    "seaql_migrations",
    "audit_head",
    "audit_checkpoint",
    "audit_base",
    "audit_purge_gate",
    "login_throttles",
    "data_version",
    "password_history",
    "user_mfa",
    "mfa_recovery_codes",
    "inspection_drafts",
    "field_key_check",
    "idempotency_keys",
];

impl Reader {
    /// Reads every table through the read path and through SeaORM over sqlx and names the
    /// tables whose models differ (none, unless a column type was added that the read path
    /// maps wrongly). Loads whole tables: for tests and an operator's check, not for requests.
    pub(in crate::storage) async fn differs_from(
        &self,
        conn: &DatabaseConnection,
    ) -> Result<Vec<String>> {
        use crate::storage::entity::*;
        let mut differ = Vec::new();
        let mut checked = Vec::new();
        macro_rules! same {
            ($($e:ident),+) => {$({
                let fast = self.models($e::Entity::find()).await?;
                let orm = $e::Entity::find().all(conn).await?;
                if format!("{fast:?}") != format!("{orm:?}") {
                    differ.push(stringify!($e).to_string());
                }
                checked.push($e::Entity.table_name().to_string());
            })+};
        }
        same!(
            audit_log,
            bus_attendant,
            bus_driver,
            bus_driver_record,
            bus_permit,
            bus_permit_event,
            bus_rider,
            bus_route,
            bus_sign,
            bus_trip,
            bus_trip_event,
            bus_vehicle,
            campaign,
            campaign_school,
            compliance_evidence,
            counter,
            cross_assignment,
            device,
            device_event,
            device_rejection,
            device_rule_state,
            drill,
            duty_check_in,
            duty_period,
            duty_report,
            duty_roster,
            duty_spot_check,
            duty_spot_check_revision,
            duty_unit,
            education_activity,
            emergency_plan,
            emergency_plan_event,
            emergency_plan_reviewer,
            file,
            file_blob,
            governance_action,
            governance_result,
            governance_school,
            hazard,
            hazard_count,
            risk_count,
            hazard_event,
            incident,
            incident_receipt,
            incident_report,
            inspection,
            inspection_item,
            job,
            leading_group,
            meeting,
            notification,
            notification_channel,
            notification_delivery,
            org,
            person,
            pii_grant,
            plan_expert,
            responsibility_letter,
            responsibility_signature,
            rider_consent,
            risk_assessment,
            risk_catalog,
            risk_catalog_history,
            risk_catalog_item,
            risk_point,
            security_equipment,
            session,
            star_rating,
            training,
            user,
            warning,
            warning_event,
            warning_rule,
            work_plan,
            work_plan_item,
            work_plan_obligation,
            work_plan_version,
            working_calendar,
            zone
        );
        // A table of the database this list does not hold is named as differing: it was
        // not checked.
        for t in crate::storage::data_version::tables(conn).await? {
            if !NO_ENTITY.contains(&t.as_str()) && !checked.contains(&t) {
                differ.push(format!("{t} (not checked)"));
            }
        }
        Ok(differ)
    }
}
