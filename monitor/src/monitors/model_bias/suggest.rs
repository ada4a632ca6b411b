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
use driftmon_rules::bias::table::Column;
use driftmon_rules::bias::{analyze, BiasAnalysis, BiasSpec, BiasTable};
use driftmon_rules::clarify::AnalysisConfig;
use serde_json::Value;

use super::window::{row_values, text_value, threshold_label, Locator};
use super::{bias_err, load_config};
use crate::adapters::store::resolve;
use crate::monitors::model_quality::{Attribute, IssueLog};
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

/// The dataset as columns of JSON values.
struct Rows {
    names: Vec<String>,
    features: Vec<Vec<Value>>,
    labels: Vec<Value>,
    predicted: Vec<Value>,
    read: u64,
    issues: IssueLog,
}

/// Where the predicted label comes from: `--inference-attribute`, else the config's
/// `predicted_label`; or a thresholded `--probability-attribute`.
fn prediction_keys(spec: &BiasSuggestSpec, c: &AnalysisConfig) -> (Option<String>, Option<String>) {
    let predicted = spec
        .inference_attribute
        .clone()
        .or_else(|| c.predicted_label.as_ref().map(|k| k.to_string()));
    (predicted, spec.probability_attribute.clone())
}

fn threshold_of(spec: &BiasSuggestSpec, c: &AnalysisConfig) -> f64 {
    spec.probability_threshold
        .unwrap_or_else(|| c.probability_threshold_or_default())
}

/// The columns of a CSV dataset, found once from its header (or the config's `headers`).
struct CsvLayout {
    width: usize,
    label: usize,
    predicted: Option<usize>,
    probability: Option<usize>,
    features: Vec<usize>,
}

impl CsvLayout {
    /// `names` are every column's; a key is a column index or a name.
    fn new(
        names: &[String],
        spec: &BiasSuggestSpec,
        c: &AnalysisConfig,
    ) -> Result<CsvLayout, String> {
        let position = |k: &str| match Attribute::parse(k) {
            Attribute::Index(i) => (i < names.len()).then_some(i),
            Attribute::Name(n) => names.iter().position(|x| *x == n),
        };
        let find = |k: Option<String>, what: &str| {
            k.map(|k| {
                position(&k).ok_or_else(|| format!("{what} {k:?} is not a column of {names:?}"))
            })
            .transpose()
        };
        let label = find(c.label.as_ref().map(|k| k.to_string()), "label")?
            .ok_or_else(|| "the config has no `label`".to_owned())?;
        let (p, q) = prediction_keys(spec, c);
        let predicted = find(p, "predicted label")?;
        let probability = find(q, "probability")?;
        let excluded: Vec<Option<usize>> = c
            .excluded_columns
            .iter()
            .map(|k| position(&k.to_string()))
            .collect();
        let features = (0..names.len())
            .filter(|i| {
                ![Some(label), predicted, probability].contains(&Some(*i))
                    && !excluded.contains(&Some(*i))
            })
            .collect();
        Ok(CsvLayout {
            width: names.len(),
            label,
            predicted,
            probability,
            features,
        })
    }

    /// One data row into `out`, or an issue at `here`.
    fn row(&self, fields: &[&str], threshold: f64, out: &mut Rows, here: &dyn Fn() -> String) {
        if fields.len() != self.width {
            let (got, want) = (fields.len(), self.width);
            return out.issues.add("ragged_row", here, || {
                format!("{got} fields, the header has {want}")
            });
        }
        if fields[self.label].trim().is_empty() {
            return out
                .issues
                .add("missing_label", here, || "the label is empty".into());
        }
        let pred = match (self.predicted, self.probability) {
            (Some(p), _) => Some(text_value(fields[p])),
            (None, Some(q)) => match threshold_label(&text_value(fields[q]), threshold) {
                Ok(v) => Some(v),
                Err(e) => return out.issues.add("invalid_probability", here, || e),
            },
            (None, None) => None,
        };
        out.features.push(
            self.features
                .iter()
                .map(|i| text_value(fields[*i]))
                .collect(),
        );
        out.labels.push(text_value(fields[self.label]));
        out.predicted.extend(pred);
    }
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
    let threshold = threshold_of(spec, c);
    let mut names: Option<Vec<String>> = c.headers.clone();
    let mut layout: Option<Result<CsvLayout, String>> = None;
    let mut out = Rows {
        names: Vec::new(),
        features: Vec::new(),
        labels: Vec::new(),
        predicted: Vec::new(),
        read: 0,
        issues: IssueLog::default(),
    };
    for_each_csv_row(reader, name, mode, |ev| match ev {
        CsvEvent::Header(h) => {
            names.get_or_insert_with(|| h.to_vec());
        }
        CsvEvent::Row { line, fields } => {
            out.read += 1;
            let layout = layout.get_or_insert_with(|| {
                let all = names
                    .clone()
                    .unwrap_or_else(|| (0..fields.len()).map(|i| format!("column_{i}")).collect());
                let l = CsvLayout::new(&all, spec, c)?;
                out.names = l.features.iter().map(|i| all[*i].clone()).collect();
                Ok(l)
            });
            if let Ok(l) = layout {
                l.row(fields, threshold, &mut out, &|| format!("{name}:{line}"));
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
    if let Some(Err(e)) = layout {
        return Err(bias_err(format!("{name}: {e}")));
    }
    Ok(out)
}

/// JSON or JSON Lines: the config's paths applied to the document (or to each line), as the
/// monitor applies them to a payload.
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
    let err = |what: &str, e: String| bias_err(format!("{name}: {what}: {e}"));
    let features = JsonPath::parse(
        c.features
            .as_deref()
            .ok_or_else(|| bias_err("a JSON dataset needs the config's `features` path"))?,
    )
    .map_err(|e| err("features", e.to_string()))?;
    let rows: Vec<Vec<Value>> = event_rows(&ev, Part::Input, Some(&features))
        .map_err(|e| err("features", e.to_string()))?
        .iter()
        .map(row_values)
        .collect();
    let values = |what: &str, key: &str| {
        Locator::parse(key)
            .and_then(|l| l.values(&ev, Part::Input))
            .map_err(|e| err(what, e))
    };
    let label = c
        .label
        .as_ref()
        .ok_or_else(|| bias_err("the config has no `label`"))?;
    let labels = values("label", &label.to_string())?;
    let threshold = threshold_of(spec, c);
    let predicted = match prediction_keys(spec, c) {
        (Some(p), _) => values("predicted label", &p)?,
        (None, Some(q)) => values("probability", &q)?
            .iter()
            .map(|v| threshold_label(v, threshold).map_err(|e| err("probability", e)))
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
