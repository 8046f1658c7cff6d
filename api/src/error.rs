//! The API's one error type: every failure becomes an RFC 9457 problem+json body with a stable
//! `code`, and internal details are logged once, never sent to the client.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pronoturf_core::store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Short summary of the status.
    pub title: &'static str,
    /// HTTP status.
    pub status: u16,
    /// What went wrong, for a human.
    pub detail: String,
    /// Stable machine-readable code (not_found, invalid_query, unavailable, internal...).
    pub code: &'static str,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed (bad query string or path).
    #[error("{detail}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// The request is well formed but its values are refused (out of range, unknown name).
    #[error("{detail}")]
    Unprocessable {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// A request body the JSON extractor refused, with the status it chose (400, 415 or 422).
    #[error("{detail}")]
    Body {
        /// 400 (syntax), 415 (not JSON) or 422 (wrong shape).
        status: StatusCode,
        /// Explanation.
        detail: String,
    },
    /// Missing or wrong bearer token: answered with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(String),
    /// The admin endpoints are turned off (no ADMIN_TOKEN configured).
    #[error("{0}")]
    AdminDisabled(String),
    /// Too many requests from one client: answered with `Retry-After` (whole seconds).
    #[error("too many requests; retry in {retry_after_s} s")]
    TooManyRequests {
        /// Seconds until a request will be accepted.
        retry_after_s: u64,
    },
    /// A dependency (the database) cannot answer now.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure: logged, answered with a generic body.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// Handler result.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            Self::Unavailable("the database is unreachable".into())
        } else {
            Self::Internal(Box::new(e))
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::BadRequest {
            code: "invalid_query",
            detail: r.body_text(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::BadRequest {
            code: "invalid_path",
            detail: r.body_text(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self::Body {
            status: r.status(),
            detail: r.body_text(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, detail) = match &self {
            Self::NotFound(d) => (StatusCode::NOT_FOUND, "not_found", d.clone()),
            Self::BadRequest { code, detail } => (StatusCode::BAD_REQUEST, *code, detail.clone()),
            Self::Unprocessable { code, detail } => {
                (StatusCode::UNPROCESSABLE_ENTITY, *code, detail.clone())
            }
            Self::Body { status, detail } => (*status, body_code(*status), detail.clone()),
            Self::Unauthorized(d) => {
                let mut r = problem(StatusCode::UNAUTHORIZED, "unauthorized", d.clone());
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"pronoturf-admin\""),
                );
                return r;
            }
            Self::AdminDisabled(d) => (StatusCode::FORBIDDEN, "admin_disabled", d.clone()),
            Self::TooManyRequests { retry_after_s } => {
                let mut r = problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    self.to_string(),
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_s));
                return r;
            }
            Self::Unavailable(d) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", d.clone()),
            Self::Internal(e) => {
                tracing::error!(error = %e, error.debug = ?e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred; it has been logged".to_string(),
                )
            }
        };
        problem(status, code, detail)
    }
}

/// The stable code of a refused JSON body.
fn body_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        _ => "malformed_body",
    }
}

/// A problem+json response.
pub fn problem(status: StatusCode, code: &'static str, detail: String) -> Response {
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        code,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}
