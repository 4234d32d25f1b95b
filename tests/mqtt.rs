//! Readings through the MQTT broker (F-WARN-2) against a real Mosquitto
//! (`SAFECAMPUS_TEST_MQTT_URL`, default `mqtt://127.0.0.1:1883`; without it the tests fail):
//! a published batch is stored and raises its warning; the same message twice stores its
//! events once; a wrong token, another device's token and a bad body are refused and store
//! nothing; what is published while the server is away arrives when it returns, and the
//! subscriber rides out a broker restart. `safecampus simulate` over HTTP, through the broker
//! and in process. Every test has its own topics and client ids.

mod common;
#[path = "mqtt/support.rs"]
mod support;

use chrono::{Duration, Utc};
use common::TestApp;
use safecampus::domain::device::DeviceKind;
use safecampus::domain::ids::DeviceId;
use safecampus::simulate::{self, Plan, SimDevice, Target};
use serde_json::{Value, json};
use support::*;

fn ev(id: &str, secs_ago: i64, metric: &str, value: f64) -> Value {
    let at = (Utc::now() - Duration::seconds(secs_ago)).to_rfc3339();
    json!({"id": id, "at": at, "metric": metric, "value": value})
}

fn topic(root: &str, device: i64) -> String {
    format!("{root}/devices/{device}/events")
}

#[tokio::test]
async fn a_published_smoke_alarm_is_stored_and_raises_a_red_warning() {
    let url = broker().await;
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "smoke", "MQ-YG-01").await;
    let principal = app.login("s001.principal").await;
    let root = unique("alarm");
    let sub = subscribe(&app, &url, &root, &unique("srv")).await;
    let events = [ev("m1", 30, "smoke", 0.0), ev("m2", 20, "smoke", 1.0)];
    publish(
        &url,
        &topic(&root, dev),
        &json!({"token": token, "events": events}),
    )
    .await;
    wait_for("both events", 15, || async { stored(&app, dev).await == 2 }).await;
    let d = device_view(&app, &principal, dev, "").await;
    assert_eq!(d["last_values"]["smoke"], 1.0, "{d}");
    assert_eq!(d["online"], true);
    let open = open_warnings(&app, &principal, dev).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["rule"], "smoke.smoke.red");
    assert_eq!(open[0]["level"], "red");
    assert_eq!(open[0]["source"], "device");
    sub.stop().await;
}

#[tokio::test]
async fn the_same_message_twice_stores_its_events_once() {
    let url = broker().await;
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "gas", "MQ-RQ-01").await;
    let safety = app.login("s001.safety").await;
    let root = unique("twice");
    let sub = subscribe(&app, &url, &root, &unique("srv")).await;
    let events = [
        ev("g1", 30, "gas_lel_pct", 1.5),
        ev("g2", 20, "gas_lel_pct", 2.0),
    ];
    let batch = json!({"token": token, "events": events});
    publish(&url, &topic(&root, dev), &batch).await;
    publish(&url, &topic(&root, dev), &batch).await;
    // Messages are stored in the order they came: once the marker is in, both copies were.
    let marker = json!({"token": token, "events": [ev("g3", 10, "heartbeat", 1.0)]});
    publish(&url, &topic(&root, dev), &marker).await;
    wait_for("the marker", 15, || async {
        device_view(&app, &safety, dev, "").await["last_values"]["heartbeat"] == 1.0
    })
    .await;
    assert_eq!(stored(&app, dev).await, 3, "each event once");
    assert_eq!(rejections(&app, &safety, dev).await, Vec::<String>::new());
    sub.stop().await;
}

