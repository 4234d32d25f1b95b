//! Holiday duty and the daily zero report (值班值宿、零报告, F-EMG-3/4) through a [`Scoped`]
//! handle. A bureau (district or city officer) sets up a duty period with the units that
//! report in it (the schools below it by default); each unit submits its roster (checked by
//! [`check_roster`]: every day covered, days without a leader flagged) and a daily report by
//! the period's cutoff, China time ([`report_status`]: on time, late, missing, open).
//!
//! **Scope.** A period is seen by whoever sees its bureau or one of its units: the bureau's
//! people, and each unit's own people (a school sees the periods it reports in, and on the
//! board only its own row). Anything else is `NotFound`. A unit's roster and reports are
//! reached through a school that must be in the caller's scope and one of the period's units
//! (else `NotFound`), checked after the period (404) and the role (403).
//!
//! **A second report of the same day updates it**: the content is replaced, the first
//! instant stays (timeliness is the first report's), the answer is 200 instead of 201. A
//! report may name the unit's incidents (`incident_ids`, reported in full through the
//! incident reports).
//!
//! **On the day** the duty officer checks in, and the bureau records its phone spot checks
//! (answered, or called back within `[duty] callback_minutes`) — [`checks`] — and corrects
//! them afterwards, the replaced values kept — [`amend`].
//!
//! [`Scoped`]: super::Scoped

use super::audit::Event;
use super::entity::{duty_period, duty_report, duty_unit, org};
use super::orgs::invalid;
use super::read::Fetch;
use super::views::OrgRef;
use crate::domain::Code;
use crate::domain::duty::{DutyConfig, DutyPeriod, ReportStatus, RosterDay, report_status};
use crate::domain::ids::{DutyPeriodId, DutyReportId, IncidentId, OrgId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::error::{Error, FieldError, Result};
use crate::storage::Duty;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ActiveValue::Set, Condition, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod amend;
mod board;
mod checks;
mod submit;

pub use amend::{SpotCheckCorrection, SpotCheckRevision};
pub use board::{DayCounts, ZeroBoard, ZeroBoardDay, ZeroBoardQuery, ZeroBoardRow};
pub use checks::{CheckIn, DayQuery, NewCheckIn, NewSpotCheck, SpotCheck};

closed_codes! {
    AuditCode:
    /// What duty periods, rosters and daily reports record.
    pub enum DutyAudit {
        PeriodCreate = "duty.period_create",
        Roster = "duty.roster",
        Report = "duty.report",
        CheckIn = "duty.check_in",
        SpotCheck = "duty.spot_check",
        SpotCheckAmend = "duty.spot_check_amend",
    }
}

/// A duty period as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyPeriodView {
    pub id: DutyPeriodId,
    /// The bureau that set it up.
    pub org: OrgRef,
    pub name: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The daily report's cutoff, China time (`15:00:00`).
    pub cutoff: String,
    /// The units that report (those the caller sees).
    pub units: Vec<OrgRef>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// A new duty period (`POST /api/v1/duty-periods`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDutyPeriod {
    /// The bureau (a district or the city; the caller's own when left out).
    #[serde(default)]
    pub org_id: Option<i64>,
    pub name: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// China time (`15:00:00`); `[duty] daily_cutoff` when left out.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "15:00:00")]
    pub cutoff: Option<NaiveTime>,
    /// The units that report; every school below the bureau when left out.
    #[serde(default)]
    pub school_ids: Option<Vec<i64>>,
}

/// A unit's roster for a period, as stored (or empty when none was submitted).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Roster {
    pub period_id: DutyPeriodId,
    pub school: OrgRef,
    pub submitted: bool,
    pub days: Vec<RosterDay>,
    /// Days nobody covers (all of them before a roster is submitted).
    pub uncovered: Vec<NaiveDate>,
    /// Days with officers but no leader on duty: flagged, not refused.
    pub without_leader: Vec<NaiveDate>,
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A unit's roster (`PUT /api/v1/duty-periods/{id}/rosters/{school_id}`): every day of the
/// period covered by at least one officer; a leader and phones per day.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterInput {
    pub days: Vec<RosterDay>,
}

