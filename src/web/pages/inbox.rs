//! Pages: the in-app inbox. Opening a notification marks it read and follows its link.

use super::{Chrome, render, safe_next, see_other};
use crate::storage::inbox::{InboxFilter, MarkRead, Notification};
use crate::web::ctx::{Ctx, Form};
use crate::web::i18n::tr;
use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "inbox/list.html", blocks = ["body"])]
struct InboxPage {
    c: Chrome,
    unread: u64,
    only_unread: bool,
    items: Vec<Notification>,
}

/// The header's inbox link with the fresh unread count, swapped out of band (the header as
/// `base.html` draws it).
#[derive(Template)]
#[template(path = "inbox/badge.html")]
struct Badge<'a> {
    c: &'a Chrome,
    unread: u64,
}

impl InboxPage {
    fn htmx(&self) -> String {
        crate::web::htmx::script()
    }

    /// This page's own address (where a mark-read form returns without JavaScript).
    fn here(&self) -> &'static str {
        if self.only_unread {
            "/inbox?unread=true"
        } else {
            "/inbox"
        }
    }

    fn kind(&self, n: &Notification) -> String {
        tr(self.c.lang, &format!("inbox.kind.{}", n.kind))
    }

    /// The notice in one line, naming the school and the object: `S003 某某小学：隐患「留样冰箱
    /// 温度记录缺两天」已逾期`. A kind without a sentence in the catalogue reads as its label
    /// with the subject.
    fn headline(&self, n: &Notification) -> String {
        headline(self.c.lang, n)
    }

    /// The detail line: a deadline, days left or overdue.
    fn detail(&self, n: &Notification) -> String {
        let p = &n.params;
        let mut parts = Vec::new();
        if let Some(d) = p.deadline {
            parts.push(format!("{} {d}", tr(self.c.lang, "inbox.deadline")));
        }
        if let Some(days) = p.days {
            let key = if n.kind == "reminder" {
                "inbox.days_left"
            } else {
                "inbox.days_overdue"
            };
            parts.push(format!("{} {days}", tr(self.c.lang, key)));
        }
        if let Some(r) = p.reason.as_deref().filter(|r| !r.is_empty()) {
            parts.push(r.to_string());
        }
        if let (Some(a), Some(b)) = (p.starts_on, p.ends_on) {
            parts.push(format!("{a} ~ {b}"));
        }
        parts.join(" · ")
    }

    fn when(&self, n: &Notification) -> String {
        super::china_time(&n.created_at)
    }
}

/// See [`InboxPage::headline`].
pub fn headline(lang: crate::web::i18n::Lang, n: &Notification) -> String {
    // A warning's subject may already start with its school's name.
    let subject = match &n.school_name {
        Some(name) => n
            .subject
            .strip_prefix(&format!("{name} · "))
            .unwrap_or(&n.subject),
        None => &n.subject,
    };
    let key = format!("inbox.line.{}", n.kind);
    let what = if crate::i18n::has(lang, &key) {
        tr(lang, &key).replace("%{subject}", subject)
    } else {
        format!(
            "{}「{subject}」",
            tr(lang, &format!("inbox.kind.{}", n.kind))
        )
    };
    let colon = if lang == crate::web::i18n::Lang::En {
        ": "
    } else {
        "："
    };
    match (&n.school_code, &n.school_name) {
        (Some(code), Some(name)) => format!("{code} {name}{colon}{what}"),
        _ => what,
    }
}

/// The inbox of the caller, all or only the unread notifications.
async fn page(ctx: &Ctx, only_unread: bool) -> Result<InboxPage, crate::Error> {
    let inbox = ctx
        .db()
        .inbox()
        .list(&InboxFilter {
            unread: only_unread.then_some(true),
            limit: Some(200),
            ..Default::default()
        })
        .await?;
    Ok(InboxPage {
        c: Chrome::for_ctx(ctx, "inbox.title", "/inbox"),
        unread: inbox.unread,
        only_unread,
        items: inbox.items,
    })
}

pub async fn list(ctx: Ctx, Query(f): Query<InboxFilter>) -> Result<Response, crate::Error> {
    render(&page(&ctx, f.unread == Some(true)).await?)
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    all: Option<String>,
    #[serde(default)]
    next: Option<String>,
    /// The view the form was on (htmx answers it again): only the unread ones.
    #[serde(default)]
    unread: Option<String>,
}

/// Marks one notification or all of them read. A plain form goes on to `next` (the
/// notification's link, or the inbox); htmx (`HX-Request`) gets the inbox's body again in
/// place, with the header's badge swapped out of band.
pub async fn read(
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<ReadForm>,
) -> Result<Response, crate::Error> {
    let m = MarkRead {
        ids: f
            .id
            .map(|i| vec![crate::domain::ids::NotificationId(i)])
            .unwrap_or_default(),
        all: f.all.is_some(),
    };
    ctx.db().inbox().mark_read(&m).await?;
    if crate::web::htmx::wants_fragment(&headers) {
        let p = page(&ctx, f.unread.as_deref() == Some("true")).await?;
        let html = format!(
            "{}{}",
            p.as_body().render().map_err(crate::Error::internal)?,
            Badge {
                c: &p.c,
                unread: p.unread
            }
            .render()
            .map_err(crate::Error::internal)?
        );
        return Ok(([(header::VARY, "HX-Request")], Html(html)).into_response());
    }
    let next = safe_next(f.next.as_deref());
    Ok(see_other(if next == "/" { "/inbox" } else { &next }))
}
