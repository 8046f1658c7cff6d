//! Place probabilities in the walk-forward: Benter's published exponents against exponents
//! refitted each week by maximum likelihood on the finishing orders of earlier weeks, given the
//! win probabilities those weeks were forecast out of sample. Both are scored on the same later
//! races: the ordered log-loss of the second and third finishers given the winner (the likelihood
//! the fit maximises) and the top-three log-loss and Brier score of every runner.

use super::WalkForwardOptions;
use super::metrics::{Scored, bootstrap};
use super::report::{PlaceReport, PlaceScores};
use crate::place::{PlaceExponents, Podium, fit_exponents, podium};
use ndarray::Array1;

/// Probabilities are kept inside (0, 1) by this much before logarithms.
const P_FLOOR: f64 = 1e-12;

/// The served win probabilities of a race: the 07:00 combination when the data has morning odds,
/// else the late one.
fn win_probabilities(s: &Scored) -> &Array1<f64> {
    s.combined_morning.as_ref().unwrap_or(&s.combined_late)
}

/// One race's scores under `e`: (ordered log-loss of 2nd and 3rd, top-3 log-loss, top-3 Brier).
fn race_scores(e: &PlaceExponents, p: &[f64], order: Podium) -> [f64; 3] {
    let [first, ..] = order;
    let ordered = -(e.order_probability(p, &order).max(P_FLOOR).ln() - p[first].max(P_FLOOR).ln());
    let q = e.place_probabilities(p, 3);
    let (mut logloss, mut brier) = (0.0, 0.0);
    for (i, &qi) in q.iter().enumerate() {
        let y = f64::from(u8::from(order.contains(&i)));
        let qi = qi.clamp(P_FLOOR, 1.0 - P_FLOOR);
        logloss -= y * qi.ln() + (1.0 - y) * (1.0 - qi).ln();
        brier += (qi - y).powi(2);
    }
    [ordered, logloss, brier]
}

fn mean_scores(rows: &[[f64; 3]]) -> PlaceScores {
    let n = rows.len().max(1) as f64;
    let sum = |k: usize| rows.iter().map(|r| r[k]).sum::<f64>() / n;
    PlaceScores {
        order_logloss: sum(0),
        top3_logloss: sum(1),
        top3_brier: sum(2),
    }
}

/// Scores both sets of exponents on every race whose week had enough earlier races with a clear
/// podium (`min_stage2_races`) to refit them; `None` when no week had.
pub(super) fn place_report(scored: &[Scored], opts: &WalkForwardOptions) -> Option<PlaceReport> {
    let races: Vec<(usize, &[f64], Podium)> = scored
        .iter()
        .filter(|s| s.model.len() >= 4)
        .filter_map(|s| Some((s.week, win_probabilities(s).as_slice()?, podium(&s.finish)?)))
        .collect();
    let (mut paper, mut fitted, mut last) = (Vec::new(), Vec::new(), None);
    let mut lo = 0;
    while lo < races.len() {
        let week = races[lo].0;
        let hi = lo + races[lo..].partition_point(|r| r.0 == week);
        // Only races of earlier weeks: `races` is in week order, so they are those before `lo`.
        let earlier = races[..lo].iter().map(|&(_, p, o)| (p, o));
        if let Some(e) = fit_exponents(earlier, opts.min_stage2_races) {
            for &(_, p, order) in &races[lo..hi] {
                paper.push(race_scores(&PlaceExponents::BENTER, p, order));
                fitted.push(race_scores(&e, p, order));
            }
            last = Some(e);
        }
        lo = hi;
    }
    let last = last?;
    let diff = |k: usize| -> Vec<f64> {
        fitted
            .iter()
            .zip(&paper)
            .map(|(f, p)| f[k] - p[k])
            .collect()
    };
    Some(PlaceReport {
        races: paper.len(),
        win_probabilities: if scored.iter().any(|s| s.combined_morning.is_some()) {
            "combined_morning"
        } else {
            "combined_late"
        }
        .to_string(),
        last_fitted: last,
        benter: mean_scores(&paper),
        fitted: mean_scores(&fitted),
        ci_order: bootstrap(&diff(0), opts.bootstrap_resamples, opts.seed),
        ci_top3: bootstrap(&diff(1), opts.bootstrap_resamples, opts.seed),
    })
}
