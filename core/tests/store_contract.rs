#![cfg(feature = "runtime")]
//! The Store contract: the same scenarios against SQLite (always) and MySQL/MariaDB (when
//! TEST_MYSQL_URL names a server, e.g. mysql://root@127.0.0.1:3306/test; each test then works in a
//! database of its own, dropped at the end). Under CI=true a missing TEST_MYSQL_URL is a failure.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pronoturf_core::domain::*;
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, ArchivedPayload, JobOutcome, StoreError};

mod support;

use support::backends;

#[path = "contract/predictions.rs"]
mod predictions;

fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .expect("valid instant")
}

fn horse(name: &str) -> Horse {
    Horse {
        name: name.into(),
        source_id: None,
        sex: Some(Sex::Female),
        birth_year: Some(2020),
        sire: Some("SIRE".into()),
        dam: None,
        breed: Some("TROTTEUR FRANCAIS".into()),
    }
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
}

/// A finished two-runner race with odds and payouts; `race` varies the race number.
fn card(race: u32) -> RaceCard {
    let mut r = Race::new(race, Discipline::Attele);
    r.name = Some(format!("PRIX {race}"));
    r.start_time = Some(at(1_767_272_400_000));
    r.distance_m = Some(2700);
    r.prize_eur = Some(42_000.0);
    r.going = Some("Bon".into());
    r.penetrometer = Some(3.4);
    r.arrival = Some(vec![vec![2], vec![1]]);
    r.is_final = true;
    let mut first = Runner::new(1, horse("ÉCLAIR DU VAL"));
    first.jockey = Some("J. Dupont".into());
    first.trainer = Some("P. Martin".into());
    first.status = RunnerStatus::Ran;
    first.finish = Some(2);
    first.odds_reference = Some(3.5);
    first.odds_final = Some(2.9);
    first.weight_kg = Some(59.0);
    first.musique = Some("1a2aDa".into());
    let mut second = Runner::new(2, horse("ECLAIR DU VAL"));
    second.jockey = Some("J. Dupont".into());
    second.status = RunnerStatus::Ran;
    second.finish = Some(1);
    let mut third = Runner::new(3, horse("LENT"));
    third.status = RunnerStatus::NonRunner;
    RaceCard {
        meeting: Meeting {
            date: date(),
            number: 1,
            track: Track {
                name: "VINCENNES".into(),
                code: Some("VIN".into()),
                country: Some("FRA".into()),
            },
            nature: Some("DIURNE".into()),
            audience: Some("NATIONAL".into()),
            status: Some("TERMINEE".into()),
            weather: Some(Weather {
                temperature_c: Some(-2),
                wind_kmh: Some(10),
                wind_direction: Some("NE".into()),
                sky: Some("Ensoleillé".into()),
            }),
        },
        race: r,
        runners: vec![first, second, third],
        odds: vec![
            OddsSnapshot {
                runner: 1,
                kind: OddsKind::Reference,
                odds: 3.5,
                taken_at: at(1_767_250_000_000),
            },
            OddsSnapshot {
                runner: 1,
                kind: OddsKind::Final,
                odds: 2.9,
                taken_at: at(1_767_272_400_123),
            },
        ],
        payouts: vec![Payout {
            bet_type: "SIMPLE_GAGNANT".into(),
            combination: "2".into(),
            label: Some("Simple gagnant".into()),
            dividend_per_euro: 3.1,
            winners: Some(1234.5),
            refunded: false,
        }],
    }
}

