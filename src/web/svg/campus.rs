//! The school's four-colour campus risk map (风险四色图).

use super::frame::{
    HEADER, MARGIN, PILL_H, pill_width, svg_open, write_legend, write_lines, write_north_arrow,
    write_pill, write_title,
};
use super::marks::{
    BADGE_H, OUTLINE_BAND, Swatch, badge_width, shown, write_badge, write_zone_outline,
};
use super::text::{escape, fit, n, safe_href, truncate};
use super::{Legend, MapNote, MapZone, PAPER};
use std::collections::HashMap;
use std::fmt::Write;

pub(super) const PLAN_W: f64 = 1000.0;
pub(super) const PLAN_H: f64 = 700.0;
/// Height of the name band at the top of a zone that has child zones drawn in it.
pub(super) const ZONE_HEAD: f64 = 30.0;
pub(super) const ZONE_SIZES: [f64; 8] = [22.0, 20.0, 18.0, 16.0, 15.0, 14.0, 13.0, 12.0];

/// A zone's rectangle as drawn, in plan units.
#[derive(Clone, Copy, Debug)]
pub(super) struct Placed {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
    /// Whether other zones are drawn inside this one.
    has_children: bool,
    /// Whether the zone has a name band on top (it has children and room for the band).
    head: bool,
    pub(super) depth: usize,
}

impl Placed {
    /// Where children go: under the name band, inset.
    fn content(&self) -> (f64, f64, f64, f64) {
        let top = if self.head { ZONE_HEAD } else { 4.0 };
        let (x, y, w, h) = (self.x + 4.0, self.y + top, self.w - 8.0, self.h - top - 4.0);
        if w > 1.0 && h > 1.0 {
            (x, y, w, h)
        } else {
            (self.x, self.y, self.w, self.h)
        }
    }
}

