//! Excel (`.xlsx`) import and export: schools, people and, later, risk catalogues.
//!
//! Chinese is the primary language of the platform, so headers are Chinese and column widths are
//! measured CJK-aware (`display_width`): a CJK character is about twice as wide as an ASCII one,
//! which `rust_xlsxwriter`'s `autofit()` gets wrong.
//!
//! # Export
//! [`write_sheet`] writes one worksheet: a bold, frozen header row with an autofilter, then the
//! rows. Text is always written as a string cell, never as a formula, so a value such as
//! `=HYPERLINK(…)` coming from user data stays inert text in the exported file.
//!
//! # Import, and what it guards against
//! [`read_first_sheet`] accepts bytes uploaded by anyone, so it assumes they are hostile:
//! - **Not a workbook** (random bytes, an empty body, a zip of something else, an encrypted or
//!   legacy `.xls` file): rejected with [`XlsxError::NotXlsx`] before any parsing.
//! - **Zip bombs**: the central directory is inspected with the `zip` crate *before* calamine sees
//!   the bytes. Too many entries, a declared total uncompressed size above the limit, or an entry
//!   whose uncompressed/compressed ratio is implausible → [`XlsxError::Bomb`]. Declared sizes can
//!   be trusted afterwards because the `zip` reader refuses to inflate an entry past its declared
//!   uncompressed size, so the pre-check bounds the memory calamine can use.
//! - **Huge sheets**: the sheet's declared dimension is checked before any cell is read, and every
//!   non-blank cell's position is checked again while streaming (a dimension can lie or be
//!   absent), so at most `max_rows × max_cols` cells are ever materialised →
//!   [`XlsxError::TooLarge`].
//! - **Panics**: none of the above panics on malformed input; every failure is an [`XlsxError`].
//!
//! [`map_headers`] then maps a header row to the expected fields by their Chinese or English
//! labels, so an import does not depend on column order.

use std::io::{Cursor, Read, Seek};

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use zip::ZipArchive;

/// Narrowest column written by [`write_sheet`], in Excel width units (≈ ASCII characters).
const MIN_COLUMN_WIDTH: usize = 6;
/// Widest column written by [`write_sheet`]; longer text is cut off visually, not in the data.
const MAX_COLUMN_WIDTH: usize = 60;
/// Extra width for a header cell: room for the autofilter drop-down button.
const HEADER_PADDING: usize = 2;
/// Excel's limit on worksheet name length, in characters.
const MAX_SHEET_NAME_CHARS: usize = 31;
/// The part every `.xlsx` package has (compared case-insensitively, like calamine does).
const WORKBOOK_PART: &str = "xl/workbook.xml";

/// One cell of an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Written as a string cell (never interpreted as a formula).
    Text(String),
    /// Written as a number. Excel stores numbers as `f64`, so integers beyond ±2^53 lose
    /// precision: export identifiers such as ID-card numbers as [`Cell::Text`].
    Int(i64),
    /// Written as a number; NaN and infinities are written as text by `rust_xlsxwriter`.
    Float(f64),
    /// Written as an Excel boolean (`TRUE`/`FALSE`).
    Bool(bool),
    /// Nothing is written.
    Empty,
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(value.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Int(value)
    }
}

impl From<i32> for Cell {
    fn from(value: i32) -> Self {
        Cell::Int(i64::from(value))
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        Cell::Float(value)
    }
}

