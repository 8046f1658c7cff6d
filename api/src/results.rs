//! The results of a day: each race's arrival order and payouts, read from the stored race cards.
//! A day whose races are all official never changes again: it is cached for long and carries an
//! ETag and a public Cache-Control.

use crate::AppState;
use crate::error::Result;
use crate::extract::Query;
use crate::predictions::to_json;
use crate::races::{fnv1a, json_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use pronoturf_core::domain::{Payout, RaceCard, RunnerStatus};
use pronoturf_core::store::RaceFilter;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// A day with a race still open may change at the next sync.
const OPEN_TTL: Duration = Duration::from_secs(60);
/// A day whose results are all official does not.
const FINAL_TTL: Duration = Duration::from_secs(3600);

/// Query of `GET /api/v1/results`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ResultsQuery {
    /// Day (YYYY-MM-DD, Paris date); today when omitted.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub date: Option<NaiveDate>,
}

/// A payout line.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutResponse {
    /// Bet type as published (SIMPLE_GAGNANT, E_SIMPLE_PLACE, QUINTE_PLUS...).
    pub bet_type: String,
    /// Winning combination, runner numbers joined by '-'.
    pub combination: String,
    /// Label of the line ("Simple placé", "Quinté+ Désordre"...).
    pub label: Option<String>,
    /// Dividend for a 1 € stake, stake included, euros.
    pub dividend_per_euro: f64,
    /// Winning tickets, when published.
    pub winners: Option<f64>,
    /// True when the bet was refunded.
    pub refunded: bool,
}

impl From<Payout> for PayoutResponse {
    fn from(p: Payout) -> Self {
        Self {
            bet_type: p.bet_type,
            combination: p.combination,
            label: p.label,
            dividend_per_euro: p.dividend_per_euro,
            winners: p.winners,
            refunded: p.refunded,
        }
    }
}

/// The result of one race.
#[derive(Debug, Serialize, ToSchema)]
pub struct RaceResultResponse {
    /// Meeting number (R).
    pub meeting: u32,
    /// Race number (C).
    pub race: u32,
    /// Racecourse.
    pub track: String,
    /// Race name.
    pub name: Option<String>,
    /// Discipline.
    pub discipline: String,
    /// Arrival order: one group of runner numbers per place (several on a dead heat); absent
    /// until the race is run.
    pub arrival: Option<Vec<Vec<u32>>>,
    /// True once the result is official.
    pub is_final: bool,
    /// Numbers of the non-runners.
    pub non_runners: Vec<u32>,
    /// Payouts, as published.
    pub payouts: Vec<PayoutResponse>,
}

impl From<RaceCard> for RaceResultResponse {
    fn from(card: RaceCard) -> Self {
        Self {
            meeting: card.meeting.number,
            race: card.race.number,
            track: card.meeting.track.name,
            name: card.race.name,
            discipline: card.race.discipline.to_string(),
            arrival: card.race.arrival,
            is_final: card.race.is_final,
            non_runners: card
                .runners
                .iter()
                .filter(|r| r.status == RunnerStatus::NonRunner)
                .map(|r| r.number)
                .collect(),
            payouts: card.payouts.into_iter().map(Into::into).collect(),
        }
    }
}

/// A day's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsResponse {
    /// The day.
    pub date: NaiveDate,
    /// True when every race of the day has an official result (the response will not change).
    pub complete: bool,
    /// Races with a known arrival, in meeting then race order.
    pub races: Vec<RaceResultResponse>,
}

/// The races of a day that have a result: arrival order, non-runners and payouts.
#[utoipa::path(get, path = "/api/v1/results", tag = "races", params(ResultsQuery), responses(
    (status = 200, description = "The day's results", body = ResultsResponse),
    (status = 304, description = "Not modified (If-None-Match matched a complete day's ETag)"),
    (status = 400, description = "Malformed date", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_results(
    State(state): State<AppState>,
    Query(q): Query<ResultsQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let date = q.date.unwrap_or_else(crate::today_in_paris);
    // The cached entry is one byte saying whether the day is complete, then the body.
    let cache_key = format!("results:{date}");
    let (complete, body, hit) = match state.cached(&cache_key).await {
        Ok(entry) if !entry.is_empty() => (entry[0] == 1, entry[1..].to_vec(), "hit"),
        lookup => {
            let _fill = lookup.err();
            let (complete, body) = build(&state, date).await?;
            let mut entry = vec![u8::from(complete)];
            entry.extend_from_slice(&body);
            let ttl = if complete { FINAL_TTL } else { OPEN_TTL };
            state.cache.set(&cache_key, &entry, ttl).await;
            (complete, body, "miss")
        }
    };
    let etag = format!("\"{:016x}\"", fnv1a(&body));
    let matched = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if complete && matched {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let mut response = json_bytes(body, hit);
    let h = response.headers_mut();
    let cache = if complete {
        "public, max-age=86400"
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}

/// Reads the day's results; `complete` when the day has races and all are official.
async fn build(state: &AppState, date: NaiveDate) -> Result<(bool, Vec<u8>)> {
    let races = state.store.list_races(date, &RaceFilter::default()).await?;
    let complete = !races.is_empty() && races.iter().all(|r| r.is_final);
    let mut out = Vec::new();
    for summary in races.iter().filter(|r| r.has_result) {
        if let Some(card) = state.store.race_card(summary.key).await? {
            out.push(RaceResultResponse::from(card));
        }
    }
    let body = to_json(&ResultsResponse {
        date,
        complete,
        races: out,
    })?;
    Ok((complete, body))
}
