//! The legal basis of a rider's data and the guardian's consents per purpose (T-PR-5,
//! `domain::consent`, migration `m0036_rider_consents`). A rider under 14 whose basis is
//! consent is held, but not processed for riding — neither listed, counted, exported nor
//! shown whole — until the guardian's consent for `bus_transport` is recorded
//! ([`processable`], the condition every list and count of a route's riders adds); the
//! guardian's name and phone are shown only with the consent for `guardian_contact`. A
//! withdrawal takes effect on the next request. The school's managers record the basis and
//! each consent (`BusManage`), audited without a name.

use crate::domain::Code;
use crate::domain::consent::{ConsentPurpose, ConsentStep, LegalBasis};
use crate::domain::ids::{BusRiderId, BusRouteId, OrgId};
use crate::error::{Error, Result};
use crate::storage::Buses;
use crate::storage::audit::Event;
use crate::storage::entity::{bus_rider, rider_consent};
use crate::storage::read::ReadAll as _;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Query, SimpleExpr};
use sea_orm::{ActiveValue::Set, IntoActiveModel};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

closed_codes! {
    AuditCode:
    /// What recording the basis and the consents writes.
    pub enum ConsentAudit {
        Basis = "bus.rider_basis",
        Consent = "bus.rider_consent",
    }
}

/// The riders that may be processed for riding: 14 or older, under a statutory duty, or with
/// the guardian's consent for `bus_transport` in force.
pub fn processable() -> SimpleExpr {
    let riders = Alias::new("bus_riders");
    let consents = Alias::new("rider_consents");
    let mut given = Query::select();
    given
        .expr(Expr::val(1))
        .from(consents.clone())
        .and_where(
            Expr::col((consents.clone(), Alias::new("rider_id")))
                .equals((riders.clone(), Alias::new("id"))),
        )
        .and_where(
            Expr::col((consents.clone(), Alias::new("purpose")))
                .eq(ConsentPurpose::BusTransport.as_str()),
        )
        .and_where(Expr::col((consents, Alias::new("withdrawn_at"))).is_null());
    Expr::col((riders.clone(), Alias::new("under_14")))
        .eq(false)
        .or(Expr::col((riders, Alias::new("legal_basis"))).ne(LegalBasis::Consent.as_str()))
        .or(Expr::exists(given))
}

/// A rider's basis (`PATCH /api/v1/bus-riders/{id}/basis`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiderBasis {
    pub under_14: bool,
    pub legal_basis: LegalBasis,
}

/// A consent given or withdrawn (`POST /api/v1/bus-riders/{id}/consents`): the guardian's
/// signed form is kept on paper; `note` may say where.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    pub purpose: ConsentPurpose,
    pub step: ConsentStep,
    #[serde(default)]
    pub note: String,
}

/// A rider's basis and the purposes consented to, after a change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiderConsents {
    pub id: BusRiderId,
    pub school_id: OrgId,
    pub route_id: BusRouteId,
    pub under_14: bool,
    pub legal_basis: LegalBasis,
    pub consents: Vec<ConsentPurpose>,
    /// Whether the rider may be processed for riding now.
    pub processable: bool,
}

/// The purposes consented to (in force) of each of `riders`.
pub(super) async fn in_force(
    b: &Buses<'_>,
    riders: &[BusRiderId],
) -> Result<HashMap<BusRiderId, Vec<ConsentPurpose>>> {
    let mut out: HashMap<BusRiderId, Vec<ConsentPurpose>> = HashMap::new();
    if riders.is_empty() {
        return Ok(out);
    }
    let rows = rider_consent::Entity::find()
        .filter(rider_consent::Column::RiderId.is_in(riders.iter().copied()))
        .filter(rider_consent::Column::WithdrawnAt.is_null())
        .read_all(&b.read)
        .await?;
    for r in rows {
        if let Some(p) = ConsentPurpose::parse(&r.purpose) {
            out.entry(r.rider_id).or_default().push(p);
        }
    }
    Ok(out)
}

