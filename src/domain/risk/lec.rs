//! LEC: D = L × E × C — the value tables (exact, in tenths), the score in thousandths and
//! the configurable bands ("the edge belongs to the higher grade").

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Grade, LecBand, RiskError};

/// L, likelihood of an accident, in tenths (100 = 10, 5 = 0.5), with its label key.
pub const L_VALUES: &[(u32, &str)] = &[
    (100, "lec.l.10"),
    (60, "lec.l.6"),
    (30, "lec.l.3"),
    (10, "lec.l.1"),
    (5, "lec.l.0_5"),
    (2, "lec.l.0_2"),
    (1, "lec.l.0_1"),
];

/// E, frequency of exposure, in tenths, with its label key.
pub const E_VALUES: &[(u32, &str)] = &[
    (100, "lec.e.10"),
    (60, "lec.e.6"),
    (30, "lec.e.3"),
    (20, "lec.e.2"),
    (10, "lec.e.1"),
    (5, "lec.e.0_5"),
];

/// C, consequence, in tenths, with its label key.
pub const C_VALUES: &[(u32, &str)] = &[
    (1000, "lec.c.100"),
    (400, "lec.c.40"),
    (150, "lec.c.15"),
    (70, "lec.c.7"),
    (30, "lec.c.3"),
    (10, "lec.c.1"),
];

/// One of the three LEC factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Factor {
    L,
    E,
    C,
}

impl Factor {
    pub const ALL: [Factor; 3] = [Factor::L, Factor::E, Factor::C];

    /// The standard value table, highest first, in tenths.
    pub fn table(self) -> &'static [(u32, &'static str)] {
        match self {
            Factor::L => L_VALUES,
            Factor::E => E_VALUES,
            Factor::C => C_VALUES,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Factor::L => "L",
            Factor::E => "E",
            Factor::C => "C",
        }
    }

    /// The input field name (`l`, `e`, `c`).
    pub fn field(self) -> &'static str {
        match self {
            Factor::L => "l",
            Factor::E => "e",
            Factor::C => "c",
        }
    }

    fn error_key(self) -> &'static str {
        match self {
            Factor::L => "err.risk.l_value",
            Factor::E => "err.risk.e_value",
            Factor::C => "err.risk.c_value",
        }
    }

    /// The allowed values as text: `10, 6, 3, 1, 0.5, 0.2, 0.1`.
    pub fn allowed(self) -> String {
        self.table()
            .iter()
            .map(|(t, _)| Tenths(*t).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Formats integer tenths as a plain decimal: 100 → `10`, 5 → `0.5`.
struct Tenths(u32);

impl fmt::Display for Tenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % 10 {
            0 => write!(f, "{}", self.0 / 10),
            r => write!(f, "{}.{r}", self.0 / 10),
        }
    }
}

/// A value of one LEC factor's standard table; only table values can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LecValue {
    factor: Factor,
    tenths: u32,
}

impl LecValue {
    /// Accepts exactly the table values of `factor` (6, 6.0, 0.5 …); anything else — 4, 7 for
    /// L, NaN, negatives — is refused with the factor's error key and the allowed values.
    pub fn parse(factor: Factor, x: f64) -> Result<Self, RiskError> {
        let scaled = x * 10.0;
        let found = if x.is_finite() && x > 0.0 && (scaled - scaled.round()).abs() < 1e-6 {
            let t = scaled.round();
            if t <= u32::MAX as f64 {
                Self::from_tenths(factor, t as u32)
            } else {
                None
            }
        } else {
            None
        };
        found.ok_or_else(|| {
            RiskError::new(
                factor.error_key(),
                factor.field(),
                format!(
                    "{} = {x} is not a value of the LEC table; allowed: {}",
                    factor.as_str(),
                    factor.allowed()
                ),
            )
        })
    }

    /// The table value with this many tenths, if there is one.
    pub fn from_tenths(factor: Factor, tenths: u32) -> Option<Self> {
        factor
            .table()
            .iter()
            .any(|(t, _)| *t == tenths)
            .then_some(LecValue { factor, tenths })
    }

    /// Every value of a factor's table, highest first.
    pub fn all(factor: Factor) -> impl Iterator<Item = LecValue> {
        factor
            .table()
            .iter()
            .map(move |(t, _)| LecValue { factor, tenths: *t })
    }

    pub fn factor(self) -> Factor {
        self.factor
    }

    pub fn tenths(self) -> u32 {
        self.tenths
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.tenths) / 10.0
    }

    /// The label key of this value, e.g. `lec.l.0_5`.
    pub fn label_key(self) -> &'static str {
        self.factor
            .table()
            .iter()
            .find(|(t, _)| *t == self.tenths)
            .map(|(_, k)| *k)
            .unwrap_or("")
    }
}

impl fmt::Display for LecValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Tenths(self.tenths).fmt(f)
    }
}

/// An LEC score D, exact, as an integer number of thousandths (the product of three tenths).
/// Also the type of the band edges in [`LecBands`]. (De)serialises as a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LecScore(pub(super) u32);

impl LecScore {
    /// The largest score accepted as a band edge (D itself tops out at 10 × 10 × 100 = 10,000).
    pub const MAX: LecScore = LecScore(1_000_000_000);

    pub const fn from_milli(milli: u32) -> Self {
        LecScore(milli)
    }

    /// A whole number of D units: `LecScore::whole(320)`.
    pub const fn whole(d: u32) -> Self {
        LecScore(d * 1000)
    }

