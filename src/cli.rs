//! The command line: subcommands, their arguments and help, and the handlers of the data commands.

use crate::progress::{ImportBar, SyncBar};
use crate::recorded;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use pronoturf_core::cache::Cache;
use pronoturf_core::settings::Settings;
use pronoturf_core::store::{JobOutcome, Store, StoreStats};
use pronoturf_jobs::import::import_history;
use pronoturf_jobs::sync::{self, Source};
use pronoturf_pmu::client::{ClientConfig, TurfinfoClient};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// PronoTurf: PMU horse-racing data, predictions and analytics.
///
/// Configuration comes from environment variables and an optional .env file in the current
/// folder (see .env.example): DATABASE_URL (default sqlite://data/pronoturf.db), REDIS_URL,
/// API_PORT, DASHBOARD_PORT, ML_MODELS_DIR, PMU_BASE_URL, LOG_FORMAT, ...
#[derive(Debug, Parser)]
#[command(name = "pronoturf", version, propagate_version = true)]
pub struct Cli {
    /// Log debug details (RUST_LOG, when set, takes precedence).
    #[arg(long, short, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the database schema (every command also does it on start).
    Migrate,
    /// Show row counts and the range of dates stored.
    Stats(StatsArgs),
    /// Import race history from CSV files (history CSV v1).
    ///
    /// Each file is read and validated completely before anything is written: a malformed file
    /// is reported with its line and column and nothing of it is imported. Importing the same file
    /// again changes nothing.
    Import(ImportArgs),
    /// Sync race days from the PMU Turfinfo API: programme, runners, odds, results and payouts.
    ///
    /// Every response is archived in the database, so a day can be replayed with
    /// --from-archive and no network. Each race is written in its own transaction; a race that
    /// fails is reported and the others are kept. Syncing a day again changes nothing unless PMU
    /// published something new. Exits with status 1 when any race failed.
    Sync(SyncArgs),
    /// Serve the REST API (default port 8000, API_PORT) until Ctrl-C or SIGTERM.
    ///
    /// Health at /health and /api/v1/health/{db,redis,all}, data under /api/v1, the OpenAPI spec
    /// at /api/v1/openapi.json and its Swagger UI at /api/v1/docs. Starts even when MySQL is
    /// down: health answers 503 until it is back.
    Api(ServeArgs),
    /// Run everything in one process: the REST API, the dashboard, the job worker and the
    /// scheduler (the embedded default: with no REDIS_URL the queue and the cache are in process).
    ///
    /// The scheduler enqueues sync 06:00, predictions 07:00, results hourly 12:00-23:00 and
    /// retraining Monday 02:00 (Europe/Paris) and the worker runs them; see `scheduler --help`.
    /// Stops on Ctrl-C or SIGTERM after finishing requests and the running job.
    Serve(ServeAllArgs),
    /// First run in one command: load data, train, predict, settle, then serve.
    ///
    /// Loads --history FILE.csv, or generates a synthetic season (every name in it says
    /// SYNTHETIQUE/SYNTH), trains a model on all but the last --predict-days race days, predicts
    /// those days and settles their simulated bets out of sample, then serves like `serve`.
    /// Honours DATABASE_URL, ML_MODELS_DIR, API_PORT and DASHBOARD_PORT.
    Demo(crate::demo::DemoArgs),
    /// Serve the analysts' dashboard (default port 8501, DASHBOARD_PORT) until Ctrl-C or SIGTERM.
    ///
    /// Server-rendered pages in French with SVG charts, reading the database directly: overview,
    /// races, horses, jockeys, trainers and operations (health of database, Redis and the API at
    /// API_URL). Every table downloads as CSV with ?format=csv. Works without JavaScript.
    Dashboard(ServeArgs),
    /// Evaluate the model walk-forward on the stored races, beside the market.
    ///
    /// For each week from --from to --to, the model is trained only on races before that week and
    /// predicts it; Benter's second stage combines it with the market using earlier weeks'
    /// out-of-sample predictions only. Log-loss, Brier, hit rates, calibration, betting ROI and a
    /// bootstrap confidence interval are reported on exactly the same races for model and market.
    Evaluate(crate::evaluate::EvaluateArgs),
    /// Check the deployment from inside: database, Redis, API, dashboard and model registry.
    ///
    /// The database: reachable, version, every migration applied, row counts. Redis: PING and a
    /// SET/GET round trip ("embedded" when REDIS_URL is unset). The API (GET API_URL/health) and
    /// the dashboard (GET DASHBOARD_URL/), 2 s each; defaults http://localhost:API_PORT and
    /// http://localhost:DASHBOARD_PORT. The model registry: ML_MODELS_DIR exists and is writable.
    /// Prints a table; exits with status 1 when any check fails.
    ///
    /// With --url, checks only that each URL answers HTTP 2xx: the containers' healthcheck.
    Check(CheckArgs),
    /// Run background jobs from the Redis queue until Ctrl-C or SIGTERM (replaces the Celery
    /// worker).
    ///
    /// Each job is recorded (see `jobs list`); a failed job is retried with exponential backoff
    /// and, after JOBS_MAX_ATTEMPTS attempts, moved to the dead-letter list (`jobs dead`) and
    /// notified on Telegram. A job held by a worker that died is redelivered after
    /// JOBS_VISIBILITY_TIMEOUT_SECS. On shutdown the running job is finished first. Needs
    /// REDIS_URL.
    Worker,
    /// Enqueue the scheduled jobs at their Europe/Paris times until Ctrl-C or SIGTERM (replaces
    /// Celery beat).
    ///
    /// Defaults: sync 06:00, odds every 30 min 09:00-22:30, predict 07:00, results hourly
    /// 12:00-23:00, retrain Monday 02:00, report 20:00; change them with SCHEDULE_SYNC,
    /// SCHEDULE_ODDS, ... (cron, Paris time; empty disables). A slot missed earlier today is run
    /// once at start; several schedulers may run, each slot fires once. Needs REDIS_URL.
    Scheduler,
    /// Job runs, running one job now, the queue and its dead letters.
    #[command(subcommand)]
    Jobs(crate::jobs_cmd::JobsCommand),
    /// Train a model on the stored races and save it as a new version in ML_MODELS_DIR.
    ///
    /// The new version becomes champion (the serving model) when there is none, or when its
    /// recipe's walk-forward per-race log-loss over the last --compare-weeks weeks is at most the
    /// champion's on the same races. Both figures and the decision go to its metrics.json.
    Train(crate::models::TrainArgs),
    /// List the model versions or promote one (rollback).
    Models(crate::models::ModelsArgs),
    /// Predict every stored race of a day with the champion model and store the result.
    ///
    /// Per runner: win and top-three probabilities, rank, the features pushing it up and down,
    /// and its edge and Kelly stake at morning odds; per race: gagnant, placé, tiercé, quarté and
    /// quinté pronostics with a confidence level. Running it again replaces that day's
    /// predictions for that model. Refuses to run without a champion (`pronoturf train`).
    Predict(crate::predict::PredictArgs),
    /// Simulated bets: settle a day, list its bets, show the bankroll of each strategy.
    ///
    /// Strategies: top_pick_win_flat (1 € SIMPLE_GAGNANT on the top pick), value_win_kelly
    /// (SIMPLE_GAGNANT on edges above 0.10, quarter Kelly of a 100 € bank), top_place_flat
    /// (1 € SIMPLE_PLACE on the likeliest placed runner).
    Bets(crate::predict::BetsArgs),
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print the report as JSON (keys: ok, checks[name, target, status, detail, millis]).
    #[arg(long)]
    pub json: bool,
    /// Only check that this URL answers HTTP 2xx within 2 s (repeatable).
    #[arg(long, value_name = "URL")]
    pub url: Vec<url::Url>,
}

