//! The command line: `serve`, `demo`, `migrate`, `admin …` (`rotate-field-key` among them),
//! `simulate`, `generate`, `copy`.

use crate::config::{Config, DEMO_DB};
use crate::domain::Code;
use crate::domain::role::Role;
use crate::storage::Db;
use crate::storage::Operator;
use crate::web::{AppState, app};
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "safecampus",
    version,
    about = "SafeCampus 平安校园安全管理平台"
)]
struct Cli {
    /// Optional TOML configuration file.
    #[arg(long, env = "SAFECAMPUS_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "SAFECAMPUS_LISTEN", global = true)]
    listen: Option<String>,
    /// Database URL: a SQLite file (`sqlite://data/safecampus.db?mode=rwc`, the default) or
    /// `postgres://user@host/db`.
    #[arg(long, env = "SAFECAMPUS_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// PostgreSQL: the URL of the tables' owner, when the database URL is another role's
    /// (migrations and grants run through it; `owner_database_url` in the file).
    #[arg(long, env = "SAFECAMPUS_OWNER_DATABASE_URL", global = true)]
    owner_database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrations run first). An empty database has no account: create the
    /// first administrator with `safecampus admin create-user`.
    Serve,
    /// Seed the demo district into its own database when it is empty, then serve it, with
    /// its devices sending readings (and now and then an alarm) in-process.
    Demo {
        /// Do not play the demo's devices (they go offline after their kind's minutes).
        #[arg(long)]
        no_simulate: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Administration from the command line.
    #[command(subcommand)]
    Admin(Admin),
    /// The roll-ups kept on write (counts per school that lists and dashboards read).
    #[command(subcommand)]
    Rollups(RollupsCmd),
    /// The district risk catalogue (风险等级清单).
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// Write a consistent copy of the SQLite database to a new file while the platform runs
    /// (for PostgreSQL use `pg_dump`).
    Backup {
        /// The file to create; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the SQLite database with a backup made by `safecampus backup`. Stop the server
    /// first; the current file is kept beside it as `<name>.before-restore`.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Copy every row of a database into an empty one (SQLite to PostgreSQL, or back): the
    /// target is migrated, the rows copied in bulk, sequences set, roll-ups and the audit
    /// chain verified after. Stop the server first. A PostgreSQL target needs a superuser
    /// (the load sets `session_replication_role`).
    Copy {
        /// The source database URL (e.g. `sqlite://data/safecampus.db`).
        #[arg(long)]
        from: String,
        /// The target database URL (e.g. `postgres://safecampus@db/safecampus`); it must
        /// hold no org and no user.
        #[arg(long)]
        to: String,
    },
    /// Fill an empty database with a city-scale data set (a city, its districts, schools,
    /// staff, registers, a year of inspections and hazards, device readings), with the demo's
    /// accounts and password; the same seed gives the same rows.
    Generate(crate::generate::Args),
    /// Play a school's devices against a running server (over HTTP or through the MQTT
    /// broker) and sum up what it stored.
    Simulate(crate::simulate::Args),
}

#[derive(Subcommand)]
enum RollupsCmd {
    /// Recompute every roll-up from the rows it counts and report each difference (exit
    /// status 1 when there is one).
    Verify,
    /// Recompute every roll-up from its rows and store the result.
    Rebuild,
}

#[derive(Subcommand)]
enum CatalogCmd {
    /// Load a catalogue CSV file (the format of assets/catalog/risk-catalog.csv) into the
    /// catalogue of a district or city: entries are added or updated by code, all or nothing.
    Load {
        /// Org code of the district (or city), e.g. ED.
        #[arg(long)]
        org: String,
        /// The CSV file; without it the catalogue shipped with the platform is loaded.
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// Create an account. The password is read from standard input (one line) unless
    /// `SAFECAMPUS_PASSWORD` is set.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// sys_admin, sec_admin, audit_admin, city_officer, bureau_officer, principal, …
        #[arg(long)]
        role: String,
        /// Org code (city, district or school) for business roles.
        #[arg(long)]
        org: Option<String>,
    },
    /// Set a password (read like `create-user`); the user must change it at next sign-in.
    SetPassword {
        #[arg(long)]
        username: String,
    },
    /// Lift a sign-in lockout.
    Unlock {
        #[arg(long)]
        username: String,
    },
    /// Check the audit log's hash chain and its head; with `--anchors`, also against the
    /// anchors written outside the database (a cut tail or a rewritten chain).
    VerifyAudit {
        /// The directory of anchor files (`[audit] anchor_dir`, or `anchor-audit --out`).
        #[arg(long)]
        anchors: Option<PathBuf>,
    },
    /// Write an anchor of the audit chain (its newest entry and hash) into a directory
    /// outside the database.
    AnchorAudit {
        #[arg(long)]
        out: PathBuf,
    },
    /// Seal every sealed field (minors' and guardians' data, second-factor secrets) again with
    /// the current field key, the old keys given for reading (`SAFECAMPUS_FIELD_KEY_OLD` or
    /// `[security] field_old_key_files`); one transaction, audited.
    RotateFieldKey,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(l) = &cli.listen {
        config.listen = l.clone();
    }
    let demo = matches!(cli.command, Command::Demo { .. });
    if demo && config.public_url.is_none() {
        // The demo's risk cards point at its own listen address; `serve` needs `public_url`.
        config.public_url = Some(format!("http://{}", config.listen));
    }
    if demo {
        // The demo's accounts sign in with the password alone (anyone may still set up a
        // second factor on the account page).
        config.security.mfa_required_roles.clear();
    }
    if demo && config.mqtt.enabled.is_none() {
        // The demo listens to the broker when there is one (and says so when there is not).
        config.mqtt.enabled = Some(true);
    }
    if demo && config.mqtt.client_id == crate::config::default_client_id() {
        // A demo beside a server on the same machine keeps a broker session of its own.
        config.mqtt.client_id.push_str("-demo");
    }
    match &cli.database_url {
        Some(u) => config.database_url = u.clone(),
        None if demo => config.database_url = DEMO_DB.into(),
        None => {}
    }
    if let Some(u) = &cli.owner_database_url {
        config.owner_database_url = Some(u.clone());
    }
    init_tracing(config.log_json);
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", crate::error::Chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    let b = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        b.json().init();
    } else {
        b.init();
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("SAFECAMPUS_PASSWORD") {
        return Ok(p);
    }
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn explain(e: crate::Error) -> anyhow::Error {
    use crate::i18n::{Lang, tr};
    match &e {
        crate::Error::Validation { fields, message } => {
            let parts: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, tr(Lang::En, &f.message)))
                .collect();
            if parts.is_empty() {
                anyhow::anyhow!("{}", tr(Lang::En, message))
            } else {
                anyhow::anyhow!("{}", parts.join("; "))
            }
        }
        crate::Error::NotFound => anyhow::anyhow!("no such user"),
        _ => anyhow::anyhow!(e),
    }
}

