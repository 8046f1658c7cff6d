//! The background-job commands: `worker`, `scheduler` and `jobs list|run|enqueue|dead|retry`.
//! They build the queue, the handlers and the contexts from Settings and call into the jobs
//! library; `serve` can reuse `worker_ctx` and `scheduler_ctx` to run both in one process.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use pronoturf_core::cache::Cache;
use pronoturf_core::queue::{Enqueued, Job, JobQueue};
use pronoturf_core::settings::Settings;
use pronoturf_core::store::{JobRun, Store};
use pronoturf_jobs::handlers::{JOB_NAMES, JobDeps, standard_registry};
use pronoturf_jobs::notify::Notifier;
use pronoturf_jobs::scheduler::{SchedulerCtx, SystemClock};
use pronoturf_jobs::sync::Source;
use pronoturf_jobs::worker::{Registry, WorkerCtx, run_now};
use pronoturf_pmu::client::{ClientConfig, TurfinfoClient};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// `pronoturf jobs` subcommands.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Show the most recent job runs: job, parameters, attempt, start, duration, status, error.
    List(ListArgs),
    /// Run one job now, in the foreground, without the queue; the run is recorded.
    ///
    /// NAME is one of sync (today's and tomorrow's programme and runners), odds (a fresh odds
    /// snapshot of the day's races), results (results and payouts of the day), report (the
    /// daily report, sent to Telegram when configured), predict, retrain. Exits with status 1
    /// when the job fails.
    Run(JobArgs),
    /// Put one job on the Redis queue for a worker (needs REDIS_URL). An identical job already
    /// waiting is not added twice.
    Enqueue(JobArgs),
    /// Show jobs given up after their last attempt (the dead-letter list), with their error.
    Dead(DeadArgs),
    /// Put a dead-lettered job back on the queue, at attempt 1 (ID from `jobs dead`).
    Retry(RetryArgs),
}

/// Arguments of `jobs list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// How many runs, newest first.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: u32,
    /// Print a JSON array (id, job, params, attempt, started_at, finished_at, status, counts,
    /// error).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `jobs run` and `jobs enqueue`.
#[derive(Debug, Args)]
pub struct JobArgs {
    /// sync, odds, predict, results, retrain or report.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The Paris day to work on (default: today in Paris).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
}

/// Arguments of `jobs dead`.
#[derive(Debug, Args)]
pub struct DeadArgs {
    /// How many, newest first.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Print a JSON array of {job: {id, name, params, attempt, enqueued_at}, error, failed_at}.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `jobs retry`.
#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The job id shown by `jobs dead`.
    pub id: String,
}

/// The handlers this binary runs. predict and retrain from the ML jobs register here too.
pub fn registry(
    store: Arc<dyn Store>,
    settings: &Settings,
    notifier: Notifier,
    cache: Arc<Cache>,
) -> Result<Registry> {
    let mut config = ClientConfig::new(settings.pmu_base_url.clone());
    config.max_concurrency = settings.pmu_concurrency;
    let client = TurfinfoClient::new(config).context("building the PMU client")?;
    let deps = JobDeps {
        store,
        source: Source::Network(client),
        concurrency: settings.pmu_concurrency,
        notifier,
        models_dir: settings.ml_models_dir.clone(),
        cache,
    };
    Ok(standard_registry(&deps))
}

/// The queue the settings name (Redis, or in process).
pub fn queue(settings: &Settings) -> Result<JobQueue> {
    JobQueue::new(settings.redis_url.as_ref(), settings.queue.clone()).context("REDIS_URL")
}

/// Everything a worker loop needs, on `queue` (share one in-process queue with the scheduler
/// and the API when they run in the same process).
pub fn worker_ctx(
    store: Arc<dyn Store>,
    settings: &Settings,
    queue: JobQueue,
    cache: Arc<Cache>,
) -> Result<WorkerCtx> {
    let notifier = Notifier::from_settings(settings).context("Telegram notifier")?;
    Ok(WorkerCtx {
        queue,
        registry: Arc::new(registry(store.clone(), settings, notifier.clone(), cache)?),
        store,
        notifier,
        poll: Duration::from_secs(5),
        // docker stop sends SIGKILL 10 s after SIGTERM.
        shutdown_grace: Duration::from_secs(8),
    })
}

/// Everything a scheduler loop needs, on `queue`.
pub fn scheduler_ctx(store: Arc<dyn Store>, settings: &Settings, queue: JobQueue) -> SchedulerCtx {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
    SchedulerCtx {
        queue,
        store,
        schedules: settings.schedules.clone(),
        clock: Arc::new(SystemClock),
        owner: format!("{host}:{}", std::process::id()),
    }
}

/// A separate worker or scheduler process only makes sense with a shared (Redis) queue.
/// The API's response cache as another process reaches it: on Redis when configured; in process
/// otherwise, where invalidating it is a no-op for the API (its entries expire within a minute).
fn response_cache(settings: &Settings) -> Result<Arc<Cache>> {
    Ok(Arc::new(
        Cache::new(settings.redis_url.as_ref()).context("REDIS_URL")?,
    ))
}

