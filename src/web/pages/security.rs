//! Pages of the security register: a school's guards and equipment with every shortfall
//! named and the form to register an entry; the bureau's roll-up of every school's
//! shortfalls.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::{EquipmentId, OrgId};
use crate::domain::security::{EquipmentKind, Gap};
use crate::error::Error;
use crate::policy::Action;
use crate::storage::security::{EntryPatch, NewEntry, Register, RollupQuery, RollupRow};
use crate::storage::views::OrgRef;
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

/// `缺少一键报警`, `保安员不足（2/3）`, `录像保存不足 30 天：东门摄像头`.
pub(crate) fn gap_text(c: &Chrome, g: &Gap) -> String {
    let mut s = c.label(&g.code);
    if let (Some(have), Some(need)) = (g.have, g.need) {
        s.push_str(&format!(" ({have}/{need})"));
    } else if let Some(need) = g.need {
        s.push_str(&format!(" (≥ {need})"));
    }
    if !g.names.is_empty() {
        s.push_str(&format!("：{}", g.names.join("、")));
    }
    s
}

#[derive(Template)]
#[template(path = "security/register.html")]
struct RegisterPage {
    c: Chrome,
    r: Register,
    can_write: bool,
    kinds: Vec<(String, String)>,
    v: EntryForm,
    errors: FormErrors,
    /// The entry whose edit form was refused: its form is shown open.
    open: Option<EquipmentId>,
}

impl RegisterPage {
    fn is_open(&self, id: &EquipmentId) -> bool {
        self.open == Some(*id)
    }
    fn is(&self, k: &EquipmentKind, code: &str) -> bool {
        k.as_str() == code
    }
    fn gap(&self, g: &Gap) -> String {
        gap_text(&self.c, g)
    }
    fn flag(&self, v: &Option<bool>) -> String {
        match v {
            Some(true) => self.c.t("common.yes"),
            Some(false) => self.c.t("common.no"),
            None => "—".into(),
        }
    }
    fn num(&self, v: &Option<i32>) -> String {
        v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
    }
    /// A linked device's last event, China time (`—` never seen).
    fn seen(&self, t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
        t.as_ref()
            .map(super::china_time)
            .unwrap_or_else(|| "—".into())
    }
}

