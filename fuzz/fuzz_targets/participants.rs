//! The Turfinfo runners of a race: no body makes parsing or mapping panic, every runner's status
//! agrees with its finish, and applying the same payload twice changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pronoturf_core::domain::RunnerStatus;
use pronoturf_fuzz::empty_card;
use pronoturf_pmu::mapping::apply_participants;
use pronoturf_pmu::payload::parse_participants;

fuzz_target!(|data: &[u8]| {
    let Ok(participants) = parse_participants(data) else {
        return;
    };
    // Before the result (no arrival) and after it (the programme's arrival, a dead heat).
    for arrival in [None, Some(vec![vec![1], vec![2, 3], vec![4]])] {
        let mut card = empty_card(arrival.clone());
        apply_participants(&mut card, &participants);
        for r in &card.runners {
            assert_eq!(
                r.status == RunnerStatus::Ran,
                r.finish.is_some(),
                "runner {}: {:?} with finish {:?}",
                r.number,
                r.status,
                r.finish
            );
            assert!(r.finish != Some(0), "a finish is 1 or more");
        }
        let once = card.clone();
        apply_participants(&mut card, &participants);
        assert_eq!(card, once, "applying a payload twice must change nothing");
    }
});
