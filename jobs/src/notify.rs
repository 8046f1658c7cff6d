//! Telegram notifications (Bot API `sendMessage`): job failures, the daily report, and whatever
//! other jobs want to tell. Without TELEGRAM_BOT_TOKEN (or chat id) notifications are off, said
//! once in the log when the notifier is built, and sending is a no-op.

use pronoturf_core::settings::Settings;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Telegram refuses longer messages.
const MAX_CHARS: usize = 4096;
/// Sends tried at most per message.
const MAX_TRIES: u32 = 4;
/// Longest wait honoured from a 429's retry_after; a longer ban fails the message instead of
/// holding a worker.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Build(#[source] reqwest::Error),
    /// Telegram could not be reached, or kept failing.
    #[error("telegram unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// Telegram refused the message (bad token, unknown chat...).
    #[error("telegram refused the message: HTTP {status}: {description}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Telegram's description.
        description: String,
    },
}

/// Sends notifications, or does nothing when they are off. Cheap to clone.
#[derive(Clone, Default)]
pub struct Notifier {
    telegram: Option<Arc<Telegram>>,
}

struct Telegram {
    http: reqwest::Client,
    /// `{base}/bot{token}/sendMessage`: holds the token, never logged.
    send_url: Url,
    chat_id: String,
}

impl Notifier {
    /// Notifications off.
    pub fn off() -> Self {
        Self::default()
    }

    /// The notifier the settings describe; logs once when notifications are off.
    pub fn from_settings(settings: &Settings) -> Result<Self, NotifyError> {
        match (&settings.telegram_bot_token, &settings.telegram_chat_id) {
            (Some(token), Some(chat)) => Self::telegram(&settings.telegram_api_url, token, chat),
            (None, _) => {
                tracing::info!("Telegram notifications off: TELEGRAM_BOT_TOKEN is not set");
                Ok(Self::off())
            }
            (Some(_), None) => {
                tracing::warn!("Telegram notifications off: TELEGRAM_CHAT_ID is not set");
                Ok(Self::off())
            }
        }
    }

    /// Sends to `chat_id` through the Bot API at `base` (https://api.telegram.org).
    pub fn telegram(base: &Url, token: &SecretString, chat_id: &str) -> Result<Self, NotifyError> {
        let raw = format!(
            "{}/bot{}/sendMessage",
            base.as_str().trim_end_matches('/'),
            token.expose_secret()
        );
        // A token that makes a malformed URL would leak into the error text: say less.
        let send_url = Url::parse(&raw).map_err(|_| NotifyError::Refused {
            status: 0,
            description: "TELEGRAM_BOT_TOKEN or TELEGRAM_API_URL does not form a valid URL".into(),
        })?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(NotifyError::Build)?;
        Ok(Self {
            telegram: Some(Arc::new(Telegram {
                http,
                send_url,
                chat_id: chat_id.to_string(),
            })),
        })
    }

    /// True when messages are actually sent.
    pub fn is_on(&self) -> bool {
        self.telegram.is_some()
    }

    /// Sends `text` (cut to Telegram's 4096 characters). Retries on 429 after the
    /// `retry_after` Telegram asks for, and on server or network errors with a short backoff.
    pub async fn send(&self, text: &str) -> Result<(), NotifyError> {
        let Some(t) = &self.telegram else {
            return Ok(());
        };
        let text: String = text.chars().take(MAX_CHARS).collect();
        let body = serde_json::json!({ "chat_id": t.chat_id, "text": text });
        let mut tries = 0;
        loop {
            tries += 1;
            let last = tries >= MAX_TRIES;
            let response = match t.http.post(t.send_url.clone()).json(&body).send().await {
                Ok(r) => r,
                // without_url: the URL holds the bot token.
                Err(e) if last => return Err(NotifyError::Transport(e.without_url())),
                Err(e) => {
                    tracing::warn!(error = %e.without_url(), "telegram unreachable; retrying");
                    tokio::time::sleep(backoff(tries)).await;
                    continue;
                }
            };
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            let reply: serde_json::Value = response.json().await.unwrap_or_default();
            let description = reply["description"].as_str().unwrap_or("").to_string();
            let wait = if status.as_u16() == 429 {
                let secs = reply["parameters"]["retry_after"].as_u64().unwrap_or(1);
                Some(Duration::from_secs(secs))
            } else if status.is_server_error() {
                Some(backoff(tries))
            } else {
                None
            };
            match wait {
                Some(wait) if !last && wait <= MAX_RETRY_AFTER => {
                    tracing::warn!(
                        status = status.as_u16(),
                        wait_s = wait.as_secs_f64(),
                        "telegram asked to wait; retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                _ => {
                    return Err(NotifyError::Refused {
                        status: status.as_u16(),
                        description,
                    });
                }
            }
        }
    }

    /// Sends `text`, logging a failure instead of returning it: a notification must never fail
    /// the job that sends it.
    pub async fn send_or_log(&self, text: &str) {
        if let Err(e) = self.send(text).await {
            tracing::warn!(error = %e, "notification not sent");
        }
    }
}

/// 250 ms, 500 ms, 1 s...: a short outage is ridden out without holding a worker long.
fn backoff(tries: u32) -> Duration {
    Duration::from_millis(250 * 2u64.pow(tries.saturating_sub(1).min(5)))
}
