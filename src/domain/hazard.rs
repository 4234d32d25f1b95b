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
    /// report 群众/家长举报.
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
// Money
// ---------------------------------------------------------------------------------------------

/// An amount of money in yuan, exact to the fen (two decimals), kept as an integer number of
/// fen. Deserialises from a JSON number (`1200.5`) or a decimal string (`"1200.50"`), signed,
/// with at most two decimals and at most [`Amount::MAX_YUAN`] in size; serialises as a decimal
/// string with two decimals. Whether it may be negative is a rule of its use ([`apply`] asks
/// for ≥ 0), not of the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Amount(i64);

impl Amount {
    /// The largest magnitude accepted, in yuan (一千亿).
    pub const MAX_YUAN: i64 = 100_000_000_000;

    pub const fn from_fen(fen: i64) -> Self {
        Amount(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// A finite number with at most two decimals within ±[`Amount::MAX_YUAN`].
    pub fn from_f64(x: f64) -> Option<Self> {
        let fen = x * 100.0;
        (x.is_finite() && x.abs() <= Self::MAX_YUAN as f64 && (fen - fen.round()).abs() < 1e-6)
            .then(|| Amount(fen.round() as i64))
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Amount {
    type Err = String;

    /// `12`, `12.5`, `12.50`, `-3`, `+3`, with surrounding blanks; no exponents, no grouping.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not an amount in yuan with at most two decimals");
        let t = s.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
            return Err(bad());
        }
        if t.contains('.') && frac.is_empty() {
            return Err(bad());
        }
        let whole: i64 = whole
            .parse()
            .ok()
            .filter(|w| *w <= Self::MAX_YUAN)
            .ok_or_else(bad)?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let fen = whole * 100 + frac;
        Ok(Amount(if neg { -fen } else { fen }))
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in yuan with at most two decimals, as a number or string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Amount, E> {
                (v.abs() <= Amount::MAX_YUAN)
                    .then(|| Amount(v * 100))
                    .ok_or_else(|| E::custom(format!("amount {v} is too large")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Amount, E> {
                i64::try_from(v)
                    .map_err(|_| E::custom(format!("amount {v} is too large")))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Amount, E> {
                Amount::from_f64(v).ok_or_else(|| {
                    E::custom(format!(
                        "amount {v} must be a number in yuan with at most two decimals"
                    ))
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Amount, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl utoipa::PartialSchema for Amount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{SchemaType, Type};
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![Type::String, Type::Number]))
            .description(Some(
                "Yuan with at most two decimals, as a decimal string (\"1200.50\") or a number",
            ))
            .examples(["1200.50"])
            .into()
    }
}
impl utoipa::ToSchema for Amount {}

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
pub enum Step {
    /// A person took an action.
    Action { by: Who, action: Action },
    /// The escalation job listed the hazard for bureau supervision (§2.7).
    Escalated { days_overdue: i64 },
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
            Step::Action { by, .. } => Some(by),
            Step::Escalated { .. } => None,
        }
    }

    pub fn action(&self) -> Option<&Action> {
        match &self.step {
            Step::Action { action, .. } => Some(action),
            Step::Escalated { .. } => None,
        }
    }

    /// The label of the step: `hazard_action.<kind>` or `hazard_event.escalated`.
    pub fn label_key(&self) -> String {
        match &self.step {
            Step::Action { action, .. } => action.kind().label_key(),
            Step::Escalated { .. } => ESCALATED_KEY.to_string(),
        }
    }
}

/// The label of an escalation event.
pub const ESCALATED_KEY: &str = "hazard_event.escalated";

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
        .chain([ESCALATED_KEY.to_string()])
        .chain(ERROR_KEYS.iter().map(|k| k.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The rule table
// ---------------------------------------------------------------------------------------------

/// Who may take a step, before the bureau-supervision and four-eyes checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum May {
    /// Anyone the caller lets act on the school's hazards (e.g. the guard who found it).
    Anyone,
    /// The school's principal or safety director, or a bureau user.
    Managers,
    /// The school's principal or safety director, or the notice's responsible person.
    ManagersOrResponsible,
    /// A bureau user only.
    Bureau,
}

/// A condition on the hazard besides its status; when it fails the step is illegal (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    None,
    /// Assessed as a general hazard to fix on the spot.
    FixOnSpot,
    /// Assessed to fix by a deadline (every major hazard is).
    ByDeadline,
    /// No extension request is pending.
    NoPendingExtension,
    /// An extension request is pending.
    PendingExtension,
}

/// Someone who may not take the step (four-eyes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotBy {
    /// Whoever fixed it on the spot.
    Fixer,
    /// Whoever submitted the rectification.
    Rectifier,
    /// Whoever asked for the extension.
    Requester,
}

/// One row of [`RULES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub action: ActionKind,
    pub from: &'static [Status],
    /// The status afterwards; `None`: unchanged.
    pub to: Option<Status>,
    pub guard: Guard,
    pub may: May,
    /// On a supervised (or major) hazard only a bureau user may take this step.
    pub bureau_if_supervised: bool,
    pub not_by: Option<NotBy>,
}

use Status as S;

const EXTENSION_FROM: &[Status] = &[S::NoticeIssued, S::Rectifying];

/// The closed loop as data. Any (status, action) pair not listed is refused with
/// [`HazardError::IllegalTransition`].
///
/// | action | from | to | guard | who may | bureau if supervised | not by |
/// |---|---|---|---|---|---|---|
/// | assess | reported | assessed | | managers | | |
/// | fix_on_spot | assessed | fixed_on_spot | general + fix on the spot | anyone | | |
/// | issue_notice | assessed | notice_issued | by deadline | managers | | |
/// | start | notice_issued | rectifying | | managers, responsible | | |
/// | submit | rectifying | pending_acceptance | | managers, responsible | | |
/// | accept | pending_acceptance | accepted | | managers | yes | rectifier |
/// | reject | pending_acceptance | rectifying | | managers | yes | rectifier |
/// | close | fixed_on_spot | closed | | managers | yes | fixer |
/// | close | accepted | closed | | managers | yes | |
/// | cancel | reported, assessed, notice_issued | cancelled | | managers | yes | |
/// | request_extension | notice_issued, rectifying | = | none pending | managers, responsible | | |
/// | approve_extension | notice_issued, rectifying | = | one pending | managers | yes | requester |
/// | refuse_extension | notice_issued, rectifying | = | one pending | managers | yes | |
/// | reopen | closed | rectifying | | bureau | | |
///
/// "Managers" are the school's principal or safety director and bureau users; "responsible"
/// is the notice's responsible person. The acceptance decision (accept or reject) is never the
/// rectifier's own, and on a supervised hazard it is the bureau's; so are closing (摘牌销号),
/// cancelling and deciding on extensions. Major hazards are always supervised.
pub const RULES: &[Rule] = &[
    Rule {
        action: ActionKind::Assess,
        from: &[S::Reported],
        to: Some(S::Assessed),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::FixOnSpot,
        from: &[S::Assessed],
        to: Some(S::FixedOnSpot),
        guard: Guard::FixOnSpot,
        may: May::Anyone,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::IssueNotice,
        from: &[S::Assessed],
        to: Some(S::NoticeIssued),
        guard: Guard::ByDeadline,
        may: May::Managers,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::Start,
        from: &[S::NoticeIssued],
        to: Some(S::Rectifying),
        guard: Guard::None,
        may: May::ManagersOrResponsible,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::Submit,
        from: &[S::Rectifying],
        to: Some(S::PendingAcceptance),
        guard: Guard::None,
        may: May::ManagersOrResponsible,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::Accept,
        from: &[S::PendingAcceptance],
        to: Some(S::Accepted),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Rectifier),
    },
    Rule {
        action: ActionKind::Reject,
        from: &[S::PendingAcceptance],
        to: Some(S::Rectifying),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Rectifier),
    },
    Rule {
        action: ActionKind::Close,
        from: &[S::FixedOnSpot],
        to: Some(S::Closed),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Fixer),
    },
    Rule {
        action: ActionKind::Close,
        from: &[S::Accepted],
        to: Some(S::Closed),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: None,
    },
    Rule {
        action: ActionKind::Cancel,
        from: &[S::Reported, S::Assessed, S::NoticeIssued],
        to: Some(S::Cancelled),
        guard: Guard::None,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: None,
    },
    Rule {
        action: ActionKind::RequestExtension,
        from: EXTENSION_FROM,
        to: None,
        guard: Guard::NoPendingExtension,
        may: May::ManagersOrResponsible,
        bureau_if_supervised: false,
        not_by: None,
    },
    Rule {
        action: ActionKind::ApproveExtension,
        from: EXTENSION_FROM,
        to: None,
        guard: Guard::PendingExtension,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: Some(NotBy::Requester),
    },
    Rule {
        action: ActionKind::RefuseExtension,
        from: EXTENSION_FROM,
        to: None,
        guard: Guard::PendingExtension,
        may: May::Managers,
        bureau_if_supervised: true,
        not_by: None,
    },
    Rule {
        action: ActionKind::Reopen,
        from: &[S::Closed],
        to: Some(S::Rectifying),
        guard: Guard::None,
        may: May::Bureau,
        bureau_if_supervised: false,
        not_by: None,
    },
];

/// The rule for `action` from `status`, if the pair is in [`RULES`].
pub fn rule_for(status: Status, action: ActionKind) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.action == action && r.from.contains(&status))
}

