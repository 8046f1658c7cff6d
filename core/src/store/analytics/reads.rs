//! The backend code of the dashboard's reads, expanded once per backend.

/// Implements the reads of this module for one backend: `$db` is the sqlx database, `$year` and
/// `$month` its expressions extracting integers from `r.date`. A macro rather than a function
/// generic over the database (STYLE.md §5): each backend gets plain concrete code.
macro_rules! analytics_reads {
    ($store:ty, $db:ty, $year:literal, $month:literal) => {
        impl $store {
            fn analytics_query<O>(
                q: &$crate::store::analytics::Sql,
            ) -> sqlx::query::QueryAs<'static, $db, O, <$db as sqlx::Database>::Arguments>
            where
                O: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row>,
            {
                use $crate::store::analytics::Arg;
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(q.text.clone()));
                for arg in &q.args {
                    query = match arg {
                        Arg::Text(s) => query.bind(s.clone()),
                        Arg::Date(d) => query.bind(*d),
                        Arg::Int(i) => query.bind(*i),
                        Arg::Float(x) => query.bind(*x),
                    };
                }
                query
            }

            async fn read_period_figures(
                &self,
                f: &$crate::store::analytics::PeriodFilter,
            ) -> $crate::store::Result<$crate::store::analytics::PeriodFigures> {
                use $crate::store::analytics as a;
                let row: a::PeriodFiguresRow = Self::analytics_query(&a::period_figures(f))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(row.into())
            }

            async fn read_daily_counts(
                &self,
                f: &$crate::store::analytics::PeriodFilter,
            ) -> $crate::store::Result<Vec<$crate::store::analytics::DailyCount>> {
                use $crate::store::analytics as a;
                let rows: Vec<a::DailyRow> = Self::analytics_query(&a::daily_counts(f))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn read_monthly_record(
                &self,
                person: $crate::store::analytics::Person,
                f: &$crate::store::analytics::PeriodFilter,
            ) -> $crate::store::Result<Vec<$crate::store::analytics::MonthlyRecord>> {
                use $crate::store::analytics as a;
                let q = a::monthly_record(person, f, $year, $month);
                let rows: Vec<a::MonthlyRow> =
                    Self::analytics_query(&q).fetch_all(&self.pool).await?;
                rows.into_iter().map(a::MonthlyRow::into_record).collect()
            }

            async fn read_people(
                &self,
                role: $crate::store::analytics::Role,
                prefix: &str,
                limit: u32,
                offset: u32,
            ) -> $crate::store::Result<Vec<$crate::store::analytics::PersonSummary>> {
                use $crate::store::analytics as a;
                let q = a::search_people(role, prefix, limit, offset);
                let rows: Vec<a::PersonRow> =
                    Self::analytics_query(&q).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn read_person_form(
                &self,
                role: $crate::store::analytics::Role,
                id: i64,
                limit: u32,
            ) -> $crate::store::Result<
                Option<(
                    $crate::store::analytics::PersonSummary,
                    Vec<$crate::store::analytics::RideLine>,
                )>,
            > {
                use $crate::store::analytics as a;
                let person: Option<a::PersonRow> = Self::analytics_query(&a::find_person(role, id))
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(person) = person else {
                    return Ok(None);
                };
                let rows: Vec<a::RideRow> = Self::analytics_query(&a::rides(role, id, limit))
                    .fetch_all(&self.pool)
                    .await?;
                let lines = rows
                    .into_iter()
                    .map(a::RideRow::into_line)
                    .collect::<$crate::store::Result<_>>()?;
                Ok(Some((person.into(), lines)))
            }

            async fn read_bet_groups(
                &self,
                f: &$crate::store::analytics::BetFilter,
                by: $crate::store::analytics::BetDimension,
            ) -> $crate::store::Result<Vec<$crate::store::analytics::BetGroup>> {
                use $crate::store::analytics as a;
                let rows: Vec<a::BetGroupRow> = Self::analytics_query(&a::bet_groups(f, by))
                    .fetch_all(&self.pool)
                    .await?;
                let mut groups: Vec<a::BetGroup> = rows.into_iter().map(Into::into).collect();
                // Byte order, the same on both backends (MySQL's collation puts '<' before '1').
                groups.sort_by(|x, y| (&x.strategy, &x.label).cmp(&(&y.strategy, &y.label)));
                Ok(groups)
            }

            async fn read_predicted_runners(
                &self,
                f: &$crate::store::analytics::PeriodFilter,
            ) -> $crate::store::Result<Vec<$crate::store::analytics::PredictedRunner>> {
                use $crate::store::analytics as a;
                let rows: Vec<a::PredictedRunnerRow> =
                    Self::analytics_query(&a::predicted_runners(f))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(a::PredictedRunnerRow::into_runner)
                    .collect()
            }

            async fn read_day_runner_names(
                &self,
                date: chrono::NaiveDate,
            ) -> $crate::store::Result<Vec<$crate::store::analytics::RunnerName>> {
                use $crate::store::analytics as a;
                let rows: Vec<a::RunnerNameRow> = Self::analytics_query(&a::day_runner_names(date))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(a::RunnerNameRow::into_name).collect()
            }

            async fn read_data_quality(
                &self,
                f: &$crate::store::analytics::PeriodFilter,
                before: chrono::NaiveDate,
            ) -> $crate::store::Result<$crate::store::analytics::DataQuality> {
                use $crate::store::analytics as a;
                let row: a::DataQualityRow = Self::analytics_query(&a::data_quality(f, before))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(row.into())
            }

            async fn read_latest_job_runs(
                &self,
            ) -> $crate::store::Result<Vec<$crate::store::JobRun>> {
                let rows: Vec<$crate::store::rows::JobRunRow> =
                    sqlx::query_as($crate::store::analytics::LATEST_JOB_RUNS)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::store::rows::JobRunRow::into_job_run)
                    .collect()
            }
        }
    };
}
pub(crate) use analytics_reads;
