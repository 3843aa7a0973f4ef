//! The confidentiality matrix: every route of the `OpenAPI` document, for every role.
//!
//! - **Non-interference.** Two worlds are built by the same requests, except that one
//!   party's secrets differ: its position (weights, ratings, red lines, reservation value),
//!   its response to the tabled draft, the mediator's unpublished drafts and meetings in
//!   channels the viewer is not in, and the confidential statements (how many, and what
//!   they say) at a meeting every viewer reads. Every GET route, with every value of its path
//!   parameters, must answer a member of the *other* party and an observer identically in
//!   both worlds (ids and times aside). Anything derived from the secrets (another party's
//!   utilities, which red lines it crosses, the analysis, its unpublished responses)
//!   would make the answers differ.
//! - **Writes.** Every write route, sent with a valid body by a role that may not make it,
//!   is refused (403, or 404 where the case is hidden) and changes nothing.
//! - **Coverage.** Every route in `/openapi.json` is exercised, so a new route cannot
//!   skip the matrix.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use common::{App, LABOUR};

/// The party whose secrets differ between the worlds, and the party whose member watches.
#[derive(Clone, Copy)]
struct Roles {
    secret: &'static str,
    viewer: &'static str,
}

/// One world: the app and the ids the requests need.
struct World {
    app: App,
    case: String,
    tokens: BTreeMap<&'static str, String>,
    /// Known ids (case, accounts, channels, meetings) and the placeholders that replace
    /// them, so that two worlds' answers compare.
    ids: Vec<(String, String)>,
    meetings: Vec<String>,
    channels: Vec<String>,
    accounts: BTreeMap<&'static str, String>,
}

/// Elicitation answers: two very different sets; both read.
fn answers(variant: u8) -> Value {
    if variant == 0 {
        json!({
            "options": { "wage": { "+2%": 0, "+3%": 40, "+4%": 80, "+5%": 100 } },
            "swings": { "wage": 100 }
        })
    } else {
        json!({
            "options": {
                "wage": { "+2%": 100, "+3%": 70, "+4%": 20, "+5%": 0 },
                "remote": { "none": 0, "1-day": 30, "2-days": 90, "3-days": 100 }
            },
            "unacceptable": { "wage": ["+5%"] },
            "swings": { "wage": 100, "remote": 35 },
            "packages": [{ "rating": 60, "package": {
                "wage": "+3%", "hours": 38, "remote": "2-days", "pension": "6%", "length": "2-years"
            } }],
            "no_agreement": 25
        })
    }
}

fn position(variant: u8, party: &str) -> Value {
    // Two very different positions for the same party; both valid.
    match (party, variant) {
        ("employer", 0) => json!({
            "reservation_value": 0.4,
            "weights": { "wage": 10, "hours": 5, "remote": 3, "pension": 6, "length": 4 },
            "ratings": {
                "wage": { "+2%": 10, "+3%": 7, "+4%": 3, "+5%": 0 },
                "hours": [[35, 0], [38, 7], [40, 10]],
                "remote": { "none": 6, "1-day": 10, "2-days": 7, "3-days": 2 },
                "pension": { "5%": 10, "6%": 5, "7%": 0 },
                "length": { "1-year": 2, "2-years": 6, "3-years": 10 }
            },
            "red_lines": [{ "point": "hours", "min": 37 }]
        }),
        ("employer", _) => json!({
            "reservation_value": 0.05,
            "weights": { "wage": 1, "hours": 1, "remote": 9, "pension": 1, "length": 1 },
            "ratings": {
                "wage": { "+2%": 0, "+3%": 10, "+4%": 9, "+5%": 1 },
                "hours": [[35, 10], [40, 0]],
                "remote": { "none": 0, "1-day": 2, "2-days": 10, "3-days": 3 },
                "pension": { "5%": 0, "6%": 10, "7%": 2 },
                "length": { "1-year": 10, "2-years": 0, "3-years": 1 }
            },
            "red_lines": [{ "point": "wage", "not": ["+5%"] }, { "point": "remote", "not": ["none"] }]
        }),
        (_, 0) => json!({
            "reservation_value": 0.45,
            "weights": { "wage": 10, "hours": 6, "remote": 4, "pension": 5, "length": 3 },
            "ratings": {
                "wage": { "+2%": 0, "+3%": 4, "+4%": 8, "+5%": 10 },
                "hours": [[35, 10], [40, 0]],
                "remote": { "none": 0, "1-day": 5, "2-days": 9, "3-days": 10 },
                "pension": { "5%": 0, "6%": 6, "7%": 10 },
                "length": { "1-year": 4, "2-years": 10, "3-years": 6 }
            },
            "red_lines": [{ "point": "wage", "not": ["+2%"] }]
        }),
        _ => json!({
            "reservation_value": 0.2,
            "weights": { "wage": 2, "hours": 1, "remote": 1, "pension": 8, "length": 1 },
            "ratings": {
                "wage": { "+2%": 3, "+3%": 10, "+4%": 0, "+5%": 1 },
                "hours": [[35, 0], [40, 10]],
                "remote": { "none": 10, "1-day": 0, "2-days": 1, "3-days": 2 },
                "pension": { "5%": 1, "6%": 0, "7%": 10 },
                "length": { "1-year": 0, "2-years": 1, "3-years": 10 }
            },
            "red_lines": [{ "point": "pension", "not": ["5%"] }]
        }),
    }
}

