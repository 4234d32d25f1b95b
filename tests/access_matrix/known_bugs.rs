//! **KNOWN_BUGS**: mismatches the matrix found that are product bugs not fixed yet. Each entry
//! tolerates exactly the cases it names (route, accounts, position, status got); remove it
//! when the bug is fixed. An entry that matches nothing any more is reported on stderr.

/// One known bug.
pub struct KnownBug {
    /// `METHOD /path/{id}` as registered.
    pub route: &'static str,
    /// Account names; empty: every account.
    pub accounts: &'static [&'static str],
    /// Position labels (`S001`, `district`, `S001+body:N001`, `body:N001`, `-`); empty: any.
    pub at: &'static [&'static str],
    /// The status the product answers today.
    pub got: u16,
    pub reason: &'static str,
}

pub const KNOWN_BUGS: &[KnownBug] = &[];

/// The entry (its index), when this case is a known bug.
pub fn matches(route: &str, account: &str, at: &str, got: u16) -> Option<usize> {
    KNOWN_BUGS.iter().position(|b| {
        b.route == route
            && (b.accounts.is_empty() || b.accounts.contains(&account))
            && (b.at.is_empty() || b.at.contains(&at))
            && b.got == got
    })
}
