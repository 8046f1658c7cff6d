//! `pronoturf serve`: every process of PronoTurf in one, the embedded default. The REST API, the
//! dashboard, the job worker and the scheduler share one Store, one cache and one job queue (in
//! process without REDIS_URL), so a job's writes are visible to the API and the dashboard at once.

use crate::cli::{ServeAllArgs, shutdown_signal};
use crate::jobs_cmd::{queue, scheduler_ctx, worker_ctx};
use anyhow::{Context, Result};
use pronoturf_core::settings::Settings;
use pronoturf_core::store::Store;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Binds `port` on the configured address, naming the address when it is taken.
pub async fn bind(settings: &Settings, port: u16) -> Result<TcpListener> {
    let address = format!("{}:{port}", settings.bind_address);
    TcpListener::bind(&address)
        .await
        .with_context(|| format!("cannot listen on {address}"))
}

/// Runs the API, the dashboard, the worker and the scheduler until Ctrl-C or SIGTERM, then stops
/// them all: the servers finish the requests in flight and the worker its running job.
pub async fn serve(
    store: Arc<dyn Store>,
    settings: Settings,
    args: ServeAllArgs,
) -> Result<ExitCode> {
    let api_listener = bind(&settings, args.api_port.unwrap_or(settings.api_port)).await?;
    let dashboard_listener = bind(
        &settings,
        args.dashboard_port.unwrap_or(settings.dashboard_port),
    )
    .await?;
    let queue = queue(&settings)?;
    let state = pronoturf_api::AppState::new(store.clone(), settings.clone())
        .context("REDIS_URL")?
        .with_queue(queue.clone());
    let mut dashboard = pronoturf_dashboard::AppState::new(store.clone(), settings.clone())?;
    dashboard.cache = state.cache.clone();
    let worker = worker_ctx(store.clone(), &settings, queue.clone(), state.cache.clone())?;
    let scheduler = scheduler_ctx(store, &settings, queue.clone());

    // One signal stops every part: each waits on its own receiver.
    let (stop, stopped) = watch::channel(false);
    let when_stopped = move || {
        let mut rx = stopped.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    tracing::info!(
        api = %api_listener.local_addr()?,
        dashboard = %dashboard_listener.local_addr()?,
        queue = queue.backend(),
        "serving: API (docs at /api/v1/docs), dashboard, worker and scheduler"
    );
    let (api, dash, (), ()) = tokio::join!(
        pronoturf_api::serve(api_listener, state, when_stopped()),
        pronoturf_dashboard::serve(dashboard_listener, dashboard, when_stopped()),
        pronoturf_jobs::worker::run(worker, when_stopped()),
        pronoturf_jobs::scheduler::run(scheduler, when_stopped()),
    );
    api.context("the API server failed")?;
    dash.context("the dashboard server failed")?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
