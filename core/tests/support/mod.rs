//! Backends for Store tests shared by test files: SQLite always, MySQL/MariaDB when
//! TEST_MYSQL_URL names a server (each test then works in a database of its own, dropped at the
//! end). Under CI=true a missing TEST_MYSQL_URL is a failure.

use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A store under test and what must be cleaned up after it.
pub struct Backend {
    pub name: &'static str,
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    mysql_drop: Option<(String, String)>,
}

impl Backend {
    pub async fn cleanup(self) {
        if let Some((server, db)) = self.mysql_drop {
            let pool = sqlx_pool(&server).await;
            sqlx_exec(&pool, &format!("drop database if exists {db}")).await;
        }
    }
}

async fn sqlx_pool(url: &str) -> sqlx::MySqlPool {
    sqlx::MySqlPool::connect(url)
        .await
        .expect("connect to MySQL")
}

async fn sqlx_exec(pool: &sqlx::MySqlPool, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .expect(sql);
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Every backend this run can test, each freshly migrated and empty.
pub async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/contract.db", dir.path().display());
    let sqlite = store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("open sqlite");
    let mut all = vec![Backend {
        name: "sqlite",
        store: sqlite,
        _dir: Some(dir),
        mysql_drop: None,
    }];
    match std::env::var("TEST_MYSQL_URL") {
        Ok(server) if !server.is_empty() => {
            let db = format!(
                "pronoturf_store_test_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let pool = sqlx_pool(&server).await;
            sqlx_exec(
                &pool,
                &format!("create database {db} character set utf8mb4"),
            )
            .await;
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            let url = DatabaseUrl::parse("TEST_MYSQL_URL", &format!("{base}/{db}")).expect("url");
            let store = store::open(&url).await.expect("open mysql");
            all.push(Backend {
                name: "mysql",
                store,
                _dir: None,
                mysql_drop: Some((server.clone(), db)),
            });
        }
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but TEST_MYSQL_URL is not set: the MySQL contract would not run")
        }
        _ => eprintln!("TEST_MYSQL_URL not set: MySQL contract skipped (set it to run it)"),
    }
    all
}
