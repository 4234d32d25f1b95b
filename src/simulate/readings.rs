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
    /// A bus's route (lat, lon): its positions follow it instead of wandering.
    path: Option<Vec<(f64, f64)>>,
}

impl Player {
    /// The `index`-th device of run `run` (a short tag that keeps ids unique across runs).
    pub fn new(kind: DeviceKind, run: &str, index: usize) -> Player {
        Player {
            kind,
            prefix: format!("sim-{run}-{index}"),
            seq: 0,
            alarm_left: 0,
            path: None,
        }
    }

    /// A bus GPS that drives along `path` (lat, lon; two points or more) at town speeds, a
    /// thirtieth of the way a reading, from four fifths of the way on (where a trip seeded
    /// some minutes ago has got to), round and round.
    pub fn on_path(mut self, path: Vec<(f64, f64)>) -> Player {
        if path.len() >= 2 {
            self.path = Some(path);
        }
        self
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
        if metric == "gps"
            && let Some(path) = &self.path
        {
            let f = (0.8 + self.seq as f64 / 30.0).fract();
            let (lat, lon) = along(path, f);
            ev["lat"] = json!(round(lat, 5));
            ev["lon"] = json!(round(lon, 5));
            ev["speed_kmh"] = json!(between(25.0, 40.0));
        } else if metric == "gps" {
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

/// The point `f` (0 … 1) of the way along a polyline, by length (degrees of longitude
/// shortened by cos(latitude)).
fn along(path: &[(f64, f64)], f: f64) -> (f64, f64) {
    let k = path[0].0.to_radians().cos();
    let seg =
        |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0).powi(2) + ((b.1 - a.1) * k).powi(2)).sqrt();
    let total: f64 = path.windows(2).map(|w| seg(w[0], w[1])).sum();
    let mut left = f.clamp(0.0, 1.0) * total;
    for w in path.windows(2) {
        let l = seg(w[0], w[1]);
        if left <= l && l > 0.0 {
            let t = left / l;
            return (
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            );
        }
        left -= l;
    }
    path[path.len() - 1]
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

    /// A bus on its route stays on it, within the town speed limit.
    #[test]
    fn a_bus_on_its_route_stays_on_it() {
        use crate::domain::bus::gps::{PathPoint, off_path};
        let path = vec![(43.87, 125.29), (43.90, 125.33), (43.9156, 125.3518)];
        let pp: Vec<PathPoint> = path
            .iter()
            .map(|&(lat, lon)| PathPoint {
                lat,
                lon,
                road: crate::domain::bus::RoadClass::Ordinary,
            })
            .collect();
        let mut p = Player::new(DeviceKind::BusGps, "t", 0).on_path(path);
        let now = Utc::now();
        for _ in 0..90 {
            let ev = p.next(now, 0, 0);
            let r = reading::parse(&ev, DeviceKind::BusGps, now, chrono::Duration::hours(1))
                .expect("accepted");
            let (d, _) = off_path(&pp, (r.lat.unwrap(), r.lon.unwrap()));
            assert!(d < 5.0, "{ev}: {d} m off");
            assert!(r.value <= 40.0);
        }
    }
}
