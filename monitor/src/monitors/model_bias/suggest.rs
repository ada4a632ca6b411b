//! The bias baseline job (`driftmon baseline suggest --monitor-type model-bias`): a labelled
//! dataset and an `analysis_config.json` in, `analysis.json` out, with
//! `pre_training_bias_metrics` and `post_training_bias_metrics` as Clarify writes them.
//!
//! The dataset is CSV (with a header, or named by the config's `headers`), JSON (the config's
//! `features` and `label` paths, e.g. `instances[*].features`, `instances[*].label`) or JSON
//! Lines (the same paths per line). The predicted label is the config's `predicted_label`
//! column (or path), or `--inference-attribute`; a score column (`--probability-attribute`)
//! is turned into a label by `score > probability_threshold`. Without predictions only the
//! pre-training metrics are computed. A row that does not fit (wrong width, missing label) is
//! rejected with its line and counted; the job fails only when no row is usable.

use std::path::PathBuf;

use driftmon_baseline::capture::{event_rows, EventData, JsonPath, Part};
use driftmon_baseline::read::HeaderMode;
use driftmon_baseline::rows::{for_each_csv_row, CsvEvent};
use driftmon_baseline::value::Cell;
use driftmon_rules::bias::table::Column;
use driftmon_rules::bias::{analyze, BiasAnalysis, BiasSpec, BiasTable};
use driftmon_rules::clarify::{AnalysisConfig, NameOrIndex};
use serde_json::Value;

use super::window::cell_value;
use super::{bias_err, load_config};
use crate::adapters::store::resolve;
use crate::monitors::model_quality::IssueLog;
use crate::monitors::RunError;

/// The dataset's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BiasFormat {
    /// Comma-separated values.
    Csv,
    /// One JSON document (`{"instances": [...]}`).
    Json,
    /// JSON Lines.
    Jsonl,
}

impl BiasFormat {
    /// `csv`, `json` or `jsonl`.
    pub fn parse(s: &str) -> Option<BiasFormat> {
        match s {
            "csv" => Some(BiasFormat::Csv),
            "json" => Some(BiasFormat::Json),
            "jsonl" | "jsonlines" => Some(BiasFormat::Jsonl),
            _ => None,
        }
    }
}

/// What the bias baseline job reads and where it writes.
#[derive(Debug, Clone)]
pub struct BiasSuggestSpec {
    /// The dataset (file or `s3://`; gzip is fine).
    pub input: PathBuf,
    /// CSV, JSON or JSON Lines.
    pub format: BiasFormat,
    /// CSV header handling ([`HeaderMode::Auto`]: a header when the first row is not data).
    pub header: HeaderMode,
    /// `analysis_config.json`.
    pub analysis_config: PathBuf,
    /// Output folder (or `s3://` prefix) for `analysis.json`.
    pub output: PathBuf,
    /// The predicted-label column or path (default: the config's `predicted_label`).
    pub inference_attribute: Option<String>,
    /// A score column or path, thresholded into the predicted label.
    pub probability_attribute: Option<String>,
    /// The threshold (default: the config's `probability_threshold`, 0.5).
    pub probability_threshold: Option<f64>,
}

/// What the baseline job produced.
#[derive(Debug, Clone)]
pub struct BiasSuggestOutcome {
    /// `analysis.json` as written.
    pub analysis: BiasAnalysis,
    /// Rows read.
    pub rows: u64,
    /// Rows analysed.
    pub used: u64,
    /// Rejected rows, by kind.
    pub issues: IssueLog,
}

/// The columns of a CSV dataset: label, predicted label, score, features.
type Layout = (usize, Option<usize>, Option<usize>, Vec<usize>);

/// The dataset as columns of JSON values.
struct Rows {
    names: Vec<String>,
    features: Vec<Vec<Value>>,
    labels: Vec<Value>,
    predicted: Vec<Value>,
    read: u64,
    issues: IssueLog,
}

fn position(names: &[String], key: &str) -> Option<usize> {
    match key.parse::<usize>() {
        Ok(i) if key.bytes().all(|b| b.is_ascii_digit()) => Some(i),
        _ => names.iter().position(|n| n == key),
    }
}

fn key_text(k: &NameOrIndex) -> String {
    match k {
        NameOrIndex::Name(n) => n.clone(),
        NameOrIndex::Index(i) => i.to_string(),
    }
}

/// Thresholds a score into a predicted label (`score > t` → 1).
fn thresholded(v: &Value, t: f64) -> Option<Value> {
    v.as_f64().map(|p| Value::from(i64::from(p > t)))
}

