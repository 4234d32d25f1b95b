//! School buses' dates (domain brief §4): a bus's sign, safety inspection or carrier
//! liability insurance expiring within `[buses] expiry_warning_days` raises a warning (rules
//! `bus_sign_expiry`, `bus_inspection_expiry`, `bus_insurance_expiry`, level `[buses.levels]
//! expiry`), and once the date has passed another one (level `[buses.levels] expired`): one
//! warning per bus, date and threshold — subject `bus:<id>:<what>:<until>:<soon|expired>` —
//! so a sweep that runs again raises nothing, and a renewed date (or a retired bus) clears
//! the open ones. A warning closed by a person is not raised again for its subject. A lapsed
//! date blocks the bus's trips by itself (`domain::bus::trip::refusals`).
//!
//! The drivers' eligibility is recomputed once a day ([`DRIVER_JOB`]): a driver who stopped
//! being eligible (a birthday past the age limit, a certificate or review run out) raises
//! `bus_driver_ineligible` (subject `bus_driver:<id>`, the one the records' path raises), one
//! who became eligible again clears it.

use super::super::buses::drivers::sync_warning;
use super::super::entity::{bus_driver, bus_sign, bus_vehicle};
use super::super::warnings::Raise;
use super::checks::Checked;
use crate::domain::Code;
use crate::domain::bus::{BusConfig, BusRule, SignStatus, VehicleStatus};
use crate::domain::ids::{OrgId, WarningId};
use crate::domain::warning::Source;
use crate::error::Result;
use crate::storage::begin_write;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, QueryOrder};
use std::collections::{HashMap, HashSet};

/// The job kind of the drivers' daily eligibility check.
pub const DRIVER_JOB: &str = "bus-driver-check";

/// The two thresholds of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Soon,
    Expired,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Soon => "soon",
            Stage::Expired => "expired",
        }
    }
}

/// The stage of a date on `today`, if any.
pub fn stage(until: NaiveDate, today: NaiveDate, warn_days: i64) -> Option<Stage> {
    if until < today {
        Some(Stage::Expired)
    } else if (until - today).num_days() <= warn_days {
        Some(Stage::Soon)
    } else {
        None
    }
}

/// The subject of a bus's date at a threshold.
pub fn subject(bus: i64, what: &str, until: NaiveDate, stage: Stage) -> String {
    format!("bus:{bus}:{what}:{until}:{}", stage.as_str())
}

struct Due {
    school: OrgId,
    stage: Stage,
    detail: String,
}

