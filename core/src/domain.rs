//! Domain model of French racing as PronoTurf stores it: meetings, races, runners, odds and payouts.
//!
//! These types are what every source (PMU Turfinfo sync, history CSV import) produces and what the
//! Store persists. They carry no storage or HTTP concerns. Units are normalised here once: money in
//! euros, weights in kilograms, times in milliseconds, instants in UTC.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Racing discipline. Unknown spellings are kept verbatim in `Other` rather than rejected,
/// because the PMU API adds values without notice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Discipline {
    /// Flat racing (galop plat).
    Plat,
    /// Harness trotting (trot attelé).
    Attele,
    /// Ridden trotting (trot monté).
    Monte,
    /// Hurdles (haies). The API spells it singular: `HAIE`.
    Haie,
    /// Steeplechase. The API spells it `STEEPLECHASE`, not `STEEPLE_CHASE`.
    Steeplechase,
    /// Cross-country.
    Cross,
    /// Any other value, upper-cased as received.
    Other(String),
}

impl Discipline {
    /// The canonical upper-case spelling, as stored and as the API writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Plat => "PLAT",
            Self::Attele => "ATTELE",
            Self::Monte => "MONTE",
            Self::Haie => "HAIE",
            Self::Steeplechase => "STEEPLECHASE",
            Self::Cross => "CROSS",
            Self::Other(s) => s,
        }
    }

    /// Parses any spelling; never fails (see the type's documentation).
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_uppercase().as_str() {
            "PLAT" => Self::Plat,
            "ATTELE" => Self::Attele,
            "MONTE" => Self::Monte,
            "HAIE" | "HAIES" => Self::Haie,
            "STEEPLECHASE" | "STEEPLE_CHASE" | "STEEPLE" => Self::Steeplechase,
            "CROSS" => Self::Cross,
            other => Self::Other(other.to_string()),
        }
    }

    /// True for the two trotting disciplines.
    pub fn is_trot(&self) -> bool {
        matches!(self, Self::Attele | Self::Monte)
    }

    /// True for jump racing (hurdles, steeplechase, cross).
    pub fn is_obstacle(&self) -> bool {
        matches!(self, Self::Haie | Self::Steeplechase | Self::Cross)
    }
}

impl fmt::Display for Discipline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for Discipline {
    fn from(s: String) -> Self {
        Self::parse(&s)
    }
}

impl From<Discipline> for String {
    fn from(d: Discipline) -> Self {
        d.as_str().to_string()
    }
}

/// Sex of a horse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Sex {
    /// Entire male (PMU `MALES`, CSV `M`).
    Male,
    /// Female (PMU `FEMELLES`, CSV `F`).
    Female,
    /// Gelding (PMU `HONGRES`, CSV `H`).
    Gelding,
}

impl Sex {
    /// One-letter code used in storage and the history CSV (`M`, `F`, `H`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "M",
            Self::Female => "F",
            Self::Gelding => "H",
        }
    }

    /// Parses a one-letter code or a PMU spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" | "MALE" | "MALES" => Some(Self::Male),
            "F" | "FEMELLE" | "FEMELLES" => Some(Self::Female),
            "H" | "HONGRE" | "HONGRES" => Some(Self::Gelding),
            _ => None,
        }
    }
}

/// What happened to a runner. `Declared` is a runner of a race not yet run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunnerStatus {
    /// Declared to run; the race has no result yet.
    Declared,
    /// Ran and was classified (has a finishing position).
    Ran,
    /// Ran but was not classified: fell, pulled up, disqualified, unseated...
    Dnf,
    /// Withdrawn before the race (non-partant).
    NonRunner,
}

impl RunnerStatus {
    /// Storage spelling (`DECLARED`, `RAN`, `DNF`, `NON_RUNNER`), also the history CSV's.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "DECLARED",
            Self::Ran => "RAN",
            Self::Dnf => "DNF",
            Self::NonRunner => "NON_RUNNER",
        }
    }

    /// Inverse of [`RunnerStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "DECLARED" => Some(Self::Declared),
            "RAN" => Some(Self::Ran),
            "DNF" => Some(Self::Dnf),
            "NON_RUNNER" => Some(Self::NonRunner),
            _ => None,
        }
    }
}

