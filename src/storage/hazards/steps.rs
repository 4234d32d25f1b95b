//! The writes of the hazard loop: reporting, and one step at a time through
//! [`crate::domain::hazard::apply`], stored with its history event, 销号 number, audit event
//! and notifications in one transaction.

use super::queries::state_of;
use super::*;
use crate::domain::hazard::{HazardError, Step, Transition, apply, closure_number, urge};
use crate::error::Error;
use crate::storage::Hazards;
use crate::storage::audit::Event;
use crate::storage::entity::{hazard_event, org, user};
use crate::storage::hazards::HazardAudit;
use crate::storage::hazards::HazardNotice;
use crate::storage::inbox::{self, Note, NoteParams};
use crate::storage::risk_points::today;
use sea_orm::sea_query::Expr;
use sea_orm::{DbBackend, QueryOrder, QuerySelect, Statement};

/// The rules' refusal as an HTTP error: an impossible step 409, a person not allowed 403,
/// bad data 422 naming the field.
fn rule_error(e: HazardError) -> Error {
    match e {
        HazardError::IllegalTransition { key, .. } => Error::Conflict(key.into()),
        HazardError::NotOpen { .. } => Error::Conflict(e.key().into()),
        HazardError::NotAllowed { key } => Error::ForbiddenBecause(key.into()),
        HazardError::Invalid { field, key } => Error::field(field, key),
        HazardError::History { .. } => Error::internal(e),
    }
}

/// The next value of a named counter (1 for a new one), atomically on both databases.
async fn next_counter(txn: &DatabaseTransaction, name: &str) -> Result<i64> {
    let backend = txn.get_database_backend();
    let p = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!(
        "INSERT INTO counters (name, value) VALUES ({p}, 1) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value"
    );
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [name.into()]))
        .await?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("counter {name} returned no row")))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Stores one step on a hazard: gives a closing step its 销号 number, updates the row's
/// projections guarded by its version (a concurrent step makes this one a 409), appends the
/// history event and writes the notifications. `by` is `None` for the system (the escalation
/// job). Runs inside the caller's transaction; the caller audits and commits.
pub(in crate::storage) async fn record_transition(
    txn: &DatabaseTransaction,
    row: &hazard::Model,
    t: Transition,
    by: Option<&Actor>,
) -> Result<hazard::Model> {
    let mut t = t;
    if let Some(year) = t.closing_year() {
        let school = org::Entity::find_by_id(row.school_id)
            .one(txn)
            .await?
            .ok_or(Error::NotFound)?;
        let seq = next_counter(txn, &format!("closure:{}:{year}", school.code)).await?;
        let seq = u32::try_from(seq).map_err(Error::internal)?;
        t = t.with_closure_number(closure_number(&school.code, year, seq));
    }
    let now = Utc::now();
    let state = serde_json::to_string(&t.next).map_err(Error::internal)?;
    let closed_at = match (t.next.status, row.closed_at) {
        (Status::Closed, Some(at)) if t.event.from == Status::Closed => Some(at),
        (Status::Closed, _) => Some(now),
        _ => None,
    };
    let res = hazard::Entity::update_many()
        .col_expr(hazard::Column::Status, Expr::value(t.next.status.as_str()))
        .col_expr(
            hazard::Column::Level,
            Expr::value(t.next.level.map(|l| l.as_str().to_string())),
        )
        .col_expr(
            hazard::Column::Treatment,
            Expr::value(t.next.treatment.map(|l| l.as_str().to_string())),
        )
        .col_expr(
            hazard::Column::Supervised,
            Expr::value(t.next.bureau_supervised()),
        )
        .col_expr(hazard::Column::Deadline, Expr::value(t.next.deadline))
        .col_expr(
            hazard::Column::ResponsibleUserId,
            Expr::value(t.next.responsible_user_id),
        )
        .col_expr(
            hazard::Column::ClosureNumber,
            Expr::value(t.next.closure_number.clone()),
        )
        .col_expr(hazard::Column::ClosedAt, Expr::value(closed_at))
        .col_expr(hazard::Column::State, Expr::value(state))
        .col_expr(hazard::Column::UpdatedAt, Expr::value(now))
        .col_expr(hazard::Column::Version, Expr::value(row.version + 1))
        .filter(hazard::Column::Id.eq(row.id))
        .filter(hazard::Column::Version.eq(row.version))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(Error::Conflict("err.hazard.changed".into()));
    }
    let seq = next_seq(txn, row.id).await?;
    let kind = event_kind(&t.event.step);
    insert_event(txn, row.id, seq, &t.event, by).await?;
    notify_step(txn, row, &t, kind, seq).await?;
    hazard::Entity::find_by_id(row.id)
        .one(txn)
        .await?
        .ok_or(Error::NotFound)
}

