//! A case with a point of 10^12 values (valid input): every view of it answers, for the
//! mediator and for a party member, without visiting its values one by one.

mod common;

use axum::http::StatusCode;

use common::App;

const WIDE: &str = r#"
name = "wide"
[[points]]
id = "cap"
range = { min = 0, max = 1000000000000 }
[[points]]
id = "c"
options = ["x", "y"]
[[parties]]
id = "a"
[parties.position]
weights = { cap = 1, c = 1 }
[parties.position.ratings]
cap = [[0, 0], [100, 1]]
c = { x = 1, y = 0 }
[[parties.position.red_lines]]
point = "cap"
min = 10
[[parties]]
id = "b"
[parties.position]
weights = { cap = 1, c = 1 }
[parties.position.ratings]
cap = [[0, 1], [100, 0]]
c = { x = 0, y = 1 }
[[parties]]
id = "m"
role = "mediator"
"#;

#[tokio::test]
async fn a_range_of_a_trillion_values_answers_every_view() {
    for app in App::all().await {
        let backend = app.backend();
        let case = app.import(WIDE).await;
        let c = format!("/api/cases/{case}");
        let analysis = app.get(&format!("{c}/analysis"), &app.mediator).await;
        assert_eq!(
            analysis.status,
            StatusCode::OK,
            "{backend}: {:?}",
            analysis.body
        );
        assert_eq!(analysis.body["status"], "exact", "{backend}");
        let member = app
            .account("a-member", "party", Some(&case), Some("a"))
            .await;
        for path in [format!("{c}/analysis"), c.clone(), format!("{c}/points")] {
            let answer = app.get(&path, &member).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "{backend} {path}: {:?}",
                answer.body
            );
        }
        for path in [format!("/cases/{case}"), format!("/cases/{case}/position")] {
            let page = app
                .send_raw(
                    axum::http::Request::builder()
                        .uri(&path)
                        .header("cookie", format!("accord_session={member}"))
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(page.status, StatusCode::OK, "{backend} {path}");
        }
        let page = app
            .send_raw(
                axum::http::Request::builder()
                    .uri(format!("/cases/{case}"))
                    .header("cookie", format!("accord_session={}", app.mediator))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend} mediator page");
    }
}
