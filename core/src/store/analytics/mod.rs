//! Read-only aggregations behind the dashboard: headline figures of a period, daily counts,
//! monthly records, jockeys and trainers with their rides. The SQL text is shared by both
//! backends (portable lowercase SQL, `?` placeholders); only the year/month expressions differ,
//! and each backend passes its own. Filters are appended with their arguments in [`Sql`], which
//! each backend binds in order.

mod outcomes;
mod reads;
mod rows;

use crate::domain::{RaceKey, normalise_name};
use chrono::NaiveDate;
pub use outcomes::{
    BetDimension, BetFilter, BetGroup, DataQuality, ODDS_BANDS, PredictedRunner, RunnerName,
};
pub(crate) use outcomes::{
    BetGroupRow, DataQualityRow, PredictedRunnerRow, RunnerNameRow, bet_groups, data_quality,
    day_runner_names, predicted_runners,
};
pub(crate) use reads::analytics_reads;
pub(crate) use rows::{DailyRow, MonthlyRow, PeriodFiguresRow, PersonRow, RideRow};
use serde::Serialize;

/// Which races an aggregation covers: a date range (inclusive, open ends allowed), tracks and
/// disciplines (empty lists mean all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodFilter {
    /// First date included.
    pub from: Option<NaiveDate>,
    /// Last date included.
    pub to: Option<NaiveDate>,
    /// Track names (compared after normalisation).
    pub tracks: Vec<String>,
    /// Disciplines as stored (PLAT, ATTELE...).
    pub disciplines: Vec<String>,
}

/// Headline figures of the races of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PeriodFigures {
    /// Meetings.
    pub meetings: i64,
    /// Races.
    pub races: i64,
    /// Declared runners still running (non-runners excluded).
    pub runners: i64,
    /// Non-runners.
    pub non_runners: i64,
    /// Races with a winner recorded.
    pub races_with_result: i64,
    /// Races with a result and final odds, so a favourite (shortest final odds) is known.
    pub favourite_races: i64,
    /// Of those, races won by a favourite (a joint favourite counts).
    pub favourite_wins: i64,
}

impl PeriodFigures {
    /// Runners per race.
    pub fn average_field(&self) -> Option<f64> {
        (self.races > 0).then(|| self.runners as f64 / self.races as f64)
    }

    /// Share of races won by the favourite, from 0 to 1.
    pub fn favourite_win_rate(&self) -> Option<f64> {
        (self.favourite_races > 0).then(|| self.favourite_wins as f64 / self.favourite_races as f64)
    }
}

/// Races of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DailyCount {
    /// The day.
    pub date: NaiveDate,
    /// Races.
    pub races: i64,
}

/// Whose record a monthly aggregation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    /// A horse (horses.id).
    Horse(i64),
    /// A jockey or driver (jockeys.id).
    Jockey(i64),
    /// A trainer (trainers.id).
    Trainer(i64),
}

impl Person {
    fn column(self) -> (&'static str, i64) {
        match self {
            Self::Horse(id) => ("ru.horse_id", id),
            Self::Jockey(id) => ("ru.jockey_id", id),
            Self::Trainer(id) => ("ru.trainer_id", id),
        }
    }
}

/// Runs, wins and places of one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthlyRecord {
    /// Year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Races run (non-runners excluded).
    pub runs: i64,
    /// Wins.
    pub wins: i64,
    /// Top-three finishes.
    pub places: i64,
}

/// A jockey or a trainer with their record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonSummary {
    /// Store id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Races run (non-runners excluded).
    pub runs: i64,
    /// Wins.
    pub wins: i64,
    /// Top-three finishes.
    pub places: i64,
}

/// One ride of a jockey or one runner of a trainer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RideLine {
    /// The race.
    pub key: RaceKey,
    /// Racecourse.
    pub track: String,
    /// Discipline.
    pub discipline: String,
    /// Distance, metres.
    pub distance_m: Option<u32>,
    /// Saddle-cloth number.
    pub number: u32,
    /// Horse id.
    pub horse_id: i64,
    /// Horse name.
    pub horse: String,
    /// Jockey or driver.
    pub jockey: Option<String>,
    /// Trainer.
    pub trainer: Option<String>,
    /// RAN, DNF, NON_RUNNER or DECLARED.
    pub status: String,
    /// Finishing position.
    pub finish: Option<u32>,
    /// Final odds.
    pub odds_final: Option<f64>,
}

