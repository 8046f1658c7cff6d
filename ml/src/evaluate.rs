//! Honest walk-forward evaluation against the betting market (issue 3). Week by week, the
//! first-stage model learns only from races before the week, then predicts it; Benter's second
//! stage combines ln p_model with ln p_market in a conditional logit fitted only on the
//! out-of-sample predictions of earlier weeks. All forecasters are scored on the same races.

mod betting;
mod challenge;
mod metrics;
mod places;
mod report;
pub(crate) mod selection;
mod stage2;
mod summary;

pub use report::{
    CalibrationBin, ChallengerSummary, DiffCi, NamedCoefficient, PlaceReport, PlaceScores, Report,
    SourceMetrics, Stage2Summary, StrategyResult, WeekReport,
};

use crate::challengers::Challenger;
use crate::clogit::{ConditionalLogitParams, ParamsError};
use crate::features::{FeatureSet, OddsChoice, build_features};
use chrono::{Datelike, Days, NaiveDate};
use metrics::{Scored, Source};
use pronoturf_core::domain::RaceCard;
use stage2::{Market, Pools};

/// Options of [`walk_forward`]. The defaults were fixed before looking at any test week.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkForwardOptions {
    /// Odds the first-stage features may use.
    pub odds: OddsChoice,
    /// First-stage hyper-parameters.
    pub model: ConditionalLogitParams,
    /// Ridge penalties tried each week for the first stage, scored on the most recent fifth of
    /// the training races; empty uses `model.l2` as is.
    pub l2_grid: Vec<f64>,
    /// Second-stage hyper-parameters (two features, so a light penalty).
    pub stage2: ConditionalLogitParams,
    /// Out-of-sample races needed before a second stage is fitted.
    pub min_stage2_races: usize,
    /// Edges (p × morning odds − 1) above which value bets are placed.
    pub value_thresholds: Vec<f64>,
    /// Fraction of the Kelly stake.
    pub kelly_fraction: f64,
    /// Bootstrap resamples for the confidence intervals.
    pub bootstrap_resamples: usize,
    /// Seed of the bootstrap and of the random forest.
    pub seed: u64,
    /// Challengers fitted each week beside the model and scored on the same races (none by
    /// default: the forest costs more than the model).
    pub challengers: Vec<Challenger>,
}

impl Default for WalkForwardOptions {
    fn default() -> Self {
        Self {
            odds: OddsChoice::Morning,
            model: ConditionalLogitParams::default(),
            l2_grid: vec![1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0],
            stage2: ConditionalLogitParams::default().l2(1e-4),
            min_stage2_races: 200,
            value_thresholds: vec![0.05, 0.10, 0.20],
            kelly_fraction: 0.25,
            bootstrap_resamples: 1000,
            seed: 20_260_401,
            challengers: Vec::new(),
        }
    }
}

/// Why no report could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// Invalid hyper-parameters.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// `from` is not before `to`.
    #[error("empty period: {from} is not before {to}")]
    EmptyPeriod {
        /// First day asked.
        from: NaiveDate,
        /// Day after the last one asked.
        to: NaiveDate,
    },
    /// No race of the period has every forecast (too little history, no odds...).
    #[error("no race between {from} and {to} has a winner, the markets and every forecast")]
    NoRaces {
        /// First day asked.
        from: NaiveDate,
        /// Day after the last one asked.
        to: NaiveDate,
    },
}

/// Periods to predict: ISO weeks (Monday to Sunday) clipped to `[from, to)`, as (first, after last).
fn periods(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let to_monday = 7 - u64::from(start.weekday().num_days_from_monday());
        let next = start
            .checked_add_days(Days::new(to_monday))
            .unwrap_or(to)
            .min(to);
        out.push((start, next));
        start = next;
    }
    out
}

