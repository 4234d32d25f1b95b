//! Emergency drills (应急演练, domain brief §5, §4.8; F-EMG-2): the kinds, a held drill's record
//! and its checks, the evacuation-time target, and compliance with the drill requirements over
//! a period. Pure.
//!
//! - [`DrillRecord::validate`]: the head-count adds up, the times are in order, the date is not
//!   in the future; gives the evacuation time against its target ([`Timing`]).
//! - [`compliance`]: for one school (its kind, whether it runs buses), the drills it held and a
//!   [`Period`], each requirement of [`DrillConfig`] that applies to it, window by window
//!   (every month, quarter or semester of the period): done, missing, open or not yet due.

use crate::code_enum;
use crate::domain::Code;
use crate::domain::calendar::PeriodKind;
use crate::domain::org::SchoolKind;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

mod compliance;

pub use compliance::*;

code_enum!(
    /// What a drill practises (演练类型): a general evacuation (疏散), fire (火灾), earthquake
    /// (地震), crush prevention (防踩踏), school-bus evacuation (校车), violence / intrusion
    /// (防暴、防侵害), a combined scenario (综合), and fire-safety training (消防培训, not a drill
    /// with a signal, counted for the per-semester training requirement).
    DrillKind, "drill_kind", {
        Evacuation = "evacuation",
        Fire = "fire",
        Earthquake = "earthquake",
        Stampede = "stampede",
        BusEvacuation = "bus_evacuation",
        Violence = "violence",
        Combined = "combined",
        FireTraining = "fire_training",
    }
);

code_enum!(
    /// Whether the pupils knew of the drill beforehand: announced (告知式) or unannounced (突击式).
    DrillNotice, "drill_notice", {
        Announced = "announced",
        Unannounced = "unannounced",
    }
);

impl DrillKind {
    /// Evacuations: everyone leaves a building or a bus on a signal and is counted at the
    /// assembly point. Their record needs the head-count and the signal and completion times.
    pub fn is_evacuation(self) -> bool {
        matches!(
            self,
            DrillKind::Evacuation
                | DrillKind::Fire
                | DrillKind::Earthquake
                | DrillKind::Stampede
                | DrillKind::BusEvacuation
                | DrillKind::Combined
        )
    }

    /// Evacuations of a building, timed against [`DrillConfig::target_seconds`].
    pub fn is_building_evacuation(self) -> bool {
        self.is_evacuation() && self != DrillKind::BusEvacuation
    }
}

code_enum!(
    /// Where a drill stands: `planned` (announced in the school's plan, not yet held), `held`
    /// (recorded with its head-count and times), `cancelled` (a plan dropped; a held drill is
    /// never cancelled).
    DrillStatus, "drill_status", {
        Planned = "planned",
        Held = "held",
        Cancelled = "cancelled",
    }
);

code_enum!(
    /// The evaluation's overall rating of a held drill (演练评估): excellent 优秀, good 良好,
    /// pass 合格, poor 不合格.
    DrillRating, "drill_rating", {
        Excellent = "excellent",
        Good = "good",
        Pass = "pass",
        Poor = "poor",
    }
);

/// What a change to a drill does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillStep {
    /// Move the planned date, kind, notice or buildings.
    Replan,
    /// Record it held, or correct the record of a held drill.
    Record,
    /// Problems found, rating, evaluation, the plan to revise, hazards opened.
    Evaluate,
    /// Drop the plan.
    Cancel,
}

