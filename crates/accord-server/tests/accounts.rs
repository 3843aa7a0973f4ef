//! Accounts, sessions and the API's error contract, through the router.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::json;

use common::App;

#[tokio::test]
async fn login_me_logout_and_revocation() {
    for app in App::all().await {
        let backend = app.backend();
        let me = app.get("/api/me", &app.mediator).await;
        assert_eq!(me.status, StatusCode::OK, "{backend}");
        assert_eq!(me.body["role"], "mediator");
        assert!(me.body.get("password_hash").is_none());

        let observer = app.account("watcher", "observer", None, None).await;
        assert_eq!(app.get("/api/me", &observer).await.body["role"], "observer");
        // Observers may not manage accounts.
        assert_eq!(
            app.get("/api/accounts", &observer).await.status,
            StatusCode::FORBIDDEN
        );

        // Logging out revokes the token at once.
        let out = app
            .send(Method::POST, "/api/logout", Some(&observer), None)
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT, "{backend}");
        assert_eq!(
            app.get("/api/me", &observer).await.status,
            StatusCode::UNAUTHORIZED
        );

        // Disabling an account revokes its sessions, and it can no longer log in.
        let observer = app.login("watcher", "watcher-password").await;
        let accounts = app.get("/api/accounts", &app.mediator).await;
        let id = accounts
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == "watcher")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let off = app
            .patch(
                &format!("/api/accounts/{id}"),
                &app.mediator,
                &json!({ "active": false }),
            )
            .await;
        assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
        assert_eq!(
            app.get("/api/me", &observer).await.status,
            StatusCode::UNAUTHORIZED
        );
        let again = app
            .send(
                Method::POST,
                "/api/login",
                None,
                Some(&json!({ "username": "watcher", "password": "watcher-password" })),
            )
            .await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn bad_requests_name_the_field() {
    let app = App::sqlite().await;
    let short = app
        .post(
            "/api/accounts",
            &app.mediator,
            &json!({ "username": "x", "role": "observer", "password": "short" }),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.body["error"]["field"], "password");

    let wrong_type = app
        .post(
            "/api/accounts",
            &app.mediator,
            &json!({ "username": 7, "role": "observer" }),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_type.body["error"]["field"], "username");

    let role = app
        .post(
            "/api/accounts",
            &app.mediator,
            &json!({ "username": "someone", "role": "king" }),
        )
        .await;
    assert_eq!(role.body["error"]["field"], "role");

    let taken = app
        .post(
            "/api/accounts",
            &app.mediator,
            &json!({ "username": "mediator", "role": "observer" }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{:?}", taken.body);

    let garbage = app
        .send_raw(
            axum::http::Request::post("/api/login")
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);

    let huge = "x".repeat(accord_server::json::BODY_LIMIT + 10);
    let too_large = app
        .send_raw(
            axum::http::Request::post("/api/login")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(huge))
                .unwrap(),
        )
        .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(
        app.get("/api/nowhere", &app.mediator).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/accounts/none", &app.mediator).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let missing = app
        .patch(
            "/api/accounts/none",
            &app.mediator,
            &json!({ "active": true }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let no_token = app.send(Method::GET, "/api/me", None, None).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn login_is_rate_limited() {
    let app = App::sqlite().await;
    let mut statuses = Vec::new();
    for _ in 0..15 {
        let answer = app
            .send(
                Method::POST,
                "/api/login",
                None,
                Some(&json!({ "username": "mediator", "password": "wrong-password" })),
            )
            .await;
        statuses.push(answer.status);
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            // Never "come back now" while still refusing: at least a second, and the
            // message says the same.
            let wait: u64 = answer.headers[axum::http::header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(wait >= 1, "{:?}", answer.body);
            let message = answer.body["error"]["message"].as_str().unwrap();
            assert!(message.ends_with(&format!(" {wait} s")), "{message}");
        }
    }
    assert!(statuses.contains(&StatusCode::UNAUTHORIZED));
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    let app = App::sqlite().await;
    let doc = app.send(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/login", "/api/me", "/api/accounts"] {
        assert!(doc.body["paths"].get(path).is_some(), "{path} missing");
    }
}
