//! Cross-inspection rounds (交叉互查), assigned by the bureau: an inspector of one school
//! inspects another school of the district, through the assignment.

use super::plans::{check_name, check_window};
use super::*;
use crate::storage::Inspections;
use crate::storage::inbox::NoteParams;
use crate::storage::inbox::{Note, notify};
use crate::storage::inspections::InspectionAudit;
use crate::storage::inspections::InspectionNotice;

/// One pair of a cross-inspection round.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossPair {
    pub inspector_user_id: UserId,
    pub target_school_id: OrgId,
}

/// A cross-inspection round (`POST /api/v1/cross-assignments`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCrossRound {
    pub round_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub pairs: Vec<CrossPair>,
}

/// One assignment: an inspector of one school inspects another.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrossAssignment {
    pub id: CrossAssignmentId,
    pub round_name: String,
    pub inspector_user_id: UserId,
    pub inspector_name: String,
    pub inspector_school: OrgRef,
    pub target_school: OrgRef,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_by_name: String,
    /// The inspection submitted through it, once done.
    pub inspection_id: Option<InspectionId>,
}

impl Inspections<'_> {
    /// **The cross-inspection exception.** An assignment the actor sees: its target school is
    /// in the actor's scope, or the actor is the assigned inspector (the assignment grants
    /// them the target school's checklist and one inspection of it). Anyone else: `NotFound`.
    async fn cross_row(&self, id: CrossAssignmentId) -> Result<cross_assignment::Model> {
        let m = cross_assignment::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        if m.inspector_user_id == self.actor.user_id
            || self.org_row(m.target_school_id, &self.read).await.is_ok()
        {
            Ok(m)
        } else {
            Err(Error::NotFound)
        }
    }

    /// An assignment through which the actor may reach the target school's data (its checklist,
    /// its one inspection): the exception for the assigned inspector ends with the round's
    /// window (`NotFound` afterwards); the target school's own people and the bureau keep it.
    async fn cross_row_open(&self, id: CrossAssignmentId) -> Result<cross_assignment::Model> {
        let m = self.cross_row(id).await?;
        let closed = crate::storage::risk_points::today() > m.ends_on;
        if closed && self.org_row(m.target_school_id, &self.read).await.is_err() {
            return Err(Error::NotFound);
        }
        Ok(m)
    }

    async fn cross_views(
        &self,
        rows: Vec<cross_assignment::Model>,
    ) -> Result<Vec<CrossAssignment>> {
        let ids: Vec<CrossAssignmentId> = rows.iter().map(|r| r.id).collect();
        let orgs: HashMap<OrgId, OrgRef> = org::Entity::find()
            .filter(
                org::Column::Id.is_in(
                    rows.iter()
                        .flat_map(|r| [r.inspector_school_id, r.target_school_id]),
                ),
            )
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| (m.id, OrgRef::from(m)))
            .collect();
        let names = self
            .user_names(rows.iter().map(|r| r.inspector_user_id))
            .await?;
        let done: HashMap<CrossAssignmentId, InspectionId> = inspection::Entity::find()
            .filter(inspection::Column::CrossAssignmentId.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .filter_map(|i| Some((i.cross_assignment_id?, i.id)))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(CrossAssignment {
                    id: r.id,
                    inspector_name: names.get(&r.inspector_user_id).cloned().unwrap_or_default(),
                    inspector_school: orgs.get(&r.inspector_school_id)?.clone(),
                    target_school: orgs.get(&r.target_school_id)?.clone(),
                    inspection_id: done.get(&r.id).copied(),
                    round_name: r.round_name,
                    inspector_user_id: r.inspector_user_id,
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                    created_by_name: r.created_by_name,
                })
            })
            .collect())
    }

    /// The bureau's rounds (assignments whose target school is in scope) and a school user's
    /// own assignments (as inspector, or of their school as target).
    pub async fn list_cross(&self) -> Result<Vec<CrossAssignment>> {
        self.permit()?;
        let schools: Vec<OrgId> = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let rows = cross_assignment::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(cross_assignment::Column::TargetSchoolId.is_in(schools))
                    .add(cross_assignment::Column::InspectorUserId.eq(self.actor.user_id)),
            )
            .order_by_desc(cross_assignment::Column::StartsOn)
            .order_by_asc(cross_assignment::Column::Id)
            .read_all(&self.read)
            .await?;
        self.cross_views(rows).await
    }

    pub async fn get_cross(&self, id: CrossAssignmentId) -> Result<CrossAssignment> {
        let m = self.cross_row(id).await?;
        self.permit()?;
        self.cross_views(vec![m])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// Assigns a round of cross-inspections; notifies each inspector.
    pub async fn create_cross(&self, input: &NewCrossRound) -> Result<Vec<CrossAssignment>> {
        let Some(node) = self.actor.org_id else {
            self.permit()?;
            return Err(Error::NotFound);
        };
        let mut tx = self
            .begin_for(
                Event::new(InspectionAudit::CrossAssign, "cross_assignment", ""),
                node,
            )
            .await?;
        let res: Result<Vec<CrossAssignmentId>> = async {
            let mut errs = Vec::new();
            check_name(&input.round_name, "round_name", &mut errs);
            check_window(input.starts_on, input.ends_on, &mut errs);
            if input.pairs.is_empty() {
                errs.push(FieldError::new("pairs", "err.cross.no_pairs"));
            }
            let mut ok = Vec::new();
            for (i, p) in input.pairs.iter().enumerate() {
                let target = self.school_row(p.target_school_id, &tx.txn).await.ok();
                if target.is_none() {
                    errs.push(FieldError::new(
                        format!("pairs[{i}].target_school_id"),
                        "err.cross.target_not_here",
                    ));
                }
                let u = user::Entity::find_by_id(p.inspector_user_id)
                    .one(&tx.txn)
                    .await?
                    .filter(|u| !u.disabled);
                let school = match u.as_ref().and_then(|u| u.org_id) {
                    Some(o) => self.school_row(o, &tx.txn).await.ok(),
                    None => None,
                };
                let role_ok = u
                    .as_ref()
                    .and_then(|u| Role::parse(&u.role))
                    .is_some_and(|r| {
                        crate::policy::allows(r, crate::policy::Action::InspectionSubmit)
                    });
                match (&school, role_ok) {
                    (Some(s), true) => {
                        if target.as_ref().is_some_and(|t| t.id == s.id) {
                            errs.push(FieldError::new(
                                format!("pairs[{i}].target_school_id"),
                                "err.cross.own_school",
                            ));
                        } else if let Some(t) = &target {
                            ok.push((p.inspector_user_id, s.id, t.id));
                        }
                    }
                    _ => errs.push(FieldError::new(
                        format!("pairs[{i}].inspector_user_id"),
                        "err.cross.inspector_not_here",
                    )),
                }
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let mut ids = Vec::new();
            for (inspector, from, to) in ok {
                let m = cross_assignment::ActiveModel {
                    org_id: Set(node),
                    round_name: Set(input.round_name.trim().into()),
                    inspector_user_id: Set(inspector),
                    inspector_school_id: Set(from),
                    target_school_id: Set(to),
                    starts_on: Set(input.starts_on),
                    ends_on: Set(input.ends_on),
                    created_by_name: Set(self.actor.display_name.clone()),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(&tx.txn)
                .await?;
                notify(
                    &tx.txn,
                    &[inspector],
                    &Note {
                        kind: InspectionNotice::CrossAssigned.into(),
                        hazard: None,
                        school: Some(to),
                        subject: &m.round_name,
                        link: format!("/cross-inspections/{}", m.id.0),
                        params: NoteParams {
                            starts_on: Some(m.starts_on),
                            ends_on: Some(m.ends_on),
                            ..Default::default()
                        },
                        dedupe: format!("cross:{}", m.id.0),
                    },
                )
                .await?;
                ids.push(m.id);
            }
            Ok(ids)
        }
        .await;
        match res {
            Ok(ids) => {
                tx.event.detail = format!(
                    "round={} pairs={}",
                    input.round_name.trim(),
                    ids.iter()
                        .map(|i| i.0.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                );
                tx.commit().await?;
                let rows = cross_assignment::Entity::find()
                    .filter(cross_assignment::Column::Id.is_in(ids))
                    .order_by_asc(cross_assignment::Column::Id)
                    .read_all(&self.read)
                    .await?;
                self.cross_views(rows).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The target school's checklist, through the assignment (the scope exception).
    pub async fn cross_checklist(&self, id: CrossAssignmentId) -> Result<Checklist> {
        let a = self.cross_row_open(id).await?;
        self.permit()?;
        let school = org::Entity::find_by_id(a.target_school_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let mut c = build_checklist(
            &self.conn,
            school,
            Kind::Cross,
            None,
            None,
            None,
            crate::storage::risk_points::today(),
        )
        .await?;
        c.cross_assignment_id = Some(a.id);
        Ok(c)
    }

    /// The one inspection of an assignment, by its inspector (the scope exception). Others who
    /// see the assignment get a conflict; a second submission too.
    pub async fn submit_cross(
        &self,
        id: CrossAssignmentId,
        input: &NewInspection,
        grace: u32,
    ) -> Result<InspectionDetail> {
        let event = Event::new(InspectionAudit::Submit, "inspection", "");
        let a = match self.cross_row_open(id).await {
            Ok(a) => a,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let mut tx = self.begin(event).await?;
        let res: Result<inspection::Model> = async {
            if a.inspector_user_id != self.actor.user_id {
                return Err(Error::Conflict("err.cross.not_inspector".into()));
            }
            let today = crate::storage::risk_points::today();
            if today < a.starts_on || today > a.ends_on {
                return Err(Error::Conflict("err.cross.outside_window".into()));
            }
            let done = inspection::Entity::find()
                .filter(inspection::Column::CrossAssignmentId.eq(a.id))
                .count(&tx.txn)
                .await?;
            if done > 0 {
                return Err(Error::Conflict("err.cross.done".into()));
            }
            if input.kind != Kind::Cross {
                return Err(Error::field("kind", "err.inspection.kind"));
            }
            // The unique index on `inspections.cross_assignment_id` decides between two
            // submissions at once (PostgreSQL runs them concurrently): the loser gets 409.
            store_inspection(
                &tx.txn,
                &self.actor,
                a.target_school_id,
                input,
                Some(a.id),
                today,
            )
            .await
            .map_err(|e| match e {
                Error::Conflict(k) if k == "unique" => Error::Conflict("err.cross.done".into()),
                e => e,
            })
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.0.to_string();
                tx.event.detail = format!(
                    "cross={} school={} total={} failed={}",
                    a.id.0, m.school_id.0, m.total, m.failed
                );
                tx.commit().await?;
                self.detail_of(m, grace).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
