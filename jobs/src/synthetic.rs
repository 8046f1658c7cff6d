//! A synthetic racing season for `pronoturf demo` when no history file is given: a small world of
//! horses, jockeys and trainers with hidden abilities, raced day after day, with a market that
//! knows most but not all of what decides a race. Every track, race and person it invents is
//! named SYNTHETIQUE/SYNTH so that nothing it produces can be mistaken for real PMU data.
//!
//! The data is deterministic for a seed, and consistent the way real data is: a runner's musique,
//! career record and earnings are those of its earlier synthetic races, results follow the hidden
//! abilities (Plackett-Luce), and the payouts of SIMPLE_GAGNANT and SIMPLE_PLACE follow the final
//! odds, so training, prediction and bet settlement all have something real to work on.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use pronoturf_core::domain::{
    Discipline, Horse, Meeting, OddsKind, OddsSnapshot, Payout, Race, RaceCard, Runner,
    RunnerStatus, Sex, Track,
};

/// Tag carried by every synthetic name.
pub const SYNTHETIC_TAG: &str = "SYNTHETIQUE";

/// Trotting tracks of the synthetic world (meeting 1 of each day), with discipline and distance.
const TROT_TRACKS: [(&str, Discipline, u32); 3] = [
    ("SYNTHETIQUE VINCENNES", Discipline::Attele, 2700),
    ("SYNTHETIQUE ENGHIEN", Discipline::Monte, 2150),
    ("SYNTHETIQUE CAGNES", Discipline::Attele, 2925),
];
/// Galop tracks (meeting 2 of each day).
const GALOP_TRACKS: [(&str, Discipline, u32); 3] = [
    ("SYNTHETIQUE LONGCHAMP", Discipline::Plat, 2000),
    ("SYNTHETIQUE AUTEUIL", Discipline::Haie, 3600),
    ("SYNTHETIQUE DEAUVILLE", Discipline::Plat, 1600),
];
/// Generations of names: FIRST_NAMES x LAST_NAMES horses each, alternately trotters and gallopers.
const GENERATIONS: usize = 10;
/// Days a horse rests between two races.
const REST_DAYS: i64 = 10;
const FIRST_NAMES: [&str; 20] = [
    "ECLAIR", "TEMPETE", "BOREAL", "CAPRICE", "DIAMANT", "ESPOIR", "FLAMME", "GALOP", "HORIZON",
    "IRIS", "JASMIN", "KALIF", "LUMIERE", "MISTRAL", "NECTAR", "ORAGE", "PRESTIGE", "QUARTZ",
    "RUBIS", "SOLEIL",
];
const LAST_NAMES: [&str; 15] = [
    "DU BOIS",
    "DES PRES",
    "DE LA RIVE",
    "DU VAL",
    "DES CHAMPS",
    "DU MOULIN",
    "DE L'AUBE",
    "DES LANDES",
    "DU PARC",
    "DE LA COTE",
    "DU FORT",
    "DES ILES",
    "DU MONT",
    "DE LA PLAINE",
    "DES SOURCES",
];
/// Share of the pool kept by the operator on simple bets (PMU takes about 15 %).
const TAKE: f64 = 0.16;

/// Generates `days` consecutive race days ending on `today` (included). Days before `today` are
/// run, with results, final odds and payouts; `today`'s races are declared, with morning odds
/// only, as they are at 07:00 when predictions are made.
pub fn synthetic_season(today: NaiveDate, days: u32, seed: u64) -> Vec<RaceCard> {
    let mut world = World::new(seed);
    let first = today - Duration::days(i64::from(days.max(1)) - 1);
    let mut cards = Vec::new();
    for offset in 0..days.max(1) {
        let date = first + Duration::days(i64::from(offset));
        let run = date < today;
        let tracks = [
            TROT_TRACKS[offset as usize % TROT_TRACKS.len()].clone(),
            GALOP_TRACKS[(offset as usize + 1) % GALOP_TRACKS.len()].clone(),
        ];
        for (meeting, track) in (1..).zip(&tracks) {
            for race in 1..=8u32 {
                cards.push(world.race(date, meeting, race, track, run));
            }
        }
    }
    cards
}

