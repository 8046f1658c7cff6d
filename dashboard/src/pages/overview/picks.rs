//! The overview's model section: each race of the day with the model's top pick, its
//! probability beside the morning market's and the confidence of the win pronostic, then the
//! day's value bets. The confidence and value filters apply here.

use super::OverviewData;
use crate::export::{self, Table};
use crate::filters::{Filters, VALUE_EDGE};
use crate::format;
use crate::pages::link;
use crate::pages::predictions::{confidence_label, morning_market, top_pick, win_confidence};
use pronoturf_core::domain::RaceKey;
use pronoturf_core::store::{RunnerPrediction, StoredRacePrediction};
use std::collections::{HashMap, HashSet};

/// One race with the model's top pick.
pub struct PickLine {
    /// Link to the race page, filters kept.
    pub href: String,
    /// `R1C3`.
    pub race: String,
    /// `7 · NAME`.
    pub pick: String,
    /// Model win probability of the pick.
    pub p_win: String,
    /// Morning market's probability of the pick.
    pub p_market: String,
    /// Confidence of the win pronostic.
    pub confidence: &'static str,
    /// Value bets in the race.
    pub value_bets: usize,
}

/// One value bet of the day.
pub struct ValueLine {
    /// Link to the race page.
    pub href: String,
    /// `R1C3`.
    pub race: String,
    /// `7 · NAME`.
    pub runner: String,
    /// Model win probability.
    pub p_win: String,
    /// Morning odds.
    pub odds: String,
    /// Edge.
    pub edge: String,
    /// Kelly stake, share of the bank.
    pub kelly: String,
    /// Edge as a number, for sorting.
    edge_value: f64,
}

/// The model section of the page.
pub struct Picks {
    /// Model version of the day's run, when there is one.
    pub model_version: Option<String>,
    /// Races with their top pick, filters applied.
    pub picks: Vec<PickLine>,
    /// Value bets, filters applied.
    pub values: Vec<ValueLine>,
}

/// One predicted race as the filters leave it.
struct Selected<'a> {
    prediction: &'a StoredRacePrediction,
    /// The top pick, unless the confidence or value filter drops the race.
    top: Option<&'a RunnerPrediction>,
    /// Its value bets that pass the filters.
    values: Vec<&'a RunnerPrediction>,
}

/// The predicted races that pass the page's track and discipline filters, with their top pick
/// and value bets under the confidence and value filters.
fn selected<'a>(data: &'a OverviewData, filters: &Filters) -> Vec<Selected<'a>> {
    let keys: HashSet<RaceKey> = data.races.iter().map(|r| r.key).collect();
    data.predictions
        .iter()
        .filter(|p| keys.contains(&p.race.key))
        .map(|prediction| {
            let race = &prediction.race;
            let values: Vec<&RunnerPrediction> = race
                .runners
                .iter()
                .filter(|r| {
                    r.edge.is_some_and(|e| e > VALUE_EDGE) && filters.keeps(r.p_win, r.edge)
                })
                .collect();
            let top = top_pick(race).filter(|top| {
                filters.min_p_win().is_none_or(|min| top.p_win >= min)
                    && (!filters.value_only || !values.is_empty())
            });
            Selected {
                prediction,
                top,
                values,
            }
        })
        .collect()
}

fn names(data: &OverviewData) -> HashMap<(RaceKey, u32), &str> {
    data.names
        .iter()
        .map(|n| ((n.key, n.number), n.horse.as_str()))
        .collect()
}

fn race_href(key: RaceKey, query: &str) -> String {
    link(
        &format!("/courses/{}/{}/{}", key.date, key.meeting, key.race),
        query,
    )
}

/// Builds the section from the day's predictions.
pub fn picks(data: &OverviewData, filters: &Filters) -> Picks {
    let query = filters.query();
    let names = names(data);
    let runner = |key: RaceKey, number: u32| match names.get(&(key, number)) {
        Some(name) => format!("{number} · {name}"),
        None => number.to_string(),
    };
    let mut picks = Vec::new();
    let mut values = Vec::new();
    for Selected {
        prediction,
        top,
        values: value_runners,
    } in selected(data, filters)
    {
        let race = &prediction.race;
        let key = race.key;
        let label = format!("R{}C{}", key.meeting, key.race);
        for r in &value_runners {
            values.push(ValueLine {
                href: race_href(key, &query),
                race: label.clone(),
                runner: runner(key, r.number),
                p_win: format::pct(r.p_win),
                odds: format::or_dash(r.odds, |o| format::dec(o, 1)),
                edge: format::or_dash(r.edge, |e| format::dec(e, 2)),
                kelly: format::or_dash(r.kelly, format::pct),
                edge_value: r.edge.unwrap_or_default(),
            });
        }
        let Some(top) = top else { continue };
        picks.push(PickLine {
            href: race_href(key, &query),
            race: label,
            pick: runner(key, top.number),
            p_win: format::pct(top.p_win),
            p_market: format::or_dash(morning_market(race).get(&top.number).copied(), format::pct),
            confidence: win_confidence(race).map_or("—", confidence_label),
            value_bets: value_runners.len(),
        });
    }
    // Best edge first (the edges are compared as numbers, not as their French text).
    values.sort_by(|a, b| b.edge_value.total_cmp(&a.edge_value));
    Picks {
        model_version: data.predictions.first().map(|p| p.model_version.clone()),
        picks,
        values,
    }
}

/// The section's tables for CSV: `pronostics` and `value_bets`, filters applied.
pub fn tables(data: &OverviewData, filters: &Filters) -> Vec<Table> {
    let mut picks = Table::new(
        "pronostics",
        vec![
            "date",
            "reunion",
            "course",
            "modele",
            "numero",
            "probabilite_modele",
            "probabilite_marche_matin",
            "confiance",
            "value_bets",
        ],
    );
    let mut values = Table::new(
        "value_bets",
        vec![
            "date",
            "reunion",
            "course",
            "modele",
            "numero",
            "probabilite_modele",
            "cote_matin",
            "edge",
            "kelly",
        ],
    );
    for sel in selected(data, filters) {
        let p = sel.prediction;
        let race = &p.race;
        let key = race.key;
        let head = || {
            vec![
                key.date.to_string(),
                key.meeting.to_string(),
                key.race.to_string(),
                p.model_version.clone(),
            ]
        };
        for r in &sel.values {
            let mut row = head();
            row.extend([
                r.number.to_string(),
                r.p_win.to_string(),
                export::opt(r.odds),
                export::opt(r.edge),
                export::opt(r.kelly),
            ]);
            values.push(row);
        }
        let Some(top) = sel.top else { continue };
        let mut row = head();
        row.extend([
            top.number.to_string(),
            top.p_win.to_string(),
            export::opt(morning_market(race).get(&top.number)),
            win_confidence(race).unwrap_or_default().to_string(),
            sel.values.len().to_string(),
        ]);
        picks.push(row);
    }
    vec![picks, values]
}
