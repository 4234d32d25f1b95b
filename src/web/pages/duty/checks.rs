//! The duty officer's check-in (one tap, from the list or the school's page), the bureau's
//! phone spot check (a form on the board) and its correction (a form in the check's row), and
//! a unit's roster as a page that prints on A4.

use super::{Chrome, FormErrors, board_view, css, render, see_other};
use crate::domain::calendar::china_instant;
use crate::domain::duty::RosterDay;
use crate::domain::ids::{DutyPeriodId, DutySpotCheckId, OrgId};
use crate::error::{Error, FieldError};
use crate::policy::Action;
use crate::storage::duty::{DutyPeriodView, NewCheckIn, NewSpotCheck, Roster, SpotCheckCorrection};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

/// The duty officer of the caller's school checks in for today; back to the board.
pub async fn check_in(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    // The period (404), then the role (403), then the caller's own unit.
    ctx.db().duty().check_period(DutyPeriodId(id)).await?;
    let school = ctx.actor.org_id().ok_or(Error::NotFound)?;
    ctx.db()
        .duty()
        .check_in(
            DutyPeriodId(id),
            NewCheckIn {
                school_id: school.0,
            },
        )
        .await?;
    Ok(see_other(&format!("/duty/{id}#check-ins")))
}

/// The spot-check form on the board.
#[derive(Deserialize, Default, Clone)]
pub struct SpotForm {
    #[serde(default)]
    pub(super) school_id: String,
    #[serde(default)]
    pub(super) called_at: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) answered: String,
    #[serde(default)]
    pub(super) called_back_at: String,
    #[serde(default)]
    pub(super) note: String,
}

/// A `datetime-local` value (China time), if given.
fn local(v: &str, field: &str, errs: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
    {
        Ok(t) => Some(china_instant(t.date(), t.time())),
        Err(_) => {
            errs.push(FieldError::new(field, "err.duty.datetime"));
            None
        }
    }
}

/// The bureau records a phone spot check; a refused one is shown again on the board.
pub async fn spot_check(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<SpotForm>,
) -> Result<Response, Error> {
    let period = DutyPeriodId(id);
    let mut errs = Vec::new();
    let school: Option<i64> = v.school_id.trim().parse().ok();
    let called_at = local(&v.called_at, "called_at", &mut errs);
    let called_back_at = local(&v.called_back_at, "called_back_at", &mut errs);
    let res = match school {
        Some(school_id) if errs.is_empty() => {
            let cfg = ctx.config().duty;
            let input = NewSpotCheck {
                school_id,
                called_at,
                phone: Some(v.phone.clone()).filter(|s| !s.trim().is_empty()),
                answered: v.answered.trim() == "1",
                called_back_at,
                note: Some(v.note.clone()),
            };
            ctx.db()
                .duty()
                .spot_check(period, input, &cfg)
                .await
                .map(drop)
        }
        _ => {
            ctx.db().duty().check_period(period).await?;
            if school.is_none() {
                errs.push(FieldError::new("school_id", "err.required"));
            }
            Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: errs,
            })
        }
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/duty/{id}#spot-checks"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => board_view(&ctx, id, None, v, fe).await,
            None => Err(e),
        },
    }
}

/// A spot check's correction form, in its row on the board.
#[derive(Deserialize, Default, Clone)]
pub struct CorrectForm {
    #[serde(default)]
    answered: String,
    #[serde(default)]
    called_back_at: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
}

/// The bureau corrects a spot check from the board; refused, the board again with the reason.
pub async fn correct_spot_check(
    ctx: Ctx,
    Path((id, check)): Path<(i64, i64)>,
    Form(v): Form<CorrectForm>,
) -> Result<Response, Error> {
    let period = DutyPeriodId(id);
    let mut errs = Vec::new();
    let called_back_at = local(&v.called_back_at, "called_back_at", &mut errs);
    let res = if errs.is_empty() {
        let cfg = ctx.config().duty;
        let input = SpotCheckCorrection {
            answered: v.answered.trim() == "1",
            called_back_at,
            called_at: None,
            phone: None,
            note: Some(v.note.clone()),
            reason: v.reason.clone(),
        };
        ctx.db()
            .duty()
            .correct_spot_check(period, DutySpotCheckId(check), input, &cfg)
            .await
            .map(drop)
    } else {
        ctx.db().duty().check_period(period).await?;
        Err(Error::Validation {
            message: "err.invalid_input".into(),
            fields: errs,
        })
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/duty/{id}#spot-checks"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => board_view(&ctx, id, None, SpotForm::default(), fe).await,
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "duty/roster.html")]
struct RosterPage {
    c: Chrome,
    css: String,
    period: DutyPeriodView,
    roster: Roster,
    /// Every day of the period with the roster's day, if any.
    days: Vec<(NaiveDate, Option<RosterDay>)>,
}

impl RosterPage {
    fn no_leader(&self, date: &NaiveDate) -> bool {
        self.roster.without_leader.contains(date)
    }
    fn when(&self) -> String {
        self.roster
            .submitted_at
            .as_ref()
            .map(super::china_time)
            .unwrap_or_else(|| "—".into())
    }
}

/// A unit's roster for print (A4): a row per day with the leader, the officers, their phones
/// and the duty phone; days uncovered or without a leader marked.
pub async fn roster_print(
    ctx: Ctx,
    Path((id, school)): Path<(i64, i64)>,
) -> Result<Response, Error> {
    let db = ctx.db_as(Action::DutyView)?;
    let period_id = DutyPeriodId(id);
    let roster = db.duty().roster(period_id, OrgId(school)).await?;
    let period = db.duty().get(period_id).await?;
    let range = crate::domain::calendar::DateRange {
        first: period.first,
        last: period.last,
    };
    let days = range
        .days()
        .map(|d| (d, roster.days.iter().find(|x| x.date == d).cloned()))
        .collect();
    let mut c = Chrome::for_ctx(&ctx, "duty.roster", "/duty");
    c.title = format!("{} · {}", c.t("duty.roster"), roster.school.name);
    render(&RosterPage {
        c,
        css: css(),
        period,
        roster,
        days,
    })
}
