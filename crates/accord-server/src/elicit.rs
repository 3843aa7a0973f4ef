//! Routes: preference elicitation for a party (docs/elicitation.md). The party (or the
//! mediator on its behalf) answers questions a delegate can answer without typing a
//! weight; the answers in progress are kept, fitted on request, and turned into the
//! party's position only when it confirms.
//!
//! Confidential like the position: only the party's own members and the mediator reach
//! these routes. The audit log records that answers or the position changed, never what
//! they say.

use accord_core::elicit::{Answers, Fit, FitOptions, Inconsistency, fit, suggest};
use accord_core::{Case, PointIdx};
use accord_formats::analysis_json::package_map;
use accord_formats::answers::{answers_json, read_answers};
use accord_formats::case_file::{CaseFormat, position_json};
use accord_report::words::{describe_inconsistency, describe_red_line, point_name};
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Viewer;
use crate::cases::{PositionView, check_position};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::Body;
use crate::model::{CaseRows, parse_json};

/// Whole packages a party may rate in one set of answers.
pub(crate) const MAX_PACKAGES: usize = 100;
/// Packages one request may ask to have suggested.
pub(crate) const MAX_SUGGESTIONS: usize = 20;

/// A party's answers: those in progress and those behind its confirmed position.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ElicitationView {
    /// The party.
    pub(crate) party: String,
    /// The answers given so far, in the answers file's form (docs/elicitation.md).
    #[schema(value_type = Object)]
    pub(crate) answers: Value,
    /// The answers the party's position was last confirmed from, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub(crate) confirmed: Option<Value>,
    /// When the answers last changed (milliseconds).
    pub(crate) updated_ms: i64,
    /// When a position was last confirmed from them (milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) confirmed_ms: Option<i64>,
}

/// Answers to fit, and how loosely.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FitRequest {
    /// The answers, in the answers file's form; absent: the answers kept so far.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub(crate) answers: Option<Value>,
    /// How far (0-100) a package's rating may be from its fitted utility and still fit
    /// (default 5).
    #[serde(default)]
    pub(crate) package_tolerance: Option<f64>,
    /// How far (0-100) a swing may be from the ratio of the fitted weights (default 10).
    #[serde(default)]
    pub(crate) swing_tolerance: Option<f64>,
}

/// Which packages to rate next.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SuggestRequest {
    /// The answers, in the answers file's form; absent: the answers kept so far.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub(crate) answers: Option<Value>,
    /// How many packages (1 to 20; default 8).
    #[serde(default)]
    pub(crate) n: Option<usize>,
    /// The seed of the random candidates (default 0): the same answers and seed give the
    /// same packages.
    #[serde(default)]
    pub(crate) seed: Option<u64>,
}

/// Packages to rate next, the most informative first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct Suggestions {
    /// Each package as `{point: option id or number}`.
    #[schema(value_type = Vec<Object>)]
    pub(crate) packages: Vec<Map<String, Value>>,
}

/// One point's fitted weight and how sure it is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct WeightView {
    /// The point's id.
    pub(crate) point: String,
    /// Its title (or id).
    pub(crate) title: String,
    /// The fitted weight (the weights sum to 1).
    pub(crate) weight: f64,
    /// The lowest weight that still fits every answer within its tolerance.
    pub(crate) low: f64,
    /// The highest.
    pub(crate) high: f64,
    /// False for a point not rated, or whose values are all alike: weight 0.
    pub(crate) weighed: bool,
}

/// A rated package against the fitted position.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct RatedPackage {
    /// The package, `{point: option id or number}`.
    #[schema(value_type = Object)]
    pub(crate) package: Map<String, Value>,
    /// The rating given, 0-100.
    pub(crate) rating: f64,
    /// What the fitted position gives it, 0-100.
    pub(crate) fitted: f64,
}

/// A swing against the fitted weights.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct SwingView {
    /// The point's id.
    pub(crate) point: String,
    /// The swing given, 0-100 against the reference.
    pub(crate) given: f64,
    /// The ratio of the fitted weights, 0-100.
    pub(crate) fitted: f64,
}

