//! Rows read back from either database and their conversion into domain types. The SELECTs here
//! are portable (lowercase, `?` placeholders, no dialect functions), so both backends run the same
//! text and decode into the same `FromRow` structs.

use super::{Result, StoreError};
use crate::domain::{
    Discipline, Horse, Meeting, OddsKind, OddsSnapshot, Payout, Race, RaceCard, Runner,
    RunnerStatus, Sex, Track, Weather,
};
use chrono::{DateTime, NaiveDate, Utc};

/// Columns and joins of a race read; a `where` clause completes it.
macro_rules! race_select {
    ($where:literal) => {
        concat!(
            "select r.id as race_id, m.date, m.number as meeting_number,
    m.nature, m.audience, m.status as meeting_status, m.weather_temperature_c, m.weather_wind_kmh,
    m.weather_wind_direction, m.weather_sky, t.name as track_name, t.code as track_code,
    t.country as track_country, r.number as race_number, r.name, r.start_time, r.discipline,
    r.speciality, r.distance_m, r.prize_eur, r.conditions, r.category, r.age_condition,
    r.sex_condition, r.declared_runners, r.status, r.going, r.penetrometer, r.track_type,
    r.arrival, r.is_final, r.duration_ms
    from races r join meetings m on m.id = r.meeting_id join tracks t on t.id = m.track_id ",
            $where
        )
    };
}

/// Columns and joins of a runner read; a `where` clause completes it.
macro_rules! runner_select {
    ($where:literal) => {
        concat!(
            "select ru.race_id, ru.number, h.name as horse_name,
    h.natural_key as horse_key, h.sex, h.birth_year, h.sire, h.dam, h.breed, j.name as jockey,
    tr.name as trainer, ru.age, ru.draw, ru.weight_kg, ru.blinkers, ru.shoeing, ru.musique,
    ru.career_starts, ru.career_wins, ru.career_places, ru.earnings_eur, ru.status, ru.incident,
    ru.finish, ru.time_ms, ru.reduction_km_ms, ru.odds_reference, ru.odds_final
    from runners ru join horses h on h.id = ru.horse_id
    left join jockeys j on j.id = ru.jockey_id left join trainers tr on tr.id = ru.trainer_id ",
            $where
        )
    };
}

/// Records the start of a job run (`job_id` null when the queue did not deliver it).
pub(crate) const INSERT_JOB_RUN: &str = "insert into job_runs
    (job_id, job, params, attempt, started_at, status) values (?, ?, ?, ?, ?, 'running')";
/// Closes the runs of earlier attempts of a job that are still `running`: their workers were
/// lost, since the queue delivers a job again only when its delivery was not kept alive.
pub(crate) const ABANDON_EARLIER_ATTEMPTS: &str = "update job_runs
    set status = 'failed', finished_at = ?, error = ?
    where job_id = ? and status = 'running' and attempt < ?";
/// Why such a run failed.
pub(crate) const ABANDONED: &str = "abandoned: the worker running this attempt stopped before \
    finishing (killed or lost); a later attempt took the job over";

pub(crate) const SELECT_RACE: &str =
    race_select!("where m.date = ? and m.number = ? and r.number = ?");

pub(crate) const SELECT_RUNNERS: &str = runner_select!("where ru.race_id = ? order by ru.number");

pub(crate) const SELECT_RACES_BETWEEN: &str =
    race_select!("where r.date between ? and ? order by r.date, m.number, r.number");

pub(crate) const SELECT_RUNNERS_BETWEEN: &str = runner_select!(
    "join races r on r.id = ru.race_id where r.date between ? and ? order by ru.race_id, ru.number"
);

pub(crate) const SELECT_ODDS_BETWEEN: &str = "select ru.race_id, ru.number, o.kind,
    o.odds, o.taken_at from odds_snapshots o join runners ru on ru.id = o.runner_id
    join races r on r.id = ru.race_id where r.date between ? and ?
    order by ru.race_id, o.taken_at, ru.number, o.kind";

pub(crate) const SELECT_PAYOUTS_BETWEEN: &str = "select p.race_id, p.bet_type, p.combination,
    p.label, p.dividend_per_euro, p.winners, p.refunded from payouts p
    join races r on r.id = p.race_id where r.date between ? and ? order by p.race_id, p.id";

