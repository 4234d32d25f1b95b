//! Campaigns (专项/季节性检查) and cross-inspection rounds (交叉互查), issued by the bureau.

use super::*;
use crate::storage::Inspections;
use crate::storage::inbox::NoteParams;
use crate::storage::inbox::{Note, notify, school_managers};
use crate::storage::inspections::InspectionAudit;
use crate::storage::inspections::InspectionNotice;

crate::code_enum!(
    /// A campaign's kind: seasonal (冬春火灾防控, 夏季攻坚, 秋冬会战) or special (查帮建).
    CampaignKind, "campaign_kind", {
        Seasonal = "seasonal",
        Special = "special",
    }
);

/// A new campaign (`POST /api/v1/campaigns`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    pub name: String,
    pub kind: CampaignKind,
    #[serde(default)]
    pub description: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The campaign's own check items, added to each target school's checklist.
    #[serde(default)]
    pub items: Vec<String>,
    /// Only risk points of these categories (none: all of the school's points).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Target schools; empty means every school under the issuing node.
    #[serde(default)]
    pub school_ids: Vec<OrgId>,
    /// The issuing district or city (defaults to the caller's own).
    #[serde(default)]
    pub org_id: Option<OrgId>,
}

/// A campaign, short form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    pub id: CampaignId,
    pub org: OrgRef,
    pub kind: CampaignKind,
    pub name: String,
    pub description: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub items: Vec<String>,
    pub categories: Vec<String>,
    pub status: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Target schools (those the caller sees).
    pub schools: u64,
    /// Of those, how many have submitted an inspection for the campaign.
    pub inspected: u64,
}

/// One target school's progress in a campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignProgress {
    pub school: OrgRef,
    pub inspected: bool,
    pub inspection_id: Option<InspectionId>,
    pub hazards_found: u64,
    pub hazards_closed: u64,
}

/// A campaign with progress per target school in the caller's scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignDetail {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub progress: Vec<CampaignProgress>,
}

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

const CLOSED: &[&str] = &["closed"];

fn check_window(starts: NaiveDate, ends: NaiveDate, errs: &mut Vec<FieldError>) {
    if ends < starts {
        errs.push(FieldError::new("ends_on", "err.campaign.window"));
    }
}

fn check_name(name: &str, field: &str, errs: &mut Vec<FieldError>) {
    let n = name.trim().chars().count();
    if n == 0 {
        errs.push(FieldError::new(field, "err.required"));
    } else if n > 200 {
        errs.push(FieldError::new(field, "err.too_long_200"));
    }
}

