//! Tests of the walk-forward on a seeded synthetic season.

use super::*;
use crate::place::PlaceExponents;
use crate::rng::SplitMix64;
use pronoturf_core::domain::{Discipline, Horse, Meeting, Race, Runner, RunnerStatus, Track};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// `days` days of six eight-runner races from 150 horses of hidden ability; winners follow the
/// abilities, morning odds see them through noise, final odds through less noise.
fn season(seed: u64, days: u64) -> Vec<RaceCard> {
    let mut rng = SplitMix64::new(seed);
    let ability: Vec<f64> = (0..150).map(|_| rng.normal()).collect();
    let mut cards = Vec::new();
    for d in 0..days {
        let day = date(2026, 1, 5)
            .checked_add_days(Days::new(d))
            .expect("date");
        for number in 1..=6 {
            let mut pool: Vec<usize> = (0..ability.len()).collect();
            let picked: Vec<usize> = (0..8)
                .map(|_| pool.swap_remove(rng.below(pool.len())))
                .collect();
            let noisy: Vec<f64> = picked.iter().map(|&h| ability[h] + rng.gumbel()).collect();
            let mut order: Vec<usize> = (0..8).collect();
            order.sort_by(|&a, &b| noisy[b].total_cmp(&noisy[a]));
            let morning: Vec<f64> = picked
                .iter()
                .map(|&h| (0.7 * ability[h] + 0.5 * rng.normal()).exp())
                .collect();
            let late: Vec<f64> = picked
                .iter()
                .map(|&h| (0.9 * ability[h] + 0.2 * rng.normal()).exp())
                .collect();
            let (sm, sl) = (morning.iter().sum::<f64>(), late.iter().sum::<f64>());
            let runners = picked
                .iter()
                .enumerate()
                .map(|(i, &h)| {
                    let mut r = Runner::new(u32::try_from(i + 1).expect("small"), horse(h));
                    r.status = RunnerStatus::Ran;
                    let place = order.iter().position(|&o| o == i).expect("ranked");
                    r.finish = Some(u32::try_from(place + 1).expect("small"));
                    r.odds_reference = Some(0.85 * sm / morning[i]);
                    r.odds_final = Some(0.85 * sl / late[i]);
                    r.jockey = Some(format!("J{}", h % 20));
                    r
                })
                .collect();
            cards.push(card(day, number, runners));
        }
    }
    cards
}

fn horse(h: usize) -> Horse {
    Horse::named(format!("H{h}"))
}