/// Which odds an [`OddsSnapshot`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OddsKind {
    /// Reference ("morning") odds published with the programme.
    Reference,
    /// Live odds taken during the day.
    Live,
    /// Final odds at the off.
    Final,
}

impl OddsKind {
    /// Storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reference => "REFERENCE",
            Self::Live => "LIVE",
            Self::Final => "FINAL",
        }
    }

    /// Inverse of [`OddsKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "REFERENCE" => Some(Self::Reference),
            "LIVE" => Some(Self::Live),
            "FINAL" => Some(Self::Final),
            _ => None,
        }
    }
}

/// A racecourse (hippodrome). Identified by its upper-cased name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Name as published, e.g. "VINCENNES".
    pub name: String,
    /// PMU code (e.g. "VIN") when known.
    pub code: Option<String>,
    /// ISO 3166 alpha-3 country code when known.
    pub country: Option<String>,
}

/// Weather forecast attached to a meeting.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Weather {
    /// Temperature in °C.
    pub temperature_c: Option<i32>,
    /// Wind speed in km/h.
    pub wind_kmh: Option<i32>,
    /// Wind direction, e.g. "SO".
    pub wind_direction: Option<String>,
    /// Sky, e.g. "Ensoleillé".
    pub sky: Option<String>,
}

/// A meeting (réunion): the races of one track on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// Local (Europe/Paris) date of the meeting.
    pub date: NaiveDate,
    /// PMU meeting number that day (the "R" of R1C3).
    pub number: u32,
    /// Where it is run.
    pub track: Track,
    /// DIURNE, SEMINOCTURNE, NOCTURNE.
    pub nature: Option<String>,
    /// NATIONAL, REGIONAL, LOCAL.
    pub audience: Option<String>,
    /// PROGRAMMEE, TERMINEE, ANNULEE...
    pub status: Option<String>,
    /// Weather forecast, when published.
    pub weather: Option<Weather>,
}

/// A race (course).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Race {
    /// Race number in the meeting (the "C" of R1C3).
    pub number: u32,
    /// Name, e.g. "PRIX D'AMERIQUE".
    pub name: Option<String>,
    /// Scheduled start, UTC.
    pub start_time: Option<DateTime<Utc>>,
    /// Discipline.
    pub discipline: Discipline,
    /// PMU speciality: PLAT, TROT_ATTELE, TROT_MONTE, OBSTACLE.
    pub speciality: Option<String>,
    /// Distance in metres.
    pub distance_m: Option<u32>,
    /// Total prize money in euros.
    pub prize_eur: Option<f64>,
    /// Conditions text.
    pub conditions: Option<String>,
    /// PMU category (HANDICAP, GROUPE_I, AUTOSTART...).
    pub category: Option<String>,
    /// Age condition (TROIS_ANS_ET_PLUS...).
    pub age_condition: Option<String>,
    /// Sex condition (TOUS_CHEVAUX...).
    pub sex_condition: Option<String>,
    /// Number of declared runners.
    pub declared_runners: Option<u32>,
    /// PMU status (PROGRAMMEE, ARRIVEE_DEFINITIVE_COMPLETE, COURSE_ANNULEE...).
    pub status: Option<String>,
    /// Going as published ("Bon souple", "GOOD TO FIRM").
    pub going: Option<String>,
    /// Penetrometer reading, when measured.
    pub penetrometer: Option<f64>,
    /// Surface (GAZON, SABLE, PSF...).
    pub track_type: Option<String>,
    /// Arrival order: each slot lists the runner numbers placed there; a dead heat puts several
    /// numbers in one slot. `None` until the result is known.
    pub arrival: Option<Vec<Vec<u32>>>,
    /// True once the result is official (arrivée définitive).
    pub is_final: bool,
    /// Winner's time in milliseconds.
    pub duration_ms: Option<i64>,
}

