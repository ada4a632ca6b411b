//! The `driftmon` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use driftmon_baseline::capture::{parse_timestamp_ms, ExtractConfig, JsonPath};
use driftmon_baseline::read::HeaderMode;
use driftmon_monitor::baseline_cmd::{self, Format};
use driftmon_monitor::metrics::{Fanout, JsonLinesSink, MetricsSink, MetricsTarget};
use driftmon_monitor::run::{run_once_full, RunExtras, RunSpec};
use driftmon_rules::config::{Correction, DriftConfig};

#[derive(Parser)]
#[command(
    name = "driftmon",
    version,
    about = "Model and data drift monitor, SageMaker Model Monitor compatible"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// One monitoring execution over a window of data capture.
    Run(Box<RunArgs>),
    /// Merge the partials of `driftmon run --shard I/N` and evaluate them like `driftmon run`.
    Merge(Box<MergeArgs>),
    /// Generate a demo endpoint with drift, baseline it and run every hour (no AWS needed).
    Demo {
        /// Where to write the demo (default: ./driftmon-demo).
        #[arg(long, default_value = "driftmon-demo")]
        dir: PathBuf,
    },
    /// List every rule with its formula, defaults and reference.
    Rules,
    /// Baseline jobs.
    Baseline {
        #[command(subcommand)]
        cmd: BaselineCmd,
    },
    /// Generate a CloudWatch dashboard and alarms for an endpoint (from the metric catalog).
    Dashboards(Box<DashboardArgs>),
    /// Run every monitor of a configuration on its schedule, and act on violations.
    Serve(Box<ServeCli>),
    /// Check a `driftmon serve` configuration; exits non-zero with the list of problems.
    Validate {
        /// The configuration file (TOML).
        #[arg(long)]
        config: PathBuf,
    },
}

#[derive(clap::Args)]
struct ServeCli {
    /// The configuration file (TOML; see driftmon.example.toml).
    #[arg(long)]
    config: PathBuf,
    /// Overrides `[server] listen` (e.g. 127.0.0.1:0 for any free port).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Replay: a simulated clock starting at this time (RFC 3339) instead of the wall clock.
    #[arg(long)]
    clock_start: Option<String>,
    /// Replay: how many times faster than real time the simulated clock runs.
    #[arg(long, default_value_t = 1.0)]
    clock_speed: f64,
    /// Stop once the clock passes this time (RFC 3339) and the windows due by then are done.
    #[arg(long)]
    until: Option<String>,
    /// Publish each run's metrics to CloudWatch (SageMaker's names).
    #[arg(long)]
    publish_metrics: bool,
    /// Human-readable logs instead of JSON lines.
    #[arg(long)]
    text_logs: bool,
}

