//! Risk points counted without reading them: the grades of the active points per school come
//! from the roll-up `risk_counts` (kept on write by triggers, migration m0028), the points due
//! for re-assessment from their own index (only the due ones are read). The district's and the
//! city's summaries, the home pages and the risk index all count through here.

use super::entity::{risk_count, risk_point};
use super::read::Reader;
use crate::domain::ids::OrgId;
use crate::error::Result;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use std::collections::HashMap;

/// Active points per school and current grade (`None`: not yet assessed) for the schools the
/// subquery selects; only grades with points.
pub(super) async fn grades(
    read: &Reader,
    schools: &SelectStatement,
) -> Result<Vec<(OrgId, Option<String>, i64)>> {
    let q = risk_count::Entity::find()
        .select_only()
        .column(risk_count::Column::SchoolId)
        .column(risk_count::Column::Grade)
        .column(risk_count::Column::N)
        .filter(risk_count::Column::N.gt(0))
        .filter(risk_count::Column::SchoolId.in_subquery(schools.clone()))
        .into_query();
    let rows: Vec<(OrgId, String, i64)> = read.all(&q).await?;
    Ok(rows
        .into_iter()
        .map(|(school, grade, n)| (school, Some(grade).filter(|g| !g.is_empty()), n))
        .collect())
}

/// Active points due for re-assessment on `today` (review date on or before it), per school.
pub(super) async fn due(
    read: &Reader,
    schools: &SelectStatement,
    today: NaiveDate,
) -> Result<HashMap<OrgId, i64>> {
    let q = risk_point::Entity::find()
        .select_only()
        .column(risk_point::Column::SchoolId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(risk_point::Column::Status.eq("active"))
        .filter(risk_point::Column::NextReviewOn.lte(today))
        .filter(risk_point::Column::SchoolId.in_subquery(schools.clone()))
        .group_by(risk_point::Column::SchoolId)
        .into_query();
    Ok(read.all::<(OrgId, i64)>(&q).await?.into_iter().collect())
}
