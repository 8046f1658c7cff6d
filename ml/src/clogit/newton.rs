//! Newton's method for the conditional logit: the exact gradient and Hessian of the penalised mean
//! negative log-likelihood, a Cholesky solve and Armijo backtracking. With a few dozen features the
//! Hessian is cheap, and Newton converges in a handful of iterations where gradient methods crawl.

use super::{ConditionalLogitParams, RaceSample};
// `slice_axis` rather than the `s!` macro, whose expansion allows unsafe code the workspace forbids.
use ndarray::{Array1, Array2, Axis, Slice};

/// All training runners stacked into one standardised matrix, races delimited by offsets.
pub(super) struct Stacked {
    pub(super) x: Array2<f64>,
    /// Race r spans rows `offsets[r]..offsets[r + 1]`.
    pub(super) offsets: Vec<usize>,
    /// Global row of each race's winner.
    pub(super) winners: Vec<usize>,
    pub(super) means: Array1<f64>,
    pub(super) scales: Array1<f64>,
}

impl Stacked {
    /// Stacks the `usable` races (already checked for width, values and winner).
    pub(super) fn new<S: RaceSample>(races: &[S], usable: &[usize]) -> Self {
        let width = usable.first().map_or(0, |&i| races[i].features().ncols());
        let rows: usize = usable.iter().map(|&i| races[i].features().nrows()).sum();
        let mut x = Array2::zeros((rows, width));
        let mut offsets = Vec::with_capacity(usable.len() + 1);
        let mut winners = Vec::with_capacity(usable.len());
        let mut at = 0;
        for &i in usable {
            let f = races[i].features();
            x.slice_axis_mut(Axis(0), Slice::from(at..at + f.nrows()))
                .assign(&f);
            offsets.push(at);
            winners.push(at + races[i].winner().unwrap_or(0));
            at += f.nrows();
        }
        offsets.push(at);
        let means = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(width));
        // A constant column carries no information: a unit scale leaves it at zero once centred.
        let scales = x
            .std_axis(Axis(0), 0.0)
            .mapv(|s| if s > 1e-12 { s } else { 1.0 });
        x -= &means;
        x /= &scales;
        Self {
            x,
            offsets,
            winners,
            means,
            scales,
        }
    }
}

/// Result of a minimisation.
pub(super) struct Outcome {
    pub(super) beta: Array1<f64>,
    pub(super) iterations: usize,
    pub(super) converged: bool,
    pub(super) objective: f64,
}

/// Per-runner probabilities under `beta`, and the mean negative log-likelihood per race.
fn probabilities(
    x: &Array2<f64>,
    offsets: &[usize],
    winners: &[usize],
    beta: &Array1<f64>,
) -> (Array1<f64>, f64) {
    let mut p = x.dot(beta);
    let mut nll = 0.0;
    for (r, pair) in offsets.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        let mut race = p.slice_axis_mut(Axis(0), Slice::from(a..b));
        let max = race.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let lse = max + race.iter().map(|u| (u - max).exp()).sum::<f64>().ln();
        nll += lse - race[winners[r] - a];
        race.mapv_inplace(|u| (u - lse).exp());
    }
    (p, nll / winners.len().max(1) as f64)
}

fn objective(
    x: &Array2<f64>,
    offsets: &[usize],
    winners: &[usize],
    beta: &Array1<f64>,
    l2: f64,
) -> f64 {
    probabilities(x, offsets, winners, beta).1 + 0.5 * l2 * beta.dot(beta)
}

/// Gradient and Hessian of the objective at the probabilities `p`.
fn gradient_hessian(
    x: &Array2<f64>,
    offsets: &[usize],
    winners: &[usize],
    p: &Array1<f64>,
    beta: &Array1<f64>,
    l2: f64,
) -> (Array1<f64>, Array2<f64>) {
    let races = winners.len().max(1) as f64;
    let width = x.ncols();
    // Race means m_r = Σ p_i x_i; H = (Xᵀ diag(p) X - Mᵀ M) / R keeps both products as GEMMs.
    let mut m = Array2::<f64>::zeros((winners.len(), width));
    for (r, pair) in offsets.windows(2).enumerate() {
        let rows = x.slice_axis(Axis(0), Slice::from(pair[0]..pair[1]));
        let weights = p.slice_axis(Axis(0), Slice::from(pair[0]..pair[1]));
        m.row_mut(r).assign(&weights.dot(&rows));
    }
    let mut winner_sum = Array1::<f64>::zeros(width);
    for &w in winners {
        winner_sum += &x.row(w);
    }
    let gradient = (m.sum_axis(Axis(0)) - winner_sum) / races + l2 * beta;
    let scaled = x * &p.mapv(f64::sqrt).insert_axis(Axis(1));
    let mut hessian = (scaled.t().dot(&scaled) - m.t().dot(&m)) / races;
    hessian.diag_mut().mapv_inplace(|d| d + l2);
    (gradient, hessian)
}

