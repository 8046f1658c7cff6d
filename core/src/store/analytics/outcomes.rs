//! Reads behind the dashboard's Performance and Modèle pages: simulated bets aggregated by day,
//! discipline, track or odds band (optionally only bets whose prediction passed a confidence or
//! edge threshold), the stored predictions of settled races with what the market said, and data
//! quality counts. Same portable SQL on both backends, filters appended like the other reads.

use super::{Arg, PeriodFilter, Sql, push_filter, sql};
use crate::domain::RaceKey;
use crate::store::{Result, StoreError};
use chrono::NaiveDate;
use serde::Serialize;

/// Which simulated bets an aggregation covers: the races `period` selects and, optionally, only
/// bets whose runner's stored prediction had at least `min_p_win` and an edge above `min_edge`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BetFilter {
    /// Races covered.
    pub period: PeriodFilter,
    /// Minimum model win probability of the runner bet on, from 0 to 1.
    pub min_p_win: Option<f64>,
    /// Edge (p_win × morning odds − 1) the runner bet on must exceed.
    pub min_edge: Option<f64>,
}

/// How bets are grouped, within each strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BetDimension {
    /// Race day; the label is the ISO date.
    Day,
    /// Discipline as stored.
    Discipline,
    /// Racecourse name.
    Track,
    /// Morning odds of the runner bet on; labels are [`ODDS_BANDS`].
    OddsBand,
}

/// Morning-odds bands, in order: no morning odds, then below 3, 3 to 5, 5 to 10, 10 to 20, 20 up.
pub const ODDS_BANDS: [&str; 6] = ["none", "<3", "3-5", "5-10", "10-20", "20+"];

impl BetDimension {
    /// The SQL expression of the label.
    fn label(self) -> &'static str {
        match self {
            Self::Day => "cast(r.date as char)",
            Self::Discipline => "r.discipline",
            Self::Track => "t.name",
            Self::OddsBand => {
                "case when ru.odds_reference is null then 'none'
                 when ru.odds_reference < 3 then '<3' when ru.odds_reference < 5 then '3-5'
                 when ru.odds_reference < 10 then '5-10' when ru.odds_reference < 20 then '10-20'
                 else '20+' end"
            }
        }
    }
}

/// The bets of one strategy in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BetGroup {
    /// Strategy.
    pub strategy: String,
    /// Day (ISO), discipline, track or odds band.
    pub label: String,
    /// Settled bets (won, lost or void).
    pub settled: i64,
    /// Bets waiting for a result.
    pub pending: i64,
    /// Won bets.
    pub won: i64,
    /// Staked on settled bets, euros.
    pub staked: f64,
    /// Returned by settled bets, stakes included, euros.
    pub returned: f64,
}

impl BetGroup {
    /// Returned minus staked.
    pub fn profit(&self) -> f64 {
        self.returned - self.staked
    }

    /// Profit over stakes; `None` when nothing was staked.
    pub fn roi(&self) -> Option<f64> {
        (self.staked > 0.0).then(|| self.profit() / self.staked)
    }
}

/// One predicted runner of a race whose result is known, from the latest prediction run of its
/// day, with the market's odds and the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictedRunner {
    /// The race.
    pub key: RaceKey,
    /// Saddle-cloth number.
    pub number: u32,
    /// Model win probability served.
    pub p_win: f64,
    /// Morning odds.
    pub odds_reference: Option<f64>,
    /// Final odds.
    pub odds_final: Option<f64>,
    /// Finishing position.
    pub finish: Option<u32>,
}

/// Data-quality counts over the races a filter selects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DataQuality {
    /// Races.
    pub races: i64,
    /// Runners (non-runners excluded).
    pub runners: i64,
    /// Runners with neither morning nor final odds.
    pub runners_without_odds: i64,
    /// Races with no runner.
    pub races_without_runners: i64,
    /// Races before the reference day without a result.
    pub past_races_without_result: i64,
    /// Races with a result but no payout.
    pub results_without_payouts: i64,
    /// Races with a result but no winner recorded among the runners.
    pub results_without_winner: i64,
    /// Races before the reference day with no stored prediction.
    pub past_races_without_prediction: i64,
}

/// A runner's horse name, for pages that show stored predictions by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunnerName {
    /// The race.
    pub key: RaceKey,
    /// Saddle-cloth number.
    pub number: u32,
    /// Horse name.
    pub horse: String,
}

