//! The "musique": a runner's recent form as the PMU publishes it, e.g. `"1aDa(25)3m0a"`, read
//! into a list of past performances (FORMAT.md §4).
//!
//! Grammar seen in 57 963 real strings: `( "(" DIGIT DIGIT ")" | POS DISC )*`, most recent run
//! first, where `(YY)` starts the runs of year 20YY. Anything else is skipped, and free text
//! ("Inédit", "couru afasec") means no history. Parsing never fails.

use pronoturf_core::domain::Discipline;

/// Where a horse finished in a past race.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Position {
    /// 1st to 9th.
    Placed(u8),
    /// `0`: 10th or worse.
    Unplaced,
    /// `T`: tombé (fell).
    Fell,
    /// `A` (arrêté) or the British `P` (pulled up).
    PulledUp,
    /// `D`: disqualified (in trot, mostly for breaking into a gallop).
    Disqualified,
    /// `R`: rétrogradé (placing demoted).
    Demoted,
    /// `J`/`j` (jockey au sol) or the British `U`: unseated rider.
    Unseated,
    /// `Q`: most likely a qualifying race (trot; almost always the oldest run).
    Qualification,
    /// Any other letter (`G`, `O`...), kept as written.
    Other(char),
}

impl Position {
    fn from_char(c: char) -> Option<Self> {
        Some(match c {
            '0' => Self::Unplaced,
            '1'..='9' => Self::Placed(c.to_digit(10).and_then(|d| u8::try_from(d).ok())?),
            'T' => Self::Fell,
            'A' | 'P' => Self::PulledUp,
            'D' => Self::Disqualified,
            'R' => Self::Demoted,
            'J' | 'j' | 'U' => Self::Unseated,
            'Q' => Self::Qualification,
            c if c.is_ascii_uppercase() => Self::Other(c),
            _ => return None,
        })
    }

    /// The place for averaging: 1–9 as is, 10 for `0` (10th or worse); `None` when the horse
    /// was not classified.
    pub fn rank(self) -> Option<u8> {
        match self {
            Self::Placed(n) => Some(n),
            Self::Unplaced => Some(10),
            _ => None,
        }
    }

    /// True for a win.
    pub fn is_win(self) -> bool {
        self == Self::Placed(1)
    }

    /// True for a top-three finish.
    pub fn is_top3(self) -> bool {
        matches!(self, Self::Placed(1..=3))
    }
}

/// One past run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Performance {
    /// Where the horse finished.
    pub position: Position,
    /// Discipline of that race.
    pub discipline: Discipline,
    /// Calendar year of that race.
    pub year: i32,
}

/// A parsed musique: past runs, most recent first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Musique {
    /// Past runs, most recent first (at most 10 in the API).
    pub performances: Vec<Performance>,
    /// Year of the race the musique was published for.
    pub race_year: i32,
}

impl Musique {
    /// Number of runs listed.
    pub fn count(&self) -> usize {
        self.performances.len()
    }

    /// True when no run is listed (a debutant, or free text).
    pub fn is_empty(&self) -> bool {
        self.performances.is_empty()
    }

    /// Number of wins.
    pub fn wins(&self) -> usize {
        self.performances
            .iter()
            .filter(|p| p.position.is_win())
            .count()
    }

    /// Number of top-three finishes (wins included).
    pub fn places(&self) -> usize {
        self.performances
            .iter()
            .filter(|p| p.position.is_top3())
            .count()
    }

    /// Number of runs without a classification (fell, pulled up, disqualified...).
    pub fn unclassified(&self) -> usize {
        self.performances
            .iter()
            .filter(|p| p.position.rank().is_none())
            .count()
    }

    /// Number of disqualifications: in trot, a measure of how often the horse breaks.
    pub fn disqualifications(&self) -> usize {
        self.performances
            .iter()
            .filter(|p| p.position == Position::Disqualified)
            .count()
    }

    /// Mean place of the classified runs, `0` counting as 10; `None` without such runs.
    pub fn mean_position(&self) -> Option<f64> {
        let ranks: Vec<f64> = self
            .performances
            .iter()
            .filter_map(|p| p.position.rank())
            .map(f64::from)
            .collect();
        // A musique holds at most a few dozen runs, so the count converts exactly.
        (!ranks.is_empty()).then(|| ranks.iter().sum::<f64>() / ranks.len() as f64)
    }

