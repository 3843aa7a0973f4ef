//! The tally of the responses to a draft, and the proposals that the mediator's tally
//! weighs: amendments no party's position objects to.

use std::collections::HashSet;

use axum::extract::{Path, State};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use accord_core::{Case, EQUAL_EPS, Package, PartyIdx, trades};

use super::{
    Amendment, PROPOSAL_TRADES, ResponseBody, Verdict, choice_of, choice_value, draft_text,
    parse_version, readable_draft,
};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::model::{CaseRows, parse_json};

/// One amendment in a tally.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct AmendmentView {
    /// The party proposing it.
    pub(crate) party: String,
    /// The amendment.
    #[serde(flatten)]
    pub(crate) amendment: Amendment,
}

/// The verdicts on one point.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct PointTally {
    /// The point's id.
    pub(crate) point: String,
    /// Its title in the draft.
    pub(crate) title: String,
    /// How many parties accept it.
    pub(crate) accept: usize,
    /// How many reject it.
    pub(crate) reject: usize,
    /// How many propose an amendment.
    pub(crate) amend: usize,
    /// How many negotiating parties left it unanswered (or did not respond).
    pub(crate) unanswered: usize,
    /// The parties accepting.
    pub(crate) accepted_by: Vec<String>,
    /// The parties rejecting.
    pub(crate) rejected_by: Vec<String>,
    /// The parties amending.
    pub(crate) amended_by: Vec<String>,
    /// The parties not answering.
    pub(crate) unanswered_by: Vec<String>,
    /// The amendments proposed.
    pub(crate) amendments: Vec<AmendmentView>,
}

/// Where a proposal comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ProposalKind {
    /// A party's amendment of a point's value.
    Amendment,
    /// A trade the analysis engine found from the draft's package.
    Trade,
}

/// One point a proposal changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct ProposalChange {
    /// The point's id.
    pub(crate) point: String,
    /// Its value in the draft.
    #[schema(value_type = Object)]
    pub(crate) from: Value,
    /// Its value in the proposal.
    #[schema(value_type = Object)]
    pub(crate) to: Value,
}

/// A red line (by its place in its party's list) that the draft crosses and a proposal
/// clears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) struct RedLineRef {
    /// The party.
    pub(crate) party: String,
    /// The red line's index in the party's position.
    pub(crate) red_line: usize,
}

/// A change to the draft's package that leaves no party worse off and crosses no red
/// line the draft clears (the mediator's view only).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Proposal {
    /// An amendment or a trade.
    pub(crate) kind: ProposalKind,
    /// The parties proposing it (amendments only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) proposed_by: Vec<String>,
    /// The points changed, in order.
    pub(crate) changes: Vec<ProposalChange>,
    /// Each analysed party's utility gain over the draft, by party id.
    #[schema(value_type = HashMap<String, f64>)]
    pub(crate) gains: IndexMap<String, f64>,
    /// The red lines the draft crosses that the proposal clears.
    pub(crate) resolves: Vec<RedLineRef>,
}

/// The tally of the responses to a draft.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct Tally {
    /// The draft version.
    pub(crate) version: i64,
    /// The negotiating parties.
    pub(crate) parties: Vec<String>,
    /// The parties that responded.
    pub(crate) answered: Vec<String>,
    /// The parties that accept every point.
    pub(crate) accept_all: Vec<String>,
    /// Per point, in the draft's order.
    pub(crate) points: Vec<PointTally>,
    /// Improvements no party's position objects to (the mediator's tally only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) proposals: Option<Vec<Proposal>>,
    /// Why the proposals are empty or may be incomplete (the mediator's tally only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) proposals_note: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Proposals.

/// The red lines of `parties` crossed by `package`, as (party, index).
fn crossed(case: &Case, parties: &[PartyIdx], package: &Package) -> HashSet<(PartyIdx, usize)> {
    let mut out = HashSet::new();
    for &party in parties {
        if let Some(position) = case.position(party) {
            for (k, red_line) in position.red_lines.iter().enumerate() {
                if red_line.is_crossed_by(package) {
                    out.insert((party, k));
                }
            }
        }
    }
    out
}

