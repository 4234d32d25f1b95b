//! The hidden-hazard closed loop (隐患排查治理): states, actions and the rules between them.
//!
//! Pure rules (domain brief §2): no I/O. A hazard's state ([`Hazard`]) only changes through
//! [`apply`], which checks one [`Action`] taken by one person ([`Who`]) on one day and returns
//! the next state together with the [`HistoryEvent`] to append to the hazard's immutable
//! history; [`replay`] rebuilds the state from that history.
//!
//! ```text
//! reported ─assess→ assessed ─fix_on_spot→ fixed_on_spot ─close→ closed (销号)
//!                    assessed ─issue_notice→ notice_issued ─start→ rectifying ─submit→
//!                    pending_acceptance ─accept→ accepted ─close→ closed
//!                    pending_acceptance ─reject→ rectifying
//! reported | assessed | notice_issued ─cancel→ cancelled
//! notice_issued | rectifying: request_extension, approve_extension, refuse_extension
//! closed ─reopen (bureau)→ rectifying
//! ```
//!
//! Checks, in this order (the first failure is returned):
//! 1. the step is possible from the current status ([`RULES`]) and its guard holds, else
//!    [`HazardError::IllegalTransition`] (HTTP 409);
//! 2. the person may take it (role, bureau supervision, four-eyes), else
//!    [`HazardError::NotAllowed`] (403);
//! 3. the action's data is complete and valid, else [`HazardError::Invalid`] (422).
//!
//! Scope (the hazard belongs to a school the person may see and act on) is the web layer's
//! business; these rules only look at the role facts in [`Who`].
//!
//! Overdue is derived, never stored: [`is_overdue`], [`days_overdue`], [`reminders`] and
//! [`escalate`] / [`escalation`] serve the reminder and escalation jobs (§2.7).

use crate::code_enum;
use crate::domain::Code;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod amount;
mod apply;
mod overdue;
mod rules;

pub use amount::Amount;
pub use apply::*;
pub use overdue::*;
pub use rules::*;

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

code_enum!(
    /// Where a hazard stands in the closed loop (§2.4).
    Status, "hazard_status", {
        Reported = "reported",
        Assessed = "assessed",
        FixedOnSpot = "fixed_on_spot",
        NoticeIssued = "notice_issued",
        Rectifying = "rectifying",
        PendingAcceptance = "pending_acceptance",
        Accepted = "accepted",
        Closed = "closed",
        Cancelled = "cancelled",
    }
);

code_enum!(
    /// 一般隐患 / 重大隐患 (§2.1).
    Level, "hazard_level", {
        General = "general",
        Major = "major",
    }
);

code_enum!(
    /// 即查即改 (fix on the spot) / 限期整改 (fix by a deadline).
    Treatment, "hazard_treatment", {
        FixOnSpot = "fix_on_spot",
        ByDeadline = "by_deadline",
    }
);

code_enum!(
    /// How a hazard was found (排查类型, §2.3): the national dictionary — daily 日常排查,
    /// comprehensive 综合性排查, specialist 专业性排查, seasonal 季节性排查, key_period
    /// 重点时段及节假日前排查, accident_analogy 事故类比排查, pre_term 开学前排查 (复产复工前排查
    /// for schools), expert_diagnosis 外聘专家诊断式排查, control_failure 管控措施实效, other 其他 —
    /// then the district's own: half_month_self_inspection 半月自查, cross_inspection 交叉检查,
    /// supervision 上级督查/督导, campaign 专项行动 (e.g. 冬春火灾防控), device_alarm 设备预警,
    /// report 群众/家长举报, drill 应急演练发现.
    Source, "hazard_source", {
        Daily = "daily",
        Comprehensive = "comprehensive",
        Specialist = "specialist",
        Seasonal = "seasonal",
        KeyPeriod = "key_period",
        AccidentAnalogy = "accident_analogy",
        PreTerm = "pre_term",
        ExpertDiagnosis = "expert_diagnosis",
        ControlFailure = "control_failure",
        Other = "other",
        HalfMonthSelfInspection = "half_month_self_inspection",
        CrossInspection = "cross_inspection",
        Supervision = "supervision",
        Campaign = "campaign",
        DeviceAlarm = "device_alarm",
        Report = "report",
        Drill = "drill",
    }
);

