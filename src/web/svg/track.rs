//! A bus trip's track map: the route's path and stops, the positions the bus's GPS sent
//! during the trip, and the warnings raised on the way, placed by their coordinates
//! (equirectangular with the aspect corrected by cos(latitude), as the district map; no
//! tiles). Hooks for page CSS: `track-map`, `route-path`, `track`, `track-point`, `stop`,
//! `track-start`, `track-end`, `warning-mark` (with `data-rule` and `data-level`),
//! `track-legend`.

use super::frame::{MARGIN, svg_open, write_north_arrow, write_title};
use super::marks::level_code;
use super::text::{escape, n, text_em, truncate};
use super::{INK, MUTED, PAPER, Shade};
use std::fmt::Write;

/// The drawing's width (the height follows the track's aspect).
const W: f64 = 1000.0;
/// The band above the map (title, north arrow).
const HEAD: f64 = 64.0;
/// The smallest extent shown, in degrees (about 500 m), so a bus standing still gets a map.
const MIN_SPAN: f64 = 0.005;
/// Mean length of one degree of latitude, in metres.
const M_PER_DEG: f64 = 111_195.0;
const PAD: f64 = 36.0;
const LEGEND_ROW: f64 = 28.0;
const PATH_COLOUR: &str = "#90A4AE";
const TRACK_COLOUR: &str = "#1565C0";
const STOP_COLOUR: &str = "#2E7D32";

/// A stop of the route.
#[derive(Clone, Debug)]
pub struct TrackStop {
    pub name: String,
    pub time: String,
    pub lat: f64,
    pub lon: f64,
}

/// A warning raised during the trip, placed where the bus was when it was raised.
#[derive(Clone, Debug)]
pub struct TrackMark {
    /// Its number in the legend (1, 2 …).
    pub number: usize,
    /// The rule's code (`bus_speeding`, `bus_deviation` …).
    pub rule: String,
    pub level: Shade,
    pub lat: f64,
    pub lon: f64,
    /// The legend's line, already translated (rule, time, value).
    pub text: String,
    pub href: Option<String>,
}

/// The legend's texts, already translated.
#[derive(Clone, Debug)]
pub struct TrackLegend {
    pub path: String,
    pub track: String,
    pub stop: String,
    pub start: String,
    pub end: String,
    pub warnings: String,
    /// Shown when there is nothing to place.
    pub empty: String,
}

/// Everything the map shows.
#[derive(Clone, Debug)]
pub struct TrackDrawing {
    pub title: String,
    /// The route's path (lat, lon), in order.
    pub path: Vec<(f64, f64)>,
    pub stops: Vec<TrackStop>,
    /// The bus's positions (lat, lon), oldest first.
    pub points: Vec<(f64, f64)>,
    pub marks: Vec<TrackMark>,
    pub legend: TrackLegend,
}

fn placeable(lat: f64, lon: f64) -> bool {
    lat.is_finite()
        && lon.is_finite()
        && lat.abs() <= 85.0
        && lon.abs() <= 180.0
        && !(lat == 0.0 && lon == 0.0)
}

/// The projection: equirectangular, scaled uniformly, centred in the map area.
#[derive(Clone, Copy, Debug)]
struct Projection {
    k: f64,
    s: f64,
    cx: f64,
    cy: f64,
    px: f64,
    py: f64,
}

impl Projection {
    fn fit(pts: &[(f64, f64)], x0: f64, y0: f64, w: f64, min_h: f64, max_h: f64) -> (Self, f64) {
        let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(lat, lon) in pts {
            lat0 = lat0.min(lat);
            lat1 = lat1.max(lat);
            lon0 = lon0.min(lon);
            lon1 = lon1.max(lon);
        }
        if pts.is_empty() {
            (lat0, lat1, lon0, lon1) = (0.0, 0.0, 0.0, 0.0);
        }
        let k = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.05);
        let span_x = ((lon1 - lon0) * k).max(MIN_SPAN);
        let span_y = (lat1 - lat0).max(MIN_SPAN);
        let inner_w = w - 2.0 * PAD;
        let h = (inner_w * span_y / span_x + 2.0 * PAD).clamp(min_h, max_h);
        let s = (inner_w / span_x).min((h - 2.0 * PAD) / span_y);
        (
            Projection {
                k,
                s,
                cx: (lon0 + lon1) / 2.0 * k,
                cy: (lat0 + lat1) / 2.0,
                px: x0 + w / 2.0,
                py: y0 + h / 2.0,
            },
            h,
        )
    }

    fn xy(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            self.px + (lon * self.k - self.cx) * self.s,
            self.py - (lat - self.cy) * self.s,
        )
    }
}

