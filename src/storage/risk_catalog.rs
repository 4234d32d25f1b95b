//! The district risk catalogue (风险等级清单): read by every business role (a school reads the
//! catalogue of its district), edited and imported by the bureau. Every change bumps the
//! catalogue version and keeps a snapshot in `risk_catalog_history`.

use super::entity::{org, risk_catalog, risk_catalog_history, risk_catalog_item};
use super::{audit::Event, views};
use crate::domain::Code;
use crate::domain::catalog::{Entry, RowError, split_items};
use crate::domain::ids::{CatalogId, CatalogItemId, OrgId};
use crate::domain::org::{OrgLevel, OrgPath, SchoolKind};
use crate::domain::person::Post;
use crate::domain::risk::{
    Aspect, CheckFrequency, ControlLevel, Factor, LecValue, MeasureType, PointType,
};
use crate::error::{Error, Result};
use crate::storage::Catalog;
use crate::storage::read::ReadAll as _;
use crate::storage::risk_points::RiskAudit;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{
    ActiveValue::Set, Condition, ConnectionTrait, DatabaseTransaction, IntoActiveModel, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters of the catalogue list.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CatalogFilter {
    /// The district (or city) whose catalogue; defaults to the caller's own.
    #[serde(default, deserialize_with = "views::empty_as_none")]
    pub org_id: Option<i64>,
    pub aspect: Option<String>,
    pub category: Option<String>,
    /// Part of the code or name.
    pub q: Option<String>,
    pub page: Option<u64>,
    /// Page size (default 50, at most 500).
    pub per_page: Option<u64>,
}

/// A catalogue and whose it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogInfo {
    pub id: CatalogId,
    pub org_id: OrgId,
    pub org_name: String,
    pub name: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// The measures of a risk point by type (管理/应急/工程技术/培训教育/个人防护).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Measures {
    #[serde(default)]
    pub management: String,
    #[serde(default)]
    pub emergency: String,
    #[serde(default)]
    pub engineering: String,
    #[serde(default)]
    pub training: String,
    #[serde(default)]
    pub ppe: String,
}

impl Measures {
    pub fn from_array(m: &[String; 5]) -> Self {
        Measures {
            management: m[0].clone(),
            emergency: m[1].clone(),
            engineering: m[2].clone(),
            training: m[3].clone(),
            ppe: m[4].clone(),
        }
    }

    /// (type, items) pairs, for display.
    pub fn by_type(&self) -> Vec<(MeasureType, Vec<String>)> {
        [
            (MeasureType::Management, &self.management),
            (MeasureType::Emergency, &self.emergency),
            (MeasureType::Engineering, &self.engineering),
            (MeasureType::Training, &self.training),
            (MeasureType::Ppe, &self.ppe),
        ]
        .into_iter()
        .map(|(t, s)| (t, split_items(s).into_iter().map(str::to_string).collect()))
        .filter(|(_, v): &(MeasureType, Vec<String>)| !v.is_empty())
        .collect()
    }
}

/// One catalogue entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogItem {
    pub id: CatalogItemId,
    pub code: String,
    pub aspect: Aspect,
    pub category: String,
    pub category_en: String,
    pub point_type: PointType,
    pub name: String,
    pub name_en: String,
    pub hazard_factors: String,
    pub accident_types: String,
    pub default_l: Option<f64>,
    pub default_e: Option<f64>,
    pub default_c: Option<f64>,
    pub measures: Measures,
    pub check_items: String,
    pub check_frequency: CheckFrequency,
    pub control_level: ControlLevel,
    pub responsible_post: Post,
    /// School kinds (`all` when empty).
    pub applies_to: Vec<SchoolKind>,
    /// Features a school must have.
    pub requires: Vec<String>,
    pub retired: bool,
    pub version: i32,
}

