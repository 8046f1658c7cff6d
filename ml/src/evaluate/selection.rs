//! Chooses the first-stage ridge penalty each week from the training races alone: fit on the
//! older part, score the most recent part, keep the best penalty, refit on everything. The test
//! week never takes part, so the choice is as out-of-sample as the predictions.

use crate::clogit::{ConditionalLogitParams, FittedConditionalLogit, RaceSample};
use crate::features::RaceFeatures;

/// Share of the training races, the most recent ones, held out to score each penalty.
const VALIDATION_SHARE: f64 = 0.2;

/// Mean log-loss of `model` on the races with a single winner and two runners or more.
fn validation_logloss(model: &FittedConditionalLogit, races: &[RaceFeatures]) -> Option<f64> {
    let mut total = 0.0;
    let mut n = 0usize;
    for race in races.iter().filter(|r| r.x.nrows() > 1) {
        let Some(w) = race.winner() else { continue };
        let p = model.predict(&race.x).ok()?;
        total -= p.get(w).copied().unwrap_or(0.0).max(1e-15).ln();
        n += 1;
    }
    (n > 0).then(|| total / n as f64)
}

/// Fits the first stage on `train` (chronological), choosing `l2` from `grid` when it has more
/// than one value. Returns the model and the penalty used; `None` when nothing can be learnt.
pub(crate) fn fit_first_stage(
    train: &[RaceFeatures],
    params: &ConditionalLogitParams,
    grid: &[f64],
) -> Option<(FittedConditionalLogit, f64)> {
    let chosen = match grid {
        [] => params.l2,
        [only] => *only,
        _ => choose_l2(train, params, grid).unwrap_or(params.l2),
    };
    let params = params.l2(chosen);
    params.fit(train).ok().map(|m| (m, chosen))
}

fn choose_l2(train: &[RaceFeatures], params: &ConditionalLogitParams, grid: &[f64]) -> Option<f64> {
    // Split on a day boundary, so that the held-out part is whole days after the fitted part.
    let at = ((train.len() as f64) * (1.0 - VALIDATION_SHARE)) as usize;
    let day = train.get(at)?.date;
    let split = train.partition_point(|r| r.date < day);
    let (fit, hold) = train.split_at(split);
    // The penalties are independent fits: score them on scoped threads, one batch per core so
    // that memory stays at a few copies of the training matrix. The choice does not depend on
    // the scheduling: every score is kept and compared afterwards.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut scores: Vec<Option<f64>> = Vec::with_capacity(grid.len());
    for batch in grid.chunks(cores) {
        std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|&l2| {
                    scope.spawn(move || {
                        let model = params.l2(l2).fit(fit).ok()?;
                        validation_logloss(&model, hold)
                    })
                })
                .collect();
            scores.extend(handles.into_iter().map(|h| h.join().ok().flatten()));
        });
    }
    grid.iter()
        .zip(scores)
        .filter_map(|(&l2, score)| Some((l2, score?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(l2, _)| l2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{OddsChoice, build_features};
    use crate::rng::SplitMix64;
    use chrono::{Days, NaiveDate};
    use pronoturf_core::domain::{
        Discipline, Horse, Meeting, Race, RaceCard, Runner, RunnerStatus, Track,
    };

    fn race(date: NaiveDate, number: u32, rng: &mut SplitMix64) -> RaceCard {
        let runners = (1..=6)
            .map(|n| {
                let mut horse = Horse::named(format!("H{}", rng.below(40)));
                horse.name.push_str(&n.to_string());
                let mut r = Runner::new(n, horse);
                r.status = RunnerStatus::Ran;
                r.finish = Some(n);
                r.odds_reference = Some(1.5 + f64::from(n) + 4.0 * rng.normal().abs());
                r
            })
            .collect();
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

    #[test]
    fn the_penalty_comes_from_the_grid_and_a_single_value_is_used_as_is() {
        // Arrange
        let mut rng = SplitMix64::new(3);
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let cards: Vec<RaceCard> = (0..30)
            .flat_map(|d| {
                let date = start.checked_add_days(Days::new(d)).expect("date");
                (1..=4).map(|n| race(date, n, &mut rng)).collect::<Vec<_>>()
            })
            .collect();
        let train = build_features(&cards, OddsChoice::Morning);
        let params = ConditionalLogitParams::default();

        // Act
        let grid = [1e-3, 1e-1, 10.0];
        let (model, l2) = fit_first_stage(&train, &params, &grid).expect("fit");
        let (_, single) = fit_first_stage(&train, &params, &[0.5]).expect("fit");

        // Assert
        assert!(grid.contains(&l2));
        assert_eq!(model.races, 120);
        assert_eq!(single, 0.5);
        assert!(fit_first_stage(&train[..0], &params, &grid).is_none());
    }
}
