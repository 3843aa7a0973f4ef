//! Hand-written SVG plots: the frontier seen by two parties, and a point-by-party heat map.
//!
//! Output is deterministic (fixed precision, no random ids) so that reports snapshot
//! stably. Every mark carries a `class`, `data-*` attributes and a `<title>` tooltip.

use std::fmt::Write as _;

use crate::words::possessive;

/// `text` with the five XML special characters escaped.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One labelled mark on a frontier plot (a bargaining package or the draft).
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Short label written beside the mark ("Nash", "draft").
    pub label: String,
    /// CSS class and marker shape: `nash`, `kalai-smorodinsky`, `egalitarian`,
    /// `utilitarian` or `draft`.
    pub kind: &'static str,
    /// Its utilities for the two parties plotted.
    pub at: (f64, f64),
}

/// What a frontier plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPlot<'a> {
    /// The two parties' names (x axis, y axis).
    pub names: (&'a str, &'a str),
    /// Every frontier vector projected onto the two parties.
    pub points: Vec<(f64, f64)>,
    /// The two reservation values.
    pub reservation: (f64, f64),
    /// The marks.
    pub marks: Vec<Mark>,
}

const SIZE: f64 = 360.0;
const MARGIN_LEFT: f64 = 52.0;
const MARGIN_BOTTOM: f64 = 44.0;
const MARGIN_TOP: f64 = 16.0;
const MARGIN_RIGHT: f64 = 16.0;
/// Frontier vectors closer than one cell of this grid are drawn as one dot.
const GRID: f64 = 90.0;

