use super::*;
use chrono::{Datelike, NaiveDate, Weekday};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

// ---------------------------------------------------------------------------------------------
// The working-day calendar
// ---------------------------------------------------------------------------------------------

#[test]
fn the_shipped_file_parses_and_covers_2025_and_2026() {
    let c = WorkingCalendar::parse(SHIPPED_CSV).expect("no errors");
    assert!(c.covers(2025) && c.covers(2026));
    assert!(!c.covers(2030));
    // Every make-up day is a weekend day (the parser checks it too).
    for e in c.exceptions().filter(|e| e.kind == DayKind::Workday) {
        assert!(matches!(e.date.weekday(), Weekday::Sat | Weekday::Sun));
    }
}

#[test]
fn the_2026_arrangement() {
    let c = cal();
    for day in [
        "2026-01-01",
        "2026-01-02",
        "2026-02-16",
        "2026-02-23",
        "2026-04-06",
        "2026-05-04",
        "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-01",
        "2026-10-07",
    ] {
        assert!(!c.is_working_day(d(day)), "{day} is a holiday");
    }
    for day in [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ] {
        assert!(c.is_working_day(d(day)), "{day} is a make-up working day");
    }
    assert_eq!(c.holiday_name(d("2026-02-17")), Some("春节"));
    assert_eq!(c.holiday_name(d("2026-02-14")), None);
    assert_eq!(
        c.exception(d("2026-02-14")).map(|e| e.kind),
        Some(DayKind::Workday)
    );
    // An ordinary week.
    assert!(c.is_working_day(d("2026-03-02")));
    assert!(!c.is_working_day(d("2026-03-07")));
}

#[test]
fn the_2025_arrangement() {
    let c = cal();
    assert!(!c.is_working_day(d("2025-01-28")));
    assert!(!c.is_working_day(d("2025-02-04")));
    assert!(c.is_working_day(d("2025-01-26")));
    assert!(c.is_working_day(d("2025-02-08")));
    assert!(c.is_working_day(d("2025-04-27")));
    assert!(!c.is_working_day(d("2025-10-08")));
    assert!(c.is_working_day(d("2025-09-28")));
    assert!(c.is_working_day(d("2025-10-11")));
}

#[test]
fn working_days_across_the_2026_spring_festival() {
    let c = cal();
    // Friday 13 Feb → the make-up Saturday 14 Feb is the next working day.
    assert_eq!(c.add_working_days(d("2026-02-13"), 1), d("2026-02-14"));
    // After the make-up Saturday comes Tuesday 24 Feb (15–23 Feb are the holiday).
    assert_eq!(c.add_working_days(d("2026-02-14"), 1), d("2026-02-24"));
    assert_eq!(c.add_working_days(d("2026-02-12"), 3), d("2026-02-24"));
    // A date inside the holiday: the first working day after it.
    assert_eq!(c.add_working_days(d("2026-02-18"), 1), d("2026-02-24"));
    // Saturday 28 Feb is worked: Friday 27 + 1 = Saturday 28, + 2 = Monday 2 Mar.
    assert_eq!(c.add_working_days(d("2026-02-27"), 1), d("2026-02-28"));
    assert_eq!(c.add_working_days(d("2026-02-27"), 2), d("2026-03-02"));
    // 20 working days from Tuesday 10 Feb: 11, 12, 13, 14 (Sat), 24–28 (28 a Saturday),
    // 2–6, 9–13 and 16 March.
    assert_eq!(c.add_working_days(d("2026-02-10"), 20), d("2026-03-16"));
    assert_eq!(c.working_days_between(d("2026-02-10"), d("2026-03-16")), 20);
    assert_eq!(c.working_days_between(d("2026-02-13"), d("2026-02-24")), 2);
    assert_eq!(c.working_days_between(d("2026-02-15"), d("2026-02-23")), 0);
    // Without the table, the same span is plain Monday–Friday.
    let plain = WorkingCalendar::new();
    assert_eq!(plain.add_working_days(d("2026-02-13"), 1), d("2026-02-16"));
    assert_eq!(plain.add_working_days(d("2026-02-10"), 20), d("2026-03-10"));
}

