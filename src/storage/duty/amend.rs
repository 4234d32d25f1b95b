//! Corrections of the bureau's phone spot checks (值班抽查更正): a bureau that can record spot
//! checks corrects one after recording it (a call misheard, a call back noted late). The check
//! is changed in place, under the same rules as a new one; the values it replaced are kept
//! first, with why and by whom, as a numbered row of `duty_spot_check_revisions`, and the
//! correction is audited (`duty.spot_check_amend`: the fields changed and the results, no
//! phone numbers or notes).

use super::checks::{SpotCheck, roster_day, spot_view};
use super::{DutyAudit, duty_error, rules};
use crate::domain::Code;
use crate::domain::duty::{DutyConfig, MAX_TEXT, spot_check_result, valid_phone};
use crate::domain::ids::{DutyPeriodId, DutySpotCheckId};
use crate::error::{Error, Result};
use crate::storage::Duty;
use crate::storage::audit::Event;
use crate::storage::entity::{duty_spot_check, duty_spot_check_revision as revision};
use crate::storage::read::{ReadAll as _, Reader};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// A correction of a spot check (`PATCH /api/v1/duty-periods/{id}/spot-checks/{check_id}`):
/// the outcome restated (`answered`, and `called_back_at` when it called back), the other
/// fields when they change (left out: unchanged), and why (required).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpotCheckCorrection {
    pub answered: bool,
    /// When the unit called back (only when it did not answer; left out: it did not).
    #[serde(default)]
    pub called_back_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub called_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Why the record is corrected.
    pub reason: String,
}

/// The values a correction replaced, with why and by whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpotCheckRevision {
    /// 1 for the first correction.
    pub seq: i32,
    pub called_at: DateTime<Utc>,
    pub phone: String,
    pub answered: bool,
    pub called_back_at: Option<DateTime<Utc>>,
    pub result: crate::domain::duty::SpotCheckResult,
    pub note: String,
    pub reason: String,
    pub amended_by_name: String,
    pub amended_at: DateTime<Utc>,
}

fn revision_view(m: revision::Model) -> SpotCheckRevision {
    use crate::domain::duty::SpotCheckResult;
    SpotCheckRevision {
        seq: m.seq,
        called_at: m.called_at,
        phone: m.phone,
        answered: m.answered,
        called_back_at: m.called_back_at,
        result: SpotCheckResult::parse(&m.result).unwrap_or(SpotCheckResult::NoAnswer),
        note: m.note,
        reason: m.reason,
        amended_by_name: m.amended_by_name,
        amended_at: m.amended_at,
    }
}

/// The corrections of these checks, oldest first, by check.
pub(super) async fn revisions_of(
    read: &Reader,
    checks: Vec<DutySpotCheckId>,
) -> Result<HashMap<DutySpotCheckId, Vec<SpotCheckRevision>>> {
    let mut out: HashMap<DutySpotCheckId, Vec<SpotCheckRevision>> = HashMap::new();
    if checks.is_empty() {
        return Ok(out);
    }
    let rows = revision::Entity::find()
        .filter(revision::Column::SpotCheckId.is_in(checks))
        .order_by_asc(revision::Column::SpotCheckId)
        .order_by_asc(revision::Column::Seq)
        .read_all(read)
        .await?;
    for r in rows {
        out.entry(r.spot_check_id)
            .or_default()
            .push(revision_view(r));
    }
    Ok(out)
}