    /// Number of runs in the year of the race.
    pub fn runs_in_current_year(&self) -> usize {
        self.performances
            .iter()
            .filter(|p| p.year == self.race_year)
            .count()
    }

    /// The most recent run, if any.
    pub fn last(&self) -> Option<&Performance> {
        self.performances.first()
    }
}

/// Reads a musique published for a race run in `race_year`. Runs before the first `(YY)` marker
/// are in `race_year`; after `(25)` they are in 2025, and so on. Never fails: unknown characters
/// are skipped, and free text gives no runs.
pub fn parse_musique(s: &str, race_year: i32) -> Musique {
    let mut musique = Musique {
        performances: Vec::new(),
        race_year,
    };
    if is_free_text(s) {
        return musique;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut year = race_year;
    let mut i = 0;
    while i < chars.len() {
        if let Some(yy) = year_marker(&chars[i..]) {
            year = full_year(yy, race_year);
            i += 4;
        } else if let Some(position) = Position::from_char(chars[i])
            && let Some(discipline) = chars.get(i + 1).copied().and_then(discipline_of)
        {
            musique.performances.push(Performance {
                position,
                discipline,
                year,
            });
            i += 2;
        } else {
            // Stray spaces or a position without its discipline ("1aDa1 Da"): skip one char.
            i += 1;
        }
    }
    musique
}

/// Strings such as "Inédit", "couru afasec" or "CoUrU AfAsEc" contain letters the grammar never
/// uses; without this check the last one would read as an `As` run.
fn is_free_text(s: &str) -> bool {
    s.chars().any(|c| {
        c.is_alphabetic() && !c.is_ascii_uppercase() && discipline_of(c).is_none() && c != 'j'
    })
}

fn discipline_of(c: char) -> Option<Discipline> {
    Some(match c {
        'p' => Discipline::Plat,
        'a' => Discipline::Attele,
        'm' => Discipline::Monte,
        'h' => Discipline::Haie,
        's' => Discipline::Steeplechase,
        'c' => Discipline::Cross,
        _ => return None,
    })
}

/// `(YY)` at the start of `chars`: the two digits as a number.
fn year_marker(chars: &[char]) -> Option<i32> {
    let ['(', a, b, ')', ..] = chars else {
        return None;
    };
    let yy = a.to_digit(10)? * 10 + b.to_digit(10)?;
    i32::try_from(yy).ok()
}

/// The latest year ending in `yy` that is not after `race_year`: `(19)` in 2020 is 2019,
/// `(99)` in 2004 is 1999.
fn full_year(yy: i32, race_year: i32) -> i32 {
    let year = race_year
        .saturating_sub(race_year.rem_euclid(100))
        .saturating_add(yy);
    if year > race_year {
        year.saturating_sub(100)
    } else {
        year
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(m: &Musique) -> Vec<(Position, i32)> {
        m.performances
            .iter()
            .map(|p| (p.position, p.year))
            .collect()
    }

    #[test]
    fn the_pmu_faq_example_has_four_runs_in_2020_and_two_flat_runs_in_2019() {
        // Arrange / Act
        let m = parse_musique("Ts5h4h3h(19)5p5p", 2020);

        // Assert
        use Position::*;
        assert_eq!(
            positions(&m),
            vec![
                (Fell, 2020),
                (Placed(5), 2020),
                (Placed(4), 2020),
                (Placed(3), 2020),
                (Placed(5), 2019),
                (Placed(5), 2019),
            ]
        );
        assert_eq!(m.performances[0].discipline, Discipline::Steeplechase);
        assert_eq!(m.performances[1].discipline, Discipline::Haie);
        assert_eq!(m.performances[4].discipline, Discipline::Plat);
        assert_eq!(m.runs_in_current_year(), 4);
        assert_eq!(
            (m.count(), m.wins(), m.places(), m.unclassified()),
            (6, 0, 1, 1)
        );
        assert_eq!(m.mean_position(), Some(4.4));
    }

    #[test]
    fn a_leading_year_marker_means_no_run_yet_this_year() {
        let m = parse_musique("(25)1a2a", 2026);
        assert_eq!(
            positions(&m),
            vec![(Position::Placed(1), 2025), (Position::Placed(2), 2025)]
        );
        assert_eq!(m.runs_in_current_year(), 0);
        assert_eq!((m.wins(), m.places()), (1, 2));
        assert_eq!(m.mean_position(), Some(1.5));
    }

    #[test]
    fn stray_spaces_and_a_lone_position_are_skipped() {
        let m = parse_musique("1aDa1aDa1 Da(24)0a", 2025);
        use Position::*;
        assert_eq!(
            positions(&m),
            vec![
                (Placed(1), 2025),
                (Disqualified, 2025),
                (Placed(1), 2025),
                (Disqualified, 2025),
                (Disqualified, 2025),
                (Unplaced, 2024),
            ]
        );
        assert_eq!(m.disqualifications(), 3);
        // 1, 1 and 10 (a `0` counts as 10th).
        assert_eq!(m.mean_position(), Some(4.0));
        assert!(
            m.performances
                .iter()
                .all(|p| p.discipline == Discipline::Attele)
        );
    }

    #[test]
    fn strings_without_runs_give_an_empty_musique() {
        for s in [
            "Inédit",
            "Inédite",
            "-",
            "couru afasec",
            "CoUrU AfAsEc",
            "",
            "   ",
            "(25)",
        ] {
            let m = parse_musique(s, 2026);
            assert!(m.is_empty(), "{s:?} gave {m:?}");
            assert_eq!(m.mean_position(), None);
            assert_eq!(m.race_year, 2026);
        }
    }

    #[test]
    fn every_position_letter_of_the_api_is_read() {
        let m = parse_musique("DmAaTpJsjhQaRaUpPpGaOa0c", 2026);
        use Position::*;
        let got: Vec<Position> = m.performances.iter().map(|p| p.position).collect();
        assert_eq!(
            got,
            vec![
                Disqualified,
                PulledUp,
                Fell,
                Unseated,
                Unseated,
                Qualification,
                Demoted,
                Unseated,
                PulledUp,
                Other('G'),
                Other('O'),
                Unplaced,
            ]
        );
        assert_eq!(m.performances[0].discipline, Discipline::Monte);
        assert_eq!(m.performances[11].discipline, Discipline::Cross);
        assert_eq!(m.last().map(|p| p.position), Some(Disqualified));
    }

    #[test]
    fn real_musiques_from_the_samples() {
        let m = parse_musique("3m4m(24)7m5m2m1mDm(23)8m", 2025);
        assert_eq!(m.count(), 8);
        assert_eq!(m.runs_in_current_year(), 2);
        assert_eq!(m.performances[7].year, 2023);
        let m = parse_musique("1p0p(25)9p5p7p9p0p(24)0p", 2026);
        assert_eq!((m.count(), m.runs_in_current_year(), m.wins()), (8, 2, 1));
    }

    #[test]
    fn year_markers_resolve_to_the_latest_matching_year_not_after_the_race() {
        assert_eq!(full_year(19, 2020), 2019);
        assert_eq!(full_year(25, 2026), 2025);
        assert_eq!(full_year(26, 2026), 2026);
        assert_eq!(full_year(99, 2004), 1999);
        assert_eq!(full_year(0, 2000), 2000);
        // Extreme years must not overflow.
        let _ = full_year(99, i32::MAX);
        let _ = full_year(99, i32::MIN);
    }

    #[test]
    fn no_input_makes_it_panic() {
        let nasty = [
            "(",
            "((",
            "(2",
            "(2)",
            "(ab)",
            "()",
            ")",
            "1",
            "a",
            "1(25)a",
            "é(25)",
            "\u{0}",
            "9z",
            "(99)(00)1a",
            "１ａ",
            "🐎1a",
        ];
        for s in nasty {
            let _ = parse_musique(s, 2026);
            let _ = parse_musique(s, i32::MIN);
            let _ = parse_musique(s, i32::MAX);
        }
        // Every byte sequence that is valid UTF-8 over a small alphabet, up to length 4.
        let alphabet = ['(', ')', '1', '0', '2', 'a', 'D', 'j', ' ', 'é', 'Z'];
        let mut stack = vec![String::new()];
        while let Some(s) = stack.pop() {
            let _ = parse_musique(&s, 2026);
            if s.chars().count() < 4 {
                for c in alphabet {
                    stack.push(format!("{s}{c}"));
                }
            }
        }
    }
}
