use super::eligibility::{
    Accident, AttendantReason, AttendantRules, DriverFacts, DriverRules, Reason, Responsibility,
    Severity, age_on, attendant, cycle_start, evaluate,
};
use super::gps::{self, Deviation, PathPoint, SpeedLimits};
use super::permit::{
    self, Application, Condition, Department, PermitAction, PermitDeadlines, PermitState,
    PermitStatus, Step, StepError,
};
use super::trip::{self, Refusal, SignError, TripAction, TripFacts, TripStatus};
use super::{BusConfig, RoadClass, VehicleStatus, mask_name};
use crate::domain::calendar::{DayKind, Exception, WorkingCalendar};
use chrono::{DateTime, Duration, NaiveDate, Utc};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A driver who passes every rule on 2026-06-01.
fn good() -> DriverFacts {
    DriverFacts {
        birth_date: Some(d("1980-03-15")),
        licensed_since: Some(d("2005-07-01")),
        full_point_cycles: vec![],
        accidents: vec![],
        drink_driving: false,
        serious_violations: vec![],
        criminal_record: false,
        health_certificate_until: Some(d("2026-12-31")),
        annual_review_until: Some(d("2027-03-31")),
        review_study_hours: Some(3.0),
    }
}

fn reasons(f: &DriverFacts, on: &str) -> Vec<Reason> {
    evaluate(f, &DriverRules::default(), d(on)).reasons
}

#[test]
fn a_good_driver_is_eligible_and_lapses_at_the_first_date() {
    let e = evaluate(&good(), &DriverRules::default(), d("2026-06-01"));
    assert!(e.eligible, "{e:?}");
    assert_eq!(e.lapses_on, Some(d("2027-01-01")), "the health certificate");
    let mut old = good();
    old.birth_date = Some(d("1965-08-20"));
    let e = evaluate(&old, &DriverRules::default(), d("2026-06-01"));
    assert!(e.eligible);
    assert_eq!(e.lapses_on, Some(d("2026-08-20")), "turns 61: over 60");
}

#[test]
fn age_edges_on_the_birthday_and_the_day_after() {
    let mut f = good();
    f.birth_date = Some(d("2001-05-10"));
    // 24 the day before the 25th birthday, 25 on it and the day after.
    assert_eq!(reasons(&f, "2026-05-09"), vec![Reason::TooYoung]);
    assert!(reasons(&f, "2026-05-10").is_empty());
    assert!(reasons(&f, "2026-05-11").is_empty());
    f.birth_date = Some(d("1966-05-10"));
    // 60 on the 60th birthday and the day after; 61 on the 61st birthday.
    assert!(reasons(&f, "2026-05-10").is_empty());
    assert!(reasons(&f, "2026-05-11").is_empty());
    f.birth_date = Some(d("1965-05-10"));
    assert!(reasons(&f, "2026-05-09").is_empty(), "still 60");
    assert_eq!(reasons(&f, "2026-05-10"), vec![Reason::TooOld]);
    assert_eq!(reasons(&f, "2026-05-11"), vec![Reason::TooOld]);
    // The courts' reading: the year is full the day after the birthday.
    let rules = DriverRules {
        age_from_day_after_birthday: true,
        ..Default::default()
    };
    f.birth_date = Some(d("2001-05-10"));
    assert_eq!(
        evaluate(&f, &rules, d("2026-05-10")).reasons,
        vec![Reason::TooYoung]
    );
    assert!(evaluate(&f, &rules, d("2026-05-11")).eligible);
    f.birth_date = Some(d("1965-05-10"));
    assert!(evaluate(&f, &rules, d("2026-05-10")).eligible);
    assert_eq!(
        evaluate(&f, &rules, d("2026-05-11")).reasons,
        vec![Reason::TooOld]
    );
    assert_eq!(age_on(d("2008-02-29"), d("2026-02-28"), false), 17);
    assert_eq!(age_on(d("2008-02-29"), d("2026-03-01"), false), 18);
}

#[test]
fn three_years_of_driving_to_the_day() {
    let mut f = good();
    f.licensed_since = Some(d("2023-06-01"));
    assert_eq!(reasons(&f, "2026-05-31"), vec![Reason::ShortExperience]);
    assert!(reasons(&f, "2026-06-01").is_empty());
    f.licensed_since = None;
    assert_eq!(reasons(&f, "2026-06-01"), vec![Reason::ShortExperience]);
}

