//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the Swagger UI that
//! renders it (served from the binary: it works with no internet).

use crate::{catalog, error, health, jobs, races};
use axum::Router;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// Where the spec is served.
pub const SPEC_PATH: &str = "/api/v1/openapi.json";
/// Where the Swagger UI is served.
pub const DOCS_PATH: &str = "/api/v1/docs";

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "PronoTurf API",
        description = "PMU horse-racing data, predictions and analytics. Errors are RFC 9457 \
                       problem+json documents with a stable `code`."
    ),
    paths(
        health::liveness,
        health::database,
        health::redis,
        health::all,
        races::list_races,
        races::get_race,
        races::stats,
        catalog::list_tracks,
        catalog::list_meetings,
        catalog::search_horses,
        catalog::get_horse,
        jobs::list_job_runs,
    ),
    components(schemas(error::Problem)),
    tags(
        (name = "health", description = "Liveness and dependency health"),
        (name = "races", description = "Meetings, races, runners, results"),
        (name = "reference", description = "Racecourses, meetings, horses"),
        (name = "jobs", description = "Job runs"),
    )
)]
pub struct ApiDoc;

/// Routes of the spec and the UI.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().merge(SwaggerUi::new(DOCS_PATH).url(SPEC_PATH, ApiDoc::openapi()))
}
