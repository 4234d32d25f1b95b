//! Campaigns (专项/季节性检查), issued by the bureau.

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

const CLOSED: &[&str] = &["closed"];

pub(super) fn check_window(starts: NaiveDate, ends: NaiveDate, errs: &mut Vec<FieldError>) {
    if ends < starts {
        errs.push(FieldError::new("ends_on", "err.campaign.window"));
    }
}

pub(super) fn check_name(name: &str, field: &str, errs: &mut Vec<FieldError>) {
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
            .read_count(&self.read)
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
}
