//! Import: the zip package checks (bombs, entry counts, sizes) before calamine opens anything,
//! the first worksheet read as rows of trimmed strings.

use std::io::{Cursor, Read, Seek};

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx};
use zip::ZipArchive;

use super::{Limits, XlsxError};

/// The part every `.xlsx` package has (compared case-insensitively, like calamine does).
const WORKBOOK_PART: &str = "xl/workbook.xml";

fn read_error(error: calamine::XlsxError) -> XlsxError {
    XlsxError::Read(error.to_string())
}

/// Reads the first worksheet as rows of trimmed strings.
///
/// Rendering: numbers without a trailing `.0` when integral (and rounded to Excel's 15
/// significant digits, so `0.1 + 0.2` reads `0.3`), booleans as `true`/`false`, dates as
/// `YYYY-MM-DD` (`YYYY-MM-DD HH:MM:SS` when the time of day is not midnight, `HH:MM:SS` for a
/// bare time), error values as Excel shows them (`#N/A`), empty cells as `""`. Trimming also
/// removes the ideographic space, no-break space, zero-width space and byte-order mark.
///
/// Positions are absolute: `result[i][j]` is Excel row `i + 1`, column `j + 1`, so callers can
/// report errors with the row numbers the user sees. Every row has the same length (up to the
/// last column holding data) and trailing fully-empty rows are dropped.
///
/// "First worksheet" is the first visible worksheet in workbook order (chart sheets and hidden
/// sheets are skipped), or the first worksheet when all are hidden.
///
/// Before calamine sees the bytes, the zip central directory is checked against `limits` (see the
/// module documentation). Errors: over `max_bytes` → [`XlsxError::TooLarge`]; not a zip →
/// [`XlsxError::NotXlsx`]; too many entries, too much declared uncompressed data or an implausible
/// compression ratio → [`XlsxError::Bomb`]; no `xl/workbook.xml` → [`XlsxError::NotXlsx`]; a sheet
/// extending past `max_rows`/`max_cols` (declared dimension or actual cells) →
/// [`XlsxError::TooLarge`]; no worksheet or no data → [`XlsxError::Empty`]; anything calamine
/// cannot parse → [`XlsxError::Read`].
pub fn read_first_sheet(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>, XlsxError> {
    if bytes.len() > limits.max_bytes {
        return Err(XlsxError::TooLarge(format!(
            "size: {} > {}",
            human_size(bytes.len() as u64),
            human_size(limits.max_bytes as u64)
        )));
    }
    check_package(bytes, limits)?;

    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(read_error)?;
    let sheet_name = first_worksheet(&workbook).ok_or(XlsxError::Empty)?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet_name)
        .map_err(read_error)?;

    // The declared dimension first: refuse before reading a single cell.
    let declared = cells.dimensions();
    check_extent(
        u64::from(declared.end.0) + 1,
        u64::from(declared.end.1) + 1,
        limits,
    )?;

    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut width = 0;
    while let Some(cell) = cells.next_cell().map_err(read_error)? {
        let text = render(cell.get_value());
        if text.is_empty() {
            // Blank (e.g. only formatted) cells neither count against the limits nor widen rows.
            continue;
        }
        let (row, column) = cell.get_position();
        // The dimension may lie or be missing: check every cell that would be stored.
        check_extent(u64::from(row) + 1, u64::from(column) + 1, limits)?;
        let (row, column) = (row as usize, column as usize);
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells_of_row = &mut rows[row];
        if cells_of_row.len() <= column {
            cells_of_row.resize(column + 1, String::new());
        }
        cells_of_row[column] = text;
        width = width.max(column + 1);
    }

    while rows
        .last()
        .is_some_and(|row| row.iter().all(String::is_empty))
    {
        rows.pop();
    }
    if rows.is_empty() {
        return Err(XlsxError::Empty);
    }
    for row in &mut rows {
        row.resize(width, String::new());
    }
    Ok(rows)
}

