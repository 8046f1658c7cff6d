//! Computes the feature matrix of one race from the remembered history and the race card's own
//! pre-race fields (musique, career, odds), making race-relative what only matters within the race.

use super::columns::{Feature, FeatureSet};
use super::state::{History, Record, distance_band, person_key};
use crate::market::valid_odds;
use crate::musique;
use chrono::NaiveDate;
use ndarray::Array2;
use pronoturf_core::domain::{Discipline, RaceCard, Runner, Sex, normalise_name};
use std::collections::VecDeque;

/// Priors toward which small records are shrunk: about one winner and three placed per ten runners.
const PRIOR_WIN: f64 = 0.1;
const PRIOR_PLACE: f64 = 0.3;
/// Pseudo-runs of prior: a horse's record counts little before a few runs, a jockey's before ~20.
const HORSE_STRENGTH: f64 = 3.0;
const PERSON_STRENGTH: f64 = 20.0;

type Row = [f64; Feature::ALL.len()];

/// Shrinks `hits / runs` toward `prior` with `strength` pseudo-runs.
fn shrink(hits: u32, runs: u32, prior: f64, strength: f64) -> f64 {
    (f64::from(hits) + prior * strength) / (f64::from(runs) + strength)
}

fn win_rate(r: Record, strength: f64) -> f64 {
    shrink(r.wins, r.runs, PRIOR_WIN, strength)
}

fn place_rate(r: Record, strength: f64) -> f64 {
    shrink(r.places, r.runs, PRIOR_PLACE, strength)
}

/// Wins beyond the market's expectation per run, shrunk toward 0 with `PERSON_STRENGTH` runs.
fn excess(r: Record) -> f64 {
    (f64::from(r.wins) - r.expected()) / (f64::from(r.runs) + PERSON_STRENGTH)
}

fn ln1p_u(n: u32) -> f64 {
    f64::from(n).ln_1p()
}

/// Known values minus their mean; unknown ones get 0, i.e. the race mean.
fn demean(values: &[Option<f64>]) -> Vec<f64> {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    if known.is_empty() {
        return vec![0.0; values.len()];
    }
    let mean = known.iter().sum::<f64>() / known.len() as f64;
    values.iter().map(|v| v.map_or(0.0, |v| v - mean)).collect()
}

/// z-scores within the race; 0 for unknown values and when all known values are equal.
fn zscore(values: &[Option<f64>]) -> Vec<f64> {
    let centred = demean(values);
    let known = values.iter().flatten().count();
    let var = centred.iter().map(|c| c * c).sum::<f64>() / known.max(1) as f64;
    if var <= 1e-12 {
        return vec![0.0; values.len()];
    }
    centred.iter().map(|c| c / var.sqrt()).collect()
}