/// Fits (x, y, w, h) inside the box (bx, by, bw, bh) by shrinking then shifting.
fn clamp_into(r: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> (f64, f64, f64, f64) {
    let w = r.2.min(b.2);
    let h = r.3.min(b.3);
    let x = r.0.clamp(b.0, b.0 + b.2 - w);
    let y = r.1.clamp(b.1, b.1 + b.3 - h);
    (x, y, w, h)
}

/// Lays the zones out: top-level zones clamped into the plan, each child mapped from its
/// parent's rectangle into the parent's drawn content area (so children are always inside,
/// below the parent's name band). Zones with an empty rectangle are left out; a parent that is
/// missing, not drawable or part of a cycle makes the zone top-level.
pub(super) fn layout(zones: &[MapZone]) -> Vec<Option<Placed>> {
    let count = zones.len();
    let drawable = |z: &MapZone| z.rect.2 > 0 && z.rect.3 > 0;
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (i, z) in zones.iter().enumerate() {
        if drawable(z) {
            index.entry(z.id).or_insert(i);
        }
    }
    let raw_parent = |i: usize| -> Option<usize> {
        zones[i]
            .parent
            .and_then(|p| index.get(&p).copied())
            .filter(|&p| p != i)
    };
    // Effective parent: only when the chain of parents ends (no cycle).
    let parent: Vec<Option<usize>> = (0..count)
        .map(|i| {
            let p = raw_parent(i)?;
            let mut cur = p;
            for _ in 0..=count {
                match raw_parent(cur) {
                    None => return Some(p),
                    Some(next) => cur = next,
                }
            }
            None
        })
        .collect();
    let depth = |i: usize| {
        let mut d = 0;
        let mut cur = i;
        while let Some(p) = parent[cur] {
            d += 1;
            cur = p;
        }
        d
    };
    let mut has_children = vec![false; count];
    for i in 0..count {
        if drawable(&zones[i])
            && let Some(p) = parent[i]
        {
            has_children[p] = true;
        }
    }
    let mut order: Vec<usize> = (0..count).filter(|&i| drawable(&zones[i])).collect();
    order.sort_by_key(|&i| depth(i));
    let mut placed: Vec<Option<Placed>> = vec![None; count];
    let f = |r: (i32, i32, i32, i32)| (r.0 as f64, r.1 as f64, r.2 as f64, r.3 as f64);
    for i in order {
        let z = &zones[i];
        let raw = f(z.rect);
        let (x, y, w, h) = match parent[i].and_then(|p| placed[p].map(|pp| (p, pp))) {
            None => clamp_into(raw, (0.0, 0.0, PLAN_W, PLAN_H)),
            Some((p, pp)) => {
                let pr = clamp_into(f(zones[p].rect), (0.0, 0.0, PLAN_W, PLAN_H));
                let r = clamp_into(raw, pr);
                let (cx, cy, cw, ch) = pp.content();
                let sx = cw / pr.2;
                let sy = ch / pr.3;
                (
                    cx + (r.0 - pr.0) * sx,
                    cy + (r.1 - pr.1) * sy,
                    r.2 * sx,
                    r.3 * sy,
                )
            }
        };
        let head = has_children[i] && h >= 80.0 && w >= 70.0;
        placed[i] = Some(Placed {
            x,
            y,
            w,
            h,
            has_children: has_children[i],
            head,
            depth: depth(i),
        });
    }
    placed
}

fn zone_tooltip(z: &MapZone, legend: &Legend) -> String {
    let mut t = z.name.trim().to_string();
    if !z.code.trim().is_empty() {
        let _ = write!(t, "（{}）", z.code.trim());
    }
    let _ = write!(t, "\n{} · {}", z.shade.label(legend), z.points);
    if let Some(a) = shown(&z.alert) {
        let _ = write!(t, "\n{}", a.text.trim());
    }
    t
}

/// Where a zone's ⚠ badge goes (its top-left corner), and the box left for the zone's label
/// (clear of the outline's band and of the badge):
/// - a zone with a name band: in the band, at its right end (the band's name and count make
///   room: see [`write_zone_head`]);
/// - a tall zone: its top-right corner, the label under it;
/// - a flat zone: its right end, the label beside it;
/// - a zone too small for both: centred on its top edge, half outside, the label under it
///   when there is room.
fn badge_spot(p: &Placed) -> ((f64, f64), Option<Placed>) {
    let (bw, bh, band) = (badge_width(), BADGE_H, OUTLINE_BAND);
    if p.head {
        let at = (p.x + p.w - 6.0 - bw, p.y + (ZONE_HEAD - bh).max(0.0) / 2.0);
        return (at, Some(*p));
    }
    if p.h >= 2.0 * bh + 30.0 && p.w >= bw + 30.0 {
        let at = (p.x + p.w - 6.0 - bw, p.y + 6.0);
        let top = bh + 8.0;
        let label = Placed {
            x: p.x + band,
            y: p.y + top,
            w: p.w - 2.0 * band,
            h: p.h - top - band,
            ..*p
        };
        return (at, Some(label));
    }
    if p.w >= bw + 60.0 && p.h >= bh + 4.0 {
        let at = (p.x + p.w - 6.0 - bw, p.y + (p.h - bh) / 2.0);
        let label = Placed {
            x: p.x + band,
            y: p.y + band,
            w: p.w - bw - 10.0 - band,
            h: p.h - 2.0 * band,
            ..*p
        };
        return (at, Some(label));
    }
    let at = (p.x + (p.w - bw) / 2.0, p.y - bh / 2.0);
    let top = bh / 2.0 + 2.0;
    let label = Placed {
        x: p.x + band,
        y: p.y + top,
        w: p.w - 2.0 * band,
        h: p.h - top - band,
        ..*p
    };
    (at, (label.w > 0.0 && label.h > 0.0).then_some(label))
}

/// The label of a zone without children: the name centred, the point count in a pill under
/// it (or beside it in flat zones, or left out when there is no room).
fn write_zone_label(out: &mut String, z: &MapZone, p: &Placed) {
    const PAD_X: f64 = 6.0;
    const PAD_Y: f64 = 3.0;
    let (aw, ah) = (p.w - 2.0 * PAD_X, p.h - 2.0 * PAD_Y);
    if aw < 24.0 || ah < 14.0 {
        return;
    }
    let cx = p.x + p.w / 2.0;
    let cy = p.y + p.h / 2.0;
    let ink = z.shade.ink();
    let max_lines = 4;
    let with_pill = z.points > 0;
    // 1. Name over a pill.
    if with_pill
        && ah > PILL_H + 18.0
        && let Some(f) = fit(&z.name, aw, ah - PILL_H - 4.0, &ZONE_SIZES, max_lines)
    {
        let total = f.height() + 4.0 + PILL_H;
        let top = cy - total / 2.0;
        write_lines(out, &f, cx, top, ink, "600");
        let pw = pill_width(z.points);
        write_pill(
            out,
            z.points,
            cx - pw / 2.0,
            top + f.height() + 4.0,
            z.shade,
        );
        return;
    }
    let Some(f) = fit(&z.name, aw, ah, &ZONE_SIZES, max_lines) else {
        return;
    };
    // 2. One line with the pill beside it.
    let pw = pill_width(z.points);
    if with_pill && f.lines.len() == 1 && f.width() + 6.0 + pw <= aw && p.h >= PILL_H + 2.0 {
        let total = f.width() + 6.0 + pw;
        let left = cx - total / 2.0;
        write_lines(
            out,
            &f,
            left + f.width() / 2.0,
            cy - f.height() / 2.0,
            ink,
            "600",
        );
        write_pill(
            out,
            z.points,
            left + f.width() + 6.0,
            cy - PILL_H / 2.0,
            z.shade,
        );
        return;
    }
    // 3. The name alone (the count stays in the tooltip).
    write_lines(out, &f, cx, cy - f.height() / 2.0, ink, "600");
}

/// The name band of a zone with children: the name on the left, the count on the right
/// (left of the warning badge, when the zone has one: `reserve` is the badge's room, and the
/// name starts clear of the outline).
fn write_zone_head(out: &mut String, z: &MapZone, p: &Placed, reserve: f64) {
    let indent = if reserve > 0.0 {
        OUTLINE_BAND + 3.0
    } else {
        8.0
    };
    let ink = z.shade.ink();
    let pw = if z.points > 0 {
        pill_width(z.points) + 6.0
    } else {
        0.0
    };
    let aw = p.w - indent - 8.0 - pw - reserve;
    let sizes = [18.0, 17.0, 16.0, 15.0, 14.0, 13.0];
    if let Some(f) = fit(&z.name, aw, ZONE_HEAD - 4.0, &sizes, 1) {
        let left = p.x + indent;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{}" font-weight="700" fill="{ink}">{}</text>"#,
            n(left),
            n(p.y + ZONE_HEAD / 2.0 + 2.0 + f.size * 0.36),
            n(f.size),
            escape(&f.lines[0])
        );
    }
    if z.points > 0 {
        write_pill(
            out,
            z.points,
            p.x + p.w - 8.0 - reserve - pill_width(z.points),
            p.y + (ZONE_HEAD - PILL_H) / 2.0 + 2.0,
            z.shade,
        );
    }
}

