//! Configuration in layers: built-in defaults → optional TOML file → environment variables
//! (`SAFECAMPUS_*`) → command-line flags. No global: the resolved [`Config`] is passed down.

use serde::Deserialize;
use std::path::Path;

/// Sign-in and session limits (domain.md §10.2 defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Security {
    /// Failed sign-ins for one account from one address within the window that pause sign-in
    /// to that account from that address for `lockout_minutes` (the owner elsewhere is not
    /// affected).
    pub max_failures: u32,
    pub failure_window_minutes: i64,
    pub lockout_minutes: i64,
    /// Failed sign-ins from one address (any accounts) within `failure_window_minutes` that
    /// pause every sign-in from that address for `lockout_minutes`.
    pub address_max_failures: u32,
    /// Failed sign-ins for one account from all addresses within `account_window_minutes`
    /// that lock the account for `lockout_minutes` (or until an administrator unlocks it);
    /// the brake on guessing from many addresses. 0 turns it off.
    pub account_max_failures: u32,
    pub account_window_minutes: i64,
    /// A session unused this long ends.
    pub idle_timeout_minutes: i64,
    /// A session ends this long after sign-in, used or not.
    pub absolute_timeout_hours: i64,
    /// Send cookies with `Secure` (set when served over HTTPS, e.g. behind a TLS proxy).
    pub secure_cookies: bool,
    /// A session of the system, security or audit administrator unused this long ends.
    pub admin_idle_timeout_minutes: i64,
    /// The password policy: minimum length (business roles, and the three system roles),
    /// how many of the four classes (upper, lower, digits, symbols), the common-password list.
    pub password_min_length: usize,
    pub password_min_length_admin: usize,
    pub password_min_classes: usize,
    pub password_reject_common: bool,
    /// A new password may not be one of the user's last this many (0: no history).
    pub password_history: u32,
    /// After this many days a password must be changed at the next sign-in (0: never).
    pub password_max_age_days: i64,
    /// An initial or reset password not changed within this many hours no longer signs in
    /// (an administrator resets it again; 0: never).
    pub initial_password_hours: i64,
    /// An account without a sign-in for this many days is disabled (at sign-in and by the
    /// daily job; the system administrator enables it again; 0: never). The three system
    /// roles' accounts are managed on the command line and are not disabled.
    pub account_idle_days: i64,
    /// The reverse proxies (nginx) whose `X-Forwarded-For` names the client: sign-in
    /// throttling and the audit log use that address for requests from them. Empty (the
    /// default): the socket's peer, whatever a header says.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The roles (wire codes) that must sign in with a second factor (TOTP): a user of one
    /// of them without one sets it up at the next sign-in. Anyone else may set one up.
    pub mfa_required_roles: Vec<String>,
    /// The file holding the field encryption key (32 bytes in base64) that seals minors' and
    /// guardians' data and the second factor's secrets (`SAFECAMPUS_FIELD_KEY` wins over it).
    /// Unset on SQLite: a key file is made beside the database at first start.
    pub field_key_file: Option<std::path::PathBuf>,
    /// Older field keys' files, read only to open values sealed before a rotation
    /// (`safecampus admin rotate-field-key`); also `SAFECAMPUS_FIELD_KEY_OLD`.
    pub field_old_key_files: Vec<std::path::PathBuf>,
}

impl Security {
    /// The password rules for a user of `role`.
    pub fn password_policy(
        &self,
        role: crate::domain::role::Role,
    ) -> crate::domain::password::Policy {
        crate::domain::password::Policy {
            min_len: if role.is_system() {
                self.password_min_length_admin.max(self.password_min_length)
            } else {
                self.password_min_length
            },
            max_len: crate::domain::password::MAX_LEN,
            min_classes: self.password_min_classes.min(4),
            reject_common: self.password_reject_common,
        }
    }

    /// Whether a user of `role` must sign in with a second factor.
    pub fn mfa_required(&self, role: crate::domain::role::Role) -> bool {
        self.mfa_required_roles
            .iter()
            .any(|r| r == crate::domain::Code::as_str(role))
    }

