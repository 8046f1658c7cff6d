//! Simulated betting (`pronoturf bets settle`, the worker's evening job): each strategy is a
//! portfolio whose bets are placed from a day's stored predictions and settled against the stored
//! results and payouts. Every run recomputes the whole day and replaces its bets, so settling again
//! once payouts arrive (or twice) is safe.

use anyhow::Result;
use chrono::NaiveDate;
use pronoturf_core::domain::{RaceCard, RaceKey, RunnerStatus};
use pronoturf_core::store::{SimBet, Store, StoredRacePrediction};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Notional bank of Kelly stakes and starting bankroll of every strategy, in euros. Kelly stakes
/// are fractions of this fixed bank rather than of the running balance, so that a day's stakes do
/// not depend on the order in which days are settled.
pub const BANK: f64 = 100.0;

/// Edge above which the value strategy bets.
pub const VALUE_EDGE: f64 = 0.10;

/// Win bet type as PMU publishes it.
pub const WIN: &str = "SIMPLE_GAGNANT";
/// Place bet type as PMU publishes it.
pub const PLACE: &str = "SIMPLE_PLACE";

/// The strategies, by name: what they bet on each race.
pub const STRATEGIES: [&str; 3] = ["top_pick_win_flat", "value_win_kelly", "top_place_flat"];

/// What settling a day did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SettleSummary {
    /// Race day.
    pub date: NaiveDate,
    /// Model version whose predictions placed the bets.
    pub model_version: Option<String>,
    /// Per strategy: bets, won, lost, void, pending, staked, returned.
    pub strategies: BTreeMap<String, StrategyDay>,
}

/// One strategy's day.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StrategyDay {
    /// Bets placed.
    pub bets: usize,
    /// Won.
    pub won: usize,
    /// Lost.
    pub lost: usize,
    /// Refunded or the runner did not run.
    pub void: usize,
    /// Waiting for a result or a dividend.
    pub pending: usize,
    /// Staked on settled bets.
    pub staked: f64,
    /// Returned by settled bets, stakes included.
    pub returned: f64,
}

/// The bets every strategy places on one race (unsettled).
pub fn place_bets(p: &StoredRacePrediction) -> Vec<SimBet> {
    let bet = |strategy: &str, bet_type: &str, number: u32, stake: f64| SimBet {
        strategy: strategy.to_string(),
        key: p.race.key,
        bet_type: bet_type.to_string(),
        number,
        stake,
        odds: None,
        model_version: p.model_version.clone(),
        status: "pending".into(),
        returned: None,
    };
    let runners = &p.race.runners;
    let mut out = Vec::new();
    if let Some(top) = runners.iter().min_by_key(|r| r.rank) {
        out.push(bet(STRATEGIES[0], WIN, top.number, 1.0));
    }
    for r in runners {
        if let (Some(edge), Some(kelly)) = (r.edge, r.kelly)
            && edge > VALUE_EDGE
            && kelly > 0.0
        {
            out.push(bet(STRATEGIES[1], WIN, r.number, BANK * kelly));
        }
    }
    if let Some(best) = runners.iter().max_by(|a, b| {
        a.p_place
            .total_cmp(&b.p_place)
            .then(b.number.cmp(&a.number))
    }) {
        out.push(bet(STRATEGIES[2], PLACE, best.number, 1.0));
    }
    out
}

/// Settles one bet against its race: payout lines first; without them a win bet settles at the
/// final odds, and a place bet stays pending: its dividend is unknown, and settling only its
/// losers would bias the bankroll downwards.
pub fn settle(mut bet: SimBet, card: Option<&RaceCard>) -> SimBet {
    let Some(card) = card else { return bet };
    let Some(runner) = card.runners.iter().find(|r| r.number == bet.number) else {
        return bet;
    };
    let mut finish = |status: &str, paid: Option<f64>| {
        bet.status = status.to_string();
        bet.odds = paid;
        bet.returned = Some(match status {
            "won" => bet.stake * paid.unwrap_or(0.0),
            "void" => bet.stake,
            _ => 0.0,
        });
    };
    if runner.status == RunnerStatus::NonRunner {
        finish("void", None);
        return bet;
    }
    let lines: Vec<_> = card
        .payouts
        .iter()
        .filter(|p| p.bet_type == bet.bet_type)
        .collect();
    // Unclassified (fell, pulled up, disqualified): lost whatever is published later. A place
    // bet is settled only where its winners can be paid too (payout lines exist), so that the
    // bankroll is never biased by settling losers alone.
    if runner.status == RunnerStatus::Dnf && (bet.bet_type == WIN || !lines.is_empty()) {
        finish("lost", None);
        return bet;
    }
    let has_result = card.race.arrival.is_some() || card.runners.iter().any(|r| r.finish.is_some());
    let ours = lines
        .iter()
        .find(|p| p.combination.trim() == bet.number.to_string());
    match ours {
        Some(line) if line.refunded => finish("void", None),
        Some(line) => finish("won", Some(line.dividend_per_euro)),
        None if !lines.is_empty() => finish("lost", None),
        None if !has_result => {}
        None => {
            match bet.bet_type.as_str() {
                WIN if runner.finish == Some(1) && runner.status == RunnerStatus::Ran => {
                    if let Some(o) = runner.odds_final {
                        finish("won", Some(o));
                    }
                }
                WIN => finish("lost", None),
                // Without SIMPLE_PLACE lines a placed runner's dividend is unknown: its losers
                // wait with its winners (see above).
                _ => {}
            }
        }
    }
    bet
}

/// Places and settles every strategy's bets of `date` from the latest stored predictions, and
/// replaces the day's bets in the Store.
#[tracing::instrument(skip_all, fields(%date))]
pub async fn settle_day(store: &dyn Store, date: NaiveDate) -> Result<SettleSummary> {
    let predictions = store.day_predictions(date).await?;
    let cards = store.race_cards_between(date, date).await?;
    let by_key: HashMap<RaceKey, &RaceCard> = cards.iter().map(|c| (c.key(), c)).collect();
    let bets: Vec<SimBet> = predictions
        .iter()
        .flat_map(place_bets)
        .map(|b| {
            let card = by_key.get(&b.key).copied();
            settle(b, card)
        })
        .collect();
    store.replace_sim_bets(date, &bets).await?;
    let mut summary = SettleSummary {
        date,
        model_version: predictions.first().map(|p| p.model_version.clone()),
        strategies: BTreeMap::new(),
    };
    for b in &bets {
        let s = summary.strategies.entry(b.strategy.clone()).or_default();
        s.bets += 1;
        match b.status.as_str() {
            "won" => s.won += 1,
            "lost" => s.lost += 1,
            "void" => s.void += 1,
            _ => s.pending += 1,
        }
        if let Some(r) = b.returned {
            s.staked += b.stake;
            s.returned += r;
        }
    }
    tracing::info!(bets = bets.len(), "simulated bets settled");
    Ok(summary)
}

#[cfg(test)]
mod tests;
