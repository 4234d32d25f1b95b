//! Pages: Inspections, campaigns, cross-inspections and the self-inspection board.
//!
//! The checklist form (a school's self-inspection, a post check, a campaign check, a risk
//! point's QR check, a cross-inspection) is one template: one row per item with large
//! pass / fail / n.a. radio buttons and a note; "mark the rest as pass" is a second submit
//! button, so it works without scripts. Rows left without a result are not submitted.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::{CampaignId, CrossAssignmentId, InspectionId, OrgId, RiskPointId, UserId};
use crate::error::Error;
use crate::storage::inspections::{
    Board, BoardQuery, Campaign, CampaignDetail, CampaignKind, Checklist, ChecklistQuery,
    CrossAssignment, CrossPair, Inspection, InspectionDetail, InspectionFilter, InspectorChoice,
    ItemResult, Kind, NewCampaign, NewCrossRound, NewInspection, NewItem, Status,
};
use crate::storage::views::OrgRef;
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::upload::{UploadForm, read_form};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

fn grace(ctx: &Ctx) -> u32 {
    ctx.config().inspection.grace_days
}

use super::china_time as local;

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Missing => "g-red",
        Status::Late => "g-orange",
        Status::Open => "g-none",
        Status::OnTime => "g-blue",
    }
}

// ---------------------------------------------------------------------------------------
// The board.

#[derive(Template)]
#[template(path = "inspections/board.html")]
struct BoardPage {
    c: Chrome,
    b: Board,
    org_param: String,
}

impl BoardPage {
    fn status(&self, s: &Status) -> String {
        self.c.t(&format!("board.status.{}", s.as_str()))
    }
    fn class(&self, s: &Status) -> &'static str {
        status_class(*s)
    }
    fn when(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(local).unwrap_or_else(|| "—".into())
    }
}

/// The half-month board: counts at the top, missing schools first in red.
pub async fn board(ctx: Ctx, q: Q<BoardQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let b = ctx.db().board(&q, grace(&ctx)).await?;
    let org_param = q.org_id.map(|o| format!("org_id={o}&")).unwrap_or_default();
    render(&BoardPage {
        c: Chrome::for_ctx(&ctx, "board.title", "/inspections"),
        b,
        org_param,
    })
}

// ---------------------------------------------------------------------------------------
// Lists and one inspection.

#[derive(Template)]
#[template(path = "inspections/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Inspection>,
    f: InspectionFilter,
    kinds: Vec<(String, String)>,
    /// The caller's own school, where a new inspection can be started.
    school: Option<i64>,
    can_submit: bool,
    export: String,
}

impl ListPage {
    fn timeliness(&self, s: &Option<Status>) -> String {
        s.map(|s| self.c.t(&format!("board.status.{}", s.as_str())))
            .unwrap_or_default()
    }
    fn sel_kind(&self, k: &str) -> bool {
        self.f.kind.as_deref() == Some(k)
    }
    fn date_from(&self) -> String {
        self.f.from.map(|d| d.to_string()).unwrap_or_default()
    }
    fn date_to(&self) -> String {
        self.f.to.map(|d| d.to_string()).unwrap_or_default()
    }
}

pub async fn list(ctx: Ctx, q: Q<InspectionFilter>) -> Result<Response, Error> {
    let f = query(q)?;
    let rows = ctx.db().list_inspections(&f, grace(&ctx)).await?;
    let c = Chrome::for_ctx(&ctx, "inspection.title", "/inspections");
    let kinds = Kind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.label(k)))
        .collect();
    let school = (ctx.actor.org_level() == Some(crate::domain::org::OrgLevel::School))
        .then_some(ctx.actor.org_id())
        .flatten()
        .map(|o| o.0);
    let mut export = String::from("/api/v1/inspections/export.xlsx?");
    for (k, v) in [
        ("org_id", f.org_id.map(|v| v.to_string())),
        ("kind", f.kind.clone()),
        ("from", f.from.map(|d| d.to_string())),
        ("to", f.to.map(|d| d.to_string())),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            export.push_str(&format!("{k}={}&", crate::web::error::urlencode(&v)));
        }
    }
    render(&ListPage {
        can_submit: crate::policy::allows(
            ctx.actor.role(),
            crate::policy::Action::InspectionSubmit,
        ),
        c,
        rows,
        f,
        kinds,
        school,
        export,
    })
}

