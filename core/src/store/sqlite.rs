//! The SQLite Store, the embedded default: one file in WAL mode, created if missing, with its own
//! migrations under `migrations/sqlite`.

mod predictions;

use super::analytics::{
    BetDimension, BetFilter, BetGroup, DailyCount, DataQuality, MonthlyRecord, PeriodFigures,
    PeriodFilter, Person, PersonSummary, PredictedRunner, RideLine, Role, RunnerName,
};
use super::predictions::{BankrollPoint, DayPredictions, SimBet, StoredRacePrediction, ValueBet};
use super::rows::{
    self, FormRow, HorseRow, JobRunRow, MeetingRow, OddsRow, PayloadRow, PayoutRow, RaceKeyRow,
    RaceRow, RaceSummaryRow, TrackRow,
};
use super::write::{self, People, RunnerRow, WriteTx, int};
use super::{
    ArchivedPayload, CONNECT_TIMEOUT, DbHealth, FormLine, HorseSummary, JobOutcome, JobRun,
    MeetingSummary, RaceFilter, RaceSummary, Result, Store, StoreError, StoreStats, TrackSummary,
    WriteSummary,
};
use crate::domain::{Horse, Meeting, OddsSnapshot, Payout, Race, RaceCard, RaceKey, Track};
use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

/// Largest part of the file SQLite maps into memory (pages shared by all connections and the OS
/// cache, counted once). Beyond it, reads go through each connection's page cache.
const MMAP_SIZE: u64 = 1 << 30;

pub(super) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// The SQLite implementation of [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`).
    pub async fn connect(url: &str) -> Result<Self> {
        let connect_err = |source| StoreError::Connect {
            backend: "sqlite",
            source,
        };
        let in_memory = url.starts_with("sqlite::memory:");
        if !in_memory {
            let path = url.trim_start_matches("sqlite://");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| connect_err(sqlx::Error::Io(e)))?;
            }
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(connect_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL with NORMAL is durable against application crashes, and much faster.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10))
            // Reads straight from a shared mapping of the file: no copy into each connection's
            // small page cache, which made the same query two to three times slower on a
            // connection that had not run it lately.
            .pragma("mmap_size", MMAP_SIZE.to_string());
        // Each connection to `:memory:` is a separate database, so memory stores get exactly one.
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 8 })
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(connect_err)?;
        Ok(Self { pool })
    }

    /// Starts a write transaction that takes the write lock at once: a deferred one could fail
    /// with SQLITE_BUSY when upgrading from read to write while another writer commits.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("begin immediate").await?)
    }
}

// The dashboard's aggregations (analytics.rs), with this backend's year and month of a date.
super::analytics::analytics_reads!(
    SqliteStore,
    sqlx::Sqlite,
    "cast(substr(r.date, 1, 4) as integer)",
    "cast(substr(r.date, 6, 2) as integer)"
);

