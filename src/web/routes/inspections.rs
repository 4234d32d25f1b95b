//! Routes: Inspections, campaigns, cross-inspections and the self-inspection board.

use super::Table;

pub(super) fn register(_t: &mut Table) {}