/// The number of the next event of a hazard's history.
async fn next_seq(txn: &DatabaseTransaction, hazard: HazardId) -> Result<i32> {
    let last: Option<i32> = hazard_event::Entity::find()
        .select_only()
        .column(hazard_event::Column::Seq)
        .filter(hazard_event::Column::HazardId.eq(hazard))
        .order_by_desc(hazard_event::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(txn)
        .await?;
    Ok(last.unwrap_or(0) + 1)
}

/// The stored kind of a history event: the action's code, `escalated` or `urge`.
fn event_kind(step: &Step) -> &'static str {
    match step {
        Step::Action { action, .. } => action.kind().as_str(),
        Step::Escalated { .. } => "escalated",
        Step::Urged { .. } => "urge",
    }
}

/// Appends one row of a hazard's history.
async fn insert_event(
    txn: &DatabaseTransaction,
    hazard: HazardId,
    seq: i32,
    event: &crate::domain::hazard::HistoryEvent,
    by: Option<&Actor>,
) -> Result<()> {
    hazard_event::ActiveModel {
        hazard_id: Set(hazard),
        seq: Set(seq),
        at: Set(Utc::now()),
        day: Set(event.on),
        user_id: Set(by.map(|a| a.user_id)),
        user_name: Set(by.map(|a| a.display_name.clone()).unwrap_or_default()),
        role: Set(by
            .map(|a| a.role.as_str().to_string())
            .unwrap_or_else(|| "system".into())),
        from_status: Set(event.from.as_str().to_string()),
        to_status: Set(event.to.as_str().to_string()),
        kind: Set(event_kind(&event.step).to_string()),
        event: Set(serde_json::to_string(event).map_err(Error::internal)?),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Who hears about a step, and as what.
async fn notify_step(
    txn: &DatabaseTransaction,
    row: &hazard::Model,
    t: &Transition,
    kind: &str,
    seq: i32,
) -> Result<()> {
    let school = row.school_id;
    let uid = |id: Option<i64>| id.map(UserId);
    let before = state_of(row)?;
    let next = &t.next;
    let (note_kind, users): (HazardNotice, Vec<UserId>) = match kind {
        "issue_notice" => (
            HazardNotice::Assigned,
            uid(next.responsible_user_id).into_iter().collect(),
        ),
        "submit" => {
            let mut u = inbox::school_managers(txn, school).await?;
            if next.bureau_supervised() {
                u.extend(inbox::bureau_officers(txn, school).await?);
            }
            (HazardNotice::Submitted, u)
        }
        "accept" => (
            HazardNotice::Accepted,
            uid(before.rectifier).into_iter().collect(),
        ),
        "reject" => (
            HazardNotice::Rejected,
            uid(before.rectifier).into_iter().collect(),
        ),
        "request_extension" => {
            let u = if next.bureau_supervised() {
                inbox::bureau_officers(txn, school).await?
            } else {
                inbox::school_managers(txn, school).await?
            };
            (HazardNotice::ExtensionRequested, u)
        }
        "approve_extension" | "refuse_extension" => (
            HazardNotice::ExtensionDecided,
            uid(before.pending_extension.as_ref().map(|e| e.requested_by))
                .into_iter()
                .collect(),
        ),
        "close" => (
            HazardNotice::Closed,
            row.reported_by
                .into_iter()
                .chain(uid(next.responsible_user_id))
                .collect(),
        ),
        "reopen" => {
            let mut u = inbox::school_managers(txn, school).await?;
            u.extend(uid(next.responsible_user_id));
            (HazardNotice::Reopened, u)
        }
        "escalated" => {
            let mut u = inbox::school_managers(txn, school).await?;
            u.extend(inbox::bureau_officers(txn, school).await?);
            (HazardNotice::Escalated, u)
        }
        _ => return Ok(()),
    };
    if users.is_empty() {
        return Ok(());
    }
    let note = Note {
        kind: note_kind.into(),
        hazard: Some(row.id),
        school: Some(school),
        subject: &row.title,
        link: format!("/hazards/{}", row.id),
        params: NoteParams {
            status: Some(next.status.as_str().to_string()),
            deadline: next.deadline,
            closure_number: next.closure_number.clone(),
            ..Default::default()
        },
        dedupe: format!("hazard:{}:{seq}", row.id),
    };
    inbox::notify(txn, &users, &note).await
}

/// A newly reported hazard is told to the school's principal and safety director (not to the
/// reporter themself), in the report's transaction.
async fn notify_reported(
    txn: &DatabaseTransaction,
    row: &hazard::Model,
    reporter: UserId,
) -> Result<()> {
    let mut users = inbox::school_managers(txn, row.school_id).await?;
    users.retain(|u| *u != reporter);
    if users.is_empty() {
        return Ok(());
    }
    let note = Note {
        kind: HazardNotice::Reported.into(),
        hazard: Some(row.id),
        school: Some(row.school_id),
        subject: &row.title,
        link: format!("/hazards/{}", row.id),
        params: NoteParams {
            status: Some(row.status.clone()),
            ..Default::default()
        },
        dedupe: format!("hazard:{}:reported", row.id),
    };
    inbox::notify(txn, &users, &note).await
}

fn bureau_role(role: Role) -> bool {
    matches!(role.org_level(), Some(OrgLevel::City | OrgLevel::District))
}

/// The sources a person of `role` may give when reporting a hazard: 上级督查 (`supervision`)
/// only from the bureau; a school's own people report what they found themselves (daily work,
/// a self-inspection on paper, a parent's report …).
pub fn report_sources(role: Role) -> Vec<Source> {
    Source::ALL
        .iter()
        .copied()
        .filter(|s| *s != Source::Supervision || bureau_role(role))
        .collect()
}

/// The source of a direct report: the one given if the reporter may give it (else 422 naming
/// `source`), or by who reports — `supervision` for the bureau, 日常排查 for a school.
fn report_source(role: Role, given: Option<Source>) -> Result<Source> {
    match given {
        None if bureau_role(role) => Ok(Source::Supervision),
        None => Ok(Source::Daily),
        Some(s) if !report_sources(role).contains(&s) => {
            Err(Error::field("source", "err.hazard.source_bureau_only"))
        }
        Some(s) => Ok(s),
    }
}

impl Hazards<'_> {
    /// Reports a hazard found at a school (登记/上报); the source follows from who reports.
    pub async fn report(&self, school: OrgId, input: &NewHazard) -> Result<HazardDetail> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(HazardAudit::Report, "hazard", ""), school)
            .await?;
        let input = match report_source(self.actor.role, input.source) {
            Ok(source) => NewHazard {
                source: Some(source),
                ..input.clone()
            },
            Err(e) => return Err(tx.fail(e).await),
        };
        match insert_reported(
            &tx.txn,
            &self.actor,
            school.org_id(),
            &input,
            Origin::default(),
        )
        .await
        {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                if let Err(e) = notify_reported(&tx.txn, &m, self.actor.user_id).await {
                    return Err(tx.fail(e).await);
                }
                tx.commit().await?;
                self.hazard_detail(m).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Urges the school on about a hazard in scope (督办, the bureau's officers): the message
    /// is appended to the history (the state does not change), the school's principal and
    /// safety director and the hazard's responsible person or rectifier are told, all with the
    /// `hazard.urge` audit event in one transaction. Closed or cancelled: 409.
    pub async fn urge(&self, id: HazardId, message: &str) -> Result<HazardDetail> {
        let found = self.hazard_row(id, &self.read).await?;
        let event = Event::new(HazardAudit::Urge, "hazard", id);
        let tx = self.begin_for(event, found.school_id).await?;
        let res = async {
            let row = self.hazard_row(id, &tx.txn).await?;
            let state = state_of(&row)?;
            let ev = urge(&state, &who(&self.actor), message, today()).map_err(rule_error)?;
            // The version moves so that two writes at once never take one sequence number.
            let res = hazard::Entity::update_many()
                .col_expr(hazard::Column::Version, Expr::value(row.version + 1))
                .filter(hazard::Column::Id.eq(row.id))
                .filter(hazard::Column::Version.eq(row.version))
                .exec(&tx.txn)
                .await?;
            if res.rows_affected != 1 {
                return Err(Error::Conflict("err.hazard.changed".into()));
            }
            let seq = next_seq(&tx.txn, row.id).await?;
            insert_event(&tx.txn, row.id, seq, &ev, Some(&self.actor)).await?;
            let mut users = inbox::school_managers(&tx.txn, row.school_id).await?;
            users.extend(state.responsible_user_id.map(UserId));
            users.extend(state.rectifier.map(UserId));
            users.retain(|u| *u != self.actor.user_id);
            let note = Note {
                kind: HazardNotice::Urged.into(),
                hazard: Some(row.id),
                school: Some(row.school_id),
                subject: &row.title,
                link: format!("/hazards/{}", row.id),
                params: NoteParams {
                    status: Some(state.status.as_str().to_string()),
                    deadline: state.deadline,
                    reason: Some(message.trim().to_string()),
                    ..Default::default()
                },
                dedupe: format!("hazard:{}:{seq}", row.id),
            };
            inbox::notify(&tx.txn, &users, &note).await?;
            Ok(seq)
        }
        .await;
        match res {
            Ok(seq) => {
                let mut tx = tx;
                tx.event.detail = format!("seq={seq}");
                tx.commit().await?;
                self.get(id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Takes one step of the closed loop on a hazard in scope.
    pub async fn step(&self, id: HazardId, action: &Action) -> Result<HazardDetail> {
        let found = self.hazard_row(id, &self.read).await?;
        let event = Event::new(HazardAudit::Step, "hazard", id).detail(action.kind().as_str());
        let tx = self.begin_for(event, found.school_id).await?;
        let res = async {
            let row = self.hazard_row(id, &tx.txn).await?;
            let state = state_of(&row)?;
            let t = apply(&state, action, &who(&self.actor), today()).map_err(rule_error)?;
            let mut errs =
                check_photos(&tx.txn, row.school_id, action.photo_ids(), "photo_ids").await?;
            if let Action::IssueNotice {
                responsible_user_id,
                ..
            } = action
            {
                let ok = user::Entity::find_by_id(UserId(*responsible_user_id))
                    .one(&tx.txn)
                    .await?
                    .is_some_and(|u| u.org_id == Some(row.school_id) && !u.disabled);
                if !ok {
                    errs.push(FieldError::new(
                        "responsible_user_id",
                        "err.hazard.responsible_not_here",
                    ));
                }
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            record_transition(&tx.txn, &row, t, Some(&self.actor)).await
        }
        .await;
        match res {
            Ok(m) => {
                tx.commit().await?;
                self.hazard_detail(m).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
