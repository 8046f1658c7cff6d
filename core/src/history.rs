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

use crate::domain::{
    Discipline, Horse, Meeting, OddsKind, OddsSnapshot, Race, RaceCard, RaceKey, Runner,
    RunnerStatus, Sex, Track, arrival_from_finishes,
};
use chrono::{Datelike, NaiveDate, NaiveTime};
use std::collections::{HashMap, VecDeque};
use std::fmt::Display;
use std::io::Read;

/// Rows between two progress reports: often enough for a smooth bar, rare enough to cost nothing.
const PROGRESS_EVERY: usize = 1000;

/// The CSV carries dates only, so odds get conventional instants on the race date (UTC): the
/// morning odds at the start of the day and the final odds at its end, which keeps them ordered.
const REFERENCE_ODDS_TIME: NaiveTime = NaiveTime::MIN;
const FINAL_ODDS_TIME: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

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

    let mut groups = Groups::default();
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
        groups.add(
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
        cards: groups.finish(),
        rows,
    })
}

type CsvReader<R> = csv::Reader<NewlineTracker<R>>;

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

/// The physical line on which the record just read starts.
///
/// csv gives each record the position where the previous one ended, which is before the `\n` of
/// a CRLF and before skipped blank lines, so errors would point one line early. Counting back
/// from the record's end is exact: only the newlines inside quoted fields and a final `\n`
/// terminator lie between its first and last line.
fn start_line<R: Read>(csv: &mut CsvReader<R>, record: &csv::ByteRecord) -> u64 {
    let end = csv.position().clone();
    let ends_with_newline = end.byte() > 0 && csv.get_mut().is_newline_at(end.byte() - 1);
    let inner = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    end.line()
        .saturating_sub(u64::from(ends_with_newline) + inner)
        .max(1)
}

/// Remembers the offsets of the newlines read but not yet parsed, so that [`start_line`] can tell
/// whether a record ended on one.
struct NewlineTracker<R> {
    inner: R,
    offset: u64,
    newlines: VecDeque<u64>,
}

impl<R> NewlineTracker<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            newlines: VecDeque::new(),
        }
    }

    /// Whether the byte at `offset` is a newline. Forgets earlier newlines: records are parsed in
    /// order, so they will not be asked about again.
    fn is_newline_at(&mut self, offset: u64) -> bool {
        while self.newlines.front().is_some_and(|&at| at < offset) {
            self.newlines.pop_front();
        }
        self.newlines.front() == Some(&offset)
    }
}

impl<R: Read> Read for NewlineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        let start = self.offset;
        self.newlines.extend(
            read.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| start + i as u64),
        );
        self.offset += n as u64;
        Ok(n)
    }
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

/// A column of the format: its header name and, once the header is read, its index.
#[derive(Debug, Clone, Copy)]
struct Field {
    name: &'static str,
    index: Option<usize>,
}

/// Where each column of the format sits in this file. Optional columns may be absent.
struct Columns {
    date: Field,
    meeting: Field,
    race: Field,
    track: Field,
    country: Field,
    discipline: Field,
    distance_m: Field,
    going: Field,
    runner: Field,
    horse: Field,
    horse_id: Field,
    age: Field,
    sex: Field,
    jockey: Field,
    trainer: Field,
    draw: Field,
    weight_kg: Field,
    musique: Field,
    career_starts: Field,
    career_wins: Field,
    career_places: Field,
    earnings_eur: Field,
    odds_morning: Field,
    odds_final: Field,
    status: Field,
    finish: Field,
}

