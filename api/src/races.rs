//! Race data: the races of a day, one race with its runners, odds, result and payouts, and the
//! Store's counts. A finished race never changes, so it carries an ETag and is cacheable.

use crate::AppState;
use crate::error::{ApiError, Result};
use crate::extract::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use pronoturf_core::domain::{OddsSnapshot, Payout, RaceCard, RaceKey, Runner, normalise_name};
use pronoturf_core::store::{RaceFilter, RaceSummary, StoreStats};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// Query of `GET /api/v1/races`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RacesQuery {
    /// Day (YYYY-MM-DD, Paris date); today when omitted.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub date: Option<NaiveDate>,
    /// Only this racecourse (case-insensitive), e.g. VINCENNES.
    pub track: Option<String>,
    /// Only this discipline: PLAT, ATTELE, MONTE, HAIE, STEEPLECHASE, CROSS.
    pub discipline: Option<String>,
}

/// A day's races.
#[derive(Debug, Serialize, ToSchema)]
pub struct RacesResponse {
    /// The day.
    pub date: NaiveDate,
    /// Races in meeting then race order.
    pub races: Vec<RaceSummaryResponse>,
}

/// One race of a day's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct RaceSummaryResponse {
    /// Day.
    pub date: NaiveDate,
    /// Meeting number (R).
    pub meeting: u32,
    /// Race number (C).
    pub race: u32,
    /// Racecourse.
    pub track: String,
    /// Race name.
    pub name: Option<String>,
    /// Scheduled start (UTC).
    pub start_time: Option<chrono::DateTime<Utc>>,
    /// Discipline.
    pub discipline: String,
    /// Distance, metres.
    pub distance_m: Option<u32>,
    /// Prize money, euros.
    pub prize_eur: Option<f64>,
    /// PMU status.
    pub status: Option<String>,
    /// Runners (non-runners excluded).
    pub runners: u32,
    /// Non-runners.
    pub non_runners: u32,
    /// Arrival order known.
    pub has_result: bool,
    /// Result official.
    pub is_final: bool,
}

impl From<RaceSummary> for RaceSummaryResponse {
    fn from(s: RaceSummary) -> Self {
        Self {
            date: s.key.date,
            meeting: s.key.meeting,
            race: s.key.race,
            track: s.track,
            name: s.name,
            start_time: s.start_time,
            discipline: s.discipline,
            distance_m: s.distance_m,
            prize_eur: s.prize_eur,
            status: s.status,
            runners: s.runners,
            non_runners: s.non_runners,
            has_result: s.has_result,
            is_final: s.is_final,
        }
    }
}

/// A race with everything known about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RaceResponse {
    /// Day.
    pub date: NaiveDate,
    /// Meeting number (R).
    pub meeting: u32,
    /// Race number (C).
    pub race: u32,
    /// Meeting, race, runners, odds and payouts.
    #[schema(value_type = Object)]
    pub card: RaceCardBody,
}

/// The race card as stored (see the domain model: meeting, race, runners, odds, payouts).
#[derive(Debug, Serialize)]
pub struct RaceCardBody {
    meeting: pronoturf_core::domain::Meeting,
    race: pronoturf_core::domain::Race,
    runners: Vec<Runner>,
    odds: Vec<OddsSnapshot>,
    payouts: Vec<Payout>,
}

/// Path of `GET /api/v1/races/{date}/{meeting}/{race}`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RacePath {
    /// Day (YYYY-MM-DD).
    #[serde(deserialize_with = "crate::dates::day")]
    pub date: NaiveDate,
    /// Meeting number (R), from 1.
    #[param(minimum = 1, maximum = 99)]
    pub meeting: u32,
    /// Race number (C), from 1.
    #[param(minimum = 1, maximum = 99)]
    pub race: u32,
}

/// The races of a day, with optional track and discipline filters.
#[utoipa::path(get, path = "/api/v1/races", tag = "races", params(RacesQuery), responses(
    (status = 200, description = "The day's races", body = RacesResponse),
    (status = 400, description = "Malformed query", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_races(
    State(state): State<AppState>,
    Query(q): Query<RacesQuery>,
) -> Result<Response> {
    let date = q.date.unwrap_or_else(crate::today_in_paris);
    let filter = RaceFilter {
        track: q.track.filter(|t| !t.trim().is_empty()),
        discipline: q.discipline.filter(|d| !d.trim().is_empty()),
    };
    let key = format!(
        "races:{date}:{}:{}",
        filter
            .track
            .as_deref()
            .map(normalise_name)
            .unwrap_or_default(),
        filter
            .discipline
            .as_deref()
            .map(str::to_ascii_uppercase)
            .unwrap_or_default()
    );
    let _fill = match state.cached(&key).await {
        Ok(body) => return Ok(json_bytes(body, "hit")),
        Err(turn) => turn,
    };
    let races = state.store.list_races(date, &filter).await?;
    let body = serde_json::to_vec(&RacesResponse {
        date,
        races: races.into_iter().map(Into::into).collect(),
    })
    .map_err(|e| ApiError::Internal(Box::new(e)))?;
    state.cache.set(&key, &body, LIST_TTL).await;
    Ok(json_bytes(body, "miss"))
}

/// How long a day's race list is served from the cache when nothing is written meanwhile.
const LIST_TTL: Duration = Duration::from_secs(60);
/// The same for one race: a finished race never changes, an open one may at any sync.
const OPEN_RACE_TTL: Duration = Duration::from_secs(30);
const FINAL_RACE_TTL: Duration = Duration::from_secs(3600);

/// A JSON body with the `x-cache` header saying whether the cache answered.
pub(crate) fn json_bytes(body: Vec<u8>, cache: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                HeaderName::from_static("x-cache"),
                HeaderValue::from_static(cache),
            ),
        ],
        body,
    )
        .into_response()
}

