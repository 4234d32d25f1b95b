//! Pages of responsibility and organisation: the responsibility letters (who signed, who has
//! not, the principal's sign button, the bureau's issue form and a school's letter to its
//! posts) and the leading groups with their gaps and the form of the caller's own group.

use super::{Chrome, FormErrors, render, see_other};
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId};
use crate::domain::org::OrgLevel;
use crate::domain::responsibility::GroupRole;
use crate::domain::role::Role;
use crate::error::{Error, FieldError};
use crate::policy::Action;
use crate::storage::leading_groups::{
    Director, GroupInput, LeadingGroup, LegalVicePrincipal, MemberInput,
};
use crate::storage::letters::{Letter, NewLetter, SignLetter};
use crate::storage::views::Person;
use crate::web::ctx::{Ctx, Form, FormPairs};
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
    /// The bureau's letter to its schools (a district officer).
    can_issue: bool,
    /// A school's letter to its posts (the principal or safety director): its people.
    post_people: Vec<Person>,
    year: i32,
    v: IssueValues,
    errors: FormErrors,
}

/// The issue form as typed.
#[derive(Default, Clone)]
struct IssueValues {
    year: String,
    title: String,
    body: String,
    people: Vec<i64>,
}

impl LettersPage {
    fn signable(&self, school: &OrgId) -> bool {
        self.can_sign && self.own_org.as_ref() == Some(school)
    }

    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        super::china_time(t)
    }

    fn chosen(&self, p: &PersonId) -> bool {
        self.v.people.contains(&p.0)
    }

    fn year_value(&self) -> String {
        if self.v.year.is_empty() {
            self.year.to_string()
        } else {
            self.v.year.clone()
        }
    }
}

