//! Reports of talks read into the record: the mediator's proposal (nothing saved), the
//! record written from the review at once or not at all, and the pages that do both. On
//! every backend.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::json;

use common::App;

/// A case whose delegations have named people (the ingest corpus's).
const CASE: &str = include_str!("../../accord-ingest/tests/corpus/case.toml");
const REPORT: &str = include_str!("../../accord-ingest/tests/corpus/01-wire-geneva.txt");

async fn setup(app: &App) -> (String, String, String) {
    let case = app.import(CASE).await;
    let party = app
        .account("ingest-kyiv", "party", Some(&case), Some("ukraine"))
        .await;
    let observer = app.account("ingest-watcher", "observer", None, None).await;
    (case, party, observer)
}

async fn count(app: &App, case: &str, what: &str) -> usize {
    let answer = app
        .get(&format!("/api/cases/{case}/{what}"), &app.mediator)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{what}: {:?}", answer.body);
    answer.body.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn the_mediator_reads_a_report_and_records_what_it_confirms() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, _, _) = setup(&app).await;
        let c = format!("/api/cases/{case}");

        // The proposal: the meeting, its people matched to the delegations, statements
        // with their speakers, each citing a sentence; nothing saved.
        let read = app
            .post(
                &format!("{c}/ingest"),
                &app.mediator,
                &json!({ "text": REPORT, "reference_date": "2025-11-24" }),
            )
            .await;
        assert_eq!(read.status, StatusCode::OK, "{backend}: {:?}", read.body);
        let meeting = &read.body["meetings"][0];
        assert_eq!(meeting["date"]["date"], "2025-11-23", "{backend}");
        let names: Vec<&str> = meeting["people"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            names.iter().any(|n| n.contains("Umerov")),
            "{backend}: {names:?}"
        );
        assert!(
            names.iter().any(|n| n.contains("Rubio")),
            "{backend}: {names:?}"
        );
        let sentences = read.body["sentences"].as_array().unwrap().len();
        for statement in meeting["statements"].as_array().unwrap() {
            let s = statement["source"]["sentence"].as_u64().unwrap() as usize;
            assert!(s < sentences, "{backend}: {statement}");
        }
        assert_eq!(
            count(&app, &case, "meetings").await,
            0,
            "{backend}: reading saved a meeting"
        );
        assert_eq!(count(&app, &case, "channels").await, 0, "{backend}");

        // A refused record writes nothing: the second meeting's date is wrong.
        let good = json!({
            "new_channel": { "name": "Geneva talks", "parties": ["ukraine", "united-states"],
                             "kind": "reported" },
            "date": "2025-11-23", "place": "Geneva", "summary": "Talks on the framework.",
            "participants": [
                { "party": "ukraine", "name": "Rustem Umerov", "title": "secretary" },
                { "party": "united-states", "name": "Marco Rubio", "title": "Secretary of State" }
            ],
            "statements": [
                { "speaker": "Marco Rubio", "party": "united-states", "quote": "We made real progress today." },
                { "speaker": "Rustem Umerov", "party": "ukraine", "quote": "Differences narrowed.",
                  "confidential": true }
            ]
        });
        let mut bad = good.clone();
        bad["date"] = json!("2025-11-31");
        bad.as_object_mut().unwrap().remove("new_channel");
        bad["channel"] = json!("no-such-channel");
        let refused = app
            .post(
                &format!("{c}/ingest/record"),
                &app.mediator,
                &json!({ "meetings": [good, bad], "delegates": [
                    { "party": "ukraine", "name": "Serhiy Kyslytsya", "title": "first deputy foreign minister" }] }),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        let field = refused.body["error"]["field"].as_str().unwrap_or_default();
        assert!(
            field.starts_with("meetings[1]"),
            "{backend}: {:?}",
            refused.body
        );
        assert_eq!(
            count(&app, &case, "meetings").await,
            0,
            "{backend}: a refused record left a meeting"
        );
        assert_eq!(count(&app, &case, "channels").await, 0, "{backend}");

        // The confirmed record: a new channel, the meeting, its statements and a new
        // delegate, each audited as coming from a report.
        let recorded = app
            .post(
                &format!("{c}/ingest/record"),
                &app.mediator,
                &json!({ "meetings": [good], "delegates": [
                    { "party": "ukraine", "name": "Serhiy Kyslytsya", "title": "first deputy foreign minister" },
                    { "party": "ukraine", "name": "Rustem Umerov", "title": "again" }] }),
            )
            .await;
        assert_eq!(
            recorded.status,
            StatusCode::CREATED,
            "{backend}: {:?}",
            recorded.body
        );
        assert_eq!(
            recorded.body["delegates_added"], 1,
            "{backend}: a delegate already there is skipped"
        );
        assert_eq!(count(&app, &case, "meetings").await, 1, "{backend}");
        assert_eq!(count(&app, &case, "channels").await, 1, "{backend}");
        let id = recorded.body["meetings"][0]["id"].as_str().unwrap();
        let detail = app.get(&format!("{c}/meetings/{id}"), &app.mediator).await;
        assert_eq!(
            detail.body["statements"].as_array().unwrap().len(),
            2,
            "{backend}"
        );
        assert_eq!(
            detail.body["statements"][1]["confidential"], true,
            "{backend}"
        );
        let parties = app.get(&format!("{c}/parties"), &app.mediator).await;
        let ukraine = parties
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "ukraine")
            .unwrap();
        let delegates = ukraine["delegates"].to_string();
        assert!(
            delegates.contains("Serhiy Kyslytsya"),
            "{backend}: {delegates}"
        );
        let audit = app
            .get(&format!("{c}/audit?limit=1000"), &app.mediator)
            .await
            .body
            .to_string();
        for action in [
            "channel.create",
            "meeting.create",
            "statement.create",
            "party.update",
        ] {
            assert!(audit.contains(action), "{backend}: no {action}");
        }
        assert!(audit.contains("\"from\":\"report\""), "{backend}");
    }
}

