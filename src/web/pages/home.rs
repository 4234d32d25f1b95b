//! `/`: the role's home, the first page after signing in. A bureau sees the day's picture of
//! its schools (key figures, what needs it today, charts), a school's principal and safety
//! director their to-do and the school's charts, staff and guards what was assigned to them
//! and the two things they do most; the system roles go to their landing page.
//!
//! The figures are [`HomeData`] (the same answer as `/api/v1/home`); every number is a link
//! to the list it counts, with the filter that gives that total. The key figures are also
//! the top of a school's hub page (`pages::schools::detail`), through [`groups`]. Charts are
//! drawn by `home.js` with the vendored Apache ECharts from the JSON in `data-charts`; every
//! word comes from the catalogue.

use super::{Chrome, render, see_other};
use crate::domain::Code;
use crate::domain::hazard::Status as HazardStatus;
use crate::domain::org::{OrgLevel, SchoolKind};
use crate::domain::risk::Grade;
use crate::domain::role::Role;
use crate::error::Error;
use crate::i18n::Lang;
use crate::policy::{self, Action};
use crate::storage::home::{HazardBrief, HomeData, HomeQuery, HomeRules};
use crate::storage::inspections::Period;
use crate::web::assets;
use crate::web::ctx::Ctx;
use crate::web::i18n::tr;
use askama::Template;
use axum::response::Response;
use serde_json::{Value, json};

/// One number with its label and the list it leads to.
pub struct Tile {
    /// Stable id (`home-hazards-open`): tests read the number by it.
    pub id: String,
    pub label: String,
    pub value: u64,
    pub href: String,
    /// `alert` when a non-zero value needs attention, `ok` otherwise (colours).
    pub tone: &'static str,
}

/// A group of tiles with a heading and a link to its module.
pub struct Group {
    pub id: &'static str,
    pub title: String,
    pub more_href: String,
    pub more_label: String,
    pub tiles: Vec<Tile>,
}

/// Whose figures a page shows: the caller's own node (filters of the lists default to the
/// caller's scope) or one org of a hub page (the lists narrowed to it).
#[derive(Clone, Copy)]
pub enum Target {
    Own,
    School(i64),
    District(i64),
}

impl Target {
    /// `&school_id=…` for the hazard list.
    fn hazard_q(self) -> String {
        match self {
            Target::Own => String::new(),
            Target::School(id) => format!("&school_id={id}"),
            Target::District(id) => format!("&org_id={id}"),
        }
    }
    /// `&org_id=…` for the boards and the warnings.
    fn org_q(self) -> String {
        match self {
            Target::Own => String::new(),
            Target::School(id) | Target::District(id) => format!("&org_id={id}"),
        }
    }
    fn org_first(self) -> String {
        let q = self.org_q();
        match q.strip_prefix('&') {
            Some(q) => format!("?{q}"),
            None => String::new(),
        }
    }
}

fn tile(id: &str, label: String, value: u64, href: String, alert: bool) -> Tile {
    Tile {
        id: format!("home-{id}"),
        label,
        value,
        href,
        tone: if alert && value > 0 { "alert" } else { "ok" },
    }
}

