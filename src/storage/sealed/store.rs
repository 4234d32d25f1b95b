//! The database side of field encryption: the keys opened at start against the database's
//! check value, plain values of an older database sealed at start, and the rotation.
//!
//! - **At start** ([`Db::open_field_keys`]): the current key comes from `SAFECAMPUS_FIELD_KEY`,
//!   else `[security] field_key_file`, else (SQLite) the key file beside the database
//!   (`<file>.key`), which the first start makes (mode 0600, a warning logged: production keeps
//!   the key elsewhere) while the database holds no sealed value. A database that holds sealed
//!   values and no key configured, or a key that is not the one they were sealed with (the
//!   check value `field_key_check` does not open, or a value names a key not configured), is
//!   refused with a message naming what is missing. Then every plain value of a sealed column
//!   is sealed (idempotent), in one transaction.
//! - **Rotation** ([`Db::rotate_field_keys`]): every value not sealed with the current key is
//!   opened with the old key named for it and sealed again with the current one, the check
//!   value too, in one transaction, audited (`field_key.rotate`: counts and key ids, no value).

use super::{CHECK, COLUMNS, Column, FieldKey, Keyring, SealError, is_sealed, key_id};
use crate::config::Security;
use crate::error::{Error, Result};
use crate::storage::audit::{self, Event, PlatformAudit};
use crate::storage::{Actor, Db, begin_write, seed};
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use std::path::{Path, PathBuf};

/// The current key, base64 (wins over `[security] field_key_file`).
pub const ENV_KEY: &str = "SAFECAMPUS_FIELD_KEY";
/// Older keys, base64, separated by commas: read only, for a rotation.
pub const ENV_OLD: &str = "SAFECAMPUS_FIELD_KEY_OLD";
/// The constant the check value seals.
const CHECK_TEXT: &str = "safecampus field key check";

impl From<SealError> for Error {
    fn from(e: SealError) -> Error {
        Error::internal(e)
    }
}

/// Where the current field key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `SAFECAMPUS_FIELD_KEY`.
    Env,
    /// `[security] field_key_file`.
    File(PathBuf),
    /// The key file beside a SQLite database, made at an earlier start.
    Beside(PathBuf),
    /// Made now, beside the SQLite database.
    Generated(PathBuf),
    /// An in-memory database: a key of this process only.
    Ephemeral,
}

/// What opening the keys found and did.
#[derive(Debug, Clone)]
pub struct Opened {
    pub source: KeySource,
    pub key_id: String,
    /// Plain values sealed at this start (an older database).
    pub sealed_now: u64,
    /// Values still sealed with an older key (a rotation would move them).
    pub older: u64,
}

/// What a rotation did.
#[derive(Debug, Clone)]
pub struct Rotated {
    pub key_id: String,
    /// Values sealed again with the current key.
    pub resealed: u64,
    /// The keys they were sealed with before.
    pub from: Vec<String>,
}

/// The key file kept beside a SQLite database file when none is configured.
pub fn beside(db_file: &Path) -> PathBuf {
    let mut name = db_file.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = path.split('?').next().unwrap_or(path);
    (!file.is_empty() && file != ":memory:" && !url.contains("mode=memory"))
        .then(|| PathBuf::from(file))
}

/// Whether the URL names an in-memory SQLite database.
pub(in crate::storage) fn is_memory(url: &str) -> bool {
    url.starts_with("sqlite") && sqlite_file(url).is_none()
}

fn read_key_file(path: &Path) -> anyhow::Result<FieldKey> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the field key file {}: {e}", path.display()))?;
    FieldKey::from_base64(&text)
        .map_err(|e| anyhow::anyhow!("the field key file {}: {e}", path.display()))
}

/// The current key configured, with its source.
type Current = Option<(FieldKey, KeySource)>;

/// The keys configured: the current one with its source, and the old ones.
fn configured(sec: &Security) -> anyhow::Result<(Current, Vec<FieldKey>)> {
    let current = match std::env::var(ENV_KEY).ok().filter(|v| !v.trim().is_empty()) {
        Some(v) => Some((
            FieldKey::from_base64(&v).map_err(|e| anyhow::anyhow!("{ENV_KEY}: {e}"))?,
            KeySource::Env,
        )),
        None => match &sec.field_key_file {
            Some(p) => Some((read_key_file(p)?, KeySource::File(p.clone()))),
            None => None,
        },
    };
    let mut old = Vec::new();
    if let Ok(v) = std::env::var(ENV_OLD) {
        for part in v.split([',', ' ', '\n']).filter(|p| !p.trim().is_empty()) {
            old.push(FieldKey::from_base64(part).map_err(|e| anyhow::anyhow!("{ENV_OLD}: {e}"))?);
        }
    }
    for p in &sec.field_old_key_files {
        old.push(read_key_file(p)?);
    }
    Ok((current, old))
}

