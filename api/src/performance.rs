//! Performance over a period: the simulated bets of each strategy (bets, stakes, returns, ROI,
//! hit rate), the bankroll history, and the model against the market in per-race log-loss on the
//! period's settled races that have predictions. The period is bounded to keep it cheap.

use crate::AppState;
use crate::error::Result;
use crate::extract::Query;
use crate::predictions::to_json;
use crate::races::json_bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::{Duration as Days, NaiveDate};
use pronoturf_core::domain::{RaceCard, RunnerStatus};
use pronoturf_core::store::StoredRacePrediction;
use pronoturf_ml::market::implied_probabilities;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};

/// Longest period, in days (both ends included).
pub const MAX_DAYS: i64 = 366;
/// Initial bank of every strategy, as `pronoturf bets bankroll` counts it (euros).
pub const INITIAL_BANK: f64 = 100.0;
const TTL: Duration = Duration::from_secs(300);

/// Query of `GET /api/v1/performance`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PerformanceQuery {
    /// First day (YYYY-MM-DD); 29 days before `to` when omitted. A period longer than 366 days
    /// is cut to the 366 days ending at `to`; a `from` after `to` is an empty period.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub from: Option<NaiveDate>,
    /// Last day, included (YYYY-MM-DD); today in Paris when omitted.
    #[serde(default, deserialize_with = "crate::dates::optional_day")]
    pub to: Option<NaiveDate>,
}

/// One strategy's simulated bets over the period.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct StrategyPerformance {
    /// Strategy name.
    pub strategy: String,
    /// Settled bets (won, lost or void).
    pub bets: u64,
    /// Bets won.
    pub won: u64,
    /// Bets lost.
    pub lost: u64,
    /// Bets voided (stake returned).
    pub void: u64,
    /// Bets not settled yet (no result or payout stored).
    pub pending: u64,
    /// Staked on settled bets, euros.
    pub staked: f64,
    /// Paid back by settled bets, stakes included, euros.
    pub returned: f64,
    /// returned − staked, euros.
    pub profit: f64,
    /// profit / staked (absent when nothing was staked).
    pub roi: Option<f64>,
    /// won / (won + lost) (absent without a won or lost bet).
    pub hit_rate: Option<f64>,
}

/// One day of a strategy's bankroll.
#[derive(Debug, Serialize, ToSchema)]
pub struct BankrollPointResponse {
    /// Strategy.
    pub strategy: String,
    /// Race day.
    pub date: NaiveDate,
    /// Settled bets that day.
    pub bets: i64,
    /// Bets still pending that day.
    pub pending: i64,
    /// Staked on settled bets that day.
    pub staked: f64,
    /// Returned by settled bets that day.
    pub returned: f64,
    /// Bankroll after the day: 100 € plus every settled profit since the first bet ever (not
    /// only within the period).
    pub balance: f64,
}

/// The model against the market on the same races.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogLossComparison {
    /// Races scored.
    pub races: u64,
    /// Mean −ln(p_win of the winner) under the stored predictions.
    pub model_logloss: Option<f64>,
    /// Mean −ln(market probability of the winner), the market being 1/final odds normalised
    /// over the runners that ran.
    pub market_logloss: Option<f64>,
    /// Share of those races won by the model's rank-1 runner.
    pub model_top1_hit_rate: Option<f64>,
}

/// Performance over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceResponse {
    /// First day of the period served (after cutting a period longer than 366 days).
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    /// Each strategy's bets over the period, by name.
    pub strategies: Vec<StrategyPerformance>,
    /// Each strategy's bankroll on the period's days with bets, by strategy then day.
    pub bankroll: Vec<BankrollPointResponse>,
    /// Model against market log-loss.
    pub calibration: LogLossComparison,
}