#[test]
fn working_days_over_new_year_and_national_day_2026() {
    let c = cal();
    // Wed 31 Dec 2025 → Jan 1–3 off, Sunday 4 Jan worked.
    assert_eq!(c.add_working_days(d("2025-12-31"), 1), d("2026-01-04"));
    assert_eq!(c.add_working_days(d("2025-12-31"), 2), d("2026-01-05"));
    // Sunday 20 Sep worked, 25–27 Sep off, 1–7 Oct off, Saturday 10 Oct worked.
    assert_eq!(c.add_working_days(d("2026-09-19"), 1), d("2026-09-20"));
    assert_eq!(c.add_working_days(d("2026-09-30"), 1), d("2026-10-08"));
    assert_eq!(c.add_working_days(d("2026-10-09"), 1), d("2026-10-10"));
    assert_eq!(c.add_working_days(d("2026-10-10"), 1), d("2026-10-12"));
}

#[test]
fn adding_and_counting_agree() {
    let c = cal();
    for start in [
        "2025-01-20",
        "2026-02-06",
        "2026-04-30",
        "2026-09-18",
        "2026-12-25",
    ] {
        let s = d(start);
        for n in 0..70 {
            let end = c.add_working_days(s, n);
            assert_eq!(
                c.working_days_between(s, end),
                i64::from(n),
                "{start} + {n}"
            );
            assert_eq!(c.working_days_between(end, s), -i64::from(n));
            if n > 0 {
                assert!(
                    c.is_working_day(end),
                    "{start} + {n} = {end} must be worked"
                );
            }
        }
    }
    assert_eq!(c.add_working_days(d("2026-02-16"), 0), d("2026-02-16"));
    assert_eq!(c.working_days_between(d("2026-02-16"), d("2026-02-16")), 0);
}

#[test]
fn a_year_without_rows_is_monday_to_friday() {
    let c = cal();
    // 1 Jan 2030 is a Tuesday: without the 2030 notice it counts as a working day.
    assert!(c.is_working_day(d("2030-01-01")));
    assert!(!c.is_working_day(d("2030-01-05")));
}

// ---------------------------------------------------------------------------------------------
// Parsing the file
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_lines_are_reported_with_their_numbers_and_reasons() {
    let text = "\
# comment
date,kind,name
2026-02-15,holiday,春节

2026-02-30,holiday,春节
2026-02-16,休,春节
2026-02-17,holiday,
2026-02-15,holiday,春节
2026-02-18,holiday,春节,多余
2026-02-16,workday,周一调休
26-2-19,holiday,春节
";
    let errors = WorkingCalendar::parse(text).expect_err("bad file");
    let got: Vec<(usize, LineReason)> = errors.iter().map(|e| (e.line, e.reason)).collect();
    assert_eq!(
        got,
        vec![
            (5, LineReason::Date),
            (6, LineReason::Kind),
            (7, LineReason::Name),
            (8, LineReason::Duplicate),
            (9, LineReason::Columns),
            (10, LineReason::WorkdayOnWeekday),
            (11, LineReason::Date),
        ]
    );
    assert_eq!(errors[1].value, "休");
    assert_eq!(errors[0].key(), "calendar_line.date");
}

#[test]
fn a_missing_header_is_reported_and_the_line_still_checked() {
    let errors = WorkingCalendar::parse("2026-02-15,holiday,春节\n2026-02-16,x,春节\n")
        .expect_err("no header");
    let got: Vec<_> = errors.iter().map(|e| (e.line, e.reason)).collect();
    assert_eq!(got, vec![(1, LineReason::Header), (2, LineReason::Kind)]);
}