impl From<risk_catalog_item::Model> for CatalogItem {
    fn from(m: risk_catalog_item::Model) -> Self {
        CatalogItem {
            id: m.id,
            aspect: Aspect::parse(&m.aspect).unwrap_or(Aspect::Things),
            point_type: PointType::parse(&m.point_type).unwrap_or(PointType::Facility),
            check_frequency: CheckFrequency::parse(&m.check_frequency)
                .unwrap_or(CheckFrequency::Monthly),
            control_level: ControlLevel::parse(&m.control_level).unwrap_or(ControlLevel::Post),
            responsible_post: Post::parse(&m.responsible_post).unwrap_or(Post::SafetyDirector),
            applies_to: split_items(&m.applies_to)
                .into_iter()
                .filter_map(SchoolKind::parse)
                .collect(),
            requires: split_items(&m.requires)
                .into_iter()
                .map(str::to_string)
                .collect(),
            measures: Measures {
                management: m.measures_management,
                emergency: m.measures_emergency,
                engineering: m.measures_engineering,
                training: m.measures_training,
                ppe: m.measures_ppe,
            },
            code: m.code,
            category: m.category,
            category_en: m.category_en,
            name: m.name,
            name_en: m.name_en,
            hazard_factors: m.hazard_factors,
            accident_types: m.accident_types,
            default_l: m.default_l,
            default_e: m.default_e,
            default_c: m.default_c,
            check_items: m.check_items,
            retired: m.retired,
            version: m.version,
        }
    }
}

impl CatalogItem {
    /// The entry form of this item (for exports and instantiation).
    pub fn entry(&self) -> Option<Entry> {
        let lv = |f, v: Option<f64>| v.and_then(|x| LecValue::parse(f, x).ok());
        Some(Entry {
            code: self.code.clone(),
            aspect: self.aspect,
            category: self.category.clone(),
            category_en: self.category_en.clone(),
            point_type: self.point_type,
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            hazard_factors: self.hazard_factors.clone(),
            accident_types: self.accident_types.clone(),
            default_lec: (
                lv(Factor::L, self.default_l)?,
                lv(Factor::E, self.default_e)?,
                lv(Factor::C, self.default_c)?,
            ),
            measures: [
                self.measures.management.clone(),
                self.measures.emergency.clone(),
                self.measures.engineering.clone(),
                self.measures.training.clone(),
                self.measures.ppe.clone(),
            ],
            check_items: self.check_items.clone(),
            check_frequency: self.check_frequency,
            control_level: self.control_level,
            responsible_post: self.responsible_post,
            applies_to: self.applies_to.clone(),
            requires: self.requires.clone(),
        })
    }
}

/// A catalogue page.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogPage {
    pub catalog: CatalogInfo,
    pub items: Vec<CatalogItem>,
    pub total: u64,
    pub page: u64,
}

/// The editable fields of a catalogue entry (`PUT /api/v1/risk-catalog/items/{id}`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogItemInput {
    pub aspect: Aspect,
    pub category: String,
    #[serde(default)]
    pub category_en: String,
    pub point_type: PointType,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    pub hazard_factors: String,
    #[serde(default)]
    pub accident_types: String,
    pub default_l: f64,
    pub default_e: f64,
    pub default_c: f64,
    pub measures: Measures,
    pub check_items: String,
    pub check_frequency: CheckFrequency,
    pub control_level: ControlLevel,
    pub responsible_post: Post,
    #[serde(default)]
    pub applies_to: Vec<SchoolKind>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub retired: bool,
}

