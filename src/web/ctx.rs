//! The request gate and the [`Ctx`] extractor.
//!
//! Every route is registered with an [`Action`]. For anything but `Public`, [`gate`] resolves
//! the session (cookie or bearer token) to an [`Actor`] once, checks the CSRF token of
//! cookie-authenticated writes, and stores the actor in the request. Handlers take a [`Ctx`],
//! whose only door to business data is [`Ctx::db`], a [`Scoped`] handle for the route's action.

use super::i18n::Lang;
use crate::config::Config;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::auth::{Auth, Origin, SessionWants};
use crate::storage::ingest::{DeviceCaller, Ingest};
use crate::storage::{Actor, Db, Scoped};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The session cookie's name: with `Secure` (served over HTTPS) it carries the `__Host-`
/// prefix, so a browser takes it only from this host, over HTTPS, for `/` and without a
/// `Domain` — a neighbour on the intranet cannot plant or shadow it (T-SE-1). Over plain
/// HTTP (a browser would refuse the prefix without `Secure`) the name is bare.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-sc_session"
    } else {
        "sc_session"
    }
}

/// What the web layer holds: the configuration, the sign-in service and — private to this
/// module — the database, from which only [`Ctx`] makes scoped handles for the route's
/// declared actions. No handler can reach the connection, an unscoped handle or the jobs.
///
/// One `Arc`: every layer that takes the state clones it per request (one reference count,
/// not one per connection handle inside).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    db: Db,
    config: Config,
    cache: super::cache::ResponseCache,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, config: Config) -> Self {
        let cache = super::cache::ResponseCache::new(&config.cache);
        AppState(Arc::new(Shared { db, config, cache }))
    }

    /// The kept answers of the cached routes.
    pub fn cache(&self) -> &super::cache::ResponseCache {
        &self.cache
    }

    /// The database's data version (no business data: one number).
    pub async fn data_version(&self) -> crate::error::Result<i64> {
        self.db.data_version().await
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sign-in, sessions and lockout (they establish who is asking; no business data).
    pub fn auth(&self) -> Auth {
        self.db.auth()
    }

    /// Readiness: can the database answer?
    pub async fn ready(&self) -> bool {
        self.db.ping().await
    }
}

/// The action and path pattern of the matched route, and the further actions its handler
/// may act under (a page that shows a school's zones and people declares `ZoneView` and
/// `PersonView`), set when the route is registered.
#[derive(Clone, Copy, Debug)]
pub struct RouteAction(pub Action, pub &'static str, pub &'static [Action]);

/// The session token of the request and how it came.
#[derive(Clone, Debug)]
pub struct Token {
    pub value: String,
    pub from_cookie: bool,
}

/// The request's session token: the bearer token, or the session cookie of the name in use
/// (`secure`: the `__Host-` one only; a bare-named cookie is not a session then).
pub fn token_from(headers: &HeaderMap, secure: bool) -> Option<Token> {
    let prefix = format!("{}=", session_cookie_name(secure));
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(Token {
            value: v.trim().to_string(),
            from_cookie: false,
        });
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(prefix.as_str()))
        .map(|v| Token {
            value: v.to_string(),
            from_cookie: true,
        })
}

