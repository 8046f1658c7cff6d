//! The Turfinfo HTTP client: builds the URLs of the endpoints PronoTurf reads, fetches them politely
//! (bounded concurrency, retries with exponential backoff) and treats "not published yet" as data,
//! not as an error. It returns raw bytes: decoding the payloads is the job of the payload types.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, RETRY_AFTER};
use tokio::sync::Semaphore;
use url::Url;

/// The public Turfinfo API for internet clients. Client 61 populates every block PronoTurf uses
/// (see `FORMAT.md` §1.1); the number is part of the base so that it stays configurable.
pub const DEFAULT_BASE_URL: &str = "https://online.turfinfo.api.pmu.fr/rest/client/61";

/// One Turfinfo resource, identified by the day and, for race-level resources, the réunion
/// (`R{meeting}`) and course (`C{race}`) numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The programme of a day: réunions, courses, statuses.
    Programme {
        /// Day of the programme (Europe/Paris calendar day).
        date: NaiveDate,
    },
    /// The runners of one race.
    Participants {
        /// Day of the race.
        date: NaiveDate,
        /// Réunion number (`numOfficiel`).
        meeting: u32,
        /// Course number within the réunion (`numOrdre`).
        race: u32,
    },
    /// The detailed past performances of the runners of one race.
    Performances {
        /// Day of the race.
        date: NaiveDate,
        /// Réunion number (`numOfficiel`).
        meeting: u32,
        /// Course number within the réunion (`numOrdre`).
        race: u32,
    },
    /// The final payouts of one race, published after the official arrival.
    Rapports {
        /// Day of the race.
        date: NaiveDate,
        /// Réunion number (`numOfficiel`).
        meeting: u32,
        /// Course number within the réunion (`numOrdre`).
        race: u32,
    },
}

impl Endpoint {
    /// Path relative to the client base URL, e.g. `programme/05112025/R1/C3/participants`.
    pub fn path(&self) -> String {
        let day = self.date().format("%d%m%Y");
        match *self {
            Self::Programme { .. } => format!("programme/{day}"),
            Self::Participants { meeting, race, .. } => {
                format!("programme/{day}/R{meeting}/C{race}/participants")
            }
            // The `/pretty` suffix is required by the API (FORMAT.md §1.2).
            Self::Performances { meeting, race, .. } => {
                format!("programme/{day}/R{meeting}/C{race}/performances-detaillees/pretty")
            }
            Self::Rapports { meeting, race, .. } => {
                format!("programme/{day}/R{meeting}/C{race}/rapports-definitifs")
            }
        }
    }

    /// Short name of the resource, for logs and metrics: `programme`, `participants`,
    /// `performances` or `rapports`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Programme { .. } => "programme",
            Self::Participants { .. } => "participants",
            Self::Performances { .. } => "performances",
            Self::Rapports { .. } => "rapports",
        }
    }

    /// Day the resource belongs to.
    pub fn date(&self) -> NaiveDate {
        match *self {
            Self::Programme { date }
            | Self::Participants { date, .. }
            | Self::Performances { date, .. }
            | Self::Rapports { date, .. } => date,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// How the client talks to Turfinfo. Build it with [`ClientConfig::new`] and adjust fields.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL including the client number, e.g. [`DEFAULT_BASE_URL`]; a trailing `/` is optional.
    pub base_url: Url,
    /// `User-Agent` header sent with every request.
    pub user_agent: String,
    /// Limit for a whole attempt, body included.
    pub timeout: Duration,
    /// Limit for establishing the TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Retries after the first attempt; `4` means at most 5 attempts.
    pub max_retries: u32,
    /// Wait before the first retry; it doubles at each further retry.
    pub backoff_base: Duration,
    /// Upper bound of any wait between attempts, `Retry-After` included.
    pub backoff_max: Duration,
    /// Requests in flight at once, across all clones of the client.
    pub max_concurrency: usize,
}

impl ClientConfig {
    /// Defaults that are polite to an undocumented API: 4 requests in flight, 4 retries with a
    /// backoff of 500 ms doubling up to 8 s, 20 s per attempt.
    pub fn new(base_url: Url) -> Self {
        Self {
            base_url,
            user_agent: format!(
                "PronoTurf/{} (+https://github.com/pronoturf)",
                env!("CARGO_PKG_VERSION")
            ),
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
            max_concurrency: 4,
        }
    }

    /// Wait before retry number `retry` (1-based): `backoff_base * 2^(retry-1)`, capped.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max)
    }
}

