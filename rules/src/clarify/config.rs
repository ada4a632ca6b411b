//! `analysis_config.json`: the Clarify analysis configuration shared by the bias and the
//! explainability monitors (clarify-monitors.md §2.1).
//!
//! Read from a `serde_json::Value` by hand rather than by derive, so that every problem is
//! collected at once with its JSON path (`facet[0].name_or_index: missing`) and unknown keys are
//! ignored (the baseline file carries `dataset_type`, `methods.report` and other keys that the
//! monitor variant lacks).

use serde_json::{Map, Value};
use std::fmt;

/// The pre-training metric names smclarify registers (`methods.pre_training_bias.methods`).
pub const PRE_TRAINING_NAMES: &[&str] = &["CDDL", "CI", "DPL", "JS", "KL", "KS", "LP", "TVD"];
/// The post-training metric names smclarify registers (`methods.post_training_bias.methods`).
pub const POST_TRAINING_NAMES: &[&str] = &[
    "AD", "CDDPL", "DAR", "DCA", "DCR", "DI", "DPPL", "DRR", "FT", "GE", "RD", "SD", "TE",
];
/// The `dataset_type` values the SDK's schema allows.
pub const DATASET_TYPES: &[&str] = &[
    "text/csv",
    "application/jsonlines",
    "application/json",
    "application/x-parquet",
    "application/sagemakercapturejson",
    "application/x-image",
];

/// A column given by name or by 0-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrIndex {
    /// By header name (or, for `label` in JSON data, a JMESPath).
    Name(String),
    /// By 0-based index.
    Index(usize),
}

impl fmt::Display for NameOrIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameOrIndex::Name(s) => f.write_str(s),
            NameOrIndex::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A label value, facet value or threshold as written in the config (JSON int, float, string
/// or bool, kept apart because smclarify's behaviour depends on the Python type).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A JSON integer.
    Int(i64),
    /// A JSON number with a fraction or exponent.
    Float(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
}

impl Scalar {
    /// Python's `str(v)`: `1`, `0.5`, `a`, `True`.
    pub fn py_str(&self) -> String {
        match self {
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(x) => super::pyjson::py_float_repr(*x),
            Scalar::Str(s) => s.clone(),
            Scalar::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        }
    }

    /// The value as a number, when it is one (bools count as 0/1, like Python).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Int(i) => Some(*i as f64),
            Scalar::Float(x) => Some(*x),
            Scalar::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Scalar::Str(_) => None,
        }
    }
}

/// One entry of `facet`.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetConfig {
    /// `name_or_index`.
    pub name_or_index: NameOrIndex,
    /// `value_or_threshold`: sensitive values, or one threshold; `None` = one-vs-rest.
    pub value_or_threshold: Option<Vec<Scalar>>,
}

/// `methods.*_training_bias.methods`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodSelection {
    /// `"all"`.
    All,
    /// A list of metric names.
    Names(Vec<String>),
}

impl MethodSelection {
    /// Whether the selection includes `name`.
    pub fn includes(&self, name: &str) -> bool {
        match self {
            MethodSelection::All => true,
            MethodSelection::Names(n) => n.iter().any(|x| x == name),
        }
    }
}

/// `methods.shap.agg_method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggMethod {
    /// `mean_abs` (the default).
    MeanAbs,
    /// `median`.
    Median,
    /// `mean_sq`.
    MeanSq,
}

/// `methods.shap`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapConfig {
    /// `baseline`: an S3 URI, a list of rows, or a JSON object, kept as written.
    pub baseline: Option<Value>,
    /// `num_samples`.
    pub num_samples: Option<u64>,
    /// `agg_method` (default `mean_abs`).
    pub agg_method: AggMethod,
    /// `use_logit` (default false).
    pub use_logit: bool,
    /// `save_local_shap_values` (default false, the analysis-config doc's default).
    pub save_local_shap_values: bool,
    /// `seed`.
    pub seed: Option<i64>,
    /// `num_clusters`.
    pub num_clusters: Option<u64>,
    /// `features_to_explain`.
    pub features_to_explain: Option<Vec<NameOrIndex>>,
}

