//! Progress bars for long commands (import, sync), drawn on stderr and hidden when it is not a
//! terminal, so logs and CI output stay clean.

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use pronoturf_core::domain::RaceKey;
use pronoturf_jobs::import::ImportProgress;
use pronoturf_jobs::sync::SyncProgress;

fn bar(template: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    // The templates are constants of this file; a bad one is a bug caught by the first run.
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Import progress: bytes read, then races written.
pub struct ImportBar {
    bar: ProgressBar,
    phase: u8,
}

impl ImportBar {
    /// A bar for importing `file`.
    pub fn new(file: &str) -> Self {
        let bar = bar("{msg:>12} [{bar:40}] {percent:>3}% {pos}/{len} {elapsed_precise}");
        bar.set_message(format!("reading {file}"));
        Self { bar, phase: 0 }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ImportProgress for ImportBar {
    fn reading(&mut self, bytes: u64, total: u64) {
        self.bar.set_length(total);
        self.bar.set_position(bytes);
    }

    fn writing(&mut self, races: u64, total: u64) {
        if self.phase == 0 {
            self.phase = 1;
            self.bar.set_message("writing races");
            self.bar.set_position(0);
        }
        self.bar.set_length(total);
        self.bar.set_position(races);
    }
}

/// Sync progress: races handled in the current day.
pub struct SyncBar {
    bar: ProgressBar,
}

impl SyncBar {
    /// A bar for a sync run.
    pub fn new() -> Self {
        Self {
            bar: bar("{msg:>12} [{bar:40}] {pos}/{len} races {elapsed_precise}"),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl SyncProgress for SyncBar {
    fn day_started(&mut self, date: NaiveDate, races: usize) {
        self.bar.set_message(date.to_string());
        self.bar.set_length(races as u64);
        self.bar.set_position(0);
    }

    fn race_done(&mut self, _: RaceKey) {
        self.bar.inc(1);
    }
}
