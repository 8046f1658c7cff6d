//! MariaDB stopped (SIGTERM), crashed (SIGKILL) or frozen (SIGSTOP: connections open, no answer),
//! then back, beneath a running `pronoturf serve`: while it is out the API answers 503 with a
//! problem+json body within seconds, never hangs, and once it is back the same process serves
//! everything again.

use crate::harness::run_ok;
use crate::harness::{PrivateMariadb, Serve, client, eventually, history_slice, pronoturf_with};
use std::time::{Duration, Instant};

/// The races of `day`: status, content type and JSON body, and how long it took.
async fn races(
    http: &reqwest::Client,
    api: &str,
    day: &str,
) -> (u16, String, serde_json::Value, Duration) {
    let started = Instant::now();
    let r = http
        .get(format!("{api}/api/v1/races?date={day}"))
        .send()
        .await
        .expect("an answer, not a hang (the client gives up after 10 s)");
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = r.json().await.expect("json body");
    (status, kind, body, started.elapsed())
}

async fn status(http: &reqwest::Client, url: &str) -> u16 {
    http.get(url)
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_503_while_mariadb_is_down_and_recovers_without_a_restart() {
    if !PrivateMariadb::available() {
        return;
    }
    // Arrange: two weeks of real races in a private MariaDB, served by one `serve` process.
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(slice) = history_slice(dir.path(), "2026-06-01", "2026-06-14") else {
        return;
    };
    let mut db = PrivateMariadb::start(&dir.path().join("mariadb"));
    let url = db.url();
    let vars = [("DATABASE_URL", url.as_str())];
    run_ok(pronoturf_with(dir.path(), &vars).arg("import").arg(&slice));
    let serve = Serve::start(pronoturf_with(dir.path(), &vars)).await;
    let http = client();
    let (status_before, _, before, _) = races(&http, &serve.api, "2026-06-01").await;
    assert_eq!(status_before, 200, "{before}");
    assert!(!before["races"].as_array().expect("races").is_empty());
    let health = |part: &str| format!("{}/api/v1/health/{part}", serve.api);

    // Each round uses days not asked before: the in-process cache must not answer for the database.
    let rounds = [
        ("-TERM", ["2026-06-02", "2026-06-03"], "2026-06-04"),
        ("-KILL", ["2026-06-05", "2026-06-06"], "2026-06-07"),
        ("-STOP", ["2026-06-08", "2026-06-09"], "2026-06-10"),
    ];
    for (signal, days_down, day_back) in rounds {
        // Act: the server goes away, or freezes with its connections open.
        match signal {
            "-STOP" => db.signal(signal),
            _ => db.stop(signal == "-KILL"),
        }
        // Assert: every request gets a 503 problem document, quickly.
        for day in days_down {
            let (code, kind, body, took) = races(&http, &serve.api, day).await;
            let what = format!("{signal} {day}: {code} {kind} {body} in {took:?}");
            assert_eq!(code, 503, "{what}");
            assert_eq!(kind, "application/problem+json", "{what}");
            assert_eq!(body["code"], "unavailable", "{what}");
            assert_eq!(body["status"], 503, "{what}");
            assert_eq!(body["detail"], "the database is unreachable", "{what}");
            assert!(took < Duration::from_secs(8), "{what}");
        }
        assert_eq!(status(&http, &health("db")).await, 503);
        assert_eq!(status(&http, &health("all")).await, 503);
        assert_eq!(status(&http, &format!("{}/health", serve.api)).await, 200);

        // Act: the server comes back (on the same data and port when it was stopped).
        match signal {
            "-STOP" => db.signal("-CONT"),
            _ => db.restart(),
        }
        // Assert: the same process serves again, data and health.
        eventually("races served again", Duration::from_secs(20), || async {
            races(&http, &serve.api, day_back).await.0 == 200
        })
        .await;
        let (_, _, back, _) = races(&http, &serve.api, day_back).await;
        assert!(
            !back["races"].as_array().expect("races").is_empty(),
            "{back}"
        );
        assert_eq!(status(&http, &health("all")).await, 200);
    }
}
