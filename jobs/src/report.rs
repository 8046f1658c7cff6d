//! The daily report: the day's races and results, the jobs run that day, and the size of the
//! history, as a short plain-text message for Telegram.

use chrono::NaiveDate;
use pronoturf_core::schedule::PARIS;
use pronoturf_core::store::{RaceFilter, Store};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Job runs read to find the day's (the scheduler starts ~50 a day).
const RECENT_RUNS: u32 = 500;

/// The report of the Paris day `date`, built from the Store.
pub async fn daily_report(store: &dyn Store, date: NaiveDate) -> anyhow::Result<String> {
    let races = store.list_races(date, &RaceFilter::default()).await?;
    let runs = store.list_job_runs(RECENT_RUNS).await?;
    let stats = store.stats().await?;

    let mut text = format!("PronoTurf daily report, {date}\n");
    let meetings: std::collections::BTreeSet<u32> = races.iter().map(|r| r.key.meeting).collect();
    let results = races.iter().filter(|r| r.has_result).count();
    let official = races.iter().filter(|r| r.is_final).count();
    let runners: u32 = races.iter().map(|r| r.runners).sum();
    let _ = writeln!(
        text,
        "Races: {} in {} meeting(s), {} with a result ({} official), {} runners",
        races.len(),
        meetings.len(),
        results,
        official,
        runners
    );

    // (succeeded, failed, running) per job, for the runs started that Paris day.
    let mut by_job: BTreeMap<&str, (u32, u32, u32)> = BTreeMap::new();
    let mut errors = Vec::new();
    for run in runs
        .iter()
        .filter(|r| r.started_at.with_timezone(&PARIS).date_naive() == date)
    {
        let entry = by_job.entry(run.job.as_str()).or_default();
        match run.status.as_str() {
            "succeeded" => entry.0 += 1,
            "failed" => {
                entry.1 += 1;
                if let Some(e) = &run.error {
                    errors.push(format!("{}: {}", run.job, first_line(e)));
                }
            }
            _ => entry.2 += 1,
        }
    }
    if by_job.is_empty() {
        text.push_str("Jobs: none ran\n");
    } else {
        text.push_str("Jobs (ok/failed/running):");
        for (job, (ok, failed, running)) in &by_job {
            let _ = write!(text, " {job} {ok}/{failed}/{running};");
        }
        text.push('\n');
    }
    for e in errors.iter().take(5) {
        let _ = writeln!(text, "  failed {e}");
    }
    let range = match (stats.first_date, stats.last_date) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "empty".into(),
    };
    let _ = writeln!(
        text,
        "History: {} races, {} runners, {} odds snapshots ({range})",
        stats.races, stats.runners, stats.odds_snapshots
    );
    Ok(text)
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(200) {
        Some((cut, _)) => &line[..cut],
        None => line,
    }
}
