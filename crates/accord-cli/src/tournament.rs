//! `accord tournament` and `accord merge`: run a tournament configuration (or one shard of
//! it) with a progress bar, write its results as JSON Lines and CSV, and join shards.
//!
//! A whole tournament (run at once, on Dask, or merged from shards) also gets its summary
//! per negotiator as `summary.txt` (the table printed) and `summary.csv`, per domain as
//! `summary-domains.csv`, and the opponent models' learning curves as `model-learning.csv`
//! when its configuration sets `model_checkpoints`. A shard does
//! not: it prints the summary of its own sessions only, and the folder's summary files are
//! those of the whole, written by `accord merge`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use accord_core::{
    Deadline, NegotiatorSpec, NegotiatorSummary, TournamentDomain, TournamentSpec, jobs,
    learning_curves, run_tournament, summarize, summarize_by_domain, summary, validate_tournament,
};
use accord_formats::tournament::{
    ResultRecord, read_config, read_jsonl, write_csv, write_domain_summary_csv, write_jsonl,
    write_learning_csv, write_summary_csv,
};
use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::load::{PartiesRefused, load};

#[derive(Args)]
pub(crate) struct TournamentArgs {
    /// The tournament configuration (TOML; docs/tournament.md).
    config: PathBuf,
    /// The folder the results (results.jsonl, .csv) and the summary (summary.txt, .csv,
    /// summary-domains.csv, and model-learning.csv with `model_checkpoints`) are written
    /// to (default: ./tournament-NAME).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Run only shard I of N (from 0): the sessions whose index is I modulo N; the
    /// results go to results-I-of-N.jsonl and .csv, for `accord merge` (no summary file:
    /// `accord merge` writes the summary of the whole).
    #[arg(long, value_name = "I/N", value_parser = parse_shard, conflicts_with = "dask")]
    shard: Option<(u64, u64)>,
    /// Run the sessions on a Dask cluster: the scheduler's address (tcp://HOST:PORT),
    /// through the accord Python package (`pip install ./python`, with `distributed`) of
    /// the Python in `ACCORD_PYTHON` (default python3). The results are the same files.
    #[arg(long, value_name = "ADDRESS")]
    dask: Option<String>,
    /// Sessions per Dask task (with --dask).
    #[arg(long, default_value_t = 256, value_name = "N", requires = "dask",
          value_parser = clap::value_parser!(u64).range(1..))]
    chunk: u64,
}

#[derive(Args)]
pub(crate) struct MergeArgs {
    /// Shard result files (results-I-of-N.jsonl), or folders holding them.
    #[arg(required = true, value_name = "DIR_OR_FILES")]
    inputs: Vec<PathBuf>,
    /// The folder the joined results.jsonl and results.csv, and the summary of the whole
    /// (summary.txt, .csv, summary-domains.csv, and model-learning.csv when the models
    /// were measured over time), are written to.
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
}

fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let parsed = text
        .split_once('/')
        .and_then(|(i, n)| Some((i.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)));
    match parsed {
        Some((i, n)) if n > 0 && i < n => Ok((i, n)),
        Some((i, n)) => Err(format!(
            "`{i}/{n}` does not exist: shards are numbered 0 to N - 1"
        )),
        None => Err(format!("`{text}` is not I/N, such as 0/4")),
    }
}

/// The file names of a shard's (or the whole tournament's) results, without extension.
fn stem(shard: Option<(u64, u64)>) -> String {
    shard.map_or_else(
        || "results".to_string(),
        |(i, n)| format!("results-{i}-of-{n}"),
    )
}

/// A folder name made of the tournament's name.
fn folder_name(name: &str) -> String {
    let slug: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("tournament-{slug}")
}

