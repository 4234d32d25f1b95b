//! Routes: The in-app inbox.

use super::Table;

pub(super) fn register(_t: &mut Table) {}
