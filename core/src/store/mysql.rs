//! The MySQL/MariaDB Store, for production deployments: a connection pool with its own migrations
//! under `migrations/mysql`. Upserts use `on duplicate key update`, with `last_insert_id(id)` to
//! learn the id of a row that already existed.

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
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};
use sqlx::{MySql, QueryBuilder, Transaction};
use std::collections::HashMap;
use std::time::Instant;

pub(super) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/mysql");

/// The MySQL/MariaDB implementation of [`Store`].
#[derive(Clone)]
pub struct MySqlStore {
    pool: MySqlPool,
}

impl MySqlStore {
    /// Connects to the server at `url` (`mysql://user:password@host:3306/database`).
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = MySqlPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect(url)
            .await
            .map_err(|source| StoreError::Connect {
                backend: "mysql",
                source,
            })?;
        Ok(Self { pool })
    }

    /// A store whose connections are opened on first use, so a process can start while the
    /// server is down and recover by itself when it comes back (health reports 503 meanwhile).
    pub fn connect_lazy(url: &str) -> Result<Self> {
        let pool = MySqlPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_lazy(url)
            .map_err(|source| StoreError::Connect {
                backend: "mysql",
                source,
            })?;
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> Result<Transaction<'static, MySql>> {
        Ok(self.pool.begin().await?)
    }
}

// The dashboard's aggregations (analytics.rs), with this backend's year and month of a date.
super::analytics::analytics_reads!(
    MySqlStore,
    sqlx::MySql,
    "cast(year(r.date) as signed)",
    "cast(month(r.date) as signed)"
);

// Job-run starts (rows.rs), with this driver's id of an inserted row.
super::rows::job_run_starts!(MySqlStore, |r: sqlx::mysql::MySqlQueryResult| id_of(
    r.last_insert_id()
));

