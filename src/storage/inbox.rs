//! The in-app inbox: notifications for assignments, reminders, overdue hazards, acceptance and
//! refusal. A notification is written in the transaction of the change that causes it, once per
//! user and reason (`dedupe_key`), so jobs may run again without sending twice.

use super::entity::{notification, org, user};
use crate::domain::Code;
use crate::domain::ids::{HazardId, NotificationId, OrgId, UserId};
use crate::domain::role::Role;
use crate::error::{Error, Result};
use crate::storage::Notices;
use crate::storage::read::ReadAll as _;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What a notification is about: a closed set per module (declared with `closed_codes!`,
/// listed by the feature registry); its label is `inbox.kind.<code>`.
pub trait NoticeKind: Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
}

/// The stored kind of a notification, made only from a [`NoticeKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind(&'static str);

impl<K: NoticeKind> From<K> for Kind {
    fn from(k: K) -> Kind {
        Kind(k.code())
    }
}

/// The values a notification's message shows (deadline, days left or overdue, the period of a
/// campaign …); what a kind does not use stays empty. Stored as JSON; a stored value of the
/// wrong shape reads as empty rather than failing the inbox.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NoteParams {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub deadline: Option<NaiveDate>,
    /// Days left (a reminder) or days overdue.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub days: Option<i64>,
    /// The hazard's status after the step (a wire code).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub status: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub closure_number: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub reason: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub starts_on: Option<NaiveDate>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub ends_on: Option<NaiveDate>,
}

fn lenient<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// One notification to write.
pub struct Note<'a> {
    pub kind: Kind,
    pub hazard: Option<HazardId>,
    pub school: Option<OrgId>,
    /// What it is about, as the reader knows it (a hazard's title, a campaign's name).
    pub subject: &'a str,
    /// Where to go (a page path).
    pub link: String,
    pub params: NoteParams,
    /// Unique per reason; the user id is appended.
    pub dedupe: String,
}

/// Writes `note` to each user once (a repeated dedupe key is ignored).
pub(super) async fn notify(
    conn: &impl ConnectionTrait,
    users: &[UserId],
    note: &Note<'_>,
) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for u in users.iter().filter(|u| seen.insert(u.0)) {
        let row = notification::ActiveModel {
            user_id: Set(*u),
            kind: Set(note.kind.0.to_string()),
            hazard_id: Set(note.hazard),
            school_id: Set(note.school),
            subject: Set(note.subject.chars().take(200).collect()),
            params: Set(serde_json::to_string(&note.params).unwrap_or_default()),
            link: Set(note.link.clone()),
            dedupe_key: Set(format!("{}:{}", note.dedupe, u.0)),
            created_at: Set(Utc::now()),
            read_at: Set(None),
            ..Default::default()
        };
        notification::Entity::insert(row)
            .on_conflict_do_nothing_on([notification::Column::DedupeKey])
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The active users of `org` holding one of `roles`.
pub(super) async fn users_with(
    conn: &impl ConnectionTrait,
    org: OrgId,
    roles: &[Role],
) -> Result<Vec<UserId>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::OrgId.eq(org))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Role.is_in(roles.iter().map(|r| r.as_str())))
        .into_tuple::<UserId>()
        .all(conn)
        .await?)
}

/// The school's principal(s) and safety director(s).
pub(super) async fn school_managers(
    conn: &impl ConnectionTrait,
    school: OrgId,
) -> Result<Vec<UserId>> {
    users_with(conn, school, &[Role::Principal, Role::SafetyDirector]).await
}

/// The safety section of the school's district (bureau officers); for a bureau's own
/// subject (`school` a district or city: its own plans), that bureau's officers.
pub(super) async fn bureau_officers(
    conn: &impl ConnectionTrait,
    school: OrgId,
) -> Result<Vec<UserId>> {
    let Some(s) = org::Entity::find_by_id(school).one(conn).await? else {
        return Ok(Vec::new());
    };
    if s.level != crate::domain::org::OrgLevel::School.as_str() {
        return users_with(conn, s.id, &[Role::BureauOfficer, Role::CityOfficer]).await;
    }
    let Some(district) = s.parent_id else {
        return Ok(Vec::new());
    };
    users_with(conn, district, &[Role::BureauOfficer]).await
}

