//! The one policy table: which role may perform which action. Scope (which objects) is not
//! decided here but by the org subtree of the user, enforced by [`crate::storage::Scoped`].
//!
//! Read by: the request gate (every route names its action), the storage handle (a write is
//! only reachable after the check), the menus (an entry is shown when its action is allowed)
//! and the access-matrix test (expected answers are computed from this table).
//!
//! **Invariant:** a route without an [`Action`] cannot be registered; an action without a row
//! here is allowed to nobody, and the access-matrix test fails on it.

use crate::domain::role::Role::{self, *};

/// Everything a user can ask the platform to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// No sign-in needed (login page, health, static files, language switch).
    Public,
    /// Any signed-in user, about themselves (me, home, logout, own password, own second
    /// factor).
    OwnSession,
    /// The second factor of a sign-in (give a code, set one up): the only routes a session
    /// signed in with the password alone reaches, besides sign-out (the gate).
    MfaSignIn,
    OrgView,
    /// Create or edit city/district nodes of the tree (configuration: system admin).
    OrgManage,
    SchoolView,
    SchoolCreate,
    SchoolUpdate,
    SchoolImport,
    SchoolExport,
    PersonView,
    PersonWrite,
    ZoneView,
    ZoneWrite,
    /// Read the district risk catalogue (every business role: schools work from it).
    RiskCatalogView,
    /// Edit, import the catalogue (the bureau).
    RiskCatalogEdit,
    /// Read risk registers, maps, cards, roll-ups; use the grading calculator.
    RiskView,
    /// Instantiate, add, place, retire risk points; set control levels.
    RiskWrite,
    /// Record an assessment of a risk point.
    RiskAssess,
    /// Upload photos and documents (every file belongs to a school).
    FileUpload,
    /// Read a file or its thumbnail (scope of the file's school).
    FileView,
    /// Read hazards, their history, notices and ledgers.
    HazardView,
    /// Report a hazard (anyone who walks the campus may).
    HazardReport,
    /// Take a step of the closed loop; which steps a person may take is decided by the
    /// hazard rules (`domain::hazard::RULES`) from the role and the hazard.
    HazardAct,
    /// Urge a school on about one of its open hazards (督办) with a message (city and district
    /// officers).
    HazardUrge,
    /// Read inspections, campaigns, cross-inspection assignments and the self-inspection board.
    InspectionView,
    /// Submit an inspection (self-inspection, post check, campaign or cross-inspection).
    InspectionSubmit,
    /// Issue campaigns and assign cross-inspections (the bureau).
    InspectionPlan,
    /// Read a school's devices, their last values and refused payloads.
    DeviceView,
    /// Register, place, rename devices and issue or revoke their tokens (the school's safety
    /// director and principal, the bureau).
    DeviceManage,
    /// Send readings (a device with its token; no user holds it: a user token cannot ingest).
    DeviceIngest,
    /// Read warnings, their history, the live stream and the rules in force.
    WarningView,
    /// Acknowledge, dispatch, resolve a warning or close it as a false alarm (the school's
    /// principal, safety director and guard on duty, the bureau).
    WarningAct,
    /// Change the device threshold rules (the bureau).
    WarningRuleManage,
    /// Read the outbound notification channels of one's bureau and below, and their delivery
    /// log (the bureau).
    ChannelView,
    /// Add and change outbound notification channels (e-mail, DingTalk, WeCom, webhooks).
    ChannelManage,
    /// Open the monitoring screen (数据大屏) of one's own bureau.
    ScreenView,
    /// Read the home page's figures (the day's picture, the to-do, the charts) of one's own
    /// node or of an org in scope (a school's hub): every business role.
    HomeView,
    /// Read a school's drills and the drill compliance board.
    DrillView,
    /// Plan a drill, record it held, evaluate it (opening hazards from its problems): the
    /// school's principal and safety director.
    DrillRecord,
    /// Read duty periods, rosters and the daily zero-report board.
    DutyView,
    /// Set up a duty period and the units that report in it (city and district officers).
    DutyPlan,
    /// Submit a unit's duty roster and its daily (zero) reports: the school's principal and
    /// safety director. Not the guard: the daily report is the unit's word to the bureau,
    /// given by its management, and the guard's night watch is on the roster, not the report.
    DutySubmit,
    /// Check in as the unit's duty officer on the day (the school's people on the roster).
    DutyCheckIn,
    /// Record a phone spot check of a unit's duty phone (the bureau's officers and inspectors).
    DutySpotCheck,
    /// Read incident reports (紧急信息报告) and their clocks; the people hurt only as counts.
    IncidentView,
    /// Report an incident: the first report, follow-ups and the final report (the school's
    /// principal and safety director).
    IncidentReport,
    /// See the names of the people an incident hurt (minors): the school's managers and the
    /// bureau; every view is audited.
    IncidentPersons,
    /// Acknowledge a school's report and record the bureau's own report upward (city and
    /// district officers).
    IncidentReceipt,
    /// Read emergency plans (应急预案), their history, coverage and the bureau's roll-up.
    PlanView,
    /// Write a plan: a new draft, its content and documents (the school's principal and safety
    /// director for the school's plans, city and district officers).
    PlanWrite,
    /// Take a step of a plan's lifecycle; which step a person may take (the school submits,
    /// publishes and files, the bureau assigns reviewers and decides, the assigned expert
    /// reviews) is decided in storage from the role and the plan.
    PlanAct,
    /// Read a bureau's expert pool (评审专家库).
    PlanExpertView,
    /// Add experts to the pool, change or retire them (city and district officers).
    PlanExpertManage,
    /// Read the working-day calendar (public holidays and 调休 make-up days): anyone signed in.
    CalendarView,
    /// Replace the working-day calendar (city and district officers).
    CalendarEdit,
    /// Read the districts' work plans, the compliance calendar, meetings, trainings and
    /// education activities (every business role).
    WorkPlanView,
    /// Write a district's work plan: create, edit, copy to a new year (city and district
    /// officers).
    WorkPlanEdit,
    /// Record meetings, trainings and education activities (the bureau's officers for the
    /// district's and on a school's behalf, the school's principal and safety director).
    WorkRecord,
    /// Read responsibility letters (责任书), their signatures and who has not signed.
    LetterView,
    /// Issue a letter: a bureau's to its schools (city and district officers), a school's
    /// to named staff posts (its principal and safety director); decided by the org in
    /// storage.
    LetterIssue,
    /// Sign a letter: a school's principal for the school (in-app, or the signed scan with
    /// the safety director), a named person for a post letter.
    LetterSign,
    /// Read the leading groups (安全工作领导小组) and their gaps.
    LeadingGroupView,
    /// Record a leading group: the bureau's by its officers, a school's by its principal and
    /// safety director (decided by the org in storage).
    LeadingGroupEdit,
    /// Read the concentrated governance actions (集中整治 / 专项行动) and their results.
    GovernanceView,
    /// Launch a governance action with its schools and checklist (city and district officers).
    GovernanceLaunch,
    /// Report a school's result of an action that targets it (its principal and safety
    /// director).
    GovernanceReport,
    /// Read a school's star rating (computed criteria) and its awards.
    StarRatingView,
    /// Award a school its year's star rating as computed (city and district officers).
    StarRatingAward,
    /// Read the security register (guards, technical protection) and its shortfalls.
    SecurityView,
    /// Register, change and retire entries of a school's security register.
    SecurityWrite,
    /// Read school buses: vehicles, permits, signs, drivers with their eligibility, attendants,
    /// routes, riders (masked), trips and their tracks; evaluate a driver record.
    BusView,
    /// Register and edit a school's buses, drivers (and their records), attendants, routes
    /// and trips (the school's principal and safety director, the bureau's officers, who
    /// also record the police's monthly violation notices).
    BusManage,
    /// Apply for a bus's use permit (the school's principal and safety director).
    BusPermitApply,
    /// Take the bureau's steps of a permit: forward, record the replies, review, record the
    /// government's decision, issue the sign, refuse (city and district officers).
    BusPermitDecide,
    /// See riders' (minors') full names and phones: every view audited with its reason.
    BusRiderNames,
    /// Record a trip: the pre-trip check, boarding and alighting counts, start and finish (the
    /// school's managers, and staff who are the trip's driver or attendant).
    BusTripRecord,
    /// Read the grants to see minors' data whole: who asked for which object's data, why,
    /// who decided and until when (no pupil's data is in a grant).
    PiiGrantView,
    /// Ask for a time-boxed grant to see one object's minors' data whole, with a reason (the
    /// roles without the standing right: the bureau's staff, teachers, drivers, guards).
    PiiGrantRequest,
    /// Approve or refuse a grant, or revoke one in force (the school's principal, the
    /// bureau's leader and officers; never one's own request).
    PiiGrantDecide,
    UserView,
    /// Create accounts, disable, enable, reset passwords (system admin).
    UserManage,
    /// Grant roles and org scope (security admin).
    UserGrant,
    /// Lift a sign-in lockout and its throttles (security admin: a lockout is a security
    /// event, and the system admin could otherwise lock an account and let itself in).
    UserUnlock,
    /// Remove a user's second factor, which forces setting up a new one (security admin).
    UserMfaReset,
    AuditView,
    /// Archive and purge audit entries past the retention (audit admin; never under 184 days).
    AuditPurge,
}

