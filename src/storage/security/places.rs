//! Where a register entry is, as the rules read it: an entry records its place as the text
//! `location` (a device's entry takes its zone's name), and a device that is the entry sits in
//! one of the school's zones. The kinds of the zones an entry is at are the zone its location
//! names (a zone of its school with that name) and its devices' zones, each with the zones it
//! lies within (a floor within a dormitory building). Only the dormitory access-control rule
//! reads them, so only the access-control entries of boarding schools are placed.

use super::super::entity::{device, org, security_equipment as equipment, zone};
use crate::domain::Code;
use crate::domain::ids::{EquipmentId, OrgId, ZoneId};
use crate::domain::org::ZoneType;
use crate::domain::security::EquipmentKind;
use crate::error::Result;
use crate::storage::read::{ReadAll as _, Reader};
use sea_orm::prelude::*;
use std::collections::{HashMap, HashSet};

/// The zone kinds each entry is at (entries not placed are absent).
pub(super) type Places = HashMap<EquipmentId, Vec<ZoneType>>;

/// How deep a zone tree is followed (a guard against a parent cycle written by hand).
const MAX_DEPTH: usize = 16;

/// The places of the access-control entries among `rows` of the boarding schools among
/// `schools`.
pub(super) async fn places(
    read: &Reader,
    schools: &[org::Model],
    rows: &[equipment::Model],
) -> Result<Places> {
    let boarding: HashSet<OrgId> = schools
        .iter()
        .filter(|s| s.boarding)
        .map(|s| s.id)
        .collect();
    let placed: Vec<&equipment::Model> = rows
        .iter()
        .filter(|r| {
            r.kind == EquipmentKind::AccessControl.as_str() && boarding.contains(&r.school_id)
        })
        .collect();
    let mut out = Places::new();
    if placed.is_empty() {
        return Ok(out);
    }
    let at: Vec<OrgId> = placed
        .iter()
        .map(|r| r.school_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let zones = zone::Entity::find()
        .filter(zone::Column::SchoolId.is_in(at))
        .read_all(read)
        .await?;
    let by_id: HashMap<ZoneId, &zone::Model> = zones.iter().map(|z| (z.id, z)).collect();
    let ids: Vec<EquipmentId> = placed.iter().map(|r| r.id).collect();
    let devices = device::Entity::find()
        .filter(device::Column::EquipmentId.is_in(ids))
        .read_all(read)
        .await?;
    for r in placed {
        let name = r.location.trim();
        let mut starts: Vec<ZoneId> = zones
            .iter()
            .filter(|z| z.school_id == r.school_id && !name.is_empty() && z.name.trim() == name)
            .map(|z| z.id)
            .collect();
        starts.extend(
            devices
                .iter()
                .filter(|d| d.equipment_id == Some(r.id))
                .filter_map(|d| d.zone_id),
        );
        let mut kinds = Vec::new();
        for start in starts {
            let mut next = Some(start);
            for _ in 0..MAX_DEPTH {
                let Some(z) = next.and_then(|id| by_id.get(&id)) else {
                    break;
                };
                if z.school_id != r.school_id {
                    break;
                }
                if let Some(k) = ZoneType::parse(&z.zone_type)
                    && !kinds.contains(&k)
                {
                    kinds.push(k);
                }
                next = z.parent_id;
            }
        }
        out.insert(r.id, kinds);
    }
    Ok(out)
}
