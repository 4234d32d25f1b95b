//! Pages: The in-app inbox.
