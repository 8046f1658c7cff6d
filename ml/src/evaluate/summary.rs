//! Turns the evaluated races into the [`Report`]: every forecaster's scores, calibration,
//! betting results and the bootstrap intervals of the log-loss differences.

use super::WalkForwardOptions;
use super::betting;
use super::metrics::{self, Scored, Source};
use super::report::{
    ChallengerSummary, DiffCi, NamedCoefficient, Report, Stage2Summary, WeekReport,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Deciles of predicted probability in the calibration tables.
const CALIBRATION_BINS: usize = 10;

/// Last fits of the walk-forward: 07:00 combination, late combination, first-stage coefficients.
pub(super) type LastFits = (
    Option<Stage2Summary>,
    Option<Stage2Summary>,
    Vec<NamedCoefficient>,
);

/// Scores the evaluated races and assembles the report.
pub(super) fn build_report(
    scored: &[Scored],
    from: NaiveDate,
    to: NaiveDate,
    opts: &WalkForwardOptions,
    has_morning: bool,
    weeks: Vec<WeekReport>,
    (stage2_morning, stage2_late, model_coefficients): LastFits,
) -> Report {
    let mut all = BTreeMap::new();
    let mut calibration = BTreeMap::new();
    for source in Source::ALL {
        if let Some(m) = metrics::source_metrics(scored, source) {
            all.insert(source.name().to_string(), m);
            calibration.insert(
                source.name().to_string(),
                metrics::calibration(scored, source, CALIBRATION_BINS),
            );
        }
    }
    let logloss = |source: Source| all.get(source.name()).map(|m| m.logloss);
    let diff = |a: Source, b: Source| -> Option<DiffCi> {
        let (la, lb) = (
            metrics::loglosses(scored, a)?,
            metrics::loglosses(scored, b)?,
        );
        let d: Vec<f64> = la.iter().zip(&lb).map(|(x, y)| x - y).collect();
        Some(metrics::bootstrap(&d, opts.bootstrap_resamples, opts.seed))
    };
    let zero = metrics::bootstrap(&[], 0, opts.seed);
    let challengers = opts
        .challengers
        .iter()
        .filter_map(|&c| {
            let source = Source::Challenger(c);
            let normalised = scored
                .iter()
                .map(|s| {
                    Some(metrics::logloss(
                        &s.challengers.get(&c)?.normalised,
                        s.winner,
                    ))
                })
                .collect::<Option<Vec<f64>>>()?;
            let summary = ChallengerSummary {
                metrics: metrics::source_metrics(scored, source)?,
                normalised_logloss: normalised.iter().sum::<f64>() / normalised.len() as f64,
                ci_vs_model: diff(source, Source::Model)?,
                ci_vs_market_final: diff(source, Source::MarketFinal)?,
                calibration: metrics::calibration(scored, source, CALIBRATION_BINS),
            };
            Some((c.name().to_string(), summary))
        })
        .collect();
    Report {
        from,
        to,
        odds: opts.odds,
        has_morning,
        races: scored.len(),
        runners: scored.iter().map(|s| s.model.len()).sum(),
        model_logloss: logloss(Source::Model).unwrap_or(f64::NAN),
        market_morning_logloss: logloss(Source::MarketMorning),
        market_final_logloss: logloss(Source::MarketFinal).unwrap_or(f64::NAN),
        combined_logloss: logloss(Source::CombinedLate).unwrap_or(f64::NAN),
        combined_morning_logloss: logloss(Source::CombinedMorning),
        uniform_logloss: metrics::uniform_logloss(scored),
        top1: all.iter().map(|(k, m)| (k.clone(), m.top1)).collect(),
        top3: all.iter().map(|(k, m)| (k.clone(), m.top3)).collect(),
        metrics: all,
        roi: betting::strategies(scored, &opts.value_thresholds, opts.kelly_fraction),
        ci_late: diff(Source::CombinedLate, Source::MarketFinal).unwrap_or(zero),
        ci_morning: diff(Source::CombinedMorning, Source::MarketMorning),
        ci_late_vs_recalibrated: diff(Source::CombinedLate, Source::RecalibratedFinal)
            .unwrap_or(zero),
        ci_morning_vs_recalibrated: diff(Source::CombinedMorning, Source::RecalibratedMorning),
        calibration,
        stage2_morning,
        stage2_late,
        model_coefficients,
        challengers,
        place: super::places::place_report(scored, opts),
        weeks,
    }
}
