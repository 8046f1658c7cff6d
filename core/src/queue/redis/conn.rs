//! Connections of the Redis queue: made on first use, dropped on any error, made again (and
//! the consumer group re-created) on the next call, so a Redis restart needs no process restart.

use super::{COMMAND_TIMEOUT, CONNECT_TIMEOUT, GROUP, MAX_BLOCK, RedisQueue};
use crate::queue::QueueError;
use redis::AsyncConnectionConfig;
use redis::aio::MultiplexedConnection;

impl RedisQueue {
    /// A connection for ordinary commands, made (and the group created) on first use.
    pub(super) async fn connection(
        &self,
        blocking: bool,
    ) -> Result<MultiplexedConnection, QueueError> {
        let slot = if blocking {
            &self.inner.blocking
        } else {
            &self.inner.commands
        };
        let mut guard = slot.lock().await;
        if let Some(conn) = &*guard {
            return Ok(conn.clone());
        }
        let response = if blocking {
            MAX_BLOCK + COMMAND_TIMEOUT
        } else {
            COMMAND_TIMEOUT
        };
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(response));
        let mut conn = self
            .inner
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        if !blocking {
            self.create_group(&mut conn).await?;
        }
        *guard = Some(conn.clone());
        Ok(conn)
    }

    /// Creates the stream and its group if missing (a restarted Redis without persistence has
    /// neither). Reading from id 0 so entries added before the group existed are delivered.
    pub(super) async fn create_group(
        &self,
        conn: &mut MultiplexedConnection,
    ) -> Result<(), QueueError> {
        let created: Result<(), _> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(self.key("stream"))
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(conn)
            .await;
        match created {
            Err(e) if e.code() != Some("BUSYGROUP") => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Forgets both connections, so the next call reconnects and re-creates the group.
    pub(super) async fn reset(&self, why: &redis::RedisError) {
        tracing::warn!(error = %why, "redis queue connection dropped; reconnecting on next use");
        *self.inner.commands.lock().await = None;
        *self.inner.blocking.lock().await = None;
    }

    pub(super) async fn query<T: redis::FromRedisValue>(
        &self,
        cmd: &redis::Cmd,
    ) -> Result<T, QueueError> {
        let mut conn = self.connection(false).await?;
        match cmd.query_async(&mut conn).await {
            Ok(v) => Ok(v),
            Err(e) => {
                self.reset(&e).await;
                Err(e.into())
            }
        }
    }

    pub(super) async fn query_pipe(&self, pipe: &redis::Pipeline) -> Result<(), QueueError> {
        let mut conn = self.connection(false).await?;
        match pipe.query_async::<()>(&mut conn).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.reset(&e).await;
                Err(e.into())
            }
        }
    }
}
