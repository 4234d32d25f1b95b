//! The leading group (安全工作领导小组, item 2 of the work plan) of the bureau and of every
//! school: leader, deputies, members with their duties, the safety director, and a school's
//! legal vice-principal (法制副校长, from the police station). A school's members are people
//! of its register, by id (names read fresh, leavers marked); a bureau's are named. The gaps
//! (no group, no leader, no safety director, no legal vice-principal) are computed on
//! reading, for one org or every org under a bureau.

use super::audit::Event;
use super::entity::{leading_group as group, org, person};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::person::{mask_phone, valid_phone};
use crate::domain::responsibility::{GroupFacts, GroupGap, GroupRole, gaps};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::policy::{self, Action};
use crate::storage::LeadingGroups;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait as _;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

closed_codes! {
    AuditCode:
    /// What the leading groups write.
    pub enum GroupAudit {
        Save = "leading_group.save",
    }
}

const MAX_MEMBERS: usize = 50;
const MAX_TEXT: usize = 200;

/// A member of a group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Member {
    pub role: GroupRole,
    /// A person of the school's register.
    #[serde(default)]
    pub person_id: Option<PersonId>,
    /// The name (read fresh from the register for a person).
    #[serde(default)]
    pub name: String,
    /// The person's duties in the group.
    #[serde(default)]
    pub duty: String,
    /// The person has left the school's register.
    #[serde(default, skip_deserializing)]
    pub left: bool,
}

/// The legal vice-principal (法制副校长): an officer of the local police station.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LegalVicePrincipal {
    pub name: String,
    /// The police station.
    pub unit: String,
    /// Masked for the roles that do not manage people.
    #[serde(default)]
    pub phone: String,
}

/// The safety director of the org: a person of the school's register, or a name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Director {
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeadingGroup {
    pub org_id: OrgId,
    pub org_name: String,
    pub school: bool,
    /// Whether the group was ever recorded.
    pub exists: bool,
    pub members: Vec<Member>,
    pub safety_director: Option<Director>,
    pub legal_vice_principal: Option<LegalVicePrincipal>,
    pub gaps: Vec<GroupGap>,
    pub version: i32,
    pub updated_by_name: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The whole group (`PUT /api/v1/orgs/{id}/leading-group`); `version`, when given, must be
/// the stored one (else 409).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub members: Vec<MemberInput>,
    #[serde(default)]
    pub safety_director: Option<Director>,
    #[serde(default)]
    pub legal_vice_principal: Option<LegalVicePrincipal>,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub role: GroupRole,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub duty: String,
}

