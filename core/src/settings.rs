//! Settings: every process reads its configuration once, from environment variables (and an
//! optional `.env` loaded by the binary), and fails at start-up with the variable's name when a
//! value is malformed. `.env.example` documents each variable.

use crate::queue::QueueConfig;
use crate::schedule::{CronSchedule, DEFAULT_SCHEDULES};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Default Telegram Bot API base.
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";

/// One scheduled job as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSetting {
    /// Job enqueued (sync, odds, predict, results, retrain, report).
    pub job: &'static str,
    /// The variable that sets it (SCHEDULE_SYNC...).
    pub variable: &'static str,
    /// When, in Europe/Paris time; `None` when disabled by an empty value.
    pub cron: Option<CronSchedule>,
}

/// Default database: an SQLite file created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/pronoturf.db";
/// Default Turfinfo base, client number included (FORMAT.md §1.1 advises client 61).
pub const DEFAULT_PMU_BASE_URL: &str = "https://online.turfinfo.api.pmu.fr/rest/client/61";

/// A setting that could not be used, naming the variable so the operator knows what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct SettingsError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with its value.
    pub message: String,
}

impl SettingsError {
    fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self {
            variable,
            message: message.into(),
        }
    }
}

/// Where the data lives, chosen from the URL scheme.
#[derive(Clone)]
pub enum DatabaseUrl {
    /// An SQLite file (`sqlite://path` or `sqlite::memory:`).
    Sqlite {
        /// The URL as given, passed on to sqlx.
        url: String,
    },
    /// A MySQL or MariaDB server (`mysql://user:password@host:3306/db`).
    MySql {
        /// The URL, password included; never printed.
        url: SecretString,
    },
}

impl DatabaseUrl {
    /// Parses a database URL; an unknown scheme or a malformed URL is an error naming `variable`.
    pub fn parse(variable: &'static str, raw: &str) -> Result<Self, SettingsError> {
        let raw = raw.trim();
        let scheme = raw.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => {
                if raw == "sqlite::memory:" || raw.starts_with("sqlite://") {
                    Ok(Self::Sqlite {
                        url: raw.to_string(),
                    })
                } else {
                    Err(SettingsError::new(
                        variable,
                        format!("expected sqlite://PATH or sqlite::memory:, got {raw:?}"),
                    ))
                }
            }
            "mysql" | "mariadb" => {
                let mut url = Url::parse(raw)
                    .map_err(|e| SettingsError::new(variable, format!("malformed URL: {e}")))?;
                if url.host_str().is_none_or(str::is_empty) {
                    return Err(SettingsError::new(variable, "the URL names no host"));
                }
                if url.path().trim_matches('/').is_empty() {
                    return Err(SettingsError::new(
                        variable,
                        "the URL names no database (mysql://user:password@host:3306/DATABASE)",
                    ));
                }
                // sqlx only knows the mysql scheme; MariaDB speaks the same protocol.
                if scheme == "mariadb" {
                    let rest = &raw["mariadb".len()..];
                    url = Url::parse(&format!("mysql{rest}"))
                        .map_err(|e| SettingsError::new(variable, format!("malformed URL: {e}")))?;
                }
                Ok(Self::MySql {
                    url: SecretString::from(url.to_string()),
                })
            }
            "" => Err(SettingsError::new(variable, "empty value")),
            other => Err(SettingsError::new(
                variable,
                format!("unknown database scheme {other:?}: use sqlite:// or mysql://"),
            )),
        }
    }

    /// The URL to hand to the driver. Contains the password: never log it.
    pub fn expose(&self) -> &str {
        match self {
            Self::Sqlite { url } => url,
            Self::MySql { url } => url.expose_secret(),
        }
    }

    /// `sqlite` or `mysql`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::MySql { .. } => "mysql",
        }
    }
}

/// Shows the URL with its password replaced, so Settings can be logged.
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(self.expose()))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(self.expose()))
    }
}

