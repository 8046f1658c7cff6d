//! The model registry on disk (`ML_MODELS_DIR`): one folder per version holding `model.json`,
//! `features.json` and `metrics.json`, and a `CHAMPION` file naming the serving version. Every
//! write goes to a temporary name first and is renamed into place, so that a reader (the API, a
//! worker) sees a whole version or none, and a crash never leaves a half-written champion. A model
//! that fails to load is never made champion.

mod files;

use crate::features::FeatureSet;
use crate::serving::{FORMAT_VERSION, ServingModel};
use chrono::{DateTime, NaiveDate, Utc};
use files::{read_json, write_atomically};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File naming the champion version.
pub const CHAMPION_FILE: &str = "CHAMPION";

/// Why the registry refused an operation.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid JSON of the expected shape.
    #[error("{path} is corrupt: {source}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// The model was saved by an incompatible version of the code.
    #[error("model {version} is incompatible: {reason}")]
    Incompatible {
        /// The version refused.
        version: String,
        /// What does not match.
        reason: String,
    },
    /// No such version.
    #[error("no model version {0:?} in the registry")]
    UnknownVersion(String),
}

/// Result of registry operations.
pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

/// The champion decision taken when a version was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChampionDecision {
    /// First day of the comparison (walk-forward over the last weeks of training data).
    pub from: NaiveDate,
    /// Day after the last one compared.
    pub to: NaiveDate,
    /// Races scored.
    pub races: Option<usize>,
    /// Per-race log-loss of the new model's recipe, walk-forward.
    pub new_logloss: Option<f64>,
    /// The champion at training time.
    pub champion: Option<String>,
    /// Per-race log-loss of the champion's recipe on the same races.
    pub champion_logloss: Option<f64>,
    /// Whether the new version became champion.
    pub promoted: bool,
    /// Why, in words.
    pub reason: String,
}

/// `metrics.json`: what a version was trained on and how it compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetrics {
    /// Version (folder name).
    pub version: String,
    /// Model recipe name.
    pub model: String,
    /// When it was trained.
    pub created_at: DateTime<Utc>,
    /// First race day learnt from.
    pub trained_from: NaiveDate,
    /// Last race day learnt from.
    pub trained_until: NaiveDate,
    /// Races stage 1 learnt from.
    pub train_races: usize,
    /// Stage-1 ridge penalty.
    pub l2: f64,
    /// Races stage 2 learnt from (0 without a stage 2).
    pub stage2_races: usize,
    /// Raw stage-2 coefficients on ln p_model and ln p_market.
    pub stage2_coefficients: Option<[f64; 2]>,
    /// The champion decision.
    pub decision: Option<ChampionDecision>,
}

/// One line of `pronoturf models list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEntry {
    /// Version.
    pub version: String,
    /// Whether it is the champion.
    pub champion: bool,
    /// Its metrics, or why they could not be read.
    pub metrics: std::result::Result<ModelMetrics, String>,
}

/// The registry rooted at one folder.
#[derive(Debug, Clone)]
pub struct Registry {
    root: PathBuf,
}

impl Registry {
    /// The registry in `root` (created on first save).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Its folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A fresh version name: `<model>-<until>-<UTC time>`, suffixed if taken.
    pub fn new_version(&self, model: &ServingModel, now: DateTime<Utc>) -> String {
        let base = format!(
            "{}-{}-{}",
            model.spec.name,
            model.trained_until.format("%Y%m%d"),
            now.format("%Y%m%dT%H%M%S")
        );
        let mut name = base.clone();
        let mut n = 2;
        while self.root.join(&name).exists() {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    }

    /// Writes `model` and `metrics` as version `metrics.version` through a temporary folder.
    pub fn save(&self, model: &ServingModel, metrics: &ModelMetrics) -> Result<()> {
        let version = &metrics.version;
        let target = self.root.join(version);
        if target.exists() {
            return Err(RegistryError::Incompatible {
                version: version.clone(),
                reason: "a version of that name already exists".into(),
            });
        }
        let tmp = self
            .root
            .join(format!(".tmp-{version}-{}", std::process::id()));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| RegistryError::Io { path, source }
        };
        std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        let written = files::write_json(&tmp.join("model.json"), model)
            .and_then(|()| files::write_json(&tmp.join("features.json"), &model.features))
            .and_then(|()| files::write_json(&tmp.join("metrics.json"), metrics))
            .and_then(|()| std::fs::rename(&tmp, &target).map_err(io(&target)));
        if written.is_err() {
            // Best effort: a leftover temporary folder is ignored by `list` anyway.
            let _ = std::fs::remove_dir_all(&tmp);
        }
        written
    }

