//! Outbound notifications of warnings (F-WARN-4) over HTTP: a bureau's channels receive a new
//! warning in the shape each robot accepts (DingTalk signed, WeCom, a generic webhook, e-mail
//! over SMTP), only at their minimum level and only from their own district or city; a dead
//! webhook never slows the ingest, is retried and ends `failed` in the delivery log; channels
//! are scoped, managed by the bureau alone, and never show their secret.

#[path = "http_outbox/calls.rs"]
mod calls;
mod common;
#[path = "http_outbox/stand_ins.rs"]
mod stand_ins;

use axum::http::{Method, StatusCode};
use calls::*;
use chrono::Utc;
use common::TestApp;
use safecampus::storage::Operator;
use serde_json::{Value, json};
use stand_ins::*;

#[tokio::test]
async fn each_channel_receives_a_new_warning_in_its_robots_shape_at_its_level() {
    let (base, hits) = robots().await;
    let (smtp, mails) = smtp_sink().await;
    let mut app = TestApp::with_config(config(smtp)).await;
    let (ed, cc, ng) = (
        app.org_id("ED").await,
        app.org_id("CC").await,
        app.org_id("NG").await,
    );
    let secret = "SEC0123456789abcdef";
    let ding = channel(
        &mut app,
        "bureau.officer",
        json!({"org_id": ed, "kind": "dingtalk",
        "name": "区教育局钉钉群", "target": format!("{base}/dingtalk?access_token=abc"),
        "secret": secret, "min_level": "red"}),
    )
    .await;
    assert_eq!(ding["secret_set"], true);
    assert!(ding.get("secret").is_none() && !ding.to_string().contains(secret));
    channel(&mut app, "bureau.officer", json!({"org_id": ed, "kind": "wecom",
        "name": "区安全科企业微信群", "target": format!("{base}/wecom?key=k1"), "min_level": "red"}))
    .await;
    channel(
        &mut app,
        "bureau.officer",
        json!({"org_id": ed, "kind": "email",
        "name": "安全科邮箱", "target": "anquan@ed.edu.test", "min_level": "orange"}),
    )
    .await;
    channel(
        &mut app,
        "city.officer",
        json!({"org_id": cc, "kind": "webhook",
        "name": "市局指挥平台", "target": format!("{base}/city"), "min_level": "yellow"}),
    )
    .await;
    // Another district's channel hears nothing of S001.
    channel(
        &mut app,
        "nanguan.officer",
        json!({"org_id": ng, "kind": "webhook",
        "name": "南关区平台", "target": format!("{base}/nanguan"), "min_level": "blue"}),
    )
    .await;

    let smoke = device(&mut app, "smoke", "YG-O-01").await;
    ingest(
        &app,
        &smoke,
        &[("a1", 30, "smoke", 0.0), ("a2", 20, "smoke", 1.0)],
    )
    .await;
    let w = newest_warning(&mut app).await;
    assert_eq!(w["level"], "red");
    let id = w["id"].as_i64().unwrap();
    let school = w["school_name"].as_str().unwrap().to_string();
    let link = format!("http://safecampus.test/warnings/{id}");
    // Nothing is sent before the job runs; a repeat adds no delivery.
    assert!(hits.lock().unwrap().is_empty());
    ingest(&app, &smoke, &[("a3", 10, "smoke", 1.0)]).await;
    drain(&app).await;

    let got = hits.lock().unwrap().clone();
    let at = |p: &str| {
        got.iter()
            .filter(|h| h.path == p)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(at("/nanguan").is_empty());
    // DingTalk: markdown with title and text, signed with the secret.
    let d = &at("/dingtalk")[0];
    assert_eq!(d.body["msgtype"], "markdown");
    let title = d.body["markdown"]["title"].as_str().unwrap();
    assert!(
        title.starts_with("[红色预警] ") && title.contains(&school),
        "{title}"
    );
    let text = d.body["markdown"]["text"].as_str().unwrap();
    assert!(text.contains("红色预警") && text.contains(&link), "{text}");
    assert!(
        text.contains("北京时间") && text.contains(&school),
        "{text}"
    );
    let q: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(&d.query).unwrap();
    assert_eq!(q["access_token"], "abc");
    let ts: i64 = q["timestamp"].parse().unwrap();
    assert!((Utc::now().timestamp_millis() - ts).abs() < 120_000);
    {
        use base64::Engine as _;
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{ts}\n{secret}").as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(q["sign"], expected, "DingTalk's signature");
    }
    // WeCom: markdown content.
    let c = &at("/wecom")[0];
    assert_eq!(c.body["msgtype"], "markdown");
    let content = c.body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.contains("红色预警") && content.contains(&link),
        "{content}"
    );
    assert_eq!(c.query, "key=k1");
    // The webhook: the warning as the API shows it.
    let city = &at("/city")[0];
    assert_eq!(city.body["id"], id);
    assert_eq!(city.body["level"], "red");
    assert_eq!(city.body["school_name"], school.as_str());
    assert_eq!(city.body["escalated_to"], json!(["district", "city"]));
    // E-mail.
    let m = mails.lock().unwrap().clone();
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].rcpt, vec!["<anquan@ed.edu.test>".to_string()]);
    let detail = w["detail"].as_str().unwrap();
    assert_eq!(subject(&m[0].data), format!("[红色预警] {school} {detail}"));
    assert!(
        m[0].data
            .contains("Content-Type: text/plain; charset=utf-8")
    );
    let text = body_text(&m[0].data);
    assert!(text.contains(&link) && text.contains("北京时间"), "{text}");

    // The log: four deliveries, each sent at the first attempt.
    let officer = app.login("bureau.officer").await;
    let log = deliveries(&app, &officer, "").await;
    let city_t = app.login("city.officer").await;
    let all = deliveries(&app, &city_t, "status=sent").await;
    assert_eq!(all.len(), 4, "{all:#?}");
    assert_eq!(
        log.len(),
        3,
        "the district sees its own channels' deliveries"
    );
    for d in &all {
        assert_eq!(d["warning_id"], id);
        assert_eq!(d["attempts"], 1);
        assert!(d["sent_at"].is_string());
    }
    assert_eq!(
        deliveries(&app, &officer, &format!("channel_id={}", ding["id"]))
            .await
            .len(),
        1
    );

    // An orange warning reaches the channels whose minimum it meets, not the red-only ones.
    let gas = device(&mut app, "gas", "RQ-O-01").await;
    ingest(
        &app,
        &gas,
        &[
            ("g1", 30, "gas_lel_pct", 30.0),
            ("g2", 10, "gas_lel_pct", 31.0),
        ],
    )
    .await;
    let w2 = newest_warning(&mut app).await;
    assert_eq!(w2["level"], "orange", "{w2}");
    drain(&app).await;
    let got = hits.lock().unwrap().clone();
    assert_eq!(got.len(), 4, "only the city's webhook more: {got:#?}");
    assert_eq!(got[3].path, "/city");
    assert_eq!(got[3].body["level"], "orange");
    let m = mails.lock().unwrap().clone();
    assert_eq!(m.len(), 2);
    assert!(subject(&m[1].data).starts_with("[橙色预警] "));
}

