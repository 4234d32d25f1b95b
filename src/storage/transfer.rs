//! Excel import and export of schools and people (F-ORG-5). An import is checked row by row;
//! if any row is wrong, nothing is written and the report lists every problem with its row
//! number; otherwise all rows are written in one transaction and audited as one event.

use super::audit::Event;
use super::entity::{org, person};
use super::orgs::{apply_features, check_org_text, check_school_fields, insert_org};
use super::views::{Features, Person, School};
use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::domain::org::{OrgLevel, OrgPath, SchoolKind, valid_code};
use crate::domain::person::Post;
use crate::error::{Error, Result};
use crate::storage::orgs::OrgAudit;
use crate::storage::{People, Schools};
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

pub use crate::domain::catalog::RowError;

/// What an import did, or would have done.
#[derive(Debug, Clone, Serialize, ToSchema, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
}

/// School sheet columns: field names; labels come from the catalogue (`field.<name>`).
pub const SCHOOL_FIELDS: &[&str] = &[
    "code",
    "name",
    "name_en",
    "kind",
    "district",
    "students",
    "staff",
    "area_m2",
    "address",
    "lat",
    "lng",
    "phone",
    "boarding",
    "has_bus",
    "has_canteen",
    "has_lab",
    "has_pool",
    "near_water",
    "has_dormitory",
    "has_boiler",
    "has_elevator",
    "has_gas",
];
pub const SCHOOL_REQUIRED: &[&str] = &["code", "name", "kind"];

pub const PEOPLE_FIELDS: &[&str] = &["name", "post", "phone", "note"];
pub const PEOPLE_REQUIRED: &[&str] = &["name", "post"];

/// A parsed school row.
struct SchoolIn {
    row: usize,
    code: String,
    name: String,
    name_en: Option<String>,
    kind: SchoolKind,
    district: Option<String>,
    students: i32,
    staff: i32,
    area_m2: i32,
    address: String,
    lat: Option<f64>,
    lng: Option<f64>,
    phone: String,
    features: Features,
}

/// Reads yes/no cells: 是/否, Y/N, true/false, 1/0, empty = no.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "否" | "n" | "no" | "false" | "0" | "无" => Some(false),
        "是" | "y" | "yes" | "true" | "1" | "有" => Some(true),
        _ => None,
    }
}

fn cell(row: &[String], idx: Option<usize>) -> &str {
    idx.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("")
}

fn err(row: usize, field: &str, key: &str, value: &str) -> RowError {
    RowError {
        row,
        field: field.into(),
        message: key.into(),
        value: value.chars().take(60).collect(),
    }
}

fn parse_int(row: usize, field: &str, s: &str, errors: &mut Vec<RowError>) -> i32 {
    if s.is_empty() {
        return 0;
    }
    match s.parse::<i32>() {
        Ok(v) if v >= 0 => v,
        _ => {
            errors.push(err(row, field, "err.not_a_count", s));
            0
        }
    }
}

fn parse_coord(row: usize, field: &str, s: &str, errors: &mut Vec<RowError>) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(err(row, field, "err.not_a_number", s));
            None
        }
    }
}

/// Parses the school rows (after the header); `cols[i]` is the column of `SCHOOL_FIELDS[i]`.
fn parse_schools(
    rows: &[Vec<String>],
    cols: &[Option<usize>],
    errors: &mut Vec<RowError>,
) -> Vec<SchoolIn> {
    let col = |f: &str| {
        cols[SCHOOL_FIELDS
            .iter()
            .position(|x| *x == f)
            .expect("known field")]
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i + 2;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let before = errors.len();
        let code = cell(r, col("code")).to_string();
        if !valid_code(&code) {
            errors.push(err(row, "code", "err.code", &code));
        } else if !seen.insert(code.clone()) {
            errors.push(err(row, "code", "err.duplicate_in_file", &code));
        }
        let name = cell(r, col("name")).to_string();
        let kind_s = cell(r, col("kind"));
        let kind = SchoolKind::parse_label(kind_s);
        if kind.is_none() {
            errors.push(err(row, "kind", "err.unknown_kind", kind_s));
        }
        let students = parse_int(row, "students", cell(r, col("students")), errors);
        let staff = parse_int(row, "staff", cell(r, col("staff")), errors);
        let area_m2 = parse_int(row, "area_m2", cell(r, col("area_m2")), errors);
        let lat = parse_coord(row, "lat", cell(r, col("lat")), errors);
        let lng = parse_coord(row, "lng", cell(r, col("lng")), errors);
        let phone = cell(r, col("phone")).to_string();
        let name_en = Some(cell(r, col("name_en")).to_string()).filter(|s| !s.is_empty());
        let address = cell(r, col("address")).to_string();
        for fe in check_school_fields(Some(&name), None, None, None, lat, lng, Some(&phone))
            .into_iter()
            .chain(check_org_text(name_en.as_deref(), Some(&address)))
        {
            errors.push(err(row, &fe.field, &fe.message, ""));
        }
        let mut features = Features::default();
        for (f, _) in Features::default().list() {
            let s = cell(r, col(f));
            match parse_bool(s) {
                Some(v) => {
                    features.set(f, v);
                }
                None => errors.push(err(row, f, "err.yes_no", s)),
            }
        }
        let district = Some(cell(r, col("district")).to_string()).filter(|s| !s.is_empty());
        if errors.len() == before
            && let Some(kind) = kind
        {
            out.push(SchoolIn {
                row,
                code,
                name,
                name_en,
                kind,
                district,
                students,
                staff,
                area_m2,
                address,
                lat,
                lng,
                phone,
                features,
            });
        }
    }
    out
}

