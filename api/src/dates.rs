//! Dates of paths, queries and bodies: RFC 3339 full dates, so years 0000 to 9999. chrono also
//! parses signed and five-digit years, which MySQL cannot store (a query with one fails): they are
//! refused as malformed input instead.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer};

fn check<E: serde::de::Error>(date: NaiveDate) -> Result<NaiveDate, E> {
    if (0..=9999).contains(&date.year()) {
        Ok(date)
    } else {
        Err(E::custom(format!(
            "date {date} is out of range: years 0000 to 9999"
        )))
    }
}

/// A required date.
pub fn day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    check(NaiveDate::deserialize(d)?)
}

/// An optional date (use with `#[serde(default)]`).
pub fn optional_day<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<NaiveDate>::deserialize(d)?.map(check).transpose()
}
