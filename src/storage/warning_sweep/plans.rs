//! Emergency plans past their dates (domain brief §8): a school's plan published and not
//! filed (备案) by its deadline — [`PlanConfig::filing_working_days`] working days of the
//! calendar in force, counted when the sweep runs, so a calendar edit moves it — raises a
//! warning (rule [`FILING_OVERDUE`], subject `plan:<id>:filing`), cleared once the plan is
//! filed (or the deadline moved past today, or the plan left the lifecycle). A plan in force
//! whose evaluation is due — [`PlanConfig::evaluation_years`] after its publication or last
//! evaluation, or at once when a drill or incident flagged a defect — raises one (rule
//! [`EVALUATION_DUE`], subject `plan:<id>:evaluation:<since>`, `<since>` being the start of
//! the cycle), cleared once the evaluation is recorded (a new cycle starts) or the plan is
//! superseded; starting the evaluation does not clear it. Source `plan`, yellow: the district
//! sees them. A warning closed by a person is not raised again for the same subject. A
//! bureau's own plan (a district's or a city's) warns the same way with the bureau as the
//! warning's org (an org-level subject): the bureau and those above it see it, no school
//! does, and its officers and its channels are told.

use super::super::calendar::working_calendar;
use super::super::emergency_plans::status_of;
use super::super::entity::{emergency_plan as plan, org};
use super::super::warnings::Raise;
use super::checks::Checked;
use crate::domain::Code;
use crate::domain::emergency_plan::{
    FilingStatus, PlanConfig, PlanStatus, evaluation_due, filing_status,
};
use crate::domain::ids::{OrgId, PlanId};
use crate::domain::org::OrgLevel;
use crate::domain::warning::{Level, Source};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{DatabaseConnection, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};

/// The rule code of a plan not filed by its deadline.
pub const FILING_OVERDUE: &str = "plan_filing_overdue";

/// The rule code of a plan whose evaluation is due.
pub const EVALUATION_DUE: &str = "plan_evaluation_due";

/// The level of both (yellow: the district sees them).
pub const LEVEL: Level = Level::Yellow;

/// The subject of a plan's overdue filing.
pub fn filing_subject(id: PlanId) -> String {
    format!("plan:{}:filing", id.0)
}

/// The subject of a plan's due evaluation in the cycle that started on `since` (its
/// publication or its last evaluation).
pub fn evaluation_subject(id: PlanId, since: NaiveDate) -> String {
    format!("plan:{}:evaluation:{since}", id.0)
}

/// The plan of a subject written by [`filing_subject`] or [`evaluation_subject`].
fn plan_of(subject: &str) -> Option<PlanId> {
    let id = subject.strip_prefix("plan:")?.split(':').next()?;
    Some(PlanId(id.parse().ok()?))
}

/// What a plan's warning says and whose it is.
struct Due {
    school: OrgId,
    detail: String,
}

/// The subjects due now, by rule, for the schools' plans.
fn due_now(
    plans: &[plan::Model],
    cal: &crate::domain::calendar::WorkingCalendar,
    cfg: &PlanConfig,
    today: NaiveDate,
) -> (HashMap<String, Due>, HashMap<String, Due>) {
    let mut filing = HashMap::new();
    let mut evaluation = HashMap::new();
    for m in plans {
        let Some(published) = m.published_on else {
            continue;
        };
        let status = status_of(m);
        if status == PlanStatus::Published && m.filed_on.is_none() {
            let f = filing_status(published, None, today, cal, cfg);
            if f.status == FilingStatus::Overdue {
                filing.insert(
                    filing_subject(m.id),
                    Due {
                        school: m.org_id,
                        detail: format!("{} · {}", m.title, f.due_on),
                    },
                );
            }
        }
        if status.is_in_force() {
            let due = evaluation_due(published, m.last_evaluated_on, m.defect_flagged_on, cfg);
            if due <= today {
                let since = m.last_evaluated_on.map_or(published, |e| e.max(published));
                evaluation.insert(
                    evaluation_subject(m.id, since),
                    Due {
                        school: m.org_id,
                        detail: format!("{} · {due}", m.title),
                    },
                );
            }
        }
    }
    (filing, evaluation)
}

pub(super) async fn check(
    conn: &DatabaseConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
    cfg: &PlanConfig,
) -> Result<Checked> {
    let mut out = Checked::default();
    let cal = working_calendar(conn).await?;
    // Schools and bureaus (a district's or a city's own plans).
    let schools: HashSet<OrgId> = org::Entity::find()
        .select_only()
        .column(org::Column::Id)
        .filter(org::Column::Level.is_in([
            OrgLevel::School.as_str(),
            OrgLevel::District.as_str(),
            OrgLevel::City.as_str(),
        ]))
        .into_tuple::<OrgId>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let live = [
        PlanStatus::Published,
        PlanStatus::Filed,
        PlanStatus::InForce,
        PlanStatus::UnderEvaluation,
    ];
    let plans: Vec<plan::Model> = plan::Entity::find()
        .filter(plan::Column::Status.is_in(live.iter().map(|s| s.as_str())))
        .filter(plan::Column::PublishedOn.is_not_null())
        .order_by_asc(plan::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|m| schools.contains(&m.org_id))
        .collect();
    let (filing, evaluation) = due_now(&plans, &cal, cfg, today);
    let filed: HashSet<PlanId> = plans
        .iter()
        .filter(|m| m.filed_on.is_some())
        .map(|m| m.id)
        .collect();
    for (rule, wanted) in [(FILING_OVERDUE, &filing), (EVALUATION_DUE, &evaluation)] {
        // Open warnings whose condition ended are cleared.
        let waiting = super::waiting_subjects(conn, Source::Plan, rule).await?;
        for s in &waiting {
            if wanted.contains_key(s) {
                continue;
            }
            let why = match (rule, plan_of(s)) {
                (FILING_OVERDUE, Some(p)) if filed.contains(&p) => "filed",
                (FILING_OVERDUE, _) => "no longer overdue",
                (_, Some(p)) if plans.iter().any(|m| m.id == p) => "evaluated",
                _ => "no longer in force",
            };
            let cleared = super::clear_alone(conn, Source::Plan, s, rule, now, why).await?;
            out.cleared.extend(cleared);
        }
        // New ones are raised, unless a person closed the subject's warning.
        let waiting: HashSet<String> = waiting.into_iter().collect();
        let closed = super::closed_subjects(conn, Source::Plan, rule).await?;
        let mut subjects: Vec<&String> = wanted.keys().collect();
        subjects.sort();
        for s in subjects {
            if waiting.contains(s) || closed.contains(s) {
                continue;
            }
            let due = &wanted[s];
            let id = super::raise_alone(
                conn,
                Raise {
                    school: due.school,
                    source: Source::Plan,
                    rule: rule.into(),
                    subject: s.clone(),
                    level: LEVEL,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_their_plan() {
        let d: NaiveDate = "2026-03-02".parse().unwrap();
        assert_eq!(filing_subject(PlanId(7)), "plan:7:filing");
        assert_eq!(
            evaluation_subject(PlanId(7), d),
            "plan:7:evaluation:2026-03-02"
        );
        assert_eq!(plan_of("plan:7:evaluation:2026-03-02"), Some(PlanId(7)));
        assert_eq!(plan_of("plan:7:filing"), Some(PlanId(7)));
        assert_eq!(plan_of("school:7:filing"), None);
    }
}
