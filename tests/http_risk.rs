mod common;
use common::TestApp;

#[tokio::test]
async fn explore() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("bureau.officer").await;
    let r = app.get("/api/v1/risk-catalog?per_page=1", Some(&t)).await;
    println!("CAT {} {}", r.status, r.text());
    let r = app
        .get(&format!("/api/v1/schools/{s001}/risk-points"), Some(&t))
        .await;
    let j = r.json();
    println!(
        "REG total {} counts {} due {}",
        j["total"], j["counts"], j["review_due"]
    );
    println!("ITEM0 {}", j["items"][0]);
    let id = j["items"][0]["id"].as_i64().unwrap();
    let r = app
        .get(&format!("/api/v1/risk-points/{id}"), Some(&t))
        .await;
    println!("POINT {}", r.text());
    let r = app
        .get(&format!("/api/v1/schools/{s001}/zones"), Some(&t))
        .await;
    println!("ZONES {}", r.text());
    let r = app.get("/api/v1/risk-summary", Some(&t)).await;
    println!("SUM {}", &r.text()[..600]);
    let c = app.login("city.officer").await;
    let r = app.get("/api/v1/risk-catalog?per_page=1", Some(&c)).await;
    println!(
        "CITYCAT {} {}",
        r.status,
        &r.text()[..r.text().len().min(600)]
    );
    let r = app.get("/api/v1/risk-summary", Some(&c)).await;
    println!("CITYSUM {} {}", r.status, r.text());
    let r = app.get(&format!("/api/v1/schools/{s001}"), Some(&t)).await;
    println!("SCHOOL {}", r.text());
}
