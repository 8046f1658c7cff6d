//! The model registry (ML_MODELS_DIR): versions with their metrics and which one is champion.
//! Read from disk on every request, so that a version trained or promoted by another process is
//! seen at once; a version that cannot be read is listed as corrupt, never answered with a 500.

use crate::AppState;
use crate::error::{ApiError, Result};
use crate::extract::Path;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use pronoturf_ml::registry::{ChampionDecision, ModelMetrics, Registry, RegistryError};
use serde::Serialize;
use utoipa::ToSchema;

/// The champion decision taken when a version was trained.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChampionDecisionResponse {
    /// First day of the walk-forward comparison.
    pub from: NaiveDate,
    /// Day after the last one compared.
    pub to: NaiveDate,
    /// Races scored.
    pub races: Option<usize>,
    /// Per-race log-loss of the new version's recipe.
    pub new_logloss: Option<f64>,
    /// The champion at training time.
    pub champion: Option<String>,
    /// Per-race log-loss of that champion's recipe on the same races.
    pub champion_logloss: Option<f64>,
    /// Whether the new version became champion.
    pub promoted: bool,
    /// Why, in words.
    pub reason: String,
}

impl From<ChampionDecision> for ChampionDecisionResponse {
    fn from(d: ChampionDecision) -> Self {
        Self {
            from: d.from,
            to: d.to,
            races: d.races,
            new_logloss: d.new_logloss,
            champion: d.champion,
            champion_logloss: d.champion_logloss,
            promoted: d.promoted,
            reason: d.reason,
        }
    }
}

/// What a version was trained on and how it compared (`metrics.json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelMetricsResponse {
    /// Model recipe name.
    pub model: String,
    /// When it was trained.
    pub created_at: DateTime<Utc>,
    /// First race day learnt from.
    pub trained_from: NaiveDate,
    /// Last race day learnt from.
    pub trained_until: NaiveDate,
    /// Races the form model learnt from.
    pub train_races: usize,
    /// Ridge penalty of the form model.
    pub l2: f64,
    /// Races the blend with the market learnt from (0 without one).
    pub stage2_races: usize,
    /// Blend coefficients on ln p_model and ln p_market.
    pub stage2_coefficients: Option<[f64; 2]>,
    /// The champion decision.
    pub decision: Option<ChampionDecisionResponse>,
}

impl From<ModelMetrics> for ModelMetricsResponse {
    fn from(m: ModelMetrics) -> Self {
        Self {
            model: m.model,
            created_at: m.created_at,
            trained_from: m.trained_from,
            trained_until: m.trained_until,
            train_races: m.train_races,
            l2: m.l2,
            stage2_races: m.stage2_races,
            stage2_coefficients: m.stage2_coefficients,
            decision: m.decision.map(Into::into),
        }
    }
}

/// One registry version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelResponse {
    /// Version (folder name).
    pub version: String,
    /// Whether it is the champion (the version predictions use).
    pub champion: bool,
    /// `ok`, or `corrupt` when its model or metrics cannot be read or do not fit this build.
    pub status: &'static str,
    /// Why it is corrupt.
    pub error: Option<String>,
    /// Its metrics, when readable.
    pub metrics: Option<ModelMetricsResponse>,
}

/// The registry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelsResponse {
    /// The champion version, if one is named.
    pub champion: Option<String>,
    /// Every version, oldest first.
    pub versions: Vec<ModelResponse>,
}

/// Every registry version with its metrics, and the champion.
#[utoipa::path(get, path = "/api/v1/models", tag = "models", responses(
    (status = 200, description = "The registry", body = ModelsResponse)))]
pub async fn list_models(State(state): State<AppState>) -> Result<Json<ModelsResponse>> {
    let registry = Registry::new(&state.settings.ml_models_dir);
    blocking(move || {
        let champion = registry.champion().map_err(internal)?;
        let versions = registry
            .list()
            .map_err(internal)?
            .into_iter()
            .map(|entry| describe(&registry, &entry.version, entry.champion, entry.metrics))
            .collect();
        Ok(ModelsResponse { champion, versions })
    })
    .await
    .map(Json)
}

/// One registry version.
#[utoipa::path(get, path = "/api/v1/models/{version}", tag = "models",
    params(("version" = String, Path, description = "Registry version (folder name)")), responses(
    (status = 200, description = "The version; `status` says whether it is usable", body = ModelResponse),
    (status = 404, description = "No such version", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_model(
    State(state): State<AppState>,
    Path(version): Path<String>,
) -> Result<Json<ModelResponse>> {
    let registry = Registry::new(&state.settings.ml_models_dir);
    blocking(move || {
        let metrics = match registry.metrics(&version) {
            Err(RegistryError::UnknownVersion(_)) => {
                return Err(ApiError::NotFound(format!("no model version {version:?}")));
            }
            other => other.map_err(|e| e.to_string()),
        };
        // A folder without model.json is not a version (`list` skips it).
        if !registry.root().join(&version).join("model.json").is_file() {
            return Err(ApiError::NotFound(format!("no model version {version:?}")));
        }
        let champion = registry.champion().map_err(internal)?.as_deref() == Some(version.as_str());
        Ok(describe(&registry, &version, champion, metrics))
    })
    .await
    .map(Json)
}

/// A version's description: corrupt when its metrics or its model cannot be read.
fn describe(
    registry: &Registry,
    version: &str,
    champion: bool,
    metrics: std::result::Result<ModelMetrics, String>,
) -> ModelResponse {
    let error = match (&metrics, registry.load(version)) {
        (Err(e), _) => Some(e.clone()),
        (Ok(_), Err(e)) => Some(e.to_string()),
        (Ok(_), Ok(_)) => None,
    };
    ModelResponse {
        version: version.to_string(),
        champion,
        status: if error.is_some() { "corrupt" } else { "ok" },
        error,
        metrics: metrics.ok().map(Into::into),
    }
}

fn internal(e: RegistryError) -> ApiError {
    ApiError::Internal(Box::new(e))
}

/// Runs registry file reads off the async executor.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?
}