    /// The idle timeout of a session of `role`.
    pub fn idle_minutes(&self, role: crate::domain::role::Role) -> i64 {
        if role.is_system() {
            self.admin_idle_timeout_minutes
                .min(self.idle_timeout_minutes)
        } else {
            self.idle_timeout_minutes
        }
    }
}

impl Default for Security {
    fn default() -> Self {
        Security {
            max_failures: 5,
            failure_window_minutes: 15,
            lockout_minutes: 30,
            address_max_failures: 20,
            account_max_failures: 100,
            account_window_minutes: 60,
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
            secure_cookies: false,
            admin_idle_timeout_minutes: 10,
            password_min_length: 10,
            password_min_length_admin: 12,
            password_min_classes: 3,
            password_reject_common: true,
            password_history: 5,
            password_max_age_days: 90,
            initial_password_hours: 72,
            account_idle_days: 90,
            trusted_proxies: Vec::new(),
            // The three system roles and the bureau's officers (等保 8.1.4.1d).
            mfa_required_roles: [
                "sys_admin",
                "sec_admin",
                "audit_admin",
                "city_officer",
                "bureau_leader",
                "bureau_officer",
                "bureau_inspector",
            ]
            .map(String::from)
            .to_vec(),
            field_key_file: None,
            field_old_key_files: Vec::new(),
        }
    }
}

/// Risk grading configuration: LEC bands, control levels by grade, review intervals
/// (defaults from domain.md; the district may change them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Risk {
    pub lec_bands: crate::domain::risk::LecBands,
    pub control_levels: crate::domain::risk::ControlLevels,
    pub review: crate::domain::risk::ReviewPolicy,
}

/// The hazard closed loop's clock (domain.md §2.7 defaults).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HazardRules {
    /// Remind the responsible person this many days before the deadline.
    pub reminder_days: Vec<u32>,
    /// List an overdue hazard for bureau supervision (挂牌督办) after this many days overdue.
    pub escalate_after_days: u32,
}

impl Default for HazardRules {
    fn default() -> Self {
        HazardRules {
            reminder_days: vec![3, 1],
            escalate_after_days: 7,
        }
    }
}

/// Inspection rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InspectionRules {
    /// Days after the end of a half-month within which a self-inspection still counts as on
    /// time.
    pub grace_days: u32,
}

/// Devices of the early warning.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceRules {
    /// Minutes without an event after which a device counts as offline.
    pub offline_minutes: u32,
    /// Events stamped longer ago than this are refused at ingest (a device that was offline
    /// for days replays its buffer; older readings would raise warnings about the past).
    pub max_event_age_hours: u32,
    /// Device events are kept this many calendar months, the current one included (older
    /// months are dropped by the daily job; 0 keeps everything). The default covers a school
    /// year and the year-end assessment.
    pub event_retention_months: u32,
}

impl Default for DeviceRules {
    fn default() -> Self {
        DeviceRules {
            offline_minutes: 30,
            max_event_age_hours: 72,
            event_retention_months: 13,
        }
    }
}

/// The early warning's clock (the threshold rules themselves are the bureau's, in the
/// database).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningRules {
    /// Hours an acknowledged red warning may stay unresolved before it opens a hazard.
    pub red_hazard_after_hours: u32,
    /// The same for orange.
    pub orange_hazard_after_hours: u32,
    /// How often the warning sweep (offline devices, overdue hazards, warnings left
    /// unresolved) runs, in seconds.
    pub sweep_seconds: u64,
    /// The weights of the school risk index's parts (grades, hazards, overdue, missed_checks,
    /// warnings).
    pub index_weights: crate::domain::warning::IndexWeights,
    /// The level of the warning a school gets for a missed half-month self-inspection.
    pub missed_check_level: crate::domain::warning::Level,
}