impl Schools<'_> {
    /// Imports school rows (the header already mapped to `cols`). All or nothing.
    pub async fn import(
        &self,
        rows: &[Vec<String>],
        cols: &[Option<usize>],
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let parsed = parse_schools(rows, cols, &mut report.errors);
        let mut tx = self
            .begin(Event::new(OrgAudit::SchoolImport, "school", ""))
            .await?;
        let res: Result<()> = async {
            // Districts the caller may place schools in, by code.
            let districts: HashMap<String, org::Model> = org::Entity::find()
                .filter(self.org_scope())
                .filter(org::Column::Level.eq(OrgLevel::District.as_str()))
                .all(&tx.txn)
                .await?
                .into_iter()
                .map(|d| (d.code.clone(), d))
                .collect();
            let default_district = (self.actor.org_level == Some(OrgLevel::District))
                .then_some(self.actor.org_id)
                .flatten();
            for s in &parsed {
                let existing = org::Entity::find()
                    .filter(org::Column::Code.eq(&s.code))
                    .one(&tx.txn)
                    .await?;
                match existing {
                    Some(m) => {
                        let in_scope = OrgPath::parse(&m.path)
                            .is_some_and(|p| self.actor.scope().contains(&p));
                        if !in_scope || m.level != OrgLevel::School.as_str() {
                            // Nothing about the holder of the code (its school, its district)
                            // is told to someone outside its scope.
                            report
                                .errors
                                .push(err(s.row, "code", "err.code_unusable", &s.code));
                            continue;
                        }
                        let mut am = m.into_active_model();
                        am.name = Set(s.name.clone());
                        am.name_en = Set(s.name_en.clone());
                        am.school_kind = Set(Some(s.kind.as_str().into()));
                        am.students = Set(s.students);
                        am.staff = Set(s.staff);
                        am.area_m2 = Set(s.area_m2);
                        am.address = Set(s.address.clone());
                        am.lat = Set(s.lat);
                        am.lng = Set(s.lng);
                        am.phone = Set(s.phone.clone());
                        apply_features(&mut am, &s.features);
                        am.updated_at = Set(Utc::now());
                        am.update(&tx.txn).await?;
                        report.updated += 1;
                    }
                    None => {
                        let district = match &s.district {
                            Some(code) => districts.get(code).map(|d| d.id),
                            None => default_district,
                        };
                        let Some(did) = district else {
                            report.errors.push(err(
                                s.row,
                                "district",
                                "err.district_unknown",
                                s.district.as_deref().unwrap_or(""),
                            ));
                            continue;
                        };
                        let d = org::Entity::find_by_id(did)
                            .one(&tx.txn)
                            .await?
                            .ok_or(Error::NotFound)?;
                        let pp = OrgPath::parse(&d.path).ok_or(Error::NotFound)?;
                        insert_org(
                            &tx.txn,
                            &pp,
                            did,
                            OrgLevel::School,
                            &s.code,
                            &s.name,
                            s.name_en.clone(),
                            |am| {
                                am.school_kind = Set(Some(s.kind.as_str().into()));
                                am.students = Set(s.students);
                                am.staff = Set(s.staff);
                                am.area_m2 = Set(s.area_m2);
                                am.address = Set(s.address.clone());
                                am.lat = Set(s.lat);
                                am.lng = Set(s.lng);
                                am.phone = Set(s.phone.clone());
                                apply_features(am, &s.features);
                            },
                        )
                        .await?;
                        report.created += 1;
                    }
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = res {
            return Err(tx.fail(e).await);
        }
        if !report.errors.is_empty() {
            report.errors.sort_by_key(|e| e.row);
            report.created = 0;
            report.updated = 0;
            tx.txn.rollback().await.ok();
            return Ok(report);
        }
        tx.event.detail = format!("created={} updated={}", report.created, report.updated);
        tx.commit().await?;
        Ok(report)
    }
}

impl People<'_> {
    /// Imports people into a school: a row with the same name and post updates that person.
    pub async fn import(
        &self,
        school: OrgId,
        rows: &[Vec<String>],
        cols: &[Option<usize>],
    ) -> Result<ImportReport> {
        let col = |f: &str| {
            cols[PEOPLE_FIELDS
                .iter()
                .position(|x| *x == f)
                .expect("known field")]
        };
        let mut report = ImportReport::default();
        let mut parsed = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let row = i + 2;
            if r.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let name = cell(r, col("name")).to_string();
            let post_s = cell(r, col("post"));
            let phone = cell(r, col("phone")).to_string();
            let note = cell(r, col("note")).to_string();
            let before = report.errors.len();
            for fe in super::people::check_person(&name, &phone, &note) {
                let value = match fe.field.as_str() {
                    "name" => &name,
                    "phone" => &phone,
                    _ => "",
                };
                report.errors.push(err(row, &fe.field, &fe.message, value));
            }
            let post = Post::parse_label(post_s);
            if post.is_none() {
                report
                    .errors
                    .push(err(row, "post", "err.unknown_post", post_s));
            }
            if report.errors.len() == before
                && let Some(post) = post
            {
                parsed.push((name, post, phone, note));
            }
        }
        let (mut tx, school) = self
            .begin_for_school(Event::new(OrgAudit::PersonImport, "school", school), school)
            .await?;
        let res: Result<()> = async {
            self.school_row(school.org_id(), &tx.txn).await?;
            if !report.errors.is_empty() {
                return Ok(());
            }
            let now = Utc::now();
            for (name, post, phone, note) in &parsed {
                let existing = person::Entity::find()
                    .filter(person::Column::OrgId.eq(school))
                    .filter(person::Column::Name.eq(name))
                    .filter(person::Column::Post.eq(post.as_str()))
                    .filter(person::Column::Active.eq(true))
                    .one(&tx.txn)
                    .await?;
                match existing {
                    Some(m) => {
                        let mut am = m.into_active_model();
                        am.phone = Set(phone.clone());
                        am.note = Set(note.clone());
                        am.updated_at = Set(now);
                        am.update(&tx.txn).await?;
                        report.updated += 1;
                    }
                    None => {
                        super::people::new_person(school.org_id(), name, *post, phone, note)
                            .insert(&tx.txn)
                            .await?;
                        report.created += 1;
                    }
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = res {
            return Err(tx.fail(e).await);
        }
        if !report.errors.is_empty() {
            tx.txn.rollback().await.ok();
            report.created = 0;
            report.updated = 0;
            return Ok(report);
        }
        tx.event.detail = format!("created={} updated={}", report.created, report.updated);
        tx.commit().await?;
        Ok(report)
    }
}

/// The export rows of schools, in `SCHOOL_FIELDS` order; `label` names kinds in the sheet's
/// language.
pub fn school_rows(
    schools: &[School],
    label: impl Fn(SchoolKind) -> String,
    yes: &str,
    no: &str,
) -> Vec<Vec<crate::xlsx::Cell>> {
    use crate::xlsx::Cell;
    schools
        .iter()
        .map(|s| {
            let mut r = vec![
                Cell::Text(s.code.clone()),
                Cell::Text(s.name.clone()),
                Cell::Text(s.name_en.clone().unwrap_or_default()),
                Cell::Text(label(s.kind)),
                Cell::Text(s.district.code.clone()),
                Cell::Int(s.students.into()),
                Cell::Int(s.staff.into()),
                Cell::Int(s.area_m2.into()),
                Cell::Text(s.address.clone()),
                s.lat.map(Cell::Float).unwrap_or(Cell::Empty),
                s.lng.map(Cell::Float).unwrap_or(Cell::Empty),
                Cell::Text(s.phone.clone()),
            ];
            for (_, v) in s.features.list() {
                r.push(Cell::Text(if v { yes } else { no }.into()));
            }
            r
        })
        .collect()
}

pub fn people_rows(
    people: &[Person],
    label: impl Fn(Post) -> String,
) -> Vec<Vec<crate::xlsx::Cell>> {
    use crate::xlsx::Cell;
    people
        .iter()
        .map(|p| {
            vec![
                Cell::Text(p.name.clone()),
                Cell::Text(label(p.post)),
                Cell::Text(p.phone.clone()),
                Cell::Text(p.note.clone()),
            ]
        })
        .collect()
}
