//! The serving model: what `pronoturf train` saves and `pronoturf predict` loads. Stage 1 is the
//! conditional logit on the features; stage 2 is Benter's combination of ln p_model with the
//! morning market, fitted on stage-1 predictions made out of sample (the latest quarter of the
//! training races, predicted by a stage 1 fitted on the rest). Predictions come with place
//! probabilities (Harville–Benter), exact per-feature explanations and pronostics.

mod explain;

pub use explain::{Contribution, Explanation};

use crate::clogit::{Choice, ConditionalLogitParams, FittedConditionalLogit, PredictError};
use crate::evaluate::WalkForwardOptions;
use crate::evaluate::selection::fit_first_stage;
use crate::features::{FeatureSet, OddsChoice, RaceFeatures, build_features};
use crate::market::implied_probabilities;
use crate::place::{PlaceExponents, Podium, fit_exponents, podium};
use crate::pronostic::{Pronostic, pronostics, value};
use chrono::NaiveDate;
use ndarray::{Array1, Array2};
use pronoturf_core::domain::{RaceCard, RaceKey};
use serde::{Deserialize, Serialize};

/// Version of the saved model format; a model saved under another version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// Share of the training races, the most recent ones, whose out-of-sample predictions train the
/// second stage.
const STAGE2_SHARE: f64 = 0.25;

/// A named recipe for a model: which odds the features see and the penalties tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Name, as given to `pronoturf train --model`.
    pub name: String,
    /// Odds the first stage may use.
    pub odds: OddsChoice,
    /// Ridge penalties tried for the first stage.
    pub l2_grid: Vec<f64>,
}

/// Why a model could not be trained.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServingError {
    /// The model name is not one of [`ModelSpec::NAMES`].
    #[error("unknown model {0:?}: choose one of {names}", names = ModelSpec::NAMES.join(", "))]
    UnknownModel(String),
    /// Nothing to learn from before the cut-off day.
    #[error("no race with a winner on or before {0} to train on")]
    NoRaces(NaiveDate),
}

impl ModelSpec {
    /// Model names `pronoturf train --model` accepts; the first is the default.
    pub const NAMES: [&'static str; 2] = ["clogit-morning", "clogit-form"];

    /// The recipe called `name`: `clogit-morning` sees the morning odds (07:00 predictions),
    /// `clogit-form` sees form only and leaves the market to the second stage.
    pub fn named(name: &str) -> Result<Self, ServingError> {
        let odds = match name {
            "clogit-morning" => OddsChoice::Morning,
            "clogit-form" => OddsChoice::None,
            other => return Err(ServingError::UnknownModel(other.to_string())),
        };
        Ok(Self {
            name: name.to_string(),
            odds,
            l2_grid: WalkForwardOptions::default().l2_grid,
        })
    }

    /// Walk-forward options that evaluate this recipe.
    pub fn walk_forward_options(&self) -> WalkForwardOptions {
        WalkForwardOptions {
            odds: self.odds,
            l2_grid: self.l2_grid.clone(),
            ..WalkForwardOptions::default()
        }
    }
}

/// A trained, servable model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServingModel {
    /// [`FORMAT_VERSION`] when saved.
    pub format_version: u32,
    /// The recipe it was trained with.
    pub spec: ModelSpec,
    /// Feature names, in column order.
    pub features: Vec<String>,
    /// First race day learnt from.
    pub trained_from: NaiveDate,
    /// Last race day learnt from.
    pub trained_until: NaiveDate,
    /// Ridge penalty chosen for stage 1.
    pub l2: f64,
    /// Stage 1: conditional logit on the features.
    pub stage1: FittedConditionalLogit,
    /// Stage 2: conditional logit on [ln p_model, ln p_market_morning]; `None` when too few races
    /// had morning odds to fit it (then the stage-1 probabilities are served).
    pub stage2: Option<FittedConditionalLogit>,
    /// Harville–Benter exponents for second and third places, fitted on the finishing orders of
    /// the held-out training races. Model files saved before they were fitted have none: they get
    /// Benter's published values, which is what those models served.
    #[serde(default)]
    pub place_exponents: PlaceExponents,
}

