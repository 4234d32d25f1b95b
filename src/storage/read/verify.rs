//! The check that the read path and SeaORM over sqlx read every table alike.

use super::Reader;
use crate::error::Result;
use sea_orm::{DatabaseConnection, EntityTrait};

impl Reader {
    /// Reads every table through the read path and through SeaORM over sqlx and names the
    /// tables whose models differ (none, unless a column type was added that the read path
    /// maps wrongly). Loads whole tables: for tests and an operator's check, not for requests.
    pub(in crate::storage) async fn differs_from(
        &self,
        conn: &DatabaseConnection,
    ) -> Result<Vec<&'static str>> {
        use crate::storage::entity::*;
        let mut differ = Vec::new();
        macro_rules! same {
            ($($e:ident),+) => {$({
                let fast = self.models($e::Entity::find()).await?;
                let orm = $e::Entity::find().all(conn).await?;
                if format!("{fast:?}") != format!("{orm:?}") {
                    differ.push(stringify!($e));
                }
            })+};
        }
        same!(
            audit_log,
            campaign,
            campaign_school,
            counter,
            cross_assignment,
            device,
            device_event,
            device_rejection,
            device_rule_state,
            drill,
            duty_period,
            duty_report,
            duty_roster,
            duty_unit,
            file,
            file_blob,
            hazard,
            hazard_count,
            hazard_event,
            inspection,
            inspection_item,
            job,
            notification,
            org,
            person,
            risk_assessment,
            risk_catalog,
            risk_catalog_history,
            risk_catalog_item,
            risk_point,
            session,
            user,
            warning,
            warning_event,
            warning_rule,
            zone
        );
        Ok(differ)
    }
}
