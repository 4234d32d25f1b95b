//! Static files embedded in the binary (nothing is fetched from outside: the platform runs on
//! an intranet). URLs carry a content hash, so files are served `immutable`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "assets/static/"]
struct Static;

#[derive(RustEmbed)]
#[folder = "assets/vendor/"]
#[include = "*/*.js"]
#[include = "*/*.css"]
struct Vendor;

fn get(file: &str) -> Option<rust_embed::EmbeddedFile> {
    match file.strip_prefix("vendor/") {
        Some(v) => Vendor::get(v),
        None => Static::get(file),
    }
}

fn hashes() -> &'static HashMap<String, String> {
    static H: OnceLock<HashMap<String, String>> = OnceLock::new();
    H.get_or_init(|| {
        let mut m = HashMap::new();
        for f in Static::iter() {
            if let Some(e) = Static::get(&f) {
                m.insert(f.to_string(), hex::encode(&Sha256::digest(&e.data)[..6]));
            }
        }
        for f in Vendor::iter() {
            if let Some(e) = Vendor::get(&f) {
                m.insert(
                    format!("vendor/{f}"),
                    hex::encode(&Sha256::digest(&e.data)[..6]),
                );
            }
        }
        m
    })
}

/// The URL of an embedded file, e.g. `url("app.css")` → `/static/3fa2…/app.css`.
pub fn url(file: &str) -> String {
    let h = hashes().get(file).map(String::as_str).unwrap_or("0");
    format!("/static/{h}/{file}")
}

pub async fn serve(Path((hash, file)): Path<(String, String)>) -> Response {
    let Some(f) = get(&file) else {
        return crate::Error::NotFound.into_response();
    };
    let current = hashes().get(&file).map(String::as_str) == Some(hash.as_str());
    let mime = match file.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        f.data.into_owned(),
    )
        .into_response()
}