/// The joins from a bet to its race, meeting, track and runner.
const FROM_BETS: &str = " from sim_bets b join races r on r.id = b.race_id
    join meetings m on m.id = r.meeting_id join tracks t on t.id = m.track_id
    left join runners ru on ru.race_id = b.race_id and ru.number = b.number";

/// The bet's runner's prediction, in the run that placed the bet (same day and model version).
const BET_PREDICTION: &str = " join prediction_runs pr
    on pr.race_date = b.race_date and pr.model_version = b.model_version
    join runner_predictions rp on rp.run_id = pr.id and rp.race_id = b.race_id
    and rp.number = b.number";

/// Bets per strategy and `by`, ordered by strategy and label. Money sums are floats on both
/// backends (`0e0` is a double literal in MySQL, where a plain `0` would make a DECIMAL).
pub(crate) fn bet_groups(f: &BetFilter, by: BetDimension) -> Sql {
    let label = by.label();
    let mut q = sql(format!(
        "select b.strategy, {label} as label,
        count(case when b.status <> 'pending' then 1 end) as settled,
        count(case when b.status = 'pending' then 1 end) as pending,
        count(case when b.status = 'won' then 1 end) as won,
        coalesce(sum(case when b.status <> 'pending' then b.stake end), 0e0) as staked,
        coalesce(sum(case when b.status <> 'pending' then b.returned end), 0e0) as returned
        {FROM_BETS}"
    ));
    if f.min_p_win.is_some() || f.min_edge.is_some() {
        q.text.push_str(BET_PREDICTION);
    }
    q.text.push_str(" where 1 = 1");
    push_filter(&mut q, &f.period);
    if let Some(p) = f.min_p_win {
        q.text.push_str(" and rp.p_win >= ?");
        q.args.push(Arg::Float(p));
    }
    if let Some(e) = f.min_edge {
        q.text.push_str(" and rp.edge > ?");
        q.args.push(Arg::Float(e));
    }
    q.text.push_str(&format!(
        " group by b.strategy, {label} order by b.strategy, label"
    ));
    q
}

/// Predicted runners of races with a result, from the latest run of each day, in race order.
pub(crate) fn predicted_runners(f: &PeriodFilter) -> Sql {
    let mut q = sql(
        "select r.date, m.number as meeting, r.number as race, rp.number, rp.p_win,
        ru.odds_reference, ru.odds_final, ru.finish
        from prediction_runs pr join runner_predictions rp on rp.run_id = pr.id
        join races r on r.id = rp.race_id join meetings m on m.id = r.meeting_id
        join tracks t on t.id = m.track_id
        left join runners ru on ru.race_id = rp.race_id and ru.number = rp.number
        where pr.id in (select max(id) from prediction_runs group by race_date)
        and r.arrival is not null",
    );
    push_filter(&mut q, f);
    q.text
        .push_str(" order by r.date, m.number, r.number, rp.number");
    q
}

/// Horse names of every runner of a day, in race and number order.
pub(crate) fn day_runner_names(date: NaiveDate) -> Sql {
    let mut q = sql(
        "select r.date, m.number as meeting, r.number as race, ru.number, h.name as horse
        from runners ru join races r on r.id = ru.race_id join meetings m on m.id = r.meeting_id
        join horses h on h.id = ru.horse_id where r.date = ?
        order by m.number, r.number, ru.number",
    );
    q.args.push(Arg::Date(date));
    q
}

