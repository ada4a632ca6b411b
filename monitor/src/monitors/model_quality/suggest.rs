//! The model-quality baseline job ([`suggest_model_quality`]): a labelled CSV or JSON Lines
//! dataset in, `statistics.json`, `constraints.json` and `baseline_report.json` out.

use std::borrow::Cow;
use std::io::BufRead;
use std::path::PathBuf;

use driftmon_baseline::files::{to_jackson, Constraints, Statistics};
use driftmon_baseline::read::{maybe_gunzip, HeaderMode, ReadError};
use driftmon_baseline::rows::{for_each_csv_row, CsvEvent};
use driftmon_rules::model_quality::{make_sample, statistics, suggest_constraints, Observations};
use serde_json::{json, Value};

use super::cells::field;
use super::{Attribute, IssueLog, ModelQualityCmdError, ModelQualityOptions};
use crate::adapters::store::{resolve, ObjectReader};
use crate::monitors::data_quality::suggest::Format;

/// What `baseline suggest --problem-type …` reads and where it writes.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestSpec {
    /// The baseline dataset (a file or `s3://bucket/key`; gzip is fine).
    pub input: PathBuf,
    /// [`Format::Csv`] or [`Format::Jsonl`] (JSON Lines of flat objects).
    pub format: Format,
    /// CSV header handling. With [`HeaderMode::Auto`], a header is assumed when any attribute is
    /// a name, else it is detected as for data-quality baselines.
    pub header: HeaderMode,
    /// Output folder (or `s3://` prefix) for `statistics.json`, `constraints.json` and
    /// `baseline_report.json`.
    pub output: PathBuf,
    /// The analyzer parameters.
    pub options: ModelQualityOptions,
    /// `ground_truth_attribute`: the label column.
    pub ground_truth_attribute: Attribute,
}

/// What the baseline job produced.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestOutcome {
    /// `statistics.json` as written.
    pub statistics: Statistics,
    /// `constraints.json` as written.
    pub constraints: Constraints,
    /// `baseline_report.json` as written.
    pub report: Value,
    /// Rows read (excluding the header).
    pub rows: u64,
    /// Rows that became samples.
    pub samples: u64,
    /// What was rejected, by kind.
    pub issues: IssueLog,
}

fn resolve_name(header: &[String], attr: &Attribute, what: &str) -> Result<usize, String> {
    match attr {
        Attribute::Index(i) if *i < header.len() => Ok(*i),
        Attribute::Index(i) => Err(format!(
            "{what} {i} is out of range: the dataset has {} columns",
            header.len()
        )),
        Attribute::Name(n) => header
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| format!("{what} {n:?} is not a column; the header has {header:?}")),
    }
}

/// The baseline job for model quality: reads the dataset, computes the metrics
/// ([`statistics`]), suggests constraints ([`suggest_constraints`]) and writes both plus
/// `baseline_report.json`. Bad rows are counted with their line; only an unusable input as a
/// whole (or no usable row) is an error.
pub fn suggest_model_quality(spec: &SuggestSpec) -> Result<SuggestOutcome, ModelQualityCmdError> {
    spec.options.validate()?;
    let loc = resolve(&spec.input)?;
    let name = loc.uri("");
    let reader = loc.store.open(&loc.base)?;
    let mut c = Collector::new(spec);
    let header = match spec.format {
        Format::Csv => read_csv(reader, &name, spec, &mut c)?,
        Format::Jsonl => {
            read_jsonl(reader, &name, &mut c)?;
            None
        }
        Format::Parquet | Format::Capture => {
            return Err(ModelQualityCmdError::Config(
                "model-quality baselines read CSV or JSON Lines datasets".into(),
            ))
        }
    };
    if c.obs.is_empty() {
        let first = c
            .issues
            .by_kind
            .iter()
            .find_map(|(k, c)| {
                c.examples
                    .first()
                    .map(|e| format!("{}: {k}: {}", e.location, e.message))
            })
            .unwrap_or_default();
        return Err(ModelQualityCmdError::NoData(format!(
            "{name}: {} rows read, {} rejected; first: {first}",
            c.rows,
            c.issues.total()
        )));
    }
    write_baseline(spec, name, header, c)
}

