//! The incident report form (突发事件信息报告单) for A4.

use super::super::{Chrome, render};
use super::{Q, at, css};
use crate::domain::ids::IncidentId;
use crate::domain::incident::HurtPerson;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::incidents::{IncidentDetail, ReportPersons, ReportView};
use crate::web::ctx::Ctx;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PrintQ {
    #[serde(default)]
    names: String,
}

#[derive(Template)]
#[template(path = "incidents/print.html")]
struct PrintPage {
    c: Chrome,
    css: String,
    d: IncidentDetail,
    persons: Option<Vec<ReportPersons>>,
    printed_at: String,
}

impl PrintPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
    fn first(&self) -> Option<&ReportView> {
        self.d.reports.first()
    }
    fn named(&self, seq: &i32) -> Vec<HurtPerson> {
        self.persons
            .as_ref()
            .and_then(|p| p.iter().find(|x| x.seq == *seq))
            .map(|x| x.persons.clone())
            .unwrap_or_default()
    }
}

/// The incident report form (突发事件信息报告单) for A4; `?names=1` with the people hurt by
/// name (audited, for those allowed).
pub async fn print(ctx: Ctx, Path(id): Path<i64>, q: Q<PrintQ>) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let id = IncidentId(id);
    let cfg = ctx.config().incidents.clone();
    let d = ctx.db().incidents().get(id, &cfg).await?;
    let persons = if q.names.trim().is_empty() {
        None
    } else {
        Some(
            ctx.db_as(Action::IncidentPersons)?
                .incidents()
                .persons(id)
                .await?,
        )
    };
    let mut c = Chrome::for_ctx(&ctx, "incident.form_title", "/incidents");
    c.title = format!("{} · #{}", c.t("incident.form_title"), d.incident.id);
    render(&PrintPage {
        c,
        css: css(),
        d,
        persons,
        printed_at: at(&Utc::now()),
    })
}
