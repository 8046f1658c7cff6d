//! The model jobs as the worker runs them: predict (the day's predictions, pronostics and value
//! bets, then a notification), retrain (Monday's challenger against the champion, then a
//! notification) and results (the day's arrivals and payouts, then the simulated bets settled and,
//! when new arrivals came in, a notification).

use crate::handlers::{JobDeps, SyncJob, job_date};
use crate::predict::predict_day;
use crate::settle::settle_day;
use crate::train::{RetrainOptions, retrain};
use crate::worker::JobHandler;
use async_trait::async_trait;
use chrono::{Duration, NaiveDate};
use pronoturf_core::queue::Job;
use pronoturf_core::store::{RaceFilter, Store};

/// `predict`: the champion predicts every stored race of the date.
pub(crate) struct PredictJob {
    pub(crate) deps: JobDeps,
}

#[async_trait]
impl JobHandler for PredictJob {
    async fn run(&self, job: &Job) -> anyhow::Result<serde_json::Value> {
        let date = job_date(job)?;
        let d = &self.deps;
        let summary = predict_day(d.store.as_ref(), &d.models_dir, date).await?;
        d.cache.invalidate().await;
        d.notifier
            .send_or_log(&format!(
                "PronoTurf: pronostics du {date} publiés ({} courses, {} value bets, modèle {})",
                summary.races, summary.value_bets, summary.model_version
            ))
            .await;
        Ok(serde_json::to_value(&summary)?)
    }
}

/// `retrain`: a challenger trained on every race before the date, promoted only if it beats the
/// champion walk-forward (the rule lives in [`crate::train`]).
pub(crate) struct RetrainJob {
    pub(crate) deps: JobDeps,
}

#[async_trait]
impl JobHandler for RetrainJob {
    async fn run(&self, job: &Job) -> anyhow::Result<serde_json::Value> {
        // The Monday 02:00 run learns from every race up to Sunday: today's have not been run.
        let until = job_date(job)? - Duration::days(1);
        let d = &self.deps;
        let summary = retrain(
            d.store.as_ref(),
            &d.models_dir,
            until,
            &RetrainOptions::default(),
        )
        .await?;
        d.notifier
            .send_or_log(&format!(
                "PronoTurf: ré-entraînement jusqu'au {until}: version {} ({} courses), champion: {}",
                summary.version,
                summary.train_races,
                summary.champion.as_deref().unwrap_or("aucun")
            ))
            .await;
        Ok(serde_json::to_value(&summary)?)
    }
}

/// `results`: syncs the date (arrivals and payouts), then settles its simulated bets.
pub(crate) struct ResultsJob {
    pub(crate) sync: SyncJob,
}

#[async_trait]
impl JobHandler for ResultsJob {
    async fn run(&self, job: &Job) -> anyhow::Result<serde_json::Value> {
        let date = job_date(job)?;
        let d = &self.sync.deps;
        // The sync counts every arrival of the day, old or new: the difference is what is news.
        let before = arrivals(d.store.as_ref(), date).await?;
        let synced = self.sync.run(job).await?;
        let new = arrivals(d.store.as_ref(), date)
            .await?
            .saturating_sub(before);
        let settled = settle_day(d.store.as_ref(), date).await?;
        d.cache.invalidate().await;
        // Hourly runs: say something only when new results came in.
        if new > 0 {
            let bets: Vec<String> = settled
                .strategies
                .iter()
                .map(|(name, s)| format!("{name}: {} gagnés / {} joués", s.won, s.bets))
                .collect();
            d.notifier
                .send_or_log(&format!(
                    "PronoTurf: {new} nouvelle(s) arrivée(s) le {date}. Paris simulés: {}",
                    if bets.is_empty() {
                        "aucun".to_string()
                    } else {
                        bets.join(", ")
                    }
                ))
                .await;
        }
        Ok(serde_json::json!({ "sync": synced, "new_arrivals": new, "settle": settled }))
    }
}

/// Races of `date` whose arrival is stored.
async fn arrivals(store: &dyn Store, date: NaiveDate) -> anyhow::Result<usize> {
    let races = store.list_races(date, &RaceFilter::default()).await?;
    Ok(races.iter().filter(|r| r.has_result).count())
}
