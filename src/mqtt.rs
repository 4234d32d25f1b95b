//! Device readings through an MQTT broker (Mosquitto), beside `POST /api/v1/ingest`.
//!
//! A device publishes `{"token": "...", "events": [...]}` at QoS 1 to
//! `safecampus/devices/<device id>/events`. The token must belong to the device the topic
//! names; the batch is read and stored by the same code as over HTTP
//! ([`crate::storage::ingest`]), so both paths check, refuse and store alike.
//!
//! - **At least once.** The subscription is QoS 1 on a persistent MQTT 5 session (clean start
//!   off, a week's session expiry), so the broker keeps what devices publish while the server is
//!   away and delivers it when it returns. Acknowledgements are manual: a message is acknowledged
//!   after its batch committed, or once it is refused for good (a bad token or body: a copy
//!   would be refused again). A database error is not acknowledged: the message is retried in
//!   place, with a growing pause, and if the server stops first the broker delivers it again.
//!   A copy delivered twice is harmless (events are stored once per device and event id).
//! - **Order and a slow database.** Messages are stored in the order they came, on a task of
//!   their own — the messages waiting at once (up to [`GROUP_MAX`]) in one transaction, a group
//!   commit — so acknowledgements leave in the order MQTT requires while the
//!   connection task keeps polling (pings, reconnects) however long a write takes. The
//!   connection task never waits for the storing task: the acknowledgements travel through
//!   the client's request channel, which only the connection task's polling drains, so a
//!   connection task waiting for a full queue while the storing task waits to acknowledge
//!   would stop both (a burst of queued messages did exactly that, with Mosquitto delivering
//!   more than [`RECEIVE_MAXIMUM`] at once). The queue between them is unbounded; what fills it
//!   is what the broker sends unacknowledged (its in-flight limit and its queue per session
//!   bound that), and a queue of more than [`QUEUE_WARN`] messages is logged. An
//!   acknowledgement for a connection that has since dropped is not sent (the broker delivers
//!   that message again on the new one).
//! - **The broker going away.** The connection is retried with a pause doubling up to five
//!   seconds; the outage is logged once when it starts and once when it ends; every new
//!   connection subscribes again (a broker that lost the session lost the subscription too).
//!   The broker is told the largest packet the server takes (MQTT 5 maximum packet size: a
//!   batch at the HTTP limit and its token), so it drops an oversized message instead of
//!   sending it and breaking the connection over and over.

use crate::config;
use crate::domain::ids::DeviceId;
use crate::error::Chain;
use crate::storage::Db;
use crate::storage::ingest::{
    Batch, DeviceCaller, INGEST_LIMIT, Ingest, IngestReport, read_message, refusal_reason,
};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{DisconnectReasonCode, Packet, Publish, SubscribeReasonCode};
use rumqttc::v5::{AsyncClient, Event, EventLoop, MqttOptions};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

mod broker;

pub use broker::{Broker, Filter};

/// Unacknowledged messages the broker may have on their way to the server at once.
pub const RECEIVE_MAXIMUM: u16 = 32;
/// Messages waiting to be stored above which the connection task warns (once per burst).
pub const QUEUE_WARN: usize = 2_000;
/// How long the broker keeps the server's session (and the readings queued for it) after the
/// connection ends: a week.
const SESSION_EXPIRY_S: u32 = 7 * 24 * 3600;
/// The largest packet the server accepts: a batch at its HTTP limit, its token and its topic.
const MAX_PACKET: u32 = (INGEST_LIMIT + 4096) as u32;
const MIN_PAUSE: Duration = Duration::from_millis(200);
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// What the connection has done so far (for tests and logs).
#[derive(Default)]
struct Status {
    connected: AtomicBool,
    connections: AtomicU64,
    subscriptions: AtomicU64,
    /// Messages received and not yet stored.
    queued: AtomicU64,
}

/// The running subscriber; [`Subscriber::stop`] ends it cleanly.
pub struct Subscriber {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    status: Arc<Status>,
}

impl Subscriber {
    /// Connected to the broker now.
    pub fn is_connected(&self) -> bool {
        self.status.connected.load(SeqCst)
    }

    /// Connections made so far (the first, then one per reconnect).
    pub fn connections(&self) -> u64 {
        self.status.connections.load(SeqCst)
    }

    /// Subscriptions the broker granted so far (one per connection).
    pub fn subscriptions(&self) -> u64 {
        self.status.subscriptions.load(SeqCst)
    }

