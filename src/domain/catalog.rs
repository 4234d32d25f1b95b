//! The risk catalogue (风险等级清单) as data: one entry per risk point, parsed from the
//! catalogue file (`assets/catalog/risk-catalog.csv`) or an uploaded workbook, row by row.

use super::Code;
use super::org::SchoolKind;
use super::person::Post;
use super::risk::{Aspect, CheckFrequency, ControlLevel, Factor, LecValue, MeasureType, PointType};

/// One problem of a parsed file, at a sheet row (1-based; the header is row 1).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    /// A translation key (`err.…`), or text.
    pub message: String,
    /// The offending value, when there is one.
    pub value: String,
}

impl RowError {
    pub fn new(row: usize, field: &str, key: &str, value: &str) -> Self {
        RowError {
            row,
            field: field.into(),
            message: key.into(),
            value: value.chars().take(60).collect(),
        }
    }
}

/// The features a catalogue entry may require of a school.
pub const FEATURES: &[&str] = &[
    "boarding",
    "bus",
    "canteen",
    "lab",
    "pool",
    "near_water",
    "dormitory",
    "boiler",
    "elevator",
    "gas",
];

/// The columns of the catalogue, in file order.
pub const COLUMNS: &[&str] = &[
    "code",
    "aspect",
    "category",
    "category_en",
    "point_type",
    "name",
    "name_en",
    "hazard_factors",
    "accident_types",
    "default_l",
    "default_e",
    "default_c",
    "measures_management",
    "measures_emergency",
    "measures_engineering",
    "measures_training",
    "measures_ppe",
    "check_items",
    "check_frequency",
    "control_level",
    "responsible_post",
    "applies_to",
    "requires",
];

pub const REQUIRED: &[&str] = &[
    "code",
    "aspect",
    "category",
    "point_type",
    "name",
    "hazard_factors",
    "default_l",
    "default_e",
    "default_c",
    "measures_management",
    "measures_emergency",
    "check_items",
    "check_frequency",
    "control_level",
    "responsible_post",
];

/// One risk point of the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub code: String,
    pub aspect: Aspect,
    pub category: String,
    pub category_en: String,
    pub point_type: PointType,
    pub name: String,
    pub name_en: String,
    pub hazard_factors: String,
    pub accident_types: String,
    pub default_lec: (LecValue, LecValue, LecValue),
    /// Measures by type, in [`MeasureType::ALL`] order.
    pub measures: [String; 5],
    pub check_items: String,
    pub check_frequency: CheckFrequency,
    pub control_level: ControlLevel,
    pub responsible_post: Post,
    /// Empty means every kind of school.
    pub applies_to: Vec<SchoolKind>,
    /// Features the school must have (all of them).
    pub requires: Vec<String>,
}

impl Entry {
    /// Does this entry apply to a school of `kind` whose features satisfy `has`?
    pub fn applies(&self, kind: SchoolKind, has: impl Fn(&str) -> bool) -> bool {
        (self.applies_to.is_empty() || self.applies_to.contains(&kind))
            && self.requires.iter().all(|f| has(f))
    }

    /// The check items, one per line of a checklist.
    pub fn check_list(&self) -> Vec<&str> {
        split_items(&self.check_items)
    }

    /// The cells of this entry in [`COLUMNS`] order (for exports and the file format).
    pub fn cells(&self) -> Vec<String> {
        let kinds = if self.applies_to.is_empty() {
            "all".to_string()
        } else {
            self.applies_to
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(";")
        };
        let mut v = vec![
            self.code.clone(),
            self.aspect.as_str().into(),
            self.category.clone(),
            self.category_en.clone(),
            self.point_type.as_str().into(),
            self.name.clone(),
            self.name_en.clone(),
            self.hazard_factors.clone(),
            self.accident_types.clone(),
            self.default_lec.0.to_string(),
            self.default_lec.1.to_string(),
            self.default_lec.2.to_string(),
        ];
        v.extend(self.measures.iter().cloned());
        v.extend([
            self.check_items.clone(),
            self.check_frequency.as_str().into(),
            self.control_level.as_str().into(),
            self.responsible_post.as_str().into(),
            kinds,
            self.requires.join(";"),
        ]);
        v
    }
}

