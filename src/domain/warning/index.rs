//! The school risk index (校园风险指数): one number 0–100, higher is riskier, from five parts the
//! caller counts — the graded risk points, open hazards, overdue hazards, missed checks and
//! open warnings.

use super::Level;
use serde::{Deserialize, Serialize};

/// How much each part counts. The weights need not add up to 100: the index is their weighted
/// mean. A negative or non-numeric weight counts as 0; all zero gives an index of 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndexWeights {
    pub grades: f64,
    pub hazards: f64,
    pub overdue: f64,
    pub missed_checks: f64,
    pub warnings: f64,
}

impl Default for IndexWeights {
    /// The register's grades 30, open hazards 20, overdue hazards 20, missed checks 10, open
    /// warnings 20.
    fn default() -> Self {
        IndexWeights {
            grades: 30.0,
            hazards: 20.0,
            overdue: 20.0,
            missed_checks: 10.0,
            warnings: 20.0,
        }
    }
}

/// The counts of one school the index is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndexInputs {
    /// Risk points in use, and how many of them are graded red (重大), orange (较大) and
    /// yellow (一般); the rest are blue (低).
    pub points: u32,
    pub red_points: u32,
    pub orange_points: u32,
    pub yellow_points: u32,
    /// Hazards not closed or cancelled, and how many of them are major.
    pub open_hazards: u32,
    pub major_open_hazards: u32,
    /// Hazards past their deadline.
    pub overdue_hazards: u32,
    /// Checks (inspections, zero reports) missed, out of the checks due in the period.
    pub missed_checks: u32,
    pub checks_due: u32,
    /// Open warnings by level.
    pub open_red_warnings: u32,
    pub open_orange_warnings: u32,
    pub open_yellow_warnings: u32,
    pub open_blue_warnings: u32,
}

/// Each part of the index, 0–100 before weighting, rounded to 0.1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IndexParts {
    pub grades: f64,
    pub hazards: f64,
    pub overdue: f64,
    pub missed_checks: f64,
    pub warnings: f64,
}

/// Graded-point weights: a red point counts 4, orange 2, yellow 1, blue 0.
pub const GRADE_POINTS: (f64, f64, f64) = (4.0, 2.0, 1.0);
/// Open hazards saturate at 10 (a major one counts 3: once as open, twice more as major).
pub const HAZARDS_FULL: f64 = 10.0;
/// Overdue hazards saturate at 3: even a few overdue hazards mean the loop is not closing.
pub const OVERDUE_FULL: f64 = 3.0;
/// Open-warning weights (red 50, orange 25, yellow 10, blue 3), saturating at 100: two open
/// red warnings fill the part.
pub const WARNING_POINTS: (f64, f64, f64, f64) = (50.0, 25.0, 10.0, 3.0);
/// The index at or above which the school's level is red, orange, yellow (else blue).
pub const INDEX_LEVELS: (u8, u8, u8) = (75, 50, 25);

/// The school risk index, its level and its parts. Each part saturates at 100:
///
/// - grades = 100 · min(1, (4·red + 2·orange + yellow) / max(points, red + orange + yellow,
///   1)): the mean grade weight of the points in use; full when the points average a yellow
///   (e.g. one in four red, the rest blue). Counting the graded points in the base keeps the
///   part from falling when inconsistent counts grade more points than are in use;
/// - hazards = 100 · min(1, (open + 2·major) / 10);
/// - overdue = 100 · min(1, overdue / 3);
/// - missed_checks = 100 · min(1, missed / max(due, 1));
/// - warnings = 100 · min(1, (50·red + 25·orange + 10·yellow + 3·blue) / 100).
///
/// The index is the weighted mean of the parts as shown (rounded to 0.1), rounded to an
/// integer; level red from 75, orange from 50, yellow from 25, else blue. More of any count
/// never lowers it, except the two bases (`points`, `checks_due`): the same graded points among
/// more points, or the same missed checks out of more, are a smaller share.
pub fn risk_index(inputs: &IndexInputs, w: &IndexWeights) -> (u8, Level, IndexParts) {
    let f = |n: u32| f64::from(n);
    let part = |x: f64| round1(100.0 * x.clamp(0.0, 1.0));
    let i = inputs;
    let (gr, go, gy) = GRADE_POINTS;
    let graded = f(i.red_points) + f(i.orange_points) + f(i.yellow_points);
    let (wr, wo, wy, wb) = WARNING_POINTS;
    let parts = IndexParts {
        grades: part(
            (gr * f(i.red_points) + go * f(i.orange_points) + gy * f(i.yellow_points))
                / f(i.points).max(graded).max(1.0),
        ),
        hazards: part((f(i.open_hazards) + 2.0 * f(i.major_open_hazards)) / HAZARDS_FULL),
        overdue: part(f(i.overdue_hazards) / OVERDUE_FULL),
        missed_checks: part(f(i.missed_checks) / f(i.checks_due).max(1.0)),
        warnings: part(
            (wr * f(i.open_red_warnings)
                + wo * f(i.open_orange_warnings)
                + wy * f(i.open_yellow_warnings)
                + wb * f(i.open_blue_warnings))
                / 100.0,
        ),
    };
    let weighted = [
        (w.grades, parts.grades),
        (w.hazards, parts.hazards),
        (w.overdue, parts.overdue),
        (w.missed_checks, parts.missed_checks),
        (w.warnings, parts.warnings),
    ];
    let usable = |x: f64| if x.is_finite() && x > 0.0 { x } else { 0.0 };
    // Scaled by the largest weight so that huge weights cannot overflow the sums.
    let largest = weighted.iter().map(|(w, _)| usable(*w)).fold(0.0, f64::max);
    let index = if largest > 0.0 {
        let weight = |x: f64| usable(x) / largest;
        let total: f64 = weighted.iter().map(|(w, _)| weight(*w)).sum();
        let sum: f64 = weighted.iter().map(|(w, p)| weight(*w) * p).sum();
        (sum / total).round().clamp(0.0, 100.0) as u8
    } else {
        0
    };
    (index, index_level(index), parts)
}

/// The level of an index value: red from 75, orange from 50, yellow from 25, else blue.
pub fn index_level(index: u8) -> Level {
    let (red, orange, yellow) = INDEX_LEVELS;
    match index {
        i if i >= red => Level::Red,
        i if i >= orange => Level::Orange,
        i if i >= yellow => Level::Yellow,
        _ => Level::Blue,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
