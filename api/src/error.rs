//! The API's one error type: every failure becomes an RFC 9457 problem+json body with a stable
//! `code`, and internal details are logged once, never sent to the client.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
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
        match e {
            StoreError::Connect { .. } => Self::Unavailable("the database is unreachable".into()),
            StoreError::Database(sqlx_error) if is_unavailable(&sqlx_error) => {
                Self::Unavailable("the database is unreachable".into())
            }
            other => Self::Internal(Box::new(other)),
        }
    }
}

fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed
    )
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, detail) = match &self {
            Self::NotFound(d) => (StatusCode::NOT_FOUND, "not_found", d.clone()),
            Self::BadRequest { code, detail } => (StatusCode::BAD_REQUEST, *code, detail.clone()),
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
