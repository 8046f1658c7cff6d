//! The worker: takes jobs from the queue, runs the handler registered under the job's name,
//! records every run in the Store, and settles the delivery (ack, retry later, dead letter).
//! `process_one` runs one job (tests drive the worker with it); `run` loops until shutdown.

use crate::notify::Notifier;
use anyhow::Context as _;
use async_trait::async_trait;
use futures::FutureExt as _;
use pronoturf_core::queue::{Delivery, Failed, Job, JobQueue};
use pronoturf_core::store::{JobOutcome, Store};
use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument as _;

/// Runs one kind of job. Handlers must be idempotent: a job may be delivered more than once.
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// Does the work; the returned JSON (counts) is recorded with the run.
    async fn run(&self, job: &Job) -> anyhow::Result<serde_json::Value>;
}

struct FnHandler<F>(F);

#[async_trait]
impl<F, Fut> JobHandler for FnHandler<F>
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<serde_json::Value>> + Send + 'static,
{
    async fn run(&self, job: &Job) -> anyhow::Result<serde_json::Value> {
        (self.0)(job.clone()).await
    }
}

/// A handler from an async closure: `handler_fn(move |job| async move { ... })`.
pub fn handler_fn<F, Fut>(f: F) -> Arc<dyn JobHandler>
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<serde_json::Value>> + Send + 'static,
{
    Arc::new(FnHandler(f))
}

/// Handlers by job name.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, Arc<dyn JobHandler>>,
}

impl Registry {
    /// Registers (or replaces) the handler of `name`.
    pub fn register(&mut self, name: &str, handler: Arc<dyn JobHandler>) -> &mut Self {
        self.handlers.insert(name.to_string(), handler);
        self
    }

    /// The handler of `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn JobHandler>> {
        self.handlers.get(name)
    }

    /// Registered names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.handlers.keys().map(String::as_str).collect()
    }
}

/// What a worker needs. Cheap to clone.
#[derive(Clone)]
pub struct WorkerCtx {
    /// Where jobs come from.
    pub queue: JobQueue,
    /// Where runs are recorded.
    pub store: Arc<dyn Store>,
    /// Handlers by job name.
    pub registry: Arc<Registry>,
    /// Told about dead-lettered jobs.
    pub notifier: Notifier,
    /// How long one `reserve` waits for a job.
    pub poll: Duration,
    /// On shutdown, how long the running job may still take; past it the job is abandoned
    /// unacknowledged and redelivered after the visibility timeout.
    pub shutdown_grace: Duration,
}

/// What `process_one` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// No job came within the poll time.
    Empty,
    /// The job succeeded and was acknowledged.
    Done(Job),
    /// The job failed and will be retried at the given time.
    Retrying(Job, chrono::DateTime<chrono::Utc>),
    /// The job failed for good (last attempt, or no handler): it is in the dead-letter list.
    DeadLettered(Job, String),
}

/// Takes one job (waiting up to `ctx.poll`) and runs it.
pub async fn process_one(ctx: &WorkerCtx) -> anyhow::Result<Outcome> {
    match ctx.queue.reserve(ctx.poll).await.context("taking a job")? {
        None => Ok(Outcome::Empty),
        Some(delivery) => Ok(execute(ctx, delivery).await),
    }
}

/// Runs a delivered job to the end and settles it. Queue or Store failures are logged, never
/// returned: the delivery is then redelivered after the visibility timeout.
pub async fn execute(ctx: &WorkerCtx, delivery: Delivery) -> Outcome {
    let job = &delivery.job;
    let span = tracing::info_span!("job", name = %job.name, id = %job.id, attempt = job.attempt);
    execute_in_span(ctx, delivery).instrument(span).await
}

async fn execute_in_span(ctx: &WorkerCtx, delivery: Delivery) -> Outcome {
    let job = delivery.job.clone();
    let run_id = match ctx
        .store
        .start_delivered_job_run(&job.id, &job.name, &job.params, job.attempt)
        .await
    {
        Ok(id) => Some(id),
        Err(e) => {
            tracing::warn!(error = %e, "could not record the start of the run");
            None
        }
    };
    let max_attempts = ctx.queue.config().max_attempts;
    let result = match ctx.registry.get(&job.name) {
        // Only workers that died mid-run get a job this far: running it again may kill another.
        _ if job.attempt > max_attempts => Err((
            format!(
                "taken {} times by workers that never finished it (visibility timeout)",
                job.attempt - 1
            ),
            false,
        )),
        None => Err((
            format!(
                "no handler for job {:?} (known: {})",
                job.name,
                ctx.registry.names().join(", ")
            ),
            false,
        )),
        Some(handler) => run_with_heartbeat(ctx, &delivery, handler.as_ref())
            .await
            .map_err(|e| (e, true)),
    };
    if let Some(id) = run_id {
        let (status, counts, error) = match &result {
            Ok(counts) => (JobOutcome::Succeeded, Some(counts), None),
            Err((e, _)) => (JobOutcome::Failed, None, Some(e.as_str())),
        };
        if let Err(e) = ctx.store.finish_job_run(id, status, counts, error).await {
            tracing::warn!(error = %e, "could not record the end of the run");
        }
    }
    match result {
        Ok(_) => {
            if let Err(e) = ctx.queue.ack(&delivery).await {
                tracing::warn!(error = %e, "job done but not acknowledged; it will run again");
            }
            tracing::info!("job done");
            Outcome::Done(job)
        }
        Err((error, retryable)) => match ctx.queue.fail(&delivery, &error, retryable).await {
            Ok(Failed::RetryAt(at)) => {
                tracing::warn!(%error, retry_at = %at, "job failed; will retry");
                Outcome::Retrying(job, at)
            }
            Ok(Failed::DeadLettered) => {
                let text = format!(
                    "PronoTurf: job {} failed for good after {} attempt(s)\nparams: {}\nerror: {}",
                    job.name, job.attempt, job.params, error
                );
                ctx.notifier.send_or_log(&text).await;
                Outcome::DeadLettered(job, error)
            }
            Err(e) => {
                tracing::warn!(%error, queue_error = %e, "job failed and could not be settled; it will be redelivered");
                Outcome::Retrying(job, chrono::Utc::now())
            }
        },
    }
}

