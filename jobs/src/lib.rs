//! PronoTurf jobs: syncing days from PMU Turfinfo, importing history files into the Store, and
//! checking a deployment from inside (`pronoturf check`).

pub mod check;
pub mod import;
pub mod sync;
pub mod synthetic;
