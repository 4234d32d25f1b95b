//! A plan's structured content: the organisation and its roles (people of the school), the
//! response levels, the procedures, the contacts and the resources. Stored as JSON on the
//! plan's row; checked field by field on every write (a field error names its place, e.g.
//! `content.organisation[2].person_id`); names of the school's people are read fresh.

use crate::domain::duty::valid_phone;
use crate::domain::ids::{OrgId, PersonId};
use crate::error::{FieldError, Result};
use crate::storage::entity::person;
use crate::storage::orgs::invalid;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// Most entries of each list.
pub const MAX_ENTRIES: usize = 60;
/// Longest short text (a role, a name, a level, a quantity …), in characters.
pub const MAX_SHORT: usize = 100;
/// Longest long text (duties, criteria, steps …), in characters.
pub const MAX_LONG: usize = 4000;

/// One role of the emergency organisation (总指挥, 疏散引导组组长 …) and who holds it: a
/// person of the school (`person_id`), or for the bureau's plans and outside people a name
/// and phone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRole {
    pub role: String,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    /// The holder's name: read from the person when `person_id` is given.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub duties: String,
    /// The person has left the school's roster (set on reading; ignored when written).
    #[serde(default)]
    pub inactive: bool,
}

/// A response level (Ⅰ级响应 …): when it applies and what is done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseLevel {
    pub level: String,
    #[serde(default)]
    pub criteria: String,
    #[serde(default)]
    pub actions: String,
}

/// A procedure (报告、疏散、救护 …) and its steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    pub title: String,
    #[serde(default)]
    pub steps: String,
}

/// Someone to call (119, the township hospital, the bureau's duty phone …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub phone: String,
}

/// An emergency resource (灭火器, 急救箱, 应急照明 …): how many, where, who keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub name: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub keeper: String,
}

/// What a plan says (every list may be empty while it is drafted).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmergencyPlanContent)]
pub struct PlanContent {
    /// Purpose and scope (编制目的与适用范围).
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub organisation: Vec<PlanRole>,
    #[serde(default)]
    pub levels: Vec<ResponseLevel>,
    #[serde(default)]
    pub procedures: Vec<Procedure>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub resources: Vec<Resource>,
}

impl PlanContent {
    /// The stored JSON (a stored value of the wrong shape reads as empty).
    pub(super) fn from_json(s: &str) -> PlanContent {
        serde_json::from_str(s).unwrap_or_default()
    }

    /// Whether there is anything in it.
    pub fn is_empty(&self) -> bool {
        self.scope.trim().is_empty()
            && self.organisation.is_empty()
            && self.levels.is_empty()
            && self.procedures.is_empty()
            && self.contacts.is_empty()
            && self.resources.is_empty()
    }

    /// Trims every text.
    fn trimmed(mut self) -> PlanContent {
        fn t(s: &mut String) {
            *s = s.trim().to_string();
        }
        t(&mut self.scope);
        for r in &mut self.organisation {
            t(&mut r.role);
            t(&mut r.name);
            t(&mut r.phone);
            t(&mut r.duties);
            r.inactive = false;
        }
        for l in &mut self.levels {
            t(&mut l.level);
            t(&mut l.criteria);
            t(&mut l.actions);
        }
        for p in &mut self.procedures {
            t(&mut p.title);
            t(&mut p.steps);
        }
        for c in &mut self.contacts {
            t(&mut c.name);
            t(&mut c.unit);
            t(&mut c.phone);
        }
        for r in &mut self.resources {
            t(&mut r.name);
            t(&mut r.quantity);
            t(&mut r.location);
            t(&mut r.keeper);
        }
        self
    }
}

/// A short service number (110, 119, 120, 12345 …): 3 to 5 digits.
fn short_number(s: &str) -> bool {
    (3..=5).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
}

struct Check(Vec<FieldError>);

impl Check {
    fn text(&mut self, field: String, v: &str, max: usize, required: bool) {
        if required && v.is_empty() {
            self.0.push(FieldError::new(field, "err.required"));
        } else if v.chars().count() > max {
            self.0.push(FieldError::new(field, "err.plan.too_long"));
        }
    }

