//! Serde types of the Turfinfo JSON responses and the functions that parse them.
//!
//! The API is undocumented and changes without notice (see `shared/pmu/FORMAT.md`), so the types
//! are lenient: every field is optional except the keys that identify a thing (R and C numbers,
//! `numPmu`, `typePari`), enum-like values stay `String` so that new values are kept, and numbers
//! that are sometimes floats are `f64`. Units are the API's (centimes, hectograms, ms); the
//! conversion happens once, in [`crate::mapping`]. A body that cannot be read gives a
//! [`PayloadError`] with the JSON path of the failure; no input makes these functions panic.

mod course;
mod de;
pub mod open_pmu;
mod participants;
mod performances;
mod programme;
mod rapports;

pub use course::{Course, Incident, Pari, Penetrometre, PoolId};
pub use participants::{
    CommentaireApresCourse, DistanceChevalPrecedent, GainsParticipant, Participant, Participants,
    Rapport, Robe, SpriteCasaque,
};
pub use performances::{
    PastPlace, PastRace, PastRaceParticipant, Performances, PerformancesParticipant,
};
pub use programme::{
    Cagnotte, CourseRef, Hippodrome, Meteo, NextRace, PariEvenement, Pays, Programme, Reunion,
    TimestampPmu,
};
pub use rapports::{Combinaison, RapportDefinitif, RapportLigne};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::fmt;

/// Which endpoint a payload came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadKind {
    /// `programme/{date}`.
    Programme,
    /// `…/participants`.
    Participants,
    /// `…/rapports-definitifs`.
    Rapports,
    /// `…/performances-detaillees/pretty`.
    Performances,
    /// The Open-PMU dataset.
    OpenPmu,
}

impl PayloadKind {
    /// Short name, as used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Programme => "programme",
            Self::Participants => "participants",
            Self::Rapports => "rapports-definitifs",
            Self::Performances => "performances-detaillees",
            Self::OpenPmu => "open-pmu",
        }
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A body that is not valid JSON (truncated, say) or does not have the expected shape.
#[derive(Debug, thiserror::Error)]
#[error("invalid {kind} payload at `{path}`: {source}")]
pub struct PayloadError {
    kind: PayloadKind,
    path: String,
    #[source]
    source: serde_json::Error,
}

impl PayloadError {
    /// The endpoint whose payload failed.
    pub fn kind(&self) -> PayloadKind {
        self.kind
    }

    /// JSON path of the failure, e.g. `programme.reunions[0].courses[3].numOrdre`;
    /// `.` for the document itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// True when the body ended early (a truncated download), as opposed to a wrong shape.
    pub fn is_truncated(&self) -> bool {
        self.source.is_eof()
    }
}

/// Deserialises a whole document, recording the path of any failure; trailing garbage is an
/// error, as with `serde_json::from_slice`.
pub(crate) fn parse_with<T: DeserializeOwned>(
    bytes: &[u8],
    kind: PayloadKind,
) -> Result<T, PayloadError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| PayloadError {
        kind,
        path: e.path().to_string(),
        source: e.into_inner(),
    })?;
    de.end().map_err(|source| PayloadError {
        kind,
        path: ".".to_owned(),
        source,
    })?;
    Ok(value)
}

/// Parses a day programme: the full response (`{"programme":{…},"timestampPMU":{…}}`) or the
/// bare inner programme object.
pub fn parse_programme(bytes: &[u8]) -> Result<Programme, PayloadError> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        programme: Option<Programme>,
        #[serde(default, rename = "timestampPMU")]
        timestamp_pmu: Option<TimestampPmu>,
    }

    // A first pass reads the wrapped form (and skips everything else); only a bare object needs
    // the second one. Both keep exact error paths, which buffering into a `Value` would lose.
    let envelope: Envelope = parse_with(bytes, PayloadKind::Programme)?;
    match envelope.programme {
        Some(mut programme) => {
            programme.timestamp_pmu = programme.timestamp_pmu.or(envelope.timestamp_pmu);
            Ok(programme)
        }
        None => parse_with(bytes, PayloadKind::Programme),
    }
}

/// Parses the runners of a race: the full response or a bare array of participant objects.
pub fn parse_participants(bytes: &[u8]) -> Result<Participants, PayloadError> {
    parse_with(bytes, PayloadKind::Participants)
}

/// Parses final payouts: a JSON array of bet types, or `{"rapportsDefinitifs":[…]}`.
pub fn parse_rapports(bytes: &[u8]) -> Result<Vec<RapportDefinitif>, PayloadError> {
    parse_with(bytes, PayloadKind::Rapports).map(|rapports::RapportsPayload(v)| v)
}

/// Parses past performances (`performances-detaillees/pretty`).
pub fn parse_performances(bytes: &[u8]) -> Result<Performances, PayloadError> {
    parse_with(bytes, PayloadKind::Performances)
}

#[cfg(test)]
mod tests;
