//! Writing the demo's responsibility letters and leading groups: a district's letter of the
//! year with the signatures of the principals who signed, and each org's group, its members
//! read from the school's register by post (principal, vice-principals, safety director).

use super::entity::{leading_group, person, responsibility_letter, responsibility_signature};
use super::seed::SeedTx;
use super::seed_history::Person;
use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::domain::person::Post;
use crate::domain::responsibility::{GroupRole, LetterLevel, SignMethod};
use crate::error::{Error, Result};
use crate::storage::leading_groups::Member;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

/// A district's letter to its schools and who signed it, when.
pub struct SeedLetter {
    pub district: OrgId,
    pub year: i32,
    pub title: String,
    pub body: String,
    pub issued: DateTime<Utc>,
    pub by: Person,
    pub signed: Vec<(OrgId, Person, DateTime<Utc>)>,
}

/// An org's leading group: a school's members come from its register; `director` and
/// `legal` leave the gaps the demo shows.
pub struct SeedGroup {
    pub org: OrgId,
    pub school: bool,
    /// A bureau's members by name (leader first).
    pub names: Vec<String>,
    pub director: bool,
    /// The legal vice-principal: name, police station, phone.
    pub legal: Option<(String, String, String)>,
    pub by: Person,
    pub at: DateTime<Utc>,
}

impl SeedTx {
    pub async fn seed_letter(&mut self, l: &SeedLetter) -> Result<()> {
        let row = responsibility_letter::ActiveModel {
            org_id: Set(l.district),
            level: Set(LetterLevel::School.as_str().into()),
            year: Set(l.year),
            title: Set(l.title.clone()),
            body: Set(l.body.clone()),
            person_ids: Set("[]".into()),
            created_by: Set(Some(l.by.user)),
            created_by_name: Set(l.by.name.clone()),
            created_at: Set(l.issued),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        let sigs: Vec<responsibility_signature::ActiveModel> = l
            .signed
            .iter()
            .map(|(school, who, at)| responsibility_signature::ActiveModel {
                letter_id: Set(row.id),
                school_id: Set(*school),
                person_id: Set(0),
                method: Set(SignMethod::Ack.as_str().into()),
                file_id: Set(None),
                signed_by: Set(Some(who.user)),
                signed_by_name: Set(who.name.clone()),
                signed_at: Set(*at),
                ..Default::default()
            })
            .collect();
        if !sigs.is_empty() {
            responsibility_signature::Entity::insert_many(sigs)
                .exec(&self.txn)
                .await?;
        }
        Ok(())
    }

    pub async fn seed_groups(&mut self, rows: &[SeedGroup]) -> Result<()> {
        let ids: Vec<OrgId> = rows.iter().filter(|g| g.school).map(|g| g.org).collect();
        let people = person::Entity::find()
            .filter(person::Column::OrgId.is_in(ids))
            .all(&self.txn)
            .await?;
        let mut models = Vec::new();
        for g in rows {
            let of = |post: Post| {
                people
                    .iter()
                    .filter(move |p| p.org_id == g.org && p.post == post.as_str())
            };
            let member = |role, p: &person::Model, duty: &str| Member {
                role,
                person_id: Some(p.id),
                name: String::new(),
                duty: duty.into(),
                left: false,
            };
            let mut members = Vec::new();
            let mut director = None;
            if g.school {
                members.extend(
                    of(Post::Principal)
                        .take(1)
                        .map(|p| member(GroupRole::Leader, p, "全面负责学校安全工作")),
                );
                members.extend(
                    of(Post::VicePrincipal)
                        .take(2)
                        .map(|p| member(GroupRole::Deputy, p, "分管安全工作")),
                );
                members.extend(
                    of(Post::SafetyDirector)
                        .take(1)
                        .map(|p| member(GroupRole::Member, p, "日常安全管理")),
                );
                director = of(Post::SafetyDirector).next().map(|p| p.id.0);
            } else {
                for (i, n) in g.names.iter().enumerate() {
                    let role = if i == 0 {
                        GroupRole::Leader
                    } else if i == 1 {
                        GroupRole::Deputy
                    } else {
                        GroupRole::Member
                    };
                    members.push(Member {
                        role,
                        person_id: None,
                        name: n.clone(),
                        duty: String::new(),
                        left: false,
                    });
                }
            }
            let (director_id, director_name) = match (g.director, g.school) {
                (false, _) => (None, String::new()),
                (true, true) => (director, String::new()),
                (true, false) => (None, g.names.get(2).cloned().unwrap_or_default()),
            };
            let (ln, lu, lp) = g.legal.clone().unwrap_or_default();
            models.push(leading_group::ActiveModel {
                org_id: Set(g.org),
                members: Set(serde_json::to_string(&members).map_err(Error::internal)?),
                safety_director_person_id: Set(director_id),
                safety_director_name: Set(director_name),
                legal_vp_name: Set(ln),
                legal_vp_unit: Set(lu),
                legal_vp_phone: Set(lp),
                version: Set(1),
                updated_by: Set(Some(g.by.user)),
                updated_by_name: Set(g.by.name.clone()),
                updated_at: Set(g.at),
                ..Default::default()
            });
        }
        if !models.is_empty() {
            leading_group::Entity::insert_many(models)
                .exec(&self.txn)
                .await?;
        }
        Ok(())
    }
}