    fn phone(&mut self, field: String, v: &str, required: bool) {
        if v.is_empty() {
            if required {
                self.0.push(FieldError::new(field, "err.required"));
            }
        } else if !(valid_phone(v) || short_number(v)) {
            self.0.push(FieldError::new(field, "err.plan.phone"));
        }
    }

    fn count(&mut self, field: &str, n: usize) {
        if n > MAX_ENTRIES {
            self.0.push(FieldError::new(
                format!("content.{field}"),
                "err.plan.too_many",
            ));
        }
    }
}

/// Checks and trims a plan's content for the plan of `org` (`school`: whether it is a school,
/// whose people the roles may name). A person must be an active person of that school; the
/// bureau's plans name their people by name. Returns the content to store (a role naming a
/// person keeps no copy of the name), or 422 with every field error.
pub(super) async fn check(
    conn: &impl ConnectionTrait,
    org: OrgId,
    school: bool,
    content: PlanContent,
) -> Result<PlanContent> {
    let mut c = content.trimmed();
    let mut k = Check(Vec::new());
    k.text("content.scope".into(), &c.scope, MAX_LONG, false);
    k.count("organisation", c.organisation.len());
    k.count("levels", c.levels.len());
    k.count("procedures", c.procedures.len());
    k.count("contacts", c.contacts.len());
    k.count("resources", c.resources.len());
    if !k.0.is_empty() {
        return Err(invalid(k.0));
    }
    let ids: Vec<PersonId> = c.organisation.iter().filter_map(|r| r.person_id).collect();
    let people: HashMap<PersonId, person::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        person::Entity::find()
            .filter(person::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    for (i, r) in c.organisation.iter_mut().enumerate() {
        let at = |f: &str| format!("content.organisation[{i}].{f}");
        k.text(at("role"), &r.role, MAX_SHORT, true);
        k.text(at("duties"), &r.duties, MAX_LONG, false);
        match r.person_id {
            Some(p) => {
                let ok = school && people.get(&p).is_some_and(|m| m.org_id == org && m.active);
                if ok {
                    r.name.clear();
                    r.phone.clear();
                } else {
                    k.0.push(FieldError::new(at("person_id"), "err.plan.person_not_here"));
                }
            }
            None => {
                k.text(at("name"), &r.name, MAX_SHORT, true);
                k.phone(at("phone"), &r.phone, false);
            }
        }
    }
    for (i, l) in c.levels.iter().enumerate() {
        let at = |f: &str| format!("content.levels[{i}].{f}");
        k.text(at("level"), &l.level, MAX_SHORT, true);
        k.text(at("criteria"), &l.criteria, MAX_LONG, false);
        k.text(at("actions"), &l.actions, MAX_LONG, false);
    }
    for (i, p) in c.procedures.iter().enumerate() {
        let at = |f: &str| format!("content.procedures[{i}].{f}");
        k.text(at("title"), &p.title, MAX_SHORT, true);
        k.text(at("steps"), &p.steps, MAX_LONG, false);
    }
    for (i, x) in c.contacts.iter().enumerate() {
        let at = |f: &str| format!("content.contacts[{i}].{f}");
        k.text(at("name"), &x.name, MAX_SHORT, true);
        k.text(at("unit"), &x.unit, MAX_SHORT, false);
        k.phone(at("phone"), &x.phone, true);
    }
    for (i, x) in c.resources.iter().enumerate() {
        let at = |f: &str| format!("content.resources[{i}].{f}");
        k.text(at("name"), &x.name, MAX_SHORT, true);
        for (f, v) in [
            ("quantity", &x.quantity),
            ("location", &x.location),
            ("keeper", &x.keeper),
        ] {
            k.text(at(f), v, MAX_SHORT, false);
        }
    }
    if k.0.is_empty() {
        Ok(c)
    } else {
        Err(invalid(k.0))
    }
}

/// Fills the roles that name a person with the person's current name and phone, marking
/// those who are no longer on the school's roster.
pub(super) fn resolve(c: &mut PlanContent, people: &HashMap<PersonId, person::Model>) {
    for r in &mut c.organisation {
        if let Some(id) = r.person_id {
            match people.get(&id) {
                Some(p) => {
                    r.name = p.name.clone();
                    r.phone = p.phone.clone();
                    r.inactive = !p.active;
                }
                None => r.inactive = true,
            }
        }
    }
}
