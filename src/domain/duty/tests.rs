use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// An instant given in China time, `YYYY-MM-DD HH:MM:SS`.
fn cn(s: &str) -> DateTime<Utc> {
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("instant");
    china_instant(local.date(), local.time())
}

fn cutoff() -> NaiveTime {
    DutyConfig::default().daily_cutoff
}

fn national_day() -> DutyPeriod {
    DutyPeriod::new(
        d("2026-10-01"),
        d("2026-10-07"),
        cutoff(),
        &DutyConfig::default(),
    )
    .expect("period")
}

#[test]
fn the_cutoff_is_exact() {
    let day = d("2026-10-01");
    let status =
        |sent: Option<&str>, now: &str| report_status(day, cutoff(), sent.map(cn), cn(now));
    use ReportStatus as S;
    assert_eq!(
        status(Some("2026-10-01 14:59:00"), "2026-10-02 09:00:00"),
        S::OnTime
    );
    assert_eq!(
        status(Some("2026-10-01 14:59:59"), "2026-10-02 09:00:00"),
        S::OnTime
    );
    assert_eq!(
        status(Some("2026-10-01 15:00:00"), "2026-10-02 09:00:00"),
        S::OnTime
    );
    assert_eq!(
        status(Some("2026-10-01 15:00:01"), "2026-10-02 09:00:00"),
        S::Late
    );
    assert_eq!(
        status(Some("2026-10-01 15:01:00"), "2026-10-02 09:00:00"),
        S::Late
    );
    assert_eq!(
        status(Some("2026-10-02 08:00:00"), "2026-10-02 09:00:00"),
        S::Late
    );
    assert_eq!(status(None, "2026-10-01 14:59:00"), S::Open);
    assert_eq!(status(None, "2026-10-01 15:00:00"), S::Open);
    assert_eq!(status(None, "2026-10-01 15:00:01"), S::Missing);
    assert_eq!(status(None, "2026-10-01 15:01:00"), S::Missing);
    assert_eq!(status(None, "2026-09-30 20:00:00"), S::Open);
    // China time is UTC+8: the 15:00 cutoff is 07:00 UTC.
    assert_eq!(
        national_day().due_at(day).to_rfc3339(),
        "2026-10-01T07:00:00+00:00"
    );
}

#[test]
fn the_cutoff_is_configurable() {
    let cfg: DutyConfig = toml::from_str("daily_cutoff = \"16:30:00\"").expect("cfg");
    assert_eq!(cfg.max_period_days, 366);
    let day = d("2026-10-01");
    let s = |sent| {
        report_status(
            day,
            cfg.daily_cutoff,
            Some(cn(sent)),
            cn("2026-10-02 00:00:00"),
        )
    };
    assert_eq!(s("2026-10-01 16:30:00"), ReportStatus::OnTime);
    assert_eq!(s("2026-10-01 16:30:01"), ReportStatus::Late);
    assert!(toml::from_str::<DutyConfig>("daily_cutoff = \"25:00:00\"").is_err());
    assert!(toml::from_str::<DutyConfig>("cutoff = \"15:00:00\"").is_err());
    assert_eq!(
        toml::from_str::<DutyConfig>("").expect("empty"),
        DutyConfig::default()
    );
}

#[test]
fn periods_are_checked() {
    let cfg = DutyConfig::default();
    let one_day =
        DutyPeriod::new(d("2026-10-01"), d("2026-10-01"), cutoff(), &cfg).expect("one day");
    assert_eq!(one_day.range().len(), 1);
    let e = DutyPeriod::new(d("2026-10-07"), d("2026-10-01"), cutoff(), &cfg).expect_err("order");
    assert_eq!((e.field.as_str(), e.key), ("last", PERIOD_ORDER));
    let e = DutyPeriod::new(d("2026-01-01"), d("2027-01-02"), cutoff(), &cfg).expect_err("long");
    assert_eq!(e.key, PERIOD_TOO_LONG);
    assert!(DutyPeriod::new(d("2026-01-01"), d("2027-01-01"), cutoff(), &cfg).is_ok());
}

#[test]
fn a_report_is_sent_within_the_period_once_its_day_has_begun() {
    let p = national_day();
    assert_eq!(
        p.check_submission(d("2026-10-01"), cn("2026-10-01 00:00:00")),
        Ok(())
    );
    assert_eq!(
        p.check_submission(d("2026-10-01"), cn("2026-09-30 23:59:59"))
            .map_err(|e| e.key),
        Err(TOO_EARLY)
    );
    assert_eq!(
        p.check_submission(d("2026-10-08"), cn("2026-10-08 10:00:00"))
            .map_err(|e| e.key),
        Err(OUTSIDE)
    );
    // Late is accepted (and counted late).
    assert_eq!(
        p.check_submission(d("2026-10-01"), cn("2026-10-05 10:00:00")),
        Ok(())
    );
}

