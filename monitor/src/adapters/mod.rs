//! The ports and their adapters: everything that touches the world.
//!
//! * [`store`]: the `ObjectStore` port, `Located` locations and the local-folder adapter;
//!   [`s3`] the S3 adapter (feature `s3`); [`atomic`] the temp-file-and-rename writes.
//! * [`state_store`]: local and in-memory conditional stores for the per-monitor state (the S3
//!   one lives in [`s3`]).
//! * [`metrics`]: the `MetricsSink` port and the JSON-lines file sink; [`cloudwatch`] the
//!   CloudWatch sink and the dashboards' `--apply` (feature `cloudwatch`).
//! * [`actions`]: the `ActionSink` port (retraining pipeline, e-mail, webhook), a recording
//!   sink for tests and the disabled one; [`actions_live`] the live adapters (feature `actions`).
//! * [`aws`]: the AWS plumbing shared by the adapters (credentials, region, endpoint, HTTPS).
//!
//! The feature gates on these declarations are the only ones outside [`crate::wiring`], which
//! is where the rest of the crate gets its adapters from.

pub mod actions;
#[cfg(feature = "actions")]
pub mod actions_live;
pub mod atomic;
#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "cloudwatch")]
pub mod cloudwatch;
pub mod metrics;
#[cfg(feature = "s3")]
pub mod s3;
pub mod state_store;
pub mod store;
