//! Campus zones and their responsible persons (网格化), through a [`Scoped`] handle.

use super::audit::Event;
use super::entity::{person, zone};
use super::orgs::invalid;
use super::views::Zone;
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId, ZoneId};
use crate::domain::org::ZoneType;
use crate::error::{Error, FieldError, Result};
use crate::storage::Zones;
use crate::storage::orgs::OrgAudit;
use crate::storage::read::ReadAll as _;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// A zone to add, or the new values of one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneInput {
    pub code: String,
    pub name: String,
    pub zone_type: ZoneType,
    #[serde(default)]
    pub parent_id: Option<ZoneId>,
    #[serde(default)]
    pub responsible_person_id: Option<PersonId>,
    #[serde(default)]
    pub x: Option<i32>,
    #[serde(default)]
    pub y: Option<i32>,
    #[serde(default)]
    pub w: Option<i32>,
    #[serde(default)]
    pub h: Option<i32>,
}

impl ZoneInput {
    fn check(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if !crate::domain::org::valid_code(&self.code) {
            errs.push(FieldError::new("code", "err.code"));
        }
        if self.name.trim().is_empty() {
            errs.push(FieldError::new("name", "err.required"));
        } else if self.name.chars().count() > 64 {
            errs.push(FieldError::new("name", "err.too_long_64"));
        }
        let rect = [self.x, self.y, self.w, self.h];
        let given = rect.iter().filter(|v| v.is_some()).count();
        if given != 0 && given != 4 {
            errs.push(FieldError::new("x", "err.rect_incomplete"));
        }
        if let [Some(x), Some(y), Some(w), Some(h)] = rect
            && (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > 1000 || y + h > 700)
        {
            errs.push(FieldError::new("x", "err.rect_outside"));
        }
        errs
    }
}

/// Whether `zone` is `start` or one of its ancestors, following `parents` upwards. Safe on
/// any data: each zone is visited once, so a loop already in the database ends the walk.
pub(crate) fn is_ancestor_or_self(
    parents: &HashMap<ZoneId, Option<ZoneId>>,
    zone: ZoneId,
    start: ZoneId,
) -> bool {
    let mut seen = HashSet::new();
    let mut cur = Some(start);
    while let Some(z) = cur {
        if z == zone {
            return true;
        }
        if !seen.insert(z) {
            return false;
        }
        cur = parents.get(&z).copied().flatten();
    }
    false
}

/// `root` and every zone below it, each once, however the parents are linked (a loop in the
/// data ends the walk instead of running forever).
pub(crate) fn zone_and_descendants(
    parent_pairs: impl IntoIterator<Item = (ZoneId, Option<ZoneId>)>,
    root: ZoneId,
) -> HashSet<ZoneId> {
    let mut children: HashMap<ZoneId, Vec<ZoneId>> = HashMap::new();
    for (z, p) in parent_pairs {
        if let Some(p) = p {
            children.entry(p).or_default().push(z);
        }
    }
    let mut out = HashSet::from([root]);
    let mut todo = vec![root];
    while let Some(cur) = todo.pop() {
        for c in children.get(&cur).into_iter().flatten() {
            if out.insert(*c) {
                todo.push(*c);
            }
        }
    }
    out
}

