//! Exact explanations of a linear forecast. The served log-probability of runner i, centred on its
//! race, is a sum of terms: with stage 2, `a · Σ_j c_ij + b · (ln m_i − mean ln m)`, where c_ij is
//! feature j's centred stage-1 contribution, m the morning market and a, b the raw stage-2
//! coefficients. Each term is what one feature (or the market) adds to the runner's log-odds
//! against the field average: no approximation, unlike SHAP on a non-linear model.

use super::ServingModel;
use crate::clogit::PredictError;
use crate::features::RaceFeatures;
use ndarray::{Array1, Array2, ArrayView1};
use serde::{Deserialize, Serialize};

/// Name of the market's term in explanations of combined forecasts.
pub const MARKET_TERM: &str = "market_morning";

/// What one feature adds to a runner's log-odds, relative to the field average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Feature name (or [`MARKET_TERM`]).
    pub feature: String,
    /// Added log-odds.
    pub value: f64,
}

/// The strongest terms pushing a runner up and down.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Largest positive terms, largest first.
    pub up: Vec<Contribution>,
    /// Most negative terms, most negative first.
    pub down: Vec<Contribution>,
}

impl Explanation {
    /// The `n` largest positive and `n` most negative terms of one runner's row.
    pub fn top(names: &[String], row: ArrayView1<'_, f64>, n: usize) -> Self {
        let mut terms: Vec<Contribution> = names
            .iter()
            .zip(row.iter())
            .filter(|(_, v)| v.is_finite() && **v != 0.0)
            .map(|(name, &value)| Contribution {
                feature: name.clone(),
                value,
            })
            .collect();
        terms.sort_by(|a, b| b.value.total_cmp(&a.value));
        let up = terms.iter().filter(|c| c.value > 0.0).take(n).cloned();
        let down = terms
            .iter()
            .rev()
            .filter(|c| c.value < 0.0)
            .take(n)
            .cloned();
        Self {
            up: up.collect(),
            down: down.collect(),
        }
    }
}

impl ServingModel {
    /// Every term of every runner of a race (runners × terms) and the terms' names; each row sums
    /// to the runner's centred served log-probability.
    pub fn contributions(
        &self,
        race: &RaceFeatures,
        market: Option<&Array1<f64>>,
        combined: bool,
    ) -> Result<(Vec<String>, Array2<f64>), PredictError> {
        let c = self.stage1.contributions(&race.x)?;
        let (Some(stage2), Some(market), true) = (&self.stage2, market, combined) else {
            return Ok((self.features.clone(), c));
        };
        let raw = stage2.raw_coefficients();
        let (a, b) = (raw[0], raw[1]);
        let ln_m = market.mapv(|p| p.max(1e-12).ln());
        let mean = ln_m.mean().unwrap_or(0.0);
        let n = c.nrows();
        let mut out = Array2::zeros((n, c.ncols() + 1));
        for i in 0..n {
            for j in 0..c.ncols() {
                out[[i, j]] = a * c[[i, j]];
            }
            out[[i, c.ncols()]] = b * (ln_m[i] - mean);
        }
        let mut names = self.features.clone();
        names.push(MARKET_TERM.to_string());
        Ok((names, out))
    }
}
