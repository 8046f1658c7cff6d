//! Reproduces the market baselines of `shared/history/README.md` on the real history files, as a
//! sanity check of the market arithmetic every evaluation relies on.

use pronoturf_core::history::read_history;
use pronoturf_ml::market::{MarketOdds, market_logloss};
use std::path::{Path, PathBuf};

const HISTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/history");

/// The history folder lives outside the repository: its absence fails CI but only skips locally.
fn history_file(name: &str) -> Option<PathBuf> {
    let path = Path::new(HISTORY).join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing on CI",
        path.display()
    );
    eprintln!(
        "notice: {} not found, market baseline test skipped",
        path.display()
    );
    None
}

fn cards(path: &Path) -> Vec<pronoturf_core::domain::RaceCard> {
    let file = std::fs::File::open(path).expect("open the history file");
    read_history(std::io::BufReader::new(file), &mut |_| {})
        .expect("a valid history file")
        .cards
}

#[test]
fn pmu_market_log_loss_matches_the_readme() {
    let Some(path) = history_file("pmu_fr_2026-01_2026-06-15.csv") else {
        return;
    };
    let cards = cards(&path);
    let last = market_logloss(&cards, MarketOdds::Final).expect("final odds");
    let morning = market_logloss(&cards, MarketOdds::Morning).expect("morning odds");
    assert!((last.logloss - 1.876).abs() < 0.0005, "{last:?}");
    assert!((morning.logloss - 2.015).abs() < 0.0005, "{morning:?}");
    assert!(last.races > 4000 && morning.races > 3500);
}

#[test]
fn hkjc_market_log_loss_matches_the_readme() {
    let Some(path) = history_file("hkjc_2016-2023.csv") else {
        return;
    };
    let cards = cards(&path);
    let last = market_logloss(&cards, MarketOdds::Final).expect("final odds");
    assert!((last.logloss - 2.007).abs() < 0.0005, "{last:?}");
    assert_eq!(market_logloss(&cards, MarketOdds::Morning), None);
}
