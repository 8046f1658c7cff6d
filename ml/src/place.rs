//! Finishing-order probabilities from win probabilities: Harville's model (1973) with Benter's
//! correction (1994). Harville assumes that, once the winner is known, the others finish second in
//! proportion to their win probabilities. Real races are more random below the winner: favourites
//! finish second and third less often than that, outsiders more. Benter's fix raises the win
//! probabilities to an exponent below 1 before renormalising, for second and for third place.
//!
//! The exponents are [`PlaceExponents`]. [`PlaceExponents::BENTER`] holds the values Benter
//! reports from his Hong Kong data (0.81 and 0.65, "Computer based horse race handicapping and
//! wagering systems", 1994); [`fit_exponents`] refits them by maximum likelihood on observed
//! finishing orders, and a served model carries its own. Fourth place and beyond reuse the
//! third-place exponent.

mod fit;

pub use fit::{Podium, fit_exponents, podium};

use serde::{Deserialize, Serialize};

/// Exponents applied to the win probabilities for second place and for third (and later) places.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlaceExponents {
    /// Exponent for second place.
    pub second: f64,
    /// Exponent for third place (and, here, for later places).
    pub third: f64,
}

impl PlaceExponents {
    /// Benter's published values: the prior, and what models saved before the refit carry.
    pub const BENTER: Self = Self {
        second: 0.81,
        third: 0.65,
    };

    /// The exponent for finishing position `pos` (0 = first).
    fn exponent(&self, pos: usize) -> f64 {
        match pos {
            0 => 1.0,
            1 => self.second,
            _ => self.third,
        }
    }

    /// Whether both exponents are usable (finite and positive).
    pub fn is_valid(&self) -> bool {
        [self.second, self.third]
            .iter()
            .all(|e| e.is_finite() && *e > 0.0)
    }

    /// Probability of each runner finishing in the first `places` positions. With win
    /// probabilities summing to 1 the result sums to `min(places, runners)`. `places` = 1 returns
    /// `p` itself.
    pub fn place_probabilities(&self, p: &[f64], places: usize) -> Vec<f64> {
        let places = places.min(p.len());
        let mut out = vec![0.0; p.len()];
        if places == 0 {
            return out;
        }
        let strengths = Strengths::new(self, p, places);
        let mut taken = Vec::with_capacity(places);
        accumulate(&strengths, places, 1.0, &mut taken, &mut out);
        out
    }

    /// Probability that the runners of `order` (row indices) finish first, second, ... exactly
    /// in that order.
    pub fn order_probability(&self, p: &[f64], order: &[usize]) -> f64 {
        if order.len() > p.len() || order.iter().any(|&i| i >= p.len()) {
            return 0.0;
        }
        let s = Strengths::new(self, p, order.len());
        let mut prob = 1.0;
        for (pos, &i) in order.iter().enumerate() {
            if order[..pos].contains(&i) {
                return 0.0;
            }
            prob *= s.step(pos, &order[..pos], i);
        }
        prob
    }

    /// Probability that the runners of `set` fill the first `set.len()` places in any order (the
    /// "désordre" of a tiercé, quarté or quinté).
    pub fn set_probability(&self, p: &[f64], set: &[usize]) -> f64 {
        let mut perm = set.to_vec();
        let mut total = 0.0;
        permutations(&mut perm, 0, &mut |order| {
            total += self.order_probability(p, order)
        });
        total
    }
}

impl Default for PlaceExponents {
    fn default() -> Self {
        Self::BENTER
    }
}

/// Per-position strengths: win probabilities raised to the position's exponent, renormalised.
struct Strengths {
    by_position: Vec<Vec<f64>>,
}

impl Strengths {
    fn new(exponents: &PlaceExponents, p: &[f64], positions: usize) -> Self {
        let by_position = (0..positions)
            .map(|pos| {
                let e = exponents.exponent(pos);
                let powered: Vec<f64> = p.iter().map(|&q| q.max(0.0).powf(e)).collect();
                let total: f64 = powered.iter().sum();
                if total > 0.0 {
                    powered.iter().map(|q| q / total).collect()
                } else {
                    vec![0.0; p.len()]
                }
            })
            .collect();
        Self { by_position }
    }

    /// Probability that `next` finishes at `pos` once `taken` have filled the earlier positions.
    fn step(&self, pos: usize, taken: &[usize], next: usize) -> f64 {
        let q = &self.by_position[pos];
        let left = 1.0 - taken.iter().map(|&t| q[t]).sum::<f64>();
        if left <= 0.0 { 0.0 } else { q[next] / left }
    }
}

