//! Response cache shared by the API processes: Redis when REDIS_URL is set, else in process.
//!
//! Invalidation is by data version: every write (sync, import, predictions) bumps one counter, and
//! an entry stored under an older version reads as a miss. A Redis read fetches the entry and the
//! version in one round trip (MGET). A cache must never make the API fail: any Redis error or
//! timeout is a miss, and the caller answers from the database.

use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Mutex as AsyncMutex;

/// Longest a Redis call may take before the cache gives up and the database answers.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// After a Redis failure, how long to wait before trying to reconnect (no storm while it is down).
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);
/// Entries kept in process at most; the oldest half is dropped when full.
const MEMORY_CAPACITY: usize = 10_000;
const VERSION_KEY: &str = "pronoturf:cache:version";
const PREFIX: &str = "pronoturf:cache:";

/// The cache, in process or on Redis.
pub enum Cache {
    /// In-process map: one process only (the embedded `serve`).
    Memory(MemoryCache),
    /// Redis: shared by every process.
    Redis(Box<RedisCache>),
}

impl Cache {
    /// Redis when `redis_url` is given, else in process.
    pub fn new(redis_url: Option<&SecretString>) -> Result<Self, redis::RedisError> {
        Ok(match redis_url {
            Some(url) => Self::Redis(Box::new(RedisCache::new(url.expose_secret())?)),
            None => Self::Memory(MemoryCache::default()),
        })
    }

    /// `redis` or `memory`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Memory(_) => "memory",
            Self::Redis(_) => "redis",
        }
    }

    /// The value at `key` if it was stored under the current data version and has not expired.
    pub async fn get(&self, key: &str) -> Option<Vec<u8>> {
        match self {
            Self::Memory(m) => m.get(key),
            Self::Redis(r) => r.get(key).await,
        }
    }

    /// Stores `value` at `key` for `ttl` under the current data version.
    pub async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        match self {
            Self::Memory(m) => m.set(key, value, ttl),
            Self::Redis(r) => r.set(key, value, ttl).await,
        }
    }

    /// Makes every entry stale: call after any write that changes what the API shows.
    pub async fn invalidate(&self) {
        match self {
            Self::Memory(m) => m.invalidate(),
            Self::Redis(r) => r.invalidate().await,
        }
    }
}

/// The in-process cache.
#[derive(Default)]
pub struct MemoryCache {
    inner: Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    version: u64,
    entries: HashMap<String, (u64, Instant, Vec<u8>)>,
}

impl MemoryCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        // A panic while holding the lock leaves a consistent map: keep using it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let inner = self.lock();
        let (version, expires, value) = inner.entries.get(key)?;
        (*version == inner.version && *expires > Instant::now()).then(|| value.clone())
    }

    fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        let mut inner = self.lock();
        if inner.entries.len() >= MEMORY_CAPACITY {
            let now = Instant::now();
            let version = inner.version;
            inner
                .entries
                .retain(|_, (v, expires, _)| *v == version && *expires > now);
            if inner.entries.len() >= MEMORY_CAPACITY {
                inner.entries.clear();
            }
        }
        let version = inner.version;
        inner.entries.insert(
            key.to_string(),
            (version, Instant::now() + ttl, value.to_vec()),
        );
    }

    fn invalidate(&self) {
        let mut inner = self.lock();
        inner.version += 1;
        inner.entries.clear();
    }
}

/// The Redis cache. Connects lazily and reconnects after failures, so Redis may start after the
/// API, stop, and come back without a restart.
pub struct RedisCache {
    client: redis::Client,
    conn: AsyncMutex<Connection>,
}

#[derive(Default)]
struct Connection {
    live: Option<redis::aio::MultiplexedConnection>,
    failed_at: Option<Instant>,
}

