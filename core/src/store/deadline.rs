//! A Store that gives up on a database that stopped answering: each operation of the serving
//! processes (API, dashboard) gets a deadline, past which it fails as unavailable (a 503) instead
//! of holding the request. The pool bounds only the acquiring of a connection; a query already
//! sent on an acquired connection waits for its reply without a read timeout, so a frozen server
//! (a stopped process, a network partition) would otherwise hold a request until the HTTP
//! timeout. Dropping the timed-out future drops its connection, which the pool replaces.
//!
//! Bulk operations pass through unbounded: migrations, whole-day writes, and the history read
//! behind training and drift, whose honest duration grows with the data.

use super::analytics::{
    BetDimension, BetFilter, BetGroup, DailyCount, DataQuality, MonthlyRecord, PeriodFigures,
    PeriodFilter, Person, PersonSummary, PredictedRunner, RideLine, RunnerName,
};
use super::predictions::{BankrollPoint, DayPredictions, SimBet, StoredRacePrediction, ValueBet};
use super::{
    ArchivedPayload, DbHealth, FormLine, HorseSummary, JobOutcome, JobRun, MeetingSummary,
    RaceFilter, RaceSummary, Result, Store, StoreError, StoreStats, TrackSummary, WriteSummary,
};
use crate::domain::{RaceCard, RaceKey};
use async_trait::async_trait;
use chrono::NaiveDate;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Deadline of one operation in the serving processes: well above a slow query on a large
/// history (the dashboard's heaviest is under 0.2 s with 128k runners), well below the HTTP
/// request timeouts, so a frozen database shows as a 503 within seconds.
pub const SERVING_DEADLINE: Duration = Duration::from_secs(5);

/// `inner` with [`SERVING_DEADLINE`] on each bounded operation.
pub fn with_deadline(inner: Arc<dyn Store>) -> Arc<dyn Store> {
    Arc::new(Deadline {
        inner,
        limit: SERVING_DEADLINE,
    })
}

/// The decorator: `inner`, each bounded operation failing with [`StoreError::Timeout`] after
/// `limit`.
pub struct Deadline {
    inner: Arc<dyn Store>,
    limit: Duration,
}

impl Deadline {
    /// `inner` with a deadline of `limit` per bounded operation.
    pub fn new(inner: Arc<dyn Store>, limit: Duration) -> Self {
        Self { inner, limit }
    }

    async fn bounded<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T>> + Send,
    ) -> Result<T> {
        tokio::time::timeout(self.limit, call)
            .await
            .unwrap_or(Err(StoreError::Timeout {
                operation,
                after: self.limit,
            }))
    }
}

/// Implements [`Store`] for [`Deadline`]: `bounded` operations under the deadline, `unbounded`
/// ones passed through. Each signature is written once, here, as in the trait.
macro_rules! deadline_store {
    (
        bounded { $( fn $b:ident(&self $(, $ba:ident: $bt:ty)*) -> $br:ty; )* }
        unbounded { $( fn $u:ident(&self $(, $ua:ident: $ut:ty)*) -> $ur:ty; )* }
    ) => {
        #[async_trait]
        impl Store for Deadline {
            fn backend(&self) -> &'static str {
                self.inner.backend()
            }
            $(
                async fn $b(&self $(, $ba: $bt)*) -> Result<$br> {
                    self.bounded(stringify!($b), self.inner.$b($($ba),*)).await
                }
            )*
            $(
                async fn $u(&self $(, $ua: $ut)*) -> Result<$ur> {
                    self.inner.$u($($ua),*).await
                }
            )*
        }
    };
}

