//! Reference data: racecourses, the meetings of a day, horses with search and form history.

use crate::AppState;
use crate::error::{ApiError, Result};
use crate::extract::{Path, Query};
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use pronoturf_core::store::{FormLine, HorseSummary, MeetingSummary, TrackSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Largest page of a search.
pub const MAX_PAGE: u32 = 100;
/// Deepest offset of a search: deep pagination costs the database and no user reads that far.
pub const MAX_OFFSET: u32 = 100_000;

/// Checks a search page: `limit` 1 to [`MAX_PAGE`] (default 20), `offset` at most [`MAX_OFFSET`].
pub(crate) fn page(limit: Option<u32>, offset: Option<u32>) -> Result<(u32, u32)> {
    let limit = limit.unwrap_or(20);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest {
            code: "invalid_limit",
            detail: format!("limit must be between 1 and {MAX_PAGE}, got {limit}"),
        });
    }
    let offset = offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::BadRequest {
            code: "invalid_offset",
            detail: format!("offset must be at most {MAX_OFFSET}, got {offset}"),
        });
    }
    Ok((limit, offset))
}

/// A racecourse.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackResponse {
    /// Name.
    pub name: String,
    /// PMU code.
    pub code: Option<String>,
    /// Country (ISO alpha-3).
    pub country: Option<String>,
    /// Meetings stored.
    pub meetings: i64,
    /// First meeting.
    pub first_date: Option<NaiveDate>,
    /// Last meeting.
    pub last_date: Option<NaiveDate>,
}

impl From<TrackSummary> for TrackResponse {
    fn from(t: TrackSummary) -> Self {
        Self {
            name: t.name,
            code: t.code,
            country: t.country,
            meetings: t.meetings,
            first_date: t.first_date,
            last_date: t.last_date,
        }
    }
}

/// Every racecourse, by name.
#[utoipa::path(get, path = "/api/v1/tracks", tag = "reference",
    responses((status = 200, description = "Racecourses", body = [TrackResponse])))]
pub async fn list_tracks(State(state): State<AppState>) -> Result<Json<Vec<TrackResponse>>> {
    let tracks = state.store.list_tracks().await?;
    Ok(Json(tracks.into_iter().map(Into::into).collect()))
}

/// Query of `GET /api/v1/meetings`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MeetingsQuery {
    /// Day (YYYY-MM-DD); today in Paris when omitted.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub date: Option<NaiveDate>,
}

/// A meeting of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingResponse {
    /// Day.
    pub date: NaiveDate,
    /// Meeting number (R).
    pub number: u32,
    /// Racecourse.
    pub track: String,
    /// Country.
    pub country: Option<String>,
    /// DIURNE, NOCTURNE...
    pub nature: Option<String>,
    /// NATIONAL, REGIONAL, LOCAL.
    pub audience: Option<String>,
    /// PMU status.
    pub status: Option<String>,
    /// Temperature, °C.
    pub temperature_c: Option<i32>,
    /// Wind, km/h.
    pub wind_kmh: Option<i32>,
    /// Sky.
    pub sky: Option<String>,
    /// Races stored.
    pub races: i64,
}

impl From<MeetingSummary> for MeetingResponse {
    fn from(s: MeetingSummary) -> Self {
        let m = s.meeting;
        let w = m.weather.unwrap_or_default();
        Self {
            date: m.date,
            number: m.number,
            track: m.track.name,
            country: m.track.country,
            nature: m.nature,
            audience: m.audience,
            status: m.status,
            temperature_c: w.temperature_c,
            wind_kmh: w.wind_kmh,
            sky: w.sky,
            races: s.races,
        }
    }
}

