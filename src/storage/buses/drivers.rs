//! Bus drivers (people with post `bus_driver`) with their qualification facts and records,
//! eligibility computed on reading from [`crate::domain::bus::eligibility`]; attendants (post
//! `bus_attendant`) with their trainings. A record that makes a driver ineligible raises the
//! warning `bus_driver_ineligible` in its transaction (one that makes them eligible again
//! clears it); the sweep does the same for what lapses with time.

use super::{BusAudit, check_len, json, parse_json, taken};
use crate::domain::Code;
use crate::domain::bus::eligibility::{
    self, Accident, AttendantReason, DriverFacts, Eligibility, Reason, RecordKind, Responsibility,
    Severity,
};
use crate::domain::bus::{BusConfig, BusRule};
use crate::domain::ids::{BusAttendantId, BusDriverId, OrgId, PersonId};
use crate::domain::person::Post;
use crate::domain::warning::Source;
use crate::error::{Error, FieldError, Result};
use crate::storage::Buses;
use crate::storage::audit::Event;
use crate::storage::entity::{bus_attendant, bus_driver, bus_driver_record, person};
use crate::storage::orgs::invalid;
use crate::storage::read::ReadAll as _;
use crate::storage::warnings::{self, Raise};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A driver as the API shows it, with the eligibility on today's date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Driver {
    pub id: BusDriverId,
    pub school_id: OrgId,
    pub person_id: PersonId,
    pub name: String,
    pub licence_class: String,
    pub licensed_since: NaiveDate,
    pub birth_date: NaiveDate,
    pub drink_driving: bool,
    pub criminal_record: bool,
    pub health_certificate_until: Option<NaiveDate>,
    pub annual_review_until: Option<NaiveDate>,
    pub review_study_hours: Option<f64>,
    pub eligible: bool,
    pub reasons: Vec<Reason>,
    /// The first day an eligible driver stops being eligible with no new record.
    pub lapses_on: Option<NaiveDate>,
    pub records: Vec<DriverRecord>,
    pub version: i32,
}

/// An entry of a driver's record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DriverRecord {
    pub id: i64,
    pub kind: RecordKind,
    pub on: NaiveDate,
    pub severity: Option<Severity>,
    pub responsibility: Option<Responsibility>,
    pub valid_until: Option<NaiveDate>,
    pub hours: Option<f64>,
    pub note: String,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
}

/// A new driver (`POST /api/v1/schools/{id}/bus-drivers`): a person of the school's register
/// with post `bus_driver`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDriver {
    pub person_id: PersonId,
    /// The licence class (A1, A3, B1 …).
    pub licence_class: String,
    pub licensed_since: NaiveDate,
    pub birth_date: NaiveDate,
    #[serde(default)]
    pub health_certificate_until: Option<NaiveDate>,
    #[serde(default)]
    pub annual_review_until: Option<NaiveDate>,
    #[serde(default)]
    pub review_study_hours: Option<f64>,
    #[serde(default)]
    pub drink_driving: bool,
    #[serde(default)]
    pub criminal_record: bool,
}

/// Changes to a driver's facts (`PATCH /api/v1/bus-drivers/{id}`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DriverPatch {
    pub licence_class: Option<String>,
    pub licensed_since: Option<NaiveDate>,
    pub birth_date: Option<NaiveDate>,
    pub health_certificate_until: Option<NaiveDate>,
    pub annual_review_until: Option<NaiveDate>,
    pub review_study_hours: Option<f64>,
    pub drink_driving: Option<bool>,
    pub criminal_record: Option<bool>,
    pub version: Option<i32>,
}

/// A record entry (`POST /api/v1/bus-drivers/{id}/records`): `severity` and
/// `responsibility` for an accident, `valid_until` for a health certificate or an annual
/// review, `hours` for a review's study or a training.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    pub kind: RecordKind,
    pub on: NaiveDate,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub responsibility: Option<Responsibility>,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub hours: Option<f64>,
    #[serde(default)]
    pub note: String,
}

