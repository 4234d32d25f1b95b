//! The org tree and schools, read and written through a [`Scoped`] handle.

use super::entity::org;
use super::views::{self, Features, Org, OrgRef, Page, School};
use super::{Scoped, audit::Event};
use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::domain::org::{OrgLevel, OrgPath, SchoolKind, valid_code};
use crate::domain::person::valid_phone;
use crate::error::{Error, FieldError, Result};
use crate::storage::read::{Fetch, ReadAll as _};
use crate::storage::{Orgs, Schools};
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, Condition, IntoActiveModel, QueryOrder, QuerySelect};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

closed_codes! {
    AuditCode:
    /// What the org tree, schools, people and zones record.
    pub enum OrgAudit {
        OrgCreate = "org.create",
        SchoolCreate = "school.create",
        SchoolUpdate = "school.update",
        SchoolImport = "school.import",
        PersonCreate = "person.create",
        PersonUpdate = "person.update",
        PersonRemove = "person.remove",
        PersonImport = "person.import",
        ZoneCreate = "zone.create",
        ZoneUpdate = "zone.update",
        ZoneImport = "zone.import",
    }
}

/// Filters of the school list.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SchoolFilter {
    pub kind: Option<String>,
    /// Part of the name or code.
    pub q: Option<String>,
    /// Only schools under this org (a district).
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub org_id: Option<i64>,
    /// The page, from 1 (default 1); a page past the end is empty.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub page: Option<u64>,
    /// Schools a page: 1 to 200 (default 50); out of range → 422.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub per_page: Option<u64>,
}

/// A new school (`POST /api/v1/schools`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchool {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub kind: SchoolKind,
    /// The district it belongs to; defaults to the caller's own district.
    #[serde(default)]
    pub district_id: Option<OrgId>,
    #[serde(default)]
    pub students: i32,
    #[serde(default)]
    pub staff: i32,
    #[serde(default)]
    pub area_m2: i32,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lng: Option<f64>,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub features: Features,
}

/// Changes to a school (`PATCH /api/v1/schools/{id}`); absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolPatch {
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub kind: Option<SchoolKind>,
    pub students: Option<i32>,
    pub staff: Option<i32>,
    pub area_m2: Option<i32>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub phone: Option<String>,
    pub features: Option<Features>,
}

/// A new city or district node (`POST /api/v1/orgs`, system admin).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub kind: OrgLevel,
    #[serde(default)]
    pub parent_id: Option<OrgId>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

/// Field checks shared by create, update and import. Messages are translation keys.
pub(crate) fn check_school_fields(
    name: Option<&str>,
    students: Option<i32>,
    staff: Option<i32>,
    area: Option<i32>,
    lat: Option<f64>,
    lng: Option<f64>,
    phone: Option<&str>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(n) = name {
        if n.trim().is_empty() {
            errs.push(FieldError::new("name", "err.required"));
        } else if n.chars().count() > 64 {
            errs.push(FieldError::new("name", "err.too_long_64"));
        }
    }
    for (f, v) in [("students", students), ("staff", staff), ("area_m2", area)] {
        if let Some(v) = v
            && !(0..=10_000_000).contains(&v)
        {
            errs.push(FieldError::new(f, "err.out_of_range"));
        }
    }
    if let Some(v) = lat
        && !(-90.0..=90.0).contains(&v)
    {
        errs.push(FieldError::new("lat", "err.latitude"));
    }
    if let Some(v) = lng
        && !(-180.0..=180.0).contains(&v)
    {
        errs.push(FieldError::new("lng", "err.longitude"));
    }
    if let Some(p) = phone
        && !p.is_empty()
        && !valid_phone(p)
    {
        errs.push(FieldError::new("phone", "err.phone"));
    }
    errs
}

/// The longest English name of a school or org node, in characters.
pub const MAX_NAME_EN: usize = 100;
/// The longest address, in characters.
pub const MAX_ADDRESS: usize = 200;

