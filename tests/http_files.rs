//! Photos and documents over HTTP: upload, metadata stripping, thumbnails, scope, and the
//! hostile-file corpus (wrong types under image names, decompression bombs, corrupt and empty
//! files, oversized requests, odd names). Every refusal is a clear error and the server keeps
//! answering.

mod common;

use axum::http::{Method, StatusCode};
use common::{Resp, TestApp, expect, fields, msg};
use image::ImageEncoder;
use safecampus::config::Config;
use safecampus::web::i18n::{Lang, tr};
use serde_json::Value;

const BOUNDARY: &str = "----safecampus-files-boundary";

/// One multipart part: field name, file name (raw bytes, `None` for a text part), content.
struct Part {
    name: &'static str,
    file: Option<Vec<u8>>,
    data: Vec<u8>,
}

fn file(name: &str, data: Vec<u8>) -> Part {
    Part {
        name: "file",
        file: Some(name.as_bytes().to_vec()),
        data,
    }
}

fn text(name: &'static str, value: &str) -> Part {
    Part {
        name,
        file: None,
        data: value.as_bytes().to_vec(),
    }
}

fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{}\"", p.name).as_bytes(),
        );
        if let Some(f) = &p.file {
            body.extend_from_slice(b"; filename=\"");
            body.extend_from_slice(f);
            body.extend_from_slice(b"\"\r\nContent-Type: image/jpeg");
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(&p.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

async fn upload(app: &TestApp, path: &str, token: Option<&str>, parts: &[Part]) -> Resp {
    let (ct, body) = multipart(parts);
    app.request(Method::POST, path, token, Some(&ct), body, &[])
        .await
}

fn png(w: u32, h: u32, alpha: u8) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(w, h, image::Rgba([20, 160, 60, alpha]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// A JPEG with an APP1 "Exif" segment carrying camera make and GPS coordinates, spliced in
/// after SOI.
fn jpeg_with_gps(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    // Big-endian TIFF: IFD0 with Make (ASCII) and a GPS IFD pointer; the GPS IFD has
    // latitude ref and latitude (three rationals).
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let ifd0 = 8u32;
    let ifd0_len = 2 + 2 * 12 + 4;
    let make_at = ifd0 + ifd0_len;
    let make = b"SpyCam Phone\0";
    let gps_at = make_at + make.len() as u32;
    let gps_len = 2 + 2 * 12 + 4;
    let lat_at = gps_at + gps_len;
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x0F, 0, 2]);
    t.extend_from_slice(&(make.len() as u32).to_be_bytes());
    t.extend_from_slice(&make_at.to_be_bytes());
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
    t.extend_from_slice(&gps_at.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0]);
    t.extend_from_slice(make);
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    t.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3]);
    t.extend_from_slice(&lat_at.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0]);
    for (n, d) in [(43u32, 1u32), (52, 1), (3600, 100)] {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&t);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in data {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A small valid PNG whose header claims `w` × `h` (checksum fixed up).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut b = png(1, 1, 255);
    b[16..20].copy_from_slice(&w.to_be_bytes());
    b[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&b[12..29]);
    b[29..33].copy_from_slice(&crc.to_be_bytes());
    b
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Asserts the error envelope and that its message is the catalogue text of `key`.
fn refused(r: &Resp, status: u16, code: &str, key: &str, case: &str) {
    assert_eq!(r.status.as_u16(), status, "{case}: {}", r.text());
    let j = expect(r, status, code);
    assert!(
        msg(&j).contains(&tr(Lang::Zh, key)),
        "{case}: expected {key}, got {j}"
    );
}

async fn alive(app: &mut TestApp) {
    let t = app.login("s001.principal").await;
    let r = app.get("/api/v1/me", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "the server keeps answering");
}

#[tokio::test]
async fn a_photo_comes_back_without_location_with_a_small_thumbnail() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.principal").await;
    let src = jpeg_with_gps(640, 480);
    assert!(contains(&src, b"Exif") && contains(&src, b"SpyCam"));
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&t),
        &[file("现场照片.jpg", src)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    let f = &j["files"][0];
    assert_eq!(j["id"], f["id"]);
    assert_eq!(f["school_id"], s001);
    assert_eq!(f["kind"], "image");
    assert_eq!(f["mime"], "image/jpeg");
    assert_eq!(f["name"], "现场照片.jpg");
    assert_eq!(
        (f["width"].as_i64(), f["height"].as_i64()),
        (Some(640), Some(480))
    );
    let id = f["id"].as_i64().unwrap();
    assert_eq!(f["url"], format!("/api/v1/files/{id}"));
    assert_eq!(f["thumb_url"], format!("/api/v1/files/{id}/thumb"));

    let r = app.get(&format!("/api/v1/files/{id}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/jpeg");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    let cd = r.header("content-disposition");
    assert!(cd.starts_with("inline;"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.jpg"),
        "{cd}"
    );
    let cc = r.header("cache-control");
    assert!(
        !cc.contains("public") && (cc.contains("private") || cc.contains("no-store")),
        "{cc}"
    );
    assert_eq!(r.body.len() as i64, f["size"].as_i64().unwrap());
    assert!(!contains(&r.body, b"Exif"), "no Exif left");
    assert!(!contains(&r.body, &[0xFF, 0xE1]), "no APP1 segment left");
    assert!(!contains(&r.body, b"SpyCam"), "no camera data left");
    let img = image::load_from_memory(&r.body).expect("a JPEG");
    assert_eq!((img.width(), img.height()), (640, 480));

    let th = app
        .get(&format!("/api/v1/files/{id}/thumb"), Some(&t))
        .await;
    assert_eq!(th.status, StatusCode::OK);
    assert_eq!(th.header("content-type"), "image/jpeg");
    assert!(th.body.len() < r.body.len());
    let small = image::load_from_memory(&th.body).expect("a JPEG thumbnail");
    assert_eq!((small.width(), small.height()), (320, 240));
    assert!(!contains(&th.body, b"Exif"));

    // A transparent PNG stays PNG; several files in one request.
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&t),
        &[
            file("a.png", png(10, 10, 120)),
            file("b.png", png(10, 10, 255)),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["files"].as_array().unwrap().len(), 2);
    assert_eq!(j["files"][0]["mime"], "image/png");
    assert_eq!(j["files"][1]["mime"], "image/jpeg");
    assert_eq!(
        j["files"][1]["name"], "b.jpg",
        "the name follows the stored type"
    );
}

#[tokio::test]
async fn a_pdf_is_kept_and_served_as_a_download() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&t),
        &[file("整改报告.pdf", pdf.to_vec())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let f = &r.json()["files"][0];
    assert_eq!(f["kind"], "document");
    assert_eq!(f["mime"], "application/pdf");
    assert!(f["thumb_url"].is_null());
    let id = f["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/v1/files/{id}"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "application/pdf");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    let cd = r.header("content-disposition");
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(cd.contains("filename*=UTF-8''"), "{cd}");
    assert_eq!(r.body, pdf.to_vec());
    let r = app
        .get(&format!("/api/v1/files/{id}/thumb"), Some(&t))
        .await;
    expect(&r, 404, "not_found");
}