code_enum!(
    /// The kind of an [`Action`], its wire code being the `action` tag of the API body.
    ActionKind, "hazard_action", {
        Assess = "assess",
        FixOnSpot = "fix_on_spot",
        IssueNotice = "issue_notice",
        Start = "start",
        Submit = "submit",
        Accept = "accept",
        Reject = "reject",
        Close = "close",
        Cancel = "cancel",
        RequestExtension = "request_extension",
        ApproveExtension = "approve_extension",
        RefuseExtension = "refuse_extension",
        Reopen = "reopen",
    }
);

/// A hazard's category is free text (消防, 校舍, 食品, 交通/校车, 设施设备, 用电, 危化品/实验室,
/// 周边环境, 管理制度 …, §2.5), not a closed set.
pub type Category = String;

// `code_enum!` takes no variant attributes, so `#[derive(Default)]` with `#[default]` is out.
#[allow(clippy::derivable_impls)]
impl Default for Source {
    /// A hazard reported without a source was found in daily work (日常排查).
    fn default() -> Self {
        Source::Daily
    }
}

impl Status {
    /// Closed or cancelled: nothing more happens unless the bureau reopens a closed hazard.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled)
    }

    /// Whether the deadline clock has stopped: accepted, closed or cancelled hazards are never
    /// overdue.
    pub fn stops_clock(self) -> bool {
        matches!(self, Status::Accepted | Status::Closed | Status::Cancelled)
    }
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/// The funds of a rectification (资金): amount in yuan (≥ 0, 0 for work without cost) and where
/// the money comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Funds {
    pub amount: Amount,
    pub source: String,
}

/// One step of the closed loop with its data, as `POST /api/v1/hazards/{id}/actions` receives
/// it: `{"action": "assess", "level": "major", "treatment": "by_deadline"}`. Unknown fields
/// are refused. Values (non-empty texts, photos, dates) are checked by [`apply`], not by
/// deserialising, so that a blank measure is a field error and not a parse error.
///
/// The steps without data are written `Start {}`, `Close {}` and `ApproveExtension {}`: serde
/// ignores extra fields on unit variants of an internally tagged enum, and `{}` makes
/// `deny_unknown_fields` hold for them too (`{"action": "close", "closure_number": "…"}` is
/// refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Grade and decide the treatment. A major hazard is listed for bureau supervision.
    Assess {
        level: Level,
        treatment: Treatment,
    },
    /// 即查即改: fixed at once; the note says what was done, photos show the result.
    FixOnSpot {
        note: String,
        photo_ids: Vec<i64>,
    },
    /// 整改通知书 with all five of 五落实: responsible person, measures, funds, deadline and
    /// interim plan (预案 / interim controls).
    IssueNotice {
        responsible_user_id: i64,
        measures: String,
        funds: Funds,
        deadline: NaiveDate,
        interim_plan: String,
    },
    /// The responsible person signs for the notice and starts work.
    Start {},
    /// Rectification done: what was done, with after-photos (at least one).
    Submit {
        note: String,
        photo_ids: Vec<i64>,
    },
    /// 验收通过.
    Accept {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// 验收不通过: back to rectifying.
    Reject {
        reason: String,
    },
    /// 销号. The closure number is assigned by the caller, see [`Transition::with_closure_number`].
    Close {},
    /// Not a hazard / a false report (不构成隐患/误报).
    Cancel {
        reason: String,
    },
    /// Ask for a later deadline, with interim controls for the extra time.
    RequestExtension {
        new_deadline: NaiveDate,
        reason: String,
        interim_plan: String,
    },
    ApproveExtension {},
    RefuseExtension {
        reason: String,
    },
    /// The bureau reopens a closed hazard (same id, same history). An optional new deadline
    /// (≥ today) saves the reopened hazard from being overdue at once.
    Reopen {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_deadline: Option<NaiveDate>,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Assess { .. } => ActionKind::Assess,
            Action::FixOnSpot { .. } => ActionKind::FixOnSpot,
            Action::IssueNotice { .. } => ActionKind::IssueNotice,
            Action::Start {} => ActionKind::Start,
            Action::Submit { .. } => ActionKind::Submit,
            Action::Accept { .. } => ActionKind::Accept,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Close {} => ActionKind::Close,
            Action::Cancel { .. } => ActionKind::Cancel,
            Action::RequestExtension { .. } => ActionKind::RequestExtension,
            Action::ApproveExtension {} => ActionKind::ApproveExtension,
            Action::RefuseExtension { .. } => ActionKind::RefuseExtension,
            Action::Reopen { .. } => ActionKind::Reopen,
        }
    }

    /// The photos this step brings as evidence (fix on the spot, submit), for the caller to
    /// check that they exist and belong to the hazard's school.
    pub fn photo_ids(&self) -> &[i64] {
        match self {
            Action::FixOnSpot { photo_ids, .. } | Action::Submit { photo_ids, .. } => photo_ids,
            _ => &[],
        }
    }
}

