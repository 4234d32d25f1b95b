//! The data version (`storage::data_version`): the rows its triggers raise. The triggers
//! themselves are installed after every migration run, so they cover tables added later.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    V,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DataVersion::Table)
                .col(
                    ColumnDef::new(DataVersion::Id)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(DataVersion::V)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        let mut rows = Query::insert();
        rows.into_table(DataVersion::Table)
            .columns([DataVersion::Id, DataVersion::V]);
        for id in 0..crate::storage::data_version::SHARDS {
            rows.values_panic([id.into(), 0i64.into()]);
        }
        m.exec_stmt(rows).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DataVersion::Table).to_owned())
            .await
    }
}