/// Arguments of the server commands.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (default: API_PORT 8000 for `api`, DASHBOARD_PORT 8501 for `dashboard`).
    #[arg(long)]
    pub port: Option<u16>,
}

/// Ports of `serve` and `demo`.
#[derive(Debug, Args)]
pub struct ServeAllArgs {
    /// Port of the REST API (default: API_PORT, 8000).
    #[arg(long, value_name = "PORT")]
    pub api_port: Option<u16>,
    /// Port of the dashboard (default: DASHBOARD_PORT, 8501).
    #[arg(long, value_name = "PORT")]
    pub dashboard_port: Option<u16>,
}

/// Arguments of `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print one JSON object (keys: tracks, meetings, races, runners, horses, jockeys, trainers,
    /// results, payouts, odds_snapshots, payloads, first_date, last_date).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// History CSV files (v1: date, meeting, race, track, discipline, runner, horse, status, ...).
    #[arg(required = true, value_name = "FILE.csv")]
    pub files: Vec<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// First day to sync (YYYY-MM-DD, local Paris date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    /// Last day to sync, inclusive (default: --date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    /// Replay payloads archived by earlier syncs instead of calling the API.
    #[arg(long)]
    pub from_archive: bool,
    /// Requests in flight at once (default: PMU_CONCURRENCY, 4).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Renders `stats` as an aligned two-column table.
pub fn stats_table(s: &StoreStats) -> String {
    let mut out = String::new();
    let rows: [(&str, i64); 11] = [
        ("tracks", s.tracks),
        ("meetings", s.meetings),
        ("races", s.races),
        ("runners", s.runners),
        ("horses", s.horses),
        ("jockeys", s.jockeys),
        ("trainers", s.trainers),
        ("results", s.results),
        ("payouts", s.payouts),
        ("odds_snapshots", s.odds_snapshots),
        ("payloads", s.payloads),
    ];
    for (name, n) in rows {
        let _ = writeln!(out, "{name:<16}{n:>10}");
    }
    let date = |d: Option<NaiveDate>| d.map_or_else(|| "-".to_string(), |d| d.to_string());
    let _ = writeln!(out, "{:<16}{:>10}", "first_date", date(s.first_date));
    let _ = writeln!(out, "{:<16}{:>10}", "last_date", date(s.last_date));
    out
}

