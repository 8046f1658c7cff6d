//! History import end to end: both real files of ../shared/history import completely into SQLite
//! and (with TEST_MYSQL_URL) MariaDB, with counts checked against the files themselves; a
//! malformed file writes nothing; importing twice changes nothing.

use pronoturf_core::domain::normalise_name;
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, Store, StoreStats};
use pronoturf_jobs::import::{ImportError, Quiet, import_history};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn shared_history() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/history"));
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: the import test needs the real history files",
        dir.display()
    );
    eprintln!("{} not found: real-file import test skipped", dir.display());
    None
}

async fn sqlite_store(dir: &Path) -> Arc<dyn Store> {
    let url = format!("sqlite://{}/import.db", dir.display());
    store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("store")
}

/// A fresh MariaDB database when TEST_MYSQL_URL is set; (store, admin pool, database name).
async fn mysql_store(tag: &str) -> Option<(Arc<dyn Store>, sqlx::MySqlPool, String)> {
    let server = std::env::var("TEST_MYSQL_URL")
        .ok()
        .filter(|s| !s.is_empty())?;
    let db = format!("pronoturf_import_{tag}_{}", std::process::id());
    let admin = sqlx::MySqlPool::connect(&server).await.expect("mysql");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "drop database if exists {db}; create database {db} character set utf8mb4"
    )))
    .execute(&admin)
    .await
    .expect("create database");
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    let url = DatabaseUrl::parse("TEST_MYSQL_URL", &format!("{base}/{db}")).expect("url");
    Some((store::open(&url).await.expect("open mysql"), admin, db))
}

async fn drop_mysql(admin: &sqlx::MySqlPool, db: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("drop database if exists {db}")))
        .execute(admin)
        .await
        .expect("drop database");
}

/// What the Store must hold after importing `files`, computed with a plain CSV pass.
fn expected(files: &[PathBuf]) -> StoreStats {
    let mut tracks = HashSet::new();
    let mut meetings = HashSet::new();
    let mut races = HashSet::new();
    let mut finished = HashSet::new();
    let mut horses = HashSet::new();
    let mut jockeys = HashSet::new();
    let mut trainers = HashSet::new();
    let (mut runners, mut odds) = (0, 0);
    let mut dates = Vec::new();
    for file in files {
        let mut csv = csv::Reader::from_path(file).expect("csv");
        let headers = csv.headers().expect("headers").clone();
        let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let [
            date,
            meeting,
            race,
            track,
            horse,
            horse_id,
            jockey,
            trainer,
            morning,
            last,
            status,
            finish,
        ] = [
            "date",
            "meeting",
            "race",
            "track",
            "horse",
            "horse_id",
            "jockey",
            "trainer",
            "odds_morning",
            "odds_final",
            "status",
            "finish",
        ]
        .map(col);
        for row in csv.records() {
            let row = row.expect("row");
            let key = (row[date].to_string(), row[meeting].to_string());
            tracks.insert(normalise_name(&row[track]));
            meetings.insert(key.clone());
            let race_key = (key, row[race].to_string());
            races.insert(race_key.clone());
            if &row[status] == "RAN" && !row[finish].is_empty() {
                finished.insert(race_key);
            }
            horses.insert(if row[horse_id].is_empty() {
                normalise_name(&row[horse])
            } else {
                format!("id:{}", &row[horse_id])
            });
            for (set, c) in [(&mut jockeys, jockey), (&mut trainers, trainer)] {
                if !row[c].trim().is_empty() {
                    set.insert(normalise_name(&row[c]));
                }
            }
            // A published 0 means "no odds" (the reader's documented rule).
            let known = |v: &str| v.parse::<f64>().is_ok_and(|x| x > 0.0);
            odds += usize::from(known(&row[morning])) + usize::from(known(&row[last]));
            runners += 1;
            dates.push(row[date].to_string());
        }
    }
    dates.sort();
    let date = |s: Option<&String>| s.map(|d| d.parse().expect("date"));
    StoreStats {
        tracks: tracks.len() as i64,
        meetings: meetings.len() as i64,
        races: races.len() as i64,
        runners,
        horses: horses.len() as i64,
        jockeys: jockeys.len() as i64,
        trainers: trainers.len() as i64,
        results: finished.len() as i64,
        payouts: 0,
        odds_snapshots: odds as i64,
        payloads: 0,
        first_date: date(dates.first()),
        last_date: date(dates.last()),
    }
}

