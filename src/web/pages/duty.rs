//! Pages: holiday duty. `/duty` lists the periods (the bureau sets one up there; a school
//! files today's zero report from there in one tap), `/duty/{id}` is a period's daily board,
//! `/duty/{id}/report` the school's page: today's report (one button when nothing happened,
//! or what happened and the incidents reported), the duty officer's check-in and its roster,
//! one row per day with its leader and officers, usable on a phone. The board and a unit's
//! roster (`/duty/{id}/rosters/{school_id}`) print on A4; the bureau records its phone spot
//! checks on the board ([`checks`]).

use super::{Chrome, FormErrors, china_time, render, see_other};
use crate::domain::Code;
use crate::domain::duty::{DutyPerson, ReportStatus, RosterDay};
use crate::domain::ids::{DutyPeriodId, OrgId};
use crate::error::Error;
use crate::policy::Action;
use crate::storage::duty::{
    DutyPeriodView, NewDutyPeriod, NewReport, Roster, RosterInput, ZeroBoardQuery,
};
use crate::storage::incidents::IncidentRef;
use crate::web::ctx::{Ctx, Form, FormPairs};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

mod board;
mod checks;
pub use board::board;
use board::board_view;
pub use checks::{check_in, correct_spot_check, roster_print, spot_check};

/// The duty pages' stylesheet (print on A4).
fn css() -> String {
    crate::web::assets::url("duty.css")
}

fn today() -> NaiveDate {
    crate::storage::risk_points::today()
}

fn refused(mut r: Response) -> Response {
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// The chip class of a report status.
fn class(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Missing => "g-red",
        ReportStatus::Late => "g-orange",
        ReportStatus::Open => "g-none",
        ReportStatus::OnTime => "g-blue",
    }
}

// ---------------------------------------------------------------------------------------
// The periods.

#[derive(Deserialize, Default)]
pub struct PeriodForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    first: String,
    #[serde(default)]
    last: String,
    #[serde(default)]
    cutoff: String,
}

#[derive(Template)]
#[template(path = "duty/list.html")]
struct ListPage {
    c: Chrome,
    css: String,
    periods: Vec<DutyPeriodView>,
    can_plan: bool,
    can_report: bool,
    can_check_in: bool,
    today: NaiveDate,
    v: PeriodForm,
    errors: FormErrors,
}

impl ListPage {
    fn running(&self, p: &DutyPeriodView) -> bool {
        p.first <= self.today && self.today <= p.last
    }
}

async fn list_page(ctx: &Ctx, v: PeriodForm, errors: FormErrors) -> Result<Response, Error> {
    let periods = ctx.db_as(Action::DutyView)?.duty().list().await?;
    let c = Chrome::for_ctx(ctx, "duty.title", "/duty");
    let failed = errors.any();
    let role = ctx.actor.role();
    let r = render(&ListPage {
        css: css(),
        can_plan: c.can(role, Action::DutyPlan),
        can_report: c.can(role, Action::DutySubmit),
        can_check_in: c.can(role, Action::DutyCheckIn),
        c,
        periods,
        today: today(),
        v,
        errors,
    })?;
    Ok(if failed { refused(r) } else { r })
}

pub async fn list(ctx: Ctx) -> Result<Response, Error> {
    list_page(&ctx, PeriodForm::default(), FormErrors::default()).await
}

fn date_or_field(v: &str, field: &str, errs: &mut Vec<crate::error::FieldError>) -> NaiveDate {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
        errs.push(crate::error::FieldError::new(field, "err.duty.date"));
        today()
    })
}

