use super::*;
use crate::rng::SplitMix64;
use approx::assert_abs_diff_eq;
use chrono::Days;
use pronoturf_core::domain::{Discipline, Horse, Meeting, Race, Runner, RunnerStatus, Track};

/// A race whose finishing order follows a hidden ability that the morning odds partly reveal.
pub(crate) fn synthetic_race(
    date: NaiveDate,
    number: u32,
    field: u32,
    rng: &mut SplitMix64,
) -> RaceCard {
    let mut ability: Vec<(f64, u32)> = (1..=field)
        .map(|n| (rng.normal() + 0.3 * f64::from(n % 3), n))
        .collect();
    let mut runners: Vec<Runner> = ability
        .iter()
        .map(|&(a, n)| {
            let mut r = Runner::new(n, Horse::named(format!("H{}", rng.below(300))));
            r.status = RunnerStatus::Ran;
            r.odds_reference = Some(1.2 + (4.0 - a + 0.8 * rng.normal()).exp().min(80.0));
            r.jockey = Some(format!("J{}", rng.below(20)));
            r
        })
        .collect();
    ability.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (pos, (_, n)) in ability.iter().enumerate() {
        if let Some(r) = runners.iter_mut().find(|r| r.number == *n) {
            r.finish = Some(pos as u32 + 1);
        }
    }
    RaceCard {
        meeting: Meeting {
            date,
            number: 1,
            track: Track {
                name: "VINCENNES".into(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race: Race::new(number, Discipline::Attele),
        runners,
        odds: Vec::new(),
        payouts: Vec::new(),
    }
}

/// `days` days of `per_day` races from 2026-01-01.
pub(crate) fn synthetic_history(days: u64, per_day: u32, seed: u64) -> Vec<RaceCard> {
    let mut rng = SplitMix64::new(seed);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    (0..days)
        .flat_map(|d| {
            let date = start.checked_add_days(Days::new(d)).expect("date");
            (1..=per_day)
                .map(|n| synthetic_race(date, n, 6 + n % 7, &mut rng))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn quick_spec() -> ModelSpec {
    let mut spec = ModelSpec::named("clogit-morning").expect("known");
    spec.l2_grid = vec![0.1];
    spec
}

#[test]
fn unknown_model_names_are_refused_with_the_known_ones() {
    // Arrange / Act
    let err = ModelSpec::named("forest").expect_err("unknown");

    // Assert
    assert!(err.to_string().contains("clogit-morning"));
    assert_eq!(
        ModelSpec::named("clogit-form").expect("known").odds,
        OddsChoice::None
    );
}

#[test]
fn training_stops_at_the_cut_off_day_and_fits_both_stages() {
    // Arrange
    let cards = synthetic_history(40, 25, 7);
    let until = NaiveDate::from_ymd_opt(2026, 1, 30).expect("date");

    // Act
    let model = ServingModel::train(&cards, until, &quick_spec()).expect("trained");

    // Assert
    assert_eq!(model.trained_until, until);
    assert_eq!(model.train_races(), 30 * 25);
    assert_eq!(model.features.len(), model.stage1.width());
    assert!(
        model.stage2.is_some(),
        "190 held-out races are below 200? {model:?}"
    );
    let none = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    assert_eq!(
        ServingModel::train(&cards, none, &quick_spec()),
        Err(ServingError::NoRaces(none))
    );
}

#[test]
fn a_forecast_sums_to_one_ranks_runners_and_explains_them_exactly() {
    // Arrange
    let cards = synthetic_history(40, 25, 11);
    let until = NaiveDate::from_ymd_opt(2026, 2, 5).expect("date");
    let model = ServingModel::train(&cards, until, &quick_spec()).expect("trained");
    let features = build_features(&cards, OddsChoice::Morning);
    let race = features.last().expect("a race");

    // Act
    let forecast = model.predict_race(race).expect("forecast");

    // Assert
    assert!(forecast.combined);
    let n = forecast.runners.len();
    let total: f64 = forecast.runners.iter().map(|r| r.p_win).sum();
    assert_abs_diff_eq!(total, 1.0, epsilon = 1e-9);
    let place: f64 = forecast.runners.iter().map(|r| r.p_place).sum();
    assert_abs_diff_eq!(place, n.min(3) as f64, epsilon = 1e-9);
    let mut ranks: Vec<u32> = forecast.runners.iter().map(|r| r.rank).collect();
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=n as u32).collect::<Vec<_>>());
    // Exactness: each runner's terms add up to its centred served log-probability.
    let market = implied_probabilities(&race.odds_morning);
    let (names, terms) = model
        .contributions(race, market.as_ref(), true)
        .expect("terms");
    assert_eq!(names.last().map(String::as_str), Some(explain::MARKET_TERM));
    let ln: Vec<f64> = forecast.runners.iter().map(|r| r.p_win.ln()).collect();
    let mean = ln.iter().sum::<f64>() / n as f64;
    for (i, l) in ln.iter().enumerate() {
        assert_abs_diff_eq!(terms.row(i).sum(), l - mean, epsilon = 1e-9);
    }
    let top = &forecast.runners[0].explanation;
    assert!(top.up.len() <= 3 && top.down.len() <= 3);
    assert!(top.up.windows(2).all(|w| w[0].value >= w[1].value));
    assert!(top.down.iter().all(|c| c.value < 0.0));
    assert_eq!(forecast.pronostics[0].selection.len(), 1);
}

#[test]
fn training_fits_the_place_exponents_and_old_model_files_get_benters() {
    // Arrange
    let cards = synthetic_history(40, 25, 13);
    let until = NaiveDate::from_ymd_opt(2026, 2, 5).expect("date");
    let model = ServingModel::train(&cards, until, &quick_spec()).expect("trained");

    // Act: the same model as a file written before the exponents were stored.
    let mut json = serde_json::to_value(&model).expect("json");
    let removed = json
        .as_object_mut()
        .and_then(|o| o.remove("place_exponents"));
    let old: ServingModel = serde_json::from_value(json).expect("an older file still loads");

    // Assert: the fit ran (these orders follow ability exactly, far from Benter's world) and the
    // old file falls back to the published values.
    assert!(removed.is_some());
    assert!(model.place_exponents.is_valid());
    assert_ne!(model.place_exponents, PlaceExponents::BENTER);
    assert_eq!(old.place_exponents, PlaceExponents::BENTER);
}
