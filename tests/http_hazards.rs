mod common;
use common::{expect, fields, msg};

// The hazard closed loop over HTTP (排查 → 整改 → 销号): report, assess, fix on the spot or
// issue a notice with all of 五落实, start, submit with after-photos, accept or reject by
// someone else, close with a 销号 number; extensions; reopening by the bureau; the rules'
// refusals (409 impossible step, 403 wrong person with the reason, 422 naming the field);
// scope; the overdue filter; the version guard; the stored history replaying to the stored
// state; notifications; the .xlsx ledgers; the printable notice.
//
// Photos are file rows written straight into the test database (the upload route belongs to
// the files part), and an overdue hazard is made by moving a notice's deadline into the past
// in the database: the rules never accept a past deadline.

use axum::http::{Method, StatusCode};
use common::{Resp, TestApp};
use safecampus::domain::hazard::{Hazard, HistoryEvent, replay};
use safecampus::xlsx::{Limits, read_first_sheet};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value as DbValue};
use serde_json::{Value, json};

/// A multipart page form with text fields and `photos` tiny PNG files.
fn multipart(fields: &[(&str, &str)], photos: usize) -> (String, Vec<u8>) {
    use image::ImageEncoder;
    let b = "----hazard-form-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for i in 0..photos {
        let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 60, 10]));
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 4, 4, image::ExtendedColorType::Rgb8)
            .expect("png");
        body.extend_from_slice(
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"p{i}.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&png);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn in_days(n: i64) -> String {
    (today() + chrono::Duration::days(n)).to_string()
}

/// A direct connection to the test database, for what the API does not offer.
struct Raw(DatabaseConnection);

impl Raw {
    async fn new(app: &TestApp) -> Raw {
        Raw(sea_orm::Database::connect(&app.owner_url())
            .await
            .expect("connect"))
    }

    fn stmt(&self, sql: &str, values: Vec<DbValue>) -> Statement {
        let backend = self.0.get_database_backend();
        let mut sql = sql.to_string();
        if backend == DbBackend::Postgres {
            let mut n = 0;
            sql = sql
                .split('?')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_string()
                    } else {
                        n += 1;
                        format!("${n}{part}")
                    }
                })
                .collect();
        }
        Statement::from_sql_and_values(backend, sql, values)
    }

    async fn int(&self, sql: &str, values: Vec<DbValue>) -> i64 {
        let row = self
            .0
            .query_one_raw(self.stmt(sql, values))
            .await
            .expect("query")
            .expect("a row");
        row.try_get_by_index::<i64>(0).expect("an integer")
    }

    async fn text(&self, sql: &str, values: Vec<DbValue>) -> String {
        let row = self
            .0
            .query_one_raw(self.stmt(sql, values))
            .await
            .expect("query")
            .expect("a row");
        row.try_get_by_index::<String>(0).expect("text")
    }

    async fn texts(&self, sql: &str, values: Vec<DbValue>) -> Vec<String> {
        self.0
            .query_all_raw(self.stmt(sql, values))
            .await
            .expect("query")
            .into_iter()
            .map(|r| r.try_get_by_index::<String>(0).expect("text"))
            .collect()
    }

    async fn exec(&self, sql: &str, values: Vec<DbValue>) {
        self.0
            .execute_raw(self.stmt(sql, values))
            .await
            .expect("exec");
    }

    async fn user_id(&self, username: &str) -> i64 {
        self.int(
            "SELECT id FROM users WHERE username = ?",
            vec![username.into()],
        )
        .await
    }

    /// A photo (file row) of a school, as an upload would leave it.
    async fn photo(&self, school: i64) -> i64 {
        let created = if self.0.get_database_backend() == DbBackend::Postgres {
            "now()"
        } else {
            "'2026-01-01T00:00:00+00:00'"
        };
        self.int(
            &format!(
                "INSERT INTO files (school_id, kind, mime, name, size, sha256, has_thumb, \
                 uploaded_by_name, created_at) VALUES (?, 'image', 'image/jpeg', 'p.jpg', 10, \
                 'x', true, 't', {created}) RETURNING id"
            ),
            vec![school.into()],
        )
        .await
    }

    /// The stored state and the stored history of a hazard.
    async fn stored(&self, id: i64) -> (Hazard, Vec<HistoryEvent>) {
        let state = self
            .text("SELECT state FROM hazards WHERE id = ?", vec![id.into()])
            .await;
        let events = self
            .texts(
                "SELECT event FROM hazard_events WHERE hazard_id = ? ORDER BY seq",
                vec![id.into()],
            )
            .await;
        (
            serde_json::from_str(&state).expect("state"),
            events
                .iter()
                .map(|e| serde_json::from_str(e).expect("event"))
                .collect(),
        )
    }

    /// Moves a hazard's deadline (column and state) to `day`, which the rules never accept in
    /// the past: how a test makes a hazard overdue.
    async fn move_deadline(&self, id: i64, day: chrono::NaiveDate) {
        let (mut state, _) = self.stored(id).await;
        state.deadline = Some(day);
        let state = serde_json::to_string(&state).unwrap();
        self.exec(
            "UPDATE hazards SET deadline = ?, state = ? WHERE id = ?",
            vec![day.into(), state.into(), id.into()],
        )
        .await;
    }

    async fn assert_replays(&self, id: i64) {
        let (state, events) = self.stored(id).await;
        assert_eq!(replay(&events).expect("replays"), state, "hazard {id}");
    }

    /// A fingerprint of the hazard tables, down to every row's version and every event.
    async fn hazards_print(&self) -> String {
        let mut out = Vec::new();
        for sql in [
            "SELECT COUNT(*) FROM hazards",
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM hazards",
            "SELECT COUNT(*) FROM hazard_events",
            "SELECT COUNT(*) FROM notifications",
            "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM counters",
        ] {
            out.push(self.int(sql, vec![]).await.to_string());
        }
        let states = self
            .texts("SELECT state FROM hazards ORDER BY id", vec![])
            .await;
        out.extend(states);
        out.join("|")
    }

    async fn notes(&self, id: i64, kind: &str, user: i64) -> i64 {
        self.int(
            "SELECT COUNT(*) FROM notifications WHERE hazard_id = ? AND kind = ? AND user_id = ?",
            vec![id.into(), kind.into(), user.into()],
        )
        .await
    }
}

struct World {
    app: TestApp,
    raw: Raw,
    s001: i64,
    s002: i64,
    n001: i64,
}

async fn world() -> World {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let n001 = app.org_id("N001").await;
    let raw = Raw::new(&app).await;
    World {
        app,
        raw,
        s001,
        s002,
        n001,
    }
}

impl World {
    async fn tok(&mut self, user: &str) -> String {
        self.app.login(user).await
    }

