//! Stored model output (issue 3): per-runner predictions and per-race pronostics of a prediction
//! run (one per day and model version), and the simulated bets placed from them. The SQL lives
//! here once, shared by both backends (plain `?` placeholders, no dialect-specific syntax); each
//! backend only runs it.

use super::{Result, StoreError};
use crate::domain::RaceKey;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// One runner's stored prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerPrediction {
    /// Saddle-cloth number.
    pub number: u32,
    /// Win probability served.
    pub p_win: f64,
    /// Probability of finishing in the first three.
    pub p_place: f64,
    /// First-stage (form model) win probability.
    pub p_model: f64,
    /// 1 = most likely winner.
    pub rank: u32,
    /// Morning odds the value was computed at.
    pub odds: Option<f64>,
    /// p_win × odds − 1.
    pub edge: Option<f64>,
    /// Fractional Kelly stake, share of the bankroll.
    pub kelly: Option<f64>,
    /// Features pushing the runner up and down, as JSON (`{"up": [...], "down": [...]}`).
    pub explanation: serde_json::Value,
}

/// One pronostic of a race.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RacePronostic {
    /// gagnant, place, tierce, quarte or quinte.
    pub kind: String,
    /// Runner numbers in the advised order.
    pub selection: Vec<u32>,
    /// Probability it comes in (any order for tiercé, quarté, quinté).
    pub probability: f64,
    /// Probability of the exact order.
    pub probability_in_order: f64,
    /// high, medium or low.
    pub confidence: String,
}

/// The predictions of one race.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RacePrediction {
    /// The race (it must be stored).
    pub key: RaceKey,
    /// Its runners, by rank.
    pub runners: Vec<RunnerPrediction>,
    /// Its pronostics.
    pub pronostics: Vec<RacePronostic>,
}

/// Everything one model predicted for one day: what [`super::Store::replace_predictions`] writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayPredictions {
    /// Race day.
    pub date: NaiveDate,
    /// Model version (registry folder name).
    pub model_version: String,
    /// The races predicted.
    pub races: Vec<RacePrediction>,
}

/// Predictions read back: one race of the latest run of its day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRacePrediction {
    /// Model version.
    pub model_version: String,
    /// When the run was stored.
    pub created_at: DateTime<Utc>,
    /// The race and its predictions.
    #[serde(flatten)]
    pub race: RacePrediction,
}

/// A runner whose edge passed a threshold, from the latest run of its day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueBet {
    /// The race.
    pub key: RaceKey,
    /// Model version.
    pub model_version: String,
    /// Runner number.
    pub number: u32,
    /// Win probability.
    pub p_win: f64,
    /// Morning odds.
    pub odds: f64,
    /// p_win × odds − 1.
    pub edge: f64,
    /// Fractional Kelly stake, share of the bankroll.
    pub kelly: f64,
}

/// A simulated bet of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimBet {
    /// Strategy (portfolio) name.
    pub strategy: String,
    /// The race.
    pub key: RaceKey,
    /// SIMPLE_GAGNANT or SIMPLE_PLACE.
    pub bet_type: String,
    /// Runner number.
    pub number: u32,
    /// Stake, euros.
    pub stake: f64,
    /// Odds or dividend per euro it was settled at, when settled and paid.
    pub odds: Option<f64>,
    /// Model version whose prediction placed it.
    pub model_version: String,
    /// pending, won, lost or void.
    pub status: String,
    /// Amount paid back, stake included (None while pending).
    pub returned: Option<f64>,
}

/// One day of a strategy's bankroll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankrollPoint {
    /// Strategy.
    pub strategy: String,
    /// Race day.
    pub date: NaiveDate,
    /// Settled bets that day.
    pub bets: i64,
    /// Bets still pending that day.
    pub pending: i64,
    /// Staked on settled bets.
    pub staked: f64,
    /// Returned by settled bets.
    pub returned: f64,
    /// Bankroll after the day: the initial bank plus every profit so far.
    pub balance: f64,
}

pub(crate) const RACE_IDS_OF_DAY: &str = "select r.id, m.number as meeting, r.number as race
     from races r join meetings m on m.id = r.meeting_id where r.date = ?";
pub(crate) const DELETE_RUN: &str =
    "delete from prediction_runs where race_date = ? and model_version = ?";
pub(crate) const INSERT_RUN: &str =
    "insert into prediction_runs (race_date, model_version, created_at) values (?, ?, ?)";
