//! The checklist form: a school's self-inspection, a post check, a campaign check and a risk
//! point's QR check (the cross-inspection form reuses it).

use super::{Q, grace, local, query, refused};
use crate::domain::Code;
use crate::domain::ids::{CrossAssignmentId, OrgId, RiskPointId};
use crate::error::Error;
use crate::storage::inspections::{
    BoardQuery, Checklist, ChecklistQuery, DraftChange, ItemResult, Kind, NewInspection, NewItem,
};
use crate::storage::views::OrgRef;
use crate::web::assets;
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::pages::home::half_month_words;
use crate::web::pages::{Chrome, FormErrors, render, see_other};
use crate::web::upload::{UploadForm, read_form};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
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
    /// Photos stored with an earlier, refused post of the form (kept for the next one).
    kept_photos: Vec<i64>,
}

impl Row {
    /// Whether the note and photo fields start unfolded (a failed row, a note, an error).
    fn open(&self) -> bool {
        self.result == "fail"
            || self.result == "na"
            || !self.note.is_empty()
            || !self.error.is_empty()
            || !self.kept_photos.is_empty()
    }

    fn kept(&self) -> String {
        let ids: Vec<String> = self.kept_photos.iter().map(i64::to_string).collect();
        ids.join(",")
    }
}

/// The rows of one zone and aspect (or a campaign's own items): a section of the form and
/// an entry of its index.
pub(super) struct Group {
    n: usize,
    name: String,
    rows: Vec<Row>,
}

impl Group {
    fn done(&self) -> usize {
        self.rows.iter().filter(|r| !r.result.is_empty()).count()
    }
}

/// An earlier submission of the same half-month.
struct Submitted {
    id: i64,
    when: String,
}

#[derive(Template)]
#[template(path = "inspections/form.html")]
struct FormPage {
    c: Chrome,
    heading: String,
    school: OrgRef,
    action: String,
    hidden: Vec<(String, String)>,
    groups: Vec<Group>,
    total: usize,
    answered: usize,
    note: String,
    inspected_on: String,
    errors: FormErrors,
    /// Rows with an error of their own.
    row_errors: usize,
    results: Vec<(String, String)>,
    /// Posted as multipart with a photo input per row (the school's own forms); a
    /// cross-inspector's form has no photos (files belong to the uploader's scope).
    photos: bool,
    /// "Mark the rest as pass" was pressed without confirming: how many rows it would mark.
    confirm_rest: Option<usize>,
    /// The half-month in words, for a half-month self-inspection.
    period: Option<String>,
    /// This half-month was already submitted.
    submitted: Option<Submitted>,
    /// Where each row's answer is saved as it is given (`…/items/<row key>`): the school's
    /// half-month self-inspection while the half-month is not submitted yet.
    autosave: Option<String>,
    css: String,
    js: String,
}

impl FormPage {
    fn htmx(&self) -> String {
        crate::web::htmx::script()
    }

    /// A catalogue text with `%{n}` replaced.
    fn tn(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.c.t(key).replace("%{n}", &n.to_string())
    }

    fn already(&self, s: &Submitted) -> String {
        self.c
            .t("inspection.already_submitted")
            .replace("%{period}", self.period.as_deref().unwrap_or_default())
            .replace("%{when}", &s.when)
    }
}

pub(super) fn form_rows(c: &Chrome, cl: &Checklist) -> Vec<Row> {
    let row = |key: String, name: String, prompt: String, group: String| Row {
        key,
        name,
        prompt,
        group,
        result: String::new(),
        note: String::new(),
        error: String::new(),
        kept_photos: Vec::new(),
    };
    let mut rows: Vec<Row> = cl
        .items
        .iter()
        .map(|i| {
            row(
                format!("p{}", i.risk_point_id.0),
                i.name.clone(),
                i.check_items.clone(),
                format!(
                    "{} · {}",
                    i.zone_name
                        .clone()
                        .unwrap_or_else(|| c.t("inspection.no_zone")),
                    c.label(&i.aspect)
                ),
            )
        })
        .collect();
    for (n, label) in cl.extra_items.iter().enumerate() {
        rows.push(row(
            format!("x{n}"),
            label.clone(),
            String::new(),
            cl.campaign_name
                .clone()
                .unwrap_or_else(|| c.t("inspection.extra")),
        ));
    }
    rows
}