    async fn report(&mut self, user: &str, school: i64, title: &str) -> i64 {
        let t = self.tok(user).await;
        let r = self
            .app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{school}/hazards"),
                Some(&t),
                &json!({"title": title, "description": "东侧楼梯扶手松动", "aspect": "things",
                        "category": "校舍"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let j = r.json();
        assert_eq!(j["status"], "reported");
        assert_eq!(j["school_id"], school);
        j["id"].as_i64().expect("id")
    }

    async fn act(&mut self, user: &str, id: i64, body: Value) -> Resp {
        let t = self.tok(user).await;
        self.app
            .json(
                Method::POST,
                &format!("/api/v1/hazards/{id}/actions"),
                Some(&t),
                &body,
            )
            .await
    }

    async fn ok(&mut self, user: &str, id: i64, body: Value) -> Value {
        let r = self.act(user, id, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{user} {body}: {}", r.text());
        r.json()
    }

    async fn get(&mut self, user: &str, id: i64) -> Value {
        let t = self.tok(user).await;
        let r = self
            .app
            .get(&format!("/api/v1/hazards/{id}"), Some(&t))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }

    async fn notice(&mut self, responsible: &str, deadline: &str) -> Value {
        let uid = self.raw.user_id(responsible).await;
        json!({"action": "issue_notice", "responsible_user_id": uid,
               "measures": "更换楼梯扶手并加固", "funds": {"amount": "1200.50", "source": "学校公用经费"},
               "deadline": deadline, "interim_plan": "设置警示标志，安排专人值守"})
    }

    /// A hazard of S001 taken to `rectifying` with `responsible` in charge.
    async fn rectifying(&mut self, title: &str, level: &str, responsible: &str) -> i64 {
        let id = self.report("s001.guard", self.s001, title).await;
        self.ok(
            "s001.safety",
            id,
            json!({"action": "assess", "level": level, "treatment": "by_deadline"}),
        )
        .await;
        let n = self.notice(responsible, &in_days(10)).await;
        self.ok("s001.safety", id, n).await;
        self.ok(responsible, id, json!({"action": "start"})).await;
        id
    }

    async fn submit(&mut self, user: &str, id: i64) -> Value {
        let p = self.raw.photo(self.s001).await;
        self.ok(
            user,
            id,
            json!({"action": "submit", "note": "已更换扶手", "photo_ids": [p]}),
        )
        .await
    }
}

#[tokio::test]
async fn the_whole_loop_to_a_closure_number() {
    let mut w = world().await;
    let year = today().format("%Y").to_string();
    let id = w.rectifying("楼梯扶手松动", "general", "s001.staff").await;
    let staff = w.raw.user_id("s001.staff").await;
    assert_eq!(w.raw.notes(id, "assigned", staff).await, 1);
    let h = w.get("s001.staff", id).await;
    assert_eq!(h["status"], "rectifying");
    assert_eq!(h["notice"]["measures"], "更换楼梯扶手并加固");
    assert_eq!(h["notice"]["funds"]["amount"], "1200.50");
    assert_eq!(
        h["responsible_name"].as_str().map(|s| !s.is_empty()),
        Some(true)
    );
    assert!(
        h["available_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("submit"))
    );
    // Deferral: the rectifier asks, a manager decides.
    w.ok(
        "s001.staff",
        id,
        json!({"action": "request_extension", "new_deadline": in_days(20), "reason": "材料未到货", "interim_plan": "继续封闭楼梯"}),
    )
    .await;
    let r = w
        .act(
            "s001.staff",
            id,
            json!({"action": "request_extension", "new_deadline": in_days(30), "reason": "再延", "interim_plan": "同上"}),
        )
        .await;
    expect(&r, 409, "conflict");
    let h = w
        .ok("s001.principal", id, json!({"action": "approve_extension"}))
        .await;
    assert_eq!(h["deadline"], in_days(20));
    assert!(h["pending_extension"].is_null());
    assert_eq!(w.raw.notes(id, "extension_decided", staff).await, 1);
    let h = w.submit("s001.staff", id).await;
    assert_eq!(h["status"], "pending_acceptance");
    // Sent back once with a reason, then accepted by someone else and closed.
    let h = w
        .ok(
            "s001.safety",
            id,
            json!({"action": "reject", "reason": "扶手仍有晃动"}),
        )
        .await;
    assert_eq!(h["status"], "rectifying");
    assert_eq!(w.raw.notes(id, "rejected", staff).await, 1);
    w.submit("s001.staff", id).await;
    w.ok("s001.safety", id, json!({"action": "accept"})).await;
    let h = w.ok("s001.principal", id, json!({"action": "close"})).await;
    assert_eq!(h["status"], "closed");
    let number = h["closure_number"].as_str().unwrap().to_string();
    let prefix = format!("XH-S001-{year}-");
    assert!(number.starts_with(&prefix), "{number}");
    let seq: u32 = number[prefix.len()..].parse().expect("a running number");
    assert_eq!(number.len(), prefix.len() + 4.max(seq.to_string().len()));
    assert_eq!(h["overdue"], false);
    assert!(h["closed_at"].is_string());
    assert_eq!(w.raw.notes(id, "closed", staff).await, 1);
    // The history: every step in order, with who, from and to, and the number on the close.
    let hist = h["history"].as_array().unwrap();
    let kinds: Vec<&str> = hist.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "assess",
            "issue_notice",
            "start",
            "request_extension",
            "approve_extension",
            "submit",
            "reject",
            "submit",
            "accept",
            "close"
        ]
    );
    for (i, e) in hist.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        assert!(!e["user_name"].as_str().unwrap().is_empty());
        if i > 0 {
            assert_eq!(e["from"], hist[i - 1]["to"]);
        }
    }
    assert_eq!(hist[0]["from"], "reported");
    assert_eq!(hist[0]["role"], "safety_director");
    assert_eq!(hist[2]["user_id"], staff);
    assert_eq!(hist[6]["action"]["reason"], "扶手仍有晃动");
    assert_eq!(hist[9]["closure_number"], number);
    assert_eq!(hist[9]["to"], "closed");
    w.raw.assert_replays(id).await;
    // Numbers are unique and run on within the school and year.
    let id2 = w.rectifying("灭火器过期", "general", "s001.staff").await;
    w.submit("s001.staff", id2).await;
    w.ok("s001.principal", id2, json!({"action": "accept"}))
        .await;
    let h2 = w
        .ok("s001.principal", id2, json!({"action": "close"}))
        .await;
    assert_eq!(h2["closure_number"], format!("{prefix}{:04}", seq + 1));
    let dupes = w
        .raw
        .int(
            "SELECT COUNT(*) - COUNT(DISTINCT closure_number) FROM hazards WHERE closure_number IS NOT NULL",
            vec![],
        )
        .await;
    assert_eq!(dupes, 0, "closure numbers are unique");
    w.raw.assert_replays(id2).await;
    // Nothing more happens to a closed hazard (except the bureau reopening it).
    for a in ["accept", "close", "start"] {
        let body = match a {
            "accept" => json!({"action": "accept"}),
            "close" => json!({"action": "close"}),
            _ => json!({"action": "start"}),
        };
        let r = w.act("s001.principal", id, body).await;
        expect(&r, 409, "conflict");
    }
    // The audit log has the steps.
    let n = w
        .raw
        .int(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'hazard.step' AND object_id = ?",
            vec![id.to_string().into()],
        )
        .await;
    assert_eq!(n, 10);
}

#[tokio::test]
async fn fix_on_the_spot_and_the_fixer_does_not_close() {
    let mut w = world().await;
    let id = w.report("s001.guard", w.s001, "消防通道堆放杂物").await;
    w.ok(
        "s001.safety",
        id,
        json!({"action": "assess", "level": "general", "treatment": "fix_on_spot"}),
    )
    .await;
    let r = w
        .act(
            "s001.guard",
            id,
            json!({"action": "fix_on_spot", "note": "已清理", "photo_ids": []}),
        )
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), ["photo_ids"]);
    let p = w.raw.photo(w.s001).await;
    let h = w
        .ok(
            "s001.guard",
            id,
            json!({"action": "fix_on_spot", "note": "已清理", "photo_ids": [p]}),
        )
        .await;
    assert_eq!(h["status"], "fixed_on_spot");
    // A guard is no manager.
    let r = w.act("s001.guard", id, json!({"action": "close"})).await;
    let j = expect(&r, 403, "forbidden");
    assert!(msg(&j).contains("校长"), "{j}");
    let h = w.ok("s001.safety", id, json!({"action": "close"})).await;
    assert!(
        h["closure_number"]
            .as_str()
            .unwrap()
            .starts_with("XH-S001-")
    );
    w.raw.assert_replays(id).await;
    // A manager who fixed it on the spot does not close it too.
    let id = w.report("s001.guard", w.s001, "配电箱未上锁").await;
    w.ok(
        "s001.safety",
        id,
        json!({"action": "assess", "level": "general", "treatment": "fix_on_spot"}),
    )
    .await;
    let p = w.raw.photo(w.s001).await;
    w.ok(
        "s001.safety",
        id,
        json!({"action": "fix_on_spot", "note": "已上锁", "photo_ids": [p]}),
    )
    .await;
    let r = w.act("s001.safety", id, json!({"action": "close"})).await;
    let j = expect(&r, 403, "forbidden");
    assert_eq!(msg(&j), "现场整改人不能自己销号。");
    // A major hazard is never fixed on the spot.
    let id = w.report("s001.guard", w.s001, "围墙裂缝").await;
    let r = w
        .act(
            "s001.safety",
            id,
            json!({"action": "assess", "level": "major", "treatment": "fix_on_spot"}),
        )
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), ["treatment"]);
}

