//! Indexes of the hazards keyed by school first, so that what one school's pages read does
//! not grow with the city: a school's list, newest first, is a range of (`school_id`, `id`)
//! read backwards (without it a planner walks every hazard of the city by id and keeps the
//! school's); a node's hazards due this week (`deadline`), reported (`reported_at`) or closed
//! (`status`, `closed_at`) within the home chart's weeks are a range of each of its schools
//! (the indexes of m0021, by day only, read the whole city's weeks for one school, and
//! `idx_hazards_school_status` every hazard of the node's schools).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Hazards {
    Table,
    Id,
    SchoolId,
    Status,
    Deadline,
    ReportedAt,
    ClosedAt,
}

const NEWEST: &str = "idx_hazards_school_id";
const DEADLINE: &str = "idx_hazards_school_deadline";
const REPORTED: &str = "idx_hazards_school_reported_at";
const CLOSED: &str = "idx_hazards_school_status_closed_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let indexes: [(&str, Vec<Hazards>); 4] = [
            (NEWEST, vec![Hazards::SchoolId, Hazards::Id]),
            (DEADLINE, vec![Hazards::SchoolId, Hazards::Deadline]),
            (REPORTED, vec![Hazards::SchoolId, Hazards::ReportedAt]),
            (
                CLOSED,
                vec![Hazards::SchoolId, Hazards::Status, Hazards::ClosedAt],
            ),
        ];
        for (name, cols) in indexes {
            let mut i = Index::create();
            i.name(name).table(Hazards::Table);
            for c in cols {
                i.col(c);
            }
            m.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [CLOSED, REPORTED, DEADLINE, NEWEST] {
            m.drop_index(Index::drop().name(name).table(Hazards::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
