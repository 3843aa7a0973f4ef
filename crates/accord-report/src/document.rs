//! The report as a list of blocks (headings, paragraphs, tables, plots), rendered by
//! [`crate::html`] and [`crate::markdown`] alike.

use accord_core::{
    BargainingPoint, Case, Choice, EQUAL_EPS, Fairness, FrontierMethod, Insight, Package,
    PairFrontier, PartyIdx, PointConsensus, PointIdx, PointKind, Solution, SolveLimit,
    UtilityFunction,
};

use std::fmt::Write as _;

use crate::View;
use crate::svg::{FrontierPlot, HeatCell, HeatMap, Mark, frontier_plot, heat_map};
use crate::words::{
    CONFLICTS_EXPLAINED, TOP_CONFLICTS, count_of, decimals, describe_constraint, describe_red_line,
    describe_relaxation, group, package_count, party_name, possessive,
};

/// One block of the report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading of level 1 to 3.
    Heading(u8, String),
    /// A paragraph of plain text.
    Para(String),
    /// A paragraph that needs attention.
    Note(String),
    /// The confidentiality warning.
    Confidential(String),
    /// A numbered list.
    List(Vec<String>),
    /// A table.
    Table {
        /// Column headings.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Cell>>,
    },
    /// Plots, by index in the report's plot list.
    Plots(Vec<usize>),
}

/// One table cell: text and a style class (`""`, `num`, `good`, `bad`, `changed`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// The style class.
    pub class: &'static str,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        class: "",
    }
}

fn num(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        class: "num",
    }
}

fn styled(text: impl Into<String>, class: &'static str) -> Cell {
    Cell {
        text: text.into(),
        class,
    }
}

/// One SVG plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// A file name for it (`frontier-1-2.svg`, `heat-map-draft.svg`).
    pub file_name: String,
    /// Its caption.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// Whether it is wider than a frontier plot (a heat map).
    pub wide: bool,
}

/// At most this many frontier plots (pairs of parties) are drawn.
const MAX_PAIRS: usize = 15;
/// Table lengths.
const TOP_RANGES: usize = 12;

/// What a gain share outside 0-100% means, said wherever gain shares are shown.
const GAIN_SHARE_RANGE: &str = "A share below 0% means the package leaves the party under \
     its reservation value (it would rather have no agreement); above 100%, the package gives \
     it more than any agreement every party accepts could (possible only for a package some \
     party rejects).";

/// A gain, signed, to three decimals.
fn signed(gain: f64) -> String {
    if gain.abs() <= EQUAL_EPS {
        "0".to_string()
    } else {
        format!("{gain:+.3}")
    }
}

fn gain_cell(gain: f64) -> Cell {
    let class = if gain > EQUAL_EPS {
        "good"
    } else if gain < -EQUAL_EPS {
        "bad"
    } else {
        "num"
    };
    styled(signed(gain), class)
}

fn value_label(case: &Case, point: PointIdx, choice: &Choice) -> String {
    case.points()[point.0].choice_label(choice)
}

/// "point: from → to" for each point where `to` differs from `from`.
fn differences(case: &Case, from: &Package, to: &Package) -> Vec<String> {
    case.points()
        .iter()
        .zip(from.0.iter().zip(&to.0))
        .filter(|(_, (a, b))| a != b)
        .map(|(point, (a, b))| {
            format!(
                "{}: {} → {}",
                point.id,
                point.choice_label(a),
                point.choice_label(b)
            )
        })
        .collect()
}

struct Context<'a> {
    case: &'a Case,
    parties: &'a [PartyIdx],
    names: Vec<&'a str>,
}

