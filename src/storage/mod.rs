//! Storage: the only module that talks to the database.
//!
//! **Invariant (tenancy by construction):** business data is reached only through a
//! [`Scoped`] handle, which is built from an [`Actor`] (resolved once per request from the
//! session) and the route's [`Action`]. Every query it runs is filtered by the actor's org
//! subtree; an object outside it is `NotFound`; an in-scope object the role may not touch is
//! `Forbidden`, checked before anything is written. Rows ([`entity`]) and the connection are
//! private to this module, so the web layer cannot build an unscoped query. The escape hatch
//! for the command line and the demo seeder is named [`Db::unsafe_unscoped`] so review finds it.

/// Declares a module's closed set of stored codes for a code trait — its audit actions
/// ([`audit::AuditCode`]) or its notification kinds ([`inbox::NoticeKind`]): the feature
/// registry lists them, the catalogue test checks each has a label, and nothing can be
/// audited or notified under a code outside a set.
macro_rules! closed_codes {
    ($tr:ident: $(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $v:ident = $c:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($(#[$vm])* $v),+ }
        impl $crate::storage::$tr for $name {
            const ALL: &'static [Self] = &[$(Self::$v),+];
            fn code(self) -> &'static str {
                match self { $(Self::$v => $c),+ }
            }
        }
    };
}

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod buses;
pub mod calendar;
pub mod compliance;
pub mod copy;
pub mod data_version;
pub mod device_events;
pub mod devices;
pub mod drills;
pub mod durability;
pub mod duty;
pub mod emergency_plans;
mod entity;
pub mod files;
pub mod governance;
pub mod hazards;
pub mod home;
pub mod idempotency;
pub mod inbox;
pub mod incidents;
pub mod ingest;
pub mod inspections;
pub mod jobs;
pub mod leading_groups;
pub mod letters;
mod live;
pub mod migration;
pub mod orgs;
pub mod outbox;
pub mod people;
pub mod pii_grants;
mod read;
pub mod risk_catalog;
mod risk_counts;
pub mod risk_index;
pub mod risk_points;
pub mod rls;
pub mod rollups;
pub mod screen;
pub mod sealed;
pub mod security;
pub mod seed;
pub mod seed_devices;
pub mod seed_emergency;
pub mod seed_governance;
pub mod seed_history;
pub mod seed_incidents;
pub mod seed_placement;
pub mod seed_plans;
pub mod seed_responsibility;
pub mod seed_work_plan;
pub mod star_ratings;
pub mod training_attendance;
pub use audit::AuditCode;
pub use inbox::NoticeKind;
pub use orgs::SchoolId;
pub use seed::Operator;
pub mod transfer;
pub mod users;
pub mod views;
pub mod warning_marks;
pub mod warning_rules;
pub mod warning_sweep;
pub mod warnings;
pub mod work_plans;
pub mod work_records;
pub mod zone_transfer;
pub mod zones;

use crate::domain::ids::{OrgId, UserId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::policy::{self, Action};
use crate::storage::audit::PlatformAudit;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// A pool to SQLite or PostgreSQL, chosen by URL at run time.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    read: read::Reader,
    /// Live warning signals of this process.
    bus: live::Bus,
    /// The field keys that seal minors' data ([`sealed`]; set by [`Db::open_field_keys`]).
    keys: sealed::Keyring,
}

impl Db {
    /// Connects; creates the SQLite file (and its folder) when missing. SQLite connections run
    /// in WAL mode with `synchronous=FULL` (a commit is on the disk when it is acknowledged),
    /// a busy timeout and foreign keys on (`durability::check` reads them back).
    pub async fn connect(url: &str) -> Result<Db> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let file = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(file).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(Error::internal)?;
            }
        }
        let mut opt = ConnectOptions::new(url.to_string());
        opt.sqlx_logging(false)
            .max_connections(if url.starts_with("sqlite") { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            })
            // Row-level security (`rls`): the pool's own connections see every tenant; a
            // scoped handle narrows each of its transactions to the actor's subtree.
            .map_sqlx_postgres_opts(|o| o.options([(rls::SETTING, rls::EVERYTHING)]));
        let conn = Database::connect(opt).await?;
        let read = read::Reader::new(url, conn.clone());
        let bus = live::Bus::shared(&conn);
        // An in-memory database's data dies with the process, and so may its key; any other
        // opens its keys against the database at start (`open_field_keys`).
        let keys = if sealed::store::is_memory(url) {
            sealed::Keyring::ephemeral()
        } else {
            sealed::Keyring::unset()
        };
        Ok(Db {
            conn,
            read,
            bus,
            keys,
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        migration::Migrator::up(&self.conn, None).await?;
        data_version::install(&self.conn).await?;
        rls::install(&self.conn).await?;
        warning_rules::ensure_defaults(&self.conn).await?;
        Ok(())
    }

    /// Grants `role` what the platform needs and nothing more ([`rls::grant_sql`]): run by the
    /// tables' owner after `migrate` when the application connects as another role
    /// (PostgreSQL; a no-op on SQLite).
    pub async fn grant_app_role(&self, role: &str) -> Result<()> {
        if self.conn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        if !rls::valid_role(role) {
            return Err(Error::validation(format!(
                "{role:?} is not a plain role name (lower-case letters, digits, underscores)"
            )));
        }
        use sea_orm::ConnectionTrait;
        self.conn.execute_unprepared(&rls::grant_sql(role)).await?;
        Ok(())
    }

    /// Why row-level security does not hold for this connection's role, if it does not
    /// (PostgreSQL: a superuser or a `BYPASSRLS` role passes every policy; the tables' owner
    /// could drop them). `None` on SQLite and for a role that owns nothing.
    pub async fn rls_bypass(&self) -> Result<Option<String>> {
        Ok(rls::bypass(&self.conn).await?)
    }

    /// The data version: raised by every committed change to the business tables
    /// ([`data_version`]); read before the data it stands for.
    pub async fn data_version(&self) -> Result<i64> {
        data_version::read(&self.read).await
    }

    /// Readiness: can we run a query?
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    pub fn backend(&self) -> &'static str {
        match self.conn.get_database_backend() {
            DbBackend::Postgres => "postgres",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// How the hot reads reach the database: `rusqlite` (a SQLite file) or `seaorm`.
    pub fn read_path(&self) -> &'static str {
        self.read.path()
    }

    /// Reads every table through the read path and through SeaORM over sqlx and names the
    /// tables whose models differ (none, unless a column type was added that the read path
    /// maps wrongly). Loads whole tables: for tests and an operator's check, not for requests.
    pub async fn verify_read_path(&self, _: &seed::Operator) -> Result<Vec<String>> {
        self.read.differs_from(&self.conn).await
    }

    /// The handle for one request's business data.
    pub fn scoped(&self, actor: Actor, action: Action) -> Scoped {
        let conn = rls::Conn::scoped(self.conn.clone(), actor.scope(), actor.user_id());
        Scoped {
            read: self.read.scoped(&conn),
            conn,
            bus: self.bus.clone(),
            keys: self.keys.clone(),
            actor,
            action,
        }
    }

    /// Device ingest: a device proves itself with its token and writes only its own events.
    pub fn ingest(&self) -> ingest::Ingest {
        ingest::Ingest {
            conn: self.conn.clone(),
            read: self.read.clone(),
            bus: self.bus.clone(),
            buses: Default::default(),
        }
    }

    /// Sign-in, sessions and lockout: not scoped, because they establish who the user is.
    pub fn auth(&self) -> auth::Auth {
        auth::Auth {
            conn: self.conn.clone(),
            read: self.read.clone(),
            keys: self.keys.clone(),
        }
    }

    /// The job runner of this process (reminders, overdue notices, escalation): the operator's.
    pub fn jobs(&self, _: &seed::Operator, instance: String) -> jobs::Runner {
        jobs::Runner {
            conn: self.conn.clone(),
            bus: self.bus.clone(),
            instance,
            warnings: crate::config::WarningRules::default(),
            inspection_grace: 0,
            outbox: outbox::Settings::default(),
            emergency: Default::default(),
            security: Default::default(),
            audit: Default::default(),
            event_retention_months: 0,
            privacy: Default::default(),
        }
    }

    /// Unscoped access for the operator (command line, demo seeder, tests) only; a request
    /// handler cannot build the [`seed::Operator`] it takes, and the name makes any use stand
    /// out in review.
    pub fn unsafe_unscoped(&self, _: &seed::Operator) -> seed::Unscoped {
        seed::Unscoped {
            conn: self.conn.clone(),
            keys: self.keys.clone(),
        }
    }

    /// A consistent copy of a SQLite database in a new file (`VACUUM INTO`), safe while the
    /// platform runs. PostgreSQL is backed up with its own tools.
    pub async fn backup_to(&self, out: &std::path::Path) -> Result<()> {
        if self.conn.get_database_backend() != DbBackend::Sqlite {
            return Err(Error::validation(
                "backups of PostgreSQL are made with pg_dump (e.g. pg_dump -Fc safecampus > safecampus.dump)",
            ));
        }
        if out.exists() {
            return Err(Error::validation(format!(
                "{} already exists",
                out.display()
            )));
        }
        let path = out.to_string_lossy().replace('\'', "''");
        use sea_orm::ConnectionTrait;
        self.conn
            .execute_unprepared(&format!("VACUUM INTO '{path}'"))
            .await?;
        Ok(())
    }

    /// Whether the database carries SafeCampus's migrations and audit chain.
    pub async fn is_safecampus(&self) -> bool {
        use sea_orm::ConnectionTrait;
        self.conn
            .query_one_raw(sea_orm::Statement::from_string(
                self.conn.get_database_backend(),
                "SELECT seq FROM audit_head WHERE id = 1",
            ))
            .await
            .map(|r| r.is_some())
            .unwrap_or(false)
    }

    /// Writes the SQLite WAL back into the main file (before copying the file); a no-op on
    /// PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.conn.get_database_backend() == DbBackend::Sqlite {
            use sea_orm::ConnectionTrait;
            self.conn
                .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        Ok(())
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

/// Begins a write transaction; on SQLite as `BEGIN IMMEDIATE`, so a read→write upgrade never
/// fails with BUSY past the busy timeout.
pub(crate) async fn begin_write(
    conn: &(impl TransactionTrait<Transaction = DatabaseTransaction> + sea_orm::ConnectionTrait),
) -> Result<DatabaseTransaction> {
    let opts = TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: (conn.get_database_backend() == DbBackend::Sqlite)
            .then_some(sea_orm::SqliteTransactionMode::Immediate),
    };
    Ok(conn.begin_with_options(opts).await?)
}

/// Who is acting: resolved once per request from the session. Only storage can build or change
/// one (its fields are private to storage); everyone else reads it through the accessors.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(in crate::storage) user_id: UserId,
    pub(in crate::storage) username: String,
    pub(in crate::storage) display_name: String,
    pub(in crate::storage) role: Role,
    pub(in crate::storage) org_id: Option<OrgId>,
    pub(in crate::storage) org_name: String,
    pub(in crate::storage) org_code: String,
    pub(in crate::storage) org_level: Option<OrgLevel>,
    scope: OrgPath,
    pub(in crate::storage) ip: String,
    pub(in crate::storage) request_id: String,
    pub(in crate::storage) csrf: String,
    pub(in crate::storage) must_change_password: bool,
    /// Signed in with the password, the second factor still due (`auth::mfa`).
    pub(in crate::storage) mfa_pending: Option<auth::mfa::MfaPending>,
    /// Unread notifications in the user's inbox (shown in every page's header).
    pub(in crate::storage) unread: u64,
    /// The write's `Idempotency-Key`, if it carried one (`idempotency`).
    pub(in crate::storage) idempotency: Option<idempotency::IdempotencyKey>,
}

