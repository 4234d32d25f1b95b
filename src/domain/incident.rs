//! School incidents and their reports (突发事件信息报告, domain brief §3.2, §3.3, §7.1;
//! F-EMG-4). Pure.
//!
//! - [`IncidentType`], [`IncidentCategory`], [`IncidentLevel`], [`ReportKind`]: the closed sets.
//! - [`Incident::validate`]: when it happened and when the school learnt of it, casualties;
//!   [`check_persons`]: the people hurt a report names (minors' data), against its counts;
//!   [`check_reporter`]: who reports and their phone.
//! - [`check_next_report`] / [`check_reports`]: a first report first, one of it, a final
//!   report closes, nothing after it.
//! - [`clocks`]: from `known_at` and the reports' sent instants, what is due next and when,
//!   whether it is overdue, and which reports were late (迟报), with the deadlines of
//!   [`ReportDeadlines`] (first report within 1 hour, public-health events within 2 hours;
//!   follow-ups at least daily, twice a day from serious up; a final report).

use crate::code_enum;
use crate::domain::Code;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod clocks;

pub use clocks::*;

code_enum!(
    /// School incident types (domain brief §3.2). The codes are those the risk catalogue uses
    /// for a risk point's possible accidents (`accident_types`).
    IncidentType, "incident_type", {
        Drowning = "drowning",
        Traffic = "traffic",
        Stampede = "stampede",
        Fire = "fire",
        Collapse = "collapse",
        Fall = "fall",
        SportsInjury = "sports_injury",
        LabAccident = "lab_accident",
        ElectricShock = "electric_shock",
        FoodPoisoning = "food_poisoning",
        Epidemic = "epidemic",
        Bullying = "bullying",
        Violence = "violence",
        Intrusion = "intrusion",
        SelfHarm = "self_harm",
        Missing = "missing",
        SexualAssault = "sexual_assault",
        NaturalDisaster = "natural_disaster",
        MassIncident = "mass_incident",
        Cyber = "cyber",
        ExamSafety = "exam_safety",
    }
);

code_enum!(
    /// The national classes of emergencies (突发事件四大类: natural disasters, accidents,
    /// public health, social security) plus the education system's own (network and
    /// information security incl. public opinion, exam security).
    IncidentCategory, "incident_category", {
        NaturalDisaster = "natural_disaster",
        Accident = "accident",
        PublicHealth = "public_health",
        SocialSecurity = "social_security",
        Cyber = "cyber",
        Exam = "exam",
    }
);

code_enum!(
    /// Severity (事故等级, domain brief §3.3): 一般 general, 较大 major, 重大 serious, 特别重大
    /// especially serious. Declared least severe first, so the derived order is by severity.
    IncidentLevel, "incident_level", {
        General = "general",
        Major = "major",
        Serious = "serious",
        EspeciallySerious = "especially_serious",
    }
);

code_enum!(
    /// A report of an incident: the first report (首报), a follow-up (续报) or the final report
    /// (终报).
    ReportKind, "incident_report_kind", {
        First = "first",
        FollowUp = "follow_up",
        Final = "final",
    }
);

code_enum!(
    /// What happened to a person the incident hurt (伤亡情况): died, injured, missing.
    Casualty, "incident_casualty", {
        Dead = "dead",
        Injured = "injured",
        Missing = "missing",
    }
);

impl IncidentType {
    pub fn category(self) -> IncidentCategory {
        use IncidentCategory as C;
        use IncidentType as T;
        match self {
            T::Drowning
            | T::Traffic
            | T::Stampede
            | T::Fire
            | T::Collapse
            | T::Fall
            | T::SportsInjury
            | T::LabAccident
            | T::ElectricShock => C::Accident,
            T::FoodPoisoning | T::Epidemic => C::PublicHealth,
            T::Bullying
            | T::Violence
            | T::Intrusion
            | T::SelfHarm
            | T::Missing
            | T::SexualAssault
            | T::MassIncident => C::SocialSecurity,
            T::NaturalDisaster => C::NaturalDisaster,
            T::Cyber => C::Cyber,
            T::ExamSafety => C::Exam,
        }
    }

    /// Food poisoning and infectious disease: reported to education and health (CDC), first
    /// within 2 hours by default.
    pub fn is_public_health(self) -> bool {
        self.category() == IncidentCategory::PublicHealth
    }

    /// The GB 6441 accident class it corresponds to, where one does (domain brief §3.2:
    /// drowning 6, traffic 2, stampede and violence 20, falls 9, food poisoning 19, fire 8,
    /// electric shock 5, collapse 10).
    pub fn gb6441(self) -> Option<u8> {
        use IncidentType as T;
        Some(match self {
            T::Drowning => 6,
            T::Traffic => 2,
            T::Stampede | T::Violence => 20,
            T::Fall => 9,
            T::FoodPoisoning => 19,
            T::Fire => 8,
            T::ElectricShock => 5,
            T::Collapse => 10,
            _ => return None,
        })
    }
}

