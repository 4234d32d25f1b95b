use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;

fn lec(l: f64, e: f64, c: f64) -> AssessmentInput {
    AssessmentInput::Lec { l, e, c }
}

fn eval(input: &AssessmentInput) -> Result<Evaluation, RiskError> {
    evaluate(input, &LecBands::default())
}

/// The float tables of domain.md §1.3, written out independently of the tenths tables.
const L_F: [f64; 7] = [10.0, 6.0, 3.0, 1.0, 0.5, 0.2, 0.1];
const E_F: [f64; 6] = [10.0, 6.0, 3.0, 2.0, 1.0, 0.5];
const C_F: [f64; 6] = [100.0, 40.0, 15.0, 7.0, 3.0, 1.0];

/// The band rule written directly from the brief, on floats, as an oracle.
fn oracle(d: f64) -> (Grade, &'static str) {
    let eps = 1e-9;
    if d > 320.0 + eps {
        (Grade::Major, "extreme")
    } else if d >= 160.0 - eps {
        (Grade::Significant, "high")
    } else if d >= 70.0 - eps {
        (Grade::General, "notable")
    } else if d >= 20.0 - eps {
        (Grade::Low, "attention")
    } else {
        (Grade::Low, "acceptable")
    }
}

#[test]
fn tables_match_the_brief() {
    for (f, floats) in [
        (Factor::L, &L_F[..]),
        (Factor::E, &E_F[..]),
        (Factor::C, &C_F[..]),
    ] {
        let got: Vec<f64> = LecValue::all(f).map(LecValue::as_f64).collect();
        assert_eq!(got, floats, "{f:?}");
    }
    assert_eq!(Factor::L.allowed(), "10, 6, 3, 1, 0.5, 0.2, 0.1");
    assert_eq!(Factor::E.allowed(), "10, 6, 3, 2, 1, 0.5");
    assert_eq!(Factor::C.allowed(), "100, 40, 15, 7, 3, 1");
    // Label keys name the value: lec.l.0_5 for 0.5.
    for f in Factor::ALL {
        for v in LecValue::all(f) {
            let expected = format!("lec.{}.{}", f.field(), v.to_string().replace('.', "_"));
            assert_eq!(v.label_key(), expected);
        }
    }
}

#[test]
fn every_lec_combination() {
    let mut n = 0;
    for l in L_F {
        for e in E_F {
            for c in C_F {
                let ev = eval(&lec(l, e, c)).expect("table values are valid");
                let d = l * e * c;
                let score = ev.score.expect("LEC has a score");
                assert!((score - d).abs() < 1e-9, "{l}×{e}×{c}: {score} ≠ {d}");
                let (grade, band) = oracle(d);
                assert_eq!(ev.grade, grade, "{l}×{e}×{c} = {d}");
                assert_eq!(ev.raw_band.as_deref(), Some(band), "{l}×{e}×{c} = {d}");
                assert_eq!(ev.color, grade.color());
                assert_eq!(ev.method, Method::Lec);
                // The exact score agrees with the float product.
                let exact = lec_score(
                    LecValue::parse(Factor::L, l).unwrap(),
                    LecValue::parse(Factor::E, e).unwrap(),
                    LecValue::parse(Factor::C, c).unwrap(),
                );
                assert_eq!(exact.milli(), (d * 1000.0).round() as u32);
                n += 1;
            }
        }
    }
    assert_eq!(n, 7 * 6 * 6);
}