/// Runs `accord tournament`; returns the summary table.
pub(crate) fn tournament(args: &TournamentArgs) -> Result<String> {
    let shown = args.config.display().to_string();
    let text = accord_formats::case_file::utf8_text(&shown, fs_err::read(&args.config)?)?;
    let config = read_config(&shown, &text)?;
    let folder = args.config.parent().unwrap_or(Path::new(""));
    let mut domains = Vec::new();
    for (k, entry) in config.domains.iter().enumerate() {
        let path = folder.join(&entry.path);
        // Parties the domain lacks are the configuration's problem, at the party's line.
        let loaded = load(&path, &entry.parties).map_err(|err| {
            match err.downcast_ref::<PartiesRefused>() {
                Some(refused) => {
                    anyhow::Error::new(entry.party_problems(&shown, k, refused.problems.clone()))
                }
                None => err.context(entry.location.clone()),
            }
        })?;
        if loaded.parties.len() < 2 {
            return Err(entry
                .too_few_parties(&shown, k, loaded.parties.len())
                .into());
        }
        for warning in &loaded.source.warnings {
            eprintln!("warning: {warning}");
        }
        domains.push(TournamentDomain {
            // As written: the results do not depend on where the configuration lies.
            name: entry.path.clone(),
            case: loaded.case,
            parties: loaded.parties,
        });
    }
    let spec = TournamentSpec {
        domains,
        negotiators: config.negotiators.clone(),
        repetitions: config.repetitions,
        deadline: Deadline::rounds(config.rounds),
        seed: config.seed,
        model_checkpoints: config.model_checkpoints.clone(),
    };
    validate_tournament(&spec).with_context(|| shown.clone())?;
    if !spec.model_checkpoints.is_empty()
        && !spec
            .negotiators
            .iter()
            .filter_map(|name| NegotiatorSpec::parse(name).ok())
            .any(|n| n.keeps_model())
    {
        eprintln!(
            "warning: {shown}: `model_checkpoints` are set but no negotiator keeps an opponent \
             model: there is nothing to measure\nhint: hardheaded, cuhkagent and compositions \
             with `model=...` keep one"
        );
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(folder_name(&config.name)));
    if let Some(address) = &args.dask {
        return on_dask(args, address, &output, &spec);
    }
    let selected: Vec<_> = jobs(&spec)
        .into_iter()
        .filter(|job| args.shard.is_none_or(|(i, n)| job.index % n == i))
        .collect();
    fs_err::create_dir_all(&output)?;

    let bar = ProgressBar::new(selected.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} sessions, {elapsed} (eta {eta})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_message(config.name.clone());
    let results =
        run_tournament(&spec, args.shard, &|| bar.inc(1)).with_context(|| shown.clone())?;
    bar.finish_and_clear();

    let records: Vec<ResultRecord> = selected
        .iter()
        .zip(&results)
        .map(|(job, result)| ResultRecord::new(&spec.domains[job.domain].case, result))
        .collect();
    let mut written = write_results(&output, &stem(args.shard), &records)?;
    let table = if args.shard.is_none() {
        let (table, summaries) = write_summary(&output, &spec.negotiators, &records)?;
        written.extend(summaries);
        table
    } else {
        summary_table(&summary(&spec.negotiators, &results))
    };
    eprintln!(
        "{} sessions ({} in the tournament); wrote {}",
        records.len(),
        accord_core::n_jobs(&spec).unwrap_or(0),
        written.join(", ")
    );
    Ok(table)
}

/// Runs a validated tournament on the Dask scheduler at `address` through the Python
/// package (`python -m accord.dask`), which writes `output`; returns the summary table.
fn on_dask(
    args: &TournamentArgs,
    address: &str,
    output: &Path,
    spec: &TournamentSpec,
) -> Result<String> {
    let python = std::env::var("ACCORD_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let hint = format!(
        "hint: --dask needs the accord Python package with Dask's `distributed` \
         (`pip install ./python dask[distributed]`) in the Python that ACCORD_PYTHON names \
         (now `{python}`)"
    );
    let probe = std::process::Command::new(&python)
        .args(["-c", "import accord.dask, distributed"])
        .output();
    match probe {
        Ok(done) if done.status.success() => {}
        Ok(done) => bail!(
            "`{python}` cannot import accord.dask and distributed: {}\n{hint}",
            String::from_utf8_lossy(&done.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or_default()
        ),
        Err(error) => bail!("`{python}` does not run: {error}\n{hint}"),
    }
    let status = std::process::Command::new(&python)
        .args(["-m", "accord.dask"])
        .arg(&args.config)
        .args([
            "--scheduler",
            address,
            "--chunk",
            &args.chunk.to_string(),
            "-o",
        ])
        .arg(output)
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("running `{python} -m accord.dask`"))?;
    if !status.success() {
        bail!("the tournament on Dask (`{address}`) failed (its error is above)");
    }
    let results = output.join("results.jsonl");
    let shown = results.display().to_string();
    let records = read_jsonl(&shown, &fs_err::read_to_string(&results)?)?;
    // The Python package writes the results only; the summary is this binary's.
    let (table, summaries) = write_summary(output, &spec.negotiators, &records)?;
    eprintln!(
        "{} sessions on Dask ({address}); wrote {shown}, {}, {}",
        records.len(),
        output.join("results.csv").display(),
        summaries.join(", ")
    );
    Ok(table)
}