/// The bureau sets up a period for every school below it.
pub async fn create(ctx: Ctx, Form(v): Form<PeriodForm>) -> Result<Response, Error> {
    let mut errs = Vec::new();
    let first = date_or_field(&v.first, "first", &mut errs);
    let last = date_or_field(&v.last, "last", &mut errs);
    let cutoff = match v.cutoff.trim() {
        "" => None,
        t => NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .map_err(|_| errs.push(crate::error::FieldError::new("cutoff", "err.duty.time")))
            .ok(),
    };
    let res = if errs.is_empty() {
        let input = NewDutyPeriod {
            org_id: None,
            name: v.name.clone(),
            first,
            last,
            cutoff,
            school_ids: None,
        };
        let cfg = ctx.config().duty;
        ctx.db().duty().create(input, &cfg).await
    } else {
        Err(Error::Validation {
            message: "err.invalid_input".into(),
            fields: errs,
        })
    };
    match res {
        Ok(p) => Ok(see_other(&format!("/duty/{}", p.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => list_page(&ctx, v, fe).await,
            None => Err(e),
        },
    }
}

// ---------------------------------------------------------------------------------------
// The school's page: today's report and the roster.

#[derive(Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    zero: String,
    #[serde(default)]
    incidents: String,
    #[serde(default)]
    date: String,
}

#[derive(Template)]
#[template(path = "duty/report.html")]
struct ReportPage {
    c: Chrome,
    css: String,
    can_check_in: bool,
    /// The school's open and recent incidents, which the report may name.
    incidents: Vec<IncidentRef>,
    period: DutyPeriodView,
    roster: Roster,
    /// Today's (or the board date's) row of the school.
    status: ReportStatus,
    submitted_at: Option<DateTime<Utc>>,
    date: NaiveDate,
    due: String,
    /// One row per day of the period: (date, the roster's day if any).
    days: Vec<(NaiveDate, Option<RosterDay>)>,
    v: ReportForm,
    errors: FormErrors,
}

impl ReportPage {
    fn class(&self) -> &'static str {
        class(self.status)
    }
    fn when(&self) -> String {
        self.submitted_at
            .as_ref()
            .map(china_time)
            .unwrap_or_else(|| "—".into())
    }
    fn leader_name(&self, d: &Option<RosterDay>) -> String {
        person(d, |d| d.leader.as_ref(), |p| p.name.clone())
    }
    fn leader_phone(&self, d: &Option<RosterDay>) -> String {
        person(d, |d| d.leader.as_ref(), |p| p.phone.clone())
    }
    fn officer_name(&self, d: &Option<RosterDay>) -> String {
        person(d, |d| d.officers.first(), |p| p.name.clone())
    }
    fn officer_phone(&self, d: &Option<RosterDay>) -> String {
        person(d, |d| d.officers.first(), |p| p.phone.clone())
    }
    /// The day's further officers, and one blank row for another.
    fn more_officers(&self, d: &Option<RosterDay>) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = d
            .as_ref()
            .map(|d| {
                d.officers
                    .iter()
                    .skip(1)
                    .map(|p| (p.name.clone(), p.phone.clone()))
                    .collect()
            })
            .unwrap_or_default();
        v.push((String::new(), String::new()));
        v
    }
    fn incident_label(&self, i: &IncidentRef) -> String {
        format!(
            "#{} {} · {} · {}",
            i.id,
            self.c.t(&i.incident_type.label_key()),
            china_time(&i.known_at),
            i.place
        )
    }
    fn duty_phone(&self, d: &Option<RosterDay>) -> String {
        d.as_ref()
            .and_then(|d| d.duty_phone.clone())
            .unwrap_or_default()
    }
    fn no_leader(&self, date: &NaiveDate) -> bool {
        self.roster.without_leader.contains(date)
    }
}

fn person(
    d: &Option<RosterDay>,
    pick: impl Fn(&RosterDay) -> Option<&DutyPerson>,
    field: impl Fn(&DutyPerson) -> String,
) -> String {
    d.as_ref()
        .and_then(|d| pick(d).map(&field))
        .unwrap_or_default()
}

/// The school the caller reports for: its own (only a school's people submit).
fn own_school(ctx: &Ctx) -> Result<OrgId, Error> {
    ctx.actor.org_id().ok_or(Error::NotFound)
}

