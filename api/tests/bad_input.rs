//! Hostile input on every operation of the OpenAPI spec (so that a new endpoint is covered as
//! soon as it is documented): SQL metacharacters, `' OR 1=1 --`, unicode, NUL bytes, path
//! traversal, very long strings, huge and negative numbers in every path and query parameter and
//! every field of a JSON body; deep pagination; oversized bodies. Every answer is 2xx or 4xx,
//! never 5xx, errors are problem+json, and the database is unchanged afterwards. Runs against
//! SQLite always and MariaDB when TEST_MYSQL_URL is set.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use pronoturf_api::AppState;
use pronoturf_api::admin::RateLimiter;
use pronoturf_core::queue::{JobQueue, QueueConfig};
use pronoturf_core::store::Store;
use serde_json::Value;
use std::sync::Arc;
use support::*;

const TOKEN: &str = "bad-input-admin-token";

/// Values an attacker or a broken client sends. Each is percent-encoded into a URL, so that the
/// server sees exactly these characters once decoded.
fn hostile_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "' OR 1=1 --",
        "1' OR '1'='1",
        "1; drop table races; --",
        "\" OR \"\"=\"",
        "%",
        "_",
        "\\",
        "1 union select * from horses",
        "\0",
        "a\0b",
        "..",
        "../../../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/etc/passwd",
        "<script>alert(1)</script>",
        "é🐎\u{202e}\u{feff}",
        "２０２６-０３-０１",
        " ",
        "",
        "-1",
        "-9223372036854775808",
        "9223372036854775807",
        "18446744073709551616",
        "99999999999999999999999999999999",
        "1e308",
        "-1e308",
        "NaN",
        "inf",
        "0x10",
        "9999-12-31",
        "-2026-03-01",
        "+002026-03-01",
        "2026-02-30",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    values.push("A".repeat(10_000));
    values.push("9".repeat(5_000));
    values
}

/// Every byte but the unreserved ones as `%XX`.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A value each known parameter accepts, so that only the parameter under attack is wrong.
fn valid_value(name: &str) -> &'static str {
    match name {
        "date" | "from" | "to" => "2026-03-01",
        "name" => "sync",
        "version" => "m1",
        "discipline" => "ATTELE",
        "track" => "VINCENNES",
        "min_edge" => "0.1",
        "q" => "HORSE",
        _ => "1",
    }
}

/// One documented operation: method, path template, its parameters and its body's fields.
struct Operation {
    method: Method,
    template: String,
    path_params: Vec<String>,
    query_params: Vec<String>,
    body_fields: Vec<String>,
}

/// Every operation of the spec, read from `/api/v1/openapi.json` as served.
async fn operations(state: &AppState) -> Vec<Operation> {
    let spec = get(state, "/api/v1/openapi.json").await.body;
    let mut ops = Vec::new();
    for (template, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let names = |place: &str| -> Vec<String> {
                params
                    .iter()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect()
            };
            let body_fields = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .and_then(|name| spec["components"]["schemas"][name]["properties"].as_object())
                .map(|props| props.keys().cloned().collect())
                .unwrap_or_default();
            ops.push(Operation {
                method,
                template: template.clone(),
                path_params: names("path"),
                query_params: names("query"),
                body_fields,
            });
        }
    }
    ops
}

impl Operation {
    /// The path with every parameter valid except `attacked`, which gets `value`.
    fn uri(&self, attacked: Option<(&str, &str)>) -> String {
        let mut path = self.template.clone();
        for name in &self.path_params {
            let value = match attacked {
                Some((n, v)) if n == name => v.to_string(),
                _ => valid_value(name).to_string(),
            };
            path = path.replace(&format!("{{{name}}}"), &encode(&value));
        }
        match attacked {
            Some((name, value)) if self.query_params.iter().any(|q| q == name) => {
                format!("{path}?{}={}", encode(name), encode(value))
            }
            _ => path,
        }
    }

    /// A JSON body with every field valid except `attacked`.
    fn body(&self, attacked: Option<(&str, Value)>) -> Option<Value> {
        if self.body_fields.is_empty() && self.method == Method::GET {
            return None;
        }
        let mut body = serde_json::Map::new();
        for field in &self.body_fields {
            let value = match &attacked {
                Some((name, v)) if name == field => v.clone(),
                _ => Value::from(valid_value(field)),
            };
            body.insert(field.clone(), value);
        }
        Some(Value::Object(body))
    }
}

