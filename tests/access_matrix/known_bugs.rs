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

pub const KNOWN_BUGS: &[KnownBug] = &[
    district_403("PATCH /api/v1/schools/{id}"),
    district_403("POST /schools/{id}/edit"),
    district_403("POST /api/v1/schools/{id}/people"),
    district_403("POST /schools/{id}/people/new"),
    district_403("POST /api/v1/schools/{id}/zones"),
    district_403("POST /schools/{id}/zones/new"),
    district_403("POST /api/v1/schools/{id}/risk-points"),
    district_403("POST /schools/{id}/risks/new"),
    district_403("POST /api/v1/schools/{id}/risk-points/instantiate"),
    district_403("POST /schools/{id}/risks/instantiate"),
    district_403("POST /api/v1/schools/{id}/hazards"),
    district_403("POST /schools/{id}/hazards/new"),
    district_403("POST /api/v1/schools/{id}/inspections"),
    KnownBug {
        route: "POST /api/v1/schools/{id}/hazards",
        accounts: &[],
        at: &["district"],
        got: 404,
        reason: "a hazard reported at a district is stored (committed), then the answer is 404",
    },
    KnownBug {
        route: "POST /schools/{id}/hazards/new",
        accounts: &[],
        at: &["district"],
        got: 404,
        reason: "a hazard reported at a district is stored (committed), then the answer is 404",
    },
    KnownBug {
        route: "POST /api/v1/schools/{id}/inspections",
        accounts: &[],
        at: &["district"],
        got: 201,
        reason: "an inspection of a district is stored (201): the submit does not check it is a school",
    },
    KnownBug {
        route: "POST /campaigns/new",
        accounts: &[],
        at: &[],
        got: 200,
        reason: "the campaign form answers its field errors with 200 (other forms: 422)",
    },
    KnownBug {
        route: "POST /cross-inspections/new",
        accounts: &[],
        at: &[],
        got: 200,
        reason: "the cross-inspection form answers its field errors with 200 (other forms: 422)",
    },
    school_filter("GET /api/v1/hazards"),
    school_filter("GET /api/v1/hazards/export.xlsx"),
    school_filter("GET /hazards"),
    school_filter("GET /hazards/ledger"),
];

/// The entry (its index), when this case is a known bug.
pub fn matches(route: &str, account: &str, at: &str, got: u16) -> Option<usize> {
    KNOWN_BUGS.iter().position(|b| {
        b.route == route
            && (b.accounts.is_empty() || b.accounts.contains(&account))
            && (b.at.is_empty() || b.at.contains(&at))
            && b.got == got
    })
}
