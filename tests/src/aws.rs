//! Clients of the local AWS-compatible server (moto) for the end-to-end tests: independent of the
//! code under test except for the shared runtime and credential chain of `driftmon_monitor::adapters::aws`.

use std::future::Future;

/// The region every test uses.
pub const REGION: &str = "us-east-1";

/// Runs a future on driftmon's shared AWS runtime.
pub fn block<F: Future>(f: F) -> F::Output {
    driftmon_monitor::adapters::aws::block_on(f).expect("AWS runtime")
}

/// An SDK configuration for `endpoint` with static keys.
pub fn sdk_config(endpoint: &str, key: &str, secret: &str) -> aws_config::SdkConfig {
    block(
        driftmon_monitor::adapters::aws::loader()
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

/// Writes one object.
pub fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, bytes: Vec<u8>) {
    block(
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(aws_sdk_s3::primitives::ByteStream::from(bytes))
            .send(),
    )
    .unwrap_or_else(|e| panic!("put s3://{bucket}/{key}: {e:?}"));
}

/// Reads one object.
pub fn get(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Vec<u8> {
    let out = block(s3.get_object().bucket(bucket).key(key).send())
        .unwrap_or_else(|e| panic!("get s3://{bucket}/{key}: {e:?}"));
    block(out.body.collect())
        .expect("body")
        .into_bytes()
        .to_vec()
}

/// Every file below `dir`, as (path relative to `dir` with `/`, path).
fn files(dir: &std::path::Path, rel: &str, out: &mut Vec<(String, std::path::PathBuf)>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().expect("type").is_dir() {
            files(&e.path(), &r, out);
        } else {
            out.push((r, e.path()));
        }
    }
}

/// Uploads a local folder below `prefix`, 8 objects at a time.
pub fn upload(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str, dir: &std::path::Path) {
    let mut all = Vec::new();
    files(dir, "", &mut all);
    std::thread::scope(|sc| {
        for chunk in all.chunks(all.len().div_ceil(8).max(1)) {
            sc.spawn(move || {
                for (rel, path) in chunk {
                    let bytes = std::fs::read(path).expect("read");
                    put(s3, bucket, &format!("{prefix}/{rel}"), bytes);
                }
            });
        }
    });
}

/// Points a child process's AWS SDK at a local server only: drops the inherited profile,
/// endpoint, session token, retry mode and default region, sets static credentials and the
/// region, disables the instance metadata service and the shared config/credentials files, and
/// asks driftmon for path-style S3 addressing. Callers add the service endpoints.
pub fn isolated_aws_env(cmd: &mut std::process::Command, key: &str, secret: &str) {
    for v in [
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_SESSION_TOKEN",
        "AWS_RETRY_MODE",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/driftmon-tests/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/driftmon-tests/credentials",
        )
        .env("DRIFTMON_S3_PATH_STYLE", "1");
}

/// A `GetMetricData` query of one hour-long period of the metric a point names, in the JSON
/// lines shape `driftmon run --metrics-file` writes (`Namespace`, `MetricName`, `Dimensions`).
pub fn metric_query(
    id: &str,
    point: &serde_json::Value,
    stat: &str,
) -> aws_sdk_cloudwatch::types::MetricDataQuery {
    use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
    let mut m = Metric::builder()
        .namespace(point["Namespace"].as_str().expect("Namespace"))
        .metric_name(point["MetricName"].as_str().expect("MetricName"));
    for d in point["Dimensions"].as_array().expect("Dimensions") {
        m = m.dimensions(
            Dimension::builder()
                .name(d["Name"].as_str().expect("Name"))
                .value(d["Value"].as_str().expect("Value"))
                .build(),
        );
    }
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(m.build())
                .period(3600)
                .stat(stat)
                .build(),
        )
        .build()
}
