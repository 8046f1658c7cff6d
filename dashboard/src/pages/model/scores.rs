//! Scores of the stored predictions against what happened: per-race log-loss of the model beside
//! the morning and final markets' on exactly the same races, week by week, and the calibration
//! of the model's win probabilities. Pure functions over the Store's predicted runners.

use chrono::{Datelike, Days, NaiveDate};
use pronoturf_core::domain::RaceKey;
use pronoturf_core::store::PredictedRunner;

/// Probabilities are floored here before the logarithm, so a zero stays finite.
const FLOOR: f64 = 1e-12;

/// Calibration bins of the predicted win probability, as [low, high) shares.
pub const BINS: [(f64, f64); 8] = [
    (0.0, 0.05),
    (0.05, 0.10),
    (0.10, 0.15),
    (0.15, 0.20),
    (0.20, 0.30),
    (0.30, 0.40),
    (0.40, 0.50),
    (0.50, 1.0 + 1e-9),
];

/// One race's scores: −ln of the probability each source gave the winner.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceScore {
    /// The race.
    pub key: RaceKey,
    /// Model.
    pub model: f64,
    /// Morning market (1/odds normalised).
    pub morning: f64,
    /// Final market.
    pub closing: f64,
    /// The model's top pick won.
    pub top_pick_won: bool,
}

/// Log-losses averaged over a set of races.
#[derive(Debug, Clone, PartialEq)]
pub struct LossSummary {
    /// Monday of the week, or `None` for the whole period.
    pub week: Option<NaiveDate>,
    /// Races scored.
    pub races: usize,
    /// Model.
    pub model: f64,
    /// Morning market.
    pub morning: f64,
    /// Final market.
    pub closing: f64,
    /// Share of races won by the model's top pick.
    pub top_pick_rate: f64,
}

/// One calibration bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Bin {
    /// Lower bound (share).
    pub low: f64,
    /// Upper bound (share).
    pub high: f64,
    /// Runners in the bin.
    pub runners: usize,
    /// Mean predicted probability.
    pub predicted: f64,
    /// Share that won.
    pub observed: f64,
}

/// The runners of each race (input in race order), races with one winner only: a dead heat for
/// first or a missing winner cannot score a win probability.
fn races(runners: &[PredictedRunner]) -> Vec<&[PredictedRunner]> {
    runners
        .chunk_by(|a, b| a.key == b.key)
        .filter(|race| race.iter().filter(|r| r.finish == Some(1)).count() == 1)
        .collect()
}

/// The winner's normalised 1/odds, when every runner of the race has odds.
fn market_loss(
    race: &[PredictedRunner],
    odds: impl Fn(&PredictedRunner) -> Option<f64>,
) -> Option<f64> {
    let inverse: Vec<f64> = race
        .iter()
        .map(|r| odds(r).filter(|o| *o > 1.0).map(|o| 1.0 / o))
        .collect::<Option<_>>()?;
    let total: f64 = inverse.iter().sum();
    let winner = race.iter().position(|r| r.finish == Some(1))?;
    Some(-(inverse[winner] / total).max(FLOOR).ln())
}

/// Scores of the races where the model and both markets can all be scored: the same races for
/// the three, so their log-losses compare. Also returns how many races had a single winner.
pub fn race_scores(runners: &[PredictedRunner]) -> (Vec<RaceScore>, usize) {
    let all = races(runners);
    let scored = all
        .iter()
        .filter_map(|race| {
            let winner = race.iter().find(|r| r.finish == Some(1))?;
            let top = race.iter().max_by(|a, b| a.p_win.total_cmp(&b.p_win))?;
            Some(RaceScore {
                key: winner.key,
                model: -winner.p_win.max(FLOOR).ln(),
                morning: market_loss(race, |r| r.odds_reference)?,
                closing: market_loss(race, |r| r.odds_final)?,
                top_pick_won: top.number == winner.number,
            })
        })
        .collect();
    (scored, all.len())
}

fn summary(week: Option<NaiveDate>, scores: &[&RaceScore]) -> LossSummary {
    let n = scores.len().max(1) as f64;
    let mean = |f: fn(&RaceScore) -> f64| scores.iter().map(|s| f(s)).sum::<f64>() / n;
    LossSummary {
        week,
        races: scores.len(),
        model: mean(|s| s.model),
        morning: mean(|s| s.morning),
        closing: mean(|s| s.closing),
        top_pick_rate: scores.iter().filter(|s| s.top_pick_won).count() as f64 / n,
    }
}

