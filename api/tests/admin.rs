//! The model registry endpoints and the admin endpoints (token, switch, rate limit, enqueue,
//! promote), in process through `router(state).oneshot`.

mod support;

use axum::body::Body;
use axum::http::{Request, header};
use pronoturf_core::queue::{JobQueue, QueueConfig};
use support::*;

const TOKEN: &str = "s3cret-admin-token";

async fn admin_state(models: &std::path::Path) -> (pronoturf_api::AppState, tempfile::TempDir) {
    let (store, dir) = seeded_sqlite().await;
    let models = models.display().to_string();
    let state = state(store, &[("ADMIN_TOKEN", TOKEN), ("ML_MODELS_DIR", &models)]);
    // The queue a worker would read, as `pronoturf serve` shares it.
    let queue = JobQueue::new(None, QueueConfig::default()).expect("memory queue");
    (state.with_queue(queue), dir)
}

#[test]
fn the_admin_job_names_are_the_workers() {
    assert_eq!(
        pronoturf_api::admin::JOB_NAMES,
        pronoturf_jobs::handlers::JOB_NAMES
    );
}

#[tokio::test]
async fn the_registry_lists_versions_with_metrics_champion_and_corrupt_ones() {
    let models = tempfile::tempdir().expect("models dir");
    let version = trained_version(models.path());
    // A version whose model cannot be read, and a folder that is no version at all.
    let broken = models.path().join("clogit-morning-20260101-broken");
    std::fs::create_dir_all(&broken).expect("dir");
    std::fs::write(broken.join("model.json"), "{ not json").expect("write");
    std::fs::create_dir_all(models.path().join("not-a-model")).expect("dir");
    let (state, _dir) = admin_state(models.path()).await;

    let list = get(&state, "/api/v1/models").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body["champion"].is_null());
    let versions = list.body["versions"].as_array().expect("versions").clone();
    assert_eq!(versions.len(), 2, "{versions:?}");
    let ok = versions
        .iter()
        .find(|v| v["version"] == version.as_str())
        .expect("trained");
    assert_eq!(ok["status"], "ok");
    assert_eq!(ok["metrics"]["model"], "clogit-morning");
    assert_eq!(ok["metrics"]["train_races"], 120);
    let bad = versions
        .iter()
        .find(|v| v["status"] == "corrupt")
        .expect("corrupt listed");
    assert!(bad["error"].as_str().is_some_and(|e| !e.is_empty()));

    let one = get(&state, &format!("/api/v1/models/{version}")).await;
    assert_eq!(
        (one.status.as_u16(), one.body["champion"].as_bool()),
        (200, Some(false))
    );
    let corrupt = get(&state, "/api/v1/models/clogit-morning-20260101-broken").await;
    assert_eq!(
        (corrupt.status.as_u16(), corrupt.body["status"].as_str()),
        (200, Some("corrupt"))
    );
    for missing in ["nope", "not-a-model", "..", ".hidden"] {
        let r = get(&state, &format!("/api/v1/models/{missing}")).await;
        assert_eq!(r.status, 404, "{missing}: {}", r.body);
        assert_eq!(r.body["code"], "not_found");
    }

    // Promotion is seen by the next request: the registry is read from disk each time.
    let promoted = post(
        &state,
        &format!("/api/v1/admin/models/{version}/promote"),
        Some(TOKEN),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(promoted.body["champion"], version.as_str());
    assert!(promoted.body["previous"].is_null());
    let list = get(&state, "/api/v1/models").await;
    assert_eq!(list.body["champion"], version.as_str());
    let refused = post(
        &state,
        "/api/v1/admin/models/clogit-morning-20260101-broken/promote",
        Some(TOKEN),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        (refused.status.as_u16(), refused.body["code"].as_str()),
        (422, Some("model_corrupt"))
    );
    let unknown = post(
        &state,
        "/api/v1/admin/models/nope/promote",
        Some(TOKEN),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        get(&state, "/api/v1/models").await.body["champion"],
        version.as_str(),
        "unchanged"
    );
}

#[tokio::test]
async fn an_empty_or_missing_registry_lists_nothing() {
    let models = tempfile::tempdir().expect("models dir");
    let (state, _dir) = admin_state(&models.path().join("absent")).await;
    let list = get(&state, "/api/v1/models").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["versions"], serde_json::json!([]));
}

