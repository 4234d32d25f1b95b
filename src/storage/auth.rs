//! Sign-in, sessions, lockout and own-password changes. Not scoped: this is where the scope
//! comes from. Session ids and API tokens are random 256-bit values; only their SHA-256 is
//! stored, so a copy of the database cannot be used to sign in.

use super::entity::{org, session, user};
use super::read::read_row;
use super::{Actor, audit, begin_write};
use crate::config::Security;
use crate::domain::Code;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::storage::audit::PlatformAudit;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DatabaseTransaction, IntoActiveModel, QuerySelect,
};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub mod mfa;
pub(crate) mod passwords;

pub struct Auth {
    pub(super) conn: DatabaseConnection,
    pub(super) read: super::read::Reader,
    /// The field keys (the second factor's secrets are sealed).
    pub(super) keys: super::sealed::Keyring,
}

/// The kind of a session: a browser cookie or an API bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// Why a sign-in failed: one answer for every refusal (unknown user, wrong password, locked or
/// disabled account, throttled address), so a client learns nothing about which it was. The
/// reason is in the audit log.
///
/// Two refusals are told apart, and only after the right password: an initial or reset
/// password left unchanged too long, and a disabled account (e.g. unused too long) — the
/// owner needs to know to ask an administrator, and whoever knows the password learns nothing.
///
/// A paused address, or a paused account from this address, is `Throttled` (429 with
/// `Retry-After`, T-AU-2) whatever the username and password: the counters count unknown
/// usernames alike, so the pause tells nothing about which accounts exist. An account locked
/// everywhere stays `Refused`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    Refused,
    InitialPasswordExpired,
    Disabled,
    /// Sign-in from this address is paused for this many more seconds (at least 1).
    Throttled {
        retry_after_secs: i64,
    },
}

/// Where a request came from, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: String,
    pub request_id: String,
}

pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A hash of a random password, to verify against when there is no account, so that every
/// refusal costs the same argon2 work as a wrong password. Made once per process, off the
/// async threads.
async fn dummy_hash() -> String {
    static H: OnceLock<String> = OnceLock::new();
    if let Some(h) = H.get() {
        return h.clone();
    }
    let made = tokio::task::spawn_blocking(|| password_auth::generate_hash(random_token()))
        .await
        .unwrap_or_default();
    H.get_or_init(|| made).clone()
}

pub(crate) async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(Error::internal)
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

