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
//!   (`risk-map`, `zone`, `zone-link`, `district-map`, `marker`, `school-link`);
//! - a `viewBox` and no fixed size on the maps, so they scale to any width (390 px phones too).

use qrcode::{Color as QrColor, EcLevel, QrCode};
use std::collections::HashMap;
use std::fmt::Write;

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
}

/// The legend texts, already translated.
#[derive(Clone, Debug)]
pub struct Legend {
    pub title: String,
    pub red: String,
    pub orange: String,
    pub yellow: String,
    pub blue: String,
    pub none: String,
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
    pub kindergarten: bool,
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// XML-escapes text for element content and attribute values (`& < > " '`), and drops the
/// characters XML 1.0 does not allow at all (C0 controls other than tab/newline/CR, U+FFFE/F).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A link target that is safe to put in `href`: a relative or absolute path, a fragment, a
/// query, or an http(s) URL. Anything with another scheme (`javascript:`, `data:` …) is refused.
fn safe_href(href: &str) -> Option<String> {
    let h = href.trim();
    if h.is_empty() || h.chars().any(|c| c.is_control()) {
        return None;
    }
    let before = h.split(['/', '?', '#']).next().unwrap_or("");
    if before.contains(':') {
        let lower = h.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            return None;
        }
    }
    Some(escape(h))
}

/// A number for an attribute: at most one decimal, no trailing `.0`.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// East Asian wide characters (CJK, fullwidth forms, Hangul …) take a full em.
fn is_wide(c: char) -> bool {
    let u = c as u32;
    (0x1100..=0x115F).contains(&u)
        || (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFF60).contains(&u)
        || (0xFFE0..=0xFFE6).contains(&u)
        || u == 0x2026
        || u >= 0x20000
}

/// Estimated advance of a character in em (a little generous, so labels never overflow).
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.32,
        'i' | 'l' | 'j' | 'I' | '.' | ',' | '\'' | '|' | '!' | ':' | ';' => 0.3,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' => 0.4,
        'm' | 'w' | 'M' | 'W' => 0.85,
        'A'..='Z' | '0'..='9' => 0.64,
        c if c.is_ascii() => 0.56,
        c if is_wide(c) => 1.0,
        _ => 0.62,
    }
}

fn text_em(s: &str) -> f64 {
    s.chars().map(char_em).sum()
}

const OPENING: &[char] = &['（', '(', '「', '『', '【', '《', '“', '‘', '['];
const CLOSING: &[char] = &[
    '）', ')', '」', '』', '】', '》', '”', '’', ']', '、', '，', '。', '：', '；', '！', '？',
    ',', '.', ';', ':', '!', '?',
];
/// Preferred line breaks come after these (and before an opening bracket).
/// ("及", "和", "与" join two places: "配电室及 / 杂物库房".)
const BREAK_AFTER: &[char] = &[
    '、', '，', ',', '）', ')', ' ', '/', '·', '；', ';', '及', '和', '与',
];