fn red_line_refs(case: &Case, mut refs: Vec<(PartyIdx, usize)>) -> Vec<RedLineRef> {
    refs.sort_unstable();
    refs.into_iter()
        .map(|(party, red_line)| RedLineRef {
            party: case.parties()[party.0].id.clone(),
            red_line,
        })
        .collect()
}

fn gains_map(case: &Case, parties: &[PartyIdx], gains: &[f64]) -> IndexMap<String, f64> {
    parties
        .iter()
        .zip(gains)
        .map(|(party, gain)| (case.parties()[party.0].id.clone(), *gain))
        .collect()
}

/// The proposals from the amendments with a value (each applied alone to the draft's
/// package) and from the engine's trades; `amendments` lists (point, value, party).
fn proposals(
    case: &Case,
    amendments: &[(String, Value, String)],
) -> (Vec<Proposal>, Option<String>) {
    let Some(draft) = case.draft().cloned() else {
        return (
            Vec::new(),
            Some("the draft proposes no package".to_string()),
        );
    };
    let parties = case.negotiating_parties();
    if parties.is_empty() {
        return (
            Vec::new(),
            Some("no party has a position, so there is nothing to weigh".to_string()),
        );
    }
    let before = case.utilities(&parties, &draft);
    let crossed_before = crossed(case, &parties, &draft);
    let mut found: Vec<Proposal> = Vec::new();
    for (point_id, value, party) in amendments {
        let Some(idx) = case.point_idx(point_id) else {
            continue;
        };
        let point = &case.points()[idx.0];
        let Some(choice) = choice_of(point, value) else {
            continue;
        };
        if draft.choice(idx) == choice {
            continue;
        }
        let changes = vec![ProposalChange {
            point: point_id.clone(),
            from: choice_value(point, draft.choice(idx)),
            to: choice_value(point, choice),
        }];
        if let Some(same) = found.iter_mut().find(|p| p.changes == changes) {
            same.proposed_by.push(party.clone());
            continue;
        }
        let mut package = draft.clone();
        package.0[idx.0] = choice;
        let after = case.utilities(&parties, &package);
        let gains: Vec<f64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
        let crossed_after = crossed(case, &parties, &package);
        if gains.iter().any(|&g| g < -EQUAL_EPS) || !crossed_after.is_subset(&crossed_before) {
            // Remembered with no gains so that a second party's identical amendment is
            // not weighed again; dropped below.
            found.push(Proposal {
                kind: ProposalKind::Amendment,
                proposed_by: Vec::new(),
                changes,
                gains: IndexMap::new(),
                resolves: Vec::new(),
            });
            continue;
        }
        found.push(Proposal {
            kind: ProposalKind::Amendment,
            proposed_by: vec![party.clone()],
            changes,
            gains: gains_map(case, &parties, &gains),
            resolves: red_line_refs(
                case,
                crossed_before.difference(&crossed_after).copied().collect(),
            ),
        });
    }
    found.retain(|p| !p.gains.is_empty());
    let found_trades = trades(case, &parties, &draft, PROPOSAL_TRADES);
    for trade in found_trades.improvements {
        found.push(Proposal {
            kind: ProposalKind::Trade,
            proposed_by: Vec::new(),
            changes: trade
                .changes
                .iter()
                .map(|change| {
                    let point = &case.points()[change.point.0];
                    ProposalChange {
                        point: point.id.clone(),
                        from: choice_value(point, change.from),
                        to: choice_value(point, change.to),
                    }
                })
                .collect(),
            gains: gains_map(case, &parties, &trade.gains),
            resolves: red_line_refs(case, trade.resolves),
        });
    }
    let note = (!found_trades.complete).then(|| {
        format!(
            "the trade search stopped after {} packages; more trades may exist",
            found_trades.n_evaluated
        )
    });
    (found, note)
}

// ---------------------------------------------------------------------------------------
// The route.

/// The tally of the responses to a draft: the mediator's at any time, with proposals no
/// party's position objects to; everyone else's who may read the draft once the mediator
/// publishes the responses, without proposals.
#[utoipa::path(get, path = "/api/cases/{case}/drafts/{version}/tally", tag = "drafts",
    params(("case" = String, Path, description = "case id"),
           ("version" = i64, Path, description = "draft version")),
    responses(
        (status = 200, description = "the tally", body = Tally),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "the responses are not published", body = ErrorBody),
        (status = 404, description = "no such case or version, or not visible to the viewer", body = ErrorBody),
        (status = 422, description = "the version is not a number", body = ErrorBody),
    ))]
