//! The warning sweep, a job run every `[warnings] sweep_seconds` (once across instances:
//! each slot is a job key): devices that went quiet raise an offline warning; hazards past
//! their deadline raise an overdue warning (and clear it once they are not); schools that
//! missed a half-month self-inspection, a required drill or a daily duty report raise one
//! (cleared by a late one), as does an incident report past its deadline (迟报, cleared once
//! it is sent) and a school's emergency plan not filed in time or due for evaluation (cleared
//! once filed or evaluated), and an obligation of the work plan missed in its last ended
//! period (cleared by late evidence); an acknowledged red or orange warning left unresolved
//! past its hours opens a hazard in the closed loop, linked both ways. Each item is its own
//! transaction; everything is idempotent, so a sweep that runs twice changes nothing the
//! second time.

use super::entity::{device, hazard, org, warning, warning_event};
use super::hazards::{HazardAudit, NewHazard, Origin, insert_reported};
use super::warnings::{self, Raise};
use super::{Actor, audit, begin_write, live::Bus};
use crate::config::WarningRules;
use crate::domain::Code;
use crate::domain::device::DeviceKind;
use crate::domain::hazard::{Level as HazardLevel, Source as HazardSource, Status as HazardStatus};
use crate::domain::ids::WarningId;
use crate::domain::org::OrgPath;
use crate::domain::risk::Aspect;
use crate::domain::warning::{self as rules, Level, Source, Status};
use crate::error::Result;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseConnection, IntoActiveModel, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub(crate) mod buses;
mod checks;
mod compliance;
mod drills;
mod duty;
mod incidents;
mod plans;
pub use checks::{MISSED_CHECK, last_due};
pub use compliance::MISSED_OBLIGATION;
pub use drills::{Emergency, MISSED_DRILL};
pub use duty::MISSED_REPORT;
pub use incidents::LATE_REPORT;
pub use plans::{EVALUATION_DUE, FILING_OVERDUE};

/// What one sweep did.
#[derive(Debug, Default, Serialize)]
pub struct SweepReport {
    pub offline: u32,
    pub overdue_raised: u32,
    pub overdue_cleared: u32,
    pub hazards_opened: u32,
    pub missed_checks_raised: u32,
    pub missed_checks_cleared: u32,
    pub missed_drills_raised: u32,
    pub missed_drills_cleared: u32,
    pub missed_reports_raised: u32,
    pub missed_reports_cleared: u32,
    pub late_incident_reports_raised: u32,
    pub late_incident_reports_cleared: u32,
    pub plan_warnings_raised: u32,
    pub plan_warnings_cleared: u32,
    pub missed_obligations_raised: u32,
    pub missed_obligations_cleared: u32,
    pub bus_expiries_raised: u32,
    pub bus_expiries_cleared: u32,
}

/// The job's kind.
pub const JOB: &str = "warning-sweep";

/// The rule code of an overdue hazard's warning.
pub const OVERDUE: &str = "overdue";

/// Raises a warning of a check in a transaction of its own (a sweep commits its warnings one
/// by one: one that fails leaves the others as they were).
async fn raise_alone(conn: &DatabaseConnection, r: Raise) -> Result<WarningId> {
    let txn = begin_write(conn).await?;
    let (id, _) = warnings::raise(&txn, r).await?;
    txn.commit().await?;
    Ok(id)
}

/// Clears the open warning of a check whose condition ended, in a transaction of its own.
async fn clear_alone(
    conn: &DatabaseConnection,
    source: Source,
    subject: &str,
    rule: &str,
    at: DateTime<Utc>,
    detail: &str,
) -> Result<Option<WarningId>> {
    let txn = begin_write(conn).await?;
    let cleared = warnings::clear(&txn, source, subject, rule, at, detail).await?;
    txn.commit().await?;
    Ok(cleared)
}

