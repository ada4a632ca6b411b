//! `driftmon baseline suggest`: profile a training dataset and write SageMaker's
//! `statistics.json` and `constraints.json`, plus driftmon's `baseline_report.json` (rows read,
//! records rejected with file and line, columns holding values of the wrong type).

use std::path::{Path, PathBuf};

use driftmon_baseline::files::to_jackson;
use driftmon_baseline::profile::{DatasetProfile, InferredType};
use driftmon_baseline::read::{self, HeaderMode, ReadSummary};
use driftmon_baseline::suggest;

/// The format of a training dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// JSON Lines of flat objects.
    Jsonl,
    /// Apache Parquet (needs the `polars` feature).
    Parquet,
    /// SageMaker data-capture JSONL.
    Capture,
}

impl Format {
    /// Parses a `--format` value.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "jsonl" | "jsonlines" | "json" => Some(Format::Jsonl),
            "parquet" => Some(Format::Parquet),
            "capture" => Some(Format::Capture),
            _ => None,
        }
    }

    /// Guesses the format from a file name (`.csv`, `.jsonl`, `.parquet`, optionally `.gz`).
    pub fn from_path(p: &Path) -> Option<Format> {
        let name = p.file_name()?.to_string_lossy().to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".csv") {
            Some(Format::Csv)
        } else if name.ends_with(".jsonl") || name.ends_with(".json") {
            Some(Format::Jsonl)
        } else if name.ends_with(".parquet") {
            Some(Format::Parquet)
        } else {
            None
        }
    }
}

/// An error that makes `baseline suggest` fail as a whole.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    /// The input could not be opened.
    #[error("{path}: cannot open: {err}")]
    Open {
        /// The input.
        path: PathBuf,
        /// Why.
        err: std::io::Error,
    },
    /// The input was unusable as a whole.
    #[error(transparent)]
    Read(#[from] read::ReadError),
    /// The format is not supported by this build.
    #[error("{0}")]
    Unsupported(String),
    /// An output could not be written.
    #[error("{path}: cannot write: {err}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// Why.
        err: std::io::Error,
    },
    /// Serialising the output failed.
    #[error("cannot serialise {0}")]
    Serialise(String),
}

/// What `baseline suggest` did.
#[derive(Debug)]
pub struct SuggestOutcome {
    /// What the reader saw.
    pub summary: ReadSummary,
    /// The profile the files were written from.
    pub profile: DatasetProfile,
}

/// Profiles `input` into a fresh profile. A local CSV file is read in parallel blocks by
/// `workers` threads (0: one per core; see [`read::profile_csv_at`], the result does not depend
/// on the number); other inputs (S3 objects, gzip, JSON Lines, …) are streamed on one thread.
pub fn profile_input(
    input: &Path,
    format: Format,
    header: HeaderMode,
    workers: usize,
) -> Result<(DatasetProfile, ReadSummary), SuggestError> {
    let loc = crate::adapters::store::resolve(input).map_err(|e| SuggestError::Open {
        path: input.to_owned(),
        err: e.into_io(),
    })?;
    let name = loc.uri("");
    let open = || {
        loc.store.open(&loc.base).map_err(|e| SuggestError::Open {
            path: input.to_owned(),
            err: e.into_io(),
        })
    };
    let mut profile = DatasetProfile::default();
    let summary = match format {
        Format::Csv => match local_file(input) {
            Some((f, len)) => read::profile_csv_at(
                &f,
                len,
                &name,
                header,
                read::CsvParallel {
                    workers,
                    ..Default::default()
                },
                &mut profile,
            )?,
            None => read::profile_csv(open()?, &name, header, &mut profile)?,
        },
        Format::Jsonl => read::profile_jsonl(open()?, &name, &mut profile)?,
        Format::Capture => read::profile_capture(open()?, &name, &mut profile)?,
        Format::Parquet => parquet(input, &name, &mut profile)?,
    };
    Ok((profile, summary))
}

/// `input` opened when it is a local regular file (not `s3://`, not a pipe), with its length.
fn local_file(input: &Path) -> Option<(std::fs::File, u64)> {
    if input.to_string_lossy().starts_with("s3://") {
        return None;
    }
    // stat first: opening a FIFO would block (and the stream path opens the input again).
    if !std::fs::metadata(input).ok()?.is_file() {
        return None;
    }
    let f = std::fs::File::open(input).ok()?;
    let meta = f.metadata().ok()?;
    meta.is_file().then_some((f, meta.len()))
}

#[cfg(feature = "polars")]
fn parquet(
    input: &Path,
    name: &str,
    profile: &mut DatasetProfile,
) -> Result<ReadSummary, SuggestError> {
    if input.to_string_lossy().starts_with("s3://") {
        return Err(SuggestError::Unsupported(format!(
            "{name}: Parquet is read with random access; copy the object to a local file first"
        )));
    }
    let f = std::fs::File::open(input).map_err(|err| SuggestError::Open {
        path: input.to_owned(),
        err,
    })?;
    Ok(driftmon_baseline::parquet::profile_parquet(
        f, name, profile,
    )?)
}

