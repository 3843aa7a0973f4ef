//! Pages: the record of every channel (the mediator's) and the timeline of the whole
//! process (everyone's, as far as each may read).
//!
//! - `GET /cases/{case}/channels`: every channel and meeting of the case, with a form for
//!   a new channel; `POST` creates one.
//! - `GET /cases/{case}/channels/{channel}`: one channel's form (name, description, the
//!   parties taking part, and whether it is the mediator's own channel or talks it only
//!   hears of) and its meetings; `POST` saves it.
//! - `GET /cases/{case}/meetings/new?channel=ID`, `POST /cases/{case}/meetings`: logs a
//!   meeting: channel, date and time, place, the delegates present (each party's
//!   delegates with their titles, and anyone else by name), the drafts discussed, the
//!   summary and the outcome.
//! - `GET /cases/{case}/meetings/{meeting}`: the meeting with its statements, each with
//!   its form, a form for a new statement (who said it, for which party, when, and
//!   whether it is public or confidential to the mediator), and the meeting's own form;
//!   `POST` saves the meeting, `POST .../publish` publishes it to observers,
//!   `POST .../statements` adds a statement, `POST .../statements/{statement}` saves one
//!   and `POST .../statements/{statement}/remove` (with its box ticked) removes it.
//! - `GET /cases/{case}/timeline?channel=&party=&point=`: the meetings and statements the
//!   viewer may read, by day, filtered as `crate::timeline` documents.
//!
//! Every form calls the function the API calls (`meetings::create_channel`,
//! `meetings::update_meeting`, ...), so it is checked and audited exactly as through the
//! API. A form the API refuses comes back with a notice naming the field (and a link to
//! the input at fault) and the API's 4xx status; anyone but the mediator gets the 403 page
//! on every page here but the timeline.

use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use accord_store::{CaseRow, PartyRow};

use super::{Layout, Page, case_href, error_page, form_error, render, see_other, segment, when};
use crate::AppState;
use crate::cases::DelegateView;
use crate::drafts::{self, DraftSummary};
use crate::error::{ApiError, ApiResult};
use crate::meetings::{
    self, ChannelChange, ChannelKind, ChannelView, MeetingChange, MeetingDetail, MeetingView,
    NewChannel, NewMeeting, NewStatement, Participant, StatementChange, StatementView,
};
use crate::model::parse_json;
use crate::timeline::{self, EntryKind, TimelineEntry, TimelineQuery};

/// The record pages and the timeline.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{case}/channels",
            get(channels_page).post(create_channel),
        )
        .route(
            "/cases/{case}/channels/{channel}",
            get(channel_page).post(save_channel),
        )
        .route("/cases/{case}/meetings", post(create_meeting))
        .route("/cases/{case}/meetings/new", get(new_meeting_page))
        .route(
            "/cases/{case}/meetings/{meeting}",
            get(meeting_page).post(save_meeting),
        )
        .route(
            "/cases/{case}/meetings/{meeting}/publish",
            post(publish_meeting),
        )
        .route(
            "/cases/{case}/meetings/{meeting}/statements",
            post(create_statement),
        )
        .route(
            "/cases/{case}/meetings/{meeting}/statements/{statement}",
            post(save_statement),
        )
        .route(
            "/cases/{case}/meetings/{meeting}/statements/{statement}/remove",
            post(remove_statement),
        )
        .route("/cases/{case}/timeline", get(timeline_page))
}

/// How many blank rows the meeting form offers for people not on a delegation's list.
const BLANK_OTHERS: usize = 2;

// ---------------------------------------------------------------------------------------
// Addresses and small helpers.

fn channels_href(case_id: &str) -> String {
    format!("{}/channels", case_href(case_id))
}

fn channel_href(case_id: &str, channel_id: &str) -> String {
    format!("{}/channels/{}", case_href(case_id), segment(channel_id))
}

fn meeting_href(case_id: &str, meeting_id: &str) -> String {
    format!("{}/meetings/{}", case_href(case_id), segment(meeting_id))
}

fn timeline_href(case_id: &str) -> String {
    format!("{}/timeline", case_href(case_id))
}

/// A channel's kind in words.
fn kind_words(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Mediated => "The mediator's own channel",
        ChannelKind::Reported => "Reported: talks the mediator hears of",
    }
}

/// The fields of a posted form, in order; a field may come several times (checkboxes).
type Pairs = Vec<(String, String)>;

/// The first value of `name`, or empty.
fn value<'p>(pairs: &'p Pairs, name: &str) -> &'p str {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Every value of `name`, in order.
fn values<'p>(pairs: &'p Pairs, name: &str) -> Vec<&'p str> {
    pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The form's fields, or the error of a form that did not read (400).
fn pairs_of(form: Result<Form<Pairs>, FormRejection>) -> ApiResult<Pairs> {
    form.map(|Form(pairs)| pairs)
        .map_err(|rejection| form_error(&rejection))
}

