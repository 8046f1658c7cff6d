//! The feature columns: one enum variant per column, so that the builder fills a column by name
//! and a model knows what each of its coefficients means.

use super::OddsChoice;
use serde::{Deserialize, Serialize};

/// One feature column. `Feature::ALL` lists them in column order; market columns come first so
/// that [`OddsChoice::None`] simply drops a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// ln of the morning implied probability, normalised over the runners with odds.
    MktLogp,
    /// 1 when the runner had no usable morning odds (its `MktLogp` is the race mean).
    MktMissing,
    /// Rank of the morning price in the race, 0 = favourite, 1 = outsider.
    MktRank,
    /// `MktLogp` × ln(field size): the favourite-longshot bias grows with the field.
    MktLogpXField,
    /// ln(number of runners). Constant within a race: a conditional logit gives it no weight.
    FieldSizeLog,
    /// Discipline one-hot (race constant): flat.
    DiscPlat,
    /// Discipline one-hot (race constant): harness trot.
    DiscAttele,
    /// Discipline one-hot (race constant): ridden trot.
    DiscMonte,
    /// Discipline one-hot (race constant): hurdles, steeplechase, cross.
    DiscObstacle,
    /// Distance band 0–3 (race constant), see `DistanceBand`.
    DistanceBand,
    /// ln(1 + runs of the horse seen in earlier races of the data).
    HorseRunsLog,
    /// Horse win rate in earlier races, shrunk toward the prior.
    HorseWinRate,
    /// Horse top-three rate in earlier races, shrunk toward the prior.
    HorsePlaceRate,
    /// ln(1 + days since the horse's last race in the data); 0 when unseen.
    HorseDaysSinceLog,
    /// 1 when the horse has no earlier race in the data.
    HorseUnseen,
    /// Mean finish percentile (0 = won, 1 = last or not classified) of its last five races, shrunk.
    HorseLast5Pct,
    /// Top-three rate in the same distance band, shrunk.
    HorseBandPlaceRate,
    /// Top-three rate at the same track, shrunk.
    HorseTrackPlaceRate,
    /// Mean ln(p_market × field size) over its last five races: how the market rated it, shrunk to 0.
    HorsePastLogp,
    /// Mean finish percentile minus market-rank percentile over its last five races, shrunk to 0:
    /// negative when it ran better than its odds said.
    HorsePastResid,
    /// ln(distance / distance of its last race); 0 when either is unknown.
    HorseDistanceChange,
    /// Weight carried minus the weight of its last race, kg; 0 when either is unknown.
    HorseWeightChange,
    /// Musique: share of top-three finishes, shrunk.
    MusTop3Frac,
    /// Musique: share of wins, shrunk.
    MusWinFrac,
    /// Musique: number of unclassified runs (fell, pulled up, disqualified...).
    MusDnfCount,
    /// Musique: most recent rank scaled to [0, 1] (10th or unclassified = 1); 0.5 when unknown.
    MusLast,
    /// Musique: mean rank of the last five runs scaled to [0, 1]; 0.5 when unknown.
    MusRecentMean,
    /// ln(1 + runs in the musique).
    MusLenLog,
    /// 1 when there is no readable musique.
    MusMissing,
    /// ln(1 + career starts).
    CareerStartsLog,
    /// Career win rate, shrunk.
    CareerWinRate,
    /// Career place rate, shrunk.
    CareerPlaceRate,
    /// ln(1 + earnings per start) minus its race mean.
    CareerEarnPerStartRel,
    /// z-score of ln(1 + earnings per start) within the race.
    CareerEarnZ,
    /// 1 when the career record is unknown.
    CareerMissing,
    /// Age minus the race mean age.
    AgeRel,
    /// 1 for a mare or filly.
    SexFemale,
    /// 1 for a gelding.
    SexGelding,
    /// Weight carried minus the race mean, kg.
    WeightRel,
    /// Draw minus the race mean draw, divided by the field size.
    DrawRel,
    /// Jockey win rate over the last 365 days, shrunk.
    JockeyWinRate,
    /// Jockey top-three rate over the last 365 days, shrunk.
    JockeyPlaceRate,
    /// ln(1 + jockey rides over the last 365 days).
    JockeyRunsLog,
    /// Trainer win rate over the last 365 days, shrunk.
    TrainerWinRate,
    /// Trainer top-three rate over the last 365 days, shrunk.
    TrainerPlaceRate,
    /// ln(1 + trainer runners over the last 365 days).
    TrainerRunsLog,
    /// Jockey wins minus the wins the market expected, per ride (+ prior rides), last 365 days.
    JockeyExcessWin,
    /// Trainer wins minus the wins the market expected, per runner (+ prior runs), last 365 days.
    TrainerExcessWin,
    /// ln(1 + earlier races of this jockey with this horse).
    JockeyHorseRunsLog,
    /// Top-three rate of this jockey with this horse, shrunk.
    JockeyHorsePlaceRate,
    /// Win rate of the trainer at this track, shrunk.
    TrainerTrackWinRate,
}

