//! Partial updates with htmx (vendored, `assets/vendor/htmx`). A page that offers them is a
//! plain page first: its forms and links work without JavaScript. When htmx asks
//! (`HX-Request: true`) the handler answers only the part that is swapped; a history restore
//! (`HX-History-Restore-Request: true`, the browser going back to a page htmx no longer holds)
//! gets the whole page, like any other request. The response cache keys the two apart
//! ([`crate::web::cache`]).

use axum::http::HeaderMap;

fn is_true(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Whether the request asks for the swapped part of a page rather than the whole page.
pub fn wants_fragment(headers: &HeaderMap) -> bool {
    is_true(headers, "hx-request") && !is_true(headers, "hx-history-restore-request")
}

/// The URL of the vendored htmx script (content-hashed).
pub fn script() -> String {
    super::assets::url("vendor/htmx/htmx.min.js")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_an_htmx_request_gets_the_fragment() {
        assert!(!wants_fragment(&headers(&[])));
        assert!(wants_fragment(&headers(&[("hx-request", "true")])));
        assert!(!wants_fragment(&headers(&[("hx-request", "false")])));
        assert!(!wants_fragment(&headers(&[
            ("hx-request", "true"),
            ("hx-history-restore-request", "true")
        ])));
    }
}