fn draft(note: &str, wage: &str) -> Value {
    let points: Vec<Value> = ["wage", "hours", "remote", "pension", "length"]
        .iter()
        .map(|p| json!({ "point": p, "title": p, "text": format!("{note}: the {p} clause") }))
        .collect();
    json!({
        "note": note,
        "points": points,
        "package": { "wage": wage, "hours": 38, "remote": "1-day", "pension": "6%", "length": "2-years" }
    })
}

fn response(variant: u8) -> Value {
    if variant == 0 {
        json!({ "comment": "fine", "points": {
            "wage": { "verdict": "accept" },
            "hours": { "verdict": "reject", "comment": "too long" } } })
    } else {
        json!({ "comment": "we need more", "points": {
            "wage": { "verdict": "amend", "amendment": { "value": "+5%" }, "comment": "higher" },
            "remote": { "verdict": "reject" } } })
    }
}

fn ok(answer: common::Answer, what: &str) -> Value {
    assert!(
        answer.status.is_success(),
        "{what}: {} {:?}",
        answer.status,
        answer.body
    );
    answer.body
}

/// Builds a world; `variant` picks the secret party's secrets.
async fn world(app: App, roles: Roles, variant: u8) -> World {
    let m = app.mediator.clone();
    let case = ok(
        app.post(
            "/api/cases",
            &m,
            &json!({ "format": "toml", "text": LABOUR }),
        )
        .await,
        "import",
    );
    let case = case["id"].as_str().expect("case id").to_string();
    let c = format!("/api/cases/{case}");
    let mut tokens = BTreeMap::new();
    tokens.insert("mediator", m.clone());
    for party in ["union", "employer"] {
        let token = app
            .account(
                &format!("member-{party}"),
                "party",
                Some(&case),
                Some(party),
            )
            .await;
        tokens.insert(party, token);
    }
    tokens.insert(
        "observer",
        app.account("observer", "observer", None, None).await,
    );

    // Positions: the secret party's differs between the worlds, written by its own member.
    for party in ["union", "employer"] {
        let v = if party == roles.secret { variant } else { 0 };
        ok(
            app.put(
                &format!("{c}/parties/{party}/position"),
                &tokens[party],
                &position(v, party),
            )
            .await,
            "position",
        );
        ok(
            app.put(
                &format!("{c}/parties/{party}/elicitation"),
                &tokens[party],
                &answers(v),
            )
            .await,
            "elicitation answers",
        );
    }
    // Draft 2 tabled and answered; draft 3 unpublished and untabled, different per world.
    ok(
        app.post(&format!("{c}/drafts"), &m, &draft("second", "+3%"))
            .await,
        "draft 2",
    );
    ok(
        app.send(Method::POST, &format!("{c}/drafts/2/table"), Some(&m), None)
            .await,
        "table",
    );
    ok(
        app.send(
            Method::POST,
            &format!("{c}/drafts/2/publish"),
            Some(&m),
            None,
        )
        .await,
        "publish",
    );
    for party in ["union", "employer"] {
        let v = if party == roles.secret { variant } else { 0 };
        ok(
            app.put(
                &format!("{c}/drafts/2/responses/{party}"),
                &tokens[party],
                &response(v),
            )
            .await,
            "response",
        );
    }
    let secret_note = if variant == 0 {
        "private working text"
    } else {
        "another private text"
    };
    ok(
        app.post(&format!("{c}/drafts"), &m, &draft(secret_note, "+4%"))
            .await,
        "draft 3",
    );

    // A channel with both parties and one with the secret party only.
    let mut channels = Vec::new();
    for (name, parties) in [
        ("plenary", vec!["union", "employer"]),
        ("bilateral", vec![roles.secret]),
    ] {
        let channel = ok(
            app.post(
                &format!("{c}/channels"),
                &m,
                &json!({ "name": name, "parties": parties }),
            )
            .await,
            "channel",
        );
        channels.push(
            channel["id"]
                .as_str()
                .or(channel["channel_id"].as_str())
                .expect("channel id")
                .to_string(),
        );
    }
    let mut meetings = Vec::new();
    for (k, channel) in channels.iter().enumerate() {
        let summary = if k == 1 && variant == 1 {
            "they would give way on remote work"
        } else {
            "opening positions"
        };
        let meeting = ok(app.post(&format!("{c}/meetings"), &m, &json!({
            "channel": channel, "date": "2026-11-0".to_string() + &(k + 1).to_string(), "summary": summary,
            "participants": [{ "party": roles.secret, "name": "Delegate" }], "tabled": [2] })).await, "meeting");
        let id = meeting["id"]
            .as_str()
            .or(meeting["meeting_id"].as_str())
            .expect("meeting id")
            .to_string();
        let quote = if k == 1 && variant == 1 {
            "our floor is lower than it looks"
        } else {
            "we are here to listen"
        };
        ok(
            app.post(
                &format!("{c}/meetings/{id}/statements"),
                &m,
                &json!({ "speaker": "Delegate", "quote": quote }),
            )
            .await,
            "statement",
        );
        if k == 0 {
            // Confidential statements at the plenary, which every viewer may read: how
            // many there are and what they say differ between the worlds, and a public
            // statement follows them.
            let confidential: &[&str] = if variant == 1 {
                &[
                    "the confidential floor marker",
                    "a second confidential marker",
                ]
            } else {
                &["nothing to add"]
            };
            for quote in confidential {
                ok(
                    app.post(
                        &format!("{c}/meetings/{id}/statements"),
                        &m,
                        &json!({ "speaker": "Delegate", "party": roles.secret,
                                 "quote": quote, "confidential": true }),
                    )
                    .await,
                    "confidential statement",
                );
            }
            ok(
                app.post(
                    &format!("{c}/meetings/{id}/statements"),
                    &m,
                    &json!({ "speaker": "Chair", "quote": "we will meet again" }),
                )
                .await,
                "statement after",
            );
        }
        meetings.push(id);
    }
    // The plenary meeting is published; the bilateral one is not.
    ok(
        app.send(
            Method::POST,
            &format!("{c}/meetings/{}/publish", meetings[0]),
            Some(&m),
            None,
        )
        .await,
        "publish meeting",
    );

    let accounts_list = app.get("/api/accounts", &m).await.body;
    let mut accounts = BTreeMap::new();
    let mut ids = vec![(case.clone(), "<case>".to_string())];
    for account in accounts_list.as_array().expect("accounts") {
        let username = account["username"].as_str().unwrap().to_string();
        let id = account["id"].as_str().unwrap().to_string();
        let key: &'static str = match username.as_str() {
            "mediator" => "mediator",
            "member-union" => "union",
            "member-employer" => "employer",
            _ => "observer",
        };
        accounts.insert(key, id.clone());
        ids.push((id, format!("<account:{username}>")));
    }
    for (k, id) in channels.iter().enumerate() {
        ids.push((id.clone(), format!("<channel:{k}>")));
    }
    for (k, id) in meetings.iter().enumerate() {
        ids.push((id.clone(), format!("<meeting:{k}>")));
    }
    World {
        app,
        case,
        tokens,
        ids,
        meetings,
        channels,
        accounts,
    }
}

