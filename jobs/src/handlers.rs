//! The job handlers: sync (today's and tomorrow's programme and runners), odds (today's odds
//! snapshots), results (today's results and payouts, then the simulated bets settled), predict
//! (the champion's predictions of the day), retrain (Monday's challenger) and report (the daily
//! report, sent as a notification).
//!
//! Every handler takes `{"date": "YYYY-MM-DD"}` (a Paris date; default: today in Paris) and is
//! idempotent: syncing a day again only writes what PMU published since.

use crate::model_jobs::{PredictJob, ResultsJob, RetrainJob};
use crate::notify::Notifier;
use crate::report::daily_report;
use crate::sync::{Source, SyncSummary, sync_days};
use crate::worker::{JobHandler, Registry};
use anyhow::{Context as _, bail};
use async_trait::async_trait;
use chrono::{Duration, NaiveDate, Utc};
use pronoturf_core::cache::Cache;
use pronoturf_core::queue::Job;
use pronoturf_core::schedule::PARIS;
use pronoturf_core::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Every job name the scheduler and the CLI know.
pub const JOB_NAMES: [&str; 6] = ["sync", "odds", "predict", "results", "retrain", "report"];

/// What the handlers of this crate need.
#[derive(Clone)]
pub struct JobDeps {
    /// The Store.
    pub store: Arc<dyn Store>,
    /// Where race data comes from (the Turfinfo API in production).
    pub source: Source,
    /// Requests to Turfinfo in flight at once.
    pub concurrency: usize,
    /// Where the daily report goes.
    pub notifier: Notifier,
    /// The model registry folder (ML_MODELS_DIR), for predict and retrain.
    pub models_dir: PathBuf,
    /// The API's response cache, invalidated after each job that writes, so that the API never
    /// serves data older than the job (shared in process by `serve`, on Redis otherwise).
    pub cache: Arc<Cache>,
}

/// A registry with every job of [`JOB_NAMES`].
pub fn standard_registry(deps: &JobDeps) -> Registry {
    let sync = |days| SyncJob {
        deps: deps.clone(),
        days,
    };
    let mut registry = Registry::default();
    registry
        .register("sync", Arc::new(sync(2)))
        .register("odds", Arc::new(sync(1)))
        .register("results", Arc::new(ResultsJob { sync: sync(1) }))
        .register("predict", Arc::new(PredictJob { deps: deps.clone() }))
        .register("retrain", Arc::new(RetrainJob { deps: deps.clone() }))
        .register("report", Arc::new(ReportJob { deps: deps.clone() }));
    registry
}

/// Today in Paris.
pub fn paris_today() -> NaiveDate {
    Utc::now().with_timezone(&PARIS).date_naive()
}

/// The `date` parameter of a job, or today in Paris when absent.
pub fn job_date(job: &Job) -> anyhow::Result<NaiveDate> {
    match job.params.get("date") {
        None | Some(serde_json::Value::Null) => Ok(paris_today()),
        Some(serde_json::Value::String(s)) => s
            .parse()
            .with_context(|| format!("parameter date: {s:?} is not YYYY-MM-DD")),
        Some(other) => bail!("parameter date: expected \"YYYY-MM-DD\", got {other}"),
    }
}

/// Syncs `days` days from the job's date: 2 for `sync` (today and tomorrow's programme), 1 for
/// `odds` (a fresh odds snapshot of each of today's races) and `results` (arrivals and payouts of
/// the races run since).
pub(crate) struct SyncJob {
    pub(crate) deps: JobDeps,
    days: i64,
}

#[async_trait]
impl JobHandler for SyncJob {
    async fn run(&self, job: &Job) -> anyhow::Result<serde_json::Value> {
        let from = job_date(job)?;
        let to = from + Duration::days(self.days - 1);
        let d = &self.deps;
        let summary = sync_days(d.store.clone(), &d.source, from, to, d.concurrency, &mut ()).await;
        // What was written is served even when part of the sync failed and will be retried.
        if summary.races > 0 {
            d.cache.invalidate().await;
        }
        check(&summary)?;
        Ok(serde_json::to_value(&summary)?)
    }
}

/// A sync with failed races fails the job, so it is retried: what was written stays, and the
/// retry only adds what is missing.
fn check(summary: &SyncSummary) -> anyhow::Result<()> {
    if let Some(first) = summary.errors.first() {
        bail!(
            "{} part(s) of the sync failed, first: {first}",
            summary.errors.len()
        );
    }
    Ok(())
}

/// Builds the daily report from the Store and sends it.
struct ReportJob {
    deps: JobDeps,
}

#[async_trait]
impl JobHandler for ReportJob {
    async fn run(&self, job: &Job) -> anyhow::Result<serde_json::Value> {
        let date = job_date(job)?;
        let text = daily_report(self.deps.store.as_ref(), date).await?;
        let sent = self.deps.notifier.is_on();
        self.deps
            .notifier
            .send(&text)
            .await
            .context("sending the daily report")?;
        Ok(serde_json::json!({ "date": date, "sent": sent, "chars": text.chars().count() }))
    }
}
