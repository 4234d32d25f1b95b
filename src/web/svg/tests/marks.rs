//! The marks of open warnings: a zone's outline and badge over its unchanged fill, a school's
//! ring around its unchanged dot, their legend entries, and their tooltips escaped.

use super::*;

fn alert(level: Shade, count: usize, text: &str) -> Alert {
    Alert {
        level,
        count,
        text: text.into(),
        href: Some("/warnings/7".into()),
    }
}

/// The `<g class="alert" …>` marks of a campus map: (zone code, level).
fn zone_marks(svg: &str) -> Vec<(String, String)> {
    tags(svg, "g")
        .into_iter()
        .filter(|g| g.get("class").map(String::as_str) == Some("alert"))
        .map(|g| (g["data-code"].clone(), g["data-level"].clone()))
        .collect()
}

/// The fill of every zone rectangle, by code.
fn fills(svg: &str) -> HashMap<String, String> {
    tags(svg, "rect")
        .into_iter()
        .filter(|r| r.get("class").map(String::as_str) == Some("zone"))
        .map(|r| (r["data-code"].clone(), r["fill"].clone()))
        .collect()
}

/// The badges' rectangles (x, y, w, h) with their level.
fn badges(svg: &str) -> Vec<(String, (f64, f64, f64, f64))> {
    let mut out = Vec::new();
    for (i, _) in svg.match_indices("<g class=\"alert-badge\"") {
        let g = &tags(&svg[i..], "g")[0];
        let r = &tags(&svg[i..], "rect")[0];
        out.push((
            g["data-level"].clone(),
            (num(r, "x"), num(r, "y"), num(r, "width"), num(r, "height")),
        ));
    }
    out
}

