//! PronoTurf jobs: syncing days from PMU Turfinfo, importing history files, and the machinery
//! that runs jobs in the background: queue worker, Paris-time scheduler, Telegram notifications.

pub mod handlers;
pub mod import;
pub mod notify;
pub mod report;
pub mod scheduler;
pub mod sync;
pub mod worker;
