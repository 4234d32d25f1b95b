//! The security register (item 16 of the work plan, domain brief §6): each school's full-time
//! guards and technical protection (one-key alarms and whether they reach the police, cameras
//! with their recording days, access control, perimeter, anti-collision devices at the gate
//! …), checked against `[security_register]` by the pure [`check`] with every shortfall named;
//! the bureau's roll-up lists every school's shortfalls. The early warning's devices that are
//! security equipment are entries of this register ([`linked`]).

mod linked;
mod places;
mod write;

pub use linked::{DEVICE_KINDS, LinkedDevice, register_kind};
pub(crate) use linked::{Linked, check_in_use, entry_for_new_device, existing_entry};

use super::entity::{org, security_equipment as equipment};
use super::orgs::SchoolOwned;
use crate::domain::Code;
use crate::domain::ids::{EquipmentId, OrgId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::security::{Campus, Entry, EquipmentKind, Gap, SecurityRules, check};
use crate::error::{Error, FieldError, Result};
use crate::storage::Security;
use crate::storage::read::ReadAll as _;
use crate::storage::views::OrgRef;
use chrono::{DateTime, Datelike, Utc};
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait as _;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

closed_codes! {
    AuditCode:
    /// What the security register writes.
    pub enum SecurityAudit {
        Add = "security_equipment.add",
        Update = "security_equipment.update",
    }
}

impl SchoolOwned for equipment::Entity {
    fn school_of(m: &Self::Model) -> OrgId {
        m.school_id
    }
}

const MAX_NAME: usize = 100;

/// One entry of the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EquipmentEntry {
    pub id: EquipmentId,
    pub kind: EquipmentKind,
    pub name: String,
    pub location: String,
    pub quantity: i32,
    pub working: bool,
    pub linked_police: Option<bool>,
    pub retention_days: Option<i32>,
    /// A guard's licence number (保安员证).
    pub licence: String,
    pub birth_year: Option<i32>,
    pub full_time: Option<bool>,
    pub updated_by_name: String,
    pub updated_at: DateTime<Utc>,
    /// The early warning's devices this entry is (code, online, last seen); none for an
    /// entry registered by hand only.
    pub devices: Vec<LinkedDevice>,
}

/// A school's register with its shortfalls.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SecurityRegister)]
pub struct Register {
    pub school: OrgRef,
    /// Pupils and staff: what the guards are counted by.
    pub people_on_campus: i64,
    pub guards: i64,
    pub guards_required: i64,
    pub entries: Vec<EquipmentEntry>,
    pub gaps: Vec<Gap>,
}

/// A new entry (`POST /api/v1/schools/{id}/security-equipment`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    pub kind: EquipmentKind,
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub quantity: Option<i32>,
    #[serde(default)]
    pub working: Option<bool>,
    /// A one-key alarm: linked to the police (110).
    #[serde(default)]
    pub linked_police: Option<bool>,
    /// Cameras: days their recordings are kept.
    #[serde(default)]
    pub retention_days: Option<i32>,
    #[serde(default)]
    pub licence: String,
    #[serde(default)]
    pub birth_year: Option<i32>,
    #[serde(default)]
    pub full_time: Option<bool>,
}

/// A change of an entry (`PATCH /api/v1/security-equipment/{id}`): a fault found or
/// repaired, a recorder reconfigured, a licence obtained, the entry retired.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryPatch {
    #[serde(default)]
    pub working: Option<bool>,
    #[serde(default)]
    pub linked_police: Option<bool>,
    #[serde(default)]
    pub retention_days: Option<i32>,
    #[serde(default)]
    pub licence: Option<String>,
    #[serde(default)]
    pub quantity: Option<i32>,
    #[serde(default)]
    pub retired: Option<bool>,
}

/// An entry of the register as a device's pages name it: the choices of the registration
/// form, the entry a device is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryRef {
    pub id: EquipmentId,
    pub school_id: OrgId,
    pub kind: EquipmentKind,
    pub name: String,
    pub location: String,
    pub retired: bool,
}

