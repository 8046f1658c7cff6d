//! The musique parsers (pmu's full one and ml's statistics reader): no input makes them panic,
//! and a parsed musique written back in canonical notation parses to the same runs, which both
//! parsers count alike.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pronoturf_fuzz::{ml_musique, position_char, render_musique};
use pronoturf_pmu::musique::parse_musique;

fuzz_target!(|data: &[u8]| {
    // Two bytes choose the race's year (1900..=2155), the rest is the musique.
    let [hi, lo, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let race_year = 1900 + i32::from(u16::from_be_bytes([*hi, *lo]) % 256);

    // Never panics, whatever the year: overflow in the year arithmetic was a fear.
    let _ = parse_musique(text, i32::MIN);
    let _ = parse_musique(text, i32::MAX);
    let _ = ml_musique::read(text);

    let parsed = parse_musique(text, race_year);
    let canonical = render_musique(&parsed);
    let reparsed = parse_musique(&canonical, race_year);
    assert_eq!(parsed, reparsed, "{text:?} rendered as {canonical:?}");

    // The ml reader agrees with the full parser on the canonical notation.
    let stats = ml_musique::read(&canonical);
    assert_eq!(stats.runs, parsed.count(), "{canonical:?}");
    assert_eq!(stats.wins, parsed.wins(), "{canonical:?}");
    assert_eq!(stats.top3, parsed.places(), "{canonical:?}");
    let dnf = parsed
        .performances
        .iter()
        .filter(|p| "TAPDRJU".contains(position_char(p.position)))
        .count();
    assert_eq!(stats.dnf, dnf, "{canonical:?}");
});
