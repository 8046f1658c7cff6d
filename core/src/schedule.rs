//! Cron schedules read in Europe/Paris wall-clock time and turned into UTC instants, correct on
//! the days the clocks change (tokio-cron-scheduler keeps the offset of the day a job was
//! created, so it drifts by an hour after a change: STYLE.md pitfalls).
//!
//! DST rule. Each slot is identified by its *local* label (`2026-10-25T02:30`), fired once:
//! * a local time that does not exist (last Sunday of March, 02:00-02:59) fires at the first
//!   instant after the gap, 03:00 CEST;
//! * a local time that happens twice (last Sunday of October, 02:00-02:59) fires once, at its
//!   first occurrence (CEST); the repeated hour is not a new slot.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// The time zone every schedule is read in.
pub const PARIS: Tz = chrono_tz::Europe::Paris;

/// The default schedules: job name, the variable that overrides it, and its cron expression
/// (minute hour day-of-month month day-of-week, in Paris time).
pub const DEFAULT_SCHEDULES: [(&str, &str, &str); 6] = [
    ("sync", "SCHEDULE_SYNC", "0 6 * * *"),
    ("odds", "SCHEDULE_ODDS", "0,30 9-22 * * *"),
    ("predict", "SCHEDULE_PREDICT", "0 7 * * *"),
    ("results", "SCHEDULE_RESULTS", "0 12-23 * * *"),
    ("retrain", "SCHEDULE_RETRAIN", "0 2 * * 1"),
    ("report", "SCHEDULE_REPORT", "0 20 * * *"),
];

/// A cron expression that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron expression {expression:?}: {reason}")]
pub struct CronError {
    expression: String,
    reason: String,
}

/// A parsed cron expression: five fields (`30 9-22 * * 1-5`), or six with a leading seconds
/// field that must be `0` (slots are whole minutes). Fields take `*`, numbers, lists, ranges
/// and steps (`*/15`, `9-22/2`); day of week is 0-7 with 0 and 7 for Sunday. As in classic
/// cron, when both day of month and day of week are restricted, either may match.
#[derive(Clone, PartialEq, Eq)]
pub struct CronSchedule {
    source: String,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    any_day: bool,
    any_weekday: bool,
}

impl fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronSchedule({:?})", self.source)
    }
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for CronSchedule {
    type Err = CronError;

    fn from_str(s: &str) -> Result<Self, CronError> {
        let err = |reason: String| CronError {
            expression: s.to_string(),
            reason,
        };
        let mut fields: Vec<&str> = s.split_whitespace().collect();
        match fields.len() {
            5 => {}
            6 if fields[0] == "0" => {
                fields.remove(0);
            }
            6 => return Err(err("the seconds field must be 0".into())),
            n => return Err(err(format!("expected 5 fields, got {n}"))),
        }
        let field = |i: usize, name: &str, min: u32, max: u32| {
            parse_field(fields[i], min, max).map_err(|r| err(format!("{name}: {r}")))
        };
        let mut weekdays = field(4, "day of week", 0, 7)?;
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays & !(1 << 7)) | 1;
        }
        Ok(Self {
            source: fields.join(" "),
            minutes: field(0, "minute", 0, 59)?,
            hours: field(1, "hour", 0, 23)?,
            days: field(2, "day of month", 1, 31)?,
            months: field(3, "month", 1, 12)?,
            weekdays,
            any_day: fields[2] == "*",
            any_weekday: fields[4] == "*",
        })
    }
}

/// One firing of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The wall-clock time the schedule names, in Paris.
    pub local: NaiveDateTime,
    /// When it fires.
    pub at: DateTime<Utc>,
}

impl Slot {
    /// The slot's identity, `YYYY-MM-DDTHH:MM` in Paris time.
    pub fn label(&self) -> String {
        self.local.format("%Y-%m-%dT%H:%M").to_string()
    }

    /// The Paris date the slot belongs to.
    pub fn date(&self) -> NaiveDate {
        self.local.date()
    }
}

impl CronSchedule {
    /// The slots firing in `(after, until]`, in firing order.
    pub fn slots_between(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Slot> {
        let first = after.with_timezone(&PARIS).date_naive() - Duration::days(1);
        let last = until.with_timezone(&PARIS).date_naive() + Duration::days(1);
        let mut slots: Vec<Slot> = first
            .iter_days()
            .take_while(|d| *d <= last)
            .flat_map(|d| self.slots_on(d))
            .filter(|s| s.at > after && s.at <= until)
            .collect();
        slots.sort_by_key(|s| s.at);
        slots
    }

    /// The first slot firing strictly after `after`; `None` if the expression never matches
    /// within four years (e.g. 31 February).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<Slot> {
        let first = after.with_timezone(&PARIS).date_naive() - Duration::days(1);
        first
            .iter_days()
            .take(4 * 366 + 2)
            .flat_map(|d| self.slots_on(d))
            .find(|s| s.at > after)
    }

    /// The slots named on one Paris date, in local order (which is also firing order).
    fn slots_on(&self, date: NaiveDate) -> Vec<Slot> {
        if !self.matches_date(date) {
            return Vec::new();
        }
        let mut slots = Vec::new();
        for hour in bits(self.hours) {
            for minute in bits(self.minutes) {
                if let Some(local) = date.and_hms_opt(hour, minute, 0) {
                    slots.push(Slot {
                        local,
                        at: resolve(local),
                    });
                }
            }
        }
        slots
    }

    fn matches_date(&self, date: NaiveDate) -> bool {
        let day = self.days & (1 << date.day()) != 0;
        let weekday = self.weekdays & (1 << date.weekday().num_days_from_sunday()) != 0;
        let month = self.months & (1 << date.month()) != 0;
        let day_ok = match (self.any_day, self.any_weekday) {
            (true, true) => true,
            (false, true) => day,
            (true, false) => weekday,
            (false, false) => day || weekday,
        };
        month && day_ok
    }
}

/// The instant a Paris wall-clock time fires at: the earlier one when it happens twice, the
/// first instant after the gap when it does not exist.
fn resolve(local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    // A gap is one hour in Paris; the loop is bounded anyway.
    for _ in 0..=24 * 60 {
        match PARIS.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&local)
}

fn bits(mask: u64) -> impl Iterator<Item = u32> {
    (0..64).filter(move |i| mask & (1u64 << i) != 0)
}

/// Parses one cron field into a bit set of the values it names.
fn parse_field(text: &str, min: u32, max: u32) -> Result<u64, String> {
    let mut mask = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().map_err(|_| format!("bad step {s:?}"))?;
                if step == 0 {
                    return Err("a step of 0".into());
                }
                (r, step)
            }
            None => (part, 1),
        };
        let number = |t: &str| -> Result<u32, String> {
            let n: u32 = t.parse().map_err(|_| format!("{t:?} is not a number"))?;
            if n < min || n > max {
                return Err(format!("{n} is outside {min}-{max}"));
            }
            Ok(n)
        };
        let (lo, hi) = match range {
            "*" => (min, max),
            r => match r.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                // `5/15` means from 5 to the end, every 15.
                None if part.contains('/') => (number(r)?, max),
                None => {
                    let n = number(r)?;
                    (n, n)
                }
            },
        };
        if lo > hi {
            return Err(format!("empty range {lo}-{hi}"));
        }
        for v in (lo..=hi).step_by(step as usize) {
            mask |= 1 << v;
        }
    }
    Ok(mask)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
