//! The logistic challenger: linfa-logistic on standardised features, win / no win per runner.

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use ndarray::{Array1, Array2, Axis};

/// Ridge penalty (linfa's `alpha`), on standardised features.
const ALPHA: f64 = 1.0;

/// Iterations allowed to linfa's L-BFGS.
const MAX_ITERATIONS: u64 = 200;

/// A fitted logistic regression and the standardisation of its inputs.
pub struct FittedLogistic {
    mean: Array1<f64>,
    sd: Array1<f64>,
    model: FittedLogisticRegression<f64, usize>,
}

/// Fits on `x` (runners × features) and `y` (1 = won); `None` when linfa fails (e.g. one class).
pub(super) fn fit(x: &Array2<f64>, y: Array1<usize>) -> Option<FittedLogistic> {
    let mean = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    // Constant columns (race-level ones within a discipline) keep a unit scale.
    let sd = x
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 1e-12 { s } else { 1.0 });
    let dataset = Dataset::new((x - &mean) / &sd, y);
    let model = LogisticRegression::default()
        .alpha(ALPHA)
        .max_iterations(MAX_ITERATIONS)
        .fit(&dataset)
        .ok()?;
    Some(FittedLogistic { mean, sd, model })
}

impl FittedLogistic {
    /// Win probability of each runner on its own (not normalised).
    pub(super) fn win_scores(&self, x: &Array2<f64>) -> Array1<f64> {
        let p = self
            .model
            .predict_probabilities(&((x - &self.mean) / &self.sd));
        // linfa's probability is that of its "positive" class, the more frequent label (here the
        // losers): turn it into a win probability.
        if self.model.labels().pos.class == 1 {
            p
        } else {
            p.mapv(|q| 1.0 - q)
        }
    }
}
