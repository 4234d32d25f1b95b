//! Pages: warnings (风险预警) — the warnings in scope with the open ones counted by level, and
//! one warning with its history and the steps the reader may take now (acknowledge, dispatch,
//! resolve, false alarm). Both pages follow the live stream of warning changes
//! (`/api/v1/warnings/stream`) through `warnings.js`, which fetches the page again and swaps
//! its `data-live` parts; without the script they are ordinary pages. Beside them: the risk
//! index drilled down ([`risk_index`]) and the bureau's notification channels with their
//! delivery log ([`channels`]).

use super::{Chrome, FormErrors, china_time, render, see_other};
use crate::domain::Code;
use crate::domain::ids::WarningId;
use crate::domain::org::OrgLevel;
use crate::domain::warning::{self, Level, Metric, OFFLINE_RULE, Source, Status, StepKind};
use crate::error::Error;
use crate::i18n::Lang;
use crate::policy::Action;
use crate::storage::warnings::{Warning, WarningFilter, WarningList};
use crate::web::ctx::Ctx;
use crate::web::i18n::tr;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::{Deserialize, Serialize};

mod channels;
mod detail;
mod risk_index;
pub use channels::{channels, create_channel, deliveries, update_channel};
pub use detail::{act, detail};
pub use risk_index::risk_index;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// The pages' stylesheet and script (content-hashed URLs).
pub(super) fn css() -> String {
    crate::web::assets::url("warnings.css")
}

pub(super) fn js() -> String {
    crate::web::assets::url("warnings.js")
}

/// What a warning is about, in a few words: the metric of a device threshold rule
/// (`smoke.smoke.red` → 烟雾报警), a device gone silent, or else its source.
pub(super) fn what(lang: Lang, w: &Warning) -> String {
    if w.source == Source::Device {
        if w.rule == OFFLINE_RULE {
            return tr(lang, "warning.offline");
        }
        if let Some(m) = w.rule.split('.').nth(1).and_then(Metric::parse) {
            return tr(lang, &format!("warning.metric.{}", m.as_str()));
        }
    }
    use crate::storage::warning_sweep as sweep;
    let missed = match (w.source, w.rule.as_str()) {
        (Source::Inspection, sweep::MISSED_CHECK) => Some("warning.missed_check"),
        (Source::Drill, sweep::MISSED_DRILL) => Some("warning.missed_drill"),
        (Source::ZeroReport, sweep::MISSED_REPORT) => Some("warning.missed_zero_report"),
        (Source::Incident, sweep::LATE_REPORT) => Some("warning.late_incident_report"),
        (Source::Plan, sweep::FILING_OVERDUE) => Some("warning.plan_filing_overdue"),
        (Source::Plan, sweep::EVALUATION_DUE) => Some("warning.plan_evaluation_due"),
        (Source::WorkPlan, sweep::MISSED_OBLIGATION) => Some("warning.missed_obligation"),
        _ => None,
    };
    if let Some(key) = missed {
        return tr(lang, key);
    }
    tr(lang, &w.source.label_key())
}

/// A level's colour word (the pill shows it after the level's numeral: Ⅰ 红色).
pub(super) fn colour(lang: Lang, l: Level) -> String {
    tr(lang, &format!("warning.colour.{}", l.as_str()))
}

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

/// The list's query as the filter form sends it (blank values mean "any"). Open warnings only
/// unless `open=0`, or a closed status is asked for.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ListQ {
    #[serde(default, skip_serializing_if = "blank")]
    org_id: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    level: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    open: Option<String>,
    /// One device's warnings (the device page's link).
    #[serde(default, skip_serializing_if = "blank")]
    device_id: Option<String>,
    #[serde(default, skip_serializing)]
    page: Option<u64>,
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

impl ListQ {
    fn open_only(&self) -> bool {
        let closed_status = given(&self.status)
            .and_then(|s| Status::parse(&s))
            .is_some_and(Status::is_final);
        self.open.as_deref() != Some("0") && !closed_status
    }