impl Columns {
    fn find(names: &[String], line: u64) -> Result<Self, HistoryError> {
        let optional = |name: &'static str| -> Result<Field, HistoryError> {
            let mut found = names.iter().enumerate().filter(|(_, n)| *n == name);
            let index = found.next().map(|(i, _)| i);
            if found.next().is_some() {
                return Err(HistoryError::new(
                    line,
                    Some(name),
                    "the column appears twice in the header",
                ));
            }
            Ok(Field { name, index })
        };
        // `finish` is required in the header although empty cells are allowed: a results file
        // without it could not have a single RAN row.
        let required = |name: &'static str| -> Result<Field, HistoryError> {
            let field = optional(name)?;
            match field.index {
                Some(_) => Ok(field),
                None => Err(HistoryError::new(
                    line,
                    Some(name),
                    "required column missing from the header",
                )),
            }
        };
        Ok(Self {
            date: required("date")?,
            meeting: required("meeting")?,
            race: required("race")?,
            track: required("track")?,
            country: optional("country")?,
            discipline: required("discipline")?,
            distance_m: optional("distance_m")?,
            going: optional("going")?,
            runner: required("runner")?,
            horse: required("horse")?,
            horse_id: optional("horse_id")?,
            age: optional("age")?,
            sex: optional("sex")?,
            jockey: optional("jockey")?,
            trainer: optional("trainer")?,
            draw: optional("draw")?,
            weight_kg: optional("weight_kg")?,
            musique: optional("musique")?,
            career_starts: optional("career_starts")?,
            career_wins: optional("career_wins")?,
            career_places: optional("career_places")?,
            earnings_eur: optional("earnings_eur")?,
            odds_morning: optional("odds_morning")?,
            odds_final: optional("odds_final")?,
            status: required("status")?,
            finish: required("finish")?,
        })
    }
}

/// One data row and the line it starts on; parses its cells into typed values.
struct Row<'a> {
    record: &'a csv::StringRecord,
    line: u64,
}

impl<'a> Row<'a> {
    fn error(&self, field: Field, message: impl Into<String>) -> HistoryError {
        HistoryError::new(self.line, Some(field.name), message)
    }

    fn invalid(&self, field: Field, expected: &str, value: &str) -> HistoryError {
        self.error(field, format!("expected {expected}, got {value:?}"))
    }

    fn cell(&self, field: Field) -> &'a str {
        field
            .index
            .and_then(|i| self.record.get(i))
            .map_or("", str::trim)
    }

    fn required(&self, field: Field) -> Result<&'a str, HistoryError> {
        match self.cell(field) {
            "" => Err(self.error(field, "required value is empty")),
            value => Ok(value),
        }
    }

    fn text(&self, field: Field) -> Option<String> {
        Some(self.cell(field))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    fn uint(&self, field: Field, min: u32) -> Result<Option<u32>, HistoryError> {
        match self.cell(field) {
            "" => Ok(None),
            value => match value.parse::<u32>() {
                Ok(n) if n >= min => Ok(Some(n)),
                _ => Err(self.invalid(field, &format!("a whole number >= {min}"), value)),
            },
        }
    }

    fn required_uint(&self, field: Field, min: u32) -> Result<u32, HistoryError> {
        self.required(field)?;
        self.uint(field, min)?
            .ok_or_else(|| self.error(field, "required value is empty"))
    }

    /// A non-negative decimal; negative weights or earnings are typos, not data.
    fn decimal(&self, field: Field) -> Result<Option<f64>, HistoryError> {
        match self.cell(field) {
            "" => Ok(None),
            value => match value.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(self.invalid(field, "a decimal number", value)),
            },
        }
    }

    /// Decimal odds; see the module documentation for why `0` is unknown and `(0, 1]` is kept.
    fn odds(&self, field: Field) -> Result<Option<f64>, HistoryError> {
        Ok(self.decimal(field)?.filter(|&odds| odds > 0.0))
    }

    fn date(&self, field: Field) -> Result<NaiveDate, HistoryError> {
        let value = self.required(field)?;
        parse_date(value).ok_or_else(|| self.invalid(field, "a date YYYY-MM-DD", value))
    }

    fn discipline(&self, field: Field) -> Result<Discipline, HistoryError> {
        // Unlike the PMU API, this format is ours: an unknown spelling is a mistake, not news.
        match self.required(field)? {
            "PLAT" => Ok(Discipline::Plat),
            "ATTELE" => Ok(Discipline::Attele),
            "MONTE" => Ok(Discipline::Monte),
            "HAIE" => Ok(Discipline::Haie),
            "STEEPLECHASE" => Ok(Discipline::Steeplechase),
            "CROSS" => Ok(Discipline::Cross),
            other => Err(self.invalid(
                field,
                "one of PLAT, ATTELE, MONTE, HAIE, STEEPLECHASE, CROSS",
                other,
            )),
        }
    }

    fn sex(&self, field: Field) -> Result<Option<Sex>, HistoryError> {
        match self.cell(field) {
            "" => Ok(None),
            "M" => Ok(Some(Sex::Male)),
            "F" => Ok(Some(Sex::Female)),
            "H" => Ok(Some(Sex::Gelding)),
            other => Err(self.invalid(field, "one of M, F, H", other)),
        }
    }

    fn status(&self, field: Field) -> Result<RunnerStatus, HistoryError> {
        // DECLARED is a storage status, not a result: a history row has always been run or not.
        match self.required(field)? {
            "RAN" => Ok(RunnerStatus::Ran),
            "DNF" => Ok(RunnerStatus::Dnf),
            "NON_RUNNER" => Ok(RunnerStatus::NonRunner),
            other => Err(self.invalid(field, "one of RAN, DNF, NON_RUNNER", other)),
        }
    }
}