/// Writes DIR/STEM.jsonl and DIR/STEM.csv; returns their paths.
fn write_results(dir: &Path, stem: &str, records: &[ResultRecord]) -> Result<Vec<String>> {
    let jsonl = dir.join(format!("{stem}.jsonl"));
    let csv = dir.join(format!("{stem}.csv"));
    fs_err::write(&jsonl, write_jsonl(records))?;
    fs_err::write(&csv, write_csv(records))?;
    Ok(vec![jsonl.display().to_string(), csv.display().to_string()])
}

/// Writes the summary of a whole tournament's `records` into DIR: summary.txt (the table
/// printed), summary.csv, summary-domains.csv and, when the tournament measured models
/// over time, model-learning.csv. Returns the table and the paths written.
fn write_summary(
    dir: &Path,
    negotiators: &[String],
    records: &[ResultRecord],
) -> Result<(String, Vec<String>)> {
    let rows = summarize(negotiators, records.iter().map(ResultRecord::summary_row));
    let domains = summarize_by_domain(negotiators, records.iter().map(ResultRecord::summary_row));
    let learning = learning_curves(negotiators, records.iter().map(ResultRecord::learning));
    let table = summary_table(&rows);
    let mut files = vec![
        ("summary.txt", table.clone()),
        ("summary.csv", write_summary_csv(&rows)),
        ("summary-domains.csv", write_domain_summary_csv(&domains)),
    ];
    if learning.is_empty() {
        // Not a learning curve of an earlier run beside these results.
        let stale = dir.join("model-learning.csv");
        if stale.exists() {
            fs_err::remove_file(&stale)?;
        }
    } else {
        files.push(("model-learning.csv", write_learning_csv(&learning)));
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        fs_err::write(&path, text)?;
        written.push(path.display().to_string());
    }
    Ok((table, written))
}

/// The shard files `results-I-of-N.jsonl` of a folder, by name.
fn shard_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs_err::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if shard_of(&name).is_some() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        bail!(
            "`{}` holds no shard results (results-I-of-N.jsonl)",
            dir.display()
        );
    }
    Ok(files)
}

/// `(I, N)` of a file named `results-I-of-N.jsonl`.
fn shard_of(name: &str) -> Option<(u64, u64)> {
    let (i, n) = name
        .strip_prefix("results-")?
        .strip_suffix(".jsonl")?
        .split_once("-of-")?;
    Some((i.parse().ok()?, n.parse().ok()?))
}

/// Checkpoint times as a configuration writes them, or "the end only".
fn moments(times: &[f64]) -> String {
    if times.is_empty() {
        "the end only".into()
    } else {
        let listed: Vec<String> = times.iter().map(f64::to_string).collect();
        format!("[{}] and the end", listed.join(", "))
    }
}