/// An answer with ids replaced by placeholders and times dropped.
fn normalise(world: &World, answer: &common::Answer) -> String {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|key, _| !key.ends_with("_ms") && key != "token");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut body = answer.body.clone();
    strip(&mut body);
    let mut text = format!("{} {}", answer.status.as_u16(), body);
    for (id, placeholder) in &world.ids {
        text = text.replace(id.as_str(), placeholder);
    }
    text
}

/// Every way to fill a route's path parameters in a world.
fn instances(world: &World, template: &str) -> Vec<String> {
    let mut paths = vec![template.to_string()];
    let values: Vec<(&str, Vec<String>)> = vec![
        ("{case}", vec![world.case.clone()]),
        (
            "{party}",
            vec![
                "union".into(),
                "employer".into(),
                "mediator".into(),
                "nobody".into(),
            ],
        ),
        (
            "{version}",
            vec!["1".into(), "2".into(), "3".into(), "9".into()],
        ),
        ("{a}", vec!["1".into(), "2".into()]),
        ("{b}", vec!["2".into(), "3".into()]),
        ("{meeting}", world.meetings.clone()),
        ("{channel}", world.channels.clone()),
        ("{point}", vec!["wage".into(), "nowhere".into()]),
        (
            "{statement}",
            vec!["1".into(), "2".into(), "3".into(), "9".into()],
        ),
        ("{account}", world.accounts.values().cloned().collect()),
    ];
    for (name, options) in values {
        if !template.contains(name) {
            continue;
        }
        paths = paths
            .iter()
            .flat_map(|p| options.iter().map(move |o| p.replace(name, o)))
            .collect();
    }
    assert!(
        !paths.iter().any(|p| p.contains('{')),
        "unfilled parameter in {template}"
    );
    paths
}