/// Unread notifications of a user.
pub(super) async fn unread_count(conn: &impl ConnectionTrait, user: UserId) -> Result<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null())
        .count(conn)
        .await?)
}

/// One notification as its reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    /// The code of a [`NoticeKind`].
    pub kind: String,
    pub hazard_id: Option<HazardId>,
    pub school_id: Option<OrgId>,
    /// The code and name of the school (or bureau) it is about, so that the notices of three
    /// schools about one kind of thing are told apart.
    pub school_code: Option<String>,
    pub school_name: Option<String>,
    pub subject: String,
    pub link: String,
    pub params: NoteParams,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of the inbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Inbox {
    pub unread: u64,
    pub total: u64,
    pub items: Vec<Notification>,
}

/// Filters of the inbox.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxFilter {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// At most this many (newest first; default 50, at most 200); `per_page` takes precedence.
    pub limit: Option<u64>,
    /// The page, from 1 (newest first); a page past the end is empty.
    pub page: Option<u64>,
    /// Notifications a page: 1 to 200 (default 50); out of range → 422.
    pub per_page: Option<u64>,
}

/// Which notifications to mark as read: the listed ids, or all.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    #[serde(default)]
    pub ids: Vec<NotificationId>,
    #[serde(default)]
    pub all: bool,
}

impl From<notification::Model> for Notification {
    fn from(m: notification::Model) -> Self {
        Notification {
            id: m.id,
            kind: m.kind,
            hazard_id: m.hazard_id,
            school_id: m.school_id,
            school_code: None,
            school_name: None,
            subject: m.subject,
            link: m.link,
            params: serde_json::from_str(&m.params).unwrap_or_default(),
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

impl Notices<'_> {
    /// The signed-in user's own notifications; nobody reads another's inbox.
    pub async fn list(&self, f: &InboxFilter) -> Result<Inbox> {
        self.permit()?;
        let me = self.actor.user_id;
        let mut q = notification::Entity::find().filter(notification::Column::UserId.eq(me));
        if f.unread == Some(true) {
            q = q.filter(notification::Column::ReadAt.is_null());
        }
        let per_page = f.per_page.or(f.limit.map(|l| l.clamp(1, 200)));
        let paging = super::views::Paging::new(f.page, per_page, 50)?;
        let total = q.clone().read_count(&self.read).await?;
        let mut items: Vec<Notification> = match paging.offset_within(total) {
            Some(offset) => q
                .order_by_desc(notification::Column::Id)
                .offset(offset)
                .limit(paging.per_page)
                .read_all(&self.read)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
            None => Vec::new(),
        };
        self.name_schools(&mut items).await?;
        Ok(Inbox {
            unread: unread_count(&self.conn, me).await?,
            total,
            items,
        })
    }

    /// Fills in the code and name of each notification's school (one read for the page).
    async fn name_schools(&self, items: &mut [Notification]) -> Result<()> {
        let ids: std::collections::BTreeSet<OrgId> =
            items.iter().filter_map(|n| n.school_id).collect();
        if ids.is_empty() {
            return Ok(());
        }
        let names: std::collections::HashMap<OrgId, (String, String)> = org::Entity::find()
            .filter(org::Column::Id.is_in(ids))
            .read_all(&self.read)
            .await?
            .into_iter()
            .map(|o| (o.id, (o.code, o.name)))
            .collect();
        for n in items.iter_mut() {
            if let Some((code, name)) = n.school_id.and_then(|s| names.get(&s)) {
                n.school_code = Some(code.clone());
                n.school_name = Some(name.clone());
            }
        }
        Ok(())
    }

    /// Marks the user's own notifications as read (ids of others' are ignored); returns how
    /// many changed.
    pub async fn mark_read(&self, m: &MarkRead) -> Result<u64> {
        self.permit()?;
        if !m.all && m.ids.is_empty() {
            return Err(Error::field("ids", "err.required"));
        }
        let mut q = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
            .filter(notification::Column::UserId.eq(self.actor.user_id))
            .filter(notification::Column::ReadAt.is_null());
        if !m.all {
            q = q.filter(notification::Column::Id.is_in(m.ids.iter().copied()));
        }
        Ok(q.exec(&self.conn).await?.rows_affected)
    }
}