#[test]
fn full_points_in_the_third_but_not_the_fourth_last_cycle() {
    let mut f = good();
    // Cycles start on 1 July each year; on 2026-06-01 the current one began 2025-07-01.
    assert_eq!(
        cycle_start(d("2005-07-01"), d("2026-06-01")),
        d("2025-07-01")
    );
    f.full_point_cycles = vec![d("2023-07-01")]; // the 3rd last: 2023-07-01 … 2024-06-30
    assert_eq!(reasons(&f, "2026-06-01"), vec![Reason::FullPoints]);
    f.full_point_cycles = vec![d("2023-06-30")]; // the 4th last
    assert!(reasons(&f, "2026-06-01").is_empty());
    // The current cycle counts.
    f.full_point_cycles = vec![d("2026-05-01")];
    assert_eq!(reasons(&f, "2026-06-01"), vec![Reason::FullPoints]);
}

#[test]
fn a_violation_364_days_ago_counts_366_does_not() {
    let mut f = good();
    let on = d("2026-06-01");
    f.serious_violations = vec![on - Duration::days(364)];
    assert_eq!(reasons(&f, "2026-06-01"), vec![Reason::SeriousViolation]);
    f.serious_violations = vec![on - Duration::days(365)];
    assert!(reasons(&f, "2026-06-01").is_empty());
    f.serious_violations = vec![on - Duration::days(366)];
    assert!(reasons(&f, "2026-06-01").is_empty());
    f.serious_violations = vec![on];
    assert_eq!(reasons(&f, "2026-06-01"), vec![Reason::SeriousViolation]);
}

#[test]
fn every_other_rule_is_named() {
    let mut f = good();
    f.accidents = vec![Accident {
        on: d("2010-01-01"),
        severity: Severity::SeriousInjury,
        responsibility: Responsibility::Secondary,
    }];
    f.drink_driving = true;
    f.criminal_record = true;
    f.health_certificate_until = Some(d("2026-05-31"));
    f.annual_review_until = None;
    f.review_study_hours = Some(2.5);
    assert_eq!(
        reasons(&f, "2026-06-01"),
        vec![
            Reason::Accident,
            Reason::DrinkDriving,
            Reason::CriminalRecord,
            Reason::HealthCertificate,
            Reason::AnnualReview,
            Reason::ReviewStudy,
        ]
    );
    let mut f = good();
    f.accidents = vec![
        Accident {
            on: d("2010-01-01"),
            severity: Severity::Fatal,
            responsibility: Responsibility::None,
        },
        Accident {
            on: d("2011-01-01"),
            severity: Severity::MinorInjury,
            responsibility: Responsibility::Full,
        },
    ];
    f.health_certificate_until = Some(d("2026-06-01"));
    assert!(
        reasons(&f, "2026-06-01").is_empty(),
        "valid on its last day"
    );
}

#[test]
fn attendants_age_and_numbers() {
    let r = AttendantRules::default();
    let on = d("2026-06-01");
    assert!(attendant(Some(d("1990-01-01")), true, &r, on).is_empty());
    assert_eq!(
        attendant(Some(d("2001-06-02")), true, &r, on),
        vec![AttendantReason::TooYoung]
    );
    assert_eq!(
        attendant(Some(d("1965-06-01")), false, &r, on),
        vec![AttendantReason::TooOld, AttendantReason::Untrained]
    );
    assert_eq!(r.needed(19), 1);
    assert_eq!(r.needed(20), 2);
    let off = AttendantRules {
        many_riders: 0,
        ..r
    };
    assert_eq!(off.needed(40), 1);
}

#[test]
fn the_five_conditions_are_named() {
    let all = Application {
        vehicle_ok: true,
        drivers_eligible: vec![true],
        route_ok: true,
        safety_rules: true,
        insurance_ok: true,
    };
    assert!(permit::missing(&all).is_empty());
    assert_eq!(
        permit::missing(&Application::default()),
        vec![
            Condition::Vehicle,
            Condition::Drivers,
            Condition::Route,
            Condition::SafetyRules,
            Condition::Insurance
        ]
    );
    let one_bad = Application {
        drivers_eligible: vec![true, false],
        ..all
    };
    assert_eq!(permit::missing(&one_bad), vec![Condition::Drivers]);
}

