use super::*;
use chrono::TimeDelta;

/// An instant given in China time, `YYYY-MM-DD HH:MM:SS`.
fn cn(s: &str) -> DateTime<Utc> {
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("instant");
    crate::domain::calendar::china_instant(local.date(), local.time())
}

const KNOWN: &str = "2026-11-02 10:00:00";

fn known() -> DateTime<Utc> {
    cn(KNOWN)
}

fn sent(kind: ReportKind, at: &str) -> SentReport {
    SentReport {
        kind,
        sent_at: cn(at),
    }
}

fn incident() -> Incident {
    Incident {
        incident_type: IncidentType::Fall,
        level: IncidentLevel::General,
        occurred_at: cn("2026-11-02 09:40:00"),
        known_at: known(),
        place: "教学楼三楼走廊".into(),
        summary: "一名学生在楼梯间摔倒受伤，已送医".into(),
        deaths: 0,
        injured: 1,
        missing: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

#[test]
fn incidents_are_checked() {
    let now = cn("2026-11-02 12:00:00");
    assert_eq!(incident().validate(now), Ok(()));
    let with = |f: &dyn Fn(&mut Incident)| {
        let mut i = incident();
        f(&mut i);
        i.validate(now)
    };
    let field = |r: Result<(), IncidentError>| match r {
        Err(IncidentError::Invalid { field, key }) => (field, key),
        other => panic!("expected a field error, got {other:?}"),
    };
    assert_eq!(
        field(with(&|i| i.known_at = cn("2026-11-02 09:39:59"))),
        ("known_at", KNOWN_BEFORE)
    );
    assert_eq!(
        with(&|i| i.known_at = i.occurred_at),
        Ok(()),
        "known at once"
    );
    assert_eq!(
        field(with(&|i| i.known_at = cn("2026-11-02 12:00:01"))),
        ("known_at", FUTURE)
    );
    assert_eq!(
        field(with(&|i| i.occurred_at = cn("2026-11-02 12:00:01"))),
        ("occurred_at", FUTURE)
    );
    assert_eq!(field(with(&|i| i.deaths = -1)), ("deaths", NEGATIVE));
    assert_eq!(field(with(&|i| i.injured = -1)), ("injured", NEGATIVE));
    assert_eq!(field(with(&|i| i.missing = -1)), ("missing", NEGATIVE));
    assert_eq!(field(with(&|i| i.place = " ".into())), ("place", REQUIRED));
    assert_eq!(
        field(with(&|i| i.summary = "字".repeat(MAX_TEXT + 1))),
        ("summary", TOO_LONG)
    );
}

#[test]
fn reports_come_in_sequence() {
    use ReportKind as K;
    let k = known();
    let first = sent(K::First, "2026-11-02 10:30:00");
    let follow = sent(K::FollowUp, "2026-11-03 09:00:00");
    let fin = sent(K::Final, "2026-11-05 09:00:00");
    assert_eq!(check_next_report(k, &[], K::First, first.sent_at), Ok(1));
    assert_eq!(
        check_next_report(k, &[first], K::FollowUp, follow.sent_at),
        Ok(2)
    );
    assert_eq!(
        check_next_report(k, &[first, follow], K::Final, fin.sent_at),
        Ok(3)
    );
    // A final report may follow the first one directly.
    assert_eq!(check_next_report(k, &[first], K::Final, fin.sent_at), Ok(2));

    let seq = |r: Result<u32, IncidentError>| r.map_err(|e| e.key());
    assert_eq!(
        seq(check_next_report(k, &[], K::FollowUp, follow.sent_at)),
        Err(FIRST_FIRST)
    );
    assert_eq!(
        seq(check_next_report(k, &[], K::Final, fin.sent_at)),
        Err(FIRST_FIRST)
    );
    assert_eq!(
        seq(check_next_report(k, &[first], K::First, follow.sent_at)),
        Err(FIRST_TWICE)
    );
    for kind in ReportKind::ALL {
        let r = check_next_report(k, &[first, fin], *kind, cn("2026-11-06 09:00:00"));
        assert_eq!(
            r,
            Err(IncidentError::Sequence { key: CLOSED }),
            "{kind} after the final"
        );
    }
    assert_eq!(
        check_next_report(k, &[], K::First, cn("2026-11-02 09:59:59")),
        Err(IncidentError::Invalid {
            field: "sent_at",
            key: BEFORE_KNOWN
        })
    );
    assert_eq!(
        check_next_report(k, &[], K::First, k),
        Ok(1),
        "at known_at itself"
    );
    assert_eq!(
        check_next_report(k, &[follow], K::FollowUp, first.sent_at).map_err(|e| e.key()),
        Err(OUT_OF_ORDER)
    );

    assert_eq!(check_reports(k, &[first, follow, fin]), Ok(()));
    assert_eq!(
        check_reports(k, &[first, fin, follow]).map_err(|(i, e)| (i, e.key())),
        Err((2, CLOSED))
    );
    assert_eq!(
        check_reports(k, &[follow]).map_err(|(i, e)| (i, e.key())),
        Err((0, FIRST_FIRST))
    );
}

// ---------------------------------------------------------------------------------------------
// Deadlines and clocks
// ---------------------------------------------------------------------------------------------

fn clocks_of(t: IncidentType, level: IncidentLevel, reports: &[SentReport], now: &str) -> Clocks {
    clocks(
        &ReportDeadlines::default(),
        t,
        level,
        known(),
        reports,
        cn(now),
    )
}

#[test]
fn the_first_report_is_due_within_an_hour() {
    use IncidentLevel::General as G;
    use IncidentType::Fall as T;
    let c = clocks_of(T, G, &[], "2026-11-02 11:00:00");
    assert_eq!(c.first_due_at, cn("2026-11-02 11:00:00"));
    assert_eq!(
        c.next,
        Some(Due {
            kind: ReportKind::First,
            due_at: cn("2026-11-02 11:00:00")
        })
    );
    assert!(!c.overdue, "at the deadline itself, not yet overdue");
    let c = clocks_of(T, G, &[], "2026-11-02 11:00:01");
    assert!(c.overdue);
    assert_eq!(c.overdue_minutes, 1);
    assert_eq!(
        clocks_of(T, G, &[], "2026-11-02 12:30:00").overdue_minutes,
        90
    );

    let on_time = clocks_of(
        T,
        G,
        &[sent(ReportKind::First, "2026-11-02 11:00:00")],
        "2026-11-02 12:00:00",
    );
    assert!(on_time.late.is_empty());
    let late = clocks_of(
        T,
        G,
        &[sent(ReportKind::First, "2026-11-02 11:00:01")],
        "2026-11-02 12:00:00",
    );
    assert_eq!(late.late.len(), 1);
    assert_eq!(late.late[0].kind, ReportKind::First);
    assert_eq!(late.late[0].late_minutes, 1);
    assert_eq!(late.late[0].due_at, cn("2026-11-02 11:00:00"));
}

#[test]
fn public_health_events_have_two_hours() {
    for t in [IncidentType::FoodPoisoning, IncidentType::Epidemic] {
        let c = clocks_of(t, IncidentLevel::General, &[], "2026-11-02 11:30:00");
        assert_eq!(c.first_due_at, cn("2026-11-02 12:00:00"), "{t}");
        assert!(!c.overdue);
        assert!(clocks_of(t, IncidentLevel::General, &[], "2026-11-02 12:00:01").overdue);
        let r = [sent(ReportKind::First, "2026-11-02 11:59:00")];
        assert!(
            clocks_of(t, IncidentLevel::Major, &r, "2026-11-02 13:00:00")
                .late
                .is_empty()
        );
        let r = [sent(ReportKind::First, "2026-11-02 12:01:00")];
        assert_eq!(
            clocks_of(t, IncidentLevel::Major, &r, "2026-11-02 13:00:00")
                .late
                .len(),
            1
        );
        // The closing report within a week.
        assert_eq!(
            clocks_of(t, IncidentLevel::General, &[], KNOWN).final_due_at,
            cn("2026-11-09 10:00:00")
        );
    }
    assert!(!IncidentType::Fire.is_public_health());
}

#[test]
fn follow_ups_daily_or_twice_a_day() {
    use ReportKind as K;
    let first = sent(K::First, "2026-11-02 10:30:00");
    let g = clocks_of(
        IncidentType::Fire,
        IncidentLevel::Major,
        &[first],
        "2026-11-03 10:30:00",
    );
    assert_eq!(
        g.next,
        Some(Due {
            kind: K::FollowUp,
            due_at: cn("2026-11-03 10:30:00")
        })
    );
    assert!(!g.overdue);
    let s = clocks_of(
        IncidentType::Fire,
        IncidentLevel::Serious,
        &[first],
        "2026-11-02 22:30:01",
    );
    assert_eq!(s.next.map(|n| n.due_at), Some(cn("2026-11-02 22:30:00")));
    assert!(s.overdue);
    let e = clocks_of(
        IncidentType::Fire,
        IncidentLevel::EspeciallySerious,
        &[first],
        KNOWN,
    );
    assert_eq!(e.next.map(|n| n.due_at), Some(cn("2026-11-02 22:30:00")));

    // A gap in the follow-ups makes the report that ends it late.
    let reports = [
        first,
        sent(K::FollowUp, "2026-11-03 10:30:00"),
        sent(K::FollowUp, "2026-11-04 11:00:00"),
        sent(K::Final, "2026-11-05 09:00:00"),
    ];
    let c = clocks_of(
        IncidentType::Fire,
        IncidentLevel::General,
        &reports,
        "2026-11-06 00:00:00",
    );
    assert_eq!(c.late.len(), 1);
    assert_eq!((c.late[0].index, c.late[0].kind), (2, K::FollowUp));
    assert_eq!(c.late[0].late_minutes, 30);
    assert!(c.closed);
    assert_eq!(c.next, None);
    assert!(!c.overdue);
    // The same reports for a serious incident: each 24-hour gap is late.
    let c = clocks_of(
        IncidentType::Fire,
        IncidentLevel::Serious,
        &reports,
        "2026-11-06 00:00:00",
    );
    let late: Vec<usize> = c.late.iter().map(|l| l.index).collect();
    assert_eq!(late, vec![1, 2, 3]);
}

#[test]
fn the_final_report_is_due_at_the_latest_after_30_days() {
    use ReportKind as K;
    let first = sent(K::First, "2026-11-02 10:30:00");
    let c = clocks_of(IncidentType::Fall, IncidentLevel::General, &[first], KNOWN);
    assert_eq!(c.final_due_at, cn("2026-12-02 10:00:00"));
    // Twelve hours before the final deadline, the last follow-up: the final report comes next.
    let last = sent(K::FollowUp, "2026-12-01 22:00:00");
    let c = clocks_of(
        IncidentType::Fall,
        IncidentLevel::General,
        &[first, last],
        "2026-12-02 10:00:01",
    );
    assert_eq!(
        c.next,
        Some(Due {
            kind: K::Final,
            due_at: cn("2026-12-02 10:00:00")
        })
    );
    assert!(c.overdue);
    // A final report after its deadline is late even within the follow-up interval.
    let fin = sent(K::Final, "2026-12-02 11:00:00");
    let c = clocks_of(
        IncidentType::Fall,
        IncidentLevel::General,
        &[first, last, fin],
        "2026-12-03 00:00:00",
    );
    // (The follow-up 29 days after the first report was late too.)
    let kinds: Vec<ReportKind> = c.late.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, vec![K::FollowUp, K::Final]);
    assert_eq!(c.late[1].due_at, cn("2026-12-02 10:00:00"));
    assert_eq!(c.late[1].late_minutes, 60);
}

#[test]
fn reports_are_read_in_time_order() {
    use ReportKind as K;
    let reports = [
        sent(K::FollowUp, "2026-11-03 09:00:00"),
        sent(K::First, "2026-11-02 10:20:00"),
    ];
    let c = clocks_of(
        IncidentType::Fall,
        IncidentLevel::General,
        &reports,
        "2026-11-03 10:00:00",
    );
    assert!(c.late.is_empty());
    assert_eq!(c.next.map(|n| n.due_at), Some(cn("2026-11-04 09:00:00")));
}

#[test]
fn deadlines_are_configurable_per_type_and_level() {
    let cfg: ReportDeadlines = toml::from_str(
        r#"
        first_minutes = 30
        [first_minutes_by_type]
        food_poisoning = 90
        [first_minutes_by_level]
        especially_serious = 0
        serious = 45
        [follow_up_hours]
        major = 12
        "#,
    )
    .expect("config");
    let m = |t, l| cfg.first_report(t, l).num_minutes();
    use IncidentLevel as L;
    use IncidentType as T;
    assert_eq!(m(T::Fire, L::General), 30);
    assert_eq!(m(T::FoodPoisoning, L::General), 90);
    assert_eq!(
        m(T::Epidemic, L::General),
        120,
        "the public-health default stays"
    );
    assert_eq!(
        m(T::FoodPoisoning, L::Serious),
        45,
        "the shorter of type and level"
    );
    assert_eq!(m(T::Fire, L::Serious), 30, "the shorter of type and level");
    assert_eq!(m(T::Fire, L::EspeciallySerious), 0, "immediately");
    assert_eq!(cfg.follow_up_interval(L::Major), TimeDelta::hours(12));
    assert_eq!(cfg.follow_up_interval(L::General), TimeDelta::hours(24));
    // Immediately: due at known_at, overdue a second later.
    let c = clocks(
        &cfg,
        T::Fire,
        L::EspeciallySerious,
        known(),
        &[],
        known() + TimeDelta::seconds(1),
    );
    assert!(c.overdue);

    for bad in [
        "[follow_up_hours]\ngeneral = 0",
        "final_days = 0",
        "[first_minutes_by_type]\nflood = 10",
        "[first_minutes_by_level]\nhuge = 10",
        "first_minute = 10",
        "first_minutes = -1",
    ] {
        assert!(
            toml::from_str::<ReportDeadlines>(bad).is_err(),
            "must be refused: {bad}"
        );
    }
    assert_eq!(
        toml::from_str::<ReportDeadlines>("").expect("empty"),
        ReportDeadlines::default()
    );
}

#[test]
fn types_levels_and_categories() {
    assert!(IncidentLevel::General < IncidentLevel::EspeciallySerious);
    assert_eq!(IncidentLevel::Serious.rank(), 3);
    assert_eq!(IncidentType::Drowning.gb6441(), Some(6));
    assert_eq!(IncidentType::Cyber.gb6441(), None);
    assert_eq!(
        IncidentType::Intrusion.category(),
        IncidentCategory::SocialSecurity
    );
    assert_eq!(IncidentType::ALL.len(), 21);
    // The codes are the risk catalogue's school accident codes.
    for t in IncidentType::ALL {
        let key = format!("accident.{t}");
        assert!(crate::i18n::has(crate::i18n::Lang::Zh, &key), "{key}");
    }
}

#[test]
fn every_key_is_translated() {
    crate::domain::calendar::assert_translated(&catalogue_keys());
}

// ---------------------------------------------------------------------------------------------
// The people hurt and the reporter
// ---------------------------------------------------------------------------------------------

fn hurt(name: &str, casualty: Casualty) -> HurtPerson {
    HurtPerson {
        name: name.into(),
        casualty,
        age: Some(10),
        note: "四年级二班，左臂骨折".into(),
    }
}

#[test]
fn the_people_named_fit_the_counts() {
    let two = [hurt("甲", Casualty::Injured), hurt("乙", Casualty::Injured)];
    assert_eq!(check_persons(&two, 0, 2, 0), Ok(()));
    assert_eq!(
        check_persons(&two, 0, 3, 0),
        Ok(()),
        "some may stay unnamed"
    );
    assert_eq!(check_persons(&[], 1, 5, 2), Ok(()));
    let whole = |key| {
        Err(PersonError {
            index: None,
            field: "persons",
            key,
        })
    };
    assert_eq!(check_persons(&two, 0, 1, 0), whole(PERSONS_EXCEED));
    assert_eq!(
        check_persons(&[hurt("丙", Casualty::Missing)], 0, 1, 0),
        whole(PERSONS_EXCEED),
        "named missing, counted injured"
    );
    let many: Vec<HurtPerson> = (0..=MAX_PERSONS)
        .map(|i| hurt(&format!("学生{i}"), Casualty::Injured))
        .collect();
    assert_eq!(check_persons(&many, 0, 1000, 0), whole(TOO_MANY_PERSONS));
    let at = |i, field, key| {
        Err(PersonError {
            index: Some(i),
            field,
            key,
        })
    };
    let mut bad = two.clone();
    bad[1].name = "  ".into();
    assert_eq!(check_persons(&bad, 0, 2, 0), at(1, "name", REQUIRED));
    bad[1].name = "名".repeat(MAX_NAME + 1);
    assert_eq!(check_persons(&bad, 0, 2, 0), at(1, "name", TOO_LONG));
    bad[1].name = "名".repeat(MAX_NAME);
    assert_eq!(check_persons(&bad, 0, 2, 0), Ok(()), "the longest name");
    for (age, ok) in [
        (-1, false),
        (0, true),
        (MAX_AGE, true),
        (MAX_AGE + 1, false),
    ] {
        let mut p = two.clone();
        p[0].age = Some(age);
        let r = check_persons(&p, 0, 2, 0);
        assert_eq!(r.is_ok(), ok, "age {age}: {r:?}");
        if !ok {
            assert_eq!(r, at(0, "age", AGE));
        }
    }
    let mut p = two.clone();
    p[0].note = "x".repeat(MAX_NOTE + 1);
    assert_eq!(check_persons(&p, 0, 2, 0), at(0, "note", TOO_LONG));
}

#[test]
fn the_reporter_and_the_phone_are_checked() {
    assert_eq!(check_reporter("李校长", "0431-88886666"), Ok(()));
    assert_eq!(check_reporter("李校长", "13900001111"), Ok(()));
    let field = |r: Result<(), IncidentError>| match r {
        Err(IncidentError::Invalid { field, key }) => (field, key),
        other => panic!("expected a field error, got {other:?}"),
    };
    assert_eq!(field(check_reporter(" ", "139")), ("reporter", REQUIRED));
    assert_eq!(
        field(check_reporter(&"名".repeat(MAX_NAME + 1), "13900001111")),
        ("reporter", TOO_LONG)
    );
    assert_eq!(field(check_reporter("李", "")), ("phone", REQUIRED));
    assert_eq!(field(check_reporter("李", "call me")), ("phone", PHONE));
}

#[test]
fn the_due_instant_of_each_report() {
    let cfg = ReportDeadlines::default();
    let (t, l) = (IncidentType::Fall, IncidentLevel::General);
    let due = |prev: Option<&str>, kind| due_at(&cfg, t, l, known(), prev.map(cn), kind);
    assert_eq!(due(None, ReportKind::First), cn("2026-11-02 11:00:00"));
    assert_eq!(
        due(Some("2026-11-02 10:30:00"), ReportKind::FollowUp),
        cn("2026-11-03 10:30:00")
    );
    assert_eq!(
        due(Some("2026-11-02 10:30:00"), ReportKind::Final),
        cn("2026-11-03 10:30:00")
    );
    // The final report's own deadline binds when it comes first.
    assert_eq!(
        due(Some("2026-12-01 20:00:00"), ReportKind::Final),
        cn("2026-12-02 10:00:00")
    );
    assert_eq!(
        due(Some("2026-12-01 20:00:00"), ReportKind::FollowUp),
        cn("2026-12-02 20:00:00")
    );
    let serious = due_at(
        &cfg,
        IncidentType::FoodPoisoning,
        IncidentLevel::Serious,
        known(),
        Some(cn("2026-11-02 11:00:00")),
        ReportKind::FollowUp,
    );
    assert_eq!(serious, cn("2026-11-02 23:00:00"), "twice a day");
    assert_eq!(
        minutes_late(cn("2026-11-02 11:00:00"), cn("2026-11-02 11:00:00")),
        0
    );
    assert_eq!(
        minutes_late(cn("2026-11-02 11:00:01"), cn("2026-11-02 11:00:00")),
        1
    );
    assert_eq!(
        minutes_late(cn("2026-11-02 11:40:00"), cn("2026-11-02 11:00:00")),
        40
    );
    assert_eq!(
        minutes_late(cn("2026-11-02 10:40:00"), cn("2026-11-02 11:00:00")),
        0
    );
}
