//! What the feature builder remembers of past races: horse, jockey and trainer records. It is
//! only ever updated with whole days of results, after every race of that day got its features,
//! which is what keeps the features free of leakage.

use crate::market::implied_probabilities;
use chrono::{Days, NaiveDate};
use pronoturf_core::domain::{RaceCard, Runner, RunnerStatus, normalise_name};
use std::collections::{HashMap, VecDeque};

/// Length of the jockey and trainer window, in days ending the day before the race.
pub(crate) const WINDOW_DAYS: u64 = 365;

/// How many recent finish percentiles a horse keeps.
const RECENT_RUNS: usize = 5;

/// Units of `Record::expected_micro` per win: probabilities are kept as integer millionths.
pub(crate) const MICRO: f64 = 1e6;

/// Runs, wins, top-three finishes and the wins the market expected (Σ p, in millionths).
/// Integers, so that sums over a window never drift.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) runs: u32,
    pub(crate) wins: u32,
    pub(crate) places: u32,
    pub(crate) expected_micro: u64,
}

impl Record {
    fn add(&mut self, other: Record) {
        self.runs += other.runs;
        self.wins += other.wins;
        self.places += other.places;
        self.expected_micro += other.expected_micro;
    }

    fn sub(&mut self, other: Record) {
        self.runs = self.runs.saturating_sub(other.runs);
        self.wins = self.wins.saturating_sub(other.wins);
        self.places = self.places.saturating_sub(other.places);
        self.expected_micro = self.expected_micro.saturating_sub(other.expected_micro);
    }

    /// Wins the market expected.
    pub(crate) fn expected(&self) -> f64 {
        self.expected_micro as f64 / MICRO
    }
}

/// A record over a sliding window of days: one entry per day, evicted as days pass.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rolling {
    days: VecDeque<(NaiveDate, Record)>,
    total: Record,
}

impl Rolling {
    fn push(&mut self, date: NaiveDate, result: Record) {
        match self.days.back_mut() {
            Some((d, r)) if *d == date => r.add(result),
            _ => self.days.push_back((date, result)),
        }
        self.total.add(result);
    }

    fn evict_before(&mut self, cutoff: NaiveDate) {
        while let Some(&(d, r)) = self.days.front() {
            if d >= cutoff {
                break;
            }
            self.total.sub(r);
            self.days.pop_front();
        }
    }
}

/// A horse's record in the data seen so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct HorseState {
    pub(crate) record: Record,
    pub(crate) last_date: Option<NaiveDate>,
    /// Finish percentiles of its most recent runs, most recent first.
    pub(crate) recent: VecDeque<f64>,
    /// ln(p_market × field size) of its most recent runs: the market's past opinion of it.
    pub(crate) recent_logp: VecDeque<f64>,
    /// Finish percentile minus market-rank percentile of its most recent runs (< 0: beat the odds).
    pub(crate) recent_resid: VecDeque<f64>,
    pub(crate) last_distance: Option<u32>,
    pub(crate) last_weight: Option<f64>,
}

fn push_recent(queue: &mut VecDeque<f64>, value: f64) {
    queue.push_front(value);
    queue.truncate(RECENT_RUNS);
}

/// The market's view of a past race: final odds, else morning odds, else uniform, normalised
/// over the starters. Past prices are public before any later race.
fn past_market(starters: &[&Runner]) -> Vec<f64> {
    let n = starters.len();
    let from = |pick: fn(&Runner) -> Option<f64>| {
        implied_probabilities(&starters.iter().map(|r| pick(r)).collect::<Vec<_>>())
    };
    from(|r| r.odds_final)
        .or_else(|| from(|r| r.odds_reference))
        .map(|p| p.to_vec())
        .unwrap_or_else(|| vec![1.0 / n.max(1) as f64; n])
}