/// The drift thresholds (`driftmon run` and `driftmon merge`).
#[derive(clap::Args)]
struct DriftArgs {
    /// PSI threshold (effect size).
    #[arg(long, default_value_t = DriftConfig::default().psi_threshold)]
    psi_threshold: f64,
    /// KS statistic threshold (effect size).
    #[arg(long, default_value_t = DriftConfig::default().ks_threshold)]
    ks_threshold: f64,
    /// Cramér's V threshold for the chi-square test (effect size).
    #[arg(long, default_value_t = DriftConfig::default().cramers_v_threshold)]
    cramers_v_threshold: f64,
    /// Significance level after the correction.
    #[arg(long, default_value_t = DriftConfig::default().alpha)]
    alpha: f64,
    /// Correction across features: none, bonferroni, bh.
    #[arg(long, default_value = "bh")]
    correction: String,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// Folder or s3:// prefix holding partial-I-of-N.json from `driftmon run --shard`.
    #[arg(long)]
    partials: PathBuf,
    /// Endpoint name (must match the partials).
    #[arg(long)]
    endpoint: String,
    /// Variant (must match the partials' --variant).
    #[arg(long)]
    variant: Option<String>,
    /// Folder with the baseline's statistics.json and constraints.json.
    #[arg(long)]
    baseline: PathBuf,
    /// Output folder (constraint_violations.json, statistics.json, drift_report.json).
    #[arg(long)]
    output: PathBuf,
    /// Window start, RFC 3339 (inclusive; must match the partials).
    #[arg(long)]
    start: String,
    /// Window end, RFC 3339 (exclusive; must match the partials).
    #[arg(long)]
    end: String,
    #[command(flatten)]
    drift: DriftArgs,
    /// Earlier runs' output folders, oldest first, for the report's history sparklines.
    #[arg(long, num_args = 1..)]
    history: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Capture root (SageMaker layout: <capture>/<endpoint>/<variant>/YYYY/MM/DD/HH/*.jsonl).
    #[arg(long)]
    capture: PathBuf,
    /// Endpoint name.
    #[arg(long)]
    endpoint: String,
    /// Variant (default: every variant found).
    #[arg(long)]
    variant: Option<String>,
    /// Folder with the baseline's statistics.json and constraints.json.
    #[arg(long)]
    baseline: PathBuf,
    /// Output folder (constraint_violations.json, statistics.json, drift_report.json).
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
    /// JSON path selecting input rows of JSON payloads (e.g. instances[*].features).
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
    /// Ground-truth root (`<dir>/YYYY/MM/DD/HH/*.jsonl`): adds model quality to the run.
    #[arg(long)]
    ground_truth: Option<PathBuf>,
    /// BinaryClassification | MulticlassClassification | Regression (with --ground-truth).
    #[arg(long)]
    problem_type: Option<String>,
    /// Predicted label or value: a captured column index (output columns first) or name.
    #[arg(long)]
    inference_attribute: Option<String>,
    /// Predicted probability (binary): a captured column index or name.
    #[arg(long)]
    probability_attribute: Option<String>,
    /// Probability above which the predicted label is 1.
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
}

#[derive(clap::Args)]
struct DashboardArgs {
    /// Endpoint name.
    #[arg(long)]
    endpoint: String,
    /// Data-quality monitoring schedule name.
    #[arg(long)]
    schedule: String,
    /// Features (comma-separated); see also --baseline.
    #[arg(long, value_delimiter = ',')]
    features: Vec<String>,
    /// Baseline folder or s3:// prefix: features and kinds from statistics.json, the drift
    /// threshold from constraints.json.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Model-quality widgets: BinaryClassification, MulticlassClassification or Regression.
    #[arg(long)]
    problem_type: Option<String>,
    /// Model-quality monitoring schedule (default: --schedule).
    #[arg(long)]
    model_schedule: Option<String>,
    /// Model-quality constraints.json (folder, file or s3://): one alarm per constraint.
    #[arg(long)]
    model_constraints: Option<PathBuf>,
    /// Region the widgets read (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// PSI alarm threshold.
    #[arg(long, default_value_t = DriftConfig::default().psi_threshold)]
    psi_threshold: f64,
    /// Alarm when rejected / read records exceeds this share.
    #[arg(long, default_value_t = 0.01)]
    rejected_threshold: f64,
    /// Seconds per datapoint (the schedule's period).
    #[arg(long, default_value_t = 3600)]
    period: i32,
    /// ARN notified when an alarm fires (repeatable).
    #[arg(long)]
    alarm_action: Vec<String>,
    /// Folder (or s3:// prefix) for dashboard.json and alarms.json (default: dashboards/<endpoint>).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Also create or update the dashboard and alarms in CloudWatch.
    #[arg(long)]
    apply: bool,
}

#[derive(Subcommand)]
enum BaselineCmd {
    /// Suggest statistics.json and constraints.json from a training dataset.
    Suggest {
        /// The training dataset (CSV, JSON Lines, Parquet or capture JSONL; gzip is fine).
        #[arg(long)]
        input: PathBuf,
        /// csv | jsonl | parquet | capture (default: from the file name).
        #[arg(long)]
        format: Option<String>,
        /// The first CSV row is a header.
        #[arg(long, conflicts_with = "no_header")]
        header: bool,
        /// The CSV has no header (columns are named _c0, _c1, …).
        #[arg(long)]
        no_header: bool,
        /// Folder for statistics.json, constraints.json and baseline_report.json.
        #[arg(long)]
        output: PathBuf,
        /// Worker threads for a large local CSV file (0: one per core); the output does not
        /// depend on it.
        #[arg(long, default_value_t = 0)]
        workers: usize,
        /// Model-quality baseline: BinaryClassification | MulticlassClassification | Regression.
        #[arg(long)]
        problem_type: Option<String>,
        /// Model quality: the predicted label or value column (name or index).
        #[arg(long)]
        inference_attribute: Option<String>,
        /// Model quality: the predicted probability column (binary).
        #[arg(long)]
        probability_attribute: Option<String>,
        /// Model quality: probability above which the predicted label is 1.
        #[arg(long)]
        probability_threshold: Option<f64>,
        /// Model quality: the ground-truth label column.
        #[arg(long)]
        ground_truth_attribute: Option<String>,
    },
}

fn mq_options(
    problem_type: &str,
    inference: Option<&str>,
    probability: Option<&str>,
    threshold: Option<f64>,
) -> anyhow::Result<driftmon_monitor::model_quality::ModelQualityOptions> {
    use driftmon_monitor::model_quality::{Attribute, ModelQualityOptions};
    let pt = driftmon_rules::model_quality::ProblemType::parse(problem_type).ok_or_else(|| {
        anyhow::anyhow!(
            "--problem-type {problem_type}: expected BinaryClassification, MulticlassClassification or Regression"
        )
    })?;
    let mut o = ModelQualityOptions::new(pt, inference.map(Attribute::parse));
    o.probability_attribute = probability.map(Attribute::parse);
    o.probability_threshold = threshold;
    Ok(o)
}

fn mq_run_spec(
    a: &RunArgs,
    spec: &RunSpec,
) -> anyhow::Result<Option<driftmon_monitor::model_quality::ModelQualityRunSpec>> {
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
        Some(s) => parse_timestamp_ms(s)
            .ok_or_else(|| anyhow::anyhow!("--{what} {s:?} is not an RFC 3339 time")),
        None => Ok(default),
    };
    let gs = t(&a.ground_truth_start, "ground-truth-start", spec.start_ms)?;
    let ge = t(
        &a.ground_truth_end,
        "ground-truth-end",
        spec.end_ms + 48 * 3_600_000,
    )?;
    let mut m = driftmon_monitor::model_quality::ModelQualityRunSpec::new(
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

fn drift_config(a: &DriftArgs) -> anyhow::Result<DriftConfig> {
    Ok(DriftConfig {
        psi_threshold: a.psi_threshold,
        ks_threshold: a.ks_threshold,
        cramers_v_threshold: a.cramers_v_threshold,
        alpha: a.alpha,
        correction: Correction::parse(&a.correction).ok_or_else(|| {
            anyhow::anyhow!(
                "--correction {}: expected none, bonferroni or bh",
                a.correction
            )
        })?,
        ..DriftConfig::default()
    })
}

/// The run spec of `driftmon merge` (its capture is the partials location: nothing is read
/// from it but the partials).
fn merge_spec(a: &MergeArgs) -> anyhow::Result<RunSpec> {
    let t = |s: &str, what: &str| {
        parse_timestamp_ms(s)
            .ok_or_else(|| anyhow::anyhow!("--{what} {s:?} is not an RFC 3339 time"))
    };
    Ok(RunSpec {
        start_ms: t(&a.start, "start")?,
        end_ms: t(&a.end, "end")?,
        extract: ExtractConfig::default(),
        capture: a.partials.clone(),
        endpoint: a.endpoint.clone(),
        variant: a.variant.clone(),
        baseline: a.baseline.clone(),
        output: a.output.clone(),
        drift: drift_config(&a.drift)?,
        workers: 1,
    })
}

/// `driftmon run --shard I/N --partial-output <loc>`.
fn run_shard(a: &RunArgs, shard: &str, partial_output: &std::path::Path) -> anyhow::Result<()> {
    use driftmon_monitor::shard::{run_shard, Shard};
    let shard = Shard::parse(shard)
        .ok_or_else(|| anyhow::anyhow!("--shard {shard:?}: expected I/N with 0 <= I < N"))?;
    if a.publish_metrics || a.metrics_file.is_some() || a.ground_truth.is_some() {
        anyhow::bail!(
            "--shard: metrics and model quality belong to `driftmon merge`, not to a shard"
        );
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
    let t = |s: &str, what: &str| {
        parse_timestamp_ms(s)
            .ok_or_else(|| anyhow::anyhow!("--{what} {s:?} is not an RFC 3339 time"))
    };
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
        baseline: a.baseline.clone(),
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
        sinks.push(cloudwatch_sink()?);
    }
    Ok(Some((Fanout(sinks), schedule)))
}

#[cfg(feature = "cloudwatch")]
fn cloudwatch_sink() -> anyhow::Result<Box<dyn MetricsSink>> {
    Ok(Box::new(
        driftmon_monitor::metrics::CloudWatchSink::from_env()?,
    ))
}

#[cfg(not(feature = "cloudwatch"))]
fn cloudwatch_sink() -> anyhow::Result<Box<dyn MetricsSink>> {
    anyhow::bail!("--publish-metrics: this driftmon was built without the `cloudwatch` feature")
}

fn dashboards(a: DashboardArgs) -> anyhow::Result<()> {
    use driftmon_monitor::dashboards::{self as d, DashboardSpec, FeatureSpec, ProblemType};
    let region = a
        .region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let mut spec = DashboardSpec::new(&a.endpoint, &a.schedule, &region);
    if let Some(b) = &a.baseline {
        d::from_baseline(b, &mut spec)?;
    }
    for f in &a.features {
        if !spec.features.iter().any(|x| &x.name == f) {
            spec.features.push(FeatureSpec {
                name: f.clone(),
                numeric: None,
            });
        }
    }
    if !a.features.is_empty() {
        spec.features.retain(|x| a.features.contains(&x.name));
    }
    if spec.features.is_empty() {
        anyhow::bail!("no features: pass --features a,b,c or --baseline <folder>");
    }
    spec.problem_type = a
        .problem_type
        .as_deref()
        .map(|p| {
            ProblemType::parse(p).ok_or_else(|| {
                anyhow::anyhow!("--problem-type {p}: expected BinaryClassification, MulticlassClassification or Regression")
            })
        })
        .transpose()?;
    spec.model_schedule = a.model_schedule.clone();
    if let Some(c) = &a.model_constraints {
        let is_file = c.to_string_lossy().ends_with(".json");
        let (dir, name) = if is_file {
            (
                c.parent().map(|p| p.to_path_buf()).unwrap_or_default(),
                c.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        } else {
            (c.clone(), "constraints.json".to_owned())
        };
        let loc = driftmon_monitor::store::resolve(&dir)?;
        let bytes = loc.get(&name)?;
        let cons = driftmon_baseline::files::parse_constraints(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", loc.uri(&name)))?;
        spec.model_alarms = d::model_alarms_from_constraints(&cons);
    }
    spec.psi_threshold = a.psi_threshold;
    spec.rejected_ratio_threshold = a.rejected_threshold;
    spec.period = a.period;
    spec.alarm_actions = a.alarm_action.clone();
    let out = a
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("dashboards").join(&a.endpoint));
    d::write(&out, &spec)?;
    println!(
        "Dashboard {} ({} features, {} alarms) -> {}",
        d::dashboard_name(&spec),
        spec.features.len(),
        d::alarms(&spec).len(),
        out.display()
    );
    if a.apply {
        apply_dashboards(&spec)?;
    }
    Ok(())
}

#[cfg(feature = "cloudwatch")]
fn apply_dashboards(spec: &driftmon_monitor::dashboards::DashboardSpec) -> anyhow::Result<()> {
    let client = driftmon_monitor::metrics::cloudwatch_client()?;
    let r = driftmon_monitor::dashboards::apply(&client, spec)?;
    for m in &r.validation_messages {
        eprintln!("warning: dashboard {}: {m}", r.dashboard);
    }
    println!(
        "Applied: dashboard {} and {} alarms in CloudWatch",
        r.dashboard, r.alarms
    );
    Ok(())
}

#[cfg(not(feature = "cloudwatch"))]
fn apply_dashboards(_spec: &driftmon_monitor::dashboards::DashboardSpec) -> anyhow::Result<()> {
    anyhow::bail!("--apply: this driftmon was built without the `cloudwatch` feature")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(feature = "serve")]
fn serve_cmd(a: &ServeCli) -> anyhow::Result<()> {
    let ts = |s: &Option<String>, what: &str| -> anyhow::Result<Option<i64>> {
        s.as_deref()
            .map(|v| {
                parse_timestamp_ms(v)
                    .ok_or_else(|| anyhow::anyhow!("--{what} {v}: expected an RFC 3339 time"))
            })
            .transpose()
    };
    if !(a.clock_speed.is_finite() && a.clock_speed > 0.0) {
        anyhow::bail!(
            "--clock-speed {}: expected a positive number",
            a.clock_speed
        );
    }
    driftmon_monitor::serve_cmd::serve_main(&driftmon_monitor::serve_cmd::ServeArgs {
        config: a.config.clone(),
        listen: a.listen,
        clock_start_ms: ts(&a.clock_start, "clock-start")?,
        clock_speed: a.clock_speed,
        until_ms: ts(&a.until, "until")?,
        publish_metrics: a.publish_metrics,
        text_logs: a.text_logs,
    })
}

#[cfg(not(feature = "serve"))]
fn serve_cmd(_: &ServeCli) -> anyhow::Result<()> {
    anyhow::bail!("serve: this driftmon was built without the `serve` feature")
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.cmd {
        Cmd::Serve(a) => serve_cmd(&a),
        Cmd::Validate { config } => {
            match driftmon_monitor::serve_cmd::validate(&config, now_ms()) {
                Ok(text) => {
                    print!("{text}");
                    Ok(())
                }
                Err(problems) => {
                    println!("{problems}");
                    anyhow::bail!("{}: invalid configuration", config.display())
                }
            }
        }
        Cmd::Run(a) if a.shard.is_some() => {
            let (Some(shard), Some(out)) = (a.shard.as_deref(), a.partial_output.as_deref()) else {
                anyhow::bail!("--shard needs --partial-output");
            };
            run_shard(&a, shard, out).inspect_err(|e| println!("Failed: {e:#}"))
        }
        Cmd::Merge(a) => {
            let spec = merge_spec(&a).inspect_err(|e| println!("Failed: {e:#}"))?;
            let extras = RunExtras {
                model_quality: None,
                history: a.history.clone(),
            };
            match driftmon_monitor::shard::merge_partials(&spec, &a.partials, None, &extras) {
                Ok((o, _)) => {
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
        Cmd::Run(a) => {
            let prepared = metrics_sinks(&a).and_then(|m| {
                let spec = run_spec(&a)?;
                let extras = RunExtras {
                    model_quality: mq_run_spec(&a, &spec)?,
                    history: a.history.clone(),
                };
                Ok((m, spec, extras))
            });
            let (sinks, spec, extras) = match prepared {
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
            match run_once_full(&spec, target.as_ref(), &extras) {
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
        Cmd::Dashboards(a) => dashboards(*a),
        Cmd::Demo { dir } => driftmon_monitor::demo::run_demo(&dir),
        Cmd::Rules => {
            print!("{}", driftmon_monitor::rules_doc());
            Ok(())
        }
        Cmd::Baseline {
            cmd:
                BaselineCmd::Suggest {
                    input,
                    format,
                    header,
                    no_header,
                    output,
                    workers,
                    problem_type,
                    inference_attribute,
                    probability_attribute,
                    probability_threshold,
                    ground_truth_attribute,
                },
        } => {
            let format = match format.as_deref() {
                Some(f) => Format::parse(f).ok_or_else(|| {
                    anyhow::anyhow!("--format {f}: expected csv, jsonl, parquet or capture")
                })?,
                None => Format::from_path(&input).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}: cannot tell the format from the name; pass --format",
                        input.display()
                    )
                })?,
            };
            let header = if header {
                HeaderMode::Present
            } else if no_header {
                HeaderMode::Absent
            } else {
                HeaderMode::Auto
            };
            if let Some(pt) = problem_type {
                use driftmon_monitor::model_quality::{
                    suggest_model_quality, Attribute, SuggestSpec,
                };
                let gt = ground_truth_attribute.ok_or_else(|| {
                    anyhow::anyhow!("--problem-type needs --ground-truth-attribute")
                })?;
                let o = suggest_model_quality(&SuggestSpec {
                    input: input.clone(),
                    format,
                    header,
                    output: output.clone(),
                    options: mq_options(
                        &pt,
                        inference_attribute.as_deref(),
                        probability_attribute.as_deref(),
                        probability_threshold,
                    )?,
                    ground_truth_attribute: Attribute::parse(&gt),
                })?;
                println!(
                    "Model-quality baseline: {} rows, {} samples -> {}",
                    o.rows,
                    o.samples,
                    output.display()
                );
                return Ok(());
            }
            let out = baseline_cmd::suggest_with_workers(&input, format, header, &output, workers)?;
            for w in baseline_cmd::warnings(&out.profile) {
                eprintln!("{w}");
            }
            println!(
                "Baseline: {} rows, {} features, {} records rejected -> {}",
                out.summary.rows,
                out.profile.columns.len(),
                out.summary.rejected,
                output.display()
            );
            Ok(())
        }
    }
}

/// Caps glibc's malloc at two arenas. By default every thread that allocates may get its own
/// arena (up to 8 per core), and memory freed in one (a profile merged and dropped by another
/// worker) is not reused by the others: peak RSS then creeps up with the number of objects in a
/// window. Two arenas keep `driftmon run`'s peak memory nearly flat in the window size at no
/// measurable cost in time (bench/results.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    const M_ARENA_MAX: std::os::raw::c_int = -8;
    extern "C" {
        fn mallopt(param: std::os::raw::c_int, value: std::os::raw::c_int) -> std::os::raw::c_int;
    }
    // SAFETY: mallopt only sets a tuning parameter of glibc's allocator; it is called before
    // any other thread exists, and a refusal (return value 0) leaves the defaults in place.
    unsafe {
        mallopt(M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
    #[cfg(feature = "s3")]
    driftmon_monitor::store_s3::register();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