pub(super) async fn check(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
    cfg: &BusConfig,
) -> Result<Checked> {
    let mut out = Checked::default();
    let buses = bus_vehicle::Entity::find()
        .filter(bus_vehicle::Column::Status.ne(VehicleStatus::Retired.as_str()))
        .order_by_asc(bus_vehicle::Column::Id)
        .all(conn)
        .await?;
    let signs = bus_sign::Entity::find()
        .filter(bus_sign::Column::Status.eq(SignStatus::Valid.as_str()))
        .order_by_desc(bus_sign::Column::ValidUntil)
        .all(conn)
        .await?;
    let mut wanted: HashMap<&'static str, HashMap<String, Due>> = HashMap::new();
    for b in &buses {
        let sign = signs.iter().find(|s| s.vehicle_id == b.id);
        let dates = [
            (BusRule::SignExpiry, "sign", sign.map(|s| s.valid_until)),
            (
                BusRule::InspectionExpiry,
                "inspection",
                Some(b.inspection_until),
            ),
            (
                BusRule::InsuranceExpiry,
                "insurance",
                Some(b.insurance_until),
            ),
        ];
        for (rule, what, until) in dates {
            let Some(until) = until else { continue };
            let Some(st) = stage(until, today, cfg.expiry_warning_days) else {
                continue;
            };
            wanted.entry(rule.as_str()).or_default().insert(
                subject(b.id.0, what, until, st),
                Due {
                    school: b.school_id,
                    stage: st,
                    detail: format!("bus={} {what}_until={until}", b.id.0),
                },
            );
        }
    }
    for rule in [
        BusRule::SignExpiry,
        BusRule::InspectionExpiry,
        BusRule::InsuranceExpiry,
    ] {
        let code = rule.as_str();
        let empty = HashMap::new();
        let want = wanted.get(code).unwrap_or(&empty);
        let waiting = super::waiting_subjects(conn, Source::Bus, code).await?;
        for s in &waiting {
            // Only the expiry subjects of this sweep (never the live rules' ones).
            if !s.starts_with("bus:") || want.contains_key(s) {
                continue;
            }
            let why = if s.ends_with(":soon") && want.keys().any(|w| same_date(w, s)) {
                "expired"
            } else {
                "renewed"
            };
            let cleared = super::clear_alone(conn, Source::Bus, s, code, now, why).await?;
            out.cleared.extend(cleared);
        }
        let waiting: HashSet<String> = waiting.into_iter().collect();
        let closed = super::closed_subjects(conn, Source::Bus, code).await?;
        let mut subjects: Vec<&String> = want.keys().collect();
        subjects.sort();
        for s in subjects {
            if waiting.contains(s) || closed.contains(s) {
                continue;
            }
            let due = &want[s];
            let level = match due.stage {
                Stage::Soon => cfg.levels.expiry,
                Stage::Expired => cfg.levels.expired,
            };
            let id = super::raise_alone(
                conn,
                Raise {
                    school: due.school,
                    source: Source::Bus,
                    rule: code.into(),
                    subject: s.clone(),
                    level,
                    device: None,
                    zone: None,
                    point: None,
                    value: None,
                    detail: due.detail.clone(),
                    at: now,
                    notify: true,
                },
            )
            .await?;
            out.raised.push((id, due.school));
        }
    }
    Ok(out)
}

/// Whether two subjects are about the same bus, date and thing (their stages aside).
fn same_date(a: &str, b: &str) -> bool {
    let stem = |s: &str| s.rsplit_once(':').map(|(x, _)| x.to_string());
    stem(a).is_some() && stem(a) == stem(b)
}

/// What the drivers' daily check did.
#[derive(Debug, Default, serde::Serialize)]
pub struct DriverCheck {
    pub checked: u32,
    pub raised: u32,
    pub cleared: u32,
}

/// Recomputes every driver's eligibility on `today`; a change of state raises or clears the
/// driver's warning, each in a transaction of its own. Nothing changes when run again.
pub(crate) async fn check_drivers(
    conn: &DatabaseConnection,
    bus: &super::super::live::Bus,
    today: NaiveDate,
    cfg: &BusConfig,
) -> Result<DriverCheck> {
    let mut out = DriverCheck::default();
    let rule = BusRule::DriverIneligible.as_str();
    let open: HashSet<String> = super::waiting_subjects(conn, Source::Bus, rule)
        .await?
        .into_iter()
        .collect();
    let closed = super::closed_subjects(conn, Source::Bus, rule).await?;
    let paths = super::paths(conn).await?;
    let drivers = bus_driver::Entity::find()
        .order_by_asc(bus_driver::Column::Id)
        .all(conn)
        .await?;
    for d in drivers {
        out.checked += 1;
        let subject = format!("bus_driver:{}", d.id);
        let eligible = super::super::buses::drivers::eligible_on(conn, &d, cfg, today).await?;
        let is_open = open.contains(&subject);
        let changed = if eligible {
            is_open
        } else {
            !is_open && !closed.contains(&subject)
        };
        if !changed {
            continue;
        }
        let txn = begin_write(conn).await?;
        let w: Option<WarningId> = sync_warning(&txn, &d, cfg, today, true).await?;
        txn.commit().await?;
        if eligible {
            out.cleared += 1;
        } else {
            out.raised += 1;
        }
        if let (Some(w), Some(p)) = (w, paths.get(&d.school_id.0)) {
            bus.publish(w, p.clone());
        }
    }
    Ok(out)
}