/// A unit's daily report (`POST /api/v1/duty-periods/{id}/reports`): `"zero": true` when
/// nothing happened (零报告), or what happened in `incidents`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewDutyReport)]
pub struct NewReport {
    pub school_id: i64,
    pub date: NaiveDate,
    #[serde(default)]
    pub zero: bool,
    #[serde(default)]
    pub incidents: Option<String>,
    /// The unit's incidents it reports through the incident reports (their ids).
    #[serde(default)]
    pub incident_ids: Vec<i64>,
}

/// A unit's daily report as stored, with its timeliness.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub id: DutyReportId,
    pub period_id: DutyPeriodId,
    pub school_id: OrgId,
    pub date: NaiveDate,
    pub zero: bool,
    pub incidents: String,
    /// The incidents it names.
    pub incident_ids: Vec<IncidentId>,
    /// `on_time` (at or before the cutoff, China time) or `late`.
    pub status: ReportStatus,
    pub due_at: DateTime<Utc>,
    /// The first report of the day.
    pub submitted_at: DateTime<Utc>,
    pub submitted_by_name: String,
    pub updated_at: DateTime<Utc>,
}

/// The period's rules as the domain has them.
pub(super) fn rules(m: &duty_period::Model) -> DutyPeriod {
    DutyPeriod {
        first: m.first_day,
        last: m.last_day,
        cutoff: NaiveTime::parse_from_str(&m.cutoff, "%H:%M:%S").unwrap_or(NaiveTime::MIN),
    }
}

fn report_view(p: &DutyPeriod, m: duty_report::Model) -> Report {
    Report {
        id: m.id,
        period_id: m.period_id,
        school_id: m.school_id,
        date: m.date,
        zero: m.zero,
        status: report_status(m.date, p.cutoff, Some(m.submitted_at), m.submitted_at),
        due_at: p.due_at(m.date),
        incidents: m.incidents,
        incident_ids: serde_json::from_str(&m.incident_ids).unwrap_or_default(),
        submitted_at: m.submitted_at,
        submitted_by_name: m.submitted_by_name,
        updated_at: m.updated_at,
    }
}

fn dates(s: &str) -> Vec<NaiveDate> {
    serde_json::from_str(s).unwrap_or_default()
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::internal)
}

/// A domain field error as the API's.
fn duty_error(e: crate::domain::duty::DutyError) -> Error {
    Error::field(e.field, e.key)
}