#[tokio::test]
async fn a_race_card_reads_back_as_it_was_written() {
    for b in backends().await {
        // Arrange
        let written = card(1);
        // Act
        b.store
            .upsert_race_cards(std::slice::from_ref(&written))
            .await
            .expect("write");
        let read = b.store.race_card(written.key()).await.expect("read");
        // Assert
        assert_eq!(read.as_ref(), Some(&written), "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn writing_the_same_cards_twice_changes_nothing() {
    for b in backends().await {
        let cards = vec![card(1), card(2)];
        b.store
            .upsert_race_cards(&cards)
            .await
            .expect("first write");
        let before = b.store.stats().await.expect("stats");
        b.store
            .upsert_race_cards(&cards)
            .await
            .expect("second write");
        let after = b.store.stats().await.expect("stats");
        assert_eq!(before, after, "{}", b.name);
        assert_eq!(
            (
                after.races,
                after.runners,
                after.odds_snapshots,
                after.payouts
            ),
            (2, 6, 4, 2),
            "{}",
            b.name
        );
        assert_eq!(
            b.store
                .race_card(cards[1].key())
                .await
                .expect("read")
                .as_ref(),
            Some(&cards[1])
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn stats_count_every_table_and_the_date_range() {
    for b in backends().await {
        let mut later = card(1);
        later.meeting.date = NaiveDate::from_ymd_opt(2026, 3, 9).expect("date");
        later.meeting.number = 4;
        later.runners[1].jockey = Some("j.  dupont".into());
        b.store
            .upsert_race_cards(&[card(1), card(2), later])
            .await
            .expect("write");
        let stats = b.store.stats().await.expect("stats");
        assert_eq!(stats.tracks, 1, "{}", b.name);
        assert_eq!(stats.meetings, 2);
        assert_eq!(stats.races, 3);
        assert_eq!(stats.runners, 9, "non-runners are runner rows too");
        // "ÉCLAIR" and "ECLAIR" are two horses, on MySQL as on SQLite.
        assert_eq!(stats.horses, 3, "{}", b.name);
        assert_eq!(
            stats.jockeys, 1,
            "names are normalised: J. Dupont = j.  dupont"
        );
        assert_eq!(stats.trainers, 1);
        assert_eq!(stats.results, 3);
        assert_eq!(stats.payouts, 3);
        assert_eq!(stats.odds_snapshots, 6);
        assert_eq!(stats.payloads, 0);
        assert_eq!(stats.first_date, Some(date()));
        assert_eq!(stats.last_date, NaiveDate::from_ymd_opt(2026, 3, 9));
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_programme_only_card_keeps_runners_and_a_result_updates_them() {
    for b in backends().await {
        // Arrange: the race as declared in the morning.
        let mut morning = card(1);
        morning.race.arrival = None;
        morning.race.is_final = false;
        morning.payouts.clear();
        morning.odds.truncate(1);
        for r in &mut morning.runners {
            if r.status == RunnerStatus::Ran {
                r.status = RunnerStatus::Declared;
                r.finish = None;
            }
        }
        b.store
            .upsert_race_cards(std::slice::from_ref(&morning))
            .await
            .expect("morning");
        // Act: the programme is synced again before participants are published ...
        let mut programme_only = morning.clone();
        programme_only.runners.clear();
        programme_only.odds.clear();
        programme_only.race.name = None;
        b.store
            .upsert_race_cards(&[programme_only])
            .await
            .expect("programme");
        let kept = b.store.race_card(morning.key()).await.expect("read");
        // ... then the result arrives.
        b.store.upsert_race_cards(&[card(1)]).await.expect("result");
        let finished = b.store.race_card(morning.key()).await.expect("read");
        // Assert
        let kept = kept.expect("stored");
        assert_eq!(kept.runners, morning.runners, "{}", b.name);
        assert_eq!(
            kept.race.name, morning.race.name,
            "a missing value never erases a known one"
        );
        assert_eq!(finished.as_ref(), Some(&card(1)), "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_failing_write_leaves_nothing_behind() {
    for b in backends().await {
        // The second card's odds name a runner that does not exist: the error comes after the
        // races and runners were written inside the transaction, which must roll them back.
        let mut bad = card(2);
        bad.odds[0].runner = 99;
        let err = b.store.upsert_race_cards(&[card(1), bad]).await;
        assert!(
            matches!(err, Err(StoreError::Invalid(_))),
            "{}: {err:?}",
            b.name
        );
        let stats = b.store.stats().await.expect("stats");
        assert_eq!(
            (stats.races, stats.runners, stats.horses),
            (0, 0, 0),
            "{}",
            b.name
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn duplicated_keys_in_one_write_are_refused_with_the_race_named() {
    for b in backends().await {
        let mut twice = card(1);
        twice.runners[1].number = 1;
        let err = b
            .store
            .upsert_race_cards(&[twice])
            .await
            .expect_err("refused");
        assert!(err.to_string().contains("2026-01-01 R1C1"), "{err}");
        let err = b
            .store
            .upsert_race_cards(&[card(1), card(1)])
            .await
            .expect_err("refused");
        assert!(err.to_string().contains("appears twice"), "{err}");
        b.cleanup().await;
    }
}

#[tokio::test]
async fn race_keys_of_a_day_come_in_meeting_then_race_order() {
    for b in backends().await {
        let mut r2m2 = card(2);
        r2m2.meeting.number = 2;
        r2m2.meeting.track.name = "PAU".into();
        b.store
            .upsert_race_cards(&[r2m2, card(3), card(1)])
            .await
            .expect("write");
        let keys = b.store.list_race_keys(date()).await.expect("keys");
        let short: Vec<(u32, u32)> = keys.iter().map(|k| (k.meeting, k.race)).collect();
        assert_eq!(short, vec![(1, 1), (1, 3), (2, 2)], "{}", b.name);
        let other_day = date().succ_opt().expect("date");
        assert!(
            b.store
                .list_race_keys(other_day)
                .await
                .expect("keys")
                .is_empty()
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn payloads_are_archived_by_path_and_replaced() {
    for b in backends().await {
        let mut payload = ArchivedPayload {
            path: "programme/01012026".into(),
            kind: "programme".into(),
            date: date(),
            status: 200,
            fetched_at: at(1_767_250_000_000),
            body: b"{\"programme\":{}}".to_vec(),
        };
        b.store.archive_payload(&payload).await.expect("archive");
        payload.body = vec![0, 159, 146, 150, b'{'];
        payload.fetched_at = at(1_767_260_000_000);
        b.store.archive_payload(&payload).await.expect("replace");
        let found = b.store.find_payload(&payload.path).await.expect("find");
        assert_eq!(found.as_ref(), Some(&payload), "{}", b.name);
        assert_eq!(b.store.stats().await.expect("stats").payloads, 1);
        assert!(
            b.store
                .find_payload("programme/02012026")
                .await
                .expect("find")
                .is_none()
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn job_runs_are_recorded_newest_first() {
    for b in backends().await {
        let params = serde_json::json!({"date": "2026-01-01"});
        let first = b
            .store
            .start_job_run("sync", &params, 1)
            .await
            .expect("start");
        let second = b
            .store
            .start_job_run("import", &params, 2)
            .await
            .expect("start");
        b.store
            .finish_job_run(
                first,
                JobOutcome::Succeeded,
                Some(&serde_json::json!({"races": 3})),
                None,
            )
            .await
            .expect("finish");
        b.store
            .finish_job_run(second, JobOutcome::Failed, None, Some("boom"))
            .await
            .expect("finish");
        let runs = b.store.list_job_runs(10).await.expect("list");
        assert_eq!(runs.len(), 2, "{}", b.name);
        assert_eq!((runs[0].id, runs[0].job.as_str()), (second, "import"));
        assert_eq!(runs[0].status, "failed");
        assert_eq!(runs[0].error.as_deref(), Some("boom"));
        assert_eq!(runs[0].attempt, 2);
        assert_eq!(runs[1].status, "succeeded");
        assert_eq!(runs[1].counts, Some(serde_json::json!({"races": 3})));
        assert_eq!(runs[1].params, params);
        assert!(runs[1].finished_at.is_some());
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_redelivered_job_closes_the_runs_its_lost_workers_left_running() {
    for b in backends().await {
        let params = serde_json::json!({"date": "2026-01-01"});
        let start = |id: &'static str, attempt| {
            let (store, params) = (b.store.clone(), params.clone());
            async move {
                store
                    .start_delivered_job_run(id, "sync", &params, attempt)
                    .await
                    .expect("start")
            }
        };
        // Arrange: attempt 1 of job A, whose worker is then lost; job B, same name and params,
        // running elsewhere; a direct run (no job id).
        let lost = start("job-a", 1).await;
        let other = start("job-b", 1).await;
        let direct = b
            .store
            .start_job_run("sync", &params, 1)
            .await
            .expect("start");
        // Act: the queue delivers job A again.
        let retaken = start("job-a", 2).await;
        // Assert: only job A's earlier run is closed, as abandoned.
        let runs = b.store.list_job_runs(10).await.expect("list");
        let status = |id| {
            let run = runs.iter().find(|r| r.id == id).expect("run");
            (
                run.status.clone(),
                run.error.clone(),
                run.finished_at.is_some(),
            )
        };
        let (lost_status, lost_error, lost_finished) = status(lost);
        assert_eq!(lost_status, "failed", "{}", b.name);
        assert!(lost_finished, "{}", b.name);
        assert!(
            lost_error
                .as_deref()
                .is_some_and(|e| e.starts_with("abandoned:")),
            "{}: {lost_error:?}",
            b.name
        );
        for id in [other, direct, retaken] {
            assert_eq!(status(id), ("running".into(), None, false), "{}", b.name);
        }
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_schedule_slot_is_claimed_by_exactly_one_caller() {
    for b in backends().await {
        let (s, slot) = ("sync", "2026-10-25T02:30");
        assert!(
            b.store
                .claim_schedule_slot(s, slot, "a")
                .await
                .expect("claim")
        );
        assert!(
            !b.store
                .claim_schedule_slot(s, slot, "b")
                .await
                .expect("claim"),
            "{}",
            b.name
        );
        assert!(
            !b.store
                .claim_schedule_slot(s, slot, "a")
                .await
                .expect("claim")
        );
        // Another slot, or the same slot of another schedule, is free.
        assert!(
            b.store
                .claim_schedule_slot(s, "2026-10-25T03:30", "b")
                .await
                .expect("claim")
        );
        assert!(
            b.store
                .claim_schedule_slot("odds", slot, "b")
                .await
                .expect("claim")
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn purging_forgets_the_claims_of_earlier_days_only() {
    for b in backends().await {
        for slot in ["2026-10-24T23:30", "2026-10-25T00:00", "2026-10-25T06:00"] {
            assert!(
                b.store
                    .claim_schedule_slot("odds", slot, "a")
                    .await
                    .expect("claim")
            );
        }
        let day = NaiveDate::from_ymd_opt(2026, 10, 25).expect("date");
        let purged = b.store.purge_schedule_slots(day).await.expect("purge");
        assert_eq!(purged, 1, "{}", b.name);
        // The purged slot can be claimed again; the day's own claims still hold.
        assert!(
            b.store
                .claim_schedule_slot("odds", "2026-10-24T23:30", "b")
                .await
                .expect("claim")
        );
        assert!(
            !b.store
                .claim_schedule_slot("odds", "2026-10-25T00:00", "b")
                .await
                .expect("claim")
        );
        assert!(
            !b.store
                .claim_schedule_slot("odds", "2026-10-25T06:00", "b")
                .await
                .expect("claim")
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn migrating_twice_is_harmless_and_health_reports_the_version() {
    for b in backends().await {
        b.store.migrate().await.expect("second migrate");
        let health = b.store.health().await.expect("health");
        assert_eq!(health.backend, b.name);
        assert!(!health.version.is_empty());
        // Every migration file of the backend's tree is applied, no more.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/").to_string() + b.name;
        let files = std::fs::read_dir(&dir).expect("migrations folder").count();
        assert_eq!(health.migrations, files as i64, "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn an_unreachable_mysql_server_is_a_connect_error() {
    let url = DatabaseUrl::parse("DATABASE_URL", "mysql://root@127.0.0.1:1/none").expect("url");
    let err = store::open(&url).await.err().expect("refused");
    assert!(
        matches!(
            err,
            StoreError::Connect {
                backend: "mysql",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_day_lists_its_races_with_counts_and_filters() {
    for b in backends().await {
        let mut pau = card(2);
        pau.meeting.number = 2;
        pau.meeting.track.name = "Pau".into();
        pau.race.discipline = Discipline::Haie;
        pau.race.arrival = None;
        b.store
            .upsert_race_cards(&[card(1), pau])
            .await
            .expect("write");
        let all = b
            .store
            .list_races(date(), &store::RaceFilter::default())
            .await
            .expect("list");
        assert_eq!(all.len(), 2, "{}", b.name);
        assert_eq!(
            (all[0].key.meeting, all[0].track.as_str()),
            (1, "VINCENNES")
        );
        assert_eq!((all[0].runners, all[0].non_runners), (2, 1), "{}", b.name);
        assert!(all[0].has_result && all[0].is_final);
        assert!(!all[1].has_result);
        assert_eq!(all[0].name.as_deref(), Some("PRIX 1"));
        let filter = store::RaceFilter {
            track: Some(" pau ".into()),
            discipline: Some("haie".into()),
        };
        let pau_only = b.store.list_races(date(), &filter).await.expect("list");
        assert_eq!(pau_only.len(), 1, "{}", b.name);
        assert_eq!(pau_only[0].discipline, "HAIE");
        let none = store::RaceFilter {
            track: Some("PAU".into()),
            discipline: Some("PLAT".into()),
        };
        assert!(
            b.store
                .list_races(date(), &none)
                .await
                .expect("list")
                .is_empty()
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_date_range_reads_back_every_card_in_order() {
    for b in backends().await {
        let mut later = card(1);
        later.meeting.date = NaiveDate::from_ymd_opt(2026, 1, 3).expect("date");
        let mut outside = card(1);
        outside.meeting.date = NaiveDate::from_ymd_opt(2026, 2, 1).expect("date");
        let written = vec![later.clone(), card(2), card(1), outside];
        b.store.upsert_race_cards(&written).await.expect("write");
        let to = NaiveDate::from_ymd_opt(2026, 1, 31).expect("date");
        let read = b.store.race_cards_between(date(), to).await.expect("read");
        assert_eq!(read, vec![card(1), card(2), later], "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn tracks_meetings_and_horses_are_listed_with_their_records() {
    for b in backends().await {
        let mut pau = card(1);
        pau.meeting.number = 2;
        pau.meeting.track.name = "PAU".into();
        pau.runners[0].horse.name = "ECLAIR_100%".into();
        pau.race.arrival = Some(vec![vec![1], vec![2]]);
        pau.runners[0].finish = Some(1);
        pau.runners[1].finish = Some(2);
        b.store
            .upsert_race_cards(&[card(1), pau])
            .await
            .expect("write");

        let tracks = b.store.list_tracks().await.expect("tracks");
        let names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["PAU", "VINCENNES"], "{}", b.name);
        assert_eq!(
            (tracks[1].meetings, tracks[1].first_date),
            (1, Some(date()))
        );

        let meetings = b.store.list_meetings(date()).await.expect("meetings");
        assert_eq!(meetings.len(), 2, "{}", b.name);
        assert_eq!(meetings[0].meeting, card(1).meeting);
        assert_eq!(meetings[0].races, 1);

        // Wildcards typed by a user are literal: "ECLAIR_" matches only the horse named so.
        let found = b
            .store
            .search_horses("eclair_", 10, 0)
            .await
            .expect("search");
        assert_eq!(found.len(), 1, "{}: {found:?}", b.name);
        assert_eq!(found[0].name, "ECLAIR_100%");
        let eclair = b
            .store
            .search_horses("ECLAIR DU", 10, 0)
            .await
            .expect("search");
        assert_eq!(eclair.len(), 1, "ÉCLAIR is not ECLAIR: {eclair:?}");
        assert_eq!(
            (eclair[0].runs, eclair[0].wins, eclair[0].places),
            (2, 1, 2),
            "{}",
            b.name
        );
        assert!(
            b.store
                .search_horses("%", 10, 0)
                .await
                .expect("search")
                .is_empty()
        );
        let page = b.store.search_horses("", 2, 1).await.expect("page");
        assert_eq!(page.len(), 2, "offset 1 of 4 horses, limit 2");

        let (horse, form) = b
            .store
            .horse_form(eclair[0].id, 10)
            .await
            .expect("form")
            .expect("horse");
        assert_eq!(horse.name, "ECLAIR DU VAL");
        assert_eq!(form.len(), 2);
        assert_eq!(
            (form[0].track.as_str(), form[0].finish),
            ("PAU", Some(2)),
            "{}",
            b.name
        );
        assert_eq!(form[0].jockey.as_deref(), Some("J. Dupont"));
        assert!(b.store.horse_form(-1, 10).await.expect("form").is_none());
        b.cleanup().await;
    }
}
