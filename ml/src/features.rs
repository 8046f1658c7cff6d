//! Per-runner features built only from what was known before each race. The [`FeatureBuilder`]
//! walks the race days in order: it computes the features of every race of day D from what it
//! learnt of days strictly before D, and only then learns day D's results, so two races of the
//! same day never see each other and no result leaks into its own race's features.

mod columns;
mod race;
mod state;

pub use columns::{Feature, FeatureSet};

use crate::clogit::RaceSample;
use chrono::NaiveDate;
use ndarray::{Array2, ArrayView2};
use pronoturf_core::domain::{RaceCard, RaceKey, Runner, RunnerStatus};
use serde::{Deserialize, Serialize};
use state::History;

/// Which odds, if any, the features may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OddsChoice {
    /// The reference (morning) odds, published with the programme: fit for 07:00 predictions.
    Morning,
    /// No odds at all: a pure form model, to be combined with the market afterwards.
    None,
}

/// The features of one race, one row per runner that ran or is declared (non-runners excluded).
#[derive(Debug, Clone, PartialEq)]
pub struct RaceFeatures {
    /// Natural key of the race.
    pub key: RaceKey,
    /// Local date of the race.
    pub date: NaiveDate,
    /// Saddle-cloth numbers, in row order.
    pub runners: Vec<u32>,
    /// Features, runners × columns of the builder's [`FeatureSet`].
    pub x: Array2<f64>,
    /// Row of the single winner; `None` before the race, without a winner or after a dead heat
    /// for first (such races cannot score a win probability).
    pub winner: Option<usize>,
    /// Status of each runner.
    pub status: Vec<RunnerStatus>,
    /// Finishing positions (classified runners only).
    pub finish: Vec<Option<u32>>,
    /// Reference (morning) odds as published.
    pub odds_morning: Vec<Option<f64>>,
    /// Final odds as published.
    pub odds_final: Vec<Option<f64>>,
}

impl RaceSample for RaceFeatures {
    fn features(&self) -> ArrayView2<'_, f64> {
        self.x.view()
    }

    fn winner(&self) -> Option<usize> {
        self.winner
    }
}

/// Why the builder refused a batch of races.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeatureError {
    /// The races of one call must all be run on the same day.
    #[error("races of one batch are on different days ({0} and {1})")]
    MixedDates(NaiveDate, NaiveDate),
    /// Days must come strictly after the last day learnt.
    #[error("day {date} is not after the last day learnt ({last})")]
    OutOfOrder {
        /// The day offered.
        date: NaiveDate,
        /// The last day already learnt.
        last: NaiveDate,
    },
}

/// Walks race days in chronological order, remembering horse, jockey and trainer records.
#[derive(Debug, Clone)]
pub struct FeatureBuilder {
    set: FeatureSet,
    history: History,
    last_learnt: Option<NaiveDate>,
}

/// The runners that get a row: every one but the non-runners.
fn included(card: &RaceCard) -> Vec<&Runner> {
    card.runners
        .iter()
        .filter(|r| r.status != RunnerStatus::NonRunner)
        .collect()
}

impl FeatureBuilder {
    /// A builder that has seen no race yet.
    pub fn new(odds: OddsChoice) -> Self {
        Self {
            set: FeatureSet { odds },
            history: History::default(),
            last_learnt: None,
        }
    }

    /// The columns this builder produces.
    pub fn feature_set(&self) -> FeatureSet {
        self.set
    }

    /// Features of the races of one day (e.g. today's declared races), from the days learnt so far.
    pub fn features(&mut self, cards: &[&RaceCard]) -> Result<Vec<RaceFeatures>, FeatureError> {
        let Some(date) = self.check_day(cards)? else {
            return Ok(Vec::new());
        };
        self.history.advance_to(date);
        Ok(cards.iter().map(|c| self.race_features(c)).collect())
    }

    /// Learns the results of one day's races; later days' features will see them.
    pub fn learn(&mut self, cards: &[&RaceCard]) -> Result<(), FeatureError> {
        let Some(date) = self.check_day(cards)? else {
            return Ok(());
        };
        for card in cards {
            self.history.record_race(card);
        }
        self.last_learnt = Some(date);
        Ok(())
    }

    /// [`FeatureBuilder::features`] then [`FeatureBuilder::learn`]: one step of a history replay.
    pub fn process_day(&mut self, cards: &[&RaceCard]) -> Result<Vec<RaceFeatures>, FeatureError> {
        let features = self.features(cards)?;
        self.learn(cards)?;
        Ok(features)
    }

    fn check_day(&self, cards: &[&RaceCard]) -> Result<Option<NaiveDate>, FeatureError> {
        let Some(first) = cards.first() else {
            return Ok(None);
        };
        let date = first.meeting.date;
        if let Some(other) = cards.iter().map(|c| c.meeting.date).find(|d| *d != date) {
            return Err(FeatureError::MixedDates(date, other));
        }
        match self.last_learnt {
            Some(last) if date <= last => Err(FeatureError::OutOfOrder { date, last }),
            _ => Ok(Some(date)),
        }
    }

    fn race_features(&self, card: &RaceCard) -> RaceFeatures {
        let runners = included(card);
        let winners: Vec<usize> = runners
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == RunnerStatus::Ran && r.finish == Some(1))
            .map(|(i, _)| i)
            .collect();
        RaceFeatures {
            key: card.key(),
            date: card.meeting.date,
            runners: runners.iter().map(|r| r.number).collect(),
            x: race::race_matrix(card, &runners, &self.history, self.set),
            winner: match winners.as_slice() {
                [w] => Some(*w),
                _ => None,
            },
            status: runners.iter().map(|r| r.status).collect(),
            finish: runners.iter().map(|r| r.finish).collect(),
            odds_morning: runners.iter().map(|r| r.odds_reference).collect(),
            odds_final: runners.iter().map(|r| r.odds_final).collect(),
        }
    }
}

/// Features of every race, in chronological order (date, meeting, race), each computed only from
/// races of earlier days. The cards need not be sorted.
pub fn build_features(cards: &[RaceCard], odds: OddsChoice) -> Vec<RaceFeatures> {
    let mut sorted: Vec<&RaceCard> = cards.iter().collect();
    sorted.sort_by_key(|c| c.key());
    let mut builder = FeatureBuilder::new(odds);
    let mut out = Vec::with_capacity(sorted.len());
    for day in sorted.chunk_by(|a, b| a.meeting.date == b.meeting.date) {
        // Sorted and grouped by date, each day comes once and in order: the checks cannot fail,
        // and skipping a day that somehow did would only lose its races.
        if let Ok(features) = builder.process_day(day) {
            out.extend(features);
        }
    }
    out
}

#[cfg(test)]
mod tests;
