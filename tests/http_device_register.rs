//! Devices registered for early warning that are security equipment (cameras, one-key alarms,
//! access gates) are entries of the security register, not a second list: registering one
//! makes it an entry in the same transaction (or joins an existing entry of the same school —
//! another school's entry is not found); the register shows each entry's devices with code,
//! online or offline and last seen; retiring an entry disables its devices; the demo lists
//! each piece of equipment once; the register's rules keep working on linked entries.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, expect, fields};
use serde_json::{Value, json};

fn ev(id: &str, metric: &str, value: f64) -> Value {
    let at = (chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339();
    json!({"id": id, "at": at, "metric": metric, "value": value})
}

async fn register(app: &TestApp, t: &str, school: i64) -> Value {
    let r = app
        .get(
            &format!("/api/v1/schools/{school}/security-equipment"),
            Some(t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// Adds an entry to a school's register (201 expected); answers its id (found by its name).
async fn add_entry(app: &TestApp, t: &str, school: i64, body: Value) -> i64 {
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/security-equipment"),
            Some(t),
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let name = body["name"].clone();
    entries(&r.json())
        .into_iter()
        .find(|e| e["name"] == name)
        .expect("the new entry")["id"]
        .as_i64()
        .expect("an id")
}

fn entries(reg: &Value) -> Vec<Value> {
    reg["entries"].as_array().expect("entries").clone()
}

fn entry(reg: &Value, id: i64) -> Value {
    entries(reg)
        .into_iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("entry {id} in {reg}"))
}

fn gap_codes(reg: &Value) -> Vec<String> {
    reg["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_string())
        .collect()
}

/// The audit rows of `action` about `object`, newest first.
async fn audit_of(app: &mut TestApp, action: &str, object: i64) -> Vec<Value> {
    app.audit(&format!("action={action}&result=ok&per_page=200"))
        .await
        .into_iter()
        .filter(|a| a["object_id"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(object))
        .collect()
}

async fn new_device(app: &TestApp, t: &str, school: i64, body: Value) -> common::Resp {
    app.json(
        Method::POST,
        &format!("/api/v1/schools/{school}/devices"),
        Some(t),
        &body,
    )
    .await
}

async fn device_count(app: &TestApp, t: &str, school: i64) -> usize {
    let r = app
        .get(&format!("/api/v1/schools/{school}/devices"), Some(t))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json().as_array().unwrap().len()
}

async fn post_token(app: &TestApp, t: &str, device: i64) -> common::Resp {
    app.request(
        Method::POST,
        &format!("/api/v1/devices/{device}/token"),
        Some(t),
        None,
        vec![],
        &[],
    )
    .await
}

#[tokio::test]
async fn a_device_that_is_security_equipment_is_an_entry_of_the_register() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let before = entries(&register(&app, &t, s001).await).len();

    // An alarm button: a new one-key alarm entry, registered with it.
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "BJ-T1", "kind": "alarm_button", "name": "二号门一键报警"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    let token = d["token"].as_str().unwrap().to_string();
    let device = d["id"].as_i64().unwrap();
    let eq = d["equipment_id"].as_i64().expect("an entry");
    let reg = register(&app, &t, s001).await;
    assert_eq!(entries(&reg).len(), before + 1);
    let e = entry(&reg, eq);
    assert_eq!(e["kind"], "one_key_alarm");
    assert_eq!(e["name"], "二号门一键报警");
    assert_eq!(e["linked_police"], false, "not known to be linked yet");
    assert_eq!(e["devices"].as_array().unwrap().len(), 1);
    assert_eq!(e["devices"][0]["id"], device);
    assert_eq!(e["devices"][0]["code"], "BJ-T1");
    assert_eq!(e["devices"][0]["online"], false);
    assert!(e["devices"][0]["last_seen_at"].is_null());
    // Both writes audited, in the one transaction.
    let add = audit_of(&mut app, "security_equipment.add", eq).await;
    assert_eq!(add.len(), 1);
    assert!(add[0]["detail"].as_str().unwrap().contains("from=device"));
    let created = audit_of(&mut app, "device.create", device).await;
    assert!(
        created[0]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("equipment={eq} new")),
        "{created:?}"
    );

    // A reading: the register shows it online, with the time it was last seen.
    let rep = app
        .ingest(&token, json!([ev("h1", "heartbeat", 1.0)]))
        .await;
    assert_eq!(rep["accepted"], 1, "{rep}");
    let e = entry(&register(&app, &t, s001).await, eq);
    assert_eq!(e["devices"][0]["online"], true);
    assert!(e["devices"][0]["last_seen_at"].is_string());
    let page = app
        .get(&format!("/schools/{s001}/security-equipment"), Some(&t))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("id=\"devices-{eq}\"")), "{html}");
    assert!(html.contains(">BJ-T1</a>") && html.contains("device-online"));

    // A smoke detector is no security equipment: no entry.
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "YG-T1", "kind": "smoke", "name": "测试烟感"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.json()["equipment_id"].is_null());
    assert_eq!(entries(&register(&app, &t, s001).await).len(), before + 1);

    // The rules read the linked entry as any other: a camera's recording days unknown is a
    // shortfall naming it, until the register records them.
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "SP-T1", "kind": "camera", "name": "测试东门摄像机"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let cam = r.json()["equipment_id"].as_i64().unwrap();
    let reg = register(&app, &t, s001).await;
    let short = reg["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "video_retention_short")
        .cloned()
        .expect("a retention shortfall");
    assert!(short["entries"].as_array().unwrap().contains(&json!(cam)));
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/security-equipment/{cam}"),
            Some(&t),
            &json!({"retention_days": 30}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let after = r.json();
    let still = after["gaps"].as_array().unwrap().iter().any(|g| {
        g["entries"]
            .as_array()
            .is_some_and(|l| l.contains(&json!(cam)))
    });
    assert!(!still, "{after}");
}

#[tokio::test]
async fn a_device_joins_an_existing_entry_of_its_own_school_only() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let reg = register(&app, &t, s001).await;
    let alarm = entries(&reg)
        .into_iter()
        .find(|e| e["kind"] == "one_key_alarm")
        .expect("the demo's alarm");
    let alarm_id = alarm["id"].as_i64().unwrap();
    let linked_before = alarm["devices"].as_array().unwrap().len();
    let other = entries(&register(&app, &officer, s002).await)
        .into_iter()
        .find(|e| e["kind"] == "one_key_alarm")
        .expect("S002's alarm")["id"]
        .as_i64()
        .unwrap();
    let devices = device_count(&app, &t, s001).await;

    // Another school's entry, even for the bureau that sees both schools: not found, and
    // nothing is written.
    for (who, body) in [
        (
            &officer,
            json!({"code": "BJ-X1", "kind": "alarm_button", "name": "x", "equipment_id": other}),
        ),
        (
            &t,
            json!({"code": "BJ-X2", "kind": "alarm_button", "name": "x", "equipment_id": other}),
        ),
        (
            &t,
            json!({"code": "BJ-X3", "kind": "alarm_button", "name": "x", "equipment_id": 999_999_999}),
        ),
    ] {
        let r = new_device(&app, who, s001, body).await;
        expect(&r, 404, "not_found");
    }
    assert_eq!(device_count(&app, &t, s001).await, devices);
    let refused = app
        .audit("action=device.create&result=denied_not_found")
        .await;
    assert_eq!(refused.len(), 3);
    // An entry of another kind, a device that is no equipment, a retired entry: field errors.
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "SP-X1", "kind": "camera", "name": "x", "equipment_id": alarm_id}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["equipment_id"]);
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "YG-X1", "kind": "smoke", "name": "x", "equipment_id": alarm_id}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["equipment_id"]);
    assert_eq!(device_count(&app, &t, s001).await, devices);

    // Its own school's entry: joined, no new entry.
    let count = entries(&reg).len();
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "BJ-T2", "kind": "alarm_button", "name": "门卫室备用报警按钮",
            "equipment_id": alarm_id}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let joined = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["equipment_id"], alarm_id);
    let reg = register(&app, &t, s001).await;
    assert_eq!(entries(&reg).len(), count);
    let codes: Vec<Value> = entry(&reg, alarm_id)["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!(codes.len(), linked_before + 1);
    assert!(codes.contains(&json!("BJ-T2")));

    // Moving a device: onto another school's entry not found, onto its own school's entry of
    // its kind done.
    let path = format!("/api/v1/devices/{joined}");
    let r = app
        .json(
            Method::PATCH,
            &path,
            Some(&t),
            &json!({"equipment_id": other}),
        )
        .await;
    expect(&r, 404, "not_found");
    let north = add_entry(
        &app,
        &t,
        s001,
        json!({"kind": "one_key_alarm", "name": "北门一键报警", "linked_police": true}),
    )
    .await;
    let r = app
        .json(
            Method::PATCH,
            &path,
            Some(&t),
            &json!({"equipment_id": north}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["equipment_id"], north);
    let reg = register(&app, &t, s001).await;
    assert_eq!(entry(&reg, north)["devices"][0]["code"], "BJ-T2");
}

#[tokio::test]
async fn retiring_an_entry_disables_its_devices() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let s001 = app.org_id("S001").await;
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "MJ-T1", "kind": "access_gate", "name": "宿舍楼门禁"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let device = r.json()["id"].as_i64().unwrap();
    let token = r.json()["token"].as_str().unwrap().to_string();
    let eq = r.json()["equipment_id"].as_i64().unwrap();
    assert_eq!(
        app.ingest(&token, json!([ev("a", "heartbeat", 1.0)])).await["accepted"],
        1
    );
    let page = app
        .get(&format!("/schools/{s001}/security-equipment"), Some(&t))
        .await;
    assert!(page.text().contains("retire-devices"), "the form says so");

    // Retired: the device's token is revoked in the same write, each revoke audited.
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/security-equipment/{eq}"),
            Some(&t),
            &json!({"retired": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(entries(&r.json()).iter().all(|e| e["id"] != eq));
    let d = app
        .get(&format!("/api/v1/devices/{device}"), Some(&t))
        .await;
    assert_eq!(d.json()["has_token"], false);
    assert_eq!(d.json()["equipment_id"], eq, "still the entry it was");
    let r = app
        .ingest_raw(
            &format!("Device {token}"),
            serde_json::to_vec(&json!({"events": [ev("b", "heartbeat", 1.0)]})).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let revoked = audit_of(&mut app, "device.revoke", device).await;
    assert_eq!(revoked.len(), 1);
    assert!(
        revoked[0]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("equipment={eq}"))
    );
    let upd = audit_of(&mut app, "security_equipment.update", eq).await;
    assert!(
        upd[0]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("devices_revoked={device}")),
        "{upd:?}"
    );

    // No new token while its entry is retired; a retired entry takes no new device either.
    let r = post_token(&app, &t, device).await;
    expect(&r, 409, "conflict");
    let r = new_device(
        &app,
        &t,
        s001,
        json!({"code": "MJ-T2", "kind": "access_gate", "name": "x", "equipment_id": eq}),
    )
    .await;
    assert_eq!(fields(&expect(&r, 422, "invalid")), ["equipment_id"]);

    // Moved onto an entry in use, it gets a token again and reports.
    let fresh = add_entry(
        &app,
        &t,
        s001,
        json!({"kind": "access_control", "name": "宿舍楼新门禁"}),
    )
    .await;
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/devices/{device}"),
            Some(&t),
            &json!({"equipment_id": fresh}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = post_token(&app, &t, device).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.ingest(&token, json!([ev("c", "heartbeat", 1.0)])).await["accepted"],
        1
    );
}

#[tokio::test]
async fn the_demo_lists_each_piece_of_equipment_once() {
    let mut app = TestApp::new().await;
    let t = app.login("city.officer").await;
    let r = app.get("/api/v1/schools?per_page=200", Some(&t)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let schools: Vec<i64> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert!(schools.len() > 5);
    let mut linked = 0;
    for s in schools {
        let reg = register(&app, &t, s).await;
        let es = entries(&reg);
        let r = app
            .get(&format!("/api/v1/schools/{s}/devices"), Some(&t))
            .await;
        for d in r.json().as_array().unwrap() {
            let equipment = matches!(
                d["kind"].as_str().unwrap(),
                "camera" | "alarm_button" | "access_gate"
            );
            if !equipment {
                assert!(d["equipment_id"].is_null(), "{d}");
                continue;
            }
            let eq = d["equipment_id"]
                .as_i64()
                .expect("every such device is an entry");
            let e = entry(&reg, eq);
            assert!(
                e["devices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["id"] == d["id"])
            );
            // No second entry of the same kind and name beside it.
            let twins = es
                .iter()
                .filter(|x| x["kind"] == e["kind"] && x["name"] == e["name"])
                .count();
            assert_eq!(twins, 1, "{e}");
            linked += 1;
        }
        // The demo's gatehouse alarm is the device BJ-01, listed once.
        let alarms: Vec<&Value> = es.iter().filter(|e| e["kind"] == "one_key_alarm").collect();
        assert_eq!(alarms.len(), 1, "{reg}");
        assert!(
            alarms[0]["devices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "BJ-01"),
            "{reg}"
        );
        assert!(!gap_codes(&reg).contains(&"no_one_key_alarm".to_string()));
    }
    assert!(linked > 10);
}

/// The registration form's choice of entries (the `<select>` only).
fn entry_select(page: &str) -> &str {
    let at = page
        .find("id=\"device-equipment\"")
        .expect("the entry select");
    let end = page[at..].find("</select>").expect("its end") + at;
    &page[at..end]
}

#[tokio::test]
async fn the_registration_page_joins_an_entry_of_the_school_or_makes_a_new_one() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.safety").await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let s002 = app.org_id("S002").await;
    let reg = register(&app, &t, s001).await;
    let id_of = |reg: &Value, kind: &str| {
        entries(reg)
            .into_iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("a {kind} entry in {reg}"))["id"]
            .as_i64()
            .unwrap()
    };
    let alarm = id_of(&reg, "one_key_alarm");
    let camera = id_of(&reg, "camera");
    let guard = id_of(&reg, "guard");
    let perimeter = id_of(&reg, "perimeter");
    let other = id_of(&register(&app, &officer, s002).await, "one_key_alarm");

    // The form offers the school's entries of the kinds a device may be, and a new entry;
    // not its guards or walls, not another school's entries.
    let list = format!("/schools/{s001}/devices");
    let page = app.get(&list, Some(&t)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    let select = entry_select(&html);
    assert!(select.contains("<option value=\"\">新建台账条目</option>"));
    for id in [alarm, camera] {
        assert!(
            select.contains(&format!("value=\"{id}\"")),
            "{id}: {select}"
        );
    }
    for id in [guard, perimeter, other] {
        assert!(
            !select.contains(&format!("value=\"{id}\"")),
            "{id}: {select}"
        );
    }
    // A role that may only read devices gets no form.
    let staff = app.login("s001.staff").await;
    let page = app.get(&list, Some(&staff)).await.text();
    assert!(!page.contains("device-equipment"));

    // Joining the gatehouse alarm: no new entry, the device listed with it.
    let new = format!("/schools/{s001}/devices/new");
    let count = entries(&reg).len();
    let alarm_s = alarm.to_string();
    let r = app
        .form(
            &new,
            Some(&t),
            &[
                ("code", "BJ-P1"),
                ("name", "门卫室备用一键报警"),
                ("kind", "alarm_button"),
                ("zone_id", ""),
                ("equipment_id", &alarm_s),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("id=\"device-token\""));
    let reg = register(&app, &t, s001).await;
    assert_eq!(entries(&reg).len(), count);
    let joined = entry(&reg, alarm)["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "BJ-P1")
        .expect("listed with the alarm")["id"]
        .as_i64()
        .unwrap();
    // "A new entry": a camera entry of its own.
    let r = app
        .form(
            &new,
            Some(&t),
            &[
                ("code", "SP-P1"),
                ("name", "北门摄像机"),
                ("kind", "camera"),
                ("equipment_id", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let reg = register(&app, &t, s001).await;
    assert_eq!(entries(&reg).len(), count + 1);
    assert!(
        entries(&reg)
            .iter()
            .any(|e| e["kind"] == "camera" && e["name"] == "北门摄像机")
    );

    // Refused on the form, the input kept: an entry of another kind, a device that is no
    // equipment, a retired entry.
    let devices = device_count(&app, &t, s001).await;
    for (kind, code, message) in [
        ("camera", "SP-P2", "所选台账条目的类型与设备类型不符"),
        (
            "smoke",
            "YG-P2",
            "只有摄像机、一键报警按钮和门禁闸机属于安防设施",
        ),
    ] {
        let r = app
            .form(
                &new,
                Some(&t),
                &[
                    ("code", code),
                    ("name", "待登记设备"),
                    ("kind", kind),
                    ("equipment_id", &alarm_s),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}");
        let html = r.text();
        assert!(html.contains(message), "{kind}: the reason on the form");
        assert!(html.contains(&format!("value=\"{code}\"")), "the code kept");
        assert!(html.contains("value=\"待登记设备\""), "the name kept");
        assert!(
            entry_select(&html).contains(&format!("value=\"{alarm}\" selected")),
            "the entry kept"
        );
    }
    let old = add_entry(
        &app,
        &t,
        s001,
        json!({"kind": "one_key_alarm", "name": "旧北门报警", "linked_police": true}),
    )
    .await;
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/security-equipment/{old}"),
            Some(&t),
            &json!({"retired": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = app.get(&list, Some(&t)).await.text();
    assert!(
        !entry_select(&page).contains(&format!("value=\"{old}\"")),
        "a retired entry is not offered"
    );
    let old_s = old.to_string();
    let r = app
        .form(
            &new,
            Some(&t),
            &[
                ("code", "BJ-P3"),
                ("name", "北门报警"),
                ("kind", "alarm_button"),
                ("equipment_id", &old_s),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("该设备对应的安防设施已注销"));
    // Another school's entry, or one that does not exist: not found.
    for id in [other.to_string(), "999999999".into(), "x".into()] {
        let r = app
            .form(
                &new,
                Some(&t),
                &[
                    ("code", "BJ-P4"),
                    ("name", "x"),
                    ("kind", "alarm_button"),
                    ("equipment_id", &id),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
    }
    assert_eq!(device_count(&app, &t, s001).await, devices);

    // The device's page names its entry and links to its row of the register; the register
    // links each device to its page.
    let page = app.get(&format!("/devices/{joined}"), Some(&t)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("id=\"device-equipment\""));
    assert!(
        html.contains(&format!(
            "href=\"/schools/{s001}/security-equipment#entry-{alarm}\""
        )),
        "the link to the entry's row"
    );
    let reg_page = app
        .get(&format!("/schools/{s001}/security-equipment"), Some(&t))
        .await
        .text();
    assert!(reg_page.contains(&format!("id=\"entry-{alarm}\"")));
    assert!(reg_page.contains(&format!("href=\"/devices/{joined}\"")));
    // A device of a retired entry: the register's page (the entry has no row there), marked.
    let lone = app.s001_device("access_gate", "MJ-P6").await.0;
    let lone_entry = app
        .get(&format!("/api/v1/devices/{lone}"), Some(&t))
        .await
        .json()["equipment_id"]
        .as_i64()
        .unwrap();
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/security-equipment/{lone_entry}"),
            Some(&t),
            &json!({"retired": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = app.get(&format!("/devices/{lone}"), Some(&t)).await.text();
    assert!(html.contains(&format!("href=\"/schools/{s001}/security-equipment\"")));
    assert!(html.contains("已注销"));
    // A smoke detector is no entry: its page names none.
    let (smoke, _) = app.s001_device("smoke", "YG-P7").await;
    let html = app.get(&format!("/devices/{smoke}"), Some(&t)).await.text();
    assert!(!html.contains("id=\"device-equipment\""));
}

#[tokio::test]
async fn only_access_control_at_a_dormitory_meets_the_boarding_rule() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    // The demo's boarding school: its access gate stands at the school gate, so the
    // dormitory's access control is missing.
    let school = app.org_id("S020").await;
    let reg = register(&app, &t, school).await;
    assert!(
        entries(&reg).iter().any(|e| e["kind"] == "access_control"
            && e["devices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "MJ-01")),
        "{reg}"
    );
    assert!(
        gap_codes(&reg).contains(&"no_dorm_access_control".to_string()),
        "{reg}"
    );
    // So does the bureau's roll-up.
    let roll = app.get("/api/v1/security-equipment", Some(&t)).await.json();
    let row = roll["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["school"]["id"] == school)
        .cloned()
        .expect("S020 in the roll-up");
    assert!(
        row["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["code"] == "no_dorm_access_control")
    );
    // An access gate on a floor of the dormitory building (a zone within a dormitory zone,
    // named without the word): the rule is met.
    let zones = app
        .get(&format!("/api/v1/schools/{school}/zones"), Some(&t))
        .await
        .json();
    let dorm = zones
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone_type"] == "dormitory")
        .expect("the boarding school's dormitory")["id"]
        .as_i64()
        .unwrap();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/schools/{school}/zones"),
            Some(&t),
            &json!({"code": "B2F", "name": "B栋二层", "zone_type": "floor", "parent_id": dorm}),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let floor = r.json()["id"].as_i64().unwrap();
    let r = new_device(
        &app,
        &t,
        school,
        json!({"code": "MJ-D1", "kind": "access_gate", "name": "B栋二层门禁", "zone_id": floor}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let reg = register(&app, &t, school).await;
    assert!(
        !gap_codes(&reg).contains(&"no_dorm_access_control".to_string()),
        "{reg}"
    );
}