/// Data-quality counts: one row per race with its runners counted in one pass over the
/// `runners_race_quality` index and its payouts and predictions through indexes on the race,
/// then summed. `before` is the reference day: races before it should have a result.
pub(crate) fn data_quality(f: &PeriodFilter, before: NaiveDate) -> Sql {
    let mut q = sql("select count(*) as races,
        cast(coalesce(sum(x.runners), 0) as signed) as runners,
        cast(coalesce(sum(x.no_odds), 0) as signed) as runners_without_odds,
        count(case when x.runners = 0 then 1 end) as races_without_runners,
        count(case when x.date < ? and x.arrival is null then 1 end) as past_races_without_result,
        count(case when x.arrival is not null and x.payouts = 0 then 1 end)
            as results_without_payouts,
        count(case when x.arrival is not null and x.winners = 0 then 1 end)
            as results_without_winner,
        count(case when x.date < ? and x.predicted = 0 then 1 end)
            as past_races_without_prediction
        from (select r.date, r.arrival,
            count(case when ru.status <> 'NON_RUNNER' then 1 end) as runners,
            count(case when ru.status <> 'NON_RUNNER' and ru.odds_reference is null
                and ru.odds_final is null then 1 end) as no_odds,
            count(case when ru.finish = 1 then 1 end) as winners,
            (select count(*) from payouts p where p.race_id = r.id) as payouts,
            (select count(*) from runner_predictions p where p.race_id = r.id) as predicted
            from races r join meetings m on m.id = r.meeting_id
            join tracks t on t.id = m.track_id
            left join runners ru on ru.race_id = r.id where 1 = 1");
    q.args.push(Arg::Date(before));
    q.args.push(Arg::Date(before));
    push_filter(&mut q, f);
    q.text.push_str(" group by r.id, r.date, r.arrival) x");
    q
}

#[derive(sqlx::FromRow)]
pub(crate) struct BetGroupRow {
    strategy: String,
    label: String,
    settled: i64,
    pending: i64,
    won: i64,
    staked: f64,
    returned: f64,
}

impl From<BetGroupRow> for BetGroup {
    fn from(r: BetGroupRow) -> Self {
        Self {
            strategy: r.strategy,
            label: r.label,
            settled: r.settled,
            pending: r.pending,
            won: r.won,
            staked: r.staked,
            returned: r.returned,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PredictedRunnerRow {
    date: NaiveDate,
    meeting: i64,
    race: i64,
    number: i64,
    p_win: f64,
    odds_reference: Option<f64>,
    odds_final: Option<f64>,
    finish: Option<i64>,
}

impl PredictedRunnerRow {
    pub(crate) fn into_runner(self) -> Result<PredictedRunner> {
        Ok(PredictedRunner {
            key: race_key(self.date, self.meeting, self.race)?,
            number: u32_of("runner number", self.number)?,
            p_win: self.p_win,
            odds_reference: self.odds_reference,
            odds_final: self.odds_final,
            finish: self.finish.map(|f| u32_of("finish", f)).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunnerNameRow {
    date: NaiveDate,
    meeting: i64,
    race: i64,
    number: i64,
    horse: String,
}

fn u32_of(field: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Invalid(format!("{field} = {v}")))
}

fn race_key(date: NaiveDate, meeting: i64, race: i64) -> Result<RaceKey> {
    Ok(RaceKey {
        date,
        meeting: u32_of("meeting number", meeting)?,
        race: u32_of("race number", race)?,
    })
}

impl RunnerNameRow {
    pub(crate) fn into_name(self) -> Result<RunnerName> {
        Ok(RunnerName {
            key: race_key(self.date, self.meeting, self.race)?,
            number: u32_of("runner number", self.number)?,
            horse: self.horse,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DataQualityRow {
    races: i64,
    runners: i64,
    runners_without_odds: i64,
    races_without_runners: i64,
    past_races_without_result: i64,
    results_without_payouts: i64,
    results_without_winner: i64,
    past_races_without_prediction: i64,
}

impl From<DataQualityRow> for DataQuality {
    fn from(r: DataQualityRow) -> Self {
        Self {
            races: r.races,
            runners: r.runners,
            runners_without_odds: r.runners_without_odds,
            races_without_runners: r.races_without_runners,
            past_races_without_result: r.past_races_without_result,
            results_without_payouts: r.results_without_payouts,
            results_without_winner: r.results_without_winner,
            past_races_without_prediction: r.past_races_without_prediction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prediction_thresholds_join_the_betting_run_and_bind_in_order() {
        // Arrange
        let f = BetFilter {
            period: PeriodFilter {
                tracks: vec!["pau".into()],
                ..PeriodFilter::default()
            },
            min_p_win: Some(0.2),
            min_edge: Some(0.1),
        };
        // Act
        let with = bet_groups(&f, BetDimension::OddsBand);
        let without = bet_groups(&BetFilter::default(), BetDimension::Day);
        // Assert
        assert!(with.text.contains("join runner_predictions rp"));
        assert!(!without.text.contains("runner_predictions"));
        assert_eq!(with.text.matches('?').count(), with.args.len());
        assert!(
            matches!(with.args.as_slice(), [Arg::Text(_), Arg::Float(p), Arg::Float(e)]
            if *p == 0.2 && *e == 0.1)
        );
    }
}