/// The sign-in throttle's counters, one row per key, in the database so that every instance
/// sees the same counts.
mod throttle {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_throttles")]
    pub struct Model {
        /// `addr:<ip>`, `pair:<ip>|<username>` or `account:<username>`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        /// The (normalised) username of `pair` and `account` keys, to clear them on unlock.
        pub username: Option<String>,
        pub failures: i32,
        pub window_start: DateTimeUtc,
        pub blocked_until: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A username as the throttle counts it: trimmed, lower case, at most 64 characters (so
/// spelling variants share a counter and a huge name cannot bloat the table).
fn throttle_name(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

/// The throttle keys of one attempt.
struct Keys {
    addr: String,
    pair: String,
    account: String,
    username: String,
}

impl Keys {
    fn new(ip: &str, username: &str) -> Keys {
        let ip: String = ip.chars().take(64).collect();
        let username = throttle_name(username);
        Keys {
            addr: format!("addr:{ip}"),
            pair: format!("pair:{ip}|{username}"),
            account: format!("account:{username}"),
            username,
        }
    }
}

/// One counter's limits.
struct Limit {
    max: u32,
    window_minutes: i64,
    lockout_minutes: i64,
}

/// What counting a failure did to one counter.
struct Bump {
    was_blocked: bool,
    started_block: bool,
}

/// Counts one failure on `key` (creating the row when needed) inside `txn`; starts a block
/// when the limit is reached within the window. On PostgreSQL the row is locked for the update
/// (`FOR UPDATE`); SQLite write transactions are serialised.
async fn bump(
    txn: &DatabaseTransaction,
    key: &str,
    username: Option<&str>,
    limit: &Limit,
    now: DateTime<Utc>,
) -> Result<Bump> {
    throttle::Entity::insert(throttle::ActiveModel {
        key: Set(key.to_string()),
        username: Set(username.map(str::to_string)),
        failures: Set(0),
        window_start: Set(now),
        blocked_until: Set(None),
    })
    .on_conflict_do_nothing_on([throttle::Column::Key])
    .exec_without_returning(txn)
    .await?;
    let row = throttle::Entity::find_by_id(key.to_string())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(Error::NotFound)?;
    let was_blocked = row.blocked_until.is_some_and(|t| t > now);
    let in_window = now - row.window_start < Duration::minutes(limit.window_minutes);
    let (mut failures, mut since) = if in_window {
        (row.failures.saturating_add(1), row.window_start)
    } else {
        (1, now)
    };
    let started_block = !was_blocked && limit.max > 0 && failures >= limit.max as i32;
    let mut am = row.into_active_model();
    if started_block {
        am.blocked_until = Set(Some(now + Duration::minutes(limit.lockout_minutes)));
        (failures, since) = (0, now);
    }
    am.failures = Set(failures);
    am.window_start = Set(since);
    am.update(txn).await?;
    Ok(Bump {
        was_blocked,
        started_block,
    })
}

/// Ends every session of a user but `keep` (a session id or token), inside the caller's
/// transaction.
pub(super) async fn end_sessions(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    keep: Option<&str>,
) -> Result<u64> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        q = q.filter(session::Column::IdHash.ne(token_hash(keep)));
    }
    Ok(q.exec(conn).await?.rows_affected)
}

/// Clears the sign-in throttle of an account: its counters from every address and the
/// account-wide one (an unlock). The counters of addresses are left alone.
pub(super) async fn clear_throttles(conn: &impl ConnectionTrait, username: &str) -> Result<u64> {
    let res = throttle::Entity::delete_many()
        .filter(throttle::Column::Username.eq(throttle_name(username)))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

impl Auth {
    /// Signs a user in and opens a session. Every attempt is audited with its reason; every
    /// refusal gives the client the same answer after the same work (the password is always
    /// verified, against a dummy hash when there is no account).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        origin: &Origin,
        sec: &Security,
    ) -> Result<(String, Actor), LoginError> {
        let username = username.trim();
        let keys = Keys::new(&origin.ip, username);
        let now = Utc::now();
        let block = self.block(&keys, now).await;
        let blocked = block.map(|(reason, _)| reason);
        let found = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.conn)
            .await;
        let lookup_failed = found.is_err();
        let found = found.ok().flatten();
        let hash = match &found {
            Some(u) => u.password_hash.clone(),
            None => dummy_hash().await,
        };
        let ok = verify_password(password.to_string(), hash).await;
        // An account unused too long is disabled now (audited), whatever the password.
        let mut found = found;
        if let Some(u) = found.as_mut()
            && blocked.is_none()
            && passwords::dormant(u, sec, now)
        {
            match passwords::disable_dormant(&self.conn, u, sec, now).await {
                Ok(()) => u.disabled = true,
                Err(e) => {
                    tracing::error!(error = %crate::error::Chain(&e), "disabling a dormant account failed")
                }
            }
        }
        let refusal = match (blocked, &found) {
            (Some(b), _) => Some(b),
            (None, None) if lookup_failed => Some("error"),
            (None, None) => Some("unknown_user"),
            (None, Some(u)) if u.locked_until.is_some_and(|t| t > now) => Some("locked"),
            (None, Some(u)) if u.disabled => Some("disabled"),
            (None, Some(_)) if !ok => Some("bad_password"),
            (None, Some(u)) if passwords::initial_expired(u, sec, now) => {
                Some("initial_password_expired")
            }
            (None, Some(_)) => None,
        };
        // The right password for an account that cannot sign in: the owner is told why.
        let told = match refusal {
            Some("initial_password_expired") => Some(LoginError::InitialPasswordExpired),
            Some("disabled") if ok => Some(LoginError::Disabled),
            _ => None,
        };
        if let Some(told) = told {
            self.audit_login(
                found.as_ref(),
                username,
                "failed",
                refusal.unwrap_or_default(),
                origin,
            )
            .await;
            return Err(told);
        }
        if let Some(reason) = refusal {
            let detail = match self.record_failure(&keys, found.as_ref(), sec, now).await {
                Ok(started) if started.is_empty() => reason.to_string(),
                Ok(started) => format!("{reason} blocked={}", started.join(",")),
                Err(e) => {
                    tracing::error!(error = %crate::error::Chain(&e), "counting a failed sign-in failed");
                    reason.to_string()
                }
            };
            self.audit_login(found.as_ref(), username, "failed", &detail, origin)
                .await;
            if let Some((_, Some(until))) = block {
                let secs = (until - now).num_milliseconds().div_euclid(1000) + 1;
                return Err(LoginError::Throttled {
                    retry_after_secs: std::cmp::max(secs, 1),
                });
            }
            return Err(LoginError::Refused);
        }
        let Some(u) = found else {
            return Err(LoginError::Refused);
        };
        let token = random_token();
        let res: Result<Actor> = async {
            let txn = begin_write(&self.conn).await?;
            let mut am = u.clone().into_active_model();
            am.failed_logins = Set(0);
            am.failed_since = Set(None);
            am.locked_until = Set(None);
            am.last_login_at = Set(Some(now));
            am.update(&txn).await?;
            // The owner got in from here: this address's count for the account starts over
            // (the address's and the account's own counts do not).
            throttle::Entity::delete_by_id(keys.pair.clone())
                .exec(&txn)
                .await?;
            let csrf = random_token();
            let pending = mfa::pending_for(&txn, &self.keys, &u, sec, now).await?;
            session::ActiveModel {
                id_hash: Set(token_hash(&token)),
                user_id: Set(u.id),
                kind: Set(kind.as_str().into()),
                csrf: Set(csrf.clone()),
                created_at: Set(now),
                last_seen_at: Set(now),
                ip: Set(origin.ip.clone()),
                mfa_pending: Set(pending.map(|p| p.as_str().to_string())),
            }
            .insert(&txn)
            .await?;
            let mut actor = actor_for(&txn, &u, csrf, origin, true).await?;
            actor.mfa_pending = pending;
            let aged = passwords::aged(u.password_changed_at, sec, now);
            actor.must_change_password |= aged;
            let mut detail = kind.as_str().to_string();
            if aged {
                detail.push_str(" password_expired");
            }
            if let Some(p) = pending {
                detail.push_str(&format!(" mfa={}", p.as_str()));
            }
            audit::append(
                &txn,
                &actor,
                &audit::Event::new(PlatformAudit::Login, "user", u.id).detail(detail),
                "ok",
            )
            .await?;
            txn.commit().await?;
            Ok(actor)
        }
        .await;
        match res {
            Ok(actor) => Ok((token, actor)),
            Err(e) => {
                tracing::error!(error = %crate::error::Chain(&e), "login failed internally");
                Err(LoginError::Refused)
            }
        }
    }