#[test]
fn a_period_summary_counts_late_and_missing_reports() {
    let p = national_day();
    let sent = [
        (d("2026-10-01"), cn("2026-10-01 09:00:00")),
        (d("2026-10-01"), cn("2026-10-01 08:00:00")),
        (d("2026-10-02"), cn("2026-10-02 15:00:01")),
        // 3 October: nothing. 4 October: sent the next morning, late.
        (d("2026-10-04"), cn("2026-10-05 09:00:00")),
        (d("2026-10-05"), cn("2026-10-05 15:00:00")),
        // Outside the period: ignored.
        (d("2026-09-30"), cn("2026-09-30 10:00:00")),
    ];
    let s = p.summary(&sent, cn("2026-10-06 12:00:00"));
    let got: Vec<ReportStatus> = s.days.iter().map(|d| d.status).collect();
    use ReportStatus as S;
    assert_eq!(
        got,
        vec![
            S::OnTime,
            S::Late,
            S::Missing,
            S::Late,
            S::OnTime,
            S::Open,
            S::Open
        ]
    );
    assert_eq!(
        s.days[0].submitted_at,
        Some(cn("2026-10-01 08:00:00")),
        "the earliest counts"
    );
    assert_eq!((s.on_time, s.late, s.missing, s.open), (2, 2, 1, 2));
    assert_eq!(s.days.len(), 7);
}

#[test]
fn zero_reports_and_reports_of_something() {
    let zero = DailyReport {
        date: d("2026-10-01"),
        nothing_to_report: true,
        note: None,
        incident_ids: vec![],
    };
    assert_eq!(zero.validate(), Ok(()));
    let mut bad = zero.clone();
    bad.incident_ids = vec![7];
    assert_eq!(bad.validate().map_err(|e| e.key), Err(ZERO_WITH_INCIDENTS));
    let mut empty = zero.clone();
    empty.nothing_to_report = false;
    empty.note = Some("  ".into());
    assert_eq!(empty.validate().map_err(|e| e.key), Err(REPORT_EMPTY));
    let mut noted = empty.clone();
    noted.note = Some("校门口发生轻微交通事故，无人员伤亡".into());
    assert_eq!(noted.validate(), Ok(()));
    noted.note = Some("长".repeat(MAX_TEXT + 1));
    assert_eq!(noted.validate().map_err(|e| e.key), Err(TOO_LONG));
    let mut with_incident = empty;
    with_incident.incident_ids = vec![3];
    assert_eq!(with_incident.validate(), Ok(()));
}

fn person(name: &str, phone: &str) -> DutyPerson {
    DutyPerson {
        name: name.into(),
        phone: phone.into(),
        user_id: None,
    }
}

fn day(date: &str, leader: bool, officers: usize) -> RosterDay {
    RosterDay {
        date: d(date),
        leader: leader.then(|| person("王校长", "13800000001")),
        officers: (0..officers)
            .map(|_| person("李老师", "010-88886666"))
            .collect(),
        duty_phone: Some("010-88886666".into()),
    }
}

#[test]
fn a_roster_covers_every_day_and_flags_days_without_a_leader() {
    let p = national_day();
    let full: Vec<RosterDay> = p
        .range()
        .days()
        .map(|x| day(&x.to_string(), true, 2))
        .collect();
    let c = check_roster(&p, &full).expect("well formed");
    assert!(c.is_complete());
    assert_eq!(c.require_covered(), Ok(()));

    let mut gaps = full.clone();
    gaps.remove(2); // 3 October: no entry
    gaps[3].officers.clear(); // 5 October: nobody on duty
    gaps[4].leader = None; // 6 October: no leader
    let c = check_roster(&p, &gaps).expect("well formed");
    assert_eq!(c.uncovered, vec![d("2026-10-03"), d("2026-10-05")]);
    assert_eq!(c.without_leader, vec![d("2026-10-06")]);
    assert!(!c.is_complete());
    assert_eq!(c.require_covered().map_err(|e| e.key), Err(UNCOVERED));

    let led_only = vec![day("2026-10-01", true, 2)];
    let c = check_roster(&p, &led_only).expect("well formed");
    assert_eq!(c.uncovered.len(), 6);
    assert!(check_roster(&p, &[]).expect("empty").uncovered.len() == 7);
}

#[test]
fn malformed_rosters_are_refused() {
    let p = national_day();
    let refuse = |days: Vec<RosterDay>| {
        let e = check_roster(&p, &days).expect_err("refused");
        (e.field, e.key)
    };
    assert_eq!(
        refuse(vec![day("2026-09-30", true, 1)]),
        ("days[0].date".into(), OUTSIDE)
    );
    assert_eq!(
        refuse(vec![day("2026-10-01", true, 1), day("2026-10-01", true, 1)]),
        ("days[1].date".into(), DUPLICATE_DAY)
    );
    let mut no_name = day("2026-10-01", true, 1);
    no_name.leader = Some(person(" ", "13800000001"));
    assert_eq!(
        refuse(vec![no_name]),
        ("days[0].leader.name".into(), REQUIRED)
    );
    let mut no_phone = day("2026-10-01", true, 2);
    no_phone.officers[1].phone = String::new();
    assert_eq!(
        refuse(vec![no_phone]),
        ("days[0].officers[1].phone".into(), REQUIRED)
    );
    let mut bad_phone = day("2026-10-01", true, 1);
    bad_phone.officers[0].phone = "call me".into();
    assert_eq!(
        refuse(vec![bad_phone]),
        ("days[0].officers[0].phone".into(), PHONE)
    );
    let mut bad_duty = day("2026-10-01", true, 1);
    bad_duty.duty_phone = Some("12".into());
    assert_eq!(refuse(vec![bad_duty]), ("days[0].duty_phone".into(), PHONE));
}

