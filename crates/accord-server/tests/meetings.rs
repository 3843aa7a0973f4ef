//! Channels, meetings, statements and the audit log, through the router: reading them by
//! role, writing and editing them (mediator only, every change audited), confidential
//! statements, and the fields a refusal names.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use accord_store::{CaseRow, PartyRow};
use common::{Answer, App};

/// A position marker that must never leave the store through these routes.
const SECRET: &str = "secret-reservation-marker";

/// A case `talks` with the parties alpha, beta and gamma (alpha with a position) and one
/// untabled draft, written straight to the store.
async fn setup(app: &App) -> String {
    let case_id = "talks".to_string();
    let mut tx = app.state.store.begin().await.unwrap();
    tx.insert_case(&CaseRow {
        id: case_id.clone(),
        name: "Talks".into(),
        description: String::new(),
        created_ms: tx.now_ms(),
    })
    .await
    .unwrap();
    for (seq, party) in ["alpha", "beta", "gamma"].into_iter().enumerate() {
        tx.put_party(
            &case_id,
            &PartyRow {
                party_id: party.into(),
                seq: seq as i64,
                name: party.to_uppercase(),
                role: "party".into(),
                delegates: "[]".into(),
            },
        )
        .await
        .unwrap();
    }
    let position = json!({ "reservation_value": 0.4, "note": SECRET }).to_string();
    tx.put_position(&case_id, "alpha", &position, "setup")
        .await
        .unwrap();
    tx.insert_draft(&case_id, "setup", "first", r#"{"points":[]}"#)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    case_id
}

fn created(answer: &Answer, what: &str) -> Value {
    assert_eq!(
        answer.status,
        StatusCode::CREATED,
        "{what}: {:?}",
        answer.body
    );
    answer.body.clone()
}

fn ids(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer
        .body
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_string())
        .collect()
}

/// Channels created in the same millisecond come in either order.
fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn field(answer: &Answer) -> &str {
    answer.body["error"]["field"].as_str().unwrap_or("")
}

async fn channel(app: &App, case: &str, name: &str, parties: &[&str]) -> String {
    let answer = app
        .post(
            &format!("/api/cases/{case}/channels"),
            &app.mediator,
            &json!({ "name": name, "parties": parties }),
        )
        .await;
    created(&answer, name)["id"].as_str().unwrap().to_string()
}

