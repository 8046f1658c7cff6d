//! Throughput of the job queue through the worker, in process and on Redis: enqueue N no-op
//! jobs, then run them one by one with `process_one` (each run recorded in an SQLite store).
//!
//! `cargo run --release -p pronoturf-jobs --example queue_bench -- 2000 [redis://127.0.0.1:6379]`
//! Redis keys live under a unique prefix, deleted at the end.

use pronoturf_core::queue::{JobQueue, MemoryQueue, QueueConfig, RedisQueue};
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store;
use pronoturf_jobs::notify::Notifier;
use pronoturf_jobs::worker::{Outcome, Registry, WorkerCtx, handler_fn, process_one};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(2000), |a| a.parse())?;
    let redis_url = args.next();
    let prefix = format!("bench:jobs:{}", std::process::id());
    let config = QueueConfig {
        prefix: prefix.clone(),
        ..QueueConfig::default()
    };
    let queue = match &redis_url {
        Some(url) => JobQueue::Redis(RedisQueue::new(url, config)?),
        None => JobQueue::Memory(MemoryQueue::new(config)),
    };
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let store = store::open(&DatabaseUrl::parse("DATABASE_URL", &url)?).await?;
    let mut registry = Registry::default();
    registry.register(
        "report",
        handler_fn(|_job| async { Ok(serde_json::json!({})) }),
    );
    let ctx = WorkerCtx {
        queue: queue.clone(),
        store,
        registry: Arc::new(registry),
        notifier: Notifier::off(),
        poll: Duration::from_millis(100),
        shutdown_grace: Duration::from_secs(1),
    };

    let started = Instant::now();
    for i in 0..n {
        queue
            .enqueue("report", serde_json::json!({ "i": i }))
            .await?;
    }
    let enqueue_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut done = 0;
    while let Outcome::Done(_) = process_one(&ctx).await? {
        done += 1;
    }
    let run_s = started.elapsed().as_secs_f64();
    println!(
        "{} backend: {n} jobs enqueued in {enqueue_s:.2} s ({:.0}/s); {done} run and recorded in {run_s:.2} s ({:.0}/s)",
        queue.backend(),
        n as f64 / enqueue_s,
        done as f64 / run_s
    );
    if let Some(url) = redis_url {
        let mut conn = redis::Client::open(url)?
            .get_multiplexed_async_connection()
            .await?;
        for suffix in ["stream", "delayed", "dead"] {
            let _: () = redis::cmd("DEL")
                .arg(format!("{prefix}:{suffix}"))
                .query_async(&mut conn)
                .await?;
        }
    }
    Ok(())
}