/// The rows read so far: samples, issues and the row count.
struct Collector<'s> {
    spec: &'s SuggestSpec,
    /// The inference, probability and ground-truth attributes, in that order.
    attrs: [Option<&'s Attribute>; 3],
    threshold: f64,
    obs: Observations,
    issues: IssueLog,
    rows: u64,
}

impl<'s> Collector<'s> {
    fn new(spec: &'s SuggestSpec) -> Self {
        let opts = &spec.options;
        Collector {
            spec,
            attrs: [
                opts.inference_attribute.as_ref(),
                opts.probability_attribute.as_ref(),
                Some(&spec.ground_truth_attribute),
            ],
            threshold: opts.threshold(),
            obs: Observations::new(opts.problem_type),
            issues: IssueLog::default(),
            rows: 0,
        }
    }

    /// One row's (prediction, probability, label) texts: a sample, or an issue at `location`.
    fn add(&mut self, values: [Option<Cow<'_, str>>; 3], location: &dyn Fn() -> String) {
        let [p, q, l] = &values;
        let s = make_sample(
            self.spec.options.problem_type,
            self.threshold,
            field(self.attrs[0].is_some(), p),
            field(self.attrs[1].is_some(), q),
            field(true, l),
        );
        match s {
            Ok(s) => {
                // Same problem type by construction.
                let _ = self.obs.push(s);
            }
            Err(e) => self.issues.add(e.kind(), location, || e.to_string()),
        }
    }
}

/// The column of each configured attribute, by the header's names (or indexes).
fn columns_of_header(
    header: &[String],
    attrs: &[Option<&Attribute>; 3],
    config_error: &mut Option<String>,
) -> [Option<usize>; 3] {
    let mut out = [None; 3];
    for (slot, (attr, what)) in out.iter_mut().zip(attrs.iter().zip([
        "inference attribute",
        "probability attribute",
        "ground truth attribute",
    ])) {
        if let Some(a) = attr {
            match resolve_name(header, a, what) {
                Ok(i) => *slot = Some(i),
                Err(e) => {
                    config_error.get_or_insert(e);
                }
            }
        }
    }
    out
}

/// The column of each configured attribute in a CSV without a header: indexes only.
fn columns_without_header(
    attrs: &[Option<&Attribute>; 3],
    config_error: &mut Option<String>,
) -> [Option<usize>; 3] {
    let mut out = [None; 3];
    for (slot, attr) in out.iter_mut().zip(attrs) {
        match attr {
            Some(Attribute::Index(i)) => *slot = Some(*i),
            Some(Attribute::Name(n)) => {
                config_error.get_or_insert(format!(
                    "attribute {n:?} is a name but the CSV has no header"
                ));
            }
            None => {}
        }
    }
    out
}

/// Reads a CSV dataset into `c`; returns its header, if it has one.
fn read_csv(
    reader: ObjectReader,
    name: &str,
    spec: &SuggestSpec,
    c: &mut Collector<'_>,
) -> Result<Option<Vec<String>>, ModelQualityCmdError> {
    let attrs = c.attrs;
    let named = attrs
        .iter()
        .flatten()
        .any(|a| matches!(a, Attribute::Name(_)));
    let mode = match spec.header {
        HeaderMode::Auto if named => HeaderMode::Present,
        m => m,
    };
    let mut cols: Option<[Option<usize>; 3]> = None;
    let mut config_error: Option<String> = None;
    let summary = for_each_csv_row(reader, name, mode, |ev| match ev {
        CsvEvent::Header(h) => cols = Some(columns_of_header(h, &attrs, &mut config_error)),
        CsvEvent::Row { line, fields } => {
            c.rows += 1;
            if config_error.is_some() {
                return;
            }
            let idx =
                *cols.get_or_insert_with(|| columns_without_header(&attrs, &mut config_error));
            let get = |i: Option<usize>| {
                i.and_then(|i| fields.get(i))
                    .filter(|s| !s.is_empty())
                    .map(|s| Cow::Borrowed(*s))
            };
            let values = [get(idx[0]), get(idx[1]), get(idx[2])];
            c.add(values, &|| format!("{name}:{line}"));
        }
        CsvEvent::Reject {
            line,
            kind,
            message,
        } => c
            .issues
            .add(kind, || format!("{name}:{line}"), || message.to_owned()),
    })?;
    if let Some(e) = config_error {
        return Err(ModelQualityCmdError::Config(format!("{name}: {e}")));
    }
    Ok(summary.header)
}

/// Reads a JSON Lines dataset of flat objects into `c`.
fn read_jsonl(
    reader: ObjectReader,
    name: &str,
    c: &mut Collector<'_>,
) -> Result<(), ModelQualityCmdError> {
    let io = |err| ReadError::Io {
        source_name: name.to_owned(),
        err,
    };
    let mut r = maybe_gunzip(reader).map_err(io)?;
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(io)? == 0 {
            break;
        }
        line += 1;
        if buf.trim_ascii().is_empty() {
            continue;
        }
        c.rows += 1;
        let here = || format!("{name}:{line}");
        let v: Value = match serde_json::from_slice(buf.trim_ascii()) {
            Ok(v) => v,
            Err(e) => {
                c.issues.add("malformed_json", here, || e.to_string());
                continue;
            }
        };
        let Value::Object(obj) = v else {
            c.issues.add("not_an_object", here, || {
                "each line must be a flat JSON object".to_owned()
            });
            continue;
        };
        let attrs = c.attrs;
        match (
            object_value(&obj, attrs[0]),
            object_value(&obj, attrs[1]),
            object_value(&obj, attrs[2]),
        ) {
            (Ok(p), Ok(q), Ok(l)) => c.add([p, q, l], &here),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                c.issues.add("nested_json", here, || e)
            }
        }
    }
    if c.rows == 0 {
        return Err(ReadError::Empty {
            source_name: name.to_owned(),
            detail: String::new(),
        }
        .into());
    }
    Ok(())
}