impl IncidentLevel {
    /// 1 (general) … 4 (especially serious).
    pub fn rank(self) -> u8 {
        match self {
            IncidentLevel::General => 1,
            IncidentLevel::Major => 2,
            IncidentLevel::Serious => 3,
            IncidentLevel::EspeciallySerious => 4,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The incident and its reports
// ---------------------------------------------------------------------------------------------

/// Longest place or summary, in characters.
pub const MAX_TEXT: usize = 2000;

/// The facts of an incident the rules check (reporter, measures, attachments … are the
/// caller's). Casualty counts are signed so that a negative one is a field error, not a parse
/// error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub incident_type: IncidentType,
    pub level: IncidentLevel,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the school (or the reporting unit) learnt of it: the report clocks start here.
    pub known_at: DateTime<Utc>,
    pub place: String,
    pub summary: String,
    #[serde(default)]
    pub deaths: i64,
    #[serde(default)]
    pub injured: i64,
    #[serde(default)]
    pub missing: i64,
}

/// Why an incident or a report was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    /// A field is missing or wrong: HTTP 422.
    #[error("{field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// The report does not fit the incident's reports so far (a second first report, anything
    /// after the final one): HTTP 409.
    #[error("report out of sequence: {key}")]
    Sequence { key: &'static str },
}

impl IncidentError {
    pub fn key(&self) -> &'static str {
        match self {
            IncidentError::Invalid { key, .. } | IncidentError::Sequence { key } => key,
        }
    }
}

const REQUIRED: &str = "err.required";
const TOO_LONG: &str = "err.incident.too_long";
const KNOWN_BEFORE: &str = "err.incident.known_before_occurred";
const FUTURE: &str = "err.incident.future";
const NEGATIVE: &str = "err.incident.negative";
const FIRST_FIRST: &str = "err.incident.first_report_first";
const FIRST_TWICE: &str = "err.incident.first_report_twice";
const CLOSED: &str = "err.incident.closed";
const BEFORE_KNOWN: &str = "err.incident.report_before_known";
const OUT_OF_ORDER: &str = "err.incident.report_out_of_order";
const PHONE: &str = "err.incident.phone";
const AGE: &str = "err.incident.age";
const PERSONS_EXCEED: &str = "err.incident.persons_exceed";
const TOO_MANY_PERSONS: &str = "err.incident.too_many_persons";

/// Every error key of this module.
pub const ERROR_KEYS: &[&str] = &[
    REQUIRED,
    TOO_LONG,
    KNOWN_BEFORE,
    FUTURE,
    NEGATIVE,
    FIRST_FIRST,
    FIRST_TWICE,
    CLOSED,
    BEFORE_KNOWN,
    OUT_OF_ORDER,
    PHONE,
    AGE,
    PERSONS_EXCEED,
    TOO_MANY_PERSONS,
];

fn invalid(field: &'static str, key: &'static str) -> IncidentError {
    IncidentError::Invalid { field, key }
}

impl Incident {
    /// Checks, in this order: `place` and `summary` given (at most [`MAX_TEXT`] characters);
    /// `occurred_at` and `known_at` not after `now`; `known_at` not before `occurred_at` (it
    /// may equal it); deaths, injured and missing not negative.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), IncidentError> {
        for (field, value) in [("place", &self.place), ("summary", &self.summary)] {
            let v = value.trim();
            if v.is_empty() {
                return Err(invalid(field, REQUIRED));
            }
            if v.chars().count() > MAX_TEXT {
                return Err(invalid(field, TOO_LONG));
            }
        }
        if self.occurred_at > now {
            return Err(invalid("occurred_at", FUTURE));
        }
        if self.known_at > now {
            return Err(invalid("known_at", FUTURE));
        }
        if self.known_at < self.occurred_at {
            return Err(invalid("known_at", KNOWN_BEFORE));
        }
        for (field, n) in [
            ("deaths", self.deaths),
            ("injured", self.injured),
            ("missing", self.missing),
        ] {
            if n < 0 {
                return Err(invalid(field, NEGATIVE));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The people hurt and the reporter
// ---------------------------------------------------------------------------------------------

/// Longest name (a person hurt, the reporter), in characters.
pub const MAX_NAME: usize = 50;
/// Longest note on a person hurt, in characters.
pub const MAX_NOTE: usize = 500;
/// Most people one report lists by name.
pub const MAX_PERSONS: usize = 200;
/// Oldest age accepted for a person hurt (pupils, and the staff hurt with them).
pub const MAX_AGE: i64 = 100;

/// A person the incident hurt, by name — usually a pupil, a minor: sensitive personal data
/// (domain brief §10.3). The counts of the report say how many; a report may name some or
/// all of them. Lists and logs never carry the name; only those allowed to see it do, and
/// each view of it is audited (storage's concern).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HurtPerson {
    pub name: String,
    pub casualty: Casualty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<i64>,
    /// Class, injuries, where taken — as the school writes it.
    #[serde(default)]
    pub note: String,
}

/// Why the people listed were refused: the person's place in the list (none for the list as
/// a whole), the field and the translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonError {
    pub index: Option<usize>,
    pub field: &'static str,
    pub key: &'static str,
}

/// Checks the people a report names against its counts: each with a name (at most
/// [`MAX_NAME`] characters), an age from 0 to [`MAX_AGE`] when given, a note of at most
/// [`MAX_NOTE`]; no more named as dead, injured or missing than `deaths`, `injured`,
/// `missing` say; at most [`MAX_PERSONS`].
pub fn check_persons(
    persons: &[HurtPerson],
    deaths: i64,
    injured: i64,
    missing: i64,
) -> Result<(), PersonError> {
    let whole = |key| PersonError {
        index: None,
        field: "persons",
        key,
    };
    if persons.len() > MAX_PERSONS {
        return Err(whole(TOO_MANY_PERSONS));
    }
    for (i, p) in persons.iter().enumerate() {
        let at = |field, key| PersonError {
            index: Some(i),
            field,
            key,
        };
        let name = p.name.trim();
        if name.is_empty() {
            return Err(at("name", REQUIRED));
        }
        if name.chars().count() > MAX_NAME {
            return Err(at("name", TOO_LONG));
        }
        if p.age.is_some_and(|a| !(0..=MAX_AGE).contains(&a)) {
            return Err(at("age", AGE));
        }
        if p.note.trim().chars().count() > MAX_NOTE {
            return Err(at("note", TOO_LONG));
        }
    }
    for (kind, count) in [
        (Casualty::Dead, deaths),
        (Casualty::Injured, injured),
        (Casualty::Missing, missing),
    ] {
        let named = persons.iter().filter(|p| p.casualty == kind).count();
        if i64::try_from(named).unwrap_or(i64::MAX) > count {
            return Err(whole(PERSONS_EXCEED));
        }
    }
    Ok(())
}

/// Checks who reports and how to reach them (报告人, 联系电话): a name of at most
/// [`MAX_NAME`] characters and a phone number ([`crate::domain::duty::valid_phone`]).
pub fn check_reporter(reporter: &str, phone: &str) -> Result<(), IncidentError> {
    let r = reporter.trim();
    if r.is_empty() {
        return Err(invalid("reporter", REQUIRED));
    }
    if r.chars().count() > MAX_NAME {
        return Err(invalid("reporter", TOO_LONG));
    }
    if phone.trim().is_empty() {
        return Err(invalid("phone", REQUIRED));
    }
    if !crate::domain::duty::valid_phone(phone) {
        return Err(invalid("phone", PHONE));
    }
    Ok(())
}

/// A report already sent (or being sent): its kind and the instant it went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SentReport {
    pub kind: ReportKind,
    pub sent_at: DateTime<Utc>,
}

/// Checks a new report of kind `kind` sent at `at` against the reports sent so far (in order)
/// and returns its sequence number (1 for the first report). Refused: a sequence error (409)
/// when the incident has no report yet and this is not the first report, when this is a second
/// first report, or when a final report has been sent (the final report closes the incident);
/// a field error (422) on `sent_at` when it is before `known_at` or before the previous report.
pub fn check_next_report(
    known_at: DateTime<Utc>,
    sent: &[SentReport],
    kind: ReportKind,
    at: DateTime<Utc>,
) -> Result<u32, IncidentError> {
    if sent.iter().any(|r| r.kind == ReportKind::Final) {
        return Err(IncidentError::Sequence { key: CLOSED });
    }
    match (sent.is_empty(), kind) {
        (true, ReportKind::First) | (false, ReportKind::FollowUp | ReportKind::Final) => {}
        (true, _) => return Err(IncidentError::Sequence { key: FIRST_FIRST }),
        (false, ReportKind::First) => return Err(IncidentError::Sequence { key: FIRST_TWICE }),
    }
    if at < known_at {
        return Err(invalid("sent_at", BEFORE_KNOWN));
    }
    if sent.last().is_some_and(|r| at < r.sent_at) {
        return Err(invalid("sent_at", OUT_OF_ORDER));
    }
    Ok(u32::try_from(sent.len()).unwrap_or(u32::MAX - 1) + 1)
}

/// Checks a whole history of reports, in the order given (e.g. an import): each must pass
/// [`check_next_report`] against the ones before it. Returns the index of the first that does
/// not, with why.
pub fn check_reports(
    known_at: DateTime<Utc>,
    sent: &[SentReport],
) -> Result<(), (usize, IncidentError)> {
    for (i, r) in sent.iter().enumerate() {
        check_next_report(known_at, &sent[..i], r.kind, r.sent_at).map_err(|e| (i, e))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

/// Every translation key this module needs: its closed sets and error keys.
pub fn catalogue_keys() -> Vec<String> {
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<IncidentType>()
        .chain(labels::<IncidentCategory>())
        .chain(labels::<IncidentLevel>())
        .chain(labels::<ReportKind>())
        .chain(labels::<Casualty>())
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