/// The client address: the socket peer, or — when the peer is one of the configured
/// `[security] trusted_proxies` — the address that proxy says it forwarded for: the rightmost
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left were
/// written by the client and prove nothing). From any other peer the header is ignored.
pub fn origin_of(
    parts_ext: &axum::http::Extensions,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> Origin {
    let peer = parts_ext
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = match peer {
        Some(p) if trusted.contains(&p) => forwarded_for(headers, trusted).unwrap_or(p),
        Some(p) => p,
        None => return origin(headers, "unknown".into()),
    };
    origin(headers, client.to_string())
}

fn origin(headers: &HeaderMap, ip: String) -> Origin {
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    Origin { ip, request_id }
}

/// The nearest untrusted address of the `X-Forwarded-For` chain (all its headers, in order).
fn forwarded_for(headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> Option<std::net::IpAddr> {
    let chain: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in chain.iter().rev() {
        let ip: std::net::IpAddr = hop.parse().ok()?;
        if !trusted.contains(&ip) {
            return Some(ip);
        }
    }
    None
}

/// The gate: authentication and CSRF for every non-public route.
pub async fn gate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (action, pattern) = req
        .extensions()
        .get::<RouteAction>()
        .map(|a| (a.0, a.1))
        .unwrap_or((Action::OwnSession, ""));
    if action == Action::Public {
        return next.run(req).await;
    }
    if action == Action::DeviceIngest {
        return device_gate(st, req, next).await;
    }
    let origin = origin_of(
        req.extensions(),
        req.headers(),
        &st.config.security.trusted_proxies,
    );
    let Some(token) = token_from(req.headers(), st.config.security.secure_cookies) else {
        return Error::Unauthorized.into_response();
    };
    // A cached route's data version comes with the session, in the same statement.
    let wants = SessionWants {
        unread: !pattern.starts_with("/api/"),
        version: st.cache().enabled() && super::cache::cached(req.method(), pattern),
    };
    let (actor, version) = match st
        .db
        .auth()
        .session(&token.value, &origin, &st.config.security, wants)
        .await
    {
        Ok(Some(r)) => (r.actor, r.data_version),
        Ok(None) => return Error::Unauthorized.into_response(),
        Err(e) => return e.into_response(),
    };
    let (mut parts, body) = req.into_parts();
    let write = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if write && token.from_cookie {
        match check_csrf(&parts, body, actor.csrf()).await {
            Ok(b) => b,
            Err(e) => return e.into_response(),
        }
    } else {
        body
    };
    // Signed in with the password alone, the second factor still due: nothing answers but
    // the second factor's routes and sign-out (public routes never came this far). Pages lead
    // to the code (or set-up) form, the API refuses with 401 and a code saying which.
    if let Some(pending) = actor.mfa_pending()
        && action != Action::MfaSignIn
        && !SIGN_OUT.contains(&pattern)
    {
        if !super::error::is_api(parts.uri.path()) {
            return axum::response::Redirect::to(pending.page()).into_response();
        }
        if write {
            let what = format!("{} {pattern}", parts.method);
            st.db.scoped(actor, action).refuse(&what).await;
        }
        return mfa_due(pending, Lang::from_headers(&parts.headers));
    }
    // On a temporary password (new account, reset) only the own-session routes answer: pages
    // lead to the password form, the API refuses with a reason (POST /api/v1/auth/password).
    if actor.must_change_password() && action != Action::OwnSession && action != Action::MfaSignIn {
        if !super::error::is_api(parts.uri.path()) {
            return axum::response::Redirect::to("/account/password").into_response();
        }
        if write {
            let what = format!("{} {pattern}", parts.method);
            st.db.scoped(actor, action).refuse(&what).await;
        }
        return Error::ForbiddenBecause("err.security.password_change_required".into())
            .into_response();
    }
    // Routes about one object check scope first (404) then role (403) in the storage handle;
    // routes without an object are refused here. Either way the policy is re-checked on the
    // way out, so a handler that forgot to ask cannot leak an answer.
    let allowed = crate::policy::allows(actor.role(), action);
    if !allowed && !pattern.contains('{') {
        if write {
            let what = format!("{} {pattern}", parts.method);
            st.db.scoped(actor, action).refuse(&what).await;
        }
        return Error::Forbidden.into_response();
    }
    // A write carrying `Idempotency-Key` seen before is answered from the first request.
    let actor = match super::idempotent::with_key(actor, &parts, write) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let keyed = actor.idempotency_key().is_some().then(|| actor.clone());
    if let Some(actor) = &keyed {
        match st.db.idempotent_prior(actor).await {
            Ok(None) => {}
            Ok(Some(prior)) => {
                return super::idempotent::replay(prior, Lang::from_headers(&parts.headers));
            }
            Err(e) => return e.into_response(),
        }
    }
    parts.extensions.insert(actor);
    parts.extensions.insert(token);
    if let Some(v) = version {
        parts.extensions.insert(super::cache::SeenVersion(v));
    }
    let res = next.run(Request::from_parts(parts, body)).await;
    let res = match &keyed {
        Some(actor) => {
            let (res, kept) = super::idempotent::to_keep(res).await;
            if let Some((status, content_type, body)) = kept
                && let Err(e) = st.db.keep_answer(actor, status, &content_type, &body).await
            {
                // The write stands; a retry is answered `already_applied` instead.
                tracing::warn!(error = %crate::error::Chain(&e), "an idempotent answer was not kept");
            }
            res
        }
        None => res,
    };
    if !allowed && (res.status().is_success() || res.status().is_redirection()) {
        tracing::error!(
            route = pattern,
            "a handler answered without the policy check"
        );
        return Error::Forbidden.into_response();
    }
    res
}

/// The routes a session with its second factor still due may call besides the second
/// factor's own (`Action::MfaSignIn`): sign-out.
const SIGN_OUT: &[&str] = &["/logout", "/api/v1/auth/logout"];

/// The API's answer to a session whose second factor is due: 401 with `mfa_required` (give a
/// code: `POST /api/v1/auth/mfa`) or `mfa_enrolment_required` (set one up first).
fn mfa_due(pending: crate::storage::auth::mfa::MfaPending, lang: Lang) -> Response {
    use crate::storage::auth::mfa::MfaPending;
    let key = match pending {
        MfaPending::Verify => "err.mfa.required",
        MfaPending::Enrol => "err.mfa.enrolment_required",
    };
    let mut r = (
        axum::http::StatusCode::UNAUTHORIZED,
        axum::Json(super::error::Envelope {
            error: super::error::ErrorBody {
                code: pending.api_code().into(),
                message: super::i18n::tr(lang, key),
                fields: vec![],
            },
        }),
    )
        .into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

/// The gate of the ingest: `Authorization: Device <token>` and nothing else (a user's session
/// or bearer token is no device; a device token opens no other route, since only this gate
/// reads it).
async fn device_gate(st: AppState, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Device "))
        .map(str::to_string);
    let Some(token) = token else {
        return Error::Unauthorized.into_response();
    };
    match st.db.ingest().device(&token).await {
        Ok(Some(device)) => {
            req.extensions_mut().insert(device);
            next.run(req).await
        }
        Ok(None) => Error::Unauthorized.into_response(),
        Err(e) => e.into_response(),
    }
}

/// What an ingest handler knows: the device that proved itself, and the one write path it may
/// use — its own events.
pub struct DeviceCtx {
    pub device: DeviceCaller,
    ingest: Ingest,
    state: AppState,
}

impl DeviceCtx {
    pub fn ingest(&self) -> &Ingest {
        &self.ingest
    }

    pub fn config(&self) -> &Config {
        &self.state.config
    }
}

impl FromRequestParts<AppState> for DeviceCtx {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Error> {
        let device = parts
            .extensions
            .get::<DeviceCaller>()
            .cloned()
            .ok_or(Error::Unauthorized)?;
        Ok(DeviceCtx {
            device,
            ingest: st.db.ingest().with_buses(st.config.buses.clone()),
            state: st.clone(),
        })
    }
}

/// A cookie-authenticated write must carry the session's CSRF token: in the `X-CSRF-Token`
/// header (htmx), the `_csrf` form field (for a multipart form: its first part) or the `_csrf`
/// query parameter (scripts that upload with a cookie).
async fn check_csrf(parts: &Parts, body: Body, expected: &str) -> Result<Body, Error> {
    let header_ok = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| ct_eq(v, expected));
    let query_ok = parts.uri.query().is_some_and(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .unwrap_or_default()
            .iter()
            .any(|(k, v)| k == "_csrf" && ct_eq(v, expected))
    });
    if header_ok || query_ok {
        return Ok(body);
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let (token, body) = multipart_token(content_type, body).await?;
        if token.is_some_and(|t| ct_eq(&t, expected)) {
            return Ok(body);
        }
        return Err(Error::Forbidden);
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if is_form {
        let bytes = axum::body::to_bytes(body, 2 * 1024 * 1024)
            .await
            .map_err(|_| Error::TooLarge("err.body_too_large".into()))?;
        let ok = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .unwrap_or_default()
            .iter()
            .any(|(k, v)| k == "_csrf" && ct_eq(v, expected));
        if ok {
            return Ok(Body::from(bytes));
        }
    }
    Err(Error::Forbidden)
}

/// How far the gate reads into a multipart body for its first part.
const MULTIPART_PEEK: usize = 8 * 1024;

/// The `_csrf` field of a multipart form when it is the form's first part: page forms with
/// photos carry the token there (their first field), so it never travels in the URL, and the
/// gate need not parse the files behind it. Reads at most [`MULTIPART_PEEK`] bytes ahead and
/// passes the whole body on.
async fn multipart_token(content_type: &str, body: Body) -> Result<(Option<String>, Body), Error> {
    use futures_util::StreamExt;
    let Some(boundary) = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
    else {
        return Ok((None, body));
    };
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let mut token = None;
    while head.len() < MULTIPART_PEEK {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(Error::field("body", "err.body_unreadable")),
            None => break,
        }
        token = first_part_token(&head, &boundary);
        if token.is_some() {
            break;
        }
    }
    let head = axum::body::Bytes::from(head);
    let rest = futures_util::stream::once(async move { Ok::<_, axum::Error>(head) }).chain(stream);
    Ok((token, Body::from_stream(rest)))
}

