//! PronoTurf jobs: syncing days from PMU Turfinfo, importing history files into the Store, and
//! the model jobs (retraining, daily predictions, settling simulated bets).

pub mod import;
pub mod predict;
pub mod settle;
pub mod sync;
pub mod train;