/// `methods.report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportConfig {
    /// `name` (the report file stem).
    pub name: String,
    /// `title`.
    pub title: Option<String>,
}

/// `methods`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Methods {
    /// `pre_training_bias.methods`.
    pub pre_training_bias: Option<MethodSelection>,
    /// `post_training_bias.methods`.
    pub post_training_bias: Option<MethodSelection>,
    /// `shap`.
    pub shap: Option<ShapConfig>,
    /// `report`.
    pub report: Option<ReportConfig>,
}

/// `predictor`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PredictorConfig {
    /// `endpoint_name`.
    pub endpoint_name: Option<String>,
    /// `model_name`.
    pub model_name: Option<String>,
    /// `instance_type`.
    pub instance_type: Option<String>,
    /// `initial_instance_count`.
    pub initial_instance_count: Option<u64>,
    /// `endpoint_name_prefix` (≤ 23 characters).
    pub endpoint_name_prefix: Option<String>,
    /// `accelerator_type`.
    pub accelerator_type: Option<String>,
    /// `target_model`.
    pub target_model: Option<String>,
    /// `content_type`.
    pub content_type: Option<String>,
    /// `accept_type`.
    pub accept_type: Option<String>,
    /// `content_template`.
    pub content_template: Option<String>,
    /// `record_template`.
    pub record_template: Option<String>,
    /// `label`: predicted label (or, for explainability, scores) in the model output.
    pub label: Option<NameOrIndex>,
    /// `probability`: score(s) in the model output.
    pub probability: Option<NameOrIndex>,
    /// `label_headers`.
    pub label_headers: Option<Vec<String>>,
    /// `custom_attributes`.
    pub custom_attributes: Option<String>,
}

/// A parsed `analysis_config.json`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalysisConfig {
    /// `version`.
    pub version: Option<String>,
    /// `dataset_type` (absent in monitor configs).
    pub dataset_type: Option<String>,
    /// `headers`.
    pub headers: Option<Vec<String>>,
    /// `label`: a column name, index or JMESPath.
    pub label: Option<NameOrIndex>,
    /// `features` (JMESPath).
    pub features: Option<String>,
    /// `label_values_or_threshold`.
    pub label_values_or_threshold: Option<Vec<Scalar>>,
    /// `facet`.
    pub facet: Vec<FacetConfig>,
    /// `group_variable`.
    pub group_variable: Option<NameOrIndex>,
    /// `probability_threshold` (default 0.5 when read through
    /// [`AnalysisConfig::probability_threshold_or_default`]).
    pub probability_threshold: Option<f64>,
    /// `predicted_label`.
    pub predicted_label: Option<NameOrIndex>,
    /// `excluded_columns`.
    pub excluded_columns: Vec<NameOrIndex>,
    /// `methods`.
    pub methods: Methods,
    /// `predictor`.
    pub predictor: Option<PredictorConfig>,
}