/// The school's four-colour risk map (风险四色图): zones drawn in a 1000×700 site plan, each
/// filled with its shade, child zones (floors) drawn inside their parent, a name label (and
/// the count of risk points) in each zone that fits (shrink or wrap long Chinese names; skip the
/// label in tiny zones but keep a <title> tooltip), optional links (<a href>) to the zone's list, a legend
/// band under the plan, a north arrow, and the title (school name) on top. The SVG has a
/// viewBox so it scales to any width (390 px phones included), role="img" and an aria-label.
///
/// A zone whose parent is drawn gets its rectangle mapped into the parent (under the parent's
/// name band), so the parent's name stays visible; zones with an empty rectangle are not drawn.
///
/// A zone with open warnings (`alert`) keeps its fill and gets, over every zone, a strong
/// dashed outline in the warning's colour (`<g class="alert" data-code data-level>`) and a ⚠
/// badge with the level's numeral and the warnings as its tooltip (`alert-badge`); its label
/// makes room for the badge. The legend explains the mark.
pub fn campus_map(title: &str, zones: &[MapZone], legend: &Legend) -> String {
    campus_map_noted(title, zones, legend, None)
}

/// [`campus_map`] with a note under the legend (`class="map-note"`, linked when it has an
/// `href`): how many risk points are placed in no zone and so are not on the plan.
pub fn campus_map_noted(
    title: &str,
    zones: &[MapZone],
    legend: &Legend,
    note: Option<&MapNote>,
) -> String {
    let width = PLAN_W + 2.0 * MARGIN;
    // The legend is laid out once into a scratch buffer to learn its height.
    let mut legend_svg = String::new();
    let legend_top = HEADER + PLAN_H + 14.0;
    let legend_h = write_legend(
        &mut legend_svg,
        legend,
        MARGIN,
        legend_top,
        PLAN_W,
        None,
        Some((Swatch::Zone, None)),
    );
    let note = note.filter(|n| !n.text.trim().is_empty());
    let note_top = legend_top + legend_h + 4.0;
    let height = legend_top + legend_h + 12.0 + if note.is_some() { NOTE_H } else { 0.0 };

    let mut out = String::with_capacity(8192 + zones.len() * 600);
    let label = if legend.title.trim().is_empty() {
        title.to_string()
    } else {
        format!("{} — {}", title, legend.title)
    };
    svg_open(&mut out, "risk-map", width, height, &label);
    let _ = write!(out, "<title>{}</title>", escape(&label));
    let _ = write!(
        out,
        r#"<rect width="{}" height="{}" fill="{PAPER}"/>"#,
        n(width),
        n(height)
    );
    write_title(&mut out, title, MARGIN, 42.0, PLAN_W - 70.0);
    write_north_arrow(&mut out, width - MARGIN - 16.0, 10.0);

    // The plan: ground, a faint 50-unit grid, the campus outline.
    let _ = write!(
        out,
        r#"<g class="plan" transform="translate({MARGIN} {HEADER})">"#
    );
    let _ = write!(
        out,
        r##"<rect width="{PLAN_W}" height="{PLAN_H}" rx="6" fill="#F7F9FA"/>"##
    );
    let mut grid = String::new();
    for i in 1..20 {
        let _ = write!(grid, "M{} 0V{PLAN_H}", i * 50);
    }
    for i in 1..14 {
        let _ = write!(grid, "M0 {}H{PLAN_W}", i * 50);
    }
    let _ = write!(
        out,
        r##"<path d="{grid}" fill="none" stroke="#E6EBEE" stroke-width="1"/>"##
    );

    let placed = layout(zones);
    let mut order: Vec<(usize, Placed)> = placed
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i, p)))
        .collect();
    order.sort_by_key(|(i, p)| (p.depth, *i));
    // The warning marks go over every zone (a parent's over its children), the most severe
    // last (on top).
    let mut marks: Vec<(u8, String)> = Vec::new();
    for (i, p) in order {
        let z = &zones[i];
        let alert = shown(&z.alert);
        let (badge, label_box) = match alert {
            Some(_) => {
                let ((bx, by), b) = badge_spot(&p);
                // Kept on the plan (half of it may stand over the plan's edge).
                let bx = bx.clamp(0.0, PLAN_W - badge_width());
                let by = by.clamp(-BADGE_H / 2.0, PLAN_H - BADGE_H / 2.0);
                (Some((bx, by)), b)
            }
            None => (None, Some(p)),
        };
        let href = z.href.as_deref().and_then(safe_href);
        if let Some(h) = &href {
            let _ = write!(out, r#"<a class="zone-link" href="{h}">"#);
        }
        let _ = write!(
            out,
            r#"<g class="zone-item"><title>{}</title>"#,
            escape(&zone_tooltip(z, legend))
        );
        let _ = write!(
            out,
            r##"<rect class="zone" data-code="{}" x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" stroke="#FFFFFF" stroke-width="2"/>"##,
            escape(&z.code),
            n(p.x),
            n(p.y),
            n(p.w),
            n(p.h),
            z.shade.fill()
        );
        if p.head {
            let reserve = if alert.is_some() {
                badge_width() + 4.0
            } else {
                0.0
            };
            write_zone_head(&mut out, z, &p, reserve);
        } else if !p.has_children
            && let Some(b) = label_box
        {
            // (A parent too small for a name band keeps only its tooltip: its children
            // cover it.)
            write_zone_label(&mut out, z, &b);
        }
        out.push_str("</g>");
        if href.is_some() {
            out.push_str("</a>");
        }
        if let (Some(a), Some((bx, by))) = (alert, badge) {
            let mut m = String::new();
            write_zone_outline(&mut m, a, &z.code, (p.x, p.y, p.w, p.h));
            write_badge(&mut m, a, bx, by);
            marks.push((a.level.rank(), m));
        }
    }
    marks.sort_by_key(|(rank, _)| *rank);
    for (_, m) in marks {
        out.push_str(&m);
    }
    let _ = write!(
        out,
        r##"<rect width="{PLAN_W}" height="{PLAN_H}" rx="6" fill="none" stroke="#B0BEC5" stroke-width="1.5"/>"##
    );
    out.push_str("</g>");
    out.push_str(&legend_svg);
    if let Some(note) = note {
        write_note(&mut out, note, MARGIN, note_top, PLAN_W);
    }
    out.push_str("</svg>");
    out
}

/// The height of the note line under the legend.
const NOTE_H: f64 = 30.0;

/// A note under the legend: a ⓘ and the text, linked when it has an href, fitted to `w`.
fn write_note(out: &mut String, note: &MapNote, x: f64, y: f64, w: f64) {
    const SIZE: f64 = 16.0;
    let text = truncate(&format!("ⓘ {}", note.text.trim()), w / SIZE).unwrap_or_default();
    let href = note.href.as_deref().and_then(safe_href);
    if let Some(h) = &href {
        let _ = write!(out, r#"<a class="map-note-link" href="{h}">"#);
    }
    let _ = write!(
        out,
        r##"<text class="map-note" x="{}" y="{}" font-size="{SIZE}" fill="#B71C1C"{}>{}</text>"##,
        n(x),
        n(y + SIZE + 2.0),
        if href.is_some() {
            r#" text-decoration="underline""#
        } else {
            ""
        },
        escape(&text)
    );
    if href.is_some() {
        out.push_str("</a>");
    }
}