/// Hidden state of one horse, and its public record so far.
struct HorseState {
    name: String,
    sex: Sex,
    birth_year: i32,
    trot: bool,
    ability: f64,
    condition: f64,
    trainer: usize,
    jockey: usize,
    last_run: Option<NaiveDate>,
    /// Most recent first: (position, discipline letter), as the musique writes them.
    form: Vec<(char, char)>,
    starts: u32,
    wins: u32,
    places: u32,
    earnings: f64,
}

struct World {
    rng: SplitMix64,
    horses: Vec<HorseState>,
    jockeys: Vec<f64>,
    trainers: Vec<f64>,
}

impl World {
    fn new(seed: u64) -> Self {
        let mut rng = SplitMix64(seed);
        let jockeys = (0..60).map(|_| 0.35 * rng.normal()).collect();
        let trainers = (0..40).map(|_| 0.3 * rng.normal()).collect();
        let mut horses = Vec::with_capacity(FIRST_NAMES.len() * LAST_NAMES.len() * GENERATIONS);
        for generation in 0..GENERATIONS {
            for first in FIRST_NAMES {
                for last in LAST_NAMES {
                    let sex = match rng.below(3) {
                        0 => Sex::Male,
                        1 => Sex::Female,
                        _ => Sex::Gelding,
                    };
                    let suffix = match generation {
                        0 => String::new(),
                        n => format!(" {}", n + 1),
                    };
                    horses.push(HorseState {
                        name: format!("SYNTH {first} {last}{suffix}"),
                        sex,
                        birth_year: 2016 + rng.below(7) as i32,
                        trot: generation % 2 == 0,
                        ability: rng.normal(),
                        condition: 0.0,
                        trainer: rng.below(40),
                        jockey: rng.below(60),
                        last_run: None,
                        form: Vec::new(),
                        starts: 0,
                        wins: 0,
                        places: 0,
                        earnings: 0.0,
                    });
                }
            }
        }
        Self {
            rng,
            horses,
            jockeys,
            trainers,
        }
    }

    /// Picks a field of horses of the right kind that have rested since their last race.
    fn field(&mut self, date: NaiveDate, trot: bool) -> Vec<usize> {
        let size = 8 + self.rng.below(9);
        let mut eligible: Vec<usize> = (0..self.horses.len())
            .filter(|&h| {
                let horse = &self.horses[h];
                horse.trot == trot
                    && horse
                        .last_run
                        .is_none_or(|d| (date - d).num_days() >= REST_DAYS)
            })
            .collect();
        // Partial Fisher-Yates: the first `size` slots become a uniform sample.
        let size = size.min(eligible.len());
        for i in 0..size {
            let j = i + self.rng.below(eligible.len() - i);
            eligible.swap(i, j);
        }
        eligible.truncate(size);
        eligible
    }

