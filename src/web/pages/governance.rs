//! Pages of governance: the concentrated governance actions (the bureau's launch form, each
//! action with its checklist, the schools' results and who has not reported, a school's
//! result form) and the star ratings (the bureau's list, a school's criteria and awards with
//! the award form).

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::governance::ActionKind;
use crate::domain::ids::{GovernanceActionId, OrgId};
use crate::error::Error;
use crate::policy::Action;
use crate::storage::governance::{ActionQuery, GovernanceAction, NewAction, NewResult};
use crate::storage::star_ratings::{AwardInput, RatingRow, RatingSource, StarRating};
use crate::web::ctx::{Ctx, Form, FormPairs};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

fn unprocessable(mut r: Response, failed: bool) -> Response {
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

#[derive(Template)]
#[template(path = "governance/actions.html")]
struct ActionsPage {
    c: Chrome,
    actions: Vec<GovernanceAction>,
    can_launch: bool,
    kinds: Vec<(String, String)>,
    v: LaunchForm,
    errors: FormErrors,
}

async fn actions_page(ctx: &Ctx, v: LaunchForm, errors: FormErrors) -> Result<Response, Error> {
    let actions = ctx
        .db_as(Action::GovernanceView)?
        .governance()
        .list(&ActionQuery::default())
        .await?;
    let c = Chrome::for_ctx(ctx, "governance.title", "/governance-actions");
    let failed = errors.any();
    let kinds = ActionKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.label(k)))
        .collect();
    let page = ActionsPage {
        can_launch: c.can(ctx.actor.role(), Action::GovernanceLaunch)
            && ctx.actor.org_level() != Some(crate::domain::org::OrgLevel::School),
        actions,
        kinds,
        v,
        errors,
        c,
    };
    Ok(unprocessable(render(&page)?, failed))
}

pub async fn actions(ctx: Ctx) -> Result<Response, Error> {
    actions_page(&ctx, LaunchForm::default(), FormErrors::default()).await
}

/// The bureau's launch form: the checklist one item a line, every school below the bureau.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LaunchForm {
    kind: String,
    title: String,
    targets: String,
    starts_on: String,
    ends_on: String,
    checklist: String,
}

fn date(field: &str, v: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| Error::field(field, "err.governance.date"))
}

