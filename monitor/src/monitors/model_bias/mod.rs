//! Model bias drift: SageMaker Clarify's bias monitor (clarify-monitors.md §2–4, §6).
//!
//! One execution ([`ModelBias`]) reads `analysis_config.json`, builds the window's analysis
//! table from the capture joined with ground truth ([`window`]), computes every configured
//! pre- and post-training metric for every facet value ([`driftmon_rules::bias::analyze`],
//! smclarify's formulas), and checks each against the baseline's `analysis.json` with the drift
//! rule of §4.1 ([`driftmon_rules::bias::check_drift`]: `point`, or the bootstrap interval, the
//! default). It writes, in SageMaker's layout:
//!
//! * `analysis.json`: the window's metrics, byte for byte as Clarify writes them;
//! * `constraint_violations.json`: `bias_drift_check` entries with Clarify's wording, **only
//!   when there are violations** (Clarify writes none otherwise);
//! * `report.html`: the facets' metrics against their baseline (see [`crate::report::html`]).
//!
//! Metrics go to CloudWatch as `bias_metric_<NAME>` in `aws/sagemaker/Endpoints/bias-metrics`
//! ([`driftmon_rules::bias::cloudwatch`]); an undefined metric (e.g. a group without positive
//! labels) is written as Clarify does (`"value": null` with its error), counted, and neither
//! checked nor published. A window without ground truth, or whose records join no label, is
//! `Failed` with the reason. [`suggest`] is the baseline job.

use std::path::PathBuf;

use driftmon_baseline::files::{ConstraintViolations, Violation};
use driftmon_rules::bias::drift::Check;
use driftmon_rules::bias::{
    analyze, check_drift, violations_json, BiasAnalysis, BiasSpec, DecisionMode, DriftParams,
    DriftResult,
};
use driftmon_rules::clarify::AnalysisConfig;
use serde_json::{Map, Value};

use crate::adapters::store::{resolve, StoreError};
use crate::monitors::{Execution, Monitor, MonitorType, RunError, Section, WindowSpec};

pub mod suggest;
pub mod window;

pub use window::{BiasCounts, WindowTable};

/// What one bias execution reads, beside the window.
#[derive(Debug, Clone)]
pub struct ModelBiasSpec {
    /// `analysis_config.json` (a file or `s3://` object).
    pub analysis_config: PathBuf,
    /// The baseline `analysis.json` (a file, or a folder holding it); `None`: metrics only.
    pub baseline: Option<PathBuf>,
    /// Ground-truth root: `<ground_truth>/YYYY/MM/DD/HH/*.jsonl`.
    pub ground_truth: PathBuf,
    /// Ground-truth window start (inclusive), ms.
    pub ground_truth_start_ms: i64,
    /// Ground-truth window end (exclusive), ms.
    pub ground_truth_end_ms: i64,
    /// `FeaturesAttribute`: the JSON path of the features in the input (default: the config's
    /// `features`; CSV input needs none).
    pub features_attribute: Option<driftmon_baseline::capture::JsonPath>,
    /// `InferenceAttribute`: the predicted label in the output, a JSON path or a CSV column.
    pub inference_attribute: Option<String>,
    /// `ProbabilityAttribute`: the score in the output, turned into a label by the threshold.
    pub probability_attribute: Option<String>,
    /// `ProbabilityThresholdAttribute` (default: the config's `probability_threshold`, 0.5).
    pub probability_threshold: Option<f64>,
    /// The drift decision (§4.1).
    pub drift: DriftParams,
}

/// The `model_bias` part of a job: what was read, the analysis, the checks.
#[derive(Debug, Clone)]
pub struct BiasSection {
    /// The window's analysis (`analysis.json`).
    pub analysis: BiasAnalysis,
    /// The checks against the baseline (`None` without a baseline).
    pub drift: Option<DriftResult>,
    /// What the join read.
    pub counts: BiasCounts,
    /// Rejected records, by kind.
    pub issues: crate::monitors::model_quality::IssueLog,
    /// The decision rule used.
    pub params: DriftParams,
}

impl BiasSection {
    /// The violations, in `constraint_violations.json` order.
    pub fn violations(&self) -> Vec<driftmon_rules::bias::Violation> {
        self.drift
            .as_ref()
            .map(|d| d.violations())
            .unwrap_or_default()
    }

    /// `constraint_violations.json` in Clarify's format, `None` without violations.
    pub fn violations_file(&self) -> Option<String> {
        violations_json(&self.violations())
    }

    /// The checks, if a baseline was given.
    pub fn checks(&self) -> &[Check] {
        self.drift.as_ref().map_or(&[], |d| d.checks.as_slice())
    }

    /// Checks skipped because a value is undefined.
    pub fn undefined(&self) -> usize {
        self.drift.as_ref().map_or(0, |d| d.undefined())
    }
}

/// The model-bias monitor type.
#[derive(Debug, Clone)]
pub struct ModelBias {
    /// What to read and how to decide.
    pub spec: ModelBiasSpec,
}

fn bias_err(e: impl std::fmt::Display) -> RunError {
    RunError::ModelBias(e.to_string())
}

/// The bytes of one object: a local file or an `s3://` key.
pub(crate) fn read_object(path: &std::path::Path) -> Result<Vec<u8>, StoreError> {
    let loc = resolve(path)?;
    loc.store.get(&loc.base)
}

