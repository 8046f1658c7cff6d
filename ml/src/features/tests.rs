//! Tests of the feature builder, above all that no feature sees its own day or a later one.

use super::*;
use crate::rng::SplitMix64;
use approx::assert_abs_diff_eq;
use chrono::Days;
use pronoturf_core::domain::{Discipline, Horse, Meeting, Race, Track};

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1)
        .and_then(|d| d.checked_add_days(Days::new(offset)))
        .expect("valid date")
}

fn horse(name: &str) -> Horse {
    Horse::named(name)
}

/// A run race: runner i finishes `finish[i]` (None = DNF), with the given morning odds.
fn card(date: NaiveDate, race: u32, horses: &[&str], finish: &[Option<u32>]) -> RaceCard {
    let runners = horses
        .iter()
        .zip(finish)
        .enumerate()
        .map(|(i, (name, f))| {
            let number = u32::try_from(i + 1).expect("small");
            let mut r = Runner::new(number, horse(name));
            r.jockey = Some(format!("jockey {}", (i + race as usize) % 4));
            r.trainer = Some(format!("trainer {}", i % 3));
            r.status = if f.is_some() {
                RunnerStatus::Ran
            } else {
                RunnerStatus::Dnf
            };
            r.finish = *f;
            r.odds_reference = Some(2.0 + f64::from(number));
            r.odds_final = Some(1.5 + f64::from(number));
            r.musique = Some("1a3a(25)Da0a".into());
            r
        })
        .collect();
    let mut race = Race::new(race, Discipline::Attele);
    race.distance_m = Some(2100);
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
        race,
        runners,
        odds: Vec::new(),
        payouts: Vec::new(),
    }
}

/// Thirty days of three eight-runner races drawn from a pool of 30 horses, seeded.
fn season(seed: u64) -> Vec<RaceCard> {
    let mut rng = SplitMix64::new(seed);
    let names: Vec<String> = (0..30).map(|i| format!("HORSE {i}")).collect();
    let mut cards = Vec::new();
    for d in 0..30 {
        for race in 1..=3 {
            let mut pool: Vec<&str> = names.iter().map(String::as_str).collect();
            let picked: Vec<&str> = (0..8)
                .map(|_| pool.swap_remove(rng.below(pool.len())))
                .collect();
            let finish: Vec<Option<u32>> = (1..=8).map(|f| (f != 8).then_some(f)).collect();
            cards.push(card(day(d), race, &picked, &finish));
        }
    }
    cards
}

fn bits(x: &Array2<f64>) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn changing_anything_on_or_after_a_day_leaves_earlier_features_bit_identical() {
    // Arrange
    let original = season(7);
    let cut = day(15);
    let mut changed = original.clone();
    for c in changed.iter_mut().filter(|c| c.meeting.date >= cut) {
        c.runners.reverse();
        for (i, r) in c.runners.iter_mut().enumerate() {
            r.finish = Some(u32::try_from(i + 1).expect("small"));
            r.status = RunnerStatus::Ran;
            r.odds_reference = Some(50.0 - f64::from(r.number));
            r.odds_final = None;
        }
    }
    let extra = card(
        cut,
        9,
        &["HORSE 1", "HORSE 2", "NEWCOMER"],
        &[Some(1), Some(2), None],
    );
    changed.push(extra);
    changed.retain(|c| !(c.meeting.date == day(20) && c.race.number == 2));
    changed.reverse();

    // Act
    for odds in [OddsChoice::Morning, OddsChoice::None] {
        let before = build_features(&original, odds);
        let after = build_features(&changed, odds);

        // Assert
        let early = |f: &Vec<RaceFeatures>| -> Vec<(RaceKey, Vec<u64>, Option<usize>)> {
            f.iter()
                .filter(|r| r.date < cut)
                .map(|r| (r.key, bits(&r.x), r.winner))
                .collect()
        };
        assert_eq!(early(&before).len(), 45);
        assert_eq!(early(&before), early(&after));
        // The change is visible from the cut day on, so the test would catch a leak.
        let late_before: Vec<_> = before
            .iter()
            .filter(|r| r.date > cut)
            .map(|r| bits(&r.x))
            .collect();
        let late_after: Vec<_> = after
            .iter()
            .filter(|r| r.date > cut)
            .map(|r| bits(&r.x))
            .collect();
        assert_ne!(late_before, late_after);
    }
}

#[test]
fn races_of_the_same_day_do_not_see_each_other() {
    // Arrange: the same horse wins race 1 and runs again in race 2 that day.
    let cards = vec![
        card(day(0), 1, &["STAR", "B"], &[Some(1), Some(2)]),
        card(day(0), 2, &["STAR", "C"], &[Some(2), Some(1)]),
        card(day(1), 1, &["STAR", "D"], &[Some(1), Some(2)]),
    ];

    // Act
    let f = build_features(&cards, OddsChoice::None);

    // Assert
    let runs = FeatureSet {
        odds: OddsChoice::None,
    }
    .columns()
    .iter()
    .position(|c| *c == Feature::HorseRunsLog)
    .expect("column");
    assert_eq!(f[1].x[[0, runs]], 0.0);
    assert_eq!(f[2].x[[0, runs]], 2f64.ln_1p());
}