/// The frontier as seen by two parties: a dot per frontier vector (vectors that would
/// overlap on screen are drawn once), each party's reservation value as a dashed line, and
/// the marks.
#[must_use]
pub fn frontier_plot(plot: &FrontierPlot<'_>) -> String {
    let all = plot
        .points
        .iter()
        .copied()
        .chain(plot.marks.iter().map(|m| m.at))
        .chain(std::iter::once(plot.reservation));
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for (x, y) in all {
        if x.is_finite() && y.is_finite() {
            lo = lo.min(x).min(y);
            hi = hi.max(x).max(y);
        }
    }
    let inner = SIZE - MARGIN_LEFT - MARGIN_RIGHT;
    let inner_h = SIZE - MARGIN_TOP - MARGIN_BOTTOM;
    let sx = |x: f64| MARGIN_LEFT + (x - lo) / (hi - lo) * inner;
    let sy = |y: f64| MARGIN_TOP + inner_h - (y - lo) / (hi - lo) * inner_h;
    let (x_name, y_name) = (escape(plot.names.0), escape(plot.names.1));
    let height = SIZE + 18.0 * plot.marks.len().div_ceil(3) as f64 + 6.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="frontier" viewBox="0 0 {SIZE} {height}" width="{SIZE}" height="{height}" role="img" aria-label="Pareto frontier: {x_name} against {y_name}">"#
    );
    let _ = write!(
        out,
        "<title>Pareto frontier: utility of {x_name} (x) against {y_name} (y)</title>"
    );
    // Axes, ticks and grid.
    let _ = write!(
        out,
        r##"<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{inner}" height="{inner_h}" fill="#fbfbfd" stroke="#999"/>"##
    );
    for k in 0..=5 {
        let v = lo + (hi - lo) * f64::from(k) / 5.0;
        let (x, y) = (sx(v), sy(v));
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="{MARGIN_TOP}" x2="{x:.1}" y2="{:.1}" stroke="#e4e4ec"/><line x1="{MARGIN_LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e4e4ec"/>"##,
            MARGIN_TOP + inner_h,
            MARGIN_LEFT + inner
        );
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle">{v:.1}</text><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{v:.1}</text>"#,
            MARGIN_TOP + inner_h + 13.0,
            MARGIN_LEFT - 4.0,
            y + 3.5
        );
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{x_name}</text><text x="14" y="{:.1}" font-size="12" text-anchor="middle" transform="rotate(-90 14 {:.1})">{y_name}</text>"#,
        MARGIN_LEFT + inner / 2.0,
        SIZE - 8.0,
        MARGIN_TOP + inner_h / 2.0,
        MARGIN_TOP + inner_h / 2.0
    );
    // Reservation values.
    let (rx, ry) = plot.reservation;
    let (x_owner, y_owner) = (possessive(&x_name), possessive(&y_name));
    let _ = write!(
        out,
        r##"<g class="reservation" stroke="#b04040" stroke-dasharray="4 3"><line x1="{:.1}" y1="{MARGIN_TOP}" x2="{:.1}" y2="{:.1}"><title>{x_owner} reservation value {rx:.3}</title></line><line x1="{MARGIN_LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}"><title>{y_owner} reservation value {ry:.3}</title></line></g>"##,
        sx(rx),
        sx(rx),
        MARGIN_TOP + inner_h,
        sy(ry),
        MARGIN_LEFT + inner,
        sy(ry)
    );
    // Frontier vectors, one dot per occupied grid cell, in first-seen order.
    let mut seen = std::collections::HashSet::new();
    let _ = write!(
        out,
        r##"<g class="frontier-points" fill="#4a6fa5" fill-opacity="0.55" data-n="{}">"##,
        plot.points.len()
    );
    for &(x, y) in &plot.points {
        let cell = (
            ((x - lo) / (hi - lo) * GRID).round() as i64,
            ((y - lo) / (hi - lo) * GRID).round() as i64,
        );
        if seen.insert(cell) {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.2"/>"#,
                sx(x),
                sy(y)
            );
        }
    }
    out.push_str("</g>");
    // Marks, then a legend below the plot: labels beside marks would overlap, since
    // bargaining packages often lie close together.
    let shape = |kind: &str, x: f64, y: f64| match kind {
        "nash" => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="6"/>"#),
        "kalai-smorodinsky" => format!(
            r#"<polygon points="{:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1}"/>"#,
            x - 7.0,
            y - 7.0,
            x + 7.0,
            y + 7.0
        ),
        "egalitarian" => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="10" height="10"/>"#,
            x - 5.0,
            y - 5.0
        ),
        "utilitarian" => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}"/>"#,
            y - 7.0,
            x - 6.0,
            y + 5.0,
            x + 6.0,
            y + 5.0
        ),
        _ => format!(
            r#"<path d="M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}" stroke-width="3"/>"#,
            x - 6.0,
            y - 6.0,
            x + 6.0,
            y + 6.0,
            x - 6.0,
            y + 6.0,
            x + 6.0,
            y - 6.0
        ),
    };
    let paint = |kind: &str| match kind {
        "nash" => r##"fill="#1f4e9c""##,
        "kalai-smorodinsky" => r##"fill="#7b3fa0""##,
        "egalitarian" => r##"fill="#1a8a6a""##,
        "utilitarian" => r##"fill="#c46a00""##,
        _ => r##"fill="#c0392b" stroke="#c0392b""##,
    };
    for mark in &plot.marks {
        let label = escape(&mark.label);
        let tip = format!(
            "{label}: {x_name} {:.3}, {y_name} {:.3}",
            mark.at.0, mark.at.1
        );
        let _ = write!(
            out,
            r#"<g class="mark {}" {} data-label="{label}" data-x="{:.6}" data-y="{:.6}"><title>{tip}</title>{}</g>"#,
            mark.kind,
            paint(mark.kind),
            mark.at.0,
            mark.at.1,
            shape(mark.kind, sx(mark.at.0), sy(mark.at.1))
        );
    }
    for (k, mark) in plot.marks.iter().enumerate() {
        let x = 14.0 + 118.0 * (k % 3) as f64;
        let y = SIZE + 10.0 + 18.0 * (k / 3) as f64;
        let _ = write!(
            out,
            r#"<g class="legend {}" {}>{}<text x="{:.1}" y="{:.1}" font-size="10">{}</text></g>"#,
            mark.kind,
            paint(mark.kind),
            shape(mark.kind, x, y),
            x + 11.0,
            y + 4.0,
            escape(&mark.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// One cell of a heat map.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    /// How the party rates the package's value on the point, from 0 (its worst) to 1 (its
    /// best); `None` when it does not care about the point.
    pub rating: Option<f64>,
    /// Whether the package crosses one of the party's red lines on this point.
    pub crossed: bool,
    /// The party's weight on the point, as a share of its total.
    pub weight: Option<f64>,
}

/// What a heat map shows: one row per point, one column per party.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap<'a> {
    /// What the package is ("the draft", "the Nash package").
    pub title: &'a str,
    /// Row labels: point id and the package's value on it.
    pub rows: Vec<(String, String)>,
    /// Column labels: party names.
    pub columns: Vec<&'a str>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<HeatCell>>,
}

/// Red (0) through amber to green (1).
fn colour(rating: f64) -> String {
    let r = rating.clamp(0.0, 1.0);
    let (from, to, t) = if r < 0.5 {
        ((0xd7, 0x30, 0x27), (0xfe, 0xe0, 0x8b), r * 2.0)
    } else {
        ((0xfe, 0xe0, 0x8b), (0x1a, 0x98, 0x50), r * 2.0 - 1.0)
    };
    let mix = |a: i32, b: i32| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as i32;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(from.0, to.0),
        mix(from.1, to.1),
        mix(from.2, to.2)
    )
}

