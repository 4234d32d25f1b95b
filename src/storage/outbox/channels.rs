//! The bureaus' channels and the delivery log, through the scoped handle: a channel is in
//! scope when its district or city is; the log shows the deliveries of the channels in scope.

use super::{
    Channel, ChannelAudit, ChannelKind, ChannelPatch, Delivery, DeliveryFilter, DeliveryList,
    NewChannel, STATUSES,
};
use crate::domain::Code;
use crate::domain::ids::OrgId;
use crate::domain::org::OrgLevel;
use crate::domain::warning::Level;
use crate::error::{Error, FieldError, Result};
use crate::storage::Channels;
use crate::storage::audit::Event;
use crate::storage::entity::{
    notification_channel as channel, notification_delivery as delivery, org,
};
use crate::storage::read::ReadAll as _;
use crate::storage::views::{self, Paging};
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, Condition, IntoActiveModel, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Longest channel name, in characters.
const NAME_MAX: usize = 60;
/// Longest target (address or URL), in characters.
const TARGET_MAX: usize = 500;
/// Longest signing secret, in characters.
const SECRET_MAX: usize = 200;

/// A channel's fields once a create or a patch is applied, checked together.
struct Fields {
    kind: String,
    name: String,
    target: String,
    secret: Option<String>,
    min_level: String,
}

impl Fields {
    fn check(&self) -> Result<ChannelKind> {
        let mut errs = Vec::new();
        let kind = ChannelKind::parse(&self.kind);
        if kind.is_none() {
            errs.push(FieldError::new("kind", "err.channel.kind"));
        }
        let n = self.name.chars().count();
        if n == 0 || n > NAME_MAX {
            errs.push(FieldError::new("name", "err.channel.name"));
        }
        match kind {
            Some(ChannelKind::Email) if !email_ok(&self.target) => {
                errs.push(FieldError::new("target", "err.channel.email"))
            }
            Some(k) if k != ChannelKind::Email && !url_ok(&self.target) => {
                errs.push(FieldError::new("target", "err.channel.url"))
            }
            _ => {}
        }
        if let Some(s) = &self.secret {
            if kind.is_some_and(|k| k != ChannelKind::Dingtalk) {
                errs.push(FieldError::new("secret", "err.channel.secret_kind"));
            } else if s.chars().count() > SECRET_MAX || s.chars().any(char::is_whitespace) {
                errs.push(FieldError::new("secret", "err.channel.secret"));
            }
        }
        if Level::parse(&self.min_level).is_none() {
            errs.push(FieldError::new("min_level", "err.channel.min_level"));
        }
        match (kind, errs.is_empty()) {
            (Some(k), true) => Ok(k),
            _ => Err(Error::Validation {
                message: "err.invalid_input".into(),
                fields: errs,
            }),
        }
    }
}

/// An e-mail address of the usual shape (`name@host.domain`).
fn email_ok(s: &str) -> bool {
    s.len() <= TARGET_MAX
        && s.parse::<lettre::Address>()
            .is_ok_and(|a| a.domain().contains('.') && !a.domain().starts_with('.'))
}

/// An `http://` or `https://` URL with a host.
fn url_ok(s: &str) -> bool {
    if s.len() > TARGET_MAX || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some(rest) = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host_port.split(':').next().unwrap_or(""),
    };
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

/// What an audit row says of a channel: never its secret, nor the target's query (a robot's
/// URL carries its access token there).
fn describe(m: &channel::Model) -> String {
    let target = m.target.split(['?', '#']).next().unwrap_or("");
    format!(
        "org={} kind={} name={} target={} min_level={} enabled={} secret={}",
        m.org_id,
        m.kind,
        m.name,
        target,
        m.min_level,
        m.enabled,
        if m.secret.is_some() { "set" } else { "none" }
    )
}