async fn letters_page(ctx: &Ctx, v: IssueValues, errors: FormErrors) -> Result<Response, Error> {
    let letters = ctx.db_as(Action::LetterView)?.letters().list(None).await?;
    let c = Chrome::for_ctx(ctx, "letters.title", "/responsibility-letters");
    let role = ctx.actor.role();
    let failed = errors.any();
    let level = ctx.actor.org_level();
    let post_people = match ctx.actor.org_id() {
        Some(school)
            if level == Some(OrgLevel::School)
                && matches!(role, Role::Principal | Role::SafetyDirector) =>
        {
            ctx.db_as(Action::PersonView)?.people().list(school).await?
        }
        _ => Vec::new(),
    };
    let mut resp = render(&LettersPage {
        can_sign: c.can(role, Action::LetterSign),
        can_issue: matches!(role, Role::CityOfficer | Role::BureauOfficer)
            && level == Some(OrgLevel::District),
        post_people,
        own_org: ctx.actor.org_id(),
        year: crate::clock::today().year(),
        letters,
        v,
        errors,
        c,
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn letters(ctx: Ctx) -> Result<Response, Error> {
    letters_page(&ctx, IssueValues::default(), FormErrors::default()).await
}

/// The issue form: the bureau's letter to its schools, or a school's letter to the people
/// ticked (`person`, repeated) of its register.
pub async fn issue(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let first = |k: &str| p.all(k).first().cloned().unwrap_or_default();
    let v = IssueValues {
        year: first("year").trim().to_string(),
        title: first("title"),
        body: first("body"),
        people: p
            .all("person")
            .iter()
            .filter_map(|x| x.trim().parse().ok())
            .collect(),
    };
    let res: Result<Letter, Error> = async {
        let year = v
            .year
            .parse()
            .map_err(|_| Error::field("year", "err.letter.year"))?;
        ctx.db()
            .letters()
            .issue(NewLetter {
                org_id: ctx.actor.org_id().ok_or(Error::NotFound)?,
                year,
                title: v.title.clone(),
                body: v.body.clone(),
                person_ids: v.people.iter().copied().map(PersonId).collect(),
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
            Some(errors) => letters_page(&ctx, v, errors).await,
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
    /// The caller's own group, when the caller keeps it (a district's officers, a
    /// school's principal or safety director).
    own: Option<OwnGroup>,
    roles: Vec<(String, String)>,
    errors: FormErrors,
}

/// The form of the caller's own group: as stored, or as typed when refused.
struct OwnGroup {
    org_id: OrgId,
    school: bool,
    /// The school's people to choose from (a bureau names its members).
    people: Vec<Person>,
    v: GroupValues,
}

/// The group form as typed: a row per member (`role.N`, `person.N` or `name.N`, `duty.N`),
/// the safety director (`director_person` or `director_name`), the legal vice-principal.
#[derive(Default, Clone)]
struct GroupValues {
    rows: Vec<RowValues>,
    director_person: String,
    director_name: String,
    legal_name: String,
    legal_unit: String,
    legal_phone: String,
    version: String,
}

#[derive(Default, Clone)]
struct RowValues {
    role: String,
    person: String,
    name: String,
    duty: String,
}

/// Empty rows offered after the members.
const SPARE_ROWS: usize = 3;

impl GroupValues {
    fn of(g: &LeadingGroup) -> GroupValues {
        let mut rows: Vec<RowValues> = g
            .members
            .iter()
            .map(|m| RowValues {
                role: m.role.as_str().into(),
                person: m.person_id.map(|p| p.0.to_string()).unwrap_or_default(),
                name: if m.person_id.is_some() {
                    String::new()
                } else {
                    m.name.clone()
                },
                duty: m.duty.clone(),
            })
            .collect();
        rows.extend((0..SPARE_ROWS).map(|_| RowValues::default()));
        let (director_person, director_name) = match &g.safety_director {
            Some(d) => (
                d.person_id.map(|p| p.0.to_string()).unwrap_or_default(),
                if d.person_id.is_some() {
                    String::new()
                } else {
                    d.name.clone()
                },
            ),
            None => Default::default(),
        };
        let legal = g.legal_vice_principal.clone();
        GroupValues {
            rows,
            director_person,
            director_name,
            legal_name: legal.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
            legal_unit: legal.as_ref().map(|l| l.unit.clone()).unwrap_or_default(),
            legal_phone: legal.map(|l| l.phone).unwrap_or_default(),
            version: if g.exists {
                g.version.to_string()
            } else {
                String::new()
            },
        }
    }

    fn typed(p: &FormPairs) -> GroupValues {
        let first = |k: &str| p.all(k).first().cloned().unwrap_or_default();
        let mut rows = Vec::new();
        for i in 0..MAX_ROWS {
            let r = RowValues {
                role: first(&format!("role.{i}")),
                person: first(&format!("person.{i}")),
                name: first(&format!("name.{i}")),
                duty: first(&format!("duty.{i}")),
            };
            if p.all(&format!("role.{i}")).is_empty() {
                break;
            }
            rows.push(r);
        }
        GroupValues {
            rows,
            director_person: first("director_person"),
            director_name: first("director_name"),
            legal_name: first("legal_name"),
            legal_unit: first("legal_unit"),
            legal_phone: first("legal_phone"),
            version: first("version"),
        }
    }

    /// The rows with someone in them, as the storage's input; a row naming no one is left
    /// out, an unknown role is the row's field error.
    fn input(&self) -> Result<GroupInput, Error> {
        let mut members = Vec::new();
        let mut errs = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            let person = r.person.trim();
            if person.is_empty() && r.name.trim().is_empty() {
                continue;
            }
            let Some(role) = GroupRole::parse(r.role.trim()) else {
                errs.push(FieldError::new(format!("role.{i}"), "err.group.role"));
                continue;
            };
            let person_id = match person {
                "" => None,
                p => match p.parse() {
                    Ok(n) => Some(PersonId(n)),
                    Err(_) => {
                        errs.push(FieldError::new(format!("person.{i}"), "err.group.person"));
                        continue;
                    }
                },
            };
            members.push(MemberInput {
                role,
                person_id,
                name: r.name.clone(),
                duty: r.duty.clone(),
            });
        }
        if !errs.is_empty() {
            return Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: errs,
            });
        }
        let director = match (self.director_person.trim(), self.director_name.trim()) {
            ("", "") => None,
            ("", name) => Some(Director {
                person_id: None,
                name: name.into(),
            }),
            (p, _) => Some(Director {
                person_id: Some(PersonId(
                    p.parse()
                        .map_err(|_| Error::field("director_person", "err.group.person"))?,
                )),
                name: String::new(),
            }),
        };
        let legal = (!(self.legal_name.trim().is_empty()
            && self.legal_unit.trim().is_empty()
            && self.legal_phone.trim().is_empty()))
        .then(|| LegalVicePrincipal {
            name: self.legal_name.clone(),
            unit: self.legal_unit.clone(),
            phone: self.legal_phone.trim().into(),
        });
        Ok(GroupInput {
            members,
            safety_director: director,
            legal_vice_principal: legal,
            version: self.version.trim().parse().ok(),
        })
    }
}

/// The most member rows a form carries (the storage's limit is lower).
const MAX_ROWS: usize = 60;

impl GroupsPage {
    fn picked(&self, have: &str, p: &PersonId) -> bool {
        have == p.0.to_string()
    }

    /// The errors of form row `i`: the storage names its members by their place among the
    /// rows with someone in them, the form's own checks by the row.
    fn row_error(&self, i: &usize) -> String {
        let Some(o) = &self.own else {
            return String::new();
        };
        let blank = |r: &RowValues| r.person.trim().is_empty() && r.name.trim().is_empty();
        let mut fields = vec![format!("role.{i}"), format!("person.{i}")];
        if o.v.rows.get(*i).is_some_and(|r| !blank(r)) {
            let n = o.v.rows[..*i].iter().filter(|r| !blank(r)).count();
            for f in ["person_id", "name", "role", "duty"] {
                fields.push(format!("members[{n}].{f}"));
            }
        }
        let mut out = Vec::new();
        for f in fields {
            let m = self.errors.get(&f);
            if !m.is_empty() && !out.contains(&m) {
                out.push(m);
            }
        }
        out.join(" ")
    }
}

/// The org whose group the caller keeps: a district officer's district, a school
/// manager's school.
fn own_org(ctx: &Ctx) -> Option<(OrgId, bool)> {
    let role = ctx.actor.role();
    let org = ctx.actor.org_id()?;
    match ctx.actor.org_level()? {
        OrgLevel::District if matches!(role, Role::CityOfficer | Role::BureauOfficer) => {
            Some((org, false))
        }
        OrgLevel::School if matches!(role, Role::Principal | Role::SafetyDirector) => {
            Some((org, true))
        }
        _ => None,
    }
}

async fn groups_page(
    ctx: &Ctx,
    typed: Option<GroupValues>,
    errors: FormErrors,
) -> Result<Response, Error> {
    let groups = ctx
        .db_as(Action::LeadingGroupView)?
        .leading_groups()
        .list(None)
        .await?;
    let c = Chrome::for_ctx(ctx, "groups.title", "/leading-groups");
    let own = match own_org(ctx) {
        Some((org_id, school)) if c.can(ctx.actor.role(), Action::LeadingGroupEdit) => {
            let v = match typed {
                Some(v) => v,
                None => match groups.iter().find(|g| g.org_id == org_id) {
                    Some(g) => GroupValues::of(g),
                    None => GroupValues::of(
                        &ctx.db_as(Action::LeadingGroupView)?
                            .leading_groups()
                            .get(org_id)
                            .await?,
                    ),
                },
            };
            let people = if school {
                ctx.db_as(Action::PersonView)?.people().list(org_id).await?
            } else {
                Vec::new()
            };
            Some(OwnGroup {
                org_id,
                school,
                people,
                v,
            })
        }
        _ => None,
    };
    let roles = GroupRole::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), c.label(r)))
        .collect();
    let failed = errors.any();
    let mut resp = render(&GroupsPage {
        c,
        groups,
        own,
        roles,
        errors,
    })?;
    if failed {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

pub async fn groups(ctx: Ctx) -> Result<Response, Error> {
    groups_page(&ctx, None, FormErrors::default()).await
}

/// Saves the caller's own group from the page's form (the same write as
/// `PUT /api/v1/orgs/{id}/leading-group`).
pub async fn save_group(ctx: Ctx, p: FormPairs) -> Result<Response, Error> {
    let v = GroupValues::typed(&p);
    let res: Result<LeadingGroup, Error> = async {
        let org = ctx.actor.org_id().ok_or(Error::NotFound)?;
        let input = v.input()?;
        ctx.db().leading_groups().save(org, input).await
    }
    .await;
    match res {
        Ok(g) => Ok(see_other(&format!("/leading-groups#group-{}", g.org_id))),
        // Someone else saved the group since the form was opened: the form again with the
        // group as it stands now (and its new version), saying so; what was typed is lost
        // rather than saved over the other change.
        Err(Error::Conflict(key)) if key == "err.group.changed" => {
            let errors = FormErrors {
                general: crate::i18n::tr(ctx.lang, "groups.changed"),
                fields: Vec::new(),
            };
            let mut resp = groups_page(&ctx, None, errors).await?;
            *resp.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(resp)
        }
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => groups_page(&ctx, Some(v), errors).await,
            None => Err(e),
        },
    }
}
