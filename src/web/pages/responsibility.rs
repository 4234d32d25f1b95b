//! Pages of responsibility and organisation: the responsibility letters (who signed, who has
//! not, the principal's sign button, the bureau's issue form) and the leading groups with
//! their gaps.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::ids::{OrgId, PersonId};
use crate::domain::role::Role;
use crate::error::Error;
use crate::policy::Action;
use crate::storage::leading_groups::LeadingGroup;
use crate::storage::letters::{Letter, NewLetter, SignLetter};
use crate::web::ctx::{Ctx, Form};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "responsibility/letters.html")]
struct LettersPage {
    c: Chrome,
    letters: Vec<Letter>,
    own_org: Option<OrgId>,
    can_sign: bool,
    can_issue: bool,
    year: i32,
    errors: FormErrors,
}

impl LettersPage {
    fn signable(&self, school: &OrgId) -> bool {
        self.can_sign && self.own_org.as_ref() == Some(school)
    }

    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::china_time(t)
    }
}

async fn letters_page(ctx: &Ctx, errors: FormErrors) -> Result<Response, Error> {
    let letters = ctx.db_as(Action::LetterView)?.letters().list(None).await?;
    let c = Chrome::for_ctx(ctx, "letters.title", "/responsibility-letters");
    let role = ctx.actor.role();
    let failed = errors.any();
    let mut resp = render(&LettersPage {
        can_sign: c.can(role, Action::LetterSign),
        can_issue: matches!(role, Role::CityOfficer | Role::BureauOfficer)
            && ctx.actor.org_level() == Some(crate::domain::org::OrgLevel::District),
        own_org: ctx.actor.org_id(),
        year: crate::clock::today().year(),
        letters,
        errors,
        c,
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn letters(ctx: Ctx) -> Result<Response, Error> {
    letters_page(&ctx, FormErrors::default()).await
}

/// The bureau's issue form (a letter of the caller's district to its schools).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IssueForm {
    year: String,
    title: String,
    body: String,
}

pub async fn issue(ctx: Ctx, Form(f): Form<IssueForm>) -> Result<Response, Error> {
    let res: Result<Letter, Error> = async {
        let year = f
            .year
            .trim()
            .parse()
            .map_err(|_| Error::field("year", "err.letter.year"))?;
        ctx.db()
            .letters()
            .issue(NewLetter {
                org_id: ctx.actor.org_id().ok_or(Error::NotFound)?,
                year,
                title: f.title.clone(),
                body: f.body.clone(),
                person_ids: Vec::new(),
            })
            .await
    }
    .await;
    match res {
        Ok(l) => Ok(see_other(&format!(
            "/responsibility-letters#letter-{}",
            l.id
        ))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => letters_page(&ctx, errors).await,
            None => Err(e),
        },
    }
}

/// The sign button: an in-app acknowledgement for the caller's school, or for a named
/// person of a post letter.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignForm {
    person_id: String,
}

pub async fn sign(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SignForm>,
) -> Result<Response, Error> {
    let person_id = f.person_id.trim().parse().ok().map(PersonId);
    ctx.db()
        .letters()
        .sign(
            id,
            SignLetter {
                person_id,
                ..Default::default()
            },
        )
        .await?;
    Ok(see_other(&format!("/responsibility-letters#letter-{id}")))
}

#[derive(Template)]
#[template(path = "responsibility/groups.html")]
struct GroupsPage {
    c: Chrome,
    groups: Vec<LeadingGroup>,
}

pub async fn groups(ctx: Ctx) -> Result<Response, Error> {
    let groups = ctx.db().leading_groups().list(None).await?;
    let c = Chrome::for_ctx(&ctx, "groups.title", "/leading-groups");
    render(&GroupsPage { c, groups })
}
