//! A logged-in browser cannot be made to write from another site: a write carrying the
//! session cookie must come from the server's own pages (`Sec-Fetch-Site` or `Origin`);
//! clients with a bearer token pass. And API answers are never cached.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt as _;

use common::{App, LABOUR};

/// Sends a case import with the given credentials and browser headers; the status and the
/// `Cache-Control` header.
async fn import(app: &App, cookie: bool, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/cases")
        .header(header::HOST, "accord.example:8080")
        // The simple request a form on another site can send: no preflight.
        .header(header::CONTENT_TYPE, "text/plain");
    request = if cookie {
        request.header(header::COOKIE, format!("accord_session={}", app.mediator))
    } else {
        request.header(header::AUTHORIZATION, format!("Bearer {}", app.mediator))
    };
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = json!({ "format": "toml", "text": LABOUR }).to_string();
    let response = app
        .router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let cache = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (response.status(), cache)
}

#[tokio::test]
async fn cookie_writes_from_another_site_are_refused() {
    let app = App::sqlite().await;
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "cross-site")],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://accord.example:8080"),
        ],
    ] {
        let (status, _) = import(&app, true, headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    for headers in [
        &[("origin", "https://accord.example:8080")][..],
        &[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://accord.example:8080"),
        ],
        // A client that is not a browser sends neither.
        &[],
    ] {
        let (status, cache) = import(&app, true, headers).await;
        assert_eq!(status, StatusCode::CREATED, "{headers:?}");
        assert_eq!(cache, "no-store");
    }
    // A bearer token is no ambient credential: any origin.
    let (status, _) = import(&app, false, &[("origin", "https://elsewhere.example")]).await;
    assert_eq!(status, StatusCode::CREATED);
    // Reads carry positions: never cached.
    let response = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/api/cases")
                .header(header::AUTHORIZATION, format!("Bearer {}", app.mediator))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
}
