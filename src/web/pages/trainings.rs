//! Pages: who of a training group has had the year's training (`/trainings/compliance`), the
//! untrained first, with the group and year to choose; a school training's attendance
//! (`/trainings/{id}/attendance`: who is on it, the .xlsx upload and its row-by-row report).

use super::{Chrome, render};
use crate::domain::Code;
use crate::domain::ids::TrainingId;
use crate::domain::work_plan::TrainingGroup;
use crate::error::Error;
use crate::storage::training_attendance::{
    ATTENDANCE_FIELDS, ATTENDANCE_REQUIRED, ComplianceQuery, TrainingBrief, TrainingCompliance,
};
use crate::storage::transfer::ImportReport;
use crate::web::api::transfer::{Upload, read_table, translate};
use crate::web::ctx::Ctx;
use crate::web::error::field_label;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "work_plan/training_compliance.html")]
struct CompliancePage {
    c: Chrome,
    r: TrainingCompliance,
    groups: Vec<(String, String)>,
    org_id: String,
}

/// The page's filters, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Filters {
    org_id: String,
    year: String,
    group: String,
}

pub async fn compliance(ctx: Ctx, Query(f): Query<Filters>) -> Result<Response, Error> {
    let group = match f.group.trim() {
        "" => TrainingGroup::Guards,
        g => TrainingGroup::parse(g).ok_or_else(|| Error::field("group", "err.training.group"))?,
    };
    let year = match f.year.trim() {
        "" => crate::clock::today().year(),
        y => y
            .parse()
            .map_err(|_| Error::field("year", "err.governance.year"))?,
    };
    let org_id = match f.org_id.trim() {
        "" => None,
        o => Some(
            o.parse()
                .map_err(|_| Error::field("org_id", "err.not_found"))?,
        ),
    };
    let r = ctx
        .db()
        .work_records()
        .training_compliance(&ComplianceQuery {
            org_id,
            year: Some(year),
            group,
        })
        .await?;
    let c = Chrome::for_ctx(&ctx, "training.compliance", "/compliance");
    let groups = TrainingGroup::ALL
        .iter()
        .map(|g| (g.as_str().to_string(), c.label(g)))
        .collect();
    render(&CompliancePage {
        org_id: r.org.id.to_string(),
        c,
        r,
        groups,
    })
}

#[derive(Template)]
#[template(path = "work_plan/attendance.html")]
struct AttendancePage {
    c: Chrome,
    t: TrainingBrief,
    columns: Vec<(String, bool)>,
    report: Option<ImportReport>,
    error: String,
}

impl AttendancePage {
    fn field(&self, f: &str) -> String {
        field_label(self.c.lang, f)
    }
}

async fn attendance_page(
    ctx: &Ctx,
    id: i64,
    report: Option<ImportReport>,
    error: String,
) -> Result<Response, Error> {
    let t = ctx
        .db()
        .work_records()
        .training_brief(TrainingId(id))
        .await?;
    let failed = report.as_ref().is_some_and(|r| !r.errors.is_empty()) || !error.is_empty();
    let mut c = Chrome::for_ctx(ctx, "training.attendance", "/compliance");
    c.title = format!("{} · {}", c.t("training.attendance"), t.topic);
    let columns = ATTENDANCE_FIELDS
        .iter()
        .map(|f| (field_label(ctx.lang, f), ATTENDANCE_REQUIRED.contains(f)))
        .collect();
    let mut r = render(&AttendancePage {
        t,
        columns,
        report: report.map(|r| translate(r, ctx.lang)),
        error,
        c,
    })?;
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The attendance of a training: who is on it and the upload form.
pub async fn attendance(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    attendance_page(&ctx, id, None, String::new()).await
}

/// The upload: the sheet checked row by row against the school's register (the same write as
/// `POST /api/v1/trainings/{id}/attendance`); a bad row is reported on the page, 422, and
/// nothing changes.
pub async fn attendance_upload(
    ctx: Ctx,
    Path(id): Path<i64>,
    upload: Result<Upload, Error>,
) -> Result<Response, Error> {
    let res = match upload {
        Ok(Upload(bytes)) => match read_table(&bytes, ATTENDANCE_FIELDS, ATTENDANCE_REQUIRED) {
            Ok((rows, cols)) => {
                ctx.db()
                    .work_records()
                    .import_attendance(TrainingId(id), &rows, &cols)
                    .await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match res {
        Ok(r) => attendance_page(&ctx, id, Some(r), String::new()).await,
        Err(e @ (Error::Validation { .. } | Error::TooLarge(_))) => {
            let msg = crate::web::error::envelope(&e, ctx.lang).error.message;
            attendance_page(&ctx, id, None, msg).await
        }
        Err(e) => Err(e),
    }
}
