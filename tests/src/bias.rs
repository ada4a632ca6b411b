//! The model-bias scenario of the real AWS files (clarify-monitors.md §7.4): the Clarify bias
//! notebook's merged record captured `copies` times and joined with its ground truth, the
//! monitor's `analysis_config.json`, and the real baseline `analysis.json`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::fixture;

/// The Adult dataset's headers, the label last.
pub const HEADERS: [&str; 15] = [
    "Age",
    "Workclass",
    "fnlwgt",
    "Education",
    "Education-Num",
    "Marital Status",
    "Occupation",
    "Relationship",
    "Ethnic group",
    "Sex",
    "Capital Gain",
    "Capital Loss",
    "Hours per week",
    "Country",
    "Target",
];

/// The 9 violations of the real monitoring execution (§3.6).
pub const REAL_NINE: [&str; 9] = ["CDDPL", "DAR", "DCA", "DCR", "FT", "GE", "RD", "SD", "TE"];

/// The monitor's `analysis_config.json` (§7.4).
pub fn monitor_config() -> Value {
    json!({
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "Sex", "value_or_threshold": [0]}],
        "group_variable": "Age",
        "headers": HEADERS,
        "label": "instances[*].label"
    })
}

/// Writes `text` to `p`, creating its folder.
pub fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A capture root holding the real merged record's capture `copies` times (hour 2024-01-19T20)
/// and a ground-truth root holding its label once; returns (capture, ground truth, config).
pub fn scenario(dir: &Path, copies: usize, config: &Value) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let p = fixture("examples-notebook-output-captures/merged-record-endpoint.pretty.json")?;
    let m: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let capture = dir.join("capture");
    let line = json!({
        "captureData": m["captureData"],
        "eventMetadata": m["eventMetadata"],
        "eventVersion": "0"
    })
    .to_string();
    let lines: Vec<String> = (0..copies).map(|_| line.clone()).collect();
    write(
        &capture.join("adult/AllTraffic/2024/01/19/20/capture.jsonl"),
        &(lines.join("\n") + "\n"),
    );
    let gt = dir.join("ground-truth");
    let label = json!({
        "groundTruthData": m["groundTruthData"],
        "eventMetadata": {"eventId": m["eventMetadata"]["inferenceId"]},
        "eventVersion": "0"
    });
    write(
        &gt.join("2024/01/19/20/labels.jsonl"),
        &(label.to_string() + "\n"),
    );
    let cfg = dir.join("analysis_config.json");
    write(&cfg, &config.to_string());
    Some((capture, gt, cfg))
}

/// The real baseline `analysis.json`.
pub fn baseline() -> Option<PathBuf> {
    fixture("examples-notebook-output-clarify/bias-baseline-analysis.json")
}

/// The bias scenario in a moto bucket: (bucket, the `[[monitor]]` TOML of a bias monitor
/// reading it, hourly, named `adult-bias`, writing below `s3://<bucket>/out`).
pub fn bias_in_s3(moto: &str, dir: &Path) -> Option<(String, String, (PathBuf, PathBuf, PathBuf))> {
    use crate::aws::{block, moto_s3, put, upload};
    let s = scenario(dir, 5, &monitor_config())?;
    let s3 = moto_s3(moto);
    let bucket = crate::servers::unique("driftmon-bias");
    block(s3.create_bucket().bucket(&bucket).send()).expect("create bucket");
    upload(&s3, &bucket, "capture", &s.0);
    upload(&s3, &bucket, "ground-truth", &s.1);
    put(
        &s3,
        &bucket,
        "config/analysis_config.json",
        std::fs::read(&s.2).unwrap(),
    );
    put(
        &s3,
        &bucket,
        "baseline/analysis.json",
        std::fs::read(baseline()?).unwrap(),
    );
    let toml = format!(
        r#"
[[monitor]]
name = "adult-bias"
type = "model-bias"
endpoint = "adult"
capture = "s3://{bucket}/capture"
baseline = "s3://{bucket}/baseline/analysis.json"
output = "s3://{bucket}/out"
schedule = "cron(0 * ? * * *)"
start_offset = "-PT1H"
end_offset = "-PT0H"
max_catch_up = 1
retry_attempts = 1
ground_truth = "s3://{bucket}/ground-truth"
analysis_config = "s3://{bucket}/config/analysis_config.json"
input_path = "instances[*].features"
inference_attribute = "predictions[*].predicted_label"
decision_mode = "point"
"#
    );
    Some((bucket, toml, s))
}