async fn run(cmd: Command, config: Config) -> anyhow::Result<()> {
    if let Command::Restore { from } = &cmd {
        return restore(&config.database_url, from).await;
    }
    if let Command::Copy { from, to } = &cmd {
        let summary = crate::storage::copy::copy(from, to).await?;
        print!("{}", summary.render());
        return Ok(());
    }
    let cmd = match cmd {
        Command::Simulate(args) => return crate::simulate::run_cli(args).await,
        other => other,
    };
    let mut db = Db::connect(&config.database_url).await?;
    if matches!(cmd, Command::Serve | Command::Demo { .. }) {
        durable(&db, &config).await?;
    }
    migrate(&db, &config).await?;
    if matches!(cmd, Command::Serve) {
        match db.rls_bypass().await? {
            Some(why) => tracing::warn!(
                why = %why,
                "row-level security does not bind the application: connect as a role that owns nothing (docs/deploy.md)"
            ),
            None if db.backend() == "postgres" => tracing::info!("row-level security on"),
            None => {}
        }
    }
    if matches!(
        cmd,
        Command::Serve | Command::Demo { .. } | Command::Admin(Admin::RotateFieldKey)
    ) {
        // Minors' data is sealed with the field key: a wrong or missing key stops here.
        let k = db
            .open_field_keys(&config.security, &config.database_url)
            .await?;
        tracing::info!(key_id = %k.key_id, sealed_now = k.sealed_now, "field key opened");
    }
    match cmd {
        Command::Migrate => {
            println!("migrations applied ({})", db.backend());
            Ok(())
        }
        Command::Serve => serve(db, config).await,
        Command::Demo { no_simulate } => {
            if crate::demo::seed_if_empty(&db).await? {
                db.unsafe_unscoped(&Operator::command_line())
                    .after_bulk_load()
                    .await?;
                tracing::info!("demo district seeded");
            }
            println!("{}", crate::demo::accounts_banner(&config.listen));
            if !no_simulate {
                let devices: Vec<_> = crate::demo::demo_devices(&db)
                    .await?
                    .into_iter()
                    .map(|(id, _, _, token)| (id, token))
                    .collect();
                let sim_db = db.clone();
                tokio::spawn(async move {
                    // Each device reports once a minute; about once a day each raises an alarm.
                    let plan = crate::simulate::Plan {
                        rate: 1.0 / 60.0,
                        duration: None,
                        alarm_every: 1440,
                        alarm_for: std::time::Duration::ZERO,
                    };
                    let n = devices.len();
                    tracing::info!(devices = n, "demo devices reporting");
                    if let Err(e) = crate::simulate::run_in_process(
                        &sim_db,
                        devices,
                        plan,
                        std::future::pending::<()>(),
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "the demo's devices stopped");
                    }
                });
            }
            serve(db, config).await
        }
        Command::Generate(args) => {
            let summary = crate::generate::run(&db, &args, true)
                .await
                .map_err(|e| match e {
                    crate::Error::Conflict(m) => anyhow::anyhow!(m),
                    e => anyhow::anyhow!(e),
                })?;
            print!("{}", summary.render());
            let diffs = db
                .unsafe_unscoped(&Operator::command_line())
                .verify_rollups()
                .await?;
            if !diffs.is_empty() {
                anyhow::bail!("{} roll-up count(s) differ from their rows", diffs.len());
            }
            println!("roll-ups agree with their rows");
            Ok(())
        }
        Command::Backup { out } => {
            db.backup_to(&out).await?;
            println!("backup written to {}", out.display());
            Ok(())
        }
        Command::Restore { .. } | Command::Simulate(_) | Command::Copy { .. } => {
            unreachable!("handled before connecting")
        }
        Command::Rollups(cmd) => {
            let u = db.unsafe_unscoped(&Operator::command_line());
            match cmd {
                RollupsCmd::Verify => {
                    let diffs = u.verify_rollups().await?;
                    for d in &diffs {
                        eprintln!("{d}");
                    }
                    if !diffs.is_empty() {
                        anyhow::bail!(
                            "{} roll-up count(s) differ from their rows (repair: safecampus rollups rebuild)",
                            diffs.len()
                        );
                    }
                    println!("roll-ups agree with their rows");
                }
                RollupsCmd::Rebuild => {
                    u.rebuild_rollups().await?;
                    println!("roll-ups rebuilt");
                }
            }
            Ok(())
        }
        Command::Catalog(CatalogCmd::Load { org, file }) => {
            let text = match &file {
                Some(f) => std::fs::read_to_string(f)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))?,
                None => crate::domain::catalog::DEFAULT_CSV.to_string(),
            };
            let (entries, errors) =
                crate::domain::catalog::parse_csv(&text).map_err(|e| anyhow::anyhow!(e))?;
            if !errors.is_empty() {
                use crate::i18n::{Lang, tr};
                for e in &errors {
                    eprintln!(
                        "row {}: {}: {} {}",
                        e.row,
                        e.field,
                        tr(Lang::En, &e.message),
                        e.value
                    );
                }
                anyhow::bail!("{} row(s) with errors; nothing was loaded", errors.len());
            }
            let (created, updated) = db
                .unsafe_unscoped(&Operator::command_line())
                .load_catalog_file(&org, &entries)
                .await
                .map_err(explain)?;
            println!(
                "catalogue of {org}: {created} added, {updated} updated ({} entries)",
                entries.len()
            );
            Ok(())
        }
        Command::Admin(a) => {
            let u = db.unsafe_unscoped(&Operator::command_line());
            match a {
                Admin::CreateUser {
                    username,
                    display_name,
                    role,
                    org,
                } => {
                    let role = Role::parse(&role).ok_or_else(|| {
                        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                        anyhow::anyhow!("unknown role '{role}'; one of: {}", all.join(", "))
                    })?;
                    let pw = read_password()?;
                    let name = display_name.unwrap_or_else(|| username.clone());
                    u.create_user_with(
                        &username,
                        &name,
                        &pw,
                        role,
                        org.as_deref(),
                        &config.security,
                    )
                    .await
                    .map_err(explain)?;
                    println!("created {username} ({role})");
                }
                Admin::SetPassword { username } => {
                    let pw = read_password()?;
                    u.set_password(&username, &pw, &config.security)
                        .await
                        .map_err(explain)?;
                    println!("password set for {username}; it must be changed at next sign-in");
                }
                Admin::Unlock { username } => {
                    u.unlock(&username).await.map_err(explain)?;
                    println!("unlocked {username}");
                }
                Admin::VerifyAudit { anchors } => {
                    let anchors = match anchors {
                        Some(dir) => crate::storage::audit::anchor::read_dir(&dir)
                            .map_err(|e| anyhow::anyhow!(e))?,
                        None => Vec::new(),
                    };
                    let r = u.verify_audit_anchored(&anchors).await?;
                    match r.finding {
                        None => println!(
                            "audit chain verifies: {} entries, {} anchors agree",
                            r.checked, r.anchors
                        ),
                        Some(f) => anyhow::bail!("{f}"),
                    }
                }
                Admin::RotateFieldKey => {
                    let r = db.rotate_field_keys(&Operator::command_line()).await?;
                    println!(
                        "{} value(s) sealed again with field key {} (before: {}); the old keys are no longer needed",
                        r.resealed,
                        r.key_id,
                        if r.from.is_empty() {
                            "-".to_string()
                        } else {
                            r.from.join(", ")
                        }
                    );
                }
                Admin::AnchorAudit { out } => {
                    let (a, path) = u.anchor_audit(&out).await?;
                    println!(
                        "anchored entry {} ({} entries) in {}",
                        a.last_id,
                        a.count,
                        path.display()
                    );
                }
            }
            Ok(())
        }
    }
}