/// The value of the first part of a multipart body when that part is the field `_csrf`.
fn first_part_token(head: &[u8], boundary: &str) -> Option<String> {
    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }
    let rest = head.strip_prefix(format!("--{boundary}\r\n").as_bytes())?;
    let end_of_headers = find(rest, b"\r\n\r\n")?;
    let headers = std::str::from_utf8(&rest[..end_of_headers]).ok()?;
    let disposition = headers
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    if !disposition.contains("name=\"_csrf\"") || disposition.contains("filename") {
        return None;
    }
    let value = &rest[end_of_headers + 4..];
    let end = find(value, format!("\r\n--{boundary}").as_bytes())?;
    std::str::from_utf8(&value[..end]).ok().map(str::to_string)
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What a handler knows about the request: who, doing what, in which language.
pub struct Ctx {
    /// Who is asking (read-only: its fields are private to storage).
    pub actor: Actor,
    /// The request's path and query (where the language switch returns to).
    pub uri: String,
    pub lang: Lang,
    pub token: Option<Token>,
    action: Action,
    also: &'static [Action],
    state: AppState,
}

impl Ctx {
    /// The scoped storage handle for this request's actor and the route's action.
    pub fn db(&self) -> Scoped {
        self.state.db.scoped(self.actor.clone(), self.action)
    }

