//! Black-box tests of the Turfinfo client against the local mock server: URL layout, headers,
//! "not published yet" answers, retries, timeouts and the concurrency limit.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use pronoturf_pmu::client::{ClientConfig, ClientError, Endpoint, TurfinfoClient};
use pronoturf_pmu::mock::{MockResponse, MockTurfinfo};
use tokio::task::JoinSet;
use url::Url;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 5).expect("valid date")
}

fn participants(race: u32) -> Endpoint {
    Endpoint::Participants {
        date: day(),
        meeting: 1,
        race,
    }
}

/// Short waits so that retries cost milliseconds, and a generous timeout so that only the
/// hanging tests ever hit it.
fn test_config(base_url: Url) -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(2),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        ..ClientConfig::new(base_url)
    }
}

fn client(config: ClientConfig) -> TurfinfoClient {
    TurfinfoClient::new(config).expect("client builds")
}

#[tokio::test]
async fn each_endpoint_is_requested_under_the_turfinfo_url_layout() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let date = day();
    let cases = [
        (Endpoint::Programme { date }, "programme/05112025"),
        (
            Endpoint::Participants {
                date,
                meeting: 1,
                race: 3,
            },
            "programme/05112025/R1/C3/participants",
        ),
        (
            Endpoint::Performances {
                date,
                meeting: 12,
                race: 10,
            },
            "programme/05112025/R12/C10/performances-detaillees/pretty",
        ),
        (
            Endpoint::Rapports {
                date,
                meeting: 2,
                race: 7,
            },
            "programme/05112025/R2/C7/rapports-definitifs",
        ),
    ];
    for (_, path) in &cases {
        mock.serve(path, format!("{{\"path\":\"{path}\"}}").into_bytes());
    }
    // The base without its trailing slash must still keep the client number.
    let bare_base = mock.base_url().as_str().trim_end_matches('/').to_owned();
    let client = client(test_config(Url::parse(&bare_base).expect("valid URL")));

    for (endpoint, path) in &cases {
        // Act
        let fetched = client.fetch(endpoint).await.expect("fetch succeeds");

        // Assert
        assert_eq!(fetched.url, format!("{}{path}", mock.base_url()));
        assert_eq!(fetched.endpoint, *endpoint);
        assert_eq!(fetched.status, 200);
        assert_eq!(fetched.attempts, 1);
        assert_eq!(
            fetched.body.as_deref(),
            Some(format!("{{\"path\":\"{path}\"}}").as_bytes())
        );
        assert_eq!(mock.hits(path), 1);
    }
    let requested: Vec<String> = mock.requests().into_iter().map(|(path, _)| path).collect();
    let expected: Vec<String> = cases.iter().map(|(_, path)| (*path).to_owned()).collect();
    assert_eq!(requested, expected);
}

#[tokio::test]
async fn user_agent_and_accept_headers_are_sent() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    mock.serve("programme/05112025", b"{}".to_vec());
    let config = test_config(mock.base_url());
    let user_agent = config.user_agent.clone();
    let client = client(config);

    // Act
    client
        .fetch(&Endpoint::Programme { date: day() })
        .await
        .expect("fetch succeeds");

    // Assert
    assert!(user_agent.starts_with("PronoTurf/"), "{user_agent}");
    let recorded = mock.recorded();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].user_agent.as_deref(), Some(user_agent.as_str()));
    assert_eq!(recorded[0].accept.as_deref(), Some("application/json"));
    assert_eq!(
        mock.requests(),
        [("programme/05112025".to_owned(), Some(user_agent))]
    );
}

#[tokio::test]
async fn no_content_means_not_published_and_is_not_retried() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025/R1/C1/participants";
    mock.script(path, vec![MockResponse::status(204)]);
    mock.serve(path, b"{}".to_vec());
    let client = client(test_config(mock.base_url()));

    // Act
    let fetched = client
        .fetch(&participants(1))
        .await
        .expect("204 is not an error");

    // Assert
    assert_eq!(fetched.status, 204);
    assert_eq!(fetched.body, None);
    assert!(!fetched.is_published());
    assert_eq!(fetched.attempts, 1);
    assert_eq!(mock.hits(path), 1);
}

