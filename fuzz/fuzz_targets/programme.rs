//! The Turfinfo day programme: no body makes parsing or mapping panic, and the mapped cards are
//! the programme's courses, in order, with their numbers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pronoturf_pmu::mapping::race_cards_from_programme;
use pronoturf_pmu::payload::parse_programme;

fuzz_target!(|data: &[u8]| {
    let Ok(programme) = parse_programme(data) else {
        return;
    };
    let cards = race_cards_from_programme(&programme);
    let courses: Vec<u32> = programme
        .reunions
        .iter()
        .flat_map(|r| r.courses.iter().map(|c| c.num_ordre))
        .collect();
    assert!(cards.len() <= courses.len());
    // Skipped réunions drop whole runs of courses, so card numbers are a subsequence.
    let mut rest = courses.iter();
    for card in &cards {
        assert!(
            rest.any(|&n| n == card.race.number),
            "card R{}C{} is not a course of the programme, in order",
            card.meeting.number,
            card.race.number
        );
    }
});
