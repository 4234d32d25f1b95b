//! Uploaded photos and documents, processed before anything is stored. Pure (no I/O).
//!
//! - The type is identified by the content, never by the name: JPEG, PNG, WebP and GIF images
//!   and PDF documents are accepted; everything else (HTML, SVG, scripts, executables, archives,
//!   empty files) is refused with a catalogue-keyed error ([`MediaError::key`]).
//! - Images: the dimensions are read from the header and more than `max_pixels` is refused
//!   before anything is decoded (decompression bombs); decoding runs under [`image::Limits`];
//!   the EXIF orientation is applied; the picture is scaled down to `max_side` and re-encoded
//!   without any metadata (JPEG, quality 85; PNG when it has transparency), so location and
//!   camera data are gone; a JPEG thumbnail of at most `thumb_side` is made.
//! - PDFs: the `%PDF-` signature is checked and the bytes are kept as they are (they are only
//!   ever served as a download).
//! - [`display_name`] turns the uploaded name into a harmless label (never used as a path).

use crate::config::FileLimits;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// JPEG quality of stored photos and thumbnails.
pub const JPEG_QUALITY: u8 = 85;
/// Longest display name kept, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Widest or tallest image the decoder is allowed to open, whatever `max_pixels` says.
pub const MAX_DECODE_SIDE: u32 = 30_000;

/// What a stored file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Document,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Document => "document",
        }
    }
}

/// Why a file was refused. [`MediaError::key`] is the catalogue key of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// Zero bytes.
    Empty,
    /// Not one of the accepted types (by content).
    Type,
    /// More bytes than `max_bytes`.
    TooLarge,
    /// More pixels than `max_pixels` (or a side beyond [`MAX_DECODE_SIDE`]).
    TooManyPixels,
    /// The content claims an accepted type but cannot be read.
    Corrupt,
}

impl MediaError {
    pub fn key(&self) -> &'static str {
        match self {
            MediaError::Empty => "err.file.empty",
            MediaError::Type => "err.file.type",
            MediaError::TooLarge => "err.file.too_large",
            MediaError::TooManyPixels => "err.file.too_many_pixels",
            MediaError::Corrupt => "err.file.corrupt",
        }
    }
}

impl std::fmt::Display for MediaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl std::error::Error for MediaError {}

/// A file ready to be stored.
#[derive(Debug, Clone)]
pub struct Processed {
    pub kind: Kind,
    pub mime: &'static str,
    /// The extension matching the stored bytes (`jpg`, `png`, `pdf`).
    pub ext: &'static str,
    /// The bytes served as the file (re-encoded for images, as uploaded for PDFs).
    pub main: Vec<u8>,
    /// A small JPEG (images only).
    pub thumb: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Hex SHA-256 of `main`.
    pub sha256: String,
}

/// The accepted types, identified by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    Image(ImageFormat),
    Pdf,
}

/// Identifies the type by content only. Anything not accepted is [`MediaError::Type`].
pub fn detect(bytes: &[u8]) -> Result<Detected, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(Detected::Pdf);
    }
    let by_infer = infer::get(bytes).map(|t| t.mime_type());
    let format = match by_infer {
        Some("image/jpeg") => ImageFormat::Jpeg,
        Some("image/png") => ImageFormat::Png,
        Some("image/webp") => ImageFormat::WebP,
        Some("image/gif") => ImageFormat::Gif,
        _ => return Err(MediaError::Type),
    };
    // Both detectors must agree.
    match image::guess_format(bytes) {
        Ok(f) if f == format => Ok(Detected::Image(format)),
        _ => Err(MediaError::Type),
    }
}

/// Checks and processes one uploaded file under the configured limits.
pub fn process(bytes: &[u8], limits: &FileLimits) -> Result<Processed, MediaError> {
    if bytes.len() as u64 > limits.max_bytes as u64 {
        return Err(MediaError::TooLarge);
    }
    match detect(bytes)? {
        Detected::Pdf => Ok(Processed {
            kind: Kind::Document,
            mime: "application/pdf",
            ext: "pdf",
            main: bytes.to_vec(),
            thumb: None,
            width: None,
            height: None,
            sha256: sha256_hex(bytes),
        }),
        Detected::Image(format) => process_image(bytes, format, limits),
    }
}

fn decode_error(e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(_) => MediaError::TooManyPixels,
        _ => MediaError::Corrupt,
    }
}

/// Whether a JPEG ends its last scan with an end-of-image marker. The decoder fills a
/// truncated picture with grey rather than failing; a JPEG cut short has no EOI after its last
/// start-of-scan (entropy-coded data never contains `FF D9`).
fn jpeg_complete(bytes: &[u8]) -> bool {
    let last = |m: [u8; 2]| bytes.windows(2).rposition(|w| w == m);
    match (last([0xFF, 0xDA]), last([0xFF, 0xD9])) {
        (Some(sos), Some(eoi)) => eoi > sos,
        _ => false,
    }
}

