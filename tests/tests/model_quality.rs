//! Model quality end to end: the baseline job against real AWS output, and monitoring runs that
//! join capture with delayed ground truth, including every kind of bad input.

use std::path::{Path, PathBuf};

use driftmon_baseline::files::{parse_constraints, parse_statistics, parse_violations};
use driftmon_baseline::read::HeaderMode;
use driftmon_monitor::monitors::data_quality::suggest::Format;
use driftmon_monitor::monitors::model_quality::{
    run_model_quality, suggest_model_quality, write_outputs, Attribute, ModelQualityOptions,
    ModelQualityRunSpec, ModelQualityStatus, SuggestSpec,
};
use driftmon_rules::model_quality::{
    evaluate, metric_value, suggested_metrics, ProblemType, StdDevOptions,
};
use driftmon_tests::{fixture, temp_dir};
use serde_json::json;

const HOUR: i64 = 3_600_000;
/// 2024-01-19T17:00:00Z
const T17: i64 = 1_705_683_600_000;

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn regression_spec(dir: &Path, out: &str) -> Option<SuggestSpec> {
    let input = fixture("sdk-model-quality-regression-baseline/baseline_dataset.csv")?;
    // The SDK test that produced the fixture swapped the two attributes (see SOURCE.txt).
    Some(SuggestSpec {
        input,
        format: Format::Csv,
        header: HeaderMode::Auto,
        output: dir.join(out),
        options: ModelQualityOptions::new(
            ProblemType::Regression,
            Some(Attribute::Name("Label".into())),
        ),
        ground_truth_attribute: Attribute::Name("Prediction".into()),
    })
}

#[test]
fn regression_baseline_is_byte_identical_to_aws() {
    let dir = temp_dir("mq-regression");
    let Some(spec) = regression_spec(&dir, "baseline") else {
        return;
    };
    let Some(fx) = fixture("sdk-model-quality-regression-baseline") else {
        return;
    };
    let out = suggest_model_quality(&spec).unwrap();
    assert_eq!(out.rows, 100);
    assert_eq!(out.samples, 100);
    assert_eq!(out.issues.total(), 0);
    // statistics.json: mae/mse/rmse/r2 bit-equal, "standard_deviation" : "NaN" (100 < 200 rows),
    // and the whole file byte-identical.
    let ours = read(&dir.join("baseline/statistics.json"));
    let aws = read(&fx.join("statistics.json"));
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&aws)
    );
    let st = parse_statistics(&ours).unwrap();
    let sec = st.regression_metrics.as_ref().unwrap();
    assert_eq!(metric_value(sec, "mae"), Some(0.5040653554420981));
    assert_eq!(metric_value(sec, "mse"), Some(0.33364933609800973));
    assert_eq!(metric_value(sec, "rmse"), Some(0.5776238707827177));
    assert_eq!(metric_value(sec, "r2"), Some(-3.208758170289026));
    assert!(String::from_utf8_lossy(&ours).contains("\"standard_deviation\" : \"NaN\""));
    // constraints.json equals the real suggestion.
    let ours = read(&dir.join("baseline/constraints.json"));
    let aws = read(&fx.join("constraints.good_case.json"));
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&aws)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&read(&dir.join("baseline/baseline_report.json"))).unwrap();
    assert_eq!(report["samples"], json!(100));
    assert_eq!(report["header"][7], json!("Label"));
}

#[test]
fn regression_constraints_good_and_bad_case() {
    let Some(fx) = fixture("sdk-model-quality-regression-baseline") else {
        return;
    };
    let st = parse_statistics(&read(&fx.join("statistics.json"))).unwrap();
    let good = parse_constraints(&read(&fx.join("constraints.good_case.json"))).unwrap();
    let ev = evaluate(&st, &good, ProblemType::Regression).unwrap();
    assert!(ev.violations.violations.is_empty());
    assert_eq!(ev.checks.len(), 4);
    let bad = parse_constraints(&read(&fx.join("constraints.bad_case.json"))).unwrap();
    let ev = evaluate(&st, &bad, ProblemType::Regression).unwrap();
    let v = &ev.violations.violations;
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].metric_name.as_deref(), Some("mse"));
    assert_eq!(v[0].feature_name, None);
    assert_eq!(v[0].constraint_check_type, "GreaterThanThreshold");
    assert_eq!(
        v[0].description,
        "Metric mse with 0.33364933609800973 was GreaterThanThreshold 0.03364933609800973"
    );
    let text = driftmon_baseline::files::to_jackson(&ev.violations).unwrap();
    assert_eq!(
        text,
        "{\n  \"violations\" : [ {\n    \"metric_name\" : \"mse\",\n    \"constraint_check_type\" : \"GreaterThanThreshold\",\n    \"description\" : \"Metric mse with 0.33364933609800973 was GreaterThanThreshold 0.03364933609800973\"\n  } ]\n}"
    );
}

