//! Jockeys (or drivers) and trainers: search by name and form history, as for horses.

use crate::AppState;
use crate::catalog::{NameSearch, page};
use crate::error::{ApiError, Result};
use crate::extract::{Path, Query};
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use pronoturf_core::store::{PersonSummary, RideLine};
use serde::Serialize;
use utoipa::ToSchema;

/// How many past rides a form page shows.
const FORM_LENGTH: u32 = 20;

/// A jockey or trainer and their record.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonResponse {
    /// Id, for `/api/v1/jockeys/{id}` or `/api/v1/trainers/{id}`.
    pub id: i64,
    /// Name as the PMU spells it.
    pub name: String,
    /// Races run (non-runners excluded).
    pub runs: i64,
    /// Wins.
    pub wins: i64,
    /// Top-three finishes.
    pub places: i64,
    /// Wins per run, 0 when there is none.
    pub win_rate: f64,
}

impl From<PersonSummary> for PersonResponse {
    fn from(p: PersonSummary) -> Self {
        let win_rate = if p.runs > 0 {
            p.wins as f64 / p.runs as f64
        } else {
            0.0
        };
        Self {
            id: p.id,
            name: p.name,
            runs: p.runs,
            wins: p.wins,
            places: p.places,
            win_rate,
        }
    }
}

/// One ride of a jockey or one runner of a trainer.
#[derive(Debug, Serialize, ToSchema)]
pub struct RideResponse {
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
    /// Horse id, for `/api/v1/horses/{id}`.
    pub horse_id: i64,
    /// Horse name.
    pub horse: String,
    /// Jockey or driver.
    pub jockey: Option<String>,
    /// Trainer.
    pub trainer: Option<String>,
    /// RAN, DNF, NON_RUNNER or DECLARED.
    pub status: String,
    /// Finishing position.
    pub finish: Option<u32>,
    /// Final odds.
    pub odds_final: Option<f64>,
}

impl From<RideLine> for RideResponse {
    fn from(r: RideLine) -> Self {
        Self {
            date: r.key.date,
            meeting: r.key.meeting,
            race: r.key.race,
            track: r.track,
            discipline: r.discipline,
            distance_m: r.distance_m,
            number: r.number,
            horse_id: r.horse_id,
            horse: r.horse,
            jockey: r.jockey,
            trainer: r.trainer,
            status: r.status,
            finish: r.finish,
            odds_final: r.odds_final,
        }
    }
}

/// A jockey or trainer with their last 20 rides.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonFormResponse {
    /// The person.
    pub person: PersonResponse,
    /// Their rides (jockeys) or runners (trainers), newest first.
    pub form: Vec<RideResponse>,
}

fn form_response(
    found: Option<(PersonSummary, Vec<RideLine>)>,
    what: &str,
    id: i64,
) -> Result<Json<PersonFormResponse>> {
    let (person, form) = found.ok_or_else(|| ApiError::NotFound(format!("no {what} {id}")))?;
    Ok(Json(PersonFormResponse {
        person: person.into(),
        form: form.into_iter().map(Into::into).collect(),
    }))
}

/// Jockeys and drivers by name prefix, paginated.
#[utoipa::path(get, path = "/api/v1/jockeys", tag = "reference", params(NameSearch), responses(
    (status = 200, description = "Jockeys", body = [PersonResponse]),
    (status = 400, description = "Bad page", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn search_jockeys(
    State(state): State<AppState>,
    Query(q): Query<NameSearch>,
) -> Result<Json<Vec<PersonResponse>>> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let found = state
        .store
        .search_jockeys(&q.q.unwrap_or_default(), limit, offset)
        .await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// A jockey or driver and their form: record and last 20 rides.
#[utoipa::path(get, path = "/api/v1/jockeys/{id}", tag = "reference",
    params(("id" = i64, Path, description = "Jockey id from the search")), responses(
    (status = 200, description = "The jockey", body = PersonFormResponse),
    (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such jockey", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_jockey(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PersonFormResponse>> {
    form_response(
        state.store.jockey_form(id, FORM_LENGTH).await?,
        "jockey",
        id,
    )
}

/// Trainers by name prefix, paginated.
#[utoipa::path(get, path = "/api/v1/trainers", tag = "reference", params(NameSearch), responses(
    (status = 200, description = "Trainers", body = [PersonResponse]),
    (status = 400, description = "Bad page", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn search_trainers(
    State(state): State<AppState>,
    Query(q): Query<NameSearch>,
) -> Result<Json<Vec<PersonResponse>>> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let found = state
        .store
        .search_trainers(&q.q.unwrap_or_default(), limit, offset)
        .await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// A trainer and their form: record and last 20 runners.
#[utoipa::path(get, path = "/api/v1/trainers/{id}", tag = "reference",
    params(("id" = i64, Path, description = "Trainer id from the search")), responses(
    (status = 200, description = "The trainer", body = PersonFormResponse),
    (status = 400, description = "Malformed id", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such trainer", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_trainer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PersonFormResponse>> {
    form_response(
        state.store.trainer_form(id, FORM_LENGTH).await?,
        "trainer",
        id,
    )
}
