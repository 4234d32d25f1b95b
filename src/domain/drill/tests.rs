use super::*;
use crate::domain::calendar::{Period, SchoolCalendar};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M:%S").expect("time")
}

fn p(s: &str) -> Period {
    s.parse().expect("period")
}

fn evacuation(seconds: i64) -> DrillRecord {
    let signal = t("10:00:00");
    DrillRecord {
        kind: DrillKind::Fire,
        notice: DrillNotice::Announced,
        held_on: d("2026-11-30"),
        classes: 24,
        expected: 1000,
        assembled: Some(998),
        missing: Some(2),
        signal_at: Some(signal),
        completed_at: Some(signal + chrono::TimeDelta::seconds(seconds)),
        floors: Some(4),
        own_target_seconds: None,
        injuries: 0,
    }
}

const TODAY: &str = "2026-12-01";

fn check(r: &DrillRecord) -> Result<Option<Timing>, DrillError> {
    r.validate(d(TODAY), &DrillConfig::default())
}

fn err(r: &DrillRecord) -> (&'static str, &'static str) {
    let e = check(r).expect_err("must be refused");
    (e.field, e.key)
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

#[test]
fn an_evacuation_is_timed_against_120_seconds_up_to_4_floors() {
    let timing = |s| check(&evacuation(s)).expect("valid").expect("timed");
    assert_eq!(
        timing(105),
        Timing {
            seconds: 105,
            target_seconds: Some(120),
            met: Some(true)
        }
    );
    assert_eq!(timing(120).met, Some(true), "the target itself is met");
    assert_eq!(timing(121).met, Some(false));
}

#[test]
fn taller_buildings_need_the_schools_own_target() {
    let mut r = evacuation(150);
    r.floors = Some(5);
    let t5 = check(&r).expect("valid").expect("timed");
    assert_eq!((t5.target_seconds, t5.met), (None, None));
    r.own_target_seconds = Some(180);
    let own = check(&r).expect("valid").expect("timed");
    assert_eq!((own.target_seconds, own.met), (Some(180), Some(true)));
    // Floors not given: the default target applies.
    r.floors = None;
    r.own_target_seconds = None;
    assert_eq!(check(&r).expect("valid").expect("timed").met, Some(false));
    // A bus evacuation has only the school's own target.
    r.kind = DrillKind::BusEvacuation;
    assert_eq!(
        check(&r).expect("valid").expect("timed").target_seconds,
        None
    );
    // The target is configurable.
    let cfg: DrillConfig =
        toml::from_str("target_seconds = 150\ntarget_max_floors = 6").expect("cfg");
    let mut r = evacuation(150);
    r.floors = Some(6);
    let timing = r.validate(d(TODAY), &cfg).expect("valid").expect("timed");
    assert_eq!((timing.target_seconds, timing.met), (Some(150), Some(true)));
}

#[test]
fn bad_records_are_refused_field_by_field() {
    let base = evacuation(100);
    let with = |f: &dyn Fn(&mut DrillRecord)| {
        let mut r = base.clone();
        f(&mut r);
        err(&r)
    };
    assert_eq!(with(&|r| r.held_on = d("2026-12-02")), ("held_on", FUTURE));
    assert_eq!(with(&|r| r.classes = -1), ("classes", NEGATIVE));
    assert_eq!(with(&|r| r.expected = 0), ("expected", EXPECTED));
    assert_eq!(with(&|r| r.assembled = None), ("assembled", REQUIRED));
    assert_eq!(with(&|r| r.missing = None), ("missing", REQUIRED));
    assert_eq!(with(&|r| r.assembled = Some(-1)), ("assembled", NEGATIVE));
    assert_eq!(with(&|r| r.missing = Some(1001)), ("missing", EXCEEDS));
    assert_eq!(with(&|r| r.assembled = Some(1001)), ("assembled", EXCEEDS));
    assert_eq!(with(&|r| r.missing = Some(3)), ("missing", SUM));
    assert_eq!(
        with(&|r| {
            r.expected = i64::MAX;
            r.assembled = Some(i64::MAX);
            r.missing = Some(1);
        }),
        ("missing", SUM),
        "no overflow"
    );
    assert_eq!(with(&|r| r.signal_at = None), ("signal_at", REQUIRED));
    assert_eq!(with(&|r| r.completed_at = None), ("completed_at", REQUIRED));
    assert_eq!(
        with(&|r| r.completed_at = r.signal_at),
        ("completed_at", TIMES_ORDER)
    );
    assert_eq!(
        with(&|r| r.completed_at = Some(t("09:59:59"))),
        ("completed_at", TIMES_ORDER)
    );
    assert_eq!(with(&|r| r.floors = Some(0)), ("floors", POSITIVE));
    assert_eq!(
        with(&|r| r.own_target_seconds = Some(0)),
        ("own_target_seconds", POSITIVE)
    );
    assert_eq!(with(&|r| r.injuries = -1), ("injuries", NEGATIVE));
    // Held today is fine; everyone missing is a valid (bad) drill.
    let mut r = base.clone();
    r.held_on = d(TODAY);
    r.assembled = Some(0);
    r.missing = Some(1000);
    assert!(check(&r).is_ok());
}

#[test]
fn training_needs_no_head_count_or_times() {
    let r = DrillRecord {
        kind: DrillKind::FireTraining,
        notice: DrillNotice::Announced,
        held_on: d("2026-10-12"),
        classes: 0,
        expected: 60,
        assembled: None,
        missing: None,
        signal_at: None,
        completed_at: None,
        floors: None,
        own_target_seconds: None,
        injuries: 0,
    };
    assert_eq!(check(&r), Ok(None));
    let mut half = r.clone();
    half.signal_at = Some(t("10:00:00"));
    assert_eq!(err(&half), ("completed_at", TIMES_PAIR));
    let mut other = r.clone();
    other.completed_at = Some(t("10:00:00"));
    assert_eq!(err(&other), ("signal_at", TIMES_PAIR));
    // A violence drill may be timed: no building target applies.
    let mut v = r;
    v.kind = DrillKind::Violence;
    v.signal_at = Some(t("10:00:00"));
    v.completed_at = Some(t("10:03:00"));
    let timing = check(&v).expect("valid").expect("timed");
    assert_eq!((timing.seconds, timing.target_seconds), (180, None));
}

#[test]
fn records_deserialise_strictly() {
    let json = r#"{"kind":"earthquake","notice":"unannounced","held_on":"2026-11-02",
        "classes":12,"expected":500,"assembled":500,"missing":0,
        "signal_at":"09:30:00","completed_at":"09:31:30"}"#;
    let r: DrillRecord = serde_json::from_str(json).expect("record");
    assert_eq!(check(&r).expect("valid").expect("timed").seconds, 90);
    assert!(serde_json::from_str::<DrillRecord>(&json.replace("}", r#","extra":1}"#)).is_err());
    assert!(serde_json::from_str::<DrillRecord>(&json.replace("earthquake", "flood")).is_err());
}

// ---------------------------------------------------------------------------------------------
// Compliance
// ---------------------------------------------------------------------------------------------

const PRIMARY: SchoolProfile = SchoolProfile {
    kind: SchoolKind::Primary,
    has_buses: false,
};
const KINDERGARTEN: SchoolProfile = SchoolProfile {
    kind: SchoolKind::Kindergarten,
    has_buses: false,
};

fn held(kind: DrillKind, on: &str) -> HeldDrill {
    HeldDrill {
        kind,
        held_on: d(on),
    }
}

fn run(
    school: SchoolProfile,
    drills: &[HeldDrill],
    period: &str,
    today: &str,
) -> Vec<RequirementCheck> {
    compliance(
        &DrillConfig::default(),
        school,
        drills,
        p(period),
        d(today),
        &SchoolCalendar::default(),
    )
}

fn status_of(checks: &[RequirementCheck], code: RequirementCode) -> ComplianceStatus {
    checks
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.status)
        .expect("requirement applies")
}

#[test]
fn a_drill_on_the_last_day_of_the_month_counts_for_that_month() {
    use ComplianceStatus as S;
    let on_30 = [held(DrillKind::Earthquake, "2026-11-30")];
    let evac = |drills: &[HeldDrill], today| {
        status_of(
            &run(PRIMARY, drills, "2026-11", today),
            RequirementCode::Evacuation,
        )
    };
    assert_eq!(evac(&on_30, "2026-11-30"), S::Done);
    assert_eq!(evac(&on_30, "2027-03-01"), S::Done);
    // Nothing yet: open through the last day, missing from the first day of the next month.
    assert_eq!(evac(&[], "2026-11-30"), S::Open);
    assert_eq!(evac(&[], "2026-12-01"), S::Missing);
    assert_eq!(evac(&[], "2026-11-01"), S::Open);
    assert_eq!(evac(&[], "2026-10-31"), S::NotDue);
    // A drill on 1 December is December's; one on 31 October is October's.
    let outside = [
        held(DrillKind::Fire, "2026-12-01"),
        held(DrillKind::Fire, "2026-10-31"),
    ];
    assert_eq!(evac(&outside, "2026-12-01"), S::Missing);
    // Kinds that are not evacuations do not count.
    let training = [
        held(DrillKind::FireTraining, "2026-11-10"),
        held(DrillKind::Violence, "2026-11-11"),
        held(DrillKind::BusEvacuation, "2026-11-12"),
    ];
    assert_eq!(evac(&training, "2026-12-01"), S::Missing);
}

#[test]
fn kindergartens_drill_each_quarter() {
    use ComplianceStatus as S;
    let checks = run(KINDERGARTEN, &[], "2026-Q4", "2026-12-31");
    let evac: Vec<_> = checks
        .iter()
        .filter(|c| c.code == RequirementCode::Evacuation)
        .collect();
    assert_eq!(
        evac.len(),
        1,
        "only the quarterly rule binds a kindergarten"
    );
    assert_eq!(evac[0].every, PeriodKind::Quarter);
    assert_eq!(
        evac[0].status,
        S::Open,
        "the quarter's last day is still open"
    );
    let q = |drills: &[HeldDrill], today| {
        status_of(
            &run(KINDERGARTEN, drills, "2026-Q4", today),
            RequirementCode::Evacuation,
        )
    };
    assert_eq!(q(&[], "2027-01-01"), S::Missing);
    assert_eq!(
        q(&[held(DrillKind::Fire, "2026-12-31")], "2027-01-01"),
        S::Done
    );
    assert_eq!(
        q(&[held(DrillKind::Fire, "2026-10-01")], "2027-01-01"),
        S::Done
    );
    assert_eq!(
        q(&[held(DrillKind::Fire, "2026-09-30")], "2027-01-01"),
        S::Missing
    );
    // Asked about one month, a kindergarten is judged on the quarter it lies in.
    let nov = run(
        KINDERGARTEN,
        &[held(DrillKind::Stampede, "2026-10-15")],
        "2026-11",
        "2026-11-20",
    );
    let w = &nov
        .iter()
        .find(|c| c.code == RequirementCode::Evacuation)
        .expect("evac")
        .windows;
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].period, p("2026-Q4"));
    assert_eq!(w[0].status, S::Done);
}

