//! Secrets never leave the process: with a password in DATABASE_URL and REDIS_URL, an
//! ADMIN_TOKEN and a TELEGRAM_BOT_TOKEN set, and every dependency failing (unreachable, or a
//! wrong password), neither `pronoturf check`, nor the API's bodies and headers, nor the logs at
//! the most verbose level show any of them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::{free_port, pronoturf, text};

const DB_PASSWORD: &str = "dbpw-Leak-Check-7f3a";
const REDIS_PASSWORD: &str = "redispw-Leak-Check-91c2";
const ADMIN_TOKEN: &str = "admin-Leak-Check-5d7e";
const TELEGRAM_TOKEN: &str = "424242:tg-Leak-Check-b81";

/// `pronoturf` with every secret set, MySQL and Redis on ports nobody listens on, and the most
/// verbose logs.
fn with_secrets(dir: &Path, database_url: &str) -> Command {
    let mut cmd = pronoturf(dir);
    cmd.env("DATABASE_URL", database_url)
        .env(
            "REDIS_URL",
            format!("redis://:{REDIS_PASSWORD}@127.0.0.1:{}/0", free_port()),
        )
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
        .env("TELEGRAM_CHAT_ID", "1")
        .env(
            "TELEGRAM_API_URL",
            format!("http://127.0.0.1:{}", free_port()),
        )
        .env("API_URL", format!("http://127.0.0.1:{}", free_port()))
        .env("DASHBOARD_URL", format!("http://127.0.0.1:{}", free_port()))
        .env("RUST_LOG", "trace");
    cmd
}

fn dead_mysql() -> String {
    format!(
        "mysql://root:{DB_PASSWORD}@127.0.0.1:{}/pronoturf",
        free_port()
    )
}

/// A MySQL server nobody listens on, and the local MariaDB with a wrong password (it answers
/// "access denied") when TEST_MYSQL_URL is set.
fn database_urls() -> Vec<String> {
    let mut urls = vec![dead_mysql()];
    urls.extend(wrong_password_mysql());
    urls
}

/// The local MariaDB with a wrong password: the server answers "access denied".
fn wrong_password_mysql() -> Option<String> {
    let server = std::env::var("TEST_MYSQL_URL").ok()?;
    let mut url = url::Url::parse(&server).expect("TEST_MYSQL_URL");
    url.set_password(Some(DB_PASSWORD)).expect("password");
    Some(url.to_string())
}

fn assert_no_secret(what: &str, output: &str) {
    for secret in [DB_PASSWORD, REDIS_PASSWORD, ADMIN_TOKEN, TELEGRAM_TOKEN] {
        assert!(!output.contains(secret), "{what} shows {secret}:\n{output}");
    }
}

#[test]
fn check_never_prints_a_password_or_token_even_at_trace_level() {
    let dir = tempfile::tempdir().expect("temp dir");
    for url in database_urls() {
        for args in [&["check"][..], &["check", "--json"][..]] {
            let out = with_secrets(dir.path(), &url)
                .args(args)
                .output()
                .expect("run check");
            let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
            assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
            assert!(stdout.contains("database"), "{stdout}");
            assert!(stdout.contains("***"), "the URL is shown masked: {stdout}");
            assert_no_secret("check's report", &stdout);
            assert_no_secret("check's logs", &stderr);
        }
    }
}

/// Kills the child when the test ends, pass or fail.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A raw HTTP/1.1 exchange: the whole response (status line, headers, body) as text.
fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let auth = token.map_or(String::new(), |t| format!("authorization: Bearer {t}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n{auth}content-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

#[test]
fn the_api_never_shows_a_secret_in_bodies_headers_or_logs_when_everything_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    for url in database_urls() {
        // Arrange: the API on a free port, its logs captured.
        let port = free_port();
        let mut child = with_secrets(dir.path(), &url)
            .args(["api", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pronoturf api");
        let stderr = child.stderr.take().expect("stderr");
        let server = Server(child);
        let logs = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the API did not start on {url}");
            std::thread::sleep(Duration::from_millis(100));
        }

        // Act: every health probe, a query needing the database, admin with a wrong and the
        // right token (the queue is the dead Redis).
        let mut responses = vec![
            http(port, "GET", "/api/v1/health/all", None, ""),
            http(port, "GET", "/api/v1/health/db", None, ""),
            http(port, "GET", "/api/v1/health/redis", None, ""),
            http(port, "GET", "/api/v1/races?date=2026-03-01", None, ""),
            http(port, "GET", "/api/v1/stats", None, ""),
            http(port, "GET", "/api/v1/jobs/runs", None, ""),
            http(
                port,
                "POST",
                "/api/v1/admin/jobs",
                Some("wrong"),
                r#"{"name":"sync"}"#,
            ),
            http(
                port,
                "POST",
                "/api/v1/admin/jobs",
                Some(ADMIN_TOKEN),
                r#"{"name":"sync"}"#,
            ),
        ];
        responses.push(http(port, "GET", "/metrics", None, ""));
        drop(server);
        let logs = logs.join().expect("log reader");

        // Assert
        assert!(responses[0].starts_with("HTTP/1.1 503"), "{}", responses[0]);
        for response in &responses {
            assert_no_secret("an API response", response);
        }
        assert!(!logs.is_empty(), "trace logs were captured");
        assert_no_secret("the API's logs", &logs);
    }
}

#[test]
fn a_failing_telegram_notification_never_logs_the_bot_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}/pronoturf.db", dir.path().display());
    // The report job sends to TELEGRAM_API_URL, where nothing listens: every retry fails.
    let out = with_secrets(dir.path(), &sqlite)
        .args(["jobs", "run", "report", "--date", "2026-03-01"])
        .output()
        .expect("run the report job");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stderr.contains("telegram") || stderr.contains("notification"),
        "the failure is logged: {stderr}"
    );
    assert_no_secret("the report job's output", &stdout);
    assert_no_secret("the report job's logs", &stderr);
}