impl Context<'_> {
    fn utilities(&self, values: &[f64]) -> String {
        self.names
            .iter()
            .zip(values)
            .map(|(n, u)| format!("{n} {u:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn position_of(&self, party: PartyIdx) -> Option<usize> {
        self.parties.iter().position(|&p| p == party)
    }
}

/// The blocks and the plots of the report.
pub(crate) fn build(view: &View<'_>) -> (Vec<Block>, Vec<Plot>) {
    let case = view.case;
    let insight = view.insight;
    let parties = &insight.analysis.parties;
    let cx = Context {
        case,
        parties,
        names: parties.iter().map(|&p| party_name(case, p)).collect(),
    };
    let mut blocks = vec![Block::Heading(1, case.name().to_string())];
    if !case.description().is_empty() {
        blocks.push(Block::Para(case.description().to_string()));
    }
    blocks.push(Block::Confidential(
        "Mediator's view: this report shows every party's confidential position (utilities, \
         red lines, reservation values). Do not share it with the parties."
            .to_string(),
    ));
    summary(view, &cx, &mut blocks);
    // When nothing is acceptable, what follows the diagnosis is about the relaxed case.
    let (main_case, main) = match &insight.relaxed {
        Some(r) => (&r.case, &*r.insight),
        None => (case, insight),
    };
    let main_cx = Context {
        case: main_case,
        parties,
        names: cx.names.clone(),
    };
    diagnosis(view, &cx, &mut blocks);
    let mut plots = Vec::new();
    draft(&cx, insight, main, &mut blocks);
    trades(&main_cx, main, &mut blocks);
    frontier(&main_cx, main, &mut blocks, &mut plots);
    // Crossed red lines are those of the case as it stands, relaxed or not.
    heat_maps(&cx, main, &mut blocks, &mut plots);
    conflicts(&cx, &insight.consensus, &mut blocks);
    sensitivity(&main_cx, main, &mut blocks);
    fairness(&main_cx, main, &mut blocks);
    blocks.push(Block::Para(format!(
        "Report by accord {} from {}.",
        env!("CARGO_PKG_VERSION"),
        view.source
    )));
    (blocks, plots)
}

fn summary(view: &View<'_>, cx: &Context<'_>, blocks: &mut Vec<Block>) {
    let case = view.case;
    let insight = view.insight;
    let analysis = &insight.analysis;
    let mut rows = vec![
        vec![cell("Source"), cell(view.source)],
        vec![
            cell("Parties analysed"),
            cell(
                cx.names
                    .iter()
                    .zip(&analysis.reservation_values)
                    .map(|(n, d)| format!("{n} (reservation value {d})"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ],
        vec![
            cell("Points and packages"),
            cell(format!(
                "{} points; {} packages",
                case.points().len(),
                package_count(case)
            )),
        ],
    ];
    let agreement = match insight.feasible() {
        Some(true) => styled(
            "yes: some package clears every red line and reservation value",
            "good",
        ),
        Some(false) => styled(
            "no: no package clears every red line and reservation value",
            "bad",
        ),
        None => cell("unknown: the frontier could not be found"),
    };
    rows.push(vec![cell("Agreement possible"), agreement]);
    if let Some(draft) = &insight.draft {
        let refusing: Vec<String> = cx
            .names
            .iter()
            .zip(draft.accepts.iter().zip(&draft.crossed))
            .filter(|(_, (accepts, _))| !**accepts)
            .map(|(n, (_, crossed))| {
                if crossed.is_empty() {
                    format!("{n} (below its reservation value)")
                } else {
                    format!(
                        "{n} (crosses {})",
                        count_of(crossed.len() as u128, "red line", "red lines")
                    )
                }
            })
            .collect();
        let n_accept = draft.accepts.iter().filter(|a| **a).count();
        let text = if refusing.is_empty() {
            format!("accepted by all {} parties", cx.names.len())
        } else {
            format!(
                "accepted by {n_accept} of {}; not by {}",
                cx.names.len(),
                refusing.join(", ")
            )
        };
        rows.push(vec![
            cell("Draft on the table"),
            styled(text, if refusing.is_empty() { "good" } else { "bad" }),
        ]);
    }
    let main = insight.relaxed.as_ref().map_or(insight, |r| &r.insight);
    if let Some(nash) = main.analysis.bargaining().and_then(|b| b.nash.as_ref()) {
        let when = insight.relaxed.as_ref().map_or_else(String::new, |r| {
            format!(
                " (once {} is relaxed)",
                describe_relaxation(cx.case, &r.relaxation)
            )
        });
        rows.push(vec![
            cell(format!("Recommended: the Nash package{when}")),
            cell(cx.utilities(&nash.utilities)),
        ]);
    }
    blocks.push(Block::Heading(2, "Summary".to_string()));
    blocks.push(Block::Table {
        head: vec![String::new(), String::new()],
        rows,
    });
}

fn diagnosis(view: &View<'_>, cx: &Context<'_>, blocks: &mut Vec<Block>) {
    let Some(diagnosis) = &view.insight.diagnosis else {
        return;
    };
    blocks.push(Block::Heading(2, "Why there is no agreement".to_string()));
    if diagnosis.relaxations.is_empty() {
        blocks.push(Block::Para(format!(
            "No package clears every red line and gives every party its reservation value, \
             and relaxing up to {} red lines or reservation values would not be enough{}.",
            diagnosis.max_size,
            if diagnosis.complete {
                ""
            } else {
                " (the search was cut short)"
            }
        )));
        return;
    }
    blocks.push(Block::Para(format!(
        "No package clears every red line and gives every party its reservation value. \
         Agreement becomes possible if any one of these is relaxed (the smallest sets, \
         none containing another{}):",
        if diagnosis.complete {
            ""
        } else {
            "; the search was cut short, so others may exist"
        }
    )));
    blocks.push(Block::List(
        diagnosis
            .relaxations
            .iter()
            .map(|r| describe_relaxation(cx.case, r))
            .collect(),
    ));
    if let Some(relaxed) = &view.insight.relaxed {
        blocks.push(Block::Note(format!(
            "The rest of this report assumes relaxation 1 is granted: {} is relaxed; every \
             other red line and reservation value stands.",
            describe_relaxation(cx.case, &relaxed.relaxation)
        )));
    }
}

fn draft(cx: &Context<'_>, insight: &Insight, main: &Insight, blocks: &mut Vec<Block>) {
    let Some(draft) = &insight.draft else {
        return;
    };
    blocks.push(Block::Heading(2, "The draft on the table".to_string()));
    let fairness = main.draft.as_ref().and_then(|d| d.fairness.as_ref());
    let position = cx.case.parties();
    let rows = cx
        .parties
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let reservation = insight.analysis.reservation_values[i];
            let crossed: Vec<String> = draft.crossed[i]
                .iter()
                .filter_map(|&k| {
                    position[p.0]
                        .position
                        .as_ref()
                        .map(|pos| describe_red_line(cx.case, &pos.red_lines[k]))
                })
                .collect();
            let share = fairness
                .and_then(|f| f.parties[i].gain_share)
                .map_or_else(|| "–".to_string(), |s| format!("{:.0}%", s * 100.0));
            let prefers: Vec<String> = fairness
                .map(|f| {
                    f.parties[i]
                        .prefers
                        .iter()
                        .filter(|&&q| q != p)
                        .map(|&q| format!("{} favourite", possessive(party_name(cx.case, q))))
                        .collect()
                })
                .unwrap_or_default();
            vec![
                cell(cx.names[i]),
                num(format!("{:.3}", draft.utilities[i])),
                num(format!("{reservation}")),
                if draft.accepts[i] {
                    styled("yes", "good")
                } else {
                    styled("no", "bad")
                },
                cell(if crossed.is_empty() {
                    "–".to_string()
                } else {
                    crossed.join("; ")
                }),
                num(share),
                cell(if prefers.is_empty() {
                    "–".to_string()
                } else {
                    prefers.join(", ")
                }),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        head: [
            "Party",
            "Utility",
            "Reservation value",
            "Accepts",
            "Red lines crossed",
            "Gain share",
            "Would rather have",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
    if let Some(f) = fairness
        && let Some(spread) = f.spread
    {
        blocks.push(Block::Para(format!(
            "Gain share: what the draft gives a party above its reservation value, as a share \
             of the most it could get in any agreement all accept. {GAIN_SHARE_RANGE} Spread \
             between parties: {:.0} points{}.",
            spread * 100.0,
            f.worst_off.map_or_else(String::new, |p| format!(
                "; {} fares worst",
                party_name(cx.case, p)
            ))
        )));
    }
}

fn trades(cx: &Context<'_>, main: &Insight, blocks: &mut Vec<Block>) {
    let Some(draft) = &main.draft else {
        return;
    };
    let t = &draft.trades;
    blocks.push(Block::Heading(
        2,
        "Trades that improve the draft".to_string(),
    ));
    if t.improvements.is_empty() {
        blocks.push(Block::Para(
            "No change of a few points makes every party at least as well off and one better \
             off without crossing a red line: the draft is locally Pareto-efficient."
                .to_string(),
        ));
    } else {
        blocks.push(Block::Para(
            "Each leaves every party at least as well off and one better off, crosses no red \
             line the draft clears, and needs every change it lists (improvements that stand \
             alone are listed alone). Best total gain first."
                .to_string(),
        ));
        let mut head = vec!["#".to_string(), "Changes".to_string()];
        head.extend(cx.names.iter().map(|n| format!("{n} gains")));
        head.push("Total".to_string());
        let any_resolves = t
            .improvements
            .iter()
            .any(|trade| !trade.resolves.is_empty());
        if any_resolves {
            head.push("Red lines it clears".to_string());
        }
        let rows = t
            .improvements
            .iter()
            .enumerate()
            .map(|(k, trade)| {
                let changes: Vec<String> = trade
                    .changes
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {} → {}",
                            cx.case.points()[c.point.0].id,
                            value_label(cx.case, c.point, &c.from),
                            value_label(cx.case, c.point, &c.to)
                        )
                    })
                    .collect();
                let mut row = vec![num((k + 1).to_string()), cell(changes.join("; "))];
                row.extend(trade.gains.iter().map(|&g| gain_cell(g)));
                row.push(num(signed(trade.gains.iter().sum())));
                if any_resolves {
                    let cleared: Vec<String> = trade
                        .resolves
                        .iter()
                        .map(|&(party, index)| {
                            describe_constraint(
                                cx.case,
                                accord_core::Constraint::RedLine { party, index },
                            )
                        })
                        .collect();
                    row.push(if cleared.is_empty() {
                        cell("–")
                    } else {
                        styled(cleared.join("; "), "good")
                    });
                }
                row
            })
            .collect();
        blocks.push(Block::Table { head, rows });
    }
    if !t.complete {
        blocks.push(Block::Note(format!(
            "The search for trades stopped after {} packages: there may be others.",
            group(u128::from(t.n_evaluated))
        )));
    }
    if !t.logrolls.is_empty() {
        blocks.push(Block::Heading(
            3,
            "Logrolls: two parties each concede on the point they care less about".to_string(),
        ));
        let rows = t
            .logrolls
            .iter()
            .map(|l| {
                let (a, b) = (l.parties[0], l.parties[1]);
                let concession = |k: usize| {
                    let c = &l.changes[k];
                    format!(
                        "{}: {} → {}",
                        cx.case.points()[c.point.0].id,
                        value_label(cx.case, c.point, &c.from),
                        value_label(cx.case, c.point, &c.to)
                    )
                };
                let gain = |p: PartyIdx| cx.position_of(p).map_or(0.0, |i| l.gains[i]);
                let others: Vec<String> = cx
                    .parties
                    .iter()
                    .enumerate()
                    .filter(|&(_, &p)| p != a && p != b)
                    .filter(|&(i, _)| l.gains[i].abs() > EQUAL_EPS)
                    .map(|(i, _)| format!("{} {}", cx.names[i], signed(l.gains[i])))
                    .collect();
                vec![
                    cell(format!(
                        "{} and {}",
                        party_name(cx.case, a),
                        party_name(cx.case, b)
                    )),
                    cell(format!(
                        "{} concedes {}",
                        party_name(cx.case, a),
                        concession(0)
                    )),
                    cell(format!(
                        "{} concedes {}",
                        party_name(cx.case, b),
                        concession(1)
                    )),
                    gain_cell(gain(a)),
                    gain_cell(gain(b)),
                    if others.is_empty() {
                        styled("unaffected", "good")
                    } else {
                        styled(
                            others.join(", "),
                            if l.others_not_worse { "good" } else { "bad" },
                        )
                    },
                ]
            })
            .collect();
        blocks.push(Block::Table {
            head: [
                "Parties",
                "First concession",
                "Second concession",
                "First gains",
                "Second gains",
                "Others",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
}

fn solutions(main: &Insight) -> Vec<(Solution, &BargainingPoint)> {
    let Some(b) = main.analysis.bargaining() else {
        return Vec::new();
    };
    Solution::ALL
        .iter()
        .zip([
            &b.nash,
            &b.kalai_smorodinsky,
            &b.egalitarian,
            &b.utilitarian,
        ])
        .filter_map(|(&s, p)| p.as_ref().map(|p| (s, p)))
        .collect()
}

fn mark_kind(solution: Solution) -> &'static str {
    match solution {
        Solution::Nash => "nash",
        Solution::KalaiSmorodinsky => "kalai-smorodinsky",
        Solution::Egalitarian => "egalitarian",
        Solution::Utilitarian => "utilitarian",
    }
}

fn frontier(cx: &Context<'_>, main: &Insight, blocks: &mut Vec<Block>, plots: &mut Vec<Plot>) {
    blocks.push(Block::Heading(2, "The Pareto frontier".to_string()));
    let (scan, pair_frontiers) = match (&main.analysis.result, &main.analysis.solved) {
        // A certified ε-Pareto set of many parties: its projections on a pair are a cloud,
        // so each plot shows its pair's exact frontier instead.
        (Ok(exact), _)
            if exact.method == FrontierMethod::Search && exact.scan.error_bound > 0.0 =>
        {
            (Some(&exact.scan), pair_frontiers(cx))
        }
        (Ok(exact), _) => (Some(&exact.scan), Vec::new()),
        (Err(reason), Some(Ok(solved))) => {
            blocks.push(Block::Para(format!(
                "No frontier of all {} parties together: {reason}. The bargaining packages \
                 below are exact all the same, each proven optimal by a branch and bound \
                 ({} search nodes). Each plot shows the frontier of its two parties among \
                 the packages that clear every red line and give every other party its \
                 reservation value.",
                cx.parties.len(),
                group(solved.nodes.into())
            )));
            (None, pair_frontiers(cx))
        }
        (Err(reason), _) => {
            blocks.push(Block::Para(format!("No frontier: {reason}.")));
            return;
        }
    };
    if let Some(scan) = scan {
        let method = match main.analysis.result.as_ref().map(|e| e.method) {
            Ok(FrontierMethod::Merge) if scan.error_bound > 0.0 => format!(
                "approximate: every package that clears the red lines is matched, within {} \
             for every party, by a vector below",
                decimals(scan.error_bound, 4)
            ),
            Ok(FrontierMethod::Merge) => "exact, by merging per-point frontiers".to_string(),
            Ok(FrontierMethod::Enumeration) => "exact, every package enumerated".to_string(),
            Ok(FrontierMethod::Search) if scan.error_bound > 0.0 => format!(
                "a certified ε-Pareto set, found by search: every package that clears the red \
                 lines is matched, within {} for every party, by a vector of the set; each \
                 plot shows the exact frontier of its two parties among the packages that \
                 clear every red line and give every other party its reservation value",
                decimals(scan.error_bound, 4)
            ),
            Ok(FrontierMethod::Search) => {
                "exact, traced by a search over the hyper-rectangles".to_string()
            }
            Err(_) => String::new(),
        };
        let bargaining = if main.analysis.solved.as_ref().is_some_and(Result::is_ok) {
            if scan.error_bound > 0.0 {
                " The bargaining packages are exact all the same, each proven optimal by a \
                 branch and bound."
                    .to_string()
            } else {
                " The bargaining packages are exact, each proven optimal by a branch and bound."
                    .to_string()
            }
        } else if scan.error_bound > 0.0 {
            format!(
                " The bargaining packages are the best of these vectors: approximate, within {} \
                 for every party.",
                decimals(scan.error_bound, 4)
            )
        } else {
            " The bargaining packages are exact: the best of the exact frontier.".to_string()
        };
        blocks.push(Block::Para(format!(
            "{} utility vectors that no package improves for one party without hurting another \
         ({method}).{bargaining}",
            group(scan.frontier.len() as u128)
        )));
    }
    let found = solutions(main);
    if found.is_empty() {
        blocks.push(Block::Para(
            "No frontier vector gives every party more than its reservation value, so there \
             is no bargaining package."
                .to_string(),
        ));
    } else {
        let mut head = vec!["Package".to_string()];
        head.extend(cx.names.iter().map(|n| (*n).to_string()));
        head.push("Objective".to_string());
        let mut rows: Vec<Vec<Cell>> = found
            .iter()
            .map(|(s, p)| {
                let mut row = vec![cell(s.title())];
                row.extend(p.utilities.iter().map(|u| num(format!("{u:.3}"))));
                row.push(num(format!("{:.4}", p.objective)));
                row
            })
            .collect();
        if let Some(draft) = &main.draft {
            let mut row = vec![cell("Draft")];
            row.extend(draft.utilities.iter().map(|u| num(format!("{u:.3}"))));
            row.push(cell(""));
            rows.push(row);
        }
        blocks.push(Block::Table { head, rows });
    }
    // One plot per pair of parties.
    let n = cx.parties.len();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect();
    let plot_pairs = scan.is_none() || !pair_frontiers.is_empty();
    let mut indices = Vec::new();
    for &(i, j) in pairs.iter().take(MAX_PAIRS) {
        let mut marks: Vec<Mark> = found
            .iter()
            .map(|(s, p)| Mark {
                label: s.title().to_string(),
                kind: mark_kind(*s),
                at: (p.utilities[i], p.utilities[j]),
            })
            .collect();
        if let Some(draft) = &main.draft {
            marks.push(Mark {
                label: "Draft".to_string(),
                kind: "draft",
                at: (draft.utilities[i], draft.utilities[j]),
            });
        }
        let points = match scan.filter(|_| !plot_pairs) {
            Some(scan) => scan
                .frontier
                .iter()
                .map(|f| (f.utilities[i], f.utilities[j]))
                .collect(),
            None => pair_frontiers
                .iter()
                .find(|f| f.pair == (i, j))
                .map_or_else(Vec::new, |f| {
                    f.frontier
                        .iter()
                        .map(|f| (f.utilities[i], f.utilities[j]))
                        .collect()
                }),
        };
        let plot = FrontierPlot {
            names: (cx.names[i], cx.names[j]),
            points,
            reservation: (
                main.analysis.reservation_values[i],
                main.analysis.reservation_values[j],
            ),
            marks,
        };
        indices.push(plots.len());
        plots.push(Plot {
            file_name: format!("frontier-{}-{}.svg", i + 1, j + 1),
            title: format!(
                "{} (x) and {} (y): frontier vectors, reservation values (dashed), \
                 bargaining packages and the draft",
                cx.names[i], cx.names[j]
            ),
            svg: frontier_plot(&plot),
            wide: false,
        });
    }
    if !indices.is_empty() {
        blocks.push(Block::Plots(indices));
    }
    if let Some(worst) = pair_frontiers
        .iter()
        .map(|f| f.error_bound)
        .filter(|e| *e > 0.0)
        .reduce(f64::max)
    {
        blocks.push(Block::Note(format!(
            "A plot shows at most {PAIR_VECTORS} vectors of its pair's frontier: where there \
             are more, every package the other parties accept has a plotted vector within \
             {worst:.4} of it for the party on the x axis and no worse for the other."
        )));
    }
    let plotted = pairs.len().min(MAX_PAIRS);
    if plot_pairs && pair_frontiers.len() < plotted {
        blocks.push(Block::Note(format!(
            "The frontier of {} of these pairs was not found within the search's limit; \
             their plots show the bargaining packages alone.",
            plotted - pair_frontiers.len()
        )));
    }
    if pairs.len() > MAX_PAIRS {
        blocks.push(Block::Note(format!(
            "Only the first {MAX_PAIRS} of {} pairs of parties are plotted.",
            pairs.len()
        )));
    }
    // The packages themselves, point by point.
    let reference = main
        .draft
        .as_ref()
        .map(|d| &d.package)
        .or_else(|| found.first().map(|(_, p)| &p.package));
    if let Some(reference) = reference
        && !found.is_empty()
    {
        blocks.push(Block::Heading(
            3,
            "The packages, point by point".to_string(),
        ));
        let mut head = vec!["Point".to_string()];
        if main.draft.is_some() {
            head.push("Draft".to_string());
        }
        head.extend(found.iter().map(|(s, _)| s.title().to_string()));
        let rows = cx
            .case
            .points()
            .iter()
            .enumerate()
            .map(|(k, point)| {
                let mut row = vec![cell(point.id.clone())];
                if let Some(d) = &main.draft {
                    row.push(cell(point.choice_label(&d.package.0[k])));
                }
                for (_, p) in &found {
                    let choice = &p.package.0[k];
                    let text = point.choice_label(choice);
                    row.push(if *choice == reference.0[k] {
                        cell(text)
                    } else {
                        styled(text, "changed")
                    });
                }
                row
            })
            .collect();
        blocks.push(Block::Table { head, rows });
        blocks.push(Block::Para(
            if main.draft.is_some() {
                "Highlighted: where a bargaining package differs from the draft."
            } else {
                "Highlighted: where a bargaining package differs from the Nash package."
            }
            .to_string(),
        ));
    }
}

/// The most vectors of a pair's frontier that a plot shows when the frontier of all the
/// parties is not listed: beyond it the frontier is approximate, within the stated bound.
const PAIR_VECTORS: usize = 60;

/// The most search nodes for one pair's frontier, so that a hard case costs the report
/// seconds, not minutes: a pair beyond it is left out.
const PAIR_NODES: u64 = 100_000;

/// The frontier of each plotted pair of parties among the packages every other party
/// accepts, for a case whose frontier of all parties is not listed; a pair whose search
/// gives way is left out (its plot shows the bargaining packages alone).
fn pair_frontiers(cx: &Context<'_>) -> Vec<PairFrontier> {
    let n = cx.parties.len();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .take(MAX_PAIRS)
        .collect();
    accord_core::pair_frontiers(
        cx.case,
        cx.parties,
        &pairs,
        PAIR_VECTORS,
        SolveLimit {
            max_nodes: PAIR_NODES,
            ..SolveLimit::default()
        },
    )
    .into_iter()
    .filter_map(Result::ok)
    .collect()
}

/// How `party` rates `choice` on `point`, from 0 (its worst value there) to 1 (its
/// best), and its weight on the point as a share of its total; `None` where it is
/// indifferent or its utility is not additive.
fn rating(
    case: &Case,
    consensus: &[PointConsensus],
    column: usize,
    party: PartyIdx,
    point: PointIdx,
    choice: &Choice,
) -> (Option<f64>, Option<f64>) {
    let Some(position) = case.position(party) else {
        return (None, None);
    };
    let UtilityFunction::Additive(additive) = &position.utility else {
        return (None, None);
    };
    let total: f64 = additive.weights().iter().sum();
    let weight = (total > 0.0).then(|| additive.weights()[point.0] / total);
    let rating = match (&case.points()[point.0].kind, choice) {
        (PointKind::Options(_), Choice::Option(k)) => consensus
            .iter()
            .find(|c| c.point == point)
            .and_then(|c| c.options[k.0].ratings[column]),
        _ => (additive.weights()[point.0] > 0.0).then(|| {
            additive.evaluators()[point.0]
                .score(*choice)
                .clamp(0.0, 1.0)
        }),
    };
    (rating, weight)
}

fn heat_map_of(cx: &Context<'_>, main: &Insight, package: &Package, title: &str) -> String {
    let rows = cx
        .case
        .points()
        .iter()
        .zip(&package.0)
        .map(|(p, c)| (p.id.clone(), p.choice_label(c)))
        .collect();
    let cells = (0..cx.case.points().len())
        .map(|k| {
            let point = PointIdx(k);
            let choice = &package.0[k];
            cx.parties
                .iter()
                .enumerate()
                .map(|(column, &party)| {
                    let (rating, weight) =
                        rating(cx.case, &main.consensus, column, party, point, choice);
                    let crossed = cx.case.position(party).is_some_and(|pos| {
                        pos.red_lines
                            .iter()
                            .any(|r| r.require.point == point && r.is_crossed_by(package))
                    });
                    HeatCell {
                        rating,
                        crossed,
                        weight,
                    }
                })
                .collect()
        })
        .collect();
    heat_map(&HeatMap {
        title,
        rows,
        columns: cx.names.clone(),
        cells,
    })
}

fn heat_maps(cx: &Context<'_>, main: &Insight, blocks: &mut Vec<Block>, plots: &mut Vec<Plot>) {
    let mut shown: Vec<(&str, &str, &Package)> = Vec::new();
    if let Some(d) = &main.draft {
        shown.push(("the draft", "heat-map-draft.svg", &d.package));
    }
    if let Some((_, nash)) = solutions(main)
        .into_iter()
        .find(|(s, _)| *s == Solution::Nash)
    {
        shown.push(("the Nash package", "heat-map-nash.svg", &nash.package));
    }
    if shown.is_empty() {
        return;
    }
    blocks.push(Block::Heading(2, "Acceptance, point by point".to_string()));
    blocks.push(Block::Para(
        "Each cell: how the party rates the package's value on the point, from 0 (its worst \
         value there) to 10 (its best); crossed out where the value crosses one of its red \
         lines; grey where the party does not care about the point. Hover a cell for the \
         party's weight on the point."
            .to_string(),
    ));
    let mut indices = Vec::new();
    for (title, file_name, package) in shown {
        indices.push(plots.len());
        plots.push(Plot {
            file_name: file_name.to_string(),
            title: format!("How each party rates {title}, point by point"),
            svg: heat_map_of(cx, main, package, title),
            wide: true,
        });
    }
    blocks.push(Block::Plots(indices));
}

fn conflicts(cx: &Context<'_>, consensus: &[PointConsensus], blocks: &mut Vec<Block>) {
    let points = accord_core::conflict_order(consensus);
    if points.is_empty() {
        return;
    }
    blocks.push(Block::Heading(2, "Points in conflict".to_string()));
    blocks.push(Block::Para(format!(
        "The {} points where the parties have most at stake (of {} with any disagreement). \
         {CONFLICTS_EXPLAINED}",
        points.len().min(TOP_CONFLICTS),
        points.len()
    )));
    let mut head = vec![
        "Point".to_string(),
        "Best compromise".to_string(),
        "Conflict".to_string(),
        "Blocked options".to_string(),
    ];
    head.extend(cx.names.iter().map(|n| format!("{n} gives up")));
    let rows = points
        .iter()
        .take(TOP_CONFLICTS)
        .map(|c| {
            let point = &cx.case.points()[c.point.0];
            let label = |k: accord_core::OptionIdx| point.choice_label(&Choice::Option(k));
            let blocked: Vec<String> = c
                .options
                .iter()
                .filter(|o| !o.blocked_by.is_empty())
                .map(|o| {
                    let who: Vec<&str> = o
                        .blocked_by
                        .iter()
                        .map(|&p| party_name(cx.case, p))
                        .collect();
                    format!("{} (by {})", label(o.option), who.join(", "))
                })
                .collect();
            let mut row = vec![
                cell(point.id.clone()),
                match c.consensus {
                    Some(k) => cell(label(k)),
                    None => styled("none: every option blocked", "bad"),
                },
                num(format!("{:.3}", c.conflict)),
                cell(if blocked.is_empty() {
                    "–".to_string()
                } else {
                    blocked.join("; ")
                }),
            ];
            row.extend(c.stakes.iter().map(|s| num(format!("{s:.3}"))));
            row
        })
        .collect();
    blocks.push(Block::Table { head, rows });
}

fn sensitivity(cx: &Context<'_>, main: &Insight, blocks: &mut Vec<Block>) {
    let Some(s) = &main.sensitivity else {
        return;
    };
    blocks.push(Block::Heading(
        2,
        "How robust is the Nash package".to_string(),
    ));
    blocks.push(Block::Para(format!(
        "How far one party's weight on one point (its share of the party's total weight, the \
         other weights keeping their proportions) can move before the Nash package changes. \
         A small margin means the recommendation hangs on a judgement of that party's \
         priorities worth checking with it.{}",
        if s.exact {
            " Exact: every package was considered."
        } else {
            " Judged among the frontier's packages: the true ranges can only be narrower."
        }
    )));
    let rows = s
        .parties
        .iter()
        .map(|p| {
            let name = party_name(cx.case, p.party);
            let tight = p
                .tightest
                .map_or_else(|| "–".to_string(), |k| cx.case.points()[k.0].id.clone());
            let robust = p
                .ranges
                .iter()
                .filter(|r| r.low <= 1e-12 && r.high >= 1.0 - 1e-12);
            vec![
                cell(name),
                p.margin.map_or_else(
                    || styled("no single weight changes it", "good"),
                    |m| {
                        styled(
                            format!("{:.2} points of weight share", m * 100.0),
                            if m < 0.02 { "bad" } else { "num" },
                        )
                    },
                ),
                cell(tight),
                num(format!("{} of {}", robust.count(), p.ranges.len())),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        head: [
            "Party",
            "Smallest move that changes it",
            "On point",
            "Weights that can move anywhere",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
    let mut ranges: Vec<(PartyIdx, &accord_core::WeightRange, f64)> = s
        .parties
        .iter()
        .flat_map(|p| {
            p.ranges.iter().filter_map(move |r| {
                let down = r.switches_below.then_some(r.share - r.low);
                let up = r.switches_above.then_some(r.high - r.share);
                let margin = match (down, up) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }?;
                Some((p.party, r, margin))
            })
        })
        .collect();
    ranges.sort_by(|a, b| a.2.total_cmp(&b.2));
    if ranges.is_empty() {
        return;
    }
    let rows = ranges
        .iter()
        .take(TOP_RANGES)
        .map(|(party, r, _)| {
            let switch = |switches: bool, to: &Option<Package>| {
                if !switches {
                    return "stands all the way".to_string();
                }
                to.as_ref().map_or_else(
                    || "no package every party prefers to walking away".to_string(),
                    |package| {
                        let changes = differences(cx.case, &s.package, package);
                        let shown: Vec<&String> = changes.iter().take(3).collect();
                        let more = changes.len().saturating_sub(3);
                        let mut text = shown
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join("; ");
                        if more > 0 {
                            let _ = write!(text, "; and {more} more");
                        }
                        text
                    },
                )
            };
            vec![
                cell(party_name(cx.case, *party)),
                cell(cx.case.points()[r.point.0].id.clone()),
                num(format!("{:.1}%", r.share * 100.0)),
                num(format!("{:.1}% – {:.1}%", r.low * 100.0, r.high * 100.0)),
                cell(switch(r.switches_below, &r.below)),
                cell(switch(r.switches_above, &r.above)),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        head: [
            "Party",
            "Point",
            "Weight now",
            "Nash package stands for",
            "Below: the Nash package becomes",
            "Above: the Nash package becomes",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
}

fn fairness(cx: &Context<'_>, main: &Insight, blocks: &mut Vec<Block>) {
    let mut shown: Vec<(String, &Fairness)> = Vec::new();
    if let Some(f) = main.draft.as_ref().and_then(|d| d.fairness.as_ref()) {
        shown.push(("Draft".to_string(), f));
    }
    for (s, f) in &main.fairness {
        shown.push((s.title().to_string(), f));
    }
    if shown.is_empty() {
        return;
    }
    blocks.push(Block::Heading(2, "Fairness".to_string()));
    blocks.push(Block::Para(format!(
        "Gain share: what a package gives a party above its reservation value, as a share of \
         the most it could get in any agreement all accept (100%: its favourite compromise). \
         {GAIN_SHARE_RANGE} Spread: the largest share minus the smallest (0: equitable). Would \
         rather have: a party that gets more from another party's favourite compromise than \
         from the package."
    )));
    let mut head = vec!["Package".to_string()];
    head.extend(cx.names.iter().map(|n| format!("{n} share")));
    head.push("Spread".to_string());
    head.push("Would rather have".to_string());
    let rows = shown
        .iter()
        .map(|(label, f)| {
            let mut row = vec![cell(label.clone())];
            row.extend(f.parties.iter().map(|p| {
                num(p
                    .gain_share
                    .map_or_else(|| "–".to_string(), |s| format!("{:.0}%", s * 100.0)))
            }));
            row.push(num(f.spread.map_or_else(
                || "–".to_string(),
                |s| format!("{:.0}", s * 100.0),
            )));
            let envy: Vec<String> = f
                .parties
                .iter()
                .flat_map(|p| {
                    p.prefers
                        .iter()
                        .filter(move |&&q| q != p.party)
                        .map(move |&q| {
                            format!(
                                "{} prefers {} favourite",
                                party_name(cx.case, p.party),
                                possessive(party_name(cx.case, q))
                            )
                        })
                })
                .collect();
            row.push(cell(if envy.is_empty() {
                "no one".to_string()
            } else {
                envy.join("; ")
            }));
            row
        })
        .collect();
    blocks.push(Block::Table { head, rows });
}
