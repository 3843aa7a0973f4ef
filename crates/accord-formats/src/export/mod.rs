//! Writing a case as a GENIUS XML or GeniusWeb JSON domain folder: one domain file and a
//! profile per party, the folders GENIUS, GeniusWeb and NegMAS load, and that
//! [`read_domain_folder`](crate::folder::read_domain_folder) reads back to the same
//! points and utilities.
//!
//! Each format holds less than a case. What neither holds (titles, wording, option
//! labels, delegates, the draft, parties without a position) is left out without a word;
//! what would change a number is refused, every such thing named as a [`Problem`]:
//!
//! - both formats: red lines; negative option scores;
//! - GENIUS XML: a piecewise value function on a real range;
//! - GeniusWeb JSON: ranges (its numeric value sets are not read back), hyper-rectangle
//!   utilities, a discount factor, weights that do not sum to 1 once each point's best
//!   score is 1, and a reservation value that no package's utility equals (GeniusWeb holds
//!   a reservation *bid*: the package whose utility it is).
//!
//! With [`ExportOptions::allow_loss`] the case is written anyway: red lines and discount
//! factors are left out, weights rescaled, a reservation value becomes the bid of the least
//! utility at or above it (the same packages then clear it), and each change is listed in
//! [`Export::notes`]. An integer range whose value function the format cannot hold is
//! written as its values, one option each (the utilities do not change; a note says so).
//!
//! ```
//! use accord_core::{AdditiveUtility, Case, Evaluator, Party, Point, PointKind, Position, Role};
//! use accord_formats::export::{ExportOptions, export_folder};
//! use accord_formats::folder::{DomainFormat, read_domain_folder};
//!
//! let point = Point::new("price", PointKind::options(["low", "high"]));
//! let party = |id: &str, scores: Vec<f64>| {
//!     let utility = AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(scores)]);
//!     Party::new(id, id, Role::Party).with_position(Position::new(utility.into()))
//! };
//! let case = Case::new(
//!     "sale",
//!     vec![point],
//!     vec![party("buyer", vec![1.0, 0.0]), party("seller", vec![0.2, 1.0])],
//! )
//! .unwrap();
//! let parties = case.negotiating_parties();
//! let written = export_folder(&case, &parties, DomainFormat::GeniusXml, ExportOptions::default())?;
//! assert_eq!(written.profiles, ["buyer.xml", "seller.xml"]);
//! let again = read_domain_folder("sale", written.files)?;
//! let case_again = again.case(&again.default_profiles())?;
//! assert_eq!(case_again.parties()[1].position, case.parties()[1].position);
//! # Ok::<(), accord_formats::FormatError>(())
//! ```

mod genius;
mod geniusweb;

use accord_core::{
    AdditiveUtility, Case, Choice, Evaluator, OptionIdx, PartyIdx, Point, PointKind, PointOption,
    Position, UtilityFunction,
};

use crate::folder::{DomainFormat, FolderFile};
use crate::{ErrorKind, FormatError, Problem};

/// The most values an integer range may have to be written as one option per value.
pub const MAX_EXPANDED_VALUES: u64 = 10_000;

/// The most search nodes spent looking for a GeniusWeb reservation bid.
const MAX_BID_NODES: u64 = 5_000_000;

/// How far the reservation bid search's bounds are widened against rounding.
const SLACK: f64 = 1e-9;

/// How [`export_folder`] treats what the format cannot hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Write anyway, leaving out or changing what the format cannot hold; each change is
    /// listed in [`Export::notes`]. Without it, any such thing is an error.
    pub allow_loss: bool,
}

/// A written folder.
#[derive(Debug, Clone)]
pub struct Export {
    /// The domain file, then one profile per party, in party order.
    pub files: Vec<FolderFile>,
    /// The domain file's name.
    pub domain_file: String,
    /// The profile files' names, in party order; in byte order too, so that a reader
    /// taking profiles by name takes the parties in the same order.
    pub profiles: Vec<String>,
    /// What was written differently from the case (a range written as options, and with
    /// `allow_loss`, everything left out or changed), one sentence each.
    pub notes: Vec<String>,
}

