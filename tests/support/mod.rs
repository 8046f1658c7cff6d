//! What the binary's integration tests share: the binary in a folder of its own, free ports, text.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

/// Bytes of a child's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A port nothing listens on once this returns.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// `pronoturf` in `dir`, with a clean environment, its own SQLite file (`pronoturf.db`) and
/// registry folder, and quiet logs.
pub fn pronoturf(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pronoturf"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/pronoturf.db", dir.display()),
        )
        .env("ML_MODELS_DIR", dir.join("ml_models"))
        .env("RUST_LOG", "error");
    cmd
}
