//! Course (`/courses/{date}/{meeting}/{race}`): the runners with the market's probability
//! (odds-implied, normalised over the race), the odds movement from the odds snapshots, and the
//! result and payouts once known.

use super::{Layout, cached, link, path_number};
use crate::charts::{self, Chart, Series};
use crate::error::{PageError, Result};
use crate::export::{self, Table};
use crate::filters::{Filters, Format, Params};
use crate::{AppState, format};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::{DateTime, NaiveDate};
use pronoturf_core::domain::{RaceCard, RaceKey, Runner, RunnerStatus};
use std::collections::BTreeMap;

/// Most runners drawn in the odds chart: beyond that the legend is unreadable.
const ODDS_SERIES: usize = 8;

/// `/courses/{date}/{meeting}/{race}`: the page, or a table as CSV. 404 for an unknown race.
pub async fn show(
    State(state): State<AppState>,
    Path((date, meeting, race)): Path<(String, String, String)>,
    uri: Uri,
    params: Params,
) -> Result<Response> {
    let key = RaceKey {
        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|_| PageError::NotFound(format!("Aucune course à la date « {date} ».")))?,
        meeting: path_number(&meeting, "La réunion")?,
        race: path_number(&race, "La course")?,
    };
    let filters = params.filters;
    let load = || async {
        state.store.race_card(key).await?.ok_or_else(|| {
            PageError::NotFound(format!(
                "La course R{}C{} du {} n'est pas enregistrée.",
                key.meeting,
                key.race,
                format::date(key.date)
            ))
        })
    };
    if params.format == Format::Csv {
        return export::respond(tables(&load().await?), params.table.as_deref());
    }
    cached(&state, &uri, async {
        Ok(RacePage::build(&load().await?, &filters, uri.path())?.render()?)
    })
    .await
}

/// The market's win probability of each runner still in the race: 1/odds normalised to sum to
/// one (final odds, else reference odds). Runners without odds get none.
pub fn market_probabilities(card: &RaceCard) -> BTreeMap<u32, f64> {
    let odds: Vec<(u32, f64)> = card
        .runners
        .iter()
        .filter(|r| r.status != RunnerStatus::NonRunner)
        .filter_map(|r| r.odds_final.or(r.odds_reference).map(|o| (r.number, o)))
        .filter(|(_, o)| *o > 1.0)
        .collect();
    let total: f64 = odds.iter().map(|(_, o)| 1.0 / o).sum();
    odds.into_iter()
        .map(|(n, o)| (n, (1.0 / o) / total))
        .collect()
}

/// One runner line.
pub struct RunnerLine {
    /// Saddle-cloth number.
    pub number: u32,
    /// Horse name.
    pub horse: String,
    /// Search link for the horse.
    pub horse_href: String,
    /// Jockey or driver.
    pub jockey: String,
    /// Trainer.
    pub trainer: String,
    /// Morning odds.
    pub odds_reference: String,
    /// Final odds.
    pub odds_final: String,
    /// Market probability.
    pub probability: String,
    /// Finishing position or status.
    pub finish: String,
}

/// One payout line.
pub struct PayoutLine {
    /// Bet.
    pub bet: String,
    /// Combination.
    pub combination: String,
    /// Dividend for 1 €.
    pub dividend: String,
}

/// The race page.
#[derive(Template)]
#[template(path = "pages/race.html")]
pub struct RacePage {
    /// Navigation and filters.
    pub layout: Layout,
    /// `R1C3 · PRIX X`.
    pub heading: String,
    /// Track, date, time, discipline, distance, prize.
    pub facts: String,
    /// Back to the day's races.
    pub day_href: String,
    /// Runners in number order.
    pub runners: Vec<RunnerLine>,
    /// Market probability bars.
    pub probability_chart: Option<Chart>,
    /// Odds movement.
    pub odds_chart: Option<Chart>,
    /// Arrival order, when known.
    pub arrival: Option<String>,
    /// Payouts.
    pub payouts: Vec<PayoutLine>,
    /// CSV of the runners.
    pub csv_runners: String,
    /// CSV of the payouts.
    pub csv_payouts: String,
}

impl RacePage {
    /// Maps a race card to what the template shows.
    pub fn build(card: &RaceCard, filters: &Filters, path: &str) -> Result<Self> {
        let key = card.key();
        let race = &card.race;
        let heading = format!(
            "R{}C{} · {}",
            key.meeting,
            key.race,
            race.name.as_deref().unwrap_or("Course")
        );
        let mut facts = vec![card.meeting.track.name.clone(), format::date(key.date)];
        facts.extend(race.start_time.map(format::time));
        facts.push(race.discipline.as_str().to_string());
        facts.extend(
            race.distance_m
                .map(|d| format!("{}\u{a0}m", format::int(d.into()))),
        );
        facts.extend(
            race.prize_eur
                .map(|p| format!("{}\u{a0}€", format::int(p.round() as i64))),
        );
        let probabilities = market_probabilities(card);
        let query = filters.query();
        let runners = card
            .runners
            .iter()
            .map(|r| runner_line(r, probabilities.get(&r.number).copied(), &query))
            .collect();
        let day = Filters {
            date: Some(key.date),
            ..filters.clone()
        };
        Ok(Self {
            layout: Layout::new("/", &heading, filters, path),
            heading,
            facts: facts.join(" · "),
            day_href: link("/", &day.query()),
            runners,
            probability_chart: probability_chart(card, &probabilities)?,
            odds_chart: odds_chart(card, &probabilities)?,
            arrival: race.arrival.as_ref().map(|a| {
                a.iter()
                    .map(|slot| {
                        slot.iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(" = ")
                    })
                    .collect::<Vec<_>>()
                    .join(" – ")
            }),
            payouts: card
                .payouts
                .iter()
                .map(|p| PayoutLine {
                    bet: p.label.clone().unwrap_or_else(|| p.bet_type.clone()),
                    combination: p.combination.clone(),
                    dividend: if p.refunded {
                        "remboursé".into()
                    } else {
                        format!("{}\u{a0}€", format::dec(p.dividend_per_euro, 2))
                    },
                })
                .collect(),
            csv_runners: link(
                path,
                &filters.query_with(&[("format", "csv"), ("tableau", "partants")]),
            ),
            csv_payouts: link(
                path,
                &filters.query_with(&[("format", "csv"), ("tableau", "rapports")]),
            ),
        })
    }
}

