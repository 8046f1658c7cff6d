//! Conditional logit (Bolton and Chapman 1986; Benter 1994): one softmax over the runners of each
//! race with coefficients shared across races, fitted by penalised maximum likelihood. Shaped like
//! a linfa model: checked [`ConditionalLogitParams`] → `fit` → [`FittedConditionalLogit`].

mod newton;

use ndarray::{Array1, Array2, ArrayBase, ArrayView2, Axis, Data, Ix2};
use serde::{Deserialize, Serialize};

/// One race as the model sees it: a runners × features matrix and the winner's row.
pub trait RaceSample {
    /// Runners × features.
    fn features(&self) -> ArrayView2<'_, f64>;
    /// Row of the single winner; races without one are ignored by `fit`.
    fn winner(&self) -> Option<usize>;
}

/// A race given directly as a matrix and a winner, e.g. for the second stage or tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Runners × features.
    pub x: Array2<f64>,
    /// Row of the winner.
    pub winner: Option<usize>,
}

impl RaceSample for Choice {
    fn features(&self) -> ArrayView2<'_, f64> {
        self.x.view()
    }

    fn winner(&self) -> Option<usize> {
        self.winner
    }
}

/// Hyper-parameters. The objective is the mean negative log-likelihood per race plus
/// `l2 / 2 · ‖β‖²` on the standardised coefficients, so `l2` does not scale with the data size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConditionalLogitParams {
    /// Ridge penalty, ≥ 0.
    pub l2: f64,
    /// Newton iterations allowed, > 0.
    pub max_iter: usize,
    /// Convergence threshold on the largest gradient component, > 0.
    pub tol: f64,
}

impl Default for ConditionalLogitParams {
    fn default() -> Self {
        Self {
            l2: 1e-3,
            max_iter: 100,
            tol: 1e-7,
        }
    }
}

/// An invalid hyper-parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamsError {
    /// `l2` must be finite and non-negative.
    #[error("l2 must be finite and >= 0, got {0}")]
    L2(f64),
    /// `max_iter` must be positive.
    #[error("max_iter must be > 0")]
    MaxIter,
    /// `tol` must be finite and positive.
    #[error("tol must be finite and > 0, got {0}")]
    Tol(f64),
}

/// Why a fit failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainError {
    /// Invalid hyper-parameters.
    #[error(transparent)]
    Params(#[from] ParamsError),
    /// No race with a single winner and at least two runners.
    #[error("no race to learn from (a single winner and two runners or more)")]
    NoRaces,
    /// Races disagree on the number of features.
    #[error("race {race} has {found} features where the first has {expected}")]
    Width {
        /// Index of the offending race in the input.
        race: usize,
        /// Width of the first usable race.
        expected: usize,
        /// Width found.
        found: usize,
    },
    /// A feature value is NaN or infinite.
    #[error("race {race} has a non-finite feature value")]
    NonFinite {
        /// Index of the offending race in the input.
        race: usize,
    },
}

/// Why a prediction was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredictError {
    /// The matrix does not have the model's number of features.
    #[error("{found} features where the model has {expected}")]
    Width {
        /// The model's width.
        expected: usize,
        /// Width given.
        found: usize,
    },
}

impl ConditionalLogitParams {
    /// Sets the ridge penalty.
    pub fn l2(mut self, l2: f64) -> Self {
        self.l2 = l2;
        self
    }

    /// Sets the iteration limit.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Sets the gradient tolerance.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Validates the hyper-parameters (linfa's `check`).
    pub fn check(&self) -> Result<&Self, ParamsError> {
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(ParamsError::L2(self.l2));
        }
        if self.max_iter == 0 {
            return Err(ParamsError::MaxIter);
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ParamsError::Tol(self.tol));
        }
        Ok(self)
    }

    /// Fits the model by Newton's method with backtracking line search on standardised features.
    /// Races without a single winner, or with fewer than two runners, carry no information and are
    /// skipped.
    pub fn fit<S: RaceSample>(&self, races: &[S]) -> Result<FittedConditionalLogit, TrainError> {
        self.check()?;
        let usable = usable_races(races)?;
        let data = newton::Stacked::new(races, &usable);
        let outcome = newton::minimise(&data.x, &data.offsets, &data.winners, self);
        Ok(FittedConditionalLogit {
            means: data.means,
            scales: data.scales,
            coefficients: outcome.beta,
            races: usable.len(),
            iterations: outcome.iterations,
            converged: outcome.converged,
            objective: outcome.objective,
        })
    }
}

