//! Types of one race (course) of the programme, as listed under `reunions[].courses[]` and as
//! returned by `programme/{DDMMYYYY}/R{r}/C{c}` (FORMAT.md §2.1).

use super::de::{null_default, opt_text};
use super::programme::{Cagnotte, Hippodrome};
use serde::Deserialize;

/// A race (course) of the programme.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Course {
    /// The C number.
    pub num_ordre: u32,
    /// The R number.
    #[serde(default)]
    pub num_reunion: Option<u32>,
    /// Whether the response came from the API's cache.
    #[serde(default)]
    pub cached: Option<bool>,
    /// Off imminent.
    #[serde(default)]
    pub depart_imminent: Option<bool>,
    /// Result official (older spelling; see also `is_arrivee_definitive`).
    #[serde(default)]
    pub arrivee_definitive: Option<bool>,
    /// Result official.
    #[serde(default)]
    pub is_arrivee_definitive: Option<bool>,
    /// Off imminent.
    #[serde(default)]
    pub is_depart_imminent: Option<bool>,
    /// Race is on the next day.
    #[serde(default, rename = "isDepartAJPlusUn")]
    pub is_depart_a_j_plus_un: Option<bool>,
    /// Paris UTC offset, ms.
    #[serde(default)]
    pub timezone_offset: Option<i64>,
    /// External réunion number.
    #[serde(default)]
    pub num_externe_reunion: Option<i64>,
    /// External race number.
    #[serde(default)]
    pub num_externe: Option<i64>,
    /// Scheduled off, epoch ms UTC.
    #[serde(default)]
    pub heure_depart: Option<i64>,
    /// Name, e.g. "PRIX ONIRIS".
    #[serde(default)]
    pub libelle: Option<String>,
    /// Short name.
    #[serde(default)]
    pub libelle_court: Option<String>,
    /// Prize money, euros.
    #[serde(default)]
    pub montant_prix: Option<i64>,
    /// Course description, often empty.
    #[serde(default)]
    pub parcours: Option<String>,
    /// Metres.
    #[serde(default)]
    pub distance: Option<i64>,
    /// "METRE".
    #[serde(default)]
    pub distance_unit: Option<String>,
    /// CORDE_GAUCHE, CORDE_DROITE, LIGNE_DROITE.
    #[serde(default)]
    pub corde: Option<String>,
    /// PLAT, ATTELE, MONTE, HAIE, STEEPLECHASE, CROSS.
    #[serde(default)]
    pub discipline: Option<String>,
    /// PLAT, TROT_ATTELE, TROT_MONTE, OBSTACLE.
    #[serde(default)]
    pub specialite: Option<String>,
    /// HANDICAP, AUTOSTART, GROUPE_I... (open list).
    #[serde(default)]
    pub categorie_particularite: Option<String>,
    /// TROIS_ANS_ET_PLUS...
    #[serde(default)]
    pub condition_age: Option<String>,
    /// TOUS_CHEVAUX, FEMELLES...
    #[serde(default)]
    pub condition_sexe: Option<String>,
    /// Declared runners.
    #[serde(default)]
    pub nombre_declares_partants: Option<i64>,
    /// Grand Prix National du Trot leg.
    #[serde(default)]
    pub grand_prix_national_trot: Option<bool>,
    /// Organising society.
    #[serde(default)]
    pub num_societe_mere: Option<i64>,
    /// Part of a multi-race bet.
    #[serde(default)]
    pub pari_multi_courses: Option<bool>,
    /// Carries a special bet.
    #[serde(default)]
    pub pari_special: Option<bool>,
    /// Total prize money, euros.
    #[serde(default)]
    pub montant_total_offert: Option<i64>,
    /// Winner's prize, euros.
    #[serde(default, rename = "montantOffert1er")]
    pub montant_offert_1er: Option<i64>,
    /// Second's prize, euros.
    #[serde(default, rename = "montantOffert2eme")]
    pub montant_offert_2eme: Option<i64>,
    /// Third's prize, euros.
    #[serde(default, rename = "montantOffert3eme")]
    pub montant_offert_3eme: Option<i64>,
    /// Fourth's prize, euros.
    #[serde(default, rename = "montantOffert4eme")]
    pub montant_offert_4eme: Option<i64>,
    /// Fifth's prize, euros.
    #[serde(default, rename = "montantOffert5eme")]
    pub montant_offert_5eme: Option<i64>,
    /// Conditions text.
    #[serde(default)]
    pub conditions: Option<String>,
    /// Number of the race this one was split from.
    #[serde(default)]
    pub num_course_dedoublee: Option<i64>,
    /// Bets offered.
    #[serde(default, deserialize_with = "null_default")]
    pub paris: Vec<Pari>,
    /// PROGRAMMEE, FIN_COURSE, ARRIVEE_DEFINITIVE_COMPLETE, COURSE_ANNULEE... (open list).
    #[serde(default)]
    pub statut: Option<String>,
    /// ARRIVEE, A_PARTIR, ANNULEE, EN_COURS.
    #[serde(default)]
    pub categorie_statut: Option<String>,
    /// Winner's time, ms.
    #[serde(default)]
    pub duree_course: Option<i64>,
    /// Incidents (non-runners, disqualifications, falls...).
    #[serde(default, deserialize_with = "null_default")]
    pub incidents: Vec<Incident>,
    /// Final payouts published.
    #[serde(default)]
    pub rapports_definitifs_disponibles: Option<bool>,
    /// Jackpots on this race.
    #[serde(default, deserialize_with = "null_default")]
    pub cagnottes: Vec<Cagnotte>,
    /// Press tips no longer available.
    #[serde(default)]
    pub pronostics_expires: Option<bool>,
    /// Replay available.
    #[serde(default)]
    pub replay_disponible: Option<bool>,
    /// The racecourse (code under `codeHippodrome`).
    #[serde(default)]
    pub hippodrome: Option<Hippodrome>,
    /// Ticket-office flag.
    #[serde(default)]
    pub epc_pour_tous_paris: Option<bool>,
    /// Tracked race.
    #[serde(default)]
    pub course_trackee: Option<bool>,
    /// Internet-only race.
    #[serde(default)]
    pub course_exclusive_internet: Option<bool>,
    /// Free-field formula unavailable.
    #[serde(default)]
    pub formule_champ_libre_indisponible: Option<bool>,
    /// Internet (E_) pools offered.
    #[serde(default)]
    pub has_e_paris: Option<bool>,
    /// Arrival: each slot lists the numPmu placed there (dead heats share a slot).
    #[serde(default)]
    pub ordre_arrivee: Option<Vec<Vec<u32>>>,
    /// GAZON, HERBE, SABLE, PSF... (open list).
    #[serde(default)]
    pub type_piste: Option<String>,
    /// Going and penetrometer reading.
    #[serde(default)]
    pub penetrometre: Option<Penetrometre>,
    /// Pool ids per bet code.
    #[serde(default, deserialize_with = "null_default")]
    pub pool_ids: Vec<PoolId>,
    /// e.g. "ENQUETE" while the provisional result is under inquiry.
    #[serde(default)]
    pub indicateur_evenement_arrivee_provisoire: Option<String>,
    /// e.g. "TERMINEE AVEC MODIFICATION".
    #[serde(default)]
    pub details_indicateur_evenement_arrivee_provisoire: Option<String>,
}

