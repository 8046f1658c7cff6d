//! Job runs: what the worker, the scheduler and the CLI did, newest first.

use crate::AppState;
use crate::error::{ApiError, Result};
use crate::extract::Query;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Largest page of job runs.
pub const MAX_LIMIT: u32 = 200;

/// Query of `GET /api/v1/jobs/runs`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct JobRunsQuery {
    /// How many runs, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// One recorded job run.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobRunResponse {
    /// Id.
    pub id: i64,
    /// Job name (sync, import...).
    pub job: String,
    /// Parameters.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// Attempt, from 1.
    pub attempt: u32,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End, once finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// running, succeeded or failed.
    pub status: String,
    /// Counts reported by the job.
    #[schema(value_type = Option<Object>)]
    pub counts: Option<serde_json::Value>,
    /// Error, when failed.
    pub error: Option<String>,
}

/// Recent job runs, newest first.
#[utoipa::path(get, path = "/api/v1/jobs/runs", tag = "jobs", params(JobRunsQuery), responses(
    (status = 200, description = "Job runs", body = [JobRunResponse]),
    (status = 400, description = "Bad limit", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_job_runs(
    State(state): State<AppState>,
    Query(q): Query<JobRunsQuery>,
) -> Result<Json<Vec<JobRunResponse>>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest {
            code: "invalid_limit",
            detail: format!("limit must be between 1 and {MAX_LIMIT}, got {limit}"),
        });
    }
    let runs = state.store.list_job_runs(limit).await?;
    Ok(Json(
        runs.into_iter()
            .map(|r| JobRunResponse {
                id: r.id,
                job: r.job,
                params: r.params,
                attempt: r.attempt,
                started_at: r.started_at,
                finished_at: r.finished_at,
                status: r.status,
                counts: r.counts,
                error: r.error,
            })
            .collect(),
    ))
}
