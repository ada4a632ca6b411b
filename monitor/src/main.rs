//! The `driftmon` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use driftmon_baseline::read::HeaderMode;
use driftmon_monitor::baseline_cmd::{self, Format};

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
    /// Baseline jobs.
    Baseline {
        #[command(subcommand)]
        cmd: BaselineCmd,
    },
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

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.cmd {
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