    fn race(
        &mut self,
        date: NaiveDate,
        meeting: u32,
        number: u32,
        track: &(&str, Discipline, u32),
        run: bool,
    ) -> RaceCard {
        let (track_name, discipline, base_distance) = track;
        let trot = discipline.is_trot();
        let field = self.field(date, trot);
        let distance = base_distance + 25 * self.rng.below(9) as u32;
        let prize = 10_000.0 + 2_500.0 * self.rng.below(13) as f64;
        let start_hour = if meeting == 1 { 13 } else { 18 };
        let start = Paris
            .with_ymd_and_hms(date.year(), date.month(), date.day(), start_hour, 0, 0)
            .single()
            .map(|t| t.with_timezone(&Utc) + Duration::minutes(i64::from(number - 1) * 30));

        // Hidden strength; the market sees most of it, the morning market less.
        let strength: Vec<f64> = field.iter().map(|&h| self.strength(h)).collect();
        let final_view: Vec<f64> = strength
            .iter()
            .map(|s| 0.9 * s + 0.25 * self.rng.normal())
            .collect();
        let morning_view: Vec<f64> = final_view
            .iter()
            .map(|s| 0.85 * s + 0.35 * self.rng.normal())
            .collect();
        let odds_final = market_odds(&final_view);
        let odds_morning = market_odds(&morning_view);

        let letter = discipline_letter(discipline);
        let mut runners: Vec<Runner> = field
            .iter()
            .enumerate()
            .map(|(i, &h)| self.runner(i, h, date, odds_morning[i], trot))
            .collect();
        let mut race = Race::new(number, discipline.clone());
        race.name = Some(format!("PRIX {SYNTHETIC_TAG} R{meeting}C{number}"));
        race.start_time = start;
        race.distance_m = Some(distance);
        race.prize_eur = Some(prize);
        race.declared_runners = u32::try_from(runners.len()).ok();
        race.status = Some("PROGRAMMEE".to_string());
        let mut odds = Vec::new();
        if let Some(start) = start {
            let morning = start - Duration::hours(6);
            for r in &runners {
                if let Some(o) = r.odds_reference {
                    odds.push(snapshot(r.number, OddsKind::Reference, o, morning));
                }
            }
        }
        let mut payouts = Vec::new();
        if run {
            self.run_race(&field, &strength, &mut runners, &odds_final, prize, letter);
            race.arrival = pronoturf_core::domain::arrival_from_finishes(&runners);
            race.is_final = true;
            race.status = Some("ARRIVEE_DEFINITIVE_COMPLETE".to_string());
            payouts = simple_payouts(&runners);
            if let Some(start) = start {
                for r in runners.iter().filter(|r| r.odds_final.is_some()) {
                    if let Some(o) = r.odds_final {
                        odds.push(snapshot(r.number, OddsKind::Final, o, start));
                    }
                }
            }
            for &h in &field {
                self.horses[h].last_run = Some(date);
            }
        }
        RaceCard {
            meeting: Meeting {
                date,
                number: meeting,
                track: Track {
                    name: (*track_name).to_string(),
                    code: None,
                    country: None,
                },
                nature: Some("DIURNE".to_string()),
                audience: Some("NATIONAL".to_string()),
                status: None,
                weather: None,
            },
            race,
            runners,
            odds,
            payouts,
        }
    }

    fn strength(&mut self, h: usize) -> f64 {
        let horse = &mut self.horses[h];
        // Condition drifts from run to run: form the market reads only through the musique.
        horse.condition = 0.8 * horse.condition + 0.3 * self.rng.normal();
        1.1 * horse.ability
            + horse.condition
            + self.jockeys[horse.jockey]
            + self.trainers[horse.trainer]
    }

    fn runner(&mut self, index: usize, h: usize, date: NaiveDate, odds: f64, trot: bool) -> Runner {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        // A fifth of the rides go to another jockey than the horse's usual one.
        let jockey = if self.rng.below(5) == 0 {
            self.rng.below(self.jockeys.len())
        } else {
            self.horses[h].jockey
        };
        let draw = if trot { None } else { Some(number) };
        let weight = if trot {
            None
        } else {
            Some(54.0 + self.rng.below(9) as f64)
        };
        let horse = &self.horses[h];
        let mut runner = Runner::new(
            number,
            Horse {
                sex: Some(horse.sex),
                birth_year: Some(horse.birth_year),
                breed: Some(
                    if trot {
                        "TROTTEUR FRANCAIS"
                    } else {
                        "PUR-SANG"
                    }
                    .to_string(),
                ),
                ..Horse::named(horse.name.clone())
            },
        );
        runner.jockey = Some(format!("J. SYNTH {jockey:02}"));
        runner.trainer = Some(format!("E. SYNTH {:02}", horse.trainer));
        runner.age = u32::try_from(date.year() - horse.birth_year).ok();
        runner.draw = draw;
        runner.weight_kg = weight;
        runner.musique = Some(musique(&horse.form));
        runner.career_starts = Some(horse.starts);
        runner.career_wins = Some(horse.wins);
        runner.career_places = Some(horse.places);
        runner.earnings_eur = Some(horse.earnings);
        runner.odds_reference = Some(odds);
        runner
    }

