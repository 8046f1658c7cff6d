//! The scheduler with an injected clock: catch-up at start, the Paris DST changes of 2026
//! (29 March and 25 October), the lock between two schedulers, disabled schedules.

mod common;

use chrono::{DateTime, Utc};
use common::{fast_config, sqlite_store};
use pronoturf_core::queue::{JobQueue, MemoryQueue};
use pronoturf_core::settings::ScheduleSetting;
use pronoturf_core::store::Store;
use pronoturf_jobs::scheduler::{Clock, Fired, Scheduler, SchedulerCtx};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    fn at(t: &str) -> Arc<Self> {
        Arc::new(Self(Mutex::new(utc(t))))
    }
    fn set(&self, t: &str) {
        *self.0.lock().expect("lock") = utc(t);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("lock")
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

fn schedule(job: &'static str, cron: Option<&str>) -> ScheduleSetting {
    ScheduleSetting {
        job,
        variable: "SCHEDULE_TEST",
        cron: cron.map(|c| c.parse().expect("cron")),
    }
}

fn ctx(
    queue: &JobQueue,
    store: &Arc<dyn Store>,
    clock: &Arc<ManualClock>,
    schedules: Vec<ScheduleSetting>,
    owner: &str,
) -> SchedulerCtx {
    SchedulerCtx {
        queue: queue.clone(),
        store: store.clone(),
        schedules,
        clock: clock.clone(),
        owner: owner.into(),
    }
}

fn labels(fired: &[Fired]) -> Vec<(String, String)> {
    fired
        .iter()
        .map(|f| (f.job.clone(), f.slot.label()))
        .collect()
}

fn memory() -> JobQueue {
    JobQueue::Memory(MemoryQueue::new(fast_config(String::new())))
}

#[tokio::test]
async fn at_start_the_latest_slot_missed_today_fires_once_and_never_again_after_a_restart() {
    // Arrange: 11:10 in Paris.
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-12-06T10:10:00Z"));
    let schedules = || {
        vec![
            schedule("sync", Some("0 6 * * *")),
            schedule("odds", Some("0,30 9-22 * * *")),
            schedule("report", Some("0 20 * * *")),
        ]
    };
    // Act
    let first = Scheduler::new(ctx(&queue, &store, &clock, schedules(), "a"))
        .tick()
        .await;
    let restarted = Scheduler::new(ctx(&queue, &store, &clock, schedules(), "a"))
        .tick()
        .await;
    // Assert
    assert_eq!(
        labels(&first),
        vec![
            ("sync".into(), "2026-12-06T06:00".into()),
            ("odds".into(), "2026-12-06T11:00".into()),
        ],
        "one odds refresh, not five"
    );
    assert!(restarted.is_empty(), "{restarted:?}");
    let job = queue
        .reserve(Duration::from_millis(10))
        .await
        .expect("reserve")
        .expect("job");
    assert_eq!(job.job.params, serde_json::json!({"date": "2026-12-06"}));
}

#[tokio::test]
async fn the_0600_sync_fires_at_0600_paris_on_both_sides_of_the_march_change() {
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-03-28T12:00:00Z"));
    let mut s = Scheduler::new(ctx(
        &queue,
        &store,
        &clock,
        vec![schedule("sync", Some("0 6 * * *"))],
        "a",
    ));
    assert_eq!(
        labels(&s.tick().await),
        vec![("sync".into(), "2026-03-28T06:00".into())],
        "catch-up"
    );
    assert_eq!(
        s.next_tick(),
        utc("2026-03-28T12:00:30Z"),
        "never sleeps more than 30 s"
    );
    clock.set("2026-03-29T03:59:59Z");
    assert!(s.tick().await.is_empty(), "05:59:59 CEST");
    assert_eq!(s.next_tick(), utc("2026-03-29T04:00:00Z"));
    clock.set("2026-03-29T04:00:00Z");
    let fired = s.tick().await;
    assert_eq!(
        labels(&fired),
        vec![("sync".into(), "2026-03-29T06:00".into())]
    );
    assert_eq!(fired[0].slot.at, utc("2026-03-29T04:00:00Z"));
}

#[tokio::test]
async fn the_0600_sync_fires_at_0600_paris_on_both_sides_of_the_october_change() {
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-10-24T12:00:00Z"));
    let mut s = Scheduler::new(ctx(
        &queue,
        &store,
        &clock,
        vec![schedule("sync", Some("0 6 * * *"))],
        "a",
    ));
    s.tick().await;
    clock.set("2026-10-25T04:59:59Z");
    assert!(s.tick().await.is_empty(), "05:59:59 CET");
    clock.set("2026-10-25T05:00:00Z");
    assert_eq!(
        labels(&s.tick().await),
        vec![("sync".into(), "2026-10-25T06:00".into())]
    );
}

#[tokio::test]
async fn a_slot_in_the_repeated_october_hour_fires_once() {
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-10-24T23:00:00Z"));
    let mut s = Scheduler::new(ctx(
        &queue,
        &store,
        &clock,
        vec![schedule("retrain", Some("30 2 * * *"))],
        "a",
    ));
    assert!(s.tick().await.is_empty(), "01:00 CEST");
    clock.set("2026-10-25T00:30:00Z");
    assert_eq!(
        labels(&s.tick().await),
        vec![("retrain".into(), "2026-10-25T02:30".into())],
        "02:30 CEST"
    );
    clock.set("2026-10-25T01:30:00Z");
    assert!(s.tick().await.is_empty(), "02:30 CET is the same slot");
    clock.set("2026-10-25T03:00:00Z");
    assert!(s.tick().await.is_empty());
}

#[tokio::test]
async fn a_slot_in_the_missing_march_hour_fires_when_the_clocks_reach_0300() {
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-03-29T00:30:00Z"));
    let mut s = Scheduler::new(ctx(
        &queue,
        &store,
        &clock,
        vec![schedule("retrain", Some("30 2 * * *"))],
        "a",
    ));
    assert!(s.tick().await.is_empty(), "01:30 CET");
    clock.set("2026-03-29T00:59:59Z");
    assert!(s.tick().await.is_empty());
    clock.set("2026-03-29T01:00:00Z");
    assert_eq!(
        labels(&s.tick().await),
        vec![("retrain".into(), "2026-03-29T02:30".into())],
        "03:00 CEST"
    );
}

#[tokio::test]
async fn two_schedulers_ticking_at_once_fire_a_slot_once() {
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-12-06T04:00:00Z"));
    let sync = || {
        vec![
            schedule("sync", Some("0 6 * * *")),
            schedule("odds", Some("*/30 * * * *")),
        ]
    };
    let mut a = Scheduler::new(ctx(&queue, &store, &clock, sync(), "a"));
    let mut b = Scheduler::new(ctx(&queue, &store, &clock, sync(), "b"));
    let (fa, fb) = tokio::join!(a.tick(), b.tick());
    assert_eq!(
        fa.len() + fb.len(),
        1,
        "the 05:00 odds catch-up, once: {fa:?} {fb:?}"
    );
    // Take the job so that de-duplication cannot hide a second firing: only the lock can.
    queue
        .reserve(Duration::from_millis(10))
        .await
        .expect("reserve")
        .expect("job");
    clock.set("2026-12-06T05:00:00Z");
    let (fa, fb) = tokio::join!(a.tick(), b.tick());
    let mut all = labels(&fa);
    all.extend(labels(&fb));
    all.sort();
    assert_eq!(
        all,
        vec![
            ("odds".into(), "2026-12-06T06:00".into()),
            ("sync".into(), "2026-12-06T06:00".into()),
        ]
    );
    assert_eq!(
        queue.queued().await.expect("queued"),
        3,
        "1 taken + 2 waiting"
    );
}

#[tokio::test]
async fn a_disabled_schedule_never_fires() {
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-12-06T22:00:00Z"));
    let mut s = Scheduler::new(ctx(
        &queue,
        &store,
        &clock,
        vec![schedule("report", None)],
        "a",
    ));
    assert!(s.tick().await.is_empty());
    assert_eq!(s.next_tick(), utc("2026-12-06T22:00:30Z"));
    assert_eq!(queue.queued().await.expect("queued"), 0);
}

#[tokio::test]
async fn the_run_loop_enqueues_due_slots_and_stops_on_shutdown() {
    let (store, _dir) = sqlite_store().await;
    let (queue, clock) = (memory(), ManualClock::at("2026-12-06T05:00:10Z"));
    let context = ctx(
        &queue,
        &store,
        &clock,
        vec![schedule("sync", Some("0 6 * * *"))],
        "a",
    );
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(pronoturf_jobs::scheduler::run(context, async move {
        let _ = stop_rx.await;
    }));
    let job = queue
        .reserve(Duration::from_secs(5))
        .await
        .expect("reserve")
        .expect("the 06:00 sync");
    assert_eq!(
        (job.job.name.as_str(), job.job.params.clone()),
        ("sync", serde_json::json!({"date": "2026-12-06"}))
    );
    stop_tx.send(()).expect("stop");
    tokio::time::timeout(Duration::from_secs(2), handle)
        .await
        .expect("stops")
        .expect("join");
}

#[tokio::test]
async fn claims_older_than_a_week_are_purged_once_a_day_and_recent_ones_kept() {
    let (store, _dir) = sqlite_store().await;
    for slot in ["2026-11-28T06:00", "2026-11-29T06:00"] {
        assert!(
            store
                .claim_schedule_slot("sync", slot, "old")
                .await
                .expect("claim")
        );
    }
    let (queue, clock) = (memory(), ManualClock::at("2026-12-06T04:00:00Z"));
    let mut scheduler = Scheduler::new(ctx(&queue, &store, &clock, vec![], "a"));
    scheduler.tick().await;
    assert!(
        store
            .claim_schedule_slot("sync", "2026-11-28T06:00", "b")
            .await
            .expect("claim"),
        "eight days old: purged"
    );
    assert!(
        !store
            .claim_schedule_slot("sync", "2026-11-29T06:00", "b")
            .await
            .expect("claim"),
        "seven days old: kept"
    );
    // Later the same day nothing more is purged, even a claim that is now too old.
    assert!(
        store
            .claim_schedule_slot("sync", "2026-11-01T06:00", "c")
            .await
            .expect("claim")
    );
    clock.set("2026-12-06T20:00:00Z");
    scheduler.tick().await;
    assert!(
        !store
            .claim_schedule_slot("sync", "2026-11-01T06:00", "d")
            .await
            .expect("claim")
    );
    // The next Paris day purges again.
    clock.set("2026-12-06T23:30:00Z");
    scheduler.tick().await;
    assert!(
        store
            .claim_schedule_slot("sync", "2026-11-01T06:00", "e")
            .await
            .expect("claim")
    );
}
