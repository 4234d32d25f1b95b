//! Administration pages of the three system roles: accounts (system admin), grants (security
//! admin), the audit log (audit admin).

use super::{Chrome, FormErrors, render};
use crate::domain::Code;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::role::Role;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::audit::AuditFilter;
use crate::storage::users::{AccountOp, Grant, NewUser, UserFilter};
use crate::storage::views::{AuditEntry, OrgRef, User};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

mod purge;
pub use purge::purge as audit_purge;

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    c: Chrome,
    f: UserFilter,
    items: Vec<User>,
    total: u64,
    can_manage: bool,
    can_grant: bool,
    /// The security admin lifts lockouts.
    can_unlock: bool,
    /// The security admin removes a user's second factor (a lost phone).
    can_reset_mfa: bool,
    roles: Vec<(String, String)>,
    orgs: Vec<OrgRef>,
    errors: FormErrors,
    notice: String,
}

async fn users_page(
    ctx: &Ctx,
    f: UserFilter,
    errors: FormErrors,
    notice: String,
) -> Result<Response, Error> {
    let page = ctx.db_as(Action::UserView)?.users().list(&f).await?;
    let c = Chrome::for_ctx(ctx, "nav.users", "/admin/users");
    let can_grant = c.can(ctx.actor.role(), Action::UserGrant);
    let orgs = if can_grant {
        ctx.db_as(Action::UserGrant)?.users().org_choices().await?
    } else {
        vec![]
    };
    let failed = errors.any();
    let mut r = render(&UsersPage {
        can_manage: c.can(ctx.actor.role(), Action::UserManage),
        can_grant,
        can_unlock: c.can(ctx.actor.role(), Action::UserUnlock),
        can_reset_mfa: c.can(ctx.actor.role(), Action::UserMfaReset),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), c.label(r)))
            .collect(),
        orgs,
        total: page.total,
        items: page.items,
        f,
        errors,
        notice,
        c,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn users(
    ctx: Ctx,
    q: Result<Query<UserFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Error> {
    let Query(f) = q.map_err(|e| Error::validation(e.body_text()))?;
    users_page(&ctx, f, FormErrors::default(), String::new()).await
}

async fn after(ctx: &Ctx, res: Result<User, Error>, notice_key: &str) -> Result<Response, Error> {
    match res {
        Ok(_) => {
            users_page(
                ctx,
                UserFilter::default(),
                FormErrors::default(),
                ctx_t(ctx, notice_key),
            )
            .await
        }
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(fe) => users_page(ctx, UserFilter::default(), fe, String::new()).await,
            None => Err(e),
        },
    }
}

fn ctx_t(ctx: &Ctx, key: &str) -> String {
    crate::web::i18n::tr(ctx.lang, key)
}

pub async fn create_user(ctx: Ctx, Form(f): Form<NewUser>) -> Result<Response, Error> {
    let res = ctx.db().users().create(f, &ctx.config().security).await;
    after(&ctx, res, "admin.user_created").await
}

#[derive(Deserialize)]
pub struct AccountForm {
    op: String,
    #[serde(default)]
    password: String,
}