/// Splits a `；`- or `;`-separated list, trimming and dropping empty items.
pub fn split_items(s: &str) -> Vec<&str> {
    s.split(['；', ';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect()
}

fn col(cols: &[Option<usize>], name: &str) -> Option<usize> {
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .and_then(|i| cols.get(i).copied().flatten())
}

/// Parses data rows whose columns were mapped to [`COLUMNS`] (`cols[i]` is the column of
/// `COLUMNS[i]`). Returns every valid entry and every problem; codes must be unique.
pub fn parse_rows(rows: &[Vec<String>], cols: &[Option<usize>]) -> (Vec<Entry>, Vec<RowError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i + 2;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |name: &str| -> String {
            col(cols, name)
                .and_then(|i| r.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let before = errors.len();
        for f in REQUIRED {
            if get(f).is_empty() {
                errors.push(RowError::new(row, f, "err.required", ""));
            }
        }
        let code = get("code");
        if !code.is_empty() {
            let ok = code.len() <= 24
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                errors.push(RowError::new(row, "code", "err.code", &code));
            } else if !seen.insert(code.clone()) {
                errors.push(RowError::new(row, "code", "err.duplicate_in_file", &code));
            }
        }
        let parse_code = |field: &str, errors: &mut Vec<RowError>| -> Option<String> {
            let v = get(field);
            (!v.is_empty()).then_some(v).or_else(|| {
                let _ = errors;
                None
            })
        };
        let aspect = parse_code("aspect", &mut errors).and_then(|v| {
            let p = Aspect::parse_label(&v);
            if p.is_none() {
                errors.push(RowError::new(row, "aspect", "err.catalog.aspect", &v));
            }
            p
        });
        let point_type = parse_code("point_type", &mut errors).and_then(|v| {
            let p = PointType::parse_label(&v);
            if p.is_none() {
                errors.push(RowError::new(
                    row,
                    "point_type",
                    "err.catalog.point_type",
                    &v,
                ));
            }
            p
        });
        let frequency = parse_code("check_frequency", &mut errors).and_then(|v| {
            let p = CheckFrequency::parse_label(&v);
            if p.is_none() {
                errors.push(RowError::new(
                    row,
                    "check_frequency",
                    "err.catalog.frequency",
                    &v,
                ));
            }
            p
        });
        let level = parse_code("control_level", &mut errors).and_then(|v| {
            let p = ControlLevel::parse_label(&v);
            if p.is_none() {
                errors.push(RowError::new(
                    row,
                    "control_level",
                    "err.catalog.control_level",
                    &v,
                ));
            }
            p
        });
        let post = parse_code("responsible_post", &mut errors).and_then(|v| {
            let p = Post::parse_label(&v);
            if p.is_none() {
                errors.push(RowError::new(
                    row,
                    "responsible_post",
                    "err.unknown_post",
                    &v,
                ));
            }
            p
        });
        let mut lec = Vec::new();
        for (field, factor) in [
            ("default_l", Factor::L),
            ("default_e", Factor::E),
            ("default_c", Factor::C),
        ] {
            let v = get(field);
            if v.is_empty() {
                continue;
            }
            match v.parse::<f64>().ok().map(|x| LecValue::parse(factor, x)) {
                Some(Ok(x)) => lec.push(x),
                Some(Err(e)) => errors.push(RowError::new(row, field, e.key, &v)),
                None => errors.push(RowError::new(row, field, "err.not_a_number", &v)),
            }
        }
        let kinds_s = get("applies_to");
        let mut applies_to = Vec::new();
        if !(kinds_s.is_empty() || kinds_s == "all" || kinds_s == "全部") {
            for k in split_items(&kinds_s) {
                match SchoolKind::parse_label(k) {
                    Some(k) => applies_to.push(k),
                    None => errors.push(RowError::new(row, "applies_to", "err.unknown_kind", k)),
                }
            }
        }
        let mut requires = Vec::new();
        for f in split_items(&get("requires")) {
            if FEATURES.contains(&f) {
                requires.push(f.to_string());
            } else {
                errors.push(RowError::new(row, "requires", "err.catalog.feature", f));
            }
        }
        for (field, max) in [("name", 64), ("category", 32)] {
            if get(field).chars().count() > max {
                errors.push(RowError::new(row, field, "err.too_long_64", ""));
            }
        }
        if errors.len() != before {
            continue;
        }
        let (
            Some(aspect),
            Some(point_type),
            Some(check_frequency),
            Some(control_level),
            Some(responsible_post),
            [l, e, c],
        ) = (aspect, point_type, frequency, level, post, lec.as_slice())
        else {
            continue;
        };
        out.push(Entry {
            code,
            aspect,
            category: get("category"),
            category_en: get("category_en"),
            point_type,
            name: get("name"),
            name_en: get("name_en"),
            hazard_factors: get("hazard_factors"),
            accident_types: get("accident_types"),
            default_lec: (*l, *e, *c),
            measures: [0, 1, 2, 3, 4]
                .map(|i| get(&format!("measures_{}", MeasureType::ALL[i].as_str()))),
            check_items: get("check_items"),
            check_frequency,
            control_level,
            responsible_post,
            applies_to,
            requires,
        });
    }
    (out, errors)
}

/// Reads the catalogue's CSV format (a header row with [`COLUMNS`] names, then entries).
pub fn parse_csv(text: &str) -> Result<(Vec<Entry>, Vec<RowError>), String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    if rows.is_empty() {
        return Err("empty file".into());
    }
    let header = rows.remove(0);
    let cols: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| header.iter().position(|h| h.trim() == *c))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .zip(REQUIRED.iter().map(|r| COLUMNS.iter().position(|c| c == r)))
        .filter(|(_, i)| i.and_then(|i| cols[i]).is_none())
        .map(|(r, _)| *r)
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing columns: {}", missing.join(", ")));
    }
    Ok(parse_rows(&rows, &cols))
}

