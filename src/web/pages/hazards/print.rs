//! The printed documents of the hazard loop, for A4 with print styles and no outside
//! resources: the rectification notice with its reply slip (整改通知书/回执), the hazard
//! ledger (隐患台账) and the yearly 销号 ledger, each with its .xlsx.

use super::*;

#[derive(Template)]
#[template(path = "hazards/notice.html")]
struct NoticePage {
    c: Chrome,
    print_css: String,
    d: HazardDetail,
    number: String,
    responsible: String,
    inspector: String,
    found_on: String,
    place: String,
    /// The issuing body: the school, or the district when a bureau user issued it.
    issuer: String,
}

/// The rectification notice (整改通知书) of a hazard with its reply slip, for A4.
pub async fn notice(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let db = ctx.db();
    let d = db.hazards().get(HazardId(id)).await?;
    if d.notice.is_none() {
        return Err(Error::Conflict("err.hazard.no_notice".into()));
    }
    let users = db.hazards().school_users(d.summary.school_id).await?;
    let responsible = d
        .notice
        .as_ref()
        .and_then(|n| users.iter().find(|u| u.id.0 == n.responsible_user_id))
        .map(|u| u.display_name.clone())
        .or_else(|| d.summary.responsible_name.clone())
        .unwrap_or_default();
    let year = d
        .notice
        .as_ref()
        .map(|n| n.issued_on.format("%Y").to_string())
        .unwrap_or_default();
    let place = [
        d.summary.zone_name.clone(),
        d.summary.risk_point_name.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let issued_by_school = d
        .notice
        .as_ref()
        .is_some_and(|n| users.iter().any(|u| u.id.0 == n.issued_by));
    let issuer = if issued_by_school {
        d.summary.school_name.clone()
    } else {
        d.district_name.clone()
    };
    let mut c = Chrome::for_ctx(&ctx, "hazard.notice.title", "/hazards");
    c.title = tr(ctx.lang, "hazard.notice.title");
    render(&NoticePage {
        issuer,
        print_css: crate::web::assets::url("hazards.css"),
        number: format!("ZG-{}-{year}-{:05}", d.summary.school_code, d.summary.id.0),
        responsible,
        inspector: d.summary.reported_by_name.clone(),
        found_on: local(&d.summary.reported_at)[..10].to_string(),
        place,
        c,
        d,
    })
}

#[derive(Template)]
#[template(path = "hazards/ledger.html")]
struct LedgerPage {
    c: Chrome,
    print_css: String,
    title: String,
    scope: String,
    period: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    overdue: Vec<bool>,
    xlsx: String,
    f: HazardFilter,
    generated: String,
}

impl LedgerPage {
    fn date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
}

/// The hazard ledger (隐患台账) of a school or district for a period, printable, with its
/// .xlsx.
pub async fn ledger(ctx: Ctx, q: Q<HazardFilter>) -> Result<Response, Error> {
    let f = query(q)?;
    let db = ctx.db();
    let items = db.hazards().all(&f).await?;
    let scope = match f.org_id {
        Some(o) => db.orgs().get_for_view(OrgId(o)).await?.name,
        None => ctx.actor.org_name().to_string(),
    };
    let period = match (f.from, f.to) {
        (None, None) => tr(ctx.lang, "hazard.ledger.all_time"),
        (a, b) => format!(
            "{} — {}",
            a.map(|d| d.to_string()).unwrap_or_default(),
            b.map(|d| d.to_string()).unwrap_or_default()
        ),
    };
    let c = Chrome::for_ctx(&ctx, "hazard.ledger.title", "/hazards");
    render(&LedgerPage {
        print_css: crate::web::assets::url("hazards.css"),
        title: tr(ctx.lang, "hazard.ledger.title"),
        headers: LEDGER_COLUMNS.iter().map(|k| tr(ctx.lang, k)).collect(),
        rows: items.iter().map(|h| ledger_row(ctx.lang, h)).collect(),
        overdue: items.iter().map(|h| h.overdue).collect(),
        xlsx: format!("/api/v1/hazards/export.xlsx?{}", filter_query(&f)),
        generated: today().to_string(),
        scope,
        period,
        f,
        c,
    })
}

#[derive(Template)]
#[template(path = "hazards/closures.html")]
struct ClosuresPage {
    c: Chrome,
    print_css: String,
    title: String,
    scope: String,
    year: i32,
    org_id: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    xlsx: String,
    generated: String,
}

/// The yearly 销号 ledger, printable, with its .xlsx.
pub async fn closures(ctx: Ctx, q: Q<ClosuresQ>) -> Result<Response, Error> {
    let q = query(q)?;
    let year = q.year();
    let db = ctx.db();
    let items: Vec<ClosureRow> = db.hazards().closure_ledger(q.org_id, year).await?;
    let scope = match q.org_id {
        Some(o) => db.orgs().get_for_view(OrgId(o)).await?.name,
        None => ctx.actor.org_name().to_string(),
    };
    let org = q.org_id.map(|o| o.to_string()).unwrap_or_default();
    let c = Chrome::for_ctx(&ctx, "hazard.closures.title", "/hazards");
    render(&ClosuresPage {
        print_css: crate::web::assets::url("hazards.css"),
        title: tr(ctx.lang, "hazard.closures.title"),
        headers: CLOSURE_COLUMNS.iter().map(|k| tr(ctx.lang, k)).collect(),
        rows: items.iter().map(|r| closure_row(ctx.lang, r)).collect(),
        xlsx: format!("/api/v1/hazards/closures.xlsx?year={year}&org_id={org}"),
        generated: today().to_string(),
        org_id: org,
        scope,
        year,
        c,
    })
}