/// The subjects of one rule's warnings that still wait on their condition (open, not cleared):
/// the checks clear those whose condition ended.
async fn waiting_subjects(
    conn: &impl ConnectionTrait,
    source: Source,
    rule: &str,
) -> Result<Vec<String>> {
    Ok(warning::Entity::find()
        .select_only()
        .column(warning::Column::Subject)
        .filter(warning::Column::OpenKey.is_not_null())
        .filter(warning::Column::ClearedAt.is_null())
        .filter(warning::Column::Source.eq(source.as_str()))
        .filter(warning::Column::Rule.eq(rule))
        .into_tuple()
        .all(conn)
        .await?)
}

/// The subjects of one rule's warnings that are closed (resolved, or closed by a person): a
/// check does not raise them again.
async fn closed_subjects(
    conn: &impl ConnectionTrait,
    source: Source,
    rule: &str,
) -> Result<HashSet<String>> {
    Ok(warning::Entity::find()
        .select_only()
        .column(warning::Column::Subject)
        .filter(warning::Column::OpenKey.is_null())
        .filter(warning::Column::Source.eq(source.as_str()))
        .filter(warning::Column::Rule.eq(rule))
        .into_tuple::<String>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

/// The org paths of schools by id (to publish signals).
async fn paths(conn: &impl ConnectionTrait) -> Result<HashMap<i64, OrgPath>> {
    Ok(org::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|o| Some((o.id.0, OrgPath::parse(&o.path)?)))
        .collect())
}

/// The open warnings' keys of one rule (`source|subject|rule`).
async fn open_keys(conn: &impl ConnectionTrait, rule: &str) -> Result<HashSet<String>> {
    Ok(warning::Entity::find()
        .filter(warning::Column::OpenKey.is_not_null())
        .filter(warning::Column::Rule.eq(rule))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|w| w.open_key)
        .collect())
}