async fn register_page(
    ctx: &Ctx,
    school: i64,
    v: EntryForm,
    errors: FormErrors,
    open: Option<i64>,
) -> Result<Response, Error> {
    let rules = ctx.config().security_register;
    let r = ctx
        .db_as(Action::SecurityView)?
        .security()
        .register(OrgId(school), &rules, ctx.config().devices.offline_minutes)
        .await?;
    let mut c = Chrome::for_ctx(ctx, "security.title", "/security-equipment");
    c.title = format!("{} · {}", c.t("security.title"), r.school.name);
    let kinds = EquipmentKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.label(k)))
        .collect();
    let failed = errors.any();
    let mut resp = render(&RegisterPage {
        can_write: c.can(ctx.actor.role(), Action::SecurityWrite),
        c,
        r,
        kinds,
        v,
        errors,
        open: open.map(EquipmentId),
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn register(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    register_page(&ctx, id, EntryForm::default(), FormErrors::default(), None).await
}

/// The "register an entry" form.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EntryForm {
    kind: String,
    name: String,
    location: String,
    quantity: String,
    retention_days: String,
    linked_police: String,
    licence: String,
    birth_year: String,
    working: String,
}

fn opt_num(field: &str, v: &str) -> Result<Option<i32>, Error> {
    match v.trim() {
        "" => Ok(None),
        n => n
            .parse()
            .map(Some)
            .map_err(|_| Error::field(field, "err.security.number")),
    }
}

impl EntryForm {
    fn input(&self) -> Result<NewEntry, Error> {
        let kind = EquipmentKind::parse(self.kind.trim())
            .ok_or_else(|| Error::field("kind", "err.security.kind"))?;
        let guard = kind == EquipmentKind::Guard;
        Ok(NewEntry {
            kind,
            name: self.name.clone(),
            location: self.location.clone(),
            quantity: if guard {
                None
            } else {
                opt_num("quantity", &self.quantity)?
            },
            working: Some(self.working != "0"),
            linked_police: (kind == EquipmentKind::OneKeyAlarm).then(|| self.linked_police == "1"),
            retention_days: if kind == EquipmentKind::Camera {
                opt_num("retention_days", &self.retention_days)?
            } else {
                None
            },
            licence: if guard {
                self.licence.clone()
            } else {
                String::new()
            },
            birth_year: if guard {
                opt_num("birth_year", &self.birth_year)?
            } else {
                None
            },
            full_time: guard.then_some(true),
        })
    }
}

pub async fn add(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EntryForm>,
) -> Result<Response, Error> {
    let rules = ctx.config().security_register;
    let res = match f.input() {
        Ok(input) => {
            let offline = ctx.config().devices.offline_minutes;
            ctx.db()
                .security()
                .add(OrgId(id), input, &rules, offline)
                .await
        }
        Err(e) => {
            // Scope and role first, as for a well-formed form.
            ctx.db().security().check_school(OrgId(id)).await?;
            Err(e)
        }
    };
    match res {
        Ok(_) => Ok(see_other(&format!("/schools/{id}/security-equipment"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => register_page(&ctx, id, f, errors, None).await,
            None => Err(e),
        },
    }
}

/// The edit form in an entry's row as typed: what can change after it was registered (a
/// fault found or repaired, the recording days, the police link, the quantity, a licence) and
/// retiring it. The school and the kind come with the form (neither changes): only the fields
/// of the entry's kind are sent (a camera's recording days, an alarm's police link, a guard's
/// licence); an empty number leaves the value as it is.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EditForm {
    school_id: String,
    kind: String,
    quantity: String,
    retention_days: String,
    linked_police: String,
    licence: String,
    faulty: String,
    retire: String,
}

impl EditForm {
    /// The change to send. A number that is not one is sent as a value the storage refuses
    /// (so the entry's scope, role and retirement are checked first, as for any write).
    fn patch(&self, kind: EquipmentKind) -> EntryPatch {
        let num = |v: &str, bad: i32| match v.trim() {
            "" => None,
            n => Some(n.parse().unwrap_or(bad)),
        };
        let guard = kind == EquipmentKind::Guard;
        EntryPatch {
            working: Some(self.faulty != "1"),
            linked_police: (kind == EquipmentKind::OneKeyAlarm).then(|| self.linked_police == "1"),
            retention_days: if kind == EquipmentKind::Camera {
                num(&self.retention_days, -1)
            } else {
                None
            },
            licence: guard.then(|| self.licence.clone()),
            quantity: if guard { None } else { num(&self.quantity, 0) },
            retired: (self.retire == "1").then_some(true),
        }
    }
}

/// Saves an entry's edit form (the same write as `PATCH /api/v1/security-equipment/{id}`);
/// back to the register at the entry. The storage answers 404 out of scope and refuses a
/// field of another kind; a refused form shows the register with the entry's form open and
/// the reasons; an entry retired since the page was opened (409) shows the register as it is
/// now with a message saying so.
pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Result<Response, Error> {
    let rules = ctx.config().security_register;
    let kind = EquipmentKind::parse(f.kind.trim()).unwrap_or(EquipmentKind::Other);
    let res = ctx
        .db()
        .security()
        .update(
            EquipmentId(id),
            f.patch(kind),
            &rules,
            ctx.config().devices.offline_minutes,
        )
        .await;
    let school = f.school_id.trim().parse::<i64>().ok();
    match (res, school) {
        (Ok(r), _) => Ok(see_other(&format!(
            "/schools/{}/security-equipment#entry-{id}",
            r.school.id
        ))),
        (Err(Error::Conflict(key)), Some(school)) if key == "err.security.retired" => {
            let errors = FormErrors {
                general: crate::i18n::tr(ctx.lang, "security.retired_now"),
                fields: Vec::new(),
            };
            let mut resp = register_page(&ctx, school, EntryForm::default(), errors, None).await?;
            *resp.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(resp)
        }
        (Err(e), Some(school)) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => {
                let mut general = errors.general;
                for (_, m) in errors.fields {
                    general.push_str(" · ");
                    general.push_str(&m);
                }
                let errors = FormErrors {
                    general,
                    fields: Vec::new(),
                };
                register_page(&ctx, school, EntryForm::default(), errors, Some(id)).await
            }
            None => Err(e),
        },
        (Err(e), None) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "security/rollup.html")]
struct RollupPage {
    c: Chrome,
    org: OrgRef,
    rows: Vec<RollupRow>,
}

impl RollupPage {
    fn gap(&self, g: &Gap) -> String {
        gap_text(&self.c, g)
    }
    fn with_gaps(&self) -> usize {
        self.rows.iter().filter(|r| !r.gaps.is_empty()).count()
    }
}

pub async fn rollup(
    ctx: Ctx,
    q: Result<Query<RollupQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Error> {
    let q = q
        .map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))?;
    let rules = ctx.config().security_register;
    let (org, rows) = ctx.db().security().rollup(&q, &rules).await?;
    let c = Chrome::for_ctx(&ctx, "security.rollup", "/security-equipment");
    render(&RollupPage { c, org, rows })
}
