use super::*;
use crate::domain::calendar::WorkingCalendar;
use crate::domain::ids::{OrgId, RiskPointId, UserId};
use crate::domain::risk::Color;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

/// The legal steps, written out once more so that the table in `lifecycle.rs` is checked
/// against an independent copy: every pair not listed here must be refused.
const LEGAL: &[(PlanStatus, PlanAction, PlanStatus)] = {
    use PlanAction as A;
    use PlanStatus as S;
    &[
        (S::Draft, A::SubmitReview, S::UnderReview),
        (S::Revising, A::SubmitReview, S::UnderReview),
        (S::UnderReview, A::AssignReviewer, S::UnderReview),
        (S::UnderReview, A::Review, S::UnderReview),
        (S::UnderReview, A::RequestRevision, S::Revising),
        (S::UnderReview, A::Approve, S::Approved),
        (S::Approved, A::Publish, S::Published),
        (S::Published, A::File, S::InForce),
        (S::Published, A::Supersede, S::Superseded),
        (S::Filed, A::StartEvaluation, S::UnderEvaluation),
        (S::Filed, A::Supersede, S::Superseded),
        (S::InForce, A::StartEvaluation, S::UnderEvaluation),
        (S::InForce, A::Supersede, S::Superseded),
        (S::UnderEvaluation, A::Review, S::UnderEvaluation),
        (S::UnderEvaluation, A::Approve, S::InForce),
        (S::UnderEvaluation, A::Supersede, S::Superseded),
        (S::Draft, A::Discard, S::Discarded),
        (S::Revising, A::Discard, S::Discarded),
    ]
};

const READY: ReviewRound = ReviewRound {
    reviewers: 2,
    reviews: 1,
};

#[test]
fn every_step_is_legal_or_refused_as_the_table_says() {
    let mut legal = 0;
    for from in PlanStatus::ALL {
        for action in PlanAction::ALL {
            let expected = LEGAL
                .iter()
                .find(|(f, a, _)| f == from && a == action)
                .map(|(_, _, to)| *to);
            match expected {
                Some(to) => {
                    legal += 1;
                    assert_eq!(apply(*from, *action, READY), Ok(to), "{from} --{action}→");
                }
                None => assert_eq!(
                    apply(*from, *action, READY),
                    Err(PlanError::IllegalStep {
                        from: *from,
                        action: *action
                    }),
                    "{from} --{action}→ must be refused"
                ),
            }
        }
    }
    assert_eq!(legal, LEGAL.len());
    // Every illegal step answers with the same key (HTTP 409).
    let e = apply(PlanStatus::Draft, PlanAction::Publish, READY).expect_err("illegal");
    assert_eq!(e.key(), "err.plan.illegal_step");
}

#[test]
fn the_filed_status_is_never_reached_and_superseded_is_final() {
    for from in PlanStatus::ALL {
        for action in PlanAction::ALL {
            assert_ne!(target(*from, *action), Some(PlanStatus::Filed));
        }
    }
    assert!(next_actions(PlanStatus::Superseded).is_empty());
    assert!(PlanStatus::Superseded.is_final());
    assert!(next_actions(PlanStatus::Discarded).is_empty());
    assert!(PlanStatus::Discarded.is_final());
    assert!(!PlanStatus::Discarded.is_in_force());
    assert!(PlanStatus::Filed.is_in_force());
    assert!(PlanStatus::UnderEvaluation.is_in_force());
    assert!(!PlanStatus::Published.is_in_force());
}

#[test]
fn the_buttons_of_each_status() {
    use PlanAction as A;
    use PlanStatus as S;
    assert_eq!(next_actions(S::Draft), vec![A::SubmitReview, A::Discard]);
    assert_eq!(
        next_actions(S::UnderReview),
        vec![A::AssignReviewer, A::Review, A::RequestRevision, A::Approve]
    );
    assert_eq!(next_actions(S::Published), vec![A::File, A::Supersede]);
    assert_eq!(
        next_actions(S::UnderEvaluation),
        vec![A::Review, A::Approve, A::Supersede]
    );
}