impl Actor {
    /// Everything of the actor an answer may depend on, written unambiguously (as `Debug`
    /// text, which quotes and escapes strings) for the response cache's key: every field but
    /// the request's address and id. Destructured without `..`, so a new field is a compile
    /// error here until it is placed in the key or left out on purpose.
    pub fn cache_key(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        let Actor {
            user_id,
            username,
            display_name,
            role,
            org_id,
            org_name,
            org_code,
            org_level,
            scope,
            ip: _,
            request_id: _,
            csrf,
            must_change_password,
            mfa_pending,
            unread,
            idempotency: _,
        } = self;
        let fields = (
            user_id,
            username,
            display_name,
            role,
            org_id,
            org_name,
            org_code,
            org_level,
            scope,
            csrf,
            must_change_password,
            (mfa_pending, unread),
        );
        // Writing into a `Vec` cannot fail.
        let _ = write!(out, "{fields:?}");
    }

    /// The root of the actor's subtree.
    pub fn scope(&self) -> &OrgPath {
        &self.scope
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The user's org node (none for the three system roles).
    pub fn org_id(&self) -> Option<OrgId> {
        self.org_id
    }

    pub fn org_name(&self) -> &str {
        &self.org_name
    }

    pub fn org_code(&self) -> &str {
        &self.org_code
    }

    pub fn org_level(&self) -> Option<OrgLevel> {
        self.org_level
    }

    /// The client address the request came from.
    pub fn ip(&self) -> &str {
        &self.ip
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The session's CSRF token (put in every form).
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// The account is on a temporary password and must change it first.
    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }

    /// The second factor is still due: only its routes, sign-out, static files and health
    /// answer (the gate).
    pub fn mfa_pending(&self) -> Option<auth::mfa::MfaPending> {
        self.mfa_pending
    }

    /// Unread notifications in the user's inbox.
    pub fn unread(&self) -> u64 {
        self.unread
    }

    /// An actor for command-line operations (audited as `cli`).
    pub(in crate::storage) fn cli() -> Actor {
        Actor {
            user_id: UserId(0),
            username: "cli".into(),
            display_name: "cli".into(),
            role: Role::SysAdmin,
            org_id: None,
            org_name: String::new(),
            org_code: String::new(),
            org_level: None,
            scope: OrgPath::root(),
            ip: "local".into(),
            request_id: String::new(),
            csrf: String::new(),
            must_change_password: false,
            mfa_pending: None,
            unread: 0,
            idempotency: None,
        }
    }

    /// The actor of background jobs (audited as `system`).
    pub(in crate::storage) fn system() -> Actor {
        let mut a = Actor::cli();
        a.username = "system".into();
        a.display_name = "system".into();
        a.ip = "job".into();
        a
    }
}

/// The scoped handle: the actor, the action the route performs, and the connection.
pub struct Scoped {
    /// Every statement under the actor's scope on PostgreSQL ([`rls`]).
    conn: rls::Conn,
    /// The hot reads' path (see [`read`]); writes and transactions use `conn`.
    read: read::Reader,
    bus: live::Bus,
    /// The field keys ([`sealed`]).
    keys: sealed::Keyring,
    actor: Actor,
    action: Action,
}

impl Scoped {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn action(&self) -> Action {
        self.action
    }

