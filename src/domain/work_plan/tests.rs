use super::*;
use crate::domain::calendar::{DateRange, SchoolCalendar};
use crate::domain::ids::OrgId;
use crate::domain::org::SchoolKind;
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cal() -> SchoolCalendar {
    SchoolCalendar::default()
}

fn p(s: &str) -> PlanPeriod {
    s.parse().unwrap()
}

#[test]
fn half_months_split_on_the_fifteenth() {
    let c = cal();
    let of = |s| PlanPeriod::of(Frequency::HalfMonth, d(s), &c).unwrap();
    assert_eq!(of("2026-11-15").to_string(), "2026-11-H1");
    assert_eq!(of("2026-11-16").to_string(), "2026-11-H2");
    assert_eq!(of("2026-11-01").to_string(), "2026-11-H1");
    let h2 = p("2026-02-H2").range(&c);
    assert_eq!((h2.first, h2.last), (d("2026-02-16"), d("2026-02-28")));
    let h2 = p("2028-02-H2").range(&c);
    assert_eq!(h2.last, d("2028-02-29"), "a leap year");
    assert_eq!(p("2026-12-H2").next(&c).to_string(), "2027-01-H1");
    assert_eq!(p("2027-01-H1").prev(&c).to_string(), "2026-12-H2");
}

#[test]
fn months_quarters_years_and_days() {
    let c = cal();
    assert_eq!(p("2026-12").next(&c).to_string(), "2027-01");
    assert_eq!(p("2026-Q1").prev(&c).to_string(), "2025-Q4");
    assert_eq!(p("2026").range(&c).last, d("2026-12-31"));
    assert_eq!(p("2026").next(&c).to_string(), "2027");
    assert_eq!(p("2026-12-31").next(&c).to_string(), "2027-01-01");
    let q = p("2026-Q4").range(&c);
    assert_eq!((q.first, q.last), (d("2026-10-01"), d("2026-12-31")));
}

#[test]
fn a_school_year_runs_across_the_calendar_year() {
    let c = cal();
    let s1 = p("2026-S1");
    assert_eq!(s1.range(&c).first, d("2026-09-01"));
    assert_eq!(s1.range(&c).last, d("2027-01-31"));
    assert_eq!(
        PlanPeriod::of(Frequency::Semester, d("2027-01-20"), &c).unwrap(),
        s1
    );
    assert_eq!(s1.next(&c).to_string(), "2026-S2");
    assert_eq!(s1.next(&c).range(&c).first, d("2027-02-01"));
    assert_eq!(s1.prev(&c).to_string(), "2025-S2");
    // A month asks for the semesters it touches.
    let jan = p("2027-01").range(&c);
    let sems = PlanPeriod::overlapping(Frequency::Semester, jan, &c);
    assert_eq!(sems, vec![s1]);
    let year = p("2026").range(&c);
    let sems: Vec<String> = PlanPeriod::overlapping(Frequency::Semester, year, &c)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(sems, ["2025-S1", "2025-S2", "2026-S1"]);
}

#[test]
fn overlapping_lists_every_period_touched() {
    let c = cal();
    let nov = p("2026-11").range(&c);
    let halves: Vec<String> = PlanPeriod::overlapping(Frequency::HalfMonth, nov, &c)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(halves, ["2026-11-H1", "2026-11-H2"]);
    assert_eq!(PlanPeriod::overlapping(Frequency::Day, nov, &c).len(), 30);
    assert_eq!(
        PlanPeriod::overlapping(Frequency::Year, nov, &c),
        vec![PlanPeriod::Year(2026)]
    );
    assert!(PlanPeriod::overlapping(Frequency::DutyPeriod, nov, &c).is_empty());
}

#[test]
fn periods_parse_and_refuse() {
    for s in [
        "2026-11-03",
        "2026-11-H1",
        "2026-11",
        "2026-Q4",
        "2026-S2",
        "2026",
    ] {
        assert_eq!(p(s).to_string(), s);
    }
    for s in [
        "2026-11-H3",
        "2026-Q4-H1",
        "2026-13",
        "26",
        "2026-11-31",
        "duty-3",
        "",
    ] {
        assert!(s.parse::<PlanPeriod>().is_err(), "{s}");
    }
}

fn school(id: i64, kind: SchoolKind, bus: bool, students: i32) -> OrgFacts {
    OrgFacts {
        id: OrgId(id),
        school: true,
        kind: Some(kind),
        has_bus: bus,
        students,
    }
}

#[test]
fn targeting() {
    let kg = school(1, SchoolKind::Kindergarten, false, 200);
    let primary_bus = school(2, SchoolKind::Primary, true, 2400);
    let district = OrgFacts {
        id: OrgId(9),
        school: false,
        kind: None,
        has_bus: false,
        students: 0,
    };
    let t = |who, min: Option<i32>, ids: Vec<i64>| Target {
        who: Some(who),
        min_students: min,
        org_ids: ids.into_iter().map(OrgId).collect(),
    };
    let kgs = t(Who::Kindergartens, None, vec![]);
    assert!(kgs.applies(&kg) && !kgs.applies(&primary_bus) && !kgs.applies(&district));
    let bus = t(Who::BusSchools, None, vec![]);
    assert!(!bus.applies(&kg) && bus.applies(&primary_bus));
    let dist = t(Who::District, None, vec![]);
    assert!(dist.applies(&district) && !dist.applies(&kg));
    let all = t(Who::Schools, None, vec![]);
    assert!(all.applies(&kg) && all.applies(&primary_bus) && !all.applies(&district));
    let large = t(Who::LargeSchools, Some(2400), vec![]);
    assert!(large.applies(&primary_bus) && !large.applies(&kg));
    assert!(!t(Who::LargeSchools, Some(2401), vec![]).applies(&primary_bus));
    let named = t(Who::Named, None, vec![1]);
    assert!(named.applies(&kg) && !named.applies(&primary_bus));
}

