//! Imports a history CSV (v1) into the Store: the whole file is read and validated first, so a
//! malformed file writes nothing; then races are written in batches, each batch one transaction.

use pronoturf_core::history::{self, HistoryError};
use pronoturf_core::store::{Store, StoreError, WriteSummary};
use serde::Serialize;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::time::Instant;

/// Races per transaction: large enough to amortise commits, small enough for a lively progress bar.
const BATCH_RACES: usize = 250;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid history CSV v1; nothing was written.
    #[error("{path}: {source}; nothing was imported")]
    Invalid {
        /// The file.
        path: String,
        /// Line, column and reason.
        #[source]
        source: HistoryError,
    },
    /// Writing failed; batches before the failing one are stored (a re-run completes the import,
    /// since writes are idempotent).
    #[error("writing to the database failed: {0}")]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// Data rows in the file.
    pub rows: usize,
    /// What was written.
    pub written: WriteSummary,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Progress reports of a running import.
pub trait ImportProgress {
    /// While reading: bytes read so far out of `total`.
    fn reading(&mut self, bytes: u64, total: u64);
    /// While writing: races written so far out of `total`.
    fn writing(&mut self, races: u64, total: u64);
}

/// Ignores progress.
pub struct Quiet;

impl ImportProgress for Quiet {
    fn reading(&mut self, _: u64, _: u64) {}
    fn writing(&mut self, _: u64, _: u64) {}
}

/// Reads, validates and imports the history CSV at `path`.
pub async fn import_history(
    store: &dyn Store,
    path: &Path,
    progress: &mut dyn ImportProgress,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let shown = path.display().to_string();
    let io_err = |source| ImportError::Io {
        path: shown.clone(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let total = file.metadata().map_err(io_err)?.len();
    // Parsing is CPU-bound: keep it off the async executor.
    let parsed = tokio::task::block_in_place(|| {
        history::read_history(BufReader::new(file), &mut |bytes| {
            progress.reading(bytes, total)
        })
    })
    .map_err(|source| ImportError::Invalid {
        path: shown.clone(),
        source,
    })?;
    progress.reading(total, total);

    let races = parsed.cards.len() as u64;
    let mut written = WriteSummary::default();
    for batch in parsed.cards.chunks(BATCH_RACES) {
        written += store.upsert_race_cards(batch).await?;
        progress.writing(written.races, races);
    }
    tracing::info!(file = %shown, rows = parsed.rows, races, "history imported");
    Ok(ImportSummary {
        rows: parsed.rows,
        written,
        seconds: started.elapsed().as_secs_f64(),
    })
}
