//! Scoring rules over the evaluated races: log-loss, pseudo-R², Brier, hit rates, calibration
//! deciles and the bootstrap interval of a log-loss difference.

use super::report::{CalibrationBin, DiffCi, SourceMetrics};
use crate::challengers::Challenger;
use crate::rng::SplitMix64;
use ndarray::Array1;
use std::collections::BTreeMap;

/// Probabilities are floored here before the logarithm, so that one impossible-looking winner
/// costs a large but finite penalty.
const P_FLOOR: f64 = 1e-15;

/// An evaluated race: every forecaster's probabilities over the same runners.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    pub(crate) week: usize,
    pub(crate) winner: usize,
    pub(crate) model: Array1<f64>,
    pub(crate) market_morning: Option<Array1<f64>>,
    pub(crate) market_final: Array1<f64>,
    pub(crate) combined_morning: Option<Array1<f64>>,
    pub(crate) combined_late: Array1<f64>,
    pub(crate) recalibrated_morning: Option<Array1<f64>>,
    pub(crate) recalibrated_final: Array1<f64>,
    pub(crate) odds_morning: Vec<Option<f64>>,
    pub(crate) odds_final: Vec<f64>,
    /// Finishing positions (classified runners), for the place probabilities.
    pub(crate) finish: Vec<Option<u32>>,
    pub(crate) challengers: BTreeMap<Challenger, ChallengerProbs>,
}

/// A challenger's probabilities of one race.
#[derive(Debug, Clone)]
pub(crate) struct ChallengerProbs {
    /// Scores normalised within the race, before calibration.
    pub(crate) normalised: Array1<f64>,
    /// Calibrated on earlier weeks: the challenger's forecast.
    pub(crate) calibrated: Array1<f64>,
}

/// The forecasters compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Model,
    MarketMorning,
    MarketFinal,
    CombinedMorning,
    CombinedLate,
    RecalibratedMorning,
    RecalibratedFinal,
    /// A challenger, calibrated.
    Challenger(Challenger),
}

impl Source {
    pub(crate) const ALL: [Source; 7] = [
        Self::Model,
        Self::MarketMorning,
        Self::MarketFinal,
        Self::CombinedMorning,
        Self::CombinedLate,
        Self::RecalibratedMorning,
        Self::RecalibratedFinal,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::MarketMorning => "market_morning",
            Self::MarketFinal => "market_final",
            Self::CombinedMorning => "combined_morning",
            Self::CombinedLate => "combined_late",
            Self::RecalibratedMorning => "market_morning_recalibrated",
            Self::RecalibratedFinal => "market_final_recalibrated",
            Self::Challenger(c) => c.name(),
        }
    }

    pub(crate) fn probs(self, s: &Scored) -> Option<&Array1<f64>> {
        match self {
            Self::Model => Some(&s.model),
            Self::MarketMorning => s.market_morning.as_ref(),
            Self::MarketFinal => Some(&s.market_final),
            Self::CombinedMorning => s.combined_morning.as_ref(),
            Self::CombinedLate => Some(&s.combined_late),
            Self::RecalibratedMorning => s.recalibrated_morning.as_ref(),
            Self::RecalibratedFinal => Some(&s.recalibrated_final),
            Self::Challenger(c) => s.challengers.get(&c).map(|p| &p.calibrated),
        }
    }
}

/// −ln p(winner).
pub(crate) fn logloss(p: &Array1<f64>, winner: usize) -> f64 {
    -p.get(winner).copied().unwrap_or(0.0).max(P_FLOOR).ln()
}

