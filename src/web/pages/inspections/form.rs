//! The checklist form: a school's self-inspection, a post check, a campaign check and a risk
//! point's QR check (the cross-inspection form reuses it).

use super::{Q, grace, query};
use crate::domain::Code;
use crate::domain::ids::{CrossAssignmentId, OrgId, RiskPointId};
use crate::error::Error;
use crate::storage::inspections::{Checklist, ChecklistQuery, ItemResult, NewInspection, NewItem};
use crate::storage::views::OrgRef;
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::pages::{Chrome, FormErrors, render, see_other};
use crate::web::upload::{UploadForm, read_form};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// The checklist form.

/// One row of the form: its key (`p<point id>` or `x<n>`), what to check, and the values.
pub(super) struct Row {
    key: String,
    name: String,
    prompt: String,
    group: String,
    result: String,
    note: String,
    error: String,
}

#[derive(Template)]
#[template(path = "inspections/form.html")]
struct FormPage {
    c: Chrome,
    heading: String,
    school: OrgRef,
    action: String,
    hidden: Vec<(String, String)>,
    rows: Vec<Row>,
    note: String,
    inspected_on: String,
    errors: FormErrors,
    results: Vec<(String, String)>,
    /// Posted as multipart with a photo input per row (the school's own forms); a
    /// cross-inspector's form has no photos (files belong to the uploader's scope).
    photos: bool,
}

impl FormPage {
    /// Whether a new group header starts at row `i`.
    fn group_starts(&self, i: &usize) -> bool {
        *i == 0 || self.rows[*i - 1].group != self.rows[*i].group
    }
}

pub(super) fn form_rows(c: &Chrome, cl: &Checklist) -> Vec<Row> {
    let mut rows: Vec<Row> = cl
        .items
        .iter()
        .map(|i| Row {
            key: format!("p{}", i.risk_point_id.0),
            name: i.name.clone(),
            prompt: i.check_items.clone(),
            group: format!(
                "{} · {}",
                i.zone_name
                    .clone()
                    .unwrap_or_else(|| c.t("inspection.no_zone")),
                c.label(&i.aspect)
            ),
            result: String::new(),
            note: String::new(),
            error: String::new(),
        })
        .collect();
    for (n, label) in cl.extra_items.iter().enumerate() {
        rows.push(Row {
            key: format!("x{n}"),
            name: label.clone(),
            prompt: String::new(),
            group: cl
                .campaign_name
                .clone()
                .unwrap_or_else(|| c.t("inspection.extra")),
            result: String::new(),
            note: String::new(),
            error: String::new(),
        });
    }
    rows
}

/// A posted checklist form: its text fields and the photos stored from its file parts.
#[derive(Default)]
pub(super) struct Posted {
    fields: Vec<(String, String)>,
    photos: std::collections::BTreeMap<String, Vec<i64>>,
}

impl From<FormPairs> for Posted {
    fn from(p: FormPairs) -> Self {
        Posted {
            fields: p.0,
            photos: Default::default(),
        }
    }
}

impl From<UploadForm> for Posted {
    fn from(f: UploadForm) -> Self {
        Posted {
            fields: f.fields,
            photos: f.photos,
        }
    }
}

