//! A bias analysis: the table and the config in, smclarify's report out, and the bias
//! `analysis.json` written byte for byte as Clarify writes it (clarify-monitors.md §3.5).
//!
//! Failures are data: a metric that fails carries smclarify's message (`"value": null,
//! "error": …`); a facet whose groups cannot be built, or a post-training stage whose predicted
//! labels are all negative, carries the error that aborts smclarify's `bias_report` for it and
//! is left out of the file (Clarify's own job would fail there).

use super::flip_test::flip_test;
use super::metrics::{cell, ge_from_rows, Cells, Metric, Num, Outcome, Stage};
use super::table::{facet_indexes, group_codes, label_index, predicted_index, Column};
use crate::clarify::pyjson::dumps_indent4;
use crate::clarify::{
    AnalysisConfig, ConfigErrors, ConfigProblem, MethodSelection, NameOrIndex, Scalar,
};
use serde_json::{json, Map, Value};

/// The analysis table: feature columns by name (in header order; the facet and group variable
/// are among them), the ground-truth label and, for post-training metrics, the predicted label.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasTable {
    /// Feature columns, in header order.
    pub features: Vec<(String, Column)>,
    /// The ground-truth label.
    pub label: Column,
    /// The predicted label (from `InferenceAttribute`, or `score > probability_threshold`).
    pub predicted_label: Option<Column>,
}

impl BiasTable {
    /// The number of rows (the label's length).
    pub fn rows(&self) -> usize {
        self.label.len()
    }

    /// A table from feature rows (one JSON array per row, `names` its column names, as the
    /// capture's `features` give them), the labels and the predicted labels. Every row must
    /// have one value per name.
    pub fn from_feature_rows(
        names: &[String],
        rows: &[Vec<Value>],
        label: Column,
        predicted_label: Option<Column>,
    ) -> Result<BiasTable, BiasError> {
        if let Some(i) = rows.iter().position(|r| r.len() != names.len()) {
            return Err(BiasError::BadRow {
                row: i,
                got: rows[i].len(),
                want: names.len(),
            });
        }
        let mut features = Vec::with_capacity(names.len());
        for (j, name) in names.iter().enumerate() {
            let values: Vec<Value> = rows.iter().map(|r| r[j].clone()).collect();
            let col = Column::from_json(&values).map_err(|e| BiasError::BadColumn {
                column: name.clone(),
                message: e,
            })?;
            features.push((name.clone(), col));
        }
        Ok(BiasTable {
            features,
            label,
            predicted_label,
        })
    }

    fn column(&self, key: &NameOrIndex) -> Option<(&str, &Column)> {
        match key {
            NameOrIndex::Name(n) => self
                .features
                .iter()
                .find(|(k, _)| k == n)
                .map(|(k, c)| (k.as_str(), c)),
            NameOrIndex::Index(i) => self.features.get(*i).map(|(k, c)| (k.as_str(), c)),
        }
    }
}

/// One facet to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetSpec {
    /// The facet column.
    pub column: NameOrIndex,
    /// Sensitive values or one threshold; `None` = one-vs-rest.
    pub values: Option<Vec<Scalar>>,
}

/// What to compute: the validated bias part of an `analysis_config.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasSpec {
    /// The label's header name, as `analysis.json` reports it.
    pub label_name: String,
    /// `label_values_or_threshold`.
    pub label_values: Vec<Scalar>,
    /// `facet`.
    pub facets: Vec<FacetSpec>,
    /// `group_variable`.
    pub group_variable: Option<NameOrIndex>,
    /// Pre-training metrics to compute (`None` = none).
    pub pre_training: Option<MethodSelection>,
    /// Post-training metrics to compute (`None` = none).
    pub post_training: Option<MethodSelection>,
}

impl BiasSpec {
    /// The bias part of a config. A config without `methods` (the monitor variant) computes
    /// every pre- and post-training metric. Every missing piece is reported at once.
    pub fn from_config(c: &AnalysisConfig) -> Result<BiasSpec, ConfigErrors> {
        let mut problems = Vec::new();
        let mut p = |path: &str, m: &str| {
            problems.push(ConfigProblem {
                path: path.into(),
                message: m.into(),
            })
        };
        let label_name = c.label_header();
        if label_name.is_none() {
            p("label", "missing (or not resolvable to a header name)");
        }
        if c.label_values_or_threshold.is_none() {
            p("label_values_or_threshold", "missing");
        }
        if c.facet.is_empty() {
            p("facet", "missing");
        }
        if !problems.is_empty() {
            return Err(ConfigErrors(problems));
        }
        let no_methods =
            c.methods.pre_training_bias.is_none() && c.methods.post_training_bias.is_none();
        Ok(BiasSpec {
            label_name: label_name.unwrap_or_default(),
            label_values: c.label_values_or_threshold.clone().unwrap_or_default(),
            facets: c
                .facet
                .iter()
                .map(|f| FacetSpec {
                    column: f.name_or_index.clone(),
                    values: f.value_or_threshold.clone(),
                })
                .collect(),
            group_variable: c.group_variable.clone(),
            pre_training: if no_methods {
                Some(MethodSelection::All)
            } else {
                c.methods.pre_training_bias.clone()
            },
            post_training: if no_methods {
                Some(MethodSelection::All)
            } else {
                c.methods.post_training_bias.clone()
            },
        })
    }
}