fn polyline(out: &mut String, p: &Projection, pts: &[(f64, f64)], class: &str, attrs: &str) {
    let coords: Vec<String> = pts
        .iter()
        .map(|&(lat, lon)| {
            let (x, y) = p.xy(lat, lon);
            format!("{},{}", n(x), n(y))
        })
        .collect();
    let _ = write!(
        out,
        r#"<polyline class="{class}" data-count="{}" points="{}" fill="none" {attrs}/>"#,
        pts.len(),
        coords.join(" ")
    );
}

/// A scale bar of a round number of metres, at most 200 px long.
fn write_scale(out: &mut String, p: &Projection, x: f64, y: f64) {
    let metres_per_px = M_PER_DEG / p.s;
    let raw = metres_per_px * 200.0;
    let step = super::district::nice_floor(raw);
    let len = step / metres_per_px;
    let label = if step >= 1000.0 {
        format!("{} km", step / 1000.0)
    } else {
        format!("{step} m")
    };
    let _ = write!(
        out,
        r#"<g class="scale-bar"><path d="M{x0} {y0}V{y1}H{x1}V{y0}" fill="none" stroke="{INK}" stroke-width="2"/><text x="{tx}" y="{ty}" font-size="13" fill="{INK}">{label}</text></g>"#,
        x0 = n(x),
        y0 = n(y - 6.0),
        y1 = n(y),
        x1 = n(x + len),
        tx = n(x + len + 8.0),
        ty = n(y),
    );
}

