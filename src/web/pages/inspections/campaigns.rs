//! Campaigns: the list, one campaign and the form that starts one.

use super::date_field;
use crate::domain::Code;
use crate::domain::ids::{CampaignId, OrgId};
use crate::error::Error;
use crate::storage::inspections::{Campaign, CampaignDetail, CampaignKind, NewCampaign};
use crate::storage::views::OrgRef;
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::pages::{Chrome, FormErrors, render, see_other};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use chrono::Duration;
use serde::Deserialize;

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
    let rows = ctx.db().inspections().list_campaigns().await?;
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
    let d = ctx.db().inspections().get_campaign(CampaignId(id)).await?;
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
    let schools = ctx.db().inspections().plan_schools().await?;
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

pub async fn campaign_create(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let schools = ctx.db().inspections().plan_schools().await?;
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
        match ctx.db().inspections().create_campaign(&input).await {
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
    super::refused(campaign_page(&ctx, schools, v, chosen, errors))
}
