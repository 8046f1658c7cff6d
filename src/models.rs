//! `pronoturf train` and `pronoturf models list|promote`: thin handlers over
//! `pronoturf_jobs::train` and the model registry in ML_MODELS_DIR.

use crate::recorded;
use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use pronoturf_core::settings::Settings;
use pronoturf_core::store::Store;
use pronoturf_jobs::train::{RetrainOptions, RetrainSummary, retrain};
use pronoturf_ml::{ModelSpec, Registry};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Last race day learnt from (default: yesterday, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<NaiveDate>,
    /// First race day read (default: the first one stored).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<NaiveDate>,
    /// Model recipe: clogit-morning (sees morning odds) or clogit-form (form only).
    #[arg(long, default_value = ModelSpec::NAMES[0], value_parser = ModelSpec::NAMES)]
    pub model: String,
    /// Weeks of the walk-forward comparison with the champion, ending on --until.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub compare_weeks: u32,
    /// Print the summary as JSON (version, decision with both log-losses, champion, ...).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `models`.
#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub command: ModelsCommand,
}

/// `models` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List the versions in ML_MODELS_DIR, oldest first, the champion marked with *.
    List {
        /// Print a JSON array (version, champion, metrics).
        #[arg(long)]
        json: bool,
    },
    /// Make VERSION the serving model (also a rollback). A version that does not load cleanly
    /// (corrupt, or saved by an incompatible build) is refused and the champion is kept.
    Promote {
        /// A version name, as `models list` shows it.
        #[arg(value_name = "VERSION")]
        model_version: String,
    },
}

/// `pronoturf train`.
pub async fn train(
    store: Arc<dyn Store>,
    settings: &Settings,
    args: TrainArgs,
) -> Result<ExitCode> {
    let until = match args.until {
        Some(d) => d,
        None => Utc::now()
            .date_naive()
            .pred_opt()
            .context("today is out of range")?,
    };
    let options = RetrainOptions {
        model: args.model,
        since: args.since,
        compare_weeks: args.compare_weeks,
    };
    let params = serde_json::json!({ "until": until, "model": options.model });
    eprintln!(
        "training {} on races until {until} (then a {}-week walk-forward comparison)...",
        options.model, options.compare_weeks
    );
    let dir = &settings.ml_models_dir;
    let summary = recorded(store.as_ref(), "train", params, async {
        retrain(store.as_ref(), dir, until, &options).await
    })
    .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", train_text(&summary));
    }
    Ok(ExitCode::SUCCESS)
}

fn train_text(s: &RetrainSummary) -> String {
    let mut out = String::new();
    let ll = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
    let d = &s.decision;
    let _ = writeln!(
        out,
        "wrote {} ({} races from {} to {}, stage 2 on {} races) in {:.1} s",
        s.version, s.train_races, s.trained_from, s.trained_until, s.stage2_races, s.seconds
    );
    let _ = writeln!(
        out,
        "walk-forward {} .. {} ({} races): new {}, champion {} {}",
        d.from,
        d.to,
        d.races.map_or_else(|| "-".to_string(), |n| n.to_string()),
        ll(d.new_logloss),
        d.champion.as_deref().unwrap_or("(none)"),
        ll(d.champion_logloss)
    );
    let verdict = if d.promoted {
        "promoted"
    } else {
        "not promoted"
    };
    let _ = writeln!(out, "{verdict}: {}", d.reason);
    let _ = writeln!(
        out,
        "champion: {}",
        s.champion.as_deref().unwrap_or("(none)")
    );
    out
}

/// `pronoturf models ...`.
pub fn models(settings: &Settings, args: ModelsArgs) -> Result<ExitCode> {
    let registry = Registry::new(&settings.ml_models_dir);
    match args.command {
        ModelsCommand::List { json } => {
            let entries = registry.list()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
                return Ok(ExitCode::SUCCESS);
            }
            if entries.is_empty() {
                println!(
                    "no model in {}: run `pronoturf train`",
                    registry.root().display()
                );
            }
            for e in entries {
                let mark = if e.champion { "*" } else { " " };
                match e.metrics {
                    Ok(m) => println!(
                        "{mark} {:<48} {} .. {}  {:>6} races  wf log-loss {}",
                        e.version,
                        m.trained_from,
                        m.trained_until,
                        m.train_races,
                        m.decision
                            .and_then(|d| d.new_logloss)
                            .map_or_else(|| "-".to_string(), |v| format!("{v:.4}"))
                    ),
                    Err(err) => println!("{mark} {:<48} unreadable: {err}", e.version),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Promote { model_version } => {
            let version = model_version;
            let previous = registry.champion()?;
            registry.promote(&version).with_context(|| {
                format!("{version} was not promoted; the champion is unchanged")
            })?;
            println!(
                "champion: {version} (was {})",
                previous.as_deref().unwrap_or("none")
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
