//! The in-app inbox: notifications for assignments, reminders, overdue hazards, acceptance and
//! refusal. A notification is written in the transaction of the change that causes it, once per
//! user and reason (`dedupe_key`), so jobs may run again without sending twice.

use super::entity::{notification, org, user};
use crate::domain::Code;
use crate::domain::ids::{HazardId, OrgId, UserId};
use crate::domain::role::Role;
use crate::error::Result;
use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QuerySelect};

/// What a notification is about; its label is `inbox.kind.<code>`.
pub const KINDS: &[&str] = &[
    "assigned",
    "reminder",
    "overdue",
    "escalated",
    "submitted",
    "accepted",
    "rejected",
    "extension_requested",
    "extension_decided",
    "closed",
    "reopened",
    "campaign",
    "cross_assigned",
];

/// One notification to write.
pub struct Note<'a> {
    /// One of [`KINDS`].
    pub kind: &'static str,
    pub hazard: Option<HazardId>,
    pub school: Option<OrgId>,
    /// What it is about, as the reader knows it (a hazard's title, a campaign's name).
    pub subject: &'a str,
    /// Where to go (a page path).
    pub link: String,
    /// Values for the message (e.g. `{"days": 3}`).
    pub params: serde_json::Value,
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
            kind: Set(note.kind.to_string()),
            hazard_id: Set(note.hazard),
            school_id: Set(note.school),
            subject: Set(note.subject.chars().take(200).collect()),
            params: Set(note.params.to_string()),
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

async fn active_users(
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
    active_users(conn, school, &[Role::Principal, Role::SafetyDirector]).await
}

/// The safety section of the school's district (bureau officers).
pub(super) async fn bureau_officers(
    conn: &impl ConnectionTrait,
    school: OrgId,
) -> Result<Vec<UserId>> {
    let Some(s) = org::Entity::find_by_id(school).one(conn).await? else {
        return Ok(Vec::new());
    };
    let Some(district) = s.parent_id else {
        return Ok(Vec::new());
    };
    active_users(conn, district, &[Role::BureauOfficer]).await
}