fn request(method: &Method, uri: &str, body: Option<&Value>) -> Request<Body> {
    let builder = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request")
}

/// 2xx or 4xx, and a problem document whenever it is an error.
fn assert_handled(what: &str, answer: &Answer) {
    let status = answer.status.as_u16();
    assert!(
        (200..300).contains(&status) || (400..500).contains(&status) || status == 304,
        "{what}: {status} {}",
        answer.body
    );
    if status >= 400 {
        let content_type = answer.headers[header::CONTENT_TYPE].to_str().unwrap_or("");
        assert_eq!(content_type, "application/problem+json", "{what}");
        assert_eq!(answer.body["status"], status, "{what}: {}", answer.body);
        assert!(answer.body["code"].is_string(), "{what}: {}", answer.body);
    }
}

/// A state whose admin endpoints are on, with a worker-read queue and no practical rate limit:
/// the limit has its own test, here every request must reach the handlers.
fn open_state(store: Arc<dyn Store>, models: &std::path::Path) -> AppState {
    let models = models.display().to_string();
    let mut state = state(store, &[("ADMIN_TOKEN", TOKEN), ("ML_MODELS_DIR", &models)]);
    state.admin_limiter = Arc::new(RateLimiter::new(1e9, 1e9));
    let queue = JobQueue::new(None, QueueConfig::default()).expect("memory queue");
    state.with_queue(queue)
}

/// Sends every hostile value to every parameter and body field of every operation; returns
/// how many requests were made.
async fn attack_every_operation(state: &AppState) -> usize {
    let ops = operations(state).await;
    assert!(ops.len() >= 20, "the spec lists {} operations", ops.len());
    let values = hostile_values();
    let mut sent = 0;
    for op in &ops {
        let params = op.path_params.iter().chain(&op.query_params);
        for name in params {
            for value in &values {
                let uri = op.uri(Some((name, value)));
                let body = op.body(None);
                let answer = send(state, request(&op.method, &uri, body.as_ref())).await;
                assert_handled(&format!("{} {uri}", op.method), &answer);
                sent += 1;
            }
        }
        for field in &op.body_fields {
            let json_values = values.iter().map(|v| Value::from(v.as_str())).chain([
                Value::from(-1),
                Value::from(u64::MAX),
                Value::from(1e308),
                Value::Null,
                serde_json::json!([1, 2]),
                serde_json::json!({"$ne": null}),
            ]);
            for value in json_values {
                let body = op.body(Some((field, value.clone())));
                let answer = send(state, request(&op.method, &op.uri(None), body.as_ref())).await;
                assert_handled(
                    &format!("{} {} {field}={value}", op.method, op.template),
                    &answer,
                );
                sent += 1;
            }
        }
    }
    sent
}

/// What the database holds, as the API reports it and as a checksum of every table.
async fn snapshot(state: &AppState, db: &Fingerprint) -> (Value, Vec<(String, String)>) {
    let stats = get(state, "/api/v1/stats").await;
    assert_eq!(stats.status, 200);
    (stats.body, db.tables().await)
}

/// Reads every table of the database behind a store, independently of the Store trait.
enum Fingerprint {
    Sqlite(sqlx::SqlitePool),
    MySql(sqlx::MySqlPool),
}