    /// Loads version `version`, refusing a corrupt or incompatible one.
    pub fn load(&self, version: &str) -> Result<ServingModel> {
        let dir = self.version_dir(version)?;
        let model: ServingModel = read_json(&dir.join("model.json"))?;
        let features: Vec<String> = read_json(&dir.join("features.json"))?;
        check_compatible(version, &model, &features)?;
        Ok(model)
    }

    /// The metrics of version `version`.
    pub fn metrics(&self, version: &str) -> Result<ModelMetrics> {
        read_json(&self.version_dir(version)?.join("metrics.json"))
    }

    /// Replaces the metrics of a version (written to a temporary file, then renamed).
    pub fn update_metrics(&self, metrics: &ModelMetrics) -> Result<()> {
        let dir = self.version_dir(&metrics.version)?;
        write_atomically(&dir.join("metrics.json"), metrics)
    }

    /// The champion version, if one is named.
    pub fn champion(&self) -> Result<Option<String>> {
        let path = self.root.join(CHAMPION_FILE);
        match std::fs::read_to_string(&path) {
            Ok(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(RegistryError::Io { path, source }),
        }
    }

    /// The champion and its model; an error when it is named but cannot be loaded.
    pub fn load_champion(&self) -> Result<Option<(String, ServingModel)>> {
        let Some(version) = self.champion()? else {
            return Ok(None);
        };
        let model = self.load(&version)?;
        Ok(Some((version, model)))
    }

    /// Makes `version` the champion (also a rollback). It must load cleanly first; the pointer is
    /// written to a temporary file and renamed, so the old champion stays on any failure.
    pub fn promote(&self, version: &str) -> Result<()> {
        self.load(version)?;
        files::write_text_atomically(&self.root.join(CHAMPION_FILE), version)
    }

    /// Every version, oldest first (names sort by training time within a model).
    pub fn list(&self) -> Result<Vec<ModelEntry>> {
        let champion = self.champion()?;
        let mut versions = files::version_dirs(&self.root)?;
        versions.sort();
        let mut entries: Vec<ModelEntry> = versions
            .into_iter()
            .map(|version| ModelEntry {
                champion: champion.as_deref() == Some(version.as_str()),
                metrics: self.metrics(&version).map_err(|e| e.to_string()),
                version,
            })
            .collect();
        entries.sort_by_key(|e| e.metrics.as_ref().map(|m| m.created_at).ok());
        Ok(entries)
    }

    fn version_dir(&self, version: &str) -> Result<PathBuf> {
        // A version is a plain folder name: no separators, no parent references, no hidden names.
        let plain = !version.is_empty()
            && !version.starts_with('.')
            && !version.contains(['/', '\\'])
            && version != "..";
        let dir = self.root.join(version);
        if plain && dir.is_dir() {
            Ok(dir)
        } else {
            Err(RegistryError::UnknownVersion(version.to_string()))
        }
    }
}

/// Refuses a model whose format or features do not match this build.
fn check_compatible(version: &str, model: &ServingModel, features: &[String]) -> Result<()> {
    let refuse = |reason: String| {
        Err(RegistryError::Incompatible {
            version: version.to_string(),
            reason,
        })
    };
    if model.format_version != FORMAT_VERSION {
        return refuse(format!(
            "format version {} where this build reads {FORMAT_VERSION}",
            model.format_version
        ));
    }
    let expected = FeatureSet {
        odds: model.spec.odds,
    }
    .names();
    if features != model.features || model.features != expected {
        return refuse(format!(
            "its feature list ({} columns) differs from this build's ({} columns); retrain it",
            features.len(),
            expected.len()
        ));
    }
    let width_ok = model.stage1.width() == expected.len()
        && model.stage1.means.len() == expected.len()
        && model.stage1.scales.len() == expected.len()
        && model.stage2.as_ref().is_none_or(|s| s.width() == 2);
    let finite = model
        .stage1
        .coefficients
        .iter()
        .chain(&model.stage1.means)
        .chain(&model.stage1.scales)
        .all(|v| v.is_finite());
    if !width_ok || !finite {
        return refuse("its coefficients do not fit its features".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
