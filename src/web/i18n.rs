//! How a request chooses its language: the `lang` cookie, then `Accept-Language`, then zh-CN.
//! The languages and the catalogue themselves are in the bottom layer ([`crate::i18n`]).

pub use crate::i18n::*;
use axum::http::HeaderMap;

impl Lang {
    pub fn from_headers(h: &HeaderMap) -> Lang {
        let cookie = h
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        if let Some(l) = cookie {
            return l;
        }
        let accept = h
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.trim_start().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}
