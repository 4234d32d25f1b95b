//! The second factor (等保 8.1.4.1d; ASVS 6.3.3, 6.5.x): TOTP codes (RFC 6238 through
//! `totp-rs`: HMAC-SHA-1, 6 digits, 30 s steps, one step either side accepted) and ten
//! single-use recovery codes.
//!
//! - The secret is 160 bits from the operating system's CSPRNG, shown once as a QR code and in
//!   groups of four for typing; the time step of the last code accepted is kept, so a code
//!   works once and an older one never again.
//! - Recovery codes are 80 random bits each, shown once; only their SHA-256 is stored.
//! - A session opened with the right password is *pending* (`sessions.mfa_pending`): `verify`
//!   when the user has a second factor, `enrol` when the role requires one the user has not set
//!   up. The gate lets a pending session reach nothing but the second factor's routes, sign-out,
//!   static files and health.
//! - Wrong codes that check an existing second factor (sign-in, turning it off, new recovery
//!   codes) count on the sign-in throttle of the address and account like wrong passwords.
//!   Confirming a new secret does not: whoever confirms already holds the session and guesses
//!   nothing that protects anything.
//! - Every step is audited; the secret and the codes never are, nor logged. The secret is
//!   stored sealed with the field key (`storage::sealed`, AES-256-GCM).

use super::{Auth, Keys, begin_write, random_token, token_hash};
use crate::config::Security;
use crate::domain::Code as _;
use crate::domain::ids::UserId;
use crate::error::{Error, Result};
use crate::storage::entity::{session, user};
use crate::storage::sealed::{self, Keyring};
use crate::storage::{Actor, Users, audit};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, IntoActiveModel, QueryOrder};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

closed_codes! {
    AuditCode:
    /// What the second factor records.
    pub enum MfaAudit {
        EnrolStart = "mfa.enrol_start",
        Enrol = "mfa.enrol",
        Verify = "mfa.verify",
        RecoveryCodes = "mfa.recovery_codes",
        Disable = "mfa.disable",
        Reset = "mfa.reset",
    }
}

/// Seconds per time step.
pub const STEP: u64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Recovery codes per enrolment (or regeneration).
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown in authenticator apps.
const ISSUER: &str = "SafeCampus";
/// A pending session unused this long ends (the second factor is given right after the
/// password, or never).
const PENDING_MINUTES: i64 = 15;

/// What a pending session still owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaPending {
    /// A code (or a recovery code) of the user's second factor.
    Verify,
    /// Setting one up: the role requires it.
    Enrol,
}

impl MfaPending {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaPending::Verify => "verify",
            MfaPending::Enrol => "enrol",
        }
    }

    pub fn parse(s: &str) -> Option<MfaPending> {
        match s {
            "verify" => Some(MfaPending::Verify),
            "enrol" => Some(MfaPending::Enrol),
            _ => None,
        }
    }

    /// Where a page sends a pending session.
    pub fn page(self) -> &'static str {
        match self {
            MfaPending::Verify => "/login/mfa",
            MfaPending::Enrol => "/login/mfa/enrol",
        }
    }

    /// The API's error code for a pending session.
    pub fn api_code(self) -> &'static str {
        match self {
            MfaPending::Verify => "mfa_required",
            MfaPending::Enrol => "mfa_enrolment_required",
        }
    }
}

/// How long a pending session lives.
pub(super) fn pending_expired(created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - created_at > chrono::Duration::minutes(PENDING_MINUTES)
}

/// A user's second factor (one row; `enrolled_at` is null while it waits for its first code).
mod user_mfa {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_mfa")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        /// Sealed (`storage::sealed`, bound to `user_mfa.secret`); base32 (RFC 4648, no
        /// padding) once opened.
        pub secret: String,
        pub created_at: DateTimeUtc,
        pub enrolled_at: Option<DateTimeUtc>,
        /// The time step of the last code accepted.
        pub last_step: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The SHA-256 of the recovery codes.
mod recovery {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mfa_recovery_codes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub code_hash: String,
        pub created_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn totp(secret: &str) -> Result<TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|e| Error::internal(anyhow::anyhow!("stored TOTP secret: {e}")))?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP, bytes)
        .map_err(|e| Error::internal(anyhow::anyhow!("TOTP: {e}")))
}

/// A new secret: 160 bits (RFC 4226's recommendation), base32.
fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::rng().fill_bytes(&mut b);
    base32(&b)
}