fn churn_baseline(dir: &Path) -> Option<SuggestSpec> {
    let input = fixture("examples-churn-model-quality-datasets/validation_with_predictions.csv")?;
    let mut options = ModelQualityOptions::new(
        ProblemType::BinaryClassification,
        Some(Attribute::Name("prediction".into())),
    );
    options.probability_attribute = Some(Attribute::Name("probability".into()));
    Some(SuggestSpec {
        input,
        format: Format::Csv,
        header: HeaderMode::Auto,
        output: dir.to_path_buf(),
        options,
        ground_truth_attribute: Attribute::Name("label".into()),
    })
}

#[test]
fn binary_baseline_on_the_churn_dataset() {
    let dir = temp_dir("mq-churn");
    let Some(spec) = churn_baseline(&dir) else {
        return;
    };
    let out = suggest_model_quality(&spec).unwrap();
    assert_eq!(out.samples, 201);
    let st = &out.statistics;
    assert_eq!(st.dataset.item_count, 201);
    let sec = st.binary_classification_metrics.as_ref().unwrap();
    assert_eq!(
        sec["confusion_matrix"],
        json!({"0": {"0": 173, "1": 0}, "1": {"0": 12, "1": 16}})
    );
    // scikit-learn on the same file.
    let close = |k: &str, want: f64| {
        let got = metric_value(sec, k).unwrap();
        assert!((got - want).abs() < 1e-12, "{k}: {got} vs {want}");
    };
    close("accuracy", 0.9402985074626866);
    close("precision", 1.0);
    close("recall", 0.5714285714285714);
    close("auc", 0.9395127993393889);
    close("f2", 0.625);
    // 201 ≥ 200 rows: standard deviations are numbers.
    let sd = sec["accuracy"]["standard_deviation"].as_f64().unwrap();
    assert!(sd > 0.0 && sd < 0.05, "{sd}");
    // Suggested constraints: the model's scalar metrics, threshold = value.
    let c = out
        .constraints
        .binary_classification_constraints
        .as_ref()
        .unwrap();
    let names: Vec<&str> = c.iter().map(|(k, _)| k).collect();
    let want: Vec<&str> = suggested_metrics(ProblemType::BinaryClassification)
        .iter()
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(names, want);
    assert_eq!(c.get("accuracy").unwrap().threshold, 0.9402985074626866);
    assert_eq!(
        c.get("false_positive_rate").unwrap().comparison_operator,
        "GreaterThanThreshold"
    );
    assert_eq!(
        c.get("auc").unwrap().comparison_operator,
        "LessThanThreshold"
    );
    // The same run twice gives the same bytes (seeded standard deviations).
    let a = read(&dir.join("statistics.json"));
    suggest_model_quality(&spec).unwrap();
    assert_eq!(a, read(&dir.join("statistics.json")));
}

#[test]
fn baseline_rejects_are_counted_with_lines() {
    let dir = temp_dir("mq-baseline-rejects");
    let input = dir.join("data.csv");
    std::fs::write(&input, "pred,label\n1.5,2\nabc,1\n2.0\n3,\n4,x\n5,6\n").unwrap();
    let spec = SuggestSpec {
        input: input.clone(),
        format: Format::Csv,
        header: HeaderMode::Auto,
        output: dir.join("out"),
        options: ModelQualityOptions::new(ProblemType::Regression, Some(Attribute::Index(0))),
        ground_truth_attribute: Attribute::Name("label".into()),
    };
    let out = suggest_model_quality(&spec).unwrap();
    assert_eq!(out.rows, 5);
    assert_eq!(out.samples, 2);
    let k = |kind: &str| out.issues.count(kind);
    assert_eq!(k("invalid_prediction"), 1);
    assert_eq!(k("ragged_row"), 1);
    assert_eq!(k("missing_label"), 1);
    assert_eq!(k("non_numeric_label"), 1);
    let ex = &out.issues.by_kind["non_numeric_label"].examples[0];
    assert!(ex.location.ends_with("data.csv:6"), "{ex:?}");
    // An unknown column name is a configuration error, not a crash.
    let mut bad = spec.clone();
    bad.ground_truth_attribute = Attribute::Name("nope".into());
    let e = suggest_model_quality(&bad).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    // No usable row at all is an error that says why.
    std::fs::write(&input, "pred,label\nx,1\n").unwrap();
    let e = suggest_model_quality(&spec).unwrap_err();
    assert!(e.to_string().contains("invalid_prediction"), "{e}");
}

