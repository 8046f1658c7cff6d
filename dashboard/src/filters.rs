//! The query string every page reads: filters (période, pistes, disciplines, confiance minimale,
//! value bets seulement), the auto-refresh toggle, the chosen date, a search text and the CSV
//! export switch. Filters are written back
//! into every link, so navigation keeps them. Malformed values are a 400, never a 500.

use crate::error::PageError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{Days, Months, NaiveDate};
use pronoturf_core::store::PeriodFilter;

/// Disciplines as stored, with their French label.
pub const DISCIPLINES: [(&str, &str); 6] = [
    ("PLAT", "Plat"),
    ("ATTELE", "Trot attelé"),
    ("MONTE", "Trot monté"),
    ("HAIE", "Haies"),
    ("STEEPLECHASE", "Steeple-chase"),
    ("CROSS", "Cross"),
];

/// Edge (p_win × morning odds − 1) above which a runner is a value bet: the threshold
/// `pronoturf predict`, the API and the value strategy use.
pub const VALUE_EDGE: f64 = 0.10;

/// Most tracks one filter may name: a guard against absurd query strings.
const MAX_TRACKS: usize = 30;
/// Longest search text or track name accepted.
const MAX_TEXT: usize = 100;

/// The period a page covers, ending at the chosen date (today by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// The last 7 days.
    Days7,
    /// The last 30 days.
    #[default]
    Days30,
    /// The last 6 months.
    Months6,
    /// The last 12 months.
    Year,
    /// Everything stored.
    All,
}

impl Period {
    /// Every period, in menu order.
    pub const ALL: [Period; 5] = [
        Self::Days7,
        Self::Days30,
        Self::Months6,
        Self::Year,
        Self::All,
    ];

    /// Query-string spelling.
    pub fn code(self) -> &'static str {
        match self {
            Self::Days7 => "7j",
            Self::Days30 => "30j",
            Self::Months6 => "6m",
            Self::Year => "1a",
            Self::All => "tout",
        }
    }

    /// French label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Days7 => "7 j",
            Self::Days30 => "30 j",
            Self::Months6 => "6 mois",
            Self::Year => "Année",
            Self::All => "Tout",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == raw)
    }

    /// First day of the period ending at `end`; `None` for everything.
    fn start(self, end: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Days7 => end.checked_sub_days(Days::new(6)),
            Self::Days30 => end.checked_sub_days(Days::new(29)),
            Self::Months6 => end
                .checked_sub_months(Months::new(6))
                .and_then(|d| d.succ_opt()),
            Self::Year => end
                .checked_sub_months(Months::new(12))
                .and_then(|d| d.succ_opt()),
            Self::All => None,
        }
    }
}

/// Filters kept in every link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Période.
    pub period: Period,
    /// Pistes (track names as typed or listed).
    pub tracks: Vec<String>,
    /// Disciplines (stored spelling).
    pub disciplines: Vec<String>,
    /// Meta refresh every minute.
    pub auto_refresh: bool,
    /// The date the period ends at (and the overview's day); `None` is today.
    pub date: Option<NaiveDate>,
    /// Minimum model win probability, in percent, of the predictions and bets shown.
    pub min_confidence: Option<u8>,
    /// Only value bets (edge above [`VALUE_EDGE`]).
    pub value_only: bool,
}

impl Filters {
    /// The Store filter of the period ending at the chosen date or `today`.
    pub fn period_filter(&self, today: NaiveDate) -> PeriodFilter {
        let end = self.date.unwrap_or(today);
        let (from, to) = match self.period {
            Period::All => (None, None),
            p => (p.start(end), Some(end)),
        };
        PeriodFilter {
            from,
            to,
            tracks: self.tracks.clone(),
            disciplines: self.disciplines.clone(),
        }
    }

    /// The minimum win probability as a share, when one is chosen.
    pub fn min_p_win(&self) -> Option<f64> {
        self.min_confidence.map(|c| f64::from(c) / 100.0)
    }

