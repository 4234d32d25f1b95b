//! Background jobs kept in the database: reminders, overdue notices, escalation to bureau
//! supervision — and whatever later features need to run on a schedule.
//!
//! **Invariants:**
//! - A job is identified by its `key` (unique): enqueuing the same key twice adds nothing, so
//!   every instance may schedule the daily sweep and it is still one job per day.
//! - A job is claimed atomically (`UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)` on
//!   PostgreSQL; a single writer on SQLite), by one instance at a time, for a lease; a job whose
//!   instance died is claimed again when the lease runs out.
//! - A job's effects are idempotent: notifications carry dedupe keys and escalation looks at the
//!   hazard's state, so running a job twice changes nothing the second time.

use super::entity::{hazard, job};
use super::inbox::{self, Note};
use crate::config::HazardRules;
use crate::domain::Code;
use crate::domain::hazard::{self as rules, Hazard, Status};
use crate::error::{Error, Result};
use crate::storage::hazards::HazardAudit;
use crate::storage::hazards::HazardNotice;
use crate::storage::inbox::NoteParams;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseBackend, QueryOrder, Statement};
use serde_json::json;

/// The daily hazard sweep: reminders, overdue notices, escalation.
pub const SWEEP: &str = "hazard-sweep";
/// How long a claimed job is reserved for its instance.
const LEASE_SECONDS: i64 = 600;
/// A failing job is retried this many times, then left as `failed`.
const MAX_ATTEMPTS: i32 = 5;

/// Runs the jobs of this process.
pub struct Runner {
    pub(super) conn: DatabaseConnection,
    /// Live warning signals (the warning sweep publishes what it changed).
    pub(super) bus: super::live::Bus,
    /// Who claims: host and process, recorded on the job.
    pub(super) instance: String,
    /// The warning sweep's clock.
    pub(super) warnings: crate::config::WarningRules,
    /// Grace days of the half-month self-inspection (`[inspection] grace_days`).
    pub(super) inspection_grace: u32,
    /// How the outbox sends (`[outbox]`, the platform's address).
    pub(super) outbox: super::outbox::Settings,
    /// The drill requirements and school calendar the warning sweep checks.
    pub(super) emergency: super::warning_sweep::Emergency,
    /// `[security]`: the daily account sweep's idle days.
    pub(super) security: crate::config::Security,
    /// `[audit]`: where the daily anchor of the audit chain goes.
    pub(super) audit: crate::config::AuditConfig,
    /// `[devices] event_retention_months`: device events kept (0: all).
    pub(super) event_retention_months: u32,
    /// `[privacy]`: how long the bus riders who left are kept.
    pub(super) privacy: crate::config::Privacy,
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub done: u32,
    pub failed: u32,
}

/// What the hazard sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    pub checked: u32,
    pub reminders: u32,
    pub overdue: u32,
    pub escalated: u32,
}

impl Runner {
    /// Adds a job unless one with the same key exists; true when added.
    pub async fn enqueue(
        &self,
        kind: &str,
        key: &str,
        payload: serde_json::Value,
        run_at: DateTime<Utc>,
    ) -> Result<bool> {
        let row = job::ActiveModel {
            kind: Set(kind.to_string()),
            key: Set(key.to_string()),
            payload: Set(payload.to_string()),
            run_at: Set(run_at),
            status: Set("pending".into()),
            attempts: Set(0),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(String::new()),
            created_at: Set(Utc::now()),
            finished_at: Set(None),
            ..Default::default()
        };
        let r = job::Entity::insert(row)
            .on_conflict_do_nothing_on([job::Column::Key])
            .exec(&self.conn)
            .await?;
        Ok(matches!(r, sea_orm::TryInsertResult::Inserted(_)))
    }

    /// Adds the job `kind` of one China day (key `kind:day`), once however many instances ask.
    async fn enqueue_daily(&self, kind: &str, day: NaiveDate) -> Result<bool> {
        self.enqueue(
            kind,
            &format!("{kind}:{day}"),
            json!({ "day": day }),
            Utc::now(),
        )
        .await
    }

    /// Schedules the account sweep of `day` (accounts unused too long are disabled), once
    /// however many instances ask.
    pub async fn schedule_account_sweep(&self, day: NaiveDate) -> Result<bool> {
        let kind = super::auth::passwords::JOB;
        self.enqueue_daily(kind, day).await
    }

