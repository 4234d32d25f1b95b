//! The early warning's management pages over HTTP: one device (`/devices/{id}`), the bureau's
//! notification channels and their delivery log (`/channels`, `/channels/deliveries`), and the
//! risk index drilled down (`/risk-index`). Each page renders for the roles the policy allows,
//! in both languages; school accounts cannot reach the channels; another school's device is
//! 404; a refused form answers on the page with its message and changes nothing; a channel's
//! secret (and its robot's access token) never appears in any page.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use common::TestApp;
use serde_json::{Value, json};

fn at(secs_ago: i64) -> String {
    (Utc::now() - Duration::seconds(secs_ago)).to_rfc3339()
}

async fn page(app: &TestApp, path: &str, token: &str) -> common::Resp {
    app.get(path, Some(token)).await
}

async fn page_en(app: &TestApp, path: &str, token: &str) -> common::Resp {
    app.request(
        Method::GET,
        path,
        Some(token),
        None,
        vec![],
        &[("cookie", "lang=en")],
    )
    .await
}

fn ok(r: &common::Resp, what: &str) -> String {
    assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text());
    r.text()
}

/// The channels in the caller's scope, as the API shows them.
async fn channels_of(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/notification-channels", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// A device of S001 in one of its zones (as its safety director): (id, token, zone name).
async fn placed_device(app: &mut TestApp, kind: &str, code: &str) -> (i64, String, String) {
    let safety = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let zones = app
        .get(&format!("/api/v1/schools/{s001}/zones"), Some(&safety))
        .await
        .json();
    let zone = &zones.as_array().expect("zones")[0];
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/devices"),
            Some(&safety),
            &json!({"code": code, "kind": kind, "name": format!("测试{code}"),
                "zone_id": zone["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    (
        v["id"].as_i64().expect("id"),
        v["token"].as_str().expect("token").to_string(),
        zone["name"].as_str().expect("name").to_string(),
    )
}

#[tokio::test]
async fn the_device_page_shows_its_state_values_warnings_and_refusals() {
    let mut app = TestApp::new().await;
    let (gas, gas_token, zone) = placed_device(&mut app, "gas", "RQ-P-01").await;
    // A good reading, then two bad events, then a payload that is not a batch at all.
    let report = app
        .ingest(
            &gas_token,
            json!([
                {"id": "g1", "at": at(20), "metric": "gas_lel_pct", "value": 3.5},
                {"id": "evt-future", "at": at(-600), "metric": "gas_lel_pct", "value": 1},
                {"id": "evt-range", "at": at(5), "metric": "gas_lel_pct", "value": 101},
            ]),
        )
        .await;
    assert_eq!(report["accepted"], 1, "{report}");
    let r = app
        .ingest_raw(&format!("Device {gas_token}"), b"{not json".to_vec())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A smoke detector in alarm: one open red warning.
    let (smoke, smoke_token) = app.s001_device("smoke", "YG-P-01").await;
    app.ingest(
        &smoke_token,
        json!([{"id": "s1", "at": at(3), "metric": "smoke", "value": 1}]),
    )
    .await;

    let principal = app.login("s001.principal").await;
    let html = ok(
        &page(&app, &format!("/devices/{gas}"), &principal).await,
        "gas",
    );
    for want in [
        "RQ-P-01",
        "可燃气体探测器",
        zone.as_str(),
        "春华小学",
        "在线",
        "3.5 %LEL",
        "可燃气体浓度（%LEL）",
        "有效",
        "id=\"do-rotate\"",
        "id=\"do-revoke\"",
        // The reasons as labels, with the offending event ids.
        "时间比服务器时钟超前 5 分钟以上",
        "数值超出该指标的合理范围",
        "整批数据无法解析",
        "整批数据",
        "evt-future",
        "evt-range",
        "该设备目前没有未关闭的预警",
    ] {
        assert!(html.contains(want), "{want} missing from the device page");
    }
    // Newest first: the whole payload came last.
    let whole = html.find("整批数据无法解析").unwrap();
    let event = html.find("evt-range").unwrap();
    assert!(whole < event, "the newest refusal first");
    assert!(
        !html.contains("unknown_field") && !html.contains(">in_future<"),
        "reason codes are shown as labels"
    );

    // The smoke detector's page lists its open warning, linked.
    let list = app
        .get("/api/v1/warnings?open=true&per_page=200", Some(&principal))
        .await
        .json();
    let w = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["subject"] == format!("device:{smoke}"))
        .expect("the smoke warning")
        .clone();
    let html = ok(
        &page(&app, &format!("/devices/{smoke}"), &principal).await,
        "smoke",
    );
    assert!(html.contains(&format!("href=\"/warnings/{}\"", w["id"])));
    assert!(html.contains("烟雾报警") && html.contains("待确认"));
    assert!(
        html.contains(&format!("device_id={smoke}")),
        "all its warnings"
    );
    // That link lists the device's warnings only.
    let html = ok(
        &page(
            &app,
            &format!("/warnings?device_id={smoke}&open=0"),
            &principal,
        )
        .await,
        "filtered list",
    );
    assert!(html.contains(&format!("id=\"w-{}\"", w["id"])));
    assert!(
        html.contains("id=\"risk-index-link\""),
        "the risk index link"
    );

    // The list page links each device to its page.
    let s001 = app.org_id("S001").await;
    let html = ok(
        &page(&app, &format!("/schools/{s001}/devices"), &principal).await,
        "list",
    );
    assert!(html.contains(&format!("href=\"/devices/{gas}\"")));
    // The warning's page links its device.
    let html = ok(
        &page(&app, &format!("/warnings/{}", w["id"]), &principal).await,
        "warning",
    );
    assert!(html.contains(&format!("href=\"/devices/{smoke}\"")));

    // Every business role of the school and the bureaus above reads it; only managers get
    // the token forms; the system accounts are refused.
    for (who, manages) in [
        ("s001.safety", true),
        ("s001.staff", false),
        ("s001.guard", false),
        ("bureau.officer", true),
        ("bureau.leader", false),
        ("bureau.inspector", false),
        ("city.officer", true),
    ] {
        let t = app.login(who).await;
        let html = ok(&page(&app, &format!("/devices/{gas}"), &t).await, who);
        assert_eq!(html.contains("id=\"do-rotate\""), manages, "{who}");
    }
    let sys = app.login("sysadmin").await;
    assert_eq!(
        page(&app, &format!("/devices/{gas}"), &sys).await.status,
        StatusCode::FORBIDDEN
    );

    // In English.
    let html = ok(
        &page_en(&app, &format!("/devices/{gas}"), &principal).await,
        "en",
    );
    for want in [
        "Combustible-gas detector",
        "Online",
        "3.5 %LEL",
        "Whole payload",
        "The batch could not be read",
        "Refused data, newest first",
    ] {
        assert!(html.contains(want), "{want} missing from the English page");
    }
}

#[tokio::test]
async fn a_token_replaced_or_revoked_on_the_device_page_comes_back_there() {
    let mut app = TestApp::new().await;
    let (dev, old_token) = app.s001_device("smoke", "YG-P-02").await;
    let principal = app.login("s001.principal").await;
    let r = app
        .form(
            &format!("/devices/{dev}/token"),
            Some(&principal),
            &[("back", "device")],
        )
        .await;
    let html = ok(&r, "rotate");
    assert!(html.contains("id=\"device-token\"") && html.contains("id=\"device-facts\""));
    let r = app
        .ingest_raw(
            &format!("Device {old_token}"),
            serde_json::to_vec(
                &json!({"events": [{"id": "x", "at": at(1), "metric": "smoke", "value": 0}]}),
            )
            .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the old token stopped");
    let r = app
        .form(
            &format!("/devices/{dev}/revoke"),
            Some(&principal),
            &[("back", "device")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), format!("/devices/{dev}"));
    let html = ok(
        &page(&app, &format!("/devices/{dev}"), &principal).await,
        "revoked",
    );
    assert!(html.contains("已停用") && !html.contains("id=\"do-revoke\""));
    // Without `back` the forms answer on the school's list as before.
    let r = app
        .form(&format!("/devices/{dev}/token"), Some(&principal), &[])
        .await;
    assert!(ok(&r, "list").contains("id=\"device-list\""));
}

#[tokio::test]
async fn another_schools_device_is_not_found() {
    let mut app = TestApp::new().await;
    let (dev, _) = app.s001_device("smoke", "YG-P-03").await;
    for who in [
        "s002.principal",
        "s002.guard",
        "nanguan.officer",
        "n001.safety",
    ] {
        let t = app.login(who).await;
        let r = page(&app, &format!("/devices/{dev}"), &t).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        assert!(!r.text().contains("YG-P-03"), "{who} learns nothing");
        let r = app
            .form(
                &format!("/devices/{dev}/token"),
                Some(&t),
                &[("back", "device")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} replaces nothing");
    }
    let principal = app.login("s001.principal").await;
    let r = page(&app, "/devices/987654321", &principal).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = page(&app, "/devices/abc", &principal).await;
    assert!(r.status.is_client_error());
}

#[tokio::test]
async fn the_channels_pages_are_the_bureaus_alone() {
    let mut app = TestApp::new().await;
    let ed = app.org_id("ED").await;
    let officer = app.login("bureau.officer").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/notification-channels",
            Some(&officer),
            &json!({"org_id": ed, "kind": "webhook", "name": "区安全科平台",
                "target": "http://127.0.0.1:9/hook", "min_level": "yellow"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();

    for (who, manages) in [
        ("bureau.officer", true),
        ("city.officer", true),
        ("bureau.leader", false),
        ("bureau.inspector", false),
    ] {
        let t = app.login(who).await;
        let html = ok(&page(&app, "/channels", &t).await, who);
        assert!(
            html.contains("区安全科平台"),
            "{who} sees the district's channel"
        );
        assert!(html.contains("href=\"/channels\""), "{who}: the menu entry");
        assert_eq!(html.contains("id=\"channel-form\""), manages, "{who}");
        assert_eq!(html.contains("id=\"toggle-"), manages, "{who}");
        ok(&page(&app, "/channels/deliveries", &t).await, who);
        ok(
            &page(&app, &format!("/channels/deliveries?channel_id={id}"), &t).await,
            who,
        );
    }
    // Another district's officer does not see it, nor can change it.
    let nanguan = app.login("nanguan.officer").await;
    assert!(!ok(&page(&app, "/channels", &nanguan).await, "nanguan").contains("区安全科平台"));
    let r = app
        .form(
            &format!("/channels/{id}"),
            Some(&nanguan),
            &[("set_enabled", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = page(
        &app,
        &format!("/channels/deliveries?channel_id={id}"),
        &nanguan,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // School accounts cannot reach the channels at all, nor see the menu entry.
    let before = channels_of(&app, &officer).await;
    for who in ["s001.principal", "s001.guard", "s001.safety"] {
        let t = app.login(who).await;
        for path in ["/channels", "/channels/deliveries"] {
            assert_eq!(
                page(&app, path, &t).await.status,
                StatusCode::FORBIDDEN,
                "{who} {path}"
            );
        }
        let r = app
            .form(
                "/channels/new",
                Some(&t),
                &[
                    ("org_id", &ed.to_string()),
                    ("kind", "webhook"),
                    ("name", "学校自建"),
                    ("target", "http://127.0.0.1:9/x"),
                    ("min_level", "blue"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        let r = app
            .form(
                &format!("/channels/{id}"),
                Some(&t),
                &[("set_enabled", "0")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{who}: not in a school's scope"
        );
        let home = ok(&page(&app, "/warnings", &t).await, who);
        assert!(!home.contains("href=\"/channels\""), "{who}: no menu entry");
    }
    // The bureau leader reads but does not change.
    let leader = app.login("bureau.leader").await;
    let r = app
        .form(
            &format!("/channels/{id}"),
            Some(&leader),
            &[("set_enabled", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(channels_of(&app, &officer).await, before, "nothing changed");

    // English.
    let html = ok(&page_en(&app, "/channels", &officer).await, "en");
    for want in [
        "Alert channels",
        "Webhook",
        "Minimum level",
        "Add a channel",
    ] {
        assert!(html.contains(want), "{want}");
    }
}

#[tokio::test]
async fn channel_forms_add_change_and_refuse_bad_input_on_the_page() {
    let mut app = TestApp::new().await;
    let ed = app.org_id("ED").await;
    let s001 = app.org_id("S001").await;
    let officer = app.login("bureau.officer").await;
    let ed_s = ed.to_string();

    // Bad input: each answered on the page (422) with its message; nothing is written.
    let before = channels_of(&app, &officer).await;
    for (fields, message) in [
        (
            vec![
                ("kind", "webhook"),
                ("target", "ftp://x"),
                ("name", "坏地址通道"),
            ],
            "地址须为带主机名的 http:// 或 https:// 网址",
        ),
        (
            vec![
                ("kind", "email"),
                ("target", "not-an-address"),
                ("name", "坏邮箱"),
            ],
            "邮件地址格式不正确",
        ),
        (
            vec![
                ("kind", "webhook"),
                ("target", "http://127.0.0.1:9/a"),
                ("name", ""),
            ],
            "通道名称须为 1 至 60 个字",
        ),
        (
            vec![
                ("kind", "wecom"),
                ("target", "https://qyapi.weixin.qq.com/x?key=1"),
                ("name", "企业微信"),
                ("secret", "SECabc"),
            ],
            "只有钉钉机器人使用加签密钥",
        ),
    ] {
        let mut pairs = vec![("org_id", ed_s.as_str()), ("min_level", "red")];
        pairs.extend(fields);
        let r = app.form("/channels/new", Some(&officer), &pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{pairs:?}");
        let html = r.text();
        assert!(html.contains(message), "{message} missing: {pairs:?}");
        assert!(html.contains("id=\"form-error\""));
        assert!(html.contains("id=\"channel-form\""), "the form again");
        assert!(!html.contains("SECabc"), "a typed secret is not shown back");
    }
    // A school is no bureau; a district of another city is not in scope (404).
    let r = app
        .form(
            "/channels/new",
            Some(&officer),
            &[
                ("org_id", &s001.to_string()),
                ("kind", "webhook"),
                ("name", "学校"),
                ("target", "http://127.0.0.1:9/a"),
                ("min_level", "red"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("推送通道只能设在区县或市教育局"));
    let ng = app.org_id("NG").await;
    let r = app
        .form(
            "/channels/new",
            Some(&officer),
            &[
                ("org_id", &ng.to_string()),
                ("kind", "webhook"),
                ("name", "别区"),
                ("target", "http://127.0.0.1:9/a"),
                ("min_level", "red"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .form(
            "/channels/new",
            Some(&officer),
            &[("org_id", "x"), ("kind", "webhook")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(channels_of(&app, &officer).await, before, "nothing added");

    // A good one: back to the page, where it is listed.
    let r = app
        .form(
            "/channels/new",
            Some(&officer),
            &[
                ("org_id", &ed_s),
                ("kind", "email"),
                ("name", "安全科邮箱"),
                ("target", "anquan@ed.edu.test"),
                ("min_level", "orange"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = channels_of(&app, &officer).await;
    let ch = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "安全科邮箱")
        .expect("added")
        .clone();
    let id = ch["id"].as_i64().unwrap();
    assert_eq!(r.header("location"), format!("/channels#channel-{id}"));
    assert_eq!(
        (&ch["kind"], &ch["min_level"], &ch["enabled"]),
        (&json!("email"), &json!("orange"), &json!(true))
    );
    let html = ok(&page(&app, "/channels", &officer).await, "listed");
    assert!(html.contains(&format!("id=\"channel-{id}\"")) && html.contains("anquan@ed.edu.test"));

    // Edit with an empty name: 422 on its own form, opened; nothing changed.
    let before = channels_of(&app, &officer).await;
    let path = format!("/channels/{id}");
    let r = app
        .form(
            &path,
            Some(&officer),
            &[
                ("kind", "email"),
                ("name", " "),
                ("target", ""),
                ("min_level", "orange"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("通道名称须为 1 至 60 个字"));
    assert!(
        html.contains(&format!("open id=\"edit-{id}\"")),
        "its form open"
    );
    assert_eq!(channels_of(&app, &officer).await, before, "nothing changed");

    // Edit: a new name and level, the address kept (left empty); then off and on again.
    let r = app
        .form(
            &path,
            Some(&officer),
            &[
                ("kind", "email"),
                ("name", "安全科值班邮箱"),
                ("target", ""),
                ("min_level", "yellow"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let find = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    };
    let ch = find(&channels_of(&app, &officer).await);
    assert_eq!(ch["name"], "安全科值班邮箱");
    assert_eq!(ch["min_level"], "yellow");
    assert_eq!(ch["target"], "anquan@ed.edu.test", "the address kept");
    let r = app
        .form(&path, Some(&officer), &[("set_enabled", "0")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ch = find(&channels_of(&app, &officer).await);
    assert_eq!(
        (ch["enabled"].clone(), ch["name"].clone()),
        (json!(false), json!("安全科值班邮箱"))
    );
    let html = ok(&page(&app, "/channels", &officer).await, "disabled");
    assert!(html.contains("已停用"));
    let r = app
        .form(&path, Some(&officer), &[("set_enabled", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(find(&channels_of(&app, &officer).await)["enabled"], true);
}

#[tokio::test]
async fn a_channel_secret_never_appears_in_any_page() {
    let mut app = TestApp::new().await;
    let ed = app.org_id("ED").await;
    let officer = app.login("bureau.officer").await;
    let secret = "SECd0n0tsh0wme9f8e7d6c5b4a3";
    let access = "acc355t0k3nsh0uldst4yh1dd3n";
    let r = app
        .form(
            "/channels/new",
            Some(&officer),
            &[
                ("org_id", &ed.to_string()),
                ("kind", "dingtalk"),
                ("name", "区教育局钉钉群"),
                (
                    "target",
                    &format!("https://oapi.dingtalk.com/robot/send?access_token={access}"),
                ),
                ("secret", secret),
                ("min_level", "blue"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let ch = channels_of(&app, &officer).await;
    let id = ch.as_array().unwrap()[0]["id"].as_i64().unwrap();
    assert_eq!(ch.as_array().unwrap()[0]["secret_set"], true);

    // A warning of S001 is queued for it (a delivery row).
    let (_, token) = app.s001_device("smoke", "YG-P-04").await;
    app.ingest(
        &token,
        json!([{"id": "s1", "at": at(2), "metric": "smoke", "value": 1}]),
    )
    .await;
    let w = app
        .get("/api/v1/warnings?open=true", Some(&officer))
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();

    // A refused edit that typed a new secret, answered on the page.
    let refused = app
        .form(
            &format!("/channels/{id}"),
            Some(&officer),
            &[
                ("kind", "dingtalk"),
                ("name", ""),
                ("target", ""),
                ("secret", "SECtypedbutrefused"),
                ("min_level", "blue"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut pages = vec![refused];
    for path in [
        "/channels".to_string(),
        "/channels/deliveries".to_string(),
        format!("/channels/deliveries?channel_id={id}"),
        "/warnings".to_string(),
        format!("/warnings/{w}"),
        "/risk-index".to_string(),
    ] {
        pages.push(page(&app, &path, &officer).await);
        pages.push(page_en(&app, &path, &officer).await);
    }
    let city = app.login("city.officer").await;
    pages.push(page(&app, "/channels", &city).await);
    for p in &pages {
        let html = p.text();
        assert!(!html.contains(secret), "the secret was shown");
        assert!(!html.contains(access), "the robot's access token was shown");
        assert!(
            !html.contains("SECtypedbutrefused"),
            "a typed secret came back"
        );
    }
    let html = pages[1].text();
    assert!(html.contains("已设置（不显示）"), "whether a secret is set");
    assert!(html.contains("https://oapi.dingtalk.com/robot/send?…"));
    // The delivery log lists the warning's delivery to it, linked.
    let log = pages[3].text();
    assert!(log.contains("区教育局钉钉群"));
    assert!(log.contains(&format!("href=\"/warnings/{w}\"")));
    assert!(log.contains("待发送"));
    let log_en = pages[4].text();
    assert!(log_en.contains("Delivery log") && log_en.contains("Pending"));
}

#[tokio::test]
async fn the_risk_index_lists_the_schools_and_breaks_one_down() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let ed = app.org_id("ED").await;
    let officer = app.login("bureau.officer").await;
    let api = app
        .get(&format!("/api/v1/risk-index?org_id={ed}"), Some(&officer))
        .await
        .json();
    let items = api["items"].as_array().unwrap();
    assert!(items.len() >= 2, "{api}");

    // The district's schools, riskiest first, as the API counts them.
    let html = ok(&page(&app, "/risk-index", &officer).await, "list");
    let mut last = 0;
    for s in items {
        let row = format!("id=\"school-{}\"", s["school_id"]);
        let at = html.find(&row).unwrap_or_else(|| panic!("{row} missing"));
        assert!(at > last, "riskiest first");
        last = at;
        assert!(html.contains(&format!("/risk-index?org_id={}", s["school_id"])));
    }
    for want in [
        "风险等级",
        "未整改隐患",
        "超期隐患",
        "半月自查缺报",
        "未关闭预警",
        "指数构成与权重",
    ] {
        assert!(html.contains(want), "{want}");
    }
    // The weights in force.
    assert!(html.contains("id=\"weight-grades\""));
    let filtered = ok(
        &page(&app, &format!("/risk-index?org_id={ed}"), &officer).await,
        "district",
    );
    assert!(filtered.contains(&format!("id=\"school-{}\"", items[0]["school_id"])));

    // One school's breakdown: its parts, the counts, the links to what is behind them.
    let s = items
        .iter()
        .find(|s| s["school_id"] == s001)
        .expect("S001")
        .clone();
    // (Askama writes `&` in an attribute as `&#38;`.)
    let html = ok(
        &page(&app, &format!("/risk-index?org_id={s001}"), &officer).await,
        "school",
    )
    .replace("&#38;", "&amp;");
    assert!(
        html.contains(&format!(">{}</span>", s["index"])),
        "the index"
    );
    for part in ["grades", "hazards", "overdue", "missed_checks", "warnings"] {
        assert!(html.contains(&format!("id=\"part-{part}\"")), "{part}");
    }
    for link in [
        format!("/hazards?school_id={s001}&amp;status=open"),
        format!("/hazards?school_id={s001}&amp;overdue=true"),
        format!("/warnings?org_id={s001}"),
        format!("/inspections?org_id={s001}&amp;kind=half_month"),
        format!("/schools/{s001}/risks"),
    ] {
        assert!(html.contains(&link), "{link} missing");
    }
    assert!(html.contains(&format!("<b>{}</b>", s["inputs"]["open_hazards"])));
    assert!(html.contains("id=\"index-back\""));

    // A school's principal gets the own school's breakdown; another school's is 404.
    let principal = app.login("s001.principal").await;
    let html = ok(&page(&app, "/risk-index", &principal).await, "own");
    assert!(html.contains("id=\"part-grades\"") && !html.contains("id=\"index-back\""));
    let s002 = app.org_id("S002").await;
    let r = page(&app, &format!("/risk-index?org_id={s002}"), &principal).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = page(&app, "/risk-index?org_id=x", &principal).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let guard = app.login("s001.guard").await;
    ok(&page(&app, "/risk-index", &guard).await, "guard");
    let nanguan = app.login("nanguan.officer").await;
    let r = page(&app, &format!("/risk-index?org_id={s001}"), &nanguan).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let sys = app.login("sysadmin").await;
    assert_eq!(
        page(&app, "/risk-index", &sys).await.status,
        StatusCode::FORBIDDEN
    );

    // In English.
    let html = ok(
        &page_en(&app, &format!("/risk-index?org_id={s001}"), &officer).await,
        "en",
    );
    for want in [
        "Risk index",
        "Open hazards",
        "Overdue hazards",
        "Counted from",
        "Weight (share)",
    ] {
        assert!(html.contains(want), "{want}");
    }
    let city = app.login("city.officer").await;
    let html = ok(&page_en(&app, "/risk-index", &city).await, "city");
    assert!(html.contains("Parts and weights"));
}
