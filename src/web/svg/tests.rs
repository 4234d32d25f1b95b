use super::campus::*;
use super::district::*;
use super::frame::*;
use super::text::*;
use super::*;
use qrcode::{Color as QrColor, EcLevel, QrCode};
use std::collections::HashMap;

mod marks;

/// A small XML checker: tags balance, one root, attributes quoted and unique, no raw `<`
/// in values, every `&` starts an entity. Panics with the position on the first fault.
fn assert_well_formed(s: &str) {
    let b = s.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    let check_amp = |i: usize| {
        let rest = &s[i..];
        let end = rest.find(';').unwrap_or_else(|| panic!("bare & at {i}"));
        let ent = &rest[1..end];
        let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
            || (ent.starts_with('#') && ent[1..].chars().all(|c| c.is_ascii_digit()));
        assert!(ok && end > 1, "bad entity &{ent}; at {i}");
    };
    while i < b.len() {
        match b[i] {
            b'<' if s[i..].starts_with("<!--") => {
                i += s[i..].find("-->").expect("unclosed comment") + 3;
            }
            b'<' if s[i..].starts_with("<?") => {
                i += s[i..].find("?>").expect("unclosed PI") + 2;
            }
            b'<' if s[i..].starts_with("</") => {
                let end = i + s[i..].find('>').expect("unclosed end tag");
                let name = s[i + 2..end].trim();
                let open = stack
                    .pop()
                    .unwrap_or_else(|| panic!("stray </{name}> at {i}"));
                assert_eq!(open, name, "mismatched </{name}> at {i}");
                i = end + 1;
            }
            b'<' => {
                assert!(stack.is_empty() || roots == 1, "content after root at {i}");
                if stack.is_empty() {
                    roots += 1;
                    assert_eq!(roots, 1, "second root element at {i}");
                }
                let mut j = i + 1;
                while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
                    j += 1;
                }
                let name = s[i + 1..j].to_string();
                assert!(
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == ':' || c == '-'),
                    "bad tag name {name:?} at {i}"
                );
                let mut seen: Vec<String> = Vec::new();
                loop {
                    while b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    if s[j..].starts_with("/>") {
                        j += 2;
                        break;
                    }
                    if b[j] == b'>' {
                        stack.push(name.clone());
                        j += 1;
                        break;
                    }
                    let eq = j + s[j..].find('=').expect("attribute without =");
                    let attr = s[j..eq].to_string();
                    assert!(
                        !attr.is_empty()
                            && attr
                                .chars()
                                .all(|c| c.is_alphanumeric() || c == ':' || c == '-'),
                        "bad attribute {attr:?} at {j}"
                    );
                    assert!(!seen.contains(&attr), "duplicate attribute {attr} at {j}");
                    seen.push(attr);
                    let q = b[eq + 1];
                    assert!(q == b'"' || q == b'\'', "unquoted value at {eq}");
                    let close = eq + 2 + s[eq + 2..].find(q as char).expect("unclosed value");
                    let val = &s[eq + 2..close];
                    assert!(!val.contains('<'), "< in attribute value at {eq}");
                    for (k, _) in val.match_indices('&') {
                        check_amp(eq + 2 + k);
                    }
                    j = close + 1;
                }
                if stack.is_empty() {
                    // A self-closed root.
                }
                i = j;
            }
            b'&' => {
                check_amp(i);
                i += 1;
            }
            b'>' => panic!("raw > in text at {i}"),
            _ => i += 1,
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "exactly one root element");
}

/// The attributes of every `<name …>` start tag, in order.
fn tags(s: &str, name: &str) -> Vec<HashMap<String, String>> {
    let pat = format!("<{name} ");
    let mut out = Vec::new();
    for (i, _) in s.match_indices(&pat) {
        let end = i + s[i..].find('>').unwrap();
        let body = &s[i + pat.len()..end];
        let mut m = HashMap::new();
        let mut rest = body;
        while let Some(eq) = rest.find("=\"") {
            let key = rest[..eq].trim().to_string();
            let after = &rest[eq + 2..];
            let close = after.find('"').unwrap();
            m.insert(key, after[..close].to_string());
            rest = &after[close + 1..];
        }
        out.push(m);
    }
    out
}

fn num(m: &HashMap<String, String>, k: &str) -> f64 {
    m.get(k)
        .unwrap_or_else(|| panic!("no {k} in {m:?}"))
        .parse()
        .unwrap()
}

