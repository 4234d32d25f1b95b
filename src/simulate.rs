//! `safecampus simulate`: plays a school's devices against a running server, over HTTP
//! (`POST /api/v1/ingest`) or through the MQTT broker, at a steady rate with an alarm now and
//! then, and sums up what the server made of it. [`run_in_process`] plays devices straight into
//! a database's ingest (for the demo).
//!
//! Each device sends, every second (or every `1/rate` seconds when slower), the readings due
//! since its last batch, stamped evenly across that time; devices are served one after another.

mod readings;

use crate::domain::Code;
use crate::domain::device::DeviceKind;
use crate::domain::ids::DeviceId;
use crate::mqtt::{Broker, Filter};
use crate::storage::Db;
use crate::storage::ingest::{Ingest, IngestReport};
use chrono::Utc;
use std::future::Future;
use std::time::Duration;

mod sink;

pub use readings::Player;

/// How readings travel to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    Http,
    Mqtt,
}

/// The flags of `safecampus simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server (with --via http).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// A device's token; repeat it for several devices.
    #[arg(long = "device-token", required = true)]
    pub device_tokens: Vec<String>,
    #[arg(long, value_enum, default_value_t = Via::Http)]
    pub via: Via,
    /// The broker (with --via mqtt).
    #[arg(
        long,
        env = "SAFECAMPUS_MQTT_URL",
        default_value = "mqtt://127.0.0.1:1883"
    )]
    pub mqtt_url: String,
    /// The topic filter the server subscribes to; `+` becomes the device's id.
    #[arg(long, default_value = "safecampus/devices/+/events")]
    pub topic: String,
    /// Each device's id, in the order of the tokens (with --via mqtt: the topic names it).
    #[arg(long = "device-id")]
    pub device_ids: Vec<i64>,
    /// Readings per second per device.
    #[arg(long, default_value_t = 1.0)]
    pub rate: f64,
    /// How long to play, in seconds.
    #[arg(long, default_value_t = 60)]
    pub duration: u64,
    /// Every N-th reading of a device starts an alarm (0: never).
    #[arg(long, default_value_t = 0)]
    pub alarm_every: u64,
    /// How long an alarm lasts, in seconds (0: one reading); rules that need a value to last
    /// (residual current, water level) raise only if it lasts long enough.
    #[arg(long, default_value_t = 0)]
    pub alarm_for: u64,
    /// The devices' kind: smoke, fire_panel, electrical_fire, gas, water_level, access_gate,
    /// alarm_button, camera, bus_gps. One for all, or one per token in order.
    #[arg(long = "kind", default_value = "smoke")]
    pub kinds: Vec<String>,
}

/// The pace of a run.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Readings per second per device.
    pub rate: f64,
    /// Stop after this long (none: only when stopped).
    pub duration: Option<Duration>,
    /// Every N-th reading starts an alarm (0: never).
    pub alarm_every: u64,
    /// How long an alarm lasts (zero: one reading).
    pub alarm_for: Duration,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            rate: 1.0,
            duration: Some(Duration::from_secs(60)),
            alarm_every: 0,
            alarm_for: Duration::ZERO,
        }
    }
}

/// A device to play.
#[derive(Debug, Clone)]
pub struct SimDevice {
    pub token: String,
    pub kind: DeviceKind,
    /// Its id (needed through the broker: the topic names it).
    pub id: Option<DeviceId>,
}

/// Where readings go.
#[derive(Debug, Clone)]
pub enum Target {
    /// `POST <server>/api/v1/ingest` (plain HTTP).
    Http { server: String },
    /// Publish at QoS 1 on the broker, to `topic` with the device's id for its `+`.
    Mqtt { url: String, topic: String },
}

/// What a run sent and what became of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Readings sent.
    pub sent: u64,
    /// Stored by the server.
    pub accepted: u64,
    /// Stored before (the same event id).
    pub duplicates: u64,
    /// Refused one by one by the server.
    pub rejected: u64,
    /// In batches that did not arrive or were refused whole.
    pub failed: u64,
    /// Through the broker: messages it acknowledged, out of those published (the server's own
    /// answer is not seen there; the device's page shows it).
    pub broker_acks: Option<(u64, u64)>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.broker_acks {
            Some((acked, published)) => write!(
                f,
                "sent {} readings in {published} messages; the broker acknowledged {acked}; \
                 failed {}",
                self.sent, self.failed
            ),
            None => write!(
                f,
                "sent {}, accepted {}, duplicates {}, rejected {}, failed {}",
                self.sent, self.accepted, self.duplicates, self.rejected, self.failed
            ),
        }
    }
}

impl Summary {
    fn add(&mut self, r: &IngestReport) {
        self.accepted += r.accepted;
        self.duplicates += r.duplicates;
        self.rejected += r.rejected.len() as u64;
    }
}