impl Fingerprint {
    /// (table, row count and checksum) for every table, sorted by name.
    async fn tables(&self) -> Vec<(String, String)> {
        match self {
            Self::Sqlite(pool) => {
                let tables: Vec<(String,)> = sqlx::query_as(
                    "select name from sqlite_master where type = 'table' order by name",
                )
                .fetch_all(pool)
                .await
                .expect("tables");
                let mut out = Vec::new();
                for (table,) in tables {
                    // quote() renders any value as an SQL literal: every row as one text line.
                    let columns: Vec<(String,)> =
                        sqlx::query_as("select name from pragma_table_info(?)")
                            .bind(&table)
                            .fetch_all(pool)
                            .await
                            .expect("columns");
                    let row = columns
                        .iter()
                        .map(|(c,)| format!("quote(\"{c}\")"))
                        .collect::<Vec<_>>()
                        .join(" || ',' || ");
                    let sql = format!("select {row} from \"{table}\"");
                    let mut rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .fetch_all(pool)
                        .await
                        .expect("rows");
                    rows.sort();
                    let text: String = rows.into_iter().map(|(r,)| r + "\n").collect();
                    out.push((table, text));
                }
                out
            }
            Self::MySql(pool) => {
                let tables: Vec<(String,)> = sqlx::query_as(
                    "select table_name from information_schema.tables \
                     where table_schema = database() order by table_name",
                )
                .fetch_all(pool)
                .await
                .expect("tables");
                let mut out = Vec::new();
                for (table,) in tables {
                    let sql = format!("checksum table `{table}` extended");
                    let (_, sum): (String, Option<i64>) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .fetch_one(pool)
                        .await
                        .expect("checksum");
                    let count_sql = format!("select count(*) from `{table}`");
                    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(count_sql))
                        .fetch_one(pool)
                        .await
                        .expect("count");
                    out.push((table, format!("{count} rows, checksum {sum:?}")));
                }
                out
            }
        }
    }
}

/// The whole scenario on one store: attack, then check that nothing changed.
async fn hostile_input_changes_nothing(store: Arc<dyn Store>, db: Fingerprint) {
    // Arrange
    let models = tempfile::tempdir().expect("models dir");
    let state = open_state(store, models.path());
    let before = snapshot(&state, &db).await;
    assert!(before.0["races"].as_i64().is_some_and(|n| n > 0));

    // Act
    let sent = attack_every_operation(&state).await;

    // Assert
    assert!(sent > 500, "only {sent} hostile requests");
    let after = snapshot(&state, &db).await;
    assert_eq!(after.0, before.0, "the counts changed");
    assert_eq!(after.1, before.1, "a table changed");
    // Path traversal in a model version wrote nothing beside or above the registry.
    let entries: Vec<_> = std::fs::read_dir(models.path())
        .expect("models dir")
        .collect();
    assert!(entries.is_empty(), "{entries:?}");
    // Jobs may be enqueued (a valid name with a far date is a legitimate request), but only
    // the known ones.
    while let Some(delivery) = state
        .queue
        .reserve(std::time::Duration::from_millis(10))
        .await
        .expect("reserve")
    {
        let name = delivery.job.name.as_str();
        assert!(pronoturf_api::admin::JOB_NAMES.contains(&name), "{name:?}");
        state.queue.ack(&delivery).await.expect("ack");
    }
}