/// Walk-forward evaluation of the races run in `[from, to)`: see the module documentation.
/// Weeks without any earlier race to learn from are reported but predict nothing.
pub fn walk_forward(
    cards: &[RaceCard],
    from: NaiveDate,
    to: NaiveDate,
    opts: &WalkForwardOptions,
) -> Result<Report, EvalError> {
    opts.model.check()?;
    opts.stage2.check()?;
    if from >= to {
        return Err(EvalError::EmptyPeriod { from, to });
    }
    let features = build_features(cards, opts.odds);
    let names = FeatureSet { odds: opts.odds }.names();
    let mut pools = Pools::default();
    let mut challenger_pools = challenge::Pools::default();
    let mut predicted = Vec::new();
    let mut weeks = Vec::new();
    let (mut last_model, mut last_morning, mut last_late) = (None, None, None);
    for (week, (start, after)) in periods(from, to).into_iter().enumerate() {
        let lo = features.partition_point(|f| f.date < start);
        let hi = features.partition_point(|f| f.date < after);
        let fitted = selection::fit_first_stage(&features[..lo], &opts.model, &opts.l2_grid);
        let l2 = fitted.as_ref().map(|f| f.1);
        let model = fitted.map(|f| f.0);
        let fits = pools.fit(opts);
        let [stage2_morning, stage2_late] = &fits.combined;
        let mut report = WeekReport {
            start,
            end: start.max(after.pred_opt().unwrap_or(start)),
            train_races: model.as_ref().map_or(0, |m| m.races),
            model_converged: model.as_ref().is_some_and(|m| m.converged),
            l2,
            predicted_races: 0,
            stage2_morning_races: stage2_morning.as_ref().map(|m| m.races),
            stage2_late_races: stage2_late.as_ref().map(|m| m.races),
            evaluated_races: 0,
            model_logloss: None,
            market_final_logloss: None,
            combined_logloss: None,
        };
        if let Some(model) = &model {
            let challengers = challenge::fit_all(&opts.challengers, &features[..lo], opts.seed);
            let calibrations = challenger_pools.fit(opts);
            let week_start = predicted.len();
            predicted.extend(features[lo..hi].iter().filter_map(|race| {
                let mut p = fits.predict(race, week, model)?;
                p.challengers = calibrations.predict(&challengers, race);
                Some(p)
            }));
            report.predicted_races = predicted.len() - week_start;
            // Only now, after the week is predicted, do its races join the second-stage and the
            // calibration pools.
            for p in &predicted[week_start..] {
                pools.learn(p);
                challenger_pools.learn(p);
            }
            last_model = Some(model.clone());
        }
        last_morning = fits.summary(Market::Morning).or(last_morning);
        last_late = fits.summary(Market::Late).or(last_late);
        weeks.push(report);
    }
    let has_morning = predicted.iter().any(|p| p.market_morning.is_some());
    let scored: Vec<Scored> = predicted
        .into_iter()
        .filter_map(|p| stage2::scored(p, has_morning, &opts.challengers))
        .collect();
    if scored.is_empty() {
        return Err(EvalError::NoRaces { from, to });
    }
    for (w, report) in weeks.iter_mut().enumerate() {
        let week: Vec<Scored> = scored.iter().filter(|s| s.week == w).cloned().collect();
        report.evaluated_races = week.len();
        let ll = |source| metrics::source_metrics(&week, source).map(|m| m.logloss);
        report.model_logloss = ll(Source::Model);
        report.market_final_logloss = ll(Source::MarketFinal);
        report.combined_logloss = ll(Source::CombinedLate);
    }
    let coefficients = last_model
        .map(|m| {
            names
                .iter()
                .zip(m.coefficients.iter())
                .map(|(n, c)| NamedCoefficient {
                    feature: n.clone(),
                    coefficient: *c,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(summary::build_report(
        &scored,
        from,
        to,
        opts,
        has_morning,
        weeks,
        (last_morning, last_late, coefficients),
    ))
}

#[cfg(test)]
mod tests;
