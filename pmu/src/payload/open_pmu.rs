//! The Open-PMU static dataset (nanaelie/open-pmu-api, FORMAT.md §5.1): one main race per day,
//! 2004 onwards, with its arrival. Its fields change type from record to record, so almost every
//! one is read leniently.

use super::de::{Scalar, SeqOrMap, SeqOrScalar, opt_f64_lenient, opt_u32_lenient};
use super::{PayloadError, PayloadKind, parse_with};
use pronoturf_core::domain::Discipline;
use serde::{Deserialize, Deserializer};

/// One race of the dataset.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Race {
    /// "DD/MM/YYYY"; see [`Race::date`].
    #[serde(default)]
    pub date: Option<String>,
    /// "Attelé", "Plat", "Haies", "Steeple Chase", "Monté", also null, "" or typos.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Prize money, euros.
    #[serde(default, deserialize_with = "opt_f64_lenient")]
    pub montant: Option<f64>,
    /// Metres.
    #[serde(default, deserialize_with = "opt_u32_lenient")]
    pub distance: Option<u32>,
    /// Race name.
    #[serde(default)]
    pub prix: Option<String>,
    /// Racecourse, mixed case ("Vincennes", "Cagnes Sur Mer").
    #[serde(default)]
    pub lieu: Option<String>,
    /// "R1C4"; see [`Race::meeting_and_race`].
    #[serde(default, rename = "r/c")]
    pub r_c: Option<String>,
    /// Number of runners (an int or a string in the data).
    #[serde(default, deserialize_with = "opt_u32_lenient")]
    pub partants: Option<u32>,
    /// Numbers of the non-runners: the data holds `"1,8"`, `"13"`, `3` or null (key with a
    /// space; the README's `non_partants` is accepted too).
    #[serde(
        default,
        rename = "non partants",
        alias = "non_partants",
        deserialize_with = "numbers_list"
    )]
    pub non_partants: Vec<u32>,
    /// Arrival, first five, one slot per place as in [`Race::arrival`](pronoturf_core::domain::Race):
    /// `"4 - 3 - 17 - 7 - 1"` or `[4, 3, 17, 7, 1]`, a dead heat written `"4 / 13"` sharing a
    /// slot; `None` for "Non connue" or anything with a part that is not a number.
    #[serde(default, deserialize_with = "arrivee")]
    pub arrivee: Option<Vec<Vec<u32>>>,
    /// Conditions text.
    #[serde(default)]
    pub details: Option<String>,
}

impl Race {
    /// The date, when it reads as DD/MM/YYYY.
    pub fn date(&self) -> Option<chrono::NaiveDate> {
        chrono::NaiveDate::parse_from_str(self.date.as_deref()?.trim(), "%d/%m/%Y").ok()
    }

    /// Meeting and race numbers from "R1C4".
    pub fn meeting_and_race(&self) -> Option<(u32, u32)> {
        let rc = self.r_c.as_deref()?.trim().to_ascii_uppercase();
        let (r, c) = rc.strip_prefix('R')?.split_once('C')?;
        Some((r.parse().ok()?, c.parse().ok()?))
    }

    /// The discipline from the French label; `None` when the label is empty.
    pub fn discipline(&self) -> Option<Discipline> {
        let label = self.kind.as_deref()?.trim();
        if label.is_empty() {
            return None;
        }
        let folded: String = label
            .chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| match c {
                'é' | 'É' | 'è' | 'È' => 'E',
                c => c.to_ascii_uppercase(),
            })
            .collect();
        Some(match folded.as_str() {
            "ATTELE" | "TROTATTELE" => Discipline::Attele,
            "MONTE" | "TROTMONTE" => Discipline::Monte,
            "HAIES" | "HAIE" => Discipline::Haie,
            "STEEPLECHASE" | "STEEPLE" => Discipline::Steeplechase,
            _ => Discipline::parse(&folded),
        })
    }
}

/// Comma- or space-separated numbers, a single number, or an array of them.
fn numbers_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    Ok(match SeqOrScalar::<Scalar>::deserialize(d)? {
        SeqOrScalar::Seq(parts) => parts.iter().filter_map(Scalar::to_u32).collect(),
        SeqOrScalar::Scalar(s) => s
            .into_text()
            .unwrap_or_default()
            .split([',', ' ', ';', '-'])
            .filter_map(|p| p.trim().parse().ok())
            .collect(),
    })
}

fn arrivee<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Vec<u32>>>, D::Error> {
    let slots: Vec<SeqOrScalar<Scalar>> = match SeqOrScalar::deserialize(d)? {
        SeqOrScalar::Seq(slots) => slots,
        SeqOrScalar::Scalar(s) => match s.into_text() {
            Some(text) => text
                .split('-')
                .map(|p| SeqOrScalar::Scalar(Scalar::Str(p.to_owned())))
                .collect(),
            None => return Ok(None),
        },
    };
    // One unreadable part ("Non connue", "NP") makes the order unreliable, so none is kept.
    let arrival: Option<Vec<Vec<u32>>> = slots.iter().map(slot).collect();
    Ok(arrival.filter(|a| !a.is_empty()))
}

/// One place of an arrival: `7`, `"7"`, a dead heat `"4 / 13"` or `[4, 13]`.
fn slot(part: &SeqOrScalar<Scalar>) -> Option<Vec<u32>> {
    let numbers: Option<Vec<u32>> = match part {
        SeqOrScalar::Seq(v) => v.iter().map(Scalar::to_u32).collect(),
        SeqOrScalar::Scalar(Scalar::Str(s)) => {
            s.split('/').map(|n| n.trim().parse().ok()).collect()
        }
        SeqOrScalar::Scalar(other) => other.to_u32().map(|n| vec![n]),
    };
    numbers.filter(|n| !n.is_empty())
}

/// The API's envelope: `{"error": bool, "message": [Race] | "Pas de correspondance"}`.
#[derive(Deserialize)]
struct Envelope {
    message: SeqOrScalar<Race>,
}

/// Parses the dataset or an API response: a bare array of races, or the envelope, whose text
/// message ("Pas de correspondance") means no race.
pub fn parse_open_pmu(bytes: &[u8]) -> Result<Vec<Race>, PayloadError> {
    let body: SeqOrMap<Race, Envelope> = parse_with(bytes, PayloadKind::OpenPmu)?;
    Ok(match body {
        SeqOrMap::Seq(races) => races,
        SeqOrMap::Map(Envelope {
            message: SeqOrScalar::Seq(races),
        }) => races,
        SeqOrMap::Map(_) => Vec::new(),
    })
}
