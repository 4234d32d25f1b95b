//! QR codes as SVG.

use super::text::escape;
use qrcode::{Color as QrColor, EcLevel, QrCode};
use std::fmt::Write;

/// A QR code as SVG for a URL (error correction M, quiet zone, a given pixel size); errors as
/// a String message.
///
/// One module is one viewBox unit; the 4-module quiet zone is part of the drawing, so the
/// printed code scans on any background. Dark modules are one path of horizontal runs.
pub fn qr_svg(data: &str, size_px: u32) -> Result<String, String> {
    const QUIET: usize = 4;
    if size_px == 0 {
        return Err("QR code size must be at least 1 px".to_string());
    }
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| format!("QR code: {e}"))?;
    let w = code.width();
    let colors = code.to_colors();
    let total = w + 2 * QUIET;
    let mut d = String::with_capacity(w * w);
    for y in 0..w {
        let mut x = 0;
        while x < w {
            if colors[y * w + x] == QrColor::Dark {
                let start = x;
                while x < w && colors[y * w + x] == QrColor::Dark {
                    x += 1;
                }
                let _ = write!(
                    d,
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {t} {t}" width="{px}" height="{px}" "#,
            r#"shape-rendering="crispEdges" role="img" aria-label="{label}">"#,
            r##"<rect width="{t}" height="{t}" fill="#FFFFFF"/><path fill="#000000" d="{d}"/></svg>"##
        ),
        t = total,
        px = size_px,
        label = escape(&format!("QR: {data}")),
        d = d
    ))
}
