//! Types of the final payouts endpoint (`…/rapports-definitifs`, FORMAT.md §2.4). Every amount is
//! in centimes.

use super::de::{Scalar, SeqOrMap, SeqOrScalar, null_default};
use serde::{Deserialize, Deserializer};

/// The payouts of one bet type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RapportDefinitif {
    /// SIMPLE_GAGNANT, E_SIMPLE_PLACE, QUINTE_PLUS... (open list).
    pub type_pari: String,
    /// "Simple", "Couple", "2sur4", "Trio", "Multi", "Quinte Plus"...
    #[serde(default)]
    pub famille_pari: Option<String>,
    /// Base stake, centimes.
    #[serde(default)]
    pub mise_base: Option<f64>,
    /// The bet was refunded.
    #[serde(default)]
    pub rembourse: Option<bool>,
    /// NATIONAL...
    #[serde(default)]
    pub audience: Option<String>,
    /// Unit of `dividende`: `PourUnEuro` or `PourUneMiseDeBase`.
    #[serde(default)]
    pub dividende_unite: Option<String>,
    /// One line per winning combination.
    #[serde(default, deserialize_with = "null_default")]
    pub rapports: Vec<RapportLigne>,
}

/// One winning combination and its dividends (centimes).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RapportLigne {
    /// "Simple gagnant", "Quinté+ Désordre", "Multi en 5"...
    #[serde(default)]
    pub libelle: Option<String>,
    /// Dividend in the unit named by `dividende_unite`.
    #[serde(default)]
    pub dividende: Option<f64>,
    /// Dividend for 1 €, centimes.
    #[serde(default)]
    pub dividende_pour_un_euro: Option<f64>,
    /// Dividend for the base stake, centimes.
    #[serde(default)]
    pub dividende_pour_une_mise_de_base: Option<f64>,
    /// Unit of `dividende`.
    #[serde(default)]
    pub dividende_unite: Option<String>,
    /// The combination: "7-3" or, with `combinaisonEnTableau=true`, `[7, 3]`.
    #[serde(default)]
    pub combinaison: Option<Combinaison>,
    /// Number of winning tickets (fractional: stakes are split).
    #[serde(default)]
    pub nombre_gagnants: Option<f64>,
}

/// A winning combination, as a string or an array of numbers (and "NP" for a non-runner).
#[derive(Debug, Clone, PartialEq)]
pub enum Combinaison {
    /// "7-3", "5-NP".
    Text(String),
    /// `[7, 3]`, `[5, "NP"]`.
    List(Vec<String>),
}

impl Combinaison {
    /// The parts joined with '-' and without spaces: "7-3" for both `"7 - 3"` and `[7, 3]`.
    pub fn joined(&self) -> String {
        let parts: Vec<&str> = match self {
            Self::Text(s) => s.split('-').map(str::trim).collect(),
            Self::List(v) => v.iter().map(|s| s.trim()).collect(),
        };
        parts.join("-")
    }
}

impl<'de> Deserialize<'de> for Combinaison {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match SeqOrScalar::<Scalar>::deserialize(d)? {
            SeqOrScalar::Seq(parts) => {
                Self::List(parts.into_iter().filter_map(Scalar::into_text).collect())
            }
            SeqOrScalar::Scalar(s) => Self::Text(s.into_text().unwrap_or_default()),
        })
    }
}

/// The object form some wrappers return: `{"rapportsDefinitifs": […]}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RapportsObject {
    #[serde(deserialize_with = "null_default")]
    rapports_definitifs: Vec<RapportDefinitif>,
}

/// The whole response, array or object form.
pub(super) struct RapportsPayload(pub(super) Vec<RapportDefinitif>);

impl<'de> Deserialize<'de> for RapportsPayload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self(
            match SeqOrMap::<RapportDefinitif, RapportsObject>::deserialize(d)? {
                SeqOrMap::Seq(v) => v,
                SeqOrMap::Map(o) => o.rapports_definitifs,
            },
        ))
    }
}