#[tokio::test]
async fn not_found_means_not_published_and_is_not_retried() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let client = client(test_config(mock.base_url()));
    let endpoint = Endpoint::Rapports {
        date: day(),
        meeting: 1,
        race: 1,
    };

    // Act
    let fetched = client.fetch(&endpoint).await.expect("404 is not an error");

    // Assert
    assert_eq!(fetched.status, 404);
    assert_eq!(fetched.body, None);
    assert_eq!(fetched.attempts, 1);
    assert_eq!(mock.hits("programme/05112025/R1/C1/rapports-definitifs"), 1);
}

#[tokio::test]
async fn empty_ok_body_means_not_published() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025/R1/C1/participants";
    mock.script(path, vec![MockResponse::ok(Vec::new())]);
    let client = client(test_config(mock.base_url()));

    // Act
    let fetched = client
        .fetch(&participants(1))
        .await
        .expect("fetch succeeds");

    // Assert
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, None);
    assert_eq!(mock.hits(path), 1);
}

#[tokio::test]
async fn server_errors_are_retried_until_the_payload_arrives() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025/R1/C1/participants";
    mock.script(
        path,
        vec![MockResponse::status(500), MockResponse::status(503)],
    );
    mock.serve(path, b"{\"participants\":[]}".to_vec());
    let client = client(test_config(mock.base_url()));

    // Act
    let fetched = client
        .fetch(&participants(1))
        .await
        .expect("third attempt succeeds");

    // Assert
    assert_eq!(fetched.attempts, 3);
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body.as_deref(), Some(&b"{\"participants\":[]}"[..]));
    assert_eq!(mock.hits(path), 3);
}

#[tokio::test]
async fn persistent_server_errors_exhaust_the_retries() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025/R1/C1/participants";
    mock.script(path, vec![MockResponse::status(502); 10]);
    let client = client(ClientConfig {
        max_retries: 2,
        ..test_config(mock.base_url())
    });

    // Act
    let error = client
        .fetch(&participants(1))
        .await
        .expect_err("every attempt fails");

    // Assert
    match error {
        ClientError::RetriesExhausted {
            url,
            attempts,
            last,
        } => {
            assert_eq!(url, format!("{}{path}", mock.base_url()));
            assert_eq!(attempts, 3);
            assert!(last.contains("502"), "{last}");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert_eq!(mock.hits(path), 3);
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after_then_retries() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025";
    mock.script(path, vec![MockResponse::status(429).with_retry_after(1)]);
    mock.serve(path, b"{}".to_vec());
    let client = client(ClientConfig {
        backoff_max: Duration::from_secs(5),
        ..test_config(mock.base_url())
    });
    let started = Instant::now();

    // Act
    let fetched = client
        .fetch(&Endpoint::Programme { date: day() })
        .await
        .expect("second attempt succeeds");

    // Assert
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(fetched.attempts, 2);
    assert_eq!(fetched.body.as_deref(), Some(&b"{}"[..]));
    assert_eq!(mock.hits(path), 2);
}

#[tokio::test]
async fn retry_after_is_capped_by_backoff_max() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025";
    mock.script(path, vec![MockResponse::status(429).with_retry_after(3600)]);
    mock.serve(path, b"{}".to_vec());
    let client = client(test_config(mock.base_url()));

    // Act: an hour-long wait would trip this generous guard.
    let fetched = tokio::time::timeout(
        Duration::from_secs(60),
        client.fetch(&Endpoint::Programme { date: day() }),
    )
    .await
    .expect("Retry-After is capped by backoff_max")
    .expect("second attempt succeeds");

    // Assert
    assert_eq!(fetched.attempts, 2);
    assert_eq!(mock.hits(path), 2);
}