/// Replaces the password of a URL with `***`; returns the text unchanged when it has none.
pub fn redact(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            // set_password only fails on URLs that cannot have credentials, which had none.
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_string(),
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Everything a PronoTurf process is configured with.
#[derive(Clone)]
pub struct Settings {
    /// DATABASE_URL.
    pub database_url: DatabaseUrl,
    /// REDIS_URL; `None` runs cache and queue in process.
    pub redis_url: Option<SecretString>,
    /// API_PORT (default 8000).
    pub api_port: u16,
    /// DASHBOARD_PORT (default 8501).
    pub dashboard_port: u16,
    /// API_URL: where `pronoturf check` reaches the API (default http://localhost:API_PORT).
    pub api_url: Url,
    /// DASHBOARD_URL: where `pronoturf check` reaches the dashboard
    /// (default http://localhost:DASHBOARD_PORT).
    pub dashboard_url: Url,
    /// BIND_ADDRESS for the servers (default 127.0.0.1; 0.0.0.0 in containers).
    pub bind_address: String,
    /// ML_MODELS_DIR (default `ml_models`).
    pub ml_models_dir: PathBuf,
    /// PMU_BASE_URL, client number included.
    pub pmu_base_url: Url,
    /// PMU_CONCURRENCY: requests in flight to Turfinfo at once (default 4).
    pub pmu_concurrency: usize,
    /// TELEGRAM_BOT_TOKEN; `None` turns notifications off.
    pub telegram_bot_token: Option<SecretString>,
    /// TELEGRAM_CHAT_ID.
    pub telegram_chat_id: Option<String>,
    /// TELEGRAM_API_URL (default https://api.telegram.org).
    pub telegram_api_url: Url,
    /// SCHEDULE_SYNC, SCHEDULE_ODDS, SCHEDULE_PREDICT, SCHEDULE_RESULTS, SCHEDULE_RETRAIN,
    /// SCHEDULE_REPORT: cron expressions in Paris time; unset = default, empty = disabled.
    pub schedules: Vec<ScheduleSetting>,
    /// JOBS_MAX_ATTEMPTS, JOBS_VISIBILITY_TIMEOUT_SECS, JOBS_RETRY_BASE_SECS.
    pub queue: QueueConfig,
    /// CORS_ORIGINS, comma separated (default http://localhost:3000).
    pub cors_origins: Vec<String>,
    /// ADMIN_TOKEN; `None` turns admin endpoints off.
    pub admin_token: Option<SecretString>,
    /// LOG_FORMAT: `pretty` (default) or `json`.
    pub log_format: LogFormat,
}

/// Never prints secrets: tokens show as set or unset, URLs without their password.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |s: &Option<SecretString>| if s.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("Settings")
            .field("database_url", &self.database_url)
            .field(
                "redis_url",
                &self.redis_url.as_ref().map(|u| redact(u.expose_secret())),
            )
            .field("api_port", &self.api_port)
            .field("dashboard_port", &self.dashboard_port)
            .field("api_url", &redact(self.api_url.as_str()))
            .field("dashboard_url", &redact(self.dashboard_url.as_str()))
            .field("bind_address", &self.bind_address)
            .field("ml_models_dir", &self.ml_models_dir)
            .field("pmu_base_url", &self.pmu_base_url.as_str())
            .field("pmu_concurrency", &self.pmu_concurrency)
            .field("telegram_bot_token", &set(&self.telegram_bot_token))
            .field("telegram_chat_id", &self.telegram_chat_id)
            .field("telegram_api_url", &self.telegram_api_url.as_str())
            .field("schedules", &self.schedules)
            .field("queue", &self.queue)
            .field("cors_origins", &self.cors_origins)
            .field("admin_token", &set(&self.admin_token))
            .field("log_format", &self.log_format)
            .finish()
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment in production, a map in tests).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let secret = |name: &str| get(name).map(SecretString::from);

        let database_url = DatabaseUrl::parse(
            "DATABASE_URL",
            &get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
        )?;
        let redis_url = get("REDIS_URL")
            .map(|raw| {
                let url = Url::parse(raw.trim())
                    .map_err(|e| SettingsError::new("REDIS_URL", format!("malformed URL: {e}")))?;
                match url.scheme() {
                    "redis" | "rediss" => Ok(SecretString::from(raw.trim().to_string())),
                    other => Err(SettingsError::new(
                        "REDIS_URL",
                        format!("unknown scheme {other:?}: use redis:// or rediss://"),
                    )),
                }
            })
            .transpose()?;
        let pmu_base_url = get("PMU_BASE_URL").unwrap_or_else(|| DEFAULT_PMU_BASE_URL.to_string());
        let pmu_base_url = Url::parse(pmu_base_url.trim())
            .map_err(|e| SettingsError::new("PMU_BASE_URL", format!("malformed URL: {e}")))?;
        if !matches!(pmu_base_url.scheme(), "http" | "https") {
            return Err(SettingsError::new(
                "PMU_BASE_URL",
                "expected an http(s) URL",
            ));
        }
        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(SettingsError::new(
                    "LOG_FORMAT",
                    format!("expected pretty or json, got {other:?}"),
                ));
            }
        };
        let pmu_concurrency = parse_number("PMU_CONCURRENCY", get("PMU_CONCURRENCY"), 4usize)?;
        let telegram_api_url = Url::parse(
            get("TELEGRAM_API_URL")
                .as_deref()
                .unwrap_or(DEFAULT_TELEGRAM_API_URL)
                .trim(),
        )
        .map_err(|e| SettingsError::new("TELEGRAM_API_URL", format!("malformed URL: {e}")))?;
        // Unlike other variables, an empty schedule is meaningful: it turns the job off.
        let schedules = DEFAULT_SCHEDULES
            .iter()
            .map(|&(job, variable, default)| {
                let raw = lookup(variable).unwrap_or_else(|| default.to_string());
                let cron = if raw.trim().is_empty() {
                    None
                } else {
                    Some(
                        raw.parse()
                            .map_err(|e| SettingsError::new(variable, format!("{e}")))?,
                    )
                };
                Ok(ScheduleSetting {
                    job,
                    variable,
                    cron,
                })
            })
            .collect::<Result<Vec<_>, SettingsError>>()?;
        let defaults = QueueConfig::default();
        let seconds = |variable: &'static str, default: Duration| {
            let secs = parse_number(variable, get(variable), default.as_secs())?;
            if secs == 0 {
                return Err(SettingsError::new(variable, "must be at least 1"));
            }
            Ok(Duration::from_secs(secs))
        };
        let queue = QueueConfig {
            max_attempts: parse_number(
                "JOBS_MAX_ATTEMPTS",
                get("JOBS_MAX_ATTEMPTS"),
                defaults.max_attempts,
            )?
            .max(1),
            visibility_timeout: seconds(
                "JOBS_VISIBILITY_TIMEOUT_SECS",
                defaults.visibility_timeout,
            )?,
            retry_base: seconds("JOBS_RETRY_BASE_SECS", defaults.retry_base)?,
            ..defaults
        };
        if pmu_concurrency == 0 {
            return Err(SettingsError::new("PMU_CONCURRENCY", "must be at least 1"));
        }

        let api_port = parse_number("API_PORT", get("API_PORT"), 8000)?;
        let dashboard_port = parse_number("DASHBOARD_PORT", get("DASHBOARD_PORT"), 8501)?;
        let api_url = http_url("API_URL", get("API_URL"), api_port)?;
        let dashboard_url = http_url("DASHBOARD_URL", get("DASHBOARD_URL"), dashboard_port)?;

        Ok(Self {
            database_url,
            redis_url,
            api_port,
            dashboard_port,
            api_url,
            dashboard_url,
            bind_address: get("BIND_ADDRESS").unwrap_or_else(|| "127.0.0.1".to_string()),
            ml_models_dir: PathBuf::from(
                get("ML_MODELS_DIR").unwrap_or_else(|| "ml_models".into()),
            ),
            pmu_base_url,
            pmu_concurrency,
            telegram_bot_token: secret("TELEGRAM_BOT_TOKEN"),
            telegram_chat_id: get("TELEGRAM_CHAT_ID"),
            telegram_api_url,
            schedules,
            queue,
            cors_origins: get("CORS_ORIGINS")
                .unwrap_or_else(|| "http://localhost:3000".to_string())
                .split(',')
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect(),
            admin_token: secret("ADMIN_TOKEN"),
            log_format,
        })
    }
}

