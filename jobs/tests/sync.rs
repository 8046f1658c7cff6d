//! End-to-end sync: a local HTTP server serves real recorded Turfinfo payloads (../shared/pmu)
//! under the real URL layout, `sync_days` runs against it, and the stored rows of the whole day
//! are checked against the payloads. Under CI=true the payloads must be present.

mod common;

use chrono::NaiveDate;
use common::{read_payload as read, shared_pmu};
use pronoturf_core::domain::{RaceKey, RunnerStatus};
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, ArchivedPayload, Store};
use pronoturf_jobs::sync::{Source, SyncSummary, sync_days};
use pronoturf_pmu::client::{ClientConfig, Endpoint, TurfinfoClient};
use pronoturf_pmu::mock::{MockResponse, MockTurfinfo};
use std::sync::Arc;
use std::time::Duration;

fn nov5() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 5).expect("date")
}

fn r1c1() -> RaceKey {
    RaceKey {
        date: nov5(),
        meeting: 1,
        race: 1,
    }
}

/// The recorded payloads of 2025-11-05, keyed by their Turfinfo path.
fn nov5_payloads(dir: &std::path::Path) -> Vec<(Endpoint, Vec<u8>)> {
    let (date, meeting, race) = (nov5(), 1, 1);
    vec![
        (
            Endpoint::Programme { date },
            read(dir, "programme_2025-11-05.json"),
        ),
        (
            Endpoint::Participants {
                date,
                meeting,
                race,
            },
            read(dir, "participants_2025-11-05_R1C1_NANTES_trot-monte.json"),
        ),
        (
            Endpoint::Rapports {
                date,
                meeting,
                race,
            },
            read(
                dir,
                "rapports-definitifs_2025-11-05_R1C1_NANTES_trot-monte.json",
            ),
        ),
    ]
}

async fn fresh_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/sync.db", dir.path().display());
    let store = store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("store");
    (store, dir)
}

fn client(mock: &MockTurfinfo) -> TurfinfoClient {
    let mut config = ClientConfig::new(mock.base_url());
    config.backoff_base = Duration::from_millis(5);
    config.backoff_max = Duration::from_millis(20);
    config.max_retries = 2;
    TurfinfoClient::new(config).expect("client")
}

async fn sync(store: &Arc<dyn Store>, source: &Source, date: NaiveDate) -> SyncSummary {
    sync_days(store.clone(), source, date, date, 4, &mut ()).await
}

/// Number of races of `date` in a programme payload, counted independently of the parser.
fn programme_races(body: &[u8]) -> usize {
    let json: serde_json::Value = serde_json::from_slice(body).expect("json");
    json["programme"]["reunions"]
        .as_array()
        .expect("reunions")
        .iter()
        .map(|r| r["courses"].as_array().map_or(0, Vec::len))
        .sum()
}

#[tokio::test]
async fn a_whole_day_is_synced_from_recorded_payloads() {
    let Some(dir) = shared_pmu() else { return };
    // Arrange
    let mock = MockTurfinfo::start().await;
    let payloads = nov5_payloads(&dir);
    for (endpoint, body) in &payloads {
        mock.serve(&endpoint.path(), body.clone());
    }
    let (store, _tmp) = fresh_store().await;
    // Act
    let summary = sync(&store, &Source::Network(client(&mock)), nov5()).await;
    // Assert: every race of the programme is stored, R1C1 completely.
    let races = programme_races(&payloads[0].1);
    assert_eq!(races, 63);
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(summary.races as usize, races);
    assert_eq!(summary.races_without_runners as usize, races - 1);
    let stats = store.stats().await.expect("stats");
    assert_eq!(stats.races as usize, races);
    assert_eq!(stats.meetings, 9);
    assert_eq!(stats.runners, 14, "the 14 participants of R1C1");
    assert_eq!(stats.payouts, 19, "1+3+1+3+6+1+4 lines of the rapports");
    assert_eq!(
        stats.payloads, 3,
        "programme, participants and rapports archived"
    );
    assert_eq!(stats.first_date, Some(nov5()));
    assert_eq!(stats.last_date, Some(nov5()));
    assert_eq!(
        store.list_race_keys(nov5()).await.expect("keys").len(),
        races
    );

    let card = store.race_card(r1c1()).await.expect("read").expect("R1C1");
    assert_eq!(card.meeting.track.name, "NANTES");
    let arrival: Vec<Vec<u32>> = [7, 3, 9, 13, 5, 14, 6, 8, 4, 11, 10]
        .iter()
        .map(|n| vec![*n])
        .collect();
    assert_eq!(card.race.arrival.as_ref(), Some(&arrival));
    let winner = card.runners.iter().find(|r| r.number == 7).expect("no 7");
    assert_eq!((winner.status, winner.finish), (RunnerStatus::Ran, Some(1)));
    let unplaced: Vec<u32> = card
        .runners
        .iter()
        .filter(|r| r.finish.is_none())
        .map(|r| r.number)
        .collect();
    assert_eq!(unplaced, vec![1, 2, 12], "runners absent from the arrival");
    let simple = card
        .payouts
        .iter()
        .find(|p| p.bet_type == "SIMPLE_GAGNANT")
        .expect("simple gagnant");
    assert_eq!(simple.combination, "7");
    assert!(
        (simple.dividend_per_euro - 3.10).abs() < 1e-9,
        "310 centimes = 3.10 €"
    );
    assert!(
        card.odds.iter().any(|o| o.runner == 7),
        "odds snapshots stored"
    );
    // The other races of the day exist without runners: participants answered 404.
    let r1c2 = RaceKey { race: 2, ..r1c1() };
    let other = store.race_card(r1c2).await.expect("read").expect("R1C2");
    assert!(other.runners.is_empty());
    assert!(
        mock.hits(
            &Endpoint::Participants {
                date: nov5(),
                meeting: 1,
                race: 2
            }
            .path()
        ) == 1
    );
}

