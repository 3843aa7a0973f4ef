//! Writes that race: a party saving its position while the mediator changes a point it
//! rates, and the mediator tabling and publishing a draft at once. Each write is checked
//! against the case as the other leaves it, so whichever comes second is refused when the
//! two do not fit together; the stored case always reads, and no write answers 500.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use common::{App, LABOUR};

const ROUNDS: usize = 40;

/// A PUT on its own task, so that it runs beside the others on the runtime's threads.
fn spawn_put(
    app: &App,
    path: &str,
    token: &str,
    body: &Value,
) -> tokio::task::JoinHandle<(StatusCode, String)> {
    let router = app.router.clone();
    let request = Request::builder()
        .method(Method::PUT)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    tokio::spawn(async move {
        let response = router.oneshot(request).await.expect("infallible router");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    })
}

/// The labour example where the employer neither rates nor draws a red line on `remote`,
/// so that only the union's position stands in the way of changing its options.
fn only_the_union_rates_remote() -> String {
    let text = LABOUR
        .replace(
            "weights = { wage = 10, hours = 5, remote = 3, pension = 6, length = 4 }",
            "weights = { wage = 10, hours = 5, pension = 6, length = 4 }",
        )
        .replace("remote = { none = 6, 1-day = 10, 2-days = 7, 3-days = 2 }\n", "")
        .replace(
            "[[parties.position.red_lines]]\n# Three remote days only with a longer week.\nif = { point = \"remote\", is = [\"3-days\"] }\npoint = \"hours\"\nmin = 39\n",
            "",
        );
    assert!(!text.contains("3-days = 2") && !text.contains("is = [\"3-days\"]"));
    text
}

fn remote(options: &[&str]) -> Value {
    json!({ "id": "remote", "title": "Remote work", "options": options })
}

/// The union's position, weighing `remote` (rating all four of its options) or not.
fn union_position(weighs_remote: bool) -> Value {
    let mut position = json!({
        "reservation_value": 0.3,
        "weights": { "wage": 10, "hours": 6, "pension": 5, "length": 3 },
        "ratings": {
            "wage": { "+2%": 0, "+3%": 4, "+4%": 8, "+5%": 10 },
            "hours": [[35, 10], [40, 0]],
            "pension": { "5%": 0, "6%": 6, "7%": 10 },
            "length": { "1-year": 4, "2-years": 10, "3-years": 6 }
        }
    });
    if weighs_remote {
        position["weights"]["remote"] = json!(4);
        position["ratings"]["remote"] = json!({ "none": 0, "1-day": 5, "2-days": 9, "3-days": 10 });
    }
    position
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_position_and_a_point_saved_at_once_never_leave_a_case_that_does_not_read() {
    for app in App::all().await {
        let backend = app.backend();
        let case = app.import(&only_the_union_rates_remote()).await;
        let c = format!("/api/cases/{case}");
        // The import wrote every point's ratings, zeros included: the employer's stored
        // position rates `remote` too. Its member saves it without.
        let employer = app
            .account("employer-member", "party", Some(&case), Some("employer"))
            .await;
        let path = format!("{c}/parties/employer/position");
        let mut position = app.get(&path, &employer).await.body["position"].clone();
        position["weights"]
            .as_object_mut()
            .unwrap()
            .remove("remote");
        position["ratings"]
            .as_object_mut()
            .unwrap()
            .remove("remote");
        let saved = app.put(&path, &employer, &position).await;
        assert_eq!(saved.status, StatusCode::OK, "{backend}: {:?}", saved.body);
        let union = app
            .account("union-member", "party", Some(&case), Some("union"))
            .await;
        let (mut both, mut refused) = (0, 0);
        for round in 0..ROUNDS {
            // A state where both writes fit alone: the union does not weigh `remote`, which
            // has four options.
            let reset = app
                .put(
                    &format!("{c}/parties/union/position"),
                    &union,
                    &union_position(false),
                )
                .await;
            assert_eq!(reset.status, StatusCode::OK, "{backend}: {:?}", reset.body);
            let four = app
                .put(
                    &format!("{c}/points/remote"),
                    &app.mediator,
                    &remote(&["none", "1-day", "2-days", "3-days"]),
                )
                .await;
            assert_eq!(four.status, StatusCode::OK, "{backend}: {:?}", four.body);
            // At once: the union rates `3-days`, the mediator drops it.
            let position_path = format!("{c}/parties/union/position");
            let point_path = format!("{c}/points/remote");
            let rated = union_position(true);
            let three = remote(&["none", "1-day", "2-days"]);
            // The mediator's request does more before it reads the case: it goes first, the
            // party's a little later each round, so that the two overlap in some rounds.
            let point = spawn_put(&app, &point_path, &app.mediator, &three);
            tokio::time::sleep(std::time::Duration::from_micros(50 * round as u64)).await;
            let position = spawn_put(&app, &position_path, &union, &rated);
            let (position, point) = (position.await.unwrap(), point.await.unwrap());
            for (status, body) in [&position, &point] {
                assert!(
                    *status == StatusCode::OK || *status == StatusCode::UNPROCESSABLE_ENTITY,
                    "{backend} round {round}: {status} {body}"
                );
            }
            if position.0 == StatusCode::OK && point.0 == StatusCode::OK {
                both += 1;
            } else {
                refused += 1;
            }
            // The stored case reads: the mediator's export and analysis answer.
            let export = app.get(&format!("{c}/export"), &app.mediator).await;
            assert_eq!(
                export.status,
                StatusCode::OK,
                "{backend} round {round}: {:?}",
                export.body
            );
            let analysis = app.get(&format!("{c}/analysis"), &app.mediator).await;
            assert_eq!(analysis.status, StatusCode::OK, "{backend} round {round}");
        }
        assert_eq!(both, 0, "{backend}: both writes went in {both} times");
        assert_eq!(refused, ROUNDS, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tabling_and_publishing_at_once_never_answer_500() {
    for app in App::all().await {
        let backend = app.backend();
        let case = app.import(LABOUR).await;
        let c = format!("/api/cases/{case}");
        for _ in 0..20 {
            let table = format!("{c}/drafts/1/table");
            let publish = format!("{c}/drafts/1/publish");
            let token = Some(app.mediator.as_str());
            let answers = tokio::join!(
                app.send(Method::POST, &table, token, None),
                app.send(Method::POST, &publish, token, None),
                app.send(Method::POST, &table, token, None),
                app.send(Method::POST, &publish, token, None),
            );
            for answer in [answers.0, answers.1, answers.2, answers.3] {
                assert_eq!(
                    answer.status,
                    StatusCode::OK,
                    "{backend}: {:?}",
                    answer.body
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_for_one_analysis_share_it() {
    let app = App::sqlite().await;
    let case = app.import(common::PEACE).await;
    let path = format!("/api/cases/{case}/analysis");
    let requests: Vec<_> = (0..12)
        .map(|_| {
            let router = app.router.clone();
            let request = Request::builder()
                .uri(&path)
                .header(header::AUTHORIZATION, format!("Bearer {}", app.mediator))
                .body(Body::empty())
                .unwrap();
            tokio::spawn(async move {
                let response = router.oneshot(request).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                (status, bytes)
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for request in requests {
        let (status, bytes) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        bodies.push(bytes);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "one analysis, shared"
    );
}
