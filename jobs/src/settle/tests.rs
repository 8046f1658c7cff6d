use super::*;
use chrono::Utc;
use pronoturf_core::domain::{Discipline, Horse, Meeting, Payout, Race, Runner, Track};
use pronoturf_core::store::{RacePrediction, RunnerPrediction};

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 1).expect("date")
}

fn card(finishes: &[(u32, Option<u32>, RunnerStatus)], payouts: Vec<Payout>) -> RaceCard {
    RaceCard {
        meeting: Meeting {
            date: date(),
            number: 1,
            track: Track {
                name: "T".into(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race: Race::new(1, Discipline::Plat),
        runners: finishes
            .iter()
            .map(|&(n, f, status)| {
                let mut r = Runner::new(n, Horse::named(format!("H{n}")));
                r.finish = f;
                r.status = status;
                r.odds_final = Some(2.0 + f64::from(n));
                r
            })
            .collect(),
        odds: Vec::new(),
        payouts,
    }
}

fn payout(bet_type: &str, combination: &str, dividend: f64) -> Payout {
    Payout {
        bet_type: bet_type.into(),
        combination: combination.into(),
        label: None,
        dividend_per_euro: dividend,
        winners: None,
        refunded: false,
    }
}

fn runner(number: u32, p_win: f64, p_place: f64, rank: u32, edge: f64) -> RunnerPrediction {
    RunnerPrediction {
        number,
        p_win,
        p_place,
        p_model: p_win,
        rank,
        odds: Some(4.0),
        edge: Some(edge),
        kelly: Some(if edge > 0.0 { 0.25 * edge / 3.0 } else { 0.0 }),
        explanation: serde_json::Value::Null,
    }
}

fn prediction() -> StoredRacePrediction {
    StoredRacePrediction {
        model_version: "m1".into(),
        created_at: Utc::now(),
        race: RacePrediction {
            key: RaceKey {
                date: date(),
                meeting: 1,
                race: 1,
            },
            runners: vec![
                runner(3, 0.5, 0.8, 1, -0.05),
                runner(5, 0.3, 0.85, 2, 0.2),
                runner(7, 0.2, 0.35, 3, -0.2),
            ],
            pronostics: Vec::new(),
        },
    }
}

#[test]
fn each_strategy_places_its_bets_from_the_prediction() {
    // Act
    let bets = place_bets(&prediction());

    // Assert
    let view: Vec<(&str, &str, u32)> = bets
        .iter()
        .map(|b| (b.strategy.as_str(), b.bet_type.as_str(), b.number))
        .collect();
    assert_eq!(
        view,
        [
            ("top_pick_win_flat", WIN, 3),
            ("value_win_kelly", WIN, 5),
            ("top_place_flat", PLACE, 5)
        ]
    );
    assert!((bets[1].stake - BANK * 0.25 * 0.2 / 3.0).abs() < 1e-12);
    assert!(bets.iter().all(|b| b.status == "pending"));
}

#[test]
fn bets_settle_on_payout_lines_when_published() {
    // Arrange: 5 wins, 3 second; the win line pays 6.2, the place lines 2.1 and 1.4.
    let c = card(
        &[
            (3, Some(2), RunnerStatus::Ran),
            (5, Some(1), RunnerStatus::Ran),
            (7, Some(4), RunnerStatus::Ran),
        ],
        vec![
            payout(WIN, "5", 6.2),
            payout(PLACE, "5", 2.1),
            payout(PLACE, "3", 1.4),
        ],
    );
    let bets = place_bets(&prediction());

    // Act
    let settled: Vec<SimBet> = bets.into_iter().map(|b| settle(b, Some(&c))).collect();

    // Assert
    assert_eq!(settled[0].status, "lost");
    assert_eq!(settled[0].returned, Some(0.0));
    assert_eq!(settled[1].status, "won");
    assert!((settled[1].returned.unwrap_or_default() - settled[1].stake * 6.2).abs() < 1e-12);
    assert_eq!(
        (settled[2].status.as_str(), settled[2].returned),
        ("won", Some(2.1))
    );
}

#[test]
fn without_payouts_win_bets_settle_at_final_odds_and_place_bets_wait_for_their_dividend() {
    // Arrange: 3 wins (final odds 5.0), 5 is second, 7 did not run.
    let c = card(
        &[
            (3, Some(1), RunnerStatus::Ran),
            (5, Some(2), RunnerStatus::Ran),
            (7, None, RunnerStatus::NonRunner),
        ],
        Vec::new(),
    );
    let bet = |number: u32, bet_type: &str| SimBet {
        strategy: "s".into(),
        key: prediction().race.key,
        bet_type: bet_type.into(),
        number,
        stake: 2.0,
        odds: None,
        model_version: "m1".into(),
        status: "pending".into(),
        returned: None,
    };

    // Act / Assert
    let won = settle(bet(3, WIN), Some(&c));
    assert_eq!((won.status.as_str(), won.returned), ("won", Some(10.0)));
    assert_eq!(settle(bet(5, WIN), Some(&c)).status, "lost");
    assert_eq!(settle(bet(5, PLACE), Some(&c)).status, "pending");
    assert_eq!(settle(bet(3, PLACE), Some(&c)).status, "pending");
    let void = settle(bet(7, PLACE), Some(&c));
    assert_eq!((void.status.as_str(), void.returned), ("void", Some(2.0)));
    let fell = card(&[(3, None, RunnerStatus::Dnf)], Vec::new());
    assert_eq!(settle(bet(3, WIN), Some(&fell)).status, "lost");
    // Settling place losers while place winners wait would bias the bankroll down.
    assert_eq!(settle(bet(3, PLACE), Some(&fell)).status, "pending");
    let fourth = card(&[(9, Some(4), RunnerStatus::Ran)], Vec::new());
    assert_eq!(settle(bet(9, PLACE), Some(&fourth)).status, "pending");
    let no_result = card(&[(3, None, RunnerStatus::Declared)], Vec::new());
    assert_eq!(settle(bet(3, WIN), Some(&no_result)).status, "pending");
    assert_eq!(settle(bet(3, WIN), None).returned, None);
}
