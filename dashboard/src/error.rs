//! The dashboard's one error type: every failure becomes a French error page with a stable
//! status (400 for a bad filter, 404 for an unknown race or horse, 503 while the database is out
//! of reach or saturated, 500 for our own faults, with the cause logged once and never shown).

use crate::pages::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pronoturf_core::store::StoreError;

/// What can go wrong while answering a page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The query string or path is malformed; the message is for the user.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The thing asked for does not exist; the message is for the user.
    #[error("not found: {0}")]
    NotFound(String),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A template failed to render.
    #[error("template: {0}")]
    Render(#[from] askama::Error),
    /// A chart failed to draw.
    #[error("chart: {0}")]
    Chart(String),
    /// A CSV export failed to write.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// A blocking computation (model files, features) did not finish.
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Result of the handlers.
pub type Result<T, E = PageError> = std::result::Result<T, E>;

/// The error page.
#[derive(Template, WebTemplate)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    /// Navigation (no filters).
    pub layout: Layout,
    /// Status code shown.
    pub code: u16,
    /// Heading.
    pub heading: &'static str,
    /// What happened, for the user.
    pub message: String,
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (heading, message) = match &self {
            Self::BadRequest(m) => ("Requête invalide", m.clone()),
            Self::NotFound(m) => ("Page introuvable", m.clone()),
            Self::Store(e) if e.is_unavailable() => {
                tracing::warn!(error = %e, "dashboard page: database unavailable");
                (
                    "Base de données indisponible",
                    "La base de données ne répond pas ou est saturée. Réessayez dans un instant ; \
                     l'état de chaque service est sur la page Exploitation."
                        .to_string(),
                )
            }
            other => {
                tracing::error!(error.cause_chain = ?other, "dashboard page failed");
                (
                    "Erreur interne",
                    "La page n'a pas pu être produite. L'erreur est consignée dans le journal du \
                     serveur ; réessayez dans un instant."
                        .to_string(),
                )
            }
        };
        let page = ErrorPage {
            layout: Layout::plain("", &format!("{} {heading}", status.as_u16())),
            code: status.as_u16(),
            heading,
            message,
        };
        (status, page).into_response()
    }
}

/// Fallback for unknown paths.
pub async fn not_found(uri: axum::http::Uri) -> PageError {
    PageError::NotFound(format!("Aucune page à l'adresse {}.", uri.path()))
}
