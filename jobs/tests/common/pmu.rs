//! The recorded Turfinfo payloads of ../shared/pmu (required under CI=true) and a fast-retrying
//! client for the local server that serves them.

use chrono::NaiveDate;
use pronoturf_core::domain::RaceKey;
use pronoturf_pmu::client::{ClientConfig, Endpoint, TurfinfoClient};
use pronoturf_pmu::mock::MockTurfinfo;
use std::path::PathBuf;
use std::time::Duration;

/// The recorded Turfinfo payloads (../shared/pmu beside the checkout; SHARED_DIR overrides it for
/// worktrees laid out elsewhere); their absence fails under CI=true and skips the test otherwise.
pub fn shared_pmu() -> Option<PathBuf> {
    let default = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    let dir = std::env::var_os("SHARED_DIR")
        .map_or(default, PathBuf::from)
        .join("pmu");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: the test needs the recorded payloads",
        dir.display()
    );
    eprintln!("{} not found: test skipped", dir.display());
    None
}

/// One recorded payload.
pub fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn nov5() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 5).expect("date")
}

pub fn r1c1() -> RaceKey {
    RaceKey {
        date: nov5(),
        meeting: 1,
        race: 1,
    }
}

/// The recorded payloads of 2025-11-05, keyed by their Turfinfo path.
pub fn nov5_payloads(dir: &std::path::Path) -> Vec<(Endpoint, Vec<u8>)> {
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

/// A client of `mock` with short backoffs, so retry tests stay fast.
pub fn client(mock: &MockTurfinfo) -> TurfinfoClient {
    let mut config = ClientConfig::new(mock.base_url());
    config.backoff_base = Duration::from_millis(5);
    config.backoff_max = Duration::from_millis(20);
    config.max_retries = 2;
    TurfinfoClient::new(config).expect("client")
}