/// The people tables searched by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Jockey,
    Trainer,
}

impl Role {
    fn table_and_column(self) -> (&'static str, &'static str) {
        match self {
            Self::Jockey => ("jockeys", "ru.jockey_id"),
            Self::Trainer => ("trainers", "ru.trainer_id"),
        }
    }
}

/// One argument of a dynamic query, bound in order.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Date(NaiveDate),
    Int(i64),
    Float(f64),
}

/// A query text and its arguments.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

/// Joins every aggregation starts from: runner, race, meeting, track.
const FROM_RUNNERS: &str = " from runners ru join races r on r.id = ru.race_id
    join meetings m on m.id = r.meeting_id join tracks t on t.id = m.track_id";

/// Appends the period filter as `and ...` clauses on `r.date`, `t.natural_key`, `r.discipline`.
fn push_filter(sql: &mut Sql, f: &PeriodFilter) {
    if let Some(from) = f.from {
        sql.text.push_str(" and r.date >= ?");
        sql.args.push(Arg::Date(from));
    }
    if let Some(to) = f.to {
        sql.text.push_str(" and r.date <= ?");
        sql.args.push(Arg::Date(to));
    }
    push_in(
        sql,
        "t.natural_key",
        f.tracks.iter().map(|t| normalise_name(t)),
    );
    push_in(
        sql,
        "r.discipline",
        f.disciplines.iter().map(|d| d.trim().to_ascii_uppercase()),
    );
}

fn push_in(sql: &mut Sql, column: &str, values: impl Iterator<Item = String>) {
    let values: Vec<String> = values.collect();
    if values.is_empty() {
        return;
    }
    sql.text.push_str(&format!(" and {column} in ("));
    for (i, v) in values.into_iter().enumerate() {
        sql.text.push_str(if i == 0 { "?" } else { ", ?" });
        sql.args.push(Arg::Text(v));
    }
    sql.text.push(')');
}

fn sql(text: impl Into<String>) -> Sql {
    Sql {
        text: text.into(),
        args: Vec::new(),
    }
}

