//! The yearly "no disorder" star rating of a school (“无乱象”星级校, item 15 of the work plan):
//! computed from what the platform holds, never typed. [`StarRatings::rating`] reads every
//! criterion of [`Criterion`] for the school and year — the compliance calendar's missed
//! obligations, hazards past their deadline or major and open, plans overdue for filing,
//! governance actions left without a result, shortfalls of the security register, incident
//! reports sent late — and the veto (an incident of 较大 or worse in the year); the bureau
//! awards the rating as computed (`award`, each award a new row with its criteria: the
//! history), with a note.
//!
//! The current year is read as it stands today; a past year as it stood at the end of its
//! last day (31 December, China time), as far as the records are dated:
//! - obligations: the compliance calendar of the year (evidence recorded after a period's
//!   end makes the cell late, not missed, as on the calendar);
//! - hazards: every hazard reported by then, replayed from its history up to that day
//!   (closed, accepted or extended later does not count; the deadline and level are the
//!   ones in force then);
//! - plans: published by then, not filed by then, past the filing deadline on that day (a
//!   plan superseded unfiled by then no longer counts);
//! - incidents: known within the year, with their late reports.
//!
//! What has no date is read as it stands today, also for a past year: the security register
//! (entries keep no date of registration and their values are changed in place — the audit
//! log has the changes but is not a data source), the pupils and staff the guards are
//! counted against, and governance results (a result counts whenever it was reported: a
//! second result replaces the first and carries the day of the replacement).
//!
//! A past year that was awarded is read as awarded (the latest award's stars and criteria),
//! never recomputed; only the current year, or a past year never awarded, is computed.

use super::audit::Event;
use super::entity::{emergency_plan, hazard, hazard_event, incident, org, star_rating};
use crate::config::Config;
use crate::domain::Code;
use crate::domain::emergency_plan::{FilingStatus, filing_status};
use crate::domain::governance::{Criterion, Outcome, stars};
use crate::domain::hazard::{
    HistoryEvent, Level as HazardLevel, Status as HazardStatus, is_overdue,
};
use crate::domain::ids::OrgId;
use crate::domain::incident::IncidentLevel;
use crate::domain::work_plan::Status as CellStatus;
use crate::error::{Error, FieldError, Result};
use crate::storage::StarRatings;
use crate::storage::read::ReadAll as _;
use crate::storage::views::OrgRef;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

closed_codes! {
    AuditCode:
    /// What the star ratings write.
    pub enum StarAudit {
        Award = "star_rating.award",
    }
}

pub const MAX_NOTE: usize = 2000;

/// Where a rating shown comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    /// Computed now from the records.
    Computed,
    /// A past year's latest award, as it was computed when awarded.
    Awarded,
}

/// A school's rating for a year — the current year as computed now, a past year as last
/// awarded (`source`) — and the bureau's awards (newest first).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StarRating {
    pub school: OrgRef,
    pub year: i32,
    pub source: RatingSource,
    pub stars: u8,
    /// An incident of 较大 or worse in the year: no stars whatever the criteria.
    pub veto: bool,
    pub criteria: Vec<Outcome>,
    pub awards: Vec<Award>,
}

/// A rating the bureau awarded, with the criteria as they were computed then.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Award {
    pub id: i64,
    pub year: i32,
    pub stars: i32,
    pub criteria: Vec<Outcome>,
    pub note: String,
    pub rated_by_name: String,
    pub rated_at: DateTime<Utc>,
}

/// Which year (`year`, the current one by default).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingQuery {
    #[serde(default)]
    pub year: Option<i32>,
}

/// The bureau awards the year's rating as computed (`PUT /api/v1/schools/{id}/star-rating`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardInput {
    pub year: i32,
    #[serde(default)]
    pub note: String,
}

