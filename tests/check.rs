//! `pronoturf check` as an operator runs it: a healthy setup (migrated SQLite, Redis, a live
//! `pronoturf api`, a dashboard answering, a writable registry) passes with status 0; a dead
//! Redis or API fails with status 1 and a FAIL line naming it; `--url` probes one URL alone.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::{free_port, pronoturf, text};

fn run(mut cmd: Command, args: &[&str]) -> Output {
    cmd.args(args).output().expect("run pronoturf")
}

/// A child process killed when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_until_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The real API on a free port, over the same database.
fn start_api(dir: &Path) -> (Server, u16) {
    let port = free_port();
    let mut cmd = pronoturf(dir);
    cmd.args(["api", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let server = Server(cmd.spawn().expect("start pronoturf api"));
    wait_until_listening(port);
    (server, port)
}

/// A minimal HTTP server answering 200 to anything: the dashboard's stand-in (the dashboard is
/// its own crate; `check` only needs `/` to answer).
fn start_page() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    port
}

fn redis_url() -> Option<String> {
    let url = std::env::var("TEST_REDIS_URL").ok();
    assert!(
        url.is_some() || std::env::var("CI").is_err(),
        "TEST_REDIS_URL is required under CI"
    );
    url
}

/// A folder with a database and a champion model made by a short synthetic demo, the API and a
/// dashboard stand-in.
fn healthy_setup() -> (tempfile::TempDir, Server, u16, u16) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("ml_models")).expect("registry folder");
    let demo = run(
        pronoturf(dir.path()),
        &["demo", "--days", "40", "--predict-days", "2", "--no-serve"],
    );
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let (api, api_port) = start_api(dir.path());
    (dir, api, api_port, start_page())
}

fn with_urls(dir: &Path, api_port: u16, page_port: u16) -> Command {
    let mut cmd = pronoturf(dir);
    cmd.env("API_URL", format!("http://127.0.0.1:{api_port}"))
        .env("DASHBOARD_URL", format!("http://127.0.0.1:{page_port}"));
    cmd
}

/// The table line of `name`.
fn row<'a>(table: &'a str, name: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} line in:\n{table}"))
}

#[test]
fn a_healthy_setup_passes_every_check_with_status_zero() {
    // Arrange
    let (dir, _api, api_port, page_port) = healthy_setup();
    let mut cmd = with_urls(dir.path(), api_port, page_port);
    let redis = redis_url();
    if let Some(url) = &redis {
        cmd.env("REDIS_URL", url);
    }
    // Act
    let out = run(cmd, &["check"]);
    // Assert
    let table = text(&out.stdout);
    assert!(out.status.success(), "{table}\n{}", text(&out.stderr));
    for name in [
        "database",
        "redis",
        "api",
        "dashboard",
        "model_registry",
        "champion",
    ] {
        let line = row(&table, name);
        assert!(line.contains(" OK "), "{line}");
    }
    // "sqlite 3.x, N/N migrations, 0 races, ...": every embedded migration applied.
    let applied = row(&table, "database")
        .split_whitespace()
        .find(|w| w.contains('/') && w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .expect("a migrations count");
    let (done, embedded) = applied.split_once('/').expect("N/M");
    assert_eq!(done, embedded, "{table}");
    if redis.is_some() {
        assert!(
            row(&table, "redis").contains("PING and SET/GET answered"),
            "{table}"
        );
    }
    assert!(table.ends_with("all 6 checks passed\n"), "{table}");
}

#[test]
fn a_dead_redis_and_a_dead_api_fail_with_status_one_naming_them() {
    // Arrange: everything healthy but REDIS_URL and API_URL point at ports nobody listens on.
    let (dir, _api, _api_port, page_port) = healthy_setup();
    let mut cmd = with_urls(dir.path(), free_port(), page_port);
    cmd.env(
        "REDIS_URL",
        format!("redis://:hunter2@127.0.0.1:{}/0", free_port()),
    );
    // Act
    let started = Instant::now();
    let out = run(cmd, &["check"]);
    // Assert
    let table = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(row(&table, "redis").contains("FAIL"), "{table}");
    assert!(row(&table, "api").contains("FAIL"), "{table}");
    assert!(row(&table, "api").contains("unreachable"), "{table}");
    assert!(row(&table, "database").contains(" OK "), "{table}");
    assert!(table.ends_with("2 of 6 check(s) failed\n"), "{table}");
    assert!(
        !table.contains("hunter2"),
        "the password must not be printed"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded in time"
    );
}

#[test]
fn check_json_reports_each_check_and_the_overall_outcome() {
    let dir = tempfile::tempdir().expect("temp dir");
    // No registry folder, no API, no dashboard: the database alone passes (it is created).
    let mut cmd = pronoturf(dir.path());
    cmd.env("API_URL", format!("http://127.0.0.1:{}", free_port()))
        .env("DASHBOARD_URL", format!("http://127.0.0.1:{}", free_port()));
    let out = run(cmd, &["check", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["ok"], false);
    let checks = json["checks"].as_array().expect("checks");
    let status = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(status("model_registry").as_deref(), Some("fail"));
    assert_eq!(status("dashboard").as_deref(), Some("fail"));
    assert_eq!(
        status("redis").as_deref(),
        Some("ok"),
        "embedded without REDIS_URL"
    );
}

#[test]
fn check_url_probes_only_the_given_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = start_page();
    let up = run(
        pronoturf(dir.path()),
        &["check", "--url", &format!("http://127.0.0.1:{page}/")],
    );
    assert!(up.status.success(), "{}", text(&up.stdout));
    assert!(text(&up.stdout).ends_with("all 1 checks passed\n"));
    assert!(
        !dir.path().join("pronoturf.db").exists(),
        "--url opens no database"
    );
    let down = run(
        pronoturf(dir.path()),
        &[
            "check",
            "--url",
            &format!("http://127.0.0.1:{}/", free_port()),
        ],
    );
    assert_eq!(down.status.code(), Some(1), "{}", text(&down.stdout));
    assert!(row(&text(&down.stdout), "url").contains("FAIL"));
}
