//! Mapping rules on small hand-written payloads; the real samples are covered by
//! `tests/shared_payloads.rs`.

use super::*;
use crate::payload::{parse_participants, parse_programme, parse_rapports};

/// A summer day (Paris = UTC+2): 2025-07-13 00:00 Paris is 2025-07-12T22:00Z.
const PROGRAMME: &str = r#"{"programme":{"date":1752357600000,"reunions":[
  {"numOfficiel":3,"dateReunion":1752357600000,"nature":"DIURNE","audience":"NATIONAL","statut":"TERMINEE",
   "hippodrome":{"code":"VIC","libelleCourt":" VICHY ","libelleLong":"HIPPODROME DE VICHY"},
   "pays":{"code":"FRA","libelle":"FRANCE"},
   "meteo":{"temperature":24,"forceVent":10,"directionVent":"NE","nebulositeLibelleCourt":"Ensoleillé"},
   "courses":[
     {"numOrdre":1,"libelle":"PRIX A","heureDepart":1752415200000,"discipline":"ATTELE","specialite":"TROT_ATTELE",
      "distance":2950,"montantPrix":30000,"statut":"ARRIVEE_DEFINITIVE_COMPLETE","ordreArrivee":[[4],[1,2]],
      "dureeCourse":222000,"penetrometre":{"intitule":"Bon","valeurMesure":"n/a"},"typePiste":"SABLE"},
     {"numOrdre":2,"specialite":"TROT_MONTE","statut":"PROGRAMMEE","ordreArrivee":[],
      "penetrometre":{"intitule":"PSF"}}]},
  {"numOfficiel":4,"hippodrome":{"code":"XYZ"},"courses":[{"numOrdre":1,"arriveeDefinitive":true}]},
  {"numOfficiel":5,"courses":[{"numOrdre":1}]}]}}"#;

#[expect(clippy::unwrap_used)]
fn cards() -> Vec<RaceCard> {
    race_cards_from_programme(&parse_programme(PROGRAMME.as_bytes()).unwrap())
}

#[test]
fn every_course_of_every_named_meeting_becomes_a_card() {
    // Arrange / Act
    let cards = cards();

    // Assert: meeting 5 has no track name and is skipped; meeting 4 falls back to its code.
    let keys: Vec<String> = cards.iter().map(|c| c.key().to_string()).collect();
    assert_eq!(
        keys,
        ["2025-07-13 R3C1", "2025-07-13 R3C2", "2025-07-13 R4C1"]
    );
    assert_eq!(cards[2].meeting.track.name, "XYZ");
    assert!(
        cards
            .iter()
            .all(|c| c.runners.is_empty() && c.odds.is_empty())
    );
}

#[test]
fn meeting_and_race_fields_are_converted() {
    let cards = cards();
    let (m, r) = (&cards[0].meeting, &cards[0].race);
    assert_eq!(m.track.name, "VICHY");
    assert_eq!(m.track.code.as_deref(), Some("VIC"));
    assert_eq!(m.track.country.as_deref(), Some("FRA"));
    let weather = m.weather.as_ref().expect("meteo");
    assert_eq!(
        (weather.temperature_c, weather.wind_kmh),
        (Some(24), Some(10))
    );
    assert_eq!(weather.sky.as_deref(), Some("Ensoleillé"));
    assert_eq!(r.name.as_deref(), Some("PRIX A"));
    assert_eq!(
        r.start_time.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-07-13T14:00:00+00:00")
    );
    assert_eq!(
        (r.discipline.clone(), r.distance_m, r.prize_eur),
        (Discipline::Attele, Some(2950), Some(30000.0))
    );
    assert_eq!(r.arrival, Some(vec![vec![4], vec![1, 2]]));
    assert!(r.is_final);
    assert_eq!(r.going.as_deref(), Some("Bon"));
    assert_eq!(r.penetrometer, None, "unparsable reading");
    assert_eq!(r.duration_ms, Some(222_000));

    let r2 = &cards[1].race;
    assert_eq!(
        r2.discipline,
        Discipline::Monte,
        "derived from the speciality"
    );
    assert_eq!(r2.arrival, None, "an empty arrival is no arrival");
    assert!(!r2.is_final);
    assert_eq!((r2.going.as_deref(), r2.penetrometer), (Some("PSF"), None));
    assert!(cards[2].race.is_final, "arriveeDefinitive alone");
}

