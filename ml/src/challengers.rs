//! Challengers of the conditional logit (issue 3): per-runner classifiers from linfa, a logistic
//! regression (linfa-logistic) and a random forest (linfa-ensemble), each learning win / no win.
//! Neither knows that exactly one runner wins each race, which the conditional logit builds in, so
//! their scores are normalised within each race to sum to 1; the walk-forward then calibrates
//! them (`evaluate`), so that the comparison with the model is about ranking, not scale.

mod forest;
mod logistic;

use crate::features::RaceFeatures;
use ndarray::{Array1, Array2, Axis, concatenate};
use serde::{Deserialize, Serialize};

/// A challenger model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Challenger {
    /// linfa-logistic, ridge-penalised, on standardised features.
    Logistic,
    /// linfa-ensemble bagging of linfa-trees decision trees on random feature subsets.
    RandomForest,
}

impl Challenger {
    /// Every challenger, in report order.
    pub const ALL: [Challenger; 2] = [Self::Logistic, Self::RandomForest];

    /// Name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Logistic => "logistic",
            Self::RandomForest => "random_forest",
        }
    }

    /// Fits the challenger on the usable races of `train` (a winner, two runners or more);
    /// `None` when nothing can be learnt. `seed` makes the forest reproducible.
    pub fn fit(self, train: &[RaceFeatures], seed: u64) -> Option<FittedChallenger> {
        let races: Vec<&RaceFeatures> = train.iter().filter(|r| usable(r)).collect();
        let (x, y) = stacked(&races)?;
        match self {
            Self::Logistic => logistic::fit(&x, y).map(FittedChallenger::Logistic),
            Self::RandomForest => forest::fit(&x, &y, seed).map(FittedChallenger::RandomForest),
        }
    }
}

/// A fitted challenger.
pub enum FittedChallenger {
    /// See [`Challenger::Logistic`].
    Logistic(logistic::FittedLogistic),
    /// See [`Challenger::RandomForest`].
    RandomForest(forest::FittedForest),
}

impl FittedChallenger {
    /// Per-runner win scores of one race (runners × features, the model's columns), normalised to
    /// sum to 1; `None` when the scores cannot be normalised.
    pub fn predict(&self, x: &Array2<f64>) -> Option<Array1<f64>> {
        if x.nrows() == 0 {
            return None;
        }
        let scores = match self {
            Self::Logistic(m) => m.win_scores(x),
            Self::RandomForest(m) => m.win_scores(x),
        };
        let total = scores.sum();
        (total > 0.0 && total.is_finite()).then(|| scores / total)
    }
}

fn usable(r: &RaceFeatures) -> bool {
    r.x.nrows() > 1 && r.winner.is_some()
}

/// Every runner of `races` as one row, labelled 1 for the winner and 0 otherwise.
fn stacked(races: &[&RaceFeatures]) -> Option<(Array2<f64>, Array1<usize>)> {
    let views: Vec<_> = races.iter().map(|r| r.x.view()).collect();
    let x = concatenate(Axis(0), &views).ok()?;
    let y = races
        .iter()
        .flat_map(|r| (0..r.x.nrows()).map(move |i| usize::from(r.winner == Some(i))))
        .collect();
    (x.nrows() > 0).then_some((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{OddsChoice, build_features};
    use crate::serving::tests::synthetic_history;
    use chrono::NaiveDate;

    #[test]
    fn both_challengers_beat_the_uniform_forecast_out_of_sample() {
        // Arrange: learn from January, predict the first days of February.
        let cards = synthetic_history(40, 20, 3);
        let features = build_features(&cards, OddsChoice::Morning);
        let cut = NaiveDate::from_ymd_opt(2026, 2, 1).expect("date");
        let split = features.partition_point(|f| f.date < cut);
        let (train, test) = features.split_at(split);

        for challenger in Challenger::ALL {
            // Act
            let fitted = challenger.fit(train, 7).expect("fitted");
            let (mut loss, mut uniform) = (0.0, 0.0);
            for race in test.iter().filter(|r| usable(r)) {
                let p = fitted.predict(&race.x).expect("normalised");
                approx::assert_abs_diff_eq!(p.sum(), 1.0, epsilon = 1e-9);
                loss -= p[race.winner.expect("usable")].max(1e-15).ln();
                uniform += (race.x.nrows() as f64).ln();
            }

            // Assert
            assert!(loss < uniform, "{}: {loss} vs {uniform}", challenger.name());
        }
    }

    #[test]
    fn nothing_to_learn_from_fits_nothing() {
        assert!(Challenger::Logistic.fit(&[], 1).is_none());
        assert!(Challenger::RandomForest.fit(&[], 1).is_none());
    }
}
