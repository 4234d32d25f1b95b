//! Writing a value into every free-text column of one school's rows, straight into the
//! database (as the tables' owner): the canary (T-AC-4) plants a marker, the XSS suite
//! (T-IN-2) its payloads. Tables are found in the catalogue, so a new module's tables are
//! covered without code here.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// Column names that hold free text people typed (the values a leak would show).
pub fn free_text(column: &str) -> bool {
    const WORDS: [&str; 18] = [
        "name",
        "title",
        "description",
        "note",
        "detail",
        "address",
        "remark",
        "content",
        "summary",
        "location",
        "reason",
        "comment",
        "measure",
        "message",
        "topic",
        "subject",
        "opinion",
        "plate",
    ];
    const NOT: [&str; 6] = ["username", "code", "hash", "path", "mime", "json"];
    WORDS.iter().any(|w| column.contains(w)) && !NOT.iter().any(|w| column.contains(w))
}

async fn rows(conn: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// (table, column, is text) of every table.
pub async fn columns(conn: &DatabaseConnection) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    if conn.get_database_backend() == DbBackend::Postgres {
        for r in rows(
            conn,
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .await
        {
            let d: String = r.try_get("", "d").unwrap();
            out.push((
                r.try_get("", "t").unwrap(),
                r.try_get("", "c").unwrap(),
                d == "text" || d == "character varying",
            ));
        }
    } else {
        let tables = rows(
            conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .await;
        for t in tables {
            let t: String = t.try_get("", "name").unwrap();
            for c in rows(conn, &format!("PRAGMA table_info({t})")).await {
                let ty: String = c.try_get("", "type").unwrap_or_default();
                let ty = ty.to_lowercase();
                out.push((
                    t.clone(),
                    c.try_get("", "name").unwrap(),
                    ty.contains("text") || ty.contains("char"),
                ));
            }
        }
    }
    out
}

/// Sets every non-empty free-text column of `school`'s rows (its org row, and every table
/// with its `school_id` or `org_id`) to the SQL expression `value` (which may use the row's
/// `id` to stay unique); answers the `table.column`s that took it.
pub async fn plant(conn: &DatabaseConnection, school: i64, value: &str) -> Vec<String> {
    let cols = columns(conn).await;
    let mut tables: Vec<&str> = cols.iter().map(|(t, _, _)| t.as_str()).collect();
    tables.sort();
    tables.dedup();
    let mut planted = Vec::new();
    for t in tables {
        let has = |c: &str| cols.iter().any(|(tt, cc, _)| tt == t && cc == c);
        if !has("id") {
            continue;
        }
        let owner = if t == "orgs" {
            format!("id = {school}")
        } else if has("school_id") {
            format!("school_id = {school}")
        } else if has("org_id") {
            format!("org_id = {school}")
        } else {
            continue;
        };
        for (_, c, text) in cols.iter().filter(|(tt, _, _)| tt == t) {
            if !text || !free_text(c) {
                continue;
            }
            let sql = format!(
                "UPDATE {t} SET {c} = {value} WHERE {owner} AND {c} IS NOT NULL AND {c} <> ''"
            );
            match conn.execute_unprepared(&sql).await {
                Ok(r) if r.rows_affected() > 0 => planted.push(format!("{t}.{c}")),
                Ok(_) => {}
                Err(e) => eprintln!("not planted in {t}.{c}: {e}"),
            }
        }
    }
    planted
}