#[test]
fn semester_requirements_at_the_semester_boundary() {
    use ComplianceStatus as S;
    let fire = |drills: &[HeldDrill], period, today| {
        status_of(
            &run(PRIMARY, drills, period, today),
            RequirementCode::FireDrill,
        )
    };
    let last_day = [held(DrillKind::Fire, "2027-01-31")];
    let first_day = [held(DrillKind::Fire, "2027-02-01")];
    assert_eq!(fire(&last_day, "2026-S1", "2027-02-01"), S::Done);
    assert_eq!(fire(&first_day, "2026-S1", "2027-02-01"), S::Missing);
    assert_eq!(fire(&first_day, "2026-S2", "2027-02-01"), S::Done);
    assert_eq!(fire(&[], "2026-S1", "2027-01-31"), S::Open);
    assert_eq!(fire(&[], "2026-S2", "2027-01-31"), S::NotDue);
    // The training is a requirement of its own: a fire drill is not a training.
    assert_eq!(
        status_of(
            &run(PRIMARY, &last_day, "2026-S1", "2027-02-01"),
            RequirementCode::FireTraining
        ),
        S::Missing
    );
    // Asked about November, the semester's fire drill held in September counts.
    let sep = [held(DrillKind::Fire, "2026-09-15")];
    assert_eq!(fire(&sep, "2026-11", "2026-11-20"), S::Done);
}

