//! `pronoturf demo` and `pronoturf serve` as a user runs them: a synthetic season loaded,
//! trained, predicted and settled; then every process in one, answering and stopping cleanly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::{free_port, pronoturf, text};

/// GET over a bare socket: the status code and the body, or `None` while nothing listens.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    request(port, &format!("GET {path} HTTP/1.1\r\n"), "")
}

/// Sends `head` (request line) plus `extra` headers over a bare socket.
fn request(port: u16, head: &str, extra: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "{head}Host: localhost\r\nConnection: close\r\n{extra}\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())?;
    Some((status, body))
}

#[test]
fn demo_loads_a_synthetic_season_trains_predicts_and_settles_without_serving() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    // Act
    let out = pronoturf(dir.path())
        .args(["demo", "--days", "40", "--predict-days", "3", "--no-serve"])
        .output()
        .expect("run demo");
    // Assert
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("SYNTHETIC season of 40 days"), "{stdout}");
    assert!(stdout.contains("640 synthetic races stored"), "{stdout}");
    assert!(stdout.contains("champion: clogit"), "{stdout}");
    assert!(
        stdout.contains("simulated bankroll top_pick_win_flat"),
        "{stdout}"
    );
    let stats = pronoturf(dir.path())
        .args(["stats", "--json"])
        .output()
        .expect("stats");
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("stats json");
    assert_eq!(stats["races"], 640);
    let models = pronoturf(dir.path())
        .args(["models", "list", "--json"])
        .output()
        .expect("models list");
    assert!(models.status.success(), "{}", text(&models.stderr));
    assert!(
        text(&models.stdout).contains("clogit"),
        "{}",
        text(&models.stdout)
    );
}

#[test]
fn serve_answers_on_the_api_and_dashboard_ports_and_stops_cleanly_on_sigterm() {
    // Arrange: no schedule fires, so nothing reaches for the network.
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, dashboard_port) = (free_port(), free_port());
    let mut cmd = pronoturf(dir.path());
    for schedule in ["SYNC", "ODDS", "PREDICT", "RESULTS", "RETRAIN", "REPORT"] {
        cmd.env(format!("SCHEDULE_{schedule}"), "");
    }
    cmd.env("ADMIN_TOKEN", "s3cret-token");
    let mut child = cmd
        .args(["serve", "--api-port", &port.to_string()])
        .args(["--dashboard-port", &dashboard_port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    // Act
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut health = None;
    while health.is_none() && Instant::now() < deadline {
        health = get(port, "/health");
        std::thread::sleep(Duration::from_millis(200));
    }
    let all = get(port, "/api/v1/health/all");
    let overview = get(dashboard_port, "/");
    // A job enqueued over the admin API is run by the worker of the same process.
    let body = r#"{"name":"report","date":"2026-06-14"}"#;
    let enqueued = request(
        port,
        "POST /api/v1/admin/jobs HTTP/1.1\r\n",
        &format!(
            "Authorization: Bearer s3cret-token\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    let mut ran = false;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ran && Instant::now() < deadline {
        ran = get(port, "/api/v1/jobs/runs?limit=5").is_some_and(|(_, runs)| {
            runs.contains("\"job\":\"report\"") && runs.contains("\"status\":\"succeeded\"")
        });
        std::thread::sleep(Duration::from_millis(200));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    let stopped = Instant::now();
    let status = child.wait().expect("wait");
    // Assert
    assert_eq!(
        health.map(|h| h.0),
        Some(200),
        "serve never answered /health"
    );
    let (code, body) = all.expect("health/all answered");
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("embedded"), "{body}");
    assert_eq!(enqueued.map(|e| e.0), Some(202));
    assert!(ran, "the report job enqueued over HTTP was not run");
    let (code, page) = overview.expect("the dashboard answered");
    assert_eq!(code, 200);
    assert!(
        page.contains("pronoturf import"),
        "an empty database says what to do"
    );
    assert!(killed.success());
    assert!(status.success(), "serve exited with {status}");
    assert!(stopped.elapsed() < Duration::from_secs(15));
}
