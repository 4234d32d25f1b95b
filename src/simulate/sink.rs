//! Where a run's batches go: the server over HTTP, the broker, or a database's ingest.

use super::{SimDevice, Summary};
use crate::mqtt::{Broker, Filter};
use crate::storage::ingest::{DeviceCaller, Ingest};
use axum::body::Bytes;
use axum::http::{Request, StatusCode, Uri, header};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::Packet;
use rumqttc::v5::{AsyncClient, ConnectionError, Event};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);
/// Failures logged one by one before the rest are only counted.
const LOGGED: u32 = 5;

pub(super) enum Sink {
    Http {
        client: Client<HttpConnector, Full<Bytes>>,
        uri: Uri,
        tokens: Vec<String>,
        errors: u32,
    },
    Mqtt {
        client: AsyncClient,
        topics: Vec<String>,
        tokens: Vec<String>,
        published: u64,
        acks: Arc<AtomicU64>,
        task: tokio::task::JoinHandle<()>,
    },
    InProcess {
        ingest: Ingest,
        callers: Vec<DeviceCaller>,
        max_age: chrono::Duration,
        errors: u32,
    },
}

impl Sink {
    pub(super) fn http(server: &str, devices: &[SimDevice]) -> anyhow::Result<Sink> {
        let server = server.trim().trim_end_matches('/');
        if !server.starts_with("http://") {
            anyhow::bail!(
                "the server must be an http:// address (HTTPS: simulate through the broker, or from inside the TLS proxy)"
            );
        }
        let uri: Uri = format!("{server}/api/v1/ingest")
            .parse()
            .map_err(|e| anyhow::anyhow!("server address: {e}"))?;
        Ok(Sink::Http {
            client: Client::builder(TokioExecutor::new()).build_http(),
            uri,
            tokens: devices.iter().map(|d| d.token.clone()).collect(),
            errors: 0,
        })
    }

    pub(super) fn mqtt(
        broker: &Broker,
        filter: &Filter,
        devices: &[SimDevice],
    ) -> anyhow::Result<Sink> {
        let mut topics = Vec::with_capacity(devices.len());
        for d in devices {
            let id =
                d.id.ok_or_else(|| anyhow::anyhow!("through the broker each device needs its id"))?;
            topics.push(filter.topic_of(id));
        }
        let client_id = format!(
            "safecampus-sim-{}-{:06x}",
            std::process::id(),
            rand::random::<u32>() >> 8
        );
        let mut opts = broker.options(&client_id);
        // A session of its own for a few minutes: what was published but not acknowledged when
        // the connection broke is sent again after reconnecting.
        opts.set_clean_start(false)
            .set_session_expiry_interval(Some(300));
        let (client, mut events) = AsyncClient::new(opts, 256);
        let acks = Arc::new(AtomicU64::new(0));
        let (counted, label) = (acks.clone(), broker.label());
        let task = tokio::spawn(async move {
            let mut outage = false;
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        counted.fetch_add(1, SeqCst);
                    }
                    Ok(Event::Incoming(Packet::ConnAck(_))) if outage => {
                        outage = false;
                        tracing::info!(broker = %label, "broker reachable again");
                    }
                    Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect))
                    | Err(ConnectionError::RequestsDone) => break,
                    Ok(_) => {}
                    Err(e) => {
                        if !outage {
                            outage = true;
                            tracing::warn!(broker = %label, error = %e, "broker unreachable; retrying");
                        }
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(Sink::Mqtt {
            client,
            topics,
            tokens: devices.iter().map(|d| d.token.clone()).collect(),
            published: 0,
            acks,
            task,
        })
    }

    pub(super) fn in_process(ingest: Ingest, callers: Vec<DeviceCaller>) -> Sink {
        let hours = crate::config::DeviceRules::default().max_event_age_hours;
        Sink::InProcess {
            ingest,
            callers,
            max_age: chrono::Duration::hours(i64::from(hours)),
            errors: 0,
        }
    }

    /// Sends one device's batch and counts what became of it.
    pub(super) async fn send(&mut self, device: usize, events: &[Value], s: &mut Summary) {
        let n = events.len() as u64;
        match self {
            Sink::Http {
                client,
                uri,
                tokens,
                errors,
            } => {
                let body = serde_json::to_vec(&json!({ "events": events })).unwrap_or_default();
                let req = Request::post(uri.clone())
                    .header(header::AUTHORIZATION, format!("Device {}", tokens[device]))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(Bytes::from(body)));
                let answer = async {
                    let res = client.request(req?).await?;
                    let status = res.status();
                    let body = res.into_body().collect().await?.to_bytes();
                    anyhow::Ok((
                        status,
                        serde_json::from_slice::<Value>(&body).unwrap_or_default(),
                    ))
                };
                match tokio::time::timeout(TIMEOUT, answer).await {
                    Ok(Ok((StatusCode::OK, v))) => {
                        s.accepted += v["accepted"].as_u64().unwrap_or(0);
                        s.duplicates += v["duplicates"].as_u64().unwrap_or(0);
                        s.rejected += v["rejected"].as_array().map_or(0, |r| r.len() as u64);
                    }
                    other => {
                        s.failed += n;
                        *errors += 1;
                        if *errors <= LOGGED {
                            let why = match other {
                                Ok(Ok((status, v))) => {
                                    format!("{status}: {}", v["error"]["message"])
                                }
                                Ok(Err(e)) => format!("{e:#}"),
                                Err(_) => "no answer in time".into(),
                            };
                            tracing::warn!(device = device, "batch not stored: {why}");
                        }
                    }
                }
            }
            Sink::Mqtt {
                client,
                topics,
                tokens,
                published,
                ..
            } => {
                let payload = json!({ "token": tokens[device], "events": events });
                let bytes = serde_json::to_vec(&payload).unwrap_or_default();
                match client
                    .publish(topics[device].clone(), QoS::AtLeastOnce, false, bytes)
                    .await
                {
                    Ok(()) => *published += 1,
                    Err(e) => {
                        s.failed += n;
                        tracing::warn!(device = device, error = %e, "message not published");
                    }
                }
            }
            Sink::InProcess {
                ingest,
                callers,
                max_age,
                errors,
            } => match ingest
                .batch(&callers[device], events, *max_age, chrono::Utc::now())
                .await
            {
                Ok(report) => s.add(&report),
                Err(e) => {
                    s.failed += n;
                    *errors += 1;
                    if *errors <= LOGGED {
                        tracing::warn!(device = callers[device].id().0, error = %crate::error::Chain(&e),
                            "simulated batch not stored");
                    }
                }
            },
        }
    }

    /// Ends the run: through the broker, waits (ten seconds at most) for the messages still
    /// unacknowledged, then disconnects.
    pub(super) async fn finish(self, mut s: Summary) -> Summary {
        if let Sink::Mqtt {
            client,
            published,
            acks,
            task,
            ..
        } = self
        {
            let until = tokio::time::Instant::now() + TIMEOUT;
            while acks.load(SeqCst) < published && tokio::time::Instant::now() < until {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let _ = client.try_disconnect();
            let mut task = task;
            if tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
            s.broker_acks = Some((acks.load(SeqCst), published));
        }
        s
    }
}
