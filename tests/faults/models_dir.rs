//! A model registry that cannot be written: retraining fails with a clear error recorded in
//! job_runs, the registry is left as it was, and the champion keeps serving predictions.
//!
//! How the write is made to fail: CI and this machine run tests as root, for whom `chmod` blocks
//! nothing, and mounting a read-only or full file system needs privileges a test does not have.
//! A file-size limit (`ulimit -f 0`, RLIMIT_FSIZE) binds root too: every write into a file fails
//! with EFBIG, as a full disk fails with ENOSPC, at the same place (the registry's first write).
//! SIGXFSZ is ignored so that the write returns the error instead of killing the process. The
//! store is a private MariaDB, whose files its own server writes, outside the limit.

use crate::harness::{PrivateMariadb, history_slice, pronoturf_with, run_ok, snapshot};
use crate::support::text;
use std::process::Command;

/// `cmd` run by bash after `setup` (the same program, arguments, variables and folder).
fn after_shell(cmd: &Command, setup: &str) -> Command {
    let mut wrapped = Command::new("bash");
    wrapped.env_clear();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            wrapped.env(key, value);
        }
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
        .arg("-c")
        .arg(format!("{setup} && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    wrapped
}

#[test]
fn a_retrain_that_cannot_write_the_registry_fails_clearly_and_the_champion_keeps_serving() {
    if !PrivateMariadb::available() {
        return;
    }
    // Arrange: three weeks of real races in a private MariaDB and a champion trained on them.
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(slice) = history_slice(dir.path(), "2026-04-01", "2026-04-21") else {
        return;
    };
    let db = PrivateMariadb::start(&dir.path().join("mariadb"));
    let url = db.url();
    let vars = [("DATABASE_URL", url.as_str())];
    let pronoturf = || pronoturf_with(dir.path(), &vars);
    run_ok(pronoturf().arg("import").arg(&slice));
    run_ok(pronoturf().args(["train", "--until", "2026-04-14", "--compare-weeks", "1"]));
    let models = dir.path().join("ml_models");
    let before = snapshot(&models);
    let champion = String::from_utf8(before["CHAMPION"].clone()).expect("text");

    // Act: the Monday retrain, as `jobs run` records it, with no file writable.
    let mut retrain = pronoturf();
    retrain.args(["jobs", "run", "retrain", "--date", "2026-04-21"]);
    let failed = after_shell(&retrain, "ulimit -f 0 && trap '' XFSZ")
        .output()
        .expect("run retrain");

    // Assert: a failure naming the file and the cause, on stderr and in job_runs.
    let stderr = text(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("model.json"), "{stderr}");
    let runs = run_ok(pronoturf().args(["jobs", "list", "--json", "--limit", "1"]));
    let runs: serde_json::Value = serde_json::from_str(&runs).expect("json");
    assert_eq!(runs[0]["job"], "retrain", "{runs}");
    assert_eq!(runs[0]["status"], "failed", "{runs}");
    let error = runs[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("File too large") && error.contains("ml_models"),
        "{error}"
    );
    // The registry is byte for byte what it was: no new version, no leftover temporary folder.
    assert_eq!(snapshot(&models), before);

    // Assert: the champion still predicts.
    let predicted = run_ok(pronoturf().args(["predict", "--date", "2026-04-21", "--json"]));
    let predicted: serde_json::Value = serde_json::from_str(&predicted).expect("json");
    assert_eq!(predicted["summary"]["model_version"], champion.trim());
    assert!(
        predicted["summary"]["races"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
}
