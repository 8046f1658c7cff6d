#![cfg(feature = "runtime")]
//! The Store contract of the dashboard's reads (period figures, daily counts, monthly records,
//! jockeys, trainers, latest job runs, simulated bets, predicted runners, data quality): the same
//! scenarios against SQLite and, with TEST_MYSQL_URL, MySQL/MariaDB.

mod support;

use chrono::NaiveDate;
use pronoturf_core::domain::*;
use pronoturf_core::store::{
    BetDimension, BetFilter, BetGroup, DataQuality, DayPredictions, JobOutcome, PeriodFilter,
    Person, RacePrediction, RunnerPrediction, SimBet,
};
use support::backends;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("date")
}

fn runner(number: u32, horse: &str, finish: Option<u32>, odds: Option<f64>) -> Runner {
    let mut r = Runner::new(number, Horse::named(horse));
    r.jockey = Some("J. Dupont".into());
    r.trainer = (number == 1).then(|| "P. Martin".to_string());
    r.status = if finish.is_some() {
        RunnerStatus::Ran
    } else {
        RunnerStatus::Declared
    };
    r.finish = finish;
    r.odds_final = odds;
    r
}

fn card(date: NaiveDate, track: &str, discipline: Discipline, runners: Vec<Runner>) -> RaceCard {
    let mut race = Race::new(1, discipline);
    let winners: Vec<Vec<u32>> = runners
        .iter()
        .filter(|r| r.finish.is_some())
        .map(|r| vec![r.number])
        .collect();
    race.arrival = (!winners.is_empty()).then_some(winners);
    RaceCard {
        meeting: Meeting {
            date,
            number: 1,
            track: Track {
                name: track.into(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race,
        runners,
        odds: vec![],
        payouts: vec![],
    }
}

/// Three races: Vincennes on 1 January (the favourite, number 1 at 2.9, finishes second; a
/// non-runner), Pau on 2 January (the favourite wins), Vincennes on 10 February (no result yet).
fn fixture() -> Vec<RaceCard> {
    let mut non_runner = runner(3, "LENT", None, None);
    non_runner.status = RunnerStatus::NonRunner;
    vec![
        card(
            day(1, 1),
            "VINCENNES",
            Discipline::Attele,
            vec![
                runner(1, "ALPHA", Some(2), Some(2.9)),
                runner(2, "BRAVO", Some(1), Some(4.0)),
                non_runner,
            ],
        ),
        card(
            day(1, 2),
            "PAU",
            Discipline::Plat,
            vec![
                runner(1, "ALPHA", Some(1), Some(2.0)),
                runner(2, "CHARLIE", Some(2), Some(5.0)),
            ],
        ),
        card(
            day(2, 10),
            "VINCENNES",
            Discipline::Attele,
            vec![
                runner(1, "ALPHA", None, None),
                runner(2, "BRAVO", None, None),
            ],
        ),
    ]
}

#[tokio::test]
async fn period_figures_count_races_runners_and_favourites_under_each_filter() {
    for b in backends().await {
        // Arrange
        b.store.upsert_race_cards(&fixture()).await.expect("write");
        let all = PeriodFilter::default();
        let vincennes = PeriodFilter {
            tracks: vec!["vincennes ".into()],
            ..PeriodFilter::default()
        };
        let plat = PeriodFilter {
            disciplines: vec!["plat".into()],
            ..PeriodFilter::default()
        };
        let from_2_jan = PeriodFilter {
            from: Some(day(1, 2)),
            to: Some(day(1, 31)),
            ..PeriodFilter::default()
        };
        // Act
        let f = b.store.period_figures(&all).await.expect("figures");
        let v = b.store.period_figures(&vincennes).await.expect("figures");
        let p = b.store.period_figures(&plat).await.expect("figures");
        let j = b.store.period_figures(&from_2_jan).await.expect("figures");
        // Assert
        assert_eq!(
            (
                f.meetings,
                f.races,
                f.runners,
                f.non_runners,
                f.races_with_result
            ),
            (3, 3, 6, 1, 2),
            "{}",
            b.name
        );
        assert_eq!((f.favourite_races, f.favourite_wins), (2, 1), "{}", b.name);
        assert_eq!(f.average_field(), Some(2.0));
        assert_eq!(f.favourite_win_rate(), Some(0.5));
        assert_eq!((v.races, v.favourite_races, v.favourite_wins), (2, 1, 0));
        assert_eq!((p.races, p.favourite_wins), (1, 1), "{}", b.name);
        assert_eq!((j.races, j.runners), (1, 2), "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn an_empty_store_has_zero_figures_and_no_rates() {
    for b in backends().await {
        let f = b
            .store
            .period_figures(&PeriodFilter::default())
            .await
            .expect("figures");
        assert_eq!(
            (f.races, f.runners, f.favourite_races),
            (0, 0, 0),
            "{}",
            b.name
        );
        assert_eq!(f.average_field(), None);
        assert_eq!(f.favourite_win_rate(), None);
        assert!(
            b.store
                .daily_counts(&PeriodFilter::default())
                .await
                .expect("daily")
                .is_empty()
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn daily_counts_give_races_per_day_in_date_order() {
    for b in backends().await {
        b.store.upsert_race_cards(&fixture()).await.expect("write");
        let days = b
            .store
            .daily_counts(&PeriodFilter::default())
            .await
            .expect("daily");
        let got: Vec<(NaiveDate, i64)> = days.iter().map(|d| (d.date, d.races)).collect();
        assert_eq!(
            got,
            vec![(day(1, 1), 1), (day(1, 2), 1), (day(2, 10), 1)],
            "{}",
            b.name
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn jockeys_and_trainers_are_searched_with_their_record_and_rides() {
    for b in backends().await {
        // Arrange
        b.store.upsert_race_cards(&fixture()).await.expect("write");
        // Act
        let jockeys = b.store.search_jockeys("j. d", 10, 0).await.expect("search");
        let trainers = b
            .store
            .search_trainers("p. m", 10, 0)
            .await
            .expect("search");
        // Assert
        assert_eq!(jockeys.len(), 1, "{}", b.name);
        let dupont = &jockeys[0];
        assert_eq!(
            (
                dupont.name.as_str(),
                dupont.runs,
                dupont.wins,
                dupont.places
            ),
            ("J. Dupont", 4, 2, 4),
            "{}: rides of 1 and 2 January run, February's are only declared",
            b.name
        );
        assert!(
            b.store
                .search_jockeys("%", 10, 0)
                .await
                .expect("s")
                .is_empty()
        );
        let (person, rides) = b
            .store
            .jockey_form(dupont.id, 10)
            .await
            .expect("form")
            .expect("jockey");
        assert_eq!(person, *dupont);
        assert_eq!(rides.len(), 7, "{}: non-runner included", b.name);
        assert_eq!(rides[0].key.date, day(2, 10), "newest first");
        assert_eq!(rides[0].horse, "ALPHA");
        assert_eq!(rides[0].trainer.as_deref(), Some("P. Martin"));

        assert_eq!(trainers.len(), 1, "{}", b.name);
        assert_eq!((trainers[0].runs, trainers[0].wins), (2, 1), "{}", b.name);
        let (_, runners) = b
            .store
            .trainer_form(trainers[0].id, 2)
            .await
            .expect("form")
            .expect("trainer");
        assert_eq!(runners.len(), 2, "limited to 2");
        assert_eq!(
            (
                runners[1].key.date,
                runners[1].finish,
                runners[1].odds_final
            ),
            (day(1, 2), Some(1), Some(2.0)),
            "{}",
            b.name
        );
        assert!(b.store.jockey_form(-1, 10).await.expect("form").is_none());
        assert!(b.store.trainer_form(-1, 10).await.expect("form").is_none());
        b.cleanup().await;
    }
}

#[tokio::test]
async fn monthly_records_count_runs_wins_and_places_per_month() {
    for b in backends().await {
        b.store.upsert_race_cards(&fixture()).await.expect("write");
        let jockey = b.store.search_jockeys("J", 1, 0).await.expect("s")[0].id;
        let horse = b.store.search_horses("ALPHA", 1, 0).await.expect("s")[0].id;

        let months = b
            .store
            .monthly_record(Person::Jockey(jockey), &PeriodFilter::default())
            .await
            .expect("months");
        let got: Vec<(i32, u32, i64, i64, i64)> = months
            .iter()
            .map(|m| (m.year, m.month, m.runs, m.wins, m.places))
            .collect();
        assert_eq!(
            got,
            vec![(2026, 1, 4, 2, 4), (2026, 2, 0, 0, 0)],
            "{}",
            b.name
        );

        let pau = PeriodFilter {
            tracks: vec!["PAU".into()],
            ..PeriodFilter::default()
        };
        let alpha = b
            .store
            .monthly_record(Person::Horse(horse), &pau)
            .await
            .expect("months");
        assert_eq!(alpha.len(), 1, "{}", b.name);
        assert_eq!((alpha[0].runs, alpha[0].wins), (1, 1));
        b.cleanup().await;
    }
}

#[tokio::test]
async fn latest_job_runs_keep_the_last_run_of_each_job_and_status() {
    for b in backends().await {
        // Arrange
        let params = serde_json::json!({});
        let first = b
            .store
            .start_job_run("sync", &params, 1)
            .await
            .expect("run");
        b.store
            .finish_job_run(first, JobOutcome::Succeeded, None, None)
            .await
            .expect("finish");
        let failed = b
            .store
            .start_job_run("sync", &params, 1)
            .await
            .expect("run");
        b.store
            .finish_job_run(failed, JobOutcome::Failed, None, Some("timeout"))
            .await
            .expect("finish");
        let last = b
            .store
            .start_job_run("sync", &params, 2)
            .await
            .expect("run");
        b.store
            .finish_job_run(last, JobOutcome::Succeeded, None, None)
            .await
            .expect("finish");
        let import = b
            .store
            .start_job_run("import", &params, 1)
            .await
            .expect("run");
        // Act
        let latest = b.store.latest_job_runs().await.expect("latest");
        // Assert
        let got: Vec<(i64, &str, &str)> = latest
            .iter()
            .map(|r| (r.id, r.job.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (import, "import", "running"),
                (last, "sync", "succeeded"),
                (failed, "sync", "failed"),
            ],
            "{}",
            b.name
        );
        assert_eq!(latest[2].error.as_deref(), Some("timeout"));
        b.cleanup().await;
    }
}

fn prediction(number: u32, p_win: f64, edge: f64) -> RunnerPrediction {
    RunnerPrediction {
        number,
        p_win,
        p_place: p_win,
        p_model: p_win,
        rank: number,
        odds: Some(3.0),
        edge: Some(edge),
        kelly: Some(0.0),
        explanation: serde_json::json!({"up": [], "down": []}),
    }
}

fn predictions(date: NaiveDate, version: &str, runners: Vec<RunnerPrediction>) -> DayPredictions {
    DayPredictions {
        date,
        model_version: version.into(),
        races: vec![RacePrediction {
            key: RaceKey {
                date,
                meeting: 1,
                race: 1,
            },
            runners,
            pronostics: vec![],
        }],
    }
}

fn bet(strategy: &str, date: NaiveDate, number: u32, stake: f64, returned: Option<f64>) -> SimBet {
    let status = match returned {
        None => "pending",
        Some(r) if r > 0.0 => "won",
        Some(_) => "lost",
    };
    SimBet {
        strategy: strategy.into(),
        key: RaceKey {
            date,
            meeting: 1,
            race: 1,
        },
        bet_type: "SIMPLE_GAGNANT".into(),
        number,
        stake,
        odds: None,
        model_version: "m1".into(),
        status: status.into(),
        returned,
    }
}

/// The fixture with morning odds (n° 1 of 1 January at 2.5, n° 2 of 2 January at 12), model
/// predictions of January's races and bets: "top" loses on 1 January, wins 2 € on 2 January and
/// waits on 10 February; "value" loses 2 € then 1 €.
async fn betting_fixture(store: &dyn pronoturf_core::store::Store) {
    let mut cards = fixture();
    cards[0].runners[0].odds_reference = Some(2.5);
    cards[1].runners[1].odds_reference = Some(12.0);
    store.upsert_race_cards(&cards).await.expect("write");
    store
        .replace_predictions(&predictions(
            day(1, 1),
            "m1",
            vec![prediction(1, 0.6, 0.2), prediction(2, 0.4, -0.1)],
        ))
        .await
        .expect("predictions");
    store
        .replace_predictions(&predictions(
            day(1, 2),
            "m1",
            vec![prediction(1, 0.7, 0.05), prediction(2, 0.3, 0.5)],
        ))
        .await
        .expect("predictions");
    let bets = [
        (
            day(1, 1),
            vec![
                bet("top", day(1, 1), 1, 1.0, Some(0.0)),
                bet("value", day(1, 1), 1, 2.0, Some(0.0)),
            ],
        ),
        (
            day(1, 2),
            vec![
                bet("top", day(1, 2), 1, 1.0, Some(2.0)),
                bet("value", day(1, 2), 2, 1.0, Some(0.0)),
            ],
        ),
        (day(2, 10), vec![bet("top", day(2, 10), 1, 1.0, None)]),
    ];
    for (date, bets) in bets {
        store.replace_sim_bets(date, &bets).await.expect("bets");
    }
}

/// (strategy, label, settled, pending, won, staked, returned) of each group.
type GroupLine = (String, String, i64, i64, i64, f64, f64);

fn lines(groups: &[BetGroup]) -> Vec<GroupLine> {
    groups
        .iter()
        .map(|g| {
            (
                g.strategy.clone(),
                g.label.clone(),
                g.settled,
                g.pending,
                g.won,
                g.staked,
                g.returned,
            )
        })
        .collect()
}

fn line(s: &str, label: &str, counts: (i64, i64, i64), staked: f64, returned: f64) -> GroupLine {
    (
        s.into(),
        label.into(),
        counts.0,
        counts.1,
        counts.2,
        staked,
        returned,
    )
}

#[tokio::test]
async fn simulated_bets_are_summed_per_strategy_and_day_track_or_odds_band() {
    for b in backends().await {
        // Arrange
        betting_fixture(b.store.as_ref()).await;
        let all = BetFilter::default();
        let january = BetFilter {
            period: PeriodFilter {
                from: Some(day(1, 1)),
                to: Some(day(1, 31)),
                ..PeriodFilter::default()
            },
            ..BetFilter::default()
        };
        // Act
        let days = b
            .store
            .sim_bet_groups(&all, BetDimension::Day)
            .await
            .expect("days");
        let tracks = b
            .store
            .sim_bet_groups(&january, BetDimension::Track)
            .await
            .expect("tracks");
        let bands = b
            .store
            .sim_bet_groups(&all, BetDimension::OddsBand)
            .await
            .expect("bands");
        let disciplines = b
            .store
            .sim_bet_groups(&january, BetDimension::Discipline)
            .await
            .expect("disciplines");
        // Assert
        assert_eq!(
            lines(&days),
            vec![
                line("top", "2026-01-01", (1, 0, 0), 1.0, 0.0),
                line("top", "2026-01-02", (1, 0, 1), 1.0, 2.0),
                line("top", "2026-02-10", (0, 1, 0), 0.0, 0.0),
                line("value", "2026-01-01", (1, 0, 0), 2.0, 0.0),
                line("value", "2026-01-02", (1, 0, 0), 1.0, 0.0),
            ],
            "{}",
            b.name
        );
        assert_eq!(
            lines(&tracks),
            vec![
                line("top", "PAU", (1, 0, 1), 1.0, 2.0),
                line("top", "VINCENNES", (1, 0, 0), 1.0, 0.0),
                line("value", "PAU", (1, 0, 0), 1.0, 0.0),
                line("value", "VINCENNES", (1, 0, 0), 2.0, 0.0),
            ],
            "{}",
            b.name
        );
        assert_eq!(
            lines(&bands),
            vec![
                line("top", "<3", (1, 0, 0), 1.0, 0.0),
                line("top", "none", (1, 1, 1), 1.0, 2.0),
                line("value", "10-20", (1, 0, 0), 1.0, 0.0),
                line("value", "<3", (1, 0, 0), 2.0, 0.0),
            ],
            "{}",
            b.name
        );
        assert_eq!(disciplines.len(), 4, "{}", b.name);
        assert_eq!(tracks[0].roi(), Some(1.0));
        assert_eq!(days[2].roi(), None, "nothing settled");
        b.cleanup().await;
    }
}

#[tokio::test]
async fn bets_can_be_limited_to_confident_or_value_predictions() {
    for b in backends().await {
        betting_fixture(b.store.as_ref()).await;
        let confident = BetFilter {
            min_p_win: Some(0.5),
            ..BetFilter::default()
        };
        let value = BetFilter {
            min_edge: Some(0.1),
            ..BetFilter::default()
        };
        let confident = b
            .store
            .sim_bet_groups(&confident, BetDimension::Day)
            .await
            .expect("confident");
        let value = b
            .store
            .sim_bet_groups(&value, BetDimension::Day)
            .await
            .expect("value");
        // n° 1 had 60 % and 70 %; n° 2 of 2 January 30 %; 10 February has no prediction.
        assert_eq!(
            lines(&confident),
            vec![
                line("top", "2026-01-01", (1, 0, 0), 1.0, 0.0),
                line("top", "2026-01-02", (1, 0, 1), 1.0, 2.0),
                line("value", "2026-01-01", (1, 0, 0), 2.0, 0.0),
            ],
            "{}",
            b.name
        );
        // Edges above 0.1: n° 1 on 1 January (0.2), n° 2 on 2 January (0.5).
        assert_eq!(
            lines(&value),
            vec![
                line("top", "2026-01-01", (1, 0, 0), 1.0, 0.0),
                line("value", "2026-01-01", (1, 0, 0), 2.0, 0.0),
                line("value", "2026-01-02", (1, 0, 0), 1.0, 0.0),
            ],
            "{}",
            b.name
        );
        b.cleanup().await;
    }
}

/// (date, number, p_win, morning odds, final odds, finish) of a predicted runner.
type PredictedLine = (NaiveDate, u32, f64, Option<f64>, Option<f64>, Option<u32>);

#[tokio::test]
async fn predicted_runners_of_settled_races_come_from_the_latest_run_with_odds_and_finish() {
    for b in backends().await {
        // Arrange: a later run of another model replaces 1 January's for readers.
        betting_fixture(b.store.as_ref()).await;
        b.store
            .replace_predictions(&predictions(
                day(1, 1),
                "m2",
                vec![prediction(1, 0.55, 0.0), prediction(2, 0.45, 0.0)],
            ))
            .await
            .expect("m2");
        let pau = PeriodFilter {
            tracks: vec!["pau".into()],
            ..PeriodFilter::default()
        };
        // Act
        let all = b
            .store
            .predicted_runners(&PeriodFilter::default())
            .await
            .expect("all");
        let only_pau = b.store.predicted_runners(&pau).await.expect("pau");
        // Assert
        let got: Vec<PredictedLine> = all
            .iter()
            .map(|r| {
                (
                    r.key.date,
                    r.number,
                    r.p_win,
                    r.odds_reference,
                    r.odds_final,
                    r.finish,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (day(1, 1), 1, 0.55, Some(2.5), Some(2.9), Some(2)),
                (day(1, 1), 2, 0.45, None, Some(4.0), Some(1)),
                (day(1, 2), 1, 0.7, None, Some(2.0), Some(1)),
                (day(1, 2), 2, 0.3, Some(12.0), Some(5.0), Some(2)),
            ],
            "{}",
            b.name
        );
        assert_eq!(only_pau.len(), 2, "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn data_quality_counts_missing_odds_results_payouts_and_predictions() {
    for b in backends().await {
        betting_fixture(b.store.as_ref()).await;
        let q = b
            .store
            .data_quality(&PeriodFilter::default(), day(2, 11))
            .await
            .expect("quality");
        // 10 February: two runners without odds, no result, no prediction; no payout stored.
        assert_eq!(
            q,
            DataQuality {
                races: 3,
                runners: 6,
                runners_without_odds: 2,
                races_without_runners: 0,
                past_races_without_result: 1,
                results_without_payouts: 2,
                results_without_winner: 0,
                past_races_without_prediction: 1,
            },
            "{}",
            b.name
        );
        let before = b
            .store
            .data_quality(&PeriodFilter::default(), day(2, 10))
            .await
            .expect("quality");
        assert_eq!(
            (
                before.past_races_without_result,
                before.past_races_without_prediction
            ),
            (0, 0),
            "10 February is not past yet"
        );
        let names = b.store.day_runner_names(day(1, 1)).await.expect("names");
        let names: Vec<(u32, &str)> = names.iter().map(|n| (n.number, n.horse.as_str())).collect();
        assert_eq!(
            names,
            vec![(1, "ALPHA"), (2, "BRAVO"), (3, "LENT")],
            "{}",
            b.name
        );
        b.cleanup().await;
    }
}
