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

mod headers;
mod read;
mod write;

pub use headers::map_headers;
pub use read::read_first_sheet;
pub use write::write_sheet;

use read::column_letters;

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

#[cfg(test)]
mod tests;
