//! PronoTurf REST API (port 8000): the health contract, race data, predictions, performance,
//! models and job runs under `/api/v1`, admin endpoints behind a bearer token, documented by an
//! OpenAPI 3.1 spec and a Swagger UI served from the binary.

pub mod admin;
pub mod catalog;
mod dates;
pub mod docs;
pub mod error;
mod extract;
pub mod health;
pub mod jobs;
pub mod metrics;
pub mod models;
pub mod people;
pub mod performance;
pub mod predictions;
pub mod races;
pub mod results;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use pronoturf_core::cache::Cache;
use pronoturf_core::gate::{Admission, FillGate};
use pronoturf_core::queue::{JobQueue, QueueError};
use pronoturf_core::settings::Settings;
use pronoturf_core::store::Store;
use secrecy::ExposeSecret;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Cache entries filled from the Store at once (each fill holds a database connection).
pub const CONCURRENT_FILLS: usize = 8;
/// Largest request body accepted: the API takes small JSON documents only.
pub const BODY_LIMIT: usize = 64 * 1024;
/// A request taking longer than this is answered 408 rather than left hanging.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The data.
    pub store: Arc<dyn Store>,
    /// Redis, when configured (REDIS_URL); `None` means in-process queue and cache.
    pub redis: Option<redis::Client>,
    /// Response cache (Redis, or in process), invalidated by writes.
    pub cache: Arc<Cache>,
    /// One fill per cache key at a time: a burst at an expiry reads the Store once.
    pub fills: Arc<FillGate>,
    /// Request metrics exposed at `/metrics`.
    pub metrics: metrics::Metrics,
    /// Settings read at start-up.
    pub settings: Arc<Settings>,
    /// Where admin `POST /api/v1/admin/jobs` puts jobs (Redis, or in process).
    pub queue: JobQueue,
    /// Whether a worker reads `queue`: true on Redis (shared with the worker processes) or after
    /// [`AppState::with_queue`]; a private in-process queue would swallow admin jobs.
    pub queue_has_worker: bool,
    /// Per-client-IP token buckets of the admin endpoints.
    pub admin_limiter: Arc<admin::RateLimiter>,
}

impl AppState {
    /// Builds the state, with the job queue the settings name (Redis, or a fresh in-process one);
    /// a malformed REDIS_URL is an error (Settings already checked the scheme).
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> Result<Self, redis::RedisError> {
        let queue = JobQueue::new(settings.redis_url.as_ref(), settings.queue.clone()).map_err(
            |e| match e {
                QueueError::Redis(e) => e,
                other => redis::RedisError::from((
                    redis::ErrorKind::InvalidClientConfig,
                    "job queue",
                    other.to_string(),
                )),
            },
        )?;
        let redis = settings
            .redis_url
            .as_ref()
            .map(|url| redis::Client::open(url.expose_secret()))
            .transpose()?;
        let queue_has_worker = settings.redis_url.is_some();
        Ok(Self {
            // A frozen database fails a request as a 503 within seconds, not at the HTTP timeout.
            store: pronoturf_core::store::deadline::with_deadline(store),
            redis,
            cache: Arc::new(Cache::new(settings.redis_url.as_ref())?),
            fills: Arc::new(FillGate::new(CONCURRENT_FILLS)),
            metrics: metrics::Metrics::default(),
            settings: Arc::new(settings),
            queue,
            queue_has_worker,
            admin_limiter: Arc::new(admin::RateLimiter::default()),
        })
    }