/// A driver record to evaluate without storing anything (`POST
/// /api/v1/bus-drivers/eligibility`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityInput {
    pub birth_date: NaiveDate,
    pub licensed_since: NaiveDate,
    /// A day of each scoring cycle in which 12 points were reached.
    #[serde(default)]
    pub full_point_cycles: Vec<NaiveDate>,
    #[serde(default)]
    pub accidents: Vec<Accident>,
    #[serde(default)]
    pub drink_driving: bool,
    #[serde(default)]
    pub serious_violations: Vec<NaiveDate>,
    #[serde(default)]
    pub criminal_record: bool,
    #[serde(default)]
    pub health_certificate_until: Option<NaiveDate>,
    #[serde(default)]
    pub annual_review_until: Option<NaiveDate>,
    #[serde(default)]
    pub review_study_hours: Option<f64>,
    /// The day to evaluate on (today by default).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Evaluates a record given in a request (stores nothing).
pub fn evaluate_input(i: EligibilityInput, cfg: &BusConfig) -> Eligibility {
    let facts = DriverFacts {
        birth_date: Some(i.birth_date),
        licensed_since: Some(i.licensed_since),
        full_point_cycles: i.full_point_cycles,
        accidents: i.accidents,
        drink_driving: i.drink_driving,
        serious_violations: i.serious_violations,
        criminal_record: i.criminal_record,
        health_certificate_until: i.health_certificate_until,
        annual_review_until: i.annual_review_until,
        review_study_hours: i.review_study_hours,
    };
    eligibility::evaluate(
        &facts,
        &cfg.driver,
        i.on.unwrap_or_else(crate::clock::today),
    )
}

/// The facts of a stored driver and records.
pub(in crate::storage) fn facts(
    d: &bus_driver::Model,
    recs: &[bus_driver_record::Model],
) -> DriverFacts {
    let of = |k: RecordKind| recs.iter().filter(move |r| r.kind == k.as_str());
    DriverFacts {
        birth_date: Some(d.birth_date),
        licensed_since: Some(d.licensed_since),
        full_point_cycles: of(RecordKind::FullPoints).map(|r| r.on_date).collect(),
        accidents: of(RecordKind::Accident)
            .filter_map(|r| {
                Some(Accident {
                    on: r.on_date,
                    severity: Severity::parse(&r.severity)?,
                    responsibility: Responsibility::parse(&r.responsibility)?,
                })
            })
            .collect(),
        drink_driving: d.drink_driving,
        serious_violations: of(RecordKind::SeriousViolation)
            .map(|r| r.on_date)
            .collect(),
        criminal_record: d.criminal_record,
        health_certificate_until: d.health_certificate_until,
        annual_review_until: d.annual_review_until,
        review_study_hours: d.review_study_hours,
    }
}

fn record_view(r: bus_driver_record::Model) -> DriverRecord {
    DriverRecord {
        id: r.id,
        kind: RecordKind::parse(&r.kind).unwrap_or(RecordKind::Training),
        on: r.on_date,
        severity: Severity::parse(&r.severity),
        responsibility: Responsibility::parse(&r.responsibility),
        valid_until: r.valid_until,
        hours: r.hours,
        note: r.note,
        recorded_by_name: r.recorded_by_name,
        recorded_at: r.recorded_at,
    }
}

pub(in crate::storage) fn driver_view(
    d: bus_driver::Model,
    name: String,
    recs: Vec<bus_driver_record::Model>,
    cfg: &BusConfig,
    today: NaiveDate,
) -> Driver {
    let e = eligibility::evaluate(&facts(&d, &recs), &cfg.driver, today);
    Driver {
        id: d.id,
        school_id: d.school_id,
        person_id: d.person_id,
        name,
        licence_class: d.licence_class,
        licensed_since: d.licensed_since,
        birth_date: d.birth_date,
        drink_driving: d.drink_driving,
        criminal_record: d.criminal_record,
        health_certificate_until: d.health_certificate_until,
        annual_review_until: d.annual_review_until,
        review_study_hours: d.review_study_hours,
        eligible: e.eligible,
        reasons: e.reasons,
        lapses_on: e.lapses_on,
        records: recs.into_iter().rev().map(record_view).collect(),
        version: d.version,
    }
}