fn base32(b: &[u8]) -> String {
    match totp_rs::Secret::Raw(b.to_vec()).to_encoded() {
        totp_rs::Secret::Encoded(s) => s,
        totp_rs::Secret::Raw(_) => String::new(),
    }
}

/// The secret in groups of four, for typing into an app.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &str, username: &str) -> String {
    format!(
        "otpauth://totp/{ISSUER}:{}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        percent(username)
    )
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A typed code without spaces or dashes, upper case.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .take(64)
        .collect()
}

fn is_totp_code(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The time step of `code` within one step of `now` (Unix seconds) that is newer than
/// `last`, if any.
pub fn matching_step(secret: &str, code: &str, now: i64, last: Option<i64>) -> Result<Option<i64>> {
    let code = normalise(code);
    if !is_totp_code(&code) {
        return Ok(None);
    }
    let t = totp(secret)?;
    let current = now.div_euclid(STEP as i64);
    let mut found = None;
    for step in current - 1..=current + 1 {
        if step < 0 || last.is_some_and(|l| step <= l) {
            continue;
        }
        let expected = t.generate(step as u64 * STEP);
        if ct_eq(expected.as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    Ok(found)
}

/// Ten new recovery codes (80 random bits each, `XXXX-XXXX-XXXX-XXXX`).
fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut b = [0u8; 10];
            rand::rng().fill_bytes(&mut b);
            grouped(&base32(&b)).replace(' ', "-")
        })
        .collect()
}

fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(normalise(code).as_bytes()))
}

