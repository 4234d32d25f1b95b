//! Pages: Inspections, campaigns, cross-inspections and the self-inspection board.
