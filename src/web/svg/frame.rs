//! The frame pieces every drawing shares: fitted labels, count pills, the title, the north
//! arrow, the legend band, the `<svg>` element, boxes for collision checks.

use super::marks::{Swatch, swatch_width, write_swatch};
use super::text::{Fitted, escape, n, text_em, truncate};
use super::{FONT, INK, Legend, MUTED, Shade};
use std::fmt::Write;

/// The outer margin of the maps, and the height of the band above the drawing (title, north
/// arrow).
pub(super) const MARGIN: f64 = 20.0;
pub(super) const HEADER: f64 = 64.0;

/// Writes a fitted label centred on `cx`, its block's top at `top`.
pub(super) fn write_lines(
    out: &mut String,
    f: &Fitted,
    cx: f64,
    top: f64,
    fill: &str,
    weight: &str,
) {
    let lh = f.line_height();
    let _ = write!(
        out,
        r#"<text x="{}" text-anchor="middle" font-size="{}" font-weight="{}" fill="{}">"#,
        n(cx),
        n(f.size),
        weight,
        fill
    );
    for (i, line) in f.lines.iter().enumerate() {
        let baseline = top + i as f64 * lh + f.size * 0.86;
        let _ = write!(
            out,
            r#"<tspan x="{}" y="{}">{}</tspan>"#,
            n(cx),
            n(baseline),
            escape(line)
        );
    }
    out.push_str("</text>");
}

/// A small pill with a number (the zone's risk-point count), top-left at (x, y).
pub(super) fn pill_width(count: usize) -> f64 {
    count.to_string().len() as f64 * 8.4 + 14.0
}
pub(super) const PILL_H: f64 = 20.0;

pub(super) fn write_pill(out: &mut String, count: usize, x: f64, y: f64, shade: Shade) {
    let w = pill_width(count);
    let (bg, opacity) = match shade {
        Shade::Red | Shade::Blue => ("#FFFFFF", "0.25"),
        Shade::None => ("#455A64", "0.12"),
        _ => ("#000000", "0.12"),
    };
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="10" fill="{bg}" fill-opacity="{opacity}"/><text x="{}" y="{}" text-anchor="middle" font-size="14" font-weight="600" fill="{}">{count}</text>"#,
        n(x),
        n(y),
        n(w),
        n(PILL_H),
        n(x + w / 2.0),
        n(y + 15.0),
        shade.ink()
    );
}

/// The drawing title, shrunk (then cut) to fit `max_w`.
pub(super) fn write_title(out: &mut String, title: &str, x: f64, baseline: f64, max_w: f64) {
    let em = text_em(title).max(0.1);
    let size = (max_w / em).clamp(16.0, 26.0);
    let shown = truncate(title, max_w / size).unwrap_or_default();
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" font-weight="700" fill="{INK}">{}</text>"#,
        n(x),
        n(baseline),
        n(size),
        escape(&shown)
    );
}

/// A north arrow: a split arrowhead pointing up with an "N" above, centred on `cx`, its top
/// at `top` (about 44 units tall).
pub(super) fn write_north_arrow(out: &mut String, cx: f64, top: f64) {
    let tip = top + 17.0;
    let base = top + 44.0;
    let notch = top + 37.0;
    let _ = write!(
        out,
        concat!(
            r#"<g class="north-arrow" aria-hidden="true">"#,
            r#"<text x="{cx}" y="{ny}" text-anchor="middle" font-size="14" font-weight="700" fill="{ink}">N</text>"#,
            r#"<path d="M{cx} {tip}L{l} {base}L{cx} {notch}Z" fill="{ink}"/>"#,
            r##"<path d="M{cx} {tip}L{r} {base}L{cx} {notch}Z" fill="#B0BEC5"/>"##,
            r#"</g>"#
        ),
        cx = n(cx),
        ny = n(top + 13.0),
        tip = n(tip),
        l = n(cx - 9.0),
        r = n(cx + 9.0),
        base = n(base),
        notch = n(notch),
        ink = INK,
    );
}

