//! The device threshold rules of the early warning, as configuration the bureau edits: the
//! platform's defaults (domain.md §1.9, rows without an org) and a bureau's own values (rows of
//! its org, made the first time it edits a rule). A school works under the rule of its nearest
//! ancestor that has one, else the default.

use super::audit::Event;
use super::entity::{org, warning_rule};
use super::warnings::WarningAudit;
use crate::domain::Code;
use crate::domain::device::DeviceKind;
use crate::domain::ids::{OrgId, WarningRuleId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::warning::{self as rules, Comparator, Level, Metric, Threshold};
use crate::error::{Error, FieldError, Result};
use crate::storage::WarningRules;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, IntoActiveModel, QueryOrder, TryIntoModel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A rule as the API shows it: the one in force for the caller's org.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningRule {
    pub id: WarningRuleId,
    /// The org whose value this is; none for the platform's default.
    pub org_id: Option<OrgId>,
    pub code: String,
    pub kind: DeviceKind,
    pub metric: Metric,
    pub comparator: Comparator,
    pub value: f64,
    pub level: Level,
    pub min_duration_s: i32,
    pub hysteresis: f64,
    pub enabled: bool,
    pub updated_at: DateTime<Utc>,
}

/// Changes to a rule: a field left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulePatch {
    pub comparator: Option<Comparator>,
    pub value: Option<f64>,
    pub level: Option<Level>,
    pub min_duration_s: Option<u32>,
    pub hysteresis: Option<f64>,
    pub enabled: Option<bool>,
}

