//! Typed access to the cells of one history row: where each column is, and how each kind of
//! value is parsed and rejected.

use super::HistoryError;
use crate::domain::{Discipline, Horse, Runner, RunnerStatus, Sex};
use chrono::{Datelike, NaiveDate};

/// A column of the format: its header name and, once the header is read, its index.
#[derive(Debug, Clone, Copy)]
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) index: Option<usize>,
}

/// Where each column of the format sits in this file. Optional columns may be absent.
pub(super) struct Columns {
    pub(super) date: Field,
    pub(super) meeting: Field,
    pub(super) race: Field,
    pub(super) track: Field,
    pub(super) country: Field,
    pub(super) discipline: Field,
    pub(super) distance_m: Field,
    pub(super) going: Field,
    pub(super) runner: Field,
    pub(super) horse: Field,
    pub(super) horse_id: Field,
    pub(super) age: Field,
    pub(super) sex: Field,
    pub(super) jockey: Field,
    pub(super) trainer: Field,
    pub(super) draw: Field,
    pub(super) weight_kg: Field,
    pub(super) musique: Field,
    pub(super) career_starts: Field,
    pub(super) career_wins: Field,
    pub(super) career_places: Field,
    pub(super) earnings_eur: Field,
    pub(super) odds_morning: Field,
    pub(super) odds_final: Field,
    pub(super) status: Field,
    pub(super) finish: Field,
}

impl Columns {
    pub(super) fn find(names: &[String], line: u64) -> Result<Self, HistoryError> {
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
pub(super) struct Row<'a> {
    pub(super) record: &'a csv::StringRecord,
    pub(super) line: u64,
}

impl<'a> Row<'a> {
    pub(super) fn error(&self, field: Field, message: impl Into<String>) -> HistoryError {
        HistoryError::new(self.line, Some(field.name), message)
    }

    pub(super) fn invalid(&self, field: Field, expected: &str, value: &str) -> HistoryError {
        self.error(field, format!("expected {expected}, got {value:?}"))
    }

    pub(super) fn cell(&self, field: Field) -> &'a str {
        field
            .index
            .and_then(|i| self.record.get(i))
            .map_or("", str::trim)
    }

    pub(super) fn required(&self, field: Field) -> Result<&'a str, HistoryError> {
        match self.cell(field) {
            "" => Err(self.error(field, "required value is empty")),
            value => Ok(value),
        }
    }

    pub(super) fn text(&self, field: Field) -> Option<String> {
        Some(self.cell(field))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    pub(super) fn uint(&self, field: Field, min: u32) -> Result<Option<u32>, HistoryError> {
        match self.cell(field) {
            "" => Ok(None),
            value => match value.parse::<u32>() {
                Ok(n) if n >= min => Ok(Some(n)),
                _ => Err(self.invalid(field, &format!("a whole number >= {min}"), value)),
            },
        }
    }

    pub(super) fn required_uint(&self, field: Field, min: u32) -> Result<u32, HistoryError> {
        self.required(field)?;
        self.uint(field, min)?
            .ok_or_else(|| self.error(field, "required value is empty"))
    }

    /// A non-negative decimal; negative weights or earnings are typos, not data.
    pub(super) fn decimal(&self, field: Field) -> Result<Option<f64>, HistoryError> {
        match self.cell(field) {
            "" => Ok(None),
            value => match value.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(self.invalid(field, "a decimal number", value)),
            },
        }
    }

    /// Decimal odds; see the module documentation for why `0` is unknown and `(0, 1]` is kept.
    pub(super) fn odds(&self, field: Field) -> Result<Option<f64>, HistoryError> {
        Ok(self.decimal(field)?.filter(|&odds| odds > 0.0))
    }

    pub(super) fn date(&self, field: Field) -> Result<NaiveDate, HistoryError> {
        let value = self.required(field)?;
        parse_date(value).ok_or_else(|| self.invalid(field, "a date YYYY-MM-DD", value))
    }

    pub(super) fn discipline(&self, field: Field) -> Result<Discipline, HistoryError> {
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

    pub(super) fn sex(&self, field: Field) -> Result<Option<Sex>, HistoryError> {
        match self.cell(field) {
            "" => Ok(None),
            "M" => Ok(Some(Sex::Male)),
            "F" => Ok(Some(Sex::Female)),
            "H" => Ok(Some(Sex::Gelding)),
            other => Err(self.invalid(field, "one of M, F, H", other)),
        }
    }

    pub(super) fn status(&self, field: Field) -> Result<RunnerStatus, HistoryError> {
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

pub(super) fn read_runner(
    c: &Columns,
    row: &Row<'_>,
    date: NaiveDate,
) -> Result<Runner, HistoryError> {
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