    /// Runs the race: non-runners, falls, then a Plackett-Luce order drawn with Gumbel noise.
    fn run_race(
        &mut self,
        field: &[usize],
        strength: &[f64],
        runners: &mut [Runner],
        odds_final: &[f64],
        prize: f64,
        letter: char,
    ) {
        let mut order: Vec<(f64, usize)> = Vec::new();
        for (i, runner) in runners.iter_mut().enumerate() {
            let roll = self.rng.below(100);
            if roll < 3 {
                runner.status = RunnerStatus::NonRunner;
                runner.odds_reference = None;
            } else if roll < 7 {
                runner.status = RunnerStatus::Dnf;
                runner.odds_final = Some(odds_final[i]);
            } else {
                runner.status = RunnerStatus::Ran;
                runner.odds_final = Some(odds_final[i]);
                order.push((strength[i] + self.rng.gumbel(), i));
            }
        }
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        let shares = [0.5, 0.2, 0.12, 0.08, 0.05];
        for (position, &(_, i)) in order.iter().enumerate() {
            let place = u32::try_from(position + 1).unwrap_or(u32::MAX);
            runners[i].finish = Some(place);
            let horse = &mut self.horses[field[i]];
            horse.starts += 1;
            horse.wins += u32::from(place == 1);
            horse.places += u32::from(place <= 3);
            horse.earnings += shares.get(position).map_or(0.0, |s| s * prize);
            let c = if place >= 10 {
                '0'
            } else {
                char::from_digit(place, 10).unwrap_or('0')
            };
            horse.form.insert(0, (c, letter));
        }
        for (i, runner) in runners.iter().enumerate() {
            if runner.status == RunnerStatus::Dnf {
                let horse = &mut self.horses[field[i]];
                horse.starts += 1;
                horse.form.insert(0, ('A', letter));
            }
        }
        for &h in field {
            self.horses[h].form.truncate(8);
        }
    }
}

/// Decimal odds from a market's view: its probabilities, less the take, rounded down to a tenth.
fn market_odds(view: &[f64]) -> Vec<f64> {
    let max = view.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = view.iter().map(|v| (v - max).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| {
            let fair = total / w;
            ((fair * (1.0 - TAKE) * 10.0).floor() / 10.0).clamp(1.1, 999.0)
        })
        .collect()
}

/// SIMPLE_GAGNANT on the winner and SIMPLE_PLACE on the first three (two under eight runners),
/// priced from the final odds as a pari-mutuel pool would roughly pay them.
fn simple_payouts(runners: &[Runner]) -> Vec<Payout> {
    let mut placed: Vec<&Runner> = runners.iter().filter(|r| r.finish.is_some()).collect();
    placed.sort_by_key(|r| r.finish);
    let started = runners
        .iter()
        .filter(|r| r.status != RunnerStatus::NonRunner)
        .count();
    let places = if started < 8 { 2 } else { 3 };
    let mut payouts = Vec::new();
    for (i, r) in placed.iter().take(places).enumerate() {
        let odds = r.odds_final.unwrap_or(2.0);
        if i == 0 {
            payouts.push(payout("SIMPLE_GAGNANT", r.number, "Simple gagnant", odds));
        }
        let place = ((1.0 + (odds - 1.0) / 3.5) * 10.0).floor() / 10.0;
        payouts.push(payout(
            "SIMPLE_PLACE",
            r.number,
            "Simple placé",
            place.max(1.1),
        ));
    }
    payouts
}

fn payout(bet_type: &str, number: u32, label: &str, dividend: f64) -> Payout {
    Payout {
        bet_type: bet_type.to_string(),
        combination: number.to_string(),
        label: Some(label.to_string()),
        dividend_per_euro: dividend,
        winners: None,
        refunded: false,
    }
}

fn snapshot(
    runner: u32,
    kind: OddsKind,
    odds: f64,
    taken_at: chrono::DateTime<Utc>,
) -> OddsSnapshot {
    OddsSnapshot {
        runner,
        kind,
        odds,
        taken_at,
    }
}

/// The PMU discipline letter of the musique: a (attelé), m (monté), p (plat), h (haies)...
fn discipline_letter(discipline: &Discipline) -> char {
    match discipline {
        Discipline::Attele => 'a',
        Discipline::Monte => 'm',
        Discipline::Haie => 'h',
        Discipline::Steeplechase => 's',
        Discipline::Cross => 'c',
        _ => 'p',
    }
}

/// The musique of a past form, most recent first; an unraced horse has an empty one.
fn musique(form: &[(char, char)]) -> String {
    form.iter()
        .flat_map(|&(position, letter)| [position, letter])
        .collect()
}

