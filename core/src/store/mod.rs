//! The Store: every operation the application needs on its data, with one implementation per
//! database (SQLite, the embedded default, and MySQL/MariaDB), each owning its SQL and migrations.
//!
//! Writes go through [`Store::upsert_race_cards`]: one transaction per call, keyed on natural keys
//! (date + meeting + race + runner), so replaying the same data changes nothing.

mod analytics;
pub mod deadline;
mod mysql;
mod predictions;
mod rows;
mod sqlite;
mod write;

pub use analytics::{
    BetDimension, BetFilter, BetGroup, DailyCount, DataQuality, MonthlyRecord, ODDS_BANDS,
    PeriodFigures, PeriodFilter, Person, PersonSummary, PredictedRunner, RideLine, RunnerName,
};
pub use mysql::MySqlStore;
pub use predictions::{
    BankrollPoint, DayPredictions, RacePrediction, RacePronostic, RunnerPrediction, SimBet,
    StoredRacePrediction, ValueBet,
};
pub use sqlite::SqliteStore;

use crate::domain::{RaceCard, RaceKey};
use crate::settings::DatabaseUrl;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Failures of the Store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        /// `sqlite` or `mysql`.
        backend: &'static str,
        /// Driver error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The data given cannot be stored as it is.
    #[error("invalid data: {0}")]
    Invalid(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database did not answer in time (see [`deadline`]).
    #[error("the database did not answer within {after:?} ({operation})")]
    Timeout {
        /// The Store operation.
        operation: &'static str,
        /// The deadline.
        after: Duration,
    },
}

impl StoreError {
    /// True when the database is out of reach (down, refusing, or every pooled connection busy
    /// past the wait): a condition to report as 503 and retry, not a fault of ours or the data's.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } => true,
            Self::Database(e) => matches!(
                e,
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
            ),
            Self::Migrate(_) | Self::Invalid(_) => false,
        }
    }
}

/// Result of the Store's operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What a write touched, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriteSummary {
    /// Races written.
    pub races: u64,
    /// Runner rows written.
    pub runners: u64,
    /// Odds snapshots offered (already-stored ones are skipped).
    pub odds_snapshots: u64,
    /// Payout lines written.
    pub payouts: u64,
}

impl std::ops::AddAssign for WriteSummary {
    fn add_assign(&mut self, other: Self) {
        self.races += other.races;
        self.runners += other.runners;
        self.odds_snapshots += other.odds_snapshots;
        self.payouts += other.payouts;
    }
}

/// Row counts and the date range covered, as `pronoturf stats` prints them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreStats {
    /// Racecourses.
    pub tracks: i64,
    /// Meetings.
    pub meetings: i64,
    /// Races.
    pub races: i64,
    /// Runner rows, non-runners included.
    pub runners: i64,
    /// Horses.
    pub horses: i64,
    /// Jockeys and drivers.
    pub jockeys: i64,
    /// Trainers.
    pub trainers: i64,
    /// Races whose result (arrival order) is known.
    pub results: i64,
    /// Payout lines.
    pub payouts: i64,
    /// Odds snapshots.
    pub odds_snapshots: i64,
    /// Archived API payloads.
    pub payloads: i64,
    /// Earliest race date.
    pub first_date: Option<NaiveDate>,
    /// Latest race date.
    pub last_date: Option<NaiveDate>,
}

impl StoreStats {
    /// Builds the stats from counts in the order of `rows::STATS_COUNTS`.
    pub(crate) fn from_counts(
        counts: [i64; 11],
        first_date: Option<NaiveDate>,
        last_date: Option<NaiveDate>,
    ) -> Self {
        let [
            tracks,
            meetings,
            races,
            runners,
            horses,
            jockeys,
            trainers,
            results,
            payouts,
            odds_snapshots,
            payloads,
        ] = counts;
        Self {
            tracks,
            meetings,
            races,
            runners,
            horses,
            jockeys,
            trainers,
            results,
            payouts,
            odds_snapshots,
            payloads,
            first_date,
            last_date,
        }
    }
}

