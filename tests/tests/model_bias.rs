//! The model-bias monitor type end to end through the real `driftmon` binary, on the real AWS
//! files of `../shared/fixtures/sagemaker/` (clarify-monitors.md §3.6, §7.4):
//!
//! * the real monitoring execution: the merged record of the Clarify bias notebook captured 5
//!   times (as the real traffic repeated its ids) and joined with its ground truth gives
//!   exactly the 9 real violations in point mode, with the real descriptions, in Clarify's
//!   `constraint_violations.json`; one copy gives the 8 of the batch-transform notebook;
//! * the baseline job reproduces the pre-training metrics of the real
//!   `bias-baseline-analysis.json` from `validation-dataset.json`;
//! * the bootstrap decision is deterministic for a seed; metrics go out as
//!   `bias_metric_<NAME>` with SageMaker's dimensions and ±inf as ±2^360;
//! * bad input fails with the reason: a malformed `analysis_config.json` (every problem with
//!   its JSON path), a window without ground truth, a facet that is not a column.

use std::path::{Path, PathBuf};
use std::process::Command;

use driftmon_rules::bias::{BiasAnalysis, Metric, Stage};
use driftmon_tests::bias::{
    baseline, bias_in_s3, monitor_config, scenario, write, HEADERS, REAL_NINE,
};
use driftmon_tests::{built_driftmon, fixture, temp_dir};
use serde_json::{json, Value};