impl CatalogItemInput {
    /// Checks the fields and turns them into an entry with the given code.
    pub fn into_entry(self, code: &str) -> Result<(Entry, bool)> {
        let mut errs = Vec::new();
        let mut fe = |f: &str, k: &str| {
            errs.push(crate::error::FieldError {
                field: f.into(),
                message: k.into(),
            })
        };
        if self.name.trim().is_empty() {
            fe("name", "err.required");
        }
        if self.category.trim().is_empty() {
            fe("category", "err.required");
        }
        if self.hazard_factors.trim().is_empty() {
            fe("hazard_factors", "err.required");
        }
        if split_items(&self.check_items).is_empty() {
            fe("check_items", "err.required");
        }
        if self.measures.management.trim().is_empty() || self.measures.emergency.trim().is_empty() {
            fe("measures", "err.catalog.measures_required");
        }
        for r in &self.requires {
            if !crate::domain::catalog::FEATURES.contains(&r.as_str()) {
                fe("requires", "err.catalog.feature");
            }
        }
        let l = LecValue::parse(Factor::L, self.default_l);
        let e = LecValue::parse(Factor::E, self.default_e);
        let c = LecValue::parse(Factor::C, self.default_c);
        for (f, r) in [("default_l", &l), ("default_e", &e), ("default_c", &c)] {
            if let Err(x) = r {
                fe(f, x.key);
            }
        }
        if !errs.is_empty() {
            return Err(super::orgs::invalid(errs));
        }
        let (Ok(l), Ok(e), Ok(c)) = (l, e, c) else {
            return Err(Error::validation("err.invalid_input"));
        };
        Ok((
            Entry {
                code: code.to_string(),
                aspect: self.aspect,
                category: self.category.trim().into(),
                category_en: self.category_en.trim().into(),
                point_type: self.point_type,
                name: self.name.trim().into(),
                name_en: self.name_en.trim().into(),
                hazard_factors: self.hazard_factors.trim().into(),
                accident_types: self.accident_types.trim().into(),
                default_lec: (l, e, c),
                measures: [
                    self.measures.management,
                    self.measures.emergency,
                    self.measures.engineering,
                    self.measures.training,
                    self.measures.ppe,
                ],
                check_items: self.check_items.trim().into(),
                check_frequency: self.check_frequency,
                control_level: self.control_level,
                responsible_post: self.responsible_post,
                applies_to: self.applies_to,
                requires: self.requires,
            },
            self.retired,
        ))
    }
}

/// Writes an entry's fields onto an item row.
pub(super) fn fill_item(am: &mut risk_catalog_item::ActiveModel, e: &Entry) {
    am.code = Set(e.code.clone());
    am.aspect = Set(e.aspect.as_str().into());
    am.category = Set(e.category.clone());
    am.category_en = Set(e.category_en.clone());
    am.point_type = Set(e.point_type.as_str().into());
    am.name = Set(e.name.clone());
    am.name_en = Set(e.name_en.clone());
    am.hazard_factors = Set(e.hazard_factors.clone());
    am.accident_types = Set(e.accident_types.clone());
    am.default_l = Set(Some(e.default_lec.0.as_f64()));
    am.default_e = Set(Some(e.default_lec.1.as_f64()));
    am.default_c = Set(Some(e.default_lec.2.as_f64()));
    am.measures_management = Set(e.measures[0].clone());
    am.measures_emergency = Set(e.measures[1].clone());
    am.measures_engineering = Set(e.measures[2].clone());
    am.measures_training = Set(e.measures[3].clone());
    am.measures_ppe = Set(e.measures[4].clone());
    am.check_items = Set(e.check_items.clone());
    am.check_frequency = Set(e.check_frequency.as_str().into());
    am.control_level = Set(e.control_level.as_str().into());
    am.responsible_post = Set(e.responsible_post.as_str().into());
    am.applies_to = Set(if e.applies_to.is_empty() {
        "all".into()
    } else {
        e.applies_to
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(";")
    });
    am.requires = Set(e.requires.join(";"));
}

