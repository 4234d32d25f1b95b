//! `safecampus generate`: a city-scale data set (a city, its districts, thousands of schools with
//! their staff and accounts, risk registers, a year of half-month self-inspections, hazards in
//! every state with their histories, devices and their readings) written into an empty
//! database by multi-row inserts in large transactions, deterministic by `--seed`. The demo's
//! accounts and password exist in it, so the same sign-ins work on the big data set.
//!
//! One file per area: [`orgs`] (org tree, people, accounts, zones, photos), [`risk`]
//! (catalogue, registers), [`inspections`] (self-inspections, hazards and their histories),
//! [`devices`] (devices and readings); [`names`] holds the word lists.

/// A row of values, each converted with `Value::from`.
macro_rules! row {
    ($($v:expr),* $(,)?) => { vec![$(sea_orm::Value::from($v)),*] };
}

mod devices;
mod inspections;
mod names;
mod orgs;
mod risk;

use crate::domain::org::SchoolKind;
use crate::error::{Error, Result};
use crate::storage::bulk::{Bulk, BulkTx};
use crate::storage::{Db, Operator};
use chrono::NaiveDate;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::Value;
use std::io::IsTerminal;
use std::time::Instant;

/// What to generate (the command line's options).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Number of schools and kindergartens.
    #[arg(long, default_value_t = 2000)]
    pub schools: u32,
    /// Number of districts the schools are spread over.
    #[arg(long, default_value_t = 10)]
    pub districts: u32,
    /// Seed of the generator: the same seed gives the same rows.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Device readings in all (default: 5,000 per school times --scale).
    #[arg(long)]
    pub events: Option<u64>,
    /// Factor on the per-school volumes (inspections, hazards, readings).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
}

impl Args {
    /// The plan for `schools` schools in `districts` districts, with the defaults otherwise.
    pub fn new(schools: u32, districts: u32, seed: u64) -> Args {
        Args {
            schools,
            districts,
            seed,
            events: None,
            scale: 1.0,
        }
    }

    fn events_per_school(&self) -> u64 {
        match self.events {
            Some(n) => n / u64::from(self.schools.max(1)),
            None => (5000.0 * self.scale.max(0.0)).round() as u64,
        }
    }
}

/// Rows per multi-row statement.
const BATCH: usize = 500;
/// Schools per transaction.
const SCHOOLS_PER_TX: usize = 25;

/// The tables written, parents before children (a buffer is flushed only after those before
/// it, so every foreign key finds its row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub(crate) enum T {
    Orgs,
    People,
    Users,
    Zones,
    Files,
    FileBlobs,
    RiskPoints,
    RiskAssessments,
    Inspections,
    Hazards,
    HazardEvents,
    InspectionItems,
    Counters,
    Devices,
    DeviceEvents,
}

impl T {
    const ALL: [T; 15] = [
        T::Orgs,
        T::People,
        T::Users,
        T::Zones,
        T::Files,
        T::FileBlobs,
        T::RiskPoints,
        T::RiskAssessments,
        T::Inspections,
        T::Hazards,
        T::HazardEvents,
        T::InspectionItems,
        T::Counters,
        T::Devices,
        T::DeviceEvents,
    ];

    fn table(self) -> &'static str {
        match self {
            T::Orgs => "orgs",
            T::People => "people",
            T::Users => "users",
            T::Zones => "zones",
            T::Files => "files",
            T::FileBlobs => "file_blobs",
            T::RiskPoints => "risk_points",
            T::RiskAssessments => "risk_assessments",
            T::Inspections => "inspections",
            T::Hazards => "hazards",
            T::HazardEvents => "hazard_events",
            T::InspectionItems => "inspection_items",
            T::Counters => "counters",
            T::Devices => "devices",
            T::DeviceEvents => "device_events",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            T::Orgs => orgs::ORG_COLUMNS,
            T::People => orgs::PEOPLE_COLUMNS,
            T::Users => orgs::USER_COLUMNS,
            T::Zones => orgs::ZONE_COLUMNS,
            T::Files => orgs::FILE_COLUMNS,
            T::FileBlobs => orgs::BLOB_COLUMNS,
            T::RiskPoints => risk::POINT_COLUMNS,
            T::RiskAssessments => risk::ASSESSMENT_COLUMNS,
            T::Inspections => inspections::INSPECTION_COLUMNS,
            T::Hazards => inspections::HAZARD_COLUMNS,
            T::HazardEvents => inspections::EVENT_COLUMNS,
            T::InspectionItems => inspections::ITEM_COLUMNS,
            T::Counters => &["name", "value"],
            T::Devices => devices::DEVICE_COLUMNS,
            T::DeviceEvents => devices::EVENT_COLUMNS,
        }
    }

    /// Whether the table's `id` is ours to choose (and its sequence follows on PostgreSQL).
    fn has_id(self) -> bool {
        !matches!(self, T::FileBlobs | T::Counters)
    }
}

