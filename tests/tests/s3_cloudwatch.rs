//! S3 and CloudWatch for real, against a local AWS-compatible server.
//!
//! `scripts/test.sh` starts moto (S3, CloudWatch, IAM) on loopback, a second moto that enforces
//! IAM, and the CloudWatch CBOR proxy (`tests/support/cw_cbor_proxy.py`), and passes their
//! addresses in `DRIFTMON_TEST_MOTO_ENDPOINT`, `DRIFTMON_TEST_CW_ENDPOINT` and
//! `DRIFTMON_TEST_IAM_ENDPOINT`. Without them (plain `cargo test`) every test here skips.
//!
//! The `driftmon` binary runs as a subprocess with the standard AWS environment
//! (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_CLOUDWATCH`, static keys, `DRIFTMON_S3_PATH_STYLE=1`),
//! exactly as a user would run it; the tests read back with aws-sdk-s3 and aws-sdk-cloudwatch.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use driftmon_monitor::cli::demo::{
    application, capture_line, training_csv, Rng, ENDPOINT, VARIANT,
};
use driftmon_tests::aws::{
    block, get, isolated_aws_env, moto_s3, put, s3_client, sdk_config, upload, REGION,
};
use driftmon_tests::{built_driftmon, temp_dir, test_endpoint, FaultProxy};
use serde_json::Value;

/// The full window: hour 13 (two objects, one gzipped) and hour 14 (1200 objects, drifted).
const START: &str = "2026-11-21T13:00:00Z";
const END: &str = "2026-11-21T15:00:00Z";
/// The small window (hour 13 only) of the fault tests.
const SMALL_END: &str = "2026-11-21T14:00:00Z";
/// Names unique to this test process, so that reruns against the same servers do not see each
/// other's objects and metrics.
fn unique(name: &str) -> String {
    static STAMP: OnceLock<String> = OnceLock::new();
    let stamp = STAMP.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        format!("{}-{}", std::process::id(), t % 1_000_000)
    });
    format!("{name}-{stamp}")
}
const OBJECTS_IN_HOUR_14: usize = 1200;

/// The local inputs, made once: a baseline suggested from the demo's training data, and a
/// capture tree with hour 13 (one `.jsonl.gz` and one `.jsonl` object) and hour 14 (1200
/// one-record objects, drifted).
struct Fixture {
    baseline: PathBuf,
    capture: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = temp_dir("s3-fixture");
        let training = dir.join("training.csv");
        training_csv(&training, 2000, 7).expect("training data");
        let baseline = dir.join("baseline");
        driftmon_monitor::monitors::data_quality::suggest::suggest(
            &training,
            driftmon_monitor::monitors::data_quality::suggest::Format::Csv,
            driftmon_baseline::read::HeaderMode::Present,
            &baseline,
        )
        .expect("baseline");
        let capture = dir.join("capture");
        let hour = |h: u32| {
            let d = capture
                .join(ENDPOINT)
                .join(VARIANT)
                .join(format!("2026/11/21/{h:02}"));
            std::fs::create_dir_all(&d).expect("mkdir");
            d
        };
        let mut rng = Rng::new(99);
        let mut line = |h: u32, i: usize, drift: bool| {
            let a = application(&mut rng, drift);
            let t = format!("2026-11-21T{h:02}:{:02}:{:02}Z", (i / 60) % 60, i % 60);
            capture_line(&a, &format!("ev-{h}-{i}"), &t) + "\n"
        };
        let h13 = hour(13);
        let plain: String = (0..150).map(|i| line(13, i, false)).collect();
        std::fs::write(h13.join("a-plain.jsonl"), plain).expect("write");
        let gz: String = (150..300).map(|i| line(13, i, false)).collect();
        std::fs::write(h13.join("b-gzipped.jsonl.gz"), gzip(gz.as_bytes())).expect("write");
        let h14 = hour(14);
        for i in 0..OBJECTS_IN_HOUR_14 {
            std::fs::write(h14.join(format!("part-{i:05}.jsonl")), line(14, i, true))
                .expect("write");
        }
        Fixture { baseline, capture }
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn create_bucket(s3: &aws_sdk_s3::Client, bucket: &str) {
    let r = block(s3.create_bucket().bucket(bucket).send());
    if let Err(e) = r {
        let exists = e
            .as_service_error()
            .is_some_and(|s| s.is_bucket_already_owned_by_you() || s.is_bucket_already_exists());
        assert!(exists, "create bucket {bucket}: {e:?}");
    }
}

fn list(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let page = block(
            s3.list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .set_continuation_token(token)
                .send(),
        )
        .expect("list");
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .map(str::to_owned),
        );
        match page.next_continuation_token() {
            Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_owned()),
            _ => return keys,
        }
    }
}

