//! Import aliases: the words a spreadsheet may use for a stable code besides the code itself
//! (`assets/codes/import-aliases.tsv`, embedded). Matching is trimmed and case-insensitive.
//! An alias that names two codes of one set is a data error, caught by the tests below.

use std::collections::HashMap;
use std::sync::LazyLock;

const TABLE: &str = include_str!("../../assets/codes/import-aliases.tsv");

/// set → normalised alias → code.
type Table = HashMap<&'static str, HashMap<String, &'static str>>;

static ALIASES: LazyLock<Table> = LazyLock::new(|| {
    let mut t = Table::new();
    for (set, code, alias) in rows() {
        t.entry(set).or_default().insert(normalise(alias), code);
    }
    t
});

fn normalise(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The rows of the table: (set, code, alias).
pub fn rows() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    TABLE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?, f.next()?))
        })
}

/// The code an alias stands for in a set (`school_kind`, `post` …).
pub fn code_for(set: &str, alias: &str) -> Option<&'static str> {
    ALIASES.get(set)?.get(&normalise(alias)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;
    use crate::domain::org::{SchoolKind, ZoneType};
    use crate::domain::person::Post;
    use crate::domain::risk::{Aspect, CheckFrequency, ControlLevel, PointType};

    fn codes<C: Code>() -> (&'static str, Vec<&'static str>) {
        (C::KEY, C::ALL.iter().map(|c| c.as_str()).collect())
    }

    #[test]
    fn every_row_names_a_real_code_and_no_alias_is_ambiguous() {
        let sets: HashMap<&str, Vec<&str>> = [
            codes::<SchoolKind>(),
            codes::<ZoneType>(),
            codes::<Post>(),
            codes::<Aspect>(),
            codes::<PointType>(),
            codes::<CheckFrequency>(),
            codes::<ControlLevel>(),
        ]
        .into_iter()
        .collect();
        let mut seen: HashMap<(&str, String), &str> = HashMap::new();
        let mut n = 0;
        for (set, code, alias) in rows() {
            n += 1;
            let known = sets.get(set).unwrap_or_else(|| panic!("unknown set {set}"));
            assert!(known.contains(&code), "{set}: unknown code {code}");
            assert!(!alias.trim().is_empty(), "{set}.{code}: empty alias");
            if let Some(other) = seen.insert((set, normalise(alias)), code) {
                assert_eq!(
                    other, code,
                    "{set}: alias {alias:?} names {other} and {code}"
                );
            }
        }
        assert!(n > 50, "the table has {n} rows");
    }

    #[test]
    fn labels_and_codes_parse_case_insensitively() {
        assert_eq!(SchoolKind::parse_label("小学"), Some(SchoolKind::Primary));
        assert_eq!(
            SchoolKind::parse_label(" primary SCHOOL "),
            Some(SchoolKind::Primary)
        );
        assert_eq!(
            SchoolKind::parse_label("primary"),
            Some(SchoolKind::Primary)
        );
        assert_eq!(SchoolKind::parse_label("大学"), None);
        // A set's aliases do not leak into another set.
        assert_eq!(ZoneType::parse_label("小学"), None);
    }
}
