//! A trip's page, `/bus-trips/{id}`: its bus, driver, attendants, route, boarding counts and
//! state, the steps its state allows (the driver's check, boarding, the start — refused with
//! every reason named —, alighting, the finish) as forms, and its track map drawn on the
//! server (the route's path and stops, the positions its GPS sent, the warnings raised on the
//! way, from the same data as `GET /api/v1/bus-trips/{id}/track`).

use super::css;
use crate::domain::Code;
use crate::domain::bus::trip::{CheckItem, TripAction, TripStatus, next};
use crate::domain::ids::BusTripId;
use crate::domain::warning::Level;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::buses::trips::{Track, TrackPoint, TripStep};
use crate::web::ctx::{Ctx, FormPairs};
use crate::web::pages::{Chrome, FormErrors, china_time, render, see_other};
use crate::web::svg::Shade;
use crate::web::svg::track::{TrackDrawing, TrackLegend, TrackMark, TrackStop, track_map};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::collections::BTreeMap;

fn shade(l: Level) -> Shade {
    match l {
        Level::Red => Shade::Red,
        Level::Orange => Shade::Orange,
        Level::Yellow => Shade::Yellow,
        Level::Blue => Shade::Blue,
    }
}

/// Where the bus was when a warning was raised: its last position at or before the time
/// (the first one when the warning came before any).
fn position_at(points: &[TrackPoint], at: chrono::DateTime<chrono::Utc>) -> Option<(f64, f64)> {
    points
        .iter()
        .rev()
        .find(|p| p.at <= at)
        .or_else(|| points.first())
        .map(|p| (p.lat, p.lon))
}

/// A step's form values, kept when the step is refused.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct StepForm {
    action: String,
    count: String,
    version: String,
    #[serde(skip)]
    items: Vec<String>,
}

impl StepForm {
    fn input(&self) -> Result<TripStep, Error> {
        let action = TripAction::parse(self.action.trim())
            .ok_or_else(|| Error::field("action", "err.bus.illegal_step"))?;
        let count = match action {
            TripAction::Board | TripAction::Alight => match self.count.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => return Err(Error::field("count", "err.bus.count")),
            },
            _ => None,
        };
        let items = (action == TripAction::Check).then(|| {
            <CheckItem as Code>::ALL
                .iter()
                .map(|i| (*i, self.items.iter().any(|x| x == i.as_str())))
                .collect::<BTreeMap<_, _>>()
        });
        Ok(TripStep {
            action,
            items,
            count,
            version: self.version.trim().parse().ok(),
        })
    }
}

#[derive(Template)]
#[template(path = "buses/trip.html")]
struct TripPage {
    c: Chrome,
    css: String,
    t: Track,
    driver: String,
    attendants: Vec<String>,
    map: String,
    /// The warnings in the order of their marks: (number, rule label, level, time, detail).
    warnings: Vec<(usize, String, Level, String, String, i64)>,
    can_record: bool,
    allowed: Vec<TripAction>,
    v: StepForm,
    errors: FormErrors,
}