// ----- monitoring runs ----------------------------------------------------------------------

struct Layout {
    root: PathBuf,
    capture_file: PathBuf,
    gt_file: PathBuf,
}

/// The SDK's 44 paired capture/label records, with `{%s}` replaced by times inside
/// 2024-01-19T17:00Z–18:00Z; labels collected the next morning.
fn testdata_layout(name: &str) -> Option<Layout> {
    let cap = fixture("sdk-monitor-testdata/capture.jsonl")?;
    let gt = fixture("sdk-monitor-testdata/actuals.jsonl")?;
    let root = temp_dir(name);
    let cap_dir = root.join("capture/my-endpoint/AllTraffic/2024/01/19/17");
    let gt_dir = root.join("ground-truth/2024/01/20/09");
    std::fs::create_dir_all(&cap_dir).unwrap();
    std::fs::create_dir_all(&gt_dir).unwrap();
    let cap_text = String::from_utf8(read(&cap)).unwrap();
    let lines: Vec<String> = cap_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| l.replace("{%s}", &format!("2024-01-19T17:{i:02}:00.000Z")))
        .collect();
    assert_eq!(lines.len(), 44);
    let capture_file = cap_dir.join("capture.jsonl");
    std::fs::write(&capture_file, lines.join("\n") + "\n").unwrap();
    let gt_text = String::from_utf8(read(&gt))
        .unwrap()
        .replace("{%s}", "2024-01-19T17:30:00Z");
    let gt_file = gt_dir.join("labels.jsonl");
    std::fs::write(&gt_file, gt_text.trim_end().to_owned() + "\n").unwrap();
    Some(Layout {
        root,
        capture_file,
        gt_file,
    })
}

fn binary_run(l: &Layout) -> ModelQualityRunSpec {
    let mut options = ModelQualityOptions::new(ProblemType::BinaryClassification, None);
    options.probability_attribute = Some(Attribute::Index(0));
    options.probability_threshold = Some(0.5);
    let mut spec = ModelQualityRunSpec::new(
        l.root.join("capture"),
        "my-endpoint".into(),
        (T17, T17 + HOUR),
        l.root.join("ground-truth"),
        (T17 + HOUR, T17 + 25 * HOUR),
        options,
    );
    spec.evaluation_time = Some("2024-01-20T18:00:00.000Z".into());
    spec
}

fn append(p: &Path, lines: &[String]) {
    let mut t = String::from_utf8(read(p)).unwrap();
    for l in lines {
        t.push_str(l);
        t.push('\n');
    }
    std::fs::write(p, t).unwrap();
}

fn capture_line(id: &str, inference_id: Option<&str>, time: &str, output: &str) -> String {
    let mut meta = json!({"eventId": id, "inferenceTime": time});
    if let Some(i) = inference_id {
        meta["inferenceId"] = json!(i);
    }
    json!({
        "captureData": {
            "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": "1,2,3", "encoding": "CSV"},
            "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": output, "encoding": "CSV"}
        },
        "eventMetadata": meta,
        "eventVersion": "0"
    })
    .to_string()
}

fn label_line(id: Option<&str>, data: &str) -> String {
    let mut meta = json!({});
    if let Some(i) = id {
        meta["eventId"] = json!(i);
    }
    json!({"groundTruthData": {"data": data, "encoding": "CSV"}, "eventMetadata": meta, "eventVersion": "0"})
        .to_string()
}

