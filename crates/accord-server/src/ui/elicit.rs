//! The elicitation page: a party's position built step by step, without typing a weight
//! (docs/elicitation.md). Four steps, each a plain form that keeps the answers so far:
//!
//! 1. **Options**: rate each option 0-100, mark the unacceptable ones; a range gets a
//!    shape.
//! 2. **Swings**: how much moving each point from its worst to its best option is worth,
//!    the point that matters most at 100.
//! 3. **Packages**: whole packages accord picks as the most telling, rated 0-100, and
//!    "no agreement" placed among them.
//! 4. **Review**: the fitted weights and how sure each is, where the answers disagree, the
//!    red lines to confirm; saving makes it the party's position.
//!
//! The party's members use it for their own party, the mediator for any party (on its
//! behalf). Every read and write goes through the API's handlers, so the same access
//! checks hold.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value};

use accord_core::elicit::{Answers, RangeShape, ShapeKind};
use accord_core::{Case, OptionIdx, PointKind};
use accord_formats::answers::answers_json;
use accord_report::words::{number, option_name, point_name};

use super::party::ChoosePage;
use super::{
    Layout, Page, case_href, decimal, error_page, form_error, prose, render, see_other, segment,
};
use crate::AppState;
use crate::access::Standing;
use crate::elicit::{self, FitRequest, FitView, SuggestRequest};
use crate::error::{ApiError, ApiResult};
use crate::json::Body;

/// The elicitation pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{case}/elicit", get(step_page).post(save_step))
        .route("/cases/{case}/elicit/confirm", post(confirm))
}

/// The steps, in order: (query value, title).
const STEPS: [(&str, &str); 4] = [
    ("options", "Rate the options"),
    ("swings", "Weigh the points"),
    ("packages", "Rate whole packages"),
    ("review", "Review and save"),
];

/// Packages suggested at a time.
const SUGGESTED: usize = 6;

#[derive(Debug, Deserialize)]
struct ElicitQuery {
    party: Option<String>,
    step: Option<String>,
    /// On the packages step: ask for this many more packages.
    more: Option<usize>,
}

/// Everything a step needs: whose answers, the case's points and the answers so far.
struct Context {
    case_id: String,
    case_name: String,
    party: String,
    party_name: String,
    case: Case,
    answers: Answers,
    /// The kept answers no longer read against the case (points changed since).
    stale: Option<String>,
}

impl Context {
    fn href(&self, step: &str) -> String {
        format!(
            "{}/elicit?party={}&step={step}",
            case_href(&self.case_id),
            segment(&self.party)
        )
    }
}

/// Whose answers: the party named, else the member's own; the mediator without a party
/// chooses one.
enum Whose {
    Party(Box<Context>),
    Choose(ChoosePage),
}

async fn context(
    state: &AppState,
    page: &Page,
    case_id: &str,
    party: Option<&str>,
) -> ApiResult<Whose> {
    let viewer = page.0.clone();
    let (case_row, standing) = viewer.standing(&state.store, case_id).await?;
    let party = match (party, &standing) {
        (Some(party), _) => party.to_string(),
        (None, Standing::Member(own)) => own.clone(),
        (None, Standing::Mediator) => {
            let rows = crate::model::CaseRows::load(&state.store, case_id).await?;
            let parties = rows
                .parties
                .iter()
                .filter(|p| p.role == "party")
                .map(|p| {
                    let href = format!(
                        "{}/elicit?party={}",
                        case_href(case_id),
                        segment(&p.party_id)
                    );
                    (p.name.clone(), href)
                })
                .collect();
            return Ok(Whose::Choose(ChoosePage {
                layout: Layout::new("Choose a party", page).in_case(case_id, &case_row.name),
                parties,
            }));
        }
        (None, Standing::Observer) => {
            return Err(ApiError::forbidden(
                "a position is built only by its own party and the mediator",
            ));
        }
    };
    let rows = elicit::party_rows(state, &viewer, case_id, &party).await?;
    let party_name = rows
        .parties
        .iter()
        .find(|p| p.party_id == party)
        .map_or_else(|| party.clone(), |p| p.name.clone());
    let case = elicit::points_case(&rows)?;
    let (answers, stale) = match state.store.elicitation(case_id, &party).await? {
        None => (Answers::empty(&case), None),
        Some(row) => {
            let value: Value = crate::model::parse_json("answers", &row.draft)?;
            match elicit::read_sent(&case, &value) {
                Ok(answers) => (answers, None),
                Err(error) => (Answers::empty(&case), Some(prose(error.message()))),
            }
        }
    };
    Ok(Whose::Party(Box::new(Context {
        case_id: case_id.to_string(),
        case_name: case_row.name,
        party,
        party_name,
        case,
        answers,
        stale,
    })))
}

