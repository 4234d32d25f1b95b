//! LS (risk matrix): R = L × S, with the band sets A, B and C.

use super::{BandSet, Grade, RiskError};

/// Band set A (the most common in dual-prevention practice): (grade, lowest R, highest R).
pub const LS_BANDS_A: &[(Grade, u8, u8)] = &[
    (Grade::Major, 20, 25),
    (Grade::Significant, 15, 16),
    (Grade::General, 9, 12),
    (Grade::Low, 1, 8),
];

/// Band set B.
pub const LS_BANDS_B: &[(Grade, u8, u8)] = &[
    (Grade::Major, 20, 25),
    (Grade::Significant, 9, 16),
    (Grade::General, 4, 8),
    (Grade::Low, 1, 3),
];

/// Band set C.
pub const LS_BANDS_C: &[(Grade, u8, u8)] = &[
    (Grade::Major, 20, 25),
    (Grade::Significant, 10, 16),
    (Grade::General, 4, 9),
    (Grade::Low, 1, 3),
];

/// The lowest and highest L and S of the matrix.
pub const LS_MIN: u8 = 1;
pub const LS_MAX: u8 = 5;

impl BandSet {
    /// The band table, highest grade first: (grade, lowest R, highest R). The gaps in a table
    /// (13–14 and 17–19 in A) are products that L × S cannot give.
    pub fn ranges(self) -> &'static [(Grade, u8, u8)] {
        match self {
            BandSet::A => LS_BANDS_A,
            BandSet::B => LS_BANDS_B,
            BandSet::C => LS_BANDS_C,
        }
    }

    /// The grade of R: the highest band whose lowest R is ≤ `r` (for every R that L × S can
    /// give, exactly the band whose range contains it).
    pub fn grade(self, r: u8) -> Grade {
        self.ranges()
            .iter()
            .find(|(_, lo, _)| r >= *lo)
            .map(|(g, _, _)| *g)
            .unwrap_or(Grade::Low)
    }
}

/// Checks one risk-matrix input: a whole number 1–5.
pub fn ls_value(field: &'static str, v: u8) -> Result<u8, RiskError> {
    if (LS_MIN..=LS_MAX).contains(&v) {
        Ok(v)
    } else {
        Err(RiskError::new(
            "err.risk.ls_range",
            field,
            format!(
                "{} = {v} is out of range; the risk matrix allows whole numbers {LS_MIN} to {LS_MAX}",
                field.to_uppercase()
            ),
        ))
    }
}

/// R = L × S, each checked to be 1–5.
pub fn ls_score(l: u8, s: u8) -> Result<u8, RiskError> {
    Ok(ls_value("l", l)? * ls_value("s", s)?)
}