/// `pronoturf import`.
/// Tells the API processes that data changed. With the in-process cache, another process's
/// memory cannot be reached: its entries expire within their TTL (a minute at most).
pub(crate) async fn invalidate_cache(settings: &Settings) {
    match Cache::new(settings.redis_url.as_ref()) {
        Ok(cache) => cache.invalidate().await,
        Err(e) => tracing::warn!(error = %e, "cannot reach the cache to invalidate it"),
    }
}

pub async fn import(
    store: Arc<dyn Store>,
    settings: &Settings,
    args: ImportArgs,
) -> Result<ExitCode> {
    for file in &args.files {
        let shown = file.display().to_string();
        let mut bar = ImportBar::new(&shown);
        let params = serde_json::json!({ "file": shown });
        let outcome = recorded(store.as_ref(), "import", params, async {
            Ok(import_history(store.as_ref(), file, &mut bar).await?)
        })
        .await;
        bar.finish();
        let summary = outcome?;
        invalidate_cache(settings).await;
        if args.json {
            println!("{}", serde_json::to_string(&summary)?);
        } else {
            let w = summary.written;
            println!(
                "{shown}: {} rows, {} races, {} runners, {} odds snapshots in {:.1} s ({:.0} rows/s)",
                summary.rows,
                w.races,
                w.runners,
                w.odds_snapshots,
                summary.seconds,
                summary.rows as f64 / summary.seconds.max(1e-9)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `pronoturf sync`.
pub async fn sync(store: Arc<dyn Store>, settings: &Settings, args: SyncArgs) -> Result<ExitCode> {
    let to = args.to.unwrap_or(args.date);
    if to < args.date {
        bail!("--to {to} is before --date {}", args.date);
    }
    let concurrency = args.concurrency.unwrap_or(settings.pmu_concurrency);
    if concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    let source = if args.from_archive {
        Source::Archive
    } else {
        let mut config = ClientConfig::new(settings.pmu_base_url.clone());
        config.max_concurrency = concurrency;
        Source::Network(TurfinfoClient::new(config).context("building the PMU client")?)
    };
    let params = serde_json::json!({
        "from": args.date, "to": to, "from_archive": args.from_archive,
    });
    let run = store.start_job_run("sync", &params, 1).await?;
    let mut bar = SyncBar::new();
    let summary =
        sync::sync_days(store.clone(), &source, args.date, to, concurrency, &mut bar).await;
    if summary.races > 0 {
        invalidate_cache(settings).await;
    }
    let (outcome, error) = if summary.errors.is_empty() {
        (JobOutcome::Succeeded, None)
    } else {
        (JobOutcome::Failed, Some(summary.errors.join("\n")))
    };
    store
        .finish_job_run(
            run,
            outcome,
            Some(&serde_json::to_value(&summary)?),
            error.as_deref(),
        )
        .await?;
    bar.finish();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "synced {} day(s){}: {} races ({} without runners yet), {} runners, {} results, {} payouts, {} error(s)",
            summary.days,
            if summary.days_unpublished > 0 {
                format!(" ({} not published)", summary.days_unpublished)
            } else {
                String::new()
            },
            summary.races,
            summary.races_without_runners,
            summary.runners,
            summary.results,
            summary.payouts,
            summary.errors.len()
        );
        for error in &summary.errors {
            println!("  error: {error}");
        }
    }
    Ok(if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `pronoturf check`.
pub async fn check(settings: &Settings, args: CheckArgs) -> Result<ExitCode> {
    let report = if args.url.is_empty() {
        pronoturf_jobs::check::run_all(settings).await
    } else {
        pronoturf_jobs::check::run_urls(&args.url).await
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `pronoturf api`.
pub async fn api(settings: Settings, args: ServeArgs) -> Result<ExitCode> {
    let store = pronoturf_core::store::open_or_lazy(&settings.database_url)
        .await
        .with_context(|| format!("opening {}", settings.database_url))?;
    let address = format!(
        "{}:{}",
        settings.bind_address,
        args.port.unwrap_or(settings.api_port)
    );
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let state = pronoturf_api::AppState::new(store, settings).context("REDIS_URL")?;
    tracing::info!(%address, "API listening; docs at /api/v1/docs");
    pronoturf_api::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("API stopped");
    Ok(ExitCode::SUCCESS)
}

/// `pronoturf dashboard`: binds the listener first (a busy port fails at once), then serves.
pub async fn dashboard(settings: Settings, args: ServeArgs) -> Result<ExitCode> {
    let address = format!(
        "{}:{}",
        settings.bind_address,
        args.port.unwrap_or(settings.dashboard_port)
    );
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let store = pronoturf_core::store::open_or_lazy(&settings.database_url)
        .await
        .with_context(|| format!("opening {}", settings.database_url))?;
    let state = pronoturf_dashboard::AppState::new(store, settings)?;
    tracing::info!(%address, "dashboard listening");
    pronoturf_dashboard::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("dashboard stopped");
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or SIGTERM (what docker stop sends).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