    /// Stops: what is being stored is finished and acknowledged (for a few seconds at most),
    /// then the connection is closed so that the broker keeps the session.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts the subscriber on the runtime: it connects to `mqtt.url` (and keeps reconnecting)
/// and stores what devices publish through `db`'s ingest. Fails only on a bad configuration.
/// Bus positions are checked against the default `[buses]` rules: see [`start_with_buses`].
pub fn start(
    db: &Db,
    mqtt: &config::Mqtt,
    devices: &config::DeviceRules,
) -> anyhow::Result<Subscriber> {
    start_with_buses(db, mqtt, devices, &crate::domain::bus::BusConfig::default())
}

/// [`start`] with the configured bus rules (`[buses]`: speed limits, deviation, levels), as
/// the HTTP ingest checks them.
pub fn start_with_buses(
    db: &Db,
    mqtt: &config::Mqtt,
    devices: &config::DeviceRules,
    buses: &crate::domain::bus::BusConfig,
) -> anyhow::Result<Subscriber> {
    let broker = Broker::parse(&mqtt.url)?;
    let filter = Filter::parse(&mqtt.topic)?;
    let client_id = mqtt.client_id.trim();
    if client_id.is_empty() {
        anyhow::bail!("[mqtt] client_id must not be empty");
    }
    let mut opts: MqttOptions = broker.options(client_id);
    opts.set_clean_start(false)
        .set_session_expiry_interval(Some(SESSION_EXPIRY_S))
        .set_manual_acks(true)
        .set_receive_maximum(Some(RECEIVE_MAXIMUM))
        .set_max_packet_size(Some(MAX_PACKET));
    let capacity = usize::from(RECEIVE_MAXIMUM) * 4;
    let (client, events) = AsyncClient::new(opts, capacity);
    let (stop_tx, stop_rx) = watch::channel(false);
    let status = Arc::new(Status::default());
    let worker = Worker {
        ingest: db.ingest().with_buses(buses.clone()),
        client: client.clone(),
        filter: filter.clone(),
        max_age: chrono::Duration::hours(i64::from(devices.max_event_age_hours)),
        status: status.clone(),
        stop: stop_rx.clone(),
    };
    let conn = Connection {
        events,
        client,
        filter: filter.subscription().to_string(),
        broker: broker.label(),
        status: status.clone(),
        stop: stop_rx,
    };
    tracing::info!(broker = %conn.broker, topic = %conn.filter, client_id, "MQTT ingest starting");
    let task = tokio::spawn(async move {
        let (tx, rx) = mpsc::unbounded_channel();
        let work = tokio::spawn(worker.run(rx));
        conn.run(tx, work).await;
    });
    Ok(Subscriber {
        stop: stop_tx,
        task,
        status,
    })
}

/// The connection task: polls the event loop, hands messages to the worker in order.
struct Connection {
    events: EventLoop,
    client: AsyncClient,
    filter: String,
    broker: String,
    status: Arc<Status>,
    stop: watch::Receiver<bool>,
}

impl Connection {
    async fn run(
        mut self,
        work: mpsc::UnboundedSender<(u64, Publish)>,
        worker: tokio::task::JoinHandle<()>,
    ) {
        let mut pause = MIN_PAUSE;
        let mut outage: Option<std::time::Instant> = None;
        let mut warned = false;
        loop {
            let polled = tokio::select! {
                biased;
                _ = self.stop.changed() => break,
                p = self.events.poll() => p,
            };
            match polled {
                Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                    pause = MIN_PAUSE;
                    self.status.connections.fetch_add(1, SeqCst);
                    self.status.connected.store(true, SeqCst);
                    metrics::gauge!("safecampus_mqtt_connected").set(1.0);
                    let session = ack.session_present;
                    match outage.take() {
                        Some(since) => tracing::info!(broker = %self.broker, session,
                            down_s = since.elapsed().as_secs(), "MQTT broker reachable again"),
                        None => tracing::info!(broker = %self.broker, session, "MQTT connected"),
                    }
                    if self
                        .client
                        .try_subscribe(&self.filter, QoS::AtLeastOnce)
                        .is_err()
                    {
                        tracing::warn!(topic = %self.filter, "MQTT subscribe could not be queued");
                    }
                }
                Ok(Event::Incoming(Packet::SubAck(ack))) => {
                    let ok = ack
                        .return_codes
                        .iter()
                        .all(|c| matches!(c, SubscribeReasonCode::Success(_)));
                    if ok {
                        self.status.subscriptions.fetch_add(1, SeqCst);
                    } else {
                        tracing::warn!(topic = %self.filter, codes = ?ack.return_codes,
                            "MQTT subscription refused by the broker");
                    }
                }
                Ok(Event::Incoming(Packet::Disconnect(d))) => {
                    if matches!(d.reason_code, DisconnectReasonCode::SessionTakenOver) {
                        tracing::error!(broker = %self.broker,
                            "another MQTT client connected with this client id; give every instance its own [mqtt] client_id");
                    } else {
                        tracing::warn!(broker = %self.broker, reason = ?d.reason_code,
                            "MQTT broker ended the connection");
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let generation = self.status.connections.load(SeqCst);
                    if work.send((generation, p)).is_err() {
                        break;
                    }
                    let waiting = self.status.queued.fetch_add(1, SeqCst) + 1;
                    if waiting > QUEUE_WARN as u64 && !warned {
                        warned = true;
                        tracing::warn!(
                            waiting,
                            "MQTT messages wait to be stored (the database is slower than the devices)"
                        );
                    } else if waiting < QUEUE_WARN as u64 / 2 {
                        warned = false;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    self.status.connected.store(false, SeqCst);
                    metrics::gauge!("safecampus_mqtt_connected").set(0.0);
                    if outage.is_none() {
                        outage = Some(std::time::Instant::now());
                        tracing::warn!(broker = %self.broker, error = %e,
                            "MQTT broker unreachable; retrying (devices' readings wait at the broker)");
                    }
                    tokio::select! {
                        biased;
                        _ = self.stop.changed() => break,
                        _ = tokio::time::sleep(pause) => {}
                    }
                    pause = (pause * 2).min(MAX_PAUSE);
                }
            }
        }
        drop(work);
        self.close(worker).await;
    }

    /// Keeps the connection up while the worker finishes what it holds (five seconds at most),
    /// so its acknowledgements leave, then disconnects: the broker keeps the session.
    async fn close(mut self, mut worker: tokio::task::JoinHandle<()>) {
        let until = tokio::time::Instant::now() + Duration::from_secs(5);
        if self.status.connected.load(SeqCst) {
            loop {
                tokio::select! {
                    _ = &mut worker => break,
                    p = tokio::time::timeout_at(until, self.events.poll()) => {
                        if !matches!(p, Ok(Ok(_))) {
                            break;
                        }
                    }
                }
            }
        }
        worker.abort();
        if self.status.connected.load(SeqCst) && self.client.try_disconnect().is_ok() {
            let until = tokio::time::Instant::now() + Duration::from_secs(1);
            while let Ok(Ok(ev)) = tokio::time::timeout_at(until, self.events.poll()).await {
                if matches!(ev, Event::Outgoing(rumqttc::Outgoing::Disconnect)) {
                    break;
                }
            }
        }
        self.status.connected.store(false, SeqCst);
        metrics::gauge!("safecampus_mqtt_connected").set(0.0);
        tracing::info!(broker = %self.broker, "MQTT ingest stopped");
    }
}

/// Stores messages in order and acknowledges each when it is done with. The messages waiting
/// when the worker turns to the queue (at most [`GROUP_MAX`]) are stored in one transaction
/// (group commit), then acknowledged in the order they arrived.
struct Worker {
    ingest: Ingest,
    client: AsyncClient,
    filter: Filter,
    max_age: chrono::Duration,
    status: Arc<Status>,
    stop: watch::Receiver<bool>,
}

/// Messages stored in one transaction at most.
const GROUP_MAX: usize = 32;

impl Worker {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<(u64, Publish)>) {
        while let Some(first) = rx.recv().await {
            let mut group = vec![first];
            while group.len() < GROUP_MAX {
                match rx.try_recv() {
                    Ok(m) => group.push(m),
                    Err(_) => break,
                }
            }
            self.status.queued.fetch_sub(group.len() as u64, SeqCst);
            let topics: Vec<String> = group
                .iter()
                .map(|(_, p)| String::from_utf8_lossy(&p.topic).into_owned())
                .collect();
            // Read once (a refusal is recorded once), stored together; a database error
            // retries the store of the readable ones.
            let mut read: Vec<Option<Resolved>> = (0..group.len()).map(|_| None).collect();
            let mut pause = MIN_PAUSE;
            let handled = loop {
                match self.store(&group, &topics, &mut read).await {
                    Ok(h) => break h,
                    Err(e) => {
                        count("error");
                        if pause == MIN_PAUSE {
                            tracing::warn!(messages = group.len(), error = %Chain(&e),
                                "MQTT messages not stored; retrying, not acknowledged");
                        }
                        tokio::select! {
                            biased;
                            _ = self.stop.changed() => return,
                            _ = tokio::time::sleep(pause) => {}
                        }
                        pause = (pause * 2).min(MAX_PAUSE);
                    }
                }
            };
            for (((generation, p), topic), handled) in group.iter().zip(&topics).zip(handled) {
                count(handled.outcome());
                if let Handled::Refused { reason, device } = &handled {
                    tracing::warn!(
                        topic,
                        reason,
                        device = device.map(|d| d.0),
                        "MQTT message refused"
                    );
                }
                let current = self.status.connections.load(SeqCst) == *generation
                    && self.status.connected.load(SeqCst);
                if current && self.client.ack(p).await.is_err() {
                    return;
                }
            }
        }
    }