#[test]
fn the_permit_workflow_in_order() {
    let today = d("2026-10-20");
    let s = PermitState::new(d("2026-10-09"));
    assert_eq!(
        permit::apply(&s, Step::Decide, today, today),
        Err(StepError::Illegal)
    );
    let s = permit::apply(&s, Step::Forward, d("2026-10-12"), today).unwrap();
    assert_eq!(s.status, PermitStatus::Forwarded);
    assert_eq!(
        permit::apply(
            &s,
            Step::Reply(Department::Transport),
            d("2026-10-11"),
            today
        ),
        Err(StepError::BeforeLast)
    );
    assert_eq!(
        permit::apply(
            &s,
            Step::Reply(Department::Transport),
            d("2026-10-21"),
            today
        ),
        Err(StepError::Future)
    );
    let s = permit::apply(
        &s,
        Step::Reply(Department::Transport),
        d("2026-10-13"),
        today,
    )
    .unwrap();
    assert_eq!(s.status, PermitStatus::Forwarded, "one reply of two");
    assert_eq!(
        permit::apply(
            &s,
            Step::Reply(Department::Transport),
            d("2026-10-13"),
            today
        ),
        Err(StepError::ReplyTwice)
    );
    let s = permit::apply(
        &s,
        Step::Reply(Department::TrafficPolice),
        d("2026-10-14"),
        today,
    )
    .unwrap();
    assert_eq!(s.status, PermitStatus::Replied);
    let unfavourable = permit::apply(
        &s,
        Step::Review { favourable: false },
        d("2026-10-15"),
        today,
    )
    .unwrap();
    assert_eq!(
        permit::apply(&unfavourable, Step::Decide, today, today),
        Err(StepError::NotFavourable)
    );
    assert_eq!(
        permit::apply(&unfavourable, Step::Refuse, today, today)
            .unwrap()
            .status,
        PermitStatus::Refused
    );
    let s = permit::apply(
        &s,
        Step::Review { favourable: true },
        d("2026-10-15"),
        today,
    )
    .unwrap();
    let s = permit::apply(&s, Step::Decide, d("2026-10-19"), today).unwrap();
    assert_eq!(s.status, PermitStatus::Approved);
    assert_eq!(
        permit::apply(&s, Step::Refuse, today, today),
        Err(StepError::Illegal)
    );
    let s = permit::apply(&s, Step::IssueSign, today, today).unwrap();
    assert_eq!(s.status, PermitStatus::Issued);
    assert_eq!(Step::IssueSign.action(), PermitAction::IssueSign);
}

#[test]
fn deadlines_in_working_days_across_a_holiday() {
    // National Day: 1–7 October 2026 off, Saturday 10 October worked.
    let mut days: Vec<Exception> = (1..=7)
        .map(|n| Exception {
            date: NaiveDate::from_ymd_opt(2026, 10, n).unwrap(),
            kind: DayKind::Holiday,
            name: "国庆节".into(),
        })
        .collect();
    days.push(Exception {
        date: d("2026-10-10"),
        kind: DayKind::Workday,
        name: "国庆节调休上班".into(),
    });
    let cal = WorkingCalendar::from_exceptions(days);
    let cfg = PermitDeadlines::default();
    // Applied on Tuesday 29 September: 30 Sep, 8 Oct, 9 Oct → due Friday 9 October.
    let s = PermitState::new(d("2026-09-29"));
    let dl = permit::deadlines(&s, &cal, &cfg, d("2026-10-09"));
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].due, d("2026-10-09"));
    assert!(!dl[0].late, "open on its last day");
    let dl = permit::deadlines(&s, &cal, &cfg, d("2026-10-10"));
    assert!(dl[0].late, "open after it");
    // Forwarded on the 9th: replies due 10 (make-up Saturday), 12, 13 October.
    let s = permit::apply(&s, Step::Forward, d("2026-10-09"), d("2026-10-09")).unwrap();
    let dl = permit::deadlines(&s, &cal, &cfg, d("2026-10-09"));
    assert_eq!(dl.len(), 3);
    assert!(!dl[0].late);
    assert_eq!(dl[1].due, d("2026-10-13"));
    assert_eq!(dl[1].department, Some(Department::TrafficPolice));
    let today = d("2026-10-20");
    let s = permit::apply(
        &s,
        Step::Reply(Department::TrafficPolice),
        d("2026-10-13"),
        today,
    )
    .unwrap();
    let s = permit::apply(
        &s,
        Step::Reply(Department::Transport),
        d("2026-10-14"),
        today,
    )
    .unwrap();
    let dl = permit::deadlines(&s, &cal, &cfg, today);
    assert!(!dl[1].late, "on its day");
    assert!(dl[2].late, "a day after");
    // The review: 5 working days after the later reply (14th) → 21 October.
    assert_eq!(dl[3].action, PermitAction::Review);
    assert_eq!(dl[3].due, d("2026-10-21"));
    assert!(!dl[3].late);
    // A refusal stops the clocks of open steps.
    let refused = permit::apply(&s, Step::Refuse, today, today).unwrap();
    assert!(!permit::deadlines(&refused, &cal, &cfg, d("2026-12-01"))[3].late);
}

