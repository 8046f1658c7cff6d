//! PMU Turfinfo: the HTTP client, the JSON payload types, their mapping into PronoTurf's domain
//! types, and the musique (form string) parser. Knows nothing of storage.
