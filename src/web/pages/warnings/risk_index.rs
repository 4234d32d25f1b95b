//! The risk index drilled down (`/risk-index`): the schools below a node riskiest first, each
//! part of each school's index with the counts it was computed from and the weights in force;
//! and one school's breakdown (`?org_id=<school>`, a school reader's own page), each part with
//! how it is scored and links to the hazards, warnings and inspections behind it.

use super::*;
use crate::domain::ids::OrgId;
use crate::domain::warning::{
    GRADE_POINTS, HAZARDS_FULL, INDEX_LEVELS, IndexInputs, IndexParts, IndexWeights, OVERDUE_FULL,
    WARNING_POINTS,
};
use crate::storage::risk_index::{IndexQuery, PERIODS_CHECKED, SchoolIndex};

/// The page's query: `org_id` (a city, district or school; blank: the reader's own node).
#[derive(Deserialize, Default)]
pub struct IndexQ {
    #[serde(default)]
    org_id: Option<String>,
}

/// One part of a school's index as the pages show it.
pub struct Part {
    /// `grades`, `hazards`, `overdue`, `missed_checks`, `warnings`.
    pub code: &'static str,
    /// 0–100 before weighting.
    pub score: f64,
    pub weight: f64,
    /// The weight's share of all weights, in per cent.
    pub share: f64,
    /// What the part adds to the index (score × share).
    pub adds: f64,
    pub basis: Basis,
    pub links: Links,
}

impl Part {
    pub fn score_text(&self) -> String {
        format!("{:.1}", self.score)
    }
    pub fn adds_text(&self) -> String {
        format!("{:.1}", self.adds)
    }
    pub fn share_text(&self) -> String {
        format!("{:.0}%", self.share)
    }
    pub fn weight_text(&self) -> String {
        trim_number(self.weight)
    }
}

