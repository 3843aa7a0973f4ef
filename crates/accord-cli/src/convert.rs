//! `accord convert`: a case or domain folder written as a GENIUS XML or GeniusWeb JSON
//! domain folder ([`accord_formats::export`]), or as a case file.

use std::io::Write;
use std::path::{Path, PathBuf};

use accord_formats::case_file::{CaseFormat, write_case};
use accord_formats::export::{ExportOptions, export_folder};
use accord_formats::folder::DomainFormat;
use anyhow::{Context, Result, bail};
use clap::Args;

use crate::load::load_every_profile;

#[derive(Args)]
pub(crate) struct ConvertArgs {
    /// A case file (.toml or .json), a GENIUS domain folder or a GeniusWeb domain folder.
    path: PathBuf,
    /// What to write: `genius` (a GENIUS XML folder: domain.xml and a profile per party),
    /// `geniusweb` (a GeniusWeb JSON folder), or a case file, `toml` or `json`.
    #[arg(long, value_parser = ["genius", "geniusweb", "toml", "json"])]
    to: String,
    /// The folder to create (for genius and geniusweb; it must not exist or be empty), or
    /// the case file to write (default: print it).
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// The parties to write, comma-separated (default: every party with a position; for a
    /// folder, every profile that reads).
    #[arg(long, alias = "profiles", value_delimiter = ',', value_name = "IDS")]
    parties: Vec<String>,
    /// Write even what the format holds only with a change: red lines and discount factors
    /// are left out, GeniusWeb weights rescaled to sum to 1 and reservation values turned
    /// into the bid of the least utility at or above them; each change is printed.
    #[arg(long)]
    allow_loss: bool,
}

/// Runs the conversion; the summary goes to `out`, notes and warnings to stderr.
pub(crate) fn convert(args: &ConvertArgs, out: &mut impl Write) -> Result<()> {
    let loaded = load_every_profile(&args.path, &args.parties)?;
    let mut stderr = std::io::stderr().lock();
    for warning in &loaded.source.warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    let format = match args.to.as_str() {
        "genius" => DomainFormat::GeniusXml,
        "geniusweb" => DomainFormat::GeniusWebJson,
        case_format => {
            let format = if case_format == "json" {
                CaseFormat::Json
            } else {
                CaseFormat::Toml
            };
            let text = write_case(&loaded.case, format);
            match &args.output {
                None => out.write_all(text.as_bytes())?,
                Some(path) => {
                    if is_same_file(path, &args.path) {
                        bail!(
                            "-o `{}` is the input itself; write the case file elsewhere",
                            path.display()
                        );
                    }
                    fs_err::write(path, text)?;
                    writeln!(out, "wrote {}", path.display())?;
                }
            }
            return Ok(());
        }
    };
    let Some(dir) = &args.output else {
        bail!("--to {}: give the folder to create with -o DIR", args.to);
    };
    let options = ExportOptions {
        allow_loss: args.allow_loss,
    };
    let written = export_folder(&loaded.case, &loaded.parties, format, options)
        .with_context(|| {
            if args.allow_loss {
                format!(
                    "`{}` cannot be written as {}, even with loss allowed",
                    loaded.source.path,
                    format_name(format)
                )
            } else {
                format!(
                    "`{}` cannot be written as {} without a change (--allow-loss writes what can be, saying what changed)",
                    loaded.source.path,
                    format_name(format)
                )
            }
        })?;
    let shown = dir.display().to_string();
    prepare_folder(dir)?;
    for file in &written.files {
        fs_err::write(dir.join(&file.name), &file.bytes)?;
    }
    for note in &written.notes {
        let _ = writeln!(stderr, "note: {note}");
    }
    writeln!(
        out,
        "wrote {shown}: {} and {} profile{} ({})",
        written.domain_file,
        written.profiles.len(),
        if written.profiles.len() == 1 { "" } else { "s" },
        written.profiles.join(", ")
    )?;
    Ok(())
}

/// Whether two paths name the same existing file.
fn is_same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn format_name(format: DomainFormat) -> &'static str {
    match format {
        DomainFormat::GeniusXml => "GENIUS XML",
        DomainFormat::GeniusWebJson => "GeniusWeb JSON",
    }
}

/// Creates the folder, or accepts an empty one: files left in it would join the domain.
fn prepare_folder(dir: &Path) -> Result<()> {
    let shown = dir.display();
    if dir.exists() {
        if !dir.is_dir() {
            bail!("`{shown}` is a file; -o names a folder to create");
        }
        if fs_err::read_dir(dir)?.next().is_some() {
            bail!(
                "`{shown}` is not empty; give a new folder (files already there would be read as part of the domain)"
            );
        }
        return Ok(());
    }
    fs_err::create_dir_all(dir)?;
    Ok(())
}