/// Number of market columns at the start of [`Feature::ALL`].
const MARKET_COLUMNS: usize = 4;

impl Feature {
    /// Every column, in column order.
    pub const ALL: [Feature; 51] = [
        Self::MktLogp,
        Self::MktMissing,
        Self::MktRank,
        Self::MktLogpXField,
        Self::FieldSizeLog,
        Self::DiscPlat,
        Self::DiscAttele,
        Self::DiscMonte,
        Self::DiscObstacle,
        Self::DistanceBand,
        Self::HorseRunsLog,
        Self::HorseWinRate,
        Self::HorsePlaceRate,
        Self::HorseDaysSinceLog,
        Self::HorseUnseen,
        Self::HorseLast5Pct,
        Self::HorseBandPlaceRate,
        Self::HorseTrackPlaceRate,
        Self::HorsePastLogp,
        Self::HorsePastResid,
        Self::HorseDistanceChange,
        Self::HorseWeightChange,
        Self::MusTop3Frac,
        Self::MusWinFrac,
        Self::MusDnfCount,
        Self::MusLast,
        Self::MusRecentMean,
        Self::MusLenLog,
        Self::MusMissing,
        Self::CareerStartsLog,
        Self::CareerWinRate,
        Self::CareerPlaceRate,
        Self::CareerEarnPerStartRel,
        Self::CareerEarnZ,
        Self::CareerMissing,
        Self::AgeRel,
        Self::SexFemale,
        Self::SexGelding,
        Self::WeightRel,
        Self::DrawRel,
        Self::JockeyWinRate,
        Self::JockeyPlaceRate,
        Self::JockeyRunsLog,
        Self::TrainerWinRate,
        Self::TrainerPlaceRate,
        Self::TrainerRunsLog,
        Self::JockeyExcessWin,
        Self::TrainerExcessWin,
        Self::JockeyHorseRunsLog,
        Self::JockeyHorsePlaceRate,
        Self::TrainerTrackWinRate,
    ];

    /// Snake-case name, as serialised.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// The columns a model sees, chosen by where its odds come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSet {
    /// Which odds feed the market columns, if any.
    pub odds: OddsChoice,
}

impl FeatureSet {
    /// The columns, in order.
    pub fn columns(&self) -> &'static [Feature] {
        match self.odds {
            OddsChoice::Morning => &Feature::ALL,
            OddsChoice::None => &Feature::ALL[MARKET_COLUMNS..],
        }
    }

    /// Column names, in order.
    pub fn names(&self) -> Vec<String> {
        self.columns().iter().map(|f| f.name()).collect()
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.columns().len()
    }

    /// Never true: every set has form columns. Present because clippy pairs it with `len`.
    pub fn is_empty(&self) -> bool {
        self.columns().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_listed_once_in_declaration_order() {
        for (i, f) in Feature::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i, "{f:?}");
        }
        assert_eq!(Feature::MktLogp.name(), "mkt_logp");
        assert_eq!(Feature::ALL[MARKET_COLUMNS - 1], Feature::MktLogpXField);
        let none = FeatureSet {
            odds: OddsChoice::None,
        };
        assert_eq!(none.len() + MARKET_COLUMNS, Feature::ALL.len());
        assert!(!none.names().iter().any(|n| n.starts_with("mkt_")));
    }
}
