//! Model output: one race's predictions, a day's pronostics and a day's value bets, all from the
//! latest prediction run of the day (`pronoturf predict` or the predict job). Cached like the race
//! data and made stale by the same data-version bump.

use crate::AppState;
use crate::error::{ApiError, Result};
use crate::extract::{Path, Query};
use crate::races::{RacePath, json_bytes};
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use pronoturf_core::domain::RaceKey;
use pronoturf_core::store::{RacePronostic, RunnerPrediction, StoredRacePrediction, ValueBet};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// Edge threshold of value bets when none is given (the one `pronoturf predict` prints).
pub const DEFAULT_MIN_EDGE: f64 = 0.10;
/// Accepted `min_edge` range: below 0 every overpriced runner would count as value, above 5
/// (a 500 % edge) nothing realistic is left.
pub const MIN_EDGE_RANGE: std::ops::RangeInclusive<f64> = 0.0..=5.0;
/// How long model output is served from the cache when nothing is written meanwhile.
const TTL: Duration = Duration::from_secs(60);

/// One runner's prediction.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunnerPredictionResponse {
    /// Saddle-cloth number.
    pub number: u32,
    /// Win probability (the runners of a race sum to 1).
    pub p_win: f64,
    /// Probability of finishing in the first three.
    pub p_place: f64,
    /// Win probability of the form model alone, before blending with the market.
    pub p_model: f64,
    /// 1 = most likely winner.
    pub rank: u32,
    /// Morning odds the edge was computed at, when published.
    pub odds: Option<f64>,
    /// p_win × odds − 1, when odds are known.
    pub edge: Option<f64>,
    /// Fractional Kelly stake, as a share of the bankroll, when odds are known.
    pub kelly: Option<f64>,
    /// Features pushing the runner up and down: `{"up": [...], "down": [...]}`.
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

impl From<RunnerPrediction> for RunnerPredictionResponse {
    fn from(r: RunnerPrediction) -> Self {
        Self {
            number: r.number,
            p_win: r.p_win,
            p_place: r.p_place,
            p_model: r.p_model,
            rank: r.rank,
            odds: r.odds,
            edge: r.edge,
            kelly: r.kelly,
            explanation: r.explanation,
        }
    }
}

/// One pronostic of a race.
#[derive(Debug, Serialize, ToSchema)]
pub struct PronosticResponse {
    /// gagnant, place, tierce, quarte or quinte.
    pub kind: String,
    /// Runner numbers in the advised order.
    pub selection: Vec<u32>,
    /// Probability that the selection comes in (in any order for tiercé, quarté, quinté).
    pub probability: f64,
    /// Probability of the exact order.
    pub probability_in_order: f64,
    /// high, medium or low.
    pub confidence: String,
}

impl From<RacePronostic> for PronosticResponse {
    fn from(p: RacePronostic) -> Self {
        Self {
            kind: p.kind,
            selection: p.selection,
            probability: p.probability,
            probability_in_order: p.probability_in_order,
            confidence: p.confidence,
        }
    }
}

/// A race's predictions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RacePredictionsResponse {
    /// Day.
    pub date: NaiveDate,
    /// Meeting number (R).
    pub meeting: u32,
    /// Race number (C).
    pub race: u32,
    /// Registry version of the model that predicted.
    pub model_version: String,
    /// When the prediction run was stored.
    pub created_at: DateTime<Utc>,
    /// Runners by rank.
    pub runners: Vec<RunnerPredictionResponse>,
    /// Pronostics of the race.
    pub pronostics: Vec<PronosticResponse>,
}

impl From<StoredRacePrediction> for RacePredictionsResponse {
    fn from(p: StoredRacePrediction) -> Self {
        let key = p.race.key;
        Self {
            date: key.date,
            meeting: key.meeting,
            race: key.race,
            model_version: p.model_version,
            created_at: p.created_at,
            runners: p.race.runners.into_iter().map(Into::into).collect(),
            pronostics: p.race.pronostics.into_iter().map(Into::into).collect(),
        }
    }
}

/// The predictions of one race: runners by rank with win and place probabilities, explanation
/// and model version, and the race's pronostics, from the latest prediction run of its day.
#[utoipa::path(get, path = "/api/v1/races/{date}/{meeting}/{race}/predictions", tag = "predictions",
    params(RacePath), responses(
    (status = 200, description = "The race's predictions", body = RacePredictionsResponse),
    (status = 400, description = "Malformed path", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such race, or no predictions for it", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_race_predictions(
    State(state): State<AppState>,
    Path(p): Path<RacePath>,
) -> Result<Response> {
    let key = RaceKey {
        date: p.date,
        meeting: p.meeting,
        race: p.race,
    };
    let cache_key = format!("predictions:{}:{}:{}", key.date, key.meeting, key.race);
    let _fill = match state.cached(&cache_key).await {
        Ok(body) => return Ok(json_bytes(body, "hit")),
        Err(turn) => turn,
    };
    let Some(prediction) = state.store.race_predictions(key).await? else {
        let stored = state.store.list_race_keys(key.date).await?.contains(&key);
        return Err(ApiError::NotFound(if stored {
            format!("race {key} has no predictions yet")
        } else {
            format!("no race {key}")
        }));
    };
    let body = to_json(&RacePredictionsResponse::from(prediction))?;
    state.cache.set(&cache_key, &body, TTL).await;
    Ok(json_bytes(body, "miss"))
}

/// Query of `GET /api/v1/pronostics`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PronosticsQuery {
    /// Day (YYYY-MM-DD, Paris date); today when omitted.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub date: Option<NaiveDate>,
}