#[test]
#[expect(clippy::unwrap_used)]
fn runners_get_their_status_finish_units_and_odds() {
    // Arrange: 1 and 2 dead-heat for second; 3 is disqualified; 5 is a non-runner; 6 has no
    // finish and no incident in a race that was run; 4 won but its payload lacks ordreArrivee.
    let mut card = cards().remove(0);
    let body = r#"[
      {"numPmu":1,"nom":"ALPHA","age":5,"sexe":"HONGRES","statut":"PARTANT","ordreArrivee":2,
       "handicapPoids":590,"gainsParticipant":{"gainsCarriere":1403500},"driver":"J. DOE",
       "entraineur":"X (S)","musique":"1a2a","placeCorde":3,"deferre":"DEFERRE_ANTERIEURS",
       "tempsObtenu":228770,"reductionKilometrique":76300,
       "dernierRapportReference":{"typePari":"SIMPLE_GAGNANT","rapport":34,"dateRapport":1752400000000},
       "dernierRapportDirect":{"typePari":"E_SIMPLE_GAGNANT","rapport":8.3,"dateRapport":1752415300000}},
      {"numPmu":2,"nom":"BETA","statut":"PARTANT","ordreArrivee":2,"handicapPoids":630,"poidsConditionMonte":615,
       "dernierRapportDirect":{"typePari":"SIMPLE_PLACE","rapport":2.1,"dateRapport":1752415300000}},
      {"numPmu":3,"nom":"GAMMA","statut":"PARTANT","incident":"DISQUALIFIE_POUR_ALLURE_IRREGULIERE"},
      {"numPmu":4,"nom":"DELTA","statut":"PARTANT","poidsConditionMonte":0,"handicapPoids":570},
      {"numPmu":5,"nom":"EPSILON","statut":"NON_PARTANT","incident":"NON_PARTANT",
       "dernierRapportDirect":{"typePari":"SIMPLE_GAGNANT_INTERNATIONAL","rapport":64,"dateRapport":1752415300000}},
      {"numPmu":6,"nom":"ZETA","statut":"PARTANT"},
      {"numPmu":7,"nom":"  ","statut":"PARTANT"}
    ]"#;

    // Act
    apply_participants(&mut card, &parse_participants(body.as_bytes()).unwrap());

    // Assert
    let status: Vec<(u32, RunnerStatus, Option<u32>)> = card
        .runners
        .iter()
        .map(|r| (r.number, r.status, r.finish))
        .collect();
    assert_eq!(
        status,
        [
            (1, RunnerStatus::Ran, Some(2)),
            (2, RunnerStatus::Ran, Some(2)),
            (3, RunnerStatus::Dnf, None),
            (4, RunnerStatus::Ran, Some(1)),
            (5, RunnerStatus::NonRunner, None),
            (6, RunnerStatus::Dnf, None),
        ],
        "the nameless runner 7 is skipped"
    );
    let a = &card.runners[0];
    assert_eq!(a.horse.name, "ALPHA");
    assert_eq!(
        (a.horse.sex, a.horse.birth_year, a.horse.source_id.clone()),
        (Some(Sex::Gelding), Some(2020), None)
    );
    assert_eq!((a.weight_kg, a.earnings_eur), (Some(59.0), Some(14035.0)));
    assert_eq!(
        (a.jockey.as_deref(), a.trainer.as_deref()),
        (Some("J. DOE"), Some("X (S)"))
    );
    assert_eq!(
        (a.draw, a.time_ms, a.reduction_km_ms),
        (Some(3), Some(228_770), Some(76_300))
    );
    assert_eq!((a.odds_reference, a.odds_final), (Some(34.0), Some(8.3)));
    assert_eq!(card.runners[1].weight_kg, Some(61.5), "allowance included");
    assert_eq!(
        card.runners[1].odds_final, None,
        "place odds are not win odds"
    );
    assert_eq!(card.runners[3].weight_kg, Some(57.0), "0 means not given");
    assert_eq!(card.runners[4].odds_final, Some(64.0));

    let odds: Vec<(u32, OddsKind, f64)> = card
        .odds
        .iter()
        .map(|o| (o.runner, o.kind, o.odds))
        .collect();
    assert_eq!(
        odds,
        [
            (1, OddsKind::Reference, 34.0),
            (1, OddsKind::Final, 8.3),
            (5, OddsKind::Final, 64.0)
        ]
    );
    assert_eq!(card.odds[0].taken_at.timestamp_millis(), 1_752_400_000_000);

    // Applying the same payload again changes nothing.
    let before = card.clone();
    apply_participants(&mut card, &parse_participants(body.as_bytes()).unwrap());
    assert_eq!(card, before);
}

