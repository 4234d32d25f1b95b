//! The city's view of the calendar: a row per district aggregating its schools (and the
//! bureau's own obligations), a column per obligation of the plans (the districts' plans
//! have their own obligations, so a column gathers those with the same item, evidence, kind
//! and frequency), each cell the done / late / missed / due counts; a district leads to its
//! school grid.

use crate::domain::ids::OrgId;
use crate::domain::work_plan::Status;
use crate::storage::compliance::{Calendar, Cell};

/// Done, late, missed, due.
pub type Tally = (usize, usize, usize, usize);

/// One district of the city's grid.
pub struct DistrictRow {
    pub id: OrgId,
    pub name: String,
    pub cells: Vec<Option<Tally>>,
    /// The district's counts over every column.
    pub total: Tally,
}

fn add(t: &mut Tally, s: Status) {
    match s {
        Status::Done => t.0 += 1,
        Status::Late => t.1 += 1,
        Status::Missed => t.2 += 1,
        Status::Due => t.3 += 1,
    }
}

/// The columns (labels) and the districts' rows of a city's calendar; `label` names the
/// obligation of a cell.
pub fn grid(cal: &Calendar, label: impl Fn(&Cell) -> String) -> (Vec<String>, Vec<DistrictRow>) {
    let key = |x: &Cell| {
        (
            x.item_number,
            x.evidence_kind,
            x.kind.clone(),
            x.every,
            x.required,
        )
    };
    let mut keys = Vec::new();
    let mut columns = Vec::new();
    let mut sorted: Vec<&Cell> = cal.items.iter().collect();
    sorted.sort_by_key(|x| (x.item_number, x.obligation_id));
    for x in sorted {
        let k = key(x);
        if !keys.contains(&k) {
            keys.push(k);
            columns.push(label(x));
        }
    }
    let rows = cal
        .districts
        .iter()
        .map(|(id, name)| {
            let mut cells: Vec<Option<Tally>> = vec![None; keys.len()];
            let mut total = Tally::default();
            for x in cal.items.iter().filter(|x| x.district_id == *id) {
                if let Some(i) = keys.iter().position(|k| *k == key(x)) {
                    add(cells[i].get_or_insert_with(Tally::default), x.status);
                    add(&mut total, x.status);
                }
            }
            DistrictRow {
                id: *id,
                name: name.clone(),
                cells,
                total,
            }
        })
        .collect();
    (columns, rows)
}