/// Depth-first walk over partial orders, adding each path's probability to its runners.
fn accumulate(s: &Strengths, places: usize, prob: f64, taken: &mut Vec<usize>, out: &mut [f64]) {
    let pos = taken.len();
    if pos == places {
        return;
    }
    for next in 0..out.len() {
        if taken.contains(&next) {
            continue;
        }
        let p = prob * s.step(pos, taken, next);
        if p == 0.0 {
            continue;
        }
        out[next] += p;
        taken.push(next);
        accumulate(s, places, p, taken, out);
        taken.pop();
    }
}

/// Calls `f` with every permutation of `v[k..]` (Heap-like recursion by swaps).
fn permutations(v: &mut Vec<usize>, k: usize, f: &mut impl FnMut(&[usize])) {
    if k + 1 >= v.len() {
        f(v);
        return;
    }
    for i in k..v.len() {
        v.swap(k, i);
        permutations(v, k + 1, f);
        v.swap(k, i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    const B: PlaceExponents = PlaceExponents::BENTER;

    fn place_probabilities(p: &[f64], places: usize) -> Vec<f64> {
        B.place_probabilities(p, places)
    }

    fn order_probability(p: &[f64], order: &[usize]) -> f64 {
        B.order_probability(p, order)
    }

    #[test]
    fn place_probabilities_sum_to_the_places_available() {
        // Arrange
        let p = [0.4, 0.3, 0.15, 0.1, 0.05];

        // Act / Assert
        for places in 1..=6 {
            let q = place_probabilities(&p, places);
            assert_abs_diff_eq!(
                q.iter().sum::<f64>(),
                places.min(p.len()) as f64,
                epsilon = 1e-12
            );
            assert!(q.iter().all(|&v| (0.0..=1.0 + 1e-12).contains(&v)));
        }
        assert_eq!(place_probabilities(&p, 1), p.to_vec());
    }

    #[test]
    fn two_runners_hand_checked_second_place_uses_the_corrected_strengths() {
        // Arrange: with two runners the loser is second for sure, whatever the exponent.
        let p = [0.7, 0.3];

        // Act
        let q = place_probabilities(&p, 2);

        // Assert
        assert_abs_diff_eq!(q[0], 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(q[1], 1.0, epsilon = 1e-12);
    }

    #[test]
    fn three_runners_hand_checked_top_two() {
        // Arrange: p = (0.5, 0.3, 0.2); second-place strengths are p^0.81 renormalised.
        let p = [0.5, 0.3, 0.2];
        let w: Vec<f64> = p.iter().map(|v: &f64| v.powf(0.81)).collect();
        let t: f64 = w.iter().sum();
        let q: Vec<f64> = w.iter().map(|v| v / t).collect();
        // P(0 in top 2) = p0 + p1·q0/(1−q1) + p2·q0/(1−q2).
        let expected0 = 0.5 + 0.3 * q[0] / (1.0 - q[1]) + 0.2 * q[0] / (1.0 - q[2]);

        // Act
        let top2 = place_probabilities(&p, 2);

        // Assert
        assert_abs_diff_eq!(top2[0], expected0, epsilon = 1e-12);
        assert_abs_diff_eq!(top2.iter().sum::<f64>(), 2.0, epsilon = 1e-12);
        // The correction pulls the favourite's second places below plain Harville's.
        let harville0 = 0.5 + 0.3 * 0.5 / 0.7 + 0.2 * 0.5 / 0.8;
        assert!(top2[0] < harville0);
    }

    #[test]
    fn order_probabilities_over_all_orders_sum_to_one() {
        // Arrange
        let p = [0.5, 0.25, 0.15, 0.1];

        // Act: every ordered triple.
        let mut total = 0.0;
        for a in 0..4 {
            for b in 0..4 {
                for c in 0..4 {
                    if a != b && b != c && a != c {
                        total += order_probability(&p, &[a, b, c]);
                    }
                }
            }
        }

        // Assert
        assert_abs_diff_eq!(total, 1.0, epsilon = 1e-12);
        assert_abs_diff_eq!(order_probability(&p, &[0]), 0.5, epsilon = 1e-12);
        assert_eq!(order_probability(&p, &[0, 0]), 0.0);
        let set = B.set_probability(&p, &[0, 1, 2]);
        let by_hand: f64 = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ]
        .iter()
        .map(|o| order_probability(&p, o))
        .sum();
        assert_abs_diff_eq!(set, by_hand, epsilon = 1e-12);
    }
}