fn view_box(s: &str) -> (f64, f64) {
    let svg = &tags(s, "svg")[0];
    let v: Vec<f64> = svg["viewBox"]
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!((v[0], v[1]), (0.0, 0.0));
    (v[2], v[3])
}

fn legend() -> Legend {
    Legend {
        title: "风险等级".into(),
        red: "重大风险".into(),
        orange: "较大风险".into(),
        yellow: "一般风险".into(),
        blue: "低风险".into(),
        none: "未评估".into(),
        alert: "未解除预警".into(),
        shapes_title: "形状".into(),
        shapes: vec![
            (Shape::Circle, "小学".into()),
            (Shape::Diamond, "中学".into()),
            (Shape::Square, "幼儿园".into()),
            (Shape::Triangle, "特殊教育学校".into()),
            (Shape::Hexagon, "区".into()),
        ],
        rule: "每所学校按其校园风险指数的等级着色：75 以上红、50–74 橙、25–49 黄、25 以下蓝。"
            .into(),
    }
}

fn zone(id: i64, code: &str, name: &str, rect: (i32, i32, i32, i32)) -> MapZone {
    MapZone {
        id,
        code: code.into(),
        name: name.into(),
        rect,
        parent: None,
        shade: Shade::Blue,
        points: 3,
        href: Some(format!("/zones/{id}/risk-points")),
        alert: None,
    }
}

fn sample_zones() -> Vec<MapZone> {
    let mut v = vec![
        zone(1, "Z01", "正门及门卫室", (420, 640, 160, 50)),
        zone(2, "Z02", "教学楼", (540, 40, 300, 240)),
        zone(3, "Z03", "教学楼一层", (550, 200, 280, 70)),
        zone(4, "Z04", "教学楼二层", (550, 125, 280, 70)),
        zone(5, "Z05", "操场及200米跑道", (40, 40, 440, 300)),
        zone(6, "Z06", "配电室", (220, 360, 12, 10)),
        zone(7, "Z07", "围墙周界（北侧后墙）", (0, 0, 1000, 20)),
    ];
    v[1].shade = Shade::Red;
    v[2].shade = Shade::Orange;
    v[2].parent = Some(2);
    v[3].shade = Shade::Red;
    v[3].parent = Some(2);
    v[4].shade = Shade::Yellow;
    v[5].shade = Shade::None;
    v[5].points = 0;
    v
}