const BUSINESS: &[Role] = &[
    CityOfficer,
    BureauLeader,
    BureauOfficer,
    BureauInspector,
    Principal,
    SafetyDirector,
    Staff,
    Guard,
];
/// Business roles that act (the bureau leader reads and decides on paper, not in the loop).
const ACTORS: &[Role] = &[
    CityOfficer,
    BureauOfficer,
    BureauInspector,
    Principal,
    SafetyDirector,
    Staff,
    Guard,
];
const BUREAU_MANAGE: &[Role] = &[CityOfficer, BureauOfficer];
const BUREAU_ALL: &[Role] = &[CityOfficer, BureauLeader, BureauOfficer, BureauInspector];
const SCHOOL_MANAGE: &[Role] = &[CityOfficer, BureauOfficer, Principal, SafetyDirector];

/// The table. One row per action; `Public` and `OwnSession` are handled before the table.
pub const POLICY: &[(Action, &[Role])] = &[
    (Action::OrgView, BUSINESS),
    (Action::OrgManage, &[SysAdmin]),
    (Action::SchoolView, BUSINESS),
    (Action::SchoolCreate, BUREAU_MANAGE),
    (
        Action::SchoolUpdate,
        &[CityOfficer, BureauOfficer, Principal],
    ),
    (Action::SchoolImport, BUREAU_MANAGE),
    (Action::SchoolExport, BUREAU_ALL),
    (Action::PersonView, BUSINESS),
    (Action::PersonWrite, SCHOOL_MANAGE),
    (Action::ZoneView, BUSINESS),
    (Action::ZoneWrite, SCHOOL_MANAGE),
    (Action::RiskCatalogView, BUSINESS),
    (Action::RiskCatalogEdit, BUREAU_MANAGE),
    (Action::RiskView, BUSINESS),
    (Action::RiskWrite, SCHOOL_MANAGE),
    (
        Action::RiskAssess,
        &[
            CityOfficer,
            BureauOfficer,
            BureauInspector,
            Principal,
            SafetyDirector,
        ],
    ),
    (Action::FileUpload, BUSINESS),
    (Action::FileView, BUSINESS),
    (Action::HazardView, BUSINESS),
    (Action::HazardReport, BUSINESS),
    (Action::HazardAct, ACTORS),
    (Action::HazardUrge, BUREAU_MANAGE),
    (Action::InspectionView, BUSINESS),
    (Action::InspectionSubmit, ACTORS),
    (Action::InspectionPlan, BUREAU_MANAGE),
    (Action::DeviceView, BUSINESS),
    (Action::DeviceManage, SCHOOL_MANAGE),
    (Action::DeviceIngest, &[]),
    (Action::WarningView, BUSINESS),
    (
        Action::WarningAct,
        &[CityOfficer, BureauOfficer, Principal, SafetyDirector, Guard],
    ),
    (Action::WarningRuleManage, BUREAU_MANAGE),
    (Action::ChannelView, BUREAU_ALL),
    (Action::ChannelManage, BUREAU_MANAGE),
    (Action::ScreenView, BUREAU_ALL),
    (Action::HomeView, BUSINESS),
    (Action::DrillView, BUSINESS),
    (Action::DrillRecord, &[Principal, SafetyDirector]),
    (Action::DutyView, BUSINESS),
    (Action::DutyPlan, BUREAU_MANAGE),
    (Action::DutySubmit, &[Principal, SafetyDirector]),
    (
        Action::DutyCheckIn,
        &[Principal, SafetyDirector, Staff, Guard],
    ),
    (
        Action::DutySpotCheck,
        &[CityOfficer, BureauOfficer, BureauInspector],
    ),
    (Action::IncidentView, BUSINESS),
    (Action::IncidentReport, &[Principal, SafetyDirector]),
    (
        Action::IncidentPersons,
        &[
            CityOfficer,
            BureauLeader,
            BureauOfficer,
            BureauInspector,
            Principal,
            SafetyDirector,
        ],
    ),
    (Action::IncidentReceipt, BUREAU_MANAGE),
    (Action::PlanView, BUSINESS),
    (Action::PlanWrite, SCHOOL_MANAGE),
    (
        Action::PlanAct,
        &[
            CityOfficer,
            BureauOfficer,
            BureauInspector,
            Principal,
            SafetyDirector,
        ],
    ),
    (Action::PlanExpertView, BUREAU_ALL),
    (Action::PlanExpertManage, BUREAU_MANAGE),
    (Action::CalendarView, <Role as crate::domain::Code>::ALL),
    (Action::CalendarEdit, BUREAU_MANAGE),
    (Action::WorkPlanView, BUSINESS),
    (Action::WorkPlanEdit, BUREAU_MANAGE),
    (Action::WorkRecord, SCHOOL_MANAGE),
    (Action::LetterView, BUSINESS),
    (Action::LetterIssue, SCHOOL_MANAGE),
    (
        Action::LetterSign,
        &[Principal, SafetyDirector, Staff, Guard],
    ),
    (Action::LeadingGroupView, BUSINESS),
    (Action::LeadingGroupEdit, SCHOOL_MANAGE),
    (Action::GovernanceView, BUSINESS),
    (Action::GovernanceLaunch, BUREAU_MANAGE),
    (Action::GovernanceReport, &[Principal, SafetyDirector]),
    (Action::StarRatingView, BUSINESS),
    (Action::StarRatingAward, BUREAU_MANAGE),
    (Action::SecurityView, BUSINESS),
    (Action::SecurityWrite, SCHOOL_MANAGE),
    (Action::BusView, BUSINESS),
    (Action::BusManage, SCHOOL_MANAGE),
    (Action::BusPermitApply, &[Principal, SafetyDirector]),
    (Action::BusPermitDecide, BUREAU_MANAGE),
    (Action::BusRiderNames, &[Principal, SafetyDirector]),
    (Action::BusTripRecord, &[Principal, SafetyDirector, Staff]),
    (Action::PiiGrantView, BUSINESS),
    (
        Action::PiiGrantRequest,
        &[
            CityOfficer,
            BureauLeader,
            BureauOfficer,
            BureauInspector,
            Staff,
            Guard,
        ],
    ),
    (
        Action::PiiGrantDecide,
        &[CityOfficer, BureauLeader, BureauOfficer, Principal],
    ),
    (Action::UserView, &[SysAdmin, SecAdmin]),
    (Action::UserManage, &[SysAdmin]),
    (Action::UserGrant, &[SecAdmin]),
    (Action::UserUnlock, &[SecAdmin]),
    (Action::UserMfaReset, &[SecAdmin]),
    (Action::AuditView, &[AuditAdmin]),
    (Action::AuditPurge, &[AuditAdmin]),
];