/// The key figures of `h` as groups of linked numbers (a home page, or a school's hub).
pub fn groups(lang: Lang, h: &HomeData, target: Target) -> Vec<Group> {
    let t = |k: &str| tr(lang, k);
    let hq = target.hazard_q();
    let oq = target.org_q();
    let school = h.org.kind == OrgLevel::School;
    let hz = &h.hazards;
    let mut hazards = vec![
        tile(
            "hazards-open",
            t("home.hazards.open"),
            hz.open,
            format!("/hazards?status=open{hq}"),
            false,
        ),
        tile(
            "hazards-overdue",
            t("home.hazards.overdue"),
            hz.overdue,
            format!("/hazards?overdue=true{hq}"),
            true,
        ),
        tile(
            "hazards-supervised",
            t("home.hazards.supervised"),
            hz.supervised,
            format!("/hazards?supervised=true&status=open{hq}"),
            true,
        ),
    ];
    // Awaiting the bureau: supervised hazards at the steps only the bureau may take.
    for s in [
        HazardStatus::PendingAcceptance,
        HazardStatus::FixedOnSpot,
        HazardStatus::Accepted,
    ] {
        let (_, sup) = hz.status(s);
        hazards.push(tile(
            &format!("hazards-bureau-{}", s.as_str()),
            format!(
                "{} · {}",
                t("home.hazards.awaiting_bureau"),
                tr(lang, &s.label_key())
            ),
            sup,
            format!("/hazards?supervised=true&status={}{hq}", s.as_str()),
            true,
        ));
    }
    let insp = &h.inspections.counts;
    let board = format!("/inspections/board{}", target.org_first());
    let inspections = vec![
        tile(
            "insp-on-time",
            t("board.status.on_time"),
            insp.on_time,
            board.clone(),
            false,
        ),
        tile(
            "insp-late",
            t("board.status.late"),
            insp.late,
            board.clone(),
            true,
        ),
        tile(
            "insp-missing",
            t("board.status.missing"),
            insp.missing,
            board.clone(),
            true,
        ),
        tile(
            "insp-open",
            t("home.insp.open"),
            insp.open,
            board.clone(),
            false,
        ),
    ];
    let register = match target {
        Target::School(id) => Some(id),
        Target::Own if school => Some(h.org.id.0),
        _ => None,
    };
    let risk_href = |grade: Option<Grade>, due: bool| match register {
        Some(id) => match (grade, due) {
            (_, true) => format!("/schools/{id}/risks?due=true"),
            (Some(g), _) => format!("/schools/{id}/risks?grade={}", g.as_str()),
            (None, _) => format!("/schools/{id}/risks"),
        },
        None => format!("/risk{}", target.org_first()),
    };
    let rc = &h.risk.counts;
    let risk = vec![
        tile(
            "risk-major",
            tr(lang, &Grade::Major.label_key()),
            rc.major,
            risk_href(Some(Grade::Major), false),
            true,
        ),
        tile(
            "risk-significant",
            tr(lang, &Grade::Significant.label_key()),
            rc.significant,
            risk_href(Some(Grade::Significant), false),
            false,
        ),
        tile(
            "risk-general",
            tr(lang, &Grade::General.label_key()),
            rc.general,
            risk_href(Some(Grade::General), false),
            false,
        ),
        tile(
            "risk-low",
            tr(lang, &Grade::Low.label_key()),
            rc.low,
            risk_href(Some(Grade::Low), false),
            false,
        ),
        tile(
            "risk-review-due",
            t("home.risk.review_due"),
            h.risk.review_due,
            risk_href(None, true),
            true,
        ),
    ];
    let warnings = h
        .warnings
        .iter()
        .map(|w| {
            tile(
                &format!("warnings-{}", w.level.as_str()),
                tr(lang, &w.level.label_key()),
                w.open,
                format!("/warnings?open=true&level={}{oq}", w.level.as_str()),
                true,
            )
        })
        .collect();
    let drills_href = format!("/drills/board{}", target.org_first());
    let dc = &h.drills.counts;
    let drills = vec![
        tile(
            "drills-missing",
            t("drill_compliance.missing"),
            dc.missing,
            drills_href.clone(),
            true,
        ),
        tile(
            "drills-open",
            t("drill_compliance.open"),
            dc.open,
            drills_href.clone(),
            false,
        ),
        tile(
            "drills-done",
            t("drill_compliance.done"),
            dc.done,
            drills_href.clone(),
            false,
        ),
    ];
    // Today's holiday-duty zero reports (a bureau's node, while a duty period covers today).
    let several = h.zero_reports.len() > 1;
    let mut zero = Vec::new();
    for z in &h.zero_reports {
        let href = format!("/duty/{}?date={}", z.period_id, z.date);
        let name = |k: &str| {
            if several {
                format!("{} · {}", z.name, t(k))
            } else {
                t(k)
            }
        };
        zero.push(tile(
            &format!("zero-submitted-{}", z.period_id),
            name("home.zero.submitted"),
            u64::from(z.submitted),
            href.clone(),
            false,
        ));
        zero.push(tile(
            &format!("zero-missing-{}", z.period_id),
            name("home.zero.missing"),
            u64::from(z.counts.missing),
            href.clone(),
            true,
        ));
        zero.push(tile(
            &format!("zero-open-{}", z.period_id),
            name("home.zero.open"),
            u64::from(z.counts.open),
            href,
            false,
        ));
    }
    let zero_group = h.zero_reports.first().map(|z| Group {
        id: "home-group-zero-reports",
        title: if several {
            format!("{} · {}", t("home.group.zero_reports"), z.date)
        } else {
            format!("{} · {} · {}", t("home.group.zero_reports"), z.name, z.date)
        },
        more_href: format!("/duty/{}?date={}", z.period_id, z.date),
        more_label: t("home.more.duty_board"),
        tiles: zero,
    });
    let hazards_all = match target {
        Target::Own => "/hazards".to_string(),
        Target::School(id) => format!("/hazards?school_id={id}"),
        Target::District(id) => format!("/hazards?org_id={id}"),
    };
    let mut out = vec![
        Group {
            id: "home-group-hazards",
            title: t("home.group.hazards"),
            more_href: hazards_all,
            more_label: t("home.more.hazards"),
            tiles: hazards,
        },
        Group {
            id: "home-group-inspections",
            title: format!(
                "{} · {}",
                t("home.group.inspections"),
                half_month_words(lang, &h.inspections.period)
            ),
            more_href: board,
            more_label: t("home.more.board"),
            tiles: inspections,
        },
        Group {
            id: "home-group-risk",
            title: t("home.group.risk"),
            more_href: risk_href(None, false),
            more_label: t("home.more.risk"),
            tiles: risk,
        },
        Group {
            id: "home-group-warnings",
            title: t("home.group.warnings"),
            more_href: format!("/warnings?open=true{oq}"),
            more_label: t("home.more.warnings"),
            tiles: warnings,
        },
        Group {
            id: "home-group-drills",
            title: format!("{} · {}", t("home.group.drills"), h.drills.period),
            more_href: drills_href,
            more_label: t("home.more.drills"),
            tiles: drills,
        },
    ];
    if let Some(g) = zero_group {
        // The day's zero reports come right after the hazards: a holiday's first question.
        out.insert(1, g);
    }
    out
}