impl Race {
    /// A race with only its number and discipline known; every other field empty.
    pub fn new(number: u32, discipline: Discipline) -> Self {
        Self {
            number,
            name: None,
            start_time: None,
            discipline,
            speciality: None,
            distance_m: None,
            prize_eur: None,
            conditions: None,
            category: None,
            age_condition: None,
            sex_condition: None,
            declared_runners: None,
            status: None,
            going: None,
            penetrometer: None,
            track_type: None,
            arrival: None,
            is_final: false,
            duration_ms: None,
        }
    }
}

/// A horse. Identified by `source_id` when the source has a stable one, else by its upper-cased name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Horse {
    /// Name as published.
    pub name: String,
    /// Stable id from the source (HKJC brand number), if any.
    pub source_id: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Year of birth (race year minus age: ages turn over on 1 January).
    pub birth_year: Option<i32>,
    /// Sire (father).
    pub sire: Option<String>,
    /// Dam (mother).
    pub dam: Option<String>,
    /// Breed (TROTTEUR FRANCAIS, PUR-SANG...).
    pub breed: Option<String>,
}

impl Horse {
    /// A horse known only by its name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            source_id: None,
            sex: None,
            birth_year: None,
            sire: None,
            dam: None,
            breed: None,
        }
    }

    /// The natural key under which the horse is stored.
    pub fn key(&self) -> String {
        match &self.source_id {
            Some(id) if !id.trim().is_empty() => format!("id:{}", id.trim()),
            _ => normalise_name(&self.name),
        }
    }
}

/// Upper-cases and collapses white space, so that "Jean  dupont " and "JEAN DUPONT" are one person.
pub fn normalise_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// A runner (partant) of one race, with its pre-race record and, once run, its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runner {
    /// Saddle-cloth number (numPmu).
    pub number: u32,
    /// The horse.
    pub horse: Horse,
    /// Jockey or driver.
    pub jockey: Option<String>,
    /// Trainer.
    pub trainer: Option<String>,
    /// Age on race day.
    pub age: Option<u32>,
    /// Draw (place à la corde) or starting position.
    pub draw: Option<u32>,
    /// Weight carried, kg.
    pub weight_kg: Option<f64>,
    /// Blinkers (SANS_OEILLERES, OEILLERES_CLASSIQUE, OEILLERES_AUSTRALIENNES).
    pub blinkers: Option<String>,
    /// Shoeing (deferrage), trot only.
    pub shoeing: Option<String>,
    /// Musique (form string) as published before the race.
    pub musique: Option<String>,
    /// Career starts before the race.
    pub career_starts: Option<u32>,
    /// Career wins before the race.
    pub career_wins: Option<u32>,
    /// Career places before the race.
    pub career_places: Option<u32>,
    /// Career earnings before the race, euros.
    pub earnings_eur: Option<f64>,
    /// Status.
    pub status: RunnerStatus,
    /// PMU incident (TOMBE, ARRETE, DISQUALIFIE_POUR_ALLURE_IRREGULIERE...).
    pub incident: Option<String>,
    /// Finishing position (1 = winner); dead heats share a position.
    pub finish: Option<u32>,
    /// Time, milliseconds.
    pub time_ms: Option<i64>,
    /// Trot reduction kilométrique, milliseconds per km.
    pub reduction_km_ms: Option<i64>,
    /// Reference (morning) win odds, stake included.
    pub odds_reference: Option<f64>,
    /// Latest live win odds; after the race, the final odds.
    pub odds_final: Option<f64>,
}

impl Runner {
    /// A declared runner with only number and horse known.
    pub fn new(number: u32, horse: Horse) -> Self {
        Self {
            number,
            horse,
            jockey: None,
            trainer: None,
            age: None,
            draw: None,
            weight_kg: None,
            blinkers: None,
            shoeing: None,
            musique: None,
            career_starts: None,
            career_wins: None,
            career_places: None,
            earnings_eur: None,
            status: RunnerStatus::Declared,
            incident: None,
            finish: None,
            time_ms: None,
            reduction_km_ms: None,
            odds_reference: None,
            odds_final: None,
        }
    }
}

/// Win odds of one runner at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OddsSnapshot {
    /// Runner number.
    pub runner: u32,
    /// Reference, live or final.
    pub kind: OddsKind,
    /// Decimal odds for a 1 € stake, stake included.
    pub odds: f64,
    /// When the odds were published (UTC).
    pub taken_at: DateTime<Utc>,
}