async fn meeting(app: &App, case: &str, channel: &str, date: &str) -> String {
    let answer = app
        .post(
            &format!("/api/cases/{case}/meetings"),
            &app.mediator,
            &json!({ "channel": channel, "date": date, "summary": format!("met on {date}") }),
        )
        .await;
    created(&answer, date)["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn parties_see_their_channels_and_observers_what_is_published() {
    for app in App::all().await {
        let backend = app.backend();
        let case = setup(&app).await;
        let alpha = app
            .account("alpha-1", "party", Some(&case), Some("alpha"))
            .await;
        let gamma = app
            .account("gamma-1", "party", Some(&case), Some("gamma"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;

        let ab = channel(&app, &case, "Alpha-Beta", &["alpha", "beta"]).await;
        let bg = channel(&app, &case, "Beta-Gamma", &["beta", "gamma"]).await;
        let m_ab = meeting(&app, &case, &ab, "2025-11-20").await;
        let m_bg = meeting(&app, &case, &bg, "2025-11-21").await;

        let channels = format!("/api/cases/{case}/channels");
        let meetings = format!("/api/cases/{case}/meetings");
        let url = |m: &str| format!("/api/cases/{case}/meetings/{m}");

        // The mediator sees everything.
        assert_eq!(
            sorted(ids(&app.get(&channels, &app.mediator).await)),
            sorted(vec![ab.clone(), bg.clone()])
        );
        assert_eq!(
            ids(&app.get(&meetings, &app.mediator).await),
            [m_ab.as_str(), m_bg.as_str()]
        );

        // A party member sees its own party's channels and their meetings only; another
        // channel's meeting is not found, even by its URL.
        assert_eq!(
            ids(&app.get(&channels, &alpha).await),
            [ab.as_str()],
            "{backend}"
        );
        let listed = app.get(&meetings, &alpha).await;
        assert_eq!(ids(&listed), [m_ab.as_str()]);
        assert_eq!(listed.body[0]["channel_name"], "Alpha-Beta");
        assert_eq!(app.get(&url(&m_ab), &alpha).await.status, StatusCode::OK);
        let hidden = app.get(&url(&m_bg), &alpha).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{backend}");
        assert!(!hidden.body.to_string().contains("Beta-Gamma"));
        assert_eq!(ids(&app.get(&channels, &gamma).await), [bg.as_str()]);
        assert_eq!(ids(&app.get(&meetings, &gamma).await), [m_bg.as_str()]);

        // Observers see the channels, but a meeting only once it is published.
        assert_eq!(
            sorted(ids(&app.get(&channels, &observer).await)),
            sorted(vec![ab.clone(), bg.clone()])
        );
        assert!(ids(&app.get(&meetings, &observer).await).is_empty());
        assert_eq!(
            app.get(&url(&m_ab), &observer).await.status,
            StatusCode::NOT_FOUND
        );
        let publish = format!("{}/publish", url(&m_ab));
        let published = app
            .send(Method::POST, &publish, Some(&app.mediator), None)
            .await;
        assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
        assert!(published.body["published_ms"].as_i64().is_some());
        assert_eq!(ids(&app.get(&meetings, &observer).await), [m_ab.as_str()]);
        let seen = app.get(&url(&m_ab), &observer).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.body["summary"], "met on 2025-11-20");
        assert_eq!(
            app.get(&url(&m_bg), &observer).await.status,
            StatusCode::NOT_FOUND
        );
        // Publishing again changes nothing.
        let again = app
            .send(Method::POST, &publish, Some(&app.mediator), None)
            .await;
        assert_eq!(again.body["published_ms"], published.body["published_ms"]);
        // Publishing a meeting does not show it to the parties outside its channel.
        assert_eq!(
            app.get(&url(&m_ab), &gamma).await.status,
            StatusCode::NOT_FOUND
        );

        // Only the mediator writes.
        for token in [&alpha, &observer] {
            let channel = app
                .post(&channels, token, &json!({ "name": "x", "parties": [] }))
                .await;
            assert_eq!(channel.status, StatusCode::FORBIDDEN, "{backend}");
            let meeting = app
                .post(
                    &meetings,
                    token,
                    &json!({ "channel": ab, "date": "2025-11-22" }),
                )
                .await;
            assert_eq!(meeting.status, StatusCode::FORBIDDEN);
            let statement = app
                .post(
                    &format!("{}/statements", url(&m_ab)),
                    token,
                    &json!({ "speaker": "x", "quote": "y" }),
                )
                .await;
            assert_eq!(statement.status, StatusCode::FORBIDDEN);
            let publish = app
                .send(
                    Method::POST,
                    &format!("{}/publish", url(&m_bg)),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(publish.status, StatusCode::FORBIDDEN);
        }
        assert_eq!(
            app.get(&url(&m_bg), &observer).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn statements_come_back_in_order() {
    for app in App::all().await {
        let case = setup(&app).await;
        let ab = channel(&app, &case, "Alpha-Beta", &["alpha", "beta"]).await;
        let m = meeting(&app, &case, &ab, "2025-11-20").await;
        let statements = format!("/api/cases/{case}/meetings/{m}/statements");
        for (i, (speaker, quote)) in [("ALPHA", "first"), ("BETA", "second"), ("ALPHA", "third")]
            .into_iter()
            .enumerate()
        {
            let answer = app
                .post(
                    &statements,
                    &app.mediator,
                    &json!({ "speaker": speaker, "quote": quote }),
                )
                .await;
            assert_eq!(created(&answer, quote)["seq"], json!(i + 1));
        }
        let detail = app
            .get(&format!("/api/cases/{case}/meetings/{m}"), &app.mediator)
            .await;
        assert_eq!(detail.status, StatusCode::OK);
        let quotes: Vec<&str> = detail.body["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["quote"].as_str().unwrap())
            .collect();
        assert_eq!(quotes, ["first", "second", "third"], "{}", app.backend());
        assert_eq!(detail.body["statements"][1]["speaker"], "BETA");
        assert_eq!(detail.body["statements"][2]["seq"], 3);

        let empty = app
            .post(
                &statements,
                &app.mediator,
                &json!({ "speaker": "ALPHA", "quote": "  " }),
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field(&empty), "quote");
        let long = app
            .post(
                &statements,
                &app.mediator,
                &json!({ "speaker": "x".repeat(201), "quote": "q" }),
            )
            .await;
        assert_eq!(field(&long), "speaker");
        let nowhere = app
            .post(
                &format!("/api/cases/{case}/meetings/none/statements"),
                &app.mediator,
                &json!({ "speaker": "ALPHA", "quote": "q" }),
            )
            .await;
        assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn bad_meetings_and_channels_name_the_field() {
    let app = App::sqlite().await;
    let case = setup(&app).await;
    let ab = channel(&app, &case, "Alpha-Beta", &["alpha", "beta"]).await;
    let channels = format!("/api/cases/{case}/channels");
    let meetings = format!("/api/cases/{case}/meetings");

    for date in [
        "2023-02-29",
        "2025-04-31",
        "2025-13-01",
        "20/11/2025",
        "2025-1-2",
        "",
    ] {
        let answer = app
            .post(
                &meetings,
                &app.mediator,
                &json!({ "channel": ab, "date": date }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert_eq!(field(&answer), "date", "{date}");
    }
    let leap = app
        .post(
            &meetings,
            &app.mediator,
            &json!({ "channel": ab, "date": "2024-02-29" }),
        )
        .await;
    created(&leap, "leap day");

    let cases = [
        (
            json!({ "channel": "nowhere", "date": "2025-11-20" }),
            "channel",
        ),
        (
            json!({ "channel": ab, "date": "2025-11-20",
                    "participants": [{ "party": "alpha", "name": "A" }, { "party": "delta", "name": "D" }] }),
            "participants[1].party",
        ),
        (
            json!({ "channel": ab, "date": "2025-11-20",
                    "participants": [{ "party": "alpha", "name": "" }] }),
            "participants[0].name",
        ),
        (
            json!({ "channel": ab, "date": "2025-11-20", "tabled": [1, 7] }),
            "tabled[1]",
        ),
        (
            json!({ "channel": ab, "date": "2025-11-20", "tabled": ["one"] }),
            "tabled[0]",
        ),
        (
            json!({ "channel": ab, "date": "2025-11-20", "venue": "Geneva" }),
            "",
        ),
    ];
    for (body, expected) in cases {
        let answer = app.post(&meetings, &app.mediator, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        if !expected.is_empty() {
            assert_eq!(field(&answer), expected, "{body}: {:?}", answer.body);
        }
    }

    // A tabled draft is recorded with the meeting, and the draft itself is not stamped.
    let tabled = app
        .post(
            &meetings,
            &app.mediator,
            &json!({ "channel": ab, "date": "2025-11-19", "tabled": [1],
                     "participants": [{ "party": "alpha", "name": "A. Delegate" }] }),
        )
        .await;
    let tabled = created(&tabled, "tabled");
    assert_eq!(tabled["tabled"], json!([1]));
    assert_eq!(tabled["participants"][0]["name"], "A. Delegate");
    let draft = app.state.store.draft(&case, 1).await.unwrap().unwrap();
    assert_eq!(draft.tabled_ms, None);

    // Meetings are listed by date, whatever the order they were logged in.
    let dates: Vec<Value> = app
        .get(&meetings, &app.mediator)
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["date"].clone())
        .collect();
    assert_eq!(dates, [json!("2024-02-29"), json!("2025-11-19")]);

    let channel_cases = [
        (json!({ "name": "", "parties": ["alpha"] }), "name"),
        (
            json!({ "name": "x".repeat(201), "parties": ["alpha"] }),
            "name",
        ),
        (
            json!({ "name": "x", "parties": ["alpha", "delta"] }),
            "parties[1]",
        ),
        (
            json!({ "name": "x", "parties": ["alpha", "alpha"] }),
            "parties[1]",
        ),
        (json!({ "name": "x", "parties": "alpha" }), "parties"),
    ];
    for (body, expected) in channel_cases {
        let answer = app.post(&channels, &app.mediator, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(field(&answer), expected, "{body}");
    }
    let longest = app
        .post(
            &channels,
            &app.mediator,
            &json!({ "name": "x".repeat(200), "description": "d", "parties": ["gamma"] }),
        )
        .await;
    assert_eq!(created(&longest, "longest")["description"], "d");

    // Unknown meetings and cases are not found.
    for path in [
        format!("/api/cases/{case}/meetings/none"),
        "/api/cases/none/meetings".to_string(),
        "/api/cases/none/channels".to_string(),
    ] {
        assert_eq!(
            app.get(&path, &app.mediator).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let publish = app
        .send(
            Method::POST,
            &format!("/api/cases/{case}/meetings/none/publish"),
            Some(&app.mediator),
            None,
        )
        .await;
    assert_eq!(publish.status, StatusCode::NOT_FOUND);

    let document = app.send(Method::GET, "/openapi.json", None, None).await;
    for path in [
        "/api/cases/{case}/channels",
        "/api/cases/{case}/meetings",
        "/api/cases/{case}/meetings/{meeting}",
        "/api/cases/{case}/meetings/{meeting}/statements",
        "/api/cases/{case}/meetings/{meeting}/publish",
        "/api/cases/{case}/audit",
        "/api/audit",
        "/api/cases/{case}/timeline",
    ] {
        assert!(document.body["paths"].get(path).is_some(), "{path} missing");
    }
    for (path, method) in [
        ("/api/cases/{case}/channels/{channel}", "patch"),
        ("/api/cases/{case}/meetings/{meeting}", "patch"),
        (
            "/api/cases/{case}/meetings/{meeting}/statements/{statement}",
            "patch",
        ),
        (
            "/api/cases/{case}/meetings/{meeting}/statements/{statement}",
            "delete",
        ),
    ] {
        assert!(
            document.body["paths"][path].get(method).is_some(),
            "{method} {path} missing"
        );
    }
}

/// The case's audit records of `action`, oldest first.
async fn audited(app: &App, case: &str, action: &str) -> Vec<Value> {
    let log = app
        .get(
            &format!("/api/cases/{case}/audit?limit=1000"),
            &app.mediator,
        )
        .await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    log.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == action)
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_mediator_edits_channels_meetings_and_statements_and_each_change_is_audited() {
    for app in App::all().await {
        let backend = app.backend();
        let case = setup(&app).await;
        let alpha = app
            .account("alpha-1", "party", Some(&case), Some("alpha"))
            .await;
        let gamma = app
            .account("gamma-1", "party", Some(&case), Some("gamma"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        let ab = channel(&app, &case, "Alpha-Beta", &["alpha", "beta"]).await;
        let m = meeting(&app, &case, &ab, "2025-11-20").await;
        let channel_url = format!("/api/cases/{case}/channels/{ab}");
        let meeting_url = format!("/api/cases/{case}/meetings/{m}");
        let statements = format!("{meeting_url}/statements");

        // A channel: renamed, reported, gamma instead of beta; gamma then sees it.
        let changed = app
            .patch(
                &channel_url,
                &app.mediator,
                &json!({ "name": " Alpha-Gamma ", "kind": "reported", "parties": ["alpha", "gamma"] }),
            )
            .await;
        assert_eq!(
            changed.status,
            StatusCode::OK,
            "{backend}: {:?}",
            changed.body
        );
        assert_eq!(changed.body["name"], "Alpha-Gamma");
        assert_eq!(changed.body["kind"], "reported");
        assert_eq!(changed.body["description"], "", "untouched");
        let seen = app
            .get(&format!("/api/cases/{case}/channels"), &gamma)
            .await;
        assert_eq!(ids(&seen), [ab.as_str()], "{backend}");
        assert_eq!(app.get(&meeting_url, &gamma).await.status, StatusCode::OK);
        let records = audited(&app, &case, "channel.update").await;
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(
            records[0]["detail"],
            json!({ "before": { "name": "Alpha-Beta", "parties": ["alpha", "beta"], "kind": "mediated" },
                    "after": { "name": "Alpha-Gamma", "parties": ["alpha", "gamma"], "kind": "reported" } })
        );
        // A change that changes nothing writes nothing.
        let same = app
            .patch(
                &channel_url,
                &app.mediator,
                &json!({ "name": "Alpha-Gamma" }),
            )
            .await;
        assert_eq!(same.status, StatusCode::OK);
        assert_eq!(audited(&app, &case, "channel.update").await.len(), 1);

        // A meeting: a time, a place, an outcome, a delegate with a title, a draft.
        let changed = app
            .patch(
                &meeting_url,
                &app.mediator,
                &json!({ "time": "09:30", "place": "Geneva", "outcome": "an agenda",
                         "participants": [{ "party": "alpha", "name": "A", "title": "envoy" }],
                         "tabled": [1] }),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
        assert_eq!(changed.body["time"], "09:30");
        assert_eq!(changed.body["summary"], "met on 2025-11-20", "untouched");
        assert_eq!(changed.body["participants"][0]["title"], "envoy");
        let cleared = app
            .patch(&meeting_url, &app.mediator, &json!({ "time": "" }))
            .await;
        assert!(cleared.body.get("time").is_none(), "{:?}", cleared.body);
        let records = audited(&app, &case, "meeting.update").await;
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(records[0]["subject"], format!("meeting/{m}"));
        assert_eq!(records[0]["detail"]["before"]["place"], "");
        assert_eq!(records[0]["detail"]["after"]["tabled"], json!([1]));
        assert_eq!(
            records[1]["detail"],
            json!({ "before": { "time": "09:30" }, "after": { "time": "" } })
        );

        // Statements: one public, one confidential, one public.
        for (quote, confidential) in [("first", false), ("between us", true), ("last", false)] {
            let answer = app
                .post(
                    &statements,
                    &app.mediator,
                    &json!({ "speaker": " A ", "party": "alpha", "quote": quote,
                             "time": "10:00", "confidential": confidential }),
                )
                .await;
            let body = created(&answer, quote);
            assert_eq!(body["confidential"], confidential);
            assert_eq!(body["date"], "2025-11-20", "the meeting's day");
            assert_eq!(body["speaker"], "A");
        }
        // The party member of the channel and, once published, the observer read the
        // public ones, numbered without a gap; the mediator reads all three.
        let quotes = |answer: &Answer| -> Vec<(i64, String)> {
            answer.body["statements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["seq"].as_i64().unwrap(),
                        s["quote"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let publish = app
            .send(
                Method::POST,
                &format!("{meeting_url}/publish"),
                Some(&app.mediator),
                None,
            )
            .await;
        assert_eq!(publish.status, StatusCode::OK);
        for token in [&alpha, &observer] {
            let theirs = app.get(&meeting_url, token).await;
            assert_eq!(
                quotes(&theirs),
                [(1, "first".to_string()), (2, "last".to_string())],
                "{backend}"
            );
            assert!(!theirs.body.to_string().contains("between us"));
        }
        assert_eq!(quotes(&app.get(&meeting_url, &app.mediator).await).len(), 3);

        // Edited: the confidential one made public, with a date of its own.
        let changed = app
            .patch(
                &format!("{statements}/2"),
                &app.mediator,
                &json!({ "confidential": false, "date": "2025-11-21", "party": "" }),
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
        assert_eq!(changed.body["seq"], 2);
        assert!(changed.body.get("party").is_none());
        assert_eq!(changed.body["quote"], "between us");
        assert_eq!(quotes(&app.get(&meeting_url, &alpha).await).len(), 3);
        let records = audited(&app, &case, "statement.update").await;
        assert_eq!(
            records[0]["detail"],
            json!({ "seq": 2,
                    "before": { "confidential": true, "date": "2025-11-20", "party": "alpha" },
                    "after": { "confidential": false, "date": "2025-11-21", "party": "" } })
        );

        // Removed: gone from every view, kept whole in the audit log; its number is not
        // given again.
        let removed = app
            .send(
                Method::DELETE,
                &format!("{statements}/1"),
                Some(&app.mediator),
                None,
            )
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
        let again = app
            .send(
                Method::DELETE,
                &format!("{statements}/1"),
                Some(&app.mediator),
                None,
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert_eq!(
            quotes(&app.get(&meeting_url, &app.mediator).await),
            [(2, "between us".to_string()), (3, "last".to_string())]
        );
        assert_eq!(
            quotes(&app.get(&meeting_url, &alpha).await),
            [(1, "between us".to_string()), (2, "last".to_string())]
        );
        let records = audited(&app, &case, "statement.remove").await;
        assert_eq!(records.len(), 1);
        assert_eq!(records[0]["detail"]["seq"], 1);
        assert_eq!(records[0]["detail"]["statement"]["quote"], "first");
        let fourth = app
            .post(
                &statements,
                &app.mediator,
                &json!({ "speaker": "B", "quote": "more" }),
            )
            .await;
        assert_eq!(created(&fourth, "fourth")["seq"], 4);

        // Refusals name the field, and write nothing.
        let n_records = app
            .get(
                &format!("/api/cases/{case}/audit?limit=1000"),
                &app.mediator,
            )
            .await
            .body
            .as_array()
            .unwrap()
            .len();
        let refusals = [
            (channel_url.clone(), json!({ "name": "" }), "name"),
            (
                channel_url.clone(),
                json!({ "parties": ["alpha", "delta"] }),
                "parties[1]",
            ),
            (channel_url.clone(), json!({ "kind": "sideways" }), "kind"),
            (channel_url.clone(), json!({ "venue": "Geneva" }), ""),
            (meeting_url.clone(), json!({ "time": "9:30" }), "time"),
            (meeting_url.clone(), json!({ "date": "2025-02-30" }), "date"),
            (
                meeting_url.clone(),
                json!({ "channel": "nowhere" }),
                "channel",
            ),
            (
                meeting_url.clone(),
                json!({ "place": "x".repeat(201) }),
                "place",
            ),
            (
                meeting_url.clone(),
                json!({ "participants": [{ "party": "alpha", "name": "A", "title": "t".repeat(201) }] }),
                "participants[0].title",
            ),
            (meeting_url.clone(), json!({ "tabled": [7] }), "tabled[0]"),
            (format!("{statements}/2"), json!({ "quote": " " }), "quote"),
            (
                format!("{statements}/2"),
                json!({ "party": "delta" }),
                "party",
            ),
            (
                format!("{statements}/2"),
                json!({ "time": "24:00" }),
                "time",
            ),
            (
                format!("{statements}/2"),
                json!({ "confidential": "yes" }),
                "confidential",
            ),
            (
                format!("{statements}/x"),
                json!({ "quote": "q" }),
                "statement",
            ),
        ];
        for (url, body, field_name) in refusals {
            let answer = app.patch(&url, &app.mediator, &body).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{url} {body}: {:?}",
                answer.body
            );
            if !field_name.is_empty() {
                assert_eq!(field(&answer), field_name, "{url} {body}");
            }
        }
        for body in [
            json!({ "speaker": "A", "quote": "q", "party": "delta" }),
            json!({ "speaker": "A", "quote": "q", "date": "2025-13-01" }),
            json!({ "speaker": "A", "quote": "q", "time": "noon" }),
        ] {
            let answer = app.post(&statements, &app.mediator, &body).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
        let now = app
            .get(
                &format!("/api/cases/{case}/audit?limit=1000"),
                &app.mediator,
            )
            .await;
        assert_eq!(now.body.as_array().unwrap().len(), n_records, "{backend}");

        // Not found, and not the others' to edit.
        for url in [
            format!("/api/cases/{case}/channels/nowhere"),
            format!("/api/cases/{case}/meetings/nowhere"),
            format!("{statements}/9"),
            format!("/api/cases/{case}/meetings/nowhere/statements/2"),
        ] {
            let answer = app.patch(&url, &app.mediator, &json!({})).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{url}");
        }
        for token in [&alpha, &observer] {
            for url in [
                channel_url.clone(),
                meeting_url.clone(),
                format!("{statements}/2"),
            ] {
                let answer = app.patch(&url, token, &json!({})).await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{url}");
            }
            let answer = app
                .send(
                    Method::DELETE,
                    &format!("{statements}/2"),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN);
        }
    }
}

#[tokio::test]
async fn the_audit_log_lists_the_writes_for_the_mediator_only() {
    for app in App::all().await {
        let backend = app.backend();
        let case = setup(&app).await;
        let alpha = app
            .account("alpha-1", "party", Some(&case), Some("alpha"))
            .await;
        let observer = app.account("watcher", "observer", None, None).await;
        let log = format!("/api/cases/{case}/audit");
        let before = app.get(&log, &app.mediator).await;
        assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
        let n_before = before.body.as_array().unwrap().len();

        let ab = channel(&app, &case, "Alpha-Beta", &["alpha", "beta"]).await;
        let m = meeting(&app, &case, &ab, "2025-11-20").await;
        let statement = app
            .post(
                &format!("/api/cases/{case}/meetings/{m}/statements"),
                &app.mediator,
                &json!({ "speaker": "ALPHA", "quote": "we can live with that" }),
            )
            .await;
        created(&statement, "statement");
        let publish = app
            .send(
                Method::POST,
                &format!("/api/cases/{case}/meetings/{m}/publish"),
                Some(&app.mediator),
                None,
            )
            .await;
        assert_eq!(publish.status, StatusCode::OK);

        let after = app.get(&log, &app.mediator).await;
        assert_eq!(after.status, StatusCode::OK);
        let records = after.body.as_array().unwrap();
        let actions: Vec<&str> = records[n_before..]
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "channel.create",
                "meeting.create",
                "statement.create",
                "meeting.publish"
            ],
            "{backend}"
        );
        for record in &records[n_before..] {
            assert_eq!(record["username"], "mediator");
            assert_eq!(record["case"], json!(case));
        }
        assert_eq!(records[n_before]["subject"], format!("channel/{ab}"));
        assert_eq!(records[n_before]["detail"]["name"], "Alpha-Beta");
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        assert!(!after.body.to_string().contains(SECRET));

        // Pages: `limit` records after `after`.
        let page = app
            .get(
                &format!("{log}?limit=2&after={}", ids[n_before]),
                &app.mediator,
            )
            .await;
        let page_ids: Vec<&str> = page
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(page_ids, ids[n_before + 1..n_before + 3]);
        for bad in ["0", "1001", "-1", "many", ""] {
            let answer = app.get(&format!("{log}?limit={bad}"), &app.mediator).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(field(&answer), "limit");
        }

        // The whole log has the logins too, and no position.
        let whole = app.get("/api/audit?limit=1000", &app.mediator).await;
        assert_eq!(whole.status, StatusCode::OK);
        let whole_actions: Vec<&str> = whole
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        assert!(whole_actions.contains(&"session.login"));
        assert!(whole_actions.ends_with(&["meeting.publish"]));
        assert!(!whole.body.to_string().contains(SECRET));

        // Parties and observers may not read it.
        for token in [&alpha, &observer] {
            assert_eq!(app.get(&log, token).await.status, StatusCode::FORBIDDEN);
            assert_eq!(
                app.get("/api/audit", token).await.status,
                StatusCode::FORBIDDEN
            );
        }
        assert_eq!(
            app.get("/api/cases/none/audit", &app.mediator).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_audit_log_of_an_imported_case_holds_no_position() {
    for app in App::all().await {
        let backend = app.backend();
        let imported = app
            .post(
                "/api/cases",
                &app.mediator,
                &json!({ "format": "toml", "text": common::PEACE }),
            )
            .await;
        let case = created(&imported, "import")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let position_url = format!("/api/cases/{case}/parties/ukraine/position");
        let position = app.get(&position_url, &app.mediator).await;
        assert_eq!(position.status, StatusCode::OK, "{:?}", position.body);
        let mut position = position.body["position"].clone();
        position["reservation_value"] = json!(0.123_456_7);
        let put = app.put(&position_url, &app.mediator, &position).await;
        assert_eq!(put.status, StatusCode::OK, "{backend}: {:?}", put.body);
        let channel = channel(&app, &case, "Istanbul track", &["ukraine", "russia"]).await;
        meeting(&app, &case, &channel, "2025-11-30").await;

        let log = app
            .get(&format!("/api/cases/{case}/audit"), &app.mediator)
            .await;
        assert_eq!(log.status, StatusCode::OK);
        let actions: Vec<&str> = log
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "case.import",
                "position.update",
                "channel.create",
                "meeting.create"
            ],
            "{backend}"
        );
        let text = log.body.to_string();
        for secret in [
            "0.1234567",
            "weights",
            "ratings",
            "red_lines",
            "reservation",
        ] {
            assert!(!text.contains(secret), "{backend}: `{secret}` in {text}");
        }
    }
}