// Hand-written so that a base URL carrying credentials (a proxy, say) never reaches the logs.
impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut base_url = self.base_url.clone();
        if base_url.password().is_some() {
            // Only fails for URLs that cannot have credentials, which then have none to hide.
            let _ = base_url.set_password(Some("REDACTED"));
        }
        f.debug_struct("ClientConfig")
            .field("base_url", &base_url.as_str())
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("backoff_base", &self.backoff_base)
            .field("backoff_max", &self.backoff_max)
            .field("max_concurrency", &self.max_concurrency)
            .finish()
    }
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL cannot have paths joined to it, or is not http(s).
    #[error("invalid Turfinfo base URL {base_url}: {reason}")]
    InvalidBaseUrl {
        /// The configured base URL.
        base_url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `max_concurrency` is zero, so no request could ever be sent.
    #[error("max_concurrency must be at least 1")]
    NoConcurrency,
    /// The underlying HTTP client could not be built (TLS backend, invalid user agent…).
    #[error("could not build the HTTP client")]
    Build(#[source] reqwest::Error),
    /// The endpoint path could not be joined to the base URL.
    #[error("could not build the URL of {path}")]
    Url {
        /// The endpoint path.
        path: String,
        /// The parse error.
        #[source]
        source: url::ParseError,
    },
    /// The server answered with a status that retrying will not fix (4xx other than 404 and 429).
    #[error("Turfinfo answered {status} for {url}")]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// A transport error that retrying will not fix (e.g. too many redirects).
    #[error("request to {url} failed")]
    Request {
        /// The URL requested.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// Every attempt failed with a transient error (timeout, connection, 429, 5xx).
    #[error("gave up on {url} after {attempts} attempts, last error: {last}")]
    RetriesExhausted {
        /// The URL requested.
        url: String,
        /// Attempts made, the first one included.
        attempts: u32,
        /// Description of the last failure.
        last: String,
    },
}

/// The outcome of a successful fetch.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// What was fetched.
    pub endpoint: Endpoint,
    /// The full URL requested.
    pub url: String,
    /// HTTP status of the final attempt (200, or 204/404 when not published).
    pub status: u16,
    /// The raw body, or `None` when the resource is not published yet (204, 404 or an empty 200).
    pub body: Option<Vec<u8>>,
    /// When the final attempt completed.
    pub fetched_at: DateTime<Utc>,
    /// Attempts made, the first one included.
    pub attempts: u32,
}

impl Fetched {
    /// Whether Turfinfo had something to say about this resource.
    pub fn is_published(&self) -> bool {
        self.body.is_some()
    }
}

/// A Turfinfo client. Cloning is cheap, and clones share the connection pool and the
/// concurrency limit.
#[derive(Debug, Clone)]
pub struct TurfinfoClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    /// Base URL ending with `/`, so that `join` appends rather than replaces the client number.
    base_url: Url,
    limiter: Semaphore,
}

/// What one attempt led to.
enum Attempt {
    Done {
        status: u16,
        body: Option<Vec<u8>>,
    },
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
    Fatal(ClientError),
}