    /// The entry cached at `key`, or the turn to fill it: requests missing the same key at once
    /// wait for the first one's fill and then find the entry (or, if it failed, take their
    /// turn). Hold the turn until the entry is set.
    pub async fn cached(&self, key: &str) -> std::result::Result<Vec<u8>, Admission<'_>> {
        if let Some(entry) = self.cache.get(key).await {
            return Ok(entry);
        }
        let turn = self.fills.admit(key).await;
        match self.cache.get(key).await {
            Some(entry) => Ok(entry),
            None => Err(turn),
        }
    }

    /// The same state enqueueing on `queue`: `pronoturf serve` shares one in-process queue
    /// between the API and its worker, so that a job enqueued over HTTP is run.
    pub fn with_queue(mut self, queue: JobQueue) -> Self {
        self.queue = queue;
        self.queue_has_worker = true;
        self
    }
}

/// The whole API with its layers: request ids, tracing, CORS, security headers, body limit, timeout.
pub fn router(state: AppState) -> Router {
    let cors = cors(&state.settings.cors_origins);
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .route("/health", get(health::liveness))
        .route("/api/v1/health/db", get(health::database))
        .route("/api/v1/health/redis", get(health::redis))
        .route("/api/v1/health/all", get(health::all))
        .route("/api/v1/races", get(races::list_races))
        .route("/api/v1/races/{date}/{meeting}/{race}", get(races::get_race))
        .route("/api/v1/stats", get(races::stats))
        .route("/api/v1/tracks", get(catalog::list_tracks))
        .route("/api/v1/meetings", get(catalog::list_meetings))
        .route("/api/v1/horses", get(catalog::search_horses))
        .route("/api/v1/horses/{id}", get(catalog::get_horse))
        .route("/api/v1/jockeys", get(people::search_jockeys))
        .route("/api/v1/jockeys/{id}", get(people::get_jockey))
        .route("/api/v1/trainers", get(people::search_trainers))
        .route("/api/v1/trainers/{id}", get(people::get_trainer))
        .route(
            "/api/v1/races/{date}/{meeting}/{race}/predictions",
            get(predictions::get_race_predictions),
        )
        .route("/api/v1/pronostics", get(predictions::list_pronostics))
        .route("/api/v1/value-bets", get(predictions::list_value_bets))
        .route("/api/v1/results", get(results::list_results))
        .route("/api/v1/performance", get(performance::get_performance))
        .route("/api/v1/models", get(models::list_models))
        .route("/api/v1/models/{version}", get(models::get_model))
        .route("/api/v1/jobs/runs", get(jobs::list_job_runs))
        .merge(admin_routes(state.clone()))
        .route("/metrics", get(metrics::expose))
        .merge(docs::routes())
        .fallback(not_found)
        .route_layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::map_response(body_too_large_as_problem))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(cors)
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        // The Swagger UI loads its own scripts and styles from this origin; nothing else may load.
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, Sequential::default()))
}

/// The admin endpoints, behind [`admin::guard`] (switch, rate limit, bearer token).
fn admin_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/jobs", post(admin::enqueue_job))
        .route(
            "/api/v1/admin/models/{version}/promote",
            post(admin::promote_model),
        )
        .route_layer(axum::middleware::from_fn_with_state(state, admin::guard))
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

/// tower-http refuses a declared over-long body with a plain-text 413 before any handler runs:
/// answer it with a problem document like every other error.
async fn body_too_large_as_problem(response: axum::response::Response) -> axum::response::Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == "application/problem+json");
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || is_problem {
        return response;
    }
    error::problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the request body is over {BODY_LIMIT} bytes"),
    )
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    error::problem(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {}", uri.path()),
    )
}

/// Request ids: the process start time and a counter, unique within and across restarts.
#[derive(Clone, Default)]
struct Sequential {
    counter: Arc<AtomicU64>,
}

impl MakeRequestId for Sequential {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        static START: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
        let start = START.get_or_init(|| Utc::now().timestamp_millis());
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{start:x}-{n:x}"))
            .ok()
            .map(RequestId::new)
    }
}

/// Today's date in Paris, where the races are.
pub fn today_in_paris() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

/// Serves `router(state)` on `listener` until `shutdown` completes, finishing requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address is what the admin rate limit keys on.
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