#[test]
fn a_bom_quotes_and_blanks_are_accepted() {
    let text = "\u{feff}Date, Kind ,NAME\r\n\"2026-02-15\",\"holiday\",\"春节\"\r\n  \r\n";
    let c = WorkingCalendar::parse(text).expect("parses");
    assert!(!c.is_working_day(d("2026-02-16")) || c.exception(d("2026-02-16")).is_none());
    assert_eq!(c.holiday_name(d("2026-02-15")), Some("春节"));
    assert_eq!(c.exceptions().count(), 1);
    // An empty file is an empty table.
    assert_eq!(WorkingCalendar::parse(""), Ok(WorkingCalendar::new()));
}

#[test]
fn garbage_never_panics() {
    for text in [
        ",,,",
        "date,kind,name\n,,\n",
        "date,kind,name\n9999999-01-01,holiday,x\n",
        "date,kind,name\n2026-02-15,holiday,春节春节春节春节春节春节春节春节春节春节春节春节春节春节春节春节春节春节春节春节春节\n",
        "\u{0}\u{1}\n\u{feff}",
        "date,kind,name\n\"\n",
    ] {
        let _ = WorkingCalendar::parse(text);
    }
}

proptest::proptest! {
    #[test]
    fn any_text_parses_without_panicking(text in "\\PC*") {
        let _ = WorkingCalendar::parse(&text);
    }

    #[test]
    fn any_row_parses_without_panicking(a in "[0-9-]{0,12}", b in "[a-z]{0,8}", c in "\\PC{0,45}") {
        let _ = WorkingCalendar::parse(&format!("date,kind,name\n{a},{b},{c}\n"));
    }
}

// ---------------------------------------------------------------------------------------------
// The school year and periods
// ---------------------------------------------------------------------------------------------

#[test]
fn the_default_semesters() {
    let sc = SchoolCalendar::default();
    assert_eq!(
        sc.semester(2026, Semester::Autumn),
        DateRange {
            first: d("2026-09-01"),
            last: d("2027-01-31")
        }
    );
    assert_eq!(
        sc.semester(2026, Semester::Spring),
        DateRange {
            first: d("2027-02-01"),
            last: d("2027-08-31")
        }
    );
    assert_eq!(sc.semester_of(d("2026-09-01")), (2026, Semester::Autumn));
    assert_eq!(sc.semester_of(d("2026-08-31")), (2025, Semester::Spring));
    assert_eq!(sc.semester_of(d("2027-01-31")), (2026, Semester::Autumn));
    assert_eq!(sc.semester_of(d("2027-02-01")), (2026, Semester::Spring));
    assert_eq!(sc.semester_of(d("2026-12-31")), (2026, Semester::Autumn));
    assert_eq!(sc.school_year_of(d("2027-05-01")), 2026);
}

#[test]
fn the_school_calendar_is_configurable() {
    let sc: SchoolCalendar = toml::from_str(
        r#"
        autumn_start = "08-25"
        spring_start = "03-01"
        [[years]]
        school_year = 2026
        autumn_start = "2026-09-01"
        spring_start = "2027-02-23"
        "#,
    )
    .expect("config");
    // The override.
    assert_eq!(sc.semester(2026, Semester::Autumn).first, d("2026-09-01"));
    assert_eq!(sc.semester(2026, Semester::Autumn).last, d("2027-02-22"));
    assert_eq!(sc.semester(2026, Semester::Spring).first, d("2027-02-23"));
    // The spring before ends the day before the override's autumn start.
    assert_eq!(sc.semester(2025, Semester::Spring).last, d("2026-08-31"));
    // Other years use the default days; the leap day falls in the autumn semester.
    assert_eq!(sc.semester(2027, Semester::Autumn).first, d("2027-08-25"));
    assert_eq!(sc.semester(2027, Semester::Autumn).last, d("2028-02-29"));
    assert_eq!(sc.semester_of(d("2028-02-29")), (2027, Semester::Autumn));
    // An empty table is the default.
    let empty: SchoolCalendar = toml::from_str("").expect("empty");
    assert_eq!(empty, SchoolCalendar::default());
}

