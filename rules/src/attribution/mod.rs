//! Feature attribution drift: the pure core of SageMaker Clarify's explainability monitor
//! (`ModelExplainability`, `clarify-monitors.md` §5).
//!
//! * [`ndcg`]: the drift score, nDCG of the current global SHAP ranking against the baseline's,
//!   bit for bit as `sklearn.metrics.ndcg_score`.
pub mod ndcg;
pub mod rng;
