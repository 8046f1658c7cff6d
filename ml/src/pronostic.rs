//! Pronostics of a race from its forecast: the winner (gagnant), the safest place bet (placé) and
//! the tiercé, quarté and quinté orders, each with its probability under Harville–Benter and a
//! confidence level; and value bets with their fractional Kelly stake.

use crate::place::PlaceExponents;
use serde::{Deserialize, Serialize};

/// Fraction of the full Kelly stake advised: full Kelly is optimal only with exact probabilities,
/// and a quarter keeps most of the growth while cutting the variance of estimation errors.
pub const KELLY_FRACTION: f64 = 0.25;

/// What a pronostic bets on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PronosticKind {
    /// The winner.
    Gagnant,
    /// A runner in the first three.
    Place,
    /// The first three, in order.
    Tierce,
    /// The first four, in order.
    Quarte,
    /// The first five, in order.
    Quinte,
}

impl PronosticKind {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gagnant => "gagnant",
            Self::Place => "place",
            Self::Tierce => "tierce",
            Self::Quarte => "quarte",
            Self::Quinte => "quinte",
        }
    }
}

/// How much a pronostic beats a blind pick, by its lift per place: (probability ÷ the probability
/// of a uniformly random pick of the same kind)^(1/k) for k runners picked, so that a quinté is not
/// "high" merely because a random quinté almost never comes in. High from 3×, medium from 1.8×.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Lift of 3 or more.
    High,
    /// Lift from 1.8 to 3.
    Medium,
    /// Lift below 1.8.
    Low,
}

impl Confidence {
    fn from_lift(lift: f64) -> Self {
        if lift >= 3.0 {
            Self::High
        } else if lift >= 1.8 {
            Self::Medium
        } else {
            Self::Low
        }
    }

    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// One pronostic of a race.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pronostic {
    /// What it bets on.
    pub kind: PronosticKind,
    /// Saddle-cloth numbers, in the advised order.
    pub selection: Vec<u32>,
    /// Probability that it comes in: win, top three, or the set filling the first places in any
    /// order (désordre) for tiercé, quarté and quinté.
    pub probability: f64,
    /// Probability of the exact order (equal to `probability` for gagnant and placé).
    pub probability_in_order: f64,
    /// Confidence level, from the lift over a random pick.
    pub confidence: Confidence,
}

/// Number of ordered selections of `k` among `n` divided by the `k!` orders: the chance that a
/// random set of `k` runners fills the first `k` places.
fn random_set_probability(n: usize, k: usize) -> f64 {
    (0..k).map(|i| (k - i) as f64 / (n - i) as f64).product()
}

/// Pronostics of one race from its runners' numbers and win and top-three probabilities (same
/// order), with the model's place exponents. Orders need at least as many runners as places.
pub fn pronostics(
    numbers: &[u32],
    p_win: &[f64],
    p_place: &[f64],
    exponents: &PlaceExponents,
) -> Vec<Pronostic> {
    let n = numbers.len();
    if n == 0 || p_win.len() != n || p_place.len() != n {
        return Vec::new();
    }
    let mut by_win: Vec<usize> = (0..n).collect();
    by_win.sort_by(|&a, &b| {
        p_win[b]
            .total_cmp(&p_win[a])
            .then(numbers[a].cmp(&numbers[b]))
    });
    let mut out = Vec::new();
    let top = by_win[0];
    out.push(Pronostic {
        kind: PronosticKind::Gagnant,
        selection: vec![numbers[top]],
        probability: p_win[top],
        probability_in_order: p_win[top],
        confidence: Confidence::from_lift(p_win[top] * n as f64),
    });
    let safest = (0..n)
        .max_by(|&a, &b| {
            p_place[a]
                .total_cmp(&p_place[b])
                .then(numbers[b].cmp(&numbers[a]))
        })
        .unwrap_or(top);
    out.push(Pronostic {
        kind: PronosticKind::Place,
        selection: vec![numbers[safest]],
        probability: p_place[safest],
        probability_in_order: p_place[safest],
        confidence: Confidence::from_lift(p_place[safest] / (3.min(n) as f64 / n as f64)),
    });
    for (kind, k) in [
        (PronosticKind::Tierce, 3),
        (PronosticKind::Quarte, 4),
        (PronosticKind::Quinte, 5),
    ] {
        if n < k {
            continue;
        }
        let order = &by_win[..k];
        let probability = exponents.set_probability(p_win, order);
        out.push(Pronostic {
            kind,
            selection: order.iter().map(|&i| numbers[i]).collect(),
            probability,
            probability_in_order: exponents.order_probability(p_win, order),
            confidence: Confidence::from_lift(
                (probability / random_set_probability(n, k)).powf(1.0 / k as f64),
            ),
        });
    }
    out
}

