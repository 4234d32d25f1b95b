//! Export: one worksheet with a bold, frozen header row and CJK-aware column widths.

use rust_xlsxwriter::{Format, Workbook};

use super::read::render_float;
use super::{Cell, XlsxError};

/// Narrowest column written by [`write_sheet`], in Excel width units (≈ ASCII characters).
const MIN_COLUMN_WIDTH: usize = 6;
/// Widest column written by [`write_sheet`]; longer text is cut off visually, not in the data.
const MAX_COLUMN_WIDTH: usize = 60;
/// Extra width for a header cell: room for the autofilter drop-down button.
const HEADER_PADDING: usize = 2;
/// Excel's limit on worksheet name length, in characters.
const MAX_SHEET_NAME_CHARS: usize = 31;

fn write_error(error: rust_xlsxwriter::XlsxError) -> XlsxError {
    XlsxError::Write(error.to_string())
}

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
    // Text that a spreadsheet could take for a formula once the file is saved as CSV and
    // opened again (`=`, `+`, `-`, `@`, tab, carriage return first) carries Excel's quote
    // prefix: shown and read back unchanged, never evaluated (formula injection, OWASP).
    let quoted = Format::new().set_quote_prefix();
    let quoted_wrap = Format::new().set_quote_prefix().set_text_wrap();
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
                Cell::Text(text) => {
                    let format = match (formula_like(text), text.contains('\n')) {
                        (true, true) => Some(&quoted_wrap),
                        (true, false) => Some(&quoted),
                        (false, true) => Some(&wrap),
                        (false, false) => None,
                    };
                    match format {
                        Some(f) => sheet.write_string_with_format(row_number, column, text, f),
                        None => sheet.write_string(row_number, column, text),
                    }
                }
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
pub(super) fn display_width(text: &str) -> usize {
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

/// Whether a spreadsheet could read `text` as a formula (its first character).
pub(super) fn formula_like(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
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

pub(super) fn sanitize_sheet_name(name: &str) -> String {
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