#[test]
fn phone_numbers() {
    for ok in [
        "13800000000",
        "010-88886666",
        "+86 138 0000 0000",
        "0571-8888 6666",
        "12345",
    ] {
        assert!(valid_phone(ok), "{ok}");
    }
    for bad in [
        "",
        "1234",
        "-13800000000",
        "138000000001234567",
        "1380000000a",
        "+",
        "138/0000",
    ] {
        assert!(!valid_phone(bad), "{bad}");
    }
}

#[test]
fn every_key_is_translated() {
    crate::domain::calendar::assert_translated(&catalogue_keys());
}

#[test]
fn the_duty_officer_checks_in_on_the_day() {
    let p = national_day();
    assert_eq!(
        check_in_allowed(&p, d("2026-10-03"), cn("2026-10-03 00:00:00")),
        Ok(())
    );
    assert_eq!(
        check_in_allowed(&p, d("2026-10-03"), cn("2026-10-03 23:59:59")),
        Ok(())
    );
    let refused = |date: &str, now: &str| check_in_allowed(&p, d(date), cn(now)).unwrap_err();
    assert_eq!(refused("2026-10-03", "2026-10-02 23:59:59").key, NOT_TODAY);
    assert_eq!(refused("2026-10-03", "2026-10-04 00:00:00").key, NOT_TODAY);
    let e = refused("2026-10-08", "2026-10-08 09:00:00");
    assert_eq!((e.field.as_str(), e.key), ("date", OUTSIDE));

    let leader = DutyPerson {
        name: "李校长".into(),
        phone: "13900002222".into(),
        user_id: Some(UserId(7)),
    };
    let officer = DutyPerson {
        name: "王老师".into(),
        phone: "13900001111".into(),
        user_id: None,
    };
    let day = RosterDay {
        date: d("2026-10-03"),
        leader: Some(leader),
        officers: vec![officer],
        duty_phone: None,
    };
    assert!(on_roster(Some(&day), "李校长", UserId(7)));
    assert!(
        !on_roster(Some(&day), "李校长", UserId(8)),
        "an account named on the roster is matched by account"
    );
    assert!(on_roster(Some(&day), " 王老师 ", UserId(9)), "else by name");
    assert!(!on_roster(Some(&day), "赵老师", UserId(9)));
    assert!(!on_roster(None, "王老师", UserId(9)));
}

#[test]
fn a_spot_check_is_answered_or_called_back_within_five_minutes() {
    use SpotCheckResult as R;
    let call = cn("2026-10-03 21:00:00");
    let now = cn("2026-10-03 22:00:00");
    let minutes = DutyConfig::default().callback_minutes;
    assert_eq!(minutes, 5);
    let result = |answered, back: Option<&str>| {
        spot_check_result(call, answered, back.map(cn), minutes, now)
    };
    assert_eq!(result(true, None), Ok(R::Answered));
    assert_eq!(result(false, None), Ok(R::NoAnswer));
    assert_eq!(
        result(false, Some("2026-10-03 21:05:00")),
        Ok(R::CalledBack),
        "the fifth minute itself is in time"
    );
    assert_eq!(
        result(false, Some("2026-10-03 21:05:01")),
        Ok(R::CalledBackLate)
    );
    assert_eq!(
        result(false, Some("2026-10-03 21:00:00")),
        Ok(R::CalledBack)
    );
    assert!(R::Answered.passed() && R::CalledBack.passed());
    assert!(!R::CalledBackLate.passed() && !R::NoAnswer.passed());
    let key = |r: Result<R, DutyError>| {
        let e = r.unwrap_err();
        (e.field, e.key)
    };
    assert_eq!(
        key(result(false, Some("2026-10-03 20:59:59"))),
        ("called_back_at".to_string(), CALLBACK_BEFORE_CALL)
    );
    assert_eq!(
        key(result(true, Some("2026-10-03 21:01:00"))),
        ("called_back_at".to_string(), ANSWERED_AND_CALLED_BACK)
    );
    assert_eq!(
        key(result(false, Some("2026-10-03 22:00:01"))),
        ("called_back_at".to_string(), FUTURE_CALL)
    );
    assert_eq!(
        key(spot_check_result(now, true, None, minutes, call)),
        ("called_at".to_string(), FUTURE_CALL)
    );
}