pub(crate) async fn sweep(
    conn: &DatabaseConnection,
    bus: &Bus,
    now: DateTime<Utc>,
    today: NaiveDate,
    cfg: &WarningRules,
    grace_days: u32,
    emergency: &Emergency,
) -> Result<SweepReport> {
    let mut report = SweepReport::default();
    let paths = paths(conn).await?;
    let mut touched: Vec<WarningId> = Vec::new();
    let mut school_of: HashMap<WarningId, i64> = HashMap::new();

    // Devices that went quiet (a device never heard from is not installed yet: no warning).
    let open = open_keys(conn, rules::OFFLINE_RULE).await?;
    let devices = device::Entity::find()
        .filter(device::Column::TokenHash.is_not_null())
        .filter(device::Column::LastSeenAt.is_not_null())
        .order_by_asc(device::Column::Id)
        .all(conn)
        .await?;
    for d in devices {
        let Some(kind) = DeviceKind::parse(&d.kind) else {
            continue;
        };
        let Some(seen) = d.last_seen_at else { continue };
        let limit = Duration::minutes(i64::from(rules::default_offline_minutes(kind)));
        let subject = format!("device:{}", d.id);
        let key = format!(
            "{}|{subject}|{}",
            Source::Device.as_str(),
            rules::OFFLINE_RULE
        );
        if now - seen <= limit || open.contains(&key) {
            continue;
        }
        let w = raise_alone(
            conn,
            Raise {
                school: d.school_id,
                source: Source::Device,
                rule: rules::OFFLINE_RULE.into(),
                subject,
                level: rules::offline_level(kind),
                device: Some(d.id),
                zone: d.zone_id,
                point: d.risk_point_id,
                value: None,
                detail: format!("{} · offline since {}", d.code, seen.to_rfc3339()),
                at: now,
                notify: true,
            },
        )
        .await?;
        school_of.insert(w, d.school_id.0);
        touched.push(w);
        report.offline += 1;
    }

    // Hazards past their deadline; their warnings clear once they are not.
    let running: Vec<&str> = HazardStatus::ALL
        .iter()
        .filter(|s| !s.stops_clock())
        .map(|s| s.as_str())
        .collect();
    let overdue = hazard::Entity::find()
        .filter(hazard::Column::Status.is_in(running))
        .filter(hazard::Column::Deadline.lt(today))
        .order_by_asc(hazard::Column::Id)
        .all(conn)
        .await?;
    let open = open_keys(conn, OVERDUE).await?;
    let mut still: HashSet<String> = HashSet::new();
    for h in overdue {
        let subject = format!("hazard:{}", h.id);
        let key = format!("{}|{subject}|{OVERDUE}", Source::Hazard.as_str());
        still.insert(key.clone());
        if open.contains(&key) {
            continue;
        }
        let major = h.level.as_deref() == Some(HazardLevel::Major.as_str());
        let w = raise_alone(
            conn,
            Raise {
                school: h.school_id,
                source: Source::Hazard,
                rule: OVERDUE.into(),
                subject,
                level: if major { Level::Orange } else { Level::Yellow },
                device: None,
                zone: h.zone_id,
                point: h.risk_point_id,
                value: None,
                detail: format!(
                    "{} · {}",
                    h.title,
                    h.deadline.map(|d| d.to_string()).unwrap_or_default()
                ),
                at: now,
                notify: true,
            },
        )
        .await?;
        school_of.insert(w, h.school_id.0);
        touched.push(w);
        report.overdue_raised += 1;
    }
    for key in open.difference(&still) {
        let mut parts = key.splitn(3, '|');
        let (Some(_), Some(subject)) = (parts.next(), parts.next()) else {
            continue;
        };
        let cleared = clear_alone(
            conn,
            Source::Hazard,
            subject,
            OVERDUE,
            now,
            "no longer overdue",
        )
        .await?;
        if let Some(w) = cleared {
            touched.push(w);
            report.overdue_cleared += 1;
        }
    }

    // Half-month self-inspections missed.
    let checked = checks::check(conn, now, today, grace_days, cfg.missed_check_level).await?;
    report.missed_checks_raised = checked.raised.len() as u32;
    report.missed_checks_cleared = checked.cleared.len() as u32;
    for (w, school) in checked.raised {
        school_of.insert(w, school.0);
        touched.push(w);
    }
    touched.extend(checked.cleared);

    // Required drills missed in the last window that ended.
    let checked = drills::check(conn, now, today, emergency).await?;
    report.missed_drills_raised = checked.raised.len() as u32;
    report.missed_drills_cleared = checked.cleared.len() as u32;
    for (w, school) in checked.raised {
        school_of.insert(w, school.0);
        touched.push(w);
    }
    touched.extend(checked.cleared);

    // Daily duty reports missing at their cutoff.
    let checked = duty::check(conn, now, today).await?;
    report.missed_reports_raised = checked.raised.len() as u32;
    report.missed_reports_cleared = checked.cleared.len() as u32;
    for (w, school) in checked.raised {
        school_of.insert(w, school.0);
        touched.push(w);
    }
    touched.extend(checked.cleared);

    // Incident reports past their deadline (迟报).
    let checked = incidents::check(conn, now, &emergency.incidents).await?;
    report.late_incident_reports_raised = checked.raised.len() as u32;
    report.late_incident_reports_cleared = checked.cleared.len() as u32;
    for (w, school) in checked.raised {
        school_of.insert(w, school.0);
        touched.push(w);
    }
    touched.extend(checked.cleared);

    // Emergency plans not filed in time, or due for evaluation.
    let checked = plans::check(conn, now, today, &emergency.plans).await?;
    report.plan_warnings_raised = checked.raised.len() as u32;
    report.plan_warnings_cleared = checked.cleared.len() as u32;
    for (w, school) in checked.raised {
        school_of.insert(w, school.0);
        touched.push(w);
    }
    touched.extend(checked.cleared);

    // Obligations of the work plan missed in their last ended period.
    let checked = compliance::check(conn, now, today, &emergency.calendar).await?;
    report.missed_obligations_raised = checked.raised.len() as u32;
    report.missed_obligations_cleared = checked.cleared.len() as u32;
    for (w, school) in checked.raised {
        school_of.insert(w, school.0);
        touched.push(w);
    }
    touched.extend(checked.cleared);

    // School buses' signs, inspections and insurance expiring or expired.
    let checked = buses::check(conn, now, today, &emergency.buses).await?;
    report.bus_expiries_raised = checked.raised.len() as u32;
    report.bus_expiries_cleared = checked.cleared.len() as u32;
    for (w, school) in checked.raised {
        school_of.insert(w, school.0);
        touched.push(w);
    }
    touched.extend(checked.cleared);

    // Acknowledged red and orange warnings left unresolved open a hazard.
    let waiting = warning::Entity::find()
        .filter(warning::Column::OpenKey.is_not_null())
        .filter(warning::Column::HazardId.is_null())
        .filter(warning::Column::Level.is_in([Level::Red.as_str(), Level::Orange.as_str()]))
        .filter(
            warning::Column::Status
                .is_in([Status::Acknowledged.as_str(), Status::Dispatched.as_str()]),
        )
        .all(conn)
        .await?;
    for w in waiting {
        let level = Level::parse(&w.level).unwrap_or(Level::Red);
        let hours = match level {
            Level::Red => cfg.red_hazard_after_hours,
            _ => cfg.orange_hazard_after_hours,
        };
        let Some(since) = w.acknowledged_at else {
            continue;
        };
        if now - since < Duration::hours(i64::from(hours)) {
            continue;
        }
        touched.push(open_hazard(conn, w, now).await?);
        report.hazards_opened += 1;
    }

    for w in touched {
        let school = match school_of.get(&w) {
            Some(s) => Some(*s),
            None => warning::Entity::find_by_id(w)
                .one(conn)
                .await?
                .map(|m| m.school_id.0),
        };
        if let Some(p) = school.and_then(|s| paths.get(&s)) {
            bus.publish(w, p.clone());
        }
    }
    Ok(report)
}