    /// A scoped handle for one of the further actions the route declared (see
    /// [`RouteAction`]). Asking for an undeclared action is a programming error: it answers
    /// 500 and is logged, and the access matrix, which calls every route, finds it.
    pub fn db_as(&self, action: Action) -> Result<Scoped, Error> {
        if action == self.action || self.also.contains(&action) {
            Ok(self.state.db.scoped(self.actor.clone(), action))
        } else {
            Err(Error::internal(anyhow::anyhow!(
                "{action:?} is not declared on the route (acting as {:?})",
                self.action
            )))
        }
    }

    /// The route's action.
    pub fn action(&self) -> Action {
        self.action
    }

    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Sign-in and sessions (logout).
    pub fn auth(&self) -> Auth {
        self.state.db.auth()
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Error> {
        let actor = parts
            .extensions
            .get::<Actor>()
            .cloned()
            .ok_or(Error::Unauthorized)?;
        let (action, also) = parts
            .extensions
            .get::<RouteAction>()
            .map(|a| (a.0, a.2))
            .ok_or(Error::Unauthorized)?;
        Ok(Ctx {
            actor,
            uri: without_csrf(&parts.uri),
            action,
            also,
            lang: Lang::from_headers(&parts.headers),
            token: parts.extensions.get::<Token>().cloned(),
            state: st.clone(),
        })
    }
}

/// The request's path and query without a `_csrf` parameter: page forms with photos carry the
/// token in their action URL, and a page drawn in answer (a form shown again with its errors)
/// must not put it into links (the language switch, `next=`) that end up in history and logs.
fn without_csrf(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let Some(q) = uri.query() else {
        return path.to_string();
    };
    let kept: Vec<&str> = q
        .split('&')
        .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("_csrf"))
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// Where the request came from (peer address, request id), for sign-in audit.
pub struct ReqOrigin(pub Origin);

impl FromRequestParts<AppState> for ReqOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let trusted = &st.config.security.trusted_proxies;
        Ok(ReqOrigin(origin_of(
            &parts.extensions,
            &parts.headers,
            trusted,
        )))
    }
}