#[test]
fn escape_handles_markup_quotes_and_controls() {
    assert_eq!(escape(r#"<&>"'"#), "&lt;&amp;&gt;&quot;&#39;");
    assert_eq!(escape("教学楼 A&B"), "教学楼 A&amp;B");
    assert_eq!(escape("a\u{0}b\u{1b}c\td"), "abc\td");
    assert_eq!(escape(""), "");
}

#[test]
fn hrefs_refuse_other_schemes() {
    assert_eq!(
        safe_href("/zones/3?x=1&y=2").as_deref(),
        Some("/zones/3?x=1&amp;y=2")
    );
    assert!(safe_href("https://example.org/a").is_some());
    assert!(safe_href("javascript:alert(1)").is_none());
    assert!(safe_href(" JavaScript:alert(1)").is_none());
    assert!(safe_href("data:text/html,<b>").is_none());
    assert!(safe_href("").is_none());
    assert!(safe_href("/a?next=javascript:x").is_some());
}

#[test]
fn shade_colours_and_order() {
    assert_eq!(Shade::Red.fill(), "#E53935");
    assert_eq!(Shade::Orange.fill(), "#FB8C00");
    assert_eq!(Shade::Yellow.fill(), "#FDD835");
    assert_eq!(Shade::Blue.fill(), "#1E88E5");
    assert_eq!(Shade::None.fill(), "#ECEFF1");
    assert_eq!(Shade::Blue.max(Shade::Red), Shade::Red);
    assert_eq!(Shade::Orange.max(Shade::None), Shade::Orange);
    for s in Shade::ALL {
        assert!(s.ink().starts_with('#'));
        assert_ne!(s.ink(), s.fill());
    }
    assert_eq!(Shade::Yellow.label(&legend()), "一般风险");
}

#[test]
fn labels_wrap_at_phrases_and_shrink() {
    // Fits on one line at the largest size.
    let f = fit("教学楼", 200.0, 40.0, &ZONE_SIZES, 3).unwrap();
    assert_eq!((f.size, f.lines.len()), (22.0, 1));
    // Wraps before the bracket rather than inside the words.
    let f = fit("一层（小班活动室、午睡室）", 150.0, 120.0, &ZONE_SIZES, 3).unwrap();
    assert_eq!(f.lines[0], "一层");
    assert!(f.lines.iter().all(|l| text_em(l) * f.size <= 150.0));
    // No line starts with closing punctuation.
    let f = fit("配电室、库房、锅炉房（燃气）", 60.0, 200.0, &ZONE_SIZES, 4).unwrap();
    for l in &f.lines {
        assert!(!l.starts_with(['）', '、']), "{:?}", f.lines);
    }
    // Even lines, broken between phrases, not inside brackets.
    assert_eq!(
        break_lines("康复训练楼（感统训练、言语治疗）", 11.5, 3, false)
            .unwrap()
            .lines,
        ["康复训练楼", "（感统训练、言语治疗）"]
    );
    assert_eq!(
        break_lines("配电室及杂物库房", 6.0, 3, false)
            .unwrap()
            .lines,
        ["配电室及", "杂物库房"]
    );
    assert_eq!(
        break_lines("Main gate and guardhouse", 12.0, 3, false)
            .unwrap()
            .lines,
        ["Main gate and", "guardhouse"]
    );
    assert!(break_lines("教学楼一层", 3.0, 3, true).is_none());
    // Too small for anything readable.
    assert!(fit("配电室", 10.0, 10.0, &ZONE_SIZES, 3).is_none());
    // Long text in a small box ends with an ellipsis.
    let f = fit(
        "大型玩具区（滑梯、攀爬架、蹦床、沙池）",
        60.0,
        16.0,
        &ZONE_SIZES,
        3,
    )
    .unwrap();
    assert!(f.lines.last().unwrap().ends_with('…'));
}

#[test]
fn campus_map_draws_every_zone_with_its_fill() {
    let zones = sample_zones();
    let svg = campus_map("长春市二道区春华小学", &zones, &legend());
    assert_well_formed(&svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("viewBox=\"0 0 1040 "));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("aria-label=\"长春市二道区春华小学 — 风险等级\""));
    let rects: Vec<_> = tags(&svg, "rect")
        .into_iter()
        .filter(|r| r.get("class").map(String::as_str) == Some("zone"))
        .collect();
    assert_eq!(rects.len(), zones.len());
    for z in &zones {
        let r = rects
            .iter()
            .find(|r| r["data-code"] == z.code)
            .unwrap_or_else(|| panic!("no rect for {}", z.code));
        assert_eq!(r["fill"], z.shade.fill(), "{}", z.code);
        assert_eq!(r["rx"], "4");
        assert_eq!(r["stroke"], "#FFFFFF");
    }
    for t in [
        "风险等级",
        "重大风险",
        "较大风险",
        "一般风险",
        "低风险",
        "未评估",
    ] {
        assert!(svg.contains(&format!(">{t}<")), "legend {t}");
    }
    assert!(svg.contains(">长春市二道区春华小学</text>"));
    assert!(svg.contains("class=\"north-arrow\""));
    assert!(svg.contains("href=\"/zones/5/risk-points\""));
    // No inline CSS (the CSP forbids it) and no ids (several maps may share a page).
    assert!(!svg.contains("style"));
    assert!(!svg.contains(" id="));
}

#[test]
fn campus_map_children_lie_inside_their_parent() {
    let zones = sample_zones();
    let svg = campus_map("S", &zones, &legend());
    let rects = tags(&svg, "rect");
    let get = |code: &str| {
        let r = rects
            .iter()
            .find(|r| r.get("data-code").map(String::as_str) == Some(code))
            .unwrap();
        (num(r, "x"), num(r, "y"), num(r, "width"), num(r, "height"))
    };
    let p = get("Z02");
    for c in ["Z03", "Z04"] {
        let c = get(c);
        assert!(c.0 > p.0 && c.1 > p.1, "{c:?} in {p:?}");
        assert!(
            c.0 + c.2 < p.0 + p.2 && c.1 + c.3 < p.1 + p.3,
            "{c:?} in {p:?}"
        );
        // Under the parent's name band.
        assert!(c.1 >= p.1 + ZONE_HEAD);
    }
    // Children are drawn after (on top of) their parent.
    let pos = |code: &str| svg.find(&format!("data-code=\"{code}\"")).unwrap();
    assert!(pos("Z02") < pos("Z03") && pos("Z02") < pos("Z04"));
    // The parent's name is in its band; a child's name is drawn too.
    assert!(svg.contains(">教学楼</text>"));
    assert!(svg.contains(">教学楼一层</tspan>"));
    // Every zone stays in the plan.
    for r in rects.iter().filter(|r| r.contains_key("data-code")) {
        assert!(num(r, "x") >= 0.0 && num(r, "x") + num(r, "width") <= PLAN_W);
        assert!(num(r, "y") >= 0.0 && num(r, "y") + num(r, "height") <= PLAN_H);
    }
}

#[test]
fn campus_map_child_outside_its_parent_is_pulled_in() {
    let mut zones = vec![
        zone(1, "A", "楼", (100, 100, 300, 300)),
        zone(2, "B", "层", (900, 650, 80, 40)),
    ];
    zones[1].parent = Some(1);
    let placed = layout(&zones);
    let (p, c) = (placed[0].unwrap(), placed[1].unwrap());
    assert!(c.x >= p.x && c.y >= p.y && c.x + c.w <= p.x + p.w && c.y + c.h <= p.y + p.h);
    // A cycle (and a missing parent) makes zones top-level instead of looping.
    let mut zones = vec![
        zone(1, "A", "甲", (0, 0, 100, 100)),
        zone(2, "B", "乙", (200, 0, 100, 100)),
        zone(3, "C", "丙", (400, 0, 100, 100)),
    ];
    zones[0].parent = Some(2);
    zones[1].parent = Some(1);
    zones[2].parent = Some(99);
    let placed = layout(&zones);
    assert!(placed.iter().all(|p| p.unwrap().depth == 0));
    // An empty rectangle is not drawn.
    let zones = vec![zone(1, "A", "甲", (0, 0, 0, 100))];
    assert!(layout(&zones)[0].is_none());
    assert_well_formed(&campus_map("x", &zones, &legend()));
}

#[test]
fn campus_map_tiny_zone_has_a_tooltip_but_no_text() {
    let zones = sample_zones();
    let svg = campus_map("S", &zones, &legend());
    let start = svg.find("data-code=\"Z06\"").unwrap();
    let group_start = svg[..start].rfind("<g class=\"zone-item\">").unwrap();
    let group_end = start + svg[start..].find("</g>").unwrap();
    let group = &svg[group_start..group_end];
    assert!(group.contains("<title>配电室（Z06）\n未评估 · 0</title>"));
    assert!(!group.contains("<text"), "{group}");
    // A flat zone (the wall) still gets a one-line label.
    let start = svg.find("data-code=\"Z07\"").unwrap();
    let group = &svg[start..start + svg[start..].find("</g>").unwrap()];
    assert!(group.contains("围墙周界（北侧后墙）"), "{group}");
}

#[test]
fn campus_map_escapes_hostile_text() {
    let mut zones = sample_zones();
    zones[0].name = r#"<script>alert("x")</script>&'"#.into();
    zones[0].code = r#""><svg onload=alert(1)>"#.into();
    zones[1].href = Some("javascript:alert(1)".into());
    zones[2].href = Some(r#"/z?a=1&b="><x"#.into());
    let mut lg = legend();
    lg.red = "<b>红</b>".into();
    let svg = campus_map("<学校>&\"'", &zones, &lg);
    assert_well_formed(&svg);
    assert!(!svg.contains("<script"));
    assert!(!svg.contains("<svg onload"));
    assert!(!svg.contains("<b>"));
    assert!(!svg.contains("javascript:"));
    assert!(svg.contains("&lt;script&gt;"));
    assert!(svg.contains("&lt;学校&gt;&amp;&quot;&#39;"));
    assert!(svg.contains("href=\"/z?a=1&amp;b=&quot;&gt;&lt;x\""));
}

#[test]
fn campus_map_with_no_zones_is_still_a_map() {
    let svg = campus_map("空学校", &[], &legend());
    assert_well_formed(&svg);
    assert!(!svg.contains("class=\"zone\""));
    assert!(svg.contains("未评估"));
}

fn changchun() -> Vec<MapSchool> {
    let raw = [
        ("S001", "春华小学", 43.9156, 125.3518, Shade::Red, false),
        (
            "S002",
            "明德实验中学",
            43.8953,
            125.3673,
            Shade::Orange,
            false,
        ),
        ("S003", "彩虹幼儿园", 43.8614, 125.4569, Shade::Yellow, true),
        ("S004", "青禾小学", 43.8956, 125.4081, Shade::Blue, false),
        ("S005", "澄溪小学", 43.8854, 125.3524, Shade::None, false),
        ("S006", "晓岚小学", 43.8851, 125.4131, Shade::Blue, false),
        ("S007", "松涛小学", 43.9162, 125.4246, Shade::Yellow, false),
        ("S008", "景和小学", 43.8044, 125.2851, Shade::Blue, false),
        ("S009", "晴川小学", 43.9290, 125.4790, Shade::Orange, true),
        ("S010", "桐华小学", 43.8751, 125.3708, Shade::Red, false),
        ("S011", "近邻幼儿园", 43.8752, 125.3710, Shade::Blue, true),
    ];
    raw.iter()
        .enumerate()
        .map(|(i, &(code, name, lat, lng, shade, kg))| MapSchool {
            id: i as i64 + 1,
            code: code.into(),
            name: name.into(),
            lat,
            lng,
            shade,
            href: Some(format!("/schools/{}", i + 1)),
            shape: if kg { Shape::Square } else { Shape::Circle },
            tip: vec![
                format!("风险点：重大 {i}"),
                "未销号隐患 3，其中逾期 1".into(),
            ],
            alert: None,
        })
        .collect()
}

/// Marker centres by school code.
fn markers(svg: &str) -> HashMap<String, (f64, f64)> {
    let mut out = HashMap::new();
    for (i, _) in svg.match_indices("<g class=\"school\" data-code=\"") {
        let rest = &svg[i + 29..];
        let code = rest[..rest.find('"').unwrap()].to_string();
        let end = rest.find("</g>").unwrap();
        let group = &rest[..end];
        let c = tags(group, "circle");
        let r = tags(group, "rect");
        let p = tags(group, "path");
        let xy = if let Some(c) = c.iter().find(|c| c.get("class").is_some()) {
            (num(c, "cx"), num(c, "cy"))
        } else if let Some(p) = p.iter().find(|p| p.get("class").is_some()) {
            let t = p["transform"]
                .trim_start_matches("translate(")
                .trim_end_matches(')')
                .to_string();
            let mut it = t.split(' ').map(|v| v.parse::<f64>().unwrap());
            (it.next().unwrap(), it.next().unwrap())
        } else {
            let r = &r[0];
            (
                num(r, "x") + num(r, "width") / 2.0,
                num(r, "y") + num(r, "height") / 2.0,
            )
        };
        out.insert(code, xy);
    }
    out
}

#[test]
fn district_map_places_schools_north_up_east_right() {
    let schools = changchun();
    let svg = district_map("二道区学校风险分布图", &schools, &legend(), "暂无学校");
    assert_well_formed(&svg);
    let (w, h) = view_box(&svg);
    let m = markers(&svg);
    assert_eq!(m.len(), schools.len());
    for (code, (x, y)) in &m {
        assert!(*x > 20.0 && *x < w - 20.0, "{code} x {x}");
        assert!(*y > HEADER && *y < h - 40.0, "{code} y {y}");
    }
    for a in &schools {
        for b in &schools {
            let (pa, pb) = (m[&a.code], m[&b.code]);
            if a.lat > b.lat {
                assert!(pa.1 < pb.1, "north up: {} vs {}", a.code, b.code);
            }
            if a.lng > b.lng {
                assert!(pa.0 > pb.0, "east right: {} vs {}", a.code, b.code);
            }
        }
    }
    // Aspect: 0.1° of longitude is cos(43.9°) ≈ 0.72 of 0.1° of latitude on screen.
    let (s1, s8, s9) = (m["S001"], m["S008"], m["S009"]);
    let dx = (s9.0 - s8.0) / (125.4790 - 125.2851);
    let dy = (s8.1 - s1.1) / (43.9156 - 43.8044);
    assert!(
        (dx / dy - 43.87f64.to_radians().cos()).abs() < 0.01,
        "{dx} {dy}"
    );
    // Kindergartens are rounded squares, the others circles, all with a title and link.
    assert_eq!(svg.matches("<circle class=\"marker\"").count(), 8);
    assert_eq!(svg.matches("<rect class=\"marker\"").count(), 3);
    assert!(svg.contains(
        "<title>春华小学（S001）\n重大风险\n风险点：重大 0\n未销号隐患 3，其中逾期 1</title>"
    ));
    assert!(svg.contains("href=\"/schools/1\""));
    // Legend with counts, a scale bar in km.
    assert!(svg.contains("重大风险<tspan fill=\"#607D8B\" font-weight=\"700\"> 2</tspan>"));
    assert!(svg.contains(" km</text>"));
    assert!(!svg.contains("style"));
    // Red is drawn last (on top).
    let pos = |c: &str| svg.find(&format!("data-code=\"{c}\"")).unwrap();
    assert!(pos("S004") < pos("S001"));
}

/// The name labels of a district map: (school code, text, box).
fn name_labels(svg: &str) -> Vec<(String, String, BoxF)> {
    svg.match_indices("<text class=\"label\"")
        .map(|(i, _)| {
            let t = &tags(&svg[i..], "text")[0];
            let body = &svg[i..];
            let text = body[body.find('>').unwrap() + 1..body.find("</text>").unwrap()].to_string();
            assert_eq!(num(t, "font-size"), LABEL_SIZE);
            let b = BoxF {
                x: num(t, "x"),
                y: num(t, "y") - LABEL_SIZE * 0.95,
                w: text_em(&text) * LABEL_SIZE,
                h: LABEL_SIZE,
            };
            (t["data-code"].clone(), text, b)
        })
        .collect()
}

#[test]
fn district_map_name_labels_do_not_collide() {
    let svg = district_map("D", &changchun(), &legend(), "-");
    let labels = name_labels(&svg);
    assert!(labels.len() >= 9, "most schools labelled: {}", labels.len());
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(!a.2.hits(&b.2), "{a:?} {b:?}");
        }
    }
    // Short names, not codes: "春华小学", never "S001".
    assert!(labels.iter().any(|l| l.0 == "S001" && l.1 == "春华小学"));
    assert!(labels.iter().all(|l| !l.1.starts_with('S')), "{labels:?}");
    // S010 and S011 are 20 m apart: red S010 is labelled first, with its name.
    assert!(
        labels
            .iter()
            .any(|l| l.0 == "S010" && l.1.starts_with("桐华"))
    );
    // 11 px at the narrowest the pages draw the map (760 px for the 1000-unit drawing).
    let (w, _) = view_box(&svg);
    assert!(LABEL_SIZE * 760.0 / w >= 11.0);
}