/// The rows in their sections, in order (a section per run of the same group name).
fn grouped(rows: Vec<Row>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for r in rows {
        match groups.last_mut() {
            Some(g) if g.name == r.group => g.rows.push(r),
            _ => groups.push(Group {
                n: groups.len() + 1,
                name: r.group.clone(),
                rows: vec![r],
            }),
        }
    }
    groups
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

/// Most photos one row keeps across a refused post.
const MAX_KEPT: usize = 20;

/// Reads the form into the rows (their answers, notes and photos); returns how many rows
/// were left without an answer.
fn read_rows(p: &Posted, rows: &mut [Row]) -> usize {
    let mut unanswered = 0;
    for r in rows.iter_mut() {
        let res = p.value(&format!("res_{}", r.key));
        r.result = ItemResult::parse(&res)
            .map(|v| v.as_str().to_string())
            .unwrap_or_default();
        r.note = p.value(&format!("note_{}", r.key));
        let mut photos: Vec<i64> = p
            .value(&format!("kept_{}", r.key))
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .take(MAX_KEPT)
            .collect();
        if let Some(new) = p.photos.get(&format!("photos_{}", r.key)) {
            photos.extend(new);
        }
        photos.dedup();
        r.kept_photos = photos;
        if r.result.is_empty() {
            unanswered += 1;
        }
    }
    unanswered
}

/// The submission of the answered rows (every unanswered row as pass when `rest_pass`);
/// returns it with the row key of each submitted item.
fn read_items(rows: &mut [Row], rest_pass: bool) -> (Vec<NewItem>, Vec<String>) {
    let mut items = Vec::new();
    let mut keys = Vec::new();
    for r in rows.iter_mut() {
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
            photo_ids: r.kept_photos.clone(),
        });
        keys.push(r.key.clone());
    }
    (items, keys)
}

/// Puts field errors of `items[i].…` on their rows; returns how many rows got one.
fn place_errors(errors: &FormErrors, keys: &[String], rows: &mut [Row]) -> usize {
    let mut n = 0;
    for (field, msg) in &errors.fields {
        if let Some(rest) = field.strip_prefix("items[")
            && let Some((i, _)) = rest.split_once(']')
            && let Ok(i) = i.parse::<usize>()
            && let Some(k) = keys.get(i)
            && let Some(r) = rows.iter_mut().find(|r| &r.key == k)
            && r.error.is_empty()
        {
            n += 1;
            r.error = msg.clone();
        }
    }
    n
}

/// What the form shows besides the checklist itself.
pub(super) struct FormState {
    pub heading: String,
    pub action: String,
    pub photos: bool,
    pub hidden: Vec<(String, String)>,
    pub rows: Vec<Row>,
    pub note: String,
    pub inspected_on: String,
    pub errors: FormErrors,
    pub row_errors: usize,
    pub confirm_rest: Option<usize>,
}

impl FormState {
    /// A fresh form: every row unanswered, today's date.
    pub(super) fn fresh(
        heading: String,
        action: String,
        photos: bool,
        hidden: Vec<(String, String)>,
        rows: Vec<Row>,
    ) -> FormState {
        FormState {
            heading,
            action,
            photos,
            hidden,
            rows,
            note: String::new(),
            inspected_on: crate::storage::risk_points::today().to_string(),
            errors: FormErrors::default(),
            row_errors: 0,
            confirm_rest: None,
        }
    }
}

