//! The one place that knows which cargo features are on.
//!
//! Everything else in the crate asks this module for the adapters it needs — an S3 store, the
//! CloudWatch sink, the live action sink, a conditional state store on S3 — and gets either the
//! adapter or an error saying which feature this build lacks. The feature-gated adapter modules
//! are declared in [`crate::adapters`]; nothing outside this file chooses between them, so a
//! build without `s3` or `cloudwatch` compiles the same call sites and fails at run time with
//! a clear message. No registration step: `s3://` locations work as soon as `s3` is compiled in.

use std::sync::Arc;

use crate::adapters::actions::ActionSink;
use crate::adapters::metrics::MetricsSink;
use crate::adapters::state_store::ConditionalStore;
use crate::adapters::store::{ObjectStore, StoreError};

/// The S3 object store for `bucket` (`location` is the `s3://…` text, for the error message).
pub fn s3_store(location: &str, bucket: &str) -> Result<Arc<dyn ObjectStore>, StoreError> {
    #[cfg(feature = "s3")]
    {
        let _ = location;
        crate::adapters::s3::factory(bucket)
    }
    #[cfg(not(feature = "s3"))]
    {
        let _ = bucket;
        Err(StoreError::Config(format!(
            "{location}: this driftmon was built without S3 support (feature `s3`)"
        )))
    }
}

/// The conditional store over an S3 bucket (`location` is the `s3://…` text).
pub fn s3_conditional(
    location: &str,
    bucket: &str,
) -> Result<Arc<dyn ConditionalStore>, StoreError> {
    #[cfg(feature = "s3")]
    {
        let _ = location;
        crate::adapters::s3::conditional(bucket)
    }
    #[cfg(not(feature = "s3"))]
    {
        let _ = bucket;
        Err(StoreError::Config(format!(
            "{location}: this driftmon was built without S3 support"
        )))
    }
}

/// The CloudWatch metrics sink (credentials, region and endpoint from the environment).
pub fn cloudwatch_sink() -> anyhow::Result<Box<dyn MetricsSink>> {
    #[cfg(feature = "cloudwatch")]
    {
        Ok(Box::new(
            crate::adapters::cloudwatch::CloudWatchSink::from_env()?,
        ))
    }
    #[cfg(not(feature = "cloudwatch"))]
    {
        anyhow::bail!("--publish-metrics: this driftmon was built without the `cloudwatch` feature")
    }
}

/// Creates or updates a dashboard and its alarms in CloudWatch (`driftmon dashboards --apply`).
pub fn apply_dashboards(
    spec: &crate::report::dashboards::DashboardSpec,
) -> anyhow::Result<crate::report::dashboards::Applied> {
    #[cfg(feature = "cloudwatch")]
    {
        let client = crate::adapters::cloudwatch::cloudwatch_client()?;
        Ok(crate::adapters::cloudwatch::apply(&client, spec)?)
    }
    #[cfg(not(feature = "cloudwatch"))]
    {
        let _ = spec;
        anyhow::bail!("--apply: this driftmon was built without the `cloudwatch` feature")
    }
}

/// The live action sink of this build: SageMaker pipelines, e-mail and webhooks with the
/// `actions` feature; without it, every action fails with a clear error.
pub fn live_actions() -> Arc<dyn ActionSink> {
    #[cfg(feature = "actions")]
    {
        Arc::new(crate::adapters::actions_live::LiveActions::default())
    }
    #[cfg(not(feature = "actions"))]
    {
        Arc::new(crate::adapters::actions::DisabledActions)
    }
}

/// `driftmon serve` with this build's scheduler (feature `serve`).
pub fn serve(args: &crate::daemon::ServeArgs) -> anyhow::Result<()> {
    #[cfg(feature = "serve")]
    {
        crate::daemon::serve::serve_main(args)
    }
    #[cfg(not(feature = "serve"))]
    {
        let _ = args;
        anyhow::bail!("serve: this driftmon was built without the `serve` feature")
    }
}
