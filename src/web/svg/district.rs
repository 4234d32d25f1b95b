//! The district map: schools placed by their coordinates (equirectangular, no tiles).

use super::frame::{BoxF, HEADER, MARGIN, svg_open, write_legend, write_north_arrow, write_title};
use super::marks::{Swatch, shown, write_ring};
use super::text::{break_lines, escape, n, safe_href, text_em, truncate};
use super::{INK, Legend, MUTED, MapSchool, PAPER, Shade, Shape};
use std::fmt::Write;

/// Mean length of one degree of latitude, in km.
const KM_PER_DEG: f64 = 111.195;
/// The smallest extent shown, in degrees (about 2 km), so one school still gets a map.
const MIN_SPAN: f64 = 0.02;
/// Half the size of a marker (a circle's radius; the other shapes have about its area).
const MARKER_R: f64 = 11.0;
/// The radius of the ring around a school with open warnings.
const RING_R: f64 = 18.0;
/// The size of the name labels, in units of the 1000-unit-wide drawing: the page draws the
/// map at least 760 px wide, so a label is never smaller than 11 px.
pub(super) const LABEL_SIZE: f64 = 15.0;
/// The size of the legend's shape row and the rule under it.
const KEY_SIZE: f64 = 15.0;

/// A school's short name for its label: the name without the leading province, city and
/// district ("长春市二道区春华小学" → "春华小学"); at least four characters are kept.
pub(super) fn short_name(name: &str) -> String {
    let mut s = name.trim();
    loop {
        let cut = s
            .char_indices()
            .take(6)
            .find(|(i, c)| *i > 0 && matches!(c, '省' | '市' | '区' | '县' | '旗'))
            .map(|(i, c)| i + c.len_utf8());
        match cut {
            Some(i) if s[i..].chars().count() >= 4 => s = &s[i..],
            _ => break,
        }
    }
    s.to_string()
}

