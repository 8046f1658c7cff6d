//! Types of the day programme (`programme/{DDMMYYYY}`): the top-level object, its réunions and
//! what hangs off them (track, weather, jackpots). The course object is in `course.rs`.

use super::course::Course;
use super::de::null_default;
use serde::Deserialize;

/// The inner programme object (what the top-level `programme` key holds).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Programme {
    /// Local (Paris) midnight of the day, epoch ms UTC.
    pub date: i64,
    /// Whether the response came from the API's cache.
    #[serde(default)]
    pub cached: Option<bool>,
    /// Date of the programme the API considers active, epoch ms.
    #[serde(default)]
    pub date_programme_actif: Option<i64>,
    /// Paris UTC offset on that day, ms.
    #[serde(default)]
    pub timezone_offset: Option<i64>,
    /// The day's meetings, French and foreign.
    #[serde(default, deserialize_with = "null_default")]
    pub reunions: Vec<Reunion>,
    /// Next races to start.
    #[serde(default, deserialize_with = "null_default")]
    pub prochaines_courses_a_partir: Vec<NextRace>,
    /// Days for which a programme exists, as `DDMMYYYY`.
    #[serde(default, deserialize_with = "null_default")]
    pub dates_programmes_disponibles: Vec<String>,
    /// Server time of the response; only in the top-level wrapper, copied here by
    /// [`parse_programme`](super::parse_programme).
    #[serde(default, rename = "timestampPMU")]
    pub timestamp_pmu: Option<TimestampPmu>,
}

/// `timestampPMU`: server time of the response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimestampPmu {
    /// Epoch ms UTC.
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// Paris UTC offset, ms.
    #[serde(default)]
    pub timezone_offset: Option<i64>,
}

/// An entry of `prochainesCoursesAPartir`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextRace {
    /// R number.
    #[serde(default)]
    pub num_reunion: Option<i64>,
    /// C number.
    #[serde(default)]
    pub num_course: Option<i64>,
}

/// A meeting (réunion).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reunion {
    /// The R number of the day.
    pub num_officiel: u32,
    /// Whether the response came from the API's cache.
    #[serde(default)]
    pub cached: Option<bool>,
    /// Paris UTC offset, ms (Paris even for foreign meetings).
    #[serde(default)]
    pub timezone_offset: Option<i64>,
    /// Local (Paris) midnight of the meeting day, epoch ms UTC.
    #[serde(default)]
    pub date_reunion: Option<i64>,
    /// R number of the previous meeting, if any.
    #[serde(default)]
    pub num_officiel_reunion_precedente: Option<i64>,
    /// R number of the next meeting, if any.
    #[serde(default)]
    pub num_officiel_reunion_suivante: Option<i64>,
    /// External number.
    #[serde(default)]
    pub num_externe: Option<i64>,
    /// DIURNE, SEMINOCTURNE, NOCTURNE.
    #[serde(default)]
    pub nature: Option<String>,
    /// The racecourse.
    #[serde(default)]
    pub hippodrome: Option<Hippodrome>,
    /// Country of the racecourse.
    #[serde(default)]
    pub pays: Option<Pays>,
    /// The races.
    #[serde(default, deserialize_with = "null_default")]
    pub courses: Vec<Course>,
    /// NATIONAL, REGIONAL, LOCAL.
    #[serde(default)]
    pub audience: Option<String>,
    /// PROGRAMMEE, TERMINEE, ANNULEE...
    #[serde(default)]
    pub statut: Option<String>,
    /// PLAT, TROT, OBSTACLE.
    #[serde(default, deserialize_with = "null_default")]
    pub disciplines_mere: Vec<String>,
    /// PLAT, TROT_ATTELE, TROT_MONTE, OBSTACLE.
    #[serde(default, deserialize_with = "null_default")]
    pub specialites: Vec<String>,
    /// Whether this is the day's last meeting.
    #[serde(default)]
    pub derniere_reunion: Option<bool>,
    /// Special bets of the day (Quinté+, Pick 5...) and the race they are on.
    #[serde(default, deserialize_with = "null_default")]
    pub paris_evenement: Vec<PariEvenement>,
    /// Weather forecast.
    #[serde(default)]
    pub meteo: Option<Meteo>,
    /// Whether internet bets are offered.
    #[serde(default)]
    pub offres_internet: Option<bool>,
    /// Jackpots.
    #[serde(default, deserialize_with = "null_default")]
    pub cagnottes: Vec<Cagnotte>,
    /// Report+ maximum.
    #[serde(default)]
    pub report_plus_fpa_max: Option<i64>,
    /// Racing region, e.g. REGION_SUD.
    #[serde(default)]
    pub region_hippique: Option<String>,
    /// Number of the next race to start.
    #[serde(default)]
    pub prochaine_course: Option<i64>,
}