/// Strict `YYYY-MM-DD`: chrono's `%Y-%m-%d` also takes `2026-1-5`, which no source writes.
fn parse_date(value: &str) -> Option<NaiveDate> {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(&bytes[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&bytes[5..7])?, number(&bytes[8..10])?)
}

/// A race being assembled, with the lines needed to explain a later conflict.
struct Group {
    card: RaceCard,
    first_line: u64,
    /// Line of each runner, parallel to `card.runners`.
    runner_lines: Vec<u64>,
}

/// Races in order of first appearance, with an index to find a race seen earlier.
#[derive(Default)]
struct Groups {
    groups: Vec<Group>,
    index: HashMap<RaceKey, usize>,
}

impl Groups {
    fn add(&mut self, c: &Columns, row: &Row<'_>) -> Result<(), HistoryError> {
        let key = RaceKey {
            date: row.date(c.date)?,
            meeting: row.required_uint(c.meeting, 1)?,
            race: row.required_uint(c.race, 1)?,
        };
        let track = row.required(c.track)?;
        let discipline = row.discipline(c.discipline)?;
        let distance_m = row.uint(c.distance_m, 0)?;
        let country = non_empty(row.cell(c.country));
        let going = non_empty(row.cell(c.going));
        let runner = read_runner(c, row, key.date)?;

        // Rows of one race are adjacent in practice, so the last group saves a hash lookup.
        let found = match self.groups.last() {
            Some(last) if last.card.key() == key => Some(self.groups.len() - 1),
            _ => self.index.get(&key).copied(),
        };
        let at = found.unwrap_or_else(|| {
            self.index.insert(key, self.groups.len());
            self.groups.push(Group {
                card: new_card(key, track, discipline.clone()),
                first_line: row.line,
                runner_lines: Vec::with_capacity(16),
            });
            self.groups.len() - 1
        });

        let group = &mut self.groups[at];
        let first_line = group.first_line;
        let card = &mut group.card;
        if card.meeting.track.name != track {
            return Err(conflict(
                row,
                c.track,
                track,
                &card.meeting.track.name,
                first_line,
            ));
        }
        if card.race.discipline != discipline {
            return Err(conflict(
                row,
                c.discipline,
                discipline,
                &card.race.discipline,
                first_line,
            ));
        }
        merge(
            row,
            c.country,
            &mut card.meeting.track.country,
            country,
            first_line,
        )?;
        merge(
            row,
            c.distance_m,
            &mut card.race.distance_m,
            distance_m,
            first_line,
        )?;
        merge(row, c.going, &mut card.race.going, going, first_line)?;
        if let Some(i) = card.runners.iter().position(|r| r.number == runner.number) {
            return Err(row.error(
                c.runner,
                format!(
                    "runner {} of {key} appears twice: first at line {}",
                    runner.number, group.runner_lines[i]
                ),
            ));
        }
        group.push(runner, row.line);
        Ok(())
    }