/// Market columns: ln p, missing flag and rank from the morning odds.
fn market(runners: &[&Runner], rows: &mut [Row]) {
    let n = runners.len();
    let odds: Vec<Option<f64>> = runners
        .iter()
        .map(|r| valid_odds(r.odds_reference))
        .collect();
    let total: f64 = odds.iter().flatten().map(|o| 1.0 / o).sum();
    let logp: Vec<Option<f64>> = odds
        .iter()
        .map(|o| o.map(|o| (1.0 / o / total).ln()))
        .collect();
    let known: Vec<f64> = logp.iter().flatten().copied().collect();
    let fill = if known.is_empty() {
        -(n as f64).ln()
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    let filled: Vec<f64> = logp.iter().map(|l| l.unwrap_or(fill)).collect();
    let field_log = (n as f64).ln();
    for (i, row) in rows.iter_mut().enumerate() {
        // Average rank among ties, 0-based, scaled to [0, 1].
        let above = filled.iter().filter(|&&l| l > filled[i]).count() as f64;
        let ties = filled.iter().filter(|&&l| l == filled[i]).count() as f64;
        let rank = above + (ties - 1.0) / 2.0;
        row[Feature::MktLogp as usize] = filled[i];
        row[Feature::MktMissing as usize] = f64::from(u8::from(logp[i].is_none()));
        row[Feature::MktRank as usize] = if n > 1 { rank / (n as f64 - 1.0) } else { 0.0 };
        row[Feature::MktLogpXField as usize] = filled[i] * field_log;
    }
}

/// Race-constant context columns.
fn context(card: &RaceCard, n: usize, row: &mut Row) {
    let d = &card.race.discipline;
    row[Feature::FieldSizeLog as usize] = (n as f64).ln();
    row[Feature::DiscPlat as usize] = f64::from(u8::from(*d == Discipline::Plat));
    row[Feature::DiscAttele as usize] = f64::from(u8::from(*d == Discipline::Attele));
    row[Feature::DiscMonte as usize] = f64::from(u8::from(*d == Discipline::Monte));
    row[Feature::DiscObstacle as usize] = f64::from(u8::from(d.is_obstacle()));
    row[Feature::DistanceBand as usize] =
        distance_band(card.race.distance_m).map_or(1.5, f64::from);
}

/// Columns read from the horse's remembered races.
fn horse_history(
    h: &History,
    horse: &str,
    band: Option<u8>,
    track: &str,
    date: NaiveDate,
    row: &mut Row,
) {
    let state = h.horses.get(horse);
    let record = state.map(|s| s.record).unwrap_or_default();
    row[Feature::HorseRunsLog as usize] = ln1p_u(record.runs);
    row[Feature::HorseWinRate as usize] = win_rate(record, HORSE_STRENGTH);
    row[Feature::HorsePlaceRate as usize] = place_rate(record, HORSE_STRENGTH);
    let days = state
        .and_then(|s| s.last_date)
        .map(|last| (date - last).num_days().max(0) as f64);
    row[Feature::HorseDaysSinceLog as usize] = days.map_or(0.0, f64::ln_1p);
    row[Feature::HorseUnseen as usize] = f64::from(u8::from(record.runs == 0));
    // One pseudo-run at mid-field keeps a single bad run from looking like a certainty.
    let recent = state
        .map(|s| (s.recent.iter().sum::<f64>(), s.recent.len()))
        .unwrap_or_default();
    row[Feature::HorseLast5Pct as usize] = (recent.0 + 0.5) / (recent.1 as f64 + 1.0);
    let band_rec = band
        .and_then(|b| h.horse_band.get(&(horse.to_string(), b)))
        .copied()
        .unwrap_or_default();
    row[Feature::HorseBandPlaceRate as usize] = place_rate(band_rec, HORSE_STRENGTH);
    let track_rec = h
        .horse_track
        .get(&(horse.to_string(), track.to_string()))
        .copied()
        .unwrap_or_default();
    row[Feature::HorseTrackPlaceRate as usize] = place_rate(track_rec, HORSE_STRENGTH);
    // One pseudo-run at 0 (an average runner, as the market saw it) shrinks short records.
    let shrunk_mean = |q: Option<&VecDeque<f64>>| {
        q.map_or(0.0, |q| q.iter().sum::<f64>() / (q.len() as f64 + 1.0))
    };
    row[Feature::HorsePastLogp as usize] = shrunk_mean(state.map(|s| &s.recent_logp));
    row[Feature::HorsePastResid as usize] = shrunk_mean(state.map(|s| &s.recent_resid));
}

/// Changes since the horse's last race.
fn changes(h: &History, horse: &str, runner: &Runner, distance: Option<u32>, row: &mut Row) {
    let state = h.horses.get(horse);
    let last_distance = state.and_then(|s| s.last_distance);
    row[Feature::HorseDistanceChange as usize] = match (distance, last_distance) {
        (Some(d), Some(l)) if d > 0 && l > 0 => (f64::from(d) / f64::from(l)).ln(),
        _ => 0.0,
    };
    let weight = runner.weight_kg.filter(|w| w.is_finite());
    row[Feature::HorseWeightChange as usize] = match (weight, state.and_then(|s| s.last_weight)) {
        (Some(w), Some(l)) => w - l,
        _ => 0.0,
    };
}

/// Columns from the published musique and career record.
fn published_form(runner: &Runner, row: &mut Row) {
    let m = musique::read(runner.musique.as_deref().unwrap_or(""));
    let runs = u32::try_from(m.runs).unwrap_or(u32::MAX);
    let count = |k: usize| u32::try_from(k).unwrap_or(u32::MAX);
    row[Feature::MusTop3Frac as usize] = shrink(count(m.top3), runs, PRIOR_PLACE, 2.0);
    row[Feature::MusWinFrac as usize] = shrink(count(m.wins), runs, PRIOR_WIN, 2.0);
    row[Feature::MusDnfCount as usize] = m.dnf as f64;
    row[Feature::MusLast as usize] = m.last_rank.map_or(0.5, |r| (f64::from(r) - 1.0) / 9.0);
    row[Feature::MusRecentMean as usize] = m.recent_mean_rank.map_or(0.5, |r| (r - 1.0) / 9.0);
    row[Feature::MusLenLog as usize] = (m.runs as f64).ln_1p();
    row[Feature::MusMissing as usize] = f64::from(u8::from(m.runs == 0));

    let starts = runner.career_starts;
    row[Feature::CareerStartsLog as usize] = starts.map_or(0.0, ln1p_u);
    let career = Record {
        runs: starts.unwrap_or(0),
        wins: runner.career_wins.unwrap_or(0),
        places: runner.career_places.unwrap_or(0),
        expected_micro: 0,
    };
    row[Feature::CareerWinRate as usize] = win_rate(career, HORSE_STRENGTH);
    row[Feature::CareerPlaceRate as usize] = place_rate(career, HORSE_STRENGTH);
    row[Feature::CareerMissing as usize] = f64::from(u8::from(starts.is_none()));
    row[Feature::SexFemale as usize] = f64::from(u8::from(runner.horse.sex == Some(Sex::Female)));
    row[Feature::SexGelding as usize] = f64::from(u8::from(runner.horse.sex == Some(Sex::Gelding)));
}

/// Jockey, trainer and combination columns.
fn connections(h: &History, runner: &Runner, horse: &str, track: &str, row: &mut Row) {
    let jockey = person_key(runner.jockey.as_deref());
    let trainer = person_key(runner.trainer.as_deref());
    let j = History::rolling(&h.jockeys, jockey.as_ref());
    let t = History::rolling(&h.trainers, trainer.as_ref());
    row[Feature::JockeyWinRate as usize] = win_rate(j, PERSON_STRENGTH);
    row[Feature::JockeyPlaceRate as usize] = place_rate(j, PERSON_STRENGTH);
    row[Feature::JockeyRunsLog as usize] = ln1p_u(j.runs);
    row[Feature::TrainerWinRate as usize] = win_rate(t, PERSON_STRENGTH);
    row[Feature::TrainerPlaceRate as usize] = place_rate(t, PERSON_STRENGTH);
    row[Feature::TrainerRunsLog as usize] = ln1p_u(t.runs);
    row[Feature::JockeyExcessWin as usize] = excess(j);
    row[Feature::TrainerExcessWin as usize] = excess(t);
    let jh = jockey
        .and_then(|j| h.jockey_horse.get(&(j, horse.to_string())))
        .copied()
        .unwrap_or_default();
    row[Feature::JockeyHorseRunsLog as usize] = ln1p_u(jh.runs);
    row[Feature::JockeyHorsePlaceRate as usize] = place_rate(jh, HORSE_STRENGTH);
    let tt = trainer
        .and_then(|t| h.trainer_track.get(&(t, track.to_string())))
        .copied()
        .unwrap_or_default();
    row[Feature::TrainerTrackWinRate as usize] = win_rate(tt, PERSON_STRENGTH);
}

/// Columns relative to the other runners of the race.
fn relative(runners: &[&Runner], rows: &mut [Row]) {
    let n = runners.len() as f64;
    let ages = demean(
        &runners
            .iter()
            .map(|r| r.age.map(f64::from))
            .collect::<Vec<_>>(),
    );
    let weights = demean(
        &runners
            .iter()
            .map(|r| r.weight_kg.filter(|w| w.is_finite()))
            .collect::<Vec<_>>(),
    );
    let draws = demean(
        &runners
            .iter()
            .map(|r| r.draw.map(f64::from))
            .collect::<Vec<_>>(),
    );
    let earn: Vec<Option<f64>> = runners
        .iter()
        .map(|r| {
            let e = r.earnings_eur.filter(|e| e.is_finite() && *e >= 0.0)?;
            Some((e / f64::from(r.career_starts.unwrap_or(0).max(1))).ln_1p())
        })
        .collect();
    let earn_rel = demean(&earn);
    let earn_z = zscore(&earn);
    for (i, row) in rows.iter_mut().enumerate() {
        row[Feature::AgeRel as usize] = ages[i];
        row[Feature::WeightRel as usize] = weights[i];
        row[Feature::DrawRel as usize] = draws[i] / n;
        row[Feature::CareerEarnPerStartRel as usize] = earn_rel[i];
        row[Feature::CareerEarnZ as usize] = earn_z[i];
    }
}

/// The feature matrix (runners × `set` columns) of one race, from history before its day.
pub(crate) fn race_matrix(
    card: &RaceCard,
    runners: &[&Runner],
    h: &History,
    set: FeatureSet,
) -> Array2<f64> {
    let date = card.meeting.date;
    let band = distance_band(card.race.distance_m);
    let track = normalise_name(&card.meeting.track.name);
    let mut rows: Vec<Row> = vec![[0.0; Feature::ALL.len()]; runners.len()];
    market(runners, &mut rows);
    relative(runners, &mut rows);
    for (runner, row) in runners.iter().zip(rows.iter_mut()) {
        let horse = runner.horse.key();
        context(card, runners.len(), row);
        horse_history(h, &horse, band, &track, date, row);
        changes(h, &horse, runner, card.race.distance_m, row);
        published_form(runner, row);
        connections(h, runner, &horse, &track, row);
    }
    let columns = set.columns();
    Array2::from_shape_fn((runners.len(), columns.len()), |(i, j)| {
        rows[i][columns[j] as usize]
    })
}
