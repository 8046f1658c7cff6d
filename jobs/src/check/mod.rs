//! `pronoturf check`: the deployment checked from inside one process (database, Redis, the API and
//! the dashboard over HTTP, the model registry folder), each check timed and bounded, as a table
//! and an exit status. It replaces the old scripts/test_connectivity.py.
//!
//! Adding a check is one function in [`probes`] returning a [`CheckResult`] and one line in
//! [`run_all`].

pub mod probes;

use futures::future::join_all;
use pronoturf_core::settings::Settings;
use serde::Serialize;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use url::Url;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Works.
    Ok,
    /// Broken: the detail says why.
    Fail,
}

impl Status {
    /// `OK` or `FAIL`, as the table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Fail => "FAIL",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// What was checked: database, redis, api, dashboard, model_registry, url.
    pub name: &'static str,
    /// Where: a URL (password masked) or a folder.
    pub target: String,
    /// OK or FAIL.
    pub status: Status,
    /// What was found, or what to fix.
    pub detail: String,
    /// How long the check took, in milliseconds.
    pub millis: f64,
}

/// Every check, in the order they were listed.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// True when every check passed.
    pub ok: bool,
    /// The checks.
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// A report over `checks`.
    pub fn new(checks: Vec<CheckResult>) -> Self {
        let ok = checks.iter().all(|c| c.status == Status::Ok);
        Self { ok, checks }
    }

    /// An aligned table with a closing summary line.
    pub fn table(&self) -> String {
        let header = ["CHECK", "STATUS", "TIME", "TARGET", "DETAIL"];
        let rows: Vec<[String; 5]> = self
            .checks
            .iter()
            .map(|c| {
                [
                    c.name.to_string(),
                    c.status.label().to_string(),
                    format!("{:.0} ms", c.millis),
                    c.target.clone(),
                    c.detail.clone(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: [&str; 5]| {
            let mut text = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                // TIME is a number: right-aligned; the last column is not padded.
                match i {
                    2 => {
                        let _ = write!(text, "{cell:>width$}  ");
                    }
                    4 => text.push_str(cell),
                    _ => {
                        let _ = write!(text, "{cell:<width$}  ");
                    }
                }
            }
            let _ = writeln!(out, "{}", text.trim_end());
        };
        line(header);
        for row in &rows {
            line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
        }
        let failed = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count();
        if failed == 0 {
            let _ = writeln!(out, "all {} checks passed", self.checks.len());
        } else {
            let _ = writeln!(out, "{failed} of {} check(s) failed", self.checks.len());
        }
        out
    }
}

type CheckFuture<'a> = Pin<Box<dyn Future<Output = CheckResult> + Send + 'a>>;

/// Runs every check at once against what `settings` names; each is bounded in time, so the
/// whole report takes at most the slowest bound (the database connection's, ~6 s).
pub async fn run_all(settings: &Settings) -> Report {
    let checks: Vec<CheckFuture<'_>> = vec![
        Box::pin(probes::database(&settings.database_url)),
        Box::pin(probes::redis(settings.redis_url.as_ref())),
        Box::pin(probes::http("api", with_path(&settings.api_url, "health"))),
        Box::pin(probes::http("dashboard", settings.dashboard_url.clone())),
        Box::pin(probes::model_registry(&settings.ml_models_dir)),
        Box::pin(probes::champion(&settings.ml_models_dir)),
    ];
    Report::new(join_all(checks).await)
}

/// Checks only that each URL answers 2xx: the container healthcheck, with no other tool.
pub async fn run_urls(urls: &[Url]) -> Report {
    Report::new(join_all(urls.iter().map(|u| probes::http("url", u.clone()))).await)
}

/// `base` with `path` appended to its own path (`http://h/app` + `health` = `http://h/app/health`),
/// which `Url::join` would not do without a trailing slash.
pub fn with_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &'static str, status: Status, detail: &str) -> CheckResult {
        CheckResult {
            name,
            target: format!("http://{name}:1/"),
            status,
            detail: detail.into(),
            millis: 12.4,
        }
    }

    #[test]
    fn the_table_aligns_columns_and_counts_failures() {
        // Arrange
        let report = Report::new(vec![
            result("database", Status::Ok, "sqlite 3.46.0"),
            result("redis", Status::Fail, "connection refused"),
        ]);
        // Act
        let table = report.table();
        let lines: Vec<&str> = table.lines().collect();
        // Assert
        assert!(!report.ok);
        assert_eq!(lines.len(), 4, "{table}");
        let detail_column = lines[0].find("DETAIL").expect("header");
        assert_eq!(lines[1].find("sqlite"), Some(detail_column), "{table}");
        assert_eq!(lines[2].find("connection"), Some(detail_column), "{table}");
        assert!(lines[2].contains("FAIL"));
        assert_eq!(lines[3], "1 of 2 check(s) failed");
    }

    #[test]
    fn a_report_of_passing_checks_is_ok() {
        let report = Report::new(vec![result("api", Status::Ok, "HTTP 200")]);
        assert!(report.ok);
        assert!(report.table().ends_with("all 1 checks passed\n"));
    }

    #[test]
    fn paths_are_appended_to_the_base_path() {
        let cases = [
            ("http://localhost:8000", "http://localhost:8000/health"),
            ("http://localhost:8000/", "http://localhost:8000/health"),
            (
                "https://example.org/pronoturf",
                "https://example.org/pronoturf/health",
            ),
        ];
        for (base, want) in cases {
            let base = Url::parse(base).expect("url");
            assert_eq!(with_path(&base, "health").as_str(), want);
        }
    }
}
