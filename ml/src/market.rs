//! The betting market as a probability model: implied win probabilities from decimal odds,
//! normalised so that the bookmaker's (or the pool's) margin is spread over the runners.

use ndarray::Array1;
use pronoturf_core::domain::{RaceCard, RunnerStatus};
use serde::Serialize;

/// Which published odds a market forecast reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketOdds {
    /// Reference (morning) odds.
    Morning,
    /// Final odds.
    Final,
}

/// Log-loss of a market over a set of races.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MarketBaseline {
    /// Races scored.
    pub races: usize,
    /// Mean −ln p(winner).
    pub logloss: f64,
}

/// Odds usable as a price: finite and above 1 (stake included), as the history README requires.
pub fn valid_odds(odds: Option<f64>) -> Option<f64> {
    odds.filter(|o| o.is_finite() && *o > 1.0)
}

/// Implied probabilities `1/odds` normalised to sum to 1, or `None` unless every runner has a
/// usable price: a market that does not price every runner is not a complete forecast.
pub fn implied_probabilities(odds: &[Option<f64>]) -> Option<Array1<f64>> {
    if odds.is_empty() {
        return None;
    }
    let inverse: Option<Vec<f64>> = odds
        .iter()
        .map(|o| valid_odds(*o).map(|o| 1.0 / o))
        .collect();
    let inverse = Array1::from(inverse?);
    let total = inverse.sum();
    Some(inverse / total)
}

/// The market's log-loss as the history README defines it: `1/odds` normalised over the runners
/// that ran (classified or not), on races with exactly one winner and every such price above 1.
/// `None` when no race qualifies.
pub fn market_logloss(cards: &[RaceCard], odds: MarketOdds) -> Option<MarketBaseline> {
    let mut total = 0.0;
    let mut races = 0;
    for card in cards {
        let ran: Vec<_> = card
            .runners
            .iter()
            .filter(|r| matches!(r.status, RunnerStatus::Ran | RunnerStatus::Dnf))
            .collect();
        let winners: Vec<usize> = (0..ran.len())
            .filter(|&i| ran[i].status == RunnerStatus::Ran && ran[i].finish == Some(1))
            .collect();
        let [winner] = winners.as_slice() else {
            continue;
        };
        let prices: Vec<Option<f64>> = ran
            .iter()
            .map(|r| match odds {
                MarketOdds::Morning => r.odds_reference,
                MarketOdds::Final => r.odds_final,
            })
            .collect();
        if let Some(p) = implied_probabilities(&prices) {
            total -= p[*winner].ln();
            races += 1;
        }
    }
    (races > 0).then(|| MarketBaseline {
        races,
        logloss: total / races as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn implied_probabilities_remove_the_margin() {
        let p = implied_probabilities(&[Some(2.0), Some(4.0), Some(4.0)]).expect("complete market");
        assert_abs_diff_eq!(p.sum(), 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(p[0], 0.5, epsilon = 1e-12);
    }

    #[test]
    fn a_missing_or_impossible_price_leaves_no_market() {
        assert!(implied_probabilities(&[Some(2.0), None]).is_none());
        assert!(implied_probabilities(&[Some(2.0), Some(1.0)]).is_none());
        assert!(implied_probabilities(&[Some(2.0), Some(f64::NAN)]).is_none());
        assert!(implied_probabilities(&[]).is_none());
    }
}