pub(crate) const SELECT_ODDS: &str = "select ru.number, o.kind, o.odds, o.taken_at
    from odds_snapshots o join runners ru on ru.id = o.runner_id
    where ru.race_id = ? order by o.taken_at, ru.number, o.kind";

pub(crate) const SELECT_PAYOUTS: &str = "select bet_type, combination, label, dividend_per_euro,
    winners, refunded from payouts where race_id = ? order by id";

pub(crate) const SELECT_RACE_KEYS: &str = "select m.date, m.number as meeting, r.number as race
    from races r join meetings m on m.id = r.meeting_id
    where m.date = ? order by m.number, r.number";

pub(crate) const SELECT_RACE_SUMMARIES: &str = "select m.date, m.number as meeting,
    r.number as race, t.name as track, r.name, r.start_time, r.discipline, r.distance_m,
    r.prize_eur, r.status, r.is_final,
    case when r.arrival is null then 0 else 1 end as has_result,
    (select count(*) from runners ru where ru.race_id = r.id and ru.status <> 'NON_RUNNER') as runners,
    (select count(*) from runners ru where ru.race_id = r.id and ru.status = 'NON_RUNNER') as non_runners
    from races r join meetings m on m.id = r.meeting_id join tracks t on t.id = m.track_id
    where r.date = ? and (? is null or t.natural_key = ?) and (? is null or r.discipline = ?)
    order by m.number, r.number";

pub(crate) const SELECT_TRACKS: &str = "select t.name, t.code, t.country,
    count(m.id) as meetings, min(m.date) as first_date, max(m.date) as last_date
    from tracks t left join meetings m on m.track_id = t.id
    group by t.id, t.name, t.code, t.country order by t.name";

pub(crate) const SELECT_MEETINGS: &str = "select m.date, m.number, t.name as track,
    t.code as track_code, t.country, m.nature, m.audience, m.status, m.weather_temperature_c,
    m.weather_wind_kmh, m.weather_wind_direction, m.weather_sky, count(r.id) as races
    from meetings m join tracks t on t.id = m.track_id left join races r on r.meeting_id = m.id
    where m.date = ?
    group by m.id, m.date, m.number, t.name, t.code, t.country, m.nature, m.audience, m.status,
        m.weather_temperature_c, m.weather_wind_kmh, m.weather_wind_direction, m.weather_sky
    order by m.number";

/// Horse records; `count(case ...)` rather than `sum`, which MySQL returns as DECIMAL.
macro_rules! horse_select {
    ($where:literal) => {
        concat!(
            "select h.id, h.name, h.sex, h.birth_year,
    count(case when ru.status in ('RAN', 'DNF') then 1 end) as runs,
    count(case when ru.finish = 1 then 1 end) as wins,
    count(case when ru.finish between 1 and 3 then 1 end) as places
    from horses h left join runners ru on ru.horse_id = h.id ",
            $where,
            " group by h.id, h.name, h.sex, h.birth_year"
        )
    };
}

// '!' escapes LIKE wildcards: the one escape spelling both SQLite and MySQL accept unchanged.
pub(crate) const SEARCH_HORSES: &str = concat!(
    horse_select!("where h.natural_key like ? escape '!'"),
    " order by h.name limit ? offset ?"
);

pub(crate) const SELECT_HORSE: &str = horse_select!("where h.id = ?");

pub(crate) const SELECT_FORM: &str = "select m.date, m.number as meeting, r.number as race,
    t.name as track, r.discipline, r.distance_m, ru.number, ru.status, ru.finish, ru.odds_final,
    j.name as jockey
    from runners ru join races r on r.id = ru.race_id join meetings m on m.id = r.meeting_id
    join tracks t on t.id = m.track_id left join jockeys j on j.id = ru.jockey_id
    where ru.horse_id = ? order by m.date desc, m.number desc, r.number desc limit ?";