impl TurfinfoClient {
    /// Builds the client; fails on an unusable base URL or HTTP backend.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let base_url = normalised_base(&config.base_url)?;
        if config.max_concurrency == 0 {
            return Err(ClientError::NoConcurrency);
        }
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.as_str())
            .default_headers(headers)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(ClientError::Build)?;
        let limiter = Semaphore::new(config.max_concurrency);
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                base_url,
                limiter,
            }),
        })
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The absolute URL of an endpoint.
    pub fn url(&self, endpoint: &Endpoint) -> Result<Url, ClientError> {
        let path = endpoint.path();
        self.inner
            .base_url
            .join(&path)
            .map_err(|source| ClientError::Url { path, source })
    }

    /// Fetches an endpoint, retrying transient failures. A resource that is not published yet
    /// is a success with `body: None`.
    #[tracing::instrument(skip_all, fields(endpoint = %endpoint))]
    pub async fn fetch(&self, endpoint: &Endpoint) -> Result<Fetched, ClientError> {
        let url = self.url(endpoint)?;
        let config = &self.inner.config;
        let max_attempts = config.max_retries.saturating_add(1);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (reason, retry_after) = match self.attempt(&url).await {
                Attempt::Done { status, body } => {
                    return Ok(Fetched {
                        endpoint: *endpoint,
                        url: url.to_string(),
                        status,
                        body,
                        fetched_at: Utc::now(),
                        attempts,
                    });
                }
                Attempt::Fatal(error) => return Err(error),
                Attempt::Retry {
                    reason,
                    retry_after,
                } => (reason, retry_after),
            };
            if attempts >= max_attempts {
                return Err(ClientError::RetriesExhausted {
                    url: url.to_string(),
                    attempts,
                    last: reason,
                });
            }
            let delay = retry_after.map_or_else(
                || config.backoff(attempts),
                |wait| wait.min(config.backoff_max),
            );
            tracing::warn!(
                endpoint = %endpoint.path(),
                attempt = attempts,
                reason = %reason,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "Turfinfo request failed, retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// One request, holding a concurrency permit until the body is read (the download is part
    /// of the load we put on the server) but not during the backoff that may follow.
    async fn attempt(&self, url: &Url) -> Attempt {
        // The semaphore is private and never closed, so acquiring cannot fail.
        let _permit = self.inner.limiter.acquire().await.ok();
        let response = match self.inner.http.get(url.clone()).send().await {
            Ok(response) => response,
            Err(error) => return transport_failure(url, error),
        };
        let status = response.status();
        if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_FOUND {
            return Attempt::Done {
                status: status.as_u16(),
                body: None,
            };
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Attempt::Retry {
                reason: "HTTP 429 Too Many Requests".to_owned(),
                retry_after: retry_after(response.headers()),
            };
        }
        if status.is_server_error() {
            return Attempt::Retry {
                reason: format!("HTTP {status}"),
                retry_after: None,
            };
        }
        if !status.is_success() {
            return Attempt::Fatal(ClientError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        match response.bytes().await {
            // An empty 200 has nothing to decode either: same meaning as 204 for the caller.
            Ok(bytes) if bytes.is_empty() => Attempt::Done {
                status: status.as_u16(),
                body: None,
            },
            Ok(bytes) => Attempt::Done {
                status: status.as_u16(),
                body: Some(bytes.to_vec()),
            },
            Err(error) => transport_failure(url, error),
        }
    }
}

/// Ensures the base URL ends with `/`: `Url::join` would otherwise replace the client number.
fn normalised_base(base_url: &Url) -> Result<Url, ClientError> {
    let invalid = |reason| ClientError::InvalidBaseUrl {
        base_url: base_url.to_string(),
        reason,
    };
    if !matches!(base_url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    let mut base = base_url.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base)
}

/// Classifies a transport error: timeouts, connection and body errors are worth retrying, the
/// rest (redirect loops, invalid requests) would fail again.
fn transport_failure(url: &Url, error: reqwest::Error) -> Attempt {
    if error.is_builder() || error.is_redirect() {
        return Attempt::Fatal(ClientError::Request {
            url: url.to_string(),
            source: error,
        });
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() {
        "body could not be read"
    } else {
        "request failed"
    };
    Attempt::Retry {
        reason: format!("{kind}: {}", error_chain(&error)),
        retry_after: None,
    }
}

/// The error and its causes on one line, since reqwest's top-level message hides the cause.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Reads `Retry-After` in its delay-seconds form; the HTTP-date form falls back to the backoff.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 11, 5).expect("valid date")
    }

    #[test]
    fn paths_follow_the_turfinfo_layout_without_zero_padding() {
        let date = day();
        let cases = [
            (
                Endpoint::Programme { date },
                "programme/05112025",
                "programme",
            ),
            (
                Endpoint::Participants {
                    date,
                    meeting: 1,
                    race: 3,
                },
                "programme/05112025/R1/C3/participants",
                "participants",
            ),
            (
                Endpoint::Performances {
                    date,
                    meeting: 12,
                    race: 10,
                },
                "programme/05112025/R12/C10/performances-detaillees/pretty",
                "performances",
            ),
            (
                Endpoint::Rapports {
                    date,
                    meeting: 2,
                    race: 7,
                },
                "programme/05112025/R2/C7/rapports-definitifs",
                "rapports",
            ),
        ];
        for (endpoint, path, kind) in cases {
            assert_eq!(endpoint.path(), path);
            assert_eq!(endpoint.kind(), kind);
            assert_eq!(endpoint.date(), date);
        }
    }

    #[test]
    fn base_url_is_joined_with_or_without_a_trailing_slash() {
        let endpoint = Endpoint::Programme { date: day() };
        for base in [
            DEFAULT_BASE_URL,
            "https://online.turfinfo.api.pmu.fr/rest/client/61/",
        ] {
            let config = ClientConfig::new(Url::parse(base).expect("valid URL"));
            let client = TurfinfoClient::new(config).expect("client builds");
            let url = client.url(&endpoint).expect("joins");
            assert_eq!(
                url.as_str(),
                "https://online.turfinfo.api.pmu.fr/rest/client/61/programme/05112025"
            );
        }
    }

    #[test]
    fn non_http_base_url_is_rejected() {
        let config = ClientConfig::new(Url::parse("file:///tmp/turfinfo").expect("valid URL"));
        assert!(matches!(
            TurfinfoClient::new(config),
            Err(ClientError::InvalidBaseUrl { .. })
        ));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let config = ClientConfig::new(Url::parse(DEFAULT_BASE_URL).expect("valid URL"));
        let waits: Vec<u64> = (1..=7)
            .map(|retry| u64::try_from(config.backoff(retry).as_millis()).expect("fits"))
            .collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(config.backoff(u32::MAX), config.backoff_max);
    }

    #[test]
    fn retry_after_reads_seconds_and_ignores_dates() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn debug_output_redacts_base_url_password() {
        let config = ClientConfig::new(
            Url::parse("https://user:secret@example.test/rest/client/61").expect("valid URL"),
        );
        let debug = format!("{config:?}");
        assert!(!debug.contains("secret"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
    }
}
