//! Modèle (`/modele`): the model registry (versions, champion and the decision that made it),
//! how the stored predictions scored against the market week by week on the same races, their
//! calibration, the champion's feature importance (exact for its linear first stage), the drift
//! of its features since training, and data-quality checks. What the stored data cannot give is
//! said on the page, never filled in.

pub mod drift;
mod scores;
mod view;

use super::{Layout, cached, track_names};
use crate::error::Result;
use crate::export;
use crate::filters::{Filters, Format, Params};
use crate::{AppState, today_in_paris};
use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use chrono::NaiveDate;
use drift::Drift;
use pronoturf_core::store::{DataQuality, PredictedRunner};
use pronoturf_ml::ServingModel;
use pronoturf_ml::registry::{ModelEntry, Registry};
use std::sync::Arc;
pub use view::ModelPage;

/// The champion as loaded, or why it could not be.
pub enum Champion {
    /// No champion named (no model trained yet).
    None,
    /// Named but refused (corrupt or incompatible file): the message.
    Broken(String),
    /// Loaded.
    Loaded(String, Arc<ServingModel>),
}

/// What the page shows.
pub struct ModelData {
    /// Registry folder.
    pub folder: String,
    /// Versions, oldest first, or why the registry could not be read.
    pub versions: std::result::Result<Vec<ModelEntry>, String>,
    /// The champion.
    pub champion: Champion,
    /// Predicted runners of settled races of the period.
    pub predicted: Vec<PredictedRunner>,
    /// Data-quality counts of the period.
    pub quality: DataQuality,
    /// Feature drift of the champion, when it is loaded.
    pub drift: Option<Arc<Drift>>,
    /// The day races before count as past.
    pub today: NaiveDate,
}

/// Reads the registry (off the executor: file I/O and JSON) and the Store.
pub async fn load(state: &AppState, filters: &Filters, today: NaiveDate) -> Result<ModelData> {
    let root = state.settings.ml_models_dir.clone();
    let folder = root.display().to_string();
    let registry = tokio::task::spawn_blocking(move || {
        let registry = Registry::new(root);
        let versions = registry.list().map_err(|e| e.to_string());
        let champion = match registry.load_champion() {
            Ok(None) => Champion::None,
            Ok(Some((version, model))) => Champion::Loaded(version, Arc::new(model)),
            Err(e) => Champion::Broken(e.to_string()),
        };
        (versions, champion)
    });
    let period = filters.period_filter(today);
    let store = &state.store;
    let (registry, predicted, quality) = tokio::join!(
        registry,
        store.predicted_runners(&period),
        store.data_quality(&period, today),
    );
    let (versions, champion) = registry?;
    let drift = match &champion {
        Champion::Loaded(version, model) => {
            Some(state.drift.get(store.clone(), version, model.clone()).await)
        }
        _ => None,
    };
    Ok(ModelData {
        folder,
        versions,
        champion,
        predicted: predicted?,
        quality: quality?,
        drift,
        today,
    })
}

/// Starts computing the champion's drift in the background, so that the first visit of the page
/// finds it ready instead of waiting for a read of the whole history.
pub fn warm_drift(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let root = state.settings.ml_models_dir.clone();
        let champion =
            tokio::task::spawn_blocking(move || Registry::new(root).load_champion()).await;
        if let Ok(Ok(Some((version, model)))) = champion {
            state
                .drift
                .get(state.store.clone(), &version, Arc::new(model))
                .await;
        }
    });
}

/// `/modele`: the page, or one of its tables as CSV.
pub async fn show(State(state): State<AppState>, uri: Uri, params: Params) -> Result<Response> {
    let today = today_in_paris();
    let filters = params.filters;
    if params.format == Format::Csv {
        let data = load(&state, &filters, today).await?;
        return export::respond(view::tables(&data), params.table.as_deref());
    }
    cached(&state, &uri, async {
        let (data, tracks) = tokio::join!(load(&state, &filters, today), track_names(&state));
        let path = "/modele";
        let layout =
            Layout::new(path, "Modèle", &filters, path).with_form(&filters, path, &tracks?, None);
        Ok(ModelPage::build(&data?, &filters, layout)?.render()?)
    })
    .await
}