/// `2026-11-H1` in words: 11月上半月, Nov 1–15.
pub fn half_month_words(lang: Lang, period: &str) -> String {
    let Some(p) = Period::parse(period) else {
        return period.to_string();
    };
    let (first, last) = (p.starts_on(), p.ends_on());
    use chrono::Datelike;
    match lang {
        Lang::En => format!(
            "{} {}–{}, {}",
            first.format("%b"),
            first.day(),
            last.day(),
            first.year()
        ),
        _ => format!(
            "{}年{}月{}",
            first.year(),
            first.month(),
            if first.day() == 1 {
                "上半月"
            } else {
                "下半月"
            }
        ),
    }
}

/// What needs the person today: (id, label, count, link), the non-zero ones.
fn needs_you(lang: Lang, h: &HomeData, role: Role) -> Vec<Tile> {
    let t = |k: &str| tr(lang, k);
    let hz = &h.hazards;
    let mut v = Vec::new();
    let bureau = h.org.kind != OrgLevel::School;
    if bureau {
        for (s, key) in [
            (HazardStatus::PendingAcceptance, "home.needs.bureau_accept"),
            (HazardStatus::FixedOnSpot, "home.needs.bureau_close_fixed"),
            (HazardStatus::Accepted, "home.needs.bureau_close"),
        ] {
            v.push(tile(
                &format!("needs-{}", s.as_str()),
                t(key),
                hz.status(s).1,
                format!("/hazards?supervised=true&status={}", s.as_str()),
                true,
            ));
        }
        v.push(tile(
            "needs-supervised-overdue",
            t("home.needs.supervised_overdue"),
            hz.supervised_overdue,
            "/hazards?supervised=true&overdue=true".into(),
            true,
        ));
        v.push(tile(
            "needs-insp-missing",
            t("home.needs.insp_missing"),
            h.inspections.counts.missing,
            "/inspections/board".into(),
            true,
        ));
        for z in &h.zero_reports {
            v.push(tile(
                &format!("needs-zero-missing-{}", z.period_id),
                format!("{} · {}", t("home.needs.zero_missing"), z.name),
                u64::from(z.counts.missing),
                format!("/duty/{}?date={}", z.period_id, z.date),
                true,
            ));
        }
        v.push(tile(
            "needs-drills-missing",
            t("home.needs.drills_missing"),
            h.drills.counts.missing,
            "/drills/board".into(),
            true,
        ));
    } else if policy::allows(role, Action::RiskWrite) {
        // The school's managers: the steps of the loop that are theirs.
        for (s, key) in [
            (HazardStatus::Reported, "home.needs.assess"),
            (HazardStatus::Assessed, "home.needs.decide"),
            (HazardStatus::PendingAcceptance, "home.needs.accept"),
            (HazardStatus::FixedOnSpot, "home.needs.close_fixed"),
            (HazardStatus::Accepted, "home.needs.close"),
        ] {
            v.push(tile(
                &format!("needs-{}", s.as_str()),
                t(key),
                hz.status(s).0,
                format!("/hazards?status={}", s.as_str()),
                true,
            ));
        }
        v.push(tile(
            "needs-review-due",
            t("home.risk.review_due"),
            h.risk.review_due,
            format!("/schools/{}/risks?due=true", h.org.id),
            true,
        ));
    }
    for w in h.warnings.iter().take(2) {
        // Red and orange warnings need someone at once.
        v.push(tile(
            &format!("needs-warnings-{}", w.level.as_str()),
            format!(
                "{} · {}",
                t("home.group.warnings"),
                tr(lang, &w.level.label_key())
            ),
            w.open,
            format!("/warnings?open=true&level={}", w.level.as_str()),
            true,
        ));
    }
    if let Some(m) = &h.mine {
        v.push(tile(
            "needs-unread",
            t("home.needs.unread"),
            m.unread,
            "/inbox?unread=true".into(),
            true,
        ));
    }
    v.retain(|t| t.value > 0);
    v
}