/// Whether a stored driver is eligible on `today` (the daily check).
pub(in crate::storage) async fn eligible_on(
    conn: &impl ConnectionTrait,
    d: &bus_driver::Model,
    cfg: &BusConfig,
    today: NaiveDate,
) -> Result<bool> {
    let recs = bus_driver_record::Entity::find()
        .filter(bus_driver_record::Column::DriverId.eq(d.id))
        .all(conn)
        .await?;
    Ok(eligibility::evaluate(&facts(d, &recs), &cfg.driver, today).eligible)
}

/// Raises or clears the driver's ineligibility warning from the stored facts, in `txn`.
pub(in crate::storage) async fn sync_warning(
    txn: &impl ConnectionTrait,
    d: &bus_driver::Model,
    cfg: &BusConfig,
    today: NaiveDate,
    notify: bool,
) -> Result<Option<crate::domain::ids::WarningId>> {
    let recs = bus_driver_record::Entity::find()
        .filter(bus_driver_record::Column::DriverId.eq(d.id))
        .all(txn)
        .await?;
    let e = eligibility::evaluate(&facts(d, &recs), &cfg.driver, today);
    let subject = format!("bus_driver:{}", d.id);
    let rule = BusRule::DriverIneligible.as_str();
    let detail = e
        .reasons
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    if e.eligible {
        return warnings::clear(txn, Source::Bus, &subject, rule, Utc::now(), "eligible").await;
    }
    let (w, _) = warnings::raise(
        txn,
        Raise {
            school: d.school_id,
            source: Source::Bus,
            rule: rule.into(),
            subject,
            level: cfg.levels.driver,
            device: None,
            zone: None,
            point: None,
            value: None,
            detail: format!("driver={} reasons={detail}", d.id),
            at: Utc::now(),
            notify,
        },
    )
    .await?;
    Ok(Some(w))
}

async fn school_person(
    conn: &impl ConnectionTrait,
    school: OrgId,
    id: PersonId,
    post: Post,
) -> Result<Option<person::Model>> {
    Ok(person::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|p| p.org_id == school && p.active && p.post == post.as_str()))
}

fn check_hours(field: &str, h: Option<f64>, errs: &mut Vec<FieldError>) {
    if h.is_some_and(|h| !(0.0..=1000.0).contains(&h) || h.is_nan()) {
        errs.push(FieldError::new(field, "err.bus.hours"));
    }
}

/// An attendant as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attendant {
    pub id: BusAttendantId,
    pub school_id: OrgId,
    pub person_id: PersonId,
    pub name: String,
    pub birth_date: NaiveDate,
    pub trainings: Vec<Training>,
    pub eligible: bool,
    pub reasons: Vec<AttendantReason>,
}

/// A training of an attendant (traffic law, emergency handling, rescue).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
#[schema(as = BusDriverTraining)]
pub struct Training {
    pub on: NaiveDate,
    pub hours: f64,
    #[serde(default)]
    pub topic: String,
}

/// A new attendant (`POST /api/v1/schools/{id}/bus-attendants`): a person of the school's
/// register with post `bus_attendant`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAttendant {
    pub person_id: PersonId,
    pub birth_date: NaiveDate,
    #[serde(default)]
    pub trainings: Vec<Training>,
}

pub(in crate::storage) fn attendant_view(
    a: bus_attendant::Model,
    name: String,
    cfg: &BusConfig,
    today: NaiveDate,
) -> Attendant {
    let trainings: Vec<Training> = parse_json(&a.trainings);
    let reasons = eligibility::attendant(
        Some(a.birth_date),
        trainings.iter().any(|t| t.on <= today),
        &cfg.attendant,
        today,
    );
    Attendant {
        id: a.id,
        school_id: a.school_id,
        person_id: a.person_id,
        name,
        birth_date: a.birth_date,
        trainings,
        eligible: reasons.is_empty(),
        reasons,
    }
}