/// Indices of the races a fit learns from, after checking widths and values.
fn usable_races<S: RaceSample>(races: &[S]) -> Result<Vec<usize>, TrainError> {
    let mut width = None;
    let mut usable = Vec::new();
    for (i, race) in races.iter().enumerate() {
        let x = race.features();
        let Some(w) = race.winner() else { continue };
        if x.nrows() < 2 || w >= x.nrows() {
            continue;
        }
        let expected = *width.get_or_insert(x.ncols());
        if x.ncols() != expected {
            return Err(TrainError::Width {
                race: i,
                expected,
                found: x.ncols(),
            });
        }
        if !x.iter().all(|v| v.is_finite()) {
            return Err(TrainError::NonFinite { race: i });
        }
        usable.push(i);
    }
    if usable.is_empty() {
        return Err(TrainError::NoRaces);
    }
    Ok(usable)
}

/// A fitted conditional logit. Coefficients apply to standardised features
/// `(x - means) / scales`, so that their sizes compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedConditionalLogit {
    /// Feature means over the training runners.
    pub means: Array1<f64>,
    /// Feature standard deviations over the training runners (1 for constant features).
    pub scales: Array1<f64>,
    /// Coefficients on the standardised features.
    pub coefficients: Array1<f64>,
    /// Races learnt from.
    pub races: usize,
    /// Newton iterations used.
    pub iterations: usize,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
    /// Final objective: mean negative log-likelihood per race plus the penalty.
    pub objective: f64,
}

impl FittedConditionalLogit {
    /// Number of features the model expects.
    pub fn width(&self) -> usize {
        self.coefficients.len()
    }

    /// Coefficients per unit of the raw features.
    pub fn raw_coefficients(&self) -> Array1<f64> {
        &self.coefficients / &self.scales
    }

    /// Per-feature contributions to each runner's utility, centred on the race: entry (i, j) is
    /// what feature j adds to runner i's log-odds relative to the field average. Each row sums to
    /// the runner's centred utility, whose softmax is exactly [`FittedConditionalLogit::predict`].
    pub fn contributions<S: Data<Elem = f64>>(
        &self,
        x: &ArrayBase<S, Ix2>,
    ) -> Result<Array2<f64>, PredictError> {
        self.check_width(x.ncols())?;
        let mut c = (x - &self.means) / &self.scales * &self.coefficients;
        if let Some(mean) = c.mean_axis(Axis(0)) {
            c -= &mean;
        }
        Ok(c)
    }

    /// Win probabilities of the runners (rows) of one race; they sum to 1 (empty for no rows).
    pub fn predict<S: Data<Elem = f64>>(
        &self,
        x: &ArrayBase<S, Ix2>,
    ) -> Result<Array1<f64>, PredictError> {
        self.check_width(x.ncols())?;
        let z = (x - &self.means) / &self.scales;
        Ok(softmax(&z.dot(&self.coefficients)))
    }

    fn check_width(&self, found: usize) -> Result<(), PredictError> {
        if found == self.width() {
            Ok(())
        } else {
            Err(PredictError::Width {
                expected: self.width(),
                found,
            })
        }
    }
}

/// Softmax, shifted by the maximum so that large utilities do not overflow.
pub(crate) fn softmax(u: &Array1<f64>) -> Array1<f64> {
    let max = u.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let e = u.mapv(|v| (v - max).exp());
    let total = e.sum();
    e / total
}

#[cfg(test)]
mod tests;