/// Which home a role gets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bureau,
    School,
    Staff,
}

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage {
    c: Chrome,
    kind: Kind,
    h: HomeData,
    groups: Vec<Group>,
    needs: Vec<Tile>,
    /// The charts' data and words (JSON for `home.js`).
    charts: String,
    css: String,
    echarts: String,
    js: String,
    can_report: bool,
    can_inspect: bool,
}

impl HomePage {
    fn status(&self, b: &HazardBrief) -> String {
        self.c.label(&b.status)
    }
    fn deadline(&self, b: &HazardBrief) -> String {
        b.deadline.map(|d| d.to_string()).unwrap_or_default()
    }
    fn is(&self, k: Kind) -> bool {
        self.kind == k
    }
    fn insp_status(&self) -> String {
        match self.h.inspections.school_status {
            Some(s) => self.c.t(&format!("board.status.{}", s.as_str())),
            None => String::new(),
        }
    }
    fn insp_status_code(&self) -> &'static str {
        self.h
            .inspections
            .school_status
            .map(|s| s.as_str())
            .unwrap_or("")
    }
    fn period_words(&self) -> String {
        half_month_words(self.c.lang, &self.h.inspections.period)
    }
}

/// The charts' data and words.
pub fn charts_json(lang: Lang, h: &HomeData, target: Target) -> Value {
    let t = |k: &str| tr(lang, k);
    let hq = target.hazard_q();
    let weeks = &h.charts.weeks;
    let halves = &h.charts.half_months;
    let grades = [Grade::Major, Grade::Significant, Grade::General, Grade::Low];
    let kinds: Vec<Value> = h
        .charts
        .grades_by_kind
        .iter()
        .map(|k| {
            json!({
                "label": tr(lang, &k.kind.label_key()),
                "values": [k.counts.major, k.counts.significant, k.counts.general, k.counts.low],
            })
        })
        .collect();
    json!({
        "weeks": {
            "title": t("home.chart.weeks"),
            "labels": weeks.iter().map(|w| w.week_of.format("%m-%d").to_string()).collect::<Vec<_>>(),
            "opened": weeks.iter().map(|w| w.opened).collect::<Vec<_>>(),
            "closed": weeks.iter().map(|w| w.closed).collect::<Vec<_>>(),
            "opened_name": t("home.chart.opened"),
            "closed_name": t("home.chart.closed"),
        },
        "overdue": {
            "title": t("home.chart.overdue"),
            "labels": h.charts.overdue_by_school.iter().map(|s| s.school.name.clone()).collect::<Vec<_>>(),
            "values": h.charts.overdue_by_school.iter().map(|s| s.count).collect::<Vec<_>>(),
            "links": h.charts.overdue_by_school.iter()
                .map(|s| format!("/hazards?overdue=true&school_id={}", s.school.id)).collect::<Vec<_>>(),
        },
        "halves": {
            "title": t("home.chart.on_time"),
            "labels": halves.iter().map(|p| half_month_words(lang, &p.period)).collect::<Vec<_>>(),
            "rate": halves.iter().map(|p| p.on_time_rate).collect::<Vec<_>>(),
            "on_time": halves.iter().map(|p| p.counts.on_time).collect::<Vec<_>>(),
            "late": halves.iter().map(|p| p.counts.late).collect::<Vec<_>>(),
            "missing": halves.iter().map(|p| p.counts.missing).collect::<Vec<_>>(),
            "names": {
                "rate": t("home.chart.rate"),
                "on_time": t("board.status.on_time"),
                "late": t("board.status.late"),
                "missing": t("board.status.missing"),
            },
        },
        "kinds": {
            "title": t("home.chart.grades_by_kind"),
            "grades": grades.iter().map(|g| tr(lang, &g.label_key())).collect::<Vec<_>>(),
            "rows": kinds,
        },
        "grades": {
            "title": t("home.chart.grades"),
            "labels": grades.iter().map(|g| tr(lang, &g.label_key())).collect::<Vec<_>>(),
            "values": [h.risk.counts.major, h.risk.counts.significant, h.risk.counts.general, h.risk.counts.low],
        },
        "hazards_href": format!("/hazards?status=open{hq}"),
        "kinds_known": SchoolKind::ALL.len(),
    })
}

