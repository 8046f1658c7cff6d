//! Tests of the conditional logit on hand-checked and seeded synthetic races.

use super::*;
use crate::rng::SplitMix64;
use approx::assert_abs_diff_eq;
use ndarray::array;

fn two_runner_races(a_wins: usize, b_wins: usize) -> Vec<Choice> {
    let x = array![[1.0], [0.0]];
    let mut races = vec![
        Choice {
            x: x.clone(),
            winner: Some(0)
        };
        a_wins
    ];
    races.extend(vec![Choice { x, winner: Some(1) }; b_wins]);
    races
}

/// Races of `runners` runners with standard normal features and winners drawn from the true model.
fn synthetic(seed: u64, races: usize, runners: usize, beta: &[f64]) -> Vec<Choice> {
    let mut rng = SplitMix64::new(seed);
    (0..races)
        .map(|_| {
            let x = Array2::from_shape_fn((runners, beta.len()), |_| rng.normal());
            let u = x.dot(&Array1::from(beta.to_vec()));
            let noisy: Vec<f64> = u.iter().map(|v| v + rng.gumbel()).collect();
            let winner = (0..runners).max_by(|&a, &b| noisy[a].total_cmp(&noisy[b]));
            Choice { x, winner }
        })
        .collect()
}

#[test]
fn invalid_hyper_parameters_are_rejected() {
    let p = ConditionalLogitParams::default();
    assert!(p.check().is_ok());
    assert_eq!(p.l2(-1.0).check(), Err(ParamsError::L2(-1.0)));
    assert!(matches!(p.l2(f64::NAN).check(), Err(ParamsError::L2(_))));
    assert_eq!(p.max_iter(0).check(), Err(ParamsError::MaxIter));
    assert_eq!(p.tol(0.0).check(), Err(ParamsError::Tol(0.0)));
    let fit = p.tol(f64::INFINITY).fit(&two_runner_races(2, 1));
    assert!(matches!(fit, Err(TrainError::Params(ParamsError::Tol(_)))));
}

#[test]
fn two_runner_races_reduce_to_logistic_regression() {
    // Arrange: the runner with x = 1 beats the one with x = 0 in 20 races out of 30.
    let races = two_runner_races(20, 10);

    // Act
    let model = ConditionalLogitParams::default()
        .l2(0.0)
        .fit(&races)
        .expect("fit");

    // Assert: the maximum-likelihood logit is ln(20/10) per unit of x, so P = 2/3.
    assert!(model.converged);
    assert_abs_diff_eq!(model.raw_coefficients()[0], 2f64.ln(), epsilon = 1e-6);
    let p = model.predict(&array![[1.0], [0.0]]).expect("predict");
    assert_abs_diff_eq!(p[0], 2.0 / 3.0, epsilon = 1e-6);
}

#[test]
fn a_feature_that_orders_the_runners_gets_a_positive_coefficient() {
    let races: Vec<Choice> = (0..20)
        .map(|i| {
            let x = Array2::from_shape_fn((4, 2), |(r, c)| {
                if c == 0 {
                    -(r as f64)
                } else {
                    f64::from(i % 3)
                }
            });
            Choice { x, winner: Some(0) }
        })
        .collect();
    let model = ConditionalLogitParams::default()
        .l2(1e-2)
        .fit(&races)
        .expect("fit");
    assert!(model.coefficients[0] > 1.0, "{:?}", model.coefficients);
    // The second feature is constant within each race: it cannot move a probability.
    assert_abs_diff_eq!(model.coefficients[1], 0.0, epsilon = 1e-9);
}

#[test]
fn seeded_synthetic_races_recover_the_true_coefficients() {
    let truth = [1.0, -0.5, 0.0];
    let races = synthetic(42, 3000, 8, &truth);
    let model = ConditionalLogitParams::default()
        .l2(1e-6)
        .fit(&races)
        .expect("fit");
    assert!(model.converged);
    assert!(model.iterations < 20, "{} iterations", model.iterations);
    for (got, want) in model.raw_coefficients().iter().zip(truth) {
        assert_abs_diff_eq!(*got, want, epsilon = 0.08);
    }
}

