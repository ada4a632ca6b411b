//! The demo's bias scenario: a loan-approval model (`loan-approval`, JSON payloads as the
//! Clarify notebooks send them) whose treatment of one group changes for a few hours.
//!
//! Applicants have an age, a `gender` (0 for 30 % of them: the facet), an income and a
//! `channel` (the group variable). The true approval rate is 0.5 for both groups and the model
//! is right 85 % of the time — except from hour [`BIAS_START`] to [`BIAS_END`], when it turns
//! down half of the facet's qualified applicants. The baseline is Clarify's analysis of a
//! labelled validation set; each hour is one bias execution (bootstrap decision) in
//! `runs-bias/HH/`: `analysis.json`, `report.html` and, in the biased hours,
//! `constraint_violations.json`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{Rng, DAY, VARIANT};
use crate::job::{run_once, Job};
use crate::monitors::model_bias::suggest::{suggest_bias, BiasFormat, BiasSuggestSpec};
use crate::monitors::model_bias::{ModelBias, ModelBiasSpec};
use crate::monitors::WindowSpec;
use driftmon_baseline::capture::{format_timestamp_ms, parse_timestamp_ms};
use driftmon_baseline::read::HeaderMode;
use serde_json::json;

/// The bias scenario's endpoint.
pub const BIAS_ENDPOINT: &str = "loan-approval";
/// The first hour of the biased treatment.
pub const BIAS_START: i64 = 16;
/// The last hour of the biased treatment.
pub const BIAS_END: i64 = 19;
/// Capture records per hour.
pub const BIAS_RECORDS_PER_HOUR: usize = 1000;

/// One applicant: features, the true label, the model's decision.
fn applicant(rng: &mut Rng, biased: bool) -> ([f64; 4], u8, u8) {
    let age = (40.0 + 12.0 * rng.normal()).round().clamp(18.0, 90.0);
    let gender = if rng.uniform() < 0.3 { 0.0 } else { 1.0 };
    let income = ((10.9 + 0.5 * rng.normal()).exp() / 100.0).round() * 100.0;
    let channel = rng.pick(&[0.5, 0.35, 0.15]) as f64;
    let y = u8::from(rng.uniform() < 0.5);
    let mut pred = if rng.uniform() < 0.85 { y } else { 1 - y };
    if biased && gender == 0.0 && pred == 1 && rng.uniform() < 0.5 {
        pred = 0;
    }
    ([age, gender, income, channel], y, pred)
}

fn features_json(f: &[f64; 4]) -> serde_json::Value {
    json!([f[0] as i64, f[1] as i64, f[2] as i64, f[3] as i64])
}

/// The analysis configuration of the scenario.
pub fn bias_config() -> serde_json::Value {
    json!({
        "dataset_type": "application/json",
        "headers": ["age", "gender", "income", "channel", "approved"],
        "features": "instances[*].features",
        "label": "instances[*].label",
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "gender", "value_or_threshold": [0]}],
        "group_variable": "channel"
    })
}