// ---------------------------------------------------------------------------------------
// What the templates show.

/// A step in the list of steps.
struct StepLink {
    title: String,
    href: String,
    current: bool,
}

fn step_links(context: &Context, current: &str) -> Vec<StepLink> {
    STEPS
        .iter()
        .map(|(step, title)| StepLink {
            title: (*title).to_string(),
            href: context.href(step),
            current: *step == current,
        })
        .collect()
}

/// One option on the options step.
struct OptionRow {
    /// Its index within the point.
    o: usize,
    label: String,
    rating: String,
    unacceptable: bool,
}

/// A point on the options step.
struct OptionsPoint {
    k: usize,
    title: String,
    /// Options to rate; empty for a range.
    options: Vec<OptionRow>,
    /// A range: its bounds in words, the shape chosen, the best value and the anchors.
    range: Option<RangeRow>,
}

struct RangeRow {
    bounds: String,
    shape: String,
    best: String,
    anchors: String,
}

#[derive(Template)]
#[template(path = "elicit_options.html")]
struct OptionsPage {
    layout: Layout,
    party_name: String,
    steps: Vec<StepLink>,
    action: String,
    points: Vec<OptionsPoint>,
    problems: Vec<String>,
}

/// A point on the swings step.
struct SwingRow {
    k: usize,
    title: String,
    worst: String,
    best: String,
    swing: u32,
}

#[derive(Template)]
#[template(path = "elicit_swings.html")]
struct SwingsPage {
    layout: Layout,
    party_name: String,
    steps: Vec<StepLink>,
    action: String,
    options_href: String,
    points: Vec<SwingRow>,
    problems: Vec<String>,
}

/// A package on the packages step: its JSON (kept in the form), its rating, whether it
/// is one rated before.
struct PackageColumn {
    i: usize,
    json: String,
    rating: u32,
    rated: bool,
}

#[derive(Template)]
#[template(path = "elicit_packages.html")]
struct PackagesPage {
    layout: Layout,
    party_name: String,
    steps: Vec<StepLink>,
    action: String,
    packages: Vec<PackageColumn>,
    /// Points not shown: not rated, so they weigh nothing.
    hidden: usize,
    /// Per point: its title and each package's value on it.
    rows: Vec<(String, Vec<String>)>,
    no_agreement: u32,
    problems: Vec<String>,
}

/// A weight on the review step.
struct WeightRow {
    title: String,
    weight: String,
    low: String,
    high: String,
    /// Bar geometry in percent of the widest weight range.
    left: String,
    width: String,
    at: String,
    sure: &'static str,
}

#[derive(Template)]
#[template(path = "elicit_review.html")]
struct ReviewPage {
    layout: Layout,
    party_name: String,
    steps: Vec<StepLink>,
    confirm_action: String,
    problems: Vec<String>,
    fit: Option<ReviewFit>,
    problem: Option<String>,
    packages_href: String,
}

struct ReviewFit {
    weights: Vec<WeightRow>,
    unweighed: Vec<String>,
    reservation_value: String,
    no_agreement_placed: bool,
    red_lines: Vec<String>,
    tau: Option<String>,
    packages: Vec<(usize, String, String)>,
    inconsistencies: Vec<String>,
    tolerance: String,
}

// ---------------------------------------------------------------------------------------
// Handlers.

async fn step_page(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<ElicitQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return error_page(&ApiError::bad_request("the query did not read"));
    };
    let context = match context(&state, &page, &case_id, query.party.as_deref()).await {
        Ok(Whose::Party(context)) => context,
        Ok(Whose::Choose(choose)) => return render(StatusCode::OK, &choose),
        Err(error) => return error_page(&error),
    };
    let step = query.step.as_deref().unwrap_or("options");
    let notice = context.stale.clone().map(|message| {
        format!("The answers kept no longer fit the case's points, so they start afresh: {message}")
    });
    match step {
        "options" => render(
            StatusCode::OK,
            &options_page(&page, &context, None, Vec::new(), notice),
        ),
        "swings" => render(
            StatusCode::OK,
            &swings_page(&page, &context, None, Vec::new(), notice),
        ),
        "packages" => packages_step(&state, &page, &context, query.more.unwrap_or(0), notice).await,
        "review" => review_step(&state, &page, &context, notice).await,
        other => error_page(&ApiError::invalid(
            "step",
            format!("no step `{other}`: options, swings, packages or review"),
        )),
    }
}