#[tokio::test]
async fn hostile_files_get_a_clear_error_and_the_server_keeps_answering() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    let truncated = {
        let j = jpeg(200, 200);
        j[..j.len() / 2].to_vec()
    };
    let zip = common::zip_of(&[("evil.sh", b"rm -rf /\n", 1)]);
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "html under an image name",
            "photo.jpg",
            b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec(),
            "err.file.type",
        ),
        (
            "svg with a script",
            "photo.png",
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>".to_vec(),
            "err.file.type",
        ),
        (
            "a PE executable",
            "photo.jpg",
            [&b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0"[..], &[0u8; 64][..], b"PE\0\0"].concat(),
            "err.file.type",
        ),
        (
            "an ELF executable",
            "photo.gif",
            [&b"\x7fELF\x02\x01\x01\0"[..], &[0u8; 56][..]].concat(),
            "err.file.type",
        ),
        ("a zip archive", "photo.jpg", zip, "err.file.type"),
        ("a script", "photo.jpg", b"#!/bin/sh\necho owned\n".to_vec(), "err.file.type"),
        (
            "a PNG claiming 60000 x 60000",
            "bomb.png",
            png_claiming(60000, 60000),
            "err.file.too_many_pixels",
        ),
        (
            "a PNG claiming 7000 x 7000",
            "bomb.png",
            png_claiming(7000, 7000),
            "err.file.too_many_pixels",
        ),
        ("a truncated JPEG", "photo.jpg", truncated, "err.file.corrupt"),
        (
            "a JPEG header and garbage",
            "photo.jpg",
            [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0x41; 300][..]].concat(),
            "err.file.corrupt",
        ),
        ("zero bytes", "photo.jpg", vec![], "err.file.empty"),
    ];
    for (case, name, data, key) in cases {
        let r = upload(&app, "/api/v1/files", Some(&t), &[file(name, data)]).await;
        refused(&r, 422, "invalid", key, case);
        alive(&mut app).await;
    }
    // A hostile file among good ones: the whole request is refused, nothing is stored.
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&t),
        &[
            file("ok.png", png(4, 4, 255)),
            file("bad.jpg", b"<html>".to_vec()),
        ],
    )
    .await;
    refused(&r, 422, "invalid", "err.file.type", "a mixed batch");
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&t),
        &[file("ok.png", png(4, 4, 255))],
    )
    .await;
    let next = r.json()["id"].as_i64().unwrap();
    let r = app
        .get(&format!("/api/v1/files/{}", next - 1), Some(&t))
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "the good file of the refused batch was not stored"
    );

    // Over max_bytes: 413.
    let big = vec![0xFFu8; 10 * 1024 * 1024 + 1];
    let r = upload(&app, "/api/v1/files", Some(&t), &[file("big.jpg", big)]).await;
    refused(&r, 413, "too_large", "err.file.too_large", "over max_bytes");
    alive(&mut app).await;

    // More than max_files.
    let many: Vec<Part> = (0..11).map(|_| file("p.png", png(2, 2, 255))).collect();
    let r = upload(&app, "/api/v1/files", Some(&t), &many).await;
    refused(
        &r,
        422,
        "invalid",
        "err.file.too_many",
        "more than max_files",
    );

    // No file at all; not multipart at all.
    let r = upload(&app, "/api/v1/files", Some(&t), &[text("note", "x")]).await;
    refused(&r, 422, "invalid", "err.file.missing", "no file");
    let r = app
        .json(
            Method::POST,
            "/api/v1/files",
            Some(&t),
            &serde_json::json!({"file": "x"}),
        )
        .await;
    refused(
        &r,
        422,
        "invalid",
        "err.file.bad_form",
        "JSON instead of multipart",
    );
    alive(&mut app).await;
}

