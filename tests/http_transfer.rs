mod common;
use common::zip_of;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, Resp, TestApp};
use safecampus::xlsx::{Cell, Limits, read_first_sheet, write_sheet};
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const IMPORT: &str = "/api/v1/schools/import";
const EXPORT: &str = "/api/v1/schools/export.xlsx";

/// Asserts an error envelope with this status and code; returns the body.
fn expect(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    let j = r.json();
    assert_eq!(j["error"]["code"], code, "{j}");
    j
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    let list = v.as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|e| e[key].as_str().unwrap().to_string())
        .collect()
}

/// A one-sheet workbook of text cells.
fn book(headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let text = |r: &&[&str]| r.iter().map(|c| Cell::Text(c.to_string())).collect();
    let rows: Vec<Vec<Cell>> = rows.iter().map(text).collect();
    write_sheet("Sheet1", &headers, &rows).unwrap()
}

fn read(bytes: &[u8]) -> Vec<Vec<String>> {
    read_first_sheet(bytes, &Limits::default()).expect("a readable workbook")
}

async fn upload(app: &TestApp, path: &str, t: &str, body: Vec<u8>, lang: &str) -> Resp {
    let extra = [("accept-language", lang)];
    app.request(Method::POST, path, Some(t), Some(XLSX), body, &extra)
        .await
}

async fn download(app: &TestApp, path: &str, t: &str, lang: &str) -> Resp {
    let extra = [("accept-language", lang)];
    app.request(Method::GET, path, Some(t), None, vec![], &extra)
        .await
}

/// The schools in scope, without their change times (which an import renews).
async fn schools(app: &mut TestApp, user: &str) -> Vec<Value> {
    let t = app.login(user).await;
    let mut j = app.get("/api/v1/schools", Some(&t)).await.json();
    let items = j["items"].as_array_mut().unwrap();
    items.iter_mut().for_each(|s| s["updated_at"] = Value::Null);
    items.clone()
}

/// Everything an import could change, for "nothing changed" checks.
async fn state(app: &mut TestApp) -> (String, Vec<Value>) {
    (app.fingerprint().await, schools(app, "city.officer").await)
}

/// `row field value` of each error of an import report.
fn report_rows(j: &Value) -> Vec<String> {
    let errs = j["errors"].as_array().expect("errors");
    let line = |e: &Value| format!("{} {} {}", e["row"], e["field"], e["value"]);
    errs.iter().map(|e| line(e).replace('"', "")).collect()
}

/// A workbook-looking zip whose sheet part inflates from a few KiB to 20 MiB of zeros.
fn zip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let bomb = zip_of(&[
        ("xl/workbook.xml", b"<workbook/>", 1),
        ("xl/worksheets/sheet1.xml", &zeros, 20),
    ]);
    assert!(bomb.len() < 100 * 1024, "{} bytes", bomb.len());
    bomb
}

fn noise(n: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    let step = |_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    };
    (0..n).map(step).collect()
}

#[tokio::test]
async fn schools_export_in_the_callers_language_and_scope() {
    let mut app = TestApp::new().await;
    // user | language | data rows | first headers | label of S001's kind
    let cases = [
        "bureau.officer|zh-CN|42|代码,名称,英文名称,类型,所属区|小学",
        "bureau.officer|en|42|Code,Name,English name,Kind,District|Primary school",
        "bureau.inspector|zh-CN|42|代码,名称,英文名称,类型,所属区|小学",
        "city.officer|zh-CN|44|代码,名称,英文名称,类型,所属区|小学",
    ];
    for case in cases {
        let c: Vec<&str> = case.split('|').collect();
        let t = app.login(c[0]).await;
        let r = download(&app, EXPORT, &t, c[1]).await;
        assert_eq!(r.status, StatusCode::OK, "{case}: {}", r.text());
        assert_eq!(r.header("content-type"), XLSX);
        assert!(r.header("content-disposition").starts_with("attachment;"));
        let rows = read(&r.body);
        assert_eq!(rows.len(), c[2].parse::<usize>().unwrap() + 1, "{case}");
        assert_eq!(rows[0].len(), 22, "{:?}", rows[0]);
        assert_eq!(rows[0][..5].join(","), c[3], "{case}");
        let s001 = rows.iter().find(|r| r[0] == "S001").expect("S001 row");
        assert_eq!(
            s001[1..5],
            [
                "长春市二道区春华小学",
                "Chunhua Primary School, Erdao",
                c[4],
                "ED"
            ]
        );
        let listed: Vec<Value> = schools(&mut app, c[0]).await;
        let exported: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            exported,
            strs(&json!(listed), "code"),
            "one row per school in scope"
        );
    }
    let t = app.login("s001.principal").await;
    expect(&download(&app, EXPORT, &t, "zh-CN").await, 403, "forbidden");
}

