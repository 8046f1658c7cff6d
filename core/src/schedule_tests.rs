//! Tests of the cron schedules, on ordinary days and on the days the Paris clocks change
//! (2026-03-29, 02:00 CET -> 03:00 CEST; 2026-10-25, 03:00 CEST -> 02:00 CET).

use super::*;
use chrono::Timelike;

fn cron(s: &str) -> CronSchedule {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

/// The slots of one whole Paris day.
fn day(c: &CronSchedule, date: &str) -> Vec<Slot> {
    let d: NaiveDate = date.parse().expect("date");
    let start = resolve(d.and_hms_opt(0, 0, 0).expect("midnight")) - Duration::seconds(1);
    let end = resolve(
        (d + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    ) - Duration::seconds(1);
    c.slots_between(start, end)
}

#[test]
fn a_daily_0600_slot_keeps_its_local_time_across_the_march_change() {
    let c = cron("0 6 * * *");
    let before = c.next_after(utc("2026-03-27T12:00:00Z")).expect("slot");
    assert_eq!(before.at, utc("2026-03-28T05:00:00Z"), "06:00 CET");
    let after = c.next_after(before.at).expect("slot");
    assert_eq!(
        after.at,
        utc("2026-03-29T04:00:00Z"),
        "06:00 CEST, 23 h later"
    );
    assert_eq!(after.label(), "2026-03-29T06:00");
}

#[test]
fn a_daily_0600_slot_keeps_its_local_time_across_the_october_change() {
    let c = cron("0 6 * * *");
    let before = c.next_after(utc("2026-10-24T00:00:00Z")).expect("slot");
    assert_eq!(before.at, utc("2026-10-24T04:00:00Z"), "06:00 CEST");
    let after = c.next_after(before.at).expect("slot");
    assert_eq!(
        after.at,
        utc("2026-10-25T05:00:00Z"),
        "06:00 CET, 25 h later"
    );
}

#[test]
fn a_slot_in_the_missing_march_hour_fires_once_right_after_the_gap() {
    let slots = day(&cron("30 2 * * *"), "2026-03-29");
    assert_eq!(slots.len(), 1);
    assert_eq!(slots[0].label(), "2026-03-29T02:30");
    assert_eq!(slots[0].at, utc("2026-03-29T01:00:00Z"), "03:00 CEST");
}

#[test]
fn an_hourly_schedule_has_24_slots_on_the_23_hour_march_day() {
    let slots = day(&cron("0 * * * *"), "2026-03-29");
    assert_eq!(slots.len(), 24, "every label fires");
    let mut instants: Vec<_> = slots.iter().map(|s| s.at).collect();
    instants.dedup();
    assert_eq!(
        instants.len(),
        23,
        "02:00 and 03:00 both fire at 03:00 CEST"
    );
}

#[test]
fn a_slot_in_the_repeated_october_hour_fires_once_at_its_first_occurrence() {
    let slots = day(&cron("30 2 * * *"), "2026-10-25");
    assert_eq!(slots.len(), 1);
    assert_eq!(
        slots[0].at,
        utc("2026-10-25T00:30:00Z"),
        "02:30 CEST, not CET"
    );
    let hourly = day(&cron("0 * * * *"), "2026-10-25");
    assert_eq!(hourly.len(), 24, "the repeated 02:00 is not a 25th slot");
    let two = hourly
        .iter()
        .position(|s| s.local.hour() == 2)
        .expect("02:00");
    assert_eq!(hourly[two].at, utc("2026-10-25T00:00:00Z"));
    assert_eq!(hourly[two + 1].at, utc("2026-10-25T02:00:00Z"), "03:00 CET");
}

#[test]
fn the_monday_retrain_follows_the_sunday_march_change() {
    let c = cron("0 2 * * 1");
    let next = c.next_after(utc("2026-03-29T12:00:00Z")).expect("slot");
    assert_eq!(next.label(), "2026-03-30T02:00");
    assert_eq!(next.at, utc("2026-03-30T00:00:00Z"), "02:00 CEST");
}

#[test]
fn the_default_odds_schedule_fires_every_half_hour_from_0900_to_2230() {
    let slots = day(&cron("0,30 9-22 * * *"), "2026-12-06");
    assert_eq!(slots.len(), 28);
    assert_eq!(slots[0].label(), "2026-12-06T09:00");
    assert_eq!(slots[27].label(), "2026-12-06T22:30");
    assert_eq!(slots[27].at, utc("2026-12-06T21:30:00Z"));
}

#[test]
fn six_fields_with_zero_seconds_and_sunday_as_7_are_accepted() {
    assert_eq!(cron("0 0 6 * * *"), cron("0 6 * * *"));
    let sunday = cron("0 12 * * 7").next_after(utc("2026-12-06T00:00:00Z"));
    assert_eq!(
        sunday.expect("slot").label(),
        "2026-12-06T12:00",
        "a Sunday"
    );
    let every_15 = day(&cron("*/15 10 * * *"), "2026-12-06");
    assert_eq!(every_15.len(), 4);
}

#[test]
fn malformed_expressions_are_refused_with_a_reason() {
    for bad in [
        "61 * * * *",
        "* * *",
        "1 0 6 * * *",
        "*/0 * * * *",
        "5-1 * * * *",
        "a * * * *",
        "0 24 * * *",
    ] {
        let err = bad.parse::<CronSchedule>().err();
        assert!(err.is_some(), "{bad} should be refused");
    }
}

#[test]
fn an_impossible_date_has_no_next_slot() {
    assert_eq!(
        cron("0 0 31 2 *").next_after(utc("2026-01-01T00:00:00Z")),
        None
    );
}
