//! Writing the demo's governance and security: governance actions of a district with the
//! schools' results (the action's count and first result day kept as a request keeps them,
//! so the evidence trigger of `m0020_governance_security` indexes it), and security
//! register entries.

use super::entity::{governance_action, governance_result, governance_school, security_equipment};
use super::seed::SeedTx;
use super::seed_history::Person;
use crate::domain::Code;
use crate::domain::governance::ActionKind;
use crate::domain::ids::OrgId;
use crate::domain::security::EquipmentKind;
use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

/// A governance action of the demo with the schools it covers and those that reported
/// (each with the day it did and its counts).
pub struct SeedAction {
    pub org: OrgId,
    pub kind: ActionKind,
    pub title: String,
    pub targets: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub checklist: Vec<String>,
    pub schools: Vec<OrgId>,
    pub results: Vec<(OrgId, NaiveDate, i32, i32, Person)>,
    pub created: DateTime<Utc>,
    pub by: Person,
}

/// A security register entry of the demo.
pub struct SeedEquipment {
    pub school: OrgId,
    pub kind: EquipmentKind,
    pub name: String,
    pub location: String,
    pub quantity: i32,
    pub working: bool,
    pub linked_police: Option<bool>,
    pub retention_days: Option<i32>,
    pub licence: String,
    pub birth_year: Option<i32>,
    pub by: Person,
}

impl SeedTx {
    /// Writes a governance action, its schools and results.
    pub async fn seed_governance_action(&mut self, a: &SeedAction) -> Result<()> {
        let checks = vec![true; a.checklist.len()];
        let first = a.results.iter().map(|r| r.1).min();
        let m = governance_action::ActiveModel {
            org_id: Set(a.org),
            kind: Set(a.kind.as_str().into()),
            title: Set(a.title.clone()),
            targets: Set(a.targets.clone()),
            starts_on: Set(a.starts_on),
            ends_on: Set(a.ends_on),
            checklist: Set(serde_json::to_string(&a.checklist).map_err(Error::internal)?),
            results: Set(a.results.len() as i32),
            first_result_on: Set(first),
            created_by: Set(Some(a.by.user)),
            created_by_name: Set(a.by.name.clone()),
            created_at: Set(a.created),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        if !a.schools.is_empty() {
            governance_school::Entity::insert_many(a.schools.iter().map(|s| {
                governance_school::ActiveModel {
                    action_id: Set(m.id),
                    school_id: Set(*s),
                    ..Default::default()
                }
            }))
            .exec(&self.txn)
            .await?;
        }
        let checks = serde_json::to_string(&checks).map_err(Error::internal)?;
        for (school, day, found, fixed, by) in &a.results {
            governance_result::ActiveModel {
                action_id: Set(m.id),
                school_id: Set(*school),
                checks: Set(checks.clone()),
                found: Set(*found),
                fixed: Set(*fixed),
                summary: Set(format!("发现问题 {found} 个，已整改 {fixed} 个。")),
                reported_on: Set(*day),
                reported_by: Set(Some(by.user)),
                reported_by_name: Set(by.name.clone()),
                reported_at: Set(crate::storage::seed_history::at(*day, 16, 0)),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
        }
        Ok(())
    }

    /// Writes security register entries, then makes each school's devices that are security
    /// equipment entries of its register (the entry of the same kind and name, else a new one:
    /// [`SeedTx::link_devices_to_register`]), so no piece of equipment is listed twice.
    pub async fn seed_equipment(&mut self, rows: &[SeedEquipment]) -> Result<()> {
        for chunk in rows.chunks(200) {
            security_equipment::Entity::insert_many(chunk.iter().map(|e| {
                let guard = e.kind == EquipmentKind::Guard;
                security_equipment::ActiveModel {
                    school_id: Set(e.school),
                    kind: Set(e.kind.as_str().into()),
                    name: Set(e.name.clone()),
                    location: Set(e.location.clone()),
                    quantity: Set(e.quantity),
                    working: Set(e.working),
                    linked_police: Set(e.linked_police),
                    retention_days: Set(e.retention_days),
                    licence: Set(e.licence.clone()),
                    birth_year: Set(e.birth_year),
                    full_time: Set(guard.then_some(true)),
                    retired: Set(false),
                    updated_by: Set(Some(e.by.user)),
                    updated_by_name: Set(e.by.name.clone()),
                    updated_at: Set(Utc::now()),
                    ..Default::default()
                }
            }))
            .exec(&self.txn)
            .await?;
        }
        let mut schools: Vec<(OrgId, &Person)> = Vec::new();
        for e in rows {
            if !schools.iter().any(|(s, _)| *s == e.school) {
                schools.push((e.school, &e.by));
            }
        }
        for (school, by) in schools {
            self.link_devices_to_register(school, by).await?;
        }
        Ok(())
    }
}
