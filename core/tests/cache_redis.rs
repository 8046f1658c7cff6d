#![cfg(feature = "runtime")]
//! The Redis cache against a real server (TEST_REDIS_URL; required under CI=true) and against a
//! dead one, which must behave as an empty cache, quickly, never as an error.

use pronoturf_core::cache::{Cache, RedisCache};
use std::time::{Duration, Instant};

fn redis_url() -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI needs TEST_REDIS_URL"
            );
            eprintln!("TEST_REDIS_URL not set: Redis cache test skipped");
            None
        }
    }
}

#[tokio::test]
async fn entries_are_shared_between_processes_and_invalidated_by_any_of_them() {
    let Some(url) = redis_url() else { return };
    // Two caches on one server stand for the API and the worker processes.
    let api = Cache::Redis(Box::new(RedisCache::new(&url).expect("client")));
    let worker = Cache::Redis(Box::new(RedisCache::new(&url).expect("client")));
    let key = format!("test:{}", std::process::id());
    api.set(&key, b"races", Duration::from_secs(30)).await;
    assert_eq!(worker.get(&key).await.as_deref(), Some(&b"races"[..]));
    worker.invalidate().await;
    assert_eq!(api.get(&key).await, None, "stale after the worker's write");
    api.set(&key, b"fresh", Duration::from_millis(200)).await;
    assert_eq!(api.get(&key).await.as_deref(), Some(&b"fresh"[..]));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(api.get(&key).await, None, "expired");
}

#[tokio::test]
async fn a_dead_redis_is_an_empty_cache_not_an_error() {
    let cache = Cache::Redis(Box::new(
        RedisCache::new("redis://127.0.0.1:1").expect("client"),
    ));
    let started = Instant::now();
    cache.set("k", b"v", Duration::from_secs(30)).await;
    assert_eq!(cache.get("k").await, None);
    cache.invalidate().await;
    for _ in 0..100 {
        assert_eq!(cache.get("k").await, None);
    }
    // After the first failure the cache pauses reconnecting instead of trying on every call.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
