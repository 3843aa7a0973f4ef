//! The record pages and the timeline: the mediator creates and edits channels, meetings
//! and statements through the pages (with the audit records the API writes, and a notice
//! naming the field of a refused form); the timeline in date order, with its filters; and
//! confidentiality: a party member never reads a channel its party is not in, nor a
//! confidential statement, on the timeline or anywhere; an observer reads only published
//! meetings; no one but the mediator reaches the record pages.

mod common;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use accord_formats::case_file::CaseFormat;
use accord_server::{ImportInput, import_case};

use common::App;

// A page's answer: status, `Location` (for redirects) and the HTML.
use common::PageReply as Html;

/// Sends a page request with the session cookie; `form` is sent url-encoded.
async fn send(
    app: &App,
    method: Method,
    path: &str,
    token: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Html {
    app.page(method, path, token, form).await
}

async fn get(app: &App, path: &str, token: &str) -> Html {
    send(app, Method::GET, path, Some(token), None).await
}

async fn post(app: &App, path: &str, token: &str, form: &[(&str, &str)]) -> Html {
    send(app, Method::POST, path, Some(token), Some(form)).await
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

/// The page a form's 303 leads to, and the id in its path after `prefix`.
fn redirected(html: &Html, prefix: &str, done: &str) -> String {
    assert_eq!(html.status, StatusCode::SEE_OTHER, "{}", html.text);
    let location = html.location.as_deref().expect("a Location");
    let rest = location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} does not start with {prefix}"));
    let (id, query) = rest.split_once('?').expect("a notice");
    assert!(
        query.starts_with(&format!("done={done}")),
        "{location}: not done={done}"
    );
    id.to_string()
}

/// The case's audit records of `action`, oldest first.
async fn audited(app: &App, case: &str, action: &str) -> Vec<Value> {
    audit(app, case)
        .await
        .into_iter()
        .filter(|r| r["action"] == action)
        .collect()
}

async fn audit(app: &App, case: &str) -> Vec<Value> {
    let log = app
        .get(
            &format!("/api/cases/{case}/audit?limit=1000"),
            &app.mediator,
        )
        .await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    log.body.as_array().expect("records").clone()
}

/// A channel through the API; returns its id.
async fn channel(app: &App, case: &str, name: &str, parties: &[&str], kind: &str) -> String {
    let answer = app
        .post(
            &format!("/api/cases/{case}/channels"),
            &app.mediator,
            &json!({ "name": name, "parties": parties, "kind": kind }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    answer.body["id"].as_str().expect("id").to_string()
}

/// A meeting through the API; returns its id.
async fn meeting(app: &App, case: &str, body: &Value) -> String {
    let answer = app
        .post(&format!("/api/cases/{case}/meetings"), &app.mediator, body)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    answer.body["id"].as_str().expect("id").to_string()
}

/// A statement through the API.
async fn statement(app: &App, case: &str, meeting: &str, body: &Value) {
    let answer = app
        .post(
            &format!("/api/cases/{case}/meetings/{meeting}/statements"),
            &app.mediator,
            body,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
}

async fn publish(app: &App, case: &str, meeting: &str) {
    let answer = app
        .send(
            Method::POST,
            &format!("/api/cases/{case}/meetings/{meeting}/publish"),
            Some(&app.mediator),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
}

/// A form's fields, and the label, field and input of the refusal it gets.
type RefusedForm = (
    Vec<(&'static str, String)>,
    &'static str,
    &'static str,
    &'static str,
);

/// Asserts that a refused form came back with its status, a notice naming the field
/// (linked to its input) and the input marked invalid.
fn refused(html: &Html, status: StatusCode, label: &str, field: &str, input: &str) {
    assert_eq!(html.status, status, "{}", html.text);
    let notice = format!(
        r##"<p class="error-message" role="alert" id="form-error"><a href="#{input}">{label}</a> (<code>{field}</code>): "##
    );
    assert!(
        html.text.contains(&notice),
        "no {notice:?} in {}",
        html.text
    );
    let marked = format!(r#"id="{input}""#);
    let at = html.text.find(&marked).expect("the input at fault");
    let tag_end = at + html.text[at..].find('>').expect("the input's end");
    assert!(
        html.text[at..tag_end].contains(r#"aria-invalid="true""#),
        "{input} is not marked invalid: {}",
        &html.text[at..tag_end]
    );
}

#[tokio::test]
async fn the_mediator_creates_and_edits_a_channel_through_the_pages() {
    for app in App::all().await {
        let backend = app.backend();
        let case = peace(&app).await;
        let channels_url = format!("/cases/{case}/channels");

        // The dashboard's channels section links to the record and the timeline.
        let dashboard = get(&app, &format!("/cases/{case}"), &app.mediator).await;
        assert!(
            dashboard
                .text
                .contains(&format!(r#"<a href="/cases/{case}/channels">"#)),
            "{backend}"
        );
        assert!(
            dashboard
                .text
                .contains(&format!(r#"<a href="/cases/{case}/timeline">"#))
        );

        let page = get(&app, &channels_url, &app.mediator).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.text);
        for expected in [
            "<h1>Channels and meetings</h1>",
            "No channel yet.",
            r#"<label for="new-name">Name</label>"#,
            r#"<label for="new-party-ukraine">Ukraine</label>"#,
            r#"<label for="new-kind-reported">Reported: talks between parties"#,
            "Create channel",
        ] {
            assert!(page.text.contains(expected), "{backend}: no {expected:?}");
        }

        // A reported channel between Ukraine and Russia.
        let created = post(
            &app,
            &channels_url,
            &app.mediator,
            &[
                ("name", " Istanbul track "),
                ("parties", "ukraine"),
                ("parties", "russia"),
                ("kind", "reported"),
                ("description", "prisoner exchanges"),
            ],
        )
        .await;
        let id = redirected(
            &created,
            &format!("/cases/{case}/channels/"),
            "channel-created",
        );
        let listed = app
            .get(&format!("/api/cases/{case}/channels"), &app.mediator)
            .await;
        assert_eq!(
            listed.body,
            json!([{ "id": id, "name": "Istanbul track", "description": "prisoner exchanges",
                     "parties": ["ukraine", "russia"], "kind": "reported",
                     "created_ms": listed.body[0]["created_ms"] }]),
            "{backend}"
        );
        let channel_url = format!("/cases/{case}/channels/{id}");
        let landed = get(
            &app,
            &format!("{channel_url}?done=channel-created"),
            &app.mediator,
        )
        .await;
        assert_eq!(landed.status, StatusCode::OK, "{}", landed.text);
        for expected in [
            "The channel is created.",
            "<h1>Channel Istanbul track</h1>",
            "<dd>Reported: talks the mediator hears of</dd>",
            "<dd>Ukraine, Russia</dd>",
            r#"id="edit-party-ukraine" name="parties" type="checkbox" value="ukraine" checked"#,
            r#"id="edit-party-united-states" name="parties" type="checkbox" value="united-states">"#,
            r#"id="edit-kind-reported" name="kind" type="radio" value="reported" checked"#,
            "Save channel",
        ] {
            assert!(landed.text.contains(expected), "{backend}: no {expected:?}");
        }
        let list = get(&app, &channels_url, &app.mediator).await;
        assert!(list.text.contains(r#"<th scope="row">Istanbul track</th>"#));
        assert!(
            list.text
                .contains(&format!(r#"<a href="{channel_url}">Edit"#))
        );

        // Edited: renamed, the United States instead of Russia, the mediator's own.
        let saved = post(
            &app,
            &channel_url,
            &app.mediator,
            &[
                ("name", "Istanbul talks"),
                ("parties", "ukraine"),
                ("parties", "united-states"),
                ("kind", "mediated"),
                ("description", "prisoner exchanges"),
            ],
        )
        .await;
        assert_eq!(
            saved.location.as_deref(),
            Some(format!("{channel_url}?done=channel-saved").as_str()),
            "{}",
            saved.text
        );
        let listed = app
            .get(&format!("/api/cases/{case}/channels"), &app.mediator)
            .await;
        assert_eq!(listed.body[0]["name"], "Istanbul talks");
        assert_eq!(
            listed.body[0]["parties"],
            json!(["ukraine", "united-states"])
        );
        assert_eq!(listed.body[0]["kind"], "mediated");

        // Audited as the API audits: the creation, and the change before and after.
        let creations = audited(&app, &case, "channel.create").await;
        assert_eq!(creations.len(), 1, "{creations:?}");
        assert_eq!(creations[0]["username"], "mediator");
        assert_eq!(creations[0]["subject"], format!("channel/{id}"));
        assert_eq!(creations[0]["detail"]["kind"], "reported");
        let updates = audited(&app, &case, "channel.update").await;
        assert_eq!(updates.len(), 1, "{updates:?}");
        assert_eq!(
            updates[0]["detail"],
            json!({
                "before": { "name": "Istanbul track", "parties": ["ukraine", "russia"], "kind": "reported" },
                "after": { "name": "Istanbul talks", "parties": ["ukraine", "united-states"], "kind": "mediated" },
            }),
            "{backend}"
        );
        // Saving the same again changes nothing and writes nothing.
        let n_records = audit(&app, &case).await.len();
        let same = post(
            &app,
            &channel_url,
            &app.mediator,
            &[
                ("name", "Istanbul talks"),
                ("parties", "ukraine"),
                ("parties", "united-states"),
                ("kind", "mediated"),
                ("description", "prisoner exchanges"),
            ],
        )
        .await;
        assert_eq!(same.status, StatusCode::SEE_OTHER);
        assert_eq!(audit(&app, &case).await.len(), n_records);

        // Refused forms: a notice naming the field, the form as it was sent, nothing
        // written.
        let blank = post(
            &app,
            &channels_url,
            &app.mediator,
            &[
                ("name", "  "),
                ("parties", "russia"),
                ("kind", "mediated"),
                ("description", "kept as typed"),
            ],
        )
        .await;
        refused(
            &blank,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Name",
            "name",
            "new-name",
        );
        assert!(blank.text.contains("must not be empty"));
        assert!(blank.text.contains(">kept as typed</textarea>"));
        assert!(blank.text.contains(
            r#"id="new-party-russia" name="parties" type="checkbox" value="russia" checked"#
        ));
        let stranger = post(
            &app,
            &channels_url,
            &app.mediator,
            &[("name", "x"), ("parties", "atlantis"), ("kind", "mediated")],
        )
        .await;
        assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            stranger.text.contains("Parties taking part"),
            "{}",
            stranger.text
        );
        assert!(stranger.text.contains("no party “atlantis” in the case"));
        let sideways = post(
            &app,
            &channels_url,
            &app.mediator,
            &[("name", "x"), ("parties", "russia"), ("kind", "sideways")],
        )
        .await;
        refused(
            &sideways,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Who holds the talks",
            "kind",
            "new-kind-mediated",
        );
        let long = "x".repeat(201);
        let edit = post(
            &app,
            &channel_url,
            &app.mediator,
            &[
                ("name", &long),
                ("parties", "ukraine"),
                ("kind", "mediated"),
            ],
        )
        .await;
        refused(
            &edit,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Name",
            "name",
            "edit-name",
        );
        assert!(edit.text.contains("at most 200 characters"));
        assert_eq!(audit(&app, &case).await.len(), n_records, "{backend}");

        // A form that does not read, and a channel that does not exist.
        let garbled = send(&app, Method::POST, &channels_url, Some(&app.mediator), None).await;
        assert_eq!(garbled.status, StatusCode::BAD_REQUEST, "{}", garbled.text);
        let nowhere = get(
            &app,
            &format!("/cases/{case}/channels/nowhere"),
            &app.mediator,
        )
        .await;
        assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
        let nowhere = post(
            &app,
            &format!("/cases/{case}/channels/nowhere"),
            &app.mediator,
            &[("name", "x"), ("kind", "mediated")],
        )
        .await;
        assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_mediator_logs_and_edits_a_meeting_through_the_pages() {
    for app in App::all().await {
        let backend = app.backend();
        let case = peace(&app).await;
        let ch = channel(
            &app,
            &case,
            "Geneva track",
            &["ukraine", "united-states"],
            "mediated",
        )
        .await;
        let other = channel(&app, &case, "Side track", &["russia"], "reported").await;

        let form = get(
            &app,
            &format!("/cases/{case}/meetings/new?channel={ch}"),
            &app.mediator,
        )
        .await;
        assert_eq!(form.status, StatusCode::OK, "{backend}: {}", form.text);
        for expected in [
            "<h1>Log a meeting</h1>",
            &format!(r#"<option value="{ch}" selected>Geneva track</option>"#),
            r#"<label for="meeting-date">Date</label>"#,
            "<legend>Ukraine</legend>",
            r#"<label for="present-0-0">Delegate A (Ukraine), chief negotiator</label>"#,
            r#"<label for="other-name-1">Name of person 1</label>"#,
            r#"<label for="tabled-1">Draft 1"#,
        ] {
            assert!(form.text.contains(expected), "{backend}: no {expected:?}");
        }

        let meetings_url = format!("/cases/{case}/meetings");
        let fields = [
            ("channel", ch.as_str()),
            ("date", "2025-11-20"),
            ("time", "10:30"),
            ("place", "Geneva"),
            ("present", "ukraine/Delegate A (Ukraine)"),
            ("present", "united-states/Delegate B (United States)"),
            ("other-party-1", "mediator"),
            ("other-name-1", "Guest"),
            ("other-title-1", "note-taker"),
            ("other-party-2", ""),
            ("other-name-2", ""),
            ("other-title-2", ""),
            ("tabled", "1"),
            ("summary", "Opening round."),
            ("outcome", "Agreed to meet again."),
        ];
        let created = post(&app, &meetings_url, &app.mediator, &fields).await;
        let id = redirected(&created, &format!("{meetings_url}/"), "meeting-created");
        let detail = app
            .get(&format!("/api/cases/{case}/meetings/{id}"), &app.mediator)
            .await;
        assert_eq!(detail.status, StatusCode::OK);
        assert_eq!(
            detail.body["participants"],
            json!([
                { "party": "ukraine", "name": "Delegate A (Ukraine)", "title": "chief negotiator" },
                { "party": "united-states", "name": "Delegate B (United States)", "title": "deputy envoy" },
                { "party": "mediator", "name": "Guest", "title": "note-taker" },
            ]),
            "{backend}"
        );
        for (key, expected) in [
            ("date", json!("2025-11-20")),
            ("time", json!("10:30")),
            ("place", json!("Geneva")),
            ("tabled", json!([1])),
            ("summary", json!("Opening round.")),
            ("outcome", json!("Agreed to meet again.")),
            ("channel", json!(ch)),
        ] {
            assert_eq!(detail.body[key], expected, "{backend}: {key}");
        }

        let meeting_url = format!("{meetings_url}/{id}");
        let page = get(
            &app,
            &format!("{meeting_url}?done=meeting-created"),
            &app.mediator,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        for expected in [
            "The meeting is logged.",
            "<h1>Meeting of 2025-11-20 in Geneva track</h1>",
            "<li>Delegate A (Ukraine), chief negotiator (Ukraine)</li>",
            "<li>Guest, note-taker (Mediator)</li>",
            r#"id="present-0-0" name="present" type="checkbox" value="ukraine/Delegate A (Ukraine)" checked"#,
            r#"id="other-name-1" name="other-name-1" type="text" maxlength="200" value="Guest""#,
            r#"id="tabled-1" name="tabled" type="checkbox" value="1" checked"#,
            "not published: observers do not read it",
            "Publish the meeting to observers",
        ] {
            assert!(page.text.contains(expected), "{backend}: no {expected:?}");
        }

        // Edited: another day and channel, one delegate fewer, no guest, no draft.
        let saved = post(
            &app,
            &meeting_url,
            &app.mediator,
            &[
                ("channel", other.as_str()),
                ("date", "2025-11-21"),
                ("time", ""),
                ("place", "Geneva"),
                ("present", "ukraine/Delegate A (Ukraine)"),
                ("other-party-1", "mediator"),
                ("other-name-1", ""),
                ("other-title-1", ""),
                ("summary", "Opening round."),
                ("outcome", "Agreed on an agenda."),
            ],
        )
        .await;
        assert_eq!(
            saved.location.as_deref(),
            Some(format!("{meeting_url}?done=meeting-saved").as_str()),
            "{}",
            saved.text
        );
        let detail = app
            .get(&format!("/api/cases/{case}/meetings/{id}"), &app.mediator)
            .await;
        assert_eq!(detail.body["channel"], json!(other));
        assert_eq!(detail.body["channel_name"], "Side track");
        assert_eq!(detail.body["date"], "2025-11-21");
        assert!(detail.body.get("time").is_none(), "{:?}", detail.body);
        assert_eq!(detail.body["participants"].as_array().unwrap().len(), 1);
        assert_eq!(detail.body["tabled"], json!([]));
        let updates = audited(&app, &case, "meeting.update").await;
        assert_eq!(updates.len(), 1, "{updates:?}");
        assert_eq!(updates[0]["subject"], format!("meeting/{id}"));
        let detail_of = &updates[0]["detail"];
        assert_eq!(detail_of["before"]["date"], "2025-11-20");
        assert_eq!(detail_of["after"]["date"], "2025-11-21");
        assert_eq!(detail_of["before"]["time"], "10:30");
        assert_eq!(detail_of["after"]["time"], "");
        assert_eq!(detail_of["before"]["channel"], json!(ch));
        assert_eq!(detail_of["before"]["outcome"], "Agreed to meet again.");
        assert_eq!(
            detail_of["before"]["participants"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert!(
            detail_of["before"].get("place").is_none(),
            "unchanged: {detail_of}"
        );
        assert_eq!(audited(&app, &case, "meeting.create").await.len(), 1);

        // Refused forms name the field, and write nothing.
        let n_records = audit(&app, &case).await.len();
        let base = |date: &'static str| {
            vec![
                ("channel", ch.clone()),
                ("date", date.to_string()),
                ("summary", "s".to_string()),
            ]
        };
        let with = |mut fields: Vec<(&'static str, String)>, extra: &[(&'static str, &str)]| {
            fields.extend(extra.iter().map(|(k, v)| (*k, (*v).to_string())));
            fields
        };
        let cases: Vec<RefusedForm> = vec![
            (base("2025-02-30"), "Date", "date", "meeting-date"),
            (
                with(base("2025-11-20"), &[("time", "25:00")]),
                "Time",
                "time",
                "meeting-time",
            ),
            (
                with(
                    base("2025-11-20"),
                    &[("other-party-1", "mediator"), ("other-title-1", "adviser")],
                ),
                "Name of person 1",
                "participants[0].name",
                "other-name-1",
            ),
            (
                with(
                    base("2025-11-20"),
                    &[
                        ("present", "ukraine/Delegate A (Ukraine)"),
                        ("other-name-1", "Someone"),
                    ],
                ),
                "Party of person 1",
                "participants[1].party",
                "other-party-1",
            ),
            (
                with(base("2025-11-20"), &[("tabled", "1"), ("tabled", "99")]),
                "Draft 99",
                "tabled[1]",
                "tabled-99",
            ),
        ];
        for (fields, label, field, input) in cases {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let answer = post(&app, &meetings_url, &app.mediator, &fields).await;
            if input == "tabled-99" {
                // No box of draft 99 to mark: the notice names the field.
                assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
                assert!(
                    answer.text.contains("no draft version 99 in the case"),
                    "{}",
                    answer.text
                );
                assert!(answer.text.contains("(<code>tabled[1]</code>)"));
            } else {
                refused(
                    &answer,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    label,
                    field,
                    input,
                );
            }
        }
        let forged = post(
            &app,
            &meeting_url,
            &app.mediator,
            &[
                ("channel", ch.as_str()),
                ("date", "2025-11-20"),
                ("present", "ukraine/Nobody at all"),
            ],
        )
        .await;
        assert_eq!(
            forged.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            forged.text
        );
        assert!(forged.text.contains("(<code>present</code>)"));
        let no_channel = post(
            &app,
            &meeting_url,
            &app.mediator,
            &[("channel", "nowhere"), ("date", "2025-11-20")],
        )
        .await;
        refused(
            &no_channel,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Channel",
            "channel",
            "meeting-channel",
        );
        // The refused edit shows what was sent, not what is stored.
        assert!(
            no_channel.text.contains(
                r#"id="meeting-date" name="date" type="date" required value="2025-11-20""#
            )
        );
        assert_eq!(audit(&app, &case).await.len(), n_records, "{backend}");

        // Published through the page.
        let published = post(&app, &format!("{meeting_url}/publish"), &app.mediator, &[]).await;
        assert_eq!(
            published.location.as_deref(),
            Some(format!("{meeting_url}?done=published").as_str())
        );
        let detail = app
            .get(&format!("/api/cases/{case}/meetings/{id}"), &app.mediator)
            .await;
        assert!(detail.body["published_ms"].is_i64(), "{:?}", detail.body);
        assert_eq!(audited(&app, &case, "meeting.publish").await.len(), 1);
        let page = get(&app, &meeting_url, &app.mediator).await;
        assert!(!page.text.contains("Publish the meeting to observers"));

        let missing = get(&app, &format!("{meetings_url}/nowhere"), &app.mediator).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_mediator_adds_edits_and_removes_statements_through_the_pages() {
    for app in App::all().await {
        let backend = app.backend();
        let case = peace(&app).await;
        let ch = channel(
            &app,
            &case,
            "Geneva track",
            &["ukraine", "united-states"],
            "mediated",
        )
        .await;
        let id = meeting(
            &app,
            &case,
            &json!({ "channel": ch, "date": "2025-11-20", "time": "09:00" }),
        )
        .await;
        let member = app
            .account("kyiv", "party", Some(&case), Some("ukraine"))
            .await;
        let meeting_url = format!("/cases/{case}/meetings/{id}");
        let api_url = format!("/api/cases/{case}/meetings/{id}");

        // A new statement's form starts on the meeting's day, confidential.
        let page = get(&app, &meeting_url, &app.mediator).await;
        assert_eq!(page.status, StatusCode::OK, "{backend}: {}", page.text);
        for expected in [
            "No statement yet.",
            r#"<label for="new-speaker">Speaker</label>"#,
            r#"id="new-date" name="date" type="date" required value="2025-11-20""#,
            r#"id="new-confidential" name="visibility" type="radio" value="confidential" checked"#,
            r#"id="new-public" name="visibility" type="radio" value="public">"#,
            r#"<option value="Delegate A (Ukraine)"></option>"#,
        ] {
            assert!(page.text.contains(expected), "{backend}: no {expected:?}");
        }

        let statements_url = format!("{meeting_url}/statements");
        let added = post(
            &app,
            &statements_url,
            &app.mediator,
            &[
                ("speaker", "Delegate A (Ukraine)"),
                ("party", "ukraine"),
                ("date", "2025-11-20"),
                ("time", "09:15"),
                ("quote", "Our floor is lower than it looks."),
                ("visibility", "confidential"),
            ],
        )
        .await;
        assert_eq!(
            added.location.as_deref(),
            Some(format!("{meeting_url}?done=statement-added#statement-1").as_str()),
            "{}",
            added.text
        );
        let public = post(
            &app,
            &statements_url,
            &app.mediator,
            &[
                ("speaker", "Delegate A (United States)"),
                ("party", ""),
                ("date", ""),
                ("time", ""),
                ("quote", "We are here to listen."),
                ("visibility", "public"),
            ],
        )
        .await;
        assert_eq!(public.status, StatusCode::SEE_OTHER, "{}", public.text);

        let detail = app.get(&api_url, &app.mediator).await;
        let statements = detail.body["statements"].as_array().unwrap();
        assert_eq!(statements.len(), 2, "{backend}");
        assert_eq!(
            statements[0],
            json!({ "seq": 1, "speaker": "Delegate A (Ukraine)", "party": "ukraine",
                    "date": "2025-11-20", "time": "09:15",
                    "quote": "Our floor is lower than it looks.", "confidential": true,
                    "created_ms": statements[0]["created_ms"] })
        );
        assert_eq!(statements[1]["date"], "2025-11-20", "the meeting's day");
        assert!(statements[1].get("party").is_none());
        assert_eq!(statements[1]["confidential"], false);
        // The party member of the channel reads the public one only.
        let theirs = app.get(&api_url, &member).await;
        assert_eq!(theirs.status, StatusCode::OK);
        assert_eq!(
            theirs.body["statements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["quote"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["We are here to listen."]
        );
        let page = get(&app, &meeting_url, &app.mediator).await;
        for expected in [
            r#"<article class="point" id="statement-1" data-statement="1" data-confidential="true">"#,
            "<h3>Statement 1: Delegate A (Ukraine)</h3>",
            "2025-11-20 09:15 · for Ukraine · <strong class=\"confidential\">Confidential: the mediator only</strong>",
            r#"id="s1-confidential" name="visibility" type="radio" value="confidential" checked"#,
            r#"id="s2-public" name="visibility" type="radio" value="public" checked"#,
        ] {
            assert!(page.text.contains(expected), "{backend}: no {expected:?}");
        }

        // Edited: the first made public, with another quote; the second made confidential.
        let saved = post(
            &app,
            &format!("{statements_url}/1"),
            &app.mediator,
            &[
                ("speaker", "Delegate A (Ukraine)"),
                ("party", "ukraine"),
                ("date", "2025-11-20"),
                ("time", "09:15"),
                ("quote", "We can live with that."),
                ("visibility", "public"),
            ],
        )
        .await;
        assert_eq!(
            saved.location.as_deref(),
            Some(format!("{meeting_url}?done=statement-saved#statement-1").as_str()),
            "{}",
            saved.text
        );
        let saved = post(
            &app,
            &format!("{statements_url}/2"),
            &app.mediator,
            &[
                ("speaker", "Delegate A (United States)"),
                ("party", "united-states"),
                ("date", "2025-11-20"),
                ("time", ""),
                ("quote", "We are here to listen."),
                ("visibility", "confidential"),
            ],
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
        let theirs = app.get(&api_url, &member).await;
        assert_eq!(
            theirs.body["statements"],
            json!([{ "seq": 1, "speaker": "Delegate A (Ukraine)", "party": "ukraine",
                     "date": "2025-11-20", "time": "09:15", "quote": "We can live with that.",
                     "confidential": false,
                     "created_ms": theirs.body["statements"][0]["created_ms"] }]),
            "{backend}"
        );
        let updates = audited(&app, &case, "statement.update").await;
        assert_eq!(updates.len(), 2, "{updates:?}");
        assert_eq!(
            updates[0]["detail"],
            json!({ "seq": 1,
                    "before": { "quote": "Our floor is lower than it looks.", "confidential": true },
                    "after": { "quote": "We can live with that.", "confidential": false } })
        );
        assert_eq!(
            updates[1]["detail"]["after"],
            json!({ "party": "united-states", "confidential": true })
        );

        // Refused forms name the field and write nothing.
        let n_records = audit(&app, &case).await.len();
        let statement = |quote: &'static str,
                         party: &'static str,
                         date: &'static str,
                         visibility: &'static str| {
            [
                ("speaker", "Someone"),
                ("party", party),
                ("date", date),
                ("time", ""),
                ("quote", quote),
                ("visibility", visibility),
            ]
        };
        let answer = post(
            &app,
            &statements_url,
            &app.mediator,
            &statement(" ", "", "", "public"),
        )
        .await;
        refused(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "What was said",
            "quote",
            "new-quote",
        );
        assert!(
            answer.text.contains(r#"value="Someone""#),
            "the form keeps what was sent"
        );
        let answer = post(
            &app,
            &statements_url,
            &app.mediator,
            &statement("q", "atlantis", "", "public"),
        )
        .await;
        refused(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Speaking for",
            "party",
            "new-party",
        );
        let answer = post(
            &app,
            &statements_url,
            &app.mediator,
            &statement("q", "", "tomorrow", "public"),
        )
        .await;
        refused(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Date",
            "date",
            "new-date",
        );
        let answer = post(
            &app,
            &statements_url,
            &app.mediator,
            &statement("q", "", "", "everyone"),
        )
        .await;
        refused(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Who may read it",
            "confidential",
            "new-confidential",
        );
        let answer = post(
            &app,
            &format!("{statements_url}/2"),
            &app.mediator,
            &statement(" ", "", "2025-11-20", "public"),
        )
        .await;
        refused(
            &answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "What was said",
            "quote",
            "s2-quote",
        );
        assert!(
            answer.text.contains("<details open>"),
            "the refused statement's form is open"
        );
        let answer = post(
            &app,
            &format!("{statements_url}/9"),
            &app.mediator,
            &statement("q", "", "", "public"),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        let answer = post(
            &app,
            &format!("{statements_url}/one"),
            &app.mediator,
            &statement("q", "", "", "public"),
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Removing needs the box ticked; then the statement is gone from every view,
        // and its audit record keeps it whole.
        let unticked = post(
            &app,
            &format!("{statements_url}/1/remove"),
            &app.mediator,
            &[],
        )
        .await;
        refused(
            &unticked,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Confirmation",
            "confirm",
            "s1-remove",
        );
        assert_eq!(audit(&app, &case).await.len(), n_records, "{backend}");
        let removed = post(
            &app,
            &format!("{statements_url}/1/remove"),
            &app.mediator,
            &[("confirm", "yes")],
        )
        .await;
        assert_eq!(
            removed.location.as_deref(),
            Some(format!("{meeting_url}?done=statement-removed").as_str())
        );
        let detail = app.get(&api_url, &app.mediator).await;
        let seqs: Vec<i64> = detail.body["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(seqs, [2], "{backend}");
        let removals = audited(&app, &case, "statement.remove").await;
        assert_eq!(removals.len(), 1);
        assert_eq!(removals[0]["detail"]["seq"], 1);
        assert_eq!(
            removals[0]["detail"]["statement"]["quote"],
            "We can live with that."
        );
        let again = post(
            &app,
            &format!("{statements_url}/1/remove"),
            &app.mediator,
            &[("confirm", "yes")],
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        // The next statement is number 3: a number is never given twice.
        let next = post(
            &app,
            &statements_url,
            &app.mediator,
            &statement("Later.", "", "", "public"),
        )
        .await;
        assert_eq!(
            next.location.as_deref(),
            Some(format!("{meeting_url}?done=statement-added#statement-3").as_str())
        );
        assert_eq!(audited(&app, &case, "statement.create").await.len(), 3);
    }
}

/// A case with two channels, the second reported and Russia's only, meetings in both,
/// and public and confidential statements; returns (case, channels, meetings).
async fn talks(app: &App) -> (String, [String; 2], [String; 3]) {
    let case = peace(app).await;
    let kw = channel(
        app,
        &case,
        "Kyiv-Washington",
        &["ukraine", "united-states"],
        "mediated",
    )
    .await;
    let back = channel(app, &case, "Moscow back-channel", &["russia"], "reported").await;
    let m1 = meeting(
        app,
        &case,
        &json!({ "channel": kw, "date": "2025-11-21", "time": "10:00", "place": "Geneva",
                 "summary": "Talked about alliance membership.",
                 "participants": [{ "party": "ukraine", "name": "Delegate A (Ukraine)" }] }),
    )
    .await;
    let m2 = meeting(
        app,
        &case,
        &json!({ "channel": back, "date": "2025-11-22", "summary": "MOSCOW-SUMMARY-MARKER",
                 "outcome": "The army-cap stays open." }),
    )
    .await;
    let m3 = meeting(
        app,
        &case,
        &json!({ "channel": kw, "date": "2025-11-20", "summary": "A first contact." }),
    )
    .await;
    statement(
        app,
        &case,
        &m1,
        &json!({ "speaker": "Delegate A (Ukraine)", "party": "ukraine", "quote": "We are here to listen." }),
    )
    .await;
    statement(
        app,
        &case,
        &m1,
        &json!({ "speaker": "Delegate A (Ukraine)", "party": "ukraine", "time": "10:45",
                 "quote": "CONFIDENTIAL-MARKER: sovereignty is negotiable.", "confidential": true }),
    )
    .await;
    statement(
        app,
        &case,
        &m1,
        &json!({ "speaker": "Delegate A (European partners)", "party": "european-partners",
                 "date": "2025-11-23", "quote": "Europe will pay for reconstruction." }),
    )
    .await;
    statement(
        app,
        &case,
        &m2,
        &json!({ "speaker": "Delegate A (Russia)", "party": "russia", "quote": "MOSCOW-QUOTE-MARKER" }),
    )
    .await;
    publish(app, &case, &m1).await;
    (case, [kw, back], [m1, m2, m3])
}

/// The timeline through the API: (kind, date, time, meeting id, quote) per entry.
async fn entries(
    app: &App,
    path: &str,
    token: &str,
) -> Vec<(String, String, String, String, String)> {
    let answer = app.get(path, token).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {:?}", answer.body);
    answer
        .body
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["date"].as_str().unwrap().to_string(),
                e["time"].as_str().unwrap_or("").to_string(),
                e["meeting"]["id"].as_str().unwrap().to_string(),
                e["statement"]["quote"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_party_member_and_an_observer_read_only_their_share_of_the_record() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, [kw, back], [m1, m2, m3]) = talks(&app).await;
        let kyiv = app
            .account("kyiv", "party", Some(&case), Some("ukraine"))
            .await;
        let moscow = app
            .account("moscow", "party", Some(&case), Some("russia"))
            .await;
        let watcher = app.account("watcher", "observer", None, None).await;

        // Everything a party member or an observer may open, as pages and as the API.
        let readable = {
            let mut paths = vec![
                format!("/cases/{case}"),
                format!("/cases/{case}/timeline"),
                format!("/cases/{case}/timeline?channel={kw}"),
                format!("/cases/{case}/timeline?channel={back}"),
                format!("/cases/{case}/timeline?party=russia"),
                format!("/cases/{case}/timeline?point=sovereignty"),
                format!("/api/cases/{case}/timeline"),
                format!("/api/cases/{case}/timeline?party=ukraine"),
                format!("/api/cases/{case}/channels"),
                format!("/api/cases/{case}/meetings"),
            ];
            for m in [&m1, &m2, &m3] {
                paths.push(format!("/api/cases/{case}/meetings/{m}"));
                paths.push(format!("/cases/{case}/meetings/{m}"));
            }
            paths
        };
        for (who, token, hidden) in [
            (
                "kyiv",
                &kyiv,
                vec![
                    "Moscow back-channel",
                    "MOSCOW-SUMMARY-MARKER",
                    "MOSCOW-QUOTE-MARKER",
                    "CONFIDENTIAL-MARKER",
                    "army-cap stays open",
                ],
            ),
            (
                "moscow",
                &moscow,
                vec![
                    "Kyiv-Washington",
                    "Talked about alliance membership",
                    "We are here to listen",
                    "CONFIDENTIAL-MARKER",
                    "A first contact",
                ],
            ),
            (
                "watcher",
                &watcher,
                vec![
                    "MOSCOW-SUMMARY-MARKER",
                    "MOSCOW-QUOTE-MARKER",
                    "CONFIDENTIAL-MARKER",
                    "A first contact",
                ],
            ),
        ] {
            for path in &readable {
                let answer = if path.starts_with("/api/") {
                    let answer = app.get(path, token).await;
                    (answer.status, answer.body.to_string())
                } else {
                    let html = get(&app, path, token).await;
                    (html.status, html.text)
                };
                assert!(answer.0.as_u16() < 500, "{who} {path}: {}", answer.0);
                for secret in &hidden {
                    assert!(
                        !answer.1.contains(secret),
                        "{backend}: {who} reads `{secret}` at {path}"
                    );
                }
            }
        }

        // What each does read, in date order.
        let timeline = format!("/api/cases/{case}/timeline");
        let theirs = entries(&app, &timeline, &kyiv).await;
        let expected: Vec<(&str, &str, &str, &str, &str)> = vec![
            ("meeting", "2025-11-20", "", &m3, ""),
            ("meeting", "2025-11-21", "10:00", &m1, ""),
            (
                "statement",
                "2025-11-21",
                "10:00",
                &m1,
                "We are here to listen.",
            ),
            (
                "statement",
                "2025-11-23",
                "",
                &m1,
                "Europe will pay for reconstruction.",
            ),
        ];
        let as_tuples = |list: &[(&str, &str, &str, &str, &str)]| {
            list.iter()
                .map(|(a, b, c, d, e)| {
                    (
                        (*a).into(),
                        (*b).into(),
                        (*c).into(),
                        (*d).into(),
                        (*e).into(),
                    )
                })
                .collect::<Vec<(String, String, String, String, String)>>()
        };
        assert_eq!(theirs, as_tuples(&expected), "{backend}");
        let theirs = entries(&app, &timeline, &moscow).await;
        assert_eq!(
            theirs,
            as_tuples(&[
                ("meeting", "2025-11-22", "", &m2, ""),
                ("statement", "2025-11-22", "", &m2, "MOSCOW-QUOTE-MARKER"),
            ])
        );
        let theirs = entries(&app, &timeline, &watcher).await;
        assert_eq!(
            theirs,
            as_tuples(&[
                ("meeting", "2025-11-21", "10:00", &m1, ""),
                (
                    "statement",
                    "2025-11-21",
                    "10:00",
                    &m1,
                    "We are here to listen."
                ),
                (
                    "statement",
                    "2025-11-23",
                    "",
                    &m1,
                    "Europe will pay for reconstruction."
                ),
            ])
        );
        // The mediator reads everything, the confidential statement too, at its own time.
        let all = entries(&app, &timeline, &app.mediator).await;
        assert_eq!(
            all,
            as_tuples(&[
                ("meeting", "2025-11-20", "", &m3, ""),
                ("meeting", "2025-11-21", "10:00", &m1, ""),
                (
                    "statement",
                    "2025-11-21",
                    "10:00",
                    &m1,
                    "We are here to listen."
                ),
                (
                    "statement",
                    "2025-11-21",
                    "10:45",
                    &m1,
                    "CONFIDENTIAL-MARKER: sovereignty is negotiable.",
                ),
                ("meeting", "2025-11-22", "", &m2, ""),
                ("statement", "2025-11-22", "", &m2, "MOSCOW-QUOTE-MARKER"),
                (
                    "statement",
                    "2025-11-23",
                    "",
                    &m1,
                    "Europe will pay for reconstruction."
                ),
            ]),
            "{backend}"
        );

        // The pages show the same: kyiv's timeline names its channel, marks nothing
        // confidential; the mediator's marks the confidential statement.
        let page = get(&app, &format!("/cases/{case}/timeline"), &kyiv).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        for expected in [
            "<h1>Timeline</h1>",
            r#"<label for="filter-channel">Channel</label>"#,
            "<h2 id=\"day-1\">2025-11-20</h2>",
            "<h3>10:00 · Meeting in Kyiv-Washington</h3>",
            "Present: Delegate A (Ukraine) (Ukraine)",
            "4 entries, oldest first.",
        ] {
            assert!(page.text.contains(expected), "{backend}: no {expected:?}");
        }
        assert!(!page.text.contains("data-confidential"));
        assert!(
            !page.text.contains(&format!("/cases/{case}/meetings/")),
            "no link to the record"
        );
        let page = get(&app, &format!("/cases/{case}/timeline"), &app.mediator).await;
        assert!(
            page.text
                .contains(r#"data-kind="statement" data-confidential="true""#)
        );
        assert!(page.text.contains("CONFIDENTIAL-MARKER"));
        assert!(page.text.contains(&format!(r#"<a href="/cases/{case}/meetings/{m1}">Open the meeting of 2025-11-21 in Kyiv-Washington</a>"#)));

        // The party page links to the timeline.
        let party_page = get(&app, &format!("/cases/{case}"), &kyiv).await;
        assert!(
            party_page
                .text
                .contains(&format!(r#"<a href="/cases/{case}/timeline">"#))
        );

        // A filter on a channel kyiv does not see is refused as one that does not exist.
        let hidden = app.get(&format!("{timeline}?channel={back}"), &kyiv).await;
        let nowhere = app.get(&format!("{timeline}?channel=nowhere"), &kyiv).await;
        assert_eq!(hidden.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(hidden.body["error"]["field"], "channel");
        assert_eq!(
            hidden.body["error"]["message"]
                .as_str()
                .unwrap()
                .replace(&back, "X"),
            nowhere.body["error"]["message"]
                .as_str()
                .unwrap()
                .replace("nowhere", "X")
        );

        // No one but the mediator reaches the record pages, nor writes through them.
        let n_records = audit(&app, &case).await.len();
        for token in [&kyiv, &moscow, &watcher] {
            for path in [
                format!("/cases/{case}/channels"),
                format!("/cases/{case}/channels/{kw}"),
                format!("/cases/{case}/meetings/new"),
                format!("/cases/{case}/meetings/{m1}"),
            ] {
                assert_eq!(
                    get(&app, &path, token).await.status,
                    StatusCode::FORBIDDEN,
                    "{path}"
                );
            }
            for (path, form) in [
                (
                    format!("/cases/{case}/channels"),
                    vec![("name", "x"), ("kind", "mediated")],
                ),
                (
                    format!("/cases/{case}/channels/{kw}"),
                    vec![("name", "x"), ("kind", "mediated")],
                ),
                (
                    format!("/cases/{case}/meetings"),
                    vec![("channel", kw.as_str()), ("date", "2025-11-20")],
                ),
                (
                    format!("/cases/{case}/meetings/{m1}"),
                    vec![("channel", kw.as_str()), ("date", "2025-11-20")],
                ),
                (format!("/cases/{case}/meetings/{m1}/publish"), vec![]),
                (
                    format!("/cases/{case}/meetings/{m1}/statements"),
                    vec![("speaker", "x"), ("quote", "y"), ("visibility", "public")],
                ),
                (
                    format!("/cases/{case}/meetings/{m1}/statements/1"),
                    vec![("speaker", "x"), ("quote", "y"), ("visibility", "public")],
                ),
                (
                    format!("/cases/{case}/meetings/{m1}/statements/1/remove"),
                    vec![("confirm", "yes")],
                ),
            ] {
                let answer = post(&app, &path, token, &form).await;
                assert_eq!(
                    answer.status,
                    StatusCode::FORBIDDEN,
                    "{path}: {}",
                    answer.text
                );
            }
        }
        assert_eq!(
            audit(&app, &case).await.len(),
            n_records,
            "a refused write left a trace"
        );

        // A member of another case does not learn that this one exists.
        let other = peace(&app).await;
        let stranger = app
            .account("stranger", "party", Some(&other), Some("ukraine"))
            .await;
        assert_eq!(
            get(&app, &format!("/cases/{case}/timeline"), &stranger)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(&app, &format!("/cases/{case}/channels"), &stranger)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_timeline_filters_by_channel_party_and_point() {
    for app in App::all().await {
        let backend = app.backend();
        let (case, [kw, back], [m1, m2, m3]) = talks(&app).await;
        let kyiv = app
            .account("kyiv", "party", Some(&case), Some("ukraine"))
            .await;
        let watcher = app.account("watcher", "observer", None, None).await;
        let timeline = format!("/api/cases/{case}/timeline");
        let ids = |list: Vec<(String, String, String, String, String)>| {
            list.into_iter()
                .map(|e| {
                    if e.0 == "meeting" {
                        format!("meeting {}", e.3)
                    } else {
                        e.4
                    }
                })
                .collect::<Vec<_>>()
        };
        let m = |id: &str| format!("meeting {id}");

        // By channel.
        let by_channel =
            ids(entries(&app, &format!("{timeline}?channel={back}"), &app.mediator).await);
        assert_eq!(
            by_channel,
            [m(&m2), "MOSCOW-QUOTE-MARKER".to_string()],
            "{backend}"
        );
        // By party: the meetings of its channels or with its delegates, the statements
        // made at them, and the statements made for it anywhere.
        let russia = ids(entries(&app, &format!("{timeline}?party=russia"), &app.mediator).await);
        assert_eq!(russia, [m(&m2), "MOSCOW-QUOTE-MARKER".to_string()]);
        let europe = ids(entries(
            &app,
            &format!("{timeline}?party=european-partners"),
            &app.mediator,
        )
        .await);
        assert_eq!(europe, ["Europe will pay for reconstruction.".to_string()]);
        // By point: by its id or its title, in a summary, an outcome or a quote.
        let alliance =
            ids(entries(&app, &format!("{timeline}?point=alliance"), &app.mediator).await);
        assert_eq!(
            alliance,
            [m(&m1)],
            "the summary names its title, “Alliance membership”"
        );
        let army = ids(entries(&app, &format!("{timeline}?point=army-cap"), &app.mediator).await);
        assert_eq!(army, [m(&m2)], "the outcome names its id");
        let reconstruction = ids(entries(
            &app,
            &format!("{timeline}?point=reconstruction"),
            &app.mediator,
        )
        .await);
        assert_eq!(
            reconstruction,
            [m(&m1), "Europe will pay for reconstruction.".to_string()]
        );
        // Filters combine.
        let both = ids(entries(
            &app,
            &format!("{timeline}?channel={kw}&party=european-partners"),
            &app.mediator,
        )
        .await);
        assert_eq!(both, ["Europe will pay for reconstruction.".to_string()]);
        let none = entries(
            &app,
            &format!("{timeline}?channel={kw}&point=army-cap"),
            &app.mediator,
        )
        .await;
        assert!(none.is_empty(), "{none:?}");
        // Empty values are no filter.
        assert_eq!(
            entries(
                &app,
                &format!("{timeline}?channel=&party=&point="),
                &app.mediator
            )
            .await
            .len(),
            7
        );

        // A filter looks only at what the viewer reads: the confidential statement names
        // “sovereignty”, so the mediator finds its meeting by it and kyiv does not.
        let sovereignty = ids(entries(
            &app,
            &format!("{timeline}?point=sovereignty"),
            &app.mediator,
        )
        .await);
        assert_eq!(
            sovereignty,
            [
                m(&m1),
                "CONFIDENTIAL-MARKER: sovereignty is negotiable.".to_string()
            ]
        );
        let theirs = entries(&app, &format!("{timeline}?point=sovereignty"), &kyiv).await;
        assert!(theirs.is_empty(), "{backend}: {theirs:?}");
        let _ = m3;

        // Refused filters name the field.
        for (query, field) in [
            ("channel=nowhere", "channel"),
            ("party=atlantis", "party"),
            ("point=nowhere", "point"),
        ] {
            let answer = app.get(&format!("{timeline}?{query}"), &app.mediator).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert_eq!(answer.body["error"]["field"], field, "{query}");
        }
        let page = get(
            &app,
            &format!("/cases/{case}/timeline?party=atlantis"),
            &app.mediator,
        )
        .await;
        refused(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Party",
            "party",
            "filter-party",
        );
        assert!(page.text.contains("Nothing to show for these filters."));

        // An observer knows the points only from published drafts.
        let unknown = app
            .get(&format!("{timeline}?point=alliance"), &watcher)
            .await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            unknown.body
        );
        let page = get(&app, &format!("/cases/{case}/timeline"), &watcher).await;
        assert!(!page.text.contains(r#"<option value="alliance""#));
        let published = app
            .send(
                Method::POST,
                &format!("/api/cases/{case}/drafts/1/publish"),
                Some(&app.mediator),
                None,
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
        let known = ids(entries(&app, &format!("{timeline}?point=alliance"), &watcher).await);
        assert_eq!(known, [m(&m1)]);
        let page = get(
            &app,
            &format!("/cases/{case}/timeline?point=alliance"),
            &watcher,
        )
        .await;
        assert!(page.text.contains(
            r#"<option value="alliance" selected>Alliance membership (alliance)</option>"#
        ));
        assert!(
            page.text
                .contains("1 entry for these filters, oldest first.")
        );
    }
}
