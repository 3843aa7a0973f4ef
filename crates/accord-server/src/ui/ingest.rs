//! The mediator's pages for reports of talks (docs/ingest.md): paste a report, review the
//! record accord proposes from it (every fact with the sentence it came from), correct
//! it, and record it. Nothing is saved before "Record"; then every meeting, statement,
//! new channel and new delegate is written at once, or nothing is.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::Value;

use super::{
    Layout, Page, case_href, error_page, form_error, prose, render, see_other, segment, when,
};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::ingest::{IngestRequest, NewDelegate, RecordMeeting, RecordRequest};
use crate::json::Body;
use crate::meetings::{ChannelKind, NewChannel, NewStatement, Participant};
use crate::model::CaseRows;

/// The report pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{case}/ingest", get(paste_page).post(read_report))
        .route("/cases/{case}/ingest/record", post(record))
}

type Fields = HashMap<String, String>;

#[derive(Template)]
#[template(path = "ingest_paste.html")]
struct PastePage {
    layout: Layout,
    action: String,
    text: String,
    reference_date: String,
    problem: Option<String>,
}

/// A cited sentence: its number (from 1) and text.
struct Cite {
    n: usize,
    text: String,
}

struct ReviewPerson {
    i: usize,
    include: bool,
    name: String,
    title: String,
    party: String,
    new: bool,
    add: bool,
    how: String,
    cite: Option<Cite>,
}

struct ReviewStatement {
    s: usize,
    include: bool,
    speaker: String,
    party: String,
    quote: String,
    kind: String,
    confidential: bool,
    cite: Option<Cite>,
}

struct ReviewMeeting {
    j: usize,
    include: bool,
    /// Existing channels: (id, name); `channel` is the one chosen, or `new`.
    channel: String,
    channel_how: String,
    new_channel: String,
    kind: String,
    date: String,
    date_cite: Option<Cite>,
    time: String,
    place: String,
    place_cite: Option<Cite>,
    summary: String,
    outcome: String,
    people: Vec<ReviewPerson>,
    statements: Vec<ReviewStatement>,
    /// Roles and points read, each with its citation, for the mediator to use.
    notes: Vec<(String, Option<Cite>)>,
}

#[derive(Template)]
#[template(path = "ingest_review.html")]
struct ReviewPage {
    layout: Layout,
    action: String,
    back: String,
    text: String,
    reference_date: String,
    channels: Vec<(String, String)>,
    parties: Vec<(String, String)>,
    meetings: Vec<ReviewMeeting>,
    note: Option<String>,
    other_statements: Vec<(String, String, Option<Cite>)>,
    problem: Option<String>,
}

async fn case_name(state: &AppState, page: &Page, case_id: &str) -> ApiResult<String> {
    let (case, standing) = page.0.standing(&state.store, case_id).await?;
    standing.require_mediator()?;
    Ok(case.name)
}

fn today() -> String {
    when(accord_store::now_ms())[..10].to_string()
}

async fn paste_page(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
) -> Response {
    let name = match case_name(&state, &page, &case_id).await {
        Ok(name) => name,
        Err(error) => return error_page(&error),
    };
    render(
        StatusCode::OK,
        &PastePage {
            layout: Layout::new("Read a report into the record", &page).in_case(&case_id, &name),
            action: format!("{}/ingest", case_href(&case_id)),
            text: String::new(),
            reference_date: today(),
            problem: None,
        },
    )
}

/// The proposal for a report, from the API's handler.
async fn proposal(
    state: &AppState,
    page: &Page,
    case_id: &str,
    text: &str,
    reference_date: &str,
) -> ApiResult<Value> {
    crate::ingest::post_ingest(
        State(state.clone()),
        page.0.clone(),
        Path(case_id.to_string()),
        Body(IngestRequest {
            text: text.to_string(),
            reference_date: Some(reference_date.to_string()),
        }),
    )
    .await
    .map(|axum::Json(v)| v)
}

async fn read_report(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields: Fields = match form {
        Ok(Form(pairs)) => pairs.into_iter().collect(),
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let text = fields.get("text").cloned().unwrap_or_default();
    let reference_date = fields.get("reference_date").cloned().unwrap_or_default();
    let name = match case_name(&state, &page, &case_id).await {
        Ok(name) => name,
        Err(error) => return error_page(&error),
    };
    match proposal(&state, &page, &case_id, &text, &reference_date).await {
        Ok(found) => match review_page(
            &state,
            &page,
            &case_id,
            &name,
            &text,
            &reference_date,
            &found,
            None,
            None,
        )
        .await
        {
            Ok(review) => render(StatusCode::OK, &review),
            Err(error) => error_page(&error),
        },
        Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PastePage {
                layout: Layout::new("Read a report into the record", &page)
                    .in_case(&case_id, &name),
                action: format!("{}/ingest", case_href(&case_id)),
                text,
                reference_date,
                problem: Some(problem_words(&error)),
            },
        ),
        Err(error) => error_page(&error),
    }
}

