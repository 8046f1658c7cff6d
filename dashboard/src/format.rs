//! French number, date and time formatting for the pages (decimal comma, grouped thousands,
//! Paris time). CSV exports keep plain machine-readable values instead.

use chrono::{DateTime, NaiveDate, Utc};

/// Thin no-break space, the French thousands separator.
const THOUSANDS: char = '\u{202f}';

/// `12345` as `12 345`.
pub fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THOUSANDS);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `x` with `digits` decimals and a decimal comma.
pub fn dec(x: f64, digits: usize) -> String {
    format!("{x:.digits$}").replace('.', ",")
}

/// A share from 0 to 1 as a percentage: `0.523` as `52,3 %`.
pub fn pct(share: f64) -> String {
    format!("{}\u{a0}%", dec(share * 100.0, 1))
}

/// An optional value, or an em dash.
pub fn or_dash<T>(value: Option<T>, f: impl FnOnce(T) -> String) -> String {
    value.map_or_else(|| "—".to_string(), f)
}

/// `14/06/2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Paris local time `13:50`.
pub fn time(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Paris)
        .format("%H:%M")
        .to_string()
}

/// Paris local date and time `14/06/2026 13:50`.
pub fn date_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Paris)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Relative change of a count against the previous period: `+12,0 %`, or a dash without a base.
pub fn change(current: f64, previous: f64) -> String {
    if previous == 0.0 {
        return "—".to_string();
    }
    signed_pct((current - previous) / previous)
}

/// Change of a rate in percentage points: `+3,1 pts`.
pub fn change_points(current: Option<f64>, previous: Option<f64>) -> String {
    match (current, previous) {
        (Some(c), Some(p)) => {
            let d = (c - p) * 100.0;
            format!("{}{}\u{a0}pts", if d >= 0.0 { "+" } else { "" }, dec(d, 1))
        }
        _ => "—".to_string(),
    }
}

fn signed_pct(x: f64) -> String {
    format!("{}{}", if x >= 0.0 { "+" } else { "" }, pct(x))
}

/// French month name, for chart labels.
pub fn month(year: i32, month: u32) -> String {
    const NAMES: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    let name = NAMES
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    format!("{name} {year}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_french_separators() {
        assert_eq!(int(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(int(-42), "-42");
        assert_eq!(dec(2.95, 1), "3,0");
        assert_eq!(pct(0.5), "50,0\u{a0}%");
    }

    #[test]
    fn changes_are_signed_and_need_a_base() {
        assert_eq!(change(110.0, 100.0), "+10,0\u{a0}%");
        assert_eq!(change(90.0, 100.0), "-10,0\u{a0}%");
        assert_eq!(change(5.0, 0.0), "—");
        assert_eq!(change_points(Some(0.35), Some(0.30)), "+5,0\u{a0}pts");
        assert_eq!(change_points(None, Some(0.3)), "—");
    }
}
