//! Warnings (风险预警, F-WARN-3/4): one store for every source — device thresholds, offline
//! devices, overdue hazards, missed checks, and the later modules' sources — with one open
//! warning per (source, subject, rule) and an immutable history of every step.
//!
//! Raising and clearing happen inside the transaction of whatever caused them (an ingest
//! batch, a job): [`raise`] and [`clear`]. People act on warnings through the scoped handle
//! ([`Warnings`]): the list, one warning with its history, and the lifecycle's steps.

use super::audit::Event;
use super::entity::{org, user, warning, warning_event};
use super::inbox::{self, Note, NoteParams};
use crate::domain::Code;
use crate::domain::ids::{
    DeviceId, HazardId, OrgId, RiskPointId, UserId, WarningEventId, WarningId, ZoneId,
};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::role::Role;
use crate::domain::warning::{self as rules, Level, Source, Status, Step, StepError, StepKind};
use crate::error::{Error, FieldError, Result};
use crate::storage::Warnings;
use crate::storage::read::ReadAll as _;
use crate::storage::views::{self, Paging};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, Condition, IntoActiveModel, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

closed_codes! {
    AuditCode:
    /// What the warnings record.
    pub enum WarningAudit {
        Acknowledge = "warning.acknowledge",
        Dispatch = "warning.dispatch",
        Resolve = "warning.resolve",
        FalseAlarm = "warning.false_alarm",
        Rule = "warning.rule",
    }
}

closed_codes! {
    NoticeKind:
    /// What the warnings tell people.
    pub enum WarningNotice {
        Raised = "warning_raised",
        Dispatched = "warning_dispatched",
    }
}

/// A warning as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Warning {
    pub id: WarningId,
    pub school_id: OrgId,
    pub school_name: String,
    pub source: Source,
    /// The rule that raised it (a threshold's code, `offline`, `overdue` …).
    pub rule: String,
    /// What it is about (`device:17`, `hazard:203` …).
    pub subject: String,
    pub level: Level,
    pub status: Status,
    pub device_id: Option<DeviceId>,
    pub zone_id: Option<ZoneId>,
    pub risk_point_id: Option<RiskPointId>,
    /// The reading that raised it (or its latest repeat).
    pub value: Option<f64>,
    pub detail: String,
    #[serde(serialize_with = "crate::storage::views::wire_time::instant")]
    pub raised_at: DateTime<Utc>,
    /// The latest repeat.
    #[serde(serialize_with = "crate::storage::views::wire_time::instant")]
    pub last_at: DateTime<Utc>,
    pub repeats: i32,
    /// When the device's condition cleared (a person still resolves red and orange).
    #[serde(serialize_with = "crate::storage::views::wire_time::opt_instant")]
    pub cleared_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::storage::views::wire_time::opt_instant")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<UserId>,
    #[serde(serialize_with = "crate::storage::views::wire_time::opt_instant")]
    pub closed_at: Option<DateTime<Utc>>,
    pub hazard_id: Option<HazardId>,
    /// Who beyond the school it was escalated to: `district` (yellow and above), `city` (red).
    pub escalated_to: Vec<&'static str>,
}

/// One step of a warning's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: WarningEventId,
    pub at: DateTime<Utc>,
    /// `raise`, `repeat`, `clear`, `acknowledge`, `dispatch`, `resolve`, `false_alarm`.
    pub step: String,
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    pub note: String,
    pub detail: String,
}

/// A warning with its history, oldest step first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningDetail {
    #[serde(flatten)]
    pub warning: Warning,
    pub history: Vec<HistoryEntry>,
}

/// The list's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningFilter {
    /// A school, or a district or city: the warnings of the schools below it.
    pub org_id: Option<i64>,
    pub level: Option<String>,
    pub status: Option<String>,
    pub source: Option<String>,
    /// One device's warnings.
    pub device_id: Option<i64>,
    /// Only open warnings (raised, acknowledged, dispatched).
    pub open: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A page of warnings with the open ones counted by level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningList {
    pub items: Vec<Warning>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// Open warnings in the listed schools by level (`{"red": 1, "orange": 0, …}`).
    #[schema(value_type = Object)]
    pub open_by_level: std::collections::BTreeMap<&'static str, u64>,
}

