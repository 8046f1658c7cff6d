//! PronoTurf jobs: syncing days from PMU Turfinfo, importing history files, the machinery that
//! runs jobs in the background (queue worker, Paris-time scheduler, Telegram notifications), and
//! checking a deployment from inside (`pronoturf check`).

pub mod check;
pub mod handlers;
pub mod import;
pub mod notify;
pub mod report;
pub mod scheduler;
pub mod sync;
pub mod synthetic;
pub mod worker;