fn layout(page: &Page, context: &Context, title: &str, notice: Option<String>) -> Layout {
    Layout::new(format!("{title} · {}", context.party_name), page)
        .in_case(&context.case_id, &context.case_name)
        .with_notice(notice)
}

fn options_page(
    page: &Page,
    context: &Context,
    fields: Option<&Fields>,
    problems: Vec<String>,
    notice: Option<String>,
) -> OptionsPage {
    let answers = &context.answers;
    let points = context
        .case
        .points()
        .iter()
        .enumerate()
        .map(|(k, point)| {
            let field = |name: String| fields.and_then(|f| f.get(&name).cloned());
            match &point.kind {
                PointKind::Options(list) => OptionsPoint {
                    k,
                    title: point_name(point).to_string(),
                    options: (0..list.len())
                        .map(|o| OptionRow {
                            o,
                            label: option_name(point, OptionIdx(o)),
                            rating: field(format!("rating.{k}.{o}")).unwrap_or_else(|| {
                                answers.ratings[k]
                                    .as_ref()
                                    .map(|r| number(r[o]))
                                    .unwrap_or_default()
                            }),
                            unacceptable: fields.map_or_else(
                                || answers.unacceptable[k].contains(&OptionIdx(o)),
                                |f| f.contains_key(&format!("unacceptable.{k}.{o}")),
                            ),
                        })
                        .collect(),
                    range: None,
                },
                PointKind::Integer { min, max } => range_point(
                    k,
                    point_name(point),
                    &format!("{min} to {max}"),
                    answers,
                    fields,
                ),
                PointKind::Real { min, max } => range_point(
                    k,
                    point_name(point),
                    &format!("{} to {}", decimal(*min, 3), decimal(*max, 3)),
                    answers,
                    fields,
                ),
            }
        })
        .collect();
    OptionsPage {
        layout: layout(page, context, "Rate the options", notice),
        party_name: context.party_name.clone(),
        steps: step_links(context, "options"),
        action: context.href("options"),
        points,
        problems,
    }
}

