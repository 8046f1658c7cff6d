//! PronoTurf machine learning: leak-free per-runner features, a per-race conditional logit and an
//! honest walk-forward evaluation against the betting market. Synchronous code only: it takes
//! domain records and returns arrays and reports, so callers run it off the async executor.

pub mod challengers;
pub mod clogit;
pub mod evaluate;
pub mod features;
pub mod market;
pub mod musique;
pub mod place;
pub mod pronostic;
pub mod registry;
mod rng;
pub mod serving;

pub use clogit::{
    ConditionalLogitParams, FittedConditionalLogit, ParamsError, RaceSample, TrainError,
};
pub use evaluate::{EvalError, Report, WalkForwardOptions, walk_forward};

pub use features::{FeatureBuilder, FeatureSet, OddsChoice, RaceFeatures, build_features};
pub use registry::{ModelMetrics, Registry, RegistryError};
pub use serving::{ModelSpec, RaceForecast, RunnerForecast, ServingModel};
