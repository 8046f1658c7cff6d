//! PronoTurf analysts' dashboard (port 8501): server-rendered pages (askama templates in the
//! top-level `templates/` folder) with charts drawn server-side as inline SVG (plotters), reading
//! the Store and the model registry directly. Works without JavaScript; one module per page
//! under [`pages`].

pub mod charts;
pub mod error;
pub mod export;
pub mod filters;
pub mod format;
pub mod pages;
pub mod probes;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use pronoturf_core::cache::Cache;
use pronoturf_core::gate::FillGate;
use pronoturf_core::settings::Settings;
use pronoturf_core::store::Store;
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// A request taking longer than this is answered 408 rather than left hanging.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Pages rendered at once: each render holds database connections.
pub const CONCURRENT_RENDERS: usize = 4;
/// How long a rendered page is reused: short, so a sync shows within seconds.
pub const PAGE_TTL: Duration = Duration::from_secs(30);

/// Only our own stylesheet and inline SVG; no script at all, no framing, forms to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The data.
    pub store: Arc<dyn Store>,
    /// Rendered pages, for [`PAGE_TTL`] (Redis when configured, else in process).
    pub cache: Arc<Cache>,
    /// Redis, when configured, for the health probe.
    pub redis: Option<redis::Client>,
    /// HTTP client for the API health probe.
    pub http: reqwest::Client,
    /// Settings read at start-up.
    pub settings: Arc<Settings>,
    /// The champion's feature drift, reused for a few minutes (costly to compute).
    pub drift: Arc<pages::model::drift::DriftCache>,
    /// One render per page at a time, a few pages at once.
    pub renders: Arc<FillGate>,
    /// Pages rendered since start (cache misses), for the log and the tests.
    pub rendered: Arc<std::sync::atomic::AtomicU64>,
}

impl AppState {
    /// Builds the state; a malformed REDIS_URL is an error (Settings already checked the scheme).
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> Result<Self, StateError> {
        let redis = settings
            .redis_url
            .as_ref()
            .map(|url| redis::Client::open(url.expose_secret()))
            .transpose()?;
        let http = reqwest::Client::builder()
            .timeout(probes::PROBE_TIMEOUT)
            .build()?;
        Ok(Self {
            // A frozen database fails a page as a 503 within seconds, not at the HTTP timeout.
            store: pronoturf_core::store::deadline::with_deadline(store),
            redis,
            cache: Arc::new(Cache::new(settings.redis_url.as_ref())?),
            http,
            settings: Arc::new(settings),
            drift: Arc::default(),
            renders: Arc::new(FillGate::new(CONCURRENT_RENDERS)),
            rendered: Arc::default(),
        })
    }
}

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// REDIS_URL cannot be used.
    #[error("REDIS_URL: {0}")]
    Redis(#[from] redis::RedisError),
    /// The HTTP client for the API probe cannot be built.
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// The whole dashboard with its layers: tracing, security headers, timeout.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .route("/static/style.css", get(stylesheet))
        .route("/health", get(|| async { "ok" }))
        .fallback(error::not_found)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<_>| {
                tracing::info_span!("request", method = %req.method(), uri = %req.uri().path())
            },
        ))
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// The stylesheet, compiled into the binary: no CDN, works offline.
async fn stylesheet() -> impl axum::response::IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
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
    pages::model::warm_drift(&state);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