#[async_trait]
impl Store for MySqlStore {
    fn backend(&self) -> &'static str {
        "mysql"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn health(&self) -> Result<DbHealth> {
        let started = Instant::now();
        let version: String = sqlx::query_scalar("select version()")
            .fetch_one(&self.pool)
            .await?;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let migrations: i64 =
            sqlx::query_scalar("select count(*) from _sqlx_migrations where success = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(DbHealth {
            backend: "mysql",
            version,
            latency_ms,
            migrations,
        })
    }

    async fn upsert_race_cards(&self, cards: &[RaceCard]) -> Result<WriteSummary> {
        let mut tx = MySqlWrite(self.begin_write().await?);
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
             on duplicate key update kind = values(kind), date = values(date),
                status = values(status), fetched_at = values(fetched_at), body = values(body)",
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
        let (first, last): (Option<NaiveDate>, Option<NaiveDate>) =
            sqlx::query_as("select min(date), max(date) from races")
                .fetch_one(&self.pool)
                .await?;
        Ok(StoreStats::from_counts(counts, first, last))
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
            "insert ignore into schedule_slots (schedule, slot, claimed_at, owner) values (?, ?, ?, ?)",
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

/// An open MySQL write transaction.
struct MySqlWrite(Transaction<'static, MySql>);

#[async_trait]
impl WriteTx for MySqlWrite {
    async fn upsert_track(&mut self, key: &str, track: &Track) -> Result<i64> {
        let result = sqlx::query(
            "insert into tracks (natural_key, name, code, country) values (?, ?, ?, ?)
             on duplicate key update
                code = coalesce(values(code), tracks.code),
                country = coalesce(values(country), tracks.country),
                id = last_insert_id(id)",
        )
        .bind(key)
        .bind(track.name.trim())
        .bind(&track.code)
        .bind(&track.country)
        .execute(&mut *self.0)
        .await?;
        id_of(result.last_insert_id())
    }

    async fn upsert_meeting(&mut self, track_id: i64, m: &Meeting) -> Result<i64> {
        let w = m.weather.clone().unwrap_or_default();
        let result = sqlx::query(
            "insert into meetings (date, number, track_id, nature, audience, status,
                weather_temperature_c, weather_wind_kmh, weather_wind_direction, weather_sky)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             on duplicate key update track_id = values(track_id),
                nature = coalesce(values(nature), meetings.nature),
                audience = coalesce(values(audience), meetings.audience),
                status = coalesce(values(status), meetings.status),
                weather_temperature_c = coalesce(values(weather_temperature_c), meetings.weather_temperature_c),
                weather_wind_kmh = coalesce(values(weather_wind_kmh), meetings.weather_wind_kmh),
                weather_wind_direction = coalesce(values(weather_wind_direction), meetings.weather_wind_direction),
                weather_sky = coalesce(values(weather_sky), meetings.weather_sky),
                id = last_insert_id(id)",
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
        .execute(&mut *self.0)
        .await?;
        id_of(result.last_insert_id())
    }

    async fn upsert_race(
        &mut self,
        meeting_id: i64,
        date: NaiveDate,
        r: &Race,
        arrival: Option<String>,
    ) -> Result<i64> {
        let result = sqlx::query(
            "insert into races (meeting_id, number, date, name, start_time, discipline, speciality,
                distance_m, prize_eur, conditions, category, age_condition, sex_condition,
                declared_runners, status, going, penetrometer, track_type, arrival, is_final,
                duration_ms)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             on duplicate key update date = values(date),
                name = coalesce(values(name), races.name),
                start_time = coalesce(values(start_time), races.start_time),
                discipline = values(discipline),
                speciality = coalesce(values(speciality), races.speciality),
                distance_m = coalesce(values(distance_m), races.distance_m),
                prize_eur = coalesce(values(prize_eur), races.prize_eur),
                conditions = coalesce(values(conditions), races.conditions),
                category = coalesce(values(category), races.category),
                age_condition = coalesce(values(age_condition), races.age_condition),
                sex_condition = coalesce(values(sex_condition), races.sex_condition),
                declared_runners = coalesce(values(declared_runners), races.declared_runners),
                status = coalesce(values(status), races.status),
                going = coalesce(values(going), races.going),
                penetrometer = coalesce(values(penetrometer), races.penetrometer),
                track_type = coalesce(values(track_type), races.track_type),
                arrival = coalesce(values(arrival), races.arrival),
                is_final = greatest(values(is_final), races.is_final),
                duration_ms = coalesce(values(duration_ms), races.duration_ms),
                id = last_insert_id(id)",
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
        .execute(&mut *self.0)
        .await?;
        id_of(result.last_insert_id())
    }

    async fn upsert_people(
        &mut self,
        table: People,
        people: &[(&str, &str)],
    ) -> Result<HashMap<String, i64>> {
        if people.is_empty() {
            return Ok(HashMap::new());
        }
        let mut qb = QueryBuilder::<MySql>::new(format!(
            "insert into {} (natural_key, name) ",
            table.table()
        ));
        qb.push_values(people, |mut row, (key, name)| {
            row.push_bind(*key).push_bind(*name);
        });
        qb.push(" on duplicate key update natural_key = natural_key");
        qb.build().execute(&mut *self.0).await?;
        let keys: Vec<&str> = people.iter().map(|(key, _)| *key).collect();
        ids_by_key(&mut self.0, table.table(), &keys).await
    }

    async fn upsert_horses(&mut self, horses: &[(&str, &Horse)]) -> Result<HashMap<String, i64>> {
        if horses.is_empty() {
            return Ok(HashMap::new());
        }
        let mut qb = QueryBuilder::<MySql>::new(
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
            " on duplicate key update name = values(name),
                sex = coalesce(values(sex), horses.sex),
                birth_year = coalesce(values(birth_year), horses.birth_year),
                sire = coalesce(values(sire), horses.sire),
                dam = coalesce(values(dam), horses.dam),
                breed = coalesce(values(breed), horses.breed)",
        );
        qb.build().execute(&mut *self.0).await?;
        let keys: Vec<&str> = horses.iter().map(|(key, _)| *key).collect();
        ids_by_key(&mut self.0, "horses", &keys).await
    }

    async fn upsert_runners(&mut self, rows: &[RunnerRow<'_>]) -> Result<()> {
        let mut qb = QueryBuilder::<MySql>::new(
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
            " on duplicate key update horse_id = values(horse_id),
                jockey_id = coalesce(values(jockey_id), runners.jockey_id),
                trainer_id = coalesce(values(trainer_id), runners.trainer_id),
                age = coalesce(values(age), runners.age),
                draw = coalesce(values(draw), runners.draw),
                weight_kg = coalesce(values(weight_kg), runners.weight_kg),
                blinkers = coalesce(values(blinkers), runners.blinkers),
                shoeing = coalesce(values(shoeing), runners.shoeing),
                musique = coalesce(values(musique), runners.musique),
                career_starts = coalesce(values(career_starts), runners.career_starts),
                career_wins = coalesce(values(career_wins), runners.career_wins),
                career_places = coalesce(values(career_places), runners.career_places),
                earnings_eur = coalesce(values(earnings_eur), runners.earnings_eur),
                status = values(status),
                incident = values(incident),
                finish = values(finish),
                time_ms = values(time_ms),
                reduction_km_ms = values(reduction_km_ms),
                odds_reference = coalesce(values(odds_reference), runners.odds_reference),
                odds_final = coalesce(values(odds_final), runners.odds_final)",
        );
        qb.build().execute(&mut *self.0).await?;
        Ok(())
    }

    async fn runner_ids(&mut self, race_ids: &[i64]) -> Result<HashMap<(i64, i64), i64>> {
        let mut qb = QueryBuilder::<MySql>::new(
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
        let mut qb = QueryBuilder::<MySql>::new(
            "insert into odds_snapshots (runner_id, kind, odds, taken_at) ",
        );
        qb.push_values(rows, |mut row, (runner_id, o)| {
            row.push_bind(*runner_id)
                .push_bind(o.kind.as_str())
                .push_bind(o.odds)
                .push_bind(o.taken_at);
        });
        qb.push(" on duplicate key update odds = values(odds)");
        qb.build().execute(&mut *self.0).await?;
        Ok(())
    }

    async fn upsert_payouts(&mut self, rows: &[(i64, &Payout)]) -> Result<()> {
        let mut qb = QueryBuilder::<MySql>::new(
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
            " on duplicate key update
                dividend_per_euro = values(dividend_per_euro), winners = values(winners),
                refunded = values(refunded)",
        );
        qb.build().execute(&mut *self.0).await?;
        Ok(())
    }
}

/// MySQL has no `returning`: after a multi-row upsert, read the ids of the keys back.
async fn ids_by_key(
    tx: &mut Transaction<'static, MySql>,
    table: &str,
    keys: &[&str],
) -> Result<HashMap<String, i64>> {
    let mut qb = QueryBuilder::<MySql>::new(format!(
        "select natural_key, id from {table} where natural_key in ("
    ));
    let mut list = qb.separated(", ");
    for key in keys {
        list.push_bind(*key);
    }
    qb.push(")");
    let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().collect())
}

/// Ids are `bigint` columns filled by auto-increment, so they fit in i64.
fn id_of(id: u64) -> Result<i64> {
    i64::try_from(id).map_err(|_| StoreError::Invalid(format!("id {id} out of range")))
}
