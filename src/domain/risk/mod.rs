//! Risk grading (风险分级): LEC, risk matrix (LS) and direct judgement.
//!
//! Pure rules (domain brief §1.2–1.6): the value tables and band tables are data, the LEC band
//! edges, the grade → control-level table and the review intervals are configuration with
//! validated defaults. Everything the platform shows as a grade comes out of [`evaluate`].
//!
//! Exactness: LEC factors are kept as integer tenths (0.1 → 1, 10 → 100), so a score D is an
//! integer number of thousandths ([`LecScore`]) and every comparison with a band edge is exact.
//!
//! Ordering: [`Grade`] and [`ControlLevel`] are declared from the lowest to the highest, so the
//! derived `Ord` agrees with their `rank()`; code that compares grades should still say
//! `rank()` (or use [`max_grade`]) so the intent is visible. For display (legends, roll-up
//! columns) use `Grade::DESCENDING` / `ControlLevel::DESCENDING`.

mod codes;
mod control;
mod lec;
mod ls;

pub use codes::*;
pub use control::*;
pub use lec::*;
pub use ls::*;

use crate::domain::Code;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why an assessment input or a risk configuration was refused: a translation key for the user,
/// the input field it concerns, and an English detail naming the allowed values (for logs, the
/// API `message` when no translation applies, and config errors at start-up).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct RiskError {
    /// A key of [`ERROR_KEYS`].
    pub key: &'static str,
    /// The input field: `l`, `e`, `c`, `s`, `reason`, or the config section.
    pub field: &'static str,
    pub detail: String,
}

impl RiskError {
    fn new(key: &'static str, field: &'static str, detail: String) -> Self {
        RiskError { key, field, detail }
    }
}

/// Every error key this module produces.
pub const ERROR_KEYS: &[&str] = &[
    "err.risk.l_value",
    "err.risk.e_value",
    "err.risk.c_value",
    "err.risk.ls_range",
    "err.risk.reason_required",
    "err.risk.reason_too_long",
    "err.risk.lec_bands",
    "err.risk.control_levels",
    "err.risk.review_days",
];

/// Every translation key this module needs: the labels of its enums, of the LEC table values,
/// and its error keys (for the catalogue-completeness test).
pub fn catalogue_keys() -> Vec<String> {
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<Aspect>()
        .chain(labels::<Grade>())
        .chain(labels::<Color>())
        .chain(labels::<Method>())
        .chain(labels::<ControlLevel>())
        .chain(labels::<PointType>())
        .chain(labels::<MeasureType>())
        .chain(labels::<CheckFrequency>())
        .chain(labels::<BandSet>())
        .chain(labels::<LecBand>())
        .chain(
            [L_VALUES, E_VALUES, C_VALUES]
                .into_iter()
                .flatten()
                .map(|(_, k)| k.to_string()),
        )
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Direct judgement
// ---------------------------------------------------------------------------------------------

/// The longest reason for a direct judgement, in characters.
pub const REASON_MAX_CHARS: usize = 500;

/// Checks the reason of a direct judgement and returns it trimmed (store the trimmed text):
/// not empty or blank, at most [`REASON_MAX_CHARS`] characters.
pub fn check_reason(reason: &str) -> Result<&str, RiskError> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(RiskError::new(
            "err.risk.reason_required",
            "reason",
            "a direct judgement needs a reason".into(),
        ));
    }
    let n = r.chars().count();
    if n > REASON_MAX_CHARS {
        return Err(RiskError::new(
            "err.risk.reason_too_long",
            "reason",
            format!("the reason has {n} characters; at most {REASON_MAX_CHARS} are allowed"),
        ));
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// The entry point
// ---------------------------------------------------------------------------------------------

/// An assessment as the API and the forms send it:
/// `{"method":"LEC","l":6,"e":6,"c":7}`, `{"method":"LS","l":4,"s":4}` (`band_set` optional,
/// default `A`) or `{"method":"DIRECT","grade":"major","reason":"…"}`. Unknown fields are
/// refused. Values are checked by [`evaluate`], not by deserialising.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", deny_unknown_fields)]
pub enum AssessmentInput {
    #[serde(rename = "LEC")]
    Lec { l: f64, e: f64, c: f64 },
    #[serde(rename = "LS")]
    Ls {
        l: u8,
        s: u8,
        #[serde(default)]
        band_set: BandSet,
    },
    #[serde(rename = "DIRECT")]
    Direct { grade: Grade, reason: String },
}

impl AssessmentInput {
    pub fn method(&self) -> Method {
        match self {
            AssessmentInput::Lec { .. } => Method::Lec,
            AssessmentInput::Ls { .. } => Method::Ls,
            AssessmentInput::Direct { .. } => Method::Direct,
        }
    }
}

/// The result of an assessment. `score` is D for LEC, R for LS and `None` for a direct
/// judgement; `raw_band` is the five-band LEC result (a [`LecBand`] code) and `None` otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub method: Method,
    pub score: Option<f64>,
    pub grade: Grade,
    pub color: Color,
    pub raw_band: Option<String>,
}

/// Checks and grades an assessment. LEC factors must be table values, LS factors 1–5, and a
/// direct judgement needs a reason; the first problem found is returned.
pub fn evaluate(input: &AssessmentInput, bands: &LecBands) -> Result<Evaluation, RiskError> {
    let (score, grade, raw_band) = match input {
        AssessmentInput::Lec { l, e, c } => {
            let l = LecValue::parse(Factor::L, *l)?;
            let e = LecValue::parse(Factor::E, *e)?;
            let c = LecValue::parse(Factor::C, *c)?;
            let d = lec_score(l, e, c);
            let band = bands.raw_band(d);
            (
                Some(d.as_f64()),
                band.grade(),
                Some(band.as_str().to_string()),
            )
        }
        AssessmentInput::Ls { l, s, band_set } => {
            let r = ls_score(*l, *s)?;
            (Some(f64::from(r)), band_set.grade(r), None)
        }
        AssessmentInput::Direct { grade, reason } => {
            check_reason(reason)?;
            (None, *grade, None)
        }
    };
    Ok(Evaluation {
        method: input.method(),
        score,
        grade,
        color: grade.color(),
        raw_band,
    })
}

#[cfg(test)]
mod tests;