impl Default for WarningRules {
    fn default() -> Self {
        use crate::domain::warning::{Level, default_hazard_after_hours};
        WarningRules {
            red_hazard_after_hours: default_hazard_after_hours(Level::Red).unwrap_or(4),
            orange_hazard_after_hours: default_hazard_after_hours(Level::Orange).unwrap_or(24),
            sweep_seconds: 60,
            index_weights: Default::default(),
            missed_check_level: Level::Yellow,
        }
    }
}

/// Upload limits for photos and documents.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileLimits {
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// Most files in one upload request.
    pub max_files: usize,
    /// Largest decoded image, in pixels (width × height): larger images are refused before
    /// decoding (decompression bombs).
    pub max_pixels: u64,
    /// Stored images are scaled down to at most this many pixels on the longer side.
    pub max_side: u32,
    /// Thumbnails' longer side, in pixels.
    pub thumb_side: u32,
}

impl Default for FileLimits {
    fn default() -> Self {
        FileLimits {
            max_bytes: 10 * 1024 * 1024,
            max_files: 10,
            max_pixels: 48_000_000,
            max_side: 2560,
            thumb_side: 320,
        }
    }
}

/// Operations endpoints.
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ops {
    /// The bearer token Prometheus sends to `GET /metrics` (`Authorization: Bearer …`; also
    /// `SAFECAMPUS_METRICS_TOKEN`). Unset or empty: `/metrics` answers 404.
    pub metrics_token: Option<String>,
    /// Serve even when the database's durability settings could lose an acknowledged write
    /// (PostgreSQL with `fsync` or `synchronous_commit` off, say): for throwaway databases
    /// only. Off: `serve` and `demo` refuse to start and name the setting.
    pub allow_unsafe_durability: bool,
}

impl std::fmt::Debug for Ops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = self.metrics_token.as_deref().is_some_and(|t| !t.is_empty());
        f.debug_struct("Ops")
            .field("metrics_token", &if set { "<set>" } else { "<unset>" })
            .field("allow_unsafe_durability", &self.allow_unsafe_durability)
            .finish()
    }
}

/// The in-memory cache of the answers of the most-read lists and pages (`web::cache`): an
/// answer is kept per caller and served again while the database's data version is the same,
/// i.e. until any change to the business data commits, on this instance or another.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cache {
    pub enabled: bool,
    /// Memory the kept answers may take (MiB, per instance); the oldest go first.
    pub max_mib: usize,
    /// A kept answer is served at most this long (seconds) even when no data changed: the
    /// bound on anything an answer derives from the clock finer than the day (the day itself
    /// is part of the key).
    pub ttl_seconds: u64,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            enabled: true,
            max_mib: 64,
            ttl_seconds: 60,
        }
    }
}

/// The audit log's external anchors (`[audit]`): where the daily anchor of the chain's head
/// goes, outside the database (see `storage/audit/anchor.rs`). Neither set: no daily anchor
/// (`safecampus admin anchor-audit --out DIR` still writes one on demand).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// A directory for the anchor files, on another disk or a mounted share
    /// (`SAFECAMPUS_AUDIT_ANCHOR_DIR`).
    pub anchor_dir: Option<std::path::PathBuf>,
    /// An HTTP(S) endpoint the anchor is POSTed to as JSON (e.g. another department's log
    /// collector).
    pub anchor_url: Option<String>,
    /// Where purged entries are archived (JSON lines with their hashes) before they leave the
    /// database; a purge of anything is refused without it.
    pub archive_dir: Option<std::path::PathBuf>,
    /// The daily job purges entries older than this many days (0: never; at least 184, the
    /// legal floor, whatever is set). The audit administrator can purge by hand too.
    pub retention_days: u32,
}

/// Personal data's retention (`[privacy]`, T-PR-7).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Privacy {
    /// A bus rider marked as left (graduated, moved, changed route) is deleted by the daily
    /// job this many days after the day they left.
    pub leaver_retention_days: u32,
    /// The longest a grant to see minors' data whole may last once approved, in hours
    /// (T-PR-4); a request asks for 1 to this many.
    pub unmask_grant_max_hours: u32,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            leaver_retention_days: 30,
            unmask_grant_max_hours: 24,
        }
    }
}