    /// The role check (403), applied after the object was found in scope (else 404).
    fn permit(&self) -> Result<()> {
        if policy::allows(self.actor.role, self.action) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Starts a write: the role check first (a refusal is audited and nothing is written),
    /// then one transaction. [`WriteTx::commit`] appends the audit event in that same
    /// transaction; dropping the `WriteTx` without committing rolls everything back.
    async fn begin(&self, event: audit::Event) -> Result<WriteTx<'_>> {
        if let Err(e) = self.permit() {
            self.audit_refusal(&event, &e).await;
            return Err(e);
        }
        let txn = begin_write(&self.conn).await?;
        Ok(WriteTx {
            scoped: self,
            txn,
            event,
        })
    }

    /// Like [`Scoped::begin`] for a write about one org node (a school, a district): the node
    /// must be in scope (else `NotFound`, audited) before the role is checked (else `Forbidden`).
    async fn begin_for(&self, event: audit::Event, org: OrgId) -> Result<WriteTx<'_>> {
        let found = self.org_row(org, &self.read).await.map(drop);
        Ok(self.begin_found(event, found).await?.0)
    }

    /// Like [`Scoped::begin_for`] for a write about a school's own data (its people, zones,
    /// risk points, hazards, inspections, files): the id must be a *school* in scope — a city or
    /// district id is `NotFound` like any id out of scope, checked before the role, so no
    /// write can land on a district and no role learns more than "not found".
    /// The transaction comes with the school's [`SchoolId`]: what the write stores about the
    /// school takes its id from there.
    async fn begin_for_school(
        &self,
        event: audit::Event,
        school: OrgId,
    ) -> Result<(WriteTx<'_>, SchoolId)> {
        let found = self.school(school, &self.read).await;
        self.begin_found(event, found).await
    }

