//! Turning [`Error`] into responses. Handlers return `Result<_, Error>`; the error travels in
//! the response extensions and [`render`] (a middleware that knows the language and whether
//! the request was for the API) writes the body: the JSON envelope
//! `{"error": {"code", "message", "fields"?}}` or an HTML error page. Internal errors are
//! logged with their cause chain and shown only as a generic message with the request id.

use super::i18n::{Lang, tr};
use crate::error::{Chain, Error};
use crate::storage::Actor;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use std::sync::Arc;

/// The error carried from the handler to [`render`].
#[derive(Clone)]
pub struct Carried(pub Arc<Error>);

pub fn status(e: &Error) -> StatusCode {
    match e {
        Error::Unauthorized => StatusCode::UNAUTHORIZED,
        Error::Forbidden | Error::ForbiddenBecause(_) => StatusCode::FORBIDDEN,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!(error = %Chain(e.as_ref()), "internal error");
        }
        let mut r = status(&self).into_response();
        r.extensions_mut().insert(Carried(Arc::new(self)));
        r
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Envelope {
    pub error: ErrorBody,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldBody>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldBody {
    pub field: String,
    pub message: String,
}

/// Translates a message that is a catalogue key; passes other text through. A key may carry
/// one figure after `|` (`err.password.too_short|10`), put in for `%{n}`.
pub fn message(lang: Lang, m: &str) -> String {
    if m.starts_with("err.") {
        match m.split_once('|') {
            Some((key, n)) => tr(lang, key).replace("%{n}", n),
            None => tr(lang, m),
        }
    } else {
        m.to_string()
    }
}

pub fn envelope(e: &Error, lang: Lang) -> Envelope {
    let (msg, fields) = match e {
        Error::Unauthorized => (tr(lang, "err.unauthorized"), vec![]),
        Error::Forbidden => (tr(lang, "err.forbidden"), vec![]),
        Error::ForbiddenBecause(m) => (message(lang, m), vec![]),
        Error::NotFound => (tr(lang, "err.not_found"), vec![]),
        Error::Conflict(m) => (message(lang, m), vec![]),
        Error::Validation { message: m, fields } => {
            let fields: Vec<FieldBody> = fields
                .iter()
                .map(|f| FieldBody {
                    field: f.field.clone(),
                    message: message(lang, &f.message),
                })
                .collect();
            let mut text = message(lang, m);
            if !fields.is_empty() {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}: {}", field_label(lang, &f.field), f.message))
                    .collect();
                text = format!("{text} {}", parts.join("; "));
            }
            (text, fields)
        }
        Error::TooLarge(m) => (message(lang, m), vec![]),
        Error::Locked { .. } => (tr(lang, "err.locked"), vec![]),
        Error::Unavailable(_) => (tr(lang, "err.unavailable"), vec![]),
        Error::Internal(_) => (tr(lang, "err.internal"), vec![]),
    };
    Envelope {
        error: ErrorBody {
            code: e.code().into(),
            message: msg,
            fields,
        },
    }
}

/// The label of a form field, for messages ("名称: 必填").
pub fn field_label(lang: Lang, field: &str) -> String {
    let key = format!("field.{field}");
    if super::i18n::has(lang, &key) {
        tr(lang, &key)
    } else {
        field.to_string()
    }
}

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Draws the HTML error page: (language, status, message, request id, the signed-in caller
/// when known, the request's path) → HTML. The pages layer provides it where the middleware
/// stack is assembled, so this module needs nothing of the pages (and the pages, which use the
/// error policy here, form no circle with it). With a caller the page keeps the menu frame.
pub type ErrorPage = fn(Lang, StatusCode, &str, &str, Option<&Actor>, &str) -> String;

/// Inside the gate: an error answer carries the caller resolved by the gate out to
/// [`render`], so that the error page of a signed-in user keeps the navigation.
pub async fn keep_caller(req: Request, next: Next) -> Response {
    let actor = req.extensions().get::<Actor>().cloned();
    let mut res = next.run(req).await;
    if let Some(a) = actor
        && (res.extensions().get::<Carried>().is_some() || res.status() == StatusCode::NOT_FOUND)
    {
        res.extensions_mut().insert(a);
    }
    res
}

/// Outside the gate of the unknown-path fallback: a request without a session cookie or a
/// bearer token is answered 404 at once (nobody is sent to sign in for a path that does not
/// exist); with one, the gate resolves the caller so that the 404 page keeps the menu.
pub async fn signed_in_only(req: Request, next: Next) -> Response {
    let has_cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|kv| kv.trim().starts_with("sc_session="));
    let has_bearer = req.headers().contains_key(header::AUTHORIZATION);
    if has_cookie || has_bearer {
        next.run(req).await
    } else {
        Error::NotFound.into_response()
    }
}

/// The answer for a path no route serves.
pub async fn not_found() -> Error {
    Error::NotFound
}

/// Writes the body of error responses in the request's language and format.
pub async fn render(State(page): State<ErrorPage>, req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let api = is_api(req.uri().path());
    let path_q = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let rid = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let res = next.run(req).await;
    let caller = res.extensions().get::<Actor>().cloned();
    let caller = caller.as_ref();
    let Some(Carried(err)) = res.extensions().get::<Carried>().cloned() else {
        // A path segment or a query that does not parse (axum's rejection: 400 and a line of
        // text) is a value that does not validate: 422 with the reason, like a body's.
        if res.status() == StatusCode::BAD_REQUEST {
            let text = axum::body::to_bytes(res.into_body(), 4096)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let e = Error::validation(text);
            let s = StatusCode::UNPROCESSABLE_ENTITY;
            return write(page, &e, s, lang, api, &path_q, &rid, caller);
        }
        // Errors produced by axum or a middleware (unknown path, wrong method, a cross-site
        // form refused by the CSRF layer, a body over the limit, a timeout): same envelope.
        let e = match res.status() {
            StatusCode::NOT_FOUND => Error::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Error::validation("err.method"),
            StatusCode::FORBIDDEN => Error::Forbidden,
            StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge("err.body_too_large".into()),
            StatusCode::REQUEST_TIMEOUT => Error::validation("err.timeout"),
            _ => return res,
        };
        let s = res.status();
        return write(page, &e, s, lang, api, &path_q, &rid, caller);
    };
    let s = res.status();
    write(page, &err, s, lang, api, &path_q, &rid, caller)
}

#[allow(clippy::too_many_arguments)]
fn write(
    page: ErrorPage,
    err: &Error,
    s: StatusCode,
    lang: Lang,
    api: bool,
    path_q: &str,
    rid: &str,
    caller: Option<&Actor>,
) -> Response {
    // A client may come back shortly (nothing was written), or once a pause ends.
    let retry = |mut r: Response| {
        match err {
            Error::Unavailable(_) => {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            }
            Error::Locked { retry_after_secs } => {
                r.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(*retry_after_secs),
                );
            }
            _ => {}
        }
        r
    };
    if api {
        let mut r = (s, axum::Json(envelope(err, lang))).into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
        return retry(r);
    }
    if matches!(err, Error::Unauthorized) {
        let next = urlencode(path_q);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let env = envelope(err, lang);
    let html = page(lang, s, &env.error.message, rid, caller, path_q);
    retry((s, Html(html)).into_response())
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|v| v[2..].to_string())
        .unwrap_or_default()
}