/// The legend band: a bold title then one swatch and text per shade (with an optional count
/// after it), then the warning mark's entry (`alert`: its swatch and optional count; left out
/// when the legend has no text for it), wrapping onto further rows when `width` is exceeded.
/// Returns the band height.
pub(super) fn write_legend(
    out: &mut String,
    legend: &Legend,
    x: f64,
    y: f64,
    width: f64,
    counts: Option<[usize; 5]>,
    alert: Option<(Swatch, Option<usize>)>,
) -> f64 {
    const SIZE: f64 = 16.0;
    const ROW: f64 = 32.0;
    let mut cx = x;
    let mut cy = y;
    out.push_str(r#"<g class="legend">"#);
    let title = legend.title.trim();
    if !title.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{SIZE}" font-weight="700" fill="{INK}">{}</text>"#,
            n(cx),
            n(cy + 20.0),
            escape(title)
        );
        cx += text_em(title) * SIZE + 18.0;
    }
    for (i, shade) in Shade::ALL.iter().enumerate() {
        let label = shade.label(legend);
        let count = counts.map(|c| format!(" {}", c[i])).unwrap_or_default();
        let item_w = 18.0 + 7.0 + (text_em(label) + text_em(&count)) * SIZE;
        if cx + item_w > x + width && cx > x {
            cx = x;
            cy += ROW;
        }
        let stroke = if *shade == Shade::None {
            r##" stroke="#B0BEC5" stroke-width="1""##
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<rect x="{}" y="{}" width="18" height="18" rx="3" fill="{}"{stroke}/><text x="{}" y="{}" font-size="{SIZE}" fill="{INK}">{}"#,
            n(cx),
            n(cy + 5.0),
            shade.fill(),
            n(cx + 25.0),
            n(cy + 20.0),
            escape(label)
        );
        if !count.is_empty() {
            let _ = write!(
                out,
                r#"<tspan fill="{MUTED}" font-weight="700">{}</tspan>"#,
                count
            );
        }
        out.push_str("</text>");
        cx += item_w + 24.0;
    }
    let label = legend.alert.trim();
    if let Some((kind, count)) = alert.filter(|_| !label.is_empty()) {
        let count = count.map(|c| format!(" {c}")).unwrap_or_default();
        let swatch_w = swatch_width(kind);
        let item_w = swatch_w + 7.0 + (text_em(label) + text_em(&count)) * SIZE;
        if cx + item_w > x + width && cx > x {
            cx = x;
            cy += ROW;
        }
        out.push_str(r#"<g class="legend-alert">"#);
        write_swatch(out, kind, cx, cy + 4.0);
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{SIZE}" fill="{INK}">{}"#,
            n(cx + swatch_w + 7.0),
            n(cy + 20.0),
            escape(label)
        );
        if !count.is_empty() {
            let _ = write!(
                out,
                r#"<tspan fill="{MUTED}" font-weight="700">{}</tspan>"#,
                count
            );
        }
        out.push_str("</text></g>");
    }
    out.push_str("</g>");
    cy + ROW - y
}

pub(super) fn svg_open(out: &mut String, class: &str, w: f64, h: f64, label: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="{class}" viewBox="0 0 {} {}" role="img" aria-label="{}" font-family="{FONT}">"#,
        n(w),
        n(h),
        escape(label)
    );
}

/// Axis-aligned box for collision checks.
#[derive(Clone, Copy, Debug)]
pub(super) struct BoxF {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

impl BoxF {
    pub(super) fn hits(&self, o: &BoxF) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
    pub(super) fn within(&self, o: &BoxF) -> bool {
        self.x >= o.x
            && self.y >= o.y
            && self.x + self.w <= o.x + o.w
            && self.y + self.h <= o.y + o.h
    }
}