#[tokio::test]
async fn admin_requests_need_the_right_bearer_token() {
    let models = tempfile::tempdir().expect("models dir");
    let (state, _dir) = admin_state(models.path()).await;
    let job = serde_json::json!({"name": "sync", "date": "2026-03-01"});

    let missing = post(&state, "/api/v1/admin/jobs", None, job.clone()).await;
    assert_eq!(
        (missing.status.as_u16(), missing.body["code"].as_str()),
        (401, Some("unauthorized"))
    );
    assert!(
        missing.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .is_ok_and(|v| v.starts_with("Bearer"))
    );
    let wrong = post(
        &state,
        "/api/v1/admin/jobs",
        Some("s3cret-admin-tokem"),
        job.clone(),
    )
    .await;
    assert_eq!(wrong.status, 401);
    let basic = send(
        &state,
        Request::post("/api/v1/admin/jobs")
            .header(header::AUTHORIZATION, format!("Basic {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(job.to_string()))
            .expect("request"),
    )
    .await;
    assert_eq!(basic.status, 401);
    assert_eq!(
        state.queue.queued().await.expect("queued"),
        0,
        "nothing was enqueued"
    );

    let right = post(&state, "/api/v1/admin/jobs", Some(TOKEN), job).await;
    assert_eq!(right.status, 202, "{}", right.body);
}

#[tokio::test]
async fn without_admin_token_the_admin_endpoints_are_off() {
    let (store, _dir) = seeded_sqlite().await;
    let state = state(store, &[]);
    for (path, token) in [
        ("/api/v1/admin/jobs", Some("anything")),
        ("/api/v1/admin/models/x/promote", Some("")),
    ] {
        let r = post(&state, path, token, serde_json::json!({"name": "sync"})).await;
        assert_eq!(
            (r.status.as_u16(), r.body["code"].as_str()),
            (403, Some("admin_disabled")),
            "{path}"
        );
    }
    // Without a token, the challenge, saying the endpoints are off.
    let r = post(
        &state,
        "/api/v1/admin/jobs",
        None,
        serde_json::json!({"name": "sync"}),
    )
    .await;
    assert_eq!(r.status, 401);
    assert!(r.headers.contains_key(header::WWW_AUTHENTICATE));
    assert!(
        r.body["detail"].as_str().is_some_and(|d| d.contains("off")),
        "{}",
        r.body
    );
    assert_eq!(state.queue.queued().await.expect("queued"), 0);
}

#[tokio::test]
async fn enqueued_jobs_are_visible_in_the_shared_queue_and_duplicates_are_not_added() {
    let models = tempfile::tempdir().expect("models dir");
    let (state, _dir) = admin_state(models.path()).await;
    let queue = JobQueue::new(None, QueueConfig::default()).expect("memory queue");
    let state = state.with_queue(queue.clone());

    let first = post(
        &state,
        "/api/v1/admin/jobs",
        Some(TOKEN),
        serde_json::json!({"name": "predict", "date": "2026-03-01"}),
    )
    .await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(first.body["status"], "queued");
    let id = first.body["id"].as_str().expect("id").to_string();
    let again = post(
        &state,
        "/api/v1/admin/jobs",
        Some(TOKEN),
        serde_json::json!({"name": "predict", "date": "2026-03-01"}),
    )
    .await;
    assert_eq!(
        (again.status.as_u16(), again.body["status"].as_str()),
        (200, Some("already_queued"))
    );
    let retrain = post(
        &state,
        "/api/v1/admin/jobs",
        Some(TOKEN),
        serde_json::json!({"name": "retrain"}),
    )
    .await;
    assert_eq!(retrain.status, 202);

    assert_eq!(queue.queued().await.expect("queued"), 2);
    let delivery = queue
        .reserve(std::time::Duration::from_millis(100))
        .await
        .expect("reserve")
        .expect("a job");
    assert_eq!(delivery.job.id, id);
    assert_eq!(delivery.job.name, "predict");
    assert_eq!(
        delivery.job.params,
        serde_json::json!({"date": "2026-03-01"})
    );

    for (body, status, code) in [
        (
            serde_json::json!({"name": "drop-tables"}),
            422,
            "unknown_job",
        ),
        (
            serde_json::json!({"name": "sync", "date": "2026-02-30"}),
            422,
            "invalid_body",
        ),
        (
            serde_json::json!({"date": "2026-03-01"}),
            422,
            "invalid_body",
        ),
        (
            serde_json::json!({"name": "sync", "extra": 1}),
            422,
            "invalid_body",
        ),
    ] {
        let r = post(&state, "/api/v1/admin/jobs", Some(TOKEN), body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.body["code"].as_str()),
            (status, Some(code)),
            "{body}: {}",
            r.body
        );
    }
    let not_json = send(
        &state,
        Request::post("/api/v1/admin/jobs")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{name"))
            .expect("request"),
    )
    .await;
    assert_eq!(
        (not_json.status.as_u16(), not_json.body["code"].as_str()),
        (400, Some("malformed_body"))
    );
}

#[tokio::test]
async fn a_private_in_process_queue_that_no_worker_reads_refuses_jobs() {
    let (store, _dir) = seeded_sqlite().await;
    let state = state(store, &[("ADMIN_TOKEN", TOKEN)]);
    let r = post(
        &state,
        "/api/v1/admin/jobs",
        Some(TOKEN),
        serde_json::json!({"name": "sync"}),
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.body["code"].as_str()),
        (503, Some("unavailable"))
    );
    assert_eq!(state.queue.queued().await.expect("queued"), 0);
}

#[tokio::test]
async fn admin_requests_are_rate_limited_per_client_with_retry_after() {
    let models = tempfile::tempdir().expect("models dir");
    let (state, _dir) = admin_state(models.path()).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        // Wrong tokens count too: guessing the token is throttled.
        let r = post(
            &state,
            "/api/v1/admin/jobs",
            Some("guess"),
            serde_json::json!({"name": "sync"}),
        )
        .await;
        statuses.push(r.status.as_u16());
        if r.status == 429 {
            assert_eq!(r.body["code"], "rate_limited");
            let retry: u64 = r.headers[header::RETRY_AFTER]
                .to_str()
                .expect("ascii")
                .parse()
                .expect("seconds");
            assert!((1..=2).contains(&retry), "{retry}");
        }
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10..], [429, 429]);
    // Another client address has its own bucket.
    let other = send(&state, {
        let mut r = Request::post("/api/v1/admin/jobs")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"name":"sync"}"#))
            .expect("request");
        r.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [10, 1, 2, 3],
                5000,
            ))));
        r
    })
    .await;
    assert_eq!(other.status, 202, "{}", other.body);
    // Requests without a token are not counted: they get the challenge, not a 429.
    let bare = post(
        &state,
        "/api/v1/admin/jobs",
        None,
        serde_json::json!({"name": "sync"}),
    )
    .await;
    assert_eq!(bare.status, 401);
    // Public endpoints are not limited.
    for _ in 0..20 {
        assert_eq!(get(&state, "/health").await.status, 200);
    }
}

