mod common;
use common::zip_of;
use common::{expect, fields, msg};

// The district risk catalogue (风险等级清单) over HTTP: reading and filtering it in every
// role's scope, editing an entry (versions and history), and the .xlsx export/import with its
// row-by-row report and its refusal of hostile files. "Nothing changed" is checked with the
// harness fingerprint and with a fingerprint of the risk tables, which the harness one does
// not cover.

use axum::http::{Method, StatusCode};
use common::{PASSWORD, Resp, TestApp};
use safecampus::domain::catalog::{DEFAULT_CSV, Entry, parse_csv};
use safecampus::xlsx::{Cell, Limits, read_first_sheet, write_sheet};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CATALOG: &str = "/api/v1/risk-catalog";
const EXPORT: &str = "/api/v1/risk-catalog/export.xlsx";
const IMPORT: &str = "/api/v1/risk-catalog/import";
const NOT_FOUND: &str = "未找到该对象，或它不在您的管辖范围内。";

/// The Chinese column headers of the catalogue file, in file order.
const ZH_HEADERS: [&str; 23] = [
    "编号",
    "方面",
    "类别",
    "类别（英文）",
    "风险点类型",
    "风险点名称",
    "风险点名称（英文）",
    "危险有害因素",
    "可能导致的事故类型",
    "L（可能性）",
    "E（暴露频率）",
    "C（后果）",
    "管理措施",
    "应急措施",
    "工程技术措施",
    "培训教育措施",
    "个人防护措施",
    "检查内容",
    "检查频次",
    "管控层级",
    "责任岗位",
    "适用学校类型",
    "适用条件",
];

fn field_messages(j: &Value) -> Vec<String> {
    let list = j["error"]["fields"].as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The shipped catalogue file, parsed, in code order.
fn shipped() -> Vec<Entry> {
    let (mut entries, errors) = parse_csv(DEFAULT_CSV).expect("the catalogue file parses");
    assert!(errors.is_empty(), "{errors:?}");
    entries.sort_by(|a, b| a.code.cmp(&b.code));
    entries
}

/// A fingerprint of the risk tables (catalogues, entries, history, points, assessments),
/// which [`TestApp::fingerprint`] does not cover.
async fn risk_fp(app: &TestApp) -> String {
    // The harness fingerprint covers the risk tables too.
    app.fingerprint().await
}

/// Everything a catalogue write could change.
async fn state(app: &mut TestApp) -> (String, String, Value) {
    let t = app.login("bureau.officer").await;
    let mut all = app
        .get(&format!("{CATALOG}?per_page=500"), Some(&t))
        .await
        .json();
    all["catalog"]["updated_at"] = Value::Null;
    (app.fingerprint().await, risk_fp(app).await, all)
}

async fn catalog(app: &TestApp, t: &str, query: &str) -> Value {
    let r = app.get(&format!("{CATALOG}?{query}"), Some(t)).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.text());
    r.json()
}