/// One metric of one facet value.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricResult {
    /// The metric.
    pub metric: Metric,
    /// Its value or error.
    pub outcome: Outcome,
}

/// The metrics of one facet value (one entry of `facets.<name>`).
#[derive(Debug, Clone, PartialEq)]
pub struct FacetValueResult {
    /// `value_or_threshold`.
    pub value_or_threshold: String,
    /// The metrics, in registry order.
    pub metrics: Vec<MetricResult>,
    /// The cell counts they came from (absent when read from a file); the bootstrap resamples
    /// these.
    pub cells: Option<Cells>,
}

/// One facet of a stage.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetResult {
    /// The facet's name.
    pub name: String,
    /// Its entries, or the error that aborted the facet.
    pub values: Result<Vec<FacetValueResult>, String>,
}

/// One stage (pre- or post-training).
#[derive(Debug, Clone, PartialEq)]
pub struct StageResult {
    /// `label`.
    pub label: String,
    /// `label_value_or_threshold`.
    pub label_value_or_threshold: String,
    /// `facets`, in config order.
    pub facets: Vec<FacetResult>,
}

/// A bias `analysis.json`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BiasAnalysis {
    /// `post_training_bias_metrics`, or the error that aborted the stage.
    pub post_training: Option<Result<StageResult, String>>,
    /// `pre_training_bias_metrics`, or the error that aborted the stage.
    pub pre_training: Option<Result<StageResult, String>>,
}

/// Why no analysis could be made at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BiasError {
    /// Columns of different lengths.
    #[error("column {column} has {got} rows, the label has {want}")]
    RaggedTable {
        /// The column.
        column: String,
        /// Its length.
        got: usize,
        /// The label's length.
        want: usize,
    },
    /// A feature row of the wrong width.
    #[error("feature row {row} has {got} values, expected {want}")]
    BadRow {
        /// The row.
        row: usize,
        /// Its width.
        got: usize,
        /// The number of names.
        want: usize,
    },
    /// A column that cannot be typed.
    #[error("column {column}: {message}")]
    BadColumn {
        /// The column.
        column: String,
        /// Why.
        message: String,
    },
    /// A bias `analysis.json` that is not one.
    #[error("analysis.json: {0}")]
    BadFile(String),
}

