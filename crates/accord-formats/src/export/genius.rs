//! The GENIUS XML writer: `negotiation_template` domain and `utility_space` profiles, as
//! `shared/formats/genius-xml.md` describes and the GENIUS reader of this crate reads.

use std::fmt::Write as _;

use accord_core::{
    Aggregation, ConstraintNode, ConstraintUtility, Evaluator, PartyIdx, Point, PointKind,
    Position, UtilityFunction,
};

use super::{Writer, number};
use crate::folder::FolderFile;

/// The domain file and the profiles, in party order.
pub(super) fn write(
    writer: &mut Writer,
    points: &[Point],
    positions: &[(PartyIdx, &Position)],
    stems: &[String],
) -> (FolderFile, Vec<FolderFile>) {
    let name = writer.case.name();
    let mut domain =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<negotiation_template>\n");
    let _ = writeln!(
        domain,
        "  <utility_space number_of_issues=\"{}\">",
        points.len()
    );
    let _ = writeln!(
        domain,
        "    <objective index=\"0\" name=\"{}\" type=\"objective\" etype=\"objective\">",
        writer.attribute("name", name)
    );
    for (k, point) in points.iter().enumerate() {
        domain_issue(writer, &mut domain, k, point);
    }
    domain.push_str("    </objective>\n  </utility_space>\n</negotiation_template>\n");
    let mut profiles = Vec::with_capacity(positions.len());
    for (&(party, position), stem) in positions.iter().zip(stems) {
        writer.red_lines(party, position);
        let text = profile(writer, points, party, position);
        profiles.push(FolderFile {
            name: format!("{stem}.xml"),
            bytes: text.into_bytes(),
        });
    }
    let domain = FolderFile {
        name: "domain.xml".to_string(),
        bytes: domain.into_bytes(),
    };
    (domain, profiles)
}

impl Writer<'_> {
    /// Text escaped for a double-quoted XML attribute. Line breaks and tabs become
    /// character references (a parser would turn them into spaces); other control
    /// characters, which XML 1.0 cannot hold, are a problem.
    fn attribute(&mut self, field: &str, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\n' => out.push_str("&#10;"),
                '\r' => out.push_str("&#13;"),
                '\t' => out.push_str("&#9;"),
                c if u32::from(c) < 0x20 => {
                    self.problem(
                        field.to_string(),
                        format!(
                            "`{}` holds the control character U+{:04X}, which XML cannot hold",
                            text.escape_debug(),
                            u32::from(c)
                        ),
                    );
                }
                c => out.push(c),
            }
        }
        out
    }
}

/// The opening of an `<issue>` element, attributes and all, without its end.
fn issue_start(writer: &mut Writer, k: usize, point: &Point, indent: &str) -> String {
    let field = format!("points[{k}] `{}`", point.id);
    let name = writer.attribute(&field, &point.id);
    let kind = match point.kind {
        PointKind::Options(_) => "discrete",
        PointKind::Integer { .. } => "integer",
        PointKind::Real { .. } => "real",
    };
    let mut start = format!(
        "{indent}<issue index=\"{}\" name=\"{name}\" type=\"{kind}\" etype=\"{kind}\" vtype=\"{kind}\"",
        k + 1
    );
    if let PointKind::Integer { min, max } = point.kind {
        let _ = write!(start, " lowerbound=\"{min}\" upperbound=\"{max}\"");
    }
    if !point.title.is_empty() {
        let title = writer.attribute(&field, &point.title);
        let _ = write!(start, " description=\"{title}\"");
    }
    start
}

/// The `<range>` child of a real issue.
fn range(point: &Point, indent: &str) -> Option<String> {
    match point.kind {
        PointKind::Real { min, max } => Some(format!(
            "{indent}  <range lowerbound=\"{}\" upperbound=\"{}\"/>\n",
            number(min),
            number(max)
        )),
        _ => None,
    }
}