impl From<bool> for Cell {
    fn from(value: bool) -> Self {
        Cell::Bool(value)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// Limits on what an uploaded workbook may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted upload, in bytes.
    pub max_bytes: usize,
    /// Largest declared total uncompressed size of all zip entries, in bytes.
    pub max_uncompressed: u64,
    /// Largest uncompressed/compressed ratio of any single zip entry.
    pub max_ratio: u64,
    /// Most zip entries (files and directories) in the package.
    pub max_entries: usize,
    /// Most worksheet rows, counted from row 1 and including the header row.
    pub max_rows: usize,
    /// Most worksheet columns, counted from column A.
    pub max_cols: usize,
}

impl Default for Limits {
    /// 10 MiB upload, 100 MiB total uncompressed, ratio 200, 2000 zip entries, 10 000 rows,
    /// 60 columns.
    fn default() -> Self {
        Limits {
            max_bytes: 10 * 1024 * 1024,
            max_uncompressed: 100 * 1024 * 1024,
            max_ratio: 200,
            max_entries: 2000,
            max_rows: 10_000,
            max_cols: 60,
        }
    }
}

/// Everything that can go wrong importing or exporting a workbook.
///
/// [`XlsxError::key`] gives the translation key of the user-facing message and
/// [`XlsxError::detail`] its variable part.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    /// The bytes are not an `.xlsx` workbook.
    #[error("not an .xlsx workbook")]
    NotXlsx,
    /// The zip package looks like a decompression bomb.
    #[error("rejected as a possible zip bomb: {0}")]
    Bomb(String),
    /// The upload or its first worksheet exceeds the [`Limits`].
    #[error("workbook too large: {0}")]
    TooLarge(String),
    /// Required fields (their field names) have no column.
    #[error("missing required columns: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    /// A header cell (its text, its 1-based column) matches no expected field.
    #[error("unknown column {0:?} (column {1})")]
    UnknownColumn(String, usize),
    /// Two header cells map to the same field (its name).
    #[error("column for field {0:?} appears more than once")]
    DuplicateColumn(String),
    /// The workbook has no worksheet or the worksheet has no data.
    #[error("the worksheet is empty")]
    Empty,
    /// Writing the workbook failed.
    #[error("could not write workbook: {0}")]
    Write(String),
    /// The workbook is a zip with an `xl/workbook.xml` but calamine could not parse it.
    #[error("could not read workbook: {0}")]
    Read(String),
}

impl XlsxError {
    /// The translation key of the user-facing message.
    pub fn key(&self) -> &'static str {
        match self {
            XlsxError::NotXlsx => "err.xlsx.not_xlsx",
            XlsxError::Bomb(_) => "err.xlsx.bomb",
            XlsxError::TooLarge(_) => "err.xlsx.too_large",
            XlsxError::MissingColumns(_) => "err.xlsx.missing_columns",
            XlsxError::UnknownColumn(..) => "err.xlsx.unknown_column",
            XlsxError::DuplicateColumn(_) => "err.xlsx.duplicate_column",
            XlsxError::Empty => "err.xlsx.empty",
            XlsxError::Write(_) => "err.xlsx.write",
            XlsxError::Read(_) => "err.xlsx.read",
        }
    }

    /// The variable part of the message: sizes for limits, field names for missing or duplicate
    /// columns, `"<column letter>: <header text>"` for an unknown column, the cause for
    /// read/write failures, and `""` when there is none.
    pub fn detail(&self) -> String {
        match self {
            XlsxError::NotXlsx | XlsxError::Empty => String::new(),
            XlsxError::Bomb(detail)
            | XlsxError::TooLarge(detail)
            | XlsxError::DuplicateColumn(detail)
            | XlsxError::Write(detail)
            | XlsxError::Read(detail) => detail.clone(),
            XlsxError::MissingColumns(fields) => fields.join(", "),
            XlsxError::UnknownColumn(text, column) => {
                format!("{}: {text}", column_letters(*column))
            }
        }
    }
}

fn write_error(error: rust_xlsxwriter::XlsxError) -> XlsxError {
    XlsxError::Write(error.to_string())
}