impl Buses<'_> {
    async fn consents_now(
        &self,
        txn: &impl ConnectionTrait,
        m: &bus_rider::Model,
    ) -> Result<RiderConsents> {
        let mut consents: Vec<ConsentPurpose> = rider_consent::Entity::find()
            .filter(rider_consent::Column::RiderId.eq(m.id))
            .filter(rider_consent::Column::WithdrawnAt.is_null())
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|r| ConsentPurpose::parse(&r.purpose))
            .collect();
        consents.sort();
        consents.dedup();
        let basis = LegalBasis::parse(&m.legal_basis).unwrap_or(LegalBasis::Consent);
        Ok(RiderConsents {
            id: m.id,
            school_id: m.school_id,
            route_id: m.route_id,
            under_14: m.under_14,
            legal_basis: basis,
            processable: crate::domain::consent::may_process(
                m.under_14,
                basis,
                ConsentPurpose::BusTransport,
                &consents,
            ),
            consents,
        })
    }

    /// Records a rider's age band and the basis of processing their data.
    pub async fn set_basis(&self, id: BusRiderId, input: RiderBasis) -> Result<RiderConsents> {
        let mut tx = self
            .begin_owned::<bus_rider::Entity>(Event::new(ConsentAudit::Basis, "bus_rider", id), id)
            .await?;
        let res: Result<RiderConsents> = async {
            let m = bus_rider::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let mut am = m.into_active_model();
            am.under_14 = Set(input.under_14);
            am.legal_basis = Set(input.legal_basis.as_str().into());
            let m = am.update(&tx.txn).await?;
            self.consents_now(&tx.txn, &m).await
        }
        .await;
        match res {
            Ok(r) => {
                tx.event.detail = format!(
                    "under_14={} legal_basis={}",
                    r.under_14,
                    r.legal_basis.as_str()
                );
                tx.commit().await?;
                Ok(r)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Records the guardian's consent for one purpose, or its withdrawal. Giving a consent
    /// in force, or withdrawing one that is not, changes nothing.
    pub async fn consent(&self, id: BusRiderId, input: ConsentInput) -> Result<RiderConsents> {
        let mut tx = self
            .begin_owned::<bus_rider::Entity>(
                Event::new(ConsentAudit::Consent, "bus_rider", id),
                id,
            )
            .await?;
        let res: Result<RiderConsents> = async {
            let note: String = input.note.trim().chars().collect();
            if note.chars().count() > 200 {
                return Err(Error::field("note", "err.too_long_200"));
            }
            let m = bus_rider::Entity::find_by_id(id)
                .one(&tx.txn)
                .await?
                .ok_or(Error::NotFound)?;
            let open = rider_consent::Entity::find()
                .filter(rider_consent::Column::RiderId.eq(id))
                .filter(rider_consent::Column::Purpose.eq(input.purpose.as_str()))
                .filter(rider_consent::Column::WithdrawnAt.is_null())
                .all(&tx.txn)
                .await?;
            let now = Utc::now();
            let actor = self.actor();
            match input.step {
                ConsentStep::Give if open.is_empty() => {
                    rider_consent::ActiveModel {
                        school_id: Set(m.school_id),
                        rider_id: Set(id),
                        purpose: Set(input.purpose.as_str().into()),
                        given_at: Set(now),
                        recorded_by: Set(Some(actor.user_id)),
                        recorded_by_name: Set(actor.display_name.clone()),
                        withdrawn_at: Set(None),
                        withdrawn_by: Set(None),
                        withdrawn_by_name: Set(String::new()),
                        note: Set(note),
                        ..Default::default()
                    }
                    .insert(&tx.txn)
                    .await?;
                }
                ConsentStep::Withdraw => {
                    for c in open {
                        let mut am = c.into_active_model();
                        am.withdrawn_at = Set(Some(now));
                        am.withdrawn_by = Set(Some(actor.user_id));
                        am.withdrawn_by_name = Set(actor.display_name.clone());
                        am.update(&tx.txn).await?;
                    }
                }
                ConsentStep::Give => {}
            }
            self.consents_now(&tx.txn, &m).await
        }
        .await;
        match res {
            Ok(r) => {
                tx.event.detail = format!(
                    "purpose={} step={}",
                    input.purpose.as_str(),
                    input.step.as_str()
                );
                tx.commit().await?;
                Ok(r)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }
}
