//! Maximum-likelihood fit of the place exponents from finishing orders. Given the winner,
//! Harville–Benter says runner s finishes second with probability p_s^λ2 / Σ_{j≠winner} p_j^λ2;
//! given the first two, t finishes third with p_t^λ3 / Σ_{j∉{winner, second}} p_j^λ3. Each is a
//! conditional logit with one feature, ln p, over the runners still in contention for the place,
//! and its coefficient is the exponent. The two likelihoods share no parameter, so the two fits
//! are independent; both reuse the conditional logit's Newton solver, without penalty.

use super::PlaceExponents;
use crate::clogit::{Choice, ConditionalLogitParams};
use ndarray::Array2;

/// Rows of the first, second and third finishers.
pub type Podium = [usize; 3];

/// The rows that finished first, second and third, when each of these positions is held by
/// exactly one runner (a dead heat leaves the order undefined).
pub fn podium(finish: &[Option<u32>]) -> Option<Podium> {
    let mut out = [0; 3];
    for (slot, position) in out.iter_mut().zip(1u32..) {
        let mut rows = (0..finish.len()).filter(|&i| finish[i] == Some(position));
        *slot = rows.next()?;
        if rows.next().is_some() {
            return None;
        }
    }
    Some(out)
}

/// The runners still in contention (all but `taken`) with one column ln p, and the row of the one
/// that took the place.
fn contention(p: &[f64], taken: &[usize], placed: usize) -> Choice {
    let rows: Vec<usize> = (0..p.len()).filter(|i| !taken.contains(i)).collect();
    let x = Array2::from_shape_fn((rows.len(), 1), |(r, _)| p[rows[r]].max(1e-12).ln());
    Choice {
        x,
        winner: rows.iter().position(|&r| r == placed),
    }
}

/// Fits the exponents by maximum likelihood on races given as (win probabilities, podium), with
/// the win probabilities out of sample. Races of fewer than four runners are left out (their
/// third place is forced). `None` with fewer than `min_races` usable races, or when a fit does not
/// converge to a positive exponent: callers then keep [`PlaceExponents::BENTER`].
pub fn fit_exponents<'a>(
    races: impl IntoIterator<Item = (&'a [f64], Podium)>,
    min_races: usize,
) -> Option<PlaceExponents> {
    let (mut second, mut third) = (Vec::new(), Vec::new());
    for (p, [first, runner_up, placed]) in races {
        if p.len() < 4 || [first, runner_up, placed].iter().any(|&i| i >= p.len()) {
            continue;
        }
        second.push(contention(p, &[first], runner_up));
        third.push(contention(p, &[first, runner_up], placed));
    }
    if second.len() < min_races.max(1) {
        return None;
    }
    let params = ConditionalLogitParams::default().l2(0.0);
    let fit = |pool: &[Choice]| -> Option<f64> {
        let m = params.fit(pool).ok()?;
        let e = m.raw_coefficients()[0];
        (m.converged && e.is_finite() && e > 0.0).then_some(e)
    };
    let exponents = PlaceExponents {
        second: fit(&second)?,
        third: fit(&third)?,
    };
    exponents.is_valid().then_some(exponents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use approx::assert_abs_diff_eq;

    /// Draws a row with probability proportional to `w`, among rows not yet `taken`.
    fn draw(w: &[f64], taken: &[usize], rng: &mut SplitMix64) -> usize {
        let open = |i: &usize| !taken.contains(i);
        let total: f64 = (0..w.len()).filter(open).map(|i| w[i]).sum();
        let mut u = rng.next_f64() * total;
        let mut last = 0;
        for i in (0..w.len()).filter(open) {
            last = i;
            u -= w[i];
            if u < 0.0 {
                break;
            }
        }
        last
    }

    /// `n` races of 6 to 15 runners whose orders follow Harville–Benter with `truth`.
    fn sample(n: usize, truth: PlaceExponents, seed: u64) -> Vec<(Vec<f64>, Podium)> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| {
                let runners = 6 + rng.below(10);
                let strength: Vec<f64> = (0..runners).map(|_| (1.2 * rng.normal()).exp()).collect();
                let total: f64 = strength.iter().sum();
                let p: Vec<f64> = strength.iter().map(|s| s / total).collect();
                let second: Vec<f64> = p.iter().map(|q| q.powf(truth.second)).collect();
                let third: Vec<f64> = p.iter().map(|q| q.powf(truth.third)).collect();
                let first = draw(&p, &[], &mut rng);
                let runner_up = draw(&second, &[first], &mut rng);
                let placed = draw(&third, &[first, runner_up], &mut rng);
                (p, [first, runner_up, placed])
            })
            .collect()
    }

    #[test]
    fn the_fit_recovers_the_exponents_a_sample_was_drawn_with() {
        // Arrange
        let truth = PlaceExponents {
            second: 0.75,
            third: 0.55,
        };
        let races = sample(6_000, truth, 17);

        // Act
        let fitted = fit_exponents(races.iter().map(|(p, o)| (p.as_slice(), *o)), 100)
            .expect("enough races");

        // Assert: within about three standard errors.
        assert_abs_diff_eq!(fitted.second, truth.second, epsilon = 0.04);
        assert_abs_diff_eq!(fitted.third, truth.third, epsilon = 0.04);
        // Plain Harville (exponents 1) is rejected by the same data.
        assert!(fitted.second < 0.9 && fitted.third < 0.7, "{fitted:?}");
    }

    #[test]
    fn too_few_races_or_an_undefined_order_fit_nothing() {
        let races = sample(50, PlaceExponents::BENTER, 3);
        assert!(fit_exponents(races.iter().map(|(p, o)| (p.as_slice(), *o)), 100).is_none());
        assert_eq!(podium(&[Some(2), Some(1), None, Some(3)]), Some([1, 0, 3]));
        // A dead heat for second.
        assert_eq!(podium(&[Some(1), Some(2), Some(2), Some(4)]), None);
        assert_eq!(podium(&[Some(1), Some(2)]), None);
    }
}