impl DrillStatus {
    /// Whether `step` may be taken from this status: a plan may be moved, recorded or
    /// cancelled; a held drill's record may be corrected and evaluated; a cancelled plan is
    /// final.
    pub fn allows(self, step: DrillStep) -> bool {
        matches!(
            (self, step),
            (
                DrillStatus::Planned,
                DrillStep::Replan | DrillStep::Record | DrillStep::Cancel
            ) | (DrillStatus::Held, DrillStep::Record | DrillStep::Evaluate)
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

code_enum!(
    /// The name of a drill requirement: the monthly (kindergartens quarterly) evacuation drill,
    /// the fire drill and fire training each semester, the school-bus evacuation drill.
    RequirementCode, "drill_requirement", {
        Evacuation = "evacuation",
        FireDrill = "fire_drill",
        FireTraining = "fire_training",
        BusEvacuation = "bus_evacuation",
    }
);

/// One drill requirement: at least `at_least` drills of any of `kinds` in every `every`
/// (month, quarter or semester), for the schools of `school_kinds` (empty: every kind), and
/// only for those that run school buses when `needs_bus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub code: RequirementCode,
    pub kinds: Vec<DrillKind>,
    pub every: PeriodKind,
    #[serde(default = "one")]
    pub at_least: u32,
    #[serde(default)]
    pub school_kinds: Vec<SchoolKind>,
    #[serde(default)]
    pub needs_bus: bool,
}

fn one() -> u32 {
    1
}

impl Requirement {
    /// Whether this requirement binds a school of `kind` (with buses or not).
    pub fn applies_to(&self, kind: SchoolKind, has_buses: bool) -> bool {
        (self.school_kinds.is_empty() || self.school_kinds.contains(&kind))
            && (!self.needs_bus || has_buses)
    }
}

/// The drill rules (configuration). Defaults (domain brief §5, §4.8; the drill guide of 2014 as
/// relayed, and the bus rule a [LOCAL] one):
///
/// - evacuation time from the signal to everyone assembled ≤ 120 s for buildings up to 4
///   floors (taller buildings: the school's own target);
/// - primary, secondary, nine-year and special schools: ≥ 1 evacuation drill a month;
///   kindergartens: ≥ 1 a quarter (an evacuation drill is one of the kinds `evacuation`,
///   `fire`, `earthquake`, `stampede`, `combined`);
/// - every school: ≥ 1 fire drill and ≥ 1 fire-safety training a semester;
/// - schools with buses: ≥ 1 school-bus evacuation drill a semester.
///
/// Deserialising checks that the target and floors are positive and that each requirement
/// names at least one kind and asks for at least one drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DrillConfigSpec", into = "DrillConfigSpec")]
pub struct DrillConfig {
    target_seconds: u32,
    target_max_floors: u32,
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DrillConfigSpec {
    target_seconds: u32,
    target_max_floors: u32,
    requirements: Vec<Requirement>,
}

impl Default for DrillConfigSpec {
    fn default() -> Self {
        use DrillKind as K;
        use SchoolKind as S;
        let evacuations = vec![
            K::Evacuation,
            K::Fire,
            K::Earthquake,
            K::Stampede,
            K::Combined,
        ];
        let req = |code, kinds, every, school_kinds, needs_bus| Requirement {
            code,
            kinds,
            every,
            at_least: 1,
            school_kinds,
            needs_bus,
        };
        DrillConfigSpec {
            target_seconds: 120,
            target_max_floors: 4,
            requirements: vec![
                req(
                    RequirementCode::Evacuation,
                    evacuations.clone(),
                    PeriodKind::Month,
                    vec![
                        S::Primary,
                        S::JuniorMiddle,
                        S::NineYear,
                        S::SeniorHigh,
                        S::Special,
                    ],
                    false,
                ),
                req(
                    RequirementCode::Evacuation,
                    evacuations,
                    PeriodKind::Quarter,
                    vec![S::Kindergarten],
                    false,
                ),
                req(
                    RequirementCode::FireDrill,
                    vec![K::Fire],
                    PeriodKind::Semester,
                    vec![],
                    false,
                ),
                req(
                    RequirementCode::FireTraining,
                    vec![K::FireTraining],
                    PeriodKind::Semester,
                    vec![],
                    false,
                ),
                req(
                    RequirementCode::BusEvacuation,
                    vec![K::BusEvacuation],
                    PeriodKind::Semester,
                    vec![],
                    true,
                ),
            ],
        }
    }
}

impl TryFrom<DrillConfigSpec> for DrillConfig {
    type Error = String;
    fn try_from(s: DrillConfigSpec) -> Result<Self, String> {
        DrillConfig::new(s.target_seconds, s.target_max_floors, s.requirements)
    }
}

impl From<DrillConfig> for DrillConfigSpec {
    fn from(c: DrillConfig) -> Self {
        DrillConfigSpec {
            target_seconds: c.target_seconds,
            target_max_floors: c.target_max_floors,
            requirements: c.requirements,
        }
    }
}

impl Default for DrillConfig {
    fn default() -> Self {
        let s = DrillConfigSpec::default();
        DrillConfig {
            target_seconds: s.target_seconds,
            target_max_floors: s.target_max_floors,
            requirements: s.requirements,
        }
    }
}

impl DrillConfig {
    pub fn new(
        target_seconds: u32,
        target_max_floors: u32,
        requirements: Vec<Requirement>,
    ) -> Result<DrillConfig, String> {
        if target_seconds == 0 || target_max_floors == 0 {
            return Err("target_seconds and target_max_floors must be at least 1".into());
        }
        if let Some(r) = requirements
            .iter()
            .find(|r| r.kinds.is_empty() || r.at_least == 0)
        {
            return Err(format!(
                "requirement '{}' must name at least one kind and ask for at least one drill",
                r.code
            ));
        }
        Ok(DrillConfig {
            target_seconds,
            target_max_floors,
            requirements,
        })
    }

    /// Seconds from the signal to everyone assembled, for buildings up to
    /// [`DrillConfig::target_max_floors`] floors.
    pub fn target_seconds(&self) -> u32 {
        self.target_seconds
    }

    pub fn target_max_floors(&self) -> u32 {
        self.target_max_floors
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }
}

// ---------------------------------------------------------------------------------------------
// A held drill
// ---------------------------------------------------------------------------------------------

/// A held drill as a school records it (the checkable part; the plan it follows, assembly
/// points, problems found, photos and the hazards opened are the caller's). Numbers are signed
/// so that a negative one is a field error of [`DrillRecord::validate`], not a parse error.
/// Times are China time on the day of the drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillRecord {
    pub kind: DrillKind,
    pub notice: DrillNotice,
    pub held_on: NaiveDate,
    /// Classes taking part.
    pub classes: i64,
    /// People expected: pupils and staff taking part (the trainees of a training).
    pub expected: i64,
    /// Counted at the assembly point (required for evacuations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assembled: Option<i64>,
    /// Not accounted for at the end (required for evacuations; 0 when all were counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<i64>,
    /// The alarm signal (required for evacuations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "10:00:00")]
    pub signal_at: Option<NaiveTime>,
    /// Everyone assembled and counted (required for evacuations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "10:01:45")]
    pub completed_at: Option<NaiveTime>,
    /// Floors of the tallest building evacuated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floors: Option<i64>,
    /// The school's own target in seconds, for taller buildings or a bus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_target_seconds: Option<i64>,
    /// People hurt during the drill.
    #[serde(default)]
    pub injuries: i64,
}

/// How long an evacuation took against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Timing {
    /// Seconds from the signal to everyone assembled.
    pub seconds: u32,
    /// The target that applies: the school's own if it set one; else, for a building of at
    /// most [`DrillConfig::target_max_floors`] floors (or floors not given),
    /// [`DrillConfig::target_seconds`]; else none.
    pub target_seconds: Option<u32>,
    /// Whether the target was met (`None` without a target).
    pub met: Option<bool>,
}

/// A field of a drill record that is missing or wrong (HTTP 422): the body's field name and
/// the translation key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {key}")]
pub struct DrillError {
    pub field: &'static str,
    pub key: &'static str,
}

const REQUIRED: &str = "err.required";
const FUTURE: &str = "err.drill.future_date";
const EXPECTED: &str = "err.drill.expected";
const NEGATIVE: &str = "err.drill.negative";
const EXCEEDS: &str = "err.drill.exceeds_expected";
const SUM: &str = "err.drill.head_count_sum";
const TIMES_PAIR: &str = "err.drill.times_pair";
const TIMES_ORDER: &str = "err.drill.times_order";
const POSITIVE: &str = "err.drill.positive";

/// Every error key of this module.
pub const ERROR_KEYS: &[&str] = &[
    REQUIRED,
    FUTURE,
    EXPECTED,
    NEGATIVE,
    EXCEEDS,
    SUM,
    TIMES_PAIR,
    TIMES_ORDER,
    POSITIVE,
];

fn invalid(field: &'static str, key: &'static str) -> DrillError {
    DrillError { field, key }
}

impl DrillRecord {
    /// Checks the record, in this order (the first problem is returned):
    ///
    /// - `held_on` is not after `today` (a drill is recorded once held);
    /// - `classes` ≥ 0; `expected` ≥ 1;
    /// - for an evacuation, `assembled`, `missing`, `signal_at` and `completed_at` are given;
    ///   for other kinds they are optional, the times given both or neither;
    /// - `assembled` and `missing` are ≥ 0 and each ≤ `expected`, and when both are given
    ///   `assembled + missing = expected` (everyone expected is either counted or missing);
    /// - `completed_at` is after `signal_at` (same day);
    /// - `floors` and `own_target_seconds`, when given, are ≥ 1; `injuries` ≥ 0.
    ///
    /// Returns the evacuation time against its target when the times are given.
    pub fn validate(
        &self,
        today: NaiveDate,
        cfg: &DrillConfig,
    ) -> Result<Option<Timing>, DrillError> {
        if self.held_on > today {
            return Err(invalid("held_on", FUTURE));
        }
        if self.classes < 0 {
            return Err(invalid("classes", NEGATIVE));
        }
        if self.expected < 1 {
            return Err(invalid("expected", EXPECTED));
        }
        let evacuation = self.kind.is_evacuation();
        for (field, value) in [("assembled", self.assembled), ("missing", self.missing)] {
            match value {
                None if evacuation => return Err(invalid(field, REQUIRED)),
                None => {}
                Some(v) if v < 0 => return Err(invalid(field, NEGATIVE)),
                Some(v) if v > self.expected => return Err(invalid(field, EXCEEDS)),
                Some(_) => {}
            }
        }
        if let (Some(a), Some(m)) = (self.assembled, self.missing)
            && a.checked_add(m) != Some(self.expected)
        {
            return Err(invalid("missing", SUM));
        }
        let times = match (self.signal_at, self.completed_at) {
            (Some(s), Some(c)) => Some((s, c)),
            (None, None) if !evacuation => None,
            (None, _) if evacuation => return Err(invalid("signal_at", REQUIRED)),
            (_, None) if evacuation => return Err(invalid("completed_at", REQUIRED)),
            (None, _) => return Err(invalid("signal_at", TIMES_PAIR)),
            (_, None) => return Err(invalid("completed_at", TIMES_PAIR)),
        };
        if let Some((s, c)) = times
            && c <= s
        {
            return Err(invalid("completed_at", TIMES_ORDER));
        }
        for (field, value) in [
            ("floors", self.floors),
            ("own_target_seconds", self.own_target_seconds),
        ] {
            if value.is_some_and(|v| v < 1) {
                return Err(invalid(field, POSITIVE));
            }
        }
        if self.injuries < 0 {
            return Err(invalid("injuries", NEGATIVE));
        }
        Ok(times.map(|(s, c)| self.timing((c - s).num_seconds(), cfg)))
    }

    fn timing(&self, seconds: i64, cfg: &DrillConfig) -> Timing {
        let seconds = u32::try_from(seconds).unwrap_or(u32::MAX);
        let own = self.own_target_seconds.and_then(|t| u32::try_from(t).ok());
        let low = self
            .floors
            .is_none_or(|f| f <= i64::from(cfg.target_max_floors));
        let target =
            own.or((self.kind.is_building_evacuation() && low).then_some(cfg.target_seconds));
        Timing {
            seconds,
            target_seconds: target,
            met: target.map(|t| seconds <= t),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

/// Every translation key this module needs: its closed sets and error keys.
pub fn catalogue_keys() -> Vec<String> {
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<DrillKind>()
        .chain(labels::<DrillNotice>())
        .chain(labels::<DrillStatus>())
        .chain(labels::<DrillRating>())
        .chain(labels::<RequirementCode>())
        .chain(labels::<ComplianceStatus>())
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