impl Inspections<'_> {
    /// A campaign the actor sees: issued within the actor's scope, or targeting a school in it.
    async fn campaign_row(&self, id: CampaignId) -> Result<campaign::Model> {
        let c = campaign::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        if self.org_row(c.org_id, &self.read).await.is_ok() {
            return Ok(c);
        }
        let targets: Vec<OrgId> = self
            .campaign_targets(&[id])
            .await?
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        let seen = org::Entity::find()
            .filter(org::Column::Id.is_in(targets))
            .filter(self.org_scope())
            .count(&self.conn)
            .await?;
        if seen > 0 {
            Ok(c)
        } else {
            Err(Error::NotFound)
        }
    }

    pub(super) async fn campaign_targets(
        &self,
        ids: &[CampaignId],
    ) -> Result<Vec<(CampaignId, OrgId)>> {
        Ok(campaign_school::Entity::find()
            .filter(campaign_school::Column::CampaignId.is_in(ids.iter().copied()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|r| (r.campaign_id, r.school_id))
            .collect())
    }

    /// Views of campaigns with counts over the target schools in scope.
    async fn campaign_views(&self, rows: Vec<campaign::Model>) -> Result<Vec<Campaign>> {
        let ids: Vec<CampaignId> = rows.iter().map(|c| c.id).collect();
        let visible: HashSet<OrgId> = org::Entity::find()
            .filter(self.org_scope())
            .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let targets = self.campaign_targets(&ids).await?;
        let done: HashSet<(CampaignId, OrgId)> = inspection::Entity::find()
            .filter(inspection::Column::CampaignId.is_in(ids.iter().copied()))
            .read_all(&self.read)
            .await?
            .into_iter()
            .filter_map(|i| Some((i.campaign_id?, i.school_id)))
            .collect();
        let orgs: HashMap<OrgId, OrgRef> = org::Entity::find()
            .filter(org::Column::Id.is_in(rows.iter().map(|c| c.org_id)))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| (m.id, OrgRef::from(m)))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|c| {
                let mine: Vec<OrgId> = targets
                    .iter()
                    .filter(|(cid, s)| *cid == c.id && visible.contains(s))
                    .map(|(_, s)| *s)
                    .collect();
                let extra = CampaignExtra::parse(&c.items);
                Some(Campaign {
                    id: c.id,
                    org: orgs.get(&c.org_id)?.clone(),
                    kind: CampaignKind::parse(&c.kind).unwrap_or(CampaignKind::Special),
                    schools: mine.len() as u64,
                    inspected: mine.iter().filter(|s| done.contains(&(c.id, **s))).count() as u64,
                    name: c.name,
                    description: c.description,
                    starts_on: c.starts_on,
                    ends_on: c.ends_on,
                    items: extra.items,
                    categories: extra.categories,
                    status: c.status,
                    created_by_name: c.created_by_name,
                    created_at: c.created_at,
                })
            })
            .collect())
    }

    /// Campaigns the actor sees: the bureau's own (and its subtree's), and those that target a
    /// school in scope. Newest first.
    pub async fn list_campaigns(&self) -> Result<Vec<Campaign>> {
        self.permit()?;
        let in_scope: Vec<org::Model> = org::Entity::find()
            .filter(self.org_scope())
            .read_all(&self.read)
            .await?;
        let nodes: Vec<OrgId> = in_scope.iter().map(|o| o.id).collect();
        let schools: Vec<OrgId> = in_scope
            .iter()
            .filter(|o| o.level == OrgLevel::School.as_str())
            .map(|o| o.id)
            .collect();
        let targeted: HashSet<CampaignId> = campaign_school::Entity::find()
            .filter(campaign_school::Column::SchoolId.is_in(schools))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|r| r.campaign_id)
            .collect();
        let rows = campaign::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(campaign::Column::OrgId.is_in(nodes))
                    .add(campaign::Column::Id.is_in(targeted)),
            )
            .order_by_desc(campaign::Column::StartsOn)
            .order_by_desc(campaign::Column::Id)
            .read_all(&self.read)
            .await?;
        self.campaign_views(rows).await
    }

    pub async fn get_campaign(&self, id: CampaignId) -> Result<CampaignDetail> {
        let c = self.campaign_row(id).await?;
        self.permit()?;
        let campaign = self
            .campaign_views(vec![c])
            .await?
            .pop()
            .ok_or(Error::NotFound)?;
        let targets: Vec<OrgId> = self
            .campaign_targets(&[id])
            .await?
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        let schools = org::Entity::find()
            .filter(org::Column::Id.is_in(targets))
            .filter(self.org_scope())
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        let ids: Vec<OrgId> = schools.iter().map(|s| s.id).collect();
        let inspections = inspection::Entity::find()
            .filter(inspection::Column::CampaignId.eq(id))
            .filter(inspection::Column::SchoolId.is_in(ids.clone()))
            .order_by_asc(inspection::Column::SubmittedAt)
            .read_all(&self.read)
            .await?;
        let hazards = hazard::Entity::find()
            .filter(hazard::Column::CampaignId.eq(id))
            .filter(hazard::Column::SchoolId.is_in(ids))
            .read_all(&self.read)
            .await?;
        let progress = schools
            .into_iter()
            .map(|s| {
                let first = inspections.iter().find(|i| i.school_id == s.id);
                let found: Vec<&hazard::Model> =
                    hazards.iter().filter(|h| h.school_id == s.id).collect();
                CampaignProgress {
                    inspected: first.is_some(),
                    inspection_id: first.map(|i| i.id),
                    hazards_found: found.len() as u64,
                    hazards_closed: found
                        .iter()
                        .filter(|h| CLOSED.contains(&h.status.as_str()))
                        .count() as u64,
                    school: s.into(),
                }
            })
            .collect();
        Ok(CampaignDetail { campaign, progress })
    }

    /// Issues a campaign to schools of the bureau's subtree and notifies their managers.
    pub async fn create_campaign(&self, input: &NewCampaign) -> Result<CampaignDetail> {
        let node = match input.org_id.or(self.actor.org_id) {
            Some(o) => o,
            None => {
                self.permit()?;
                return Err(Error::field("org_id", "err.required"));
            }
        };
        let mut tx = self
            .begin_for(
                Event::new(InspectionAudit::CampaignCreate, "campaign", ""),
                node,
            )
            .await?;
        let res: Result<campaign::Model> = async {
            let root = self.org_row(node, &tx.txn).await?;
            let mut errs = Vec::new();
            if root.level == OrgLevel::School.as_str() {
                errs.push(FieldError::new("org_id", "err.campaign.not_a_bureau"));
            }
            check_name(&input.name, "name", &mut errs);
            check_window(input.starts_on, input.ends_on, &mut errs);
            if input.description.chars().count() > MAX_NOTE {
                errs.push(FieldError::new("description", "err.inspection.too_long"));
            }
            for (i, it) in input.items.iter().enumerate() {
                check_name(it, &format!("items[{i}]"), &mut errs);
            }
            let path = OrgPath::parse(&root.path).ok_or(Error::NotFound)?;
            let under = org::Entity::find()
                .filter(Expr::col(org::Column::Path).like(path.like_pattern()))
                .filter(org::Column::Level.eq(OrgLevel::School.as_str()))
                .filter(self.org_scope())
                .order_by_asc(org::Column::Code)
                .all(&tx.txn)
                .await?;
            let targets: Vec<OrgId> = if input.school_ids.is_empty() {
                under.iter().map(|s| s.id).collect()
            } else {
                let mut t = Vec::new();
                for (i, s) in input.school_ids.iter().enumerate() {
                    if !under.iter().any(|u| u.id == *s) {
                        errs.push(FieldError::new(
                            format!("school_ids[{i}]"),
                            "err.campaign.school_not_here",
                        ));
                    } else if !t.contains(s) {
                        t.push(*s);
                    }
                }
                t
            };
            if targets.is_empty() && errs.is_empty() {
                errs.push(FieldError::new("school_ids", "err.campaign.no_schools"));
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let extra = CampaignExtra {
                items: input.items.iter().map(|s| s.trim().to_string()).collect(),
                categories: input
                    .categories
                    .iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            };
            let c = campaign::ActiveModel {
                org_id: Set(root.id),
                kind: Set(input.kind.as_str().into()),
                name: Set(input.name.trim().into()),
                description: Set(input.description.trim().into()),
                starts_on: Set(input.starts_on),
                ends_on: Set(input.ends_on),
                items: Set(serde_json::to_string(&extra).map_err(Error::internal)?),
                status: Set("active".into()),
                created_by: Set(Some(self.actor.user_id).filter(|u| u.0 != 0)),
                created_by_name: Set(self.actor.display_name.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?;
            for s in &targets {
                campaign_school::ActiveModel {
                    campaign_id: Set(c.id),
                    school_id: Set(*s),
                    ..Default::default()
                }
                .insert(&tx.txn)
                .await?;
                let users = school_managers(&tx.txn, *s).await?;
                notify(
                    &tx.txn,
                    &users,
                    &Note {
                        kind: InspectionNotice::Campaign.into(),
                        hazard: None,
                        school: Some(*s),
                        subject: &c.name,
                        link: format!("/campaigns/{}", c.id.0),
                        params: NoteParams {
                            starts_on: Some(c.starts_on),
                            ends_on: Some(c.ends_on),
                            ..Default::default()
                        },
                        dedupe: format!("campaign:{}:{}", c.id.0, s.0),
                    },
                )
                .await?;
            }
            Ok(c)
        }
        .await;
        match res {
            Ok(c) => {
                tx.event.object_id = c.id.0.to_string();
                tx.event.detail = format!("kind={} name={}", c.kind, c.name);
                tx.commit().await?;
                self.get_campaign(c.id).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

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