    /// Whether sign-in is paused for this attempt's address, or for its account from this
    /// address; the reason for the audit log. A throttle that cannot be read refuses.
    async fn blocked(&self, keys: &Keys, now: DateTime<Utc>) -> Option<&'static str> {
        self.block(keys, now).await.map(|(reason, _)| reason)
    }

    /// [`Auth::blocked`] with the time the pause ends (none when the throttle could not be
    /// read).
    async fn block(
        &self,
        keys: &Keys,
        now: DateTime<Utc>,
    ) -> Option<(&'static str, Option<DateTime<Utc>>)> {
        let rows = throttle::Entity::find()
            .filter(throttle::Column::Key.is_in([keys.addr.clone(), keys.pair.clone()]))
            .all(&self.conn)
            .await;
        let Ok(rows) = rows else {
            return Some(("error", None));
        };
        let until = |key: &str| {
            rows.iter()
                .filter(|r| r.key == key)
                .find_map(|r| r.blocked_until.filter(|t| *t > now))
        };
        if let Some(t) = until(&keys.addr) {
            Some(("throttled_address", Some(t)))
        } else {
            until(&keys.pair).map(|t| ("throttled", Some(t)))
        }
    }

    /// Counts a failure on the address, the address+account and the account counters (only the
    /// address's while the address is paused, so a paused client cannot grow the table), and
    /// locks the account when its own limit is reached. Returns the blocks it started.
    async fn record_failure(
        &self,
        keys: &Keys,
        u: Option<&user::Model>,
        sec: &Security,
        now: DateTime<Utc>,
    ) -> Result<Vec<&'static str>> {
        let short = |max| Limit {
            max,
            window_minutes: sec.failure_window_minutes,
            lockout_minutes: sec.lockout_minutes,
        };
        let txn = begin_write(&self.conn).await?;
        let mut started = Vec::new();
        let addr = bump(
            &txn,
            &keys.addr,
            None,
            &short(sec.address_max_failures),
            now,
        )
        .await?;
        if addr.started_block {
            started.push("address");
        }
        if !addr.was_blocked {
            let name = Some(keys.username.as_str());
            let pair = bump(&txn, &keys.pair, name, &short(sec.max_failures), now).await?;
            if pair.started_block {
                started.push("address_account");
            }
            let long = Limit {
                max: sec.account_max_failures,
                window_minutes: sec.account_window_minutes,
                lockout_minutes: sec.lockout_minutes,
            };
            let account = bump(&txn, &keys.account, name, &long, now).await?;
            if account.started_block
                && let Some(u) = u
            {
                user::Entity::update_many()
                    .col_expr(
                        user::Column::LockedUntil,
                        Expr::value(now + Duration::minutes(sec.lockout_minutes)),
                    )
                    .filter(user::Column::Id.eq(u.id))
                    .exec(&txn)
                    .await?;
                started.push("account");
            }
        }
        txn.commit().await?;
        Ok(started)
    }

    async fn audit_login(
        &self,
        u: Option<&user::Model>,
        username: &str,
        result: &str,
        reason: &str,
        origin: &Origin,
    ) {
        let username: String = username.chars().take(64).collect();
        let event = audit::Event::new(
            PlatformAudit::Login,
            "user",
            u.map(|u| u.id.to_string()).unwrap_or_default(),
        )
        .detail(reason);
        let res: Result<()> = async {
            let txn = begin_write(&self.conn).await?;
            let actor = match u {
                Some(u) => Some(actor_for(&txn, u, String::new(), origin, false).await?),
                None => None,
            };
            audit::append_raw(
                &txn,
                actor.as_ref(),
                &username,
                &event,
                result,
                &origin.ip,
                &origin.request_id,
            )
            .await?;
            txn.commit().await?;
            Ok(())
        }
        .await;
        if let Err(e) = res {
            tracing::error!(error = %crate::error::Chain(&e), "audit of a sign-in failed");
        }
    }

    /// Resolves a session id or token to its actor; `None` when unknown, idle too long, past
    /// its absolute lifetime, or the account is disabled. What else the request needs comes in
    /// the same statement ([`SessionWants`]): the unread count (the pages' header badge; API
    /// answers go without) and the data version (a cached route's key), so a page answered
    /// from the cache costs one round trip to the database.
    pub async fn session(
        &self,
        token: &str,
        origin: &Origin,
        sec: &Security,
        wants: SessionWants,
    ) -> Result<Option<Resolved>> {
        let hash = token_hash(token);
        // The session, its user and the user's org in one query on the read path, with the
        // unread count and the data version as scalar subqueries when asked for.
        let mut q = sea_orm::sea_query::Query::select();
        SessionLine::select(&mut q)
            .expr(Expr::cust(if wants.unread {
                UNREAD_OF_SESSION_USER
            } else {
                "CAST(0 AS BIGINT)"
            }))
            .expr(Expr::cust(if wants.version {
                super::data_version::SUBQUERY
            } else {
                "CAST(NULL AS BIGINT)"
            }))
            .from(session::Entity)
            .inner_join(
                user::Entity,
                Expr::col((user::Entity, user::Column::Id))
                    .equals((session::Entity, session::Column::UserId)),
            )
            .left_join(
                org::Entity,
                Expr::col((org::Entity, org::Column::Id))
                    .equals((user::Entity, user::Column::OrgId)),
            )
            .and_where(Expr::col((session::Entity, session::Column::IdHash)).eq(hash.clone()))
            .limit(1);
        let Some(SessionRead {
            line,
            unread,
            version,
        }) = self.read.one::<SessionRead>(&q).await?
        else {
            return Ok(None);
        };
        let now = Utc::now();
        let idle_minutes =
            Role::parse(&line.role).map_or(sec.idle_timeout_minutes, |r| sec.idle_minutes(r));
        let idle = now - line.last_seen_at > Duration::minutes(idle_minutes);
        let old = now - line.created_at > Duration::hours(sec.absolute_timeout_hours);
        let pending = line.mfa_pending.as_deref().and_then(mfa::MfaPending::parse);
        let stale = pending.is_some() && mfa::pending_expired(line.created_at, now);
        if idle || old || stale || line.disabled {
            session::Entity::delete_by_id(hash).exec(&self.conn).await?;
            return Ok(None);
        }
        if now - line.last_seen_at > Duration::seconds(60) {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::IdHash.eq(hash))
                .exec(&self.conn)
                .await?;
        }
        let unread = u64::try_from(unread).unwrap_or(0);
        let who = UserFacts {
            id: line.user_id,
            username: line.username,
            display_name: line.display_name,
            role: line.role,
            org_id: line.org_id,
            must_change_password: line.must_change_password
                || passwords::aged(line.password_changed_at, sec, now),
        };
        let org = match (line.org_name, line.org_code, line.org_level, line.org_path) {
            (Some(name), Some(code), Some(level), Some(path)) => Some((name, code, level, path)),
            _ => None,
        };
        let mut actor = build_actor(who, org, line.csrf, origin, unread)?;
        actor.mfa_pending = pending;
        Ok(Some(Resolved {
            actor,
            data_version: version,
        }))
    }

    /// Ends a session (logout), audited.
    pub async fn logout(&self, token: &str, actor: &Actor) -> Result<()> {
        let txn = begin_write(&self.conn).await?;
        session::Entity::delete_by_id(token_hash(token))
            .exec(&txn)
            .await?;
        audit::append(
            &txn,
            actor,
            &audit::Event::new(PlatformAudit::Logout, "user", actor.user_id),
            "ok",
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Changes the actor's own password after checking the current one, and ends every other
    /// session of the user (`keep` is the session id or token of this request). Wrong current
    /// passwords count on the sign-in throttle of the address and account, so a stolen session
    /// cannot be used to guess the password without limit.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep: Option<&str>,
        sec: &Security,
    ) -> Result<()> {
        let u = user::Entity::find_by_id(actor.user_id)
            .one(&self.conn)
            .await?
            .ok_or(Error::NotFound)?;
        let keys = Keys::new(&actor.ip, &u.username);
        let now = Utc::now();
        let blocked = self.blocked(&keys, now).await;
        let ok = verify_password(current.to_string(), u.password_hash.clone()).await;
        if !ok || blocked.is_some() {
            if let Err(e) = self.record_failure(&keys, Some(&u), sec, now).await {
                tracing::error!(error = %crate::error::Chain(&e), "counting a wrong current password failed");
            }
            return Err(Error::field("current", "err.current_password"));
        }
        passwords::check_new(&self.conn, &u, new, sec, "password").await?;
        let hash = hash_password(new.to_string()).await?;
        let txn = begin_write(&self.conn).await?;
        let id = u.id;
        passwords::record(&txn, id, &hash, sec).await?;
        let mut am = u.into_active_model();
        am.password_hash = Set(hash);
        am.must_change_password = Set(false);
        am.password_changed_at = Set(Utc::now());
        am.update(&txn).await?;
        let ended = end_sessions(&txn, id, keep).await?;
        audit::append(
            &txn,
            actor,
            &audit::Event::new(PlatformAudit::PasswordChange, "user", actor.user_id)
                .detail(format!("other_sessions_ended={ended}")),
            "ok",
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deletes sessions idle or older than the limits (run periodically).
    pub async fn purge_sessions(&self, sec: &Security) -> Result<u64> {
        let now = Utc::now();
        let res = session::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(
                        session::Column::LastSeenAt
                            .lt(now - Duration::minutes(sec.idle_timeout_minutes)),
                    )
                    .add(
                        session::Column::CreatedAt
                            .lt(now - Duration::hours(sec.absolute_timeout_hours)),
                    ),
            )
            .exec(&self.conn)
            .await?;
        // Throttle counters whose window and block are over.
        let window = Ord::max(sec.failure_window_minutes, sec.account_window_minutes);
        throttle::Entity::delete_many()
            .filter(throttle::Column::WindowStart.lt(now - Duration::minutes(window)))
            .filter(
                sea_orm::Condition::any()
                    .add(throttle::Column::BlockedUntil.is_null())
                    .add(throttle::Column::BlockedUntil.lt(now)),
            )
            .exec(&self.conn)
            .await?;
        Ok(res.rows_affected)
    }
}

/// What a request needs of its session besides the actor, read in the same statement.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionWants {
    /// The unread notifications (the pages' header badge).
    pub unread: bool,
    /// The data version (a cached route's key; read before the handler reads the data).
    pub version: bool,
}