pub async fn account(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, Error> {
    let op = match f.op.as_str() {
        "disable" => AccountOp::Disable,
        "enable" => AccountOp::Enable,
        "reset_password" => AccountOp::ResetPassword {
            password: f.password,
        },
        _ => return Err(Error::field("op", "err.invalid_input")),
    };
    let res = ctx
        .db()
        .users()
        .account_op(UserId(id), op, &ctx.config().security)
        .await;
    after(&ctx, res, "admin.saved").await
}

pub async fn unlock(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let res = ctx.db().users().unlock(UserId(id)).await;
    after(&ctx, res, "admin.saved").await
}

/// Removes a user's second factor (security admin); a role that requires one sets up a new
/// one at the next sign-in.
pub async fn mfa_reset(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let res = match ctx.db().users().reset_mfa(UserId(id)).await {
        Ok(()) => ctx.db_as(Action::UserView)?.users().get(UserId(id)).await,
        Err(e) => Err(e),
    };
    after(&ctx, res, "admin.mfa_reset_done").await
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    #[serde(default)]
    org_id: String,
}

pub async fn grant(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> Result<Response, Error> {
    let role = Role::parse(&f.role).ok_or_else(|| Error::field("role", "err.invalid_input"))?;
    let org_id = f.org_id.trim().parse::<i64>().ok().map(OrgId);
    let res = ctx
        .db()
        .users()
        .grant(UserId(id), Grant { role, org_id })
        .await;
    after(&ctx, res, "admin.saved").await
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    c: Chrome,
    f: AuditFilter,
    items: Vec<AuditEntry>,
    total: u64,
    page: u64,
    pages: u64,
    chain_ok: bool,
    /// Whether this view re-verified the whole chain.
    full: bool,
    broken_at: i64,
    query_base: String,
    /// The purge form (audit admin).
    purge: purge::PurgeBox,
}

impl AuditPage {
    fn local(&self, e: &AuditEntry) -> String {
        (e.at + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    fn action_label(&self, e: &AuditEntry) -> String {
        let key = crate::storage::audit::action_key(&e.action);
        if crate::web::i18n::has(self.c.lang, &key) {
            self.c.t(&key)
        } else {
            e.action.clone()
        }
    }

    fn result_label(&self, e: &AuditEntry) -> String {
        let key = format!("audit.result_{}", e.result);
        if crate::web::i18n::has(self.c.lang, &key) {
            self.c.t(&key)
        } else {
            e.result.clone()
        }
    }

    /// The role's name (a code nobody holds any more stays as it is).
    fn role_label(&self, e: &AuditEntry) -> String {
        match Role::parse(&e.role) {
            Some(r) => self.c.t(&r.label_key()),
            None => e.role.clone(),
        }
    }

    /// The detail as (name, value) lines: `school=3 kind=half_month` reads as
    /// "学校 3", "类型 half_month"; a name without a label stays as written.
    fn detail_lines(&self, e: &AuditEntry) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for word in e.detail.split_whitespace() {
            let pair = word.split_once('=').filter(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            });
            match (pair, out.last_mut()) {
                (Some((k, v)), _) => {
                    let key = format!("audit.detail_key.{k}");
                    let name = if crate::web::i18n::has(self.c.lang, &key) {
                        self.c.t(&key)
                    } else {
                        k.to_string()
                    };
                    out.push((name, v.to_string()));
                }
                (None, Some(last)) => {
                    last.1.push(' ');
                    last.1.push_str(word);
                }
                (None, None) => out.push((String::new(), word.to_string())),
            }
        }
        out
    }

    fn date(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }

    fn result_class(&self, e: &AuditEntry) -> &'static str {
        if e.result == "ok" {
            "ok-text"
        } else {
            "alert-text"
        }
    }
}

pub async fn audit(
    ctx: Ctx,
    q: Result<Query<AuditFilter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Error> {
    let Query(f) = q.map_err(|e| Error::validation(e.body_text()))?;
    let offered = purge::offered(&ctx);
    audit_view(&ctx, f, offered).await
}

/// The audit page with the purge form in the state given.
async fn audit_view(ctx: &Ctx, f: AuditFilter, purge: purge::PurgeBox) -> Result<Response, Error> {
    let db = ctx.db_as(Action::AuditView)?;
    let page = db.audit().list(&f).await?;
    // Only the rows appended since the last verification, unless the full one is asked for.
    let full = f.verify.as_deref() == Some("full");
    let verified = if full {
        db.audit().verify_full().await?
    } else {
        db.audit().verify().await?
    };
    let broken = verified.broken_at;
    let query_base = serde_urlencoded::to_string([
        ("user", f.user.clone().unwrap_or_default()),
        ("action", f.action.clone().unwrap_or_default()),
        ("result", f.result.clone().unwrap_or_default()),
        ("from", f.from.map(|d| d.to_string()).unwrap_or_default()),
        ("to", f.to.map(|d| d.to_string()).unwrap_or_default()),
    ])
    .unwrap_or_default();
    render(&AuditPage {
        c: Chrome::for_ctx(ctx, "nav.audit", "/audit"),
        pages: crate::storage::views::Paging::new(
            f.page,
            f.per_page,
            crate::storage::views::PAGE_SIZE,
        )?
        .pages(page.total),
        total: page.total,
        page: page.page,
        items: page.items,
        chain_ok: broken.is_none(),
        full,
        broken_at: broken.unwrap_or(0),
        f,
        query_base,
        purge,
    })
}
