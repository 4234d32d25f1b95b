//! A school-bus driver's qualification (校车安全管理条例 Art. 23–26, domain brief §4.5) and an
//! attendant's age rule (§4.6). Every rule is a configurable default; a failing rule is named
//! by its [`Reason`] code, and an eligible driver's next lapse (the day the age limit is passed,
//! the health certificate or the annual review runs out) is given.

use crate::code_enum;
use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

code_enum!(
    /// Why a driver is not eligible.
    Reason, "bus_driver_reason", {
        TooYoung = "too_young",
        TooOld = "too_old",
        ShortExperience = "short_experience",
        FullPoints = "full_points",
        Accident = "accident",
        DrinkDriving = "drink_driving",
        SeriousViolation = "serious_violation",
        CriminalRecord = "criminal_record",
        HealthCertificate = "health_certificate",
        AnnualReview = "annual_review",
        ReviewStudy = "review_study",
    }
);

code_enum!(
    /// How bad an accident was.
    Severity, "bus_accident_severity", {
        Fatal = "fatal",
        SeriousInjury = "serious_injury",
        MinorInjury = "minor_injury",
        Property = "property",
    }
);

code_enum!(
    /// The driver's share of the responsibility for an accident (责任认定).
    Responsibility, "bus_responsibility", {
        Full = "full",
        Main = "main",
        Equal = "equal",
        Secondary = "secondary",
        None = "none",
    }
);

code_enum!(
    /// Why an attendant may not ride.
    AttendantReason, "bus_attendant_reason", {
        TooYoung = "too_young",
        TooOld = "too_old",
        Untrained = "untrained",
    }
);

/// The qualification rules (`[buses.driver]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriverRules {
    pub min_age: u32,
    /// Eligible up to this age in full years; lapses the day it is passed.
    pub max_age: u32,
    /// Years of driving since the licence was first issued.
    pub min_years_licensed: u32,
    /// No full-12-points record in this many scoring cycles (the current one included).
    pub point_cycles: u32,
    /// A serious violation counts this many days (the day it happened is the first).
    pub violation_days: i64,
    /// Hours of study the annual review needs.
    pub review_study_hours: f64,
    /// A full year of age is reached the day after the birthday (the courts' reading of
    /// 周岁) rather than on the birthday itself.
    pub age_from_day_after_birthday: bool,
}

impl Default for DriverRules {
    fn default() -> Self {
        DriverRules {
            min_age: 25,
            max_age: 60,
            min_years_licensed: 3,
            point_cycles: 3,
            violation_days: 365,
            review_study_hours: 3.0,
            age_from_day_after_birthday: false,
        }
    }
}

/// The attendants' rules (`[buses.attendant]`): age and how many ride.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttendantRules {
    pub min_age: u32,
    pub max_age: u32,
    /// From this many riders a trip needs [`AttendantRules::many`] attendants (0: never).
    pub many_riders: i64,
    pub many: usize,
}

impl Default for AttendantRules {
    fn default() -> Self {
        AttendantRules {
            min_age: 25,
            max_age: 60,
            many_riders: 20,
            many: 2,
        }
    }
}

impl AttendantRules {
    /// The attendants a trip with `riders` aboard needs: one, or [`AttendantRules::many`] from
    /// [`AttendantRules::many_riders`] riders.
    pub fn needed(&self, riders: i64) -> usize {
        if self.many_riders > 0 && riders >= self.many_riders {
            self.many.max(1)
        } else {
            1
        }
    }
}

/// An accident on the driver's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Accident {
    pub on: NaiveDate,
    pub severity: Severity,
    pub responsibility: Responsibility,
}

/// A driver's record, as the eligibility check reads it (`POST /bus-drivers/eligibility`
/// takes the same fields).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DriverFacts {
    pub birth_date: Option<NaiveDate>,
    pub licensed_since: Option<NaiveDate>,
    /// A day of each scoring cycle in which 12 points were reached.
    pub full_point_cycles: Vec<NaiveDate>,
    pub accidents: Vec<Accident>,
    pub drink_driving: bool,
    pub serious_violations: Vec<NaiveDate>,
    pub criminal_record: bool,
    pub health_certificate_until: Option<NaiveDate>,
    pub annual_review_until: Option<NaiveDate>,
    /// Hours of study at the last annual review (none: not recorded, not checked).
    pub review_study_hours: Option<f64>,
}

/// The outcome: eligible or not, every failing reason, and for an eligible driver the first
/// day they stop being eligible with no new record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Eligibility {
    pub eligible: bool,
    pub reasons: Vec<Reason>,
    pub lapses_on: Option<NaiveDate>,
}

