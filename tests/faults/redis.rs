//! Redis killed and started again under load, beneath a running `pronoturf serve` whose cache,
//! queue and worker are on it: every request is still answered from the database, health says
//! degraded while Redis is down, and cache, queue and worker resume with the same process.

use crate::harness::{Serve, client, eventually, history_slice, pronoturf_with, run_ok};
use crate::private_redis::PrivateRedis;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const TOKEN: &str = "fault-test-token";

/// What the load loops saw.
#[derive(Default)]
struct Load {
    ok: AtomicU64,
    failed: AtomicU64,
    ok_while_down: AtomicU64,
    slowest_ms: AtomicU64,
}

/// GETs `urls` in turn until `stop`, counting answers; `down` marks the outage.
async fn hammer(urls: Vec<String>, load: Arc<Load>, down: Arc<AtomicBool>, stop: Arc<AtomicBool>) {
    let http = client();
    for url in urls.iter().cycle() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let started = Instant::now();
        let ok = http
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        load.slowest_ms.fetch_max(ms, Ordering::SeqCst);
        if !ok {
            load.failed.fetch_add(1, Ordering::SeqCst);
        } else if down.load(Ordering::SeqCst) {
            load.ok_while_down.fetch_add(1, Ordering::SeqCst);
        } else {
            load.ok.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn get_json(http: &reqwest::Client, url: &str) -> (u16, serde_json::Value) {
    let r = http.get(url).send().await.expect("answered");
    let status = r.status().as_u16();
    (status, r.json().await.expect("json"))
}

async fn x_cache(http: &reqwest::Client, url: &str) -> Option<String> {
    let r = http.get(url).send().await.ok()?;
    r.headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// POSTs a `report` job over the admin API; the status and how long it took.
async fn enqueue_report(http: &reqwest::Client, api: &str) -> (u16, Duration) {
    let started = Instant::now();
    let r = http
        .post(format!("{api}/api/v1/admin/jobs"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"name": "report", "date": "2026-06-14"}))
        .send()
        .await
        .expect("answered");
    (r.status().as_u16(), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_from_the_database_while_redis_is_down_and_resumes_cache_and_queue() {
    if !PrivateRedis::available() {
        return;
    }
    // Arrange: a week of real races, serve on a private Redis, the cache warm (a hit).
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(slice) = history_slice(dir.path(), "2026-06-08", "2026-06-14") else {
        return;
    };
    let mut redis = PrivateRedis::start();
    let redis_url = redis.url();
    let vars = [("REDIS_URL", redis_url.as_str()), ("ADMIN_TOKEN", TOKEN)];
    run_ok(pronoturf_with(dir.path(), &vars).arg("import").arg(&slice));
    let serve = Serve::start(pronoturf_with(dir.path(), &vars)).await;
    let http = client();
    let races = format!("{}/api/v1/races?date=2026-06-14", serve.api);
    let (_, listed) = get_json(&http, &races).await;
    let first = &listed["races"][0];
    let race = format!(
        "{}/api/v1/races/2026-06-14/{}/{}",
        serve.api, first["meeting"], first["race"]
    );
    eventually("a cache hit on Redis", Duration::from_secs(5), || async {
        x_cache(&http, &races).await.as_deref() == Some("hit")
    })
    .await;
    let load = Arc::new(Load::default());
    let (down, stop) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let loops: Vec<_> = (0..4)
        .map(|_| {
            let urls = vec![races.clone(), race.clone()];
            tokio::spawn(hammer(urls, load.clone(), down.clone(), stop.clone()))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Act: Redis dies under load, stays down for a while, and comes back on the same port.
    redis.kill();
    down.store(true, Ordering::SeqCst);
    let all = format!("{}/api/v1/health/all", serve.api);
    let (status, health) = get_json(&http, &all).await;
    let (enqueue_down, enqueue_took) = enqueue_report(&http, &serve.api).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.restart();
    down.store(false, Ordering::SeqCst);
    eventually("health/all up again", Duration::from_secs(15), || async {
        get_json(&http, &all).await.0 == 200
    })
    .await;
    eventually("cache hits again", Duration::from_secs(10), || async {
        x_cache(&http, &races).await.as_deref() == Some("hit")
    })
    .await;
    let (enqueue_up, _) = enqueue_report(&http, &serve.api).await;
    let runs = format!("{}/api/v1/jobs/runs?limit=5", serve.api);
    eventually(
        "serve's worker ran the job",
        Duration::from_secs(30),
        || async {
            let (_, runs) = get_json(&http, &runs).await;
            runs.as_array().is_some_and(|runs| {
                runs.iter()
                    .any(|r| r["job"] == "report" && r["status"] == "succeeded")
            })
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    for l in loops {
        l.await.expect("load loop");
    }

    // Assert
    assert_eq!(status, 503, "{health}");
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["redis"]["status"], "down", "{health}");
    assert_eq!(health["database"]["status"], "up", "{health}");
    assert_eq!(enqueue_down, 503, "the queue is down: refused, not lost");
    assert!(enqueue_took < Duration::from_secs(5), "{enqueue_took:?}");
    assert_eq!(enqueue_up, 202);
    let (ok, failed) = (
        load.ok.load(Ordering::SeqCst),
        load.failed.load(Ordering::SeqCst),
    );
    let while_down = load.ok_while_down.load(Ordering::SeqCst);
    assert_eq!(failed, 0, "{ok} answered, {failed} failed");
    assert!(
        while_down > 10,
        "only {while_down} requests while Redis was down"
    );
    let slowest = load.slowest_ms.load(Ordering::SeqCst);
    assert!(slowest < 3_000, "slowest request {slowest} ms");
}