    /// Schedules the audit anchor of `day` (a China date), once however many instances ask;
    /// nothing when `[audit]` names no place for it.
    pub async fn schedule_audit_anchor(&self, day: NaiveDate) -> Result<bool> {
        if self.audit.anchor_dir.is_none() && self.audit.anchor_url.is_none() {
            return Ok(false);
        }
        let kind = super::audit::anchor::JOB;
        self.enqueue_daily(kind, day).await
    }

    /// Schedules the audit purge of `day` (a China date), once however many instances ask;
    /// nothing unless `[audit] retention_days` is set.
    pub async fn schedule_audit_purge(&self, day: NaiveDate) -> Result<bool> {
        if self.audit.retention_days == 0 {
            return Ok(false);
        }
        let kind = super::audit::retention::JOB;
        self.enqueue_daily(kind, day).await
    }

    /// Schedules the device events' upkeep of `day` (partitions ahead, old months removed),
    /// once however many instances ask.
    pub async fn schedule_device_events(&self, day: NaiveDate) -> Result<bool> {
        self.enqueue_daily(super::device_events::JOB, day).await
    }

    /// Schedules the purge of the bus riders who left more than `[privacy]
    /// leaver_retention_days` ago, for `day` (a China date), once however many instances ask.
    pub async fn schedule_leavers_purge(&self, day: NaiveDate) -> Result<bool> {
        self.enqueue_daily(super::buses::leavers::JOB, day).await
    }

    /// Schedules the sweep of `day` (a China date), once however many instances ask.
    pub async fn schedule_daily(&self, day: NaiveDate) -> Result<bool> {
        self.enqueue_daily(SWEEP, day).await
    }

    /// Schedules the bus drivers' eligibility check of `day` (a China date), once however
    /// many instances ask.
    pub async fn schedule_bus_drivers(&self, day: NaiveDate) -> Result<bool> {
        let kind = super::warning_sweep::buses::DRIVER_JOB;
        self.enqueue_daily(kind, day).await
    }

    /// The warning sweep's configuration (default: domain.md's values).
    pub fn with_warnings(mut self, cfg: &crate::config::Config) -> Runner {
        self.warnings = cfg.warnings.clone();
        self.inspection_grace = cfg.inspection.grace_days;
        self.emergency = super::warning_sweep::Emergency {
            drills: cfg.drills.clone(),
            calendar: cfg.calendar.clone(),
            incidents: cfg.incidents.clone(),
            plans: cfg.plans.clone(),
            buses: cfg.buses.clone(),
        };
        self.event_retention_months = cfg.devices.event_retention_months;
        self
    }

    /// The account sweep's configuration (`[security] account_idle_days`), the audit
    /// anchor's (`[audit]`) and the leavers' retention (`[privacy]`).
    pub fn with_security(mut self, cfg: &crate::config::Config) -> Runner {
        self.security = cfg.security.clone();
        self.audit = cfg.audit.clone();
        self.privacy = cfg.privacy.clone();
        self
    }

    /// The outbox's configuration (`[outbox]`) and the platform's address for its links.
    pub fn with_outbox(mut self, cfg: &crate::config::Config) -> Runner {
        self.outbox = super::outbox::Settings {
            outbox: cfg.outbox.clone(),
            public_url: cfg.public_url.clone(),
        };
        self
    }

    /// Schedules the warning sweep of the current slot (`[warnings] sweep_seconds` long),
    /// once however many instances ask; slots of done sweeps older than a day are removed.
    pub async fn schedule_warning_sweep(&self, now: DateTime<Utc>) -> Result<bool> {
        let every = i64::try_from(self.warnings.sweep_seconds.max(10)).unwrap_or(60);
        let slot = now.timestamp() / every * every;
        let added = self
            .enqueue(
                super::warning_sweep::JOB,
                &format!("{}:{slot}", super::warning_sweep::JOB),
                json!({ "slot": slot }),
                now,
            )
            .await?;
        if added {
            job::Entity::delete_many()
                .filter(job::Column::Kind.eq(super::warning_sweep::JOB))
                .filter(job::Column::Status.eq("done"))
                .filter(job::Column::CreatedAt.lt(now - Duration::days(1)))
                .exec(&self.conn)
                .await?;
        }
        Ok(added)
    }