fn codes(page: &Value) -> Vec<String> {
    let items = page["items"].as_array().expect("items");
    items
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

/// The id of a catalogue entry by code, in the caller's catalogue.
async fn item_id(app: &TestApp, t: &str, code: &str) -> i64 {
    let page = catalog(app, t, &format!("q={code}")).await;
    let items = page["items"].as_array().unwrap();
    let item = items.iter().find(|i| i["code"] == code).expect("the entry");
    item["id"].as_i64().unwrap()
}

/// The body of `PUT …/items/{id}` that keeps an entry as it is.
fn input_of(item: &Value) -> Value {
    let mut body = item.clone();
    let obj = body.as_object_mut().unwrap();
    for k in ["id", "code", "version"] {
        obj.remove(k);
    }
    body
}

fn book(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| r.iter().map(|c| Cell::Text(c.clone())).collect())
        .collect();
    write_sheet("Sheet1", headers, &rows).unwrap()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The rows of a workbook, trailing empty cells dropped.
fn read(bytes: &[u8]) -> Vec<Vec<String>> {
    let rows = read_first_sheet(bytes, &Limits::default()).expect("a readable workbook");
    rows.into_iter().map(trim_row).collect()
}

fn trim_row(mut r: Vec<String>) -> Vec<String> {
    while r.last().is_some_and(|c| c.is_empty()) {
        r.pop();
    }
    r
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

/// A workbook-looking zip whose sheet inflates from a few KiB to 20 MiB of zeros (written in
/// 1 MiB chunks, so the test itself never holds the whole of it).
fn zip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let bomb = zip_of(&[
        ("[Content_Types].xml", b"<Types/>", 1),
        ("xl/workbook.xml", b"<workbook/>", 1),
        ("xl/worksheets/sheet1.xml", &zeros, 20),
    ]);
    assert!(bomb.len() < 100 * 1024, "{} bytes", bomb.len());
    bomb
}

/// Rewrites one part of a zip package.
fn rezip(bytes: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut a = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut edited = false;
    for i in 0..a.len() {
        let mut f = a.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == part {
            let text = edit(String::from_utf8(data).unwrap());
            data = text.into_bytes();
            edited = true;
        }
        w.start_file(name, opts).unwrap();
        w.write_all(&data).unwrap();
    }
    assert!(edited, "{part} not in the package");
    w.finish().unwrap().into_inner()
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

/// `row field value` of each error of an import report.
fn report_rows(j: &Value) -> Vec<String> {
    let errs = j["errors"].as_array().expect("errors");
    errs.iter()
        .map(|e| {
            let v = e["value"].as_str().unwrap_or("");
            format!("{} {} {v}", e["row"], e["field"].as_str().unwrap())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_district_catalogue_has_290_points_over_the_four_aspects() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let file = shipped();

    let first = catalog(&app, &t, "").await;
    assert_eq!(first["total"], 290);
    assert_eq!(first["page"], 1);
    assert_eq!(first["items"].as_array().unwrap().len(), 50, "50 a page");
    assert_eq!(first["catalog"]["org_name"], "二道区");
    assert_eq!(first["catalog"]["name"], "二道区安全风险等级清单");
    assert_eq!(first["catalog"]["version"], 1);

    let all = catalog(&app, &t, "per_page=500").await;
    assert_eq!(all["total"], 290);
    let listed = codes(&all);
    let expected: Vec<String> = file.iter().map(|e| e.code.clone()).collect();
    assert_eq!(listed, expected, "the entries of the file, in code order");
    assert_eq!(codes(&first), expected[..50]);

    let mut by_aspect: BTreeMap<String, usize> = BTreeMap::new();
    for i in all["items"].as_array().unwrap() {
        *by_aspect
            .entry(i["aspect"].as_str().unwrap().into())
            .or_default() += 1;
    }
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for e in &file {
        *want.entry(e.aspect.to_string()).or_default() += 1;
    }
    assert_eq!(by_aspect, want);
    let aspects: Vec<&str> = by_aspect.keys().map(String::as_str).collect();
    assert_eq!(aspects, ["environment", "management", "people", "things"]);
    assert!(by_aspect.values().all(|n| *n >= 20), "{by_aspect:?}");

    // One entry in full, against the file.
    let e = &file[0];
    let i = &all["items"][0];
    assert_eq!(i["code"], e.code.as_str());
    assert_eq!(i["name"], e.name.as_str());
    assert_eq!(i["name_en"], e.name_en.as_str());
    assert_eq!(i["hazard_factors"], e.hazard_factors.as_str());
    assert_eq!(i["check_items"], e.check_items.as_str());
    assert_eq!(i["default_l"], e.default_lec.0.as_f64());
    assert_eq!(i["default_e"], e.default_lec.1.as_f64());
    assert_eq!(i["default_c"], e.default_lec.2.as_f64());
    assert_eq!(i["measures"]["management"], e.measures[0].as_str());
    assert_eq!(i["control_level"], e.control_level.to_string());
    assert_eq!(i["retired"], false);
    assert_eq!(i["version"], 1);

    let page6 = catalog(&app, &t, "page=6").await;
    assert_eq!(codes(&page6), expected[250..290], "the last page");
}

#[tokio::test]
async fn catalogue_filters_narrow_the_list() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let file = shipped();
    let pick = |f: &dyn Fn(&Entry) -> bool| -> Vec<String> {
        file.iter()
            .filter(|e| f(e))
            .map(|e| e.code.clone())
            .collect()
    };
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    for a in ["people", "things", "management", "environment"] {
        cases.push((format!("aspect={a}"), pick(&|e| e.aspect.to_string() == a)));
    }
    let categories: BTreeSet<String> = file.iter().map(|e| e.category.clone()).collect();
    assert!(categories.len() >= 10, "{categories:?}");
    for c in &categories {
        let q = serde_urlencoded::to_string([("category", c)]).unwrap();
        cases.push((q, pick(&|e| &e.category == c)));
    }
    let text = |q: &'static str| {
        move |e: &Entry| e.code.contains(q) || e.name.contains(q) || e.name_en.contains(q)
    };
    for q in ["校车", "溺水", "实验", "R-T-01", "R-P-0", "R-E-0"] {
        let s = serde_urlencoded::to_string([("q", q)]).unwrap();
        cases.push((s, pick(&text(q))));
    }
    let lab = "实验室安全".to_string();
    let q = serde_urlencoded::to_string([
        ("aspect", "things"),
        ("category", lab.as_str()),
        ("q", "化学"),
    ])
    .unwrap();
    cases.push((
        q,
        pick(&|e| e.aspect.to_string() == "things" && e.category == lab && text("化学")(e)),
    ));
    for (query, want) in cases {
        assert!(!want.is_empty(), "{query}: the file has entries for it");
        assert!(want.len() < 290, "{query}: the filter narrows");
        let j = catalog(&app, &t, &format!("{query}&per_page=500")).await;
        assert_eq!(j["total"], want.len() as u64, "{query}");
        assert_eq!(codes(&j), want, "{query}");
    }
    let j = catalog(&app, &t, "q=no-such-point").await;
    assert_eq!((j["total"].as_u64(), codes(&j).len()), (Some(0), 0));

    for bad in ["aspect=persons", "per_page=x", "colour=red"] {
        let r = app.get(&format!("{CATALOG}?{bad}"), Some(&t)).await;
        let j = expect(&r, 422, "invalid");
        if bad.starts_with("aspect") {
            assert_eq!(fields(&j), ["aspect"]);
            assert!(msg(&j).contains("方面须为 人/物/管/环"), "{j}");
        }
    }
}

#[tokio::test]

async fn the_text_filter_matches_literally() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    // No code, name or English name of the file contains `_` or `%`.
    let file = shipped();
    for q in ["_", "%", "R_P"] {
        let n = file
            .iter()
            .filter(|e| e.code.contains(q) || e.name.contains(q) || e.name_en.contains(q))
            .count();
        assert_eq!(n, 0, "{q}");
        let s = serde_urlencoded::to_string([("q", q)]).unwrap();
        let j = catalog(&app, &t, &s).await;
        assert_eq!(
            j["total"], 0,
            "q={q} must match literally, found {}",
            j["total"]
        );
    }
}

#[tokio::test]
async fn the_text_filter_ignores_the_case_of_latin_letters() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let file = shipped();
    for q in ["Canteen", "canteen", "CANTEEN", "r-t-01"] {
        let lower = q.to_lowercase();
        let want: Vec<String> = file
            .iter()
            .filter(|e| {
                [&e.code, &e.name, &e.name_en]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&lower))
            })
            .map(|e| e.code.clone())
            .collect();
        assert!(!want.is_empty(), "{q}");
        let j = catalog(&app, &t, &format!("q={q}&per_page=500")).await;
        assert_eq!(codes(&j), want, "q={q}");
    }
}

