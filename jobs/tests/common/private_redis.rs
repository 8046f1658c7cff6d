//! A redis-server of a test's own, on a free port and without persistence, that the test may
//! kill (as a crash would) and start again on the same port. Shared by the jobs tests and, through
//! `#[path]`, by the binary's fault tests, so that no test ever stops the shared Redis.

use std::time::Duration;

/// A redis-server of the test's own, on a free port, without persistence.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    /// Whether redis-server is installed; its absence fails under CI=true (the fault tests must
    /// run there) and skips the test otherwise.
    pub fn available() -> bool {
        let found = std::process::Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok();
        assert!(
            found || std::env::var("CI").as_deref() != Ok("true"),
            "CI needs redis-server"
        );
        found
    }

    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut redis = Self { port, child: None };
        redis.restart();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and waits until it accepts connections.
    pub fn restart(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(["--bind", "127.0.0.1"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (is it installed?)");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// Kills the server (as a crash would).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
