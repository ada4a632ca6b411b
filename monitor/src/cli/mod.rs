//! The `driftmon` command line: one file per command, each with its flags (a clap `Args`
//! struct) and a `run` function; [`main`] parses and dispatches. The commands call the same
//! library functions the daemon and the Lambda call: the job ([`crate::job`]), the monitor
//! types ([`crate::monitors`]), the daemon ([`crate::daemon`]) through [`crate::wiring`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod args;
mod baseline;
mod dashboards;
pub mod demo;
mod merge;
mod rules;
mod run;
mod serve;
mod validate;

pub use rules::rules_doc;
pub use validate::{describe_config, validate};

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
    Run(Box<run::RunArgs>),
    /// Merge the partials of `driftmon run --shard I/N` and evaluate them like `driftmon run`.
    Merge(Box<merge::MergeArgs>),
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
        cmd: baseline::BaselineCmd,
    },
    /// Generate a CloudWatch dashboard and alarms for an endpoint (from the metric catalog).
    Dashboards(Box<dashboards::DashboardArgs>),
    /// Run every monitor of a configuration on its schedule, and act on violations.
    Serve(Box<serve::ServeCli>),
    /// Check a `driftmon serve` configuration; exits non-zero with the list of problems.
    Validate {
        /// The configuration file (TOML).
        #[arg(long)]
        config: PathBuf,
    },
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.cmd {
        Cmd::Serve(a) => serve::run(&a),
        Cmd::Validate { config } => validate::run(&config),
        Cmd::Run(a) => run::run(&a),
        Cmd::Merge(a) => merge::run(&a),
        Cmd::Dashboards(a) => dashboards::run(*a),
        Cmd::Demo { dir } => demo::run_demo(&dir),
        Cmd::Rules => {
            print!("{}", rules_doc());
            Ok(())
        }
        Cmd::Baseline { cmd } => baseline::run(cmd),
    }
}

/// Parses the command line, runs the command, and maps its result to the exit code (0 done, 1
/// failed; the error on stderr as one line).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}
