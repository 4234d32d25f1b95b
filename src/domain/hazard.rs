//! The hidden-hazard closed loop (隐患排查治理): states, actions and the rules between them.
