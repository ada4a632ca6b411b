//! `analysis.json` for explainability (`clarify-monitors.md` §5.4): what a baselining job and
//! every monitoring execution write, and what the drift check reads as its baseline.
//!
//! ```text
//! {"version": "1.0", "explanations": {"kernel_shap": {"label0": {
//!     "global_shap_values": {"Age": 0.0596…, …one key per feature, in header order…},
//!     "expected_value": 0.2506…}}}}
//! ```
//!
//! Written byte for byte as Clarify's container does ([`crate::clarify::pyjson`]). Read leniently: any
//! label key (one real baseline used a score as its key), keys other than
//! `global_shap_values` / `expected_value` ignored (`global_top_shap_text`, `pdp`), other
//! top-level sections (bias) ignored, feature order kept.

use serde_json::{Map, Number, Value};

use super::kernel_shap::LabelGlobal;
use crate::clarify::pyjson::dumps_indent4;

/// Why an `analysis.json` could not be read as an explainability baseline.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// Not JSON.
    #[error("analysis.json is not JSON: {0}")]
    Json(String),
    /// No `explanations.kernel_shap` object.
    #[error("analysis.json has no explanations.kernel_shap section")]
    NoKernelShap,
    /// A label without a `global_shap_values` object.
    #[error("analysis.json: label {0} has no global_shap_values object")]
    NoGlobalValues(String),
    /// A value that is not a number.
    #[error("analysis.json: label {label}, feature {feature}: not a number")]
    NotANumber {
        /// The label.
        label: String,
        /// The feature.
        feature: String,
    },
}

/// The `explanations` section as a JSON value (for a combined bias + SHAP `analysis.json`, put
/// it next to the bias sections).
pub fn explanations_value(labels: &[LabelGlobal]) -> Value {
    let mut kernel = Map::new();
    for l in labels {
        let mut g = Map::new();
        for (f, v) in &l.global_shap_values {
            g.insert(f.clone(), number(*v));
        }
        let mut entry = Map::new();
        entry.insert("global_shap_values".into(), Value::Object(g));
        if let Some(e) = l.expected_value {
            entry.insert("expected_value".into(), number(e));
        }
        kernel.insert(l.label.clone(), Value::Object(entry));
    }
    let mut ex = Map::new();
    ex.insert("kernel_shap".into(), Value::Object(kernel));
    Value::Object(ex)
}

/// A float as a JSON number (non-finite values, which JSON cannot carry, become `null`).
fn number(v: f64) -> Value {
    Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// The whole explainability `analysis.json`, as Clarify writes it (no trailing newline).
pub fn write_analysis(labels: &[LabelGlobal]) -> String {
    let mut root = Map::new();
    root.insert("version".into(), Value::String("1.0".into()));
    root.insert("explanations".into(), explanations_value(labels));
    dumps_indent4(&Value::Object(root))
}

/// The per-label global values of an `analysis.json` (AWS-written or driftmon's), in file order.
pub fn parse_analysis(bytes: &[u8]) -> Result<Vec<LabelGlobal>, AnalysisError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| AnalysisError::Json(e.to_string()))?;
    let kernel = v
        .get("explanations")
        .and_then(|e| e.get("kernel_shap"))
        .and_then(Value::as_object)
        .ok_or(AnalysisError::NoKernelShap)?;
    let mut out = Vec::with_capacity(kernel.len());
    for (label, entry) in kernel {
        let g = entry
            .get("global_shap_values")
            .and_then(Value::as_object)
            .ok_or_else(|| AnalysisError::NoGlobalValues(label.clone()))?;
        let mut values = Vec::with_capacity(g.len());
        for (f, x) in g {
            let x = x.as_f64().ok_or_else(|| AnalysisError::NotANumber {
                label: label.clone(),
                feature: f.clone(),
            })?;
            values.push((f.clone(), x));
        }
        out.push(LabelGlobal {
            label: label.clone(),
            global_shap_values: values,
            expected_value: entry.get("expected_value").and_then(Value::as_f64),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let labels = vec![LabelGlobal {
            label: "label0".into(),
            global_shap_values: vec![("b".into(), 0.5), ("a".into(), 1e-5)],
            expected_value: Some(0.25),
        }];
        let text = write_analysis(&labels);
        assert_eq!(parse_analysis(text.as_bytes()).unwrap(), labels);
        assert!(text.contains("\"a\": 1e-05"));
    }

    #[test]
    fn rejects_files_without_kernel_shap() {
        assert_eq!(
            parse_analysis(b"{\"version\": \"1.0\", \"pre_training_bias_metrics\": {}}"),
            Err(AnalysisError::NoKernelShap)
        );
    }
}