fn party_name(parties: &[PartyRow], id: &str) -> String {
    parties
        .iter()
        .find(|p| p.party_id == id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

fn names(parties: &[PartyRow], ids: &[String]) -> String {
    if ids.is_empty() {
        return "none".to_string();
    }
    ids.iter()
        .map(|id| party_name(parties, id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A participant as the pages show them: "Name, title (Party)".
fn participant_words(parties: &[PartyRow], participant: &Participant) -> String {
    let party = party_name(parties, &participant.party);
    if participant.title.is_empty() {
        format!("{} ({party})", participant.name)
    } else {
        format!("{}, {} ({party})", participant.name, participant.title)
    }
}

/// The case and its parties, for the mediator only (403 page for anyone else, 404 for a
/// case the viewer may not know of).
async fn mediator_case(
    state: &AppState,
    page: &Page,
    case_id: &str,
) -> ApiResult<(CaseRow, Vec<PartyRow>)> {
    let (case, standing) = page.0.standing(&state.store, case_id).await?;
    standing.require_mediator()?;
    let parties = state.store.parties(case_id).await?;
    Ok((case, parties))
}

/// Every draft version, for the mediator's forms.
async fn draft_list(state: &AppState, page: &Page, case_id: &str) -> ApiResult<Vec<DraftSummary>> {
    let axum::Json(list) = drafts::list_drafts(
        State(state.clone()),
        page.0.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    Ok(list)
}

async fn meeting_list(state: &AppState, page: &Page, case_id: &str) -> ApiResult<Vec<MeetingView>> {
    let axum::Json(list) = meetings::list_meetings(
        State(state.clone()),
        page.0.clone(),
        Path(case_id.to_string()),
    )
    .await?;
    Ok(list)
}

// ---------------------------------------------------------------------------------------
// Notices and refusals.

/// What a form did, for the notice of the page it leads to (`?done=`).
#[derive(Debug, Default, Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// The notice of `?done=WHAT`.
fn done_notice(query: Result<Query<DoneQuery>, QueryRejection>) -> Option<String> {
    let Ok(Query(DoneQuery { done: Some(done) })) = query else {
        return None;
    };
    let text = match done.as_str() {
        "channel-created" => "The channel is created.",
        "channel-saved" => "The channel is saved.",
        "meeting-created" => "The meeting is logged.",
        "meeting-saved" => "The meeting is saved.",
        "published" => "The meeting is published: observers read it, and its public statements.",
        "statement-added" => "The statement is added.",
        "statement-saved" => "The statement is saved.",
        "statement-removed" => "The statement is removed from the record.",
        _ => return None,
    };
    Some(text.to_string())
}

/// A field of a form: its name in the API, its label, and the id of its input.
struct FieldInput {
    field: String,
    label: String,
    input: String,
}

fn field_input(
    field: impl Into<String>,
    label: impl Into<String>,
    input: impl Into<String>,
) -> FieldInput {
    FieldInput {
        field: field.into(),
        label: label.into(),
        input: input.into(),
    }
}

/// A refusal shown above the form it answers: the field at fault with its label, and the
/// message.
struct Refusal {
    /// Which form of the page it answers.
    form: String,
    /// The field's label (empty when the refusal names no field of the form).
    label: String,
    /// The field as the API names it.
    field: String,
    /// The id of the input at fault (empty for none).
    input: String,
    message: String,
}

impl Refusal {
    fn new(form: impl Into<String>, error: &ApiError, fields: &[FieldInput]) -> Self {
        let field = error.field().unwrap_or_default();
        let found = fields.iter().find(|f| f.field == field);
        Self {
            form: form.into(),
            label: found.map_or_else(String::new, |f| f.label.clone()),
            field: field.to_string(),
            input: found.map_or_else(String::new, |f| f.input.clone()),
            message: super::prose(error.message()),
        }
    }
}

/// Whether an error answers what a form holds (shown on the form), rather than who sent
/// it or the server (shown as an error page).
fn is_refusal(error: &ApiError) -> bool {
    matches!(
        error.status(),
        StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
    )
}

// ---------------------------------------------------------------------------------------
// The channel form.

/// A checkbox of a party.
struct PartyBox {
    id: String,
    name: String,
    input: String,
    checked: bool,
}

/// The channel form, new or filled.
struct ChannelForm {
    action: String,
    button: String,
    name: String,
    description: String,
    parties: Vec<PartyBox>,
    reported: bool,
    name_input: String,
    description_input: String,
    mediated_input: String,
    reported_input: String,
}

/// What a channel form holds.
#[derive(Debug, Clone, Default)]
struct ChannelFields {
    name: String,
    description: String,
    parties: Vec<String>,
    kind: String,
}

impl ChannelFields {
    fn of(channel: &ChannelView) -> Self {
        Self {
            name: channel.name.clone(),
            description: channel.description.clone(),
            parties: channel.parties.clone(),
            kind: channel.kind.as_str().to_string(),
        }
    }

    fn read(pairs: &Pairs) -> Self {
        Self {
            name: value(pairs, "name").to_string(),
            description: value(pairs, "description").to_string(),
            parties: values(pairs, "parties")
                .into_iter()
                .map(str::to_string)
                .collect(),
            kind: value(pairs, "kind").to_string(),
        }
    }

    /// The kind chosen (422 on `kind` for anything but the two).
    fn kind(&self) -> ApiResult<ChannelKind> {
        ChannelKind::parse(&self.kind).ok_or_else(|| {
            ApiError::invalid(
                "kind",
                "choose the mediator's own channel or a reported one",
            )
        })
    }

    fn form(
        &self,
        prefix: &'static str,
        action: String,
        button: String,
        parties: &[PartyRow],
    ) -> ChannelForm {
        ChannelForm {
            action,
            button,
            name: self.name.clone(),
            description: self.description.clone(),
            parties: parties
                .iter()
                .map(|p| PartyBox {
                    id: p.party_id.clone(),
                    name: p.name.clone(),
                    input: format!("{prefix}-party-{}", p.party_id),
                    checked: self.parties.contains(&p.party_id),
                })
                .collect(),
            reported: self.kind == ChannelKind::Reported.as_str(),
            name_input: format!("{prefix}-name"),
            description_input: format!("{prefix}-description"),
            mediated_input: format!("{prefix}-kind-mediated"),
            reported_input: format!("{prefix}-kind-reported"),
        }
    }

    /// The form's inputs by the API's field names.
    fn inputs(&self, prefix: &str) -> Vec<FieldInput> {
        let mut fields = vec![
            field_input("name", "Name", format!("{prefix}-name")),
            field_input(
                "description",
                "Description",
                format!("{prefix}-description"),
            ),
            field_input(
                "kind",
                "Who holds the talks",
                format!("{prefix}-kind-mediated"),
            ),
        ];
        for (i, party) in self.parties.iter().enumerate() {
            fields.push(field_input(
                format!("parties[{i}]"),
                "Parties taking part",
                format!("{prefix}-party-{party}"),
            ));
        }
        fields
    }
}

// ---------------------------------------------------------------------------------------
// The channels page.

struct ChannelItem {
    href: String,
    name: String,
    kind: &'static str,
    parties: String,
    description: String,
    meetings: usize,
}

struct MeetingItem {
    href: String,
    date: String,
    time: String,
    channel: String,
    place: String,
    published: Option<String>,
}

fn meeting_item(case_id: &str, meeting: &MeetingView) -> MeetingItem {
    MeetingItem {
        href: meeting_href(case_id, &meeting.id),
        date: meeting.date.clone(),
        time: meeting.time.clone().unwrap_or_default(),
        channel: meeting.channel_name.clone(),
        place: meeting.place.clone(),
        published: meeting.published_ms.map(when),
    }
}

fn channel_item(
    case_id: &str,
    channel: &ChannelView,
    parties: &[PartyRow],
    meetings: &[MeetingView],
) -> ChannelItem {
    ChannelItem {
        href: channel_href(case_id, &channel.id),
        name: channel.name.clone(),
        kind: kind_words(channel.kind),
        parties: names(parties, &channel.parties),
        description: channel.description.clone(),
        meetings: meetings.iter().filter(|m| m.channel == channel.id).count(),
    }
}

#[derive(Template)]
#[template(path = "record_channels.html")]
struct ChannelsPage {
    layout: Layout,
    case_url: String,
    timeline_url: String,
    new_meeting_url: String,
    channels: Vec<ChannelItem>,
    meetings: Vec<MeetingItem>,
    form: ChannelForm,
    refusal: Option<Refusal>,
    invalid: String,
}

/// `GET /cases/{case}/channels` (mediator only).
async fn channels_page(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let notice = done_notice(query);
    match channels_view(
        &state,
        &page,
        &case_id,
        &ChannelFields::default(),
        notice,
        None,
    )
    .await
    {
        Ok(view) => render(StatusCode::OK, &view),
        Err(error) => error_page(&error),
    }
}

async fn channels_view(
    state: &AppState,
    page: &Page,
    case_id: &str,
    fields: &ChannelFields,
    notice: Option<String>,
    refusal: Option<Refusal>,
) -> ApiResult<ChannelsPage> {
    let (case, parties) = mediator_case(state, page, case_id).await?;
    let channels = meetings::visible_channels(state, &page.0, case_id).await?;
    let list = meeting_list(state, page, case_id).await?;
    Ok(ChannelsPage {
        layout: Layout::new(format!("Channels and meetings · {}", case.name), page)
            .in_case(case_id, &case.name)
            .with_notice(notice),
        case_url: case_href(case_id),
        timeline_url: timeline_href(case_id),
        new_meeting_url: format!("{}/meetings/new", case_href(case_id)),
        channels: channels
            .iter()
            .map(|c| channel_item(case_id, c, &parties, &list))
            .collect(),
        meetings: list.iter().map(|m| meeting_item(case_id, m)).collect(),
        form: fields.form(
            "new",
            channels_href(case_id),
            "Create channel".into(),
            &parties,
        ),
        invalid: refusal
            .as_ref()
            .map_or_else(String::new, |r| r.input.clone()),
        refusal,
    })
}

/// `POST /cases/{case}/channels` (mediator only): creates the channel and goes to its
/// page.
async fn create_channel(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let pairs = match pairs_of(form) {
        Ok(pairs) => pairs,
        Err(error) => return error_page(&error),
    };
    let fields = ChannelFields::read(&pairs);
    let result = async {
        let request = NewChannel {
            name: fields.name.clone(),
            description: Some(fields.description.clone()),
            parties: fields.parties.clone(),
            kind: Some(fields.kind()?),
        };
        meetings::create_channel(&state, &page.0, &case_id, request).await
    }
    .await;
    match result {
        Ok(channel) => see_other(&format!(
            "{}?done=channel-created",
            channel_href(&case_id, &channel.id)
        )),
        Err(error) if is_refusal(&error) => {
            let refusal = Refusal::new("channel", &error, &fields.inputs("new"));
            match channels_view(&state, &page, &case_id, &fields, None, Some(refusal)).await {
                Ok(view) => render(error.status(), &view),
                Err(error) => error_page(&error),
            }
        }
        Err(error) => error_page(&error),
    }
}

// ---------------------------------------------------------------------------------------
// One channel.

#[derive(Template)]
#[template(path = "record_channel.html")]
struct ChannelPage {
    layout: Layout,
    channels_url: String,
    timeline_url: String,
    new_meeting_url: String,
    channel: ChannelItem,
    meetings: Vec<MeetingItem>,
    form: ChannelForm,
    refusal: Option<Refusal>,
    invalid: String,
}

/// `GET /cases/{case}/channels/{channel}` (mediator only).
async fn channel_page(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, channel_id)): Path<(String, String)>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let notice = done_notice(query);
    match channel_view(&state, &page, &case_id, &channel_id, None, notice, None).await {
        Ok(view) => render(StatusCode::OK, &view),
        Err(error) => error_page(&error),
    }
}

async fn channel_view(
    state: &AppState,
    page: &Page,
    case_id: &str,
    channel_id: &str,
    submitted: Option<&ChannelFields>,
    notice: Option<String>,
    refusal: Option<Refusal>,
) -> ApiResult<ChannelPage> {
    let (case, parties) = mediator_case(state, page, case_id).await?;
    let channels = meetings::visible_channels(state, &page.0, case_id).await?;
    let Some(channel) = channels.iter().find(|c| c.id == channel_id) else {
        return Err(ApiError::not_found(format!("channel `{channel_id}`")));
    };
    let list = meeting_list(state, page, case_id).await?;
    let fields = submitted
        .cloned()
        .unwrap_or_else(|| ChannelFields::of(channel));
    Ok(ChannelPage {
        layout: Layout::new(format!("Channel {} · {}", channel.name, case.name), page)
            .in_case(case_id, &case.name)
            .with_notice(notice),
        channels_url: channels_href(case_id),
        timeline_url: format!("{}?channel={}", timeline_href(case_id), segment(channel_id)),
        new_meeting_url: format!(
            "{}/meetings/new?channel={}",
            case_href(case_id),
            segment(channel_id)
        ),
        channel: channel_item(case_id, channel, &parties, &list),
        meetings: list
            .iter()
            .filter(|m| m.channel == channel.id)
            .map(|m| meeting_item(case_id, m))
            .collect(),
        form: fields.form(
            "edit",
            channel_href(case_id, channel_id),
            "Save channel".into(),
            &parties,
        ),
        invalid: refusal
            .as_ref()
            .map_or_else(String::new, |r| r.input.clone()),
        refusal,
    })
}

/// `POST /cases/{case}/channels/{channel}` (mediator only): saves the channel.
async fn save_channel(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, channel_id)): Path<(String, String)>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let pairs = match pairs_of(form) {
        Ok(pairs) => pairs,
        Err(error) => return error_page(&error),
    };
    let fields = ChannelFields::read(&pairs);
    let result = async {
        let change = ChannelChange {
            name: Some(fields.name.clone()),
            description: Some(fields.description.clone()),
            parties: Some(fields.parties.clone()),
            kind: Some(fields.kind()?),
        };
        meetings::update_channel(&state, &page.0, &case_id, &channel_id, change).await
    }
    .await;
    match result {
        Ok(_) => see_other(&format!(
            "{}?done=channel-saved",
            channel_href(&case_id, &channel_id)
        )),
        Err(error) if is_refusal(&error) => {
            let refusal = Refusal::new("channel", &error, &fields.inputs("edit"));
            let view = channel_view(
                &state,
                &page,
                &case_id,
                &channel_id,
                Some(&fields),
                None,
                Some(refusal),
            )
            .await;
            match view {
                Ok(view) => render(error.status(), &view),
                Err(error) => error_page(&error),
            }
        }
        Err(error) => error_page(&error),
    }
}

// ---------------------------------------------------------------------------------------
// The meeting form.

/// A choice of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A checkbox of a delegate on a party's list.
struct DelegateBox {
    input: String,
    /// `PARTY/NAME`.
    value: String,
    name: String,
    title: String,
    checked: bool,
}

/// A party's delegates.
struct DelegateGroup {
    party: String,
    boxes: Vec<DelegateBox>,
}

/// A row for someone not on a delegation's list.
struct OtherRow {
    k: usize,
    parties: Vec<Choice>,
    name: String,
    title: String,
    party_input: String,
    name_input: String,
    title_input: String,
}

/// A checkbox of a draft version.
struct DraftBox {
    version: i64,
    input: String,
    note: String,
    checked: bool,
}

/// The meeting form, new or filled.
struct MeetingForm {
    action: String,
    button: String,
    channels: Vec<Choice>,
    date: String,
    time: String,
    place: String,
    summary: String,
    outcome: String,
    groups: Vec<DelegateGroup>,
    others: Vec<OtherRow>,
    drafts: Vec<DraftBox>,
}

/// What a meeting form holds.
#[derive(Debug, Clone, Default)]
struct MeetingFields {
    channel: String,
    date: String,
    time: String,
    place: String,
    summary: String,
    outcome: String,
    participants: Vec<Participant>,
    tabled: Vec<i64>,
}

/// A party's delegates, from its stored list.
fn delegates(party: &PartyRow) -> ApiResult<Vec<DelegateView>> {
    parse_json("delegates", &party.delegates)
}

/// The id of a delegate's checkbox.
fn delegate_input(party_k: usize, delegate_k: usize) -> String {
    format!("present-{party_k}-{delegate_k}")
}

impl MeetingFields {
    fn of(meeting: &MeetingView) -> Self {
        Self {
            channel: meeting.channel.clone(),
            date: meeting.date.clone(),
            time: meeting.time.clone().unwrap_or_default(),
            place: meeting.place.clone(),
            summary: meeting.summary.clone(),
            outcome: meeting.outcome.clone(),
            participants: meeting.participants.clone(),
            tabled: meeting.tabled.clone(),
        }
    }

    /// Reads a posted meeting form, with the inputs of its fields as the API names them;
    /// a box or row that does not read is the error.
    fn read(pairs: &Pairs, parties: &[PartyRow]) -> (Self, Vec<FieldInput>, ApiResult<()>) {
        let mut fields = Self {
            channel: value(pairs, "channel").to_string(),
            date: value(pairs, "date").trim().to_string(),
            time: value(pairs, "time").trim().to_string(),
            place: value(pairs, "place").to_string(),
            summary: value(pairs, "summary").to_string(),
            outcome: value(pairs, "outcome").to_string(),
            ..Self::default()
        };
        let mut inputs = vec![
            field_input("channel", "Channel", "meeting-channel"),
            field_input("date", "Date", "meeting-date"),
            field_input("time", "Time", "meeting-time"),
            field_input("place", "Place", "meeting-place"),
            field_input("summary", "Summary", "meeting-summary"),
            field_input("outcome", "Outcome", "meeting-outcome"),
        ];
        let mut problem = Ok(());
        // The delegates ticked, in the order of the parties and their lists.
        let present = values(pairs, "present");
        for value in &present {
            let known = value.split_once('/').is_some_and(|(party, name)| {
                parties.iter().any(|p| {
                    p.party_id == party
                        && delegates(p).is_ok_and(|list| list.iter().any(|d| d.name == name))
                })
            });
            if !known && problem.is_ok() {
                problem = Err(ApiError::invalid(
                    "present",
                    format!("`{value}` is no delegate of a party of the case"),
                ));
            }
        }
        for (party_k, party) in parties.iter().enumerate() {
            for (delegate_k, delegate) in
                delegates(party).unwrap_or_default().into_iter().enumerate()
            {
                if present.contains(&format!("{}/{}", party.party_id, delegate.name).as_str()) {
                    let i = fields.participants.len();
                    let input = delegate_input(party_k, delegate_k);
                    let label = format!("Present: {}", delegate.name);
                    inputs.push(field_input(
                        format!("participants[{i}].party"),
                        label.clone(),
                        input.clone(),
                    ));
                    inputs.push(field_input(
                        format!("participants[{i}].name"),
                        label.clone(),
                        input.clone(),
                    ));
                    inputs.push(field_input(
                        format!("participants[{i}].title"),
                        label,
                        input,
                    ));
                    fields.participants.push(Participant {
                        party: party.party_id.clone(),
                        name: delegate.name,
                        title: delegate.title,
                    });
                }
            }
        }
        // Anyone else, row by row; a row without a name or a title is left out.
        let mut rows: Vec<usize> = pairs
            .iter()
            .filter_map(|(key, _)| {
                key.strip_prefix("other-name-")
                    .or_else(|| key.strip_prefix("other-title-"))?
                    .parse()
                    .ok()
            })
            .collect();
        rows.sort_unstable();
        rows.dedup();
        for k in rows {
            let name = value(pairs, &format!("other-name-{k}"));
            let title = value(pairs, &format!("other-title-{k}"));
            if name.trim().is_empty() && title.trim().is_empty() {
                continue;
            }
            let i = fields.participants.len();
            inputs.push(field_input(
                format!("participants[{i}].party"),
                format!("Party of person {k}"),
                format!("other-party-{k}"),
            ));
            inputs.push(field_input(
                format!("participants[{i}].name"),
                format!("Name of person {k}"),
                format!("other-name-{k}"),
            ));
            inputs.push(field_input(
                format!("participants[{i}].title"),
                format!("Title of person {k}"),
                format!("other-title-{k}"),
            ));
            fields.participants.push(Participant {
                party: value(pairs, &format!("other-party-{k}")).to_string(),
                name: name.trim().to_string(),
                title: title.trim().to_string(),
            });
        }
        for version in values(pairs, "tabled") {
            match version.parse::<i64>() {
                Ok(v) => {
                    inputs.push(field_input(
                        format!("tabled[{}]", fields.tabled.len()),
                        format!("Draft {v}"),
                        format!("tabled-{v}"),
                    ));
                    fields.tabled.push(v);
                }
                Err(_) if problem.is_ok() => {
                    problem = Err(ApiError::invalid(
                        "tabled",
                        format!("`{version}` is not a draft version"),
                    ));
                }
                Err(_) => {}
            }
        }
        inputs.push(field_input("tabled", "Drafts discussed", ""));
        inputs.push(field_input("present", "Delegates present", ""));
        inputs.push(field_input("participants", "Delegates present", ""));
        (fields, inputs, problem)
    }

    fn form(
        &self,
        action: String,
        button: &str,
        parties: &[PartyRow],
        channels: &[ChannelView],
        drafts: &[DraftSummary],
    ) -> ApiResult<MeetingForm> {
        let mut groups = Vec::new();
        let mut listed = Vec::new();
        for (party_k, party) in parties.iter().enumerate() {
            let boxes: Vec<DelegateBox> = delegates(party)?
                .into_iter()
                .enumerate()
                .map(|(delegate_k, d)| {
                    let present = self
                        .participants
                        .iter()
                        .position(|p| p.party == party.party_id && p.name == d.name);
                    if let Some(k) = present {
                        listed.push(k);
                    }
                    DelegateBox {
                        input: delegate_input(party_k, delegate_k),
                        value: format!("{}/{}", party.party_id, d.name),
                        name: d.name,
                        title: d.title,
                        checked: present.is_some(),
                    }
                })
                .collect();
            if !boxes.is_empty() {
                groups.push(DelegateGroup {
                    party: party.name.clone(),
                    boxes,
                });
            }
        }
        let party_choices = |selected: &str| {
            parties
                .iter()
                .map(|p| Choice {
                    value: p.party_id.clone(),
                    label: p.name.clone(),
                    selected: p.party_id == selected,
                })
                .collect::<Vec<_>>()
        };
        let others: Vec<OtherRow> = self
            .participants
            .iter()
            .enumerate()
            .filter(|(k, _)| !listed.contains(k))
            .map(|(_, p)| (p.party.as_str(), p.name.clone(), p.title.clone()))
            .chain(std::iter::repeat_n(
                ("", String::new(), String::new()),
                BLANK_OTHERS,
            ))
            .enumerate()
            .map(|(k, (party, name, title))| OtherRow {
                k: k + 1,
                parties: party_choices(party),
                name,
                title,
                party_input: format!("other-party-{}", k + 1),
                name_input: format!("other-name-{}", k + 1),
                title_input: format!("other-title-{}", k + 1),
            })
            .collect();
        Ok(MeetingForm {
            action,
            button: button.to_string(),
            channels: channels
                .iter()
                .map(|c| Choice {
                    value: c.id.clone(),
                    label: c.name.clone(),
                    selected: c.id == self.channel,
                })
                .collect(),
            date: self.date.clone(),
            time: self.time.clone(),
            place: self.place.clone(),
            summary: self.summary.clone(),
            outcome: self.outcome.clone(),
            groups,
            others,
            drafts: drafts
                .iter()
                .map(|d| DraftBox {
                    version: d.version,
                    input: format!("tabled-{}", d.version),
                    note: d.note.clone(),
                    checked: self.tabled.contains(&d.version),
                })
                .collect(),
        })
    }
}

#[derive(Template)]
#[template(path = "record_meeting_new.html")]
struct NewMeetingPage {
    layout: Layout,
    channels_url: String,
    form: MeetingForm,
    refusal: Option<Refusal>,
    invalid: String,
}

#[derive(Debug, Default, Deserialize)]
struct NewMeetingQuery {
    channel: Option<String>,
}

/// `GET /cases/{case}/meetings/new?channel=ID` (mediator only).
async fn new_meeting_page(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<NewMeetingQuery>, QueryRejection>,
) -> Response {
    let channel = query
        .ok()
        .and_then(|Query(q)| q.channel)
        .unwrap_or_default();
    let fields = MeetingFields {
        channel,
        ..MeetingFields::default()
    };
    match new_meeting_view(&state, &page, &case_id, &fields, None).await {
        Ok(view) => render(StatusCode::OK, &view),
        Err(error) => error_page(&error),
    }
}

async fn new_meeting_view(
    state: &AppState,
    page: &Page,
    case_id: &str,
    fields: &MeetingFields,
    refusal: Option<Refusal>,
) -> ApiResult<NewMeetingPage> {
    let (case, parties) = mediator_case(state, page, case_id).await?;
    let channels = meetings::visible_channels(state, &page.0, case_id).await?;
    let drafts = draft_list(state, page, case_id).await?;
    Ok(NewMeetingPage {
        layout: Layout::new(format!("Log a meeting · {}", case.name), page)
            .in_case(case_id, &case.name),
        channels_url: channels_href(case_id),
        form: fields.form(
            format!("{}/meetings", case_href(case_id)),
            "Log meeting",
            &parties,
            &channels,
            &drafts,
        )?,
        invalid: refusal
            .as_ref()
            .map_or_else(String::new, |r| r.input.clone()),
        refusal,
    })
}

/// `POST /cases/{case}/meetings` (mediator only): logs the meeting and goes to its page.
async fn create_meeting(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let pairs = match pairs_of(form) {
        Ok(pairs) => pairs,
        Err(error) => return error_page(&error),
    };
    let parties = match mediator_case(&state, &page, &case_id).await {
        Ok((_, parties)) => parties,
        Err(error) => return error_page(&error),
    };
    let (fields, inputs, read) = MeetingFields::read(&pairs, &parties);
    let result = async {
        read?;
        let request = NewMeeting {
            channel: fields.channel.clone(),
            date: fields.date.clone(),
            time: Some(fields.time.clone()),
            place: fields.place.clone(),
            summary: fields.summary.clone(),
            outcome: fields.outcome.clone(),
            participants: fields.participants.clone(),
            tabled: fields.tabled.clone(),
        };
        meetings::create_meeting(&state, &page.0, &case_id, request).await
    }
    .await;
    match result {
        Ok(meeting) => see_other(&format!(
            "{}?done=meeting-created",
            meeting_href(&case_id, &meeting.id)
        )),
        Err(error) if is_refusal(&error) => {
            let refusal = Refusal::new("meeting", &error, &inputs);
            match new_meeting_view(&state, &page, &case_id, &fields, Some(refusal)).await {
                Ok(view) => render(error.status(), &view),
                Err(error) => error_page(&error),
            }
        }
        Err(error) => error_page(&error),
    }
}

// ---------------------------------------------------------------------------------------
// The statement form.

/// A statement's form, new or filled.
struct StatementForm {
    prefix: String,
    speaker_input: String,
    party_input: String,
    date_input: String,
    time_input: String,
    quote_input: String,
    confidential_input: String,
    action: String,
    button: String,
    speaker: String,
    parties: Vec<Choice>,
    date: String,
    time: String,
    quote: String,
    confidential: bool,
}

/// What a statement form holds.
#[derive(Debug, Clone, Default)]
struct StatementFields {
    speaker: String,
    party: String,
    date: String,
    time: String,
    quote: String,
    visibility: String,
}

impl StatementFields {
    fn of(statement: &StatementView) -> Self {
        Self {
            speaker: statement.speaker.clone(),
            party: statement.party.clone().unwrap_or_default(),
            date: statement.date.clone(),
            time: statement.time.clone().unwrap_or_default(),
            quote: statement.quote.clone(),
            visibility: if statement.confidential {
                "confidential"
            } else {
                "public"
            }
            .to_string(),
        }
    }

    /// A new statement's form: on the meeting's day, confidential until the mediator
    /// says otherwise, so that nothing is shared by a slip.
    fn blank(date: &str) -> Self {
        Self {
            date: date.to_string(),
            visibility: "confidential".to_string(),
            ..Self::default()
        }
    }

    fn read(pairs: &Pairs) -> Self {
        Self {
            speaker: value(pairs, "speaker").to_string(),
            party: value(pairs, "party").to_string(),
            date: value(pairs, "date").trim().to_string(),
            time: value(pairs, "time").trim().to_string(),
            quote: value(pairs, "quote").to_string(),
            visibility: value(pairs, "visibility").to_string(),
        }
    }

    /// Whether it is confidential (422 on `confidential` for anything but the two
    /// choices).
    fn confidential(&self) -> ApiResult<bool> {
        match self.visibility.as_str() {
            "confidential" => Ok(true),
            "public" => Ok(false),
            _ => Err(ApiError::invalid(
                "confidential",
                "choose public or confidential to the mediator",
            )),
        }
    }

    fn inputs(prefix: &str) -> Vec<FieldInput> {
        vec![
            field_input("speaker", "Speaker", format!("{prefix}-speaker")),
            field_input("party", "Speaking for", format!("{prefix}-party")),
            field_input("date", "Date", format!("{prefix}-date")),
            field_input("time", "Time", format!("{prefix}-time")),
            field_input("quote", "What was said", format!("{prefix}-quote")),
            field_input(
                "confidential",
                "Who may read it",
                format!("{prefix}-confidential"),
            ),
            field_input("statement", "Statement", ""),
        ]
    }

    fn form(
        &self,
        prefix: String,
        action: String,
        button: String,
        parties: &[PartyRow],
    ) -> StatementForm {
        StatementForm {
            speaker_input: format!("{prefix}-speaker"),
            party_input: format!("{prefix}-party"),
            date_input: format!("{prefix}-date"),
            time_input: format!("{prefix}-time"),
            quote_input: format!("{prefix}-quote"),
            confidential_input: format!("{prefix}-confidential"),
            prefix,
            action,
            button,
            speaker: self.speaker.clone(),
            parties: parties
                .iter()
                .map(|p| Choice {
                    value: p.party_id.clone(),
                    label: p.name.clone(),
                    selected: p.party_id == self.party,
                })
                .collect(),
            date: self.date.clone(),
            time: self.time.clone(),
            quote: self.quote.clone(),
            confidential: self.visibility != "public",
        }
    }
}

// ---------------------------------------------------------------------------------------
// One meeting.

struct StatementItem {
    seq: i64,
    /// The names of its forms, for a refusal.
    edit_form: String,
    remove_form: String,
    speaker: String,
    party: String,
    when: String,
    quote: String,
    confidential: bool,
    form: StatementForm,
    remove_action: String,
    remove_input: String,
}

struct DraftLink {
    version: i64,
    href: String,
}

#[derive(Template)]
#[template(path = "record_meeting.html")]
struct MeetingPage {
    layout: Layout,
    heading: String,
    channels_url: String,
    timeline_url: String,
    channel_url: String,
    channel_name: String,
    kind: &'static str,
    channel_parties: String,
    date: String,
    time: String,
    place: String,
    participants: Vec<String>,
    tabled: Vec<DraftLink>,
    summary: String,
    outcome: String,
    published: Option<String>,
    publish_url: String,
    statements: Vec<StatementItem>,
    new_statement: StatementForm,
    speakers: Vec<String>,
    form: MeetingForm,
    refusal: Option<Refusal>,
    invalid: String,
}

/// A form of the meeting page that was refused, with what it held.
enum Submitted {
    Meeting(MeetingFields),
    NewStatement(StatementFields),
    Statement(i64, StatementFields),
}

/// `GET /cases/{case}/meetings/{meeting}` (mediator only).
async fn meeting_page(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, meeting_id)): Path<(String, String)>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Response {
    let notice = done_notice(query);
    match meeting_view(&state, &page, &case_id, &meeting_id, None, notice, None).await {
        Ok(view) => render(StatusCode::OK, &view),
        Err(error) => error_page(&error),
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one page: the meeting, its statements and their forms"
)]
async fn meeting_view(
    state: &AppState,
    page: &Page,
    case_id: &str,
    meeting_id: &str,
    submitted: Option<Submitted>,
    notice: Option<String>,
    refusal: Option<Refusal>,
) -> ApiResult<MeetingPage> {
    let (case, parties) = mediator_case(state, page, case_id).await?;
    let MeetingDetail {
        meeting,
        statements,
    } = meetings::meeting_detail(state, &page.0, case_id, meeting_id).await?;
    let channels = meetings::visible_channels(state, &page.0, case_id).await?;
    let drafts = draft_list(state, page, case_id).await?;
    let channel = channels.iter().find(|c| c.id == meeting.channel);
    let href = meeting_href(case_id, meeting_id);
    let (mut meeting_fields, mut new_fields, mut statement_fields) = (
        MeetingFields::of(&meeting),
        StatementFields::blank(&meeting.date),
        None,
    );
    match submitted {
        Some(Submitted::Meeting(fields)) => meeting_fields = fields,
        Some(Submitted::NewStatement(fields)) => new_fields = fields,
        Some(Submitted::Statement(seq, fields)) => statement_fields = Some((seq, fields)),
        None => {}
    }
    let mut speakers = Vec::new();
    for party in &parties {
        for delegate in delegates(party)? {
            if !speakers.contains(&delegate.name) {
                speakers.push(delegate.name);
            }
        }
    }
    let statements = statements
        .iter()
        .map(|s| {
            let prefix = format!("s{}", s.seq);
            let fields = match &statement_fields {
                Some((seq, fields)) if *seq == s.seq => fields.clone(),
                _ => StatementFields::of(s),
            };
            let action = format!("{href}/statements/{}", s.seq);
            StatementItem {
                seq: s.seq,
                edit_form: format!("statement-{}", s.seq),
                remove_form: format!("remove-{}", s.seq),
                speaker: s.speaker.clone(),
                party: s
                    .party
                    .as_deref()
                    .map(|p| party_name(&parties, p))
                    .unwrap_or_default(),
                when: match &s.time {
                    Some(time) => format!("{} {time}", s.date),
                    None => s.date.clone(),
                },
                quote: s.quote.clone(),
                confidential: s.confidential,
                form: fields.form(
                    prefix.clone(),
                    action.clone(),
                    format!("Save statement {}", s.seq),
                    &parties,
                ),
                remove_action: format!("{action}/remove"),
                remove_input: format!("{prefix}-remove"),
            }
        })
        .collect();
    let heading = format!("Meeting of {} in {}", meeting.date, meeting.channel_name);
    Ok(MeetingPage {
        layout: Layout::new(format!("{heading} · {}", case.name), page)
            .in_case(case_id, &case.name)
            .with_notice(notice),
        heading,
        channels_url: channels_href(case_id),
        timeline_url: timeline_href(case_id),
        channel_url: channel_href(case_id, &meeting.channel),
        channel_name: meeting.channel_name.clone(),
        kind: channel.map_or("", |c| kind_words(c.kind)),
        channel_parties: channel.map_or_else(String::new, |c| names(&parties, &c.parties)),
        date: meeting.date.clone(),
        time: meeting.time.clone().unwrap_or_default(),
        place: meeting.place.clone(),
        participants: meeting
            .participants
            .iter()
            .map(|p| participant_words(&parties, p))
            .collect(),
        tabled: meeting
            .tabled
            .iter()
            .map(|&version| DraftLink {
                version,
                href: format!("{}/drafts/{version}", case_href(case_id)),
            })
            .collect(),
        summary: meeting.summary.clone(),
        outcome: meeting.outcome.clone(),
        published: meeting.published_ms.map(when),
        publish_url: format!("{href}/publish"),
        statements,
        new_statement: new_fields.form(
            "new".into(),
            format!("{href}/statements"),
            "Add statement".into(),
            &parties,
        ),
        speakers,
        form: meeting_fields.form(href, "Save meeting", &parties, &channels, &drafts)?,
        invalid: refusal
            .as_ref()
            .map_or_else(String::new, |r| r.input.clone()),
        refusal,
    })
}

/// The answer to a form of the meeting page: 303 back to it with the notice of `done`,
/// or the page again with the refusal (the API's 4xx), or the error page.
async fn meeting_acted(
    state: &AppState,
    page: &Page,
    case_id: &str,
    meeting_id: &str,
    result: ApiResult<String>,
    submitted: Option<Submitted>,
    refusal: impl FnOnce(&ApiError) -> Refusal,
) -> Response {
    match result {
        Ok(done) => see_other(&format!(
            "{}?done={done}",
            meeting_href(case_id, meeting_id)
        )),
        Err(error) if is_refusal(&error) => {
            let refusal = refusal(&error);
            let view = meeting_view(
                state,
                page,
                case_id,
                meeting_id,
                submitted,
                None,
                Some(refusal),
            )
            .await;
            match view {
                Ok(view) => render(error.status(), &view),
                Err(error) => error_page(&error),
            }
        }
        Err(error) => error_page(&error),
    }
}

/// `POST /cases/{case}/meetings/{meeting}` (mediator only): saves the meeting.
async fn save_meeting(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, meeting_id)): Path<(String, String)>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let pairs = match pairs_of(form) {
        Ok(pairs) => pairs,
        Err(error) => return error_page(&error),
    };
    let parties = match mediator_case(&state, &page, &case_id).await {
        Ok((_, parties)) => parties,
        Err(error) => return error_page(&error),
    };
    let (fields, inputs, read) = MeetingFields::read(&pairs, &parties);
    let result = async {
        read?;
        let change = MeetingChange {
            channel: Some(fields.channel.clone()),
            date: Some(fields.date.clone()),
            time: Some(fields.time.clone()),
            place: Some(fields.place.clone()),
            summary: Some(fields.summary.clone()),
            outcome: Some(fields.outcome.clone()),
            participants: Some(fields.participants.clone()),
            tabled: Some(fields.tabled.clone()),
        };
        meetings::update_meeting(&state, &page.0, &case_id, &meeting_id, change).await
    }
    .await
    .map(|_| "meeting-saved".to_string());
    let refusal = |error: &ApiError| Refusal::new("meeting", error, &inputs);
    meeting_acted(
        &state,
        &page,
        &case_id,
        &meeting_id,
        result,
        Some(Submitted::Meeting(fields.clone())),
        refusal,
    )
    .await
}