/// The default rules, written once each (at every start, so a new default arrives with an
/// upgrade; a default already there is left as it is).
pub(crate) async fn ensure_defaults(conn: &impl ConnectionTrait) -> Result<()> {
    let have: Vec<String> = warning_rule::Entity::find()
        .filter(warning_rule::Column::OrgId.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let now = Utc::now();
    for t in rules::default_thresholds() {
        if have.contains(&t.code()) {
            continue;
        }
        warning_rule::ActiveModel {
            org_id: Set(None),
            code: Set(t.code()),
            device_kind: Set(t.kind.as_str().into()),
            metric: Set(t.metric.as_str().into()),
            comparator: Set(t.comparator.as_str().into()),
            value: Set(t.value),
            level: Set(t.level.as_str().into()),
            min_duration_s: Set(t.min_duration_s as i32),
            hysteresis: Set(t.hysteresis),
            enabled: Set(true),
            updated_at: Set(now),
            updated_by: Set(None),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// The rule in force for each code at the node with `path`: the deepest row among the node's
/// ancestors (itself included), else the default.
pub(crate) async fn effective(
    conn: &impl ConnectionTrait,
    path: &OrgPath,
) -> Result<Vec<warning_rule::Model>> {
    let ids: Vec<OrgId> = path.ids().into_iter().map(OrgId).collect();
    let rows = warning_rule::Entity::find()
        .filter(
            Condition::any()
                .add(warning_rule::Column::OrgId.is_null())
                .add(warning_rule::Column::OrgId.is_in(ids.clone())),
        )
        .order_by_asc(warning_rule::Column::Id)
        .all(conn)
        .await?;
    Ok(pick(rows, &ids))
}

fn depth(r: &warning_rule::Model, ids: &[OrgId]) -> usize {
    r.org_id
        .and_then(|o| ids.iter().position(|i| *i == o))
        .map(|p| p + 1)
        .unwrap_or(0)
}

fn pick(rows: Vec<warning_rule::Model>, ids: &[OrgId]) -> Vec<warning_rule::Model> {
    let mut by_code: std::collections::BTreeMap<String, warning_rule::Model> = Default::default();
    for r in rows {
        let replace = by_code
            .get(&r.code)
            .is_none_or(|old| depth(&r, ids) > depth(old, ids));
        if replace {
            by_code.insert(r.code.clone(), r);
        }
    }
    by_code.into_values().collect()
}

/// A stored rule as a threshold the engine evaluates (none when a stored code is unknown).
pub(crate) fn threshold(r: &warning_rule::Model) -> Option<Threshold> {
    Some(Threshold {
        kind: DeviceKind::parse(&r.device_kind)?,
        metric: Metric::parse(&r.metric)?,
        comparator: Comparator::parse(&r.comparator)?,
        value: r.value,
        level: Level::parse(&r.level)?,
        min_duration_s: u32::try_from(r.min_duration_s).ok()?,
        hysteresis: r.hysteresis,
    })
}

fn view(r: warning_rule::Model) -> Option<WarningRule> {
    let t = threshold(&r)?;
    Some(WarningRule {
        id: r.id,
        org_id: r.org_id,
        code: r.code,
        kind: t.kind,
        metric: t.metric,
        comparator: t.comparator,
        value: t.value,
        level: t.level,
        min_duration_s: r.min_duration_s,
        hysteresis: t.hysteresis,
        enabled: r.enabled,
        updated_at: r.updated_at,
    })
}

impl WarningRules<'_> {
    /// The node whose rules the caller works under: its own org (a school reads its
    /// district's values through the ancestors).
    async fn home(&self) -> Result<org::Model> {
        let id = self.actor().org_id().ok_or(Error::NotFound)?;
        self.org_row(id, &self.read).await
    }

    /// The rules in force for the caller's org.
    pub async fn list(&self) -> Result<Vec<WarningRule>> {
        self.permit()?;
        let home = self.home().await?;
        let path = OrgPath::parse(&home.path).ok_or(Error::NotFound)?;
        let ids: Vec<OrgId> = path.ids().into_iter().map(OrgId).collect();
        let rows = warning_rule::Entity::find()
            .filter(
                Condition::any()
                    .add(warning_rule::Column::OrgId.is_null())
                    .add(warning_rule::Column::OrgId.is_in(ids.clone())),
            )
            .order_by_asc(warning_rule::Column::Id)
            .read_all(&self.read)
            .await?;
        Ok(pick(rows, &ids).into_iter().filter_map(view).collect())
    }

    /// A rule the caller can see: a default, a value of an org in the caller's scope (the
    /// city sees its districts' values), or of an ancestor of the caller's org (a school sees
    /// its district's). Answers whether the value is the caller's to change in place.
    async fn visible(&self, id: WarningRuleId) -> Result<(warning_rule::Model, bool)> {
        let r = warning_rule::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let Some(o) = r.org_id else {
            return Ok((r, false));
        };
        if self.org_row(o, &self.read).await.is_ok() {
            return Ok((r, true));
        }
        let above = match self.actor().org_id() {
            Some(home) => {
                let home = self.org_row(home, &self.read).await?;
                OrgPath::parse(&home.path).is_some_and(|p| p.ids().contains(&o.0))
            }
            None => false,
        };
        if above {
            Ok((r, false))
        } else {
            Err(Error::NotFound)
        }
    }

    /// Changes a rule: a value of an org in the caller's scope is changed in place; a default
    /// or a higher bureau's value gets a value of the caller's own org beside it (the others
    /// keep theirs). Answers the changed value.
    pub async fn update(&self, id: WarningRuleId, patch: RulePatch) -> Result<WarningRule> {
        let found = self.visible(id).await;
        let (mut tx, (rule, in_place)) = self
            .begin_found(Event::new(WarningAudit::Rule, "warning_rule", id), found)
            .await?;
        let res: Result<warning_rule::Model> = async {
            let home = self.home().await?;
            let level = OrgLevel::parse(&home.level);
            if !in_place && !matches!(level, Some(OrgLevel::City | OrgLevel::District)) {
                return Err(Error::Forbidden);
            }
            let Some(mut t) = threshold(&rule) else {
                return Err(Error::NotFound);
            };
            if let Some(c) = patch.comparator {
                t.comparator = c;
            }
            if let Some(v) = patch.value {
                t.value = v;
            }
            if let Some(l) = patch.level {
                t.level = l;
            }
            if let Some(d) = patch.min_duration_s {
                t.min_duration_s = d;
            }
            if let Some(h) = patch.hysteresis {
                t.hysteresis = h;
            }
            if let Err(errs) = t.validate() {
                return Err(Error::Validation {
                    message: "err.invalid_input".into(),
                    fields: errs
                        .into_iter()
                        .map(|(f, k)| FieldError::new(f, k))
                        .collect(),
                });
            }
            let enabled = patch.enabled.unwrap_or(rule.enabled);
            let now = Utc::now();
            let own = if in_place {
                Some(rule.clone())
            } else {
                warning_rule::Entity::find()
                    .filter(warning_rule::Column::OrgId.eq(home.id))
                    .filter(warning_rule::Column::Code.eq(rule.code.clone()))
                    .one(&tx.txn)
                    .await?
            };
            let mut am = match own {
                Some(m) => m.into_active_model(),
                None => warning_rule::ActiveModel {
                    org_id: Set(Some(home.id)),
                    code: Set(rule.code.clone()),
                    device_kind: Set(rule.device_kind.clone()),
                    metric: Set(rule.metric.clone()),
                    ..Default::default()
                },
            };
            am.comparator = Set(t.comparator.as_str().into());
            am.value = Set(t.value);
            am.level = Set(t.level.as_str().into());
            am.min_duration_s = Set(t.min_duration_s as i32);
            am.hysteresis = Set(t.hysteresis);
            am.enabled = Set(enabled);
            am.updated_at = Set(now);
            am.updated_by = Set(Some(self.actor().user_id()));
            Ok(am.save(&tx.txn).await?.try_into_model()?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!(
                    "org={} code={} {} {} level={} duration={}s hysteresis={} enabled={}",
                    m.org_id.map(|o| o.to_string()).unwrap_or_default(),
                    m.code,
                    m.comparator,
                    m.value,
                    m.level,
                    m.min_duration_s,
                    m.hysteresis,
                    m.enabled
                );
                tx.commit().await?;
                view(m).ok_or(Error::NotFound)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