impl From<equipment::Model> for EntryRef {
    fn from(m: equipment::Model) -> Self {
        EntryRef {
            id: m.id,
            school_id: m.school_id,
            kind: EquipmentKind::parse(&m.kind).unwrap_or(EquipmentKind::Other),
            name: m.name,
            location: m.location,
            retired: m.retired,
        }
    }
}

/// Under which node (`org_id`, the caller's own by default).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupQuery {
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// One school of the bureau's roll-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SecurityRollupRow)]
pub struct RollupRow {
    pub school: OrgRef,
    pub guards: i64,
    pub guards_required: i64,
    pub gaps: Vec<Gap>,
}

fn entry(m: &equipment::Model, places: &places::Places) -> Entry {
    Entry {
        zones: places.get(&m.id).cloned().unwrap_or_default(),
        id: m.id.0,
        kind: EquipmentKind::parse(&m.kind).unwrap_or(EquipmentKind::Other),
        name: m.name.clone(),
        location: m.location.clone(),
        quantity: m.quantity,
        working: m.working,
        linked_police: m.linked_police,
        retention_days: m.retention_days,
        licence: m.licence.clone(),
        birth_year: m.birth_year,
        full_time: m.full_time,
    }
}

fn view(m: equipment::Model, devices: Vec<LinkedDevice>) -> EquipmentEntry {
    EquipmentEntry {
        devices,
        id: m.id,
        kind: EquipmentKind::parse(&m.kind).unwrap_or(EquipmentKind::Other),
        name: m.name,
        location: m.location,
        quantity: m.quantity,
        working: m.working,
        linked_police: m.linked_police,
        retention_days: m.retention_days,
        licence: m.licence,
        birth_year: m.birth_year,
        full_time: m.full_time,
        updated_by_name: m.updated_by_name,
        updated_at: m.updated_at,
    }
}

fn campus(s: &org::Model) -> Campus {
    Campus {
        pupils: i64::from(s.students),
        staff: i64::from(s.staff),
        boarding: s.boarding,
    }
}

fn guards(rows: &[equipment::Model]) -> i64 {
    rows.iter()
        .filter(|r| r.kind == EquipmentKind::Guard.as_str() && r.full_time != Some(false))
        .count() as i64
}

fn checked(
    s: &org::Model,
    rows: &[equipment::Model],
    places: &places::Places,
    rules: &SecurityRules,
) -> Vec<Gap> {
    let entries: Vec<Entry> = rows.iter().map(|r| entry(r, places)).collect();
    check(&entries, campus(s), rules, crate::clock::today().year())
}

/// Field errors of the values an entry takes.
fn value_errs(
    retention_days: Option<i32>,
    quantity: Option<i32>,
    licence: Option<&str>,
    errs: &mut Vec<FieldError>,
) {
    if retention_days.is_some_and(|d| !(0..=3650).contains(&d)) {
        errs.push(FieldError::new("retention_days", "err.security.retention"));
    }
    if quantity.is_some_and(|q| !(1..=10_000).contains(&q)) {
        errs.push(FieldError::new("quantity", "err.security.quantity"));
    }
    if licence.is_some_and(|l| l.chars().count() > MAX_NAME) {
        errs.push(FieldError::new("licence", "err.security.too_long"));
    }
}