fn delete(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    block(s3.delete_object().bucket(bucket).key(key).send()).expect("delete");
}

/// Uploads the fixture into `bucket` (`baseline/`, `capture/`).
fn stage(s3: &aws_sdk_s3::Client, bucket: &str) {
    create_bucket(s3, bucket);
    let f = fixture();
    upload(s3, bucket, "baseline", &f.baseline);
    upload(s3, bucket, "capture", &f.capture);
}

/// How the subprocess reaches AWS.
struct AwsEnv<'a> {
    s3: &'a str,
    cloudwatch: Option<&'a str>,
    key: &'a str,
    secret: &'a str,
    max_attempts: u32,
}

impl<'a> AwsEnv<'a> {
    fn moto(s3: &'a str) -> AwsEnv<'a> {
        AwsEnv {
            s3,
            cloudwatch: None,
            key: "testing",
            secret: "testing",
            max_attempts: 3,
        }
    }
}

struct Ran {
    ok: bool,
    last_line: String,
    stderr: String,
}

fn driftmon(env: &AwsEnv<'_>, args: &[&str]) -> Ran {
    let mut cmd = Command::new(built_driftmon());
    cmd.args(args);
    isolated_aws_env(&mut cmd, env.key, env.secret);
    cmd.env("AWS_ENDPOINT_URL_S3", env.s3)
        .env("AWS_MAX_ATTEMPTS", env.max_attempts.to_string());
    match env.cloudwatch {
        Some(cw) => cmd.env("AWS_ENDPOINT_URL_CLOUDWATCH", cw),
        // Never reach the real CloudWatch from a test.
        None => cmd.env("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:9"),
    };
    let out = cmd.output().expect("run driftmon");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Ran {
        ok: out.status.success(),
        last_line: stdout.lines().last().unwrap_or("").to_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run_args<'a>(
    capture: &'a str,
    baseline: &'a str,
    output: &'a str,
    end: &'a str,
) -> Vec<&'a str> {
    vec![
        "run",
        "--capture",
        capture,
        "--endpoint",
        ENDPOINT,
        "--variant",
        VARIANT,
        "--baseline",
        baseline,
        "--output",
        output,
        "--start",
        START,
        "--end",
        end,
    ]
}

const OUTPUTS: [&str; 4] = [
    "constraint_violations.json",
    "statistics.json",
    "drift_report.json",
    "report.html",
];

fn assert_completed(r: &Ran) {
    assert!(
        r.ok && r.last_line.starts_with("Completed"),
        "expected a completed run, got {:?}\nstderr: {}",
        r.last_line,
        r.stderr
    );
}

fn assert_failed_naming(r: &Ran, object: &str, why: &str) {
    eprintln!("driftmon said: {}", r.last_line);
    assert!(!r.ok, "expected a failure, got {:?}", r.last_line);
    assert!(
        r.last_line.starts_with("Failed: ") && r.last_line.contains(object),
        "the error should name {object}: {:?}\nstderr: {}",
        r.last_line,
        r.stderr
    );
    assert!(
        r.last_line.contains(why),
        "the error should say {why:?}: {:?}",
        r.last_line
    );
    assert!(
        !r.last_line.contains('\n') && r.stderr.lines().count() <= 3,
        "one clear error: {}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------

/// `driftmon run` over `s3://` capture, baseline and output gives byte-identical files to a run
/// over local folders — through a window of 1202 objects (two ListObjectsV2 pages in one hour)
/// with a gzipped object — and its metrics read back from CloudWatch with GetMetricData under
/// SageMaker's and driftmon's namespaces, names, dimensions and values.
#[test]
fn s3_run_matches_local_run_and_metrics_read_back() {
    let (Some(moto), Some(cw_endpoint)) = (
        test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT"),
        test_endpoint("DRIFTMON_TEST_CW_ENDPOINT"),
    ) else {
        return;
    };
    let s3 = moto_s3(&moto);
    let bucket = &unique("driftmon-e2e");
    stage(&s3, bucket);
    let f = fixture();
    let local_out = temp_dir("s3-local-out");
    let env = AwsEnv {
        cloudwatch: Some(&cw_endpoint),
        ..AwsEnv::moto(&moto)
    };
    let cap = f.capture.display().to_string();
    let base = f.baseline.display().to_string();
    let lo = local_out.display().to_string();
    let local = driftmon(&env, &run_args(&cap, &base, &lo, END));
    assert_completed(&local);

    let schedule = unique("credit-risk-hourly");
    let out_prefix = format!("monitoring/{ENDPOINT}/{schedule}/2026/11/21/15");
    let s3_cap = format!("s3://{bucket}/capture");
    let s3_base = format!("s3://{bucket}/baseline");
    let s3_out = format!("s3://{bucket}/{out_prefix}");
    let metrics_file = temp_dir("s3-metrics").join("metrics.jsonl");
    let mf = metrics_file.display().to_string();
    let mut args = run_args(&s3_cap, &s3_base, &s3_out, END);
    args.extend([
        "--publish-metrics",
        "--schedule",
        &schedule,
        "--metrics-file",
        &mf,
    ]);
    let remote = driftmon(&env, &args);
    assert_completed(&remote);
    assert_eq!(remote.last_line, local.last_line);
    assert!(remote.stderr.contains("Metrics: "), "{}", remote.stderr);

    for name in OUTPUTS {
        let from_s3 = get(&s3, bucket, &format!("{out_prefix}/{name}"));
        let from_disk = std::fs::read(local_out.join(name)).expect("local output");
        assert!(
            from_s3 == from_disk,
            "{name} differs between the S3 run and the local run"
        );
    }
    let report: Value = serde_json::from_slice(&get(
        &s3,
        bucket,
        &format!("{out_prefix}/drift_report.json"),
    ))
    .expect("drift report");
    assert_eq!(report["records"]["objects"], OBJECTS_IN_HOUR_14 + 2);
    assert_eq!(report["records"]["read"], OBJECTS_IN_HOUR_14 + 300);

    // Metrics: every point of the local sink (the same points, the same filtering) reads back
    // from CloudWatch.
    let points: Vec<Value> = std::fs::read_to_string(&metrics_file)
        .expect("metrics file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let names: Vec<&str> = points
        .iter()
        .filter_map(|p| p["MetricName"].as_str())
        .collect();
    for expected in [
        "feature_data_income",
        "feature_non_null_income",
        "feature_baseline_drift_income",
        "feature_baseline_drift_channel",
        "feature_psi_income",
        "feature_ks_statistic_income",
        "feature_ks_p_value_income",
        "records_read",
        "records_rejected",
        "constraint_violations",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} not published: {names:?}"
        );
    }
    let income = report["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["name"] == "income"))
        .expect("income");
    let by_name: BTreeMap<&str, &Value> = points
        .iter()
        .map(|p| (p["MetricName"].as_str().unwrap_or(""), p))
        .collect();
    assert_eq!(
        by_name["feature_baseline_drift_income"]["Namespace"],
        "aws/sagemaker/Endpoints/data-metrics"
    );
    assert_eq!(
        by_name["feature_baseline_drift_income"]["Value"],
        income["linf_distance"]
    );
    assert_eq!(
        by_name["feature_psi_income"]["Namespace"],
        "driftmon/Endpoints/drift-metrics"
    );
    assert_eq!(by_name["feature_psi_income"]["Value"], income["psi"]);
    assert_eq!(
        by_name["records_read"]["Value"],
        (OBJECTS_IN_HOUR_14 + 300) as f64
    );
    assert_eq!(by_name["feature_data_income"]["Timestamp"], END);

    let cw = aws_sdk_cloudwatch::Client::new(&sdk_config(&cw_endpoint, "testing", "testing"));
    let mut queries = Vec::new(); // (id, point, statistic, expected)
    for p in &points {
        let stats: Vec<(&str, f64)> = match p.get("StatisticValues") {
            Some(s) => ["SampleCount", "Sum", "Minimum", "Maximum"]
                .iter()
                .map(|k| (*k, s[*k].as_f64().expect("number")))
                .collect(),
            None => vec![("Maximum", p["Value"].as_f64().expect("number"))],
        };
        for (stat, expected) in stats {
            queries.push((format!("q{}", queries.len()), p, stat, expected));
        }
    }
    let t = |s: &str| {
        let ms = driftmon_baseline::capture::parse_timestamp_ms(s).expect("time");
        aws_sdk_cloudwatch::primitives::DateTime::from_millis(ms)
    };
    let mut checked = 0;
    for chunk in queries.chunks(400) {
        let mut req = cw
            .get_metric_data()
            .start_time(t("2026-11-21T14:00:00Z"))
            .end_time(t("2026-11-21T16:00:00Z"));
        for (id, p, stat, _) in chunk {
            req = req.metric_data_queries(driftmon_tests::aws::metric_query(id, p, stat));
        }
        let res = block(req.send()).expect("GetMetricData");
        for (id, p, stat, expected) in chunk {
            let r = res
                .metric_data_results()
                .iter()
                .find(|r| r.id() == Some(id.as_str()))
                .unwrap_or_else(|| panic!("no result for {}", p["MetricName"]));
            let got = r.values();
            assert_eq!(
                got.len(),
                1,
                "{} {stat}: {:?} (timestamps {:?})",
                p["MetricName"],
                got,
                r.timestamps()
            );
            let tol = 1e-9 * expected.abs().max(1.0);
            assert!(
                (got[0] - expected).abs() <= tol,
                "{} {stat}: CloudWatch has {}, published {expected}",
                p["MetricName"],
                got[0]
            );
            assert_eq!(
                r.timestamps().first().map(|d| d.to_millis().ok()),
                Some(driftmon_baseline::capture::parse_timestamp_ms(END)),
            );
            checked += 1;
        }
    }
    assert!(checked >= points.len(), "{checked} values checked");
}

/// The dashboard and alarms `driftmon dashboards` generates are accepted by PutDashboard and
/// PutMetricAlarm, and read back as generated.
#[test]
fn dashboards_are_accepted_by_cloudwatch() {
    let (Some(moto), Some(cw_endpoint)) = (
        test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT"),
        test_endpoint("DRIFTMON_TEST_CW_ENDPOINT"),
    ) else {
        return;
    };
    let s3 = moto_s3(&moto);
    let bucket = &unique("driftmon-dashboards");
    create_bucket(&s3, bucket);
    upload(&s3, bucket, "baseline", &fixture().baseline);
    let env = AwsEnv {
        cloudwatch: Some(&cw_endpoint),
        ..AwsEnv::moto(&moto)
    };
    let schedule = &unique("dash-schedule");
    let r = driftmon(
        &env,
        &[
            "dashboards",
            "--endpoint",
            ENDPOINT,
            "--schedule",
            schedule,
            "--baseline",
            &format!("s3://{bucket}/baseline"),
            "--problem-type",
            "BinaryClassification",
            "--region",
            REGION,
            "--output",
            &format!("s3://{bucket}/dashboards/{ENDPOINT}"),
            "--apply",
        ],
    );
    assert!(r.ok, "{} {}", r.last_line, r.stderr);
    assert!(
        r.last_line.starts_with("Applied: dashboard"),
        "{}",
        r.last_line
    );
    let body: Value = serde_json::from_slice(&get(
        &s3,
        bucket,
        &format!("dashboards/{ENDPOINT}/dashboard.json"),
    ))
    .expect("dashboard.json");
    let alarms: Value = serde_json::from_slice(&get(
        &s3,
        bucket,
        &format!("dashboards/{ENDPOINT}/alarms.json"),
    ))
    .expect("alarms.json");

    let cw = aws_sdk_cloudwatch::Client::new(&sdk_config(&cw_endpoint, "testing", "testing"));
    let name = format!("driftmon-{ENDPOINT}-{schedule}");
    let d = block(cw.get_dashboard().dashboard_name(&name).send()).expect("GetDashboard");
    let stored: Value =
        serde_json::from_str(d.dashboard_body().expect("body")).expect("stored body is JSON");
    assert_eq!(stored, body);
    let widgets = body["widgets"].as_array().expect("widgets");
    assert!(widgets.iter().any(|w| w["properties"]["metrics"]
        .as_array()
        .is_some_and(|m| m.iter().any(|l| l[1] == "feature_baseline_drift_income"))));

    let mut described = Vec::new();
    let mut token = None;
    loop {
        let page = block(
            cw.describe_alarms()
                .alarm_name_prefix(&name)
                .set_next_token(token)
                .send(),
        )
        .expect("DescribeAlarms");
        described.extend(page.metric_alarms().iter().cloned());
        match page.next_token() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let expected = alarms.as_array().expect("alarms");
    assert_eq!(described.len(), expected.len());
    for e in expected {
        let a = described
            .iter()
            .find(|a| a.alarm_name() == e["AlarmName"].as_str())
            .unwrap_or_else(|| panic!("alarm {} not in CloudWatch", e["AlarmName"]));
        assert_eq!(a.namespace(), e["Namespace"].as_str());
        assert_eq!(a.metric_name(), e["MetricName"].as_str());
        assert_eq!(a.threshold(), e["Threshold"].as_f64());
        assert_eq!(
            a.comparison_operator().map(|c| c.as_str()),
            e["ComparisonOperator"].as_str()
        );
        let dims: Vec<(String, String)> = a
            .dimensions()
            .iter()
            .map(|d| {
                (
                    d.name().unwrap_or("").to_owned(),
                    d.value().unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert!(
            dims.contains(&("Endpoint".into(), ENDPOINT.into())),
            "{dims:?}"
        );
        assert!(dims.contains(&("MonitoringSchedule".into(), schedule.into())));
    }
}

/// The server stops in the middle of a run (every connection cut, the port closed): the run
/// fails with an error naming an S3 object, writes nothing, and a rerun completes. Throttling
/// (503 SlowDown) is retried with backoff and the run completes.
#[test]
fn server_stopped_mid_run_then_rerun_and_throttling_retried() {
    let Some(moto) = test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let s3 = moto_s3(&moto);
    let bucket = &unique("driftmon-stop");
    stage(&s3, bucket);
    let cap = format!("s3://{bucket}/capture");
    let base = format!("s3://{bucket}/baseline");
    let out_prefix = "out/stopped";
    let out = format!("s3://{bucket}/{out_prefix}");
    let args = run_args(&cap, &base, &out, END);

    // Throttled: the first three connections get 503 SlowDown; the SDK retries.
    let proxy = FaultProxy::start(&moto);
    proxy.throttle(3);
    let url = proxy.url();
    let env = AwsEnv {
        max_attempts: 5,
        ..AwsEnv::moto(&url)
    };
    let throttled = driftmon(&env, &args);
    assert_completed(&throttled);
    // How many response bytes a whole run takes (to stop the next one half-way).
    let whole = proxy.bytes_down();
    drop(proxy);
    for name in OUTPUTS {
        delete(&s3, bucket, &format!("{out_prefix}/{name}"));
    }
    assert!(list(&s3, bucket, out_prefix).is_empty());

    let proxy = FaultProxy::start(&moto);
    proxy.cut_after(whole / 2);
    let url = proxy.url();
    let env = AwsEnv {
        max_attempts: 2,
        ..AwsEnv::moto(&url)
    };
    let stopped = driftmon(&env, &args);
    assert!(proxy.stopped(), "the proxy should have stopped mid-run");
    assert_failed_naming(&stopped, &format!("s3://{bucket}/capture/"), "");
    assert!(
        list(&s3, bucket, out_prefix).is_empty(),
        "a failed run must leave no output"
    );

    let rerun = driftmon(&AwsEnv::moto(&moto), &args);
    assert_completed(&rerun);
    let mut keys = list(&s3, bucket, out_prefix);
    keys.sort();
    assert_eq!(keys.len(), OUTPUTS.len(), "{keys:?}");
}

/// A missing bucket: a clear error naming the location, no output.
#[test]
fn missing_bucket_is_a_clear_error() {
    let Some(moto) = test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let s3 = moto_s3(&moto);
    let bucket = &unique("driftmon-has-baseline");
    create_bucket(&s3, bucket);
    upload(&s3, bucket, "baseline", &fixture().baseline);
    let out = temp_dir("s3-missing-bucket-out");
    let o = out.display().to_string();
    let base = format!("s3://{bucket}/baseline");
    let r = driftmon(
        &AwsEnv::moto(&moto),
        &run_args("s3://driftmon-no-such-bucket/capture", &base, &o, SMALL_END),
    );
    assert_failed_naming(&r, "s3://driftmon-no-such-bucket/capture/", "NoSuchBucket");
    assert_eq!(std::fs::read_dir(&out).expect("out").count(), 0);

    // A missing baseline bucket, named too.
    let r = driftmon(
        &AwsEnv::moto(&moto),
        &run_args(
            "s3://driftmon-no-such-bucket/capture",
            "s3://driftmon-no-baseline-bucket/b",
            &o,
            SMALL_END,
        ),
    );
    assert_failed_naming(
        &r,
        "s3://driftmon-no-baseline-bucket/b/statistics.json",
        "NoSuchBucket",
    );
}

/// Access denied (moto enforcing IAM: the key may list and write but not read `capture/`): a
/// clear error naming the object, no output; with the capture where the key may read, the rerun
/// completes.
#[test]
fn access_denied_is_a_clear_error() {
    let (Some(endpoint), Some(key), Some(secret)) = (
        test_endpoint("DRIFTMON_TEST_IAM_ENDPOINT"),
        test_endpoint("DRIFTMON_TEST_IAM_ACCESS_KEY_ID"),
        test_endpoint("DRIFTMON_TEST_IAM_SECRET_ACCESS_KEY"),
    ) else {
        return;
    };
    // The bucket and the policy are made by tests/support/moto_iam_setup.py.
    let bucket = "driftmon-denied";
    let s3 = s3_client(&endpoint, &key, &secret);
    let f = fixture();
    upload(&s3, bucket, "baseline", &f.baseline);
    for k in list(&s3, bucket, "out/") {
        delete(&s3, bucket, &k);
    }
    let hour = format!("{ENDPOINT}/{VARIANT}/2026/11/21/13");
    for prefix in ["capture", "readable"] {
        upload(
            &s3,
            bucket,
            &format!("{prefix}/{hour}"),
            &f.capture.join(&hour),
        );
    }
    let env = AwsEnv {
        key: &key,
        secret: &secret,
        ..AwsEnv::moto(&endpoint)
    };
    let base = format!("s3://{bucket}/baseline");
    let out = format!("s3://{bucket}/out");
    let r = driftmon(
        &env,
        &run_args(&format!("s3://{bucket}/capture"), &base, &out, SMALL_END),
    );
    assert_failed_naming(
        &r,
        &format!("s3://{bucket}/capture/{hour}/"),
        "AccessDenied",
    );
    assert!(list(&s3, bucket, "out/").is_empty());

    let rerun = driftmon(
        &env,
        &run_args(&format!("s3://{bucket}/readable"), &base, &out, SMALL_END),
    );
    assert_completed(&rerun);
    assert_eq!(list(&s3, bucket, "out/").len(), OUTPUTS.len());
}

/// A truncated and a corrupt gzip object: each a clear error naming the object, no output; once
/// the object is replaced, the rerun completes.
#[test]
fn truncated_or_corrupt_gzip_is_a_clear_error() {
    let Some(moto) = test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let s3 = moto_s3(&moto);
    let bucket = &unique("driftmon-gzip");
    create_bucket(&s3, bucket);
    let f = fixture();
    upload(&s3, bucket, "baseline", &f.baseline);
    let hour = format!("{ENDPOINT}/{VARIANT}/2026/11/21/13");
    upload(
        &s3,
        bucket,
        &format!("capture/{hour}"),
        &f.capture.join(&hour),
    );
    let good = std::fs::read(f.capture.join(&hour).join("b-gzipped.jsonl.gz")).expect("gz");
    let cap = format!("s3://{bucket}/capture");
    let base = format!("s3://{bucket}/baseline");
    let out = format!("s3://{bucket}/out");
    let args = run_args(&cap, &base, &out, SMALL_END);
    let bad_key = format!("capture/{hour}/c-bad.jsonl.gz");

    let truncated = good[..good.len() / 2].to_vec();
    let mut corrupt = good.clone();
    let n = corrupt.len();
    for b in &mut corrupt[20..n - 8] {
        *b ^= 0x5a;
    }
    for (what, bytes) in [("truncated", truncated), ("corrupt", corrupt)] {
        put(&s3, bucket, &bad_key, bytes);
        let r = driftmon(&AwsEnv::moto(&moto), &args);
        assert_failed_naming(&r, &format!("s3://{bucket}/{bad_key}"), "");
        assert!(list(&s3, bucket, "out/").is_empty(), "{what}: no output");
    }
    put(&s3, bucket, &bad_key, good);
    let rerun = driftmon(&AwsEnv::moto(&moto), &args);
    assert_completed(&rerun);
    assert_eq!(list(&s3, bucket, "out/").len(), OUTPUTS.len());
}

/// `driftmon baseline suggest` reads its training data from S3 and writes its files there, the
/// same bytes as from and to local folders.
#[test]
fn baseline_suggest_reads_and_writes_s3() {
    let Some(moto) = test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let s3 = moto_s3(&moto);
    let bucket = &unique("driftmon-suggest");
    create_bucket(&s3, bucket);
    let f = fixture();
    let training = f.baseline.parent().expect("dir").join("training.csv");
    put(
        &s3,
        bucket,
        "data/training.csv",
        std::fs::read(&training).expect("csv"),
    );
    let r = driftmon(
        &AwsEnv::moto(&moto),
        &[
            "baseline",
            "suggest",
            "--input",
            &format!("s3://{bucket}/data/training.csv"),
            "--header",
            "--output",
            &format!("s3://{bucket}/baseline"),
        ],
    );
    assert!(r.ok, "{} {}", r.last_line, r.stderr);
    for name in ["statistics.json", "constraints.json"] {
        let remote = get(&s3, bucket, &format!("baseline/{name}"));
        let local = std::fs::read(f.baseline.join(name)).expect("local baseline");
        assert!(remote == local, "{name} differs from the local suggestion");
    }
    let report: Value =
        serde_json::from_slice(&get(&s3, bucket, "baseline/baseline_report.json")).expect("report");
    assert_eq!(report["rows_profiled"], 2000);
}