/// The role facts of the person acting, as far as the rules need them. The caller derives them
/// from the signed-in user (and has already checked that the hazard is within their scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = HazardWho)]
pub struct Who {
    pub user_id: i64,
    /// A district or city bureau user.
    pub bureau: bool,
    /// The school's principal or safety director.
    pub school_manager: bool,
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/// The rectification notice as issued (整改通知书, 五落实), kept for printing. The current
/// deadline and interim plan live on [`Hazard`] (an approved extension changes them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    pub issued_by: i64,
    pub issued_on: NaiveDate,
    pub responsible_user_id: i64,
    pub measures: String,
    pub funds: Funds,
    pub deadline: NaiveDate,
    pub interim_plan: String,
}

/// A pending request for a later deadline (only one at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Extension {
    pub new_deadline: NaiveDate,
    pub reason: String,
    pub interim_plan: String,
    pub requested_by: i64,
    pub requested_on: NaiveDate,
}

/// The state of one hazard in the closed loop (the parts the rules read or write; title,
/// description, zone, photos … are the caller's). Built by [`Hazard::new_reported`] and changed
/// only by [`apply`] / [`escalation`], so it always equals [`replay`] of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Hazard {
    pub status: Status,
    pub level: Option<Level>,
    pub treatment: Option<Treatment>,
    /// Listed for bureau supervision (挂牌督办): every major hazard from its assessment, and
    /// any hazard escalated for being overdue too long. Only the bureau then accepts, rejects,
    /// closes, cancels and decides on extensions.
    pub supervised: bool,
    /// The current deadline (from the notice, moved by approved extensions).
    pub deadline: Option<NaiveDate>,
    pub responsible_user_id: Option<i64>,
    /// The current interim controls (from the notice or the last approved extension).
    pub interim_plan: Option<String>,
    pub notice: Option<Notice>,
    /// Who fixed it on the spot, and when.
    pub fixer: Option<i64>,
    pub fixed_on: Option<NaiveDate>,
    /// Who submitted the (last) rectification, and when.
    pub rectifier: Option<i64>,
    pub submitted_on: Option<NaiveDate>,
    pub accepted_by: Option<i64>,
    pub accepted_on: Option<NaiveDate>,
    pub closed_by: Option<i64>,
    pub closed_on: Option<NaiveDate>,
    pub pending_extension: Option<Extension>,
    /// The 销号 number, once closed (see [`closure_number`]); cleared by a reopening (the old
    /// one stays in the history).
    pub closure_number: Option<String>,
    /// How many times the bureau has reopened it.
    pub reopened: u32,
}

impl Hazard {
    /// A hazard as it is first reported (登记/上报).
    pub fn new_reported() -> Self {
        Hazard {
            status: Status::Reported,
            level: None,
            treatment: None,
            supervised: false,
            deadline: None,
            responsible_user_id: None,
            interim_plan: None,
            notice: None,
            fixer: None,
            fixed_on: None,
            rectifier: None,
            submitted_on: None,
            accepted_by: None,
            accepted_on: None,
            closed_by: None,
            closed_on: None,
            pending_extension: None,
            closure_number: None,
            reopened: 0,
        }
    }

    /// Whether bureau-only rules apply: supervised, or major (a major hazard is always
    /// supervised; the level is checked too so the rule never depends on the flag alone).
    pub fn bureau_supervised(&self) -> bool {
        self.supervised || self.level == Some(Level::Major)
    }
}

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

/// What happened in one history event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[schema(as = HazardStep)]
pub enum Step {
    /// A person took an action.
    Action { by: Who, action: Action },
    /// The escalation job listed the hazard for bureau supervision (§2.7).
    Escalated { days_overdue: i64 },
    /// A bureau officer urged the school on (督办) with a message; the state does not change.
    Urged { by: Who, message: String },
}

/// One immutable entry of a hazard's history: what (with its data and evidence), who, when,
/// and the status before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEvent {
    pub on: NaiveDate,
    pub from: Status,
    pub to: Status,
    pub step: Step,
    /// The 销号 number given by this event (a close only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure_number: Option<String>,
}

