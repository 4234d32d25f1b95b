//! Threshold rules on device readings, their evaluation between readings, and the shipped
//! defaults (thresholds, offline limits, when an unresolved warning becomes a hazard).

use super::{Comparator, Level, Metric};
use crate::domain::device::DeviceKind;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest `min_duration_s` a rule may have: a day.
pub const MAX_MIN_DURATION_S: u32 = 86_400;

/// The rule code of the offline warning (no event for [`default_offline_minutes`]).
pub const OFFLINE_RULE: &str = "offline";

pub(super) const VALUE_RANGE: &str = "err.warning.value_range";
pub(super) const METRIC_KIND: &str = "err.warning.metric_kind";
pub(super) const HYSTERESIS: &str = "err.warning.hysteresis";
pub(super) const MIN_DURATION: &str = "err.warning.min_duration";

/// A threshold rule on one metric of one device kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Threshold {
    pub kind: DeviceKind,
    pub metric: Metric,
    pub comparator: Comparator,
    pub value: f64,
    pub level: Level,
    /// Seconds the condition must hold before it raises (0: at once).
    pub min_duration_s: u32,
    /// How far back past the threshold the value must go to clear (0: any non-breaching value
    /// clears). Ignored by `eq` and `ne`, which clear as soon as the condition no longer holds.
    pub hysteresis: f64,
}

impl Threshold {
    /// The rule's stable code, `{kind}.{metric}.{level}`, e.g. `gas.gas_lel_pct.red`.
    pub fn code(&self) -> String {
        format!("{}.{}.{}", self.kind, self.metric, self.level)
    }

    /// Whether `value` breaches the rule.
    pub fn breaches(&self, value: f64) -> bool {
        self.comparator.holds(value, self.value)
    }

    /// Whether `value` ends a raised condition: it does not breach, and it is at least
    /// `hysteresis` past the threshold on the safe side. Without the margin a value hovering
    /// at the threshold would raise and clear over and over.
    pub fn clears(&self, value: f64) -> bool {
        let (t, h) = (self.value, self.hysteresis);
        !self.breaches(value)
            && match self.comparator {
                Comparator::Gt | Comparator::Ge => value <= t - h,
                Comparator::Lt | Comparator::Le => value >= t + h,
                Comparator::Eq | Comparator::Ne => true,
            }
    }

