//! API: the bureau's roll-up as .xlsx (`/api/v1/emergency-plans/export.xlsx`) and a plan's
//! documents uploaded for the plan itself (`/api/v1/emergency-plans/{id}/documents`, the way a
//! bureau's own plan takes documents).

use super::{Q, query, read_back};
use crate::domain::Code;
use crate::domain::ids::PlanId;
use crate::error::Error;
use crate::storage::emergency_plans::{Plan, RollupQuery};
use crate::web::api::ApiResult;
use crate::web::api::files::UploadForm;
use crate::web::api::transfer::download;
use crate::web::ctx::Ctx;
use crate::web::error::Envelope;
use crate::web::i18n::tr;
use crate::xlsx::{self, Cell};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path};
use axum::response::Response;

/// The roll-up as .xlsx: one row per school under `org_id` (the caller's node by default),
/// schools with uncovered red and orange points first — its plans in force and in the works,
/// filings overdue, evaluations due, red and orange points, the uncovered ones and the plan
/// types that would cover them.
#[utoipa::path(get, path = "/api/v1/emergency-plans/export.xlsx", tag = "emergency",
    params(RollupQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope), (status = 422, body = Envelope)))]
pub async fn export(ctx: Ctx, q: Q<RollupQuery>) -> Result<Response, Error> {
    let r = ctx
        .db()
        .plans()
        .rollup(&query(q)?, &ctx.config().plans)
        .await?;
    let l = ctx.lang;
    let headers: Vec<String> = [
        "plan.col.school_code",
        "plan.school",
        "plan.col.plans",
        "plan.in_force",
        "plan.in_progress",
        "plan.filing_overdue",
        "plan.evaluation_due",
        "plan.high_points",
        "plan.uncovered",
        "plan.needs",
        "plan.col.comprehensive",
    ]
    .iter()
    .map(|k| tr(l, k))
    .collect();
    let yes_no = |b: bool| {
        tr(
            l,
            if b {
                "plan.col.present"
            } else {
                "plan.col.absent"
            },
        )
    };
    let cells: Vec<Vec<Cell>> = r
        .schools
        .iter()
        .map(|s| {
            let needs: Vec<String> = s.needs.iter().map(|t| tr(l, &t.label_key())).collect();
            vec![
                Cell::Text(s.school.code.clone()),
                Cell::Text(s.school.name.clone()),
                Cell::Int(s.plans),
                Cell::Int(s.in_force),
                Cell::Int(s.in_progress),
                Cell::Int(s.filing_overdue),
                Cell::Int(s.evaluation_due),
                Cell::Int(s.points),
                Cell::Int(s.uncovered),
                Cell::Text(needs.join("、")),
                Cell::Text(yes_no(s.has_comprehensive)),
            ]
        })
        .collect();
    let bytes = xlsx::write_sheet(&tr(l, "plan.rollup"), &headers, &cells)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(
        bytes,
        &format!("emergency-plans-{}.xlsx", r.org.code),
    ))
}

/// Uploads documents (PDFs, scans; multipart `file` parts) to a draft or a plan sent back for
/// revision, stored for the plan's organisation — its school, or the bureau for its own plans
/// (whose documents cannot come through `POST /api/v1/files`, which takes a school's) — and
/// added to the plan in one transaction. Other statuses: 409.
#[utoipa::path(post, path = "/api/v1/emergency-plans/{id}/documents", tag = "emergency",
    params(("id" = i64, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = Plan), (status = 403, body = Envelope),
        (status = 404, body = Envelope), (status = 409, body = Envelope),
        (status = 413, body = Envelope), (status = 422, body = Envelope)))]
pub async fn documents(
    ctx: Ctx,
    Path(id): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<Plan> {
    let id = PlanId(id);
    // Scope and role before any file is read.
    ctx.db().plans().check_plan(id).await?;
    let mut mp = mp.map_err(|_| Error::validation("err.file.bad_form"))?;
    let raw = crate::web::upload::read_multipart(&mut mp, &ctx.config().files).await?;
    let parts: Vec<_> = raw
        .files
        .into_iter()
        .filter(|f| f.field == "file")
        .collect();
    if parts.is_empty() {
        return Err(Error::field("file", "err.file.missing"));
    }
    let files = crate::web::upload::process_all(&ctx, parts)
        .await?
        .into_iter()
        .map(|(_, name, p)| (name, p))
        .collect();
    ctx.db().plans().add_documents(id, files).await?;
    Ok(axum::Json(read_back(&ctx, id).await?))
}
