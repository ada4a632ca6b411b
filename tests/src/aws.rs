//! Clients of the local AWS-compatible server (moto) for the end-to-end tests: independent of the
//! code under test except for the shared runtime and credential chain of `driftmon_monitor::aws`.

use std::future::Future;

/// The region every test uses.
pub const REGION: &str = "us-east-1";

/// Runs a future on driftmon's shared AWS runtime.
pub fn block<F: Future>(f: F) -> F::Output {
    driftmon_monitor::aws::block_on(f).expect("AWS runtime")
}

/// An SDK configuration for `endpoint` with static keys.
pub fn sdk_config(endpoint: &str, key: &str, secret: &str) -> aws_config::SdkConfig {
    block(
        driftmon_monitor::aws::loader()
            .endpoint_url(endpoint)
            .region(aws_config::Region::new(REGION))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                key,
                secret,
                None,
                None,
                "driftmon-tests",
            ))
            .load(),
    )
}

/// An S3 client (path-style addressing) for `endpoint` with static keys.
pub fn s3_client(endpoint: &str, key: &str, secret: &str) -> aws_sdk_s3::Client {
    let cfg = sdk_config(endpoint, key, secret);
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&cfg)
            .force_path_style(true)
            .build(),
    )
}

/// An S3 client for moto (keys `testing`/`testing`).
pub fn moto_s3(endpoint: &str) -> aws_sdk_s3::Client {
    s3_client(endpoint, "testing", "testing")
}