/// Background jobs (reminders, overdue notices, escalation).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Jobs {
    /// Run jobs in this process (turn off on instances that should only serve requests).
    pub enabled: bool,
    /// How often to look for due jobs, in seconds.
    pub poll_seconds: u64,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            enabled: true,
            poll_seconds: 30,
        }
    }
}

/// Device readings through an MQTT broker (Mosquitto): the server subscribes to
/// `topic` and stores each message like a batch sent over HTTP.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mqtt {
    /// Subscribe to the broker. Unset: off for `serve`, on for `demo` (which warns and carries
    /// on without a broker). `SAFECAMPUS_MQTT_ENABLED`.
    pub enabled: Option<bool>,
    /// The broker: `mqtt://[user:password@]host[:port]` (port 1883 by default; no TLS: run the
    /// broker beside the platform or behind a TLS-terminating proxy). `SAFECAMPUS_MQTT_URL`.
    pub url: String,
    /// The client id. The broker keeps this client's session (its subscription and the
    /// readings published while the server was away) under it, so it must be stable across
    /// restarts and different for every instance. Default `safecampus-<hostname>`.
    pub client_id: String,
    /// The topic filter; its one `+` level is the device's id. With several instances, share
    /// the subscription: `$share/safecampus/safecampus/devices/+/events`.
    pub topic: String,
}

/// The default client id: `safecampus-<hostname>` (the process id when the host has no name).
pub fn default_client_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("safecampus-{h}"),
        None => format!("safecampus-{}", std::process::id()),
    }
}

impl Default for Mqtt {
    fn default() -> Self {
        Mqtt {
            enabled: None,
            url: "mqtt://127.0.0.1:1883".into(),
            client_id: default_client_id(),
            topic: "safecampus/devices/+/events".into(),
        }
    }
}

impl Mqtt {
    /// Whether `serve` subscribes (`demo` turns an unset `enabled` on).
    pub fn on(&self) -> bool {
        self.enabled.unwrap_or(false)
    }
}

impl std::fmt::Debug for Mqtt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A password in the URL is never printed.
        let url = match self.url.split_once('@') {
            Some((scheme_user, host)) => match scheme_user.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://<credentials>@{host}"),
                None => format!("<credentials>@{host}"),
            },
            None => self.url.clone(),
        };
        f.debug_struct("Mqtt")
            .field("enabled", &self.enabled)
            .field("url", &url)
            .field("client_id", &self.client_id)
            .field("topic", &self.topic)
            .finish()
    }
}

/// Outbound notifications of warnings (e-mail, DingTalk, WeCom, webhooks): how they are sent.
/// The channels themselves are the bureaus' configuration, in the database.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Outbox {
    /// The SMTP relay: `smtp://[user:password@]host[:port]` (plain SMTP, port 25 by default),
    /// `smtp+starttls://…` (STARTTLS required, port 587) or `smtps://…` (TLS from the first
    /// byte, port 465). The server's certificate is checked against the system's roots.
    pub smtp_url: String,
    /// A PEM file of the intranet's own certificate authority, trusted beside the system's roots
    /// for the SMTP relay's certificate.
    pub smtp_ca_file: Option<String>,
    /// The sender of the e-mails.
    pub from: String,
    /// Longest wait for one send (a webhook's answer, an SMTP exchange), in seconds.
    pub timeout_seconds: u64,
}

