//! API: responsibility and organisation — `/api/v1/responsibility-letters` (issue, sign,
//! .xlsx of who signed) and the leading groups (`/api/v1/orgs/{id}/leading-group`, the
//! bureau's list of every group with its gaps and its .xlsx).

use super::ApiResult;
use super::transfer::download;
use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::error::Error;
use crate::storage::leading_groups::{GroupInput, LeadingGroup};
use crate::storage::letters::{Letter, NewLetter, SignLetter};
use crate::web::ctx::{ApiJson, Ctx};
use crate::web::error::Envelope;
use crate::web::i18n::tr;
use crate::xlsx::{self, Cell};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

/// Which letters: of one year.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LetterQuery {
    pub year: Option<i32>,
}

/// Whose groups: an org in scope (the caller's own by default) and every school below.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GroupQuery {
    pub org_id: Option<i64>,
}

fn sheet(
    name: &str,
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
    file: &str,
) -> Result<Response, Error> {
    let bytes = xlsx::write_sheet(name, &headers, &rows)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(bytes, file))
}

/// The letters the caller reads — a bureau's to its schools, a school's to its posts — each
/// with its signatures and who has not signed (within the caller's scope), newest first.
#[utoipa::path(get, path = "/api/v1/responsibility-letters", tag = "responsibility",
    params(LetterQuery), responses((status = 200, body = Vec<Letter>)))]
pub async fn list(ctx: Ctx, q: Q<LetterQuery>) -> ApiResult<Vec<Letter>> {
    let q = query(q)?;
    Ok(axum::Json(ctx.db().letters().list(q.year).await?))
}

/// Issues a letter: `org_id` a district (the bureau's letter to its schools, by city and
/// district officers) or a school (to the people named in `person_ids`, by its principal or
/// safety director); the other way round is 403.
#[utoipa::path(post, path = "/api/v1/responsibility-letters", tag = "responsibility",
    request_body = NewLetter,
    responses((status = 201, body = Letter), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(body): ApiJson<NewLetter>,
) -> Result<(StatusCode, axum::Json<Letter>), Error> {
    let l = ctx.db().letters().issue(body).await?;
    Ok((StatusCode::CREATED, axum::Json(l)))
}

/// Signs a letter: a bureau's letter for the caller's school (the principal acknowledges;
/// the principal or safety director attaches the signed scan as `file_id`), a post letter
/// for `person_id` (the person acknowledges; managers attach scans). Signing twice is 409.
#[utoipa::path(post, path = "/api/v1/responsibility-letters/{id}/sign", tag = "responsibility",
    params(("id" = i64, Path)), request_body = SignLetter,
    responses((status = 200, body = Letter), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn sign(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SignLetter>,
) -> ApiResult<Letter> {
    Ok(axum::Json(ctx.db().letters().sign(id, body).await?))
}

/// The letters as .xlsx: one row per signatory (signed or not).
#[utoipa::path(get, path = "/api/v1/responsibility-letters/export.xlsx", tag = "responsibility",
    params(LetterQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_letters(ctx: Ctx, q: Q<LetterQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let letters = ctx.db().letters().list(q.year).await?;
    let l = ctx.lang;
    let headers = [
        "letters.col.year",
        "letters.col.title",
        "letters.col.school",
        "letters.col.person",
        "letters.col.status",
        "letters.col.method",
        "letters.col.signed_by",
        "letters.col.signed_at",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let mut rows = Vec::new();
    for x in &letters {
        for s in &x.signatures {
            rows.push(vec![
                Cell::Int(i64::from(x.year)),
                Cell::Text(x.title.clone()),
                Cell::Text(s.who.school_name.clone()),
                Cell::Text(s.who.person_name.clone()),
                Cell::Text(tr(l, "letters.signed")),
                Cell::Text(tr(l, &s.method.label_key())),
                Cell::Text(s.signed_by_name.clone()),
                Cell::Text(s.signed_at.format("%Y-%m-%d %H:%M").to_string()),
            ]);
        }
        for u in &x.unsigned {
            rows.push(vec![
                Cell::Int(i64::from(x.year)),
                Cell::Text(x.title.clone()),
                Cell::Text(u.school_name.clone()),
                Cell::Text(u.person_name.clone()),
                Cell::Text(tr(l, "letters.unsigned")),
                Cell::Text(String::new()),
                Cell::Text(String::new()),
                Cell::Text(String::new()),
            ]);
        }
    }
    sheet(
        &tr(l, "letters.title"),
        headers,
        rows,
        "responsibility-letters.xlsx",
    )
}

/// The leading group of an org in scope (a district or a school) with its gaps.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/leading-group", tag = "responsibility",
    params(("id" = i64, Path)),
    responses((status = 200, body = LeadingGroup), (status = 404, body = Envelope)))]
pub async fn group(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<LeadingGroup> {
    Ok(axum::Json(ctx.db().leading_groups().get(OrgId(id)).await?))
}

/// Records the whole leading group of an org: a district's by the bureau's officers, a
/// school's by its principal or safety director (members by person id where the school
/// has a people register). A stale `version` is 409.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/leading-group", tag = "responsibility",
    params(("id" = i64, Path)), request_body = GroupInput,
    responses((status = 200, body = LeadingGroup), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 422, body = Envelope)))]
pub async fn save_group(
    ctx: Ctx,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<GroupInput>,
) -> ApiResult<LeadingGroup> {
    Ok(axum::Json(
        ctx.db().leading_groups().save(OrgId(id), body).await?,
    ))
}

/// The groups of an org and every school below it, those with gaps first.
#[utoipa::path(get, path = "/api/v1/leading-groups", tag = "responsibility", params(GroupQuery),
    responses((status = 200, body = Vec<LeadingGroup>), (status = 404, body = Envelope)))]
pub async fn groups(ctx: Ctx, q: Q<GroupQuery>) -> ApiResult<Vec<LeadingGroup>> {
    let q = query(q)?;
    Ok(axum::Json(
        ctx.db().leading_groups().list(q.org_id.map(OrgId)).await?,
    ))
}

/// The groups as .xlsx: one row per org with its leader, safety director, legal
/// vice-principal and gaps.
#[utoipa::path(get, path = "/api/v1/leading-groups/export.xlsx", tag = "responsibility",
    params(GroupQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope)))]
pub async fn export_groups(ctx: Ctx, q: Q<GroupQuery>) -> Result<Response, Error> {
    let q = query(q)?;
    let groups = ctx.db().leading_groups().list(q.org_id.map(OrgId)).await?;
    let l = ctx.lang;
    let headers = [
        "groups.col.org",
        "groups.col.leader",
        "groups.col.members",
        "groups.col.director",
        "groups.col.legal",
        "groups.col.gaps",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let rows = groups
        .iter()
        .map(|g| {
            let leader = g
                .members
                .iter()
                .filter(|m| m.role == crate::domain::responsibility::GroupRole::Leader)
                .map(|m| m.name.clone())
                .collect::<Vec<_>>()
                .join("、");
            vec![
                Cell::Text(g.org_name.clone()),
                Cell::Text(leader),
                Cell::Int(g.members.len() as i64),
                Cell::Text(
                    g.safety_director
                        .as_ref()
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                ),
                Cell::Text(
                    g.legal_vice_principal
                        .as_ref()
                        .map(|v| format!("{}（{}）", v.name, v.unit))
                        .unwrap_or_default(),
                ),
                Cell::Text(
                    g.gaps
                        .iter()
                        .map(|x| tr(l, &x.label_key()))
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
            ]
        })
        .collect();
    sheet(&tr(l, "groups.title"), headers, rows, "leading-groups.xlsx")
}