fn card(date: NaiveDate, number: u32, runners: Vec<Runner>) -> RaceCard {
    RaceCard {
        meeting: Meeting {
            date,
            number: 1,
            track: Track {
                name: "T".into(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race: Race::new(number, Discipline::Plat),
        runners,
        odds: Vec::new(),
        payouts: Vec::new(),
    }
}

fn options() -> WalkForwardOptions {
    WalkForwardOptions {
        min_stage2_races: 40,
        bootstrap_resamples: 200,
        ..WalkForwardOptions::default()
    }
}

#[test]
fn periods_are_iso_weeks_clipped_to_the_range() {
    // 2026-04-01 is a Wednesday.
    let p = periods(date(2026, 4, 1), date(2026, 4, 15));
    assert_eq!(
        p,
        vec![
            (date(2026, 4, 1), date(2026, 4, 6)),
            (date(2026, 4, 6), date(2026, 4, 13)),
            (date(2026, 4, 13), date(2026, 4, 15)),
        ]
    );
}

#[test]
fn walk_forward_scores_every_forecaster_on_the_same_races() {
    // Arrange
    let cards = season(11, 84);

    // Act
    let report =
        walk_forward(&cards, date(2026, 2, 16), date(2026, 3, 30), &options()).expect("report");

    // Assert
    assert!(report.has_morning);
    assert!(report.races > 100);
    assert_eq!(report.metrics.len(), 7);
    assert_eq!(report.weeks.len(), 6);
    assert_eq!(
        report
            .weeks
            .iter()
            .map(|w| w.evaluated_races)
            .sum::<usize>(),
        report.races
    );
    // The first week has no out-of-sample history yet, so no combination and no evaluated race.
    assert_eq!(report.weeks[0].stage2_late_races, None);
    assert_eq!(report.weeks[0].evaluated_races, 0);
    assert!(report.market_final_logloss < report.market_morning_logloss.expect("morning"));
    assert!(report.model_logloss < report.uniform_logloss);
    let ci = report.ci_morning.expect("morning interval");
    assert!(ci.lo <= ci.mean && ci.mean <= ci.hi);
    let json = serde_json::to_value(&report).expect("json");
    for key in [
        "races",
        "model_logloss",
        "market_morning_logloss",
        "market_final_logloss",
        "combined_logloss",
        "combined_morning_logloss",
        "top1",
        "top3",
        "roi",
        "ci_late",
        "ci_morning",
        "ci_late_vs_recalibrated",
        "ci_morning_vs_recalibrated",
        "calibration",
        "weeks",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert!(json["roi"].get("value_edge_0.10_kelly_0.25").is_some());
}

#[test]
fn a_week_is_predicted_without_its_own_results() {
    // Arrange: the same season, with every result of the last week reversed.
    let cards = season(5, 56);
    let last_week = date(2026, 2, 23);
    let mut changed = cards.clone();
    for c in changed.iter_mut().filter(|c| c.meeting.date >= last_week) {
        let n = u32::try_from(c.runners.len()).expect("small");
        for r in &mut c.runners {
            r.finish = r.finish.map(|f| n + 1 - f);
        }
    }

    // Act
    let a = walk_forward(&cards, date(2026, 2, 2), date(2026, 3, 2), &options()).expect("report");
    let b = walk_forward(&changed, date(2026, 2, 2), date(2026, 3, 2), &options()).expect("report");

    // Assert: earlier weeks are scored identically; the changed week is not.
    let n = a.weeks.len();
    assert_eq!(a.weeks[..n - 1], b.weeks[..n - 1]);
    assert_ne!(a.weeks[n - 1].model_logloss, b.weeks[n - 1].model_logloss);
}

#[test]
fn impossible_requests_are_errors() {
    let cards = season(1, 14);
    let opts = options();
    assert!(matches!(
        walk_forward(&cards, date(2026, 3, 1), date(2026, 3, 1), &opts),
        Err(EvalError::EmptyPeriod { .. })
    ));
    // Nothing to learn from before the first race day.
    assert!(matches!(
        walk_forward(&cards, date(2025, 12, 1), date(2026, 1, 5), &opts),
        Err(EvalError::NoRaces { .. })
    ));
    let bad = WalkForwardOptions {
        model: ConditionalLogitParams::default().l2(-1.0),
        ..options()
    };
    assert!(matches!(
        walk_forward(&cards, date(2026, 1, 12), date(2026, 1, 19), &bad),
        Err(EvalError::Params(_))
    ));
    assert!(matches!(
        walk_forward(&[], date(2026, 1, 12), date(2026, 1, 19), &opts),
        Err(EvalError::NoRaces { .. })
    ));
}

#[test]
fn challengers_are_calibrated_and_scored_on_the_same_races_as_the_model() {
    // Arrange
    let cards = season(11, 84);
    let with = WalkForwardOptions {
        challengers: Challenger::ALL.to_vec(),
        ..options()
    };

    // Act
    let plain =
        walk_forward(&cards, date(2026, 2, 16), date(2026, 3, 30), &options()).expect("report");
    let report = walk_forward(&cards, date(2026, 2, 16), date(2026, 3, 30), &with).expect("report");

    // Assert: each challenger beats the uniform forecast on the report's races; the model's
    // figures are those of the same races (here, every race the model and the markets scored).
    assert!(plain.challengers.is_empty());
    assert_eq!(report.races, plain.races);
    assert_eq!(report.model_logloss, plain.model_logloss);
    assert_eq!(report.challengers.len(), 2);
    for (name, c) in &report.challengers {
        assert!(c.metrics.logloss < report.uniform_logloss, "{name}: {c:?}");
        assert!(c.ci_vs_model.lo <= c.ci_vs_model.hi);
        let runners: usize = c.calibration.iter().map(|b| b.runners).sum();
        assert_eq!(runners, report.runners);
    }
    let json = serde_json::to_value(&report).expect("json");
    assert!(json["challengers"]["random_forest"]["metrics"]["logloss"].is_number());
    assert!(json["challengers"]["logistic"]["ci_vs_market_final"]["hi"].is_number());
}

#[test]
fn place_exponents_are_refitted_on_earlier_weeks_and_scored_beside_benters() {
    // Arrange
    let cards = season(21, 84);

    // Act
    let report =
        walk_forward(&cards, date(2026, 2, 16), date(2026, 3, 30), &options()).expect("report");

    // Assert: the first evaluated week has no earlier forecasts to fit on, so fewer races are
    // compared than evaluated; both sets of exponents are scored on those races.
    let place = report.place.expect("a place comparison");
    let first = report
        .weeks
        .iter()
        .find(|w| w.evaluated_races > 0)
        .expect("a week");
    assert!(place.races > 100 && place.races <= report.races - first.evaluated_races);
    assert!(place.last_fitted.is_valid());
    assert_ne!(place.last_fitted, PlaceExponents::BENTER);
    for s in [place.benter, place.fitted] {
        assert!(s.order_logloss > 0.0 && s.top3_logloss > 0.0 && s.top3_brier > 0.0);
    }
    assert!(place.ci_order.lo <= place.ci_order.mean && place.ci_order.mean <= place.ci_order.hi);
}