/// `POST /cases/{case}/meetings/{meeting}/publish` (mediator only).
async fn publish_meeting(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, meeting_id)): Path<(String, String)>,
) -> Response {
    match meetings::publish(&state, &page.0, &case_id, &meeting_id).await {
        Ok(_) => see_other(&format!(
            "{}?done=published",
            meeting_href(&case_id, &meeting_id)
        )),
        Err(error) => error_page(&error),
    }
}

/// `POST /cases/{case}/meetings/{meeting}/statements` (mediator only): adds a statement.
async fn create_statement(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, meeting_id)): Path<(String, String)>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let pairs = match pairs_of(form) {
        Ok(pairs) => pairs,
        Err(error) => return error_page(&error),
    };
    let fields = StatementFields::read(&pairs);
    let result = async {
        let request = NewStatement {
            speaker: fields.speaker.clone(),
            quote: fields.quote.clone(),
            party: Some(fields.party.clone()),
            date: Some(fields.date.clone()),
            time: Some(fields.time.clone()),
            confidential: fields.confidential()?,
        };
        meetings::create_statement(&state, &page.0, &case_id, &meeting_id, request).await
    }
    .await
    .map(|s| format!("statement-added#statement-{}", s.seq));
    let refusal =
        |error: &ApiError| Refusal::new("statement-new", error, &StatementFields::inputs("new"));
    meeting_acted(
        &state,
        &page,
        &case_id,
        &meeting_id,
        result,
        Some(Submitted::NewStatement(fields.clone())),
        refusal,
    )
    .await
}