/// Age in full years on `on`. With `day_after`, the birthday itself still counts the year
/// before. A 29 February birthday is reached on 1 March in common years.
pub fn age_on(birth: NaiveDate, on: NaiveDate, day_after: bool) -> i64 {
    let on = if day_after {
        on - Duration::days(1)
    } else {
        on
    };
    let mut years = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// `d` plus whole years (29 February becomes 28 February in a common year: the day is
/// reached no later than a year's worth of days).
fn plus_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// The number of the scoring cycle that holds `d`: cycles run a year from each anniversary
/// of the first licence (记分周期), the first being 0.
fn cycle_index(licensed: NaiveDate, d: NaiveDate) -> u32 {
    if d < licensed {
        return 0;
    }
    let mut years = u32::try_from(d.year() - licensed.year()).unwrap_or(0);
    while years > 0 && plus_years(licensed, years) > d {
        years -= 1;
    }
    years
}

/// The first day of the scoring cycle that holds `d`.
pub fn cycle_start(licensed: NaiveDate, d: NaiveDate) -> NaiveDate {
    plus_years(licensed, cycle_index(licensed, d))
}

/// The cycle of `d` counted back from the cycle of `on` (0: the current cycle).
fn cycles_back(licensed: NaiveDate, d: NaiveDate, on: NaiveDate) -> i64 {
    i64::from(cycle_index(licensed, on)) - i64::from(cycle_index(licensed, d))
}

/// Checks a driver on `on` against every rule.
pub fn evaluate(f: &DriverFacts, rules: &DriverRules, on: NaiveDate) -> Eligibility {
    let mut reasons = Vec::new();
    let mut lapses: Vec<NaiveDate> = Vec::new();
    match f.birth_date {
        Some(b) => {
            let age = age_on(b, on, rules.age_from_day_after_birthday);
            if age < i64::from(rules.min_age) {
                reasons.push(Reason::TooYoung);
            } else if age > i64::from(rules.max_age) {
                reasons.push(Reason::TooOld);
            }
            // The first day of age max + 1.
            let mut over = plus_years(b, rules.max_age + 1);
            if rules.age_from_day_after_birthday {
                over += Duration::days(1);
            }
            lapses.push(over);
        }
        None => reasons.push(Reason::TooYoung),
    }
    match f.licensed_since {
        Some(l) if plus_years(l, rules.min_years_licensed) <= on => {}
        _ => reasons.push(Reason::ShortExperience),
    }
    if let Some(l) = f.licensed_since {
        let window = i64::from(rules.point_cycles);
        if f.full_point_cycles
            .iter()
            .filter(|d| **d <= on)
            .any(|d| cycles_back(l, *d, on) < window)
        {
            reasons.push(Reason::FullPoints);
        }
    }
    if f.accidents.iter().any(|a| {
        a.on <= on
            && matches!(a.severity, Severity::Fatal | Severity::SeriousInjury)
            && a.responsibility != Responsibility::None
    }) {
        reasons.push(Reason::Accident);
    }
    if f.drink_driving {
        reasons.push(Reason::DrinkDriving);
    }
    if f.serious_violations
        .iter()
        .any(|v| *v <= on && (on - *v).num_days() < rules.violation_days)
    {
        reasons.push(Reason::SeriousViolation);
    }
    if f.criminal_record {
        reasons.push(Reason::CriminalRecord);
    }
    match f.health_certificate_until {
        Some(u) if u >= on => lapses.push(u + Duration::days(1)),
        _ => reasons.push(Reason::HealthCertificate),
    }
    match f.annual_review_until {
        Some(u) if u >= on => lapses.push(u + Duration::days(1)),
        _ => reasons.push(Reason::AnnualReview),
    }
    if f.review_study_hours
        .is_some_and(|h| h < rules.review_study_hours)
    {
        reasons.push(Reason::ReviewStudy);
    }
    reasons.sort();
    reasons.dedup();
    let eligible = reasons.is_empty();
    Eligibility {
        eligible,
        lapses_on: if eligible {
            lapses.into_iter().filter(|d| *d > on).min()
        } else {
            None
        },
        reasons,
    }
}

/// An attendant on `on`: the age rule and a training on record.
pub fn attendant(
    birth: Option<NaiveDate>,
    trained: bool,
    rules: &AttendantRules,
    on: NaiveDate,
) -> Vec<AttendantReason> {
    let mut out = Vec::new();
    match birth.map(|b| age_on(b, on, false)) {
        Some(a) if a > i64::from(rules.max_age) => out.push(AttendantReason::TooOld),
        Some(a) if a >= i64::from(rules.min_age) => {}
        _ => out.push(AttendantReason::TooYoung),
    }
    if !trained {
        out.push(AttendantReason::Untrained);
    }
    out
}

code_enum!(
    /// What an entry of a driver's record is: a scoring cycle that reached 12 points, an
    /// accident, a serious violation, a drink-driving record, a criminal record (the police's
    /// monthly notices, recorded by the bureau), a health certificate, an annual review
    /// (审验), a training of the school's.
    RecordKind, "bus_driver_record", {
        FullPoints = "full_points",
        Accident = "accident",
        SeriousViolation = "serious_violation",
        DrinkDriving = "drink_driving",
        CriminalRecord = "criminal_record",
        HealthCertificate = "health_certificate",
        AnnualReview = "annual_review",
        Training = "training",
    }
);
