//! Checklists: one row per active risk point of the school (its check items are the prompt),
//! grouped by zone and aspect, plus a campaign's own items.

use super::*;

/// Which checklist to build.
#[derive(Debug, Clone, Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct ChecklistQuery {
    /// `half_month` (default), `daily`, `weekly`, `campaign` (with `campaign_id`) or `cross`.
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub campaign_id: Option<i64>,
    /// Only this point (the risk point's QR check).
    #[serde(default, deserialize_with = "crate::storage::views::empty_as_none")]
    pub risk_point_id: Option<i64>,
    /// Only points whose responsible post is this (a guard's patrol, a canteen check).
    pub post: Option<String>,
}

/// One row of a checklist: a risk point with its check items as the prompt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChecklistRow {
    pub risk_point_id: RiskPointId,
    pub code: String,
    pub name: String,
    pub aspect: Aspect,
    pub category: String,
    pub zone_id: Option<ZoneId>,
    pub zone_name: Option<String>,
    pub check_items: String,
    pub check_frequency: CheckFrequency,
    pub responsible_post: String,
}

/// The rows to check, in zone, aspect, code order, and a campaign's own items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checklist {
    pub school: OrgRef,
    pub kind: Kind,
    /// The current half-month for `half_month`.
    pub period: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub campaign_name: Option<String>,
    pub cross_assignment_id: Option<CrossAssignmentId>,
    pub items: Vec<ChecklistRow>,
    /// A campaign's own check items (submitted with `label`).
    pub extra_items: Vec<String>,
}

pub(super) async fn zone_names(
    conn: &impl ConnectionTrait,
    school: OrgId,
) -> Result<HashMap<ZoneId, String>> {
    Ok(zone::Entity::find()
        .filter(zone::Column::SchoolId.eq(school))
        .all(conn)
        .await?
        .into_iter()
        .map(|z| (z.id, z.name))
        .collect())
}

/// Builds a checklist for a school (the caller has established access to it).
pub(super) async fn build_checklist(
    conn: &impl ConnectionTrait,
    school: org::Model,
    kind: Kind,
    campaign: Option<&campaign::Model>,
    point: Option<RiskPointId>,
    post: Option<&str>,
    today: NaiveDate,
) -> Result<Checklist> {
    let mut q = risk_point::Entity::find()
        .filter(risk_point::Column::SchoolId.eq(school.id))
        .filter(risk_point::Column::Status.eq("active"));
    let extra = campaign
        .map(|c| CampaignExtra::parse(&c.items))
        .unwrap_or_default();
    if let Some(p) = point {
        q = q.filter(risk_point::Column::Id.eq(p));
    } else {
        match kind {
            Kind::Daily => {
                q = q.filter(risk_point::Column::CheckFrequency.eq(CheckFrequency::Daily.as_str()))
            }
            Kind::Weekly => {
                q = q.filter(risk_point::Column::CheckFrequency.eq(CheckFrequency::Weekly.as_str()))
            }
            Kind::HalfMonth => {
                q = q.filter(
                    risk_point::Column::CheckFrequency
                        .is_in(HALF_MONTH_FREQUENCIES.iter().copied()),
                )
            }
            Kind::Campaign if !extra.categories.is_empty() => {
                q = q.filter(risk_point::Column::Category.is_in(extra.categories.clone()))
            }
            _ => {}
        }
        if let Some(post) = post.map(str::trim).filter(|s| !s.is_empty()) {
            q = q.filter(risk_point::Column::ResponsiblePost.eq(post));
        }
    }
    let rows = q.all(conn).await?;
    if point.is_some() && rows.is_empty() {
        return Err(Error::field(
            "risk_point_id",
            "err.inspection.point_not_here",
        ));
    }
    let zones = zone_names(conn, school.id).await?;
    let mut items: Vec<ChecklistRow> = rows
        .into_iter()
        .map(|m| ChecklistRow {
            risk_point_id: m.id,
            zone_name: m.zone_id.and_then(|z| zones.get(&z).cloned()),
            zone_id: m.zone_id,
            aspect: Aspect::parse(&m.aspect).unwrap_or(Aspect::Things),
            check_frequency: CheckFrequency::parse(&m.check_frequency)
                .unwrap_or(CheckFrequency::Monthly),
            code: m.code,
            name: m.name,
            category: m.category,
            check_items: m.check_items,
            responsible_post: m.responsible_post,
        })
        .collect();
    items.sort_by(|a, b| {
        (a.zone_name.is_none(), &a.zone_name, a.aspect, &a.code).cmp(&(
            b.zone_name.is_none(),
            &b.zone_name,
            b.aspect,
            &b.code,
        ))
    });
    Ok(Checklist {
        school: school.into(),
        kind,
        period: (kind == Kind::HalfMonth).then(|| Period::of(today).to_string()),
        campaign_id: campaign.map(|c| c.id),
        campaign_name: campaign.map(|c| c.name.clone()),
        cross_assignment_id: None,
        items,
        extra_items: extra.items,
    })
}

impl Inspections<'_> {
    /// A school's checklist for an inspection of `q.kind`.
    pub async fn checklist(&self, school: OrgId, q: &ChecklistQuery) -> Result<Checklist> {
        let s = self.school_row(school, &self.read).await?;
        self.permit()?;
        let kind = parse_kind(q.kind.as_deref())?;
        let campaign = match (kind, q.campaign_id) {
            (Kind::Campaign, Some(c)) => {
                Some(self.campaign_for_school(CampaignId(c), school).await?)
            }
            (Kind::Campaign, None) => return Err(Error::field("campaign_id", "err.required")),
            _ => None,
        };
        build_checklist(
            &self.conn,
            s,
            kind,
            campaign.as_ref(),
            q.risk_point_id.map(RiskPointId),
            q.post.as_deref(),
            crate::storage::risk_points::today(),
        )
        .await
    }

    /// A campaign that targets `school` (else a field error).
    async fn campaign_for_school(&self, c: CampaignId, school: OrgId) -> Result<campaign::Model> {
        let targeted = campaign_school::Entity::find()
            .filter(campaign_school::Column::CampaignId.eq(c))
            .filter(campaign_school::Column::SchoolId.eq(school))
            .read_one(&self.read)
            .await?
            .is_some();
        match campaign::Entity::find_by_id(c).read_one(&self.read).await? {
            Some(m) if targeted => Ok(m),
            _ => Err(Error::field(
                "campaign_id",
                "err.inspection.campaign_not_here",
            )),
        }
    }
}
