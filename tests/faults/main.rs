//! Fault tests of the real processes (issue #8): Redis and MariaDB stopped and restarted under a
//! live `pronoturf serve`, workers killed with SIGKILL in the middle of a retrain and of a sync,
//! and a model registry that cannot be written. Each test starts its own redis-server or
//! mariadbd on a free port and never stops the shared ones; the binaries are required under
//! CI=true. RELIABILITY.md says what each one proves.

#[path = "../support/mod.rs"]
mod support;

#[path = "../../jobs/tests/common/private_redis.rs"]
#[allow(dead_code)] // the jobs tests use all of it, these only some
mod private_redis;

mod harness;
mod mariadb;
mod models_dir;
mod redis;
mod worker_kill;
