//! Admin endpoints: enqueue a job, promote a model version. They sit behind [`guard`]:
//! `Authorization: Bearer <ADMIN_TOKEN>` is required (401 with `WWW-Authenticate: Bearer` when
//! missing), requests bearing a token are rate limited per client IP (429 with `Retry-After`)
//! before the token is compared in constant time (401 when wrong), so that guessing is throttled.
//! With no ADMIN_TOKEN configured the endpoints are off: a request bearing a token gets 403
//! `admin_disabled`, one without gets the 401 challenge.

mod limiter;

pub use limiter::{RateLimiter, constant_time_eq};

use crate::AppState;
use crate::error::{ApiError, Result};
use crate::extract::{Json, Path};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use pronoturf_core::queue::Enqueued;
use pronoturf_ml::registry::{Registry, RegistryError};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use utoipa::ToSchema;

/// Job names the admin endpoint enqueues: the worker's (`pronoturf_jobs::handlers::JOB_NAMES`,
/// checked equal by a test; the API does not depend on the jobs crate).
pub const JOB_NAMES: [&str; 6] = ["sync", "odds", "predict", "results", "retrain", "report"];

/// Bearer token, rate limit and switch, before any admin handler runs. A request without a
/// bearer token always gets the 401 challenge (it cannot guess anything, so it is not counted);
/// one with a token is rate limited, then gets 403 while the endpoints are off, else 401 when
/// the token is wrong.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = state.settings.admin_token.as_ref();
    let Some(given) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
    else {
        return ApiError::Unauthorized(format!(
            "an `Authorization: Bearer <token>` header is required{}",
            if token.is_none() {
                " (and the admin endpoints are off on this server: no ADMIN_TOKEN)"
            } else {
                ""
            }
        ))
        .into_response();
    };
    // Without connection info (in-process calls) every caller shares one bucket.
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if let Err(retry_after_s) = state.admin_limiter.check(ip) {
        return ApiError::TooManyRequests { retry_after_s }.into_response();
    }
    let Some(token) = token else {
        return ApiError::AdminDisabled(
            "admin endpoints are off: set ADMIN_TOKEN on the server to turn them on".into(),
        )
        .into_response();
    };
    if constant_time_eq(given.as_bytes(), token.expose_secret().as_bytes()) {
        next.run(req).await
    } else {
        ApiError::Unauthorized("the bearer token is wrong".into()).into_response()
    }
}

/// Body of `POST /api/v1/admin/jobs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnqueueJob {
    /// Job to run: sync, odds, predict, results, retrain or report.
    pub name: String,
    /// Paris race day the job works on (YYYY-MM-DD); the worker takes today when omitted.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub date: Option<NaiveDate>,
}

/// What the queue did with the job.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnqueueResponse {
    /// `queued`, or `already_queued` when an identical job (same name and parameters) is waiting.
    pub status: &'static str,
    /// Id of the new job (absent when already queued).
    pub id: Option<String>,
    /// Job name.
    pub name: String,
    /// Parameters given to the job.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
}

/// Puts a job on the queue the worker reads (Redis, or the in-process queue of `serve`).
#[utoipa::path(post, path = "/api/v1/admin/jobs", tag = "admin", request_body = EnqueueJob,
    security(("admin_token" = [])), responses(
    (status = 202, description = "Enqueued; the id is the job's", body = EnqueueResponse),
    (status = 200, description = "An identical job is already waiting; nothing was added", body = EnqueueResponse),
    (status = 400, description = "Malformed JSON", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing or wrong bearer token", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 403, description = "A token was sent but the admin endpoints are off (no ADMIN_TOKEN on the server)", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown job name or bad date", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many admin requests from this address; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 503, description = "The queue (Redis) is unreachable, or no worker reads it (in-process queue of a standalone `pronoturf api`)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn enqueue_job(
    State(state): State<AppState>,
    Json(body): Json<EnqueueJob>,
) -> Result<Response> {
    if !JOB_NAMES.contains(&body.name.as_str()) {
        return Err(ApiError::Unprocessable {
            code: "unknown_job",
            detail: format!(
                "unknown job {:?}; expected one of {}",
                body.name,
                JOB_NAMES.join(", ")
            ),
        });
    }
    if !state.queue_has_worker {
        return Err(ApiError::Unavailable(
            "no worker reads this server's job queue: set REDIS_URL (shared with `pronoturf \
             worker`) or run the embedded `pronoturf serve`"
                .into(),
        ));
    }
    let params = match body.date {
        Some(date) => serde_json::json!({ "date": date }),
        None => serde_json::json!({}),
    };
    let enqueued = state
        .queue
        .enqueue(&body.name, params.clone())
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "cannot enqueue");
            ApiError::Unavailable("the job queue is unreachable".into())
        })?;
    let (status, response) = match enqueued {
        Enqueued::Added(id) => (
            StatusCode::ACCEPTED,
            EnqueueResponse {
                status: "queued",
                id: Some(id),
                name: body.name,
                params,
            },
        ),
        Enqueued::Duplicate => (
            StatusCode::OK,
            EnqueueResponse {
                status: "already_queued",
                id: None,
                name: body.name,
                params,
            },
        ),
    };
    tracing::info!(job = %response.name, status = response.status, "admin enqueued a job");
    Ok((status, axum::Json(response)).into_response())
}

/// The registry's answer to a promotion.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromoteResponse {
    /// The new champion.
    pub champion: String,
    /// The champion before, if any.
    pub previous: Option<String>,
}

/// Makes a registry version the champion (also a rollback): it must load cleanly first.
#[utoipa::path(post, path = "/api/v1/admin/models/{version}/promote", tag = "admin",
    params(("version" = String, Path, description = "Registry version (folder name)")),
    security(("admin_token" = [])), responses(
    (status = 200, description = "Promoted; predictions use it from the next run", body = PromoteResponse),
    (status = 401, description = "Missing or wrong bearer token", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 403, description = "A token was sent but the admin endpoints are off (no ADMIN_TOKEN on the server)", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such version", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "The version is corrupt or incompatible with this build", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many admin requests from this address; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn promote_model(
    State(state): State<AppState>,
    Path(version): Path<String>,
) -> Result<axum::Json<PromoteResponse>> {
    let registry = Registry::new(&state.settings.ml_models_dir);
    let response = tokio::task::spawn_blocking(move || promote(&registry, &version))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))??;
    tracing::info!(champion = %response.champion, previous = ?response.previous, "admin promoted a model");
    state.cache.invalidate().await;
    Ok(axum::Json(response))
}

fn promote(registry: &Registry, version: &str) -> Result<PromoteResponse> {
    // Loading first tells a client error (unknown, corrupt) from a failure to write the pointer.
    registry.load(version).map_err(|e| match e {
        RegistryError::UnknownVersion(v) => ApiError::NotFound(format!("no model version {v:?}")),
        other => ApiError::Unprocessable {
            code: "model_corrupt",
            detail: other.to_string(),
        },
    })?;
    let previous = registry.champion().ok().flatten();
    registry
        .promote(version)
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(PromoteResponse {
        champion: version.to_string(),
        previous,
    })
}