#[test]
fn a_zone_with_open_warnings_is_outlined_and_badged_over_its_fill() {
    let plain = sample_zones();
    let mut marked = sample_zones();
    marked[4].alert = Some(alert(
        Shade::Red,
        2,
        "⚠ 红色预警 · YG-01 · smoke = 1 ≥ 1\n⚠ 黄色预警 · SJ-02 · water_level_cm = 160 ≥ 150",
    ));
    let a = campus_map("春华小学", &plain, &legend());
    let b = campus_map("春华小学", &marked, &legend());
    assert_well_formed(&a);
    assert_well_formed(&b);

    // Without warnings: no mark, but the legend explains it.
    assert!(zone_marks(&a).is_empty());
    assert!(!a.contains("alert-badge"));
    assert!(a.contains("未解除预警"), "the legend's entry");

    // With one: the zone's outline in red and its badge Ⅰ, the fill left as it is.
    assert_eq!(zone_marks(&b), vec![("Z05".to_string(), "red".to_string())]);
    assert_eq!(fills(&a), fills(&b), "the four colours do not change");
    let bs = badges(&b);
    assert_eq!(bs.len(), 1);
    assert_eq!(bs[0].0, "red");
    assert!(b.contains(">Ⅰ</text>"), "the level's numeral");
    assert!(b.contains(&format!(r#"stroke="{}""#, Shade::Red.fill())));
    assert!(
        b.contains("<title>⚠ 红色预警 · YG-01 · smoke = 1 ≥ 1\n⚠ 黄色预警"),
        "the badge names the warnings"
    );
    assert!(b.contains(r#"<a class="alert-link" href="/warnings/7">"#));
    // The zone's own tooltip names them too.
    let zone_title = b.split("（Z05）").nth(1).unwrap();
    assert!(zone_title[..zone_title.find("</title>").unwrap()].contains("YG-01"));

    // The badge sits inside the zone (a tall one: its top-right corner), drawn over every zone.
    // (Both in plan units: the plan is one translated group.)
    let (x, y, w, h) = marked[4].rect;
    let (x, y, w, h) = (x as f64, y as f64, w as f64, h as f64);
    let (bx, by, bw, bh) = bs[0].1;
    let inside = bx >= x && by >= y && bx + bw <= x + w && by + bh <= y + h;
    assert!(inside, "badge {:?} in zone {:?}", bs[0].1, marked[4].rect);
    let last_zone = b.rfind("<rect class=\"zone\"").unwrap();
    assert!(b.find("<g class=\"alert\"").unwrap() > last_zone, "on top");

    // Its name stays readable: every text of the zone is under the badge.
    let label = b.split("（Z05）").nth(1).unwrap();
    let label = &label[..label.find("</g>").unwrap()];
    let lines = tags(label, "tspan");
    assert!(!lines.is_empty(), "the zone keeps its name");
    for t in lines {
        // A baseline less 0.86 of the largest size (22) is the line's top.
        assert!(num(&t, "y") - 19.0 >= by + bh, "{t:?} under the badge");
    }
}

#[test]
fn a_parent_zones_badge_sits_in_its_name_band_beside_the_count() {
    let mut zones = sample_zones();
    zones[1].alert = Some(alert(Shade::Orange, 1, "⚠ 橙色预警 · DH-01"));
    let svg = campus_map("春华小学", &zones, &legend());
    assert_well_formed(&svg);
    assert_eq!(
        zone_marks(&svg),
        vec![("Z02".to_string(), "orange".to_string())]
    );
    let (_, (bx, by, _, bh)) = badges(&svg)[0].clone();
    assert!(svg.contains(">Ⅱ</text>"));
    // The band's count pill (the first small rectangle after the zone's) is left of it.
    let part = &svg[svg.find("data-code=\"Z02\"").unwrap()..];
    let pill = tags(part, "rect")
        .into_iter()
        .find(|r| r.get("rx").map(String::as_str) == Some("10"))
        .unwrap();
    assert!(
        num(&pill, "x") + num(&pill, "width") <= bx,
        "{pill:?} left of {bx}"
    );
    let (_, zy, _, _) = zones[1].rect;
    assert!(
        by >= zy as f64 && by + bh <= zy as f64 + 30.0,
        "in the band"
    );
}

#[test]
fn a_tiny_or_flat_zone_still_shows_its_mark() {
    let mut zones = sample_zones();
    zones[5].alert = Some(alert(Shade::Blue, 1, "蓝色预警"));
    zones[0].alert = Some(alert(Shade::Yellow, 1, "黄色预警"));
    let svg = campus_map("春华小学", &zones, &legend());
    assert_well_formed(&svg);
    let mut marks = zone_marks(&svg);
    marks.sort();
    assert_eq!(
        marks,
        vec![
            ("Z01".to_string(), "yellow".to_string()),
            ("Z06".to_string(), "blue".to_string())
        ]
    );
    assert_eq!(badges(&svg).len(), 2);
    assert!(svg.contains(">Ⅲ</text>") && svg.contains(">Ⅳ</text>"));
    // The flat gate zone keeps its name beside the badge.
    assert!(svg.contains("正门及门卫室"));
}

#[test]
fn no_level_or_no_warning_draws_nothing() {
    let mut zones = sample_zones();
    zones[4].alert = Some(alert(Shade::None, 1, "x"));
    zones[2].alert = Some(alert(Shade::Red, 0, "x"));
    let svg = campus_map("春华小学", &zones, &legend());
    assert!(zone_marks(&svg).is_empty());
    assert!(!svg.contains("alert-badge"));
}

#[test]
fn warning_text_and_links_are_escaped() {
    let mut zones = sample_zones();
    zones[4].alert = Some(Alert {
        level: Shade::Red,
        count: 1,
        text: "红色预警 · <script>alert('x')</script> & \"引号\"".into(),
        href: Some("javascript:alert(1)".into()),
    });
    zones[4].code = "Z05\"><b>".into();
    let svg = campus_map("春华小学", &zones, &legend());
    assert_well_formed(&svg);
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;引号&quot;"));
    assert!(!svg.contains("javascript:"), "no unsafe link");
    assert!(!svg.contains("alert-link"));
    assert!(svg.contains(r#"data-code="Z05&quot;&gt;&lt;b&gt;""#));

    let mut schools = changchun();
    schools[3].alert = Some(alert(Shade::Red, 1, "<b>&</b>"));
    let map = district_map("区", &schools, &legend(), "-");
    assert_well_formed(&map);
    assert!(map.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
}

#[test]
fn a_school_with_open_warnings_is_ringed_around_its_dot() {
    let plain = changchun();
    let mut marked = changchun();
    // S004 is blue: the ring is red, the dot stays blue.
    marked[3].alert = Some(alert(
        Shade::Red,
        2,
        "⚠ 未解除预警 2 条 · 最高：红色（Ⅰ级 特别严重）",
    ));
    let a = district_map("二道区", &plain, &legend(), "-");
    let b = district_map("二道区", &marked, &legend(), "-");
    assert_well_formed(&b);
    assert!(!a.contains("alert-ring"));
    assert!(a.contains("未解除预警"), "the legend's entry");
    assert_eq!(markers(&a), markers(&b), "the dots stay where they are");
    let group = &b[b.find("<g class=\"school\" data-code=\"S004\"").unwrap()..];
    let group = &group[..group.find("</g></g>").expect("the ring closes the group")];
    assert!(group.contains("<g class=\"alert-ring\" data-level=\"red\">"));
    assert!(group.contains(&format!(r#"stroke="{}""#, Shade::Red.fill())));
    let marker = &group[group.find("class=\"marker\"").unwrap()..];
    assert!(
        marker.contains(&format!(r#"fill="{}""#, Shade::Blue.fill())),
        "its risk colour stays"
    );
    assert!(
        group.contains("未解除预警 2 条"),
        "the tooltip says how many"
    );
    // The legend counts the ringed schools.
    let legend_part = &b[b.find("<g class=\"legend-alert\">").unwrap()..];
    assert!(legend_part.contains("> 1</tspan>"), "{legend_part:.300}");
    // Ringed schools are drawn last (on top).
    let last = b.rfind("<g class=\"school\"").unwrap();
    assert!(b[last..].starts_with("<g class=\"school\" data-code=\"S004\""));
}

#[test]
fn code_labels_keep_clear_of_the_rings() {
    let mut schools = changchun();
    for s in schools.iter_mut() {
        s.alert = Some(alert(Shade::Orange, 1, "橙色预警"));
    }
    let svg = district_map("二道区", &schools, &legend(), "-");
    assert_well_formed(&svg);
    let centres = markers(&svg);
    let mut labels = 0;
    for (i, _) in svg.match_indices("<text class=\"label\"") {
        let t = &tags(&svg[i..], "text")[0];
        let body = &svg[i..];
        let text = &body[body.find('>').unwrap() + 1..body.find("</text>").unwrap()];
        let (x, y) = (num(t, "x"), num(t, "y") - LABEL_SIZE * 0.95);
        let (w, h) = (text_em(text) * LABEL_SIZE, LABEL_SIZE + 3.0);
        for (cx, cy) in centres.values() {
            // The nearest point of the label's box to the centre is outside the ring.
            let nx = cx.clamp(x, x + w);
            let ny = cy.clamp(y, y + h);
            let d = ((nx - cx).powi(2) + (ny - cy).powi(2)).sqrt();
            assert!(d >= 19.0, "{text} at ({x}, {y}) in a ring at ({cx}, {cy})");
        }
        labels += 1;
    }
    assert!(labels >= 6, "most schools keep their label: {labels}");
}

/// Renders marked samples to /tmp for a look:
/// `cargo test --lib web::svg::tests::marks::render_marked_samples -- --ignored`.
#[test]
#[ignore]
fn render_marked_samples() {
    let mut zones = sample_zones();
    zones[4].alert = Some(alert(Shade::Red, 1, "⚠ 红色预警 · YG-01 · smoke = 1 ≥ 1"));
    zones[1].alert = Some(alert(Shade::Orange, 1, "⚠ 橙色预警 · DH-01"));
    zones[0].alert = Some(alert(Shade::Yellow, 1, "⚠ 黄色预警"));
    zones[5].alert = Some(alert(Shade::Blue, 1, "⚠ 蓝色预警"));
    zones[2].alert = Some(alert(Shade::Red, 1, "⚠ 红色预警"));
    let svg = campus_map("长春市二道区春华小学 · 风险四色图", &zones, &legend());
    std::fs::write("/tmp/campus_marked.svg", svg).unwrap();
    // The demo's site plans, a few zones marked.
    let root = env!("CARGO_MANIFEST_DIR");
    let layouts: toml::Value = toml::from_str(
        &std::fs::read_to_string(format!("{root}/assets/demo/layouts.toml")).unwrap(),
    )
    .unwrap();
    let levels = [Shade::Red, Shade::Orange, Shade::Yellow, Shade::Blue];
    for l in layouts["layouts"].as_array().unwrap() {
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
                    shade: [Shade::Blue, Shade::Yellow, Shade::Red, Shade::Orange][i % 4],
                    points: (i * 7) % 13,
                    href: None,
                    alert: (i % 4 == 1).then(|| alert(levels[i / 4 % 4], 1, "⚠")),
                }
            })
            .collect();
        let svg = campus_map("长春市二道区示范学校 · 风险四色图", &zones, &legend());
        assert_well_formed(&svg);
        let kind = l["kind"].as_str().unwrap();
        std::fs::write(format!("/tmp/campus_marked_{kind}.svg"), svg).unwrap();
    }
    let mut schools = changchun();
    schools[3].alert = Some(alert(Shade::Red, 2, "⚠ 2"));
    schools[2].alert = Some(alert(Shade::Yellow, 1, "⚠ 1"));
    schools[9].alert = Some(alert(Shade::Orange, 1, "⚠ 1"));
    let svg = district_map("二道区学校风险分布图", &schools, &legend(), "-");
    std::fs::write("/tmp/district_marked.svg", svg).unwrap();
}
