use super::*;
use crate::domain::Code;
use crate::domain::device::DeviceKind;
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Levels and closed sets
// ---------------------------------------------------------------------------------------------

#[test]
fn levels_rank_from_red_to_blue() {
    let ranks: Vec<u8> = Level::ALL.iter().map(|l| l.rank()).collect();
    assert_eq!(ranks, [1, 2, 3, 4]);
    assert_eq!(Level::Red.roman(), "Ⅰ");
    assert_eq!(Level::Blue.roman(), "Ⅳ");
    for a in Level::ALL {
        for b in Level::ALL {
            assert_eq!(a.at_least(*b), a.rank() <= b.rank(), "{a} {b}");
            // The derived order agrees: most severe first.
            assert_eq!(a.at_least(*b), a <= b, "{a} {b}");
        }
    }
    assert!(Level::Red.at_least(Level::Yellow));
    assert!(Level::Yellow.at_least(Level::Yellow));
    assert!(!Level::Blue.at_least(Level::Yellow));
    let district: Vec<Level> = Level::ALL
        .iter()
        .copied()
        .filter(|l| l.reaches_district())
        .collect();
    assert_eq!(district, [Level::Red, Level::Orange, Level::Yellow]);
    let city: Vec<Level> = Level::ALL
        .iter()
        .copied()
        .filter(|l| l.reaches_city())
        .collect();
    assert_eq!(city, [Level::Red]);
    let person: Vec<Level> = Level::ALL
        .iter()
        .copied()
        .filter(|l| l.needs_person_to_resolve())
        .collect();
    assert_eq!(person, [Level::Red, Level::Orange]);
}

#[test]
fn open_statuses() {
    use Status as S;
    for s in Status::ALL {
        let open = matches!(s, S::Raised | S::Acknowledged | S::Dispatched);
        assert_eq!(s.is_open(), open, "{s}");
        assert_eq!(s.is_final(), !open, "{s}");
    }
}

#[test]
fn wire_codes_round_trip() {
    fn check<T: Code + std::fmt::Debug + PartialEq + serde::Serialize>() {
        for v in T::ALL {
            assert_eq!(T::parse(v.as_str()), Some(*v));
            assert_eq!(
                serde_json::to_string(v).unwrap(),
                format!("\"{}\"", v.as_str())
            );
        }
    }
    check::<Level>();
    check::<Status>();
    check::<Source>();
    check::<StepKind>();
    check::<Comparator>();
    check::<Metric>();
    assert_eq!(Metric::parse("gas_lel_pct"), Some(Metric::GasLelPct));
    assert_eq!(Status::parse("closed"), None);
}

#[test]
fn every_label_and_message_is_in_both_catalogues() {
    use crate::i18n::{LANGS, has};
    let keys = catalogue_keys();
    assert!(keys.contains(&"warning_status.false_alarm".to_string()));
    assert!(keys.contains(&"metric.residual_current_ma".to_string()));
    assert!(keys.contains(&"err.warning.illegal_step".to_string()));
    assert!(keys.contains(&"warning_level_full.red".to_string()));
    let mut missing = Vec::new();
    for k in &keys {
        for l in LANGS {
            if !has(*l, k) {
                missing.push(format!("{k} ({})", l.code()));
            }
        }
    }
    assert!(missing.is_empty(), "missing translations: {missing:?}");
    // And the files themselves, as a second look independent of the compiled catalogue.
    for file in [
        include_str!("../../../locales/warnings.zh-CN.yml"),
        include_str!("../../../locales/warnings.en.yml"),
    ] {
        for set in [
            "warning_level:",
            "warning_status:",
            "warning_source:",
            "warning_action:",
            "metric:",
            "comparator:",
        ] {
            assert!(file.contains(&format!("\n{set}\n")), "{set}");
        }
    }
}

#[test]
fn the_error_keys_cover_every_error() {
    let errors = [
        StepError::IllegalStep {
            from: Status::Resolved,
            step: StepKind::Resolve,
        },
        StepError::NeedsPerson,
        StepError::NeedsNote,
        StepError::NeedsReason,
        StepError::TooLong {
            field: "note",
            max: MAX_NOTE,
        },
    ];
    let keys: Vec<&str> = errors.iter().map(|e| e.key()).collect();
    assert_eq!(
        keys,
        [
            "err.warning.illegal_step",
            "err.warning.needs_person",
            "err.warning.needs_note",
            "err.warning.needs_reason",
            "err.warning.too_long"
        ]
    );
    let fields: Vec<_> = errors.iter().map(|e| e.field()).collect();
    assert_eq!(
        fields,
        [
            Some("action"),
            Some("user_id"),
            Some("note"),
            Some("reason"),
            Some("note")
        ]
    );
    for k in keys {
        assert!(ERROR_KEYS.contains(&k), "{k}");
    }
}

