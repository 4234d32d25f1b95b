//! Routes: Photos and documents: upload, read, thumbnails.

use super::Table;

pub(super) fn register(_t: &mut Table) {}
