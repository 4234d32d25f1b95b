//! Emergency plans (应急预案, domain brief §8; F-EMG-1): types and forms, the lifecycle from
//! draft to superseded, the reviewer conflict-of-interest rule, the filing and evaluation
//! deadlines, and whether a school's red and orange risk points are covered by a plan. Pure.
//!
//! ```text
//! draft ─submit_review→ under_review (assign_reviewer, review) ─approve→ approved
//!   under_review ─request_revision→ revising ─submit_review→ under_review
//! approved ─publish→ published ─file→ in_force ─start_evaluation→ under_evaluation (review)
//!   under_evaluation ─approve→ in_force (evaluated, unchanged)
//! published | filed | in_force | under_evaluation ─supersede→ superseded
//! draft | revising ─discard→ discarded (a version given up before it was approved)
//! ```
//!
//! - [`apply`]: one action on a plan's status, refused with [`PlanError::IllegalStep`] (409)
//!   when the table ([`target`]) has no such step, or [`PlanError::NotReady`] (409) when its
//!   guard fails (a review needs a reviewer, an approval or a revision request needs a review).
//! - [`check_reviewer`]: a reviewer from the plan's own organisation, its author, or one
//!   already assigned is refused, with the reason.
//! - [`filing_status`]: filed within 20 working days of publication ([`WorkingCalendar`]);
//!   [`evaluation_due`]: 3 years after publication (or the last evaluation), or at once when a
//!   drill or an incident showed a defect.
//! - [`uncovered`]: the red and orange risk points no topic plan or on-site procedure of a
//!   matching type covers ([`CoverageConfig`], the accident type → plan type table).
//! - [`exercised_plans`]: the plans a drill practised (by its kind), which its "plan needs
//!   revision" flag makes due for evaluation at once.
//!
//! [`WorkingCalendar`]: crate::domain::calendar::WorkingCalendar

use crate::code_enum;
use crate::domain::Code;
use serde::{Deserialize, Serialize};

mod coverage;
mod dates;
mod exercised;
mod lifecycle;
mod review;

pub use coverage::*;
pub use dates::*;
pub use exercised::*;
pub use lifecycle::*;
pub use review::*;

code_enum!(
    /// What a plan is for (F-EMG-1).
    PlanType, "plan_type", {
        Fire = "fire",
        Earthquake = "earthquake",
        Stampede = "stampede",
        Drowning = "drowning",
        FoodPoisoning = "food_poisoning",
        PublicHealth = "public_health",
        Violence = "violence",
        BusAccident = "bus_accident",
        ExtremeWeather = "extreme_weather",
        Gas = "gas",
        Electrical = "electrical",
        Other = "other",
    }
);

code_enum!(
    /// The form of a plan (生产安全事故应急预案管理办法): the comprehensive plan (综合应急预案),
    /// a topic plan (专项应急预案), an on-site procedure (现场处置方案) or a pocket card
    /// (应急处置卡).
    PlanForm, "plan_form", {
        Comprehensive = "comprehensive",
        Topic = "topic",
        OnSite = "on_site",
        PocketCard = "pocket_card",
    }
);

code_enum!(
    /// Where a plan stands (see the module's diagram). `filed` is never the result of a step:
    /// filing records the 备案 receipt and puts the plan in force at once; a plan stored as
    /// `filed` (carried over with its filing as the start of its history) is treated as in
    /// force.
    PlanStatus, "plan_status", {
        Draft = "draft",
        UnderReview = "under_review",
        Revising = "revising",
        Approved = "approved",
        Published = "published",
        Filed = "filed",
        InForce = "in_force",
        UnderEvaluation = "under_evaluation",
        Superseded = "superseded",
        Discarded = "discarded",
    }
);

code_enum!(
    /// A step of a plan's lifecycle, its wire code being the `action` of the API body.
    PlanAction, "plan_action", {
        SubmitReview = "submit_review",
        AssignReviewer = "assign_reviewer",
        Review = "review",
        RequestRevision = "request_revision",
        Approve = "approve",
        Publish = "publish",
        File = "file",
        StartEvaluation = "start_evaluation",
        Supersede = "supersede",
        Discard = "discard",
    }
);

impl PlanStatus {
    /// The plan is the one that applies: filed, in force, or in force while being evaluated.
    /// (A published plan not yet filed is signed but waits for its filing.)
    pub fn is_in_force(self) -> bool {
        matches!(
            self,
            PlanStatus::Filed | PlanStatus::InForce | PlanStatus::UnderEvaluation
        )
    }

    /// Superseded or discarded: no step leads anywhere from here.
    pub fn is_final(self) -> bool {
        matches!(self, PlanStatus::Superseded | PlanStatus::Discarded)
    }
}

/// The plan rules (configuration). Defaults (domain brief §8): filed within 20 working days of
/// publication, evaluated at least every 3 years; coverage as [`CoverageConfig`] says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanConfig {
    pub filing_working_days: u32,
    pub evaluation_years: u32,
    pub coverage: CoverageConfig,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig {
            filing_working_days: 20,
            evaluation_years: 3,
            coverage: CoverageConfig::default(),
        }
    }
}

/// Why a plan step or a reviewer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The action is not possible from this status: HTTP 409.
    #[error("'{action}' is not possible while the plan is '{from}'")]
    IllegalStep {
        from: PlanStatus,
        action: PlanAction,
    },
    /// The action is possible from this status but not yet (its guard): HTTP 409.
    #[error("'{action}' is not possible yet: {key}")]
    NotReady {
        action: PlanAction,
        key: &'static str,
    },
    /// A field is wrong, e.g. a reviewer refused for a conflict of interest: HTTP 422.
    #[error("{field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
}

impl PlanError {
    pub fn key(&self) -> &'static str {
        match self {
            PlanError::IllegalStep { .. } => lifecycle::ILLEGAL_STEP,
            PlanError::NotReady { key, .. } | PlanError::Invalid { key, .. } => key,
        }
    }
}

/// Every error key of this module.
pub const ERROR_KEYS: &[&str] = &[
    lifecycle::ILLEGAL_STEP,
    lifecycle::NO_REVIEWER,
    lifecycle::NO_REVIEW,
    lifecycle::REVIEWER_OWN_ORG,
    lifecycle::REVIEWER_IS_AUTHOR,
    lifecycle::REVIEWER_TWICE,
];

/// Every translation key this module needs: its closed sets and error keys.
pub fn catalogue_keys() -> Vec<String> {
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<PlanType>()
        .chain(labels::<PlanForm>())
        .chain(labels::<PlanStatus>())
        .chain(labels::<PlanAction>())
        .chain(labels::<FilingStatus>())
        .chain(labels::<ReviewConclusion>())
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