#[test]
fn join_of_the_sdk_testdata() {
    let Some(l) = testdata_layout("mq-join") else {
        return;
    };
    let out = run_model_quality(&binary_run(&l)).unwrap();
    assert_eq!(out.status, ModelQualityStatus::Completed, "{}", out.message);
    let c = &out.counts;
    assert_eq!(c.capture_records, 44);
    assert_eq!(c.predictions, 44);
    assert_eq!(c.labels, 44);
    assert_eq!(c.matched, 44);
    assert_eq!(c.samples, 44);
    assert_eq!(c.unmatched_predictions + c.unmatched_labels, 0);
    assert_eq!(out.match_rate, Some(1.0));
    assert_eq!(out.issues.total(), 0, "{:?}", out.issues);
    let st = out.statistics.as_ref().unwrap();
    assert_eq!(st.dataset.item_count, 44);
    assert_eq!(
        st.dataset.evaluation_time.as_deref(),
        Some("2024-01-20T18:00:00.000Z")
    );
    let sec = st.binary_classification_metrics.as_ref().unwrap();
    // scikit-learn on the same pairs (prediction = probability > 0.5).
    assert_eq!(
        sec["confusion_matrix"],
        json!({"0": {"0": 5, "1": 5}, "1": {"0": 23, "1": 11}})
    );
    assert_eq!(metric_value(sec, "accuracy"), Some(0.36363636363636365));
    let auc = metric_value(sec, "auc").unwrap();
    assert!((auc - 0.4411764705882353).abs() < 1e-12, "{auc}");
    assert!((metric_value(sec, "f1").unwrap() - 0.44).abs() < 1e-12);
    assert_eq!(sec["f1"]["standard_deviation"], json!("NaN"));
    assert_eq!(out.summary()["status"], json!("Completed"));
    assert_eq!(out.summary()["match_rate"], json!(1.0));
    assert_eq!(out.summary()["counts"]["matched"], json!(44));
    assert!(out.violations().violations.is_empty());
}

#[test]
fn bad_inputs_are_counted_never_fatal() {
    let Some(l) = testdata_layout("mq-bad") else {
        return;
    };
    let first_id = "74b0dd56-e7c8-368e-94b1-14a138a96000";
    let t = "2024-01-19T17:59:00Z";
    append(
        &l.capture_file,
        &[
            "this is not json".to_owned(),
            capture_line(first_id, None, t, "0.9"), // duplicate prediction
            capture_line("ext-abc", None, t, "0.9"),
            capture_line("ext-missing-prob", None, t, ",1"),
            capture_line("ext-uuid-7", Some("7"), t, "0.8"), // joins on inferenceId
            capture_line("ext-outside", None, "2024-01-19T18:30:00Z", "0.9"),
            capture_line("ext-badtime", None, "{%s}", "0.9"),
            capture_line("ext-nolabel", None, t, "0.9"),
        ],
    );
    append(
        &l.gt_file,
        &[
            label_line(Some(first_id), "0"), // duplicate label: the first ("1") is kept
            label_line(Some("ext-unknown"), "1"),
            "garbage".to_owned(),
            label_line(None, "1"),
            label_line(Some("ext-abc"), "abc"),
            label_line(Some("ext-missing-prob"), "1"),
            label_line(Some("7"), "1"),
            label_line(Some("ext-outside"), "0"),
            label_line(Some("ext-badtime"), "1"),
        ],
    );
    let out = run_model_quality(&binary_run(&l)).unwrap();
    assert_eq!(out.status, ModelQualityStatus::Completed, "{}", out.message);
    let c = &out.counts;
    assert_eq!(c.capture_records, 52);
    assert_eq!(c.outside_window, 1);
    assert_eq!(c.predictions, 48);
    assert_eq!(c.duplicate_predictions, 1);
    assert_eq!(c.label_records, 53);
    assert_eq!(c.labels, 50);
    assert_eq!(c.duplicate_labels, 1);
    assert_eq!(c.matched, 47);
    assert_eq!(c.unmatched_predictions, 1);
    assert_eq!(c.unmatched_labels, 3);
    assert_eq!(c.labels_for_unknown_ids, 1);
    assert_eq!(c.labels_for_predictions_outside_window, 1);
    assert_eq!(c.labels_for_rejected_predictions, 1);
    assert_eq!(c.samples, 45);
    assert_eq!(c.bad_lines, 2);
    assert_eq!(out.match_rate, Some(47.0 / 48.0));
    let k = |kind: &str| out.issues.count(kind);
    assert_eq!(k("non_numeric_label"), 1);
    assert_eq!(k("missing_probability"), 1);
    assert_eq!(k("bad_capture_line"), 1);
    assert_eq!(k("bad_ground_truth_line"), 1);
    assert_eq!(k("missing_event_id"), 1);
    assert_eq!(k("bad_inference_time"), 1);
    assert_eq!(k("duplicate_label"), 1);
    assert_eq!(k("duplicate_prediction"), 1);
    // Examples carry file:line.
    let ex = &out.issues.by_kind["duplicate_label"].examples[0];
    assert!(ex.location.ends_with("labels.jsonl:45"), "{ex:?}");
    assert!(ex.message.contains("labels.jsonl:1"), "{ex:?}");
    let ex = &out.issues.by_kind["bad_capture_line"].examples[0];
    assert!(ex.location.ends_with("capture.jsonl:45"), "{ex:?}");
    let ex = &out.issues.by_kind["non_numeric_label"].examples[0];
    assert!(ex.message.contains("\"abc\""), "{ex:?}");
    // The first label was kept, and inferenceId "7" joined: one more true positive.
    let sec = out
        .statistics
        .as_ref()
        .unwrap()
        .binary_classification_metrics
        .as_ref()
        .unwrap();
    assert_eq!(
        sec["confusion_matrix"],
        json!({"0": {"0": 5, "1": 5}, "1": {"0": 23, "1": 12}})
    );
    let s = &out.summary();
    assert_eq!(s["counts"]["non_numeric_labels"], json!(1));
    assert_eq!(s["counts"]["missing_probability"], json!(1));
    assert_eq!(s["counts"]["labels_for_unknown_ids"], json!(1));
    assert!(s["awaiting_labels_examples"][0]
        .as_str()
        .unwrap()
        .starts_with("ext-nolabel"));
    assert_eq!(s["issues"]["duplicate_label"]["count"], json!(1));
}