fn process_image(
    bytes: &[u8],
    format: ImageFormat,
    limits: &FileLimits,
) -> Result<Processed, MediaError> {
    if format == ImageFormat::Jpeg && !jpeg_complete(bytes) {
        return Err(MediaError::Corrupt);
    }
    let max_pixels = limits.max_pixels.max(1);
    let mut lim = image::Limits::default();
    lim.max_image_width = Some(MAX_DECODE_SIDE);
    lim.max_image_height = Some(MAX_DECODE_SIDE);
    // The decoded picture (at most 4 bytes a pixel, 8 for 16-bit PNG) plus working room.
    lim.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(64 << 20));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(lim);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(MediaError::Corrupt);
    }
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(MediaError::TooManyPixels);
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    img.apply_orientation(orientation);
    let side = limits.max_side.max(1);
    if img.width() > side || img.height() > side {
        img = img.resize(side, side, FilterType::Triangle);
    }
    let transparent = has_transparency(&img);
    let (main, mime, ext) = if transparent {
        (encode_png(&img)?, "image/png", "png")
    } else {
        (encode_jpeg(&img)?, "image/jpeg", "jpg")
    };
    let thumb_side = limits.thumb_side.max(1);
    let small = if img.width() > thumb_side || img.height() > thumb_side {
        img.thumbnail(thumb_side, thumb_side)
    } else {
        img.clone()
    };
    let thumb = encode_jpeg(&small)?;
    Ok(Processed {
        kind: Kind::Image,
        mime,
        ext,
        sha256: sha256_hex(&main),
        width: Some(img.width()),
        height: Some(img.height()),
        main,
        thumb: Some(thumb),
    })
}

/// Whether any pixel is not fully opaque.
fn has_transparency(img: &DynamicImage) -> bool {
    if !img.color().has_alpha() {
        return false;
    }
    img.to_rgba8().pixels().any(|p| p.0[3] < 255)
}

/// The picture as opaque RGB, transparent parts laid on white.
fn flatten(img: &DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u32::from(p[3]);
        let mix = |c: u8| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let rgb = flatten(img);
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| MediaError::Corrupt)?;
    Ok(out)
}

fn encode_png(img: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let rgba = img.to_rgba8();
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            rgba.as_raw(),
            rgba.width(),
            rgba.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|_| MediaError::Corrupt)?;
    Ok(out)
}

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Characters removed from names: controls, bidirectional overrides and isolates, zero-width
/// characters, and characters that are awkward in a download name.
fn unwanted(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
            | '\u{061C}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
            | '"' | '*' | '<' | '>' | '?' | '|' | ':')
}