/// An http(s) URL from `variable`, or http://localhost:`port` when unset.
fn http_url(
    variable: &'static str,
    value: Option<String>,
    port: u16,
) -> Result<Url, SettingsError> {
    let raw = value.unwrap_or_else(|| format!("http://localhost:{port}"));
    let url = Url::parse(raw.trim())
        .map_err(|e| SettingsError::new(variable, format!("malformed URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SettingsError::new(variable, "expected an http(s) URL"));
    }
    Ok(url)
}

fn parse_number<T: std::str::FromStr>(
    variable: &'static str,
    value: Option<String>,
    default: T,
) -> Result<T, SettingsError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| SettingsError::new(variable, format!("expected a number, got {v:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.database_url.expose(), DEFAULT_DATABASE_URL);
        assert!(s.redis_url.is_none());
        assert_eq!((s.api_port, s.dashboard_port), (8000, 8501));
        assert_eq!(s.cors_origins, vec!["http://localhost:3000".to_string()]);
        assert_eq!(s.pmu_base_url.as_str(), DEFAULT_PMU_BASE_URL);
        assert_eq!(s.api_url.as_str(), "http://localhost:8000/");
        assert_eq!(s.dashboard_url.as_str(), "http://localhost:8501/");
    }

    #[test]
    fn check_urls_follow_the_ports_unless_set() {
        let s = settings(&[
            ("API_PORT", "9000"),
            ("DASHBOARD_URL", "http://dashboard:8501"),
        ])
        .expect("valid");
        assert_eq!(s.api_url.as_str(), "http://localhost:9000/");
        assert_eq!(s.dashboard_url.as_str(), "http://dashboard:8501/");
    }

    #[test]
    fn an_api_url_that_is_not_http_names_the_variable() {
        let e = settings(&[("API_URL", "ftp://api:8000")]).expect_err("ftp is refused");
        assert_eq!(e.variable, "API_URL");
        let ok = settings(&[("API_URL", "http://api:8000")]).expect("http is accepted");
        assert_eq!(ok.api_url.host_str(), Some("api"));
    }

    #[test]
    fn an_unknown_database_scheme_names_the_variable() {
        let err = settings(&[("DATABASE_URL", "postgres://x@h/db")]).err();
        let err = err.expect("postgres is not supported");
        assert_eq!(err.variable, "DATABASE_URL");
        assert!(err.to_string().contains("unknown database scheme"), "{err}");
    }

    #[test]
    fn malformed_values_name_their_variable() {
        for (var, value) in [
            ("DATABASE_URL", "mysql://"),
            ("DATABASE_URL", "mysql://root@localhost"),
            ("API_PORT", "eighty"),
            ("REDIS_URL", "http://localhost:6379"),
            ("PMU_BASE_URL", "not a url"),
            ("LOG_FORMAT", "xml"),
            ("API_URL", "localhost:8000"),
            ("DASHBOARD_URL", "ftp://dashboard"),
            ("PMU_CONCURRENCY", "0"),
            ("SCHEDULE_ODDS", "every half hour"),
            ("SCHEDULE_RETRAIN", "0 2 * * 8"),
            ("JOBS_MAX_ATTEMPTS", "many"),
            ("JOBS_VISIBILITY_TIMEOUT_SECS", "0"),
            ("TELEGRAM_API_URL", "not a url"),
        ] {
            let err = settings(&[(var, value)]).err();
            let err = err.unwrap_or_else(|| panic!("{var}={value} should be refused"));
            assert_eq!(err.variable, var, "{err}");
        }
    }

    #[test]
    fn debug_output_never_shows_passwords_or_tokens() {
        let s = settings(&[
            ("DATABASE_URL", "mysql://user:hunter2@db:3306/pronoturf"),
            ("REDIS_URL", "redis://:s3cret@redis:6379/0"),
            ("ADMIN_TOKEN", "tok-123"),
        ])
        .expect("valid");
        let shown = format!("{s:?}");
        for secret in ["hunter2", "s3cret", "tok-123"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(shown.contains("***"));
    }

    #[test]
    fn schedules_default_can_be_changed_and_an_empty_value_disables_one() {
        let s =
            settings(&[("SCHEDULE_SYNC", "15 5 * * *"), ("SCHEDULE_REPORT", " ")]).expect("valid");
        let cron = |job: &str| {
            let found = s.schedules.iter().find(|x| x.job == job).expect(job);
            found.cron.as_ref().map(ToString::to_string)
        };
        assert_eq!(cron("sync").as_deref(), Some("15 5 * * *"));
        assert_eq!(cron("report"), None, "disabled");
        assert_eq!(cron("odds").as_deref(), Some("0,30 9-22 * * *"), "default");
        assert_eq!(s.schedules.len(), 6);
    }

    #[test]
    fn mariadb_urls_are_accepted_as_mysql() {
        let url = DatabaseUrl::parse("DATABASE_URL", "mariadb://root@127.0.0.1:3306/test")
            .expect("mariadb scheme");
        assert_eq!(url.backend_name(), "mysql");
        assert!(url.expose().starts_with("mysql://"));
    }
}
