//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the Swagger UI that
//! renders it (served from the binary: it works with no internet).

use crate::{
    admin, catalog, error, health, jobs, models, people, performance, predictions, races, results,
};
use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
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
        results::list_results,
        predictions::get_race_predictions,
        predictions::list_pronostics,
        predictions::list_value_bets,
        performance::get_performance,
        models::list_models,
        models::get_model,
        catalog::list_tracks,
        catalog::list_meetings,
        catalog::search_horses,
        catalog::get_horse,
        people::search_jockeys,
        people::get_jockey,
        people::search_trainers,
        people::get_trainer,
        jobs::list_job_runs,
        admin::enqueue_job,
        admin::promote_model,
    ),
    components(schemas(error::Problem)),
    modifiers(&AdminToken),
    tags(
        (name = "health", description = "Liveness and dependency health"),
        (name = "races", description = "Meetings, races, runners, results"),
        (name = "reference", description = "Racecourses, meetings, horses, jockeys, trainers"),
        (name = "predictions", description = "Model predictions, pronostics and value bets"),
        (name = "performance", description = "Simulated bets, bankroll, model against market"),
        (name = "models", description = "Model registry"),
        (name = "jobs", description = "Job runs"),
        (name = "admin", description = "Enqueue jobs and promote models: `Authorization: Bearer \
            <ADMIN_TOKEN>`; answered 403 `admin_disabled` when the server has no ADMIN_TOKEN, and \
            rate limited per client address (429 with Retry-After)"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer scheme the admin operations require.
struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Routes of the spec and the UI.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().merge(SwaggerUi::new(DOCS_PATH).url(SPEC_PATH, ApiDoc::openapi()))
}
