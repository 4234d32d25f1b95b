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

/// A district where a school is expected: the write checks that the node is in scope, then
/// the role, and only then that it is a school, so roles that may not write get 403 (not 404).
const NOT_A_SCHOOL_403: &str = "a district id passes the scope check and meets the role check before \"is a school\" (403, not 404)";

const fn district_403(route: &'static str) -> KnownBug {
    KnownBug {
        route,
        accounts: &[],
        at: &["district"],
        got: 403,
        reason: NOT_A_SCHOOL_403,
    }
}

/// The hazard lists' `school_id` filter: a school out of scope, a nonexistent id or a
/// district answers an empty list (200), where the other lists' id filters answer 404.
const fn school_filter(route: &'static str) -> KnownBug {
    KnownBug {
        route,
        accounts: &[],
        at: &[
            "body:S001",
            "body:S002",
            "body:N001",
            "body:missing",
            "body:district",
        ],
        got: 200,
        reason: "the hazard list's school_id filter answers an empty 200 for a foreign, nonexistent or district id (other lists: 404)",
    }
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