    /// Checks the rule; each problem as `(field, catalogue key)`: the value is a number inside
    /// the metric's range, the device kind sends that metric, the hysteresis is a number from 0
    /// up to (not including) the width of the range, the duration is at most a day.
    pub fn validate(&self) -> Result<(), Vec<(&'static str, &'static str)>> {
        let mut errors = Vec::new();
        if !self.metric.accepts(self.value) {
            errors.push(("value", VALUE_RANGE));
        }
        if !self.metric.allowed_for(self.kind) {
            errors.push(("metric", METRIC_KIND));
        }
        let (lo, hi) = self.metric.range();
        if !(self.hysteresis.is_finite() && self.hysteresis >= 0.0 && self.hysteresis < hi - lo) {
            errors.push(("hysteresis", HYSTERESIS));
        }
        if self.min_duration_s > MAX_MIN_DURATION_S {
            errors.push(("min_duration_s", MIN_DURATION));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The evaluation state of one (device, rule), kept between readings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleState {
    /// When the current unbroken run of breaching readings began.
    pub breach_since: Option<DateTime<Utc>>,
    /// Raised and not yet cleared.
    pub active: bool,
    /// The time of the newest reading taken into account.
    pub last_at: Option<DateTime<Utc>>,
}

/// What one reading did to a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Nothing,
    /// The condition has now held long enough: open a warning.
    Raise,
    /// The condition is over (past the hysteresis).
    Clear,
}

/// Feeds one reading taken at `at` to a rule and returns the new state and what happened.
///
/// Readings older than `state.last_at` are ignored (events may arrive out of order; the
/// newest decides), as are values that are not numbers (the ingest refuses them before).
/// Not active: a breaching reading starts the run (`breach_since`) if none is running and
/// raises once the run has lasted `min_duration_s`; a non-breaching reading ends the run.
/// Active: a reading that [`Threshold::clears`] clears; anything else changes nothing. `Raise`
/// and `Clear` are each returned once, on the reading that causes them.
pub fn evaluate(
    rule: &Threshold,
    state: RuleState,
    at: DateTime<Utc>,
    value: f64,
) -> (RuleState, Outcome) {
    if state.last_at.is_some_and(|last| at < last) || value.is_nan() {
        return (state, Outcome::Nothing);
    }
    let mut next = RuleState {
        last_at: Some(at),
        ..state
    };
    if state.active {
        if rule.clears(value) {
            next.active = false;
            next.breach_since = None;
            return (next, Outcome::Clear);
        }
        return (next, Outcome::Nothing);
    }
    if !rule.breaches(value) {
        next.breach_since = None;
        return (next, Outcome::Nothing);
    }
    let since = *next.breach_since.get_or_insert(at);
    if at - since >= Duration::seconds(i64::from(rule.min_duration_s)) {
        next.active = true;
        return (next, Outcome::Raise);
    }
    (next, Outcome::Nothing)
}

/// The shipped rules (domain brief §1.9 and common practice), each validated by the tests:
///
/// - smoke, fire and alarm signals are red at once: smoke from smoke detectors and fire
///   panels, fire from fire panels, alarm from one-key alarms and fire panels (manual call
///   points); an access gate forced open is yellow;
/// - a fire panel's fault is yellow (the building's detection is down), any other fault blue;
/// - residual current ≥ 300 mA orange, ≥ 500 mA red (GB 50116 commentary: 300–500 mA), each
///   held 10 s; electrical-fire temperature ≥ 70 °C orange after 30 s;
/// - combustible gas ≥ 25 %LEL orange after 5 s, ≥ 50 %LEL red at once;
/// - water ≥ 150 cm yellow, ≥ 200 cm orange, each held a minute (waves and splashes pass).
///
/// No gps rule: speeding and routes are the bus module's. Codes are unique.
pub fn default_thresholds() -> Vec<Threshold> {
    use Comparator::Ge;
    use DeviceKind as K;
    use Level::*;
    use Metric as M;
    let rule = |kind, metric, value, level, min_duration_s, hysteresis| Threshold {
        kind,
        metric,
        comparator: Ge,
        value,
        level,
        min_duration_s,
        hysteresis,
    };
    let mut rules = vec![
        rule(K::Smoke, M::Smoke, 1.0, Red, 0, 0.0),
        rule(K::FirePanel, M::Smoke, 1.0, Red, 0, 0.0),
        rule(K::FirePanel, M::Fire, 1.0, Red, 0, 0.0),
        rule(K::AlarmButton, M::Alarm, 1.0, Red, 0, 0.0),
        rule(K::FirePanel, M::Alarm, 1.0, Red, 0, 0.0),
        rule(K::AccessGate, M::Alarm, 1.0, Yellow, 0, 0.0),
        rule(
            K::ElectricalFire,
            M::ResidualCurrentMa,
            300.0,
            Orange,
            10,
            30.0,
        ),
        rule(
            K::ElectricalFire,
            M::ResidualCurrentMa,
            500.0,
            Red,
            10,
            50.0,
        ),
        rule(K::ElectricalFire, M::TemperatureC, 70.0, Orange, 30, 5.0),
        rule(K::Gas, M::GasLelPct, 25.0, Orange, 5, 5.0),
        rule(K::Gas, M::GasLelPct, 50.0, Red, 0, 5.0),
        rule(K::WaterLevel, M::WaterLevelCm, 150.0, Yellow, 60, 10.0),
        rule(K::WaterLevel, M::WaterLevelCm, 200.0, Orange, 60, 10.0),
    ];
    use crate::domain::Code;
    for kind in DeviceKind::ALL {
        let level = if *kind == K::FirePanel { Yellow } else { Blue };
        rules.push(rule(*kind, M::Fault, 1.0, level, 0, 0.0));
    }
    rules
}

/// Minutes without any event after which a device of this kind counts as offline (warning
/// rule [`OFFLINE_RULE`]). Life-safety kinds and those reporting often are missed sooner: fire
/// panel and bus 10, camera 15, smoke, electrical fire, gas and access gate 30, water level and
/// one-key alarm (a quiet heartbeat) 60.
pub fn default_offline_minutes(kind: DeviceKind) -> u32 {
    use DeviceKind as K;
    match kind {
        K::FirePanel | K::BusGps => 10,
        K::Camera => 15,
        K::Smoke | K::ElectricalFire | K::Gas | K::AccessGate => 30,
        K::WaterLevel | K::AlarmButton => 60,
    }
}

/// The level of an offline warning: yellow for the fire panel, the one-key alarm and gas (the
/// school cannot see a fire, be called for help or smell a leak through them), blue for others.
pub fn offline_level(kind: DeviceKind) -> Level {
    use DeviceKind as K;
    match kind {
        K::FirePanel | K::AlarmButton | K::Gas => Level::Yellow,
        _ => Level::Blue,
    }
}

/// Hours an acknowledged red or orange warning may stay unresolved before it opens a hazard
/// (隐患, source `device_alarm`): red 4, orange 24. Yellow and blue never do.
pub fn default_hazard_after_hours(level: Level) -> Option<u32> {
    match level {
        Level::Red => Some(4),
        Level::Orange => Some(24),
        Level::Yellow | Level::Blue => None,
    }
}
