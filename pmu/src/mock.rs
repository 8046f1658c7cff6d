//! A local stand-in for Turfinfo, for tests: serves recorded payloads under the real URL layout
//! and scripted faults (5xx, 429, hanging, truncated bodies), and records what it was asked.
//! Enabled by the `mock` feature so that downstream crates' tests can use it too.

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

/// Path prefix of the real API for client 61, under which the mock serves everything.
pub const PREFIX: &str = "/rest/client/61/";

/// One scripted answer, e.g. `MockResponse::status(500)` or
/// `MockResponse::ok(body).with_delay(Duration::from_secs(5))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResponse {
    /// HTTP status code; an invalid code is answered as 500.
    pub status: u16,
    /// Body sent as is, so it can be truncated or not JSON at all.
    pub body: Vec<u8>,
    /// Wait before answering, to simulate a slow or hanging server.
    pub delay: Option<Duration>,
    /// `Retry-After` header value, in seconds.
    pub retry_after: Option<u64>,
}

impl MockResponse {
    /// An answer with this status and an empty body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            body: Vec::new(),
            delay: None,
            retry_after: None,
        }
    }

    /// A 200 with this body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self::status(200).with_body(body)
    }

    /// Replaces the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Waits this long before answering.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Adds `Retry-After: <seconds>`.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

/// A request the mock received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Path relative to [`PREFIX`] (e.g. `programme/05112025`), or the full path, starting with
    /// `/`, for requests outside it.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// `User-Agent` header, if any.
    pub user_agent: Option<String>,
    /// `Accept` header, if any.
    pub accept: Option<String>,
}

/// A Turfinfo server on `127.0.0.1` and a free port, stopped when dropped.
#[derive(Debug)]
pub struct MockTurfinfo {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<MockState>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

#[derive(Debug, Default)]
struct MockState {
    served: HashMap<String, Vec<u8>>,
    scripts: HashMap<String, VecDeque<MockResponse>>,
    hits: HashMap<String, usize>,
    requests: Vec<RecordedRequest>,
}

impl Shared {
    // A panicking test thread must not turn every later assertion into a poison error.
    fn lock(&self) -> MutexGuard<'_, MockState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl MockTurfinfo {
    /// Binds `127.0.0.1:0` and starts serving in a background task.
    ///
    /// # Panics
    /// If no local port can be bound: this is test support, where failing loudly is the point.
    pub async fn start() -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind a local port for the Turfinfo mock");
        let addr = listener
            .local_addr()
            .expect("read the address of the Turfinfo mock");
        let shared = Arc::new(Shared::default());
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "Turfinfo mock stopped");
            }
        });
        Self {
            addr,
            shared,
            server,
        }
    }

    /// Base URL to give to the client: `http://127.0.0.1:PORT/rest/client/61/`.
    pub fn base_url(&self) -> Url {
        let url = format!("http://{}{PREFIX}", self.addr);
        Url::parse(&url).expect("a socket address and a fixed path form a valid URL")
    }

    /// Answers 200 with `body` for `path` (relative to the base URL, e.g.
    /// `programme/05112025/R1/C1/participants`) once its script, if any, is used up.
    /// Unregistered paths answer 404.
    pub fn serve(&self, path: &str, body: Vec<u8>) {
        self.shared.lock().served.insert(key(path), body);
    }

    /// Queues answers for `path`, consumed one per request, before falling back to what
    /// [`serve`](Self::serve) registered (or 404). Calling it again appends to the queue.
    pub fn script(&self, path: &str, responses: Vec<MockResponse>) {
        self.shared
            .lock()
            .scripts
            .entry(key(path))
            .or_default()
            .extend(responses);
    }

    /// Requests received for `path` (relative to the base URL), whatever the answer.
    pub fn hits(&self, path: &str) -> usize {
        self.shared
            .lock()
            .hits
            .get(&key(path))
            .copied()
            .unwrap_or(0)
    }

    /// `(path, user agent)` of every request received, in order of arrival.
    pub fn requests(&self) -> Vec<(String, Option<String>)> {
        self.shared
            .lock()
            .requests
            .iter()
            .map(|request| (request.path.clone(), request.user_agent.clone()))
            .collect()
    }

    /// Every request received, with more detail than [`requests`](Self::requests).
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Highest number of requests the server was handling at once, delays included.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for MockTurfinfo {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Paths are keyed without a leading `/`, so both spellings work in `serve`, `script`, `hits`.
fn key(path: &str) -> String {
    path.trim_start_matches('/').to_owned()
}

/// Counts a request as in flight for as long as its handler runs, even if the client hangs up
/// and the handler is dropped mid-delay.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let full_path = uri.path();
    let relative = full_path.strip_prefix(PREFIX);
    let header = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
            .map(str::to_owned)
    };
    let recorded = RecordedRequest {
        path: relative.unwrap_or(full_path).to_owned(),
        query: uri.query().map(str::to_owned),
        user_agent: header(USER_AGENT),
        accept: header(ACCEPT),
    };
    let answer = {
        let mut state = shared.lock();
        state.requests.push(recorded);
        relative.and_then(|path| {
            *state.hits.entry(path.to_owned()).or_default() += 1;
            let scripted = state.scripts.get_mut(path).and_then(VecDeque::pop_front);
            scripted.or_else(|| state.served.get(path).cloned().map(MockResponse::ok))
        })
    };
    let Some(answer) = answer else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    respond(answer)
}

fn respond(answer: MockResponse) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    if !answer.body.is_empty() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if let Some(seconds) = answer.retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    (status, headers, answer.body).into_response()
}
