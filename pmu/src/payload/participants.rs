//! Types of the runners endpoint (`…/R{r}/C{c}/participants`, FORMAT.md §2.2), including the
//! odds objects (`dernierRapportDirect`, `dernierRapportReference`) each runner carries.

use super::de::{SeqOrMap, null_default};
use serde::{Deserialize, Deserializer};

/// The runners of one race. Deserialises from the full response
/// (`{"participants":[…],"ecuries":[…],…}`) or from a bare array of participant objects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Participants {
    /// One entry per declared runner, non-runners included.
    pub participants: Vec<Participant>,
    /// Coupled entries; kept raw because no sample has any.
    pub ecuries: Vec<serde_json::Value>,
    /// Casaque sprite images.
    pub sprite_casaques: Vec<SpriteCasaque>,
    /// Whether the response came from the API's cache.
    pub cached: Option<bool>,
}

/// The object form of the response; `participants` is required so that an unrelated object
/// (an error body, say) is not mistaken for a race without runners.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ParticipantsObject {
    #[serde(deserialize_with = "null_default")]
    participants: Vec<Participant>,
    #[serde(default, deserialize_with = "null_default")]
    ecuries: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "null_default")]
    sprite_casaques: Vec<SpriteCasaque>,
    #[serde(default)]
    cached: Option<bool>,
}

impl<'de> Deserialize<'de> for Participants {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(
            match SeqOrMap::<Participant, ParticipantsObject>::deserialize(d)? {
                SeqOrMap::Seq(participants) => Self {
                    participants,
                    ..Self::default()
                },
                SeqOrMap::Map(o) => Self {
                    participants: o.participants,
                    ecuries: o.ecuries,
                    sprite_casaques: o.sprite_casaques,
                    cached: o.cached,
                },
            },
        )
    }
}

/// A casaque sprite.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpriteCasaque {
    /// Pixel height.
    #[serde(default)]
    pub height_size: Option<i64>,
    /// Image URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Original size.
    #[serde(default)]
    pub original_size: Option<bool>,
}

/// A runner (participant). Money in centimes, weights in hectograms, times in ms.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// Saddle-cloth number.
    pub num_pmu: u32,
    /// "NAME-DAM-SIRE" natural key (missing on ~7 %).
    #[serde(default)]
    pub id_cheval: Option<String>,
    /// Horse name.
    #[serde(default)]
    pub nom: Option<String>,
    /// Age.
    #[serde(default)]
    pub age: Option<i64>,
    /// MALES, FEMELLES, HONGRES.
    #[serde(default)]
    pub sexe: Option<String>,
    /// Breed: PUR-SANG, TROTTEUR FRANCAIS...
    #[serde(default)]
    pub race: Option<String>,
    /// PARTANT or NON_PARTANT.
    #[serde(default)]
    pub statut: Option<String>,
    /// Draw (galop) or starting position (trot autostart).
    #[serde(default)]
    pub place_corde: Option<i64>,
    /// SANS_OEILLERES, OEILLERES_CLASSIQUE, OEILLERES_AUSTRALIENNES.
    #[serde(default)]
    pub oeilleres: Option<String>,
    /// Owner.
    #[serde(default)]
    pub proprietaire: Option<String>,
    /// Trainer (may end in "(S)").
    #[serde(default)]
    pub entraineur: Option<String>,
    /// Breeder.
    #[serde(default)]
    pub eleveur: Option<String>,
    /// Jockey or driver: the API has no `jockey` key, for any discipline.
    #[serde(default)]
    pub driver: Option<String>,
    /// Jockey or driver changed.
    #[serde(default)]
    pub driver_change: Option<bool>,
    /// Coat.
    #[serde(default)]
    pub robe: Option<Robe>,
    /// First start.
    #[serde(default)]
    pub indicateur_inedit: Option<bool>,
    /// Recent form, see [`crate::musique`].
    #[serde(default)]
    pub musique: Option<String>,
    /// Career starts.
    #[serde(default)]
    pub nombre_courses: Option<i64>,
    /// Career wins.
    #[serde(default)]
    pub nombre_victoires: Option<i64>,
    /// Career places.
    #[serde(default)]
    pub nombre_places: Option<i64>,
    /// Career seconds.
    #[serde(default)]
    pub nombre_places_second: Option<i64>,
    /// Career thirds.
    #[serde(default)]
    pub nombre_places_troisieme: Option<i64>,
    /// Earnings, centimes.
    #[serde(default)]
    pub gains_participant: Option<GainsParticipant>,
    /// Sire.
    #[serde(default)]
    pub nom_pere: Option<String>,
    /// Dam.
    #[serde(default)]
    pub nom_mere: Option<String>,
    /// Dam's sire.
    #[serde(default)]
    pub nom_pere_mere: Option<String>,
    /// Country of birth, free text in several languages.
    #[serde(default)]
    pub pays: Option<String>,
    /// Country of training, free text.
    #[serde(default)]
    pub pays_entrainement: Option<String>,
    /// Shoeing (trot); absent means shod.
    #[serde(default)]
    pub deferre: Option<String>,
    /// Distance run including any handicap (trot), metres.
    #[serde(default)]
    pub handicap_distance: Option<i64>,
    /// Weight carried, hectograms.
    #[serde(default)]
    pub handicap_poids: Option<i64>,
    /// Weight including allowance, hectograms (0 possible).
    #[serde(default)]
    pub poids_condition_monte: Option<i64>,
    /// The allowance weight changed.
    #[serde(default)]
    pub poids_condition_monte_change: Option<bool>,
    /// Handicap rating (int or float).
    #[serde(default)]
    pub handicap_valeur: Option<f64>,
    /// Claiming price, centimes.
    #[serde(default)]
    pub taux_reclamation: Option<i64>,
    /// Mare in foal.
    #[serde(default)]
    pub jument_pleine: Option<bool>,
    /// Engagement flag.
    #[serde(default)]
    pub engagement: Option<bool>,
    /// Supplement (0/1/2).
    #[serde(default)]
    pub supplement: Option<i64>,
    /// Coupled-entry letter.
    #[serde(default)]
    pub ecurie: Option<String>,
    /// Trainer's view: NEUTRE, POSITIF, NEGATIF.
    #[serde(default)]
    pub avis_entraineur: Option<String>,
    /// TROT or GALOP.
    #[serde(default)]
    pub allure: Option<String>,
    /// Casaque image URL.
    #[serde(default)]
    pub url_casaque: Option<String>,
    /// Reference (morning) odds.
    #[serde(default)]
    pub dernier_rapport_reference: Option<Rapport>,
    /// Last live odds; after the race, the final odds.
    #[serde(default)]
    pub dernier_rapport_direct: Option<Rapport>,
    /// Finishing position (post-race; absent when not classified).
    #[serde(default)]
    pub ordre_arrivee: Option<u32>,
    /// NON_PARTANT, DISQUALIFIE_POUR_ALLURE_IRREGULIERE, ARRETE, TOMBE... (open list).
    #[serde(default)]
    pub incident: Option<String>,
    /// Time, ms.
    #[serde(default)]
    pub temps_obtenu: Option<i64>,
    /// Trot reduction kilométrique, ms per km.
    #[serde(default)]
    pub reduction_kilometrique: Option<i64>,
    /// Margin to the horse in front.
    #[serde(default)]
    pub distance_cheval_precedent: Option<DistanceChevalPrecedent>,
    /// Race comment.
    #[serde(default)]
    pub commentaire_apres_course: Option<CommentaireApresCourse>,
}

