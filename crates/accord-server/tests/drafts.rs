//! Draft versions, their diffs and visibility, and the one-text procedure: tabling,
//! responses, their confidentiality until published, and the tally.

mod common;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use accord_formats::analysis_json::package_map;
use accord_formats::case_file::{CaseFormat, read_case};
use accord_server::{ImportInput, import_case};

use common::App;

/// Imports a case file (as version 1 with its wording and package) and returns its id.
async fn create_case(app: &App, source: &str) -> String {
    import_case(
        &app.state,
        None,
        "case.toml",
        ImportInput::CaseFile {
            format: CaseFormat::Toml,
            text: source.to_string(),
        },
    )
    .await
    .expect("example imports")
}

/// A new-draft body with the case file's wording and its draft package (if any).
fn draft_body(source: &str, note: &str) -> Value {
    let case = read_case("case.toml", source, CaseFormat::Toml).unwrap();
    let points: Vec<Value> = case
        .points()
        .iter()
        .map(|p| json!({ "point": p.id, "title": p.title, "text": p.text }))
        .collect();
    let package = case
        .draft()
        .map_or(Value::Null, |d| Value::Object(package_map(&case, d)));
    json!({ "note": note, "points": points, "package": package })
}

/// The labour contract with a package (the example has none).
fn labour_body(note: &str) -> Value {
    let mut body = draft_body(common::LABOUR, note);
    body["package"] = json!({ "wage": "+3%", "hours": 38, "remote": "1-day",
                              "pension": "6%", "length": "2-years" });
    body
}

fn point_mut<'a>(body: &'a mut Value, id: &str) -> &'a mut Map<String, Value> {
    body["points"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["point"] == id)
        .unwrap()
        .as_object_mut()
        .unwrap()
}

fn diff_point<'a>(diff: &'a Value, id: &str) -> &'a Value {
    diff["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["point"] == id)
        .unwrap_or_else(|| panic!("no point {id} in {diff}"))
}

fn runs(point: &Value, op: &str) -> String {
    point["wording"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["op"] == op)
        .map(|r| r["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("|")
}

/// Sends a POST without a body (the stamps take none).
async fn post_empty(app: &App, path: &str, token: &str) -> common::Answer {
    app.send(axum::http::Method::POST, path, Some(token), None)
        .await
}

fn field(answer: &common::Answer) -> &str {
    answer.body["error"]["field"].as_str().unwrap_or("")
}

#[tokio::test]
async fn versions_are_checked_and_diffed() {
    for app in App::all().await {
        let backend = app.backend();
        let case = create_case(&app, common::LABOUR).await;
        let drafts = format!("/api/cases/{case}/drafts");

        let first = app
            .post(&drafts, &app.mediator, &labour_body("first"))
            .await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{backend}: {:?}",
            first.body
        );
        let v1 = first.body["version"].as_i64().unwrap();
        assert_eq!(first.body["author"], "mediator");
        assert_eq!(first.body["package"]["hours"], 38);
        assert!(first.body["tabled_ms"].is_null());

        // The second version: words inserted in one point, deleted in another, a value
        // changed in a third, the points sent in another order (stored in the case's).
        let mut body = labour_body("second");
        point_mut(&mut body, "wage").insert(
            "text".into(),
            json!("The general wage increase in the first and second year."),
        );
        point_mut(&mut body, "pension")
            .insert("text".into(), json!("The employer's pension contribution."));
        // An empty title is the point's own.
        point_mut(&mut body, "length").insert("title".into(), json!(""));
        body["package"]["hours"] = json!(39);
        body["points"].as_array_mut().unwrap().reverse();
        let second = app.post(&drafts, &app.mediator, &body).await;
        assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);
        let v2 = second.body["version"].as_i64().unwrap();
        assert_eq!(v2, v1 + 1);
        assert_eq!(second.body["points"][0]["point"], "wage");
        assert_eq!(second.body["points"][4]["title"], "Contract length");

        let list = app.get(&drafts, &app.mediator).await;
        assert_eq!(list.status, StatusCode::OK);
        let list = list.body.as_array().unwrap();
        assert!(
            list.iter()
                .any(|d| d["version"] == v2 && d["note"] == "second")
        );
        assert!(list.iter().all(|d| d.get("points").is_none()));

        let diff = app
            .get(&format!("{drafts}/{v1}/diff/{v2}"), &app.mediator)
            .await;
        assert_eq!(diff.status, StatusCode::OK, "{:?}", diff.body);
        let diff = diff.body;
        let wage = diff_point(&diff, "wage");
        assert_eq!(wage["status"], "changed");
        assert!(runs(wage, "insert").contains("and second"), "{wage}");
        assert_eq!(runs(wage, "delete"), "");
        let pension = diff_point(&diff, "pension");
        assert!(
            runs(pension, "delete").contains("as a share of salary"),
            "{pension}"
        );
        let hours = diff_point(&diff, "hours");
        assert_eq!(hours["status"], "changed");
        assert_eq!(hours["value"], json!({ "from": 38, "to": 39 }));
        assert_eq!(runs(hours, "insert"), "");
        let remote = diff_point(&diff, "remote");
        assert_eq!(remote["status"], "unchanged");
        assert!(remote.get("value").is_none());
        assert_eq!(diff["summary"]["changed"], 3);
        assert_eq!(diff["summary"]["unchanged"], 2);
        assert_eq!(diff["summary"]["values_changed"], 1);
        // The points of the diff are in the case's order.
        let order: Vec<&str> = diff["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["point"].as_str().unwrap())
            .collect();
        assert_eq!(order, ["wage", "hours", "remote", "pension", "length"]);

        // Creating versions is audited.
        let audit = app.state.store.audit(Some(&case), None, 100).await.unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|r| r.entry.action == "draft.create")
                .count(),
            2
        );
    }
}