fn proof(happened: &str, recorded: &str) -> Proof {
    Proof {
        happened_on: d(happened),
        recorded_on: d(recorded),
    }
}

#[test]
fn status_edges() {
    let nov = DateRange::new(d("2026-11-01"), d("2026-11-30")).unwrap();
    let m = Evidence::Meeting;
    // Done on the last day, recorded that day.
    let last = [proof("2026-11-30", "2026-11-30")];
    assert_eq!(status(m, 1, &last, nov, d("2026-12-05")), Status::Done);
    // Recorded one day late.
    let late = [proof("2026-11-30", "2026-12-01")];
    assert_eq!(status(m, 1, &late, nov, d("2026-12-05")), Status::Late);
    // Nothing: due through the last day, missed the day after.
    assert_eq!(status(m, 1, &[], nov, d("2026-11-30")), Status::Due);
    assert_eq!(status(m, 1, &[], nov, d("2026-12-01")), Status::Missed);
    // Evidence of another period does not count.
    let other = [proof("2026-12-01", "2026-12-01")];
    assert_eq!(status(m, 1, &other, nov, d("2026-12-02")), Status::Missed);
    // Two asked, one given: still due, then missed; the second late makes it late.
    let one = [proof("2026-11-03", "2026-11-03")];
    assert_eq!(status(m, 2, &one, nov, d("2026-11-20")), Status::Due);
    assert_eq!(status(m, 2, &one, nov, d("2026-12-01")), Status::Missed);
    let two = [one[0], proof("2026-11-29", "2026-12-02")];
    assert_eq!(status(m, 2, &two, nov, d("2026-12-03")), Status::Late);
    // More than asked, one of them late: the timely ones suffice.
    let three = [one[0], one[0], proof("2026-11-29", "2026-12-02")];
    assert_eq!(status(m, 2, &three, nov, d("2026-12-03")), Status::Done);
}

#[test]
fn zero_reports_are_due_on_their_day() {
    let duty = DateRange::new(d("2026-10-01"), d("2026-10-03")).unwrap();
    let z = Evidence::ZeroReport;
    let n = required(1, true, duty);
    assert_eq!(n, 3);
    let all = [
        proof("2026-10-01", "2026-10-01"),
        proof("2026-10-02", "2026-10-02"),
        proof("2026-10-03", "2026-10-03"),
    ];
    assert_eq!(status(z, n, &all, duty, d("2026-10-09")), Status::Done);
    let one_late = [all[0], proof("2026-10-02", "2026-10-03"), all[2]];
    assert_eq!(status(z, n, &one_late, duty, d("2026-10-09")), Status::Late);
    assert_eq!(status(z, n, &all[..2], duty, d("2026-10-03")), Status::Due);
    assert_eq!(
        status(z, n, &all[..2], duty, d("2026-10-04")),
        Status::Missed
    );
}

#[test]
fn plan_content_checks() {
    let ob = |who, evidence, kind: Option<&str>, every, count| ObligationInput {
        id: None,
        who,
        min_students: None,
        org_ids: vec![],
        evidence,
        kind: kind.map(str::to_string),
        every,
        count,
        note: String::new(),
    };
    let item = |number, obligations| ItemInput {
        id: None,
        number,
        group: String::new(),
        title: "t".into(),
        text: String::new(),
        lead: String::new(),
        cooperating: vec![],
        obligations,
    };
    let good = PlanContent {
        title: "plan".into(),
        items: vec![item(
            1,
            vec![ob(
                Who::Schools,
                Evidence::Drill,
                Some("fire"),
                Frequency::Semester,
                1,
            )],
        )],
    };
    assert!(check_content(&good).is_empty());
    let bad = PlanContent {
        title: " ".into(),
        items: vec![
            item(
                1,
                vec![
                    ob(
                        Who::Schools,
                        Evidence::Drill,
                        Some("meeting"),
                        Frequency::Semester,
                        1,
                    ),
                    ob(
                        Who::Schools,
                        Evidence::ZeroReport,
                        None,
                        Frequency::Month,
                        1,
                    ),
                    ob(Who::LargeSchools, Evidence::Drill, None, Frequency::Year, 0),
                ],
            ),
            item(1, vec![]),
        ],
    };
    let fields: Vec<String> = check_content(&bad).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "title",
            "items[0].obligations[0].kind",
            "items[0].obligations[1].every",
            "items[0].obligations[2].count",
            "items[0].obligations[2].min_students",
            "items[1].number",
        ]
    );
}

#[test]
fn the_shipped_plan_parses_and_checks() {
    let f: PlanFile =
        serde_json::from_str(include_str!("../../../assets/work_plans/erdao-2021.json")).unwrap();
    assert_eq!(f.year, 2021);
    assert_eq!(f.items.len(), 17);
    let content = PlanContent {
        title: f.title,
        items: f.items,
    };
    assert_eq!(check_content(&content), vec![]);
    let obligations: usize = content.items.iter().map(|i| i.obligations.len()).sum();
    assert!(obligations >= 20, "{obligations}");
}

#[test]
fn every_label_is_translated() {
    crate::domain::calendar::assert_translated(&catalogue_keys());
}
