//! The yearly safety work plan as data (安全工作要点, F-PLAN-1…3) and the compliance calendar's
//! pure rules. Pure: no I/O.
//!
//! - A plan belongs to a district and a year and holds numbered items (lead and co-operating
//!   departments); obligations hang on items: **who** ([`Who`]), what counts as **evidence**
//!   ([`Evidence`], optionally narrowed to a kind: a drill type, a training group, a meeting
//!   kind, an activity kind), how **often** ([`Frequency`]) and **how many**.
//! - [`PlanPeriod`]: the day, half-month, month, quarter, semester, year or duty period an
//!   obligation recurs in; an obligation of the plan of year `Y` covers the periods whose first
//!   day lies in `Y` (so `2026-S1`, September 2026 to January 2027, is the 2026 plan's).
//! - [`status`]: due, done, late or missed, from the evidence recorded for one org, obligation
//!   and period (never typed in).
//! - [`Target::applies`]: whether an obligation is an org's (the district; every school; every
//!   kindergarten; schools with buses; schools from a number of pupils; a named list).

use crate::code_enum;
use crate::domain::Code;

mod input;
mod period;
mod rules;

pub use input::*;
pub use period::*;
pub use rules::*;

code_enum!(
    /// Who an obligation binds.
    Who, "plan_who", {
        District = "district",
        Schools = "schools",
        Kindergartens = "kindergartens",
        BusSchools = "bus_schools",
        LargeSchools = "large_schools",
        Named = "named",
    }
);

code_enum!(
    /// What counts as evidence of an obligation.
    Evidence, "plan_evidence", {
        // A half-month hazard self-inspection (the inspections module).
        SelfInspection = "self_inspection",
        // A meeting of a kind ([`MeetingKind`]).
        Meeting = "meeting",
        // A drill held, of a type (`domain::drill::DrillKind`).
        Drill = "drill",
        // A training of a group ([`TrainingGroup`]).
        Training = "training",
        // An education activity of a kind ([`ActivityKind`]).
        Activity = "activity",
        // A concentrated governance action (集中治理行动): not recorded by the platform yet.
        Governance = "governance",
        // A daily (zero) report of a duty period (the duty module).
        ZeroReport = "zero_report",
        // A document (a filed paper): not recorded by the platform yet.
        Document = "document",
    }
);

code_enum!(
    /// How often an obligation recurs.
    Frequency, "plan_frequency", {
        Day = "day",
        HalfMonth = "half_month",
        Month = "month",
        Quarter = "quarter",
        Semester = "semester",
        Year = "year",
        // Every holiday duty period the school reports in (`count` reports a day).
        DutyPeriod = "duty_period",
    }
);

code_enum!(
    /// The kinds of meetings (F-EDU-3).
    MeetingKind, "meeting_kind", {
        // 区中小学（幼儿园）安全工作会议 (twice a year).
        DistrictSafety = "district_safety",
        // 属地安全工作分析会 (once a quarter).
        DistrictAnalysis = "district_analysis",
        // A school's monthly 安全形势分析会.
        SchoolAnalysis = "school_analysis",
    }
);

code_enum!(
    /// Who a training is for (F-EDU-1).
    TrainingGroup, "training_group", {
        Cadres = "cadres",
        Teachers = "teachers",
        Guards = "guards",
        BusDrivers = "bus_drivers",
        Attendants = "attendants",
        Cooks = "cooks",
        // Teachers and pupils together (师生, the fire training of item 8).
        TeachersPupils = "teachers_pupils",
    }
);

code_enum!(
    /// Education activities (F-EDU-2) on the key dates (domain brief §9.2) and campaigns.
    ActivityKind, "activity_kind", {
        // 开学第一课 (each semester).
        FirstLesson = "first_lesson",
        // 全国中小学生安全教育日 (last Monday of March).
        SafetyDay = "safety_day",
        // 5.12 全国防灾减灾日.
        DisasterDay = "disaster_day",
        // 11.9 消防安全日.
        FireDay = "fire_day",
        // 防溺水 education.
        Drowning = "drowning",
        // 防踩踏 education.
        Stampede = "stampede",
        // 家访, 家长会, 致家长一封信.
        ParentContact = "parent_contact",
        Other = "other",
    }
);

code_enum!(
    /// Where an obligation stands for one org and period.
    Status, "compliance_status", {
        // The period runs and the evidence is not complete yet.
        Due = "due",
        // Enough evidence, each recorded in time.
        Done = "done",
        // Enough evidence, some recorded after its time.
        Late = "late",
        // The period is over without enough evidence.
        Missed = "missed",
    }
);

/// Every translation key of the module's closed sets and errors (for the catalogue test).
pub fn catalogue_keys() -> Vec<String> {
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<Who>()
        .chain(labels::<Evidence>())
        .chain(labels::<Frequency>())
        .chain(labels::<MeetingKind>())
        .chain(labels::<TrainingGroup>())
        .chain(labels::<ActivityKind>())
        .chain(labels::<Status>())
        .chain(input::ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
