//! The challengers in the walk-forward: each week they are fitted on the races before it, like
//! the model, and predict the week. Their per-race normalised scores are then calibrated by a
//! one-coefficient conditional logit on ln q (p ∝ q^b, a per-race temperature) fitted only on
//! the normalised scores of earlier weeks, the same out-of-sample pool rule as Benter's second
//! stage: a challenger is judged on calibrated probabilities, as the model is.

use super::WalkForwardOptions;
use super::stage2::{Predicted, log_x};
use crate::challengers::{Challenger, FittedChallenger};
use crate::clogit::{Choice, FittedConditionalLogit};
use crate::features::RaceFeatures;
use ndarray::Array1;
use std::collections::BTreeMap;

/// One challenger's forecast of one race.
#[derive(Debug, Clone)]
pub(super) struct ChallengerForecast {
    /// Scores normalised within the race.
    pub(super) normalised: Array1<f64>,
    /// Calibrated probabilities; `None` while too few earlier races were predicted.
    pub(super) calibrated: Option<Array1<f64>>,
}

/// Fits every challenger on `train`, each on its own thread (they are independent, and fitting
/// dominates the cost); a challenger that cannot be fitted is left out.
pub(super) fn fit_all(
    challengers: &[Challenger],
    train: &[RaceFeatures],
    seed: u64,
) -> Vec<(Challenger, FittedChallenger)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = challengers
            .iter()
            .map(|&c| (c, scope.spawn(move || c.fit(train, seed))))
            .collect();
        handles
            .into_iter()
            .filter_map(|(c, h)| Some((c, h.join().ok().flatten()?)))
            .collect()
    })
}

/// Normalised scores of earlier weeks, per challenger, with their winners.
#[derive(Default)]
pub(super) struct Pools {
    pools: BTreeMap<Challenger, Vec<Choice>>,
}

/// The calibrations fitted for one week.
pub(super) struct Calibrations(BTreeMap<Challenger, FittedConditionalLogit>);

impl Pools {
    /// Fits the calibration of every challenger whose pool is large enough.
    pub(super) fn fit(&self, opts: &WalkForwardOptions) -> Calibrations {
        Calibrations(
            self.pools
                .iter()
                .filter(|(_, pool)| pool.len() >= opts.min_stage2_races)
                .filter_map(|(c, pool)| Some((*c, opts.stage2.fit(pool).ok()?)))
                .collect(),
        )
    }

    /// Adds a race predicted out of sample, once its week is over.
    pub(super) fn learn(&mut self, p: &Predicted) {
        let Some(winner) = p.winner else { return };
        for (c, f) in &p.challengers {
            self.pools.entry(*c).or_default().push(Choice {
                x: log_x(&f.normalised),
                winner: Some(winner),
            });
        }
    }
}

impl Calibrations {
    /// Every fitted challenger's forecast of `race`.
    pub(super) fn predict(
        &self,
        fitted: &[(Challenger, FittedChallenger)],
        race: &RaceFeatures,
    ) -> BTreeMap<Challenger, ChallengerForecast> {
        fitted
            .iter()
            .filter_map(|(c, model)| {
                let normalised = model.predict(&race.x)?;
                let calibrated = self
                    .0
                    .get(c)
                    .and_then(|cal| cal.predict(&log_x(&normalised)).ok());
                Some((
                    *c,
                    ChallengerForecast {
                        normalised,
                        calibrated,
                    },
                ))
            })
            .collect()
    }
}