/// Opens the hazard of a warning left unresolved (source 设备预警 for a device's warning),
/// reported by the system and audited, and links the two.
async fn open_hazard(
    conn: &DatabaseConnection,
    w: warning::Model,
    now: DateTime<Utc>,
) -> Result<WarningId> {
    let txn = begin_write(conn).await?;
    let source = if w.source == Source::Device.as_str() {
        HazardSource::DeviceAlarm
    } else {
        HazardSource::Other
    };
    let input = NewHazard {
        title: format!("预警逾期未处置 · {}", w.detail)
            .chars()
            .take(200)
            .collect(),
        description: format!(
            "warning {} ({}, {}) raised {} was not resolved in time",
            w.id,
            w.level,
            w.rule,
            w.raised_at.to_rfc3339()
        ),
        aspect: Aspect::Things,
        category: "设备预警".into(),
        zone_id: w.zone_id,
        risk_point_id: w.risk_point_id,
        source: Some(source),
        photo_ids: Vec::new(),
    };
    let actor = Actor::system();
    let h = insert_reported(&txn, &actor, w.school_id, &input, Origin::default()).await?;
    let id = w.id;
    let version = w.version;
    let mut am = w.into_active_model();
    am.hazard_id = Set(Some(h.id));
    am.version = Set(version + 1);
    am.update(&txn).await?;
    warning_event::ActiveModel {
        warning_id: Set(id),
        at: Set(now),
        step: Set("hazard".into()),
        user_id: Set(None),
        note: Set(String::new()),
        detail: Set(format!("hazard={}", h.id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        &actor,
        &audit::Event::new(HazardAudit::Report, "hazard", h.id)
            .detail(format!("from warning {id}")),
        "ok",
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}
