//! The search page shared by Chevaux, Jockeys and Entraîneurs: a name prefix, then the matching
//! records with their wins and places, each linking to its page.

use super::{Layout, link};
use crate::export::Table;
use crate::filters::Filters;
use crate::format;
use askama::Template;
use pronoturf_core::store::PeriodFilter;

/// Results shown at most.
pub const LIMIT: u32 = 50;

/// One match.
pub struct SearchLine {
    /// Link to its page, filters kept.
    pub href: String,
    /// Name.
    pub name: String,
    /// Runs.
    pub runs: String,
    /// Wins.
    pub wins: String,
    /// Top-three finishes.
    pub places: String,
    /// Wins per run.
    pub win_rate: String,
}

/// A record as the search lists it: (id, name, runs, wins, places).
pub type Record = (i64, String, i64, i64, i64);

/// The search page.
#[derive(Template)]
#[template(path = "pages/search.html")]
pub struct SearchPage {
    /// Navigation and filters.
    pub layout: Layout,
    /// Chevaux, Jockeys, Entraîneurs.
    pub heading: &'static str,
    /// Label of the search box.
    pub label: &'static str,
    /// The page's path.
    pub action: String,
    /// Text searched.
    pub search: String,
    /// The filters, kept by the search form as hidden fields.
    pub hidden: Vec<(String, String)>,
    /// Matches.
    pub results: Vec<SearchLine>,
    /// CSV of the matches.
    pub csv: String,
}

impl SearchPage {
    /// Maps the records found to the page.
    pub fn build(
        section: &'static str,
        heading: &'static str,
        label: &'static str,
        filters: &Filters,
        search: Option<&str>,
        records: &[Record],
    ) -> Self {
        let query = filters.query();
        let mut extra = vec![("format", "csv")];
        if let Some(q) = search {
            extra.push(("q", q));
        }
        Self {
            layout: Layout::new(section, heading, filters, section),
            heading,
            label,
            action: section.to_string(),
            search: search.unwrap_or_default().to_string(),
            hidden: url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            results: records
                .iter()
                .map(|(id, name, runs, wins, places)| SearchLine {
                    href: link(&format!("{section}/{id}"), &query),
                    name: name.clone(),
                    runs: format::int(*runs),
                    wins: format::int(*wins),
                    places: format::int(*places),
                    win_rate: format::or_dash(
                        (*runs > 0).then(|| *wins as f64 / *runs as f64),
                        format::pct,
                    ),
                })
                .collect(),
            csv: link(section, &filters.query_with(&extra)),
        }
    }
}

/// The matches as a CSV table.
pub fn table(name: &str, records: &[Record]) -> Table {
    let mut t = Table::new(name, vec!["id", "nom", "courses", "victoires", "places"]);
    for (id, n, runs, wins, places) in records {
        t.push(vec![
            id.to_string(),
            n.clone(),
            runs.to_string(),
            wins.to_string(),
            places.to_string(),
        ]);
    }
    t
}

/// True when a past race passes the period filter (date, track, discipline).
pub fn in_period(date: chrono::NaiveDate, track: &str, discipline: &str, f: &PeriodFilter) -> bool {
    use pronoturf_core::domain::normalise_name;
    f.from.is_none_or(|from| date >= from)
        && f.to.is_none_or(|to| date <= to)
        && (f.tracks.is_empty()
            || f.tracks
                .iter()
                .any(|t| normalise_name(t) == normalise_name(track)))
        && (f.disciplines.is_empty() || f.disciplines.iter().any(|d| d == discipline))
}
