//! Betting strategies replayed on the evaluated races. Decisions use only what is known at
//! decision time (the 07:00 combination and morning odds for value bets); every bet is settled at
//! the final odds, as a pari-mutuel win bet is.

use super::metrics::Scored;
use super::report::StrategyResult;
use crate::market::valid_odds;
use ndarray::Array1;
use std::collections::BTreeMap;

/// Notional bank for Kelly stakes. Stakes are fractions of this fixed bank, not compounded, so
/// that the ROI of a season does not depend on the order of the races.
const KELLY_BANK: f64 = 100.0;

impl StrategyResult {
    fn bet(&mut self, stake: f64, won: bool, final_odds: f64) {
        self.bets += 1;
        self.staked += stake;
        if won {
            self.winners += 1;
            self.returned += stake * final_odds;
        }
    }

    fn close(mut self) -> Self {
        self.profit = self.returned - self.staked;
        self.roi = if self.staked > 0.0 {
            self.profit / self.staked
        } else {
            0.0
        };
        self
    }
}

fn top_pick(p: &Array1<f64>) -> Option<usize> {
    p.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

/// Flat 1 € on the favourite of `probs` in every race.
fn flat_top_pick<'a>(
    races: &'a [Scored],
    probs: impl Fn(&'a Scored) -> Option<&'a Array1<f64>>,
) -> StrategyResult {
    let mut result = StrategyResult::default();
    for race in races {
        let Some(pick) = probs(race).and_then(top_pick) else {
            continue;
        };
        let odds = race.odds_final.get(pick).copied().unwrap_or(0.0);
        result.bet(1.0, pick == race.winner, odds);
    }
    result.close()
}

/// Value bets: every runner whose 07:00 edge p × morning odds − 1 exceeds `threshold`, staked flat
/// (1 €) or by fractional Kelly on the morning price.
fn value_bets(races: &[Scored], threshold: f64, kelly: Option<f64>) -> StrategyResult {
    let mut result = StrategyResult::default();
    for race in races {
        let Some(p) = &race.combined_morning else {
            continue;
        };
        for (i, (&q, odds)) in p.iter().zip(&race.odds_morning).enumerate() {
            let Some(o) = valid_odds(*odds) else { continue };
            let edge = q * o - 1.0;
            if edge <= threshold {
                continue;
            }
            let stake = match kelly {
                Some(fraction) => KELLY_BANK * fraction * edge / (o - 1.0),
                None => 1.0,
            };
            let final_odds = race.odds_final.get(i).copied().unwrap_or(0.0);
            result.bet(stake, i == race.winner, final_odds);
        }
    }
    result.close()
}

/// Every strategy, by name.
pub(crate) fn strategies(
    races: &[Scored],
    thresholds: &[f64],
    kelly_fraction: f64,
) -> BTreeMap<String, StrategyResult> {
    let mut out = BTreeMap::new();
    out.insert(
        "model_top_pick_flat".to_string(),
        flat_top_pick(races, |r| Some(&r.model)),
    );
    out.insert(
        "market_final_favourite_flat".to_string(),
        flat_top_pick(races, |r| Some(&r.market_final)),
    );
    let has_morning = races.iter().any(|r| r.combined_morning.is_some());
    if has_morning {
        out.insert(
            "combined_morning_top_pick_flat".to_string(),
            flat_top_pick(races, |r| r.combined_morning.as_ref()),
        );
        for &t in thresholds {
            out.insert(
                format!("value_edge_{t:.2}_flat"),
                value_bets(races, t, None),
            );
            out.insert(
                format!("value_edge_{t:.2}_kelly_{kelly_fraction:.2}"),
                value_bets(races, t, Some(kelly_fraction)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn value_bets_decide_on_morning_odds_and_settle_on_final_odds() {
        // Arrange: runner 0 is priced at 3.0 in the morning with p = 0.5 (edge 0.5) and wins at 2.0.
        let race = Scored {
            week: 0,
            winner: 0,
            model: array![0.6, 0.4],
            market_morning: Some(array![0.4, 0.6]),
            market_final: array![0.5, 0.5],
            combined_morning: Some(array![0.5, 0.5]),
            combined_late: array![0.5, 0.5],
            recalibrated_morning: None,
            recalibrated_final: array![0.5, 0.5],
            odds_morning: vec![Some(3.0), Some(1.5)],
            odds_final: vec![2.0, 2.0],
            finish: vec![Some(1), Some(2)],
            challengers: std::collections::BTreeMap::new(),
        };

        // Act
        let s = strategies(&[race], &[0.1], 0.25);

        // Assert
        let flat = s["value_edge_0.10_flat"];
        assert_eq!((flat.bets, flat.winners), (1, 1));
        assert_abs_diff_eq!(flat.roi, 1.0, epsilon = 1e-12);
        let kelly = s["value_edge_0.10_kelly_0.25"];
        assert_abs_diff_eq!(kelly.staked, 100.0 * 0.25 * 0.5 / 2.0, epsilon = 1e-12);
        let top = s["model_top_pick_flat"];
        assert_abs_diff_eq!(top.profit, 1.0, epsilon = 1e-12);
    }
}
