//! What the two Clarify monitors (model bias drift and feature attribution drift) share: the
//! `analysis_config.json` they are configured by ([`config`], clarify-monitors.md §2.1) and
//! Python's JSON text, in which Clarify writes `analysis.json` ([`pyjson`]).

pub mod config;
pub mod pyjson;

pub use config::{
    AggMethod, AnalysisConfig, ConfigErrors, ConfigProblem, FacetConfig, MethodSelection, Methods,
    NameOrIndex, PredictorConfig, ReportConfig, Scalar, ShapConfig, POST_TRAINING_NAMES,
    PRE_TRAINING_NAMES,
};