/// Rows written and time spent writing, per table.
#[derive(Debug, Clone, Default)]
pub struct TableStats {
    pub table: &'static str,
    pub rows: u64,
    pub secs: f64,
}

/// What a run wrote.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub tables: Vec<TableStats>,
    pub secs: f64,
    pub db_bytes: i64,
}

impl Summary {
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map_or(0, |t| t.rows)
    }

    /// The summary as a table for the terminal.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{:<18} {:>12} {:>10} {:>12}\n",
            "table", "rows", "seconds", "rows/s"
        );
        let mut total = 0u64;
        for t in &self.tables {
            total += t.rows;
            let rate = if t.secs > 0.0 {
                t.rows as f64 / t.secs
            } else {
                0.0
            };
            s.push_str(&format!(
                "{:<18} {:>12} {:>10.2} {:>12.0}\n",
                t.table, t.rows, t.secs, rate
            ));
        }
        s.push_str(&format!(
            "{:<18} {:>12} {:>10.2} {:>12.0}\n",
            "all (wall clock)",
            total,
            self.secs,
            total as f64 / self.secs.max(1e-9)
        ));
        s.push_str(&format!(
            "database size: {:.1} MiB\n",
            self.db_bytes as f64 / 1024.0 / 1024.0
        ));
        s
    }
}

/// Ids handed out in order, per table (the database is empty, so they start at 1).
#[derive(Debug, Default)]
pub(crate) struct Ids([i64; 15]);

impl Ids {
    pub(crate) fn next(&mut self, t: T) -> i64 {
        self.0[t as usize] += 1;
        self.0[t as usize]
    }
}

/// The buffers of rows not yet written, one per table, and the open transaction.
pub(crate) struct Loader {
    bulk: Bulk,
    tx: Option<BulkTx>,
    bufs: Vec<Vec<Vec<Value>>>,
    stats: Vec<TableStats>,
    bars: Vec<ProgressBar>,
    pub(crate) ids: Ids,
}