/// Where the answers disagree with each other.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct InconsistencyView {
    /// `order` (two packages rated one way, fitted the other), `package` (a rating far
    /// from its fitted utility), `swing`, or `unacceptable` (a package rated above no
    /// agreement holding an option marked unacceptable).
    pub(crate) kind: String,
    /// In words, addressed to the party.
    pub(crate) message: String,
}

/// The position fitted to a party's answers, not saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct FitView {
    /// The party.
    pub(crate) party: String,
    /// The position as the case file spells it: what confirming saves.
    #[schema(value_type = Object)]
    pub(crate) position: Value,
    /// Every point's weight, in the case's order.
    pub(crate) weights: Vec<WeightView>,
    /// The utility of no agreement, from where the party placed it (0 when not placed).
    pub(crate) reservation_value: f64,
    /// Whether "no agreement" was placed among the packages.
    pub(crate) no_agreement_placed: bool,
    /// The red lines, in words: the options marked unacceptable.
    pub(crate) red_lines: Vec<String>,
    /// The rated packages, as rated and as fitted.
    pub(crate) packages: Vec<RatedPackage>,
    /// The swings given, as given and as fitted.
    pub(crate) swings: Vec<SwingView>,
    /// The point whose swing the others were measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) swing_reference: Option<String>,
    /// Kendall's tau-b between the package ratings and their fitted utilities (with two
    /// rated packages or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tau: Option<f64>,
    /// Where the answers disagree, the most telling first.
    pub(crate) inconsistencies: Vec<InconsistencyView>,
    /// The tolerances the ranges were computed with.
    pub(crate) package_tolerance: f64,
    /// The swing tolerance.
    pub(crate) swing_tolerance: f64,
}

/// The position saved from the answers, and the fit it came from.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct Confirmed {
    /// The position as saved.
    pub(crate) position: PositionView,
    /// The fit.
    pub(crate) fit: FitView,
}

/// The case's points, for reading answers: the case without any position.
pub(crate) fn points_case(rows: &CaseRows) -> ApiResult<Case> {
    rows.case_without_positions()
}

/// Reads answers sent as JSON against the case: 422 naming each problem's field under
/// `answers.`.
pub(crate) fn read_sent(case: &Case, value: &Value) -> ApiResult<Answers> {
    let text = value.to_string();
    let (answers, _) = read_answers("answers", &text, CaseFormat::Json, case).map_err(|e| {
        let mut error = e;
        for problem in &mut error.problems {
            problem.field = if problem.field.is_empty() {
                "answers".to_string()
            } else {
                format!("answers.{}", problem.field)
            };
            problem.line_col = None;
        }
        let field = error
            .problems
            .first()
            .map_or_else(|| "answers".to_string(), |p| p.field.clone());
        ApiError::from_format(&field, &error)
    })?;
    if answers.packages.len() > MAX_PACKAGES {
        return Err(ApiError::invalid(
            "answers.packages",
            format!(
                "{} packages rated: at most {MAX_PACKAGES} are fitted",
                answers.packages.len()
            ),
        ));
    }
    Ok(answers)
}

/// The answers a request is about: those sent, else those kept (404 when none).
async fn answers_of(
    state: &AppState,
    case: &Case,
    case_id: &str,
    party_id: &str,
    sent: Option<&Value>,
) -> ApiResult<Answers> {
    if let Some(value) = sent {
        return read_sent(case, value);
    }
    let Some(row) = state.store.elicitation(case_id, party_id).await? else {
        return Err(ApiError::not_found(format!(
            "answers of party `{party_id}` yet: send `answers`"
        )));
    };
    let value: Value = parse_json("answers", &row.draft)?;
    // Kept answers may name points since removed: read what still reads.
    read_sent(case, &value).map_err(|e| e.with_field("answers"))
}

/// Checks the caller may see the party's position and that the party exists; loads the
/// case's rows.
pub(crate) async fn party_rows(
    state: &AppState,
    viewer: &Viewer,
    case_id: &str,
    party_id: &str,
) -> ApiResult<CaseRows> {
    let (_, standing) = viewer.standing(&state.store, case_id).await?;
    // Authorisation before existence: a member learns nothing of other parties.
    standing.require_position(party_id)?;
    let rows = CaseRows::load(&state.store, case_id).await?;
    match rows.parties.iter().find(|p| p.party_id == party_id) {
        None => Err(ApiError::not_found(format!("party `{party_id}`"))),
        Some(p) if p.role != "party" => Err(ApiError::invalid(
            "party",
            format!("`{party_id}` is a {}: only a party has a position", p.role),
        )),
        Some(_) => Ok(rows),
    }
}

