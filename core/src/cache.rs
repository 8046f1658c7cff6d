//! Response cache shared by the API processes: Redis when REDIS_URL is set, else in process.
//!
//! Invalidation is by data version: every write (sync, import, predictions) bumps one counter, and
//! an entry stored under an older version reads as a miss. A cache must never make the API fail:
//! any Redis error or timeout is a miss, and the caller answers from the database.
//!
//! On Redis, each process also keeps a copy of the entries it read or wrote, and a read asks
//! Redis only for the version (a few bytes) when its copy is still good: a dashboard page is
//! 80-150 kB, and at 256 connections fetching it from Redis on every request made Redis's one
//! thread the bottleneck (p99 168 ms against 15 ms for the same pages held in process).

use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Mutex as AsyncMutex;

/// Longest a Redis call may take before the cache gives up and the database answers.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// After a Redis failure, how long to wait before trying to reconnect (no storm while it is down).
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);
/// Entries kept in process at most; past it, entries no longer valid are dropped, then all.
const MEMORY_CAPACITY: usize = 10_000;
/// Bytes of values kept in process at most, for the same sweep: a crawler asking for every
/// date of every page must not grow the process by gigabytes.
const MEMORY_BYTES: usize = 64 << 20;
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

/// Values held in process, each with the data version it was stored under and its expiry;
/// bounded by [`MEMORY_CAPACITY`] entries and [`MEMORY_BYTES`].
#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

struct Entry {
    version: u64,
    expires: Instant,
    value: Vec<u8>,
}

impl Entries {
    fn get(&self, key: &str, version: u64) -> Option<Vec<u8>> {
        let entry = self.map.get(key)?;
        (entry.version == version && entry.expires > Instant::now()).then(|| entry.value.clone())
    }

    fn insert(&mut self, key: &str, version: u64, expires: Instant, value: &[u8]) {
        if let Some(old) = self.map.remove(key) {
            self.bytes -= old.value.len();
        }
        // Not kept, and not a reason to drop the rest either.
        if value.len() > MEMORY_BYTES {
            return;
        }
        if self.map.len() >= MEMORY_CAPACITY || self.bytes + value.len() > MEMORY_BYTES {
            let now = Instant::now();
            self.map
                .retain(|_, e| e.version == version && e.expires > now);
            self.bytes = self.map.values().map(|e| e.value.len()).sum();
            if self.map.len() >= MEMORY_CAPACITY || self.bytes + value.len() > MEMORY_BYTES {
                self.clear();
            }
        }
        self.bytes += value.len();
        self.map.insert(
            key.to_string(),
            Entry {
                version,
                expires,
                value: value.to_vec(),
            },
        );
    }

    fn clear(&mut self) {
        self.map.clear();
        self.bytes = 0;
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
    entries: Entries,
}

/// Locks `mutex`; a panic while holding it leaves a consistent map, so keep using it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl MemoryCache {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let inner = lock(&self.inner);
        inner.entries.get(key, inner.version)
    }

    fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        let mut inner = lock(&self.inner);
        let version = inner.version;
        inner
            .entries
            .insert(key, version, Instant::now() + ttl, value);
    }

    fn invalidate(&self) {
        let mut inner = lock(&self.inner);
        inner.version += 1;
        inner.entries.clear();
    }
}

/// The Redis cache. Connects lazily and reconnects after failures, so Redis may start after the
/// API, stop, and come back without a restart.
pub struct RedisCache {
    client: redis::Client,
    conn: AsyncMutex<Connection>,
    /// Copies of the entries this process read or wrote, under the version and expiry they
    /// have on Redis.
    local: Mutex<Entries>,
}

#[derive(Default)]
struct Connection {
    live: Option<redis::aio::MultiplexedConnection>,
    failed_at: Option<Instant>,
}

