//! The `driftmon` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use driftmon_baseline::capture::{parse_timestamp_ms, ExtractConfig, JsonPath};
use driftmon_baseline::read::HeaderMode;
use driftmon_monitor::baseline_cmd::{self, Format};
use driftmon_monitor::run::{run_once, RunSpec};
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
    /// JSON path selecting input rows of JSON payloads (e.g. instances[*].features).
    #[arg(long)]
    input_path: Option<String>,
    /// JSON path selecting output rows of JSON payloads (e.g. predictions[*].score).
    #[arg(long)]
    output_path: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    workers: usize,
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
    },
}

fn run_spec(a: RunArgs) -> anyhow::Result<RunSpec> {
    let t = |s: &str, what: &str| {
        parse_timestamp_ms(s)
            .ok_or_else(|| anyhow::anyhow!("--{what} {s:?} is not an RFC 3339 time"))
    };
    let path = |p: &Option<String>| -> anyhow::Result<Option<JsonPath>> {
        p.as_deref()
            .map(|s| JsonPath::parse(s).map_err(|e| anyhow::anyhow!("{e}")))
            .transpose()
    };
    let drift = DriftConfig {
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
    };
    Ok(RunSpec {
        start_ms: t(&a.start, "start")?,
        end_ms: t(&a.end, "end")?,
        extract: ExtractConfig {
            input_path: path(&a.input_path)?,
            output_path: path(&a.output_path)?,
            ..ExtractConfig::default()
        },
        capture: a.capture,
        endpoint: a.endpoint,
        variant: a.variant,
        baseline: a.baseline,
        output: a.output,
        drift,
        workers: a.workers,
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.cmd {
        Cmd::Run(a) => {
            let spec = match run_spec(*a) {
                Ok(s) => s,
                Err(e) => {
                    println!("Failed: {e:#}");
                    return Err(e);
                }
            };
            match run_once(&spec) {
                Ok(o) => {
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
            let out = baseline_cmd::suggest(&input, format, header, &output)?;
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

fn main() -> ExitCode {
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