#[tokio::test]
async fn only_the_mediator_reads_reports_and_records_them() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, party, observer) = setup(&app).await;
        let c = format!("/api/cases/{case}");
        let record = json!({ "meetings": [{ "new_channel": { "name": "x", "parties": [] },
                                           "date": "2025-11-23" }] });
        for token in [&party, &observer] {
            let read = app
                .post(&format!("{c}/ingest"), token, &json!({ "text": REPORT }))
                .await;
            assert!(
                read.status == StatusCode::FORBIDDEN || read.status == StatusCode::NOT_FOUND,
                "{backend}: {}",
                read.status
            );
            let wrote = app
                .post(&format!("{c}/ingest/record"), token, &record)
                .await;
            assert!(
                wrote.status == StatusCode::FORBIDDEN || wrote.status == StatusCode::NOT_FOUND,
                "{backend}: {}",
                wrote.status
            );
            let page = app
                .page(
                    Method::GET,
                    &format!("/cases/{case}/ingest"),
                    Some(token),
                    None,
                )
                .await;
            assert!(page.status.is_client_error(), "{backend}: {}", page.status);
        }
        assert_eq!(count(&app, &case, "channels").await, 0, "{backend}");
        // Bad requests name their field.
        for (body, field) in [
            (json!({ "text": "  " }), "text"),
            (
                json!({ "text": REPORT, "reference_date": "yesterday" }),
                "reference_date",
            ),
            (json!({ "text": "x".repeat(100_001) }), "text"),
        ] {
            let answer = app.post(&format!("{c}/ingest"), &app.mediator, &body).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
            assert_eq!(answer.body["error"]["field"], field, "{backend}");
        }
        let none = app
            .post(
                &format!("{c}/ingest/record"),
                &app.mediator,
                &json!({ "meetings": [] }),
            )
            .await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    }
}

