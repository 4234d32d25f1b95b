//! A plan's documents (PDFs, scans) and its filing receipt, uploaded for the plan itself: the
//! files belong to the plan's organisation — its school, or for a bureau's own plan the bureau
//! (a district or the city), read through that bureau's scope — and are stored with the change
//! of the plan in one transaction (`plan.update` or `plan.step`, each file with its own
//! `file.upload` row). And the one way into another school's files: an expert assigned to
//! review a plan reads the documents that plan lists ([`reviewed_plan_of`]), nothing else.

use super::{MAX_DOCUMENTS, NOT_EDITABLE, PlanAudit, Plans, Reach, ids, plan, reviewer, status_of};
use crate::domain::emergency_plan::PlanStatus;
use crate::domain::ids::{FileId, PlanId, UserId};
use crate::error::{Error, Result};
use crate::media::Processed;
use crate::storage::audit::{self, Event};
use crate::storage::entity::file;
use crate::storage::files::FileAudit;
use crate::storage::read::{ReadAll as _, Reader};
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

/// The plan whose documents list `f` and whose review `user` was assigned to (any round), if
/// there is one: the reviewer reads that document although its school is out of their scope.
pub(in crate::storage) async fn reviewed_plan_of(
    read: &Reader,
    user: UserId,
    f: &file::Model,
) -> Result<Option<PlanId>> {
    let mine: Vec<PlanId> = reviewer::Entity::find()
        .filter(reviewer::Column::UserId.eq(user))
        .read_all(read)
        .await?
        .into_iter()
        .map(|r| r.plan_id)
        .collect();
    if mine.is_empty() {
        return Ok(None);
    }
    let plans = plan::Entity::find()
        .filter(plan::Column::Id.is_in(mine))
        .filter(plan::Column::OrgId.eq(f.school_id))
        .read_all(read)
        .await?;
    Ok(plans
        .into_iter()
        .find(|m| ids::<FileId>(&m.document_ids).contains(&f.id))
        .map(|m| m.id))
}

impl Plans<'_> {
    /// Stores uploaded documents (display name, processed file) for the plan's organisation
    /// and adds them to a draft or a plan under revision (else 409), at most
    /// [`MAX_DOCUMENTS`] in all (else 422), in one transaction. Scope (404), then the role
    /// (403); an expert reviewing the plan only reads (403 with the reason). Returns the new
    /// files' ids.
    pub async fn add_documents(
        &self,
        id: PlanId,
        files: Vec<(String, Processed)>,
    ) -> Result<Vec<FileId>> {
        let event = Event::new(PlanAudit::Update, "emergency_plan", id);
        let (_, o, reach) = match self.plan_row(id, &self.read).await {
            Ok(x) => x,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let refused = event.clone();
        let mut tx = self.begin(event).await?;
        let res: Result<Vec<FileId>> = async {
            if reach == Reach::Reviewer {
                return Err(Error::ForbiddenBecause("err.plan.reviewer_reads".into()));
            }
            if files.is_empty() {
                return Err(Error::field("documents", "err.required"));
            }
            let m = plan::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if !matches!(status_of(&m), PlanStatus::Draft | PlanStatus::Revising) {
                return Err(Error::Conflict(NOT_EDITABLE.into()));
            }
            let mut docs: Vec<FileId> = ids(&m.document_ids);
            if docs.len() + files.len() > MAX_DOCUMENTS {
                return Err(Error::field("document_ids", "err.plan.too_many"));
            }
            let mut added = Vec::with_capacity(files.len());
            for (name, p) in files {
                let f = self.store_file(&tx.txn, o.id, &name, p).await?;
                docs.push(f);
                added.push(f);
            }
            let version = m.version;
            let mut am: plan::ActiveModel = m.into();
            am.document_ids = Set(super::to_json(&docs)?);
            am.updated_by = Set(Some(self.actor.user_id));
            am.updated_at = Set(Utc::now());
            am.version = Set(version + 1);
            let res = plan::Entity::update_many()
                .set(am)
                .filter(plan::Column::Id.eq(id))
                .filter(plan::Column::Version.eq(version))
                .exec(&tx.txn)
                .await?;
            if res.rows_affected != 1 {
                return Err(Error::Conflict(super::STALE.into()));
            }
            Ok(added)
        }
        .await;
        match res {
            Ok(added) => {
                let list: Vec<String> = added.iter().map(ToString::to_string).collect();
                tx.event.detail = format!("changed=documents added={}", list.join(","));
                tx.commit().await?;
                Ok(added)
            }
            Err(e) => {
                let reason = matches!(e, Error::ForbiddenBecause(_));
                let e = tx.fail(e).await;
                if reason {
                    self.audit_refusal(&refused, &e).await;
                }
                Err(e)
            }
        }
    }

    /// Stores the scan of a filed plan's filing receipt (备案回执) for the plan's organisation
    /// and attaches it (or replaces the one attached), in one transaction: the plan's
    /// organisation or the bureau over it (403 with the reason otherwise); the plan must have
    /// been filed (else 409).
    pub async fn upload_receipt(&self, id: PlanId, name: &str, p: Processed) -> Result<FileId> {
        let event = Event::new(PlanAudit::Step, "emergency_plan", id);
        let (_, o, reach) = match self.plan_row(id, &self.read).await {
            Ok(x) => x,
            Err(e) => {
                self.audit_refusal(&event, &e).await;
                return Err(e);
            }
        };
        let refused = event.clone();
        let mut tx = self.begin(event).await?;
        let res: Result<FileId> = async {
            if !(self.owner_side(&o) || self.bureau_side(reach)) {
                return Err(Error::ForbiddenBecause("err.plan.not_yours".into()));
            }
            let m = plan::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            if m.filed_on.is_none() {
                return Err(Error::Conflict("err.plan.not_filed".into()));
            }
            let f = self.store_file(&tx.txn, o.id, name, p).await?;
            let version = m.version;
            let mut am: plan::ActiveModel = m.into();
            am.filing_receipt_id = Set(Some(f));
            am.updated_by = Set(Some(self.actor.user_id));
            am.updated_at = Set(Utc::now());
            am.version = Set(version + 1);
            am.update(&tx.txn).await?;
            Ok(f)
        }
        .await;
        match res {
            Ok(f) => {
                tx.event.detail = format!("receipt={f}");
                tx.commit().await?;
                Ok(f)
            }
            Err(e) => {
                let reason = matches!(e, Error::ForbiddenBecause(_));
                let e = tx.fail(e).await;
                if reason {
                    self.audit_refusal(&refused, &e).await;
                }
                Err(e)
            }
        }
    }

    /// One file of the plan's organisation, with its `file.upload` audit row.
    async fn store_file(
        &self,
        txn: &DatabaseTransaction,
        org: crate::domain::ids::OrgId,
        name: &str,
        p: Processed,
    ) -> Result<FileId> {
        let f = crate::storage::files::insert(txn, &self.actor, org, name, p).await?;
        let event = Event::new(FileAudit::Upload, "file", f.id).detail(format!(
            "org={org} kind={} mime={} size={}",
            f.kind, f.mime, f.size
        ));
        audit::append(txn, &self.actor, &event, "ok").await?;
        Ok(f.id)
    }
}
