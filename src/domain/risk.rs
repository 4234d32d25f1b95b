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

use crate::code_enum;
use crate::domain::Code;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

code_enum!(
    /// The four elements 人·物·管·环 a hazard factor belongs to.
    Aspect, "risk_aspect", {
        People = "people",
        Things = "things",
        Management = "management",
        Environment = "environment",
    }
);

code_enum!(
    /// The four risk grades 重大/较大/一般/低. Declared lowest first, so `low < general <
    /// significant < major` both by `rank()` and by the derived `Ord`.
    Grade, "risk_grade", {
        Low = "low",
        General = "general",
        Significant = "significant",
        Major = "major",
    }
);

code_enum!(
    /// The four-colour scheme 红橙黄蓝.
    Color, "risk_color", {
        Red = "red",
        Orange = "orange",
        Yellow = "yellow",
        Blue = "blue",
    }
);

code_enum!(
    /// How an assessment was made.
    Method, "risk_method", {
        Lec = "LEC",
        Ls = "LS",
        Direct = "DIRECT",
    }
);

code_enum!(
    /// Who controls a risk (管控层级). Declared lowest first, so the derived `Ord` agrees with
    /// `rank()`.
    ControlLevel, "control_level", {
        Post = "post",
        Group = "group",
        Department = "department",
        School = "school",
        Bureau = "bureau",
    }
);

code_enum!(
    /// A risk point is a facility/place/area (static) or an activity (dynamic).
    PointType, "risk_point_type", {
        Facility = "facility",
        Activity = "activity",
    }
);

code_enum!(
    /// The five kinds of control measure.
    MeasureType, "measure_type", {
        Management = "management",
        Emergency = "emergency",
        Engineering = "engineering",
        Training = "training",
        Ppe = "ppe",
    }
);

code_enum!(
    /// How often a check item is checked.
    CheckFrequency, "check_frequency", {
        Daily = "daily",
        Weekly = "weekly",
        HalfMonth = "half_month",
        Monthly = "monthly",
        Semester = "semester",
        Yearly = "yearly",
    }
);

code_enum!(
    /// The risk-matrix band set (R → grade), see [`BandSet::ranges`]. `A` is the default.
    BandSet, "ls_band_set", {
        A = "A",
        B = "B",
        C = "C",
    }
);

code_enum!(
    /// The classic five LEC bands (Graham–Kinney), kept with every LEC assessment for audit.
    /// The two lowest both display as [`Grade::Low`].
    LecBand, "lec_band", {
        Acceptable = "acceptable",
        Attention = "attention",
        Notable = "notable",
        High = "high",
        Extreme = "extreme",
    }
);

impl Grade {
    /// Highest first: for legends, roll-up columns and cards.
    pub const DESCENDING: [Grade; 4] =
        [Grade::Major, Grade::Significant, Grade::General, Grade::Low];

    /// 1 (low) … 4 (major): a higher grade has a greater rank.
    pub fn rank(self) -> u8 {
        match self {
            Grade::Low => 1,
            Grade::General => 2,
            Grade::Significant => 3,
            Grade::Major => 4,
        }
    }

    pub fn color(self) -> Color {
        match self {
            Grade::Major => Color::Red,
            Grade::Significant => Color::Orange,
            Grade::General => Color::Yellow,
            Grade::Low => Color::Blue,
        }
    }
}

impl Color {
    /// The grade shown in this colour.
    pub fn grade(self) -> Grade {
        match self {
            Color::Red => Grade::Major,
            Color::Orange => Grade::Significant,
            Color::Yellow => Grade::General,
            Color::Blue => Grade::Low,
        }
    }

    /// The fill colour for maps, badges and cards.
    pub fn hex(self) -> &'static str {
        match self {
            Color::Red => "#E53935",
            Color::Orange => "#FB8C00",
            Color::Yellow => "#FDD835",
            Color::Blue => "#1E88E5",
        }
    }

    /// A text colour readable on [`Color::hex`]: the one of black and white with the higher
    /// WCAG 2 contrast. That is black on all four (red 5.0:1, orange 8.9:1, yellow 15:1, blue
    /// 5.7:1); white would reach only 4.2:1 on the red and 3.7:1 on the blue, below the 4.5:1
    /// needed for body text.
    pub fn ink(self) -> &'static str {
        match self {
            Color::Red | Color::Orange | Color::Yellow | Color::Blue => "#000000",
        }
    }
}

impl LecBand {
    /// The dual-prevention grade of a raw band: the fifth band ("acceptable") displays as low.
    pub fn grade(self) -> Grade {
        match self {
            LecBand::Extreme => Grade::Major,
            LecBand::High => Grade::Significant,
            LecBand::Notable => Grade::General,
            LecBand::Attention | LecBand::Acceptable => Grade::Low,
        }
    }
}

impl ControlLevel {
    /// Highest first.
    pub const DESCENDING: [ControlLevel; 5] = [
        ControlLevel::Bureau,
        ControlLevel::School,
        ControlLevel::Department,
        ControlLevel::Group,
        ControlLevel::Post,
    ];

    /// 1 (post) … 5 (bureau).
    pub fn rank(self) -> u8 {
        match self {
            ControlLevel::Post => 1,
            ControlLevel::Group => 2,
            ControlLevel::Department => 3,
            ControlLevel::School => 4,
            ControlLevel::Bureau => 5,
        }
    }

    /// The levels that control a risk controlled at this level: it and every level below it
    /// (a risk controlled by an upper level is also controlled by every level below, §1.6).
    pub fn and_below(self) -> &'static [ControlLevel] {
        static DESC: [ControlLevel; 5] = ControlLevel::DESCENDING;
        let i = DESC.iter().position(|l| *l == self).unwrap_or(0);
        &DESC[i..]
    }
}

// `code_enum!` takes no variant attributes, so `#[derive(Default)]` with `#[default]` is out.
#[allow(clippy::derivable_impls)]
impl Default for BandSet {
    fn default() -> Self {
        BandSet::A
    }
}

/// The highest grade, by [`Grade::rank`]; `None` for no grades. A zone of the four-colour map
/// takes the highest current grade of its points.
pub fn max_grade(grades: impl IntoIterator<Item = Grade>) -> Option<Grade> {
    grades.into_iter().max_by_key(|g| g.rank())
}

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
// LEC: D = L × E × C
// ---------------------------------------------------------------------------------------------

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
pub struct LecScore(u32);

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

// ---------------------------------------------------------------------------------------------
// LS (risk matrix): R = L × S
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests;