    /// Reads the group's messages not read yet, then stores the readable ones in one
    /// transaction; answers what became of each, in order.
    async fn store(
        &self,
        group: &[(u64, Publish)],
        topics: &[String],
        read: &mut [Option<Resolved>],
    ) -> crate::Result<Vec<Handled>> {
        for (i, (_, p)) in group.iter().enumerate() {
            if read[i].is_none() {
                read[i] = Some(resolve(&self.ingest, &self.filter, &topics[i], &p.payload).await?);
            }
        }
        let ready: Vec<(&DeviceCaller, &[serde_json::Value])> = read
            .iter()
            .filter_map(|r| match r {
                Some(Resolved::Ready(d, b)) => Some((d, b.events.as_slice())),
                _ => None,
            })
            .collect();
        let mut reports = if ready.is_empty() {
            Vec::new()
        } else {
            self.ingest
                .batches(&ready, self.max_age, chrono::Utc::now())
                .await?
        }
        .into_iter();
        Ok(read
            .iter()
            .map(|r| match r {
                Some(Resolved::Refused { reason, device }) => Handled::Refused {
                    reason,
                    device: *device,
                },
                _ => Handled::Stored(reports.next().unwrap_or_default()),
            })
            .collect())
    }
}

fn count(outcome: &'static str) {
    metrics::counter!("safecampus_mqtt_messages_total", "outcome" => outcome).increment(1);
}

/// What became of a message.
#[derive(Debug)]
pub enum Handled {
    /// The batch was read and stored (some events may have been refused one by one).
    Stored(IngestReport),
    /// Refused whole, for good; `device` is the token's device when the token was good.
    Refused {
        reason: &'static str,
        device: Option<DeviceId>,
    },
}

impl Handled {
    fn outcome(&self) -> &'static str {
        match self {
            Handled::Stored(_) => "accepted",
            Handled::Refused { .. } => "refused",
        }
    }
}

