//! Cases through the router: import (case files and a GENIUS folder), points, parties,
//! positions, export and analysis, and who may see which.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use accord_formats::case_file::{CaseFormat, read_case};
use accord_server::model::DraftText;
use accord_store::DraftStamp;
use common::{App, LABOUR, PEACE};

const LAPTOP_DOMAIN: &str =
    include_str!("../../../testdata/genius/anac2011-Laptop/laptop_domain.xml");
const LAPTOP_BUYER: &str =
    include_str!("../../../testdata/genius/anac2011-Laptop/laptop_buyer_utility.xml");
const LAPTOP_SELLER: &str =
    include_str!("../../../testdata/genius/anac2011-Laptop/laptop_seller_utility.xml");

/// Imports a TOML case file as the mediator; returns the case id.
async fn import(app: &App, text: &str) -> String {
    let answer = app
        .post(
            "/api/cases",
            &app.mediator,
            &json!({ "format": "toml", "text": text }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    answer.body["id"].as_str().expect("case id").to_string()
}

/// Adds a draft version with `package` (the wording of version 1), through the store.
async fn add_draft(app: &App, case: &str, package: &Value) -> i64 {
    let first = app.state.store.draft(case, 1).await.unwrap().unwrap();
    let mut text: DraftText = serde_json::from_str(&first.body).unwrap();
    text.package = Some(
        package
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    let mut tx = app.state.store.begin().await.unwrap();
    let version = tx
        .insert_draft(
            case,
            "test",
            "a package",
            &serde_json::to_string(&text).unwrap(),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    version
}

/// Tables a draft version, through the store.
async fn table(app: &App, case: &str, version: i64) {
    let mut tx = app.state.store.begin().await.unwrap();
    tx.stamp_draft(case, version, DraftStamp::Tabled)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A GET answering text: status, content type and body.
async fn get_text(app: &App, path: &str, token: &str) -> (StatusCode, String, String) {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|entry| entry["id"].as_str().expect("an id").to_string())
        .collect()
}

fn labour_position(reservation_value: f64) -> Value {
    json!({
        "reservation_value": reservation_value,
        "weights": { "wage": 7, "hours": 2, "remote": 1, "pension": 1, "length": 1 },
        "ratings": {
            "wage": { "+2%": 0, "+3%": 5, "+4%": 8, "+5%": 10 },
            "hours": [[35, 10], [40, 0]],
            "remote": { "none": 0, "1-day": 4, "2-days": 8, "3-days": 10 },
            "pension": { "5%": 0, "6%": 5, "7%": 10 },
            "length": { "1-year": 3, "2-years": 10, "3-years": 5 }
        },
        "red_lines": [{ "point": "wage", "not": ["+2%"] }]
    })
}

#[tokio::test]
async fn imports_case_files_and_a_genius_folder() {
    for app in App::all().await {
        let backend = app.backend();
        let answer = app
            .post(
                "/api/cases",
                &app.mediator,
                &json!({ "format": "toml", "text": PEACE, "source": "peace-framework.toml" }),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::CREATED,
            "{backend}: {:?}",
            answer.body
        );
        let summary = &answer.body;
        let peace = summary["id"].as_str().unwrap().to_string();
        assert_eq!(summary["name"], "Peace framework (illustrative)");
        assert_eq!(summary["n_points"], 28);
        assert_eq!(summary["parties"].as_array().unwrap().len(), 6);
        assert_eq!(summary["latest_draft"], 1);
        assert_eq!(summary["you"]["role"], "mediator");
        // Public facts only: no position of any party.
        for party in summary["parties"].as_array().unwrap() {
            let keys: Vec<&String> = party.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["id", "name", "role", "delegates"]);
        }
        let labour = import(&app, LABOUR).await;

        let listed = ids(&app.get("/api/cases", &app.mediator).await.body);
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(&peace) && listed.contains(&labour));

        // The point tables keep their definitions; the wording went to draft 1.
        let points = app
            .get(&format!("/api/cases/{peace}/points"), &app.mediator)
            .await;
        assert_eq!(points.status, StatusCode::OK);
        assert_eq!(points.body.as_array().unwrap().len(), 28);
        assert_eq!(points.body[0]["id"], "sovereignty");
        assert_eq!(points.body[0]["title"], "Sovereignty");
        assert!(points.body[0].get("text").is_none());
        let draft = app.state.store.draft(&peace, 1).await.unwrap().unwrap();
        assert_eq!(draft.note, "imported from peace-framework.toml");
        let draft: DraftText = serde_json::from_str(&draft.body).unwrap();
        assert_eq!(draft.points.len(), 28);
        assert_eq!(
            draft.points[0].text,
            "The sovereignty of Ukraine is confirmed."
        );
        assert_eq!(draft.package.as_ref().unwrap()["army-cap"], 600_000);

        // Positions are stored; the audit entry counts them and holds none.
        let ukraine = app
            .get(
                &format!("/api/cases/{peace}/parties/ukraine/position"),
                &app.mediator,
            )
            .await;
        assert_eq!(ukraine.status, StatusCode::OK);
        assert_eq!(ukraine.body["position"]["reservation_value"], 0.45);
        let audit = app
            .state
            .store
            .audit(Some(&peace), None, 100)
            .await
            .unwrap();
        let import = audit
            .iter()
            .find(|r| r.entry.action == "case.import")
            .expect("an import entry");
        assert!(
            import.entry.detail.contains("\"positions\":4"),
            "{import:?}"
        );
        assert!(!import.entry.detail.contains("weights"));

        // A GENIUS domain folder: its profiles become the parties.
        let folder = app
            .post(
                "/api/cases",
                &app.mediator,
                &json!({ "format": "folder", "source": "anac2011-Laptop", "files": [
                    { "name": "laptop_domain.xml", "content": LAPTOP_DOMAIN },
                    { "name": "laptop_buyer_utility.xml", "content": LAPTOP_BUYER },
                    { "name": "laptop_seller_utility.xml", "content": LAPTOP_SELLER },
                ] }),
            )
            .await;
        assert_eq!(folder.status, StatusCode::CREATED, "{:?}", folder.body);
        assert_eq!(folder.body["name"], "anac2011-Laptop");
        assert_eq!(folder.body["n_points"], 3);
        assert_eq!(
            ids(&folder.body["parties"]),
            ["laptop_buyer_utility.xml", "laptop_seller_utility.xml"]
        );
        let laptop = folder.body["id"].as_str().unwrap();
        let buyer = app
            .get(
                &format!("/api/cases/{laptop}/parties/laptop_buyer_utility.xml/position"),
                &app.mediator,
            )
            .await;
        assert_eq!(buyer.status, StatusCode::OK, "{:?}", buyer.body);
        assert!(
            buyer.body["position"]["weights"]["Laptop"]
                .as_f64()
                .unwrap()
                > 0.4
        );
        let analysis = app
            .get(&format!("/api/cases/{laptop}/analysis"), &app.mediator)
            .await;
        assert_eq!(analysis.status, StatusCode::OK);
        assert_eq!(analysis.body["status"], "exact");
    }
}

#[tokio::test]
async fn a_bad_input_is_a_422_naming_field_line_and_column() {
    let app = App::sqlite().await;
    let bad = app
        .post(
            "/api/cases",
            &app.mediator,
            &json!({ "format": "toml", "source": "bad.toml",
                     "text": "name = \"t\"\n[[points]]\nid = 3\noptions = [\"x\"]\n" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["error"]["field"], "text");
    let problem = &bad.body["error"]["problems"][0];
    assert_eq!(problem["field"], "points[0].id");
    assert_eq!(
        (problem["line"].as_u64(), problem["column"].as_u64()),
        (Some(3), Some(6))
    );
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("bad.toml:3:6:")
    );

    // Every semantic problem, each with its line.
    let text = "name = \"t\"\n[[points]]\nid = \"a\"\noptions = [\"x\", \"y\"]\n\
                [[parties]]\nid = \"p\"\n[parties.position]\nweights = { a = 1, c = 2 }\n\
                ratings = { a = { x = 1, z = 2 } }\n";
    let bad = app
        .post(
            "/api/cases",
            &app.mediator,
            &json!({ "format": "toml", "text": text }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = bad.body["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert_eq!(problems[0]["field"], "parties[0].position.weights.c");
    assert_eq!(problems[0]["line"], 8);

    let json_syntax = app
        .post(
            "/api/cases",
            &app.mediator,
            &json!({ "format": "json", "text": "{\n  \"name\": \"t\",\n  \"points\": [,]\n}" }),
        )
        .await;
    assert_eq!(json_syntax.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json_syntax.body["error"]["problems"][0]["line"], 3);

    for (body, field) in [
        (json!({ "format": "xml", "text": LABOUR }), "format"),
        (json!({ "format": "toml" }), "text"),
        (json!({ "format": "folder", "files": [] }), "files"),
        (
            json!({ "format": "folder", "files": [{ "name": "a.txt", "content": "x" }] }),
            "files",
        ),
        (
            json!({ "format": "toml", "text": LABOUR, "source": "" }),
            "source",
        ),
    ] {
        let answer = app.post("/api/cases", &app.mediator, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(answer.body["error"]["field"], field, "{:?}", answer.body);
    }
    // Nothing was stored.
    assert_eq!(app.get("/api/cases", &app.mediator).await.body, json!([]));
}

#[tokio::test]
async fn points_and_parties_round_trip() {
    for app in App::all().await {
        let case = import(&app, LABOUR).await;
        let c = format!("/api/cases/{case}");
        let m = app.mediator.clone();

        let added = app
            .post(
                &format!("{c}/points"),
                &m,
                &json!({ "id": "bonus", "title": "Signing bonus", "options": ["yes", "no"] }),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
        let points = app.get(&format!("{c}/points"), &m).await.body;
        assert_eq!(
            ids(&points),
            ["wage", "hours", "remote", "pension", "length", "bonus"]
        );
        let again = app
            .post(
                &format!("{c}/points"),
                &m,
                &json!({ "id": "bonus", "options": ["x"] }),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let worded = app
            .post(
                &format!("{c}/points"),
                &m,
                &json!({ "id": "extra", "text": "wording", "options": ["x"] }),
            )
            .await;
        assert_eq!(worded.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(worded.body["error"]["field"], "text");
        let empty = app
            .post(
                &format!("{c}/points"),
                &m,
                &json!({ "id": "extra", "options": [] }),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(empty.body["error"]["field"], "points[6].options");

        // Dropping an option a position rates and forbids: the positions no longer read,
        // and the mediator is told which.
        let dropped = app
            .put(
                &format!("{c}/points/wage"),
                &m,
                &json!({ "options": ["+3%", "+4%", "+5%"] }),
            )
            .await;
        assert_eq!(dropped.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = dropped.body["error"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"parties[0].position.red_lines[0].not[0]"),
            "{fields:?}"
        );
        // Labels change nothing that positions depend on.
        let labelled = app
            .put(
                &format!("{c}/points/wage"),
                &m,
                &json!({ "title": "Wage", "options": [
                    { "id": "+2%", "label": "two" }, "+3%", "+4%", "+5%"] }),
            )
            .await;
        assert_eq!(labelled.status, StatusCode::OK, "{:?}", labelled.body);
        let points = app.get(&format!("{c}/points"), &m).await.body;
        assert_eq!(points[0]["options"][0]["label"], "two");
        assert_eq!(points[0]["id"], "wage");
        let renamed = app
            .put(
                &format!("{c}/points/wage"),
                &m,
                &json!({ "id": "hours", "options": ["x"] }),
            )
            .await;
        assert_eq!(renamed.body["error"]["field"], "id");
        let unknown = app
            .put(
                &format!("{c}/points/nowhere"),
                &m,
                &json!({ "options": ["x"] }),
            )
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        // Parties.
        let parties = app.get(&format!("{c}/parties"), &m).await.body;
        assert_eq!(ids(&parties), ["union", "employer", "mediator"]);
        assert_eq!(parties[0]["delegates"].as_array().unwrap().len(), 2);
        assert!(!parties.to_string().contains("position"));
        let press = app
            .post(
                &format!("{c}/parties"),
                &m,
                &json!({ "id": "press", "name": "Press", "role": "observer",
                         "delegates": [{ "name": "Reporter" }] }),
            )
            .await;
        assert_eq!(press.status, StatusCode::CREATED, "{:?}", press.body);
        assert_eq!(press.body["delegates"][0]["title"], "");
        let twice = app
            .post(&format!("{c}/parties"), &m, &json!({ "id": "press" }))
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        for (body, field) in [
            (json!({ "id": "king", "role": "king" }), "role"),
            (json!({ "id": "a b" }), "id"),
            (json!({ "id": "" }), "id"),
            (
                json!({ "id": "x", "delegates": [{ "name": "" }] }),
                "delegates[0].name",
            ),
        ] {
            let answer = app.post(&format!("{c}/parties"), &m, &body).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(answer.body["error"]["field"], field);
        }
        let renamed = app
            .put(
                &format!("{c}/parties/union"),
                &m,
                &json!({ "name": "Trade union" }),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
        assert_eq!(renamed.body["name"], "Trade union");
        assert_eq!(renamed.body["delegates"].as_array().unwrap().len(), 2);
        // The party keeps its position, so it cannot become an observer.
        let position = app.get(&format!("{c}/parties/union/position"), &m).await;
        assert_eq!(position.status, StatusCode::OK);
        let demoted = app
            .put(
                &format!("{c}/parties/union"),
                &m,
                &json!({ "role": "observer" }),
            )
            .await;
        assert_eq!(demoted.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(demoted.body["error"]["field"], "parties[0].position");
        assert_eq!(
            app.put(&format!("{c}/parties/nobody"), &m, &json!({ "name": "x" }))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        let patched = app
            .patch(
                &c,
                &m,
                &json!({ "name": "Labour 2026", "description": "renewal" }),
            )
            .await;
        assert_eq!(patched.status, StatusCode::OK);
        assert_eq!(patched.body["name"], "Labour 2026");
        let blank = app.patch(&c, &m, &json!({ "name": "" })).await;
        assert_eq!(blank.body["error"]["field"], "name");

        // Members read points and parties but change neither; observers see no points.
        let union = app
            .account("union-member", "party", Some(&case), Some("union"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        assert_eq!(
            app.get(&format!("{c}/points"), &union).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(&format!("{c}/points"), &observer).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("{c}/parties"), &observer).await.status,
            StatusCode::OK
        );
        let summary = app.get(&c, &union).await.body;
        assert_eq!(summary["you"], json!({ "role": "party", "party": "union" }));
        // Version 1 is not tabled: a member sees no draft yet.
        assert_eq!(summary["latest_draft"], Value::Null);
        for (status, answer) in [
            (
                StatusCode::FORBIDDEN,
                app.post(
                    &format!("{c}/points"),
                    &union,
                    &json!({ "id": "z", "options": ["a"] }),
                )
                .await,
            ),
            (
                StatusCode::FORBIDDEN,
                app.put(
                    &format!("{c}/parties/union"),
                    &union,
                    &json!({ "name": "Us" }),
                )
                .await,
            ),
            (
                StatusCode::FORBIDDEN,
                app.patch(&c, &observer, &json!({ "name": "mine" })).await,
            ),
            (
                StatusCode::FORBIDDEN,
                app.post(
                    "/api/cases",
                    &union,
                    &json!({ "format": "toml", "text": LABOUR }),
                )
                .await,
            ),
        ] {
            assert_eq!(answer.status, status, "{:?}", answer.body);
        }
        let actions: Vec<String> = app
            .state
            .store
            .audit(Some(&case), None, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.entry.action)
            .collect();
        for action in [
            "case.import",
            "point.create",
            "point.update",
            "party.create",
            "party.update",
            "case.update",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
}

#[tokio::test]
async fn positions_are_seen_and_changed_only_by_their_own_party() {
    for app in App::all().await {
        let case = import(&app, LABOUR).await;
        let c = format!("/api/cases/{case}");
        let union = app
            .account("union-member", "party", Some(&case), Some("union"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;

        let own = app
            .get(&format!("{c}/parties/union/position"), &union)
            .await;
        assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
        assert_eq!(own.body["party"], "union");
        assert!(own.body["position"]["weights"]["wage"].is_number());
        assert!(own.body["updated_ms"].as_i64().unwrap() > 0);
        for (token, party, status) in [
            (&union, "employer", StatusCode::FORBIDDEN),
            (&union, "mediator", StatusCode::FORBIDDEN),
            (&union, "nobody", StatusCode::FORBIDDEN),
            (&observer, "union", StatusCode::FORBIDDEN),
            (&app.mediator, "employer", StatusCode::OK),
            (&app.mediator, "nobody", StatusCode::NOT_FOUND),
            // The mediator's party holds no position.
            (&app.mediator, "mediator", StatusCode::NOT_FOUND),
        ] {
            let answer = app
                .get(&format!("{c}/parties/{party}/position"), token)
                .await;
            assert_eq!(answer.status, status, "{party}: {:?}", answer.body);
        }
        let employer = app
            .get(&format!("{c}/parties/employer/position"), &app.mediator)
            .await
            .body;

        // The member rewrites its own position, and reads back what it wrote.
        let mine = labour_position(0.3);
        let put = app
            .put(&format!("{c}/parties/union/position"), &union, &mine)
            .await;
        assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
        let read = app
            .get(&format!("{c}/parties/union/position"), &union)
            .await;
        assert_eq!(read.body["position"], mine);
        for (token, party) in [(&union, "employer"), (&observer, "union")] {
            let answer = app
                .put(&format!("{c}/parties/{party}/position"), token, &mine)
                .await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN);
        }
        // The mediator may set any party's position; an unknown party is a 404.
        let by_mediator = app
            .put(
                &format!("{c}/parties/employer/position"),
                &app.mediator,
                &employer["position"],
            )
            .await;
        assert_eq!(by_mediator.status, StatusCode::OK, "{:?}", by_mediator.body);
        assert_eq!(
            app.put(
                &format!("{c}/parties/nobody/position"),
                &app.mediator,
                &mine
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );

        // An invalid position: every problem names the position's own field, and nothing
        // of another party's position shows.
        let mut wrong = labour_position(0.3);
        wrong["weights"]["nowhere"] = json!(2);
        wrong["ratings"]["wage"]["+9%"] = json!(3);
        wrong["red_lines"] = json!([{ "point": "hours", "not": ["35"] }]);
        let invalid = app
            .put(&format!("{c}/parties/union/position"), &union, &wrong)
            .await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.body["error"]["field"], "position.weights.nowhere");
        let problems = invalid.body["error"]["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 3, "{problems:?}");
        for problem in problems {
            let field = problem["field"].as_str().unwrap();
            assert!(field.starts_with("position."), "{field}");
            assert!(problem.get("line").is_none());
        }
        let text = invalid.body.to_string();
        assert!(
            !text.contains("employer") && !text.contains("parties["),
            "{text}"
        );
        for weight in employer["position"]["weights"]
            .as_object()
            .unwrap()
            .values()
        {
            assert!(!text.contains(&weight.to_string()), "{weight} in {text}");
        }
        let wrong_type = app
            .put(
                &format!("{c}/parties/union/position"),
                &union,
                &json!({ "weights": { "wage": "much" } }),
            )
            .await;
        assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong_type.body["error"]["field"], "position.weights.wage");
        // The position did not change.
        let read = app
            .get(&format!("{c}/parties/union/position"), &union)
            .await;
        assert_eq!(read.body["position"], mine);

        // A new party has no position until one is set.
        let added = app
            .post(
                &format!("{c}/parties"),
                &app.mediator,
                &json!({ "id": "council" }),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED);
        assert_eq!(
            app.get(&format!("{c}/parties/council/position"), &app.mediator)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The audit log tells that positions changed, never how.
        let audit = app.state.store.audit(Some(&case), None, 100).await.unwrap();
        let updates: Vec<_> = audit
            .iter()
            .filter(|r| r.entry.action == "position.update")
            .collect();
        assert_eq!(updates.len(), 2);
        for record in updates {
            assert!(!record.entry.detail.contains("weights"), "{record:?}");
            assert!(!record.entry.detail.contains("reservation"), "{record:?}");
        }
    }
}

#[tokio::test]
async fn the_export_holds_positions_only_for_the_mediator() {
    for app in App::all().await {
        let case = import(&app, LABOUR).await;
        let c = format!("/api/cases/{case}");
        let union = app
            .account("union-member", "party", Some(&case), Some("union"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        let employer_weight = app
            .get(&format!("{c}/parties/employer/position"), &app.mediator)
            .await
            .body["position"]["weights"]["wage"]
            .to_string();

        let (status, content_type, text) =
            get_text(&app, &format!("{c}/export?format=json"), &app.mediator).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/json");
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["parties"][1]["id"], "employer");
        assert_eq!(
            doc["parties"][1]["position"]["weights"]["wage"].to_string(),
            employer_weight
        );
        assert_eq!(
            doc["points"][0]["text"],
            "The general wage increase in the first year."
        );

        let (status, _, text) = get_text(&app, &format!("{c}/export?format=json"), &union).await;
        assert_eq!(status, StatusCode::OK);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["parties"].as_array().unwrap().len(), 3);
        assert!(!text.contains("position") && !text.contains("reservation_value"));
        assert!(
            !text.contains(&employer_weight),
            "{employer_weight} in {text}"
        );
        // Version 1 is not tabled: the member's export has no wording.
        assert!(doc["points"][0].get("text").is_none());
        table(&app, &case, 1).await;
        let (_, _, text) = get_text(&app, &format!("{c}/export?format=json"), &union).await;
        assert!(text.contains("The general wage increase in the first year."));

        // TOML by default, and it reads back as a case file.
        let (status, content_type, text) =
            get_text(&app, &format!("{c}/export"), &app.mediator).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/toml");
        let read = read_case("export.toml", &text, CaseFormat::Toml).unwrap();
        assert_eq!(read.negotiating_parties().len(), 2);
        let (_, _, text) = get_text(&app, &format!("{c}/export?format=toml"), &union).await;
        let read = read_case("export.toml", &text, CaseFormat::Toml).unwrap();
        assert!(read.negotiating_parties().is_empty());

        let unknown = app
            .get(&format!("{c}/export?format=xml"), &app.mediator)
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.body["error"]["field"], "format");
        assert_eq!(
            app.get(&format!("{c}/export"), &observer).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_analysis_is_whole_for_the_mediator_and_own_for_a_party() {
    for app in App::all().await {
        let case = import(&app, LABOUR).await;
        let c = format!("/api/cases/{case}");
        let union = app
            .account("union-member", "party", Some(&case), Some("union"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        // A package that crosses the union's red line on the wage.
        let version = add_draft(
            &app,
            &case,
            &json!({ "wage": "+2%", "hours": 38, "remote": "1-day", "pension": "6%", "length": "2-years" }),
        )
        .await;

        let full = app.get(&format!("{c}/analysis"), &app.mediator).await;
        assert_eq!(full.status, StatusCode::OK, "{:?}", full.body);
        for key in [
            "frontier",
            "nash",
            "kalai_smorodinsky",
            "egalitarian",
            "utilitarian",
            "draft",
        ] {
            assert!(full.body.get(key).is_some(), "no `{key}`");
        }
        assert_eq!(full.body["parties"], json!(["union", "employer"]));
        assert_eq!(full.body["status"], "exact");

        // The draft is not tabled: the member's view has no draft yet, but its best package.
        let own = app.get(&format!("{c}/analysis"), &union).await;
        assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
        assert_eq!(own.body["scope"], "own");
        assert_eq!(own.body["draft"], Value::Null);
        assert_eq!(own.body["best"]["package"]["wage"], "+5%");
        assert!((own.body["best"]["utility"].as_f64().unwrap() - 1.0).abs() < 1e-9);

        table(&app, &case, version).await;
        let own = app.get(&format!("{c}/analysis"), &union).await;
        let view = &own.body;
        assert_eq!(view["party"], "union");
        assert_eq!(view["reservation_value"], 0.45);
        assert_eq!(view["draft"]["version"], version);
        assert_eq!(view["draft"]["accepts"], false);
        assert_eq!(view["draft"]["crossed_red_lines"][0]["index"], 0);
        assert_eq!(
            view["draft"]["crossed_red_lines"][0]["red_line"]["point"],
            "wage"
        );
        let keys: Vec<&String> = view.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "scope",
                "party",
                "has_position",
                "reservation_value",
                "draft",
                "best"
            ]
        );
        let text = view.to_string();
        assert!(
            !text.contains("employer") && !text.contains("frontier"),
            "{text}"
        );

        assert_eq!(
            app.get(&format!("{c}/analysis"), &observer).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_peace_analysis_is_approximate_and_keeps_parties_apart() {
    let app = App::sqlite().await;
    let case = import(&app, PEACE).await;
    let c = format!("/api/cases/{case}");
    let full = app.get(&format!("{c}/analysis"), &app.mediator).await;
    assert_eq!(full.status, StatusCode::OK, "{:?}", full.body);
    // 10^19 packages: an approximate frontier; nothing clears every red line, so the
    // relaxed analysis carries the frontier, listed in part.
    assert_eq!(full.body["any_feasible"], false);
    let relaxed = &full.body["relaxed"];
    assert_eq!(relaxed["status"], "approximate");
    assert!(relaxed["frontier_size"].as_u64().unwrap() > 200);
    assert_eq!(relaxed["frontier_listed"], 200);
    assert_eq!(relaxed["frontier"].as_array().unwrap().len(), 200);
    assert!(relaxed.get("nash").is_some());

    let ukraine = app
        .account("ukraine-member", "party", Some(&case), Some("ukraine"))
        .await;
    table(&app, &case, 1).await;
    let own = app.get(&format!("{c}/analysis"), &ukraine).await;
    assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
    // The draft's army cap of 600,000 is under Ukraine's floor of 750,000.
    let crossed = own.body["draft"]["crossed_red_lines"].as_array().unwrap();
    assert!(
        crossed.iter().any(|r| r["red_line"]["point"] == "army-cap"),
        "{crossed:?}"
    );
    assert_eq!(own.body["draft"]["accepts"], false);
    assert_eq!(own.body["best"]["meets_reservation_value"], true);
    let text = own.body.to_string();
    for other in [
        "\"russia\"",
        "united-states",
        "european-partners",
        "\"mediator\"",
    ] {
        assert!(!text.contains(other), "{other} in {text}");
    }
}

#[tokio::test]
async fn the_analysis_follows_every_change_of_the_case() {
    let app = App::sqlite().await;
    let case = import(&app, LABOUR).await;
    let c = format!("/api/cases/{case}");
    let first = app.get(&format!("{c}/analysis"), &app.mediator).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let again = app.get(&format!("{c}/analysis"), &app.mediator).await;
    assert_eq!(first.body, again.body);
    // A new position changes the answer at once: nothing stale is served.
    let changed = app
        .put(
            &format!("{c}/parties/union/position"),
            &app.mediator,
            &labour_position(0.1),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let after = app.get(&format!("{c}/analysis"), &app.mediator).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(first.body["frontier"], after.body["frontier"]);
    assert_ne!(first.body["nash"], after.body["nash"]);
}