#[test]
fn a_semester_has_a_monthly_window_per_month() {
    use ComplianceStatus as S;
    let drills = [
        held(DrillKind::Fire, "2026-09-30"),
        held(DrillKind::Evacuation, "2026-10-01"),
    ];
    let checks = run(PRIMARY, &drills, "2026-S1", "2026-11-15");
    let evac = checks
        .iter()
        .find(|c| c.code == RequirementCode::Evacuation)
        .expect("evac");
    let got: Vec<(String, S)> = evac
        .windows
        .iter()
        .map(|w| (w.period.to_string(), w.status))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-09".into(), S::Done),
            ("2026-10".into(), S::Done),
            ("2026-11".into(), S::Open),
            ("2026-12".into(), S::NotDue),
            ("2027-01".into(), S::NotDue),
        ]
    );
    assert_eq!(evac.status, S::Open);
    // A month missed makes the semester missing at once.
    let checks = run(PRIMARY, &drills[..1], "2026-S1", "2026-11-15");
    assert_eq!(status_of(&checks, RequirementCode::Evacuation), S::Missing);
    // A period wholly ahead is not due; one wholly done is done.
    assert_eq!(
        status_of(
            &run(PRIMARY, &[], "2026-S2", "2026-11-15"),
            RequirementCode::Evacuation
        ),
        S::NotDue
    );
    let every_month: Vec<_> = [
        "2026-09-01",
        "2026-10-31",
        "2026-11-30",
        "2026-12-31",
        "2027-01-31",
    ]
    .iter()
    .map(|s| held(DrillKind::Combined, s))
    .collect();
    assert_eq!(
        status_of(
            &run(PRIMARY, &every_month, "2026-S1", "2027-02-01"),
            RequirementCode::Evacuation
        ),
        S::Done
    );
}

