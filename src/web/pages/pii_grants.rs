//! Pages: the grants to see minors' data whole (`/privacy/grants`): the approver's queue with
//! its approve / refuse / revoke forms, the requester's own requests, and the request form of
//! a route's riders (on the routes page) posting to `/bus-routes/{id}/name-grants`.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::PiiGrantId;
use crate::domain::pii_grant::{GrantAction, GrantState, PiiSubject};
use crate::error::Error;
use crate::storage::pii_grants::{Grant, GrantDecision, GrantFilter, GrantRequest};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "privacy/grants.html")]
struct GrantsPage {
    c: Chrome,
    items: Vec<Grant>,
    total: u64,
    /// The filter shown: `pending`, `active`, `mine` or empty (all).
    tab: String,
    tabs: Vec<(String, String)>,
    errors: FormErrors,
}

impl GrantsPage {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::china_time(t)
    }

    fn role(&self, g: &Grant) -> String {
        crate::domain::role::Role::parse(&g.requester_role)
            .map(|r| self.c.label(&r))
            .unwrap_or_default()
    }

    fn pending(&self, g: &Grant) -> bool {
        g.state == GrantState::Pending
    }

    fn active(&self, g: &Grant) -> bool {
        g.state == GrantState::Active
    }
}

/// The page's filter.
#[derive(Debug, Default, Deserialize)]
pub struct GrantsQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    mine: Option<bool>,
}

async fn page(ctx: &Ctx, q: GrantsQuery, errors: FormErrors) -> Result<Response, Error> {
    let state = GrantState::parse(&q.state).map(|s| s.as_str().to_string());
    let mine = q.mine == Some(true);
    let list = ctx
        .db_as(crate::policy::Action::PiiGrantView)?
        .pii_grants()
        .list(&GrantFilter {
            state: state.clone(),
            mine: Some(mine),
            per_page: Some(crate::storage::views::MAX_PER_PAGE),
            ..Default::default()
        })
        .await?;
    let c = Chrome::for_ctx(ctx, "pii.title", "/privacy/grants");
    let tab = if mine {
        "mine".to_string()
    } else {
        state.unwrap_or_default()
    };
    let tabs = [
        ("", "pii.tab.all"),
        ("pending", "pii.tab.pending"),
        ("active", "pii.tab.active"),
        ("mine", "pii.tab.mine"),
    ]
    .iter()
    .map(|(code, key)| (code.to_string(), c.t(key)))
    .collect();
    let failed = errors.any();
    let mut r = render(&GrantsPage {
        c,
        items: list.items,
        total: list.total,
        tab,
        tabs,
        errors,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The grants of the schools in scope.
pub async fn list(
    ctx: Ctx,
    q: Result<Query<GrantsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Error> {
    // A filter that does not parse shows everything.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    page(&ctx, q, FormErrors::default()).await
}

/// A validation error shown above the list; anything else is the error page.
async fn refused(ctx: &Ctx, e: Error, mine: bool) -> Result<Response, Error> {
    match FormErrors::from_error(&e, ctx.lang) {
        Some(fe) => {
            let q = GrantsQuery {
                state: String::new(),
                mine: Some(mine),
            };
            page(ctx, q, fe).await
        }
        None => Err(e),
    }
}

/// The decision form of a grant.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, Error> {
    let res = match GrantAction::parse(&f.action) {
        Some(action) => {
            ctx.db()
                .pii_grants()
                .decide(
                    PiiGrantId(id),
                    GrantDecision {
                        action,
                        note: f.note,
                    },
                )
                .await
        }
        None => Err(Error::field("action", "err.invalid_input")),
    };
    match res {
        Ok(_) => Ok(see_other(&format!("/privacy/grants#grant-{id}"))),
        Err(e) => refused(&ctx, e, false).await,
    }
}

/// The request form of a route's riders.
#[derive(Debug, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    hours: String,
}

pub async fn request(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RequestForm>,
) -> Result<Response, Error> {
    let max = ctx.config().privacy.unmask_grant_max_hours;
    // Hours that are no number are checked as none, after the route's scope.
    let hours = f.hours.trim().parse::<i64>().unwrap_or(0);
    let res = ctx
        .db()
        .pii_grants()
        .request(
            GrantRequest {
                subject: PiiSubject::BusRiders,
                object_id: id,
                reason: f.reason,
                hours,
            },
            max,
        )
        .await;
    match res {
        Ok(g) => Ok(see_other(&format!(
            "/privacy/grants?mine=true#grant-{}",
            g.id
        ))),
        Err(e) => refused(&ctx, e, true).await,
    }
}
