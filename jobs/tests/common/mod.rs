//! Shared test helpers: a fresh SQLite store, queues in process and on Redis, a fake Telegram
//! Bot API on port 0, the recorded Turfinfo payloads, and a private redis-server that a test may
//! stop and restart.
#![allow(dead_code)]

pub mod pmu;
mod private_redis;

#[allow(unused_imports)] // not every test file kills Redis
pub use private_redis::PrivateRedis;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Json, Router, routing::post};
use pronoturf_core::queue::{JobQueue, MemoryQueue, QueueConfig, RedisQueue};
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, Store};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique suffix for keys and names.
pub fn unique() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A migrated SQLite store in a temp folder (kept alive by the returned guard).
pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/jobs.db", dir.path().display());
    let store = store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("open sqlite");
    (store, dir)
}

/// Short timeouts so tests run in seconds.
pub fn fast_config(prefix: String) -> QueueConfig {
    QueueConfig {
        prefix,
        visibility_timeout: Duration::from_millis(500),
        max_attempts: 3,
        retry_base: Duration::from_millis(20),
        retry_max: Duration::from_millis(200),
    }
}

/// TEST_REDIS_URL, required under CI=true.
pub fn redis_url() -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI needs TEST_REDIS_URL"
            );
            None
        }
    }
}

/// A queue under test: (backend name, queue, a second handle standing for another process,
/// Redis url and prefix to clean).
pub struct TestQueue {
    pub name: &'static str,
    pub queue: JobQueue,
    pub other: JobQueue,
    pub redis: Option<(String, String)>,
}

impl TestQueue {
    pub async fn cleanup(self) {
        if let Some((url, prefix)) = self.redis {
            delete_prefix(&url, &prefix).await;
        }
    }
}

pub async fn delete_prefix(url: &str, prefix: &str) {
    let client = redis::Client::open(url).expect("client");
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return;
    };
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    for key in keys {
        let _: Result<(), _> = redis::cmd("DEL").arg(key).query_async(&mut conn).await;
    }
}

/// The in-process queue, and the Redis one when TEST_REDIS_URL is set.
pub fn queues() -> Vec<TestQueue> {
    let memory = MemoryQueue::new(fast_config(String::new()));
    let mut all = vec![TestQueue {
        name: "memory",
        queue: JobQueue::Memory(memory.clone()),
        other: JobQueue::Memory(memory),
        redis: None,
    }];
    if let Some(url) = redis_url() {
        let prefix = format!("test:jobs:{}", unique());
        let q =
            || JobQueue::Redis(RedisQueue::new(&url, fast_config(prefix.clone())).expect("client"));
        all.push(TestQueue {
            name: "redis",
            queue: q(),
            other: q(),
            redis: Some((url.clone(), prefix)),
        });
    }
    all
}

/// What the fake Telegram received and will answer.
#[derive(Default)]
pub struct FakeTelegram {
    /// (path, JSON body) of each request.
    pub received: Vec<(String, serde_json::Value)>,
    /// Scripted answers, used in order; then 200 ok.
    pub answers: VecDeque<(u16, serde_json::Value)>,
}

async fn send_message(
    State(fake): State<Arc<Mutex<FakeTelegram>>>,
    Path(path): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    let mut fake = fake.lock().expect("lock");
    fake.received.push((path, body));
    let (status, reply) = fake
        .answers
        .pop_front()
        .unwrap_or((200, serde_json::json!({"ok": true, "result": {}})));
    (StatusCode::from_u16(status).expect("status"), Json(reply))
}

/// Starts a fake Bot API on port 0; returns its base URL and its state.
pub async fn fake_telegram() -> (url::Url, Arc<Mutex<FakeTelegram>>) {
    let state = Arc::new(Mutex::new(FakeTelegram::default()));
    let app = Router::new()
        .route("/{*path}", post(send_message))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (
        url::Url::parse(&format!("http://{addr}")).expect("url"),
        state,
    )
}
