//! `accord mediate`: single-text mediation, rehearsed from the draft on the table. The
//! report ends with the verdict on the final text: one line when every party accepts it,
//! else each party that does not, with its utility against its reservation value and the
//! red lines the text crosses.

use std::fmt::Write as _;

use accord_core::{
    Case, MediationOptions, MediationOutcome, MediatorRule, PartyIdx, Voter, run_single_text,
};
use anyhow::{Result, bail};
use clap::Args;

use crate::InputArgs;
use crate::report::crossing;

#[derive(Args)]
pub(crate) struct MediateArgs {
    #[command(flatten)]
    input: InputArgs,
    /// How many changes the mediator proposes.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    steps: u32,
    /// How the parties vote: hill-climber (accept a change that does not hurt) or annealer
    /// (also accept a loss, with a chance that falls over the steps).
    #[arg(long, default_value = "hill-climber", value_parser = ["hill-climber", "annealer"])]
    voters: String,
    /// How the mediator decides: veto (adopt only what every party accepts) or annealing
    /// (early on, sometimes overrule objections, never a red line).
    #[arg(long, default_value = "veto", value_parser = ["veto", "annealing"])]
    rule: String,
    /// The starting temperature of annealers and of the annealing mediator.
    #[arg(long, default_value_t = 1.0, value_name = "T")]
    temperature: f64,
    /// Seed of the mediator's random generator.
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
}

/// Runs the mediation from the case's draft and describes it.
pub(crate) fn mediate(args: &MediateArgs) -> Result<String> {
    if !(args.temperature.is_finite() && args.temperature >= 0.0) {
        bail!("--temperature `{}` must be a number >= 0", args.temperature);
    }
    let loaded = args.input.load()?;
    let case = &loaded.case;
    let Some(start) = case.draft() else {
        bail!(
            "`{}` has no draft to start from\nhint: give one with --draft FILE, or a [draft] table in the case file",
            args.input.path.display()
        );
    };
    let options = MediationOptions {
        steps: args.steps,
        voters: vec![match args.voters.as_str() {
            "annealer" => Voter::Annealer {
                initial_temperature: args.temperature,
            },
            _ => Voter::HillClimber,
        }],
        rule: match args.rule.as_str() {
            "annealing" => MediatorRule::Annealing {
                initial_temperature: args.temperature,
            },
            _ => MediatorRule::Veto,
        },
        seed: args.seed,
        record: false,
    };
    let outcome = run_single_text(case, &loaded.parties, start, &options);
    let before = case.utilities(&loaded.parties, start);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "single-text mediation of {} ({} voters, {} mediator, seed {}): {} of {} proposed changes adopted",
        case.name(),
        args.voters,
        args.rule,
        args.seed,
        outcome.adopted,
        outcome.steps
    );
    let _ = writeln!(out, "\nutility, draft -> final text:");
    let width = loaded
        .parties
        .iter()
        .map(|p| case.parties()[p.0].name.chars().count())
        .max()
        .unwrap_or(0);
    for ((party, from), to) in loaded.parties.iter().zip(&before).zip(&outcome.utilities) {
        let name = &case.parties()[party.0].name;
        let _ = writeln!(out, "  {name:width$}  {from:.4} -> {to:.4}");
    }
    let _ = writeln!(out, "\nfinal text (* changed from the draft):");
    let id_width = case
        .points()
        .iter()
        .map(|p| p.id.chars().count())
        .max()
        .unwrap_or(0);
    for ((point, from), to) in case.points().iter().zip(&start.0).zip(&outcome.text.0) {
        let mark = if from == to { ' ' } else { '*' };
        let _ = writeln!(
            out,
            "  {mark} {:id_width$}  {}",
            point.id,
            point.choice_label(to)
        );
    }
    if outcome.acceptable {
        let _ = writeln!(out, "\nthe final text is acceptable to every party");
    } else {
        refusal_lines(case, &loaded.parties, &outcome, &mut out);
    }
    Ok(out)
}

/// Every party that does not accept the final text, with its utility against its
/// reservation value and each of its red lines the text crosses (in the words of
/// `accord analyze`). A party refuses exactly when the mediation's `acceptable` counts it
/// out: it has a position, and the text crosses one of its red lines or gives it less than
/// its reservation value.
fn refusal_lines(case: &Case, parties: &[PartyIdx], outcome: &MediationOutcome, out: &mut String) {
    let mut lines = String::new();
    let mut refusals = Vec::new();
    for (&party, &utility) in parties.iter().zip(&outcome.utilities) {
        let Some(position) = case.position(party) else {
            continue;
        };
        let crossed: Vec<_> = position
            .red_lines
            .iter()
            .filter(|r| r.is_crossed_by(&outcome.text))
            .collect();
        let below = utility < position.reservation_value;
        if crossed.is_empty() && !below {
            continue;
        }
        let name = &case.parties()[party.0].name;
        refusals.push(name.as_str());
        let _ = writeln!(
            lines,
            "  {name}: utility {utility:.4}, {} its reservation value {}",
            if below { "below" } else { "not below" },
            position.reservation_value
        );
        for red_line in crossed {
            let _ = writeln!(lines, "    {}", crossing(case, red_line));
        }
    }
    if refusals.is_empty() {
        // Only a start that is not a package of the case ends here (no utilities).
        let _ = writeln!(out, "\nthe final text is not acceptable to every party");
    } else {
        let _ = writeln!(
            out,
            "\nthe final text is not acceptable to {}:",
            refusals.join(", ")
        );
        out.push_str(&lines);
    }
}
