//! Excel import and export of a school's campus zones (网格): code, name, type, parent zone,
//! responsible person, site-plan rectangle. Import is checked row by row and written all or
//! nothing; zones are matched by code (existing ones are updated).

use super::audit::Event;
use super::entity::{person, zone};
use super::transfer::{ImportReport, RowError};
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId, ZoneId};
use crate::domain::org::{ZoneType, valid_code};
use crate::error::Result;
use crate::storage::Zones;
use crate::storage::orgs::OrgAudit;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel};
use std::collections::{HashMap, HashSet};

pub const ZONE_FIELDS: &[&str] = &[
    "code",
    "name",
    "zone_type",
    "parent",
    "responsible",
    "x",
    "y",
    "w",
    "h",
];
pub const ZONE_REQUIRED: &[&str] = &["code", "name", "zone_type"];

/// One checked row.
struct ZoneIn {
    code: String,
    name: String,
    zone_type: ZoneType,
    parent: Option<String>,
    responsible: Option<PersonId>,
    rect: Option<(i32, i32, i32, i32)>,
}

fn err(row: usize, field: &str, key: &str, value: &str) -> RowError {
    RowError::new(row, field, key, value)
}

impl Zones<'_> {
    /// Imports zone rows into a school (the header already mapped to `cols`).
    pub async fn import(
        &self,
        school: OrgId,
        rows: &[Vec<String>],
        cols: &[Option<usize>],
    ) -> Result<ImportReport> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(OrgAudit::ZoneImport, "school", school), school)
            .await?;
        let res: Result<ImportReport> = async {
            self.school_row(school.org_id(), &tx.txn).await?;
            let existing: HashMap<String, zone::Model> = zone::Entity::find()
                .filter(zone::Column::SchoolId.eq(school))
                .all(&tx.txn)
                .await?
                .into_iter()
                .map(|z| (z.code.clone(), z))
                .collect();
            let mut by_name: HashMap<String, Vec<PersonId>> = HashMap::new();
            for p in person::Entity::find()
                .filter(person::Column::OrgId.eq(school))
                .filter(person::Column::Active.eq(true))
                .all(&tx.txn)
                .await?
            {
                by_name.entry(p.name).or_default().push(p.id);
            }
            let (parsed, mut errors) = parse(rows, cols, &by_name);
            let codes: HashSet<&str> = parsed
                .iter()
                .map(|(_, z)| z.code.as_str())
                .chain(existing.keys().map(String::as_str))
                .collect();
            for (row, z) in &parsed {
                if let Some(p) = &z.parent
                    && (p == &z.code || !codes.contains(p.as_str()))
                {
                    errors.push(err(*row, "parent", "err.zone_parent", p));
                }
            }
            // Parent chains must end: follow each zone's parent (file first, then database).
            let parent_of: HashMap<&str, &str> = existing
                .values()
                .filter_map(|z| {
                    let p = z.parent_id?;
                    let pc = existing.values().find(|x| x.id == p)?;
                    Some((z.code.as_str(), pc.code.as_str()))
                })
                .chain(
                    parsed
                        .iter()
                        .filter_map(|(_, z)| Some((z.code.as_str(), z.parent.as_deref()?))),
                )
                .collect();
            for (row, z) in &parsed {
                let mut seen = HashSet::new();
                let mut cur = z.code.as_str();
                while let Some(p) = parent_of.get(cur) {
                    if !seen.insert(*p) {
                        errors.push(err(*row, "parent", "err.zone_cycle", &z.code));
                        break;
                    }
                    cur = p;
                }
            }
            if !errors.is_empty() {
                errors.sort_by_key(|e| e.row);
                errors.dedup();
                return Ok(ImportReport {
                    created: 0,
                    updated: 0,
                    errors,
                });
            }
            let now = Utc::now();
            let mut report = ImportReport::default();
            let mut ids: HashMap<String, ZoneId> =
                existing.iter().map(|(c, z)| (c.clone(), z.id)).collect();
            for (_, z) in &parsed {
                let rect = z.rect;
                let m = match existing.get(&z.code) {
                    Some(m) => {
                        let mut am = m.clone().into_active_model();
                        am.name = Set(z.name.clone());
                        am.zone_type = Set(z.zone_type.as_str().into());
                        am.responsible_person_id = Set(z.responsible);
                        am.x = Set(rect.map(|r| r.0));
                        am.y = Set(rect.map(|r| r.1));
                        am.w = Set(rect.map(|r| r.2));
                        am.h = Set(rect.map(|r| r.3));
                        am.updated_at = Set(now);
                        report.updated += 1;
                        am.update(&tx.txn).await?
                    }
                    None => {
                        report.created += 1;
                        zone::ActiveModel {
                            school_id: Set(school.org_id()),
                            parent_id: Set(None),
                            code: Set(z.code.clone()),
                            name: Set(z.name.clone()),
                            zone_type: Set(z.zone_type.as_str().into()),
                            x: Set(rect.map(|r| r.0)),
                            y: Set(rect.map(|r| r.1)),
                            w: Set(rect.map(|r| r.2)),
                            h: Set(rect.map(|r| r.3)),
                            responsible_person_id: Set(z.responsible),
                            created_at: Set(now),
                            updated_at: Set(now),
                            ..Default::default()
                        }
                        .insert(&tx.txn)
                        .await?
                    }
                };
                ids.insert(m.code.clone(), m.id);
            }
            // Parents once every zone of the file exists.
            for (_, z) in &parsed {
                let parent = z.parent.as_ref().and_then(|p| ids.get(p).copied());
                zone::Entity::update_many()
                    .col_expr(zone::Column::ParentId, Expr::value(parent))
                    .filter(zone::Column::SchoolId.eq(school))
                    .filter(zone::Column::Code.eq(&z.code))
                    .exec(&tx.txn)
                    .await?;
            }
            Ok(report)
        }
        .await;
        match res {
            Ok(r) if r.errors.is_empty() => {
                tx.event.detail = format!("created={} updated={}", r.created, r.updated);
                tx.commit().await?;
                Ok(r)
            }
            Ok(r) => {
                tx.txn.rollback().await.ok();
                Ok(r)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

fn parse(
    rows: &[Vec<String>],
    cols: &[Option<usize>],
    people: &HashMap<String, Vec<PersonId>>,
) -> (Vec<(usize, ZoneIn)>, Vec<RowError>) {
    let col = |f: &str| {
        cols[ZONE_FIELDS
            .iter()
            .position(|x| *x == f)
            .expect("known field")]
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i + 2;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |f: &str| {
            col(f)
                .and_then(|i| r.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let before = errors.len();
        let code = get("code");
        if !valid_code(&code) {
            errors.push(err(row, "code", "err.code", &code));
        } else if !seen.insert(code.clone()) {
            errors.push(err(row, "code", "err.duplicate_in_file", &code));
        }
        let name = get("name");
        if name.is_empty() {
            errors.push(err(row, "name", "err.required", &name));
        } else if name.chars().count() > 64 {
            errors.push(err(row, "name", "err.too_long_64", &name));
        }
        let t = get("zone_type");
        let zone_type = ZoneType::parse_label(&t);
        if zone_type.is_none() {
            errors.push(err(row, "zone_type", "err.zone_type", &t));
        }
        let who = get("responsible");
        let responsible = if who.is_empty() {
            None
        } else {
            match people.get(&who).map(Vec::as_slice) {
                Some([one]) => Some(*one),
                Some(_) => {
                    errors.push(err(row, "responsible", "err.person_ambiguous", &who));
                    None
                }
                None => {
                    errors.push(err(row, "responsible", "err.person_not_here", &who));
                    None
                }
            }
        };
        let nums: Vec<String> = ["x", "y", "w", "h"].iter().map(|f| get(f)).collect();
        let rect = if nums.iter().all(String::is_empty) {
            None
        } else {
            let parsed: Vec<Option<i32>> = nums.iter().map(|s| s.parse().ok()).collect();
            match parsed.as_slice() {
                [Some(x), Some(y), Some(w), Some(h)]
                    if *x >= 0 && *y >= 0 && *w > 0 && *h > 0 && x + w <= 1000 && y + h <= 700 =>
                {
                    Some((*x, *y, *w, *h))
                }
                _ => {
                    errors.push(err(row, "x", "err.rect_outside", &nums.join(",")));
                    None
                }
            }
        };
        let parent = Some(get("parent")).filter(|p| !p.is_empty());
        if errors.len() == before
            && let Some(zone_type) = zone_type
        {
            out.push((
                row,
                ZoneIn {
                    code,
                    name,
                    zone_type,
                    parent,
                    responsible,
                    rect,
                },
            ));
        }
    }
    (out, errors)
}