impl TripPage {
    fn allows(&self, a: TripAction) -> bool {
        self.allowed.contains(&a)
    }
    fn act(&self, a: TripAction) -> String {
        self.c.label(&a)
    }
    /// The steps the trip's state allows, in words (`—` for a finished trip).
    fn next_steps(&self) -> String {
        let v: Vec<String> = self.allowed.iter().map(|a| self.c.label(a)).collect();
        if v.is_empty() {
            "—".into()
        } else {
            v.join("、")
        }
    }
    fn items(&self) -> &'static [CheckItem] {
        <CheckItem as Code>::ALL
    }
    fn checked(&self, i: &CheckItem) -> bool {
        if self.v.action == TripAction::Check.as_str() {
            self.v.items.iter().any(|x| x == i.as_str())
        } else {
            self.t.trip.check.get(i.as_str()).copied().unwrap_or(false)
        }
    }
    /// The count field's value for `action`: the refused one's, else the stored one.
    fn count(&self, a: TripAction) -> String {
        if self.v.action == a.as_str() {
            return self.v.count.clone();
        }
        match a {
            TripAction::Board => self.t.trip.boarded.to_string(),
            TripAction::Alight => self
                .t
                .trip
                .alighted
                .map(|n| n.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }
    fn err(&self, a: TripAction, field: &str) -> String {
        if self.v.action == a.as_str() {
            self.errors.get(field)
        } else {
            String::new()
        }
    }
    fn time(&self, t: &Option<chrono::DateTime<chrono::Utc>>) -> String {
        t.as_ref().map(china_time).unwrap_or_else(|| "—".into())
    }
}

async fn trip_page(ctx: &Ctx, id: i64, v: StepForm, errors: FormErrors) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let db = ctx.db_as(Action::BusView)?;
    let t = db.buses().track(BusTripId(id), &cfg).await?;
    let school = t.trip.school_id;
    let driver = db
        .buses()
        .driver(t.trip.driver_id, &cfg)
        .await
        .map(|d| d.name)
        .unwrap_or_default();
    let attendants = db
        .buses()
        .attendants(school, &cfg)
        .await?
        .into_iter()
        .filter(|a| t.trip.attendant_ids.contains(&a.id))
        .map(|a| a.name)
        .collect();
    let mut c = Chrome::for_ctx(ctx, "bus.page.trip", "/buses");
    c.title = format!(
        "{} · {} · {} {}",
        c.t("bus.page.trip"),
        t.trip.plate,
        t.trip.day,
        t.trip.run
    );
    let mut marks = Vec::new();
    let mut warnings = Vec::new();
    for (i, w) in t.warnings.iter().enumerate() {
        let label = c.t(&format!("bus_rule.{}", w.rule));
        let at = china_time(&w.raised_at);
        let line = format!("{} · {} · {}", label, &at[11..], w.detail);
        if let Some((lat, lon)) = position_at(&t.points, w.raised_at) {
            marks.push(TrackMark {
                number: i + 1,
                rule: w.rule.clone(),
                level: shade(w.level),
                lat,
                lon,
                text: line,
                href: Some(format!("/warnings/{}", w.id.0)),
            });
        }
        warnings.push((i + 1, label, w.level, at, w.detail.clone(), w.id.0));
    }
    let drawing = TrackDrawing {
        title: format!("{} · {} · {}", t.trip.route_name, t.trip.plate, t.trip.run),
        path: t.path.iter().map(|p| (p.lat, p.lon)).collect(),
        stops: t
            .stops
            .iter()
            .map(|s| TrackStop {
                name: s.name.clone(),
                time: s.time.clone(),
                lat: s.lat,
                lon: s.lon,
            })
            .collect(),
        points: t.points.iter().map(|p| (p.lat, p.lon)).collect(),
        marks,
        legend: TrackLegend {
            path: c.t("bus.track.path"),
            track: c.t("bus.track.track"),
            stop: c.t("bus.track.stop"),
            start: c.t("bus.track.start"),
            end: c.t("bus.track.end"),
            warnings: c.t("bus.track.no_warnings"),
            empty: c.t("bus.track.empty"),
        },
    };
    let map = track_map(&drawing);
    let status = t.trip.status;
    let allowed = <TripAction as Code>::ALL
        .iter()
        .copied()
        .filter(|a| next(status, *a).is_some())
        .collect();
    let failed = errors.any();
    let may_step = db.buses().may_step(t.trip.id).await?;
    let r = render(&TripPage {
        can_record: may_step && status != TripStatus::Finished,
        c,
        css: css(),
        t,
        driver,
        attendants,
        map,
        warnings,
        allowed,
        v,
        errors,
    })?;
    Ok(if failed {
        let mut r = r;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r
    } else {
        r
    })
}

/// A trip with its track map and the steps it allows.
pub async fn trip(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    trip_page(&ctx, id, StepForm::default(), FormErrors::default()).await
}

/// A step of a trip from its form; a refused step (a bad count, a start refused with its
/// reasons) is shown again with its values (422).
pub async fn trip_step(ctx: Ctx, Path(id): Path<i64>, p: FormPairs) -> Result<Response, Error> {
    let cfg = ctx.config().buses.clone();
    let mut f: StepForm = p.parse(&["items"])?;
    f.items = p.all("items");
    let res = match f.input() {
        Ok(input) => ctx
            .db()
            .buses()
            .trip_step(BusTripId(id), input, &cfg)
            .await
            .map(|_| ()),
        Err(e) => {
            // Scope first, as for a well-formed form.
            ctx.db_as(Action::BusView)?
                .buses()
                .trip(BusTripId(id), &cfg)
                .await?;
            Err(e)
        }
    };
    match res {
        Ok(()) => Ok(see_other(&format!("/bus-trips/{id}"))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => trip_page(&ctx, id, f, errors).await,
            None => Err(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warning_sits_where_the_bus_last_was() {
        let t0 = chrono::Utc::now();
        let p = |s: i64, lat: f64| TrackPoint {
            at: t0 + chrono::Duration::seconds(s),
            lat,
            lon: 125.0,
            speed_kmh: 30.0,
        };
        let pts = vec![p(0, 1.0), p(10, 2.0), p(20, 3.0)];
        let at = |s| t0 + chrono::Duration::seconds(s);
        assert_eq!(position_at(&pts, at(15)), Some((2.0, 125.0)));
        assert_eq!(position_at(&pts, at(20)), Some((3.0, 125.0)));
        assert_eq!(position_at(&pts, at(-5)), Some((1.0, 125.0)));
        assert_eq!(position_at(&[], at(0)), None);
    }
}
