//! Outbound notifications of warnings (F-WARN-4): the channels a district or city bureau
//! configures — e-mail, a DingTalk or WeCom group robot, a generic webhook — and the delivery
//! log.
//!
//! **Invariant:** nothing is sent while a request or an ingest waits. When [`super::warnings`]
//! raises a *new* warning (not a repeat), [`enqueue`] writes, in the same transaction, one
//! `notification_deliveries` row per enabled channel of the school's district and city whose
//! minimum level the warning meets, and one job per row (kind [`JOB`], key
//! `outbox:<delivery id>`, so enqueuing twice adds nothing). The job runner sends
//! ([`send::deliver`]), with a short timeout, and records the status, attempts, last error and
//! time; a failure is retried by the job queue with a growing delay and ends `failed`.

mod channels;
mod mail;
pub(in crate::storage) mod send;

use super::entity::org;
use super::entity::{job, notification_channel as channel, notification_delivery as delivery};
use crate::domain::Code;
use crate::domain::ids::{OrgId, WarningId};
use crate::domain::org::OrgPath;
use crate::domain::warning::Level;
use crate::error::Result;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The job kind that sends one delivery.
pub const JOB: &str = "outbox";

closed_codes! {
    AuditCode:
    /// What the outbound channels record.
    pub enum ChannelAudit {
        Create = "channel.create",
        Update = "channel.update",
    }
}

/// How a channel sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// An e-mail address (through the `[outbox]` SMTP relay).
    Email,
    /// A DingTalk group robot's webhook (signed when a secret is set).
    Dingtalk,
    /// A WeCom (企业微信) group robot's webhook.
    Wecom,
    /// Any URL: the warning as JSON.
    Webhook,
}

impl ChannelKind {
    pub const ALL: &[ChannelKind] = &[Self::Email, Self::Dingtalk, Self::Wecom, Self::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Dingtalk => "dingtalk",
            Self::Wecom => "wecom",
            Self::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// A channel as the API shows it (its secret never: only whether one is set).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Channel {
    pub id: i64,
    /// The district or city whose schools' warnings it sends.
    pub org_id: OrgId,
    pub org_name: String,
    pub kind: ChannelKind,
    pub name: String,
    /// The e-mail address or the webhook URL.
    pub target: String,
    /// Whether a DingTalk signing secret is set.
    pub secret_set: bool,
    /// Warnings at least this severe are sent.
    pub min_level: Level,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new channel.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChannel {
    /// A district or city in the caller's scope.
    pub org_id: i64,
    /// `email`, `dingtalk`, `wecom` or `webhook`.
    pub kind: String,
    pub name: String,
    pub target: String,
    /// DingTalk's signing secret (`SEC…`), for `dingtalk` only.
    #[serde(default)]
    pub secret: Option<String>,
    /// `red`, `orange`, `yellow` or `blue` (default `red`).
    #[serde(default)]
    pub min_level: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Changes to a channel: a field left out stays as it is; `secret: ""` removes the secret.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelPatch {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub target: Option<String>,
    pub secret: Option<String>,
    pub min_level: Option<String>,
    pub enabled: Option<bool>,
}

/// One delivery of a warning to a channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub warning_id: WarningId,
    pub channel_id: i64,
    pub channel_name: String,
    pub channel_kind: ChannelKind,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The delivery log's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// One channel (in scope).
    pub channel_id: Option<i64>,
    /// `pending`, `sent` or `failed`.
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A page of the delivery log, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// A delivery's states.
pub const STATUSES: &[&str] = &["pending", "sent", "failed"];

/// How the job runner sends: the `[outbox]` configuration and the platform's address (for
/// the links in the messages).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub outbox: crate::config::Outbox,
    pub public_url: Option<String>,
}

/// Writes the deliveries of a new warning, and their jobs, in the warning's transaction: one
/// per enabled channel of the school's district and city (its ancestors) whose minimum level
/// `level` meets.
pub(in crate::storage) async fn enqueue(
    txn: &impl ConnectionTrait,
    warning: WarningId,
    school: OrgId,
    level: Level,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(s) = org::Entity::find_by_id(school).one(txn).await? else {
        return Ok(());
    };
    let Some(path) = OrgPath::parse(&s.path) else {
        return Ok(());
    };
    // The bureaus above a school; a bureau's own warning (its plans) also its own channels.
    let own = s.level != crate::domain::org::OrgLevel::School.as_str();
    let above: Vec<OrgId> = path
        .ids()
        .into_iter()
        .map(OrgId)
        .filter(|o| *o != school || own)
        .collect();
    let channels = channel::Entity::find()
        .filter(channel::Column::OrgId.is_in(above))
        .filter(channel::Column::Enabled.eq(true))
        .all(txn)
        .await?;
    for c in channels {
        let meets = Level::parse(&c.min_level).is_some_and(|min| level.at_least(min));
        if !meets {
            continue;
        }
        let d = delivery::ActiveModel {
            channel_id: Set(c.id),
            warning_id: Set(warning),
            status: Set("pending".into()),
            attempts: Set(0),
            last_error: Set(String::new()),
            created_at: Set(now),
            sent_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let j = job::ActiveModel {
            kind: Set(JOB.into()),
            key: Set(format!("{JOB}:{}", d.id)),
            payload: Set(serde_json::json!({ "delivery": d.id }).to_string()),
            run_at: Set(now),
            status: Set("pending".into()),
            attempts: Set(0),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(String::new()),
            created_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        };
        job::Entity::insert(j)
            .on_conflict_do_nothing_on([job::Column::Key])
            .exec(txn)
            .await?;
    }
    Ok(())
}