#[derive(Template)]
#[template(path = "inspections/detail.html")]
struct DetailPage {
    c: Chrome,
    d: InspectionDetail,
}

impl DetailPage {
    fn when(&self, t: &DateTime<Utc>) -> String {
        local(t)
    }
    fn result_class(&self, r: &ItemResult) -> &'static str {
        match r {
            ItemResult::Pass => "g-blue",
            ItemResult::Fail => "g-red",
            ItemResult::Na => "g-none",
        }
    }
    fn timeliness(&self) -> String {
        self.d
            .inspection
            .timeliness
            .map(|s| self.c.t(&format!("board.status.{}", s.as_str())))
            .unwrap_or_default()
    }
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let d = ctx
        .db()
        .get_inspection(InspectionId(id), grace(&ctx))
        .await?;
    render(&DetailPage {
        c: Chrome::for_ctx(&ctx, "inspection.detail", "/inspections"),
        d,
    })
}

// ---------------------------------------------------------------------------------------
// The checklist form.

/// One row of the form: its key (`p<point id>` or `x<n>`), what to check, and the values.
struct Row {
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

fn form_rows(c: &Chrome, cl: &Checklist) -> Vec<Row> {
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
struct Posted {
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

fn value(p: &FormPairs, k: &str) -> String {
    p.0.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
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
fn form_page(
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

async fn submit_form(
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
            Some(a) => ctx.db().submit_cross(a, &input, grace(ctx)).await,
            None => {
                ctx.db()
                    .submit_inspection(cl.school.id, &input, grace(ctx))
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
        .get_risk_point(RiskPointId(id))
        .await?
        .point
        .school_id)
}

async fn point_checklist(ctx: &Ctx, id: i64) -> Result<Checklist, Error> {
    let p = ctx.db().get_risk_point(RiskPointId(id)).await?;
    ctx.db()
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

// ---------------------------------------------------------------------------------------
// Campaigns.

#[derive(Template)]
#[template(path = "inspections/campaigns.html")]
struct CampaignsPage {
    c: Chrome,
    rows: Vec<Campaign>,
    can_plan: bool,
}

pub async fn campaigns(ctx: Ctx) -> Result<Response, Error> {
    let rows = ctx.db().list_campaigns().await?;
    render(&CampaignsPage {
        c: Chrome::for_ctx(&ctx, "campaign.title", "/inspections"),
        rows,
        can_plan: crate::policy::allows(ctx.actor.role(), crate::policy::Action::InspectionPlan),
    })
}

#[derive(Template)]
#[template(path = "inspections/campaign.html")]
struct CampaignPage {
    c: Chrome,
    d: CampaignDetail,
    /// The caller's school when it is targeted (to start its campaign check).
    school: Option<i64>,
}

pub async fn campaign(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let d = ctx.db().get_campaign(CampaignId(id)).await?;
    let school = ctx
        .actor
        .org_id()
        .filter(|o| d.progress.iter().any(|p| p.school.id == *o))
        .map(|o| o.0);
    render(&CampaignPage {
        c: Chrome::for_ctx(&ctx, "campaign.title", "/inspections"),
        d,
        school,
    })
}

#[derive(Template)]
#[template(path = "inspections/campaign_new.html")]
struct CampaignNewPage {
    c: Chrome,
    schools: Vec<OrgRef>,
    kinds: Vec<(String, String)>,
    v: CampaignForm,
    chosen: Vec<i64>,
    errors: FormErrors,
}

impl CampaignNewPage {
    fn is_chosen(&self, id: &OrgId) -> bool {
        self.chosen.contains(&id.0)
    }
}

#[derive(Deserialize, Default)]
struct CampaignForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    /// One item a line.
    #[serde(default)]
    items: String,
    /// Categories, one a line.
    #[serde(default)]
    categories: String,
}

fn campaign_page(
    ctx: &Ctx,
    schools: Vec<OrgRef>,
    v: CampaignForm,
    chosen: Vec<i64>,
    errors: FormErrors,
) -> Result<Response, Error> {
    let c = Chrome::for_ctx(ctx, "campaign.new", "/inspections");
    let kinds = CampaignKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.label(k)))
        .collect();
    render(&CampaignNewPage {
        c,
        schools,
        kinds,
        v,
        chosen,
        errors,
    })
}

pub async fn campaign_new(ctx: Ctx) -> Result<Response, Error> {
    let schools = ctx.db().plan_schools().await?;
    let today = crate::storage::risk_points::today();
    let v = CampaignForm {
        kind: "seasonal".into(),
        starts_on: today.to_string(),
        ends_on: (today + Duration::days(30)).to_string(),
        ..Default::default()
    };
    campaign_page(&ctx, schools, v, Vec::new(), FormErrors::default())
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn date_field(s: &str, field: &str, c: &Chrome, errors: &mut FormErrors) -> NaiveDate {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            errors
                .fields
                .push((field.into(), c.msg("err.inspection.date")));
            crate::storage::risk_points::today()
        }
    }
}

pub async fn campaign_create(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let schools = ctx.db().plan_schools().await?;
    let v: CampaignForm = p.parse(&["school_ids"])?;
    let chosen: Vec<i64> = p
        .all("school_ids")
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let c = Chrome::for_ctx(&ctx, "campaign.new", "/inspections");
    let mut errors = FormErrors::default();
    let starts_on = date_field(&v.starts_on, "starts_on", &c, &mut errors);
    let ends_on = date_field(&v.ends_on, "ends_on", &c, &mut errors);
    let kind = CampaignKind::parse(&v.kind);
    if kind.is_none() {
        errors.fields.push(("kind".into(), c.msg("err.required")));
    }
    if let (false, Some(kind)) = (errors.any(), kind) {
        let input = NewCampaign {
            name: v.name.clone(),
            kind,
            description: v.description.clone(),
            starts_on,
            ends_on,
            items: lines(&v.items),
            categories: lines(&v.categories),
            school_ids: chosen.iter().map(|i| OrgId(*i)).collect(),
            org_id: None,
        };
        match ctx.db().create_campaign(&input).await {
            Ok(d) => return Ok(see_other(&format!("/campaigns/{}", d.campaign.id.0))),
            Err(e) => match FormErrors::from_error(&e, ctx.lang) {
                Some(fe) => errors = fe,
                None => return Err(e),
            },
        }
    }
    if errors.general.is_empty() {
        errors.general = c.msg("err.invalid_input");
    }
    refused(campaign_page(&ctx, schools, v, chosen, errors))
}

/// A form shown again with its errors answers 422, like every other refused form.
fn refused(page: Result<Response, Error>) -> Result<Response, Error> {
    let mut r = page?;
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

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
    let rows = ctx.db().list_cross().await?;
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
    let schools = db.plan_schools().await?;
    let inspectors = db.plan_inspectors().await?;
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
    let schools = db.plan_schools().await?;
    let inspectors = db.plan_inspectors().await?;
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
        match db.create_cross(&input).await {
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
    refused(render(&CrossNewPage {
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
    let a = ctx.db().get_cross(CrossAssignmentId(id)).await?;
    let can_inspect = a.inspector_user_id == ctx.actor.user_id() && a.inspection_id.is_none();
    render(&CrossOnePage {
        c: Chrome::for_ctx(&ctx, "cross.title", "/inspections"),
        a,
        can_inspect,
    })
}

/// The cross-inspection form (for the assigned inspector).
pub async fn cross_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let cl = ctx.db().cross_checklist(CrossAssignmentId(id)).await?;
    let c = Chrome::for_ctx(&ctx, "inspection.new", "/inspections");
    let rows = form_rows(&c, &cl);
    form_page(
        &ctx,
        &cl,
        c.label(&Kind::Cross),
        format!("/cross-inspections/{id}/inspect"),
        false,
        Vec::new(),
        rows,
        String::new(),
        crate::storage::risk_points::today().to_string(),
        FormErrors::default(),
    )
}

pub async fn cross_submit(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let cl = ctx.db().cross_checklist(CrossAssignmentId(id)).await?;
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