    /// A finite, non-negative number with at most three decimals, up to [`LecScore::MAX`].
    pub fn from_f64(x: f64) -> Option<Self> {
        let scaled = x * 1000.0;
        (x.is_finite()
            && x >= 0.0
            && scaled <= f64::from(Self::MAX.0)
            && (scaled - scaled.round()).abs() < 1e-6)
            .then(|| LecScore(scaled.round() as u32))
    }

    pub fn milli(self) -> u32 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 1000.0
    }
}

impl fmt::Display for LecScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Serialize for LecScore {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for LecScore {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let x = f64::deserialize(d)?;
        LecScore::from_f64(x).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "LEC score {x} must be a non-negative number with at most three decimals"
            ))
        })
    }
}

/// D = L × E × C, exact.
pub fn lec_score(l: LecValue, e: LecValue, c: LecValue) -> LecScore {
    debug_assert!(l.factor == Factor::L && e.factor == Factor::E && c.factor == Factor::C);
    LecScore(l.tenths * e.tenths * c.tenths)
}

/// A band edge: `{"above": 320}` (D > 320) or `{"from": 160}` (D ≥ 160).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The band starts strictly above the value.
    Above(LecScore),
    /// The band starts at the value (the edge belongs to this, the higher, band).
    From(LecScore),
}

impl Bound {
    pub fn value(self) -> LecScore {
        match self {
            Bound::Above(v) | Bound::From(v) => v,
        }
    }

    /// Whether `d` lies in the band this bound starts (or a higher one).
    pub fn admits(self, d: LecScore) -> bool {
        match self {
            Bound::Above(v) => d > v,
            Bound::From(v) => d >= v,
        }
    }
}

/// The LEC band edges (configuration). Each field is the lower edge of a band; below
/// `attention` lies the fifth band, "acceptable". Default, with the safer convention "the edge
/// belongs to the higher grade" (domain brief §1.3):
///
/// | D | raw band | grade |
/// |---|---|---|
/// | D > 320 | extreme | major |
/// | 160 ≤ D ≤ 320 | high | significant |
/// | 70 ≤ D < 160 | notable | general |
/// | 20 ≤ D < 70 | attention | low |
/// | D < 20 | acceptable | low |
///
/// With the standard tables D = 320 and D = 160 cannot occur; D = 70 and D = 20 do. As config
/// (TOML): `major = { above = 320 }`, `significant = { from = 160 }`, `general = { from = 70 }`,
/// `attention = { from = 20 }`; omitted edges keep their default; the edges must be positive
/// and strictly decreasing, or deserialising fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LecBandsSpec", into = "LecBandsSpec")]
pub struct LecBands {
    major: Bound,
    significant: Bound,
    general: Bound,
    attention: Bound,
}

/// The unchecked shape of [`LecBands`] in config.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LecBandsSpec {
    major: Bound,
    significant: Bound,
    general: Bound,
    attention: Bound,
}

impl Default for LecBandsSpec {
    fn default() -> Self {
        LecBandsSpec {
            major: Bound::Above(LecScore::whole(320)),
            significant: Bound::From(LecScore::whole(160)),
            general: Bound::From(LecScore::whole(70)),
            attention: Bound::From(LecScore::whole(20)),
        }
    }
}

impl TryFrom<LecBandsSpec> for LecBands {
    type Error = RiskError;
    fn try_from(s: LecBandsSpec) -> Result<Self, RiskError> {
        LecBands::new(s.major, s.significant, s.general, s.attention)
    }
}

impl From<LecBands> for LecBandsSpec {
    fn from(b: LecBands) -> Self {
        LecBandsSpec {
            major: b.major,
            significant: b.significant,
            general: b.general,
            attention: b.attention,
        }
    }
}

impl Default for LecBands {
    fn default() -> Self {
        let s = LecBandsSpec::default();
        LecBands {
            major: s.major,
            significant: s.significant,
            general: s.general,
            attention: s.attention,
        }
    }
}

impl LecBands {
    /// Checks that the edges are positive and strictly decreasing from `major` to `attention`.
    pub fn new(
        major: Bound,
        significant: Bound,
        general: Bound,
        attention: Bound,
    ) -> Result<Self, RiskError> {
        let v = [major, significant, general, attention].map(Bound::value);
        if v[3] == LecScore(0) || v.windows(2).any(|w| w[0] <= w[1]) {
            return Err(RiskError::new(
                "err.risk.lec_bands",
                "lec_bands",
                format!(
                    "LEC band edges must be positive and strictly decreasing \
                     (major > significant > general > attention); got {}, {}, {}, {}",
                    v[0], v[1], v[2], v[3]
                ),
            ));
        }
        Ok(LecBands {
            major,
            significant,
            general,
            attention,
        })
    }

    pub fn major(&self) -> Bound {
        self.major
    }

    pub fn significant(&self) -> Bound {
        self.significant
    }

    pub fn general(&self) -> Bound {
        self.general
    }

    pub fn attention(&self) -> Bound {
        self.attention
    }

    /// The classic five-band result, kept for audit.
    pub fn raw_band(&self, d: LecScore) -> LecBand {
        if self.major.admits(d) {
            LecBand::Extreme
        } else if self.significant.admits(d) {
            LecBand::High
        } else if self.general.admits(d) {
            LecBand::Notable
        } else if self.attention.admits(d) {
            LecBand::Attention
        } else {
            LecBand::Acceptable
        }
    }

    /// The grade of a score.
    pub fn grade(&self, d: LecScore) -> Grade {
        self.raw_band(d).grade()
    }
}