fn range_point(
    k: usize,
    title: &str,
    bounds: &str,
    answers: &Answers,
    fields: Option<&Fields>,
) -> OptionsPoint {
    let stored = answers.shapes[k].as_ref();
    let (shape, best) = match stored.map(|s| s.kind) {
        None => (String::new(), String::new()),
        Some(ShapeKind::MoreIsBetter) => ("more".to_string(), String::new()),
        Some(ShapeKind::LessIsBetter) => ("less".to_string(), String::new()),
        Some(ShapeKind::Best(b)) => ("best".to_string(), decimal(b, 3)),
    };
    let anchors = stored.map_or_else(String::new, |s| {
        s.anchors
            .iter()
            .map(|(v, r)| format!("{}:{}", decimal(*v, 3), decimal(*r, 1)))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let field =
        |name: String, stored: String| fields.and_then(|f| f.get(&name).cloned()).unwrap_or(stored);
    OptionsPoint {
        k,
        title: title.to_string(),
        options: Vec::new(),
        range: Some(RangeRow {
            bounds: bounds.to_string(),
            shape: field(format!("shape.{k}"), shape),
            best: field(format!("best.{k}"), best),
            anchors: field(format!("anchors.{k}"), anchors),
        }),
    }
}

/// The points that carry a swing: rated with at least two different ratings, or ranges
/// with a shape.
fn swing_points(context: &Context) -> Vec<(usize, String, String)> {
    let answers = &context.answers;
    context
        .case
        .points()
        .iter()
        .enumerate()
        .filter_map(
            |(k, point)| match (&point.kind, &answers.ratings[k], &answers.shapes[k]) {
                (PointKind::Options(_), Some(ratings), _) => {
                    let (worst, best) = extremes(ratings)?;
                    Some((
                        k,
                        option_name(point, OptionIdx(worst)),
                        option_name(point, OptionIdx(best)),
                    ))
                }
                (PointKind::Integer { min, max }, _, Some(shape)) => {
                    let (worst, best) = range_extremes(shape, *min as f64, *max as f64);
                    Some((k, decimal(worst, 3), decimal(best, 3)))
                }
                (PointKind::Real { min, max }, _, Some(shape)) => {
                    let (worst, best) = range_extremes(shape, *min, *max);
                    Some((k, decimal(worst, 3), decimal(best, 3)))
                }
                _ => None,
            },
        )
        .collect()
}

/// The worst and best rated options, when they differ.
fn extremes(ratings: &[f64]) -> Option<(usize, usize)> {
    let worst = (0..ratings.len()).min_by(|&a, &b| ratings[a].total_cmp(&ratings[b]))?;
    let best = (0..ratings.len()).max_by(|&a, &b| ratings[a].total_cmp(&ratings[b]))?;
    (ratings[best] > ratings[worst]).then_some((worst, best))
}

/// A range's worst and best values by its shape.
fn range_extremes(shape: &RangeShape, min: f64, max: f64) -> (f64, f64) {
    if let (Some(lo), Some(hi)) = (
        shape.anchors.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        shape.anchors.iter().max_by(|a, b| a.1.total_cmp(&b.1)),
    ) {
        return (lo.0, hi.0);
    }
    match shape.kind {
        ShapeKind::MoreIsBetter => (min, max),
        ShapeKind::LessIsBetter => (max, min),
        ShapeKind::Best(b) => {
            let far = if b - min > max - b { min } else { max };
            (far, b)
        }
    }
}

fn swings_page(
    page: &Page,
    context: &Context,
    fields: Option<&Fields>,
    problems: Vec<String>,
    notice: Option<String>,
) -> SwingsPage {
    let points = swing_points(context)
        .into_iter()
        .map(|(k, worst, best)| {
            let given = fields
                .and_then(|f| f.get(&format!("swing.{k}")))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .or(context.answers.swings[k])
                .unwrap_or(50.0);
            SwingRow {
                k,
                title: point_name(&context.case.points()[k]).to_string(),
                worst,
                best,
                swing: given.round().clamp(0.0, 100.0) as u32,
            }
        })
        .collect();
    SwingsPage {
        layout: layout(page, context, "Weigh the points", notice),
        party_name: context.party_name.clone(),
        steps: step_links(context, "swings"),
        action: context.href("swings"),
        options_href: context.href("options"),
        points,
        problems,
    }
}

/// A package's value on a point, in words, with the party's own rating of it when it
/// rated the point's options.
fn value_words(case: &Case, answers: &Answers, package: &Map<String, Value>, k: usize) -> String {
    let point = &case.points()[k];
    match package.get(&point.id) {
        Some(Value::String(id)) => match point.option_idx(id) {
            Some(o) => {
                let words = option_name(point, o);
                match answers.ratings[k].as_ref().and_then(|r| r.get(o.0)) {
                    Some(r) => format!("{words} (you rated it {})", decimal(*r, 0)),
                    None => words,
                }
            }
            None => id.clone(),
        },
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

async fn packages_step(
    state: &AppState,
    page: &Page,
    context: &Context,
    more: usize,
    notice: Option<String>,
) -> Response {
    let answers = &context.answers;
    let mut packages: Vec<(Map<String, Value>, f64, bool)> = answers
        .packages
        .iter()
        .map(|(p, r)| {
            (
                accord_formats::analysis_json::package_map(&context.case, p),
                *r,
                true,
            )
        })
        .collect();
    let wanted = if packages.is_empty() { SUGGESTED } else { more };
    let mut problem = None;
    if wanted > 0 {
        let request = SuggestRequest {
            answers: Some(answers_json(&context.case, answers)),
            n: Some(wanted.min(elicit::MAX_SUGGESTIONS)),
            seed: Some(answers.packages.len() as u64),
        };
        match elicit::post_suggest(
            State(state.clone()),
            page.0.clone(),
            Path((context.case_id.clone(), context.party.clone())),
            Body(request),
        )
        .await
        {
            Ok(axum::Json(found)) => {
                packages.extend(found.packages.into_iter().map(|p| (p, 50.0, false)));
            }
            Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                problem = Some(prose(error.message()));
            }
            Err(error) => return error_page(&error),
        }
    }
    render(
        StatusCode::OK,
        &packages_page(
            page,
            context,
            &packages,
            problem.into_iter().collect(),
            notice,
        ),
    )
}

fn packages_page(
    page: &Page,
    context: &Context,
    packages: &[(Map<String, Value>, f64, bool)],
    problems: Vec<String>,
    notice: Option<String>,
) -> PackagesPage {
    let case = &context.case;
    // Only the points the party weighs: the others do not change its rating.
    let weighed = swing_points(context);
    let rows = weighed
        .iter()
        .map(|(k, _, _)| {
            let values = packages
                .iter()
                .map(|(p, _, _)| value_words(case, &context.answers, p, *k))
                .collect();
            (point_name(&case.points()[*k]).to_string(), values)
        })
        .collect();
    let hidden = case.points().len() - weighed.len();
    PackagesPage {
        layout: layout(page, context, "Rate whole packages", notice),
        party_name: context.party_name.clone(),
        steps: step_links(context, "packages"),
        action: context.href("packages"),
        packages: packages
            .iter()
            .enumerate()
            .map(|(i, (p, rating, rated))| PackageColumn {
                i,
                json: Value::Object(p.clone()).to_string(),
                rating: rating.round().clamp(0.0, 100.0) as u32,
                rated: *rated,
            })
            .collect(),
        rows,
        hidden,
        no_agreement: context
            .answers
            .no_agreement
            .unwrap_or(30.0)
            .round()
            .clamp(0.0, 100.0) as u32,
        problems,
    }
}

fn sureness(width: f64) -> &'static str {
    if width <= 0.05 {
        "sure"
    } else if width <= 0.15 {
        "fairly sure"
    } else {
        "unsure"
    }
}

fn review_fit(fit: &FitView) -> ReviewFit {
    let widest = fit
        .weights
        .iter()
        .map(|w| w.high)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let percent = |x: f64| decimal(100.0 * x / widest, 1);
    ReviewFit {
        weights: fit
            .weights
            .iter()
            .filter(|w| w.weighed)
            .map(|w| WeightRow {
                title: w.title.clone(),
                weight: decimal(w.weight, 3),
                low: decimal(w.low, 3),
                high: decimal(w.high, 3),
                left: percent(w.low),
                width: percent((w.high - w.low).max(0.0)),
                at: percent(w.weight),
                sure: sureness(w.high - w.low),
            })
            .collect(),
        unweighed: fit
            .weights
            .iter()
            .filter(|w| !w.weighed)
            .map(|w| w.title.clone())
            .collect(),
        reservation_value: decimal(fit.reservation_value, 3),
        no_agreement_placed: fit.no_agreement_placed,
        red_lines: fit.red_lines.iter().map(|r| prose(r)).collect(),
        tau: fit.tau.map(|t| decimal(t, 2)),
        packages: fit
            .packages
            .iter()
            .enumerate()
            .map(|(i, p)| (i + 1, decimal(p.rating, 0), decimal(p.fitted, 1)))
            .collect(),
        inconsistencies: fit
            .inconsistencies
            .iter()
            .map(|i| prose(&i.message))
            .collect(),
        tolerance: number(fit.package_tolerance),
    }
}

async fn review_step(
    state: &AppState,
    page: &Page,
    context: &Context,
    notice: Option<String>,
) -> Response {
    let request = FitRequest {
        answers: Some(answers_json(&context.case, &context.answers)),
        ..FitRequest::default()
    };
    let (fit, problem) = match elicit::post_fit(
        State(state.clone()),
        page.0.clone(),
        Path((context.case_id.clone(), context.party.clone())),
        Body(request),
    )
    .await
    {
        Ok(axum::Json(fit)) => (Some(review_fit(&fit)), None),
        Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            (None, Some(prose(error.message())))
        }
        Err(error) => return error_page(&error),
    };
    render(
        StatusCode::OK,
        &review_page(page, context, fit, problem, notice),
    )
}

fn review_page(
    page: &Page,
    context: &Context,
    fit: Option<ReviewFit>,
    problem: Option<String>,
    notice: Option<String>,
) -> ReviewPage {
    ReviewPage {
        layout: layout(page, context, "Review and save", notice),
        party_name: context.party_name.clone(),
        steps: step_links(context, "review"),
        confirm_action: format!(
            "{}/elicit/confirm?party={}",
            case_href(&context.case_id),
            segment(&context.party)
        ),
        problems: Vec::new(),
        fit,
        problem,
        packages_href: context.href("packages"),
    }
}

// ---------------------------------------------------------------------------------------
// Reading the forms.

type Fields = HashMap<String, String>;

fn parse(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The options step's answers: ratings, unacceptable options and range shapes.
fn read_options(case: &Case, fields: &Fields, answers: &mut Answers) -> Vec<String> {
    let mut problems = Vec::new();
    for (k, point) in case.points().iter().enumerate() {
        let name = point_name(point);
        match &point.kind {
            PointKind::Options(list) => {
                let given: Vec<Option<&str>> = (0..list.len())
                    .map(|o| {
                        fields
                            .get(&format!("rating.{k}.{o}"))
                            .map(|v| v.trim())
                            .filter(|v| !v.is_empty())
                    })
                    .collect();
                let mut ratings = Vec::new();
                for (o, text) in given.iter().enumerate() {
                    match text.map(|t| (t, parse(t))) {
                        None => {}
                        Some((_, Some(r))) if (0.0..=100.0).contains(&r) => ratings.push(r),
                        Some((t, _)) => problems.push(format!(
                            "{name}, {}: “{t}” is not a rating from 0 to 100",
                            option_name(point, OptionIdx(o))
                        )),
                    }
                }
                let rated = given.iter().filter(|g| g.is_some()).count();
                answers.ratings[k] = if rated == 0 {
                    None
                } else if rated < list.len() {
                    problems.push(format!(
                        "{name}: rate every option, or none (the point then weighs nothing)"
                    ));
                    None
                } else if ratings.len() == list.len() {
                    Some(ratings)
                } else {
                    None
                };
                answers.unacceptable[k] = (0..list.len())
                    .filter(|o| fields.contains_key(&format!("unacceptable.{k}.{o}")))
                    .map(OptionIdx)
                    .collect();
                if answers.unacceptable[k].len() == list.len() {
                    problems.push(format!(
                        "{name}: every option is marked unacceptable, so no agreement could settle it"
                    ));
                }
            }
            PointKind::Integer { .. } | PointKind::Real { .. } => {
                let shape = fields.get(&format!("shape.{k}")).map_or("", |s| s.trim());
                let best = fields.get(&format!("best.{k}")).map_or("", |s| s.trim());
                let anchors_text = fields.get(&format!("anchors.{k}")).map_or("", |s| s.trim());
                let mut anchors = Vec::new();
                for pair in anchors_text
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    match pair.split_once(':').map(|(v, r)| (parse(v), parse(r))) {
                        Some((Some(v), Some(r))) if (0.0..=100.0).contains(&r) => {
                            anchors.push((v, r));
                        }
                        _ => problems.push(format!(
                            "{name}: “{pair}” is not “value:rating” with a rating from 0 to 100"
                        )),
                    }
                }
                let kind = match shape {
                    "" => None,
                    "more" => Some(ShapeKind::MoreIsBetter),
                    "less" => Some(ShapeKind::LessIsBetter),
                    "best" => {
                        if let Some(b) = parse(best) {
                            Some(ShapeKind::Best(b))
                        } else {
                            problems.push(format!("{name}: give the best value"));
                            None
                        }
                    }
                    other => {
                        problems.push(format!("{name}: no shape “{other}”"));
                        None
                    }
                };
                answers.shapes[k] = kind.map(|kind| RangeShape { kind, anchors });
            }
        }
    }
    // A point no longer rated has no swing either.
    for k in 0..answers.swings.len() {
        if answers.ratings[k].is_none() && answers.shapes[k].is_none() {
            answers.swings[k] = None;
        }
    }
    // The answers read against the case: a best value out of range and the like.
    if problems.is_empty()
        && let Err(error) = accord_core::elicit::check(case, answers)
    {
        problems.push(error.to_string());
    }
    problems
}

/// The swings step's answers.
fn read_swings(context: &Context, fields: &Fields, answers: &mut Answers) -> Vec<String> {
    let mut problems = Vec::new();
    for (k, _, _) in swing_points(context) {
        let name = point_name(&context.case.points()[k]);
        match fields.get(&format!("swing.{k}")).map(|v| (v, parse(v))) {
            None => {}
            Some((_, Some(s))) if (0.0..=100.0).contains(&s) => answers.swings[k] = Some(s),
            Some((text, _)) => problems.push(format!(
                "{name}: “{}” is not a swing from 0 to 100",
                text.trim()
            )),
        }
    }
    if problems.is_empty()
        && !answers.swings.iter().flatten().any(|&s| s > 0.0)
        && answers.swings.iter().flatten().count() > 0
    {
        problems.push(
            "every swing is 0: put the point whose swing matters most to you at 100".to_string(),
        );
    }
    problems
}

/// The packages step's answers, as the answers file's `packages` and `no_agreement`.
fn read_packages(fields: &Fields) -> Result<(Vec<Value>, Option<f64>), Vec<String>> {
    let mut problems = Vec::new();
    let mut packages = Vec::new();
    let mut i = 0;
    while let Some(json) = fields.get(&format!("package.{i}")) {
        let n = i + 1;
        i += 1;
        if fields.contains_key(&format!("skip.{}", n - 1)) {
            continue;
        }
        let Ok(Value::Object(package)) = serde_json::from_str::<Value>(json) else {
            problems.push(format!("package {n} did not read: reload the page"));
            continue;
        };
        match fields
            .get(&format!("rating.{}", n - 1))
            .and_then(|v| parse(v))
        {
            Some(r) if (0.0..=100.0).contains(&r) => {
                packages.push(serde_json::json!({ "rating": r, "package": package }));
            }
            _ => problems.push(format!("package {n}: give a rating from 0 to 100")),
        }
    }
    let no_agreement = match fields.get("no_agreement").map(|v| (v, parse(v))) {
        None => None,
        Some((_, Some(r))) if (0.0..=100.0).contains(&r) => Some(r),
        Some((text, _)) => {
            problems.push(format!("“{}” is not a place from 0 to 100", text.trim()));
            None
        }
    };
    if problems.is_empty() {
        Ok((packages, no_agreement))
    } else {
        Err(problems)
    }
}

async fn keep(state: &AppState, page: &Page, context: &Context, answers: Value) -> ApiResult<()> {
    let Value::Object(body) = answers else {
        return Err(ApiError::internal("answers are a table"));
    };
    elicit::put_elicitation(
        State(state.clone()),
        page.0.clone(),
        Path((context.case_id.clone(), context.party.clone())),
        Body(body),
    )
    .await
    .map(|_| ())
}

async fn save_step(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<ElicitQuery>, QueryRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields: Fields = match form {
        Ok(Form(pairs)) => pairs.into_iter().collect(),
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let Ok(Query(query)) = query else {
        return error_page(&ApiError::bad_request("the query did not read"));
    };
    let context = match context(&state, &page, &case_id, query.party.as_deref()).await {
        Ok(Whose::Party(context)) => context,
        Ok(Whose::Choose(..)) => {
            return error_page(&ApiError::invalid("party", "name the party: `?party=ID`"));
        }
        Err(error) => return error_page(&error),
    };
    let step = query.step.as_deref().unwrap_or("options");
    let mut answers = context.answers.clone();
    let (problems, next) = match step {
        "options" => (read_options(&context.case, &fields, &mut answers), "swings"),
        "swings" => (read_swings(&context, &fields, &mut answers), "packages"),
        "packages" => match read_packages(&fields) {
            Ok((packages, no_agreement)) => {
                let mut value = answers_json(&context.case, &answers);
                value["packages"] = Value::Array(packages);
                match no_agreement {
                    Some(r) => value["no_agreement"] = serde_json::json!(r),
                    None => {
                        if let Some(map) = value.as_object_mut() {
                            map.remove("no_agreement");
                        }
                    }
                }
                match elicit::read_sent(&context.case, &value) {
                    Ok(read) => {
                        answers = read;
                        (Vec::new(), "review")
                    }
                    Err(error) => (vec![prose(error.message())], "review"),
                }
            }
            Err(problems) => (problems, "review"),
        },
        other => {
            return error_page(&ApiError::invalid(
                "step",
                format!("no step `{other}` to save: options, swings or packages"),
            ));
        }
    };
    let next = if fields.get("then").is_some_and(|t| t == "more") {
        "packages&more=6"
    } else {
        next
    };
    if problems.is_empty() {
        match keep(
            &state,
            &page,
            &context,
            answers_json(&context.case, &answers),
        )
        .await
        {
            Ok(()) => return see_other(&context.href(next)),
            Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                return redisplay(&page, &context, step, &fields, vec![prose(error.message())]);
            }
            Err(error) => return error_page(&error),
        }
    }
    // Show the step again with what was typed and what is wrong; nothing is kept.
    redisplay(&page, &context, step, &fields, problems)
}

fn redisplay(
    page: &Page,
    context: &Context,
    step: &str,
    fields: &Fields,
    problems: Vec<String>,
) -> Response {
    match step {
        "options" => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &options_page(page, context, Some(fields), problems, None),
        ),
        "swings" => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &swings_page(page, context, Some(fields), problems, None),
        ),
        _ => {
            let mut packages = Vec::new();
            let mut i = 0;
            while let Some(json) = fields.get(&format!("package.{i}")) {
                if let Ok(Value::Object(p)) = serde_json::from_str::<Value>(json) {
                    let rating = fields
                        .get(&format!("rating.{i}"))
                        .and_then(|v| parse(v))
                        .unwrap_or(50.0);
                    packages.push((p, rating, false));
                }
                i += 1;
            }
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &packages_page(page, context, &packages, problems, None),
            )
        }
    }
}

