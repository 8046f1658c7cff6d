//! The write path both backends share: turning race cards into upserts of tracks, meetings,
//! races, people, horses, runners, odds and payouts, batched so an 80k-runner import issues a few
//! hundred statements rather than hundreds of thousands. Backends supply only the SQL, through
//! [`WriteTx`]; the order of writes and the id bookkeeping live here once.

use super::{Result, StoreError, WriteSummary};
use crate::domain::{
    Horse, Meeting, OddsSnapshot, Payout, Race, RaceCard, Runner, Track, normalise_name,
};
use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Rows per multi-row statement. Runners bind 23 values a row: 300 rows stay far below the
/// placeholder limits of SQLite (32766) and MySQL (65535).
pub(crate) const CHUNK: usize = 300;

/// Tables of people identified by a normalised name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum People {
    Jockeys,
    Trainers,
}

impl People {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Self::Jockeys => "jockeys",
            Self::Trainers => "trainers",
        }
    }
}

/// A runner ready to be written, its foreign keys resolved.
pub(crate) struct RunnerRow<'a> {
    pub race_id: i64,
    pub horse_id: i64,
    pub jockey_id: Option<i64>,
    pub trainer_id: Option<i64>,
    pub runner: &'a Runner,
}

/// The statements a backend must provide inside one open transaction. Each `&[..]` argument
/// holds at most [`CHUNK`] rows.
#[async_trait]
pub(crate) trait WriteTx: Send {
    async fn upsert_track(&mut self, key: &str, track: &Track) -> Result<i64>;
    async fn upsert_meeting(&mut self, track_id: i64, meeting: &Meeting) -> Result<i64>;
    async fn upsert_race(
        &mut self,
        meeting_id: i64,
        date: NaiveDate,
        race: &Race,
        arrival: Option<String>,
    ) -> Result<i64>;
    /// Upserts people by key (normalised name) and returns the id of each key.
    async fn upsert_people(
        &mut self,
        table: People,
        people: &[(&str, &str)],
    ) -> Result<HashMap<String, i64>>;
    /// Upserts horses by key and returns the id of each key.
    async fn upsert_horses(&mut self, horses: &[(&str, &Horse)]) -> Result<HashMap<String, i64>>;
    async fn upsert_runners(&mut self, rows: &[RunnerRow<'_>]) -> Result<()>;
    /// Ids of the runners of these races, by (race id, runner number).
    async fn runner_ids(&mut self, race_ids: &[i64]) -> Result<HashMap<(i64, i64), i64>>;
    /// Adds odds snapshots, skipping those already stored.
    async fn insert_odds(&mut self, rows: &[(i64, &OddsSnapshot)]) -> Result<()>;
    async fn upsert_payouts(&mut self, rows: &[(i64, &Payout)]) -> Result<()>;
}

/// Writes `cards` through `tx`. The caller commits.
pub(crate) async fn write_cards(tx: &mut dyn WriteTx, cards: &[RaceCard]) -> Result<WriteSummary> {
    validate(cards)?;
    let mut summary = WriteSummary::default();

    // Meetings and races first: one statement each, their ids key everything below.
    let mut track_ids: HashMap<String, i64> = HashMap::new();
    let mut meeting_ids: HashMap<(NaiveDate, u32), i64> = HashMap::new();
    let mut race_ids = Vec::with_capacity(cards.len());
    for card in cards {
        let meeting = &card.meeting;
        let meeting_id = match meeting_ids.get(&(meeting.date, meeting.number)) {
            Some(id) => *id,
            None => {
                let track_key = normalise_name(&meeting.track.name);
                let track_id = match track_ids.get(&track_key) {
                    Some(id) => *id,
                    None => {
                        let id = tx.upsert_track(&track_key, &meeting.track).await?;
                        track_ids.insert(track_key, id);
                        id
                    }
                };
                let id = tx.upsert_meeting(track_id, meeting).await?;
                meeting_ids.insert((meeting.date, meeting.number), id);
                id
            }
        };
        let arrival = card
            .race
            .arrival
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("arrival of {}: {e}", card.key())))?;
        race_ids.push(
            tx.upsert_race(meeting_id, meeting.date, &card.race, arrival)
                .await?,
        );
        summary.races += 1;
    }

    let jockeys = upsert_people(tx, People::Jockeys, cards, |r| r.jockey.as_deref()).await?;
    let trainers = upsert_people(tx, People::Trainers, cards, |r| r.trainer.as_deref()).await?;
    let horses = upsert_horses(tx, cards).await?;

    let mut rows = Vec::new();
    for (card, race_id) in cards.iter().zip(&race_ids) {
        for runner in &card.runners {
            let person = |map: &HashMap<String, i64>, name: &Option<String>| {
                name.as_deref()
                    .map(normalise_name)
                    .and_then(|k| map.get(&k).copied())
            };
            let horse_id = horses.get(&runner.horse.key()).copied().ok_or_else(|| {
                StoreError::Invalid(format!("horse {} was not stored", runner.horse.name))
            })?;
            rows.push(RunnerRow {
                race_id: *race_id,
                horse_id,
                jockey_id: person(&jockeys, &runner.jockey),
                trainer_id: person(&trainers, &runner.trainer),
                runner,
            });
        }
    }
    for chunk in rows.chunks(CHUNK) {
        tx.upsert_runners(chunk).await?;
    }
    summary.runners = rows.len() as u64;

