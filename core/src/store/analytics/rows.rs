//! Rows of the dashboard's aggregations and their conversion into the public types.

use super::{DailyCount, MonthlyRecord, PeriodFigures, PersonSummary, RideLine};
use crate::domain::RaceKey;
use crate::store::{Result, StoreError};
use chrono::NaiveDate;

#[derive(sqlx::FromRow)]
pub(crate) struct PeriodFiguresRow {
    meetings: i64,
    races: i64,
    runners: i64,
    non_runners: i64,
    races_with_result: i64,
    favourite_races: i64,
    favourite_wins: i64,
}

impl From<PeriodFiguresRow> for PeriodFigures {
    fn from(r: PeriodFiguresRow) -> Self {
        Self {
            meetings: r.meetings,
            races: r.races,
            runners: r.runners,
            non_runners: r.non_runners,
            races_with_result: r.races_with_result,
            favourite_races: r.favourite_races,
            favourite_wins: r.favourite_wins,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DailyRow {
    date: NaiveDate,
    races: i64,
}

impl From<DailyRow> for DailyCount {
    fn from(r: DailyRow) -> Self {
        Self {
            date: r.date,
            races: r.races,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MonthlyRow {
    year: i64,
    month: i64,
    runs: i64,
    wins: i64,
    places: i64,
}

impl MonthlyRow {
    pub(crate) fn into_record(self) -> Result<MonthlyRecord> {
        let invalid = || StoreError::Invalid(format!("month {}-{}", self.year, self.month));
        Ok(MonthlyRecord {
            year: i32::try_from(self.year).map_err(|_| invalid())?,
            month: u32::try_from(self.month)
                .ok()
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(invalid)?,
            runs: self.runs,
            wins: self.wins,
            places: self.places,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    id: i64,
    name: String,
    runs: i64,
    wins: i64,
    places: i64,
}

impl From<PersonRow> for PersonSummary {
    fn from(r: PersonRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            runs: r.runs,
            wins: r.wins,
            places: r.places,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RideRow {
    date: NaiveDate,
    meeting: i64,
    race: i64,
    track: String,
    discipline: String,
    distance_m: Option<i64>,
    number: i64,
    horse_id: i64,
    horse: String,
    jockey: Option<String>,
    trainer: Option<String>,
    status: String,
    finish: Option<i64>,
    odds_final: Option<f64>,
}

impl RideRow {
    pub(crate) fn into_line(self) -> Result<RideLine> {
        let u32_of = |field: &str, v: i64| {
            u32::try_from(v).map_err(|_| StoreError::Invalid(format!("{field} = {v}")))
        };
        Ok(RideLine {
            key: RaceKey {
                date: self.date,
                meeting: u32_of("meeting number", self.meeting)?,
                race: u32_of("race number", self.race)?,
            },
            track: self.track,
            discipline: self.discipline,
            distance_m: self
                .distance_m
                .map(|d| u32_of("distance_m", d))
                .transpose()?,
            number: u32_of("runner number", self.number)?,
            horse_id: self.horse_id,
            horse: self.horse,
            jockey: self.jockey,
            trainer: self.trainer,
            status: self.status,
            finish: self.finish.map(|f| u32_of("finish", f)).transpose()?,
            odds_final: self.odds_final,
        })
    }
}