/// Percentile (0 = favourite) of each runner's market rank, ties averaged.
fn rank_percentiles(p: &[f64]) -> Vec<f64> {
    let n = p.len();
    p.iter()
        .map(|q| {
            let above = p.iter().filter(|&o| o > q).count() as f64;
            let ties = p.iter().filter(|&o| o == q).count() as f64;
            if n > 1 {
                (above + (ties - 1.0) / 2.0) / (n as f64 - 1.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// Distance band of a race: sprint, mile, middle, long; `None` when the distance is unknown.
pub(crate) fn distance_band(distance_m: Option<u32>) -> Option<u8> {
    distance_m.map(|d| match d {
        0..1600 => 0,
        1600..2100 => 1,
        2100..2700 => 2,
        _ => 3,
    })
}

/// Key of a person (jockey, trainer): the normalised name, `None` when unknown.
pub(crate) fn person_key(name: Option<&str>) -> Option<String> {
    name.map(normalise_name).filter(|n| !n.is_empty())
}

/// Everything remembered of races before the current day.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    pub(crate) horses: HashMap<String, HorseState>,
    pub(crate) horse_band: HashMap<(String, u8), Record>,
    pub(crate) horse_track: HashMap<(String, String), Record>,
    pub(crate) jockeys: HashMap<String, Rolling>,
    pub(crate) trainers: HashMap<String, Rolling>,
    pub(crate) jockey_horse: HashMap<(String, String), Record>,
    pub(crate) trainer_track: HashMap<(String, String), Record>,
}

impl History {
    /// Drops jockey and trainer days that fall out of the window of a race run on `date`.
    pub(crate) fn advance_to(&mut self, date: NaiveDate) {
        let cutoff = date
            .checked_sub_days(Days::new(WINDOW_DAYS))
            .unwrap_or(NaiveDate::MIN);
        for map in [&mut self.jockeys, &mut self.trainers] {
            map.values_mut().for_each(|r| r.evict_before(cutoff));
            map.retain(|_, r| !r.days.is_empty());
        }
    }

    /// Rolling record of a jockey or trainer (empty when unknown).
    pub(crate) fn rolling(map: &HashMap<String, Rolling>, key: Option<&String>) -> Record {
        key.and_then(|k| map.get(k))
            .map(|r| r.total)
            .unwrap_or_default()
    }

    /// Adds the results of one race. Races without any result (not run yet) change nothing.
    pub(crate) fn record_race(&mut self, card: &RaceCard) {
        let date = card.meeting.date;
        let starters: Vec<_> = card
            .runners
            .iter()
            .filter(|r| matches!(r.status, RunnerStatus::Ran | RunnerStatus::Dnf))
            .collect();
        if starters.is_empty() {
            return;
        }
        let field = starters.len();
        let band = distance_band(card.race.distance_m);
        let track = normalise_name(&card.meeting.track.name);
        let market = past_market(&starters);
        let market_pct = rank_percentiles(&market);
        for (i, runner) in starters.into_iter().enumerate() {
            let finish = match runner.status {
                RunnerStatus::Ran => runner.finish,
                _ => None,
            };
            let result = Record {
                runs: 1,
                wins: u32::from(finish == Some(1)),
                places: u32::from(finish.is_some_and(|f| (1..=3).contains(&f))),
                expected_micro: (market[i] * MICRO).round() as u64,
            };
            // Unclassified runners and classified ones without a position count as last.
            let pct = match finish {
                Some(f) if field > 1 => (f64::from(f.max(1)) - 1.0) / (field as f64 - 1.0),
                Some(_) => 0.0,
                None => 1.0,
            }
            .clamp(0.0, 1.0);
            let horse = runner.horse.key();
            let jockey = person_key(runner.jockey.as_deref());
            let trainer = person_key(runner.trainer.as_deref());

            let state = self.horses.entry(horse.clone()).or_default();
            state.record.add(result);
            state.last_date = Some(date);
            push_recent(&mut state.recent, pct);
            push_recent(
                &mut state.recent_logp,
                (market[i] * field as f64).max(1e-6).ln(),
            );
            push_recent(&mut state.recent_resid, pct - market_pct[i]);
            state.last_distance = card.race.distance_m.or(state.last_distance);
            state.last_weight = runner
                .weight_kg
                .filter(|w| w.is_finite())
                .or(state.last_weight);
            if let Some(b) = band {
                self.horse_band
                    .entry((horse.clone(), b))
                    .or_default()
                    .add(result);
            }
            self.horse_track
                .entry((horse.clone(), track.clone()))
                .or_default()
                .add(result);
            if let Some(j) = &jockey {
                self.jockeys
                    .entry(j.clone())
                    .or_default()
                    .push(date, result);
                self.jockey_horse
                    .entry((j.clone(), horse.clone()))
                    .or_default()
                    .add(result);
            }
            if let Some(t) = &trainer {
                self.trainers
                    .entry(t.clone())
                    .or_default()
                    .push(date, result);
                self.trainer_track
                    .entry((t.clone(), track.clone()))
                    .or_default()
                    .add(result);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 1)
            .and_then(|s| s.checked_add_days(Days::new(u64::from(d))))
            .expect("valid date")
    }

    #[test]
    fn rolling_window_keeps_exactly_the_last_365_days() {
        let mut r = Rolling::default();
        let win = Record {
            runs: 1,
            wins: 1,
            places: 1,
            expected_micro: 0,
        };
        r.push(day(0), win);
        r.push(day(0), win);
        r.push(day(10), win);
        // A race on day 365 sees days 0..=364: both entries stay.
        r.evict_before(day(0));
        assert_eq!(r.total.runs, 3);
        // A race on day 366 no longer sees day 0.
        r.evict_before(day(1));
        assert_eq!(r.total.runs, 1);
        assert_eq!(r.days.len(), 1);
    }

    #[test]
    fn distance_bands_split_sprint_mile_middle_and_long() {
        assert_eq!(distance_band(Some(1200)), Some(0));
        assert_eq!(distance_band(Some(1600)), Some(1));
        assert_eq!(distance_band(Some(2100)), Some(2));
        assert_eq!(distance_band(Some(2850)), Some(3));
        assert_eq!(distance_band(None), None);
    }
}