#[test]
fn short_names_drop_the_place_and_abbreviate_when_crowded() {
    assert_eq!(short_name("长春市二道区春华小学"), "春华小学");
    assert_eq!(short_name("吉林省长春市二道区东区小学"), "东区小学");
    assert_eq!(short_name("二道区实验幼儿园"), "实验幼儿园");
    assert_eq!(short_name("春华小学"), "春华小学");
    assert_eq!(
        short_name("Chunhua Primary School"),
        "Chunhua Primary School"
    );
    assert_eq!(abbreviated("春华小学"), "春华小");
    assert_eq!(abbreviated("彩虹幼儿园"), "彩虹幼");
    assert_eq!(abbreviated("长春市第一百零八中学"), "长春市第一…");
    // Crowded: every school at nearly one spot still gets a few labels, none overlapping.
    let mut crowd = changchun();
    for (i, s) in crowd.iter_mut().enumerate() {
        s.lat = 43.88 + i as f64 * 0.0004;
        s.lng = 125.38 + (i % 3) as f64 * 0.0004;
    }
    let svg = district_map("挤", &crowd, &legend(), "-");
    assert_well_formed(&svg);
    let labels = name_labels(&svg);
    assert!(labels.len() >= 4, "{labels:?}");
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(!a.2.hits(&b.2), "{a:?} {b:?}");
        }
    }
}