/// `30` rather than `30.0`; `12.5` stays.
fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// A weight as the index counts it (a weight that is not a positive number counts nothing).
fn usable(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// The counts a part was computed from: (label, count).
type Basis = Vec<(String, u32)>;
/// Where to see them: (link, label).
type Links = Vec<(String, String)>;

/// The parts in the order the pages list them.
const PARTS: [&str; 5] = ["grades", "hazards", "overdue", "missed_checks", "warnings"];

/// Each part's weight and its share of all weights (per cent), in [`PARTS`] order.
fn shares(w: &IndexWeights) -> [(f64, f64); 5] {
    let ws = [w.grades, w.hazards, w.overdue, w.missed_checks, w.warnings];
    let total: f64 = ws.into_iter().map(usable).sum();
    ws.map(|x| {
        let share = if total > 0.0 {
            100.0 * usable(x) / total
        } else {
            0.0
        };
        (x, share)
    })
}

/// The weights in force, as parts without a school.
fn weight_parts(w: &IndexWeights) -> Vec<Part> {
    PARTS
        .into_iter()
        .zip(shares(w))
        .map(|(code, (weight, share))| Part {
            code,
            score: 0.0,
            weight,
            share,
            adds: 0.0,
            basis: Vec::new(),
            links: Vec::new(),
        })
        .collect()
}

/// The five parts of one school's index, in [`PARTS`] order.
fn parts(lang: Lang, s: &SchoolIndex, w: &IndexWeights) -> Vec<Part> {
    let i: &IndexInputs = &s.inputs;
    let p: &IndexParts = &s.parts;
    let id = s.school_id;
    let b = |key: &str, n: u32| (tr(lang, &format!("risk_index.basis.{key}")), n);
    let level = |l: Level, n: u32| (tr(lang, &l.label_key()), n);
    let link = |href: String, key: &str| (href, tr(lang, &format!("risk_index.link.{key}")));
    let rows: [(f64, Basis, Links); 5] = [
        (
            p.grades,
            vec![
                b("red_points", i.red_points),
                b("orange_points", i.orange_points),
                b("yellow_points", i.yellow_points),
                b("points", i.points),
            ],
            vec![link(format!("/schools/{id}/risks"), "register")],
        ),
        (
            p.hazards,
            vec![
                b("open_hazards", i.open_hazards),
                b("major_open_hazards", i.major_open_hazards),
            ],
            vec![
                link(
                    format!("/hazards?school_id={id}&status=open"),
                    "open_hazards",
                ),
                link(
                    format!("/hazards?school_id={id}&status=open&level=major"),
                    "major_hazards",
                ),
            ],
        ),
        (
            p.overdue,
            vec![b("overdue_hazards", i.overdue_hazards)],
            vec![link(
                format!("/hazards?school_id={id}&overdue=true"),
                "overdue_hazards",
            )],
        ),
        (
            p.missed_checks,
            vec![
                b("missed_checks", i.missed_checks),
                b("checks_due", i.checks_due),
            ],
            vec![link(
                format!("/inspections?org_id={id}&kind=half_month"),
                "inspections",
            )],
        ),
        (
            p.warnings,
            vec![
                level(Level::Red, i.open_red_warnings),
                level(Level::Orange, i.open_orange_warnings),
                level(Level::Yellow, i.open_yellow_warnings),
                level(Level::Blue, i.open_blue_warnings),
            ],
            vec![link(format!("/warnings?org_id={id}"), "warnings")],
        ),
    ];
    rows.into_iter()
        .zip(PARTS.into_iter().zip(shares(w)))
        .map(|((score, basis, links), (code, (weight, share)))| Part {
            code,
            score,
            weight,
            share,
            adds: score * share / 100.0,
            basis,
            links,
        })
        .collect()
}

/// How each part is scored, with the rule's own numbers.
fn how(lang: Lang, code: &str) -> String {
    let (gr, go, gy) = GRADE_POINTS;
    let (wr, wo, wy, wb) = WARNING_POINTS;
    let n = trim_number;
    tr(lang, &format!("risk_index.how.{code}"))
        .replace("%{red}", &n(if code == "grades" { gr } else { wr }))
        .replace("%{orange}", &n(if code == "grades" { go } else { wo }))
        .replace("%{yellow}", &n(if code == "grades" { gy } else { wy }))
        .replace("%{blue}", &n(wb))
        .replace(
            "%{full}",
            &n(if code == "overdue" {
                OVERDUE_FULL
            } else {
                HAZARDS_FULL
            }),
        )
        .replace("%{n}", &PERIODS_CHECKED.to_string())
}

/// The index's levels: `≥75 红色 · ≥50 橙色 · ≥25 黄色 · 其余 蓝色`.
fn bands(lang: Lang) -> Vec<(Level, String)> {
    let (r, o, y) = INDEX_LEVELS;
    vec![
        (Level::Red, format!("≥ {r}")),
        (Level::Orange, format!("≥ {o}")),
        (Level::Yellow, format!("≥ {y}")),
        (Level::Blue, format!("< {y}")),
    ]
    .into_iter()
    .map(|(l, t)| (l, format!("{t} {}", colour(lang, l))))
    .collect()
}

/// One school's row: its index, level and parts.
pub struct Row {
    pub rank: usize,
    pub s: SchoolIndex,
    pub parts: Vec<Part>,
}

#[derive(Template)]
#[template(path = "warnings/risk_index.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    /// The weights in force (parts without a score).
    weights: Vec<Part>,
    /// Districts and schools to choose from (bureau readers): (id, label).
    orgs: Vec<(i64, String)>,
    org_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "warnings/risk_school.html")]
struct SchoolPage {
    c: Chrome,
    row: Row,
    /// The reader sees more than this school (a way back to the list).
    back: bool,
}

/// Shared by both pages.
trait IndexView {
    fn lang(&self) -> Lang;
    fn part_name(&self, code: &str) -> String {
        tr(self.lang(), &format!("risk_index.part.{code}"))
    }
    fn colour_of(&self, l: &Level) -> String {
        colour(self.lang(), *l)
    }
}

impl IndexView for ListPage {
    fn lang(&self) -> Lang {
        self.c.lang
    }
}

impl IndexView for SchoolPage {
    fn lang(&self) -> Lang {
        self.c.lang
    }
}

impl ListPage {
    fn css(&self) -> String {
        css()
    }
    fn bands(&self) -> Vec<(Level, String)> {
        bands(self.c.lang)
    }
    fn sel_org(&self, id: &i64) -> bool {
        self.org_id == Some(*id)
    }
}

impl SchoolPage {
    fn css(&self) -> String {
        css()
    }
    fn bands(&self) -> Vec<(Level, String)> {
        bands(self.c.lang)
    }
    fn how(&self, p: &Part) -> String {
        how(self.c.lang, p.code)
    }
}

fn parse_org(q: &IndexQ) -> Result<Option<i64>, Error> {
    match given(&q.org_id) {
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::field("org_id", "err.invalid_input")),
        None => Ok(None),
    }
}