#[tokio::test]
async fn every_business_role_reads_its_own_districts_catalogue() {
    let mut app = TestApp::new().await;
    let ng_codes = {
        let t = app.login("nanguan.officer").await;
        codes(&catalog(&app, &t, "per_page=500").await)
    };
    let ed = {
        let t = app.login("bureau.officer").await;
        catalog(&app, &t, "per_page=1").await["catalog"].clone()
    };
    // user | district name of the catalogue
    let cases = [
        ("bureau.leader", "二道区"),
        ("bureau.inspector", "二道区"),
        ("s001.principal", "二道区"),
        ("s001.safety", "二道区"),
        ("s001.staff", "二道区"),
        ("s001.guard", "二道区"),
        ("s002.principal", "二道区"),
        ("nanguan.officer", "南关区"),
        ("n001.principal", "南关区"),
        ("n001.staff", "南关区"),
    ];
    for (user, district) in cases {
        let t = app.login(user).await;
        let j = catalog(&app, &t, "per_page=500").await;
        assert_eq!(j["total"], 290, "{user}");
        assert_eq!(j["catalog"]["org_name"], district, "{user}");
        let same_as_ed = j["catalog"]["id"] == ed["id"];
        assert_eq!(same_as_ed, district == "二道区", "{user}");
        assert_eq!(codes(&j), ng_codes, "{user}: the same 290 codes");
    }
    for user in ["sysadmin", "secadmin", "auditadmin"] {
        let t = app.login(user).await;
        expect(&app.get(CATALOG, Some(&t)).await, 403, "forbidden");
    }
    expect(&app.get(CATALOG, None).await, 401, "unauthorized");
}

#[tokio::test]
async fn a_city_officer_names_the_district() {
    let mut app = TestApp::new().await;
    let (ed, ng) = (app.org_id("ED").await, app.org_id("NG").await);
    let t = app.login("city.officer").await;
    for (id, name) in [(ed, "二道区"), (ng, "南关区")] {
        let j = catalog(&app, &t, &format!("org_id={id}&per_page=2")).await;
        assert_eq!(j["total"], 290);
        assert_eq!(j["catalog"]["org_id"], id);
        assert_eq!(j["catalog"]["org_name"], name);
        let r = download(&app, &format!("{EXPORT}?org_id={id}"), &t, "zh-CN").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(read(&r.body).len(), 291);
    }
    // The city holds no catalogue of its own: without a district there is nothing to show,
    // and the answer names the missing parameter.
    for path in [CATALOG, EXPORT] {
        let j = expect(&app.get(path, Some(&t)).await, 422, "invalid");
        assert_eq!(fields(&j), ["org_id"], "{path}");
    }
}

#[tokio::test]
async fn a_city_officer_without_a_district_is_asked_to_choose_one() {
    let mut app = TestApp::new().await;
    let t = app.login("city.officer").await;
    let j = expect(&app.get(CATALOG, Some(&t)).await, 422, "invalid");
    assert_eq!(fields(&j), ["org_id"]);
    assert_eq!(
        field_messages(&j),
        ["请选择区（市级用户须指定要查看的区）。"],
        "{j}"
    );
    // The roll-up page links the catalogue page, which must say the same, not "import one".
    let risk = app.get("/risk", Some(&t)).await;
    assert!(risk.text().contains("href=\"/risk/catalog\""), "the link");
    // The page takes a city user to the first district's catalogue instead of an error.
    let page = app.get("/risk/catalog", Some(&t)).await;
    assert_eq!(page.status, 303);
    let ed = app.org_id("ED").await;
    assert_eq!(
        page.header("location"),
        format!("/risk/catalog?org_id={ed}")
    );
    let page = app.get(&page.header("location"), Some(&t)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("R-E-001"),
        "the district's catalogue is shown"
    );
    assert!(
        !page.text().contains("请先导入"),
        "no request to import a catalogue"
    );
}