/// The text at `a` in a flat JSON object (`None` when absent or null).
fn object_value<'o>(
    obj: &'o serde_json::Map<String, Value>,
    a: Option<&Attribute>,
) -> Result<Option<Cow<'o, str>>, String> {
    let Some(a) = a else { return Ok(None) };
    let v = match a {
        Attribute::Name(n) => obj.get(n),
        Attribute::Index(i) => obj.values().nth(*i),
    };
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(Cow::Borrowed(s.as_str()))),
        Some(Value::Number(n)) => Ok(Some(Cow::Owned(n.to_string()))),
        Some(Value::Bool(b)) => Ok(Some(Cow::Owned(b.to_string()))),
        Some(_) => Err(format!("attribute {a} holds a nested value")),
    }
}

/// Computes the statistics and constraints of the samples and writes them with
/// `baseline_report.json`.
fn write_baseline(
    spec: &SuggestSpec,
    name: String,
    header: Option<Vec<String>>,
    c: Collector<'_>,
) -> Result<SuggestOutcome, ModelQualityCmdError> {
    let opts = &spec.options;
    let stats = statistics(&c.obs, &opts.std_dev)?;
    let cons = suggest_constraints(&stats, opts.problem_type)?;
    let report = json!({
        "analysis_type": "MODEL_QUALITY",
        "input": name,
        "header": header,
        "options": opts.to_json(),
        "ground_truth_attribute": spec.ground_truth_attribute.to_string(),
        "rows_read": c.rows,
        "samples": c.obs.len(),
        "rows_rejected": c.issues.total(),
        "rejected_by_kind": c.issues.to_json(),
    });
    let out = resolve(&spec.output)?;
    let ser =
        |e: driftmon_baseline::files::FilesError| ModelQualityCmdError::Serialise(e.to_string());
    let report_s = serde_json::to_string_pretty(&report)
        .map_err(|e| ModelQualityCmdError::Serialise(e.to_string()))?;
    out.put(
        "statistics.json",
        to_jackson(&stats).map_err(ser)?.as_bytes(),
    )?;
    out.put(
        "constraints.json",
        to_jackson(&cons).map_err(ser)?.as_bytes(),
    )?;
    out.put("baseline_report.json", report_s.as_bytes())?;
    Ok(SuggestOutcome {
        statistics: stats,
        constraints: cons,
        report,
        rows: c.rows,
        samples: c.obs.len() as u64,
        issues: c.issues,
    })
}
