//! SafeCampus (平安校园安全管理平台): the platform a district education bureau runs its yearly
//! school-safety work plan on.
//!
//! Layers, arrows pointing one way: [`domain`] (pure types and rules, no I/O) ← [`policy`]
//! (who may do what) ← [`storage`] (the only code that touches the database; reached through a
//! scoped handle) ← [`web`] (extractors, handlers, templates) ← `main.rs` (the binary).

#![forbid(unsafe_code)]

rust_i18n::i18n!("locales", fallback = "zh-CN");

/// A hash of the sources this build was made from (see `build.rs`).
pub const SOURCE_HASH: &str = env!("SAFECAMPUS_SOURCE_HASH");

pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod generate;
pub mod i18n;
pub mod media;
pub mod mqtt;
pub mod policy;
pub mod simulate;
pub mod storage;
pub mod web;
pub mod xlsx;

pub use error::{Error, Result};