fn domain_issue(writer: &mut Writer, out: &mut String, k: usize, point: &Point) {
    const INDENT: &str = "      ";
    out.push_str(&issue_start(writer, k, point, INDENT));
    match &point.kind {
        PointKind::Options(options) => {
            out.push_str(">\n");
            for (j, option) in options.iter().enumerate() {
                let field = format!("points[{k}].options[{j}]");
                let value = writer.attribute(&field, &option.id);
                let _ = write!(out, "        <item index=\"{}\" value=\"{value}\"", j + 1);
                if !option.label.is_empty() {
                    let label = writer.attribute(&field, &option.label);
                    let _ = write!(out, " description=\"{label}\"");
                }
                out.push_str("/>\n");
            }
            out.push_str("      </issue>\n");
        }
        PointKind::Integer { .. } => out.push_str("/>\n"),
        PointKind::Real { .. } => {
            out.push_str(">\n");
            out.push_str(&range(point, INDENT).unwrap_or_default());
            out.push_str("      </issue>\n");
        }
    }
}

fn profile(writer: &mut Writer, points: &[Point], party: PartyIdx, position: &Position) -> String {
    let kind = match position.utility {
        UtilityFunction::Additive(_) => "linear",
        UtilityFunction::Constraint(_) => "nonlinear",
    };
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<utility_space type=\"{kind}\">\n");
    let name = writer.case.name().to_string();
    let _ = writeln!(
        out,
        "  <objective index=\"0\" name=\"{}\" type=\"objective\" etype=\"objective\">",
        writer.attribute("name", &name)
    );
    match &position.utility {
        UtilityFunction::Additive(additive) => {
            if let Some((weights, evaluators)) = writer.folded(party, additive, points) {
                for (k, (point, evaluator)) in points.iter().zip(&evaluators).enumerate() {
                    additive_issue(writer, &mut out, party, k, point, evaluator);
                }
                for (k, weight) in weights.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "    <weight index=\"{}\" value=\"{}\"/>",
                        k + 1,
                        number(*weight)
                    );
                }
            }
        }
        UtilityFunction::Constraint(constraint) => {
            constraint_profile(writer, &mut out, party, points, constraint);
        }
    }
    out.push_str("  </objective>\n");
    let _ = writeln!(
        out,
        "  <discount_factor value=\"{}\"/>",
        number(position.discount_factor)
    );
    let _ = writeln!(
        out,
        "  <reservation value=\"{}\"/>",
        number(position.reservation_value)
    );
    out.push_str("</utility_space>\n");
    out
}

fn additive_issue(
    writer: &mut Writer,
    out: &mut String,
    party: PartyIdx,
    k: usize,
    point: &Point,
    evaluator: &Evaluator,
) {
    out.push_str(&issue_start(writer, k, point, "    "));
    out.push_str(">\n");
    match (&point.kind, evaluator) {
        (PointKind::Options(options), Evaluator::Options(scores)) => {
            for (j, (option, score)) in options.iter().zip(scores).enumerate() {
                let value = writer.attribute(&format!("points[{k}].options[{j}]"), &option.id);
                let _ = writeln!(
                    out,
                    "      <item index=\"{}\" value=\"{value}\" evaluation=\"{}\"/>",
                    j + 1,
                    number(*score)
                );
            }
        }
        (PointKind::Integer { min, .. }, evaluator) => {
            // GENIUS scores an integer issue `clamp(offset + slope * (v - lowerbound), 0, 1)`.
            let (offset, slope) = match *evaluator {
                Evaluator::Linear {
                    origin,
                    offset,
                    slope,
                } => {
                    let shift = *min as f64 - origin;
                    (
                        if shift == 0.0 {
                            offset
                        } else {
                            offset + slope * shift
                        },
                        slope,
                    )
                }
                Evaluator::Constant(c) => (c, 0.0),
                // A range too wide to write as options: refused already.
                _ => (0.0, 0.0),
            };
            let _ = writeln!(
                out,
                "      <evaluator ftype=\"linear\" offset=\"{}\" slope=\"{}\"/>",
                number(offset),
                number(slope)
            );
        }
        (PointKind::Real { .. }, evaluator) => {
            out.push_str(&range(point, "    ").unwrap_or_default());
            let parameters = match *evaluator {
                // GENIUS' real `linear` is `clamp(parameter1 * x + parameter0, 0, 1)`.
                Evaluator::Linear {
                    origin,
                    offset,
                    slope,
                } => Some((
                    "linear",
                    vec![
                        if origin == 0.0 {
                            offset
                        } else {
                            offset - slope * origin
                        },
                        slope,
                    ],
                )),
                Evaluator::Constant(c) => Some(("constant", vec![c])),
                Evaluator::Triangular { lower, top, upper } => {
                    Some(("triangular", vec![lower, upper, top]))
                }
                Evaluator::Piecewise(_) | Evaluator::Options(_) => None,
            };
            if let Some((ftype, values)) = parameters {
                let _ = write!(out, "      <evaluator ftype=\"{ftype}\"");
                for (j, value) in values.iter().enumerate() {
                    let _ = write!(out, " parameter{j}=\"{}\"", number(*value));
                }
                out.push_str("/>\n");
            } else {
                let field = writer.party_field(party, &format!(".scores `{}`", point.id));
                writer.problem(
                    field,
                    "GENIUS real issues take linear, constant or triangular value functions, not piecewise ones",
                );
            }
        }
        (PointKind::Options(_), _) => {}
    }
    out.push_str("    </issue>\n");
}