/// One school of the bureau's list of ratings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingRow {
    pub school: OrgRef,
    pub source: RatingSource,
    pub stars: u8,
    pub veto: bool,
    /// The criteria not met.
    pub unmet: Vec<Criterion>,
    /// The stars of the latest award of the year, if any.
    pub awarded: Option<i32>,
}

/// The instant China's day `d` begins.
fn china_start(d: NaiveDate) -> DateTime<Utc> {
    (d.and_time(NaiveTime::MIN) - Duration::hours(8)).and_utc()
}

impl StarRatings<'_> {
    /// The rating of a school in scope for `year` (the current one by default).
    pub async fn rating(
        &self,
        school: OrgId,
        year: Option<i32>,
        cfg: &Config,
    ) -> Result<StarRating> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let year = year.unwrap_or_else(|| crate::clock::today().year());
        super::governance::year_range(year)?;
        let awards: Vec<Award> = star_rating::Entity::find()
            .filter(star_rating::Column::SchoolId.eq(s.id))
            .filter(star_rating::Column::Year.eq(year))
            .order_by_desc(star_rating::Column::Id)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(award_view)
            .collect();
        let (source, stars_now, criteria, veto) = match awards.first().and_then(|a| stored(a, year))
        {
            Some((n, criteria, veto)) => (RatingSource::Awarded, n, criteria, veto),
            None => {
                let (criteria, veto) = self.compute(&s, year, cfg).await?;
                (
                    RatingSource::Computed,
                    stars(&criteria, veto),
                    criteria,
                    veto,
                )
            }
        };
        Ok(StarRating {
            school: s.into(),
            year,
            source,
            stars: stars_now,
            veto,
            criteria,
            awards,
        })
    }

    /// Every school in scope under `org` (the caller's node by default) with its computed
    /// stars for `year`, the fewest stars first.
    pub async fn list(&self, year: Option<i32>, cfg: &Config) -> Result<Vec<RatingRow>> {
        self.permit()?;
        let year = year.unwrap_or_else(|| crate::clock::today().year());
        super::governance::year_range(year)?;
        let schools = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(crate::domain::org::OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        let awards = star_rating::Entity::find()
            .filter(star_rating::Column::Year.eq(year))
            .filter(star_rating::Column::SchoolId.is_in(schools.iter().map(|s| s.id)))
            .order_by_asc(star_rating::Column::Id)
            .read_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for s in schools {
            let latest = awards
                .iter()
                .rev()
                .find(|a| a.school_id == s.id)
                .cloned()
                .map(award_view);
            let (source, n, criteria, veto) = match latest.as_ref().and_then(|a| stored(a, year)) {
                Some((n, criteria, veto)) => (RatingSource::Awarded, n, criteria, veto),
                None => {
                    let (criteria, veto) = self.compute(&s, year, cfg).await?;
                    (
                        RatingSource::Computed,
                        stars(&criteria, veto),
                        criteria,
                        veto,
                    )
                }
            };
            out.push(RatingRow {
                source,
                stars: n,
                veto,
                unmet: criteria
                    .iter()
                    .filter(|c| !c.met)
                    .map(|c| c.criterion)
                    .collect(),
                awarded: awards
                    .iter()
                    .rev()
                    .find(|a| a.school_id == s.id)
                    .map(|a| a.stars),
                school: s.into(),
            });
        }
        out.sort_by_key(|r| r.stars);
        Ok(out)
    }

    /// Awards the rating as computed now; the answer carries it first among the awards.
    pub async fn award(
        &self,
        school: OrgId,
        input: AwardInput,
        cfg: &Config,
    ) -> Result<StarRating> {
        let today = crate::clock::today();
        let year_ok = (2000..=today.year()).contains(&input.year);
        // Computed before the write opens (the reads take the read path); only for a school
        // in scope, a role that may award and a valid year — else the write refuses below.
        let computed = match self.school_row(school, &self.read).await {
            Ok(s) if year_ok && crate::policy::allows(self.actor.role, self.action) => {
                Some(self.compute(&s, input.year, cfg).await?)
            }
            _ => None,
        };
        let (mut tx, school) = self
            .begin_for_school(Event::new(StarAudit::Award, "school", school), school)
            .await?;
        let res: Result<star_rating::Model> = async {
            let mut errs = Vec::new();
            if !year_ok {
                errs.push(FieldError::new("year", "err.star.year"));
            }
            if input.note.chars().count() > MAX_NOTE {
                errs.push(FieldError::new("note", "err.governance.too_long"));
            }
            if !errs.is_empty() {
                return Err(super::orgs::invalid(errs));
            }
            let (criteria, veto) = computed.ok_or(Error::NotFound)?;
            Ok(star_rating::ActiveModel {
                school_id: Set(school.org_id()),
                year: Set(input.year),
                stars: Set(i32::from(stars(&criteria, veto))),
                criteria: Set(serde_json::to_string(&criteria).map_err(Error::internal)?),
                note: Set(input.note.trim().into()),
                rated_by: Set(Some(self.actor.user_id)),
                rated_by_name: Set(self.actor.display_name.clone()),
                rated_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.detail = format!("year={} stars={}", m.year, m.stars);
                tx.commit().await?;
                self.rating(school.org_id(), Some(m.year), cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The criteria of `s` for `year` and whether an incident vetoes it.
    async fn compute(
        &self,
        s: &org::Model,
        year: i32,
        cfg: &Config,
    ) -> Result<(Vec<Outcome>, bool)> {
        let (first, last) = super::governance::year_range(year)?;
        let today = crate::clock::today();
        let upto = last.min(today);
        let mut out = Vec::new();
        let mut put = |criterion: Criterion, count: i64| {
            out.push(Outcome {
                criterion,
                met: count == 0,
                count,
            })
        };
        // The work plan's obligations of the year, from the compliance calendar.
        let missed = if upto < first {
            0
        } else {
            let range = crate::domain::calendar::DateRange { first, last: upto };
            let (_, cells) = super::compliance::compute(
                &self.read,
                std::slice::from_ref(s),
                range,
                &cfg.calendar,
                today,
            )
            .await?;
            cells
                .iter()
                .filter(|c| c.org_id == s.id && c.status == CellStatus::Missed)
                .count() as i64
        };
        put(Criterion::Obligations, missed);
        // Hazards open past their deadline, or major and open, on the day the year is read
        // at: today for the current year, the year's last day for a past one.
        let bad = if upto < today {
            self.hazards_as_of(s, upto).await?
        } else {
            hazard::Entity::find()
                .filter(hazard::Column::SchoolId.eq(s.id))
                .read_all(&self.read)
                .await?
                .iter()
                .filter(|h| {
                    let open = HazardStatus::parse(&h.status).is_some_and(|st| !st.stops_clock());
                    open && (h.deadline.is_some_and(|d| today > d)
                        || h.level.as_deref() == Some("major"))
                })
                .count() as i64
        };
        put(Criterion::Hazards, bad);
        // Plans overdue for filing on that day.
        let overdue = if upto < today {
            self.plans_overdue_as_of(s, upto, cfg).await?
        } else {
            let plans = self.plans().school_plans(s.id, &cfg.plans).await?;
            plans
                .plans
                .iter()
                .filter(|p| p.filing.is_some_and(|f| f.status == FilingStatus::Overdue))
                .count() as i64
        };
        put(Criterion::Plans, overdue);
        let (_, unreported) = self.governance().unreported(s.id, year).await?;
        put(Criterion::Governance, unreported);
        let gaps = self
            .security()
            .gaps_of(s, &cfg.security_register)
            .await?
            .len() as i64;
        put(Criterion::Security, gaps);
        let incidents = incident::Entity::find()
            .filter(incident::Column::SchoolId.eq(s.id))
            .filter(incident::Column::KnownAt.gte(china_start(first)))
            .filter(incident::Column::KnownAt.lt(china_start(last) + Duration::days(1)))
            .read_all(&self.read)
            .await?;
        let late = incidents.iter().map(|i| i64::from(i.late_reports)).sum();
        put(Criterion::Incidents, late);
        let veto = incidents
            .iter()
            .any(|i| IncidentLevel::parse(&i.level).is_some_and(|l| l != IncidentLevel::General));
        Ok((out, veto))
    }
}

impl StarRatings<'_> {
    /// The school's hazards as they stood at the end of China's day `day`: each hazard
    /// reported by then replayed from its history up to that day (steps on later days left
    /// out), counted when it was open and past its deadline then, or major and open.
    async fn hazards_as_of(&self, s: &org::Model, day: NaiveDate) -> Result<i64> {
        let end = china_start(day) + Duration::days(1);
        let ids: Vec<_> = hazard::Entity::find()
            .filter(hazard::Column::SchoolId.eq(s.id))
            .filter(hazard::Column::ReportedAt.lt(end))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|h| h.id)
            .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let events = hazard_event::Entity::find()
            .filter(hazard_event::Column::HazardId.is_in(ids.iter().copied()))
            .filter(hazard_event::Column::Day.lte(day))
            .order_by_asc(hazard_event::Column::HazardId)
            .order_by_asc(hazard_event::Column::Seq)
            .read_all(&self.read)
            .await?;
        let mut history: HashMap<_, Vec<HistoryEvent>> =
            ids.iter().map(|&i| (i, Vec::new())).collect();
        for e in events {
            let ev: HistoryEvent = serde_json::from_str(&e.event).map_err(Error::internal)?;
            history.entry(e.hazard_id).or_default().push(ev);
        }
        let mut bad = 0;
        for events in history.values() {
            let h = crate::domain::hazard::replay(events).map_err(Error::internal)?;
            if !h.status.stops_clock()
                && (is_overdue(&h, day) || h.level == Some(HazardLevel::Major))
            {
                bad += 1;
            }
        }
        Ok(bad)
    }

    /// The school's plans overdue for filing at the end of `day`: published by then, not
    /// filed by then, past the filing deadline, and not superseded unfiled by then.
    async fn plans_overdue_as_of(
        &self,
        s: &org::Model,
        day: NaiveDate,
        cfg: &Config,
    ) -> Result<i64> {
        let rows = emergency_plan::Entity::find()
            .filter(emergency_plan::Column::OrgId.eq(s.id))
            .filter(emergency_plan::Column::PublishedOn.lte(day))
            .read_all(&self.read)
            .await?;
        let cal = super::calendar::working_calendar(&self.read).await?;
        let n = rows
            .iter()
            .filter(|m| {
                let filed = m.filed_on.filter(|f| *f <= day);
                let superseded = m.superseded_on.is_some_and(|d| d <= day);
                match m.published_on {
                    Some(p) if !(superseded && filed.is_none()) => {
                        filing_status(p, filed, day, &cal, &cfg.plans).status
                            == FilingStatus::Overdue
                    }
                    _ => false,
                }
            })
            .count();
        Ok(n as i64)
    }
}

/// A past year's latest award as the year's rating: its stars, criteria and whether a
/// veto made it (no stars although every criterion was met). The current year is `None`:
/// it is computed.
fn stored(a: &Award, year: i32) -> Option<(u8, Vec<Outcome>, bool)> {
    if year >= crate::clock::today().year() {
        return None;
    }
    let n = u8::try_from(a.stars.clamp(0, 5)).unwrap_or(0);
    let veto = n == 0 && stars(&a.criteria, false) > 0;
    Some((n, a.criteria.clone(), veto))
}

fn award_view(m: star_rating::Model) -> Award {
    Award {
        id: m.id,
        year: m.year,
        stars: m.stars,
        criteria: serde_json::from_str(&m.criteria).unwrap_or_default(),
        note: m.note,
        rated_by_name: m.rated_by_name,
        rated_at: m.rated_at,
    }
}