#[tokio::test]
async fn impossible_steps_are_refused_with_a_message() {
    let mut w = world().await;
    let id = w.report("s001.staff", w.s001, "教室插座破损").await;
    let p = w.raw.photo(w.s001).await;
    let uid = w.raw.user_id("s001.staff").await;
    let before = w.raw.hazards_print().await;
    let steps = [
        json!({"action": "fix_on_spot", "note": "x", "photo_ids": [p]}),
        json!({"action": "issue_notice", "responsible_user_id": uid, "measures": "m",
               "funds": {"amount": 0, "source": "s"}, "deadline": in_days(3), "interim_plan": "p"}),
        json!({"action": "start"}),
        json!({"action": "submit", "note": "x", "photo_ids": [p]}),
        json!({"action": "accept"}),
        json!({"action": "reject", "reason": "r"}),
        json!({"action": "close"}),
        json!({"action": "request_extension", "new_deadline": in_days(9), "reason": "r", "interim_plan": "p"}),
        json!({"action": "approve_extension"}),
        json!({"action": "refuse_extension", "reason": "r"}),
        json!({"action": "reopen", "reason": "r"}),
    ];
    for s in &steps {
        let r = w.act("s001.principal", id, s.clone()).await;
        let j = expect(&r, 409, "conflict");
        assert!(msg(&j).contains("不能"), "{s}: {j}");
    }
    assert_eq!(
        before,
        w.raw.hazards_print().await,
        "refused steps change nothing"
    );
    // A general hazard by deadline cannot be fixed on the spot (guard), nor a fix-on-spot one
    // get a notice.
    w.ok(
        "s001.safety",
        id,
        json!({"action": "assess", "level": "general", "treatment": "by_deadline"}),
    )
    .await;
    let r = w.act("s001.staff", id, steps[0].clone()).await;
    let j = expect(&r, 409, "conflict");
    assert_eq!(msg(&j), "只有评估为一般隐患且即查即改的隐患才能现场整改。");
    // Unknown fields and unknown actions are refused.
    let r = w
        .act(
            "s001.principal",
            id,
            json!({"action": "close", "closure_number": "XH-1"}),
        )
        .await;
    expect(&r, 422, "invalid");
    let r = w
        .act("s001.principal", id, json!({"action": "explode"}))
        .await;
    expect(&r, 422, "invalid");
    // Cancelling needs a reason; then nothing more.
    let r = w
        .act(
            "s001.principal",
            id,
            json!({"action": "cancel", "reason": " "}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["reason"]);
    w.ok(
        "s001.principal",
        id,
        json!({"action": "cancel", "reason": "误报"}),
    )
    .await;
    let r = w
        .act(
            "s001.principal",
            id,
            json!({"action": "assess", "level": "general", "treatment": "by_deadline"}),
        )
        .await;
    expect(&r, 409, "conflict");
    w.raw.assert_replays(id).await;
}

#[tokio::test]
async fn five_guarantees_and_evidence_are_checked() {
    let mut w = world().await;
    let id = w.report("s001.guard", w.s001, "实验室通风故障").await;
    w.ok(
        "s001.safety",
        id,
        json!({"action": "assess", "level": "general", "treatment": "by_deadline"}),
    )
    .await;
    let full = w.notice("s001.staff", &in_days(7)).await;
    let cases: Vec<(&str, Value)> = vec![
        ("measures", json!({"measures": "  "})),
        ("interim_plan", json!({"interim_plan": ""})),
        (
            "funds.source",
            json!({"funds": {"amount": 100, "source": ""}}),
        ),
        (
            "funds.amount",
            json!({"funds": {"amount": -1, "source": "公用经费"}}),
        ),
        ("deadline", json!({"deadline": in_days(-1)})),
        (
            "responsible_user_id",
            json!({"responsible_user_id": w.raw.user_id("s002.staff").await}),
        ),
        (
            "responsible_user_id",
            json!({"responsible_user_id": 987654}),
        ),
    ];
    for (field, change) in cases {
        let mut body = full.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = w.act("s001.safety", id, body).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), [field], "{j}");
    }
    // A missing part of 五落实 is refused before any step is taken.
    let mut body = full.clone();
    body.as_object_mut().unwrap().remove("funds");
    let r = w.act("s001.safety", id, body).await;
    expect(&r, 422, "invalid");
    assert_eq!(w.get("s001.safety", id).await["status"], "assessed");
    w.ok("s001.safety", id, full).await;
    w.ok("s001.staff", id, json!({"action": "start"})).await;
    // After-photos from another school are refused.
    let other = w.raw.photo(w.s002).await;
    let r = w
        .act(
            "s001.staff",
            id,
            json!({"action": "submit", "note": "已修复", "photo_ids": [other]}),
        )
        .await;
    let j = expect(&r, 422, "invalid");
    assert_eq!(fields(&j), ["photo_ids"]);
    // So are report photos from another school.
    let t = w.tok("s001.guard").await;
    let r = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{}/hazards", w.s001),
            Some(&t),
            &json!({"title": "x", "aspect": "things", "category": "c", "photo_ids": [other]}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["photo_ids"]);
    let r = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{}/hazards", w.s001),
            Some(&t),
            &json!({"title": "", "aspect": "things", "category": ""}),
        )
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["title", "category"]);
    // Photos of its own school are kept on the report.
    let own = w.raw.photo(w.s001).await;
    let r = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{}/hazards", w.s001),
            Some(&t),
            &json!({"title": "窗户护栏缺失", "aspect": "things", "category": "校舍", "photo_ids": [own], "source": "half_month_self_inspection"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["photo_ids"], json!([own]));
    assert_eq!(r.json()["source"], "half_month_self_inspection");
}