#[test]
fn the_sign_never_outlasts_the_inspection() {
    let from = d("2026-06-01");
    let insp = d("2026-11-30");
    assert_eq!(trip::sign_until(from, None, insp), Ok(insp));
    assert_eq!(
        trip::sign_until(from, Some(d("2027-05-31")), insp),
        Ok(insp)
    );
    assert_eq!(
        trip::sign_until(from, Some(d("2026-09-30")), insp),
        Ok(d("2026-09-30"))
    );
    assert_eq!(trip::sign_until(from, Some(from), insp), Ok(from));
    assert_eq!(
        trip::sign_until(from, Some(d("2026-05-31")), insp),
        Err(SignError::EndsBeforeStart)
    );
    assert_eq!(
        trip::sign_until(from, None, d("2026-05-31")),
        Err(SignError::InspectionExpired)
    );
    assert_eq!(trip::sign_until(insp, None, insp), Ok(insp));
}

fn ready() -> TripFacts {
    TripFacts {
        today: Some(d("2026-06-01")),
        vehicle_status: Some(VehicleStatus::InService),
        sign: Some((d("2026-06-01"), vec![7])),
        inspection_until: Some(d("2026-06-01")),
        insurance_until: Some(d("2026-06-01")),
        check_passed: Some(true),
        driver_person: 7,
        driver_eligible: true,
        attendants: vec![true],
        boarded: 19,
        seats: 19,
    }
}

/// A refusal and the change of a ready trip that causes it.
type Case = (Refusal, Box<dyn Fn(&mut TripFacts)>);

#[test]
fn trip_refusals_one_by_one() {
    let r = AttendantRules::default();
    assert!(
        trip::refusals(&ready(), &r).is_empty(),
        "valid on the last day"
    );
    let cases: Vec<Case> = vec![
        (
            Refusal::VehicleNotInService,
            Box::new(|f| f.vehicle_status = Some(VehicleStatus::Suspended)),
        ),
        (Refusal::NoSign, Box::new(|f| f.sign = None)),
        (
            Refusal::SignExpired,
            Box::new(|f| f.sign = Some((d("2026-05-31"), vec![7]))),
        ),
        (
            Refusal::InspectionExpired,
            Box::new(|f| f.inspection_until = Some(d("2026-05-31"))),
        ),
        (
            Refusal::InsuranceExpired,
            Box::new(|f| f.insurance_until = Some(d("2026-05-31"))),
        ),
        (Refusal::CheckMissing, Box::new(|f| f.check_passed = None)),
        (
            Refusal::CheckFailed,
            Box::new(|f| f.check_passed = Some(false)),
        ),
        (
            Refusal::DriverIneligible,
            Box::new(|f| f.driver_eligible = false),
        ),
        (Refusal::DriverNotOnSign, Box::new(|f| f.driver_person = 8)),
        (Refusal::NoAttendant, Box::new(|f| f.attendants.clear())),
        (
            Refusal::TooFewAttendants,
            Box::new(|f| {
                f.boarded = 20;
                f.seats = 45;
            }),
        ),
        (
            Refusal::AttendantIneligible,
            Box::new(|f| f.attendants = vec![true, false]),
        ),
        (Refusal::Overload, Box::new(|f| f.boarded = 20)),
    ];
    for (want, change) in cases {
        let mut f = ready();
        change(&mut f);
        let got = trip::refusals(&f, &r);
        let want = if want == Refusal::Overload {
            vec![Refusal::TooFewAttendants, Refusal::Overload]
        } else {
            vec![want]
        };
        assert_eq!(got, want);
    }
    let mut two = ready();
    two.boarded = 20;
    two.seats = 45;
    two.attendants = vec![true, true];
    assert!(trip::refusals(&two, &r).is_empty());
}

