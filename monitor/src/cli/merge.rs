//! `driftmon merge`: merges the partials of `driftmon run --shard I/N` and evaluates them like
//! `driftmon run`.

use std::path::PathBuf;

use driftmon_baseline::capture::ExtractConfig;

use crate::cli::args::{drift_config, time_flag as t, DriftArgs};
use crate::monitors::data_quality::{RunExtras, RunSpec};

#[derive(clap::Args)]
pub(crate) struct MergeArgs {
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

/// The run spec of `driftmon merge` (its capture is the partials location: nothing is read
/// from it but the partials).
fn merge_spec(a: &MergeArgs) -> anyhow::Result<RunSpec> {
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

/// Runs the command.
pub(crate) fn run(a: &MergeArgs) -> anyhow::Result<()> {
    let spec = merge_spec(a).inspect_err(|e| println!("Failed: {e:#}"))?;
    let extras = RunExtras {
        model_quality: None,
        history: a.history.clone(),
    };
    match crate::job::shard::merge_partials(&spec, &a.partials, None, &extras) {
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
