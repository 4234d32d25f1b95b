//! A period's daily board (the bureau's daily zero-report summary, printable on A4), with its
//! phone spot checks (each with its corrections and the form to correct it) and the form to
//! record one.

use super::checks::SpotForm;
use super::{Chrome, FormErrors, Q, class, css, refused, render};
use crate::domain::Code;
use crate::domain::duty::ReportStatus;
use crate::domain::ids::{DutyPeriodId, OrgId};
use crate::error::Error;
use crate::policy::Action;
use crate::storage::duty::{DayQuery, SpotCheck, ZeroBoard, ZeroBoardQuery};
use crate::web::ctx::Ctx;
use crate::web::pages::china_time;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "duty/board.html")]
struct BoardPage {
    c: Chrome,
    css: String,
    b: ZeroBoard,
    can_report: bool,
    can_spot_check: bool,
    spots: Vec<SpotCheck>,
    v: SpotForm,
    errors: FormErrors,
    now_local: String,
}

impl BoardPage {
    fn class(&self, s: &ReportStatus) -> &'static str {
        class(*s)
    }
    fn status(&self, s: &ReportStatus) -> String {
        self.c.t(&s.label_key())
    }
    fn when(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(china_time).unwrap_or_else(|| "—".into())
    }
    fn due(&self) -> String {
        china_time(&self.b.due_at)
    }
    fn at(&self, t: &DateTime<Utc>) -> String {
        china_time(t)
    }
    fn spot_class(&self, s: &SpotCheck) -> &'static str {
        if s.passed { "g-blue" } else { "g-red" }
    }
    fn is(&self, v: &str, code: &str) -> bool {
        v == code
    }
    fn picked(&self, school: &OrgId) -> bool {
        self.v.school_id.trim() == school.to_string()
    }
    /// A `datetime-local` value (China time) of an instant, empty for none.
    fn local(&self, t: &Option<DateTime<Utc>>) -> String {
        t.map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
    }
}

pub async fn board(ctx: Ctx, Path(id): Path<i64>, q: Q<BoardDate>) -> Result<Response, Error> {
    let date = q
        .map(|Query(v)| v.date)
        .map_err(|e| Error::validation(e.body_text()))?;
    board_view(&ctx, id, date, SpotForm::default(), FormErrors::default()).await
}

/// The board of a date, with the bureau's spot-check form (shown again, 422, when refused).
pub(super) async fn board_view(
    ctx: &Ctx,
    id: i64,
    date: Option<NaiveDate>,
    v: SpotForm,
    errors: FormErrors,
) -> Result<Response, Error> {
    let db = ctx.db_as(Action::DutyView)?;
    let b = db
        .duty()
        .board(&ZeroBoardQuery {
            period_id: id,
            date,
        })
        .await?;
    let spots = db
        .duty()
        .spot_checks(
            DutyPeriodId(id),
            &DayQuery {
                date: Some(b.date),
                school_id: None,
            },
        )
        .await?;
    let c = Chrome::for_ctx(ctx, "duty.board", "/duty");
    let role = ctx.actor.role();
    let failed = errors.any();
    let r = render(&BoardPage {
        css: css(),
        can_report: c.can(role, Action::DutySubmit),
        can_spot_check: c.can(role, Action::DutySpotCheck),
        now_local: local_now(),
        c,
        b,
        spots,
        v,
        errors,
    })?;
    Ok(if failed { refused(r) } else { r })
}

/// Now as a `datetime-local` value, China time.
fn local_now() -> String {
    (Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardDate {
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    date: Option<NaiveDate>,
}
