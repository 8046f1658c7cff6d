//! Walk-forward evaluation of a history CSV from the command line; prints the JSON report.
//!
//! `cargo run --release -p pronoturf-ml --example walk_forward -- FILE.csv FROM TO [morning|none]
//! [challengers]`
//!
//! `challengers` adds the linfa challengers on the same races. Without an odds choice, the first stage uses morning odds when at least half of the
//! file's runners have them (PMU), and none otherwise (HKJC publishes no morning odds).

use chrono::NaiveDate;
use pronoturf_core::history::read_history;
use pronoturf_ml::challengers::Challenger;
use pronoturf_ml::{OddsChoice, WalkForwardOptions, walk_forward};
use std::error::Error;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, from, to, rest @ ..] = args.as_slice() else {
        return Err("usage: walk_forward FILE.csv FROM TO [morning|none] [challengers]".into());
    };
    let (with_challengers, rest): (Vec<&String>, Vec<&String>) =
        rest.iter().partition(|a| a.as_str() == "challengers");
    let from: NaiveDate = from.parse()?;
    let to: NaiveDate = to.parse()?;

    let started = Instant::now();
    let reader = std::io::BufReader::new(std::fs::File::open(file)?);
    let cards = read_history(reader, &mut |_| {})?.cards;
    let read_s = started.elapsed().as_secs_f64();

    let odds = match rest.first().map(|s| s.as_str()) {
        Some("morning") => OddsChoice::Morning,
        Some("none") => OddsChoice::None,
        Some(other) => return Err(format!("unknown odds choice {other:?}").into()),
        None => {
            let runners = cards.iter().flat_map(|c| &c.runners);
            let (with, all) = runners.fold((0usize, 0usize), |(w, a), r| {
                (w + usize::from(r.odds_reference.is_some()), a + 1)
            });
            if 2 * with >= all {
                OddsChoice::Morning
            } else {
                OddsChoice::None
            }
        }
    };
    let opts = WalkForwardOptions {
        odds,
        challengers: if with_challengers.is_empty() {
            Vec::new()
        } else {
            Challenger::ALL.to_vec()
        },
        ..WalkForwardOptions::default()
    };
    let report = walk_forward(&cards, from, to, &opts)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!(
        "{} races in the file, read in {read_s:.1} s; walk-forward done in {:.1} s total",
        cards.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
