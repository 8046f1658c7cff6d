//! What the fuzz targets share: the inverse functions their round-trip properties need (a
//! musique rendered back into the PMU's notation, race cards written back as history CSV v1).

use pronoturf_core::domain::{RaceCard, Sex};
use pronoturf_pmu::musique::{Musique, Position};

// The `ml` crate's musique reader, compiled here from its source file: it depends on nothing,
// while the whole `ml` crate would bring linfa and ndarray into every sanitizer build.
#[path = "../../ml/src/musique.rs"]
#[allow(dead_code)]
pub mod ml_musique;

/// The canonical notation of `m`: one position letter and one discipline letter per run, and a
/// `(YY)` marker wherever the year changes (starting from the race's year).
pub fn render_musique(m: &Musique) -> String {
    let mut out = String::new();
    let mut year = m.race_year;
    for p in &m.performances {
        if p.year != year {
            out.push_str(&format!("({:02})", p.year.rem_euclid(100)));
            year = p.year;
        }
        out.push(position_char(p.position));
        out.push(discipline_char(p.discipline.as_str()));
    }
    out
}

/// The letter the PMU writes for a position; of two synonyms (`A`/`P`, `J`/`j`/`U`) the first.
pub fn position_char(p: Position) -> char {
    match p {
        Position::Placed(n) => char::from_digit(u32::from(n), 10).unwrap_or('?'),
        Position::Unplaced => '0',
        Position::Fell => 'T',
        Position::PulledUp => 'A',
        Position::Disqualified => 'D',
        Position::Demoted => 'R',
        Position::Unseated => 'J',
        Position::Qualification => 'Q',
        Position::Other(c) => c,
    }
}

fn discipline_char(d: &str) -> char {
    match d {
        "PLAT" => 'p',
        "ATTELE" => 'a',
        "MONTE" => 'm',
        "HAIE" => 'h',
        "STEEPLECHASE" => 's',
        "CROSS" => 'c',
        // The musique parser only produces the six above.
        _ => '?',
    }
}

/// Every column of history CSV v1, in the order of its README.
pub const HISTORY_HEADER: [&str; 26] = [
    "date",
    "meeting",
    "race",
    "track",
    "country",
    "discipline",
    "distance_m",
    "going",
    "runner",
    "horse",
    "horse_id",
    "age",
    "sex",
    "jockey",
    "trainer",
    "draw",
    "weight_kg",
    "musique",
    "career_starts",
    "career_wins",
    "career_places",
    "earnings_eur",
    "odds_morning",
    "odds_final",
    "status",
    "finish",
];

/// Writes `cards` as a history CSV v1 file, one row per runner, race by race: what the reader
/// took from a file, so that reading the output again must give the same cards.
pub fn write_history(cards: &[RaceCard]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HISTORY_HEADER)?;
    for card in cards {
        for r in &card.runners {
            let opt = |v: Option<String>| v.unwrap_or_default();
            let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
            // `{}` prints the shortest text that parses back to the same f64.
            let dec = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
            w.write_record([
                card.meeting.date.format("%Y-%m-%d").to_string(),
                card.meeting.number.to_string(),
                card.race.number.to_string(),
                card.meeting.track.name.clone(),
                opt(card.meeting.track.country.clone()),
                card.race.discipline.as_str().to_string(),
                num(card.race.distance_m),
                opt(card.race.going.clone()),
                r.number.to_string(),
                r.horse.name.clone(),
                opt(r.horse.source_id.clone()),
                num(r.age),
                r.horse.sex.map(Sex::code).unwrap_or_default().to_string(),
                opt(r.jockey.clone()),
                opt(r.trainer.clone()),
                num(r.draw),
                dec(r.weight_kg),
                opt(r.musique.clone()),
                num(r.career_starts),
                num(r.career_wins),
                num(r.career_places),
                dec(r.earnings_eur),
                dec(r.odds_reference),
                dec(r.odds_final),
                r.status.as_str().to_string(),
                num(r.finish),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// An empty card of a race on 2026-03-01 at Vincennes, for payloads that fill one in.
pub fn empty_card(arrival: Option<Vec<Vec<u32>>>) -> RaceCard {
    use pronoturf_core::domain::{Discipline, Meeting, Race, Track};
    let mut race = Race::new(1, Discipline::Attele);
    race.arrival = arrival;
    RaceCard {
        meeting: Meeting {
            date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default(),
            number: 1,
            track: Track {
                name: "VINCENNES".into(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race,
        runners: Vec::new(),
        odds: Vec::new(),
        payouts: Vec::new(),
    }
}
