//! `accord negotiate`: one SAOP session between standard or BOA negotiators, with its
//! trace (and, for negotiators that keep an opponent model, how well it learnt).

use std::fmt::Write as _;
use std::path::PathBuf;

use accord_core::{
    Action, Case, Deadline, ModelQuality, Negotiator, NegotiatorSpec, NoClock, OutcomeIndex,
    Package, PartyIdx, SaopOptions, SaopOutcome, TrueProfiles, run_saop, session_model_quality,
    split_negotiators,
};
use accord_formats::analysis_json::session_to_json;
use anyhow::{Result, bail};
use clap::Args;
use serde_json::Value;

use crate::load::load;

#[derive(Args)]
pub(crate) struct NegotiateArgs {
    /// A case file (.toml or .json), a GENIUS domain folder or a GeniusWeb domain folder.
    path: PathBuf,
    /// The negotiators, comma-separated, one per party in order of play; fewer are used
    /// in turn (boulware, linear, conceder, hardliner, random, tit-for-tat, micro,
    /// aspiration, hardheaded, agentk, cuhkagent, atlas3, or a composition such as
    /// `boa(offering=boulware, acceptance=combi-max-w, model=frequency)`).
    #[arg(long, required = true, value_name = "NAMES")]
    negotiators: Vec<String>,
    /// The deadline, in rounds (every party acting once).
    #[arg(long, default_value_t = 100, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    rounds: u32,
    /// Seed of the negotiators' random generators (and of the sample of a large case).
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Print one JSON object instead of the trace.
    #[arg(long)]
    json: bool,
    /// The parties that negotiate, in order of play, comma-separated: party ids of a case
    /// file, or profile file names of a folder (default: as `accord analyze`).
    #[arg(long, alias = "profiles", value_delimiter = ',', value_name = "IDS")]
    parties: Vec<String>,
}

/// The negotiator called `name` (a standard one or a BOA composition), or an error that
/// says what is wrong with the name.
pub(crate) fn known_negotiator(name: &str) -> Result<NegotiatorSpec> {
    NegotiatorSpec::parse(name).map_err(|error| anyhow::anyhow!("{error}"))
}

/// What a party is called in tables: its name, else its id.
fn party_label(case: &Case, party: PartyIdx) -> String {
    let party = &case.parties()[party.0];
    if party.name.is_empty() {
        party.id.clone()
    } else {
        party.name.clone()
    }
}

/// Runs the session and renders it; the text ends in a newline.
pub(crate) fn negotiate(args: &NegotiateArgs) -> Result<String> {
    let mut line_up = Vec::new();
    for name in args.negotiators.iter().flat_map(|n| split_negotiators(n)) {
        if name.is_empty() {
            bail!(
                "--negotiators: an empty name in `{}`",
                args.negotiators.join(",")
            );
        }
        // As written: the name tournaments and Python show.
        line_up.push((name.to_string(), known_negotiator(name)?));
    }
    let loaded = load(&args.path, &args.parties)?;
    let (case, parties) = (&loaded.case, &loaded.parties);
    if parties.len() < 2 {
        bail!(
            "{}: a negotiation needs at least two parties with a position",
            loaded.source.path
        );
    }
    if line_up.len() > parties.len() {
        bail!(
            "{} negotiators for {} parties: give one per party, in order of play (fewer are used in turn)",
            line_up.len(),
            parties.len()
        );
    }
    let names: Vec<String> = (0..parties.len())
        .map(|k| line_up[k % line_up.len()].0.clone())
        .collect();
    // The whole case is at hand: the perfect model may read the true profiles.
    let profiles = TrueProfiles::new(case, parties);
    let mut negotiators: Vec<Box<dyn Negotiator>> = (0..parties.len())
        .map(|k| {
            line_up[k % line_up.len()]
                .1
                .build(profiles.as_ref())
                .map_err(|error| anyhow::anyhow!("{error}"))
        })
        .collect::<Result<_>>()?;
    let indices: Vec<OutcomeIndex> = parties
        .iter()
        .map(|&p| {
            let position = case.position(p).expect("loaded parties hold a position");
            OutcomeIndex::new(
                case.points(),
                position,
                OutcomeIndex::DEFAULT_LIMIT,
                args.seed,
            )
        })
        .collect();
    let outcomes: Vec<&OutcomeIndex> = indices.iter().collect();
    let options = SaopOptions {
        deadline: Deadline::rounds(args.rounds),
        seed: args.seed,
        record: true,
    };
    let outcome = run_saop(
        case,
        parties,
        &mut negotiators,
        &outcomes,
        &options,
        &NoClock,
    );
    for warning in &loaded.source.warnings {
        eprintln!("warning: {warning}");
    }
    let models = session_model_quality(&negotiators, case, parties, args.seed);
    let session = Session {
        case,
        parties,
        names: &names,
        outcome: &outcome,
        models: &models,
    };
    Ok(if args.json {
        let mut text = serde_json::to_string_pretty(&session.json(args, &loaded.source.path))?;
        text.push('\n');
        text
    } else {
        session.text(args, &loaded.source.path)
    })
}

