//! Exploitation (`/exploitation`): health of the database, Redis and the API, the last success
//! and failure of each job, the last sync, recent runs and their errors, and what is stored.
//! Never cached: it is where an operator looks when something is wrong.

use super::Layout;
use crate::error::Result;
use crate::export::{self, Table};
use crate::filters::{Format, Params};
use crate::probes::{self, Probe};
use crate::{AppState, format};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use pronoturf_core::store::{JobRun, StoreStats};
use std::collections::BTreeMap;

/// Recent runs listed.
const RECENT_RUNS: u32 = 30;

/// `/exploitation`: the page, or the recent runs as CSV.
pub async fn show(State(state): State<AppState>, params: Params) -> Result<Response> {
    let recent = state.store.list_job_runs(RECENT_RUNS).await?;
    let latest = state.store.latest_job_runs().await?;
    if params.format == Format::Csv {
        let tables = vec![runs_table(&recent), jobs_table(&job_lines(&latest))];
        return export::respond(tables, params.table.as_deref());
    }
    let (probes, stats) = tokio::join!(probes::all(&state), state.store.stats());
    Ok(OpsPage::build(probes, &latest, &recent, &stats?, &params).into_response())
}

/// One job's last outcomes.
pub struct JobLine {
    /// Job name.
    pub job: String,
    /// Last success, Paris time.
    pub last_success: String,
    /// Last failure, Paris time.
    pub last_failure: String,
    /// Error of the last failure.
    pub last_error: String,
    /// True when the last run of the job failed.
    pub failing: bool,
    /// True when a run is in progress.
    pub running: bool,
}

/// One recent run.
pub struct RunLine {
    /// Job.
    pub job: String,
    /// Start.
    pub started: String,
    /// Duration in seconds, once finished.
    pub duration: String,
    /// En cours, réussi, échec.
    pub status: &'static str,
    /// Error, when failed.
    pub error: String,
}

/// The operations page.
#[derive(Template, WebTemplate)]
#[template(path = "pages/ops.html")]
pub struct OpsPage {
    /// Navigation.
    pub layout: Layout,
    /// Dependency health.
    pub probes: Vec<Probe>,
    /// Per job.
    pub jobs: Vec<JobLine>,
    /// The last successful sync, described.
    pub last_sync: String,
    /// Recent runs, newest first.
    pub runs: Vec<RunLine>,
    /// Stored rows, described.
    pub stored: Vec<(&'static str, String)>,
    /// CSV of the recent runs.
    pub csv: String,
    /// CSV of the per-job summary.
    pub csv_jobs: String,
}

fn status_text(status: &str) -> &'static str {
    match status {
        "running" => "en cours",
        "succeeded" => "réussi",
        "failed" => "échec",
        _ => "inconnu",
    }
}

impl OpsPage {
    /// Maps probes, runs and counts to the page.
    pub fn build(
        probes: Vec<Probe>,
        latest: &[JobRun],
        recent: &[JobRun],
        stats: &StoreStats,
        params: &Params,
    ) -> Self {
        let filters = &params.filters;
        let last_sync = latest
            .iter()
            .find(|r| r.job == "sync" && r.status == "succeeded")
            .map_or_else(
                || "aucune synchronisation réussie enregistrée".to_string(),
                |r| {
                    format!(
                        "{}{}",
                        format::date_time(r.finished_at.unwrap_or(r.started_at)),
                        r.counts
                            .as_ref()
                            .map(|c| format!(" · {c}"))
                            .unwrap_or_default()
                    )
                },
            );
        let stored = vec![
            ("Courses", format::int(stats.races)),
            ("Partants", format::int(stats.runners)),
            ("Courses avec arrivée", format::int(stats.results)),
            ("Relevés de cotes", format::int(stats.odds_snapshots)),
            ("Rapports", format::int(stats.payouts)),
            ("Réponses PMU archivées", format::int(stats.payloads)),
            (
                "Premier jour",
                format::or_dash(stats.first_date, format::date),
            ),
            (
                "Dernier jour",
                format::or_dash(stats.last_date, format::date),
            ),
        ];
        Self {
            layout: Layout::new("/exploitation", "Exploitation", filters, "/exploitation"),
            probes,
            jobs: job_lines(latest),
            last_sync,
            runs: recent
                .iter()
                .map(|r| RunLine {
                    job: r.job.clone(),
                    started: format::date_time(r.started_at),
                    duration: format::or_dash(r.finished_at, |f| {
                        format::dec((f - r.started_at).num_milliseconds() as f64 / 1000.0, 1)
                    }),
                    status: status_text(&r.status),
                    error: r.error.clone().unwrap_or_default(),
                })
                .collect(),
            stored,
            csv: super::link("/exploitation", &filters.query_with(&[("format", "csv")])),
            csv_jobs: super::link(
                "/exploitation",
                &filters.query_with(&[("format", "csv"), ("tableau", "taches")]),
            ),
        }
    }
}

/// Each job's last success and failure, from its latest runs (newest first).
fn job_lines(latest: &[JobRun]) -> Vec<JobLine> {
    let mut jobs: BTreeMap<&str, JobLine> = BTreeMap::new();
    // `latest` is newest first: the first run seen of a job is its last one.
    for run in latest {
        let line = jobs.entry(run.job.as_str()).or_insert_with(|| JobLine {
            job: run.job.clone(),
            last_success: "—".into(),
            last_failure: "—".into(),
            last_error: String::new(),
            failing: run.status == "failed",
            running: false,
        });
        let when = format::date_time(run.finished_at.unwrap_or(run.started_at));
        match run.status.as_str() {
            "succeeded" => line.last_success = when,
            "failed" => {
                line.last_failure = when;
                line.last_error = run.error.clone().unwrap_or_default();
            }
            _ => line.running = true,
        }
    }
    jobs.into_values().collect()
}

fn jobs_table(jobs: &[JobLine]) -> Table {
    let mut t = Table::new(
        "taches",
        vec![
            "tache",
            "dernier_succes",
            "dernier_echec",
            "erreur",
            "en_echec",
            "en_cours",
        ],
    );
    for j in jobs {
        t.push(vec![
            j.job.clone(),
            j.last_success.clone(),
            j.last_failure.clone(),
            j.last_error.clone(),
            j.failing.to_string(),
            j.running.to_string(),
        ]);
    }
    t
}

fn runs_table(runs: &[JobRun]) -> Table {
    let mut t = Table::new(
        "executions",
        vec![
            "id",
            "tache",
            "tentative",
            "debut_utc",
            "fin_utc",
            "statut",
            "compteurs",
            "erreur",
        ],
    );
    for r in runs {
        t.push(vec![
            r.id.to_string(),
            r.job.clone(),
            r.attempt.to_string(),
            r.started_at.to_rfc3339(),
            export::opt(r.finished_at.map(|f| f.to_rfc3339())),
            r.status.clone(),
            export::opt(r.counts.as_ref()),
            r.error.clone().unwrap_or_default(),
        ]);
    }
    t
}
