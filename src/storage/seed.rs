//! Unscoped writes for the command line: `admin` commands and the demo seeder. Reached only
//! through [`super::Db::unsafe_unscoped`]; every change is audited as the `cli` actor.

use super::entity::{org, person, user, zone};
use super::orgs::{apply_features, insert_org_node};
use super::views::Features;
use super::{Actor, audit, auth, begin_write};
use crate::domain::Code;
use crate::domain::ids::{OrgId, PersonId, UserId, ZoneId};
use crate::domain::org::{OrgLevel, OrgPath, SchoolKind, ZoneType};
use crate::domain::person::Post;
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::storage::risk_points::RiskAudit;
use crate::storage::users::UserAudit;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, IntoActiveModel};

/// The authority of whoever runs the binary on the server itself: the command line, the
/// demo seeder and the tests. It is what [`super::Db::unsafe_unscoped`] and
/// [`super::Db::jobs`] ask for; a request never holds one — the web layer cannot reach a `Db`
/// (it is private to the gate) and `tests/layers.rs` fails on any mention of `Operator` under
/// `src/web`.
#[derive(Debug)]
pub struct Operator(());

impl Operator {
    /// The operator at the server's command line (or the test harness standing in for it).
    pub fn command_line() -> Operator {
        Operator(())
    }
}

/// Unscoped access to the database for the operator: seeding, administration, verification.
pub struct Unscoped {
    pub(super) conn: DatabaseConnection,
    pub(super) keys: super::sealed::Keyring,
}

/// The facts of a school row for seeding and imports.
#[derive(Debug, Clone)]
pub struct SchoolRow {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub kind: SchoolKind,
    pub students: i32,
    pub staff: i32,
    pub area_m2: i32,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub phone: String,
    pub features: Features,
}

/// A city or district node to seed.
pub struct NodeRow<'a> {
    pub level: OrgLevel,
    pub code: &'a str,
    pub name: &'a str,
    pub name_en: Option<String>,
    pub address: &'a str,
    pub coords: Option<(f64, f64)>,
}

/// A zone to seed; `parent` indexes an earlier zone of the same call.
#[derive(Debug, Clone)]
pub struct ZoneRow {
    pub code: String,
    pub name: String,
    pub zone_type: ZoneType,
    pub rect: Option<(i32, i32, i32, i32)>,
    pub parent: Option<usize>,
    pub responsible: Option<PersonId>,
}

impl Unscoped {
    /// After a bulk load (the demo): PostgreSQL gathers the tables' statistics and marks the
    /// pages all-visible now, rather than when autovacuum comes round, so the first requests
    /// get the planned index-only scans. SQLite keeps no statistics unless asked: nothing.
    pub async fn after_bulk_load(&self) -> Result<()> {
        if self.conn.get_database_backend() == sea_orm::DbBackend::Postgres {
            self.conn.execute_unprepared("VACUUM ANALYZE").await?;
        }
        Ok(())
    }

