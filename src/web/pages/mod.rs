//! Server-rendered pages (askama templates under `templates/`, auto-escaped, checked at
//! compile time). Every string a user reads goes through the catalogue via `c.t("key")`.

pub mod admin;
pub mod api_docs;
pub mod auth;
pub mod buses;
pub mod catalog;
pub mod devices;
pub mod drills;
pub mod duty;
pub mod emergency_plans;
pub mod governance;
pub mod hazards;
pub mod home;
pub mod inbox;
pub mod incidents;
pub mod inspections;
pub mod mfa;
pub mod people;
pub mod pii_grants;
pub mod responsibility;
pub mod risk;
pub mod schools;
pub mod screen;
pub mod security;
pub mod trainings;
pub mod transfer;
pub mod warnings;
pub mod work_plan;
pub mod zones;

use super::ctx::Ctx;
use super::i18n::{Lang, tr};
use crate::domain::{Code, Labelled};
use crate::error::Error;
use crate::policy::{self, Action};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A menu entry, shown when the user's role may perform its action.
pub struct MenuItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

/// What every page's frame needs: language, user, menu, CSRF token, asset URLs.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    pub user_name: String,
    pub user_role: String,
    pub org_name: String,
    pub csrf: String,
    pub menu: Vec<MenuItem>,
    pub other_lang_href: String,
    pub other_lang_label: String,
    pub css: String,
    pub js: String,
    /// The site's icon (an SVG served by the binary).
    pub favicon: String,
    pub signed_in: bool,
    /// Unread notifications (the inbox badge).
    pub unread: u64,
}

impl Chrome {
    pub fn t(&self, key: &str) -> String {
        tr(self.lang, key)
    }

    /// Translates a message that may be a catalogue key.
    pub fn msg(&self, m: &str) -> String {
        super::error::message(self.lang, m)
    }

    pub fn label<L: Labelled + ?Sized>(&self, v: &L) -> String {
        tr(self.lang, &v.key())
    }

    pub fn public(lang: Lang, title_key: &str, here: &str) -> Chrome {
        Chrome {
            lang,
            title: tr(lang, title_key),
            user_name: String::new(),
            user_role: String::new(),
            org_name: String::new(),
            csrf: String::new(),
            menu: Vec::new(),
            other_lang_href: format!(
                "/lang/{}?next={}",
                lang.other().code(),
                super::error::urlencode(here)
            ),
            other_lang_label: tr(lang, "lang.switch"),
            css: super::assets::url("app.css"),
            js: super::assets::url("app.js"),
            favicon: super::assets::url("favicon.svg"),
            signed_in: false,
            unread: 0,
        }
    }

    /// The frame of a signed-in page; `section` marks the active menu entry, the language
    /// switch returns to the request's own address.
    pub fn for_ctx(ctx: &Ctx, title_key: &str, section: &str) -> Chrome {
        let back = if ctx.uri.starts_with('/') && !ctx.uri.starts_with("/api/") {
            ctx.uri.as_str()
        } else {
            section
        };
        Chrome::for_actor(ctx.lang, &ctx.actor, title_key, section, back)
    }

    /// The frame of a signed-in caller's page (also the error page's, which has no `Ctx`);
    /// `back` is where the language switch returns to.
    pub fn for_actor(
        lang: Lang,
        actor: &crate::storage::Actor,
        title_key: &str,
        section: &str,
        back: &str,
    ) -> Chrome {
        let here = section;
        let mut c = Chrome::public(lang, title_key, back);
        c.signed_in = true;
        c.user_name = actor.display_name().to_string();
        c.user_role = tr(lang, &actor.role().label_key());
        c.org_name = actor.org_name().to_string();
        c.csrf = actor.csrf().to_string();
        c.unread = actor.unread();
        // The features' menu entries; the policy table decides who sees what.
        c.menu = super::routes::menu()
            .filter(|(_, _, a)| policy::allows(actor.role(), *a))
            .map(|(href, key, _)| MenuItem {
                href,
                label: tr(lang, key),
                active: !here.is_empty() && here.starts_with(href),
            })
            .collect();
        c
    }

    pub fn can(&self, role: crate::domain::role::Role, a: Action) -> bool {
        policy::allows(role, a)
    }
}

/// An instant as people here read it: China time (UTC+8), to the minute.
pub fn china_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    (*t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Renders a template into a response.
pub fn render<T: Template>(t: &T) -> Result<Response, Error> {
    let html = t.render().map_err(Error::internal)?;
    Ok(Html(html).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    status: u16,
    message: &'a str,
    request_id: &'a str,
}

/// The HTML error page (used by the error renderer); a signed-in caller keeps the menu.
pub fn error_page(
    lang: Lang,
    status: StatusCode,
    message: &str,
    request_id: &str,
    caller: Option<&crate::storage::Actor>,
    path: &str,
) -> String {
    let back = if path.starts_with('/') && !path.starts_with("/api/") {
        path
    } else {
        "/"
    };
    let c = match caller {
        Some(a) => Chrome::for_actor(lang, a, "error.title", "", back),
        None => Chrome::public(lang, "error.title", back),
    };
    ErrorPage {
        c,
        status: status.as_u16(),
        message,
        request_id,
    }
    .render()
    .unwrap_or_else(|_| message.to_string())
}

/// A form's values and its field errors, for re-display after a refused submit.
#[derive(Default)]
pub struct FormErrors {
    pub general: String,
    pub fields: Vec<(String, String)>,
}

impl FormErrors {
    pub fn from_error(e: &Error, lang: Lang) -> Option<FormErrors> {
        match e {
            Error::Validation { message, fields } => Some(FormErrors {
                general: super::error::message(lang, message),
                fields: fields
                    .iter()
                    .map(|f| (f.field.clone(), super::error::message(lang, &f.message)))
                    .collect(),
            }),
            _ => None,
        }
    }

    pub fn get(&self, field: &str) -> String {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    pub fn any(&self) -> bool {
        !self.general.is_empty() || !self.fields.is_empty()
    }
}

/// A `303 See Other` after a successful form post.
pub fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, to.to_string())],
    )
        .into_response()
}

/// Only local paths are followed after sign-in (no open redirects): see [`auth::safe_next`].
pub use auth::safe_next;
