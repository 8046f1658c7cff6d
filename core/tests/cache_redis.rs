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
async fn a_process_reuses_its_copy_while_the_version_holds_and_honours_the_redis_expiry() {
    let Some(url) = redis_url() else { return };
    let api = Cache::Redis(Box::new(RedisCache::new(&url).expect("client")));
    let worker = Cache::Redis(Box::new(RedisCache::new(&url).expect("client")));
    let key = format!("test:copy:{}", std::process::id());
    let mut redis = redis::Client::open(url.as_str())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("redis");

    // The copy kept at `set` answers without the value crossing the network again.
    api.set(&key, b"page", Duration::from_secs(30)).await;
    let _: () = redis::cmd("DEL")
        .arg(format!("pronoturf:cache:{key}"))
        .query_async(&mut redis)
        .await
        .expect("DEL");
    assert_eq!(api.get(&key).await.as_deref(), Some(&b"page"[..]));
    // Another process's write makes the copy stale at once.
    worker.invalidate().await;
    assert_eq!(api.get(&key).await, None);

    // A copy taken from Redis expires when the entry does there.
    worker.set(&key, b"short", Duration::from_millis(300)).await;
    assert_eq!(api.get(&key).await.as_deref(), Some(&b"short"[..]));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(api.get(&key).await, None, "expired with the Redis entry");
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
