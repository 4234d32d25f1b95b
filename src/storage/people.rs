//! People and their posts at a school, through a [`Scoped`] handle.

use super::audit::Event;
use super::entity::person;
use super::orgs::invalid;
use super::views::Person;
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId};
use crate::domain::person::{Post, valid_phone};
use crate::error::{Error, FieldError, Result};
use crate::policy::{self, Action};
use crate::storage::People;
use crate::storage::orgs::OrgAudit;
use crate::storage::read::ReadAll as _;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder};
use serde::Deserialize;
use utoipa::ToSchema;

/// A person to add, or the new values of one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    pub post: Post,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub note: String,
}

/// The longest name of a person, in characters.
pub const MAX_NAME: usize = 32;
/// The longest note on a person, in characters.
pub const MAX_NOTE: usize = 200;

/// The field checks of a person, shared by the form, the API and the import.
pub(crate) fn check_person(name: &str, phone: &str, note: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let n = name.trim().chars().count();
    if n == 0 {
        errs.push(FieldError::new("name", "err.required"));
    } else if n > MAX_NAME {
        errs.push(FieldError::new("name", "err.too_long_32"));
    }
    let phone = phone.trim();
    if !phone.is_empty() && !valid_phone(phone) {
        errs.push(FieldError::new("phone", "err.phone"));
    }
    if note.trim().chars().count() > MAX_NOTE {
        errs.push(FieldError::new("note", "err.too_long_200"));
    }
    errs
}

impl PersonInput {
    pub(crate) fn check(&self) -> Vec<FieldError> {
        check_person(&self.name, &self.phone, &self.note)
    }
}

/// A new, active person row.
pub(super) fn new_person(
    org: OrgId,
    name: &str,
    post: Post,
    phone: &str,
    note: &str,
) -> person::ActiveModel {
    let now = Utc::now();
    person::ActiveModel {
        org_id: Set(org),
        name: Set(name.trim().into()),
        post: Set(post.as_str().into()),
        phone: Set(phone.trim().into()),
        note: Set(note.trim().into()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

impl People<'_> {
    /// A person as this actor may see them: whole phone numbers only for the roles that manage
    /// people (`PersonWrite`), masked for everyone else — in JSON, pages and exports alike.
    fn person_view(&self, m: person::Model) -> Person {
        let p = Person::from(m);
        if policy::allows(self.actor.role, Action::PersonWrite) {
            p
        } else {
            p.masked()
        }
    }

    pub async fn list(&self, school: OrgId) -> Result<Vec<Person>> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let rows = person::Entity::find()
            .filter(person::Column::OrgId.eq(school))
            .filter(person::Column::Active.eq(true))
            .order_by_asc(person::Column::Id)
            .read_all(&self.read)
            .await?;
        let mut out: Vec<Person> = rows.into_iter().map(|m| self.person_view(m)).collect();
        out.sort_by_key(|p| {
            Post::ALL
                .iter()
                .position(|x| *x == p.post)
                .unwrap_or(usize::MAX)
        });
        Ok(out)
    }

    /// A person whose school is in scope, or `NotFound`.
    async fn person_row(
        &self,
        id: PersonId,
        conn: &impl crate::storage::read::Fetch,
    ) -> Result<person::Model> {
        let (m, _) = self.owned::<person::Entity>(id, conn).await?;
        // A removed person is gone for every reader.
        if !m.active {
            return Err(Error::NotFound);
        }
        Ok(m)
    }

    /// The org of a person in scope; a miss is audited as a refused write.
    async fn person_org(&self, id: PersonId, event: &Event) -> Result<OrgId> {
        match self.person_row(id, &self.read).await {
            Ok(m) => Ok(m.org_id),
            Err(e) => {
                self.audit_refusal(event, &e).await;
                Err(e)
            }
        }
    }

    pub async fn get(&self, id: PersonId) -> Result<Person> {
        let m = self.person_row(id, &self.read).await?;
        self.permit()?;
        Ok(self.person_view(m))
    }

    pub async fn create(&self, school: OrgId, input: PersonInput) -> Result<Person> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(OrgAudit::PersonCreate, "person", ""), school)
            .await?;
        let res: Result<person::Model> = async {
            self.school_row(school.org_id(), &tx.txn).await?;
            let errs = input.check();
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let am = new_person(
                school.org_id(),
                &input.name,
                input.post,
                &input.phone,
                &input.note,
            );
            Ok(am.insert(&tx.txn).await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = format!("school={school} post={}", m.post);
                tx.commit().await?;
                Ok(m.into())
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    pub async fn update(&self, id: PersonId, input: PersonInput) -> Result<Person> {
        let event = Event::new(OrgAudit::PersonUpdate, "person", id);
        let org = self.person_org(id, &event).await?;
        let mut tx = self.begin_for(event, org).await?;
        let res: Result<person::Model> = async {
            let m = self.person_row(id, &tx.txn).await?;
            let errs = input.check();
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let mut am = m.into_active_model();
            am.name = Set(input.name.trim().into());
            am.post = Set(input.post.as_str().into());
            am.phone = Set(input.phone.trim().into());
            am.note = Set(input.note.trim().into());
            am.updated_at = Set(Utc::now());
            Ok(am.update(&tx.txn).await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.detail = format!("post={}", m.post);
                tx.commit().await?;
                Ok(m.into())
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Removes a person from the school's list (kept for history; zones they were
    /// responsible for lose their responsible person).
    pub async fn remove(&self, id: PersonId) -> Result<()> {
        let event = Event::new(OrgAudit::PersonRemove, "person", id);
        let org = self.person_org(id, &event).await?;
        let tx = self.begin_for(event, org).await?;
        let res: Result<()> = async {
            let m = self.person_row(id, &tx.txn).await?;
            let mut am = m.into_active_model();
            am.active = Set(false);
            am.updated_at = Set(Utc::now());
            am.update(&tx.txn).await?;
            super::entity::zone::Entity::update_many()
                .col_expr(
                    super::entity::zone::Column::ResponsiblePersonId,
                    sea_orm::sea_query::Expr::value(Option::<i64>::None),
                )
                .filter(super::entity::zone::Column::ResponsiblePersonId.eq(id))
                .exec(&tx.txn)
                .await?;
            Ok(())
        }
        .await;
        match res {
            Ok(()) => tx.commit().await,
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
