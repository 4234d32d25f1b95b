//! Migration `m0027_device_equipment` on a database that held devices before the security
//! register knew of them: a database migrated to just before it, with cameras, alarm buttons
//! and access gates (and devices of other kinds) at two schools and no register entries, then
//! migrated forward by the application: each camera, alarm button and access gate is an entry
//! of the register kind of its device kind at its own school (an alarm not yet known to be
//! linked to the police), one entry per device; a device of any other kind is none. On SQLite
//! and PostgreSQL (`SAFECAMPUS_TEST_DB`).

mod common;

use chrono::{TimeZone, Utc};
use common::{backend, pg_admin, pg_url, tempdir};
use safecampus::storage::Db;
use safecampus::storage::migration::Migrator;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use sea_orm_migration::prelude::MigratorTrait as _;

/// A fresh database, dropped (PostgreSQL) or removed (SQLite) afterwards.
struct Fresh {
    url: String,
    pg: Option<(String, String)>,
    _dir: Option<tempdir::Dir>,
}

impl Fresh {
    async fn new() -> Fresh {
        if backend() == "postgres" {
            let admin = pg_admin();
            let name = common::pg_create("sc_m0027").await;
            Fresh {
                url: pg_url(&admin, &name),
                pg: Some((admin, name)),
                _dir: None,
            }
        } else {
            let dir = tempdir::Dir::new();
            Fresh {
                url: format!("sqlite://{}?mode=rwc", dir.0.join("m0027.db").display()),
                pg: None,
                _dir: Some(dir),
            }
        }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(c) = Database::connect(&admin).await {
                        c.execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        ))
                        .await
                        .ok();
                    }
                });
            })
            .join()
            .ok();
        }
    }
}

fn a(s: &str) -> Alias {
    Alias::new(s)
}

async fn insert(
    conn: &DatabaseConnection,
    table: &str,
    cols: &[&str],
    values: Vec<sea_orm::Value>,
) {
    let at = Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).unwrap();
    let mut q = Query::insert();
    q.into_table(a(table)).columns(
        cols.iter()
            .map(|c| a(c))
            .chain([a("created_at"), a("updated_at")]),
    );
    let mut row: Vec<sea_orm::sea_query::SimpleExpr> = values.into_iter().map(Into::into).collect();
    row.push(at.into());
    row.push(at.into());
    q.values_panic(row);
    let backend = conn.get_database_backend();
    conn.execute_raw(backend.build(&q))
        .await
        .unwrap_or_else(|e| panic!("insert into {table}: {e}"));
}

/// An org node: (id, parent, path, level, code).
async fn org(conn: &DatabaseConnection, id: i64, parent: Option<i64>, path: &str, level: &str) {
    let code = format!("M{id}");
    insert(
        conn,
        "orgs",
        &["id", "parent_id", "path", "level", "code", "name"],
        vec![
            id.into(),
            parent.into(),
            path.into(),
            level.into(),
            code.clone().into(),
            format!("测试单位{code}").into(),
        ],
    )
    .await;
}

async fn device(conn: &DatabaseConnection, id: i64, school: i64, kind: &str, name: &str) {
    insert(
        conn,
        "devices",
        &["id", "school_id", "code", "kind", "name"],
        vec![
            id.into(),
            school.into(),
            format!("D-{id}").into(),
            kind.into(),
            name.into(),
        ],
    )
    .await;
}