/// A step asked of a warning.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WarningStepRequest)]
pub struct WarningAction {
    pub action: StepKind,
    #[serde(default)]
    pub note: Option<String>,
    /// `dispatch`: the person who handles it (an active account of the warning's school).
    #[serde(default)]
    pub user_id: Option<i64>,
    /// `false_alarm`: why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What raised a warning, inside the transaction of its cause.
pub(in crate::storage) struct Raise {
    pub school: OrgId,
    pub source: Source,
    pub rule: String,
    pub subject: String,
    pub level: Level,
    pub device: Option<DeviceId>,
    pub zone: Option<ZoneId>,
    pub point: Option<RiskPointId>,
    pub value: Option<f64>,
    pub detail: String,
    pub at: DateTime<Utc>,
    /// Tell the people it reaches (not for the demo's closed past warnings).
    pub notify: bool,
}

fn open_key(source: Source, subject: &str, rule: &str) -> String {
    format!("{}|{subject}|{rule}", source.as_str())
}

async fn history(
    txn: &impl ConnectionTrait,
    id: WarningId,
    at: DateTime<Utc>,
    step: &str,
    user: Option<UserId>,
    note: &str,
    detail: &str,
) -> Result<()> {
    warning_event::ActiveModel {
        warning_id: Set(id),
        at: Set(at),
        step: Set(step.into()),
        user_id: Set(user),
        note: Set(note.into()),
        detail: Set(detail.into()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Raises a warning, or — when one is open for the same source, subject and rule — records
/// the repeat on it (its level rises if the repeat is more severe; a cleared condition that
/// came back is no longer cleared). New warnings are told to the school's managers, and
/// escalated: yellow and above to the district's safety section, red to the city as well.
/// Returns the warning and whether it is new.
pub(in crate::storage) async fn raise(
    txn: &impl ConnectionTrait,
    r: Raise,
) -> Result<(WarningId, bool)> {
    let key = open_key(r.source, &r.subject, &r.rule);
    let open = warning::Entity::find()
        .filter(warning::Column::OpenKey.eq(key.clone()))
        .one(txn)
        .await?;
    if let Some(w) = open {
        let id = w.id;
        let level = Level::parse(&w.level).unwrap_or(r.level);
        let higher = if r.level.rank() < level.rank() {
            r.level
        } else {
            level
        };
        let repeats = w.repeats + 1;
        let version = w.version + 1;
        let mut am = w.into_active_model();
        am.level = Set(higher.as_str().into());
        am.last_at = Set(r.at);
        am.repeats = Set(repeats);
        am.value = Set(r.value);
        am.cleared_at = Set(None);
        am.version = Set(version);
        am.update(txn).await?;
        history(txn, id, r.at, "repeat", None, "", &r.detail).await?;
        return Ok((id, false));
    }
    let now = r.at;
    let m = warning::ActiveModel {
        school_id: Set(r.school),
        source: Set(r.source.as_str().into()),
        rule: Set(r.rule.clone()),
        subject: Set(r.subject.clone()),
        level: Set(r.level.as_str().into()),
        status: Set(Status::Raised.as_str().into()),
        open_key: Set(Some(key)),
        device_id: Set(r.device),
        zone_id: Set(r.zone),
        risk_point_id: Set(r.point),
        value: Set(r.value),
        detail: Set(r.detail.clone()),
        raised_at: Set(now),
        last_at: Set(now),
        repeats: Set(0),
        cleared_at: Set(None),
        acknowledged_at: Set(None),
        assignee_id: Set(None),
        closed_at: Set(None),
        hazard_id: Set(None),
        version: Set(0),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    history(txn, m.id, now, "raise", None, "", &r.detail).await?;
    if !r.notify {
        return Ok((m.id, true));
    }
    super::outbox::enqueue(txn, m.id, r.school, r.level, now).await?;
    let mut users = inbox::school_managers(txn, r.school).await?;
    let reach = escalated_to(r.level);
    if reach.contains(&"district") {
        users.extend(inbox::bureau_officers(txn, r.school).await?);
    }
    if reach.contains(&"city") {
        users.extend(city_officers(txn, r.school).await?);
    }
    let school = org::Entity::find_by_id(r.school).one(txn).await?;
    let subject = format!(
        "{} · {}",
        school.map(|s| s.name).unwrap_or_default(),
        r.detail
    );
    inbox::notify(
        txn,
        &users,
        &Note {
            kind: WarningNotice::Raised.into(),
            hazard: None,
            school: Some(r.school),
            subject: &subject,
            link: format!("/warnings/{}", m.id),
            params: NoteParams {
                status: Some(r.level.as_str().into()),
                ..Default::default()
            },
            dedupe: format!("warning:{}:raised", m.id),
        },
    )
    .await?;
    Ok((m.id, true))
}

/// The city officers above a school.
async fn city_officers(txn: &impl ConnectionTrait, school: OrgId) -> Result<Vec<UserId>> {
    let Some(s) = org::Entity::find_by_id(school).one(txn).await? else {
        return Ok(Vec::new());
    };
    let Some(path) = OrgPath::parse(&s.path) else {
        return Ok(Vec::new());
    };
    let ancestors: Vec<OrgId> = path.ids().into_iter().map(OrgId).collect();
    let cities: Vec<OrgId> = org::Entity::find()
        .select_only()
        .column(org::Column::Id)
        .filter(org::Column::Id.is_in(ancestors))
        .filter(org::Column::Level.eq(OrgLevel::City.as_str()))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::OrgId.is_in(cities))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Role.eq(Role::CityOfficer.as_str()))
        .into_tuple()
        .all(txn)
        .await?)
}

/// Who beyond the school a warning of `level` reaches.
pub fn escalated_to(level: Level) -> Vec<&'static str> {
    let mut v = Vec::new();
    if level.reaches_district() {
        v.push("district");
    }
    if level.reaches_city() {
        v.push("city");
    }
    v
}

/// Records that the condition behind the open warning (source, subject, rule) cleared; a
/// yellow or blue warning is resolved by that, a red or orange one waits for a person.
pub(in crate::storage) async fn clear(
    txn: &impl ConnectionTrait,
    source: Source,
    subject: &str,
    rule: &str,
    at: DateTime<Utc>,
    detail: &str,
) -> Result<Option<WarningId>> {
    let Some(w) = warning::Entity::find()
        .filter(warning::Column::OpenKey.eq(open_key(source, subject, rule)))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    if w.cleared_at.is_some() {
        // Already recorded; a red or orange warning waits for a person.
        return Ok(None);
    }
    let id = w.id;
    let level = Level::parse(&w.level).unwrap_or(Level::Red);
    let version = w.version + 1;
    let mut am = w.into_active_model();
    am.cleared_at = Set(Some(at));
    am.version = Set(version);
    let resolves = !level.needs_person_to_resolve();
    if resolves {
        am.status = Set(Status::Resolved.as_str().into());
        am.closed_at = Set(Some(at));
        am.open_key = Set(None);
    }
    am.update(txn).await?;
    history(txn, id, at, "clear", None, "", detail).await?;
    if resolves {
        history(txn, id, at, "resolve", None, "", "cleared").await?;
    }
    Ok(Some(id))
}

pub(in crate::storage) fn view(m: warning::Model, school_name: String) -> Warning {
    let level = Level::parse(&m.level).unwrap_or(Level::Red);
    Warning {
        id: m.id,
        school_id: m.school_id,
        school_name,
        source: Source::parse(&m.source).unwrap_or(Source::Device),
        rule: m.rule,
        subject: m.subject,
        level,
        status: Status::parse(&m.status).unwrap_or(Status::Raised),
        device_id: m.device_id,
        zone_id: m.zone_id,
        risk_point_id: m.risk_point_id,
        value: m.value,
        detail: m.detail,
        raised_at: m.raised_at,
        last_at: m.last_at,
        repeats: m.repeats,
        cleared_at: m.cleared_at,
        acknowledged_at: m.acknowledged_at,
        assignee_id: m.assignee_id,
        closed_at: m.closed_at,
        hazard_id: m.hazard_id,
        escalated_to: escalated_to(level),
    }
}

fn step_error(e: StepError) -> Error {
    match e {
        StepError::IllegalStep { .. } => Error::Conflict(e.key().into()),
        e => Error::Validation {
            message: "err.invalid_input".into(),
            fields: vec![FieldError::new(e.field().unwrap_or("action"), e.key())],
        },
    }
}

impl Warnings<'_> {
    /// The schools a list covers: below `org_id` (in scope) or the actor's scope.
    async fn listed(&self, under: Option<i64>) -> Result<Condition> {
        let schools = self.listed_orgs(under).await?;
        Ok(Condition::all().add(warning::Column::SchoolId.in_subquery(schools)))
    }