/// The earlier submission of this half-month by the school, if any.
async fn submitted(ctx: &Ctx, cl: &Checklist) -> Result<Option<Submitted>, Error> {
    let Some(period) = cl.period.clone().filter(|_| cl.kind == Kind::HalfMonth) else {
        return Ok(None);
    };
    let q = BoardQuery {
        org_id: Some(cl.school.id.0),
        period: Some(period),
    };
    let b = ctx.db().inspections().board(&q, grace(ctx)).await?;
    Ok(b.schools
        .into_iter()
        .find(|r| r.school.id == cl.school.id)
        .and_then(|r| {
            Some(Submitted {
                id: r.inspection_id?.0,
                when: r.submitted_at.as_ref().map(local).unwrap_or_default(),
            })
        }))
}

pub(super) async fn form_page(ctx: &Ctx, cl: &Checklist, s: FormState) -> Result<Response, Error> {
    let c = Chrome::for_ctx(ctx, "inspection.new", "/inspections");
    let results = ItemResult::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), c.label(r)))
        .collect();
    // Someone else's cross-inspection is not the school's own half-month.
    let submitted = if s.photos {
        submitted(ctx, cl).await?
    } else {
        None
    };
    let total = s.rows.len();
    let answered = s.rows.iter().filter(|r| !r.result.is_empty()).count();
    let period = cl
        .period
        .as_deref()
        .filter(|_| cl.kind == Kind::HalfMonth)
        .map(|p| half_month_words(c.lang, p));
    let autosave = (cl.kind == Kind::HalfMonth && s.photos && submitted.is_none())
        .then(|| format!("/schools/{}/inspections/new/items", cl.school.id.0));
    let page = FormPage {
        c,
        heading: s.heading,
        school: cl.school.clone(),
        action: s.action,
        hidden: s.hidden,
        groups: grouped(s.rows),
        total,
        answered,
        note: s.note,
        inspected_on: s.inspected_on,
        row_errors: s.row_errors,
        results,
        photos: s.photos,
        confirm_rest: s.confirm_rest,
        period,
        submitted,
        autosave,
        css: assets::url("checklist.css"),
        js: assets::url("checklist.js"),
        errors: s.errors,
    };
    if page.errors.any() {
        refused(render(&page))
    } else {
        render(&page)
    }
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
        // The half-month in words is under the heading.
        (None, Some(_)) => c.label(&cl.kind),
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
    let mut rows = form_rows(&c, &cl);
    if cl.kind == Kind::HalfMonth {
        with_draft(&ctx, &cl, &mut rows).await?;
    }
    let mut hidden = vec![("kind".to_string(), cl.kind.as_str().to_string())];
    if let Some(cid) = cl.campaign_id {
        hidden.push(("campaign_id".into(), cid.0.to_string()));
    }
    if let Some(p) = &q.post {
        hidden.push(("post".into(), p.clone()));
    }
    let state = FormState::fresh(
        heading(&c, &cl),
        format!("/schools/{id}/inspections/new"),
        true,
        hidden,
        rows,
    );
    form_page(&ctx, &cl, state).await
}

/// The answers saved so far of the school's half-month, put on their rows.
async fn with_draft(ctx: &Ctx, cl: &Checklist, rows: &mut [Row]) -> Result<(), Error> {
    let d = ctx.db().inspections().draft(cl.school.id).await?;
    for r in rows.iter_mut() {
        let Some(a) = r
            .key
            .strip_prefix('p')
            .and_then(|id| id.parse().ok())
            .and_then(|id| d.answers.get(&RiskPointId(id)))
        else {
            continue;
        };
        r.result = a.result.map(|v| v.as_str().to_string()).unwrap_or_default();
        r.note = a.note.clone();
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "inspections/saved.html")]
struct Saved {
    key: String,
    ok: bool,
    text: String,
    answered: Option<usize>,
}

