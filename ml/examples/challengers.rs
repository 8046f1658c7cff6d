//! The linfa challengers against the conditional logit on a history CSV, walk-forward; prints the
//! JSON report.
//!
//! `cargo run --release -p pronoturf-ml --example challengers -- FILE.csv FROM TO [morning|none]`

use chrono::NaiveDate;
use pronoturf_core::history::read_history;
use pronoturf_ml::OddsChoice;
use pronoturf_ml::challengers::compare;
use std::error::Error;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, from, to, rest @ ..] = args.as_slice() else {
        return Err("usage: challengers FILE.csv FROM TO [morning|none]".into());
    };
    let from: NaiveDate = from.parse()?;
    let to: NaiveDate = to.parse()?;
    let odds = match rest.first().map(String::as_str) {
        None | Some("morning") => OddsChoice::Morning,
        Some("none") => OddsChoice::None,
        Some(other) => return Err(format!("unknown odds choice {other:?}").into()),
    };
    let started = Instant::now();
    let reader = std::io::BufReader::new(std::fs::File::open(file)?);
    let cards = read_history(reader, &mut |_| {})?.cards;
    let report = compare(&cards, from, to, odds).ok_or("no race could be scored")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!("{:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
