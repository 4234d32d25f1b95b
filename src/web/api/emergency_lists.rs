//! API: the emergency module's lists as .xlsx, each with the scope and the rows of its page —
//! a school's drills (`/api/v1/schools/{id}/drills/export.xlsx`), the duty periods
//! (`/api/v1/duty-periods/export.xlsx`), a unit's roster for a period
//! (`/api/v1/duty-periods/{id}/rosters/{school_id}/export.xlsx`) and a school's plans
//! (`/api/v1/schools/{id}/emergency-plans/export.xlsx`). Headers come from the catalogue in
//! the caller's language.

use super::transfer::download;
use crate::domain::Code;
use crate::domain::calendar::DateRange;
use crate::domain::duty::DutyPerson;
use crate::domain::ids::{DutyPeriodId, OrgId};
use crate::error::Error;
use crate::i18n::Lang;
use crate::web::ctx::Ctx;
use crate::web::error::Envelope;
use crate::web::i18n::tr;
use crate::xlsx::{self, Cell};
use axum::extract::Path;
use axum::response::Response;

/// One sheet named `sheet` (a catalogue key) with the headers `keys`, downloaded as `file`.
fn sheet(
    l: Lang,
    sheet: &str,
    keys: &[&str],
    rows: &[Vec<Cell>],
    file: &str,
) -> Result<Response, Error> {
    let headers: Vec<String> = keys.iter().map(|k| tr(l, k)).collect();
    let bytes = xlsx::write_sheet(&tr(l, sheet), &headers, rows)
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    Ok(download(bytes, file))
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt<T: ToString>(v: &Option<T>) -> Cell {
    v.as_ref()
        .map(|v| Cell::Text(v.to_string()))
        .unwrap_or(Cell::Empty)
}

fn int(v: Option<i64>) -> Cell {
    v.map(Cell::Int).unwrap_or(Cell::Empty)
}

fn yes_no(l: Lang, b: bool) -> Cell {
    text(tr(l, if b { "common.yes" } else { "common.no" }))
}

/// A school's drills as on its page (the newest first): one row per drill.
#[utoipa::path(get, path = "/api/v1/schools/{id}/drills/export.xlsx", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope)))]
pub async fn drills(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let db = ctx.db();
    let school = db.drills().school(OrgId(id)).await?;
    let list = db.drills().list(OrgId(id)).await?;
    let l = ctx.lang;
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|d| {
            vec![
                Cell::Int(d.id.0),
                opt(&d.held_on.or(d.planned_on)),
                text(tr(l, &d.kind.label_key())),
                text(tr(l, &d.notice.label_key())),
                text(tr(l, &d.status.label_key())),
                text(d.buildings.clone()),
                int(d.classes),
                int(d.expected),
                int(d.assembled),
                int(d.missing),
                int(d.duration_seconds),
                int(d.target_seconds),
                d.target_met.map(|m| yes_no(l, m)).unwrap_or(Cell::Empty),
                d.rating
                    .map(|r| text(tr(l, &r.label_key())))
                    .unwrap_or(Cell::Empty),
                yes_no(l, d.plan_needs_revision),
                Cell::Int(d.hazard_ids.len() as i64),
                text(d.problems.clone()),
            ]
        })
        .collect();
    sheet(
        l,
        "drill.title",
        &[
            "list_export.id",
            "drill.date",
            "drill.kind",
            "drill.notice",
            "drill.status",
            "drill.buildings",
            "drill.classes",
            "drill.expected",
            "drill.assembled",
            "drill.missing",
            "list_export.duration_seconds",
            "list_export.target_seconds",
            "list_export.target_met",
            "drill.rating",
            "drill.plan_needs_revision",
            "list_export.hazards",
            "drill.problems",
        ],
        &rows,
        &format!("drills-{}.xlsx", school.code),
    )
}

/// The duty periods the caller sees, as on the periods page (the latest first).
#[utoipa::path(get, path = "/api/v1/duty-periods/export.xlsx", tag = "emergency",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn duty_periods(ctx: Ctx) -> Result<Response, Error> {
    let list = ctx.db().duty().list().await?;
    let l = ctx.lang;
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .map(|p| {
            let units: Vec<&str> = p.units.iter().map(|u| u.name.as_str()).collect();
            vec![
                Cell::Int(p.id.0),
                text(p.name.clone()),
                text(p.org.name.clone()),
                text(p.first.to_string()),
                text(p.last.to_string()),
                text(p.cutoff.clone()),
                Cell::Int(p.units.len() as i64),
                text(units.join("、")),
            ]
        })
        .collect();
    sheet(
        l,
        "duty.title",
        &[
            "list_export.id",
            "duty.name",
            "list_export.bureau",
            "list_export.first",
            "list_export.last",
            "duty.cutoff",
            "duty.units",
            "list_export.unit_names",
        ],
        &rows,
        "duty-periods.xlsx",
    )
}