/// `POST /schools/{id}/inspections/new/items/{key}`: one row of the school's half-month
/// self-inspection saved as it is answered (its `res_<key>` and `note_<key>`, the form's own
/// field names; a field left out stays as saved). With `HX-Request` the answer is the row's
/// saved mark (a refusal the form can show — 409, 422 — as the mark, with its status);
/// without, the form again (303).
pub async fn save_item(
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, key)): Path<(i64, String)>,
    FormPairs(p): FormPairs,
) -> Result<Response, Error> {
    let field = |k: String| p.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let change = DraftChange {
        result: field(format!("res_{key}")),
        note: field(format!("note_{key}")),
    };
    let res = ctx
        .db()
        .inspections()
        .save_draft_answer(OrgId(id), &key, &change)
        .await;
    if !crate::web::htmx::wants_fragment(&headers) {
        res?;
        return Ok(see_other(&format!(
            "/schools/{id}/inspections/new?kind=half_month#row-{key}"
        )));
    }
    let (status, saved) = match res {
        Ok(d) => (
            StatusCode::OK,
            Saved {
                ok: true,
                text: crate::web::i18n::tr(ctx.lang, "inspection.autosave.saved"),
                answered: Some(d.answered()),
                key,
            },
        ),
        Err(e @ (Error::Conflict(_) | Error::Validation { .. })) => {
            let text = match FormErrors::from_error(&e, ctx.lang) {
                Some(fe) => fe
                    .fields
                    .first()
                    .map(|(_, m)| m.clone())
                    .unwrap_or(fe.general),
                None => match &e {
                    Error::Conflict(m) => crate::web::error::message(ctx.lang, m),
                    _ => return Err(e),
                },
            };
            let status = crate::web::error::status(&e);
            // The key of a refused row is shown as sent: only a row key goes into the id.
            let key = if key.bytes().all(|b| b.is_ascii_alphanumeric()) {
                key
            } else {
                String::new()
            };
            (
                status,
                Saved {
                    ok: false,
                    text,
                    answered: None,
                    key,
                },
            )
        }
        Err(e) => return Err(e),
    };
    let html = saved.render().map_err(Error::internal)?;
    Ok((status, [(header::VARY, "HX-Request")], Html(html)).into_response())
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
    let unanswered = read_rows(&p, &mut rows);
    let rest_pass = p.value("rest") == "pass";
    let mut state = FormState::fresh(
        heading(&c, &cl),
        action,
        cross.is_none(),
        hidden,
        Vec::new(),
    );
    state.note = p.value("note");
    state.inspected_on = p.value("inspected_on");
    // "Mark the rest as pass" marks only what the person confirmed: the count they were
    // shown must be the count left unanswered now (else the form asks again); a script that
    // means every remaining row says `all`.
    let confirmed = p.value("confirm_rest");
    if rest_pass && unanswered > 0 && confirmed != "all" && confirmed != unanswered.to_string() {
        state.rows = rows;
        state.confirm_rest = Some(unanswered);
        return form_page(ctx, &cl, state).await;
    }
    let posted: Vec<String> = rows.iter().map(|r| r.result.clone()).collect();
    let (items, keys) = read_items(&mut rows, rest_pass);
    let mut errors = FormErrors::default();
    let date = if state.inspected_on.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(&state.inspected_on, "%Y-%m-%d") {
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
            note: state.note.clone(),
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
            Ok(d) => {
                return Ok(see_other(&format!(
                    "/inspections/{}/result",
                    d.inspection.id.0
                )));
            }
            Err(e) => match FormErrors::from_error(&e, ctx.lang) {
                Some(fe) => errors = fe,
                None => return Err(e),
            },
        }
    }
    state.row_errors = place_errors(&errors, &keys, &mut rows);
    // Shown again as it was posted: the rows "the rest" would have marked stay unanswered.
    for (r, posted) in rows.iter_mut().zip(posted) {
        r.result = posted;
    }
    state.rows = rows;
    state.errors = errors;
    form_page(ctx, &cl, state).await
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
    let state = FormState::fresh(
        c.t("inspection.point_check"),
        format!("/risk-points/{id}/check"),
        true,
        Vec::new(),
        rows,
    );
    form_page(&ctx, &cl, state).await
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