#[tokio::test]
async fn devices_before_m0027_become_entries_of_their_schools_register() {
    let db = Fresh::new().await;
    let conn = Database::connect(&db.url).await.expect("connect");
    // Every migration before m0027, and no further.
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m0027_device_equipment")
        .expect("m0027 is a migration");
    Migrator::up(&conn, Some(before as u32))
        .await
        .expect("migrate to just before m0027");
    assert_eq!(
        Migrator::get_applied_migrations(&conn)
            .await
            .expect("applied")
            .len(),
        before
    );

    // A city, a district, two schools; their devices, and no register entries.
    org(&conn, 9001, None, "/9001/", "city").await;
    org(&conn, 9002, Some(9001), "/9001/9002/", "district").await;
    org(&conn, 9003, Some(9002), "/9001/9002/9003/", "school").await;
    org(&conn, 9004, Some(9002), "/9001/9002/9004/", "school").await;
    let devices: &[(i64, i64, &str, &str)] = &[
        (1, 9003, "camera", "校门摄像机"),
        (2, 9003, "alarm_button", "门卫室一键报警"),
        (3, 9003, "access_gate", "校门门禁闸机"),
        (4, 9003, "smoke", "教学楼感烟探测器"),
        (5, 9003, "gas", "食堂可燃气体探测器"),
        (6, 9004, "camera", "操场摄像机"),
        (7, 9004, "camera", "北门摄像机"),
        (8, 9004, "water_level", "水池水位监测仪"),
    ];
    for (id, school, kind, name) in devices {
        device(&conn, *id, *school, kind, name).await;
    }
    let backend = conn.get_database_backend();
    let count = |sql: &'static str| {
        let conn = &conn;
        async move {
            conn.query_one_raw(Statement::from_string(backend, sql))
                .await
                .expect("count")
                .expect("a row")
                .try_get_by_index::<i64>(0)
                .expect("a number")
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM security_equipment").await, 0);
    conn.close().await.ok();

    // Forward, as the application migrates.
    let app_db = Db::connect(&db.url).await.expect("connect");
    app_db.migrate().await.expect("migrate forward");
    drop(app_db);

    let conn = Database::connect(&db.url).await.expect("connect");
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT d.id, d.school_id, d.kind, d.name, d.equipment_id, \
                    e.school_id AS e_school, e.kind AS e_kind, e.name AS e_name, \
                    e.working, e.linked_police, e.retired \
             FROM devices d LEFT JOIN security_equipment e ON e.id = d.equipment_id \
             ORDER BY d.id",
        ))
        .await
        .expect("devices");
    assert_eq!(rows.len(), devices.len());
    let mut entries = std::collections::HashSet::new();
    for (r, (id, school, kind, name)) in rows.iter().zip(devices) {
        assert_eq!(r.try_get::<i64>("", "id").unwrap(), *id);
        let equipment: Option<i64> = r.try_get("", "equipment_id").unwrap();
        let want = match *kind {
            "camera" => Some("camera"),
            "alarm_button" => Some("one_key_alarm"),
            "access_gate" => Some("access_control"),
            _ => None,
        };
        let Some(want) = want else {
            assert_eq!(equipment, None, "{kind} is no security equipment");
            continue;
        };
        let e = equipment.unwrap_or_else(|| panic!("device {id} ({kind}) has an entry"));
        assert!(entries.insert(e), "one entry per device");
        assert_eq!(r.try_get::<i64>("", "e_school").unwrap(), *school);
        assert_eq!(r.try_get::<String>("", "e_kind").unwrap(), want);
        assert_eq!(r.try_get::<String>("", "e_name").unwrap(), *name);
        assert!(r.try_get::<bool>("", "working").unwrap());
        assert!(!r.try_get::<bool>("", "retired").unwrap());
        let linked: Option<bool> = r.try_get("", "linked_police").unwrap();
        if want == "one_key_alarm" {
            assert_eq!(linked, Some(false), "not known to be linked to the police");
        } else {
            assert_eq!(linked, None);
        }
    }
    assert_eq!(entries.len(), 5);
    // No entry beside the devices' own.
    let all = conn
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) FROM security_equipment",
        ))
        .await
        .expect("count")
        .expect("a row")
        .try_get_by_index::<i64>(0)
        .expect("a number");
    assert_eq!(all, 5);
    assert!(
        Migrator::get_pending_migrations(&conn)
            .await
            .expect("pending")
            .is_empty()
    );
    conn.close().await.ok();
}
