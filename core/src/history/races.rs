//! Grouping of history rows into race cards, with the checks that span several rows: duplicate
//! runners and race-level values that must agree.

use super::HistoryError;
use super::row::{Columns, Field, Row, read_runner};
use crate::domain::{
    Discipline, Meeting, OddsKind, OddsSnapshot, Race, RaceCard, RaceKey, Runner, Track,
    arrival_from_finishes,
};
use chrono::NaiveTime;
use std::collections::HashMap;
use std::fmt::Display;

/// The CSV carries dates only, so odds get conventional instants on the race date (UTC): the
/// morning odds at the start of the day and the final odds at its end, which keeps them ordered.
const REFERENCE_ODDS_TIME: NaiveTime = NaiveTime::MIN;
const FINAL_ODDS_TIME: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// A race being assembled, with the lines needed to explain a later conflict.
struct Group {
    card: RaceCard,
    first_line: u64,
    /// Line of each runner, parallel to `card.runners`.
    runner_lines: Vec<u64>,
}

/// Races in order of first appearance, with an index to find a race seen earlier.
#[derive(Default)]
pub(super) struct Races {
    groups: Vec<Group>,
    index: HashMap<RaceKey, usize>,
}

impl Races {
    pub(super) fn add(&mut self, c: &Columns, row: &Row<'_>) -> Result<(), HistoryError> {
        let key = RaceKey {
            date: row.date(c.date)?,
            meeting: row.required_uint(c.meeting, 1)?,
            race: row.required_uint(c.race, 1)?,
        };
        let track = row.required(c.track)?;
        let discipline = row.discipline(c.discipline)?;
        let distance_m = row.uint(c.distance_m, 0)?;
        let country = non_empty(row.cell(c.country));
        let going = non_empty(row.cell(c.going));
        let runner = read_runner(c, row, key.date)?;

        // Rows of one race are adjacent in practice, so the last group saves a hash lookup.
        let found = match self.groups.last() {
            Some(last) if last.card.key() == key => Some(self.groups.len() - 1),
            _ => self.index.get(&key).copied(),
        };
        let at = found.unwrap_or_else(|| {
            self.index.insert(key, self.groups.len());
            self.groups.push(Group {
                card: new_card(key, track, discipline.clone()),
                first_line: row.line,
                runner_lines: Vec::with_capacity(16),
            });
            self.groups.len() - 1
        });

        let group = &mut self.groups[at];
        let first_line = group.first_line;
        let card = &mut group.card;
        if card.meeting.track.name != track {
            return Err(conflict(
                row,
                c.track,
                track,
                &card.meeting.track.name,
                first_line,
            ));
        }
        if card.race.discipline != discipline {
            return Err(conflict(
                row,
                c.discipline,
                discipline,
                &card.race.discipline,
                first_line,
            ));
        }
        merge(
            row,
            c.country,
            &mut card.meeting.track.country,
            country,
            first_line,
        )?;
        merge(
            row,
            c.distance_m,
            &mut card.race.distance_m,
            distance_m,
            first_line,
        )?;
        merge(row, c.going, &mut card.race.going, going, first_line)?;
        if let Some(i) = card.runners.iter().position(|r| r.number == runner.number) {
            return Err(row.error(
                c.runner,
                format!(
                    "runner {} of {key} appears twice: first at line {}",
                    runner.number, group.runner_lines[i]
                ),
            ));
        }
        group.push(runner, row.line);
        Ok(())
    }

    pub(super) fn finish(self) -> Vec<RaceCard> {
        self.groups
            .into_iter()
            .map(|group| {
                let mut card = group.card;
                card.race.arrival = arrival_from_finishes(&card.runners);
                card.race.is_final = card.race.arrival.is_some();
                card
            })
            .collect()
    }
}

impl Group {
    fn push(&mut self, runner: Runner, line: u64) {
        let date = self.card.meeting.date;
        let snapshot = |kind, odds, time| OddsSnapshot {
            runner: runner.number,
            kind,
            odds,
            taken_at: date.and_time(time).and_utc(),
        };
        let reference = runner.odds_reference;
        let last = runner.odds_final;
        self.card.odds.extend(
            [
                reference.map(|o| snapshot(OddsKind::Reference, o, REFERENCE_ODDS_TIME)),
                last.map(|o| snapshot(OddsKind::Final, o, FINAL_ODDS_TIME)),
            ]
            .into_iter()
            .flatten(),
        );
        self.card.runners.push(runner);
        self.runner_lines.push(line);
    }
}

fn new_card(key: RaceKey, track: &str, discipline: Discipline) -> RaceCard {
    RaceCard {
        meeting: Meeting {
            date: key.date,
            number: key.meeting,
            track: Track {
                name: track.to_string(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race: Race::new(key.race, discipline),
        runners: Vec::with_capacity(16),
        odds: Vec::with_capacity(32),
        payouts: Vec::new(),
    }
}

fn non_empty(value: &str) -> Option<&str> {
    Some(value).filter(|v| !v.is_empty())
}

/// Fills an unknown race-level value, or checks a known one against this row's.
fn merge<T, V>(
    row: &Row<'_>,
    field: Field,
    slot: &mut Option<T>,
    value: Option<V>,
    first_line: u64,
) -> Result<(), HistoryError>
where
    T: Display,
    V: Display + PartialEq<T> + Into<T>,
{
    let Some(value) = value else {
        return Ok(());
    };
    match slot {
        None => *slot = Some(value.into()),
        Some(known) if value == *known => {}
        Some(known) => return Err(conflict(row, field, value, &*known, first_line)),
    }
    Ok(())
}

fn conflict(
    row: &Row<'_>,
    field: Field,
    value: impl Display,
    known: impl Display,
    first_line: u64,
) -> HistoryError {
    row.error(
        field,
        format!("\"{value}\" differs from \"{known}\" given for the same race (which starts at line {first_line})"),
    )
}