/// Writes `parties` of `case` (parties with a position) as a domain folder of `format`.
///
/// # Errors
/// Everything the format cannot hold (see the module documentation), each as a
/// [`Problem`] naming the party or point and the field.
pub fn export_folder(
    case: &Case,
    parties: &[PartyIdx],
    format: DomainFormat,
    options: ExportOptions,
) -> Result<Export, FormatError> {
    let mut writer = Writer {
        case,
        format,
        options,
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let positions: Vec<(PartyIdx, &Position)> = parties
        .iter()
        .filter_map(|&p| case.position(p).map(|position| (p, position)))
        .collect();
    if positions.is_empty() {
        writer.problem(
            "parties".to_string(),
            "no party has a position to write as a profile",
        );
    }
    let points = writer.plan_points(&positions);
    let ids: Vec<&str> = positions
        .iter()
        .map(|&(p, _)| case.parties()[p.0].id.as_str())
        .collect();
    let stems = profile_stems(&ids);
    let written = match format {
        DomainFormat::GeniusXml => genius::write(&mut writer, &points, &positions, &stems),
        DomainFormat::GeniusWebJson => geniusweb::write(&mut writer, &points, &positions, &stems),
    };
    FormatError::check(writer.problems, ())?;
    let (domain, profiles) = written;
    let domain_file = domain.name.clone();
    let names = profiles.iter().map(|f| f.name.clone()).collect();
    let mut files = vec![domain];
    files.extend(profiles);
    Ok(Export {
        files,
        domain_file,
        profiles: names,
        notes: writer.notes,
    })
}

/// Collects problems and notes while a folder is written.
struct Writer<'c> {
    case: &'c Case,
    format: DomainFormat,
    options: ExportOptions,
    problems: Vec<Problem>,
    notes: Vec<String>,
}

impl Writer<'_> {
    fn format_name(&self) -> &'static str {
        match self.format {
            DomainFormat::GeniusXml => "GENIUS XML",
            DomainFormat::GeniusWebJson => "GeniusWeb JSON",
        }
    }

    /// Something the format cannot hold at all.
    fn problem(&mut self, field: String, message: impl Into<String>) {
        let problem = Problem::at(
            self.case.name(),
            None,
            field,
            ErrorKind::Unsupported,
            message,
        );
        // A name is written in the domain and again in every profile: say it once.
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// Something the format holds only with a change: an error, or with `allow_loss` the
    /// change made (`instead`), noted.
    fn lossy(&mut self, field: String, message: String, instead: &str) {
        if self.options.allow_loss {
            self.notes.push(format!("{field}: {message}; {instead}"));
        } else {
            self.problem(field, message);
        }
    }

    fn party_field(&self, party: PartyIdx, rest: &str) -> String {
        let id = &self.case.parties()[party.0].id;
        format!("parties[{}] `{id}`{rest}", party.0)
    }

    /// The points as written: an integer range becomes its values when some party's
    /// value function on it has no form in the format.
    fn plan_points(&mut self, positions: &[(PartyIdx, &Position)]) -> Vec<Point> {
        let case = self.case;
        let mut points = Vec::with_capacity(case.points().len());
        for (k, point) in case.points().iter().enumerate() {
            let field = format!("points[{k}] `{}`", point.id);
            let holder = match &point.kind {
                PointKind::Options(_) => None,
                PointKind::Integer { .. } => positions
                    .iter()
                    .find(|(_, position)| !self.holds_integer(position, k)),
                PointKind::Real { .. } => {
                    if self.format == DomainFormat::GeniusWebJson {
                        self.problem(
                            field.clone(),
                            "GeniusWeb numeric value sets are not written (accord does not read them back); a real range has no discrete form",
                        );
                    }
                    None
                }
            };
            let Some(&(party, _)) = holder else {
                points.push(point.clone());
                continue;
            };
            let n = point.n_values().unwrap_or(u64::MAX);
            let why = match self.format {
                DomainFormat::GeniusXml => format!(
                    "the value function of {} on it is not linear",
                    self.party_field(party, "")
                ),
                DomainFormat::GeniusWebJson => {
                    "GeniusWeb numeric value sets are not written (accord does not read them back)"
                        .to_string()
                }
            };
            if n > MAX_EXPANDED_VALUES {
                self.problem(
                    field,
                    format!(
                        "{why}, and its {n} values are more than {MAX_EXPANDED_VALUES} options"
                    ),
                );
                points.push(point.clone());
                continue;
            }
            let PointKind::Integer { min, max } = point.kind else {
                unreachable!("only integer ranges are expanded")
            };
            self.notes.push(format!(
                "{field}: {why}; written as its {n} values, one option each (utilities unchanged)"
            ));
            let mut expanded = point.clone();
            expanded.kind = PointKind::Options(
                (min..=max)
                    .map(|v| PointOption::new(v.to_string()))
                    .collect(),
            );
            points.push(expanded);
        }
        points
    }

    /// Whether the format holds this position's value function on integer point `k` as a
    /// range (hyper-rectangle utilities always keep ranges: their boxes bound values).
    fn holds_integer(&self, position: &Position, k: usize) -> bool {
        match (&position.utility, self.format) {
            (UtilityFunction::Constraint(_), _) => true,
            (UtilityFunction::Additive(_), DomainFormat::GeniusWebJson) => false,
            (UtilityFunction::Additive(additive), DomainFormat::GeniusXml) => {
                match &additive.evaluators()[k] {
                    Evaluator::Linear { .. } => true,
                    Evaluator::Constant(c) => (0.0..=1.0).contains(c),
                    _ => false,
                }
            }
        }
    }

    /// Red lines: neither format has them.
    fn red_lines(&mut self, party: PartyIdx, position: &Position) {
        if !position.red_lines.is_empty() {
            let field = self.party_field(party, ".red_lines");
            let message = format!(
                "{} has no red lines ({} here)",
                self.format_name(),
                position.red_lines.len()
            );
            self.lossy(field, message, "left out");
        }
    }

    /// A party's additive utility with every point's scores as written: option scores
    /// divided by their largest (which GENIUS does on reading, and GeniusWeb requires),
    /// the weight multiplied by it, so that every product is unchanged; an expanded range
    /// scored per value. `None` (with a problem) for a negative score.
    fn folded(
        &mut self,
        party: PartyIdx,
        additive: &AdditiveUtility,
        points: &[Point],
    ) -> Option<(Vec<f64>, Vec<Evaluator>)> {
        let mut weights = Vec::with_capacity(points.len());
        let mut evaluators = Vec::with_capacity(points.len());
        let original = self.case.points();
        for (k, point) in points.iter().enumerate() {
            let weight = additive.weights()[k];
            let evaluator = &additive.evaluators()[k];
            let scores = match (&point.kind, &original[k].kind) {
                (PointKind::Options(_), PointKind::Options(_)) => match evaluator {
                    Evaluator::Options(scores) => scores.clone(),
                    other => {
                        let values = original[k].options().len();
                        (0..values)
                            .map(|o| other.score(Choice::Option(OptionIdx(o))))
                            .collect()
                    }
                },
                (PointKind::Options(_), PointKind::Integer { min, max }) => (*min..=*max)
                    .map(|v| evaluator.score(Choice::Integer(v)))
                    .collect(),
                _ => {
                    weights.push(weight);
                    evaluators.push(evaluator.clone());
                    continue;
                }
            };
            if let Some(bad) = scores.iter().find(|s| **s < 0.0) {
                let field = self.party_field(party, &format!(".scores `{}`", point.id));
                let message = format!(
                    "score `{bad}` is negative; {} scores are 0 to 1",
                    self.format_name()
                );
                self.problem(field, message);
                return None;
            }
            let best = scores.iter().copied().fold(0.0, f64::max);
            if best > 0.0 && best != 1.0 {
                weights.push(weight * best);
                evaluators.push(Evaluator::Options(
                    scores.iter().map(|s| s / best).collect(),
                ));
            } else {
                weights.push(weight);
                evaluators.push(Evaluator::Options(scores));
            }
        }
        Some((weights, evaluators))
    }
}

