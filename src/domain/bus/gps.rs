//! Live rules over a bus's positions during a trip (§4.7): speeding against the limit of the
//! road class with pupils aboard, deviation from the route's path for a minimum time, and
//! overload. Distances are on a sphere of the earth's mean radius (good to well under a metre
//! over a city's few kilometres).

use super::RoadClass;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The earth's mean radius, metres.
const EARTH_M: f64 = 6_371_008.8;

/// Speed limits with pupils aboard, km/h (`[buses.speed]`; a lower posted limit is the
/// driver's to keep, not known here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeedLimits {
    pub ordinary: f64,
    pub expressway: f64,
    /// Segments marked adverse, or any road on a day marked adverse (fog, rain, snow …).
    pub adverse: f64,
}

impl Default for SpeedLimits {
    fn default() -> Self {
        SpeedLimits {
            ordinary: 60.0,
            expressway: 80.0,
            adverse: 20.0,
        }
    }
}

impl SpeedLimits {
    /// The limit on a road of `class`; on an adverse day the adverse limit everywhere.
    pub fn limit(&self, class: RoadClass, adverse_day: bool) -> f64 {
        if adverse_day {
            return self.adverse;
        }
        match class {
            RoadClass::Ordinary => self.ordinary,
            RoadClass::Expressway => self.expressway,
            RoadClass::Adverse => self.adverse,
        }
    }
}

/// A point of a route's path; `road` is the class of the segment from it to the next point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PathPoint {
    pub lat: f64,
    pub lon: f64,
    #[serde(default = "ordinary")]
    pub road: RoadClass,
}

fn ordinary() -> RoadClass {
    RoadClass::Ordinary
}

/// Great-circle distance in metres.
pub fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_M * h.sqrt().min(1.0).asin()
}

/// Distance in metres from `p` to the segment `a`–`b` (a local flat projection around `p`).
fn to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let k = p.0.to_radians().cos();
    let xy = |q: (f64, f64)| {
        (
            (q.1 - p.1).to_radians() * k * EARTH_M,
            (q.0 - p.0).to_radians() * EARTH_M,
        )
    };
    let (ax, ay) = xy(a);
    let (bx, by) = xy(b);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (ax + t * dx, ay + t * dy);
    (x * x + y * y).sqrt()
}

/// The distance from `p` to the path, and the index of the nearest segment (its first
/// point). A path of one point is a point; an empty path is infinitely far.
pub fn off_path(path: &[PathPoint], p: (f64, f64)) -> (f64, usize) {
    match path {
        [] => (f64::INFINITY, 0),
        [only] => (distance(p, (only.lat, only.lon)), 0),
        _ => path
            .windows(2)
            .enumerate()
            .map(|(i, w)| (to_segment(p, (w[0].lat, w[0].lon), (w[1].lat, w[1].lon)), i))
            .fold(
                (f64::INFINITY, 0),
                |best, x| if x.0 < best.0 { x } else { best },
            ),
    }
}

/// The limit at `p`: the class of the nearest segment.
pub fn limit_at(path: &[PathPoint], p: (f64, f64), limits: &SpeedLimits, adverse_day: bool) -> f64 {
    let class = path
        .get(off_path(path, p).1)
        .map_or(RoadClass::Ordinary, |s| s.road);
    limits.limit(class, adverse_day)
}

/// Speeding: strictly above the limit (at the limit is allowed).
pub fn speeding(speed_kmh: f64, limit: f64) -> bool {
    speed_kmh > limit
}

/// Overload: more pupils counted than rated seats.
pub fn overload(count: i64, seats: i64) -> bool {
    count > seats
}

/// What a position does to the deviation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deviation {
    /// On the path (within the distance): any open deviation clears.
    OnPath,
    /// Off the path, not yet for long enough.
    Off,
    /// Off the path for at least the minimum time: raise.
    Raise,
}

/// Feeds one position at `at`, `metres` from the path, to the deviation rule whose state is
/// the time the bus left the path (`off_since`); answers the new state and the outcome. The
/// bus deviates when it is more than `max_metres` away for at least `min_seconds`.
pub fn deviation(
    off_since: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
    metres: f64,
    max_metres: f64,
    min_seconds: i64,
) -> (Option<DateTime<Utc>>, Deviation) {
    if metres <= max_metres {
        return (None, Deviation::OnPath);
    }
    let since = off_since.filter(|s| *s <= at).unwrap_or(at);
    if (at - since).num_seconds() >= min_seconds {
        (Some(since), Deviation::Raise)
    } else {
        (Some(since), Deviation::Off)
    }
}