    /// Whether a prediction with win probability `p_win` and `edge` passes the confidence and
    /// value filters.
    pub fn keeps(&self, p_win: f64, edge: Option<f64>) -> bool {
        self.min_p_win().is_none_or(|min| p_win >= min)
            && (!self.value_only || edge.is_some_and(|e| e > VALUE_EDGE))
    }

    /// The period just before [`Self::period_filter`], of the same length; `None` for "Tout".
    pub fn previous_filter(&self, today: NaiveDate) -> Option<PeriodFilter> {
        let current = self.period_filter(today);
        let (from, to) = (current.from?, current.to?);
        let days = (to - from).num_days();
        let prev_to = from.pred_opt()?;
        let prev_from = prev_to.checked_sub_days(Days::new(u64::try_from(days).ok()?))?;
        Some(PeriodFilter {
            from: Some(prev_from),
            to: Some(prev_to),
            ..current
        })
    }

    /// The filters as a query string (without `?`), default values left out.
    pub fn query(&self) -> String {
        self.query_with(&[])
    }

    /// The filters plus `extra` pairs, as a query string.
    pub fn query_with(&self, extra: &[(&str, &str)]) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if self.period != Period::default() {
            s.append_pair("periode", self.period.code());
        }
        for t in &self.tracks {
            s.append_pair("piste", t);
        }
        for d in &self.disciplines {
            s.append_pair("discipline", d);
        }
        if let Some(date) = self.date {
            s.append_pair("date", &date.to_string());
        }
        if let Some(c) = self.min_confidence {
            s.append_pair("confiance", &c.to_string());
        }
        if self.value_only {
            s.append_pair("value", "1");
        }
        if self.auto_refresh {
            s.append_pair("auto", "1");
        }
        for (k, v) in extra {
            s.append_pair(k, v);
        }
        s.finish()
    }
}

/// Output format of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The HTML page.
    #[default]
    Html,
    /// One of its tables as CSV.
    Csv,
}

/// Everything a page reads from its query string.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Filters kept in links.
    pub filters: Filters,
    /// Search text (`q`).
    pub search: Option<String>,
    /// `format=csv` asks for a table as CSV.
    pub format: Format,
    /// Which table to export (`tableau`), when a page has several.
    pub table: Option<String>,
}

impl Params {
    /// Parses a raw query string.
    pub fn parse(query: &str) -> Result<Self, PageError> {
        let mut p = Params::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "periode" => {
                    p.filters.period = Period::parse(value).ok_or_else(|| {
                        PageError::BadRequest(format!(
                            "Période inconnue « {value} » : choisissez 7j, 30j, 6m, 1a ou tout."
                        ))
                    })?;
                }
                "piste" if value.is_empty() => {}
                "piste" => {
                    check_length("piste", value)?;
                    if !p.filters.tracks.iter().any(|t| t == value) {
                        p.filters.tracks.push(value.to_string());
                    }
                    if p.filters.tracks.len() > MAX_TRACKS {
                        return Err(PageError::BadRequest(format!(
                            "Trop de pistes : {MAX_TRACKS} au plus."
                        )));
                    }
                }
                "discipline" if value.is_empty() => {}
                "discipline" => {
                    let upper = value.to_ascii_uppercase();
                    if !DISCIPLINES.iter().any(|(code, _)| *code == upper) {
                        return Err(PageError::BadRequest(format!(
                            "Discipline inconnue « {value} »."
                        )));
                    }
                    if !p.filters.disciplines.contains(&upper) {
                        p.filters.disciplines.push(upper);
                    }
                }
                "date" if value.is_empty() => {}
                "date" => {
                    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                        PageError::BadRequest(format!(
                            "Date invalide « {value} » : attendu AAAA-MM-JJ."
                        ))
                    })?;
                    p.filters.date = Some(date);
                }
                "confiance" if value.is_empty() => {}
                "confiance" => {
                    let c: u8 = value.parse().ok().filter(|c| *c <= 100).ok_or_else(|| {
                        PageError::BadRequest(format!(
                            "Confiance invalide « {value} » : un pourcentage de 0 à 100."
                        ))
                    })?;
                    p.filters.min_confidence = (c > 0).then_some(c);
                }
                "value" => p.filters.value_only = value == "1",
                "auto" => p.filters.auto_refresh = value == "1",
                "q" => {
                    check_length("q", value)?;
                    p.search = (!value.is_empty()).then(|| value.to_string());
                }
                "format" => {
                    p.format = match value {
                        "" | "html" => Format::Html,
                        "csv" => Format::Csv,
                        other => {
                            return Err(PageError::BadRequest(format!(
                                "Format inconnu « {other} » : html ou csv."
                            )));
                        }
                    }
                }
                "tableau" => p.table = (!value.is_empty()).then(|| value.to_string()),
                // Unknown keys are ignored: old bookmarks keep working.
                _ => {}
            }
        }
        Ok(p)
    }
}