/// The profile file stems, one per party id, in the same byte order as the parties: the
/// id itself (without a `.xml` or `.json` extension, characters other than letters,
/// digits, `.`, `_` and `-` made `_`) when that keeps them distinct and in order, else
/// numbered (`1-us`, `2-russia`, ...).
fn profile_stems(ids: &[&str]) -> Vec<String> {
    let plain: Vec<String> = ids
        .iter()
        .map(|id| {
            let stem = id
                .strip_suffix(".xml")
                .or_else(|| id.strip_suffix(".json"))
                .unwrap_or(id);
            let clean: String = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            if clean.is_empty() || clean.starts_with('.') {
                format!("party{clean}")
            } else {
                clean
            }
        })
        .collect();
    // Compared as file names: `a-b.xml` sorts before `a.xml`.
    let ordered = plain
        .windows(2)
        .all(|w| format!("{}.", w[0]) < format!("{}.", w[1]));
    let clashes = plain.iter().any(|s| s.eq_ignore_ascii_case("domain"));
    if ordered && !clashes {
        return plain;
    }
    let width = ids.len().to_string().len();
    plain
        .iter()
        .enumerate()
        .map(|(k, stem)| format!("{:0width$}-{stem}", k + 1))
        .collect()
}

/// A number as the formats write it: the shortest text that reads back to the same `f64`.
fn number(x: f64) -> String {
    if x == 0.0 {
        // No `-0`.
        "0".to_string()
    } else {
        x.to_string()
    }
}

/// The result of looking for a reservation bid.
enum BidSearch {
    /// A package whose utility is exactly the reservation value.
    Exact(Vec<usize>),
    /// The package of least utility above it.
    Above(Vec<usize>, f64),
    /// No package reaches it.
    Unreachable,
    /// The search gave up.
    TooLarge,
}