#[test]
fn district_map_legend_explains_shapes_and_the_rule() {
    let mut schools = changchun();
    schools[1].shape = Shape::Diamond;
    schools[4].shape = Shape::Triangle;
    let svg = district_map("D", &schools, &legend(), "-");
    assert_well_formed(&svg);
    let key = &svg[svg.find("<g class=\"legend-shapes\">").expect("shapes")..];
    let key = &key[..key.find("</g>").unwrap()];
    for word in ["形状", "小学", "中学", "幼儿园", "特殊教育学校"] {
        assert!(key.contains(&format!(">{word}</text>")), "{word}");
    }
    assert!(!key.contains(">区</text>"), "only the shapes on the map");
    assert_eq!(svg.matches("<path class=\"marker\"").count(), 2);
    assert_eq!(svg.matches("<path class=\"key-marker\"").count(), 2);
    let rule = &svg[svg.find("<g class=\"map-rule\">").expect("rule")..];
    assert!(rule.contains("75 以上红"));
    // Without shapes and rule, no key.
    let mut bare = legend();
    bare.shapes.clear();
    bare.rule.clear();
    let svg = district_map("D", &schools, &bare, "-");
    assert!(!svg.contains("legend-shapes") && !svg.contains("map-rule"));
}

#[test]
fn district_map_with_one_and_zero_schools() {
    let one = vec![changchun().remove(0)];
    let svg = district_map("一所", &one, &legend(), "暂无学校");
    assert_well_formed(&svg);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
    let (w, h) = view_box(&svg);
    let (x, y) = markers(&svg)["S001"];
    assert!((x - w / 2.0).abs() < 1.0, "centred: {x}");
    assert!(y > HEADER && y < h);
    assert!(svg.contains(" km</text>") || svg.contains(" m</text>"));

    let svg = district_map("空", &[], &legend(), "暂无<学校>");
    assert_well_formed(&svg);
    assert!(svg.contains("暂无&lt;学校&gt;"));
    assert!(!svg.contains("class=\"marker\""));
    assert!(svg.contains("viewBox"));

    // Unusable coordinates are left out rather than stretching the map.
    let mut bad = changchun();
    bad[0].lat = f64::NAN;
    bad[1].lat = 0.0;
    bad[1].lng = 0.0;
    let svg = district_map("坏", &bad, &legend(), "-");
    assert_well_formed(&svg);
    assert!(!svg.contains("NaN"));
    assert_eq!(markers(&svg).len(), bad.len() - 2);
    // All the same spot.
    let mut same = changchun();
    for s in &mut same {
        s.lat = 43.88;
        s.lng = 125.38;
    }
    let svg = district_map("同", &same, &legend(), "-");
    assert_well_formed(&svg);
    assert!(!svg.contains("NaN"));
}