    /// [`Scoped::begin`] once the write's object was looked up: a refusal of the lookup
    /// (`NotFound` audited) ends it before the role is checked.
    async fn begin_found<T>(
        &self,
        event: audit::Event,
        found: Result<T>,
    ) -> Result<(WriteTx<'_>, T)> {
        let found = match found {
            Ok(f) => f,
            Err(e) => {
                if matches!(e, Error::NotFound) {
                    self.audit_refusal(&event, &e).await;
                }
                return Err(e);
            }
        };
        Ok((self.begin(event).await?, found))
    }

    /// Audits a write the request gate refused before any object was looked at.
    pub async fn refuse(&self, what: &str) {
        let event = audit::Event::new(PlatformAudit::Denied, "route", what);
        self.audit_refusal(&event, &Error::Forbidden).await;
    }

    async fn audit_refusal(&self, event: &audit::Event, e: &Error) {
        let result = match e {
            Error::NotFound => "denied_not_found",
            _ => "denied",
        };
        if let Ok(txn) = begin_write(&self.conn).await
            && audit::append(&txn, &self.actor, event, result)
                .await
                .is_ok()
        {
            txn.commit().await.ok();
        }
    }
}

/// Declares a per-module handle: a view of a [`Scoped`] handle that carries one module's
/// operations (`db.hazards().list(…)`), so the handle is not one type with every method of
/// the platform. It dereferences to the [`Scoped`] it was made from: the same actor, action and
/// connection, and the same checks.
macro_rules! module_handle {
    ($($(#[$doc:meta])* $name:ident => $method:ident;)*) => {
        $(
            $(#[$doc])*
            pub struct $name<'a>(&'a Scoped);

            impl std::ops::Deref for $name<'_> {
                type Target = Scoped;
                fn deref(&self) -> &Scoped {
                    self.0
                }
            }

            impl Scoped {
                $(#[$doc])*
                pub fn $method(&self) -> $name<'_> {
                    $name(self)
                }
            }
        )*
    };
}

module_handle! {
    /// The org tree: cities and districts.
    Orgs => orgs;
    /// Schools and kindergartens: list, read, create, edit, import.
    Schools => schools;
    /// A school's people and posts.
    People => people;
    /// A school's campus zones.
    Zones => zones;
    /// The district risk catalogue.
    Catalog => catalog;
    /// School risk registers, assessments, roll-ups and maps.
    Registers => risk;
    /// Photos and documents.
    Files => files;
    /// Hidden hazards and their closed loop.
    Hazards => hazards;
    /// Inspections, campaigns, cross-inspections and the self-inspection board.
    Inspections => inspections;
    /// The signed-in user's notifications.
    Notices => inbox;
    /// A school's devices of the early warning, their tokens and refused payloads.
    Devices => devices;
    /// Warnings: the list, one with its history, the lifecycle's steps.
    Warnings => warnings;
    /// The device threshold rules in force, and the bureau's edits.
    WarningRules => warning_rules;
    /// The bureaus' outbound notification channels and their delivery log.
    Channels => channels;
    /// Each school's risk index and its parts.
    RiskIndex => risk_index;
    /// The monitoring screen's counts.
    Screen => screen;
    /// The home pages' figures and a school hub's key figures.
    Home => home;
    /// School buses: vehicles, signs, permits, drivers, attendants, routes, riders, trips.
    Buses => buses;
    /// Time-boxed grants to see minors' data whole.
    PiiGrants => pii_grants;
    /// A school's drills and the drill compliance board.
    Drills => drills;
    /// Duty periods, rosters, daily (zero) reports and their board.
    Duty => duty;
    /// Incident reports (紧急信息报告), their clocks and the bureaus' receipts.
    Incidents => incidents;
    /// Emergency plans, their review and coverage, the bureaus' expert pools.
    Plans => plans;
    /// The working-day calendar (public holidays and make-up working days).
    Calendar => calendar;
    /// The districts' yearly work plans, their items, obligations and versions.
    WorkPlans => work_plans;
    /// The compliance calendar of the work plans' obligations.
    Compliance => compliance;
    /// Meetings, trainings and education activities (the plan's evidence).
    WorkRecords => work_records;
    /// Responsibility letters (责任书) and their signatures.
    Letters => letters;
    /// The leading groups of the bureaus and schools, and their gaps.
    LeadingGroups => leading_groups;
    /// Concentrated governance actions and the schools' results.
    Governance => governance;
    /// The schools' yearly star ratings (computed criteria, the bureau's awards).
    StarRatings => star_ratings;
    /// The security register (guards, technical protection) and its shortfalls.
    Security => security;
    /// Accounts, grants and roles (the three system roles).
    Users => users;
    /// The audit log.
    AuditLog => audit;
}

/// An open write transaction of a [`Scoped`] handle, carrying its audit event.
pub(crate) struct WriteTx<'a> {
    scoped: &'a Scoped,
    pub txn: DatabaseTransaction,
    pub event: audit::Event,
}

impl WriteTx<'_> {
    /// Appends the audit event and commits, atomically.
    pub async fn commit(self) -> Result<()> {
        audit::append(&self.txn, &self.scoped.actor, &self.event, "ok").await?;
        self.txn.commit().await?;
        Ok(())
    }

    /// Rolls back; an out-of-scope or forbidden target is audited as a refusal.
    pub async fn fail(self, e: Error) -> Error {
        self.txn.rollback().await.ok();
        if matches!(e, Error::NotFound | Error::Forbidden) {
            self.scoped.audit_refusal(&self.event, &e).await;
        }
        e
    }
}
