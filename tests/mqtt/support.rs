//! The broker side of the MQTT tests: where Mosquitto is (it must be there: a test fails,
//! never skips), a publisher that retries until the broker acknowledges, a private broker on a
//! port of its own that a test can stop and start again, and waiting for what the server did.

use crate::common::{TestApp, tempdir};
use axum::http::{Method, StatusCode};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::Packet;
use rumqttc::v5::{AsyncClient, Event, MqttOptions};
use safecampus::mqtt::Subscriber;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// The shared broker (`SAFECAMPUS_TEST_MQTT_URL`, default `mqtt://127.0.0.1:1883`), checked.
pub async fn broker() -> String {
    let url = std::env::var("SAFECAMPUS_TEST_MQTT_URL")
        .unwrap_or_else(|_| "mqtt://127.0.0.1:1883".into());
    let b = safecampus::mqtt::Broker::parse(&url).expect("SAFECAMPUS_TEST_MQTT_URL");
    let addr = format!("{}:{}", b.host, b.port);
    match tokio::time::timeout(
        Duration::from_secs(3),
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    {
        Ok(Ok(_)) => url,
        other => panic!(
            "Mosquitto must be reachable at {addr} for the MQTT tests (apt-get install mosquitto; \
             mosquitto -d -p 1883; or set SAFECAMPUS_TEST_MQTT_URL): {other:?}"
        ),
    }
}

/// A name no other test (or run) uses.
pub fn unique(what: &str) -> String {
    format!(
        "sc-{what}-{}-{}",
        std::process::id(),
        tempdir::rand_suffix()
    )
}

/// Starts the subscriber on `app`'s database for topics under `root`, and waits until the
/// broker granted its subscription.
pub async fn subscribe(app: &TestApp, url: &str, root: &str, client_id: &str) -> Subscriber {
    let cfg = safecampus::config::Mqtt {
        enabled: Some(true),
        url: url.into(),
        client_id: client_id.into(),
        topic: format!("{root}/devices/+/events"),
    };
    let s = safecampus::mqtt::start(&app.db, &cfg, &app.state.config().devices).expect("start");
    let before = s.subscriptions();
    wait_for("the subscription", 15, || async {
        s.subscriptions() > before
    })
    .await;
    s
}

/// Publishes a JSON message at QoS 1 until the broker acknowledges it.
pub async fn publish(url: &str, topic: &str, payload: &Value) {
    publish_raw(url, topic, serde_json::to_vec(payload).expect("json")).await
}

/// Publishes at QoS 1 until the broker acknowledges (a new connection per try, for 30 s).
pub async fn publish_raw(url: &str, topic: &str, bytes: Vec<u8>) {
    let b = safecampus::mqtt::Broker::parse(url).expect("url");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut last = String::new();
    while tokio::time::Instant::now() < deadline {
        let opts: MqttOptions = b.options(&unique("pub"));
        let (client, mut events) = AsyncClient::new(opts, 10);
        client
            .publish(topic, QoS::AtLeastOnce, false, bytes.clone())
            .await
            .expect("queue the message");
        let acked = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::PubAck(_))) => return Ok(()),
                    Ok(_) => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
        })
        .await;
        match acked {
            Ok(Ok(())) => {
                let _ = client.try_disconnect();
                let _ = tokio::time::timeout(Duration::from_millis(500), events.poll()).await;
                return;
            }
            Ok(Err(e)) => last = e,
            Err(_) => last = "no acknowledgement in 5 s".into(),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("the broker at {url} never acknowledged a message on {topic}: {last}");
}

/// Waits up to `secs` seconds for `check`, then fails naming `what`.
pub async fn wait_for<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {secs} s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Registers a device of `kind` at S001 as its safety director: (id, token).
pub async fn device(app: &mut TestApp, kind: &str, code: &str) -> (i64, String) {
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{s001}/devices"),
            Some(&t),
            &json!({"code": code, "kind": kind, "name": format!("测试{code}")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    (
        v["id"].as_i64().unwrap(),
        v["token"].as_str().unwrap().into(),
    )
}

/// The events stored for a device.
pub async fn stored(app: &TestApp, device: i64) -> i64 {
    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(&app.owner_url())
        .await
        .expect("connect");
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM device_events WHERE device_id = {device}"),
        ))
        .await
        .expect("count")
        .expect("a row");
    let n = row.try_get::<i64>("", "n").expect("n");
    conn.close().await.ok();
    n
}

/// The device (`what` = "") or one of its lists (`what` = "/rejections") as the API shows it to
/// `token`'s user.
pub async fn device_view(app: &TestApp, token: &str, device: i64, what: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/devices/{device}{what}"), Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// The reasons of a device's refused payloads, newest first.
pub async fn rejections(app: &TestApp, token: &str, device: i64) -> Vec<String> {
    let v = device_view(app, token, device, "/rejections").await;
    v.as_array()
        .expect("a list")
        .iter()
        .map(|r| r["reason"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The open warnings about a device, as `token`'s user sees them.
pub async fn open_warnings(app: &TestApp, token: &str, device: i64) -> Vec<Value> {
    let r = app
        .get("/api/v1/warnings?open=true&per_page=200", Some(token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let subject = format!("device:{device}");
    r.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|w| w["subject"] == subject)
        .cloned()
        .collect()
}

/// A Mosquitto of the test's own on a free port, with persistence in a folder of its own so
/// sessions and queued messages survive a restart.
pub struct Mosquitto {
    pub port: u16,
    child: Option<std::process::Child>,
    dir: tempdir::Dir,
}

fn mosquitto_binary() -> PathBuf {
    let path = std::env::var("PATH").unwrap_or_default();
    let dirs = path.split(':').chain(["/usr/sbin", "/usr/local/sbin"]);
    dirs.map(|d| PathBuf::from(d).join("mosquitto"))
        .find(|p| p.is_file())
        .expect("the mosquitto binary (apt-get install mosquitto) for the broker restart test")
}

impl Mosquitto {
    pub fn start() -> Mosquitto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempdir::Dir::new();
        // Started as root, the broker works as the `mosquitto` user: the folder must be writable.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o777)).ok();
        }
        let conf = format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n\
             persistence_location {}/\nlog_dest stderr\n",
            dir.0.display()
        );
        std::fs::write(dir.0.join("mosquitto.conf"), conf).expect("config");
        let mut m = Mosquitto {
            port,
            child: None,
            dir,
        };
        m.restart();
        m
    }

    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// Starts the broker (again) and waits until it listens.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::File::create(self.dir.0.join("mosquitto.log")).expect("log");
        let child = std::process::Command::new(mosquitto_binary())
            .arg("-c")
            .arg(self.dir.0.join("mosquitto.conf"))
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start mosquitto");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || std::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.0.join("mosquitto.log"));
                panic!("mosquitto did not start on port {}: {log:?}", self.port);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the broker as an operator would (SIGTERM: it saves its sessions and queues).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status();
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() {
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