fn tolerances(request: &FitRequest) -> ApiResult<FitOptions> {
    let defaults = FitOptions::default();
    let mut options = defaults;
    for (name, given, slot) in [
        (
            "package_tolerance",
            request.package_tolerance,
            &mut options.package_tolerance,
        ),
        (
            "swing_tolerance",
            request.swing_tolerance,
            &mut options.swing_tolerance,
        ),
    ] {
        if let Some(value) = given {
            if !(value.is_finite() && (0.0..=100.0).contains(&value)) {
                return Err(ApiError::invalid(
                    name,
                    format!("`{value}` is not in 0..=100"),
                ));
            }
            *slot = value;
        }
    }
    Ok(options)
}

/// Fits off the request threads, within the viewer's share of heavy work and the
/// server's time ([`AppState::compute`]): 422 when the answers cannot be fitted yet.
async fn fitted(
    state: &AppState,
    viewer: &Viewer,
    case: Case,
    answers: Answers,
    options: FitOptions,
) -> ApiResult<(Case, Answers, Fit)> {
    let (case, answers, found) = state
        .compute(&viewer.account.id, "fitting the answers", move || {
            let found = fit(&case, &answers, &options);
            (case, answers, found)
        })
        .await?;
    match found {
        Ok(found) => Ok((case, answers, found)),
        Err(error) => Err(ApiError::invalid("answers", error.to_string())),
    }
}

fn inconsistency_kind(i: &Inconsistency) -> &'static str {
    match i {
        Inconsistency::Order { .. } => "order",
        Inconsistency::Package { .. } => "package",
        Inconsistency::Swing { .. } => "swing",
        Inconsistency::Unacceptable { .. } => "unacceptable",
        _ => "other",
    }
}

/// The fit as the API sends it.
pub(crate) fn fit_view(
    case: &Case,
    party: &str,
    answers: &Answers,
    found: &Fit,
    options: &FitOptions,
) -> FitView {
    let points = case.points();
    let weights = points
        .iter()
        .enumerate()
        .map(|(k, p)| WeightView {
            point: p.id.clone(),
            title: point_name(p).to_string(),
            weight: found.weights[k],
            low: found.ranges[k].0,
            high: found.ranges[k].1,
            weighed: !found.unweighed.contains(&PointIdx(k)),
        })
        .collect();
    FitView {
        party: party.to_string(),
        position: position_json(points, &found.position),
        weights,
        reservation_value: found.position.reservation_value,
        no_agreement_placed: answers.no_agreement.is_some(),
        red_lines: found
            .position
            .red_lines
            .iter()
            .map(|r| describe_red_line(case, r))
            .collect(),
        packages: found
            .packages
            .iter()
            .zip(&answers.packages)
            .map(|(r, (package, _))| RatedPackage {
                package: package_map(case, package),
                rating: r.given,
                fitted: r.fitted,
            })
            .collect(),
        swings: found
            .swings
            .iter()
            .enumerate()
            .filter_map(|(k, s)| {
                s.map(|r| SwingView {
                    point: points[k].id.clone(),
                    given: r.given,
                    fitted: r.fitted,
                })
            })
            .collect(),
        swing_reference: found.top.map(|p| points[p.0].id.clone()),
        tau: found.tau,
        inconsistencies: found
            .inconsistencies
            .iter()
            .map(|i| InconsistencyView {
                kind: inconsistency_kind(i).to_string(),
                message: describe_inconsistency(case, i),
            })
            .collect(),
        package_tolerance: options.package_tolerance,
        swing_tolerance: options.swing_tolerance,
    }
}

// ---------------------------------------------------------------------------------------
// Handlers.

/// A party's answers: its own members and the mediator only.
#[utoipa::path(get, path = "/api/cases/{case}/parties/{party}/elicitation", tag = "positions",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    responses(
        (status = 200, description = "the answers", body = ElicitationView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's answers, or an observer", body = ErrorBody),
        (status = 404, description = "no such case or party, or no answers yet", body = ErrorBody),
    ))]
