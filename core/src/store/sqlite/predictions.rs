//! SQLite side of the stored model output: runs the shared SQL of `store::predictions`.

use super::SqliteStore;
use crate::domain::RaceKey;
use crate::store::Result;
use crate::store::predictions::{
    self as p, BankrollPoint, BankrollRow, DayPredictions, PronosticRow, RaceIdRow, RunRow,
    RunnerRow, SimBet, SimBetRow, StoredRacePrediction, ValueBet, ValueRow,
};
use crate::store::write::CHUNK;
use chrono::{NaiveDate, Utc};
use sqlx::{QueryBuilder, Sqlite};

impl SqliteStore {
    async fn latest_run(&self, date: NaiveDate) -> Result<Option<RunRow>> {
        Ok(sqlx::query_as(p::LATEST_RUN)
            .bind(date)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub(super) async fn replace_predictions_impl(&self, day: &DayPredictions) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<RaceIdRow> = sqlx::query_as(p::RACE_IDS_OF_DAY)
            .bind(day.date)
            .fetch_all(&mut *tx)
            .await?;
        let ids = p::race_ids(ids);
        sqlx::query(p::DELETE_RUN)
            .bind(day.date)
            .bind(&day.model_version)
            .execute(&mut *tx)
            .await?;
        let run = sqlx::query(p::INSERT_RUN)
            .bind(day.date)
            .bind(&day.model_version)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?
            .last_insert_rowid();
        let mut runners = Vec::new();
        let mut pronostics = Vec::new();
        for race in &day.races {
            let race_id = p::race_id(&ids, race.key)?;
            runners.extend(race.runners.iter().map(|r| (race_id, r)));
            pronostics.extend(race.pronostics.iter().map(|r| (race_id, r)));
        }
        for chunk in runners.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "insert into runner_predictions (run_id, race_id, number, p_win, p_place, p_model,
                 win_rank, odds, edge, kelly, explanation) ",
            );
            q.push_values(chunk, |mut b, (race_id, r)| {
                b.push_bind(run)
                    .push_bind(*race_id)
                    .push_bind(i64::from(r.number))
                    .push_bind(r.p_win)
                    .push_bind(r.p_place)
                    .push_bind(r.p_model)
                    .push_bind(i64::from(r.rank))
                    .push_bind(r.odds)
                    .push_bind(r.edge)
                    .push_bind(r.kelly)
                    .push_bind(r.explanation.to_string());
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in pronostics.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "insert into race_pronostics (run_id, race_id, kind, selection, probability,
                 probability_in_order, confidence) ",
            );
            q.push_values(chunk, |mut b, (race_id, r)| {
                b.push_bind(run)
                    .push_bind(*race_id)
                    .push_bind(r.kind.clone())
                    .push_bind(p::selection_text(&r.selection))
                    .push_bind(r.probability)
                    .push_bind(r.probability_in_order)
                    .push_bind(r.confidence.clone());
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(runners.len() as u64)
    }

    pub(super) async fn day_predictions_impl(
        &self,
        date: NaiveDate,
    ) -> Result<Vec<StoredRacePrediction>> {
        let Some(run) = self.latest_run(date).await? else {
            return Ok(Vec::new());
        };
        let runners: Vec<RunnerRow> = sqlx::query_as(p::RUNNER_ROWS)
            .bind(run.id)
            .fetch_all(&self.pool)
            .await?;
        let pronostics: Vec<PronosticRow> = sqlx::query_as(p::PRONOSTIC_ROWS)
            .bind(run.id)
            .fetch_all(&self.pool)
            .await?;
        p::assemble(date, &run, runners, pronostics)
    }

    pub(super) async fn race_predictions_impl(
        &self,
        key: RaceKey,
    ) -> Result<Option<StoredRacePrediction>> {
        let day = self.day_predictions_impl(key.date).await?;
        Ok(day.into_iter().find(|r| r.race.key == key))
    }

    pub(super) async fn day_value_bets_impl(
        &self,
        date: NaiveDate,
        min_edge: f64,
    ) -> Result<Vec<ValueBet>> {
        let Some(run) = self.latest_run(date).await? else {
            return Ok(Vec::new());
        };
        let rows: Vec<ValueRow> = sqlx::query_as(p::VALUE_ROWS)
            .bind(run.id)
            .bind(min_edge)
            .fetch_all(&self.pool)
            .await?;
        p::value_bets(date, &run.model_version, rows)
    }

    pub(super) async fn replace_sim_bets_impl(
        &self,
        date: NaiveDate,
        bets: &[SimBet],
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<RaceIdRow> = sqlx::query_as(p::RACE_IDS_OF_DAY)
            .bind(date)
            .fetch_all(&mut *tx)
            .await?;
        let ids = p::race_ids(ids);
        sqlx::query(p::DELETE_SIM_BETS)
            .bind(date)
            .execute(&mut *tx)
            .await?;
        let rows = bets
            .iter()
            .map(|b| Ok((p::race_id(&ids, b.key)?, b)))
            .collect::<Result<Vec<_>>>()?;
        for chunk in rows.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "insert into sim_bets (strategy, race_id, race_date, bet_type, number, stake, odds,
                 model_version, status, returned) ",
            );
            q.push_values(chunk, |mut b, (race_id, bet)| {
                b.push_bind(bet.strategy.clone())
                    .push_bind(*race_id)
                    .push_bind(date)
                    .push_bind(bet.bet_type.clone())
                    .push_bind(i64::from(bet.number))
                    .push_bind(bet.stake)
                    .push_bind(bet.odds)
                    .push_bind(bet.model_version.clone())
                    .push_bind(bet.status.clone())
                    .push_bind(bet.returned);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    pub(super) async fn day_sim_bets_impl(&self, date: NaiveDate) -> Result<Vec<SimBet>> {
        let rows: Vec<SimBetRow> = sqlx::query_as(p::SIM_BET_ROWS)
            .bind(date)
            .fetch_all(&self.pool)
            .await?;
        p::sim_bets(date, rows)
    }

    pub(super) async fn bankroll_history_impl(&self, initial: f64) -> Result<Vec<BankrollPoint>> {
        let rows: Vec<BankrollRow> = sqlx::query_as(p::BANKROLL_ROWS)
            .fetch_all(&self.pool)
            .await?;
        Ok(p::bankroll(initial, rows))
    }
}
