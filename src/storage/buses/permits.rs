//! Use-permit applications (校车使用许可): the school applies (the five conditions checked,
//! each missing one named), the bureau takes the steps ([`crate::domain::bus::permit::apply`]
//! in one transaction with a `bus_permit_events` row, guarded by `version`), and issuing the
//! sign writes the `bus_signs` row, valid no later than the vehicle's inspection. Deadlines are
//! counted on the working-day calendar in force when read, so a late step is flagged on every
//! list.

use super::{BusAudit, Sign, check_len, json, parse_json, sign_view, taken, valid_signs};
use crate::domain::Code;
use crate::domain::bus::BusConfig;
use crate::domain::bus::eligibility;
use crate::domain::bus::permit::{
    self, Application, Deadline, Department, PermitAction, PermitState, PermitStatus, Step,
    StepError,
};
use crate::domain::bus::trip::{self as trip_rules, SignError};
use crate::domain::bus::{BusType, SignStatus, VehicleStatus};
use crate::domain::ids::{BusDriverId, BusPermitId, BusRouteId, BusVehicleId, FileId, OrgId};
use crate::error::{Error, FieldError, Result};
use crate::storage::Buses;
use crate::storage::audit::Event;
use crate::storage::entity::{
    bus_driver, bus_driver_record, bus_permit, bus_permit_event, bus_route, bus_sign, bus_vehicle,
    file, person,
};
use crate::storage::orgs::invalid;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An application as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Permit {
    pub id: BusPermitId,
    pub school_id: OrgId,
    pub school_name: String,
    pub vehicle_id: BusVehicleId,
    pub plate: String,
    pub route_id: BusRouteId,
    pub route_name: String,
    pub driver_ids: Vec<BusDriverId>,
    pub driver_names: Vec<String>,
    pub operating_times: String,
    pub safety_rules: String,
    pub status: PermitStatus,
    pub applied_on: NaiveDate,
    pub forwarded_on: Option<NaiveDate>,
    pub police_reply_on: Option<NaiveDate>,
    pub transport_reply_on: Option<NaiveDate>,
    pub reviewed_on: Option<NaiveDate>,
    pub favourable: Option<bool>,
    pub decided_on: Option<NaiveDate>,
    pub issued_on: Option<NaiveDate>,
    pub refused_on: Option<NaiveDate>,
    pub review_opinion: String,
    pub refusal_reasons: String,
    pub sign: Option<Sign>,
    /// Each step reached, with its deadline in working days and whether it is late.
    pub deadlines: Vec<Deadline>,
    /// Some step is late (done late, or open past its day).
    pub late: bool,
    /// The steps the bureau may take now.
    pub next_actions: Vec<PermitAction>,
    pub events: Vec<PermitEvent>,
    pub version: i32,
}

/// A step taken.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PermitEvent {
    pub seq: i32,
    pub action: PermitAction,
    pub on: NaiveDate,
    pub detail: serde_json::Value,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// An application (`POST /api/v1/bus-permits`), by the school.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPermit {
    /// The applying school (the caller's own school by default).
    #[serde(default)]
    pub school_id: Option<OrgId>,
    pub vehicle_id: BusVehicleId,
    pub route_id: BusRouteId,
    pub driver_ids: Vec<BusDriverId>,
    /// The operating times (开行时间), e.g. `07:00–07:50, 16:30–17:20`.
    pub operating_times: String,
    /// The school's safety-management rules for its buses.
    pub safety_rules: String,
}

/// What a sign is issued with.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    pub number: String,
    pub authority: String,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Capped at the vehicle's inspection validity (the inspection's when absent).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
}

/// A step of the bureau (`POST /api/v1/bus-permits/{id}/actions`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitStep {
    pub action: PermitAction,
    /// The step's date (today when absent; not in the future, not before the last step).
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// `record_reply`: whose reply.
    #[serde(default)]
    pub department: Option<Department>,
    /// `review`: in favour or not, with the opinion's text.
    #[serde(default)]
    pub favourable: Option<bool>,
    #[serde(default)]
    pub opinion: Option<String>,
    /// `refuse`: the written reasons.
    #[serde(default)]
    pub reasons: Option<String>,
    /// Documents of the step (files of the school: replies, the decision).
    #[serde(default)]
    pub document_ids: Vec<FileId>,
    #[serde(default)]
    pub note: Option<String>,
    /// `issue_sign`.
    #[serde(default)]
    pub sign: Option<SignInput>,
    #[serde(default)]
    pub version: Option<i32>,
}