/// The branch and bound of [`reservation_bid`].
struct Search<'a> {
    contributions: &'a [Vec<f64>],
    orders: &'a [Vec<usize>],
    most: &'a [f64],
    least: &'a [f64],
    target: f64,
    chosen: Vec<usize>,
    best: Option<(f64, Vec<usize>)>,
    nodes: u64,
}
impl Search<'_> {
    /// True when the search should stop (exact bid found or out of nodes).
    fn visit(&mut self, k: usize, partial: f64) -> bool {
        self.nodes += 1;
        if self.nodes > MAX_BID_NODES {
            return true;
        }
        if k == self.contributions.len() {
            let utility = partial.min(1.0);
            if utility >= self.target && self.best.as_ref().is_none_or(|(best, _)| utility < *best)
            {
                self.best = Some((utility, self.chosen.clone()));
            }
            return utility == self.target;
        }
        if partial + self.most[k] + SLACK < self.target {
            return false;
        }
        if let Some((best, _)) = &self.best
            && partial + self.least[k] - SLACK > *best
        {
            return false;
        }
        for &o in &self.orders[k] {
            self.chosen.push(o);
            let stop = self.visit(k + 1, partial + self.contributions[k][o]);
            self.chosen.pop();
            if stop {
                return true;
            }
        }
        false
    }
}

/// The package (one option per point) whose utility, computed as a GeniusWeb reader does
/// (`min(1, sum of weight * score)` in point order), is the least at or above `target`: a
/// branch and bound over points, bounded by the best and worst each remaining point adds.
fn reservation_bid(weights: &[f64], scores: &[Vec<f64>], target: f64) -> BidSearch {
    let n = weights.len();
    let contributions: Vec<Vec<f64>> = weights
        .iter()
        .zip(scores)
        .map(|(w, s)| s.iter().map(|x| w * x).collect())
        .collect();
    let mut most = vec![0.0; n + 1];
    let mut least = vec![0.0; n + 1];
    for k in (0..n).rev() {
        let c = &contributions[k];
        most[k] = most[k + 1] + c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        least[k] = least[k + 1] + c.iter().copied().fold(f64::INFINITY, f64::min);
    }
    // Options of each point, least contribution first.
    let orders: Vec<Vec<usize>> = contributions
        .iter()
        .map(|c| {
            let mut order: Vec<usize> = (0..c.len()).collect();
            order.sort_by(|&a, &b| c[a].total_cmp(&c[b]));
            order
        })
        .collect();
    let mut search = Search {
        contributions: &contributions,
        orders: &orders,
        most: &most,
        least: &least,
        target,
        chosen: Vec::with_capacity(n),
        best: None,
        nodes: 0,
    };
    search.visit(0, 0.0);
    let gave_up = search.nodes > MAX_BID_NODES;
    match search.best {
        Some((utility, bid)) if utility == target => BidSearch::Exact(bid),
        _ if gave_up => BidSearch::TooLarge,
        Some((utility, bid)) => BidSearch::Above(bid, utility),
        None => BidSearch::Unreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_keep_ids_in_order_or_number_them() {
        assert_eq!(
            profile_stems(&["Laptop-A-prof1.xml", "Laptop-A-prof2.xml"]),
            ["Laptop-A-prof1", "Laptop-A-prof2"]
        );
        assert_eq!(profile_stems(&["a", "b/c"]), ["a", "b_c"]);
        assert_eq!(
            profile_stems(&["us", "russia", "ukraine"]),
            ["1-us", "2-russia", "3-ukraine"]
        );
        assert_eq!(profile_stems(&["a b", "a_b"]), ["1-a_b", "2-a_b"]);
        assert_eq!(profile_stems(&["domain", "x"]), ["1-domain", "2-x"]);
        assert_eq!(profile_stems(&["", ".hidden"]), ["party", "party.hidden"]);
        assert_eq!(profile_stems(&["a", "a-b"]), ["1-a", "2-a-b"]);
    }

    #[test]
    fn reservation_bid_finds_the_exact_utility_or_the_least_above() {
        let weights = [0.5, 0.5];
        let scores = vec![vec![0.0, 0.4, 1.0], vec![0.0, 0.3, 1.0]];
        // 0.5 * 0.4 + 0.5 * 0.3 = 0.35, in the reader's order of sums.
        let target = 0.5 * 0.4 + 0.5 * 0.3;
        assert!(matches!(
            reservation_bid(&weights, &scores, target),
            BidSearch::Exact(bid) if bid == [1, 1]
        ));
        match reservation_bid(&weights, &scores, 0.36) {
            BidSearch::Above(bid, utility) => {
                assert_eq!(bid, [0, 2]);
                assert_eq!(utility, 0.5);
            }
            _ => panic!("expected the least utility above 0.36"),
        }
        assert!(matches!(
            reservation_bid(&weights, &scores, 1.5),
            BidSearch::Unreachable
        ));
    }
}