fn monday(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
        .unwrap_or(d)
}

/// Mean log-losses per week (oldest first), and over every race scored.
pub fn weekly(scores: &[RaceScore]) -> (Vec<LossSummary>, Option<LossSummary>) {
    let mut weeks: Vec<LossSummary> = Vec::new();
    let refs: Vec<&RaceScore> = scores.iter().collect();
    for chunk in refs.chunk_by(|a, b| monday(a.key.date) == monday(b.key.date)) {
        weeks.push(summary(Some(monday(chunk[0].key.date)), chunk));
    }
    let total = (!refs.is_empty()).then(|| summary(None, &refs));
    (weeks, total)
}

/// Calibration of the model's win probabilities over every runner of races with one winner.
pub fn calibration(runners: &[PredictedRunner]) -> Vec<Bin> {
    let all: Vec<&PredictedRunner> = races(runners).into_iter().flatten().collect();
    BINS.iter()
        .filter_map(|&(low, high)| {
            let inside: Vec<&&PredictedRunner> = all
                .iter()
                .filter(|r| r.p_win >= low && r.p_win < high)
                .collect();
            let n = inside.len();
            (n > 0).then(|| Bin {
                low,
                high: high.min(1.0),
                runners: n,
                predicted: inside.iter().map(|r| r.p_win).sum::<f64>() / n as f64,
                observed: inside.iter().filter(|r| r.finish == Some(1)).count() as f64 / n as f64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runner(
        day: u32,
        race: u32,
        number: u32,
        p_win: f64,
        odds: (f64, f64),
        finish: u32,
    ) -> PredictedRunner {
        PredictedRunner {
            key: RaceKey {
                date: NaiveDate::from_ymd_opt(2026, 1, day).expect("date"),
                meeting: 1,
                race,
            },
            number,
            p_win,
            odds_reference: Some(odds.0),
            odds_final: Some(odds.1),
            finish: Some(finish),
        }
    }

    #[test]
    fn log_losses_are_minus_the_log_of_the_winners_probability_on_the_same_races() {
        // Race 1 (Monday 5 January): n° 2 wins; model 0.25, morning 1/4 ÷ (1/2 + 1/4) = 1/3,
        // final 1/2 ÷ (1/2 + 1/2) = 1/2. Race 2 lacks final odds for a runner: not scored.
        let mut unpriced = runner(6, 2, 1, 0.5, (2.0, 2.0), 1);
        unpriced.odds_final = None;
        let runners = vec![
            runner(5, 1, 1, 0.75, (2.0, 2.0), 2),
            runner(5, 1, 2, 0.25, (4.0, 2.0), 1),
            unpriced,
            runner(6, 2, 2, 0.5, (2.0, 2.0), 2),
        ];
        let (scores, with_winner) = race_scores(&runners);
        assert_eq!((scores.len(), with_winner), (1, 2));
        let s = &scores[0];
        assert!((s.model - 4f64.ln()).abs() < 1e-12);
        assert!((s.morning - 3f64.ln()).abs() < 1e-12);
        assert!((s.closing - 2f64.ln()).abs() < 1e-12);
        assert!(!s.top_pick_won);
        let (weeks, total) = weekly(&scores);
        assert_eq!(weeks.len(), 1);
        assert_eq!(weeks[0].week, NaiveDate::from_ymd_opt(2026, 1, 5));
        assert_eq!(total.map(|t| t.races), Some(1));
    }

    #[test]
    fn calibration_compares_mean_predictions_with_win_frequencies_per_bin() {
        let runners = vec![
            runner(5, 1, 1, 0.7, (2.0, 2.0), 1),
            runner(5, 1, 2, 0.3, (2.0, 2.0), 2),
            runner(5, 2, 1, 0.6, (2.0, 2.0), 2),
            runner(5, 2, 2, 0.4, (2.0, 2.0), 1),
        ];
        let bins = calibration(&runners);
        let got: Vec<(f64, usize, f64)> = bins
            .iter()
            .map(|b| (b.low, b.runners, b.observed))
            .collect();
        assert_eq!(got, vec![(0.3, 1, 0.0), (0.4, 1, 1.0), (0.5, 2, 0.5)]);
        assert!((bins[2].predicted - 0.65).abs() < 1e-12);
    }
}
