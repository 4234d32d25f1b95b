//! The read path reads what sqlx wrote, the same on both of its paths, and binds values so that
//! comparisons in `WHERE` agree with the stored text.

use super::*;
use chrono::TimeZone;
use sea_orm::Database;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};

async fn fixture() -> (tempdir_path::Dir, DatabaseConnection, String) {
    let dir = tempdir_path::Dir::new();
    let url = format!("sqlite://{}?mode=rwc", dir.path.join("r.db").display());
    let conn = Database::connect(&url).await.expect("connect");
    conn.execute_unprepared("PRAGMA journal_mode=WAL")
        .await
        .expect("wal");
    conn.execute_unprepared(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, \
         ok BOOLEAN NOT NULL, day DATE NOT NULL, at TIMESTAMP NOT NULL)",
    )
    .await
    .expect("create");
    let t0 =
        Utc.with_ymd_and_hms(2026, 12, 2, 4, 5, 6).unwrap() + chrono::Duration::microseconds(789);
    for i in 1..=3i64 {
        let q = Query::insert()
            .into_table(Alias::new("t"))
            .columns(["id", "name", "note", "ok", "day", "at"].map(Alias::new))
            .values_panic([
                i.into(),
                format!("名称 {i}").into(),
                (if i == 2 { None } else { Some(format!("n{i}")) }).into(),
                (i % 2 == 1).into(),
                NaiveDate::from_ymd_opt(2026, 12, i as u32).unwrap().into(),
                (t0 + chrono::Duration::hours(i)).into(),
            ])
            .to_owned();
        conn.execute(&q).await.expect("insert");
    }
    (dir, conn, url)
}

type Line = (i64, String, Option<String>, bool, NaiveDate, DateTime<Utc>);

fn select_after(at: DateTime<Utc>, day: NaiveDate) -> SelectStatement {
    Query::select()
        .columns(["id", "name", "note", "ok", "day", "at"].map(Alias::new))
        .from(Alias::new("t"))
        .and_where(Expr::col(Alias::new("at")).gt(at))
        .and_where(Expr::col(Alias::new("day")).gte(day))
        .order_by(Alias::new("id"), Order::Asc)
        .to_owned()
}

#[tokio::test]
async fn both_paths_read_what_sqlx_wrote_and_compare_bound_values_alike() {
    let (_dir, conn, url) = fixture().await;
    let fast = Reader::new(&url, conn.clone());
    assert_eq!(fast.path(), "rusqlite");
    let orm = Reader {
        inner: Inner::Orm(crate::storage::rls::Conn::unscoped(conn.clone())),
    };
    let t1 =
        Utc.with_ymd_and_hms(2026, 12, 2, 5, 5, 6).unwrap() + chrono::Duration::microseconds(789);
    let q = select_after(t1, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    let a: Vec<Line> = fast.all(&q).await.expect("rusqlite");
    let b: Vec<Line> = orm.all(&q).await.expect("seaorm");
    assert_eq!(a, b);
    // Strictly after the first row's instant: rows 2 and 3, with row 2's NULL note.
    assert_eq!(a.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(a[0].2, None);
    assert_eq!(a[0].1, "名称 2");
    assert!(!a[0].3 && a[1].3);
    assert_eq!(a[1].5, t1 + chrono::Duration::hours(2));
    // The raw text sqlx stored is what the binder sends.
    let stored: Option<(String,)> = fast
        .one(
            &Query::select()
                .column(Alias::new("at"))
                .from(Alias::new("t"))
                .and_where(Expr::col(Alias::new("id")).eq(1))
                .to_owned(),
        )
        .await
        .expect("text");
    // Row 1 was written at t0 + 1 h, which is t1.
    let sent = bind(vec![Value::from(t1)]).expect("bind");
    assert_eq!(
        Some(rusqlite::types::Value::Text(stored.expect("row").0)),
        sent.into_iter().next()
    );
}

#[tokio::test]
async fn the_reader_never_writes() {
    let (_dir, conn, url) = fixture().await;
    let fast = Reader::new(&url, conn);
    let Inner::Sqlite(pool) = &fast.inner else {
        panic!("a file database takes the rusqlite path");
    };
    let err = pool.with(|c| {
        c.execute("DELETE FROM t", []).map_err(Error::internal)?;
        Ok(())
    });
    assert!(err.is_err(), "query_only refuses writes");
}

#[test]
fn memory_databases_take_the_seaorm_path() {
    assert_eq!(
        sqlite_file("sqlite:///var/lib/sc/a.db?mode=rwc"),
        Some("/var/lib/sc/a.db")
    );
    assert_eq!(sqlite_file("postgres://localhost/sc"), None);
    for url in [
        "sqlite::memory:",
        "sqlite://:memory:",
        "sqlite://file?mode=memory&cache=shared",
    ] {
        assert_eq!(sqlite_file(url), None, "{url}");
    }
}

#[test]
fn values_the_path_cannot_store_are_an_error_not_a_guess() {
    assert!(bind(vec![Value::BigUnsigned(Some(u64::MAX))]).is_err());
    assert_eq!(
        bind(vec![Value::Bool(None)]).unwrap(),
        [rusqlite::types::Value::Null]
    );
}

/// A folder removed when dropped (no extra dependency for one test).
mod tempdir_path {
    pub struct Dir {
        pub path: std::path::PathBuf,
    }
    impl Dir {
        pub fn new() -> Dir {
            static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path =
                std::env::temp_dir().join(format!("safecampus-read-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&path).expect("temp dir");
            Dir { path }
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
