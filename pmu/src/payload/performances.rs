//! Types of the past-performances endpoint (`…/performances-detaillees/pretty`, FORMAT.md §2.3).
//! Unlike the participants endpoint, times here are in **centiseconds**.

use super::de::null_default;
use serde::Deserialize;

/// Recent races of every runner of one race.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Performances {
    /// TROT or GALOP.
    #[serde(default)]
    pub allure: Option<String>,
    /// One entry per runner; required so that an unrelated object is not read as "no history".
    #[serde(deserialize_with = "null_default")]
    pub participants: Vec<PerformancesParticipant>,
}

/// A runner and its recent races.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PerformancesParticipant {
    /// Saddle-cloth number in the race the performances were fetched for.
    pub num_pmu: u32,
    /// Horse name.
    #[serde(default)]
    pub nom_cheval: Option<String>,
    /// Recent races, most recent first.
    #[serde(default, deserialize_with = "null_default")]
    pub courses_courues: Vec<PastRace>,
}

/// A past race.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PastRace {
    /// Epoch ms UTC.
    #[serde(default)]
    pub date: Option<i64>,
    /// Paris UTC offset, ms.
    #[serde(default)]
    pub timezone_offset: Option<i64>,
    /// Racecourse, mixed case ("Pontchâteau").
    #[serde(default)]
    pub hippodrome: Option<String>,
    /// Race name.
    #[serde(default)]
    pub nom_prix: Option<String>,
    /// ATTELE, MONTE, PLAT, HAIE...
    #[serde(default)]
    pub discipline: Option<String>,
    /// Speciality, when given.
    #[serde(default)]
    pub specialite: Option<String>,
    /// Going, when given.
    #[serde(default)]
    pub etat_terrain: Option<String>,
    /// Prize money, euros.
    #[serde(default)]
    pub allocation: Option<i64>,
    /// Metres.
    #[serde(default)]
    pub distance: Option<i64>,
    /// Field size.
    #[serde(default)]
    pub nb_participants: Option<i64>,
    /// Winner's time, centiseconds.
    #[serde(default)]
    pub temps_du_premier: Option<i64>,
    /// The runners of that race (the horse concerned has `its_him`).
    #[serde(default, deserialize_with = "null_default")]
    pub participants: Vec<PastRaceParticipant>,
}

impl PastRace {
    /// The entry of the horse the performances are about.
    pub fn subject(&self) -> Option<&PastRaceParticipant> {
        self.participants.iter().find(|p| p.its_him == Some(true))
    }
}

/// A runner of a past race.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PastRaceParticipant {
    /// Saddle-cloth number then (null in the samples).
    #[serde(default)]
    pub num_pmu: Option<i64>,
    /// Finishing place.
    #[serde(default)]
    pub place: Option<PastPlace>,
    /// Horse name.
    #[serde(default)]
    pub nom_cheval: Option<String>,
    /// Jockey or driver.
    #[serde(default)]
    pub nom_jockey: Option<String>,
    /// Jockey weight, kg (galop).
    #[serde(default)]
    pub poids_jockey: Option<f64>,
    /// Draw; its type is not known (always null in the samples).
    #[serde(default)]
    pub corde: Option<serde_json::Value>,
    /// Margin to the previous horse; type not known (always null in the samples).
    #[serde(default)]
    pub distance_avec_precedent: Option<serde_json::Value>,
    /// True for the horse the performances are about.
    #[serde(default)]
    pub its_him: Option<bool>,
    /// Trot reduction kilométrique, centiseconds per km.
    #[serde(default)]
    pub reduction_kilometrique: Option<i64>,
    /// Distance run, metres.
    #[serde(default)]
    pub distance_parcourue: Option<i64>,
    /// Blinkers; type not known (always null in the samples).
    #[serde(default)]
    pub oeillere: Option<serde_json::Value>,
    /// Shoeing, when given; type not known.
    #[serde(default)]
    pub deferre: Option<serde_json::Value>,
}

/// Finishing place in a past race.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PastPlace {
    /// Position; null when not placed.
    #[serde(default)]
    pub place: Option<i64>,
    /// Raw text, when given.
    #[serde(default)]
    pub raw_value: Option<String>,
    /// PLACE, NON_PLACE, DISQUALIFIE... (open list).
    #[serde(default)]
    pub status_arrivee: Option<String>,
}