/// Solves `a · z = b` for symmetric positive definite `a` by Cholesky; `None` if `a` is not.
fn cholesky_solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let mut l = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| l[[i, k]] * l[[j, k]]).sum();
            if i == j {
                let d = a[[i, i]] - dot;
                if d.is_nan() || d <= 1e-14 {
                    return None;
                }
                l[[i, i]] = d.sqrt();
            } else {
                l[[i, j]] = (a[[i, j]] - dot) / l[[j, j]];
            }
        }
    }
    let mut y = Array1::<f64>::zeros(n);
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[[i, k]] * y[k]).sum::<f64>()) / l[[i, i]];
    }
    let mut z = Array1::<f64>::zeros(n);
    for i in (0..n).rev() {
        z[i] = (y[i] - (i + 1..n).map(|k| l[[k, i]] * z[k]).sum::<f64>()) / l[[i, i]];
    }
    Some(z)
}

/// Newton direction, with growing ridge jitter when the Hessian is singular (no penalty and a
/// constant or collinear feature).
fn newton_direction(hessian: &Array2<f64>, gradient: &Array1<f64>) -> Array1<f64> {
    let minus_g = -gradient;
    let scale = hessian.diag().fold(1.0_f64, |m, &d| m.max(d.abs()));
    let mut jitter = 0.0;
    for _ in 0..12 {
        let mut h = hessian.clone();
        h.diag_mut().mapv_inplace(|d| d + jitter);
        if let Some(d) = cholesky_solve(&h, &minus_g) {
            return d;
        }
        jitter = if jitter == 0.0 {
            1e-10 * scale
        } else {
            jitter * 10.0
        };
    }
    // Steepest descent is always a descent direction; the line search sizes it.
    minus_g
}

/// Minimises the penalised objective from β = 0.
pub(super) fn minimise(
    x: &Array2<f64>,
    offsets: &[usize],
    winners: &[usize],
    params: &ConditionalLogitParams,
) -> Outcome {
    let l2 = params.l2;
    let mut beta = Array1::<f64>::zeros(x.ncols());
    let (mut p, nll) = probabilities(x, offsets, winners, &beta);
    let mut value = nll;
    for iteration in 0..params.max_iter {
        let (gradient, hessian) = gradient_hessian(x, offsets, winners, &p, &beta, l2);
        if gradient.fold(0.0_f64, |m, g| m.max(g.abs())) <= params.tol {
            return Outcome {
                beta,
                iterations: iteration,
                converged: true,
                objective: value,
            };
        }
        let direction = newton_direction(&hessian, &gradient);
        let slope = gradient.dot(&direction);
        let mut step = 1.0;
        let accepted = loop {
            let candidate = &beta + &(step * &direction);
            let v = objective(x, offsets, winners, &candidate, l2);
            // Armijo: accept a step that achieves a fraction of the predicted decrease.
            if v.is_finite() && v <= value + 1e-4 * step * slope {
                break Some((candidate, v));
            }
            step *= 0.5;
            if step < 1e-12 {
                break None;
            }
        };
        let Some((candidate, v)) = accepted else {
            // No step decreases the objective: at the optimum to machine precision.
            return Outcome {
                beta,
                iterations: iteration + 1,
                converged: gradient.fold(0.0_f64, |m, g| m.max(g.abs())) <= params.tol.sqrt(),
                objective: value,
            };
        };
        beta = candidate;
        value = v;
        p = probabilities(x, offsets, winners, &beta).0;
    }
    let (gradient, _) = gradient_hessian(x, offsets, winners, &p, &beta, l2);
    Outcome {
        converged: gradient.fold(0.0_f64, |m, g| m.max(g.abs())) <= params.tol,
        beta,
        iterations: params.max_iter,
        objective: value,
    }
}