#[tokio::test]
async fn hanging_server_is_retried_then_given_up() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025/R1/C1/participants";
    let hang = MockResponse::ok(b"{}".to_vec()).with_delay(Duration::from_secs(30));
    mock.script(path, vec![hang; 3]);
    // Served afterwards, so that giving up can only be due to the timeouts.
    mock.serve(path, b"{}".to_vec());
    let client = client(ClientConfig {
        timeout: Duration::from_millis(200),
        max_retries: 2,
        ..test_config(mock.base_url())
    });

    // Act
    let error = client
        .fetch(&participants(1))
        .await
        .expect_err("every attempt times out");

    // Assert
    match error {
        ClientError::RetriesExhausted { attempts, last, .. } => {
            assert_eq!(attempts, 3);
            assert!(last.starts_with("timed out"), "{last}");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert_eq!(mock.hits(path), 3);
}

#[tokio::test]
async fn one_hanging_attempt_is_recovered_by_a_retry() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025/R1/C1/participants";
    let hang = MockResponse::ok(b"{}".to_vec()).with_delay(Duration::from_secs(30));
    mock.script(path, vec![hang]);
    mock.serve(path, b"{\"ok\":true}".to_vec());
    let client = client(ClientConfig {
        timeout: Duration::from_millis(200),
        ..test_config(mock.base_url())
    });

    // Act
    let fetched = client
        .fetch(&participants(1))
        .await
        .expect("retry succeeds");

    // Assert
    assert_eq!(fetched.attempts, 2);
    assert_eq!(fetched.body.as_deref(), Some(&b"{\"ok\":true}"[..]));
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025/R1/C1/participants";
    mock.script(path, vec![MockResponse::status(400)]);
    mock.serve(path, b"{}".to_vec());
    let client = client(test_config(mock.base_url()));

    // Act
    let error = client
        .fetch(&participants(1))
        .await
        .expect_err("400 is an error");

    // Assert
    match error {
        ClientError::Status { url, status } => {
            assert_eq!(status, 400);
            assert_eq!(url, format!("{}{path}", mock.base_url()));
        }
        other => panic!("expected Status, got {other:?}"),
    }
    assert_eq!(mock.hits(path), 1);
}

#[tokio::test]
async fn truncated_payload_is_returned_as_is_for_the_decoder_to_reject() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let path = "programme/05112025";
    mock.script(
        path,
        vec![MockResponse::ok(b"{\"programme\":{\"reun".to_vec())],
    );
    let client = client(test_config(mock.base_url()));

    // Act
    let fetched = client
        .fetch(&Endpoint::Programme { date: day() })
        .await
        .expect("the transport succeeded");

    // Assert
    assert_eq!(
        fetched.body.as_deref(),
        Some(&b"{\"programme\":{\"reun"[..])
    );
    assert_eq!(fetched.attempts, 1);
}

#[tokio::test]
async fn requests_in_flight_never_exceed_max_concurrency_across_clones() {
    // Arrange
    let mock = MockTurfinfo::start().await;
    let races = 1..=6;
    for race in races.clone() {
        let path = participants(race).path();
        let slow = MockResponse::ok(b"{}".to_vec()).with_delay(Duration::from_millis(300));
        mock.script(&path, vec![slow]);
    }
    let client = client(ClientConfig {
        max_concurrency: 2,
        ..test_config(mock.base_url())
    });

    // Act
    let mut tasks = JoinSet::new();
    for race in races.clone() {
        let client = client.clone();
        tasks.spawn(async move { client.fetch(&participants(race)).await });
    }
    let mut fetched = 0;
    while let Some(outcome) = tasks.join_next().await {
        let result = outcome.expect("task completes");
        assert!(result.expect("fetch succeeds").is_published());
        fetched += 1;
    }

    // Assert: six 300 ms answers behind two permits always overlap in pairs.
    assert_eq!(fetched, 6);
    assert_eq!(mock.max_in_flight(), 2);
    for race in races {
        assert_eq!(mock.hits(&participants(race).path()), 1);
    }
}
