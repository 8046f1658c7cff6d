//! `pronoturf predict` and `pronoturf bets settle|list|bankroll`: thin handlers over
//! `pronoturf_jobs::predict` and `pronoturf_jobs::settle`, printing what the Store holds.

use crate::recorded;
use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use pronoturf_core::settings::Settings;
use pronoturf_core::store::Store;
use pronoturf_jobs::predict::{DEFAULT_MIN_EDGE, predict_day};
use pronoturf_jobs::settle::{BANK, settle_day};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Race day to predict (YYYY-MM-DD); its races must be stored (sync or import first).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    /// Print {"summary": ..., "races": [...], "value_bets": [...]} as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `bets`.
#[derive(Debug, Args)]
pub struct BetsArgs {
    #[command(subcommand)]
    pub command: BetsCommand,
}

/// `bets` subcommands.
#[derive(Debug, Subcommand)]
pub enum BetsCommand {
    /// Place each strategy's bets of a day from its stored predictions and settle them against
    /// the stored results and payouts (SIMPLE_GAGNANT, SIMPLE_PLACE). Safe to run again, e.g.
    /// once payouts are published: the day's bets are recomputed and replaced.
    Settle {
        /// Race day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: NaiveDate,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the simulated bets of a day.
    List {
        /// Race day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: NaiveDate,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Each strategy's bankroll day by day (starting from 100 €).
    Bankroll {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// `pronoturf predict`.
pub async fn predict(
    store: Arc<dyn Store>,
    settings: &Settings,
    args: PredictArgs,
) -> Result<ExitCode> {
    let params = serde_json::json!({ "date": args.date });
    let dir = &settings.ml_models_dir;
    let summary = recorded(store.as_ref(), "predict", params, async {
        predict_day(store.as_ref(), dir, args.date).await
    })
    .await?;
    // The API caches predictions, pronostics and value bets: make them stale now.
    crate::cli::invalidate_cache(settings).await;
    let races = store.day_predictions(args.date).await?;
    let value = store.day_value_bets(args.date, DEFAULT_MIN_EDGE).await?;
    if args.json {
        let all = serde_json::json!({ "summary": summary, "races": races, "value_bets": value });
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} races, {} runners predicted with {} ({} with the morning market) in {:.2} s",
        summary.date,
        summary.races,
        summary.runners,
        summary.model_version,
        summary.combined_races,
        summary.seconds
    );
    for race in &races {
        let label = |kind: &str| {
            race.race
                .pronostics
                .iter()
                .find(|p| p.kind == kind)
                .map(|p| {
                    let sel: Vec<String> = p.selection.iter().map(u32::to_string).collect();
                    format!(
                        "{} ({:.0}%, {})",
                        sel.join("-"),
                        p.probability * 100.0,
                        p.confidence
                    )
                })
                .unwrap_or_else(|| "-".into())
        };
        let _ = writeln!(
            out,
            "  R{}C{}  gagnant {}  placé {}  quinté {}",
            race.race.key.meeting,
            race.race.key.race,
            label("gagnant"),
            label("place"),
            label("quinte")
        );
    }
    let _ = writeln!(
        out,
        "value bets (edge > {DEFAULT_MIN_EDGE:.2}): {}",
        value.len()
    );
    for v in value.iter().take(10) {
        let _ = writeln!(
            out,
            "  R{}C{} #{:<3} p {:.3} odds {:>5.1} edge {:+.2} stake {:.2}% of bankroll",
            v.key.meeting,
            v.key.race,
            v.number,
            v.p_win,
            v.odds,
            v.edge,
            v.kelly * 100.0
        );
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `pronoturf bets ...`.
pub async fn bets(store: Arc<dyn Store>, settings: &Settings, args: BetsArgs) -> Result<ExitCode> {
    match args.command {
        BetsCommand::Settle { date, json } => {
            let params = serde_json::json!({ "date": date });
            let summary = recorded(store.as_ref(), "settle", params, async {
                settle_day(store.as_ref(), date).await
            })
            .await?;
            // The API caches performance and bankroll figures: make them stale now.
            crate::cli::invalidate_cache(settings).await;
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                println!(
                    "{date}: bets of {}",
                    summary
                        .model_version
                        .as_deref()
                        .unwrap_or("(no predictions)")
                );
                for (name, s) in &summary.strategies {
                    println!(
                        "  {name:<20} {:>4} bets: {} won, {} lost, {} void, {} pending; staked {:.2}, returned {:.2}",
                        s.bets, s.won, s.lost, s.void, s.pending, s.staked, s.returned
                    );
                }
            }
        }
        BetsCommand::List { date, json } => {
            let bets = store.day_sim_bets(date).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&bets)?);
            } else {
                for b in bets {
                    println!(
                        "{:<20} R{}C{} {:<15} #{:<3} stake {:>6.2} {:<8} returned {}",
                        b.strategy,
                        b.key.meeting,
                        b.key.race,
                        b.bet_type,
                        b.number,
                        b.stake,
                        b.status,
                        b.returned.map_or_else(|| "-".into(), |r| format!("{r:.2}"))
                    );
                }
            }
        }
        BetsCommand::Bankroll { json } => {
            let history = store.bankroll_history(BANK).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&history)?);
            } else {
                for p in history {
                    println!(
                        "{:<20} {} {:>4} bets ({} pending) staked {:>8.2} returned {:>8.2} balance {:>8.2}",
                        p.strategy, p.date, p.bets, p.pending, p.staked, p.returned, p.balance
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
