//! `driftmon run`: one monitoring execution over a window of data capture (or, with
//! `--shard I/N`, the profiling of one part of it for `driftmon merge`).

use std::path::PathBuf;

use driftmon_baseline::capture::{ExtractConfig, JsonPath};

use crate::adapters::metrics::{Fanout, JsonLinesSink, MetricsSink, MetricsTarget};
use crate::cli::args::{drift_config, mq_options, time_flag, DriftArgs};
use crate::job::{run_once, Job};
use crate::monitors::data_quality::{RunExtras, RunSpec};
use crate::monitors::model_quality::ModelQuality;
use crate::monitors::MonitorType;

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Capture root (SageMaker layout: <capture>/<endpoint>/<variant>/YYYY/MM/DD/HH/*.jsonl).
    #[arg(long)]
    capture: PathBuf,
    /// Endpoint name.
    #[arg(long)]
    endpoint: String,
    /// Variant (default: every variant found).
    #[arg(long)]
    variant: Option<String>,
    /// The monitor type (default: data-quality; with --ground-truth it adds model quality).
    #[arg(long, value_enum)]
    monitor_type: Option<MonitorType>,
    /// Folder with the baseline's statistics.json and constraints.json (for model-quality
    /// alone: the model-quality baseline, as --model-quality-baseline; for model-bias: the
    /// baseline analysis.json, or its folder).
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Output folder (constraint_violations.json, statistics.json, drift_report.json; model
    /// bias: analysis.json, report.html, and constraint_violations.json with violations).
    #[arg(long)]
    output: PathBuf,
    /// Window start, RFC 3339 (inclusive).
    #[arg(long)]
    start: String,
    /// Window end, RFC 3339 (exclusive).
    #[arg(long)]
    end: String,
    #[command(flatten)]
    drift: DriftArgs,
    /// JSON path selecting input rows of JSON payloads (e.g. instances[*].features; for model
    /// bias the features attribute, default the analysis config's `features`).
    #[arg(long)]
    input_path: Option<String>,
    /// JSON path selecting output rows of JSON payloads (e.g. predictions[*].score).
    #[arg(long)]
    output_path: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Publish the run's metrics to CloudWatch (SageMaker's names plus driftmon's own).
    #[arg(long)]
    publish_metrics: bool,
    /// Monitoring schedule name: the `MonitoringSchedule` dimension of the metrics.
    #[arg(long)]
    schedule: Option<String>,
    /// Also write the metrics as JSON lines to this local file (replaced on every run).
    #[arg(long)]
    metrics_file: Option<PathBuf>,
    /// Ground-truth root (`<dir>/YYYY/MM/DD/HH/*.jsonl`): adds model quality to the run (and
    /// is what model bias joins the capture with).
    #[arg(long)]
    ground_truth: Option<PathBuf>,
    /// BinaryClassification | MulticlassClassification | Regression (with --ground-truth).
    #[arg(long)]
    problem_type: Option<String>,
    /// Predicted label or value: a captured column index (output columns first), or a key of
    /// JSON rows that are flat objects (CSV capture has no column names); for model bias a
    /// JSON path in the output (e.g. predictions[*].predicted_label) or a CSV column index.
    #[arg(long)]
    inference_attribute: Option<String>,
    /// Predicted probability (binary): a captured column index, or a key of flat JSON rows (model
    /// bias: a JSON path or a CSV column, thresholded into the predicted label).
    #[arg(long)]
    probability_attribute: Option<String>,
    /// Probability above which the predicted label is 1 (model bias default: the analysis
    /// config's probability_threshold, else 0.5).
    #[arg(long)]
    probability_threshold: Option<f64>,
    /// Model-quality baseline folder (its constraints.json); default: none (metrics only).
    #[arg(long)]
    model_quality_baseline: Option<PathBuf>,
    /// Labels window start (default: --start).
    #[arg(long)]
    ground_truth_start: Option<String>,
    /// Labels window end (default: --end plus 48 hours, for labels that arrive late).
    #[arg(long)]
    ground_truth_end: Option<String>,
    /// Earlier runs' output folders, oldest first, for the report's history sparklines.
    #[arg(long, num_args = 1..)]
    history: Vec<PathBuf>,
    /// Profile only shard I of N (I/N, 0-based): the objects of the window's sorted listing in
    /// [I*len/N, (I+1)*len/N); writes partial-I-of-N.json to --partial-output, no outputs.
    #[arg(long, requires = "partial_output")]
    shard: Option<String>,
    /// Where `--shard` writes its partial (folder or s3:// prefix), for `driftmon merge`.
    #[arg(long, requires = "shard")]
    partial_output: Option<PathBuf>,
    /// Model bias: the Clarify analysis_config.json (label, facets, group variable).
    #[arg(long)]
    analysis_config: Option<PathBuf>,
    /// Model bias: point (|current| > |baseline|) or bootstrap (the default: a normal bootstrap
    /// interval disjoint from [-|baseline|, |baseline|]).
    #[arg(long, default_value = "bootstrap")]
    decision_mode: String,
    /// Model bias: bootstrap resamples.
    #[arg(long, default_value_t = 200)]
    bootstrap_resamples: usize,
    /// Model bias: the bootstrap's seed (the decision is deterministic for a given seed).
    #[arg(long, default_value_t = 0)]
    bootstrap_seed: u64,
}

fn mq_run_spec(
    a: &RunArgs,
    spec: &RunSpec,
) -> anyhow::Result<Option<crate::monitors::model_quality::ModelQualityRunSpec>> {
    let Some(gt) = &a.ground_truth else {
        return Ok(None);
    };
    let pt = a
        .problem_type
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("--ground-truth needs --problem-type"))?;
    let opts = mq_options(
        pt,
        a.inference_attribute.as_deref(),
        a.probability_attribute.as_deref(),
        a.probability_threshold,
    )?;
    let t = |s: &Option<String>, what: &str, default: i64| match s {
        Some(s) => time_flag(s, what),
        None => Ok(default),
    };
    let gs = t(&a.ground_truth_start, "ground-truth-start", spec.start_ms)?;
    let ge = t(
        &a.ground_truth_end,
        "ground-truth-end",
        spec.end_ms + 48 * 3_600_000,
    )?;
    let mut m = crate::monitors::model_quality::ModelQualityRunSpec::new(
        spec.capture.clone(),
        spec.endpoint.clone(),
        (spec.start_ms, spec.end_ms),
        gt.clone(),
        (gs, ge),
        opts,
    );
    m.variant = spec.variant.clone();
    m.baseline = a.model_quality_baseline.clone();
    Ok(Some(m))
}

/// `driftmon run --shard I/N --partial-output <loc>`.
fn run_shard(a: &RunArgs, shard: &str, partial_output: &std::path::Path) -> anyhow::Result<()> {
    use crate::job::shard::{run_shard, Shard};
    let shard = Shard::parse(shard)
        .ok_or_else(|| anyhow::anyhow!("--shard {shard:?}: expected I/N with 0 <= I < N"))?;
    if a.publish_metrics || a.metrics_file.is_some() || a.ground_truth.is_some() {
        anyhow::bail!(
            "--shard: metrics and model quality belong to `driftmon merge`, not to a shard"
        );
    }
    if a.baseline.is_none() {
        anyhow::bail!("--shard: --baseline <folder> is required (the data-quality baseline)");
    }
    let spec = run_spec(a)?;
    let (p, uri) = run_shard(&spec, shard, partial_output)?;
    eprintln!(
        "Partial: shard {}/{}, objects {}..{} of {}, {} records read -> {uri}",
        p.shard, p.shards, p.range.0, p.range.1, p.window.objects, p.window.profile.records_read
    );
    println!("Partial");
    Ok(())
}

fn run_spec(a: &RunArgs) -> anyhow::Result<RunSpec> {
    let t = time_flag;
    let path = |p: &Option<String>| -> anyhow::Result<Option<JsonPath>> {
        p.as_deref()
            .map(|s| JsonPath::parse(s).map_err(|e| anyhow::anyhow!("{e}")))
            .transpose()
    };
    let drift = drift_config(&a.drift)?;
    Ok(RunSpec {
        start_ms: t(&a.start, "start")?,
        end_ms: t(&a.end, "end")?,
        extract: ExtractConfig {
            input_path: path(&a.input_path)?,
            output_path: path(&a.output_path)?,
            ..ExtractConfig::default()
        },
        capture: a.capture.clone(),
        endpoint: a.endpoint.clone(),
        variant: a.variant.clone(),
        baseline: a.baseline.clone().unwrap_or_default(),
        output: a.output.clone(),
        drift,
        workers: a.workers,
    })
}

/// The sinks `driftmon run` publishes to, from its flags.
fn metrics_sinks(a: &RunArgs) -> anyhow::Result<Option<(Fanout, String)>> {
    if !a.publish_metrics && a.metrics_file.is_none() {
        return Ok(None);
    }
    let schedule = a.schedule.clone().ok_or_else(|| {
        anyhow::anyhow!("--publish-metrics / --metrics-file need --schedule <name> (the MonitoringSchedule dimension)")
    })?;
    let mut sinks: Vec<Box<dyn MetricsSink>> = Vec::new();
    if let Some(p) = &a.metrics_file {
        sinks.push(Box::new(JsonLinesSink::new(p)));
    }
    if a.publish_metrics {
        sinks.push(crate::wiring::cloudwatch_sink()?);
    }
    Ok(Some((Fanout(sinks), schedule)))
}

/// Runs the command.
pub(crate) fn run(a: &RunArgs) -> anyhow::Result<()> {
    if let (Some(shard), Some(out)) = (a.shard.as_deref(), a.partial_output.as_deref()) {
        return run_shard(a, shard, out).inspect_err(|e| println!("Failed: {e:#}"));
    }
    let prepared = metrics_sinks(a).and_then(|m| Ok((m, job_of(a)?)));
    let (sinks, job) = match prepared {
        Ok(s) => s,
        Err(e) => {
            println!("Failed: {e:#}");
            return Err(e);
        }
    };
    let target = sinks.as_ref().map(|(sink, schedule)| MetricsTarget {
        sink,
        schedule: schedule.as_str(),
    });
    match run_once(&job, target.as_ref()) {
        Ok((o, published)) => {
            if let (Some(p), Some((sink, _))) = (published, &sinks) {
                eprintln!(
                    "Metrics: {} points in {} requests -> {}{}",
                    p.points,
                    p.requests,
                    sink.name(),
                    if p.dropped_non_finite + p.dropped_invalid.len() > 0 {
                        format!(
                            " ({} dropped as NaN/infinite, {} invalid)",
                            p.dropped_non_finite,
                            p.dropped_invalid.len()
                        )
                    } else {
                        String::new()
                    }
                );
                for w in &p.dropped_invalid {
                    eprintln!("warning: metric not published: {w}");
                }
            }
            eprintln!("{}", o.message);
            println!("{}", o.status.as_str());
            Ok(())
        }
        Err(e) => {
            println!("Failed: {e}");
            Err(e.into())
        }
    }
}

/// The job of the flags: data quality (plus model quality with `--ground-truth`), or model
/// quality alone with `--monitor-type model-quality`.
fn job_of(a: &RunArgs) -> anyhow::Result<Job> {
    let spec = run_spec(a)?;
    match a.monitor_type.unwrap_or(MonitorType::DataQuality) {
        MonitorType::DataQuality => {
            if a.baseline.is_none() {
                anyhow::bail!("--baseline <folder> is required (the data-quality baseline)");
            }
            let extras = RunExtras {
                model_quality: mq_run_spec(a, &spec)?,
                history: a.history.clone(),
            };
            Ok(Job::from_spec(&spec, &extras))
        }
        MonitorType::ModelQuality => {
            let mut mq = mq_run_spec(a, &spec)?.ok_or_else(|| {
                anyhow::anyhow!("--monitor-type model-quality needs --ground-truth <folder>")
            })?;
            if mq.baseline.is_none() {
                mq.baseline = a.baseline.clone();
            }
            Ok(Job {
                window: spec.window(),
                output: spec.output.clone(),
                monitors: vec![Box::new(ModelQuality { spec: mq })],
                history: a.history.clone(),
            })
        }
        MonitorType::ModelBias => Ok(Job {
            window: spec.window(),
            output: spec.output.clone(),
            monitors: vec![Box::new(crate::monitors::model_bias::ModelBias {
                spec: bias_spec(a, &spec)?,
            })],
            history: Vec::new(),
        }),
        other => anyhow::bail!("{}", other.unavailable()),
    }
}

/// The bias monitor's settings from the flags.
fn bias_spec(
    a: &RunArgs,
    spec: &RunSpec,
) -> anyhow::Result<crate::monitors::model_bias::ModelBiasSpec> {
    use crate::monitors::model_bias::{parse_decision_mode, ModelBiasSpec};
    let need = |what: &str| anyhow::anyhow!("--monitor-type model-bias needs {what}");
    let t = |s: &Option<String>, what: &str, default: i64| match s {
        Some(s) => time_flag(s, what),
        None => Ok(default),
    };
    let mode = parse_decision_mode(&a.decision_mode).ok_or_else(|| {
        anyhow::anyhow!(
            "--decision-mode {}: expected point or bootstrap",
            a.decision_mode
        )
    })?;
    let drift = driftmon_rules::bias::DriftParams {
        mode,
        resamples: a.bootstrap_resamples,
        seed: a.bootstrap_seed,
        ..driftmon_rules::bias::DriftParams::default()
    };
    if mode == driftmon_rules::bias::DecisionMode::Bootstrap && drift.resamples < 2 {
        anyhow::bail!("--bootstrap-resamples must be at least 2");
    }
    Ok(ModelBiasSpec {
        analysis_config: a
            .analysis_config
            .clone()
            .ok_or_else(|| need("--analysis-config analysis_config.json"))?,
        baseline: a.baseline.clone(),
        ground_truth: a
            .ground_truth
            .clone()
            .ok_or_else(|| need("--ground-truth <folder>"))?,
        ground_truth_start_ms: t(&a.ground_truth_start, "ground-truth-start", spec.start_ms)?,
        ground_truth_end_ms: t(
            &a.ground_truth_end,
            "ground-truth-end",
            spec.end_ms + 48 * 3_600_000,
        )?,
        features_attribute: spec.extract.input_path.clone(),
        inference_attribute: a.inference_attribute.clone(),
        probability_attribute: a.probability_attribute.clone(),
        probability_threshold: a.probability_threshold,
        drift,
    })
}
