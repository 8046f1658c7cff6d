//! linfa challengers of the conditional logit, walk-forward on the same races: a per-runner
//! logistic regression (linfa-logistic, win / no win) whose scores are normalised within each
//! race so that they sum to 1. It ignores that exactly one runner wins per race, which the
//! conditional logit builds in; the comparison says what that costs.

use crate::clogit::ConditionalLogitParams;
use crate::evaluate::selection::fit_first_stage;
use crate::features::{OddsChoice, RaceFeatures, build_features};
use chrono::NaiveDate;
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, Axis, concatenate};
use pronoturf_core::domain::RaceCard;
use serde::Serialize;

/// Ridge penalty of the logistic challenger (linfa's `alpha`), on standardised features.
const LOGISTIC_ALPHA: f64 = 1.0;

/// Per-race log-loss of each forecaster on the same races.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengerReport {
    /// Races scored (a single winner, two runners or more, every forecaster present).
    pub races: usize,
    /// Conditional logit (penalty from its grid, as in the walk-forward).
    pub clogit_logloss: f64,
    /// linfa logistic regression, normalised per race.
    pub logistic_logloss: f64,
    /// Uniform forecast.
    pub uniform_logloss: f64,
}

/// Standardises columns with the training means and deviations (constant columns kept at 0).
fn standardise(train: &Array2<f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = train
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(train.ncols()));
    let sd = train
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 1e-12 { s } else { 1.0 });
    (mean, sd)
}

fn stacked(races: &[&RaceFeatures]) -> Option<(Array2<f64>, Array1<usize>)> {
    let views: Vec<_> = races.iter().map(|r| r.x.view()).collect();
    let x = concatenate(Axis(0), &views).ok()?;
    let y = races
        .iter()
        .flat_map(|r| (0..r.x.nrows()).map(move |i| usize::from(r.winner == Some(i))))
        .collect();
    Some((x, y))
}

fn usable(r: &RaceFeatures) -> bool {
    r.x.nrows() > 1 && r.winner.is_some()
}

/// Walk-forward over the ISO weeks of `[from, to)`: each week both models learn from the races
/// before it and predict it.
pub fn compare(
    cards: &[RaceCard],
    from: NaiveDate,
    to: NaiveDate,
    odds: OddsChoice,
) -> Option<ChallengerReport> {
    let features = build_features(cards, odds);
    let params = ConditionalLogitParams::default();
    let grid = crate::evaluate::WalkForwardOptions::default().l2_grid;
    let (mut n, mut clogit, mut logistic, mut uniform) = (0usize, 0.0, 0.0, 0.0);
    let mut start = from;
    while start < to {
        let after = start
            .checked_add_days(chrono::Days::new(7))
            .unwrap_or(to)
            .min(to);
        let lo = features.partition_point(|f| f.date < start);
        let hi = features.partition_point(|f| f.date < after);
        start = after;
        let train: Vec<&RaceFeatures> = features[..lo].iter().filter(|r| usable(r)).collect();
        let Some((model, _)) = fit_first_stage(&features[..lo], &params, &grid) else {
            continue;
        };
        let Some((x, y)) = stacked(&train) else {
            continue;
        };
        let (mean, sd) = standardise(&x);
        let dataset = Dataset::new((&x - &mean) / &sd, y);
        let Ok(fitted) = LogisticRegression::default()
            .alpha(LOGISTIC_ALPHA)
            .max_iterations(200)
            .fit(&dataset)
        else {
            continue;
        };
        for race in features[lo..hi].iter().filter(|r| usable(r)) {
            let Some(w) = race.winner else { continue };
            let Ok(p_clogit) = model.predict(&race.x) else {
                continue;
            };
            // linfa's probability is that of its "positive" class, the more frequent label (here
            // the losers): turn it into a win probability.
            let p = fitted.predict_probabilities(&((&race.x - &mean) / &sd));
            let scores = if fitted.labels().pos.class == 1 {
                p
            } else {
                p.mapv(|q| 1.0 - q)
            };
            let total = scores.sum();
            if total <= 0.0 || !total.is_finite() {
                continue;
            }
            n += 1;
            clogit -= p_clogit[w].max(1e-15).ln();
            logistic -= (scores[w] / total).max(1e-15).ln();
            uniform += (race.x.nrows() as f64).ln();
        }
    }
    (n > 0).then(|| ChallengerReport {
        races: n,
        clogit_logloss: clogit / n as f64,
        logistic_logloss: logistic / n as f64,
        uniform_logloss: uniform / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serving::tests::synthetic_history;

    #[test]
    fn both_models_beat_the_uniform_forecast_on_the_same_races() {
        // Arrange
        let cards = synthetic_history(35, 20, 3);
        let from = NaiveDate::from_ymd_opt(2026, 1, 22).expect("date");
        let to = NaiveDate::from_ymd_opt(2026, 2, 5).expect("date");

        // Act
        let report = compare(&cards, from, to, OddsChoice::Morning).expect("a report");

        // Assert
        assert_eq!(report.races, 14 * 20);
        assert!(report.clogit_logloss < report.uniform_logloss, "{report:?}");
        assert!(
            report.logistic_logloss < report.uniform_logloss,
            "{report:?}"
        );
    }
}
