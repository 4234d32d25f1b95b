//! Wire types: what the API returns and the pages render, built from rows with `From`.
//! Rows never leave `storage`.

use super::entity::{audit_log, org, person, user, zone};
use crate::domain::Code;
use crate::domain::ids::{AuditId, OrgId, PersonId, UserId, ZoneId};
use crate::domain::org::{OrgLevel, SchoolKind, ZoneType};
use crate::domain::person::Post;
use crate::domain::role::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub mod wire_time;

pub const PAGE_SIZE: u64 = 50;

/// Reads an optional number from a query string where an empty value (`zone_id=`, what a form's
/// "all" option sends) means "not given".
pub fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// `column LIKE %text%`, case-insensitive for Latin letters, with `%` and `_` in the text taken
/// literally (a search box is not a pattern language).
pub fn contains_text(
    col: impl sea_orm::sea_query::IntoColumnRef,
    text: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// `CAST(COALESCE(SUM(CASE WHEN cond THEN value ELSE 0 END), 0) AS BIGINT)`: a sum of
/// `value` over the rows `cond` keeps (an empty condition keeps all), as a BIGINT on both
/// databases (PostgreSQL sums BIGINTs as NUMERIC).
pub(crate) fn sum_where(
    cond: sea_orm::sea_query::Condition,
    value: sea_orm::sea_query::Expr,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Alias, CaseStatement, Expr, Func};
    let sum = if cond.is_empty() {
        Func::sum(value)
    } else {
        Func::sum(CaseStatement::new().case(cond, value).finally(Expr::val(0)))
    };
    Expr::from(Func::cast_as(
        Func::coalesce([Expr::from(sum), Expr::val(0)]),
        Alias::new("BIGINT"),
    ))
}

/// In a grouped query: how many rows of the group meet `cond` (0 for none).
pub(crate) fn count_where(
    cond: impl Into<sea_orm::sea_query::Condition>,
) -> sea_orm::sea_query::Expr {
    sum_where(cond.into(), sea_orm::sea_query::Expr::val(1))
}

/// The most rows one page of a list may hold (`per_page`).
pub const MAX_PER_PAGE: u64 = 200;

/// Which page of a list a query asks for: `page` counts from 1, `per_page` is 1 to
/// [`MAX_PER_PAGE`] (the list's default when left out). Out of range → 422 naming the field;
/// a page past the end of the list is an empty page, however large its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    pub fn new(
        page: Option<u64>,
        per_page: Option<u64>,
        default_per_page: u64,
    ) -> crate::error::Result<Paging> {
        use crate::error::FieldError;
        let paging = Paging {
            page: page.unwrap_or(1),
            per_page: per_page.unwrap_or(default_per_page),
        };
        let mut errs = Vec::new();
        if paging.page == 0 {
            errs.push(FieldError::new("page", "err.paging.page"));
        }
        if !(1..=MAX_PER_PAGE).contains(&paging.per_page) {
            errs.push(FieldError::new("per_page", "err.paging.per_page"));
        }
        if errs.is_empty() {
            Ok(paging)
        } else {
            Err(crate::error::Error::Validation {
                message: "err.invalid_input".into(),
                fields: errs,
            })
        }
    }

    /// The rows to skip before this page, or `None` when the page starts at or past `total`
    /// rows (an empty page; also for page numbers too large to compute an offset for).
    pub fn offset_within(&self, total: u64) -> Option<u64> {
        self.page
            .checked_sub(1)?
            .checked_mul(self.per_page)
            .filter(|o| *o < total)
    }

    /// The number of pages of `total` rows (at least 1, for an empty list's pager).
    pub fn pages(&self, total: u64) -> u64 {
        total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// A page of a list: `{"items": […], "total": n}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
}

/// A node of the org tree, short form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: OrgId,
    pub code: String,
    pub name: String,
    pub kind: OrgLevel,
}

/// A node of the org tree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Org {
    pub id: OrgId,
    pub parent_id: Option<OrgId>,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: OrgLevel,
    pub address: String,
    pub phone: String,
}

/// School features that decide which risk points apply.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Features {
    #[serde(default)]
    pub boarding: bool,
    #[serde(default)]
    pub has_bus: bool,
    #[serde(default)]
    pub has_canteen: bool,
    #[serde(default)]
    pub has_lab: bool,
    #[serde(default)]
    pub has_pool: bool,
    #[serde(default)]
    pub near_water: bool,
    #[serde(default)]
    pub has_dormitory: bool,
    #[serde(default)]
    pub has_boiler: bool,
    #[serde(default)]
    pub has_elevator: bool,
    #[serde(default)]
    pub has_gas: bool,
}

impl Features {
    /// (wire name, value) pairs, for forms and exports.
    pub fn list(&self) -> [(&'static str, bool); 10] {
        [
            ("boarding", self.boarding),
            ("has_bus", self.has_bus),
            ("has_canteen", self.has_canteen),
            ("has_lab", self.has_lab),
            ("has_pool", self.has_pool),
            ("near_water", self.near_water),
            ("has_dormitory", self.has_dormitory),
            ("has_boiler", self.has_boiler),
            ("has_elevator", self.has_elevator),
            ("has_gas", self.has_gas),
        ]
    }

    pub fn set(&mut self, name: &str, v: bool) -> bool {
        let slot = match name {
            "boarding" => &mut self.boarding,
            "has_bus" => &mut self.has_bus,
            "has_canteen" => &mut self.has_canteen,
            "has_lab" => &mut self.has_lab,
            "has_pool" => &mut self.has_pool,
            "near_water" => &mut self.near_water,
            "has_dormitory" => &mut self.has_dormitory,
            "has_boiler" => &mut self.has_boiler,
            "has_elevator" => &mut self.has_elevator,
            "has_gas" => &mut self.has_gas,
            _ => return false,
        };
        *slot = v;
        true
    }
}

/// A school or kindergarten.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct School {
    pub id: OrgId,
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: SchoolKind,
    pub district: OrgRef,
    pub students: i32,
    pub staff: i32,
    pub area_m2: i32,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub phone: String,
    pub features: Features,
    pub updated_at: DateTime<Utc>,
}