// Job-run starts (rows.rs), with this driver's id of an inserted row.
super::rows::job_run_starts!(
    SqliteStore,
    |r: sqlx::sqlite::SqliteQueryResult| -> super::Result<i64> { Ok(r.last_insert_rowid()) }
);

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn health(&self) -> Result<DbHealth> {
        let started = Instant::now();
        let version: String = sqlx::query_scalar("select sqlite_version()")
            .fetch_one(&self.pool)
            .await?;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let migrations: i64 =
            sqlx::query_scalar("select count(*) from _sqlx_migrations where success = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(DbHealth {
            backend: "sqlite",
            version,
            latency_ms,
            migrations,
        })
    }

    async fn upsert_race_cards(&self, cards: &[RaceCard]) -> Result<WriteSummary> {
        let mut tx = SqliteWrite(self.begin_write().await?);
        let summary = write::write_cards(&mut tx, cards).await?;
        tx.0.commit().await?;
        Ok(summary)
    }

    async fn race_card(&self, key: RaceKey) -> Result<Option<RaceCard>> {
        let race: Option<RaceRow> = sqlx::query_as(rows::SELECT_RACE)
            .bind(key.date)
            .bind(i64::from(key.meeting))
            .bind(i64::from(key.race))
            .fetch_optional(&self.pool)
            .await?;
        let Some(race) = race else { return Ok(None) };
        let id = race.race_id;
        let runners = sqlx::query_as(rows::SELECT_RUNNERS)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let odds: Vec<OddsRow> = sqlx::query_as(rows::SELECT_ODDS)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let payouts: Vec<PayoutRow> = sqlx::query_as(rows::SELECT_PAYOUTS)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows::race_card(race, runners, odds, payouts).map(Some)
    }

    async fn list_races(&self, date: NaiveDate, filter: &RaceFilter) -> Result<Vec<RaceSummary>> {
        let (track, discipline) = rows::race_filter_values(filter);
        let found: Vec<RaceSummaryRow> = sqlx::query_as(rows::SELECT_RACE_SUMMARIES)
            .bind(date)
            .bind(&track)
            .bind(&track)
            .bind(&discipline)
            .bind(&discipline)
            .fetch_all(&self.pool)
            .await?;
        found
            .into_iter()
            .map(RaceSummaryRow::into_summary)
            .collect()
    }

    async fn race_cards_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<RaceCard>> {
        let races = sqlx::query_as(rows::SELECT_RACES_BETWEEN)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        let runners = sqlx::query_as(rows::SELECT_RUNNERS_BETWEEN)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        let odds = sqlx::query_as(rows::SELECT_ODDS_BETWEEN)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        let payouts = sqlx::query_as(rows::SELECT_PAYOUTS_BETWEEN)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        rows::race_cards(races, runners, odds, payouts)
    }

    async fn list_tracks(&self) -> Result<Vec<TrackSummary>> {
        let found: Vec<TrackRow> = sqlx::query_as(rows::SELECT_TRACKS)
            .fetch_all(&self.pool)
            .await?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    async fn list_meetings(&self, date: NaiveDate) -> Result<Vec<MeetingSummary>> {
        let found: Vec<MeetingRow> = sqlx::query_as(rows::SELECT_MEETINGS)
            .bind(date)
            .fetch_all(&self.pool)
            .await?;
        found.into_iter().map(MeetingRow::into_summary).collect()
    }

    async fn search_horses(
        &self,
        prefix: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<HorseSummary>> {
        let found: Vec<HorseRow> = sqlx::query_as(rows::SEARCH_HORSES)
            .bind(rows::like_prefix(prefix))
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(&self.pool)
            .await?;
        found.into_iter().map(HorseRow::into_summary).collect()
    }

    async fn horse_form(
        &self,
        id: i64,
        limit: u32,
    ) -> Result<Option<(HorseSummary, Vec<FormLine>)>> {
        let horse: Option<HorseRow> = sqlx::query_as(rows::SELECT_HORSE)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(horse) = horse else { return Ok(None) };
        let lines: Vec<FormRow> = sqlx::query_as(rows::SELECT_FORM)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let lines = lines
            .into_iter()
            .map(FormRow::into_line)
            .collect::<Result<_>>()?;
        Ok(Some((horse.into_summary()?, lines)))
    }

    async fn list_race_keys(&self, date: NaiveDate) -> Result<Vec<RaceKey>> {
        let keys: Vec<RaceKeyRow> = sqlx::query_as(rows::SELECT_RACE_KEYS)
            .bind(date)
            .fetch_all(&self.pool)
            .await?;
        keys.into_iter().map(RaceKeyRow::into_key).collect()
    }

    async fn archive_payload(&self, p: &ArchivedPayload) -> Result<()> {
        sqlx::query(
            "insert into payloads (path, kind, date, status, fetched_at, body)
             values (?, ?, ?, ?, ?, ?)
             on conflict(path) do update set kind = excluded.kind, date = excluded.date,
                status = excluded.status, fetched_at = excluded.fetched_at, body = excluded.body",
        )
        .bind(&p.path)
        .bind(&p.kind)
        .bind(p.date)
        .bind(i64::from(p.status))
        .bind(p.fetched_at)
        .bind(&p.body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_payload(&self, path: &str) -> Result<Option<ArchivedPayload>> {
        let row: Option<PayloadRow> = sqlx::query_as(rows::SELECT_PAYLOAD)
            .bind(path)
            .fetch_optional(&self.pool)
            .await?;
        row.map(PayloadRow::into_payload).transpose()
    }

    async fn stats(&self) -> Result<StoreStats> {
        let mut counts = [0i64; rows::STATS_COUNTS.len()];
        for (count, sql) in counts.iter_mut().zip(rows::STATS_COUNTS) {
            *count = sqlx::query_scalar(sql).fetch_one(&self.pool).await?;
        }
        // min/max of a text column come back untyped in SQLite: read text, then parse.
        let (first, last): (Option<String>, Option<String>) =
            sqlx::query_as("select min(date), max(date) from races")
                .fetch_one(&self.pool)
                .await?;
        let date = |s: Option<String>| -> Result<Option<NaiveDate>> {
            s.map(|s| {
                NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .map_err(|e| StoreError::Invalid(format!("stored date {s:?}: {e}")))
            })
            .transpose()
        };
        Ok(StoreStats::from_counts(counts, date(first)?, date(last)?))
    }

    async fn start_job_run(
        &self,
        job: &str,
        params: &serde_json::Value,
        attempt: u32,
    ) -> Result<i64> {
        self.insert_job_run(None, job, params, attempt).await
    }

    async fn start_delivered_job_run(
        &self,
        job_id: &str,
        job: &str,
        params: &serde_json::Value,
        attempt: u32,
    ) -> Result<i64> {
        self.insert_job_run(Some(job_id), job, params, attempt)
            .await
    }

    async fn finish_job_run(
        &self,
        id: i64,
        outcome: JobOutcome,
        counts: Option<&serde_json::Value>,
        error: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "update job_runs set finished_at = ?, status = ?, counts = ?, error = ? where id = ?",
        )
        .bind(Utc::now())
        .bind(outcome.as_str())
        .bind(counts.map(|c| c.to_string()))
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn latest_job_runs(&self) -> Result<Vec<JobRun>> {
        self.read_latest_job_runs().await
    }

    async fn sim_bet_groups(&self, filter: &BetFilter, by: BetDimension) -> Result<Vec<BetGroup>> {
        self.read_bet_groups(filter, by).await
    }

    async fn predicted_runners(&self, filter: &PeriodFilter) -> Result<Vec<PredictedRunner>> {
        self.read_predicted_runners(filter).await
    }

    async fn day_runner_names(&self, date: NaiveDate) -> Result<Vec<RunnerName>> {
        self.read_day_runner_names(date).await
    }

    async fn data_quality(&self, filter: &PeriodFilter, before: NaiveDate) -> Result<DataQuality> {
        self.read_data_quality(filter, before).await
    }

    async fn period_figures(&self, filter: &PeriodFilter) -> Result<PeriodFigures> {
        self.read_period_figures(filter).await
    }

    async fn daily_counts(&self, filter: &PeriodFilter) -> Result<Vec<DailyCount>> {
        self.read_daily_counts(filter).await
    }

    async fn monthly_record(
        &self,
        person: Person,
        filter: &PeriodFilter,
    ) -> Result<Vec<MonthlyRecord>> {
        self.read_monthly_record(person, filter).await
    }

    async fn search_jockeys(
        &self,
        prefix: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<PersonSummary>> {
        self.read_people(Role::Jockey, prefix, limit, offset).await
    }

    async fn jockey_form(
        &self,
        id: i64,
        limit: u32,
    ) -> Result<Option<(PersonSummary, Vec<RideLine>)>> {
        self.read_person_form(Role::Jockey, id, limit).await
    }

    async fn search_trainers(
        &self,
        prefix: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<PersonSummary>> {
        self.read_people(Role::Trainer, prefix, limit, offset).await
    }

    async fn trainer_form(
        &self,
        id: i64,
        limit: u32,
    ) -> Result<Option<(PersonSummary, Vec<RideLine>)>> {
        self.read_person_form(Role::Trainer, id, limit).await
    }

    async fn list_job_runs(&self, limit: u32) -> Result<Vec<JobRun>> {
        let rows: Vec<JobRunRow> = sqlx::query_as(rows::SELECT_JOB_RUNS)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(JobRunRow::into_job_run).collect()
    }

    async fn claim_schedule_slot(&self, schedule: &str, slot: &str, owner: &str) -> Result<bool> {
        // The primary key decides: an existing row makes the insert a no-op (0 rows).
        let result = sqlx::query(
            "insert or ignore into schedule_slots (schedule, slot, claimed_at, owner) values (?, ?, ?, ?)",
        )
        .bind(schedule)
        .bind(slot)
        .bind(Utc::now())
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn purge_schedule_slots(&self, before: NaiveDate) -> Result<u64> {
        // Slot labels are local `YYYY-MM-DDTHH:MM`: text order is time order.
        let result = sqlx::query("delete from schedule_slots where slot < ?")
            .bind(before.format("%Y-%m-%d").to_string())
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }

    async fn replace_predictions(&self, day: &DayPredictions) -> Result<u64> {
        self.replace_predictions_impl(day).await
    }

    async fn day_predictions(&self, date: NaiveDate) -> Result<Vec<StoredRacePrediction>> {
        self.day_predictions_impl(date).await
    }

    async fn race_predictions(&self, key: RaceKey) -> Result<Option<StoredRacePrediction>> {
        self.race_predictions_impl(key).await
    }

    async fn day_value_bets(&self, date: NaiveDate, min_edge: f64) -> Result<Vec<ValueBet>> {
        self.day_value_bets_impl(date, min_edge).await
    }

    async fn replace_sim_bets(&self, date: NaiveDate, bets: &[SimBet]) -> Result<u64> {
        self.replace_sim_bets_impl(date, bets).await
    }

    async fn day_sim_bets(&self, date: NaiveDate) -> Result<Vec<SimBet>> {
        self.day_sim_bets_impl(date).await
    }

    async fn bankroll_history(&self, initial: f64) -> Result<Vec<BankrollPoint>> {
        self.bankroll_history_impl(initial).await
    }
}

/// An open SQLite write transaction.
struct SqliteWrite(Transaction<'static, Sqlite>);

#[async_trait]
impl WriteTx for SqliteWrite {
    async fn upsert_track(&mut self, key: &str, track: &Track) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "insert into tracks (natural_key, name, code, country) values (?, ?, ?, ?)
             on conflict(natural_key) do update set
                code = coalesce(excluded.code, tracks.code),
                country = coalesce(excluded.country, tracks.country)
             returning id",
        )
        .bind(key)
        .bind(track.name.trim())
        .bind(&track.code)
        .bind(&track.country)
        .fetch_one(&mut *self.0)
        .await?)
    }

    async fn upsert_meeting(&mut self, track_id: i64, m: &Meeting) -> Result<i64> {
        let w = m.weather.clone().unwrap_or_default();
        Ok(sqlx::query_scalar(
            "insert into meetings (date, number, track_id, nature, audience, status,
                weather_temperature_c, weather_wind_kmh, weather_wind_direction, weather_sky)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             on conflict(date, number) do update set track_id = excluded.track_id,
                nature = coalesce(excluded.nature, meetings.nature),
                audience = coalesce(excluded.audience, meetings.audience),
                status = coalesce(excluded.status, meetings.status),
                weather_temperature_c = coalesce(excluded.weather_temperature_c, meetings.weather_temperature_c),
                weather_wind_kmh = coalesce(excluded.weather_wind_kmh, meetings.weather_wind_kmh),
                weather_wind_direction = coalesce(excluded.weather_wind_direction, meetings.weather_wind_direction),
                weather_sky = coalesce(excluded.weather_sky, meetings.weather_sky)
             returning id",
        )
        .bind(m.date)
        .bind(i64::from(m.number))
        .bind(track_id)
        .bind(&m.nature)
        .bind(&m.audience)
        .bind(&m.status)
        .bind(w.temperature_c)
        .bind(w.wind_kmh)
        .bind(w.wind_direction)
        .bind(w.sky)
        .fetch_one(&mut *self.0)
        .await?)
    }

    async fn upsert_race(
        &mut self,
        meeting_id: i64,
        date: NaiveDate,
        r: &Race,
        arrival: Option<String>,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "insert into races (meeting_id, number, date, name, start_time, discipline, speciality,
                distance_m, prize_eur, conditions, category, age_condition, sex_condition,
                declared_runners, status, going, penetrometer, track_type, arrival, is_final,
                duration_ms)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             on conflict(meeting_id, number) do update set date = excluded.date,
                name = coalesce(excluded.name, races.name),
                start_time = coalesce(excluded.start_time, races.start_time),
                discipline = excluded.discipline,
                speciality = coalesce(excluded.speciality, races.speciality),
                distance_m = coalesce(excluded.distance_m, races.distance_m),
                prize_eur = coalesce(excluded.prize_eur, races.prize_eur),
                conditions = coalesce(excluded.conditions, races.conditions),
                category = coalesce(excluded.category, races.category),
                age_condition = coalesce(excluded.age_condition, races.age_condition),
                sex_condition = coalesce(excluded.sex_condition, races.sex_condition),
                declared_runners = coalesce(excluded.declared_runners, races.declared_runners),
                status = coalesce(excluded.status, races.status),
                going = coalesce(excluded.going, races.going),
                penetrometer = coalesce(excluded.penetrometer, races.penetrometer),
                track_type = coalesce(excluded.track_type, races.track_type),
                arrival = coalesce(excluded.arrival, races.arrival),
                is_final = max(excluded.is_final, races.is_final),
                duration_ms = coalesce(excluded.duration_ms, races.duration_ms)
             returning id",
        )
        .bind(meeting_id)
        .bind(i64::from(r.number))
        .bind(date)
        .bind(&r.name)
        .bind(r.start_time)
        .bind(r.discipline.as_str())
        .bind(&r.speciality)
        .bind(int(r.distance_m))
        .bind(r.prize_eur)
        .bind(&r.conditions)
        .bind(&r.category)
        .bind(&r.age_condition)
        .bind(&r.sex_condition)
        .bind(int(r.declared_runners))
        .bind(&r.status)
        .bind(&r.going)
        .bind(r.penetrometer)
        .bind(&r.track_type)
        .bind(arrival)
        .bind(r.is_final)
        .bind(r.duration_ms)
        .fetch_one(&mut *self.0)
        .await?)
    }

    async fn upsert_people(
        &mut self,
        table: People,
        people: &[(&str, &str)],
    ) -> Result<HashMap<String, i64>> {
        if people.is_empty() {
            return Ok(HashMap::new());
        }
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "insert into {} (natural_key, name) ",
            table.table()
        ));
        qb.push_values(people, |mut row, (key, name)| {
            row.push_bind(*key).push_bind(*name);
        });
        // A no-op update rather than "do nothing", so that `returning` reports existing rows too.
        qb.push(" on conflict(natural_key) do update set natural_key = excluded.natural_key returning natural_key, id");
        let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut *self.0).await?;
        Ok(rows.into_iter().collect())
    }

    async fn upsert_horses(&mut self, horses: &[(&str, &Horse)]) -> Result<HashMap<String, i64>> {
        if horses.is_empty() {
            return Ok(HashMap::new());
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "insert into horses (natural_key, name, sex, birth_year, sire, dam, breed) ",
        );
        qb.push_values(horses, |mut row, (key, h)| {
            row.push_bind(*key)
                .push_bind(h.name.trim())
                .push_bind(h.sex.map(|s| s.code()))
                .push_bind(h.birth_year)
                .push_bind(h.sire.as_deref())
                .push_bind(h.dam.as_deref())
                .push_bind(h.breed.as_deref());
        });
        qb.push(
            " on conflict(natural_key) do update set name = excluded.name,
                sex = coalesce(excluded.sex, horses.sex),
                birth_year = coalesce(excluded.birth_year, horses.birth_year),
                sire = coalesce(excluded.sire, horses.sire),
                dam = coalesce(excluded.dam, horses.dam),
                breed = coalesce(excluded.breed, horses.breed)
             returning natural_key, id",
        );
        let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut *self.0).await?;
        Ok(rows.into_iter().collect())
    }

    async fn upsert_runners(&mut self, rows: &[RunnerRow<'_>]) -> Result<()> {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "insert into runners (race_id, number, horse_id, jockey_id, trainer_id, age, draw,
                weight_kg, blinkers, shoeing, musique, career_starts, career_wins, career_places,
                earnings_eur, status, incident, finish, time_ms, reduction_km_ms, odds_reference,
                odds_final) ",
        );
        qb.push_values(rows, |mut row, r| {
            let x = r.runner;
            row.push_bind(r.race_id)
                .push_bind(i64::from(x.number))
                .push_bind(r.horse_id)
                .push_bind(r.jockey_id)
                .push_bind(r.trainer_id)
                .push_bind(int(x.age))
                .push_bind(int(x.draw))
                .push_bind(x.weight_kg)
                .push_bind(x.blinkers.as_deref())
                .push_bind(x.shoeing.as_deref())
                .push_bind(x.musique.as_deref())
                .push_bind(int(x.career_starts))
                .push_bind(int(x.career_wins))
                .push_bind(int(x.career_places))
                .push_bind(x.earnings_eur)
                .push_bind(x.status.as_str())
                .push_bind(x.incident.as_deref())
                .push_bind(int(x.finish))
                .push_bind(x.time_ms)
                .push_bind(x.reduction_km_ms)
                .push_bind(x.odds_reference)
                .push_bind(x.odds_final);
        });
        // Pre-race fields keep a known value when a later source lacks it; the result fields
        // (status, incident, finish, time) always take the newest source, which may clear them.
        qb.push(
            " on conflict(race_id, number) do update set horse_id = excluded.horse_id,
                jockey_id = coalesce(excluded.jockey_id, runners.jockey_id),
                trainer_id = coalesce(excluded.trainer_id, runners.trainer_id),
                age = coalesce(excluded.age, runners.age),
                draw = coalesce(excluded.draw, runners.draw),
                weight_kg = coalesce(excluded.weight_kg, runners.weight_kg),
                blinkers = coalesce(excluded.blinkers, runners.blinkers),
                shoeing = coalesce(excluded.shoeing, runners.shoeing),
                musique = coalesce(excluded.musique, runners.musique),
                career_starts = coalesce(excluded.career_starts, runners.career_starts),
                career_wins = coalesce(excluded.career_wins, runners.career_wins),
                career_places = coalesce(excluded.career_places, runners.career_places),
                earnings_eur = coalesce(excluded.earnings_eur, runners.earnings_eur),
                status = excluded.status,
                incident = excluded.incident,
                finish = excluded.finish,
                time_ms = excluded.time_ms,
                reduction_km_ms = excluded.reduction_km_ms,
                odds_reference = coalesce(excluded.odds_reference, runners.odds_reference),
                odds_final = coalesce(excluded.odds_final, runners.odds_final)",
        );
        qb.build().execute(&mut *self.0).await?;
        Ok(())
    }

    async fn runner_ids(&mut self, race_ids: &[i64]) -> Result<HashMap<(i64, i64), i64>> {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "select race_id, number, id from runners where race_id in (",
        );
        let mut list = qb.separated(", ");
        for id in race_ids {
            list.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<(i64, i64, i64)> = qb.build_query_as().fetch_all(&mut *self.0).await?;
        Ok(rows.into_iter().map(|(r, n, id)| ((r, n), id)).collect())
    }

    async fn insert_odds(&mut self, rows: &[(i64, &OddsSnapshot)]) -> Result<()> {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "insert into odds_snapshots (runner_id, kind, odds, taken_at) ",
        );
        qb.push_values(rows, |mut row, (runner_id, o)| {
            row.push_bind(*runner_id)
                .push_bind(o.kind.as_str())
                .push_bind(o.odds)
                .push_bind(o.taken_at);
        });
        qb.push(" on conflict(runner_id, kind, taken_at) do update set odds = excluded.odds");
        qb.build().execute(&mut *self.0).await?;
        Ok(())
    }

    async fn upsert_payouts(&mut self, rows: &[(i64, &Payout)]) -> Result<()> {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "insert into payouts (race_id, bet_type, combination, label, dividend_per_euro,
                winners, refunded) ",
        );
        qb.push_values(rows, |mut row, (race_id, p)| {
            row.push_bind(*race_id)
                .push_bind(p.bet_type.as_str())
                .push_bind(p.combination.as_str())
                .push_bind(p.label.as_deref().unwrap_or(""))
                .push_bind(p.dividend_per_euro)
                .push_bind(p.winners)
                .push_bind(p.refunded);
        });
        qb.push(
            " on conflict(race_id, bet_type, combination, label) do update set
                dividend_per_euro = excluded.dividend_per_euro, winners = excluded.winners,
                refunded = excluded.refunded",
        );
        qb.build().execute(&mut *self.0).await?;
        Ok(())
    }
}
