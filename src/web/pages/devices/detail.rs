//! One device: where it is, the entry of the security register it is (a camera, an alarm
//! button, an access gate; linked to the entry's row of the register), whether it is heard
//! from, its last values with their units, its token's state (with the replace and revoke forms for those who manage devices), its open
//! warnings, and the events and whole payloads it sent that were refused, with their reasons.

use super::{Chrome, china_time, render};
use crate::domain::Code;
use crate::domain::ids::DeviceId;
use crate::domain::reading::{PAYLOAD_REASONS, Reason};
use crate::domain::warning::{Level, Metric};
use crate::error::Error;
use crate::policy::{self, Action};
use crate::storage::devices::{Device, REJECTIONS_SHOWN, Rejection};
use crate::storage::security::EntryRef;
use crate::storage::warnings::{Warning, WarningFilter};
use crate::web::ctx::Ctx;
use crate::web::i18n::tr;
use crate::web::pages::warnings::{colour as level_colour, what as warning_what};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;

/// Open warnings listed on the page (the newest; the warnings list has them all).
const WARNINGS_SHOWN: u64 = 20;

#[derive(Template)]
#[template(path = "devices/detail.html")]
struct DetailPage {
    c: Chrome,
    d: Device,
    school_name: String,
    zone: Option<String>,
    /// The risk point's name, when the device is at one.
    point: Option<String>,
    /// The register entry the device is, when it is security equipment.
    equipment: Option<EntryRef>,
    rejections: Vec<Rejection>,
    warnings: Vec<Warning>,
    /// All the device's open warnings (more than are listed, perhaps).
    open_total: u64,
    can_manage: bool,
    /// A token just issued, shown this once.
    issued: Option<String>,
}

impl DetailPage {
    fn css(&self) -> String {
        crate::web::assets::url("warnings.css")
    }

    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        china_time(t)
    }

    fn seen(&self) -> String {
        self.d
            .last_seen_at
            .as_ref()
            .map(china_time)
            .unwrap_or_else(|| "—".into())
    }

    /// Each last value: the metric's label and the value with its unit.
    fn values(&self) -> Vec<(String, String)> {
        let Some(m) = self.d.last_values.as_object() else {
            return Vec::new();
        };
        m.iter()
            .map(|(k, v)| {
                let metric = Metric::parse(k);
                let label = metric
                    .map(|m| tr(self.c.lang, &m.label_key()))
                    .unwrap_or_else(|| k.clone());
                let unit = metric.map(Metric::unit).unwrap_or("");
                let value = match v.as_f64() {
                    Some(n) => n.to_string(),
                    None => v.to_string(),
                };
                let shown = if unit.is_empty() {
                    value
                } else {
                    format!("{value} {unit}")
                };
                (label, shown)
            })
            .collect()
    }

    /// A refusal's reason as its catalogue label (an unknown code as it is).
    fn reason(&self, r: &Rejection) -> String {
        let known =
            Reason::parse(&r.reason).is_some() || PAYLOAD_REASONS.contains(&r.reason.as_str());
        if known {
            tr(self.c.lang, &format!("ingest_reason.{}", r.reason))
        } else {
            r.reason.clone()
        }
    }

    /// A whole payload refused before its events were read (no event, no position).
    fn whole(&self, r: &Rejection) -> bool {
        r.index < 0
    }

    /// `第 3 条事件`: the refused event's place in its batch, from 1.
    fn event_label(&self, r: &Rejection) -> String {
        tr(self.c.lang, "device_page.event").replace("%{n}", &(i64::from(r.index) + 1).to_string())
    }

    fn what(&self, w: &Warning) -> String {
        warning_what(self.c.lang, w)
    }

    fn colour(&self, l: &Level) -> String {
        level_colour(self.c.lang, *l)
    }

    fn rejections_hint(&self) -> String {
        tr(self.c.lang, "device_page.rejections_hint")
            .replace("%{n}", &REJECTIONS_SHOWN.to_string())
    }

    /// The register's page at the entry's row (a retired entry has no row: the page).
    fn equipment_href(&self, e: &EntryRef) -> String {
        let page = format!("/schools/{}/security-equipment", e.school_id);
        if e.retired {
            page
        } else {
            format!("{page}#entry-{}", e.id)
        }
    }

    /// The risk point's id and name.
    fn point_link(&self) -> Option<(i64, String)> {
        Some((self.d.risk_point_id?.0, self.point.clone()?))
    }
}

/// The device's page; `issued` is a token just issued by the replace form.
pub(super) async fn page(
    ctx: &Ctx,
    id: DeviceId,
    issued: Option<String>,
) -> Result<Response, Error> {
    let offline = ctx.config().devices.offline_minutes;
    let devices = ctx.db_as(Action::DeviceView)?;
    let d = devices.devices().get(id, offline).await?;
    let rejections = devices.devices().rejections(id).await?;
    let school_name = ctx
        .db_as(Action::SchoolView)?
        .schools()
        .get(d.school_id)
        .await?
        .name;
    let zone = match d.zone_id {
        Some(z) => Some(ctx.db_as(Action::ZoneView)?.zones().get(z).await?.name),
        None => None,
    };
    let point = match d.risk_point_id {
        Some(p) => Some(
            ctx.db_as(Action::RiskView)?
                .risk()
                .point(p)
                .await?
                .point
                .name,
        ),
        None => None,
    };
    let equipment = match d.equipment_id {
        Some(e) if policy::allows(ctx.actor.role(), Action::SecurityView) => Some(
            ctx.db_as(Action::SecurityView)?
                .security()
                .entry_ref(e)
                .await?,
        ),
        _ => None,
    };
    let open = ctx
        .db_as(Action::WarningView)?
        .warnings()
        .list(&WarningFilter {
            org_id: Some(d.school_id.0),
            device_id: Some(id.0),
            open: Some(true),
            per_page: Some(WARNINGS_SHOWN),
            ..WarningFilter::default()
        })
        .await?;
    let mut c = Chrome::for_ctx(ctx, "device.title", "/schools");
    c.title = format!("{} · {} {}", tr(c.lang, "device.title"), d.code, d.name);
    render(&DetailPage {
        can_manage: c.can(ctx.actor.role(), Action::DeviceManage),
        c,
        d,
        school_name,
        zone,
        point,
        equipment,
        rejections,
        open_total: open.total,
        warnings: open.items,
        issued,
    })
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    page(&ctx, DeviceId(id), None).await
}