#[test]
fn a_quarter_can_straddle_two_semesters() {
    let checks = run(
        PRIMARY,
        &[held(DrillKind::Fire, "2027-01-10")],
        "2027-Q1",
        "2027-03-15",
    );
    let fire = checks
        .iter()
        .find(|c| c.code == RequirementCode::FireDrill)
        .expect("fire");
    let periods: Vec<String> = fire.windows.iter().map(|w| w.period.to_string()).collect();
    assert_eq!(periods, vec!["2026-S1", "2026-S2"]);
    assert_eq!(fire.windows[0].status, ComplianceStatus::Done);
    assert_eq!(fire.windows[1].status, ComplianceStatus::Open);
    assert_eq!(fire.status, ComplianceStatus::Open);
}

#[test]
fn buses_bring_the_bus_drill() {
    let without = run(PRIMARY, &[], "2026-S1", "2026-10-01");
    assert!(
        without
            .iter()
            .all(|c| c.code != RequirementCode::BusEvacuation)
    );
    let with_buses = SchoolProfile {
        has_buses: true,
        ..PRIMARY
    };
    let drills = [held(DrillKind::BusEvacuation, "2026-09-20")];
    let with = run(with_buses, &drills, "2026-S1", "2026-10-01");
    assert_eq!(
        status_of(&with, RequirementCode::BusEvacuation),
        ComplianceStatus::Done
    );
    let codes: Vec<_> = with.iter().map(|c| c.code).collect();
    assert_eq!(
        codes,
        vec![
            RequirementCode::Evacuation,
            RequirementCode::FireDrill,
            RequirementCode::FireTraining,
            RequirementCode::BusEvacuation
        ]
    );
}

#[test]
fn requirements_are_configurable() {
    let cfg: DrillConfig = toml::from_str(
        r#"
        [[requirements]]
        code = "evacuation"
        kinds = ["evacuation", "fire"]
        every = "month"
        at_least = 2
        school_kinds = ["special"]
        "#,
    )
    .expect("config");
    assert_eq!(cfg.target_seconds(), 120);
    let special = SchoolProfile {
        kind: SchoolKind::Special,
        has_buses: false,
    };
    let one = [held(DrillKind::Fire, "2026-11-03")];
    let checks = compliance(
        &cfg,
        special,
        &one,
        p("2026-11"),
        d("2026-12-01"),
        &SchoolCalendar::default(),
    );
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].status, ComplianceStatus::Missing);
    assert_eq!(checks[0].windows[0].held, 1);
    assert_eq!(checks[0].windows[0].required, 2);
    assert!(
        compliance(
            &cfg,
            PRIMARY,
            &one,
            p("2026-11"),
            d("2026-12-01"),
            &SchoolCalendar::default()
        )
        .is_empty()
    );

    for bad in [
        "target_seconds = 0",
        "target_max_floors = 0",
        "[[requirements]]\ncode = \"fire_drill\"\nkinds = []\nevery = \"semester\"",
        "[[requirements]]\ncode = \"fire_drill\"\nkinds = [\"fire\"]\nevery = \"semester\"\nat_least = 0",
        "[[requirements]]\ncode = \"x\"\nkinds = [\"fire\"]\nevery = \"semester\"",
        "[[requirements]]\ncode = \"fire_drill\"\nkinds = [\"fire\"]\nevery = \"week\"",
        "unknown = 1",
    ] {
        assert!(
            toml::from_str::<DrillConfig>(bad).is_err(),
            "must be refused: {bad}"
        );
    }
    assert_eq!(
        toml::from_str::<DrillConfig>("").expect("empty"),
        DrillConfig::default()
    );
}

#[test]
fn every_key_is_translated() {
    crate::domain::calendar::assert_translated(&catalogue_keys());
}

#[test]
fn a_plan_is_moved_recorded_or_cancelled_and_a_held_drill_is_corrected_and_evaluated() {
    use DrillStatus::*;
    use DrillStep::*;
    let allowed = |s: DrillStatus| -> Vec<DrillStep> {
        [Replan, Record, Evaluate, Cancel]
            .into_iter()
            .filter(|x| s.allows(*x))
            .collect()
    };
    assert_eq!(allowed(Planned), vec![Replan, Record, Cancel]);
    assert_eq!(allowed(Held), vec![Record, Evaluate]);
    assert!(allowed(Cancelled).is_empty(), "a cancelled plan is final");
}
