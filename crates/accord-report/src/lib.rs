//! The mediator's report of a case, as a self-contained HTML page or as Markdown, with
//! hand-written SVG plots.
//!
//! [`html`] and [`markdown`] render the same document, built from an
//! [`accord_core::Insight`]: a summary, why there is no agreement (and the analysis once
//! the first relaxation is granted), how the draft fares and which trades improve it, the
//! frontier seen by every pair of parties with the bargaining packages and the draft
//! marked, point-by-party heat maps, the points in conflict, how robust the Nash package
//! is to each party's weights, and how fair each package is.
//!
//! The report shows every party's utilities and red lines: it is for the mediator only.
//! Output is deterministic: the same case gives byte-identical pages.
//!
//! ```
//! use accord_core::{insight, AdditiveUtility, Case, Evaluator, InsightOptions, Party,
//!     Point, PointKind, Position, Role};
//! use accord_report::{html, View};
//!
//! let points = vec![Point::new("venue", PointKind::options(["geneva", "vienna"]))];
//! let position = |scores: Vec<f64>| Position::new(
//!     AdditiveUtility::new(vec![1.0], vec![Evaluator::Options(scores)]).into());
//! let case = Case::new("talks", points, vec![
//!     Party::new("a", "A", Role::Party).with_position(position(vec![1.0, 0.4])),
//!     Party::new("b", "B", Role::Party).with_position(position(vec![0.3, 1.0])),
//! ]).unwrap();
//! let found = insight(&case, &case.negotiating_parties(), &InsightOptions::default());
//! let page = html(&View { case: &case, insight: &found, source: "talks.toml" });
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains("<svg"));
//! ```
#![warn(missing_docs)]

mod document;
pub mod svg;
pub mod words;

use std::fmt::Write as _;

use accord_core::{Case, Insight};

pub use document::{Block, Cell, Plot};

/// What a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The case as read (its draft, if any, is judged).
    pub case: &'a Case,
    /// Everything found about it.
    pub insight: &'a Insight,
    /// Where the case came from, as shown to the reader.
    pub source: &'a str,
}

const STYLE: &str = "
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d1d24;
  margin: 0; background: #f4f4f7; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid #dcdce4; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.note { background: #fff6e0; border-left: 4px solid #e0a800; padding: 6px 10px; }
p.confidential { color: #8a1c1c; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; }
th, td { border: 1px solid #dcdce4; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.good { background: #e3f4e8; }
td.bad { background: #fbe3e1; }
td.changed { background: #e6eefc; font-weight: 600; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; width: 360px; }
figure.wide { width: auto; }
figcaption { font-size: 12px; color: #555; }
svg text { fill: #1d1d24; stroke: none; }
";

/// The report as one HTML page: inline CSS and SVG, no script, no network.
#[must_use]
pub fn html(view: &View<'_>) -> String {
    let (blocks, plots) = document::build(view);
    let esc = svg::escape;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — accord report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(view.case.name())
    );
    for block in &blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "<h{level}>{}</h{level}>", esc(text));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "<p>{}</p>", esc(text));
            }
            Block::Note(text) => {
                let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(text));
            }
            Block::Confidential(text) => {
                let _ = writeln!(out, "<p class=\"confidential\">{}</p>", esc(text));
            }
            Block::List(items) => {
                out.push_str("<ol>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", esc(item));
                }
                out.push_str("</ol>\n");
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n");
                // A table of label and value has no heading row.
                if head.iter().any(|h| !h.is_empty()) {
                    out.push_str("<thead><tr>");
                    for h in head {
                        let _ = write!(out, "<th>{}</th>", esc(h));
                    }
                    out.push_str("</tr></thead>\n");
                }
                out.push_str("<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        if cell.class.is_empty() {
                            let _ = write!(out, "<td>{}</td>", esc(&cell.text));
                        } else {
                            let _ = write!(
                                out,
                                "<td class=\"{}\">{}</td>",
                                cell.class,
                                esc(&cell.text)
                            );
                        }
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Plots(indices) => {
                out.push_str("<div class=\"plots\">\n");
                for &k in indices {
                    let plot = &plots[k];
                    let _ = writeln!(
                        out,
                        "<figure{}>{}<figcaption>{}</figcaption></figure>",
                        if plot.wide { " class=\"wide\"" } else { "" },
                        plot.svg,
                        esc(&plot.title)
                    );
                }
                out.push_str("</div>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A Markdown report and the plots it links to.
#[derive(Debug, Clone, PartialEq)]
pub struct Markdown {
    /// The Markdown text; plots are linked as `{plot_prefix}{file_name}`.
    pub text: String,
    /// The SVG files to write beside it.
    pub plots: Vec<Plot>,
}

/// The report as Markdown (GitHub-flavoured tables); each plot is an image link to
/// `plot_prefix` + its file name, to be written beside the text.
#[must_use]
pub fn markdown(view: &View<'_>, plot_prefix: &str) -> Markdown {
    let (blocks, plots) = document::build(view);
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    for block in &blocks {
        match block {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {text}\n", "#".repeat(usize::from(*level)));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{text}\n");
            }
            Block::Note(text) | Block::Confidential(text) => {
                let _ = writeln!(out, "> {text}\n");
            }
            Block::List(items) => {
                for (k, item) in items.iter().enumerate() {
                    let _ = writeln!(out, "{}. {item}", k + 1);
                }
                out.push('\n');
            }
            Block::Table { head, rows } => {
                let _ = writeln!(
                    out,
                    "| {} |",
                    head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")
                );
                let _ = writeln!(
                    out,
                    "|{}|",
                    head.iter().map(|_| "---").collect::<Vec<_>>().join("|")
                );
                for row in rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        row.iter()
                            .map(|c| if c.class == "changed" {
                                format!("**{}**", cell(&c.text))
                            } else {
                                cell(&c.text)
                            })
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Plots(indices) => {
                for &k in indices {
                    let plot = &plots[k];
                    let _ = writeln!(out, "![{}]({plot_prefix}{})\n", plot.title, plot.file_name);
                }
            }
        }
    }
    Markdown { text: out, plots }
}
