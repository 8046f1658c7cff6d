//! What the fault tests share: a slice of the real PMU history, `pronoturf` children killed when
//! the test ends, a private MariaDB server that a test may stop and start again, HTTP over
//! reqwest, waiting for a condition, and a snapshot of a folder's files.

use crate::support::{free_port, pronoturf, text};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PMU: &str = "pmu_fr_2026-01_2026-06-15.csv";

/// `../shared/REL` beside the checkout (SHARED_DIR overrides the folder): the real history and
/// payloads. `None` outside CI when it is missing (the test is skipped); under CI=true that fails.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let default = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    let path = std::env::var_os("SHARED_DIR")
        .map_or(default, PathBuf::from)
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing",
        path.display()
    );
    eprintln!("{} not found: test skipped", path.display());
    None
}

/// Writes the rows of the real PMU history dated `from..=to` (ISO dates compare as text) to
/// `dir/slice.csv`; `None` when the history is missing (see [`shared`]).
pub fn history_slice(dir: &Path, from: &str, to: &str) -> Option<PathBuf> {
    let path = shared(&format!("history/{PMU}"))?;
    let source = BufReader::new(std::fs::File::open(&path).expect("open history"));
    let slice = dir.join("slice.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&slice).expect("create slice"));
    for (n, line) in source.lines().enumerate() {
        let line = line.expect("read history");
        let date = line.get(..10).unwrap_or_default();
        if n == 0 || (from..=to).contains(&date) {
            writeln!(out, "{line}").expect("write slice");
        }
    }
    out.flush().expect("flush slice");
    Some(slice)
}

/// Runs a command to completion and returns its stdout; panics with its output if it failed.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run pronoturf");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A child process killed when the test ends, pass or fail.
pub struct Process(pub Child);

impl Process {
    /// SIGKILL, as a crash or the OOM killer would: no handler runs.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `pronoturf serve` on free ports with every schedule off (nothing reaches for the network).
pub struct Serve {
    /// The process, killed when this is dropped.
    _process: Process,
    /// `http://127.0.0.1:PORT` of the API.
    pub api: String,
}

impl Serve {
    /// Starts `cmd` (from [`pronoturf`], environment set) as `serve` and waits for `/health`.
    pub async fn start(mut cmd: Command) -> Self {
        let (port, dashboard) = (free_port(), free_port());
        for schedule in ["SYNC", "ODDS", "PREDICT", "RESULTS", "RETRAIN", "REPORT"] {
            cmd.env(format!("SCHEDULE_{schedule}"), "");
        }
        let child = cmd
            .args(["serve", "--api-port", &port.to_string()])
            .args(["--dashboard-port", &dashboard.to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("start serve");
        let serve = Self {
            _process: Process(child),
            api: format!("http://127.0.0.1:{port}"),
        };
        let http = client();
        let health = format!("{}/health", serve.api);
        eventually("serve answers /health", Duration::from_secs(30), || async {
            http.get(&health).send().await.is_ok()
        })
        .await;
        serve
    }
}

/// An HTTP client that gives up after 10 s (a hang is a failure, not a stuck test).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// Waits until `check` holds, polling every 100 ms; panics after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every file under `dir` (relative path, content), to prove a folder was not touched.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                files.insert(name, std::fs::read(&path).expect("read file"));
            }
        }
    }
    files
}

/// A MariaDB server of the test's own: an empty data folder, a free port, no grant tables (no
/// password, nothing to install), stopped and started again on the same data and port.
pub struct PrivateMariadb {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl PrivateMariadb {
    /// Whether mariadbd is installed; its absence fails under CI=true and skips otherwise.
    pub fn available() -> bool {
        let found = Command::new("mariadbd").arg("--version").output().is_ok();
        assert!(
            found || std::env::var("CI").as_deref() != Ok("true"),
            "CI needs mariadbd"
        );
        found
    }

    /// Starts a server with its data in `dir`, and creates database `pronoturf` on it.
    pub fn start(dir: &Path) -> Self {
        std::fs::create_dir_all(dir.join("data")).expect("data folder");
        let mut server = Self {
            port: free_port(),
            dir: dir.to_path_buf(),
            child: None,
        };
        server.restart();
        let created = Command::new("mariadb")
            .args(["--host=127.0.0.1", "--user=root"])
            .arg(format!("--port={}", server.port))
            .args(["-e", "create database pronoturf character set utf8mb4"])
            .status()
            .expect("mariadb client");
        assert!(created.success(), "create database");
        server
    }

    /// The URL of its `pronoturf` database.
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}/pronoturf", self.port)
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub fn restart(&mut self) {
        let dir = self.dir.display();
        // --no-defaults: the machine's my.cnf names a user, log and socket of the shared server.
        let child = Command::new("mariadbd")
            .arg("--no-defaults")
            .arg(format!("--datadir={dir}/data"))
            .arg(format!("--socket={dir}/mariadb.sock"))
            .arg(format!("--pid-file={dir}/mariadb.pid"))
            .arg(format!("--log-error={dir}/mariadb.err"))
            .arg(format!("--port={}", self.port))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                "--user=root",
            ])
            .args(["--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "mariadbd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends `signal` (`-STOP` freezes it, `-CONT` thaws it) without waiting.
    pub fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status();
        }
    }

    /// Stops the server the way an operator or a crash does: SIGTERM, or SIGKILL when `crash`.
    pub fn stop(&mut self, crash: bool) {
        self.signal(if crash { "-KILL" } else { "-TERM" });
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateMariadb {
    fn drop(&mut self) {
        self.stop(true);
    }
}

/// `pronoturf` in `dir` with these extra variables.
pub fn pronoturf_with(dir: &Path, vars: &[(&str, &str)]) -> Command {
    let mut cmd = pronoturf(dir);
    cmd.envs(vars.iter().copied());
    cmd
}
