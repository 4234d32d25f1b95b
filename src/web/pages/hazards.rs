//! Pages: Hazards and their closed loop (隐患排查治理 → 销号), notices and ledgers.