impl Duty<'_> {
    /// `SELECT id FROM orgs WHERE path LIKE '<scope>%'`.
    fn orgs_in_scope(&self) -> SelectStatement {
        Query::select()
            .column(org::Column::Id)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(self.actor.scope().like_pattern()))
            .to_owned()
    }

    /// A period is seen through its bureau or one of its units.
    fn visible(&self) -> Condition {
        let units = Query::select()
            .column(duty_unit::Column::PeriodId)
            .from(duty_unit::Entity)
            .and_where(Expr::col(duty_unit::Column::SchoolId).in_subquery(self.orgs_in_scope()))
            .to_owned();
        Condition::any()
            .add(Expr::col(duty_period::Column::OrgId).in_subquery(self.orgs_in_scope()))
            .add(Expr::col(duty_period::Column::Id).in_subquery(units))
    }

    /// A period the caller sees, or `NotFound`.
    pub(super) async fn period_row(
        &self,
        id: DutyPeriodId,
        conn: &impl Fetch,
    ) -> Result<duty_period::Model> {
        conn.first(duty_period::Entity::find_by_id(id).filter(self.visible()))
            .await?
            .ok_or(Error::NotFound)
    }

    /// The period's units in the caller's scope, by code.
    pub(super) async fn units(&self, period: DutyPeriodId) -> Result<Vec<org::Model>> {
        let ids = Query::select()
            .column(duty_unit::Column::SchoolId)
            .from(duty_unit::Entity)
            .and_where(duty_unit::Column::PeriodId.eq(period))
            .to_owned();
        org::Entity::find()
            .filter(Expr::col(org::Column::Id).in_subquery(ids))
            .filter(self.org_scope())
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await
    }

    /// A unit of the period that the caller sees, or `NotFound`.
    async fn unit(
        &self,
        period: DutyPeriodId,
        school: OrgId,
        conn: &impl Fetch,
    ) -> Result<org::Model> {
        let s = self.school_row(school, conn).await?;
        conn.first(
            duty_unit::Entity::find()
                .filter(duty_unit::Column::PeriodId.eq(period))
                .filter(duty_unit::Column::SchoolId.eq(s.id)),
        )
        .await?
        .ok_or(Error::NotFound)?;
        Ok(s)
    }

    async fn view(&self, m: duty_period::Model) -> Result<DutyPeriodView> {
        let units = self.units(m.id).await?;
        let bureau = org::Entity::find_by_id(m.org_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(DutyPeriodView {
            id: m.id,
            org: bureau.into(),
            name: m.name,
            first: m.first_day,
            last: m.last_day,
            cutoff: m.cutoff,
            units: units.into_iter().map(OrgRef::from).collect(),
            created_by_name: m.created_by_name,
            created_at: m.created_at,
        })
    }

    /// Scope, then role, for a page or form about a period (404, then 403).
    pub async fn check_period(&self, id: DutyPeriodId) -> Result<()> {
        self.period_row(id, &self.read).await?;
        self.permit()
    }

    /// The periods the caller sees, the latest first.
    pub async fn list(&self) -> Result<Vec<DutyPeriodView>> {
        self.permit()?;
        let rows = duty_period::Entity::find()
            .filter(self.visible())
            .order_by_desc(duty_period::Column::FirstDay)
            .order_by_desc(duty_period::Column::Id)
            .read_all(&self.read)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            out.push(self.view(m).await?);
        }
        Ok(out)
    }

    pub async fn get(&self, id: DutyPeriodId) -> Result<DutyPeriodView> {
        let m = self.period_row(id, &self.read).await?;
        self.permit()?;
        self.view(m).await
    }

    /// Sets up a duty period of a bureau in scope, with its units.
    pub async fn create(&self, input: NewDutyPeriod, cfg: &DutyConfig) -> Result<DutyPeriodView> {
        let org = match input.org_id {
            Some(id) => OrgId(id),
            None => self
                .actor
                .org_id
                .ok_or_else(|| Error::field("org_id", "err.required"))?,
        };
        let mut tx = self
            .begin_for(Event::new(DutyAudit::PeriodCreate, "duty_period", ""), org)
            .await?;
        let res: Result<duty_period::Model> = async {
            let bureau = self.org_row(org, &tx.txn).await?;
            let mut errs = Vec::new();
            if bureau.level == OrgLevel::School.as_str() {
                errs.push(FieldError::new("org_id", "err.duty.not_a_bureau"));
            }
            let name = input.name.trim();
            if name.is_empty() {
                errs.push(FieldError::new("name", "err.required"));
            } else if name.chars().count() > 100 {
                errs.push(FieldError::new("name", "err.duty.too_long"));
            }
            let cutoff = input.cutoff.unwrap_or(cfg.daily_cutoff);
            if let Err(e) = DutyPeriod::new(input.first, input.last, cutoff, cfg) {
                errs.push(FieldError::new(e.field, e.key));
            }
            let path = OrgPath::parse(&bureau.path).ok_or(Error::NotFound)?;
            let below = org::Entity::find()
                .filter(self.org_scope())
                .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
                .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
                .order_by_asc(org::Column::Code)
                .all(&tx.txn)
                .await?;
            let units: Vec<OrgId> = match &input.school_ids {
                None => below.iter().map(|s| s.id).collect(),
                Some(ids) => {
                    let mut v = Vec::new();
                    for (i, id) in ids.iter().enumerate() {
                        match below.iter().find(|s| s.id.0 == *id) {
                            Some(s) if !v.contains(&s.id) => v.push(s.id),
                            Some(_) => {}
                            None => errs.push(FieldError::new(
                                format!("school_ids[{i}]"),
                                "err.duty.not_below",
                            )),
                        }
                    }
                    v
                }
            };
            if units.is_empty() && errs.is_empty() {
                errs.push(FieldError::new("school_ids", "err.duty.no_units"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let m = duty_period::ActiveModel {
                org_id: Set(bureau.id),
                name: Set(name.to_string()),
                first_day: Set(input.first),
                last_day: Set(input.last),
                cutoff: Set(cutoff.format("%H:%M:%S").to_string()),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            let rows: Vec<duty_unit::ActiveModel> = units
                .iter()
                .map(|s| duty_unit::ActiveModel {
                    period_id: Set(m.id),
                    school_id: Set(*s),
                    ..Default::default()
                })
                .collect();
            duty_unit::Entity::insert_many(rows).exec(&tx.txn).await?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "org={} {}..{} cutoff={}",
                    m.org_id, m.first_day, m.last_day, m.cutoff
                );
                tx.commit().await?;
                self.get(m.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