#[tokio::test]
async fn syncing_a_day_again_changes_nothing() {
    let Some(dir) = shared_pmu() else { return };
    let mock = MockTurfinfo::start().await;
    for (endpoint, body) in nov5_payloads(&dir) {
        mock.serve(&endpoint.path(), body);
    }
    let (store, _tmp) = fresh_store().await;
    let source = Source::Network(client(&mock));
    sync(&store, &source, nov5()).await;
    let (stats, card) = (
        store.stats().await.expect("stats"),
        store.race_card(r1c1()).await,
    );
    let again = sync(&store, &source, nov5()).await;
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(store.stats().await.expect("stats"), stats);
    assert_eq!(
        store.race_card(r1c1()).await.expect("read"),
        card.expect("read")
    );
}

#[tokio::test]
async fn a_day_replays_from_the_archive_without_the_network() {
    let Some(dir) = shared_pmu() else { return };
    // Arrange: one store synced over HTTP, another holding only the archived payloads.
    let mock = MockTurfinfo::start().await;
    for (endpoint, body) in nov5_payloads(&dir) {
        mock.serve(&endpoint.path(), body);
    }
    let (online, _a) = fresh_store().await;
    sync(&online, &Source::Network(client(&mock)), nov5()).await;
    let (offline, _b) = fresh_store().await;
    for (endpoint, body) in nov5_payloads(&dir) {
        let archived = online.find_payload(&endpoint.path()).await.expect("find");
        assert_eq!(
            archived.as_ref().map(|p| &p.body),
            Some(&body),
            "archived as received"
        );
        offline
            .archive_payload(&archived.expect("archived") as &ArchivedPayload)
            .await
            .expect("copy");
    }
    let hits_before = mock.requests().len();
    // Act
    let summary = sync(&offline, &Source::Archive, nov5()).await;
    // Assert
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(
        mock.requests().len(),
        hits_before,
        "no request in archive mode"
    );
    assert_eq!(
        offline.stats().await.expect("stats"),
        online.stats().await.expect("stats")
    );
    assert_eq!(
        offline.race_card(r1c1()).await.expect("read"),
        online.race_card(r1c1()).await.expect("read")
    );
}

#[tokio::test]
async fn a_broken_race_is_reported_and_written_nowhere_while_the_day_goes_on() {
    let Some(dir) = shared_pmu() else { return };
    let mock = MockTurfinfo::start().await;
    for (endpoint, body) in nov5_payloads(&dir) {
        mock.serve(&endpoint.path(), body);
    }
    let date = nov5();
    // R1C2 answers truncated JSON; R1C3 fails twice with 500 then recovers.
    let broken = Endpoint::Participants {
        date,
        meeting: 1,
        race: 2,
    }
    .path();
    mock.serve(
        &broken,
        br#"{"participants": [{"numPmu": 1, "nom": "#.to_vec(),
    );
    let flaky = Endpoint::Participants {
        date,
        meeting: 1,
        race: 3,
    }
    .path();
    mock.script(
        &flaky,
        vec![MockResponse::status(500), MockResponse::status(503)],
    );
    let (store, _tmp) = fresh_store().await;

    let summary = sync(&store, &Source::Network(client(&mock)), date).await;

    assert_eq!(summary.errors.len(), 1, "{:?}", summary.errors);
    assert!(
        summary.errors[0].starts_with("2025-11-05 R1C2"),
        "{}",
        summary.errors[0]
    );
    let keys = store.list_race_keys(date).await.expect("keys");
    assert!(
        !keys.iter().any(|k| k.meeting == 1 && k.race == 2),
        "R1C2 not written"
    );
    assert_eq!(keys.len(), 62);
    assert_eq!(mock.hits(&flaky), 3, "retried after 500 and 503");
    assert_eq!(store.stats().await.expect("stats").runners, 14);
}

#[tokio::test]
async fn an_unpublished_day_is_counted_not_failed() {
    let mock = MockTurfinfo::start().await;
    let (store, _tmp) = fresh_store().await;
    let date = NaiveDate::from_ymd_opt(2030, 1, 1).expect("date");
    let summary = sync(&store, &Source::Network(client(&mock)), date).await;
    assert_eq!((summary.days, summary.days_unpublished), (1, 1));
    assert!(summary.errors.is_empty());
    assert_eq!(store.stats().await.expect("stats").races, 0);
}

#[tokio::test]
async fn partial_runner_arrays_of_other_days_sync_too() {
    let Some(dir) = shared_pmu() else { return };
    let mock = MockTurfinfo::start().await;
    let date = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    mock.serve(
        &Endpoint::Programme { date }.path(),
        read(&dir, "programme_2026-01-01.json"),
    );
    let participants = Endpoint::Participants {
        date,
        meeting: 1,
        race: 5,
    };
    mock.serve(
        &participants.path(),
        read(
            &dir,
            "PARTIAL_participants-array_2026-01-01_R1C5_VINCENNES_attele_quinte.json",
        ),
    );
    let (store, _tmp) = fresh_store().await;
    let summary = sync(&store, &Source::Network(client(&mock)), date).await;
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let key = RaceKey {
        date,
        meeting: 1,
        race: 5,
    };
    let card = store.race_card(key).await.expect("read").expect("R1C5");
    assert_eq!(card.meeting.track.name, "VINCENNES");
    assert!(card.runners.len() >= 10, "{} runners", card.runners.len());
    assert!(
        card.runners
            .iter()
            .any(|r| r.status == RunnerStatus::NonRunner)
    );
    assert!(card.runners.iter().any(|r| r.status == RunnerStatus::Dnf));
}