/// A resolved session: its actor and, when asked for, the data version read with it.
pub struct Resolved {
    pub actor: Actor,
    pub data_version: Option<i64>,
}

/// The unread notifications of the session's user (a subquery of the session's statement).
const UNREAD_OF_SESSION_USER: &str = "(SELECT COUNT(*) FROM notifications n \
WHERE n.user_id = users.id AND n.read_at IS NULL)";

/// The session's line with its two subqueries' answers.
struct SessionRead {
    line: SessionLine,
    unread: i64,
    version: Option<i64>,
}

impl super::read::FromRow for SessionRead {
    fn from_row(c: &mut super::read::Cursor<'_>) -> Result<Self> {
        Ok(SessionRead {
            line: <SessionLine as super::read::FromRow>::from_row(c)?,
            unread: c.next()?,
            version: c.next()?,
        })
    }
}

read_row! {
    /// What the gate reads per request: the session, its user and the user's org.
    struct SessionLine {
        created_at: DateTime<Utc> = Expr::col((session::Entity, session::Column::CreatedAt)),
        last_seen_at: DateTime<Utc> = Expr::col((session::Entity, session::Column::LastSeenAt)),
        csrf: String = Expr::col((session::Entity, session::Column::Csrf)),
        mfa_pending: Option<String> = Expr::col((session::Entity, session::Column::MfaPending)),
        user_id: UserId = Expr::col((user::Entity, user::Column::Id)),
        username: String = Expr::col((user::Entity, user::Column::Username)),
        display_name: String = Expr::col((user::Entity, user::Column::DisplayName)),
        role: String = Expr::col((user::Entity, user::Column::Role)),
        org_id: Option<OrgId> = Expr::col((user::Entity, user::Column::OrgId)),
        disabled: bool = Expr::col((user::Entity, user::Column::Disabled)),
        must_change_password: bool = Expr::col((user::Entity, user::Column::MustChangePassword)),
        password_changed_at: DateTime<Utc> = Expr::col((user::Entity, user::Column::PasswordChangedAt)),
        org_name: Option<String> = Expr::col((org::Entity, org::Column::Name)),
        org_code: Option<String> = Expr::col((org::Entity, org::Column::Code)),
        org_level: Option<String> = Expr::col((org::Entity, org::Column::Level)),
        org_path: Option<String> = Expr::col((org::Entity, org::Column::Path)),
    }
}