/// The file of a SQLite database URL.
fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            anyhow::anyhow!("restore works on SQLite files; for PostgreSQL use pg_restore")
        })?;
    Ok(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

/// Checks that `from` is a SafeCampus database (it opens and has our migrations), then puts it
/// in place of the configured file, keeping the old one.
async fn restore(url: &str, from: &std::path::Path) -> anyhow::Result<()> {
    let target = sqlite_file(url)?;
    // Check a copy, so the backup itself is never touched.
    let staged = target.with_extension("restoring");
    std::fs::copy(from, &staged)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", from.display()))?;
    let ok = match Db::connect(&format!("sqlite://{}", staged.display())).await {
        Ok(probe) => {
            let ok = probe.is_safecampus().await;
            probe.close().await;
            ok
        }
        Err(_) => false,
    };
    if !ok {
        let _ = std::fs::remove_file(&staged);
        anyhow::bail!(
            "{} is not a SafeCampus database; nothing was changed",
            from.display()
        );
    }
    if target.exists() {
        let keep = target.with_extension("before-restore");
        std::fs::rename(&target, &keep)?;
        println!("the current database was kept as {}", keep.display());
    }
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(target.with_extension(ext));
    }
    std::fs::rename(&staged, &target)?;
    let db = Db::connect(url).await?;
    db.migrate().await?;
    db.close().await;
    println!("restored {} from {}", target.display(), from.display());
    Ok(())
}