/// `POST /cases/{case}/meetings/{meeting}/statements/{statement}` (mediator only): saves
/// a statement.
async fn save_statement(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, meeting_id, seq)): Path<(String, String, String)>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let pairs = match pairs_of(form) {
        Ok(pairs) => pairs,
        Err(error) => return error_page(&error),
    };
    let number = match meetings::parse_seq(&seq) {
        Ok(number) => number,
        Err(error) => return error_page(&error),
    };
    let fields = StatementFields::read(&pairs);
    let result = async {
        let change = StatementChange {
            speaker: Some(fields.speaker.clone()),
            party: Some(fields.party.clone()),
            date: Some(fields.date.clone()),
            time: Some(fields.time.clone()),
            quote: Some(fields.quote.clone()),
            confidential: Some(fields.confidential()?),
        };
        meetings::update_statement(&state, &page.0, &case_id, &meeting_id, &seq, change).await
    }
    .await
    .map(|s| format!("statement-saved#statement-{}", s.seq));
    let prefix = format!("s{number}");
    let refusal = |error: &ApiError| {
        Refusal::new(
            format!("statement-{number}"),
            error,
            &StatementFields::inputs(&prefix),
        )
    };
    meeting_acted(
        &state,
        &page,
        &case_id,
        &meeting_id,
        result,
        Some(Submitted::Statement(number, fields.clone())),
        refusal,
    )
    .await
}

