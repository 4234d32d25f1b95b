//! The marks of open warnings (F-WARN-3), drawn over the risk colours: a zone's strong outline
//! and ⚠ badge, a school's ring, and their legend swatches. The warning's level is shown by
//! its colour and numeral (red Ⅰ … blue Ⅳ); the fill beneath (the risk grade) is never touched,
//! so the two meanings never mix.

use super::text::{escape, n, safe_href};
use super::{Alert, Shade};
use std::fmt::Write;

/// The badge's height; its width is [`badge_width`].
pub(super) const BADGE_H: f64 = 30.0;
/// The triangle's size inside the badge (width; the height is a little less).
const TRIANGLE_W: f64 = 20.0;
/// The numeral's size in the badge.
const NUMERAL: f64 = 19.0;
/// How far into a zone its outline reaches (a label keeps clear of it).
pub(super) const OUTLINE_BAND: f64 = 9.0;

impl Alert {
    /// Whether there is anything to draw.
    pub(super) fn shown(&self) -> bool {
        self.level != Shade::None && self.count > 0
    }
}

/// The alert of a zone or school when it is to be drawn.
pub(super) fn shown(a: &Option<Alert>) -> Option<&Alert> {
    a.as_ref().filter(|a| a.shown())
}

/// The level's wire code, for `data-level` (what tests and page scripts look for).
pub(super) fn level_code(s: Shade) -> &'static str {
    match s {
        Shade::Red => "red",
        Shade::Orange => "orange",
        Shade::Yellow => "yellow",
        Shade::Blue => "blue",
        Shade::None => "none",
    }
}

/// The badge's width: padding, the triangle, the numeral (full-width in CJK fonts).
pub(super) fn badge_width() -> f64 {
    8.0 + TRIANGLE_W + 3.0 + NUMERAL + 7.0
}

/// A warning triangle (⚠) drawn as a path, so it looks the same with any font: `fill` the
/// triangle, `mark` its exclamation mark; centred on `cx`, its top at `top`.
pub(super) fn write_triangle(out: &mut String, cx: f64, top: f64, w: f64, fill: &str, mark: &str) {
    let h = w * 0.88;
    let _ = write!(
        out,
        r#"<path d="M{} {}L{} {}L{} {}Z" fill="{fill}" stroke="{fill}" stroke-width="{}" stroke-linejoin="round"/>"#,
        n(cx),
        n(top),
        n(cx + w / 2.0),
        n(top + h),
        n(cx - w / 2.0),
        n(top + h),
        n(w * 0.12)
    );
    let bar_w = (w * 0.13).max(1.6);
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{mark}"/><circle cx="{}" cy="{}" r="{}" fill="{mark}"/>"#,
        n(cx - bar_w / 2.0),
        n(top + h * 0.3),
        n(bar_w),
        n(h * 0.36),
        n(bar_w / 2.0),
        n(cx),
        n(top + h * 0.8),
        n(bar_w * 0.62)
    );
}