/// The pages: paste, review (every fact citing its sentence), correct, record.
#[tokio::test]
async fn the_mediator_reviews_a_report_in_the_browser_and_records_it() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, _, _) = setup(&app).await;
        let paste = app
            .page(
                Method::GET,
                &format!("/cases/{case}/ingest"),
                Some(&app.mediator),
                None,
            )
            .await;
        assert_eq!(paste.status, StatusCode::OK, "{backend}");
        assert!(paste.text.contains("name=\"reference_date\""), "{backend}");

        let review = app
            .page(
                Method::POST,
                &format!("/cases/{case}/ingest"),
                Some(&app.mediator),
                Some(&[("text", REPORT), ("reference_date", "2025-11-24")]),
            )
            .await;
        assert_eq!(review.status, StatusCode::OK, "{backend}: {}", review.text);
        for expected in ["Rustem Umerov", "2025-11-23", "from sentence 1", "Record"] {
            assert!(review.text.contains(expected), "{backend}: no {expected:?}");
        }
        assert_eq!(
            count(&app, &case, "meetings").await,
            0,
            "{backend}: the review saved"
        );

        // The form as the browser sends it: every input's name and value, the boxes
        // ticked as shown, and one correction (the meeting's place).
        let mut fields = form_fields(&review.text);
        for (name, value) in &mut fields {
            if name == "m0.place" {
                *value = "US mission, Geneva".to_string();
            }
        }
        // A wrong date first: refused, nothing recorded, the form shown again.
        let mut wrong = fields.clone();
        for (name, value) in &mut wrong {
            if name == "m0.date" {
                *value = "23 November".to_string();
            }
        }
        let pairs: Vec<(&str, &str)> = wrong
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let refused = app
            .page(
                Method::POST,
                &format!("/cases/{case}/ingest/record"),
                Some(&app.mediator),
                Some(&pairs),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend}"
        );
        assert!(refused.text.contains("Nothing was recorded"), "{backend}");
        assert!(
            refused.text.contains("23 November"),
            "{backend}: the typed value is kept"
        );
        assert_eq!(count(&app, &case, "meetings").await, 0, "{backend}");

        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let done = app
            .page(
                Method::POST,
                &format!("/cases/{case}/ingest/record"),
                Some(&app.mediator),
                Some(&pairs),
            )
            .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{backend}: {}",
            done.text
        );
        assert!(done.location().contains("/meetings/"), "{backend}");
        let meetings = app
            .get(&format!("/api/cases/{case}/meetings"), &app.mediator)
            .await;
        let meeting = &meetings.body[0];
        assert_eq!(meeting["place"], "US mission, Geneva", "{backend}");
        assert_eq!(meeting["date"], "2025-11-23", "{backend}");
        assert!(
            meeting["participants"].to_string().contains("Umerov"),
            "{backend}: {meeting}"
        );
        let page = app
            .page(Method::GET, done.location(), Some(&app.mediator), None)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{backend}");
        assert!(
            page.text.contains("We made real progress today"),
            "{backend}"
        );
    }
}

/// The named inputs of a form page as a browser would send them: text inputs, hidden
/// inputs, selected options, textareas, and ticked checkboxes.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            let name = attribute(tag, "name");
            let kind = attribute(tag, "type");
            if let Some(name) = name {
                let checkbox = kind.as_deref() == Some("checkbox");
                if !checkbox || tag.contains(" checked") {
                    out.push((name, attribute(tag, "value").unwrap_or_else(|| "on".into())));
                }
            }
        } else if tag.starts_with("<textarea")
            && let Some(name) = attribute(tag, "name")
        {
            let body = &rest[end + 1..];
            let close = body.find("</textarea>").unwrap_or(0);
            out.push((name, unescape(&body[..close])));
        } else if tag.starts_with("<select")
            && let Some(name) = attribute(tag, "name")
        {
            let body = &rest[end + 1..];
            let close = body.find("</select>").unwrap_or(0);
            let options = &body[..close];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1))
                .and_then(|o| attribute(o, "value"))
                .unwrap_or_default();
            out.push((name, chosen));
        }
        rest = &rest[1..];
    }
    out
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&#43;", "+")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

#[test]
fn the_form_reader_reads_what_a_browser_sends() {
    let html = r#"<input type="hidden" name="a" value="1"><input type="checkbox" name="b">
<input type="checkbox" name="c" checked><textarea name="d">x &amp; y</textarea>
<select name="e"><option value="p">P</option><option value="q" selected>Q</option></select>"#;
    let fields = form_fields(html);
    let value = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(value("a").as_deref(), Some("1"));
    assert_eq!(value("b"), None);
    assert_eq!(value("c").as_deref(), Some("on"));
    assert_eq!(value("d").as_deref(), Some("x & y"));
    assert_eq!(value("e").as_deref(), Some("q"));
}