#[test]
fn no_labels_yet_is_an_explicit_result() {
    let Some(l) = testdata_layout("mq-nolabels") else {
        return;
    };
    // Labels are collected at 09:00 the next day; a window before that holds none.
    let mut spec = binary_run(&l);
    spec.ground_truth_start_ms = T17;
    spec.ground_truth_end_ms = T17 + 2 * HOUR;
    let out = run_model_quality(&spec).unwrap();
    assert_eq!(out.status, ModelQualityStatus::NoGroundTruth);
    assert!(!out.status.has_metrics());
    assert!(
        out.message.contains("no ground truth in the window"),
        "{}",
        out.message
    );
    assert!(out.statistics.is_none());
    assert_eq!(out.counts.predictions, 44);
    assert_eq!(out.counts.unmatched_predictions, 44);
    assert_eq!(out.summary()["status"], json!("NoGroundTruth"));
    assert_eq!(out.summary()["metrics"], json!(null));
    assert_eq!(
        out.summary()["ground_truth_hours"],
        json!({"listed": 2, "without_objects": 2})
    );
    // Outputs: no statistics, an empty violations file.
    let o = l.root.join("out");
    write_outputs(&out, &o).unwrap();
    assert!(!o.join("statistics.json").exists());
    assert!(
        parse_violations(&read(&o.join("constraint_violations.json")))
            .unwrap()
            .violations
            .is_empty()
    );

    // Labels that match nothing: explicit too.
    let gt = l.root.join("ground-truth/2024/01/19/17");
    std::fs::create_dir_all(&gt).unwrap();
    std::fs::write(
        gt.join("x.jsonl"),
        label_line(Some("someone-else"), "1") + "\n",
    )
    .unwrap();
    let out = run_model_quality(&spec).unwrap();
    assert_eq!(out.status, ModelQualityStatus::NoMatchedPredictions);
    assert_eq!(out.counts.labels_for_unknown_ids, 1);
    assert!(out.statistics.is_none());
}