fn problem_words(error: &ApiError) -> String {
    match error.field() {
        Some(field) => format!("{} (field {field})", prose(error.message())),
        None => prose(error.message()),
    }
}

fn cite(proposal: &Value, source: &Value) -> Option<Cite> {
    let n = usize::try_from(source.get("sentence")?.as_u64()?).ok()?;
    let text = proposal["sentences"].get(n)?["text"].as_str()?.to_string();
    Some(Cite { n: n + 1, text })
}

fn string(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// The review form, from the proposal; `fields` (a refused form) override what it says.
#[allow(clippy::too_many_arguments)]
async fn review_page(
    state: &AppState,
    page: &Page,
    case_id: &str,
    case_name: &str,
    text: &str,
    reference_date: &str,
    proposal: &Value,
    fields: Option<&Fields>,
    problem: Option<String>,
) -> ApiResult<ReviewPage> {
    let rows = CaseRows::load(&state.store, case_id).await?;
    let channels: Vec<(String, String)> = state
        .store
        .channels(case_id)
        .await?
        .into_iter()
        .map(|c| (c.channel_id, c.name))
        .collect();
    let parties: Vec<(String, String)> = rows
        .parties
        .iter()
        .map(|p| (p.party_id.clone(), p.name.clone()))
        .collect();
    let party_name = |id: &str| {
        parties
            .iter()
            .find(|(p, _)| p == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let get = |name: String, default: String| -> String {
        fields.map_or(default.clone(), |f| {
            f.get(&name).cloned().unwrap_or_default()
        })
    };
    let ticked =
        |name: String, default: bool| -> bool { fields.map_or(default, |f| f.contains_key(&name)) };
    let people = proposal["people"].as_array().cloned().unwrap_or_default();
    let empty = Vec::new();
    let mut meetings = Vec::new();
    for (j, m) in proposal["meetings"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        let key = |name: &str| format!("m{j}.{name}");
        let place = {
            let venue = string(&m["place"]["venue"]);
            let city = string(&m["place"]["city"]);
            match (venue.is_empty(), city.is_empty()) {
                (false, false) => format!("{venue}, {city}"),
                (false, true) => venue,
                (true, false) => city,
                (true, true) => String::new(),
            }
        };
        let city = string(&m["place"]["city"]);
        let channel_id = string(&m["channel"]["id"]);
        let channel_how = if channel_id.is_empty() {
            String::new()
        } else {
            format!("matched {}", string(&m["channel"]["how"]).replace('-', " "))
        };
        let mut notes = Vec::new();
        for role in m["roles"].as_array().unwrap_or(&empty) {
            notes.push((
                format!(
                    "{}: {}",
                    string(&role["role"]).replace('-', " "),
                    string(&role["who"])
                ),
                cite(proposal, &role["source"]),
            ));
        }
        let mut point_titles = Vec::new();
        for point in m["points"].as_array().unwrap_or(&empty) {
            point_titles.push(string(&point["title"]));
            notes.push((
                format!(
                    "point: {} ({})",
                    string(&point["title"]),
                    string(&point["how"]).replace('-', " ")
                ),
                cite(proposal, &point["source"]),
            ));
        }
        let first = m["sentences"]
            .as_array()
            .and_then(|s| s.first())
            .and_then(Value::as_u64)
            .and_then(|n| proposal["sentences"].get(usize::try_from(n).ok()?))
            .map(|s| string(&s["text"]))
            .unwrap_or_default();
        let mut summary = first;
        if !point_titles.is_empty() {
            summary.push_str("\nPoints mentioned: ");
            summary.push_str(&point_titles.join(", "));
            summary.push('.');
        }
        let attendees = m["people"].as_array().cloned().unwrap_or_default();
        let review_people = attendees
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let k = |name: &str| format!("m{j}.p{i}.{name}");
                let person = a["person"]
                    .as_u64()
                    .and_then(|p| people.get(usize::try_from(p).ok()?))
                    .cloned()
                    .unwrap_or(Value::Null);
                let party = string(&a["party"]);
                let new = a["new"].as_bool().unwrap_or(false);
                ReviewPerson {
                    i,
                    include: ticked(k("include"), !party.is_empty()),
                    name: get(k("name"), string(&a["name"])),
                    title: get(k("title"), string(&person["title"])),
                    party: get(k("party"), party),
                    new,
                    add: ticked(k("add"), false),
                    how: string(&person["how"]).replace('-', " "),
                    cite: cite(proposal, &a["source"]),
                }
            })
            .collect();
        let statements = m["statements"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .enumerate()
            .map(|(s, st)| {
                let k = |name: &str| format!("m{j}.s{s}.{name}");
                ReviewStatement {
                    s,
                    include: ticked(k("include"), true),
                    speaker: get(k("speaker"), string(&st["speaker_name"])),
                    party: get(k("party"), string(&st["party"])),
                    quote: get(k("quote"), string(&st["text"])),
                    kind: string(&st["kind"]),
                    confidential: ticked(k("confidential"), false),
                    cite: cite(proposal, &st["source"]),
                }
            })
            .collect();
        let default_channel = if channel_id.is_empty() {
            "new".to_string()
        } else {
            channel_id
        };
        let new_name = if city.is_empty() {
            "Reported talks".to_string()
        } else {
            format!("{city} talks")
        };
        meetings.push(ReviewMeeting {
            j,
            include: ticked(key("include"), true),
            channel: get(key("channel"), default_channel),
            channel_how,
            new_channel: get(key("new_channel"), new_name),
            kind: get(key("kind"), "reported".to_string()),
            date: get(key("date"), string(&m["date"]["date"])),
            date_cite: cite(proposal, &m["date"]["source"]),
            time: get(key("time"), string(&m["time"]["time"])),
            place: get(key("place"), place),
            place_cite: cite(proposal, &m["place"]["source"]),
            summary: get(key("summary"), summary),
            outcome: get(key("outcome"), String::new()),
            people: review_people,
            statements,
            notes,
        });
    }
    let other_statements = proposal["other_statements"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|st| {
            let party = string(&st["party"]);
            let speaker = if party.is_empty() {
                string(&st["speaker_name"])
            } else {
                format!("{} ({})", string(&st["speaker_name"]), party_name(&party))
            };
            (speaker, string(&st["text"]), cite(proposal, &st["source"]))
        })
        .collect();
    Ok(ReviewPage {
        layout: Layout::new("Review the record read from a report", page)
            .in_case(case_id, case_name),
        action: format!("{}/ingest/record", case_href(case_id)),
        back: format!("{}/ingest", case_href(case_id)),
        text: text.to_string(),
        reference_date: reference_date.to_string(),
        channels,
        parties,
        meetings,
        note: proposal["note"].as_str().map(str::to_string),
        other_statements,
        problem,
    })
}

/// The record the mediator confirmed, read from the review form.
fn record_request(fields: &Fields, meetings: usize) -> RecordRequest {
    let field = |name: String| fields.get(&name).map_or("", |v| v.trim()).to_string();
    let mut out = Vec::new();
    let mut delegates = Vec::new();
    for j in 0..meetings {
        if !fields.contains_key(&format!("m{j}.include")) {
            continue;
        }
        let key = |name: &str| format!("m{j}.{name}");
        let mut participants = Vec::new();
        let mut i = 0;
        while fields.contains_key(&format!("m{j}.p{i}.name")) {
            let k = |name: &str| format!("m{j}.p{i}.{name}");
            if fields.contains_key(&k("include")) {
                let person = Participant {
                    party: field(k("party")),
                    name: field(k("name")),
                    title: field(k("title")),
                };
                if fields.contains_key(&k("add")) {
                    delegates.push(NewDelegate {
                        party: person.party.clone(),
                        name: person.name.clone(),
                        title: person.title.clone(),
                    });
                }
                participants.push(person);
            }
            i += 1;
        }
        let mut statements = Vec::new();
        let mut s = 0;
        while fields.contains_key(&format!("m{j}.s{s}.quote")) {
            let k = |name: &str| format!("m{j}.s{s}.{name}");
            if fields.contains_key(&k("include")) {
                let party = field(k("party"));
                statements.push(NewStatement {
                    speaker: field(k("speaker")),
                    quote: fields.get(&k("quote")).cloned().unwrap_or_default(),
                    party: (!party.is_empty()).then_some(party),
                    date: None,
                    time: None,
                    confidential: fields.contains_key(&k("confidential")),
                });
            }
            s += 1;
        }
        let channel = field(key("channel"));
        let (channel, new_channel) = if channel == "new" || channel.is_empty() {
            let mut parties: Vec<String> = Vec::new();
            for p in &participants {
                if !p.party.is_empty() && !parties.contains(&p.party) {
                    parties.push(p.party.clone());
                }
            }
            let kind = if field(key("kind")) == "mediated" {
                ChannelKind::Mediated
            } else {
                ChannelKind::Reported
            };
            (
                None,
                Some(NewChannel {
                    name: field(key("new_channel")),
                    description: Some("Recorded from a report.".to_string()),
                    parties,
                    kind: Some(kind),
                }),
            )
        } else {
            (Some(channel), None)
        };
        let time = field(key("time"));
        out.push(RecordMeeting {
            channel,
            new_channel,
            date: field(key("date")),
            time: (!time.is_empty()).then_some(time),
            place: field(key("place")),
            summary: fields.get(&key("summary")).cloned().unwrap_or_default(),
            outcome: fields.get(&key("outcome")).cloned().unwrap_or_default(),
            participants,
            tabled: Vec::new(),
            statements,
        });
    }
    RecordRequest {
        meetings: out,
        delegates,
    }
}

async fn record(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields: Fields = match form {
        Ok(Form(pairs)) => pairs.into_iter().collect(),
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let name = match case_name(&state, &page, &case_id).await {
        Ok(name) => name,
        Err(error) => return error_page(&error),
    };
    let text = fields.get("text").cloned().unwrap_or_default();
    let reference_date = fields.get("reference_date").cloned().unwrap_or_default();
    let meetings = (0..crate::ingest::MEETINGS_MAX * 2)
        .take_while(|j| fields.contains_key(&format!("m{j}.date")))
        .count();
    let request = record_request(&fields, meetings);
    let refused = if request.meetings.is_empty() {
        ApiError::invalid("meetings", "tick at least one meeting to record")
    } else {
        match crate::ingest::post_record(
            State(state.clone()),
            page.0.clone(),
            Path(case_id.clone()),
            Body(request),
        )
        .await
        {
            Ok((_, axum::Json(recorded))) => {
                let target = recorded.meetings.first().map_or_else(
                    || format!("{}/channels", case_href(&case_id)),
                    |m| {
                        format!(
                            "{}/meetings/{}",
                            case_href(&case_id),
                            segment(&m.meeting.id)
                        )
                    },
                );
                return see_other(&target);
            }
            Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => error,
            Err(error) => return error_page(&error),
        }
    };
    // Show the form again as it was sent, with what is wrong; nothing was recorded.
    let found = match proposal(&state, &page, &case_id, &text, &reference_date).await {
        Ok(found) => found,
        Err(error) => return error_page(&error),
    };
    match review_page(
        &state,
        &page,
        &case_id,
        &name,
        &text,
        &reference_date,
        &found,
        Some(&fields),
        Some(format!("Nothing was recorded: {}", problem_words(&refused))),
    )
    .await
    {
        Ok(review) => render(StatusCode::UNPROCESSABLE_ENTITY, &review),
        Err(error) => error_page(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_into_a_record_request() {
        let mut fields = Fields::new();
        for (k, v) in [
            ("m0.include", "on"),
            ("m0.channel", "new"),
            ("m0.new_channel", "Geneva talks"),
            ("m0.kind", "reported"),
            ("m0.date", "2025-11-23"),
            ("m0.time", ""),
            ("m0.place", "Geneva"),
            ("m0.summary", "Met."),
            ("m0.outcome", ""),
            ("m0.p0.include", "on"),
            ("m0.p0.name", "Rustem Umerov"),
            ("m0.p0.title", "secretary"),
            ("m0.p0.party", "ukraine"),
            ("m0.p0.add", "on"),
            ("m0.p1.name", "Dmitry Peskov"),
            ("m0.p1.party", "russia"),
            ("m0.s0.include", "on"),
            ("m0.s0.speaker", "Rustem Umerov"),
            ("m0.s0.party", "ukraine"),
            ("m0.s0.quote", "We made progress."),
            ("m0.s1.speaker", "Dmitry Peskov"),
            ("m0.s1.quote", "Not seen."),
            ("m1.date", "2025-11-24"),
        ] {
            fields.insert(k.to_string(), v.to_string());
        }
        let request = record_request(&fields, 2);
        assert_eq!(
            request.meetings.len(),
            1,
            "the second meeting is not ticked"
        );
        let m = &request.meetings[0];
        assert_eq!(m.participants.len(), 1);
        assert_eq!(m.statements.len(), 1);
        assert_eq!(m.statements[0].party.as_deref(), Some("ukraine"));
        let channel = m.new_channel.as_ref().expect("a new channel");
        assert_eq!(channel.parties, vec!["ukraine".to_string()]);
        assert_eq!(m.time, None);
        assert_eq!(request.delegates.len(), 1);
        assert_eq!(request.delegates[0].name, "Rustem Umerov");
    }
}
