//! Feature attribution drift: the pure core of SageMaker Clarify's explainability monitor
//! (`ModelExplainability`, `clarify-monitors.md` §5).
//!
//! * [`model`]: the [`Model`] port (batch predict, fallible with endpoint and HTTP status), and
//!   the call meter with a per-run [`Budget`].
//! * [`kernel_shap`]: Kernel SHAP as shap's `KernelExplainer` (exact Shapley values when every
//!   coalition fits in `num_samples`), local and global values, `expected_value`.
//! * [`ndcg`]: the drift score, nDCG of the current global SHAP ranking against the baseline's,
//!   bit for bit as `sklearn.metrics.ndcg_score`.
//! * [`analysis`]: `analysis.json` for explainability, written byte for byte as Clarify does
//!   ([`crate::clarify::pyjson`]) and read back (AWS-written files too) as the baseline.
//! * [`check`]: the drift check per label (nDCG < 0.9), `constraint_violations.json`
//!   (`feature_attribution_drift_check`, no file when clean) and the CloudWatch points.
//! * [`execution`]: one baselining job or monitoring execution end to end ([`execute`]).
//! * [`rng`], [`linalg`]: the seeded generator and the small dense solve behind Kernel SHAP.
pub mod analysis;
pub mod check;
pub mod execution;
pub mod kernel_shap;
pub mod linalg;
pub mod model;
pub mod ndcg;
/// The seeded random source, at its earlier path.
pub use crate::rng;

pub use analysis::{parse_analysis, write_analysis, AnalysisError};
pub use check::{attribution_points, check_drift, AttributionViolation, DriftCheck, LabelOutcome};
pub use execution::{execute, Execution};
pub use kernel_shap::{
    explain, plan, AggMethod, Explanation, FeatureRef, LabelGlobal, LocalShap, RunOptions,
    ShapError, ShapSettings,
};
pub use model::{Budget, BudgetExceeded, CallError, Counted, FnModel, Model, ModelError, Usage};