async fn import_all(store: &dyn Store, files: &[PathBuf]) {
    for file in files {
        import_history(store, file, &mut Quiet)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn both_real_history_files_import_completely_and_idempotently() {
    let Some(dir) = shared_history() else { return };
    let files = vec![
        dir.join("pmu_fr_2026-01_2026-06-15.csv"),
        dir.join("hkjc_2016-2023.csv"),
    ];
    let want = expected(&files);
    assert_eq!(want.runners, 49_358 + 79_062);

    let tmp = tempfile::tempdir().expect("temp dir");
    let sqlite = sqlite_store(tmp.path()).await;
    import_all(sqlite.as_ref(), &files).await;
    assert_eq!(sqlite.stats().await.expect("stats"), want, "sqlite");
    import_all(sqlite.as_ref(), &files).await;
    assert_eq!(
        sqlite.stats().await.expect("stats"),
        want,
        "sqlite, imported twice"
    );

    if let Some((mysql, admin, db)) = mysql_store("real").await {
        import_all(mysql.as_ref(), &files).await;
        assert_eq!(mysql.stats().await.expect("stats"), want, "mysql");
        import_all(mysql.as_ref(), &files).await;
        assert_eq!(
            mysql.stats().await.expect("stats"),
            want,
            "mysql, imported twice"
        );
        drop_mysql(&admin, &db).await;
    }
}

const VALID: &str = "date,meeting,race,track,country,discipline,distance_m,going,runner,horse,horse_id,age,sex,jockey,trainer,draw,weight_kg,musique,career_starts,career_wins,career_places,earnings_eur,odds_morning,odds_final,status,finish
2026-02-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,1,ALPHA,,5,M,J. DOE,T. ONE,,,1a2a,10,2,5,12000,3.5,2.9,RAN,1
2026-02-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,2,BRAVO,,6,F,K. ROE,T. TWO,,,Da3a,12,1,4,9000,5,6.2,RAN,2
2026-02-01,1,1,VINCENNES,FRA,ATTELE,2700,Bon,3,CHARLIE,,7,H,L. POE,T. ONE,,,,,,,,,,NON_RUNNER,
";

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_file_names_line_and_column_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = sqlite_store(tmp.path()).await;
    // The error is on the last line, after valid races: nothing of them may be written either.
    let bad = format!(
        "{VALID}2026-02-01,1,2,VINCENNES,FRA,ATTELE,2100,Bon,1,DELTA,,5,M,J. DOE,T. ONE,,,,,,,,abc,4,RAN,1\n"
    );
    let path = tmp.path().join("bad.csv");
    std::fs::write(&path, bad).expect("write");

    let err = import_history(store.as_ref(), &path, &mut Quiet)
        .await
        .expect_err("malformed");

    assert!(matches!(err, ImportError::Invalid { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("line 5"), "{message}");
    assert!(message.contains("odds_morning"), "{message}");
    assert!(message.contains("nothing was imported"), "{message}");
    assert_eq!(store.stats().await.expect("stats"), StoreStats::default());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_small_valid_file_imports_on_every_backend() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("valid.csv");
    std::fs::write(&path, VALID).expect("write");
    let mut stores = vec![(sqlite_store(tmp.path()).await, None)];
    if let Some((mysql, admin, db)) = mysql_store("small").await {
        stores.push((mysql, Some((admin, db))));
    }
    for (store, cleanup) in stores {
        let summary = import_history(store.as_ref(), &path, &mut Quiet)
            .await
            .expect("import");
        assert_eq!((summary.rows, summary.written.races), (3, 1));
        let stats = store.stats().await.expect("stats");
        assert_eq!(
            (
                stats.runners,
                stats.horses,
                stats.jockeys,
                stats.trainers,
                stats.odds_snapshots
            ),
            (3, 3, 3, 2, 4),
            "{}",
            store.backend()
        );
        assert_eq!(stats.results, 1);
        if let Some((admin, db)) = cleanup {
            drop_mysql(&admin, &db).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_file_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = sqlite_store(tmp.path()).await;
    let err = import_history(store.as_ref(), &tmp.path().join("nope.csv"), &mut Quiet)
        .await
        .expect_err("missing");
    assert!(err.to_string().contains("nope.csv"), "{err}");
}
