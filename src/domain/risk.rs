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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lec(l: f64, e: f64, c: f64) -> AssessmentInput {
        AssessmentInput::Lec { l, e, c }
    }

    fn eval(input: &AssessmentInput) -> Result<Evaluation, RiskError> {
        evaluate(input, &LecBands::default())
    }

    /// The float tables of domain.md §1.3, written out independently of the tenths tables.
    const L_F: [f64; 7] = [10.0, 6.0, 3.0, 1.0, 0.5, 0.2, 0.1];
    const E_F: [f64; 6] = [10.0, 6.0, 3.0, 2.0, 1.0, 0.5];
    const C_F: [f64; 6] = [100.0, 40.0, 15.0, 7.0, 3.0, 1.0];

    /// The band rule written directly from the brief, on floats, as an oracle.
    fn oracle(d: f64) -> (Grade, &'static str) {
        let eps = 1e-9;
        if d > 320.0 + eps {
            (Grade::Major, "extreme")
        } else if d >= 160.0 - eps {
            (Grade::Significant, "high")
        } else if d >= 70.0 - eps {
            (Grade::General, "notable")
        } else if d >= 20.0 - eps {
            (Grade::Low, "attention")
        } else {
            (Grade::Low, "acceptable")
        }
    }

    #[test]
    fn tables_match_the_brief() {
        for (f, floats) in [
            (Factor::L, &L_F[..]),
            (Factor::E, &E_F[..]),
            (Factor::C, &C_F[..]),
        ] {
            let got: Vec<f64> = LecValue::all(f).map(LecValue::as_f64).collect();
            assert_eq!(got, floats, "{f:?}");
        }
        assert_eq!(Factor::L.allowed(), "10, 6, 3, 1, 0.5, 0.2, 0.1");
        assert_eq!(Factor::E.allowed(), "10, 6, 3, 2, 1, 0.5");
        assert_eq!(Factor::C.allowed(), "100, 40, 15, 7, 3, 1");
        // Label keys name the value: lec.l.0_5 for 0.5.
        for f in Factor::ALL {
            for v in LecValue::all(f) {
                let expected = format!("lec.{}.{}", f.field(), v.to_string().replace('.', "_"));
                assert_eq!(v.label_key(), expected);
            }
        }
    }

    #[test]
    fn every_lec_combination() {
        let mut n = 0;
        for l in L_F {
            for e in E_F {
                for c in C_F {
                    let ev = eval(&lec(l, e, c)).expect("table values are valid");
                    let d = l * e * c;
                    let score = ev.score.expect("LEC has a score");
                    assert!((score - d).abs() < 1e-9, "{l}×{e}×{c}: {score} ≠ {d}");
                    let (grade, band) = oracle(d);
                    assert_eq!(ev.grade, grade, "{l}×{e}×{c} = {d}");
                    assert_eq!(ev.raw_band.as_deref(), Some(band), "{l}×{e}×{c} = {d}");
                    assert_eq!(ev.color, grade.color());
                    assert_eq!(ev.method, Method::Lec);
                    // The exact score agrees with the float product.
                    let exact = lec_score(
                        LecValue::parse(Factor::L, l).unwrap(),
                        LecValue::parse(Factor::E, e).unwrap(),
                        LecValue::parse(Factor::C, c).unwrap(),
                    );
                    assert_eq!(exact.milli(), (d * 1000.0).round() as u32);
                    n += 1;
                }
            }
        }
        assert_eq!(n, 7 * 6 * 6);
    }

    #[test]
    fn lec_edges() {
        // (L, E, C, D, grade, raw band)
        let cases = [
            (1.0, 10.0, 7.0, 70.0, Grade::General, "notable"), // on the 70 edge
            (10.0, 1.0, 7.0, 70.0, Grade::General, "notable"),
            (3.0, 3.0, 7.0, 63.0, Grade::Low, "attention"), // just below 70
            (10.0, 2.0, 1.0, 20.0, Grade::Low, "attention"), // on the 20 edge
            (1.0, 0.5, 40.0, 20.0, Grade::Low, "attention"),
            (6.0, 3.0, 1.0, 18.0, Grade::Low, "acceptable"), // just below 20
            (10.0, 1.0, 15.0, 150.0, Grade::General, "notable"), // just below 160
            (10.0, 6.0, 3.0, 180.0, Grade::Significant, "high"), // just above 160
            (6.0, 2.0, 15.0, 180.0, Grade::Significant, "high"),
            (10.0, 10.0, 3.0, 300.0, Grade::Significant, "high"), // just below 320
            (3.0, 3.0, 40.0, 360.0, Grade::Major, "extreme"),     // just above 320
            (10.0, 6.0, 7.0, 420.0, Grade::Major, "extreme"),
            (6.0, 6.0, 7.0, 252.0, Grade::Significant, "high"), // the API example
            (10.0, 10.0, 100.0, 10_000.0, Grade::Major, "extreme"),
            (0.1, 0.5, 1.0, 0.05, Grade::Low, "acceptable"),
        ];
        for (l, e, c, d, grade, band) in cases {
            let ev = eval(&lec(l, e, c)).unwrap();
            assert_eq!(ev.score, Some(d), "{l}×{e}×{c}");
            assert_eq!(ev.grade, grade, "{l}×{e}×{c}");
            assert_eq!(ev.raw_band.as_deref(), Some(band), "{l}×{e}×{c}");
        }
        // 160 and 320 cannot occur with the standard tables; 70 and 20 can.
        let products: Vec<u32> = LecValue::all(Factor::L)
            .flat_map(|l| LecValue::all(Factor::E).map(move |e| (l, e)))
            .flat_map(|(l, e)| LecValue::all(Factor::C).map(move |c| lec_score(l, e, c).0))
            .collect();
        for (d, occurs) in [(160, false), (320, false), (70, true), (20, true)] {
            assert_eq!(products.contains(&(d * 1000)), occurs, "D = {d}");
        }
    }

    #[test]
    fn bound_strictness_applies_on_the_edge() {
        let d70 = LecScore::whole(70);
        let defaults = LecBands::default();
        assert_eq!(defaults.grade(d70), Grade::General);
        let lower = LecBands::new(
            defaults.major(),
            defaults.significant(),
            Bound::Above(LecScore::whole(70)),
            Bound::Above(LecScore::whole(20)),
        )
        .unwrap();
        assert_eq!(lower.grade(d70), Grade::Low);
        assert_eq!(lower.raw_band(LecScore::whole(20)), LecBand::Acceptable);
        assert_eq!(defaults.grade(LecScore::whole(320)), Grade::Significant);
        assert_eq!(defaults.grade(LecScore::from_milli(320_001)), Grade::Major);
        assert_eq!(defaults.grade(LecScore::whole(160)), Grade::Significant);
        assert_eq!(
            defaults.grade(LecScore::from_milli(159_999)),
            Grade::General
        );
    }

    #[test]
    fn invalid_lec_values_are_refused() {
        let cases = [
            (lec(4.0, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(7.0, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(0.3, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(0.0, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(f64::NAN, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(f64::INFINITY, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(-6.0, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(100.0, 6.0, 7.0), "err.risk.l_value", "l"),
            (lec(6.0, 7.0, 7.0), "err.risk.e_value", "e"),
            (lec(6.0, 0.1, 7.0), "err.risk.e_value", "e"),
            (lec(6.0, -1.0, 7.0), "err.risk.e_value", "e"),
            (lec(6.0, f64::NAN, 7.0), "err.risk.e_value", "e"),
            (lec(6.0, 6.0, 50.0), "err.risk.c_value", "c"),
            (lec(6.0, 6.0, 10.0), "err.risk.c_value", "c"),
            (lec(6.0, 6.0, 0.5), "err.risk.c_value", "c"),
            (lec(6.0, 6.0, -7.0), "err.risk.c_value", "c"),
            (lec(6.0, 6.0, 1e300), "err.risk.c_value", "c"),
        ];
        for (input, key, field) in cases {
            let err = eval(&input).expect_err(&format!("{input:?}"));
            assert_eq!(err.key, key, "{input:?}");
            assert_eq!(err.field, field, "{input:?}");
        }
        let err = LecValue::parse(Factor::L, 4.0).unwrap_err();
        assert_eq!(
            err.detail,
            "L = 4 is not a value of the LEC table; allowed: 10, 6, 3, 1, 0.5, 0.2, 0.1"
        );
        let err = LecValue::parse(Factor::C, 50.0).unwrap_err();
        assert!(
            err.detail.contains("100, 40, 15, 7, 3, 1"),
            "{}",
            err.detail
        );
        // Nearly-exact floats from arithmetic are fine; whole-number spellings too.
        assert_eq!(
            LecValue::parse(Factor::L, 0.1 + 0.2 + 0.2)
                .unwrap()
                .tenths(),
            5
        );
        assert_eq!(LecValue::parse(Factor::C, 7.0).unwrap().to_string(), "7");
    }

    /// (band set, rows L = 1…5, columns S = 1…5; M major, s significant, g general, l low),
    /// written out by hand from domain.md §1.4.
    const LS_GRIDS: [(BandSet, [&str; 5]); 3] = [
        (BandSet::A, ["lllll", "llllg", "llggs", "llgsM", "lgsMM"]),
        (BandSet::B, ["lllgg", "lgggs", "lgsss", "ggssM", "gssMM"]),
        (BandSet::C, ["lllgg", "lgggs", "lggss", "ggssM", "gssMM"]),
    ];

    #[test]
    fn every_ls_pair_for_every_band_set() {
        let mut n = 0;
        for (set, rows) in LS_GRIDS {
            for (li, row) in rows.iter().enumerate() {
                for (si, ch) in row.chars().enumerate() {
                    let (l, s) = (li as u8 + 1, si as u8 + 1);
                    let expected = match ch {
                        'M' => Grade::Major,
                        's' => Grade::Significant,
                        'g' => Grade::General,
                        _ => Grade::Low,
                    };
                    let ev = eval(&AssessmentInput::Ls {
                        l,
                        s,
                        band_set: set,
                    })
                    .unwrap();
                    assert_eq!(ev.score, Some(f64::from(l * s)));
                    assert_eq!(ev.grade, expected, "set {set}, L {l}, S {s}");
                    assert_eq!(ev.color, expected.color());
                    assert_eq!(ev.method, Method::Ls);
                    assert_eq!(ev.raw_band, None);
                    n += 1;
                }
            }
        }
        assert_eq!(n, 75);
    }

    #[test]
    fn ls_tables_cover_every_product_once() {
        let products: Vec<u8> = (1..=5).flat_map(|l| (1..=5).map(move |s| l * s)).collect();
        for set in BandSet::ALL {
            for r in &products {
                let hits: Vec<Grade> = set
                    .ranges()
                    .iter()
                    .filter(|(_, lo, hi)| (lo..=hi).contains(&r))
                    .map(|(g, _, _)| *g)
                    .collect();
                assert_eq!(hits, vec![set.grade(*r)], "set {set}, R {r}");
            }
        }
    }

    #[test]
    fn invalid_ls_values_are_refused() {
        for (l, s, field) in [
            (0, 3, "l"),
            (6, 3, "l"),
            (3, 0, "s"),
            (3, 6, "s"),
            (255, 1, "l"),
        ] {
            let err = eval(&AssessmentInput::Ls {
                l,
                s,
                band_set: BandSet::A,
            })
            .unwrap_err();
            assert_eq!(err.key, "err.risk.ls_range");
            assert_eq!(err.field, field);
            assert!(err.detail.contains("1 to 5"), "{}", err.detail);
        }
    }

    #[test]
    fn direct_judgement() {
        let ev = eval(&AssessmentInput::Direct {
            grade: Grade::Major,
            reason: "  MoE major-hazard list item 3 present  ".into(),
        })
        .unwrap();
        assert_eq!(
            ev,
            Evaluation {
                method: Method::Direct,
                score: None,
                grade: Grade::Major,
                color: Color::Red,
                raw_band: None,
            }
        );
        for reason in ["", "   ", "\n\t "] {
            let err = eval(&AssessmentInput::Direct {
                grade: Grade::Low,
                reason: reason.into(),
            })
            .unwrap_err();
            assert_eq!(err.key, "err.risk.reason_required");
            assert_eq!(err.field, "reason");
        }
        // 500 characters (multi-byte) pass; 501 do not.
        assert_eq!(
            check_reason(&"险".repeat(500)).unwrap().chars().count(),
            500
        );
        let err = check_reason(&"险".repeat(501)).unwrap_err();
        assert_eq!(err.key, "err.risk.reason_too_long");
        assert_eq!(check_reason("  ok \n").unwrap(), "ok");
    }

    #[test]
    fn api_bodies_parse() {
        let parse = |s: &str| serde_json::from_str::<AssessmentInput>(s);
        assert_eq!(
            parse(r#"{"method":"LEC","l":6,"e":6,"c":7}"#).unwrap(),
            lec(6.0, 6.0, 7.0)
        );
        assert_eq!(
            parse(r#"{"method":"LEC","l":0.5,"e":10,"c":15}"#).unwrap(),
            lec(0.5, 10.0, 15.0)
        );
        assert_eq!(
            parse(r#"{"method":"LS","l":4,"s":4}"#).unwrap(),
            AssessmentInput::Ls {
                l: 4,
                s: 4,
                band_set: BandSet::A
            }
        );
        assert_eq!(
            parse(r#"{"method":"LS","l":4,"s":4,"band_set":"B"}"#).unwrap(),
            AssessmentInput::Ls {
                l: 4,
                s: 4,
                band_set: BandSet::B
            }
        );
        assert_eq!(
            parse(r#"{"method":"DIRECT","grade":"major","reason":"临水无护栏"}"#).unwrap(),
            AssessmentInput::Direct {
                grade: Grade::Major,
                reason: "临水无护栏".into()
            }
        );
        // The field order does not matter, the tag may come last.
        assert!(parse(r#"{"l":6,"e":6,"c":7,"method":"LEC"}"#).is_ok());
        for bad in [
            r#"{"method":"LEC","l":6,"e":6,"c":7,"x":1}"#,
            r#"{"method":"LEC","l":6,"e":6,"c":7,"band_set":"A"}"#,
            r#"{"method":"LS","l":4,"s":4,"c":7}"#,
            r#"{"method":"DIRECT","grade":"major","reason":"r","score":3}"#,
            r#"{"method":"LS","l":4,"s":4,"band_set":"D"}"#,
            r#"{"method":"LS","l":4.5,"s":4}"#,
            r#"{"method":"LS","l":-1,"s":4}"#,
            r#"{"method":"LS","l":4}"#,
            r#"{"method":"DIRECT","grade":"red","reason":"r"}"#,
            r#"{"method":"lec","l":6,"e":6,"c":7}"#,
            r#"{"method":"SCL"}"#,
            r#"{"l":6,"e":6,"c":7}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn inputs_and_results_serialise() {
        let input = AssessmentInput::Ls {
            l: 4,
            s: 4,
            band_set: BandSet::C,
        };
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"method":"LS","l":4,"s":4,"band_set":"C"})
        );
        assert_eq!(
            serde_json::from_value::<AssessmentInput>(json).unwrap(),
            input
        );
        let ev = eval(&lec(6.0, 6.0, 7.0)).unwrap();
        assert_eq!(
            serde_json::to_value(&ev).unwrap(),
            serde_json::json!({
                "method": "LEC", "score": 252.0, "grade": "significant",
                "color": "orange", "raw_band": "high"
            })
        );
        assert_eq!(input.method(), Method::Ls);
        assert_eq!(Method::Lec.as_str(), "LEC");
        assert_eq!(Method::parse("DIRECT"), Some(Method::Direct));
    }

    #[test]
    fn lec_bands_as_config() {
        let default: LecBands = toml::from_str("").unwrap();
        assert_eq!(default, LecBands::default());
        let text = "major = { above = 320 }\nsignificant = { from = 160 }\n\
                    general = { from = 70 }\nattention = { from = 20 }\n";
        assert_eq!(
            toml::from_str::<LecBands>(text).unwrap(),
            LecBands::default()
        );
        // Only one edge changed: the rest keep their defaults.
        let lower: LecBands = toml::from_str("general = { above = 70 }").unwrap();
        assert_eq!(lower.general(), Bound::Above(LecScore::whole(70)));
        assert_eq!(lower.major(), LecBands::default().major());
        // Round trip.
        let json = serde_json::to_string(&LecBands::default()).unwrap();
        assert_eq!(
            json,
            r#"{"major":{"above":320.0},"significant":{"from":160.0},"general":{"from":70.0},"attention":{"from":20.0}}"#
        );
        assert_eq!(
            serde_json::from_str::<LecBands>(&json).unwrap(),
            LecBands::default()
        );
        // Not strictly decreasing, zero, negative, unknown keys: refused.
        for bad in [
            "general = { from = 160 }",
            "general = { from = 200 }",
            "attention = { from = 0 }",
            "attention = { from = -5 }",
            "major = { above = 320.0001 }",
            "minor = { from = 5 }",
            "major = 320",
        ] {
            assert!(toml::from_str::<LecBands>(bad).is_err(), "{bad}");
        }
        let err = LecBands::new(
            Bound::Above(LecScore::whole(100)),
            Bound::From(LecScore::whole(160)),
            Bound::From(LecScore::whole(70)),
            Bound::From(LecScore::whole(20)),
        )
        .unwrap_err();
        assert_eq!(err.key, "err.risk.lec_bands");
        assert!(err.detail.contains("100, 160, 70, 20"), "{}", err.detail);
        // Fractional edges are exact.
        let frac: LecBands = toml::from_str("attention = { from = 17.5 }").unwrap();
        assert_eq!(frac.attention().value(), LecScore::from_milli(17_500));
        assert_eq!(frac.attention().value().to_string(), "17.5");
    }

    #[test]
    fn scores_format_exactly() {
        assert_eq!(LecScore::from_milli(50).to_string(), "0.05");
        assert_eq!(LecScore::from_milli(420_000).to_string(), "420");
        assert_eq!(LecScore::from_milli(22_500).to_string(), "22.5");
        assert_eq!(LecScore::from_f64(0.05), Some(LecScore::from_milli(50)));
        assert_eq!(LecScore::from_f64(-1.0), None);
        assert_eq!(LecScore::from_f64(f64::NAN), None);
        assert_eq!(LecScore::from_f64(0.0001), None);
    }

    #[test]
    fn grades_order_by_rank() {
        let mut by_rank = Grade::ALL.to_vec();
        by_rank.sort_by_key(|g| g.rank());
        assert_eq!(
            by_rank,
            [Grade::Low, Grade::General, Grade::Significant, Grade::Major]
        );
        let mut by_ord = Grade::ALL.to_vec();
        by_ord.sort();
        assert_eq!(by_ord, by_rank, "derived Ord agrees with rank");
        assert!(Grade::Major > Grade::Significant && Grade::General > Grade::Low);
        assert_eq!(
            Grade::DESCENDING.iter().rev().copied().collect::<Vec<_>>(),
            by_rank
        );
        let mut levels = ControlLevel::ALL.to_vec();
        levels.sort();
        assert_eq!(
            levels.iter().map(|l| l.rank()).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(
            ControlLevel::DESCENDING
                .iter()
                .rev()
                .copied()
                .collect::<Vec<_>>(),
            levels
        );
    }

    #[test]
    fn max_grade_picks_the_highest() {
        assert_eq!(max_grade([]), None);
        assert_eq!(max_grade([Grade::Low]), Some(Grade::Low));
        assert_eq!(
            max_grade([Grade::General, Grade::Major, Grade::Low]),
            Some(Grade::Major)
        );
        assert_eq!(
            max_grade(vec![Grade::Low, Grade::Significant, Grade::General]),
            Some(Grade::Significant)
        );
    }

    #[test]
    fn colours() {
        let pairs = [
            (Grade::Major, Color::Red, "#E53935"),
            (Grade::Significant, Color::Orange, "#FB8C00"),
            (Grade::General, Color::Yellow, "#FDD835"),
            (Grade::Low, Color::Blue, "#1E88E5"),
        ];
        for (g, c, hex) in pairs {
            assert_eq!(g.color(), c);
            assert_eq!(c.grade(), g);
            assert_eq!(c.hex(), hex);
        }
        // WCAG 2 contrast: the ink is the better of black and white, and at least 4.5:1.
        fn luminance(hex: &str) -> f64 {
            let ch = |i: usize| {
                let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5)
        }
        fn contrast(a: &str, b: &str) -> f64 {
            let (x, y) = (luminance(a), luminance(b));
            (x.max(y) + 0.05) / (x.min(y) + 0.05)
        }
        for c in Color::ALL {
            let ink = contrast(c.hex(), c.ink());
            let other = if c.ink() == "#000000" {
                "#FFFFFF"
            } else {
                "#000000"
            };
            assert!(ink >= 4.5, "{c}: {ink:.2}");
            assert!(ink >= contrast(c.hex(), other), "{c}");
        }
    }

    #[test]
    fn control_levels() {
        assert_eq!(default_control_level(Grade::Major), ControlLevel::Bureau);
        assert_eq!(
            default_control_level(Grade::Significant),
            ControlLevel::School
        );
        assert_eq!(
            default_control_level(Grade::General),
            ControlLevel::Department
        );
        assert_eq!(default_control_level(Grade::Low), ControlLevel::Post);
        assert_eq!(
            ControlLevel::Bureau.and_below(),
            &ControlLevel::DESCENDING[..]
        );
        assert_eq!(
            ControlLevel::Department.and_below(),
            &[
                ControlLevel::Department,
                ControlLevel::Group,
                ControlLevel::Post
            ]
        );
        assert_eq!(ControlLevel::Post.and_below(), &[ControlLevel::Post]);
        // Swappable by config, but a higher grade never gets a lower level.
        let cfg: ControlLevels = toml::from_str("general = \"group\"").unwrap();
        assert_eq!(cfg.level(Grade::General), ControlLevel::Group);
        assert_eq!(cfg.level(Grade::Major), ControlLevel::Bureau);
        let err = toml::from_str::<ControlLevels>("major = \"post\"").unwrap_err();
        assert!(err.to_string().contains("higher level"), "{err}");
        assert_eq!(
            ControlLevels::new(
                ControlLevel::School,
                ControlLevel::Bureau,
                ControlLevel::Department,
                ControlLevel::Post
            )
            .unwrap_err()
            .key,
            "err.risk.control_levels"
        );
        assert!(toml::from_str::<ControlLevels>("minor = \"post\"").is_err());
    }

    #[test]
    fn review_dates() {
        let p = ReviewPolicy::default();
        let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        assert_eq!(
            p.next_review(d, Grade::Major),
            NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
        );
        assert_eq!(
            p.next_review(d, Grade::Significant),
            NaiveDate::from_ymd_opt(2025, 5, 30).unwrap()
        );
        assert_eq!(
            p.next_review(d, Grade::General),
            NaiveDate::from_ymd_opt(2025, 8, 28).unwrap()
        );
        assert_eq!(
            p.next_review(d, Grade::Low),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(p.next_review(NaiveDate::MAX, Grade::Low), NaiveDate::MAX);
        let due = p.next_review(d, Grade::Major);
        assert!(!is_overdue(due, due), "due today is not overdue");
        assert!(!is_overdue(due, d));
        assert!(is_overdue(due, due.succ_opt().unwrap()));
        // Config.
        let cfg: ReviewPolicy = toml::from_str("low_days = 180").unwrap();
        assert_eq!(cfg.days(Grade::Low), 180);
        assert_eq!(cfg.days(Grade::Major), 30);
        for bad in [
            "major_days = 0",
            "low_days = 4000",
            "major_days = 100",
            "weekly = 7",
        ] {
            assert!(toml::from_str::<ReviewPolicy>(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ReviewPolicy::new(30, 20, 180, 365).unwrap_err().key,
            "err.risk.review_days"
        );
    }

    #[test]
    fn catalogue_keys_are_listed() {
        let keys = catalogue_keys();
        for k in [
            "risk_grade.major",
            "risk_method.LEC",
            "ls_band_set.A",
            "lec_band.acceptable",
            "lec.l.0_1",
            "lec.e.0_5",
            "lec.c.100",
            "err.risk.ls_range",
            "check_frequency.half_month",
            "control_level.bureau",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k}");
        }
        let unique: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "no duplicates");
        // Every error the module produces uses a listed key.
        let errors = [
            LecValue::parse(Factor::L, 4.0).unwrap_err(),
            LecValue::parse(Factor::E, 4.0).unwrap_err(),
            LecValue::parse(Factor::C, 4.0).unwrap_err(),
            ls_score(0, 1).unwrap_err(),
            check_reason("").unwrap_err(),
            check_reason(&"x".repeat(501)).unwrap_err(),
            ReviewPolicy::new(0, 1, 1, 1).unwrap_err(),
        ];
        for e in errors {
            assert!(ERROR_KEYS.contains(&e.key), "{}", e.key);
        }
    }

    fn any_lec() -> impl Strategy<Value = (usize, usize, usize)> {
        (0..L_VALUES.len(), 0..E_VALUES.len(), 0..C_VALUES.len())
    }

    /// Valid band edges: four distinct positive values in decreasing order, each strict or not.
    fn any_bands() -> impl Strategy<Value = LecBands> {
        (
            proptest::collection::btree_set(1u32..=20_000_000, 4),
            proptest::array::uniform4(any::<bool>()),
        )
            .prop_map(|(set, strict)| {
                let v: Vec<u32> = set.into_iter().rev().collect();
                let b = |i: usize| {
                    let s = LecScore::from_milli(v[i]);
                    if strict[i] {
                        Bound::Above(s)
                    } else {
                        Bound::From(s)
                    }
                };
                LecBands::new(b(0), b(1), b(2), b(3)).expect("valid edges")
            })
    }

    fn lec_at(li: usize, ei: usize, ci: usize) -> AssessmentInput {
        lec(L_F[li], E_F[ei], C_F[ci])
    }

    proptest! {
        /// Raising any one LEC factor to a larger table value never lowers the grade or the
        /// raw band, under the default bands and under any valid band configuration.
        #[test]
        fn lec_grade_never_falls_when_a_factor_rises(
            (li, ei, ci) in any_lec(),
            bands in prop_oneof![Just(LecBands::default()), any_bands()],
            factor in 0usize..3,
            up in 1usize..7,
        ) {
            // Tables are highest first: a smaller index is a larger value.
            let (mut l2, mut e2, mut c2) = (li, ei, ci);
            match factor {
                0 => l2 = li.saturating_sub(up),
                1 => e2 = ei.saturating_sub(up),
                _ => c2 = ci.saturating_sub(up),
            }
            let before = evaluate(&lec_at(li, ei, ci), &bands).unwrap();
            let after = evaluate(&lec_at(l2, e2, c2), &bands).unwrap();
            prop_assert!(after.score.unwrap() >= before.score.unwrap());
            prop_assert!(after.grade.rank() >= before.grade.rank(),
                "{:?} → {:?}", before, after);
            let raw = |e: &Evaluation| LecBand::parse(e.raw_band.as_deref().unwrap()).unwrap();
            prop_assert!(raw(&after) >= raw(&before));
        }

        /// Raising L or S never lowers the grade, for every band set.
        #[test]
        fn ls_grade_never_falls_when_a_factor_rises(
            l in 1u8..=5,
            s in 1u8..=5,
            up in 1u8..=4,
            raise_l in any::<bool>(),
            set in prop::sample::select(BandSet::ALL),
        ) {
            let (l2, s2) = if raise_l { ((l + up).min(5), s) } else { (l, (s + up).min(5)) };
            let g = |l, s| eval(&AssessmentInput::Ls { l, s, band_set: set }).unwrap().grade;
            prop_assert!(g(l2, s2).rank() >= g(l, s).rank());
        }

        /// Any float is either refused with the factor's key or is a table value.
        #[test]
        fn lec_parse_accepts_only_table_values(x in any::<f64>()) {
            for f in Factor::ALL {
                match LecValue::parse(f, x) {
                    Ok(v) => prop_assert!(f.table().iter().any(|(t, _)| *t == v.tenths())),
                    Err(e) => prop_assert_eq!(e.field, f.field()),
                }
            }
        }
    }
}
