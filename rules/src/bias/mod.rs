//! Model bias drift, the pure core of SageMaker Clarify's bias monitor
//! (clarify-monitors.md §2–4).
//!
//! ```text
//! BiasTable (columns from capture + ground truth) ─┐
//! AnalysisConfig ─► BiasSpec ─────────────────────┴─► analyze ─► BiasAnalysis ─► analysis.json
//!                                                                   │  (cells kept per facet value)
//! baseline analysis.json ─► BiasAnalysis ─────────────► check_drift ─► violations ─► constraint_violations.json
//!                                                                   └─► bias_points ─► CloudWatch
//! ```
//!
//! * [`table`]: columns typed as pandas types them; smclarify's categorical/continuous rule and
//!   the facet, label and predicted-label indexes.
//! * [`metrics`]: the registry (names, descriptions, order) and every metric from cell counts.
//! * [`flip_test`]: FT, the one metric that needs the rows.
//! * [`analysis`]: `analyze` and the `analysis.json` reader/writer (Python's JSON text).
//! * [`drift`]: the point and bootstrap rules, the seeded PRNG, `constraint_violations.json`.
//! * [`cloudwatch`]: the `bias_metric_*` points.

pub mod analysis;
pub mod cloudwatch;
pub mod drift;
pub mod flip_test;
pub mod metrics;
pub mod table;

pub use analysis::{analyze, BiasAnalysis, BiasError, BiasSpec, BiasTable, FacetSpec};
pub use drift::{check_drift, violations_json, DecisionMode, DriftParams, DriftResult, Violation};
pub use metrics::{Cells, Metric, Num, Stage, REGISTRY};
pub use table::Column;
