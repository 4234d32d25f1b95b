//! Header mapping: a header row to the expected fields by their Chinese or English labels.

use super::XlsxError;
use super::read::clean;

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
