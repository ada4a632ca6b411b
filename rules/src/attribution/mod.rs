//! Feature attribution drift: the pure core of SageMaker Clarify's explainability monitor
//! (`ModelExplainability`, `clarify-monitors.md` §5).
//!
//! * [`model`]: the [`Model`] port (batch predict, fallible with endpoint and HTTP status), and
//!   the call meter with a per-run [`Budget`].
//! * [`kernel_shap`]: Kernel SHAP as shap's `KernelExplainer` (exact Shapley values when every
//!   coalition fits in `num_samples`), local and global values, `expected_value`.
//! * [`ndcg`]: the drift score, nDCG of the current global SHAP ranking against the baseline's,
//!   bit for bit as `sklearn.metrics.ndcg_score`.
//! * [`rng`], [`linalg`]: the seeded generator and the small dense solve behind Kernel SHAP.
pub mod kernel_shap;
pub mod linalg;
pub mod model;
pub mod ndcg;
pub mod rng;

pub use kernel_shap::{
    explain, plan, AggMethod, Explanation, FeatureRef, LabelGlobal, LocalShap, RunOptions,
    ShapError, ShapSettings,
};
pub use model::{Budget, BudgetExceeded, CallError, Counted, FnModel, Model, ModelError, Usage};