#[tokio::test]
async fn refused_messages_store_nothing_and_show_on_the_token_s_device() {
    let url = broker().await;
    let mut config = safecampus::config::Config::default();
    config.ops.metrics_token = Some("metrics-test-token".into());
    let mut app = TestApp::with_config(config).await;
    let (a, token_a) = device(&mut app, "smoke", "MQ-YG-A").await;
    let (b, token_b) = device(&mut app, "smoke", "MQ-YG-B").await;
    let safety = app.login("s001.safety").await;
    let root = unique("refused");
    let sub = subscribe(&app, &url, &root, &unique("srv")).await;
    let to_a = topic(&root, a);
    let one = |id: &str| json!([ev(id, 10, "smoke", 1.0)]);
    // A token that opens nothing.
    publish(
        &url,
        &to_a,
        &json!({"token": "not-a-device-token", "events": one("x1")}),
    )
    .await;
    // Another device's token on A's topic.
    publish(&url, &to_a, &json!({"token": token_b, "events": one("x2")})).await;
    // A's token with a body that is no batch, and no JSON at all.
    publish(&url, &to_a, &json!({"token": token_a, "events": "smoke"})).await;
    publish(
        &url,
        &to_a,
        &json!({"token": token_a, "events": one("x3"), "extra": 1}),
    )
    .await;
    publish_raw(&url, &to_a, b"smoke!".to_vec()).await;
    // A's token on a topic that names no device.
    let nobody = format!("{root}/devices/abc/events");
    publish(
        &url,
        &nobody,
        &json!({"token": token_a, "events": one("x4")}),
    )
    .await;
    // Larger than the server takes: the broker drops it rather than break the connection.
    let pad = "x".repeat(safecampus::storage::ingest::INGEST_LIMIT + 10_000);
    publish(
        &url,
        &to_a,
        &json!({"token": token_a, "events": one("x5"), "pad": pad}),
    )
    .await;
    // Then a good message: once it is in, everything before it was handled.
    let marker = json!({"token": token_a, "events": [ev("ok", 5, "smoke", 0.0)]});
    publish(&url, &to_a, &marker).await;
    wait_for("the marker", 15, || async { stored(&app, a).await == 1 }).await;

    assert_eq!(stored(&app, b).await, 0);
    assert_eq!(sub.connections(), 1, "one connection throughout");
    let d = device_view(&app, &safety, a, "").await;
    assert_eq!(d["last_values"], json!({"smoke": 0.0}), "only the marker");
    assert!(open_warnings(&app, &safety, a).await.is_empty());
    assert!(open_warnings(&app, &safety, b).await.is_empty());
    let mut of_a = rejections(&app, &safety, a).await;
    of_a.sort();
    assert_eq!(of_a, ["malformed", "malformed", "topic_mismatch"]);
    assert_eq!(rejections(&app, &safety, b).await, ["topic_mismatch"]);
    let text = device_view(&app, &safety, b, "/rejections")
        .await
        .to_string();
    assert!(!text.contains(&token_b), "a token is never kept");

    let m = app.get("/metrics", Some("metrics-test-token")).await;
    let m = m.text();
    for outcome in ["accepted", "refused"] {
        let line = format!("safecampus_mqtt_messages_total{{outcome=\"{outcome}\"}}");
        assert!(m.contains(&line), "{line} in\n{m}");
    }
    sub.stop().await;
}

#[tokio::test]
async fn what_is_published_while_the_server_is_away_arrives_when_it_returns() {
    let url = broker().await;
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "water_level", "MQ-SW-01").await;
    let root = unique("away");
    let id = unique("srv");
    let sub = subscribe(&app, &url, &root, &id).await;
    sub.stop().await;
    let batch = json!({"token": token, "events": [ev("w1", 5, "water_level_cm", 61.5)]});
    publish(&url, &topic(&root, dev), &batch).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(stored(&app, dev).await, 0, "nobody was listening");
    let sub = subscribe(&app, &url, &root, &id).await;
    wait_for("the queued message", 15, || async {
        stored(&app, dev).await == 1
    })
    .await;
    sub.stop().await;
}

#[tokio::test]
async fn the_subscriber_rides_out_a_broker_restart() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "smoke", "MQ-YG-R").await;
    let mut broker = Mosquitto::start();
    let url = broker.url();
    let root = unique("restart");
    let id = unique("srv");
    let sub = subscribe(&app, &url, &root, &id).await;
    let to = topic(&root, dev);
    publish(
        &url,
        &to,
        &json!({"token": token, "events": [ev("r1", 10, "smoke", 0.0)]}),
    )
    .await;
    wait_for("the first batch", 15, || async {
        stored(&app, dev).await == 1
    })
    .await;

    broker.stop();
    wait_for("the subscriber to notice", 15, || async {
        !sub.is_connected()
    })
    .await;
    broker.restart();
    // Published at once, whether or not the server is back yet: the broker keeps it.
    publish(
        &url,
        &to,
        &json!({"token": token, "events": [ev("r2", 5, "smoke", 1.0)]}),
    )
    .await;
    wait_for("the second batch", 30, || async {
        stored(&app, dev).await == 2
    })
    .await;
    wait_for("the reconnection", 15, || async { sub.is_connected() }).await;
    assert!(sub.connections() >= 2, "{} connections", sub.connections());

    // The broker keeps what it holds for the server across its own restart, too.
    sub.stop().await;
    publish(
        &url,
        &to,
        &json!({"token": token, "events": [ev("r3", 3, "smoke", 0.0)]}),
    )
    .await;
    broker.stop();
    broker.restart();
    let sub = subscribe(&app, &url, &root, &id).await;
    wait_for("the batch kept by the broker", 15, || async {
        stored(&app, dev).await == 3
    })
    .await;
    sub.stop().await;
}

/// The app on a real socket, as `serve` runs it.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let router = safecampus::web::app(app.state.clone());
    tokio::spawn(async move {
        let svc = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, svc).await.ok();
    });
    format!("http://{addr}")
}

fn plan(rate: f64, secs: u64, alarm_every: u64) -> Plan {
    Plan {
        rate,
        duration: Some(std::time::Duration::from_secs(secs)),
        alarm_every,
        alarm_for: std::time::Duration::ZERO,
    }
}