#[tokio::test]
async fn a_dead_webhook_never_slows_the_ingest_and_ends_failed_after_its_retries() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut app = TestApp::new().await;
    let ed = app.org_id("ED").await;
    let ch = channel(
        &mut app,
        "bureau.officer",
        json!({"org_id": ed, "kind": "webhook",
        "name": "已下线的平台", "target": format!("http://127.0.0.1:{dead}/hook")}),
    )
    .await;
    assert_eq!(ch["min_level"], "red", "red by default");
    let smoke = device(&mut app, "smoke", "YG-D-01").await;
    let took = ingest(&app, &smoke, &[("d1", 20, "smoke", 1.0)]).await;
    assert!(took < 1.0, "the ingest waited {took} s");
    let officer = app.login("bureau.officer").await;
    let log = deliveries(&app, &officer, "").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempts"], 0);

    drain(&app).await;
    let log = deliveries(&app, &officer, "status=failed").await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(log[0]["attempts"], 5, "retried until the queue gave up");
    assert!(log[0]["sent_at"].is_null());
    let err = log[0]["last_error"].as_str().unwrap();
    assert!(!err.is_empty());
    assert!(
        deliveries(&app, &officer, "status=pending")
            .await
            .is_empty()
    );
    let jobs = app
        .db
        .jobs(&Operator::command_line(), "t".into())
        .recent(50)
        .await
        .unwrap();
    assert!(
        jobs.iter()
            .any(|(k, _, s, n)| k == "outbox" && s == "failed" && *n == 5),
        "{jobs:?}"
    );
}

