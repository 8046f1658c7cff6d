//! Retraining (the Monday job and `pronoturf train`): reads the race cards from the Store, trains
//! a serving model off the async executor, writes it as a new registry version, and makes it
//! champion only if its recipe does at least as well as the champion's over the last weeks,
//! walk-forward, on exactly the same races.

use anyhow::{Context, Result};
use chrono::{Days, NaiveDate, Utc};
use pronoturf_core::domain::RaceCard;
use pronoturf_core::store::Store;
use pronoturf_ml::registry::{ChampionDecision, ModelMetrics, Registry};
use pronoturf_ml::{ModelSpec, ServingModel, walk_forward};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Options of [`retrain`].
#[derive(Debug, Clone)]
pub struct RetrainOptions {
    /// Model recipe, one of `ModelSpec::NAMES`.
    pub model: String,
    /// First race day read (default: the first one stored).
    pub since: Option<NaiveDate>,
    /// Weeks of the champion comparison, ending on the cut-off day.
    pub compare_weeks: u32,
}

impl Default for RetrainOptions {
    fn default() -> Self {
        Self {
            model: ModelSpec::NAMES[0].to_string(),
            since: None,
            compare_weeks: 8,
        }
    }
}

/// What a retraining did.
#[derive(Debug, Clone, Serialize)]
pub struct RetrainSummary {
    /// The version written.
    pub version: String,
    /// Recipe.
    pub model: String,
    /// First race day learnt from.
    pub trained_from: NaiveDate,
    /// Last race day learnt from.
    pub trained_until: NaiveDate,
    /// Races stage 1 learnt from.
    pub train_races: usize,
    /// Races stage 2 learnt from (0 without a stage 2).
    pub stage2_races: usize,
    /// The champion decision, with both log-losses.
    pub decision: ChampionDecision,
    /// The champion after this run.
    pub champion: Option<String>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Promotes a new model when nothing serves yet, or when its walk-forward log-loss is at most the
/// champion's. A tie goes to the new model: equal scores mean the same recipe, and the new fit has
/// seen more recent races.
pub fn decide(new: Option<f64>, champion: Option<(&str, Option<f64>)>) -> (bool, String) {
    match (champion, new) {
        (None, _) => (true, "no champion yet".into()),
        (Some((name, None)), _) => (
            true,
            format!("the champion {name} could not be evaluated on these weeks"),
        ),
        (Some((name, Some(_))), None) => (
            false,
            format!("the new model could not be evaluated; {name} stays champion"),
        ),
        (Some((name, Some(old))), Some(new)) if new <= old => {
            (true, format!("log-loss {new:.4} <= {old:.4} of {name}"))
        }
        (Some((name, Some(old))), Some(new)) => (
            false,
            format!("log-loss {new:.4} > {old:.4}: {name} stays champion"),
        ),
    }
}

/// Walk-forward log-loss of a recipe over `[from, to)`: the combined 07:00 forecast when the data
/// has morning odds (what predictions serve), else the model's. `None` when nothing could be scored.
fn recipe_logloss(
    cards: &[RaceCard],
    spec: &ModelSpec,
    from: NaiveDate,
    to: NaiveDate,
) -> (Option<f64>, Option<usize>) {
    match walk_forward(cards, from, to, &spec.walk_forward_options()) {
        Ok(r) => (
            Some(r.combined_morning_logloss.unwrap_or(r.model_logloss)),
            Some(r.races),
        ),
        Err(e) => {
            tracing::warn!(model = %spec.name, error = %e, "walk-forward comparison failed");
            (None, None)
        }
    }
}

/// Trains on the races from `options.since` to `until` (inclusive), saves a new version in
/// `models_dir` and applies the champion rule.
#[tracing::instrument(skip_all, fields(model = %options.model, %until))]
pub async fn retrain(
    store: &dyn Store,
    models_dir: &Path,
    until: NaiveDate,
    options: &RetrainOptions,
) -> Result<RetrainSummary> {
    let started = Instant::now();
    let spec = ModelSpec::named(&options.model)?;
    let since = match options.since {
        Some(d) => d,
        None => store
            .stats()
            .await?
            .first_date
            .context("the database holds no races: import or sync history first")?,
    };
    let cards = store.race_cards_between(since, until).await?;
    tracing::info!(races = cards.len(), %since, "race cards read; training");
    let registry = Registry::new(models_dir);
    let champion = match registry.load_champion() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "the champion cannot be loaded; it will be replaced");
            None
        }
    };
    let weeks = u64::from(options.compare_weeks.max(1));
    let to = until.succ_opt().context("--until is out of range")?;
    let from = to
        .checked_sub_days(Days::new(7 * weeks))
        .context("comparison period out of range")?;
    let cards = Arc::new(cards);
    let (model, new_score, champion_score) = tokio::task::spawn_blocking({
        let (cards, spec) = (cards.clone(), spec.clone());
        let champion_spec = champion.as_ref().map(|(_, m)| m.spec.clone());
        move || -> Result<_> {
            let model = ServingModel::train(&cards, until, &spec)?;
            tracing::info!(
                races = model.train_races(),
                "trained; comparing walk-forward"
            );
            let new_score = recipe_logloss(&cards, &spec, from, to);
            let champion_score = match champion_spec {
                Some(s) if s == spec => Some(new_score),
                Some(s) => Some(recipe_logloss(&cards, &s, from, to)),
                None => None,
            };
            Ok((model, new_score, champion_score))
        }
    })
    .await
    .context("the training task failed")??;
    let champion_name = champion.as_ref().map(|(v, _)| v.as_str());
    let (promoted, reason) = decide(new_score.0, champion_name.zip(champion_score.map(|s| s.0)));
    let decision = ChampionDecision {
        from,
        to,
        races: new_score.1,
        new_logloss: new_score.0,
        champion: champion_name.map(str::to_string),
        champion_logloss: champion_score.and_then(|s| s.0),
        promoted,
        reason,
    };
    let now = Utc::now();
    let version = registry.new_version(&model, now);
    let metrics = ModelMetrics {
        version: version.clone(),
        model: spec.name.clone(),
        created_at: now,
        trained_from: model.trained_from,
        trained_until: model.trained_until,
        train_races: model.train_races(),
        l2: model.l2,
        stage2_races: model.stage2.as_ref().map_or(0, |s| s.races),
        stage2_coefficients: model.stage2.as_ref().map(|s| {
            let raw = s.raw_coefficients();
            [raw[0], raw[1]]
        }),
        decision: Some(decision.clone()),
    };
    registry.save(&model, &metrics)?;
    if promoted {
        registry.promote(&version)?;
    }
    tracing::info!(%version, promoted, reason = %decision.reason, "model saved");
    Ok(RetrainSummary {
        version,
        model: spec.name,
        trained_from: model.trained_from,
        trained_until: model.trained_until,
        train_races: metrics.train_races,
        stage2_races: metrics.stage2_races,
        decision,
        champion: registry.champion()?,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_champion_rule_promotes_on_a_lower_or_equal_log_loss_only() {
        assert!(decide(None, None).0);
        assert!(decide(Some(2.0), Some(("old", Some(2.1)))).0);
        assert!(decide(Some(2.0), Some(("old", Some(2.0)))).0);
        let (kept, reason) = decide(Some(2.2), Some(("old", Some(2.1))));
        assert!(!kept);
        assert!(reason.contains("old stays champion"), "{reason}");
        assert!(!decide(None, Some(("old", Some(2.1)))).0);
        assert!(decide(Some(2.2), Some(("old", None))).0);
    }
}
