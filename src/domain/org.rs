//! The organisation tree: city → district → school, of any depth.

use crate::code_enum;

code_enum!(
    /// The level of a node in the org tree.
    OrgLevel, "org_level", {
        City = "city",
        District = "district",
        School = "school",
    }
);

code_enum!(
    /// The kind of a school (its 学段).
    SchoolKind, "school_kind", {
        Kindergarten = "kindergarten",
        Primary = "primary",
        JuniorMiddle = "junior_middle",
        NineYear = "nine_year",
        SeniorHigh = "senior_high",
        Special = "special",
    }
);

code_enum!(
    /// The kind of a campus zone (for grids and the four-colour map).
    ZoneType, "zone_type", {
        Building = "building",
        Floor = "floor",
        Area = "area",
        Water = "water",
        Gate = "gate",
        Playground = "playground",
        Canteen = "canteen",
        Dormitory = "dormitory",
        Lab = "lab",
        Road = "road",
        Green = "green",
        Parking = "parking",
        Facility = "facility",
    }
);

/// The materialised path of an org node: `/1/4/17/`. A node's subtree is every node whose
/// path starts with its own. Paths hold only digits and slashes, so they are safe in `LIKE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of everything (used by system roles, which are not attached to a node).
    pub fn root() -> Self {
        OrgPath("/".into())
    }

    pub fn child(&self, id: super::ids::OrgId) -> Self {
        OrgPath(format!("{}{}/", self.0, id.0))
    }

    /// Parses a stored path, rejecting anything but `/digits/…/`.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.starts_with('/')
            && s.ends_with('/')
            && s.chars().all(|c| c.is_ascii_digit() || c == '/')
            && !s.contains("//");
        ok.then(|| OrgPath(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The ids on the path, from the root down to the node itself.
    pub fn ids(&self) -> Vec<i64> {
        self.0.split('/').filter_map(|p| p.parse().ok()).collect()
    }

    /// The nearest node both paths lie under (the root when they share none).
    pub fn common_ancestor(&self, other: &OrgPath) -> OrgPath {
        let mut out = OrgPath::root();
        for (a, b) in self.ids().into_iter().zip(other.ids()) {
            if a != b {
                break;
            }
            out = out.child(super::ids::OrgId(a));
        }
        out
    }

    /// `LIKE` pattern matching this node and its subtree.
    pub fn like_pattern(&self) -> String {
        format!("{}%", self.0)
    }
}

/// Checks a school code: 2–16 ASCII letters, digits or dashes.
pub fn valid_code(code: &str) -> bool {
    (2..=16).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::OrgId;

    #[test]
    fn paths_nest() {
        let city = OrgPath::root().child(OrgId(1));
        let district = city.child(OrgId(4));
        let school = district.child(OrgId(17));
        let sibling = district.child(OrgId(171));
        assert_eq!(school.as_str(), "/1/4/17/");
        assert!(city.contains(&school));
        assert!(district.contains(&district));
        assert!(!school.contains(&district));
        assert!(!school.contains(&sibling), "17 must not contain 171");
        assert!(OrgPath::root().contains(&school));
    }

    #[test]
    fn path_parse_rejects_garbage() {
        assert!(OrgPath::parse("/1/2/").is_some());
        assert!(OrgPath::parse("/1/2").is_none());
        assert!(OrgPath::parse("/1/%/").is_none());
        assert!(OrgPath::parse("/1//").is_none());
    }

    #[test]
    fn codes() {
        assert!(valid_code("S001"));
        assert!(!valid_code("S"));
        assert!(!valid_code("学校"));
    }
}
