//! The walk-forward report: what was evaluated and how each forecaster and strategy fared, as one
//! serialisable value (printed as JSON by the example, stored with model metadata later).

use crate::features::OddsChoice;
use crate::place::PlaceExponents;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Scores of one forecaster on the evaluated races.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SourceMetrics {
    /// Mean −ln p(winner) per race.
    pub logloss: f64,
    /// 1 − logloss / logloss of the uniform forecast (McFadden's pseudo-R²).
    pub pseudo_r2: f64,
    /// Mean over races of Σ_runners (p − won)².
    pub brier: f64,
    /// Share of races won by the forecaster's favourite.
    pub top1: f64,
    /// Share of races won by one of its three most likely runners.
    pub top3: f64,
}

/// One decile of predicted probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationBin {
    /// Smallest prediction in the bin.
    pub p_min: f64,
    /// Largest prediction in the bin.
    pub p_max: f64,
    /// Mean prediction.
    pub mean_predicted: f64,
    /// Share of the bin's runners that won.
    pub observed: f64,
    /// Runners in the bin.
    pub runners: usize,
}

/// A betting strategy's result, settled at final odds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StrategyResult {
    /// Bets placed.
    pub bets: usize,
    /// Bets that won.
    pub winners: usize,
    /// Total staked, euros.
    pub staked: f64,
    /// Total returned (stake included), euros.
    pub returned: f64,
    /// returned − staked.
    pub profit: f64,
    /// profit / staked; 0 when nothing was staked.
    pub roi: f64,
}

/// Bootstrap confidence interval of a mean log-loss difference (combined − market): negative
/// means the combined forecast is better.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DiffCi {
    /// Observed mean difference.
    pub mean: f64,
    /// 2.5th percentile of the resampled means.
    pub lo: f64,
    /// 97.5th percentile of the resampled means.
    pub hi: f64,
    /// Share of resamples in which the combined forecast is better (difference < 0).
    pub share_better: f64,
    /// Number of resamples (of races, with replacement).
    pub resamples: usize,
    /// Seed of the resampling.
    pub seed: u64,
}

/// Raw coefficients of a second-stage combination: utility = a·ln p_model + b·ln p_market.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stage2Summary {
    /// Weight of ln p_model.
    pub model: f64,
    /// Weight of ln p_market.
    pub market: f64,
    /// Out-of-sample races it was fitted on.
    pub races: usize,
}

/// A named coefficient of the first-stage model, on standardised features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedCoefficient {
    /// Feature name.
    pub feature: String,
    /// Coefficient on the standardised feature.
    pub coefficient: f64,
}

/// A challenger on the evaluated races, beside the model and the market.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengerSummary {
    /// Scores of its calibrated probabilities.
    pub metrics: SourceMetrics,
    /// Log-loss of its scores merely normalised within each race (before calibration).
    pub normalised_logloss: f64,
    /// challenger − model log-loss (negative: the challenger is better).
    pub ci_vs_model: DiffCi,
    /// challenger − final-odds market log-loss.
    pub ci_vs_market_final: DiffCi,
    /// Calibration deciles of its calibrated probabilities.
    pub calibration: Vec<CalibrationBin>,
}

/// Place scores of one set of exponents, means per race.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlaceScores {
    /// −ln P(observed second | winner) − ln P(observed third | first two).
    pub order_logloss: f64,
    /// Σ over runners of the binary log-loss of "finishes in the first three".
    pub top3_logloss: f64,
    /// Σ over runners of (P(first three) − finished in the first three)².
    pub top3_brier: f64,
}

/// Harville–Benter place probabilities with Benter's published exponents against exponents
/// refitted each week on earlier weeks' finishing orders, on the same races.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceReport {
    /// Races scored (a clear podium, four runners or more, a week with a refit).
    pub races: usize,
    /// The win probabilities the place probabilities start from.
    pub win_probabilities: String,
    /// The exponents fitted for the last week.
    pub last_fitted: PlaceExponents,
    /// Scores with Benter's 0.81 and 0.65.
    pub benter: PlaceScores,
    /// Scores with the refitted exponents.
    pub fitted: PlaceScores,
    /// Fitted − Benter, ordered log-loss of second and third.
    pub ci_order: DiffCi,
    /// Fitted − Benter, top-three log-loss.
    pub ci_top3: DiffCi,
}

