//! School buses (校车安全管理条例, domain brief §4; F-BUS-1 … 4). Pure rules:
//!
//! - [`eligibility`]: a driver's qualification (Art. 23–26, §4.5), every failing reason with
//!   its code and the day an eligible driver next lapses; an attendant's age rule (§4.6).
//! - [`permit`]: the use-permit workflow (校车使用许可, Art. 14–15) — its states, steps and
//!   deadlines in working days — and the five conditions of an application.
//! - [`trip`]: the sign's validity (never past the vehicle's inspection), the attendants a trip
//!   needs, and why a trip may not start (every refusal named).
//! - [`gps`]: speeding against the limit of the road class, deviation from the route's path
//!   for a minimum time, overload; positions and distances on the WGS-84 sphere.
//!
//! Every number is configuration ([`BusConfig`], `[buses]`), defaulting to domain.md's values.

use crate::code_enum;
use crate::domain::warning::Level;
use serde::{Deserialize, Serialize};

pub mod eligibility;
pub mod gps;
pub mod permit;
pub mod trip;

#[cfg(test)]
mod tests;

code_enum!(
    /// What a vehicle is: a purpose-built school bus (专用校车) for kindergarten pupils, for
    /// primary pupils, for primary and secondary pupils, or another passenger vehicle of 7 or
    /// more seats (allowed for secondary pupils only).
    BusType, "bus_type", {
        Kindergarten = "kindergarten",
        Primary = "primary",
        PrimarySecondary = "primary_secondary",
        Other = "other",
    }
);

code_enum!(
    /// A vehicle's state: in service, suspended (no trips), retired (its sign recovered).
    VehicleStatus, "bus_status", {
        InService = "in_service",
        Suspended = "suspended",
        Retired = "retired",
    }
);

code_enum!(
    /// The equipment a school bus carries (§4.4).
    Equipment, "bus_equipment", {
        EscapeHammer = "escape_hammer",
        Extinguisher = "extinguisher",
        FirstAidKit = "first_aid_kit",
        SatellitePositioning = "satellite_positioning",
        SchoolBusLamps = "school_bus_lamps",
        StopSign = "stop_sign",
    }
);

code_enum!(
    /// A sign's state: valid until its date, or recovered (the bus retired or the sign
    /// replaced).
    SignStatus, "bus_sign_status", {
        Valid = "valid",
        Recovered = "recovered",
    }
);

code_enum!(
    /// The road class of a route's segment, for the speed limit with pupils aboard.
    RoadClass, "bus_road", {
        Ordinary = "ordinary",
        Expressway = "expressway",
        // Sharp bends, steep slopes, narrow roads or bridges, ice, snow or mud.
        Adverse = "adverse",
    }
);

code_enum!(
    /// The live rules of a bus (warning rule codes, source `bus`).
    BusRule, "bus_rule", {
        Speeding = "bus_speeding",
        Deviation = "bus_deviation",
        Overload = "bus_overload",
        NoTrip = "bus_moving_without_trip",
        SignExpiry = "bus_sign_expiry",
        InspectionExpiry = "bus_inspection_expiry",
        InsuranceExpiry = "bus_insurance_expiry",
        DriverIneligible = "bus_driver_ineligible",
    }
);

/// The bus rules of the configuration (`[buses]`), defaulting to domain.md §4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusConfig {
    /// The driver's qualification (§4.5).
    pub driver: eligibility::DriverRules,
    /// Attendants' age and numbers (§4.6, local rules).
    pub attendant: eligibility::AttendantRules,
    /// The permit's deadlines in working days (Art. 15).
    pub permit: permit::PermitDeadlines,
    /// Speed limits with pupils aboard, km/h (§4.7).
    pub speed: gps::SpeedLimits,
    /// Route deviation: metres from the path, for at least this many seconds.
    pub deviation_metres: f64,
    pub deviation_seconds: i64,
    /// Sign, inspection and insurance expiry warn this many days ahead.
    pub expiry_warning_days: i64,
    /// Below this speed (km/h) a bus without a trip is not "moving".
    pub moving_kmh: f64,
    /// The levels of the warnings.
    pub levels: BusLevels,
}

/// The level of each bus warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusLevels {
    pub speeding: Level,
    pub deviation: Level,
    pub overload: Level,
    pub no_trip: Level,
    /// A sign, inspection or insurance expiring within the warning days.
    pub expiry: Level,
    /// … and once it has expired (the bus may not run).
    pub expired: Level,
    pub driver: Level,
}

impl Default for BusLevels {
    fn default() -> Self {
        BusLevels {
            speeding: Level::Orange,
            deviation: Level::Yellow,
            overload: Level::Orange,
            no_trip: Level::Yellow,
            expiry: Level::Blue,
            expired: Level::Yellow,
            driver: Level::Yellow,
        }
    }
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            driver: Default::default(),
            attendant: Default::default(),
            permit: Default::default(),
            speed: Default::default(),
            deviation_metres: 300.0,
            deviation_seconds: 60,
            expiry_warning_days: 30,
            moving_kmh: 10.0,
            levels: Default::default(),
        }
    }
}

impl BusType {
    /// The most pupils a purpose-built bus of this type may be rated for (GB 24407-2012: 45
    /// for kindergarten buses, 56 for primary and primary-secondary ones).
    pub fn max_seats(self) -> Option<i64> {
        match self {
            BusType::Kindergarten => Some(45),
            BusType::Primary | BusType::PrimarySecondary => Some(56),
            BusType::Other => None,
        }
    }
}

/// A minor's name for lists: the first and last characters kept, the rest starred
/// (张*明, 李*; a single character becomes `*`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}