/// Length checks of the free-text fields `check_school_fields` does not cover (create, update,
/// import; also the city and district nodes).
pub(crate) fn check_org_text(name_en: Option<&str>, address: Option<&str>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if name_en.is_some_and(|s| s.trim().chars().count() > MAX_NAME_EN) {
        errs.push(FieldError::new("name_en", "err.too_long_100"));
    }
    if address.is_some_and(|s| s.trim().chars().count() > MAX_ADDRESS) {
        errs.push(FieldError::new("address", "err.too_long_200"));
    }
    errs
}

pub(crate) fn invalid(fields: Vec<FieldError>) -> Error {
    Error::Validation {
        message: "err.invalid_input".into(),
        fields,
    }
}

/// The id of a school (not a city or district) that a scoped lookup found in the actor's
/// scope. Only storage makes one ([`Scoped::school`], [`Scoped::owned`], the write
/// transaction of a school's data); what writes a school's own rows takes its school from it,
/// so no such write can land on a district or outside the scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchoolId(OrgId);

impl SchoolId {
    pub fn org_id(self) -> OrgId {
        self.0
    }
}

impl From<SchoolId> for OrgId {
    fn from(s: SchoolId) -> OrgId {
        s.0
    }
}

impl std::fmt::Display for SchoolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<SchoolId> for sea_orm::Value {
    fn from(s: SchoolId) -> sea_orm::Value {
        s.0.into()
    }
}

/// A table whose rows each belong to one school.
pub(super) trait SchoolOwned: EntityTrait
where
    Self::ActiveModel: sea_orm::TryIntoModel<Self::Model>,
{
    fn school_of(m: &Self::Model) -> OrgId;
}

macro_rules! school_owned {
    ($($entity:ident . $col:ident),* $(,)?) => {
        $(impl SchoolOwned for super::entity::$entity::Entity {
            fn school_of(m: &Self::Model) -> OrgId {
                m.$col
            }
        })*
    };
}

school_owned!(
    person.org_id,
    zone.school_id,
    risk_point.school_id,
    file.school_id,
    hazard.school_id,
    inspection.school_id,
    device.school_id,
    warning.school_id,
    drill.school_id,
    incident.school_id,
    bus_vehicle.school_id,
    bus_sign.school_id,
    bus_permit.school_id,
    bus_driver.school_id,
    bus_attendant.school_id,
    bus_route.school_id,
    bus_trip.school_id,
    pii_grant.school_id,
);

impl Scoped {
    /// The schools in scope under `org` (the caller's own node when `None`), and the node.
    /// Checks the role first when no node is named (system roles have none).
    pub(super) async fn schools_under(
        &self,
        org: Option<i64>,
    ) -> Result<(org::Model, Vec<org::Model>)> {
        let root = match org {
            Some(id) => {
                let m = self.org_row(OrgId(id), &self.read).await?;
                self.permit()?;
                m
            }
            None => {
                self.permit()?;
                let id = self.actor.org_id.ok_or(Error::NotFound)?;
                self.org_row(id, &self.read).await?
            }
        };
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        let schools = org::Entity::find()
            .filter(self.org_scope())
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        Ok((root, schools))
    }

    /// The ids of the orgs a list covers, as a subquery: the subtree of `under` (a node in
    /// scope, else `NotFound`) or the actor's scope. A list adds
    /// `<its school column>.in_subquery(…)`.
    pub(super) async fn listed_orgs(
        &self,
        under: Option<i64>,
    ) -> Result<sea_orm::sea_query::SelectStatement> {
        let path = match under {
            Some(u) => {
                let node = self.org_row(OrgId(u), &self.read).await?;
                OrgPath::parse(&node.path).ok_or(Error::NotFound)?
            }
            None => self.actor.scope().clone(),
        };
        let mut orgs = sea_orm::sea_query::Query::select();
        orgs.column(org::Column::Id)
            .from(org::Entity)
            .and_where(Expr::col(org::Column::Path).like(path.like_pattern()));
        Ok(orgs)
    }