pub(crate) async fn get_elicitation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<ElicitationView>> {
    party_rows(&state, &viewer, &case_id, &party_id).await?;
    let Some(row) = state.store.elicitation(&case_id, &party_id).await? else {
        return Err(ApiError::not_found(format!(
            "answers of party `{party_id}` yet"
        )));
    };
    Ok(axum::Json(ElicitationView {
        party: party_id,
        answers: parse_json("answers", &row.draft)?,
        confirmed: if row.confirmed.is_empty() {
            None
        } else {
            Some(parse_json("answers", &row.confirmed)?)
        },
        updated_ms: row.updated_ms,
        confirmed_ms: row.confirmed_ms,
    }))
}

/// Keeps a party's answers in progress (its position does not change): its own members
/// and the mediator only. The body is the answers file's form as JSON
/// (docs/elicitation.md); a problem names its field as `answers.options.wage.+2%`.
#[utoipa::path(put, path = "/api/cases/{case}/parties/{party}/elicitation", tag = "positions",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    request_body = Object,
    responses(
        (status = 200, description = "kept", body = ElicitationView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's answers, or an observer", body = ErrorBody),
        (status = 404, description = "no such case or party", body = ErrorBody),
        (status = 422, description = "the answers do not read: every problem with its field", body = ErrorBody),
    ))]
pub(crate) async fn put_elicitation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
    Body(body): Body<Map<String, Value>>,
) -> ApiResult<axum::Json<ElicitationView>> {
    let case_lock = state.lock_case(&case_id).await;
    let rows = party_rows(&state, &viewer, &case_id, &party_id).await?;
    let case = points_case(&rows)?;
    let answers = read_sent(&case, &Value::Object(body))?;
    // Kept as read back: ids and numbers as the case spells them.
    let text = answers_json(&case, &answers).to_string();
    let mut tx = state.store.begin().await?;
    tx.put_elicitation_draft(&case_id, &party_id, &text, &viewer.account.id)
        .await?;
    // Never the answers: the log tells only that they changed.
    tx.audit(&viewer.audit(
        Some(&case_id),
        "elicitation.update",
        format!("party/{party_id}"),
        &json!({ "party": party_id }),
    ))
    .await?;
    tx.commit().await?;
    drop(case_lock);
    get_elicitation(State(state), viewer, Path((case_id, party_id))).await
}