async fn serve(db: Db, config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(listen = %config.listen, backend = db.backend(), read_path = db.read_path(), "SafeCampus serving");
    if config.public_url.is_none() {
        tracing::warn!("public_url is not set: risk cards' QR codes hold only a path");
    }
    let state = AppState::new(db.clone(), config);
    // Housekeeping: expired sessions and idempotency keys are removed every ten minutes.
    let (house, house_db) = (state.clone(), db.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = house.auth().purge_sessions(&house.config().security).await {
                tracing::warn!(error = %crate::error::Chain(&e), "session purge failed");
            }
            if let Err(e) = house_db.purge_idempotency_keys().await {
                tracing::warn!(error = %crate::error::Chain(&e), "idempotency key purge failed");
            }
        }
    });
    if state.config().jobs.enabled {
        let (jobs_db, jobs) = (db.clone(), state.clone());
        tokio::spawn(async move { run_jobs(jobs_db, jobs).await });
    }
    // Readings through the broker: a task like the job loop; without a broker it warns and
    // keeps retrying.
    let mqtt = if state.config().mqtt.on() {
        let c = state.config();
        Some(crate::mqtt::start_with_buses(
            &db, &c.mqtt, &c.devices, &c.buses,
        )?)
    } else {
        None
    };
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    if let Some(m) = mqtt {
        m.stop().await;
    }
    db.close().await;
    Ok(())
}

