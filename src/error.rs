//! The one error type of SafeCampus.
//!
//! Policy:
//! - Every fallible operation below the web layer returns [`Error`]; the web layer turns it into
//!   the JSON envelope `{"error": {"code", "message"}}` (API) or an error page (HTML).
//! - `NotFound` is also the answer for an object outside the caller's scope: the caller must not
//!   learn that it exists. `Forbidden` is for an in-scope object the caller's role may not touch.
//! - `Validation` carries a message a person can act on (which field, what is wrong, what is
//!   allowed), already translated by the caller when it comes from user input.
//! - `Internal` keeps its cause chain for the log and is never shown to the user.

use std::fmt;

/// A field-level validation problem, e.g. row 7 of an import or a form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A problem with `field`; `message` is a catalogue key (e.g. `err.required`).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not signed in")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    /// Forbidden with a reason the user can read (a catalogue key), for a business rule that
    /// refuses this person (e.g. the rectifier accepting their own work).
    #[error("not allowed: {0}")]
    ForbiddenBecause(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    Validation {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("{0}")]
    TooLarge(String),
    /// Too many failed attempts: the address or the account is paused (429 with
    /// `Retry-After`, the whole seconds until the pause ends, at least 1).
    #[error("too many attempts")]
    Locked { retry_after_secs: u64 },
    /// The database (or the audit trail, which every write needs) cannot take the request
    /// now: unreachable, out of disk, locked past the busy timeout. Nothing was written; the
    /// client may retry (503 with `Retry-After`).
    #[error("temporarily unavailable: {0}")]
    Unavailable(&'static str),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn validation(message: impl Into<String>) -> Self {
        Error::Validation {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Error::Validation {
            message: message.clone(),
            fields: vec![FieldError {
                field: field.into(),
                message,
            }],
        }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Error::Internal(e.into())
    }

    /// The stable machine-readable code of the envelope.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthorized => "unauthorized",
            Error::Forbidden | Error::ForbiddenBecause(_) => "forbidden",
            Error::NotFound => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Validation { .. } => "invalid",
            Error::TooLarge(_) => "too_large",
            Error::Locked { .. } => "locked",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) = e.sql_err() {
            return Error::Conflict("unique".into());
        }
        if let Some(what) = unavailable(&e) {
            tracing::warn!(error = %Chain(&e), what, "database unavailable");
            return Error::Unavailable(what);
        }
        Error::Internal(anyhow::Error::new(e))
    }
}

/// Whether a database error says "not now" rather than "wrong": no connection, no disk
/// space, a lock held past the busy timeout. A retry may succeed; the request wrote nothing.
fn unavailable(e: &sea_orm::DbErr) -> Option<&'static str> {
    use sea_orm::DbErr;
    if matches!(e, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) {
        return Some("database");
    }
    if let DbErr::Query(sea_orm::RuntimeErr::SqlxError(x))
    | DbErr::Exec(sea_orm::RuntimeErr::SqlxError(x)) = e
    {
        use sea_orm::sqlx::Error as X;
        match x.as_ref() {
            // The connection broke (the server ended it, a failover, the network), or the
            // pool has none to give: a retry on a new connection may succeed.
            X::Io(_) | X::PoolTimedOut | X::PoolClosed | X::WorkerCrashed | X::Protocol(_) => {
                return Some("database");
            }
            // PostgreSQL's classes 08 (connection exception), 53 (insufficient resources) and
            // 57P (operator intervention: shutdown, terminated backend, cannot connect now).
            X::Database(d) => {
                if let Some(code) = d.code() {
                    if code == "53100" {
                        return Some("disk_full");
                    }
                    if code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") {
                        return Some("database");
                    }
                }
            }
            _ => {}
        }
    }
    let text = e.to_string();
    // SQLite's SQLITE_FULL and SQLITE_BUSY / SQLITE_LOCKED; PostgreSQL's disk_full (53100),
    // out of memory or connections (53xxx), and a server shutting down or restarting (57P0x).
    const FULL: [&str; 4] = [
        "database or disk is full",
        "No space left on device",
        "could not extend file",
        "53100",
    ];
    const BUSY: [&str; 6] = [
        "database is locked",
        "database table is locked",
        "57P01",
        "57P02",
        "57P03",
        "53300",
    ];
    if FULL.iter().any(|m| text.contains(m)) {
        Some("disk_full")
    } else if BUSY.iter().any(|m| text.contains(m)) {
        Some("database")
    } else {
        None
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(e: sea_orm::TransactionError<Error>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// Display helper that prints an error with its whole cause chain, for logs.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut src = self.0.source();
        while let Some(s) = src {
            write!(f, ": {s}")?;
            src = s.source();
        }
        Ok(())
    }
}