#[cfg(not(feature = "polars"))]
fn parquet(
    _input: &Path,
    name: &str,
    _profile: &mut DatasetProfile,
) -> Result<ReadSummary, SuggestError> {
    Err(SuggestError::Unsupported(format!(
        "{name}: this driftmon was built without the `polars` feature, which reads Parquet"
    )))
}

/// `driftmon baseline suggest`: profile, suggest, write the three files atomically.
pub fn suggest(
    input: &Path,
    format: Format,
    header: HeaderMode,
    output: &Path,
) -> Result<SuggestOutcome, SuggestError> {
    suggest_with_workers(input, format, header, output, 0)
}

/// [`suggest`] with a number of worker threads for a local CSV file (0: one per core). The
/// output does not depend on it.
pub fn suggest_with_workers(
    input: &Path,
    format: Format,
    header: HeaderMode,
    output: &Path,
    workers: usize,
) -> Result<SuggestOutcome, SuggestError> {
    let (profile, summary) = profile_input(input, format, header, workers)?;
    let stats = suggest::statistics(&profile);
    let cons = suggest::constraints(&profile);
    let stats_s = to_jackson(&stats).map_err(|e| SuggestError::Serialise(e.to_string()))?;
    let cons_s = to_jackson(&cons).map_err(|e| SuggestError::Serialise(e.to_string()))?;
    let report = baseline_report(input, &summary, &profile);
    let out = crate::adapters::store::resolve(output).map_err(|e| SuggestError::Write {
        path: output.to_owned(),
        err: e.into_io(),
    })?;
    let report_s = serde_json::to_string_pretty(&report)
        .map_err(|e| SuggestError::Serialise(e.to_string()))?;
    for (name, bytes) in [
        ("statistics.json", stats_s.as_bytes()),
        ("constraints.json", cons_s.as_bytes()),
        ("baseline_report.json", report_s.as_bytes()),
    ] {
        out.put(name, bytes).map_err(|e| SuggestError::Write {
            path: PathBuf::from(out.uri(name)),
            err: e.into_io(),
        })?;
    }
    Ok(SuggestOutcome { summary, profile })
}

/// driftmon's own account of a baseline run: what was read, what was rejected and where, and
/// which columns hold values that do not fit their inferred type.
pub fn baseline_report(
    input: &Path,
    summary: &ReadSummary,
    profile: &DatasetProfile,
) -> serde_json::Value {
    use serde_json::json;
    let rejects: Vec<_> = profile
        .rejects
        .samples
        .iter()
        .map(|r| json!({"source": r.location.source, "line": r.location.line, "kind": r.kind, "message": r.message}))
        .collect();
    let mut nonconforming = Vec::new();
    for (name, col) in &profile.columns {
        let t = col.inferred_type();
        if matches!(t, InferredType::Integral | InferredType::Fractional) {
            let bad = col.present() - col.types.numeric();
            if bad > 0 {
                let first = col.first_non_numeric.as_ref();
                nonconforming.push(json!({
                    "feature": name,
                    "inferred_type": t.as_str(),
                    "count": bad,
                    "first_location": first.map(|s| s.location.to_string()),
                    "first_value": first.map(|s| s.value.clone()),
                }));
            }
        }
    }
    json!({
        "input": input.display().to_string(),
        "header": summary.header,
        "records_read": summary.records,
        "rows_profiled": summary.rows,
        "records_rejected": summary.rejected,
        "rejected_by_kind": profile.rejects.by_kind,
        "rejected_examples": rejects,
        "nonconforming_values": nonconforming,
    })
}

/// Human-readable lines describing problems found (printed to stderr by the CLI).
pub fn warnings(profile: &DatasetProfile) -> Vec<String> {
    let mut out = Vec::new();
    if profile.rejects.total > 0 {
        let kinds: Vec<String> = profile
            .rejects
            .by_kind
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        out.push(format!(
            "warning: {} records rejected ({})",
            profile.rejects.total,
            kinds.join(", ")
        ));
        for r in &profile.rejects.samples {
            out.push(format!("  {}: {}: {}", r.location, r.kind, r.message));
        }
    }
    for (name, col) in &profile.columns {
        let t = col.inferred_type();
        if matches!(t, InferredType::Integral | InferredType::Fractional) {
            let bad = col.present() - col.types.numeric();
            if let (true, Some(s)) = (bad > 0, col.first_non_numeric.as_ref()) {
                out.push(format!(
                    "warning: column {name:?} is {} but {bad} values are not numbers (excluded from its statistics); first at {}: {:?}",
                    t.as_str(),
                    s.location,
                    s.value
                ));
            }
        }
    }
    out
}
