//! Performance (`/performance`): how the simulated betting strategies did over the period, from
//! the settled simulated bets (`pronoturf bets settle`): bankroll curve, daily profit and loss,
//! ROI by strategy, discipline, track and morning-odds band, and a weekly table. The confidence
//! and value filters keep only bets whose stored prediction passed them.

mod groups;

use super::{CsvLinks, Layout, cached, track_names};
use crate::charts::{self, Chart, Series};
use crate::error::{PageError, Result};
use crate::export::{self, Table};
use crate::filters::{Filters, Format, Params, VALUE_EDGE};
use crate::{AppState, format, today_in_paris};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use chrono::NaiveDate;
use groups::{Line, by_week, lines, strategy_label, totals_by_strategy};
use pronoturf_core::store::{BetDimension, BetFilter, BetGroup};

/// Starting bankroll of every strategy, euros: the bank `pronoturf bets` settles against
/// (`jobs::settle::BANK`), so the curve matches `pronoturf bets bankroll`.
pub const BANK: f64 = 100.0;

/// Beyond this many days the profit and loss bars are drawn per week: a bar per day would be
/// too thin to read.
const MAX_DAILY_BARS: usize = 62;

/// CSV tables of the page, in the order [`tables`] gives them.
const TABLES: [&str; 6] = [
    "strategies",
    "jours",
    "semaines",
    "disciplines",
    "pistes",
    "cotes",
];

/// What the page shows, read from the Store.
pub struct PerformanceData {
    /// Per strategy and day.
    pub days: Vec<BetGroup>,
    /// Per strategy and discipline.
    pub disciplines: Vec<BetGroup>,
    /// Per strategy and track.
    pub tracks: Vec<BetGroup>,
    /// Per strategy and morning-odds band.
    pub odds: Vec<BetGroup>,
}

/// The Store filter of the page's filters.
pub fn bet_filter(filters: &Filters, today: NaiveDate) -> BetFilter {
    BetFilter {
        period: filters.period_filter(today),
        min_p_win: filters.min_p_win(),
        min_edge: filters.value_only.then_some(VALUE_EDGE),
    }
}

/// Reads the four groupings at once.
pub async fn load(
    state: &AppState,
    filters: &Filters,
    today: NaiveDate,
) -> Result<PerformanceData> {
    let f = bet_filter(filters, today);
    let store = &state.store;
    let (days, disciplines, tracks, odds) = tokio::join!(
        store.sim_bet_groups(&f, BetDimension::Day),
        store.sim_bet_groups(&f, BetDimension::Discipline),
        store.sim_bet_groups(&f, BetDimension::Track),
        store.sim_bet_groups(&f, BetDimension::OddsBand),
    );
    Ok(PerformanceData {
        days: days?,
        disciplines: disciplines?,
        tracks: tracks?,
        odds: odds?,
    })
}

/// `/performance`: the page, or one of its tables as CSV.
pub async fn show(State(state): State<AppState>, uri: Uri, params: Params) -> Result<Response> {
    let today = today_in_paris();
    let filters = params.filters;
    if params.format == Format::Csv {
        let data = load(&state, &filters, today).await?;
        return export::respond(tables(&data), params.table.as_deref());
    }
    cached(&state, &uri, async {
        let (data, tracks) = tokio::join!(load(&state, &filters, today), track_names(&state));
        Ok(PerformancePage::build(&data?, &filters, &tracks?)?.render()?)
    })
    .await
}

/// The Performance page.
#[derive(Template)]
#[template(path = "pages/performance.html")]
pub struct PerformancePage {
    /// Navigation and filters.
    pub layout: Layout,
    /// True when no bet passes the filters.
    pub empty: bool,
    /// Starting bankroll, `100 €`.
    pub bank: String,
    /// One line per strategy.
    pub strategies: Vec<Line>,
    /// Bankroll per strategy, day by day.
    pub bankroll_chart: Option<Chart>,
    /// Profit and loss bars.
    pub pnl_chart: Option<Chart>,
    /// Per discipline.
    pub disciplines: Vec<Line>,
    /// Per track.
    pub tracks: Vec<Line>,
    /// Per morning-odds band.
    pub odds: Vec<Line>,
    /// Per week.
    pub weeks: Vec<Line>,
    /// CSV links of the tables.
    pub csv: CsvLinks,
}