/// Reads and stores one message published on `topic`. A token that opens no device refuses
/// it; a token of another device than the topic's, or a bad body, refuses it and records the
/// refusal on the token's device. An error is a database error: the message may be retried.
pub async fn handle(
    ingest: &Ingest,
    filter: &Filter,
    topic: &str,
    payload: &[u8],
    max_age: chrono::Duration,
) -> crate::Result<Handled> {
    Ok(match resolve(ingest, filter, topic, payload).await? {
        Resolved::Refused { reason, device } => Handled::Refused { reason, device },
        Resolved::Ready(caller, batch) => Handled::Stored(
            ingest
                .batch(&caller, &batch.events, max_age, chrono::Utc::now())
                .await?,
        ),
    })
}

/// A message read: refused (and the refusal recorded), or a device's batch to store.
enum Resolved {
    Refused {
        reason: &'static str,
        device: Option<DeviceId>,
    },
    Ready(DeviceCaller, Batch),
}

/// Reads one message: its token, its topic and its body (see [`handle`]).
async fn resolve(
    ingest: &Ingest,
    filter: &Filter,
    topic: &str,
    payload: &[u8],
) -> crate::Result<Resolved> {
    let msg = read_message(payload);
    let caller = match msg.token.as_deref() {
        Some(t) => ingest.device(t).await?,
        None => None,
    };
    let Some(caller) = caller else {
        let reason = if msg.token.is_some() {
            "unknown_token"
        } else {
            "no_token"
        };
        return Ok(Resolved::Refused {
            reason,
            device: None,
        });
    };
    let device = Some(caller.id());
    if filter.device(topic) != device {
        let excerpt = format!("topic {topic}");
        ingest
            .refuse_payload(&caller, "topic_mismatch", &excerpt)
            .await?;
        return Ok(Resolved::Refused {
            reason: "topic_mismatch",
            device,
        });
    }
    match msg.batch {
        Ok(b) => Ok(Resolved::Ready(caller, b)),
        Err(e) => {
            let reason = refusal_reason(&e);
            ingest.refuse_payload(&caller, reason, "").await?;
            Ok(Resolved::Refused { reason, device })
        }
    }
}
