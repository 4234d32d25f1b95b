//! Device ingest (F-WARN-2): the one write path for readings, whether they came over HTTP or
//! MQTT. A batch is checked event by event ([`reading::parse`]); the good events are written
//! in one transaction (group commit), each once — the unique (device, event id) index makes a
//! batch sent twice, or two copies at once, store every event a single time — and the same
//! transaction moves the device's last values, feeds the threshold rules and raises or clears
//! warnings. Refused events are kept with their reason for the device page.
//!
//! A device is not a user: it is resolved from its token into a [`DeviceCaller`], which opens
//! nothing but this path. Readings are telemetry, not decisions, so they are not written to
//! the audit chain (the warnings they raise keep their own history).

mod payload;

pub use payload::{Batch, INGEST_LIMIT, Message, read_batch, read_message, refusal_reason};

use super::entity::{device, device_event, device_rejection, device_rule_state, org};
use super::warnings::{self, Raise};
use super::{auth::token_hash, begin_write, warning_rules};
use crate::domain::Code;
use crate::domain::device::DeviceKind;
use crate::domain::ids::{DeviceId, OrgId, RiskPointId, WarningId, ZoneId};
use crate::domain::org::OrgPath;
use crate::domain::reading::{self, Reading, Reason};
use crate::domain::warning::{self as rules, Outcome, RuleState, Source};
use crate::error::{Error, Result};
use crate::storage::read::{ReadAll as _, Reader};
use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ActiveValue::Set, DatabaseConnection, IntoActiveModel, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;

/// How many refused payloads are kept per device (the page shows the newest).
const REJECTIONS_KEPT: u64 = 500;
/// Events written per statement.
const CHUNK: usize = 200;

/// A device that proved itself with its token. Only storage makes one.
#[derive(Debug, Clone)]
pub struct DeviceCaller {
    id: DeviceId,
    school: OrgId,
    kind: DeviceKind,
    code: String,
    zone: Option<ZoneId>,
    point: Option<RiskPointId>,
}

impl DeviceCaller {
    pub fn id(&self) -> DeviceId {
        self.id
    }

    pub fn school(&self) -> OrgId {
        self.school
    }

    pub fn kind(&self) -> DeviceKind {
        self.kind
    }
}

/// What became of a batch.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct IngestReport {
    /// Events stored now.
    pub accepted: u64,
    /// Events stored before (the same event id of the same device).
    pub duplicates: u64,
    pub rejected: Vec<RejectedEvent>,
}

/// An event that was refused, with its position in the batch and the reason's code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedEvent {
    pub index: usize,
    pub id: String,
    pub reason: String,
}

/// The ingest path of a process (no user, no scope: a [`DeviceCaller`] is its own scope).
#[derive(Clone)]
pub struct Ingest {
    pub(super) conn: DatabaseConnection,
    pub(super) read: Reader,
    pub(super) bus: super::live::Bus,
    /// The bus rules (`[buses]`) the positions of `bus_gps` devices are checked against.
    pub(super) buses: crate::domain::bus::BusConfig,
}

impl Ingest {
    /// The same path with the configured bus rules.
    pub fn with_buses(mut self, cfg: crate::domain::bus::BusConfig) -> Ingest {
        self.buses = cfg;
        self
    }

    /// The device a token belongs to; none for a wrong or revoked token.
    pub async fn device(&self, token: &str) -> Result<Option<DeviceCaller>> {
        let token = token.trim();
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        let m = device::Entity::find()
            .filter(device::Column::TokenHash.eq(token_hash(token)))
            .read_one(&self.read)
            .await?;
        Ok(m.and_then(caller))
    }

    /// Checks and stores a batch of events from `d`, received at `now`.
    pub async fn batch(
        &self,
        d: &DeviceCaller,
        events: &[serde_json::Value],
        max_age: Duration,
        now: DateTime<Utc>,
    ) -> Result<IngestReport> {
        let mut reports = self.batches(&[(d, events)], max_age, now).await?;
        Ok(reports.pop().unwrap_or_default())
    }