#[test]
fn trip_steps() {
    use TripAction as A;
    use TripStatus as S;
    assert_eq!(trip::next(S::Planned, A::Check), Some(S::Checked));
    assert_eq!(trip::next(S::Checked, A::Start), Some(S::Running));
    assert_eq!(trip::next(S::Planned, A::Alight), None);
    assert_eq!(trip::next(S::Running, A::Finish), Some(S::Finished));
    assert_eq!(trip::next(S::Finished, A::Board), None);
    assert_eq!(trip::next(S::Running, A::Check), None);
}

fn path() -> Vec<PathPoint> {
    vec![
        PathPoint {
            lat: 43.880,
            lon: 125.300,
            road: RoadClass::Ordinary,
        },
        PathPoint {
            lat: 43.880,
            lon: 125.310,
            road: RoadClass::Expressway,
        },
        PathPoint {
            lat: 43.880,
            lon: 125.320,
            road: RoadClass::Ordinary,
        },
    ]
}

#[test]
fn speeding_at_and_beyond_the_limit() {
    let lim = SpeedLimits::default();
    let p = path();
    // On the first (ordinary) segment: 60; on the second (expressway): 80.
    assert_eq!(gps::limit_at(&p, (43.8801, 125.305), &lim, false), 60.0);
    assert_eq!(gps::limit_at(&p, (43.8801, 125.315), &lim, false), 80.0);
    assert_eq!(gps::limit_at(&p, (43.8801, 125.315), &lim, true), 20.0);
    assert!(!gps::speeding(60.0, 60.0));
    assert!(gps::speeding(60.1, 60.0));
    assert!(!gps::speeding(80.0, 80.0));
    assert!(gps::speeding(20.5, 20.0));
    assert!(!gps::overload(45, 45));
    assert!(gps::overload(46, 45));
}

#[test]
fn deviation_needs_the_distance_for_the_time() {
    let p = path();
    // 0.0026° of latitude ≈ 289 m: inside; 0.0028° ≈ 311 m: outside.
    let (near, _) = gps::off_path(&p, (43.8774, 125.305));
    let (far, _) = gps::off_path(&p, (43.8772, 125.305));
    assert!(near < 300.0 && near > 285.0, "{near}");
    assert!(far > 300.0 && far < 315.0, "{far}");
    let t0: DateTime<Utc> = "2026-06-01T07:00:00Z".parse().unwrap();
    let at = |s| t0 + Duration::seconds(s);
    let (st, o) = gps::deviation(None, at(0), far, 300.0, 60);
    assert_eq!((st, o), (Some(t0), Deviation::Off));
    let (st, o) = gps::deviation(st, at(59), far, 300.0, 60);
    assert_eq!(o, Deviation::Off);
    let (st, o) = gps::deviation(st, at(60), far, 300.0, 60);
    assert_eq!((st, o), (Some(t0), Deviation::Raise));
    let (st, o) = gps::deviation(st, at(61), 300.0, 300.0, 60);
    assert_eq!(
        (st, o),
        (None, Deviation::OnPath),
        "at the distance is on the path"
    );
    assert_eq!(gps::off_path(&[], (0.0, 0.0)).0, f64::INFINITY);
    let d1 = gps::distance((43.88, 125.30), (43.88, 125.32));
    assert!((d1 - 1603.0).abs() < 5.0, "{d1}");
}

#[test]
fn names_are_masked_and_the_config_parses() {
    assert_eq!(mask_name("张三明"), "张*明");
    assert_eq!(mask_name("李四"), "李*");
    assert_eq!(mask_name("欧阳小明"), "欧**明");
    assert_eq!(mask_name("王"), "*");
    assert_eq!(mask_name(""), "");
    let c: BusConfig = toml::from_str(
        "expiry_warning_days = 14\n[driver]\nmax_age = 55\n[speed]\nordinary = 50.0\n\
         [attendant]\nmany_riders = 30\n[permit]\nreview_days = 7\n",
    )
    .unwrap();
    assert_eq!(c.expiry_warning_days, 14);
    assert_eq!(c.driver.max_age, 55);
    assert_eq!(c.speed.ordinary, 50.0);
    assert_eq!(c.attendant.many_riders, 30);
    assert_eq!(c.permit.review_days, 7);
    assert_eq!(BusConfig::default().deviation_metres, 300.0);
    assert!(toml::from_str::<BusConfig>("speed_limit = 1").is_err());
}