/// The position that fits a party's answers, with each weight's range and where the
/// answers disagree; nothing is saved. Its own members and the mediator only.
#[utoipa::path(post, path = "/api/cases/{case}/parties/{party}/elicitation/fit", tag = "positions",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    request_body = FitRequest,
    responses(
        (status = 200, description = "the fit", body = FitView),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's answers, or an observer", body = ErrorBody),
        (status = 404, description = "no such case or party, or no answers sent or kept", body = ErrorBody),
        (status = 422, description = "the answers do not read, or cannot be fitted yet, or the work is over the server's time for one request (`too_large`)", body = ErrorBody),
        (status = 429, description = "the account's share of heavy work is in use: `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "other work holds every core: `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub(crate) async fn post_fit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
    Body(request): Body<FitRequest>,
) -> ApiResult<axum::Json<FitView>> {
    let rows = party_rows(&state, &viewer, &case_id, &party_id).await?;
    let options = tolerances(&request)?;
    let case = points_case(&rows)?;
    let answers = answers_of(&state, &case, &case_id, &party_id, request.answers.as_ref()).await?;
    let (case, answers, found) = fitted(&state, &viewer, case, answers, options).await?;
    Ok(axum::Json(fit_view(
        &case, &party_id, &answers, &found, &options,
    )))
}

/// Up to `n` whole packages for the party to rate next: those whose utility its answers
/// so far pin down least. Its own members and the mediator only.
#[utoipa::path(post, path = "/api/cases/{case}/parties/{party}/elicitation/suggest", tag = "positions",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    request_body = SuggestRequest,
    responses(
        (status = 200, description = "the packages", body = Suggestions),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's answers, or an observer", body = ErrorBody),
        (status = 404, description = "no such case or party, or no answers sent or kept", body = ErrorBody),
        (status = 422, description = "the answers do not read, or rate nothing yet, or the work is over the server's time for one request (`too_large`)", body = ErrorBody),
        (status = 429, description = "the account's share of heavy work is in use: `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "other work holds every core: `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub(crate) async fn post_suggest(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
    Body(request): Body<SuggestRequest>,
) -> ApiResult<axum::Json<Suggestions>> {
    let rows = party_rows(&state, &viewer, &case_id, &party_id).await?;
    let n = request.n.unwrap_or(8);
    if !(1..=MAX_SUGGESTIONS).contains(&n) {
        return Err(ApiError::invalid(
            "n",
            format!("`{n}` is not in 1..={MAX_SUGGESTIONS}"),
        ));
    }
    let case = points_case(&rows)?;
    let answers = answers_of(&state, &case, &case_id, &party_id, request.answers.as_ref()).await?;
    let seed = request.seed.unwrap_or(0);
    let packages = state
        .compute(&viewer.account.id, "suggesting packages", move || {
            // With enough answers to fit, the suggestions follow the fitted weights' ranges.
            let found = fit(&case, &answers, &FitOptions::default()).ok();
            suggest(&case, &answers, found.as_ref(), n, seed)
                .map(|list| list.iter().map(|p| package_map(&case, p)).collect())
        })
        .await?
        .map_err(|error| ApiError::invalid("answers", error.to_string()))?;
    Ok(axum::Json(Suggestions { packages }))
}

/// Fits the answers and saves the result as the party's position, keeping the answers
/// with it: its own members and the mediator only. The audit log records that the
/// position changed (from elicitation), never its content.
#[utoipa::path(post, path = "/api/cases/{case}/parties/{party}/elicitation/confirm", tag = "positions",
    params(("case" = String, Path, description = "case id"),
           ("party" = String, Path, description = "party id")),
    request_body = FitRequest,
    responses(
        (status = 200, description = "the position saved, and its fit", body = Confirmed),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "another party's answers, or an observer", body = ErrorBody),
        (status = 404, description = "no such case or party, or no answers sent or kept", body = ErrorBody),
        (status = 422, description = "the answers do not read, or cannot be fitted, or the work is over the server's time for one request (`too_large`)", body = ErrorBody),
        (status = 429, description = "the account's share of heavy work is in use: `Retry-After` says when to try again", body = ErrorBody),
        (status = 503, description = "other work holds every core: `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub(crate) async fn post_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, party_id)): Path<(String, String)>,
    Body(request): Body<FitRequest>,
) -> ApiResult<axum::Json<Confirmed>> {
    let _case_lock = state.lock_case(&case_id).await;
    let rows = party_rows(&state, &viewer, &case_id, &party_id).await?;
    let options = tolerances(&request)?;
    let case = points_case(&rows)?;
    let answers = answers_of(&state, &case, &case_id, &party_id, request.answers.as_ref()).await?;
    let (case, answers, found) = fitted(&state, &viewer, case, answers, options).await?;
    let view = fit_view(&case, &party_id, &answers, &found, &options);
    let Value::Object(position) = view.position.clone() else {
        return Err(ApiError::internal("a position table is a table"));
    };
    check_position(&rows, &party_id, &position)?;
    let answers_text = answers_json(&case, &answers).to_string();
    let mut tx = state.store.begin().await?;
    tx.put_position(
        &case_id,
        &party_id,
        &Value::Object(position.clone()).to_string(),
        &viewer.account.id,
    )
    .await?;
    tx.confirm_elicitation(&case_id, &party_id, &answers_text, &viewer.account.id)
        .await?;
    // Never the position's content: the log tells only that it changed, and how.
    tx.audit(&viewer.audit(
        Some(&case_id),
        "position.update",
        format!("party/{party_id}"),
        &json!({ "party": party_id, "from": "elicitation" }),
    ))
    .await?;
    let updated_ms = tx.now_ms();
    tx.commit().await?;
    Ok(axum::Json(Confirmed {
        position: PositionView {
            party: party_id,
            position: Value::Object(position),
            updated_ms,
        },
        fit: view,
    }))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_elicitation, put_elicitation))
        .routes(routes!(post_fit))
        .routes(routes!(post_suggest))
        .routes(routes!(post_confirm))
}