pub async fn launch(ctx: Ctx, Form(f): Form<LaunchForm>) -> Result<Response, Error> {
    let res: Result<GovernanceAction, Error> = async {
        let kind = ActionKind::parse(f.kind.trim())
            .ok_or_else(|| Error::field("kind", "err.governance.kind"))?;
        let input = NewAction {
            org_id: None,
            kind,
            title: f.title.clone(),
            targets: f.targets.clone(),
            starts_on: date("starts_on", &f.starts_on)?,
            ends_on: date("ends_on", &f.ends_on)?,
            checklist: f
                .checklist
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            school_ids: None,
        };
        ctx.db().governance().launch(input).await
    }
    .await;
    match res {
        Ok(a) => Ok(see_other(&format!("/governance-actions/{}", a.id))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => actions_page(&ctx, f, errors).await,
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "governance/action.html")]
struct ActionPage {
    c: Chrome,
    a: GovernanceAction,
    /// The caller's school when the action covers it and the caller may report.
    reporter: Option<OrgId>,
    /// A refused result as typed (shown again with its errors).
    v: Option<ResultValues>,
    errors: FormErrors,
}

/// A result form as typed.
#[derive(Default, Clone)]
struct ResultValues {
    ticked: Vec<usize>,
    found: String,
    fixed: String,
    summary: String,
}

impl ActionPage {
    /// Whether the reporting school ticked checklist item `i` (as typed, or in its result
    /// so far).
    fn ticked(&self, i: &usize) -> bool {
        if let Some(v) = &self.v {
            return v.ticked.contains(i);
        }
        self.a
            .results
            .iter()
            .find(|r| Some(r.school.id) == self.reporter)
            .and_then(|r| r.checks.get(*i).copied())
            .unwrap_or(false)
    }
    fn typed(&self, field: &str) -> String {
        let Some(v) = &self.v else {
            return if field == "summary" {
                String::new()
            } else {
                "0".into()
            };
        };
        match field {
            "found" => v.found.clone(),
            "fixed" => v.fixed.clone(),
            _ => v.summary.clone(),
        }
    }
    fn done_count(&self, r: &[bool]) -> usize {
        r.iter().filter(|b| **b).count()
    }
}

async fn action_page(
    ctx: &Ctx,
    id: i64,
    v: Option<ResultValues>,
    errors: FormErrors,
) -> Result<Response, Error> {
    let a = ctx
        .db_as(Action::GovernanceView)?
        .governance()
        .get(GovernanceActionId(id))
        .await?;
    let mut c = Chrome::for_ctx(ctx, "governance.title", "/governance-actions");
    c.title = a.title.clone();
    let reporter = ctx.actor.org_id().filter(|o| {
        c.can(ctx.actor.role(), Action::GovernanceReport) && a.schools.iter().any(|s| s.id == *o)
    });
    let failed = errors.any();
    Ok(unprocessable(
        render(&ActionPage {
            c,
            a,
            reporter,
            v,
            errors,
        })?,
        failed,
    ))
}

pub async fn action(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    action_page(&ctx, id, None, FormErrors::default()).await
}

/// A school's result form: a checkbox per checklist item (`check` = its index), the counts
/// and the summary.
pub async fn report(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let first = |k: &str| p.all(k).first().cloned().unwrap_or_default();
    let typed = ResultValues {
        ticked: p
            .all("check")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect(),
        found: first("found"),
        fixed: first("fixed"),
        summary: first("summary"),
    };
    let res: Result<(), Error> = async {
        let a = ctx
            .db_as(Action::GovernanceView)?
            .governance()
            .get(GovernanceActionId(id))
            .await?;
        let ticked: Vec<usize> = p
            .all("check")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect();
        let num = |k: &str| -> Result<i32, Error> {
            let v = p
                .all(k)
                .first()
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            if v.is_empty() {
                return Ok(0);
            }
            v.parse()
                .map_err(|_| Error::field(k, "err.governance.count"))
        };
        let input = NewResult {
            school_id: None,
            checks: (0..a.checklist.len())
                .map(|i| ticked.contains(&i))
                .collect(),
            found: num("found")?,
            fixed: num("fixed")?,
            summary: p.all("summary").first().cloned().unwrap_or_default(),
        };
        ctx.db()
            .governance()
            .report(GovernanceActionId(id), input)
            .await
            .map(drop)
    }
    .await;
    match res {
        Ok(()) => Ok(see_other(&format!("/governance-actions/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => action_page(&ctx, id, Some(typed), errors).await,
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "governance/ratings.html")]
struct RatingsPage {
    c: Chrome,
    year: i32,
    rows: Vec<RatingRow>,
}

impl RatingsPage {
    fn stars(&self, n: &u8) -> String {
        star_text(i32::from(*n))
    }
    fn awarded(&self, r: &RatingRow) -> bool {
        r.source == RatingSource::Awarded
    }
}

fn star_text(n: i32) -> String {
    let n = n.clamp(0, 5) as usize;
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// Which year a ratings page shows.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

fn year_of(q: &YearQuery) -> Result<i32, Error> {
    match q.year.trim() {
        "" => Ok(crate::clock::today().year()),
        y => y
            .parse()
            .map_err(|_| Error::field("year", "err.governance.year")),
    }
}

pub async fn ratings(
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<YearQuery>,
) -> Result<Response, Error> {
    let year = year_of(&q)?;
    let cfg = ctx.config();
    let rows = ctx.db().star_ratings().list(Some(year), cfg).await?;
    let c = Chrome::for_ctx(&ctx, "stars.title", "/star-ratings");
    render(&RatingsPage { c, year, rows })
}

#[derive(Template)]
#[template(path = "governance/rating.html")]
struct RatingPage {
    c: Chrome,
    r: StarRating,
    can_award: bool,
    errors: FormErrors,
}

impl RatingPage {
    fn stars(&self, n: &i32) -> String {
        star_text(*n)
    }
    fn computed(&self) -> String {
        star_text(i32::from(self.r.stars))
    }
    fn awarded(&self) -> bool {
        self.r.source == RatingSource::Awarded
    }
    fn source(&self) -> &'static str {
        if self.awarded() {
            "awarded"
        } else {
            "computed"
        }
    }
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::china_time(t)
    }
}

async fn rating_page(
    ctx: &Ctx,
    school: i64,
    year: i32,
    errors: FormErrors,
) -> Result<Response, Error> {
    let cfg = ctx.config();
    let r = ctx
        .db_as(Action::StarRatingView)?
        .star_ratings()
        .rating(OrgId(school), Some(year), cfg)
        .await?;
    let mut c = Chrome::for_ctx(ctx, "stars.title", "/star-ratings");
    c.title = format!("{} · {}", c.t("stars.title"), r.school.name);
    let failed = errors.any();
    Ok(unprocessable(
        render(&RatingPage {
            can_award: c.can(ctx.actor.role(), Action::StarRatingAward),
            c,
            r,
            errors,
        })?,
        failed,
    ))
}

pub async fn rating(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<YearQuery>,
) -> Result<Response, Error> {
    let year = year_of(&q)?;
    rating_page(&ctx, id, year, FormErrors::default()).await
}

/// The award form: the year shown and a note.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AwardForm {
    year: String,
    note: String,
}

pub async fn award(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AwardForm>,
) -> Result<Response, Error> {
    let year = year_of(&YearQuery {
        year: f.year.clone(),
    })
    .unwrap_or(0);
    let cfg = ctx.config();
    let res = ctx
        .db()
        .star_ratings()
        .award(OrgId(id), AwardInput { year, note: f.note }, cfg)
        .await;
    match res {
        Ok(r) => Ok(see_other(&format!(
            "/schools/{id}/star-rating?year={}",
            r.year
        ))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => {
                let shown = if (2000..=2100).contains(&year) {
                    year
                } else {
                    crate::clock::today().year()
                };
                rating_page(&ctx, id, shown, errors).await
            }
            None => Err(e),
        },
    }
}
