//! The monitor type as the unit of a run: each type's `constraint_violations.json` in its own
//! place, model quality alone with `--monitor-type model-quality`, the types SageMaker names but
//! driftmon does not build yet refused clearly, and a model-quality execution that matched no
//! usable prediction failing instead of completing silently. Runs the demo's endpoint through the
//! real `driftmon` binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use driftmon_baseline::files::parse_violations;
use driftmon_tests::{built_driftmon, temp_dir};

const HOUR_08: (&str, &str) = ("2026-11-21T08:00:00Z", "2026-11-21T09:00:00Z");

/// The demo, generated once for every test of this file.
fn demo() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = temp_dir("monitor-types-demo");
        driftmon_monitor::cli::demo::run_demo(&dir).expect("the demo runs");
        dir
    })
}

fn violations(p: &Path) -> driftmon_baseline::files::ConstraintViolations {
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    parse_violations(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `driftmon run` over the demo's hour 08 with `args`; returns (exit ok, stdout, stderr).
fn run(out: &Path, args: &[&str]) -> (bool, String, String) {
    let d = demo();
    let o = Command::new(built_driftmon())
        .arg("run")
        .args(["--capture", &d.join("capture").to_string_lossy()])
        .args([
            "--endpoint",
            "credit-risk",
            "--start",
            HOUR_08.0,
            "--end",
            HOUR_08.1,
        ])
        .args(["--output", &out.to_string_lossy()])
        .args(args)
        .output()
        .expect("driftmon runs");
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn each_monitor_types_violations_stay_in_its_own_file() {
    let runs = demo().join("runs");
    let mut model_quality_violations = 0;
    for hour in 0..24 {
        let dir = runs.join(format!("{hour:02}"));
        let dq = violations(&dir.join("constraint_violations.json"));
        let mq = violations(&dir.join("model_quality/constraint_violations.json"));
        assert!(
            dq.violations
                .iter()
                .all(|v| v.feature_name.is_some() && v.metric_name.is_none()),
            "hour {hour}: data-quality file holds {:?}",
            dq.violations
        );
        assert!(
            mq.violations
                .iter()
                .all(|v| v.metric_name.is_some() && v.feature_name.is_none()),
            "hour {hour}: model-quality file holds {:?}",
            mq.violations
        );
        model_quality_violations += mq.violations.len();
        // The report is the one combined view: its count is both files'.
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("drift_report.json")).unwrap()).unwrap();
        assert_eq!(
            report["violations"].as_u64(),
            Some((dq.violations.len() + mq.violations.len()) as u64),
            "hour {hour}"
        );
    }
    // Hours 08–11: the labels stop following the model.
    assert!(model_quality_violations > 0);
    assert!(
        !violations(&runs.join("08/model_quality/constraint_violations.json"))
            .violations
            .is_empty()
    );
}

#[test]
fn model_quality_alone_writes_its_files_at_the_root() {
    let d = demo();
    let out = temp_dir("monitor-types-mq-alone");
    let (ok, stdout, stderr) = run(
        &out,
        &[
            "--monitor-type",
            "model-quality",
            "--variant",
            "AllTraffic",
            "--ground-truth",
            &d.join("ground-truth").to_string_lossy(),
            "--ground-truth-end",
            "2026-11-21T10:00:00Z",
            "--problem-type",
            "BinaryClassification",
            "--probability-attribute",
            "0",
            "--probability-threshold",
            "0.5",
            "--baseline",
            &d.join("baseline-model-quality").to_string_lossy(),
        ],
    );
    assert!(ok, "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "CompletedWithViolations", "{stderr}");
    let v = violations(&out.join("constraint_violations.json"));
    assert!(!v.violations.is_empty());
    assert!(v.violations.iter().all(|v| v.metric_name.is_some()));
    let stats = std::fs::read_to_string(out.join("statistics.json")).unwrap();
    assert!(stats.contains("binary_classification_metrics"), "{stats}");
    // Model quality alone has no data-quality report.
    assert!(!out.join("drift_report.json").exists());
    assert!(!out.join("model_quality").exists());
}

#[test]
fn names_on_csv_capture_fail_with_the_reason_instead_of_completing() {
    let d = demo();
    let out = temp_dir("monitor-types-mq-names");
    let (ok, stdout, stderr) = run(
        &out,
        &[
            "--baseline",
            &d.join("baseline").to_string_lossy(),
            "--ground-truth",
            &d.join("ground-truth").to_string_lossy(),
            "--problem-type",
            "BinaryClassification",
            "--inference-attribute",
            "y_pred",
            "--probability-attribute",
            "y_pred_proba",
        ],
    );
    assert!(
        !ok,
        "a run without usable predictions must not succeed: {stdout}{stderr}"
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("Failed: NoMatchedPredictions"), "{stdout}");
    assert!(
        last.contains("`y_pred` and `y_pred_proba` is a column name")
            || last.contains("is a column name, but this row has no names (CSV)"),
        "{last}"
    );
    // A failed job writes nothing.
    assert!(!out.join("constraint_violations.json").exists());
}

#[test]
fn monitor_types_are_named_as_sagemaker_names_them() {
    let d = demo();
    let out = temp_dir("monitor-types-names");
    let baseline = d.join("baseline").to_string_lossy().into_owned();
    // Feature attribution drift is named and refused until it is built; model bias is built
    // and says what it needs (issue 15).
    let (ok, stdout, _) = run(
        &out,
        &[
            "--monitor-type",
            "model-explainability",
            "--baseline",
            &baseline,
        ],
    );
    assert!(!ok);
    assert!(
        stdout.contains("--monitor-type model-explainability: not available yet"),
        "{stdout}"
    );
    let (ok, stdout, _) = run(
        &out,
        &["--monitor-type", "model-bias", "--baseline", &baseline],
    );
    assert!(!ok);
    assert!(
        stdout.contains("--monitor-type model-bias needs"),
        "{stdout}"
    );
    let (ok, _, stderr) = run(&out, &["--monitor-type", "bias", "--baseline", &baseline]);
    assert!(!ok);
    assert!(
        stderr.contains("data-quality")
            && stderr.contains("model-quality")
            && stderr.contains("model-bias")
            && stderr.contains("model-explainability"),
        "{stderr}"
    );
    // data-quality is the default and can be named.
    let (ok, stdout, stderr) = run(
        &out,
        &["--monitor-type", "data-quality", "--baseline", &baseline],
    );
    assert!(ok, "{stdout}{stderr}");
    assert!(out.join("drift_report.json").exists());
}

#[test]
fn the_toml_names_a_monitors_type() {
    use driftmon_monitor::config::{parse, MonitorType, ValidateContext};
    let ctx = ValidateContext {
        base_dir: None,
        env: &|_| None,
    };
    let text = |t: &str| {
        format!(
            "[[monitor]]\nname = \"m\"\ntype = \"{t}\"\nendpoint = \"e\"\ncapture = \"/c\"\n\
             baseline = \"/b\"\noutput = \"/o\"\nschedule = \"cron(0 * ? * * *)\"\n\
             ground_truth = \"/gt\"\nproblem_type = \"Regression\"\ninference_attribute = 0\n"
        )
    };
    let cfg = parse(&text("model-quality"), &ctx).expect("valid");
    assert_eq!(cfg.monitors[0].kind, MonitorType::ModelQuality);
    let cfg = parse(&text("ModelQuality"), &ctx).expect("SageMaker's spelling is valid too");
    assert_eq!(cfg.monitors[0].kind, MonitorType::ModelQuality);
    let err = parse(&text("model-explainability"), &ctx)
        .unwrap_err()
        .to_string();
    assert!(err.contains("monitor[0].type"), "{err}");
    assert!(err.contains("not available yet"), "{err}");
    let err = parse(&text("quality"), &ctx).unwrap_err().to_string();
    assert!(
        err.contains("is not one of data-quality, model-quality, model-bias, model-explainability"),
        "{err}"
    );
}

#[test]
fn drift_settings_are_validated_on_the_command_line_as_in_the_toml() {
    let d = demo();
    let out = temp_dir("monitor-types-alpha");
    let baseline = d.join("baseline").to_string_lossy().into_owned();
    let (ok, stdout, _) = run(&out, &["--baseline", &baseline, "--alpha", "5"]);
    assert!(!ok, "--alpha 5 must be refused: {stdout}");
    assert!(stdout.contains("--alpha: 5 must be in (0, 1]"), "{stdout}");
    assert!(!out.join("constraint_violations.json").exists());
}