#[tokio::test]
async fn an_exported_file_imports_back_unchanged() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let before = schools(&mut app, "city.officer").await;
    for lang in ["zh-CN", "en"] {
        let file = download(&app, EXPORT, &t, lang).await.body;
        let r = upload(&app, IMPORT, &t, file, lang).await;
        assert_eq!(r.status, StatusCode::OK, "{lang}: {}", r.text());
        let want = json!({"created": 0, "updated": 42, "errors": []});
        assert_eq!(r.json(), want, "{lang}");
        let after = schools(&mut app, "city.officer").await;
        assert_eq!(after, before, "{lang}: the round trip changed data");
    }
    let a = app.login("auditadmin").await;
    let log = app
        .get("/api/v1/audit?action=school.import", Some(&a))
        .await;
    let log = log.json();
    assert_eq!(log["total"], 2);
    assert_eq!(log["items"][0]["detail"], "created=0 updated=42");
}

#[tokio::test]
async fn an_import_with_row_errors_reports_every_row_and_changes_nothing() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let rows: [&[&str]; 6] = [
        &["S001", "改名测试", "小学", ""],
        &["S950", "新学校甲", "大学", ""],
        &["S951", "新学校乙", "primary", ""],
        &["S951", "新学校丙", "primary", ""],
        &["N001", "南关冒名", "小学", ""],
        &["S952", "新学校丁", "幼儿园", "12ab"],
    ];
    let file = book(&["代码", "名称", "类型", "电话"], &rows);
    let before = state(&mut app).await;
    let r = upload(&app, IMPORT, &t, file.clone(), "zh-CN").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let j = r.json();
    assert_eq!(j["created"], 0);
    assert_eq!(j["updated"], 0);
    let want = ["3 kind 大学", "5 code S951", "6 code N001", "7 phone "];
    assert_eq!(report_rows(&j), want);
    let msgs = strs(&j["errors"], "message");
    assert!(
        msgs[0].starts_with("类型不正确，应为：幼儿园、小学"),
        "{msgs:?}"
    );
    // Another district's code: only that it cannot be used.
    assert_eq!(
        msgs[1..3],
        [
            "与文件中前面的行重复。",
            "该代码不能使用，请核对或换用其他代码。"
        ]
    );
    assert!(msgs[3].starts_with("电话号码格式不正确"), "{msgs:?}");
    assert_eq!(state(&mut app).await, before);

    let r = upload(&app, IMPORT, &t, file, "en").await;
    let msgs = strs(&r.json()["errors"], "message");
    assert_eq!(msgs[1], "Repeats an earlier row of the file.");
}

#[tokio::test]
async fn hostile_uploads_are_refused_with_a_clear_error() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let other_zip = zip_of(&[("hello.txt", b"hello", 1)]);
    let uploads = [
        ("random bytes", noise(4096)),
        ("empty body", vec![]),
        ("zip of something else", other_zip),
        ("zip bomb", zip_bomb()),
        (
            "wrong columns",
            book(&["学校", "人数"], &[&["某校", "100"]]),
        ),
        (
            "missing column",
            book(&["代码", "名称"], &[&["S960", "缺类型"]]),
        ),
        ("over 10 MB", vec![b'x'; 10 * 1024 * 1024 + 1]),
    ];
    // status | code | start of the message | field messages
    let expected = [
        "422|invalid|文件不是有效的 Excel（.xlsx）文件。|",
        "422|invalid|请选择要上传的文件。|请选择要上传的文件。",
        "422|invalid|文件不是有效的 Excel（.xlsx）文件。|",
        "413|too_large|文件解压后过大或结构异常，已拒绝。|",
        "422|invalid|有无法识别的列。|A: 学校",
        "422|invalid|缺少必需的列。|kind",
        "413|too_large|上传的文件过大（最大 10 MB）。|",
    ];
    let before = state(&mut app).await;
    for ((name, body), want) in uploads.into_iter().zip(expected) {
        let w: Vec<&str> = want.split('|').collect();
        let r = upload(&app, IMPORT, &t, body, "zh-CN").await;
        let j = expect(&r, w[0].parse().unwrap(), w[1]);
        let msg = j["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with(w[2]), "{name}: {msg}");
        assert_eq!(
            strs(&j["error"]["fields"], "message").join(";"),
            w[3],
            "{name}"
        );
        assert_eq!(state(&mut app).await, before, "{name}");
    }
}