fn read_error(error: calamine::XlsxError) -> XlsxError {
    XlsxError::Read(error.to_string())
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// Writes one worksheet: a bold header row (frozen, with autofilter), then the rows.
///
/// Column widths are computed CJK-aware with `display_width` (a CJK character counts 2, ASCII
/// 1), from the header (plus room for the filter button) and every cell, clamped to 6..=60 width
/// units. `autofit()` is deliberately not used: it mis-measures Chinese.
///
/// `sheet_name` is made acceptable to Excel rather than rejected: the characters `[]:*?/\` become
/// `_`, it is cut to 31 characters, and an empty name becomes `Sheet1`. Text containing a line
/// break is written with wrapping on, so the break shows. Rows may be longer or shorter than
/// `headers`.
pub fn write_sheet(
    sheet_name: &str,
    headers: &[String],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(sanitize_sheet_name(sheet_name))
        .map_err(write_error)?;

    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let column_count = rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(headers.len()))
        .max()
        .unwrap_or(0);
    let mut widths = vec![0usize; column_count];

    for (index, header) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, column_number(index)?, header, &bold)
            .map_err(write_error)?;
        widths[index] = display_width(header) + HEADER_PADDING;
    }

    for (row_index, row) in rows.iter().enumerate() {
        let row_number = row_number(row_index + 1)?;
        for (index, cell) in row.iter().enumerate() {
            let column = column_number(index)?;
            match cell {
                Cell::Text(text) if text.contains('\n') => {
                    sheet.write_string_with_format(row_number, column, text, &wrap)
                }
                Cell::Text(text) => sheet.write_string(row_number, column, text),
                // Excel numbers are f64; see `Cell::Int`.
                Cell::Int(value) => sheet.write_number(row_number, column, *value as f64),
                Cell::Float(value) => sheet.write_number(row_number, column, *value),
                Cell::Bool(value) => sheet.write_boolean(row_number, column, *value),
                Cell::Empty => continue,
            }
            .map_err(write_error)?;
            widths[index] = widths[index].max(display_width(&export_text(cell)));
        }
    }

    for (index, width) in widths.iter().enumerate() {
        let width = (*width).clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH);
        sheet
            .set_column_width(column_number(index)?, width as f64)
            .map_err(write_error)?;
    }

    if !headers.is_empty() {
        sheet.set_freeze_panes(1, 0).map_err(write_error)?;
        sheet
            .autofilter(
                0,
                0,
                row_number(rows.len())?,
                column_number(headers.len() - 1)?,
            )
            .map_err(write_error)?;
    }

    workbook.save_to_buffer().map_err(write_error)
}

/// How many Excel width units `text` needs: a CJK (East Asian wide or full-width) character
/// counts 2, any other printable character 1, control characters 0. For multi-line text it is
/// the width of the widest line.
pub(crate) fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().map(char_width).sum())
        .max()
        .unwrap_or(0)
}

fn char_width(c: char) -> usize {
    if c.is_control() {
        0
    } else if is_wide(c) {
        2
    } else {
        1
    }
}

/// East Asian wide and full-width characters (the blocks that matter for Chinese, Japanese,
/// Korean and emoji), after Unicode's `EastAsianWidth.txt`.
fn is_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1100..=0x115F       // Hangul Jamo initials
        | 0x2E80..=0x303E     // CJK radicals, Kangxi, ideographic description, CJK punctuation
        | 0x3041..=0x33FF     // Kana, Bopomofo, Hangul compatibility, CJK strokes, enclosed
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xA000..=0xA4CF     // Yi
        | 0xA960..=0xA97F     // Hangul Jamo extended A
        | 0xAC00..=0xD7A3     // Hangul syllables
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0xFE10..=0xFE19     // vertical forms
        | 0xFE30..=0xFE6F     // CJK compatibility forms, small form variants
        | 0xFF00..=0xFF60     // full-width ASCII
        | 0xFFE0..=0xFFE6     // full-width signs
        | 0x1F300..=0x1F64F   // emoji
        | 0x1F900..=0x1F9FF   // supplemental symbols and pictographs
        | 0x20000..=0x3FFFD // CJK extensions B and later
    )
}

/// The text Excel shows for an exported cell, for width measurement.
fn export_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Int(value) => value.to_string(),
        Cell::Float(value) => render_float(*value),
        Cell::Bool(true) => "TRUE".to_owned(),
        Cell::Bool(false) => "FALSE".to_owned(),
        Cell::Empty => String::new(),
    }
}

fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .trim_matches('\'')
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .take(MAX_SHEET_NAME_CHARS)
        .collect();
    // Cutting may expose a trailing apostrophe, which Excel also refuses.
    let cleaned = cleaned.trim_end_matches('\'');
    if cleaned.trim().is_empty() {
        "Sheet1".to_owned()
    } else {
        cleaned.to_owned()
    }
}

fn row_number(index: usize) -> Result<u32, XlsxError> {
    u32::try_from(index).map_err(|_| XlsxError::Write(format!("row {index} out of range")))
}

fn column_number(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::Write(format!("column {index} out of range")))
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

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
fn render(value: &DataRef<'_>) -> String {
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
fn clean(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}')
}

/// A number as Excel's "General" format would show it: at most 15 significant digits, no
/// trailing `.0`, no exponent, no `-0`.
fn render_float(value: f64) -> String {
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

fn render_datetime(value: &ExcelDateTime) -> String {
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
fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        column = (column - 1) / 26;
    }
    letters.iter().rev().collect()
}