#[test]
fn a_review_needs_a_reviewer_and_a_decision_needs_a_review() {
    use PlanAction as A;
    use PlanStatus as S;
    let none = ReviewRound::default();
    let assigned = ReviewRound {
        reviewers: 1,
        reviews: 0,
    };
    let not_ready = |action, key| Err(PlanError::NotReady { action, key });
    assert_eq!(
        apply(S::UnderReview, A::Review, none),
        not_ready(A::Review, lifecycle::NO_REVIEWER)
    );
    assert_eq!(
        apply(S::UnderReview, A::Review, assigned),
        Ok(S::UnderReview)
    );
    assert_eq!(
        apply(S::UnderReview, A::Approve, assigned),
        not_ready(A::Approve, lifecycle::NO_REVIEW)
    );
    assert_eq!(
        apply(S::UnderReview, A::RequestRevision, assigned),
        not_ready(A::RequestRevision, lifecycle::NO_REVIEW)
    );
    assert_eq!(
        apply(S::UnderReview, A::AssignReviewer, none),
        Ok(S::UnderReview)
    );
    // The evaluation of a plan in force needs no reviewers.
    assert_eq!(
        apply(S::UnderEvaluation, A::Review, none),
        Ok(S::UnderEvaluation)
    );
    assert_eq!(apply(S::UnderEvaluation, A::Approve, none), Ok(S::InForce));
    // An illegal step is reported as such even when its guard would fail too.
    assert!(matches!(
        apply(S::Draft, A::Approve, none),
        Err(PlanError::IllegalStep { .. })
    ));
}

#[test]
fn a_plan_from_draft_to_superseded() {
    use PlanAction as A;
    let steps = [
        (A::SubmitReview, ReviewRound::default()),
        (A::AssignReviewer, ReviewRound::default()),
        (
            A::Review,
            ReviewRound {
                reviewers: 1,
                reviews: 0,
            },
        ),
        (
            A::RequestRevision,
            ReviewRound {
                reviewers: 1,
                reviews: 1,
            },
        ),
        (A::SubmitReview, ReviewRound::default()),
        (
            A::Review,
            ReviewRound {
                reviewers: 1,
                reviews: 0,
            },
        ),
        (
            A::Approve,
            ReviewRound {
                reviewers: 1,
                reviews: 1,
            },
        ),
        (A::Publish, ReviewRound::default()),
        (A::File, ReviewRound::default()),
        (A::StartEvaluation, ReviewRound::default()),
        (A::Approve, ReviewRound::default()),
        (A::StartEvaluation, ReviewRound::default()),
        (A::Supersede, ReviewRound::default()),
    ];
    let mut s = PlanStatus::Draft;
    for (a, round) in steps {
        s = apply(s, a, round).unwrap_or_else(|e| panic!("{a} from {s}: {e}"));
    }
    assert_eq!(s, PlanStatus::Superseded);
}

#[test]
fn reviewers_with_an_interest_are_refused() {
    let owner = PlanOwner {
        org_id: OrgId(17),
        author_id: UserId(5),
    };
    let expert = |user, org: Option<i64>| Candidate {
        user_id: UserId(user),
        org_id: org.map(OrgId),
    };
    let refused = |c: Candidate, assigned: &[UserId]| {
        check_reviewer(&owner, &c, assigned).map_err(|e| e.key())
    };
    assert_eq!(
        refused(expert(9, Some(17)), &[]),
        Err(lifecycle::REVIEWER_OWN_ORG)
    );
    assert_eq!(
        refused(expert(5, Some(4)), &[]),
        Err(lifecycle::REVIEWER_IS_AUTHOR)
    );
    assert_eq!(
        refused(expert(9, Some(4)), &[UserId(9)]),
        Err(lifecycle::REVIEWER_TWICE)
    );
    assert_eq!(refused(expert(9, Some(4)), &[UserId(8)]), Ok(()));
    assert_eq!(refused(expert(9, None), &[]), Ok(()), "an outside expert");
    assert_eq!(refused(expert(9, Some(171)), &[]), Ok(()), "another school");
    let e = check_reviewer(&owner, &expert(9, Some(17)), &[]).expect_err("own school");
    assert!(matches!(
        e,
        PlanError::Invalid {
            field: "reviewer_id",
            ..
        }
    ));
}

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