/// The facts of a user an actor is built from.
struct UserFacts {
    id: UserId,
    username: String,
    display_name: String,
    role: String,
    org_id: Option<OrgId>,
    must_change_password: bool,
}

/// Builds the actor of a user (reading the user's org and, for pages, the unread count).
pub(super) async fn actor_for(
    conn: &impl ConnectionTrait,
    u: &user::Model,
    csrf: String,
    origin: &Origin,
    with_unread: bool,
) -> Result<Actor> {
    let org = match u.org_id {
        Some(oid) => org::Entity::find_by_id(oid)
            .one(conn)
            .await?
            .map(|o| (o.name, o.code, o.level, o.path)),
        None => None,
    };
    let unread = if with_unread {
        super::inbox::unread_count(conn, u.id).await?
    } else {
        0
    };
    let who = UserFacts {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        org_id: u.org_id,
        must_change_password: u.must_change_password,
    };
    build_actor(who, org, csrf, origin, unread)
}

/// The actor of a user and its org (name, code, level, path): role and scope path.
fn build_actor(
    u: UserFacts,
    org: Option<(String, String, String, String)>,
    csrf: String,
    origin: &Origin,
    unread: u64,
) -> Result<Actor> {
    let role = Role::parse(&u.role).ok_or_else(|| Error::internal(anyhow::anyhow!("bad role")))?;
    let (org_name, org_code, org_level, scope) = match (role.is_system(), u.org_id, org) {
        (false, Some(_), Some((name, code, level, path))) => {
            let path = OrgPath::parse(&path)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("bad org path")))?;
            (name, code, OrgLevel::parse(&level), path)
        }
        (false, Some(_), None) => return Err(Error::NotFound),
        // A business role without an org sees nothing: a scope that matches no path.
        (false, None, _) => (
            String::new(),
            String::new(),
            None,
            OrgPath::root().child(crate::domain::ids::OrgId(0)),
        ),
        (true, ..) => (String::new(), String::new(), None, OrgPath::root()),
    };
    Ok(Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        role,
        org_id: if role.is_system() { None } else { u.org_id },
        org_name,
        org_code,
        org_level,
        scope,
        ip: origin.ip.clone(),
        request_id: origin.request_id.clone(),
        csrf,
        must_change_password: u.must_change_password,
        mfa_pending: None,
        unread,
        idempotency: None,
    })
}
