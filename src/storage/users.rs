//! User administration for the system roles: the system admin manages accounts, the security
//! admin grants roles and scope (三员分立). Passwords are never returned or logged.

use super::entity::{org, user};
use super::orgs::invalid;
use super::views::{OrgRef, Page, User};
use super::{audit::Event, auth};
use crate::domain::Code;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::org::OrgLevel;
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::storage::Users;
use crate::storage::read::ReadAll as _;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, IntoActiveModel, QueryOrder, QuerySelect};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

closed_codes! {
    AuditCode:
    /// What account administration records.
    pub enum UserAudit {
        Create = "user.create",
        Disable = "user.disable",
        Enable = "user.enable",
        Unlock = "user.unlock",
        ResetPassword = "user.reset_password",
        Grant = "user.grant",
    }
}

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserFilter {
    pub q: Option<String>,
    pub page: Option<u64>,
    /// Rows per page, 1–200 (default 50).
    pub per_page: Option<u64>,
}

/// A new account (system admin). It starts without business rights (role `staff`, no org)
/// until the security admin grants a role and scope, and must change its password first.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// A grant (security admin): the role and the org node that bounds its scope.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub role: Role,
    #[serde(default)]
    pub org_id: Option<OrgId>,
}

/// Account changes (system admin). Unlocking is the security admin's ([`Users::unlock`]).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, tag = "op", rename_all = "snake_case")]
pub enum AccountOp {
    Disable,
    Enable,
    ResetPassword { password: String },
}

/// What one account write does.
enum Change {
    Op(AccountOp),
    Unlock,
}

pub(crate) fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_' || c == '-'
        })
}

