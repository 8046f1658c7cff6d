//! Benter's second stage and its control. The combination is a conditional logit on
//! [ln p_model, ln p_market]; the control refits the same logit on ln p_market alone, a
//! recalibrated market (it corrects the favourite-longshot bias). Only the gap between the two
//! says whether the model carries information the market lacks. Both learn only from the
//! out-of-sample predictions of earlier weeks.

use super::WalkForwardOptions;
use super::challenge::ChallengerForecast;
use super::metrics::{ChallengerProbs, Scored};
use super::report::Stage2Summary;
use crate::challengers::Challenger;
use crate::clogit::{Choice, FittedConditionalLogit};
use crate::features::RaceFeatures;
use crate::market::implied_probabilities;
use ndarray::{Array1, Array2};
use std::collections::BTreeMap;

/// The predictions of one race, before the evaluated set is chosen.
pub(super) struct Predicted {
    pub(super) week: usize,
    pub(super) winner: Option<usize>,
    pub(super) model: Array1<f64>,
    pub(super) market_morning: Option<Array1<f64>>,
    pub(super) market_final: Option<Array1<f64>>,
    /// Indexed by [`Market`].
    pub(super) combined: [Option<Array1<f64>>; 2],
    /// Indexed by [`Market`].
    pub(super) recalibrated: [Option<Array1<f64>>; 2],
    pub(super) odds_morning: Vec<Option<f64>>,
    pub(super) odds_final: Vec<Option<f64>>,
    /// Finishing positions, for the place probabilities.
    pub(super) finish: Vec<Option<u32>>,
    /// Challengers' forecasts, filled in by the walk-forward when it runs challengers.
    pub(super) challengers: BTreeMap<Challenger, ChallengerForecast>,
}

/// Which market a second stage reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Market {
    Morning = 0,
    Late = 1,
}

impl Predicted {
    fn market(&self, m: Market) -> Option<&Array1<f64>> {
        match m {
            Market::Morning => self.market_morning.as_ref(),
            Market::Late => self.market_final.as_ref(),
        }
    }
}

/// ln of probabilities, floored so that a zero stays finite.
fn ln(p: &Array1<f64>, i: usize) -> f64 {
    p[i].max(1e-12).ln()
}

/// Inputs of the combination: ln p_model, ln p_market.
fn combined_x(model: &Array1<f64>, market: &Array1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((model.len(), 2), |(i, j)| {
        if j == 0 { ln(model, i) } else { ln(market, i) }
    })
}

/// One column, ln p: the input of the control (p = the market) and of a challenger's calibration.
pub(super) fn log_x(p: &Array1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((p.len(), 1), |(i, _)| ln(p, i))
}

/// Out-of-sample races of earlier weeks, per market: for the combination and for the control.
#[derive(Default)]
pub(super) struct Pools {
    combined: [Vec<Choice>; 2],
    recalibrated: [Vec<Choice>; 2],
}

/// The second stages fitted for one week, per market.
pub(super) struct WeekFits {
    pub(super) combined: [Option<FittedConditionalLogit>; 2],
    recalibrated: [Option<FittedConditionalLogit>; 2],
}

impl Pools {
    /// Fits every second stage whose pool is large enough.
    pub(super) fn fit(&self, opts: &WalkForwardOptions) -> WeekFits {
        let fit = |pool: &[Choice]| {
            (pool.len() >= opts.min_stage2_races)
                .then(|| opts.stage2.fit(pool).ok())
                .flatten()
        };
        WeekFits {
            combined: [fit(&self.combined[0]), fit(&self.combined[1])],
            recalibrated: [fit(&self.recalibrated[0]), fit(&self.recalibrated[1])],
        }
    }

    /// Adds a race predicted out of sample, once its week is over.
    pub(super) fn learn(&mut self, p: &Predicted) {
        let Some(winner) = p.winner else { return };
        for m in [Market::Morning, Market::Late] {
            let Some(market) = p.market(m) else { continue };
            self.combined[m as usize].push(Choice {
                x: combined_x(&p.model, market),
                winner: Some(winner),
            });
            self.recalibrated[m as usize].push(Choice {
                x: log_x(market),
                winner: Some(winner),
            });
        }
    }
}

impl WeekFits {
    /// Raw coefficients of a fitted combination.
    pub(super) fn summary(&self, m: Market) -> Option<Stage2Summary> {
        let f = self.combined[m as usize].as_ref()?;
        let raw = f.raw_coefficients();
        Some(Stage2Summary {
            model: raw[0],
            market: raw[1],
            races: f.races,
        })
    }

    /// Every forecast of one race; `None` when the model cannot score it.
    pub(super) fn predict(
        &self,
        race: &RaceFeatures,
        week: usize,
        model: &FittedConditionalLogit,
    ) -> Option<Predicted> {
        if race.x.nrows() == 0 {
            return None;
        }
        let mut p = Predicted {
            week,
            winner: race.winner,
            model: model.predict(&race.x).ok()?,
            market_morning: implied_probabilities(&race.odds_morning),
            market_final: implied_probabilities(&race.odds_final),
            combined: [None, None],
            recalibrated: [None, None],
            odds_morning: race.odds_morning.clone(),
            odds_final: race.odds_final.clone(),
            finish: race.finish.clone(),
            challengers: BTreeMap::new(),
        };
        for m in [Market::Morning, Market::Late] {
            let Some(market) = p.market(m) else { continue };
            let i = m as usize;
            let combined = self.combined[i].as_ref();
            let control = self.recalibrated[i].as_ref();
            let c = combined.and_then(|f| f.predict(&combined_x(&p.model, market)).ok());
            let r = control.and_then(|f| f.predict(&log_x(market)).ok());
            (p.combined[i], p.recalibrated[i]) = (c, r);
        }
        Some(p)
    }
}

/// Keeps a race only if it has a single winner and every forecast the data allows, including a
/// calibrated forecast of each challenger asked for.
pub(super) fn scored(
    p: Predicted,
    has_morning: bool,
    challengers: &[Challenger],
) -> Option<Scored> {
    let [cm, cl] = p.combined;
    let [rm, rl] = p.recalibrated;
    let morning_complete = p.market_morning.is_some() && cm.is_some() && rm.is_some();
    if has_morning && !morning_complete {
        return None;
    }
    let mut forecasts = p.challengers;
    let challengers = challengers
        .iter()
        .map(|c| {
            let f = forecasts.remove(c)?;
            let probs = ChallengerProbs {
                normalised: f.normalised,
                calibrated: f.calibrated?,
            };
            Some((*c, probs))
        })
        .collect::<Option<BTreeMap<_, _>>>()?;
    Some(Scored {
        week: p.week,
        winner: p.winner?,
        model: p.model,
        market_morning: p.market_morning,
        market_final: p.market_final?,
        combined_morning: cm,
        combined_late: cl?,
        recalibrated_morning: rm,
        recalibrated_final: rl?,
        odds_morning: p.odds_morning,
        // Present and valid: the final market exists only when every price is.
        odds_final: p.odds_final.iter().map(|o| o.unwrap_or(0.0)).collect(),
        finish: p.finish,
        challengers,
    })
}