impl Loader {
    fn new(bulk: Bulk, estimates: &[u64; 15], show: bool) -> Loader {
        let multi = MultiProgress::with_draw_target(if show {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let style = ProgressStyle::with_template(
            "{prefix:>18} [{bar:30}] {human_pos:>11}/{human_len:11} {per_sec:>12} {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bars = T::ALL
            .iter()
            .map(|t| {
                let b = multi.add(ProgressBar::new(estimates[*t as usize].max(1)));
                b.set_style(style.clone());
                b.set_prefix(t.table());
                b
            })
            .collect();
        Loader {
            bulk,
            tx: None,
            bufs: T::ALL.iter().map(|_| Vec::new()).collect(),
            stats: T::ALL
                .iter()
                .map(|t| TableStats {
                    table: t.table(),
                    ..Default::default()
                })
                .collect(),
            bars,
            ids: Ids::default(),
        }
    }

    /// Queues a row; a full buffer is written (after the buffers of its parents).
    pub(crate) async fn push(&mut self, t: T, row: Vec<Value>) -> Result<()> {
        self.bufs[t as usize].push(row);
        if self.bufs[t as usize].len() >= BATCH {
            self.flush_upto(t).await?;
        }
        Ok(())
    }

    async fn flush_upto(&mut self, last: T) -> Result<()> {
        if self.tx.is_none() {
            self.tx = Some(self.bulk.begin().await?);
        }
        for t in T::ALL {
            let rows = std::mem::take(&mut self.bufs[t as usize]);
            if !rows.is_empty() {
                let n = rows.len() as u64;
                let start = Instant::now();
                if let Some(tx) = &self.tx {
                    tx.insert(t.table(), t.columns(), rows).await?;
                }
                let st = &mut self.stats[t as usize];
                st.secs += start.elapsed().as_secs_f64();
                st.rows += n;
                let bar = &self.bars[t as usize];
                if st.rows > bar.length().unwrap_or(0) {
                    bar.set_length(st.rows);
                }
                bar.set_position(st.rows);
            }
            if t == last {
                break;
            }
        }
        Ok(())
    }

    /// Writes every buffer and commits (the end of a chunk of schools).
    pub(crate) async fn commit(&mut self) -> Result<()> {
        self.flush_upto(T::DeviceEvents).await?;
        if let Some(tx) = self.tx.take() {
            let start = Instant::now();
            tx.commit().await?;
            // The commit's time is shared by the tables in proportion to nothing in
            // particular: it is counted on the largest one written.
            let d = start.elapsed().as_secs_f64();
            if let Some(st) = self.stats.iter_mut().max_by_key(|s| s.rows) {
                st.secs += d;
            }
        }
        Ok(())
    }

    fn finish(self) -> Vec<TableStats> {
        for (b, st) in self.bars.iter().zip(&self.stats) {
            b.set_length(st.rows.max(1));
            b.set_position(st.rows);
            b.finish();
        }
        self.stats
    }
}

/// A school as the generator plans it.
#[derive(Debug, Clone)]
pub(crate) struct School {
    /// Index among all schools (0-based), the key of its random stream.
    pub idx: u32,
    pub id: i64,
    pub district: usize,
    pub code: String,
    pub kind: SchoolKind,
    pub boarding: bool,
    pub has_bus: bool,
    pub has_canteen: bool,
    pub has_lab: bool,
    pub has_pool: bool,
    pub near_water: bool,
    pub has_dormitory: bool,
    pub has_boiler: bool,
    pub has_elevator: bool,
    pub has_gas: bool,
}

impl School {
    pub(crate) fn has(&self, f: &str) -> bool {
        match f {
            "boarding" => self.boarding,
            "bus" => self.has_bus,
            "canteen" => self.has_canteen,
            "lab" => self.has_lab,
            "pool" => self.has_pool,
            "near_water" => self.near_water,
            "dormitory" => self.has_dormitory,
            "boiler" => self.has_boiler,
            "elevator" => self.has_elevator,
            "gas" => self.has_gas,
            _ => false,
        }
    }
}

/// The random stream of one school for one area: the same whatever the chunking.
pub(crate) fn rng_for(seed: u64, school: u32, area: u64) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    rand::rngs::StdRng::seed_from_u64(
        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (u64::from(school) << 8)
            ^ area.wrapping_mul(0xBF58_476D_1CE4_E5B9),
    )
}

/// Generates the data set into an empty database (migrations already run).
pub async fn run(db: &Db, args: &Args, show_progress: bool) -> Result<Summary> {
    if args.schools == 0 || args.districts == 0 {
        return Err(Error::internal(anyhow::anyhow!(
            "--schools and --districts must be at least 1"
        )));
    }
    let u = db.unsafe_unscoped(&Operator::command_line());
    if !u.is_empty().await? {
        return Err(Error::Conflict(
            "the database already holds orgs or accounts; generate fills an empty database only"
                .into(),
        ));
    }
    let started = Instant::now();
    let today = crate::clock::today();
    let bulk = u.bulk();
    let show = show_progress && std::io::stderr().is_terminal();
    let plan = orgs::plan(args);
    let est = estimates(args, &plan);
    let mut l = Loader::new(bulk.clone(), &est, show);
    // The org tree, people, accounts, zones and photos; committed before the catalogue is
    // loaded through the platform's own import.
    let world = orgs::write(&mut l, args, &plan, today).await?;
    l.commit().await?;
    bulk.sync_sequences(&["orgs", "people", "users", "zones", "files"])
        .await?;
    let catalog = risk::load_catalogs(&u, &bulk, &world).await?;
    // Then school by school, a chunk per transaction.
    let risk_cfg = crate::config::Risk::default();
    let entries = risk::Entries::new(&catalog, &risk_cfg, today)?;
    let events_per_school = args.events_per_school();
    for (n, s) in world.schools.iter().enumerate() {
        let points = risk::write_points(&mut l, args, &world, s, &entries, today).await?;
        inspections::write(&mut l, args, &world, s, &points, today).await?;
        devices::write(&mut l, args, &world, s, &points, events_per_school, today).await?;
        if (n + 1) % SCHOOLS_PER_TX == 0 {
            l.commit().await?;
        }
    }
    l.commit().await?;
    let tables: Vec<&str> = T::ALL
        .iter()
        .filter(|t| t.has_id())
        .map(|t| t.table())
        .collect();
    bulk.sync_sequences(&tables).await?;
    u.audit_generated(&format!(
        "city data set generated: {} schools in {} districts, seed {}",
        args.schools, args.districts, args.seed
    ))
    .await?;
    u.after_bulk_load().await?;
    let stats = l.finish();
    Ok(Summary {
        tables: stats,
        secs: started.elapsed().as_secs_f64(),
        db_bytes: bulk.size_bytes().await?,
    })
}

/// Rows expected per table (for the progress bars).
fn estimates(args: &Args, plan: &orgs::Plan) -> [u64; 15] {
    let s = u64::from(args.schools);
    let mut e = [0u64; 15];
    e[T::Orgs as usize] = plan.org_count() as u64;
    e[T::People as usize] = s * orgs::STAFF.len() as u64;
    e[T::Users as usize] = s * orgs::STAFF.len() as u64 + plan.bureau_count() as u64;
    e[T::Zones as usize] = s * 7;
    e[T::Files as usize] = s;
    e[T::FileBlobs as usize] = s * 2;
    e[T::RiskPoints as usize] = s * 250;
    e[T::RiskAssessments as usize] = s * 250;
    let insp = (s as f64 * 24.0 * 0.9 * args.scale.max(0.0)) as u64;
    e[T::Inspections as usize] = insp;
    e[T::Hazards as usize] = (insp as f64 * inspections::FAILS_PER_INSPECTION) as u64;
    e[T::HazardEvents as usize] = e[T::Hazards as usize] * 4;
    e[T::InspectionItems as usize] = insp * 100;
    e[T::Counters as usize] = s;
    e[T::Devices as usize] = s * 6;
    e[T::DeviceEvents as usize] = s * args.events_per_school();
    e
}

/// `at` on a China day (hour China time), as UTC.
pub(crate) fn at(day: NaiveDate, hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    crate::storage::seed_history::at(day, hour, minute)
}

/// Sums over a few columns of the generated tables: the same seed gives the same sums on
/// SQLite and PostgreSQL.
const CHECKS: &[(&str, &str)] = &[
    ("orgs", "id * LENGTH(code) + students"),
    ("users", "LENGTH(username) + COALESCE(person_id, 0)"),
    ("people", "LENGTH(name) + LENGTH(post)"),
    ("zones", "school_id * LENGTH(zone_type)"),
    ("risk_points", "LENGTH(code) * COALESCE(zone_id, 1)"),
    (
        "risk_assessments",
        "CAST(ROUND(COALESCE(score, 0) * 100) AS BIGINT)",
    ),
    ("inspections", "passed * 3 + failed * 5 + LENGTH(period)"),
    ("hazards", "LENGTH(state) + version * id"),
    ("hazard_events", "LENGTH(event) + seq"),
    ("inspection_items", "seq * COALESCE(hazard_id, 1)"),
    (
        "device_events",
        "CAST(ROUND(value * 10) AS BIGINT) + device_id",
    ),
    ("hazard_counts", "n * school_id"),
    ("risk_counts", "n * school_id"),
];

/// Row counts of the generated tables and the sums of [`CHECKS`], as (name, value).
pub async fn fingerprint(db: &Db) -> Result<Vec<(String, String)>> {
    let bulk = db.unsafe_unscoped(&Operator::command_line()).bulk();
    let mut v = Vec::new();
    for t in T::ALL {
        v.push((
            format!("{} rows", t.table()),
            bulk.count(t.table()).await?.to_string(),
        ));
    }
    for (table, expr) in CHECKS {
        v.push((
            format!("{table}: {expr}"),
            bulk.checksum(table, expr).await?,
        ));
    }
    Ok(v)
}