#[tokio::test]
async fn hostile_values_in_every_parameter_never_get_a_5xx_nor_change_sqlite() {
    let (store, dir) = seeded_sqlite().await;
    let url = format!("sqlite://{}/api.db", dir.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
    hostile_input_changes_nothing(store, Fingerprint::Sqlite(pool)).await;
}

#[tokio::test]
async fn hostile_values_in_every_parameter_never_get_a_5xx_nor_change_mariadb() {
    let Some(db) = MySqlDb::create().await else {
        return;
    };
    seed(db.store.as_ref()).await;
    let pool = sqlx::MySqlPool::connect(&db.url()).await.expect("mysql");
    hostile_input_changes_nothing(db.store.clone(), Fingerprint::MySql(pool.clone())).await;
    pool.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn injection_in_filters_matches_nothing_rather_than_everything() {
    let (store, _dir) = seeded_sqlite().await;
    let models = tempfile::tempdir().expect("models dir");
    let state = open_state(store, models.path());
    for uri in [
        "/api/v1/races?date=2026-03-01&track=%27%20OR%201%3D1%20--",
        "/api/v1/races?date=2026-03-01&discipline=%27%20OR%201%3D1%20--",
        "/api/v1/horses?q=%27%20OR%201%3D1%20--",
        // LIKE wildcards are literal characters of a name prefix, not patterns.
        "/api/v1/horses?q=%25",
        "/api/v1/horses?q=_",
        "/api/v1/meetings?date=2026-03-01%27%20OR%201%3D1%20--",
    ] {
        let answer = get(&state, uri).await;
        assert_handled(uri, &answer);
        if answer.status == 200 {
            assert_eq!(found(&answer.body), 0, "{uri}: {}", answer.body);
        }
    }
    // The same filters, legitimate, do find the fixture: the zero above means something.
    let races = get(&state, "/api/v1/races?date=2026-03-01&track=VINCENNES").await;
    assert_eq!(found(&races.body), 2, "{}", races.body);
    let horses = get(&state, "/api/v1/horses?q=HORSE").await;
    assert!(horses.body.as_array().is_some_and(|h| !h.is_empty()));
}

/// Items of a list answer: a bare array, or the `races`/`meetings` array of a day.
fn found(body: &Value) -> usize {
    let list = match body {
        Value::Array(items) => Some(items),
        _ => ["races", "meetings"]
            .iter()
            .find_map(|key| body[*key].as_array()),
    };
    list.map_or(0, Vec::len)
}

#[tokio::test]
async fn pagination_far_beyond_the_maximum_is_refused_or_clamped_never_a_5xx() {
    let (store, _dir) = seeded_sqlite().await;
    let models = tempfile::tempdir().expect("models dir");
    let state = open_state(store, models.path());
    let paged: Vec<Operation> = operations(&state)
        .await
        .into_iter()
        .filter(|op| {
            op.query_params
                .iter()
                .any(|q| matches!(q.as_str(), "limit" | "offset" | "page" | "per_page"))
        })
        .collect();
    assert!(paged.len() >= 2, "horses and job runs are paginated");
    for op in &paged {
        for name in op
            .query_params
            .iter()
            .filter(|q| matches!(q.as_str(), "limit" | "offset" | "page" | "per_page"))
        {
            for value in [
                "1000000",
                "2147483648",
                "4294967296",
                "9223372036854775807",
                "18446744073709551616",
                "-1",
                "0",
            ] {
                let uri = op.uri(Some((name, value)));
                let answer = get(&state, &uri).await;
                assert_handled(&uri, &answer);
                if answer.status == 200 && name == "limit" {
                    // Clamped: never more rows than the largest page the API serves.
                    let rows = answer.body.as_array().map_or(0, Vec::len);
                    assert!(rows <= 200, "{uri}: {rows} rows");
                }
                if answer.status == 200 && name == "offset" && value != "0" {
                    assert_eq!(answer.body, serde_json::json!([]), "{uri}");
                }
            }
        }
    }
}

#[tokio::test]
async fn oversized_bodies_get_413_problems_before_any_handler() {
    let (store, _dir) = seeded_sqlite().await;
    let models = tempfile::tempdir().expect("models dir");
    let state = open_state(store, models.path());
    let big = format!(
        "{{\"name\":\"sync\",\"date\":\"{}\"}}",
        "9".repeat(pronoturf_api::BODY_LIMIT)
    );
    for (method, uri, token) in [
        (Method::POST, "/api/v1/admin/jobs", Some(TOKEN)),
        (Method::POST, "/api/v1/admin/jobs", None),
        (Method::POST, "/api/v1/admin/models/m1/promote", Some(TOKEN)),
        (Method::GET, "/api/v1/races", None),
    ] {
        // With a Content-Length, then streamed without one (chunked).
        for declared in [true, false] {
            let mut builder = Request::builder()
                .method(method.clone())
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(token) = token {
                builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let body = if declared {
                builder = builder.header(header::CONTENT_LENGTH, big.len());
                Body::from(big.clone())
            } else {
                let chunks = big
                    .as_bytes()
                    .chunks(4096)
                    .map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(c)))
                    .collect::<Vec<_>>();
                Body::from_stream(futures::stream::iter(chunks))
            };
            let answer = send(&state, builder.body(body).expect("request")).await;
            let what = format!("{method} {uri} token={token:?} content-length={declared}");
            assert_handled(&what, &answer);
            // A declared length over the limit is refused before anything else; a streamed
            // body only when read, and only the enqueue handler reads one.
            if declared || uri == "/api/v1/admin/jobs" && token.is_some() {
                assert_eq!(answer.status, 413, "{what}: {}", answer.body);
            }
        }
    }
    assert_eq!(state.queue.queued().await.expect("queued"), 0);
}