/// Computes the configured metrics (smclarify's `bias_report` for every facet and stage).
pub fn analyze(table: &BiasTable, spec: &BiasSpec) -> Result<BiasAnalysis, BiasError> {
    let n = table.rows();
    let mut lengths: Vec<(&str, usize)> = table
        .features
        .iter()
        .map(|(k, c)| (k.as_str(), c.len()))
        .collect();
    if let Some(p) = &table.predicted_label {
        lengths.push(("predicted_label", p.len()));
    }
    for (name, len) in lengths {
        if len != n {
            return Err(BiasError::RaggedTable {
                column: name.to_owned(),
                got: len,
                want: n,
            });
        }
    }
    let mut out = BiasAnalysis::default();
    let label = label_index(&table.label, &spec.label_values);
    let groups = match &spec.group_variable {
        Some(g) => table.column(g).map(|(_, c)| group_codes(c)),
        None => None,
    };
    let stage_run = |stage: Stage, sel: &MethodSelection| -> Result<StageResult, String> {
        let (y, label_type) = label.clone()?;
        let yhat = match stage {
            Stage::PreTraining => None,
            Stage::PostTraining => {
                let pred = table.predicted_label.as_ref().ok_or_else(|| {
                    "predicted_label_column has to be provided for Post training metrics".to_owned()
                })?;
                Some(predicted_index(
                    pred,
                    &table.label,
                    label_type,
                    &spec.label_values,
                )?)
            }
        };
        let metrics: Vec<Metric> = Metric::of_stage(stage)
            .filter(|m| sel.includes(m.name()))
            .collect();
        let ge = match (&yhat, metrics.contains(&Metric::GE)) {
            (Some(p), true) => Some(ge_from_rows(&y.flags, p)),
            _ => None,
        };
        let mut facets = Vec::new();
        for f in &spec.facets {
            let Some((fname, fcol)) = table.column(&f.column) else {
                facets.push(FacetResult {
                    name: f.column.to_string(),
                    values: Err(format!(
                        "Facet column {} is not present in the dataset",
                        f.column
                    )),
                });
                continue;
            };
            let values = facet_indexes(fcol, f.values.as_deref()).map(|idxs| {
                idxs.into_iter()
                    .map(|d| {
                        let mut cells =
                            Cells::new(groups.as_ref().map_or(1, |g| g.1), groups.is_some());
                        for i in 0..n {
                            let g = groups.as_ref().map_or(0, |g| g.0[i] as usize);
                            let p = yhat.as_ref().is_some_and(|p| p[i]);
                            cells.counts[g][cell(d.flags[i], y.flags[i], p)] += 1;
                        }
                        let results = metrics
                            .iter()
                            .map(|&m| MetricResult {
                                metric: m,
                                outcome: match m {
                                    Metric::FT => {
                                        ft(table, fname, &d.flags, yhat.as_deref().unwrap_or(&[]))
                                    }
                                    Metric::GE => ge
                                        .clone()
                                        .unwrap_or_else(|| Err("dataset must be non-empty".into())),
                                    _ => cells
                                        .compute(m)
                                        .unwrap_or_else(|| Err("not computable".into())),
                                },
                            })
                            .collect();
                        FacetValueResult {
                            value_or_threshold: d.text,
                            metrics: results,
                            cells: Some(cells),
                        }
                    })
                    .collect()
            });
            facets.push(FacetResult {
                name: fname.to_owned(),
                values,
            });
        }
        Ok(StageResult {
            label: spec.label_name.clone(),
            label_value_or_threshold: y.text,
            facets,
        })
    };
    if let Some(sel) = &spec.post_training {
        out.post_training = Some(stage_run(Stage::PostTraining, sel));
    }
    if let Some(sel) = &spec.pre_training {
        out.pre_training = Some(stage_run(Stage::PreTraining, sel));
    }
    Ok(out)
}

/// FT's features: every feature column but the facet (the label and predicted label are not
/// features here); a string column fails as in smclarify.
fn ft(table: &BiasTable, facet: &str, d: &[bool], yhat: &[bool]) -> Outcome {
    if d.iter().all(|&b| !b) {
        return Err("Facet set is empty".into());
    }
    if d.iter().all(|&b| b) {
        return Err("Negated Facet set is empty".into());
    }
    let mut cols = Vec::new();
    for (name, c) in &table.features {
        if name == facet {
            continue;
        }
        match c.as_f64() {
            Some(v) => cols.push(v),
            None => return Err("FlipTest does not support non-numeric columns".into()),
        }
    }
    if cols.is_empty() {
        // scikit-learn refuses a 0-feature fit; driftmon's own message.
        return Err("FlipTest needs at least one feature column besides the facet".into());
    }
    flip_test(&cols, d, yhat)
}

