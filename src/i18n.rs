//! Languages and the translation catalogue: Chinese first, English complete. Never
//! process-global: every lookup names its language. The bottom layer (no HTTP): the web layer
//! adds how a request chooses its language (`web::i18n`).

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