/// `POST /cases/{case}/meetings/{meeting}/statements/{statement}/remove` (mediator only,
/// with the box ticked): removes a statement from the record.
async fn remove_statement(
    State(state): State<AppState>,
    page: Page,
    Path((case_id, meeting_id, seq)): Path<(String, String, String)>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Response {
    let pairs = match pairs_of(form) {
        Ok(pairs) => pairs,
        Err(error) => return error_page(&error),
    };
    let number = match meetings::parse_seq(&seq) {
        Ok(number) => number,
        Err(error) => return error_page(&error),
    };
    let result = async {
        // Who may remove, and whether the statement exists, come before the box.
        let (_, standing) = page.0.standing(&state.store, &case_id).await?;
        standing.require_mediator()?;
        if value(&pairs, "confirm") != "yes" {
            return Err(ApiError::invalid(
                "confirm",
                "tick the box to confirm, then press the button again",
            ));
        }
        meetings::remove_statement(&state, &page.0, &case_id, &meeting_id, &seq).await
    }
    .await
    .map(|()| "statement-removed".to_string());
    let refusal = |error: &ApiError| {
        Refusal::new(
            format!("remove-{number}"),
            error,
            &[field_input(
                "confirm",
                "Confirmation",
                format!("s{number}-remove"),
            )],
        )
    };
    meeting_acted(&state, &page, &case_id, &meeting_id, result, None, refusal).await
}

// ---------------------------------------------------------------------------------------
// The timeline.

/// One entry of the timeline as the page shows it.
struct EntryItem {
    /// `meeting` or `statement`.
    kind: &'static str,
    /// The heading: "10:00 · Meeting in Istanbul track" or "Statement by ...".
    heading: String,
    channel: String,
    place: String,
    participants: Vec<String>,
    tabled: String,
    summary: String,
    outcome: String,
    published: bool,
    speaker: String,
    party: String,
    quote: String,
    confidential: bool,
    /// The meeting's page, for the mediator.
    meeting_url: Option<String>,
    /// "the meeting of DATE in CHANNEL", for a statement.
    meeting_words: String,
}

/// The entries of one day.
struct Day {
    date: String,
    entries: Vec<EntryItem>,
}

#[derive(Template)]
#[template(path = "record_timeline.html")]
struct TimelinePage {
    layout: Layout,
    case_url: String,
    timeline_url: String,
    /// The mediator's record pages, for the mediator.
    channels_url: Option<String>,
    /// What the viewer reads here, in words.
    scope: &'static str,
    channels: Vec<Choice>,
    parties: Vec<Choice>,
    points: Vec<Choice>,
    filtered: bool,
    days: Vec<Day>,
    n_entries: usize,
    refusal: Option<Refusal>,
    invalid: String,
}

fn choices(options: Vec<(String, String)>, selected: Option<&str>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: Some(value.as_str()) == selected,
            value,
            label,
        })
        .collect()
}