impl Users<'_> {
    pub async fn list(&self, f: &UserFilter) -> Result<Page<User>> {
        self.permit()?;
        let mut q = user::Entity::find();
        if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            q = q.filter(
                Condition::any()
                    .add(super::views::contains_text(user::Column::Username, t))
                    .add(super::views::contains_text(user::Column::DisplayName, t)),
            );
        }
        let paging = super::views::Paging::new(f.page, f.per_page, super::views::PAGE_SIZE)?;
        let total = q.clone().read_count(&self.read).await?;
        let page = paging.page;
        let rows = match paging.offset_within(total) {
            Some(offset) => {
                q.order_by_asc(user::Column::Username)
                    .offset(offset)
                    .limit(paging.per_page)
                    .read_all(&self.read)
                    .await?
            }
            None => Vec::new(),
        };
        let org_ids: Vec<OrgId> = rows.iter().filter_map(|u| u.org_id).collect();
        let orgs: HashMap<OrgId, OrgRef> = org::Entity::find()
            .filter(org::Column::Id.is_in(org_ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.into()))
            .collect();
        let items = rows
            .into_iter()
            .map(|u| {
                let o = u.org_id.and_then(|id| orgs.get(&id).cloned());
                User::from_rows(u, o)
            })
            .collect();
        Ok(Page { items, total, page })
    }

    async fn user_row(&self, id: UserId, conn: &impl ConnectionTrait) -> Result<user::Model> {
        // System roles act on the whole installation: their scope is the root.
        user::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Accounts are not org-scoped objects: the role is checked first, so a business role
    /// learns nothing about which account ids exist.
    pub async fn get(&self, id: UserId) -> Result<User> {
        self.permit()?;
        let u = self.user_row(id, &self.conn).await?;
        let o = match u.org_id {
            Some(oid) => org::Entity::find_by_id(oid)
                .read_one(&self.read)
                .await?
                .map(Into::into),
            None => None,
        };
        Ok(User::from_rows(u, o))
    }

    pub async fn create(&self, input: NewUser, sec: &crate::config::Security) -> Result<User> {
        let mut errs = Vec::new();
        if !valid_username(&input.username) {
            errs.push(FieldError {
                field: "username".into(),
                message: "err.username".into(),
            });
        }
        if input.display_name.trim().is_empty() {
            errs.push(FieldError {
                field: "display_name".into(),
                message: "err.required".into(),
            });
        }
        errs.extend(auth::passwords::policy_errors(
            &input.password,
            &input.username,
            Role::Staff,
            sec,
            "password",
        ));
        let mut tx = self
            .begin(Event::new(UserAudit::Create, "user", &input.username))
            .await?;
        if !errs.is_empty() {
            return Err(tx.fail(invalid(errs)).await);
        }
        let hash = auth::hash_password(input.password.clone()).await?;
        let now = Utc::now();
        let res = user::ActiveModel {
            username: Set(input.username.clone()),
            display_name: Set(input.display_name.trim().into()),
            password_hash: Set(hash),
            role: Set(Role::Staff.as_str().into()),
            org_id: Set(None),
            must_change_password: Set(true),
            password_changed_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await;
        match res {
            Ok(m) => {
                auth::passwords::record(&tx.txn, m.id, &m.password_hash, sec).await?;
                tx.event.object_id = m.id.to_string();
                tx.commit().await?;
                self.users().get(m.id).await
            }
            Err(e) => {
                let e = match Error::from(e) {
                    Error::Conflict(_) => invalid(vec![FieldError {
                        field: "username".into(),
                        message: "err.username_taken".into(),
                    }]),
                    e => e,
                };
                Err(tx.fail(e).await)
            }
        }
    }

    /// 三员分立: the accounts of the system roles are managed on the command line
    /// (`safecampus admin set-password | unlock`), never by another system role through the
    /// web — otherwise the system admin could take over the security or audit admin.
    fn guard_system_account(&self, target: &user::Model) -> Result<()> {
        let system = Role::parse(&target.role).is_some_and(|r| r.is_system());
        if system && target.id != self.actor.user_id && self.actor.role.is_system() {
            return Err(Error::ForbiddenBecause(
                "err.security.system_account".into(),
            ));
        }
        Ok(())
    }

    /// Rolls back a refused write; a refusal with a reason is audited as denied too.
    async fn refused(&self, tx: super::WriteTx<'_>, e: Error) -> Error {
        let event = tx.event.clone();
        let e = tx.fail(e).await;
        if matches!(e, Error::ForbiddenBecause(_)) {
            self.audit_refusal(&event, &e).await;
        }
        e
    }

    /// Disables, enables or resets the password of an account (system admin).
    pub async fn account_op(
        &self,
        id: UserId,
        op: AccountOp,
        sec: &crate::config::Security,
    ) -> Result<User> {
        self.change(id, Change::Op(op), sec).await
    }

    /// Lifts an account's lockout and the throttles kept for it (security admin).
    pub async fn unlock(&self, id: UserId) -> Result<User> {
        self.change(id, Change::Unlock, &crate::config::Security::default())
            .await
    }

    async fn change(&self, id: UserId, op: Change, sec: &crate::config::Security) -> Result<User> {
        use AccountOp::*;
        let name = match &op {
            Change::Op(Disable) => UserAudit::Disable,
            Change::Op(Enable) => UserAudit::Enable,
            Change::Unlock => UserAudit::Unlock,
            Change::Op(ResetPassword { .. }) => UserAudit::ResetPassword,
        };
        let tx = self.begin(Event::new(name, "user", id)).await?;
        let res: Result<()> = async {
            let u = self.user_row(id, &tx.txn).await?;
            if u.id == self.actor.user_id && matches!(op, Change::Op(Disable)) {
                return Err(Error::field("op", "err.not_yourself"));
            }
            // One's own password is changed with the current one, not reset around it.
            if u.id == self.actor.user_id && matches!(op, Change::Op(ResetPassword { .. })) {
                return Err(Error::field("op", "err.security.reset_own_password"));
            }
            self.guard_system_account(&u)?;
            let username = u.username.clone();
            let role = Role::parse(&u.role).unwrap_or(Role::Staff);
            let mut am = u.into_active_model();
            match &op {
                Change::Op(Disable) => am.disabled = Set(true),
                Change::Op(Enable) => am.disabled = Set(false),
                Change::Unlock => {
                    am.locked_until = Set(None);
                    am.failed_logins = Set(0);
                    am.failed_since = Set(None);
                    auth::clear_throttles(&tx.txn, &username).await?;
                }
                Change::Op(ResetPassword { password }) => {
                    auth::passwords::check_policy(password, &username, role, sec, "password")?;
                    let hash = auth::hash_password(password.clone()).await?;
                    auth::passwords::record(&tx.txn, id, &hash, sec).await?;
                    am.password_hash = Set(hash);
                    am.must_change_password = Set(true);
                    am.password_changed_at = Set(Utc::now());
                }
            }
            am.updated_at = Set(Utc::now());
            am.update(&tx.txn).await?;
            if matches!(op, Change::Op(Disable | ResetPassword { .. })) {
                auth::end_sessions(&tx.txn, id, None).await?;
            }
            Ok(())
        }
        .await;
        match res {
            Ok(()) => {
                tx.commit().await?;
                self.users().get(id).await
            }
            Err(e) => Err(self.refused(tx, e).await),
        }
    }

    /// Grants a role and scope. The org must be of the level the role works at; system roles
    /// have no org. Nobody changes their own role.
    pub async fn grant(&self, id: UserId, g: Grant) -> Result<User> {
        let mut tx = self.begin(Event::new(UserAudit::Grant, "user", id)).await?;
        let res: Result<()> = async {
            let u = self.user_row(id, &tx.txn).await?;
            if u.id == self.actor.user_id {
                return Err(Error::field("role", "err.not_yourself"));
            }
            self.guard_system_account(&u)?;
            // A system role is given on the command line (`admin create-user`), so no web
            // session can make a second system administrator or auditor.
            if g.role.is_system() {
                return Err(Error::ForbiddenBecause(
                    "err.security.system_role_grant".into(),
                ));
            }
            let org_id = match (g.role.org_level(), g.org_id) {
                (None, _) => None,
                (Some(_), None) => return Err(Error::field("org_id", "err.org_required")),
                (Some(level), Some(oid)) => {
                    let o = self.org_row(oid, &tx.txn).await?;
                    if OrgLevel::parse(&o.level) != Some(level) {
                        return Err(Error::field("org_id", "err.org_level_mismatch"));
                    }
                    Some(oid)
                }
            };
            let mut am = u.into_active_model();
            am.role = Set(g.role.as_str().into());
            am.org_id = Set(org_id);
            am.updated_at = Set(Utc::now());
            am.update(&tx.txn).await?;
            // A new scope takes effect at the next sign-in.
            auth::end_sessions(&tx.txn, id, None).await?;
            Ok(())
        }
        .await;
        match res {
            Ok(()) => {
                tx.event.detail = format!(
                    "role={} org={}",
                    g.role,
                    g.org_id.map(|o| o.to_string()).unwrap_or_default()
                );
                tx.commit().await?;
                self.users().get(id).await
            }
            Err(e) => Err(self.refused(tx, e).await),
        }
    }

    /// Every org node (for the grant form's picker): system roles see the tree, not the data.
    pub async fn org_choices(&self) -> Result<Vec<OrgRef>> {
        self.permit()?;
        let rows = org::Entity::find()
            .order_by_asc(org::Column::Path)
            .read_all(&self.read)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