#[tokio::test]
async fn four_eyes_bureau_supervision_and_reopening() {
    let mut w = world().await;
    // The rectifier does not accept their own work.
    let id = w
        .rectifying("食堂燃气软管老化", "general", "s001.safety")
        .await;
    w.submit("s001.safety", id).await;
    let r = w.act("s001.safety", id, json!({"action": "accept"})).await;
    let j = expect(&r, 403, "forbidden");
    assert_eq!(msg(&j), "整改人不能验收自己的整改。");
    w.ok("s001.principal", id, json!({"action": "accept"}))
        .await;

    // A major hazard is supervised by the bureau: the school neither accepts nor closes it.
    let id = w.rectifying("教学楼外墙空鼓", "major", "s001.staff").await;
    let h = w.get("bureau.officer", id).await;
    assert_eq!(h["supervised"], true);
    assert_eq!(h["level"], "major");
    let h = w.submit("s001.staff", id).await;
    assert_eq!(h["status"], "pending_acceptance");
    let officer = w.raw.user_id("bureau.officer").await;
    assert_eq!(w.raw.notes(id, "submitted", officer).await, 1);
    for who in ["s001.principal", "s001.safety"] {
        let r = w.act(who, id, json!({"action": "accept"})).await;
        let j = expect(&r, 403, "forbidden");
        assert!(msg(&j).contains("挂牌督办"), "{j}");
    }
    let list = w.tok("bureau.officer").await;
    let r = w
        .app
        .get("/api/v1/hazards?supervised=true", Some(&list))
        .await;
    assert!(
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == id)
    );
    w.ok("bureau.officer", id, json!({"action": "accept"}))
        .await;
    let r = w
        .act("s001.principal", id, json!({"action": "close"}))
        .await;
    expect(&r, 403, "forbidden");
    let h = w
        .ok("bureau.inspector", id, json!({"action": "close"}))
        .await;
    let number = h["closure_number"].as_str().unwrap().to_string();

    // Reopening: only the bureau, same id, history kept.
    let r = w
        .act(
            "s001.principal",
            id,
            json!({"action": "reopen", "reason": "复查发现仍有空鼓"}),
        )
        .await;
    expect(&r, 403, "forbidden");
    let h = w
        .ok(
            "bureau.officer",
            id,
            json!({"action": "reopen", "reason": "复查发现仍有空鼓", "new_deadline": in_days(15)}),
        )
        .await;
    assert_eq!(h["id"], id);
    assert_eq!(h["status"], "rectifying");
    assert!(h["closure_number"].is_null());
    let hist = h["history"].as_array().unwrap();
    assert_eq!(hist.len(), 7);
    assert_eq!(hist[5]["closure_number"], number);
    assert_eq!(hist[6]["kind"], "reopen");
    assert_eq!(hist[6]["role"], "bureau_officer");
    w.raw.assert_replays(id).await;
    // The 销号 ledger keeps the old number, marked as reopened.
    let t = w.tok("bureau.officer").await;
    let r = w.app.get("/api/v1/hazards/closures.xlsx", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    let rows = read_first_sheet(&r.body, &Limits::default()).expect("xlsx");
    let line = rows
        .iter()
        .find(|r| r[0] == number)
        .expect("the number is in the ledger");
    assert_eq!(line[9], "已被重新打开");
    // Closed again under a new number.
    w.submit("s001.staff", id).await;
    w.ok("bureau.officer", id, json!({"action": "accept"}))
        .await;
    let h = w.ok("bureau.officer", id, json!({"action": "close"})).await;
    assert_ne!(h["closure_number"].as_str().unwrap(), number);
    w.raw.assert_replays(id).await;
    // The bureau leader reads but does not act.
    let r = w
        .act(
            "bureau.leader",
            id,
            json!({"action": "reopen", "reason": "x"}),
        )
        .await;
    expect(&r, 403, "forbidden");
    assert!(
        w.get("bureau.leader", id).await["available_actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn out_of_scope_is_not_found_and_changes_nothing() {
    let mut w = world().await;
    let id = w.report("s001.guard", w.s001, "操场围栏破损").await;
    let n = w.report("n001.guard", w.n001, "南关校门道闸故障").await;
    let before = w.app.fingerprint().await;
    let hazards_before = w.raw.hazards_print().await;
    for who in ["n001.principal", "s002.principal", "nanguan.officer"] {
        let t = w.tok(who).await;
        let r = w.app.get(&format!("/api/v1/hazards/{id}"), Some(&t)).await;
        expect(&r, 404, "not_found");
        let r = w
            .act(
                who,
                id,
                json!({"action": "assess", "level": "general", "treatment": "by_deadline"}),
            )
            .await;
        expect(&r, 404, "not_found");
        let r = w
            .app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{}/hazards", w.s001),
                Some(&t),
                &json!({"title": "x", "aspect": "things", "category": "c"}),
            )
            .await;
        expect(&r, 404, "not_found");
        let r = w
            .app
            .get(&format!("/api/v1/schools/{}/hazards", w.s001), Some(&t))
            .await;
        expect(&r, 404, "not_found");
        let r = w.app.get("/api/v1/hazards", Some(&t)).await;
        assert!(
            !r.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == id)
        );
    }
    let t = w.tok("bureau.officer").await;
    let r = w
        .app
        .get(&format!("/api/v1/hazards?org_id={}", w.n001), Some(&t))
        .await;
    expect(&r, 404, "not_found");
    let r = w.app.get("/api/v1/hazards/987654", Some(&t)).await;
    expect(&r, 404, "not_found");
    assert_eq!(before, w.app.fingerprint().await);
    assert_eq!(hazards_before, w.raw.hazards_print().await);
    // The district sees its schools' hazards, the city all.
    let r = w.app.get("/api/v1/hazards", Some(&t)).await.json();
    let ids: Vec<i64> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&id) && !ids.contains(&n));
    let c = w.tok("city.officer").await;
    let all = w.app.get("/api/v1/hazards", Some(&c)).await.json();
    let ed = w.app.org_id("ED").await;
    let ng = w.app.org_id("NG").await;
    let in_ed = w
        .app
        .get(&format!("/api/v1/hazards?org_id={ed}"), Some(&c))
        .await
        .json();
    let in_ng = w
        .app
        .get(&format!("/api/v1/hazards?org_id={ng}"), Some(&c))
        .await
        .json();
    assert_eq!(
        all["total"].as_u64().unwrap(),
        in_ed["total"].as_u64().unwrap() + in_ng["total"].as_u64().unwrap()
    );
    let r = w
        .app
        .get(
            &format!("/api/v1/hazards?org_id={ng}&q=南关校门道闸故障"),
            Some(&c),
        )
        .await
        .json();
    assert_eq!(r["total"], 1);
    assert_eq!(r["items"][0]["id"], n);
    assert!(
        in_ng["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != id)
    );
    let _ = w.s002;
}