// ---------------------------------------------------------------------------------------------
// Comparators and metrics
// ---------------------------------------------------------------------------------------------

#[test]
fn comparators_at_just_below_and_just_above_the_threshold() {
    use Comparator as Cmp;
    let t = 300.0;
    // (comparator, at, just below, just above)
    let table = [
        (Cmp::Gt, false, false, true),
        (Cmp::Ge, true, false, true),
        (Cmp::Lt, false, true, false),
        (Cmp::Le, true, true, false),
        (Cmp::Eq, true, false, false),
        (Cmp::Ne, false, true, true),
    ];
    assert_eq!(table.len(), Comparator::ALL.len());
    for (c, at, below, above) in table {
        assert_eq!(c.holds(t, t), at, "{c} at");
        assert_eq!(c.holds(t - 0.001, t), below, "{c} below");
        assert_eq!(c.holds(t + 0.001, t), above, "{c} above");
    }
    let symbols: Vec<&str> = Comparator::ALL.iter().map(|c| c.symbol()).collect();
    assert_eq!(symbols, [">", "≥", "<", "≤", "=", "≠"]);
    assert!(!Cmp::Ge.holds(f64::NAN, 1.0));
}

#[test]
fn metric_ranges() {
    for m in Metric::ALL {
        let (lo, hi) = m.range();
        assert!(lo < hi, "{m}");
        assert!(m.accepts(lo) && m.accepts(hi), "{m}");
        assert!(!m.accepts(lo - 0.5) && !m.accepts(hi + 0.5), "{m}");
        assert!(!m.accepts(f64::NAN) && !m.accepts(f64::INFINITY), "{m}");
        assert_eq!(m.is_switch(), (lo, hi) == (0.0, 1.0), "{m}");
        assert_eq!(m.is_switch(), m.unit().is_empty(), "{m}");
    }
    assert_eq!(Metric::TemperatureC.range(), (-60.0, 200.0));
    assert_eq!(Metric::ResidualCurrentMa.range(), (0.0, 10_000.0));
    assert_eq!(Metric::GasLelPct.range(), (0.0, 100.0));
    assert_eq!(Metric::Gps.range(), (0.0, 250.0));
    assert!(Metric::TemperatureC.accepts(-20.0));
}

