//! The `pronoturf` binary as a user runs it: help, configuration errors, migrate, import and
//! stats, each in a fresh folder with its own SQLite database.

use std::path::Path;
use std::process::{Command, Output};

fn pronoturf(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pronoturf"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}/cli.db", dir.display()))
        .output()
        .expect("run pronoturf")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CSV: &str =
    "date,meeting,race,track,discipline,runner,horse,status,finish,odds_morning,odds_final
2026-02-01,1,1,PAU,PLAT,1,ALPHA,RAN,1,3.5,2.9
2026-02-01,1,1,PAU,PLAT,2,BRAVO,RAN,2,5,6.2
2026-02-02,2,1,PAU,HAIE,1,ALPHA,DNF,,2.1,2.4
";

#[test]
fn every_subcommand_explains_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, expect) in [
        (vec!["--help"], "import"),
        (vec!["migrate", "--help"], "schema"),
        (vec!["stats", "--help"], "first_date"),
        (vec!["import", "--help"], "nothing of it is imported"),
        (vec!["sync", "--help"], "--from-archive"),
        (vec!["api", "--help"], "/api/v1/docs"),
        (vec!["dashboard", "--help"], "DASHBOARD_PORT"),
        (vec!["evaluate", "--help"], "walk-forward"),
        (vec!["check", "--help"], "SET/GET"),
        (vec!["worker", "--help"], "dead-letter"),
        (vec!["scheduler", "--help"], "SCHEDULE_ODDS"),
        (vec!["jobs", "--help"], "retry"),
        (vec!["jobs", "run", "--help"], "foreground"),
        (vec!["jobs", "list", "--help"], "--limit"),
        (vec!["train", "--help"], "champion"),
        (vec!["models", "--help"], "promote"),
        (vec!["predict", "--help"], "pronostics"),
        (vec!["bets", "--help"], "bankroll"),
    ] {
        let out = pronoturf(dir.path(), &args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            text(&out.stdout).contains(expect),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn the_dashboard_binds_its_port_first_and_fails_at_once_when_it_is_taken() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = pronoturf(dir.path(), &["dashboard", "--port", &port]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_bad_database_url_is_refused_naming_the_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_pronoturf"))
        .args(["stats"])
        .current_dir(dir.path())
        .env("DATABASE_URL", "postgres://u:secret@h/db")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("DATABASE_URL"), "{err}");
    assert!(err.contains("unknown database scheme"), "{err}");
    assert!(
        !err.contains("secret"),
        "the password must not be printed: {err}"
    );
}

#[test]
fn stats_json_has_the_documented_keys_on_an_empty_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pronoturf(dir.path(), &["stats", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut want = vec![
        "tracks",
        "meetings",
        "races",
        "runners",
        "horses",
        "jockeys",
        "trainers",
        "results",
        "payouts",
        "odds_snapshots",
        "payloads",
        "first_date",
        "last_date",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(json["races"], 0);
    assert!(json["first_date"].is_null());
}

#[test]
fn import_then_stats_reports_the_rows_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("h.csv"), CSV).expect("write");
    let first = pronoturf(dir.path(), &["import", "h.csv"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("3 rows, 2 races"),
        "{}",
        text(&first.stdout)
    );
    let stats = |dir: &Path| {
        let out = pronoturf(dir, &["stats", "--json"]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")
    };
    let before = stats(dir.path());
    assert_eq!(before["runners"], 3);
    assert_eq!(before["meetings"], 2);
    assert_eq!(before["results"], 1, "the DNF-only race has no arrival");
    assert_eq!(before["first_date"], "2026-02-01");
    assert_eq!(before["last_date"], "2026-02-02");
    assert!(pronoturf(dir.path(), &["import", "h.csv"]).status.success());
    assert_eq!(stats(dir.path()), before);
    let table = text(&pronoturf(dir.path(), &["stats"]).stdout);
    assert!(
        table.contains("runners") && table.contains("2026-02-02"),
        "{table}"
    );
}

#[test]
fn a_malformed_file_fails_with_line_and_column_and_imports_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = CSV.replace("2026-02-02,2,1", "2026-02-31,2,1");
    std::fs::write(dir.path().join("bad.csv"), bad).expect("write");
    let out = pronoturf(dir.path(), &["import", "bad.csv"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("line 4") && err.contains("column date"),
        "{err}"
    );
    let stats = pronoturf(dir.path(), &["stats", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("json");
    assert_eq!(json["runners"], 0);
}

#[test]
fn sync_refuses_a_backwards_range() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pronoturf(
        dir.path(),
        &["sync", "--date", "2026-02-02", "--to", "2026-02-01"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("before --date"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sync_from_an_empty_archive_reports_the_day_as_not_published() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pronoturf(
        dir.path(),
        &["sync", "--date", "2026-02-02", "--from-archive", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (json["days"].clone(), json["days_unpublished"].clone()),
        (1.into(), 1.into())
    );
}

#[test]
fn evaluate_on_an_empty_database_says_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pronoturf(
        dir.path(),
        &["evaluate", "--from", "2026-04-01", "--to", "2026-05-01"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("import history first"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn jobs_run_records_the_run_and_jobs_list_shows_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pronoturf(
        dir.path(),
        &["jobs", "run", "report", "--date", "2026-12-06"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("report done"),
        "{}",
        text(&out.stdout)
    );
    let out = pronoturf(dir.path(), &["jobs", "list", "--json", "--limit", "5"]);
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(runs[0]["job"], "report");
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["params"], serde_json::json!({"date": "2026-12-06"}));
    let table = text(&pronoturf(dir.path(), &["jobs", "list"]).stdout);
    assert!(
        table.contains("report") && table.contains("succeeded"),
        "{table}"
    );
}

#[test]
fn jobs_commands_refuse_an_unknown_job_and_a_queue_without_redis() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pronoturf(dir.path(), &["jobs", "run", "celery"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown job \"celery\""),
        "{}",
        text(&out.stderr)
    );
    for args in [
        vec!["jobs", "enqueue", "sync"],
        vec!["jobs", "dead"],
        vec!["worker"],
    ] {
        let out = pronoturf(dir.path(), &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains("REDIS_URL is not set"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_malformed_schedule_is_refused_at_start_naming_the_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_pronoturf"))
        .args(["jobs", "list"])
        .current_dir(dir.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/cli.db", dir.path().display()),
        )
        .env("SCHEDULE_ODDS", "every half hour")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("SCHEDULE_ODDS"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn predict_without_a_champion_says_to_train_then_train_predict_and_settle_work() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("h.csv");
    std::fs::write(&csv, CSV).expect("write csv");
    assert!(pronoturf(dir.path(), &["import", "h.csv"]).status.success());

    // Act / Assert: no champion yet.
    let out = pronoturf(dir.path(), &["predict", "--date", "2026-02-02"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("pronoturf train"),
        "{}",
        text(&out.stderr)
    );
    let out = pronoturf(dir.path(), &["models", "promote", "nope"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("champion is unchanged"),
        "{}",
        text(&out.stderr)
    );

    // Train on the first day: the first model becomes champion.
    let out = pronoturf(dir.path(), &["train", "--until", "2026-02-01", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["decision"]["promoted"], true);
    let version = summary["version"].as_str().expect("version").to_string();
    let list = pronoturf(dir.path(), &["models", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(list[0]["version"], version.as_str());
    assert_eq!(list[0]["champion"], true);

    // Predict and settle the second day.
    let out = pronoturf(dir.path(), &["predict", "--date", "2026-02-02", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let predicted: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(predicted["summary"]["model_version"], version.as_str());
    assert_eq!(predicted["races"][0]["runners"][0]["p_win"], 1.0);
    let out = pronoturf(
        dir.path(),
        &["bets", "settle", "--date", "2026-02-02", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let settled: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        settled["strategies"]["top_pick_win_flat"]["lost"], 1,
        "the pick did not finish"
    );
    let out = pronoturf(dir.path(), &["bets", "bankroll", "--json"]);
    let bankroll: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(bankroll[0]["balance"], 99.0);
}
