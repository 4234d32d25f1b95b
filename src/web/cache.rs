//! The answers of the most-read lists and pages, kept in memory and served again until the
//! data changes.
//!
//! A district's officers open the same hazard list, board and home page many times a day,
//! and wall screens and scripts poll them; between two changes of the data every such read
//! recomputes the same answer. This layer keeps a route's `200` answer under a key of
//! **everything the answer may depend on** — the caller as the gate resolved them
//! ([`Actor::cache_key`]: user, role, org, scope, CSRF token, unread count …), the language,
//! the China date, the path and query — together with the database's data version
//! ([`crate::storage::data_version`]), read before the handler runs. The next request with the
//! same key is answered from memory while the version is unchanged, i.e. until any change to
//! the business data commits, on this instance or another one on the same database.
//!
//! Invariants:
//! - Only the routes in [`ROUTES`] are cached, and only `GET`s that passed the gate: an answer
//!   is never shared between two callers (the key names the user and session), so scope holds
//!   exactly as without the cache.
//! - A cached route reads no table outside the data version ([`UNVERSIONED`]) and writes
//!   nothing (no audited reads): its answer is a function of the key and the versioned data.
//!   The test suite runs with the cache on, and `tests/http_cache.rs` compares every cached
//!   route with an uncached instance on the same database after writes.
//! - The whole map holds one version: a newer version empties it. Memory is bounded by
//!   `[cache] max_mib` (oldest first out); an entry lives at most `[cache] ttl_seconds`.
//!
//! A `GET` with `If-None-Match` naming the current validator is answered `304` without
//! running the handler. Misses, hits and bypasses are counted in `/metrics`
//! (`safecampus_cache_total{result}`).
//!
//! [`Actor::cache_key`]: crate::storage::Actor::cache_key
//! [`UNVERSIONED`]: crate::storage::data_version::UNVERSIONED

use super::AppState;
use super::i18n::Lang;
use crate::config::Cache as CacheConfig;
use crate::storage::Actor;
use axum::body::HttpBody as _;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The cached routes (their `GET`): the lists, boards and pages people open most. A route
/// joins only when it reads versioned tables alone and writes nothing (see the module
/// documentation); `tests/http_cache.rs` checks each against an uncached instance.
pub const ROUTES: &[&str] = &[
    "/",
    "/api/v1/home",
    "/api/v1/schools",
    "/schools",
    "/api/v1/schools/{id}",
    "/schools/{id}",
    "/api/v1/hazards",
    "/hazards",
    "/api/v1/self-inspection-board",
    "/inspections/board",
    "/api/v1/warnings",
    "/warnings",
    "/api/v1/risk-summary",
    "/risk",
    "/api/v1/schools/{id}/risk-points",
];

/// Whether the route pattern's `GET` is cached.
pub fn cached(method: &Method, pattern: &str) -> bool {
    method == Method::GET && ROUTES.contains(&pattern)
}

/// The data version the gate read with the session (a cached route's request carries it).
#[derive(Debug, Clone, Copy)]
pub struct SeenVersion(pub i64);

/// An answer larger than this is not kept (a list is far smaller; an export is not cached).
const MAX_ENTRY: usize = 4 * 1024 * 1024;

/// The kept answers of one instance.
pub struct ResponseCache {
    enabled: bool,
    max_bytes: usize,
    ttl: Duration,
    seeds: std::hash::RandomState,
    map: Mutex<Map>,
}

#[derive(Default)]
struct Map {
    version: i64,
    entries: HashMap<u64, Entry>,
    /// Keys in the order they were stored (the oldest leaves first when memory is short).
    order: VecDeque<u64>,
    bytes: usize,
}

