mod common;
#[tokio::test]
async fn dump() {
    let mut app = common::TestApp::new().await;
    for who in ["bureau.officer", "city.officer"] {
        let t = app.login(who).await;
        for (name, path) in [("screen", "/api/v1/screen"), ("index", "/api/v1/risk-index"), ("warnings", "/api/v1/warnings?open=true&per_page=200")] {
            let r = app.get(path, Some(&t)).await;
            std::fs::write(format!("/tmp/scr_{who}_{name}.json"), r.text()).unwrap();
        }
        let r = app.get("/screen", Some(&t)).await;
        std::fs::write(format!("/tmp/scr_{who}_page.html"), r.text()).unwrap();
    }
}