#[test]
fn run_against_suggested_constraints() {
    let Some(l) = testdata_layout("mq-constraints") else {
        return;
    };
    let base = l.root.join("baseline");
    let Some(b) = churn_baseline(&base) else {
        return;
    };
    suggest_model_quality(&b).unwrap();
    let mut spec = binary_run(&l);
    spec.baseline = Some(base);
    let out = run_model_quality(&spec).unwrap();
    assert_eq!(out.status, ModelQualityStatus::CompletedWithViolations);
    let v = out.violations().violations;
    let acc = v
        .iter()
        .find(|v| v.metric_name.as_deref() == Some("accuracy"))
        .unwrap();
    assert_eq!(acc.constraint_check_type, "LessThanThreshold");
    assert_eq!(
        acc.description,
        "Metric accuracy with 0.36363636363636365 was LessThanThreshold 0.9402985074626866"
    );
    assert!(out
        .message
        .starts_with("CompletedWithViolations: Job completed successfully with"));
    assert_eq!(out.summary()["violations"], json!(v.len()));
    assert_eq!(
        out.summary()["checks"].as_array().unwrap().len(),
        suggested_metrics(ProblemType::BinaryClassification).len()
    );
    let o = l.root.join("out");
    write_outputs(&out, &o).unwrap();
    let st = parse_statistics(&read(&o.join("statistics.json"))).unwrap();
    assert_eq!(st.dataset.item_count, 44);
    let written = parse_violations(&read(&o.join("constraint_violations.json"))).unwrap();
    assert_eq!(written.violations, v);

    // A regression baseline for a binary run is a configuration error.
    let reg = l.root.join("reg");
    let Some(r) = regression_spec(&l.root, "reg") else {
        return;
    };
    suggest_model_quality(&r).unwrap();
    spec.baseline = Some(reg);
    let e = run_model_quality(&spec).unwrap_err();
    assert!(
        e.to_string().contains("binary_classification_constraints"),
        "{e}"
    );
}

#[test]
fn multiclass_run_with_json_payloads_and_named_attribute() {
    let root = temp_dir("mq-multiclass");
    let cap_dir = root.join("capture/ep/v1/2024/01/19/17");
    let gt_dir = root.join("gt/2024/01/19/20");
    std::fs::create_dir_all(&cap_dir).unwrap();
    std::fs::create_dir_all(&gt_dir).unwrap();
    let pairs = [
        ("cat", "cat"),
        ("dog", "cat"),
        ("cat", "dog"),
        ("dog", "dog"),
        ("dog", "bird"),
        ("cat", "cat"),
    ];
    let mut cap = String::new();
    let mut gt = String::new();
    for (i, (p, a)) in pairs.iter().enumerate() {
        let out = json!({"predicted_label": p, "score": 0.5}).to_string();
        cap.push_str(
            &json!({
                "captureData": {"endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT", "data": out, "encoding": "JSON"}},
                "eventMetadata": {"eventId": format!("e{i}"), "inferenceTime": format!("2024-01-19T17:0{i}:00Z")},
                "eventVersion": "0"
            })
            .to_string(),
        );
        cap.push('\n');
        let label = json!({"label": a}).to_string();
        gt.push_str(
            &json!({"groundTruthData": {"data": label, "encoding": "JSON"}, "eventMetadata": {"eventId": format!("e{i}")}, "eventVersion": "0"})
                .to_string(),
        );
        gt.push('\n');
    }
    std::fs::write(cap_dir.join("a.jsonl"), cap).unwrap();
    std::fs::write(gt_dir.join("b.jsonl"), gt).unwrap();
    let mut spec = ModelQualityRunSpec::new(
        root.join("capture"),
        "ep".into(),
        (T17, T17 + HOUR),
        root.join("gt"),
        (T17, T17 + 24 * HOUR),
        ModelQualityOptions::new(
            ProblemType::MulticlassClassification,
            Some(Attribute::Name("predicted_label".into())),
        ),
    );
    spec.options.std_dev = StdDevOptions::default();
    let out = run_model_quality(&spec).unwrap();
    assert_eq!(out.status, ModelQualityStatus::Completed, "{}", out.message);
    assert_eq!(out.counts.samples, 6);
    let sec = out
        .statistics
        .as_ref()
        .unwrap()
        .multiclass_classification_metrics
        .as_ref()
        .unwrap();
    assert_eq!(
        sec["confusion_matrix"],
        json!({
            "bird": {"bird": 0, "cat": 0, "dog": 1},
            "cat": {"bird": 0, "cat": 2, "dog": 1},
            "dog": {"bird": 0, "cat": 1, "dog": 1}
        })
    );
    assert_eq!(metric_value(sec, "accuracy"), Some(0.5));
    // The least frequent actual class is "bird" (1 of 6).
    assert_eq!(
        metric_value(sec, "accuracy_best_constant_classifier"),
        Some(1.0 / 6.0)
    );
}
