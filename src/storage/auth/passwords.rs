//! The password rules that need the database: the policy with the user's last passwords (no
//! reuse, checked with the same argon2 verification as a sign-in), the age of a password, the
//! expiry of an initial password, and accounts left unused (disabled at sign-in and by the
//! daily job, audited).

use super::super::entity::user;
use super::super::{Actor, audit, begin_write};
use super::{end_sessions, verify_password};
use crate::config::Security;
use crate::domain::Code;
use crate::domain::ids::UserId;
use crate::domain::password::{self, Weakness};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder, QuerySelect};

/// The hashes of a user's last passwords, newest last.
pub(in crate::storage) mod history {
    use crate::domain::ids::UserId;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "password_history")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: UserId,
        pub password_hash: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The daily job that disables accounts left unused.
pub const JOB: &str = "account-sweep";

/// The policy's refusals of `new` for `username` of `role`, on the field `field`.
pub(crate) fn policy_errors(
    new: &str,
    username: &str,
    role: Role,
    sec: &Security,
    field: &str,
) -> Vec<FieldError> {
    password::check(new, username, &sec.password_policy(role))
        .into_iter()
        .map(|w| FieldError::new(field, w.message()))
        .collect()
}

/// The policy as a validation error (`field` names the form's or body's field).
pub(crate) fn check_policy(
    new: &str,
    username: &str,
    role: Role,
    sec: &Security,
    field: &str,
) -> Result<()> {
    let errs = policy_errors(new, username, role, sec, field);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid(errs))
    }
}

fn invalid(fields: Vec<FieldError>) -> Error {
    Error::Validation {
        message: "err.invalid_input".into(),
        fields,
    }
}

/// The policy and the history: `new` may not be the current password nor one of the last
/// `[security] password_history`.
pub(crate) async fn check_new(
    conn: &impl ConnectionTrait,
    u: &user::Model,
    new: &str,
    sec: &Security,
    field: &str,
) -> Result<()> {
    let role = Role::parse(&u.role).unwrap_or(Role::Staff);
    check_policy(new, &u.username, role, sec, field)?;
    let n = sec.password_history as usize;
    if n == 0 {
        return Ok(());
    }
    let mut hashes: Vec<String> = history::Entity::find()
        .filter(history::Column::UserId.eq(u.id))
        .order_by_desc(history::Column::Id)
        .limit(n as u64)
        .all(conn)
        .await?
        .into_iter()
        .map(|h| h.password_hash)
        .collect();
    if !hashes.contains(&u.password_hash) {
        hashes.insert(0, u.password_hash.clone());
    }
    hashes.truncate(n);
    for h in hashes {
        if verify_password(new.to_string(), h).await {
            return Err(invalid(vec![FieldError::new(
                field,
                Weakness::Reused(n).message(),
            )]));
        }
    }
    Ok(())
}

/// Records a password just set (its hash) and forgets the ones beyond the history's length.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    user_id: UserId,
    hash: &str,
    sec: &Security,
) -> Result<()> {
    history::ActiveModel {
        user_id: Set(user_id),
        password_hash: Set(hash.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let keep = u64::from(sec.password_history.max(1));
    let oldest_kept: Option<i64> = history::Entity::find()
        .select_only()
        .column(history::Column::Id)
        .filter(history::Column::UserId.eq(user_id))
        .order_by_desc(history::Column::Id)
        .offset(keep - 1)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    if let Some(id) = oldest_kept {
        history::Entity::delete_many()
            .filter(history::Column::UserId.eq(user_id))
            .filter(history::Column::Id.lt(id))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// True when the password set at `changed_at` is past `[security] password_max_age_days`.
pub(crate) fn aged(changed_at: DateTime<Utc>, sec: &Security, now: DateTime<Utc>) -> bool {
    sec.password_max_age_days > 0 && now - changed_at > Duration::days(sec.password_max_age_days)
}

/// True when an initial or reset password was left unchanged past
/// `[security] initial_password_hours`.
pub(crate) fn initial_expired(u: &user::Model, sec: &Security, now: DateTime<Utc>) -> bool {
    u.must_change_password
        && sec.initial_password_hours > 0
        && now - u.password_changed_at > Duration::hours(sec.initial_password_hours)
}

/// The last sign of life of an account: its last sign-in, its creation, or the last change an
/// administrator made to it (enabling it again restarts the count).
fn last_active(u: &user::Model) -> DateTime<Utc> {
    [Some(u.created_at), Some(u.updated_at), u.last_login_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(u.created_at)
}

/// True when the account has been unused past `[security] account_idle_days` (the system
/// roles' accounts never are: they are managed on the command line).
pub(crate) fn dormant(u: &user::Model, sec: &Security, now: DateTime<Utc>) -> bool {
    let system = Role::parse(&u.role).is_some_and(|r| r.is_system());
    !u.disabled
        && !system
        && sec.account_idle_days > 0
        && now - last_active(u) > Duration::days(sec.account_idle_days)
}

/// Disables one dormant account, ends its sessions and audits `user.disable` as the system.
pub(crate) async fn disable_dormant(
    conn: &DatabaseConnection,
    u: &user::Model,
    sec: &Security,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = begin_write(conn).await?;
    let id = u.id;
    let mut am = u.clone().into_active_model();
    am.disabled = Set(true);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    end_sessions(&txn, id, None).await?;
    audit::append(
        &txn,
        &Actor::system(),
        &audit::Event::new(super::super::users::UserAudit::Disable, "user", id)
            .detail(format!("dormant idle_days={}", sec.account_idle_days)),
        "ok",
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The daily sweep: disables every account unused past `[security] account_idle_days`.
/// Returns how many it disabled.
pub async fn sweep(conn: &DatabaseConnection, sec: &Security, now: DateTime<Utc>) -> Result<u32> {
    if sec.account_idle_days <= 0 {
        return Ok(0);
    }
    let cutoff = now - Duration::days(sec.account_idle_days);
    let candidates = user::Entity::find()
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::CreatedAt.lt(cutoff))
        .filter(user::Column::UpdatedAt.lt(cutoff))
        .filter(
            sea_orm::Condition::any()
                .add(user::Column::LastLoginAt.is_null())
                .add(user::Column::LastLoginAt.lt(cutoff)),
        )
        .all(conn)
        .await?;
    let mut n = 0;
    for u in candidates.iter().filter(|u| dormant(u, sec, now)) {
        disable_dormant(conn, u, sec, now).await?;
        n += 1;
    }
    Ok(n)
}