    /// Claims the next due job for this instance: pending and due, or running with a lease
    /// that has run out.
    pub async fn claim(&self, now: DateTime<Utc>) -> Result<Option<job::Model>> {
        let backend = self.conn.get_database_backend();
        let sql = match backend {
            DatabaseBackend::Postgres => {
                "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
                 attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE \
                 (status = 'pending' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) \
                 ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *"
            }
            _ => {
                "UPDATE jobs SET status = 'running', locked_by = ?, locked_until = ?, \
                 attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE \
                 (status = 'pending' AND run_at <= ?) OR (status = 'running' AND locked_until < ?) \
                 ORDER BY run_at, id LIMIT 1) RETURNING *"
            }
        };
        let until = now + Duration::seconds(LEASE_SECONDS);
        let mut values: Vec<sea_orm::Value> =
            vec![self.instance.clone().into(), until.into(), now.into()];
        if backend != DatabaseBackend::Postgres {
            values.push(now.into());
        }
        Ok(job::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
            .one(&self.conn)
            .await?)
    }

    /// Runs every due job once; a failure is recorded on the job and retried later (with a
    /// growing delay) until [`MAX_ATTEMPTS`].
    pub async fn run_due(&self, rules: &HazardRules) -> Result<Pass> {
        let mut pass = Pass::default();
        while let Some(j) = self.claim(Utc::now()).await? {
            let res = match j.kind.as_str() {
                SWEEP => {
                    let day = day_of(&j.payload);
                    sweep(&self.conn, day, rules).await.map(|r| json!(r))
                }
                super::auth::passwords::JOB => {
                    super::auth::passwords::sweep(&self.conn, &self.security, Utc::now())
                        .await
                        .map(|n| json!({ "disabled": n }))
                }
                super::warning_sweep::JOB => super::warning_sweep::sweep(
                    &self.conn,
                    &self.bus,
                    Utc::now(),
                    super::risk_points::today(),
                    &self.warnings,
                    self.inspection_grace,
                    &self.emergency,
                )
                .await
                .map(|r| json!(r)),
                super::warning_sweep::buses::DRIVER_JOB => {
                    let day = day_of(&j.payload);
                    super::warning_sweep::buses::check_drivers(
                        &self.conn,
                        &self.bus,
                        day,
                        &self.emergency.buses,
                    )
                    .await
                    .map(|r| json!(r))
                }
                super::audit::anchor::JOB => {
                    super::audit::anchor::run_job(&self.conn, &self.audit).await
                }
                super::audit::retention::JOB => {
                    super::audit::retention::run_job(&self.conn, &self.audit).await
                }
                super::device_events::JOB => super::device_events::maintain(
                    &self.conn,
                    day_of(&j.payload),
                    self.event_retention_months,
                )
                .await
                .map(|r| json!(r)),
                super::buses::leavers::JOB => super::buses::leavers::purge(
                    &self.conn,
                    day_of(&j.payload),
                    self.privacy.leaver_retention_days,
                )
                .await
                .map(|r| json!(r)),
                super::outbox::JOB => {
                    super::outbox::send::deliver(
                        &self.conn,
                        &j.payload,
                        j.attempts,
                        MAX_ATTEMPTS,
                        &self.outbox,
                    )
                    .await
                }
                other => Err(Error::internal(anyhow::anyhow!("unknown job kind {other}"))),
            };
            let mut am: job::ActiveModel = j.clone().into();
            match res {
                Ok(r) => {
                    am.status = Set("done".into());
                    am.finished_at = Set(Some(Utc::now()));
                    am.last_error = Set(String::new());
                    am.payload = Set(json!({"input": serde_json::from_str::<serde_json::Value>(&j.payload).unwrap_or_default(), "result": r}).to_string());
                    pass.done += 1;
                }
                Err(e) => {
                    tracing::warn!(job = j.id.0, kind = %j.kind, error = %crate::error::Chain(&e), "job failed");
                    let give_up = j.attempts >= MAX_ATTEMPTS;
                    am.status = Set(if give_up { "failed" } else { "pending" }.into());
                    am.run_at = Set(Utc::now() + Duration::minutes(i64::from(j.attempts) * 5));
                    am.last_error = Set(e.to_string());
                    pass.failed += 1;
                }
            }
            am.locked_by = Set(None);
            am.locked_until = Set(None);
            am.update(&self.conn).await?;
        }
        Ok(pass)
    }

