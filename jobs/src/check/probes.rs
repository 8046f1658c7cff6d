//! The checks of `pronoturf check`, one function each: they never panic nor hang, and turn every
//! error into a FAIL line that says what was tried and, when known, what to fix.

use super::{CheckResult, Status};
use pronoturf_core::probe::redis_round_trip;
use pronoturf_core::settings::{DatabaseUrl, redact};
use pronoturf_core::store;
use secrecy::{ExposeSecret, SecretString};
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};
use url::Url;

/// Bound of a network check (Redis, HTTP).
pub const NETWORK_TIMEOUT: Duration = Duration::from_secs(2);
/// Bound of the database check: the Store's own connection timeout (5 s) plus the queries.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(6);

/// Runs `work` within `limit` and times it; `Ok` is the detail of a pass, `Err` of a failure.
async fn timed(
    name: &'static str,
    target: String,
    limit: Duration,
    work: impl Future<Output = Result<String, String>>,
) -> CheckResult {
    let started = Instant::now();
    let (status, detail) = match tokio::time::timeout(limit, work).await {
        Ok(Ok(detail)) => (Status::Ok, detail),
        Ok(Err(detail)) => (Status::Fail, detail),
        Err(_) => (
            Status::Fail,
            format!("no answer within {} s", limit.as_secs_f64()),
        ),
    };
    CheckResult {
        name,
        target,
        status,
        detail,
        millis: started.elapsed().as_secs_f64() * 1000.0,
    }
}

/// The database: reachable, its version, every embedded migration applied, and row counts.
pub async fn database(url: &DatabaseUrl) -> CheckResult {
    let target = redact(url.expose());
    timed("database", target, DATABASE_TIMEOUT, async {
        let store = store::connect(url)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let expected = store::embedded_migrations(url);
        let health = store.health().await.map_err(|e| {
            // A database never migrated has no migrations table for the probe to count.
            if e.to_string().contains("_sqlx_migrations") {
                format!("0/{expected} migrations applied: run `pronoturf migrate`")
            } else {
                format!("connected, but the probe query failed: {e}")
            }
        })?;
        let version = format!("{} {}", health.backend, health.version);
        if health.migrations < expected {
            return Err(format!(
                "{version}: {}/{expected} migrations applied: run `pronoturf migrate`",
                health.migrations
            ));
        }
        let stats = store
            .stats()
            .await
            .map_err(|e| format!("{version}: cannot count rows: {e}"))?;
        Ok(format!(
            "{version}, {}/{expected} migrations, {} races, {} runners, {} horses, {} results",
            health.migrations, stats.races, stats.runners, stats.horses, stats.results
        ))
    })
    .await
}

/// Redis: PING and a SET/GET round trip; "embedded" (a pass) when REDIS_URL is unset.
pub async fn redis(url: Option<&SecretString>) -> CheckResult {
    let Some(url) = url else {
        return CheckResult {
            name: "redis",
            target: "-".into(),
            status: Status::Ok,
            detail: "embedded: no REDIS_URL, queue and cache run in process".into(),
            millis: 0.0,
        };
    };
    let raw = url.expose_secret();
    timed("redis", redact(raw), NETWORK_TIMEOUT, async {
        let client = redis::Client::open(raw).map_err(|e| format!("bad REDIS_URL: {e}"))?;
        match redis_round_trip(&client).await {
            Ok(version) => Ok(format!(
                "redis {}: PING and SET/GET answered",
                version.as_deref().unwrap_or("(version not told)")
            )),
            Err(e) => Err(format!("PING and SET/GET failed: {e}")),
        }
    })
    .await
}