impl LeadingGroups<'_> {
    /// The group of an org in scope (a district or a school; an empty one with its gaps
    /// when none was recorded).
    pub async fn get(&self, id: OrgId) -> Result<LeadingGroup> {
        let o = self.org_row(id, &self.read).await?;
        self.permit()?;
        Ok(self.groups(vec![o]).await?.remove(0))
    }

    /// The groups of the org under `org` (the caller's own by default) and of every school
    /// below it, those with gaps first.
    pub async fn list(&self, org: Option<OrgId>) -> Result<Vec<LeadingGroup>> {
        let root = match org {
            Some(id) => self.org_row(id, &self.read).await?,
            None => {
                self.org_row(self.actor.org_id.ok_or(Error::NotFound)?, &self.read)
                    .await?
            }
        };
        self.permit()?;
        let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
        let orgs = org::Entity::find()
            .filter(self.org_scope())
            .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
            .filter(org::Column::Level.ne(OrgLevel::City.as_str()))
            .order_by_asc(org::Column::Path)
            .read_all(&self.read)
            .await?;
        let mut out = self.groups(orgs).await?;
        out.sort_by_key(|g| (g.gaps.is_empty(), g.school));
        Ok(out)
    }

    async fn groups(&self, orgs: Vec<org::Model>) -> Result<Vec<LeadingGroup>> {
        let rows = group::Entity::find()
            .filter(group::Column::OrgId.is_in(orgs.iter().map(|o| o.id)))
            .read_all(&self.read)
            .await?;
        let people = person::Entity::find()
            .filter(person::Column::OrgId.is_in(orgs.iter().map(|o| o.id)))
            .read_all(&self.read)
            .await?;
        let full_phone = policy::allows(self.actor.role, Action::PersonWrite);
        let name_of = |id: PersonId| people.iter().find(|p| p.id == id && p.active);
        let mut out = Vec::new();
        for o in orgs {
            let school = o.level == OrgLevel::School.as_str();
            let row = rows.iter().find(|r| r.org_id == o.id);
            let mut members: Vec<Member> = row
                .map(|r| serde_json::from_str(&r.members).unwrap_or_default())
                .unwrap_or_default();
            for m in &mut members {
                if let Some(p) = m.person_id {
                    match name_of(p) {
                        Some(x) => m.name = x.name.clone(),
                        None => m.left = true,
                    }
                }
            }
            let director = row.and_then(|r| {
                let person_id = r.safety_director_person_id.map(PersonId);
                let name = match person_id {
                    Some(p) => name_of(p).map(|x| x.name.clone())?,
                    None => r.safety_director_name.clone(),
                };
                (!name.is_empty()).then_some(Director { person_id, name })
            });
            let legal = row
                .filter(|r| !r.legal_vp_name.is_empty())
                .map(|r| LegalVicePrincipal {
                    name: r.legal_vp_name.clone(),
                    unit: r.legal_vp_unit.clone(),
                    phone: if full_phone || r.legal_vp_phone.is_empty() {
                        r.legal_vp_phone.clone()
                    } else {
                        mask_phone(&r.legal_vp_phone)
                    },
                });
            let facts = GroupFacts {
                exists: row.is_some(),
                has_leader: members
                    .iter()
                    .any(|m| m.role == GroupRole::Leader && !m.left),
                has_safety_director: director.is_some(),
                has_legal_vice_principal: legal.is_some(),
                school,
            };
            out.push(LeadingGroup {
                org_id: o.id,
                org_name: o.name,
                school,
                exists: row.is_some(),
                members,
                safety_director: director,
                legal_vice_principal: legal,
                gaps: gaps(facts),
                version: row.map_or(0, |r| r.version),
                updated_by_name: row.map(|r| r.updated_by_name.clone()).unwrap_or_default(),
                updated_at: row.map(|r| r.updated_at),
            });
        }
        Ok(out)
    }

    /// Saves the group of an org in scope: a district's by the bureau's officers, a
    /// school's by its principal or safety director (the other way round is 403).
    pub async fn save(&self, id: OrgId, input: GroupInput) -> Result<LeadingGroup> {
        let mut tx = self
            .begin_for(Event::new(GroupAudit::Save, "leading_group", id), id)
            .await?;
        let res: Result<i32> = async {
            let o = org::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let school = o.level == OrgLevel::School.as_str();
            let bureau_role = matches!(self.actor.role, Role::CityOfficer | Role::BureauOfficer);
            if school == bureau_role {
                return Err(Error::ForbiddenBecause("err.group.writer".into()));
            }
            let mut errs = Vec::new();
            if o.level == OrgLevel::City.as_str() {
                errs.push(FieldError::new("org_id", "err.group.level"));
            }
            let people = person::Entity::find()
                .filter(person::Column::OrgId.eq(o.id))
                .filter(person::Column::Active.eq(true))
                .all(&tx.txn)
                .await?;
            let known = |p: PersonId| people.iter().any(|x| x.id == p);
            if input.members.len() > MAX_MEMBERS {
                errs.push(FieldError::new("members", "err.group.too_many"));
            }
            let mut members = Vec::new();
            for (i, m) in input.members.iter().enumerate() {
                let f = |n: &str| format!("members[{i}].{n}");
                match m.person_id {
                    Some(p) if !known(p) => {
                        errs.push(FieldError::new(f("person_id"), "err.group.person"))
                    }
                    None if school && !people.is_empty() => {
                        errs.push(FieldError::new(f("person_id"), "err.required"))
                    }
                    None if m.name.trim().is_empty() => {
                        errs.push(FieldError::new(f("name"), "err.required"))
                    }
                    _ => {}
                }
                if m.name.chars().count() > MAX_TEXT || m.duty.chars().count() > MAX_TEXT {
                    errs.push(FieldError::new(f("duty"), "err.group.too_long"));
                }
                if m.role == GroupRole::Leader
                    && input.members[..i]
                        .iter()
                        .any(|x| x.role == GroupRole::Leader)
                {
                    errs.push(FieldError::new(f("role"), "err.group.one_leader"));
                }
                members.push(Member {
                    role: m.role,
                    person_id: m.person_id,
                    name: if m.person_id.is_some() {
                        String::new()
                    } else {
                        m.name.trim().into()
                    },
                    duty: m.duty.trim().into(),
                    left: false,
                });
            }
            let (director_id, director_name) = match &input.safety_director {
                Some(Director {
                    person_id: Some(p), ..
                }) => {
                    if !known(*p) {
                        errs.push(FieldError::new(
                            "safety_director.person_id",
                            "err.group.person",
                        ));
                    }
                    (Some(p.0), String::new())
                }
                Some(d) if d.name.trim().is_empty() => {
                    errs.push(FieldError::new("safety_director.name", "err.required"));
                    (None, String::new())
                }
                Some(d) => (None, d.name.trim().to_string()),
                None => (None, String::new()),
            };
            let legal = input.legal_vice_principal.clone();
            if let Some(l) = &legal {
                if !school {
                    errs.push(FieldError::new(
                        "legal_vice_principal",
                        "err.group.legal_school",
                    ));
                }
                if l.name.trim().is_empty() {
                    errs.push(FieldError::new("legal_vice_principal.name", "err.required"));
                }
                if l.unit.trim().is_empty() {
                    errs.push(FieldError::new("legal_vice_principal.unit", "err.required"));
                }
                if !l.phone.trim().is_empty() && !valid_phone(l.phone.trim()) {
                    errs.push(FieldError::new("legal_vice_principal.phone", "err.phone"));
                }
                if l.name.chars().count() > MAX_TEXT || l.unit.chars().count() > MAX_TEXT {
                    errs.push(FieldError::new(
                        "legal_vice_principal.name",
                        "err.group.too_long",
                    ));
                }
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let old = group::Entity::find()
                .filter(group::Column::OrgId.eq(o.id))
                .one(&tx.txn)
                .await?;
            let current = old.as_ref().map_or(0, |g| g.version);
            if input.version.is_some_and(|v| v != current) {
                return Err(Error::Conflict("err.group.changed".into()));
            }
            let legal = legal.unwrap_or(LegalVicePrincipal {
                name: String::new(),
                unit: String::new(),
                phone: String::new(),
            });
            let mut am = match old {
                Some(g) => g.into(),
                None => group::ActiveModel {
                    org_id: Set(o.id),
                    ..Default::default()
                },
            };
            am.members = Set(serde_json::to_string(&members).map_err(Error::internal)?);
            am.safety_director_person_id = Set(director_id);
            am.safety_director_name = Set(director_name);
            am.legal_vp_name = Set(legal.name.trim().into());
            am.legal_vp_unit = Set(legal.unit.trim().into());
            am.legal_vp_phone = Set(legal.phone.trim().into());
            am.version = Set(current + 1);
            am.updated_by = Set(Some(self.actor.user_id));
            am.updated_by_name = Set(self.actor.display_name.clone());
            am.updated_at = Set(Utc::now());
            am.save(&tx.txn).await?;
            Ok(members.len() as i32)
        }
        .await;
        match res {
            Ok(n) => {
                // Counts only: names and phones stay out of the audit log.
                tx.event.detail = format!("members={n}");
                tx.commit().await?;
                self.get(id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
