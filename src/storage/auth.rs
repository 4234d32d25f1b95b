//! Sign-in, sessions, lockout and own-password changes. Not scoped: this is where the scope
//! comes from. Session ids and API tokens are random 256-bit values; only their SHA-256 is
//! stored, so a copy of the database cannot be used to sign in.

use super::entity::{org, session, user};
use super::{Actor, audit, begin_write};
use crate::config::Security;
use crate::domain::Code;
use crate::domain::ids::UserId;
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::role::Role;
use crate::error::{Error, Result};
use base64::Engine;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseConnection, IntoActiveModel};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub struct Auth {
    pub(super) conn: DatabaseConnection,
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

/// Why a sign-in failed. `Invalid` is the one answer for an unknown user and a wrong password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    Invalid,
    Locked,
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

/// A hash to verify against when the user does not exist, so both answers take as long.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| password_auth::generate_hash("not-a-real-password-Z9!"))
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

impl Auth {
    /// Signs a user in and opens a session. Every attempt is audited.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        origin: &Origin,
        sec: &Security,
    ) -> Result<(String, Actor), LoginError> {
        let username = username.trim();
        let found = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.conn)
            .await
            .map_err(|_| LoginError::Invalid)?;
        let Some(u) = found else {
            verify_password(password.to_string(), dummy_hash().to_string()).await;
            self.audit_login(None, username, "failed", "unknown_user", origin)
                .await;
            return Err(LoginError::Invalid);
        };
        let now = Utc::now();
        if u.locked_until.is_some_and(|t| t > now) {
            self.audit_login(Some(&u), username, "failed", "locked", origin)
                .await;
            return Err(LoginError::Locked);
        }
        let ok = verify_password(password.to_string(), u.password_hash.clone()).await;
        if !ok || u.disabled {
            let reason = if u.disabled {
                "disabled"
            } else {
                "bad_password"
            };
            let locked = self.record_failure(&u, sec).await.unwrap_or(false);
            self.audit_login(Some(&u), username, "failed", reason, origin)
                .await;
            return Err(if locked {
                LoginError::Locked
            } else {
                LoginError::Invalid
            });
        }
        let token = random_token();
        let res: Result<Actor> = async {
            let txn = begin_write(&self.conn).await?;
            let mut am = u.clone().into_active_model();
            am.failed_logins = Set(0);
            am.failed_since = Set(None);
            am.locked_until = Set(None);
            am.last_login_at = Set(Some(now));
            am.update(&txn).await?;
            let csrf = random_token();
            session::ActiveModel {
                id_hash: Set(token_hash(&token)),
                user_id: Set(u.id),
                kind: Set(kind.as_str().into()),
                csrf: Set(csrf.clone()),
                created_at: Set(now),
                last_seen_at: Set(now),
                ip: Set(origin.ip.clone()),
            }
            .insert(&txn)
            .await?;
            let actor = actor_for(&txn, &u, csrf, origin).await?;
            audit::append(
                &txn,
                &actor,
                &audit::Event::new("auth.login", "user", u.id).detail(kind.as_str()),
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
                Err(LoginError::Invalid)
            }
        }
    }

    /// Counts a failure; locks the account when the limit is reached within the window.
    async fn record_failure(&self, u: &user::Model, sec: &Security) -> Result<bool> {
        let now = Utc::now();
        let txn = begin_write(&self.conn).await?;
        let cur = user::Entity::find_by_id(u.id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
        let in_window = cur
            .failed_since
            .is_some_and(|t| now - t < Duration::minutes(sec.failure_window_minutes));
        let count = if in_window { cur.failed_logins + 1 } else { 1 };
        let mut am = cur.clone().into_active_model();
        am.failed_logins = Set(count);
        if !in_window {
            am.failed_since = Set(Some(now));
        }
        let lock = count >= sec.max_failures as i32;
        if lock {
            am.locked_until = Set(Some(now + Duration::minutes(sec.lockout_minutes)));
            am.failed_logins = Set(0);
            am.failed_since = Set(None);
        }
        am.update(&txn).await?;
        txn.commit().await?;
        Ok(lock)
    }

    async fn audit_login(
        &self,
        u: Option<&user::Model>,
        username: &str,
        result: &str,
        reason: &str,
        origin: &Origin,
    ) {
        let event = audit::Event::new(
            "auth.login",
            "user",
            u.map(|u| u.id.to_string()).unwrap_or_default(),
        )
        .detail(reason);
        let res: Result<()> = async {
            let txn = begin_write(&self.conn).await?;
            let actor = match u {
                Some(u) => Some(actor_for(&txn, u, String::new(), origin).await?),
                None => None,
            };
            audit::append_raw(
                &txn,
                actor.as_ref(),
                username,
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
    /// its absolute lifetime, or the account is disabled.
    pub async fn session(
        &self,
        token: &str,
        origin: &Origin,
        sec: &Security,
    ) -> Result<Option<Actor>> {
        let hash = token_hash(token);
        let Some(s) = session::Entity::find_by_id(hash.clone())
            .one(&self.conn)
            .await?
        else {
            return Ok(None);
        };
        let now = Utc::now();
        let idle = now - s.last_seen_at > Duration::minutes(sec.idle_timeout_minutes);
        let old = now - s.created_at > Duration::hours(sec.absolute_timeout_hours);
        let Some(u) = user::Entity::find_by_id(s.user_id).one(&self.conn).await? else {
            return Ok(None);
        };
        if idle || old || u.disabled {
            session::Entity::delete_by_id(hash).exec(&self.conn).await?;
            return Ok(None);
        }
        if now - s.last_seen_at > Duration::seconds(60) {
            session::Entity::update_many()
                .col_expr(session::Column::LastSeenAt, Expr::value(now))
                .filter(session::Column::IdHash.eq(hash))
                .exec(&self.conn)
                .await?;
        }
        Ok(Some(actor_for(&self.conn, &u, s.csrf, origin).await?))
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
            &audit::Event::new("auth.logout", "user", actor.user_id),
            "ok",
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Changes the actor's own password after checking the current one.
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        let u = user::Entity::find_by_id(actor.user_id)
            .one(&self.conn)
            .await?
            .ok_or(Error::NotFound)?;
        if !verify_password(current.to_string(), u.password_hash.clone()).await {
            return Err(Error::field("current", "err.current_password"));
        }
        check_password(new, &u.username, actor.role)?;
        let hash = hash_password(new.to_string()).await?;
        let txn = begin_write(&self.conn).await?;
        let mut am = u.into_active_model();
        am.password_hash = Set(hash);
        am.must_change_password = Set(false);
        am.password_changed_at = Set(Utc::now());
        am.update(&txn).await?;
        audit::append(
            &txn,
            actor,
            &audit::Event::new("user.password_change", "user", actor.user_id),
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
        Ok(res.rows_affected)
    }
}

/// The password policy with the role's minimum length, as a validation error.
pub(crate) fn check_password(new: &str, username: &str, role: Role) -> Result<()> {
    use crate::domain::password::{self, MIN_LEN, MIN_LEN_ADMIN, Weakness};
    let min = if role.is_system() {
        MIN_LEN_ADMIN
    } else {
        MIN_LEN
    };
    password::check(new, username, min).map_err(|w| {
        let key = match w {
            Weakness::TooShort(n) if n >= MIN_LEN_ADMIN => "err.password_short_admin",
            Weakness::TooShort(_) => "err.password_short",
            Weakness::TooFewClasses => "err.password_classes",
            Weakness::ContainsUsername => "err.password_username",
        };
        Error::field("password", key)
    })
}

/// Builds the actor of a user: role, org and the scope path.
pub(super) async fn actor_for(
    conn: &impl ConnectionTrait,
    u: &user::Model,
    csrf: String,
    origin: &Origin,
) -> Result<Actor> {
    let role = Role::parse(&u.role).ok_or_else(|| Error::internal(anyhow::anyhow!("bad role")))?;
    let (org_name, org_code, org_level, scope) = match (role.is_system(), u.org_id) {
        (false, Some(oid)) => {
            let o = org::Entity::find_by_id(oid)
                .one(conn)
                .await?
                .ok_or(Error::NotFound)?;
            let path = OrgPath::parse(&o.path)
                .ok_or_else(|| Error::internal(anyhow::anyhow!("bad org path")))?;
            (o.name, o.code, OrgLevel::parse(&o.level), path)
        }
        // A business role without an org sees nothing: a scope that matches no path.
        (false, None) => (
            String::new(),
            String::new(),
            None,
            OrgPath::root().child(crate::domain::ids::OrgId(0)),
        ),
        (true, _) => (String::new(), String::new(), None, OrgPath::root()),
    };
    let unread = super::inbox::unread_count(conn, u.id).await?;
    Ok(Actor {
        user_id: UserId(u.id.0),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
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
        unread,
    })
}