impl School {
    pub(crate) fn from_rows(m: org::Model, district: OrgRef) -> Self {
        School {
            id: m.id,
            code: m.code,
            name: m.name,
            name_en: m.name_en,
            kind: m
                .school_kind
                .as_deref()
                .and_then(SchoolKind::parse)
                .unwrap_or(SchoolKind::Primary),
            district,
            students: m.students,
            staff: m.staff,
            area_m2: m.area_m2,
            address: m.address,
            lat: m.lat,
            lng: m.lng,
            phone: m.phone,
            features: Features {
                boarding: m.boarding,
                has_bus: m.has_bus,
                has_canteen: m.has_canteen,
                has_lab: m.has_lab,
                has_pool: m.has_pool,
                near_water: m.near_water,
                has_dormitory: m.has_dormitory,
                has_boiler: m.has_boiler,
                has_elevator: m.has_elevator,
                has_gas: m.has_gas,
            },
            updated_at: m.updated_at,
        }
    }
}

impl From<org::Model> for OrgRef {
    fn from(m: org::Model) -> Self {
        OrgRef {
            id: m.id,
            code: m.code,
            name: m.name,
            kind: OrgLevel::parse(&m.level).unwrap_or(OrgLevel::School),
        }
    }
}

impl From<org::Model> for Org {
    fn from(m: org::Model) -> Self {
        Org {
            id: m.id,
            parent_id: m.parent_id,
            code: m.code,
            name: m.name,
            name_en: m.name_en,
            kind: OrgLevel::parse(&m.level).unwrap_or(OrgLevel::School),
            address: m.address,
            phone: m.phone,
        }
    }
}

/// A person at a school or bureau, with their post (岗位).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Person {
    pub id: PersonId,
    pub org_id: OrgId,
    pub name: String,
    pub post: Post,
    pub phone: String,
    pub note: String,
}

impl Person {
    /// The view for a reader who does not manage people: the phone number masked as the pages
    /// show it (138****5678).
    pub(crate) fn masked(mut self) -> Self {
        if !self.phone.is_empty() {
            self.phone = crate::domain::person::mask_phone(&self.phone);
        }
        self
    }
}

impl From<person::Model> for Person {
    fn from(m: person::Model) -> Self {
        Person {
            id: m.id,
            org_id: m.org_id,
            name: m.name,
            post: Post::parse(&m.post).unwrap_or(Post::Teacher),
            phone: m.phone,
            note: m.note,
        }
    }
}

/// A campus zone (building, floor, area, water, gate …) with its responsible person (网格).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Zone {
    pub id: ZoneId,
    pub school_id: OrgId,
    pub parent_id: Option<ZoneId>,
    pub code: String,
    pub name: String,
    pub zone_type: ZoneType,
    /// Plan rectangle in a 1000 × 700 site plan, when drawn.
    pub x: Option<i32>,
    pub y: Option<i32>,
    pub w: Option<i32>,
    pub h: Option<i32>,
    pub responsible_person_id: Option<PersonId>,
    pub responsible_name: Option<String>,
    pub responsible_post: Option<Post>,
}

impl Zone {
    pub(crate) fn from_rows(m: zone::Model, resp: Option<&person::Model>) -> Self {
        Zone {
            id: m.id,
            school_id: m.school_id,
            parent_id: m.parent_id,
            code: m.code,
            name: m.name,
            zone_type: ZoneType::parse(&m.zone_type).unwrap_or(ZoneType::Area),
            x: m.x,
            y: m.y,
            w: m.w,
            h: m.h,
            responsible_person_id: m.responsible_person_id,
            responsible_name: resp.map(|p| p.name.clone()),
            responsible_post: resp.and_then(|p| Post::parse(&p.post)),
        }
    }
}

/// A user account as the admins see it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org: Option<OrgRef>,
    pub disabled: bool,
    pub locked: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl User {
    pub(crate) fn from_rows(m: user::Model, org: Option<OrgRef>) -> Self {
        User {
            id: m.id,
            username: m.username,
            display_name: m.display_name,
            role: Role::parse(&m.role).unwrap_or(Role::Staff),
            org,
            disabled: m.disabled,
            locked: m.locked_until.is_some_and(|t| t > Utc::now()),
            last_login_at: m.last_login_at,
        }
    }
}

/// One audit-log row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: DateTime<Utc>,
    pub username: String,
    pub role: String,
    pub org_id: Option<OrgId>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    pub ip: String,
    pub detail: String,
    pub hash: String,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        AuditEntry {
            id: m.id,
            at: m.at,
            username: m.username,
            role: m.role,
            org_id: m.org_id,
            action: m.action,
            object_type: m.object_type,
            object_id: m.object_id,
            result: m.result,
            ip: m.ip,
            detail: m.detail,
            hash: m.hash,
        }
    }
}