impl Default for Outbox {
    fn default() -> Self {
        Outbox {
            smtp_url: "smtp://127.0.0.1:25".into(),
            smtp_ca_file: None,
            from: "safecampus@localhost".into(),
            timeout_seconds: 5,
        }
    }
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A password in the URL is never printed.
        let url = match self.smtp_url.rsplit_once('@') {
            Some((scheme_user, host)) => match scheme_user.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://<credentials>@{host}"),
                None => format!("<credentials>@{host}"),
            },
            None => self.smtp_url.clone(),
        };
        f.debug_struct("Outbox")
            .field("smtp_url", &url)
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("from", &self.from)
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listen: String,
    pub database_url: String,
    /// PostgreSQL: the URL of the role that owns the tables, when `database_url` connects as
    /// another role (the recommended set-up, `docs/deploy.md`): migrations run through it, and
    /// it grants `database_url`'s role what the platform needs and nothing more (no DDL, no
    /// change of the audit log), so that role cannot drop the row-level policies.
    pub owner_database_url: Option<String>,
    /// Log as JSON lines (for collectors) instead of human-readable text.
    pub log_json: bool,
    /// The address people use to reach the platform (e.g. `http://safecampus.edu.local`), for
    /// the QR codes on printed risk cards. Required for `serve` (without it a card's code holds
    /// only the path, never the request's `Host`); `demo` defaults it to its listen address.
    pub public_url: Option<String>,
    pub security: Security,
    pub risk: Risk,
    pub hazard: HazardRules,
    pub inspection: InspectionRules,
    pub devices: DeviceRules,
    pub warnings: WarningRules,
    pub files: FileLimits,
    pub jobs: Jobs,
    pub mqtt: Mqtt,
    pub outbox: Outbox,
    pub ops: Ops,
    /// The drill requirements and the evacuation-time target (`[drills]`).
    pub drills: crate::domain::drill::DrillConfig,
    /// The daily report's cutoff of a new duty period (`[duty]`).
    pub duty: crate::domain::duty::DutyConfig,
    /// The incident reports' deadlines per type and level (`[incidents]`).
    pub incidents: crate::domain::incident::ReportDeadlines,
    /// When the semesters start (`[calendar]`), for per-semester drill requirements.
    pub calendar: crate::domain::calendar::SchoolCalendar,
    /// Emergency plans: the filing deadline in working days, the evaluation interval, which
    /// risk points need a plan (`[plans]`, `[plans.coverage]`).
    pub plans: crate::domain::emergency_plan::PlanConfig,
    /// The security register's staffing and equipment rules (`[security_register]`).
    pub security_register: crate::domain::security::SecurityRules,
    /// School buses: driver and attendant rules, permit deadlines, speed limits, route
    /// deviation, expiry warnings (`[buses]`).
    pub buses: crate::domain::bus::BusConfig,
    /// The in-memory cache of repeated reads (`[cache]`).
    pub cache: Cache,
    /// The audit chain's external anchors (`[audit]`).
    pub audit: AuditConfig,
    /// Personal data's retention (`[privacy]`).
    pub privacy: Privacy,
}

pub const DEFAULT_DB: &str = "sqlite://data/safecampus.db?mode=rwc";
pub const DEMO_DB: &str = "sqlite://data/demo.db?mode=rwc";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: DEFAULT_DB.into(),
            owner_database_url: None,
            log_json: false,
            public_url: None,
            security: Security::default(),
            risk: Risk::default(),
            hazard: HazardRules::default(),
            inspection: InspectionRules::default(),
            devices: DeviceRules::default(),
            warnings: WarningRules::default(),
            files: FileLimits::default(),
            jobs: Jobs::default(),
            mqtt: Mqtt::default(),
            outbox: Outbox::default(),
            ops: Ops::default(),
            drills: Default::default(),
            duty: Default::default(),
            incidents: Default::default(),
            calendar: Default::default(),
            plans: Default::default(),
            security_register: Default::default(),
            buses: Default::default(),
            cache: Cache::default(),
            audit: AuditConfig::default(),
            privacy: Privacy::default(),
        }
    }
}