async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Path(case_id): Path<String>,
    query: Result<Query<ElicitQuery>, QueryRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields: Fields = match form {
        Ok(Form(pairs)) => pairs.into_iter().collect(),
        Err(rejection) => return error_page(&form_error(&rejection)),
    };
    let Ok(Query(query)) = query else {
        return error_page(&ApiError::bad_request("the query did not read"));
    };
    let context = match context(&state, &page, &case_id, query.party.as_deref()).await {
        Ok(Whose::Party(context)) => context,
        Ok(Whose::Choose(..)) => {
            return error_page(&ApiError::invalid("party", "name the party: `?party=ID`"));
        }
        Err(error) => return error_page(&error),
    };
    let request = FitRequest {
        answers: Some(answers_json(&context.case, &context.answers)),
        ..FitRequest::default()
    };
    // The red lines are confirmed by the party before they bind.
    let has_red_lines = context.answers.unacceptable.iter().any(|u| !u.is_empty());
    if has_red_lines && !fields.contains_key("red_lines_confirmed") {
        let fit = match elicit::post_fit(
            State(state.clone()),
            page.0.clone(),
            Path((context.case_id.clone(), context.party.clone())),
            Body(request),
        )
        .await
        {
            Ok(axum::Json(fit)) => Some(review_fit(&fit)),
            Err(_) => None,
        };
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &review_page(
                &page,
                &context,
                fit,
                Some(
                    "Confirm the red lines first: tick the box under them, or go back and \
                     unmark the options."
                        .to_string(),
                ),
                None,
            ),
        );
    }
    match elicit::post_confirm(
        State(state.clone()),
        page.0.clone(),
        Path((context.case_id.clone(), context.party.clone())),
        Body(request),
    )
    .await
    {
        Ok(_) => see_other(&format!(
            "{}/position?party={}&saved=1",
            case_href(&case_id),
            segment(&context.party)
        )),
        Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &review_page(&page, &context, None, Some(prose(error.message())), None),
        ),
        Err(error) => error_page(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extremes_need_two_different_ratings() {
        assert_eq!(extremes(&[10.0, 80.0, 40.0]), Some((0, 1)));
        assert_eq!(extremes(&[50.0, 50.0]), None);
        assert_eq!(extremes(&[]), None);
    }

    #[test]
    fn a_best_value_swings_from_the_far_end() {
        let shape = RangeShape {
            kind: ShapeKind::Best(30.0),
            anchors: Vec::new(),
        };
        assert_eq!(range_extremes(&shape, 0.0, 100.0), (100.0, 30.0));
        let less = RangeShape {
            kind: ShapeKind::LessIsBetter,
            anchors: Vec::new(),
        };
        assert_eq!(range_extremes(&less, 35.0, 40.0), (40.0, 35.0));
    }

    #[test]
    fn sureness_reads_the_range_width() {
        assert_eq!(sureness(0.01), "sure");
        assert_eq!(sureness(0.1), "fairly sure");
        assert_eq!(sureness(0.4), "unsure");
    }

    #[test]
    fn packages_read_with_skips_and_bad_ratings() {
        let mut fields = Fields::new();
        fields.insert("package.0".into(), r#"{"wage":"+2%"}"#.into());
        fields.insert("rating.0".into(), "70".into());
        fields.insert("package.1".into(), r#"{"wage":"+3%"}"#.into());
        fields.insert("rating.1".into(), "40".into());
        fields.insert("skip.1".into(), "on".into());
        fields.insert("no_agreement".into(), "20".into());
        let (packages, no_agreement) = read_packages(&fields).unwrap();
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0]["rating"], 70.0);
        assert_eq!(no_agreement, Some(20.0));
        fields.insert("rating.0".into(), "170".into());
        let problems = read_packages(&fields).unwrap_err();
        assert!(problems[0].contains("package 1"), "{problems:?}");
    }
}
