//! What the overview and race pages share to show the model's stored output (written by
//! `pronoturf predict`): French confidence labels, the market probability of the predicted
//! runners, and each runner's explanation in words.

use crate::format;
use pronoturf_core::store::{RacePrediction, RunnerPrediction};
use std::collections::BTreeMap;

/// French label of a stored confidence level (high, medium, low).
pub fn confidence_label(level: &str) -> &'static str {
    match level {
        "high" => "forte",
        "medium" => "moyenne",
        "low" => "faible",
        _ => "—",
    }
}

/// The confidence of the race's win pronostic (gagnant), when stored.
pub fn win_confidence(race: &RacePrediction) -> Option<&str> {
    race.pronostics
        .iter()
        .find(|p| p.kind == "gagnant")
        .map(|p| p.confidence.as_str())
}

/// The model's top pick (rank 1).
pub fn top_pick(race: &RacePrediction) -> Option<&RunnerPrediction> {
    race.runners.iter().min_by_key(|r| r.rank)
}

/// The morning market's probability of each predicted runner: 1/odds normalised over the
/// runners priced when the prediction was made (the odds the edge was computed at).
pub fn morning_market(race: &RacePrediction) -> BTreeMap<u32, f64> {
    let priced: Vec<(u32, f64)> = race
        .runners
        .iter()
        .filter_map(|r| r.odds.filter(|o| *o > 1.0).map(|o| (r.number, o)))
        .collect();
    let total: f64 = priced.iter().map(|(_, o)| 1.0 / o).sum();
    priced
        .into_iter()
        .map(|(n, o)| (n, (1.0 / o) / total))
        .collect()
}

/// A runner's stored explanation in words: the features pushing it up, then down, with what
/// each adds to its log-odds against the field average (`↑ a +0,42 ; b +0,10 · ↓ c −0,20`).
pub fn explanation_text(explanation: &serde_json::Value) -> String {
    let terms = |side: &str| -> Vec<String> {
        explanation
            .get(side)
            .and_then(|v| v.as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|c| {
                        let name = c.get("feature")?.as_str()?;
                        let value = c.get("value")?.as_f64()?;
                        let sign = if value >= 0.0 { "+" } else { "" };
                        Some(format!("{name} {sign}{}", format::dec(value, 2)))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (up, down) = (terms("up"), terms("down"));
    let mut parts = Vec::new();
    if !up.is_empty() {
        parts.push(format!("↑ {}", up.join(" ; ")));
    }
    if !down.is_empty() {
        parts.push(format!("↓ {}", down.join(" ; ")));
    }
    if parts.is_empty() {
        "—".to_string()
    } else {
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explanation_lists_features_up_then_down_with_their_log_odds() {
        let e = serde_json::json!({
            "up": [{"feature": "mkt_logp", "value": 0.423}, {"feature": "wins", "value": 0.1}],
            "down": [{"feature": "age", "value": -0.2}]
        });
        assert_eq!(
            explanation_text(&e),
            "↑ mkt_logp +0,42 ; wins +0,10 · ↓ age -0,20"
        );
        assert_eq!(explanation_text(&serde_json::json!({})), "—");
    }
}