/// A harmless display name for an upload: directories stripped, control and bidi characters
/// removed, at most [`MAX_NAME_CHARS`] characters, and the extension set to the stored type's
/// (`ext`). Never used as a path. An empty result becomes `file.<ext>`.
pub fn display_name(raw: &str, ext: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !unwanted(*c)).collect();
    // Dots and blanks in any order at the start (`. .x` would still be hidden), blanks at the end.
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    let stem = match cleaned.rfind('.') {
        Some(i) if i > 0 => &cleaned[..i],
        _ => cleaned,
    };
    let stem = stem.trim().trim_end_matches('.');
    let room = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim();
    if stem.is_empty() {
        format!("file.{ext}")
    } else {
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> FileLimits {
        FileLimits::default()
    }

    fn png(w: u32, h: u32, alpha: u8) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 30, 30, alpha]));
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x % 255) as u8, 80, 160]));
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    /// A JPEG with an APP1 Exif segment (orientation 6 = rotate 90° clockwise) after SOI.
    fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let plain = jpeg(w, h);
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[0, 1]); // one entry
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let len = (payload.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn accepts_the_image_types_and_pdf() {
        assert_eq!(
            detect(&png(2, 2, 255)),
            Ok(Detected::Image(ImageFormat::Png))
        );
        assert_eq!(detect(&jpeg(2, 2)), Ok(Detected::Image(ImageFormat::Jpeg)));
        assert_eq!(detect(b"%PDF-1.7\n%%EOF\n"), Ok(Detected::Pdf));
        let p = process(b"%PDF-1.4\n1 0 obj\n%%EOF\n", &limits()).unwrap();
        assert_eq!(p.kind, Kind::Document);
        assert_eq!(p.mime, "application/pdf");
        assert!(p.thumb.is_none());
    }

    #[test]
    fn accepts_webp_and_gif_and_stores_them_as_jpeg() {
        let img = image::RgbaImage::from_pixel(6, 4, image::Rgba([1, 2, 3, 255]));
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(img.as_raw(), 6, 4, image::ExtendedColorType::Rgba8)
            .unwrap();
        let mut gif = Vec::new();
        image::codecs::gif::GifEncoder::new(&mut gif)
            .encode(img.as_raw(), 6, 4, image::ExtendedColorType::Rgba8)
            .unwrap();
        for (bytes, f) in [(webp, ImageFormat::WebP), (gif, ImageFormat::Gif)] {
            assert_eq!(detect(&bytes), Ok(Detected::Image(f)));
            let p = process(&bytes, &limits()).unwrap();
            assert_eq!(
                (p.mime, p.width, p.height),
                ("image/jpeg", Some(6), Some(4))
            );
        }
    }

    #[test]
    fn refuses_other_content_whatever_the_name() {
        for bad in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0",
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
            b"PK\x03\x04\x14\0\0\0\0\0",
            b"#!/bin/sh\nrm -rf /\n",
            b"GIF",
        ] {
            assert_eq!(process(bad, &limits()).unwrap_err(), MediaError::Type);
        }
        assert_eq!(process(b"", &limits()).unwrap_err(), MediaError::Empty);
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

    /// A valid 1×1 PNG whose header claims `w` × `h` (with a correct checksum).
    fn png_claiming(w: u32, h: u32) -> Vec<u8> {
        let mut bomb = png(1, 1, 255);
        bomb[16..20].copy_from_slice(&w.to_be_bytes());
        bomb[20..24].copy_from_slice(&h.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        bomb
    }

    #[test]
    fn refuses_bombs_before_decoding() {
        for (w, h) in [(60000, 60000), (20000, 20000), (1, 29999 * 2)] {
            assert_eq!(
                process(&png_claiming(w, h), &limits()).unwrap_err(),
                MediaError::TooManyPixels,
                "{w}×{h}"
            );
        }
        // A small, real file that would decode to more pixels than allowed.
        let big = png(300, 300, 255);
        let tight = FileLimits {
            max_pixels: 10_000,
            ..limits()
        };
        assert_eq!(
            process(&big, &tight).unwrap_err(),
            MediaError::TooManyPixels
        );
    }

    #[test]
    fn refuses_corrupt_and_oversized() {
        let j = jpeg(64, 64);
        assert_eq!(
            process(&j[..j.len() / 3], &limits()).unwrap_err(),
            MediaError::Corrupt
        );
        let small = FileLimits {
            max_bytes: 10,
            ..limits()
        };
        assert_eq!(process(&j, &small).unwrap_err(), MediaError::TooLarge);
    }

    #[test]
    fn strips_metadata_applies_orientation_and_scales() {
        let src = jpeg_with_exif(40, 20);
        assert!(src.windows(4).any(|w| w == b"Exif"));
        let p = process(&src, &limits()).unwrap();
        assert_eq!(p.mime, "image/jpeg");
        assert!(!p.main.windows(4).any(|w| w == b"Exif"));
        assert!(!p.main.windows(2).any(|w| w == [0xFF, 0xE1]));
        // Rotated by the orientation tag: 40 × 20 becomes 20 × 40.
        assert_eq!((p.width, p.height), (Some(20), Some(40)));
        let big = jpeg(900, 300);
        let l = FileLimits {
            max_side: 300,
            thumb_side: 60,
            ..limits()
        };
        let p = process(&big, &l).unwrap();
        assert_eq!((p.width, p.height), (Some(300), Some(100)));
        let t = image::load_from_memory(p.thumb.as_ref().unwrap()).unwrap();
        assert_eq!((t.width(), t.height()), (60, 20));
        assert_eq!(p.sha256, sha256_hex(&p.main));
    }

    #[test]
    fn keeps_transparency_as_png() {
        let p = process(&png(8, 8, 100), &limits()).unwrap();
        assert_eq!((p.mime, p.ext), ("image/png", "png"));
        let p = process(&png(8, 8, 255), &limits()).unwrap();
        assert_eq!((p.mime, p.ext), ("image/jpeg", "jpg"));
    }

    #[test]
    fn display_names_are_harmless() {
        assert_eq!(display_name("../../etc/passwd.jpg", "jpg"), "passwd.jpg");
        assert_eq!(display_name("C:\\Users\\a\\照片.PNG", "jpg"), "照片.jpg");
        assert_eq!(display_name("a\0b\nc.jpg", "jpg"), "abc.jpg");
        assert_eq!(
            display_name("invoice\u{202E}gpj.exe", "pdf"),
            "invoicegpj.pdf"
        );
        assert_eq!(display_name("", "pdf"), "file.pdf");
        assert_eq!(display_name("...", "jpg"), "file.jpg");
        assert_eq!(display_name(".htaccess", "jpg"), "htaccess.jpg");
        // The `upload_name` fuzz check (never hidden) caught a dot left behind a blank.
        assert_eq!(display_name(". .x", "jpg"), "x.jpg");
        assert_eq!(display_name("\u{3000}. . .env", "pdf"), "env.pdf");
        let long = "长".repeat(1000) + ".jpg";
        let n = display_name(&long, "jpg");
        assert_eq!(n.chars().count(), MAX_NAME_CHARS);
        assert!(n.ends_with(".jpg"));
    }
}
