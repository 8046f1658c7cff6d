//! Reader for the history CSV v1 format (`shared/history/README.md`): real race results, one row
//! per runner, validated and grouped into [`RaceCard`]s for import, training and evaluation.
//!
//! Validation choices beyond the README:
//! * Every value is trimmed; an empty cell is unknown (`None`).
//! * Odds must be finite and non-negative. `0` reads as unknown: PMU publishes it for runners it
//!   gave no reference odds (268 real morning odds), and a zero price has no meaning. Odds in
//!   `(0, 1]` are kept as published (HKJC has `1`, PMU one `0.8`); consumers that need a proper
//!   price filter on `> 1`, as the README's market baselines do.
//! * Race-level values (track, country, discipline, distance_m, going) must agree between the rows
//!   of one race. An empty optional cell is unknown and agrees with anything.
//! * Columns other than the required ones may be absent from the header; unknown columns are
//!   ignored, so that a newer file still reads.

mod lines;
mod races;
mod row;

use crate::domain::RaceCard;
use lines::{CsvReader, NewlineTracker, start_line};
use races::Races;
use row::{Columns, Row};
use std::io::Read;

/// Rows between two progress reports: often enough for a smooth bar, rare enough to cost nothing.
const PROGRESS_EVERY: usize = 1000;

/// A whole history file, read and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryFile {
    /// One card per race, in the order in which each race first appears in the file.
    pub cards: Vec<RaceCard>,
    /// Number of data rows (runners) read.
    pub rows: usize,
}

/// Why a history file was rejected, located at the physical line (header = line 1) and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {message}", column_part(.column))]
pub struct HistoryError {
    /// 1-based physical line of the file where the offending row starts.
    pub line: u64,
    /// Header name of the offending column, when one is to blame.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

fn column_part(column: &Option<String>) -> String {
    column
        .as_ref()
        .map(|c| format!(", column {c}"))
        .unwrap_or_default()
}

impl HistoryError {
    fn new(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            line,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }
}

/// Reads and validates a whole history CSV file.
///
/// `progress` is called every thousand rows, and once at the end, with the number of bytes
/// consumed so far. The first invalid row stops the read.
pub fn read_history<R: Read>(
    reader: R,
    progress: &mut dyn FnMut(u64),
) -> Result<HistoryFile, HistoryError> {
    // The header is read as a plain record: csv does not strip a UTF-8 BOM, which would hide the
    // `date` column. Field counts and UTF-8 are checked here, where the row's line is known.
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(NewlineTracker::new(reader));
    let mut bytes = csv::ByteRecord::new();
    if !next_record(&mut csv, &mut bytes)? {
        return Err(HistoryError::new(1, None, "empty file: no header"));
    }
    let header_line = start_line(&mut csv, &bytes);
    let names = header_names(&bytes, header_line)?;
    let columns = Columns::find(&names, header_line)?;

    let mut races = Races::default();
    let mut rows = 0;
    while next_record(&mut csv, &mut bytes)? {
        let line = start_line(&mut csv, &bytes);
        if bytes.len() != names.len() {
            let message = format!(
                "{} fields where the header has {}",
                bytes.len(),
                names.len()
            );
            return Err(HistoryError::new(line, None, message));
        }
        // Moving the buffer in and out of a StringRecord validates UTF-8 without copying.
        let record =
            csv::StringRecord::from_byte_record(std::mem::take(&mut bytes)).map_err(|e| {
                let column = names.get(e.utf8_error().field()).map(String::as_str);
                HistoryError::new(line, column, "not valid UTF-8 (the file must be UTF-8)")
            })?;
        races.add(
            &columns,
            &Row {
                record: &record,
                line,
            },
        )?;
        bytes = record.into_byte_record();
        rows += 1;
        if rows % PROGRESS_EVERY == 0 {
            progress(csv.position().byte());
        }
    }
    progress(csv.position().byte());
    Ok(HistoryFile {
        cards: races.finish(),
        rows,
    })
}

fn next_record<R: Read>(
    csv: &mut CsvReader<R>,
    bytes: &mut csv::ByteRecord,
) -> Result<bool, HistoryError> {
    // With `flexible` and byte records, only I/O can fail here.
    csv.read_byte_record(bytes).map_err(|e| {
        HistoryError::new(
            csv.position().line(),
            None,
            format!("cannot read the file: {e}"),
        )
    })
}

fn header_names(header: &csv::ByteRecord, line: u64) -> Result<Vec<String>, HistoryError> {
    header
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let field = match (i, field) {
                (0, [0xEF, 0xBB, 0xBF, rest @ ..]) => rest,
                _ => field,
            };
            std::str::from_utf8(field)
                .map(|name| name.trim().to_string())
                .map_err(|_| HistoryError::new(line, None, "the header is not valid UTF-8"))
        })
        .collect()
}

#[cfg(test)]
mod tests;