/// Makes a new key file (owner read/write only); it must not exist.
fn generate_file(path: &Path) -> anyhow::Result<FieldKey> {
    use std::io::Write as _;
    let (key, text) = FieldKey::generate();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create the field key file {}: {e}", path.display()))?;
    f.write_all(format!("{text}\n").as_bytes())?;
    f.sync_all()?;
    Ok(key)
}

/// The check row: the id of the key it was sealed with (empty: none yet) and the value.
async fn check_row(c: &impl ConnectionTrait) -> Result<(String, String)> {
    let q = Query::select()
        .columns([Alias::new("key_id"), Alias::new("check_value")])
        .from(Alias::new(CHECK.table))
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    let row = c
        .query_one(&q)
        .await?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("field_key_check has no row")))?;
    Ok((row.try_get("", "key_id")?, row.try_get("", "check_value")?))
}

async fn write_check(txn: &DatabaseTransaction, ring: &Keyring) -> Result<()> {
    let id = ring.current_id().ok_or(SealError::NoKey)?.to_string();
    let q = Query::update()
        .table(Alias::new(CHECK.table))
        .value(Alias::new("key_id"), id)
        .value(Alias::new("check_value"), ring.seal(CHECK, CHECK_TEXT)?)
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    txn.execute(&q).await?;
    Ok(())
}

/// Opens or closes the gate that lets a sent incident report's `persons` be sealed (m0032).
async fn gate(txn: &DatabaseTransaction, open: bool) -> Result<()> {
    let q = Query::update()
        .table(Alias::new(CHECK.table))
        .value(Alias::new("resealing"), i32::from(open))
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    txn.execute(&q).await?;
    Ok(())
}

/// Every stored value of a sealed column: (row key, value).
async fn values(c: &impl ConnectionTrait, col: Column) -> Result<Vec<(i64, String)>> {
    let q = Query::select()
        .columns([Alias::new(col.key), Alias::new(col.column)])
        .from(Alias::new(col.table))
        .order_by(Alias::new(col.key), Order::Asc)
        .to_owned();
    c.query_all(&q)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get("", col.key)?, r.try_get("", col.column)?)))
        .collect()
}

async fn write_value(txn: &DatabaseTransaction, col: Column, key: i64, v: String) -> Result<()> {
    let q = Query::update()
        .table(Alias::new(col.table))
        .value(Alias::new(col.column), v)
        .and_where(Expr::col(Alias::new(col.key)).eq(key))
        .to_owned();
    txn.execute(&q).await?;
    Ok(())
}