fn person(p: &DutyPerson) -> String {
    format!("{} {}", p.name, p.phone).trim().to_string()
}

/// A unit's roster for a period, as on its print page: a row per day of the period with the
/// leader on duty, the officers, the duty phone and what is missing (uncovered, no leader).
/// A school that is not one of the period's units is 404.
#[utoipa::path(get, path = "/api/v1/duty-periods/{id}/rosters/{school_id}/export.xlsx",
    tag = "emergency", params(("id" = i64, Path), ("school_id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope)))]
pub async fn roster(ctx: Ctx, Path((id, school)): Path<(i64, i64)>) -> Result<Response, Error> {
    let db = ctx.db();
    let period_id = DutyPeriodId(id);
    let roster = db.duty().roster(period_id, OrgId(school)).await?;
    let period = db.duty().get(period_id).await?;
    let l = ctx.lang;
    let range = DateRange {
        first: period.first,
        last: period.last,
    };
    let rows: Vec<Vec<Cell>> = range
        .days()
        .map(|d| {
            let day = roster.days.iter().find(|x| x.date == d);
            let officers: Vec<String> = day
                .map(|x| x.officers.iter().map(person).collect())
                .unwrap_or_default();
            let gap = if roster.uncovered.contains(&d) {
                tr(l, "duty.uncovered")
            } else if roster.without_leader.contains(&d) {
                tr(l, "duty.without_leader")
            } else {
                String::new()
            };
            vec![
                text(d.to_string()),
                opt(&day.and_then(|x| x.leader.as_ref()).map(|p| p.name.clone())),
                opt(&day.and_then(|x| x.leader.as_ref()).map(|p| p.phone.clone())),
                text(officers.join("\n")),
                opt(&day.and_then(|x| x.duty_phone.clone())),
                text(gap),
            ]
        })
        .collect();
    sheet(
        l,
        "duty.roster",
        &[
            "duty.date",
            "duty.leader",
            "list_export.leader_phone",
            "duty.officers",
            "duty.duty_phone",
            "list_export.gap",
        ],
        &rows,
        &format!("duty-roster-{}-{}.xlsx", period.id, roster.school.code),
    )
}

/// A school's plans as on its plans page (in force first, then in the works, then
/// superseded): title, version, form, type, status, filing deadline and evaluation.
#[utoipa::path(get, path = "/api/v1/schools/{id}/emergency-plans/export.xlsx", tag = "emergency",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Envelope)))]
pub async fn plans(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, Error> {
    let s = ctx
        .db()
        .plans()
        .school_plans(OrgId(id), &ctx.config().plans)
        .await?;
    let l = ctx.lang;
    let rows: Vec<Vec<Cell>> = s
        .plans
        .iter()
        .map(|p| {
            vec![
                Cell::Int(p.id.0),
                text(p.title.clone()),
                Cell::Int(i64::from(p.version_no)),
                text(tr(l, &p.form.label_key())),
                text(tr(l, &p.plan_type.label_key())),
                text(tr(l, &p.status.label_key())),
                opt(&p.published_on),
                opt(&p.filing.map(|f| f.due_on)),
                p.filing
                    .map(|f| text(tr(l, &f.status.label_key())))
                    .unwrap_or(Cell::Empty),
                opt(&p.filed_on),
                opt(&p.evaluation_due),
                yes_no(l, p.evaluation_overdue),
            ]
        })
        .collect();
    sheet(
        l,
        "plan.title",
        &[
            "list_export.id",
            "plan.plan_title",
            "list_export.version",
            "plan.form",
            "plan.type",
            "plan.status",
            "list_export.published_on",
            "plan.filing_due",
            "list_export.filing_status",
            "list_export.filed_on",
            "plan.evaluation_due",
            "list_export.evaluation_overdue",
        ],
        &rows,
        &format!("emergency-plans-{}.xlsx", s.school.code),
    )
}