fn shared_queue(settings: &Settings, what: &str) -> Result<JobQueue> {
    if settings.redis_url.is_none() {
        bail!(
            "REDIS_URL is not set: {what} needs the Redis queue shared with the other processes \
             (without Redis, run one job with `pronoturf jobs run NAME`)"
        );
    }
    queue(settings)
}

/// `pronoturf worker`.
pub async fn worker(store: Arc<dyn Store>, settings: &Settings) -> Result<ExitCode> {
    let ctx = worker_ctx(
        store,
        settings,
        shared_queue(settings, "a separate worker")?,
        response_cache(settings)?,
    )?;
    pronoturf_jobs::worker::run(ctx, crate::cli::shutdown_signal()).await;
    Ok(ExitCode::SUCCESS)
}

/// `pronoturf scheduler`.
pub async fn scheduler(store: Arc<dyn Store>, settings: &Settings) -> Result<ExitCode> {
    let ctx = scheduler_ctx(
        store,
        settings,
        shared_queue(settings, "a separate scheduler")?,
    );
    pronoturf_jobs::scheduler::run(ctx, crate::cli::shutdown_signal()).await;
    Ok(ExitCode::SUCCESS)
}

fn job(args: &JobArgs) -> Result<Job> {
    if !JOB_NAMES.contains(&args.name.as_str()) {
        bail!(
            "unknown job {:?}: use one of {}",
            args.name,
            JOB_NAMES.join(", ")
        );
    }
    let params = match args.date {
        Some(date) => serde_json::json!({ "date": date }),
        None => serde_json::json!({}),
    };
    Ok(Job::new(&args.name, params))
}

/// `pronoturf jobs ...`.
pub async fn jobs(
    store: Arc<dyn Store>,
    settings: &Settings,
    command: JobsCommand,
) -> Result<ExitCode> {
    match command {
        JobsCommand::List(args) => {
            let runs = store.list_job_runs(args.limit).await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&runs)?);
            } else {
                print!("{}", runs_table(&runs));
            }
        }
        JobsCommand::Run(args) => {
            let job = job(&args)?;
            let notifier = Notifier::from_settings(settings).context("Telegram notifier")?;
            let registry = registry(store.clone(), settings, notifier, response_cache(settings)?)?;
            let counts = run_now(store.as_ref(), &registry, &job).await?;
            println!("{} done: {counts}", job.name);
        }
        JobsCommand::Enqueue(args) => {
            let job = job(&args)?;
            let name = job.name.clone();
            match shared_queue(settings, "enqueuing")?
                .enqueue_job(job)
                .await?
            {
                Enqueued::Added(id) => println!("{name} enqueued (id {id})"),
                Enqueued::Duplicate => println!("{name}: an identical job is already waiting"),
            }
        }
        JobsCommand::Dead(args) => {
            let dead = shared_queue(settings, "the dead-letter list")?
                .dead_letters(args.limit)
                .await?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&dead)?);
            } else if dead.is_empty() {
                println!("no dead-lettered jobs");
            } else {
                for d in dead {
                    println!(
                        "{}  {}  attempt {}  failed {}  params {}\n    {}",
                        d.job.id,
                        d.job.name,
                        d.job.attempt,
                        d.failed_at.format("%Y-%m-%d %H:%M:%S"),
                        d.job.params,
                        d.error
                    );
                }
            }
        }
        JobsCommand::Retry(args) => {
            if !shared_queue(settings, "retrying")?
                .retry_dead(&args.id)
                .await?
            {
                bail!(
                    "no dead-lettered job with id {} (see `pronoturf jobs dead`)",
                    args.id
                );
            }
            println!("job {} enqueued again", args.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Job runs as an aligned table, times in UTC.
fn runs_table(runs: &[JobRun]) -> String {
    let mut out = format!(
        "{:>6}  {:<8} {:<10} {:>3}  {:<19}  {:>8}  {:<24} error\n",
        "id", "job", "status", "try", "started (UTC)", "seconds", "params"
    );
    for r in runs {
        let seconds = r.finished_at.map_or_else(
            || "-".into(),
            |end| {
                format!(
                    "{:.1}",
                    (end - r.started_at).num_milliseconds() as f64 / 1000.0
                )
            },
        );
        let error = r
            .error
            .as_deref()
            .and_then(|e| e.lines().next())
            .unwrap_or("");
        let _ = writeln!(
            out,
            "{:>6}  {:<8} {:<10} {:>3}  {:<19}  {:>8}  {:<24} {}",
            r.id,
            r.job,
            r.status,
            r.attempt,
            r.started_at.format("%Y-%m-%d %H:%M:%S"),
            seconds,
            r.params.to_string(),
            error.chars().take(100).collect::<String>()
        );
    }
    out
}