impl Buses<'_> {
    async fn names(
        &self,
        ids: impl IntoIterator<Item = PersonId>,
    ) -> Result<Vec<(PersonId, String)>> {
        let ids: Vec<PersonId> = ids.into_iter().collect();
        Ok(person::Entity::find()
            .filter(person::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect())
    }

    pub(super) async fn driver_views(
        &self,
        rows: Vec<bus_driver::Model>,
        cfg: &BusConfig,
    ) -> Result<Vec<Driver>> {
        let today = crate::clock::today();
        let names = self.names(rows.iter().map(|d| d.person_id)).await?;
        let recs = bus_driver_record::Entity::find()
            .filter(bus_driver_record::Column::DriverId.is_in(rows.iter().map(|d| d.id)))
            .order_by_asc(bus_driver_record::Column::OnDate)
            .order_by_asc(bus_driver_record::Column::Id)
            .read_all(&self.read)
            .await?;
        Ok(rows
            .into_iter()
            .map(|d| {
                let mine: Vec<_> = recs
                    .iter()
                    .filter(|r| r.driver_id == d.id)
                    .cloned()
                    .collect();
                let name = names
                    .iter()
                    .find(|(p, _)| *p == d.person_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                driver_view(d, name, mine, cfg, today)
            })
            .collect())
    }

    /// The drivers of a school in scope, or of every school in scope (`None`), the
    /// ineligible first.
    pub async fn drivers(&self, school: Option<OrgId>, cfg: &BusConfig) -> Result<Vec<Driver>> {
        let mut q = bus_driver::Entity::find();
        match school {
            Some(s) => {
                self.school_row(s, &self.read).await?;
                q = q.filter(bus_driver::Column::SchoolId.eq(s));
            }
            None => {
                let ids = self.scope_ids().await?;
                q = q.filter(bus_driver::Column::SchoolId.is_in(ids));
            }
        }
        self.permit()?;
        let rows = q
            .order_by_asc(bus_driver::Column::Id)
            .read_all(&self.read)
            .await?;
        let mut out = self.driver_views(rows, cfg).await?;
        out.sort_by_key(|d| d.eligible);
        Ok(out)
    }

    pub(super) async fn scope_ids(&self) -> Result<Vec<OrgId>> {
        Ok(crate::storage::entity::org::Entity::find()
            .filter(self.org_scope())
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect())
    }

    pub async fn driver(&self, id: BusDriverId, cfg: &BusConfig) -> Result<Driver> {
        let (m, _) = self.owned::<bus_driver::Entity>(id, &self.read).await?;
        self.permit()?;
        Ok(self.driver_views(vec![m], cfg).await?.remove(0))
    }

    /// Registers a driver of a school in scope.
    pub async fn create_driver(
        &self,
        school: OrgId,
        input: NewDriver,
        cfg: &BusConfig,
    ) -> Result<Driver> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(BusAudit::DriverCreate, "bus_driver", ""), school)
            .await?;
        let res: Result<bus_driver::Model> = async {
            let mut errs = Vec::new();
            if school_person(&tx.txn, school.org_id(), input.person_id, Post::BusDriver)
                .await?
                .is_none()
            {
                errs.push(FieldError::new("person_id", "err.bus.not_a_driver"));
            }
            super::required("licence_class", &input.licence_class, &mut errs);
            check_hours("review_study_hours", input.review_study_hours, &mut errs);
            if input.licensed_since <= input.birth_date {
                errs.push(FieldError::new(
                    "licensed_since",
                    "err.bus.licensed_before_birth",
                ));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            let m = bus_driver::ActiveModel {
                school_id: Set(school.org_id()),
                person_id: Set(input.person_id),
                licence_class: Set(input.licence_class.trim().to_uppercase()),
                licensed_since: Set(input.licensed_since),
                birth_date: Set(input.birth_date),
                drink_driving: Set(input.drink_driving),
                criminal_record: Set(input.criminal_record),
                health_certificate_until: Set(input.health_certificate_until),
                annual_review_until: Set(input.annual_review_until),
                review_study_hours: Set(input.review_study_hours),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await
            .map_err(taken("person_id", "err.bus.driver_taken"))?;
            sync_warning(&tx.txn, &m, cfg, crate::clock::today(), true).await?;
            Ok(m)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!("school={} person={}", m.school_id, m.person_id);
                tx.commit().await?;
                self.driver(m.id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Changes a driver's facts; the warning follows the new eligibility.
    pub async fn update_driver(
        &self,
        id: BusDriverId,
        p: DriverPatch,
        cfg: &BusConfig,
    ) -> Result<Driver> {
        let mut tx = self
            .begin_owned::<bus_driver::Entity>(
                Event::new(BusAudit::DriverUpdate, "bus_driver", id),
                id,
            )
            .await?;
        let res: Result<Vec<&'static str>> = async {
            let m = bus_driver::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if p.version.is_some_and(|v| v != m.version) {
                return Err(Error::Conflict("err.bus.changed".into()));
            }
            let mut errs = Vec::new();
            if let Some(c) = &p.licence_class {
                super::required("licence_class", c, &mut errs);
            }
            check_hours("review_study_hours", p.review_study_hours, &mut errs);
            if p.licensed_since.unwrap_or(m.licensed_since) <= p.birth_date.unwrap_or(m.birth_date)
            {
                errs.push(FieldError::new(
                    "licensed_since",
                    "err.bus.licensed_before_birth",
                ));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let mut changed = Vec::new();
            let version = m.version;
            let mut am: bus_driver::ActiveModel = m.into();
            if let Some(c) = &p.licence_class {
                am.licence_class = Set(c.trim().to_uppercase());
                changed.push("licence_class");
            }
            if let Some(d) = p.licensed_since {
                am.licensed_since = Set(d);
                changed.push("licensed_since");
            }
            if let Some(d) = p.birth_date {
                am.birth_date = Set(d);
                changed.push("birth_date");
            }
            if let Some(d) = p.health_certificate_until {
                am.health_certificate_until = Set(Some(d));
                changed.push("health_certificate_until");
            }
            if let Some(d) = p.annual_review_until {
                am.annual_review_until = Set(Some(d));
                changed.push("annual_review_until");
            }
            if let Some(h) = p.review_study_hours {
                am.review_study_hours = Set(Some(h));
                changed.push("review_study_hours");
            }
            if let Some(b) = p.drink_driving {
                am.drink_driving = Set(b);
                changed.push("drink_driving");
            }
            if let Some(b) = p.criminal_record {
                am.criminal_record = Set(b);
                changed.push("criminal_record");
            }
            am.version = Set(version + 1);
            am.updated_at = Set(Utc::now());
            let m = am.update(&tx.txn).await?;
            sync_warning(&tx.txn, &m, cfg, crate::clock::today(), true).await?;
            Ok(changed)
        }
        .await;
        match res {
            Ok(changed) => {
                tx.event.detail = format!("changed={}", changed.join(","));
                tx.commit().await?;
                self.driver(id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Adds an entry to a driver's record (the bureau records the police's notices, the
    /// school its certificates, reviews and trainings); the facts it carries move onto the
    /// driver, and eligibility is recomputed in the same transaction.
    pub async fn add_record(
        &self,
        id: BusDriverId,
        r: NewRecord,
        cfg: &BusConfig,
    ) -> Result<Driver> {
        let mut tx = self
            .begin_owned::<bus_driver::Entity>(
                Event::new(BusAudit::DriverRecord, "bus_driver", id),
                id,
            )
            .await?;
        let res: Result<()> = async {
            let m = bus_driver::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let today = crate::clock::today();
            let mut errs = Vec::new();
            if r.on > today {
                errs.push(FieldError::new("on", "err.bus.future_date"));
            }
            check_len("note", &r.note, super::MAX_TEXT, &mut errs);
            check_hours("hours", r.hours, &mut errs);
            match r.kind {
                RecordKind::Accident => {
                    if r.severity.is_none() {
                        errs.push(FieldError::new("severity", "err.required"));
                    }
                    if r.responsibility.is_none() {
                        errs.push(FieldError::new("responsibility", "err.required"));
                    }
                }
                RecordKind::HealthCertificate | RecordKind::AnnualReview => match r.valid_until {
                    None => errs.push(FieldError::new("valid_until", "err.required")),
                    Some(u) if u < r.on => {
                        errs.push(FieldError::new("valid_until", "err.bus.until_before_on"))
                    }
                    _ => {}
                },
                _ => {}
            }
            if r.kind == RecordKind::AnnualReview && r.hours.is_none() {
                errs.push(FieldError::new("hours", "err.required"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            bus_driver_record::ActiveModel {
                school_id: Set(m.school_id),
                driver_id: Set(m.id),
                kind: Set(r.kind.as_str().into()),
                on_date: Set(r.on),
                severity: Set(r.severity.map(|s| s.as_str()).unwrap_or("").into()),
                responsibility: Set(r.responsibility.map(|s| s.as_str()).unwrap_or("").into()),
                valid_until: Set(r.valid_until),
                hours: Set(r.hours),
                note: Set(r.note.trim().into()),
                recorded_by: Set(Some(self.actor.user_id)),
                recorded_by_name: Set(self.actor.display_name.clone()),
                recorded_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            let version = m.version;
            let mut am: bus_driver::ActiveModel = m.into();
            match r.kind {
                RecordKind::DrinkDriving => am.drink_driving = Set(true),
                RecordKind::CriminalRecord => am.criminal_record = Set(true),
                RecordKind::HealthCertificate => am.health_certificate_until = Set(r.valid_until),
                RecordKind::AnnualReview => {
                    am.annual_review_until = Set(r.valid_until);
                    am.review_study_hours = Set(r.hours);
                }
                _ => {}
            }
            am.version = Set(version + 1);
            am.updated_at = Set(Utc::now());
            let m = am.update(&tx.txn).await?;
            sync_warning(&tx.txn, &m, cfg, today, true).await?;
            Ok(())
        }
        .await;
        match res {
            Ok(()) => {
                tx.event.detail = format!("kind={} on={}", r.kind.as_str(), r.on);
                tx.commit().await?;
                self.driver(id, cfg).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The attendants of a school in scope.
    pub async fn attendants(&self, school: OrgId, cfg: &BusConfig) -> Result<Vec<Attendant>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let rows = bus_attendant::Entity::find()
            .filter(bus_attendant::Column::SchoolId.eq(school))
            .order_by_asc(bus_attendant::Column::Id)
            .read_all(&self.read)
            .await?;
        let names = self.names(rows.iter().map(|a| a.person_id)).await?;
        let today = crate::clock::today();
        Ok(rows
            .into_iter()
            .map(|a| {
                let n = names
                    .iter()
                    .find(|(p, _)| *p == a.person_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                attendant_view(a, n, cfg, today)
            })
            .collect())
    }

    /// Registers an attendant of a school in scope.
    pub async fn create_attendant(
        &self,
        school: OrgId,
        input: NewAttendant,
        cfg: &BusConfig,
    ) -> Result<Attendant> {
        let (mut tx, school) = self
            .begin_for_school(
                Event::new(BusAudit::AttendantCreate, "bus_attendant", ""),
                school,
            )
            .await?;
        let res: Result<(bus_attendant::Model, String)> = async {
            let mut errs = Vec::new();
            let p = school_person(
                &tx.txn,
                school.org_id(),
                input.person_id,
                Post::BusAttendant,
            )
            .await?;
            if p.is_none() {
                errs.push(FieldError::new("person_id", "err.bus.not_an_attendant"));
            }
            if input.trainings.len() > 100 {
                errs.push(FieldError::new("trainings", "err.bus.too_many"));
            }
            for (i, t) in input.trainings.iter().enumerate() {
                check_hours(&format!("trainings[{i}].hours"), Some(t.hours), &mut errs);
                check_len(
                    &format!("trainings[{i}].topic"),
                    &t.topic,
                    super::MAX_SHORT,
                    &mut errs,
                );
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let now = Utc::now();
            let m = bus_attendant::ActiveModel {
                school_id: Set(school.org_id()),
                person_id: Set(input.person_id),
                birth_date: Set(input.birth_date),
                trainings: Set(json(&input.trainings)?),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(0),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await
            .map_err(taken("person_id", "err.bus.attendant_taken"))?;
            Ok((m, p.map(|p| p.name).unwrap_or_default()))
        }
        .await;
        match res {
            Ok((m, name)) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!("school={} person={}", m.school_id, m.person_id);
                tx.commit().await?;
                Ok(attendant_view(m, name, cfg, crate::clock::today()))
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
