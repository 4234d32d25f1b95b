mod common;
use common::TestApp;

#[tokio::test]
async fn demo_seeds_and_principal_sees_own_school() {
    let mut app = TestApp::new().await;
    let t = app.login("s001.principal").await;
    let r = app.get("/api/v1/schools", Some(&t)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total"], 1);
}