impl Config {
    /// Reads the TOML file if given; a missing or malformed file is an error, not a default.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut c = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("config {}: {e}", p.display()))?
            }
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("SAFECAMPUS_LOG_JSON") {
            c.log_json = v == "1" || v.eq_ignore_ascii_case("true");
        }
        if let Ok(v) = std::env::var("SAFECAMPUS_METRICS_TOKEN") {
            c.ops.metrics_token = Some(v);
        }
        if let Ok(v) = std::env::var("SAFECAMPUS_MQTT_URL") {
            c.mqtt.url = v;
        }
        if let Ok(v) = std::env::var("SAFECAMPUS_MQTT_ENABLED") {
            c.mqtt.enabled = Some(v == "1" || v.eq_ignore_ascii_case("true"));
        }
        if let Ok(v) = std::env::var("SAFECAMPUS_CACHE_ENABLED") {
            c.cache.enabled = v == "1" || v.eq_ignore_ascii_case("true");
        }
        if let Ok(v) = std::env::var("SAFECAMPUS_AUDIT_ANCHOR_DIR") {
            c.audit.anchor_dir =
                Some(v.into()).filter(|p: &std::path::PathBuf| !p.as_os_str().is_empty());
        }
        {
            use crate::domain::Code as _;
            if let Some(bad) = c
                .security
                .mfa_required_roles
                .iter()
                .find(|r| crate::domain::role::Role::parse(r).is_none())
            {
                anyhow::bail!("[security] mfa_required_roles: unknown role `{bad}`");
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration example in the README parses.
    #[test]
    fn readme_example_parses() {
        let readme = include_str!("../README.md");
        let start = readme.find("```toml\nlisten").expect("example in README") + 8;
        let end = start + readme[start..].find("```").expect("end of example");
        let c: Config = toml::from_str(&readme[start..end]).expect("README example");
        assert_eq!(c.security.lockout_minutes, 30);
        assert_eq!(c.risk.review.days(crate::domain::risk::Grade::Major), 30);
        assert!(c.public_url.is_some());
        assert_eq!(c.hazard.reminder_days, vec![3, 1]);
        assert_eq!(c.hazard.escalate_after_days, 7);
        assert_eq!(c.files.max_bytes, 10 * 1024 * 1024);
        assert_eq!(c.security.address_max_failures, 20);
        assert_eq!(c.security.account_max_failures, 100);
        assert!(c.ops.metrics_token.is_some());
        assert!(
            !format!("{:?}", c.ops).contains("change-me"),
            "the token is not printed"
        );
    }

    #[test]
    fn file_overrides_defaults_and_rejects_unknown_keys() {
        let c: Config =
            toml::from_str("listen = \"0.0.0.0:9000\"\n[security]\nlockout_minutes = 5\n").unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.security.lockout_minutes, 5);
        assert_eq!(c.security.max_failures, 5);
        assert!(toml::from_str::<Config>("lisen = 1").is_err());
    }

    #[test]
    fn emergency_sections_default_and_parse() {
        let c: Config = toml::from_str(
            "[drills]\ntarget_seconds = 150\n[duty]\ndaily_cutoff = \"16:30:00\"\n\
             [calendar]\nautumn_start = \"08-25\"\n",
        )
        .unwrap();
        assert_eq!(c.drills.target_seconds(), 150);
        assert_eq!(c.duty.daily_cutoff.to_string(), "16:30:00");
        assert_eq!(
            c.calendar.autumn_start(2026),
            chrono::NaiveDate::from_ymd_opt(2026, 8, 25).unwrap()
        );
        let d = Config::default();
        assert_eq!(d.drills.target_seconds(), 120);
        assert_eq!(d.duty.daily_cutoff.to_string(), "15:00:00");
        assert!(toml::from_str::<Config>("[duty]\ncutoff = 1").is_err());
        let c: Config = toml::from_str(
            "[duty]\ncallback_minutes = 3\n[incidents]\nfirst_minutes = 30\n\
             [incidents.first_minutes_by_level]\nespecially_serious = 15\n",
        )
        .unwrap();
        assert_eq!(c.duty.callback_minutes, 3);
        assert_eq!(c.incidents.first_minutes, 30);
        assert_eq!(d.incidents.first_minutes, 60);
        assert_eq!(d.duty.callback_minutes, 5);
    }
}