/// One race: meeting, race, runners with their pre-race record and result, odds history, payouts.
#[utoipa::path(get, path = "/api/v1/races/{date}/{meeting}/{race}", tag = "races",
    params(RacePath), responses(
    (status = 200, description = "The race", body = RaceResponse),
    (status = 304, description = "Not modified (If-None-Match matched a finished race's ETag)"),
    (status = 400, description = "Malformed path", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such race", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_race(
    State(state): State<AppState>,
    Path(p): Path<RacePath>,
    headers: HeaderMap,
) -> Result<Response> {
    let key = RaceKey {
        date: p.date,
        meeting: p.meeting,
        race: p.race,
    };
    // The cached entry is one byte saying whether the race is final, then the body.
    let cache_key = format!("race:{}:{}:{}", key.date, key.meeting, key.race);
    let (immutable, body, hit) = match state.cached(&cache_key).await {
        Ok(entry) if !entry.is_empty() => (entry[0] == 1, entry[1..].to_vec(), "hit"),
        lookup => {
            let _fill = lookup.err();
            let card = state
                .store
                .race_card(key)
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("no race {key}")))?;
            let immutable = card.race.is_final;
            let body = serde_json::to_vec(&race_response(card))
                .map_err(|e| ApiError::Internal(Box::new(e)))?;
            let mut entry = vec![u8::from(immutable)];
            entry.extend_from_slice(&body);
            let ttl = if immutable {
                FINAL_RACE_TTL
            } else {
                OPEN_RACE_TTL
            };
            state.cache.set(&cache_key, &entry, ttl).await;
            (immutable, body, "miss")
        }
    };
    let etag = format!("\"{:016x}\"", fnv1a(&body));
    if immutable
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let mut response = json_bytes(body, hit);
    let h = response.headers_mut();
    // An official result never changes: let clients and proxies keep it. Others may change any minute.
    let cache = if immutable {
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

fn race_response(card: RaceCard) -> RaceResponse {
    let key = card.key();
    RaceResponse {
        date: key.date,
        meeting: key.meeting,
        race: key.race,
        card: RaceCardBody {
            meeting: card.meeting,
            race: card.race,
            runners: card.runners,
            odds: card.odds,
            payouts: card.payouts,
        },
    }
}

/// Stable 64-bit FNV-1a: ETags must not change between processes or releases for the same bytes.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Counts of what is stored and the dates covered.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsResponse {
    /// Racecourses.
    pub tracks: i64,
    /// Meetings.
    pub meetings: i64,
    /// Races.
    pub races: i64,
    /// Runner rows, non-runners included.
    pub runners: i64,
    /// Horses.
    pub horses: i64,
    /// Jockeys and drivers.
    pub jockeys: i64,
    /// Trainers.
    pub trainers: i64,
    /// Races with a known arrival.
    pub results: i64,
    /// Payout lines.
    pub payouts: i64,
    /// Odds snapshots.
    pub odds_snapshots: i64,
    /// Archived API payloads.
    pub payloads: i64,
    /// First race date.
    pub first_date: Option<NaiveDate>,
    /// Last race date.
    pub last_date: Option<NaiveDate>,
}

impl From<StoreStats> for StatsResponse {
    fn from(s: StoreStats) -> Self {
        Self {
            tracks: s.tracks,
            meetings: s.meetings,
            races: s.races,
            runners: s.runners,
            horses: s.horses,
            jockeys: s.jockeys,
            trainers: s.trainers,
            results: s.results,
            payouts: s.payouts,
            odds_snapshots: s.odds_snapshots,
            payloads: s.payloads,
            first_date: s.first_date,
            last_date: s.last_date,
        }
    }
}

/// Row counts and the range of dates stored.
#[utoipa::path(get, path = "/api/v1/stats", tag = "races",
    responses((status = 200, description = "Counts", body = StatsResponse)))]
pub async fn stats(State(state): State<AppState>) -> Result<Json<StatsResponse>> {
    Ok(Json(state.store.stats().await?.into()))
}