/// A coat colour.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Robe {
    /// e.g. "020".
    #[serde(default)]
    pub code: Option<String>,
    /// e.g. "BAI".
    #[serde(default)]
    pub libelle_court: Option<String>,
    /// e.g. "BAI".
    #[serde(default)]
    pub libelle_long: Option<String>,
}

/// Earnings, all in centimes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GainsParticipant {
    /// Career.
    #[serde(default)]
    pub gains_carriere: Option<i64>,
    /// From wins.
    #[serde(default)]
    pub gains_victoires: Option<i64>,
    /// From places.
    #[serde(default)]
    pub gains_place: Option<i64>,
    /// This year.
    #[serde(default)]
    pub gains_annee_en_cours: Option<i64>,
    /// Last year.
    #[serde(default)]
    pub gains_annee_precedente: Option<i64>,
}

/// Odds of one runner for one bet type (`dernierRapportDirect` / `dernierRapportReference`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rapport {
    /// SIMPLE_GAGNANT, E_SIMPLE_GAGNANT, SIMPLE_GAGNANT_INTERNATIONAL...
    #[serde(default)]
    pub type_pari: Option<String>,
    /// Decimal odds for a 1 € stake, stake included.
    #[serde(default)]
    pub rapport: Option<f64>,
    /// DIRECT or REFERENCE.
    #[serde(default)]
    pub type_rapport: Option<String>,
    /// Trend: " ", "+", "-".
    #[serde(default)]
    pub indicateur_tendance: Option<String>,
    /// Change, %.
    #[serde(default)]
    pub nombre_indicateur_tendance: Option<f64>,
    /// When published, epoch ms UTC.
    #[serde(default)]
    pub date_rapport: Option<i64>,
    /// Permutation.
    #[serde(default)]
    pub permutation: Option<i64>,
    /// Favourite.
    #[serde(default)]
    pub favoris: Option<bool>,
    /// Runner number.
    #[serde(default)]
    pub num_pmu1: Option<i64>,
    /// Big move.
    #[serde(default)]
    pub grosse_prise: Option<bool>,
}

/// Margin to the previous horse.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DistanceChevalPrecedent {
    /// e.g. "3/4 L".
    #[serde(default)]
    pub libelle_court: Option<String>,
    /// e.g. "3/4 longueur".
    #[serde(default)]
    pub libelle_long: Option<String>,
    /// Numeric code.
    #[serde(default)]
    pub code: Option<i64>,
    /// e.g. TROIS_QUARTS_DE_LONGUEUR.
    #[serde(default)]
    pub identifiant: Option<String>,
}

/// Race comment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentaireApresCourse {
    /// Text.
    #[serde(default)]
    pub texte: Option<String>,
    /// e.g. "GENY".
    #[serde(default)]
    pub source: Option<String>,
}