    /// Checks and stores several batches (of one device or several) in one transaction —
    /// the MQTT path's group commit of the messages waiting at once. Each batch is fed to the
    /// rules in turn, in the order given; a database error stores none of them.
    pub async fn batches(
        &self,
        batches: &[(&DeviceCaller, &[serde_json::Value])],
        max_age: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<IngestReport>> {
        let mut checked: Vec<Checked> = batches
            .iter()
            .map(|(d, events)| check(d, events, max_age, now))
            .collect();
        let txn = begin_write(&self.conn).await?;
        let mut touched = Vec::new();
        for ((d, _), c) in batches.iter().zip(checked.iter_mut()) {
            touched.extend(store(&txn, d, c, now, &self.buses).await?);
        }
        txn.commit().await?;
        for (w, path) in touched {
            self.bus.publish(w, path);
        }
        Ok(checked.into_iter().map(Checked::finish).collect())
    }

    /// Records a whole payload that was refused before its events could be read (a body
    /// that is not a batch), so the device page shows it.
    pub async fn refuse_payload(
        &self,
        d: &DeviceCaller,
        reason: &str,
        excerpt: &str,
    ) -> Result<()> {
        let txn = begin_write(&self.conn).await?;
        device_rejection::ActiveModel {
            device_id: Set(d.id),
            received_at: Set(Utc::now()),
            event_id: Set(String::new()),
            event_index: Set(-1),
            reason: Set(reason.chars().take(64).collect()),
            excerpt: Set(excerpt.chars().take(200).collect()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        prune_rejections(&txn, d.id).await?;
        txn.commit().await?;
        metrics::counter!("safecampus_ingest_payloads_refused_total", "reason" => reason.to_string())
            .increment(1);
        Ok(())
    }
}

/// The caller a device row stands for (none for a kind this build does not know).
fn caller(m: device::Model) -> Option<DeviceCaller> {
    Some(DeviceCaller {
        kind: DeviceKind::parse(&m.kind)?,
        id: m.id,
        school: m.school_id,
        code: m.code,
        zone: m.zone_id,
        point: m.risk_point_id,
    })
}

/// Takes one batch of the device holding `token` inside `txn`, as [`Ingest::batch`] takes it
/// — for the demo's seeding, which writes everything in one transaction: the device is found
/// by its token, the events are checked, stored and fed to the rules by the same code.
/// Nothing is published (no one can read before the commit) or counted in `/metrics`. None
/// when no device holds the token.
pub(super) async fn batch_in(
    txn: &impl ConnectionTrait,
    token: &str,
    events: &[serde_json::Value],
    max_age: Duration,
    now: DateTime<Utc>,
    buses: &crate::domain::bus::BusConfig,
) -> Result<Option<IngestReport>> {
    let Some(d) = device::Entity::find()
        .filter(device::Column::TokenHash.eq(token_hash(token.trim())))
        .one(txn)
        .await?
        .and_then(caller)
    else {
        return Ok(None);
    };
    let mut c = check(&d, events, max_age, now);
    store(txn, &d, &mut c, now, buses).await?;
    Ok(Some(c.into_report()))
}

/// A batch read event by event, before anything is written.
struct Checked {
    report: IngestReport,
    good: Vec<Reading>,
    refused: Vec<(usize, String, Reason, String)>,
}

/// Reads a batch's events one by one: the good ones (a repeated id within the batch is a
/// duplicate) and the refused ones with their reasons.
fn check(
    d: &DeviceCaller,
    events: &[serde_json::Value],
    max_age: Duration,
    now: DateTime<Utc>,
) -> Checked {
    let mut c = Checked {
        report: IngestReport::default(),
        good: Vec::new(),
        refused: Vec::new(),
    };
    let mut ids = HashSet::new();
    for (i, v) in events.iter().enumerate() {
        match reading::parse(v, d.kind, now, max_age) {
            Ok(r) => {
                if ids.insert(r.id.clone()) {
                    c.good.push(r);
                } else {
                    c.report.duplicates += 1;
                }
            }
            Err(reason) => {
                let excerpt: String = v.to_string().chars().take(200).collect();
                c.refused.push((i, reading::event_id(v), reason, excerpt));
            }
        }
    }
    c
}

/// Writes a checked batch in `txn`: the new events, the device's last values, the rules'
/// states and the warnings they raise or clear (returned, to publish after the commit), and
/// the refused events.
async fn store(
    txn: &impl ConnectionTrait,
    d: &DeviceCaller,
    c: &mut Checked,
    now: DateTime<Utc>,
    buses: &crate::domain::bus::BusConfig,
) -> Result<Vec<(WarningId, OrgPath)>> {
    let fresh = insert_events(txn, d.id, d.school, &c.good, Some(now)).await?;
    c.report.accepted = fresh.len() as u64;
    c.report.duplicates += (c.good.len() - fresh.len()) as u64;
    let mut fresh: Vec<&Reading> = c.good.iter().filter(|r| fresh.contains(&r.id)).collect();
    fresh.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    let mut touched = Vec::new();
    if !fresh.is_empty() {
        update_device(txn, d, &fresh).await?;
        touched = evaluate(txn, d, &fresh).await?;
        if d.kind == DeviceKind::BusGps {
            let ws = super::buses::gps::positions(txn, d.id, d.school, &fresh, buses).await?;
            if !ws.is_empty()
                && let Some(s) = org::Entity::find_by_id(d.school).one(txn).await?
                && let Some(path) = OrgPath::parse(&s.path)
            {
                touched.extend(ws.into_iter().map(|w| (w, path.clone())));
            }
        }
    }
    if !c.refused.is_empty() {
        for (index, id, reason, excerpt) in &c.refused {
            device_rejection::ActiveModel {
                device_id: Set(d.id),
                received_at: Set(now),
                event_id: Set(id.clone()),
                event_index: Set(i32::try_from(*index).unwrap_or(i32::MAX)),
                reason: Set(reason.as_str().into()),
                excerpt: Set(excerpt.clone()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        prune_rejections(txn, d.id).await?;
    }
    Ok(touched)
}

impl Checked {
    /// Counts the stored batch in `/metrics` and answers its report.
    fn finish(self) -> IngestReport {
        let count = |outcome: &'static str, n: u64| {
            metrics::counter!("safecampus_ingest_events_total", "outcome" => outcome).increment(n);
        };
        count("accepted", self.report.accepted);
        count("duplicate", self.report.duplicates);
        count("rejected", self.refused.len() as u64);
        for (_, _, reason, _) in &self.refused {
            metrics::counter!("safecampus_ingest_rejections_total", "reason" => reason.as_str())
                .increment(1);
        }
        self.into_report()
    }

    /// The batch's report.
    fn into_report(self) -> IngestReport {
        let mut report = self.report;
        report.rejected = self
            .refused
            .into_iter()
            .map(|(index, id, reason, _)| RejectedEvent {
                index,
                id,
                reason: reason.as_str().into(),
            })
            .collect();
        report
    }
}

/// Inserts a device's events, received at `received` (none: each at its own time, for the
/// demo's past); answers the ids that were new (a duplicate is left alone).
pub(super) async fn insert_events(
    txn: &impl ConnectionTrait,
    device: DeviceId,
    school: OrgId,
    good: &[Reading],
    received: Option<DateTime<Utc>>,
) -> Result<HashSet<String>> {
    let mut fresh = HashSet::new();
    for chunk in good.chunks(CHUNK) {
        let mut q = Query::insert();
        q.into_table(device_event::Entity)
            .columns([
                device_event::Column::DeviceId,
                device_event::Column::SchoolId,
                device_event::Column::EventId,
                device_event::Column::At,
                device_event::Column::Metric,
                device_event::Column::Value,
                device_event::Column::Lat,
                device_event::Column::Lon,
                device_event::Column::ReceivedAt,
            ])
            .on_conflict(
                // An event is its device's id and time (the partitions' key is in every
                // unique key: migration m0030).
                OnConflict::columns([
                    device_event::Column::DeviceId,
                    device_event::Column::EventId,
                    device_event::Column::At,
                ])
                .do_nothing()
                .to_owned(),
            )
            .returning_col(device_event::Column::EventId);
        for r in chunk {
            q.values_panic([
                device.0.into(),
                school.0.into(),
                r.id.clone().into(),
                r.at.into(),
                r.metric.as_str().into(),
                r.value.into(),
                r.lat.into(),
                r.lon.into(),
                received.unwrap_or(r.at).into(),
            ]);
        }
        let stmt = txn.get_database_backend().build(&q);
        for row in txn.query_all_raw(stmt).await? {
            fresh.insert(row.try_get_by_index::<String>(0)?);
        }
    }
    Ok(fresh)
}

/// Moves the device's last seen time and last values forward (an event older than what the
/// device already showed does not overwrite a newer value).
async fn update_device(
    txn: &impl ConnectionTrait,
    d: &DeviceCaller,
    fresh: &[&Reading],
) -> Result<()> {
    let Some(m) = device::Entity::find_by_id(d.id).one(txn).await? else {
        return Err(Error::NotFound);
    };
    let mut values: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&m.last_values).unwrap_or_default();
    let seen = m.last_seen_at;
    let mut last = seen;
    for r in fresh {
        if seen.is_some_and(|s| r.at < s) {
            continue;
        }
        let v = match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => {
                serde_json::json!({"lat": lat, "lon": lon, "speed_kmh": r.value})
            }
            _ => serde_json::json!(r.value),
        };
        values.insert(r.metric.as_str().into(), v);
        if last.is_none_or(|l| r.at > l) {
            last = Some(r.at);
        }
    }
    if last == seen {
        return Ok(());
    }
    let mut am = m.into_active_model();
    am.last_seen_at = Set(last);
    am.last_values = Set(serde_json::to_string(&values).unwrap_or_else(|_| "{}".into()));
    am.update(txn).await?;
    Ok(())
}

/// Feeds the fresh readings, oldest first, to the rules in force for the device's school;
/// raises and clears warnings; an offline warning of the device clears with any event.
/// Answers the warnings it touched, with the school's path (to publish after the commit).
async fn evaluate(
    txn: &impl ConnectionTrait,
    d: &DeviceCaller,
    fresh: &[&Reading],
) -> Result<Vec<(WarningId, OrgPath)>> {
    let subject = format!("device:{}", d.id);
    let newest = fresh.iter().map(|r| r.at).max().unwrap_or_else(Utc::now);
    let school = org::Entity::find_by_id(d.school).one(txn).await?;
    let Some(path) = school.as_ref().and_then(|s| OrgPath::parse(&s.path)) else {
        return Ok(Vec::new());
    };
    let mut touched = Vec::new();
    if let Some(w) =
        warnings::clear(txn, Source::Device, &subject, "offline", newest, &d.code).await?
    {
        touched.push((w, path.clone()));
    }
    let kind = d.kind.as_str();
    let in_force: Vec<(String, rules::Threshold)> = warning_rules::effective(txn, &path)
        .await?
        .into_iter()
        .filter(|r| r.enabled && r.device_kind == kind)
        .filter_map(|r| Some((r.code.clone(), warning_rules::threshold(&r)?)))
        .collect();
    if in_force.is_empty() {
        return Ok(touched);
    }
    let mut states: BTreeMap<String, (RuleState, bool)> = device_rule_state::Entity::find()
        .filter(device_rule_state::Column::DeviceId.eq(d.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| {
            let st = RuleState {
                breach_since: s.breach_since,
                active: s.active,
                last_at: s.last_at,
            };
            (s.rule_code, (st, true))
        })
        .collect();
    let mut changed: HashSet<String> = HashSet::new();
    for r in fresh {
        for (code, t) in in_force.iter().filter(|(_, t)| t.metric == r.metric) {
            let (state, _) = states.get(code).copied().unwrap_or_default();
            let (next, outcome) = rules::evaluate(t, state, r.at, r.value);
            if next != state {
                let stored = states.get(code).is_some_and(|s| s.1);
                states.insert(code.clone(), (next, stored));
                changed.insert(code.clone());
            }
            let detail = format!(
                "{} · {} = {} {} {}",
                d.code,
                r.metric.as_str(),
                r.value,
                t.comparator.symbol(),
                t.value
            );
            match outcome {
                Outcome::Raise => {
                    let (w, _) = warnings::raise(
                        txn,
                        Raise {
                            school: d.school,
                            source: Source::Device,
                            rule: code.clone(),
                            subject: subject.clone(),
                            level: t.level,
                            device: Some(d.id),
                            zone: d.zone,
                            point: d.point,
                            value: Some(r.value),
                            detail,
                            at: r.at,
                            notify: true,
                        },
                    )
                    .await?;
                    touched.push((w, path.clone()));
                }
                Outcome::Clear => {
                    if let Some(w) =
                        warnings::clear(txn, Source::Device, &subject, code, r.at, &detail).await?
                    {
                        touched.push((w, path.clone()));
                    }
                }
                Outcome::Nothing => {}
            }
        }
    }
    for code in changed {
        let Some((s, stored)) = states.get(&code).copied() else {
            continue;
        };
        let am = device_rule_state::ActiveModel {
            device_id: Set(d.id),
            rule_code: Set(code.clone()),
            breach_since: Set(s.breach_since),
            active: Set(s.active),
            last_at: Set(s.last_at),
        };
        if stored {
            am.update(txn).await?;
        } else {
            am.insert(txn).await?;
        }
    }
    Ok(touched)
}

/// Keeps the newest [`REJECTIONS_KEPT`] refused payloads of a device.
async fn prune_rejections(txn: &impl ConnectionTrait, id: DeviceId) -> Result<()> {
    let keep_from: Option<i64> = device_rejection::Entity::find()
        .select_only()
        .column(device_rejection::Column::Id)
        .filter(device_rejection::Column::DeviceId.eq(id))
        .order_by_desc(device_rejection::Column::Id)
        .offset(REJECTIONS_KEPT)
        .limit(1)
        .into_tuple()
        .one(txn)
        .await?;
    if let Some(from) = keep_from {
        device_rejection::Entity::delete_many()
            .filter(device_rejection::Column::DeviceId.eq(id))
            .filter(device_rejection::Column::Id.lte(from))
            .exec(txn)
            .await?;
    }
    Ok(())
}
