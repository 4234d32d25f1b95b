//! **KNOWN_BUGS**: mismatches the matrix found that are product bugs not fixed yet. Each entry
//! tolerates exactly the cases it names (route, accounts, position, status got); remove it
//! when the bug is fixed. An entry that matches nothing any more is reported on stderr.

/// One known bug.
pub struct KnownBug {
    /// `METHOD /path/{id}` as registered.
    pub route: &'static str,
    /// Account names; empty: every account.
    pub accounts: &'static [&'static str],
    /// A position label (`S001`, `district`, `S001+body:N001`, `body:N001`, `-`), or `*`.
    pub at: &'static str,
    /// The status the product answers today.
    pub got: u16,
    pub reason: &'static str,
}

pub const KNOWN_BUGS: &[KnownBug] = &[];

/// The reason, when this case is a known bug.
pub fn matches(route: &str, account: &str, at: &str, got: u16) -> Option<&'static str> {
    KNOWN_BUGS
        .iter()
        .find(|b| {
            b.route == route
                && (b.accounts.is_empty() || b.accounts.contains(&account))
                && (b.at == "*" || b.at == at)
                && b.got == got
        })
        .map(|b| b.reason)
}