/// `safecampus simulate`: plays until the duration ends or Ctrl-C, then prints the summary.
pub async fn run_cli(args: Args) -> anyhow::Result<()> {
    let n = args.device_tokens.len();
    if args.kinds.len() != 1 && args.kinds.len() != n {
        anyhow::bail!("give one --kind for all devices or one per --device-token");
    }
    if !args.device_ids.is_empty() && args.device_ids.len() != n {
        anyhow::bail!("give one --device-id per --device-token");
    }
    if args.via == Via::Mqtt && args.device_ids.is_empty() {
        anyhow::bail!("--via mqtt needs each device's --device-id (its topic names it)");
    }
    let mut devices = Vec::with_capacity(n);
    for (i, token) in args.device_tokens.iter().enumerate() {
        let code = &args.kinds[if args.kinds.len() == 1 { 0 } else { i }];
        let kind = DeviceKind::parse(code).ok_or_else(|| {
            let all: Vec<&str> = DeviceKind::ALL.iter().map(|k| k.as_str()).collect();
            anyhow::anyhow!("unknown kind '{code}'; one of: {}", all.join(", "))
        })?;
        devices.push(SimDevice {
            token: token.clone(),
            kind,
            id: args.device_ids.get(i).copied().map(DeviceId),
        });
    }
    let target = match args.via {
        Via::Http => Target::Http {
            server: args.server.clone(),
        },
        Via::Mqtt => Target::Mqtt {
            url: args.mqtt_url.clone(),
            topic: args.topic.clone(),
        },
    };
    let plan = Plan {
        rate: args.rate,
        duration: Some(Duration::from_secs(args.duration)),
        alarm_every: args.alarm_every,
        alarm_for: Duration::from_secs(args.alarm_for),
    };
    let stop = async {
        tokio::signal::ctrl_c().await.ok();
    };
    let summary = run(&target, devices, plan, stop).await?;
    println!("{summary}");
    let reached = match summary.broker_acks {
        Some((acked, _)) => acked > 0,
        None => summary.failed < summary.sent,
    };
    if summary.sent > 0 && !reached {
        anyhow::bail!("nothing reached the server");
    }
    Ok(())
}

/// Plays `devices` against a running server until the plan's duration ends or `stop` resolves.
pub async fn run(
    target: &Target,
    devices: Vec<SimDevice>,
    plan: Plan,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<Summary> {
    check(&plan)?;
    let mut out = match target {
        Target::Http { server } => sink::Sink::http(server, &devices)?,
        Target::Mqtt { url, topic } => {
            let broker = Broker::parse(url)?;
            let filter = Filter::parse(topic)?;
            sink::Sink::mqtt(&broker, &filter, &devices)?
        }
    };
    let players = players(devices.iter().map(|d| d.kind));
    let summary = play(&mut out, players, plan, stop).await;
    Ok(out.finish(summary).await)
}

/// Plays the given devices (id and token) straight into `db`'s ingest, as if they had sent
/// their readings, until the plan's duration ends or `stop` resolves. A token that does not
/// open its device is left out (logged).
pub async fn run_in_process(
    db: &Db,
    devices: Vec<(DeviceId, String)>,
    plan: Plan,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<Summary> {
    check(&plan)?;
    let ingest: Ingest = db.ingest();
    let mut callers = Vec::new();
    for (id, token) in devices {
        match ingest.device(&token).await? {
            Some(c) if c.id() == id => callers.push(c),
            _ => tracing::warn!(
                device = id.0,
                "simulated device left out: its token does not open it"
            ),
        }
    }
    // A bus on a running trip drives along its route (the demo's S001), so the live bus
    // rules see it where it should be.
    let u = db.unsafe_unscoped(&crate::storage::Operator::command_line());
    let mut players = players(callers.iter().map(|c| c.kind()));
    for (p, c) in players.iter_mut().zip(&callers) {
        if c.kind() == DeviceKind::BusGps
            && let Some(path) = u.running_bus_path(c.id()).await?
        {
            *p = p.clone().on_path(path);
        }
    }
    let mut out = sink::Sink::in_process(ingest, callers);
    let summary = play(&mut out, players, plan, stop).await;
    Ok(out.finish(summary).await)
}

fn check(plan: &Plan) -> anyhow::Result<()> {
    if !(plan.rate.is_finite() && plan.rate > 0.0 && plan.rate <= 1000.0) {
        anyhow::bail!("the rate must be above 0 and at most 1000 readings per second");
    }
    Ok(())
}

fn players(kinds: impl Iterator<Item = DeviceKind>) -> Vec<Player> {
    let run = format!("{:08x}", rand::random::<u32>());
    kinds
        .enumerate()
        .map(|(i, k)| Player::new(k, &run, i))
        .collect()
}

async fn play(
    out: &mut sink::Sink,
    mut players: Vec<Player>,
    plan: Plan,
    stop: impl Future<Output = ()>,
) -> Summary {
    let tick = if plan.rate >= 1.0 {
        Duration::from_secs(1)
    } else {
        Duration::from_secs_f64(1.0 / plan.rate)
    };
    let per_tick = plan.rate * tick.as_secs_f64();
    let alarm_len = (plan.alarm_for.as_secs_f64() * plan.rate).ceil().max(1.0) as u64;
    let deadline = plan.duration.map(|d| tokio::time::Instant::now() + d);
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut carry = vec![0.0f64; players.len()];
    let mut summary = Summary::default();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            _ = interval.tick() => {}
        }
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            break;
        }
        let now = Utc::now();
        for (i, p) in players.iter_mut().enumerate() {
            carry[i] += per_tick;
            let n = carry[i].floor() as u64;
            carry[i] -= n as f64;
            if n == 0 {
                continue;
            }
            let step = tick.as_secs_f64() / n as f64;
            let events: Vec<serde_json::Value> = (0..n)
                .map(|k| {
                    let back =
                        chrono::Duration::milliseconds(((n - 1 - k) as f64 * step * 1000.0) as i64);
                    p.next(now - back, plan.alarm_every, alarm_len)
                })
                .collect();
            summary.sent += n;
            out.send(i, &events, &mut summary).await;
        }
    }
    summary
}
