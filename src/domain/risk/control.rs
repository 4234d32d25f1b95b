//! Control levels by grade and review intervals: configuration with defaults from domain.md.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ControlLevel, Grade, RiskError};

// ---------------------------------------------------------------------------------------------
// Control levels
// ---------------------------------------------------------------------------------------------

/// Which level controls a risk of each grade (configuration). Default (domain brief §1.6,
/// a proposal for the district): major → bureau (with the school, see
/// [`ControlLevel::and_below`]), significant → school, general → department, low → post.
/// A higher grade must never get a lower level; deserialising checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ControlLevelsSpec", into = "ControlLevelsSpec")]
pub struct ControlLevels {
    major: ControlLevel,
    significant: ControlLevel,
    general: ControlLevel,
    low: ControlLevel,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ControlLevelsSpec {
    major: ControlLevel,
    significant: ControlLevel,
    general: ControlLevel,
    low: ControlLevel,
}

impl Default for ControlLevelsSpec {
    fn default() -> Self {
        ControlLevelsSpec {
            major: ControlLevel::Bureau,
            significant: ControlLevel::School,
            general: ControlLevel::Department,
            low: ControlLevel::Post,
        }
    }
}

impl TryFrom<ControlLevelsSpec> for ControlLevels {
    type Error = RiskError;
    fn try_from(s: ControlLevelsSpec) -> Result<Self, RiskError> {
        ControlLevels::new(s.major, s.significant, s.general, s.low)
    }
}

impl From<ControlLevels> for ControlLevelsSpec {
    fn from(c: ControlLevels) -> Self {
        ControlLevelsSpec {
            major: c.major,
            significant: c.significant,
            general: c.general,
            low: c.low,
        }
    }
}

impl Default for ControlLevels {
    fn default() -> Self {
        let s = ControlLevelsSpec::default();
        ControlLevels {
            major: s.major,
            significant: s.significant,
            general: s.general,
            low: s.low,
        }
    }
}

impl ControlLevels {
    /// Checks that a higher grade is controlled at the same or a higher level.
    pub fn new(
        major: ControlLevel,
        significant: ControlLevel,
        general: ControlLevel,
        low: ControlLevel,
    ) -> Result<Self, RiskError> {
        let v = [major, significant, general, low];
        if v.windows(2).any(|w| w[0].rank() < w[1].rank()) {
            return Err(RiskError::new(
                "err.risk.control_levels",
                "control_levels",
                format!(
                    "a higher grade must be controlled at the same or a higher level; \
                     got major {major}, significant {significant}, general {general}, low {low}"
                ),
            ));
        }
        Ok(ControlLevels {
            major,
            significant,
            general,
            low,
        })
    }

    pub fn level(&self, g: Grade) -> ControlLevel {
        match g {
            Grade::Major => self.major,
            Grade::Significant => self.significant,
            Grade::General => self.general,
            Grade::Low => self.low,
        }
    }
}

/// The default control level of a grade (the [`ControlLevels`] default table).
pub fn default_control_level(g: Grade) -> ControlLevel {
    ControlLevels::default().level(g)
}

// ---------------------------------------------------------------------------------------------
// Review intervals
// ---------------------------------------------------------------------------------------------

/// Days from an assessment to the next re-assessment, per grade (configuration).
///
/// The defaults — major 30, significant 90, general 180, low 365 days — are **proposals** to be
/// confirmed with the bureau and set in config; no source fixes them. Re-assessment on any change
/// (new building, activity, accident, rule) and the per-semester re-identification (§1.8) come
/// on top. Each interval is 1–3650 days and a higher grade is never reviewed less often than a
/// lower one; deserialising checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ReviewPolicySpec", into = "ReviewPolicySpec")]
pub struct ReviewPolicy {
    major_days: u32,
    significant_days: u32,
    general_days: u32,
    low_days: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReviewPolicySpec {
    major_days: u32,
    significant_days: u32,
    general_days: u32,
    low_days: u32,
}

impl Default for ReviewPolicySpec {
    fn default() -> Self {
        ReviewPolicySpec {
            major_days: 30,
            significant_days: 90,
            general_days: 180,
            low_days: 365,
        }
    }
}

impl TryFrom<ReviewPolicySpec> for ReviewPolicy {
    type Error = RiskError;
    fn try_from(s: ReviewPolicySpec) -> Result<Self, RiskError> {
        ReviewPolicy::new(s.major_days, s.significant_days, s.general_days, s.low_days)
    }
}

impl From<ReviewPolicy> for ReviewPolicySpec {
    fn from(p: ReviewPolicy) -> Self {
        ReviewPolicySpec {
            major_days: p.major_days,
            significant_days: p.significant_days,
            general_days: p.general_days,
            low_days: p.low_days,
        }
    }
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        let s = ReviewPolicySpec::default();
        ReviewPolicy {
            major_days: s.major_days,
            significant_days: s.significant_days,
            general_days: s.general_days,
            low_days: s.low_days,
        }
    }
}

impl ReviewPolicy {
    /// The longest interval accepted (about ten years).
    pub const MAX_DAYS: u32 = 3650;

    pub fn new(
        major_days: u32,
        significant_days: u32,
        general_days: u32,
        low_days: u32,
    ) -> Result<Self, RiskError> {
        let v = [major_days, significant_days, general_days, low_days];
        if v.iter().any(|d| !(1..=Self::MAX_DAYS).contains(d)) || v.windows(2).any(|w| w[0] > w[1])
        {
            return Err(RiskError::new(
                "err.risk.review_days",
                "review_days",
                format!(
                    "review intervals must be 1 to {} days, a higher grade no longer than a \
                     lower one; got major {major_days}, significant {significant_days}, \
                     general {general_days}, low {low_days}",
                    Self::MAX_DAYS
                ),
            ));
        }
        Ok(ReviewPolicy {
            major_days,
            significant_days,
            general_days,
            low_days,
        })
    }

    pub fn days(&self, g: Grade) -> u32 {
        match g {
            Grade::Major => self.major_days,
            Grade::Significant => self.significant_days,
            Grade::General => self.general_days,
            Grade::Low => self.low_days,
        }
    }

    /// The date the next re-assessment is due (saturating at the last representable date).
    pub fn next_review(&self, assessed_on: NaiveDate, g: Grade) -> NaiveDate {
        assessed_on
            .checked_add_days(chrono::Days::new(u64::from(self.days(g))))
            .unwrap_or(NaiveDate::MAX)
    }
}

/// Overdue once the due date has passed: due today is not yet overdue.
pub fn is_overdue(next_review: NaiveDate, today: NaiveDate) -> bool {
    today > next_review
}