#[tokio::test]
async fn another_districts_catalogue_is_404() {
    let mut app = TestApp::new().await;
    let [ed, ng, s001, s002] = [
        app.org_id("ED").await,
        app.org_id("NG").await,
        app.org_id("S001").await,
        app.org_id("S002").await,
    ];
    let cases = [
        ("bureau.officer", ng),
        ("bureau.officer", 999_999),
        ("nanguan.officer", ed),
        ("nanguan.officer", s001),
        ("s001.principal", s002),
        ("s001.principal", ng),
        ("n001.staff", ed),
    ];
    for (user, org) in cases {
        let t = app.login(user).await;
        for path in [CATALOG, EXPORT] {
            let r = app.get(&format!("{path}?org_id={org}"), Some(&t)).await;
            let j = expect(&r, 404, "not_found");
            assert_eq!(msg(&j), NOT_FOUND, "{user} {org}");
        }
    }
    // A school names its own district, or itself: both give the district's catalogue.
    let t = app.login("s001.principal").await;
    for org in [ed, s001] {
        let j = catalog(&app, &t, &format!("org_id={org}&per_page=1")).await;
        assert_eq!(
            (j["total"].as_u64(), &j["catalog"]["org_id"]),
            (Some(290), &json!(ed))
        );
    }
    // Single entries: the other district's → 404.
    let bo = app.login("bureau.officer").await;
    let ed_item = item_id(&app, &bo, "R-P-001").await;
    let ng = app.login("nanguan.officer").await;
    let ng_item = item_id(&app, &ng, "R-P-001").await;
    assert_ne!(ed_item, ng_item);
    let item = |id: i64| format!("{CATALOG}/items/{id}");
    expect(&app.get(&item(ng_item), Some(&bo)).await, 404, "not_found");
    expect(&app.get(&item(ed_item), Some(&ng)).await, 404, "not_found");
    let n001 = app.login("n001.staff").await;
    expect(
        &app.get(&item(ed_item), Some(&n001)).await,
        404,
        "not_found",
    );
    let s = app.login("s001.staff").await;
    let r = app.get(&item(ed_item), Some(&s)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["code"], "R-P-001");
}

// ---------------------------------------------------------------------------------------------
// Editing
// ---------------------------------------------------------------------------------------------

/// The history rows (version, change, user) of an entry's page, newest first.
fn history_rows(html: &str) -> Vec<String> {
    let at = html.find("<tbody>").expect("history table");
    let body = &html[at..html[at..].find("</tbody>").unwrap() + at];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..];
                    &c[..c.find("</td>").unwrap()]
                })
                .collect();
            cells[..3].join(" ")
        })
        .collect()
}

#[tokio::test]
async fn editing_an_entry_makes_a_new_version_and_keeps_the_history() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let id = item_id(&app, &t, "R-P-002").await;
    let path = format!("{CATALOG}/items/{id}");
    let before = app.get(&path, Some(&t)).await.json();
    let cat_before = catalog(&app, &t, "per_page=500").await;
    assert_eq!(cat_before["catalog"]["version"], 1);
    let page = app
        .get(&format!("/risk/catalog/items/{id}"), Some(&t))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let loaded = history_rows(&page.text());
    assert_eq!(loaded.len(), 1, "{loaded:?}");
    assert!(loaded[0].starts_with("1 load "), "{loaded:?}");

    let mut body = input_of(&before);
    body["name"] = json!("学生攀爬栏杆、围墙、窗台及树木");
    body["default_c"] = json!(40);
    body["requires"] = json!(["near_water"]);
    let r = app.json(Method::PUT, &path, Some(&t), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["version"], 2);
    assert_eq!(j["name"], "学生攀爬栏杆、围墙、窗台及树木");
    assert_eq!(j["default_c"], 40.0);
    assert_eq!(j["requires"], json!(["near_water"]));
    assert_eq!(j["code"], "R-P-002", "the code stays");
    let again = app.get(&path, Some(&t)).await.json();
    assert_eq!(again, j, "stored as returned");

    let cat_after = catalog(&app, &t, "per_page=500").await;
    assert_eq!(
        cat_after["catalog"]["version"], 2,
        "the catalogue version goes up by one"
    );
    let others = |c: &Value| -> Vec<Value> {
        let items = c["items"].as_array().unwrap();
        items.iter().filter(|i| i["id"] != id).cloned().collect()
    };
    assert_eq!(
        others(&cat_after),
        others(&cat_before),
        "other entries unchanged"
    );

    let html = app
        .get(&format!("/risk/catalog/items/{id}"), Some(&t))
        .await
        .text();
    let rows = history_rows(&html);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], "2 update bureau.officer");
    assert_eq!(rows[1], loaded[0]);

    // A second edit: version 3; retiring is a change of its own kind.
    body["retired"] = json!(true);
    let r = app.json(Method::PUT, &path, Some(&t), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        (r.json()["version"].as_i64(), r.json()["retired"].as_bool()),
        (Some(3), Some(true))
    );
    let html = app
        .get(&format!("/risk/catalog/items/{id}"), Some(&t))
        .await
        .text();
    assert_eq!(history_rows(&html)[0], "3 retire bureau.officer");
    assert_eq!(
        catalog(&app, &t, "per_page=1").await["catalog"]["version"],
        3
    );

    let a = app.login("auditadmin").await;
    let log = app
        .get("/api/v1/audit?action=catalog.update", Some(&a))
        .await
        .json();
    assert_eq!(log["total"], 2);
    assert_eq!(log["items"][0]["detail"], "code=R-P-002 version=3");
    assert_eq!(log["items"][0]["username"], "bureau.officer");
}