    fn filter(f: &WarningFilter) -> Result<Condition> {
        let mut c = Condition::all();
        let mut errs = Vec::new();
        if let Some(l) = f.level.as_deref().filter(|s| !s.is_empty()) {
            match Level::parse(l) {
                Some(l) => c = c.add(warning::Column::Level.eq(l.as_str())),
                None => errs.push(FieldError::new("level", "err.invalid_input")),
            }
        }
        if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
            match Status::parse(s) {
                Some(s) => c = c.add(warning::Column::Status.eq(s.as_str())),
                None => errs.push(FieldError::new("status", "err.invalid_input")),
            }
        }
        if let Some(s) = f.source.as_deref().filter(|s| !s.is_empty()) {
            match Source::parse(s) {
                Some(s) => c = c.add(warning::Column::Source.eq(s.as_str())),
                None => errs.push(FieldError::new("source", "err.invalid_input")),
            }
        }
        if let Some(d) = f.device_id {
            c = c.add(warning::Column::DeviceId.eq(DeviceId(d)));
        }
        if f.open == Some(true) {
            c = c.add(warning::Column::OpenKey.is_not_null());
        }
        if errs.is_empty() {
            Ok(c)
        } else {
            Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: errs,
            })
        }
    }

    async fn school_names(
        &self,
        ids: &[OrgId],
    ) -> Result<std::collections::HashMap<OrgId, String>> {
        Ok(org::Entity::find()
            .filter(org::Column::Id.is_in(ids.iter().copied()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    /// Warnings in scope, newest first, a page at a time, with the open ones by level.
    pub async fn list(&self, f: &WarningFilter) -> Result<WarningList> {
        self.permit()?;
        let paging = Paging::new(f.page, f.per_page, views::PAGE_SIZE)?;
        let schools = self.listed(f.org_id).await?;
        let cond = schools.clone().add(Self::filter(f)?);
        let mut count = Query::select();
        count
            .expr(Expr::col(warning::Column::Id).count())
            .from(warning::Entity)
            .cond_where(cond.clone());
        let (total,): (i64,) = self.read.one(&count).await?.unwrap_or((0,));
        let total = u64::try_from(total).unwrap_or(0);
        let mut by_level = Query::select();
        by_level
            .column(warning::Column::Level)
            .expr(Expr::col(warning::Column::Id).count())
            .from(warning::Entity)
            .cond_where(schools.add(warning::Column::OpenKey.is_not_null()))
            .group_by_col(warning::Column::Level);
        let levels: Vec<(String, i64)> = self.read.all(&by_level).await?;
        let mut open_by_level: std::collections::BTreeMap<&'static str, u64> =
            Level::ALL.iter().map(|l| (l.as_str(), 0)).collect();
        for (l, n) in levels {
            if let Some(l) = Level::parse(&l) {
                open_by_level.insert(l.as_str(), u64::try_from(n).unwrap_or(0));
            }
        }
        let rows = match paging.offset_within(total) {
            Some(offset) => {
                warning::Entity::find()
                    .filter(cond)
                    .order_by_desc(warning::Column::Id)
                    .offset(offset)
                    .limit(paging.per_page)
                    .read_all(&self.read)
                    .await?
            }
            None => Vec::new(),
        };
        let ids: Vec<OrgId> = rows.iter().map(|r| r.school_id).collect();
        let names = self.school_names(&ids).await?;
        Ok(WarningList {
            items: rows
                .into_iter()
                .map(|m| {
                    let n = names.get(&m.school_id).cloned().unwrap_or_default();
                    view(m, n)
                })
                .collect(),
            total,
            page: paging.page,
            per_page: paging.per_page,
            open_by_level,
        })
    }

    /// One warning in scope with its history.
    pub async fn get(&self, id: WarningId) -> Result<WarningDetail> {
        let (m, _) = self.warning_row(id, &self.read).await?;
        self.permit()?;
        self.detail(m).await
    }

    /// A warning in scope and its org: a school's through its school, a bureau's own (its
    /// plans: an org-level subject) through the bureau in scope; anything else `NotFound`.
    async fn warning_row(
        &self,
        id: WarningId,
        conn: &impl super::read::Fetch,
    ) -> Result<(warning::Model, OrgId)> {
        match self.owned::<warning::Entity>(id, conn).await {
            Ok((m, school)) => Ok((m, school.org_id())),
            Err(Error::NotFound) => {
                let m = conn
                    .first(warning::Entity::find_by_id(id))
                    .await?
                    .ok_or(Error::NotFound)?;
                let o = self.org_row(m.school_id, conn).await?;
                if o.level == OrgLevel::School.as_str() {
                    return Err(Error::NotFound);
                }
                Ok((m, o.id))
            }
            Err(e) => Err(e),
        }
    }

    async fn detail(&self, m: warning::Model) -> Result<WarningDetail> {
        let events = warning_event::Entity::find()
            .filter(warning_event::Column::WarningId.eq(m.id))
            .order_by_asc(warning_event::Column::Id)
            .read_all(&self.read)
            .await?;
        let user_ids: Vec<UserId> = events.iter().filter_map(|e| e.user_id).collect();
        let names: std::collections::HashMap<UserId, String> = if user_ids.is_empty() {
            Default::default()
        } else {
            user::Entity::find()
                .filter(user::Column::Id.is_in(user_ids))
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect()
        };
        let school = self.school_names(&[m.school_id]).await?;
        let name = school.get(&m.school_id).cloned().unwrap_or_default();
        Ok(WarningDetail {
            warning: view(m, name),
            history: events
                .into_iter()
                .map(|e| HistoryEntry {
                    id: e.id,
                    at: e.at,
                    user_name: e.user_id.and_then(|u| names.get(&u).cloned()),
                    step: e.step,
                    user_id: e.user_id,
                    note: e.note,
                    detail: e.detail,
                })
                .collect(),
        })
    }

    /// Takes a step of the lifecycle (acknowledge, dispatch, resolve, false alarm): an
    /// illegal step is a conflict (409), a missing note, reason or person a field error.
    pub async fn act(&self, id: WarningId, input: WarningAction) -> Result<WarningDetail> {
        let audit = match input.action {
            StepKind::Acknowledge => WarningAudit::Acknowledge,
            StepKind::Dispatch => WarningAudit::Dispatch,
            StepKind::Resolve => WarningAudit::Resolve,
            StepKind::FalseAlarm => WarningAudit::FalseAlarm,
        };
        let event = Event::new(audit, "warning", id);
        let org = match self.warning_row(id, &self.read).await {
            Ok((_, org)) => org,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let mut tx = self.begin_for(event, org).await?;
        let res: Result<warning::Model> = async {
            let (m, school) = self.warning_row(id, &tx.txn).await?;
            let from = Status::parse(&m.status).unwrap_or(Status::Raised);
            let step = Step {
                kind: input.action,
                note: input.note.clone(),
                user_id: input.user_id,
                reason: input.reason.clone(),
            };
            let to = rules::apply(from, &step).map_err(step_error)?;
            let now = Utc::now();
            let mut assignee = None;
            if input.action == StepKind::Dispatch {
                let uid = input.user_id.unwrap_or_default();
                let ok = user::Entity::find_by_id(UserId(uid))
                    .one(&tx.txn)
                    .await?
                    .filter(|u| !u.disabled && u.org_id == Some(school));
                let Some(u) = ok else {
                    return Err(Error::field("user_id", "err.warning.not_school_user"));
                };
                assignee = Some(u.id);
            }
            let version = m.version;
            let mut am = m.clone().into_active_model();
            am.status = Set(to.as_str().into());
            am.version = Set(version + 1);
            match input.action {
                StepKind::Acknowledge => am.acknowledged_at = Set(Some(now)),
                StepKind::Dispatch => am.assignee_id = Set(assignee),
                StepKind::Resolve | StepKind::FalseAlarm => {
                    am.closed_at = Set(Some(now));
                    am.open_key = Set(None);
                }
            }
            // Guarded by the version: two people acting at once never both win.
            let updated = warning::Entity::update_many()
                .set(am)
                .filter(warning::Column::Id.eq(id))
                .filter(warning::Column::Version.eq(version))
                .exec(&tx.txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(Error::Conflict("err.warning.changed".into()));
            }
            let text = |s: &Option<String>| s.as_deref().unwrap_or("").trim().to_string();
            let note = match input.action {
                StepKind::FalseAlarm => text(&input.reason),
                _ => text(&input.note),
            };
            let detail = assignee.map(|u| format!("user={u}")).unwrap_or_default();
            history(
                &tx.txn,
                id,
                now,
                input.action.as_str(),
                Some(self.actor().user_id()),
                &note,
                &detail,
            )
            .await?;
            if let Some(u) = assignee {
                inbox::notify(
                    &tx.txn,
                    &[u],
                    &Note {
                        kind: WarningNotice::Dispatched.into(),
                        hazard: None,
                        school: Some(school),
                        subject: &m.detail,
                        link: format!("/warnings/{id}"),
                        params: NoteParams {
                            status: Some(m.level.clone()),
                            ..Default::default()
                        },
                        dedupe: format!("warning:{id}:dispatch:{}", version + 1),
                    },
                )
                .await?;
            }
            tx.event.detail = format!("{} → {}{}", from.as_str(), to.as_str(), {
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(" {detail}")
                }
            });
            Ok(m)
        }
        .await;
        match res {
            Ok(_) => {
                tx.commit().await?;
                let m = warning::Entity::find_by_id(id)
                    .read_one(&self.read)
                    .await?
                    .ok_or(Error::NotFound)?;
                let school = self.org_row(m.school_id, &self.read).await?;
                if let Some(path) = OrgPath::parse(&school.path) {
                    self.bus.publish(id, path);
                }
                self.detail(m).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The live changes of the warnings of schools in the caller's scope, from now on.
    pub fn subscribe(&self) -> Result<WarningStream> {
        self.permit()?;
        Ok(WarningStream {
            rx: self.bus.subscribe(),
            scope: self.actor().scope().clone(),
            read: self.read.clone(),
        })
    }
}

/// A subscription to the live changes of warnings, filtered by the subscriber's scope: a
/// school's stream never carries another school's warning.
pub struct WarningStream {
    rx: tokio::sync::broadcast::Receiver<super::live::Signal>,
    scope: OrgPath,
    read: crate::storage::read::Reader,
}

impl WarningStream {
    /// The next changed warning in scope, as it is now; `None` when the process shuts down.
    pub async fn next(&mut self) -> Option<Result<Warning>> {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match self.rx.recv().await {
                Ok(s) if self.scope.contains(&s.school_path) => {
                    return Some(self.read_warning(s.warning).await);
                }
                Ok(_) | Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    async fn read_warning(&self, id: WarningId) -> Result<Warning> {
        let m = warning::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let name = org::Entity::find_by_id(m.school_id)
            .read_one(&self.read)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        Ok(view(m, name))
    }
}