/// The meetings of a day.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "reference", params(MeetingsQuery),
    responses(
        (status = 200, description = "Meetings", body = [MeetingResponse]),
        (status = 400, description = "Malformed date", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_meetings(
    State(state): State<AppState>,
    Query(q): Query<MeetingsQuery>,
) -> Result<Json<Vec<MeetingResponse>>> {
    let date = q.date.unwrap_or_else(crate::today_in_paris);
    let meetings = state.store.list_meetings(date).await?;
    Ok(Json(meetings.into_iter().map(Into::into).collect()))
}

/// Query of the name searches: `GET /api/v1/horses`, `/jockeys` and `/trainers`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NameSearch {
    /// Name prefix, case-insensitive (empty: everyone).
    pub q: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Rows to skip, 0 to 100000 (default 0): deeper pages are refused, search instead.
    #[param(minimum = 0, maximum = 100000)]
    pub offset: Option<u32>,
}

/// A horse and its record.
#[derive(Debug, Serialize, ToSchema)]
pub struct HorseResponse {
    /// Id, for `/api/v1/horses/{id}`.
    pub id: i64,
    /// Name.
    pub name: String,
    /// M, F or H.
    pub sex: Option<String>,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// Races run.
    pub runs: i64,
    /// Wins.
    pub wins: i64,
    /// Top-three finishes.
    pub places: i64,
}

impl From<HorseSummary> for HorseResponse {
    fn from(h: HorseSummary) -> Self {
        Self {
            id: h.id,
            name: h.name,
            sex: h.sex,
            birth_year: h.birth_year,
            runs: h.runs,
            wins: h.wins,
            places: h.places,
        }
    }
}

/// One past race of a horse.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormLineResponse {
    /// Day.
    pub date: NaiveDate,
    /// Meeting (R).
    pub meeting: u32,
    /// Race (C).
    pub race: u32,
    /// Racecourse.
    pub track: String,
    /// Discipline.
    pub discipline: String,
    /// Distance, metres.
    pub distance_m: Option<u32>,
    /// Saddle-cloth number.
    pub number: u32,
    /// RAN, DNF, NON_RUNNER or DECLARED.
    pub status: String,
    /// Finishing position.
    pub finish: Option<u32>,
    /// Final odds.
    pub odds_final: Option<f64>,
    /// Jockey or driver.
    pub jockey: Option<String>,
}

impl From<FormLine> for FormLineResponse {
    fn from(f: FormLine) -> Self {
        Self {
            date: f.key.date,
            meeting: f.key.meeting,
            race: f.key.race,
            track: f.track,
            discipline: f.discipline,
            distance_m: f.distance_m,
            number: f.number,
            status: f.status,
            finish: f.finish,
            odds_final: f.odds_final,
            jockey: f.jockey,
        }
    }
}

/// A horse with its last 20 races.
#[derive(Debug, Serialize, ToSchema)]
pub struct HorseFormResponse {
    /// The horse.
    pub horse: HorseResponse,
    /// Its races, newest first.
    pub form: Vec<FormLineResponse>,
}

/// Horses by name prefix, paginated.
#[utoipa::path(get, path = "/api/v1/horses", tag = "reference", params(NameSearch), responses(
    (status = 200, description = "Horses", body = [HorseResponse]),
    (status = 400, description = "Bad page", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn search_horses(
    State(state): State<AppState>,
    Query(q): Query<NameSearch>,
) -> Result<Json<Vec<HorseResponse>>> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let prefix = q.q.unwrap_or_default();
    let horses = state.store.search_horses(&prefix, limit, offset).await?;
    Ok(Json(horses.into_iter().map(Into::into).collect()))
}

/// A horse and its form: record and last 20 races.
#[utoipa::path(get, path = "/api/v1/horses/{id}", tag = "reference",
    params(("id" = i64, Path, description = "Horse id from the search")), responses(
    (status = 200, description = "The horse", body = HorseFormResponse),
    (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such horse", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_horse(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<HorseFormResponse>> {
    let (horse, form) = state
        .store
        .horse_form(id, 20)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no horse {id}")))?;
    Ok(Json(HorseFormResponse {
        horse: horse.into(),
        form: form.into_iter().map(Into::into).collect(),
    }))
}
