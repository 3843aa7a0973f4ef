//! The dashboard's analysis panel: the frontier of two parties with the bargaining
//! packages, the same if the first relaxation were granted, whether each party can accept
//! the draft, the points in conflict, the blockers and the suggested trades. It is read
//! from the analysis JSON (`accord analyze --json`'s document), computed once per state of
//! the case and cached.

use accord_core::{Constraint, OptionIdx};
use accord_report::words;

use super::*;

/// A labelled vector of the analysis, for the table beside the plot.
struct SolutionItem {
    label: String,
    utilities: Vec<String>,
}

/// A frontier plot with its bargaining packages, and their utilities.
struct FrontierView {
    plot: Option<String>,
    note: String,
    /// Whether the frontier is exact, or within which bound.
    exactness: String,
    /// Whether the bargaining packages are exact, or within which bound.
    bargaining: String,
    solutions: Vec<SolutionItem>,
}

/// One point in conflict: where the parties have most at stake.
struct ConflictItem {
    point: String,
    compromise: String,
    conflict: String,
    blocked: String,
    gives_up: Vec<String>,
}

/// The points in conflict, most first, from the analysis's `conflicts` (which lists them
/// in that order); points and options by their titles and labels.
fn conflict_items(
    analysis: &Value,
    case: Option<&Case>,
    parties: &[PartyRow],
) -> (Vec<ConflictItem>, usize) {
    let conflicted: Vec<&Value> = analysis["conflicts"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|c| c["consensus"].is_null() || c["conflict"].as_f64().unwrap_or(0.0) > 1e-9)
        .collect();
    let total = conflicted.len();
    let point_of = |id: &str| case.and_then(|case| case.points().iter().find(|p| p.id == id));
    let option = |point: Option<&accord_core::Point>, id: &Value| -> String {
        let id = shown(id);
        point
            .and_then(|p| {
                let k = p.options().iter().position(|o| o.id == id)?;
                Some(words::option_name(p, OptionIdx(k)))
            })
            .unwrap_or(id)
    };
    let items = conflicted
        .into_iter()
        .take(words::TOP_CONFLICTS)
        .map(|c| {
            let id = shown(&c["point"]);
            let point = point_of(&id);
            let blocked: Vec<String> = c["options"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|o| {
                    let by: Vec<&str> = o["blocked_by"]
                        .as_array()?
                        .iter()
                        .map(|p| party_name(parties, p.as_str().unwrap_or_default()))
                        .collect();
                    (!by.is_empty())
                        .then(|| format!("{} (by {})", option(point, &o["option"]), by.join(", ")))
                })
                .collect();
            ConflictItem {
                point: point.map_or(id.clone(), |p| words::point_name(p).to_string()),
                compromise: if c["consensus"].is_null() {
                    "none: every option is blocked".to_string()
                } else {
                    option(point, &c["consensus"])
                },
                conflict: format!("{:.3}", c["conflict"].as_f64().unwrap_or(0.0)),
                blocked: if blocked.is_empty() {
                    "–".to_string()
                } else {
                    blocked.join("; ")
                },
                gives_up: analysis["parties"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|p| {
                        c["stakes"][shown(p)]
                            .as_f64()
                            .map_or_else(|| "–".to_string(), |v| format!("{v:.3}"))
                    })
                    .collect(),
            }
        })
        .collect();
    (items, total)
}

/// The frontier of the case with the first relaxation granted.
struct RelaxedView {
    relaxation: String,
    view: FrontierView,
}

/// A set of constraints whose relaxation would allow agreement.
struct RelaxationItem {
    constraints: Vec<String>,
}

/// A trade: changes to the draft and what each party gains.
struct TradeItem {
    changes: Vec<String>,
    gains: Vec<String>,
    note: String,
}

#[derive(Template)]
#[template(path = "mediator_analysis.html")]
struct AnalysisFragment {
    case_url: String,
    status: String,
    message: String,
    warnings: Vec<String>,
    parties: Vec<String>,
    choices: Vec<PartyChoice>,
    main: FrontierView,
    relaxed: Option<RelaxedView>,
    draft_verdicts: Vec<(String, String)>,
    conflicts: Vec<ConflictItem>,
    conflicts_total: usize,
    conflicts_explained: &'static str,
    blockers: Option<Vec<RelaxationItem>>,
    blockers_complete: bool,
    improvements: Vec<TradeItem>,
    logrolls: Vec<TradeItem>,
    trades_note: String,
}

#[derive(Template)]
#[template(path = "mediator_analysis_page.html")]
struct AnalysisPage {
    layout: Layout,
    case_url: String,
    panel: String,
}