#[test]
fn filing_within_20_working_days_across_the_national_day() {
    let cal = WorkingCalendar::shipped();
    let cfg = PlanConfig::default();
    // Monday 21 Sep 2026: 25–27 Sep and 1–7 Oct off, Saturday 10 Oct worked.
    let published = d("2026-09-21");
    assert_eq!(filing_due(published, &cal, &cfg), d("2026-10-26"));
    assert_eq!(filing_due(d("2026-02-10"), &cal, &cfg), d("2026-03-16"));
    let status = |filed: Option<&str>, today: &str| {
        filing_status(published, filed.map(d), d(today), &cal, &cfg).status
    };
    use FilingStatus as F;
    assert_eq!(status(Some("2026-10-26"), "2026-11-30"), F::OnTime);
    assert_eq!(status(Some("2026-10-27"), "2026-11-30"), F::Late);
    assert_eq!(status(None, "2026-10-26"), F::Open);
    assert_eq!(status(None, "2026-10-27"), F::Overdue);
    // Configurable: 5 working days are 22, 23, 24, 28 and 29 September.
    let cfg: PlanConfig = toml::from_str("filing_working_days = 5").expect("cfg");
    assert_eq!(filing_due(published, &cal, &cfg), d("2026-09-29"));
}

#[test]
fn evaluation_every_three_years_or_at_once_after_a_defect() {
    let cfg = PlanConfig::default();
    assert_eq!(
        evaluation_due(d("2026-03-01"), None, None, &cfg),
        d("2029-03-01")
    );
    assert_eq!(
        evaluation_due(d("2028-02-29"), None, None, &cfg),
        d("2031-02-28")
    );
    assert_eq!(
        evaluation_due(d("2026-03-01"), Some(d("2027-05-10")), None, &cfg),
        d("2030-05-10")
    );
    // A defect flagged by a drill or an incident makes it due that day.
    assert_eq!(
        evaluation_due(d("2026-03-01"), None, Some(d("2027-01-05")), &cfg),
        d("2027-01-05")
    );
    // …unless an evaluation has dealt with it since.
    assert_eq!(
        evaluation_due(
            d("2026-03-01"),
            Some(d("2027-02-01")),
            Some(d("2027-01-05")),
            &cfg
        ),
        d("2030-02-01")
    );
    // An evaluation finished the day the defect was flagged dealt with it; one flagged on the
    // day of publication counts.
    assert_eq!(
        evaluation_due(
            d("2026-03-01"),
            Some(d("2027-01-05")),
            Some(d("2027-01-05")),
            &cfg
        ),
        d("2030-01-05")
    );
    assert_eq!(
        evaluation_due(d("2026-03-01"), None, Some(d("2026-03-01")), &cfg),
        d("2026-03-01")
    );
    let cfg: PlanConfig = toml::from_str("evaluation_years = 2").expect("cfg");
    assert_eq!(
        evaluation_due(d("2026-03-01"), None, None, &cfg),
        d("2028-03-01")
    );
}

// ---------------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------------

fn point(id: i64, color: Option<Color>, accidents: &str) -> PointRef<'_> {
    PointRef {
        id: RiskPointId(id),
        color,
        accident_types: accidents,
    }
}

fn plan(plan_type: PlanType, form: PlanForm) -> PlanRef {
    PlanRef { plan_type, form }
}

#[test]
fn red_and_orange_points_need_a_matching_topic_or_on_site_plan() {
    let cfg = CoverageConfig::default();
    let points = [
        point(1, Some(Color::Red), "GB8;fire"),
        point(2, Some(Color::Orange), "GB6;drowning"),
        point(3, Some(Color::Yellow), "GB6"),
        point(4, None, "GB6"),
        point(5, Some(Color::Red), "GB1;GB20;fall"),
        point(6, Some(Color::Orange), "traffic"),
    ];
    let ids = |plans: &[PlanRef]| -> Vec<i64> {
        uncovered(&points, plans, &cfg)
            .iter()
            .map(|u| u.id.0)
            .collect()
    };
    assert_eq!(ids(&[]), vec![1, 2, 5, 6]);
    let plans = [
        plan(PlanType::Fire, PlanForm::Topic),
        plan(PlanType::Drowning, PlanForm::OnSite),
    ];
    assert_eq!(ids(&plans), vec![5, 6]);
    // The comprehensive plan and pocket cards do not cover a point.
    let weak = [
        plan(PlanType::Fire, PlanForm::Comprehensive),
        plan(PlanType::Drowning, PlanForm::PocketCard),
    ];
    assert_eq!(ids(&weak), vec![1, 2, 5, 6]);
    let all = [
        plan(PlanType::Fire, PlanForm::Topic),
        plan(PlanType::Drowning, PlanForm::Topic),
        plan(PlanType::Other, PlanForm::OnSite),
        plan(PlanType::BusAccident, PlanForm::OnSite),
    ];
    assert!(ids(&all).is_empty());
    let u = uncovered(&points[..1], &[], &cfg);
    assert_eq!(u[0].needs, vec![PlanType::Fire]);
    assert_eq!(u[0].color, Color::Red);
}