#[test]
fn which_kind_sends_which_metric() {
    use DeviceKind as K;
    use Metric as M;
    let allowed = |k: K| -> BTreeSet<Metric> {
        Metric::ALL
            .iter()
            .copied()
            .filter(|m| m.allowed_for(k))
            .collect()
    };
    let set = |ms: &[Metric]| -> BTreeSet<Metric> { ms.iter().copied().collect() };
    let base = [M::Heartbeat, M::Fault];
    let expect = |extra: &[Metric]| set(&[&base[..], extra].concat());
    assert_eq!(
        allowed(K::FirePanel),
        expect(&[M::Smoke, M::Fire, M::Alarm, M::TemperatureC])
    );
    assert_eq!(allowed(K::Smoke), expect(&[M::Smoke, M::TemperatureC]));
    assert_eq!(
        allowed(K::ElectricalFire),
        expect(&[M::ResidualCurrentMa, M::TemperatureC])
    );
    assert_eq!(allowed(K::Gas), expect(&[M::GasLelPct]));
    assert_eq!(allowed(K::WaterLevel), expect(&[M::WaterLevelCm]));
    assert_eq!(allowed(K::AccessGate), expect(&[M::Alarm]));
    assert_eq!(allowed(K::AlarmButton), expect(&[M::Alarm]));
    assert_eq!(allowed(K::Camera), expect(&[]));
    assert_eq!(allowed(K::BusGps), expect(&[M::Gps]));
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

/// A step with everything it could need, so that only the status decides.
fn full(kind: StepKind) -> Step {
    Step {
        kind,
        note: Some("电工已更换漏电断路器".into()),
        user_id: Some(7),
        reason: Some("测试按钮被误按".into()),
    }
}

#[test]
fn every_status_and_step() {
    use Status as S;
    use StepKind as K;
    // (from, step, to or None for illegal)
    let table: &[(Status, StepKind, Option<Status>)] = &[
        (S::Raised, K::Acknowledge, Some(S::Acknowledged)),
        (S::Raised, K::Dispatch, None),
        (S::Raised, K::Resolve, None),
        (S::Raised, K::FalseAlarm, Some(S::FalseAlarm)),
        (S::Acknowledged, K::Acknowledge, None),
        (S::Acknowledged, K::Dispatch, Some(S::Dispatched)),
        (S::Acknowledged, K::Resolve, Some(S::Resolved)),
        (S::Acknowledged, K::FalseAlarm, Some(S::FalseAlarm)),
        (S::Dispatched, K::Acknowledge, None),
        (S::Dispatched, K::Dispatch, Some(S::Dispatched)),
        (S::Dispatched, K::Resolve, Some(S::Resolved)),
        (S::Dispatched, K::FalseAlarm, Some(S::FalseAlarm)),
        (S::Resolved, K::Acknowledge, None),
        (S::Resolved, K::Dispatch, None),
        (S::Resolved, K::Resolve, None),
        (S::Resolved, K::FalseAlarm, None),
        (S::FalseAlarm, K::Acknowledge, None),
        (S::FalseAlarm, K::Dispatch, None),
        (S::FalseAlarm, K::Resolve, None),
        (S::FalseAlarm, K::FalseAlarm, None),
    ];
    assert_eq!(table.len(), Status::ALL.len() * StepKind::ALL.len());
    let pairs: BTreeSet<_> = table.iter().map(|(f, k, _)| (*f, *k)).collect();
    assert_eq!(pairs.len(), table.len(), "each pair once");
    for (from, kind, to) in table {
        let got = apply(*from, &full(*kind));
        match to {
            Some(to) => assert_eq!(got, Ok(*to), "{from} {kind}"),
            None => assert_eq!(
                got,
                Err(StepError::IllegalStep {
                    from: *from,
                    step: *kind
                }),
                "{from} {kind}"
            ),
        }
        assert_eq!(target(*from, *kind), *to, "{from} {kind}");
        assert_eq!(next_steps(*from).contains(kind), to.is_some());
        // Illegal beats missing data: the status is checked first.
        if to.is_none() {
            assert!(matches!(
                apply(*from, &Step::new(*kind)),
                Err(StepError::IllegalStep { .. })
            ));
        }
        // Every step from an open status stays within the set; final ones lead nowhere.
        if from.is_final() {
            assert!(to.is_none());
        }
    }
    assert_eq!(next_steps(S::Raised), [K::Acknowledge, K::FalseAlarm]);
    assert!(next_steps(S::Resolved).is_empty());
}

#[test]
fn acknowledging_needs_nothing() {
    assert_eq!(
        apply(Status::Raised, &Step::new(StepKind::Acknowledge)),
        Ok(Status::Acknowledged)
    );
}

#[test]
fn dispatch_needs_a_person() {
    let mut s = Step::new(StepKind::Dispatch);
    assert_eq!(apply(Status::Acknowledged, &s), Err(StepError::NeedsPerson));
    for bad in [0, -3] {
        s.user_id = Some(bad);
        assert_eq!(apply(Status::Acknowledged, &s), Err(StepError::NeedsPerson));
    }
    s.user_id = Some(9);
    assert_eq!(apply(Status::Acknowledged, &s), Ok(Status::Dispatched));
    // Sending someone else.
    s.user_id = Some(10);
    assert_eq!(apply(Status::Dispatched, &s), Ok(Status::Dispatched));
    // A note or reason does not stand in for the person.
    let mut s = full(StepKind::Dispatch);
    s.user_id = None;
    assert_eq!(apply(Status::Dispatched, &s), Err(StepError::NeedsPerson));
}

#[test]
fn resolving_needs_a_note_and_blank_is_missing() {
    for from in [Status::Acknowledged, Status::Dispatched] {
        let mut s = Step::new(StepKind::Resolve);
        assert_eq!(apply(from, &s), Err(StepError::NeedsNote));
        for blank in ["", "   ", "\n\t 　"] {
            s.note = Some(blank.into());
            assert_eq!(apply(from, &s), Err(StepError::NeedsNote), "{blank:?}");
        }
        // A reason is not a note.
        s.note = None;
        s.reason = Some("已处理".into());
        assert_eq!(apply(from, &s), Err(StepError::NeedsNote));
        s.note = Some("  已清理配电箱  ".into());
        assert_eq!(apply(from, &s), Ok(Status::Resolved));
        assert_eq!(s.note(), Some("已清理配电箱"));
    }
}

#[test]
fn a_false_alarm_needs_a_reason() {
    for from in [Status::Raised, Status::Acknowledged, Status::Dispatched] {
        let mut s = Step::new(StepKind::FalseAlarm);
        assert_eq!(apply(from, &s), Err(StepError::NeedsReason));
        s.reason = Some(" \t".into());
        assert_eq!(apply(from, &s), Err(StepError::NeedsReason));
        s.note = Some("现场无烟".into());
        assert_eq!(apply(from, &s), Err(StepError::NeedsReason));
        s.reason = Some(" 厨房蒸汽 ".into());
        assert_eq!(apply(from, &s), Ok(Status::FalseAlarm));
        assert_eq!(s.reason(), Some("厨房蒸汽"));
    }
}

#[test]
fn notes_and_reasons_are_limited_in_characters() {
    let at_limit = "烟".repeat(MAX_NOTE);
    let over = "烟".repeat(MAX_NOTE + 1);
    let mut s = full(StepKind::Resolve);
    s.note = Some(format!("  {at_limit}  "));
    assert_eq!(apply(Status::Dispatched, &s), Ok(Status::Resolved));
    s.note = Some(over.clone());
    assert_eq!(
        apply(Status::Dispatched, &s),
        Err(StepError::TooLong {
            field: "note",
            max: MAX_NOTE
        })
    );
    let mut s = full(StepKind::FalseAlarm);
    s.reason = Some(over.clone());
    let err = apply(Status::Raised, &s).unwrap_err();
    assert_eq!(err.field(), Some("reason"));
    assert_eq!(err.key(), "err.warning.too_long");
    // Also on a step that does not need it: whatever is given is stored.
    let mut s = Step::new(StepKind::Acknowledge);
    s.note = Some(over);
    assert!(matches!(
        apply(Status::Raised, &s),
        Err(StepError::TooLong { field: "note", .. })
    ));
}

#[test]
fn steps_read_from_the_api_body() {
    let s: Step = serde_json::from_str(r#"{"action": "dispatch", "user_id": 7}"#).unwrap();
    assert_eq!(s.kind, StepKind::Dispatch);
    assert_eq!(s.user_id, Some(7));
    assert!(serde_json::from_str::<Step>(r#"{"action": "close"}"#).is_err());
    assert!(serde_json::from_str::<Step>(r#"{"action": "resolve", "x": 1}"#).is_err());
    let back = serde_json::to_value(full(StepKind::Resolve)).unwrap();
    assert_eq!(back["action"], "resolve");
}

// ---------------------------------------------------------------------------------------------
// Evaluating readings
// ---------------------------------------------------------------------------------------------

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap()
}

fn sec(n: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(n)
}

fn rule(comparator: Comparator, value: f64, min_duration_s: u32, hysteresis: f64) -> Threshold {
    Threshold {
        kind: DeviceKind::ElectricalFire,
        metric: Metric::ResidualCurrentMa,
        comparator,
        value,
        level: Level::Orange,
        min_duration_s,
        hysteresis,
    }
}

/// Feeds `(second, value)` readings in turn and returns the outcomes and the last state.
fn feed(r: &Threshold, readings: &[(i64, f64)]) -> (Vec<Outcome>, RuleState) {
    let mut state = RuleState::default();
    let mut out = Vec::new();
    for (s, v) in readings {
        let (next, o) = evaluate(r, state, sec(*s), *v);
        state = next;
        out.push(o);
    }
    (out, state)
}

use Outcome::{Clear as C, Nothing as N, Raise as R};

#[test]
fn immediate_rules_raise_at_the_edge_value_and_not_below() {
    use Comparator as Cmp;
    let t = 300.0;
    // (comparator, at, just below, just above): whether that reading raises.
    let table = [
        (Cmp::Gt, N, N, R),
        (Cmp::Ge, R, N, R),
        (Cmp::Lt, N, R, N),
        (Cmp::Le, R, R, N),
        (Cmp::Eq, R, N, N),
        (Cmp::Ne, N, R, R),
    ];
    for (c, at, below, above) in table {
        let r = rule(c, t, 0, 0.0);
        for (v, want) in [(t, at), (t - 0.1, below), (t + 0.1, above)] {
            let (out, state) = feed(&r, &[(0, v)]);
            assert_eq!(out, [want], "{c} {v}");
            assert_eq!(state.active, want == R, "{c} {v}");
            assert_eq!(state.last_at, Some(t0()));
        }
    }
}

#[test]
fn without_hysteresis_the_first_safe_value_clears() {
    use Comparator as Cmp;
    let t = 300.0;
    // (comparator, a breaching value, the nearest value that still breaches, the first that
    // does not)
    let table = [
        (Cmp::Gt, 400.0, 300.1, 300.0),
        (Cmp::Ge, 400.0, 300.0, 299.9),
        (Cmp::Lt, 200.0, 299.9, 300.0),
        (Cmp::Le, 200.0, 300.0, 300.1),
        (Cmp::Eq, 300.0, 300.0, 300.1),
        (Cmp::Ne, 200.0, 300.1, 300.0),
    ];
    for (c, breach, still, safe) in table {
        let r = rule(c, t, 0, 0.0);
        let (out, state) = feed(&r, &[(0, breach), (1, still), (2, safe), (3, safe)]);
        assert_eq!(out, [R, N, C, N], "{c}");
        assert_eq!(
            state,
            RuleState {
                breach_since: None,
                active: false,
                last_at: Some(sec(3)),
            }
        );
    }
}

#[test]
fn hysteresis_holds_the_warning_until_far_enough_back() {
    use Comparator as Cmp;
    // Rising rules clear at threshold − hysteresis, falling ones at threshold + hysteresis.
    let table = [
        (Cmp::Ge, 500.0, [499.0, 450.1, 450.0]),
        (Cmp::Gt, 500.0, [500.0, 450.1, 450.0]),
        (Cmp::Le, 20.0, [21.0, 24.9, 25.0]),
        (Cmp::Lt, 20.0, [20.0, 24.9, 25.0]),
    ];
    for (c, t, [near, band, edge]) in table {
        let h = f64::abs(t - edge);
        let r = rule(c, t, 0, h);
        let breach = if matches!(c, Cmp::Ge | Cmp::Gt) {
            t + 10.0
        } else {
            t - 10.0
        };
        let (out, state) = feed(&r, &[(0, breach), (1, near), (2, band), (3, breach)]);
        assert_eq!(out, [R, N, N, N], "{c}: inside the band nothing happens");
        assert!(state.active);
        let (out, state) = feed(&r, &[(0, breach), (1, band), (2, edge)]);
        assert_eq!(out, [R, N, C], "{c}: at the edge it clears");
        assert!(!state.active && state.breach_since.is_none());
    }
    // Equality rules ignore the hysteresis.
    let r = rule(Cmp::Eq, 1.0, 0, 0.5);
    assert_eq!(feed(&r, &[(0, 1.0), (1, 0.9)]).0, [R, C]);
}

#[test]
fn min_duration_raises_only_once_it_has_passed() {
    let r = rule(Comparator::Ge, 300.0, 10, 30.0);
    let (out, state) = feed(&r, &[(0, 320.0), (5, 350.0), (9, 310.0), (10, 305.0)]);
    assert_eq!(out, [N, N, N, R]);
    assert_eq!(state.breach_since, Some(sec(0)));
    assert!(state.active);
    // A dip (even inside the hysteresis band: not active yet, so it only has to stop
    // breaching) starts the count again.
    let (out, state) = feed(
        &r,
        &[(0, 320.0), (8, 299.0), (9, 320.0), (18, 320.0), (19, 320.0)],
    );
    assert_eq!(out, [N, N, N, N, R]);
    assert_eq!(state.breach_since, Some(sec(9)));
    // Nothing at all held long enough without a second reading: the run is unbroken as far as
    // anyone knows, so a later breaching reading raises.
    let (out, _) = feed(&r, &[(0, 320.0), (600, 320.0)]);
    assert_eq!(out, [N, R]);
    let (out, state) = feed(&r, &[(0, 320.0), (3, 200.0)]);
    assert_eq!(out, [N, N]);
    assert_eq!(state.breach_since, None);
}

#[test]
fn raise_and_clear_come_once_each() {
    let r = rule(Comparator::Ge, 300.0, 0, 30.0);
    let (out, _) = feed(
        &r,
        &[
            (0, 310.0),
            (1, 400.0),
            (2, 500.0),
            (3, 280.0),
            (4, 260.0),
            (5, 250.0),
            (6, 100.0),
            (7, 310.0),
            (8, 320.0),
        ],
    );
    assert_eq!(out, [R, N, N, N, C, N, N, R, N]);
}

#[test]
fn readings_older_than_the_newest_are_ignored() {
    let r = rule(Comparator::Ge, 300.0, 10, 30.0);
    let (state, o) = evaluate(&r, RuleState::default(), sec(20), 320.0);
    assert_eq!(o, N);
    // A late reading from before: ignored whatever it says.
    for v in [320.0, 0.0] {
        let (same, o) = evaluate(&r, state, sec(5), v);
        assert_eq!((same, o), (state, N), "{v}");
    }
    // The same instant again counts.
    let (next, o) = evaluate(&r, state, sec(20), 0.0);
    assert_eq!(o, N);
    assert_eq!(next.breach_since, None);
    // Active, a stale safe reading does not clear.
    let active = RuleState {
        breach_since: Some(sec(0)),
        active: true,
        last_at: Some(sec(30)),
    };
    assert_eq!(evaluate(&r, active, sec(29), 0.0), (active, N));
    assert_eq!(evaluate(&r, active, sec(31), 0.0).1, C);
    // Not a number: ignored too.
    assert_eq!(evaluate(&r, active, sec(40), f64::NAN), (active, N));
}

#[test]
fn the_state_survives_a_round_trip_through_json() {
    let s = RuleState {
        breach_since: Some(sec(3)),
        active: true,
        last_at: Some(sec(9)),
    };
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<RuleState>(&json).unwrap(), s);
}

// ---------------------------------------------------------------------------------------------
// Defaults and rule checks
// ---------------------------------------------------------------------------------------------

#[test]
fn default_rules_validate_and_have_unique_codes() {
    let rules = default_thresholds();
    let mut codes = BTreeSet::new();
    for r in &rules {
        assert_eq!(r.validate(), Ok(()), "{}", r.code());
        assert!(codes.insert(r.code()), "duplicate {}", r.code());
        assert_ne!(r.metric, Metric::Gps, "gps is the bus module's");
    }
    let find = |code: &str| {
        rules
            .iter()
            .find(|r| r.code() == code)
            .unwrap_or_else(|| panic!("{code}"))
    };
    let r = find("electrical_fire.residual_current_ma.orange");
    assert_eq!(
        (r.comparator, r.value, r.min_duration_s, r.hysteresis),
        (Comparator::Ge, 300.0, 10, 30.0)
    );
    let r = find("electrical_fire.residual_current_ma.red");
    assert_eq!((r.value, r.min_duration_s, r.hysteresis), (500.0, 10, 50.0));
    let r = find("electrical_fire.temperature_c.orange");
    assert_eq!((r.value, r.min_duration_s, r.hysteresis), (70.0, 30, 5.0));
    let r = find("gas.gas_lel_pct.orange");
    assert_eq!((r.value, r.min_duration_s, r.hysteresis), (25.0, 5, 5.0));
    let r = find("gas.gas_lel_pct.red");
    assert_eq!((r.value, r.min_duration_s, r.hysteresis), (50.0, 0, 5.0));
    let r = find("water_level.water_level_cm.yellow");
    assert_eq!((r.value, r.min_duration_s, r.hysteresis), (150.0, 60, 10.0));
    let r = find("water_level.water_level_cm.orange");
    assert_eq!((r.value, r.min_duration_s, r.hysteresis), (200.0, 60, 10.0));
    for code in [
        "smoke.smoke.red",
        "fire_panel.fire.red",
        "alarm_button.alarm.red",
    ] {
        let r = find(code);
        assert_eq!((r.value, r.min_duration_s), (1.0, 0), "{code}");
    }
    // A fault on every kind: yellow on the fire panel, blue elsewhere.
    for kind in DeviceKind::ALL {
        let level = if *kind == DeviceKind::FirePanel {
            Level::Yellow
        } else {
            Level::Blue
        };
        find(&format!("{kind}.fault.{level}"));
    }
    // A smoke signal raises at once and a cleared one clears.
    let smoke = find("smoke.smoke.red");
    let (out, _) = feed(smoke, &[(0, 0.0), (1, 1.0), (2, 1.0), (3, 0.0)]);
    assert_eq!(out, [N, R, N, C]);
}

#[test]
fn rule_checks_name_each_field() {
    let good = rule(Comparator::Ge, 300.0, 10, 30.0);
    assert_eq!(good.validate(), Ok(()));
    let errs = |f: fn(&mut Threshold)| {
        let mut r = good.clone();
        f(&mut r);
        r.validate().err().unwrap_or_default()
    };
    assert_eq!(
        errs(|r| r.value = 10_001.0),
        [("value", "err.warning.value_range")]
    );
    assert_eq!(
        errs(|r| r.value = -1.0),
        [("value", "err.warning.value_range")]
    );
    assert_eq!(
        errs(|r| r.value = f64::NAN),
        [("value", "err.warning.value_range")]
    );
    assert!(errs(|r| r.value = 10_000.0).is_empty());
    assert_eq!(
        errs(|r| r.kind = DeviceKind::Gas),
        [("metric", "err.warning.metric_kind")]
    );
    for h in [-0.1, f64::NAN, f64::INFINITY, 10_000.0] {
        let mut r = good.clone();
        r.hysteresis = h;
        assert_eq!(
            r.validate(),
            Err(vec![("hysteresis", "err.warning.hysteresis")]),
            "{h}"
        );
    }
    assert!(errs(|r| r.hysteresis = 9_999.0).is_empty());
    assert!(errs(|r| r.hysteresis = 0.0).is_empty());
    assert!(errs(|r| r.min_duration_s = 86_400).is_empty());
    assert_eq!(
        errs(|r| r.min_duration_s = 86_401),
        [("min_duration_s", "err.warning.min_duration")]
    );
    // Every problem at once, each once.
    let bad = Threshold {
        kind: DeviceKind::Camera,
        metric: Metric::GasLelPct,
        comparator: Comparator::Ge,
        value: 101.0,
        level: Level::Red,
        min_duration_s: 100_000,
        hysteresis: 100.0,
    };
    let fields: Vec<&str> = bad.validate().unwrap_err().iter().map(|e| e.0).collect();
    assert_eq!(fields, ["value", "metric", "hysteresis", "min_duration_s"]);
    for (_, key) in bad.validate().unwrap_err() {
        assert!(ERROR_KEYS.contains(&key), "{key}");
    }
    // Temperatures below zero are in range.
    let mut cold = good.clone();
    cold.metric = Metric::TemperatureC;
    cold.comparator = Comparator::Le;
    cold.value = -10.0;
    cold.hysteresis = 2.0;
    assert_eq!(cold.validate(), Ok(()));
}

#[test]
fn threshold_json_round_trip() {
    for r in default_thresholds() {
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Threshold>(&json).unwrap(), r);
    }
    let r: Threshold = serde_json::from_str(
        r#"{"kind":"gas","metric":"gas_lel_pct","comparator":"ge","value":25,"level":"orange","min_duration_s":5,"hysteresis":5}"#,
    )
    .unwrap();
    assert_eq!(r.code(), "gas.gas_lel_pct.orange");
}

#[test]
fn offline_limits_and_levels() {
    use DeviceKind as K;
    let minutes: Vec<(K, u32)> = K::ALL
        .iter()
        .map(|k| (*k, default_offline_minutes(*k)))
        .collect();
    assert_eq!(
        minutes,
        [
            (K::FirePanel, 10),
            (K::Smoke, 30),
            (K::ElectricalFire, 30),
            (K::Gas, 30),
            (K::WaterLevel, 60),
            (K::AccessGate, 30),
            (K::AlarmButton, 60),
            (K::Camera, 15),
            (K::BusGps, 10),
        ]
    );
    for k in K::ALL {
        let yellow = matches!(k, K::FirePanel | K::AlarmButton | K::Gas);
        let want = if yellow { Level::Yellow } else { Level::Blue };
        assert_eq!(offline_level(*k), want, "{k}");
    }
}

#[test]
fn hazard_deadlines_by_level() {
    assert_eq!(default_hazard_after_hours(Level::Red), Some(4));
    assert_eq!(default_hazard_after_hours(Level::Orange), Some(24));
    assert_eq!(default_hazard_after_hours(Level::Yellow), None);
    assert_eq!(default_hazard_after_hours(Level::Blue), None);
    // Exactly the levels that need a person.
    for l in Level::ALL {
        assert_eq!(
            default_hazard_after_hours(*l).is_some(),
            l.needs_person_to_resolve()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Risk index
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_school_scores_zero() {
    let (i, level, parts) = risk_index(&IndexInputs::default(), &IndexWeights::default());
    assert_eq!((i, level), (0, Level::Blue));
    assert_eq!(
        parts,
        IndexParts {
            grades: 0.0,
            hazards: 0.0,
            overdue: 0.0,
            missed_checks: 0.0,
            warnings: 0.0,
        }
    );
    let w = IndexWeights::default();
    assert_eq!(
        (w.grades, w.hazards, w.overdue, w.missed_checks, w.warnings),
        (30.0, 20.0, 20.0, 10.0, 20.0)
    );
}

#[test]
fn the_parts_follow_their_formulas() {
    let inputs = IndexInputs {
        points: 50,
        red_points: 1,
        orange_points: 5,
        yellow_points: 15,
        open_hazards: 3,
        major_open_hazards: 1,
        overdue_hazards: 1,
        missed_checks: 1,
        checks_due: 3,
        open_red_warnings: 0,
        open_orange_warnings: 1,
        open_yellow_warnings: 2,
        open_blue_warnings: 1,
    };
    let (i, level, p) = risk_index(&inputs, &IndexWeights::default());
    // (4 + 10 + 15) / 50 = 0.58; (3 + 2) / 10; 1 / 3; 1 / 3; (25 + 20 + 3) / 100.
    assert_eq!(
        p,
        IndexParts {
            grades: 58.0,
            hazards: 50.0,
            overdue: 33.3,
            missed_checks: 33.3,
            warnings: 48.0,
        }
    );
    // (30·58 + 20·50 + 20·33.3 + 10·33.3 + 20·48) / 100 = 46.99.
    assert_eq!((i, level), (47, Level::Yellow));
    // Saturation.
    let full = IndexInputs {
        points: 4,
        red_points: 1,
        open_hazards: 10,
        overdue_hazards: 3,
        missed_checks: 5,
        checks_due: 2,
        open_red_warnings: 2,
        ..Default::default()
    };
    let (i, level, p) = risk_index(&full, &IndexWeights::default());
    assert_eq!((i, level), (100, Level::Red));
    assert_eq!(p.grades, 100.0);
    assert_eq!(p.missed_checks, 100.0);
    // Graded points without a point count: the graded ones are the base.
    let (_, _, p) = risk_index(
        &IndexInputs {
            yellow_points: 3,
            ..Default::default()
        },
        &IndexWeights::default(),
    );
    assert_eq!(p.grades, 100.0);
}

#[test]
fn index_levels_at_their_edges() {
    for (i, want) in [
        (0, Level::Blue),
        (24, Level::Blue),
        (25, Level::Yellow),
        (49, Level::Yellow),
        (50, Level::Orange),
        (74, Level::Orange),
        (75, Level::Red),
        (100, Level::Red),
    ] {
        assert_eq!(index_level(i), want, "{i}");
    }
}

#[test]
fn weights() {
    let inputs = IndexInputs {
        overdue_hazards: 3,
        open_blue_warnings: 10,
        ..Default::default()
    };
    // All zero (or unusable): nothing to weigh, 0.
    for w in [0.0, -5.0, f64::NAN] {
        let weights = IndexWeights {
            grades: w,
            hazards: w,
            overdue: w,
            missed_checks: w,
            warnings: w,
        };
        assert_eq!(risk_index(&inputs, &weights).0, 0, "{w}");
    }
    // One weight: the index is that part.
    let only = |overdue, warnings| IndexWeights {
        grades: 0.0,
        hazards: 0.0,
        overdue,
        missed_checks: 0.0,
        warnings,
    };
    assert_eq!(risk_index(&inputs, &only(1.0, 0.0)).0, 100);
    assert_eq!(risk_index(&inputs, &only(0.0, 7.0)).0, 30);
    // Only the ratio matters, however large.
    assert_eq!(risk_index(&inputs, &only(1.0, 1.0)).0, 65);
    assert_eq!(risk_index(&inputs, &only(f64::MAX, f64::MAX)).0, 65);
    assert_eq!(risk_index(&inputs, &only(f64::MAX, 0.0)).0, 100);
}

fn inputs_strategy() -> impl Strategy<Value = IndexInputs> {
    (
        prop::array::uniform8(0u32..60),
        prop::array::uniform5(0u32..12),
    )
        .prop_map(|(a, b)| IndexInputs {
            points: a[0],
            red_points: a[1] / 6,
            orange_points: a[2] / 3,
            yellow_points: a[3],
            open_hazards: a[4] / 4,
            major_open_hazards: a[5] / 20,
            overdue_hazards: a[6] / 15,
            missed_checks: a[7] / 5,
            checks_due: b[0],
            open_red_warnings: b[1] / 5,
            open_orange_warnings: b[2] / 4,
            open_yellow_warnings: b[3] / 2,
            open_blue_warnings: b[4],
        })
}

fn weights_strategy() -> impl Strategy<Value = IndexWeights> {
    prop::array::uniform5(prop_oneof![Just(0.0), 0.0..50.0f64]).prop_map(|w| IndexWeights {
        grades: w[0],
        hazards: w[1],
        overdue: w[2],
        missed_checks: w[3],
        warnings: w[4],
    })
}

/// Each count by name, to raise one at a time.
fn counts(i: &mut IndexInputs) -> [(&'static str, &mut u32); 13] {
    [
        ("points", &mut i.points),
        ("red_points", &mut i.red_points),
        ("orange_points", &mut i.orange_points),
        ("yellow_points", &mut i.yellow_points),
        ("open_hazards", &mut i.open_hazards),
        ("major_open_hazards", &mut i.major_open_hazards),
        ("overdue_hazards", &mut i.overdue_hazards),
        ("missed_checks", &mut i.missed_checks),
        ("checks_due", &mut i.checks_due),
        ("open_red_warnings", &mut i.open_red_warnings),
        ("open_orange_warnings", &mut i.open_orange_warnings),
        ("open_yellow_warnings", &mut i.open_yellow_warnings),
        ("open_blue_warnings", &mut i.open_blue_warnings),
    ]
}

proptest! {
    #[test]
    fn more_of_a_count_never_lowers_the_index(
        inputs in inputs_strategy(),
        w in weights_strategy(),
        field in 0usize..13,
        extra in 1u32..20,
    ) {
        let (before, level_before, parts_before) = risk_index(&inputs, &w);
        prop_assert!(before <= 100);
        prop_assert_eq!(level_before, index_level(before));
        for p in [parts_before.grades, parts_before.hazards, parts_before.overdue,
                  parts_before.missed_checks, parts_before.warnings] {
            prop_assert!((0.0..=100.0).contains(&p));
            prop_assert_eq!(p, (p * 10.0).round() / 10.0);
        }
        let mut more = inputs;
        let name = {
            let mut c = counts(&mut more);
            let (name, n) = &mut c[field];
            **n += extra;
            *name
        };
        let (after, level_after, _) = risk_index(&more, &w);
        if matches!(name, "points" | "checks_due") {
            // The bases of a share: more of them can only dilute it.
            prop_assert!(after <= before, "{}: {} -> {}", name, before, after);
        } else {
            prop_assert!(after >= before, "{}: {} -> {}", name, before, after);
            prop_assert!(level_after.at_least(level_before));
        }
    }

    #[test]
    fn the_index_is_a_weighted_mean_of_its_parts(
        inputs in inputs_strategy(),
        w in weights_strategy(),
    ) {
        let (i, _, p) = risk_index(&inputs, &w);
        let parts = [p.grades, p.hazards, p.overdue, p.missed_checks, p.warnings];
        let ws = [w.grades, w.hazards, w.overdue, w.missed_checks, w.warnings];
        let total: f64 = ws.iter().sum();
        if total == 0.0 {
            prop_assert_eq!(i, 0);
        } else {
            let lo = parts.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = parts.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(f64::from(i) >= lo.round() - 1.0 && f64::from(i) <= hi.round() + 1.0);
            let mean = ws.iter().zip(parts).map(|(w, p)| w * p).sum::<f64>() / total;
            prop_assert!((f64::from(i) - mean).abs() <= 0.5 + 1e-9);
        }
    }
}