fn value_json(o: &Outcome) -> Value {
    match o {
        Ok(Num::Int(i)) => json!(i),
        Ok(Num::Float(x)) if x.is_infinite() => {
            json!(if *x > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Ok(Num::Float(x)) => json!(x),
        Err(_) => Value::Null,
    }
}

impl BiasAnalysis {
    /// The stages present, in file order (post-training first, as Clarify writes them).
    pub fn stages(&self) -> impl Iterator<Item = (Stage, &StageResult)> {
        [
            (Stage::PostTraining, &self.post_training),
            (Stage::PreTraining, &self.pre_training),
        ]
        .into_iter()
        .filter_map(|(s, r)| match r {
            Some(Ok(x)) => Some((s, x)),
            _ => None,
        })
    }

    /// The file as a JSON value, keys in Clarify's order. Aborted stages and facets are left out.
    pub fn to_value(&self) -> Value {
        let mut top = Map::new();
        top.insert("version".into(), json!("1.0"));
        for (stage, s) in self.stages() {
            let mut facets = Map::new();
            for f in &s.facets {
                let Ok(values) = &f.values else { continue };
                let entries: Vec<Value> = values
                    .iter()
                    .map(|v| {
                        let metrics: Vec<Value> = v
                            .metrics
                            .iter()
                            .map(|m| {
                                let d = m.metric.descriptor();
                                let mut o = Map::new();
                                o.insert("name".into(), json!(d.name));
                                o.insert("description".into(), json!(d.description));
                                o.insert("value".into(), value_json(&m.outcome));
                                if let Err(e) = &m.outcome {
                                    o.insert("error".into(), json!(e));
                                }
                                Value::Object(o)
                            })
                            .collect();
                        let mut o = Map::new();
                        o.insert("value_or_threshold".into(), json!(v.value_or_threshold));
                        o.insert("metrics".into(), Value::Array(metrics));
                        Value::Object(o)
                    })
                    .collect();
                facets.insert(f.name.clone(), Value::Array(entries));
            }
            let mut o = Map::new();
            o.insert("label".into(), json!(s.label));
            o.insert("facets".into(), Value::Object(facets));
            o.insert(
                "label_value_or_threshold".into(),
                json!(s.label_value_or_threshold),
            );
            top.insert(stage.key().into(), Value::Object(o));
        }
        Value::Object(top)
    }

    /// The file's text: `json.dumps(…, indent=4)` (no trailing newline).
    pub fn to_json_string(&self) -> String {
        dumps_indent4(&self.to_value())
    }

    /// Reads a bias `analysis.json` (a baseline's constraints, or an execution's result).
    /// Unknown metric names are skipped; `"Infinity"`/`"-Infinity"` become ±inf.
    pub fn from_value(v: &Value) -> Result<BiasAnalysis, BiasError> {
        let bad = |m: &str| BiasError::BadFile(m.to_owned());
        let top = v.as_object().ok_or_else(|| bad("not an object"))?;
        let mut out = BiasAnalysis::default();
        for stage in [Stage::PostTraining, Stage::PreTraining] {
            let Some(s) = top.get(stage.key()) else {
                continue;
            };
            let s = s
                .as_object()
                .ok_or_else(|| bad(&format!("{} is not an object", stage.key())))?;
            let label = s
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let lvt = s
                .get("label_value_or_threshold")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut facets = Vec::new();
            if let Some(fs) = s.get("facets").and_then(Value::as_object) {
                for (name, entries) in fs {
                    let mut values = Vec::new();
                    for e in entries.as_array().into_iter().flatten() {
                        let vot = e
                            .get("value_or_threshold")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        let mut metrics = Vec::new();
                        for m in e
                            .get("metrics")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                        {
                            let Some(metric) = m
                                .get("name")
                                .and_then(Value::as_str)
                                .and_then(Metric::from_name)
                            else {
                                continue;
                            };
                            let outcome = match m.get("value") {
                                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                                    Ok(Num::Int(n.as_i64().unwrap_or(0)))
                                }
                                Some(Value::Number(n)) => {
                                    Ok(Num::Float(n.as_f64().unwrap_or(f64::NAN)))
                                }
                                Some(Value::String(s)) if s == "Infinity" => {
                                    Ok(Num::Float(f64::INFINITY))
                                }
                                Some(Value::String(s)) if s == "-Infinity" => {
                                    Ok(Num::Float(f64::NEG_INFINITY))
                                }
                                _ => Err(m
                                    .get("error")
                                    .and_then(Value::as_str)
                                    .unwrap_or("no value")
                                    .to_owned()),
                            };
                            metrics.push(MetricResult { metric, outcome });
                        }
                        values.push(FacetValueResult {
                            value_or_threshold: vot,
                            metrics,
                            cells: None,
                        });
                    }
                    facets.push(FacetResult {
                        name: name.clone(),
                        values: Ok(values),
                    });
                }
            }
            let r = Ok(StageResult {
                label,
                label_value_or_threshold: lvt,
                facets,
            });
            match stage {
                Stage::PostTraining => out.post_training = Some(r),
                Stage::PreTraining => out.pre_training = Some(r),
            }
        }
        Ok(out)
    }

    /// Reads the text of a bias `analysis.json`.
    pub fn from_json_str(text: &str) -> Result<BiasAnalysis, BiasError> {
        let v: Value = serde_json::from_str(text).map_err(|e| BiasError::BadFile(e.to_string()))?;
        BiasAnalysis::from_value(&v)
    }

    /// The metric of (stage, facet, facet value, metric), if present.
    pub fn find(
        &self,
        stage: Stage,
        facet: &str,
        value: &str,
        metric: Metric,
    ) -> Option<&MetricResult> {
        self.stages()
            .filter(|(s, _)| *s == stage)
            .flat_map(|(_, s)| s.facets.iter())
            .filter(|f| f.name == facet)
            .filter_map(|f| f.values.as_ref().ok())
            .flatten()
            .filter(|v| v.value_or_threshold == value)
            .flat_map(|v| v.metrics.iter())
            .find(|m| m.metric == metric)
    }
}
