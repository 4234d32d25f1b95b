//! Early warning (风险预警, domain brief §1.9): the four levels, a warning's lifecycle, the
//! threshold rules that turn device readings into warnings, and the school risk index. Pure.
//!
//! ```text
//! reading ─evaluate(rule)→ Raise ─→ raised (待确认) ─acknowledge→ acknowledged (已确认)
//!   ─dispatch→ dispatched (已派单) ─resolve→ resolved (已处置)
//! raised | acknowledged | dispatched ─false_alarm→ false_alarm (误报关闭)
//! ```
//!
//! - [`Level`]: Ⅰ red (特别严重) … Ⅳ blue (一般); yellow and above go up to the district bureau.
//! - [`apply`]: checks one [`Step`] asked of a warning against its [`Status`].
//! - [`evaluate`]: feeds one reading to one [`Threshold`] with the [`RuleState`] kept between
//!   readings (duration before raising, hysteresis before clearing, stale readings ignored);
//!   [`default_thresholds`], [`default_offline_minutes`] and [`offline_level`] are the shipped
//!   configuration.
//! - [`risk_index`]: the 0–100 school risk index from counts the caller gathers.

use crate::domain::Code;
use crate::domain::device::DeviceKind;

mod index;
mod lifecycle;
mod rules;

pub use index::*;
pub use lifecycle::*;
pub use rules::*;

// ---------------------------------------------------------------------------------------------
// Closed sets
// ---------------------------------------------------------------------------------------------

crate::code_enum!(
    /// Warning level, Ⅰ (red) most severe … Ⅳ (blue). The derived order sorts the most severe
    /// first (`Red < Blue`); compare severities with [`Level::at_least`].
    Level, "warning_level", {
        Red = "red",
        Orange = "orange",
        Yellow = "yellow",
        Blue = "blue",
    }
);

impl Level {
    /// The level's number: red 1, orange 2, yellow 3, blue 4 (Ⅰ–Ⅳ).
    pub fn rank(self) -> u8 {
        match self {
            Level::Red => 1,
            Level::Orange => 2,
            Level::Yellow => 3,
            Level::Blue => 4,
        }
    }

    /// The Roman numeral of the level as the published plans write it (Ⅰ–Ⅳ).
    pub fn roman(self) -> &'static str {
        match self {
            Level::Red => "Ⅰ",
            Level::Orange => "Ⅱ",
            Level::Yellow => "Ⅲ",
            Level::Blue => "Ⅳ",
        }
    }

    /// As severe as `other` or more: `Red.at_least(Yellow)`, `Yellow.at_least(Yellow)`.
    pub fn at_least(self, other: Level) -> bool {
        self.rank() <= other.rank()
    }

    /// Yellow and above are escalated level by level to the district bureau's safety section.
    pub fn reaches_district(self) -> bool {
        self.at_least(Level::Yellow)
    }

    /// Only red goes on to the city bureau.
    pub fn reaches_city(self) -> bool {
        self == Level::Red
    }

    /// Red and orange need a person to resolve them: the condition clearing on its own (the
    /// smoke gone, the current back down) does not close the warning, someone must look.
    pub fn needs_person_to_resolve(self) -> bool {
        matches!(self, Level::Red | Level::Orange)
    }
}

crate::code_enum!(
    /// Where a warning stands: 待确认, 已确认, 已派单, 已处置, 误报关闭.
    Status, "warning_status", {
        Raised = "raised",
        Acknowledged = "acknowledged",
        Dispatched = "dispatched",
        Resolved = "resolved",
        FalseAlarm = "false_alarm",
    }
);

impl Status {
    /// Still needs someone: raised, acknowledged or dispatched.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Raised | Status::Acknowledged | Status::Dispatched
        )
    }

    /// Resolved or closed as a false alarm: no step leads anywhere from here.
    pub fn is_final(self) -> bool {
        !self.is_open()
    }
}

crate::code_enum!(
    /// What raised a warning: a device reading, an overdue hazard, an inspection finding, a
    /// drill, a missed daily zero report (零报告), the school bus, an incident report past its
    /// deadline (迟报), an emergency plan past its filing or evaluation date.
    Source, "warning_source", {
        Device = "device",
        Hazard = "hazard",
        Inspection = "inspection",
        Drill = "drill",
        ZeroReport = "zero_report",
        Bus = "bus",
        Incident = "incident",
        Plan = "plan",
        // A missed obligation of the work plan (a meeting, training or activity).
        WorkPlan = "work_plan",
    }
);

crate::code_enum!(
    /// The kind of a [`Step`], its wire code being the `action` of the API body.
    StepKind, "warning_action", {
        Acknowledge = "acknowledge",
        Dispatch = "dispatch",
        Resolve = "resolve",
        FalseAlarm = "false_alarm",
    }
);

crate::code_enum!(
    /// How a reading is compared with a threshold.
    Comparator, "comparator", {
        Gt = "gt",
        Ge = "ge",
        Lt = "lt",
        Le = "le",
        Eq = "eq",
        Ne = "ne",
    }
);