#[test]
fn bad_school_calendars_are_refused() {
    for text in [
        "autumn_start = \"02-01\"\nspring_start = \"09-01\"",
        "spring_start = \"02-29\"",
        "spring_start = \"2-1\"",
        "autumn_start = \"13-01\"",
        "term = \"x\"",
        "[[years]]\nschool_year = 2026\nautumn_start = \"2027-09-01\"\nspring_start = \"2027-02-01\"",
        "[[years]]\nschool_year = 2147483647\nautumn_start = \"2026-09-01\"\nspring_start = \"2027-02-01\"",
        "[[years]]\nschool_year = 2026\nautumn_start = \"2026-09-01\"\nspring_start = \"2027-09-02\"",
        "[[years]]\nschool_year = 2026\nautumn_start = \"2026-09-01\"\nspring_start = \"2027-02-01\"\n\
         [[years]]\nschool_year = 2026\nautumn_start = \"2026-09-01\"\nspring_start = \"2027-02-01\"",
    ] {
        assert!(
            toml::from_str::<SchoolCalendar>(text).is_err(),
            "must be refused: {text}"
        );
    }
}

#[test]
fn a_day_of_the_year_is_two_digits_then_two_digits() {
    assert_eq!(
        "09-01".parse::<MonthDay>().expect("09-01").to_string(),
        "09-01"
    );
    // The `period` fuzz check (prints back as given) caught a sign read as a digit.
    for text in ["+1-05", "09-+1", "-1-05", " +9-01"] {
        assert!(text.parse::<MonthDay>().is_err(), "must be refused: {text}");
    }
}

#[test]
fn periods_parse_and_print() {
    for s in [
        "2026-11", "2026-01", "2026-Q4", "2026-Q1", "2026-S1", "2026-S2",
    ] {
        let p: Period = s.parse().expect(s);
        assert_eq!(p.to_string(), s);
        let json = serde_json::to_string(&p).expect("json");
        assert_eq!(json, format!("\"{s}\""));
        assert_eq!(serde_json::from_str::<Period>(&json).expect("back"), p);
    }
    let p: Period = "2026-Q4".parse().expect("q");
    assert_eq!(
        (p.kind(), p.year(), p.number()),
        (PeriodKind::Quarter, 2026, 4)
    );
    let s: Period = "2026-S2".parse().expect("s");
    assert_eq!(s.semester_kind(), Some(Semester::Spring));
}

#[test]
fn bad_periods_are_refused() {
    let cases = [
        ("2026-13", "err.period.month"),
        ("2026-00", "err.period.month"),
        ("2026-Q5", "err.period.quarter"),
        ("2026-Q0", "err.period.quarter"),
        ("2026-S3", "err.period.semester"),
        ("2026-S0", "err.period.semester"),
        ("2026-1", "err.period.format"),
        ("2026-q4", "err.period.format"),
        ("2026-s1", "err.period.format"),
        ("2026-Q", "err.period.format"),
        ("2026-Q44", "err.period.format"),
        ("26-11", "err.period.format"),
        ("0999-11", "err.period.format"),
        ("2026/11", "err.period.format"),
        ("2026-11 ", "err.period.format"),
        (" 2026-11", "err.period.format"),
        ("2026-+1", "err.period.format"),
        ("", "err.period.format"),
        ("garbage", "err.period.format"),
        ("二〇二六-11", "err.period.format"),
    ];
    for (s, key) in cases {
        let e = s.parse::<Period>().expect_err(s);
        assert_eq!(e.key, key, "{s}");
    }
    assert!(serde_json::from_str::<Period>("\"2026-13\"").is_err());
}