/// The ⚠ badge with the level's numeral, top-left at (x, y), with its tooltip, and a link
/// when the alert has one.
pub(super) fn write_badge(out: &mut String, a: &Alert, x: f64, y: f64) {
    let w = badge_width();
    let href = a.href.as_deref().and_then(safe_href);
    if let Some(h) = &href {
        let _ = write!(out, r#"<a class="alert-link" href="{h}">"#);
    }
    let _ = write!(
        out,
        r##"<g class="alert-badge" data-level="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{BADGE_H}" rx="{}" fill="{}" stroke="#FFFFFF" stroke-width="2"/>"##,
        level_code(a.level),
        escape(&a.text),
        n(x),
        n(y),
        n(w),
        n(BADGE_H / 2.0),
        a.level.fill()
    );
    let ink = a.level.ink();
    write_triangle(
        out,
        x + 8.0 + TRIANGLE_W / 2.0,
        y + (BADGE_H - TRIANGLE_W * 0.88) / 2.0 - 0.5,
        TRIANGLE_W,
        ink,
        a.level.fill(),
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle" font-size="{NUMERAL}" font-weight="700" fill="{ink}">{}</text></g>"#,
        n(x + 8.0 + TRIANGLE_W + 3.0 + NUMERAL / 2.0),
        n(y + BADGE_H / 2.0 + NUMERAL * 0.36),
        a.level.numeral()
    );
    if href.is_some() {
        out.push_str("</a>");
    }
}

/// A zone's strong outline in the warning's colour: a dashed band on a white one, inside the
/// zone's edge (around it, for a zone too small to hold it). It lets clicks through to the
/// zone's link.
pub(super) fn write_zone_outline(
    out: &mut String,
    a: &Alert,
    code: &str,
    (x, y, w, h): (f64, f64, f64, f64),
) {
    let half = OUTLINE_BAND / 2.0;
    let (x, y, w, h) = if w >= 24.0 && h >= 24.0 {
        (x + half, y + half, w - 2.0 * half, h - 2.0 * half)
    } else {
        (x - 5.0, y - 5.0, w + 10.0, h + 10.0)
    };
    let rect = format!(
        r#"x="{}" y="{}" width="{}" height="{}" rx="4" fill="none""#,
        n(x),
        n(y),
        n(w),
        n(h)
    );
    let _ = write!(
        out,
        r##"<g class="alert" data-code="{}" data-level="{}" pointer-events="none"><rect {rect} stroke="#FFFFFF" stroke-width="{OUTLINE_BAND}"/><rect {rect} stroke="{}" stroke-width="5" stroke-dasharray="18 6"/></g>"##,
        escape(code),
        level_code(a.level),
        a.level.fill()
    );
}

/// A school's ring: the warning's colour on a white halo, around the marker at (cx, cy)
/// (drawn after it, with nothing filled, so the marker shows through).
pub(super) fn write_ring(out: &mut String, a: &Alert, cx: f64, cy: f64, r: f64) {
    let circle = format!(r#"cx="{}" cy="{}" r="{}" fill="none""#, n(cx), n(cy), n(r));
    let _ = write!(
        out,
        r##"<g class="alert-ring" data-level="{}"><circle {circle} stroke="#FFFFFF" stroke-width="9"/><circle {circle} stroke="{}" stroke-width="5"/></g>"##,
        level_code(a.level),
        a.level.fill()
    );
}

/// Which mark a legend entry shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Swatch {
    /// A zone's outline and badge (the campus map).
    Zone,
    /// A school's ring (the district map).
    Ring,
}

/// The width of a legend swatch of the warning mark.
pub(super) fn swatch_width(kind: Swatch) -> f64 {
    match kind {
        Swatch::Zone => 44.0,
        Swatch::Ring => 22.0,
    }
}

/// The legend's swatch of the warning mark, top-left at (x, y), [`swatch_width`] wide.
pub(super) fn write_swatch(out: &mut String, kind: Swatch, x: f64, y: f64) {
    let red = Shade::Red.fill();
    match kind {
        Swatch::Zone => {
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="18" height="18" rx="3" fill="{}" stroke="{red}" stroke-width="3" stroke-dasharray="7 2.5"/>"##,
                n(x + 1.5),
                n(y + 1.5),
                Shade::None.fill()
            );
            write_triangle(out, x + 33.0, y + 1.0, 18.0, red, "#FFFFFF");
        }
        Swatch::Ring => {
            let _ = write!(
                out,
                r##"<circle cx="{}" cy="{}" r="5.5" fill="{}" stroke="#90A4AE" stroke-width="1"/><circle cx="{}" cy="{}" r="10" fill="none" stroke="{red}" stroke-width="3.5"/>"##,
                n(x + 11.0),
                n(y + 10.5),
                Shade::None.fill(),
                n(x + 11.0),
                n(y + 10.5),
            );
        }
    }
}