fn entry_item(
    case_id: &str,
    mediator: bool,
    parties: &[PartyRow],
    entry: TimelineEntry,
) -> EntryItem {
    let meeting = entry.meeting;
    let at = entry
        .time
        .as_deref()
        .map_or_else(String::new, |t| format!("{t} · "));
    let meeting_words = format!(
        "the meeting of {} in {}",
        meeting.date, meeting.channel_name
    );
    let mut item = EntryItem {
        kind: match entry.kind {
            EntryKind::Meeting => "meeting",
            EntryKind::Statement => "statement",
        },
        heading: String::new(),
        channel: meeting.channel_name.clone(),
        place: meeting.place.clone(),
        participants: Vec::new(),
        tabled: String::new(),
        summary: String::new(),
        outcome: String::new(),
        published: meeting.published_ms.is_some(),
        speaker: String::new(),
        party: String::new(),
        quote: String::new(),
        confidential: false,
        meeting_url: mediator.then(|| meeting_href(case_id, &meeting.id)),
        meeting_words,
    };
    match entry.statement {
        None => {
            item.heading = format!("{at}Meeting in {}", meeting.channel_name);
            item.participants = meeting
                .participants
                .iter()
                .map(|p| participant_words(parties, p))
                .collect();
            item.tabled = meeting
                .tabled
                .iter()
                .map(|v| format!("draft {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            item.summary = meeting.summary;
            item.outcome = meeting.outcome;
        }
        Some(statement) => {
            item.heading = format!("{at}Statement by {}", statement.speaker);
            item.speaker = statement.speaker;
            item.party = statement
                .party
                .as_deref()
                .map(|p| party_name(parties, p))
                .unwrap_or_default();
            item.quote = statement.quote;
            item.confidential = statement.confidential;
        }
    }
    item
}

/// `GET /cases/{case}/timeline?channel=&party=&point=`: everyone's, each reading what it
/// may.
async fn timeline_page(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<TimelineQuery>, QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => return error_page(&ApiError::bad_request(rejection.body_text())),
    };
    match timeline_view(&state, &page, &case_id, &query).await {
        Ok((status, view)) => render(status, &view),
        Err(error) => error_page(&error),
    }
}

async fn timeline_view(
    state: &AppState,
    page: &Page,
    case_id: &str,
    query: &TimelineQuery,
) -> ApiResult<(StatusCode, TimelinePage)> {
    let (case, standing) = page.0.standing(&state.store, case_id).await?;
    let parties = state.store.parties(case_id).await?;
    let found = timeline::choices(state, &page.0, case_id).await?;
    let (status, entries, refusal) = match timeline::timeline(state, &page.0, case_id, query).await
    {
        Ok(entries) => (StatusCode::OK, entries, None),
        Err(error) if is_refusal(&error) => {
            let inputs = [
                field_input("channel", "Channel", "filter-channel"),
                field_input("party", "Party", "filter-party"),
                field_input("point", "Point", "filter-point"),
            ];
            (
                error.status(),
                Vec::new(),
                Some(Refusal::new("filter", &error, &inputs)),
            )
        }
        Err(error) => return Err(error),
    };
    let mediator = standing.is_mediator();
    let n_entries = entries.len();
    let mut days: Vec<Day> = Vec::new();
    for entry in entries {
        let date = entry.date.clone();
        let item = entry_item(case_id, mediator, &parties, entry);
        match days.last_mut() {
            Some(day) if day.date == date => day.entries.push(item),
            _ => days.push(Day {
                date,
                entries: vec![item],
            }),
        }
    }
    let scope = match standing.party() {
        _ if mediator => {
            "Every meeting and statement of every channel, confidential statements included (marked so): only you read those."
        }
        Some(_) => {
            "The meetings of the channels your party takes part in, and the public statements made at them."
        }
        None => "The meetings the mediator has published, and their public statements.",
    };
    let view = TimelinePage {
        layout: Layout::new(format!("Timeline · {}", case.name), page).in_case(case_id, &case.name),
        case_url: case_href(case_id),
        timeline_url: timeline_href(case_id),
        channels_url: mediator.then(|| channels_href(case_id)),
        scope,
        channels: choices(
            found.channels.into_iter().map(|c| (c.id, c.name)).collect(),
            query.channel(),
        ),
        parties: choices(found.parties, query.party()),
        points: choices(
            found
                .points
                .into_iter()
                .map(|p| {
                    let label = if p.title == p.id {
                        p.id.clone()
                    } else {
                        format!("{} ({})", p.title, p.id)
                    };
                    (p.id, label)
                })
                .collect(),
            query.point(),
        ),
        filtered: query.channel().is_some() || query.party().is_some() || query.point().is_some(),
        days,
        n_entries,
        invalid: refusal
            .as_ref()
            .map_or_else(String::new, |r| r.input.clone()),
        refusal,
    };
    Ok((status, view))
}