async fn report_view(
    ctx: &Ctx,
    id: DutyPeriodId,
    v: ReportForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    ctx.db().duty().check_period(id).await?;
    let school = own_school(ctx)?;
    let db = ctx.db_as(Action::DutyView)?;
    let roster = db.duty().roster(id, school).await?;
    let b = db
        .duty()
        .board(&ZeroBoardQuery {
            period_id: id.0,
            date: None,
        })
        .await?;
    let row = b.schools.iter().find(|r| r.school.id == school);
    let range = crate::domain::calendar::DateRange {
        first: b.period.first,
        last: b.period.last,
    };
    let days = range
        .days()
        .map(|d| (d, roster.days.iter().find(|x| x.date == d).cloned()))
        .collect();
    let incidents = ctx
        .db_as(Action::IncidentView)?
        .incidents()
        .recent_of_school(school, 7)
        .await?;
    let c = Chrome::for_ctx(ctx, "duty.report", "/duty");
    let failed = errors.any();
    let r = render(&ReportPage {
        css: css(),
        can_check_in: c.can(ctx.actor.role(), Action::DutyCheckIn),
        incidents,
        status: row.map(|r| r.status).unwrap_or(ReportStatus::Open),
        submitted_at: row.and_then(|r| r.submitted_at),
        due: china_time(&b.due_at),
        date: b.date,
        period: b.period,
        c,
        roster,
        days,
        v,
        errors,
    })?;
    Ok(if failed { refused(r) } else { r })
}

pub async fn report_page(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    report_view(
        &ctx,
        DutyPeriodId(id),
        ReportForm::default(),
        FormErrors::default(),
    )
    .await
}

/// Files the school's report (the date is today unless the form names one).
pub async fn report(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let one = |k: &str| p.all(k).into_iter().next().unwrap_or_default();
    let v = ReportForm {
        zero: one("zero"),
        incidents: one("incidents"),
        date: one("date"),
    };
    let id = DutyPeriodId(id);
    ctx.db().duty().check_period(id).await?;
    let school = own_school(&ctx)?;
    let date = match v.date.trim() {
        "" => today(),
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                let fe = FormErrors::from_error(&Error::field("date", "err.duty.date"), ctx.lang)
                    .unwrap_or_default();
                return report_view(&ctx, id, v, fe).await;
            }
        },
    };
    let input = NewReport {
        school_id: school.0,
        date,
        zero: !v.zero.trim().is_empty(),
        incidents: Some(v.incidents.clone()).filter(|s| !s.trim().is_empty()),
        incident_ids: p
            .all("incident_id")
            .iter()
            .filter_map(|i| i.trim().parse().ok())
            .collect(),
    };
    match ctx.db().duty().report(id, input).await {
        Ok(_) => Ok(see_other(&format!("/duty/{id}/report"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => report_view(&ctx, id, v, fe).await,
            None => Err(e),
        },
    }
}

/// The roster form: one row per day (leader, officers, the duty phone); a row without an
/// officer's name leaves the day uncovered.
pub async fn roster(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let id = DutyPeriodId(id);
    ctx.db().duty().check_period(id).await?;
    let school = own_school(&ctx)?;
    let col = |k: &str| p.all(k);
    let (dates, ln, lp, on, op, dp) = (
        col("date"),
        col("leader_name"),
        col("leader_phone"),
        col("officer_name"),
        col("officer_phone"),
        col("duty_phone"),
    );
    let at = |v: &Vec<String>, i: usize| v.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
    let who = |name: String, phone: String| {
        (!name.is_empty() || !phone.is_empty()).then_some(DutyPerson {
            name,
            phone,
            user_id: None,
        })
    };
    let mut days = Vec::new();
    for (i, d) in dates.iter().enumerate() {
        let Ok(date) = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") else {
            continue;
        };
        let mut officers: Vec<DutyPerson> = who(at(&on, i), at(&op, i)).into_iter().collect();
        // Further officers of the day: `more_name.<date>` / `more_phone.<date>`, in pairs.
        let (mn, mp) = (
            col(&format!("more_name.{date}")),
            col(&format!("more_phone.{date}")),
        );
        for j in 0..mn.len().max(mp.len()) {
            officers.extend(who(at(&mn, j), at(&mp, j)));
        }
        let leader = who(at(&ln, i), at(&lp, i));
        if officers.is_empty() && leader.is_none() {
            continue;
        }
        days.push(RosterDay {
            date,
            leader,
            officers,
            duty_phone: Some(at(&dp, i)).filter(|s| !s.is_empty()),
        });
    }
    match ctx
        .db()
        .duty()
        .put_roster(id, school, RosterInput { days })
        .await
    {
        Ok(_) => Ok(see_other(&format!("/duty/{id}/report"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => report_view(&ctx, id, ReportForm::default(), fe).await,
            None => Err(e),
        },
    }
}
