//! `accord serve`: the workbench server (HTTP/JSON API, its `OpenAPI` document at
//! `/openapi.json`) over an SQLite file or a PostgreSQL database.
//!
//! On the first start it creates the account `mediator` and prints its generated password
//! once; on a database without cases it offers to load the bundled example case. It then
//! prints one line, `listening on http://ADDR`, and serves until Ctrl-C or SIGTERM.

use std::io::{self, BufRead as _, IsTerminal as _, Write};

use accord_formats::case_file::CaseFormat;
use accord_server::auth::{NewAccount, create_account};
use accord_server::error::ApiError;
use accord_server::{AppState, ImportInput, import_case};
use accord_store::Store;
use anyhow::{Context as _, Result, anyhow};
use clap::Args;

/// The example case offered on a database without cases.
const EXAMPLE: &str = include_str!("../../../examples/peace-framework.toml");
const EXAMPLE_SOURCE: &str = "examples/peace-framework.toml";

/// Log filter when `RUST_LOG` is not set: the accord crates at `info`, the rest at `warn`.
const DEFAULT_LOG: &str = "warn,accord=info,accord_cli=info,accord_server=info,accord_store=info";

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The database: `sqlite:FILE` (created if missing) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DB`.
    #[arg(
        long,
        env = "ACCORD_DATABASE_URL",
        default_value = "sqlite:accord.db",
        value_name = "URL"
    )]
    db: String,
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    bind: String,
    /// Load the bundled example case (peace framework) if the database has no case,
    /// without asking.
    #[arg(long)]
    example: bool,
    /// The longest one analysis may run, in seconds, before it is stopped and answered
    /// "too large" (an analysis is also stopped when its client goes away).
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    analysis_seconds: u64,
    /// The most analyses one account may have running or waiting for a core at once (requests
    /// that wait for an analysis of the same case already running share it and do not count);
    /// more get 429.
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000))]
    analyses_per_account: u64,
    /// The cores analyses may use at once (default: every core); more analyses wait for a
    /// free one. Analyses run at a lower priority than requests, so pages stay quick.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_024))]
    analysis_threads: Option<u64>,
    /// How long, in seconds, a connection may take to send a request's headers or stay
    /// idle between requests before it is closed.
    #[arg(long, default_value_t = 10, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3_600))]
    header_timeout: u64,
    /// Mark the session cookie `Secure` (sent over HTTPS only): for a server reached over
    /// HTTPS, directly or behind a proxy.
    #[arg(long)]
    secure_cookies: bool,
}

impl ServeArgs {
    fn settings(&self) -> accord_server::Settings {
        accord_server::Settings {
            analysis_time: std::time::Duration::from_secs(self.analysis_seconds),
            analyses_per_account: usize::try_from(self.analyses_per_account).unwrap_or(usize::MAX),
            analysis_threads: self.analysis_threads.map_or_else(
                || accord_server::Settings::default().analysis_threads,
                |n| usize::try_from(n).unwrap_or(usize::MAX),
            ),
            secure_cookies: self.secure_cookies,
            header_timeout: std::time::Duration::from_secs(self.header_timeout),
        }
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub(crate) fn serve(args: &ServeArgs, out: &mut impl Write) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    // A second subscriber (tests running in one process) is not an error worth stopping for.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = runtime.block_on(run(args, out));
    // An analysis still running on a blocking thread does not hold up the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    served
}

async fn run(args: &ServeArgs, out: &mut impl Write) -> Result<()> {
    let store = Store::open(&args.db)
        .await
        .with_context(|| format!("opening the database `{}`", redact(&args.db)))?;
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("listening on `{}`", args.bind))?;
    let address = listener
        .local_addr()
        .with_context(|| format!("listening on `{}`", args.bind))?;
    let state = AppState::with_settings(store, args.settings());
    first_mediator(&state, out).await?;
    example_case(&state, args.example, out).await?;
    writeln!(out, "listening on http://{address}")?;
    out.flush()?;
    let timeout = state.settings().header_timeout;
    let served =
        accord_server::serve(listener, accord_server::router(state.clone()), timeout).await;
    state.store.close().await;
    served.context("serving")
}

/// Creates the account `mediator` on a database without accounts, and prints its password.
async fn first_mediator(state: &AppState, out: &mut impl Write) -> Result<()> {
    if state
        .store
        .account_count()
        .await
        .context("counting accounts")?
        > 0
    {
        return Ok(());
    }
    let request = NewAccount {
        username: "mediator".to_string(),
        role: "mediator".to_string(),
        case: None,
        party: None,
        password: None,
    };
    match create_account(state, None, request).await {
        Ok(created) => {
            let password = created.password.unwrap_or_default();
            writeln!(
                out,
                "created the mediator account: username `mediator`, password `{password}` (shown once)"
            )?;
            out.flush()?;
            Ok(())
        }
        // Another server on the same database created it a moment ago.
        Err(error) if error.status().as_u16() == 409 => Ok(()),
        Err(error) => Err(api_error("creating the mediator account", &error)),
    }
}

/// Offers the example case on a database without cases: loads it with `--example` or on
/// a yes at the terminal; otherwise prints how to.
async fn example_case(state: &AppState, example: bool, out: &mut impl Write) -> Result<()> {
    if !state
        .store
        .cases()
        .await
        .context("listing cases")?
        .is_empty()
    {
        return Ok(());
    }
    let load = if example {
        true
    } else if io::stdin().is_terminal() {
        write!(out, "load the example case (peace framework)? [Y/n] ")?;
        out.flush()?;
        let mut answer = String::new();
        let n_read = io::stdin()
            .lock()
            .read_line(&mut answer)
            .context("reading the answer")?;
        // End of input is no answer, so no case; an empty line takes the default, yes.
        n_read > 0
            && matches!(
                answer.trim().to_ascii_lowercase().as_str(),
                "" | "y" | "yes"
            )
    } else {
        writeln!(
            out,
            "the database has no case yet\nhint: start with --example to load the example case (peace framework), or import one through the API"
        )?;
        false
    };
    if load {
        let input = ImportInput::CaseFile {
            format: CaseFormat::Toml,
            text: EXAMPLE.to_string(),
        };
        let id = import_case(state, None, EXAMPLE_SOURCE, input)
            .await
            .map_err(|e| api_error("loading the example case", &e))?;
        writeln!(
            out,
            "loaded the example case (peace framework) as case `{id}`"
        )?;
    }
    Ok(())
}

/// An API error as a CLI error. Server faults are logged (to stderr) with their details
/// when they happen; the rest are described by their status.
fn api_error(what: &str, error: &ApiError) -> anyhow::Error {
    anyhow!("{what} failed: {}", error.status())
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{path}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    fn check(url: &str, expected: &str) {
        assert_eq!(redact(url), expected);
    }

    #[test]
    fn redacts_passwords() {
        check("sqlite:accord.db", "sqlite:accord.db");
        check(
            "postgres://me@db:5432/accord",
            "postgres://me@db:5432/accord",
        );
        check(
            "postgres://me:s3cret@db:5432/accord",
            "postgres://me:***@db:5432/accord",
        );
        check(
            "postgres://me:p@ss@db/accord",
            "postgres://me:***@db/accord",
        );
    }
}