/// One line of the final payouts (rapports définitifs) of a race.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    /// Bet type as published (SIMPLE_GAGNANT, E_SIMPLE_PLACE, QUINTE_PLUS...).
    pub bet_type: String,
    /// Winning combination, runner numbers joined by '-' ("7", "7-3", "5-NP").
    pub combination: String,
    /// Label of the line ("Simple placé", "Quinté+ Désordre"...).
    pub label: Option<String>,
    /// Dividend for a 1 € stake, stake included, euros.
    pub dividend_per_euro: f64,
    /// Number of winning tickets, when published.
    pub winners: Option<f64>,
    /// True when the bet was refunded.
    pub refunded: bool,
}

/// Everything known about one race: the unit of every write to the Store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceCard {
    /// The meeting the race belongs to (its `date` is the race's date).
    pub meeting: Meeting,
    /// The race.
    pub race: Race,
    /// Its runners. Empty when not published yet; storing an empty list keeps stored runners.
    pub runners: Vec<Runner>,
    /// Odds snapshots to add.
    pub odds: Vec<OddsSnapshot>,
    /// Final payouts, when known.
    pub payouts: Vec<Payout>,
}

impl RaceCard {
    /// The natural key of the race: date, meeting number, race number.
    pub fn key(&self) -> RaceKey {
        RaceKey {
            date: self.meeting.date,
            meeting: self.meeting.number,
            race: self.race.number,
        }
    }
}

/// Natural key of a race, printed as `2026-01-01 R1C5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RaceKey {
    /// Local date.
    pub date: NaiveDate,
    /// Meeting number (R).
    pub meeting: u32,
    /// Race number (C).
    pub race: u32,
}

impl fmt::Display for RaceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} R{}C{}", self.date, self.meeting, self.race)
    }
}

/// Derives the arrival order from finishing positions of runners that ran: each slot lists
/// the numbers sharing that position, in position order; `None` when no runner has one.
pub fn arrival_from_finishes(runners: &[Runner]) -> Option<Vec<Vec<u32>>> {
    let mut placed: Vec<(u32, u32)> = runners
        .iter()
        .filter(|r| r.status == RunnerStatus::Ran)
        .filter_map(|r| r.finish.map(|f| (f, r.number)))
        .collect();
    if placed.is_empty() {
        return None;
    }
    placed.sort_unstable();
    let mut slots: Vec<Vec<u32>> = Vec::new();
    let mut last = None;
    for (finish, number) in placed {
        match slots.last_mut() {
            Some(slot) if last == Some(finish) => slot.push(number),
            _ => slots.push(vec![number]),
        }
        last = Some(finish);
    }
    Some(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn horse(name: &str) -> Horse {
        Horse::named(name)
    }

    #[test]
    fn unknown_disciplines_are_kept_not_rejected() {
        assert_eq!(Discipline::parse("steeplechase"), Discipline::Steeplechase);
        assert_eq!(Discipline::parse("HAIE"), Discipline::Haie);
        let odd = Discipline::parse("POLO");
        assert_eq!(odd, Discipline::Other("POLO".into()));
        assert_eq!(odd.as_str(), "POLO");
    }

    #[test]
    fn horse_key_prefers_a_stable_id_then_the_normalised_name() {
        let mut h = horse("  Jag  de bellouet ");
        assert_eq!(h.key(), "JAG DE BELLOUET");
        h.source_id = Some("T063".into());
        assert_eq!(h.key(), "id:T063");
    }

    #[test]
    fn arrival_groups_dead_heats_and_ignores_unplaced_runners() {
        let mut runners: Vec<Runner> = (1..=5).map(|n| Runner::new(n, horse("x"))).collect();
        for (n, f) in [(1, 2), (2, 1), (3, 3), (4, 3)] {
            runners[n - 1].status = RunnerStatus::Ran;
            runners[n - 1].finish = Some(f);
        }
        runners[4].status = RunnerStatus::Dnf;
        assert_eq!(
            arrival_from_finishes(&runners),
            Some(vec![vec![2], vec![1], vec![3, 4]])
        );
        assert_eq!(arrival_from_finishes(&runners[4..]), None);
    }
}