/// `driftmon run --monitor-type model-bias` over the scenario's hour; (ok, stdout, stderr).
fn run_bias(dir: &Path, s: &(PathBuf, PathBuf, PathBuf), extra: &[&str]) -> (bool, String, String) {
    let o = Command::new(built_driftmon())
        .arg("run")
        .args(["--monitor-type", "model-bias"])
        .args(["--capture", &s.0.to_string_lossy(), "--endpoint", "adult"])
        .args([
            "--start",
            "2024-01-19T20:00:00Z",
            "--end",
            "2024-01-19T21:00:00Z",
        ])
        .args(["--ground-truth", &s.1.to_string_lossy()])
        .args(["--analysis-config", &s.2.to_string_lossy()])
        .args(["--input-path", "instances[*].features"])
        .args(["--inference-attribute", "predictions[*].predicted_label"])
        .args(["--output", &dir.join("out").to_string_lossy()])
        .args(extra)
        .output()
        .expect("driftmon runs");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn violation_names(out: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(out.join("constraint_violations.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], "1.0");
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["constraint_check_type"], "bias_drift_check");
            assert_eq!(
                (x["facet"].as_str(), x["facet_value"].as_str()),
                (Some("Sex"), Some("0"))
            );
            x["metric_name"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn the_real_monitoring_execution_gives_its_nine_violations() {
    let dir = temp_dir("bias-real-nine");
    let Some(s) = scenario(&dir, 5, &monitor_config()) else {
        return;
    };
    let base = baseline().unwrap();
    let metrics = dir.join("metrics.jsonl");
    let (ok, stdout, stderr) = run_bias(
        &dir,
        &s,
        &[
            "--baseline",
            &base.to_string_lossy(),
            "--decision-mode",
            "point",
            "--metrics-file",
            &metrics.to_string_lossy(),
            "--schedule",
            "bias-hourly",
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "CompletedWithViolations");
    assert!(stderr.contains("with 9 violations"), "{stderr}");
    let out = dir.join("out");
    assert_eq!(violation_names(&out), REAL_NINE);
    let text = std::fs::read_to_string(out.join("constraint_violations.json")).unwrap();
    // Clarify's wording and Python's number spelling, as in the real file.
    for d in [
        "Metric value -36.69387755102041 doesn't meet the baseline constraint requirement -0.5278688524590163",
        "Metric value Infinity doesn't meet the baseline constraint requirement 2.916666666666667",
        "Metric value -0.13636363636363635 doesn't meet the baseline constraint requirement -0.03333333333333333",
    ] {
        assert!(text.contains(d), "{d}");
    }
    assert!(text.starts_with("{\n    \"version\": \"1.0\",\n    \"violations\": [\n        {\n            \"facet\": \"Sex\","));
    // analysis.json: the window's metrics, readable as a baseline in turn.
    let a =
        BiasAnalysis::from_json_str(&std::fs::read_to_string(out.join("analysis.json")).unwrap())
            .expect("analysis.json parses");
    let dca = a
        .find(Stage::PostTraining, "Sex", "0", Metric::DCA)
        .unwrap();
    assert_eq!(dca.outcome.clone().unwrap().as_f64(), -36.69387755102041);
    // The page: status, the violations, the facet's counts (5 copies × 334 rows).
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Violations (9)") && html.contains("✗ CompletedWithViolations"));
    assert!(html.contains("Sex = 0"));
    // 5 copies × 334 rows, as the page counts them.
    assert!(html.contains("<th scope=\"row\">rows analysed</th><td>1,670</td>"));
    // CloudWatch points: SageMaker's names and dimensions; TE = +inf goes out as 2^360.
    let points: Vec<Value> = std::fs::read_to_string(&metrics)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let te = points
        .iter()
        .find(|p| p.to_string().contains("bias_metric_TE"))
        .expect("TE published");
    let te_text = te.to_string();
    for needle in [
        "aws/sagemaker/Endpoints/bias-metrics",
        "Post-Training",
        "\"Facet\"",
        "\"Sex\"",
        "FacetValue",
        "\"Label\"",
        "\"Target\"",
        "LabelValue",
        "bias-hourly",
    ] {
        assert!(te_text.contains(needle), "{needle} in {te_text}");
    }
    assert_eq!(te["Value"].as_f64(), Some(2f64.powi(360)), "{te_text}");
    let names: std::collections::BTreeSet<String> = points
        .iter()
        .filter_map(|p| {
            let s = p.to_string();
            s.find("bias_metric_")
                .map(|i| s[i..].split('"').next().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        names.len(),
        21,
        "every pre- and post-training metric: {names:?}"
    );
}

#[test]
fn one_copy_gives_the_eight_violations_without_ft() {
    let dir = temp_dir("bias-one-copy");
    let Some(s) = scenario(&dir, 1, &monitor_config()) else {
        return;
    };
    let base = baseline().unwrap();
    let (ok, stdout, stderr) = run_bias(
        &dir,
        &s,
        &[
            "--baseline",
            &base.to_string_lossy(),
            "--decision-mode",
            "point",
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    let names = violation_names(&dir.join("out"));
    let want: Vec<&str> = REAL_NINE.iter().copied().filter(|n| *n != "FT").collect();
    assert_eq!(names, want);
}

#[test]
fn the_bootstrap_decision_is_deterministic_for_a_seed() {
    let dir = temp_dir("bias-bootstrap");
    let Some(s) = scenario(&dir, 5, &monitor_config()) else {
        return;
    };
    let base = baseline().unwrap().to_string_lossy().into_owned();
    let mut files = Vec::new();
    for _ in 0..2 {
        let (ok, stdout, stderr) =
            run_bias(&dir, &s, &["--baseline", &base, "--bootstrap-seed", "7"]);
        assert!(ok, "{stdout}{stderr}");
        files.push(std::fs::read(dir.join("out/constraint_violations.json")).unwrap());
    }
    assert_eq!(files[0], files[1]);
    // Every bootstrap violation is also a point violation (the interval contains the value).
    let names = violation_names(&dir.join("out"));
    assert!(
        !names.is_empty() && names.iter().all(|n| REAL_NINE.contains(&n.as_str())),
        "{names:?}"
    );
}

#[test]
fn the_baseline_job_reproduces_the_real_pre_training_metrics() {
    let (Some(data), Some(base)) = (
        fixture("examples-clarify-bias-endpoint-json/validation-dataset.json"),
        baseline(),
    ) else {
        return;
    };
    let dir = temp_dir("bias-suggest");
    let mut cfg = monitor_config();
    cfg["features"] = json!("instances[*].features");
    cfg["dataset_type"] = json!("application/json");
    // The dataset has no predicted label: the pre-training metrics only.
    cfg["methods"] = json!({"pre_training_bias": {"methods": "all"}});
    let cfg_path = dir.join("analysis_config.json");
    write(&cfg_path, &cfg.to_string());
    let (ok, stdout) = suggest_bias(&dir, &data, &cfg_path, &[]);
    assert!(ok, "{stdout}");
    assert!(stdout.contains("666 analysed"), "{stdout}");
    let ours = read_analysis(&dir.join("baseline/analysis.json"));
    let real = read_analysis(&base);
    assert!(
        ours.post_training.is_none(),
        "no predicted label in the dataset"
    );
    for m in Metric::of_stage(Stage::PreTraining) {
        let v = |a: &BiasAnalysis| {
            a.find(Stage::PreTraining, "Sex", "0", m)
                .unwrap()
                .outcome
                .clone()
                .unwrap()
                .as_f64()
        };
        let (a, b) = (v(&ours), v(&real));
        let ulps = (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
        // JS sums logarithms in another order than numpy: within 4 ulps (clarify-monitors.md §3.6).
        let tol = if m == Metric::JS { 4 } else { 0 };
        assert!(ulps <= tol, "{m}: ours {a:?}, real {b:?}");
    }
}

#[test]
fn bad_input_fails_with_the_reason() {
    let dir = temp_dir("bias-bad");
    // A malformed analysis_config.json: every problem at once, with its JSON path.
    let bad = json!({"headers": HEADERS, "facet": [{"value_or_threshold": [0]}], "label_values_or_threshold": "x"});
    let Some(s) = scenario(&dir, 1, &bad) else {
        return;
    };
    let (ok, stdout, _) = run_bias(&dir, &s, &[]);
    assert!(!ok);
    assert!(stdout.starts_with("Failed: "), "{stdout}");
    for path in ["facet[0].name_or_index", "label_values_or_threshold"] {
        assert!(stdout.contains(path), "{path} in {stdout}");
    }
    assert!(!dir.join("out/analysis.json").exists(), "nothing written");
    // A window without ground truth.
    let dir = temp_dir("bias-no-labels");
    let s = scenario(&dir, 1, &monitor_config()).unwrap();
    std::fs::remove_dir_all(&s.1).unwrap();
    std::fs::create_dir_all(&s.1).unwrap();
    let (ok, stdout, _) = run_bias(&dir, &s, &[]);
    assert!(!ok);
    assert!(stdout.contains("no ground truth in the window"), "{stdout}");
    // A facet that is not a column of the table.
    let dir = temp_dir("bias-no-facet");
    let mut cfg = monitor_config();
    cfg["facet"] = json!([{"name_or_index": "Gender", "value_or_threshold": [0]}]);
    let s = scenario(&dir, 1, &cfg).unwrap();
    let (ok, stdout, stderr) = run_bias(&dir, &s, &[]);
    assert!(!ok, "{stdout}{stderr}");
    assert!(stdout.contains("Gender"), "{stdout}");
}

#[test]
fn the_toml_runs_a_model_bias_monitor_validated_like_the_others() {
    use driftmon_monitor::config::{parse, MonitorType, ValidateContext};
    let dir = temp_dir("bias-toml");
    let good = dir.join("good.json");
    write(&good, &monitor_config().to_string());
    let broken = dir.join("broken.json");
    write(
        &broken,
        r#"{"facet": [{"value_or_threshold": [0]}], "label": 3, "label_values_or_threshold": "x"}"#,
    );
    let ctx = ValidateContext {
        base_dir: None,
        env: &|_| None,
    };
    let text = |cfg: &Path, extra: &str| {
        format!(
            "[[monitor]]\nname = \"bias\"\ntype = \"model-bias\"\nendpoint = \"e\"\ncapture = \"/c\"\n\
             baseline = \"/b/analysis.json\"\noutput = \"/o\"\nschedule = \"cron(0 * ? * * *)\"\n\
             ground_truth = \"/gt\"\nanalysis_config = \"{}\"\n\
             inference_attribute = \"predictions[*].predicted_label\"\n{extra}",
            cfg.display()
        )
    };
    let c = parse(&text(&good, "decision_mode = \"point\"\n"), &ctx).expect("valid");
    assert_eq!(c.monitors[0].kind, MonitorType::ModelBias);
    let b = c.monitors[0].model_bias.as_ref().unwrap();
    assert_eq!(b.drift.mode, driftmon_rules::bias::DecisionMode::Point);
    assert_eq!(
        b.inference_attribute.as_deref(),
        Some("predictions[*].predicted_label")
    );
    let err = parse(
        &text(
            &broken,
            "decision_mode = \"maybe\"\nproblem_type = \"Regression\"\n",
        ),
        &ctx,
    )
    .unwrap_err()
    .to_string();
    for needle in [
        "monitor[0].analysis_config",
        "facet[0].name_or_index",
        "label_values_or_threshold",
        "monitor[0].decision_mode",
        "monitor[0].problem_type",
    ] {
        assert!(err.contains(needle), "{needle} in {err}");
    }
}

#[test]
fn dashboards_graph_the_bias_metrics_and_alarm_on_their_violations() {
    let Some(base) = baseline() else {
        return;
    };
    let dir = temp_dir("bias-dashboards");
    let o = Command::new(built_driftmon())
        .args([
            "dashboards",
            "--endpoint",
            "adult",
            "--schedule",
            "adult-data",
        ])
        .args(["--features", "Age"])
        .args(["--bias-baseline", &base.to_string_lossy()])
        .args(["--bias-schedule", "adult-bias"])
        .args(["--output", &dir.to_string_lossy(), "--region", "us-east-1"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let body: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("dashboard.json")).unwrap())
            .unwrap();
    let widgets = body["widgets"].as_array().unwrap();
    let bias: Vec<&Value> = widgets
        .iter()
        .filter(|w| {
            w["properties"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Bias "))
        })
        .collect();
    // The real baseline: one facet value, both stages.
    assert_eq!(bias.len(), 2);
    let line = bias
        .iter()
        .flat_map(|w| w["properties"]["metrics"].as_array().unwrap())
        .find(|l| l[1] == "bias_metric_DCA")
        .expect("DCA graphed");
    assert_eq!(line[0], "aws/sagemaker/Endpoints/bias-metrics");
    let dims: Vec<&str> = line.as_array().unwrap()[2..16]
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        dims,
        [
            "Endpoint",
            "adult",
            "MonitoringSchedule",
            "adult-bias",
            "BiasStage",
            "Post-Training",
            "Label",
            "Target",
            "LabelValue",
            "1",
            "Facet",
            "Sex",
            "FacetValue",
            "0"
        ]
    );
    let alarms: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("alarms.json")).unwrap()).unwrap();
    let a = alarms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["AlarmName"]
                .as_str()
                .unwrap()
                .ends_with("bias-violations")
        })
        .expect("the bias alarm");
    assert_eq!(a["MetricName"], "constraint_violations");
    assert!(a.to_string().contains("adult-bias"));
}

/// `driftmon run` over the scenario's hour 20 with the daemon's ground-truth window.
fn reference_run(dir: &Path, s: &(PathBuf, PathBuf, PathBuf)) -> PathBuf {
    let base = baseline().unwrap();
    let (ok, stdout, stderr) = run_bias(
        dir,
        s,
        &[
            "--baseline",
            &base.to_string_lossy(),
            "--decision-mode",
            "point",
            "--ground-truth-end",
            "2024-01-19T21:00:00Z",
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    dir.join("out")
}

#[test]
fn the_daemon_runs_a_bias_monitor_on_s3_and_writes_what_driftmon_run_writes() {
    use driftmon_tests::aws::{get, isolated_aws_env, moto_s3};
    let Some(moto) = driftmon_tests::test_endpoint("DRIFTMON_TEST_MOTO_ENDPOINT") else {
        return;
    };
    let dir = temp_dir("bias-serve");
    let Some((bucket, toml, s)) = bias_in_s3(&moto, &dir) else {
        return;
    };
    let cfg = dir.join("driftmon.toml");
    write(
        &cfg,
        &format!("[server]\nlisten = \"127.0.0.1:0\"\nshutdown_grace_seconds = 5\n{toml}"),
    );
    // CloudWatch through the test proxy (it speaks the SDK's CBOR protocol to moto), when run.
    let cw = driftmon_tests::test_endpoint("DRIFTMON_TEST_CW_ENDPOINT");
    let mut cmd = Command::new(built_driftmon());
    cmd.args(["serve", "--config", &cfg.to_string_lossy()])
        .args([
            "--clock-start",
            "2024-01-19T21:00:00Z",
            "--clock-speed",
            "60",
        ])
        .args(["--until", "2024-01-19T21:02:00Z"]);
    if cw.is_some() {
        cmd.arg("--publish-metrics");
    }
    isolated_aws_env(&mut cmd, "testing", "testing");
    cmd.env("AWS_ENDPOINT_URL_S3", &moto).env(
        "AWS_ENDPOINT_URL_CLOUDWATCH",
        cw.clone().unwrap_or_else(|| "http://127.0.0.1:9".into()),
    );
    let o = cmd.output().expect("driftmon serve");
    let logs = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{logs}");
    let reference = reference_run(&dir.join("reference"), &s);
    let s3 = moto_s3(&moto);
    let prefix = "out/adult/adult-bias/2024/01/19/21";
    for name in ["analysis.json", "constraint_violations.json", "report.html"] {
        let ours = get(&s3, &bucket, &format!("{prefix}/{name}"));
        let want = std::fs::read(reference.join(name)).unwrap();
        assert!(ours == want, "{name} differs from driftmon run's\n{logs}");
    }
    if let Some(cw) = cw {
        // SageMaker's bias metrics in CloudWatch: DCA with its dimensions and the real value,
        // TE = +inf as 2^360.
        let client = aws_sdk_cloudwatch::Client::new(&driftmon_tests::aws::sdk_config(
            &cw, "testing", "testing",
        ));
        let t = |s: &str| {
            aws_sdk_cloudwatch::primitives::DateTime::from_millis(
                driftmon_baseline::capture::parse_timestamp_ms(s).unwrap(),
            )
        };
        let mut req = client
            .get_metric_data()
            .start_time(t("2024-01-19T20:00:00Z"))
            .end_time(t("2024-01-19T22:00:00Z"));
        let dims: Vec<Value> = [
            ("Endpoint", "adult"),
            ("MonitoringSchedule", "adult-bias"),
            ("BiasStage", "Post-Training"),
            ("Label", "Target"),
            ("LabelValue", "1"),
            ("Facet", "Sex"),
            ("FacetValue", "0"),
        ]
        .iter()
        .map(|(k, v)| json!({"Name": k, "Value": v}))
        .collect();
        for (id, name) in [("dca", "bias_metric_DCA"), ("te", "bias_metric_TE")] {
            let point = json!({
                "Namespace": "aws/sagemaker/Endpoints/bias-metrics",
                "MetricName": name,
                "Dimensions": dims,
            });
            req = req.metric_data_queries(driftmon_tests::aws::metric_query(id, &point, "Maximum"));
        }
        let out = driftmon_tests::aws::block(req.send()).expect("GetMetricData");
        let value = |id: &str| {
            out.metric_data_results()
                .iter()
                .find(|r| r.id() == Some(id))
                .and_then(|r| r.values().first().copied())
        };
        assert_eq!(value("dca"), Some(-36.69387755102041), "{out:?}\n{logs}");
        assert_eq!(value("te"), Some(2f64.powi(360)), "{out:?}");
    }
}

#[test]
fn the_demo_shows_a_facet_whose_treatment_changes() {
    use driftmon_monitor::cli::demo::bias::{run_bias_demo, BIAS_END, BIAS_START};
    let dir = temp_dir("bias-demo");
    run_bias_demo(&dir).expect("the bias demo runs");
    for hour in 0..24i64 {
        let out = dir.join("runs-bias").join(format!("{hour:02}"));
        assert!(out.join("analysis.json").is_file() && out.join("report.html").is_file());
        let biased = (BIAS_START..=BIAS_END).contains(&hour);
        // Clarify writes constraint_violations.json only with violations: exactly the biased
        // hours, where the model turns down half of the facet's qualified applicants.
        assert_eq!(
            out.join("constraint_violations.json").is_file(),
            biased,
            "hour {hour}"
        );
        if biased {
            let names = violation_names_of(&out, "gender");
            for m in ["DPPL", "RD"] {
                assert!(
                    names.iter().any(|n| n == m),
                    "hour {hour}: {m} in {names:?}"
                );
            }
        }
    }
}

fn violation_names_of(out: &Path, facet: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("constraint_violations.json")).unwrap(),
    )
    .unwrap();
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|x| assert_eq!(x["facet"], facet))
        .map(|x| x["metric_name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_baseline_job_reads_a_headerless_csv_like_the_sdk_check_step() {
    let (Some(data), Some(real)) = (
        fixture("sdk-clarify-check-step/dataset.csv"),
        fixture("sdk-clarify-analysis/check_step_data_bias_analysis.good_case.json"),
    ) else {
        return;
    };
    let dir = temp_dir("bias-suggest-csv");
    let cfg = dir.join("analysis_config.json");
    write(
        &cfg,
        r#"{"dataset_type":"text/csv","headers":["Label","F1","F2","F3","F4"],"label":"Label",
            "label_values_or_threshold":[1],"facet":[{"name_or_index":"F1","value_or_threshold":[0.5]}],
            "group_variable":"F2","methods":{"pre_training_bias":{"methods":"all"}}}"#,
    );
    let (ok, stdout) = suggest_bias(&dir, &data, &cfg, &["--no-header"]);
    assert!(ok, "{stdout}");
    assert!(stdout.contains("100 rows read, 100 analysed"), "{stdout}");
    let ours = read_analysis(&dir.join("baseline/analysis.json"));
    let real = read_analysis(&real);
    let fv = "(0.5, 0.9936148802477393]";
    for m in Metric::of_stage(Stage::PreTraining) {
        let v = |a: &BiasAnalysis| {
            a.find(Stage::PreTraining, "F1", fv, m)
                .unwrap_or_else(|| panic!("{m} for {fv}"))
                .outcome
                .clone()
                .unwrap()
                .as_f64()
        };
        // Exact, to the last digit (clarify-monitors.md §3.6).
        assert_eq!(v(&ours).to_bits(), v(&real).to_bits(), "{m}");
    }
}

#[test]
fn a_facet_value_absent_from_the_window_is_undefined_never_nan() {
    let dir = temp_dir("bias-absent-value");
    let mut cfg = monitor_config();
    cfg["facet"] = json!([{"name_or_index": "Sex", "value_or_threshold": [5]}]);
    let Some(s) = scenario(&dir, 1, &cfg) else {
        return;
    };
    let metrics = dir.join("metrics.jsonl");
    let (ok, stdout, stderr) = run_bias(
        &dir,
        &s,
        &[
            "--metrics-file",
            &metrics.to_string_lossy(),
            "--schedule",
            "bias-hourly",
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "Completed");
    let out = dir.join("out");
    let analysis = std::fs::read_to_string(out.join("analysis.json")).unwrap();
    // Clarify's way: the value null with smclarify's error; never NaN in a file or a metric.
    assert!(
        analysis.contains("\"value\": null") && analysis.contains("\"error\""),
        "{analysis}"
    );
    for f in ["analysis.json", "report.html"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(!text.contains("NaN"), "{f}");
    }
    assert!(!out.join("constraint_violations.json").exists());
    let points = std::fs::read_to_string(&metrics).unwrap();
    assert!(
        !points.contains("NaN") && !points.contains("null"),
        "{points}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("undefined"),
        "the page says which metrics are undefined"
    );
}

/// `driftmon baseline suggest --monitor-type model-bias` into `<dir>/baseline`; (ok, output).
fn suggest_bias(dir: &Path, data: &Path, cfg: &Path, extra: &[&str]) -> (bool, String) {
    let o = Command::new(built_driftmon())
        .args(["baseline", "suggest", "--monitor-type", "model-bias"])
        .args(["--input", &data.to_string_lossy()])
        .args(["--analysis-config", &cfg.to_string_lossy()])
        .args(["--output", &dir.join("baseline").to_string_lossy()])
        .args(extra)
        .output()
        .expect("driftmon runs");
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

fn read_analysis(p: &Path) -> BiasAnalysis {
    BiasAnalysis::from_json_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn a_predicted_label_column_beyond_the_csv_is_an_error_not_a_panic() {
    let Some(data) = fixture("sdk-clarify-check-step/dataset.csv") else {
        return;
    };
    let dir = temp_dir("bias-suggest-bad-column");
    let cfg = dir.join("analysis_config.json");
    write(
        &cfg,
        r#"{"headers":["Label","F1","F2","F3","F4"],"label":"Label","label_values_or_threshold":[1],
            "facet":[{"name_or_index":"F1","value_or_threshold":[0.5]}]}"#,
    );
    let (ok, out) = suggest_bias(
        &dir,
        &data,
        &cfg,
        &["--no-header", "--inference-attribute", "9"],
    );
    assert!(!ok);
    assert!(
        out.contains("predicted label \"9\" is not a column"),
        "{out}"
    );
    assert!(!out.contains("panicked"), "{out}");
    assert!(!dir.join("baseline/analysis.json").exists());
}
