//! # driftmon-monitor
//!
//! The edge of driftmon: it opens files and S3 objects, feeds their bytes to the pure
//! core (`driftmon-baseline` for profiles, `driftmon-rules` for checks), and writes the results
//! SageMaker's way. The `driftmon` binary is a thin command line over [`baseline_cmd`].
#![deny(missing_docs)]

pub mod actions;
#[cfg(feature = "actions")]
pub mod actions_live;
#[cfg(feature = "aws")]
pub mod aws;
pub mod baseline_cmd;
pub mod config;
pub mod dashboards;
pub mod demo;
pub mod engine;
pub mod metrics;
pub mod model_quality;
pub mod monitor_state;
pub mod output;
pub mod report_html;
pub mod run;
pub mod schedule;
#[cfg(feature = "serve")]
pub mod serve;
pub mod serve_cmd;
pub mod shard;
pub mod state_store;
pub mod store;
#[cfg(feature = "s3")]
pub mod store_s3;

/// The text of `driftmon rules`: every registered rule with its formula, defaults and reference.
pub fn rules_doc() -> String {
    let mut s = String::new();
    for d in driftmon_rules::evaluate::REGISTRY {
        s.push_str(&format!(
            "{} [{}]\n  formula:   {}\n  defaults:  {}\n  reference: {}\n\n",
            d.name, d.check_type, d.formula, d.defaults, d.reference
        ));
    }
    s
}
