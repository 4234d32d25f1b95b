//! Responsibility letters (责任书, item 1 of the work plan): a bureau issues a year's letter
//! to its schools and each school's principal signs it; a school issues letters to named
//! staff posts (一岗双责) and each person signs. A signature is an in-app acknowledgement
//! (who, when) or a signed scan (a file of the school, through the upload pipeline). The
//! bureau reads who has not signed.
//!
//! Scope: a letter is seen through its issuer (in the actor's subtree) and, for a bureau's
//! letter, by the schools below the bureau; each reader sees the signatures and gaps of the
//! schools in its own scope only.

use super::audit::Event;
use super::entity::{
    file, org, person, responsibility_letter as letter, responsibility_signature as sig,
};
use super::orgs::invalid;
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId};
use crate::domain::org::{OrgLevel, OrgPath};
use crate::domain::responsibility::{LetterLevel, SignMethod, may_sign};
use crate::domain::role::Role;
use crate::error::{Error, FieldError, Result};
use crate::storage::Letters;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

closed_codes! {
    AuditCode:
    /// What the letters write.
    pub enum LetterAudit {
        Issue = "letter.issue",
        Sign = "letter.sign",
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 20_000;
const LIST_LIMIT: u64 = 200;

/// A letter with its signatures and who has not signed yet (within the reader's scope).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Letter {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub level: LetterLevel,
    pub year: i32,
    pub title: String,
    pub body: String,
    pub signatures: Vec<Signature>,
    pub unsigned: Vec<Signatory>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// Who signs: a school (its principal), or a person of the issuing school.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Signatory {
    pub school_id: OrgId,
    pub school_name: String,
    pub person_id: Option<PersonId>,
    pub person_name: String,
    pub post: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Signature {
    #[serde(flatten)]
    pub who: Signatory,
    pub method: SignMethod,
    /// The signed scan (a file of the school).
    pub file_id: Option<i64>,
    pub signed_by_name: String,
    pub signed_at: DateTime<Utc>,
}

/// A new letter (`POST /api/v1/responsibility-letters`): of a district (to its schools, by
/// the bureau) or of a school (to the named people, by its principal or safety director).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLetter {
    pub org_id: OrgId,
    pub year: i32,
    pub title: String,
    /// The duties, as written.
    pub body: String,
    /// A school's letter: the people who sign it.
    #[serde(default)]
    pub person_ids: Vec<PersonId>,
}

/// A signature (`POST /api/v1/responsibility-letters/{id}/sign`): a bureau's letter is
/// signed for the caller's school (or `school_id`), a post letter by `person_id`; with
/// `file_id` the signed scan, without it an in-app acknowledgement.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignLetter {
    #[serde(default)]
    pub school_id: Option<OrgId>,
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub file_id: Option<i64>,
}

fn ids_of(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}