impl Duty<'_> {
    /// Corrects a spot check of the period: the period (404), the role (403), the check one
    /// of the period's and of a unit the caller sees (404), recorded by the caller's bureau
    /// or one below it (403 with the reason); then the corrected values under the rules of a
    /// new check (422). A correction that changes nothing stores nothing.
    pub async fn correct_spot_check(
        &self,
        id: DutyPeriodId,
        check: DutySpotCheckId,
        input: SpotCheckCorrection,
        cfg: &DutyConfig,
    ) -> Result<SpotCheck> {
        let event = Event::new(DutyAudit::SpotCheckAmend, "duty_period", id);
        let found = self.period_row(id, &self.read).await;
        let (mut tx, p) = self.begin_found(event, found).await?;
        let res: Result<(duty_spot_check::Model, String, Vec<&'static str>, String)> = async {
            let old = duty_spot_check::Entity::find_by_id(check)
                .filter(duty_spot_check::Column::PeriodId.eq(id))
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let s = self.unit(id, old.school_id, &tx.txn).await?;
            if let Some(by) = old.org_id
                && self.org_row(by, &tx.txn).await.is_err()
            {
                return Err(Error::ForbiddenBecause("err.duty.not_your_check".into()));
            }
            let reason = input.reason.trim().to_string();
            if reason.is_empty() {
                return Err(Error::field("reason", "err.required"));
            }
            if reason.chars().count() > MAX_TEXT {
                return Err(Error::field("reason", "err.duty.too_long"));
            }
            let now = Utc::now();
            // Instants as the databases keep them (microseconds), so that a correction that
            // restates the record changes nothing.
            let micros = |t: DateTime<Utc>| t.trunc_subsecs(6);
            let called_at = micros(input.called_at.unwrap_or(old.called_at));
            let called_back_at = input.called_back_at.map(micros);
            let result = spot_check_result(
                called_at,
                input.answered,
                called_back_at,
                cfg.callback_minutes,
                now,
            )
            .map_err(duty_error)?;
            let date = crate::clock::china_date(called_at);
            if !rules(&p).contains(date) {
                return Err(Error::field("called_at", "err.duty.outside_period"));
            }
            let phone = match input.phone.as_deref().map(str::trim) {
                None => old.phone.clone(),
                Some("") => roster_day(&tx.txn, id, s.id, date)
                    .await?
                    .and_then(|d| d.duty_phone)
                    .unwrap_or_default(),
                Some(ph) if valid_phone(ph) => ph.to_string(),
                Some(_) => return Err(Error::field("phone", "err.duty.phone")),
            };
            let note = match input.note.as_deref().map(str::trim) {
                Some(n) if n.chars().count() > MAX_TEXT => {
                    return Err(Error::field("note", "err.duty.too_long"));
                }
                Some(n) => n.to_string(),
                None => old.note.clone(),
            };
            let mut changed = Vec::new();
            if called_at != micros(old.called_at) {
                changed.push("called_at");
            }
            if phone != old.phone {
                changed.push("phone");
            }
            if input.answered != old.answered {
                changed.push("answered");
            }
            if called_back_at != old.called_back_at.map(micros) {
                changed.push("called_back_at");
            }
            if note != old.note {
                changed.push("note");
            }
            let before = old.result.clone();
            if changed.is_empty() {
                return Ok((old, s.name, changed, before));
            }
            let seq = revision::Entity::find()
                .filter(revision::Column::SpotCheckId.eq(check))
                .order_by_desc(revision::Column::Seq)
                .one(&tx.txn)
                .await?
                .map_or(0, |r| r.seq)
                + 1;
            revision::ActiveModel {
                spot_check_id: Set(check),
                seq: Set(seq),
                called_at: Set(old.called_at),
                phone: Set(old.phone.clone()),
                answered: Set(old.answered),
                called_back_at: Set(old.called_back_at),
                result: Set(old.result.clone()),
                note: Set(old.note.clone()),
                reason: Set(reason),
                amended_by: Set(Some(self.actor.user_id)),
                amended_by_name: Set(self.actor.display_name.clone()),
                amended_at: Set(now),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            let mut am: duty_spot_check::ActiveModel = old.into();
            am.called_at = Set(called_at);
            am.phone = Set(phone);
            am.answered = Set(input.answered);
            am.called_back_at = Set(called_back_at);
            am.result = Set(result.as_str().into());
            am.note = Set(note);
            let m = am.update(&tx.txn).await?;
            Ok((m, s.name, changed, before))
        }
        .await;
        match res {
            Ok((m, name, changed, before)) => {
                tx.event.object_id = format!("{id}:{}", m.id);
                tx.event.detail = if changed.is_empty() {
                    format!("school={} unchanged", m.school_id)
                } else {
                    format!(
                        "school={} result={before}->{} changed={}",
                        m.school_id,
                        m.result,
                        changed.join(",")
                    )
                };
                tx.commit().await?;
                let mut revisions = revisions_of(&self.read, vec![m.id]).await?;
                let list = revisions.remove(&m.id).unwrap_or_default();
                Ok(spot_view(m, name, list))
            }
            Err(e) => {
                let reason = matches!(e, Error::ForbiddenBecause(_));
                let refused = tx.event.clone();
                let e = tx.fail(e).await;
                if reason {
                    self.audit_refusal(&refused, &e).await;
                }
                Err(e)
            }
        }
    }
}