/// May `role` perform `action` (on objects within its scope)?
pub fn allows(role: Role, action: Action) -> bool {
    match action {
        Action::Public | Action::OwnSession | Action::MfaSignIn => true,
        _ => POLICY
            .iter()
            .find(|(a, _)| *a == action)
            .is_some_and(|(_, roles)| roles.contains(&role)),
    }
}

/// Whether the table has a row for `action` (the access-matrix test requires one).
pub fn has_row(action: Action) -> bool {
    matches!(
        action,
        Action::Public | Action::OwnSession | Action::MfaSignIn
    ) || POLICY.iter().any(|(a, _)| *a == action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    #[test]
    fn system_roles_see_no_business_data() {
        for role in [SysAdmin, SecAdmin, AuditAdmin] {
            for a in [
                Action::RiskView,
                Action::RiskCatalogView,
                Action::SchoolView,
                Action::PersonView,
                Action::ZoneView,
                Action::OrgView,
            ] {
                assert!(!allows(role, a), "{role} must not {a:?}");
            }
        }
    }

    #[test]
    fn three_roles_are_separated() {
        // Each of the three system roles holds exactly one of the three admin duties.
        let duties = [Action::UserManage, Action::UserGrant, Action::AuditView];
        for role in [SysAdmin, SecAdmin, AuditAdmin] {
            let held = duties.iter().filter(|a| allows(role, **a)).count();
            assert_eq!(held, 1, "{role}");
        }
        for role in Role::ALL.iter().filter(|r| !r.is_system()) {
            assert!(duties.iter().all(|a| !allows(*role, *a)), "{role}");
        }
    }

    #[test]
    fn rows_are_unique() {
        for (i, (a, _)) in POLICY.iter().enumerate() {
            assert!(POLICY[i + 1..].iter().all(|(b, _)| b != a), "{a:?} twice");
        }
    }
}