fn check_length(name: &str, value: &str) -> Result<(), PageError> {
    if value.chars().count() > MAX_TEXT {
        return Err(PageError::BadRequest(format!(
            "Valeur trop longue pour « {name} » : {MAX_TEXT} caractères au plus."
        )));
    }
    Ok(())
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Params::parse(parts.uri.query().unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn repeated_tracks_and_disciplines_are_read_and_written_back() {
        let p = Params::parse("periode=7j&piste=PAU&piste=VINCENNES&discipline=plat&auto=1")
            .expect("valid");
        assert_eq!(p.filters.period, Period::Days7);
        assert_eq!(p.filters.tracks, vec!["PAU", "VINCENNES"]);
        assert_eq!(p.filters.disciplines, vec!["PLAT"]);
        assert_eq!(
            p.filters.query(),
            "periode=7j&piste=PAU&piste=VINCENNES&discipline=PLAT&auto=1"
        );
    }

    #[test]
    fn bad_values_are_client_errors_with_a_french_message() {
        for bad in [
            "periode=2j",
            "discipline=golf",
            "date=14-06-2026",
            "format=pdf",
            "confiance=120",
            "confiance=beaucoup",
        ] {
            let e = Params::parse(bad).expect_err(bad);
            assert!(matches!(e, PageError::BadRequest(_)), "{bad}");
        }
        let long = format!("q={}", "a".repeat(101));
        assert!(Params::parse(&long).is_err());
    }

    #[test]
    fn confidence_and_value_filters_are_kept_and_select_predictions() {
        let p = Params::parse("confiance=25&value=1&periode=7j").expect("valid");
        assert_eq!(p.filters.query(), "periode=7j&confiance=25&value=1");
        assert!(p.filters.keeps(0.25, Some(0.11)));
        assert!(!p.filters.keeps(0.24, Some(0.5)), "below the confidence");
        assert!(
            !p.filters.keeps(0.5, Some(0.10)),
            "an edge of 0.10 is not above it"
        );
        assert!(!p.filters.keeps(0.5, None), "no odds, no edge");
        let none = Params::parse("confiance=0").expect("valid");
        assert_eq!(none.filters.min_confidence, None);
        assert!(none.filters.keeps(0.0, None));
    }

    #[test]
    fn a_period_ends_at_the_chosen_date_and_the_previous_one_has_the_same_length() {
        let p = Params::parse("periode=7j&date=2026-06-14").expect("valid");
        let today = day(2026, 12, 6);
        let current = p.filters.period_filter(today);
        assert_eq!(
            (current.from, current.to),
            (Some(day(2026, 6, 8)), Some(day(2026, 6, 14)))
        );
        let previous = p.filters.previous_filter(today).expect("previous");
        assert_eq!(
            (previous.from, previous.to),
            (Some(day(2026, 6, 1)), Some(day(2026, 6, 7)))
        );
        let all = Params::parse("periode=tout").expect("valid");
        assert_eq!(all.filters.period_filter(today).from, None);
        assert!(all.filters.previous_filter(today).is_none());
    }
}
