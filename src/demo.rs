//! `pronoturf demo`: a first run in one command. It loads data (a history CSV, or a synthetic
//! season marked as such), trains a model on all but the last days, predicts those days and
//! today, settles the simulated bets, then serves everything like `pronoturf serve`.

use crate::cli::ServeAllArgs;
use crate::progress::ImportBar;
use anyhow::{Context, Result, bail};
use chrono::{Days, NaiveDate};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use pronoturf_core::settings::Settings;
use pronoturf_core::store::Store;
use pronoturf_jobs::handlers::paris_today;
use pronoturf_jobs::import::import_history;
use pronoturf_jobs::predict::predict_day;
use pronoturf_jobs::settle::settle_day;
use pronoturf_jobs::synthetic::synthetic_season;
use pronoturf_jobs::train::{RetrainOptions, retrain};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// A history CSV (v1) to load, e.g. ../shared/history/pmu_fr_2026-01_2026-06-15.csv.
    /// Without it, a synthetic season is generated: every track, race and person in it is named
    /// SYNTHETIQUE/SYNTH, so it cannot be taken for real PMU data.
    #[arg(long, value_name = "FILE.csv")]
    pub history: Option<PathBuf>,
    /// Days of the synthetic season, ending today (ignored with --history).
    #[arg(long, default_value_t = 150, value_name = "N")]
    pub days: u32,
    /// Seed of the synthetic season.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Race days predicted and settled out of sample at the end of the data (the model is
    /// trained only on the days before them).
    #[arg(long, default_value_t = 14, value_name = "N")]
    pub predict_days: u32,
    /// Prepare the data and the model, print the summary, and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Ports of the servers started at the end.
    #[command(flatten)]
    pub serve: ServeAllArgs,
}

/// Runs the demo; see the module documentation.
pub async fn demo(store: Arc<dyn Store>, settings: Settings, args: DemoArgs) -> Result<ExitCode> {
    let started = Instant::now();
    if args.predict_days == 0 {
        bail!("--predict-days must be at least 1");
    }
    load(store.as_ref(), &args).await?;
    let days = race_days(store.as_ref(), args.predict_days).await?;
    let (first, last) = match (days.first(), days.last()) {
        (Some(&f), Some(&l)) => (f, l),
        _ => bail!("the database holds no races to predict"),
    };
    let until = first
        .checked_sub_days(Days::new(1))
        .context("date out of range")?;
    println!("training on every race up to {until} ...");
    let trained = retrain(
        store.as_ref(),
        &settings.ml_models_dir,
        until,
        &RetrainOptions::default(),
    )
    .await
    .context("training the demo model")?;
    println!(
        "model {} trained on {} races in {:.1} s; champion: {}",
        trained.version,
        trained.train_races,
        trained.seconds,
        trained.champion.as_deref().unwrap_or("none")
    );
    let bar = bar(days.len() as u64, "predicting and settling");
    let (mut races, mut value_bets) = (0, 0);
    for &date in &days {
        let predicted = predict_day(store.as_ref(), &settings.ml_models_dir, date).await?;
        races += predicted.races;
        value_bets += predicted.value_bets;
        settle_day(store.as_ref(), date).await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "predicted {races} races from {first} to {last} ({value_bets} value bets); bets settled"
    );
    print_bankroll(store.as_ref()).await?;
    println!("ready in {:.0} s", started.elapsed().as_secs_f64());
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "serving: API http://localhost:{}/api/v1/docs, dashboard http://localhost:{} (Ctrl-C stops)",
        args.serve.api_port.unwrap_or(settings.api_port),
        args.serve.dashboard_port.unwrap_or(settings.dashboard_port)
    );
    crate::serve::serve(store, settings, args.serve).await
}

/// Loads the history file, or generates and stores the synthetic season.
async fn load(store: &dyn Store, args: &DemoArgs) -> Result<()> {
    if let Some(file) = &args.history {
        let shown = file.display().to_string();
        let mut bar = ImportBar::new(&shown);
        let summary = import_history(store, file, &mut bar).await;
        bar.finish();
        let summary = summary?;
        println!(
            "{shown}: {} rows, {} races imported",
            summary.rows, summary.written.races
        );
        return Ok(());
    }
    let today = paris_today();
    println!(
        "generating a SYNTHETIC season of {} days ending {today} (seed {}): not real PMU data",
        args.days, args.seed
    );
    let cards = tokio::task::spawn_blocking({
        let (days, seed) = (args.days, args.seed);
        move || synthetic_season(today, days, seed)
    })
    .await?;
    let bar = bar(cards.len() as u64, "storing synthetic races");
    for batch in cards.chunks(250) {
        store.upsert_race_cards(batch).await?;
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    println!("{} synthetic races stored", cards.len());
    Ok(())
}

/// The last `n` race days stored (today's included when it has races).
async fn race_days(store: &dyn Store, n: u32) -> Result<Vec<NaiveDate>> {
    let stats = store.stats().await?;
    let (Some(first), Some(mut day)) = (stats.first_date, stats.last_date) else {
        bail!("the database holds no races: give --history FILE or let the demo generate a season");
    };
    let mut days = Vec::new();
    while days.len() < n as usize && day > first {
        if !store.list_race_keys(day).await?.is_empty() {
            days.push(day);
        }
        day = day.pred_opt().context("date out of range")?;
    }
    days.reverse();
    Ok(days)
}

/// Each strategy's bankroll at the end of the settled days.
async fn print_bankroll(store: &dyn Store) -> Result<()> {
    let history = store.bankroll_history(100.0).await?;
    let mut last: std::collections::BTreeMap<String, f64> = Default::default();
    for point in history {
        last.insert(point.strategy.clone(), point.balance);
    }
    for (strategy, bankroll) in last {
        println!("  simulated bankroll {strategy:<20} {bankroll:>9.2} € (from 100 €)");
    }
    Ok(())
}

fn bar(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} {bar:30} {pos}/{len}") {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar
}
