//! `pronoturf evaluate`: walk-forward evaluation of the model on the races in the Store, beside
//! the market's own figures on exactly the same races.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use pronoturf_core::store::Store;
use pronoturf_ml::challengers::Challenger;
use pronoturf_ml::{OddsChoice, Report, WalkForwardOptions, walk_forward};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// First day predicted (YYYY-MM-DD); each week is trained only on races before it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: NaiveDate,
    /// Day after the last one predicted (exclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: NaiveDate,
    /// Earliest race used for training (default: everything stored). Use it to keep another
    /// racing jurisdiction's history out, e.g. --since 2026-01-01 for the PMU file alone.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<NaiveDate>,
    /// Odds the model may see: morning (07:00 predictions), none (form only), or auto
    /// (morning when at least half of the runners have morning odds).
    #[arg(long, value_enum, default_value_t = OddsArg::Auto)]
    pub odds: OddsArg,
    /// Print the whole report as JSON (races, model_logloss, market_morning_logloss,
    /// market_final_logloss, combined_logloss, top1, top3, roi, confidence intervals,
    /// challengers, ...).
    #[arg(long)]
    pub json: bool,
    /// Also fit the linfa challengers (logistic regression, random forest) each week and score
    /// them, calibrated on earlier weeks, on the same races as the model and the market.
    #[arg(long)]
    pub challengers: bool,
}

/// `--odds` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OddsArg {
    /// Morning odds when most runners have them.
    Auto,
    /// Reference (morning) odds, as known at 07:00.
    Morning,
    /// No odds: a pure form model.
    None,
}

/// Runs `evaluate`.
pub async fn evaluate(store: Arc<dyn Store>, args: EvaluateArgs) -> Result<ExitCode> {
    if args.to <= args.from {
        bail!("--to {} must be after --from {}", args.to, args.from);
    }
    let since = match args.since {
        Some(d) => d,
        None => store
            .stats()
            .await?
            .first_date
            .context("the database holds no races: import history first")?,
    };
    let last = args.to.pred_opt().context("--to is out of range")?;
    let cards = store.race_cards_between(since, last).await?;
    let odds = match args.odds {
        OddsArg::Morning => OddsChoice::Morning,
        OddsArg::None => OddsChoice::None,
        OddsArg::Auto => {
            let (with, all) = cards
                .iter()
                .flat_map(|c| &c.runners)
                .fold((0, 0), |(w, a), r| {
                    (w + usize::from(r.odds_reference.is_some()), a + 1)
                });
            if 2 * with >= all {
                OddsChoice::Morning
            } else {
                OddsChoice::None
            }
        }
    };
    let options = WalkForwardOptions {
        odds,
        challengers: if args.challengers {
            Challenger::ALL.to_vec()
        } else {
            Vec::new()
        },
        ..WalkForwardOptions::default()
    };
    let (from, to) = (args.from, args.to);
    // Fitting is CPU-bound: keep it off the async executor.
    let report = tokio::task::spawn_blocking(move || walk_forward(&cards, from, to, &options))
        .await
        .context("the evaluation task failed")??;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", summary(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// The report's headline figures as a table.
fn summary(r: &Report) -> String {
    let mut out = String::new();
    let opt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
    let _ = writeln!(
        out,
        "walk-forward {} .. {} ({} races, {} runners)",
        r.from, r.to, r.races, r.runners
    );
    let _ = writeln!(out, "{:<36}{:>10}", "per-race log-loss", "");
    for (name, value) in [
        ("model", Some(r.model_logloss)),
        ("market, morning odds", r.market_morning_logloss),
        ("combined 07:00", r.combined_morning_logloss),
        ("market, final odds", Some(r.market_final_logloss)),
        ("combined late", Some(r.combined_logloss)),
        ("uniform", Some(r.uniform_logloss)),
    ] {
        let _ = writeln!(out, "  {name:<34}{:>10}", opt(value));
    }
    let ci = |name: &str, c: &pronoturf_ml::evaluate::DiffCi| {
        format!(
            "  {name:<34}{:>+10.4}  95% CI [{:+.4}, {:+.4}]\n",
            c.mean, c.lo, c.hi
        )
    };
    if let Some(c) = &r.ci_morning {
        out.push_str(&ci("combined 07:00 - market", c));
    }
    out.push_str(&ci("combined late - market", &r.ci_late));
    if !r.challengers.is_empty() {
        let _ = writeln!(
            out,
            "challengers, same races (log-loss; normalised before calibration; vs model)"
        );
        for (name, c) in &r.challengers {
            let _ = writeln!(
                out,
                "  {name:<34}{:>10.4}  ({:.4})  {:+.4} [{:+.4}, {:+.4}]",
                c.metrics.logloss,
                c.normalised_logloss,
                c.ci_vs_model.mean,
                c.ci_vs_model.lo,
                c.ci_vs_model.hi
            );
        }
    }
    if let Some(p) = &r.place {
        let _ = writeln!(
            out,
            "place exponents ({} races, from {}): Benter 0.81/0.65 vs refitted {:.3}/{:.3}",
            p.races, p.win_probabilities, p.last_fitted.second, p.last_fitted.third
        );
        for (name, s) in [("Benter", &p.benter), ("refitted", &p.fitted)] {
            let _ = writeln!(
                out,
                "  {name:<12}order log-loss {:.4}  top-3 log-loss {:.4}  top-3 Brier {:.4}",
                s.order_logloss, s.top3_logloss, s.top3_brier
            );
        }
        let c = &p.ci_order;
        let _ = writeln!(
            out,
            "  refitted - Benter, order log-loss {:+.4} [{:+.4}, {:+.4}]",
            c.mean, c.lo, c.hi
        );
    }
    let _ = writeln!(out, "ROI (settled at final odds)");
    for (name, s) in &r.roi {
        let _ = writeln!(out, "  {name:<34}{:>+9.1}%  {} bets", s.roi * 100.0, s.bets);
    }
    out
}