#[tokio::test]
async fn a_tiny_file_that_would_decode_huge_is_refused_before_decoding() {
    let mut config = Config::default();
    config.files.max_pixels = 1_000_000;
    let mut app = TestApp::with_config(config).await;
    let t = app.login("s001.principal").await;
    let tiny = png(1500, 1000, 255);
    assert!(tiny.len() < 64 * 1024, "{} bytes", tiny.len());
    let r = upload(&app, "/api/v1/files", Some(&t), &[file("flat.png", tiny)]).await;
    refused(
        &r,
        422,
        "invalid",
        "err.file.too_many_pixels",
        "1.5 MP under a 1 MP limit",
    );
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&t),
        &[file("ok.png", png(1000, 1000, 255))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    alive(&mut app).await;
}

#[tokio::test]
async fn odd_names_are_cleaned_and_never_paths() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    let long = "很".repeat(1000) + ".jpg";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"../../etc/passwd.jpg".to_vec(), "passwd.jpg"),
        (b"..\\..\\windows\\system32\\a.jpg".to_vec(), "a.jpg"),
        (
            "invoice\u{202E}gpj.exe".as_bytes().to_vec(),
            "invoicegpj.jpg",
        ),
        (b"a\tb.jpg".to_vec(), "ab.jpg"),
        (b"".to_vec(), "file.jpg"),
        (b".hidden".to_vec(), "hidden.jpg"),
    ];
    for (raw, want) in cases {
        let r = upload(
            &app,
            "/api/v1/files",
            Some(&t),
            &[Part {
                name: "file",
                file: Some(raw.clone()),
                data: jpeg(8, 8),
            }],
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{:?}: {}",
            String::from_utf8_lossy(&raw),
            r.text()
        );
        let f = &r.json()["files"][0];
        assert_eq!(f["name"], want, "{:?}", String::from_utf8_lossy(&raw));
        let id = f["id"].as_i64().unwrap();
        let g = app.get(&format!("/api/v1/files/{id}"), Some(&t)).await;
        let cd = g.header("content-disposition");
        assert!(!cd.contains(".."), "{cd}");
        assert!(!cd.chars().any(|c| c.is_control()), "{cd}");
    }
    let r = upload(&app, "/api/v1/files", Some(&t), &[file(&long, jpeg(8, 8))]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let name = r.json()["files"][0]["name"].as_str().unwrap().to_string();
    assert_eq!(name.chars().count(), 120);
    assert!(name.ends_with(".jpg"));
    // Names that break the part's header (NUL, newline) are a clear error, not a crash.
    for raw in [
        &b"a\0b.jpg"[..],
        b"a\x01b\x7f.jpg",
        b"a\r\nContent-Type: text/html\r\n\r\nb.jpg",
    ] {
        let r = upload(
            &app,
            "/api/v1/files",
            Some(&t),
            &[Part {
                name: "file",
                file: Some(raw.to_vec()),
                data: jpeg(8, 8),
            }],
        )
        .await;
        if r.status == StatusCode::OK {
            let n = r.json()["files"][0]["name"].as_str().unwrap().to_string();
            assert!(!n.chars().any(|c| c.is_control()), "{n:?}");
        } else {
            expect(&r, 422, "invalid");
        }
    }
    alive(&mut app).await;
}

