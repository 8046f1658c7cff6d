//! The `pronoturf` binary: parses the command line, reads Settings once, and calls into the
//! libraries. One subcommand per process or job.

/// mimalloc rather than glibc's malloc: under load the servers' many threads made glibc keep
/// per-thread arenas of freed memory, and a history read (drift, training) left hundreds of MiB
/// resident long after it was freed; mimalloc gives freed pages back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod demo;
mod evaluate;
mod jobs_cmd;
mod models;
mod predict;
mod progress;
mod serve;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{Cli, Command};
use pronoturf_core::settings::{LogFormat, Settings};
use pronoturf_core::store::{self, JobOutcome, Store};
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A missing .env is normal; a malformed one is worth saying.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("error: .env: {e}");
        return ExitCode::FAILURE;
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(settings.log_format, cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, skipping a cause whose text the message already shows
/// (many errors embed their source in their own message).
fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

/// Logs go to stderr so that `--json` output on stdout stays machine-readable.
fn init_logging(format: LogFormat, verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if verbose {
        "debug,sqlx=warn,hyper=info,reqwest=info"
    } else {
        "warn,pronoturf=info,pronoturf_jobs=info,pronoturf_pmu=info,pronoturf_core=info,pronoturf_dashboard=info"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colours only for a terminal: a log file or a collector must not receive escape codes.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.compact().init(),
    }
}

async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
    store::open(&settings.database_url)
        .await
        .with_context(|| format!("opening {}", settings.database_url))
}

async fn open_lazy(settings: &Settings) -> Result<Arc<dyn Store>> {
    store::open_or_lazy(&settings.database_url)
        .await
        .with_context(|| format!("opening {}", settings.database_url))
}

async fn run(command: Command, settings: Settings) -> Result<ExitCode> {
    match command {
        Command::Migrate => {
            let store = open_store(&settings).await?;
            let health = store.health().await?;
            println!(
                "{} {} at {}: {} migration(s) applied",
                health.backend, health.version, settings.database_url, health.migrations
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats(args) => {
            let store = open_store(&settings).await?;
            let stats = store.stats().await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                print!("{}", cli::stats_table(&stats));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => cli::import(open_store(&settings).await?, &settings, args).await,
        Command::Sync(args) => cli::sync(open_store(&settings).await?, &settings, args).await,
        Command::Check(args) => cli::check(&settings, args).await,
        Command::Api(args) => cli::api(settings, args).await,
        Command::Serve(args) => serve::serve(open_lazy(&settings).await?, settings, args).await,
        Command::Demo(args) => demo::demo(open_store(&settings).await?, settings, args).await,
        Command::Dashboard(args) => cli::dashboard(settings, args).await,
        Command::Evaluate(args) => evaluate::evaluate(open_store(&settings).await?, args).await,
        // Long-running processes start even when MySQL is down, and connect once it is up.
        Command::Worker => jobs_cmd::worker(open_lazy(&settings).await?, &settings).await,
        Command::Scheduler => jobs_cmd::scheduler(open_lazy(&settings).await?, &settings).await,
        Command::Jobs(command) => {
            jobs_cmd::jobs(open_store(&settings).await?, &settings, command).await
        }
        Command::Train(args) => models::train(open_store(&settings).await?, &settings, args).await,
        Command::Models(args) => models::models(&settings, args),
        Command::Predict(args) => {
            predict::predict(open_store(&settings).await?, &settings, args).await
        }
        Command::Bets(args) => predict::bets(open_store(&settings).await?, &settings, args).await,
    }
}

/// Runs `job` as a recorded job run: start, end, outcome, counts and error are stored.
pub(crate) async fn recorded<T: serde::Serialize>(
    store: &dyn Store,
    job: &str,
    params: serde_json::Value,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let id = store.start_job_run(job, &params, 1).await?;
    let outcome = work.await;
    let (status, counts, error) = match &outcome {
        Ok(value) => (
            JobOutcome::Succeeded,
            serde_json::to_value(value).ok(),
            None,
        ),
        Err(e) => (JobOutcome::Failed, None, Some(format!("{e:#}"))),
    };
    if let Err(e) = store
        .finish_job_run(id, status, counts.as_ref(), error.as_deref())
        .await
    {
        tracing::warn!(error = %e, job, "could not record the end of the job run");
    }
    outcome
}