/// A value bet's edge `p × odds − 1` and its fractional Kelly stake as a share of the bankroll
/// (`KELLY_FRACTION × edge / (odds − 1)`, 0 without an edge). `None` without a usable price.
pub fn value(p_win: f64, odds: Option<f64>) -> Option<(f64, f64)> {
    let o = crate::market::valid_odds(odds)?;
    let edge = p_win * o - 1.0;
    let kelly = if edge > 0.0 {
        KELLY_FRACTION * edge / (o - 1.0)
    } else {
        0.0
    };
    Some((edge, kelly))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    const B: PlaceExponents = PlaceExponents::BENTER;

    fn place_probabilities(p: &[f64], places: usize) -> Vec<f64> {
        B.place_probabilities(p, places)
    }

    #[test]
    fn pronostics_follow_the_win_order_and_skip_orders_longer_than_the_field() {
        // Arrange
        let numbers = [4, 7, 1, 9];
        let p = [0.1, 0.5, 0.3, 0.1];
        let place = place_probabilities(&p, 3);

        // Act
        let out = pronostics(&numbers, &p, &place, &B);

        // Assert
        let kinds: Vec<_> = out.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                PronosticKind::Gagnant,
                PronosticKind::Place,
                PronosticKind::Tierce,
                PronosticKind::Quarte
            ]
        );
        assert_eq!(out[0].selection, [7]);
        assert_abs_diff_eq!(out[0].probability, 0.5, epsilon = 1e-12);
        // Ties on 0.1 break by the lower number.
        assert_eq!(out[3].selection, [7, 1, 4, 9]);
        // The quarté of a 4-runner field fills the places for sure, in some order.
        assert_abs_diff_eq!(out[3].probability, 1.0, epsilon = 1e-12);
        assert!(out[2].probability_in_order < out[2].probability);
    }

    #[test]
    fn confidence_grows_with_the_lift_over_a_random_pick() {
        // Arrange / Act: a 10-runner field; the favourite at 0.45 has a lift of 4.5.
        let mut p = vec![0.45];
        p.extend(std::iter::repeat_n(0.55 / 9.0, 9));
        let numbers: Vec<u32> = (1..=10).collect();
        let out = pronostics(&numbers, &p, &place_probabilities(&p, 3), &B);
        let flat = vec![0.1; 10];
        let uniform = pronostics(&numbers, &flat, &place_probabilities(&flat, 3), &B);

        // Assert
        assert_eq!(out[0].confidence, Confidence::High);
        assert_eq!(uniform[0].confidence, Confidence::Low);
        assert_eq!(uniform[2].confidence, Confidence::Low);
        // A quinté is judged per place: four interchangeable outsiders make it a long shot.
        assert_eq!(out[4].kind, PronosticKind::Quinte);
        assert_eq!(out[4].confidence, Confidence::Low);
        assert_abs_diff_eq!(random_set_probability(10, 3), 1.0 / 120.0, epsilon = 1e-15);
    }

    #[test]
    fn value_is_the_edge_and_a_quarter_kelly_stake() {
        // Arrange / Act / Assert: p = 0.25 at odds 5 → edge 0.25, Kelly 0.25/4, a quarter of it.
        let (edge, kelly) = value(0.25, Some(5.0)).expect("priced");
        assert_abs_diff_eq!(edge, 0.25, epsilon = 1e-12);
        assert_abs_diff_eq!(kelly, 0.25 * 0.25 / 4.0, epsilon = 1e-12);
        assert_eq!(value(0.1, Some(5.0)).map(|v| v.1), Some(0.0));
        assert_eq!(value(0.5, None), None);
        assert_eq!(value(0.5, Some(1.0)), None);
    }
}