/// The pronostics of one race.
#[derive(Debug, Serialize, ToSchema)]
pub struct RacePronosticsResponse {
    /// Meeting number (R).
    pub meeting: u32,
    /// Race number (C).
    pub race: u32,
    /// Registry version of the model that predicted.
    pub model_version: String,
    /// Saddle-cloth number of the most likely winner.
    pub favourite: Option<u32>,
    /// Its win probability.
    pub favourite_p_win: Option<f64>,
    /// gagnant, place, tierce, quarte and quinte pronostics.
    pub pronostics: Vec<PronosticResponse>,
}

/// A day's pronostics.
#[derive(Debug, Serialize, ToSchema)]
pub struct PronosticsResponse {
    /// The day.
    pub date: NaiveDate,
    /// Races with predictions, in meeting then race order (empty when the day was not predicted).
    pub races: Vec<RacePronosticsResponse>,
}

/// The pronostics of every predicted race of a day, from its latest prediction run.
#[utoipa::path(get, path = "/api/v1/pronostics", tag = "predictions", params(PronosticsQuery),
    responses(
    (status = 200, description = "The day's pronostics", body = PronosticsResponse),
    (status = 400, description = "Malformed date", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_pronostics(
    State(state): State<AppState>,
    Query(q): Query<PronosticsQuery>,
) -> Result<Response> {
    let date = q.date.unwrap_or_else(crate::today_in_paris);
    let cache_key = format!("pronostics:{date}");
    let _fill = match state.cached(&cache_key).await {
        Ok(body) => return Ok(json_bytes(body, "hit")),
        Err(turn) => turn,
    };
    let races = state.store.day_predictions(date).await?;
    let races = races
        .into_iter()
        .map(|p| {
            let favourite = p.race.runners.iter().min_by_key(|r| r.rank);
            RacePronosticsResponse {
                meeting: p.race.key.meeting,
                race: p.race.key.race,
                favourite: favourite.map(|r| r.number),
                favourite_p_win: favourite.map(|r| r.p_win),
                model_version: p.model_version,
                pronostics: p.race.pronostics.into_iter().map(Into::into).collect(),
            }
        })
        .collect();
    let body = to_json(&PronosticsResponse { date, races })?;
    state.cache.set(&cache_key, &body, TTL).await;
    Ok(json_bytes(body, "miss"))
}

/// Query of `GET /api/v1/value-bets`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ValueBetsQuery {
    /// Day (YYYY-MM-DD, Paris date); today when omitted.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub date: Option<NaiveDate>,
    /// Smallest edge (p_win × odds − 1) kept, from 0 to 5 (default 0.10).
    #[param(minimum = 0.0, maximum = 5.0)]
    pub min_edge: Option<f64>,
}

/// A runner priced above its predicted chance.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueBetResponse {
    /// Meeting number (R).
    pub meeting: u32,
    /// Race number (C).
    pub race: u32,
    /// Saddle-cloth number.
    pub number: u32,
    /// Registry version of the model that predicted.
    pub model_version: String,
    /// Predicted win probability.
    pub p_win: f64,
    /// Morning odds.
    pub odds: f64,
    /// p_win × odds − 1.
    pub edge: f64,
    /// Fractional Kelly stake, as a share of the bankroll.
    pub kelly: f64,
}

impl From<ValueBet> for ValueBetResponse {
    fn from(v: ValueBet) -> Self {
        Self {
            meeting: v.key.meeting,
            race: v.key.race,
            number: v.number,
            model_version: v.model_version,
            p_win: v.p_win,
            odds: v.odds,
            edge: v.edge,
            kelly: v.kelly,
        }
    }
}

/// A day's value bets.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueBetsResponse {
    /// The day.
    pub date: NaiveDate,
    /// The threshold applied.
    pub min_edge: f64,
    /// Runners whose edge is above `min_edge`, best edge first.
    pub bets: Vec<ValueBetResponse>,
}

/// The runners of a day whose edge (p_win × morning odds − 1) is above `min_edge`, from the
/// day's latest prediction run.
#[utoipa::path(get, path = "/api/v1/value-bets", tag = "predictions", params(ValueBetsQuery),
    responses(
    (status = 200, description = "The day's value bets", body = ValueBetsResponse),
    (status = 400, description = "Malformed query", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "min_edge outside 0 to 5", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_value_bets(
    State(state): State<AppState>,
    Query(q): Query<ValueBetsQuery>,
) -> Result<Response> {
    let date = q.date.unwrap_or_else(crate::today_in_paris);
    let min_edge = q.min_edge.unwrap_or(DEFAULT_MIN_EDGE);
    // NaN and infinities parse as floats: the range check refuses them too.
    if !MIN_EDGE_RANGE.contains(&min_edge) {
        return Err(ApiError::Unprocessable {
            code: "invalid_min_edge",
            detail: format!(
                "min_edge must be between {} and {}, got {min_edge}",
                MIN_EDGE_RANGE.start(),
                MIN_EDGE_RANGE.end()
            ),
        });
    }
    let cache_key = format!("value-bets:{date}:{min_edge}");
    let _fill = match state.cached(&cache_key).await {
        Ok(body) => return Ok(json_bytes(body, "hit")),
        Err(turn) => turn,
    };
    let bets = state.store.day_value_bets(date, min_edge).await?;
    let body = to_json(&ValueBetsResponse {
        date,
        min_edge,
        bets: bets.into_iter().map(Into::into).collect(),
    })?;
    state.cache.set(&cache_key, &body, TTL).await;
    Ok(json_bytes(body, "miss"))
}

/// Serialises a response body.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(Box::new(e)))
}