/// What [`RedisCache::run`] sends: one command, or several in one round trip.
enum Request<'a> {
    Cmd(&'a redis::Cmd),
    Pipe(&'a redis::Pipeline),
}

impl RedisCache {
    /// A cache on the Redis at `url`; nothing is contacted until first use.
    pub fn new(url: &str) -> Result<Self, redis::RedisError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            conn: AsyncMutex::new(Connection::default()),
            local: Mutex::default(),
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

    /// Sends `request` with the timeout; any failure drops the connection and yields `None`.
    async fn run<T: redis::FromRedisValue>(&self, request: Request<'_>) -> Option<T> {
        let mut live = self.connection().await?;
        let answer = tokio::time::timeout(REDIS_TIMEOUT, async {
            match request {
                Request::Cmd(cmd) => cmd.query_async::<T>(&mut live).await,
                Request::Pipe(pipe) => pipe.query_async::<T>(&mut live).await,
            }
        })
        .await;
        match answer {
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

    /// The current data version (0 before the first write); `None` when Redis does not answer.
    async fn version(&self) -> Option<u64> {
        let version: Option<u64> = self
            .run(Request::Cmd(redis::cmd("GET").arg(VERSION_KEY)))
            .await?;
        Some(version.unwrap_or(0))
    }

    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        // Even a copy held here needs the version: another process may have written since.
        let current = self.version().await?;
        if let Some(value) = lock(&self.local).get(key, current) {
            return Some(value);
        }
        let entry = format!("{PREFIX}{key}");
        let mut pipe = redis::pipe();
        pipe.cmd("MGET").arg(&entry).arg(VERSION_KEY);
        pipe.cmd("PTTL").arg(&entry);
        let ((stored, version), ttl_ms): ((Option<Vec<u8>>, Option<u64>), i64) =
            self.run(Request::Pipe(&pipe)).await?;
        let version = version.unwrap_or(0);
        let value = split_versioned(&stored?, version)?;
        // PTTL is negative for a key gone (or without expiry) between the two reads.
        if let Ok(ttl_ms) = u64::try_from(ttl_ms) {
            let expires = Instant::now() + Duration::from_millis(ttl_ms);
            lock(&self.local).insert(key, version, expires, &value);
        }
        Some(value)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        let Some(version) = self.version().await else {
            return;
        };
        let mut stored = version.to_be_bytes().to_vec();
        stored.extend_from_slice(value);
        let expires = Instant::now() + ttl;
        let stored: Option<()> = self
            .run(Request::Cmd(
                redis::cmd("SET")
                    .arg(format!("{PREFIX}{key}"))
                    .arg(stored)
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64),
            ))
            .await;
        if stored.is_some() {
            lock(&self.local).insert(key, version, expires, value);
        }
    }

    async fn invalidate(&self) {
        lock(&self.local).clear();
        let _: Option<u64> = self
            .run(Request::Cmd(redis::cmd("INCR").arg(VERSION_KEY)))
            .await;
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
        assert!(lock(&cache.inner).entries.map.len() <= MEMORY_CAPACITY);
    }

    #[test]
    fn the_entries_held_in_process_stay_within_their_byte_budget() {
        let mut entries = Entries::default();
        let later = Instant::now() + Duration::from_secs(60);
        let page = vec![b'x'; 100 << 10];
        for i in 0..2_000 {
            entries.insert(&format!("page{i}"), 1, later, &page);
            assert!(entries.bytes <= MEMORY_BYTES, "after {i} pages");
            assert_eq!(
                entries.bytes,
                entries.map.values().map(|e| e.value.len()).sum::<usize>()
            );
        }
        assert_eq!(entries.get("page1999", 1).as_deref(), Some(&page[..]));
        // Replacing an entry counts its bytes once.
        entries.insert("page1999", 1, later, b"small");
        assert_eq!(
            entries.bytes,
            entries.map.values().map(|e| e.value.len()).sum::<usize>()
        );
        entries.insert("huge", 1, later, &vec![0; MEMORY_BYTES + 1]);
        assert_eq!(
            entries.get("huge", 1),
            None,
            "larger than the budget: not kept"
        );
        assert_eq!(
            entries.get("page1999", 1).as_deref(),
            Some(&b"small"[..]),
            "and the others stay"
        );
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