    fn filter(&self) -> Result<WarningFilter, Error> {
        let org_id = match given(&self.org_id) {
            Some(s) => Some(
                s.parse::<i64>()
                    .map_err(|_| Error::field("org_id", "err.invalid_input"))?,
            ),
            None => None,
        };
        let device_id = match given(&self.device_id) {
            Some(s) => Some(
                s.parse::<i64>()
                    .map_err(|_| Error::field("device_id", "err.invalid_input"))?,
            ),
            None => None,
        };
        Ok(WarningFilter {
            org_id,
            level: given(&self.level),
            status: given(&self.status),
            source: None,
            device_id,
            open: self.open_only().then_some(true),
            page: self.page,
            per_page: None,
        })
    }
}

#[derive(Template)]
#[template(path = "warnings/list.html")]
struct ListPage {
    c: Chrome,
    list: WarningList,
    q: ListQ,
    /// The open warnings by level, most severe first.
    counts: Vec<(Level, u64)>,
    levels: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    /// Districts and schools to filter by (bureau readers): (id, label).
    orgs: Vec<(i64, String)>,
    query: String,
    pages: u64,
}

impl ListPage {
    fn css(&self) -> String {
        css()
    }
    fn js(&self) -> String {
        js()
    }
    fn what(&self, w: &Warning) -> String {
        what(self.c.lang, w)
    }
    fn colour(&self, l: &Level) -> String {
        colour(self.c.lang, *l)
    }
    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        china_time(t)
    }
    fn sel(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
    fn sel_org(&self, id: &i64) -> bool {
        self.q.org_id.as_deref() == Some(id.to_string().as_str())
    }
    fn open_only(&self) -> bool {
        self.q.open_only()
    }
    /// The risk index of the schools listed (the unit filtered by, or the reader's own).
    fn index_link(&self) -> String {
        match given(&self.q.org_id) {
            Some(o) => format!(
                "/risk-index?{}",
                serde_urlencoded::to_string([("org_id", o)]).unwrap_or_default()
            ),
            None => "/risk-index".into(),
        }
    }
    fn page_link(&self, page: u64) -> String {
        if self.query.is_empty() {
            format!("/warnings?page={page}")
        } else {
            format!("/warnings?{}&page={page}", self.query)
        }
    }
    fn level_link(&self, l: &Level) -> String {
        let q = ListQ {
            level: Some(l.as_str().into()),
            org_id: self.q.org_id.clone(),
            device_id: self.q.device_id.clone(),
            ..ListQ::default()
        };
        format!(
            "/warnings?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    }
}

fn code_labels<T: Code + Copy>(lang: Lang) -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), tr(lang, &v.label_key())))
        .collect()
}

pub async fn list(ctx: Ctx, q: Q<ListQ>) -> Result<Response, Error> {
    let Query(q) = q.map_err(|e| Error::validation(e.body_text()))?;
    let f = q.filter()?;
    let db = ctx.db();
    let list = db.warnings().list(&f).await?;
    let orgs = if ctx.actor.org_level() == Some(OrgLevel::School) {
        Vec::new()
    } else {
        let mut v: Vec<(i64, String)> = db
            .orgs()
            .districts()
            .await?
            .into_iter()
            .map(|d| (d.id.0, d.name))
            .collect();
        v.extend(
            db.schools()
                .all()
                .await?
                .into_iter()
                .map(|s| (s.id.0, format!("· {} {}", s.code, s.name))),
        );
        v
    };
    let counts = Level::ALL
        .iter()
        .map(|l| (*l, list.open_by_level.get(l.as_str()).copied().unwrap_or(0)))
        .collect();
    let pages = list.total.div_ceil(list.per_page.max(1)).max(1);
    let c = Chrome::for_ctx(&ctx, "warning.title", "/warnings");
    render(&ListPage {
        levels: code_labels::<Level>(c.lang),
        statuses: code_labels::<Status>(c.lang),
        query: serde_urlencoded::to_string(&q).unwrap_or_default(),
        c,
        list,
        q,
        counts,
        orgs,
        pages,
    })
}