/// One line of a day's race list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaceSummary {
    /// Date, meeting and race numbers.
    pub key: RaceKey,
    /// Racecourse name.
    pub track: String,
    /// Race name.
    pub name: Option<String>,
    /// Scheduled start, UTC.
    pub start_time: Option<DateTime<Utc>>,
    /// Discipline, as stored (PLAT, ATTELE...).
    pub discipline: String,
    /// Distance in metres.
    pub distance_m: Option<u32>,
    /// Prize money in euros.
    pub prize_eur: Option<f64>,
    /// PMU status.
    pub status: Option<String>,
    /// Declared runners still running (non-runners excluded).
    pub runners: u32,
    /// Non-runners.
    pub non_runners: u32,
    /// True once the arrival order is known.
    pub has_result: bool,
    /// True once the result is official.
    pub is_final: bool,
}

/// A racecourse with the meetings stored there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackSummary {
    /// Name.
    pub name: String,
    /// PMU code.
    pub code: Option<String>,
    /// Country (ISO alpha-3).
    pub country: Option<String>,
    /// Meetings stored.
    pub meetings: i64,
    /// First meeting date.
    pub first_date: Option<NaiveDate>,
    /// Last meeting date.
    pub last_date: Option<NaiveDate>,
}

/// A meeting of a day with its race count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeetingSummary {
    /// The meeting (track, weather, status).
    pub meeting: crate::domain::Meeting,
    /// Races stored for it.
    pub races: i64,
}

/// A horse with its record in the Store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HorseSummary {
    /// Store id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// M, F or H.
    pub sex: Option<String>,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// Races run (non-runners excluded).
    pub runs: i64,
    /// Wins.
    pub wins: i64,
    /// Top-three finishes.
    pub places: i64,
}

/// One past race of a horse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormLine {
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
    /// RAN, DNF, NON_RUNNER or DECLARED.
    pub status: String,
    /// Finishing position.
    pub finish: Option<u32>,
    /// Final odds.
    pub odds_final: Option<f64>,
    /// Jockey or driver.
    pub jockey: Option<String>,
}

/// Optional filters of [`Store::list_races`].
#[derive(Debug, Clone, Default)]
pub struct RaceFilter {
    /// Track name (compared after normalisation: case and spaces do not matter).
    pub track: Option<String>,
    /// Discipline (PLAT, ATTELE, MONTE, HAIE, STEEPLECHASE, CROSS).
    pub discipline: Option<String>,
}

/// A raw API response kept so a day can be replayed without the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedPayload {
    /// Path under the client base, e.g. `programme/05112025/R1/C1/participants`: the archive key.
    pub path: String,
    /// programme, participants, performances, rapports.
    pub kind: String,
    /// Race day the payload belongs to.
    pub date: NaiveDate,
    /// HTTP status it came with.
    pub status: u16,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
    /// The body as received.
    pub body: Vec<u8>,
}

/// A recorded run of a job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRun {
    /// Id.
    pub id: i64,
    /// Job name (sync, import, predict...).
    pub job: String,
    /// Parameters, as JSON.
    pub params: serde_json::Value,
    /// Attempt number, from 1.
    pub attempt: u32,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End, once finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// running, succeeded, failed.
    pub status: String,
    /// Counts reported by the job, as JSON.
    pub counts: Option<serde_json::Value>,
    /// Error, when failed.
    pub error: Option<String>,
}

/// Outcome of a finished job run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// The job did its work.
    Succeeded,
    /// The job failed; the error is recorded.
    Failed,
}

impl JobOutcome {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// What a database health probe measured.
#[derive(Debug, Clone, Serialize)]
pub struct DbHealth {
    /// `sqlite` or `mysql`.
    pub backend: &'static str,
    /// Server or library version.
    pub version: String,
    /// Round-trip time of the probe query.
    pub latency_ms: f64,
    /// Migrations applied.
    pub migrations: i64,
}

/// The application's data operations. Implemented by [`SqliteStore`] and [`MySqlStore`].
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `mysql`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations.
    async fn migrate(&self) -> Result<()>;

    /// Probes the database: version, latency, migrations applied.
    async fn health(&self) -> Result<DbHealth>;

    /// Writes race cards in one transaction: all or nothing.
    async fn upsert_race_cards(&self, cards: &[RaceCard]) -> Result<WriteSummary>;

    /// Reads back one race with its meeting, runners, odds and payouts.
    async fn race_card(&self, key: RaceKey) -> Result<Option<RaceCard>>;

    /// The races of a day, in meeting then race order, optionally filtered.
    async fn list_races(&self, date: NaiveDate, filter: &RaceFilter) -> Result<Vec<RaceSummary>>;