#[tokio::test]
async fn invalid_entries_are_refused_naming_the_field_and_change_nothing() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let id = item_id(&app, &t, "R-T-001").await;
    let path = format!("{CATALOG}/items/{id}");
    let good = input_of(&app.get(&path, Some(&t)).await.json());
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    // changes (field=JSON; …) | fields named | a piece of the message
    let cases = [
        "default_l=4|default_l|10、6、3、1、0.5、0.2、0.1",
        "default_e=7|default_e|10、6、3、2、1、0.5",
        "default_c=50|default_c|100、40、15、7、3、1",
        "default_l=-1|default_l|L（事故发生的可能性）",
        r#"name="  "|name|"#,
        r#"check_items="；"|check_items|"#,
        r#"requires=["helicopter"]|requires|未知的学校特征"#,
        r#"measures={"management":" ","emergency":"报警"}|measures|管理措施和应急措施必须填写"#,
        "default_l=4;default_c=2|default_l,default_c|",
    ];
    let before = state(&mut app).await;
    for case in cases {
        let c: Vec<&str> = case.split('|').collect();
        let mut body = good.clone();
        for change in c[0].split(';') {
            let (k, v) = change.split_once('=').unwrap();
            body[k] = serde_json::from_str(v).unwrap();
        }
        let (want, piece): (Vec<&str>, &str) = (c[1].split(',').collect(), c[2]);
        let r = app.json(Method::PUT, &path, Some(&t), &body).await;
        let j = expect(&r, 422, "invalid");
        assert_eq!(fields(&j), want, "{j}");
        assert!(msg(&j).contains(piece), "{piece}: {j}");
        assert_eq!(state(&mut app).await, before, "{want:?}: nothing changed");
    }
    // Values outside the enumerations do not deserialise.
    for (k, v) in [("aspect", "persons"), ("control_level", "city")] {
        let r = app
            .json(Method::PUT, &path, Some(&t), &with(k, json!(v)))
            .await;
        expect(&r, 422, "invalid");
    }
    let mut unknown = good.clone();
    unknown["colour"] = json!("red");
    expect(
        &app.json(Method::PUT, &path, Some(&t), &unknown).await,
        422,
        "invalid",
    );
    assert_eq!(state(&mut app).await, before);
}

#[tokio::test]
async fn only_the_bureau_edits_and_only_its_own_catalogue() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let id = item_id(&app, &t, "R-M-001").await;
    let path = format!("{CATALOG}/items/{id}");
    let mut body = input_of(&app.get(&path, Some(&t)).await.json());
    body["name"] = json!("被拒绝的修改");
    let refused = [
        ("s001.principal", 403, "forbidden"),
        ("s001.safety", 403, "forbidden"),
        ("s001.staff", 403, "forbidden"),
        ("bureau.leader", 403, "forbidden"),
        ("bureau.inspector", 403, "forbidden"),
        ("sysadmin", 403, "forbidden"),
        ("nanguan.officer", 404, "not_found"),
        ("n001.principal", 404, "not_found"),
    ];
    let before = state(&mut app).await;
    for (user, status, code) in refused {
        let u = app.login(user).await;
        let r = app.json(Method::PUT, &path, Some(&u), &body).await;
        expect(&r, status, code);
        assert_eq!(state(&mut app).await, before, "{user}: nothing changed");
    }
    let a = app.login("auditadmin").await;
    let log = app
        .get("/api/v1/audit?action=catalog.update", Some(&a))
        .await
        .json();
    let results: BTreeSet<String> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["result"].as_str().unwrap().to_string())
        .collect();
    assert!(results.contains("denied_not_found"), "{log}");
    assert!(!results.contains("ok"), "{log}");

    // The city officer's scope holds the district, so the city may edit it.
    let c = app.login("city.officer").await;
    let r = app.json(Method::PUT, &path, Some(&c), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["name"], "被拒绝的修改");
    assert_eq!(r.json()["version"], 2);
}

