//! The random forest challenger. linfa-ensemble draws each tree's bootstrap sample and feature
//! subset from a seeded generator; the trees are linfa-trees decision trees. Two things are ours,
//! for probabilities and reproducibility:
//!
//! * linfa's forest votes for a class and breaks vote ties in random order (a `HashMap`). We never
//!   ask it to vote: each tree's leaf holds the smoothed win frequency of the bootstrap rows that
//!   reach it, and the forest's score is the mean of those frequencies, as in Breiman's
//!   probability forests.
//! * Winners are about one runner in ten, so a tree grown on raw counts has leaves that all say
//!   "lost" and get pruned away. Winners are weighted up to the losers' total (balanced classes),
//!   by a factor with a fractional part, so that a leaf's two class weights cannot tie either: the
//!   modal class linfa-trees keeps in a leaf then never depends on `HashMap` order.
//!
//! The fitted forest is not `Serialize` (linfa-ensemble's learner is not), so it is a challenger
//! for the evaluation only, never served.

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_ensemble::{EnsembleLearner, EnsembleLearnerParams};
use linfa_trees::{DecisionTree, DecisionTreeParams, TreeNode};
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::BTreeMap;

/// Trees in the forest.
pub(crate) const TREES: usize = 24;
/// Rows drawn (with replacement) for each tree, at most; fewer when the training set is smaller.
pub(crate) const ROWS_PER_TREE: usize = 5_000;
/// Share of the feature columns drawn for each tree (with replacement, as linfa-ensemble does).
const FEATURE_SHARE: f64 = 0.4;
/// Depth limit of each tree.
pub(crate) const MAX_DEPTH: usize = 8;
/// Smallest weight of a leaf (about 25 runners of each class with balanced weights).
const MIN_LEAF_WEIGHT: f32 = 50.0;
/// Pseudo-runners at the training win rate added to each leaf's count, so that a leaf seen with
/// no winner does not claim a probability of zero.
const LEAF_PRIOR: f64 = 5.0;

/// A decision tree whose leaves hold win frequencies.
pub struct ProbabilityTree {
    tree: DecisionTree<f64, usize>,
    /// Win frequency by leaf, keyed by the leaf's path from the root ([`leaf_id`]).
    leaves: BTreeMap<u64, f64>,
    /// Win rate of the tree's bootstrap sample: the score of a row reaching an unknown leaf.
    prior: f64,
}

/// Hyper-parameters of [`ProbabilityTree`], the base learner given to linfa-ensemble.
#[derive(Debug, Clone)]
pub struct ProbabilityTreeParams {
    tree: DecisionTreeParams<f64, usize>,
}

/// Identifies the leaf `row` reaches: 1 followed by the path's turns (0 left, 1 right), which is
/// unique while the depth stays below 63 ([`MAX_DEPTH`]). linfa-trees sends a row left when its
/// value is below the split value, as here.
fn leaf_id(root: &TreeNode<f64, usize>, row: ArrayView1<'_, f64>) -> u64 {
    let mut node = root;
    let mut id = 1u64;
    while !node.is_leaf() {
        let (feature, value, _) = node.split();
        let right = row[feature] >= value;
        let children = node.children();
        let Some(next) = children[usize::from(right)].as_deref() else {
            break;
        };
        id = (id << 1) | u64::from(right);
        node = next;
    }
    id
}

impl Fit<Array2<f64>, Array1<usize>, linfa::Error> for ProbabilityTreeParams {
    type Object = ProbabilityTree;

    fn fit(
        &self,
        data: &DatasetBase<Array2<f64>, Array1<usize>>,
    ) -> Result<ProbabilityTree, linfa::Error> {
        let (x, y) = (&data.records, &data.targets);
        let winners = y.iter().filter(|&&v| v == 1).count();
        let losers = y.len() - winners;
        // Balanced classes; the added fraction keeps weighted class totals from ever tying.
        let up = (losers.max(1) as f32 / winners.max(1) as f32).floor() + 0.618_034;
        let weights = y.mapv(|v| if v == 1 { up } else { 1.0 });
        let weighted = DatasetBase::new(x.clone(), y.clone()).with_weights(weights);
        let tree = self.tree.fit(&weighted)?;
        let mut counts: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
        for (row, &label) in x.rows().into_iter().zip(y) {
            let c = counts.entry(leaf_id(tree.root_node(), row)).or_default();
            c.0 += f64::from(u8::from(label == 1));
            c.1 += 1.0;
        }
        let prior = winners as f64 / y.len().max(1) as f64;
        let leaves = counts
            .into_iter()
            .map(|(id, (wins, n))| (id, (wins + LEAF_PRIOR * prior) / (n + LEAF_PRIOR)))
            .collect();
        Ok(ProbabilityTree {
            tree,
            leaves,
            prior,
        })
    }
}

