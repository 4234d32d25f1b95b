//! Submitting an inspection: the inspection, its items and a hazard for every failed item in
//! one transaction.

use super::*;

/// One checked row of a submission.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// A risk point of the school, or …
    #[serde(default)]
    pub risk_point_id: Option<RiskPointId>,
    /// … a free item (a campaign's own item, or something noticed on the way).
    #[serde(default)]
    pub label: Option<String>,
    pub result: ItemResult,
    /// Required when the result is `fail` (it becomes the hazard's description).
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// A submitted inspection (`POST /api/v1/schools/{id}/inspections`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    pub kind: Kind,
    /// The half-month (`2026-11-H2`) of a `half_month` self-inspection; defaults to the
    /// half-month of `inspected_on`.
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<CampaignId>,
    /// Defaults to today; never in the future.
    #[serde(default)]
    pub inspected_on: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
    pub items: Vec<NewItem>,
}

pub(super) fn parse_kind(s: Option<&str>) -> Result<Kind> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Kind::HalfMonth),
        Some(k) => Kind::parse(k).ok_or_else(|| Error::field("kind", "err.inspection.kind")),
    }
}

/// The hazard source of a failed item.
pub(super) fn source_for(kind: Kind, actor_role: Role) -> Source {
    if matches!(
        actor_role,
        Role::CityOfficer | Role::BureauOfficer | Role::BureauInspector | Role::BureauLeader
    ) && kind != Kind::Cross
    {
        return Source::Supervision;
    }
    match kind {
        Kind::HalfMonth => Source::HalfMonthSelfInspection,
        Kind::Daily | Kind::Weekly => Source::Daily,
        Kind::Campaign => Source::Campaign,
        Kind::Cross => Source::CrossInspection,
    }
}