#[test]
fn horse_win_rate_is_its_shrunk_record_before_the_day() {
    let cards = vec![
        card(day(0), 1, &["STAR", "B"], &[Some(1), Some(2)]),
        card(day(3), 1, &["STAR", "B"], &[Some(2), Some(1)]),
    ];
    let f = build_features(&cards, OddsChoice::Morning);
    let col = |feature: Feature| feature as usize;
    // One win in one run, shrunk with 3 pseudo-runs at 10%: (1 + 0.3) / 4.
    assert_abs_diff_eq!(
        f[1].x[[0, col(Feature::HorseWinRate)]],
        1.3 / 4.0,
        epsilon = 1e-12
    );
    assert_abs_diff_eq!(
        f[1].x[[0, col(Feature::HorseDaysSinceLog)]],
        3f64.ln_1p(),
        epsilon = 1e-12
    );
    assert_abs_diff_eq!(
        f[1].x[[1, col(Feature::HorseLast5Pct)]],
        0.75,
        epsilon = 1e-12
    );
}

#[test]
fn non_runners_are_dropped_and_dead_heats_have_no_winner() {
    let mut c = card(day(0), 1, &["A", "B", "C"], &[Some(1), Some(1), Some(3)]);
    c.runners[2].status = RunnerStatus::NonRunner;
    c.runners[2].finish = None;
    let f = build_features(&[c], OddsChoice::Morning);
    assert_eq!(f[0].runners, vec![1, 2]);
    assert_eq!(f[0].winner, None);
    assert_eq!(f[0].x.nrows(), 2);
}

#[test]
fn odd_races_give_finite_features_of_the_announced_width() {
    let mut lone = card(day(0), 1, &["ALONE"], &[Some(1)]);
    lone.runners[0].odds_reference = None;
    lone.runners[0].musique = Some("Inédit".into());
    let mut bare = card(day(0), 2, &["A", "B", "C"], &[None, None, None]);
    for r in &mut bare.runners {
        r.status = RunnerStatus::Declared;
        r.odds_reference = Some(1.0);
        r.jockey = None;
        r.trainer = None;
    }
    bare.race.distance_m = None;
    for odds in [OddsChoice::Morning, OddsChoice::None] {
        let f = build_features(&[lone.clone(), bare.clone()], odds);
        let width = FeatureSet { odds }.len();
        for r in &f {
            assert_eq!(r.x.ncols(), width);
            assert!(r.x.iter().all(|v| v.is_finite()), "{:?}", r.x);
        }
        assert_eq!(f[0].winner, Some(0));
        assert_eq!(f[1].winner, None);
    }
}

#[test]
fn the_builder_refuses_days_out_of_order_or_mixed() {
    let a = card(day(1), 1, &["A", "B"], &[Some(1), Some(2)]);
    let b = card(day(0), 1, &["A", "B"], &[Some(1), Some(2)]);
    let mut builder = FeatureBuilder::new(OddsChoice::None);
    assert!(matches!(
        builder.process_day(&[&a, &b]),
        Err(FeatureError::MixedDates(..))
    ));
    builder.process_day(&[&a]).expect("first day");
    assert!(matches!(
        builder.process_day(&[&b]),
        Err(FeatureError::OutOfOrder { .. })
    ));
    assert_eq!(builder.process_day(&[]), Ok(Vec::new()));
}

#[test]
fn jockey_rides_older_than_the_window_are_forgotten() {
    let late = NaiveDate::from_ymd_opt(2027, 3, 2).expect("date");
    let cards = vec![
        card(day(0), 1, &["A", "B"], &[Some(1), Some(2)]),
        card(late, 1, &["C", "D"], &[Some(1), Some(2)]),
    ];
    let f = build_features(&cards, OddsChoice::Morning);
    // 2026-03-01 to 2027-03-02 is 366 days: outside the 365-day window.
    assert_eq!(f[1].x[[0, Feature::JockeyRunsLog as usize]], 0.0);
}

#[test]
fn past_prices_measure_how_the_market_rated_the_horse_and_its_jockey() {
    // Final odds 2.5 and 3.5: the winner was the favourite at p = 0.4 / (0.4 + 1 / 3.5).
    let cards = vec![
        card(day(0), 1, &["A", "B"], &[Some(1), Some(2)]),
        card(day(1), 1, &["A", "B"], &[Some(1), Some(2)]),
    ];
    let f = build_features(&cards, OddsChoice::Morning);
    let p: f64 = 0.4 / (0.4 + 1.0 / 3.5);
    let at = |row: usize, feature: Feature| f[1].x[[row, feature as usize]];
    assert_abs_diff_eq!(
        at(0, Feature::HorsePastLogp),
        (2.0 * p).ln() / 2.0,
        epsilon = 1e-12
    );
    assert_abs_diff_eq!(at(0, Feature::HorsePastResid), 0.0, epsilon = 1e-12);
    assert_abs_diff_eq!(
        at(0, Feature::JockeyExcessWin),
        (1.0 - p) / 21.0,
        epsilon = 1e-6
    );
    assert_abs_diff_eq!(at(0, Feature::HorseDistanceChange), 0.0, epsilon = 1e-12);
}
