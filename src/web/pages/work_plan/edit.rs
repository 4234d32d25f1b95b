//! Editing a plan on its page (F-PLAN-2): an item's text, lead and co-operating departments,
//! an obligation added to an item or removed from it. Each form posts to `POST
//! /work-plans/{id}` and goes through the same storage write as `PATCH
//! /api/v1/work-plans/{id}` (the whole contents with the form's change, the version the page
//! showed: a plan changed meanwhile is 409), so every edit is a version of its own.

use crate::domain::Code;
use crate::domain::ids::{ObligationId, OrgId, WorkPlanId};
use crate::domain::work_plan::{Evidence, Frequency, ItemInput, ObligationInput, Who};
use crate::error::Error;
use crate::storage::work_plans::{PlanItem, WorkPlan, WorkPlanPatch};
use crate::web::ctx::{Ctx, Form};
use crate::web::pages::{FormErrors, see_other};
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;

/// The plan page's forms (`op` = `item`, `add` or `remove`), the item named by its number.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    op: String,
    version: String,
    number: String,
    text: String,
    lead: String,
    cooperating: String,
    obligation_id: String,
    who: String,
    min_students: String,
    org_ids: String,
    evidence: String,
    kind: String,
    every: String,
    count: String,
    note: String,
}

/// The stored items as a `PATCH` writes them (ids kept).
pub fn as_input(items: &[PlanItem]) -> Vec<ItemInput> {
    items
        .iter()
        .map(|i| ItemInput {
            id: Some(i.id),
            number: u32::try_from(i.number).unwrap_or(0),
            group: i.group.clone(),
            title: i.title.clone(),
            text: i.text.clone(),
            lead: i.lead.clone(),
            cooperating: i.cooperating.clone(),
            obligations: i
                .obligations
                .iter()
                .map(|o| ObligationInput {
                    id: Some(o.id),
                    who: o.who,
                    min_students: o.min_students,
                    org_ids: o.org_ids.clone(),
                    evidence: o.evidence,
                    kind: o.kind.clone(),
                    every: o.every,
                    count: o.count,
                    note: o.note.clone(),
                })
                .collect(),
        })
        .collect()
}

fn code<T: Code>(field: &str, v: &str) -> Result<T, Error> {
    T::parse(v.trim()).ok_or_else(|| Error::field(field, "err.required"))
}

/// Departments as typed: separated by commas (either width), 、 or new lines.
fn departments(s: &str) -> Vec<String> {
    s.split([',', '，', '、', '\n'])
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

/// The new obligation a form describes.
fn obligation(f: &EditForm) -> Result<ObligationInput, Error> {
    let num = |field: &str, v: &str| -> Result<Option<i64>, Error> {
        match v.trim() {
            "" => Ok(None),
            s => s
                .parse()
                .map(Some)
                .map_err(|_| Error::field(field, "err.work_plan.number")),
        }
    };
    let mut org_ids = Vec::new();
    for id in f.org_ids.split([',', '，', ' ']).filter(|s| !s.is_empty()) {
        org_ids.push(OrgId(num("org_ids", id)?.unwrap_or(0)));
    }
    Ok(ObligationInput {
        id: None,
        who: code::<Who>("who", &f.who)?,
        min_students: num("min_students", &f.min_students)?.map(|n| n as i32),
        org_ids,
        evidence: code::<Evidence>("evidence", &f.evidence)?,
        kind: Some(f.kind.trim().to_string()).filter(|k| !k.is_empty()),
        every: code::<Frequency>("every", &f.every)?,
        count: num("count", &f.count)?
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| Error::field("count", "err.work_plan.count"))?,
        note: f.note.clone(),
    })
}

/// Applies the form to the plan's contents: the patch to write and the item it touched.
fn patch(p: &WorkPlan, f: &EditForm) -> Result<(WorkPlanPatch, u32), Error> {
    let mut items = as_input(&p.items);
    let number: u32 = f
        .number
        .trim()
        .parse()
        .map_err(|_| Error::field("number", "err.work_plan.number"))?;
    let item = items
        .iter_mut()
        .find(|i| i.number == number)
        .ok_or_else(|| Error::field("number", "err.work_plan.unknown_id"))?;
    let note = match f.op.as_str() {
        "item" => {
            item.text = f.text.clone();
            item.lead = f.lead.clone();
            item.cooperating = departments(&f.cooperating);
            format!("item {number}")
        }
        "add" => {
            item.obligations.push(obligation(f)?);
            format!("item {number}: obligation added")
        }
        "remove" => {
            let id = ObligationId(
                f.obligation_id
                    .trim()
                    .parse()
                    .map_err(|_| Error::field("obligation_id", "err.work_plan.unknown_id"))?,
            );
            let before = item.obligations.len();
            item.obligations.retain(|o| o.id != Some(id));
            if item.obligations.len() == before {
                return Err(Error::field("obligation_id", "err.work_plan.unknown_id"));
            }
            format!("item {number}: obligation {} removed", id.0)
        }
        _ => return Err(Error::field("op", "err.required")),
    };
    let version = match f.version.trim() {
        "" => None,
        v => Some(
            v.parse()
                .map_err(|_| Error::field("version", "err.work_plan.number"))?,
        ),
    };
    Ok((
        WorkPlanPatch {
            version,
            title: None,
            items: Some(items),
            note,
        },
        number,
    ))
}

/// `POST /work-plans/{id}`: one change of the plan page.
pub async fn edit(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Result<Response, Error> {
    let plans = ctx.db();
    let plans = plans.work_plans();
    let id = WorkPlanId(id);
    let res = async {
        let p = plans.get(id).await?;
        let (patch, number) = patch(&p, &f)?;
        plans.update(id, patch).await?;
        Ok::<u32, Error>(number)
    }
    .await;
    match res {
        Ok(number) => Ok(see_other(&format!("/work-plans/{}#item-{number}", id.0))),
        Err(e) => match FormErrors::from_error(&e, ctx.lang) {
            Some(errors) => super::plan_page(&ctx, id, errors).await,
            None => Err(e),
        },
    }
}