#[tokio::test]
async fn people_export_and_import_within_scope() {
    let mut app = TestApp::new().await;
    let (s001, s002) = (app.org_id("S001").await, app.org_id("S002").await);
    let t = app.login("s001.principal").await;
    let people = format!("/api/v1/schools/{s001}/people");
    let list = app.get(&people, Some(&t)).await.json();
    let r = download(&app, &format!("{people}/export.xlsx"), &t, "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), XLSX);
    let rows = read(&r.body);
    assert_eq!(rows[0], ["名称", "岗位", "电话", "备注"]);
    assert_eq!(rows.len(), list.as_array().unwrap().len() + 1);
    assert_eq!(rows[1][0], list[0]["name"].as_str().unwrap());
    assert_eq!(rows[1][1], "校长（园长）");
    let other = format!("/api/v1/schools/{s002}/people/export.xlsx");
    expect(&download(&app, &other, &t, "zh-CN").await, 404, "not_found");

    let first = rows[1][0].as_str();
    let new: &[&str] = &["赵新人", "教师", "13900001111", ""];
    let known: &[&str] = &[first, "校长（园长）", "13900002222", "更新"];
    let file = book(&["名称", "岗位", "电话", "备注"], &[new, known]);
    let before = app.fingerprint().await;
    let refused = [
        ("s001.principal", s002, 404, "not_found"),
        ("s001.guard", s001, 403, "forbidden"),
    ];
    for (user, school, status, code) in refused {
        let tok = app.login(user).await;
        let path = format!("/api/v1/schools/{school}/people/import");
        expect(
            &upload(&app, &path, &tok, file.clone(), "zh-CN").await,
            status,
            code,
        );
        assert_eq!(app.fingerprint().await, before, "{user}");
    }
    let import = format!("{people}/import");
    let bad = book(&["名称", "岗位"], &[&["钱某", "校董"]]);
    let r = upload(&app, &import, &t, bad, "zh-CN").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(report_rows(&r.json()), ["2 post 校董"]);
    assert_eq!(app.fingerprint().await, before);

    let r = upload(&app, &import, &t, file, "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({"created": 1, "updated": 1, "errors": []}));
    let after = app.get(&people, Some(&t)).await.json();
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), list.as_array().unwrap().len() + 1);
    let find = |name: &str| after.iter().find(|p| p["name"] == name).unwrap().clone();
    let added = find("赵新人");
    assert_eq!(
        (&added["post"], &added["phone"]),
        (&json!("teacher"), &json!("13900001111"))
    );
    let updated = find(first);
    assert_eq!(
        (&updated["phone"], &updated["note"]),
        (&json!("13900002222"), &json!("更新"))
    );
}

#[tokio::test]
async fn the_import_page_shows_the_row_by_row_report() {
    let mut app = TestApp::new().await;
    let form = [("username", "bureau.officer"), ("password", PASSWORD)];
    let r = app.form("/login", None, &form).await;
    let cookie = r
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let h = [("cookie", cookie.as_str())];
    let page = app
        .request(Method::GET, "/schools/import", None, None, vec![], &h)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("action=\"/schools/import\""),
        "the form posts to the page, no token in the URL"
    );
    let token = common::TestApp::form_token(&html);

    let rows: [&[&str]; 2] = [
        &["S970", "页面导入", "大学"],
        &["S970", "页面导入二", "小学"],
    ];
    let bad = book(&["代码", "名称", "类型"], &rows);
    let before = state(&mut app).await;
    let r = app.post_file("/schools/import", &cookie, &bad).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "without the token");
    let r = app
        .post_file_with("/schools/import", &cookie, Some(&token), &bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("id=\"import-report\""), "{html}");
    assert!(html.contains("文件有错误，未导入任何数据 (2)"), "{html}");
    let cells = [">2</td>", ">类型</td>", ">大学</td>", "类型不正确"];
    let more = [
        ">3</td>",
        ">代码</td>",
        ">S970</td>",
        ">与文件中前面的行重复。</td>",
    ];
    for cell in cells.iter().chain(&more) {
        assert!(html.contains(cell), "{cell} missing");
    }
    assert_eq!(state(&mut app).await, before);

    let t = app.login("bureau.officer").await;
    let good = download(&app, EXPORT, &t, "zh-CN").await.body;
    let r = app
        .post_file_with("/schools/import", &cookie, Some(&token), &good)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let done = "id=\"import-ok\">导入完成: 新增 0, 更新 42</p>";
    assert!(r.text().contains(done), "{}", r.text());
}