#[tokio::test]
async fn simulate_over_http_stores_readings_and_raises_the_alarm() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "smoke", "SIM-YG-01").await;
    let principal = app.login("s001.principal").await;
    let server = serve(&app).await;
    let devices = vec![SimDevice {
        token,
        kind: DeviceKind::Smoke,
        id: None,
    }];
    let s = simulate::run(
        &Target::Http { server },
        devices,
        plan(4.0, 3, 3),
        std::future::pending(),
    )
    .await
    .expect("a run");
    assert!(s.sent >= 4, "{s}");
    assert_eq!(
        (s.accepted, s.duplicates, s.rejected, s.failed),
        (s.sent, 0, 0, 0),
        "{s}"
    );
    assert_eq!(stored(&app, dev).await, s.sent as i64);
    let open = open_warnings(&app, &principal, dev).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["rule"], "smoke.smoke.red");
}

#[tokio::test]
async fn simulate_through_the_broker_reaches_the_subscriber() {
    let url = broker().await;
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "gas", "SIM-RQ-01").await;
    let principal = app.login("s001.principal").await;
    let root = unique("sim");
    let sub = subscribe(&app, &url, &root, &unique("srv")).await;
    let devices = vec![SimDevice {
        token,
        kind: DeviceKind::Gas,
        id: Some(DeviceId(dev)),
    }];
    let target = Target::Mqtt {
        url: url.clone(),
        topic: format!("{root}/devices/+/events"),
    };
    let s = simulate::run(&target, devices, plan(3.0, 2, 2), std::future::pending())
        .await
        .expect("a run");
    let (acked, published) = s.broker_acks.expect("through the broker");
    assert!(published >= 1 && acked == published && s.failed == 0, "{s}");
    wait_for("every reading", 15, || async {
        stored(&app, dev).await == s.sent as i64
    })
    .await;
    let open = open_warnings(&app, &principal, dev).await;
    assert_eq!(open.len(), 1, "gas 55 %LEL is red at once: {open:?}");
    assert_eq!(open[0]["rule"], "gas.gas_lel_pct.red");
    sub.stop().await;
}

#[tokio::test]
async fn simulate_in_process_writes_through_the_ingest() {
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "electrical_fire", "SIM-DQ-01").await;
    let (other, _) = device(&mut app, "smoke", "SIM-YG-02").await;
    let devices = vec![(DeviceId(dev), token.clone()), (DeviceId(other), token)];
    let stop = tokio::time::sleep(std::time::Duration::from_secs(2));
    let mut p = plan(5.0, 60, 0);
    p.duration = None;
    let s = simulate::run_in_process(&app.db, devices, p, stop)
        .await
        .expect("a run");
    assert!(s.sent >= 5, "{s}");
    assert_eq!((s.accepted, s.rejected, s.failed), (s.sent, 0, 0), "{s}");
    assert_eq!(stored(&app, dev).await, s.sent as i64);
    assert_eq!(
        stored(&app, other).await,
        0,
        "a token plays only its own device"
    );
}

/// A burst queued at the broker while the server was away is stored whole when it returns: the
/// connection task never waits for the storing task (it once did, and both stopped after about
/// 150 messages, their acknowledgements stuck behind a full queue).
#[tokio::test]
async fn a_burst_queued_at_the_broker_is_stored_whole() {
    use rumqttc::v5::mqttbytes::v5::Packet;
    use rumqttc::v5::{AsyncClient, Event};
    let url = broker().await;
    let mut app = TestApp::new().await;
    let (dev, token) = device(&mut app, "smoke", "MQ-BURST-1").await;
    let root = unique("burst");
    let id = unique("srv");
    let sub = subscribe(&app, &url, &root, &id).await;
    sub.stop().await;
    const MESSAGES: usize = 400;
    const EVENTS: usize = 20;
    let b = safecampus::mqtt::Broker::parse(&url).expect("url");
    let (client, mut events) = AsyncClient::new(b.options(&unique("burst-pub")), MESSAGES + 10);
    let at = chrono::Utc::now().to_rfc3339();
    for m in 0..MESSAGES {
        let evs: Vec<serde_json::Value> = (0..EVENTS)
            .map(
                |e| json!({"id": format!("b{m}-{e}"), "at": at, "metric": "heartbeat", "value": 1}),
            )
            .collect();
        let body = json!({"token": token, "events": evs}).to_string();
        client
            .publish(
                topic(&root, dev),
                rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
                false,
                body,
            )
            .await
            .expect("queue");
    }
    let mut acked = 0;
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while acked < MESSAGES {
            if let Ok(Event::Incoming(Packet::PubAck(_))) = events.poll().await {
                acked += 1;
            }
        }
    })
    .await
    .expect("the broker took the burst");
    let sub = subscribe(&app, &url, &root, &id).await;
    wait_for("the whole burst", 90, || async {
        stored(&app, dev).await == (MESSAGES * EVENTS) as i64
    })
    .await;
    sub.stop().await;
}