/// Validates and stores an inspection of `school` in `txn` with its items and the hazards of
/// failed items. The caller has found the school (in scope, or through a cross assignment),
/// checked the role, and commits with its audit event.
pub(super) async fn store_inspection(
    txn: &DatabaseTransaction,
    actor: &crate::storage::Actor,
    school: OrgId,
    input: &NewInspection,
    cross: Option<CrossAssignmentId>,
    today: NaiveDate,
) -> Result<inspection::Model> {
    let mut errs = Vec::new();
    let inspected_on = input.inspected_on.unwrap_or(today);
    if inspected_on > today {
        errs.push(FieldError::new("inspected_on", "err.inspection.future"));
    }
    if input.note.chars().count() > MAX_NOTE {
        errs.push(FieldError::new("note", "err.inspection.too_long"));
    }
    // The kind decides the period and the campaign.
    let mut period = None;
    let mut campaign = None;
    match input.kind {
        Kind::HalfMonth => {
            let p = match input
                .period
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(s) => Period::parse(s),
                None => Some(Period::of(inspected_on)),
            };
            match p {
                Some(p) if p.starts_on() > today => {
                    errs.push(FieldError::new("period", "err.inspection.period_future"))
                }
                Some(p) => period = Some(p.to_string()),
                None => errs.push(FieldError::new("period", "err.inspection.period")),
            }
        }
        Kind::Campaign => match input.campaign_id {
            None => errs.push(FieldError::new("campaign_id", "err.required")),
            Some(c) => {
                let targeted = campaign_school::Entity::find()
                    .filter(campaign_school::Column::CampaignId.eq(c))
                    .filter(campaign_school::Column::SchoolId.eq(school))
                    .one(txn)
                    .await?
                    .is_some();
                match campaign::Entity::find_by_id(c).one(txn).await? {
                    Some(m) if targeted => campaign = Some(m),
                    _ => errs.push(FieldError::new(
                        "campaign_id",
                        "err.inspection.campaign_not_here",
                    )),
                }
            }
        },
        Kind::Cross if cross.is_none() => errs.push(FieldError::new(
            "kind",
            "err.inspection.cross_through_assignment",
        )),
        _ => {}
    }
    if input.kind != Kind::HalfMonth
        && input
            .period
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty())
    {
        errs.push(FieldError::new(
            "period",
            "err.inspection.period_half_month_only",
        ));
    }
    if input.kind != Kind::Campaign && input.campaign_id.is_some() {
        errs.push(FieldError::new(
            "campaign_id",
            "err.inspection.campaign_kind_only",
        ));
    }
    if input.items.is_empty() {
        errs.push(FieldError::new("items", "err.inspection.no_items"));
    } else if input.items.len() > MAX_ITEMS {
        errs.push(FieldError::new("items", "err.inspection.too_many_items"));
    }
    // The school's active points that the items name.
    let ids: Vec<RiskPointId> = input.items.iter().filter_map(|i| i.risk_point_id).collect();
    let points: HashMap<RiskPointId, risk_point::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        risk_point::Entity::find()
            .filter(risk_point::Column::Id.is_in(ids.iter().copied()))
            .filter(risk_point::Column::SchoolId.eq(school))
            .filter(risk_point::Column::Status.eq("active"))
            .all(txn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    let mut seen = HashSet::new();
    for (i, it) in input.items.iter().enumerate() {
        let at = |f: &str| format!("items[{i}].{f}");
        match (&it.risk_point_id, &it.label) {
            (Some(p), None) => {
                if !points.contains_key(p) {
                    errs.push(FieldError::new(
                        at("risk_point_id"),
                        "err.inspection.point_not_here",
                    ));
                } else if !seen.insert(*p) {
                    errs.push(FieldError::new(
                        at("risk_point_id"),
                        "err.inspection.point_twice",
                    ));
                }
            }
            (None, Some(l)) => {
                let n = l.trim().chars().count();
                if n == 0 {
                    errs.push(FieldError::new(at("label"), "err.required"));
                } else if n > 200 {
                    errs.push(FieldError::new(at("label"), "err.too_long_200"));
                }
            }
            _ => errs.push(FieldError::new(
                at("risk_point_id"),
                "err.inspection.point_or_label",
            )),
        }
        if it.result == ItemResult::Fail && it.note.trim().is_empty() {
            errs.push(FieldError::new(
                at("note"),
                "err.inspection.fail_needs_note",
            ));
        }
        if it.note.chars().count() > MAX_NOTE {
            errs.push(FieldError::new(at("note"), "err.inspection.too_long"));
        }
        errs.extend(
            crate::storage::files::check_photos(txn, school, &it.photo_ids, &at("photo_ids"))
                .await?,
        );
    }
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    let count = |r: ItemResult| input.items.iter().filter(|i| i.result == r).count() as i32;
    let row = inspection::ActiveModel {
        school_id: Set(school),
        kind: Set(input.kind.as_str().into()),
        period: Set(period),
        campaign_id: Set(campaign.as_ref().map(|c| c.id)),
        cross_assignment_id: Set(cross),
        inspector_user_id: Set(Some(actor.user_id).filter(|u| u.0 != 0)),
        inspector_name: Set(actor.display_name.clone()),
        inspected_on: Set(inspected_on),
        submitted_at: Set(Utc::now()),
        note: Set(input.note.trim().to_string()),
        total: Set(input.items.len() as i32),
        passed: Set(count(ItemResult::Pass)),
        failed: Set(count(ItemResult::Fail)),
        not_applicable: Set(count(ItemResult::Na)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let source = source_for(input.kind, actor.role);
    let origin = Origin {
        inspection: Some(row.id),
        campaign: campaign.as_ref().map(|c| c.id),
    };
    for (i, it) in input.items.iter().enumerate() {
        let point = it.risk_point_id.and_then(|p| points.get(&p));
        let label = match (point, &it.label) {
            (Some(p), _) => p.name.clone(),
            (None, Some(l)) => l.trim().to_string(),
            (None, None) => String::new(),
        };
        let hazard_id = if it.result == ItemResult::Fail {
            let new = NewHazard {
                title: label.clone(),
                description: it.note.trim().to_string(),
                aspect: point
                    .and_then(|p| Aspect::parse(&p.aspect))
                    .unwrap_or(Aspect::Management),
                category: point.map(|p| p.category.clone()).unwrap_or_else(|| {
                    campaign
                        .as_ref()
                        .map(|c| c.name.chars().take(64).collect())
                        .unwrap_or_else(|| label.chars().take(64).collect())
                }),
                zone_id: point.and_then(|p| p.zone_id),
                risk_point_id: point.map(|p| p.id),
                source: Some(source),
                photo_ids: it.photo_ids.clone(),
            };
            Some(insert_reported(txn, actor, school, &new, origin).await?.id)
        } else {
            None
        };
        inspection_item::ActiveModel {
            inspection_id: Set(row.id),
            seq: Set(i as i32 + 1),
            risk_point_id: Set(point.map(|p| p.id)),
            zone_id: Set(point.and_then(|p| p.zone_id)),
            label: Set(label),
            detail: Set(point.map(|p| p.check_items.clone()).unwrap_or_default()),
            result: Set(it.result.as_str().into()),
            note: Set(it.note.trim().to_string()),
            photo_ids: Set(serde_json::to_string(&it.photo_ids).map_err(Error::internal)?),
            hazard_id: Set(hazard_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(row)
}

impl Inspections<'_> {
    /// Submits an inspection of a school in scope: all of it, or nothing.
    pub async fn submit(
        &self,
        school: OrgId,
        input: &NewInspection,
        grace: u32,
    ) -> Result<InspectionDetail> {
        let (mut tx, school) = self
            .begin_for_school(
                Event::new(InspectionAudit::Submit, "inspection", ""),
                school,
            )
            .await?;
        match store_inspection(
            &tx.txn,
            &self.actor,
            school.org_id(),
            input,
            None,
            crate::storage::risk_points::today(),
        )
        .await
        {
            Ok(m) => {
                // The answers saved as the school went are this submission now.
                if let Some(p) = m
                    .period
                    .clone()
                    .filter(|_| m.kind == Kind::HalfMonth.as_str())
                {
                    let now = Period::of(crate::storage::risk_points::today()).to_string();
                    if let Err(e) = super::drafts::clear(&tx.txn, school.org_id(), &[p, now]).await
                    {
                        return Err(tx.fail(e).await);
                    }
                }
                tx.event.object_id = m.id.0.to_string();
                tx.event.detail = format!(
                    "school={} kind={} total={} failed={}",
                    school.org_id().0,
                    m.kind,
                    m.total,
                    m.failed
                );
                tx.commit().await?;
                self.detail_of(m, grace).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