    /// Jobs by status, for operators (`/metrics` and tests).
    pub async fn recent(&self, limit: u64) -> Result<Vec<(String, String, String, i32)>> {
        use sea_orm::QuerySelect;
        Ok(job::Entity::find()
            .order_by_desc(job::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await?
            .into_iter()
            .map(|j| (j.kind, j.key, j.status, j.attempts))
            .collect())
    }
}

/// The statuses whose deadline clock runs.
fn clock_running() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| !s.stops_clock())
        .map(|s| s.as_str())
        .collect()
}

/// The daily sweep over every hazard with a running clock: reminders before the deadline,
/// overdue notices, escalation to bureau supervision. One transaction per hazard.
pub async fn sweep(
    conn: &DatabaseConnection,
    day: NaiveDate,
    cfg: &HazardRules,
) -> Result<SweepReport> {
    let mut report = SweepReport::default();
    let rows = hazard::Entity::find()
        .filter(hazard::Column::Status.is_in(clock_running()))
        .filter(hazard::Column::Deadline.is_not_null())
        .order_by_asc(hazard::Column::Id)
        .all(conn)
        .await?;
    for row in rows {
        report.checked += 1;
        let state: Hazard = serde_json::from_str(&row.state).map_err(Error::internal)?;
        let txn = super::begin_write(conn).await?;
        let link = format!("/hazards/{}", row.id);
        let deadline = state.deadline.map(|d| d.to_string()).unwrap_or_default();
        if let Some(n) = rules::reminders(&state, day, &cfg.reminder_days)
            && let Some(u) = row.responsible_user_id
        {
            inbox::notify(
                &txn,
                &[u],
                &Note {
                    kind: HazardNotice::Reminder.into(),
                    hazard: Some(row.id),
                    school: Some(row.school_id),
                    subject: &row.title,
                    link: link.clone(),
                    params: NoteParams {
                        days: Some(i64::from(n)),
                        deadline: state.deadline,
                        ..Default::default()
                    },
                    dedupe: format!("remind:{}:{deadline}:{n}", row.id),
                },
            )
            .await?;
            report.reminders += 1;
        }
        if rules::is_overdue(&state, day) {
            let mut to = inbox::school_managers(&txn, row.school_id).await?;
            to.extend(inbox::bureau_officers(&txn, row.school_id).await?);
            to.extend(row.responsible_user_id);
            inbox::notify(
                &txn,
                &to,
                &Note {
                    kind: HazardNotice::Overdue.into(),
                    hazard: Some(row.id),
                    school: Some(row.school_id),
                    subject: &row.title,
                    link: link.clone(),
                    params: NoteParams {
                        days: Some(rules::days_overdue(&state, day)),
                        deadline: state.deadline,
                        ..Default::default()
                    },
                    dedupe: format!("overdue:{}:{deadline}", row.id),
                },
            )
            .await?;
            report.overdue += 1;
        }
        if escalate(&txn, &row, &state, day, cfg).await? {
            report.escalated += 1;
        }
        txn.commit().await?;
    }
    Ok(report)
}

/// Lists a hazard overdue for longer than the configured days for bureau supervision (挂牌督办):
/// the step goes into its history like any other (by the system) and is audited.
async fn escalate(
    txn: &sea_orm::DatabaseTransaction,
    row: &hazard::Model,
    state: &Hazard,
    day: NaiveDate,
    cfg: &HazardRules,
) -> Result<bool> {
    let Some(t) = rules::escalation(state, day, cfg.escalate_after_days) else {
        return Ok(false);
    };
    let days = rules::days_overdue(state, day);
    // The step notifies the school's managers and the bureau like any other.
    super::hazards::record_transition(txn, row, t, None).await?;
    super::audit::append(
        txn,
        &super::Actor::system(),
        &super::audit::Event::new(HazardAudit::Escalate, "hazard", row.id)
            .detail(format!("days_overdue={days}")),
        "ok",
    )
    .await?;
    Ok(true)
}

/// The China day a daily job is for (its payload's `day`; today when it has none).
fn day_of(payload: &str) -> NaiveDate {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v["day"].as_str().and_then(|d| d.parse().ok()))
        .unwrap_or_else(super::risk_points::today)
}
