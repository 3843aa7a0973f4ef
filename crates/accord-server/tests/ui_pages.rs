//! The web pages of party members and observers, the login and the case list, through the
//! router with a session cookie: who may open which page, what each page shows and hides,
//! and the forms (login, response, position editor with its check).

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::json;
use tower::ServiceExt as _;

use common::{App, LABOUR};

// A page's answer: status, headers and text.
use common::PageReply as Reply;

/// Sends a page request with the session cookie of `token` (if any) and a form body (if
/// any).
async fn page(
    app: &App,
    method: Method,
    path: &str,
    token: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Reply {
    app.page(method, path, token, form).await
}

/// Posts a form as htmx does (with `HX-Request`).
async fn htmx_post(app: &App, path: &str, token: Option<&str>, form: &[(&str, &str)]) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("hx-request", "true")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(token) = token {
        request = request.header(header::COOKIE, format!("accord_session={token}"));
    }
    let request = request
        .body(Body::from(common::form_encode(form)))
        .expect("request");
    let response = app.router.clone().oneshot(request).await.expect("router");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        location: None,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &App, path: &str, token: &str) -> Reply {
    page(app, Method::GET, path, Some(token), None).await
}

async fn post(app: &App, path: &str, token: &str, form: &[(&str, &str)]) -> Reply {
    page(app, Method::POST, path, Some(token), Some(form)).await
}