/// Checks steps 1 and 2 of [`apply`] (status and guard, then the person) without the action's
/// data: the rule that would apply, or why the step is refused.
pub fn permitted(h: &Hazard, action: ActionKind, who: &Who) -> Result<&'static Rule, HazardError> {
    let illegal = |key| HazardError::IllegalTransition {
        from: h.status,
        action,
        key,
    };
    let rule = rule_for(h.status, action).ok_or(illegal(ILLEGAL))?;
    match rule.guard {
        Guard::None => {}
        Guard::FixOnSpot => {
            if h.treatment != Some(Treatment::FixOnSpot) || h.level != Some(Level::General) {
                return Err(illegal(NOT_FIX_ON_SPOT));
            }
        }
        Guard::ByDeadline => {
            if h.treatment != Some(Treatment::ByDeadline) && h.level != Some(Level::Major) {
                return Err(illegal(NOT_BY_DEADLINE));
            }
        }
        Guard::NoPendingExtension => {
            if h.pending_extension.is_some() {
                return Err(illegal(EXTENSION_PENDING));
            }
        }
        Guard::PendingExtension => {
            if h.pending_extension.is_none() {
                return Err(illegal(NO_EXTENSION));
            }
        }
    }
    let not_allowed = |key| Err(HazardError::NotAllowed { key });
    let manager = who.school_manager || who.bureau;
    match rule.may {
        May::Anyone => {}
        May::Managers if !manager => return not_allowed(MANAGERS_ONLY),
        May::ManagersOrResponsible
            if !who.school_manager && h.responsible_user_id != Some(who.user_id) =>
        {
            return not_allowed(RESPONSIBLE_ONLY);
        }
        May::Bureau if !who.bureau => return not_allowed(BUREAU_ONLY),
        May::Managers | May::ManagersOrResponsible | May::Bureau => {}
    }
    if rule.bureau_if_supervised && h.bureau_supervised() && !who.bureau {
        return not_allowed(BUREAU_SUPERVISED);
    }
    let (excluded, key) = match rule.not_by {
        None => (None, ""),
        Some(NotBy::Fixer) => (h.fixer, SAME_AS_FIXER),
        Some(NotBy::Rectifier) => (h.rectifier, SAME_AS_RECTIFIER),
        Some(NotBy::Requester) => (
            h.pending_extension.as_ref().map(|e| e.requested_by),
            SAME_AS_REQUESTER,
        ),
    };
    if excluded == Some(who.user_id) {
        return not_allowed(key);
    }
    Ok(rule)
}