    /// `orgs.path LIKE '<scope>%'`: the actor's subtree.
    pub(super) fn org_scope(&self) -> Condition {
        Condition::all().add(Expr::col(org::Column::Path).like(self.actor.scope().like_pattern()))
    }

    /// An org node in scope, or `NotFound`.
    pub(super) async fn org_row(&self, id: OrgId, conn: &impl Fetch) -> Result<org::Model> {
        conn.first(org::Entity::find_by_id(id).filter(self.org_scope()))
            .await?
            .ok_or(Error::NotFound)
    }

    /// The row `id` of a school-owned table (a person, zone, risk point, file, hazard …) whose
    /// school is in scope, with that school's [`SchoolId`]; anything else is `NotFound`. The one
    /// way storage fetches a school's object by id.
    pub(super) async fn owned<E: SchoolOwned>(
        &self,
        id: <E::PrimaryKey as PrimaryKeyTrait>::ValueType,
        conn: &impl Fetch,
    ) -> Result<(E::Model, SchoolId)>
    where
        E::ActiveModel: sea_orm::TryIntoModel<E::Model>,
    {
        let m = conn
            .first(E::find_by_id(id))
            .await?
            .ok_or(Error::NotFound)?;
        let school = self.school(E::school_of(&m), conn).await?;
        Ok((m, school))
    }

    /// Opens a write about the school-owned row `id`: a row out of scope is `NotFound`,
    /// audited as a refusal, before the role is checked. The caller reads the row again in
    /// the transaction.
    pub(super) async fn begin_owned<E: SchoolOwned>(
        &self,
        event: Event,
        id: <E::PrimaryKey as PrimaryKeyTrait>::ValueType,
    ) -> Result<super::WriteTx<'_>>
    where
        E::ActiveModel: sea_orm::TryIntoModel<E::Model>,
    {
        let school = match self.owned::<E>(id, &self.read).await {
            Ok((_, school)) => school.org_id(),
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        self.begin_for(event, school).await
    }

    /// The [`SchoolId`] of `id` when it is a school in scope, else `NotFound` (a city or a
    /// district id included).
    pub(super) async fn school(&self, id: OrgId, conn: &impl Fetch) -> Result<SchoolId> {
        Ok(SchoolId(self.school_row(id, conn).await?.id))
    }

    /// A school in scope, or `NotFound` (also for a city or district id).
    pub(super) async fn school_row(&self, id: OrgId, conn: &impl Fetch) -> Result<org::Model> {
        let m = self.org_row(id, conn).await?;
        if m.level != OrgLevel::School.as_str() {
            return Err(Error::NotFound);
        }
        Ok(m)
    }

    async fn refs(&self, ids: impl IntoIterator<Item = OrgId>) -> Result<HashMap<OrgId, OrgRef>> {
        let ids: Vec<OrgId> = ids.into_iter().collect();
        let rows = org::Entity::find()
            .filter(org::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(|m| (m.id, OrgRef::from(m))).collect())
    }

    async fn school_view(&self, m: org::Model) -> Result<School> {
        let parent = m.parent_id.ok_or(Error::NotFound)?;
        let mut refs = self.refs([parent]).await?;
        let d = refs.remove(&parent).ok_or(Error::NotFound)?;
        Ok(School::from_rows(m, d))
    }
}

impl Orgs<'_> {
    /// The org nodes in scope, tree order.
    pub async fn list(&self) -> Result<Vec<Org>> {
        self.permit()?;
        let rows = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.ne(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Path)
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// An org node in scope for display (no role check: the caller's route checked its own).
    pub async fn get_for_view(&self, id: OrgId) -> Result<Org> {
        Ok(self.org_row(id, &self.read).await?.into())
    }

    pub async fn get(&self, id: OrgId) -> Result<Org> {
        let m = self.org_row(id, &self.read).await?;
        self.permit()?;
        Ok(m.into())
    }

    /// Districts (and cities) in scope, for pickers and filters.
    pub async fn districts(&self) -> Result<Vec<OrgRef>> {
        self.permit()?;
        let rows = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(OrgLevel::District.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

impl Schools<'_> {
    pub async fn list(&self, f: &SchoolFilter) -> Result<Page<School>> {
        self.permit()?;
        let mut q = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()));
        if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
            let k = SchoolKind::parse(k).ok_or_else(|| Error::field("kind", "err.unknown_kind"))?;
            q = q.filter(org::Column::SchoolKind.eq(k.as_str()));
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q = q.filter(
                Condition::any()
                    .add(views::contains_text(org::Column::Name, text))
                    .add(views::contains_text(org::Column::Code, text)),
            );
        }
        if let Some(under) = f.org_id {
            let node = self.org_row(OrgId(under), &self.read).await?;
            let p = OrgPath::parse(&node.path).ok_or(Error::NotFound)?;
            q = q.filter(Expr::col(org::Column::Path).like(p.like_pattern()));
        }
        let paging = views::Paging::new(f.page, f.per_page, views::PAGE_SIZE)?;
        let total = q.clone().read_count(&self.read).await?;
        let page = paging.page;
        let rows = match paging.offset_within(total) {
            Some(offset) => {
                q.order_by_asc(org::Column::Code)
                    .offset(offset)
                    .limit(paging.per_page)
                    .read_all(&self.read)
                    .await?
            }
            None => Vec::new(),
        };
        let refs = self.refs(rows.iter().filter_map(|m| m.parent_id)).await?;
        let items = rows
            .into_iter()
            .filter_map(|m| {
                let d = refs.get(&m.parent_id?)?.clone();
                Some(School::from_rows(m, d))
            })
            .collect();
        Ok(Page { items, total, page })
    }