/// The list's filter (`GET /api/v1/bus-permits`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PermitQuery {
    pub school_id: Option<OrgId>,
    pub status: Option<PermitStatus>,
}

pub(in crate::storage) fn state(m: &bus_permit::Model) -> PermitState {
    PermitState {
        status: PermitStatus::parse(&m.status).unwrap_or(PermitStatus::Applied),
        applied_on: m.applied_on,
        forwarded_on: m.forwarded_on,
        police_reply_on: m.police_reply_on,
        transport_reply_on: m.transport_reply_on,
        reviewed_on: m.reviewed_on,
        favourable: m.favourable,
        decided_on: m.decided_on,
        issued_on: m.issued_on,
        refused_on: m.refused_on,
    }
}

/// The steps that follow from a state.
fn next_actions(s: &PermitState) -> Vec<PermitAction> {
    use PermitAction as A;
    let mut out: Vec<PermitAction> = match s.status {
        PermitStatus::Applied => vec![A::Forward],
        PermitStatus::Forwarded => vec![A::RecordReply],
        PermitStatus::Replied => vec![A::Review],
        PermitStatus::Reviewed if s.favourable == Some(true) => vec![A::Decide],
        PermitStatus::Approved => vec![A::IssueSign],
        _ => vec![],
    };
    if matches!(
        s.status,
        PermitStatus::Applied
            | PermitStatus::Forwarded
            | PermitStatus::Replied
            | PermitStatus::Reviewed
    ) {
        out.push(A::Refuse);
    }
    out
}

/// Whether the vehicle meets Art. 14 (1) on `today`.
fn vehicle_ok(v: &bus_vehicle::Model, today: NaiveDate) -> bool {
    let t = BusType::parse(&v.bus_type).unwrap_or(BusType::Other);
    v.status == VehicleStatus::InService.as_str()
        && v.inspection_until >= today
        && t.max_seats().is_none_or(|m| v.seats <= m)
}

