//! Signs and trips: the sign's validity (never past the vehicle's inspection, Art. 16–19),
//! a trip's lifecycle, the driver's pre-trip check (§4.7), and why a trip may not start —
//! every refusal named, so the attendant can say why the bus stays.

use super::VehicleStatus;
use super::eligibility::AttendantRules;
use crate::code_enum;
use chrono::NaiveDate;

code_enum!(
    /// Where a trip stands.
    TripStatus, "bus_trip_status", {
        Planned = "planned",
        Checked = "checked",
        Running = "running",
        Finished = "finished",
    }
);

code_enum!(
    /// A step of a trip (`POST /bus-trips/{id}/actions`).
    TripAction, "bus_trip_action", {
        Check = "check",
        Board = "board",
        Start = "start",
        Alight = "alight",
        Finish = "finish",
    }
);

code_enum!(
    /// What the driver checks before a trip.
    CheckItem, "bus_check_item", {
        Brakes = "brakes",
        Steering = "steering",
        Lights = "lights",
        Tyres = "tyres",
        EmergencyDoor = "emergency_door",
        Seats = "seats",
        Belts = "belts",
    }
);

code_enum!(
    /// Why a trip may not start.
    Refusal, "bus_trip_refusal", {
        VehicleNotInService = "vehicle_not_in_service",
        NoSign = "no_sign",
        SignExpired = "sign_expired",
        InspectionExpired = "inspection_expired",
        InsuranceExpired = "insurance_expired",
        CheckMissing = "check_missing",
        CheckFailed = "check_failed",
        DriverIneligible = "driver_ineligible",
        DriverNotOnSign = "driver_not_on_sign",
        NoAttendant = "no_attendant",
        TooFewAttendants = "too_few_attendants",
        AttendantIneligible = "attendant_ineligible",
        Overload = "overload",
    }
);

/// Why a sign cannot be issued for its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignError {
    /// The vehicle's inspection has run out before the sign would start.
    InspectionExpired,
    /// The end is before the start.
    EndsBeforeStart,
}

/// The sign's last valid day: the one asked for (or the inspection's validity when none is
/// asked), never later than the vehicle's inspection validity.
pub fn sign_until(
    valid_from: NaiveDate,
    asked: Option<NaiveDate>,
    inspection_until: NaiveDate,
) -> Result<NaiveDate, SignError> {
    if inspection_until < valid_from {
        return Err(SignError::InspectionExpired);
    }
    let until = asked.map_or(inspection_until, |a| a.min(inspection_until));
    if until < valid_from {
        return Err(SignError::EndsBeforeStart);
    }
    Ok(until)
}

/// What the start of a trip is checked against.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TripFacts {
    pub today: Option<NaiveDate>,
    pub vehicle_status: Option<VehicleStatus>,
    /// The vehicle's valid sign: its last day and its drivers (person ids).
    pub sign: Option<(NaiveDate, Vec<i64>)>,
    pub inspection_until: Option<NaiveDate>,
    pub insurance_until: Option<NaiveDate>,
    /// The pre-trip check: none recorded, or whether every item passed.
    pub check_passed: Option<bool>,
    pub driver_person: i64,
    pub driver_eligible: bool,
    /// Each attendant's eligibility.
    pub attendants: Vec<bool>,
    pub boarded: i64,
    pub seats: i64,
}

/// Every reason a trip may not start, in a fixed order; empty: it may.
pub fn refusals(f: &TripFacts, rules: &AttendantRules) -> Vec<Refusal> {
    let today = f.today.unwrap_or(NaiveDate::MIN);
    let mut out = Vec::new();
    if f.vehicle_status != Some(VehicleStatus::InService) {
        out.push(Refusal::VehicleNotInService);
    }
    match &f.sign {
        None => out.push(Refusal::NoSign),
        Some((until, _)) if *until < today => out.push(Refusal::SignExpired),
        Some(_) => {}
    }
    if f.inspection_until.is_none_or(|d| d < today) {
        out.push(Refusal::InspectionExpired);
    }
    if f.insurance_until.is_none_or(|d| d < today) {
        out.push(Refusal::InsuranceExpired);
    }
    match f.check_passed {
        None => out.push(Refusal::CheckMissing),
        Some(false) => out.push(Refusal::CheckFailed),
        Some(true) => {}
    }
    if !f.driver_eligible {
        out.push(Refusal::DriverIneligible);
    }
    if let Some((_, drivers)) = &f.sign
        && !drivers.contains(&f.driver_person)
    {
        out.push(Refusal::DriverNotOnSign);
    }
    let needed = rules.needed(f.boarded);
    if f.attendants.is_empty() {
        out.push(Refusal::NoAttendant);
    } else if f.attendants.len() < needed {
        out.push(Refusal::TooFewAttendants);
    }
    if f.attendants.iter().any(|ok| !ok) {
        out.push(Refusal::AttendantIneligible);
    }
    if f.boarded > f.seats {
        out.push(Refusal::Overload);
    }
    out
}

/// Whether `action` follows from `status`, and the status after it. Boarding counts may be
/// recorded before the start (and corrected); alighting while running or at the end.
pub fn next(status: TripStatus, action: TripAction) -> Option<TripStatus> {
    use TripAction as A;
    use TripStatus as S;
    match (status, action) {
        (S::Planned | S::Checked, A::Check) => Some(S::Checked),
        (S::Planned | S::Checked, A::Board) => Some(status),
        (S::Running, A::Board) => Some(S::Running),
        (S::Planned | S::Checked, A::Start) => Some(S::Running),
        (S::Running, A::Alight) => Some(S::Running),
        (S::Running, A::Finish) => Some(S::Finished),
        _ => None,
    }
}