pub(crate) async fn get_tally(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((case_id, version)): Path<(String, String)>,
) -> ApiResult<axum::Json<Tally>> {
    let version = parse_version("version", &version)?;
    let (_, standing) = viewer.standing(&state.store, &case_id).await?;
    let draft = readable_draft(&state.store, &standing, &case_id, version).await?;
    if !standing.may_read_tally(&draft) {
        return Err(ApiError::forbidden(
            "the tally is seen only once the mediator publishes the responses",
        ));
    }
    let text = draft_text(&draft)?;
    let parties: Vec<String> = state
        .store
        .parties(&case_id)
        .await?
        .into_iter()
        .filter(|p| p.role == "party")
        .map(|p| p.party_id)
        .collect();
    let mut responses: IndexMap<String, ResponseBody> = IndexMap::new();
    for row in state.store.responses(&case_id, version).await? {
        if parties.contains(&row.party_id) {
            responses.insert(row.party_id.clone(), parse_json("response", &row.body)?);
        }
    }
    let answered: Vec<String> = parties
        .iter()
        .filter(|p| responses.contains_key(*p))
        .cloned()
        .collect();
    let accept_all: Vec<String> = answered
        .iter()
        .filter(|p| {
            text.points.iter().all(|point| {
                responses[*p]
                    .points
                    .get(&point.point)
                    .is_some_and(|a| a.verdict == Verdict::Accept)
            })
        })
        .cloned()
        .collect();
    let mut amendments: Vec<(String, Value, String)> = Vec::new();
    let mut points = Vec::new();
    for point in &text.points {
        let mut tally = PointTally {
            point: point.point.clone(),
            title: point.title.clone(),
            accept: 0,
            reject: 0,
            amend: 0,
            unanswered: 0,
            accepted_by: Vec::new(),
            rejected_by: Vec::new(),
            amended_by: Vec::new(),
            unanswered_by: Vec::new(),
            amendments: Vec::new(),
        };
        for party in &parties {
            let answer = responses
                .get(party)
                .and_then(|r| r.points.get(&point.point));
            match answer {
                None => tally.unanswered_by.push(party.clone()),
                Some(answer) => match answer.verdict {
                    Verdict::Accept => tally.accepted_by.push(party.clone()),
                    Verdict::Reject => tally.rejected_by.push(party.clone()),
                    Verdict::Amend => {
                        tally.amended_by.push(party.clone());
                        if let Some(amendment) = &answer.amendment {
                            if let Some(value) = &amendment.value {
                                amendments.push((
                                    point.point.clone(),
                                    value.clone(),
                                    party.clone(),
                                ));
                            }
                            tally.amendments.push(AmendmentView {
                                party: party.clone(),
                                amendment: amendment.clone(),
                            });
                        }
                    }
                },
            }
        }
        tally.accept = tally.accepted_by.len();
        tally.reject = tally.rejected_by.len();
        tally.amend = tally.amended_by.len();
        tally.unanswered = tally.unanswered_by.len();
        points.push(tally);
    }
    let (proposals, proposals_note) = if standing.is_mediator() {
        let rows = CaseRows::load(&state.store, &case_id).await?;
        // The analysis uses every position: the mediator's view only.
        let case = rows.core_case(Some(&text))?;
        let weighed = state
            .compute(&viewer.account.id, "weighing the amendments", move || {
                proposals(&case, &amendments)
            })
            .await;
        match weighed {
            Ok((found, note)) => (Some(found), note),
            // The tally stands without its proposals: the account's share of heavy work
            // is taken, or the weighing ran out of time.
            Err(error) if matches!(error.code(), "too_many_requests" | "too_large") => {
                (Some(Vec::new()), Some(error.message().to_string()))
            }
            Err(error) => return Err(error),
        }
    } else {
        (None, None)
    };
    Ok(axum::Json(Tally {
        version,
        parties,
        answered,
        accept_all,
        points,
        proposals,
        proposals_note,
    }))
}