#[test]
fn lec_edges() {
    // (L, E, C, D, grade, raw band)
    let cases = [
        (1.0, 10.0, 7.0, 70.0, Grade::General, "notable"), // on the 70 edge
        (10.0, 1.0, 7.0, 70.0, Grade::General, "notable"),
        (3.0, 3.0, 7.0, 63.0, Grade::Low, "attention"), // just below 70
        (10.0, 2.0, 1.0, 20.0, Grade::Low, "attention"), // on the 20 edge
        (1.0, 0.5, 40.0, 20.0, Grade::Low, "attention"),
        (6.0, 3.0, 1.0, 18.0, Grade::Low, "acceptable"), // just below 20
        (10.0, 1.0, 15.0, 150.0, Grade::General, "notable"), // just below 160
        (10.0, 6.0, 3.0, 180.0, Grade::Significant, "high"), // just above 160
        (6.0, 2.0, 15.0, 180.0, Grade::Significant, "high"),
        (10.0, 10.0, 3.0, 300.0, Grade::Significant, "high"), // just below 320
        (3.0, 3.0, 40.0, 360.0, Grade::Major, "extreme"),     // just above 320
        (10.0, 6.0, 7.0, 420.0, Grade::Major, "extreme"),
        (6.0, 6.0, 7.0, 252.0, Grade::Significant, "high"), // the API example
        (10.0, 10.0, 100.0, 10_000.0, Grade::Major, "extreme"),
        (0.1, 0.5, 1.0, 0.05, Grade::Low, "acceptable"),
    ];
    for (l, e, c, d, grade, band) in cases {
        let ev = eval(&lec(l, e, c)).unwrap();
        assert_eq!(ev.score, Some(d), "{l}×{e}×{c}");
        assert_eq!(ev.grade, grade, "{l}×{e}×{c}");
        assert_eq!(ev.raw_band.as_deref(), Some(band), "{l}×{e}×{c}");
    }
    // 160 and 320 cannot occur with the standard tables; 70 and 20 can.
    let products: Vec<u32> = LecValue::all(Factor::L)
        .flat_map(|l| LecValue::all(Factor::E).map(move |e| (l, e)))
        .flat_map(|(l, e)| LecValue::all(Factor::C).map(move |c| lec_score(l, e, c).0))
        .collect();
    for (d, occurs) in [(160, false), (320, false), (70, true), (20, true)] {
        assert_eq!(products.contains(&(d * 1000)), occurs, "D = {d}");
    }
}

#[test]
fn bound_strictness_applies_on_the_edge() {
    let d70 = LecScore::whole(70);
    let defaults = LecBands::default();
    assert_eq!(defaults.grade(d70), Grade::General);
    let lower = LecBands::new(
        defaults.major(),
        defaults.significant(),
        Bound::Above(LecScore::whole(70)),
        Bound::Above(LecScore::whole(20)),
    )
    .unwrap();
    assert_eq!(lower.grade(d70), Grade::Low);
    assert_eq!(lower.raw_band(LecScore::whole(20)), LecBand::Acceptable);
    assert_eq!(defaults.grade(LecScore::whole(320)), Grade::Significant);
    assert_eq!(defaults.grade(LecScore::from_milli(320_001)), Grade::Major);
    assert_eq!(defaults.grade(LecScore::whole(160)), Grade::Significant);
    assert_eq!(
        defaults.grade(LecScore::from_milli(159_999)),
        Grade::General
    );
}