pub(crate) const LATEST_RUN: &str = "select id, model_version, created_at from prediction_runs
     where race_date = ? order by id desc limit 1";
pub(crate) const RUNNER_ROWS: &str = "select m.number as meeting, r.number as race, p.number,
        p.p_win, p.p_place, p.p_model, p.win_rank, p.odds, p.edge, p.kelly, p.explanation
     from runner_predictions p join races r on r.id = p.race_id
     join meetings m on m.id = r.meeting_id
     where p.run_id = ? order by m.number, r.number, p.win_rank, p.number";
pub(crate) const PRONOSTIC_ROWS: &str = "select m.number as meeting, r.number as race, p.kind,
        p.selection, p.probability, p.probability_in_order, p.confidence
     from race_pronostics p join races r on r.id = p.race_id
     join meetings m on m.id = r.meeting_id
     where p.run_id = ? order by m.number, r.number, p.id";
pub(crate) const VALUE_ROWS: &str = "select m.number as meeting, r.number as race, p.number,
        p.p_win, p.odds, p.edge, p.kelly
     from runner_predictions p join races r on r.id = p.race_id
     join meetings m on m.id = r.meeting_id
     where p.run_id = ? and p.edge > ? and p.odds is not null and p.kelly is not null
     order by p.edge desc, m.number, r.number, p.number";
pub(crate) const DELETE_SIM_BETS: &str = "delete from sim_bets where race_date = ?";
pub(crate) const SIM_BET_ROWS: &str = "select m.number as meeting, r.number as race, b.strategy,
        b.bet_type, b.number, b.stake, b.odds, b.model_version, b.status, b.returned
     from sim_bets b join races r on r.id = b.race_id join meetings m on m.id = r.meeting_id
     where b.race_date = ? order by b.strategy, m.number, r.number, b.bet_type, b.number";
// Summed in Rust rather than SQL: MySQL's SUM of integers is a DECIMAL, which the two backends
// would decode differently.
pub(crate) const BANKROLL_ROWS: &str = "select strategy, race_date, status, stake, returned
     from sim_bets order by strategy, race_date";