impl Posted {
    fn value(&self, k: &str) -> String {
        self.fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// Reads the form into a submission; returns it with the row key of each submitted item.
fn read_items(p: &Posted, rows: &mut [Row]) -> (Vec<NewItem>, Vec<String>) {
    let rest_pass = p.value("rest") == "pass";
    let mut items = Vec::new();
    let mut keys = Vec::new();
    for r in rows.iter_mut() {
        r.result = p.value(&format!("res_{}", r.key));
        r.note = p.value(&format!("note_{}", r.key));
        if r.result.is_empty() && rest_pass {
            r.result = "pass".into();
        }
        let Some(result) = ItemResult::parse(&r.result) else {
            continue;
        };
        let (risk_point_id, label) = match r.key.strip_prefix('p') {
            Some(id) => (id.parse().ok().map(RiskPointId), None),
            None => (None, Some(r.name.clone())),
        };
        items.push(NewItem {
            risk_point_id,
            label,
            result,
            note: r.note.clone(),
            photo_ids: p
                .photos
                .get(&format!("photos_{}", r.key))
                .cloned()
                .unwrap_or_default(),
        });
        keys.push(r.key.clone());
    }
    (items, keys)
}

/// Puts field errors of `items[i].…` on their rows.
fn place_errors(errors: &FormErrors, keys: &[String], rows: &mut [Row]) {
    for (field, msg) in &errors.fields {
        if let Some(rest) = field.strip_prefix("items[")
            && let Some((i, _)) = rest.split_once(']')
            && let Ok(i) = i.parse::<usize>()
            && let Some(k) = keys.get(i)
            && let Some(r) = rows.iter_mut().find(|r| &r.key == k)
        {
            r.error = msg.clone();
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn form_page(
    ctx: &Ctx,
    cl: &Checklist,
    heading: String,
    action: String,
    photos: bool,
    hidden: Vec<(String, String)>,
    rows: Vec<Row>,
    note: String,
    inspected_on: String,
    errors: FormErrors,
) -> Result<Response, Error> {
    let c = Chrome::for_ctx(ctx, "inspection.new", "/inspections");
    let results = ItemResult::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), c.label(r)))
        .collect();
    render(&FormPage {
        c,
        heading,
        school: cl.school.clone(),
        action,
        hidden,
        rows,
        note,
        inspected_on,
        errors,
        results,
        photos,
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NewQ {
    kind: Option<String>,
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    campaign_id: Option<i64>,
    post: Option<String>,
}

fn heading(c: &Chrome, cl: &Checklist) -> String {
    match (&cl.campaign_name, &cl.period) {
        (Some(n), _) => format!("{} · {n}", c.label(&cl.kind)),
        (None, Some(p)) => format!("{} · {p}", c.label(&cl.kind)),
        _ => c.label(&cl.kind),
    }
}

/// `/schools/{id}/inspections/new?kind=half_month|daily|weekly|campaign[&campaign_id]`.
pub async fn new_form(ctx: Ctx, Path(id): Path<i64>, q: Q<NewQ>) -> Result<Response, Error> {
    let q = query(q)?;
    let cl = ctx
        .db()
        .inspections()
        .checklist(
            OrgId(id),
            &ChecklistQuery {
                kind: q.kind.clone(),
                campaign_id: q.campaign_id,
                risk_point_id: None,
                post: q.post.clone(),
            },
        )
        .await?;
    let c = Chrome::for_ctx(&ctx, "inspection.new", "/inspections");
    let rows = form_rows(&c, &cl);
    let mut hidden = vec![("kind".to_string(), cl.kind.as_str().to_string())];
    if let Some(cid) = cl.campaign_id {
        hidden.push(("campaign_id".into(), cid.0.to_string()));
    }
    if let Some(p) = &q.post {
        hidden.push(("post".into(), p.clone()));
    }
    form_page(
        &ctx,
        &cl,
        heading(&c, &cl),
        format!("/schools/{id}/inspections/new"),
        true,
        hidden,
        rows,
        String::new(),
        crate::storage::risk_points::today().to_string(),
        FormErrors::default(),
    )
}

pub(super) async fn submit_form(
    ctx: &Ctx,
    cl: Checklist,
    p: Posted,
    action: String,
    hidden: Vec<(String, String)>,
    cross: Option<CrossAssignmentId>,
) -> Result<Response, Error> {
    let c = Chrome::for_ctx(ctx, "inspection.new", "/inspections");
    let mut rows = form_rows(&c, &cl);
    let (items, keys) = read_items(&p, &mut rows);
    let note = p.value("note");
    let inspected_on = p.value("inspected_on");
    let mut errors = FormErrors::default();
    let date = if inspected_on.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(&inspected_on, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors
                    .fields
                    .push(("inspected_on".into(), c.msg("err.inspection.date")));
                None
            }
        }
    };
    if !errors.any() {
        let input = NewInspection {
            kind: cl.kind,
            period: None,
            campaign_id: cl.campaign_id,
            inspected_on: date,
            note: note.clone(),
            items,
        };
        let res = match cross {
            Some(a) => {
                ctx.db()
                    .inspections()
                    .submit_cross(a, &input, grace(ctx))
                    .await
            }
            None => {
                ctx.db()
                    .inspections()
                    .submit(cl.school.id, &input, grace(ctx))
                    .await
            }
        };
        match res {
            Ok(d) => return Ok(see_other(&format!("/inspections/{}", d.inspection.id.0))),
            Err(e) => match FormErrors::from_error(&e, ctx.lang) {
                Some(fe) => errors = fe,
                None => return Err(e),
            },
        }
    }
    place_errors(&errors, &keys, &mut rows);
    let photos = cross.is_none();
    form_page(
        ctx,
        &cl,
        heading(&c, &cl),
        action,
        photos,
        hidden,
        rows,
        note,
        inspected_on,
        errors,
    )
}

/// The school's form, posted as multipart with photos (stored for the school first).
pub async fn new_submit(ctx: Ctx, Path(id): Path<i64>, mp: Multipart) -> Result<Response, Error> {
    let p: Posted = read_form(&ctx, OrgId(id), mp).await?.into();
    let kind = p.value("kind");
    let campaign_id = p.value("campaign_id").parse::<i64>().ok();
    let post = Some(p.value("post")).filter(|s| !s.is_empty());
    let cl = ctx
        .db()
        .inspections()
        .checklist(
            OrgId(id),
            &ChecklistQuery {
                kind: Some(kind),
                campaign_id,
                risk_point_id: None,
                post: post.clone(),
            },
        )
        .await?;
    let mut hidden = vec![("kind".to_string(), cl.kind.as_str().to_string())];
    if let Some(cid) = cl.campaign_id {
        hidden.push(("campaign_id".into(), cid.0.to_string()));
    }
    if let Some(p) = post {
        hidden.push(("post".into(), p));
    }
    submit_form(
        &ctx,
        cl,
        p,
        format!("/schools/{id}/inspections/new"),
        hidden,
        None,
    )
    .await
}

/// The risk point's QR address: straight to that point's one-item daily check.
pub async fn point_check(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let cl = point_checklist(&ctx, id).await?;
    let c = Chrome::for_ctx(&ctx, "inspection.new", "/inspections");
    let rows = form_rows(&c, &cl);
    form_page(
        &ctx,
        &cl,
        c.t("inspection.point_check"),
        format!("/risk-points/{id}/check"),
        true,
        Vec::new(),
        rows,
        String::new(),
        crate::storage::risk_points::today().to_string(),
        FormErrors::default(),
    )
}

async fn point_school(ctx: &Ctx, id: i64) -> Result<OrgId, Error> {
    Ok(ctx
        .db()
        .risk()
        .point(RiskPointId(id))
        .await?
        .point
        .school_id)
}

async fn point_checklist(ctx: &Ctx, id: i64) -> Result<Checklist, Error> {
    let p = ctx.db().risk().point(RiskPointId(id)).await?;
    ctx.db()
        .inspections()
        .checklist(
            p.point.school_id,
            &ChecklistQuery {
                kind: Some("daily".into()),
                campaign_id: None,
                risk_point_id: Some(id),
                post: None,
            },
        )
        .await
}

pub async fn point_check_submit(
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, Error> {
    let school = point_school(&ctx, id).await?;
    let p: Posted = read_form(&ctx, school, mp).await?.into();
    let cl = point_checklist(&ctx, id).await?;
    submit_form(
        &ctx,
        cl,
        p,
        format!("/risk-points/{id}/check"),
        Vec::new(),
        None,
    )
    .await
}