    // Odds hang off runner ids, which only the database knows for runners stored earlier.
    let with_odds: Vec<(i64, &RaceCard)> = race_ids
        .iter()
        .copied()
        .zip(cards)
        .filter(|(_, c)| !c.odds.is_empty())
        .collect();
    let mut odds_rows = Vec::new();
    for batch in with_odds.chunks(CHUNK) {
        let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        let runner_ids = tx.runner_ids(&ids).await?;
        for (race_id, card) in batch {
            for snapshot in &card.odds {
                let runner_id = runner_ids
                    .get(&(*race_id, i64::from(snapshot.runner)))
                    .ok_or_else(|| {
                        StoreError::Invalid(format!(
                            "odds of {} name runner {}, which is not in the race",
                            card.key(),
                            snapshot.runner
                        ))
                    })?;
                odds_rows.push((*runner_id, snapshot));
            }
        }
    }
    for chunk in odds_rows.chunks(CHUNK) {
        tx.insert_odds(chunk).await?;
    }
    summary.odds_snapshots = odds_rows.len() as u64;

    let payouts: Vec<(i64, &Payout)> = race_ids
        .iter()
        .zip(cards)
        .flat_map(|(id, card)| card.payouts.iter().map(move |p| (*id, p)))
        .collect();
    for chunk in payouts.chunks(CHUNK) {
        tx.upsert_payouts(chunk).await?;
    }
    summary.payouts = payouts.len() as u64;
    Ok(summary)
}

/// Refuses cards that would violate a natural key inside one write, with a message naming the race,
/// rather than letting the database fail with a constraint error.
fn validate(cards: &[RaceCard]) -> Result<()> {
    let mut races = HashSet::new();
    for card in cards {
        let key = card.key();
        if key.meeting == 0 || key.race == 0 {
            return Err(StoreError::Invalid(format!(
                "{key}: meeting and race numbers start at 1"
            )));
        }
        if !races.insert(key) {
            return Err(StoreError::Invalid(format!("{key} appears twice")));
        }
        if card.meeting.track.name.trim().is_empty() {
            return Err(StoreError::Invalid(format!("{key}: the track has no name")));
        }
        let mut numbers = HashSet::new();
        for runner in &card.runners {
            if !numbers.insert(runner.number) {
                return Err(StoreError::Invalid(format!(
                    "{key}: runner {} appears twice",
                    runner.number
                )));
            }
            if runner.horse.name.trim().is_empty() {
                return Err(StoreError::Invalid(format!(
                    "{key}: runner {} has no horse name",
                    runner.number
                )));
            }
        }
        let mut payouts = HashSet::new();
        for payout in &card.payouts {
            if !payouts.insert((&payout.bet_type, &payout.combination, &payout.label)) {
                return Err(StoreError::Invalid(format!(
                    "{key}: payout {} {} {} appears twice",
                    payout.bet_type,
                    payout.combination,
                    payout.label.as_deref().unwrap_or("")
                )));
            }
        }
    }
    Ok(())
}

async fn upsert_people(
    tx: &mut dyn WriteTx,
    table: People,
    cards: &[RaceCard],
    name_of: impl Fn(&Runner) -> Option<&str>,
) -> Result<HashMap<String, i64>> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for runner in cards.iter().flat_map(|c| &c.runners) {
        if let Some(name) = name_of(runner).filter(|n| !n.trim().is_empty()) {
            seen.entry(normalise_name(name)).or_insert(name.trim());
        }
    }
    let people: Vec<(&str, &str)> = seen.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    let mut ids = HashMap::with_capacity(people.len());
    for chunk in people.chunks(CHUNK) {
        ids.extend(tx.upsert_people(table, chunk).await?);
    }
    Ok(ids)
}

async fn upsert_horses(tx: &mut dyn WriteTx, cards: &[RaceCard]) -> Result<HashMap<String, i64>> {
    // The latest card of a horse knows the most (age, sex), so later cards win.
    let mut seen: HashMap<String, &Horse> = HashMap::new();
    for runner in cards.iter().flat_map(|c| &c.runners) {
        seen.insert(runner.horse.key(), &runner.horse);
    }
    let horses: Vec<(&str, &Horse)> = seen.iter().map(|(k, h)| (k.as_str(), *h)).collect();
    let mut ids = HashMap::with_capacity(horses.len());
    for chunk in horses.chunks(CHUNK) {
        ids.extend(tx.upsert_horses(chunk).await?);
    }
    Ok(ids)
}

/// Converts an optional unsigned domain number to the signed integers both databases store.
pub(crate) fn int(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}