/// The `OpenAPI` document's operations: (method, path template).
async fn operations(app: &App) -> BTreeSet<(String, String)> {
    let doc = app
        .send(Method::GET, "/openapi.json", None, None)
        .await
        .body;
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

/// A valid body for each write route, so that a refusal is about who asks, not what.
fn write_body(template: &str) -> Option<Value> {
    let body = match template {
        "/api/accounts" => {
            json!({ "username": "intruder", "role": "observer", "password": "intruder-password" })
        }
        "/api/accounts/{account}" => json!({ "active": true }),
        "/api/cases" => json!({ "format": "toml", "text": LABOUR }),
        "/api/cases/{case}" => json!({ "name": "renamed" }),
        "/api/cases/{case}/points" => json!({ "id": "bonus", "options": ["yes", "no"] }),
        "/api/cases/{case}/points/{point}" => {
            json!({ "id": "wage", "options": ["+2%", "+3%", "+4%", "+5%"] })
        }
        "/api/cases/{case}/parties" => {
            json!({ "id": "press", "name": "Press", "role": "observer" })
        }
        "/api/cases/{case}/parties/{party}" => {
            json!({ "name": "Renamed", "role": "party", "delegates": [] })
        }
        "/api/cases/{case}/parties/{party}/position" => position(0, "employer"),
        "/api/cases/{case}/parties/{party}/elicitation" => answers(0),
        "/api/cases/{case}/ingest" => json!({ "text": "The sides met in Geneva on Sunday." }),
        "/api/cases/{case}/ingest/record" => json!({ "meetings": [{
            "new_channel": { "name": "reported", "parties": ["union"] }, "date": "2026-11-20" }] }),
        "/api/cases/{case}/parties/{party}/elicitation/fit"
        | "/api/cases/{case}/parties/{party}/elicitation/confirm" => {
            json!({ "answers": answers(0) })
        }
        "/api/cases/{case}/parties/{party}/elicitation/suggest" => {
            json!({ "answers": answers(0), "n": 2 })
        }
        "/api/cases/{case}/drafts" => draft("intruding", "+5%"),
        "/api/cases/{case}/drafts/{version}/responses/{party}" => response(0),
        "/api/cases/{case}/channels" => json!({ "name": "side", "parties": [] }),
        "/api/cases/{case}/meetings" => {
            json!({ "channel": "x", "date": "2026-11-20", "summary": "s", "participants": [], "tabled": [] })
        }
        "/api/cases/{case}/meetings/{meeting}/statements" => {
            json!({ "speaker": "x", "quote": "y" })
        }
        "/api/cases/{case}/channels/{channel}" => {
            json!({ "name": "renamed", "parties": ["union", "employer"], "kind": "reported" })
        }
        "/api/cases/{case}/meetings/{meeting}" => {
            json!({ "summary": "rewritten", "place": "Geneva", "time": "10:00" })
        }
        "/api/cases/{case}/meetings/{meeting}/statements/{statement}" => {
            json!({ "quote": "rewritten", "confidential": false })
        }
        "/api/me/password" => json!({ "current": "x", "new": "long-enough-password" }),
        _ => return None,
    };
    Some(body)
}

/// Write routes a role may use on its own behalf (checked by their own tests).
fn own_write(role: &str, method: &str, path: &str) -> bool {
    let own_party = ["union", "employer"].contains(&role);
    path == "/api/login"
        || path == "/api/logout"
        || path == "/api/me/password"
        || (own_party && method == "PUT" && path.ends_with(&format!("/parties/{role}/position")))
        || (own_party && path.contains(&format!("/parties/{role}/elicitation")))
        || (own_party && method == "PUT" && path.ends_with(&format!("/responses/{role}")))
}

#[tokio::test]
async fn a_party_and_an_observer_learn_nothing_of_another_partys_secrets() {
    for roles in [
        Roles {
            secret: "employer",
            viewer: "union",
        },
        Roles {
            secret: "union",
            viewer: "employer",
        },
    ] {
        let mut worlds = Vec::new();
        for variant in 0..2 {
            for app in App::all().await {
                worlds.push((variant, world(app, roles, variant).await));
            }
        }
        let operations = operations(&worlds[0].1.app).await;
        let gets: Vec<&String> = operations
            .iter()
            .filter(|(m, _)| m == "GET")
            .map(|(_, p)| p)
            .collect();
        assert!(gets.len() >= 15, "too few GET routes: {gets:?}");
        // Pair the worlds of each backend: (variant 0, variant 1).
        let n_backends = worlds.len() / 2;
        for b in 0..n_backends {
            let (w0, w1) = (&worlds[b].1, &worlds[b + n_backends].1);
            assert_eq!((worlds[b].0, worlds[b + n_backends].0), (0, 1));
            for viewer in [roles.viewer, "observer"] {
                for template in &gets {
                    let paths0 = instances(w0, template);
                    let paths1 = instances(w1, template);
                    for (p0, p1) in paths0.iter().zip(&paths1) {
                        let a0 = w0.app.get(p0, &w0.tokens[viewer]).await;
                        let a1 = w1.app.get(p1, &w1.tokens[viewer]).await;
                        assert!(a0.status != StatusCode::INTERNAL_SERVER_ERROR, "{p0}: 500");
                        assert_eq!(
                            normalise(w0, &a0),
                            normalise(w1, &a1),
                            "{viewer} sees a difference in {}'s secrets at GET {template} ({})",
                            roles.secret,
                            w0.app.backend()
                        );
                    }
                }
            }
            // And nothing names the secret party's private strings.
            for viewer in [roles.viewer, "observer"] {
                for template in &gets {
                    for path in instances(w1, template) {
                        let text = w1.app.get(&path, &w1.tokens[viewer]).await.body.to_string();
                        for secret in [
                            "another private text",
                            "give way on remote",
                            "floor is lower",
                            "we need more",
                            "confidential floor marker",
                            "second confidential marker",
                        ] {
                            assert!(
                                !text.contains(secret),
                                "{viewer} reads `{secret}` at {path}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn every_write_is_refused_to_roles_that_may_not_make_it() {
    let roles = Roles {
        secret: "employer",
        viewer: "union",
    };
    for app in App::all().await {
        let world = world(app, roles, 0).await;
        let app = &world.app;
        let audit_before = app
            .get(
                &format!("/api/cases/{}/audit?limit=1000", world.case),
                &app.mediator,
            )
            .await;
        assert_eq!(audit_before.status, StatusCode::OK);
        let operations = operations(app).await;
        let mut writes = 0;
        for (method, template) in &operations {
            if method == "GET" {
                continue;
            }
            writes += 1;
            let body = write_body(template);
            for role in ["union", "employer", "observer"] {
                for path in instances(&world, template) {
                    if own_write(role, method, &path) {
                        continue;
                    }
                    let method = Method::from_bytes(method.as_bytes()).unwrap();
                    let answer = app
                        .send(
                            method.clone(),
                            &path,
                            Some(&world.tokens[role]),
                            body.as_ref(),
                        )
                        .await;
                    assert!(
                        answer.status == StatusCode::FORBIDDEN
                            || answer.status == StatusCode::NOT_FOUND,
                        "{role} {method} {path}: {} {:?}",
                        answer.status,
                        answer.body
                    );
                }
            }
        }
        assert!(writes >= 15, "too few write routes: {writes}");
        // Nothing changed: the audit log is as it was.
        let audit_after = app
            .get(
                &format!("/api/cases/{}/audit?limit=1000", world.case),
                &app.mediator,
            )
            .await;
        assert_eq!(
            audit_before.body, audit_after.body,
            "a refused write left a trace"
        );
    }
}

#[tokio::test]
async fn explicit_confidentiality_expectations() {
    let roles = Roles {
        secret: "employer",
        viewer: "union",
    };
    for app in App::all().await {
        let w = world(app, roles, 0).await;
        let c = format!("/api/cases/{}", w.case);
        let union = &w.tokens["union"];
        let observer = &w.tokens["observer"];
        let expect = [
            (
                union,
                format!("{c}/parties/employer/position"),
                StatusCode::FORBIDDEN,
            ),
            (union, format!("{c}/parties/union/position"), StatusCode::OK),
            (
                union,
                format!("{c}/drafts/2/responses/employer"),
                StatusCode::FORBIDDEN,
            ),
            (
                union,
                format!("{c}/drafts/2/responses/union"),
                StatusCode::OK,
            ),
            (union, format!("{c}/drafts/3"), StatusCode::NOT_FOUND),
            (union, format!("{c}/audit"), StatusCode::FORBIDDEN),
            (
                union,
                format!("{c}/meetings/{}", w.meetings[1]),
                StatusCode::NOT_FOUND,
            ),
            (union, format!("{c}/analysis"), StatusCode::OK),
            (
                observer,
                format!("{c}/parties/union/position"),
                StatusCode::FORBIDDEN,
            ),
            (observer, format!("{c}/analysis"), StatusCode::FORBIDDEN),
            (observer, format!("{c}/export"), StatusCode::FORBIDDEN),
            (
                observer,
                format!("{c}/drafts/2/tally"),
                StatusCode::FORBIDDEN,
            ),
            (
                observer,
                format!("{c}/meetings/{}", w.meetings[0]),
                StatusCode::OK,
            ),
            (
                observer,
                format!("{c}/meetings/{}", w.meetings[1]),
                StatusCode::NOT_FOUND,
            ),
        ];
        for (token, path, status) in expect {
            let answer = w.app.get(&path, token).await;
            assert_eq!(answer.status, status, "{path}: {:?}", answer.body);
        }
        // At the plenary, a party and an observer read the public statements only,
        // numbered without a gap; the mediator reads the confidential one too, and the
        // timeline tells no more.
        let plenary = format!("{c}/meetings/{}", w.meetings[0]);
        for token in [union, observer] {
            let detail = w.app.get(&plenary, token).await;
            assert_eq!(detail.status, StatusCode::OK, "{:?}", detail.body);
            let said: Vec<(i64, &str)> = detail.body["statements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["seq"].as_i64().unwrap(), s["quote"].as_str().unwrap()))
                .collect();
            assert_eq!(
                said,
                [(1, "we are here to listen"), (2, "we will meet again")]
            );
            let timeline = w.app.get(&format!("{c}/timeline"), token).await;
            assert_eq!(timeline.status, StatusCode::OK, "{:?}", timeline.body);
            let text = timeline.body.to_string();
            assert!(text.contains("we will meet again"), "{text}");
            assert!(!text.contains("nothing to add"), "{text}");
            assert!(!text.contains("bilateral"), "{text}");
        }
        let detail = w.app.get(&plenary, &w.app.mediator).await;
        let said: Vec<(i64, bool)> = detail.body["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["seq"].as_i64().unwrap(),
                    s["confidential"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(said, [(1, false), (2, true), (3, false)]);
        // A party's own analysis names no other party.
        let analysis = w
            .app
            .get(&format!("{c}/analysis"), union)
            .await
            .body
            .to_string();
        assert!(!analysis.contains("employer"), "{analysis}");
        // A party member's export carries no position at all.
        let export = w.app.get(&format!("{c}/export?format=json"), union).await;
        assert_eq!(export.status, StatusCode::OK);
        assert!(
            !export.body.to_string().contains("reservation_value"),
            "{:?}",
            export.body
        );
        // Another case is invisible to a party member.
        let other = w
            .app
            .post(
                "/api/cases",
                &w.app.mediator,
                &json!({ "format": "toml", "text": LABOUR }),
            )
            .await;
        let other = other.body["id"].as_str().unwrap().to_string();
        assert_eq!(
            w.app
                .get(&format!("/api/cases/{other}"), union)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let listed = w.app.get("/api/cases", union).await.body.to_string();
        assert!(!listed.contains(&other));
    }
}
