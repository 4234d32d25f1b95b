//! The evidence timeline of one hazard: the report, then every stored event, each as one entry
//! with what happened, who (a person with their role, or the system), when, the status change
//! (only when the status changed: an escalation or an urge leaves it as it was and reads as
//! its own name) and the step's data and photos.
//!
//! The entries are built here, once, so the count shown beside the heading is the number of
//! entries listed, whatever kinds of events a hazard has.

use crate::domain::Code;
use crate::domain::hazard::{Action, ActionKind, ESCALATED_KEY, URGED_KEY};
use crate::domain::role::Role;
use crate::storage::hazards::{HazardDetail, HistoryItem, SchoolUser};
use crate::web::i18n::{Lang, tr};

/// One entry of the timeline.
pub struct Entry {
    /// The element id (`event-reported`, `event-<seq>`).
    pub anchor: String,
    /// The kind, for styling (`reported`, an action kind, `escalated`, `urge`).
    pub kind: String,
    pub when: String,
    /// The step's own name.
    pub label: String,
    /// The person, or the system's name for a step no person took.
    pub actor: String,
    /// The person's role (none for the system).
    pub role: Option<String>,
    /// The status before and after, when the step changed it.
    pub change: Option<(String, String)>,
    pub facts: Vec<(String, String)>,
    pub photos: Vec<i64>,
    pub closure_number: Option<String>,
}

/// The display name of a school user (`#id` for an account no longer listed).
pub fn user_name(users: &[SchoolUser], id: i64) -> String {
    users
        .iter()
        .find(|u| u.id.0 == id)
        .map(|u| u.display_name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

/// Every entry of the hazard's timeline, the report first.
pub fn entries(lang: Lang, d: &HazardDetail, users: &[SchoolUser]) -> Vec<Entry> {
    let s = &d.summary;
    let mut out = Vec::with_capacity(d.history.len() + 1);
    out.push(Entry {
        anchor: "event-reported".into(),
        kind: "reported".into(),
        when: super::local(&s.reported_at),
        label: tr(lang, "hazard.reported"),
        actor: s.reported_by_name.clone(),
        role: None,
        change: None,
        facts: Vec::new(),
        photos: Vec::new(),
        closure_number: None,
    });
    out.extend(d.history.iter().map(|e| entry(lang, e, users)));
    out
}

fn entry(lang: Lang, e: &HistoryItem, users: &[SchoolUser]) -> Entry {
    let person = e.user_id.is_some() && !e.user_name.trim().is_empty();
    let (actor, role) = if person {
        let role = Role::parse(&e.role).map(|r| tr(lang, &r.label_key()));
        (e.user_name.clone(), role)
    } else {
        (tr(lang, "hazard.system"), None)
    };
    let change =
        (e.from != e.to).then(|| (tr(lang, &e.from.label_key()), tr(lang, &e.to.label_key())));
    Entry {
        anchor: format!("event-{}", e.seq),
        kind: e.kind.clone(),
        when: super::local(&e.at),
        label: step_label(lang, e),
        actor,
        role,
        change,
        facts: facts(lang, e, users),
        photos: e
            .action
            .as_ref()
            .map(|a| a.photo_ids().to_vec())
            .unwrap_or_default(),
        closure_number: e.closure_number.clone(),
    }
}

/// The step's own name: the action's, or the escalation's or the urge's.
fn step_label(lang: Lang, e: &HistoryItem) -> String {
    match ActionKind::parse(&e.kind) {
        Some(k) => tr(lang, &k.label_key()),
        None if e.kind == "urge" => tr(lang, URGED_KEY),
        None => tr(lang, ESCALATED_KEY),
    }
}

/// The facts of one step's data, as (label, value) lines.
fn facts(lang: Lang, e: &HistoryItem, users: &[SchoolUser]) -> Vec<(String, String)> {
    let t = |k: &str| tr(lang, k);
    let mut out = Vec::new();
    let Some(a) = &e.action else {
        if let Some(m) = &e.message {
            out.push((t("hazard.urge.message"), m.clone()));
        }
        if let Some(d) = e.days_overdue {
            out.push((t("hazard.col.overdue_days"), d.to_string()));
        }
        return out;
    };
    match a {
        Action::Assess { level, treatment } => {
            out.push((t("hazard.col.level"), t(&level.label_key())));
            out.push((t("hazard.col.treatment"), t(&treatment.label_key())));
        }
        Action::FixOnSpot { note, .. } | Action::Submit { note, .. } => {
            out.push((t("hazard.f.note"), note.clone()));
        }
        Action::IssueNotice {
            responsible_user_id,
            measures,
            funds,
            deadline,
            interim_plan,
        } => {
            out.push((
                t("hazard.col.responsible"),
                user_name(users, *responsible_user_id),
            ));
            out.push((t("hazard.f.measures"), measures.clone()));
            out.push((
                t("hazard.f.funds"),
                format!("{} {} · {}", funds.amount, t("hazard.yuan"), funds.source),
            ));
            out.push((t("hazard.col.deadline"), deadline.to_string()));
            out.push((t("hazard.f.interim_plan"), interim_plan.clone()));
        }
        Action::Accept { note } => {
            if let Some(n) = note.as_ref().filter(|n| !n.is_empty()) {
                out.push((t("hazard.f.note"), n.clone()));
            }
        }
        Action::Reject { reason }
        | Action::Cancel { reason }
        | Action::RefuseExtension { reason } => {
            out.push((t("hazard.f.reason"), reason.clone()));
        }
        Action::RequestExtension {
            new_deadline,
            reason,
            interim_plan,
        } => {
            out.push((t("hazard.f.new_deadline"), new_deadline.to_string()));
            out.push((t("hazard.f.reason"), reason.clone()));
            out.push((t("hazard.f.interim_plan"), interim_plan.clone()));
        }
        Action::Reopen {
            reason,
            new_deadline,
        } => {
            out.push((t("hazard.f.reason"), reason.clone()));
            if let Some(d) = new_deadline {
                out.push((t("hazard.f.new_deadline"), d.to_string()));
            }
        }
        Action::Start {} | Action::Close {} | Action::ApproveExtension {} => {}
    }
    out
}
