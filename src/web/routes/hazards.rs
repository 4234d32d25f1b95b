//! Routes: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.

use super::Table;

pub(super) fn register(_t: &mut Table) {}
