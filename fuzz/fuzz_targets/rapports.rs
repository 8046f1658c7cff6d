//! The Turfinfo final payouts: no body makes parsing or mapping panic, every payout comes from a
//! bet type of the payload, and applying the same payload twice adds nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pronoturf_fuzz::empty_card;
use pronoturf_pmu::mapping::apply_rapports;
use pronoturf_pmu::payload::parse_rapports;

fuzz_target!(|data: &[u8]| {
    let Ok(rapports) = parse_rapports(data) else {
        return;
    };
    let mut card = empty_card(None);
    apply_rapports(&mut card, &rapports);
    let lines: usize = rapports.iter().map(|r| r.rapports.len()).sum();
    assert!(card.payouts.len() <= lines, "at most one payout per line");
    for p in &card.payouts {
        assert!(rapports.iter().any(|r| r.type_pari == p.bet_type));
        assert!(!p.dividend_per_euro.is_nan(), "{p:?}");
    }
    let once = card.clone();
    apply_rapports(&mut card, &rapports);
    assert_eq!(card, once, "applying a payload twice must add nothing");
});