#[tokio::test]
async fn overdue_is_derived_and_filtered() {
    let mut w = world().await;
    let late = w
        .rectifying("宿舍消防栓无水", "general", "s001.staff")
        .await;
    let fresh = w
        .rectifying("走廊应急灯损坏", "general", "s001.staff")
        .await;
    // The deadline moved into the past (the rules never accept one).
    let past = today() - chrono::Duration::days(4);
    w.raw.move_deadline(late, past).await;
    let t = w.tok("bureau.officer").await;
    let r = w
        .app
        .get("/api/v1/hazards?overdue=true&q=东侧楼梯扶手松动", Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    let items = j["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{j}");
    assert_eq!(items[0]["id"], late);
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[0]["days_overdue"], 4);
    assert_eq!(j["overdue"], 1);
    let all = w
        .app
        .get(
            "/api/v1/hazards?status=rectifying&q=东侧楼梯扶手松动",
            Some(&t),
        )
        .await
        .json();
    assert_eq!(all["total"], 2);
    assert_eq!(all["overdue"], 1);
    let counts = all["counts"].as_array().unwrap();
    let rect = counts.iter().find(|c| c["status"] == "rectifying").unwrap();
    assert_eq!(rect["count"], 2);
    let h = w.get("s001.principal", fresh).await;
    assert_eq!(h["overdue"], false);
    assert_eq!(h["days_overdue"], 0);
    // Submitted work is still overdue until accepted; accepted stops the clock.
    w.submit("s001.staff", late).await;
    assert_eq!(w.get("s001.principal", late).await["overdue"], true);
    w.ok("s001.principal", late, json!({"action": "accept"}))
        .await;
    let r = w
        .app
        .get("/api/v1/hazards?overdue=true&q=东侧楼梯扶手松动", Some(&t))
        .await
        .json();
    assert_eq!(r["total"], 0);
    // Other filters.
    let r = w
        .app
        .get("/api/v1/hazards?level=major&q=东侧楼梯扶手松动", Some(&t))
        .await
        .json();
    assert_eq!(r["total"], 0);
    let r = w.app.get("/api/v1/hazards?q=应急灯", Some(&t)).await.json();
    assert_eq!(r["total"], 1);
    let r = w.app.get("/api/v1/hazards?status=nonsense", Some(&t)).await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["status"]);
    let r = w.app.get("/api/v1/hazards?bogus=1", Some(&t)).await;
    expect(&r, 422, "invalid");
    let r = w
        .app
        .get(
            &format!(
                "/api/v1/schools/{}/hazards?status=open&q=东侧楼梯扶手松动",
                w.s001
            ),
            Some(&t),
        )
        .await
        .json();
    assert_eq!(r["total"], 2);
}

#[tokio::test]
async fn two_people_acting_at_once_never_both_win() {
    let mut w = world().await;
    for _ in 0..3 {
        let id = w.report("s001.guard", w.s001, "锅炉房门锁损坏").await;
        let a = w.tok("s001.principal").await;
        let b = w.tok("s001.safety").await;
        let body_a = json!({"action": "assess", "level": "general", "treatment": "by_deadline"});
        let body_b = json!({"action": "assess", "level": "major", "treatment": "by_deadline"});
        let path = format!("/api/v1/hazards/{id}/actions");
        let (ra, rb) = tokio::join!(
            w.app.json(Method::POST, &path, Some(&a), &body_a),
            w.app.json(Method::POST, &path, Some(&b), &body_b),
        );
        let mut s = [ra.status.as_u16(), rb.status.as_u16()];
        s.sort();
        assert_eq!(s, [200, 409], "{} / {}", ra.text(), rb.text());
        let (_, events) = w.raw.stored(id).await;
        assert_eq!(events.len(), 1);
        w.raw.assert_replays(id).await;
    }
}

#[tokio::test]
async fn ledgers_export_and_the_notice_prints() {
    let mut w = world().await;
    let id = w
        .rectifying("教学楼楼梯扶手松动", "general", "s001.staff")
        .await;
    w.submit("s001.staff", id).await;
    w.ok("s001.safety", id, json!({"action": "accept"})).await;
    w.ok("s001.safety", id, json!({"action": "close"})).await;
    let open = w
        .rectifying("图书馆灭火器过期", "major", "s001.staff")
        .await;
    let t = w.tok("bureau.officer").await;
    let r = w.app.get("/api/v1/hazards/export.xlsx", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    let all = read_first_sheet(&r.body, &Limits::default()).expect("xlsx");
    let listed = w.app.get("/api/v1/hazards", Some(&t)).await.json();
    assert_eq!(all.len() as u64, listed["total"].as_u64().unwrap() + 1);
    let r = w
        .app
        .get("/api/v1/hazards/export.xlsx?q=东侧楼梯扶手松动", Some(&t))
        .await;
    let rows = read_first_sheet(&r.body, &Limits::default()).expect("xlsx");
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0][0], "编号");
    assert_eq!(rows[1][0], id.to_string());
    assert_eq!(rows[1][12], "已销号");
    assert!(rows[1][15].starts_with("XH-S001-"));
    assert_eq!(rows[2][0], open.to_string());
    assert_eq!(rows[2][8], "重大隐患");
    let r = w
        .app
        .get(
            "/api/v1/hazards/export.xlsx?status=closed&q=东侧楼梯扶手松动",
            Some(&t),
        )
        .await;
    let rows = read_first_sheet(&r.body, &Limits::default()).expect("xlsx");
    assert_eq!(rows.len(), 2);
    let year = today().format("%Y").to_string();
    let r = w
        .app
        .get(
            &format!(
                "/api/v1/hazards/closures.xlsx?year={year}&org_id={}",
                w.s001
            ),
            Some(&t),
        )
        .await;
    let rows = read_first_sheet(&r.body, &Limits::default()).expect("xlsx");
    let number = w.get("s001.safety", id).await["closure_number"]
        .as_str()
        .unwrap()
        .to_string();
    let line = rows.iter().find(|r| r[0] == number).expect("in the ledger");
    assert_eq!(line[1], id.to_string());
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[0].starts_with(&format!("XH-S001-{year}-")))
    );
    let mut numbers: Vec<&String> = rows[1..].iter().map(|r| &r[0]).collect();
    numbers.dedup();
    assert_eq!(numbers.len(), rows.len() - 1, "sorted and unique");
    let r = w
        .app
        .get("/api/v1/hazards/closures.xlsx?year=2001", Some(&t))
        .await;
    let rows = read_first_sheet(&r.body, &Limits::default()).expect("xlsx");
    assert_eq!(rows.len(), 1);
    let _ = (w.s002, w.n001);
}