fn read_csv(
    spec: &BiasSuggestSpec,
    c: &AnalysisConfig,
    name: &str,
    reader: crate::adapters::store::ObjectReader,
) -> Result<Rows, RunError> {
    let mode = match spec.header {
        HeaderMode::Auto if c.headers.is_none() => HeaderMode::Present,
        m => m,
    };
    let mut header: Option<Vec<String>> = c.headers.clone();
    let mut out = Rows {
        names: Vec::new(),
        features: Vec::new(),
        labels: Vec::new(),
        predicted: Vec::new(),
        read: 0,
        issues: IssueLog::default(),
    };
    let label_key = c.label.as_ref().map(key_text);
    let pred_key = spec
        .inference_attribute
        .clone()
        .or_else(|| c.predicted_label.as_ref().map(key_text));
    let prob_key = spec.probability_attribute.clone();
    let threshold = spec
        .probability_threshold
        .unwrap_or_else(|| c.probability_threshold_or_default());
    let mut layout: Option<Layout> = None;
    let mut config_error: Option<String> = None;
    for_each_csv_row(reader, name, mode, |ev| match ev {
        CsvEvent::Header(h) => {
            if header.is_none() {
                header = Some(h.to_vec());
            }
        }
        CsvEvent::Row { line, fields } => {
            out.read += 1;
            if config_error.is_some() {
                return;
            }
            let names: Vec<String> = header
                .clone()
                .unwrap_or_else(|| (0..fields.len()).map(|i| format!("column_{i}")).collect());
            let (l, p, q, feats) = match &layout {
                Some(x) => x.clone(),
                None => {
                    let find = |k: &Option<String>, what: &str| -> Result<Option<usize>, String> {
                        k.as_deref()
                            .map(|k| {
                                position(&names, k).ok_or_else(|| {
                                    format!("{what} {k:?} is not a column of {names:?}")
                                })
                            })
                            .transpose()
                    };
                    let l = match find(&label_key, "label") {
                        Ok(Some(l)) => l,
                        Ok(None) => {
                            config_error = Some("the config has no `label`".into());
                            return;
                        }
                        Err(e) => {
                            config_error = Some(e);
                            return;
                        }
                    };
                    let (p, q) = match (
                        find(&pred_key, "predicted label"),
                        find(&prob_key, "probability"),
                    ) {
                        (Ok(p), Ok(q)) => (p, q),
                        (Err(e), _) | (_, Err(e)) => {
                            config_error = Some(e);
                            return;
                        }
                    };
                    let excluded: Vec<String> = c.excluded_columns.iter().map(key_text).collect();
                    let feats: Vec<usize> = (0..names.len())
                        .filter(|i| {
                            Some(*i) != Some(l)
                                && Some(*i) != p
                                && Some(*i) != q
                                && !excluded.iter().any(|e| position(&names, e) == Some(*i))
                        })
                        .collect();
                    out.names = feats.iter().map(|i| names[*i].clone()).collect();
                    layout = Some((l, p, q, feats.clone()));
                    (l, p, q, feats)
                }
            };
            let here = || format!("{name}:{line}");
            if fields.len() != names.len() {
                let (got, want) = (fields.len(), names.len());
                return out.issues.add("ragged_row", here, || {
                    format!("{got} fields, the header has {want}")
                });
            }
            let cell = |i: usize| cell_value(&&Cell::Text(fields[i].to_owned()));
            let label = cell(l);
            if fields[l].trim().is_empty() {
                return out
                    .issues
                    .add("missing_label", here, || "the label is empty".into());
            }
            let pred = match (p, q) {
                (Some(p), _) => Some(cell(p)),
                (None, Some(q)) => match thresholded(&cell(q), threshold) {
                    Some(v) => Some(v),
                    None => {
                        return out.issues.add("invalid_probability", here, || {
                            format!("the score {:?} is not a number", fields[q])
                        })
                    }
                },
                (None, None) => None,
            };
            out.features.push(feats.iter().map(|i| cell(*i)).collect());
            out.labels.push(label);
            if let Some(v) = pred {
                out.predicted.push(v);
            }
        }
        CsvEvent::Reject {
            line,
            kind,
            message,
        } => out
            .issues
            .add(kind, || format!("{name}:{line}"), || message.to_owned()),
    })
    .map_err(|e| bias_err(e.to_string()))?;
    if let Some(e) = config_error {
        return Err(bias_err(format!("{name}: {e}")));
    }
    Ok(out)
}