struct Entry {
    key: Box<[u8]>,
    at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

impl Entry {
    fn size(&self) -> usize {
        self.key.len() + self.body.len() + 64 * self.headers.len() + 128
    }
}

impl ResponseCache {
    pub fn new(c: &CacheConfig) -> ResponseCache {
        ResponseCache {
            enabled: c.enabled && c.max_mib > 0,
            max_bytes: c.max_mib.saturating_mul(1024 * 1024),
            ttl: Duration::from_secs(c.ttl_seconds),
            seeds: std::hash::RandomState::new(),
            map: Mutex::new(Map::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn hash(&self, key: &[u8]) -> u64 {
        let mut h = self.seeds.build_hasher();
        h.write(key);
        h.finish()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Map> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer kept under `key` at `version`, if fresh.
    fn get(&self, hash: u64, key: &[u8], version: i64) -> Option<(HeaderMap, Bytes)> {
        let m = self.lock();
        if m.version != version {
            return None;
        }
        let e = m.entries.get(&hash)?;
        (*e.key == *key && e.at.elapsed() < self.ttl).then(|| (e.headers.clone(), e.body.clone()))
    }

    /// Keeps an answer computed at `version` (dropped when a newer version was seen).
    fn put(&self, hash: u64, entry: Entry, version: i64) {
        let size = entry.size();
        if size > self.max_bytes {
            return;
        }
        let mut m = self.lock();
        if version < m.version {
            return;
        }
        if version > m.version {
            *m = Map {
                version,
                ..Map::default()
            };
        }
        if let Some(old) = m.entries.remove(&hash) {
            m.bytes -= old.size();
            m.order.retain(|h| *h != hash);
        }
        while m.bytes + size > self.max_bytes {
            let Some(oldest) = m.order.pop_front() else {
                break;
            };
            if let Some(old) = m.entries.remove(&oldest) {
                m.bytes -= old.size();
            }
        }
        m.bytes += size;
        m.order.push_back(hash);
        m.entries.insert(hash, entry);
    }

    /// Entries and bytes held (for the tests and the operator's status).
    pub fn held(&self) -> (usize, usize) {
        let m = self.lock();
        (m.entries.len(), m.bytes)
    }
}

/// The key of a request: the caller, the language, the China date, whether htmx asks for the
/// page's fragment or the whole page (`HX-Request`, [`super::htmx::wants_fragment`]), the path
/// and query.
fn key_of(actor: &Actor, req: &Request) -> Vec<u8> {
    let mut key = Vec::with_capacity(256);
    actor.cache_key(&mut key);
    let lang = Lang::from_headers(req.headers());
    let part = if super::htmx::wants_fragment(req.headers()) {
        "fragment"
    } else {
        "page"
    };
    let uri = req.uri();
    // Writing into a `Vec` cannot fail.
    let _ = write!(
        key,
        "\u{1e}{lang:?}\u{1e}{}\u{1e}{part}\u{1e}{}",
        crate::clock::today(),
        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
    );
    key
}

/// The validator of an answer: its key and the data version.
fn etag(hash: u64, version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("W/\"{version:x}-{hash:016x}\"")).expect("ASCII")
}

fn count(result: &'static str) {
    metrics::counter!("safecampus_cache_total", "result" => result).increment(1);
}

/// The layer of a cached route, inside the gate (the caller is resolved and allowed).
pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let cache = st.cache();
    let Some(actor) = req.extensions().get::<Actor>() else {
        return next.run(req).await;
    };
    if !cache.enabled() || req.method() != Method::GET {
        return next.run(req).await;
    }
    let key = key_of(actor, &req);
    // The version is read before the data: what the handler reads is at least this new.
    // The gate read it with the session; otherwise it is read here.
    let seen = req.extensions().get::<SeenVersion>().map(|v| v.0);
    let version = match seen {
        Some(v) => Ok(v),
        None => st.data_version().await,
    };
    let version = match version {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "data version unreadable; answering uncached");
            count("bypass");
            return next.run(req).await;
        }
    };
    let hash = cache.hash(&key);
    let tag = etag(hash, version);
    if req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| {
        v.as_bytes()
            .split(|b| *b == b',')
            .any(|t| t.trim_ascii() == tag.as_bytes())
    }) {
        count("not_modified");
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        res.headers_mut().insert(header::ETAG, tag);
        return res;
    }
    if let Some((headers, body)) = cache.get(hash, &key, version) {
        count("hit");
        let mut res = Response::new(Body::from(body));
        *res.headers_mut() = headers;
        return res;
    }
    count("miss");
    let res = next.run(req).await;
    let exact = res.body().size_hint().exact();
    let keep = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && exact.is_some_and(|n| n <= MAX_ENTRY as u64);
    if !keep {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let body = match axum::body::to_bytes(body, MAX_ENTRY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "an answer's body could not be read");
            return crate::error::Error::internal(anyhow::anyhow!("body: {e}")).into_response();
        }
    };
    parts.headers.insert(header::ETAG, tag);
    cache.put(
        hash,
        Entry {
            key: key.into_boxed_slice(),
            at: Instant::now(),
            headers: parts.headers.clone(),
            body: body.clone(),
        },
        version,
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(max_mib: usize) -> ResponseCache {
        ResponseCache::new(&CacheConfig {
            enabled: true,
            max_mib,
            ttl_seconds: 60,
        })
    }

    fn entry(key: &[u8], body: &'static [u8]) -> Entry {
        Entry {
            key: key.into(),
            at: Instant::now(),
            headers: HeaderMap::new(),
            body: Bytes::from_static(body),
        }
    }

    #[test]
    fn an_answer_is_served_for_its_key_and_version_only() {
        let c = cache(1);
        let h = c.hash(b"a");
        c.put(h, entry(b"a", b"one"), 3);
        assert_eq!(c.get(h, b"a", 3).unwrap().1, Bytes::from_static(b"one"));
        assert!(c.get(h, b"a", 4).is_none(), "a newer version misses");
        assert!(
            c.get(h, b"b", 3).is_none(),
            "the key is compared, not only its hash"
        );
        // An answer computed at an older version than one already seen is not kept.
        c.put(c.hash(b"x"), entry(b"x", b"late"), 4);
        c.put(h, entry(b"a", b"stale"), 3);
        assert!(c.get(h, b"a", 3).is_none());
        assert_eq!(c.held().0, 1, "the newer version emptied the map");
    }

    #[test]
    fn memory_is_bounded_oldest_first() {
        let c = cache(1);
        static BODY: [u8; 300 * 1024] = [b'x'; 300 * 1024];
        for k in 0..10u8 {
            let key = [k];
            c.put(
                c.hash(&key),
                Entry {
                    key: key.as_slice().into(),
                    at: Instant::now(),
                    headers: HeaderMap::new(),
                    body: Bytes::from_static(&BODY),
                },
                1,
            );
        }
        let (n, bytes) = c.held();
        assert!(bytes <= 1024 * 1024, "{bytes}");
        assert_eq!(n, 3);
        assert!(c.get(c.hash(&[9]), &[9], 1).is_some(), "the newest stays");
        assert!(c.get(c.hash(&[0]), &[0], 1).is_none(), "the oldest went");
    }

    #[test]
    fn an_old_entry_expires() {
        let c = ResponseCache::new(&CacheConfig {
            enabled: true,
            max_mib: 1,
            ttl_seconds: 0,
        });
        let h = c.hash(b"a");
        c.put(h, entry(b"a", b"one"), 1);
        assert!(c.get(h, b"a", 1).is_none());
    }
}