/// Runs `accord merge`; returns the summary table.
pub(crate) fn merge(args: &MergeArgs) -> Result<String> {
    let mut files = Vec::new();
    for input in &args.inputs {
        if input.is_dir() {
            files.extend(shard_files(input)?);
        } else {
            files.push(input.clone());
        }
    }
    // Each index with the file it came from.
    let mut by_index: BTreeMap<u64, (ResultRecord, String)> = BTreeMap::new();
    let mut shard_counts = Vec::new();
    for file in &files {
        let shown = file.display().to_string();
        let text = fs_err::read_to_string(file)?;
        if let Some((_, n)) = file
            .file_name()
            .and_then(|name| shard_of(&name.to_string_lossy()))
        {
            shard_counts.push(n);
        }
        for record in read_jsonl(&shown, &text)? {
            if let Some((_, earlier)) = by_index.get(&record.index) {
                bail!(
                    "{shown}: session {} is also in `{earlier}`\nhint: give each shard once",
                    record.index
                );
            }
            by_index.insert(record.index, (record, shown.clone()));
        }
    }
    if by_index.is_empty() {
        bail!("no results to merge");
    }
    // Every index below the largest must be there; with shard files, every shard too.
    let n_shards = shard_counts.first().copied();
    if let Some(n) = n_shards {
        if shard_counts.iter().any(|&m| m != n) {
            bail!("the files come from different shardings (results-I-of-N with different N)");
        }
        for i in 0..n {
            let name = format!("results-{i}-of-{n}.jsonl");
            if !files
                .iter()
                .any(|f| f.file_name().is_some_and(|f| f == name.as_str()))
            {
                bail!("shard `{name}` is missing");
            }
        }
    }
    for (expected, (&index, (_, file))) in by_index.iter().enumerate() {
        let expected = expected as u64;
        if index != expected {
            let owner = n_shards.map_or_else(
                || "no file given".to_string(),
                |n| format!("it belongs in `results-{}-of-{n}.jsonl`", expected % n),
            );
            bail!("session {expected} is missing ({owner}); the next one, {index}, is in `{file}`");
        }
    }
    // One tournament measures every session's models at the same moments.
    let mut measured: Option<(Vec<f64>, u64, &str)> = None;
    for (&index, (record, file)) in &by_index {
        if record.model_quality.is_empty() {
            continue;
        }
        let times: Vec<f64> = record
            .model_quality_over_time
            .iter()
            .map(|c| c.time)
            .collect();
        match &measured {
            None => measured = Some((times, index, file)),
            Some((first, at, in_file)) if *first != times => bail!(
                "session {index} (in `{file}`) measured opponent models at {} but session {at} \
                 (in `{in_file}`) at {}: the files come from runs with different \
                 `model_checkpoints`",
                moments(&times),
                moments(first)
            ),
            Some(_) => {}
        }
    }
    let records: Vec<ResultRecord> = by_index.into_values().map(|(r, _)| r).collect();
    // In job order the negotiators first appear in the configuration's order.
    let mut negotiators: Vec<String> = Vec::new();
    for record in &records {
        for name in &record.line_up {
            if !negotiators.contains(name) {
                negotiators.push(name.clone());
            }
        }
    }
    fs_err::create_dir_all(&args.output)?;
    let mut written = write_results(&args.output, "results", &records)?;
    let (table, summaries) = write_summary(&args.output, &negotiators, &records)?;
    written.extend(summaries);
    eprintln!(
        "{} sessions from {} file{}; wrote {}",
        records.len(),
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        written.join(", ")
    );
    Ok(table)
}

/// The summary per negotiator, as a table.
pub(crate) fn summary_table(rows: &[NegotiatorSummary]) -> String {
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("negotiator".len());
    // Opponent-model columns only when some negotiator keeps a model.
    let models = rows.iter().any(|r| r.mean_model_error.is_some());
    let mut out = String::new();
    let _ = write!(
        out,
        "{:width$}  {:>4}  {:>8}  {:>9}  {:>12}  {:>7}  {:>11}  {:>7}  {:>7}  {:>7}",
        "negotiator",
        "rank",
        "sessions",
        "agreement",
        "mean utility",
        "±95%",
        "to frontier",
        "to Nash",
        "welfare",
        "±95%"
    );
    if models {
        let _ = write!(
            out,
            "  {:>7}  {:>9}  {:>14}",
            "model r", "model err", "model frontier"
        );
    }
    out.push('\n');
    let distance = |d: Option<f64>| d.map_or_else(|| "-".to_string(), |d| format!("{d:.4}"));
    for row in rows {
        let _ = write!(
            out,
            "{:width$}  {:>4}  {:>8}  {:>8.1}%  {:>12.4}  {:>7}  {:>11}  {:>7}  {:>7.4}  {:>7}",
            row.name,
            row.rank,
            row.negotiations,
            row.agreement_rate * 100.0,
            row.mean_utility,
            distance(row.utility_ci95),
            distance(row.mean_distance_to_frontier),
            distance(row.mean_distance_to_nash),
            row.mean_welfare,
            distance(row.welfare_ci95)
        );
        if models {
            let _ = write!(
                out,
                "  {:>7}  {:>9}  {:>14}",
                row.mean_model_pearson
                    .map_or_else(|| "-".to_string(), |r| format!("{r:.3}")),
                distance(row.mean_model_error),
                distance(row.mean_model_frontier_distance)
            );
        }
        out.push('\n');
    }
    out
}