impl Letters<'_> {
    /// Whether a letter is seen: its issuer in scope, or a bureau's letter above the actor.
    fn sees(&self, issuer: &org::Model, level: &str) -> bool {
        let Some(path) = OrgPath::parse(&issuer.path) else {
            return false;
        };
        self.actor.scope().contains(&path)
            || (level == LetterLevel::School.as_str()
                && self.actor.scope().ids().contains(&issuer.id.0))
    }

    /// The letters the caller reads (of `year` when given), newest first.
    pub async fn list(&self, year: Option<i32>) -> Result<Vec<Letter>> {
        self.permit()?;
        let scope = self.actor.scope();
        let above: Vec<i64> = scope.ids();
        let issuers = org::Entity::find()
            .filter(
                Condition::any()
                    .add(self.org_scope())
                    .add(org::Column::Id.is_in(above)),
            )
            .read_all(&self.read)
            .await?;
        let mut q = letter::Entity::find()
            .filter(letter::Column::OrgId.is_in(issuers.iter().map(|o| o.id)))
            .order_by_desc(letter::Column::Year)
            .order_by_desc(letter::Column::Id)
            .limit(LIST_LIMIT);
        if let Some(y) = year {
            q = q.filter(letter::Column::Year.eq(y));
        }
        let rows: Vec<letter::Model> = q
            .read_all(&self.read)
            .await?
            .into_iter()
            .filter(|l| {
                issuers
                    .iter()
                    .find(|o| o.id == l.org_id)
                    .is_some_and(|o| self.sees(o, &l.level))
            })
            .collect();
        self.views(rows, &issuers).await
    }

    /// One letter the caller sees, or `NotFound`.
    pub async fn get(&self, id: i64) -> Result<Letter> {
        let (l, issuer) = self.letter_row(id).await?;
        self.permit()?;
        Ok(self.views(vec![l], &[issuer]).await?.remove(0))
    }

    async fn letter_row(&self, id: i64) -> Result<(letter::Model, org::Model)> {
        let l = letter::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let issuer = org::Entity::find_by_id(l.org_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        if !self.sees(&issuer, &l.level) {
            return Err(Error::NotFound);
        }
        Ok((l, issuer))
    }

    async fn views(&self, rows: Vec<letter::Model>, issuers: &[org::Model]) -> Result<Vec<Letter>> {
        let ids: Vec<i64> = rows.iter().map(|l| l.id).collect();
        let sigs = sig::Entity::find()
            .filter(sig::Column::LetterId.is_in(ids))
            .order_by_asc(sig::Column::Id)
            .read_all(&self.read)
            .await?;
        // The schools in scope below each district that issued a letter.
        let schools = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        let mut people_ids: Vec<i64> = rows.iter().flat_map(|l| ids_of(&l.person_ids)).collect();
        people_ids.extend(sigs.iter().map(|s| s.person_id));
        let people = person::Entity::find()
            .filter(person::Column::Id.is_in(people_ids))
            .read_all(&self.read)
            .await?;
        let person = |school: &org::Model, id: i64| Signatory {
            school_id: school.id,
            school_name: school.name.clone(),
            person_id: (id != 0).then_some(PersonId(id)),
            person_name: people
                .iter()
                .find(|p| p.id.0 == id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            post: people
                .iter()
                .find(|p| p.id.0 == id)
                .map(|p| p.post.clone())
                .unwrap_or_default(),
        };
        let mut out = Vec::new();
        for l in rows {
            let issuer = issuers.iter().find(|o| o.id == l.org_id);
            let level = LetterLevel::parse(&l.level).unwrap_or(LetterLevel::School);
            let targets: Vec<Signatory> = match (level, issuer) {
                (LetterLevel::School, Some(d)) => schools
                    .iter()
                    .filter(|s| s.parent_id == Some(d.id))
                    .map(|s| person(s, 0))
                    .collect(),
                (LetterLevel::Post, Some(s))
                    if self
                        .actor
                        .scope()
                        .contains(&OrgPath::parse(&s.path).unwrap_or_else(OrgPath::root)) =>
                {
                    ids_of(&l.person_ids)
                        .into_iter()
                        .map(|p| person(s, p))
                        .collect()
                }
                _ => Vec::new(),
            };
            let signatures: Vec<Signature> = sigs
                .iter()
                .filter(|s| s.letter_id == l.id)
                .filter_map(|s| {
                    let t = targets.iter().find(|t| {
                        t.school_id == s.school_id && t.person_id.map_or(0, |p| p.0) == s.person_id
                    })?;
                    Some(Signature {
                        who: t.clone(),
                        method: SignMethod::parse(&s.method).unwrap_or(SignMethod::Ack),
                        file_id: s.file_id,
                        signed_by_name: s.signed_by_name.clone(),
                        signed_at: s.signed_at,
                    })
                })
                .collect();
            let unsigned = targets
                .into_iter()
                .filter(|t| !signatures.iter().any(|s| s.who == *t))
                .collect();
            out.push(Letter {
                id: l.id,
                org_id: l.org_id,
                org_name: issuer.map(|o| o.name.clone()).unwrap_or_default(),
                level,
                year: l.year,
                title: l.title,
                body: l.body,
                signatures,
                unsigned,
                created_by_name: l.created_by_name,
                created_at: l.created_at,
            });
        }
        Ok(out)
    }

    /// Issues a letter: a bureau's (city or district officer) to its schools, a school's
    /// (principal or safety director) to named people. The other way round is 403.
    pub async fn issue(&self, input: NewLetter) -> Result<Letter> {
        let mut tx = self
            .begin_for(Event::new(LetterAudit::Issue, "letter", ""), input.org_id)
            .await?;
        let res: Result<letter::Model> = async {
            let o = org::Entity::find_by_id(input.org_id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let school = o.level == OrgLevel::School.as_str();
            let bureau_role = matches!(self.actor.role, Role::CityOfficer | Role::BureauOfficer);
            if school == bureau_role {
                return Err(Error::ForbiddenBecause("err.letter.issuer".into()));
            }
            let mut errs = Vec::new();
            if o.level == OrgLevel::City.as_str() {
                errs.push(FieldError::new("org_id", "err.letter.issuer_level"));
            }
            if input.title.trim().is_empty() {
                errs.push(FieldError::new("title", "err.required"));
            }
            if input.title.chars().count() > MAX_TITLE {
                errs.push(FieldError::new("title", "err.letter.too_long"));
            }
            if input.body.trim().is_empty() {
                errs.push(FieldError::new("body", "err.required"));
            }
            if input.body.chars().count() > MAX_BODY {
                errs.push(FieldError::new("body", "err.letter.too_long"));
            }
            if !(2000..=2100).contains(&input.year) {
                errs.push(FieldError::new("year", "err.letter.year"));
            }
            let mut people: Vec<i64> = Vec::new();
            for p in &input.person_ids {
                if !people.contains(&p.0) {
                    people.push(p.0);
                }
            }
            if school {
                let found = person::Entity::find()
                    .filter(person::Column::Id.is_in(people.clone()))
                    .filter(person::Column::OrgId.eq(o.id))
                    .filter(person::Column::Active.eq(true))
                    .count(&tx.txn)
                    .await?;
                if people.is_empty() || found != people.len() as u64 || people.len() > 500 {
                    errs.push(FieldError::new("person_ids", "err.letter.people"));
                }
            } else if !people.is_empty() {
                errs.push(FieldError::new("person_ids", "err.letter.no_people"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let level = if school {
                LetterLevel::Post
            } else {
                LetterLevel::School
            };
            Ok(letter::ActiveModel {
                org_id: Set(o.id),
                level: Set(level.as_str().into()),
                year: Set(input.year),
                title: Set(input.title.trim().into()),
                body: Set(input.body.trim().into()),
                person_ids: Set(serde_json::to_string(&people).map_err(Error::internal)?),
                created_by: Set(Some(self.actor.user_id)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(l) => {
                tx.event.object_id = l.id.to_string();
                tx.event.detail = format!("org={} level={} year={}", l.org_id, l.level, l.year);
                tx.commit().await?;
                self.get(l.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Signs a letter (see [`SignLetter`] and `domain::responsibility::may_sign`); a second
    /// signature of the same school or person is 409.
    pub async fn sign(&self, id: i64, input: SignLetter) -> Result<Letter> {
        let event = Event::new(LetterAudit::Sign, "letter", id);
        let found = self.letter_row(id).await;
        let (l, issuer) = match found {
            Ok(f) => f,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let mut tx = self.begin(event).await?;
        let res: Result<(OrgId, i64, SignMethod)> = async {
            let level = LetterLevel::parse(&l.level).unwrap_or(LetterLevel::School);
            let (school, person_id) = match level {
                LetterLevel::School => {
                    let s = input
                        .school_id
                        .or(self.actor.org_id)
                        .ok_or(Error::NotFound)?;
                    let row = self.school_row(s, &tx.txn).await?;
                    if row.parent_id != Some(issuer.id) {
                        return Err(Error::NotFound);
                    }
                    if input.person_id.is_some() {
                        return Err(Error::field("person_id", "err.letter.no_people"));
                    }
                    (row.id, 0)
                }
                LetterLevel::Post => {
                    let p = input
                        .person_id
                        .ok_or_else(|| Error::field("person_id", "err.required"))?;
                    if !ids_of(&l.person_ids).contains(&p.0) {
                        return Err(Error::field("person_id", "err.letter.not_named"));
                    }
                    (issuer.id, p.0)
                }
            };
            let method = if input.file_id.is_some() {
                SignMethod::Scan
            } else {
                SignMethod::Ack
            };
            let is_named = person_id != 0
                && self.actor.org_id == Some(school)
                && person::Entity::find_by_id(PersonId(person_id))
                    .one(&tx.txn)
                    .await?
                    .is_some_and(|p| p.name.trim() == self.actor.display_name.trim());
            may_sign(level, method, self.actor.role, is_named)
                .map_err(|k| Error::ForbiddenBecause(k.into()))?;
            if self.actor.org_id != Some(school) && method == SignMethod::Ack {
                return Err(Error::ForbiddenBecause("err.letter.not_signatory".into()));
            }
            if let Some(f) = input.file_id {
                let ok = file::Entity::find_by_id(crate::domain::ids::FileId(f))
                    .one(&tx.txn)
                    .await?
                    .is_some_and(|m| m.school_id == school);
                if !ok {
                    return Err(Error::field("file_id", "err.letter.file"));
                }
            }
            let dup = sig::Entity::find()
                .filter(sig::Column::LetterId.eq(l.id))
                .filter(sig::Column::SchoolId.eq(school))
                .filter(sig::Column::PersonId.eq(person_id))
                .count(&tx.txn)
                .await?;
            if dup > 0 {
                return Err(Error::Conflict("err.letter.signed".into()));
            }
            sig::ActiveModel {
                letter_id: Set(l.id),
                school_id: Set(school),
                person_id: Set(person_id),
                method: Set(method.as_str().into()),
                file_id: Set(input.file_id),
                signed_by: Set(Some(self.actor.user_id)),
                signed_by_name: Set(self.actor.display_name.clone()),
                signed_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            Ok((school, person_id, method))
        }
        .await;
        match res {
            Ok((school, person_id, method)) => {
                tx.event.detail = format!(
                    "school={school} person={person_id} method={}",
                    method.as_str()
                );
                tx.commit().await?;
                self.get(l.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
