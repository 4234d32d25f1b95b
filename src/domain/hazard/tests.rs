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
        body(json!({"action": "assess", "level": "major", "treatment": "by_deadline"})).unwrap(),
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
    assert_eq!(Source::ALL.len(), 17);
    assert_eq!(Source::parse("drill"), Some(Source::Drill));
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

#[test]
fn an_urge_is_on_the_record_and_changes_nothing() {
    let mut r = rectifying(Level::Major);
    let before = r.h.clone();
    let e = urge(&r.h, &B3, "  请三日内完成整改  ", today()).expect("the bureau urges");
    assert_eq!((e.from, e.to), (before.status, before.status));
    assert_eq!(e.label_key(), URGED_KEY);
    assert_eq!(e.who(), Some(&B3));
    assert!(e.action().is_none());
    match &e.step {
        Step::Urged { message, .. } => assert_eq!(message, "请三日内完成整改"),
        s => panic!("{s:?}"),
    }
    r.events.push(e);
    assert_eq!(
        replay(&r.events).unwrap(),
        before,
        "an urge replays to the same state"
    );
    // The loop goes on after it.
    let r = r.then(submit(), R4);
    assert_eq!(replay(&r.events).unwrap(), r.h);

    let h = rectifying(Level::General).h;
    assert_eq!(
        urge(&h, &M1, "x", today()),
        Err(HazardError::NotAllowed { key: BUREAU_ONLY })
    );
    assert_eq!(urge(&h, &B3, " ", today()).unwrap_err().key(), REQUIRED);
    assert!(urge(&h, &B3, &"督".repeat(MAX_URGE), today()).is_ok());
    assert_eq!(
        urge(&h, &B3, &"督".repeat(MAX_URGE + 1), today()).unwrap_err(),
        HazardError::Invalid {
            field: "message",
            key: URGE_TOO_LONG
        }
    );
    let closed = closed(Level::General).h;
    assert_eq!(
        urge(&closed, &B3, "x", today()),
        Err(HazardError::NotOpen {
            from: Status::Closed
        })
    );
    // An urge recorded on a closed hazard does not replay.
    let mut c = closed_run_events();
    let last = c.last().unwrap().to;
    c.push(HistoryEvent {
        on: today(),
        from: last,
        to: last,
        step: Step::Urged {
            by: B3,
            message: "x".into(),
        },
        closure_number: None,
    });
    assert!(replay(&c).is_err());
}

fn closed_run_events() -> Vec<HistoryEvent> {
    closed(Level::General).events
}
