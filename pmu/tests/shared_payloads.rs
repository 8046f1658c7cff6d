//! Parses and maps the real Turfinfo payloads kept in `shared/pmu/` beside the checkout, and
//! checks facts read from them by hand. The files are never copied into this repository.
//!
//! Without the folder the tests print a notice and pass, except on CI (`CI=true`) where a
//! missing folder is a failure: there it means the checkout is not laid out as expected.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Europe::Paris;
use pronoturf_core::domain::{
    Discipline, Meeting, OddsKind, Race, RaceCard, RunnerStatus, Track, arrival_from_finishes,
};
use pronoturf_pmu::mapping::{apply_participants, apply_rapports, race_cards_from_programme};
use pronoturf_pmu::musique::{Position, parse_musique};
use pronoturf_pmu::payload::{
    self, Participants, Performances, Programme, RapportDefinitif, open_pmu,
};
use std::path::{Path, PathBuf};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/pmu");

/// The folder, or `None` (after a notice) when it is missing outside CI.
fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(SHARED);
    if dir.is_dir() {
        return Some(dir.to_path_buf());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared PMU payloads not found at {SHARED}: on CI the shared/ folder must sit beside the checkout"
    );
    eprintln!("notice: {SHARED} not found; skipping the tests on real PMU payloads");
    None
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn programme(dir: &Path, name: &str) -> Programme {
    payload::parse_programme(&read(dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn participants(dir: &Path, name: &str) -> Participants {
    payload::parse_participants(&read(dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn rapports(dir: &Path, name: &str) -> Vec<RapportDefinitif> {
    payload::parse_rapports(&read(dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn card(cards: &[RaceCard], meeting: u32, race: u32) -> RaceCard {
    cards
        .iter()
        .find(|c| c.meeting.number == meeting && c.race.number == race)
        .cloned()
        .unwrap_or_else(|| panic!("no R{meeting}C{race}"))
}

/// Which parser a file needs, from its name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Programme,
    Participants,
    Performances,
    Rapports,
    OpenPmu,
}

fn kind_of(name: &str) -> Option<Kind> {
    let base = name
        .strip_prefix("EXCERPT_")
        .or_else(|| name.strip_prefix("PARTIAL_"))
        .unwrap_or(name);
    [
        ("programme", Kind::Programme),
        ("participants", Kind::Participants),
        ("performances", Kind::Performances),
        ("rapports", Kind::Rapports),
        ("open-pmu", Kind::OpenPmu),
    ]
    .into_iter()
    .find(|(prefix, _)| base.starts_with(prefix))
    .map(|(_, kind)| kind)
}

/// Parses with the parser for `kind` and returns how many top-level items were read.
fn parse_as(kind: Kind, bytes: &[u8]) -> Result<usize, payload::PayloadError> {
    Ok(match kind {
        Kind::Programme => payload::parse_programme(bytes)?.reunions.len(),
        Kind::Participants => payload::parse_participants(bytes)?.participants.len(),
        Kind::Performances => payload::parse_performances(bytes)?.participants.len(),
        Kind::Rapports => payload::parse_rapports(bytes)?.len(),
        Kind::OpenPmu => open_pmu::parse_open_pmu(bytes)?.len(),
    })
}

fn json_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("readable shared folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .map(|name| {
            let bytes = read(dir, &name);
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_shared_payload_parses_with_the_parser_its_name_selects() {
    let Some(dir) = shared_dir() else { return };
    let files = json_files(&dir);
    assert!(
        files.len() >= 20,
        "expected the 20+ sample files, found {}",
        files.len()
    );
    for (name, bytes) in &files {
        let kind = kind_of(name).unwrap_or_else(|| panic!("{name}: no parser for this name"));
        let items = parse_as(kind, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(items > 0, "{name}: parsed as {kind:?} but holds nothing");
    }
}

#[test]
fn truncated_shared_payloads_are_errors_not_panics() {
    let Some(dir) = shared_dir() else { return };
    for (name, bytes) in json_files(&dir) {
        let kind = kind_of(&name).unwrap_or_else(|| panic!("{name}: no parser for this name"));
        // The last cut drops only the closing bracket.
        let end = bytes.trim_ascii_end().len() - 1;
        for cut in [1, bytes.len() / 3, bytes.len() / 2, end] {
            let err = parse_as(kind, &bytes[..cut]).expect_err("truncated body must not parse");
            assert!(err.is_truncated(), "{name} cut at {cut}: {err}");
        }
    }
}

#[test]
fn programme_2025_11_05_meetings_are_dated_on_their_local_day() {
    let Some(dir) = shared_dir() else { return };
    let p = programme(&dir, "programme_2025-11-05.json");
    let cards = race_cards_from_programme(&p);

    let day = NaiveDate::from_ymd_opt(2025, 11, 5).expect("valid date");
    assert_eq!(
        cards.len(),
        63,
        "every course of the 9 meetings, foreign ones included"
    );
    assert!(cards.iter().all(|c| c.meeting.date == day));
    assert!(
        cards
            .iter()
            .any(|c| c.meeting.track.country.as_deref() == Some("HKG"))
    );

    let c = card(&cards, 1, 1);
    assert_eq!(c.meeting.track.name, "NANTES");
    assert_eq!(c.meeting.track.code.as_deref(), Some("PET"));
    assert_eq!(c.meeting.track.country.as_deref(), Some("FRA"));
    assert_eq!(
        c.meeting.weather.as_ref().and_then(|w| w.temperature_c),
        Some(18)
    );
    assert_eq!(c.race.name.as_deref(), Some("PRIX ONIRIS"));
    assert_eq!(c.race.discipline, Discipline::Monte);
    assert_eq!(
        (c.race.distance_m, c.race.prize_eur),
        (Some(3000), Some(19000.0))
    );
    assert_eq!(c.race.declared_runners, Some(14));
    assert_eq!(c.race.duration_ms, Some(228_770));
    assert!(c.race.is_final, "FIN_COURSE with arriveeDefinitive true");
    let start = c.race.start_time.expect("heureDepart");
    assert_eq!(start.timestamp_millis(), 1_762_344_720_000);
    assert_eq!(
        start.with_timezone(&Paris).format("%H:%M").to_string(),
        "13:12"
    );
    assert_eq!(
        c.race.arrival,
        Some(vec![
            vec![7],
            vec![3],
            vec![9],
            vec![13],
            vec![5],
            vec![14],
            vec![6],
            vec![8],
            vec![4],
            vec![11],
            vec![10]
        ])
    );
}

#[test]
fn programme_2025_11_15_keeps_the_dead_heat_of_r4c8_in_one_slot() {
    let Some(dir) = shared_dir() else { return };
    let cards = race_cards_from_programme(&programme(&dir, "programme_2025-11-15.json"));
    let c = card(&cards, 4, 8);
    let arrival = c.race.arrival.expect("R4C8 has a result");
    assert_eq!(
        arrival[..6],
        [vec![2], vec![1], vec![7], vec![6, 13], vec![3], vec![5]]
    );
    assert_eq!(c.meeting.track.name, "LE CROISE LAROCHE");
    assert_eq!(c.race.penetrometer, Some(4.4));
}

#[test]
fn programme_2025_11_09_reads_the_penetrometer_with_its_decimal_comma() {
    let Some(dir) = shared_dir() else { return };
    let cards = race_cards_from_programme(&programme(&dir, "programme_2025-11-09.json"));
    let c = card(&cards, 1, 1);
    assert_eq!(c.meeting.track.name, "SAINT-CLOUD");
    assert_eq!(c.race.penetrometer, Some(4.6));
    assert_eq!(c.race.going.as_deref(), Some("Lourd"));
    assert_eq!(c.race.track_type.as_deref(), Some("HERBE"));
    // An all-weather track has no reading.
    let psf = cards
        .iter()
        .find(|c| c.race.going.as_deref() == Some("PSF RAPIDE"))
        .expect("a PSF race");
    assert_eq!(psf.race.penetrometer, None);
}

#[test]
fn the_bare_inner_programme_of_2026_04_02_maps_to_summer_time_cards_without_results() {
    let Some(dir) = shared_dir() else { return };
    let p = programme(
        &dir,
        "programme_2026-04-02_inner-programme-object-only.json",
    );
    assert_eq!(p.timezone_offset, Some(7_200_000));
    let cards = race_cards_from_programme(&p);
    assert_eq!(cards.len(), 31);
    let day = NaiveDate::from_ymd_opt(2026, 4, 2).expect("valid date");
    assert!(cards.iter().all(|c| c.meeting.date == day));
    assert!(
        cards
            .iter()
            .all(|c| !c.race.is_final && c.race.arrival.is_none())
    );
    assert!(
        cards
            .iter()
            .all(|c| c.race.status.as_deref() == Some("PROGRAMMEE"))
    );
}

#[test]
fn participants_2025_11_05_r1c1_agree_with_that_days_programme() {
    let Some(dir) = shared_dir() else { return };
    let cards = race_cards_from_programme(&programme(&dir, "programme_2025-11-05.json"));
    let mut c = card(&cards, 1, 1);
    let programme_arrival = c.race.arrival.clone();

    apply_participants(
        &mut c,
        &participants(&dir, "participants_2025-11-05_R1C1_NANTES_trot-monte.json"),
    );

    assert_eq!(c.runners.len(), 14);
    assert_eq!(arrival_from_finishes(&c.runners), programme_arrival);
    assert_eq!(c.race.arrival, programme_arrival);
    let dnf: Vec<u32> = c
        .runners
        .iter()
        .filter(|r| r.status == RunnerStatus::Dnf)
        .map(|r| r.number)
        .collect();
    assert_eq!(dnf, [1, 2, 12], "disqualified for breaking");

    let kergolio = &c.runners[2];
    assert_eq!(kergolio.horse.name, "KERGOLIO");
    assert_eq!(
        kergolio.horse.key(),
        "KERGOLIO",
        "keyed by name, not idCheval"
    );
    assert_eq!(kergolio.horse.birth_year, Some(2020));
    assert_eq!(kergolio.weight_kg, Some(59.0), "handicapPoids 590 hg");
    assert_eq!(
        kergolio.earnings_eur,
        Some(23245.0),
        "gainsCarriere 2324500 centimes"
    );
    assert_eq!(
        (kergolio.status, kergolio.finish),
        (RunnerStatus::Ran, Some(2))
    );
    assert_eq!(
        (kergolio.time_ms, kergolio.reduction_km_ms),
        (Some(228_930), Some(76_300))
    );
    assert_eq!(
        (kergolio.odds_reference, kergolio.odds_final),
        (Some(16.0), Some(9.2))
    );
    assert_eq!(c.runners[0].earnings_eur, Some(14035.0));
    assert_eq!(c.runners[0].jockey.as_deref(), Some("Mme R. HAGHIGHAT"));

    // The race is final: every runner has its reference and its final odds.
    let count = |kind| c.odds.iter().filter(|o| o.kind == kind).count();
    assert_eq!(
        (
            count(OddsKind::Reference),
            count(OddsKind::Final),
            count(OddsKind::Live)
        ),
        (14, 14, 0)
    );
}

#[test]
fn rapports_2025_11_05_r1c1_are_in_euros_per_euro() {
    let Some(dir) = shared_dir() else { return };
    let mut c = card(
        &race_cards_from_programme(&programme(&dir, "programme_2025-11-05.json")),
        1,
        1,
    );
    apply_rapports(
        &mut c,
        &rapports(
            &dir,
            "rapports-definitifs_2025-11-05_R1C1_NANTES_trot-monte.json",
        ),
    );

    let payout = |bet: &str, combination: &str| {
        c.payouts
            .iter()
            .find(|p| p.bet_type == bet && p.combination == combination)
            .map(|p| p.dividend_per_euro)
    };
    assert_eq!(payout("SIMPLE_GAGNANT", "7"), Some(3.10), "310 centimes");
    assert_eq!(payout("SIMPLE_PLACE", "3"), Some(2.90));
    assert_eq!(payout("COUPLE_GAGNANT", "7-3"), Some(13.20));
    assert_eq!(
        payout("DEUX_SUR_QUATRE", "9-13"),
        Some(5.0),
        "1500 for a 3 € base stake"
    );
    assert_eq!(payout("TRIO", "7-3-9"), Some(36.10));
    // The four Multi lines (en 4, 5, 6, 7) share one combination and are four payouts.
    assert_eq!(payout("MULTI", "7-3-9-13"), Some(462.0));
    let multi: Vec<&str> = c
        .payouts
        .iter()
        .filter(|p| p.bet_type == "MULTI")
        .filter_map(|p| p.label.as_deref())
        .collect();
    assert_eq!(multi.len(), 4, "{multi:?}");
    assert_eq!(c.payouts.len(), 1 + 3 + 1 + 3 + 6 + 1 + 4);
    // The winner of the payouts is the winner of the programme.
    assert_eq!(c.race.arrival.as_ref().map(|a| a[0].clone()), Some(vec![7]));
}

#[test]
fn excerpt_rapports_keep_non_runner_lines_and_the_first_quinte_line() {
    let Some(dir) = shared_dir() else { return };
    let mut c = card(
        &race_cards_from_programme(&programme(&dir, "programme_2025-11-05.json")),
        1,
        1,
    );
    apply_rapports(
        &mut c,
        &rapports(&dir, "EXCERPT_rapports-definitifs_COUPLE_2SUR4_TurfIA.json"),
    );
    apply_rapports(
        &mut c,
        &rapports(&dir, "EXCERPT_rapports-definitifs_QUINTE_PLUS_TurfIA.json"),
    );
    let find = |bet: &str, comb: &str| {
        c.payouts
            .iter()
            .find(|p| p.bet_type == bet && p.combination == comb)
    };

    let np = find("COUPLE_GAGNANT", "5-NP").expect("NP line");
    assert_eq!(
        (np.dividend_per_euro, np.label.as_deref()),
        (0.0, Some("Couplé Gagnant 1 NP"))
    );
    assert_eq!(
        find("DEUX_SUR_QUATRE", "5-3").map(|p| p.dividend_per_euro),
        Some(10.30)
    );
    let quinte = find("QUINTE_PLUS", "5-3-7-10-2").expect("quinté line");
    assert_eq!(quinte.label.as_deref(), Some("Quinté+ Ordre"));
    assert_eq!(quinte.dividend_per_euro, 63175.70);
    assert_eq!(
        find("QUINTE_PLUS", "5-3-7").map(|p| p.dividend_per_euro),
        Some(4.40),
        "Bonus 3"
    );
}

#[test]
fn the_vincennes_quinte_maps_non_runners_and_disqualified_runners() {
    let Some(dir) = shared_dir() else { return };
    let cards = race_cards_from_programme(&programme(&dir, "programme_2026-01-01.json"));
    let mut c = card(&cards, 1, 5);
    apply_participants(
        &mut c,
        &participants(
            &dir,
            "PARTIAL_participants-array_2026-01-01_R1C5_VINCENNES_attele_quinte.json",
        ),
    );

    let with = |status| -> Vec<u32> {
        c.runners
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.number)
            .collect()
    };
    assert_eq!(with(RunnerStatus::NonRunner), [13]);
    assert_eq!(with(RunnerStatus::Dnf), [7, 9, 10, 11]);
    assert_eq!(with(RunnerStatus::Ran).len(), 11);
    assert_eq!(c.runners[12].incident.as_deref(), Some("NON_PARTANT"));
    assert_eq!(
        c.runners[6].incident.as_deref(),
        Some("DISQUALIFIE_POUR_ALLURE_IRREGULIERE")
    );
    // The programme lists the first five only; the runners carry all eleven places.
    assert_eq!(
        c.race.arrival,
        Some(vec![vec![8], vec![12], vec![2], vec![15], vec![5]])
    );
    assert_eq!(arrival_from_finishes(&c.runners).map(|a| a.len()), Some(11));
    assert_eq!(c.runners[7].finish, Some(1));
    assert_eq!(c.runners[0].horse.birth_year, Some(2021));
}

/// Every participants file paired with a programme of the same day agrees with it: the
/// programme's arrival, and its incidents (non-runners, disqualified, fallen, pulled up).
#[test]
fn every_paired_participants_file_agrees_with_its_programme() {
    let Some(dir) = shared_dir() else { return };
    let mut checked = 0;
    for (name, bytes) in json_files(&dir) {
        if kind_of(&name) != Some(Kind::Participants) {
            continue;
        }
        let Some((date, r, c)) = date_and_race(&name) else {
            continue;
        };
        let programme_name = format!("programme_{date}.json");
        if !dir.join(&programme_name).exists() {
            continue;
        }
        let p = programme(&dir, &programme_name);
        let course = p
            .reunions
            .iter()
            .filter(|x| x.num_officiel == r)
            .flat_map(|x| &x.courses)
            .find(|x| x.num_ordre == c)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: no R{r}C{c} in {programme_name}"));
        let mut card = card(&race_cards_from_programme(&p), r, c);
        apply_participants(
            &mut card,
            &payload::parse_participants(&bytes).expect("parses"),
        );

        let finish = |n: u32| {
            card.runners
                .iter()
                .find(|x| x.number == n)
                .and_then(|x| x.finish)
        };
        let mut place = 1;
        for slot in card.race.arrival.as_deref().unwrap_or_default() {
            for &n in slot {
                assert_eq!(finish(n), Some(place), "{name}: runner {n}");
            }
            place += u32::try_from(slot.len()).expect("small");
        }
        for incident in &course.incidents {
            let want = if incident.kind.as_deref() == Some("NON_PARTANT") {
                RunnerStatus::NonRunner
            } else {
                RunnerStatus::Dnf
            };
            for n in &incident.numero_participants {
                let got = card
                    .runners
                    .iter()
                    .find(|x| x.number == *n)
                    .map(|x| x.status);
                assert_eq!(got, Some(want), "{name}: runner {n}, {:?}", incident.kind);
            }
        }
        assert!(
            card.runners
                .iter()
                .all(|x| x.status != RunnerStatus::Declared),
            "{name}: race was run"
        );
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} paired files");
}

fn date_and_race(name: &str) -> Option<(String, u32, u32)> {
    // Names look like `PARTIAL_participants-array_2025-11-09_R1C5_SAINT-CLOUD_plat_quinte.json`.
    let mut parts = name.split('_');
    let date = parts.find(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").is_ok())?;
    let rc = parts.next()?.strip_prefix('R')?;
    let (r, c) = rc.split_once('C')?;
    Some((date.to_owned(), r.parse().ok()?, c.parse().ok()?))
}

#[test]
fn a_galop_race_before_the_off_has_declared_runners_and_live_internet_odds() {
    let Some(dir) = shared_dir() else { return };
    let day = NaiveDate::from_ymd_opt(2026, 4, 8).expect("valid date");
    let mut c = RaceCard {
        meeting: Meeting {
            date: day,
            number: 3,
            track: Track {
                name: "UNKNOWN".into(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race: Race::new(2, Discipline::Plat),
        runners: Vec::new(),
        odds: Vec::new(),
        payouts: Vec::new(),
    };
    apply_participants(
        &mut c,
        &participants(&dir, "participants_2026-04-08_R3C2_galop_pre-race.json"),
    );

    assert_eq!(c.runners.len(), 10);
    assert!(
        c.runners
            .iter()
            .all(|r| r.status == RunnerStatus::Declared && r.finish.is_none())
    );
    assert_eq!(c.race.arrival, None);
    // These odds are typed E_SIMPLE_GAGNANT (the internet pool) and still count as win odds.
    assert!(
        c.runners
            .iter()
            .all(|r| r.odds_reference.is_some() && r.odds_final.is_some())
    );
    assert!(c.odds.iter().all(|o| o.kind != OddsKind::Final));
    assert_eq!(
        c.odds.iter().filter(|o| o.kind == OddsKind::Live).count(),
        10
    );
    let love_is_gold = &c.runners[0];
    assert_eq!(
        love_is_gold.weight_kg,
        Some(61.5),
        "615 hg carried (630 declared, apprentice allowance)"
    );
    assert_eq!(love_is_gold.draw, Some(8));
    assert_eq!(love_is_gold.horse.birth_year, Some(2020));
    let m = parse_musique(
        love_is_gold.musique.as_deref().unwrap_or_default(),
        day.year(),
    );
    assert_eq!((m.count(), m.runs_in_current_year()), (9, 2));
}

/// The first five runs of each musique are the five races of performances-detaillees, in order:
/// same position, same discipline, same year.
#[test]
fn musiques_agree_with_the_detailed_performances_of_the_same_race() {
    let Some(dir) = shared_dir() else { return };
    let runners = participants(&dir, "participants_2025-11-05_R1C1_NANTES_trot-monte.json");
    let perf: Performances = payload::parse_performances(&read(
        &dir,
        "performances-detaillees_2025-11-05_R1C1_NANTES_trot-monte.json",
    ))
    .expect("parses");
    assert_eq!(perf.allure.as_deref(), Some("TROT"));
    assert_eq!(perf.participants.len(), 14);
    assert_eq!(
        perf.participants[0].courses_courues[0].temps_du_premier,
        Some(21_567)
    );

    for horse in &perf.participants {
        let musique = runners
            .participants
            .iter()
            .find(|p| p.num_pmu == horse.num_pmu)
            .and_then(|p| p.musique.as_deref())
            .expect("musique");
        let m = parse_musique(musique, 2025);
        assert_eq!(horse.courses_courues.len(), 5);
        for (run, past) in m.performances.iter().zip(&horse.courses_courues) {
            let me = past
                .subject()
                .and_then(|s| s.place.as_ref())
                .expect("the horse's place");
            let expected = match (me.status_arrivee.as_deref(), me.place) {
                (Some("DISQUALIFIE"), _) => Position::Disqualified,
                (Some("NON_PLACE"), _) => Position::Unplaced,
                (_, Some(n)) => Position::Placed(u8::try_from(n).expect("small")),
                other => panic!("unexpected place {other:?}"),
            };
            let year = past
                .date
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|d| d.with_timezone(&Paris).year());
            assert_eq!(run.position, expected, "{musique}");
            assert_eq!(
                Some(run.discipline.as_str()),
                past.discipline.as_deref(),
                "{musique}"
            );
            assert_eq!(Some(run.year), year, "{musique}");
        }
    }
}

#[test]
fn every_real_musique_parses_into_at_most_ten_runs() {
    let Some(dir) = shared_dir() else { return };
    let mut seen = 0;
    for (name, bytes) in json_files(&dir) {
        if kind_of(&name) != Some(Kind::Participants) {
            continue;
        }
        for p in payload::parse_participants(&bytes)
            .expect("parses")
            .participants
        {
            let Some(s) = p.musique else { continue };
            let m = parse_musique(&s, 2026);
            assert!(m.count() <= 10, "{s}");
            // Every listed run is read: twice the runs plus four chars per year marker.
            let markers = s.matches('(').count();
            assert_eq!(
                m.count() * 2 + markers * 4,
                s.trim().chars().count(),
                "{name}: {s}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 90, "only {seen} musiques");
}

#[test]
fn the_open_pmu_excerpt_reads_arrivals_and_non_runners() {
    let Some(dir) = shared_dir() else { return };
    let races = open_pmu::parse_open_pmu(&read(
        &dir,
        "EXCERPT_open-pmu-api_racing-horse-data_90records.json",
    ))
    .expect("parses");
    assert_eq!(races.len(), 90);
    let first = &races[0];
    assert_eq!(first.date(), NaiveDate::from_ymd_opt(2004, 1, 22));
    assert_eq!(first.discipline(), Some(Discipline::Attele));
    assert_eq!(first.meeting_and_race(), Some((1, 1)));
    assert_eq!(first.lieu.as_deref(), Some("Vincennes"));
    assert_eq!(
        (first.partants, first.distance, first.montant),
        (Some(18), Some(2700), Some(55000.0))
    );
    assert_eq!(
        first.arrivee,
        Some(vec![vec![4], vec![3], vec![17], vec![7], vec![1]])
    );
    let by_date = |d: &str| {
        races
            .iter()
            .find(|r| r.date.as_deref() == Some(d))
            .expect("race")
    };
    assert_eq!(by_date("27/01/2004").non_partants, [1, 8]);
    assert_eq!(
        by_date("01/02/2004").non_partants,
        [3],
        "an int in the data"
    );
    assert_eq!(by_date("25/12/2025").arrivee, None, "Non connue");
    assert_eq!(
        by_date("25/12/2025").partants,
        Some(13),
        "a string in the data"
    );
    assert_eq!(races.iter().filter(|r| r.arrivee.is_none()).count(), 2);
    // Dead heats are written "4 / 13".
    let dead_heat = by_date("28/10/2025").arrivee.clone().expect("arrival");
    assert_eq!(
        dead_heat,
        [vec![11], vec![16], vec![9], vec![3], vec![4, 13]]
    );
    assert_eq!(
        by_date("18/11/2025").arrivee.as_ref().map(|a| a[1].clone()),
        Some(vec![6, 8])
    );
    assert!(
        races
            .iter()
            .all(|r| r.date().is_some() && r.meeting_and_race().is_some())
    );
}