impl ProbabilityTree {
    fn win_frequency(&self, row: ArrayView1<'_, f64>) -> f64 {
        let id = leaf_id(self.tree.root_node(), row);
        self.leaves.get(&id).copied().unwrap_or(self.prior)
    }
}

/// A fitted forest.
pub struct FittedForest {
    ensemble: EnsembleLearner<ProbabilityTree>,
}

/// Fits the forest on `x` (runners × features) and `y` (1 = won), reproducibly from `seed`;
/// `None` when linfa refuses the data.
pub(super) fn fit(x: &Array2<f64>, y: &Array1<usize>, seed: u64) -> Option<FittedForest> {
    if x.nrows() == 0 {
        return None;
    }
    let tree = DecisionTree::params()
        .max_depth(Some(MAX_DEPTH))
        .min_weight_leaf(MIN_LEAF_WEIGHT);
    let rows = (ROWS_PER_TREE as f64 / x.nrows() as f64).min(1.0);
    let dataset = DatasetBase::new(x.clone(), y.clone());
    let ensemble = EnsembleLearnerParams::new_fixed_rng(
        ProbabilityTreeParams { tree },
        StdRng::seed_from_u64(seed),
    )
    .ensemble_size(TREES)
    .bootstrap_proportion(rows)
    .feature_proportion(FEATURE_SHARE)
    .fit(&dataset)
    .ok()?;
    Some(FittedForest { ensemble })
}

impl FittedForest {
    /// Mean leaf win frequency over the trees, per runner (not normalised).
    pub(super) fn win_scores(&self, x: &Array2<f64>) -> Array1<f64> {
        let mut total = Array1::<f64>::zeros(x.nrows());
        let trees = self.ensemble.models.iter();
        for (tree, features) in trees.zip(&self.ensemble.model_features) {
            let sub = x.select(Axis(1), features);
            for (t, row) in total.iter_mut().zip(sub.rows()) {
                *t += tree.win_frequency(row);
            }
        }
        total / self.ensemble.models.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use ndarray::array;

    /// Rows whose first three columns (copies) set the win chance (0.1 or 0.6); two columns of
    /// noise follow.
    fn sample(n: usize, seed: u64) -> (Array2<f64>, Array1<usize>) {
        let mut rng = SplitMix64::new(seed);
        let mut x = Array2::from_shape_fn((n, 5), |_| rng.normal());
        for mut row in x.rows_mut() {
            let good = f64::from(u8::from(rng.next_f64() < 0.3));
            row.iter_mut().take(3).for_each(|v| *v = good);
        }
        let y = x
            .rows()
            .into_iter()
            .map(|r| {
                let chance = if r[0] > 0.5 { 0.6 } else { 0.1 };
                usize::from(rng.next_f64() < chance)
            })
            .collect();
        (x, y)
    }

    #[test]
    fn leaves_hold_win_frequencies_and_the_same_seed_gives_the_same_forest() {
        // Arrange
        let (x, y) = sample(4_000, 9);

        // Act
        let a = fit(&x, &y, 42).expect("forest");
        let b = fit(&x, &y, 42).expect("forest");
        let probe = array![[1.0, 1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]];
        let sa = a.win_scores(&probe);

        // Assert: identical across fits with one seed; near the true chances (some trees draw
        // only noise columns and say the average, 0.25).
        assert_eq!(sa, b.win_scores(&probe));
        assert!(sa[0] > 0.45 && sa[0] < 0.65, "{sa}");
        assert!(sa[1] > 0.05 && sa[1] < 0.18, "{sa}");
    }
}
