//! The closed sets of risk grading (aspects, grades, colours, methods, control levels, point
//! and measure types, check frequencies, band sets, LEC bands) and their orderings.

use crate::code_enum;

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