/// A racecourse. The réunion writes its code as `code`, the course as `codeHippodrome`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hippodrome {
    /// Code at réunion level, e.g. "PET".
    #[serde(default)]
    pub code: Option<String>,
    /// Code at course level.
    #[serde(default)]
    pub code_hippodrome: Option<String>,
    /// Short name, e.g. "NANTES".
    #[serde(default)]
    pub libelle_court: Option<String>,
    /// Long name, e.g. "HIPPODROME DE NANTES".
    #[serde(default)]
    pub libelle_long: Option<String>,
}

impl Hippodrome {
    /// The code, whichever key carried it.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref().or(self.code_hippodrome.as_deref())
    }
}

/// A country.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pays {
    /// ISO 3166 alpha-3 code, e.g. "FRA".
    #[serde(default)]
    pub code: Option<String>,
    /// Name, e.g. "FRANCE".
    #[serde(default)]
    pub libelle: Option<String>,
}

/// Weather forecast of a meeting.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meteo {
    /// When the forecast was made, epoch ms.
    #[serde(default)]
    pub date_prevision: Option<i64>,
    /// Cloud cover code, "P0".."P6".
    #[serde(default)]
    pub nebulosite_code: Option<String>,
    /// Sky, short text, e.g. "Très Nuageux".
    #[serde(default)]
    pub nebulosite_libelle_court: Option<String>,
    /// Sky, sentence.
    #[serde(default)]
    pub nebulosite_libelle_long: Option<String>,
    /// °C.
    #[serde(default)]
    pub temperature: Option<i64>,
    /// Wind speed, km/h.
    #[serde(default)]
    pub force_vent: Option<i64>,
    /// Wind direction, e.g. "SO".
    #[serde(default)]
    pub direction_vent: Option<String>,
}

/// A special bet of the day and the race it is on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PariEvenement {
    /// QUINTE_PLUS, E_QUINTE_PLUS, PICK5, EB5...
    #[serde(default)]
    pub code_pari: Option<String>,
    /// The race.
    #[serde(default)]
    pub course: Option<CourseRef>,
}

/// A reference to a race.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CourseRef {
    /// Day of the programme, epoch ms.
    #[serde(default)]
    pub date_programme: Option<i64>,
    /// R number.
    #[serde(default)]
    pub num_reunion: Option<i64>,
    /// C number.
    #[serde(default)]
    pub num_ordre: Option<i64>,
}

/// A jackpot (cagnotte). Amount in centimes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cagnotte {
    /// Race number.
    #[serde(default)]
    pub num_course: Option<i64>,
    /// Bet type.
    #[serde(default)]
    pub type_pari: Option<String>,
    /// Centimes.
    #[serde(default)]
    pub montant: Option<i64>,
    /// Whether it is an internet pool's jackpot.
    #[serde(default)]
    pub cagnotte_internet: Option<bool>,
    /// e.g. GARANTI.
    #[serde(default)]
    pub type_cagnotte: Option<String>,
}
