//! Indexes for the read paths found slow under load: the risk roll-up (`/risk`,
//! `GET /api/v1/risk-summary`) groups a district's active points by school and current grade
//! and counts those due for review; with the covering index the database reads the index in
//! its order instead of every point row and a temporary B-tree for the grouping.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RiskPoints {
    Table,
    SchoolId,
    Status,
    CurrentGrade,
    NextReviewOn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_risk_points_rollup")
                .table(RiskPoints::Table)
                .col(RiskPoints::SchoolId)
                .col(RiskPoints::Status)
                .col(RiskPoints::CurrentGrade)
                .col(RiskPoints::NextReviewOn)
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_risk_points_rollup")
                .table(RiskPoints::Table)
                .to_owned(),
        )
        .await
    }
}