#[test]
fn period_days() {
    let sc = SchoolCalendar::default();
    let range = |s: &str| {
        let r = s.parse::<Period>().expect(s).range(&sc);
        (r.first.to_string(), r.last.to_string())
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(range("2026-11"), pair("2026-11-01", "2026-11-30"));
    assert_eq!(range("2026-12"), pair("2026-12-01", "2026-12-31"));
    assert_eq!(range("2026-02"), pair("2026-02-01", "2026-02-28"));
    assert_eq!(range("2028-02"), pair("2028-02-01", "2028-02-29"));
    assert_eq!(range("2026-Q1"), pair("2026-01-01", "2026-03-31"));
    assert_eq!(range("2026-Q4"), pair("2026-10-01", "2026-12-31"));
    assert_eq!(range("2026-S1"), pair("2026-09-01", "2027-01-31"));
    assert_eq!(range("2026-S2"), pair("2027-02-01", "2027-08-31"));

    let s1: Period = "2026-S1".parse().expect("s1");
    assert!(s1.contains(d("2026-09-01"), &sc));
    assert!(s1.contains(d("2027-01-31"), &sc));
    assert!(!s1.contains(d("2026-08-31"), &sc));
    assert!(!s1.contains(d("2027-02-01"), &sc));
    assert_eq!(s1.first_day(&sc), d("2026-09-01"));
    assert_eq!(s1.last_day(&sc), d("2027-01-31"));
    assert!(!s1.has_ended(d("2027-01-31"), &sc));
    assert!(s1.has_ended(d("2027-02-01"), &sc));
}

#[test]
fn periods_of_dates_and_neighbours() {
    let sc = SchoolCalendar::default();
    let of = |k, s: &str| Period::of(k, d(s), &sc).to_string();
    assert_eq!(of(PeriodKind::Month, "2026-11-30"), "2026-11");
    assert_eq!(of(PeriodKind::Quarter, "2026-09-30"), "2026-Q3");
    assert_eq!(of(PeriodKind::Quarter, "2026-10-01"), "2026-Q4");
    assert_eq!(of(PeriodKind::Semester, "2027-01-31"), "2026-S1");
    assert_eq!(of(PeriodKind::Semester, "2027-02-01"), "2026-S2");
    assert_eq!(of(PeriodKind::Semester, "2026-08-31"), "2025-S2");

    let p = |s: &str| s.parse::<Period>().expect(s);
    assert_eq!(p("2026-12").next(), p("2027-01"));
    assert_eq!(p("2027-01").prev(), p("2026-12"));
    assert_eq!(p("2026-Q4").next(), p("2027-Q1"));
    assert_eq!(p("2026-Q1").prev(), p("2025-Q4"));
    assert_eq!(p("2026-S1").next(), p("2026-S2"));
    assert_eq!(p("2026-S2").next(), p("2027-S1"));
    assert_eq!(p("2026-S1").prev(), p("2025-S2"));
    assert!(Period::month(2026, 13).is_none());
    assert!(Period::quarter(2026, 0).is_none());
}

#[test]
fn date_ranges() {
    let r = DateRange::new(d("2026-02-14"), d("2026-02-16")).expect("range");
    assert_eq!(r.len(), 3);
    assert_eq!(
        r.days().collect::<Vec<_>>(),
        vec![d("2026-02-14"), d("2026-02-15"), d("2026-02-16")]
    );
    assert!(DateRange::new(d("2026-02-16"), d("2026-02-14")).is_none());
    let other = DateRange::new(d("2026-02-16"), d("2026-02-20")).expect("range");
    assert!(r.overlaps(&other));
}

#[test]
fn china_time() {
    let t = china_instant(
        d("2026-10-01"),
        chrono::NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
    );
    assert_eq!(t.to_rfc3339(), "2026-10-01T07:00:00+00:00");
    let midnight = china_instant(d("2026-10-01"), chrono::NaiveTime::MIN);
    assert_eq!(midnight.to_rfc3339(), "2026-09-30T16:00:00+00:00");
    assert_eq!(crate::clock::china_date(midnight), d("2026-10-01"));
}

#[test]
fn every_key_is_translated() {
    super::assert_translated(&catalogue_keys());
}