impl Security<'_> {
    async fn rows(&self, schools: &[OrgId]) -> Result<Vec<equipment::Model>> {
        equipment::Entity::find()
            .filter(equipment::Column::SchoolId.is_in(schools.iter().copied()))
            .filter(equipment::Column::Retired.eq(false))
            .order_by_asc(equipment::Column::Kind)
            .order_by_asc(equipment::Column::Id)
            .read_all(&self.read)
            .await
    }

    /// The register of a school in scope with its shortfalls, each entry with its devices
    /// (online: an event within `offline_minutes`).
    pub async fn register(
        &self,
        school: OrgId,
        rules: &SecurityRules,
        offline_minutes: u32,
    ) -> Result<Register> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let rows = self.rows(&[s.id]).await?;
        let at = places::places(&self.read, std::slice::from_ref(&s), &rows).await?;
        let gaps = checked(&s, &rows, &at, rules);
        let c = campus(&s);
        let ids: Vec<EquipmentId> = rows.iter().map(|r| r.id).collect();
        let mut devices = linked::devices_of(&self.read, &ids, offline_minutes).await?;
        Ok(Register {
            people_on_campus: c.pupils + c.staff,
            guards: guards(&rows),
            guards_required: rules.guards_required(c.pupils + c.staff),
            gaps,
            entries: rows
                .into_iter()
                .map(|r| {
                    let d = devices.remove(&r.id).unwrap_or_default();
                    view(r, d)
                })
                .collect(),
            school: s.into(),
        })
    }

    /// The entries in use of a school in scope that a device may join: those of the register
    /// kinds of [`DEVICE_KINDS`], by kind and name.
    pub async fn joinable(&self, school: OrgId) -> Result<Vec<EntryRef>> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let kinds: Vec<&str> = DEVICE_KINDS.iter().map(|(_, k)| k.as_str()).collect();
        let rows = equipment::Entity::find()
            .filter(equipment::Column::SchoolId.eq(s.id))
            .filter(equipment::Column::Retired.eq(false))
            .filter(equipment::Column::Kind.is_in(kinds))
            .order_by_asc(equipment::Column::Kind)
            .order_by_asc(equipment::Column::Name)
            .order_by_asc(equipment::Column::Id)
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(EntryRef::from).collect())
    }

    /// One entry of a school in scope (retired or not), as a device's page names it.
    pub async fn entry_ref(&self, id: EquipmentId) -> Result<EntryRef> {
        let (m, _) = self.owned::<equipment::Entity>(id, &self.read).await?;
        self.permit()?;
        Ok(m.into())
    }

    /// Scope, then role, for a form refused before it reached the write (404, then 403).
    pub async fn check_school(&self, school: OrgId) -> Result<()> {
        self.school_row(school, &self.read).await?;
        self.permit()
    }

    /// The shortfalls of a school already looked up in scope (for the star rating).
    pub(crate) async fn gaps_of(&self, s: &org::Model, rules: &SecurityRules) -> Result<Vec<Gap>> {
        let rows = self.rows(&[s.id]).await?;
        let at = places::places(&self.read, std::slice::from_ref(s), &rows).await?;
        Ok(checked(s, &rows, &at, rules))
    }

    /// Every school in scope under `org_id` with its shortfalls, the most first.
    pub async fn rollup(
        &self,
        q: &RollupQuery,
        rules: &SecurityRules,
    ) -> Result<(OrgRef, Vec<RollupRow>)> {
        let root = match q.org_id {
            Some(id) => self.org_row(OrgId(id), &self.read).await?,
            None => {
                self.permit()?;
                let id = self.actor.org_id.ok_or(Error::NotFound)?;
                self.org_row(id, &self.read).await?
            }
        };
        self.permit()?;
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        let schools = org::Entity::find()
            .filter(self.org_scope())
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        let ids: Vec<OrgId> = schools.iter().map(|s| s.id).collect();
        let rows = self.rows(&ids).await?;
        let at = places::places(&self.read, &schools, &rows).await?;
        let mut out: Vec<RollupRow> = schools
            .into_iter()
            .map(|s| {
                let mine: Vec<equipment::Model> = rows
                    .iter()
                    .filter(|r| r.school_id == s.id)
                    .cloned()
                    .collect();
                let c = campus(&s);
                RollupRow {
                    guards: guards(&mine),
                    guards_required: rules.guards_required(c.pupils + c.staff),
                    gaps: checked(&s, &mine, &at, rules),
                    school: s.into(),
                }
            })
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.gaps.len()));
        Ok((root.into(), out))
    }
}