#[tokio::test]
async fn channels_are_scoped_managed_by_the_bureau_and_keep_their_secret() {
    let mut app = TestApp::new().await;
    let (ed, ng, s001) = (
        app.org_id("ED").await,
        app.org_id("NG").await,
        app.org_id("S001").await,
    );
    let body = |org: i64| {
        json!({"org_id": org, "kind": "dingtalk", "name": "区教育局钉钉群",
            "target": "https://oapi.dingtalk.com/robot/send?access_token=t0k", "secret": "SECxyz"})
    };
    let ch = channel(&mut app, "bureau.officer", body(ed)).await;
    let id = ch["id"].as_i64().unwrap();
    let officer = app.login("bureau.officer").await;

    // Validation, and scope: a school is not a bureau, another district is not found.
    let post = |b: Value| (Method::POST, "/api/v1/notification-channels".to_string(), b);
    let cases = [
        (post(body(s001)), 422, Some("org_id")),
        (post(body(ng)), 404, None),
        (
            post(json!({"org_id": ed, "kind": "webhook", "name": "x", "target": "ftp://h/x"})),
            422,
            Some("target"),
        ),
        (
            post(json!({"org_id": ed, "kind": "webhook", "name": "x", "target": "http:///x"})),
            422,
            Some("target"),
        ),
        (
            post(json!({"org_id": ed, "kind": "email", "name": "x", "target": "not-an-address"})),
            422,
            Some("target"),
        ),
        (
            post(json!({"org_id": ed, "kind": "fax", "name": "x", "target": "http://h"})),
            422,
            Some("kind"),
        ),
        (
            post(
                json!({"org_id": ed, "kind": "wecom", "name": "x", "target": "http://h", "min_level": "purple"}),
            ),
            422,
            Some("min_level"),
        ),
        (
            post(
                json!({"org_id": ed, "kind": "wecom", "name": "长".repeat(61), "target": "http://h"}),
            ),
            422,
            Some("name"),
        ),
        (
            post(
                json!({"org_id": ed, "kind": "wecom", "name": "x", "target": "http://h", "secret": "s"}),
            ),
            422,
            Some("secret"),
        ),
    ];
    for ((method, path, b), status, field) in cases {
        let r = app.json(method, &path, Some(&officer), &b).await;
        assert_eq!(r.status.as_u16(), status, "{b} {}", r.text());
        if let Some(f) = field {
            assert_eq!(r.json()["error"]["fields"][0]["field"], f, "{}", r.text());
        }
    }

    // A principal may not create one; a school sees no channels.
    let principal = app.login("s001.principal").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/notification-channels",
            Some(&principal),
            &body(ed),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .get("/api/v1/notification-channels", Some(&principal))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Another district's officer: not found, and not listed.
    let nanguan = app.login("nanguan.officer").await;
    let path = format!("/api/v1/notification-channels/{id}");
    let r = app
        .json(
            Method::PATCH,
            &path,
            Some(&nanguan),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/v1/notification-deliveries?channel_id={id}"),
            Some(&nanguan),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let listed = app
        .get("/api/v1/notification-channels", Some(&nanguan))
        .await
        .json();
    assert!(listed.as_array().unwrap().iter().all(|c| c["id"] != id));

    // A warning of S001 is delivered to 二道区's channel; 南关区 does not see the delivery.
    let smoke = device(&mut app, "smoke", "YG-S-01").await;
    ingest(&app, &smoke, &[("s1", 20, "smoke", 1.0)]).await;
    assert_eq!(deliveries(&app, &officer, "").await.len(), 1);
    assert!(deliveries(&app, &nanguan, "").await.is_empty());
    let r = app
        .get(
            "/api/v1/notification-deliveries?status=lost",
            Some(&officer),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The inspector reads but does not change; the city reads and changes.
    let inspector = app.login("bureau.inspector").await;
    let r = app
        .get("/api/v1/notification-channels", Some(&inspector))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .json(
            Method::PATCH,
            &path,
            Some(&inspector),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let city = app.login("city.officer").await;
    let r = app
        .json(
            Method::PATCH,
            &path,
            Some(&city),
            &json!({"min_level": "orange", "name": "钉钉群"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["min_level"], "orange");
    assert_eq!(
        r.json()["secret_set"],
        true,
        "a patch without a secret keeps it"
    );

    // The secret is never returned, by any route.
    for (who, url) in [
        (&officer, "/api/v1/notification-channels".to_string()),
        (&city, "/api/v1/notification-channels".to_string()),
        (&officer, "/api/v1/notification-deliveries".to_string()),
    ] {
        let r = app.get(&url, Some(who)).await;
        assert!(!r.text().contains("SECxyz"), "{url}: {}", r.text());
    }
    let r = app
        .json(Method::PATCH, &path, Some(&officer), &json!({"secret": ""}))
        .await;
    assert_eq!(r.json()["secret_set"], false, "an empty secret removes it");

    // Every change is audited, without the secret or the robot's token.
    let audit = app.audit("action=channel.create").await;
    assert!(!audit.is_empty());
    let updates = app.audit("action=channel.update").await;
    assert!(updates.len() >= 2, "{updates:?}");
    let text = format!("{audit:?}{updates:?}");
    assert!(!text.contains("SECxyz") && !text.contains("t0k"), "{text}");
}

/// A relay configured for STARTTLS or TLS never gets the message in the clear: against a
/// plain relay that offers no STARTTLS the mail is not sent, the delivery ends failed with the
/// reason, and nothing reached the relay's mailbox.
#[tokio::test]
async fn mail_to_a_tls_relay_is_never_sent_in_the_clear() {
    for scheme in ["smtp+starttls", "smtps"] {
        let (smtp, mails) = smtp_sink().await;
        let mut c = config(smtp);
        c.outbox.smtp_url = format!("{scheme}://127.0.0.1:{smtp}");
        c.outbox.timeout_seconds = 2;
        let mut app = TestApp::with_config(c).await;
        let ed = app.org_id("ED").await;
        channel(
            &mut app,
            "bureau.officer",
            json!({"org_id": ed, "kind": "email",
            "name": "安全科邮箱", "target": "anquan@ed.edu.test", "min_level": "red"}),
        )
        .await;
        let smoke = device(&mut app, "smoke", "YG-T-01").await;
        ingest(&app, &smoke, &[("t1", 20, "smoke", 1.0)]).await;
        drain(&app).await;
        let officer = app.login("bureau.officer").await;
        let log = deliveries(&app, &officer, "status=failed").await;
        assert_eq!(log.len(), 1, "{scheme}: {log:#?}");
        assert!(log[0]["sent_at"].is_null());
        let err = log[0]["last_error"].as_str().unwrap().to_lowercase();
        assert!(
            // STARTTLS not offered; a TLS handshake answered in plain text.
            err.contains("tls") || err.contains("corrupt message") || err.contains("handshake"),
            "{scheme}: {err}"
        );
        assert!(
            mails.lock().unwrap().is_empty(),
            "{scheme}: sent in the clear"
        );
    }
}
