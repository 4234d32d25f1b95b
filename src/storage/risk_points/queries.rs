//! The register operations of the scoped handle: reads, instantiation, changes, assessments,
//! roll-ups and map data.

use super::*;
use crate::storage::Registers;
use crate::storage::read::ReadAll as _;
use crate::storage::risk_points::RiskAudit;
use sea_orm::QuerySelect;
use sea_orm::QueryTrait as _;

impl Registers<'_> {
    async fn risk_point_row(
        &self,
        id: RiskPointId,
        conn: &impl crate::storage::read::Fetch,
    ) -> Result<risk_point::Model> {
        Ok(self.owned::<risk_point::Entity>(id, conn).await?.0)
    }

    async fn names(
        &self,
        school: OrgId,
    ) -> Result<(HashMap<ZoneId, String>, HashMap<PersonId, String>)> {
        let zones = zone::Entity::find()
            .filter(zone::Column::SchoolId.eq(school))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|z| (z.id, z.name))
            .collect();
        let people = person::Entity::find()
            .filter(person::Column::OrgId.eq(school))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        Ok((zones, people))
    }

    pub async fn points(&self, school: OrgId, f: &RiskFilter) -> Result<Register> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let mut q = risk_point::Entity::find().filter(risk_point::Column::SchoolId.eq(school));
        match f.status.as_deref().unwrap_or("active") {
            "all" => {}
            "retired" => q = q.filter(risk_point::Column::Status.eq("retired")),
            "active" | "" => q = q.filter(risk_point::Column::Status.eq("active")),
            _ => return Err(Error::field("status", "err.invalid_input")),
        }
        if let Some(a) = f.aspect.as_deref().filter(|s| !s.is_empty()) {
            let a = Aspect::parse(a).ok_or_else(|| Error::field("aspect", "err.catalog.aspect"))?;
            q = q.filter(risk_point::Column::Aspect.eq(a.as_str()));
        }
        if let Some(g) = f.grade.as_deref().filter(|s| !s.is_empty()) {
            let g = Grade::parse(g).ok_or_else(|| Error::field("grade", "err.risk.grade"))?;
            q = q.filter(risk_point::Column::CurrentGrade.eq(g.as_str()));
        }
        if let Some(z) = f.zone_id {
            q = q.filter(risk_point::Column::ZoneId.eq(z));
        }
        if f.unplaced == Some(true) {
            q = q.filter(risk_point::Column::ZoneId.is_null());
        }
        if let Some(c) = f.category.as_deref().filter(|s| !s.is_empty()) {
            q = q.filter(risk_point::Column::Category.eq(c));
        }
        if let Some(p) = f.responsible_person_id {
            q = q.filter(risk_point::Column::ResponsiblePersonId.eq(p));
        }
        let t = today();
        if f.due == Some(true) {
            q = q.filter(risk_point::Column::NextReviewOn.lte(t));
        }
        let rows = q
            .order_by_asc(risk_point::Column::Code)
            .read_all(&self.read)
            .await?;
        let (zones, people) = self.names(school).await?;
        let mut counts = GradeCounts::default();
        let items: Vec<RiskPoint> = rows
            .into_iter()
            .map(|m| view(m, &zones, &people, t))
            .collect();
        for p in &items {
            counts.add(p.grade);
        }
        // Items sort by grade (highest first), then code.
        let mut items = items;
        items.sort_by(|a, b| {
            b.grade
                .map(Grade::rank)
                .cmp(&a.grade.map(Grade::rank))
                .then_with(|| a.code.cmp(&b.code))
        });
        Ok(Register {
            total: items.len() as u64,
            review_due: items.iter().filter(|p| p.review_due).count() as u64,
            items,
            counts,
        })
    }

    pub async fn point(&self, id: RiskPointId) -> Result<RiskPointDetail> {
        let m = self.risk_point_row(id, &self.read).await?;
        self.permit()?;
        self.detail(m).await
    }

    async fn detail(&self, m: risk_point::Model) -> Result<RiskPointDetail> {
        let school = org::Entity::find_by_id(m.school_id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let (zones, people) = self.names(m.school_id).await?;
        let assessments = risk_assessment::Entity::find()
            .filter(risk_assessment::Column::RiskPointId.eq(m.id))
            .order_by_desc(risk_assessment::Column::Id)
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(RiskPointDetail {
            point: view(m, &zones, &people, today()),
            assessments,
            school: school.into(),
        })
    }

    /// Adds every applicable catalogue point not yet in the register. Re-running adds only
    /// what is new.
    pub async fn instantiate(&self, school: OrgId, risk: &Risk) -> Result<InstantiateReport> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(RiskAudit::Instantiate, "school", school), school)
            .await?;
        let res = async {
            let s = self.school_row(school.org_id(), &tx.txn).await?;
            instantiate_in(
                &tx.txn,
                &s,
                risk,
                (Some(self.actor.user_id), &self.actor.display_name),
            )
            .await
        }
        .await;
        match res {
            Ok(r) => {
                tx.event.detail = format!("added={} existing={}", r.added, r.existing);
                tx.commit().await?;
                Ok(r)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Checks that a zone and a person belong to the school.
    async fn check_place(
        &self,
        school: OrgId,
        zone: Option<ZoneId>,
        person: Option<PersonId>,
        conn: &impl ConnectionTrait,
    ) -> Result<Vec<FieldError>> {
        let mut errs = Vec::new();
        if let Some(z) = zone {
            let ok = zone::Entity::find_by_id(z)
                .one(conn)
                .await?
                .is_some_and(|z| z.school_id == school);
            if !ok {
                errs.push(FieldError::new("zone_id", "err.risk.zone_not_here"));
            }
        }
        if let Some(p) = person {
            let ok = person::Entity::find_by_id(p)
                .one(conn)
                .await?
                .is_some_and(|p| p.org_id == school && p.active);
            if !ok {
                errs.push(FieldError::new(
                    "responsible_person_id",
                    "err.person_not_here",
                ));
            }
        }
        Ok(errs)
    }

    /// Adds a point from the catalogue (by code) or the school's own point, assessed at once:
    /// catalogue points with their default LEC values, own points need an assessment next.
    pub async fn create_point(
        &self,
        school: OrgId,
        input: NewRiskPoint,
        risk: &Risk,
    ) -> Result<RiskPointDetail> {
        let (mut tx, school) = self
            .begin_for_school(Event::new(RiskAudit::Create, "risk_point", ""), school)
            .await?;
        let res: Result<risk_point::Model> = async {
            let s = self.school_row(school.org_id(), &tx.txn).await?;
            let errs = self
                .check_place(
                    school.org_id(),
                    input.zone_id,
                    input.responsible_person_id,
                    &tx.txn,
                )
                .await?;
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            let who = (Some(self.actor.user_id), self.actor.display_name.as_str());
            match &input.catalog_code {
                Some(code) => {
                    let catalog = catalog_for(&tx.txn, &s)
                        .await?
                        .ok_or_else(|| Error::field("catalog_code", "err.catalog.none"))?;
                    let item = risk_catalog_item::Entity::find()
                        .filter(risk_catalog_item::Column::CatalogId.eq(catalog.id))
                        .filter(risk_catalog_item::Column::Code.eq(code.trim()))
                        .one(&tx.txn)
                        .await?
                        .ok_or_else(|| {
                            Error::field("catalog_code", "err.risk.unknown_catalog_code")
                        })?;
                    let entry = CatalogItem::from(item.clone())
                        .entry()
                        .ok_or_else(|| Error::field("catalog_code", "err.invalid_input"))?;
                    let mut am = point_from_entry(
                        school.org_id(),
                        &entry,
                        Some(item.id),
                        input.responsible_person_id,
                    );
                    am.zone_id = Set(input.zone_id);
                    let p = am.insert(&tx.txn).await?;
                    let (l, e, c) = entry.default_lec;
                    let lec = AssessmentInput::Lec {
                        l: l.as_f64(),
                        e: e.as_f64(),
                        c: c.as_f64(),
                    };
                    Ok(
                        record_assessment(&tx.txn, p, &lec, risk, who, "catalogue default")
                            .await?
                            .0,
                    )
                }
                None => {
                    let mut errs = Vec::new();
                    let code = input.code.clone().unwrap_or_default();
                    if !crate::domain::org::valid_code(&code) {
                        errs.push(FieldError::new("code", "err.code"));
                    }
                    let name = input.name.clone().unwrap_or_default();
                    if name.trim().is_empty() {
                        errs.push(FieldError::new("name", "err.required"));
                    }
                    let category = input.category.clone().unwrap_or_default();
                    if category.trim().is_empty() {
                        errs.push(FieldError::new("category", "err.required"));
                    }
                    let hazards = input.hazard_factors.clone().unwrap_or_default();
                    if hazards.trim().is_empty() {
                        errs.push(FieldError::new("hazard_factors", "err.required"));
                    }
                    if input.aspect.is_none() {
                        errs.push(FieldError::new("aspect", "err.required"));
                    }
                    if !errs.is_empty() {
                        return Err(invalid(errs));
                    }
                    let now = Utc::now();
                    let m = input.measures.clone().unwrap_or_default();
                    let am = risk_point::ActiveModel {
                        school_id: Set(school.org_id()),
                        catalog_item_id: Set(None),
                        zone_id: Set(input.zone_id),
                        responsible_person_id: Set(input.responsible_person_id),
                        code: Set(code.trim().into()),
                        aspect: Set(input.aspect.unwrap_or(Aspect::Things).as_str().into()),
                        category: Set(category.trim().into()),
                        category_en: Set(String::new()),
                        point_type: Set(input
                            .point_type
                            .unwrap_or(PointType::Facility)
                            .as_str()
                            .into()),
                        name: Set(name.trim().into()),
                        name_en: Set(String::new()),
                        hazard_factors: Set(hazards.trim().into()),
                        accident_types: Set(input.accident_types.clone().unwrap_or_default()),
                        default_l: Set(None),
                        default_e: Set(None),
                        default_c: Set(None),
                        measures_management: Set(m.management),
                        measures_emergency: Set(m.emergency),
                        measures_engineering: Set(m.engineering),
                        measures_training: Set(m.training),
                        measures_ppe: Set(m.ppe),
                        check_items: Set(input.check_items.clone().unwrap_or_default()),
                        check_frequency: Set(input
                            .check_frequency
                            .unwrap_or(CheckFrequency::Monthly)
                            .as_str()
                            .into()),
                        control_level: Set(ControlLevel::Post.as_str().into()),
                        responsible_post: Set(input
                            .responsible_post
                            .unwrap_or(Post::SafetyDirector)
                            .as_str()
                            .into()),
                        control_level_reason: Set(String::new()),
                        status: Set("active".into()),
                        retired_reason: Set(String::new()),
                        retired_at: Set(None),
                        current_assessment_id: Set(None),
                        current_grade: Set(None),
                        current_score: Set(None),
                        next_review_on: Set(Some(today())),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    };
                    Ok(am.insert(&tx.txn).await?)
                }
            }
        }
        .await;
        match res {
            Ok(p) => {
                tx.event.object_id = p.id.to_string();
                tx.event.detail = format!("school={school} code={}", p.code);
                tx.commit().await?;
                self.detail(p).await
            }
            Err(Error::Conflict(_)) => Err(tx
                .fail(invalid(vec![FieldError::new("code", "err.code_taken")]))
                .await),
            Err(e) => Err(tx.fail(e).await),
        }
    }

    pub async fn update_point(
        &self,
        id: RiskPointId,
        p: RiskPointPatch,
        risk: &Risk,
    ) -> Result<RiskPointDetail> {
        let event = Event::new(RiskAudit::Update, "risk_point", id);
        let mut tx = self.begin_owned::<risk_point::Entity>(event, id).await?;
        let res: Result<(risk_point::Model, String)> = async {
            let m = self.risk_point_row(id, &tx.txn).await?;
            let mut errs = self
                .check_place(
                    m.school_id,
                    p.zone_id.flatten(),
                    p.responsible_person_id.flatten(),
                    &tx.txn,
                )
                .await?;
            let mut changed = Vec::new();
            let mut am = m.clone().into_active_model();
            if let Some(n) = &p.name {
                if n.trim().is_empty() {
                    errs.push(FieldError::new("name", "err.required"));
                }
                am.name = Set(n.trim().into());
                changed.push("name");
            }
            if let Some(v) = &p.hazard_factors {
                am.hazard_factors = Set(v.trim().into());
                changed.push("hazard_factors");
            }
            if let Some(v) = &p.accident_types {
                am.accident_types = Set(v.trim().into());
                changed.push("accident_types");
            }
            if let Some(ms) = &p.measures {
                am.measures_management = Set(ms.management.clone());
                am.measures_emergency = Set(ms.emergency.clone());
                am.measures_engineering = Set(ms.engineering.clone());
                am.measures_training = Set(ms.training.clone());
                am.measures_ppe = Set(ms.ppe.clone());
                changed.push("measures");
            }
            if let Some(v) = &p.check_items {
                am.check_items = Set(v.trim().into());
                changed.push("check_items");
            }
            if let Some(v) = p.check_frequency {
                am.check_frequency = Set(v.as_str().into());
                changed.push("check_frequency");
            }
            if let Some(z) = p.zone_id {
                am.zone_id = Set(z);
                changed.push("zone");
            }
            if let Some(r) = p.responsible_person_id {
                am.responsible_person_id = Set(r);
                changed.push("responsible");
            }
            if let Some(level) = p.control_level {
                let grade = m.current_grade.as_deref().and_then(Grade::parse);
                let default = grade.map(|g| risk.control_levels.level(g));
                let reason = p.control_level_reason.clone().unwrap_or_default();
                if Some(level) != default && reason.trim().is_empty() {
                    errs.push(FieldError::new(
                        "control_level_reason",
                        "err.risk.control_reason",
                    ));
                }
                am.control_level = Set(level.as_str().into());
                am.control_level_reason = Set(if Some(level) == default {
                    String::new()
                } else {
                    reason.trim().into()
                });
                changed.push("control_level");
            }
            if let Some(retire) = p.retired {
                if retire {
                    let reason = p.retired_reason.clone().unwrap_or_default();
                    if reason.trim().is_empty() {
                        errs.push(FieldError::new("retired_reason", "err.risk.retire_reason"));
                    }
                    am.status = Set("retired".into());
                    am.retired_reason = Set(reason.trim().into());
                    am.retired_at = Set(Some(Utc::now()));
                    changed.push("retired");
                } else {
                    am.status = Set("active".into());
                    am.retired_at = Set(None);
                    changed.push("reactivated");
                }
            }
            if !errs.is_empty() {
                return Err(invalid(errs));
            }
            am.updated_at = Set(Utc::now());
            Ok((am.update(&tx.txn).await?, changed.join(",")))
        }
        .await;
        match res {
            Ok((m, changed)) => {
                tx.event.detail = format!("changed={changed}");
                tx.commit().await?;
                self.detail(m).await
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Records an assessment; it becomes the point's current grade.
    pub async fn assess(
        &self,
        id: RiskPointId,
        input: AssessmentInput,
        risk: &Risk,
    ) -> Result<Assessment> {
        let event = Event::new(RiskAudit::Assess, "risk_point", id);
        let mut tx = self.begin_owned::<risk_point::Entity>(event, id).await?;
        let res = async {
            let m = self.risk_point_row(id, &tx.txn).await?;
            if m.status != "active" {
                return Err(Error::Conflict("err.risk.retired".into()));
            }
            record_assessment(
                &tx.txn,
                m,
                &input,
                risk,
                (Some(self.actor.user_id), &self.actor.display_name),
                "",
            )
            .await
        }
        .await;
        match res {
            Ok((_, a)) => {
                tx.event.detail =
                    format!("method={} score={:?} grade={}", a.method, a.score, a.grade);
                tx.commit().await?;
                Ok(a.into())
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Current grade counts per child of an org node (district → schools, city → districts).
    pub async fn summary(&self, org_id: Option<i64>) -> Result<Vec<SummaryRow>> {
        self.permit()?;
        let node = match org_id.map(OrgId).or(self.actor.org_id) {
            Some(id) => self.org_row(id, &self.read).await?,
            None => return Err(Error::field("org_id", "err.catalog.choose_district")),
        };
        let children = org::Entity::find()
            .filter(org::Column::ParentId.eq(node.id))
            .order_by_asc(org::Column::Code)
            .read_all(&self.read)
            .await?;
        let mut out = Vec::new();
        let t = today();
        let below = || {
            sea_orm::sea_query::Query::select()
                .column(org::Column::Id)
                .from(org::Entity)
                .and_where(
                    sea_orm::sea_query::Expr::col(org::Column::Path)
                        .like(format!("{}%", node.path)),
                )
                .to_owned()
        };
        let grades = crate::storage::risk_counts::grades(&self.read, &below()).await?;
        let due = crate::storage::risk_counts::due(&self.read, &below(), t).await?;
        let mut counts: Vec<(OrgId, Option<String>, i64, i64)> = grades
            .into_iter()
            .map(|(school, grade, n)| (school, grade, n, 0))
            .collect();
        counts.extend(due.into_iter().map(|(school, n)| (school, None, 0, n)));
        let orgs_below = org::Entity::find()
            .select_only()
            .column(org::Column::Id)
            .column(org::Column::Path)
            .filter(
                sea_orm::sea_query::Expr::col(org::Column::Path).like(format!("{}%", node.path)),
            )
            .into_query();
        let all_orgs: HashMap<OrgId, String> = self
            .read
            .all::<(OrgId, String)>(&orgs_below)
            .await?
            .into_iter()
            .collect();
        let mut by_child: BTreeMap<i64, (GradeCounts, u64)> = BTreeMap::new();
        for (school, grade, n, due) in counts {
            let Some(path) = all_orgs.get(&school) else {
                continue;
            };
            let Some(child) = children.iter().find(|c| path.starts_with(&c.path)) else {
                continue;
            };
            let e = by_child.entry(child.id.0).or_default();
            e.0.add_n(
                grade.as_deref().and_then(Grade::parse),
                u64::try_from(n).unwrap_or(0),
            );
            e.1 += u64::try_from(due).unwrap_or(0);
        }
        for c in children {
            let (counts, due) = by_child.remove(&c.id.0).unwrap_or_default();
            out.push(SummaryRow {
                highest: counts.highest(),
                total: counts.total(),
                org: OrgRef::from(c.clone()),
                kind: c.school_kind.as_deref().and_then(SchoolKind::parse),
                lat: c.lat,
                lng: c.lng,
                counts,
                review_due: due,
            });
        }
        Ok(out)
    }

    /// The school's zones with the highest current grade and point count of each (the
    /// four-colour map); a zone's grade covers the points of its child zones too.
    pub async fn map(
        &self,
        school: OrgId,
    ) -> Result<(
        crate::storage::views::School,
        Vec<(crate::storage::views::Zone, Option<Grade>, usize)>,
    )> {
        self.school_row(school, &self.read).await?;
        self.permit()?;
        let s = self.schools().get_unchecked_pub(school).await?;
        let zones = self.zones().zones_unchecked(school).await?;
        let points = risk_point::Entity::find()
            .filter(risk_point::Column::SchoolId.eq(school))
            .filter(risk_point::Column::Status.eq("active"))
            .read_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for z in &zones {
            // The zone and its descendants (each once, even if the parents form a loop).
            let ids = crate::storage::zones::zone_and_descendants(
                zones.iter().map(|c| (c.id, c.parent_id)),
                z.id,
            );
            let mine: Vec<&risk_point::Model> = points
                .iter()
                .filter(|p| p.zone_id.is_some_and(|zid| ids.contains(&zid)))
                .collect();
            let grade = crate::domain::risk::max_grade(
                mine.iter()
                    .filter_map(|p| p.current_grade.as_deref().and_then(Grade::parse)),
            );
            out.push((z.clone(), grade, mine.len()));
        }
        Ok((s, out))
    }
}