#[test]
fn probabilities_sum_to_one_and_contributions_rebuild_them() {
    let races = synthetic(3, 200, 6, &[0.8, 0.3]);
    let model = ConditionalLogitParams::default().fit(&races).expect("fit");
    let x = &races[0].x;
    let p = model.predict(x).expect("predict");
    assert_abs_diff_eq!(p.sum(), 1.0, epsilon = 1e-12);
    let c = model.contributions(x).expect("contributions");
    assert_eq!(c.dim(), x.dim());
    let rebuilt = softmax(&c.sum_axis(Axis(1)));
    for (a, b) in p.iter().zip(rebuilt.iter()) {
        assert_abs_diff_eq!(*a, *b, epsilon = 1e-12);
    }
    assert_abs_diff_eq!(c.sum(), 0.0, epsilon = 1e-9);
    assert_eq!(
        model
            .predict(&Array2::<f64>::zeros((0, 2)))
            .expect("empty")
            .len(),
        0
    );
}

#[test]
fn races_without_a_single_winner_or_with_one_runner_are_skipped() {
    let mut races = two_runner_races(3, 1);
    races.push(Choice {
        x: array![[5.0]],
        winner: Some(0),
    });
    races.push(Choice {
        x: array![[5.0], [1.0]],
        winner: None,
    });
    let model = ConditionalLogitParams::default().fit(&races).expect("fit");
    assert_eq!(model.races, 4);
    let none = ConditionalLogitParams::default().fit(&races[4..]);
    assert_eq!(none, Err(TrainError::NoRaces));
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let mut races = two_runner_races(1, 1);
    races.push(Choice {
        x: array![[1.0, 2.0], [0.0, 1.0]],
        winner: Some(0),
    });
    assert!(matches!(
        ConditionalLogitParams::default().fit(&races),
        Err(TrainError::Width { race: 2, .. })
    ));
    let nan = vec![Choice {
        x: array![[f64::NAN], [0.0]],
        winner: Some(0),
    }];
    assert_eq!(
        ConditionalLogitParams::default().fit(&nan),
        Err(TrainError::NonFinite { race: 0 })
    );
    let model = ConditionalLogitParams::default()
        .fit(&two_runner_races(2, 1))
        .expect("fit");
    assert!(matches!(
        model.predict(&array![[1.0, 2.0]]),
        Err(PredictError::Width { .. })
    ));
}

#[test]
fn an_unpenalised_fit_with_a_constant_feature_still_converges() {
    let mut races = synthetic(9, 300, 5, &[0.7]);
    for r in &mut races {
        let n = r.x.nrows();
        r.x = ndarray::concatenate(
            Axis(1),
            &[r.x.view(), Array2::from_elem((n, 1), 3.0).view()],
        )
        .expect("same rows");
    }
    let model = ConditionalLogitParams::default()
        .l2(0.0)
        .fit(&races)
        .expect("fit");
    assert!(model.converged);
    assert_abs_diff_eq!(model.coefficients[1], 0.0, epsilon = 1e-9);
}

#[test]
fn the_fitted_model_survives_a_json_round_trip() {
    let model = ConditionalLogitParams::default()
        .fit(&synthetic(5, 100, 4, &[0.5, 0.1]))
        .expect("fit");
    let json = serde_json::to_string(&model).expect("serialise");
    let back: FittedConditionalLogit = serde_json::from_str(&json).expect("deserialise");
    // serde_json may round the last bit of a float unless `float_roundtrip` is on.
    let pairs = [
        (&back.coefficients, &model.coefficients),
        (&back.means, &model.means),
        (&back.scales, &model.scales),
    ];
    for (a, b) in pairs {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b.iter()) {
            assert_abs_diff_eq!(*x, *y, epsilon = 1e-12 * y.abs().max(1.0));
        }
    }
    assert_eq!(
        (back.races, back.iterations, back.converged),
        (model.races, model.iterations, model.converged)
    );
}

#[test]
fn models_and_params_can_cross_threads() {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<ConditionalLogitParams>();
    is_send_sync::<FittedConditionalLogit>();
    is_send_sync::<TrainError>();
}