/// A shorter label when the short name finds no room: the usual endings abbreviated
/// ("春华小学" → "春华小", "彩虹幼儿园" → "彩虹幼"), at most six characters.
pub(super) fn abbreviated(short: &str) -> String {
    let mut s = short.to_string();
    for (long, abbr) in [
        ("幼儿园", "幼"),
        ("小学", "小"),
        ("中学", "中"),
        ("学校", "校"),
    ] {
        if let Some(stem) = s.strip_suffix(long)
            && !stem.is_empty()
        {
            s = format!("{stem}{abbr}");
            break;
        }
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() > 6 {
        let mut t: String = chars[..5].iter().collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// Writes a marker of `shape` centred on (x, y) with `class`; a circle as `<circle>`,
/// a square as `<rect>`, the others as a `<path>` drawn around the origin and translated.
fn write_marker(out: &mut String, class: &str, shape: Shape, x: f64, y: f64, fill: &str, r: f64) {
    let stroke = r##"stroke="#FFFFFF" stroke-width="2""##;
    match shape {
        Shape::Circle => {
            let _ = write!(
                out,
                r#"<circle class="{class}" cx="{}" cy="{}" r="{}" fill="{fill}" {stroke}/>"#,
                n(x),
                n(y),
                n(r)
            );
        }
        Shape::Square => {
            let side = r * 1.8;
            let _ = write!(
                out,
                r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" rx="4" fill="{fill}" {stroke}/>"#,
                n(x - side / 2.0),
                n(y - side / 2.0),
                n(side),
                n(side)
            );
        }
        Shape::Diamond | Shape::Triangle | Shape::Hexagon => {
            let _ = write!(
                out,
                r#"<path class="{class}" transform="translate({} {})" d="{}" fill="{fill}" {stroke}/>"#,
                n(x),
                n(y),
                shape_path(shape, r)
            );
        }
    }
}

/// The outline of a shape of half-size `r` around the origin.
fn shape_path(shape: Shape, r: f64) -> String {
    let pts: Vec<(f64, f64)> = match shape {
        Shape::Diamond => {
            let d = r * 1.3;
            vec![(0.0, -d), (d, 0.0), (0.0, d), (-d, 0.0)]
        }
        Shape::Triangle => {
            let d = r * 1.45;
            vec![(0.0, -d), (d * 0.87, d * 0.62), (-d * 0.87, d * 0.62)]
        }
        Shape::Hexagon => {
            let d = r * 1.15;
            (0..6)
                .map(|i| {
                    let a = std::f64::consts::PI / 3.0 * f64::from(i);
                    (d * a.cos(), d * a.sin())
                })
                .collect()
        }
        Shape::Circle | Shape::Square => {
            vec![(-r, -r), (r, -r), (r, r), (-r, r)]
        }
    };
    let mut d = String::new();
    for (i, (px, py)) in pts.iter().enumerate() {
        let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { "L" }, n(*px), n(*py));
    }
    d.push('Z');
    d
}

/// The legend's second part: the marker shapes on the map with their meaning, then the
/// colour rule in at most three lines. Returns its height (0 when there is nothing).
fn write_key(out: &mut String, legend: &Legend, present: &[Shape], x: f64, y: f64, w: f64) -> f64 {
    const ROW: f64 = 30.0;
    let shapes: Vec<&(Shape, String)> = legend
        .shapes
        .iter()
        .filter(|(s, label)| present.contains(s) && !label.trim().is_empty())
        .collect();
    let mut cy = y;
    if !shapes.is_empty() {
        out.push_str(r#"<g class="legend-shapes">"#);
        let mut cx = x;
        let title = legend.shapes_title.trim();
        if !title.is_empty() {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" font-size="{KEY_SIZE}" font-weight="700" fill="{INK}">{}</text>"#,
                n(cx),
                n(cy + 19.0),
                escape(title)
            );
            cx += text_em(title) * KEY_SIZE + 18.0;
        }
        for (shape, label) in shapes {
            let label = label.trim();
            let item_w = 22.0 + 7.0 + text_em(label) * KEY_SIZE;
            if cx + item_w > x + w && cx > x {
                cx = x;
                cy += ROW;
            }
            write_marker(
                out,
                "key-marker",
                *shape,
                cx + 11.0,
                cy + 14.0,
                "#90A4AE",
                8.0,
            );
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" font-size="{KEY_SIZE}" fill="{INK}">{}</text>"#,
                n(cx + 29.0),
                n(cy + 19.0),
                escape(label)
            );
            cx += item_w + 24.0;
        }
        out.push_str("</g>");
        cy += ROW;
    }
    let rule = legend.rule.trim();
    if !rule.is_empty() {
        let lines = break_lines(rule, w / KEY_SIZE, 3, false)
            .map(|b| b.lines)
            .unwrap_or_else(|| vec![truncate(rule, w / KEY_SIZE).unwrap_or_default()]);
        out.push_str(r#"<g class="map-rule">"#);
        for l in lines {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" font-size="{KEY_SIZE}" fill="{MUTED}">{}</text>"#,
                n(x),
                n(cy + 17.0),
                escape(&l)
            );
            cy += KEY_SIZE + 7.0;
        }
        out.push_str("</g>");
        cy += 4.0;
    }
    cy - y
}

/// Nice round steps: 1, 2, 5 × 10^k at or below `v`.
pub(super) fn nice_floor(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    let m = v / p;
    let k = if m >= 5.0 {
        5.0
    } else if m >= 2.0 {
        2.0
    } else {
        1.0
    };
    k * p
}

/// The projection of the district map: equirectangular, scaled uniformly, centred in the
/// map area.
#[derive(Clone, Copy, Debug)]
struct Projection {
    /// cos(mid latitude): how much shorter a degree of longitude is.
    k: f64,
    /// Pixels per degree of latitude.
    s: f64,
    /// Centre in projected degrees (lng·k, lat).
    cx: f64,
    cy: f64,
    /// Centre of the map area in pixels.
    px: f64,
    py: f64,
}

impl Projection {
    /// Fits the bounding box of `pts` (lat, lng) in a `w` wide area at (x0, y0), leaving `pad`
    /// on every side; returns the projection and the area height (from the box's aspect,
    /// between `min_h` and `max_h`).
    fn fit(
        pts: &[(f64, f64)],
        x0: f64,
        y0: f64,
        w: f64,
        pad: f64,
        min_h: f64,
        max_h: f64,
    ) -> (Projection, f64) {
        let (mut lat0, mut lat1, mut lng0, mut lng1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(lat, lng) in pts {
            lat0 = lat0.min(lat);
            lat1 = lat1.max(lat);
            lng0 = lng0.min(lng);
            lng1 = lng1.max(lng);
        }
        let k = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.05);
        let span_x = ((lng1 - lng0) * k).max(MIN_SPAN);
        let span_y = (lat1 - lat0).max(MIN_SPAN);
        let inner_w = w - 2.0 * pad;
        let h = (inner_w * span_y / span_x + 2.0 * pad).clamp(min_h, max_h);
        let s = (inner_w / span_x).min((h - 2.0 * pad) / span_y);
        let proj = Projection {
            k,
            s,
            cx: (lng0 + lng1) / 2.0 * k,
            cy: (lat0 + lat1) / 2.0,
            px: x0 + w / 2.0,
            py: y0 + h / 2.0,
        };
        (proj, h)
    }

    fn xy(&self, lat: f64, lng: f64) -> (f64, f64) {
        (
            self.px + (lng * self.k - self.cx) * self.s,
            self.py - (lat - self.cy) * self.s,
        )
    }

    fn lat_at(&self, y: f64) -> f64 {
        self.cy + (self.py - y) / self.s
    }

    fn lng_at(&self, x: f64) -> f64 {
        (self.cx + (x - self.px) / self.s) / self.k
    }
}

/// Coordinates that can be placed: finite, in range, and not the (0, 0) of an unset value.
fn placeable(s: &MapSchool) -> bool {
    s.lat.is_finite()
        && s.lng.is_finite()
        && s.lat.abs() <= 85.0
        && s.lng.abs() <= 180.0
        && !(s.lat == 0.0 && s.lng == 0.0)
}

fn fmt_deg(v: f64, decimals: usize, pos: char, neg: char) -> String {
    let h = if v < 0.0 { neg } else { pos };
    format!("{:.*}°{h}", decimals, v.abs())
}

/// The district map: schools placed by their coordinates (equirectangular projection of the
/// bounding box of the given schools, with a margin and the aspect corrected by cos(latitude)),
/// drawn in their [`Shape`] (the kind of school) filled with their shade, each with a
/// <title> (name + code, the shade's legend text and the caller's `tip` lines: the counts
/// behind the colour) and an optional link, the school's short name next to its marker
/// (`<text class="label">`, [`LABEL_SIZE`] units, where it does not collide: a greedy check
/// over sixteen spots, then the abbreviated name), a scale bar in km, the title, and a legend
/// of the colours (with counts), of the shapes on the map and of the colour rule
/// (`legend.rule`). Works with 1 school (no division by zero) and with 0 (an empty map with a
/// note).
///
/// Schools without usable coordinates (not finite, out of range, or exactly 0, 0) are left
/// out; when none is left the map is the empty one. Red markers are drawn last (on top) and
/// labelled first.
///
/// A school with open warnings (`alert`) keeps its marker's colour and gets a ring in the
/// warning's colour around it (`<g class="alert-ring" data-level>`, inside the school's
/// group), with the warnings added to its tooltip; such schools are drawn on top and labelled
/// first, and the legend counts them.
pub fn district_map(
    title: &str,
    schools: &[MapSchool],
    legend: &Legend,
    empty_note: &str,
) -> String {
    let width = 1000.0;
    let (x0, y0) = (MARGIN, HEADER);
    let mw = width - 2.0 * MARGIN;
    let pad = 56.0;
    let valid: Vec<&MapSchool> = schools.iter().filter(|s| placeable(s)).collect();
    let pts: Vec<(f64, f64)> = valid.iter().map(|s| (s.lat, s.lng)).collect();
    let (proj, mh) = if pts.is_empty() {
        (None, 440.0)
    } else {
        let (p, h) = Projection::fit(&pts, x0, y0, mw, pad, 440.0, 820.0);
        (Some(p), h)
    };
    let frame = BoxF {
        x: x0,
        y: y0,
        w: mw,
        h: mh,
    };

    let mut counts = [0usize; 5];
    for s in &valid {
        if let Some(i) = Shade::ALL.iter().position(|x| *x == s.shade) {
            counts[i] += 1;
        }
    }
    let alerted = valid.iter().filter(|s| shown(&s.alert).is_some()).count();
    let mut legend_svg = String::new();
    let legend_top = y0 + mh + 14.0;
    let legend_h = write_legend(
        &mut legend_svg,
        legend,
        MARGIN,
        legend_top,
        mw,
        Some(counts),
        Some((Swatch::Ring, Some(alerted))),
    );
    let mut present: Vec<Shape> = Vec::new();
    for s in &valid {
        if !present.contains(&s.shape) {
            present.push(s.shape);
        }
    }
    let key_h = write_key(
        &mut legend_svg,
        legend,
        &present,
        MARGIN,
        legend_top + legend_h,
        mw,
    );
    let height = legend_top + legend_h + key_h + 12.0;

    let mut out = String::with_capacity(8192 + valid.len() * 500);
    let label = if legend.title.trim().is_empty() {
        title.to_string()
    } else {
        format!("{} — {}", title, legend.title)
    };
    svg_open(&mut out, "district-map", width, height, &label);
    let _ = write!(out, "<title>{}</title>", escape(&label));
    let _ = write!(
        out,
        r#"<rect width="{}" height="{}" fill="{PAPER}"/>"#,
        n(width),
        n(height)
    );
    write_title(&mut out, title, MARGIN, 42.0, mw - 50.0);
    write_north_arrow(&mut out, width - MARGIN - 16.0, 10.0);
    let _ = write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#F7F9FA"/>"##,
        n(x0),
        n(y0),
        n(mw),
        n(mh)
    );

    let Some(proj) = proj else {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="18" fill="{MUTED}">{}</text>"#,
            n(x0 + mw / 2.0),
            n(y0 + mh / 2.0 + 6.0),
            escape(&truncate(empty_note, (mw - 40.0) / 18.0).unwrap_or_default())
        );
        let _ = write!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="none" stroke="#B0BEC5" stroke-width="1.5"/>"##,
            n(x0),
            n(y0),
            n(mw),
            n(mh)
        );
        out.push_str(&legend_svg);
        out.push_str("</svg>");
        return out;
    };

    // Markers, in drawing order (least severe first, so red is on top).
    let mut items: Vec<(&MapSchool, f64, f64)> = valid
        .iter()
        .map(|s| {
            let (x, y) = proj.xy(s.lat, s.lng);
            (*s, x, y)
        })
        .collect();
    // A school's severity for the drawing order: open warnings first, then the risk colour.
    let severity = |s: &MapSchool| {
        (
            shown(&s.alert).map_or(0, |a| a.level.rank()),
            s.shade.rank(),
        )
    };
    items.sort_by(|a, b| {
        severity(a.0)
            .cmp(&severity(b.0))
            .then_with(|| a.0.code.cmp(&b.0.code))
    });
    let radius = |s: &MapSchool| {
        if shown(&s.alert).is_some() {
            RING_R + 2.5
        } else if matches!(s.shape, Shape::Diamond | Shape::Triangle) {
            MARKER_R * 1.35
        } else {
            MARKER_R
        }
    };
    let marker_box = |s: &MapSchool, x: f64, y: f64| {
        let r = radius(s) + 1.0;
        BoxF {
            x: x - r,
            y: y - r,
            w: 2.0 * r,
            h: 2.0 * r,
        }
    };
    let mut occupied: Vec<BoxF> = items
        .iter()
        .map(|(s, x, y)| marker_box(s, *x, *y))
        .collect();

    // Scale bar (bottom right), about a fifth of the map width.
    let km_per_px = KM_PER_DEG / proj.s;
    let bar_km = nice_floor(mw * 0.18 * km_per_px);
    let bar_px = bar_km / km_per_px;
    let bar_text = if bar_km >= 1.0 {
        format!("{} km", n(bar_km))
    } else {
        format!("{} m", n(bar_km * 1000.0))
    };
    // Room on the right for half of the centred length label.
    let bar_right = (text_em(&bar_text) * 11.0 / 2.0).max(8.0) + 10.0;
    let bar_box = BoxF {
        x: x0 + mw - 12.0 - bar_right - bar_px - 14.0,
        y: y0 + mh - 12.0 - 34.0,
        w: 14.0 + bar_px + bar_right,
        h: 34.0,
    };
    occupied.push(bar_box);

    // Name labels: greedy, most severe first; the short name at the first free spot of
    // eight around the marker (then eight a little further out), else its abbreviation the
    // same way; a school whose label finds no room keeps its tooltip (and the table's row).
    let mut by_priority: Vec<usize> = (0..items.len()).collect();
    by_priority.sort_by(|&a, &b| {
        severity(items[b].0)
            .cmp(&severity(items[a].0))
            .then_with(|| items[a].0.code.cmp(&items[b].0.code))
    });
    let mut labels: Vec<(BoxF, String, String)> = Vec::new();
    'school: for i in by_priority {
        let (s, x, y) = items[i];
        let short = short_name(&s.name);
        let short = if short.is_empty() {
            s.code.trim().to_string()
        } else {
            short
        };
        if short.is_empty() {
            continue;
        }
        let short: String = short.chars().take(12).collect();
        let abbr = abbreviated(&short);
        let mut texts = vec![short];
        if abbr != texts[0] {
            texts.push(abbr);
        }
        for text in texts {
            let w = text_em(&text) * LABEL_SIZE;
            let h = LABEL_SIZE + 3.0;
            for far in [3.0, 12.0] {
                let r = radius(s) + far;
                let d = r * 0.72;
                let candidates = [
                    (x + r, y - h / 2.0),
                    (x - r - w, y - h / 2.0),
                    (x - w / 2.0, y - r - h),
                    (x - w / 2.0, y + r),
                    (x + d, y - d - h),
                    (x + d, y + d),
                    (x - d - w, y - d - h),
                    (x - d - w, y + d),
                ];
                for (bx, by) in candidates {
                    let b = BoxF { x: bx, y: by, w, h };
                    if b.within(&frame) && !occupied.iter().any(|o| o.hits(&b)) {
                        occupied.push(b);
                        labels.push((b, text, s.code.clone()));
                        continue 'school;
                    }
                }
            }
        }
    }

    // Graticule: lines every `step` degrees, labelled on the left and bottom edges where free.
    let lat_top = proj.lat_at(y0);
    let lat_bottom = proj.lat_at(y0 + mh);
    let lng_left = proj.lng_at(x0);
    let lng_right = proj.lng_at(x0 + mw);
    let step = {
        let mut st = nice_floor((lat_top - lat_bottom) / 4.0);
        while (lng_right - lng_left) / st > 9.0 || (lat_top - lat_bottom) / st > 9.0 {
            st *= 2.0;
        }
        st
    };
    let decimals = (-step.log10()).ceil().clamp(0.0, 6.0) as usize;
    let mut grid = String::new();
    let mut grid_labels = String::new();
    let mut v = (lat_bottom / step).ceil() * step;
    while v < lat_top {
        let (_, y) = proj.xy(v, 0.0);
        let _ = write!(grid, "M{} {}H{}", n(x0), n(y), n(x0 + mw));
        let t = fmt_deg(v, decimals, 'N', 'S');
        let b = BoxF {
            x: x0 + 6.0,
            y: y - 15.0,
            w: text_em(&t) * 11.0,
            h: 13.0,
        };
        if b.within(&frame) && !occupied.iter().any(|o| o.hits(&b)) {
            let _ = write!(
                grid_labels,
                r#"<text x="{}" y="{}" font-size="11" fill="{MUTED}">{}</text>"#,
                n(b.x),
                n(y - 4.0),
                escape(&t)
            );
        }
        v += step;
    }
    let mut v = (lng_left / step).ceil() * step;
    while v < lng_right {
        let (x, _) = proj.xy(proj.cy, v);
        let _ = write!(grid, "M{} {}V{}", n(x), n(y0), n(y0 + mh));
        let t = fmt_deg(v, decimals, 'E', 'W');
        let b = BoxF {
            x: x + 4.0,
            y: y0 + mh - 19.0,
            w: text_em(&t) * 11.0,
            h: 13.0,
        };
        if b.within(&frame) && !occupied.iter().any(|o| o.hits(&b)) {
            let _ = write!(
                grid_labels,
                r#"<text x="{}" y="{}" font-size="11" fill="{MUTED}">{}</text>"#,
                n(b.x),
                n(y0 + mh - 8.0),
                escape(&t)
            );
        }
        v += step;
    }
    let _ = write!(
        out,
        r##"<path class="graticule" d="{grid}" fill="none" stroke="#E3E8EB" stroke-width="1"/>{grid_labels}"##
    );

    for (s, x, y) in &items {
        let href = s.href.as_deref().and_then(safe_href);
        if let Some(h) = &href {
            let _ = write!(out, r#"<a class="school-link" href="{h}">"#);
        }
        let mut tip = s.name.trim().to_string();
        if !s.code.trim().is_empty() {
            let _ = write!(tip, "（{}）", s.code.trim());
        }
        let _ = write!(tip, "\n{}", s.shade.label(legend));
        for line in s.tip.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
            let _ = write!(tip, "\n{line}");
        }
        let alert = shown(&s.alert);
        if let Some(a) = alert {
            let _ = write!(tip, "\n{}", a.text.trim());
        }
        let _ = write!(
            out,
            r#"<g class="school" data-code="{}"><title>{}</title>"#,
            escape(&s.code),
            escape(&tip)
        );

        write_marker(
            &mut out,
            "marker",
            s.shape,
            *x,
            *y,
            s.shade.fill(),
            MARKER_R,
        );
        if s.shade == Shade::None {
            // A thin outline so grey markers stand out from the grey ground.
            let _ = write!(
                out,
                r##"<circle cx="{}" cy="{}" r="2.5" fill="#90A4AE"/>"##,
                n(*x),
                n(*y)
            );
        }
        if let Some(a) = alert {
            write_ring(&mut out, a, *x, *y, RING_R);
        }
        out.push_str("</g>");
        if href.is_some() {
            out.push_str("</a>");
        }
    }
    for (b, text, code) in &labels {
        let _ = write!(
            out,
            r##"<text class="label" data-code="{}" x="{}" y="{}" font-size="{LABEL_SIZE}" font-weight="600" fill="#263238" stroke="#FFFFFF" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke">{}</text>"##,
            escape(code),
            n(b.x),
            n(b.y + LABEL_SIZE * 0.95),
            escape(text)
        );
    }

    // Scale bar: two segments, "0" and the length.
    let bx = bar_box.x + 14.0;
    let by = bar_box.y + 22.0;
    let half = bar_px / 2.0;
    let _ = write!(
        out,
        concat!(
            r##"<g class="scale-bar"><rect x="{bgx}" y="{bgy}" width="{bgw}" height="{bgh}" rx="4" fill="#FFFFFF" fill-opacity="0.85"/>"##,
            r##"<rect x="{bx}" y="{by}" width="{half}" height="5" fill="#37474F"/>"##,
            r##"<rect x="{mid}" y="{by}" width="{half}" height="5" fill="#FFFFFF" stroke="#37474F" stroke-width="1"/>"##,
            r##"<text x="{bx}" y="{ty}" text-anchor="middle" font-size="11" fill="#37474F">0</text>"##,
            r##"<text x="{end}" y="{ty}" text-anchor="middle" font-size="11" fill="#37474F">{label}</text></g>"##
        ),
        bgx = n(bar_box.x),
        bgy = n(bar_box.y),
        bgw = n(bar_box.w),
        bgh = n(bar_box.h),
        bx = n(bx),
        by = n(by),
        half = n(half),
        mid = n(bx + half),
        ty = n(by - 5.0),
        end = n(bx + bar_px),
        label = escape(&bar_text),
    );
    let _ = write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="none" stroke="#B0BEC5" stroke-width="1.5"/>"##,
        n(x0),
        n(y0),
        n(mw),
        n(mh)
    );
    out.push_str(&legend_svg);
    out.push_str("</svg>");
    out
}
