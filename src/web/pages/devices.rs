//! A school's devices of the early warning: the list with online state, last values and the
//! token's state; registering a device; replacing and revoking its token. A new token is
//! shown on the page that answers the form, once, and never again. A device that is security
//! equipment (a camera, an alarm button, an access gate) is an entry of the school's security
//! register: the form offers the school's entries in use of those kinds to join, or a new
//! entry (another school's entry is not found; one of another kind or retired is refused on
//! the form). One device's page is in [`detail`].

use super::{Chrome, FormErrors, china_time, render, see_other};
use crate::domain::Code;
use crate::domain::device::DeviceKind;
use crate::domain::ids::{DeviceId, EquipmentId, OrgId, ZoneId};
use crate::error::Error;
use crate::policy::Action;
use crate::storage::devices::{Device, DevicePatch, NewDevice};
use crate::storage::security::EntryRef;
use crate::storage::views::Zone;
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

mod detail;
pub use detail::detail;

#[derive(Deserialize, Default)]
pub struct DeviceForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    zone_id: String,
    /// The register entry to join (its id), or empty: a new entry.
    #[serde(default)]
    equipment_id: String,
}

impl DeviceForm {
    /// The entry chosen: none (a new one), an id, or a value that names no entry (`Err`).
    fn equipment(&self) -> Result<Option<EquipmentId>, Error> {
        let v = self.equipment_id.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse()
            .map(|id| Some(EquipmentId(id)))
            .map_err(|_| Error::NotFound)
    }
}

#[derive(Template)]
#[template(path = "devices/list.html")]
struct ListPage {
    c: Chrome,
    school: OrgId,
    devices: Vec<Device>,
    zones: Vec<Zone>,
    kinds: Vec<(String, String)>,
    /// The school's register entries in use a device may join.
    entries: Vec<EntryRef>,
    can_manage: bool,
    v: DeviceForm,
    errors: FormErrors,
    /// A token just issued: (device code, token), shown this once.
    issued: Option<(String, String)>,
}

impl ListPage {
    fn zone_name(&self, id: &Option<ZoneId>) -> String {
        id.and_then(|id| self.zones.iter().find(|z| z.id == id))
            .map(|z| z.name.clone())
            .unwrap_or_else(|| "—".into())
    }
    fn seen(&self, d: &Device) -> String {
        d.last_seen_at
            .as_ref()
            .map(china_time)
            .unwrap_or_else(|| "—".into())
    }
    /// The entries a device may join, grouped by their register kind: (kind's label,
    /// [(id, name · location)]).
    fn entry_groups(&self) -> Vec<(String, Vec<(String, String)>)> {
        let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (_, kind) in crate::storage::security::DEVICE_KINDS {
            let items: Vec<(String, String)> = self
                .entries
                .iter()
                .filter(|e| e.kind == *kind)
                .map(|e| {
                    let label = if e.location.is_empty() {
                        e.name.clone()
                    } else {
                        format!("{} · {}", e.name, e.location)
                    };
                    (e.id.to_string(), label)
                })
                .collect();
            if !items.is_empty() {
                out.push((self.c.label(kind), items));
            }
        }
        out
    }
    /// `smoke=0 · temperature_c=21.5`
    fn values(&self, d: &Device) -> String {
        match d.last_values.as_object() {
            Some(m) if !m.is_empty() => m
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" · "),
            _ => "—".into(),
        }
    }
}

async fn page(
    ctx: &Ctx,
    school: OrgId,
    v: DeviceForm,
    errors: FormErrors,
    issued: Option<(String, String)>,
) -> Result<Response, Error> {
    let offline = ctx.config().devices.offline_minutes;
    let devices = ctx
        .db_as(Action::DeviceView)?
        .devices()
        .list(school, offline)
        .await?;
    let zones = ctx.db_as(Action::ZoneView)?.zones().list(school).await?;
    let c = Chrome::for_ctx(ctx, "device.title", "/schools");
    let failed = errors.any();
    let kinds = DeviceKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.label(k)))
        .collect();
    let can_manage = c.can(ctx.actor.role(), Action::DeviceManage);
    let entries = if can_manage && c.can(ctx.actor.role(), Action::SecurityView) {
        ctx.db_as(Action::SecurityView)?
            .security()
            .joinable(school)
            .await?
    } else {
        Vec::new()
    };
    let mut r = render(&ListPage {
        can_manage,
        entries,
        c,
        school,
        devices,
        zones,
        kinds,
        v,
        errors,
        issued,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn list(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    page(
        &ctx,
        OrgId(id),
        DeviceForm::default(),
        FormErrors::default(),
        None,
    )
    .await
}

pub async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(v): Form<DeviceForm>,
) -> Result<Response, Error> {
    let school = OrgId(id);
    let Some(kind) = DeviceKind::parse(&v.kind) else {
        let e = Error::field("kind", "err.required");
        let fe = FormErrors::from_error(&e, ctx.lang).unwrap_or_default();
        return page(&ctx, school, v, fe, None).await;
    };
    let input = NewDevice {
        code: v.code.clone(),
        kind,
        name: v.name.clone(),
        zone_id: v.zone_id.trim().parse().ok().map(ZoneId),
        risk_point_id: None,
        equipment_id: v.equipment()?,
    };
    let offline = ctx.config().devices.offline_minutes;
    match ctx.db().devices().create(school, input, offline).await {
        Ok(d) => {
            let issued = Some((d.device.code.clone(), d.token));
            page(
                &ctx,
                school,
                DeviceForm::default(),
                FormErrors::default(),
                issued,
            )
            .await
        }
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => page(&ctx, school, v, fe, None).await,
            None => Err(e),
        },
    }
}

/// Where a token form came from: `device` (the device's own page) is answered there; else
/// the school's list.
#[derive(Deserialize, Default)]
pub struct BackForm {
    #[serde(default)]
    back: String,
}

impl BackForm {
    fn to_device(&self) -> bool {
        self.back == "device"
    }
}

pub async fn token(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(back): Form<BackForm>,
) -> Result<Response, Error> {
    let offline = ctx.config().devices.offline_minutes;
    let t = ctx.db().devices().rotate_token(DeviceId(id)).await?;
    if back.to_device() {
        return detail::page(&ctx, DeviceId(id), Some(t.token)).await;
    }
    let d = ctx
        .db_as(Action::DeviceView)?
        .devices()
        .get(DeviceId(id), offline)
        .await?;
    let issued = Some((d.code, t.token));
    page(
        &ctx,
        d.school_id,
        DeviceForm::default(),
        FormErrors::default(),
        issued,
    )
    .await
}

pub async fn revoke(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(back): Form<BackForm>,
) -> Result<Response, Error> {
    let offline = ctx.config().devices.offline_minutes;
    let patch = DevicePatch {
        revoked: Some(true),
        ..DevicePatch::default()
    };
    let d = ctx
        .db()
        .devices()
        .update(DeviceId(id), patch, offline)
        .await?;
    if back.to_device() {
        return Ok(see_other(&format!("/devices/{}", d.id)));
    }
    Ok(see_other(&format!("/schools/{}/devices", d.school_id)))
}