struct Session<'a> {
    case: &'a Case,
    parties: &'a [PartyIdx],
    names: &'a [String],
    outcome: &'a SaopOutcome,
    /// Per party, how well its negotiator's opponent model learnt the others.
    models: &'a [Option<ModelQuality>],
}

/// What a step of the trace shows: its action word and the package it concerns (the
/// offer made, or the offer accepted).
fn steps(outcome: &SaopOutcome) -> Vec<(&'static str, Option<&Package>)> {
    let mut standing: Option<&Package> = None;
    outcome
        .trace
        .iter()
        .map(|step| match &step.action {
            Action::Offer(package) => {
                standing = Some(package);
                ("offer", Some(package))
            }
            Action::Accept => ("accept", standing),
            Action::End => ("end", None),
        })
        .collect()
}

impl Session<'_> {
    fn text(&self, args: &NegotiateArgs, path: &str) -> String {
        let (case, outcome) = (self.case, self.outcome);
        let labels: Vec<String> = self.parties.iter().map(|&p| party_label(case, p)).collect();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "SAOP session on {path}: {} parties, deadline {} rounds, seed {}",
            labels.len(),
            args.rounds,
            args.seed
        );
        for (label, name) in labels.iter().zip(self.names) {
            let _ = writeln!(out, "  {label}: {name}");
        }
        let width = labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        let _ = write!(out, "\n{:>5}  {:width$}  {:6}", "round", "party", "action");
        for label in &labels {
            let _ = write!(out, "  {label:>w$}", w = label.chars().count().max(6));
        }
        out.push('\n');
        for (step, (word, package)) in outcome.trace.iter().zip(steps(outcome)) {
            let _ = write!(
                out,
                "{:>5}  {:width$}  {word:6}",
                step.round + 1,
                labels[step.by]
            );
            if let Some(package) = package {
                for (label, u) in labels.iter().zip(case.utilities(self.parties, package)) {
                    let _ = write!(out, "  {u:>w$.4}", w = label.chars().count().max(6));
                }
            }
            out.push('\n');
        }
        out.push('\n');
        if let Some(package) = &outcome.agreement {
            let _ = writeln!(
                out,
                "agreement after {} (time {:.2}):",
                rounds(outcome.rounds),
                outcome.time
            );
            let point_width = case
                .points()
                .iter()
                .map(|p| p.id.chars().count())
                .max()
                .unwrap_or(0);
            for (point, choice) in case.points().iter().zip(&package.0) {
                let _ = writeln!(
                    out,
                    "  {:point_width$}  {}",
                    point.id,
                    point.choice_label(choice)
                );
            }
        } else {
            let why = match outcome.ended_by {
                Some(place) => format!("{} walked away", labels[place]),
                None => "the deadline passed".to_string(),
            };
            let _ = writeln!(out, "no agreement after {}: {why}", rounds(outcome.rounds));
        }
        let utilities: Vec<String> = labels
            .iter()
            .zip(&outcome.utilities)
            .map(|(label, u)| format!("{label} {u:.4}"))
            .collect();
        let _ = writeln!(
            out,
            "utilities (discounted{}): {}",
            if outcome.agreement.is_some() {
                ""
            } else {
                " reservation values"
            },
            utilities.join(" | ")
        );
        for (label, quality) in labels.iter().zip(self.models) {
            if let Some(q) = quality {
                let pearson = q
                    .pearson
                    .map_or_else(|| "-".to_string(), |r| format!("{r:.3}"));
                let _ = writeln!(
                    out,
                    "{label}'s opponent model: correlation {pearson}, mean error {:.4}, frontier distance {:.4}",
                    q.mean_abs_error, q.frontier_distance
                );
            }
        }
        out
    }

    fn json(&self, args: &NegotiateArgs, path: &str) -> Value {
        session_to_json(
            self.case,
            self.parties,
            self.names,
            self.outcome,
            self.models,
            (args.rounds, args.seed),
            path,
        )
    }
}

/// "1 round", "N rounds".
fn rounds(n: u32) -> String {
    if n == 1 {
        "1 round".into()
    } else {
        format!("{n} rounds")
    }
}
