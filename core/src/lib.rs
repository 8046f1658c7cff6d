//! PronoTurf core: the domain model, the history CSV reader and, with the `runtime` feature,
//! Settings and the Store over SQLite and MySQL.

pub mod domain;
pub mod history;

#[cfg(feature = "runtime")]
pub mod cache;
#[cfg(feature = "runtime")]
pub mod gate;
#[cfg(feature = "runtime")]
pub mod probe;
#[cfg(feature = "runtime")]
pub mod queue;
#[cfg(feature = "runtime")]
pub mod schedule;
#[cfg(feature = "runtime")]
pub mod settings;
#[cfg(feature = "runtime")]
pub mod store;