#[test]
#[expect(clippy::unwrap_used)]
fn before_the_race_runners_are_declared_odds_are_live_and_there_is_no_arrival() {
    let mut card = cards().remove(1);
    let body = br#"{"participants":[{"numPmu":1,"nom":"A","statut":"PARTANT",
      "dernierRapportDirect":{"rapport":5,"dateRapport":1752415300000}}]}"#;
    apply_participants(&mut card, &parse_participants(body).unwrap());
    assert_eq!(card.runners[0].status, RunnerStatus::Declared);
    assert_eq!(
        card.odds[0].kind,
        OddsKind::Live,
        "an untyped rapport counts as win odds"
    );
    assert_eq!(card.race.arrival, None);
}

#[test]
#[expect(clippy::unwrap_used)]
fn the_arrival_is_derived_from_finishes_when_the_programme_had_none() {
    let mut card = cards().remove(1);
    let body =
        br#"[{"numPmu":1,"nom":"A","ordreArrivee":2},{"numPmu":2,"nom":"B","ordreArrivee":1},
      {"numPmu":3,"nom":"C","ordreArrivee":2},{"numPmu":4,"nom":"D"}]"#;
    apply_participants(&mut card, &parse_participants(body).unwrap());
    assert_eq!(card.race.arrival, Some(vec![vec![2], vec![1, 3]]));
    assert_eq!(
        card.runners[3].status,
        RunnerStatus::Dnf,
        "the race was run without it placing"
    );
    assert!(card.odds.is_empty());
}