fn view(m: channel::Model, org_name: String) -> Option<Channel> {
    Some(Channel {
        id: m.id,
        org_id: m.org_id,
        org_name,
        kind: ChannelKind::parse(&m.kind)?,
        name: m.name,
        target: m.target,
        secret_set: m.secret.is_some(),
        min_level: Level::parse(&m.min_level)?,
        enabled: m.enabled,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

/// An empty secret is no secret.
fn secret_of(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Channels<'_> {
    /// The orgs in scope (a subquery of their ids).
    fn orgs_in_scope(&self) -> sea_orm::sea_query::SelectStatement {
        let mut q = Query::select();
        q.column(org::Column::Id)
            .from(org::Entity)
            .cond_where(self.org_scope());
        q
    }

    async fn org_names(&self, ids: Vec<OrgId>) -> Result<HashMap<OrgId, String>> {
        Ok(org::Entity::find()
            .filter(org::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    /// A channel in scope, or `NotFound`.
    async fn found(&self, id: i64) -> Result<(channel::Model, org::Model)> {
        let m = channel::Entity::find_by_id(id)
            .read_one(&self.read)
            .await?
            .ok_or(Error::NotFound)?;
        let o = self.org_row(m.org_id, &self.read).await?;
        Ok((m, o))
    }

    /// The channels of the caller's org and below.
    pub async fn list(&self) -> Result<Vec<Channel>> {
        self.permit()?;
        let rows = channel::Entity::find()
            .filter(channel::Column::OrgId.in_subquery(self.orgs_in_scope()))
            .order_by_asc(channel::Column::OrgId)
            .order_by_asc(channel::Column::Id)
            .read_all(&self.read)
            .await?;
        let names = self
            .org_names(rows.iter().map(|r| r.org_id).collect())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|m| {
                let n = names.get(&m.org_id).cloned().unwrap_or_default();
                view(m, n)
            })
            .collect())
    }

    /// Adds a channel to a district or city in scope (a school → 422 on `org_id`).
    pub async fn create(&self, input: NewChannel) -> Result<Channel> {
        let (mut tx, node) = self
            .begin_found(
                Event::new(ChannelAudit::Create, "notification_channel", ""),
                self.org_row(OrgId(input.org_id), &self.read).await,
            )
            .await?;
        let res: Result<channel::Model> = async {
            if !matches!(
                OrgLevel::parse(&node.level),
                Some(OrgLevel::City | OrgLevel::District)
            ) {
                return Err(Error::field("org_id", "err.channel.org_not_bureau"));
            }
            let f = Fields {
                kind: trimmed(&input.kind),
                name: trimmed(&input.name),
                target: trimmed(&input.target),
                secret: secret_of(input.secret.as_deref()),
                min_level: input.min_level.as_deref().map_or("red".into(), trimmed),
            };
            let kind = f.check()?;
            let now = Utc::now();
            Ok(channel::ActiveModel {
                org_id: Set(node.id),
                kind: Set(kind.as_str().into()),
                name: Set(f.name),
                target: Set(f.target),
                secret: Set(f.secret),
                min_level: Set(f.min_level),
                enabled: Set(input.enabled.unwrap_or(true)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&tx.txn)
            .await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.object_id = m.id.to_string();
                tx.event.detail = describe(&m);
                tx.commit().await?;
                view(m, node.name).ok_or(Error::NotFound)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// Changes a channel in scope.
    pub async fn update(&self, id: i64, patch: ChannelPatch) -> Result<Channel> {
        let (mut tx, (old, node)) = self
            .begin_found(
                Event::new(ChannelAudit::Update, "notification_channel", id),
                self.found(id).await,
            )
            .await?;
        let res: Result<channel::Model> = async {
            let f = Fields {
                kind: patch.kind.as_deref().map_or(old.kind.clone(), trimmed),
                name: patch.name.as_deref().map_or(old.name.clone(), trimmed),
                target: patch.target.as_deref().map_or(old.target.clone(), trimmed),
                secret: match patch.secret.as_deref() {
                    Some(s) => secret_of(Some(s)),
                    None => old.secret.clone(),
                },
                min_level: patch
                    .min_level
                    .as_deref()
                    .map_or(old.min_level.clone(), trimmed),
            };
            let kind = f.check()?;
            let mut am = old.clone().into_active_model();
            am.kind = Set(kind.as_str().into());
            am.name = Set(f.name);
            am.target = Set(f.target);
            am.secret = Set(f.secret);
            am.min_level = Set(f.min_level);
            am.enabled = Set(patch.enabled.unwrap_or(old.enabled));
            am.updated_at = Set(Utc::now());
            Ok(am.update(&tx.txn).await?)
        }
        .await;
        match res {
            Ok(m) => {
                tx.event.detail = describe(&m);
                tx.commit().await?;
                view(m, node.name).ok_or(Error::NotFound)
            }
            Err(e) => Err(tx.fail(e).await),
        }
    }

    /// The delivery log of the channels in scope (or of one), newest first.
    pub async fn deliveries(&self, f: &DeliveryFilter) -> Result<DeliveryList> {
        let paging = Paging::new(f.page, f.per_page, views::PAGE_SIZE)?;
        let mut cond = Condition::all();
        match f.status.as_deref().filter(|s| !s.is_empty()) {
            Some(s) if STATUSES.contains(&s) => cond = cond.add(delivery::Column::Status.eq(s)),
            Some(_) => return Err(Error::field("status", "err.invalid_input")),
            None => {}
        }
        let mut channels = Query::select();
        channels
            .column(channel::Column::Id)
            .from(channel::Entity)
            .and_where(channel::Column::OrgId.in_subquery(self.orgs_in_scope()));
        cond = cond.add(delivery::Column::ChannelId.in_subquery(channels));
        if let Some(c) = f.channel_id {
            self.found(c).await?;
            cond = cond.add(delivery::Column::ChannelId.eq(c));
        }
        self.permit()?;
        let mut count = Query::select();
        count
            .expr(Expr::col(delivery::Column::Id).count())
            .from(delivery::Entity)
            .cond_where(cond.clone());
        let (total,): (i64,) = self.read.one(&count).await?.unwrap_or((0,));
        let total = u64::try_from(total).unwrap_or(0);
        let rows = match paging.offset_within(total) {
            Some(offset) => {
                delivery::Entity::find()
                    .filter(cond)
                    .order_by_desc(delivery::Column::Id)
                    .offset(offset)
                    .limit(paging.per_page)
                    .read_all(&self.read)
                    .await?
            }
            None => Vec::new(),
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.channel_id).collect();
        let chans: HashMap<i64, channel::Model> = channel::Entity::find()
            .filter(channel::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let items = rows
            .into_iter()
            .filter_map(|d| {
                let c = chans.get(&d.channel_id)?;
                Some(Delivery {
                    id: d.id,
                    warning_id: d.warning_id,
                    channel_id: d.channel_id,
                    channel_name: c.name.clone(),
                    channel_kind: ChannelKind::parse(&c.kind)?,
                    status: d.status,
                    attempts: d.attempts,
                    last_error: d.last_error,
                    created_at: d.created_at,
                    sent_at: d.sent_at,
                })
            })
            .collect();
        Ok(DeliveryList {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }
}
