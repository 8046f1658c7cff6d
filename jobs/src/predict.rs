//! Daily predictions (`pronoturf predict`, the worker's morning job): the champion model forecasts
//! every race of a day from the history stored before it, and the forecasts, pronostics and value
//! figures replace that day's run for that model in the Store.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use pronoturf_core::store::{
    DayPredictions, RacePrediction, RacePronostic, RunnerPrediction, Store,
};
use pronoturf_ml::features::build_features;
use pronoturf_ml::{RaceForecast, Registry};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// Edge above which a runner counts as a value bet in summaries and default listings.
pub const DEFAULT_MIN_EDGE: f64 = 0.10;

/// What a prediction run did.
#[derive(Debug, Clone, Serialize)]
pub struct PredictSummary {
    /// Race day.
    pub date: NaiveDate,
    /// Champion version used.
    pub model_version: String,
    /// Races predicted.
    pub races: usize,
    /// Runners predicted.
    pub runners: usize,
    /// Races whose win probabilities combine the model with the morning market (stage 2).
    pub combined_races: usize,
    /// Runners with an edge above [`DEFAULT_MIN_EDGE`].
    pub value_bets: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

fn to_store(f: RaceForecast) -> Result<RacePrediction> {
    let runners = f
        .runners
        .into_iter()
        .map(|r| {
            Ok(RunnerPrediction {
                number: r.number,
                p_win: r.p_win,
                p_place: r.p_place,
                p_model: r.p_model,
                rank: r.rank,
                odds: r.odds,
                edge: r.edge,
                kelly: r.kelly,
                explanation: serde_json::to_value(&r.explanation)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let pronostics = f
        .pronostics
        .into_iter()
        .map(|p| RacePronostic {
            kind: p.kind.as_str().to_string(),
            selection: p.selection,
            probability: p.probability,
            probability_in_order: p.probability_in_order,
            confidence: p.confidence.as_str().to_string(),
        })
        .collect();
    let mut prediction = RacePrediction {
        key: f.key,
        runners,
        pronostics,
    };
    prediction.runners.sort_by_key(|r| r.rank);
    Ok(prediction)
}

/// Predicts every race stored for `date` with the champion of `models_dir` and stores the
/// result, replacing an earlier run of the same model for that day.
#[tracing::instrument(skip_all, fields(%date))]
pub async fn predict_day(
    store: &dyn Store,
    models_dir: &Path,
    date: NaiveDate,
) -> Result<PredictSummary> {
    let started = Instant::now();
    let registry = Registry::new(models_dir);
    let Some((version, model)) = registry
        .load_champion()
        .context("the champion model cannot be loaded")?
    else {
        bail!(
            "no champion model in {}: run `pronoturf train` first",
            models_dir.display()
        );
    };
    let first = store
        .stats()
        .await?
        .first_date
        .context("the database holds no races")?;
    // Features of a day come from every earlier race, so the whole history up to the day is read.
    let cards = store.race_cards_between(first.min(date), date).await?;
    if !cards.iter().any(|c| c.meeting.date == date) {
        bail!("no race stored for {date}: sync the day first");
    }
    let forecasts = tokio::task::spawn_blocking(move || -> Result<Vec<RaceForecast>> {
        let features = build_features(&cards, model.spec.odds);
        features
            .iter()
            .filter(|f| f.date == date && f.x.nrows() > 0)
            .map(|f| Ok(model.predict_race(f)?))
            .collect()
    })
    .await
    .context("the prediction task failed")??;
    let combined_races = forecasts.iter().filter(|f| f.combined).count();
    let races = forecasts
        .into_iter()
        .map(to_store)
        .collect::<Result<Vec<_>>>()?;
    let runners = races.iter().map(|r| r.runners.len()).sum();
    let value_bets = races
        .iter()
        .flat_map(|r| &r.runners)
        .filter(|r| r.edge.is_some_and(|e| e > DEFAULT_MIN_EDGE))
        .count();
    let day = DayPredictions {
        date,
        model_version: version.clone(),
        races,
    };
    store.replace_predictions(&day).await?;
    tracing::info!(races = day.races.len(), %version, "predictions stored");
    Ok(PredictSummary {
        date,
        model_version: version,
        races: day.races.len(),
        runners,
        combined_races,
        value_bets,
        seconds: started.elapsed().as_secs_f64(),
    })
}
