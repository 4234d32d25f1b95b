use crate::domain::ids::{MeetingId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: MeetingId,
    pub org_id: OrgId,
    pub kind: String,
    pub held_on: Date,
    pub title: String,
    pub attendees: String,
    pub agenda: String,
    pub minutes: String,
    pub decisions: String,
    pub created_by: Option<UserId>,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