/// An incident of a race and the runners it concerns.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    /// NON_PARTANT, DISQUALIFIE_POUR_ALLURE_IRREGULIERE, TOMBE, ARRETE... (open list).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// numPmu of the runners concerned.
    #[serde(default, deserialize_with = "null_default")]
    pub numero_participants: Vec<u32>,
}

/// Going measurement.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Penetrometre {
    /// Reading as published, with a decimal comma ("4,6"); a number is accepted too.
    #[serde(default, deserialize_with = "opt_text")]
    pub valeur_mesure: Option<String>,
    /// Local time of the reading, "2025-11-09T10:00".
    #[serde(default)]
    pub heure_mesure: Option<String>,
    /// Going: "Lourd", "Souple", "Bon", "PSF"...
    #[serde(default)]
    pub intitule: Option<String>,
    /// Comment, often empty.
    #[serde(default)]
    pub commentaire: Option<String>,
}

impl Penetrometre {
    /// The reading as a number: "4,6" gives 4.6; absent or unparsable gives `None`.
    pub fn value(&self) -> Option<f64> {
        let v: f64 = self
            .valeur_mesure
            .as_deref()?
            .trim()
            .replace(',', ".")
            .parse()
            .ok()?;
        v.is_finite().then_some(v)
    }
}

/// A pool id.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolId {
    /// Bet code.
    #[serde(default)]
    pub code_pari: Option<String>,
    /// Pool id (UUID).
    #[serde(default)]
    pub pool_id: Option<String>,
}

/// A bet offered on a race. Stakes in centimes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pari {
    /// SIMPLE_GAGNANT, E_QUINTE_PLUS, TRIO_ORDRE_INTERNATIONAL... (open list).
    pub type_pari: String,
    /// Bet code.
    #[serde(default)]
    pub code_pari: Option<String>,
    /// Base stake, centimes.
    #[serde(default)]
    pub mise_base: Option<i64>,
    /// Maximum stake, centimes.
    #[serde(default)]
    pub mise_max: Option<i64>,
    /// On sale.
    #[serde(default)]
    pub en_vente: Option<bool>,
    /// NATIONAL...
    #[serde(default)]
    pub audience: Option<String>,
    /// Can be carried over.
    #[serde(default)]
    pub reportable: Option<bool>,
    /// Paid out.
    #[serde(default)]
    pub mis_en_paiement: Option<bool>,
    /// Spot allowed.
    #[serde(default)]
    pub spot_autorise: Option<bool>,
    /// Number of horses a ticket names.
    #[serde(default)]
    pub nb_chevaux_reglementaire: Option<i64>,
    /// Order matters.
    #[serde(default)]
    pub ordre: Option<bool>,
    /// Combinations allowed.
    #[serde(default)]
    pub combine: Option<bool>,
    /// Complement.
    #[serde(default)]
    pub complement: Option<bool>,
    /// Allowed flexi percentages.
    #[serde(default, deserialize_with = "null_default")]
    pub valeurs_flexi_autorisees: Vec<i64>,
    /// Allowed Multi sizes (4..7).
    #[serde(default, deserialize_with = "null_default")]
    pub valeurs_risque_autorisees: Vec<i64>,
    /// Pool id.
    #[serde(default)]
    pub pool_id: Option<String>,
    /// Jackpot, centimes.
    #[serde(default)]
    pub cagnotte: Option<i64>,
    /// New-formula Quinté.
    #[serde(default)]
    pub nouveau_quinte: Option<bool>,
}