// ---------------------------------------------------------------------------------------------
// Header mapping
// ---------------------------------------------------------------------------------------------

/// Maps a header row to the expected columns.
///
/// `expected` lists `(field, aliases)`; a header cell matches a field when it equals the field
/// name or one of its aliases (Chinese and English labels), compared trimmed, case-insensitively
/// for ASCII and with full-width forms folded to ASCII (so `电话（手机）` matches `电话(手机)`).
/// Blank header cells are ignored. Returns, for each expected field in order, the 0-based column
/// index of its header cell, or `None` when absent.
///
/// Errors, in the order they are checked: a non-blank header cell that matches nothing →
/// [`XlsxError::UnknownColumn`] (its text and 1-based column); a field matched twice →
/// [`XlsxError::DuplicateColumn`] (the field name); fields in `required` without a column (or
/// not in `expected` at all) → [`XlsxError::MissingColumns`] (all of them, in `required` order).
pub fn map_headers(
    header: &[String],
    expected: &[(&str, &[&str])],
    required: &[&str],
) -> Result<Vec<Option<usize>>, XlsxError> {
    let mut found: Vec<Option<usize>> = vec![None; expected.len()];
    for (column, cell) in header.iter().enumerate() {
        let label = fold_label(cell);
        if label.is_empty() {
            continue;
        }
        let matches = |name: &str| fold_label(name).eq_ignore_ascii_case(&label);
        let field = expected
            .iter()
            .position(|(name, aliases)| matches(name) || aliases.iter().any(|a| matches(a)))
            .ok_or_else(|| XlsxError::UnknownColumn(clean(cell).to_owned(), column + 1))?;
        if found[field].is_some() {
            return Err(XlsxError::DuplicateColumn(expected[field].0.to_owned()));
        }
        found[field] = Some(column);
    }

    let missing: Vec<String> = required
        .iter()
        .filter(|name| {
            expected
                .iter()
                .position(|(field, _)| field == *name)
                .is_none_or(|field| found[field].is_none())
        })
        .map(|name| (*name).to_owned())
        .collect();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(XlsxError::MissingColumns(missing))
    }
}