#[tokio::test]
async fn pages_show_the_loop_and_take_steps() {
    let mut w = world().await;
    let id = w
        .rectifying("宿舍楼疏散指示灯不亮", "major", "s001.staff")
        .await;
    let late = w
        .rectifying("食堂排烟罩油污", "general", "s001.staff")
        .await;
    let past = today() - chrono::Duration::days(2);
    w.raw.move_deadline(late, past).await;
    // The list: counts, overdue in red with its days, supervision marked.
    let t = w.tok("bureau.officer").await;
    let r = w.app.get("/hazards", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("id=\"status-counts\""));
    assert!(html.contains("id=\"org-filter\""));
    let r = w
        .app
        .get(&format!("/hazards?org_id={}", w.n001), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let other = w
        .app
        .get(&format!("/hazards?org_id={}", w.s002), Some(&t))
        .await
        .text();
    assert!(!other.contains("宿舍楼疏散指示灯不亮"));
    assert!(html.contains("宿舍楼疏散指示灯不亮"));
    assert!(html.contains("hz-supervised"));
    assert!(html.contains("class=\"hz-overdue\""));
    assert!(html.contains("逾期 2 天"), "{html}");
    let r = w
        .app
        .get("/hazards?overdue=true&status=&level=&q=", Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(!r.text().contains("宿舍楼疏散指示灯不亮"));
    // The notice prints all five guarantees and the reply slip.
    let r = w.app.get(&format!("/hazards/{id}/notice"), Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for s in [
        "隐患整改通知书",
        "更换楼梯扶手并加固",
        "1200.50",
        "学校公用经费",
        "设置警示标志，安排专人值守",
        &in_days(10),
        "隐患整改回执及复查意见",
        "ZG-S001-",
    ] {
        assert!(html.contains(s), "the notice shows {s}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    // The detail: the timeline, and forms only for the reader's steps.
    let staff = w.tok("s001.staff").await;
    let html = w
        .app
        .get(&format!("/hazards/{id}"), Some(&staff))
        .await
        .text();
    assert!(html.contains("id=\"timeline\""));
    assert!(html.contains("下发整改通知书"));
    assert!(html.contains("id=\"form-submit\""));
    assert!(!html.contains("id=\"form-accept\""));
    assert!(html.contains("id=\"supervised-banner\""));
    let leader = w.tok("bureau.leader").await;
    let html = w
        .app
        .get(&format!("/hazards/{id}"), Some(&leader))
        .await
        .text();
    assert!(!html.contains("id=\"steps\""));
    // Steps through the forms: the after-photo taken with the phone goes with the form
    // (multipart); a refusal comes back on the page with its reason.
    let before = w
        .raw
        .int(
            "SELECT COUNT(*) FROM files WHERE school_id = ?",
            vec![w.s001.into()],
        )
        .await;
    let (ct, body) = multipart(&[("action", "submit"), ("note", "已更换指示灯")], 1);
    let r = w
        .app
        .request(
            Method::POST,
            &format!("/hazards/{id}/actions"),
            Some(&staff),
            Some(&ct),
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let after = w
        .raw
        .int(
            "SELECT COUNT(*) FROM files WHERE school_id = ?",
            vec![w.s001.into()],
        )
        .await;
    assert_eq!(after, before + 1);
    let h = w.get("s001.staff", id).await;
    let last = h["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "submit");
    assert_eq!(last["action"]["photo_ids"].as_array().unwrap().len(), 1);
    // A submit without a photo is refused on the page, naming the field.
    let (ct, body) = multipart(&[("action", "submit"), ("note", "x")], 0);
    let other = w
        .rectifying("走廊灭火器箱损坏", "general", "s001.staff")
        .await;
    let r = w
        .app
        .request(
            Method::POST,
            &format!("/hazards/{other}/actions"),
            Some(&staff),
            Some(&ct),
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请至少上传一张照片"));
    let principal = w.tok("s001.principal").await;
    let r = w
        .app
        .form(
            &format!("/hazards/{id}/actions"),
            Some(&principal),
            &[("action", "accept")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("挂牌督办"));
    let r = w
        .app
        .form(
            &format!("/hazards/{id}/actions"),
            Some(&t),
            &[("action", "accept")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = w
        .app
        .form(
            &format!("/hazards/{id}/actions"),
            Some(&t),
            &[("action", "close")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = w.app.get(&format!("/hazards/{id}"), Some(&t)).await.text();
    assert!(html.contains("id=\"closure-number\""));
    assert!(html.contains("XH-S001-"));
    w.raw.assert_replays(id).await;
    // Reporting through the form, then a notice with a missing part.
    let safety = w.tok("s001.safety").await;
    let html = w.app.get("/hazards", Some(&safety)).await.text();
    assert!(html.contains(&format!("href=\"/schools/{}/hazards/new\"", w.s001)));
    let r = w
        .app
        .get(&format!("/schools/{}/hazards/new", w.s001), Some(&safety))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = w
        .app
        .form(
            &format!("/schools/{}/hazards/new", w.s001),
            Some(&safety),
            &[("title", ""), ("aspect", "things"), ("category", "消防")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .app
        .form(
            &format!("/schools/{}/hazards/new", w.s001),
            Some(&safety),
            &[
                ("title", "消防栓被遮挡"),
                ("aspect", "things"),
                ("category", "消防"),
                ("source", "daily"),
                ("zone_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let new_id: i64 = r
        .header("location")
        .trim_start_matches("/hazards/")
        .parse()
        .unwrap();
    // The same through the phone form, with two photos taken on the spot.
    let (ct, body) = multipart(
        &[
            ("title", "楼道堆放纸箱"),
            ("aspect", "things"),
            ("category", "消防"),
            ("source", "daily"),
            ("zone_id", ""),
            ("risk_point_id", ""),
        ],
        2,
    );
    let r = w
        .app
        .request(
            Method::POST,
            &format!("/schools/{}/hazards/new", w.s001),
            Some(&safety),
            Some(&ct),
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let with_photos: i64 = r
        .header("location")
        .trim_start_matches("/hazards/")
        .parse()
        .unwrap();
    let h = w.get("s001.safety", with_photos).await;
    assert_eq!(h["photo_ids"].as_array().unwrap().len(), 2);
    let html = w
        .app
        .get(&format!("/hazards/{with_photos}"), Some(&safety))
        .await
        .text();
    let thumb = format!("/api/v1/files/{}/thumb", h["photo_ids"][0]);
    assert!(html.contains(&thumb));
    let r = w.app.get(&thumb, Some(&safety)).await;
    assert_eq!(r.status, StatusCode::OK);
    // Photos of another school's form are refused before anything is stored.
    let n001 = w.tok("n001.safety").await;
    let (ct, body) = multipart(
        &[("title", "x"), ("aspect", "things"), ("category", "c")],
        1,
    );
    let r = w
        .app
        .request(
            Method::POST,
            &format!("/schools/{}/hazards/new", w.s001),
            Some(&n001),
            Some(&ct),
            body,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w
        .app
        .form(
            &format!("/hazards/{new_id}/actions"),
            Some(&safety),
            &[
                ("action", "assess"),
                ("level", "general"),
                ("treatment", "by_deadline"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let uid = w.raw.user_id("s001.staff").await.to_string();
    let deadline = in_days(5);
    let r = w
        .app
        .form(
            &format!("/hazards/{new_id}/actions"),
            Some(&safety),
            &[
                ("action", "issue_notice"),
                ("responsible_user_id", &uid),
                ("measures", "移除遮挡物"),
                ("funds_amount", "0"),
                ("funds_source", ""),
                ("deadline", &deadline),
                ("interim_plan", "张贴提示"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("id=\"form-error\""));
    // The ledgers print with their rows.
    let r = w.app.get("/hazards/ledger", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(
        html.contains("隐患台账")
            && html.contains("消防栓被遮挡")
            && html.contains("/api/v1/hazards/export.xlsx")
    );
    let r = w
        .app
        .get(
            &format!(
                "/hazards/ledger?org_id={}&from={}&to={}",
                w.s001,
                in_days(-1),
                in_days(0)
            ),
            Some(&t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = w.app.get("/hazards/closures", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("XH-S001-"));
    let r = w
        .app
        .get(&format!("/hazards/{new_id}/notice"), Some(&t))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn english_pages_and_messages() {
    let mut w = world().await;
    let id = w
        .rectifying("Loose handrail", "general", "s001.staff")
        .await;
    let t = w.tok("s001.principal").await;
    let en = [("accept-language", "en")];
    let r = w
        .app
        .request(Method::GET, "/hazards", Some(&t), None, vec![], &en)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text().contains("<h1>Hazards <span"),
        "the list is titled as its menu entry"
    );
    let r = w
        .app
        .request(
            Method::GET,
            &format!("/hazards/{id}/notice"),
            Some(&t),
            None,
            vec![],
            &en,
        )
        .await;
    assert!(r.text().contains("Hazard rectification notice"));
    let r = w
        .app
        .request(
            Method::POST,
            &format!("/api/v1/hazards/{id}/actions"),
            Some(&t),
            Some("application/json"),
            br#"{"action": "close"}"#.to_vec(),
            &en,
        )
        .await;
    let j = expect(&r, 409, "conflict");
    assert_eq!(
        msg(&j),
        "This step is not possible in the hazard's current status."
    );
    let r = w
        .app
        .request(
            Method::GET,
            "/api/v1/hazards/export.xlsx?q=Loose",
            Some(&t),
            None,
            vec![],
            &en,
        )
        .await;
    let rows = read_first_sheet(&r.body, &Limits::default()).expect("xlsx");
    assert_eq!(rows[0][0], "No.");
    assert_eq!(rows[1][12], "Rectifying");
}

/// The list reads the projections of each hazard's state; the detail reads the state. Over
/// every hazard of the demo (all states, overdue and supervised ones included) they agree.
#[tokio::test]
async fn the_list_and_the_detail_agree_on_every_demo_hazard() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let mut page = 1;
    let mut seen = 0;
    loop {
        let r = app
            .get(
                &format!("/api/v1/hazards?per_page=200&page={page}"),
                Some(&t),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v: Value = r.json();
        let items = v["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        for item in items {
            let id = item["id"].as_i64().unwrap();
            let d: Value = app
                .get(&format!("/api/v1/hazards/{id}"), Some(&t))
                .await
                .json();
            for k in [
                "status",
                "level",
                "treatment",
                "supervised",
                "deadline",
                "overdue",
                "days_overdue",
                "closure_number",
            ] {
                assert_eq!(item[k], d[k], "hazard {id}: {k}");
            }
            seen += 1;
        }
        page += 1;
    }
    assert!(seen > 300, "the demo's hazards: {seen}");
}

/// 督办: a district officer urges the school on about a supervised, overdue hazard of a school
/// in scope. The message goes into the history (the state stays), is audited, and reaches the
/// principal, the safety director and the person responsible in the same transaction, once
/// per urge. A message is 1–500 characters (422), a school's role may not urge (403), another
/// district's officer does not see the hazard (404), a cancelled hazard cannot be urged (409).
#[tokio::test]
async fn the_bureau_urges_a_supervised_overdue_hazard() {
    let mut w = world().await;
    let id = w
        .rectifying("消防通道堆放杂物", "major", "s001.staff")
        .await;
    w.raw
        .move_deadline(id, today() - chrono::Duration::days(3))
        .await;
    let officer = w.tok("bureau.officer").await;
    let path = format!("/api/v1/hazards/{id}/urge");
    let before = w.get("bureau.officer", id).await;
    let (state_before, events_before) = w.raw.stored(id).await;
    assert_eq!(before["supervised"], true);
    assert_eq!(before["overdue"], true);
    assert_eq!(before["may_urge"], true);
    assert_eq!(before["urge_count"], 0);
    let r = w
        .app
        .json(
            Method::POST,
            &path,
            Some(&officer),
            &json!({"message": "请于三日内清理消防通道并上报整改情况"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let h = r.json();
    assert_eq!(h["status"], before["status"], "an urge changes no state");
    assert_eq!(h["urge_count"], 1);
    let last = h["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "urge");
    assert_eq!(last["message"], "请于三日内清理消防通道并上报整改情况");
    assert_eq!(last["role"], "bureau_officer");
    assert_eq!(last["from"], last["to"]);
    assert!(!last["user_name"].as_str().unwrap().is_empty());
    let (state, events) = w.raw.stored(id).await;
    assert_eq!(state, state_before, "the stored state stays");
    assert_eq!(events.len(), events_before.len() + 1);
    let audited = w
        .raw
        .int(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'hazard.urge' AND object_id = ?",
            vec![id.to_string().into()],
        )
        .await;
    assert_eq!(audited, 1);
    let (principal, safety, staff, me) = (
        w.raw.user_id("s001.principal").await,
        w.raw.user_id("s001.safety").await,
        w.raw.user_id("s001.staff").await,
        w.raw.user_id("bureau.officer").await,
    );
    for u in [principal, safety, staff] {
        assert_eq!(w.raw.notes(id, "urged", u).await, 1, "user {u} is told");
    }
    assert_eq!(w.raw.notes(id, "urged", me).await, 0);
    // A second urge is a second notice (one per urge).
    let r = w
        .app
        .json(
            Method::POST,
            &path,
            Some(&officer),
            &json!({"message": "再次督办"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["urge_count"], 2);
    assert_eq!(w.raw.notes(id, "urged", staff).await, 2);
    // The staff member's inbox names the school and the hazard.
    let t = w.tok("s001.staff").await;
    let html = w.app.get("/inbox", Some(&t)).await.text();
    assert!(
        html.contains("S001 长春市二道区春华小学：教育局督办隐患「消防通道堆放杂物」"),
        "{html}"
    );
    assert!(html.contains("再次督办"));

    // Refusals: the message (422), the role (403), the scope (404), a final state (409).
    let print = w.raw.hazards_print().await;
    for body in [
        json!({"message": "  "}),
        json!({"message": "督".repeat(501)}),
        json!({}),
        json!({"message": "x", "extra": 1}),
    ] {
        let r = w.app.json(Method::POST, &path, Some(&officer), &body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
    }
    let r = w
        .app
        .json(
            Method::POST,
            &path,
            Some(&officer),
            &json!({"message": "督".repeat(500)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "500 characters are allowed");
    let print = {
        assert_ne!(print, w.raw.hazards_print().await);
        w.raw.hazards_print().await
    };
    let r = w
        .app
        .json(Method::POST, &path, Some(&officer), &json!({"message": ""}))
        .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), vec!["message"]);
    for user in [
        "s001.principal",
        "s001.safety",
        "s001.staff",
        "bureau.inspector",
    ] {
        let t = w.tok(user).await;
        let r = w
            .app
            .json(Method::POST, &path, Some(&t), &json!({"message": "催办"}))
            .await;
        expect(&r, 403, "forbidden");
    }
    let ng = w.tok("nanguan.officer").await;
    let r = w
        .app
        .json(Method::POST, &path, Some(&ng), &json!({"message": "催办"}))
        .await;
    expect(&r, 404, "not_found");
    assert_eq!(print, w.raw.hazards_print().await, "refusals write nothing");
    let cancelled = w.report("s001.guard", w.s001, "误报的隐患").await;
    w.ok(
        "s001.safety",
        cancelled,
        json!({"action": "cancel", "reason": "不构成隐患"}),
    )
    .await;
    let r = w
        .app
        .json(
            Method::POST,
            &format!("/api/v1/hazards/{cancelled}/urge"),
            Some(&officer),
            &json!({"message": "催办"}),
        )
        .await;
    expect(&r, 409, "conflict");
    assert_eq!(w.get("bureau.officer", cancelled).await["may_urge"], false);
}

/// The page: the bureau officer sees the urge form (with the CSRF token like the step forms)
/// and the count on a supervised hazard; the school does not. The form urges; a blank message
/// comes back on the page naming the field; the timeline shows 督办 with the officer and the
/// message.
#[tokio::test]
async fn the_urge_form_on_the_hazard_page() {
    let mut w = world().await;
    let id = w
        .rectifying("教学楼疏散指示灯损坏", "major", "s001.staff")
        .await;
    let officer = w.tok("bureau.officer").await;
    let html = w
        .app
        .get(&format!("/hazards/{id}"), Some(&officer))
        .await
        .text();
    assert!(html.contains("id=\"form-urge\""), "the officer may urge");
    assert!(html.contains("action=\"/hazards/"));
    let form = &html[html.find("id=\"form-urge\"").unwrap()..];
    assert!(form.contains("name=\"_csrf\""));
    assert!(html.contains("id=\"urge-count\">0<"));
    let principal = w.tok("s001.principal").await;
    let page = w
        .app
        .get(&format!("/hazards/{id}"), Some(&principal))
        .await
        .text();
    assert!(!page.contains("id=\"form-urge\""));
    let r = w
        .app
        .form(
            &format!("/hazards/{id}/urge"),
            Some(&officer),
            &[("message", "请本周内完成整改")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = w
        .app
        .get(&format!("/hazards/{id}"), Some(&officer))
        .await
        .text();
    assert!(html.contains("id=\"urge-count\">1<"));
    let timeline = &html[html.find("id=\"timeline\"").unwrap()..];
    assert!(timeline.contains("<b>督办</b>"), "{timeline}");
    assert!(timeline.contains("请本周内完成整改"));
    w.raw.assert_replays(id).await;
    let r = w
        .app
        .form(
            &format!("/hazards/{id}/urge"),
            Some(&officer),
            &[("message", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("id=\"form-error\""));
    let r = w
        .app
        .form(
            &format!("/hazards/{id}/urge"),
            Some(&principal),
            &[("message", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// A newly reported hazard reaches the school's principal and safety director in the inbox,
/// not the person who reported it.
#[tokio::test]
async fn a_new_report_tells_the_principal_and_the_safety_director() {
    let mut w = world().await;
    let (principal, safety, guard) = (
        w.raw.user_id("s001.principal").await,
        w.raw.user_id("s001.safety").await,
        w.raw.user_id("s001.guard").await,
    );
    let id = w.report("s001.guard", w.s001, "东门栏杆松动").await;
    assert_eq!(w.raw.notes(id, "reported", principal).await, 1);
    assert_eq!(w.raw.notes(id, "reported", safety).await, 1);
    assert_eq!(w.raw.notes(id, "reported", guard).await, 0);
    let id = w.report("s001.principal", w.s001, "西门栏杆松动").await;
    assert_eq!(
        w.raw.notes(id, "reported", principal).await,
        0,
        "not the reporter"
    );
    assert_eq!(w.raw.notes(id, "reported", safety).await, 1);
    let t = w.tok("s001.safety").await;
    let html = w.app.get("/inbox", Some(&t)).await.text();
    assert!(html.contains("S001 长春市二道区春华小学：新上报隐患「西门栏杆松动」"));
}

/// Every demo hazard at a risk point sits in that point's zone, and the showcase's hazards sit
/// where their titles say: a small table of the places words name (宿舍楼应急照明 is not at
/// 教学楼 · 春节期间烟花爆竹燃放 any more).
#[tokio::test]
async fn every_demo_hazard_sits_at_a_fitting_zone_and_point() {
    let w = world().await;
    let misplaced = w
        .raw
        .texts(
            "SELECT h.title FROM hazards h JOIN risk_points p ON p.id = h.risk_point_id \
             WHERE (h.zone_id IS NULL AND p.zone_id IS NOT NULL) \
             OR (h.zone_id IS NOT NULL AND p.zone_id IS NULL) OR h.zone_id <> p.zone_id",
            vec![],
        )
        .await;
    assert!(
        misplaced.is_empty(),
        "hazards away from their point: {misplaced:?}"
    );
    let foreign = w
        .raw
        .int(
            "SELECT COUNT(*) FROM hazards h JOIN zones z ON z.id = h.zone_id \
             WHERE z.school_id <> h.school_id",
            vec![],
        )
        .await;
    assert_eq!(foreign, 0);
    // Words of a title → the zone's name holds one of these.
    const PLACES: &[(&str, &[&str])] = &[
        ("教学楼二层", &["教学楼二层"]),
        ("实验", &["实验", "科学", "教学楼"]),
        ("教学楼", &["教学楼"]),
        ("食堂", &["食堂"]),
        ("围墙", &["围墙"]),
        ("操场", &["操场", "运动场"]),
        ("体育器材室", &["器材"]),
        ("办公楼", &["办公楼"]),
        ("校门", &["门"]),
        ("监控室", &["门卫", "监控"]),
        ("宿舍", &["宿舍", "公寓", "生活楼"]),
    ];
    const SHOWCASE: &[&str] = &[
        "科学教室实验药品柜未双人双锁",
        "体育器材室货架未固定",
        "综合办公楼一处插座松动",
        "食堂排油烟管道油污较多",
        "教学楼北侧雨棚锈蚀",
        "校门口减速带损坏",
        "教学楼二层应急照明灯不亮",
        "操场看台栏杆油漆剥落",
        "监控室值班记录不全",
        "食堂蒸饭柜安全阀超期未校验",
        "学校北侧围墙局部倾斜",
        "教学楼消防自动报警系统故障",
        "教学楼二层开水间电热水器漏电保护失效",
    ];
    let rows = w
        .raw
        .texts(
            "SELECT h.title || '|' || COALESCE(z.name, '') || '|' || COALESCE(p.name, '') \
             FROM hazards h LEFT JOIN zones z ON z.id = h.zone_id \
             LEFT JOIN risk_points p ON p.id = h.risk_point_id WHERE h.school_id = ?",
            vec![w.s001.into()],
        )
        .await;
    for title in SHOWCASE {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("{title}|")))
            .unwrap_or_else(|| panic!("the showcase hazard {title}"));
        let mut parts = row.split('|');
        let (_, zone, point) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let (word, fits) = PLACES
            .iter()
            .find(|(w, _)| title.contains(w))
            .unwrap_or_else(|| panic!("{title} names a place of the table"));
        assert!(
            fits.iter().any(|f| zone.contains(f)),
            "{title} ({word}) sits at {zone} · {point}"
        );
    }
    assert!(
        !rows
            .iter()
            .any(|r| r.contains("宿舍楼应急照明灯不亮|教学楼")),
        "{rows:?}"
    );
}
