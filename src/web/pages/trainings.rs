//! Page: who of a training group has had the year's training (`/trainings/compliance`), the
//! untrained first, with the group and year to choose.

use super::{Chrome, render};
use crate::domain::Code;
use crate::domain::work_plan::TrainingGroup;
use crate::error::Error;
use crate::storage::training_attendance::{ComplianceQuery, TrainingCompliance};
use crate::web::ctx::Ctx;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "work_plan/training_compliance.html")]
struct CompliancePage {
    c: Chrome,
    r: TrainingCompliance,
    groups: Vec<(String, String)>,
    org_id: String,
}

/// The page's filters, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Filters {
    org_id: String,
    year: String,
    group: String,
}

pub async fn compliance(ctx: Ctx, Query(f): Query<Filters>) -> Result<Response, Error> {
    let group = match f.group.trim() {
        "" => TrainingGroup::Guards,
        g => TrainingGroup::parse(g).ok_or_else(|| Error::field("group", "err.training.group"))?,
    };
    let year = match f.year.trim() {
        "" => crate::clock::today().year(),
        y => y
            .parse()
            .map_err(|_| Error::field("year", "err.governance.year"))?,
    };
    let org_id = match f.org_id.trim() {
        "" => None,
        o => Some(
            o.parse()
                .map_err(|_| Error::field("org_id", "err.not_found"))?,
        ),
    };
    let r = ctx
        .db()
        .work_records()
        .training_compliance(&ComplianceQuery {
            org_id,
            year: Some(year),
            group,
        })
        .await?;
    let c = Chrome::for_ctx(&ctx, "training.compliance", "/compliance");
    let groups = TrainingGroup::ALL
        .iter()
        .map(|g| (g.as_str().to_string(), c.label(g)))
        .collect();
    render(&CompliancePage {
        org_id: r.org.id.to_string(),
        c,
        r,
        groups,
    })
}