/// The track map (see the module's text). Positions that cannot be placed are left out;
/// with nothing to place the map is an empty frame with the legend's note.
pub fn track_map(d: &TrackDrawing) -> String {
    let path: Vec<(f64, f64)> = d
        .path
        .iter()
        .copied()
        .filter(|&(a, b)| placeable(a, b))
        .collect();
    let points: Vec<(f64, f64)> = d
        .points
        .iter()
        .copied()
        .filter(|&(a, b)| placeable(a, b))
        .collect();
    let stops: Vec<&TrackStop> = d.stops.iter().filter(|s| placeable(s.lat, s.lon)).collect();
    let marks: Vec<&TrackMark> = d.marks.iter().filter(|m| placeable(m.lat, m.lon)).collect();
    let mut all: Vec<(f64, f64)> = path.clone();
    all.extend(points.iter().copied());
    all.extend(stops.iter().map(|s| (s.lat, s.lon)));
    all.extend(marks.iter().map(|m| (m.lat, m.lon)));

    let top = MARGIN + HEAD;
    let (proj, map_h) = Projection::fit(&all, MARGIN, top, W - 2.0 * MARGIN, 320.0, 900.0);
    // The legend: four fixed entries on one row, then one row per warning.
    let legend_top = top + map_h + 16.0;
    let legend_h = LEGEND_ROW * (1.0 + d.marks.len() as f64) + 8.0;
    let h = legend_top + legend_h + MARGIN;

    let mut out = String::with_capacity(4096 + 24 * points.len());
    svg_open(&mut out, "track-map", W, h, &d.title);
    let _ = write!(
        out,
        r#"<rect x="0" y="0" width="{}" height="{}" fill="{PAPER}"/>"#,
        n(W),
        n(h)
    );
    write_title(
        &mut out,
        &d.title,
        MARGIN,
        MARGIN + 30.0,
        W - 2.0 * MARGIN - 60.0,
    );
    write_north_arrow(&mut out, W - MARGIN - 20.0, MARGIN);
    let _ = write!(
        out,
        r##"<rect class="map-area" x="{}" y="{}" width="{}" height="{}" fill="#F5F7F8" stroke="#CFD8DC"/>"##,
        n(MARGIN),
        n(top),
        n(W - 2.0 * MARGIN),
        n(map_h)
    );
    if all.is_empty() {
        let _ = write!(
            out,
            r#"<text class="track-empty" x="{}" y="{}" text-anchor="middle" font-size="18" fill="{MUTED}">{}</text>"#,
            n(W / 2.0),
            n(top + map_h / 2.0),
            escape(&d.legend.empty)
        );
    } else {
        if path.len() >= 2 {
            polyline(
                &mut out,
                &proj,
                &path,
                "route-path",
                &format!(
                    r#"stroke="{PATH_COLOUR}" stroke-width="10" stroke-linecap="round" stroke-linejoin="round" stroke-opacity="0.6""#
                ),
            );
        }
        for s in &stops {
            let (x, y) = proj.xy(s.lat, s.lon);
            let _ = write!(
                out,
                r#"<g class="stop"><title>{} {}</title><circle cx="{}" cy="{}" r="8" fill="{PAPER}" stroke="{STOP_COLOUR}" stroke-width="4"/>"#,
                escape(&s.time),
                escape(&s.name),
                n(x),
                n(y)
            );
            if let Some(label) = truncate(&s.name, 8.0) {
                let _ = write!(
                    out,
                    r#"<text x="{}" y="{}" font-size="14" fill="{STOP_COLOUR}" stroke="{PAPER}" stroke-width="3" paint-order="stroke">{}</text>"#,
                    n(x + 12.0),
                    n(y - 10.0),
                    escape(&label)
                );
            }
            out.push_str("</g>");
        }
        if points.len() >= 2 {
            polyline(
                &mut out,
                &proj,
                &points,
                "track",
                &format!(
                    r#"stroke="{TRACK_COLOUR}" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round""#
                ),
            );
        }
        out.push_str(r#"<g class="track-points">"#);
        for &(lat, lon) in &points {
            let (x, y) = proj.xy(lat, lon);
            let _ = write!(
                out,
                r#"<circle class="track-point" cx="{}" cy="{}" r="2.5" fill="{TRACK_COLOUR}"/>"#,
                n(x),
                n(y)
            );
        }
        out.push_str("</g>");
        if let (Some(first), Some(last)) = (points.first(), points.last()) {
            let (x, y) = proj.xy(first.0, first.1);
            let _ = write!(
                out,
                r#"<circle class="track-start" cx="{}" cy="{}" r="7" fill="{TRACK_COLOUR}" stroke="{PAPER}" stroke-width="2"><title>{}</title></circle>"#,
                n(x),
                n(y),
                escape(&d.legend.start)
            );
            let (x, y) = proj.xy(last.0, last.1);
            let _ = write!(
                out,
                r#"<rect class="track-end" x="{}" y="{}" width="14" height="14" fill="{INK}" stroke="{PAPER}" stroke-width="2"><title>{}</title></rect>"#,
                n(x - 7.0),
                n(y - 7.0),
                escape(&d.legend.end)
            );
        }
        for m in &marks {
            let (x, y) = proj.xy(m.lat, m.lon);
            write_mark(&mut out, m, x, y);
        }
        write_scale(&mut out, &proj, MARGIN + 14.0, top + map_h - 14.0);
    }
    write_legend(&mut out, d, legend_top);
    out.push_str("</svg>");
    out
}

/// A warning's mark: a triangle in the level's colour with its number, linked when it has
/// a link.
fn write_mark(out: &mut String, m: &TrackMark, x: f64, y: f64) {
    let link = m.href.as_deref().and_then(super::text::safe_href);
    if let Some(h) = &link {
        let _ = write!(out, r#"<a href="{h}">"#);
    }
    let _ = write!(
        out,
        r#"<g class="warning-mark" data-rule="{}" data-level="{}"><title>{}</title><path d="M{} {}L{} {}L{} {}Z" fill="{}" stroke="{INK}" stroke-width="1.5"/><text x="{}" y="{}" text-anchor="middle" font-size="13" font-weight="700" fill="{}">{}</text></g>"#,
        escape(&m.rule),
        level_code(m.level),
        escape(&m.text),
        n(x),
        n(y - 30.0),
        n(x - 14.0),
        n(y - 6.0),
        n(x + 14.0),
        n(y - 6.0),
        m.level.fill(),
        n(x),
        n(y - 10.0),
        m.level.ink(),
        m.number
    );
    if link.is_some() {
        out.push_str("</a>");
    }
}

fn write_legend(out: &mut String, d: &TrackDrawing, y: f64) {
    const SIZE: f64 = 15.0;
    let l = &d.legend;
    out.push_str(r#"<g class="track-legend">"#);
    let mut x = MARGIN;
    let base = y + 18.0;
    let _ = write!(
        out,
        r#"<path d="M{} {}H{}" stroke="{PATH_COLOUR}" stroke-width="8" stroke-opacity="0.6"/>"#,
        n(x),
        n(base - 5.0),
        n(x + 28.0)
    );
    x += 36.0;
    let item = |out: &mut String, x: &mut f64, text: &str| {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{SIZE}" fill="{INK}">{}</text>"#,
            n(*x),
            n(base),
            escape(text)
        );
        *x += text_em(text) * SIZE + 22.0;
    };
    item(out, &mut x, &l.path);
    let _ = write!(
        out,
        r#"<path d="M{} {}H{}" stroke="{TRACK_COLOUR}" stroke-width="3.5"/>"#,
        n(x),
        n(base - 5.0),
        n(x + 28.0)
    );
    x += 36.0;
    item(out, &mut x, &l.track);
    let _ = write!(
        out,
        r#"<circle cx="{}" cy="{}" r="6" fill="{PAPER}" stroke="{STOP_COLOUR}" stroke-width="3"/>"#,
        n(x + 6.0),
        n(base - 5.0)
    );
    x += 18.0;
    item(out, &mut x, &l.stop);
    let _ = write!(
        out,
        r#"<circle cx="{}" cy="{}" r="6" fill="{TRACK_COLOUR}"/>"#,
        n(x + 6.0),
        n(base - 5.0)
    );
    x += 18.0;
    item(out, &mut x, &l.start);
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="12" height="12" fill="{INK}"/>"#,
        n(x),
        n(base - 11.0)
    );
    x += 18.0;
    item(out, &mut x, &l.end);
    let _ = x;
    for (i, m) in d.marks.iter().enumerate() {
        let b = base + LEGEND_ROW * (i as f64 + 1.0);
        let _ = write!(
            out,
            r#"<g class="legend-warning" data-rule="{}"><path d="M{} {}L{} {}L{} {}Z" fill="{}" stroke="{INK}" stroke-width="1"/><text x="{}" y="{}" text-anchor="middle" font-size="11" font-weight="700" fill="{}">{}</text><text x="{}" y="{}" font-size="{SIZE}" fill="{INK}">{}</text></g>"#,
            escape(&m.rule),
            n(MARGIN + 11.0),
            n(b - 18.0),
            n(MARGIN),
            n(b + 2.0),
            n(MARGIN + 22.0),
            n(b + 2.0),
            m.level.fill(),
            n(MARGIN + 11.0),
            n(b - 1.0),
            m.level.ink(),
            m.number,
            n(MARGIN + 32.0),
            n(b),
            escape(&truncate(&m.text, (W - 2.0 * MARGIN - 40.0) / SIZE).unwrap_or_default())
        );
    }
    if d.marks.is_empty() && !l.warnings.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{SIZE}" fill="{MUTED}">{}</text>"#,
            n(MARGIN),
            n(base + LEGEND_ROW),
            escape(&l.warnings)
        );
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legend() -> TrackLegend {
        TrackLegend {
            path: "线路".into(),
            track: "轨迹".into(),
            stop: "站点".into(),
            start: "起点".into(),
            end: "当前位置".into(),
            warnings: "无预警".into(),
            empty: "暂无位置".into(),
        }
    }

    #[test]
    fn draws_every_point_and_mark_and_survives_nothing() {
        let d = TrackDrawing {
            title: "一号线 <早班>".into(),
            path: vec![(43.88, 125.30), (43.88, 125.32)],
            stops: vec![TrackStop {
                name: "东站".into(),
                time: "07:00".into(),
                lat: 43.88,
                lon: 125.30,
            }],
            points: vec![
                (43.8801, 125.301),
                (43.8802, 125.305),
                (f64::NAN, 1.0),
                (43.8803, 125.31),
            ],
            marks: vec![TrackMark {
                number: 1,
                rule: "bus_speeding".into(),
                level: Shade::Orange,
                lat: 43.8802,
                lon: 125.305,
                text: "超速 75 km/h".into(),
                href: Some("/warnings/7".into()),
            }],
            legend: legend(),
        };
        let svg = track_map(&d);
        assert!(svg.contains(r#"class="track" data-count="3""#), "{svg}");
        assert_eq!(svg.matches(r#"class="track-point""#).count(), 3);
        assert_eq!(svg.matches(r#"class="warning-mark""#).count(), 1);
        assert!(svg.contains(r#"data-rule="bus_speeding" data-level="orange""#));
        assert!(svg.contains("&lt;早班&gt;"));
        assert!(svg.contains(r#"href="/warnings/7""#));
        assert!(!svg.contains("NaN"));
        let empty = track_map(&TrackDrawing {
            path: vec![],
            stops: vec![],
            points: vec![],
            marks: vec![],
            ..d
        });
        assert!(empty.contains("track-empty") && !empty.contains("NaN"));
    }
}