/// Simulated-bet results by strategy, bankroll history and model-against-market log-loss over a
/// period of at most 366 days (a longer one is cut to the 366 days ending at `to`; a `from`
/// after `to` is an empty period).
///
/// The log-loss compares the model and the market on the same races: the period's races whose
/// result is official, with exactly one winner (a runner that ran and finished first), whose
/// every runner that ran has final odds above 1, and whose day's latest prediction run holds a
/// win probability above 0 for that winner. Per race, the model scores −ln(p_win of the winner)
/// and the market −ln((1/odds of the winner) / Σ 1/odds over the runners that ran); each is the
/// mean over those races.
#[utoipa::path(get, path = "/api/v1/performance", tag = "performance", params(PerformanceQuery),
    responses(
    (status = 200, description = "Performance over the period", body = PerformanceResponse),
    (status = 400, description = "Malformed date", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_performance(
    State(state): State<AppState>,
    Query(q): Query<PerformanceQuery>,
) -> Result<Response> {
    let to = q.to.unwrap_or_else(crate::today_in_paris);
    // Checked arithmetic: dates near chrono's limits must not panic.
    let earliest = to.checked_sub_signed(Days::days(MAX_DAYS - 1));
    let from = match (q.from, earliest) {
        (Some(from), Some(earliest)) => from.max(earliest),
        (Some(from), None) => from,
        (None, _) => to.checked_sub_signed(Days::days(29)).unwrap_or(to),
    };
    if from > to {
        let empty = to_json(&PerformanceResponse {
            from,
            to,
            strategies: Vec::new(),
            bankroll: Vec::new(),
            calibration: LogLossComparison {
                races: 0,
                model_logloss: None,
                market_logloss: None,
                model_top1_hit_rate: None,
            },
        })?;
        return Ok(json_bytes(empty, "miss"));
    }
    let cache_key = format!("performance:{from}:{to}");
    let _fill = match state.cached(&cache_key).await {
        Ok(body) => return Ok(json_bytes(body, "hit")),
        Err(turn) => turn,
    };
    let bankroll: Vec<BankrollPointResponse> = state
        .store
        .bankroll_history(INITIAL_BANK)
        .await?
        .into_iter()
        .filter(|p| (from..=to).contains(&p.date))
        .map(|p| BankrollPointResponse {
            strategy: p.strategy,
            date: p.date,
            bets: p.bets,
            pending: p.pending,
            staked: p.staked,
            returned: p.returned,
            balance: p.balance,
        })
        .collect();
    // Only the days with bets are read again, for the won/lost split.
    let bet_days: BTreeSet<NaiveDate> = bankroll.iter().map(|p| p.date).collect();
    let mut strategies: BTreeMap<String, StrategyPerformance> = BTreeMap::new();
    for day in bet_days {
        for bet in state.store.day_sim_bets(day).await? {
            let s = strategies
                .entry(bet.strategy.clone())
                .or_insert_with(|| StrategyPerformance {
                    strategy: bet.strategy.clone(),
                    ..Default::default()
                });
            match bet.status.as_str() {
                "pending" => s.pending += 1,
                status => {
                    s.bets += 1;
                    s.staked += bet.stake;
                    s.returned += bet.returned.unwrap_or(0.0);
                    match status {
                        "won" => s.won += 1,
                        "lost" => s.lost += 1,
                        _ => s.void += 1,
                    }
                }
            }
        }
    }
    let strategies = strategies
        .into_values()
        .map(|mut s| {
            s.profit = s.returned - s.staked;
            s.roi = (s.staked > 0.0).then(|| s.profit / s.staked);
            s.hit_rate = (s.won + s.lost > 0).then(|| s.won as f64 / (s.won + s.lost) as f64);
            s
        })
        .collect();
    let calibration = calibration(&state, from, to).await?;
    let body = to_json(&PerformanceResponse {
        from,
        to,
        strategies,
        bankroll,
        calibration,
    })?;
    state.cache.set(&cache_key, &body, TTL).await;
    Ok(json_bytes(body, "miss"))
}

/// Model and market log-loss on the period's scorable races (see [`get_performance`]).
async fn calibration(
    state: &AppState,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<LogLossComparison> {
    let cards = state.store.race_cards_between(from, to).await?;
    let days: BTreeSet<NaiveDate> = cards
        .iter()
        .filter(|c| c.race.is_final)
        .map(|c| c.meeting.date)
        .collect();
    let mut predictions: HashMap<_, StoredRacePrediction> = HashMap::new();
    for day in days {
        for p in state.store.day_predictions(day).await? {
            predictions.insert(p.race.key, p);
        }
    }
    let (mut races, mut model, mut market, mut top1) = (0u64, 0.0, 0.0, 0u64);
    for card in cards.iter().filter(|c| c.race.is_final) {
        let Some(p) = predictions.get(&card.key()) else {
            continue;
        };
        let Some((p_model, p_market, top)) = score(card, p) else {
            continue;
        };
        races += 1;
        model -= p_model.ln();
        market -= p_market.ln();
        top1 += u64::from(top);
    }
    let mean = |total: f64| (races > 0).then(|| total / races as f64);
    Ok(LogLossComparison {
        races,
        model_logloss: mean(model),
        market_logloss: mean(market),
        model_top1_hit_rate: mean(top1 as f64),
    })
}

/// The winner's model and market probabilities, and whether the model ranked it first; `None`
/// when the race cannot be scored.
fn score(card: &RaceCard, prediction: &StoredRacePrediction) -> Option<(f64, f64, bool)> {
    let ran: Vec<_> = card
        .runners
        .iter()
        .filter(|r| matches!(r.status, RunnerStatus::Ran | RunnerStatus::Dnf))
        .collect();
    let winners: Vec<usize> = (0..ran.len())
        .filter(|&i| ran[i].status == RunnerStatus::Ran && ran[i].finish == Some(1))
        .collect();
    let [winner] = winners.as_slice() else {
        return None;
    };
    let prices: Vec<Option<f64>> = ran.iter().map(|r| r.odds_final).collect();
    let p_market = implied_probabilities(&prices)?[*winner];
    let number = ran[*winner].number;
    let predicted = prediction
        .race
        .runners
        .iter()
        .find(|r| r.number == number)?;
    (predicted.p_win > 0.0 && p_market > 0.0).then_some((
        predicted.p_win,
        p_market,
        predicted.rank == 1,
    ))
}

#[cfg(test)]
mod tests;
