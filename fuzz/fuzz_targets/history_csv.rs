//! The history CSV reader: no file makes it panic, and a file it accepts, written back as CSV v1,
//! reads again to the same race cards (nothing is lost or changed between reading and writing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pronoturf_core::history::read_history;
use pronoturf_fuzz::write_history;

fuzz_target!(|data: &[u8]| {
    let mut reports = 0_u32;
    let Ok(file) = read_history(data, &mut |_| reports += 1) else {
        return;
    };
    assert!(reports >= 1, "the final progress report is always made");
    let runners: usize = file.cards.iter().map(|c| c.runners.len()).sum();
    assert_eq!(runners, file.rows, "every row is one runner");

    let written = write_history(&file.cards).expect("writing to memory cannot fail");
    let again = read_history(written.as_slice(), &mut |_| {}).unwrap_or_else(|e| {
        panic!(
            "the written file is refused: {e}\n{}",
            String::from_utf8_lossy(&written)
        )
    });
    assert_eq!(again, file, "{}", String::from_utf8_lossy(&written));
});