/// Migrations, through the owner's connection when one is configured (which then grants the
/// application's role its rights), else through the application's own.
async fn migrate(db: &Db, config: &Config) -> anyhow::Result<()> {
    let Some(owner_url) = &config.owner_database_url else {
        db.migrate().await?;
        return Ok(());
    };
    let role = role_of(&config.database_url).ok_or_else(|| {
        anyhow::anyhow!("owner_database_url is set, but database_url names no PostgreSQL user")
    })?;
    let owner = Db::connect(owner_url).await?;
    owner.migrate().await?;
    owner.grant_app_role(&role).await?;
    owner.close().await;
    Ok(())
}

/// The user of a PostgreSQL URL (`postgres://user[:password]@host/db`).
fn role_of(url: &str) -> Option<String> {
    use std::str::FromStr;
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return None;
    }
    let o = sea_orm::sqlx::postgres::PgConnectOptions::from_str(url).ok()?;
    Some(o.get_username().to_string()).filter(|u| !u.is_empty())
}

/// Refuses to serve on a database whose settings could lose an acknowledged write (T-DU-1),
/// unless `[ops] allow_unsafe_durability` says the data may be lost.
async fn durable(db: &Db, config: &Config) -> anyhow::Result<()> {
    let f = crate::storage::durability::check(db).await?;
    if f.problems.is_empty() {
        tracing::info!(connections = f.connections, "durability settings checked");
        return Ok(());
    }
    let list = f.problems.join("; ");
    if config.ops.allow_unsafe_durability {
        tracing::warn!(problems = %list, "unsafe durability settings allowed by [ops] allow_unsafe_durability");
        return Ok(());
    }
    anyhow::bail!(
        "the database could lose acknowledged writes ({list}); fix its settings, or set [ops] allow_unsafe_durability = true for a database whose data may be lost"
    )
}

/// The job loop of this instance: schedules today's sweep (once per day across instances) and
/// runs what is due, every `poll_seconds`.
async fn run_jobs(db: Db, state: AppState) {
    let instance = format!(
        "{}:{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into()),
        std::process::id()
    );
    let runner = db
        .jobs(&Operator::command_line(), instance)
        .with_warnings(state.config())
        .with_outbox(state.config())
        .with_security(state.config());
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(
        state.config().jobs.poll_seconds.max(1),
    ));
    loop {
        tick.tick().await;
        let day = crate::storage::risk_points::today();
        let res = async {
            runner.schedule_daily(day).await?;
            runner.schedule_account_sweep(day).await?;
            runner.schedule_bus_drivers(day).await?;
            runner.schedule_audit_anchor(day).await?;
            runner.schedule_audit_purge(day).await?;
            runner.schedule_device_events(day).await?;
            runner.schedule_leavers_purge(day).await?;
            runner.schedule_warning_sweep(chrono::Utc::now()).await?;
            runner.run_due(&state.config().hazard).await
        }
        .await;
        match res {
            Ok(p) if p.done + p.failed > 0 => {
                tracing::info!(done = p.done, failed = p.failed, "jobs ran")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %crate::error::Chain(&e), "job loop failed"),
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
