//! The bureau's self-inspection board: for one half-month, every school in scope with its
//! self-inspection status and its progress in the campaigns running then; for a city, the
//! same counted per district.

use super::*;
use crate::storage::Inspections;

/// Which board.
#[derive(Debug, Clone, Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// A city, district or school (defaults to the caller's own).
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub org_id: Option<i64>,
    /// `YYYY-MM-H1` or `YYYY-MM-H2` (defaults to the current half-month).
    pub period: Option<String>,
}

/// Counts per status.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct StatusCounts {
    pub on_time: u64,
    pub late: u64,
    pub missing: u64,
    pub open: u64,
    pub total: u64,
}

impl StatusCounts {
    fn add(&mut self, s: Status) {
        match s {
            Status::OnTime => self.on_time += 1,
            Status::Late => self.late += 1,
            Status::Missing => self.missing += 1,
            Status::Open => self.open += 1,
        }
        self.total += 1;
    }
}

/// A school's progress in one campaign running during the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardCampaign {
    pub campaign_id: CampaignId,
    pub name: String,
    pub inspected: bool,
}

/// One school on the board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardRow {
    pub school: OrgRef,
    pub district: Option<OrgRef>,
    pub status: Status,
    pub submitted_at: Option<DateTime<Utc>>,
    pub inspection_id: Option<InspectionId>,
    pub failed: Option<i32>,
    pub campaigns: Vec<BoardCampaign>,
}

/// One district of a city's board (drill down with its `org.id`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoardDistrict {
    pub org: OrgRef,
    pub counts: StatusCounts,
}

/// The board of one half-month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Board {
    pub org: OrgRef,
    pub period: String,
    pub prev_period: String,
    pub next_period: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub due_on: NaiveDate,
    pub counts: StatusCounts,
    /// Per district, for a city.
    pub districts: Vec<BoardDistrict>,
    /// Every school, missing first (for a city: empty, see `districts`).
    pub schools: Vec<BoardRow>,
}

impl Inspections<'_> {
    pub async fn board(&self, q: &BoardQuery, grace: u32) -> Result<Board> {
        let (root, schools) = self.schools_under(q.org_id).await?;
        let today = crate::storage::risk_points::today();
        let p = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                Period::parse(s).ok_or_else(|| Error::field("period", "err.inspection.period"))?
            }
            None => Period::of(today),
        };
        let ids: Vec<OrgId> = schools.iter().map(|s| s.id).collect();
        let subs = inspection::Entity::find()
            .filter(inspection::Column::SchoolId.is_in(ids.clone()))
            .filter(inspection::Column::Kind.eq(Kind::HalfMonth.as_str()))
            .filter(inspection::Column::Period.eq(p.to_string()))
            .order_by_asc(inspection::Column::SubmittedAt)
            .read_all(&self.read)
            .await?;
        // Campaigns running during the period, and which target schools inspected.
        let campaigns = campaign::Entity::find()
            .filter(campaign::Column::Status.eq("active"))
            .filter(campaign::Column::StartsOn.lte(p.ends_on()))
            .filter(campaign::Column::EndsOn.gte(p.starts_on()))
            .order_by_asc(campaign::Column::StartsOn)
            .read_all(&self.read)
            .await?;
        let cids: Vec<CampaignId> = campaigns.iter().map(|c| c.id).collect();
        let targets: HashSet<(CampaignId, OrgId)> =
            self.campaign_targets(&cids).await?.into_iter().collect();
        let done: HashSet<(CampaignId, OrgId)> = inspection::Entity::find()
            .filter(inspection::Column::CampaignId.is_in(cids))
            .filter(inspection::Column::SchoolId.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .filter_map(|i| Some((i.campaign_id?, i.school_id)))
            .collect();
        let parents: HashMap<OrgId, org::Model> = org::Entity::find()
            .filter(org::Column::Id.is_in(schools.iter().filter_map(|s| s.parent_id)))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let mut counts = StatusCounts::default();
        let mut per_district: BTreeMap<String, (OrgRef, StatusCounts)> = BTreeMap::new();
        let mut rows = Vec::new();
        for s in schools {
            let first = subs.iter().find(|i| i.school_id == s.id);
            let status = p.status(first.map(|i| china_date(i.submitted_at)), today, grace);
            counts.add(status);
            let district = s.parent_id.and_then(|d| parents.get(&d)).cloned();
            if let Some(d) = &district {
                per_district
                    .entry(d.code.clone())
                    .or_insert_with(|| (OrgRef::from(d.clone()), StatusCounts::default()))
                    .1
                    .add(status);
            }
            let camps = campaigns
                .iter()
                .filter(|c| targets.contains(&(c.id, s.id)))
                .map(|c| BoardCampaign {
                    campaign_id: c.id,
                    name: c.name.clone(),
                    inspected: done.contains(&(c.id, s.id)),
                })
                .collect();
            rows.push(BoardRow {
                status,
                submitted_at: first.map(|i| i.submitted_at),
                inspection_id: first.map(|i| i.id),
                failed: first.map(|i| i.failed),
                campaigns: camps,
                district: district.map(OrgRef::from),
                school: s.into(),
            });
        }
        rows.sort_by(|a, b| (a.status, &a.school.code).cmp(&(b.status, &b.school.code)));
        let city = root.level == OrgLevel::City.as_str();
        Ok(Board {
            org: root.into(),
            period: p.to_string(),
            prev_period: p.prev().to_string(),
            next_period: p.next().to_string(),
            starts_on: p.starts_on(),
            ends_on: p.ends_on(),
            due_on: p.due_on(grace),
            counts,
            districts: if city {
                per_district
                    .into_values()
                    .map(|(org, counts)| BoardDistrict { org, counts })
                    .collect()
            } else {
                Vec::new()
            },
            schools: if city { Vec::new() } else { rows },
        })
    }
}