pub async fn home(ctx: Ctx) -> Result<Response, Error> {
    let role = ctx.actor.role();
    if !policy::allows(role, Action::HomeView) {
        return Ok(see_other(super::auth::landing(role)));
    }
    let cfg = ctx.config();
    let rules = HomeRules {
        grace: cfg.inspection.grace_days,
        drills: &cfg.drills,
        calendar: &cfg.calendar,
    };
    let h = ctx
        .db_as(Action::HomeView)?
        .home()
        .data(&HomeQuery::default(), &rules)
        .await?;
    let kind = if h.org.kind != OrgLevel::School {
        Kind::Bureau
    } else if matches!(role, Role::Staff | Role::Guard) {
        Kind::Staff
    } else {
        Kind::School
    };
    let c = Chrome::for_ctx(&ctx, "home.title", "/");
    let lang = c.lang;
    render(&HomePage {
        groups: groups(lang, &h, Target::Own),
        needs: needs_you(lang, &h, role),
        charts: charts_json(lang, &h, Target::Own).to_string(),
        css: assets::url("home.css"),
        echarts: assets::url("vendor/echarts/echarts.min.js"),
        js: assets::url("home.js"),
        can_report: policy::allows(role, Action::HazardReport),
        can_inspect: policy::allows(role, Action::InspectionSubmit),
        kind,
        h,
        c,
    })
}