pub async fn risk_index(ctx: Ctx, q: Q<IndexQ>) -> Result<Response, Error> {
    let Query(q) = q.map_err(|e| Error::validation(e.body_text()))?;
    let org_id = parse_org(&q)?;
    let cfg = ctx.config();
    let w = cfg.warnings.index_weights;
    let db = ctx.db();
    let list = db
        .risk_index()
        .list(
            &IndexQuery { org_id },
            &w,
            crate::storage::risk_points::today(),
            cfg.inspection.grace_days,
        )
        .await?;
    let at_school = ctx.actor.org_level() == Some(OrgLevel::School);
    // One school asked for (or a school reader's own): its breakdown.
    let one = match org_id {
        Some(id) => list.items.iter().position(|s| s.school_id == OrgId(id)),
        None if at_school => (!list.items.is_empty()).then_some(0),
        None => None,
    };
    let lang = ctx.lang;
    let mut rows: Vec<Row> = list
        .items
        .into_iter()
        .enumerate()
        .map(|(k, s)| Row {
            rank: k + 1,
            parts: parts(lang, &s, &w),
            s,
        })
        .collect();
    if let Some(k) = one {
        let row = rows.swap_remove(k);
        let mut c = Chrome::for_ctx(&ctx, "risk_index.title", "/risk-index");
        c.title = format!("{} · {}", tr(c.lang, "risk_index.title"), row.s.school_name);
        return render(&SchoolPage {
            c,
            row,
            back: !at_school,
        });
    }
    let orgs = if at_school {
        Vec::new()
    } else {
        let mut v: Vec<(i64, String)> = db
            .orgs()
            .districts()
            .await?
            .into_iter()
            .map(|d| (d.id.0, d.name))
            .collect();
        v.extend(
            db.schools()
                .all()
                .await?
                .into_iter()
                .map(|s| (s.id.0, format!("· {} {}", s.code, s.name))),
        );
        v
    };
    let weights = weight_parts(&w);
    let c = Chrome::for_ctx(&ctx, "risk_index.title", "/risk-index");
    render(&ListPage {
        c,
        rows,
        weights,
        orgs,
        org_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{LANGS, has};

    /// The keys of the device page, the channels pages and the risk index exist in both
    /// languages: the literal ones of their templates and code, and the ones they build.
    #[test]
    fn the_pages_keys_are_translated() {
        let mut keys: Vec<String> = Vec::new();
        for p in PARTS {
            for group in ["part", "how"] {
                keys.push(format!("risk_index.{group}.{p}"));
            }
        }
        for b in [
            "red_points",
            "orange_points",
            "yellow_points",
            "points",
            "open_hazards",
            "major_open_hazards",
            "overdue_hazards",
            "missed_checks",
            "checks_due",
        ] {
            keys.push(format!("risk_index.basis.{b}"));
        }
        for l in [
            "register",
            "open_hazards",
            "major_hazards",
            "overdue_hazards",
            "inspections",
            "warnings",
        ] {
            keys.push(format!("risk_index.link.{l}"));
        }
        for k in crate::storage::outbox::ChannelKind::ALL {
            keys.push(format!("channel.kind.{}", k.as_str()));
        }
        for s in crate::storage::outbox::STATUSES {
            keys.push(format!("channel.delivery.{s}"));
        }
        for text in [
            include_str!("../../../../templates/devices/detail.html"),
            include_str!("../../../../templates/warnings/channels.html"),
            include_str!("../../../../templates/warnings/deliveries.html"),
            include_str!("../../../../templates/warnings/risk_index.html"),
            include_str!("../../../../templates/warnings/risk_school.html"),
            include_str!("../devices/detail.rs"),
            include_str!("channels.rs"),
            include_str!("risk_index.rs"),
        ] {
            for piece in text.split('"').skip(1).step_by(2) {
                let key = ["device_page.", "channel.", "risk_index.", "nav.channels"]
                    .iter()
                    .any(|p| piece.starts_with(p))
                    && !piece.ends_with('.')
                    && !piece.ends_with(".rs")
                    && piece
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._".contains(c));
                if key {
                    keys.push(piece.to_string());
                }
            }
        }
        assert!(keys.len() > 80, "the scan found too little: {}", keys.len());
        for k in &keys {
            for l in LANGS {
                assert!(has(*l, k), "{k} missing in {}", l.code());
            }
        }
    }
}