/// Runs `job` now, in the caller's task, without the queue (`pronoturf jobs run`): the run is
/// recorded like a worker's, and the handler's error is returned.
pub async fn run_now(
    store: &dyn Store,
    registry: &Registry,
    job: &Job,
) -> anyhow::Result<serde_json::Value> {
    let Some(handler) = registry.get(&job.name) else {
        anyhow::bail!(
            "no handler for job {:?} (known: {})",
            job.name,
            registry.names().join(", ")
        );
    };
    let id = store
        .start_job_run(&job.name, &job.params, job.attempt)
        .await?;
    let result = AssertUnwindSafe(handler.run(job))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| Err(anyhow::anyhow!("the job panicked: {}", panic_text(&*panic))));
    let (status, counts, error) = match &result {
        Ok(counts) => (JobOutcome::Succeeded, Some(counts), None),
        Err(e) => (JobOutcome::Failed, None, Some(format!("{e:#}"))),
    };
    if let Err(e) = store
        .finish_job_run(id, status, counts, error.as_deref())
        .await
    {
        tracing::warn!(error = %e, "could not record the end of the run");
    }
    result
}

/// Runs the handler while keeping the delivery invisible to other workers; a panic is a
/// failure like any other.
async fn run_with_heartbeat(
    ctx: &WorkerCtx,
    delivery: &Delivery,
    handler: &dyn JobHandler,
) -> Result<serde_json::Value, String> {
    let work = AssertUnwindSafe(handler.run(&delivery.job)).catch_unwind();
    tokio::pin!(work);
    let every = (ctx.queue.config().visibility_timeout / 3).max(Duration::from_millis(10));
    let mut beat = tokio::time::interval(every);
    beat.tick().await;
    loop {
        tokio::select! {
            result = &mut work => {
                return match result {
                    Ok(Ok(counts)) => Ok(counts),
                    Ok(Err(e)) => Err(format!("{e:#}")),
                    Err(panic) => Err(format!("the job panicked: {}", panic_text(&*panic))),
                };
            }
            _ = beat.tick() => {
                if let Err(e) = ctx.queue.heartbeat(delivery).await {
                    tracing::warn!(error = %e, "heartbeat failed; the job may be delivered again");
                }
            }
        }
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Runs jobs until `shutdown` completes. A job being run when it does gets
/// `ctx.shutdown_grace` to finish; a queue outage (Redis down) is waited out with a growing
/// pause, without exiting.
pub async fn run(ctx: WorkerCtx, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    tracing::info!(backend = ctx.queue.backend(), jobs = ?ctx.registry.names(), "worker started");
    let mut pause = Duration::ZERO;
    loop {
        let reserved = tokio::select! {
            biased;
            () = &mut shutdown => break,
            r = ctx.queue.reserve(ctx.poll) => r,
        };
        match reserved {
            Ok(Some(delivery)) => {
                if !pause.is_zero() {
                    tracing::info!("job queue available again");
                }
                pause = Duration::ZERO;
                let job = execute(&ctx, delivery);
                tokio::pin!(job);
                tokio::select! {
                    _ = &mut job => {}
                    () = &mut shutdown => {
                        tracing::info!(grace_s = ctx.shutdown_grace.as_secs_f64(), "shutting down after the running job");
                        if tokio::time::timeout(ctx.shutdown_grace, job).await.is_err() {
                            tracing::warn!("running job abandoned at shutdown; it will be redelivered");
                        }
                        break;
                    }
                }
            }
            Ok(None) => {
                if !pause.is_zero() {
                    tracing::info!("job queue available again");
                }
                pause = Duration::ZERO;
            }
            Err(e) => {
                if pause.is_zero() {
                    tracing::error!(error = %e, "job queue unavailable; retrying");
                }
                pause = (pause * 2).clamp(Duration::from_millis(200), Duration::from_secs(5));
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
    }
    tracing::info!("worker stopped");
}
