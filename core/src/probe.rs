//! Dependency probes shared by the API's health endpoints and `pronoturf check`, so that both
//! answer "is Redis working" the same way.

use redis::AsyncCommands;

/// Key the Redis probe writes and reads back; it expires on its own within seconds.
const PROBE_KEY: &str = "pronoturf:health:probe";

/// PING, then SET and GET of a short-lived key; returns the server version when it tells.
///
/// A reachable server that refuses writes (read-only replica, full memory, wrong password) fails
/// here, where a PING alone would pass. The caller bounds the time it may take.
pub async fn redis_round_trip(client: &redis::Client) -> redis::RedisResult<Option<String>> {
    let mut conn = client.get_multiplexed_async_connection().await?;
    let _: String = redis::cmd("PING").query_async(&mut conn).await?;
    let value = format!("{}", std::process::id());
    let _: () = conn.set_ex(PROBE_KEY, &value, 10).await?;
    let got: Option<String> = conn.get(PROBE_KEY).await?;
    if got.as_deref() != Some(value.as_str()) {
        return Err(redis::RedisError::from((
            redis::ErrorKind::UnexpectedReturnType,
            "SET/GET round trip returned another value",
        )));
    }
    let info: String = redis::cmd("INFO")
        .arg("server")
        .query_async(&mut conn)
        .await?;
    Ok(info
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .map(|v| v.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_dead_redis_fails_the_round_trip() {
        // Arrange: a port that was free a moment ago has no server behind it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).expect("url");
        // Act
        let outcome = tokio::time::timeout(Duration::from_secs(5), redis_round_trip(&client)).await;
        // Assert
        assert!(matches!(outcome, Ok(Err(_))), "{outcome:?}");
    }

    #[tokio::test]
    async fn a_live_redis_passes_the_round_trip_and_tells_its_version() {
        let Some(url) = std::env::var("TEST_REDIS_URL").ok() else {
            assert!(
                std::env::var("CI").is_err(),
                "TEST_REDIS_URL is required under CI"
            );
            return;
        };
        let client = redis::Client::open(url).expect("TEST_REDIS_URL");
        let version = redis_round_trip(&client).await.expect("round trip");
        assert!(version.is_some_and(|v| v.contains('.')));
    }
}