async fn import(app: &App) -> String {
    let answer = app
        .post(
            "/api/cases",
            &app.mediator,
            &json!({ "format": "toml", "text": LABOUR }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    answer.body["id"].as_str().unwrap().to_string()
}

/// Writes draft 2 of the labour contract (with a package) as the mediator; tables it when
/// asked.
async fn draft_two(app: &App, case: &str, table: bool) {
    let first = app
        .get(&format!("/api/cases/{case}/drafts/1"), &app.mediator)
        .await;
    let mut points = first.body["points"].as_array().unwrap().clone();
    points[1]["text"] = json!("Standard hours per week, overtime paid at time and a half.");
    let body = json!({ "note": "overtime clause", "points": points,
        "package": { "wage": "+3%", "hours": 38, "remote": "1-day",
                     "pension": "6%", "length": "2-years" } });
    let answer = app
        .post(&format!("/api/cases/{case}/drafts"), &app.mediator, &body)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    if table {
        let answer = app
            .post(
                &format!("/api/cases/{case}/drafts/2/table"),
                &app.mediator,
                &json!({}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    }
}

/// Gives the employer a position with a marker no other page may show.
async fn mark_employer(app: &App, case: &str) {
    let path = format!("/api/cases/{case}/parties/employer/position");
    let mut position = app.get(&path, &app.mediator).await.body["position"].clone();
    position["reservation_value"] = json!(0.4173);
    let answer = app.put(&path, &app.mediator, &position).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
}

/// The union's position as the editor's form fields (what the page would post).
fn union_form(weight_of_wage: &str) -> Vec<(String, String)> {
    let mut fields = vec![
        ("reservation_value".to_string(), "0.45".to_string()),
        ("weight.wage".into(), weight_of_wage.into()),
        ("weight.hours".into(), "6".into()),
        ("weight.remote".into(), "4".into()),
        ("weight.pension".into(), "5".into()),
        ("weight.length".into(), "3".into()),
        ("rating.hours".into(), "35:10, 40:0".into()),
    ];
    for (point, ratings) in [
        (
            "wage",
            &[("+2%", "0"), ("+3%", "4"), ("+4%", "8"), ("+5%", "10")][..],
        ),
        (
            "remote",
            &[
                ("none", "0"),
                ("1-day", "5"),
                ("2-days", "9"),
                ("3-days", "10"),
            ][..],
        ),
        ("pension", &[("5%", "0"), ("6%", "6"), ("7%", "10")][..]),
        (
            "length",
            &[("1-year", "4"), ("2-years", "10"), ("3-years", "6")][..],
        ),
    ] {
        for (option, rating) in ratings {
            fields.push((format!("rating.{point}.{option}"), (*rating).to_string()));
        }
    }
    for (k, (point, kind, values, condition)) in [
        ("wage", "not", "+2%", ""),
        ("wage", "only", "+4%, +5%", "length is 3-years"),
        ("", "not", "", ""),
    ]
    .iter()
    .enumerate()
    {
        fields.push((format!("red_line.{k}.point"), (*point).to_string()));
        fields.push((format!("red_line.{k}.kind"), (*kind).to_string()));
        fields.push((format!("red_line.{k}.values"), (*values).to_string()));
        fields.push((format!("red_line.{k}.if"), (*condition).to_string()));
    }
    fields
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn login_sets_the_session_cookie_and_logout_clears_it() {
    for app in App::all().await {
        let backend = app.backend();
        let case = import(&app).await;
        app.account("unionist", "party", Some(&case), Some("union"))
            .await;

        let form = page(&app, Method::GET, "/login", None, None).await;
        assert_eq!(form.status, StatusCode::OK, "{backend}");
        assert!(form.text.contains(r#"<label for="username">"#), "{backend}");
        assert!(form.text.contains(r#"name="password""#), "{backend}");

        let wrong = page(
            &app,
            Method::POST,
            "/login",
            None,
            Some(&[("username", "unionist"), ("password", "not-the-password")]),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{backend}");
        assert!(
            wrong.text.contains("wrong username or password"),
            "{backend}"
        );
        assert!(wrong.headers.get(header::SET_COOKIE).is_none(), "{backend}");

        let login = page(
            &app,
            Method::POST,
            "/login",
            None,
            Some(&[("username", "unionist"), ("password", "unionist-password")]),
        )
        .await;
        assert_eq!(login.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(login.location(), "/", "{backend}");
        let cookie = login.headers[header::SET_COOKIE].to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(part), "{backend}: {cookie}");
        }
        let token = cookie
            .strip_prefix("accord_session=")
            .and_then(|rest| rest.split(';').next())
            .unwrap()
            .to_string();
        assert_eq!(token.len(), 64, "{backend}: {cookie}");

        // The case list: who is logged in, a logout button, and its one case.
        let home = get(&app, "/", &token).await;
        assert_eq!(home.status, StatusCode::OK, "{backend}");
        assert!(home.text.contains("unionist"), "{backend}");
        assert!(home.text.contains("Log out"), "{backend}");
        assert!(
            home.text.contains(&format!(r#"href="/cases/{case}""#)),
            "{backend}"
        );
        assert!(home.text.contains("Labour contract"), "{backend}");
        assert_eq!(home.headers[header::CACHE_CONTROL], "no-store", "{backend}");

        let logout = post(&app, "/logout", &token, &[]).await;
        assert_eq!(logout.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(logout.location(), "/login", "{backend}");
        let cleared = logout.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cleared.contains("Max-Age=0"), "{backend}: {cleared}");
        let after = get(&app, "/", &token).await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(after.location(), "/login", "{backend}");
    }
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_the_login() {
    let app = App::sqlite().await;
    let case = import(&app).await;
    for path in [
        "/".to_string(),
        format!("/cases/{case}"),
        format!("/cases/{case}/position"),
    ] {
        let reply = page(&app, Method::GET, &path, None, None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.location(), "/login", "{path}");
        let stale = get(&app, &path, "0123456789abcdef").await;
        assert_eq!(stale.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(stale.location(), "/login", "{path}");
    }
    let respond = page(
        &app,
        Method::POST,
        &format!("/cases/{case}/drafts/1/respond"),
        None,
        Some(&[("verdict.wage", "accept")]),
    )
    .await;
    assert_eq!(respond.status, StatusCode::SEE_OTHER);
    assert_eq!(respond.location(), "/login");

    // The static files need no session, and may be cached.
    let htmx = page(&app, Method::GET, "/static/htmx.min.js", None, None).await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert!(
        htmx.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(htmx.text.contains("htmx"));
    let css = page(&app, Method::GET, "/static/style.css", None, None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        css.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[tokio::test]
async fn a_party_member_sees_its_own_position_and_the_tabled_draft_only() {
    for app in App::all().await {
        let backend = app.backend();
        let case = import(&app).await;
        let other = import(&app).await;
        draft_two(&app, &case, true).await;
        mark_employer(&app, &case).await;
        let union = app
            .account("unionist", "party", Some(&case), Some("union"))
            .await;

        let view = get(&app, &format!("/cases/{case}"), &union).await;
        assert_eq!(view.status, StatusCode::OK, "{backend}: {}", view.text);
        // Its own position: reservation value, weights, red lines, and the editor link.
        assert!(view.text.contains("Your position"), "{backend}");
        assert!(view.text.contains("0.45"), "{backend}");
        assert!(
            view.text.contains("Wage increase must not be “+2%”"),
            "{backend}"
        );
        assert!(
            view.text
                .contains(&format!(r#"href="/cases/{case}/position""#)),
            "{backend}"
        );
        // The tabled draft, with one response form for every point.
        assert!(view.text.contains("Draft 2, tabled"), "{backend}");
        assert!(
            view.text.contains("overtime paid at time and a half"),
            "{backend}"
        );
        for point in ["wage", "hours", "remote", "pension", "length"] {
            assert!(
                view.text
                    .contains(&format!(r#"name="verdict.{point}" value="accept""#)),
                "{backend}: {point}"
            );
            assert!(
                view.text.contains(&format!(r#"name="amendment.{point}""#)),
                "{backend}: {point}"
            );
            assert!(
                view.text.contains(&format!(r#"name="comment.{point}""#)),
                "{backend}: {point}"
            );
        }
        assert!(
            view.text
                .contains(&format!(r#"action="/cases/{case}/drafts/2/respond""#)),
            "{backend}"
        );
        // Its own utility for the draft's package.
        assert!(
            view.text.contains("The package of draft 2 gives you"),
            "{backend}"
        );
        // Nothing of the employer's position.
        assert!(!view.text.contains("0.4173"), "{backend}");
        assert!(!view.text.contains("at least 37"), "{backend}");

        // The editor shows its own position, as form fields.
        let editor = get(&app, &format!("/cases/{case}/position"), &union).await;
        assert_eq!(editor.status, StatusCode::OK, "{backend}");
        let own = app
            .get(&format!("/api/cases/{case}/parties/union/position"), &union)
            .await
            .body["position"]
            .clone();
        // Numbers as people write them: `1`, not `1.0`.
        let number = |value: &serde_json::Value| value.as_f64().unwrap().to_string();
        let weight = format!(
            r#"name="weight.wage" type="text" inputmode="decimal" size="10" value="{}""#,
            number(&own["weights"]["wage"])
        );
        assert!(editor.text.contains(&weight), "{backend}: {weight}");
        let hours = &own["ratings"]["hours"];
        let hours = format!(
            r#"value="{}:{}, {}:{}""#,
            number(&hours[0][0]),
            number(&hours[0][1]),
            number(&hours[1][0]),
            number(&hours[1][1])
        );
        assert_eq!(hours, r#"value="35:1, 40:0""#, "{backend}");
        assert!(editor.text.contains(&hours), "{backend}: {hours}");
        assert!(!editor.text.contains("0.4173"), "{backend}");

        // Another party's position, by URL: refused, never shown; another case: unknown.
        for path in [
            format!("/cases/{case}/position?party=employer"),
            format!("/cases/{case}/position?party=mediator"),
            format!("/cases/{case}/position?party=nobody"),
        ] {
            let reply = get(&app, &path, &union).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{backend}: {path}");
            assert!(!reply.text.contains("0.4173"), "{backend}: {path}");
        }
        let posted = post(
            &app,
            &format!("/cases/{case}/position/check?party=employer"),
            &union,
            &[("reservation_value", "0.5")],
        )
        .await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN, "{backend}");
        let saved = post(
            &app,
            &format!("/cases/{case}/position?party=employer"),
            &union,
            &[("reservation_value", "0.5")],
        )
        .await;
        assert_eq!(saved.status, StatusCode::FORBIDDEN, "{backend}");
        for path in [
            format!("/cases/{other}"),
            format!("/cases/{other}/position"),
            format!("/cases/{other}/position?party=union"),
            "/cases/no-such-case".to_string(),
        ] {
            let reply = get(&app, &path, &union).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{backend}: {path}");
        }
        let employer = app
            .get(
                &format!("/api/cases/{case}/parties/employer/position"),
                &app.mediator,
            )
            .await;
        assert_eq!(
            employer.body["position"]["reservation_value"], 0.4173,
            "{backend}"
        );

        // The mediator may open any party's editor, and chooses one without `?party=`;
        // an observer none.
        let mediator = get(
            &app,
            &format!("/cases/{case}/position?party=employer"),
            &app.mediator,
        )
        .await;
        assert_eq!(mediator.status, StatusCode::OK, "{backend}");
        assert!(mediator.text.contains(r#"value="0.4173""#), "{backend}");
        let choose = get(&app, &format!("/cases/{case}/position"), &app.mediator).await;
        assert_eq!(choose.status, StatusCode::OK, "{backend}");
        assert!(
            choose
                .text
                .contains(&format!("/cases/{case}/position?party=employer")),
            "{backend}"
        );
        let observer = app.account("press", "observer", None, None).await;
        let refused = get(&app, &format!("/cases/{case}/position"), &observer).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend}");
    }
}

#[tokio::test]
async fn the_response_form_stores_a_response() {
    for app in App::all().await {
        let backend = app.backend();
        let case = import(&app).await;
        draft_two(&app, &case, true).await;
        let union = app
            .account("unionist", "party", Some(&case), Some("union"))
            .await;
        let respond = format!("/cases/{case}/drafts/2/respond");
        let api = format!("/api/cases/{case}/drafts/2/responses/union");

        // An amendment without a value: the page again, with the problem named.
        let bad = post(
            &app,
            &respond,
            &union,
            &[("verdict.wage", "accept"), ("verdict.hours", "amend")],
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            bad.text.contains("amendment.hours"),
            "{backend}: {}",
            bad.text
        );
        assert!(
            bad.text.contains("Your response was not saved"),
            "{backend}"
        );
        // The form keeps what was chosen.
        assert!(
            bad.text
                .contains(r#"name="verdict.hours" value="amend" checked"#),
            "{backend}"
        );
        assert_eq!(
            app.get(&api, &union).await.status,
            StatusCode::NOT_FOUND,
            "{backend}"
        );
        // A value the point does not have, caught by the API's check.
        let wrong = post(
            &app,
            &respond,
            &union,
            &[("verdict.wage", "amend"), ("amendment.wage", "+9%")],
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(wrong.text.contains("amendment.wage"), "{backend}");
        assert!(wrong.text.contains("+9%"), "{backend}");

        let good = post(
            &app,
            &respond,
            &union,
            &[
                ("verdict.wage", "accept"),
                ("amendment.wage", ""),
                ("verdict.hours", "amend"),
                ("amendment.hours", "37"),
                ("comment.hours", "one hour less"),
                ("verdict.remote", "reject"),
                ("verdict.pension", ""),
                ("comment", "close to a deal"),
            ],
        )
        .await;
        assert_eq!(
            good.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            good.text
        );
        assert_eq!(
            good.location(),
            format!("/cases/{case}?saved=response"),
            "{backend}"
        );
        let stored = app.get(&api, &union).await;
        assert_eq!(stored.status, StatusCode::OK, "{backend}");
        assert_eq!(
            stored.body["points"],
            json!({
                "wage": { "verdict": "accept" },
                "hours": { "verdict": "amend", "amendment": { "value": 37 },
                           "comment": "one hour less" },
                "remote": { "verdict": "reject" },
            }),
            "{backend}"
        );
        assert_eq!(stored.body["comment"], "close to a deal", "{backend}");

        // The page shows the response back, and a second one replaces it.
        let view = get(&app, &format!("/cases/{case}?saved=response"), &union).await;
        assert!(view.text.contains("Your response is saved."), "{backend}");
        assert!(
            view.text
                .contains(r#"name="verdict.remote" value="reject" checked"#),
            "{backend}"
        );
        assert!(view.text.contains("one hour less"), "{backend}");
        let again = post(&app, &respond, &union, &[("verdict.wage", "reject")]).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{backend}");
        let stored = app.get(&api, &union).await;
        assert_eq!(
            stored.body["points"],
            json!({ "wage": { "verdict": "reject" } }),
            "{backend}"
        );

        // Only a member answers, and only a tabled draft.
        let mediator = post(&app, &respond, &app.mediator, &[("verdict.wage", "accept")]).await;
        assert_eq!(mediator.status, StatusCode::FORBIDDEN, "{backend}");
        draft_two(&app, &case, false).await;
        let untabled = post(
            &app,
            &format!("/cases/{case}/drafts/3/respond"),
            &union,
            &[("verdict.wage", "accept")],
        )
        .await;
        assert_eq!(untabled.status, StatusCode::NOT_FOUND, "{backend}");

        // Once published, the responses are final and the tally shows.
        let publish = app
            .post(
                &format!("/api/cases/{case}/drafts/2/responses/publish"),
                &app.mediator,
                &json!({}),
            )
            .await;
        assert_eq!(publish.status, StatusCode::OK, "{backend}");
        let view = get(&app, &format!("/cases/{case}"), &union).await;
        assert!(
            view.text.contains("Published responses to draft 2"),
            "{backend}"
        );
        assert!(view.text.contains("so they are final"), "{backend}");
        let late = post(&app, &respond, &union, &[("verdict.wage", "accept")]).await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{backend}");
    }
}

#[tokio::test]
async fn the_position_editor_checks_as_typed_and_saves() {
    for app in App::all().await {
        let backend = app.backend();
        let case = import(&app).await;
        let union = app
            .account("unionist", "party", Some(&case), Some("union"))
            .await;
        let check = format!("/cases/{case}/position/check");
        let api = format!("/api/cases/{case}/parties/union/position");
        let before = app.get(&api, &union).await.body["position"].clone();

        // A negative weight: the core's check, naming the field.
        let fields = union_form("-1");
        let negative = post(&app, &check, &union, &borrowed(&fields)).await;
        assert_eq!(negative.status, StatusCode::OK, "{backend}");
        assert!(
            negative.text.contains("position.weights.wage"),
            "{backend}: {}",
            negative.text
        );
        assert!(
            negative.text.contains("Weight of Wage increase"),
            "{backend}"
        );
        assert!(negative.text.contains(r##"href="#w-0""##), "{backend}");
        assert!(!negative.text.contains("Valid."), "{backend}");
        // Not a number: the form's own check, naming the field too.
        let fields = union_form("ten");
        let text = post(&app, &check, &union, &borrowed(&fields)).await;
        assert!(text.text.contains("position.weights.wage"), "{backend}");
        assert!(text.text.contains("“ten” is not a number"), "{backend}");
        // A red line on an option the point lacks, with its row.
        let mut fields = union_form("10");
        fields.push(("red_line.1.values".into(), "+4%, +7%".into()));
        let red_line = post(&app, &check, &union, &borrowed(&fields)).await;
        assert!(
            red_line.text.contains("Red line 2"),
            "{backend}: {}",
            red_line.text
        );
        assert!(red_line.text.contains("+7%"), "{backend}");
        // Rows left empty do not shift the row named: row 2 is the first red line here.
        for (kind, values) in [("only", "+4%, +7%"), ("between", "x..y")] {
            let mut fields = union_form("10");
            fields.push(("red_line.0.point".into(), String::new()));
            fields.push(("red_line.1.kind".into(), kind.into()));
            fields.push(("red_line.1.values".into(), values.into()));
            let reply = post(&app, &check, &union, &borrowed(&fields)).await;
            assert!(
                reply.text.contains("Red line 2"),
                "{backend}: {}",
                reply.text
            );
            assert!(
                reply.text.contains("red_lines[0]"),
                "{backend}: {}",
                reply.text
            );
            assert!(reply.text.contains(r##"href="#rl-1-point""##), "{backend}");
        }
        // A good one: valid, and nothing saved.
        let fields = union_form("7");
        let valid = post(&app, &check, &union, &borrowed(&fields)).await;
        assert_eq!(valid.status, StatusCode::OK, "{backend}");
        assert!(valid.text.contains("Valid."), "{backend}: {}", valid.text);
        assert!(!valid.text.contains("problem"), "{backend}");
        assert_eq!(
            app.get(&api, &union).await.body["position"],
            before,
            "{backend}"
        );

        // htmx swaps only successful answers: its refusals come as a 200 fragment.
        let fields = union_form("7");
        let htmx = htmx_post(&app, &check, Some(&union), &borrowed(&fields)).await;
        assert_eq!(htmx.status, StatusCode::OK, "{backend}");
        assert!(htmx.text.contains("Valid."), "{backend}");
        let other = format!("{check}?party=employer");
        let refused = htmx_post(&app, &other, Some(&union), &borrowed(&fields)).await;
        assert_eq!(refused.status, StatusCode::OK, "{backend}");
        assert!(
            refused
                .text
                .contains("only by its own party and the mediator"),
            "{backend}: {}",
            refused.text
        );
        assert!(!refused.text.contains("Valid."), "{backend}");
        let ended = htmx_post(&app, &check, None, &borrowed(&fields)).await;
        assert_eq!(ended.status, StatusCode::OK, "{backend}");
        assert!(ended.text.contains("log in again"), "{backend}");

        // Saving a bad form: the editor again, with the problem, and nothing saved.
        let save = format!("/cases/{case}/position");
        let fields = union_form("-1");
        let refused = post(&app, &save, &union, &borrowed(&fields)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(refused.text.contains("position.weights.wage"), "{backend}");
        assert!(refused.text.contains(r#"value="-1""#), "{backend}");
        assert_eq!(
            app.get(&api, &union).await.body["position"],
            before,
            "{backend}"
        );

        // Saving a good one.
        let fields = union_form("7");
        let saved = post(&app, &save, &union, &borrowed(&fields)).await;
        assert_eq!(
            saved.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            saved.text
        );
        assert_eq!(
            saved.location(),
            format!("/cases/{case}/position?party=union&saved=1"),
            "{backend}"
        );
        let after = app.get(&api, &union).await.body["position"].clone();
        assert_eq!(after["weights"]["wage"], 7, "{backend}");
        assert_eq!(after["reservation_value"], 0.45, "{backend}");
        assert_eq!(after["ratings"]["wage"]["+5%"], 10, "{backend}");
        assert_eq!(
            after["ratings"]["hours"],
            json!([[35, 10], [40, 0]]),
            "{backend}"
        );
        assert_eq!(
            after["red_lines"],
            json!([
                { "point": "wage", "not": ["+2%"] },
                { "if": { "point": "length", "is": ["3-years"] },
                  "point": "wage", "only": ["+4%", "+5%"] },
            ]),
            "{backend}"
        );
        let editor = get(&app, saved.location(), &union).await;
        assert!(editor.text.contains("The position is saved."), "{backend}");
    }
}

#[tokio::test]
async fn an_observer_sees_only_what_is_published() {
    for app in App::all().await {
        let backend = app.backend();
        let case = import(&app).await;
        let m = app.mediator.clone();
        draft_two(&app, &case, true).await;
        // Draft 3, tabled but never published, with a secret wording.
        let first = app.get(&format!("/api/cases/{case}/drafts/1"), &m).await;
        let mut points = first.body["points"].as_array().unwrap().clone();
        points[0]["text"] = json!("SECRET-DRAFT wording");
        let answer = app
            .post(
                &format!("/api/cases/{case}/drafts"),
                &m,
                &json!({ "note": "not for the press", "points": points }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{backend}");
        for path in ["drafts/2/publish", "drafts/3/table"] {
            let answer = app
                .post(&format!("/api/cases/{case}/{path}"), &m, &json!({}))
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{backend}: {path}");
        }
        // Two meetings; one published, with a statement.
        let channel = app
            .post(
                &format!("/api/cases/{case}/channels"),
                &m,
                &json!({ "name": "Plenary", "parties": ["union", "employer"] }),
            )
            .await;
        let channel = channel.body["id"].as_str().unwrap().to_string();
        let mut meetings = Vec::new();
        for (date, summary, quote) in [
            ("2025-03-01", "Opening session", "We came to agree."),
            ("2025-03-08", "SECRET-MEETING summary", "SECRET-STATEMENT"),
        ] {
            let meeting = app
                .post(
                    &format!("/api/cases/{case}/meetings"),
                    &m,
                    &json!({ "channel": channel, "date": date, "summary": summary }),
                )
                .await;
            assert_eq!(meeting.status, StatusCode::CREATED, "{backend}");
            let id = meeting.body["id"].as_str().unwrap().to_string();
            let statement = app
                .post(
                    &format!("/api/cases/{case}/meetings/{id}/statements"),
                    &m,
                    &json!({ "speaker": "Union Delegate A", "quote": quote }),
                )
                .await;
            assert_eq!(statement.status, StatusCode::CREATED, "{backend}");
            meetings.push(id);
        }
        let publish = app
            .post(
                &format!("/api/cases/{case}/meetings/{}/publish", meetings[0]),
                &m,
                &json!({}),
            )
            .await;
        assert_eq!(publish.status, StatusCode::OK, "{backend}");

        let observer = app.account("press", "observer", None, None).await;
        let view = get(&app, &format!("/cases/{case}"), &observer).await;
        assert_eq!(view.status, StatusCode::OK, "{backend}: {}", view.text);
        assert!(view.text.contains("Published drafts"), "{backend}");
        assert!(view.text.contains("Draft 2"), "{backend}");
        assert!(
            view.text.contains("overtime paid at time and a half"),
            "{backend}"
        );
        assert!(view.text.contains("Opening session"), "{backend}");
        assert!(view.text.contains("We came to agree."), "{backend}");
        for secret in [
            "SECRET-DRAFT",
            "not for the press",
            "Draft 3",
            "SECRET-MEETING",
            "SECRET-STATEMENT",
            "0.45",
            "Your position",
        ] {
            assert!(!view.text.contains(secret), "{backend}: {secret}");
        }
        // No tally before the responses are published; then the tally.
        assert!(!view.text.contains("Published responses"), "{backend}");
        let union = app
            .account("unionist", "party", Some(&case), Some("union"))
            .await;
        let answer = post(
            &app,
            &format!("/cases/{case}/drafts/2/respond"),
            &union,
            &[("verdict.wage", "accept")],
        )
        .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{backend}");
        let publish = app
            .post(
                &format!("/api/cases/{case}/drafts/2/responses/publish"),
                &m,
                &json!({}),
            )
            .await;
        assert_eq!(publish.status, StatusCode::OK, "{backend}");
        let view = get(&app, &format!("/cases/{case}"), &observer).await;
        assert!(
            view.text.contains("Published responses to draft 2"),
            "{backend}"
        );
        assert!(
            view.text.contains("Responded: union."),
            "{backend}: {}",
            view.text
        );
    }
}
