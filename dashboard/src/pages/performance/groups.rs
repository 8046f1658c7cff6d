//! Groups of simulated bets as the Performance page shows them: totals per strategy, weeks
//! from days, odds bands in their natural order, French labels, table lines and CSV tables.

use super::BANK;
use crate::export::Table;
use crate::format;
use chrono::{Datelike, Days, NaiveDate};
use pronoturf_core::store::{BetGroup, ODDS_BANDS};

/// French name of a strategy (the names `pronoturf bets` uses); unknown ones as stored.
pub fn strategy_label(strategy: &str) -> String {
    match strategy {
        "top_pick_win_flat" => "Favori du modèle, gagnant 1 €".into(),
        "value_win_kelly" => "Value bets, gagnant Kelly/4".into(),
        "top_place_flat" => "Meilleur placé, placé 1 €".into(),
        other => other.to_string(),
    }
}

fn band_label(code: &str) -> &str {
    match code {
        "none" => "sans cote du matin",
        "<3" => "moins de 3",
        "3-5" => "3 à 5",
        "5-10" => "5 à 10",
        "10-20" => "10 à 20",
        "20+" => "20 et plus",
        other => other,
    }
}

fn add(to: &mut BetGroup, g: &BetGroup) {
    to.settled += g.settled;
    to.pending += g.pending;
    to.won += g.won;
    to.staked += g.staked;
    to.returned += g.returned;
}

/// Sums groups sharing a strategy and the label `relabel` gives them, in first-seen order.
fn regroup(groups: &[BetGroup], relabel: impl Fn(&BetGroup) -> String) -> Vec<BetGroup> {
    let mut out: Vec<BetGroup> = Vec::new();
    for g in groups {
        let label = relabel(g);
        match out
            .iter_mut()
            .find(|o| o.strategy == g.strategy && o.label == label)
        {
            Some(o) => add(o, g),
            None => out.push(BetGroup { label, ..g.clone() }),
        }
    }
    out
}

/// One group per strategy, labelled with the strategy's name.
pub fn totals_by_strategy(days: &[BetGroup]) -> Vec<BetGroup> {
    regroup(days, |g| strategy_label(&g.strategy))
}

/// Day groups summed per ISO week, labelled with the week's Monday.
pub fn by_week(days: &[BetGroup]) -> Vec<BetGroup> {
    regroup(days, |g| match g.label.parse::<NaiveDate>() {
        Ok(d) => d
            .checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
            .unwrap_or(d)
            .to_string(),
        Err(_) => g.label.clone(),
    })
}

/// Odds-band groups in band order (no odds, then shortest to longest), labelled in French.
pub fn odds_in_order(odds: &[BetGroup]) -> Vec<BetGroup> {
    let rank = |code: &str| {
        ODDS_BANDS
            .iter()
            .position(|b| *b == code)
            .unwrap_or(usize::MAX)
    };
    let mut sorted = odds.to_vec();
    sorted.sort_by(|a, b| (rank(&a.label), &a.strategy).cmp(&(rank(&b.label), &b.strategy)));
    for g in &mut sorted {
        g.label = band_label(&g.label).to_string();
    }
    sorted
}

/// One table line.
pub struct Line {
    /// Day, week, discipline, track or band; the strategy's name on the strategies table.
    pub label: String,
    /// Strategy.
    pub strategy: String,
    /// Settled bets.
    pub settled: i64,
    /// Pending bets.
    pub pending: i64,
    /// Won bets.
    pub won: String,
    /// Staked.
    pub staked: String,
    /// Profit.
    pub profit: String,
    /// Profit over stakes.
    pub roi: String,
    /// True on a loss, for the colour.
    pub loss: bool,
    /// Bankroll at the end (the bank plus the profit).
    pub bankroll: String,
}

fn euros(x: f64) -> String {
    format!("{}\u{a0}€", format::dec(x, 2))
}

/// Table lines of `groups`; dates are shown the French way.
pub fn lines(groups: &[BetGroup]) -> Vec<Line> {
    groups
        .iter()
        .map(|g| Line {
            label: g
                .label
                .parse::<NaiveDate>()
                .map(format::date)
                .unwrap_or_else(|_| g.label.clone()),
            strategy: strategy_label(&g.strategy),
            settled: g.settled,
            pending: g.pending,
            won: if g.settled > 0 {
                format!(
                    "{} ({})",
                    g.won,
                    format::pct(g.won as f64 / g.settled as f64)
                )
            } else {
                "—".into()
            },
            staked: euros(g.staked),
            profit: euros(g.profit()),
            roi: format::or_dash(g.roi(), format::pct),
            loss: g.profit() < 0.0,
            bankroll: euros(BANK + g.profit()),
        })
        .collect()
}

/// A CSV table of groups.
pub fn table(name: &str, groups: &[BetGroup]) -> Table {
    let mut t = Table::new(
        name,
        vec![
            "groupe",
            "strategie",
            "paris_regles",
            "en_attente",
            "gagnes",
            "mise",
            "retour",
            "gain_net",
            "roi",
        ],
    );
    for g in groups {
        t.push(vec![
            g.label.clone(),
            g.strategy.clone(),
            g.settled.to_string(),
            g.pending.to_string(),
            g.won.to_string(),
            g.staked.to_string(),
            g.returned.to_string(),
            g.profit().to_string(),
            g.roi().map(|r| r.to_string()).unwrap_or_default(),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(strategy: &str, label: &str, staked: f64, returned: f64) -> BetGroup {
        BetGroup {
            strategy: strategy.into(),
            label: label.into(),
            settled: 1,
            pending: 0,
            won: i64::from(returned > 0.0),
            staked,
            returned,
        }
    }

    #[test]
    fn days_sum_into_weeks_starting_on_monday_and_bands_keep_their_order() {
        // Sunday 4 January 2026 belongs to the week of Monday 29 December 2025.
        let days = vec![
            group("a", "2026-01-04", 1.0, 0.0),
            group("a", "2026-01-05", 1.0, 3.0),
            group("a", "2026-01-06", 2.0, 0.0),
        ];
        let weeks = by_week(&days);
        let got: Vec<(&str, f64, f64)> = weeks
            .iter()
            .map(|w| (w.label.as_str(), w.staked, w.profit()))
            .collect();
        assert_eq!(
            got,
            vec![("2025-12-29", 1.0, -1.0), ("2026-01-05", 3.0, 0.0)]
        );
        let bands = odds_in_order(&[group("a", "20+", 1.0, 0.0), group("a", "none", 1.0, 0.0)]);
        assert_eq!(bands[0].label, "sans cote du matin");
        assert_eq!(bands[1].label, "20 et plus");
        let totals = totals_by_strategy(&days);
        assert_eq!(totals.len(), 1);
        assert_eq!(totals[0].roi(), Some(-0.25));
    }
}