/// Hands the Store's operations, sorted into bounded and unbounded, to the macro `$then`: the
/// signatures are written once for the decorator and its test double.
macro_rules! store_operations {
    ($then:ident) => {
        $then! {
        bounded {
            fn health(&self) -> DbHealth;
            fn race_card(&self, key: RaceKey) -> Option<RaceCard>;
            fn list_races(&self, date: NaiveDate, filter: &RaceFilter) -> Vec<RaceSummary>;
            fn list_tracks(&self) -> Vec<TrackSummary>;
            fn list_meetings(&self, date: NaiveDate) -> Vec<MeetingSummary>;
            fn search_horses(&self, prefix: &str, limit: u32, offset: u32) -> Vec<HorseSummary>;
            fn horse_form(&self, id: i64, limit: u32) -> Option<(HorseSummary, Vec<FormLine>)>;
            fn list_race_keys(&self, date: NaiveDate) -> Vec<RaceKey>;
            fn archive_payload(&self, payload: &ArchivedPayload) -> ();
            fn find_payload(&self, path: &str) -> Option<ArchivedPayload>;
            fn stats(&self) -> StoreStats;
            fn start_job_run(&self, job: &str, params: &serde_json::Value, attempt: u32) -> i64;
        fn start_delivered_job_run(
            &self,
            job_id: &str,
            job: &str,
            params: &serde_json::Value,
            attempt: u32
        ) -> i64;
            fn finish_job_run(
                &self,
                id: i64,
                outcome: JobOutcome,
                counts: Option<&serde_json::Value>,
                error: Option<&str>
            ) -> ();
            fn list_job_runs(&self, limit: u32) -> Vec<JobRun>;
            fn claim_schedule_slot(&self, schedule: &str, slot: &str, owner: &str) -> bool;
            fn purge_schedule_slots(&self, before: NaiveDate) -> u64;
            fn day_predictions(&self, date: NaiveDate) -> Vec<StoredRacePrediction>;
            fn race_predictions(&self, key: RaceKey) -> Option<StoredRacePrediction>;
            fn day_value_bets(&self, date: NaiveDate, min_edge: f64) -> Vec<ValueBet>;
            fn day_sim_bets(&self, date: NaiveDate) -> Vec<SimBet>;
            fn bankroll_history(&self, initial: f64) -> Vec<BankrollPoint>;
            fn latest_job_runs(&self) -> Vec<JobRun>;
            fn sim_bet_groups(&self, filter: &BetFilter, by: BetDimension) -> Vec<BetGroup>;
            fn predicted_runners(&self, filter: &PeriodFilter) -> Vec<PredictedRunner>;
            fn day_runner_names(&self, date: NaiveDate) -> Vec<RunnerName>;
            fn data_quality(&self, filter: &PeriodFilter, before: NaiveDate) -> DataQuality;
            fn period_figures(&self, filter: &PeriodFilter) -> PeriodFigures;
            fn daily_counts(&self, filter: &PeriodFilter) -> Vec<DailyCount>;
            fn monthly_record(&self, person: Person, filter: &PeriodFilter) -> Vec<MonthlyRecord>;
            fn search_jockeys(&self, prefix: &str, limit: u32, offset: u32) -> Vec<PersonSummary>;
            fn jockey_form(&self, id: i64, limit: u32) -> Option<(PersonSummary, Vec<RideLine>)>;
            fn search_trainers(&self, prefix: &str, limit: u32, offset: u32) -> Vec<PersonSummary>;
            fn trainer_form(&self, id: i64, limit: u32) -> Option<(PersonSummary, Vec<RideLine>)>;
        }
        unbounded {
            fn migrate(&self) -> ();
            fn upsert_race_cards(&self, cards: &[RaceCard]) -> WriteSummary;
            fn race_cards_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<RaceCard>;
            fn replace_predictions(&self, day: &DayPredictions) -> u64;
            fn replace_sim_bets(&self, date: NaiveDate, bets: &[SimBet]) -> u64;
        }
            }
    };
}

store_operations!(deadline_store);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    #[tokio::test]
    async fn an_answer_within_the_deadline_passes_through() {
        let inner: Arc<dyn Store> =
            Arc::new(SqliteStore::connect("sqlite::memory:").await.expect("open"));
        inner.migrate().await.expect("migrate");
        let store = Deadline::new(inner, Duration::from_secs(5));
        assert_eq!(store.stats().await.expect("stats").races, 0);
        assert_eq!(store.backend(), "sqlite");
    }

    #[tokio::test]
    async fn a_call_past_the_deadline_fails_as_unavailable() {
        let store = Deadline::new(Arc::new(Frozen), Duration::from_millis(50));
        let err = store.stats().await.expect_err("past the deadline");
        assert!(err.is_unavailable(), "{err}");
        assert!(matches!(
            err,
            StoreError::Timeout {
                operation: "stats",
                ..
            }
        ));
        assert!(
            err.to_string().contains("did not answer within 50ms"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn bulk_operations_are_not_bounded() {
        let store = Deadline::new(Arc::new(Frozen), Duration::from_millis(50));
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
        let read = store.race_cards_between(day, day);
        let waited = tokio::time::timeout(Duration::from_millis(500), read).await;
        assert!(
            waited.is_err(),
            "the history read must wait for the database"
        );
    }

    /// Every operation pends forever, like a frozen server.
    struct Frozen;

    macro_rules! frozen_store {
        (
            bounded { $( fn $b:ident(&self $(, $ba:ident: $bt:ty)*) -> $br:ty; )* }
            unbounded { $( fn $u:ident(&self $(, $ua:ident: $ut:ty)*) -> $ur:ty; )* }
        ) => {
            #[async_trait]
            impl Store for Frozen {
                fn backend(&self) -> &'static str {
                    "frozen"
                }
                $(
                    async fn $b(&self $(, $ba: $bt)*) -> Result<$br> {
                        $( let _ = $ba; )*
                        std::future::pending().await
                    }
                )*
                $(
                    async fn $u(&self $(, $ua: $ut)*) -> Result<$ur> {
                        $( let _ = $ua; )*
                        std::future::pending().await
                    }
                )*
            }
        };
    }
    store_operations!(frozen_store);
}
