//! Health probes of the Exploitation page: the database (the Store's own probe), Redis (PING)
//! and the REST API (`GET {API_URL}/health`), each bounded by [`PROBE_TIMEOUT`] so a dead
//! dependency shows as down instead of hanging the page.

use crate::AppState;
use std::time::{Duration, Instant};

/// How long one probe may take before its dependency counts as down.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// State of one dependency as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Base de données, Redis, API.
    pub name: &'static str,
    /// True when it answered.
    pub up: bool,
    /// What answered (backend, version) or why it is down, in French.
    pub detail: String,
    /// Round trip, when up.
    pub latency_ms: Option<f64>,
}

impl Probe {
    /// The latency as the page shows it: `1,2 ms`, or a dash.
    pub fn latency(&self) -> String {
        crate::format::or_dash(self.latency_ms, |ms| {
            format!("{}\u{a0}ms", crate::format::dec(ms, 1))
        })
    }

    fn up(name: &'static str, detail: String, started: Instant) -> Self {
        Self {
            name,
            up: true,
            detail,
            latency_ms: Some(started.elapsed().as_secs_f64() * 1000.0),
        }
    }

    fn down(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            name,
            up: false,
            detail: detail.into(),
            latency_ms: None,
        }
    }
}

/// Every probe, run concurrently.
pub async fn all(state: &AppState) -> Vec<Probe> {
    let (db, redis, api) = tokio::join!(database(state), redis(state), api(state));
    vec![db, redis, api]
}

async fn database(state: &AppState) -> Probe {
    const NAME: &str = "Base de données";
    let started = Instant::now();
    match tokio::time::timeout(PROBE_TIMEOUT, state.store.health()).await {
        Ok(Ok(h)) => Probe::up(
            NAME,
            format!("{} {}, {} migration(s)", h.backend, h.version, h.migrations),
            started,
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database probe failed");
            Probe::down(NAME, "la base ne répond pas à la requête de contrôle")
        }
        Err(_) => Probe::down(NAME, "pas de réponse dans le délai"),
    }
}

async fn redis(state: &AppState) -> Probe {
    const NAME: &str = "Redis";
    let Some(client) = &state.redis else {
        return Probe {
            name: NAME,
            up: true,
            detail: "non configuré : file et cache intégrés au processus".into(),
            latency_ms: None,
        };
    };
    let started = Instant::now();
    let ping = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(PROBE_TIMEOUT, ping).await {
        Ok(Ok(_)) => Probe::up(NAME, "PING répond".into(), started),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "redis probe failed");
            Probe::down(NAME, "Redis ne répond pas à PING")
        }
        Err(_) => Probe::down(NAME, "pas de réponse dans le délai"),
    }
}

async fn api(state: &AppState) -> Probe {
    const NAME: &str = "API REST";
    let url = match state.settings.api_url.join("health") {
        Ok(url) => url,
        Err(e) => return Probe::down(NAME, format!("API_URL inutilisable : {e}")),
    };
    let started = Instant::now();
    let answer = tokio::time::timeout(PROBE_TIMEOUT, state.http.get(url.clone()).send()).await;
    // The page shows the address probed, never a password it might carry.
    let mut url = url;
    let _ = url.set_password(None);
    match answer {
        Ok(Ok(r)) if r.status().is_success() => Probe::up(
            NAME,
            format!("{} répond {}", url, r.status().as_u16()),
            started,
        ),
        Ok(Ok(r)) => Probe::down(NAME, format!("{url} répond {}", r.status().as_u16())),
        Ok(Err(_)) => Probe::down(NAME, format!("{url} injoignable")),
        Err(_) => Probe::down(NAME, format!("{url} : pas de réponse dans le délai")),
    }
}