/// `GET /cases/{case}/analysis-panel?x=&y=`: the analysis part of the dashboard, as a
/// fragment for htmx (`HX-Request`), else as a page of its own (the link without
/// JavaScript). Mediator only; computed once per state of the case and cached.
pub(super) async fn analysis_panel(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Path(case_id): Path<String>,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Response {
    page_or_error(analysis_response(&state, &page, &headers, &case_id, query).await)
}

async fn analysis_response(
    state: &AppState,
    page: &Page,
    headers: &HeaderMap,
    case_id: &str,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let viewer = &page.0;
    let case = mediator_case(state, viewer, case_id).await?;
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let analysis = cases::get_analysis(
        State(state.clone()),
        viewer.clone(),
        Path(case_id.to_string()),
    )
    .await;
    let panel = match analysis {
        Ok(axum::Json(analysis)) => {
            let rows = CaseRows::load(&state.store, case_id).await?;
            let columns: Vec<(String, String)> = negotiating(&rows.parties)
                .iter()
                .map(|p| (p.party_id.clone(), p.name.clone()))
                .collect();
            let (x, y) = axes(&columns, &query);
            analysis_fragment(
                case_id,
                &rows.parties,
                &rows,
                &analysis,
                x.as_deref(),
                y.as_deref(),
            )?
        }
        // Too large to analyse here, or the server busy: said in the panel (htmx swaps
        // only successful answers in).
        Err(error) if matches!(error.code(), "too_large" | "busy" | "too_many_requests") => {
            format!(
                "<p class=\"notice\" role=\"status\">No analysis: {}</p>",
                escape(error.message())
            )
        }
        Err(error) => return Err(error),
    };
    if headers.contains_key("hx-request") {
        return Ok((StatusCode::OK, Html(panel)).into_response());
    }
    Ok(render(
        StatusCode::OK,
        &AnalysisPage {
            layout: Layout::new(format!("{} · analysis", case.name), page)
                .in_case(case_id, &case.name),
            case_url: format!("/cases/{}", segment(case_id)),
            panel,
        },
    ))
}

fn numbers(values: &[Value]) -> Vec<f64> {
    values
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// A red line of a stored position, in words: `crimea not de-jure-recognition`.
fn red_line_words(case: Option<&Case>, party: &str, index: usize) -> String {
    let Some(case) = case else {
        return String::new();
    };
    case.parties()
        .iter()
        .position(|p| p.id == party)
        .and_then(|p| case.position(PartyIdx(p)))
        .and_then(|position| position.red_lines.get(index))
        .map(|red_line| words::describe_red_line(case, red_line))
        .unwrap_or_default()
}

/// The frontier plot of two parties (columns `ix`, `iy` of the analysis) with the
/// bargaining packages and the draft marked, and the table of their utilities.
fn frontier_view(
    analysis: &Value,
    names: &[String],
    ix: Option<usize>,
    iy: Option<usize>,
) -> FrontierView {
    let solution_keys = [
        ("nash", "Nash", "nash"),
        (
            "kalai_smorodinsky",
            "Kalai–Smorodinsky",
            "kalai-smorodinsky",
        ),
        ("egalitarian", "Egalitarian", "egalitarian"),
        ("utilitarian", "Utilitarian", "utilitarian"),
        ("draft", "Draft", "draft"),
    ];
    let mut solutions = Vec::new();
    let mut marks = Vec::new();
    for (key, label, kind) in solution_keys {
        let Some(utilities) = analysis[key]["utilities"].as_array() else {
            continue;
        };
        let utilities = numbers(utilities);
        solutions.push(SolutionItem {
            label: label.to_string(),
            utilities: utilities.iter().map(|u| format!("{u:.3}")).collect(),
        });
        if let (Some(ix), Some(iy)) = (ix, iy)
            && let (Some(&ux), Some(&uy)) = (utilities.get(ix), utilities.get(iy))
        {
            marks.push(Mark {
                label: label.to_string(),
                kind,
                at: (ux, uy),
            });
        }
    }
    let (plot, note) = match (ix, iy, analysis["frontier"].as_array()) {
        (Some(ix), Some(iy), Some(frontier)) if ix != iy => {
            let points = frontier
                .iter()
                .filter_map(|f| {
                    let u = numbers(f["utilities"].as_array()?);
                    Some((*u.get(ix)?, *u.get(iy)?))
                })
                .collect();
            let reservation = numbers(
                analysis["reservation_values"]
                    .as_array()
                    .map_or(&[][..], Vec::as_slice),
            );
            let svg = frontier_plot(&FrontierPlot {
                names: (&names[ix], &names[iy]),
                points,
                reservation: (
                    reservation.get(ix).copied().unwrap_or(0.0),
                    reservation.get(iy).copied().unwrap_or(0.0),
                ),
                marks,
            });
            let listed = analysis["frontier_listed"]
                .as_u64()
                .unwrap_or(frontier.len() as u64);
            let note = if frontier.is_empty() {
                "No package clears every party's red lines, so the frontier is empty; dashed lines: reservation values.".to_string()
            } else {
                format!(
                    "{listed} of {} frontier vectors plotted (those of highest welfare); dashed lines: reservation values.",
                    analysis["frontier_size"].as_u64().unwrap_or(listed)
                )
            };
            (Some(svg), note)
        }
        (Some(ix), Some(iy), _) if ix == iy => {
            (None, "Choose two different parties to plot.".to_string())
        }
        (_, _, None) => (None, "The analysis found no frontier to plot.".to_string()),
        _ => (None, "Choose two parties to plot.".to_string()),
    };
    let bound = words::decimals(analysis["error_bound"].as_f64().unwrap_or(0.0), 4);
    let exactness = match analysis["status"].as_str() {
        Some("exact") => "The frontier is exact.".to_string(),
        Some("approximate") => format!(
            "The frontier is approximate: every package that clears the red lines is matched \
             within {bound} for every party by one plotted or listed."
        ),
        _ => "There is no frontier: the case is too large to list it.".to_string(),
    };
    let bargaining = match (
        analysis["bargaining_status"].as_str(),
        analysis["bargaining_method"].as_str(),
    ) {
        (Some("exact"), Some("search")) => "exact, each proven optimal by search".to_string(),
        (Some("exact"), _) => "exact".to_string(),
        (Some("approximate"), _) => format!("approximate, within {bound} for every party"),
        _ => "none found".to_string(),
    };
    FrontierView {
        plot,
        note,
        exactness,
        bargaining,
        solutions,
    }
}

/// A constraint of a relaxation in words, as every report says it: a party's red line
/// or reservation value.
fn constraint_words(parties: &[PartyRow], case: Option<&Case>, constraint: &Value) -> String {
    let party = constraint["party"].as_str().unwrap_or_default();
    let core = case.and_then(|case| {
        let idx = PartyIdx(case.parties().iter().position(|p| p.id == party)?);
        let core = if constraint["kind"] == "red-line" {
            Constraint::RedLine {
                party: idx,
                index: usize::try_from(constraint["red_line"].as_u64()?).ok()?,
            }
        } else {
            Constraint::Reservation { party: idx }
        };
        Some(words::describe_constraint(case, core))
    });
    core.unwrap_or_else(|| {
        format!(
            "{} {}",
            words::possessive(party_name(parties, party)),
            if constraint["kind"] == "red-line" {
                "red line"
            } else {
                "reservation value"
            }
        )
    })
}

/// The analysis panel's HTML, from the analysis document.
pub(super) fn analysis_fragment(
    case_id: &str,
    parties: &[PartyRow],
    rows: &CaseRows,
    analysis: &Value,
    x: Option<&str>,
    y: Option<&str>,
) -> ApiResult<String> {
    let ids: Vec<String> = analysis["parties"]
        .as_array()
        .map(|a| a.iter().map(shown).collect())
        .unwrap_or_default();
    let names: Vec<String> = ids
        .iter()
        .map(|id| party_name(parties, id).to_string())
        .collect();
    let column = |id: Option<&str>| id.and_then(|id| ids.iter().position(|p| p == id));
    let (ix, iy) = (column(x), column(y));
    let choices = ids
        .iter()
        .zip(&names)
        .map(|(id, name)| PartyChoice {
            id: id.clone(),
            name: name.clone(),
            x: x == Some(id.as_str()),
            y: y == Some(id.as_str()),
        })
        .collect();
    // The case as stored, for its red lines in words.
    let case = rows.core_case(None).ok();
    let main = frontier_view(analysis, &names, ix, iy);
    let relaxed = analysis["relaxed"].is_object().then(|| RelaxedView {
        relaxation: analysis["relaxed"]["relaxation"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|c| constraint_words(parties, case.as_ref(), c))
            .collect::<Vec<_>>()
            .join("; "),
        view: frontier_view(&analysis["relaxed"], &names, ix, iy),
    });
    let name_of = |id: &Value| party_name(parties, id.as_str().unwrap_or_default()).to_string();
    let draft_verdicts = analysis["draft"]["accepts"]
        .as_object()
        .map(|accepts| {
            accepts
                .iter()
                .map(|(party, accepts)| {
                    let crossed: Vec<String> = analysis["draft"]["red_lines_crossed"][party]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_u64)
                                .map(|k| {
                                    let k = usize::try_from(k).unwrap_or(usize::MAX);
                                    red_line_words(case.as_ref(), party, k)
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let verdict = if accepts.as_bool() == Some(true) {
                        "can accept".to_string()
                    } else if crossed.is_empty() {
                        "cannot accept: below its reservation value".to_string()
                    } else {
                        format!(
                            "cannot accept: it crosses its red line{}: {}",
                            if crossed.len() == 1 { "" } else { "s" },
                            crossed.join("; ")
                        )
                    };
                    (party_name(parties, party).to_string(), verdict)
                })
                .collect()
        })
        .unwrap_or_default();
    let blockers = analysis["blockers"]["relaxations"].as_array().map(|sets| {
        sets.iter()
            .map(|set| RelaxationItem {
                constraints: set
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| constraint_words(parties, case.as_ref(), c))
                    .collect(),
            })
            .collect()
    });
    let change_words = |c: &Value| {
        let by = c
            .get("conceded_by")
            .map(|p| format!(" (conceded by {})", name_of(p)))
            .unwrap_or_default();
        format!(
            "{}: {} → {}{by}",
            shown(&c["point"]),
            shown(&c["from"]),
            shown(&c["to"])
        )
    };
    let trades = &analysis["trades"];
    let improvements = trades["improvements"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|t| TradeItem {
            changes: t["changes"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(change_words)
                .collect(),
            gains: numbers(t["gains"].as_array().map(Vec::as_slice).unwrap_or_default())
                .iter()
                .zip(&names)
                .map(|(g, name)| format!("{name} {g:+.3}"))
                .collect(),
            note: t["resolves"]
                .as_array()
                .filter(|r| !r.is_empty())
                .map(|r| {
                    let lines: Vec<String> = r
                        .iter()
                        .map(|x| {
                            let constraint = serde_json::json!({
                                "kind": "red-line",
                                "party": x["party"],
                                "red_line": x["red_line"],
                            });
                            constraint_words(parties, case.as_ref(), &constraint)
                        })
                        .collect();
                    format!("clears {}", lines.join(", "))
                })
                .unwrap_or_default(),
        })
        .collect();
    let logrolls = trades["logrolls"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|t| TradeItem {
            changes: t["concessions"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(change_words)
                .collect(),
            gains: t["gains"]
                .as_object()
                .map(|g| {
                    g.iter()
                        .map(|(party, gain)| {
                            format!(
                                "{} {}",
                                party_name(parties, party),
                                gain.as_f64()
                                    .map_or_else(|| "–".to_string(), |g| format!("{g:+.3}"))
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            note: if t["others_not_worse"].as_bool() == Some(true) {
                "no other party loses".to_string()
            } else {
                "another party loses".to_string()
            },
        })
        .collect();
    let trades_note = if trades.is_null() {
        "The latest draft proposes no package, so there are no trades from it.".to_string()
    } else if trades["complete"].as_bool() == Some(false) {
        format!(
            "The search stopped after {} packages; more trades may exist.",
            trades["n_evaluated"]
        )
    } else {
        String::new()
    };
    let status = analysis["status"].as_str().unwrap_or("unknown").to_string();
    let (conflicts, conflicts_total) = conflict_items(analysis, case.as_ref(), parties);
    let template = AnalysisFragment {
        conflicts,
        conflicts_total,
        conflicts_explained: words::CONFLICTS_EXPLAINED,
        case_url: format!("/cases/{}", segment(case_id)),
        message: analysis["message"].as_str().unwrap_or_default().to_string(),
        status: match status.as_str() {
            "exact" => "exact".to_string(),
            "approximate" => format!(
                "approximate, within {} for every party",
                words::decimals(analysis["error_bound"].as_f64().unwrap_or(0.0), 4)
            ),
            "too-large" => "too large to list the frontier".to_string(),
            other => other.to_string(),
        },
        warnings: analysis["warnings"]
            .as_array()
            .map(|w| w.iter().map(shown).collect())
            .unwrap_or_default(),
        parties: names,
        choices,
        main,
        relaxed,
        draft_verdicts,
        blockers_complete: analysis["blockers"]["complete"].as_bool() != Some(false),
        blockers,
        improvements,
        logrolls,
        trades_note,
    };
    template.render().map_err(ApiError::internal)
}