// ---------------------------------------------------------------------------------------------
// Export and import
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_catalogue_exports_and_imports_back_unchanged() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let file = shipped();
    let items_of = |c: &Value| -> Vec<Value> {
        let mut items = c["items"].as_array().unwrap().clone();
        for i in items.iter_mut() {
            i["version"] = Value::Null;
        }
        items
    };
    let before = catalog(&app, &t, "per_page=500").await;

    let r = download(&app, EXPORT, &t, "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), XLSX);
    let disp = r.header("content-disposition");
    assert!(disp.starts_with("attachment;"), "{disp}");
    assert!(
        disp.contains("-v1.xlsx"),
        "the version is in the name: {disp}"
    );
    let zh = r.body;
    let rows = read(&zh);
    assert_eq!(rows.len(), 291, "a header and 290 entries");
    assert_eq!(rows[0], ZH_HEADERS, "Chinese headers by default");
    for (row, e) in rows[1..].iter().zip(&file) {
        assert_eq!(
            row,
            &trim_row(e.cells()),
            "{}: the row is the file's entry",
            e.code
        );
    }

    let en = download(&app, EXPORT, &t, "en").await.body;
    let en_rows = read(&en);
    assert_eq!(en_rows.len(), 291);
    assert_eq!(en_rows[0][..3], ["Code", "Aspect", "Category"]);
    assert_eq!(en_rows[1..], rows[1..], "the same data in English");

    let mut version = 1;
    for (lang, book) in [("zh-CN", zh), ("en", en)] {
        let r = upload(&app, IMPORT, &t, book, lang).await;
        assert_eq!(r.status, StatusCode::OK, "{lang}: {}", r.text());
        assert_eq!(
            r.json(),
            json!({"created": 0, "updated": 290, "errors": []})
        );
        version += 1;
        let after = catalog(&app, &t, "per_page=500").await;
        assert_eq!(
            after["catalog"]["version"], version,
            "{lang}: one new version"
        );
        assert_eq!(
            items_of(&after),
            items_of(&before),
            "{lang}: the data is unchanged"
        );
        assert!(
            after["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["version"] == version),
            "{lang}: every entry is of the new version"
        );
    }
    let a = app.login("auditadmin").await;
    let log = app
        .get("/api/v1/audit?action=catalog.import", Some(&a))
        .await
        .json();
    assert_eq!(log["total"], 2);
    assert_eq!(log["items"][0]["detail"], "created=0 updated=290 version=3");

    // An added row is created; the others stay.
    let mut extra = rows.clone();
    let mut new_row = rows[1].clone();
    new_row[0] = "R-X-001".into();
    new_row[5] = "自定义区级风险点".into();
    extra.push(new_row);
    let r = upload(&app, IMPORT, &t, book(&extra[0], &extra[1..]), "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"created": 1, "updated": 290, "errors": []})
    );
    let j = catalog(&app, &t, "q=R-X-001").await;
    assert_eq!(j["total"], 1);
    assert_eq!(j["items"][0]["name"], "自定义区级风险点");
    assert_eq!(catalog(&app, &t, "").await["total"], 291);
}

#[tokio::test]
async fn an_import_with_row_errors_reports_each_row_and_changes_nothing() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let rows = read(&download(&app, EXPORT, &t, "zh-CN").await.body);
    let mut bad = rows.clone();
    // Sheet row n is bad[n - 1] (the header is row 1).
    bad[2][1] = "persons".into();
    bad[4][9] = "4".into();
    bad[6][0] = bad[1][0].clone();
    bad[8][11] = "abc".into();
    bad[10][5] = String::new();
    let dup = bad[1][0].clone();
    let before = state(&mut app).await;
    let r = upload(&app, IMPORT, &t, book(&bad[0], &bad[1..]), "zh-CN").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let j = r.json();
    assert_eq!(
        (j["created"].as_u64(), j["updated"].as_u64()),
        (Some(0), Some(0))
    );
    let want = [
        "3 aspect persons".to_string(),
        "5 default_l 4".to_string(),
        format!("7 code {dup}"),
        "9 default_c abc".to_string(),
        "11 name ".to_string(),
    ];
    assert_eq!(report_rows(&j), want);
    let msgs: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(msgs[0].starts_with("方面须为 人/物/管/环"), "{msgs:?}");
    assert!(
        msgs[1].starts_with("L（事故发生的可能性）只能取 LEC 表中的值"),
        "{msgs:?}"
    );
    assert_eq!(msgs[2], "与文件中前面的行重复。");
    assert_eq!(msgs[3], "应为数字。");
    assert!(
        !msgs[4].is_empty() && !msgs[4].starts_with("err."),
        "{msgs:?}"
    );
    assert_eq!(state(&mut app).await, before, "nothing imported");

    let r = upload(&app, IMPORT, &t, book(&bad[0], &bad[1..]), "en").await;
    let j = r.json();
    assert_eq!(
        j["errors"][2]["message"],
        "Repeats an earlier row of the file."
    );
    assert_eq!(state(&mut app).await, before);
}

/// A small, valid catalogue workbook whose sheet declares the dimension `dim`.
fn with_dimension(rows: &[Vec<String>], dim: &str) -> Vec<u8> {
    let small = book(&rows[0], &rows[1..3]);
    let dim = dim.to_string();
    rezip(&small, "xl/worksheets/sheet1.xml", move |xml| {
        let at = xml.find("<dimension ref=\"").expect("a dimension");
        let end = at + xml[at..].find("/>").unwrap() + 2;
        format!("{}<dimension ref=\"{dim}\"/>{}", &xml[..at], &xml[end..])
    })
}