/// Writes the scenario's files below `dir` and returns (capture, ground truth, config, dataset).
fn write_files(dir: &Path) -> anyhow::Result<(PathBuf, PathBuf, PathBuf, PathBuf)> {
    let capture = dir.join("capture-bias");
    let gt = dir.join("ground-truth-bias");
    let _ = std::fs::remove_dir_all(&capture);
    let _ = std::fs::remove_dir_all(&gt);
    let mut rng = Rng::new(2024);
    let instances: Vec<serde_json::Value> = (0..4000)
        .map(|_| {
            let (f, y, p) = applicant(&mut rng, false);
            json!({"features": features_json(&f), "label": y, "predicted_label": p})
        })
        .collect();
    let dataset = dir.join("validation-bias.json");
    std::fs::write(&dataset, json!({ "instances": instances }).to_string())?;
    let config = dir.join("analysis_config.json");
    std::fs::write(&config, bias_config().to_string())?;
    let (y, m, d) = DAY;
    for hour in 0..24i64 {
        let rel = format!("{y:04}/{m:02}/{d:02}/{hour:02}");
        let cdir = capture.join(BIAS_ENDPOINT).join(VARIANT).join(&rel);
        let gdir = gt.join(&rel);
        std::fs::create_dir_all(&cdir)?;
        std::fs::create_dir_all(&gdir)?;
        let biased = (BIAS_START..=BIAS_END).contains(&hour);
        let (mut c, mut g) = (String::new(), String::new());
        for i in 0..BIAS_RECORDS_PER_HOUR {
            let (f, label, pred) = applicant(&mut rng, biased);
            let id = format!("{hour:02}-{i:04}");
            let secs = i * 3600 / BIAS_RECORDS_PER_HOUR;
            let time = format!(
                "{y:04}-{m:02}-{d:02}T{hour:02}:{:02}:{:02}Z",
                secs / 60,
                secs % 60
            );
            let record = json!({
                "captureData": {
                    "endpointInput": {"observedContentType": "application/json", "mode": "INPUT",
                        "data": json!({"instances": [{"features": features_json(&f)}]}).to_string(),
                        "encoding": "JSON"},
                    "endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT",
                        "data": json!({"predictions": [{"predicted_label": pred}]}).to_string(),
                        "encoding": "JSON"}
                },
                "eventMetadata": {"eventId": format!("e-{id}"), "inferenceId": id, "inferenceTime": time},
                "eventVersion": "0"
            });
            let _ = writeln!(c, "{record}");
            let truth = json!({
                "groundTruthData": {"data": json!({"instances": [{"label": label}]}).to_string(),
                    "encoding": "JSON"},
                "eventMetadata": {"eventId": id},
                "eventVersion": "0"
            });
            let _ = writeln!(g, "{truth}");
        }
        std::fs::write(cdir.join("capture.jsonl"), c)?;
        std::fs::write(gdir.join("labels.jsonl"), g)?;
    }
    Ok((capture, gt, config, dataset))
}

/// Writes the scenario, suggests its baseline and runs every hour; prints a line per hour.
pub fn run_bias_demo(dir: &Path) -> anyhow::Result<()> {
    let (capture, gt, config, dataset) = write_files(dir)?;
    let baseline = dir.join("baseline-bias");
    let b = suggest_bias(&BiasSuggestSpec {
        input: dataset,
        format: BiasFormat::Json,
        header: HeaderMode::Auto,
        analysis_config: config.clone(),
        output: baseline.clone(),
        inference_attribute: Some("instances[*].predicted_label".into()),
        probability_attribute: None,
        probability_threshold: None,
    })?;
    println!(
        "\nModel bias drift ({BIAS_ENDPOINT}: facet gender = 0, bootstrap decision; baseline of {} rows in {}):",
        b.used,
        baseline.join("analysis.json").display()
    );
    let _ = std::fs::remove_dir_all(dir.join("runs-bias"));
    let (y, m, d) = DAY;
    let day0 = parse_timestamp_ms(&format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
        .ok_or_else(|| anyhow::anyhow!("bad demo day"))?;
    for hour in 0..24i64 {
        let start = day0 + hour * 3_600_000;
        let end = start + 3_600_000;
        let job = Job {
            window: WindowSpec {
                capture: capture.clone(),
                endpoint: BIAS_ENDPOINT.into(),
                variant: Some(VARIANT.into()),
                start_ms: start,
                end_ms: end,
            },
            output: dir.join("runs-bias").join(format!("{hour:02}")),
            monitors: vec![Box::new(ModelBias {
                spec: ModelBiasSpec {
                    analysis_config: config.clone(),
                    baseline: Some(baseline.join("analysis.json")),
                    ground_truth: gt.clone(),
                    ground_truth_start_ms: start,
                    ground_truth_end_ms: end,
                    features_attribute: None,
                    inference_attribute: Some("predictions[*].predicted_label".into()),
                    probability_attribute: None,
                    probability_threshold: None,
                    drift: driftmon_rules::bias::DriftParams::default(),
                },
            })],
            history: Vec::new(),
        };
        let label = &format_timestamp_ms(start)[11..16];
        match run_once(&job, None) {
            Ok((o, _)) => {
                let names: Vec<String> = o
                    .all_violations()
                    .violations
                    .iter()
                    .filter_map(|v| v.metric_name.clone())
                    .collect();
                println!("{label:<6} {:<24} {}", o.status.as_str(), names.join(", "));
            }
            Err(e) => println!("{label:<6} Failed: {e}"),
        }
    }
    println!(
        "Each hour's bias outputs are in {0}/runs-bias/HH/ (open {0}/runs-bias/{BIAS_START}/report.html).",
        dir.display()
    );
    Ok(())
}
