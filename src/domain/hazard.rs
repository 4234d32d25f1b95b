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
mod tests;