/// Per-race log-losses of a forecaster; `None` if it is missing on any race.
pub(crate) fn loglosses(races: &[Scored], source: Source) -> Option<Vec<f64>> {
    races
        .iter()
        .map(|r| source.probs(r).map(|p| logloss(p, r.winner)))
        .collect()
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Mean log-loss of the uniform forecast, ln(field size).
pub(crate) fn uniform_logloss(races: &[Scored]) -> f64 {
    mean(races.iter().map(|r| (r.model.len().max(1) as f64).ln()))
}

/// Number of runners strictly more likely than the winner: 0 means the winner was the favourite.
fn rank_of_winner(p: &Array1<f64>, winner: usize) -> usize {
    let pw = p.get(winner).copied().unwrap_or(0.0);
    p.iter().filter(|&&q| q > pw).count()
}

/// All scores of one forecaster; `None` if it is missing on any race or there are no races.
pub(crate) fn source_metrics(races: &[Scored], source: Source) -> Option<SourceMetrics> {
    if races.is_empty() {
        return None;
    }
    let losses = loglosses(races, source)?;
    let logloss = mean(losses.into_iter());
    let uniform = uniform_logloss(races);
    let probs: Vec<(&Array1<f64>, usize)> = races
        .iter()
        .filter_map(|r| source.probs(r).map(|p| (p, r.winner)))
        .collect();
    let brier = mean(probs.iter().map(|(p, w)| {
        p.iter()
            .enumerate()
            .map(|(i, q)| (q - f64::from(u8::from(i == *w))).powi(2))
            .sum::<f64>()
    }));
    let hit = |k: usize| {
        mean(
            probs
                .iter()
                .map(|(p, w)| f64::from(u8::from(rank_of_winner(p, *w) < k))),
        )
    };
    Some(SourceMetrics {
        logloss,
        pseudo_r2: if uniform > 0.0 {
            1.0 - logloss / uniform
        } else {
            0.0
        },
        brier,
        top1: hit(1),
        top3: hit(3),
    })
}

/// Calibration by deciles (equal-count bins) of predicted probability over all runners.
pub(crate) fn calibration(races: &[Scored], source: Source, bins: usize) -> Vec<CalibrationBin> {
    let mut points: Vec<(f64, f64)> = races
        .iter()
        .filter_map(|r| source.probs(r).map(|p| (p, r.winner)))
        .flat_map(|(p, w)| {
            p.iter()
                .enumerate()
                .map(move |(i, q)| (*q, f64::from(u8::from(i == w))))
                .collect::<Vec<_>>()
        })
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = points.len();
    let bins = bins.max(1);
    (0..bins)
        .filter_map(|k| {
            let chunk = &points[k * n / bins..(k + 1) * n / bins];
            let (first, last) = (chunk.first()?, chunk.last()?);
            Some(CalibrationBin {
                p_min: first.0,
                p_max: last.0,
                mean_predicted: mean(chunk.iter().map(|c| c.0)),
                observed: mean(chunk.iter().map(|c| c.1)),
                runners: chunk.len(),
            })
        })
        .collect()
}

/// Percentile bootstrap of the mean of `diffs`, resampling races with replacement.
pub(crate) fn bootstrap(diffs: &[f64], resamples: usize, seed: u64) -> DiffCi {
    let observed = mean(diffs.iter().copied());
    let mut rng = SplitMix64::new(seed);
    let n = diffs.len();
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            if n == 0 {
                return 0.0;
            }
            (0..n).map(|_| diffs[rng.below(n)]).sum::<f64>() / n as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let quantile = |q: f64| -> f64 {
        if means.is_empty() {
            return observed;
        }
        let at = (q * (means.len() - 1) as f64).round() as usize;
        means[at.min(means.len() - 1)]
    };
    DiffCi {
        mean: observed,
        lo: quantile(0.025),
        hi: quantile(0.975),
        share_better: mean(means.iter().map(|m| f64::from(u8::from(*m < 0.0)))),
        resamples,
        seed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn scored(model: Array1<f64>, winner: usize) -> Scored {
        Scored {
            week: 0,
            winner,
            market_morning: None,
            market_final: model.clone(),
            combined_morning: None,
            combined_late: model.clone(),
            recalibrated_morning: None,
            recalibrated_final: model.clone(),
            odds_morning: vec![None; model.len()],
            odds_final: vec![2.0; model.len()],
            finish: vec![None; model.len()],
            challengers: BTreeMap::new(),
            model,
        }
    }

    #[test]
    fn scores_match_a_hand_computed_race() {
        let races = vec![scored(array![0.5, 0.3, 0.2], 1)];
        let m = source_metrics(&races, Source::Model).expect("model exists");
        assert_abs_diff_eq!(m.logloss, -(0.3f64.ln()), epsilon = 1e-12);
        assert_abs_diff_eq!(m.brier, 0.25 + 0.49 + 0.04, epsilon = 1e-12);
        assert_abs_diff_eq!(
            m.pseudo_r2,
            1.0 - 0.3f64.ln() / (1.0f64 / 3.0).ln(),
            epsilon = 1e-12
        );
        assert_eq!((m.top1, m.top3), (0.0, 1.0));
        assert!(source_metrics(&races, Source::MarketMorning).is_none());
        assert!(source_metrics(&[], Source::Model).is_none());
    }

    #[test]
    fn calibration_bins_hold_equal_counts_in_order() {
        let races: Vec<Scored> = (0..10).map(|i| scored(array![0.9, 0.1], i % 2)).collect();
        let bins = calibration(&races, Source::Model, 2);
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0].runners, 10);
        assert_abs_diff_eq!(bins[0].mean_predicted, 0.1, epsilon = 1e-12);
        assert_abs_diff_eq!(bins[1].observed, 0.5, epsilon = 1e-12);
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_mean() {
        let diffs: Vec<f64> = (0..200).map(|i| f64::from(i % 7) / 10.0 - 0.35).collect();
        let a = bootstrap(&diffs, 500, 1);
        assert_eq!(a, bootstrap(&diffs, 500, 1));
        assert!(a.lo <= a.mean && a.mean <= a.hi);
        let empty = bootstrap(&[], 10, 1);
        assert_eq!((empty.mean, empty.lo, empty.hi), (0.0, 0.0, 0.0));
    }
}