/// Reads an `analysis_config.json` (every problem at once, with its JSON path).
pub fn load_config(path: &std::path::Path) -> Result<AnalysisConfig, RunError> {
    let bytes = read_object(path).map_err(RunError::Store)?;
    let text =
        String::from_utf8(bytes).map_err(|_| bias_err(format!("{}: not UTF-8", path.display())))?;
    AnalysisConfig::from_json_str(&text).map_err(|e| bias_err(format!("{}: {e}", path.display())))
}

/// Reads a baseline `analysis.json` (the path, or `analysis.json` inside it).
pub fn load_baseline(path: &std::path::Path) -> Result<BiasAnalysis, RunError> {
    let file = if path.to_string_lossy().ends_with(".json") {
        path.to_path_buf()
    } else {
        path.join("analysis.json")
    };
    let baseline = |msg: String| RunError::Baseline {
        path: file.clone(),
        msg,
    };
    let bytes = read_object(&file).map_err(|e| baseline(e.to_string()))?;
    BiasAnalysis::from_json_str(&String::from_utf8_lossy(&bytes))
        .map_err(|e| baseline(e.to_string()))
}

/// The names of the feature columns: the headers without the label (and the predicted label).
fn feature_names(c: &AnalysisConfig) -> Option<Vec<String>> {
    let headers = c.headers.as_ref()?;
    let label = c.label_header();
    let predicted = match &c.predicted_label {
        Some(driftmon_rules::clarify::NameOrIndex::Name(n)) => Some(n.clone()),
        Some(driftmon_rules::clarify::NameOrIndex::Index(i)) => headers.get(*i).cloned(),
        None => None,
    };
    Some(
        headers
            .iter()
            .filter(|h| Some(*h) != label.as_ref() && Some(*h) != predicted.as_ref())
            .cloned()
            .collect(),
    )
}

impl ModelBiasSpec {
    fn readers(&self, c: &AnalysisConfig) -> Result<window::Readers, RunError> {
        use driftmon_baseline::capture::JsonPath;
        let path = |what: &str, s: &str| {
            JsonPath::parse(s).map_err(|e| bias_err(format!("{what} {s:?}: {e}")))
        };
        let loc = |what: &str, s: &Option<String>| {
            s.as_deref()
                .map(|s| window::Locator::parse(s).map_err(|e| bias_err(format!("{what}: {e}"))))
                .transpose()
        };
        let features = match (&self.features_attribute, c.features.as_deref()) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(s)) => Some(path("features", s)?),
            (None, None) => None,
        };
        let label = match &c.label {
            Some(driftmon_rules::clarify::NameOrIndex::Name(n)) if n.contains(['[', '.']) => {
                window::Locator::Path(path("label", n)?)
            }
            _ => window::Locator::Column(0),
        };
        Ok(window::Readers {
            features,
            predicted: loc("inference attribute", &self.inference_attribute)?,
            probability: loc("probability attribute", &self.probability_attribute)?,
            threshold: self
                .probability_threshold
                .unwrap_or_else(|| c.probability_threshold_or_default()),
            label,
            names: feature_names(c),
        })
    }
}

/// The ConstraintViolations form of bias violations, for the job's count and the daemon's
/// policy (the facet as `feature_name`, the metric as `metric_name`); the file itself is
/// written in Clarify's format ([`BiasSection::violations_file`]).
fn common_violations(v: &[driftmon_rules::bias::Violation]) -> ConstraintViolations {
    ConstraintViolations {
        violations: v
            .iter()
            .map(|x| {
                let mut extra = Map::new();
                extra.insert("facet_value".into(), Value::String(x.facet_value.clone()));
                Violation {
                    feature_name: Some(x.facet.clone()),
                    metric_name: Some(x.metric_name.clone()),
                    constraint_check_type: "bias_drift_check".into(),
                    description: x.description.clone(),
                    extra,
                }
            })
            .collect(),
        ..ConstraintViolations::default()
    }
}

impl Monitor for ModelBias {
    fn monitor_type(&self) -> MonitorType {
        MonitorType::ModelBias
    }

    fn execute(&self, window: &WindowSpec) -> Result<Execution, RunError> {
        let config = load_config(&self.spec.analysis_config)?;
        let bias = BiasSpec::from_config(&config)
            .map_err(|e| bias_err(format!("{}: {e}", self.spec.analysis_config.display())))?;
        let baseline = self
            .spec
            .baseline
            .as_deref()
            .map(load_baseline)
            .transpose()?;
        let readers = self.spec.readers(&config)?;
        let w = window::read_window(&self.spec, window, &readers)?;
        let analysis = analyze(&w.table, &bias).map_err(bias_err)?;
        let drift = baseline
            .as_ref()
            .map(|b| check_drift(b, &analysis, &self.spec.drift));
        let section = BiasSection {
            analysis,
            drift,
            counts: w.counts,
            issues: w.issues,
            params: self.spec.drift,
        };
        Ok(Execution {
            monitor_type: MonitorType::ModelBias,
            statistics: None,
            violations: common_violations(&section.violations()),
            section: Section::ModelBias(Box::new(section)),
        })
    }
}

/// `point` or `bootstrap`.
pub fn parse_decision_mode(s: &str) -> Option<DecisionMode> {
    match s {
        "point" => Some(DecisionMode::Point),
        "bootstrap" => Some(DecisionMode::Bootstrap),
        _ => None,
    }
}
