//! PMU Turfinfo: the HTTP client, the JSON payload types, their mapping into PronoTurf's domain
//! types, and the musique (form string) parser. Knows nothing of storage.

pub mod client;
pub mod mapping;
#[cfg(feature = "mock")]
pub mod mock;
pub mod musique;
pub mod payload;