    /// Every race from `from` to `to` inclusive, with runners, odds and payouts, in date, meeting
    /// and race order: the bulk read behind training and evaluation.
    async fn race_cards_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<RaceCard>>;

    /// Every racecourse, by name.
    async fn list_tracks(&self) -> Result<Vec<TrackSummary>>;

    /// The meetings of a day, by number.
    async fn list_meetings(&self, date: NaiveDate) -> Result<Vec<MeetingSummary>>;

    /// Horses whose name starts with `prefix` (case-insensitive), by name.
    async fn search_horses(
        &self,
        prefix: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<HorseSummary>>;

    /// A horse and its last `limit` races, newest first.
    async fn horse_form(
        &self,
        id: i64,
        limit: u32,
    ) -> Result<Option<(HorseSummary, Vec<FormLine>)>>;

    /// Keys of the races of a day, in meeting then race order.
    async fn list_race_keys(&self, date: NaiveDate) -> Result<Vec<RaceKey>>;

    /// Archives a raw payload, replacing an older one at the same path.
    async fn archive_payload(&self, payload: &ArchivedPayload) -> Result<()>;

    /// The archived payload at `path`, if any.
    async fn find_payload(&self, path: &str) -> Result<Option<ArchivedPayload>>;

    /// Row counts and date range.
    async fn stats(&self) -> Result<StoreStats>;

    /// Records the start of a job run; returns its id.
    async fn start_job_run(
        &self,
        job: &str,
        params: &serde_json::Value,
        attempt: u32,
    ) -> Result<i64>;

    /// Records the start of attempt `attempt` of the queued job `job_id`, in one transaction
    /// with the end of its earlier attempts still `running`: the queue delivers a job again only
    /// when the worker that held it stopped keeping it, so those runs will never finish; they
    /// are recorded `failed`, abandoned. Returns the new run's id.
    async fn start_delivered_job_run(
        &self,
        job_id: &str,
        job: &str,
        params: &serde_json::Value,
        attempt: u32,
    ) -> Result<i64>;

    /// Records the end of a job run.
    async fn finish_job_run(
        &self,
        id: i64,
        outcome: JobOutcome,
        counts: Option<&serde_json::Value>,
        error: Option<&str>,
    ) -> Result<()>;

    /// The most recent job runs, newest first.
    async fn list_job_runs(&self, limit: u32) -> Result<Vec<JobRun>>;

    /// Claims a scheduler slot (`schedule` at local time `slot`, e.g. `2026-03-29T06:00`) for
    /// `owner`. True for the one caller whose claim is first, false for every later one: the lock
    /// that keeps two schedulers from firing the same slot.
    async fn claim_schedule_slot(&self, schedule: &str, slot: &str, owner: &str) -> Result<bool>;

    /// Forgets the claims of slots on days before `before` (Paris dates); returns how many.
    /// Only today's claims matter to the lock and the catch-up, so old rows are dead weight.
    async fn purge_schedule_slots(&self, before: NaiveDate) -> Result<u64>;

    /// Replaces the predictions of `day.date` by `day.model_version` in one transaction (other
    /// models' runs are kept); returns the runner rows written. Every race must be stored.
    async fn replace_predictions(&self, day: &DayPredictions) -> Result<u64>;

    /// Every race's predictions (runners by rank, pronostics) from the latest run of a day.
    async fn day_predictions(&self, date: NaiveDate) -> Result<Vec<StoredRacePrediction>>;

    /// One race's predictions from the latest run of its day.
    async fn race_predictions(&self, key: RaceKey) -> Result<Option<StoredRacePrediction>>;

    /// Runners of the latest run of a day whose edge is above `min_edge`, best edge first.
    async fn day_value_bets(&self, date: NaiveDate, min_edge: f64) -> Result<Vec<ValueBet>>;

    /// Replaces every simulated bet of a day in one transaction; returns the bets written.
    async fn replace_sim_bets(&self, date: NaiveDate, bets: &[SimBet]) -> Result<u64>;

    /// The simulated bets of a day, by strategy and race.
    async fn day_sim_bets(&self, date: NaiveDate) -> Result<Vec<SimBet>>;

    /// Each strategy's bankroll day by day, from `initial` plus the settled bets' profits.
    async fn bankroll_history(&self, initial: f64) -> Result<Vec<BankrollPoint>>;

    /// For each job, its latest run of each status (running, succeeded, failed), newest first.
    async fn latest_job_runs(&self) -> Result<Vec<JobRun>>;

    /// Simulated bets of the races and predictions `filter` selects, per strategy and `by`.
    async fn sim_bet_groups(&self, filter: &BetFilter, by: BetDimension) -> Result<Vec<BetGroup>>;

    /// Runners of the latest prediction run of each day, in races with a result that `filter`
    /// selects, with their odds and finish, in race order.
    async fn predicted_runners(&self, filter: &PeriodFilter) -> Result<Vec<PredictedRunner>>;

    /// Horse names of every runner of a day.
    async fn day_runner_names(&self, date: NaiveDate) -> Result<Vec<RunnerName>>;

    /// Data-quality counts of the races `filter` selects; races before `before` are past.
    async fn data_quality(&self, filter: &PeriodFilter, before: NaiveDate) -> Result<DataQuality>;

    /// Headline figures (races, runners, favourites' wins...) of the races `filter` selects.
    async fn period_figures(&self, filter: &PeriodFilter) -> Result<PeriodFigures>;

    /// Races per day of the races `filter` selects, oldest first.
    async fn daily_counts(&self, filter: &PeriodFilter) -> Result<Vec<DailyCount>>;

    /// Runs, wins and places per month of a horse, jockey or trainer, oldest first.
    async fn monthly_record(
        &self,
        person: Person,
        filter: &PeriodFilter,
    ) -> Result<Vec<MonthlyRecord>>;

    /// Jockeys whose name starts with `prefix` (case-insensitive), by name, with their record.
    async fn search_jockeys(
        &self,
        prefix: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<PersonSummary>>;

    /// A jockey and their last `limit` rides, newest first.
    async fn jockey_form(
        &self,
        id: i64,
        limit: u32,
    ) -> Result<Option<(PersonSummary, Vec<RideLine>)>>;

    /// Trainers whose name starts with `prefix` (case-insensitive), by name, with their record.
    async fn search_trainers(
        &self,
        prefix: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<PersonSummary>>;

    /// A trainer and their last `limit` runners, newest first.
    async fn trainer_form(
        &self,
        id: i64,
        limit: u32,
    ) -> Result<Option<(PersonSummary, Vec<RideLine>)>>;
}

/// Opens the Store named by `url`, creating an SQLite file (and its folder) if missing.
/// Does not migrate: call [`Store::migrate`].
pub async fn connect(url: &DatabaseUrl) -> Result<Arc<dyn Store>> {
    Ok(match url {
        DatabaseUrl::Sqlite { url } => Arc::new(SqliteStore::connect(url).await?),
        DatabaseUrl::MySql { .. } => Arc::new(MySqlStore::connect(url.expose()).await?),
    })
}

/// Migrations this binary embeds for the backend of `url`: the number a fully migrated database
/// reports in [`DbHealth::migrations`]. Fewer means `pronoturf migrate` (or any server start) has
/// not run since the binary was upgraded.
pub fn embedded_migrations(url: &DatabaseUrl) -> i64 {
    let migrator = match url {
        DatabaseUrl::Sqlite { .. } => &sqlite::MIGRATOR,
        DatabaseUrl::MySql { .. } => &mysql::MIGRATOR,
    };
    let up = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .count();
    i64::try_from(up).unwrap_or(i64::MAX)
}

/// Opens and migrates the Store named by `url`.
pub async fn open(url: &DatabaseUrl) -> Result<Arc<dyn Store>> {
    let store = connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Opens and migrates the Store; when a MySQL server cannot be reached, returns a store that
/// connects on first use instead of failing, so that servers start and report the outage through
/// their health endpoints. SQLite errors are returned as they are.
pub async fn open_or_lazy(url: &DatabaseUrl) -> Result<Arc<dyn Store>> {
    match open(url).await {
        Err(StoreError::Connect {
            backend: "mysql",
            source,
        }) => {
            tracing::warn!(error = %source, "MySQL is unreachable; starting anyway and retrying on each request");
            Ok(Arc::new(MySqlStore::connect_lazy(url.expose())?))
        }
        other => other,
    }
}

/// How long a connection attempt may take before the Store reports the database unreachable.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