#[test]
fn invalid_lec_values_are_refused() {
    let cases = [
        (lec(4.0, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(7.0, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(0.3, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(0.0, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(f64::NAN, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(f64::INFINITY, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(-6.0, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(100.0, 6.0, 7.0), "err.risk.l_value", "l"),
        (lec(6.0, 7.0, 7.0), "err.risk.e_value", "e"),
        (lec(6.0, 0.1, 7.0), "err.risk.e_value", "e"),
        (lec(6.0, -1.0, 7.0), "err.risk.e_value", "e"),
        (lec(6.0, f64::NAN, 7.0), "err.risk.e_value", "e"),
        (lec(6.0, 6.0, 50.0), "err.risk.c_value", "c"),
        (lec(6.0, 6.0, 10.0), "err.risk.c_value", "c"),
        (lec(6.0, 6.0, 0.5), "err.risk.c_value", "c"),
        (lec(6.0, 6.0, -7.0), "err.risk.c_value", "c"),
        (lec(6.0, 6.0, 1e300), "err.risk.c_value", "c"),
    ];
    for (input, key, field) in cases {
        let err = eval(&input).expect_err(&format!("{input:?}"));
        assert_eq!(err.key, key, "{input:?}");
        assert_eq!(err.field, field, "{input:?}");
    }
    let err = LecValue::parse(Factor::L, 4.0).unwrap_err();
    assert_eq!(
        err.detail,
        "L = 4 is not a value of the LEC table; allowed: 10, 6, 3, 1, 0.5, 0.2, 0.1"
    );
    let err = LecValue::parse(Factor::C, 50.0).unwrap_err();
    assert!(
        err.detail.contains("100, 40, 15, 7, 3, 1"),
        "{}",
        err.detail
    );
    // Nearly-exact floats from arithmetic are fine; whole-number spellings too.
    assert_eq!(
        LecValue::parse(Factor::L, 0.1 + 0.2 + 0.2)
            .unwrap()
            .tenths(),
        5
    );
    assert_eq!(LecValue::parse(Factor::C, 7.0).unwrap().to_string(), "7");
}

/// (band set, rows L = 1…5, columns S = 1…5; M major, s significant, g general, l low),
/// written out by hand from domain.md §1.4.
const LS_GRIDS: [(BandSet, [&str; 5]); 3] = [
    (BandSet::A, ["lllll", "llllg", "llggs", "llgsM", "lgsMM"]),
    (BandSet::B, ["lllgg", "lgggs", "lgsss", "ggssM", "gssMM"]),
    (BandSet::C, ["lllgg", "lgggs", "lggss", "ggssM", "gssMM"]),
];

#[test]
fn every_ls_pair_for_every_band_set() {
    let mut n = 0;
    for (set, rows) in LS_GRIDS {
        for (li, row) in rows.iter().enumerate() {
            for (si, ch) in row.chars().enumerate() {
                let (l, s) = (li as u8 + 1, si as u8 + 1);
                let expected = match ch {
                    'M' => Grade::Major,
                    's' => Grade::Significant,
                    'g' => Grade::General,
                    _ => Grade::Low,
                };
                let ev = eval(&AssessmentInput::Ls {
                    l,
                    s,
                    band_set: set,
                })
                .unwrap();
                assert_eq!(ev.score, Some(f64::from(l * s)));
                assert_eq!(ev.grade, expected, "set {set}, L {l}, S {s}");
                assert_eq!(ev.color, expected.color());
                assert_eq!(ev.method, Method::Ls);
                assert_eq!(ev.raw_band, None);
                n += 1;
            }
        }
    }
    assert_eq!(n, 75);
}

#[test]
fn ls_tables_cover_every_product_once() {
    let products: Vec<u8> = (1..=5).flat_map(|l| (1..=5).map(move |s| l * s)).collect();
    for set in BandSet::ALL {
        for r in &products {
            let hits: Vec<Grade> = set
                .ranges()
                .iter()
                .filter(|(_, lo, hi)| (lo..=hi).contains(&r))
                .map(|(g, _, _)| *g)
                .collect();
            assert_eq!(hits, vec![set.grade(*r)], "set {set}, R {r}");
        }
    }
}

#[test]
fn invalid_ls_values_are_refused() {
    for (l, s, field) in [
        (0, 3, "l"),
        (6, 3, "l"),
        (3, 0, "s"),
        (3, 6, "s"),
        (255, 1, "l"),
    ] {
        let err = eval(&AssessmentInput::Ls {
            l,
            s,
            band_set: BandSet::A,
        })
        .unwrap_err();
        assert_eq!(err.key, "err.risk.ls_range");
        assert_eq!(err.field, field);
        assert!(err.detail.contains("1 to 5"), "{}", err.detail);
    }
}

#[test]
fn direct_judgement() {
    let ev = eval(&AssessmentInput::Direct {
        grade: Grade::Major,
        reason: "  MoE major-hazard list item 3 present  ".into(),
    })
    .unwrap();
    assert_eq!(
        ev,
        Evaluation {
            method: Method::Direct,
            score: None,
            grade: Grade::Major,
            color: Color::Red,
            raw_band: None,
        }
    );
    for reason in ["", "   ", "\n\t "] {
        let err = eval(&AssessmentInput::Direct {
            grade: Grade::Low,
            reason: reason.into(),
        })
        .unwrap_err();
        assert_eq!(err.key, "err.risk.reason_required");
        assert_eq!(err.field, "reason");
    }
    // 500 characters (multi-byte) pass; 501 do not.
    assert_eq!(
        check_reason(&"险".repeat(500)).unwrap().chars().count(),
        500
    );
    let err = check_reason(&"险".repeat(501)).unwrap_err();
    assert_eq!(err.key, "err.risk.reason_too_long");
    assert_eq!(check_reason("  ok \n").unwrap(), "ok");
}

#[test]
fn api_bodies_parse() {
    let parse = |s: &str| serde_json::from_str::<AssessmentInput>(s);
    assert_eq!(
        parse(r#"{"method":"LEC","l":6,"e":6,"c":7}"#).unwrap(),
        lec(6.0, 6.0, 7.0)
    );
    assert_eq!(
        parse(r#"{"method":"LEC","l":0.5,"e":10,"c":15}"#).unwrap(),
        lec(0.5, 10.0, 15.0)
    );
    assert_eq!(
        parse(r#"{"method":"LS","l":4,"s":4}"#).unwrap(),
        AssessmentInput::Ls {
            l: 4,
            s: 4,
            band_set: BandSet::A
        }
    );
    assert_eq!(
        parse(r#"{"method":"LS","l":4,"s":4,"band_set":"B"}"#).unwrap(),
        AssessmentInput::Ls {
            l: 4,
            s: 4,
            band_set: BandSet::B
        }
    );
    assert_eq!(
        parse(r#"{"method":"DIRECT","grade":"major","reason":"临水无护栏"}"#).unwrap(),
        AssessmentInput::Direct {
            grade: Grade::Major,
            reason: "临水无护栏".into()
        }
    );
    // The field order does not matter, the tag may come last.
    assert!(parse(r#"{"l":6,"e":6,"c":7,"method":"LEC"}"#).is_ok());
    for bad in [
        r#"{"method":"LEC","l":6,"e":6,"c":7,"x":1}"#,
        r#"{"method":"LEC","l":6,"e":6,"c":7,"band_set":"A"}"#,
        r#"{"method":"LS","l":4,"s":4,"c":7}"#,
        r#"{"method":"DIRECT","grade":"major","reason":"r","score":3}"#,
        r#"{"method":"LS","l":4,"s":4,"band_set":"D"}"#,
        r#"{"method":"LS","l":4.5,"s":4}"#,
        r#"{"method":"LS","l":-1,"s":4}"#,
        r#"{"method":"LS","l":4}"#,
        r#"{"method":"DIRECT","grade":"red","reason":"r"}"#,
        r#"{"method":"lec","l":6,"e":6,"c":7}"#,
        r#"{"method":"SCL"}"#,
        r#"{"l":6,"e":6,"c":7}"#,
    ] {
        assert!(parse(bad).is_err(), "{bad} should be refused");
    }
}

#[test]
fn inputs_and_results_serialise() {
    let input = AssessmentInput::Ls {
        l: 4,
        s: 4,
        band_set: BandSet::C,
    };
    let json = serde_json::to_value(&input).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"method":"LS","l":4,"s":4,"band_set":"C"})
    );
    assert_eq!(
        serde_json::from_value::<AssessmentInput>(json).unwrap(),
        input
    );
    let ev = eval(&lec(6.0, 6.0, 7.0)).unwrap();
    assert_eq!(
        serde_json::to_value(&ev).unwrap(),
        serde_json::json!({
            "method": "LEC", "score": 252.0, "grade": "significant",
            "color": "orange", "raw_band": "high"
        })
    );
    assert_eq!(input.method(), Method::Ls);
    assert_eq!(Method::Lec.as_str(), "LEC");
    assert_eq!(Method::parse("DIRECT"), Some(Method::Direct));
}

#[test]
fn lec_bands_as_config() {
    let default: LecBands = toml::from_str("").unwrap();
    assert_eq!(default, LecBands::default());
    let text = "major = { above = 320 }\nsignificant = { from = 160 }\n\
                general = { from = 70 }\nattention = { from = 20 }\n";
    assert_eq!(
        toml::from_str::<LecBands>(text).unwrap(),
        LecBands::default()
    );
    // Only one edge changed: the rest keep their defaults.
    let lower: LecBands = toml::from_str("general = { above = 70 }").unwrap();
    assert_eq!(lower.general(), Bound::Above(LecScore::whole(70)));
    assert_eq!(lower.major(), LecBands::default().major());
    // Round trip.
    let json = serde_json::to_string(&LecBands::default()).unwrap();
    assert_eq!(
        json,
        r#"{"major":{"above":320.0},"significant":{"from":160.0},"general":{"from":70.0},"attention":{"from":20.0}}"#
    );
    assert_eq!(
        serde_json::from_str::<LecBands>(&json).unwrap(),
        LecBands::default()
    );
    // Not strictly decreasing, zero, negative, unknown keys: refused.
    for bad in [
        "general = { from = 160 }",
        "general = { from = 200 }",
        "attention = { from = 0 }",
        "attention = { from = -5 }",
        "major = { above = 320.0001 }",
        "minor = { from = 5 }",
        "major = 320",
    ] {
        assert!(toml::from_str::<LecBands>(bad).is_err(), "{bad}");
    }
    let err = LecBands::new(
        Bound::Above(LecScore::whole(100)),
        Bound::From(LecScore::whole(160)),
        Bound::From(LecScore::whole(70)),
        Bound::From(LecScore::whole(20)),
    )
    .unwrap_err();
    assert_eq!(err.key, "err.risk.lec_bands");
    assert!(err.detail.contains("100, 160, 70, 20"), "{}", err.detail);
    // Fractional edges are exact.
    let frac: LecBands = toml::from_str("attention = { from = 17.5 }").unwrap();
    assert_eq!(frac.attention().value(), LecScore::from_milli(17_500));
    assert_eq!(frac.attention().value().to_string(), "17.5");
}

#[test]
fn scores_format_exactly() {
    assert_eq!(LecScore::from_milli(50).to_string(), "0.05");
    assert_eq!(LecScore::from_milli(420_000).to_string(), "420");
    assert_eq!(LecScore::from_milli(22_500).to_string(), "22.5");
    assert_eq!(LecScore::from_f64(0.05), Some(LecScore::from_milli(50)));
    assert_eq!(LecScore::from_f64(-1.0), None);
    assert_eq!(LecScore::from_f64(f64::NAN), None);
    assert_eq!(LecScore::from_f64(0.0001), None);
}

#[test]
fn grades_order_by_rank() {
    let mut by_rank = Grade::ALL.to_vec();
    by_rank.sort_by_key(|g| g.rank());
    assert_eq!(
        by_rank,
        [Grade::Low, Grade::General, Grade::Significant, Grade::Major]
    );
    let mut by_ord = Grade::ALL.to_vec();
    by_ord.sort();
    assert_eq!(by_ord, by_rank, "derived Ord agrees with rank");
    assert!(Grade::Major > Grade::Significant && Grade::General > Grade::Low);
    assert_eq!(
        Grade::DESCENDING.iter().rev().copied().collect::<Vec<_>>(),
        by_rank
    );
    let mut levels = ControlLevel::ALL.to_vec();
    levels.sort();
    assert_eq!(
        levels.iter().map(|l| l.rank()).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        ControlLevel::DESCENDING
            .iter()
            .rev()
            .copied()
            .collect::<Vec<_>>(),
        levels
    );
}

#[test]
fn max_grade_picks_the_highest() {
    assert_eq!(max_grade([]), None);
    assert_eq!(max_grade([Grade::Low]), Some(Grade::Low));
    assert_eq!(
        max_grade([Grade::General, Grade::Major, Grade::Low]),
        Some(Grade::Major)
    );
    assert_eq!(
        max_grade(vec![Grade::Low, Grade::Significant, Grade::General]),
        Some(Grade::Significant)
    );
}

#[test]
fn colours() {
    let pairs = [
        (Grade::Major, Color::Red, "#E53935"),
        (Grade::Significant, Color::Orange, "#FB8C00"),
        (Grade::General, Color::Yellow, "#FDD835"),
        (Grade::Low, Color::Blue, "#1E88E5"),
    ];
    for (g, c, hex) in pairs {
        assert_eq!(g.color(), c);
        assert_eq!(c.grade(), g);
        assert_eq!(c.hex(), hex);
    }
    // WCAG 2 contrast: the ink is the better of black and white, and at least 4.5:1.
    fn luminance(hex: &str) -> f64 {
        let ch = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5)
    }
    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }
    for c in Color::ALL {
        let ink = contrast(c.hex(), c.ink());
        let other = if c.ink() == "#000000" {
            "#FFFFFF"
        } else {
            "#000000"
        };
        assert!(ink >= 4.5, "{c}: {ink:.2}");
        assert!(ink >= contrast(c.hex(), other), "{c}");
    }
}

#[test]
fn control_levels() {
    assert_eq!(default_control_level(Grade::Major), ControlLevel::Bureau);
    assert_eq!(
        default_control_level(Grade::Significant),
        ControlLevel::School
    );
    assert_eq!(
        default_control_level(Grade::General),
        ControlLevel::Department
    );
    assert_eq!(default_control_level(Grade::Low), ControlLevel::Post);
    assert_eq!(
        ControlLevel::Bureau.and_below(),
        &ControlLevel::DESCENDING[..]
    );
    assert_eq!(
        ControlLevel::Department.and_below(),
        &[
            ControlLevel::Department,
            ControlLevel::Group,
            ControlLevel::Post
        ]
    );
    assert_eq!(ControlLevel::Post.and_below(), &[ControlLevel::Post]);
    // Swappable by config, but a higher grade never gets a lower level.
    let cfg: ControlLevels = toml::from_str("general = \"group\"").unwrap();
    assert_eq!(cfg.level(Grade::General), ControlLevel::Group);
    assert_eq!(cfg.level(Grade::Major), ControlLevel::Bureau);
    let err = toml::from_str::<ControlLevels>("major = \"post\"").unwrap_err();
    assert!(err.to_string().contains("higher level"), "{err}");
    assert_eq!(
        ControlLevels::new(
            ControlLevel::School,
            ControlLevel::Bureau,
            ControlLevel::Department,
            ControlLevel::Post
        )
        .unwrap_err()
        .key,
        "err.risk.control_levels"
    );
    assert!(toml::from_str::<ControlLevels>("minor = \"post\"").is_err());
}

#[test]
fn review_dates() {
    let p = ReviewPolicy::default();
    let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    assert_eq!(
        p.next_review(d, Grade::Major),
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
    );
    assert_eq!(
        p.next_review(d, Grade::Significant),
        NaiveDate::from_ymd_opt(2025, 5, 30).unwrap()
    );
    assert_eq!(
        p.next_review(d, Grade::General),
        NaiveDate::from_ymd_opt(2025, 8, 28).unwrap()
    );
    assert_eq!(
        p.next_review(d, Grade::Low),
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    );
    assert_eq!(p.next_review(NaiveDate::MAX, Grade::Low), NaiveDate::MAX);
    let due = p.next_review(d, Grade::Major);
    assert!(!is_overdue(due, due), "due today is not overdue");
    assert!(!is_overdue(due, d));
    assert!(is_overdue(due, due.succ_opt().unwrap()));
    // Config.
    let cfg: ReviewPolicy = toml::from_str("low_days = 180").unwrap();
    assert_eq!(cfg.days(Grade::Low), 180);
    assert_eq!(cfg.days(Grade::Major), 30);
    for bad in [
        "major_days = 0",
        "low_days = 4000",
        "major_days = 100",
        "weekly = 7",
    ] {
        assert!(toml::from_str::<ReviewPolicy>(bad).is_err(), "{bad}");
    }
    assert_eq!(
        ReviewPolicy::new(30, 20, 180, 365).unwrap_err().key,
        "err.risk.review_days"
    );
}

#[test]
fn catalogue_keys_are_listed() {
    let keys = catalogue_keys();
    for k in [
        "risk_grade.major",
        "risk_method.LEC",
        "ls_band_set.A",
        "lec_band.acceptable",
        "lec.l.0_1",
        "lec.e.0_5",
        "lec.c.100",
        "err.risk.ls_range",
        "check_frequency.half_month",
        "control_level.bureau",
    ] {
        assert!(keys.iter().any(|x| x == k), "{k}");
    }
    let unique: std::collections::BTreeSet<_> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "no duplicates");
    // Every error the module produces uses a listed key.
    let errors = [
        LecValue::parse(Factor::L, 4.0).unwrap_err(),
        LecValue::parse(Factor::E, 4.0).unwrap_err(),
        LecValue::parse(Factor::C, 4.0).unwrap_err(),
        ls_score(0, 1).unwrap_err(),
        check_reason("").unwrap_err(),
        check_reason(&"x".repeat(501)).unwrap_err(),
        ReviewPolicy::new(0, 1, 1, 1).unwrap_err(),
    ];
    for e in errors {
        assert!(ERROR_KEYS.contains(&e.key), "{}", e.key);
    }
}

fn any_lec() -> impl Strategy<Value = (usize, usize, usize)> {
    (0..L_VALUES.len(), 0..E_VALUES.len(), 0..C_VALUES.len())
}

/// Valid band edges: four distinct positive values in decreasing order, each strict or not.
fn any_bands() -> impl Strategy<Value = LecBands> {
    (
        proptest::collection::btree_set(1u32..=20_000_000, 4),
        proptest::array::uniform4(any::<bool>()),
    )
        .prop_map(|(set, strict)| {
            let v: Vec<u32> = set.into_iter().rev().collect();
            let b = |i: usize| {
                let s = LecScore::from_milli(v[i]);
                if strict[i] {
                    Bound::Above(s)
                } else {
                    Bound::From(s)
                }
            };
            LecBands::new(b(0), b(1), b(2), b(3)).expect("valid edges")
        })
}

fn lec_at(li: usize, ei: usize, ci: usize) -> AssessmentInput {
    lec(L_F[li], E_F[ei], C_F[ci])
}

proptest! {
    /// Raising any one LEC factor to a larger table value never lowers the grade or the
    /// raw band, under the default bands and under any valid band configuration.
    #[test]
    fn lec_grade_never_falls_when_a_factor_rises(
        (li, ei, ci) in any_lec(),
        bands in prop_oneof![Just(LecBands::default()), any_bands()],
        factor in 0usize..3,
        up in 1usize..7,
    ) {
        // Tables are highest first: a smaller index is a larger value.
        let (mut l2, mut e2, mut c2) = (li, ei, ci);
        match factor {
            0 => l2 = li.saturating_sub(up),
            1 => e2 = ei.saturating_sub(up),
            _ => c2 = ci.saturating_sub(up),
        }
        let before = evaluate(&lec_at(li, ei, ci), &bands).unwrap();
        let after = evaluate(&lec_at(l2, e2, c2), &bands).unwrap();
        prop_assert!(after.score.unwrap() >= before.score.unwrap());
        prop_assert!(after.grade.rank() >= before.grade.rank(),
            "{:?} → {:?}", before, after);
        let raw = |e: &Evaluation| LecBand::parse(e.raw_band.as_deref().unwrap()).unwrap();
        prop_assert!(raw(&after) >= raw(&before));
    }

    /// Raising L or S never lowers the grade, for every band set.
    #[test]
    fn ls_grade_never_falls_when_a_factor_rises(
        l in 1u8..=5,
        s in 1u8..=5,
        up in 1u8..=4,
        raise_l in any::<bool>(),
        set in prop::sample::select(BandSet::ALL),
    ) {
        let (l2, s2) = if raise_l { ((l + up).min(5), s) } else { (l, (s + up).min(5)) };
        let g = |l, s| eval(&AssessmentInput::Ls { l, s, band_set: set }).unwrap().grade;
        prop_assert!(g(l2, s2).rank() >= g(l, s).rank());
    }

    /// Any float is either refused with the factor's key or is a table value.
    #[test]
    fn lec_parse_accepts_only_table_values(x in any::<f64>()) {
        for f in Factor::ALL {
            match LecValue::parse(f, x) {
                Ok(v) => prop_assert!(f.table().iter().any(|(t, _)| *t == v.tenths())),
                Err(e) => prop_assert_eq!(e.field, f.field()),
            }
        }
    }
}