/// SplitMix64: a tiny, well-mixed, seedable generator; plenty for a demo world.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1), never 0 so that logarithms stay finite.
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Standard Gumbel: adding it to log-strengths and sorting draws a Plackett-Luce order.
    fn gumbel(&mut self) -> f64 {
        -(-self.uniform().ln()).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).expect("date")
    }

    #[test]
    fn a_season_is_deterministic_for_a_seed_and_marked_synthetic_everywhere() {
        let a = synthetic_season(today(), 5, 7);
        let b = synthetic_season(today(), 5, 7);
        assert_eq!(a, b);
        assert_eq!(a.len(), 5 * 2 * 8);
        for card in &a {
            assert!(card.meeting.track.name.contains(SYNTHETIC_TAG));
            assert!(
                card.race
                    .name
                    .as_deref()
                    .is_some_and(|n| n.contains(SYNTHETIC_TAG))
            );
            for r in &card.runners {
                assert!(r.horse.name.starts_with("SYNTH "));
                assert!(r.jockey.as_deref().is_some_and(|j| j.contains("SYNTH")));
            }
        }
        assert_ne!(a, synthetic_season(today(), 5, 8));
    }

    #[test]
    fn past_days_have_results_and_payouts_and_today_has_only_morning_odds() {
        let cards = synthetic_season(today(), 3, 1);
        for card in &cards {
            if card.meeting.date < today() {
                let arrival = card
                    .race
                    .arrival
                    .as_ref()
                    .expect("a past race has a result");
                let winner = arrival[0][0];
                assert!(card.race.is_final);
                let win = card
                    .payouts
                    .iter()
                    .find(|p| p.bet_type == "SIMPLE_GAGNANT")
                    .expect("win payout");
                assert_eq!(win.combination, winner.to_string());
                let places = card.payouts.iter().filter(|p| p.bet_type == "SIMPLE_PLACE");
                assert!(places.count() >= 2);
            } else {
                assert!(card.race.arrival.is_none());
                assert!(card.payouts.is_empty());
                assert!(
                    card.runners
                        .iter()
                        .all(|r| r.status == RunnerStatus::Declared)
                );
                assert!(card.runners.iter().all(|r| r.odds_reference.is_some()));
                assert!(card.runners.iter().all(|r| r.odds_final.is_none()));
            }
        }
    }

    #[test]
    fn the_musique_and_career_record_are_those_of_earlier_synthetic_races() {
        let cards = synthetic_season(today(), 40, 3);
        let mut wins: std::collections::HashMap<&str, u32> = Default::default();
        for card in &cards {
            for r in &card.runners {
                let known = wins.get(r.horse.name.as_str()).copied().unwrap_or(0);
                assert_eq!(r.career_wins, Some(known), "{}", r.horse.name);
                if r.career_starts == Some(0) {
                    assert_eq!(r.musique.as_deref(), Some(""));
                }
            }
            for r in card.runners.iter().filter(|r| r.finish == Some(1)) {
                *wins.entry(r.horse.name.as_str()).or_default() += 1;
            }
        }
    }

    #[test]
    fn a_long_season_never_runs_out_of_rested_horses() {
        let cards = synthetic_season(today(), 150, 5);
        assert_eq!(cards.len(), 150 * 16);
        for card in &cards {
            assert!(
                card.runners.len() >= 8,
                "{} has {}",
                card.key(),
                card.runners.len()
            );
        }
    }

    #[test]
    fn favourites_win_more_often_than_outsiders_but_not_always() {
        let cards = synthetic_season(today(), 60, 11);
        let (mut races, mut favourite_wins) = (0, 0);
        for card in cards.iter().filter(|c| c.race.arrival.is_some()) {
            let favourite = card
                .runners
                .iter()
                .filter(|r| r.odds_final.is_some())
                .min_by(|a, b| a.odds_final.partial_cmp(&b.odds_final).expect("odds"))
                .expect("a favourite");
            races += 1;
            favourite_wins += u32::from(favourite.finish == Some(1));
        }
        let rate = f64::from(favourite_wins) / f64::from(races);
        assert!((0.2..0.6).contains(&rate), "favourites won {rate:.2}");
    }
}