    /// True when the database holds no org and no user (a fresh install).
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(org::Entity::find().count(&self.conn).await? == 0
            && user::Entity::find().count(&self.conn).await? == 0)
    }

    pub async fn org_by_code(&self, code: &str) -> Result<Option<(OrgId, OrgLevel)>> {
        Ok(org::Entity::find()
            .filter(org::Column::Code.eq(code))
            .one(&self.conn)
            .await?
            .map(|o| (o.id, OrgLevel::parse(&o.level).unwrap_or(OrgLevel::School))))
    }

    /// Creates an account under the default password policy.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        role: Role,
        org_code: Option<&str>,
    ) -> Result<UserId> {
        let sec = crate::config::Security::default();
        self.create_user_with(username, display_name, password, role, org_code, &sec)
            .await
    }

    /// Creates an account (`safecampus admin create-user`) under `[security]`'s policy.
    pub async fn create_user_with(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        role: Role,
        org_code: Option<&str>,
        sec: &crate::config::Security,
    ) -> Result<UserId> {
        if !super::users::valid_username(username) {
            return Err(Error::field("username", "err.username"));
        }
        auth::passwords::check_policy(password, username, role, sec, "password")?;
        let org_id = match (role.org_level(), org_code) {
            (None, _) => None,
            (Some(_), None) => return Err(Error::field("org", "err.org_required")),
            (Some(level), Some(code)) => {
                let (id, l) = self
                    .org_by_code(code)
                    .await?
                    .ok_or_else(|| Error::field("org", "err.org_unknown"))?;
                if l != level {
                    return Err(Error::field("org", "err.org_level_mismatch"));
                }
                Some(id)
            }
        };
        let hash = auth::hash_password(password.to_string()).await?;
        let mut tx = self.begin().await?;
        let id = tx.user(username, display_name, &hash, role, org_id).await?;
        auth::passwords::record(&tx.txn, id, &hash, sec).await?;
        tx.audit(UserAudit::Create, "user", id, &format!("role={role}"))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn by_username(&self, username: &str) -> Result<user::Model> {
        user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.conn)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Sets a password (`safecampus admin set-password`); the user must change it at sign-in.
    pub async fn set_password(
        &self,
        username: &str,
        password: &str,
        sec: &crate::config::Security,
    ) -> Result<()> {
        let u = self.by_username(username).await?;
        auth::passwords::check_new(&self.conn, &u, password, sec, "password").await?;
        let hash = auth::hash_password(password.to_string()).await?;
        let mut tx = self.begin().await?;
        let id = u.id;
        auth::passwords::record(&tx.txn, id, &hash, sec).await?;
        let mut am = u.into_active_model();
        am.password_hash = Set(hash);
        am.must_change_password = Set(true);
        am.password_changed_at = Set(Utc::now());
        am.update(&tx.txn).await?;
        auth::end_sessions(&tx.txn, id, None).await?;
        tx.audit(UserAudit::ResetPassword, "user", id, "").await?;
        tx.commit().await
    }

    /// Lifts a lockout (`safecampus admin unlock`).
    pub async fn unlock(&self, username: &str) -> Result<()> {
        let u = self.by_username(username).await?;
        let mut tx = self.begin().await?;
        let id = u.id;
        let mut am = u.into_active_model();
        am.locked_until = Set(None);
        am.failed_logins = Set(0);
        am.failed_since = Set(None);
        am.update(&tx.txn).await?;
        auth::clear_throttles(&tx.txn, username).await?;
        tx.audit(UserAudit::Unlock, "user", id, "").await?;
        tx.commit().await
    }

    /// A summary of all business data (row counts and latest change per table): equal
    /// fingerprints mean nothing was written. Used by tests of refused writes.
    pub async fn fingerprint(&self) -> Result<String> {
        use sea_orm::QuerySelect;
        use sea_orm::sea_query::{Expr, Func};
        let c = &self.conn;
        macro_rules! summary {
            ($m:ident) => {{
                let n = $m::Entity::find().count(c).await?;
                let latest: Option<Option<chrono::DateTime<Utc>>> = $m::Entity::find()
                    .select_only()
                    .column_as(Expr::from(Func::max(Expr::col($m::Column::UpdatedAt))), "m")
                    .into_tuple()
                    .one(c)
                    .await?;
                format!("{}:{:?}", n, latest.flatten())
            }};
        }
        use super::entity::{
            campaign, campaign_school, cross_assignment, device, device_rejection, file, file_blob,
            hazard, hazard_event, inspection, inspection_item, risk_assessment, risk_catalog,
            risk_catalog_history, risk_catalog_item, risk_point,
        };
        let n = |x: u64| x.to_string();
        let hazards = format!(
            "hazards={} events={} files={} blobs={} inspections={} inspection_items={} campaigns={} campaign_schools={} cross={} devices={} rejections={}",
            summary!(hazard),
            n(hazard_event::Entity::find().count(c).await?),
            n(file::Entity::find().count(c).await?),
            n(file_blob::Entity::find().count(c).await?),
            n(inspection::Entity::find().count(c).await?),
            n(inspection_item::Entity::find().count(c).await?),
            n(campaign::Entity::find().count(c).await?),
            n(campaign_school::Entity::find().count(c).await?),
            n(cross_assignment::Entity::find().count(c).await?),
            summary!(device),
            n(device_rejection::Entity::find().count(c).await?),
        );
        Ok(format!(
            "orgs={} people={} zones={} users={} catalogs={} items={} history={} points={} assessments={} {hazards}",
            summary!(org),
            summary!(person),
            summary!(zone),
            summary!(user),
            summary!(risk_catalog),
            summary!(risk_catalog_item),
            risk_catalog_history::Entity::find().count(c).await?,
            summary!(risk_point),
            risk_assessment::Entity::find().count(c).await?,
        ))
    }

    /// Loads catalogue entries into the catalogue of the org with this code
    /// (`safecampus catalog load`), audited.
    pub async fn load_catalog_file(
        &self,
        org_code: &str,
        entries: &[crate::domain::catalog::Entry],
    ) -> Result<(usize, usize)> {
        let (id, level) = self
            .org_by_code(org_code)
            .await?
            .ok_or_else(|| Error::field("org", "err.org_unknown"))?;
        if level == OrgLevel::School {
            return Err(Error::field("org", "err.catalog.not_school"));
        }
        let mut tx = self.begin().await?;
        let r = tx.load_catalog(id, entries).await?;
        tx.audit(
            RiskAudit::CatalogImport,
            "catalog",
            id,
            &format!("created={} updated={}", r.0, r.1),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Checks the audit chain, its head and the given anchors (see `audit::anchor`).
    pub async fn verify_audit_anchored(
        &self,
        anchors: &[super::audit::anchor::Anchor],
    ) -> Result<super::audit::anchor::Report> {
        super::audit::anchor::verify(&self.conn, anchors).await
    }

    /// Takes an anchor of the audit chain and writes it into `dir`.
    pub async fn anchor_audit(
        &self,
        dir: &std::path::Path,
    ) -> Result<(super::audit::anchor::Anchor, std::path::PathBuf)> {
        let a = super::audit::anchor::take(&self.conn).await?;
        let path = super::audit::anchor::write(dir, &a).map_err(|e| {
            Error::internal(anyhow::anyhow!(
                "writing the anchor to {}: {e}",
                dir.display()
            ))
        })?;
        Ok((a, path))
    }

    /// Checks the audit chain; `Some(id)` is the first row that does not verify.
    pub async fn verify_audit(&self) -> Result<Option<i64>> {
        audit::verify_chain(&self.conn).await
    }

    pub async fn begin(&self) -> Result<SeedTx> {
        Ok(SeedTx {
            txn: begin_write(&self.conn).await?,
            actor: Actor::cli(),
            keys: self.keys.clone(),
        })
    }
}

/// One seeding transaction: everything or nothing.
pub struct SeedTx {
    pub(super) txn: DatabaseTransaction,
    pub(super) actor: Actor,
    pub(super) keys: super::sealed::Keyring,
}

impl SeedTx {
    pub async fn org(&mut self, parent: Option<OrgId>, n: &NodeRow<'_>) -> Result<OrgId> {
        let parent_path = match parent {
            Some(p) => {
                let row = org::Entity::find_by_id(p)
                    .one(&self.txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                OrgPath::parse(&row.path).ok_or(Error::NotFound)?
            }
            None => OrgPath::root(),
        };
        insert_org_node(
            &self.txn,
            &parent_path,
            parent,
            n.level,
            n.code,
            n.name,
            n.name_en.clone(),
            |am| {
                am.address = Set(n.address.into());
                am.lat = Set(n.coords.map(|c| c.0));
                am.lng = Set(n.coords.map(|c| c.1));
            },
        )
        .await
    }

    pub async fn school(&mut self, district: OrgId, s: &SchoolRow) -> Result<OrgId> {
        let row = org::Entity::find_by_id(district)
            .one(&self.txn)
            .await?
            .ok_or(Error::NotFound)?;
        let parent_path = OrgPath::parse(&row.path).ok_or(Error::NotFound)?;
        insert_org_node(
            &self.txn,
            &parent_path,
            Some(district),
            OrgLevel::School,
            &s.code,
            &s.name,
            s.name_en.clone(),
            |am| {
                am.school_kind = Set(Some(s.kind.as_str().into()));
                am.students = Set(s.students);
                am.staff = Set(s.staff);
                am.area_m2 = Set(s.area_m2);
                am.address = Set(s.address.clone());
                am.lat = Set(s.lat);
                am.lng = Set(s.lng);
                am.phone = Set(s.phone.clone());
                apply_features(am, &s.features);
            },
        )
        .await
    }

    /// Inserts people in one batch and returns their ids in order.
    pub async fn people(
        &mut self,
        org: OrgId,
        rows: &[(String, Post, String)],
    ) -> Result<Vec<PersonId>> {
        let mut ids = Vec::with_capacity(rows.len());
        for (name, post, phone) in rows {
            let m = super::people::new_person(org, name, *post, phone, "")
                .insert(&self.txn)
                .await?;
            ids.push(m.id);
        }
        Ok(ids)
    }

    pub async fn zones(&mut self, school: OrgId, rows: &[ZoneRow]) -> Result<Vec<ZoneId>> {
        let now = Utc::now();
        let mut ids: Vec<ZoneId> = Vec::with_capacity(rows.len());
        for z in rows {
            let m = zone::ActiveModel {
                school_id: Set(school),
                parent_id: Set(z.parent.and_then(|i| ids.get(i).copied())),
                code: Set(z.code.clone()),
                name: Set(z.name.clone()),
                zone_type: Set(z.zone_type.as_str().into()),
                x: Set(z.rect.map(|r| r.0)),
                y: Set(z.rect.map(|r| r.1)),
                w: Set(z.rect.map(|r| r.2)),
                h: Set(z.rect.map(|r| r.3)),
                responsible_person_id: Set(z.responsible),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&self.txn)
            .await?;
            ids.push(m.id);
        }
        Ok(ids)
    }

    pub async fn user(
        &mut self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        role: Role,
        org: Option<OrgId>,
    ) -> Result<UserId> {
        let now = Utc::now();
        let m = user::ActiveModel {
            username: Set(username.into()),
            display_name: Set(display_name.into()),
            password_hash: Set(password_hash.into()),
            role: Set(role.as_str().into()),
            org_id: Set(org),
            password_changed_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.txn)
        .await?;
        Ok(m.id)
    }

    /// Loads catalogue entries into an org's catalogue (created when missing).
    pub async fn load_catalog(
        &mut self,
        org: OrgId,
        entries: &[crate::domain::catalog::Entry],
    ) -> Result<(usize, usize)> {
        super::risk_catalog::load_into(&self.txn, org, entries, &self.actor.username).await
    }

    /// Instantiates the applicable catalogue points of a school, each assessed with the
    /// catalogue's default LEC values, and places them in the school's zones by category.
    pub async fn instantiate(
        &mut self,
        school: OrgId,
        risk: &crate::config::Risk,
    ) -> Result<usize> {
        let s = org::Entity::find_by_id(school)
            .one(&self.txn)
            .await?
            .ok_or(Error::NotFound)?;
        let r = super::risk_points::instantiate_in(&self.txn, &s, risk, (None, "演示数据")).await?;
        super::risk_points::place_by_category(&self.txn, school).await?;
        Ok(r.added)
    }

    /// The codes of a school's points whose current grade is `grade`.
    pub async fn codes_with_grade(
        &mut self,
        school: OrgId,
        grade: crate::domain::risk::Grade,
    ) -> Result<Vec<String>> {
        use crate::domain::Code as _;
        Ok(super::entity::risk_point::Entity::find()
            .filter(super::entity::risk_point::Column::SchoolId.eq(school))
            .filter(super::entity::risk_point::Column::CurrentGrade.eq(grade.as_str()))
            .all(&self.txn)
            .await?
            .into_iter()
            .map(|p| p.code)
            .collect())
    }

    /// Re-assesses a school's point (by catalogue code) as the demo's safety director would.
    pub async fn reassess(
        &mut self,
        school: OrgId,
        code: &str,
        input: &crate::domain::risk::AssessmentInput,
        risk: &crate::config::Risk,
        who: &str,
    ) -> Result<bool> {
        let Some(p) = super::entity::risk_point::Entity::find()
            .filter(super::entity::risk_point::Column::SchoolId.eq(school))
            .filter(super::entity::risk_point::Column::Code.eq(code))
            .one(&self.txn)
            .await?
        else {
            return Ok(false);
        };
        super::risk_points::record_assessment(&self.txn, p, input, risk, (None, who), "").await?;
        Ok(true)
    }

    pub async fn audit(
        &mut self,
        action: impl super::AuditCode,
        object_type: &'static str,
        id: impl ToString,
        detail: &str,
    ) -> Result<()> {
        audit::append(
            &self.txn,
            &self.actor,
            &audit::Event::new(action, object_type, id).detail(detail),
            "ok",
        )
        .await
    }

    /// An audit entry recorded at `at`: the operator's seeding of history (a migrated log, the
    /// retention's tests), never a request's.
    pub async fn audit_at(
        &mut self,
        at: chrono::DateTime<chrono::Utc>,
        action: impl super::AuditCode,
        object_type: &'static str,
        id: impl ToString,
        detail: &str,
    ) -> Result<()> {
        audit::append_at(
            &self.txn,
            Some(&self.actor),
            &self.actor.username,
            &audit::Event::new(action, object_type, id).detail(detail),
            "ok",
            (&self.actor.ip, &self.actor.request_id),
            at,
        )
        .await
    }

    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await?;
        Ok(())
    }
}
