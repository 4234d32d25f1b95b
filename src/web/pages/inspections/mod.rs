//! Pages: Inspections, campaigns, cross-inspections and the self-inspection board.
//!
//! The checklist form (a school's self-inspection, a post check, a campaign check, a risk
//! point's QR check, a cross-inspection) is one template: one section per zone and aspect
//! (with an index), one row per item with large pass / fail / n.a. labels over radio inputs
//! and a multi-line note, a sticky bar with the progress. "Mark the rest as pass" is a second
//! submit button that marks only the count the person confirmed (`confirm_rest`: asked by
//! the page's script, or by the form shown again without scripts). A refused submission
//! comes back with everything entered (photos already stored kept by id); a stored one leads
//! to its short result (`/inspections/{id}/result`). Rows left without a result are not
//! submitted. On the school's half-month self-inspection each answer is also saved as it is
//! given (htmx posts the row to `/schools/{id}/inspections/new/items/{key}`), so the form
//! opened again shows it; the submission is still the whole form, checked as a whole.

mod campaigns;
mod cross;
mod form;
mod lists;

pub use campaigns::{campaign, campaign_create, campaign_new, campaigns};
pub use cross::{cross, cross_create, cross_form, cross_new, cross_one, cross_submit};
pub use form::{NewQ, new_form, new_submit, point_check, point_check_submit, save_item};
pub use lists::{board, detail, list, result};

use crate::error::Error;
use crate::storage::inspections::Status;
use crate::web::ctx::Ctx;
use crate::web::pages::{Chrome, FormErrors};
use axum::extract::Query;
use chrono::NaiveDate;

type Q<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Q<T>) -> Result<T, Error> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::validation(e.body_text()))
}

fn grace(ctx: &Ctx) -> u32 {
    ctx.config().inspection.grace_days
}

use super::china_time as local;

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Missing => "g-red",
        Status::Late => "g-orange",
        Status::Open => "g-none",
        Status::OnTime => "g-blue",
    }
}

fn date_field(s: &str, field: &str, c: &Chrome, errors: &mut FormErrors) -> NaiveDate {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => d,
        Err(_) => {
            errors
                .fields
                .push((field.into(), c.msg("err.inspection.date")));
            crate::storage::risk_points::today()
        }
    }
}

/// A form shown again with its errors answers 422, like every other refused form.
fn refused(
    page: Result<axum::response::Response, Error>,
) -> Result<axum::response::Response, Error> {
    let mut r = page?;
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}
