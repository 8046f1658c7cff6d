//! PronoTurf jobs: syncing days from PMU Turfinfo and importing history files into the Store.

pub mod import;
pub mod sync;
pub mod synthetic;
