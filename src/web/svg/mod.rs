//! Server-drawn SVG: the four-colour campus risk map, the district map, QR codes.
//!
//! Everything is drawn here, on the server, as plain SVG text: no map tiles, no CDN, no
//! script, so the maps work on an intranet with no internet. The functions take plain structs
//! (built by the caller from the database, with labels already translated) and return strings.
//!
//! Rules the output keeps:
//! - every piece of caller text goes through [`escape`]; links go through a scheme check;
//! - presentation attributes only (no `style` attribute or element), so the drawings pass the
//!   platform's CSP (`style-src 'self'`) whether inlined in a page or served as a file;
//! - no `id`s, so several drawings can be inlined in one page; hooks for page CSS are classes
//!   (`risk-map`, `zone`, `zone-link`, `district-map`, `marker`, `school-link`, `alert`,
//!   `alert-badge`, `alert-ring`, `label`, `legend-shapes`, `map-rule`, `map-note`);
//! - a `viewBox` and no fixed size on the maps, so they scale to any width (390 px phones too).

mod campus;
mod district;
mod frame;
mod marks;
mod qr;
mod text;
pub mod track;

pub use campus::{campus_map, campus_map_noted};
pub use district::district_map;
pub use qr::qr_svg;
pub use text::escape;

/// Font stack for every text: what the intranet machines and the server fonts have.
const FONT: &str = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif";
/// Main text colour.
const INK: &str = "#263238";
/// Secondary text colour (legend counts, graticule labels, notes).
const MUTED: &str = "#607D8B";
/// Page background of the drawings.
const PAPER: &str = "#FFFFFF";

/// A risk colour band, or none (no assessed point in the zone/school).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shade {
    Red,
    Orange,
    Yellow,
    Blue,
    None,
}

impl Shade {
    /// All shades, the most severe first (the legend order).
    pub const ALL: [Shade; 5] = [
        Shade::Red,
        Shade::Orange,
        Shade::Yellow,
        Shade::Blue,
        Shade::None,
    ];

    /// The fill colour (domain.md §1.2); `None` is a neutral grey.
    pub fn fill(&self) -> &'static str {
        match self {
            Shade::Red => "#E53935",
            Shade::Orange => "#FB8C00",
            Shade::Yellow => "#FDD835",
            Shade::Blue => "#1E88E5",
            Shade::None => "#ECEFF1",
        }
    }

    /// A readable text colour on [`Shade::fill`]: white on red and blue, near-black on orange
    /// and yellow (white on orange would be 2.4:1), slate on grey.
    pub fn ink(&self) -> &'static str {
        match self {
            Shade::Red | Shade::Blue => "#FFFFFF",
            Shade::Orange | Shade::Yellow => "#212121",
            Shade::None => "#455A64",
        }
    }

    /// Severity for ordering: red 4, orange 3, yellow 2, blue 1, none 0.
    pub fn rank(&self) -> u8 {
        match self {
            Shade::Red => 4,
            Shade::Orange => 3,
            Shade::Yellow => 2,
            Shade::Blue => 1,
            Shade::None => 0,
        }
    }

    /// The more severe of two shades (a zone takes the highest grade of its points).
    pub fn max(self, other: Shade) -> Shade {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// The Roman numeral of the warning level of this colour (red Ⅰ … blue Ⅳ), for the
    /// warning marks; empty for `None`.
    pub fn numeral(&self) -> &'static str {
        match self {
            Shade::Red => "Ⅰ",
            Shade::Orange => "Ⅱ",
            Shade::Yellow => "Ⅲ",
            Shade::Blue => "Ⅳ",
            Shade::None => "",
        }
    }

    /// This shade's text in the legend.
    pub fn label<'a>(&self, legend: &'a Legend) -> &'a str {
        match self {
            Shade::Red => &legend.red,
            Shade::Orange => &legend.orange,
            Shade::Yellow => &legend.yellow,
            Shade::Blue => &legend.blue,
            Shade::None => &legend.none,
        }
    }
}

/// One zone of a school's site plan. `rect` is (x, y, w, h) in the 1000 × 700 plan (x right,
/// y down, north at the top). `points` is the number of risk points placed in the zone.
#[derive(Clone, Debug)]
pub struct MapZone {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub rect: (i32, i32, i32, i32),
    pub parent: Option<i64>,
    pub shade: Shade,
    pub points: usize,
    pub href: Option<String>,
    /// Open warnings on the zone (a device in it or at one of its risk points).
    pub alert: Option<Alert>,
}

/// The mark of open warnings (F-WARN-3) on a zone or a school. It is drawn over the risk
/// colour, never instead of it: a zone keeps its fill (its risk grade) and gets a strong
/// outline and a ⚠ badge; a school keeps its dot and gets a ring.
#[derive(Clone, Debug)]
pub struct Alert {
    /// The most severe open warning's level, as its colour (red Ⅰ … blue Ⅳ); `Shade::None`
    /// draws no mark.
    pub level: Shade,
    /// How many warnings are open.
    pub count: usize,
    /// The tooltip, already translated (one line per warning, or a count).
    pub text: String,
    /// Where the badge leads (the warning, or the school's open warnings).
    pub href: Option<String>,
}

/// The legend texts, already translated.
#[derive(Clone, Debug, Default)]
pub struct Legend {
    pub title: String,
    pub red: String,
    pub orange: String,
    pub yellow: String,
    pub blue: String,
    pub none: String,
    /// The warning mark's entry (left out when empty).
    pub alert: String,
    /// The district map's marker shapes: a heading and each shape's meaning (those on the
    /// map are listed).
    pub shapes_title: String,
    pub shapes: Vec<(Shape, String)>,
    /// The district map's colour rule, written under its legend (left out when empty).
    pub rule: String,
}

/// The shape of a marker on the district map: the kind of school, or a district on a
/// city's map. Every shape is about the same area, so the colour reads the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Primary schools.
    Circle,
    /// Kindergartens.
    Square,
    /// Secondary schools (junior, nine-year, senior).
    Diamond,
    /// Special-education schools.
    Triangle,
    /// A district (on a city's map).
    Hexagon,
}

/// A line under a map's legend (already translated), linked when `href` is set: the
/// four-colour map's count of risk points placed in no zone.
#[derive(Clone, Debug)]
pub struct MapNote {
    pub text: String,
    pub href: Option<String>,
}

/// One school on the district map.
#[derive(Clone, Debug)]
pub struct MapSchool {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    pub shade: Shade,
    pub href: Option<String>,
    pub shape: Shape,
    /// Lines of the tooltip under the name (already translated): the counts behind the
    /// colour, points by grade, open hazards.
    pub tip: Vec<String>,
    /// Open warnings at the school (or, on a city's map, the schools of the district).
    pub alert: Option<Alert>,
}

#[cfg(test)]
mod tests;