#[tokio::test]
async fn an_admin_job_lands_on_the_redis_queue_the_workers_read() {
    let Ok(url) = std::env::var("TEST_REDIS_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs TEST_REDIS_URL"
        );
        return;
    };
    let prefix = format!(
        "pronoturf-test:api-admin:{}:{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let config = QueueConfig {
        prefix: prefix.clone(),
        ..QueueConfig::default()
    };
    let secret = secrecy::SecretString::from(url.clone());
    let queue = JobQueue::new(Some(&secret), config).expect("redis queue");
    let models = tempfile::tempdir().expect("models dir");
    let (state, _dir) = admin_state(models.path()).await;
    let state = state.with_queue(queue.clone());

    let r = post(
        &state,
        "/api/v1/admin/jobs",
        Some(TOKEN),
        serde_json::json!({"name": "results", "date": "2026-03-01"}),
    )
    .await;
    let queued = queue.queued().await.expect("queued");
    let delivery = queue
        .reserve(std::time::Duration::from_millis(200))
        .await
        .expect("reserve");

    // Clean up before asserting, so that a failure leaves nothing behind.
    let client = redis::Client::open(url).expect("client");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .expect("keys");
    for key in keys {
        let _: () = redis::cmd("DEL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .expect("del");
    }
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(queued, 1);
    let job = delivery.expect("a job").job;
    assert_eq!(
        (job.name.as_str(), job.id.as_str()),
        ("results", r.body["id"].as_str().unwrap_or_default())
    );
}
