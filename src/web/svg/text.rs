//! Text: XML escaping, safe links, numbers, width estimates and label fitting (line
//! breaking at phrase boundaries, shrinking, truncation).

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
pub(super) fn safe_href(href: &str) -> Option<String> {
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
pub(super) fn n(v: f64) -> String {
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

pub(super) fn text_em(s: &str) -> f64 {
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
pub(super) struct Broken {
    pub(super) lines: Vec<String>,
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
pub(super) fn break_lines(
    text: &str,
    max_em: f64,
    max_lines: usize,
    phrase_only: bool,
) -> Option<Broken> {
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
pub(super) fn truncate(s: &str, max_em: f64) -> Option<String> {
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
pub(super) struct Fitted {
    pub(super) size: f64,
    pub(super) lines: Vec<String>,
}

impl Fitted {
    pub(super) fn line_height(&self) -> f64 {
        self.size * 1.22
    }
    /// From the top of the first line's glyphs to the bottom of the last line's.
    pub(super) fn height(&self) -> f64 {
        (self.lines.len().max(1) - 1) as f64 * self.line_height() + self.size
    }
    pub(super) fn width(&self) -> f64 {
        self.lines
            .iter()
            .map(|l| text_em(l) * self.size)
            .fold(0.0, f64::max)
    }
}

/// Fits `text` in a `w` × `h` box: the largest size of `sizes` at which it fits, on as few
/// lines as possible (phrase breaks preferred over character breaks); at the smallest size a
/// truncated line as the last resort; `None` when nothing readable fits.
pub(super) fn fit(text: &str, w: f64, h: f64, sizes: &[f64], max_lines: usize) -> Option<Fitted> {
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