/// A header label for comparison: full-width ASCII forms and the ideographic space folded to
/// ASCII, then trimmed.
fn fold_label(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match u32::from(c) {
            0x3000 => ' ',
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    clean(&folded).to_owned()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    /// A workbook with a header row and `rows` data rows of two columns.
    fn workbook_with_rows(rows: usize) -> Vec<u8> {
        let data: Vec<Vec<Cell>> = (0..rows)
            .map(|i| vec![Cell::Text(format!("学校{i}")), Cell::Int(i as i64)])
            .collect();
        write_sheet("学校", &strings(&["名称", "人数"]), &data).unwrap()
    }

    /// Builds a zip in memory; each entry is (name, size, byte), written in 1 MiB chunks so a
    /// 200 MiB entry never exists in memory uncompressed.
    fn zip_of(entries: &[(&str, usize, u8)]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(9));
        let chunk_len = 1024 * 1024;
        for (name, size, byte) in entries {
            writer.start_file(*name, options).unwrap();
            let chunk = vec![*byte; chunk_len.min(*size)];
            let mut left = *size;
            while left > 0 {
                let n = left.min(chunk_len);
                writer.write_all(&chunk[..n]).unwrap();
                left -= n;
            }
        }
        writer.finish().unwrap().into_inner()
    }

    /// Re-zips `xlsx` with `edit` applied to the text of `part`.
    fn edit_part(xlsx: &[u8], part: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
        let mut archive = ZipArchive::new(Cursor::new(xlsx)).unwrap();
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let name = entry.name().unwrap().into_owned();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            if name == part {
                content = edit(std::str::from_utf8(&content).unwrap()).into_bytes();
            }
            writer
                .start_file(name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(&content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn round_trip_with_chinese_headers_and_mixed_cells() {
        let headers = strings(&["学校名称", "学生人数", "面积（亩）", "是否寄宿", "备注"]);
        let rows = vec![
            vec![
                Cell::Text("第一中学".into()),
                Cell::Int(12),
                Cell::Float(3.5),
                Cell::Bool(true),
                Cell::Empty,
            ],
            vec![
                Cell::Text("  实验小学　".into()),
                Cell::Int(-7),
                Cell::Float(40.0),
                Cell::Bool(false),
                Cell::Text("=1+1".into()),
            ],
            vec![
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ],
            vec![
                Cell::Text("Mixed ASCII".into()),
                Cell::Float(0.1 + 0.2),
                Cell::Float(-0.0),
                Cell::Int(1_000_000),
                Cell::Text("两行\n文字".into()),
            ],
            vec![Cell::Empty, Cell::Empty],
        ];
        let bytes = write_sheet("学校/名单", &headers, &rows).unwrap();
        let read = read_first_sheet(&bytes, &Limits::default()).unwrap();
        let expected = vec![
            headers.clone(),
            strings(&["第一中学", "12", "3.5", "true", ""]),
            strings(&["实验小学", "-7", "40", "false", "=1+1"]),
            strings(&["", "", "", "", ""]),
            strings(&["Mixed ASCII", "0.3", "0", "1000000", "两行\n文字"]),
        ];
        assert_eq!(read, expected);
    }

    #[test]
    fn header_only_sheet_reads_back_and_empty_sheet_is_empty() {
        let headers = strings(&["姓名", "电话"]);
        let bytes = write_sheet("人员", &headers, &[]).unwrap();
        assert_eq!(
            read_first_sheet(&bytes, &Limits::default()).unwrap(),
            vec![headers]
        );

        let bytes = write_sheet("空", &[], &[]).unwrap();
        let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
        assert!(matches!(err, XlsxError::Empty), "{err:?}");
    }

    #[test]
    fn cjk_text_is_wider_than_the_same_number_of_ascii_characters() {
        assert_eq!(display_width("abcd"), 4);
        assert_eq!(display_width("平安校园"), 8);
        assert!(display_width("平安校园") > display_width("abcd"));
        assert_eq!(display_width("ＡＢ（）"), 8);
        assert_eq!(display_width("第一行\nsecond line"), 11);
        assert_eq!(display_width(""), 0);
    }

    #[test]
    fn sheet_names_are_made_acceptable() {
        assert_eq!(sanitize_sheet_name("学校/名单"), "学校_名单");
        assert_eq!(sanitize_sheet_name("  "), "Sheet1");
        assert_eq!(sanitize_sheet_name(&"长".repeat(40)).chars().count(), 31);
        assert_eq!(sanitize_sheet_name("'quoted'"), "quoted");
    }

    #[test]
    fn numbers_dates_and_errors_render_as_excel_shows_them() {
        assert_eq!(render_float(12.0), "12");
        assert_eq!(render_float(3.5), "3.5");
        assert_eq!(render_float(13_800_138_000.0), "13800138000");
        assert_eq!(render_float(1.0 / 3.0), "0.333333333333333");
        let date = |v| ExcelDateTime::new(v, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(render_datetime(&date(45_943.0)), "2025-10-13");
        assert_eq!(render_datetime(&date(45_943.5)), "2025-10-13 12:00:00");
        assert_eq!(render_datetime(&date(0.25)), "06:00:00");
        let duration = ExcelDateTime::new(1.5, calamine::ExcelDateTimeType::TimeDelta, false);
        assert_eq!(render_datetime(&duration), "36:00:00");
        assert_eq!(render(&DataRef::Error(calamine::CellErrorType::NA)), "#N/A");
        assert_eq!(render(&DataRef::SharedString("\u{FEFF} 甲 \u{3000}")), "甲");
    }

    #[test]
    fn random_bytes_are_not_xlsx() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 56) as u8
            })
            .collect();
        let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
        assert!(matches!(err, XlsxError::NotXlsx), "{err:?}");
    }

    #[test]
    fn empty_bytes_are_not_xlsx() {
        let err = read_first_sheet(&[], &Limits::default()).unwrap_err();
        assert!(matches!(err, XlsxError::NotXlsx), "{err:?}");
    }

    #[test]
    fn zip_that_is_not_a_workbook_is_not_xlsx() {
        let bytes = zip_of(&[("readme.txt", 100, b'a'), ("data/x.csv", 50, b'1')]);
        let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
        assert!(matches!(err, XlsxError::NotXlsx), "{err:?}");
        assert_eq!(err.key(), "err.xlsx.not_xlsx");
    }

    #[test]
    fn zip_bomb_is_refused_before_inflating() {
        // 200 MiB of zeros deflate to a few hundred KiB at level 9.
        let bytes = zip_of(&[
            ("xl/workbook.xml", 10, b' '),
            ("xl/worksheets/sheet1.xml", 200 * 1024 * 1024, 0),
        ]);
        assert!(bytes.len() < 1024 * 1024, "bomb is {} bytes", bytes.len());
        let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
        assert!(matches!(err, XlsxError::Bomb(_)), "{err:?}");
        assert_eq!(err.key(), "err.xlsx.bomb");
        assert_eq!(err.detail(), "uncompressed: 200.0 MiB > 100.0 MiB");
    }

    #[test]
    fn high_ratio_entry_is_a_bomb_even_under_the_total() {
        // 20 MiB of zeros: under the 100 MiB total, but the ratio is far above 200.
        let bytes = zip_of(&[
            ("xl/workbook.xml", 10, b' '),
            ("xl/sharedStrings.xml", 20 * 1024 * 1024, 0),
        ]);
        let err = read_first_sheet(&bytes, &Limits::default()).unwrap_err();
        match err {
            XlsxError::Bomb(detail) => assert!(detail.starts_with("ratio"), "{detail}"),
            other => panic!("expected Bomb, got {other:?}"),
        }
    }

    #[test]
    fn too_many_entries_is_a_bomb() {
        let names: Vec<String> = (0..11).map(|i| format!("xl/media/{i}.bin")).collect();
        let mut entries: Vec<(&str, usize, u8)> =
            names.iter().map(|n| (n.as_str(), 1, b'x')).collect();
        entries.push(("xl/workbook.xml", 1, b' '));
        let bytes = zip_of(&entries);
        let limits = Limits {
            max_entries: 10,
            ..Limits::default()
        };
        let err = read_first_sheet(&bytes, &limits).unwrap_err();
        assert!(matches!(err, XlsxError::Bomb(_)), "{err:?}");
        assert_eq!(err.detail(), "entries: 12 > 10");
    }

    #[test]
    fn upload_over_max_bytes_is_too_large() {
        let bytes = workbook_with_rows(3);
        let limits = Limits {
            max_bytes: 100,
            ..Limits::default()
        };
        let err = read_first_sheet(&bytes, &limits).unwrap_err();
        assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");
    }

    #[test]
    fn sheet_with_more_than_max_rows_is_too_large() {
        let limits = Limits {
            max_rows: 5,
            ..Limits::default()
        };
        // Header + 4 rows fits exactly.
        assert_eq!(
            read_first_sheet(&workbook_with_rows(4), &limits)
                .unwrap()
                .len(),
            5
        );
        let err = read_first_sheet(&workbook_with_rows(10), &limits).unwrap_err();
        assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");
        assert_eq!(err.key(), "err.xlsx.too_large");
        assert_eq!(err.detail(), "rows: 11 > 5");
    }

    #[test]
    fn sheet_with_more_than_max_cols_is_too_large() {
        let limits = Limits {
            max_cols: 1,
            ..Limits::default()
        };
        let err = read_first_sheet(&workbook_with_rows(1), &limits).unwrap_err();
        assert_eq!(err.detail(), "columns: 2 > 1");
    }

    #[test]
    fn lying_or_missing_dimension_is_still_bounded() {
        let limits = Limits {
            max_rows: 5,
            ..Limits::default()
        };
        let xlsx = workbook_with_rows(10);
        let sheet = "xl/worksheets/sheet1.xml";
        let lying = edit_part(&xlsx, sheet, |xml| {
            assert!(xml.contains(r#"<dimension ref="A1:B11"/>"#), "{xml}");
            xml.replace(r#"<dimension ref="A1:B11"/>"#, r#"<dimension ref="A1"/>"#)
        });
        let err = read_first_sheet(&lying, &limits).unwrap_err();
        assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");

        let missing = edit_part(&xlsx, sheet, |xml| {
            xml.replace(r#"<dimension ref="A1:B11"/>"#, "")
        });
        let err = read_first_sheet(&missing, &limits).unwrap_err();
        assert!(matches!(err, XlsxError::TooLarge(_)), "{err:?}");
    }

    #[test]
    fn corrupt_workbook_part_is_a_read_error_not_a_panic() {
        let xlsx = workbook_with_rows(2);
        let broken = edit_part(&xlsx, "xl/workbook.xml", |_| {
            "<workbook><sheets>".to_owned()
        });
        let err = read_first_sheet(&broken, &Limits::default()).unwrap_err();
        assert!(matches!(err, XlsxError::Read(_)), "{err:?}");
        assert_eq!(err.key(), "err.xlsx.read");
    }

    #[test]
    fn full_size_legitimate_workbook_passes_the_default_limits() {
        // The most repetitive realistic sheet (one shared string everywhere) compresses about
        // 12:1, far from the 200:1 bomb ratio.
        let limits = Limits::default();
        let headers: Vec<String> = (0..6).map(|i| format!("列{i}")).collect();
        let rows: Vec<Vec<Cell>> = (1..limits.max_rows)
            .map(|_| (0..6).map(|_| Cell::from("同")).collect())
            .collect();
        let bytes = write_sheet("大表", &headers, &rows).unwrap();
        let read = read_first_sheet(&bytes, &limits).unwrap();
        assert_eq!(read.len(), limits.max_rows);
        assert_eq!(read[limits.max_rows - 1], vec!["同"; 6]);
    }

    const SCHOOL: &[(&str, &[&str])] = &[
        ("name", &["学校名称", "名称", "School name"]),
        ("code", &["学校代码", "代码", "Code"]),
        ("phone", &["联系电话(手机)", "电话", "Phone"]),
    ];

    #[test]
    fn headers_map_by_chinese_and_english_aliases_in_any_order() {
        let header = strings(&[" 联系电话（手机） ", "SCHOOL NAME", "", "学校代码"]);
        let mapped = map_headers(&header, SCHOOL, &["name", "code"]).unwrap();
        assert_eq!(mapped, vec![Some(1), Some(3), Some(0)]);

        let header = strings(&["Name"]);
        assert_eq!(
            map_headers(&header, SCHOOL, &["name"]).unwrap(),
            vec![Some(0), None, None]
        );
    }

    #[test]
    fn missing_required_columns_are_all_listed() {
        let header = strings(&["电话"]);
        let err = map_headers(&header, SCHOOL, &["name", "code"]).unwrap_err();
        match &err {
            XlsxError::MissingColumns(fields) => assert_eq!(fields, &strings(&["name", "code"])),
            other => panic!("expected MissingColumns, got {other:?}"),
        }
        assert_eq!(err.key(), "err.xlsx.missing_columns");
        assert_eq!(err.detail(), "name, code");
    }

    #[test]
    fn unknown_column_reports_text_and_one_based_column() {
        let header = strings(&["学校名称", "学校代码", " 校长 "]);
        let err = map_headers(&header, SCHOOL, &["name"]).unwrap_err();
        match &err {
            XlsxError::UnknownColumn(text, column) => {
                assert_eq!(text, "校长");
                assert_eq!(*column, 3);
            }
            other => panic!("expected UnknownColumn, got {other:?}"),
        }
        assert_eq!(err.key(), "err.xlsx.unknown_column");
        assert_eq!(err.detail(), "C: 校长");
    }

    #[test]
    fn the_same_field_twice_is_a_duplicate() {
        let header = strings(&["学校名称", "School Name"]);
        let err = map_headers(&header, SCHOOL, &[]).unwrap_err();
        match &err {
            XlsxError::DuplicateColumn(field) => assert_eq!(field, "name"),
            other => panic!("expected DuplicateColumn, got {other:?}"),
        }
        assert_eq!(err.key(), "err.xlsx.duplicate_column");
    }

    #[test]
    fn import_then_map_headers_end_to_end() {
        let bytes = write_sheet(
            "学校",
            &strings(&["学校代码", "学校名称"]),
            &[vec![Cell::from("A001"), Cell::from("一中")]],
        )
        .unwrap();
        let rows = read_first_sheet(&bytes, &Limits::default()).unwrap();
        let mapped = map_headers(&rows[0], SCHOOL, &["name", "code"]).unwrap();
        assert_eq!(mapped, vec![Some(1), Some(0), None]);
        assert_eq!(rows[1][mapped[0].unwrap()], "一中");
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(703), "AAA");
    }
}
