//! CSV downloads of the pages' tables (`?format=csv`, with the page's filters): written with the
//! csv crate, so separators, quotes and line breaks inside values are escaped properly. Values
//! are plain (decimal point, ISO dates) so spreadsheets and scripts read them as numbers. Text
//! that a spreadsheet would run as a formula (a name from the PMU feed starting with `=`, `+`,
//! `-` or `@`) is written with a leading apostrophe, numbers never.

use std::borrow::Cow;

use crate::error::{PageError, Result};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A table ready to be written as CSV.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// File name offered to the browser, without extension.
    pub name: String,
    /// Column headers.
    pub headers: Vec<&'static str>,
    /// Rows, one value per header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these headers.
    pub fn new(name: impl Into<String>, headers: Vec<&'static str>) -> Self {
        Self {
            name: name.into(),
            headers,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The CSV bytes.
    pub fn to_csv(&self) -> Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.headers)?;
        for row in &self.rows {
            w.write_record(row.iter().map(|cell| inert(cell).into_owned()))?;
        }
        w.into_inner()
            .map_err(|e| PageError::Csv(csv::Error::from(e.into_error())))
    }
}

/// The one table named `wanted` (or the first when none is named) as a CSV download; an unknown
/// name is a 400 listing the names this page offers.
pub fn respond(tables: Vec<Table>, wanted: Option<&str>) -> Result<Response> {
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    let table = match wanted {
        None => tables.into_iter().next(),
        Some(w) => tables.into_iter().find(|t| t.name == w),
    }
    .ok_or_else(|| {
        PageError::BadRequest(format!(
            "Tableau inconnu : cette page propose {}.",
            names.join(", ")
        ))
    })?;
    let body = table.to_csv()?;
    let disposition = format!("attachment; filename=\"{}.csv\"", table.name);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// `cell`, with a leading apostrophe when a spreadsheet would take it for a formula (CSV
/// injection): text starting with `=`, `+`, `-`, `@`, a tab or a carriage return. Numbers such
/// as `-12.5` are left as they are, so profits and losses stay numbers.
fn inert(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// An optional value as CSV text (empty when unknown).
pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_with_commas_quotes_and_newlines_are_quoted() {
        let mut t = Table::new("t", vec!["nom", "valeur"]);
        t.push(vec!["PRIX \"A\", B".into(), "ligne\nsuivante".into()]);
        let csv = String::from_utf8(t.to_csv().expect("csv")).expect("utf8");
        assert_eq!(
            csv,
            "nom,valeur\n\"PRIX \"\"A\"\", B\",\"ligne\nsuivante\"\n"
        );
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_made_inert_but_numbers_are_not() {
        let mut t = Table::new("t", vec!["cheval", "gain"]);
        t.push(vec!["=HYPERLINK(\"http://x\")".into(), "-12.5".into()]);
        t.push(vec!["@SUM(A1)".into(), "+3".into()]);
        t.push(vec!["-cmd|' /C calc'!A0".into(), "\tx".into()]);
        t.push(vec!["JOUR DE GLOIRE".into(), "1e3".into()]);
        let csv = String::from_utf8(t.to_csv().expect("csv")).expect("utf8");
        assert_eq!(
            csv,
            "cheval,gain\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.5\n'@SUM(A1),+3\n\
             '-cmd|' /C calc'!A0,'\tx\nJOUR DE GLOIRE,1e3\n"
        );
    }

    #[test]
    fn an_unknown_table_is_a_bad_request() {
        let e = respond(vec![Table::new("courses", vec!["a"])], Some("x")).expect_err("unknown");
        assert!(matches!(e, PageError::BadRequest(m) if m.contains("courses")));
    }
}