/// One problem in a config, at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Where: `facet[0].name_or_index`.
    pub path: String,
    /// What: `missing`, `expected a string`, …
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in a config (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("analysis_config.json: {}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

struct Ctx {
    problems: Vec<ConfigProblem>,
}

impl Ctx {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn string(&mut self, o: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.push(&join(path, key), "expected a string");
                None
            }
        }
    }

    fn boolean(&mut self, o: &Map<String, Value>, key: &str, path: &str) -> Option<bool> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.push(&join(path, key), "expected true or false");
                None
            }
        }
    }

    fn uint(&mut self, o: &Map<String, Value>, key: &str, path: &str, min: u64) -> Option<u64> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v >= min) => n.as_u64(),
            Some(_) => {
                self.push(&join(path, key), format!("expected an integer ≥ {min}"));
                None
            }
        }
    }

    fn name_or_index(&mut self, v: &Value, path: &str) -> Option<NameOrIndex> {
        match v {
            Value::String(s) if !s.is_empty() => Some(NameOrIndex::Name(s.clone())),
            Value::String(_) => {
                self.push(path, "empty string");
                None
            }
            Value::Number(n) if n.as_u64().is_some() => {
                Some(NameOrIndex::Index(n.as_u64().unwrap_or(0) as usize))
            }
            _ => {
                self.push(
                    path,
                    "expected a column name or a non-negative integer index",
                );
                None
            }
        }
    }

    fn opt_name_or_index(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<NameOrIndex> {
        match o.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => self.name_or_index(v, &join(path, key)),
        }
    }

    fn scalars(&mut self, v: &Value, path: &str) -> Option<Vec<Scalar>> {
        let Value::Array(a) = v else {
            self.push(path, "expected a list of values");
            return None;
        };
        if a.is_empty() {
            self.push(path, "empty list");
            return None;
        }
        let mut out = Vec::with_capacity(a.len());
        let mut ok = true;
        for (i, x) in a.iter().enumerate() {
            match scalar(x) {
                Some(s) => out.push(s),
                None => {
                    self.push(&format!("{path}[{i}]"), "expected a number, string or bool");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn strings(&mut self, v: &Value, path: &str) -> Option<Vec<String>> {
        let Value::Array(a) = v else {
            self.push(path, "expected a list of strings");
            return None;
        };
        let mut out = Vec::with_capacity(a.len());
        let mut ok = true;
        for (i, x) in a.iter().enumerate() {
            match x {
                Value::String(s) => out.push(s.clone()),
                _ => {
                    self.push(&format!("{path}[{i}]"), "expected a string");
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    fn object<'v>(&mut self, v: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(o) => Some(o),
            _ => {
                self.push(path, "expected an object");
                None
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn scalar(v: &Value) -> Option<Scalar> {
    match v {
        Value::Number(n) => Some(match (n.as_i64(), n.is_f64()) {
            (Some(i), false) => Scalar::Int(i),
            _ => Scalar::Float(n.as_f64()?),
        }),
        Value::String(s) => Some(Scalar::Str(s.clone())),
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        _ => None,
    }
}

impl AnalysisConfig {
    /// Parses the text of an `analysis_config.json`.
    pub fn from_json_str(text: &str) -> Result<AnalysisConfig, ConfigErrors> {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => AnalysisConfig::from_value(&v),
            Err(e) => Err(ConfigErrors(vec![ConfigProblem {
                path: "$".into(),
                message: format!("not JSON: {e}"),
            }])),
        }
    }

    /// Reads a parsed `analysis_config.json`, collecting every problem.
    pub fn from_value(v: &Value) -> Result<AnalysisConfig, ConfigErrors> {
        let mut cx = Ctx {
            problems: Vec::new(),
        };
        let Some(o) = cx.object(v, "$") else {
            return Err(ConfigErrors(cx.problems));
        };
        let mut c = AnalysisConfig {
            version: cx.string(o, "version", ""),
            dataset_type: cx.string(o, "dataset_type", ""),
            features: cx.string(o, "features", ""),
            ..AnalysisConfig::default()
        };
        if let Some(ver) = &c.version {
            if ver != "1.0" {
                cx.push(
                    "version",
                    format!("unsupported version {ver:?} (only \"1.0\")"),
                );
            }
        }
        if let Some(t) = &c.dataset_type {
            if !DATASET_TYPES.contains(&t.as_str()) {
                cx.push(
                    "dataset_type",
                    format!("unknown {t:?} (one of {})", DATASET_TYPES.join(", ")),
                );
            }
        }
        if let Some(h) = o.get("headers").filter(|v| !v.is_null()) {
            c.headers = cx.strings(h, "headers");
            if let Some(hs) = &c.headers {
                for (i, name) in hs.iter().enumerate() {
                    if hs[..i].contains(name) {
                        cx.push(
                            &format!("headers[{i}]"),
                            format!("duplicate header {name:?}"),
                        );
                    }
                }
            }
        }
        c.label = cx.opt_name_or_index(o, "label", "");
        if let Some(l) = o.get("label_values_or_threshold").filter(|v| !v.is_null()) {
            c.label_values_or_threshold = cx.scalars(l, "label_values_or_threshold");
        }
        match o.get("facet") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                if a.is_empty() {
                    cx.push("facet", "empty list");
                }
                for (i, f) in a.iter().enumerate() {
                    let p = format!("facet[{i}]");
                    let Some(fo) = cx.object(f, &p) else { continue };
                    let name = match fo.get("name_or_index") {
                        None | Some(Value::Null) => {
                            cx.push(&join(&p, "name_or_index"), "missing");
                            None
                        }
                        Some(v) => cx.name_or_index(v, &join(&p, "name_or_index")),
                    };
                    let values = match fo.get("value_or_threshold") {
                        None | Some(Value::Null) => None,
                        Some(v) => cx.scalars(v, &join(&p, "value_or_threshold")),
                    };
                    if let (Some(name), Some(h)) = (&name, &c.headers) {
                        check_header(&mut cx, h, &join(&p, "name_or_index"), name);
                    }
                    if let Some(name) = name {
                        if c.facet.iter().any(|x| x.name_or_index == name) {
                            cx.push(
                                &join(&p, "name_or_index"),
                                format!("duplicate facet {name}"),
                            );
                        }
                        c.facet.push(FacetConfig {
                            name_or_index: name,
                            value_or_threshold: values,
                        });
                    }
                }
            }
            Some(_) => cx.push(
                "facet",
                "expected a list of {name_or_index, value_or_threshold}",
            ),
        }
        c.group_variable = cx.opt_name_or_index(o, "group_variable", "");
        match o.get("probability_threshold") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => c.probability_threshold = n.as_f64(),
            Some(_) => cx.push("probability_threshold", "expected a number"),
        }
        c.predicted_label = cx.opt_name_or_index(o, "predicted_label", "");
        match o.get("excluded_columns") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                for (i, x) in a.iter().enumerate() {
                    if let Some(n) = cx.name_or_index(x, &format!("excluded_columns[{i}]")) {
                        c.excluded_columns.push(n);
                    }
                }
            }
            Some(_) => cx.push("excluded_columns", "expected a list"),
        }
        if let Some(m) = o.get("methods").filter(|v| !v.is_null()) {
            if let Some(mo) = cx.object(m, "methods") {
                c.methods = read_methods(&mut cx, mo);
            }
        }
        if let Some(p) = o.get("predictor").filter(|v| !v.is_null()) {
            if let Some(po) = cx.object(p, "predictor") {
                c.predictor = Some(read_predictor(&mut cx, po));
            }
        }
        cross_checks(&mut cx, &c);
        if cx.problems.is_empty() {
            Ok(c)
        } else {
            Err(ConfigErrors(cx.problems))
        }
    }

    /// `probability_threshold`, 0.5 when absent.
    pub fn probability_threshold_or_default(&self) -> f64 {
        self.probability_threshold.unwrap_or(0.5)
    }

    /// Whether this config asks for bias metrics: an explicit bias method, or (the monitor
    /// variant, which has no `methods`) a facet.
    pub fn wants_bias(&self) -> bool {
        self.methods.pre_training_bias.is_some()
            || self.methods.post_training_bias.is_some()
            || (self.methods.shap.is_none() && !self.facet.is_empty())
    }

    /// The label's header name as `analysis.json` reports it: the last header for JSON data
    /// (where `label` is a JMESPath), else the `label` column name, or the header at its index.
    pub fn label_header(&self) -> Option<String> {
        let headers = self.headers.as_deref();
        match (&self.label, headers) {
            (Some(NameOrIndex::Index(i)), Some(h)) => h.get(*i).cloned(),
            (Some(NameOrIndex::Name(n)), Some(h)) if h.contains(n) => Some(n.clone()),
            (Some(_), Some(h)) => h.last().cloned(),
            (Some(NameOrIndex::Name(n)), None) => Some(n.clone()),
            (Some(NameOrIndex::Index(_)), None) | (None, _) => None,
        }
    }
}

fn read_selection(cx: &mut Ctx, v: &Value, path: &str, known: &[&str]) -> Option<MethodSelection> {
    let o = cx.object(v, path)?;
    let p = join(path, "methods");
    match o.get("methods") {
        None | Some(Value::Null) => {
            cx.push(&p, "missing");
            None
        }
        Some(Value::String(s)) if s == "all" => Some(MethodSelection::All),
        Some(Value::Array(a)) => {
            let mut names = Vec::new();
            for (i, x) in a.iter().enumerate() {
                match x.as_str() {
                    Some(n) if known.contains(&n) => names.push(n.to_owned()),
                    Some(n) => cx.push(
                        &format!("{p}[{i}]"),
                        format!("unknown metric {n:?} (one of {})", known.join(", ")),
                    ),
                    None => cx.push(&format!("{p}[{i}]"), "expected a metric name"),
                }
            }
            if a.is_empty() {
                cx.push(&p, "empty list");
            }
            Some(MethodSelection::Names(names))
        }
        Some(_) => {
            cx.push(&p, "expected \"all\" or a list of metric names");
            None
        }
    }
}

fn read_methods(cx: &mut Ctx, o: &Map<String, Value>) -> Methods {
    let mut m = Methods::default();
    if let Some(v) = o.get("pre_training_bias").filter(|v| !v.is_null()) {
        m.pre_training_bias =
            read_selection(cx, v, "methods.pre_training_bias", PRE_TRAINING_NAMES);
    }
    if let Some(v) = o.get("post_training_bias").filter(|v| !v.is_null()) {
        m.post_training_bias =
            read_selection(cx, v, "methods.post_training_bias", POST_TRAINING_NAMES);
    }
    if let Some(v) = o.get("report").filter(|v| !v.is_null()) {
        if let Some(ro) = cx.object(v, "methods.report") {
            let name = cx.string(ro, "name", "methods.report");
            if name.is_none() && ro.get("name").is_none() {
                cx.push("methods.report.name", "missing");
            }
            let title = cx.string(ro, "title", "methods.report");
            if let Some(name) = name {
                m.report = Some(ReportConfig { name, title });
            }
        }
    }
    if let Some(v) = o.get("shap").filter(|v| !v.is_null()) {
        let p = "methods.shap";
        if let Some(so) = cx.object(v, p) {
            let agg_method = match cx.string(so, "agg_method", p).as_deref() {
                None | Some("mean_abs") => AggMethod::MeanAbs,
                Some("median") => AggMethod::Median,
                Some("mean_sq") => AggMethod::MeanSq,
                Some(other) => {
                    cx.push(
                        "methods.shap.agg_method",
                        format!("unknown {other:?} (mean_abs, median or mean_sq)"),
                    );
                    AggMethod::MeanAbs
                }
            };
            let baseline = so.get("baseline").filter(|v| !v.is_null()).cloned();
            if let Some(b) = &baseline {
                if !matches!(b, Value::String(_) | Value::Array(_) | Value::Object(_)) {
                    cx.push(
                        "methods.shap.baseline",
                        "expected an S3 URI, a list of rows or a JSON object",
                    );
                }
            }
            let seed = match so.get("seed") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
                Some(_) => {
                    cx.push("methods.shap.seed", "expected an integer");
                    None
                }
            };
            let features_to_explain = match so.get("features_to_explain") {
                None | Some(Value::Null) => None,
                Some(Value::Array(a)) => Some(
                    a.iter()
                        .enumerate()
                        .filter_map(|(i, x)| {
                            cx.name_or_index(x, &format!("methods.shap.features_to_explain[{i}]"))
                        })
                        .collect(),
                ),
                Some(_) => {
                    cx.push("methods.shap.features_to_explain", "expected a list");
                    None
                }
            };
            let shap = ShapConfig {
                baseline,
                num_samples: cx.uint(so, "num_samples", p, 1),
                agg_method,
                use_logit: cx.boolean(so, "use_logit", p).unwrap_or(false),
                save_local_shap_values: cx
                    .boolean(so, "save_local_shap_values", p)
                    .unwrap_or(false),
                seed,
                num_clusters: cx.uint(so, "num_clusters", p, 1),
                features_to_explain,
            };
            if shap.baseline.is_some() && shap.num_clusters.is_some() {
                cx.push(
                    "methods.shap.num_clusters",
                    "not allowed together with methods.shap.baseline",
                );
            }
            m.shap = Some(shap);
        }
    }
    m
}

fn read_predictor(cx: &mut Ctx, o: &Map<String, Value>) -> PredictorConfig {
    let p = "predictor";
    let label_headers = match o.get("label_headers") {
        None | Some(Value::Null) => None,
        Some(v) => cx.strings(v, "predictor.label_headers"),
    };
    let pc = PredictorConfig {
        endpoint_name: cx.string(o, "endpoint_name", p),
        model_name: cx.string(o, "model_name", p),
        instance_type: cx.string(o, "instance_type", p),
        initial_instance_count: cx.uint(o, "initial_instance_count", p, 1),
        endpoint_name_prefix: cx.string(o, "endpoint_name_prefix", p),
        accelerator_type: cx.string(o, "accelerator_type", p),
        target_model: cx.string(o, "target_model", p),
        content_type: cx.string(o, "content_type", p),
        accept_type: cx.string(o, "accept_type", p),
        content_template: cx.string(o, "content_template", p),
        record_template: cx.string(o, "record_template", p),
        label: cx.opt_name_or_index(o, "label", p),
        probability: cx.opt_name_or_index(o, "probability", p),
        label_headers,
        custom_attributes: cx.string(o, "custom_attributes", p),
    };
    if let Some(prefix) = &pc.endpoint_name_prefix {
        if prefix.chars().count() > 23 {
            cx.push(
                "predictor.endpoint_name_prefix",
                "longer than 23 characters",
            );
        }
    }
    if pc.endpoint_name.is_none() && pc.model_name.is_none() {
        cx.push("predictor", "needs endpoint_name or model_name");
    }
    if pc.model_name.is_some() && pc.endpoint_name.is_none() && pc.instance_type.is_none() {
        cx.push(
            "predictor.instance_type",
            "missing (required with model_name)",
        );
    }
    if let Some(a) = o.get("custom_attributes").and_then(Value::as_str) {
        if a.chars().count() > 1024 {
            cx.push("predictor.custom_attributes", "longer than 1024 characters");
        }
    }
    pc
}

fn cross_checks(cx: &mut Ctx, c: &AnalysisConfig) {
    let bias_methods =
        c.methods.pre_training_bias.is_some() || c.methods.post_training_bias.is_some();
    if bias_methods {
        if c.label_values_or_threshold.is_none() && !cx.has("label_values_or_threshold") {
            cx.push(
                "label_values_or_threshold",
                "missing (required for bias metrics)",
            );
        }
        if c.facet.is_empty() && !cx.has("facet") {
            cx.push("facet", "missing (required for bias metrics)");
        }
    }
    if c.methods.post_training_bias.is_some()
        && c.predictor.is_none()
        && c.predicted_label.is_none()
        && !cx.has("predictor")
    {
        cx.push(
            "predictor",
            "missing (post_training_bias needs predictor or predicted_label)",
        );
    }
    if let (Some(h), Some(g)) = (&c.headers, &c.group_variable) {
        check_header(cx, h, "group_variable", g);
    }
}

fn check_header(cx: &mut Ctx, h: &[String], path: &str, col: &NameOrIndex) {
    match col {
        NameOrIndex::Index(i) if *i >= h.len() => cx.push(
            path,
            format!("index {i} out of range ({} headers)", h.len()),
        ),
        NameOrIndex::Name(n) if !h.contains(n) => {
            cx.push(path, format!("{n:?} is not one of the headers"))
        }
        _ => {}
    }
}

impl Ctx {
    fn has(&self, path: &str) -> bool {
        self.problems.iter().any(|p| {
            p.path == path
                || p.path.starts_with(&format!("{path}."))
                || p.path.starts_with(&format!("{path}["))
        })
    }
}