#[tokio::test]
async fn hostile_catalogue_files_are_refused_with_a_clear_error() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let rows = read(&download(&app, EXPORT, &t, "zh-CN").await.body);
    // A well-formed dimension change is still read: the control case of the crafted ones.
    let control = with_dimension(&rows, "A1:W3");
    let r = upload(&app, IMPORT, &t, control, "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["updated"], 2);

    let many: Vec<Vec<String>> = (0..10_001)
        .map(|i| vec![format!("R-Z-{i:05}"), "things".into()])
        .collect();
    let long = book(&strings(&ZH_HEADERS[..2]), &many);
    let other_zip = zip_of(&[("hello.txt", b"hello", 1)]);
    let mut wrong = strings(&ZH_HEADERS);
    wrong[4] = "风险类型编号".into();
    let missing: Vec<String> = ZH_HEADERS
        .iter()
        .filter(|h| **h != "检查内容")
        .map(|h| h.to_string())
        .collect();
    let missing_rows: Vec<Vec<String>> = rows[1..3]
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.remove(17);
            r
        })
        .collect();
    let uploads: Vec<(&str, Vec<u8>)> = vec![
        ("random bytes", noise(4096)),
        ("empty body", vec![]),
        ("zip of something else", other_zip),
        ("zip bomb", zip_bomb()),
        ("wrong columns", book(&wrong, &rows[1..3])),
        ("missing column", book(&missing, &missing_rows)),
        ("10 001 data rows", long),
        (
            "dimension of a million rows",
            with_dimension(&rows, "A1:W1048576"),
        ),
        (
            "dimension of 16 384 columns",
            with_dimension(&rows, "A1:XFD3"),
        ),
        ("over 10 MB", vec![b'x'; 10 * 1024 * 1024 + 1]),
    ];
    // status | code | start of the message | field messages
    let expected = [
        "422|invalid|文件不是有效的 Excel（.xlsx）文件。|",
        "422|invalid|请选择要上传的文件。|请选择要上传的文件。",
        "422|invalid|文件不是有效的 Excel（.xlsx）文件。|",
        "413|too_large|文件解压后过大或结构异常，已拒绝。|",
        "422|invalid|有无法识别的列。|E: 风险类型编号",
        "422|invalid|缺少必需的列。|check_items",
        "413|too_large|文件过大或行列数超出上限（最多 10000 行、60 列）。|",
        "413|too_large|文件过大或行列数超出上限（最多 10000 行、60 列）。|",
        "413|too_large|文件过大或行列数超出上限（最多 10000 行、60 列）。|",
        "413|too_large|上传的文件过大（最大 10 MB）。|",
    ];
    let before = state(&mut app).await;
    for ((name, body), want) in uploads.into_iter().zip(expected) {
        let started = std::time::Instant::now();
        let r = upload(&app, IMPORT, &t, body, "zh-CN").await;
        assert!(started.elapsed().as_secs() < 20, "{name}: refused quickly");
        let w: Vec<&str> = want.split('|').collect();
        let j = expect(&r, w[0].parse().unwrap(), w[1]);
        assert!(msg(&j).starts_with(w[2]), "{name}: {}", msg(&j));
        assert_eq!(field_messages(&j).join(";"), w[3], "{name}");
        assert_eq!(state(&mut app).await, before, "{name}: nothing changed");
    }
    // A header without entries imports nothing (the catalogue still counts it as a version).
    let r = upload(&app, IMPORT, &t, book(&strings(&ZH_HEADERS), &[]), "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({"created": 0, "updated": 0, "errors": []}));
    assert_eq!(state(&mut app).await.2["items"], before.2["items"]);
}

#[tokio::test]
async fn only_the_bureau_imports_into_its_own_catalogue() {
    let mut app = TestApp::new().await;
    let (ed, s001) = (app.org_id("ED").await, app.org_id("S001").await);
    let bo = app.login("bureau.officer").await;
    let file = download(&app, EXPORT, &bo, "zh-CN").await.body;
    let cases = [
        ("s001.principal", None, 403, "forbidden"),
        ("bureau.inspector", None, 403, "forbidden"),
        ("bureau.leader", None, 403, "forbidden"),
        ("nanguan.officer", Some(ed), 404, "not_found"),
        ("bureau.officer", Some(s001), 403, "forbidden"),
    ];
    let before = state(&mut app).await;
    for (user, org, status, code) in cases {
        let q = org.map(|o| format!("?org_id={o}")).unwrap_or_default();
        let t = app.login(user).await;
        let r = upload(&app, &format!("{IMPORT}{q}"), &t, file.clone(), "zh-CN").await;
        expect(&r, status, code);
        assert_eq!(state(&mut app).await, before, "{user}{q}");
    }
    // The Nanguan officer imports into Nanguan's own catalogue, leaving Erdao's alone.
    let t = app.login("nanguan.officer").await;
    let r = upload(&app, IMPORT, &t, file, "zh-CN").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["updated"], 290);
    assert_eq!(
        catalog(&app, &t, "per_page=1").await["catalog"]["version"],
        2
    );
    let after = state(&mut app).await;
    assert_eq!(after.2, before.2, "Erdao's catalogue unchanged");
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
        .request(Method::GET, "/risk/catalog/import", None, None, vec![], &h)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("action=\"/risk/catalog/import\""),
        "the form posts to the page, no token in the URL"
    );
    let token = common::TestApp::form_token(&html);

    let t = app.login("bureau.officer").await;
    let rows = read(&download(&app, EXPORT, &t, "zh-CN").await.body);
    let mut bad = rows[..4].to_vec();
    bad[2][1] = "persons".into();
    let before = state(&mut app).await;
    let file = book(&bad[0], &bad[1..]);
    let r = app.post_file("/risk/catalog/import", &cookie, &file).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "without the token");
    let r = app
        .post_file_with("/risk/catalog/import", &cookie, Some(&token), &file)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("id=\"import-report\""), "{html}");
    for cell in [
        ">3</td>",
        ">方面</td>",
        ">persons</td>",
        "方面须为 人/物/管/环",
    ] {
        assert!(html.contains(cell), "{cell} missing");
    }
    assert_eq!(state(&mut app).await, before);

    let r = app
        .post_file_with("/risk/catalog/import", &cookie, Some(&token), &noise(512))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("文件不是有效的 Excel（.xlsx）文件。"));
    assert_eq!(state(&mut app).await, before);

    let good = book(&rows[0], &rows[1..]);
    let r = app
        .post_file_with("/risk/catalog/import", &cookie, Some(&token), &good)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let done = "id=\"import-ok\">导入完成: 新增 0, 更新 290</p>";
    assert!(r.text().contains(done), "{}", r.text());
}