impl Buses<'_> {
    async fn permit_views(
        &self,
        rows: Vec<bus_permit::Model>,
        cfg: &BusConfig,
        with_events: bool,
    ) -> Result<Vec<Permit>> {
        let today = crate::clock::today();
        let cal = crate::storage::calendar::working_calendar(&self.read).await?;
        let vehicles = bus_vehicle::Entity::find()
            .filter(bus_vehicle::Column::Id.is_in(rows.iter().map(|r| r.vehicle_id)))
            .read_all(&self.read)
            .await?;
        let routes = bus_route::Entity::find()
            .filter(bus_route::Column::Id.is_in(rows.iter().map(|r| r.route_id)))
            .read_all(&self.read)
            .await?;
        let signs = bus_sign::Entity::find()
            .filter(bus_sign::Column::Id.is_in(rows.iter().filter_map(|r| r.sign_id)))
            .read_all(&self.read)
            .await?;
        let all_drivers: Vec<BusDriverId> = rows
            .iter()
            .flat_map(|r| parse_json::<Vec<BusDriverId>>(&r.driver_ids))
            .collect();
        let drivers = bus_driver::Entity::find()
            .filter(bus_driver::Column::Id.is_in(all_drivers))
            .read_all(&self.read)
            .await?;
        let people = person::Entity::find()
            .filter(person::Column::Id.is_in(drivers.iter().map(|d| d.person_id)))
            .read_all(&self.read)
            .await?;
        let names = self.school_names(rows.iter().map(|r| r.school_id)).await?;
        let events = if with_events {
            bus_permit_event::Entity::find()
                .filter(bus_permit_event::Column::PermitId.is_in(rows.iter().map(|r| r.id)))
                .order_by_asc(bus_permit_event::Column::Seq)
                .read_all(&self.read)
                .await?
        } else {
            Vec::new()
        };
        let mut out = Vec::new();
        for m in rows {
            let s = state(&m);
            let deadlines = permit::deadlines(&s, &cal, &cfg.permit, today);
            let driver_ids: Vec<BusDriverId> = parse_json(&m.driver_ids);
            let driver_names = driver_ids
                .iter()
                .filter_map(|id| drivers.iter().find(|d| d.id == *id))
                .filter_map(|d| people.iter().find(|p| p.id == d.person_id))
                .map(|p| p.name.clone())
                .collect();
            out.push(Permit {
                id: m.id,
                school_id: m.school_id,
                school_name: names.get(&m.school_id).cloned().unwrap_or_default(),
                vehicle_id: m.vehicle_id,
                plate: vehicles
                    .iter()
                    .find(|v| v.id == m.vehicle_id)
                    .map(|v| v.plate.clone())
                    .unwrap_or_default(),
                route_id: m.route_id,
                route_name: routes
                    .iter()
                    .find(|r| r.id == m.route_id)
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
                driver_ids,
                driver_names,
                operating_times: m.operating_times.clone(),
                safety_rules: m.safety_rules.clone(),
                status: s.status,
                applied_on: m.applied_on,
                forwarded_on: m.forwarded_on,
                police_reply_on: m.police_reply_on,
                transport_reply_on: m.transport_reply_on,
                reviewed_on: m.reviewed_on,
                favourable: m.favourable,
                decided_on: m.decided_on,
                issued_on: m.issued_on,
                refused_on: m.refused_on,
                review_opinion: m.review_opinion.clone(),
                refusal_reasons: m.refusal_reasons.clone(),
                sign: m
                    .sign_id
                    .and_then(|id| signs.iter().find(|x| x.id == id))
                    .map(sign_view),
                late: deadlines.iter().any(|d| d.late),
                deadlines,
                next_actions: next_actions(&s),
                events: events
                    .iter()
                    .filter(|e| e.permit_id == m.id)
                    .map(|e| PermitEvent {
                        seq: e.seq,
                        action: PermitAction::parse(&e.action).unwrap_or(PermitAction::Forward),
                        on: e.on_date,
                        detail: serde_json::from_str(&e.detail).unwrap_or_default(),
                        by_name: e.by_name.clone(),
                        at: e.at,
                    })
                    .collect(),
                version: m.version,
            });
        }
        Ok(out)
    }

    /// The applications in scope (of one school when asked), late ones first, then newest.
    pub async fn permits(&self, q: &PermitQuery, cfg: &BusConfig) -> Result<Vec<Permit>> {
        let mut s = bus_permit::Entity::find();
        match q.school_id {
            Some(id) => {
                self.school_row(id, &self.read).await?;
                s = s.filter(bus_permit::Column::SchoolId.eq(id));
            }
            None => s = s.filter(bus_permit::Column::SchoolId.is_in(self.scope_ids().await?)),
        }
        self.permit()?;
        if let Some(st) = q.status {
            s = s.filter(bus_permit::Column::Status.eq(st.as_str()));
        }
        let rows = s
            .order_by_desc(bus_permit::Column::Id)
            .read_all(&self.read)
            .await?;
        let mut out = self.permit_views(rows, cfg, false).await?;
        out.sort_by_key(|p| !p.late);
        Ok(out)
    }

    pub async fn permit_of(&self, id: BusPermitId, cfg: &BusConfig) -> Result<Permit> {
        let (m, _) = self.owned::<bus_permit::Entity>(id, &self.read).await?;
        self.permit()?;
        Ok(self.permit_views(vec![m], cfg, true).await?.remove(0))
    }

    /// Scope, then role, for a step's page form (404, then 403).
    pub async fn check_permit(&self, id: BusPermitId) -> Result<()> {
        self.owned::<bus_permit::Entity>(id, &self.read).await?;
        self.permit()
    }

    /// Applies for a vehicle of a school in scope: the vehicle, route and drivers must be
    /// the school's (else 422 on the field) and the five conditions met (else 422 naming each
    /// missing one under `conditions.<code>`).
    pub async fn apply(&self, school: OrgId, input: NewPermit, cfg: &BusConfig) -> Result<Permit> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(BusAudit::PermitApply, "bus_permit", ""), school)
            .await?;
        let res: Result<bus_permit::Model> = async {
            let today = crate::clock::today();
            let sid = school.org_id();
            let mut errs = Vec::new();
            let v = bus_vehicle::Entity::find_by_id(input.vehicle_id)
                .one(&tx.txn)
                .await?
                .filter(|v| v.school_id == sid);
            if v.is_none() {
                errs.push(FieldError::new("vehicle_id", "err.bus.not_of_school"));
            }
            let r = bus_route::Entity::find_by_id(input.route_id)
                .one(&tx.txn)
                .await?
                .filter(|r| r.school_id == sid);
            if r.is_none() {
                errs.push(FieldError::new("route_id", "err.bus.not_of_school"));
            }
            let mut ids = input.driver_ids.clone();
            ids.dedup();
            let drivers = bus_driver::Entity::find()
                .filter(bus_driver::Column::Id.is_in(ids.clone()))
                .filter(bus_driver::Column::SchoolId.eq(sid))
                .all(&tx.txn)
                .await?;
            if drivers.len() != ids.len() || ids.len() > 10 {
                errs.push(FieldError::new("driver_ids", "err.bus.not_of_school"));
            }
            check_len(
                "operating_times",
                &input.operating_times,
                super::MAX_SHORT,
                &mut errs,
            );
            check_len(
                "safety_rules",
                &input.safety_rules,
                super::MAX_TEXT,
                &mut errs,
            );
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let (Some(v), Some(r)) = (v, r) else {
                return Err(Error::NotFound);
            };
            let recs = bus_driver_record::Entity::find()
                .filter(bus_driver_record::Column::DriverId.is_in(ids.clone()))
                .all(&tx.txn)
                .await?;
            let app = Application {
                vehicle_ok: vehicle_ok(&v, today),
                drivers_eligible: drivers
                    .iter()
                    .map(|d| {
                        let mine: Vec<_> = recs
                            .iter()
                            .filter(|x| x.driver_id == d.id)
                            .cloned()
                            .collect();
                        eligibility::evaluate(&super::drivers::facts(d, &mine), &cfg.driver, today)
                            .eligible
                    })
                    .collect(),
                route_ok: !parse_json::<Vec<super::routes::Stop>>(&r.stops).is_empty()
                    && !input.operating_times.trim().is_empty(),
                safety_rules: !input.safety_rules.trim().is_empty(),
                insurance_ok: v.insurance_until >= today,
            };
            let missing = permit::missing(&app);
            if !missing.is_empty() {
                return Err(invalid(
                    missing
                        .iter()
                        .map(|c| {
                            FieldError::new(format!("conditions.{}", c.as_str()), c.label_key())
                        })
                        .collect(),
                ));
            }
            let now = Utc::now();
            let m = bus_permit::ActiveModel {
                school_id: Set(sid),
                vehicle_id: Set(v.id),
                route_id: Set(r.id),
                driver_ids: Set(json(&ids)?),
                operating_times: Set(input.operating_times.trim().into()),
                safety_rules: Set(input.safety_rules.trim().into()),
                status: Set(PermitStatus::Applied.as_str().into()),
                applied_on: Set(today),
                review_opinion: Set(String::new()),
                refusal_reasons: Set(String::new()),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!("school={} vehicle={}", m.school_id, m.vehicle_id);
                tx.commit().await?;
                self.permit_of(m.id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Takes a step of the bureau: 409 for a step the workflow lacks (or a stale version),
    /// 422 naming the field for a bad date, a missing reply department, opinion, reasons or
    /// sign, documents not of the school.
    pub async fn permit_step(
        &self,
        id: BusPermitId,
        input: PermitStep,
        cfg: &BusConfig,
    ) -> Result<Permit> {
        let mut tx = self
            .begin_owned::<bus_permit::Entity>(
                Event::new(BusAudit::PermitStep, "bus_permit", id),
                id,
            )
            .await?;
        let res: Result<()> = async {
            let m = bus_permit::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if input.version.is_some_and(|v| v != m.version) {
                return Err(Error::Conflict("err.bus.changed".into()));
            }
            let today = crate::clock::today();
            let on = input.on.unwrap_or(today);
            let mut errs = Vec::new();
            let step = match input.action {
                PermitAction::Forward => Step::Forward,
                PermitAction::RecordReply => match input.department {
                    Some(d) => Step::Reply(d),
                    None => {
                        errs.push(FieldError::new("department", "err.required"));
                        Step::Forward
                    }
                },
                PermitAction::Review => match input.favourable {
                    Some(f) => Step::Review { favourable: f },
                    None => {
                        errs.push(FieldError::new("favourable", "err.required"));
                        Step::Forward
                    }
                },
                PermitAction::Decide => Step::Decide,
                PermitAction::IssueSign => Step::IssueSign,
                PermitAction::Refuse => Step::Refuse,
            };
            if input.action == PermitAction::Review
                && input.opinion.as_deref().is_none_or(|o| o.trim().is_empty())
            {
                errs.push(FieldError::new("opinion", "err.required"));
            }
            if input.action == PermitAction::Refuse
                && input.reasons.as_deref().is_none_or(|o| o.trim().is_empty())
            {
                errs.push(FieldError::new("reasons", "err.required"));
            }
            if input.action == PermitAction::IssueSign && input.sign.is_none() {
                errs.push(FieldError::new("sign", "err.required"));
            }
            for (f, v) in [
                ("opinion", &input.opinion),
                ("reasons", &input.reasons),
                ("note", &input.note),
            ] {
                if let Some(v) = v {
                    check_len(f, v, super::MAX_TEXT, &mut errs);
                }
            }
            if input.document_ids.len() > 20 {
                errs.push(FieldError::new("document_ids", "err.bus.too_many"));
            } else if !input.document_ids.is_empty() {
                let found = file::Entity::find()
                    .filter(file::Column::Id.is_in(input.document_ids.clone()))
                    .filter(file::Column::SchoolId.eq(m.school_id))
                    .all(&tx.txn)
                    .await?
                    .len();
                let mut want = input.document_ids.clone();
                want.sort();
                want.dedup();
                if found != want.len() {
                    errs.push(FieldError::new("document_ids", "err.bus.not_of_school"));
                }
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let next = permit::apply(&state(&m), step, on, today).map_err(|e| match e {
                StepError::BeforeLast | StepError::Future => Error::field("on", e.key()),
                _ => Error::Conflict(e.key().into()),
            })?;
            let mut detail = serde_json::json!({});
            if let Some(d) = input.department {
                detail["department"] = d.as_str().into();
            }
            if let Some(f) = input.favourable {
                detail["favourable"] = f.into();
            }
            if let Some(o) = &input.opinion {
                detail["opinion"] = o.trim().into();
            }
            if let Some(r) = &input.reasons {
                detail["reasons"] = r.trim().into();
            }
            if let Some(n) = &input.note {
                detail["note"] = n.trim().into();
            }
            if !input.document_ids.is_empty() {
                detail["document_ids"] = serde_json::json!(input.document_ids);
            }
            let mut am: bus_permit::ActiveModel = m.clone().into();
            if let Some(s) = &input.sign
                && input.action == PermitAction::IssueSign
            {
                let sign = self.issue_sign(&tx.txn, &m, s, on).await?;
                am.sign_id = Set(Some(sign.id));
                detail["sign"] = sign.number.clone().into();
            }
            am.status = Set(next.status.as_str().into());
            am.forwarded_on = Set(next.forwarded_on);
            am.police_reply_on = Set(next.police_reply_on);
            am.transport_reply_on = Set(next.transport_reply_on);
            am.reviewed_on = Set(next.reviewed_on);
            am.favourable = Set(next.favourable);
            am.decided_on = Set(next.decided_on);
            am.issued_on = Set(next.issued_on);
            am.refused_on = Set(next.refused_on);
            if let Some(o) = &input.opinion
                && input.action == PermitAction::Review
            {
                am.review_opinion = Set(o.trim().into());
            }
            if let Some(r) = &input.reasons
                && input.action == PermitAction::Refuse
            {
                am.refusal_reasons = Set(r.trim().into());
            }
            am.version = Set(m.version + 1);
            am.updated_at = Set(Utc::now());
            let done = bus_permit::Entity::update_many()
                .set(am)
                .filter(bus_permit::Column::Id.eq(id))
                .filter(bus_permit::Column::Version.eq(m.version))
                .exec(&tx.txn)
                .await?;
            if done.rows_affected != 1 {
                return Err(Error::Conflict("err.bus.changed".into()));
            }
            let seq = bus_permit_event::Entity::find()
                .filter(bus_permit_event::Column::PermitId.eq(id))
                .all(&tx.txn)
                .await?
                .len() as i32
                + 1;
            bus_permit_event::ActiveModel {
                permit_id: Set(id),
                seq: Set(seq),
                action: Set(input.action.as_str().into()),
                on_date: Set(on),
                detail: Set(detail.to_string()),
                by_user: Set(Some(self.actor.user_id)),
                by_name: Set(self.actor.display_name.clone()),
                at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            Ok(())
        }
        .await;
        match res {
            Ok(()) => {
                tx.event.detail = format!("action={}", input.action.as_str());
                tx.commit().await?;
                self.permit_of(id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Writes the sign of an approved application: its number unique, valid from the day
    /// given (the step's day by default) to the day asked, capped at the vehicle's inspection
    /// validity; the vehicle's earlier valid signs are recovered.
    async fn issue_sign(
        &self,
        txn: &impl ConnectionTrait,
        p: &bus_permit::Model,
        s: &SignInput,
        on: NaiveDate,
    ) -> Result<bus_sign::Model> {
        let mut errs = Vec::new();
        super::required("sign.number", &s.number, &mut errs);
        super::required("sign.authority", &s.authority, &mut errs);
        if !errs.is_empty() {
            return Err(invalid(errs));
        }
        let v = bus_vehicle::Entity::find_by_id(p.vehicle_id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound)?;
        let r = bus_route::Entity::find_by_id(p.route_id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound)?;
        let from = s.valid_from.unwrap_or(on);
        let until = trip_rules::sign_until(from, s.valid_until, v.inspection_until).map_err(
            |e| match e {
                SignError::InspectionExpired => {
                    Error::field("sign.valid_from", "err.bus.inspection_expired")
                }
                SignError::EndsBeforeStart => {
                    Error::field("sign.valid_until", "err.bus.until_before_on")
                }
            },
        )?;
        let ids: Vec<BusDriverId> = parse_json(&p.driver_ids);
        let drivers = bus_driver::Entity::find()
            .filter(bus_driver::Column::Id.is_in(ids))
            .all(txn)
            .await?;
        let people = person::Entity::find()
            .filter(person::Column::Id.is_in(drivers.iter().map(|d| d.person_id)))
            .all(txn)
            .await?;
        let stops: Vec<String> = parse_json::<Vec<super::routes::Stop>>(&r.stops)
            .into_iter()
            .map(|s| s.name)
            .collect();
        for old in valid_signs(txn, vec![v.id]).await? {
            let mut am: bus_sign::ActiveModel = old.into();
            am.status = Set(SignStatus::Recovered.as_str().into());
            am.recovered_at = Set(Some(Utc::now()));
            am.update(txn).await?;
        }
        bus_sign::ActiveModel {
            school_id: Set(p.school_id),
            vehicle_id: Set(v.id),
            permit_id: Set(Some(p.id)),
            number: Set(s.number.trim().into()),
            plate: Set(v.plate.clone()),
            owner: Set(v.owner.clone()),
            driver_person_ids: Set(json(
                &drivers.iter().map(|d| d.person_id.0).collect::<Vec<_>>(),
            )?),
            driver_names: Set(json(
                &people.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            )?),
            route_name: Set(r.name.clone()),
            operating_times: Set(p.operating_times.clone()),
            stops: Set(json(&stops)?),
            authority: Set(s.authority.trim().into()),
            valid_from: Set(from),
            valid_until: Set(until),
            status: Set(SignStatus::Valid.as_str().into()),
            issued_at: Set(Utc::now()),
            recovered_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(taken("sign.number", "err.bus.sign_taken"))
    }
}
