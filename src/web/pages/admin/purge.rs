//! The audit page's purge form (audit admin, `Action::AuditPurge`): a date, then a
//! confirmation step that states how many entries will be archived and removed, then the same
//! purge as `POST /api/v1/audit/purge`. Refusals (the 184-day floor, no archive directory, a
//! chain that does not verify) are shown on the page with the date kept.

use super::super::FormErrors;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::audit::AuditFilter;
use crate::storage::audit::retention::{PurgePreview, Purged};
use crate::web::ctx::{Ctx, Form};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// The purge form's state on the audit page.
#[derive(Default)]
pub struct PurgeBox {
    /// The caller may purge (the form is shown only then).
    pub allowed: bool,
    /// The date as typed.
    pub before: String,
    /// The confirmation step: what the purge would archive and remove.
    pub preview: Option<PurgePreview>,
    /// What the purge did.
    pub done: Option<Purged>,
    /// The file name of the archive written.
    pub archive_name: String,
    pub errors: FormErrors,
}

impl PurgeBox {
    /// The date's form is shown unless the confirmation step is (a preview with entries).
    pub fn date_form(&self) -> bool {
        self.preview.as_ref().is_none_or(|p| p.count == 0)
    }

    /// The confirmation's sentence: how many entries, which ids, up to when (China time).
    pub fn confirm_text(&self, c: &super::super::Chrome) -> String {
        let Some(p) = &self.preview else {
            return String::new();
        };
        c.t("audit_purge.confirm")
            .replace("%{count}", &p.count.to_string())
            .replace("%{first}", &p.first_id.unwrap_or_default().to_string())
            .replace("%{last}", &p.last_id.unwrap_or_default().to_string())
            .replace(
                "%{until}",
                &p.last_at
                    .as_ref()
                    .map(super::super::china_time)
                    .unwrap_or_default(),
            )
            .replace("%{before}", &self.before)
    }

    /// The success sentence: what was archived, and where.
    pub fn done_text(&self, c: &super::super::Chrome) -> String {
        let Some(d) = &self.done else {
            return String::new();
        };
        if d.purged == 0 {
            return c
                .t("audit_purge.done_nothing")
                .replace("%{before}", &self.before);
        }
        c.t("audit_purge.done")
            .replace("%{count}", &d.purged.to_string())
            .replace("%{last}", &d.base_id.to_string())
            .replace("%{file}", &self.archive_name)
    }

    /// The refusal to show: the date's own message first.
    pub fn message(&self) -> String {
        let field = self.errors.get("before");
        if field.is_empty() {
            self.errors.general.clone()
        } else {
            field
        }
    }
}

#[derive(Deserialize)]
pub struct PurgeForm {
    #[serde(default)]
    before: String,
    /// Present on the confirmation step's form: purge now.
    #[serde(default)]
    confirm: String,
}

fn field_error(field: &str, key: &str, lang: crate::web::i18n::Lang) -> FormErrors {
    let msg = crate::web::i18n::tr(lang, key);
    FormErrors {
        general: msg.clone(),
        fields: vec![(field.to_string(), msg)],
    }
}

/// `POST /audit/purge`: without `confirm`, the confirmation step (nothing is written); with it,
/// the purge.
pub async fn purge(ctx: Ctx, Form(f): Form<PurgeForm>) -> Result<Response, Error> {
    let mut b = PurgeBox {
        allowed: true,
        before: f.before.trim().chars().take(10).collect(),
        ..PurgeBox::default()
    };
    let Ok(before) = chrono::NaiveDate::parse_from_str(&b.before, "%Y-%m-%d") else {
        b.errors = field_error("before", "audit_purge.err_date", ctx.lang);
        return shown(&ctx, b, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let cfg = ctx.config().audit.clone();
    if f.confirm.is_empty() {
        match ctx.db().audit().purge_preview(before).await {
            Ok(p) if p.count > 0 && cfg.archive_dir.is_none() => {
                b.errors = field_error("before", "err.audit.no_archive_dir", ctx.lang);
                shown(&ctx, b, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Ok(p) => {
                b.preview = Some(p);
                shown(&ctx, b, StatusCode::OK).await
            }
            Err(e) => refused(&ctx, b, e).await,
        }
    } else {
        match ctx.db().audit().purge(&cfg, before).await {
            Ok(done) => {
                b.archive_name = done
                    .archive
                    .as_deref()
                    .and_then(|a| std::path::Path::new(a).file_name())
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                b.done = Some(done);
                shown(&ctx, b, StatusCode::OK).await
            }
            Err(e) => refused(&ctx, b, e).await,
        }
    }
}

/// A refusal the page can explain (422 and 409) is shown with the date kept; anything else is
/// the error page.
async fn refused(ctx: &Ctx, mut b: PurgeBox, e: Error) -> Result<Response, Error> {
    let status = match &e {
        Error::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => StatusCode::CONFLICT,
        _ => return Err(e),
    };
    b.errors = match FormErrors::from_error(&e, ctx.lang) {
        Some(fe) => fe,
        None => FormErrors {
            general: crate::web::error::envelope(&e, ctx.lang).error.message,
            fields: vec![],
        },
    };
    shown(ctx, b, status).await
}

async fn shown(ctx: &Ctx, b: PurgeBox, status: StatusCode) -> Result<Response, Error> {
    let mut r = super::audit_view(ctx, AuditFilter::default(), b).await?;
    *r.status_mut() = status;
    Ok(r)
}

/// The purge form's state for the plain audit page.
pub(super) fn offered(ctx: &Ctx) -> PurgeBox {
    PurgeBox {
        allowed: crate::policy::allows(ctx.actor.role(), Action::AuditPurge),
        ..PurgeBox::default()
    }
}