/// The smallest pieces a label may be broken into: one CJK character, one Latin word, with
/// an opening bracket kept with what follows and closing punctuation with what precedes
/// (no line starts with "）" or "、").
fn units(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        let last = cur.chars().last();
        let join = match last {
            None => false,
            Some(l) => {
                (c.is_ascii_alphanumeric() && l.is_ascii_alphanumeric())
                    || CLOSING.contains(&c)
                    || OPENING.contains(&l)
            }
        };
        if join {
            cur.push(c);
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Lines and what their breaks cost in reading.
#[derive(Debug)]
struct Broken {
    lines: Vec<String>,
    /// Breaks inside brackets ("（河道、 / 水塘沿岸）").
    in_brackets: usize,
    /// Breaks between two characters of one phrase ("正门 / 及门").
    mid_phrase: usize,
}

/// Line breaking for labels. Breaks are allowed between [`units`]; a break at a phrase
/// boundary (after "、", "及", a closing bracket or a space, before an opening bracket) is
/// free, one between two characters of a phrase costs a little, one inside brackets more.
/// Among the layouts with the fewest lines (at most `max_lines`, each at most `max_em`), the
/// one with the most even lines and the cheapest breaks wins: "康复训练楼 / （感统训练、言语
/// 治疗）", "配电室及 / 杂物库房". With `phrase_only`, only phrase boundaries may break.
fn break_lines(text: &str, max_em: f64, max_lines: usize, phrase_only: bool) -> Option<Broken> {
    let us = units(text);
    let n = us.len();
    if n == 0 || max_lines == 0 {
        return None;
    }
    // prefix[k]: width of units[..k]; depth[k]: brackets open before unit k.
    let mut prefix = vec![0.0; n + 1];
    let mut depth = vec![0i32; n + 1];
    for (k, u) in us.iter().enumerate() {
        prefix[k + 1] = prefix[k] + text_em(u);
        let opens = u
            .chars()
            .filter(|c| matches!(c, '（' | '(' | '【' | '《' | '「' | '['))
            .count() as i32;
        let closes = u
            .chars()
            .filter(|c| matches!(c, '）' | ')' | '】' | '》' | '」' | ']'))
            .count() as i32;
        depth[k + 1] = (depth[k] + opens - closes).max(0);
    }
    let is_space = |k: usize| us[k].trim().is_empty();
    // A space unit at either edge of a line is dropped.
    let width = |i: usize, j: usize| {
        let mut w = prefix[j] - prefix[i];
        if is_space(i) {
            w -= text_em(&us[i]);
        }
        if j - 1 > i && is_space(j - 1) {
            w -= text_em(&us[j - 1]);
        }
        w
    };
    let m2 = max_em * max_em;
    // Cost of breaking before unit k (0 < k < n), or None when not allowed.
    let is_phrase = |k: usize| {
        us[k - 1]
            .chars()
            .last()
            .is_some_and(|c| BREAK_AFTER.contains(&c))
            || us[k].chars().next().is_some_and(|c| OPENING.contains(&c))
    };
    let break_cost = |k: usize| -> Option<f64> {
        let phrase = is_phrase(k);
        if phrase_only && !phrase {
            return None;
        }
        let mut c = 0.0;
        if !phrase {
            c += 0.1 * m2;
        }
        if depth[k] > 0 {
            c += 0.25 * m2;
        }
        Some(c)
    };
    // best[l][j]: cheapest layout of units[..j] in l lines (sum of squared widths plus break
    // costs); from[l][j]: where its last line starts.
    let inf = f64::INFINITY;
    let mut best = vec![vec![inf; n + 1]; max_lines + 1];
    let mut from = vec![vec![0usize; n + 1]; max_lines + 1];
    best[0][0] = 0.0;
    for l in 1..=max_lines {
        for j in 1..=n {
            let end_cost = if j == n {
                0.0
            } else {
                match break_cost(j) {
                    Some(c) => c,
                    None => continue,
                }
            };
            for i in 0..j {
                if best[l - 1][i] == inf {
                    continue;
                }
                let w = width(i, j);
                if w > max_em + 1e-9 {
                    continue;
                }
                let c = best[l - 1][i] + w * w + end_cost;
                if c < best[l][j] {
                    best[l][j] = c;
                    from[l][j] = i;
                }
            }
        }
        if best[l][n] < inf {
            let mut lines = Vec::with_capacity(l);
            let (mut in_brackets, mut mid_phrase) = (0, 0);
            let mut j = n;
            for ll in (1..=l).rev() {
                let i = from[ll][j];
                lines.push(us[i..j].concat().trim().to_string());
                if i > 0 {
                    in_brackets += usize::from(depth[i] > 0);
                    mid_phrase += usize::from(!is_phrase(i));
                }
                j = i;
            }
            lines.reverse();
            return Some(Broken {
                lines,
                in_brackets,
                mid_phrase,
            });
        }
    }
    None
}

/// Greedy line filling; `None` when one piece alone is wider than the line.
fn pack(pieces: &[String], max_em: f64) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for p in pieces {
        if line.is_empty() {
            line = p.trim_start().to_string();
        } else if text_em(format!("{line}{p}").trim_end()) <= max_em {
            line.push_str(p);
        } else {
            lines.push(line.trim_end().to_string());
            line = p.trim_start().to_string();
        }
        if text_em(line.trim_end()) > max_em {
            return None;
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    Some(lines)
}

/// `s` cut to fit `max_em` with an ellipsis, or `None` when not even one character and the
/// ellipsis fit.
fn truncate(s: &str, max_em: f64) -> Option<String> {
    if text_em(s) <= max_em {
        return Some(s.to_string());
    }
    let mut out = String::new();
    let budget = max_em - char_em('…');
    for c in s.chars() {
        if text_em(&out) + char_em(c) > budget {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end().to_string();
    if out.is_empty() {
        None
    } else {
        Some(format!("{out}…"))
    }
}

/// How many lines of `size` fit in `h` (the last line needs no leading), at most `max`.
fn lines_room(h: f64, size: f64, max: usize) -> usize {
    let n = ((h - size * 1.05) / (size * 1.22)).floor() + 1.0;
    if n < 1.0 { 0 } else { (n as usize).min(max) }
}

/// A fitted multi-line label.
#[derive(Debug, Clone, PartialEq)]
struct Fitted {
    size: f64,
    lines: Vec<String>,
}

impl Fitted {
    fn line_height(&self) -> f64 {
        self.size * 1.22
    }
    /// From the top of the first line's glyphs to the bottom of the last line's.
    fn height(&self) -> f64 {
        (self.lines.len().max(1) - 1) as f64 * self.line_height() + self.size
    }
    fn width(&self) -> f64 {
        self.lines
            .iter()
            .map(|l| text_em(l) * self.size)
            .fold(0.0, f64::max)
    }
}

/// Fits `text` in a `w` × `h` box: the largest size of `sizes` at which it fits, on as few
/// lines as possible (phrase breaks preferred over character breaks); at the smallest size a
/// truncated line as the last resort; `None` when nothing readable fits.
fn fit(text: &str, w: f64, h: f64, sizes: &[f64], max_lines: usize) -> Option<Fitted> {
    let text = text.trim();
    if text.is_empty() || w <= 0.0 || h <= 0.0 {
        return None;
    }
    let un = units(text);
    // Every size, with breaks anywhere and with phrase breaks only; the best reading wins: big
    // type, few lines, no break inside brackets or in the middle of a phrase. So "临水区域 /
    // （河道、水塘沿岸）" at 18 beats "临水区域 / （河道、 / 水塘沿岸）" at 22.
    let mut best: Option<(f64, Fitted)> = None;
    for &size in sizes {
        let room = lines_room(h, size, max_lines);
        for phrase_only in [true, false] {
            if let Some(b) = break_lines(text, w / size, room, phrase_only) {
                let score = size
                    - 4.0 * b.in_brackets as f64
                    - 2.0 * b.mid_phrase as f64
                    - (b.lines.len() - 1) as f64;
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((
                        score,
                        Fitted {
                            size,
                            lines: b.lines,
                        },
                    ));
                }
            }
        }
    }
    if let Some((_, f)) = best {
        return Some(f);
    }
    // Last resort: the smallest size, as many full lines as fit, the last one cut short.
    let size = *sizes.last()?;
    let room = lines_room(h, size, max_lines);
    if room == 0 {
        return None;
    }
    let max_em = w / size;
    let mut lines = pack(&un, max_em)?;
    if lines.len() > room {
        let rest: String = lines[room - 1..].concat();
        lines.truncate(room - 1);
        let last = truncate(&rest, max_em)?;
        if last.chars().count() < 3 && lines.is_empty() {
            return None;
        }
        lines.push(last);
    }
    Some(Fitted { size, lines })
}

/// Writes a fitted label centred on `cx`, its block's top at `top`.
fn write_lines(out: &mut String, f: &Fitted, cx: f64, top: f64, fill: &str, weight: &str) {
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
fn pill_width(count: usize) -> f64 {
    count.to_string().len() as f64 * 8.4 + 14.0
}
const PILL_H: f64 = 20.0;

fn write_pill(out: &mut String, count: usize, x: f64, y: f64, shade: Shade) {
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
fn write_title(out: &mut String, title: &str, x: f64, baseline: f64, max_w: f64) {
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
fn write_north_arrow(out: &mut String, cx: f64, top: f64) {
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
/// after it), wrapping onto further rows when `width` is exceeded. Returns the band height.
fn write_legend(
    out: &mut String,
    legend: &Legend,
    x: f64,
    y: f64,
    width: f64,
    counts: Option<[usize; 5]>,
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
    out.push_str("</g>");
    cy + ROW - y
}

fn svg_open(out: &mut String, class: &str, w: f64, h: f64, label: &str) {
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
struct BoxF {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl BoxF {
    fn hits(&self, o: &BoxF) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
    fn within(&self, o: &BoxF) -> bool {
        self.x >= o.x
            && self.y >= o.y
            && self.x + self.w <= o.x + o.w
            && self.y + self.h <= o.y + o.h
    }
}

// ---------------------------------------------------------------------------------------------
// Campus map

const PLAN_W: f64 = 1000.0;
const PLAN_H: f64 = 700.0;
const MARGIN: f64 = 20.0;
const HEADER: f64 = 64.0;
/// Height of the name band at the top of a zone that has child zones drawn in it.
const ZONE_HEAD: f64 = 30.0;
const ZONE_SIZES: [f64; 8] = [22.0, 20.0, 18.0, 16.0, 15.0, 14.0, 13.0, 12.0];

/// A zone's rectangle as drawn, in plan units.
#[derive(Clone, Copy, Debug)]
struct Placed {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    /// Whether other zones are drawn inside this one.
    has_children: bool,
    /// Whether the zone has a name band on top (it has children and room for the band).
    head: bool,
    depth: usize,
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
fn layout(zones: &[MapZone]) -> Vec<Option<Placed>> {
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
    t
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

/// The name band of a zone with children: the name on the left, the count on the right.
fn write_zone_head(out: &mut String, z: &MapZone, p: &Placed) {
    let ink = z.shade.ink();
    let pw = if z.points > 0 {
        pill_width(z.points) + 6.0
    } else {
        0.0
    };
    let aw = p.w - 16.0 - pw;
    let sizes = [18.0, 17.0, 16.0, 15.0, 14.0, 13.0];
    if let Some(f) = fit(&z.name, aw, ZONE_HEAD - 4.0, &sizes, 1) {
        let left = p.x + 8.0;
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
            p.x + p.w - 8.0 - pill_width(z.points),
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
pub fn campus_map(title: &str, zones: &[MapZone], legend: &Legend) -> String {
    let width = PLAN_W + 2.0 * MARGIN;
    // The legend is laid out once into a scratch buffer to learn its height.
    let mut legend_svg = String::new();
    let legend_top = HEADER + PLAN_H + 14.0;
    let legend_h = write_legend(&mut legend_svg, legend, MARGIN, legend_top, PLAN_W, None);
    let height = legend_top + legend_h + 12.0;

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
    for (i, p) in order {
        let z = &zones[i];
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
            write_zone_head(&mut out, z, &p);
        } else if !p.has_children {
            // (A parent too small for a name band keeps only its tooltip: its children
            // cover it.)
            write_zone_label(&mut out, z, &p);
        }
        out.push_str("</g>");
        if href.is_some() {
            out.push_str("</a>");
        }
    }
    let _ = write!(
        out,
        r##"<rect width="{PLAN_W}" height="{PLAN_H}" rx="6" fill="none" stroke="#B0BEC5" stroke-width="1.5"/>"##
    );
    out.push_str("</g>");
    out.push_str(&legend_svg);
    out.push_str("</svg>");
    out
}

// ---------------------------------------------------------------------------------------------
// District map

/// Mean length of one degree of latitude, in km.
const KM_PER_DEG: f64 = 111.195;
/// The smallest extent shown, in degrees (about 2 km), so one school still gets a map.
const MIN_SPAN: f64 = 0.02;
const MARKER_R: f64 = 10.0;
const KG_SIDE: f64 = 18.0;
const CODE_SIZE: f64 = 12.0;

/// Nice round steps: 1, 2, 5 × 10^k at or below `v`.
fn nice_floor(v: f64) -> f64 {
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
/// drawn as circles (kindergartens as rounded squares) filled with their shade, each with a
/// <title> (name + code) and an optional link, short code labels next to the markers where
/// they do not collide (simple greedy collision check), a scale bar in km, a legend, the title.
/// Works with 1 school (no division by zero) and with 0 (an empty map with a note).
///
/// Schools without usable coordinates (not finite, out of range, or exactly 0, 0) are left
/// out; when none is left the map is the empty one. Red markers are drawn last (on top) and
/// labelled first.
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
    let mut legend_svg = String::new();
    let legend_top = y0 + mh + 14.0;
    let legend_h = write_legend(
        &mut legend_svg,
        legend,
        MARGIN,
        legend_top,
        mw,
        Some(counts),
    );
    let height = legend_top + legend_h + 12.0;

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
    items.sort_by(|a, b| {
        a.0.shade
            .rank()
            .cmp(&b.0.shade.rank())
            .then_with(|| a.0.code.cmp(&b.0.code))
    });
    let marker_box = |s: &MapSchool, x: f64, y: f64| {
        let r = if s.kindergarten {
            KG_SIDE / 2.0
        } else {
            MARKER_R
        } + 1.0;
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

    // Code labels: greedy, most severe first; the first free spot of six around the marker.
    let mut by_priority: Vec<usize> = (0..items.len()).collect();
    by_priority.sort_by(|&a, &b| {
        items[b]
            .0
            .shade
            .rank()
            .cmp(&items[a].0.shade.rank())
            .then_with(|| items[a].0.code.cmp(&items[b].0.code))
    });
    let mut labels: Vec<(BoxF, String)> = Vec::new();
    for i in by_priority {
        let (s, x, y) = items[i];
        let code = s.code.trim();
        if code.is_empty() {
            continue;
        }
        let code: String = code.chars().take(12).collect();
        let w = text_em(&code) * CODE_SIZE;
        let h = CODE_SIZE + 2.0;
        let r = if s.kindergarten {
            KG_SIDE / 2.0
        } else {
            MARKER_R
        } + 3.0;
        let candidates = [
            (x + r, y - h / 2.0),
            (x - r - w, y - h / 2.0),
            (x - w / 2.0, y - r - h),
            (x - w / 2.0, y + r),
            (x + r * 0.7, y - r * 0.7 - h),
            (x + r * 0.7, y + r * 0.7),
        ];
        for (bx, by) in candidates {
            let b = BoxF { x: bx, y: by, w, h };
            if b.within(&frame) && !occupied.iter().any(|o| o.hits(&b)) {
                occupied.push(b);
                labels.push((b, code));
                break;
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
        let _ = write!(
            out,
            r#"<g class="school" data-code="{}"><title>{}</title>"#,
            escape(&s.code),
            escape(&tip)
        );
        let stroke = r##"stroke="#FFFFFF" stroke-width="2""##;
        if s.kindergarten {
            let _ = write!(
                out,
                r#"<rect class="marker" x="{}" y="{}" width="{KG_SIDE}" height="{KG_SIDE}" rx="4" fill="{}" {stroke}/>"#,
                n(x - KG_SIDE / 2.0),
                n(y - KG_SIDE / 2.0),
                s.shade.fill()
            );
        } else {
            let _ = write!(
                out,
                r#"<circle class="marker" cx="{}" cy="{}" r="{MARKER_R}" fill="{}" {stroke}/>"#,
                n(*x),
                n(*y),
                s.shade.fill()
            );
        }
        if s.shade == Shade::None {
            // A thin outline so grey markers stand out from the grey ground.
            let _ = write!(
                out,
                r##"<circle cx="{}" cy="{}" r="2.5" fill="#90A4AE"/>"##,
                n(*x),
                n(*y)
            );
        }
        out.push_str("</g>");
        if href.is_some() {
            out.push_str("</a>");
        }
    }
    for (b, code) in &labels {
        let _ = write!(
            out,
            r##"<text class="code" x="{}" y="{}" font-size="{CODE_SIZE}" font-weight="600" fill="#37474F" stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{}</text>"##,
            n(b.x),
            n(b.y + CODE_SIZE * 0.92),
            escape(code)
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

// ---------------------------------------------------------------------------------------------
// QR code

/// A QR code as SVG for a URL (error correction M, quiet zone, a given pixel size); errors as
/// a String message.
///
/// One module is one viewBox unit; the 4-module quiet zone is part of the drawing, so the
/// printed code scans on any background. Dark modules are one path of horizontal runs.
pub fn qr_svg(data: &str, size_px: u32) -> Result<String, String> {
    const QUIET: usize = 4;
    if size_px == 0 {
        return Err("QR code size must be at least 1 px".to_string());
    }
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| format!("QR code: {e}"))?;
    let w = code.width();
    let colors = code.to_colors();
    let total = w + 2 * QUIET;
    let mut d = String::with_capacity(w * w);
    for y in 0..w {
        let mut x = 0;
        while x < w {
            if colors[y * w + x] == QrColor::Dark {
                let start = x;
                while x < w && colors[y * w + x] == QrColor::Dark {
                    x += 1;
                }
                let _ = write!(
                    d,
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {t} {t}" width="{px}" height="{px}" "#,
            r#"shape-rendering="crispEdges" role="img" aria-label="{label}">"#,
            r##"<rect width="{t}" height="{t}" fill="#FFFFFF"/><path fill="#000000" d="{d}"/></svg>"##
        ),
        t = total,
        px = size_px,
        label = escape(&format!("QR: {data}")),
        d = d
    ))
}

#[cfg(test)]
mod tests;
