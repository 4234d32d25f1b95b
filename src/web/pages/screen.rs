//! `/screen`: the bureau's monitoring screen (数据大屏), a full-screen dark page for a wall
//! display. The page is a frame; `screen.js` fills it from the JSON API with the session's
//! cookie (`/api/v1/screen`, `/api/v1/risk-index`, `/api/v1/warnings`) and follows the live
//! stream of warnings. Its charts use the vendored Apache ECharts; every word it shows comes
//! from the catalogue, the script's through the `data-text` attribute.

use super::{Chrome, render};
use crate::domain::Code;
use crate::domain::warning::{Level, Metric, Source, Status};
use crate::error::Error;
use crate::i18n::Lang;
use crate::web::assets;
use crate::web::ctx::Ctx;
use crate::web::i18n::tr;
use askama::Template;
use axum::response::Response;
use serde_json::{Map, Value, json};

#[derive(Template)]
#[template(path = "screen.html")]
struct ScreenPage {
    c: Chrome,
    /// The bureau's name in the page's language.
    org: String,
    css: String,
    echarts: String,
    js: String,
    /// The script's words (JSON).
    text: String,
    levels: Vec<(&'static str, &'static str, String)>,
}

/// `{code: label}` of a closed set.
fn labels<T: Code>(lang: Lang) -> Value {
    let m: Map<String, Value> = T::ALL
        .iter()
        .map(|v| {
            (
                v.as_str().to_string(),
                Value::String(tr(lang, &v.label_key())),
            )
        })
        .collect();
    Value::Object(m)
}

/// `{code: tr(prefix + code)}` for the given codes.
fn keyed<'a>(lang: Lang, prefix: &str, codes: impl Iterator<Item = &'a str>) -> Value {
    let m: Map<String, Value> = codes
        .map(|c| {
            (
                c.to_string(),
                Value::String(tr(lang, &format!("{prefix}{c}"))),
            )
        })
        .collect();
    Value::Object(m)
}

/// Everything the script writes on the screen, in the page's language.
fn text(lang: Lang) -> Value {
    let t = |k: &str| tr(lang, k);
    let levels = Level::ALL.iter().map(|l| l.as_str());
    let roman: Map<String, Value> = Level::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), Value::from(l.roman())))
        .collect();
    let metrics = Metric::ALL.iter().map(|m| m.as_str());
    let parts = ["grades", "hazards", "overdue", "missed_checks", "warnings"];
    let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    json!({
        "level": labels::<Level>(lang),
        "colour": keyed(lang, "warning.colour.", levels),
        "roman": roman,
        "status": labels::<Status>(lang),
        "source": labels::<Source>(lang),
        "metric": keyed(lang, "warning.metric.", metrics),
        "offline": t("warning.offline"),
        "parts": keyed(lang, "screen.part.", parts.into_iter()),
        "weekday": keyed(lang, "screen.weekday.", days.into_iter()),
        "index": t("screen.index"),
        "district": t("screen.district"),
        "warnings": t("screen.trend_warnings"),
        "hazards": t("screen.trend_hazards"),
        "none": t("screen.no_warnings"),
        "no_schools": t("screen.no_schools"),
        "live": t("screen.live"),
        "offline_stream": t("screen.reconnecting"),
        "schools_unit": t("screen.schools_unit"),
        "devices_of": t("screen.devices_of"),
        "done_of": t("screen.done_of"),
        "on_time": t("screen.on_time"),
        "late": t("screen.late"),
        "missing": t("screen.missing"),
        "open": t("screen.not_due"),
        "period": t("screen.period"),
        "h1": t("screen.h1"),
        "h2": t("screen.h2"),
        "failed": t("screen.failed"),
    })
}

pub async fn page(ctx: Ctx) -> Result<Response, Error> {
    let org = ctx.db().screen().org().await?;
    let c = Chrome::for_ctx(&ctx, "screen.title", "/screen");
    let name = match (c.lang, org.name_en) {
        (Lang::En, Some(en)) if !en.trim().is_empty() => en,
        _ => org.name,
    };
    let levels = Level::ALL
        .iter()
        .map(|l| {
            (
                l.as_str(),
                l.roman(),
                tr(c.lang, &format!("warning.colour.{}", l.as_str())),
            )
        })
        .collect();
    render(&ScreenPage {
        org: name,
        css: assets::url("screen.css"),
        echarts: assets::url("vendor/echarts/echarts.min.js"),
        js: assets::url("screen.js"),
        text: text(c.lang).to_string(),
        levels,
        c,
    })
}