/// An HTTP GET of `url` answering 2xx.
pub async fn http(name: &'static str, url: Url) -> CheckResult {
    let target = redact(url.as_str());
    timed(name, target, NETWORK_TIMEOUT, async move {
        let client = reqwest::Client::builder()
            .timeout(NETWORK_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        let response = client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("unreachable: {}", root_cause(&e)))?;
        let status = response.status();
        if status.is_success() {
            Ok(format!("HTTP {}", status.as_u16()))
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    })
    .await
}

/// The model registry folder (ML_MODELS_DIR): exists, is a folder, and this process can write
/// into it (the worker saves retrained models there).
pub async fn model_registry(dir: &Path) -> CheckResult {
    let target = dir.display().to_string();
    timed("model_registry", target, NETWORK_TIMEOUT, async {
        // Small synchronous file-system calls: not worth a blocking thread.
        let meta = std::fs::metadata(dir)
            .map_err(|e| format!("cannot read it ({e}): create it or set ML_MODELS_DIR"))?;
        if !meta.is_dir() {
            return Err("not a folder: set ML_MODELS_DIR to a folder".into());
        }
        let probe = dir.join(format!(".pronoturf-check-{}", std::process::id()));
        std::fs::write(&probe, b"check")
            .map_err(|e| format!("not writable ({e}): fix its owner or permissions"))?;
        let _ = std::fs::remove_file(&probe);
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot list it: {e}"))?
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .count();
        Ok(format!("writable, {entries} entries"))
    })
    .await
}

/// The champion model: named by the registry's pointer, and loadable (a corrupt or incompatible
/// file fails here, as it would when predictions are made).
pub async fn champion(dir: &Path) -> CheckResult {
    let target = dir.display().to_string();
    let registry = pronoturf_ml::registry::Registry::new(dir);
    timed("champion", target, DATABASE_TIMEOUT, async move {
        // Reading and parsing a model file is blocking work.
        let loaded = tokio::task::spawn_blocking(move || registry.load_champion())
            .await
            .map_err(|e| format!("the loading task failed: {e}"))?;
        match loaded {
            Ok(Some((version, model))) => Ok(format!(
                "{version} loads ({} features)",
                model.features.len()
            )),
            Ok(None) => Err("no champion model: run `pronoturf train`".into()),
            Err(e) => Err(format!("the champion cannot be loaded: {e}")),
        }
    })
    .await
}

/// The deepest cause of an error: for a failed request, the socket error ("Connection refused
/// (os error 111)") rather than reqwest's wrappers, which repeat the URL shown beside it.
fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port()
    }

    #[tokio::test]
    async fn a_dead_http_port_fails_quickly_and_says_unreachable() {
        let url = Url::parse(&format!("http://127.0.0.1:{}/health", dead_port())).expect("url");
        let check = http("api", url).await;
        assert_eq!(check.status, Status::Fail);
        assert!(check.detail.starts_with("unreachable"), "{}", check.detail);
        assert!(check.millis < 2500.0);
    }

    #[tokio::test]
    async fn a_missing_registry_folder_fails_and_a_writable_one_passes() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("model.json"), "{}").expect("write");
        let missing = model_registry(&dir.path().join("absent")).await;
        let present = model_registry(dir.path()).await;
        assert_eq!(missing.status, Status::Fail);
        assert!(
            missing.detail.contains("ML_MODELS_DIR"),
            "{}",
            missing.detail
        );
        assert_eq!(present.status, Status::Ok, "{}", present.detail);
        assert_eq!(present.detail, "writable, 1 entries");
        assert!(
            !dir.path()
                .join(format!(".pronoturf-check-{}", std::process::id()))
                .exists(),
            "the probe file is removed"
        );
    }

    #[tokio::test]
    async fn a_registry_without_a_champion_fails_and_says_how_to_train_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let result = champion(dir.path()).await;
        assert_eq!(result.status, Status::Fail);
        assert!(
            result.detail.contains("pronoturf train"),
            "{}",
            result.detail
        );
    }

    #[tokio::test]
    async fn a_corrupt_champion_fails_the_check() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("v1")).expect("version folder");
        std::fs::write(dir.path().join("v1/model.json"), "{ not json").expect("model");
        std::fs::write(dir.path().join("CHAMPION"), "v1").expect("pointer");
        let result = champion(dir.path()).await;
        assert_eq!(result.status, Status::Fail, "{}", result.detail);
    }

    #[tokio::test]
    async fn an_unmigrated_database_fails_naming_the_fix() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::parse(
            "DATABASE_URL",
            &format!("sqlite://{}/empty.db", dir.path().display()),
        )
        .expect("url");
        let check = database(&url).await;
        assert_eq!(check.status, Status::Fail);
        assert!(
            check.detail.contains("pronoturf migrate"),
            "{}",
            check.detail
        );
        store::open(&url).await.expect("migrate");
        let check = database(&url).await;
        assert_eq!(check.status, Status::Ok, "{}", check.detail);
        assert!(check.detail.contains("0 races"), "{}", check.detail);
    }

    #[tokio::test]
    async fn the_database_check_counts_migrations_on_mysql_too() {
        let Some(server) = std::env::var("TEST_MYSQL_URL")
            .ok()
            .filter(|s| !s.is_empty())
        else {
            assert!(
                std::env::var("CI").is_err(),
                "TEST_MYSQL_URL is required under CI"
            );
            return;
        };
        // Arrange: a database of this test's own, empty.
        use sqlx::Executor as _;
        let db = format!("pronoturf_check_{}", std::process::id());
        let admin = sqlx::MySqlPool::connect(&server)
            .await
            .expect("TEST_MYSQL_URL");
        admin
            .execute(sqlx::AssertSqlSafe(format!("create database {db}")))
            .await
            .expect("create database");
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        let url = DatabaseUrl::parse("TEST_MYSQL_URL", &format!("{base}/{db}")).expect("url");
        // Act
        let before = database(&url).await;
        let opened = store::open(&url).await.map(drop);
        let after = database(&url).await;
        admin
            .execute(sqlx::AssertSqlSafe(format!("drop database {db}")))
            .await
            .expect("drop database");
        // Assert
        opened.expect("migrate");
        assert_eq!(before.status, Status::Fail, "{}", before.detail);
        assert!(
            before.detail.contains("pronoturf migrate"),
            "{}",
            before.detail
        );
        assert_eq!(after.status, Status::Ok, "{}", after.detail);
        assert!(after.detail.starts_with("mysql "), "{}", after.detail);
    }

    #[tokio::test]
    async fn a_redis_password_never_shows_in_the_target() {
        let url = SecretString::from(format!("redis://:hunter2@127.0.0.1:{}/0", dead_port()));
        let check = redis(Some(&url)).await;
        assert_eq!(check.status, Status::Fail);
        assert!(!check.target.contains("hunter2") && !check.detail.contains("hunter2"));
    }

    #[tokio::test]
    async fn no_redis_url_is_the_embedded_setup_and_passes() {
        let check = redis(None).await;
        assert_eq!(check.status, Status::Ok);
        assert!(check.detail.starts_with("embedded"));
    }
}