/// The district default catalogue shipped with the platform.
pub const DEFAULT_CSV: &str = include_str!("../../assets/catalog/risk-catalog.csv");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_has_290_valid_points() {
        let (entries, errors) = parse_csv(DEFAULT_CSV).expect("csv");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(entries.len(), 290);
        for a in Aspect::ALL {
            assert!(entries.iter().any(|e| e.aspect == *a), "{a} missing");
        }
        assert!(entries.iter().all(|e| !e.check_list().is_empty()));
    }

    #[test]
    fn the_shipped_defaults_match_their_control_levels() {
        let (entries, _) = parse_csv(DEFAULT_CSV).expect("csv");
        let bands = super::super::risk::LecBands::default();
        for e in &entries {
            let (l, e2, c) = e.default_lec;
            let grade = bands.grade(super::super::risk::lec_score(l, e2, c));
            assert_eq!(
                super::super::risk::default_control_level(grade),
                e.control_level,
                "{}",
                e.code
            );
        }
    }

    #[test]
    fn bad_rows_are_reported_by_row_and_field() {
        let text = DEFAULT_CSV.lines().take(3).collect::<Vec<_>>().join("\n");
        let bad = text
            .replacen(",people,", ",persons,", 1)
            .replacen("R-P-002", "R-P-001", 1);
        let (ok, errors) = parse_csv(&bad).expect("csv");
        assert!(ok.len() < 2);
        assert!(
            errors.iter().any(|e| e.row == 2 && e.field == "aspect"),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.row == 3 && e.field == "code"),
            "{errors:?}"
        );
    }

    #[test]
    fn applicability_follows_kind_and_features() {
        let (entries, _) = parse_csv(DEFAULT_CSV).expect("csv");
        let bus = entries
            .iter()
            .find(|e| e.requires == ["bus"])
            .expect("a bus point");
        assert!(!bus.applies(SchoolKind::Primary, |_| false));
        assert!(bus.applies(SchoolKind::Primary, |f| f == "bus"));
        let kg = entries
            .iter()
            .find(|e| e.applies_to == [SchoolKind::Kindergarten])
            .expect("a kindergarten point");
        assert!(!kg.applies(SchoolKind::Primary, |_| true));
    }
}