#[tokio::test]
async fn files_are_read_through_the_scope_of_their_school() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let n001 = app.org_id("N001").await;
    let p1 = app.login("s001.principal").await;
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&p1),
        &[file("a.jpg", jpeg(16, 16))],
    )
    .await;
    let id = r.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/files/{id}");
    let thumb = format!("{path}/thumb");
    for user in ["s002.principal", "nanguan.officer", "n001.safety"] {
        let t = app.login(user).await;
        expect(&app.get(&path, Some(&t)).await, 404, "not_found");
        expect(&app.get(&thumb, Some(&t)).await, 404, "not_found");
    }
    for user in [
        "bureau.officer",
        "bureau.leader",
        "city.officer",
        "s001.guard",
    ] {
        let t = app.login(user).await;
        assert_eq!(
            app.get(&path, Some(&t)).await.status,
            StatusCode::OK,
            "{user}"
        );
        assert_eq!(
            app.get(&thumb, Some(&t)).await.status,
            StatusCode::OK,
            "{user}"
        );
    }
    expect(&app.get(&path, None).await, 401, "unauthorized");
    let admin = app.login("sysadmin").await;
    expect(&app.get(&path, Some(&admin)).await, 403, "forbidden");
    expect(
        &app.get("/api/v1/files/987654", Some(&p1)).await,
        404,
        "not_found",
    );

    // Uploads: anonymous 401, system admins 403.
    let one = || [file("a.jpg", jpeg(8, 8))];
    expect(
        &upload(&app, "/api/v1/files", None, &one()).await,
        401,
        "unauthorized",
    );
    expect(
        &upload(&app, "/api/v1/files", Some(&admin), &one()).await,
        403,
        "forbidden",
    );

    // A bureau user must name a school in scope.
    let b = app.login("bureau.officer").await;
    let r = upload(&app, "/api/v1/files", Some(&b), &one()).await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), vec!["school_id"]);
    assert!(
        msg(&j).contains(&tr(Lang::Zh, "err.file.school_required")),
        "{j}"
    );
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&b),
        &[
            text("school_id", &s002.to_string()),
            file("a.jpg", jpeg(8, 8)),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["files"][0]["school_id"], s002);
    let r = upload(
        &app,
        &format!("/api/v1/files?school_id={s001}"),
        Some(&b),
        &one(),
    )
    .await;
    assert_eq!(r.json()["files"][0]["school_id"], s001);
    let r = upload(
        &app,
        &format!("/api/v1/files?school_id={n001}"),
        Some(&b),
        &one(),
    )
    .await;
    expect(&r, 404, "not_found");
    let district = app.org_id("ED").await;
    let r = upload(
        &app,
        &format!("/api/v1/files?school_id={district}"),
        Some(&b),
        &one(),
    )
    .await;
    expect(&r, 404, "not_found");
    // A school user cannot upload for another school.
    let r = upload(
        &app,
        &format!("/api/v1/files?school_id={s002}"),
        Some(&p1),
        &one(),
    )
    .await;
    expect(&r, 404, "not_found");
    let r = upload(
        &app,
        &format!("/api/v1/files?school_id={s001}"),
        Some(&p1),
        &one(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

/// Signs in through the login form; returns the session cookie and the page's CSRF token.
async fn sign_in(app: &TestApp, user: &str) -> (String, String) {
    let form = [("username", user), ("password", common::PASSWORD)];
    let r = app.form("/login", None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = r
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let h = [("cookie", cookie.as_str())];
    // `/` is the role's home page (system roles are sent on to theirs).
    let mut page = app.request(Method::GET, "/", None, None, vec![], &h).await;
    if page.status.is_redirection() {
        let landing = page.header("location");
        page = app
            .request(Method::GET, &landing, None, None, vec![], &h)
            .await;
    }
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).expect("the token") + marker.len();
    let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
    (cookie, csrf)
}

#[tokio::test]
async fn browser_uploads_carry_the_token_as_their_first_field() {
    let app = TestApp::new().await;
    let (cookie, csrf) = sign_in(&app, "s001.safety").await;
    let h = [("cookie", cookie.as_str())];
    let send = |path: String, parts: Vec<Part>| {
        let (ct, body) = multipart(&parts);
        let app = &app;
        let h = &h;
        async move {
            app.request(Method::POST, &path, None, Some(&ct), body, h)
                .await
        }
    };
    let r = send("/api/v1/files".into(), vec![file("a.jpg", jpeg(8, 8))]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "without the token");
    let r = send(
        "/api/v1/files".into(),
        vec![file("a.jpg", jpeg(8, 8)), text("_csrf", &csrf)],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a token behind a file is not looked for"
    );
    let r = send(
        "/api/v1/files".into(),
        vec![text("_csrf", "forged"), file("a.jpg", jpeg(8, 8))],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a forged first field");
    let r = send(
        "/api/v1/files?_csrf=forged".into(),
        vec![file("a.jpg", jpeg(8, 8))],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a forged token in the query"
    );
    let r = send(
        "/api/v1/files".into(),
        vec![text("_csrf", &csrf), file("a.jpg", jpeg(8, 8))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v: Value = r.json();
    assert!(v["id"].as_i64().is_some());
    // Scripts that upload with a cookie may still give it in the query.
    let r = send(
        format!("/api/v1/files?_csrf={csrf}"),
        vec![file("b.jpg", jpeg(8, 8))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// A page route using `read_form`, as other features register theirs (here acting as
/// `HazardAct`, which the bureau leader may not do).
async fn form_handler(
    ctx: safecampus::web::ctx::Ctx,
    axum::extract::Path(id): axum::extract::Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<axum::Json<Value>, safecampus::Error> {
    let school = safecampus::domain::ids::OrgId(id);
    let f = safecampus::web::upload::read_form(&ctx, school, mp).await?;
    Ok(axum::Json(serde_json::json!({
        "note": f.get("note"),
        "fields": f.fields,
        "photos": f.photos("photos"),
        "all": f.photos,
    })))
}

async fn send_form(
    router: &axum::Router,
    path: &str,
    token: Option<&str>,
    cookie: Option<&str>,
    parts: &[Part],
) -> (StatusCode, Value) {
    use tower::ServiceExt;
    let (ct, body) = multipart(parts);
    let mut b = axum::http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("content-type", ct);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    let res = router
        .clone()
        .oneshot(b.body(axum::body::Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn page_forms_store_their_photos_through_read_form() {
    use axum::routing::post;
    use safecampus::policy::Action;
    use safecampus::web::ctx::{RouteAction, gate};
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    use std::convert::Infallible;
    let route = post(form_handler)
        .layer::<_, Infallible>(axum::middleware::from_fn_with_state(
            app.state.clone(),
            gate,
        ))
        .layer::<_, Infallible>(axum::Extension(RouteAction(
            Action::HazardAct,
            "/t/{id}",
            &[Action::FileUpload],
        )));
    let router: axum::Router = axum::Router::new()
        .route("/t/{id}", route)
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(app.state.clone());
    let path = format!("/t/{s001}");
    let empty_input = Part {
        name: "photos",
        file: Some(vec![]),
        data: vec![],
    };
    let photo = |d: Vec<u8>| Part {
        name: "photos",
        file: Some(b"IMG_0001.JPG".to_vec()),
        data: d,
    };
    let good = || {
        vec![
            text("note", "已整改"),
            photo(jpeg_with_gps(32, 24)),
            photo(png(8, 8, 255)),
            Part {
                name: "after",
                file: Some(b"a.png".to_vec()),
                data: png(4, 4, 255),
            },
            Part {
                name: "photos",
                file: Some(vec![]),
                data: vec![],
            },
        ]
    };
    let t = app.login("s001.safety").await;
    let (s, j) = send_form(&router, &path, Some(&t), None, &good()).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["note"], "已整改");
    assert_eq!(j["fields"].as_array().unwrap().len(), 1, "{j}");
    let ids: Vec<i64> = j["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "the empty file input is skipped: {j}");
    assert_eq!(j["all"]["after"].as_array().unwrap().len(), 1);
    let r = app
        .get(&format!("/api/v1/files/{}", ids[0]), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!contains(&r.body, b"Exif"));

    // Out of scope 404, role not allowed 403, a hostile photo 422: nothing stored.
    let last = ids[1] + 1;
    let t2 = app.login("s002.principal").await;
    let (s, _) = send_form(&router, &path, Some(&t2), None, &good()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let leader = app.login("bureau.leader").await;
    let (s, _) = send_form(&router, &path, Some(&leader), None, &good()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send_form(
        &router,
        &path,
        Some(&t),
        None,
        &[
            photo(png(4, 4, 255)),
            photo(b"<svg onload=alert(1)>".to_vec()),
            empty_input,
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(
        &app,
        "/api/v1/files",
        Some(&t),
        &[file("x.png", png(2, 2, 255))],
    )
    .await;
    assert_eq!(
        r.json()["id"].as_i64().unwrap(),
        last + 1,
        "nothing stored by refused forms"
    );

    // With the session cookie, the token travels in the action URL.
    let (cookie, csrf) = sign_in(&app, "s001.safety").await;
    let (s, _) = send_form(&router, &path, None, Some(&cookie), &good()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let with = format!("{path}?_csrf={csrf}");
    let (s, j) = send_form(&router, &with, None, Some(&cookie), &good()).await;
    assert_eq!(s, StatusCode::OK, "{j}");
}
