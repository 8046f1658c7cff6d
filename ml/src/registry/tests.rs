use super::*;
use crate::serving::ModelSpec;
use crate::serving::tests::synthetic_history;

fn trained() -> ServingModel {
    let cards = synthetic_history(12, 10, 5);
    let mut spec = ModelSpec::named("clogit-morning").expect("known");
    spec.l2_grid = vec![0.1];
    let until = NaiveDate::from_ymd_opt(2026, 1, 12).expect("date");
    ServingModel::train(&cards, until, &spec).expect("trained")
}

fn metrics_for(model: &ServingModel, version: &str) -> ModelMetrics {
    ModelMetrics {
        version: version.to_string(),
        model: model.spec.name.clone(),
        created_at: Utc::now(),
        trained_from: model.trained_from,
        trained_until: model.trained_until,
        train_races: model.train_races(),
        l2: model.l2,
        stage2_races: 0,
        stage2_coefficients: None,
        decision: None,
    }
}

fn saved(registry: &Registry, model: &ServingModel) -> String {
    let version = registry.new_version(model, Utc::now());
    registry
        .save(model, &metrics_for(model, &version))
        .expect("saved");
    version
}

#[test]
fn a_saved_model_loads_back_identical_and_lists_with_its_metrics() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = Registry::new(dir.path().join("models"));
    let model = trained();

    // Act
    let version = saved(&registry, &model);
    let loaded = registry.load(&version).expect("loads");

    // Assert
    assert_eq!(loaded, model);
    let list = registry.list().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].version, version);
    assert!(!list[0].champion);
    assert_eq!(
        list[0].metrics.as_ref().map(|m| m.train_races).ok(),
        Some(model.train_races())
    );
    // A second version of the same model and minute gets a distinct name.
    assert_ne!(registry.new_version(&model, Utc::now()), version);
    let leftovers: Vec<_> = std::fs::read_dir(registry.root())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary folder is left behind");
}

#[test]
fn promote_names_the_champion_and_rolls_back() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = Registry::new(dir.path());
    let model = trained();
    let first = saved(&registry, &model);
    let second = saved(&registry, &model);

    // Act / Assert
    assert_eq!(registry.champion().expect("read"), None);
    registry.promote(&second).expect("promoted");
    assert_eq!(registry.champion().expect("read"), Some(second));
    registry.promote(&first).expect("rolled back");
    let (champion, _) = registry
        .load_champion()
        .expect("loads")
        .expect("a champion");
    assert_eq!(champion, first);
    assert!(matches!(
        registry.promote("../etc"),
        Err(RegistryError::UnknownVersion(_))
    ));
}

#[test]
fn a_corrupt_or_incompatible_model_is_refused_and_never_becomes_champion() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = Registry::new(dir.path());
    let model = trained();
    let good = saved(&registry, &model);
    registry.promote(&good).expect("promoted");
    let corrupt = saved(&registry, &model);
    std::fs::write(
        dir.path().join(&corrupt).join("model.json"),
        b"{\"format_ver",
    )
    .expect("corrupt it");
    let mut old = model.clone();
    old.format_version = FORMAT_VERSION + 1;
    let incompatible = registry.new_version(&old, Utc::now());
    registry
        .save(&old, &metrics_for(&old, &incompatible))
        .expect("saved");
    let mut shifted = model;
    shifted.features.swap(0, 1);
    let wrong_features = format!("{incompatible}-features");
    registry
        .save(&shifted, &metrics_for(&shifted, &wrong_features))
        .expect("saved");

    // Act
    let corrupt_err = registry.promote(&corrupt).expect_err("corrupt refused");
    let format_err = registry.promote(&incompatible).expect_err("format refused");
    let features_err = registry
        .load(&wrong_features)
        .expect_err("features refused");

    // Assert
    assert!(
        matches!(corrupt_err, RegistryError::Corrupt { .. }),
        "{corrupt_err}"
    );
    assert!(corrupt_err.to_string().contains("model.json is corrupt"));
    assert!(
        format_err.to_string().contains("format version"),
        "{format_err}"
    );
    assert!(
        features_err.to_string().contains("feature list"),
        "{features_err}"
    );
    assert_eq!(registry.champion().expect("read"), Some(good));
}