/// The request language, for public pages.
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(Lang::from_headers(&parts.headers)))
    }
}

/// JSON body extractor whose rejections use the error envelope (422 with serde's reason,
/// e.g. an unknown field).
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, st: &S) -> Result<Self, Error> {
        match axum::Json::<T>::from_request(req, st).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            // A body over the route's limit is 413, not a validation error.
            Err(rej) if rej.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(Error::TooLarge("err.body_too_large".into()))
            }
            Err(rej) => Err(Error::validation(rej.body_text())),
        }
    }
}

/// Form body extractor with the same error policy; the `_csrf` field is ignored here (the
/// gate checked it).
pub struct Form<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, _st: &S) -> Result<Self, Error> {
        let bytes = axum::body::to_bytes(req.into_body(), 2 * 1024 * 1024)
            .await
            .map_err(|_| Error::TooLarge("err.body_too_large".into()))?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|e| Error::validation(e.to_string()))?;
        let filtered: Vec<(String, String)> =
            pairs.into_iter().filter(|(k, _)| k != "_csrf").collect();
        let enc = serde_urlencoded::to_string(&filtered).map_err(Error::internal)?;
        serde_urlencoded::from_str(&enc)
            .map(Form)
            .map_err(|e| Error::validation(e.to_string()))
    }
}

/// The raw pairs of a form body, for forms with repeated fields (checkbox groups).
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    /// Values of a repeated field.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The other fields deserialized into `T` (repeated fields and `_csrf` left out).
    pub fn parse<T: serde::de::DeserializeOwned>(&self, repeated: &[&str]) -> Result<T, Error> {
        let rest: Vec<&(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| k != "_csrf" && !repeated.contains(&k.as_str()))
            .collect();
        let enc = serde_urlencoded::to_string(&rest).map_err(Error::internal)?;
        serde_urlencoded::from_str(&enc).map_err(|e| Error::validation(e.to_string()))
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormPairs {
    type Rejection = Error;

    async fn from_request(req: Request, _st: &S) -> Result<Self, Error> {
        let bytes = axum::body::to_bytes(req.into_body(), 2 * 1024 * 1024)
            .await
            .map_err(|_| Error::TooLarge("err.body_too_large".into()))?;
        serde_urlencoded::from_bytes(&bytes)
            .map(FormPairs)
            .map_err(|e| Error::validation(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::without_csrf;

    #[test]
    fn the_first_multipart_part_carries_the_token() {
        use super::first_part_token;
        let b = "XyZ";
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok123\r\n--XyZ\r\n";
        assert_eq!(
            first_part_token(body.as_bytes(), b).as_deref(),
            Some("tok123")
        );
        let other = body.replace("\"_csrf\"", "\"_csrf_x\"");
        assert_eq!(first_part_token(other.as_bytes(), b), None);
        let file = body.replace("\"_csrf\"", "\"_csrf\"; filename=\"a.txt\"");
        assert_eq!(first_part_token(file.as_bytes(), b), None);
        // Not yet complete: no answer until the part's end arrived.
        assert_eq!(first_part_token(&body.as_bytes()[..60], b), None);
        let second =
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n{body}");
        assert_eq!(first_part_token(second.as_bytes(), b), None);
    }

    #[test]
    fn the_csrf_token_never_leaves_in_the_page_uri() {
        let u = |s: &str| without_csrf(&s.parse().unwrap());
        assert_eq!(u("/hazards/7/actions?_csrf=secret"), "/hazards/7/actions");
        assert_eq!(u("/x?a=1&_csrf=secret&b=2"), "/x?a=1&b=2");
        assert_eq!(u("/x?_csrf_other=1"), "/x?_csrf_other=1");
        assert_eq!(u("/x"), "/x");
        assert_eq!(u("/x?status=open"), "/x?status=open");
    }
}
