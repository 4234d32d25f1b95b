//! Languages: Chinese first, English complete. The language comes from the `lang` cookie, then
//! `Accept-Language`, then zh-CN. Never process-global: every lookup names its language.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub const LANGS: &[Lang] = &[Lang::Zh, Lang::En];

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

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

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// Translates `key`; a missing key shows the key itself (and fails the catalogue test).
pub fn tr(lang: Lang, key: &str) -> String {
    rust_i18n::t!(key, locale = lang.code()).into_owned()
}

/// True when the catalogue has `key` in `lang`.
pub fn has(lang: Lang, key: &str) -> bool {
    rust_i18n::t!(key, locale = lang.code()) != key
        && !rust_i18n::t!(key, locale = lang.code()).ends_with(key)
}