    /// Every school in scope (exports).
    pub async fn all(&self) -> Result<Vec<School>> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let p = self
                .schools()
                .list(&SchoolFilter {
                    page: Some(page),
                    per_page: Some(views::MAX_PER_PAGE),
                    ..Default::default()
                })
                .await?;
            let n = p.items.len() as u64;
            out.extend(p.items);
            if n < views::MAX_PER_PAGE {
                return Ok(out);
            }
            page += 1;
        }
    }

    pub async fn get(&self, id: OrgId) -> Result<School> {
        let m = self.school_row(id, &self.read).await?;
        self.permit()?;
        self.school_view(m).await
    }

    /// Creates a school under a district in scope.
    pub async fn create(&self, input: NewSchool) -> Result<School> {
        let district_id = input
            .district_id
            .or(if self.actor.org_level == Some(OrgLevel::District) {
                self.actor.org_id
            } else {
                None
            })
            .ok_or_else(|| Error::field("district_id", "err.district_required"))?;
        let tx = self
            .begin_for(
                Event::new(OrgAudit::SchoolCreate, "school", &input.code),
                district_id,
            )
            .await?;
        let out = async {
            let district = self.org_row(district_id, &tx.txn).await?;
            if district.level != OrgLevel::District.as_str() {
                return Err(Error::field("district_id", "err.not_a_district"));
            }
            let mut errs = check_school_fields(
                Some(&input.name),
                Some(input.students),
                Some(input.staff),
                Some(input.area_m2),
                input.lat,
                input.lng,
                Some(&input.phone),
            );
            errs.extend(check_org_text(
                input.name_en.as_deref(),
                Some(&input.address),
            ));
            if !valid_code(&input.code) {
                errs.push(FieldError::new("code", "err.code"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let parent_path = OrgPath::parse(&district.path).ok_or(Error::NotFound)?;
            let id = insert_org(
                &tx.txn,
                &parent_path,
                district.id,
                OrgLevel::School,
                &input.code,
                &input.name,
                input.name_en.clone(),
                |am| {
                    am.school_kind = Set(Some(input.kind.as_str().into()));
                    am.students = Set(input.students);
                    am.staff = Set(input.staff);
                    am.area_m2 = Set(input.area_m2);
                    am.address = Set(input.address.clone());
                    am.lat = Set(input.lat);
                    am.lng = Set(input.lng);
                    am.phone = Set(input.phone.clone());
                    apply_features(am, &input.features);
                },
            )
            .await?;
            Ok(id)
        }
        .await;
        match out {
            Ok(id) => {
                let mut tx = tx;
                tx.event.object_id = id.to_string();
                tx.event.detail = format!("code={} name={}", input.code, input.name);
                tx.commit().await?;
                self.schools().get_unchecked(id).await
            }
            Err(Error::Conflict(_)) => {
                // Whether the code is held in the caller's scope or elsewhere: only the first
                // may be named as taken; outside the scope it just cannot be used.
                let held_here = org::Entity::find()
                    .filter(org::Column::Code.eq(input.code.trim()))
                    .filter(self.org_scope())
                    .count(&self.conn)
                    .await
                    .is_ok_and(|n| n > 0);
                let key = if held_here {
                    "err.code_taken"
                } else {
                    "err.code_unusable"
                };
                Err(tx.fail(invalid(vec![FieldError::new("code", key)])).await)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// A school view without the role check (callers checked already).
    pub(super) async fn get_unchecked_pub(&self, id: OrgId) -> Result<School> {
        self.schools().get_unchecked(id).await
    }

    async fn get_unchecked(&self, id: OrgId) -> Result<School> {
        let m = self.school_row(id, &self.read).await?;
        self.school_view(m).await
    }

    /// Applies a patch to a school in scope; the audit detail lists the changed fields.
    pub async fn update(&self, id: OrgId, p: SchoolPatch) -> Result<School> {
        let (mut tx, _) = self
            .begin_for_school(Event::new(OrgAudit::SchoolUpdate, "school", id), id)
            .await?;
        let res: Result<String> = async {
            let m = self.school_row(id, &tx.txn).await?;
            let mut errs = check_school_fields(
                p.name.as_deref(),
                p.students,
                p.staff,
                p.area_m2,
                p.lat,
                p.lng,
                p.phone.as_deref(),
            );
            errs.extend(check_org_text(p.name_en.as_deref(), p.address.as_deref()));
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let mut changed = Vec::new();
            let mut am = m.clone().into_active_model();
            macro_rules! set {
                ($field:ident, $val:expr) => {
                    if let Some(v) = $val {
                        if m.$field != v {
                            changed.push(stringify!($field));
                            am.$field = Set(v);
                        }
                    }
                };
            }
            set!(name, p.name.clone().map(|s| s.trim().to_string()));
            set!(name_en, p.name_en.clone().map(Some));
            set!(school_kind, p.kind.map(|k| Some(k.as_str().to_string())));
            set!(students, p.students);
            set!(staff, p.staff);
            set!(area_m2, p.area_m2);
            set!(address, p.address.clone());
            set!(lat, p.lat.map(Some));
            set!(lng, p.lng.map(Some));
            set!(phone, p.phone.clone());
            if let Some(f) = &p.features {
                let mut am2 = am.clone();
                apply_features(&mut am2, f);
                let old = School::from_rows(m.clone(), OrgRef::from(m.clone())).features;
                if &old != f {
                    changed.push("features");
                    am = am2;
                }
            }
            if !changed.is_empty() {
                am.updated_at = Set(Utc::now());
                am.update(&tx.txn).await?;
            }
            Ok(changed.join(","))
        }
        .await;
        match res {
            Ok(changed) => {
                tx.event.detail = format!("changed={changed}");
                tx.commit().await?;
                self.schools().get_unchecked(id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

impl Orgs<'_> {
    /// Creates a city or district node (system configuration).
    pub async fn create(&self, input: NewOrg) -> Result<Org> {
        let event = Event::new(OrgAudit::OrgCreate, "org", &input.code);
        let mut tx = match input.parent_id {
            Some(p) => self.begin_for(event, p).await?,
            None => self.begin(event).await?,
        };
        let res: Result<OrgId> = async {
            if input.kind == OrgLevel::School {
                return Err(Error::field("kind", "err.use_school_api"));
            }
            if !valid_code(&input.code) {
                return Err(invalid(vec![FieldError::new("code", "err.code")]));
            }
            let mut errs = check_school_fields(
                Some(&input.name),
                None,
                None,
                None,
                None,
                None,
                Some(&input.phone),
            );
            errs.extend(check_org_text(
                input.name_en.as_deref(),
                Some(&input.address),
            ));
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let (parent_path, parent_id) = match input.parent_id {
                Some(pid) => {
                    let p = self.org_row(pid, &tx.txn).await?;
                    if p.level == OrgLevel::School.as_str() {
                        return Err(Error::field("parent_id", "err.parent_is_school"));
                    }
                    (OrgPath::parse(&p.path).ok_or(Error::NotFound)?, Some(p.id))
                }
                None => (OrgPath::root(), None),
            };
            insert_org_node(
                &tx.txn,
                &parent_path,
                parent_id,
                input.kind,
                &input.code,
                &input.name,
                input.name_en.clone(),
                |am| {
                    am.address = Set(input.address.clone());
                    am.phone = Set(input.phone.clone());
                },
            )
            .await
        }
        .await;
        match res {
            Ok(id) => {
                tx.event.object_id = id.to_string();
                tx.commit().await?;
                let m = org::Entity::find_by_id(id)
                    .read_one(&self.read)
                    .await?
                    .ok_or(Error::NotFound)?;
                Ok(m.into())
            }
            Err(e) => Err(tx.fail(conflict_code(e)).await),
        }
    }
}

fn conflict_code(e: Error) -> Error {
    match e {
        Error::Conflict(_) => invalid(vec![FieldError::new("code", "err.code_taken")]),
        e => e,
    }
}

pub(crate) fn apply_features(am: &mut org::ActiveModel, f: &Features) {
    am.boarding = Set(f.boarding);
    am.has_bus = Set(f.has_bus);
    am.has_canteen = Set(f.has_canteen);
    am.has_lab = Set(f.has_lab);
    am.has_pool = Set(f.has_pool);
    am.near_water = Set(f.near_water);
    am.has_dormitory = Set(f.has_dormitory);
    am.has_boiler = Set(f.has_boiler);
    am.has_elevator = Set(f.has_elevator);
    am.has_gas = Set(f.has_gas);
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_org(
    conn: &impl ConnectionTrait,
    parent_path: &OrgPath,
    parent_id: OrgId,
    level: OrgLevel,
    code: &str,
    name: &str,
    name_en: Option<String>,
    fill: impl FnOnce(&mut org::ActiveModel),
) -> Result<OrgId> {
    insert_org_node(
        conn,
        parent_path,
        Some(parent_id),
        level,
        code,
        name,
        name_en,
        fill,
    )
    .await
}

/// Inserts a node and sets its materialised path (which needs the new id).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_org_node(
    conn: &impl ConnectionTrait,
    parent_path: &OrgPath,
    parent_id: Option<OrgId>,
    level: OrgLevel,
    code: &str,
    name: &str,
    name_en: Option<String>,
    fill: impl FnOnce(&mut org::ActiveModel),
) -> Result<OrgId> {
    let now = Utc::now();
    let mut am = org::ActiveModel {
        parent_id: Set(parent_id),
        // A unique placeholder until the id is known.
        path: Set(format!("pending:{code}")),
        level: Set(level.as_str().into()),
        code: Set(code.trim().into()),
        name: Set(name.trim().into()),
        name_en: Set(name_en.filter(|s| !s.trim().is_empty())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    fill(&mut am);
    let res = org::Entity::insert(am).exec(conn).await?;
    let id = res.last_insert_id;
    org::Entity::update_many()
        .col_expr(
            org::Column::Path,
            Expr::value(parent_path.child(id).as_str().to_string()),
        )
        .filter(org::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(id)
}
