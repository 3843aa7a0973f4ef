//! The mediator's pages: the dashboard (points, heat map, analysis panel with the frontier
//! plot, draft history, talks, audit log), its actions (table, publish, publish responses,
//! new draft), the draft page with its side-by-side diff, and their refusal of every
//! other role.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use accord_formats::analysis_json::package_map;
use accord_formats::case_file::{CaseFormat, read_case};
use accord_server::{ImportInput, import_case};

use common::App;

/// A page's answer: status, `Location` (for redirects) and the HTML.
struct Html {
    status: StatusCode,
    location: Option<String>,
    text: String,
}

/// Sends a page request with the session cookie; `form` is sent url-encoded, `htmx` adds
/// the `HX-Request` header.
async fn send(
    app: &App,
    method: Method,
    path: &str,
    token: Option<&str>,
    form: Option<&str>,
    htmx: bool,
) -> Html {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::COOKIE, format!("accord_session={token}"));
    }
    if htmx {
        request = request.header("hx-request", "true");
    }
    let request = match form {
        Some(form) => request
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string())),
        None => request.body(Body::empty()),
    }
    .expect("request");
    let response = app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("infallible router");
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().expect("ascii location").to_string());
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Html {
        status,
        location,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn get(app: &App, path: &str, token: &str) -> Html {
    send(app, Method::GET, path, Some(token), None, false).await
}

async fn post(app: &App, path: &str, token: &str, form: &str) -> Html {
    send(app, Method::POST, path, Some(token), Some(form), false).await
}

async fn peace(app: &App) -> String {
    import_case(
        &app.state,
        None,
        "peace.toml",
        ImportInput::CaseFile {
            format: CaseFormat::Toml,
            text: common::PEACE.to_string(),
        },
    )
    .await
    .expect("the peace example imports")
}

/// A new-draft body: the example's wording and package, with `sovereignty` reworded.
fn reworded(note: &str) -> Value {
    let case = read_case("peace.toml", common::PEACE, CaseFormat::Toml).expect("reads");
    let points: Vec<Value> = case
        .points()
        .iter()
        .map(|p| {
            let text = if p.id == "sovereignty" {
                "The full sovereignty of Ukraine is confirmed by all signatories.".to_string()
            } else {
                p.text.clone()
            };
            json!({ "point": p.id, "title": p.title, "text": text })
        })
        .collect();
    let package = case.draft().map(|d| package_map(&case, d));
    json!({ "note": note, "points": points, "package": package })
}

/// The draft version's stamps, through the API.
async fn stamps(app: &App, case: &str, version: i64) -> Value {
    let answer = app
        .get(
            &format!("/api/cases/{case}/drafts/{version}"),
            &app.mediator,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body
}

#[tokio::test]
async fn the_dashboard_renders_for_the_mediator() {
    for app in App::all().await {
        let case = peace(&app).await;
        let page = get(&app, &format!("/cases/{case}"), &app.mediator).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{}: {}",
            app.backend(),
            page.text
        );
        for expected in [
            "mediator's dashboard",
            "Acceptance heat map",
            "No draft is tabled yet",
            r#"data-point="sovereignty""#,
            "The sovereignty of Ukraine is confirmed.",
            "Draft history",
            "Table draft 1",
            "Publish draft 1",
            "Channels and meetings",
            "Audit log",
            &format!(r#"hx-get="/cases/{case}/analysis-panel?x=ukraine&#38;y=russia""#),
            r#"hx-trigger="load""#,
            "show the analysis",
            r#"href="/cases/"#,
        ] {
            assert!(
                page.text.contains(expected),
                "{}: no {expected:?} in the dashboard",
                app.backend()
            );
        }
        // Channels and meetings, with their statements.
        let channel = app
            .post(
                &format!("/api/cases/{case}/channels"),
                &app.mediator,
                &json!({ "name": "Geneva track", "parties": ["ukraine", "russia"] }),
            )
            .await;
        assert_eq!(channel.status, StatusCode::CREATED, "{:?}", channel.body);
        let meeting = app
            .post(
                &format!("/api/cases/{case}/meetings"),
                &app.mediator,
                &json!({ "channel": channel.body["id"], "date": "2025-11-22",
                         "summary": "First round", "tabled": [1],
                         "participants": [{ "party": "ukraine", "name": "Delegate A" }] }),
            )
            .await;
        assert_eq!(meeting.status, StatusCode::CREATED, "{:?}", meeting.body);
        let statement = app
            .post(
                &format!(
                    "/api/cases/{case}/meetings/{}/statements",
                    meeting.body["id"].as_str().unwrap()
                ),
                &app.mediator,
                &json!({ "speaker": "Delegate A", "quote": "We need <guarantees>." }),
            )
            .await;
        assert_eq!(
            statement.status,
            StatusCode::CREATED,
            "{:?}",
            statement.body
        );
        let page = get(&app, &format!("/cases/{case}"), &app.mediator).await;
        assert!(
            !page.text.contains("confidential: the mediator only"),
            "a public statement is not marked confidential"
        );
        let secret = app
            .post(
                &format!(
                    "/api/cases/{case}/meetings/{}/statements",
                    meeting.body["id"].as_str().unwrap()
                ),
                &app.mediator,
                &json!({ "speaker": "Delegate A", "quote": "Our floor is lower.",
                         "confidential": true }),
            )
            .await;
        assert_eq!(secret.status, StatusCode::CREATED, "{:?}", secret.body);
        let page = get(&app, &format!("/cases/{case}"), &app.mediator).await;
        let at = page
            .text
            .find("Our floor is lower.")
            .expect("the confidential statement");
        assert!(
            page.text[at..].contains("confidential: the mediator only"),
            "the dashboard marks the confidential statement"
        );
        for expected in [
            "Geneva track",
            "Ukraine, Russia",
            "2025-11-22, Geneva track",
            "First round",
            "Delegate A (Ukraine)",
            "We need &#60;guarantees&#62;.",
            "statement.create",
        ] {
            assert!(
                page.text.contains(expected),
                "no {expected:?} in the dashboard"
            );
        }
        // No response can be published before the draft is tabled.
        assert!(!page.text.contains("Publish responses to draft 1"));
        // The audit log lists the import.
        assert!(page.text.contains("case.import"));

        // Without a session, the pages send the browser to log in.
        for path in [
            format!("/cases/{case}"),
            format!("/cases/{case}/analysis-panel"),
            format!("/cases/{case}/drafts/1"),
            format!("/cases/{case}/drafts/new"),
        ] {
            let page = send(&app, Method::GET, &path, None, None, false).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(page.location.as_deref(), Some("/login"), "{path}");
        }
        let page = send(
            &app,
            Method::POST,
            &format!("/cases/{case}/drafts/1/table"),
            None,
            Some(""),
            false,
        )
        .await;
        assert_eq!(page.location.as_deref(), Some("/login"));
        assert!(stamps(&app, &case, 1).await["tabled_ms"].is_null());
    }
}

#[tokio::test]
async fn heat_map_cells_carry_the_verdicts() {
    for app in App::all().await {
        let case = peace(&app).await;
        let ukraine = app
            .account("ua", "party", Some(&case), Some("ukraine"))
            .await;
        let russia = app
            .account("ru", "party", Some(&case), Some("russia"))
            .await;
        let tabled = post(
            &app,
            &format!("/cases/{case}/drafts/1/table"),
            &app.mediator,
            "",
        )
        .await;
        assert_eq!(tabled.status, StatusCode::SEE_OTHER, "{}", tabled.text);
        let answer = app
            .put(
                &format!("/api/cases/{case}/drafts/1/responses/ukraine"),
                &ukraine,
                &json!({ "points": {
                    "sovereignty": { "verdict": "accept" },
                    "crimea": { "verdict": "reject", "comment": "never <de jure>" },
                } }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        let answer = app
            .put(
                &format!("/api/cases/{case}/drafts/1/responses/russia"),
                &russia,
                &json!({ "points": {
                    "sovereignty": { "verdict": "accept" },
                    "crimea": { "verdict": "amend",
                                "amendment": { "value": "de-jure-recognition" } },
                } }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);

        let page = get(&app, &format!("/cases/{case}"), &app.mediator).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let cell = |point: &str, party: &str, verdict: &str| {
            format!(r#"data-point="{point}" data-party="{party}" data-verdict="{verdict}""#)
        };
        for (point, party, verdict) in [
            ("sovereignty", "ukraine", "accept"),
            ("sovereignty", "russia", "accept"),
            ("crimea", "ukraine", "reject"),
            ("crimea", "russia", "amend"),
            ("sovereignty", "united-states", "none"),
            ("elections", "ukraine", "none"),
        ] {
            assert!(
                page.text.contains(&cell(point, party, verdict)),
                "{}: no {point}/{party} {verdict} cell",
                app.backend()
            );
        }
        // Colour is not the only signal: the verdict is written out, with the rating.
        assert!(page.text.contains("amends: de-jure-recognition"));
        assert!(page.text.contains("rejects"));
        assert!(page.text.contains("data-rating="));
        assert!(page.text.contains("rating "));
        // A comment is escaped.
        assert!(page.text.contains("never &#60;de jure&#62;"));
        assert!(!page.text.contains("never <de jure>"));
        // The points carry their status from the responses.
        assert!(
            page.text
                .contains(r#"data-point="crimea" data-status="blocked""#)
        );
        assert!(
            page.text
                .contains(r#"data-point="sovereignty" data-status="open""#)
        );
        // Publishing responses is offered once the draft is tabled.
        assert!(page.text.contains("Publish responses to draft 1"));
        assert!(!page.text.contains("Table draft 1"));
    }
}

#[tokio::test]
async fn the_frontier_plot_is_an_svg_for_the_two_parties_chosen() {
    let app = App::sqlite().await;
    let case = peace(&app).await;
    let path = format!("/cases/{case}/analysis-panel?x=ukraine&y=russia");
    let fragment = send(&app, Method::GET, &path, Some(&app.mediator), None, true).await;
    assert_eq!(fragment.status, StatusCode::OK, "{}", fragment.text);
    assert!(fragment.text.contains("<svg"), "{}", fragment.text);
    assert!(fragment.text.contains(r#"class="frontier""#));
    assert!(
        fragment
            .text
            .contains("Pareto frontier: Ukraine against Russia")
    );
    assert!(
        fragment.text.contains(r#"class="mark draft""#),
        "the draft is marked"
    );
    assert!(
        fragment.text.contains(r#"class="mark nash""#),
        "Nash is marked"
    );
    assert!(fragment.text.contains("Blockers"));
    assert!(fragment.text.contains("Suggested trades"));
    assert!(!fragment.text.contains("<html"), "htmx gets a fragment");

    // Without htmx, the same panel is a page of its own (the no-JavaScript link).
    let page = get(&app, &path, &app.mediator).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<html"));
    assert!(page.text.contains("<svg"));

    // Once computed, the dashboard shows the analysis inline, for the parties chosen.
    let page = get(
        &app,
        &format!("/cases/{case}?x=russia&y=ukraine"),
        &app.mediator,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("Pareto frontier: Russia against Ukraine")
    );
    assert!(!page.text.contains(r#"hx-trigger="load""#));

    // One party on both axes is no plot, not an error.
    let same = format!("/cases/{case}/analysis-panel?x=ukraine&y=ukraine");
    let page = send(&app, Method::GET, &same, Some(&app.mediator), None, true).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Choose two different parties"));
    assert!(!page.text.contains("<svg"));
}

#[tokio::test]
async fn table_and_publish_buttons_set_the_stamps() {
    for app in App::all().await {
        let case = peace(&app).await;
        let back = format!("/cases/{case}#drafts");
        for (action, stamp) in [
            ("table", "tabled_ms"),
            ("publish", "published_ms"),
            ("responses/publish", "responses_published_ms"),
        ] {
            assert!(stamps(&app, &case, 1).await[stamp].is_null());
            let path = format!("/cases/{case}/drafts/1/{action}");
            let answer = post(&app, &path, &app.mediator, "").await;
            assert_eq!(
                answer.status,
                StatusCode::SEE_OTHER,
                "{action}: {}",
                answer.text
            );
            assert_eq!(answer.location.as_deref(), Some(back.as_str()), "{action}");
            assert!(
                stamps(&app, &case, 1).await[stamp].is_i64(),
                "{}: {action} did not stamp",
                app.backend()
            );
        }
        let page = get(&app, &format!("/cases/{case}"), &app.mediator).await;
        for gone in [
            "Table draft 1",
            "Publish draft 1",
            "Publish responses to draft 1",
        ] {
            assert!(!page.text.contains(gone), "{gone} still offered");
        }
        // An unknown version is a 404 page, not a redirect.
        let answer = post(
            &app,
            &format!("/cases/{case}/drafts/9/table"),
            &app.mediator,
            "",
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let answer = post(
            &app,
            &format!("/cases/{case}/drafts/x/publish"),
            &app.mediator,
            "",
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn the_new_draft_form_writes_a_version() {
    let app = App::sqlite().await;
    let case = peace(&app).await;
    let form = get(&app, &format!("/cases/{case}/drafts/new"), &app.mediator).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains(r#"name="text.sovereignty""#));
    assert!(form.text.contains(r#"name="value.army-cap""#));
    assert!(
        form.text.contains(r#"<option value="full" selected>"#),
        "filled from draft 1"
    );
    assert!(
        form.text.contains(r#"for="text-sovereignty""#),
        "inputs are labelled"
    );

    // One value missing: the form comes back with the error, nothing is written.
    let answer = post(
        &app,
        &format!("/cases/{case}/drafts"),
        &app.mediator,
        "note=half&value.army-cap=600000&text.sovereignty=Kept",
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.text
    );
    assert!(answer.text.contains(r#"role="alert""#));
    assert!(answer.text.contains("value.sovereignty"));
    assert!(
        answer.text.contains(">Kept</textarea>"),
        "the wording typed is kept"
    );
    let list = app
        .get(&format!("/api/cases/{case}/drafts"), &app.mediator)
        .await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));

    // No value at all: a draft without a package.
    let answer = post(
        &app,
        &format!("/cases/{case}/drafts"),
        &app.mediator,
        "note=Reworded+sovereignty&text.sovereignty=Full+sovereignty+is+confirmed.",
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
    let draft = stamps(&app, &case, 2).await;
    assert_eq!(draft["note"], "Reworded sovereignty");
    assert_eq!(draft["points"][0]["text"], "Full sovereignty is confirmed.");
    assert!(draft["package"].is_null());
}

#[tokio::test]
async fn the_diff_page_marks_insertions_and_deletions() {
    for app in App::all().await {
        let case = peace(&app).await;
        let party = app
            .account("ua", "party", Some(&case), Some("ukraine"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        let answer = app
            .post(
                &format!("/api/cases/{case}/drafts"),
                &app.mediator,
                &reworded("v2"),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);

        let page = get(
            &app,
            &format!("/cases/{case}/drafts/2?against=1"),
            &app.mediator,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Changes from draft 1 to draft 2"));
        assert!(page.text.contains("<ins>"), "{}", page.text);
        assert!(page.text.contains("<del>"), "{}", page.text);
        assert!(page.text.contains("<ins>full"), "{}", page.text);
        assert!(
            page.text
                .contains(r#"data-point="sovereignty" data-status="changed""#)
        );
        assert!(
            page.text
                .contains(r#"data-point="crimea" data-status="unchanged""#)
        );
        assert!(page.text.contains(r#"<option value="1" selected>"#));
        // Without `against`, the text itself.
        let page = get(&app, &format!("/cases/{case}/drafts/2"), &app.mediator).await;
        assert!(page.text.contains("by all signatories"));
        assert!(!page.text.contains("<ins>"));

        // A party reads tabled drafts only, and compares only with those.
        let page = get(&app, &format!("/cases/{case}/drafts/1"), &party).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let tabled = post(
            &app,
            &format!("/cases/{case}/drafts/1/table"),
            &app.mediator,
            "",
        )
        .await;
        assert_eq!(tabled.status, StatusCode::SEE_OTHER);
        let page = get(&app, &format!("/cases/{case}/drafts/1"), &party).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(
            page.text
                .contains("The sovereignty of Ukraine is confirmed.")
        );
        assert!(
            !page.text.contains(r#"<option value="2""#),
            "draft 2 is not offered"
        );
        assert!(!page.text.contains("Table draft"), "no mediator buttons");
        for path in [
            format!("/cases/{case}/drafts/2"),
            format!("/cases/{case}/drafts/1?against=2"),
        ] {
            let page = get(&app, &path, &party).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(!page.text.contains("by all signatories"), "{path}");
        }
        // Observers read published drafts only.
        let page = get(&app, &format!("/cases/{case}/drafts/1"), &observer).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        post(
            &app,
            &format!("/cases/{case}/drafts/2/table"),
            &app.mediator,
            "",
        )
        .await;
        let page = get(&app, &format!("/cases/{case}/drafts/2?against=1"), &party).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("<ins>") && page.text.contains("<del>"));
        post(
            &app,
            &format!("/cases/{case}/drafts/1/publish"),
            &app.mediator,
            "",
        )
        .await;
        let page = get(&app, &format!("/cases/{case}/drafts/1"), &observer).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text.contains(r#"<option value="2""#));
        let page = get(
            &app,
            &format!("/cases/{case}/drafts/1?against=2"),
            &observer,
        )
        .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn other_roles_are_refused_the_mediator_pages() {
    for app in App::all().await {
        let case = peace(&app).await;
        let party = app
            .account("ua", "party", Some(&case), Some("ukraine"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        for token in [&party, &observer] {
            for action in ["table", "publish", "responses/publish"] {
                let path = format!("/cases/{case}/drafts/1/{action}");
                let answer = post(&app, &path, token, "").await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
                assert!(answer.text.contains("only a mediator"), "{}", answer.text);
            }
            let answer = post(
                &app,
                &format!("/cases/{case}/drafts"),
                token,
                "note=mine&text.sovereignty=Mine",
            )
            .await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN);
            for path in [
                format!("/cases/{case}/analysis-panel?x=ukraine&y=russia"),
                format!("/cases/{case}/drafts/new"),
            ] {
                let answer = get(&app, &path, token).await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
                assert!(!answer.text.contains("<svg"));
            }
            // The case page is never the dashboard.
            let page = get(&app, &format!("/cases/{case}"), token).await;
            for secret in [
                "mediator's dashboard",
                "Audit log",
                "data-verdict",
                "analysis-panel",
            ] {
                assert!(
                    !page.text.contains(secret),
                    "{secret} shown to another role"
                );
            }
        }
        // Nothing changed.
        let draft = stamps(&app, &case, 1).await;
        for stamp in ["tabled_ms", "published_ms", "responses_published_ms"] {
            assert!(draft[stamp].is_null(), "{stamp}");
        }
        let list = app
            .get(&format!("/api/cases/{case}/drafts"), &app.mediator)
            .await;
        assert_eq!(list.body.as_array().map(Vec::len), Some(1));

        // A party of another case does not learn that this one exists.
        let other = peace(&app).await;
        let stranger = app
            .account("stranger", "party", Some(&other), Some("russia"))
            .await;
        let answer = post(
            &app,
            &format!("/cases/{case}/drafts/1/table"),
            &stranger,
            "",
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let answer = get(&app, &format!("/cases/{case}/drafts/1"), &stranger).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
    }
}

/// The workbench analyses with the settings of `accord analyze` and says of every figure
/// whether it is exact or within which bound, in the same order and words as the CLI.
#[tokio::test]
async fn the_analysis_panel_says_what_the_cli_says() {
    use accord_core::{InsightOptions, insight};
    use accord_formats::analysis_json::{Source, analysis_to_json};

    let app = App::sqlite().await;
    let case = peace(&app).await;
    let api = app
        .get(&format!("/api/cases/{case}/analysis"), &app.mediator)
        .await;
    assert_eq!(api.status, StatusCode::OK, "{:?}", api.body);
    // `accord analyze examples/peace-framework.toml --json`, with its default settings.
    let file = read_case("peace.toml", common::PEACE, CaseFormat::Toml).unwrap();
    let found = insight(
        &file,
        &file.negotiating_parties(),
        &InsightOptions::default(),
    );
    let source = Source {
        format: "case-file".to_string(),
        path: "peace.toml".to_string(),
        warnings: Vec::new(),
    };
    let cli = analysis_to_json(&file, &found, &source);
    for key in [
        "status",
        "error_bound",
        "frontier_size",
        "bargaining_status",
    ] {
        assert_eq!(api.body[key], cli[key], "{key}");
        assert_eq!(
            api.body["relaxed"][key], cli["relaxed"][key],
            "relaxed {key}"
        );
    }
    assert_eq!(
        api.body["relaxed"]["nash"]["utilities"],
        cli["relaxed"]["nash"]["utilities"]
    );
    assert_eq!(api.body["conflicts"], cli["conflicts"]);
    // The relaxed frontier of the example is approximate; its Nash package is exact.
    assert_eq!(cli["relaxed"]["status"], "approximate");
    assert_eq!(cli["relaxed"]["bargaining_status"], "exact");
    let bound = format!("{:.4}", cli["relaxed"]["error_bound"].as_f64().unwrap());
    let bound = bound.trim_end_matches('0');

    let path = format!("/cases/{case}/analysis-panel?x=ukraine&y=russia");
    let panel = send(&app, Method::GET, &path, Some(&app.mediator), None, true).await;
    assert_eq!(panel.status, StatusCode::OK, "{}", panel.text);
    assert!(
        panel.text.contains("The frontier is exact."),
        "{}",
        panel.text
    );
    assert!(
        panel.text.contains(&format!(
            "The frontier is approximate: every package that clears the red lines is matched within {bound} for every party"
        )),
        "{}",
        panel.text
    );
    assert!(panel.text.contains("Bargaining packages (exact)"));
    // The points in conflict, in the analysis's order, by title; red lines in words.
    assert!(panel.text.contains("Points in conflict"));
    let first = cli["conflicts"][0]["point"].as_str().unwrap();
    let title = common::PEACE
        .split("[[points]]")
        .find(|p| p.contains(&format!("id = \"{first}\"")))
        .and_then(|p| p.split("title = \"").nth(1))
        .and_then(|t| t.split('"').next())
        .unwrap();
    let row = format!(r#"<tr><th scope="row">{title}</th>"#);
    let at = panel.text.find(&row).expect("the first point in conflict");
    for other in cli["conflicts"].as_array().unwrap().iter().skip(1).take(3) {
        let id = other["point"].as_str().unwrap();
        assert!(!panel.text[..at].contains(&format!(">{id}<")), "{id}");
    }
    assert!(
        panel
            .text
            .contains("Army size cap must be at least 750,000")
    );
    assert!(!panel.text.contains('`'), "no Markdown in HTML");
}