/// Every figure of [`PeriodFigures`] in one pass over the period's runners: per race first (runners,
/// winners, shortest final odds, the winner's odds), then over the races. The favourite won when
/// a winner's odds equal the shortest odds (a joint favourite counts). `sum` is cast because
/// MySQL returns it as DECIMAL; `coalesce` because it is null over no race.
pub(crate) fn period_figures(f: &PeriodFilter) -> Sql {
    let mut q = sql(
        "select count(distinct x.meeting_id) as meetings, count(*) as races,
        cast(coalesce(sum(x.runners), 0) as signed) as runners,
        cast(coalesce(sum(x.non_runners), 0) as signed) as non_runners,
        count(case when x.winners > 0 then 1 end) as races_with_result,
        count(case when x.winners > 0 and x.favourite_odds is not null then 1 end)
            as favourite_races,
        count(case when x.winners > 0 and x.winner_odds = x.favourite_odds then 1 end)
            as favourite_wins
        from (select r.id, r.meeting_id,
            count(case when ru.status <> 'NON_RUNNER' then 1 end) as runners,
            count(case when ru.status = 'NON_RUNNER' then 1 end) as non_runners,
            count(case when ru.finish = 1 then 1 end) as winners,
            min(case when ru.status in ('RAN', 'DNF') then ru.odds_final end) as favourite_odds,
            min(case when ru.finish = 1 then ru.odds_final end) as winner_odds
            from races r join meetings m on m.id = r.meeting_id
            join tracks t on t.id = m.track_id left join runners ru on ru.race_id = r.id
            where 1 = 1",
    );
    push_filter(&mut q, f);
    q.text.push_str(" group by r.id, r.meeting_id) x");
    q
}

/// Races per day, oldest first: from the races alone, so a long period stays cheap.
pub(crate) fn daily_counts(f: &PeriodFilter) -> Sql {
    let mut q = sql("select r.date, count(*) as races
        from races r join meetings m on m.id = r.meeting_id join tracks t on t.id = m.track_id
        where 1 = 1");
    push_filter(&mut q, f);
    q.text.push_str(" group by r.date order by r.date");
    q
}

/// Monthly runs, wins and places of a horse, jockey or trainer; `year` and `month` are the
/// backend's expressions extracting them from `r.date` as integers.
pub(crate) fn monthly_record(person: Person, f: &PeriodFilter, year: &str, month: &str) -> Sql {
    let (column, id) = person.column();
    let mut q = sql(format!(
        "select {year} as year, {month} as month,
        count(case when ru.status in ('RAN', 'DNF') then 1 end) as runs,
        count(case when ru.finish = 1 then 1 end) as wins,
        count(case when ru.finish between 1 and 3 then 1 end) as places{FROM_RUNNERS}
        where {column} = ?"
    ));
    q.args.push(Arg::Int(id));
    push_filter(&mut q, f);
    q.text
        .push_str(" group by year, month order by year, month");
    q
}

/// Records of the people `filter` (a `where` clause on the people table, with its `order`,
/// `limit` and `offset`) selects. The people are chosen first and only their runners are then
/// counted, through the runners' index on the person: an empty search prefix does not aggregate
/// every runner stored.
fn person_select(role: Role, filter: &str) -> String {
    let (table, column) = role.table_and_column();
    format!(
        "select p.id, p.name,
        count(case when ru.status in ('RAN', 'DNF') then 1 end) as runs,
        count(case when ru.finish = 1 then 1 end) as wins,
        count(case when ru.finish between 1 and 3 then 1 end) as places
        from (select id, name from {table} {filter}) p left join runners ru on {column} = p.id
        group by p.id, p.name order by p.name"
    )
}

/// Jockeys or trainers whose name starts with `prefix`, by name.
pub(crate) fn search_people(role: Role, prefix: &str, limit: u32, offset: u32) -> Sql {
    let mut q = sql(person_select(
        role,
        "where natural_key like ? escape '!' order by name limit ? offset ?",
    ));
    q.args.push(Arg::Text(super::rows::like_prefix(prefix)));
    q.args.push(Arg::Int(i64::from(limit)));
    q.args.push(Arg::Int(i64::from(offset)));
    q
}

/// One jockey or trainer by id.
pub(crate) fn find_person(role: Role, id: i64) -> Sql {
    let mut q = sql(person_select(role, "where id = ?"));
    q.args.push(Arg::Int(id));
    q
}

/// The last `limit` rides of a jockey or runners of a trainer, newest first.
pub(crate) fn rides(role: Role, id: i64, limit: u32) -> Sql {
    let (_, column) = role.table_and_column();
    let mut q = sql(format!(
        "select m.date, m.number as meeting, r.number as race, t.name as track, r.discipline,
        r.distance_m, ru.number, h.id as horse_id, h.name as horse, j.name as jockey,
        tr.name as trainer, ru.status, ru.finish, ru.odds_final{FROM_RUNNERS}
        join horses h on h.id = ru.horse_id left join jockeys j on j.id = ru.jockey_id
        left join trainers tr on tr.id = ru.trainer_id
        where {column} = ?
        order by m.date desc, m.number desc, r.number desc, ru.number limit ?"
    ));
    q.args.push(Arg::Int(id));
    q.args.push(Arg::Int(i64::from(limit)));
    q
}

/// For each job, its latest run of each status (running, succeeded, failed), newest first.
pub(crate) const LATEST_JOB_RUNS: &str = "select id, job, params, attempt, started_at,
    finished_at, status, counts, error from job_runs
    where id in (select max(id) from job_runs group by job, status)
    order by started_at desc, id desc";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_append_one_placeholder_per_value_in_order() {
        // Arrange
        let f = PeriodFilter {
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: None,
            tracks: vec!["  vincennes ".into(), "Pau".into()],
            disciplines: vec!["attele".into()],
        };
        // Act
        let q = daily_counts(&f);
        // Assert
        assert!(
            q.text
                .contains("and r.date >= ? and t.natural_key in (?, ?) and r.discipline in (?)")
        );
        let texts: Vec<String> = q
            .args
            .iter()
            .filter_map(|a| match a {
                Arg::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, vec!["VINCENNES", "PAU", "ATTELE"]);
        assert_eq!(q.text.matches('?').count(), q.args.len());
    }
}