impl PerformancePage {
    /// Maps the data to what the template shows.
    pub fn build(data: &PerformanceData, filters: &Filters, tracks: &[String]) -> Result<Self> {
        let path = "/performance";
        let layout =
            Layout::new(path, "Performance", filters, path).with_form(filters, path, tracks, None);
        let csv = CsvLinks::new(path, filters, &TABLES);
        Ok(Self {
            layout,
            empty: data.days.is_empty(),
            bank: format!("{}\u{a0}€", format::dec(BANK, 0)),
            strategies: lines(&totals_by_strategy(&data.days)),
            bankroll_chart: bankroll_chart(&data.days)?,
            pnl_chart: pnl_chart(&data.days)?,
            disciplines: lines(&data.disciplines),
            tracks: lines(&data.tracks),
            odds: lines(&groups::odds_in_order(&data.odds)),
            weeks: lines(&by_week(&data.days)),
            csv,
        })
    }
}

/// Bankroll of each strategy after each day: the bank plus the profit of every settled bet so
/// far in the period.
fn bankroll_chart(days: &[BetGroup]) -> Result<Option<Chart>> {
    if days.iter().all(|d| d.settled == 0) {
        return Ok(None);
    }
    let x = charts::day_x;
    let mut series: Vec<Series> = Vec::new();
    for d in days.iter().filter(|d| d.settled > 0) {
        let Ok(date) = d.label.parse::<NaiveDate>() else {
            continue;
        };
        let name = strategy_label(&d.strategy);
        if series.last().is_none_or(|s| s.name != name) {
            series.push(Series {
                name: name.clone(),
                points: vec![(x(date) - 1.0, BANK)],
            });
        }
        if let Some(s) = series.last_mut() {
            let balance = s.points.last().map_or(BANK, |p| p.1) + d.profit();
            s.points.push((x(date), balance));
        }
    }
    charts::lines(
        "Bankroll simulée par stratégie (départ 100 €)",
        "Jour",
        "Bankroll (€)",
        &series,
        &charts::day_label,
        &|y| format::dec(y, 0),
    )
    .map(Some)
    .map_err(PageError::Chart)
}

/// Profit and loss per day (per week beyond [`MAX_DAILY_BARS`] days), one bar per strategy.
fn pnl_chart(days: &[BetGroup]) -> Result<Option<Chart>> {
    if days.iter().all(|d| d.settled == 0) {
        return Ok(None);
    }
    let distinct: std::collections::BTreeSet<&str> =
        days.iter().map(|d| d.label.as_str()).collect();
    let weekly = distinct.len() > MAX_DAILY_BARS;
    let groups = if weekly { by_week(days) } else { days.to_vec() };
    let labels: Vec<String> = groups
        .iter()
        .map(|g| g.label.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut strategies: Vec<&str> = groups.iter().map(|g| g.strategy.as_str()).collect();
    strategies.dedup();
    let series: Vec<(String, Vec<f64>)> = strategies
        .iter()
        .map(|s| {
            let values = labels
                .iter()
                .map(|l| {
                    groups
                        .iter()
                        .find(|g| g.strategy == *s && g.label == *l)
                        .map_or(0.0, BetGroup::profit)
                })
                .collect();
            (strategy_label(s), values)
        })
        .collect();
    let shown: Vec<String> = labels
        .iter()
        .map(|l| {
            l.parse::<NaiveDate>()
                .map(|d| d.format("%d/%m").to_string())
                .unwrap_or_else(|_| l.clone())
        })
        .collect();
    let (title, x_label) = if weekly {
        ("Gain net par semaine et par stratégie", "Semaine (lundi)")
    } else {
        ("Gain net par jour et par stratégie", "Jour")
    };
    charts::grouped_columns(title, x_label, "Gain net (€)", &shown, &series)
        .map(Some)
        .map_err(PageError::Chart)
}

/// The page's tables for CSV.
pub fn tables(data: &PerformanceData) -> Vec<Table> {
    vec![
        groups::table("strategies", &totals_by_strategy(&data.days)),
        groups::table("jours", &data.days),
        groups::table("semaines", &by_week(&data.days)),
        groups::table("disciplines", &data.disciplines),
        groups::table("pistes", &data.tracks),
        groups::table("cotes", &groups::odds_in_order(&data.odds)),
    ]
}
