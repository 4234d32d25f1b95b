//! The half-month self-inspection's answers saved as the school goes: each pass / fail / n.a.
//! and each note is stored when it is given (one row per school, half-month and risk point),
//! so that a phone which loses the page or the network keeps what was answered, and the form
//! opened again shows it. The school's submission of the half-month deletes them in its own
//! transaction; once the half-month is submitted, an answer is no longer saved this way (409).
//! The final submission still checks everything (a failed item needs a note …).

use super::*;

/// The stored answers (private to the inspections' storage).
pub(in crate::storage) mod draft {
    use crate::domain::ids::{OrgId, RiskPointId};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "inspection_drafts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub school_id: OrgId,
        pub period: String,
        pub risk_point_id: RiskPointId,
        /// `pass`, `fail`, `na`, or empty (a note without a result yet).
        pub result: String,
        pub note: String,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One saved answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftAnswer {
    pub result: Option<ItemResult>,
    pub note: String,
}

/// The answers saved for a school's current half-month.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub period: String,
    pub answers: HashMap<RiskPointId, DraftAnswer>,
}

impl Draft {
    /// How many items have a result.
    pub fn answered(&self) -> usize {
        self.answers.values().filter(|a| a.result.is_some()).count()
    }
}

/// A change of one item: `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct DraftChange {
    /// `pass`, `fail`, `na`, or empty to take the result back.
    pub result: Option<String>,
    pub note: Option<String>,
}

/// The current half-month.
fn current_period() -> String {
    Period::of(crate::storage::risk_points::today()).to_string()
}

/// Deletes the answers saved for `school` in `periods` (the submission's transaction).
pub(super) async fn clear(
    txn: &DatabaseTransaction,
    school: OrgId,
    periods: &[String],
) -> Result<()> {
    draft::Entity::delete_many()
        .filter(draft::Column::SchoolId.eq(school))
        .filter(draft::Column::Period.is_in(periods.iter().cloned()))
        .exec(txn)
        .await?;
    Ok(())
}

impl Inspections<'_> {
    /// The answers saved for the school's current half-month (the school in scope, the role
    /// allowed).
    pub async fn draft(&self, school: OrgId) -> Result<Draft> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let period = current_period();
        let rows = draft::Entity::find()
            .filter(draft::Column::SchoolId.eq(s.id))
            .filter(draft::Column::Period.eq(period.clone()))
            .all(&self.conn)
            .await?;
        Ok(Draft {
            period,
            answers: rows
                .into_iter()
                .map(|r| {
                    (
                        r.risk_point_id,
                        DraftAnswer {
                            result: ItemResult::parse(&r.result),
                            note: r.note,
                        },
                    )
                })
                .collect(),
        })
    }

    /// Saves one answer of the school's current half-month self-inspection; `item` is the
    /// form's row key (`p<risk point id>`). The school in scope (else 404, audited) and the
    /// role (403) first; a half-month already submitted is 409; an item that is not a row of
    /// the school's half-month checklist, an unknown result or a too long note is 422.
    /// Returns the answers saved so far.
    pub async fn save_draft_answer(
        &self,
        school: OrgId,
        item: &str,
        change: &DraftChange,
    ) -> Result<Draft> {
        let (mut tx, school) = self
            .begin_for_school(
                Event::new(InspectionAudit::DraftSave, "risk_point", item),
                school,
            )
            .await?;
        let school = school.org_id();
        let period = current_period();
        let res = save_in(&tx.txn, school, &period, item, change).await;
        match res {
            Ok((point, saved)) => {
                tx.event.object_id = point.0.to_string();
                tx.event.detail = format!(
                    "school={} period={period} result={}",
                    school.0,
                    saved.result.map(|r| r.as_str()).unwrap_or("-")
                );
                tx.commit().await?;
                let rows = draft::Entity::find()
                    .filter(draft::Column::SchoolId.eq(school))
                    .filter(draft::Column::Period.eq(period.clone()))
                    .all(&self.conn)
                    .await?;
                Ok(Draft {
                    period,
                    answers: rows
                        .into_iter()
                        .map(|r| {
                            (
                                r.risk_point_id,
                                DraftAnswer {
                                    result: ItemResult::parse(&r.result),
                                    note: r.note,
                                },
                            )
                        })
                        .collect(),
                })
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}

async fn save_in(
    txn: &DatabaseTransaction,
    school: OrgId,
    period: &str,
    item: &str,
    change: &DraftChange,
) -> Result<(RiskPointId, DraftAnswer)> {
    let submitted = inspection::Entity::find()
        .filter(inspection::Column::SchoolId.eq(school))
        .filter(inspection::Column::Kind.eq(Kind::HalfMonth.as_str()))
        .filter(inspection::Column::Period.eq(period))
        .one(txn)
        .await?
        .is_some();
    if submitted {
        return Err(Error::Conflict("err.inspection.draft_submitted".into()));
    }
    let mut errs = Vec::new();
    // A row of the school's half-month checklist: an active point checked monthly or more often.
    let point = match item
        .strip_prefix('p')
        .and_then(|s| s.parse::<i64>().ok())
        .map(RiskPointId)
    {
        Some(p) => risk_point::Entity::find_by_id(p)
            .filter(risk_point::Column::SchoolId.eq(school))
            .filter(risk_point::Column::Status.eq("active"))
            .filter(
                risk_point::Column::CheckFrequency.is_in(HALF_MONTH_FREQUENCIES.iter().copied()),
            )
            .one(txn)
            .await?
            .map(|m| m.id),
        None => None,
    };
    if point.is_none() {
        errs.push(FieldError::new("item", "err.inspection.point_not_here"));
    }
    let result = match change.result.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(r) => match ItemResult::parse(r) {
            Some(v) => Some(Some(v)),
            None => {
                errs.push(FieldError::new("result", "err.inspection.result"));
                None
            }
        },
    };
    if change
        .note
        .as_deref()
        .is_some_and(|n| n.trim().chars().count() > MAX_NOTE)
    {
        errs.push(FieldError::new("note", "err.inspection.too_long"));
    }
    let Some(point) = point.filter(|_| errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let old = draft::Entity::find()
        .filter(draft::Column::SchoolId.eq(school))
        .filter(draft::Column::Period.eq(period))
        .filter(draft::Column::RiskPointId.eq(point))
        .one(txn)
        .await?;
    let mut answer = old
        .as_ref()
        .map(|m| DraftAnswer {
            result: ItemResult::parse(&m.result),
            note: m.note.clone(),
        })
        .unwrap_or_default();
    if let Some(r) = result {
        answer.result = r;
    }
    if let Some(n) = &change.note {
        answer.note = n.trim().to_string();
    }
    let result_code = answer.result.map(|r| r.as_str()).unwrap_or("").to_string();
    match old {
        Some(m) if answer.result.is_none() && answer.note.is_empty() => {
            draft::Entity::delete_by_id(m.id).exec(txn).await?;
        }
        Some(m) => {
            draft::ActiveModel {
                id: Set(m.id),
                result: Set(result_code),
                note: Set(answer.note.clone()),
                updated_at: Set(Utc::now()),
                ..Default::default()
            }
            .update(txn)
            .await?;
        }
        None if answer.result.is_none() && answer.note.is_empty() => {}
        None => {
            draft::ActiveModel {
                school_id: Set(school),
                period: Set(period.to_string()),
                risk_point_id: Set(point),
                result: Set(result_code),
                note: Set(answer.note.clone()),
                updated_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok((point, answer))
}
