//! The health contract fixed by the deployment (ARCHITECTURE-FR.md): liveness at `/health`, then
//! the database, Redis and everything at `/api/v1/health/*`. A failing dependency answers 503
//! within [`PROBE_TIMEOUT`], never hangs.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pronoturf_core::probe::redis_round_trip;
use serde::Serialize;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// How long a dependency probe may take before it counts as down.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// Liveness: the process answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    /// Always "ok".
    pub status: &'static str,
    /// Server version.
    pub version: &'static str,
}

/// State of one dependency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartHealth {
    /// "up" or "down".
    pub status: &'static str,
    /// database: sqlite or mysql; redis: redis or embedded.
    pub backend: String,
    /// Server version, when up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Probe round trip in milliseconds, when up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Migrations applied (database only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrations: Option<i64>,
    /// Why it is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PartHealth {
    fn down(backend: impl Into<String>, error: impl Into<String>) -> Self {
        Self {
            status: "down",
            backend: backend.into(),
            version: None,
            latency_ms: None,
            migrations: None,
            error: Some(error.into()),
        }
    }

    fn is_up(&self) -> bool {
        self.status == "up"
    }

    fn code(&self) -> StatusCode {
        if self.is_up() {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Every dependency at once.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllHealth {
    /// "up" when every part is up, else "degraded".
    pub status: &'static str,
    /// The database.
    pub database: PartHealth,
    /// Redis (or the embedded queue and cache).
    pub redis: PartHealth,
}

/// Liveness; checks no dependency.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "The process is alive", body = Liveness)))]
pub async fn liveness() -> Json<Liveness> {
    Json(Liveness {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Database health: a query, the server version and its latency.
#[utoipa::path(get, path = "/api/v1/health/db", tag = "health", responses(
    (status = 200, description = "The database answers", body = PartHealth),
    (status = 503, description = "The database is down or too slow", body = PartHealth)))]
pub async fn database(State(state): State<AppState>) -> (StatusCode, Json<PartHealth>) {
    let part = probe_database(&state).await;
    (part.code(), Json(part))
}

/// Redis health: PING and a SET/GET round trip; "embedded" when no Redis is configured.
#[utoipa::path(get, path = "/api/v1/health/redis", tag = "health", responses(
    (status = 200, description = "Redis answers, or none is configured (embedded)", body = PartHealth),
    (status = 503, description = "Redis is down or too slow", body = PartHealth)))]
pub async fn redis(State(state): State<AppState>) -> (StatusCode, Json<PartHealth>) {
    let part = probe_redis(&state).await;
    (part.code(), Json(part))
}

/// Every dependency: 200 when all are up, 503 listing each part's state otherwise.
#[utoipa::path(get, path = "/api/v1/health/all", tag = "health", responses(
    (status = 200, description = "Everything is up", body = AllHealth),
    (status = 503, description = "At least one part is down", body = AllHealth)))]
pub async fn all(State(state): State<AppState>) -> (StatusCode, Json<AllHealth>) {
    let (database, redis) = tokio::join!(probe_database(&state), probe_redis(&state));
    let up = database.is_up() && redis.is_up();
    let code = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let status = if up { "up" } else { "degraded" };
    (
        code,
        Json(AllHealth {
            status,
            database,
            redis,
        }),
    )
}

async fn probe_database(state: &AppState) -> PartHealth {
    let backend = state.store.backend();
    match tokio::time::timeout(PROBE_TIMEOUT, state.store.health()).await {
        Ok(Ok(h)) => PartHealth {
            status: "up",
            backend: backend.to_string(),
            version: Some(h.version),
            latency_ms: Some(h.latency_ms),
            migrations: Some(h.migrations),
            error: None,
        },
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database health probe failed");
            PartHealth::down(backend, "the database did not answer the probe query")
        }
        Err(_) => PartHealth::down(backend, "the database did not answer within the timeout"),
    }
}

async fn probe_redis(state: &AppState) -> PartHealth {
    let Some(client) = &state.redis else {
        return PartHealth {
            status: "up",
            backend: "embedded".into(),
            version: None,
            latency_ms: None,
            migrations: None,
            error: None,
        };
    };
    let started = Instant::now();
    match tokio::time::timeout(PROBE_TIMEOUT, redis_round_trip(client)).await {
        Ok(Ok(version)) => PartHealth {
            status: "up",
            backend: "redis".into(),
            version,
            latency_ms: Some(started.elapsed().as_secs_f64() * 1000.0),
            migrations: None,
            error: None,
        },
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "redis health probe failed");
            PartHealth::down("redis", "redis did not answer PING and SET/GET")
        }
        Err(_) => PartHealth::down("redis", "redis did not answer within the timeout"),
    }
}
