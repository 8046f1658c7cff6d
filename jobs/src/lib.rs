//! PronoTurf jobs: syncing days from PMU Turfinfo, importing history files, the model jobs
//! (retraining, daily predictions, settling simulated bets), the machinery that runs jobs in the
//! background (queue worker, Paris-time scheduler, Telegram notifications), and checking a
//! deployment from inside (`pronoturf check`).

pub mod check;
pub mod handlers;
pub mod import;
mod model_jobs;
pub mod notify;
pub mod predict;
pub mod report;
pub mod scheduler;
pub mod settle;
pub mod sync;
pub mod synthetic;
pub mod train;
pub mod worker;