/// Whether any sealed column holds a sealed value.
async fn any_sealed(c: &impl ConnectionTrait) -> Result<bool> {
    for col in COLUMNS {
        let q = Query::select()
            .expr(Expr::val(1))
            .from(Alias::new(col.table))
            .and_where(Expr::col(Alias::new(col.column)).like("sc1:%"))
            .limit(1)
            .to_owned();
        if c.query_one(&q).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Re-seals, in `txn`, the values `pick` chooses (by their key id; `None`: plain) with the
/// current key; answers how many and the key ids they had. Every sealed value's key must be
/// in the ring.
async fn reseal_where(
    txn: &DatabaseTransaction,
    ring: &Keyring,
    pick: impl Fn(Option<&str>) -> bool,
) -> Result<(u64, Vec<String>)> {
    let current = ring.current_id().ok_or(SealError::NoKey)?.to_string();
    let mut n = 0;
    let mut from = Vec::new();
    let mut gate_open = false;
    for &col in COLUMNS {
        for (key, v) in values(txn, col).await? {
            let id = key_id(&v);
            if let Some(id) = id
                && !ring.has(id)
            {
                return Err(SealError::UnknownKey {
                    column: col.name(),
                    key_id: id.to_string(),
                }
                .into());
            }
            if id == Some(current.as_str()) || !pick(id) {
                continue;
            }
            let Some(sealed) = ring.reseal(col, &v)? else {
                continue;
            };
            if col.table == "incident_reports" && !gate_open {
                gate(txn, true).await?;
                gate_open = true;
            }
            write_value(txn, col, key, sealed).await?;
            n += 1;
            let was = id.unwrap_or("plain").to_string();
            if !from.contains(&was) {
                from.push(was);
            }
        }
    }
    if gate_open {
        gate(txn, false).await?;
    }
    Ok((n, from))
}

/// How many values are sealed with a key other than the current one.
async fn count_older(c: &impl ConnectionTrait, ring: &Keyring) -> Result<u64> {
    let mut n = 0;
    for &col in COLUMNS {
        n += values(c, col)
            .await?
            .iter()
            .filter(|(_, v)| is_sealed(v) && key_id(v) != ring.current_id())
            .count() as u64;
    }
    Ok(n)
}

impl Db {
    /// The field keys of this database, opened at start: see the module's notes. Refuses (an
    /// error naming what is wrong) a database that holds sealed values without the key they
    /// were sealed with. Run after the migrations, before serving.
    pub async fn open_field_keys(&mut self, sec: &Security, url: &str) -> anyhow::Result<Opened> {
        let (current, old) = configured(sec)?;
        let (check_id, check_value) = check_row(&self.conn).await?;
        let (key, source) = match current {
            Some(k) => k,
            None if is_memory(url) => (FieldKey::generate().0, KeySource::Ephemeral),
            None => {
                let Some(file) = sqlite_file(url) else {
                    anyhow::bail!(
                        "no field key is configured: PostgreSQL needs {ENV_KEY} or [security] field_key_file (32 random bytes in base64; see docs/deploy.md)"
                    );
                };
                let path = beside(&file);
                if path.exists() {
                    (read_key_file(&path)?, KeySource::Beside(path))
                } else if !check_id.is_empty() || any_sealed(&self.conn).await? {
                    anyhow::bail!(
                        "the database holds sealed fields but no field key is configured: set {ENV_KEY} or [security] field_key_file to the key it was sealed with (key id {}); refusing to start",
                        if check_id.is_empty() {
                            "unknown"
                        } else {
                            &check_id
                        }
                    );
                } else {
                    let k = generate_file(&path)?;
                    tracing::warn!(
                        file = %path.display(),
                        key_id = k.id(),
                        "a field key was generated beside the database; in production keep it elsewhere ([security] field_key_file or {ENV_KEY}) and back it up apart from the database"
                    );
                    (k, KeySource::Generated(path))
                }
            }
        };
        let ring = Keyring::new(key, old);
        let current = ring.current_id().unwrap_or_default().to_string();
        if !check_id.is_empty() {
            if !ring.has(&check_id) {
                anyhow::bail!(
                    "the field key does not match the database: its fields were sealed with key {check_id}, the key configured is {current}{}; refusing to start (give the right key, or the old one in {ENV_OLD} / [security] field_old_key_files)",
                    if ring.old_ids().is_empty() {
                        String::new()
                    } else {
                        format!(" (old: {})", ring.old_ids().join(", "))
                    }
                );
            }
            if ring.open(CHECK, &check_value).ok().as_deref() != Some(CHECK_TEXT) {
                anyhow::bail!(
                    "the field key {check_id} does not open the database's check value (a wrong key or a changed check value); refusing to start"
                );
            }
        }
        let txn = begin_write(&self.conn).await?;
        let res = async {
            let (n, _) = reseal_where(&txn, &ring, |id| id.is_none()).await?;
            if check_id.is_empty() {
                write_check(&txn, &ring).await?;
            }
            Ok::<_, Error>(n)
        }
        .await;
        let sealed_now = match res {
            Ok(n) => {
                txn.commit().await?;
                n
            }
            Err(e) => {
                txn.rollback().await.ok();
                return Err(match e {
                    Error::Internal(e) => e.context("refusing to start"),
                    e => anyhow::anyhow!(e),
                });
            }
        };
        if sealed_now > 0 {
            tracing::info!(values = sealed_now, "plain personal data sealed");
        }
        let older = count_older(&self.conn, &ring).await?;
        if older > 0 {
            tracing::warn!(
                values = older,
                "values sealed with an older field key remain: run `safecampus admin rotate-field-key`"
            );
        }
        self.keys = ring;
        Ok(Opened {
            source,
            key_id: current,
            sealed_now,
            older,
        })
    }

    /// The field keys in use (to open a sealed value outside the platform, in tests).
    pub fn field_keys(&self) -> &Keyring {
        &self.keys
    }

    /// Seals every value not sealed with the current key again with it (its old key must be
    /// configured), and the check value, in one transaction, audited as the command line's.
    pub async fn rotate_field_keys(&self, _: &seed::Operator) -> Result<Rotated> {
        let key_id = self.keys.current_id().ok_or(SealError::NoKey)?.to_string();
        let txn = begin_write(&self.conn).await?;
        let res = async {
            let (n, from) = reseal_where(&txn, &self.keys, |_| true).await?;
            write_check(&txn, &self.keys).await?;
            let event =
                Event::new(PlatformAudit::FieldKeyRotate, "field_key", &key_id).detail(format!(
                    "values={n} from={}",
                    if from.is_empty() {
                        "-".to_string()
                    } else {
                        from.join(",")
                    }
                ));
            audit::append(&txn, &Actor::cli(), &event, "ok").await?;
            Ok::<_, Error>((n, from))
        }
        .await;
        match res {
            Ok((resealed, from)) => {
                txn.commit().await?;
                Ok(Rotated {
                    key_id,
                    resealed,
                    from,
                })
            }
            Err(e) => {
                txn.rollback().await.ok();
                Err(e)
            }
        }
    }
}