impl HistoryEvent {
    /// The person who acted; `None` for the escalation job.
    pub fn who(&self) -> Option<&Who> {
        match &self.step {
            Step::Action { by, .. } | Step::Urged { by, .. } => Some(by),
            Step::Escalated { .. } => None,
        }
    }

    pub fn action(&self) -> Option<&Action> {
        match &self.step {
            Step::Action { action, .. } => Some(action),
            Step::Escalated { .. } | Step::Urged { .. } => None,
        }
    }

    /// The label of the step: `hazard_action.<kind>`, `hazard_event.escalated` or
    /// `hazard_event.urged`.
    pub fn label_key(&self) -> String {
        match &self.step {
            Step::Action { action, .. } => action.kind().label_key(),
            Step::Escalated { .. } => ESCALATED_KEY.to_string(),
            Step::Urged { .. } => URGED_KEY.to_string(),
        }
    }
}

/// The label of an escalation event.
pub const ESCALATED_KEY: &str = "hazard_event.escalated";
/// The label of an urge (督办).
pub const URGED_KEY: &str = "hazard_event.urged";

/// The longest urge message, in characters.
pub const MAX_URGE: usize = 500;

/// Checks an urge (督办) of the bureau on `h`: a closed or cancelled hazard cannot be urged
/// (409), only the bureau urges (403), the message is 1–500 characters (422 on `message`).
/// Returns the history event to append; the state stays as it is.
pub fn urge(
    h: &Hazard,
    who: &Who,
    message: &str,
    today: NaiveDate,
) -> Result<HistoryEvent, HazardError> {
    if h.status.is_final() {
        return Err(HazardError::NotOpen { from: h.status });
    }
    if !who.bureau {
        return Err(HazardError::NotAllowed { key: BUREAU_ONLY });
    }
    let message = message.trim();
    if message.is_empty() {
        return Err(HazardError::Invalid {
            field: "message",
            key: REQUIRED,
        });
    }
    if message.chars().count() > MAX_URGE {
        return Err(HazardError::Invalid {
            field: "message",
            key: URGE_TOO_LONG,
        });
    }
    Ok(HistoryEvent {
        on: today,
        from: h.status,
        to: h.status,
        step: Step::Urged {
            by: *who,
            message: message.to_string(),
        },
        closure_number: None,
    })
}

/// The result of a successful step: the next state and the event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub next: Hazard,
    pub event: HistoryEvent,
}

impl Transition {
    /// Whether this step closes the hazard and so needs a 销号 number.
    pub fn needs_closure_number(&self) -> bool {
        self.event.to == Status::Closed && self.event.from != Status::Closed
    }

    /// The year whose 销号 sequence a closing step numbers in (the year of closing); `None`
    /// when this step does not close.
    pub fn closing_year(&self) -> Option<i32> {
        use chrono::Datelike;
        self.needs_closure_number().then(|| self.event.on.year())
    }

    /// Gives a closing step its 销号 number (on both the state and the event):
    ///
    /// ```text
    /// if let Some(year) = t.closing_year() {
    ///     t = t.with_closure_number(closure_number(school_code, year, next_seq(school, year)));
    /// }
    /// ```
    ///
    /// Does nothing to a step that does not close.
    pub fn with_closure_number(mut self, number: String) -> Self {
        if self.needs_closure_number() {
            self.next.closure_number = Some(number.clone());
            self.event.closure_number = Some(number);
        }
        self
    }
}