#[tokio::test]
async fn bad_versions_are_refused_with_the_field() {
    let app = App::sqlite().await;
    let case = create_case(&app, common::LABOUR).await;
    let drafts = format!("/api/cases/{case}/drafts");
    let refused = |body: Value, expected: &'static str| {
        let app = &app;
        let drafts = &drafts;
        async move {
            let answer = app.post(drafts, &app.mediator, &body).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{expected}: {:?}",
                answer.body
            );
            assert_eq!(field(&answer), expected, "{:?}", answer.body);
        }
    };

    let mut unknown = labour_body("");
    unknown["points"][2]["point"] = json!("bonus");
    refused(unknown, "points[2].point").await;
    let mut duplicate = labour_body("");
    duplicate["points"][3]["point"] = json!("wage");
    refused(duplicate, "points[3].point").await;
    let mut missing = labour_body("");
    missing["points"].as_array_mut().unwrap().remove(1);
    refused(missing, "points").await;
    let mut long = labour_body("");
    long["points"][0]["text"] = json!("word ".repeat(5000));
    refused(long, "points[0].text").await;
    let mut bad_value = labour_body("");
    bad_value["package"]["hours"] = json!(50);
    refused(bad_value, "package.hours").await;
    let mut bad_option = labour_body("");
    bad_option["package"]["wage"] = json!("+9%");
    refused(bad_option, "package.wage").await;
    let mut short = labour_body("");
    short["package"].as_object_mut().unwrap().remove("length");
    refused(short, "package.length").await;
    let mut extra = labour_body("");
    extra["package"]["bonus"] = json!(1);
    refused(extra, "package.bonus").await;
    let mut unknown_field = labour_body("");
    unknown_field["points"][0]["wording"] = json!("x");
    let answer = app.post(&drafts, &app.mediator, &unknown_field).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&answer), "points[0].wording");

    // Nothing was stored: only the imported version is there.
    let listed = app.get(&drafts, &app.mediator).await.body;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["author"], "server");

    // Versions in the path: not a number, absent, another case.
    let created = app.post(&drafts, &app.mediator, &labour_body("")).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let word = app.get(&format!("{drafts}/first"), &app.mediator).await;
    assert_eq!(
        word.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        word.body
    );
    let zero = app.get(&format!("{drafts}/0/diff/1"), &app.mediator).await;
    assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = app
        .get(&format!("{drafts}/99999999999999999999999"), &app.mediator)
        .await;
    assert_eq!(huge.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&format!("{drafts}/7"), &app.mediator).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{drafts}/1/diff/7"), &app.mediator)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/cases/nope/drafts/1", &app.mediator)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let absent = app
        .put(
            &format!("{drafts}/7/responses/union"),
            &app.mediator,
            &json!({ "points": {} }),
        )
        .await;
    assert_eq!(absent.status, StatusCode::NOT_FOUND);

    // Every route is in the OpenAPI document.
    let document = app.get("/openapi.json", &app.mediator).await.body;
    for path in [
        "/api/cases/{case}/drafts",
        "/api/cases/{case}/drafts/{version}",
        "/api/cases/{case}/drafts/{a}/diff/{b}",
        "/api/cases/{case}/drafts/{version}/table",
        "/api/cases/{case}/drafts/{version}/publish",
        "/api/cases/{case}/drafts/{version}/responses",
        "/api/cases/{case}/drafts/{version}/responses/publish",
        "/api/cases/{case}/drafts/{version}/responses/{party}",
        "/api/cases/{case}/drafts/{version}/tally",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path}");
    }

    // Only the mediator writes versions.
    let member = app
        .account("union-a", "party", Some(&case), Some("union"))
        .await;
    let answer = app.post(&drafts, &member, &labour_body("")).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = app
        .send(
            axum::http::Method::POST,
            &format!("{drafts}/1/table"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn drafts_are_seen_once_tabled_or_published() {
    for app in App::all().await {
        let backend = app.backend();
        let case = create_case(&app, common::LABOUR).await;
        let drafts = format!("/api/cases/{case}/drafts");
        let member = app
            .account("union-a", "party", Some(&case), Some("union"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        let v1 = app
            .post(&drafts, &app.mediator, &labour_body("one"))
            .await
            .body["version"]
            .as_i64()
            .unwrap();
        let v2 = app
            .post(&drafts, &app.mediator, &labour_body("two"))
            .await
            .body["version"]
            .as_i64()
            .unwrap();
        let one = format!("{drafts}/{v1}");

        for token in [&member, &observer] {
            assert_eq!(
                app.get(&one, token).await.status,
                StatusCode::NOT_FOUND,
                "{backend}"
            );
            assert_eq!(app.get(&drafts, token).await.body, json!([]));
        }

        let tabled = post_empty(&app, &format!("{one}/table"), &app.mediator).await;
        assert_eq!(tabled.status, StatusCode::OK, "{:?}", tabled.body);
        assert!(tabled.body["tabled_ms"].is_i64());
        let seen = app.get(&one, &member).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.body["package"]["wage"], "+3%");
        let listed = app.get(&drafts, &member).await.body;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["version"], v1);
        // The untabled version stays hidden, in a diff too.
        assert_eq!(
            app.get(&format!("{drafts}/{v2}"), &member).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("{drafts}/{v1}/diff/{v2}"), &member)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // Tabled is not published: the observer still sees nothing.
        assert_eq!(app.get(&one, &observer).await.status, StatusCode::NOT_FOUND);

        let published = post_empty(&app, &format!("{one}/publish"), &app.mediator).await;
        assert_eq!(published.status, StatusCode::OK);
        assert_eq!(app.get(&one, &observer).await.status, StatusCode::OK);
        assert_eq!(
            app.get(&drafts, &observer)
                .await
                .body
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // A member of another case's party does not learn the case exists.
        let other = create_case(&app, common::LABOUR).await;
        let stranger = app
            .account("other-union", "party", Some(&other), Some("union"))
            .await;
        assert_eq!(app.get(&one, &stranger).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn one_text_round() {
    for app in App::all().await {
        let backend = app.backend();
        let case = create_case(&app, common::PEACE).await;
        let drafts = format!("/api/cases/{case}/drafts");
        let created = app
            .post(
                &drafts,
                &app.mediator,
                &draft_body(common::PEACE, "the framework"),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{backend}: {:?}",
            created.body
        );
        let version = created.body["version"].as_i64().unwrap();
        let draft = format!("{drafts}/{version}");
        let ukraine = app
            .account("ua", "party", Some(&case), Some("ukraine"))
            .await;
        let russia = app
            .account("ru", "party", Some(&case), Some("russia"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;

        let ukraine_answer = json!({
            "comment": "a basis for talks",
            "points": {
                "sovereignty": { "verdict": "accept" },
                "alliance": { "verdict": "reject", "comment": "no renunciation" },
                "nuclear-status": { "verdict": "amend",
                    "amendment": { "value": "npt-plus-arms-control" } },
            }
        });
        let russia_answer = json!({
            "points": {
                "sovereignty": { "verdict": "accept" },
                "alliance": { "verdict": "amend", "amendment": { "text": "Ukraine stays out." } },
                "nuclear-status": { "verdict": "amend",
                    "amendment": { "value": "npt-plus-arms-control", "text": "And arms control." } },
            }
        });
        let ukraine_path = format!("{draft}/responses/ukraine");
        let russia_path = format!("{draft}/responses/russia");

        // Not tabled yet: no responses. To the party the draft does not exist yet (a 409
        // would tell it that the mediator has a draft in hand).
        let early = app.put(&ukraine_path, &ukraine, &ukraine_answer).await;
        assert_eq!(early.status, StatusCode::NOT_FOUND, "{:?}", early.body);
        let early = post_empty(&app, &format!("{draft}/responses/publish"), &app.mediator).await;
        assert_eq!(early.status, StatusCode::CONFLICT);

        // Tabling twice is fine, and audited once.
        for _ in 0..2 {
            let tabled = post_empty(&app, &format!("{draft}/table"), &app.mediator).await;
            assert_eq!(tabled.status, StatusCode::OK);
        }

        // A member answers only for its own party.
        let usurper = app.put(&russia_path, &ukraine, &russia_answer).await;
        assert_eq!(usurper.status, StatusCode::FORBIDDEN);
        let mediator_answer = app.put(&russia_path, &app.mediator, &russia_answer).await;
        assert_eq!(mediator_answer.status, StatusCode::FORBIDDEN);

        // Bad answers name the field.
        let bad = |points: Value| json!({ "points": points });
        for (body, expected) in [
            (
                bad(json!({ "sovereignty": { "verdict": "maybe" } })),
                "points.sovereignty.verdict",
            ),
            (
                bad(json!({ "bogus": { "verdict": "accept" } })),
                "points.bogus",
            ),
            (
                bad(json!({ "alliance": { "verdict": "amend" } })),
                "points.alliance.amendment",
            ),
            (
                bad(json!({ "alliance": { "verdict": "amend", "amendment": {} } })),
                "points.alliance.amendment",
            ),
            (
                bad(json!({ "army-cap": { "verdict": "amend", "amendment": { "value": 5 } } })),
                "points.army-cap.amendment.value",
            ),
            (
                bad(json!({ "alliance": { "verdict": "amend",
                                          "amendment": { "value": "join-tomorrow" } } })),
                "points.alliance.amendment.value",
            ),
            (
                bad(json!({ "alliance": { "verdict": "accept",
                                          "amendment": { "text": "x" } } })),
                "points.alliance.amendment",
            ),
        ] {
            let answer = app.put(&ukraine_path, &ukraine, &body).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{expected}: {:?}",
                answer.body
            );
            assert_eq!(field(&answer), expected, "{:?}", answer.body);
        }

        // Two parties answer; Ukraine first with something it then replaces.
        let first = app
            .put(
                &ukraine_path,
                &ukraine,
                &json!({ "points": { "sovereignty": { "verdict": "reject" } } }),
            )
            .await;
        assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
        let stored = app.put(&ukraine_path, &ukraine, &ukraine_answer).await;
        assert_eq!(stored.status, StatusCode::OK, "{:?}", stored.body);
        assert_eq!(stored.body["party"], "ukraine");
        assert_eq!(stored.body["submitted_by"], "ua");
        assert_eq!(stored.body["points"]["sovereignty"]["verdict"], "accept");
        let stored = app.put(&russia_path, &russia, &russia_answer).await;
        assert_eq!(stored.status, StatusCode::OK, "{:?}", stored.body);

        // Before publication each party sees its own response only.
        assert_eq!(
            app.get(&ukraine_path, &ukraine).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.get(&russia_path, &ukraine).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&ukraine_path, &russia).await.status,
            StatusCode::FORBIDDEN
        );
        // Whether a party has answered is not told either.
        assert_eq!(
            app.get(&format!("{draft}/responses/united-states"), &ukraine)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let own = app.get(&format!("{draft}/responses"), &ukraine).await;
        assert_eq!(own.status, StatusCode::OK);
        let own = own.body.as_array().unwrap().clone();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0]["party"], "ukraine");
        assert_eq!(
            app.get(&format!("{draft}/tally"), &ukraine).await.status,
            StatusCode::FORBIDDEN
        );
        // The mediator sees both, and a party that has not answered is a 404.
        let all = app.get(&format!("{draft}/responses"), &app.mediator).await;
        assert_eq!(all.body.as_array().unwrap().len(), 2);
        assert_eq!(
            app.get(&format!("{draft}/responses/united-states"), &app.mediator)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // The mediator's tally counts them and proposes improvements.
        let tally = app.get(&format!("{draft}/tally"), &app.mediator).await;
        assert_eq!(tally.status, StatusCode::OK, "{:?}", tally.body);
        let tally = tally.body;
        assert_eq!(tally["answered"], json!(["ukraine", "russia"]));
        assert_eq!(tally["accept_all"], json!([]));
        let point = |id: &str| {
            tally["points"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["point"] == id)
                .unwrap()
                .clone()
        };
        let sovereignty = point("sovereignty");
        assert_eq!(sovereignty["accept"], 2);
        assert_eq!(sovereignty["unanswered"], 2);
        assert_eq!(
            sovereignty["unanswered_by"],
            json!(["united-states", "european-partners"])
        );
        let alliance = point("alliance");
        assert_eq!(alliance["reject"], 1);
        assert_eq!(alliance["rejected_by"], json!(["ukraine"]));
        assert_eq!(alliance["amend"], 1);
        assert_eq!(alliance["amendments"][0]["text"], "Ukraine stays out.");
        assert_eq!(point("nuclear-status")["amend"], 2);
        assert_eq!(point("army-cap")["unanswered"], 4);
        let proposals = tally["proposals"].as_array().expect("proposals");
        // Both parties' amendment to the nuclear status leaves no one worse off.
        let amendment = proposals
            .iter()
            .find(|p| p["kind"] == "amendment")
            .unwrap_or_else(|| panic!("no amendment proposal: {proposals:?}"));
        assert_eq!(amendment["proposed_by"], json!(["ukraine", "russia"]));
        assert_eq!(
            amendment["changes"],
            json!([{ "point": "nuclear-status", "from": "npt-only", "to": "npt-plus-arms-control" }])
        );
        for party in ["ukraine", "russia", "united-states", "european-partners"] {
            assert!(
                amendment["gains"][party].as_f64().unwrap() > 0.0,
                "{amendment}"
            );
        }
        assert!(
            proposals.iter().any(|p| p["kind"] == "trade"),
            "{proposals:?}"
        );

        // Publishing the responses: everyone who reads the draft reads them, and the tally
        // without the proposals; they are final.
        let published =
            post_empty(&app, &format!("{draft}/responses/publish"), &app.mediator).await;
        assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
        assert_eq!(app.get(&russia_path, &ukraine).await.status, StatusCode::OK);
        assert_eq!(
            app.get(&format!("{draft}/responses"), &ukraine)
                .await
                .body
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let party_tally = app.get(&format!("{draft}/tally"), &ukraine).await;
        assert_eq!(party_tally.status, StatusCode::OK);
        assert_eq!(party_tally.body["points"], tally["points"]);
        assert!(
            party_tally.body.get("proposals").is_none(),
            "{:?}",
            party_tally.body
        );
        assert!(party_tally.body.get("proposals_note").is_none());
        let late = app.put(&ukraine_path, &ukraine, &ukraine_answer).await;
        assert_eq!(late.status, StatusCode::CONFLICT);

        // The observer reads nothing until the draft itself is published.
        assert_eq!(
            app.get(&format!("{draft}/tally"), &observer).await.status,
            StatusCode::NOT_FOUND
        );
        post_empty(&app, &format!("{draft}/publish"), &app.mediator).await;
        let observed = app.get(&format!("{draft}/tally"), &observer).await;
        assert_eq!(observed.status, StatusCode::OK);
        assert!(observed.body.get("proposals").is_none());
        assert_eq!(
            app.get(&russia_path, &observer).await.status,
            StatusCode::OK
        );

        // The audit: one tabling, response counts without their content.
        let audit = app
            .state
            .store
            .audit(Some(&case), None, 1000)
            .await
            .unwrap();
        let count = |action: &str| audit.iter().filter(|r| r.entry.action == action).count();
        assert_eq!(count("draft.table"), 1);
        assert_eq!(count("draft.responses_publish"), 1);
        assert_eq!(count("response.submit"), 3);
        let submitted = audit
            .iter()
            .rev()
            .find(|r| r.entry.action == "response.submit")
            .unwrap();
        assert!(!submitted.entry.detail.contains("Ukraine stays out"));
        let detail: Value = serde_json::from_str(&submitted.entry.detail).unwrap();
        assert_eq!(detail["amend"], 2);
        assert_eq!(detail["unanswered"], 25);
    }
}

#[tokio::test]
async fn a_draft_without_a_package_has_no_proposals() {
    let app = App::sqlite().await;
    let case = create_case(&app, common::LABOUR).await;
    let drafts = format!("/api/cases/{case}/drafts");
    let created = app
        .post(
            &drafts,
            &app.mediator,
            &draft_body(common::LABOUR, "words only"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert!(created.body["package"].is_null());
    let version = created.body["version"].as_i64().unwrap();
    post_empty(&app, &format!("{drafts}/{version}/table"), &app.mediator).await;
    let member = app
        .account("union-a", "party", Some(&case), Some("union"))
        .await;
    let answer = app
        .put(
            &format!("{drafts}/{version}/responses/union"),
            &member,
            &json!({ "points": { "wage": { "verdict": "amend", "amendment": { "value": "+5%" } },
                                 "hours": { "verdict": "amend", "amendment": { "value": 35 } } } }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let tally = app
        .get(&format!("{drafts}/{version}/tally"), &app.mediator)
        .await;
    assert_eq!(tally.status, StatusCode::OK);
    assert_eq!(tally.body["proposals"], json!([]));
    assert!(tally.body["proposals_note"].is_string());
    assert_eq!(tally.body["points"][0]["amendments"][0]["value"], "+5%");
}

#[tokio::test]
async fn a_party_cannot_tell_an_unpublished_draft_from_a_missing_one() {
    for app in App::all().await {
        let backend = app.backend();
        let case = create_case(&app, common::LABOUR).await;
        let drafts = format!("/api/cases/{case}/drafts");
        // The mediator's draft 2, neither tabled nor published.
        let posted = app.post(&drafts, &app.mediator, &labour_body("work")).await;
        assert_eq!(posted.status, StatusCode::CREATED, "{backend}");
        let unpublished = posted.body["version"].as_i64().unwrap();
        let member = app
            .account("unionist", "party", Some(&case), Some("union"))
            .await;
        let answer = |version: i64, party: &'static str| {
            let path = format!("{drafts}/{version}/responses/{party}");
            let member = member.clone();
            let app = &app;
            async move {
                let answer = app.put(&path, &member, &json!({ "points": {} })).await;
                let message = answer.body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .replace(&version.to_string(), "N");
                (answer.status, answer.body["error"]["code"].clone(), message)
            }
        };
        for party in ["union", "employer"] {
            let hidden = answer(unpublished, party).await;
            let missing = answer(unpublished + 1, party).await;
            assert_eq!(hidden.0, StatusCode::NOT_FOUND, "{backend}: {hidden:?}");
            assert_eq!(hidden, missing, "{backend}: {party}");
        }
        // An observer the same.
        let observer = app.account("press", "observer", None, None).await;
        let hidden = app
            .put(
                &format!("{drafts}/{unpublished}/responses/union"),
                &observer,
                &json!({ "points": {} }),
            )
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{backend}");
    }
}