/// The actions this person may take on this hazard now (status, guard and person checks; the
/// data is checked when the action comes), for showing the right buttons.
pub fn available_actions(h: &Hazard, who: &Who) -> Vec<ActionKind> {
    ActionKind::ALL
        .iter()
        .copied()
        .filter(|k| permitted(h, *k, who).is_ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Applying a step
// ---------------------------------------------------------------------------------------------

/// The longest free text (note, reason, measures, plan, funds source), in characters.
pub const MAX_TEXT: usize = 2000;
/// The most photos one step may bring.
pub const MAX_PHOTOS: usize = 20;

fn invalid(field: &'static str, key: &'static str) -> HazardError {
    HazardError::Invalid { field, key }
}

/// A required text: not blank, at most [`MAX_TEXT`] characters.
fn text(field: &'static str, s: &str) -> Result<(), HazardError> {
    let t = s.trim();
    if t.is_empty() {
        Err(invalid(field, REQUIRED))
    } else if t.chars().count() > MAX_TEXT {
        Err(invalid(field, TOO_LONG))
    } else {
        Ok(())
    }
}

/// Evidence photos: at least one, at most [`MAX_PHOTOS`], positive ids, no repeats.
fn photos(ids: &[i64]) -> Result<(), HazardError> {
    if ids.is_empty() {
        return Err(invalid("photo_ids", PHOTOS_REQUIRED));
    }
    let mut seen = std::collections::BTreeSet::new();
    if ids.len() > MAX_PHOTOS || ids.iter().any(|id| *id <= 0 || !seen.insert(*id)) {
        return Err(invalid("photo_ids", PHOTO_IDS));
    }
    Ok(())
}

/// Step 3 of [`apply`]: the action's own data.
fn validate(h: &Hazard, action: &Action, today: NaiveDate) -> Result<(), HazardError> {
    match action {
        Action::Assess { level, treatment } => {
            if *level == Level::Major && *treatment == Treatment::FixOnSpot {
                return Err(invalid("treatment", MAJOR_FIX_ON_SPOT));
            }
        }
        Action::FixOnSpot { note, photo_ids } | Action::Submit { note, photo_ids } => {
            text("note", note)?;
            photos(photo_ids)?;
        }
        Action::IssueNotice {
            responsible_user_id,
            measures,
            funds,
            deadline,
            interim_plan,
        } => {
            if *responsible_user_id <= 0 {
                return Err(invalid("responsible_user_id", USER_ID));
            }
            text("measures", measures)?;
            if funds.amount.is_negative() {
                return Err(invalid("funds.amount", FUNDS_AMOUNT));
            }
            text("funds.source", &funds.source)?;
            if *deadline < today {
                return Err(invalid("deadline", DEADLINE_PAST));
            }
            text("interim_plan", interim_plan)?;
        }
        Action::Accept { note } => {
            if let Some(n) = note
                && n.trim().chars().count() > MAX_TEXT
            {
                return Err(invalid("note", TOO_LONG));
            }
        }
        Action::Reject { reason }
        | Action::Cancel { reason }
        | Action::RefuseExtension { reason } => text("reason", reason)?,
        Action::RequestExtension {
            new_deadline,
            reason,
            interim_plan,
        } => {
            if h.deadline.is_some_and(|d| *new_deadline <= d) {
                return Err(invalid("new_deadline", DEADLINE_NOT_LATER));
            }
            if *new_deadline < today {
                return Err(invalid("new_deadline", DEADLINE_PAST));
            }
            text("reason", reason)?;
            text("interim_plan", interim_plan)?;
        }
        Action::Reopen {
            reason,
            new_deadline,
        } => {
            text("reason", reason)?;
            if new_deadline.is_some_and(|d| d < today) {
                return Err(invalid("new_deadline", DEADLINE_PAST));
            }
        }
        Action::Start {} | Action::Close {} | Action::ApproveExtension {} => {}
    }
    Ok(())
}

/// The state after `action` by `by` on `on`, moving to status `to`. No checks: [`apply`] has
/// made them, and [`replay`] trusts the recorded history (so older events still replay after
/// the rules change).
fn effect(h: &Hazard, action: &Action, by: &Who, on: NaiveDate, to: Status) -> Hazard {
    let mut n = h.clone();
    n.status = to;
    match action {
        Action::Assess { level, treatment } => {
            n.level = Some(*level);
            n.treatment = Some(*treatment);
            if *level == Level::Major {
                n.supervised = true;
            }
        }
        Action::FixOnSpot { .. } => {
            n.fixer = Some(by.user_id);
            n.fixed_on = Some(on);
        }
        Action::IssueNotice {
            responsible_user_id,
            measures,
            funds,
            deadline,
            interim_plan,
        } => {
            n.responsible_user_id = Some(*responsible_user_id);
            n.deadline = Some(*deadline);
            n.interim_plan = Some(interim_plan.trim().to_string());
            n.notice = Some(Notice {
                issued_by: by.user_id,
                issued_on: on,
                responsible_user_id: *responsible_user_id,
                measures: measures.trim().to_string(),
                funds: Funds {
                    amount: funds.amount,
                    source: funds.source.trim().to_string(),
                },
                deadline: *deadline,
                interim_plan: interim_plan.trim().to_string(),
            });
        }
        Action::Start {} | Action::Reject { .. } => {}
        Action::Submit { .. } => {
            n.rectifier = Some(by.user_id);
            n.submitted_on = Some(on);
            // A request for more time is moot once the work is handed in.
            n.pending_extension = None;
        }
        Action::Accept { .. } => {
            n.accepted_by = Some(by.user_id);
            n.accepted_on = Some(on);
        }
        Action::Close {} => {
            n.closed_by = Some(by.user_id);
            n.closed_on = Some(on);
        }
        Action::Cancel { .. } | Action::RefuseExtension { .. } => {
            n.pending_extension = None;
        }
        Action::RequestExtension {
            new_deadline,
            reason,
            interim_plan,
        } => {
            n.pending_extension = Some(Extension {
                new_deadline: *new_deadline,
                reason: reason.trim().to_string(),
                interim_plan: interim_plan.trim().to_string(),
                requested_by: by.user_id,
                requested_on: on,
            });
        }
        Action::ApproveExtension {} => {
            if let Some(e) = n.pending_extension.take() {
                n.deadline = Some(e.new_deadline);
                n.interim_plan = Some(e.interim_plan);
            }
        }
        Action::Reopen { new_deadline, .. } => {
            n.accepted_by = None;
            n.accepted_on = None;
            n.closed_by = None;
            n.closed_on = None;
            n.closure_number = None;
            n.reopened += 1;
            if let Some(d) = new_deadline {
                n.deadline = Some(*d);
            }
        }
    }
    n
}

/// Takes one step: checks it (status and guard → 409, person → 403, data → 422, in that
/// order, see [`RULES`]) and returns the next state with the history event to append. Pure:
/// `h` is not changed. A closing step still needs its 销号 number, see
/// [`Transition::with_closure_number`].
pub fn apply(
    h: &Hazard,
    action: &Action,
    who: &Who,
    today: NaiveDate,
) -> Result<Transition, HazardError> {
    let rule = permitted(h, action.kind(), who)?;
    validate(h, action, today)?;
    let to = rule.to.unwrap_or(h.status);
    let next = effect(h, action, who, today, to);
    Ok(Transition {
        next,
        event: HistoryEvent {
            on: today,
            from: h.status,
            to,
            step: Step::Action {
                by: *who,
                action: action.clone(),
            },
            closure_number: None,
        },
    })
}

/// Rebuilds a hazard's state from its history, starting from [`Hazard::new_reported`]. Each
/// event must start from the status the one before ended in, and go where [`RULES`] sends its
/// action (the guards, persons and data are not checked again: the history is the record).
/// A closing event's 销号 number is put on the state.
pub fn replay(events: &[HistoryEvent]) -> Result<Hazard, HazardError> {
    let mut h = Hazard::new_reported();
    for (index, e) in events.iter().enumerate() {
        let bad = HazardError::History { index };
        if e.from != h.status {
            return Err(bad);
        }
        match &e.step {
            Step::Action { by, action } => {
                let to = rule_for(h.status, action.kind())
                    .map(|r| r.to.unwrap_or(h.status))
                    .ok_or(bad.clone())?;
                if to != e.to {
                    return Err(bad);
                }
                h = effect(&h, action, by, e.on, to);
                if to == Status::Closed {
                    h.closure_number = e.closure_number.clone();
                } else if e.closure_number.is_some() {
                    return Err(bad);
                }
            }
            Step::Escalated { .. } => {
                if e.to != h.status || e.closure_number.is_some() {
                    return Err(bad);
                }
                h.supervised = true;
            }
        }
    }
    Ok(h)
}

// ---------------------------------------------------------------------------------------------
// Overdue, reminders, escalation (§2.7)
// ---------------------------------------------------------------------------------------------

/// Past its deadline and not yet accepted, closed or cancelled. Derived, not a state.
pub fn is_overdue(h: &Hazard, today: NaiveDate) -> bool {
    !h.status.stops_clock() && h.deadline.is_some_and(|d| today > d)
}

/// Whole days past the deadline; 0 when not overdue.
pub fn days_overdue(h: &Hazard, today: NaiveDate) -> i64 {
    match h.deadline {
        Some(d) if is_overdue(h, today) => (today - d).num_days(),
        _ => 0,
    }
}

/// Whether today is a reminder day: `Some(n)` when the deadline is exactly `n` days away for
/// an `n` in `before` (e.g. `[3, 1]`). Only while the work is due (notice issued or
/// rectifying); once submitted there is nothing to remind of.
pub fn reminders(h: &Hazard, today: NaiveDate, before: &[u32]) -> Option<u32> {
    if !matches!(h.status, Status::NoticeIssued | Status::Rectifying) {
        return None;
    }
    let left = (h.deadline? - today).num_days();
    before.iter().copied().find(|n| i64::from(*n) == left)
}

/// Whether the hazard is overdue by more than `after_days` days and not yet under bureau
/// supervision, so the escalation job should list it (§2.7; 7 days by default).
pub fn escalate(h: &Hazard, today: NaiveDate, after_days: u32) -> bool {
    !h.supervised && days_overdue(h, today) > i64::from(after_days)
}

/// The escalation step when [`escalate`] says so: the hazard becomes supervised, status
/// unchanged, with an event for the history (no person: the job did it).
pub fn escalation(h: &Hazard, today: NaiveDate, after_days: u32) -> Option<Transition> {
    if !escalate(h, today, after_days) {
        return None;
    }
    let mut next = h.clone();
    next.supervised = true;
    Some(Transition {
        next,
        event: HistoryEvent {
            on: today,
            from: h.status,
            to: h.status,
            step: Step::Escalated {
                days_overdue: days_overdue(h, today),
            },
            closure_number: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Duration};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn today() -> NaiveDate {
        d("2026-03-10")
    }

    fn days(n: i64) -> NaiveDate {
        today() + Duration::days(n)
    }

    /// School manager 1, school manager 2, bureau 3, responsible user 4, another user 5.
    const M1: Who = Who {
        user_id: 1,
        bureau: false,
        school_manager: true,
    };
    const M2: Who = Who {
        user_id: 2,
        bureau: false,
        school_manager: true,
    };
    const B3: Who = Who {
        user_id: 3,
        bureau: true,
        school_manager: false,
    };
    const R4: Who = Who {
        user_id: 4,
        bureau: false,
        school_manager: false,
    };
    const U5: Who = Who {
        user_id: 5,
        bureau: false,
        school_manager: false,
    };
    const B6: Who = Who {
        user_id: 6,
        bureau: true,
        school_manager: false,
    };

    fn assess(level: Level, treatment: Treatment) -> Action {
        Action::Assess { level, treatment }
    }

    fn fix() -> Action {
        Action::FixOnSpot {
            note: "清理了疏散通道".into(),
            photo_ids: vec![10],
        }
    }

    fn notice_with(f: impl FnOnce(&mut Action)) -> Action {
        let mut a = Action::IssueNotice {
            responsible_user_id: 4,
            measures: "更换灭火器".into(),
            funds: Funds {
                amount: Amount::from_fen(120_000),
                source: "学校公用经费".into(),
            },
            deadline: days(10),
            interim_plan: "设置警示标志，专人值守".into(),
        };
        f(&mut a);
        a
    }

    fn notice() -> Action {
        notice_with(|_| {})
    }

    fn submit() -> Action {
        Action::Submit {
            note: "已更换".into(),
            photo_ids: vec![11, 12],
        }
    }

    fn reason(s: &str) -> String {
        s.to_string()
    }

    fn extension(new_deadline: NaiveDate) -> Action {
        Action::RequestExtension {
            new_deadline,
            reason: reason("材料未到"),
            interim_plan: reason("继续封闭"),
        }
    }

    /// A hazard with its history; every step checks that the history replays to the state.
    #[derive(Clone)]
    struct Run {
        h: Hazard,
        events: Vec<HistoryEvent>,
        seq: u32,
    }

    impl Run {
        fn new() -> Self {
            Run {
                h: Hazard::new_reported(),
                events: Vec::new(),
                seq: 0,
            }
        }

        fn try_do(&mut self, a: Action, w: Who) -> Result<&Hazard, HazardError> {
            let before = self.h.clone();
            let mut t = apply(&self.h, &a, &w, today())?;
            assert_eq!(self.h, before, "apply must not change its input");
            if let Some(year) = t.closing_year() {
                self.seq += 1;
                t = t.with_closure_number(closure_number("S001", year, self.seq));
            }
            self.h = t.next;
            self.events.push(t.event);
            assert_eq!(replay(&self.events).unwrap(), self.h);
            Ok(&self.h)
        }

        fn then(mut self, a: Action, w: Who) -> Self {
            let kind = a.kind();
            if let Err(e) = self.try_do(a, w) {
                panic!("{kind} by {} refused: {e:?}", w.user_id);
            }
            self
        }
    }

    fn assessed(level: Level, t: Treatment) -> Run {
        Run::new().then(assess(level, t), M1)
    }
    fn fixed() -> Run {
        assessed(Level::General, Treatment::FixOnSpot).then(fix(), R4)
    }
    fn issued(level: Level) -> Run {
        assessed(level, Treatment::ByDeadline).then(notice(), M1)
    }
    fn rectifying(level: Level) -> Run {
        issued(level).then(Action::Start {}, R4)
    }
    fn pending(level: Level) -> Run {
        rectifying(level).then(submit(), R4)
    }
    fn accepted(level: Level) -> Run {
        pending(level).then(Action::Accept { note: None }, B3)
    }
    fn closed(level: Level) -> Run {
        accepted(level).then(Action::Close {}, B3)
    }

    fn illegal(r: Result<Transition, HazardError>) -> &'static str {
        match r {
            Err(HazardError::IllegalTransition { key, .. }) => key,
            other => panic!("expected an illegal transition, got {other:?}"),
        }
    }

    fn not_allowed(r: Result<Transition, HazardError>) -> &'static str {
        match r {
            Err(HazardError::NotAllowed { key }) => key,
            other => panic!("expected not allowed, got {other:?}"),
        }
    }

    fn invalid_field(r: Result<Transition, HazardError>) -> (&'static str, &'static str) {
        match r {
            Err(HazardError::Invalid { field, key }) => (field, key),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    // -- every (status, action) pair ----------------------------------------------------------

    /// A valid action of each kind with a person who may take it on the fixtures below.
    fn sample(kind: ActionKind) -> (Action, Who) {
        match kind {
            ActionKind::Assess => (assess(Level::General, Treatment::ByDeadline), M1),
            ActionKind::FixOnSpot => (fix(), R4),
            ActionKind::IssueNotice => (notice(), M1),
            ActionKind::Start => (Action::Start {}, R4),
            ActionKind::Submit => (submit(), R4),
            ActionKind::Accept => (Action::Accept { note: None }, M2),
            ActionKind::Reject => (
                Action::Reject {
                    reason: reason("照片不清"),
                },
                M2,
            ),
            ActionKind::Close => (Action::Close {}, M2),
            ActionKind::Cancel => (
                Action::Cancel {
                    reason: reason("误报"),
                },
                M1,
            ),
            ActionKind::RequestExtension => (extension(days(20)), R4),
            ActionKind::ApproveExtension => (Action::ApproveExtension {}, M2),
            ActionKind::RefuseExtension => (
                Action::RefuseExtension {
                    reason: reason("不同意"),
                },
                M2,
            ),
            ActionKind::Reopen => (
                Action::Reopen {
                    reason: reason("复发"),
                    new_deadline: None,
                },
                B3,
            ),
        }
    }

    #[test]
    fn every_status_action_pair() {
        use ActionKind as A;
        let general = Level::General;
        let fixtures: Vec<(&str, Hazard, &[ActionKind])> = vec![
            ("reported", Run::new().h, &[A::Assess, A::Cancel]),
            (
                "assessed/fix_on_spot",
                assessed(general, Treatment::FixOnSpot).h,
                &[A::FixOnSpot, A::Cancel],
            ),
            (
                "assessed/by_deadline",
                assessed(general, Treatment::ByDeadline).h,
                &[A::IssueNotice, A::Cancel],
            ),
            ("fixed_on_spot", fixed().h, &[A::Close]),
            (
                "notice_issued",
                issued(general).h,
                &[
                    A::Start,
                    A::Cancel,
                    A::RequestExtension,
                    A::ApproveExtension,
                    A::RefuseExtension,
                ],
            ),
            (
                "rectifying",
                rectifying(general).h,
                &[
                    A::Submit,
                    A::RequestExtension,
                    A::ApproveExtension,
                    A::RefuseExtension,
                ],
            ),
            (
                "pending_acceptance",
                pending(general).h,
                &[A::Accept, A::Reject],
            ),
            ("accepted", accepted(general).h, &[A::Close]),
            ("closed", closed(general).h, &[A::Reopen]),
            (
                "cancelled",
                Run::new()
                    .then(
                        Action::Cancel {
                            reason: reason("误报"),
                        },
                        M1,
                    )
                    .h,
                &[],
            ),
        ];
        // Every status is covered.
        for s in Status::ALL {
            assert!(fixtures.iter().any(|(_, h, _)| h.status == *s), "{s}");
        }
        let mut ok = 0;
        for (name, h, allowed) in &fixtures {
            for kind in ActionKind::ALL {
                let mut h = h.clone();
                if matches!(kind, A::ApproveExtension | A::RefuseExtension) {
                    h.pending_extension = Some(Extension {
                        new_deadline: days(20),
                        reason: reason("r"),
                        interim_plan: reason("p"),
                        requested_by: 4,
                        requested_on: today(),
                    });
                }
                let (action, who) = sample(*kind);
                let r = apply(&h, &action, &who, today());
                if allowed.contains(kind) {
                    let t = r.unwrap_or_else(|e| panic!("{name} + {kind}: {e:?}"));
                    let rule = rule_for(h.status, *kind).unwrap();
                    assert_eq!(t.next.status, rule.to.unwrap_or(h.status));
                    assert_eq!((t.event.from, t.event.to), (h.status, t.next.status));
                    ok += 1;
                } else {
                    assert!(
                        matches!(r, Err(HazardError::IllegalTransition { .. })),
                        "{name} + {kind}: {r:?}"
                    );
                }
            }
        }
        assert_eq!(ok, 20);
    }

    #[test]
    fn rule_table_is_consistent() {
        for (i, a) in RULES.iter().enumerate() {
            for b in &RULES[i + 1..] {
                assert!(
                    a.action != b.action || a.from.iter().all(|s| !b.from.contains(s)),
                    "two rules for {} from the same status",
                    a.action
                );
            }
        }
        for k in ActionKind::ALL {
            assert!(RULES.iter().any(|r| r.action == *k), "{k} has no rule");
        }
        // Nothing leaves cancelled; only reopen leaves closed.
        assert!(RULES.iter().all(|r| !r.from.contains(&Status::Cancelled)));
        assert!(
            RULES
                .iter()
                .filter(|r| r.from.contains(&Status::Closed))
                .all(|r| r.action == ActionKind::Reopen)
        );
    }

    // -- assess and cancel ---------------------------------------------------------------------

    #[test]
    fn assess_records_level_and_treatment_and_lists_major_for_supervision() {
        let h = assessed(Level::General, Treatment::FixOnSpot).h;
        assert_eq!(h.status, Status::Assessed);
        assert_eq!(h.level, Some(Level::General));
        assert_eq!(h.treatment, Some(Treatment::FixOnSpot));
        assert!(!h.supervised);
        let h = assessed(Level::Major, Treatment::ByDeadline).h;
        assert!(h.supervised);
        assert!(h.bureau_supervised());
    }

    #[test]
    fn major_cannot_be_fixed_on_the_spot() {
        let r = apply(
            &Hazard::new_reported(),
            &assess(Level::Major, Treatment::FixOnSpot),
            &M1,
            today(),
        );
        assert_eq!(invalid_field(r), ("treatment", MAJOR_FIX_ON_SPOT));
    }

    #[test]
    fn only_managers_or_the_bureau_assess() {
        let h = Hazard::new_reported();
        let a = assess(Level::General, Treatment::ByDeadline);
        assert_eq!(not_allowed(apply(&h, &a, &R4, today())), MANAGERS_ONLY);
        assert!(apply(&h, &a, &B3, today()).is_ok());
        assert!(apply(&h, &a, &M2, today()).is_ok());
    }

    #[test]
    fn assess_only_once() {
        let h = assessed(Level::General, Treatment::ByDeadline).h;
        let r = apply(
            &h,
            &assess(Level::Major, Treatment::ByDeadline),
            &M1,
            today(),
        );
        assert_eq!(illegal(r), ILLEGAL);
    }

    #[test]
    fn cancel_from_early_states_with_a_reason() {
        let cancel = |s: &str| Action::Cancel { reason: reason(s) };
        for run in [
            Run::new(),
            assessed(Level::General, Treatment::ByDeadline),
            issued(Level::General),
        ] {
            let t = apply(&run.h, &cancel("不构成隐患"), &M1, today()).unwrap();
            assert_eq!(t.next.status, Status::Cancelled);
            let r = apply(&run.h, &cancel("  "), &M1, today());
            assert_eq!(invalid_field(r), ("reason", REQUIRED));
            assert_eq!(
                not_allowed(apply(&run.h, &cancel("x"), &R4, today())),
                MANAGERS_ONLY
            );
        }
    }

    #[test]
    fn cancel_from_rectifying_or_later_is_refused() {
        let cancel = Action::Cancel {
            reason: reason("x"),
        };
        for run in [
            rectifying(Level::General),
            pending(Level::General),
            accepted(Level::General),
            closed(Level::General),
            fixed(),
        ] {
            assert_eq!(illegal(apply(&run.h, &cancel, &B3, today())), ILLEGAL);
        }
    }

    #[test]
    fn cancel_of_a_supervised_hazard_is_the_bureaus() {
        let h = assessed(Level::Major, Treatment::ByDeadline).h;
        let cancel = Action::Cancel {
            reason: reason("x"),
        };
        assert_eq!(
            not_allowed(apply(&h, &cancel, &M1, today())),
            BUREAU_SUPERVISED
        );
        assert!(apply(&h, &cancel, &B3, today()).is_ok());
    }

    #[test]
    fn cancel_clears_a_pending_extension() {
        let mut run = issued(Level::General).then(extension(days(20)), R4);
        assert!(run.h.pending_extension.is_some());
        run = run.then(
            Action::Cancel {
                reason: reason("x"),
            },
            M1,
        );
        assert_eq!(run.h.pending_extension, None);
    }

    // -- fix on the spot ----------------------------------------------------------------------

    #[test]
    fn fix_on_spot_records_the_fixer_and_needs_note_and_photos() {
        let h = assessed(Level::General, Treatment::FixOnSpot).h;
        let t = apply(&h, &fix(), &U5, today()).unwrap();
        assert_eq!(t.next.status, Status::FixedOnSpot);
        assert_eq!(t.next.fixer, Some(5));
        assert_eq!(t.next.fixed_on, Some(today()));
        let no_photos = Action::FixOnSpot {
            note: reason("ok"),
            photo_ids: vec![],
        };
        assert_eq!(
            invalid_field(apply(&h, &no_photos, &U5, today())),
            ("photo_ids", PHOTOS_REQUIRED)
        );
        let no_note = Action::FixOnSpot {
            note: reason(""),
            photo_ids: vec![1],
        };
        assert_eq!(
            invalid_field(apply(&h, &no_note, &U5, today())),
            ("note", REQUIRED)
        );
        for bad in [vec![0], vec![-1], vec![1, 1], (1..=21).collect()] {
            let a = Action::FixOnSpot {
                note: reason("ok"),
                photo_ids: bad,
            };
            assert_eq!(
                invalid_field(apply(&h, &a, &U5, today())),
                ("photo_ids", PHOTO_IDS)
            );
        }
    }

    #[test]
    fn fix_on_spot_only_when_assessed_so() {
        let h = assessed(Level::General, Treatment::ByDeadline).h;
        assert_eq!(illegal(apply(&h, &fix(), &M1, today())), NOT_FIX_ON_SPOT);
        let h = assessed(Level::Major, Treatment::ByDeadline).h;
        assert_eq!(illegal(apply(&h, &fix(), &B3, today())), NOT_FIX_ON_SPOT);
        assert_eq!(
            illegal(apply(&Hazard::new_reported(), &fix(), &M1, today())),
            ILLEGAL
        );
    }

    #[test]
    fn fixed_on_spot_is_closed_by_another_manager() {
        let run = fixed(); // fixed by 4
        let by_fixer = run.clone().then(Action::Close {}, M1); // a manager, not the fixer: fine
        assert_eq!(by_fixer.h.status, Status::Closed);
        let mine = assessed(Level::General, Treatment::FixOnSpot).then(fix(), M1);
        assert_eq!(
            not_allowed(apply(&mine.h, &Action::Close {}, &M1, today())),
            SAME_AS_FIXER
        );
        assert_eq!(
            not_allowed(apply(&run.h, &Action::Close {}, &U5, today())),
            MANAGERS_ONLY
        );
        let closed = mine.then(Action::Close {}, M2);
        assert_eq!(closed.h.closed_by, Some(2));
        assert_eq!(
            closed.h.closure_number.as_deref(),
            Some("XH-S001-2026-0001")
        );
    }

    // -- notice --------------------------------------------------------------------------------

    #[test]
    fn notice_records_the_five_guarantees() {
        let run = issued(Level::General);
        let h = &run.h;
        assert_eq!(h.status, Status::NoticeIssued);
        assert_eq!(h.responsible_user_id, Some(4));
        assert_eq!(h.deadline, Some(days(10)));
        assert_eq!(h.interim_plan.as_deref(), Some("设置警示标志，专人值守"));
        let n = h.notice.as_ref().unwrap();
        assert_eq!((n.issued_by, n.issued_on), (1, today()));
        assert_eq!(n.funds.amount, Amount::from_fen(120_000));
        assert_eq!(n.funds.source, "学校公用经费");
        assert_eq!(n.measures, "更换灭火器");
    }

    #[test]
    fn notice_needs_all_five_guarantees() {
        let h = assessed(Level::General, Treatment::ByDeadline).h;
        let cases: Vec<(Action, &str, &str)> = vec![
            (
                notice_with(|a| {
                    if let Action::IssueNotice {
                        responsible_user_id,
                        ..
                    } = a
                    {
                        *responsible_user_id = 0;
                    }
                }),
                "responsible_user_id",
                USER_ID,
            ),
            (
                notice_with(|a| {
                    if let Action::IssueNotice { measures, .. } = a {
                        measures.clear();
                    }
                }),
                "measures",
                REQUIRED,
            ),
            (
                notice_with(|a| {
                    if let Action::IssueNotice { funds, .. } = a {
                        funds.source = " ".into();
                    }
                }),
                "funds.source",
                REQUIRED,
            ),
            (
                notice_with(|a| {
                    if let Action::IssueNotice { funds, .. } = a {
                        funds.amount = Amount::from_fen(-1);
                    }
                }),
                "funds.amount",
                FUNDS_AMOUNT,
            ),
            (
                notice_with(|a| {
                    if let Action::IssueNotice { deadline, .. } = a {
                        *deadline = days(-1);
                    }
                }),
                "deadline",
                DEADLINE_PAST,
            ),
            (
                notice_with(|a| {
                    if let Action::IssueNotice { interim_plan, .. } = a {
                        *interim_plan = "x".repeat(MAX_TEXT + 1);
                    }
                }),
                "interim_plan",
                TOO_LONG,
            ),
        ];
        for (a, field, key) in cases {
            assert_eq!(invalid_field(apply(&h, &a, &M1, today())), (field, key));
        }
        // Zero funds and a deadline of today are fine.
        let a = notice_with(|a| {
            if let Action::IssueNotice {
                funds, deadline, ..
            } = a
            {
                funds.amount = Amount::from_fen(0);
                *deadline = today();
            }
        });
        assert!(apply(&h, &a, &M1, today()).is_ok());
    }

    #[test]
    fn notice_only_for_hazards_fixed_by_deadline() {
        let h = assessed(Level::General, Treatment::FixOnSpot).h;
        assert_eq!(illegal(apply(&h, &notice(), &M1, today())), NOT_BY_DEADLINE);
        let h = assessed(Level::General, Treatment::ByDeadline).h;
        assert_eq!(
            not_allowed(apply(&h, &notice(), &R4, today())),
            MANAGERS_ONLY
        );
        // The bureau may issue one for a major hazard, and so may the school.
        let h = assessed(Level::Major, Treatment::ByDeadline).h;
        assert!(apply(&h, &notice(), &M1, today()).is_ok());
        assert!(apply(&h, &notice(), &B3, today()).is_ok());
    }

    // -- rectification and acceptance ----------------------------------------------------------

    #[test]
    fn start_by_the_responsible_person_or_a_manager() {
        let h = issued(Level::General).h;
        assert_eq!(
            not_allowed(apply(&h, &Action::Start {}, &U5, today())),
            RESPONSIBLE_ONLY
        );
        // The bureau supervises, it does not rectify.
        assert_eq!(
            not_allowed(apply(&h, &Action::Start {}, &B3, today())),
            RESPONSIBLE_ONLY
        );
        assert!(apply(&h, &Action::Start {}, &R4, today()).is_ok());
        assert!(apply(&h, &Action::Start {}, &M2, today()).is_ok());
    }

    #[test]
    fn submit_needs_after_photos_and_records_the_rectifier() {
        let h = rectifying(Level::General).h;
        let a = Action::Submit {
            note: reason("done"),
            photo_ids: vec![],
        };
        assert_eq!(
            invalid_field(apply(&h, &a, &R4, today())),
            ("photo_ids", PHOTOS_REQUIRED)
        );
        assert_eq!(
            not_allowed(apply(&h, &submit(), &U5, today())),
            RESPONSIBLE_ONLY
        );
        let t = apply(&h, &submit(), &R4, today()).unwrap();
        assert_eq!(t.next.status, Status::PendingAcceptance);
        assert_eq!(t.next.rectifier, Some(4));
        assert_eq!(t.next.submitted_on, Some(today()));
    }

    #[test]
    fn acceptor_must_not_be_the_rectifier() {
        let run = rectifying(Level::General).then(submit(), M1);
        let accept = Action::Accept { note: None };
        assert_eq!(
            not_allowed(apply(&run.h, &accept, &M1, today())),
            SAME_AS_RECTIFIER
        );
        let t = apply(&run.h, &accept, &M2, today()).unwrap();
        assert_eq!(t.next.status, Status::Accepted);
        assert_eq!(
            (t.next.accepted_by, t.next.accepted_on),
            (Some(2), Some(today()))
        );
        assert_eq!(
            not_allowed(apply(&run.h, &accept, &R4, today())),
            MANAGERS_ONLY
        );
    }

    #[test]
    fn major_is_accepted_only_by_the_bureau() {
        let h = pending(Level::Major).h;
        let accept = Action::Accept {
            note: Some(reason("符合要求")),
        };
        assert_eq!(
            not_allowed(apply(&h, &accept, &M1, today())),
            BUREAU_SUPERVISED
        );
        assert!(apply(&h, &accept, &B3, today()).is_ok());
    }

    #[test]
    fn major_is_closed_only_by_the_bureau() {
        let run = accepted(Level::Major);
        assert_eq!(
            not_allowed(apply(&run.h, &Action::Close {}, &M1, today())),
            BUREAU_SUPERVISED
        );
        let done = run.then(Action::Close {}, B6);
        assert_eq!(done.h.status, Status::Closed);
        assert_eq!(done.h.closed_by, Some(6));
    }

    #[test]
    fn escalated_general_hazard_is_accepted_only_by_the_bureau() {
        let mut h = pending(Level::General).h;
        h.supervised = true;
        let accept = Action::Accept { note: None };
        assert_eq!(
            not_allowed(apply(&h, &accept, &M2, today())),
            BUREAU_SUPERVISED
        );
        assert!(apply(&h, &accept, &B3, today()).is_ok());
    }

    #[test]
    fn reject_sends_back_with_a_reason() {
        let run = pending(Level::General);
        let r = apply(&run.h, &Action::Reject { reason: reason("") }, &M1, today());
        assert_eq!(invalid_field(r), ("reason", REQUIRED));
        let back = run.clone().then(
            Action::Reject {
                reason: reason("照片不清"),
            },
            M1,
        );
        assert_eq!(back.h.status, Status::Rectifying);
        // The rectifier does not judge their own work either way.
        let mine = rectifying(Level::General).then(submit(), M1);
        let r = apply(
            &mine.h,
            &Action::Reject {
                reason: reason("x"),
            },
            &M1,
            today(),
        );
        assert_eq!(not_allowed(r), SAME_AS_RECTIFIER);
        // And round again: submit, accept by someone else.
        let done = back
            .then(submit(), R4)
            .then(Action::Accept { note: None }, M2)
            .then(Action::Close {}, M1);
        assert_eq!(done.h.status, Status::Closed);
    }

    #[test]
    fn close_after_acceptance_gives_a_closure_number() {
        let run = accepted(Level::General);
        let t = apply(&run.h, &Action::Close {}, &M1, today()).unwrap();
        assert!(t.needs_closure_number());
        assert_eq!(t.next.closure_number, None);
        let t = t.with_closure_number(closure_number("S001", 2026, 7));
        assert_eq!(t.next.closure_number.as_deref(), Some("XH-S001-2026-0007"));
        assert_eq!(t.event.closure_number.as_deref(), Some("XH-S001-2026-0007"));
        assert_eq!(t.next.status, Status::Closed);
        // Not a close: nothing is added.
        let t = apply(&run.h, &Action::Close {}, &M1, today()).unwrap();
        let other = apply(
            &t.next,
            &Action::Reopen {
                reason: reason("x"),
                new_deadline: None,
            },
            &B3,
            today(),
        )
        .unwrap();
        assert!(!other.needs_closure_number());
        let other = other.with_closure_number("XH-1".into());
        assert_eq!(other.next.closure_number, None);
    }

    #[test]
    fn closure_number_format() {
        assert_eq!(closure_number("S001", 2026, 7), "XH-S001-2026-0007");
        assert_eq!(closure_number(" S002 ", 2027, 1), "XH-S002-2027-0001");
        assert_eq!(closure_number("S001", 2026, 12345), "XH-S001-2026-12345");
    }

    #[test]
    fn close_before_acceptance_is_refused() {
        for run in [pending(Level::General), rectifying(Level::General)] {
            assert_eq!(
                illegal(apply(&run.h, &Action::Close {}, &B3, today())),
                ILLEGAL
            );
        }
    }

    // -- extensions ----------------------------------------------------------------------------

    #[test]
    fn extension_must_be_later_and_not_past() {
        let h = rectifying(Level::General).h; // deadline = today + 10
        for bad in [days(10), days(9)] {
            assert_eq!(
                invalid_field(apply(&h, &extension(bad), &R4, today())),
                ("new_deadline", DEADLINE_NOT_LATER)
            );
        }
        let mut overdue = h.clone();
        overdue.deadline = Some(days(-5));
        assert_eq!(
            invalid_field(apply(&overdue, &extension(days(-1)), &R4, today())),
            ("new_deadline", DEADLINE_PAST)
        );
        assert!(apply(&overdue, &extension(today()), &R4, today()).is_ok());
        let no_plan = Action::RequestExtension {
            new_deadline: days(20),
            reason: reason("r"),
            interim_plan: reason(""),
        };
        assert_eq!(
            invalid_field(apply(&h, &no_plan, &R4, today())),
            ("interim_plan", REQUIRED)
        );
        let no_reason = Action::RequestExtension {
            new_deadline: days(20),
            reason: reason(""),
            interim_plan: reason("p"),
        };
        assert_eq!(
            invalid_field(apply(&h, &no_reason, &R4, today())),
            ("reason", REQUIRED)
        );
        assert_eq!(
            not_allowed(apply(&h, &extension(days(20)), &U5, today())),
            RESPONSIBLE_ONLY
        );
    }

    #[test]
    fn only_one_extension_pending() {
        let run = rectifying(Level::General).then(extension(days(20)), R4);
        let e = run.h.pending_extension.as_ref().unwrap();
        assert_eq!((e.requested_by, e.new_deadline), (4, days(20)));
        assert_eq!(
            illegal(apply(&run.h, &extension(days(30)), &M1, today())),
            EXTENSION_PENDING
        );
        // Nothing pending: nothing to decide.
        let h = rectifying(Level::General).h;
        assert_eq!(
            illegal(apply(&h, &Action::ApproveExtension {}, &M1, today())),
            NO_EXTENSION
        );
    }

    #[test]
    fn extension_only_while_the_work_is_due() {
        for run in [
            pending(Level::General),
            accepted(Level::General),
            Run::new(),
        ] {
            assert_eq!(
                illegal(apply(&run.h, &extension(days(20)), &M1, today())),
                ILLEGAL
            );
        }
    }

    #[test]
    fn approve_extension_by_someone_else_sets_the_deadline() {
        let run = issued(Level::General).then(extension(days(20)), M1);
        assert_eq!(
            not_allowed(apply(&run.h, &Action::ApproveExtension {}, &M1, today())),
            SAME_AS_REQUESTER
        );
        assert_eq!(
            not_allowed(apply(&run.h, &Action::ApproveExtension {}, &R4, today())),
            MANAGERS_ONLY
        );
        let done = run.then(Action::ApproveExtension {}, M2);
        assert_eq!(done.h.deadline, Some(days(20)));
        assert_eq!(done.h.pending_extension, None);
        assert_eq!(done.h.interim_plan.as_deref(), Some("继续封闭"));
        assert_eq!(done.h.status, Status::NoticeIssued);
        // The notice as issued keeps its own deadline.
        assert_eq!(done.h.notice.as_ref().unwrap().deadline, days(10));
    }

    #[test]
    fn extension_of_a_supervised_hazard_is_decided_by_the_bureau() {
        let run = rectifying(Level::Major).then(extension(days(20)), R4);
        assert_eq!(
            not_allowed(apply(&run.h, &Action::ApproveExtension {}, &M1, today())),
            BUREAU_SUPERVISED
        );
        let refuse = Action::RefuseExtension {
            reason: reason("x"),
        };
        assert_eq!(
            not_allowed(apply(&run.h, &refuse, &M1, today())),
            BUREAU_SUPERVISED
        );
        assert!(apply(&run.h, &Action::ApproveExtension {}, &B3, today()).is_ok());
    }

    #[test]
    fn refuse_extension_needs_a_reason_and_keeps_the_deadline() {
        let run = rectifying(Level::General).then(extension(days(20)), R4);
        let r = apply(
            &run.h,
            &Action::RefuseExtension { reason: reason("") },
            &M1,
            today(),
        );
        assert_eq!(invalid_field(r), ("reason", REQUIRED));
        let done = run.then(
            Action::RefuseExtension {
                reason: reason("按期完成"),
            },
            M1,
        );
        assert_eq!(done.h.pending_extension, None);
        assert_eq!(done.h.deadline, Some(days(10)));
        assert_eq!(done.h.status, Status::Rectifying);
    }

    #[test]
    fn submit_makes_a_pending_extension_moot() {
        let run = rectifying(Level::General)
            .then(extension(days(20)), R4)
            .then(submit(), R4);
        assert_eq!(run.h.pending_extension, None);
        assert_eq!(run.h.deadline, Some(days(10)));
    }

    // -- reopen --------------------------------------------------------------------------------

    #[test]
    fn reopen_only_by_the_bureau_from_closed() {
        let run = closed(Level::General);
        let number = run.h.closure_number.clone().unwrap();
        let reopen = Action::Reopen {
            reason: reason("复查发现复发"),
            new_deadline: Some(days(15)),
        };
        assert_eq!(
            not_allowed(apply(&run.h, &reopen, &M1, today())),
            BUREAU_ONLY
        );
        let no_reason = Action::Reopen {
            reason: reason(""),
            new_deadline: None,
        };
        assert_eq!(
            invalid_field(apply(&run.h, &no_reason, &B3, today())),
            ("reason", REQUIRED)
        );
        let past = Action::Reopen {
            reason: reason("x"),
            new_deadline: Some(days(-1)),
        };
        assert_eq!(
            invalid_field(apply(&run.h, &past, &B3, today())),
            ("new_deadline", DEADLINE_PAST)
        );
        for early in [
            accepted(Level::General),
            pending(Level::General),
            Run::new(),
        ] {
            assert_eq!(illegal(apply(&early.h, &reopen, &B3, today())), ILLEGAL);
        }
        let again = run.then(reopen, B3);
        let h = &again.h;
        assert_eq!(h.status, Status::Rectifying);
        assert_eq!(h.closure_number, None);
        assert_eq!((h.accepted_by, h.closed_by), (None, None));
        assert_eq!(h.deadline, Some(days(15)));
        assert_eq!(h.reopened, 1);
        // The old number stays in the history.
        assert!(
            again
                .events
                .iter()
                .any(|e| e.closure_number.as_deref() == Some(number.as_str()))
        );
        // And it can be closed again, with a new number.
        let done = again
            .then(submit(), R4)
            .then(Action::Accept { note: None }, B3)
            .then(Action::Close {}, B3);
        assert_eq!(done.h.closure_number.as_deref(), Some("XH-S001-2026-0002"));
    }

    // -- overdue -------------------------------------------------------------------------------

    #[test]
    fn overdue_is_derived() {
        let h = rectifying(Level::General).h; // deadline today + 10
        assert!(!is_overdue(&h, days(10)));
        assert!(is_overdue(&h, days(11)));
        assert_eq!(days_overdue(&h, days(10)), 0);
        assert_eq!(days_overdue(&h, days(13)), 3);
        // Pending acceptance still counts; accepted, closed and cancelled do not.
        assert!(is_overdue(&pending(Level::General).h, days(11)));
        for run in [accepted(Level::General), closed(Level::General)] {
            assert!(!is_overdue(&run.h, days(100)));
            assert_eq!(days_overdue(&run.h, days(100)), 0);
        }
        let cancelled = issued(Level::General).then(
            Action::Cancel {
                reason: reason("x"),
            },
            M1,
        );
        assert!(!is_overdue(&cancelled.h, days(100)));
        // No deadline, never overdue.
        assert!(!is_overdue(&fixed().h, days(100)));
    }

    #[test]
    fn reminder_days() {
        let h = rectifying(Level::General).h; // deadline today + 10
        assert_eq!(reminders(&h, days(7), &[3, 1]), Some(3));
        assert_eq!(reminders(&h, days(9), &[3, 1]), Some(1));
        assert_eq!(reminders(&h, days(8), &[3, 1]), None);
        assert_eq!(reminders(&h, days(10), &[3, 1]), None);
        assert_eq!(reminders(&h, days(10), &[0]), Some(0));
        assert_eq!(reminders(&h, days(11), &[3, 1]), None);
        assert_eq!(
            reminders(&issued(Level::General).h, days(7), &[3, 1]),
            Some(3)
        );
        // Handed in: no reminders.
        assert_eq!(
            reminders(&pending(Level::General).h, days(7), &[3, 1]),
            None
        );
    }

    #[test]
    fn escalation_after_n_days() {
        let run = rectifying(Level::General); // deadline today + 10
        assert!(!escalate(&run.h, days(17), 7));
        assert!(escalate(&run.h, days(18), 7));
        assert!(escalation(&run.h, days(17), 7).is_none());
        let t = escalation(&run.h, days(18), 7).unwrap();
        assert!(t.next.supervised);
        assert_eq!(t.next.status, Status::Rectifying);
        assert_eq!(t.event.step, Step::Escalated { days_overdue: 8 });
        assert_eq!(t.event.who(), None);
        assert_eq!(t.event.label_key(), ESCALATED_KEY);
        // Already supervised: nothing to do.
        assert!(!escalate(&t.next, days(30), 7));
        assert!(!escalate(&rectifying(Level::Major).h, days(30), 7));
        // The escalation replays.
        let mut events = run.events.clone();
        events.push(t.event.clone());
        assert_eq!(replay(&events).unwrap(), t.next);
        // From then on the school cannot accept it.
        let h = apply(&t.next, &submit(), &R4, days(18)).unwrap().next;
        assert_eq!(
            not_allowed(apply(&h, &Action::Accept { note: None }, &M1, days(18))),
            BUREAU_SUPERVISED
        );
    }

    // -- history -------------------------------------------------------------------------------

    #[test]
    fn replay_refuses_a_broken_history() {
        let run = closed(Level::General);
        let mut events = run.events.clone();
        events.remove(2); // the notice
        assert_eq!(replay(&events), Err(HazardError::History { index: 2 }));
        let mut events = run.events.clone();
        events[0].to = Status::Closed;
        assert_eq!(replay(&events), Err(HazardError::History { index: 0 }));
        let mut events = run.events.clone();
        events[1].closure_number = Some("XH".into());
        assert_eq!(replay(&events), Err(HazardError::History { index: 1 }));
        assert_eq!(replay(&[]).unwrap(), Hazard::new_reported());
        assert_eq!(
            HazardError::History { index: 1 }.key(),
            "err.hazard.history"
        );
    }

    #[test]
    fn history_round_trips_through_json() {
        let run = closed(Level::Major);
        let json = serde_json::to_string(&run.events).unwrap();
        let back: Vec<HistoryEvent> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, run.events);
        assert_eq!(replay(&back).unwrap(), run.h);
        let state: Hazard = serde_json::from_value(serde_json::to_value(&run.h).unwrap()).unwrap();
        assert_eq!(state, run.h);
        let e = &run.events[0];
        assert_eq!(e.who(), Some(&M1));
        assert_eq!(e.action().map(Action::kind), Some(ActionKind::Assess));
        assert_eq!(e.label_key(), "hazard_action.assess");
    }

    #[test]
    fn available_actions_follow_the_rules() {
        let h = issued(Level::General).h;
        use ActionKind as A;
        assert_eq!(
            available_actions(&h, &R4),
            vec![A::Start, A::RequestExtension]
        );
        assert_eq!(available_actions(&h, &B3), vec![A::Cancel]);
        assert_eq!(
            available_actions(&h, &M1),
            vec![A::Start, A::Cancel, A::RequestExtension]
        );
        assert_eq!(available_actions(&closed(Level::General).h, &M1), vec![]);
        assert_eq!(
            available_actions(&closed(Level::General).h, &B3),
            vec![A::Reopen]
        );
    }

    // -- wire format ---------------------------------------------------------------------------

    fn body(v: serde_json::Value) -> Result<Action, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn actions_parse_from_the_api_bodies() {
        use serde_json::json;
        assert_eq!(
            body(json!({"action": "assess", "level": "major", "treatment": "by_deadline"}))
                .unwrap(),
            assess(Level::Major, Treatment::ByDeadline)
        );
        let n = body(json!({
            "action": "issue_notice", "responsible_user_id": 4, "measures": "更换灭火器",
            "funds": {"amount": "1200.00", "source": "学校公用经费"},
            "deadline": "2026-03-20", "interim_plan": "设置警示标志，专人值守"
        }))
        .unwrap();
        assert_eq!(n, notice());
        let n2 = body(json!({
            "action": "issue_notice", "responsible_user_id": 4, "measures": "更换灭火器",
            "funds": {"amount": 1200, "source": "学校公用经费"},
            "deadline": "2026-03-20", "interim_plan": "设置警示标志，专人值守"
        }))
        .unwrap();
        assert_eq!(n2, notice());
        assert_eq!(
            body(json!({"action": "submit", "note": "已更换", "photo_ids": [11, 12]})).unwrap(),
            submit()
        );
        assert_eq!(
            body(json!({"action": "fix_on_spot", "note": "清理了疏散通道", "photo_ids": [10]}))
                .unwrap(),
            fix()
        );
        for (a, expected) in [
            ("start", Action::Start {}),
            ("close", Action::Close {}),
            ("approve_extension", Action::ApproveExtension {}),
            ("accept", Action::Accept { note: None }),
        ] {
            assert_eq!(body(json!({ "action": a })).unwrap(), expected);
        }
        assert_eq!(
            body(json!({"action": "accept", "note": "ok"})).unwrap(),
            Action::Accept {
                note: Some(reason("ok"))
            }
        );
        for a in ["reject", "cancel", "refuse_extension"] {
            let parsed = body(json!({"action": a, "reason": "r"})).unwrap();
            assert_eq!(parsed.kind().as_str(), a);
        }
        assert_eq!(
            body(
                json!({"action": "request_extension", "new_deadline": "2026-03-30",
                "reason": "材料未到", "interim_plan": "继续封闭"})
            )
            .unwrap(),
            extension(days(20))
        );
        assert_eq!(
            body(json!({"action": "reopen", "reason": "r"})).unwrap(),
            Action::Reopen {
                reason: reason("r"),
                new_deadline: None
            }
        );
        // Every kind has a body, and serialising gives the same body back.
        for k in ActionKind::ALL {
            let (a, _) = sample(*k);
            assert_eq!(a.kind(), *k);
            let v = serde_json::to_value(&a).unwrap();
            assert_eq!(v["action"], k.as_str());
            assert_eq!(body(v).unwrap(), a);
        }
    }

    #[test]
    fn bad_bodies_are_refused() {
        use serde_json::json;
        for bad in [
            json!({"action": "assess", "level": "major", "treatment": "by_deadline", "x": 1}),
            json!({"action": "start", "x": 1}),
            json!({"action": "close", "closure_number": "XH-1"}),
            json!({"action": "assess", "level": "huge", "treatment": "by_deadline"}),
            json!({"action": "fly"}),
            json!({"level": "major"}),
            json!({"action": "submit", "note": "n"}),
            json!({"action": "issue_notice", "responsible_user_id": 4, "measures": "m",
                "funds": {"amount": "12.345", "source": "s"}, "deadline": "2026-03-20",
                "interim_plan": "p"}),
            json!({"action": "issue_notice", "responsible_user_id": 4, "measures": "m",
                "funds": {"amount": "1e3", "source": "s"}, "deadline": "2026-03-20",
                "interim_plan": "p"}),
            json!({"action": "issue_notice", "responsible_user_id": 4, "measures": "m",
                "funds": {"amount": 100, "source": "s", "x": 1}, "deadline": "2026-03-20",
                "interim_plan": "p"}),
            json!({"action": "issue_notice", "responsible_user_id": 4, "measures": "m",
                "funds": {"amount": 100, "source": "s"}, "deadline": "20.3.2026",
                "interim_plan": "p"}),
        ] {
            assert!(body(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts() {
        for (s, fen) in [
            ("0", 0),
            ("12", 1200),
            ("12.5", 1250),
            ("12.05", 1205),
            (" 3.10 ", 310),
            ("-0.5", -50),
            ("+7", 700),
        ] {
            assert_eq!(s.parse::<Amount>(), Ok(Amount::from_fen(fen)), "{s}");
        }
        for s in [
            "",
            "-",
            "1.",
            ".5",
            "1.234",
            "1,000",
            "1e3",
            "abc",
            "1..2",
            "999999999999999",
        ] {
            assert!(s.parse::<Amount>().is_err(), "{s}");
        }
        assert_eq!(Amount::from_fen(120_050).to_string(), "1200.50");
        assert_eq!(Amount::from_fen(-5).to_string(), "-0.05");
        assert_eq!(Amount::from_f64(0.1 + 0.2), Some(Amount::from_fen(30)));
        assert_eq!(Amount::from_f64(0.001), None);
        assert_eq!(Amount::from_f64(f64::NAN), None);
        assert_eq!(
            serde_json::to_value(Amount::from_fen(1250)).unwrap(),
            serde_json::json!("12.50")
        );
        let a: Amount = serde_json::from_value(serde_json::json!(12.5)).unwrap();
        assert_eq!(a, Amount::from_fen(1250));
        assert!(serde_json::from_value::<Amount>(serde_json::json!(true)).is_err());
    }

    #[test]
    fn enums_have_their_wire_codes() {
        assert_eq!(Status::ALL.len(), 9);
        assert_eq!(ActionKind::ALL.len(), 13);
        assert_eq!(Source::ALL.len(), 16);
        assert_eq!(
            Source::parse("half_month_self_inspection"),
            Some(Source::HalfMonthSelfInspection)
        );
        assert_eq!(Source::default(), Source::Daily);
        assert_eq!(
            Status::PendingAcceptance.label_key(),
            "hazard_status.pending_acceptance"
        );
        assert_eq!(
            serde_json::to_value(Treatment::FixOnSpot).unwrap(),
            serde_json::json!("fix_on_spot")
        );
    }

    #[test]
    fn openapi_schemas_build() {
        use utoipa::PartialSchema;
        let action = serde_json::to_string(&Action::schema()).unwrap();
        for code in ["issue_notice", "approve_extension", "interim_plan"] {
            assert!(action.contains(code), "{code}");
        }
        let hazard = serde_json::to_string(&Hazard::schema()).unwrap();
        assert!(hazard.contains("closure_number"));
        assert!(serde_json::to_string(&HistoryEvent::schema()).is_ok());
    }

    #[test]
    fn catalogue_keys_are_listed() {
        let keys = catalogue_keys();
        for k in [
            "hazard_status.fixed_on_spot",
            "hazard_level.major",
            "hazard_treatment.by_deadline",
            "hazard_source.device_alarm",
            "hazard_action.request_extension",
            "hazard_event.escalated",
            "err.hazard.illegal_transition",
            "err.required",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k}");
        }
        let unique: std::collections::BTreeSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "no duplicates");
    }

    // -- the property test ---------------------------------------------------------------------

    /// The allowed (status, action) pairs with their target, written out independently of
    /// [`RULES`]: `Some(to)` if legal (guards included), `None` if the step must be refused as
    /// illegal.
    fn oracle(h: &Hazard, k: ActionKind) -> Option<Status> {
        use ActionKind as A;
        use Status as St;
        let pending = h.pending_extension.is_some();
        let fix = h.level == Some(Level::General) && h.treatment == Some(Treatment::FixOnSpot);
        match (h.status, k) {
            (St::Reported, A::Assess) => Some(St::Assessed),
            (St::Reported | St::Assessed | St::NoticeIssued, A::Cancel) => Some(St::Cancelled),
            (St::Assessed, A::FixOnSpot) if fix => Some(St::FixedOnSpot),
            (St::Assessed, A::IssueNotice) if !fix => Some(St::NoticeIssued),
            (St::FixedOnSpot | St::Accepted, A::Close) => Some(St::Closed),
            (St::NoticeIssued, A::Start) => Some(St::Rectifying),
            (St::Rectifying, A::Submit) => Some(St::PendingAcceptance),
            (St::PendingAcceptance, A::Accept) => Some(St::Accepted),
            (St::PendingAcceptance, A::Reject) => Some(St::Rectifying),
            (St::NoticeIssued | St::Rectifying, A::RequestExtension) if !pending => Some(h.status),
            (St::NoticeIssued | St::Rectifying, A::ApproveExtension | A::RefuseExtension)
                if pending =>
            {
                Some(h.status)
            }
            (St::Closed, A::Reopen) => Some(St::Rectifying),
            _ => None,
        }
    }

    /// Who may take a legal step, written out independently of [`RULES`].
    fn may(h: &Hazard, k: ActionKind, w: &Who) -> bool {
        use ActionKind as A;
        let manager = w.school_manager || w.bureau;
        let bureau_needed = h.supervised || h.level == Some(Level::Major);
        let supervised_ok = !bureau_needed || w.bureau;
        let responsible = w.school_manager || h.responsible_user_id == Some(w.user_id);
        match k {
            A::Assess | A::IssueNotice => manager,
            A::FixOnSpot => true,
            A::Start | A::Submit | A::RequestExtension => responsible,
            A::Accept | A::Reject => manager && supervised_ok && h.rectifier != Some(w.user_id),
            A::Close if h.status == Status::FixedOnSpot => {
                manager && supervised_ok && h.fixer != Some(w.user_id)
            }
            A::Close | A::Cancel | A::RefuseExtension => manager && supervised_ok,
            A::ApproveExtension => {
                manager
                    && supervised_ok
                    && h.pending_extension.as_ref().map(|e| e.requested_by) != Some(w.user_id)
            }
            A::Reopen => w.bureau,
        }
    }

    const PEOPLE: [Who; 4] = [
        M1,
        M2,
        B3,
        Who {
            user_id: 4,
            bureau: false,
            school_manager: false,
        },
    ];

    #[derive(Debug, Clone)]
    enum Op {
        Act(Action, usize),
        /// The escalation job runs with this threshold.
        Escalate(u32),
    }

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![9 => Just("ok".to_string()), 1 => Just(String::new())]
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        (-5i64..40).prop_map(days)
    }

    fn arb_photos() -> impl Strategy<Value = Vec<i64>> {
        prop_oneof![9 => Just(vec![1]), 1 => Just(vec![])]
    }

    /// Every kind of action, valid data mostly. Cancel is rarer (it ends the hazard for good),
    /// so that more sequences get far along the loop.
    fn arb_action() -> impl Strategy<Value = Action> {
        let level = prop::sample::select(Level::ALL);
        let treatment = prop::sample::select(Treatment::ALL);
        prop_oneof![
            4 => (level, treatment).prop_map(|(level, treatment)| Action::Assess {
                level,
                treatment
            }),
            4 => (arb_text(), arb_photos())
                .prop_map(|(note, photo_ids)| Action::FixOnSpot { note, photo_ids }),
            4 => (
                prop_oneof![Just(1i64), Just(2), Just(3), Just(4), Just(0)],
                arb_text(),
                prop_oneof![9 => Just(50_000i64), 1 => Just(-1)],
                arb_text(),
                arb_date(),
                arb_text()
            )
                .prop_map(
                    |(responsible_user_id, measures, fen, source, deadline, interim_plan)| {
                        Action::IssueNotice {
                            responsible_user_id,
                            measures,
                            funds: Funds {
                                amount: Amount::from_fen(fen),
                                source,
                            },
                            deadline,
                            interim_plan,
                        }
                    }
                ),
            4 => Just(Action::Start {}),
            4 => (arb_text(), arb_photos())
                .prop_map(|(note, photo_ids)| Action::Submit { note, photo_ids }),
            4 => prop::option::of(arb_text()).prop_map(|note| Action::Accept { note }),
            4 => arb_text().prop_map(|reason| Action::Reject { reason }),
            4 => Just(Action::Close {}),
            1 => arb_text().prop_map(|reason| Action::Cancel { reason }),
            4 => (arb_date(), arb_text(), arb_text()).prop_map(
                |(new_deadline, reason, interim_plan)| Action::RequestExtension {
                    new_deadline,
                    reason,
                    interim_plan,
                }
            ),
            4 => Just(Action::ApproveExtension {}),
            4 => arb_text().prop_map(|reason| Action::RefuseExtension { reason }),
            4 => (arb_text(), prop::option::of(arb_date())).prop_map(|(reason, new_deadline)| {
                Action::Reopen {
                    reason,
                    new_deadline,
                }
            }),
        ]
    }

    /// Generated dates are relative to [`today`]; this moves them to the step's own day.
    fn shift(mut a: Action, by: Duration) -> Action {
        match &mut a {
            Action::IssueNotice { deadline: d, .. }
            | Action::RequestExtension {
                new_deadline: d, ..
            }
            | Action::Reopen {
                new_deadline: Some(d),
                ..
            } => *d += by,
            _ => {}
        }
        a
    }

    fn arb_ops() -> impl Strategy<Value = Vec<(Op, i64)>> {
        let op = prop_oneof![
            12 => (arb_action(), 0usize..4).prop_map(|(a, w)| Op::Act(a, w)),
            1 => (0u32..10).prop_map(Op::Escalate),
        ];
        prop::collection::vec((op, 0i64..3), 1..150)
    }

    /// Checks the path that just reached `closed` (the last event), from the history since the
    /// last reopening: acceptance by someone other than the rectifier (or a close by someone
    /// other than the fixer), and for a major hazard acceptance and close by the bureau.
    fn check_closing_path(events: &[HistoryEvent], h: &Hazard) -> Result<(), TestCaseError> {
        let start = events
            .iter()
            .rposition(|e| e.action().is_some_and(|a| a.kind() == ActionKind::Reopen))
            .map_or(0, |i| i + 1);
        let path = &events[start..];
        let close = path.last().unwrap();
        let closer = close.who().unwrap();
        let last = |k: ActionKind| {
            path.iter()
                .rev()
                .find(|e| e.action().is_some_and(|a| a.kind() == k))
        };
        prop_assert!(close.closure_number.is_some());
        if close.from == Status::FixedOnSpot {
            let fixer = last(ActionKind::FixOnSpot).unwrap().who().unwrap();
            prop_assert_ne!(fixer.user_id, closer.user_id);
            prop_assert_eq!(h.level, Some(Level::General));
        } else {
            prop_assert_eq!(close.from, Status::Accepted);
            let accept = last(ActionKind::Accept).expect("an acceptance");
            let acceptor = accept.who().unwrap();
            let submit = path[..path.iter().position(|e| e == accept).unwrap()]
                .iter()
                .rev()
                .find(|e| e.action().is_some_and(|a| a.kind() == ActionKind::Submit))
                .expect("a submission before the acceptance");
            prop_assert_ne!(acceptor.user_id, submit.who().unwrap().user_id);
            if h.level == Some(Level::Major) {
                prop_assert!(acceptor.bureau && closer.bureau);
            }
            if h.supervised {
                prop_assert!(closer.bureau);
            }
        }
        Ok(())
    }

    /// Random sequences of (action, person): no illegal step is accepted, every legal one
    /// moves where the independent table says and only for the people allowed, every path to
    /// `closed` passes acceptance by someone else (by the bureau for major hazards), and the
    /// history always replays to the current state.
    #[test]
    fn random_action_sequences_keep_the_rules() {
        use std::cell::Cell;
        let closes = Cell::new(0usize);
        let steps_taken = Cell::new(0usize);
        let major_closes = Cell::new(0usize);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 2000,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        runner
            .run(&arb_ops(), |ops| {
                let mut h = Hazard::new_reported();
                let mut history: Vec<HistoryEvent> = Vec::new();
                let mut on = today();
                let mut seq = 0;
                for (op, advance) in ops {
                    on += Duration::days(advance);
                    match op {
                        Op::Escalate(n) => {
                            if let Some(t) = escalation(&h, on, n) {
                                prop_assert!(is_overdue(&h, on) && !h.supervised);
                                prop_assert_eq!(t.next.status, h.status);
                                h = t.next;
                                history.push(t.event);
                            }
                        }
                        Op::Act(action, w) => {
                            let who = PEOPLE[w];
                            let action = shift(action, on - today());
                            let kind = action.kind();
                            let before = h.clone();
                            let r = apply(&h, &action, &who, on);
                            prop_assert_eq!(&h, &before);
                            match (oracle(&h, kind), r) {
                                (None, Ok(t)) => {
                                    return Err(TestCaseError::fail(format!(
                                        "illegal {kind} from {} accepted: {t:?}",
                                        h.status
                                    )));
                                }
                                (None, Err(e)) => {
                                    prop_assert!(
                                        matches!(e, HazardError::IllegalTransition { .. }),
                                        "{:?}",
                                        e
                                    );
                                }
                                (Some(to), Ok(mut t)) => {
                                    prop_assert!(may(&h, kind, &who), "{} by {:?}", kind, who);
                                    prop_assert_eq!(t.next.status, to);
                                    prop_assert_eq!(t.event.from, h.status);
                                    if t.needs_closure_number() {
                                        seq += 1;
                                        t = t.with_closure_number(closure_number(
                                            "S001",
                                            on.year(),
                                            seq,
                                        ));
                                    }
                                    h = t.next;
                                    history.push(t.event);
                                    steps_taken.set(steps_taken.get() + 1);
                                    if h.status == Status::Closed {
                                        closes.set(closes.get() + 1);
                                        if h.level == Some(Level::Major) {
                                            major_closes.set(major_closes.get() + 1);
                                        }
                                        check_closing_path(&history, &h)?;
                                    }
                                }
                                (Some(_), Err(e)) => {
                                    prop_assert!(
                                        !matches!(e, HazardError::IllegalTransition { .. }),
                                        "legal {} refused as illegal: {:?}",
                                        kind,
                                        e
                                    );
                                    if matches!(e, HazardError::NotAllowed { .. }) {
                                        prop_assert!(!may(&h, kind, &who));
                                    } else {
                                        prop_assert!(may(&h, kind, &who));
                                    }
                                    prop_assert!(ERROR_KEYS.contains(&e.key()), "{}", e.key());
                                }
                            }
                        }
                    }
                    prop_assert_eq!(&replay(&history).unwrap(), &h);
                    if h.level == Some(Level::Major) {
                        prop_assert!(h.supervised);
                    }
                    if h.status == Status::Closed {
                        prop_assert!(h.closure_number.is_some());
                    }
                }
                Ok(())
            })
            .unwrap();
        // The generator does reach the interesting places.
        let (closes, steps, major) = (closes.get(), steps_taken.get(), major_closes.get());
        assert!(
            closes >= 100 && major >= 5 && steps >= 3000,
            "{closes} closes ({major} major) in {steps} steps"
        );
    }
}