/// Inspects the zip central directory without inflating anything.
fn check_package(bytes: &[u8], limits: &Limits) -> Result<(), XlsxError> {
    let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| XlsxError::NotXlsx)?;
    check_entries(&archive, limits)?;
    let has_workbook = archive
        .file_names()
        .filter_map(Result::ok)
        .any(|name| name.replace('\\', "/").eq_ignore_ascii_case(WORKBOOK_PART));
    if has_workbook {
        Ok(())
    } else {
        Err(XlsxError::NotXlsx)
    }
}

fn check_entries<R: Read + Seek>(
    archive: &ZipArchive<R>,
    limits: &Limits,
) -> Result<(), XlsxError> {
    if archive.len() > limits.max_entries {
        return Err(XlsxError::Bomb(format!(
            "entries: {} > {}",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut total: u64 = 0;
    let mut ratio_violation: Option<String> = None;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|_| XlsxError::NotXlsx)?;
        let (size, compressed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if ratio_violation.is_none() && size > compressed.saturating_mul(limits.max_ratio) {
            let ratio = size
                .checked_div(compressed)
                .map_or_else(|| "∞".to_owned(), |r| r.to_string());
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
            ratio_violation = Some(format!("ratio: {ratio} > {} ({name})", limits.max_ratio));
        }
    }
    if total > limits.max_uncompressed {
        return Err(XlsxError::Bomb(format!(
            "uncompressed: {} > {}",
            human_size(total),
            human_size(limits.max_uncompressed)
        )));
    }
    if let Some(detail) = ratio_violation {
        return Err(XlsxError::Bomb(detail));
    }
    Ok(())
}

/// Rows and columns (1-based extents) against the limits.
fn check_extent(rows: u64, columns: u64, limits: &Limits) -> Result<(), XlsxError> {
    if rows > limits.max_rows as u64 {
        return Err(XlsxError::TooLarge(format!(
            "rows: {rows} > {}",
            limits.max_rows
        )));
    }
    if columns > limits.max_cols as u64 {
        return Err(XlsxError::TooLarge(format!(
            "columns: {columns} > {}",
            limits.max_cols
        )));
    }
    Ok(())
}

fn first_worksheet<R: Read + Seek>(workbook: &Xlsx<R>) -> Option<String> {
    let sheets = workbook.sheets_metadata();
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
}

/// The trimmed text of one imported cell.
pub(super) fn render(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(value) => value.to_string(),
        DataRef::Float(value) => render_float(*value),
        DataRef::String(text) => clean(text).to_owned(),
        DataRef::SharedString(text) => clean(text).to_owned(),
        DataRef::Bool(value) => value.to_string(),
        DataRef::DateTime(value) => render_datetime(value),
        DataRef::DateTimeIso(text) => {
            let text = clean(text);
            text.strip_suffix("T00:00:00").unwrap_or(text).to_owned()
        }
        DataRef::DurationIso(text) => clean(text).to_owned(),
        DataRef::Error(error) => error.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Trims whitespace (including U+3000 and U+00A0), zero-width spaces and byte-order marks.
pub(super) fn clean(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
}

/// A number as Excel's "General" format would show it: at most 15 significant digits, no
/// trailing `.0`, no exponent, no `-0`.
pub(super) fn render_float(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    if rounded == 0.0 {
        "0".to_owned()
    } else {
        rounded.to_string()
    }
}

pub(super) fn render_datetime(value: &ExcelDateTime) -> String {
    if value.is_duration() {
        let seconds = (value.as_f64() * 86_400.0).round() as i64;
        let sign = if seconds < 0 { "-" } else { "" };
        let seconds = seconds.unsigned_abs();
        return format!(
            "{sign}{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
    }
    let (year, month, day, hour, minute, second, _millis) = value.to_ymd_hms_milli();
    if (0.0..1.0).contains(&value.as_f64()) {
        format!("{hour:02}:{minute:02}:{second:02}")
    } else if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
    }
}

fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{bytes} B")
    }
}

/// Excel's letters for a 1-based column number: 1 → `A`, 27 → `AA`.
pub(super) fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        column = (column - 1) / 26;
    }
    letters.iter().rev().collect()
}