impl Comparator {
    /// Whether `value` breaches `threshold`. Equality is exact: the values compared for
    /// equality are switches sent as 0 or 1. A NaN never breaches, except under `ne`.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparator::Gt => value > threshold,
            Comparator::Ge => value >= threshold,
            Comparator::Lt => value < threshold,
            Comparator::Le => value <= threshold,
            Comparator::Eq => value == threshold,
            Comparator::Ne => value != threshold,
        }
    }

    /// The mathematical sign, for rule lists: `residual_current_ma ≥ 300`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Gt => ">",
            Comparator::Ge => "≥",
            Comparator::Lt => "<",
            Comparator::Le => "≤",
            Comparator::Eq => "=",
            Comparator::Ne => "≠",
        }
    }
}

crate::code_enum!(
    /// What a device reports.
    Metric, "metric", {
        Smoke = "smoke",
        Fire = "fire",
        Alarm = "alarm",
        ResidualCurrentMa = "residual_current_ma",
        GasLelPct = "gas_lel_pct",
        WaterLevelCm = "water_level_cm",
        TemperatureC = "temperature_c",
        Heartbeat = "heartbeat",
        Fault = "fault",
        Gps = "gps",
    }
);

impl Metric {
    /// The plausible range of a value, both ends included; a value outside it (or not a
    /// number) is refused at ingest with a reason. Switches (smoke, fire, alarm, heartbeat,
    /// fault) are 1 for on and 0 for off; residual current 0–10 000 mA; gas 0–100 %LEL; water
    /// 0–10 000 cm; temperature −60–200 °C; gps is the bus's speed, 0–250 km/h.
    pub fn range(self) -> (f64, f64) {
        match self {
            Metric::Smoke | Metric::Fire | Metric::Alarm | Metric::Heartbeat | Metric::Fault => {
                (0.0, 1.0)
            }
            Metric::ResidualCurrentMa => (0.0, 10_000.0),
            Metric::GasLelPct => (0.0, 100.0),
            Metric::WaterLevelCm => (0.0, 10_000.0),
            Metric::TemperatureC => (-60.0, 200.0),
            Metric::Gps => (0.0, 250.0),
        }
    }

    /// Whether `value` is a number inside [`Metric::range`].
    pub fn accepts(self, value: f64) -> bool {
        let (lo, hi) = self.range();
        value.is_finite() && lo <= value && value <= hi
    }

    /// On/off signals, sent as 1 or 0.
    pub fn is_switch(self) -> bool {
        matches!(
            self,
            Metric::Smoke | Metric::Fire | Metric::Alarm | Metric::Heartbeat | Metric::Fault
        )
    }

    /// The unit shown after a value (empty for switches).
    pub fn unit(self) -> &'static str {
        match self {
            Metric::ResidualCurrentMa => "mA",
            Metric::GasLelPct => "%LEL",
            Metric::WaterLevelCm => "cm",
            Metric::TemperatureC => "°C",
            Metric::Gps => "km/h",
            _ => "",
        }
    }

    /// Which metrics a device kind may send: heartbeat and fault for every kind; smoke from
    /// smoke detectors and fire panels (a loop detector); fire from fire panels; alarm from
    /// one-key alarms, fire panels (manual call points) and access gates (forced open);
    /// residual current from electrical-fire detectors; temperature from electrical-fire
    /// detectors, fire panels and smoke detectors (heat-smoke combined heads); gas, water level
    /// and gps each from their own kind. Cameras send heartbeat and fault only.
    pub fn allowed_for(self, kind: DeviceKind) -> bool {
        use DeviceKind as K;
        match self {
            Metric::Heartbeat | Metric::Fault => true,
            Metric::Smoke => matches!(kind, K::Smoke | K::FirePanel),
            Metric::Fire => kind == K::FirePanel,
            Metric::Alarm => matches!(kind, K::AlarmButton | K::FirePanel | K::AccessGate),
            Metric::ResidualCurrentMa => kind == K::ElectricalFire,
            Metric::TemperatureC => matches!(kind, K::ElectricalFire | K::FirePanel | K::Smoke),
            Metric::GasLelPct => kind == K::Gas,
            Metric::WaterLevelCm => kind == K::WaterLevel,
            Metric::Gps => kind == K::BusGps,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

/// Every error key this module produces: the lifecycle's ([`StepError::key`]) and the rule
/// checks' ([`Threshold::validate`]).
pub const ERROR_KEYS: &[&str] = &[
    lifecycle::ILLEGAL_STEP,
    lifecycle::NEEDS_PERSON,
    lifecycle::NEEDS_NOTE,
    lifecycle::NEEDS_REASON,
    lifecycle::TOO_LONG,
    rules::VALUE_RANGE,
    rules::METRIC_KIND,
    rules::HYSTERESIS,
    rules::MIN_DURATION,
];

/// The long label of a level, as the plans write it: `warning_level_full.red` = 红色（Ⅰ级
/// 特别严重）.
pub fn full_label_key(level: Level) -> String {
    format!("warning_level_full.{level}")
}

/// Every translation key this module needs: the labels of its closed sets, the long level
/// labels and its error keys (for the catalogue-completeness test).
pub fn catalogue_keys() -> Vec<String> {
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<Level>()
        .chain(labels::<Status>())
        .chain(labels::<Source>())
        .chain(labels::<StepKind>())
        .chain(labels::<Comparator>())
        .chain(labels::<Metric>())
        .chain(Level::ALL.iter().map(|l| full_label_key(*l)))
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