/// The forecast of one runner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerForecast {
    /// Saddle-cloth number.
    pub number: u32,
    /// Served win probability (stage 2 when available, else stage 1).
    pub p_win: f64,
    /// Probability of finishing in the first three (Harville–Benter).
    pub p_place: f64,
    /// Stage-1 win probability.
    pub p_model: f64,
    /// Morning-market implied probability, when every runner is priced.
    pub p_market: Option<f64>,
    /// 1 = most likely winner.
    pub rank: u32,
    /// Morning odds the value is computed at.
    pub odds: Option<f64>,
    /// p_win × odds − 1.
    pub edge: Option<f64>,
    /// Fractional Kelly stake, share of the bankroll (0 without an edge).
    pub kelly: Option<f64>,
    /// Features pushing the runner up and down.
    pub explanation: Explanation,
}

/// The forecast of one race.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceForecast {
    /// The race.
    pub key: RaceKey,
    /// Whether stage 2 (with the market) produced `p_win`.
    pub combined: bool,
    /// Runners, in row order.
    pub runners: Vec<RunnerForecast>,
    /// Gagnant, placé, tiercé, quarté, quinté.
    pub pronostics: Vec<Pronostic>,
}

/// The probabilities behind one race's forecast.
struct WinProbabilities {
    p_win: Array1<f64>,
    p_model: Array1<f64>,
    market: Option<Array1<f64>>,
    combined: bool,
}

/// Inputs of the second stage: ln p_model, ln p_market (floored so that a zero stays finite).
fn combined_x(model: &Array1<f64>, market: &Array1<f64>) -> Array2<f64> {
    Array2::from_shape_fn((model.len(), 2), |(i, j)| {
        let p = if j == 0 { model[i] } else { market[i] };
        p.max(1e-12).ln()
    })
}

/// What is learnt from the held-out latest training races: stage 2 and the place exponents.
struct Holdout {
    stage2: Option<FittedConditionalLogit>,
    place_exponents: PlaceExponents,
}

/// Fits stage 2 on out-of-sample stage-1 predictions of the latest training races, then the place
/// exponents on the finishing orders of those races given the probabilities they would have been
/// served (stage 2 where it applies, which is in sample for its two coefficients only).
fn fit_holdout(
    features: &[RaceFeatures],
    stage1: &ConditionalLogitParams,
    opts: &WalkForwardOptions,
) -> Holdout {
    let none = Holdout {
        stage2: None,
        place_exponents: PlaceExponents::BENTER,
    };
    let at = ((features.len() as f64) * (1.0 - STAGE2_SHARE)) as usize;
    let Some(day) = features.get(at).map(|r| r.date) else {
        return none;
    };
    let split = features.partition_point(|r| r.date < day);
    let Ok(early) = stage1.fit(&features[..split]) else {
        return none;
    };
    let held_out: Vec<(&RaceFeatures, Array1<f64>)> = features[split..]
        .iter()
        .filter_map(|race| Some((race, early.predict(&race.x).ok()?)))
        .collect();
    let pool: Vec<Choice> = held_out
        .iter()
        .filter_map(|(race, p)| {
            let market = implied_probabilities(&race.odds_morning)?;
            Some(Choice {
                x: combined_x(p, &market),
                winner: Some(race.winner?),
            })
        })
        .collect();
    let stage2 = (pool.len() >= opts.min_stage2_races)
        .then(|| opts.stage2.fit(&pool).ok())
        .flatten();
    let served: Vec<(Array1<f64>, Podium)> = held_out
        .iter()
        .filter_map(|(race, p)| {
            let order = podium(&race.finish)?;
            let market = implied_probabilities(&race.odds_morning);
            let combined = match (&stage2, market) {
                (Some(s2), Some(m)) => s2.predict(&combined_x(p, &m)).ok(),
                _ => None,
            };
            Some((combined.unwrap_or_else(|| p.clone()), order))
        })
        .collect();
    let races = served.iter().filter_map(|(p, o)| Some((p.as_slice()?, *o)));
    Holdout {
        stage2,
        place_exponents: fit_exponents(races, opts.min_stage2_races)
            .unwrap_or(PlaceExponents::BENTER),
    }
}