/// Replaces the user's recovery codes with ten new ones (returned, to be shown once).
async fn replace_recovery_codes(
    txn: &DatabaseTransaction,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    recovery::Entity::delete_many()
        .filter(recovery::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    let codes = new_recovery_codes();
    for c in &codes {
        recovery::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(recovery_hash(c)),
            created_at: Set(now),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(codes)
}

/// The pending state of a new session of `u` (inside the sign-in's transaction): `verify`
/// with a second factor, `enrol` (a secret made ready) when the role requires one, else none.
pub(super) async fn pending_for(
    txn: &DatabaseTransaction,
    keys: &Keyring,
    u: &user::Model,
    sec: &Security,
    now: DateTime<Utc>,
) -> Result<Option<MfaPending>> {
    let row = user_mfa::Entity::find_by_id(u.id.0).one(txn).await?;
    if row.as_ref().is_some_and(|r| r.enrolled_at.is_some()) {
        return Ok(Some(MfaPending::Verify));
    }
    let required = crate::domain::role::Role::parse(&u.role).is_some_and(|r| sec.mfa_required(r));
    if !required {
        return Ok(None);
    }
    if row.is_none() {
        user_mfa::ActiveModel {
            user_id: Set(u.id.0),
            secret: Set(keys.seal(sealed::MFA_SECRET, &new_secret())?),
            created_at: Set(now),
            enrolled_at: Set(None),
            last_step: Set(None),
        }
        .insert(txn)
        .await?;
    }
    Ok(Some(MfaPending::Enrol))
}

/// The state of a user's second factor, for the own account page and the enrolment page.
#[derive(Debug, Clone)]
pub struct MfaStatus {
    pub enrolled_at: Option<DateTime<Utc>>,
    /// The secret of an enrolment waiting for its first code (to draw the QR code again).
    pub pending_secret: Option<String>,
    /// Unused recovery codes.
    pub recovery_left: u64,
    /// The role requires a second factor (it cannot be turned off).
    pub required: bool,
}

/// What a verified code was.
enum Factor {
    Totp(i64),
    Recovery(i64),
}

impl Auth {
    /// The state of the actor's second factor.
    pub async fn mfa_status(&self, actor: &Actor, sec: &Security) -> Result<MfaStatus> {
        let row = user_mfa::Entity::find_by_id(actor.user_id.0)
            .one(&self.conn)
            .await?;
        let recovery_left = recovery::Entity::find()
            .filter(recovery::Column::UserId.eq(actor.user_id.0))
            .filter(recovery::Column::UsedAt.is_null())
            .count(&self.conn)
            .await?;
        Ok(MfaStatus {
            enrolled_at: row.as_ref().and_then(|r| r.enrolled_at),
            pending_secret: row
                .filter(|r| r.enrolled_at.is_none())
                .map(|r| self.keys.open(sealed::MFA_SECRET, &r.secret))
                .transpose()?,
            recovery_left,
            required: sec.mfa_required(actor.role),
        })
    }

    /// Gives the second factor of a pending sign-in (the session of `token`): a code or a
    /// recovery code (`verify`), or the first code of the new secret (`enrol`, which answers
    /// the recovery codes, to be shown once). The session is complete afterwards, under a new
    /// id (answered): the pending session's id ends, so an id seen before the second factor
    /// is worth nothing after it (T-SE-1).
    pub async fn mfa_complete(
        &self,
        actor: &Actor,
        token: &str,
        code: &str,
        sec: &Security,
    ) -> Result<(String, Option<Vec<String>>)> {
        let Some(pending) = actor.mfa_pending else {
            return Err(Error::Conflict("err.mfa.not_pending".into()));
        };
        let (txn, codes) = match pending {
            MfaPending::Verify => {
                let txn = self
                    .check_factor(actor, code, sec, true, MfaAudit::Verify)
                    .await?;
                (txn, None)
            }
            MfaPending::Enrol => {
                let (txn, codes) = self.confirm_enrolment(actor, code).await?;
                (txn, Some(codes))
            }
        };
        let renewed = random_token();
        let n = session::Entity::update_many()
            .col_expr(
                session::Column::MfaPending,
                Expr::value(Option::<String>::None),
            )
            .col_expr(session::Column::IdHash, Expr::value(token_hash(&renewed)))
            .filter(session::Column::IdHash.eq(token_hash(token)))
            .exec(&txn)
            .await?
            .rows_affected;
        if n != 1 {
            return Err(Error::Unauthorized);
        }
        txn.commit().await?;
        Ok((renewed, codes))
    }

    /// Starts setting up a second factor on one's own account: a new secret waiting for its
    /// first code (one already in place is kept until turned off).
    pub async fn mfa_start(&self, actor: &Actor) -> Result<()> {
        let txn = begin_write(&self.conn).await?;
        let row = user_mfa::Entity::find_by_id(actor.user_id.0)
            .one(&txn)
            .await?;
        if row.as_ref().is_some_and(|r| r.enrolled_at.is_some()) {
            return Err(Error::Conflict("err.mfa.already_enrolled".into()));
        }
        user_mfa::Entity::delete_by_id(actor.user_id.0)
            .exec(&txn)
            .await?;
        user_mfa::ActiveModel {
            user_id: Set(actor.user_id.0),
            secret: Set(self.keys.seal(sealed::MFA_SECRET, &new_secret())?),
            created_at: Set(Utc::now()),
            enrolled_at: Set(None),
            last_step: Set(None),
        }
        .insert(&txn)
        .await?;
        audit::append(
            &txn,
            actor,
            &audit::Event::new(MfaAudit::EnrolStart, "user", actor.user_id),
            "ok",
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Confirms the own account's new secret with its first code; answers the recovery codes.
    pub async fn mfa_confirm(&self, actor: &Actor, code: &str) -> Result<Vec<String>> {
        let (txn, codes) = self.confirm_enrolment(actor, code).await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// Ten new recovery codes (the old ones stop working), with a current code.
    pub async fn mfa_new_recovery_codes(
        &self,
        actor: &Actor,
        code: &str,
        sec: &Security,
    ) -> Result<Vec<String>> {
        let txn = self
            .check_factor(actor, code, sec, false, MfaAudit::RecoveryCodes)
            .await?;
        let codes = replace_recovery_codes(&txn, actor.user_id.0, Utc::now()).await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// Turns the own second factor off, with a current code; refused when the role requires
    /// one.
    pub async fn mfa_disable(&self, actor: &Actor, code: &str, sec: &Security) -> Result<()> {
        if sec.mfa_required(actor.role) {
            return Err(Error::ForbiddenBecause("err.mfa.required_for_role".into()));
        }
        let txn = self
            .check_factor(actor, code, sec, false, MfaAudit::Disable)
            .await?;
        delete_factor(&txn, actor.user_id).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Confirms a waiting secret with its first code, inside a transaction returned open with
    /// the enrolment and its audit row written.
    async fn confirm_enrolment(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<(DatabaseTransaction, Vec<String>)> {
        let now = Utc::now();
        let txn = begin_write(&self.conn).await?;
        let row = user_mfa::Entity::find_by_id(actor.user_id.0)
            .one(&txn)
            .await?
            .filter(|r| r.enrolled_at.is_none());
        let Some(row) = row else {
            txn.rollback().await.ok();
            return Err(Error::field("code", "err.mfa.no_enrolment"));
        };
        let secret = self.keys.open(sealed::MFA_SECRET, &row.secret)?;
        let Some(step) = matching_step(&secret, code, now.timestamp(), None)? else {
            txn.rollback().await.ok();
            self.audit_mfa(actor, MfaAudit::Enrol, "failed", "bad_code")
                .await;
            return Err(Error::field("code", "err.mfa.bad_code"));
        };
        let mut am = row.into_active_model();
        am.enrolled_at = Set(Some(now));
        am.last_step = Set(Some(step));
        am.update(&txn).await?;
        let codes = replace_recovery_codes(&txn, actor.user_id.0, now).await?;
        audit::append(
            &txn,
            actor,
            &audit::Event::new(MfaAudit::Enrol, "user", actor.user_id)
                .detail(format!("recovery_codes={RECOVERY_CODES}")),
            "ok",
        )
        .await?;
        Ok((txn, codes))
    }

    /// Checks a code of the actor's second factor (a recovery code too when `recovery`),
    /// inside a transaction returned open with the code used up and the audit row written. A
    /// wrong code, or any code while sign-in is paused for the address or account, counts on
    /// the sign-in throttle and is audited.
    async fn check_factor(
        &self,
        actor: &Actor,
        code: &str,
        sec: &Security,
        recovery: bool,
        what: MfaAudit,
    ) -> Result<DatabaseTransaction> {
        let now = Utc::now();
        let u = user::Entity::find_by_id(actor.user_id)
            .one(&self.conn)
            .await?
            .ok_or(Error::NotFound)?;
        let keys = Keys::new(&actor.ip, &u.username);
        let block = self.block(&keys, now).await;
        let blocked = block.map(|(reason, _)| reason);
        let locked = u.locked_until.is_some_and(|t| t > now);
        // When the pause ends: the later of the address's / account's pause and the lock.
        let paused_until = block
            .and_then(|(_, t)| t)
            .into_iter()
            .chain(u.locked_until.filter(|t| *t > now))
            .max();
        let txn = begin_write(&self.conn).await?;
        let row = user_mfa::Entity::find_by_id(actor.user_id.0)
            .one(&txn)
            .await?
            .filter(|r| r.enrolled_at.is_some());
        let Some(row) = row else {
            txn.rollback().await.ok();
            return Err(Error::field("code", "err.mfa.not_enrolled"));
        };
        let found = if blocked.is_some() || locked {
            None
        } else {
            self.find_factor(&txn, &row, code, recovery, now).await?
        };
        let Some(factor) = found else {
            txn.rollback().await.ok();
            let reason = blocked.unwrap_or(if locked { "locked" } else { "bad_code" });
            let detail = match self.record_failure(&keys, Some(&u), sec, now).await {
                Ok(started) if started.is_empty() => reason.to_string(),
                Ok(started) => format!("{reason} blocked={}", started.join(",")),
                Err(e) => {
                    tracing::error!(error = %crate::error::Chain(&e), "counting a wrong code failed");
                    reason.to_string()
                }
            };
            self.audit_mfa(actor, what, "failed", &detail).await;
            return Err(if blocked.is_some() || locked {
                let secs = paused_until
                    .map(|t| (t - now).num_milliseconds().div_euclid(1000) + 1)
                    .unwrap_or(1);
                Error::Locked {
                    retry_after_secs: u64::try_from(secs).unwrap_or(1).max(1),
                }
            } else {
                Error::field("code", "err.mfa.bad_code")
            });
        };
        let detail = match factor {
            Factor::Totp(step) => {
                let mut am = row.into_active_model();
                am.last_step = Set(Some(step));
                am.update(&txn).await?;
                "totp".to_string()
            }
            Factor::Recovery(left) => format!("recovery_code left={left}"),
        };
        audit::append(
            &txn,
            actor,
            &audit::Event::new(what, "user", actor.user_id).detail(detail),
            "ok",
        )
        .await?;
        Ok(txn)
    }

    /// The factor a code matches: a TOTP code newer than the last one accepted, or an unused
    /// recovery code (marked used here; answers how many are left).
    async fn find_factor(
        &self,
        txn: &DatabaseTransaction,
        row: &user_mfa::Model,
        code: &str,
        recovery: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Factor>> {
        let n = normalise(code);
        if is_totp_code(&n) {
            let secret = self.keys.open(sealed::MFA_SECRET, &row.secret)?;
            return Ok(
                matching_step(&secret, &n, now.timestamp(), row.last_step)?.map(Factor::Totp)
            );
        }
        if !recovery || n.is_empty() {
            return Ok(None);
        }
        let used = recovery::Entity::update_many()
            .col_expr(recovery::Column::UsedAt, Expr::value(Some(now)))
            .filter(recovery::Column::UserId.eq(row.user_id))
            .filter(recovery::Column::CodeHash.eq(recovery_hash(&n)))
            .filter(recovery::Column::UsedAt.is_null())
            .exec(txn)
            .await?
            .rows_affected;
        if used == 0 {
            return Ok(None);
        }
        let left = recovery::Entity::find()
            .filter(recovery::Column::UserId.eq(row.user_id))
            .filter(recovery::Column::UsedAt.is_null())
            .order_by_asc(recovery::Column::Id)
            .count(txn)
            .await?;
        Ok(Some(Factor::Recovery(left as i64)))
    }

    /// An audit row of its own (a refusal: the work's transaction was rolled back).
    async fn audit_mfa(&self, actor: &Actor, what: MfaAudit, result: &str, detail: &str) {
        let res: Result<()> = async {
            let txn = begin_write(&self.conn).await?;
            audit::append(
                &txn,
                actor,
                &audit::Event::new(what, "user", actor.user_id).detail(detail),
                result,
            )
            .await?;
            txn.commit().await?;
            Ok(())
        }
        .await;
        if let Err(e) = res {
            tracing::error!(error = %crate::error::Chain(&e), "audit of a second-factor step failed");
        }
    }
}

/// Removes a user's second factor and recovery codes.
async fn delete_factor(txn: &DatabaseTransaction, id: UserId) -> Result<()> {
    user_mfa::Entity::delete_by_id(id.0).exec(txn).await?;
    recovery::Entity::delete_many()
        .filter(recovery::Column::UserId.eq(id.0))
        .exec(txn)
        .await?;
    Ok(())
}

impl Users<'_> {
    /// Removes a user's second factor (security admin: a lost phone): the user's sessions end,
    /// and a role that requires one sets up a new one at the next sign-in.
    pub async fn reset_mfa(&self, id: UserId) -> Result<()> {
        let mut tx = self
            .begin(audit::Event::new(MfaAudit::Reset, "user", id))
            .await?;
        let res: Result<()> = async {
            let u = user::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if u.id == self.actor.user_id {
                return Err(Error::field("user", "err.not_yourself"));
            }
            let had = user_mfa::Entity::find_by_id(id.0)
                .one(&tx.txn)
                .await?
                .is_some_and(|r| r.enrolled_at.is_some());
            delete_factor(&tx.txn, id).await?;
            let ended = super::end_sessions(&tx.txn, id, None).await?;
            tx.event.detail = format!("had_factor={had} sessions_ended={ended}");
            Ok(())
        }
        .await;
        match res {
            Ok(()) => tx.commit().await,
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_work_within_one_step_and_only_once() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        let t = totp(&secret).unwrap();
        let now = 1_800_000_000_i64;
        let at = |s: i64| t.generate((now + s * STEP as i64) as u64);
        let step = now / STEP as i64;
        assert_eq!(
            matching_step(&secret, &at(0), now, None).unwrap(),
            Some(step)
        );
        assert_eq!(
            matching_step(&secret, &at(-1), now, None).unwrap(),
            Some(step - 1)
        );
        assert_eq!(
            matching_step(&secret, &at(1), now, None).unwrap(),
            Some(step + 1)
        );
        for far in [-2, 2] {
            let c = at(far);
            if [at(-1), at(0), at(1)].contains(&c) {
                continue; // a coincidence of six digits
            }
            assert_eq!(matching_step(&secret, &c, now, None).unwrap(), None);
        }
        // Used: that step and older ones never again.
        assert_eq!(
            matching_step(&secret, &at(0), now, Some(step)).unwrap(),
            None
        );
        assert_eq!(
            matching_step(&secret, &at(-1), now, Some(step)).unwrap(),
            None
        );
        assert_eq!(matching_step(&secret, "12345", now, None).unwrap(), None);
        assert_eq!(matching_step(&secret, "abcdef", now, None).unwrap(), None);
    }

    #[test]
    fn recovery_codes_are_random_and_hashed_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 19);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let typed = codes[0].to_lowercase().replace('-', " ");
        assert_eq!(recovery_hash(&typed), recovery_hash(&codes[0]));
        assert_eq!(recovery_hash(&codes[0]).len(), 64);
    }

    #[test]
    fn the_uri_names_the_issuer_and_parameters() {
        let u = otpauth_uri("ABCD", "张 三");
        assert!(u.starts_with("otpauth://totp/SafeCampus:%E5%BC%A0%20%E4%B8%89?secret=ABCD"));
        assert!(u.contains("digits=6") && u.contains("period=30") && u.contains("SHA1"));
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
