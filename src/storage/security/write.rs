//! The register's writes: an entry added, an entry changed or retired (retiring disables
//! the entry's devices in the same transaction, [`super::linked`]).

use super::linked::disable_devices;
use super::{EntryPatch, MAX_NAME, NewEntry, Register, SecurityAudit, value_errs};
use crate::domain::Code;
use crate::domain::ids::{EquipmentId, OrgId};
use crate::domain::security::{EquipmentKind, SecurityRules};
use crate::error::{Error, FieldError, Result};
use crate::storage::Security;
use crate::storage::audit::Event;
use crate::storage::entity::security_equipment as equipment;
use crate::storage::orgs::invalid;
use chrono::{Datelike, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

impl Security<'_> {
    /// Adds an entry to a school's register.
    pub async fn add(
        &self,
        school: OrgId,
        input: NewEntry,
        rules: &SecurityRules,
        offline_minutes: u32,
    ) -> Result<Register> {
        let (mut tx, school) = self
            .begin_for_school(
                Event::new(SecurityAudit::Add, "security_equipment", ""),
                school,
            )
            .await?;
        let res: Result<equipment::Model> = async {
            let mut errs = Vec::new();
            let name = input.name.trim();
            if name.is_empty() {
                errs.push(FieldError::new("name", "err.required"));
            }
            if name.chars().count() > MAX_NAME || input.location.chars().count() > MAX_NAME {
                errs.push(FieldError::new("name", "err.security.too_long"));
            }
            value_errs(
                input.retention_days,
                input.quantity,
                Some(&input.licence),
                &mut errs,
            );
            let guard = input.kind == EquipmentKind::Guard;
            let year = crate::clock::today().year();
            if input
                .birth_year
                .is_some_and(|b| !(year - 100..=year - 16).contains(&b))
            {
                errs.push(FieldError::new("birth_year", "err.security.birth_year"));
            }
            if !guard
                && (input.birth_year.is_some()
                    || input.full_time.is_some()
                    || !input.licence.trim().is_empty())
            {
                errs.push(FieldError::new("kind", "err.security.guard_fields"));
            }
            if guard && input.quantity.is_some_and(|q| q != 1) {
                errs.push(FieldError::new("quantity", "err.security.one_guard"));
            }
            if input.retention_days.is_some() && input.kind != EquipmentKind::Camera {
                errs.push(FieldError::new(
                    "retention_days",
                    "err.security.camera_only",
                ));
            }
            if input.linked_police.is_some() && input.kind != EquipmentKind::OneKeyAlarm {
                errs.push(FieldError::new("linked_police", "err.security.alarm_only"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let alarm = input.kind == EquipmentKind::OneKeyAlarm;
            Ok(equipment::ActiveModel {
                school_id: Set(school.org_id()),
                kind: Set(input.kind.as_str().into()),
                name: Set(name.into()),
                location: Set(input.location.trim().into()),
                quantity: Set(input.quantity.unwrap_or(1)),
                working: Set(input.working.unwrap_or(true)),
                linked_police: Set(if alarm {
                    Some(input.linked_police.unwrap_or(false))
                } else {
                    None
                }),
                retention_days: Set(input.retention_days),
                licence: Set(input.licence.trim().into()),
                birth_year: Set(input.birth_year),
                full_time: Set(guard.then_some(input.full_time.unwrap_or(true))),
                retired: Set(false),
                updated_by: Set(Some(self.actor.user_id)),
                updated_by_name: Set(self.actor.display_name.clone()),
                updated_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!("school={} kind={}", m.school_id, m.kind);
                tx.commit().await?;
                self.register(m.school_id, rules, offline_minutes).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Changes an entry of a school in scope; the school's register after it. Retiring an
    /// entry revokes its devices' tokens in the same transaction (each revoke audited).
    pub async fn update(
        &self,
        id: EquipmentId,
        patch: EntryPatch,
        rules: &SecurityRules,
        offline_minutes: u32,
    ) -> Result<Register> {
        let mut tx = self
            .begin_owned::<equipment::Entity>(
                Event::new(SecurityAudit::Update, "security_equipment", id),
                id,
            )
            .await?;
        let res: Result<(equipment::Model, Vec<_>)> = async {
            let m = equipment::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let mut errs = Vec::new();
            value_errs(
                patch.retention_days,
                patch.quantity,
                patch.licence.as_deref(),
                &mut errs,
            );
            let kind = EquipmentKind::parse(&m.kind).unwrap_or(EquipmentKind::Other);
            if patch.retention_days.is_some() && kind != EquipmentKind::Camera {
                errs.push(FieldError::new(
                    "retention_days",
                    "err.security.camera_only",
                ));
            }
            if patch.linked_police.is_some() && kind != EquipmentKind::OneKeyAlarm {
                errs.push(FieldError::new("linked_police", "err.security.alarm_only"));
            }
            if patch.licence.is_some() && kind != EquipmentKind::Guard {
                errs.push(FieldError::new("licence", "err.security.guard_fields"));
            }
            if m.retired {
                return Err(Error::Conflict("err.security.retired".into()));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let mut a: equipment::ActiveModel = m.into();
            if let Some(v) = patch.working {
                a.working = Set(v);
            }
            if let Some(v) = patch.linked_police {
                a.linked_police = Set(Some(v));
            }
            if let Some(v) = patch.retention_days {
                a.retention_days = Set(Some(v));
            }
            if let Some(v) = &patch.licence {
                a.licence = Set(v.trim().into());
            }
            if let Some(v) = patch.quantity {
                a.quantity = Set(v);
            }
            if let Some(v) = patch.retired {
                a.retired = Set(v);
            }
            a.updated_by = Set(Some(self.actor.user_id));
            a.updated_by_name = Set(self.actor.display_name.clone());
            a.updated_at = Set(Utc::now());
            let m = a.update(&tx.txn).await?;
            let disabled = if patch.retired == Some(true) {
                disable_devices(&tx.txn, &self.actor, m.id).await?
            } else {
                Vec::new()
            };
            Ok((m, disabled))
        }
        .await;
        match res {
            Ok((m, disabled)) => {
                let mut changed = Vec::new();
                for (f, set) in [
                    ("working", patch.working.is_some()),
                    ("linked_police", patch.linked_police.is_some()),
                    ("retention_days", patch.retention_days.is_some()),
                    ("licence", patch.licence.is_some()),
                    ("quantity", patch.quantity.is_some()),
                    ("retired", patch.retired.is_some()),
                ] {
                    if set {
                        changed.push(f);
                    }
                }
                tx.event.detail = format!("school={} fields={}", m.school_id, changed.join(","));
                if !disabled.is_empty() {
                    let ids: Vec<String> = disabled.iter().map(|d| d.to_string()).collect();
                    tx.event
                        .detail
                        .push_str(&format!(" devices_revoked={}", ids.join(",")));
                }
                tx.commit().await?;
                self.register(m.school_id, rules, offline_minutes).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
