//! Cross-inspections: rounds, pairs, one assignment and the assigned inspector's form.

use super::date_field;
use super::form::{FormState, form_page, form_rows, submit_form};
use crate::domain::ids::{CrossAssignmentId, OrgId, UserId};
use crate::error::Error;
use crate::storage::inspections::{
    CrossAssignment, CrossPair, InspectorChoice, Kind, NewCrossRound,
};
use crate::storage::views::OrgRef;
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::pages::{Chrome, FormErrors, render, see_other};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use chrono::Duration;

// ---------------------------------------------------------------------------------------
// Cross-inspections.

#[derive(Template)]
#[template(path = "inspections/cross.html")]
struct CrossPage {
    c: Chrome,
    rows: Vec<CrossAssignment>,
    can_plan: bool,
}

pub async fn cross(ctx: Ctx) -> Result<Response, Error> {
    let rows = ctx.db().inspections().list_cross().await?;
    render(&CrossPage {
        c: Chrome::for_ctx(&ctx, "cross.title", "/inspections"),
        rows,
        can_plan: crate::policy::allows(ctx.actor.role(), crate::policy::Action::InspectionPlan),
    })
}

/// How many pairs the round form offers.
const PAIRS: usize = 6;

#[derive(Template)]
#[template(path = "inspections/cross_new.html")]
struct CrossNewPage {
    c: Chrome,
    schools: Vec<OrgRef>,
    inspectors: Vec<InspectorChoice>,
    round_name: String,
    starts_on: String,
    ends_on: String,
    /// (inspector, target) chosen per pair row.
    pairs: Vec<(String, String)>,
    errors: FormErrors,
}

impl CrossNewPage {
    fn pair_error(&self, i: &usize) -> String {
        let a = self.errors.get(&format!("pairs[{i}].inspector_user_id"));
        let b = self.errors.get(&format!("pairs[{i}].target_school_id"));
        format!("{a} {b}").trim().to_string()
    }
}

pub async fn cross_new(ctx: Ctx) -> Result<Response, Error> {
    let db = ctx.db();
    let schools = db.inspections().plan_schools().await?;
    let inspectors = db.inspections().plan_inspectors().await?;
    let today = crate::storage::risk_points::today();
    render(&CrossNewPage {
        c: Chrome::for_ctx(&ctx, "cross.new", "/inspections"),
        schools,
        inspectors,
        round_name: String::new(),
        starts_on: today.to_string(),
        ends_on: (today + Duration::days(14)).to_string(),
        pairs: vec![(String::new(), String::new()); PAIRS],
        errors: FormErrors::default(),
    })
}

pub async fn cross_create(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let db = ctx.db();
    let schools = db.inspections().plan_schools().await?;
    let inspectors = db.inspections().plan_inspectors().await?;
    let c = Chrome::for_ctx(&ctx, "cross.new", "/inspections");
    let mut errors = FormErrors::default();
    let round_name = value(&p, "round_name");
    let starts = value(&p, "starts_on");
    let ends = value(&p, "ends_on");
    let starts_on = date_field(&starts, "starts_on", &c, &mut errors);
    let ends_on = date_field(&ends, "ends_on", &c, &mut errors);
    let raw: Vec<(String, String)> = (0..PAIRS)
        .map(|i| {
            (
                value(&p, &format!("inspector_{i}")),
                value(&p, &format!("target_{i}")),
            )
        })
        .collect();
    // Only filled rows are pairs; their index in the request follows the form rows kept.
    let filled: Vec<usize> = (0..PAIRS)
        .filter(|i| !raw[*i].0.is_empty() || !raw[*i].1.is_empty())
        .collect();
    let mut pairs = Vec::new();
    for i in &filled {
        match (raw[*i].0.parse::<i64>(), raw[*i].1.parse::<i64>()) {
            (Ok(u), Ok(s)) => pairs.push(CrossPair {
                inspector_user_id: UserId(u),
                target_school_id: OrgId(s),
            }),
            _ => errors.fields.push((
                format!("pairs[{i}].target_school_id"),
                c.msg("err.required"),
            )),
        }
    }
    if !errors.any() {
        let input = NewCrossRound {
            round_name: round_name.clone(),
            starts_on,
            ends_on,
            pairs,
        };
        match db.inspections().create_cross(&input).await {
            Ok(_) => return Ok(see_other("/cross-inspections")),
            Err(e) => match FormErrors::from_error(&e, ctx.lang) {
                Some(mut fe) => {
                    // Field names count the filled rows: map them back to form rows.
                    for (f, _) in fe.fields.iter_mut() {
                        if let Some(rest) = f.strip_prefix("pairs[")
                            && let Some((n, tail)) = rest.split_once(']')
                            && let Ok(n) = n.parse::<usize>()
                            && let Some(row) = filled.get(n)
                        {
                            *f = format!("pairs[{row}]{tail}");
                        }
                    }
                    errors = fe
                }
                None => return Err(e),
            },
        }
    }
    if errors.general.is_empty() {
        errors.general = c.msg("err.invalid_input");
    }
    super::refused(render(&CrossNewPage {
        c,
        schools,
        inspectors,
        round_name,
        starts_on: starts,
        ends_on: ends,
        pairs: raw,
        errors,
    }))
}

#[derive(Template)]
#[template(path = "inspections/cross_one.html")]
struct CrossOnePage {
    c: Chrome,
    a: CrossAssignment,
    /// The caller is the assigned inspector and has not submitted yet.
    can_inspect: bool,
}

pub async fn cross_one(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let a = ctx
        .db()
        .inspections()
        .get_cross(CrossAssignmentId(id))
        .await?;
    let can_inspect = a.inspector_user_id == ctx.actor.user_id() && a.inspection_id.is_none();
    render(&CrossOnePage {
        c: Chrome::for_ctx(&ctx, "cross.title", "/inspections"),
        a,
        can_inspect,
    })
}

/// The cross-inspection form (for the assigned inspector).
pub async fn cross_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let cl = ctx
        .db()
        .inspections()
        .cross_checklist(CrossAssignmentId(id))
        .await?;
    let c = Chrome::for_ctx(&ctx, "inspection.new", "/inspections");
    let rows = form_rows(&c, &cl);
    let state = FormState::fresh(
        c.label(&Kind::Cross),
        format!("/cross-inspections/{id}/inspect"),
        false,
        Vec::new(),
        rows,
    );
    form_page(&ctx, &cl, state).await
}

pub async fn cross_submit(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let cl = ctx
        .db()
        .inspections()
        .cross_checklist(CrossAssignmentId(id))
        .await?;
    submit_form(
        &ctx,
        cl,
        p.into(),
        format!("/cross-inspections/{id}/inspect"),
        Vec::new(),
        Some(CrossAssignmentId(id)),
    )
    .await
}

fn value(p: &FormPairs, k: &str) -> String {
    p.0.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}
