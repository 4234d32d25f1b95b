//! Responsibility and organisation (items 1 and 2 of the work plan): responsibility letters
//! and their signatures, and the leading groups of the bureaus and schools.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

fn to_orgs(table: &str, col: &str) -> ForeignKeyCreateStatement {
    fk(
        a(table),
        a(col),
        a("orgs"),
        a("id"),
        ForeignKeyAction::Restrict,
    )
}

fn stamp(t: &mut TableCreateStatement, who: &str, when: &str) {
    t.col(big_integer_null(a(&format!("{who}_by"))))
        .col(string(a(&format!("{who}_by_name"))).default(""))
        .col(timestamp_with_time_zone(a(when)));
}

async fn unique(m: &SchemaManager<'_>, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("ux_{table}")).table(a(table)).unique();
    for c in cols {
        i.col(a(c));
    }
    m.create_index(i).await
}

async fn index(m: &SchemaManager<'_>, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("idx_{table}_{}", cols.join("_")))
        .table(a(table));
    for c in cols {
        i.col(a(c));
    }
    m.create_index(i).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut letters = Table::create();
        letters
            .table(a("responsibility_letters"))
            .col(big_pk_auto(a("id")))
            // The issuer: a district (to its schools) or a school (to its posts).
            .col(big_integer(a("org_id")))
            .col(string(a("level")))
            .col(integer(a("year")))
            .col(string(a("title")))
            .col(text(a("body")))
            // A post letter's signatories: people of the school, a JSON array of ids.
            .col(text(a("person_ids")).default("[]"))
            .foreign_key(&mut to_orgs("responsibility_letters", "org_id"));
        stamp(&mut letters, "created", "created_at");
        m.create_table(letters).await?;
        index(m, "responsibility_letters", &["org_id", "year"]).await?;
        let mut sigs = Table::create();
        sigs.table(a("responsibility_signatures"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("letter_id")))
            .col(big_integer(a("school_id")))
            // The person of a post letter; 0 for a school's (its principal's) signature.
            .col(big_integer(a("person_id")).default(0))
            .col(string(a("method")))
            .col(big_integer_null(a("file_id")))
            .foreign_key(&mut fk(
                a("responsibility_signatures"),
                a("letter_id"),
                a("responsibility_letters"),
                a("id"),
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut to_orgs("responsibility_signatures", "school_id"));
        stamp(&mut sigs, "signed", "signed_at");
        m.create_table(sigs).await?;
        unique(
            m,
            "responsibility_signatures",
            &["letter_id", "school_id", "person_id"],
        )
        .await?;
        let mut groups = Table::create();
        groups
            .table(a("leading_groups"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("org_id")))
            // Leader, deputies and members with their duties: a JSON array.
            .col(text(a("members")).default("[]"))
            .col(big_integer_null(a("safety_director_person_id")))
            .col(string(a("safety_director_name")).default(""))
            .col(string(a("legal_vp_name")).default(""))
            .col(string(a("legal_vp_unit")).default(""))
            .col(string(a("legal_vp_phone")).default(""))
            .col(integer(a("version")).default(1))
            .foreign_key(&mut to_orgs("leading_groups", "org_id"));
        stamp(&mut groups, "updated", "updated_at");
        m.create_table(groups).await?;
        unique(m, "leading_groups", &["org_id"]).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the responsibility migration cannot be reverted; restore a backup instead".into(),
        ))
    }
}
