//! Course (`/courses/{date}/{meeting}/{race}`): the runners with the market's probability
//! (odds-implied, normalised over the race) beside the model's stored prediction and its
//! explanation, the odds movement from the odds snapshots, and the result and payouts once known.

use super::predictions::{confidence_label, explanation_text, win_confidence};
use super::{Layout, cached, link, path_number};
use crate::charts::{self, Chart, Series};
use crate::error::{PageError, Result};
use crate::export::{self, Table};
use crate::filters::{Filters, Format, Params, VALUE_EDGE};
use crate::{AppState, format};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::{DateTime, NaiveDate};
use pronoturf_core::domain::{RaceCard, RaceKey, Runner, RunnerStatus};
use pronoturf_core::store::{RunnerPrediction, StoredRacePrediction};
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
        let (card, prediction) = tokio::join!(
            state.store.race_card(key),
            state.store.race_predictions(key)
        );
        let card = card?.ok_or_else(|| {
            PageError::NotFound(format!(
                "La course R{}C{} du {} n'est pas enregistrée.",
                key.meeting,
                key.race,
                format::date(key.date)
            ))
        })?;
        Ok::<_, PageError>((card, prediction?))
    };
    if params.format == Format::Csv {
        let (card, prediction) = load().await?;
        return export::respond(tables(&card, prediction.as_ref()), params.table.as_deref());
    }
    cached(&state, &uri, async {
        let (card, prediction) = load().await?;
        Ok(RacePage::build(&card, prediction.as_ref(), &filters, uri.path())?.render()?)
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
    /// Model win probability.
    pub model: String,
    /// Model rank.
    pub rank: String,
    /// Edge at morning odds.
    pub edge: String,
    /// Whether the edge makes it a value bet.
    pub value: bool,
    /// Features pushing it up and down.
    pub explanation: String,
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
    /// `2026-06-14`, for commands.
    pub date_iso: String,
    /// Runners in number order.
    pub runners: Vec<RunnerLine>,
    /// Model version and confidence of the win pronostic, when predicted.
    pub model: Option<(String, &'static str)>,
    /// Market (and model) probability bars.
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
    pub fn build(
        card: &RaceCard,
        prediction: Option<&StoredRacePrediction>,
        filters: &Filters,
        path: &str,
    ) -> Result<Self> {
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
        let model = model_of(prediction);
        let query = filters.query();
        let runners = card
            .runners
            .iter()
            .map(|r| {
                runner_line(
                    r,
                    probabilities.get(&r.number).copied(),
                    model.get(&r.number).copied(),
                    &query,
                )
            })
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
            date_iso: key.date.to_string(),
            runners,
            model: prediction.map(|p| {
                (
                    p.model_version.clone(),
                    win_confidence(&p.race).map_or("—", confidence_label),
                )
            }),
            probability_chart: probability_chart(card, &probabilities, &model)?,
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

/// The stored prediction of each runner, by number.
fn model_of(prediction: Option<&StoredRacePrediction>) -> BTreeMap<u32, &RunnerPrediction> {
    prediction
        .map(|p| p.race.runners.iter().map(|r| (r.number, r)).collect())
        .unwrap_or_default()
}

fn runner_line(
    r: &Runner,
    probability: Option<f64>,
    model: Option<&RunnerPrediction>,
    query: &str,
) -> RunnerLine {
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
        model: format::or_dash(model, |m| format::pct(m.p_win)),
        rank: format::or_dash(model, |m| m.rank.to_string()),
        edge: format::or_dash(model.and_then(|m| m.edge), |e| format::dec(e, 2)),
        value: model.is_some_and(|m| m.edge.is_some_and(|e| e > VALUE_EDGE)),
        explanation: format::or_dash(model, |m| explanation_text(&m.explanation)),
        finish: match (r.status, r.finish) {
            (_, Some(f)) => f.to_string(),
            (RunnerStatus::NonRunner, _) => "non-partant".into(),
            (RunnerStatus::Dnf, _) => "non classé".into(),
            _ => "—".into(),
        },
    }
}

/// The market's probability of each runner priced and, when the race is predicted, the model's
/// beside it (runners the model predicted or the market priced).
fn probability_chart(
    card: &RaceCard,
    p: &BTreeMap<u32, f64>,
    model: &BTreeMap<u32, &RunnerPrediction>,
) -> Result<Option<Chart>> {
    if p.is_empty() && model.is_empty() {
        return Ok(None);
    }
    let shown: Vec<&Runner> = card
        .runners
        .iter()
        .filter(|r| p.contains_key(&r.number) || model.contains_key(&r.number))
        .collect();
    let labels: Vec<String> = shown
        .iter()
        .map(|r| format!("{} · {}", r.number, r.horse.name))
        .collect();
    let market = (
        "Marché".to_string(),
        shown
            .iter()
            .map(|r| p.get(&r.number).map_or(0.0, |v| v * 100.0))
            .collect(),
    );
    let (title, series) = if model.is_empty() {
        (
            "Probabilité de victoire selon le marché (cotes normalisées)",
            vec![market],
        )
    } else {
        let ours = (
            "Modèle".to_string(),
            shown
                .iter()
                .map(|r| model.get(&r.number).map_or(0.0, |m| m.p_win * 100.0))
                .collect(),
        );
        (
            "Probabilité de victoire : modèle et marché (cotes normalisées)",
            vec![ours, market],
        )
    };
    charts::horizontal_bars(title, "Probabilité (%)", "Partant", &labels, &series)
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

/// The page's tables for CSV: runners (with the model's prediction when stored) and payouts.
pub fn tables(card: &RaceCard, prediction: Option<&StoredRacePrediction>) -> Vec<Table> {
    let p = market_probabilities(card);
    let model = model_of(prediction);
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
            "probabilite_modele",
            "rang_modele",
            "edge",
            "kelly",
            "explication",
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
            export::opt(model.get(&r.number).map(|m| m.p_win)),
            export::opt(model.get(&r.number).map(|m| m.rank)),
            export::opt(model.get(&r.number).and_then(|m| m.edge)),
            export::opt(model.get(&r.number).and_then(|m| m.kelly)),
            export::opt(model.get(&r.number).map(|m| m.explanation.to_string())),
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