/// The point-by-party acceptance heat map: each cell coloured by the party's rating of the
/// package's value on the point, crossed out where it crosses the party's red line; the
/// cell's text is the rating out of 10.
#[must_use]
pub fn heat_map(map: &HeatMap<'_>) -> String {
    const CELL_W: f64 = 116.0;
    const CELL_H: f64 = 20.0;
    const LABEL_W: f64 = 330.0;
    const HEAD_H: f64 = 40.0;
    let width = LABEL_W + CELL_W * map.columns.len() as f64 + 8.0;
    let height = HEAD_H + CELL_H * map.rows.len() as f64 + 46.0;
    let title = escape(map.title);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="heat-map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="How each party rates {title}, point by point">"#
    );
    let _ = write!(
        out,
        "<title>How each party rates {title}, point by point</title>"
    );
    for (c, name) in map.columns.iter().enumerate() {
        let x = LABEL_W + CELL_W * (c as f64 + 0.5);
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" font-size="11" font-weight="bold" text-anchor="middle">{}</text>"#,
            HEAD_H - 10.0,
            escape(name)
        );
    }
    for (r, ((point, value), row)) in map.rows.iter().zip(&map.cells).enumerate() {
        let y = HEAD_H + CELL_H * r as f64;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end"><tspan font-weight="bold">{}</tspan> {}</text>"#,
            LABEL_W - 6.0,
            y + 14.0,
            escape(point),
            escape(value)
        );
        for (c, cell) in row.iter().enumerate() {
            let x = LABEL_W + CELL_W * c as f64;
            let (fill, text) = match cell.rating {
                Some(rating) => (colour(rating), format!("{:.1}", rating * 10.0)),
                None => ("#eeeeee".to_string(), "–".to_string()),
            };
            let weight = cell
                .weight
                .map_or_else(String::new, |w| format!(", weight {:.1}%", w * 100.0));
            let tip = format!(
                "{}: {} on {} = {}{}{weight}",
                escape(map.columns[c]),
                cell.rating
                    .map_or_else(|| "indifferent".to_string(), |r| format!("rating {r:.2}")),
                escape(point),
                escape(value),
                if cell.crossed {
                    ", crosses a red line"
                } else {
                    ""
                }
            );
            let _ = write!(
                out,
                r##"<g class="cell{}" data-point="{}" data-party="{}" data-rating="{}"><title>{tip}</title><rect x="{x:.1}" y="{y:.1}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" stroke="#ffffff"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{text}</text>"##,
                if cell.crossed { " crossed" } else { "" },
                escape(point),
                escape(map.columns[c]),
                cell.rating.map_or_else(String::new, |r| format!("{r:.4}")),
                x + CELL_W / 2.0,
                y + 14.0
            );
            if cell.crossed {
                let _ = write!(
                    out,
                    r##"<path d="M{:.1},{:.1}L{:.1},{:.1}M{:.1},{:.1}L{:.1},{:.1}" stroke="#202020" stroke-width="2"/>"##,
                    x + 3.0,
                    y + 3.0,
                    x + CELL_W - 3.0,
                    y + CELL_H - 3.0,
                    x + 3.0,
                    y + CELL_H - 3.0,
                    x + CELL_W - 3.0,
                    y + 3.0
                );
            }
            out.push_str("</g>");
        }
    }
    // Legend.
    let y = HEAD_H + CELL_H * map.rows.len() as f64 + 10.0;
    for k in 0..=10 {
        let r = f64::from(k) / 10.0;
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{y:.1}" width="16" height="12" fill="{}"/>"#,
            LABEL_W + 16.0 * f64::from(k),
            colour(r)
        );
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">rating 0 (worst)</text><text x="{:.1}" y="{:.1}" font-size="10">10 (best)</text><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">a crossed-out cell: the value crosses that party's red line</text>"#,
        LABEL_W - 6.0,
        y + 10.0,
        LABEL_W + 16.0 * 11.0 + 6.0,
        y + 10.0,
        width - 8.0,
        y + 26.0
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"a<b & "c"'"#), "a&lt;b &amp; &quot;c&quot;&#39;");
    }

    #[test]
    fn colours_run_from_red_to_green() {
        assert_eq!(colour(0.0), "#d73027");
        assert_eq!(colour(0.5), "#fee08b");
        assert_eq!(colour(1.0), "#1a9850");
        assert_eq!(colour(7.0), "#1a9850");
    }

    #[test]
    fn overlapping_frontier_vectors_are_drawn_once() {
        // 0.500 and 0.501 fall in one cell of a 90-cell grid; 0.9 does not.
        let plot = FrontierPlot {
            names: ("A", "B"),
            points: vec![(0.5, 0.5), (0.501, 0.5), (0.9, 0.1)],
            reservation: (0.0, 0.0),
            marks: vec![],
        };
        let svg = frontier_plot(&plot);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(r#"data-n="3""#));
    }
}