/// Signs in through the login form; returns the session cookie and a CSRF token of `page`.
async fn session(app: &TestApp, user: &str, page: &str) -> (String, String, String) {
    let form = [("username", user), ("password", PASSWORD)];
    let r = app.form("/login", None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let h = [("cookie", cookie.as_str())];
    let r = app.request(Method::GET, page, None, None, vec![], &h).await;
    assert_eq!(r.status, StatusCode::OK, "{page}");
    let html = r.text();
    let marker = "name=\"_csrf\" value=\"";
    let at = html.find(marker).expect("a token") + marker.len();
    let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
    (cookie, csrf, html)
}

/// The value of each named input and selected option of a form, as a browser would send it.
fn form_values(html: &str, form_id: &str) -> Vec<(String, String)> {
    let at = html.find(&format!("id=\"{form_id}\"")).expect("the form");
    let form = &html[at..at + html[at..].find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let i = tag.find(&key)? + key.len();
        Some(unescape(&tag[i..i + tag[i..].find('"')?]))
    };
    let mut out = Vec::new();
    for part in form.split('<').skip(1) {
        let tag = &part[..part.find('>').unwrap_or(part.len())];
        if tag.starts_with("input") {
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let checkbox = tag.contains("type=\"checkbox\"");
            if checkbox && !tag.contains(" checked") {
                continue;
            }
            out.push((name, attr(tag, "value").unwrap_or_default()));
        } else if tag.starts_with("select") {
            let name = attr(tag, "name").unwrap();
            let rest = &form[form.find(tag).unwrap()..];
            let rest = &rest[..rest.find("</select>").unwrap()];
            let chosen = rest
                .split("<option")
                .skip(1)
                .find(|o| o[..o.find('>').unwrap()].contains(" selected"))
                .or_else(|| rest.split("<option").nth(1))
                .unwrap();
            out.push((name, attr(chosen, "value").unwrap_or_default()));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, pairs: &[(String, String)]) -> Resp {
    let body = serde_urlencoded::to_string(pairs).unwrap().into_bytes();
    let h = [("cookie", cookie)];
    let ct = Some("application/x-www-form-urlencoded");
    app.request(Method::POST, path, None, ct, body, &h).await
}

#[tokio::test]
async fn the_entry_page_edits_through_its_form() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let id = item_id(&app, &t, "R-E-003").await;
    let page = format!("/risk/catalog/items/{id}");
    let (cookie, _, html) = session(&app, "bureau.officer", &page).await;
    let sent = form_values(&html, "catalog-edit");
    assert!(sent.iter().any(|(k, _)| k == "_csrf"), "{sent:?}");
    let before_item = app
        .get(&format!("{CATALOG}/items/{id}"), Some(&t))
        .await
        .json();

    // An invalid value comes back on the page, with the message and nothing changed.
    let mut bad = sent.clone();
    bad.iter_mut()
        .filter(|(k, _)| k == "default_l")
        .for_each(|(_, v)| *v = "4".into());
    let before = state(&mut app).await;
    let r = post_form(&app, &page, &cookie, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("只能取 LEC 表中的值：10、6、3、1、0.5、0.2、0.1"),
        "the message"
    );
    assert_eq!(state(&mut app).await, before);

    // The form sent as it is: a new version with the same content.
    let r = post_form(&app, &page, &cookie, &sent).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), page);
    let mut after = app
        .get(&format!("{CATALOG}/items/{id}"), Some(&t))
        .await
        .json();
    assert_eq!(after["version"], 2);
    after["version"] = before_item["version"].clone();
    assert_eq!(after, before_item, "the form keeps every field");

    let mut changed = sent.clone();
    changed
        .iter_mut()
        .filter(|(k, _)| k == "name")
        .for_each(|(_, v)| *v = "校门外道路交通（修订）".into());
    let r = post_form(&app, &page, &cookie, &changed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let j = app
        .get(&format!("{CATALOG}/items/{id}"), Some(&t))
        .await
        .json();
    assert_eq!(
        (j["name"].as_str(), j["version"].as_i64()),
        (Some("校门外道路交通（修订）"), Some(3))
    );
}

#[tokio::test]
async fn the_catalogue_pages_next_link_opens_the_next_page() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    let html = app.get("/risk/catalog", Some(&t)).await.text();
    let marker = "href=\"/risk/catalog?";
    let at = html.find(marker).expect("a next-page link") + "href=\"".len();
    let href = unescape(&html[at..at + html[at..].find('"').unwrap()]);
    assert!(href.ends_with("page=2"), "{href}");
    let r = app.get(&href, Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{href}");
    let codes = codes(&catalog(&app, &t, "page=2").await);
    assert!(r.text().contains(&codes[0]), "the second page");
}