/// JSON or JSON Lines: the config's paths applied to the document (or to each line).
fn read_json(
    spec: &BiasSuggestSpec,
    c: &AnalysisConfig,
    name: &str,
    text: String,
    lines: bool,
) -> Result<Rows, RunError> {
    let ev = EventData {
        observed_content_type: Some(
            if lines {
                "application/jsonlines"
            } else {
                "application/json"
            }
            .into(),
        ),
        mode: None,
        data: text,
        encoding: driftmon_baseline::capture::Encoding::Json,
    };
    let path = |what: &str, s: &str| {
        JsonPath::parse(s).map_err(|e| bias_err(format!("{name}: {what} {s:?}: {e}")))
    };
    let features = path(
        "features",
        c.features
            .as_deref()
            .ok_or_else(|| bias_err("a JSON dataset needs the config's `features` path"))?,
    )?;
    let label = path(
        "label",
        &c.label
            .as_ref()
            .map(key_text)
            .ok_or_else(|| bias_err("the config has no `label`"))?,
    )?;
    let select = |p: &JsonPath| -> Result<Vec<Value>, RunError> {
        let rows =
            event_rows(&ev, Part::Input, Some(p)).map_err(|e| bias_err(format!("{name}: {e}")))?;
        Ok(rows
            .iter()
            .map(|r| match r {
                driftmon_baseline::value::Row::Positional(c) => {
                    Value::Array(c.iter().map(|x| cell_value(&x)).collect())
                }
                driftmon_baseline::value::Row::Named(p) => {
                    Value::Array(p.iter().map(|(_, x)| cell_value(&x)).collect())
                }
            })
            .collect())
    };
    let first = |v: Vec<Value>| -> Vec<Value> {
        v.into_iter()
            .map(|x| match x {
                Value::Array(mut a) if a.len() == 1 => a.remove(0),
                other => other,
            })
            .collect()
    };
    let rows: Vec<Vec<Value>> = select(&features)?
        .into_iter()
        .map(|v| match v {
            Value::Array(a) => a,
            other => vec![other],
        })
        .collect();
    let labels = first(select(&label)?);
    let threshold = spec
        .probability_threshold
        .unwrap_or_else(|| c.probability_threshold_or_default());
    let predicted = match (
        spec.inference_attribute
            .clone()
            .or_else(|| c.predicted_label.as_ref().map(key_text)),
        &spec.probability_attribute,
    ) {
        (Some(p), _) => first(select(&path("predicted label", &p)?)?),
        (None, Some(q)) => first(select(&path("probability", q)?)?)
            .iter()
            .map(|v| {
                thresholded(v, threshold)
                    .ok_or_else(|| bias_err(format!("score {v} is not a number")))
            })
            .collect::<Result<_, _>>()?,
        (None, None) => Vec::new(),
    };
    if labels.len() != rows.len() || (!predicted.is_empty() && predicted.len() != rows.len()) {
        return Err(bias_err(format!(
            "{name}: {} feature rows, {} labels, {} predicted labels",
            rows.len(),
            labels.len(),
            predicted.len()
        )));
    }
    let names = super::feature_names(c).unwrap_or_else(|| {
        (0..rows.first().map_or(0, Vec::len))
            .map(|i| format!("column_{i}"))
            .collect()
    });
    Ok(Rows {
        names,
        read: rows.len() as u64,
        features: rows,
        labels,
        predicted,
        issues: IssueLog::default(),
    })
}

/// The bias baseline job (see the module documentation).
pub fn suggest_bias(spec: &BiasSuggestSpec) -> Result<BiasSuggestOutcome, RunError> {
    let c = load_config(&spec.analysis_config)?;
    let bias = BiasSpec::from_config(&c)
        .map_err(|e| bias_err(format!("{}: {e}", spec.analysis_config.display())))?;
    let loc = resolve(&spec.input).map_err(RunError::Store)?;
    let name = loc.uri("");
    let rows = match spec.format {
        BiasFormat::Csv => read_csv(
            spec,
            &c,
            &name,
            loc.store.open(&loc.base).map_err(RunError::Store)?,
        )?,
        BiasFormat::Jsonl | BiasFormat::Json => {
            let bytes = loc.store.get(&loc.base).map_err(RunError::Store)?;
            let text =
                String::from_utf8(bytes).map_err(|_| bias_err(format!("{name}: not UTF-8")))?;
            read_json(spec, &c, &name, text, spec.format == BiasFormat::Jsonl)?
        }
    };
    if rows.features.is_empty() {
        return Err(RunError::NoData(format!(
            "{name}: {} rows read, none usable ({} rejected)",
            rows.read,
            rows.issues.total()
        )));
    }
    let predicted = if rows.predicted.is_empty() {
        None
    } else {
        Some(
            Column::from_json(&rows.predicted)
                .map_err(|e| bias_err(format!("predicted labels: {e}")))?,
        )
    };
    let mut bias = bias;
    if predicted.is_none() {
        bias.post_training = None;
    }
    let table = BiasTable::from_feature_rows(
        &rows.names,
        &rows.features,
        Column::from_json(&rows.labels).map_err(|e| bias_err(format!("labels: {e}")))?,
        predicted,
    )
    .map_err(bias_err)?;
    let analysis = analyze(&table, &bias).map_err(bias_err)?;
    let out = resolve(&spec.output).map_err(RunError::Store)?;
    out.put("analysis.json", analysis.to_json_string().as_bytes())
        .map_err(RunError::Store)?;
    Ok(BiasSuggestOutcome {
        analysis,
        rows: rows.read,
        used: rows.features.len() as u64,
        issues: rows.issues,
    })
}