impl Zones<'_> {
    pub async fn list(&self, school: OrgId) -> Result<Vec<Zone>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        self.zones_unchecked(school).await
    }

    /// The zones of a school already checked to be in scope.
    pub(super) async fn zones_unchecked(&self, school: OrgId) -> Result<Vec<Zone>> {
        let rows = zone::Entity::find()
            .filter(zone::Column::SchoolId.eq(school))
            .order_by_asc(zone::Column::Code)
            .read_all(&self.read)
            .await?;
        let people: HashMap<PersonId, person::Model> = person::Entity::find()
            .filter(person::Column::OrgId.eq(school))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        Ok(rows
            .into_iter()
            .map(|z| {
                let p = z.responsible_person_id.and_then(|id| people.get(&id));
                Zone::from_rows(z, p)
            })
            .collect())
    }

    async fn zone_row(
        &self,
        id: ZoneId,
        conn: &impl crate::storage::read::Fetch,
    ) -> Result<zone::Model> {
        Ok(self.owned::<zone::Entity>(id, conn).await?.0)
    }

    pub async fn get(&self, id: ZoneId) -> Result<Zone> {
        let m = self.zone_row(id, &self.read).await?;
        self.permit()?;
        let p = match m.responsible_person_id {
            Some(pid) => person::Entity::find_by_id(pid).read_one(&self.read).await?,
            None => None,
        };
        Ok(Zone::from_rows(m, p.as_ref()))
    }

    /// Checks that the parent zone and the responsible person belong to `school`.
    async fn check_links(
        &self,
        school: OrgId,
        input: &ZoneInput,
        conn: &impl ConnectionTrait,
    ) -> Result<Vec<FieldError>> {
        let mut errs = input.check();
        if let Some(pid) = input.parent_id {
            let ok = zone::Entity::find_by_id(pid)
                .one(conn)
                .await?
                .is_some_and(|z| z.school_id == school);
            if !ok {
                errs.push(FieldError::new("parent_id", "err.zone_parent"));
            }
        }
        if let Some(pid) = input.responsible_person_id {
            let ok = person::Entity::find_by_id(pid)
                .one(conn)
                .await?
                .is_some_and(|p| p.org_id == school && p.active);
            if !ok {
                errs.push(FieldError::new(
                    "responsible_person_id",
                    "err.person_not_here",
                ));
            }
        }
        Ok(errs)
    }

    pub async fn create(&self, school: OrgId, input: ZoneInput) -> Result<Zone> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(OrgAudit::ZoneCreate, "zone", ""), school)
            .await?;
        let res: Result<ZoneId> = async {
            self.school_row(school.org_id(), &tx.txn).await?;
            let errs = self.check_links(school.org_id(), &input, &tx.txn).await?;
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            let am = zone::ActiveModel {
                school_id: Set(school.org_id()),
                parent_id: Set(input.parent_id),
                code: Set(input.code.trim().into()),
                name: Set(input.name.trim().into()),
                zone_type: Set(input.zone_type.as_str().into()),
                x: Set(input.x),
                y: Set(input.y),
                w: Set(input.w),
                h: Set(input.h),
                responsible_person_id: Set(input.responsible_person_id),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            Ok(am.insert(&tx.txn).await?.id)
        }
        .await;
        match res {
            Ok(id) => {
                tx.event.object_id = id.to_string();
                tx.event.detail = format!("school={school} code={}", input.code);
                tx.commit().await?;
                self.get_zone_unchecked(id).await
            }
            Err(Error::Conflict(_)) => Err(tx
                .fail(invalid(vec![FieldError::new("code", "err.code_taken")]))
                .await),
            Err(e) => Err(tx.fail(e).await),
        }
    }

    async fn get_zone_unchecked(&self, id: ZoneId) -> Result<Zone> {
        let m = self.zone_row(id, &self.read).await?;
        let p = match m.responsible_person_id {
            Some(pid) => person::Entity::find_by_id(pid).read_one(&self.read).await?,
            None => None,
        };
        Ok(Zone::from_rows(m, p.as_ref()))
    }

    pub async fn update(&self, id: ZoneId, input: ZoneInput) -> Result<Zone> {
        let event = Event::new(OrgAudit::ZoneUpdate, "zone", id);
        let mut tx = self.begin_owned::<zone::Entity>(event, id).await?;
        let res: Result<()> = async {
            let m = self.zone_row(id, &tx.txn).await?;
            let mut errs = self.check_links(m.school_id, &input, &tx.txn).await?;
            if input.parent_id == Some(id) {
                errs.push(FieldError::new("parent_id", "err.zone_parent"));
            } else if let Some(parent) = input.parent_id {
                // The new parent must not be the zone itself further up: A → B → A.
                let parents: HashMap<ZoneId, Option<ZoneId>> = zone::Entity::find()
                    .filter(zone::Column::SchoolId.eq(m.school_id))
                    .all(&tx.txn)
                    .await?
                    .into_iter()
                    .map(|z| (z.id, z.parent_id))
                    .collect();
                if is_ancestor_or_self(&parents, id, parent) {
                    errs.push(FieldError::new("parent_id", "err.zone_cycle"));
                }
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let mut am = m.into_active_model();
            am.parent_id = Set(input.parent_id);
            am.code = Set(input.code.trim().into());
            am.name = Set(input.name.trim().into());
            am.zone_type = Set(input.zone_type.as_str().into());
            am.x = Set(input.x);
            am.y = Set(input.y);
            am.w = Set(input.w);
            am.h = Set(input.h);
            am.responsible_person_id = Set(input.responsible_person_id);
            am.updated_at = Set(Utc::now());
            am.update(&tx.txn).await?;
            Ok(())
        }
        .await;
        match res {
            Ok(()) => {
                tx.event.detail = format!(
                    "code={} responsible={}",
                    input.code,
                    input
                        .responsible_person_id
                        .map(|p| p.to_string())
                        .unwrap_or_default()
                );
                tx.commit().await?;
                self.get_zone_unchecked(id).await
            }
            Err(Error::Conflict(_)) => Err(tx
                .fail(invalid(vec![FieldError::new("code", "err.code_taken")]))
                .await),
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