/// The 销号 number of a closed hazard: `XH-<school code>-<year>-<seq>`, `XH` for 销号 (xiāohào),
/// the school's code, the year of closing and the school's running number for that year,
/// zero-padded to four digits (wider past 9999): `closure_number("S001", 2026, 7)` =
/// `XH-S001-2026-0007`. Numbers restart at 1 each January with the yearly 销号 ledger (§2.5).
pub fn closure_number(school_code: &str, year: i32, seq: u32) -> String {
    format!("XH-{}-{year}-{seq:04}", school_code.trim())
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a step was refused. Every variant has a translation key ([`HazardError::key`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HazardError {
    /// The step is not possible from this status (or its guard fails): HTTP 409.
    #[error("'{action}' is not possible while the hazard is '{from}' ({key})")]
    IllegalTransition {
        from: Status,
        action: ActionKind,
        key: &'static str,
    },
    /// A field of the action is missing or wrong: HTTP 422. `field` is the body's field name
    /// (`funds.source` for a nested one).
    #[error("{field}: {key}")]
    Invalid {
        field: &'static str,
        key: &'static str,
    },
    /// This person may not take this step on this hazard: HTTP 403.
    #[error("not allowed: {key}")]
    NotAllowed { key: &'static str },
    /// The hazard is closed or cancelled, so it cannot be urged: HTTP 409.
    #[error("the hazard is '{from}': it cannot be urged ({URGE_FINAL})")]
    NotOpen { from: Status },
    /// The history does not replay: event `index` does not follow from the ones before.
    #[error("history event {index} does not follow from the events before it")]
    History { index: usize },
}

impl HazardError {
    pub fn key(&self) -> &'static str {
        match self {
            HazardError::IllegalTransition { key, .. }
            | HazardError::Invalid { key, .. }
            | HazardError::NotAllowed { key } => key,
            HazardError::NotOpen { .. } => URGE_FINAL,
            HazardError::History { .. } => "err.hazard.history",
        }
    }
}

const ILLEGAL: &str = "err.hazard.illegal_transition";
const NOT_FIX_ON_SPOT: &str = "err.hazard.not_fix_on_spot";
const NOT_BY_DEADLINE: &str = "err.hazard.not_by_deadline";
const EXTENSION_PENDING: &str = "err.hazard.extension_pending";
const NO_EXTENSION: &str = "err.hazard.no_extension";
const MANAGERS_ONLY: &str = "err.hazard.managers_only";
const RESPONSIBLE_ONLY: &str = "err.hazard.responsible_only";
const BUREAU_ONLY: &str = "err.hazard.bureau_only";
const BUREAU_SUPERVISED: &str = "err.hazard.bureau_supervised";
const SAME_AS_FIXER: &str = "err.hazard.same_as_fixer";
const SAME_AS_RECTIFIER: &str = "err.hazard.same_as_rectifier";
const SAME_AS_REQUESTER: &str = "err.hazard.same_as_requester";
const REQUIRED: &str = "err.required";
const TOO_LONG: &str = "err.hazard.too_long";
const MAJOR_FIX_ON_SPOT: &str = "err.hazard.major_fix_on_spot";
const PHOTOS_REQUIRED: &str = "err.hazard.photos_required";
const PHOTO_IDS: &str = "err.hazard.photo_ids";
const USER_ID: &str = "err.hazard.user_id";
const FUNDS_AMOUNT: &str = "err.hazard.funds_amount";
const DEADLINE_PAST: &str = "err.hazard.deadline_past";
const DEADLINE_NOT_LATER: &str = "err.hazard.deadline_not_later";
const URGE_FINAL: &str = "err.hazard.urge_final";
const URGE_TOO_LONG: &str = "err.hazard.urge_too_long";

/// Every error key this module produces (`err.required` is the shared "Required." key).
pub const ERROR_KEYS: &[&str] = &[
    ILLEGAL,
    NOT_FIX_ON_SPOT,
    NOT_BY_DEADLINE,
    EXTENSION_PENDING,
    NO_EXTENSION,
    MANAGERS_ONLY,
    RESPONSIBLE_ONLY,
    BUREAU_ONLY,
    BUREAU_SUPERVISED,
    SAME_AS_FIXER,
    SAME_AS_RECTIFIER,
    SAME_AS_REQUESTER,
    REQUIRED,
    TOO_LONG,
    MAJOR_FIX_ON_SPOT,
    PHOTOS_REQUIRED,
    PHOTO_IDS,
    USER_ID,
    FUNDS_AMOUNT,
    DEADLINE_PAST,
    DEADLINE_NOT_LATER,
    URGE_FINAL,
    URGE_TOO_LONG,
    "err.hazard.history",
];

/// Every translation key this module needs: the labels of its enums, the escalation event and
/// its error keys (for the catalogue-completeness test).
pub fn catalogue_keys() -> Vec<String> {
    fn labels<T: Code>() -> impl Iterator<Item = String> {
        T::ALL.iter().map(|v| v.label_key())
    }
    labels::<Status>()
        .chain(labels::<Level>())
        .chain(labels::<Treatment>())
        .chain(labels::<Source>())
        .chain(labels::<ActionKind>())
        .chain([ESCALATED_KEY.to_string(), URGED_KEY.to_string()])
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