    fn finish(self) -> Vec<RaceCard> {
        self.groups
            .into_iter()
            .map(|group| {
                let mut card = group.card;
                card.race.arrival = arrival_from_finishes(&card.runners);
                card.race.is_final = card.race.arrival.is_some();
                card
            })
            .collect()
    }
}

impl Group {
    fn push(&mut self, runner: Runner, line: u64) {
        let date = self.card.meeting.date;
        let snapshot = |kind, odds, time| OddsSnapshot {
            runner: runner.number,
            kind,
            odds,
            taken_at: date.and_time(time).and_utc(),
        };
        let reference = runner.odds_reference;
        let last = runner.odds_final;
        self.card.odds.extend(
            [
                reference.map(|o| snapshot(OddsKind::Reference, o, REFERENCE_ODDS_TIME)),
                last.map(|o| snapshot(OddsKind::Final, o, FINAL_ODDS_TIME)),
            ]
            .into_iter()
            .flatten(),
        );
        self.card.runners.push(runner);
        self.runner_lines.push(line);
    }
}

fn new_card(key: RaceKey, track: &str, discipline: Discipline) -> RaceCard {
    RaceCard {
        meeting: Meeting {
            date: key.date,
            number: key.meeting,
            track: Track {
                name: track.to_string(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race: Race::new(key.race, discipline),
        runners: Vec::with_capacity(16),
        odds: Vec::with_capacity(32),
        payouts: Vec::new(),
    }
}

fn non_empty(value: &str) -> Option<&str> {
    Some(value).filter(|v| !v.is_empty())
}

/// Fills an unknown race-level value, or checks a known one against this row's.
fn merge<T, V>(
    row: &Row<'_>,
    field: Field,
    slot: &mut Option<T>,
    value: Option<V>,
    first_line: u64,
) -> Result<(), HistoryError>
where
    T: Display,
    V: Display + PartialEq<T> + Into<T>,
{
    let Some(value) = value else {
        return Ok(());
    };
    match slot {
        None => *slot = Some(value.into()),
        Some(known) if value == *known => {}
        Some(known) => return Err(conflict(row, field, value, &*known, first_line)),
    }
    Ok(())
}

fn conflict(
    row: &Row<'_>,
    field: Field,
    value: impl Display,
    known: impl Display,
    first_line: u64,
) -> HistoryError {
    row.error(
        field,
        format!("\"{value}\" differs from \"{known}\" given for the same race (which starts at line {first_line})"),
    )
}

fn read_runner(c: &Columns, row: &Row<'_>, date: NaiveDate) -> Result<Runner, HistoryError> {
    let number = row.required_uint(c.runner, 1)?;
    let age = row.uint(c.age, 0)?;
    let status = row.status(c.status)?;
    let finish = row.uint(c.finish, 1)?;
    match (status, finish) {
        (RunnerStatus::Ran, None) => {
            return Err(row.error(c.finish, "required when status is RAN"));
        }
        (RunnerStatus::Dnf | RunnerStatus::NonRunner, Some(_)) => {
            return Err(row.error(
                c.finish,
                format!("must be empty when status is {}", status.as_str()),
            ));
        }
        _ => {}
    }
    let horse = Horse {
        name: row.required(c.horse)?.to_string(),
        source_id: row.text(c.horse_id),
        sex: row.sex(c.sex)?,
        birth_year: age.and_then(|a| date.year().checked_sub(i32::try_from(a).ok()?)),
        sire: None,
        dam: None,
        breed: None,
    };
    Ok(Runner {
        jockey: row.text(c.jockey),
        trainer: row.text(c.trainer),
        age,
        draw: row.uint(c.draw, 0)?,
        weight_kg: row.decimal(c.weight_kg)?,
        musique: row.text(c.musique),
        career_starts: row.uint(c.career_starts, 0)?,
        career_wins: row.uint(c.career_wins, 0)?,
        career_places: row.uint(c.career_places, 0)?,
        earnings_eur: row.decimal(c.earnings_eur)?,
        status,
        finish,
        odds_reference: row.odds(c.odds_morning)?,
        odds_final: row.odds(c.odds_final)?,
        ..Runner::new(number, horse)
    })
}

#[cfg(test)]
mod tests;