impl RedisCache {
    /// A cache on the Redis at `url`; nothing is contacted until first use.
    pub fn new(url: &str) -> Result<Self, redis::RedisError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            conn: AsyncMutex::new(Connection::default()),
        })
    }

    async fn connection(&self) -> Option<redis::aio::MultiplexedConnection> {
        let mut conn = self.conn.lock().await;
        if let Some(live) = &conn.live {
            return Some(live.clone());
        }
        if conn
            .failed_at
            .is_some_and(|t| t.elapsed() < RECONNECT_PAUSE)
        {
            return None;
        }
        match tokio::time::timeout(
            REDIS_TIMEOUT,
            self.client.get_multiplexed_async_connection(),
        )
        .await
        {
            Ok(Ok(live)) => {
                if conn.failed_at.take().is_some() {
                    tracing::info!("redis cache reconnected");
                }
                conn.live = Some(live.clone());
                Some(live)
            }
            Ok(Err(e)) => {
                self.note_failure(&mut conn, &e.to_string());
                None
            }
            Err(_) => {
                self.note_failure(&mut conn, "connection timed out");
                None
            }
        }
    }

    fn note_failure(&self, conn: &mut Connection, why: &str) {
        if conn.failed_at.is_none() {
            tracing::warn!(
                error = why,
                "redis cache unavailable; answering from the database"
            );
        }
        conn.live = None;
        conn.failed_at = Some(Instant::now());
    }

    async fn forget_connection(&self, why: &str) {
        let mut conn = self.conn.lock().await;
        self.note_failure(&mut conn, why);
    }

    /// Runs one command with the timeout; any failure drops the connection and yields `None`.
    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Option<T> {
        let mut live = self.connection().await?;
        match tokio::time::timeout(REDIS_TIMEOUT, cmd.query_async::<T>(&mut live)).await {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                self.forget_connection(&e.to_string()).await;
                None
            }
            Err(_) => {
                self.forget_connection("command timed out").await;
                None
            }
        }
    }

    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let entry = format!("{PREFIX}{key}");
        let (value, version): (Option<Vec<u8>>, Option<u64>) = self
            .run(redis::cmd("MGET").arg(&entry).arg(VERSION_KEY))
            .await?;
        split_versioned(&value?, version.unwrap_or(0))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        let Some(version) = self
            .run::<Option<u64>>(redis::cmd("GET").arg(VERSION_KEY))
            .await
        else {
            return;
        };
        let mut stored = version.unwrap_or(0).to_be_bytes().to_vec();
        stored.extend_from_slice(value);
        let _: Option<()> = self
            .run(
                redis::cmd("SET")
                    .arg(format!("{PREFIX}{key}"))
                    .arg(stored)
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64),
            )
            .await;
    }

    async fn invalidate(&self) {
        let _: Option<u64> = self.run(redis::cmd("INCR").arg(VERSION_KEY)).await;
    }
}

/// An entry is the 8-byte big-endian version it was stored under, then the value.
fn split_versioned(stored: &[u8], current: u64) -> Option<Vec<u8>> {
    let (version, value) = stored.split_at_checked(8)?;
    let version = u64::from_be_bytes(version.try_into().ok()?);
    (version == current).then(|| value.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_entries_expire_and_are_invalidated_by_a_write() {
        let cache = Cache::Memory(MemoryCache::default());
        cache.set("a", b"1", Duration::from_secs(60)).await;
        cache.set("gone", b"2", Duration::ZERO).await;
        assert_eq!(cache.get("a").await.as_deref(), Some(&b"1"[..]));
        assert_eq!(cache.get("gone").await, None, "expired");
        cache.invalidate().await;
        assert_eq!(cache.get("a").await, None, "stale after a write");
        cache.set("a", b"3", Duration::from_secs(60)).await;
        assert_eq!(cache.get("a").await.as_deref(), Some(&b"3"[..]));
    }

    #[tokio::test]
    async fn the_memory_cache_stays_bounded() {
        let cache = MemoryCache::default();
        for i in 0..(MEMORY_CAPACITY + 10) {
            cache.set(&format!("k{i}"), b"x", Duration::from_secs(60));
        }
        assert!(cache.lock().entries.len() <= MEMORY_CAPACITY);
    }

    #[test]
    fn versioned_entries_of_another_version_are_misses() {
        let mut stored = 7u64.to_be_bytes().to_vec();
        stored.extend_from_slice(b"body");
        assert_eq!(split_versioned(&stored, 7).as_deref(), Some(&b"body"[..]));
        assert_eq!(split_versioned(&stored, 8), None);
        assert_eq!(split_versioned(b"short", 0), None);
    }
}