fn runner_line(r: &Runner, probability: Option<f64>, query: &str) -> RunnerLine {
    let search = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &r.horse.name)
        .finish();
    let query = if query.is_empty() {
        search
    } else {
        format!("{query}&{search}")
    };
    RunnerLine {
        number: r.number,
        horse: r.horse.name.clone(),
        horse_href: link("/chevaux", &query),
        jockey: r.jockey.clone().unwrap_or_default(),
        trainer: r.trainer.clone().unwrap_or_default(),
        odds_reference: format::or_dash(r.odds_reference, |o| format::dec(o, 1)),
        odds_final: format::or_dash(r.odds_final, |o| format::dec(o, 1)),
        probability: format::or_dash(probability, format::pct),
        finish: match (r.status, r.finish) {
            (_, Some(f)) => f.to_string(),
            (RunnerStatus::NonRunner, _) => "non-partant".into(),
            (RunnerStatus::Dnf, _) => "non classé".into(),
            _ => "—".into(),
        },
    }
}

fn probability_chart(card: &RaceCard, p: &BTreeMap<u32, f64>) -> Result<Option<Chart>> {
    if p.is_empty() {
        return Ok(None);
    }
    let bars: Vec<(String, f64)> = card
        .runners
        .iter()
        .filter_map(|r| {
            p.get(&r.number)
                .map(|v| (format!("{} · {}", r.number, r.horse.name), v * 100.0))
        })
        .collect();
    charts::horizontal_bars(
        "Probabilité de victoire selon le marché (cotes normalisées)",
        "Probabilité (%)",
        "Partant",
        &bars,
    )
    .map(Some)
    .map_err(PageError::Chart)
}

fn odds_chart(card: &RaceCard, p: &BTreeMap<u32, f64>) -> Result<Option<Chart>> {
    // The shortest-priced runners first, as many as the legend can hold.
    let mut favourites: Vec<(u32, f64)> = p.iter().map(|(n, v)| (*n, *v)).collect();
    favourites.sort_by(|a, b| b.1.total_cmp(&a.1));
    let names: BTreeMap<u32, &str> = card
        .runners
        .iter()
        .map(|r| (r.number, r.horse.name.as_str()))
        .collect();
    let series: Vec<Series> = favourites
        .iter()
        .take(ODDS_SERIES)
        .filter_map(|(number, _)| {
            let mut points: Vec<(f64, f64)> = card
                .odds
                .iter()
                .filter(|o| o.runner == *number)
                .map(|o| (o.taken_at.timestamp() as f64, o.odds))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            (points.len() >= 2).then(|| Series {
                name: format!("{} · {}", number, names.get(number).copied().unwrap_or("")),
                points,
            })
        })
        .collect();
    if series.is_empty() {
        return Ok(None);
    }
    let time = |x: f64| {
        DateTime::from_timestamp(x.round() as i64, 0)
            .map(format::time)
            .unwrap_or_default()
    };
    charts::lines(
        "Évolution des cotes (favoris du marché)",
        "Heure (Paris)",
        "Cote",
        &series,
        &time,
        &|y| format::dec(y, 1),
    )
    .map(Some)
    .map_err(PageError::Chart)
}

/// The page's tables for CSV: runners and payouts.
pub fn tables(card: &RaceCard) -> Vec<Table> {
    let p = market_probabilities(card);
    let mut runners = Table::new(
        "partants",
        vec![
            "numero",
            "cheval",
            "jockey",
            "entraineur",
            "statut",
            "cote_reference",
            "cote_finale",
            "probabilite_marche",
            "place",
        ],
    );
    for r in &card.runners {
        runners.push(vec![
            r.number.to_string(),
            r.horse.name.clone(),
            r.jockey.clone().unwrap_or_default(),
            r.trainer.clone().unwrap_or_default(),
            r.status.as_str().to_string(),
            export::opt(r.odds_reference),
            export::opt(r.odds_final),
            export::opt(p.get(&r.number)),
            export::opt(r.finish),
        ]);
    }
    let mut payouts = Table::new(
        "rapports",
        vec![
            "pari",
            "libelle",
            "combinaison",
            "rapport_pour_1_euro",
            "rembourse",
        ],
    );
    for x in &card.payouts {
        payouts.push(vec![
            x.bet_type.clone(),
            x.label.clone().unwrap_or_default(),
            x.combination.clone(),
            x.dividend_per_euro.to_string(),
            x.refunded.to_string(),
        ]);
    }
    vec![runners, payouts]
}