/// Upserts entries into a catalogue in the given transaction, with history. Returns
/// (created, updated).
pub(super) async fn upsert_entries(
    txn: &DatabaseTransaction,
    catalog: &risk_catalog::Model,
    entries: &[Entry],
    username: &str,
    change: &str,
) -> Result<(usize, usize)> {
    let version = catalog.version + 1;
    let now = Utc::now();
    let existing: std::collections::HashMap<String, risk_catalog_item::Model> =
        risk_catalog_item::Entity::find()
            .filter(risk_catalog_item::Column::CatalogId.eq(catalog.id))
            .all(txn)
            .await?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
    let (mut created, mut updated) = (0, 0);
    for e in entries {
        let m = match existing.get(&e.code) {
            Some(m) => {
                let mut am = m.clone().into_active_model();
                fill_item(&mut am, e);
                am.version = Set(version);
                am.updated_at = Set(now);
                updated += 1;
                am.update(txn).await?
            }
            None => {
                let mut am = risk_catalog_item::ActiveModel {
                    catalog_id: Set(catalog.id),
                    retired: Set(false),
                    version: Set(version),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                fill_item(&mut am, e);
                created += 1;
                am.insert(txn).await?
            }
        };
        history(txn, catalog.id, &m, version, change, username).await?;
    }
    bump(txn, catalog, version).await?;
    Ok((created, updated))
}

async fn history(
    txn: &DatabaseTransaction,
    catalog: CatalogId,
    m: &risk_catalog_item::Model,
    version: i32,
    change: &str,
    username: &str,
) -> Result<()> {
    let snapshot = serde_json::to_string(&CatalogItem::from(m.clone())).map_err(Error::internal)?;
    risk_catalog_history::ActiveModel {
        catalog_id: Set(catalog),
        item_code: Set(m.code.clone()),
        version: Set(version),
        change: Set(change.into()),
        snapshot: Set(snapshot),
        username: Set(username.into()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn bump(
    txn: &DatabaseTransaction,
    catalog: &risk_catalog::Model,
    version: i32,
) -> Result<()> {
    let mut am = catalog.clone().into_active_model();
    am.version = Set(version);
    am.updated_at = Set(Utc::now());
    am.update(txn).await?;
    Ok(())
}

/// The catalogue of `org` or of its nearest ancestor.
pub(super) async fn catalog_for(
    conn: &impl ConnectionTrait,
    org: &org::Model,
) -> Result<Option<risk_catalog::Model>> {
    let ids: Vec<i64> = org.path.split('/').filter_map(|p| p.parse().ok()).collect();
    let rows = risk_catalog::Entity::find()
        .filter(risk_catalog::Column::OrgId.is_in(ids.clone()))
        .all(conn)
        .await?;
    Ok(ids
        .iter()
        .rev()
        .find_map(|id| rows.iter().find(|c| c.org_id.0 == *id).cloned()))
}

/// A catalogue history entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogChange {
    pub version: i32,
    pub change: String,
    pub username: String,
    pub at: DateTime<Utc>,
}

impl Catalog<'_> {
    /// The org whose catalogue a request is about: the given one (in scope, or an ancestor of
    /// the caller's node), else the caller's own node.
    async fn catalog_org(&self, org_id: Option<i64>) -> Result<org::Model> {
        let id = match org_id {
            Some(id) => OrgId(id),
            None => self
                .actor
                .org_id
                .ok_or_else(|| Error::field("org_id", "err.catalog.choose_district"))?,
        };
        let m = org::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let p = OrgPath::parse(&m.path).ok_or(Error::NotFound)?;
        let visible = self.actor.scope().contains(&p) || p.contains(self.actor.scope());
        if !visible {
            return Err(Error::NotFound);
        }
        Ok(m)
    }

    /// The catalogue that applies to an org node (its own or its nearest ancestor's).
    pub(super) async fn catalog_model(
        &self,
        org_id: Option<i64>,
    ) -> Result<(risk_catalog::Model, org::Model)> {
        let o = self.catalog_org(org_id).await?;
        let c = catalog_for(&self.conn, &o).await?.ok_or_else(|| {
            // A city has no catalogue of its own: its users look at a district's.
            let key = if o.level == OrgLevel::City.as_str() {
                "err.catalog.choose_district"
            } else {
                "err.catalog.none"
            };
            Error::field("org_id", key)
        })?;
        let owner = org::Entity::find_by_id(c.org_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        Ok((c, owner))
    }

    pub async fn list(&self, f: &CatalogFilter) -> Result<CatalogPage> {
        self.permit()?;
        let (c, owner) = self.catalog_model(f.org_id).await?;
        let mut q =
            risk_catalog_item::Entity::find().filter(risk_catalog_item::Column::CatalogId.eq(c.id));
        if let Some(a) = f.aspect.as_deref().filter(|s| !s.is_empty()) {
            let a = Aspect::parse(a).ok_or_else(|| Error::field("aspect", "err.catalog.aspect"))?;
            q = q.filter(risk_catalog_item::Column::Aspect.eq(a.as_str()));
        }
        if let Some(cat) = f.category.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(risk_catalog_item::Column::Category.eq(cat));
        }
        if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q = q.filter(
                Condition::any()
                    .add(views::contains_text(risk_catalog_item::Column::Code, t))
                    .add(views::contains_text(risk_catalog_item::Column::Name, t))
                    .add(views::contains_text(risk_catalog_item::Column::NameEn, t)),
            );
        }
        let total = q.clone().read_count(&self.read).await?;
        let per = f.per_page.unwrap_or(views::PAGE_SIZE).clamp(1, 500);
        let page = std::cmp::max(f.page.unwrap_or(1), 1);
        // A page past the end (however large its number) is empty.
        let paging = views::Paging {
            page,
            per_page: per,
        };
        let rows = match paging.offset_within(total) {
            Some(offset) => {
                q.order_by_asc(risk_catalog_item::Column::Code)
                    .offset(offset)
                    .limit(per)
                    .read_all(&self.read)
                    .await?
            }
            None => Vec::new(),
        };
        Ok(CatalogPage {
            catalog: info(c, &owner),
            items: rows.into_iter().map(Into::into).collect(),
            total,
            page,
        })
    }

    /// The categories used in a catalogue, for filters.
    pub async fn categories(&self, org_id: Option<i64>) -> Result<Vec<String>> {
        self.permit()?;
        let (c, _) = self.catalog_model(org_id).await?;
        let mut v: Vec<String> = risk_catalog_item::Entity::find()
            .select_only()
            .column(risk_catalog_item::Column::Category)
            .distinct()
            .filter(risk_catalog_item::Column::CatalogId.eq(c.id))
            .into_tuple()
            .all(&self.conn)
            .await?;
        v.sort();
        Ok(v)
    }

    /// Every entry of a catalogue (exports).
    pub async fn all(&self, org_id: Option<i64>) -> Result<(CatalogInfo, Vec<CatalogItem>)> {
        self.permit()?;
        let (c, owner) = self.catalog_model(org_id).await?;
        let rows = risk_catalog_item::Entity::find()
            .filter(risk_catalog_item::Column::CatalogId.eq(c.id))
            .order_by_asc(risk_catalog_item::Column::Code)
            .read_all(&self.read)
            .await?;
        Ok((info(c, &owner), rows.into_iter().map(Into::into).collect()))
    }

    /// An item visible to the caller; `writable` when its catalogue's org is in scope.
    async fn catalog_item_row(
        &self,
        id: CatalogItemId,
    ) -> Result<(risk_catalog_item::Model, risk_catalog::Model, bool)> {
        let m = risk_catalog_item::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let c = risk_catalog::Entity::find_by_id(m.catalog_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let o = org::Entity::find_by_id(c.org_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let p = OrgPath::parse(&o.path).ok_or(Error::NotFound)?;
        let in_scope = self.actor.scope().contains(&p);
        if !in_scope && !p.contains(self.actor.scope()) {
            return Err(Error::NotFound);
        }
        Ok((m, c, in_scope))
    }

    pub async fn item(&self, id: CatalogItemId) -> Result<(CatalogItem, Vec<CatalogChange>)> {
        let (m, c, _) = self.catalog_item_row(id).await?;
        self.permit()?;
        let hist = risk_catalog_history::Entity::find()
            .filter(risk_catalog_history::Column::CatalogId.eq(c.id))
            .filter(risk_catalog_history::Column::ItemCode.eq(&m.code))
            .order_by_desc(risk_catalog_history::Column::Id)
            .limit(50)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|h| CatalogChange {
                version: h.version,
                change: h.change,
                username: h.username,
                at: h.at,
            })
            .collect();
        Ok((m.into(), hist))
    }

    /// Edits an entry: a new catalogue version, with the old state kept in the history.
    pub async fn update_item(
        &self,
        id: CatalogItemId,
        input: CatalogItemInput,
    ) -> Result<CatalogItem> {
        let event = Event::new(RiskAudit::CatalogUpdate, "catalog_item", id);
        let (m, c, writable) = match self.catalog_item_row(id).await {
            Ok(x) => x,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let mut tx = self.begin(event).await?;
        if !writable {
            return Err(tx.fail(Error::Forbidden).await);
        }
        let res: Result<risk_catalog_item::Model> = async {
            let (entry, retired) = input.into_entry(&m.code)?;
            let version = c.version + 1;
            let mut am = m.clone().into_active_model();
            fill_item(&mut am, &entry);
            am.retired = Set(retired);
            am.version = Set(version);
            am.updated_at = Set(Utc::now());
            let m2 = am.update(&tx.txn).await?;
            history(
                &tx.txn,
                c.id,
                &m2,
                version,
                if retired { "retire" } else { "update" },
                &self.actor.username,
            )
            .await?;
            bump(&tx.txn, &c, version).await?;
            Ok(m2)
        }
        .await;
        match res {
            Ok(m2) => {
                tx.event.detail = format!("code={} version={}", m2.code, m2.version);
                tx.commit().await?;
                Ok(m2.into())
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Imports parsed entries into the caller's catalogue (all or nothing; row errors were
    /// found by the parser). Creates the catalogue if the district has none yet.
    pub async fn import(
        &self,
        org_id: Option<i64>,
        entries: &[Entry],
        errors: Vec<RowError>,
    ) -> Result<super::transfer::ImportReport> {
        let event = Event::new(
            RiskAudit::CatalogImport,
            "catalog",
            org_id.unwrap_or_default(),
        );
        let o = match self.catalog_org(org_id).await {
            Ok(o) => o,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let mut tx = self.begin(event).await?;
        let in_scope = OrgPath::parse(&o.path).is_some_and(|p| self.actor.scope().contains(&p));
        if !in_scope || o.level == OrgLevel::School.as_str() {
            return Err(tx.fail(Error::Forbidden).await);
        }
        if !errors.is_empty() {
            tx.txn.rollback().await.ok();
            return Ok(super::transfer::ImportReport {
                created: 0,
                updated: 0,
                errors,
            });
        }
        let res: Result<(usize, usize, i32)> = async {
            let c = match risk_catalog::Entity::find()
                .filter(risk_catalog::Column::OrgId.eq(o.id))
                .one(&tx.txn)
                .await?
            {
                Some(c) => c,
                None => create_catalog(&tx.txn, &o).await?,
            };
            let (cr, up) =
                upsert_entries(&tx.txn, &c, entries, &self.actor.username, "import").await?;
            Ok((cr, up, c.version + 1))
        }
        .await;
        match res {
            Ok((created, updated, version)) => {
                tx.event.detail = format!("created={created} updated={updated} version={version}");
                tx.commit().await?;
                Ok(super::transfer::ImportReport {
                    created,
                    updated,
                    errors: vec![],
                })
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

fn info(c: risk_catalog::Model, owner: &org::Model) -> CatalogInfo {
    CatalogInfo {
        id: c.id,
        org_id: c.org_id,
        org_name: owner.name.clone(),
        name: c.name,
        version: c.version,
        updated_at: c.updated_at,
    }
}

pub(super) async fn create_catalog(
    txn: &DatabaseTransaction,
    o: &org::Model,
) -> Result<risk_catalog::Model> {
    let now = Utc::now();
    Ok(risk_catalog::ActiveModel {
        org_id: Set(o.id),
        name: Set(format!("{}安全风险等级清单", o.name)),
        version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Loads a catalogue file into an org's catalogue (command line and demo).
pub(super) async fn load_into(
    txn: &DatabaseTransaction,
    org_id: OrgId,
    entries: &[Entry],
    username: &str,
) -> Result<(usize, usize)> {
    let o = org::Entity::find_by_id(org_id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    let c = match risk_catalog::Entity::find()
        .filter(risk_catalog::Column::OrgId.eq(o.id))
        .one(txn)
        .await?
    {
        Some(c) => c,
        None => create_catalog(txn, &o).await?,
    };
    upsert_entries(txn, &c, entries, username, "load").await
}