#[test]
#[expect(clippy::unwrap_used)]
fn a_payload_applied_twice_without_a_programme_arrival_changes_nothing() {
    // Found by fuzzing: a repeated number, and finishes with a gap (the winner unnamed). The
    // second application used to read the arrival derived by the first back as places.
    for body in [
        &br#"[{"numPmu":1,"nom":"A","ordreArrivee":1},{"numPmu":1,"nom":"B"}]"#[..],
        &br#"[{"numPmu":1,"nom":"A","ordreArrivee":2},{"numPmu":2,"nom":"B","ordreArrivee":3},
          {"numPmu":3,"nom":"C"}]"#[..],
    ] {
        let mut card = cards().remove(1);
        assert_eq!(card.race.arrival, None);
        let participants = parse_participants(body).unwrap();
        apply_participants(&mut card, &participants);
        let once = card.clone();
        apply_participants(&mut card, &participants);
        assert_eq!(card, once, "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn dead_heats_share_a_place_and_the_next_place_is_skipped() {
    let arrival = [vec![2], vec![1], vec![7], vec![6, 13], vec![3]];
    let places: Vec<Option<u32>> = [2, 6, 13, 3, 99]
        .iter()
        .map(|&n| finish_in_arrival(&arrival, n))
        .collect();
    assert_eq!(places, [Some(1), Some(4), Some(4), Some(6), None]);
}

#[test]
fn win_bets_are_matched_in_every_pool() {
    for t in [
        "SIMPLE_GAGNANT",
        "E_SIMPLE_GAGNANT",
        "SIMPLE_GAGNANT_INTERNATIONAL",
        " SIMPLE_GAGNANT ",
    ] {
        assert!(is_win_bet(Some(t)), "{t}");
    }
    for t in ["SIMPLE_PLACE", "E_SIMPLE_PLACE", "COUPLE_GAGNANT", ""] {
        assert!(!is_win_bet(Some(t)), "{t}");
    }
}

#[test]
#[expect(clippy::unwrap_used)]
fn payouts_are_converted_from_centimes_and_deduplicated() {
    // Arrange
    let mut card = cards().remove(0);
    let body = br#"[
      {"typePari":"SIMPLE_GAGNANT","miseBase":200,"rapports":[
        {"libelle":"Simple gagnant","dividendePourUnEuro":310,"dividendePourUneMiseDeBase":620,"combinaison":"7","nombreGagnants":21294.6},
        {"libelle":"Simple gagnant","dividendePourUnEuro":999,"combinaison":"7"}]},
      {"typePari":"MULTI","miseBase":300,"dividendeUnite":"PourUneMiseDeBase","rapports":[
        {"libelle":"Multi en 4","dividendePourUneMiseDeBase":138600,"combinaison":[7,3,9,13]},
        {"libelle":"Multi en 5","dividendePourUneMiseDeBase":27720,"combinaison":[7,3,9,13]}]},
      {"typePari":"E_TRIO","miseBase":200,"rapports":[{"dividende":3610,"dividendeUnite":"PourUnEuro","combinaison":"7-3-9"}]},
      {"typePari":"COUPLE_PLACE","miseBase":200,"rapports":[{"libelle":"Couple Place 1 NP","dividendePourUnEuro":0,"combinaison":"5-NP"},
        {"libelle":"sans dividende","combinaison":"1-2"}]},
      {"typePari":"TIERCE","rembourse":true,"rapports":[{"libelle":"Rembourse","combinaison":"1-2-3"}]}
    ]"#;

    // Act
    apply_rapports(&mut card, &parse_rapports(body).unwrap());
    apply_rapports(&mut card, &parse_rapports(body).unwrap());

    // Assert
    let got: Vec<(&str, &str, f64, bool)> = card
        .payouts
        .iter()
        .map(|p| {
            (
                p.bet_type.as_str(),
                p.combination.as_str(),
                p.dividend_per_euro,
                p.refunded,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("SIMPLE_GAGNANT", "7", 3.10, false),
            ("MULTI", "7-3-9-13", 462.0, false),
            ("MULTI", "7-3-9-13", 92.40, false),
            ("E_TRIO", "7-3-9", 36.10, false),
            ("COUPLE_PLACE", "5-NP", 0.0, false),
            ("TIERCE", "1-2-3", 1.0, true),
        ]
    );
    assert_eq!(card.payouts[0].label.as_deref(), Some("Simple gagnant"));
    assert_eq!(card.payouts[0].winners, Some(21294.6));
    assert_eq!(
        (
            card.payouts[1].label.as_deref(),
            card.payouts[2].label.as_deref()
        ),
        (Some("Multi en 4"), Some("Multi en 5")),
        "one combination, two labels, two payouts"
    );
}

#[test]
fn a_meeting_date_at_the_end_of_chronos_range_is_skipped_not_a_panic() {
    // Found while writing fuzz/fuzz_targets/programme.rs: the last instant chrono holds in UTC
    // is an hour past its range in Paris, and `date_naive` panicked on it.
    let max = chrono::NaiveDateTime::MAX.and_utc().timestamp_millis();
    for ms in [max, max - 1_800_000, i64::MAX, i64::MIN] {
        let body = format!(
            r#"{{"programme":{{"date":{ms},"reunions":[{{"numOfficiel":1,
            "hippodrome":{{"libelleCourt":"VICHY"}},"courses":[{{"numOrdre":1}}]}}]}}}}"#
        );
        let programme = parse_programme(body.as_bytes()).expect("valid payload");
        assert!(race_cards_from_programme(&programme).is_empty(), "{ms}");
    }
    // Two hours before the end (Paris is UTC+1 on 31 December) still maps, to its Paris date.
    let date = paris_date(max - 7_200_000);
    assert_eq!(date, Some(chrono::NaiveDate::MAX));
}