#[test]
fn the_accident_table_and_its_fallback() {
    let cfg = CoverageConfig::default();
    assert_eq!(
        cfg.needed("GB19"),
        vec![PlanType::FoodPoisoning, PlanType::Gas, PlanType::Other]
    );
    assert_eq!(
        cfg.needed("natural_disaster"),
        vec![PlanType::Earthquake, PlanType::ExtremeWeather]
    );
    assert_eq!(
        cfg.needed(" gb5 ; electric_shock "),
        vec![PlanType::Electrical]
    );
    assert_eq!(cfg.needed("epidemic"), vec![PlanType::PublicHealth]);
    assert_eq!(cfg.needed("bullying;intrusion"), vec![PlanType::Violence]);
    assert_eq!(
        cfg.needed(""),
        vec![PlanType::Other],
        "no code: the fallback"
    );
    assert_eq!(
        cfg.needed("meteor"),
        vec![PlanType::Other],
        "unknown code: the fallback"
    );
    // Every code of the shipped risk catalogue and every school incident type has a row.
    let (entries, _) =
        crate::domain::catalog::parse_csv(crate::domain::catalog::DEFAULT_CSV).expect("catalogue");
    let known = |c: &str| ACCIDENT_PLAN_TYPES.iter().any(|(k, _)| *k == c);
    for e in &entries {
        for c in crate::domain::catalog::split_items(&e.accident_types) {
            assert!(known(c), "{}: accident code {c} has no row", e.code);
        }
    }
    for t in crate::domain::incident::IncidentType::ALL {
        assert!(known(t.as_str()), "incident type {t} has no row");
    }
    let mut codes: Vec<&str> = ACCIDENT_PLAN_TYPES.iter().map(|(k, _)| *k).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes.len(),
        ACCIDENT_PLAN_TYPES.len(),
        "a code listed twice"
    );
    for (k, v) in ACCIDENT_PLAN_TYPES {
        assert!(!v.is_empty(), "{k}");
    }
}

#[test]
fn coverage_is_configurable() {
    let cfg: PlanConfig = toml::from_str(
        r#"
        [coverage]
        colors = ["red"]
        forms = ["topic", "on_site", "pocket_card"]
        fallback = ["fire"]
        [coverage.accident_plan_types]
        fall = ["stampede"]
        "#,
    )
    .expect("config");
    let c = &cfg.coverage;
    assert_eq!(c.needed("fall"), vec![PlanType::Stampede]);
    assert_eq!(c.needed("GB6"), vec![PlanType::Drowning], "other rows stay");
    assert_eq!(c.needed("meteor"), vec![PlanType::Fire]);
    let points = [
        point(1, Some(Color::Red), "fall"),
        point(2, Some(Color::Orange), "fall"),
    ];
    let u = uncovered(&points, &[plan(PlanType::Other, PlanForm::Topic)], c);
    assert_eq!(u.iter().map(|u| u.id.0).collect::<Vec<_>>(), vec![1]);
    assert!(
        uncovered(
            &points,
            &[plan(PlanType::Stampede, PlanForm::PocketCard)],
            c
        )
        .is_empty()
    );
    assert_eq!(cfg.filing_working_days, 20);

    for bad in [
        "[coverage]\ncolors = [\"pink\"]",
        "[coverage]\nforms = [\"poster\"]",
        "[coverage.accident_plan_types]\nfall = [\"flood\"]",
        "filing_days = 20",
    ] {
        assert!(
            toml::from_str::<PlanConfig>(bad).is_err(),
            "must be refused: {bad}"
        );
    }
    assert_eq!(
        toml::from_str::<PlanConfig>("").expect("empty"),
        PlanConfig::default()
    );
}

#[test]
fn every_key_is_translated() {
    crate::domain::calendar::assert_translated(&catalogue_keys());
}