/// `prefix%` for LIKE, with the user's wildcards escaped and the name normalised like keys are.
pub(crate) fn like_prefix(prefix: &str) -> String {
    let mut pattern = String::new();
    for c in crate::domain::normalise_name(prefix).chars() {
        if matches!(c, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[derive(sqlx::FromRow)]
pub(crate) struct TrackRow {
    name: String,
    code: Option<String>,
    country: Option<String>,
    meetings: i64,
    first_date: Option<NaiveDate>,
    last_date: Option<NaiveDate>,
}

impl From<TrackRow> for super::TrackSummary {
    fn from(t: TrackRow) -> Self {
        Self {
            name: t.name,
            code: t.code,
            country: t.country,
            meetings: t.meetings,
            first_date: t.first_date,
            last_date: t.last_date,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MeetingRow {
    date: NaiveDate,
    number: i64,
    track: String,
    track_code: Option<String>,
    country: Option<String>,
    nature: Option<String>,
    audience: Option<String>,
    status: Option<String>,
    weather_temperature_c: Option<i64>,
    weather_wind_kmh: Option<i64>,
    weather_wind_direction: Option<String>,
    weather_sky: Option<String>,
    races: i64,
}

impl MeetingRow {
    pub(crate) fn into_summary(self) -> Result<super::MeetingSummary> {
        Ok(super::MeetingSummary {
            meeting: Meeting {
                date: self.date,
                number: u32_of("meeting number", self.number)?,
                track: Track {
                    name: self.track,
                    code: self.track_code,
                    country: self.country,
                },
                nature: self.nature,
                audience: self.audience,
                status: self.status,
                weather: weather(
                    self.weather_temperature_c,
                    self.weather_wind_kmh,
                    self.weather_wind_direction,
                    self.weather_sky,
                )?,
            },
            races: self.races,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HorseRow {
    id: i64,
    name: String,
    sex: Option<String>,
    birth_year: Option<i64>,
    runs: i64,
    wins: i64,
    places: i64,
}

impl HorseRow {
    pub(crate) fn into_summary(self) -> Result<super::HorseSummary> {
        Ok(super::HorseSummary {
            id: self.id,
            name: self.name,
            sex: self.sex,
            birth_year: opt_i32("birth_year", self.birth_year)?,
            runs: self.runs,
            wins: self.wins,
            places: self.places,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FormRow {
    date: NaiveDate,
    meeting: i64,
    race: i64,
    track: String,
    discipline: String,
    distance_m: Option<i64>,
    number: i64,
    status: String,
    finish: Option<i64>,
    odds_final: Option<f64>,
    jockey: Option<String>,
}

impl FormRow {
    pub(crate) fn into_line(self) -> Result<super::FormLine> {
        Ok(super::FormLine {
            key: race_key(self.date, self.meeting, self.race)?,
            track: self.track,
            discipline: self.discipline,
            distance_m: opt_u32("distance_m", self.distance_m)?,
            number: u32_of("runner number", self.number)?,
            status: self.status,
            finish: opt_u32("finish", self.finish)?,
            odds_final: self.odds_final,
            jockey: self.jockey,
        })
    }
}

pub(crate) const SELECT_PAYLOAD: &str =
    "select path, kind, date, status, fetched_at, body from payloads where path = ?";

pub(crate) const SELECT_JOB_RUNS: &str = "select id, job, params, attempt, started_at,
    finished_at, status, counts, error from job_runs order by id desc limit ?";

/// The count queries of `stats`, in the order of [`super::StoreStats`]' fields.
pub(crate) const STATS_COUNTS: [&str; 11] = [
    "select count(*) from tracks",
    "select count(*) from meetings",
    "select count(*) from races",
    "select count(*) from runners",
    "select count(*) from horses",
    "select count(*) from jockeys",
    "select count(*) from trainers",
    "select count(*) from races where arrival is not null",
    "select count(*) from payouts",
    "select count(*) from odds_snapshots",
    "select count(*) from payloads",
];

#[derive(sqlx::FromRow)]
pub(crate) struct RaceRow {
    pub race_id: i64,
    date: NaiveDate,
    meeting_number: i64,
    nature: Option<String>,
    audience: Option<String>,
    meeting_status: Option<String>,
    weather_temperature_c: Option<i64>,
    weather_wind_kmh: Option<i64>,
    weather_wind_direction: Option<String>,
    weather_sky: Option<String>,
    track_name: String,
    track_code: Option<String>,
    track_country: Option<String>,
    race_number: i64,
    name: Option<String>,
    start_time: Option<DateTime<Utc>>,
    discipline: String,
    speciality: Option<String>,
    distance_m: Option<i64>,
    prize_eur: Option<f64>,
    conditions: Option<String>,
    category: Option<String>,
    age_condition: Option<String>,
    sex_condition: Option<String>,
    declared_runners: Option<i64>,
    status: Option<String>,
    going: Option<String>,
    penetrometer: Option<f64>,
    track_type: Option<String>,
    arrival: Option<String>,
    is_final: bool,
    duration_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunnerRow {
    pub race_id: i64,
    number: i64,
    horse_name: String,
    horse_key: String,
    sex: Option<String>,
    birth_year: Option<i64>,
    sire: Option<String>,
    dam: Option<String>,
    breed: Option<String>,
    jockey: Option<String>,
    trainer: Option<String>,
    age: Option<i64>,
    draw: Option<i64>,
    weight_kg: Option<f64>,
    blinkers: Option<String>,
    shoeing: Option<String>,
    musique: Option<String>,
    career_starts: Option<i64>,
    career_wins: Option<i64>,
    career_places: Option<i64>,
    earnings_eur: Option<f64>,
    status: String,
    incident: Option<String>,
    finish: Option<i64>,
    time_ms: Option<i64>,
    reduction_km_ms: Option<i64>,
    odds_reference: Option<f64>,
    odds_final: Option<f64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct OddsRow {
    number: i64,
    kind: String,
    odds: f64,
    taken_at: DateTime<Utc>,
}

/// An odds row of a range read, with the race it belongs to.
#[derive(sqlx::FromRow)]
pub(crate) struct OddsInRace {
    pub race_id: i64,
    #[sqlx(flatten)]
    pub row: OddsRow,
}

/// A payout row of a range read, with the race it belongs to.
#[derive(sqlx::FromRow)]
pub(crate) struct PayoutInRace {
    pub race_id: i64,
    #[sqlx(flatten)]
    pub row: PayoutRow,
}

/// Assembles the race cards of a range read: rows of each child table come sorted by race id,
/// so each race takes its rows from a map built once.
pub(crate) fn race_cards(
    races: Vec<RaceRow>,
    runners: Vec<RunnerRow>,
    odds: Vec<OddsInRace>,
    payouts: Vec<PayoutInRace>,
) -> Result<Vec<RaceCard>> {
    use std::collections::HashMap;
    let mut runners_of: HashMap<i64, Vec<RunnerRow>> = HashMap::new();
    for r in runners {
        runners_of.entry(r.race_id).or_default().push(r);
    }
    let mut odds_of: HashMap<i64, Vec<OddsRow>> = HashMap::new();
    for o in odds {
        odds_of.entry(o.race_id).or_default().push(o.row);
    }
    let mut payouts_of: HashMap<i64, Vec<PayoutRow>> = HashMap::new();
    for p in payouts {
        payouts_of.entry(p.race_id).or_default().push(p.row);
    }
    races
        .into_iter()
        .map(|race| {
            let id = race.race_id;
            race_card(
                race,
                runners_of.remove(&id).unwrap_or_default(),
                odds_of.remove(&id).unwrap_or_default(),
                payouts_of.remove(&id).unwrap_or_default(),
            )
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct PayoutRow {
    bet_type: String,
    combination: String,
    label: Option<String>,
    dividend_per_euro: f64,
    winners: Option<f64>,
    refunded: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RaceKeyRow {
    pub date: NaiveDate,
    pub meeting: i64,
    pub race: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RaceSummaryRow {
    date: NaiveDate,
    meeting: i64,
    race: i64,
    track: String,
    name: Option<String>,
    start_time: Option<DateTime<Utc>>,
    discipline: String,
    distance_m: Option<i64>,
    prize_eur: Option<f64>,
    status: Option<String>,
    is_final: bool,
    has_result: i64,
    runners: i64,
    non_runners: i64,
}

impl RaceSummaryRow {
    pub(crate) fn into_summary(self) -> Result<super::RaceSummary> {
        Ok(super::RaceSummary {
            key: race_key(self.date, self.meeting, self.race)?,
            track: self.track,
            name: self.name,
            start_time: self.start_time,
            discipline: self.discipline,
            distance_m: opt_u32("distance_m", self.distance_m)?,
            prize_eur: self.prize_eur,
            status: self.status,
            runners: u32_of("runners", self.runners)?,
            non_runners: u32_of("non_runners", self.non_runners)?,
            has_result: self.has_result != 0,
            is_final: self.is_final,
        })
    }
}

/// Binds the filter of `SELECT_RACE_SUMMARIES`: each optional value twice (null test, then match).
pub(crate) fn race_filter_values(filter: &super::RaceFilter) -> (Option<String>, Option<String>) {
    (
        filter.track.as_deref().map(crate::domain::normalise_name),
        filter
            .discipline
            .as_deref()
            .map(|d| d.trim().to_ascii_uppercase()),
    )
}

#[derive(sqlx::FromRow)]
pub(crate) struct PayloadRow {
    pub path: String,
    pub kind: String,
    pub date: NaiveDate,
    pub status: i64,
    pub fetched_at: DateTime<Utc>,
    pub body: Vec<u8>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobRunRow {
    pub id: i64,
    pub job: String,
    pub params: String,
    pub attempt: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
    pub counts: Option<String>,
    pub error: Option<String>,
}

/// Stored numbers are written from `u32` values, so a value outside that range means the row was
/// written by something else: report it rather than wrap.
fn u32_of(field: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Invalid(format!("{field} = {v} is out of range")))
}

fn opt_u32(field: &str, v: Option<i64>) -> Result<Option<u32>> {
    v.map(|v| u32_of(field, v)).transpose()
}

fn opt_i32(field: &str, v: Option<i64>) -> Result<Option<i32>> {
    v.map(|v| i32::try_from(v).map_err(|_| StoreError::Invalid(format!("{field} = {v}"))))
        .transpose()
}

fn race_key(date: NaiveDate, meeting: i64, race: i64) -> Result<crate::domain::RaceKey> {
    Ok(crate::domain::RaceKey {
        date,
        meeting: u32_of("meeting number", meeting)?,
        race: u32_of("race number", race)?,
    })
}

/// The meeting's weather columns as one value: `None` when none of them is known.
fn weather(
    temperature_c: Option<i64>,
    wind_kmh: Option<i64>,
    wind_direction: Option<String>,
    sky: Option<String>,
) -> Result<Option<Weather>> {
    if temperature_c.is_none() && wind_kmh.is_none() && wind_direction.is_none() && sky.is_none() {
        return Ok(None);
    }
    Ok(Some(Weather {
        temperature_c: opt_i32("weather_temperature_c", temperature_c)?,
        wind_kmh: opt_i32("weather_wind_kmh", wind_kmh)?,
        wind_direction,
        sky,
    }))
}

/// Assembles a race card from its rows.
pub(crate) fn race_card(
    race: RaceRow,
    runners: Vec<RunnerRow>,
    odds: Vec<OddsRow>,
    payouts: Vec<PayoutRow>,
) -> Result<RaceCard> {
    let weather = weather(
        race.weather_temperature_c,
        race.weather_wind_kmh,
        race.weather_wind_direction,
        race.weather_sky,
    )?;
    let arrival = race
        .arrival
        .as_deref()
        .map(serde_json::from_str::<Vec<Vec<u32>>>)
        .transpose()
        .map_err(|e| StoreError::Invalid(format!("stored arrival is not valid JSON: {e}")))?;
    let meeting = Meeting {
        date: race.date,
        number: u32_of("meeting number", race.meeting_number)?,
        track: Track {
            name: race.track_name,
            code: race.track_code,
            country: race.track_country,
        },
        nature: race.nature,
        audience: race.audience,
        status: race.meeting_status,
        weather,
    };
    let race = Race {
        number: u32_of("race number", race.race_number)?,
        name: race.name,
        start_time: race.start_time,
        discipline: Discipline::parse(&race.discipline),
        speciality: race.speciality,
        distance_m: opt_u32("distance_m", race.distance_m)?,
        prize_eur: race.prize_eur,
        conditions: race.conditions,
        category: race.category,
        age_condition: race.age_condition,
        sex_condition: race.sex_condition,
        declared_runners: opt_u32("declared_runners", race.declared_runners)?,
        status: race.status,
        going: race.going,
        penetrometer: race.penetrometer,
        track_type: race.track_type,
        arrival,
        is_final: race.is_final,
        duration_ms: race.duration_ms,
    };
    Ok(RaceCard {
        meeting,
        race,
        runners: runners.into_iter().map(runner).collect::<Result<_>>()?,
        odds: odds
            .into_iter()
            .map(|o| {
                Ok(OddsSnapshot {
                    runner: u32_of("runner number", o.number)?,
                    kind: OddsKind::parse(&o.kind).ok_or_else(|| {
                        StoreError::Invalid(format!("unknown odds kind {:?}", o.kind))
                    })?,
                    odds: o.odds,
                    taken_at: o.taken_at,
                })
            })
            .collect::<Result<_>>()?,
        payouts: payouts
            .into_iter()
            .map(|p| Payout {
                bet_type: p.bet_type,
                combination: p.combination,
                label: p.label.filter(|l| !l.is_empty()),
                dividend_per_euro: p.dividend_per_euro,
                winners: p.winners,
                refunded: p.refunded,
            })
            .collect(),
    })
}

fn runner(r: RunnerRow) -> Result<Runner> {
    let source_id = r.horse_key.strip_prefix("id:").map(str::to_string);
    Ok(Runner {
        number: u32_of("runner number", r.number)?,
        horse: Horse {
            name: r.horse_name,
            source_id,
            sex: r.sex.as_deref().and_then(Sex::parse),
            birth_year: opt_i32("birth_year", r.birth_year)?,
            sire: r.sire,
            dam: r.dam,
            breed: r.breed,
        },
        jockey: r.jockey,
        trainer: r.trainer,
        age: opt_u32("age", r.age)?,
        draw: opt_u32("draw", r.draw)?,
        weight_kg: r.weight_kg,
        blinkers: r.blinkers,
        shoeing: r.shoeing,
        musique: r.musique,
        career_starts: opt_u32("career_starts", r.career_starts)?,
        career_wins: opt_u32("career_wins", r.career_wins)?,
        career_places: opt_u32("career_places", r.career_places)?,
        earnings_eur: r.earnings_eur,
        status: RunnerStatus::parse(&r.status)
            .ok_or_else(|| StoreError::Invalid(format!("unknown runner status {:?}", r.status)))?,
        incident: r.incident,
        finish: opt_u32("finish", r.finish)?,
        time_ms: r.time_ms,
        reduction_km_ms: r.reduction_km_ms,
        odds_reference: r.odds_reference,
        odds_final: r.odds_final,
    })
}

impl RaceKeyRow {
    pub(crate) fn into_key(self) -> Result<crate::domain::RaceKey> {
        race_key(self.date, self.meeting, self.race)
    }
}

impl JobRunRow {
    pub(crate) fn into_job_run(self) -> Result<super::JobRun> {
        let json = |field: &str, s: &str| {
            serde_json::from_str(s)
                .map_err(|e| StoreError::Invalid(format!("job run {field} is not JSON: {e}")))
        };
        Ok(super::JobRun {
            id: self.id,
            params: json("params", &self.params)?,
            counts: self
                .counts
                .as_deref()
                .map(|c| json("counts", c))
                .transpose()?,
            job: self.job,
            attempt: u32_of("attempt", self.attempt)?,
            started_at: self.started_at,
            finished_at: self.finished_at,
            status: self.status,
            error: self.error,
        })
    }
}

impl PayloadRow {
    pub(crate) fn into_payload(self) -> Result<super::ArchivedPayload> {
        Ok(super::ArchivedPayload {
            status: u16::try_from(self.status)
                .map_err(|_| StoreError::Invalid(format!("HTTP status {}", self.status)))?,
            path: self.path,
            kind: self.kind,
            date: self.date,
            fetched_at: self.fetched_at,
            body: self.body,
        })
    }
}

/// Implements the recording of job-run starts for one backend: `$id` turns the insert's result
/// into the new run's id (the two drivers name it differently). A macro rather than a function
/// generic over the database (STYLE.md §5).
macro_rules! job_run_starts {
    ($store:ty, $id:expr) => {
        impl $store {
            async fn insert_job_run(
                &self,
                job_id: Option<&str>,
                job: &str,
                params: &serde_json::Value,
                attempt: u32,
            ) -> $crate::store::Result<i64> {
                let now = chrono::Utc::now();
                let mut tx = self.begin_write().await?;
                if let Some(job_id) = job_id {
                    sqlx::query($crate::store::rows::ABANDON_EARLIER_ATTEMPTS)
                        .bind(now)
                        .bind($crate::store::rows::ABANDONED)
                        .bind(job_id)
                        .bind(i64::from(attempt))
                        .execute(&mut *tx)
                        .await?;
                }
                let result = sqlx::query($crate::store::rows::INSERT_JOB_RUN)
                    .bind(job_id)
                    .bind(job)
                    .bind(params.to_string())
                    .bind(i64::from(attempt))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                ($id)(result)
            }
        }
    };
}
pub(crate) use job_run_starts;
