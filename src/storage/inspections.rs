//! Inspections (排查): semi-monthly self-inspections, post checks, campaign and cross-inspection
//! checks; campaigns and cross-inspection assignments; the bureau's self-inspection board.