fn constraint_profile(
    writer: &mut Writer,
    out: &mut String,
    party: PartyIdx,
    points: &[Point],
    constraint: &ConstraintUtility,
) {
    for (k, point) in points.iter().enumerate() {
        out.push_str(&issue_start(writer, k, point, "    "));
        match range(point, "    ") {
            Some(range) => {
                out.push_str(">\n");
                out.push_str(&range);
                out.push_str("    </issue>\n");
            }
            None => out.push_str("/>\n"),
        }
    }
    for bound in all_bounds(&constraint.root) {
        if matches!(points[bound.point.0].kind, PointKind::Options(_)) {
            let field = writer.party_field(party, ".utility");
            let id = &points[bound.point.0].id;
            writer.problem(
                field,
                format!("a box bounds point `{id}`, which has options; GENIUS boxes bound integer or real issues"),
            );
            return;
        }
    }
    let _ = writeln!(
        out,
        "    <utility maxutility=\"{}\">",
        number(constraint.max_utility)
    );
    ufun(out, &constraint.root, 3);
    out.push_str("    </utility>\n");
}

/// Every bound of every box of a node and the nodes below it.
fn all_bounds(node: &ConstraintNode) -> Vec<&accord_core::Bound> {
    let mut bounds: Vec<&accord_core::Bound> =
        node.rectangles.iter().flat_map(|r| &r.bounds).collect();
    for child in &node.children {
        bounds.extend(all_bounds(child));
    }
    bounds
}

fn ufun(out: &mut String, node: &ConstraintNode, depth: usize) {
    let indent = "  ".repeat(depth);
    let aggregation = match node.aggregation {
        Aggregation::Sum => "sum",
        Aggregation::Min => "min",
        Aggregation::Max => "max",
    };
    let _ = writeln!(
        out,
        "{indent}<ufun type=\"PlainUfun\" weight=\"{}\" aggregation=\"{aggregation}\">",
        number(node.weight)
    );
    for rectangle in &node.rectangles {
        let _ = write!(
            out,
            "{indent}  <hyperRectangle utility=\"{}\"",
            number(rectangle.utility)
        );
        if rectangle.bounds.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let tag = if rectangle.excludes {
            "EXCLUDES"
        } else {
            "INCLUDES"
        };
        for bound in &rectangle.bounds {
            let _ = writeln!(
                out,
                "{indent}    <{tag} index=\"{}\" min=\"{}\" max=\"{}\"/>",
                bound.point.0 + 1,
                number(bound.min),
                number(bound.max)
            );
        }
        let _ = writeln!(out, "{indent}  </hyperRectangle>");
    }
    for child in &node.children {
        ufun(out, child, depth + 1);
    }
    let _ = writeln!(out, "{indent}</ufun>");
}
