//! `driftmon baseline suggest`: a baseline from training data, for the chosen monitor type
//! (`--monitor-type`, data quality by default; `--problem-type` alone still selects model
//! quality, as before).

use std::path::PathBuf;

use driftmon_baseline::read::HeaderMode;

use crate::cli::args::mq_options;
use crate::monitors::data_quality::suggest::{self as dq, Format};
use crate::monitors::MonitorType;

#[derive(clap::Subcommand)]
pub(crate) enum BaselineCmd {
    /// Suggest a baseline from a training dataset: statistics.json and constraints.json (data
    /// and model quality), or analysis.json (model bias).
    Suggest(Box<SuggestArgs>),
}

#[derive(clap::Args)]
pub(crate) struct SuggestArgs {
    /// The training dataset (CSV, JSON Lines, Parquet or capture JSONL; model bias: CSV, JSON or
    /// JSON Lines; gzip is fine).
    #[arg(long)]
    input: PathBuf,
    /// The monitor type the baseline is for (default: data-quality, or model-quality when
    /// --problem-type is given).
    #[arg(long, value_enum)]
    monitor_type: Option<MonitorType>,
    /// csv | jsonl | parquet | capture, or for model bias csv | json | jsonl (default: from the
    /// file name).
    #[arg(long)]
    format: Option<String>,
    /// The first CSV row is a header.
    #[arg(long, conflicts_with = "no_header")]
    header: bool,
    /// The CSV has no header (columns are named _c0, _c1, …).
    #[arg(long)]
    no_header: bool,
    /// Folder for statistics.json, constraints.json and baseline_report.json (model bias:
    /// analysis.json).
    #[arg(long)]
    output: PathBuf,
    /// Worker threads for a large local CSV file (0: one per core); the output does not
    /// depend on it.
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Model-quality baseline: BinaryClassification | MulticlassClassification | Regression.
    #[arg(long)]
    problem_type: Option<String>,
    /// Model quality and bias: the predicted label or value column (name or index; bias JSON: a
    /// path, default the config's predicted_label).
    #[arg(long)]
    inference_attribute: Option<String>,
    /// Model quality and bias: the predicted probability column (binary).
    #[arg(long)]
    probability_attribute: Option<String>,
    /// Model quality and bias: probability above which the predicted label is 1.
    #[arg(long)]
    probability_threshold: Option<f64>,
    /// Model quality: the ground-truth label column.
    #[arg(long)]
    ground_truth_attribute: Option<String>,
    /// Model bias: the Clarify analysis_config.json (label, facets, group variable, methods).
    #[arg(long)]
    analysis_config: Option<PathBuf>,
}

/// Runs the command.
pub(crate) fn run(cmd: BaselineCmd) -> anyhow::Result<()> {
    let BaselineCmd::Suggest(a) = cmd;
    if a.monitor_type == Some(MonitorType::ModelBias) {
        return model_bias(&a);
    }
    let format = match a.format.as_deref() {
        Some(f) => Format::parse(f).ok_or_else(|| {
            anyhow::anyhow!("--format {f}: expected csv, jsonl, parquet or capture")
        })?,
        None => Format::from_path(&a.input).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: cannot tell the format from the name; pass --format",
                a.input.display()
            )
        })?,
    };
    let header = if a.header {
        HeaderMode::Present
    } else if a.no_header {
        HeaderMode::Absent
    } else {
        HeaderMode::Auto
    };
    let monitor_type = a.monitor_type.unwrap_or(if a.problem_type.is_some() {
        MonitorType::ModelQuality
    } else {
        MonitorType::DataQuality
    });
    match monitor_type {
        MonitorType::DataQuality => {
            if a.problem_type.is_some() {
                anyhow::bail!("--problem-type belongs to --monitor-type model-quality");
            }
            data_quality(&a, format, header)
        }
        MonitorType::ModelQuality => model_quality(&a, format, header),
        other => anyhow::bail!("{}", other.unavailable()),
    }
}

fn model_bias(a: &SuggestArgs) -> anyhow::Result<()> {
    use crate::monitors::model_bias::suggest::{suggest_bias, BiasFormat, BiasSuggestSpec};
    let config = a.analysis_config.clone().ok_or_else(|| {
        anyhow::anyhow!("--monitor-type model-bias needs --analysis-config analysis_config.json")
    })?;
    let name = a.input.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let format = match a.format.as_deref() {
        Some(f) => BiasFormat::parse(f)
            .ok_or_else(|| anyhow::anyhow!("--format {f}: expected csv, json or jsonl"))?,
        None if name.ends_with(".csv") => BiasFormat::Csv,
        None if name.ends_with(".jsonl") => BiasFormat::Jsonl,
        None if name.ends_with(".json") => BiasFormat::Json,
        None => anyhow::bail!(
            "{}: cannot tell the format from the name; pass --format csv|json|jsonl",
            a.input.display()
        ),
    };
    let o = suggest_bias(&BiasSuggestSpec {
        input: a.input.clone(),
        format,
        header: if a.header {
            HeaderMode::Present
        } else if a.no_header {
            HeaderMode::Absent
        } else {
            HeaderMode::Auto
        },
        analysis_config: config,
        output: a.output.clone(),
        inference_attribute: a.inference_attribute.clone(),
        probability_attribute: a.probability_attribute.clone(),
        probability_threshold: a.probability_threshold,
    })?;
    for (kind, c) in &o.issues.by_kind {
        if let Some(e) = c.examples.first() {
            eprintln!(
                "rejected: {} × {kind}, first at {}: {}",
                c.count, e.location, e.message
            );
        }
    }
    println!(
        "Bias baseline: {} rows read, {} analysed{} -> {}",
        o.rows,
        o.used,
        if o.analysis.post_training.is_some() {
            ", pre- and post-training metrics"
        } else {
            ", pre-training metrics (no predicted label)"
        },
        a.output.join("analysis.json").display()
    );
    Ok(())
}

fn data_quality(a: &SuggestArgs, format: Format, header: HeaderMode) -> anyhow::Result<()> {
    let out = dq::suggest_with_workers(&a.input, format, header, &a.output, a.workers)?;
    for w in dq::warnings(&out.profile) {
        eprintln!("{w}");
    }
    println!(
        "Baseline: {} rows, {} features, {} records rejected -> {}",
        out.summary.rows,
        out.profile.columns.len(),
        out.summary.rejected,
        a.output.display()
    );
    Ok(())
}

fn model_quality(a: &SuggestArgs, format: Format, header: HeaderMode) -> anyhow::Result<()> {
    use crate::monitors::model_quality::{suggest_model_quality, Attribute, SuggestSpec};
    let pt = a
        .problem_type
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--monitor-type model-quality needs --problem-type"))?;
    let gt = a
        .ground_truth_attribute
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--problem-type needs --ground-truth-attribute"))?;
    let o = suggest_model_quality(&SuggestSpec {
        input: a.input.clone(),
        format,
        header,
        output: a.output.clone(),
        options: mq_options(
            pt,
            a.inference_attribute.as_deref(),
            a.probability_attribute.as_deref(),
            a.probability_threshold,
        )?,
        ground_truth_attribute: Attribute::parse(gt),
    })?;
    println!(
        "Model-quality baseline: {} rows, {} samples -> {}",
        o.rows,
        o.samples,
        a.output.display()
    );
    Ok(())
}
