//! A minimal reader of the PMU "musique" (form string, e.g. `"1aDa(25)3m0a"`) reduced to the few
//! statistics the features need. `pronoturf-pmu` has the full parser, but `ml` must not depend on
//! the HTTP client crate, and the pairs `([0-9A-Z])([a-z])` are all these statistics use.

/// Summary of one musique, most recent run first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MusiqueStats {
    /// Number of runs read.
    pub runs: usize,
    /// Wins (`1`).
    pub wins: usize,
    /// Top-three finishes (`1`, `2`, `3`).
    pub top3: usize,
    /// Runs not classified: fell, pulled up, disqualified, demoted, unseated (`T A P D R J U`).
    pub dnf: usize,
    /// Most recent run as a rank: 1–9, 10 for `0` (10th or worse) and for any unclassified run.
    pub last_rank: Option<u8>,
    /// Mean rank (same scale as `last_rank`) of the five most recent runs.
    pub recent_mean_rank: Option<f64>,
}

/// How many recent runs `recent_mean_rank` averages.
const RECENT: usize = 5;

/// The rank used for averaging: unplaced and unclassified runs both count as 10th.
fn rank(position: char) -> Option<u8> {
    match position {
        '1'..='9' => position.to_digit(10).and_then(|d| u8::try_from(d).ok()),
        // `Q` marks a qualifying race, not a real performance: it gets no rank.
        'Q' => None,
        _ => Some(10),
    }
}

/// Discipline letters of the PMU: attelé, monté, plat, haies, steeple, cross.
fn is_discipline(c: char) -> bool {
    matches!(c, 'a' | 'm' | 'p' | 'h' | 's' | 'c')
}

/// Reads a musique. Year markers `(25)` and spaces are skipped. A string with letters outside
/// position-discipline pairs is free text ("Inédit", "CoUrU AfAsEc") and reads as no runs,
/// because reading pairs out of words would invent runs. Never fails.
pub fn read(musique: &str) -> MusiqueStats {
    let chars: Vec<char> = musique.chars().filter(|c| !c.is_whitespace()).collect();
    let mut positions = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (c, next) = (chars[i], chars.get(i + 1).copied());
        let is_position = c.is_ascii_digit() || c.is_ascii_uppercase();
        if is_position && next.is_some_and(is_discipline) {
            positions.push(c);
            i += 2;
        } else if c.is_alphabetic() {
            return summarise(&[]);
        } else {
            i += 1;
        }
    }
    summarise(&positions)
}

fn summarise(positions: &[char]) -> MusiqueStats {
    let mut stats = MusiqueStats {
        runs: positions.len(),
        wins: 0,
        top3: 0,
        dnf: 0,
        last_rank: None,
        recent_mean_rank: None,
    };
    let mut recent = Vec::with_capacity(RECENT);
    for &pos in positions {
        match pos {
            '1' => {
                stats.wins += 1;
                stats.top3 += 1;
            }
            '2' | '3' => stats.top3 += 1,
            'T' | 'A' | 'P' | 'D' | 'R' | 'J' | 'U' => stats.dnf += 1,
            _ => {}
        }
        if let Some(r) = rank(pos) {
            if stats.last_rank.is_none() {
                stats.last_rank = Some(r);
            }
            if recent.len() < RECENT {
                recent.push(f64::from(r));
            }
        }
    }
    if !recent.is_empty() {
        stats.recent_mean_rank = Some(recent.iter().sum::<f64>() / recent.len() as f64);
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_markers_spaces_and_letters_are_read_as_the_pmu_writes_them() {
        let s = read("1aDa(25)3m0a 2p");
        assert_eq!(s.runs, 5);
        assert_eq!(s.wins, 1);
        assert_eq!(s.top3, 3);
        assert_eq!(s.dnf, 1);
        assert_eq!(s.last_rank, Some(1));
        // 1, D=10, 3, 0=10, 2
        assert_eq!(s.recent_mean_rank, Some(26.0 / 5.0));
    }

    #[test]
    fn free_text_and_empty_strings_mean_no_runs() {
        for text in ["", "Inédit", "(25)", "couru afasec", "CoUrU AfAsEc"] {
            let s = read(text);
            assert_eq!(s.runs, 0, "{text}");
            assert_eq!(s.last_rank, None);
            assert_eq!(s.recent_mean_rank, None);
        }
    }

    #[test]
    fn only_the_five_most_recent_runs_are_averaged_and_qualifications_are_skipped() {
        let s = read("Qa1a1a1a1a1a9a9a");
        assert_eq!(s.runs, 8);
        assert_eq!(s.last_rank, Some(1));
        assert_eq!(s.recent_mean_rank, Some(1.0));
    }
}