/// One week of the walk-forward.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekReport {
    /// First day predicted (training used only races before it).
    pub start: NaiveDate,
    /// Last day predicted.
    pub end: NaiveDate,
    /// Races the first-stage model learnt from.
    pub train_races: usize,
    /// Whether the first-stage Newton iterations converged.
    pub model_converged: bool,
    /// Ridge penalty chosen for the first stage.
    pub l2: Option<f64>,
    /// Races predicted this week.
    pub predicted_races: usize,
    /// Out-of-sample races the 07:00 combination was fitted on; `None` while too few.
    pub stage2_morning_races: Option<usize>,
    /// Out-of-sample races the late combination was fitted on; `None` while too few.
    pub stage2_late_races: Option<usize>,
    /// Races of this week in the evaluated set.
    pub evaluated_races: usize,
    /// Model log-loss on this week's evaluated races.
    pub model_logloss: Option<f64>,
    /// Final-odds market log-loss on the same races.
    pub market_final_logloss: Option<f64>,
    /// Late combination log-loss on the same races.
    pub combined_logloss: Option<f64>,
}

/// The whole walk-forward evaluation. Every metric is computed on exactly the same races: those
/// with a single winner where the model, the final market, the late combination, every challenger
/// asked for and, when the data has morning odds, the morning market and the 07:00 combination
/// all exist. The recalibrated
/// markets (second stage on ln p_market alone) are controls: beating the raw market by merely
/// correcting its favourite-longshot bias is not information from the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// First day predicted.
    pub from: NaiveDate,
    /// Day after the last one predicted.
    pub to: NaiveDate,
    /// Odds used by the first-stage features.
    pub odds: OddsChoice,
    /// Whether the data had morning odds for the evaluated period (else morning fields are null).
    pub has_morning: bool,
    /// Races evaluated.
    pub races: usize,
    /// Runners in those races.
    pub runners: usize,
    /// First-stage model log-loss.
    pub model_logloss: f64,
    /// Morning-odds market log-loss.
    pub market_morning_logloss: Option<f64>,
    /// Final-odds market log-loss.
    pub market_final_logloss: f64,
    /// Late combination (model + final odds) log-loss.
    pub combined_logloss: f64,
    /// 07:00 combination (model + morning odds) log-loss.
    pub combined_morning_logloss: Option<f64>,
    /// Uniform forecast log-loss (mean ln field size).
    pub uniform_logloss: f64,
    /// Every score of every forecaster, by name.
    pub metrics: BTreeMap<String, SourceMetrics>,
    /// Top-1 hit rate by forecaster.
    pub top1: BTreeMap<String, f64>,
    /// Top-3 hit rate by forecaster.
    pub top3: BTreeMap<String, f64>,
    /// Betting strategies, settled at final odds.
    pub roi: BTreeMap<String, StrategyResult>,
    /// combined_late − market_final log-loss.
    pub ci_late: DiffCi,
    /// combined_morning − market_morning log-loss.
    pub ci_morning: Option<DiffCi>,
    /// combined_late − recalibrated final market: the model's own contribution at the off.
    pub ci_late_vs_recalibrated: DiffCi,
    /// combined_morning − recalibrated morning market: the model's own contribution at 07:00.
    pub ci_morning_vs_recalibrated: Option<DiffCi>,
    /// Calibration deciles by forecaster.
    pub calibration: BTreeMap<String, Vec<CalibrationBin>>,
    /// Last week's 07:00 combination.
    pub stage2_morning: Option<Stage2Summary>,
    /// Last week's late combination.
    pub stage2_late: Option<Stage2Summary>,
    /// Last week's first-stage coefficients.
    pub model_coefficients: Vec<NamedCoefficient>,
    /// Challengers asked for, by name, on the same races (empty when none was asked for).
    pub challengers: BTreeMap<String, ChallengerSummary>,
    /// Place probabilities with Benter's exponents and with refitted ones; `None` until enough
    /// earlier races with a clear podium were forecast.
    pub place: Option<PlaceReport>,
    /// Week by week.
    pub weeks: Vec<WeekReport>,
}
