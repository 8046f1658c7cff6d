//! Drift of the champion's feature distributions: the runners of the races run after its
//! training window (the last 60 days at most) against the training runners, feature by feature,
//! as a standardised mean difference (recent mean − training mean, over the training standard
//! deviation; 0.25 and beyond is commonly read as a notable shift). Features of a race come from
//! every earlier race, so the whole history is read and the features rebuilt: seconds on a large
//! database. The result is kept in process per champion version and refreshed in the background
//! after [`DRIFT_TTL`], the old report shown meanwhile; the dashboard starts the first
//! computation when it starts ([`super::warm_drift`]).

use crate::error::{PageError, Result};
use chrono::{Days, NaiveDate};
use pronoturf_core::store::Store;
use pronoturf_ml::ServingModel;
use pronoturf_ml::features::build_features;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a drift report is reused: the features only change when races are added.
pub const DRIFT_TTL: Duration = Duration::from_secs(600);
/// Longest a page waits for a drift computation; the computation goes on after that.
pub const DRIFT_WAIT: Duration = Duration::from_secs(5);
/// Longest recent window compared, in days.
const RECENT_DAYS: u64 = 60;
/// Standardised mean difference from which a shift is flagged.
pub const NOTABLE: f64 = 0.25;

/// One feature's shift.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDrift {
    /// Feature name.
    pub feature: String,
    /// Mean over the training runners.
    pub train_mean: f64,
    /// Standard deviation over the training runners.
    pub train_sd: f64,
    /// Mean over the recent runners.
    pub recent_mean: f64,
    /// Standard deviation over the recent runners.
    pub recent_sd: f64,
    /// (recent mean − training mean) / training standard deviation.
    pub smd: f64,
}

/// What the drift section shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Drift {
    /// Shifts of every feature, largest first, over the recent window.
    Report {
        /// First day of the recent window.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
        /// Recent runners.
        runners: usize,
        /// Features, largest |smd| first.
        features: Vec<FeatureDrift>,
    },
    /// Still being computed (a large history takes a while).
    Pending,
    /// No race was run after the training window.
    NoRecentRaces {
        /// Last day the champion learnt from.
        trained_until: NaiveDate,
    },
}

/// The last report, with the champion version and time it was computed for, and the flight
/// that computes the next one.
#[derive(Default)]
pub struct DriftCache {
    last: std::sync::Mutex<Option<(String, Instant, Arc<Drift>)>>,
    /// Held while computing: one computation at a time, however many pages ask.
    flight: tokio::sync::Mutex<()>,
}

impl DriftCache {
    /// The drift of champion `version`. A fresh report is returned at once; a stale one of the
    /// same version too, while a background task refreshes it (a page never waits for a
    /// refresh). With no report for this version the page waits up to [`DRIFT_WAIT`], then gets
    /// [`Drift::Pending`]: the computation goes on in its own task for a later request.
    pub async fn get(
        self: &Arc<Self>,
        store: Arc<dyn Store>,
        version: &str,
        model: Arc<ServingModel>,
    ) -> Arc<Drift> {
        let known = self.report_of(version);
        if let Some((fresh, drift)) = &known
            && (*fresh || self.flight.try_lock().is_err())
        {
            return drift.clone();
        }
        let cache = self.clone();
        let version = version.to_string();
        // The task logs its own failure: a background refresh has nobody waiting for it.
        let task = tokio::spawn(async move {
            let drift = cache.compute_once(store.as_ref(), &version, model).await;
            if let Err(e) = &drift {
                tracing::error!(error.cause_chain = ?e, "feature drift failed");
            }
            drift
        });
        if let Some((_, stale)) = known {
            return stale;
        }
        match tokio::time::timeout(DRIFT_WAIT, task).await {
            Ok(Ok(Ok(drift))) => drift,
            Ok(Ok(Err(_))) => Arc::new(Drift::Pending),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "feature drift task failed");
                Arc::new(Drift::Pending)
            }
            Err(_) => Arc::new(Drift::Pending),
        }
    }

    /// The report kept for `version`, and whether it is still fresh.
    fn report_of(&self, version: &str) -> Option<(bool, Arc<Drift>)> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let (v, at, drift) = last.as_ref()?;
        (v == version).then(|| (at.elapsed() < DRIFT_TTL, drift.clone()))
    }

    /// The drift computed from the Store, unless a computation that finished while this one
    /// waited for the flight already left a fresh report.
    async fn compute_once(
        &self,
        store: &dyn Store,
        version: &str,
        model: Arc<ServingModel>,
    ) -> Result<Arc<Drift>> {
        let _flight = self.flight.lock().await;
        if let Some((true, drift)) = self.report_of(version) {
            return Ok(drift);
        }
        let drift = Arc::new(compute(store, model).await?);
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((version.to_string(), Instant::now(), drift.clone()));
        Ok(drift)
    }
}

async fn compute(store: &dyn Store, model: Arc<ServingModel>) -> Result<Drift> {
    let stats = store.stats().await?;
    let (Some(first), Some(last)) = (stats.first_date, stats.last_date) else {
        return Ok(Drift::NoRecentRaces {
            trained_until: model.trained_until,
        });
    };
    let after = model
        .trained_until
        .succ_opt()
        .unwrap_or(model.trained_until);
    let from = after.max(
        last.checked_sub_days(Days::new(RECENT_DAYS - 1))
            .unwrap_or(last),
    );
    if from > last {
        return Ok(Drift::NoRecentRaces {
            trained_until: model.trained_until,
        });
    }
    let cards = store.race_cards_between(first, last).await?;
    tokio::task::spawn_blocking(move || shifts(&model, &cards, from, last))
        .await
        .map_err(PageError::Task)
}

fn shifts(
    model: &ServingModel,
    cards: &[pronoturf_core::domain::RaceCard],
    from: NaiveDate,
    to: NaiveDate,
) -> Drift {
    let features = build_features(cards, model.spec.odds);
    let recent: Vec<_> = features
        .iter()
        .filter(|f| f.date >= from && f.date <= to && f.x.nrows() > 0)
        .collect();
    let runners: usize = recent.iter().map(|f| f.x.nrows()).sum();
    if runners == 0 {
        return Drift::NoRecentRaces {
            trained_until: model.trained_until,
        };
    }
    let n = runners as f64;
    let mut out: Vec<FeatureDrift> = model
        .features
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let values = || recent.iter().flat_map(|f| f.x.column(j).to_vec());
            let mean = values().sum::<f64>() / n;
            let sd = (values().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            let train_mean = model.stage1.means.get(j).copied().unwrap_or(0.0);
            let train_sd = model.stage1.scales.get(j).copied().unwrap_or(1.0);
            FeatureDrift {
                feature: name.clone(),
                train_mean,
                train_sd,
                recent_mean: mean,
                recent_sd: sd,
                smd: if train_sd > 0.0 {
                    (mean - train_mean) / train_sd
                } else {
                    0.0
                },
            }
        })
        .collect();
    out.sort_by(|a, b| b.smd.abs().total_cmp(&a.smd.abs()));
    Drift::Report {
        from,
        to,
        runners,
        features: out,
    }
}
