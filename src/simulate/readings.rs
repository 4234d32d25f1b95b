//! What a simulated device says: plausible readings for its kind in turn (its main value, a
//! temperature where it has one, a heartbeat), and now and then an alarm. Every event has an
//! id of its own (`sim-<run>-<device>-<n>`) and an RFC 3339 time.

use crate::domain::device::DeviceKind;
use chrono::{DateTime, SecondsFormat, Utc};
use rand::Rng;
use serde_json::{Value, json};

/// One simulated device's voice.
#[derive(Debug, Clone)]
pub struct Player {
    kind: DeviceKind,
    prefix: String,
    seq: u64,
    /// Alarm readings still to send in the current alarm.
    alarm_left: u64,
}

impl Player {
    /// The `index`-th device of run `run` (a short tag that keeps ids unique across runs).
    pub fn new(kind: DeviceKind, run: &str, index: usize) -> Player {
        Player {
            kind,
            prefix: format!("sim-{run}-{index}"),
            seq: 0,
            alarm_left: 0,
        }
    }

    pub fn kind(&self) -> DeviceKind {
        self.kind
    }

    /// The next reading at `at`; every `alarm_every`-th starts an alarm of `alarm_len`
    /// readings (0: never).
    pub fn next(&mut self, at: DateTime<Utc>, alarm_every: u64, alarm_len: u64) -> Value {
        self.seq += 1;
        if alarm_every > 0 && self.seq.is_multiple_of(alarm_every) {
            self.alarm_left = alarm_len.max(1);
        }
        let (metric, value) = if self.alarm_left > 0 {
            self.alarm_left -= 1;
            alarm(self.kind)
        } else {
            normal(self.kind, self.seq)
        };
        let mut ev = json!({
            "id": format!("{}-{}", self.prefix, self.seq),
            "at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "metric": metric,
        });
        if metric == "gps" {
            // Around a school in Changchun, at a bus's pace.
            let mut rng = rand::rng();
            ev["lat"] = json!(round(43.88 + rng.random_range(-0.02..0.02), 5));
            ev["lon"] = json!(round(125.32 + rng.random_range(-0.02..0.02), 5));
            ev["speed_kmh"] = json!(value);
        } else {
            ev["value"] = json!(value);
        }
        ev
    }
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

fn between(lo: f64, hi: f64) -> f64 {
    round(rand::rng().random_range(lo..=hi), 1)
}

/// A normal reading: the kind's metrics in turn.
fn normal(kind: DeviceKind, seq: u64) -> (&'static str, f64) {
    use DeviceKind as K;
    let turn = |n: u64| seq % n;
    match kind {
        K::Smoke => match turn(4) {
            0 => ("temperature_c", between(18.0, 30.0)),
            1 => ("heartbeat", 1.0),
            _ => ("smoke", 0.0),
        },
        K::FirePanel => match turn(4) {
            0 => ("fire", 0.0),
            1 => ("smoke", 0.0),
            2 => ("alarm", 0.0),
            _ => ("heartbeat", 1.0),
        },
        K::ElectricalFire => match turn(3) {
            0 => ("temperature_c", between(18.0, 30.0)),
            1 => ("heartbeat", 1.0),
            _ => ("residual_current_ma", between(20.0, 120.0)),
        },
        K::Gas => match turn(3) {
            0 => ("heartbeat", 1.0),
            _ => ("gas_lel_pct", between(0.0, 3.0)),
        },
        K::WaterLevel => match turn(3) {
            0 => ("heartbeat", 1.0),
            _ => ("water_level_cm", between(40.0, 90.0)),
        },
        K::AccessGate | K::AlarmButton => match turn(2) {
            0 => ("heartbeat", 1.0),
            _ => ("alarm", 0.0),
        },
        K::Camera => ("heartbeat", 1.0),
        K::BusGps => ("gps", between(0.0, 60.0)),
    }
}

/// An alarm reading: past the red threshold of the default rules where the kind has one
/// (smoke, fire, one-key alarm 1; gas 55 %LEL), past the orange one for the rules that need
/// the value to last (residual current 450 mA for 10 s, water 220 cm for a minute: send the
/// alarm for that long with `--alarm-for`); a fault for cameras and buses.
fn alarm(kind: DeviceKind) -> (&'static str, f64) {
    use DeviceKind as K;
    match kind {
        K::Smoke => ("smoke", 1.0),
        K::FirePanel => ("fire", 1.0),
        K::ElectricalFire => ("residual_current_ma", 450.0),
        K::Gas => ("gas_lel_pct", 55.0),
        K::WaterLevel => ("water_level_cm", 220.0),
        K::AccessGate | K::AlarmButton => ("alarm", 1.0),
        K::Camera | K::BusGps => ("fault", 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;
    use crate::domain::reading;

    /// Every reading of every kind passes the ingest's checks, alarms included, and ids never
    /// repeat.
    #[test]
    fn readings_are_what_the_ingest_accepts() {
        let now = Utc::now();
        let mut ids = std::collections::HashSet::new();
        for (i, kind) in DeviceKind::ALL.iter().enumerate() {
            let mut p = Player::new(*kind, "t", i);
            let mut alarms = 0;
            for _ in 0..40 {
                let ev = p.next(now, 7, 2);
                let r = reading::parse(&ev, *kind, now, chrono::Duration::hours(1))
                    .unwrap_or_else(|e| panic!("{kind:?}: {ev} refused: {e:?}"));
                assert!(ids.insert(r.id.clone()), "{}", r.id);
                if (r.metric.as_str(), r.value) == alarm(*kind) {
                    alarms += 1;
                }
            }
            assert_eq!(alarms, 10, "{kind:?}: five alarms of two readings");
        }
    }
}
