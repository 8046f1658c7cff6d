//! Reads the real history files of `shared/history` and checks the reader against counts taken
//! by a plain csv pass, so that a grouping or validation bug cannot hide behind its own numbers.

use pronoturf_core::history::{HistoryFile, read_history};
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

const HISTORY_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/history");

/// The shared folder lives outside the repository: skip where it is absent, except in CI, where a
/// silently skipped test would look like a passing one.
fn history_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(HISTORY_DIR);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "history folder {HISTORY_DIR} is missing: CI must provide the shared history files"
    );
    eprintln!("notice: {HISTORY_DIR} is missing, real history files not tested");
    None
}

/// Counts computed without the reader: rows, distinct races, races with a RAN finisher.
struct PlainCounts {
    rows: usize,
    races: usize,
    races_with_finisher: usize,
}

fn plain_counts(path: &Path) -> PlainCounts {
    let mut reader = csv::Reader::from_path(path).expect("open the file");
    let headers = reader.headers().expect("a header").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .expect("a known column")
    };
    let (date, meeting, race) = (column("date"), column("meeting"), column("race"));
    let (status, finish) = (column("status"), column("finish"));
    let mut rows = 0;
    let mut races = HashSet::new();
    let mut finished = HashSet::new();
    for record in reader.records() {
        let record = record.expect("a csv record");
        let key = format!("{} R{}C{}", &record[date], &record[meeting], &record[race]);
        if &record[status] == "RAN" && !record[finish].is_empty() {
            finished.insert(key.clone());
        }
        races.insert(key);
        rows += 1;
    }
    PlainCounts {
        rows,
        races: races.len(),
        races_with_finisher: finished.len(),
    }
}

fn read_real_file(dir: &Path, name: &str, expected_rows: usize) {
    // Arrange
    let path = dir.join(name);
    let expected = plain_counts(&path);
    let file = File::open(&path).expect("open the file");
    let mut last_progress = 0;

    // Act
    let started = Instant::now();
    let history: HistoryFile =
        read_history(file, &mut |bytes| last_progress = bytes).expect("a valid history file");
    eprintln!(
        "{name}: {} rows, {} races read in {:?}",
        history.rows,
        history.cards.len(),
        started.elapsed()
    );

    // Assert
    assert_eq!(expected.rows, expected_rows);
    assert_eq!(history.rows, expected.rows);
    assert_eq!(history.cards.len(), expected.races);
    let runners: usize = history.cards.iter().map(|c| c.runners.len()).sum();
    assert_eq!(runners, expected.rows);
    let with_arrival = history
        .cards
        .iter()
        .filter(|c| c.race.arrival.is_some())
        .count();
    assert_eq!(with_arrival, expected.races_with_finisher);
    let size = std::fs::metadata(&path).expect("file metadata").len();
    assert_eq!(last_progress, size);
}

#[test]
fn the_pmu_history_file_reads_completely() {
    if let Some(dir) = history_dir() {
        read_real_file(&dir, "pmu_fr_2026-01_2026-06-15.csv", 49_358);
    }
}

#[test]
fn the_hkjc_history_file_reads_completely() {
    if let Some(dir) = history_dir() {
        read_real_file(&dir, "hkjc_2016-2023.csv", 79_062);
    }
}