impl ServingModel {
    /// Trains on every race of `cards` run on or before `until`.
    pub fn train(
        cards: &[RaceCard],
        until: NaiveDate,
        spec: &ModelSpec,
    ) -> Result<Self, ServingError> {
        let mut features = build_features(cards, spec.odds);
        features.retain(|f| f.date <= until);
        let opts = spec.walk_forward_options();
        let (stage1, l2) = fit_first_stage(&features, &opts.model, &spec.l2_grid)
            .ok_or(ServingError::NoRaces(until))?;
        let holdout = fit_holdout(&features, &opts.model.l2(l2), &opts);
        let trained_from = features.first().map_or(until, |f| f.date);
        let trained_until = features.last().map_or(until, |f| f.date);
        Ok(Self {
            format_version: FORMAT_VERSION,
            spec: spec.clone(),
            features: FeatureSet { odds: spec.odds }.names(),
            trained_from,
            trained_until,
            l2,
            stage1,
            stage2: holdout.stage2,
            place_exponents: holdout.place_exponents,
        })
    }

    /// Races stage 1 learnt from.
    pub fn train_races(&self) -> usize {
        self.stage1.races
    }

    /// Serving win probabilities of one race and whether stage 2 made them.
    fn win_probabilities(&self, race: &RaceFeatures) -> Result<WinProbabilities, PredictError> {
        let p_model = self.stage1.predict(&race.x)?;
        let market = implied_probabilities(&race.odds_morning);
        let combined = match (&self.stage2, &market) {
            (Some(s2), Some(m)) => Some(s2.predict(&combined_x(&p_model, m))?),
            _ => None,
        };
        Ok(WinProbabilities {
            combined: combined.is_some(),
            p_win: combined.unwrap_or_else(|| p_model.clone()),
            p_model,
            market,
        })
    }

    /// The forecast of one race from its features (rows = runners that are not non-runners).
    pub fn predict_race(&self, race: &RaceFeatures) -> Result<RaceForecast, PredictError> {
        if race.x.nrows() == 0 {
            return Ok(RaceForecast {
                key: race.key,
                combined: false,
                runners: Vec::new(),
                pronostics: Vec::new(),
            });
        }
        let WinProbabilities {
            p_win,
            p_model,
            market,
            combined,
        } = self.win_probabilities(race)?;
        let p_place = self.place_exponents.place_probabilities(&p_win.to_vec(), 3);
        let (names, contributions) = self.contributions(race, market.as_ref(), combined)?;
        let mut order: Vec<usize> = (0..p_win.len()).collect();
        order.sort_by(|&a, &b| p_win[b].total_cmp(&p_win[a]));
        let mut rank = vec![0u32; p_win.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32 + 1;
        }
        let runners: Vec<RunnerForecast> = (0..p_win.len())
            .map(|i| {
                let odds = race.odds_morning.get(i).copied().flatten();
                let v = value(p_win[i], odds);
                RunnerForecast {
                    number: race.runners[i],
                    p_win: p_win[i],
                    p_place: p_place[i],
                    p_model: p_model[i],
                    p_market: market.as_ref().map(|m| m[i]),
                    rank: rank[i],
                    odds,
                    edge: v.map(|v| v.0),
                    kelly: v.map(|v| v.1),
                    explanation: Explanation::top(&names, contributions.row(i), 3),
                }
            })
            .collect();
        let wins: Vec<f64> = runners.iter().map(|r| r.p_win).collect();
        Ok(RaceForecast {
            key: race.key,
            combined,
            pronostics: pronostics(&race.runners, &wins, &p_place, &self.place_exponents),
            runners,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests;