/// A prediction run's id, version and time.
#[derive(sqlx::FromRow)]
pub(crate) struct RunRow {
    pub id: i64,
    pub model_version: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RaceIdRow {
    id: i64,
    meeting: i64,
    race: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunnerRow {
    meeting: i64,
    race: i64,
    number: i64,
    p_win: f64,
    p_place: f64,
    p_model: f64,
    win_rank: i64,
    odds: Option<f64>,
    edge: Option<f64>,
    kelly: Option<f64>,
    explanation: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PronosticRow {
    meeting: i64,
    race: i64,
    kind: String,
    selection: String,
    probability: f64,
    probability_in_order: f64,
    confidence: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ValueRow {
    meeting: i64,
    race: i64,
    number: i64,
    p_win: f64,
    odds: Option<f64>,
    edge: Option<f64>,
    kelly: Option<f64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SimBetRow {
    meeting: i64,
    race: i64,
    strategy: String,
    bet_type: String,
    number: i64,
    stake: f64,
    odds: Option<f64>,
    model_version: String,
    status: String,
    returned: Option<f64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct BankrollRow {
    strategy: String,
    race_date: NaiveDate,
    status: String,
    stake: f64,
    returned: Option<f64>,
}

fn num(v: i64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Invalid(format!("{what} {v} out of range")))
}

fn key(date: NaiveDate, meeting: i64, race: i64) -> Result<RaceKey> {
    Ok(RaceKey {
        date,
        meeting: num(meeting, "meeting")?,
        race: num(race, "race")?,
    })
}

/// Maps (meeting, race) numbers of a day to race ids.
pub(crate) fn race_ids(rows: Vec<RaceIdRow>) -> HashMap<(u32, u32), i64> {
    rows.into_iter()
        .filter_map(|r| {
            Some((
                (u32::try_from(r.meeting).ok()?, u32::try_from(r.race).ok()?),
                r.id,
            ))
        })
        .collect()
}

/// The id of a race of the day, or an error naming it.
pub(crate) fn race_id(ids: &HashMap<(u32, u32), i64>, key: RaceKey) -> Result<i64> {
    ids.get(&(key.meeting, key.race))
        .copied()
        .ok_or_else(|| StoreError::Invalid(format!("race {key} is not stored")))
}

/// Selection numbers joined by '-'.
pub(crate) fn selection_text(selection: &[u32]) -> String {
    selection
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join("-")
}

/// Assembles the races of a run from its runner and pronostic rows (both in race order).
pub(crate) fn assemble(
    date: NaiveDate,
    run: &RunRow,
    runners: Vec<RunnerRow>,
    pronostics: Vec<PronosticRow>,
) -> Result<Vec<StoredRacePrediction>> {
    let mut out: Vec<StoredRacePrediction> = Vec::new();
    let mut index: HashMap<RaceKey, usize> = HashMap::new();
    let mut slot = |k: RaceKey, out: &mut Vec<StoredRacePrediction>| {
        *index.entry(k).or_insert_with(|| {
            out.push(StoredRacePrediction {
                model_version: run.model_version.clone(),
                created_at: run.created_at,
                race: RacePrediction {
                    key: k,
                    runners: Vec::new(),
                    pronostics: Vec::new(),
                },
            });
            out.len() - 1
        })
    };
    for r in runners {
        let i = slot(key(date, r.meeting, r.race)?, &mut out);
        let explanation = serde_json::from_str(&r.explanation)
            .map_err(|e| StoreError::Invalid(format!("explanation is not JSON: {e}")))?;
        out[i].race.runners.push(RunnerPrediction {
            number: num(r.number, "runner")?,
            p_win: r.p_win,
            p_place: r.p_place,
            p_model: r.p_model,
            rank: num(r.win_rank, "rank")?,
            odds: r.odds,
            edge: r.edge,
            kelly: r.kelly,
            explanation,
        });
    }
    for p in pronostics {
        let i = slot(key(date, p.meeting, p.race)?, &mut out);
        let selection = p
            .selection
            .split('-')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| StoreError::Invalid(format!("bad selection {:?}", p.selection)))
            })
            .collect::<Result<Vec<u32>>>()?;
        out[i].race.pronostics.push(RacePronostic {
            kind: p.kind,
            selection,
            probability: p.probability,
            probability_in_order: p.probability_in_order,
            confidence: p.confidence,
        });
    }
    out.sort_by_key(|r| r.race.key);
    Ok(out)
}

/// Value bets from their rows.
pub(crate) fn value_bets(
    date: NaiveDate,
    version: &str,
    rows: Vec<ValueRow>,
) -> Result<Vec<ValueBet>> {
    rows.into_iter()
        .map(|r| {
            Ok(ValueBet {
                key: key(date, r.meeting, r.race)?,
                model_version: version.to_string(),
                number: num(r.number, "runner")?,
                p_win: r.p_win,
                odds: r.odds.unwrap_or_default(),
                edge: r.edge.unwrap_or_default(),
                kelly: r.kelly.unwrap_or_default(),
            })
        })
        .collect()
}

/// Simulated bets from their rows.
pub(crate) fn sim_bets(date: NaiveDate, rows: Vec<SimBetRow>) -> Result<Vec<SimBet>> {
    rows.into_iter()
        .map(|r| {
            Ok(SimBet {
                key: key(date, r.meeting, r.race)?,
                strategy: r.strategy,
                bet_type: r.bet_type,
                number: num(r.number, "runner")?,
                stake: r.stake,
                odds: r.odds,
                model_version: r.model_version,
                status: r.status,
                returned: r.returned,
            })
        })
        .collect()
}

/// Bankroll history from the bets (ordered by strategy then day): pending bets are counted but
/// move no money until settled.
pub(crate) fn bankroll(initial: f64, rows: Vec<BankrollRow>) -> Vec<BankrollPoint> {
    let mut out: Vec<BankrollPoint> = Vec::new();
    for r in rows {
        let same = out
            .last()
            .is_some_and(|p| p.strategy == r.strategy && p.date == r.race_date);
        if !same {
            let balance = match out.last() {
                Some(p) if p.strategy == r.strategy => p.balance,
                _ => initial,
            };
            out.push(BankrollPoint {
                strategy: r.strategy.clone(),
                date: r.race_date,
                bets: 0,
                pending: 0,
                staked: 0.0,
                returned: 0.0,
                balance,
            });
        }
        let Some(p) = out.last_mut() else { continue };
        if r.status == "pending" {
            p.pending += 1;
        } else {
            let returned = r.returned.unwrap_or(0.0);
            p.bets += 1;
            p.staked += r.stake;
            p.returned += returned;
            p.balance += returned - r.stake;
        }
    }
    out
}