#[test]
fn district_map_escapes_hostile_text() {
    let mut s = changchun();
    s[0].name = "<img src=x onerror=alert(1)>".into();
    s[0].code = "\"><x".into();
    s[1].href = Some("javascript:alert(1)".into());
    let svg = district_map("<t>", &s, &legend(), "<n>");
    assert_well_formed(&svg);
    assert!(!svg.contains("<img"));
    assert!(!svg.contains("<x"));
    assert!(!svg.contains("javascript:"));
    assert!(svg.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn scale_steps_are_round() {
    assert_eq!(nice_floor(3.7), 2.0);
    assert_eq!(nice_floor(7.0), 5.0);
    assert_eq!(nice_floor(0.42), 0.2);
    assert_eq!(nice_floor(10.0), 10.0);
    assert_eq!(nice_floor(0.0), 1.0);
}

#[test]
fn qr_svg_draws_the_code_modules() {
    let url = "https://safecampus.local/risk-points/123456/check?lang=zh-CN";
    let url = &url[..60.min(url.len())];
    assert!(url.len() >= 59);
    let svg = qr_svg(url, 160).unwrap();
    assert_well_formed(&svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("width=\"160\" height=\"160\""));
    let (w, h) = view_box(&svg);
    assert_eq!(w, h);
    // 60 bytes at level M: version 4, 33 modules, plus a 4-module quiet zone each side.
    assert_eq!(w, 41.0);
    // The path reproduces the code module by module.
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).unwrap();
    let n = code.width();
    let mut grid = vec![false; n * n];
    let d = &tags(&svg, "path")[0]["d"];
    for run in d.split('M').filter(|r| !r.is_empty()) {
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
        for k in 0..len {
            grid[(y - 4) * n + x - 4 + k] = true;
        }
    }
    let want: Vec<bool> = code
        .to_colors()
        .iter()
        .map(|c| *c == QrColor::Dark)
        .collect();
    assert_eq!(grid, want);
    // Finder pattern in the top-left corner.
    assert!(grid[0] && grid[6] && grid[6 * n] && !grid[n + 1] && grid[2 * n + 2]);
}

#[test]
fn qr_svg_errors() {
    assert!(qr_svg("x", 0).is_err());
    let long = "x".repeat(4000);
    let e = qr_svg(&long, 100).unwrap_err();
    assert!(e.contains("too long"), "{e}");
    // Hostile data only ever reaches the aria-label, escaped.
    let svg = qr_svg("\"><script>", 100).unwrap();
    assert_well_formed(&svg);
    assert!(!svg.contains("<script"));
}

#[test]
fn checker_catches_faults() {
    for bad in [
        "<svg><g></svg>",
        "<svg a=\"1\" a=\"2\"/>",
        "<svg>a & b</svg>",
        "<svg x=1/>",
        "<svg></svg><svg></svg>",
        "<svg>",
    ] {
        assert!(
            std::panic::catch_unwind(|| assert_well_formed(bad)).is_err(),
            "{bad}"
        );
    }
    assert_well_formed("<svg a=\"&amp;\"><g/><t>x &lt; &#39;</t></svg>");
}

/// Renders samples from the demo data to /tmp for a look:
/// `cargo test --lib web::svg::tests::render_samples -- --ignored`.
#[test]
#[ignore]
fn render_samples() {
    let root = env!("CARGO_MANIFEST_DIR");
    let layouts: toml::Value = toml::from_str(
        &std::fs::read_to_string(format!("{root}/assets/demo/layouts.toml")).unwrap(),
    )
    .unwrap();
    let shades = [
        Shade::Blue,
        Shade::Yellow,
        Shade::Orange,
        Shade::Blue,
        Shade::Red,
        Shade::Yellow,
        Shade::None,
        Shade::Blue,
    ];
    for l in layouts["layouts"].as_array().unwrap() {
        let kind = l["kind"].as_str().unwrap();
        let zs = l["zones"].as_array().unwrap();
        let code_id = |c: &str| {
            zs.iter()
                .position(|z| z["code"].as_str() == Some(c))
                .map(|p| p as i64 + 1)
        };
        let zones: Vec<MapZone> = zs
            .iter()
            .enumerate()
            .map(|(i, z)| {
                let g = |k: &str| z[k].as_integer().unwrap() as i32;
                MapZone {
                    id: i as i64 + 1,
                    code: z["code"].as_str().unwrap().into(),
                    name: z["name"].as_str().unwrap().into(),
                    rect: (g("x"), g("y"), g("w"), g("h")),
                    parent: code_id(z["parent"].as_str().unwrap()),
                    shade: shades[(i * 5 + 3) % shades.len()],
                    points: (i * 7) % 13,
                    href: Some(format!("/zones/{}", i + 1)),
                    alert: None,
                }
            })
            .collect();
        let svg = campus_map(
            &format!("长春市二道区示范学校（{kind}）风险四色图"),
            &zones,
            &legend(),
        );
        assert_well_formed(&svg);
        std::fs::write(format!("/tmp/campus_{kind}.svg"), svg).unwrap();
    }
    let schools: toml::Value = toml::from_str(
        &std::fs::read_to_string(format!("{root}/assets/demo/schools.toml")).unwrap(),
    )
    .unwrap();
    let mut list = Vec::new();
    for d in schools["districts"].as_array().unwrap() {
        for (i, s) in d["schools"].as_array().unwrap().iter().enumerate() {
            list.push(MapSchool {
                id: list.len() as i64 + 1,
                code: s["code"].as_str().unwrap().into(),
                name: s["name"].as_str().unwrap().into(),
                lat: s["lat"].as_float().unwrap(),
                lng: s["lng"].as_float().unwrap(),
                shade: shades[(i * 3 + 1) % shades.len()],
                href: Some(format!("/schools/{i}")),
                shape: match s["kind"].as_str() {
                    Some("kindergarten") => Shape::Square,
                    Some("primary") => Shape::Circle,
                    Some("special") => Shape::Triangle,
                    _ => Shape::Diamond,
                },
                tip: Vec::new(),
                alert: None,
            });
        }
        let svg = district_map(
            &format!("{}学校风险分布图", d["name"].as_str().unwrap()),
            &list,
            &legend(),
            "暂无学校",
        );
        assert_well_formed(&svg);
        std::fs::write(
            format!("/tmp/district_{}.svg", d["code"].as_str().unwrap()),
            svg,
        )
        .unwrap();
        list.clear();
    }
    std::fs::write(
        "/tmp/district_empty.svg",
        district_map("空", &[], &legend(), "暂无学校"),
    )
    .unwrap();
    let one = vec![changchun().remove(0)];
    std::fs::write(
        "/tmp/district_one.svg",
        district_map("一所学校", &one, &legend(), "-"),
    )
    .unwrap();
    std::fs::write(
        "/tmp/qr.svg",
        qr_svg(
            "https://safecampus.local/risk-points/123456/check?lang=zh-CN",
            240,
        )
        .unwrap(),
    )
    .unwrap();
}
