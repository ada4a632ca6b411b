use super::*;
use driftmon_baseline::files::{parse_constraints, parse_statistics, to_jackson};
use serde_json::{json, Value};

fn bin(predicted: u8, score: f64, actual: u8) -> BinaryObservation {
    BinaryObservation {
        score,
        predicted: predicted == 1,
        actual: actual == 1,
    }
}

#[test]
fn docs_binary_example_bit_exact() {
    // The AWS docs' binary example: confusion {"0":{"0":1,"1":2},"1":{"0":0,"1":1}}.
    let obs = [
        bin(0, 0.1, 0),
        bin(1, 0.6, 0),
        bin(1, 0.7, 0),
        bin(1, 0.9, 1),
    ];
    let m = binary_metrics(&obs);
    assert_eq!(m.confusion, [[1, 2], [0, 1]]);
    assert_eq!(m.recall, 1.0);
    assert_eq!(m.precision, 0.3333333333333333);
    assert_eq!(m.accuracy, 0.5);
    assert_eq!(m.recall_best_constant_classifier, 1.0);
    assert_eq!(m.precision_best_constant_classifier, 0.25);
    assert_eq!(m.accuracy_best_constant_classifier, 0.25);
    assert_eq!(m.true_positive_rate, 1.0);
    assert_eq!(m.true_negative_rate, 0.33333333333333337);
    assert_eq!(m.false_positive_rate, 0.6666666666666666);
    assert_eq!(m.false_negative_rate, 0.0);
    assert_eq!(m.f0_5, 0.3846153846153846);
    assert_eq!(m.f1, 0.5);
    assert_eq!(m.f2, 0.7142857142857143);
    assert_eq!(m.f0_5_best_constant_classifier, 0.29411764705882354);
    assert_eq!(m.f1_best_constant_classifier, 0.4);
    assert_eq!(m.f2_best_constant_classifier, 0.625);
}

#[test]
fn docs_curves_are_sparks() {
    // The docs' curves are those of 4 positives with distinct scores (Spark's form).
    let obs = [
        bin(1, 0.9, 1),
        bin(1, 0.8, 1),
        bin(1, 0.7, 1),
        bin(1, 0.6, 1),
    ];
    let m = binary_metrics(&obs);
    assert_eq!(m.roc_false_positive_rates, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    assert_eq!(m.roc_true_positive_rates, [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]);
    assert_eq!(m.pr_precisions, [1.0, 1.0, 1.0, 1.0, 1.0]);
    assert_eq!(m.pr_recalls, [0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(m.auc, 1.0);
}

#[test]
fn docs_multiclass_example_bit_exact() {
    let mut pairs = Vec::new();
    for (a, p, n) in [
        ("0", "0", 1180),
        ("0", "1", 510),
        ("1", "0", 268),
        ("1", "1", 138),
    ] {
        for _ in 0..n {
            pairs.push((p, a));
        }
    }
    let m = multiclass_metrics(pairs.iter().copied());
    assert_eq!(m.confusion, vec![vec![1180, 510], vec![268, 138]]);
    assert_eq!(m.accuracy, 0.6288167938931297);
    assert_eq!(m.weighted_recall, 0.6288167938931297);
    assert_eq!(m.weighted_precision, 0.6983172269629505);
    assert_eq!(m.weighted_f0_5, 0.6803947317178771);
    assert_eq!(m.weighted_f1, 0.6571162346664904);
    assert_eq!(m.weighted_f2, 0.6384024354394601);
    assert_eq!(m.best_constant_class.as_deref(), Some("1"));
    assert_eq!(m.accuracy_best_constant_classifier, 0.19370229007633588);
    assert_eq!(
        m.weighted_recall_best_constant_classifier,
        0.19370229007633588
    );
    assert_eq!(
        m.weighted_precision_best_constant_classifier,
        0.03752057718081697
    );
    assert_eq!(
        m.weighted_f0_5_best_constant_classifier,
        0.04473443104152011
    );
    assert_eq!(m.weighted_f1_best_constant_classifier, 0.06286421244683643);
    assert_eq!(m.weighted_f2_best_constant_classifier, 0.10570313141262414);
}

#[test]
fn make_sample_rules() {
    use Field::*;
    let b = ProblemType::BinaryClassification;
    assert_eq!(
        make_sample(b, 0.5, NotConfigured, Value("0.7"), Value("1.0")),
        Ok(Sample::Binary {
            predicted: true,
            score: 0.7,
            actual: true
        })
    );
    assert_eq!(
        make_sample(b, 0.5, NotConfigured, Value("0.5"), Value("0")),
        Ok(Sample::Binary {
            predicted: false,
            score: 0.5,
            actual: false
        })
    );
    assert_eq!(
        make_sample(b, 0.5, Value("1"), NotConfigured, Value("true")),
        Ok(Sample::Binary {
            predicted: true,
            score: 1.0,
            actual: true
        })
    );
    let kind = |r: Result<Sample, SampleError>| r.unwrap_err().kind();
    assert_eq!(
        kind(make_sample(b, 0.5, Value("1"), Missing, Value("1"))),
        "missing_probability"
    );
    assert_eq!(
        kind(make_sample(b, 0.5, Value("1"), Value("x"), Value("1"))),
        "invalid_probability"
    );
    assert_eq!(
        kind(make_sample(b, 0.5, Value("0.3"), NotConfigured, Value("1"))),
        "invalid_prediction"
    );
    assert_eq!(
        kind(make_sample(b, 0.5, Value("1"), NotConfigured, Value("abc"))),
        "non_numeric_label"
    );
    assert_eq!(
        kind(make_sample(b, 0.5, Value("1"), NotConfigured, Value("2"))),
        "invalid_label"
    );
    assert_eq!(
        kind(make_sample(b, 0.5, Value("1"), NotConfigured, Value(" "))),
        "missing_label"
    );
    assert_eq!(
        kind(make_sample(b, 0.5, Missing, NotConfigured, Value("1"))),
        "missing_prediction"
    );
    let r = ProblemType::Regression;
    assert_eq!(
        kind(make_sample(r, 0.5, Value("NaN"), NotConfigured, Value("1"))),
        "invalid_prediction"
    );
    let m = ProblemType::MulticlassClassification;
    assert_eq!(
        make_sample(m, 0.5, Value("2.0"), NotConfigured, Value(" cat ")),
        Ok(Sample::Multiclass {
            predicted: "2".into(),
            actual: "cat".into()
        })
    );
    assert_eq!(canonical_class("-0"), Some("0".into()));
    assert_eq!(canonical_class("1.5"), Some("1.5".into()));
    assert_eq!(canonical_class("1e20"), Some("1e20".into()));
}

#[test]
fn class_order_numeric_then_text() {
    let mut v: Vec<String> = ["10", "2", "1"].iter().map(|s| s.to_string()).collect();
    sort_classes(&mut v);
    assert_eq!(v, ["1", "2", "10"]);
    let mut v: Vec<String> = ["b", "10", "a"].iter().map(|s| s.to_string()).collect();
    sort_classes(&mut v);
    assert_eq!(v, ["10", "a", "b"]);
}

#[test]
fn std_dev_nan_below_200_and_deterministic_above() {
    let mut small = Observations::new(ProblemType::Regression);
    let mut big = Observations::new(ProblemType::Regression);
    for i in 0..250 {
        let s = Sample::Regression {
            predicted: (i % 7) as f64,
            actual: (i % 5) as f64,
        };
        if i < 199 {
            small.push(s.clone()).unwrap();
        }
        big.push(s).unwrap();
    }
    let o = StdDevOptions::default();
    let sec = metrics_section(&small, &o).unwrap();
    assert_eq!(sec["mae"]["standard_deviation"], json!("NaN"));
    let a = metrics_section(&big, &o).unwrap();
    let b = metrics_section(&big, &o).unwrap();
    assert_eq!(a, b);
    let sd = a["mae"]["standard_deviation"].as_f64().unwrap();
    assert!(sd > 0.0 && sd < 0.2, "{sd}");
    // Exactly 200 samples get a standard deviation.
    let mut at = Observations::new(ProblemType::Regression);
    at.merge(&big.subset(&(0..200).collect::<Vec<_>>()))
        .unwrap();
    assert!(metrics_section(&at, &o).unwrap()["r2"]["standard_deviation"].is_f64());
    // Draws: 5 sorted lists of 160 distinct indices.
    let d = draw_indices(200, &o);
    assert_eq!(d.len(), 5);
    for idx in &d {
        assert_eq!(idx.len(), 160);
        assert!(idx.windows(2).all(|w| w[0] < w[1]));
    }
    assert_ne!(d[0], d[1]);
}

#[test]
fn sample_std_is_n_minus_1() {
    assert_eq!(sample_std(&[1.0, 2.0, 3.0, 4.0, 5.0]), 2.5f64.sqrt());
    assert!(sample_std(&[1.0]).is_nan());
}

#[test]
fn statistics_format_and_order() {
    let mut obs = Observations::new(ProblemType::BinaryClassification);
    for (p, s, a) in [(0, 0.1, 0), (1, 0.6, 0), (1, 0.7, 0), (1, 0.9, 1)] {
        obs.push(Sample::Binary {
            predicted: p == 1,
            score: s,
            actual: a == 1,
        })
        .unwrap();
    }
    let st = statistics(&obs, &StdDevOptions::default()).unwrap();
    let keys: Vec<&String> = st
        .binary_classification_metrics
        .as_ref()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys,
        [
            "confusion_matrix",
            "recall",
            "precision",
            "accuracy",
            "recall_best_constant_classifier",
            "precision_best_constant_classifier",
            "accuracy_best_constant_classifier",
            "true_positive_rate",
            "true_negative_rate",
            "false_positive_rate",
            "false_negative_rate",
            "receiver_operating_characteristic_curve",
            "precision_recall_curve",
            "auc",
            "f0_5",
            "f1",
            "f2",
            "f0_5_best_constant_classifier",
            "f1_best_constant_classifier",
            "f2_best_constant_classifier"
        ]
    );
    let text = to_jackson(&st).unwrap();
    assert!(text.starts_with(
        "{\n  \"version\" : 0.0,\n  \"dataset\" : {\n    \"item_count\" : 4\n  },\n  \"binary_classification_metrics\" : {\n    \"confusion_matrix\" : {\n      \"0\" : {\n        \"0\" : 1,\n        \"1\" : 2\n      },"
    ), "{text}");
    assert!(text.contains(
        "\"recall\" : {\n      \"value\" : 1.0,\n      \"standard_deviation\" : \"NaN\"\n    },"
    ));
    assert!(text.contains("\"true_negative_rate\" : {\n      \"value\" : 0.33333333333333337,"));
    // It reads back.
    let back = parse_statistics(text.as_bytes()).unwrap();
    assert_eq!(back, st);
    // Empty observations are an error, not metrics of nothing.
    assert_eq!(
        statistics(
            &Observations::new(ProblemType::Regression),
            &StdDevOptions::default()
        ),
        Err(ModelQualityError::NoSamples)
    );
}

#[test]
fn merge_and_mismatch() {
    let mut a = Observations::new(ProblemType::MulticlassClassification);
    a.push(Sample::Multiclass {
        predicted: "x".into(),
        actual: "y".into(),
    })
    .unwrap();
    let mut b = Observations::new(ProblemType::MulticlassClassification);
    b.push(Sample::Multiclass {
        predicted: "y".into(),
        actual: "z".into(),
    })
    .unwrap();
    a.merge(&b).unwrap();
    let pairs: Vec<(&str, &str)> = a.multiclass().collect();
    assert_eq!(pairs, [("x", "y"), ("y", "z")]);
    assert!(matches!(
        a.push(Sample::Regression {
            predicted: 1.0,
            actual: 1.0
        }),
        Err(ModelQualityError::ProblemMismatch { .. })
    ));
    assert!(a
        .merge(&Observations::new(ProblemType::Regression))
        .is_err());
}

#[test]
fn constraints_and_violations() {
    let stats = parse_statistics(
        br#"{"version":0.0,"dataset":{"item_count":3},"regression_metrics":{
            "mae":{"value":0.5,"standard_deviation":"NaN"},
            "mse":{"value":0.33364933609800973,"standard_deviation":"NaN"},
            "rmse":{"value":0.6,"standard_deviation":"NaN"},
            "r2":{"value":"NaN","standard_deviation":"NaN"}}}"#,
    )
    .unwrap();
    let sug = suggest_constraints(&stats, ProblemType::Regression).unwrap();
    let names: Vec<&str> = sug
        .regression_constraints
        .as_ref()
        .unwrap()
        .iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(names, ["mae", "mse", "rmse"]); // r2 is NaN: no constraint
    let cons = parse_constraints(
        br#"{"version":0.0,"regression_constraints":{
            "mae":{"threshold":0.5,"comparison_operator":"GreaterThanOrEqualToThreshold"},
            "mse":{"threshold":0.03364933609800973,"comparison_operator":"GreaterThanThreshold"},
            "rmse":{"threshold":0.6,"comparison_operator":"LessThanOrEqualToThreshold"},
            "r2":{"threshold":0.1,"comparison_operator":"LessThanThreshold"},
            "gini":{"threshold":0.1,"comparison_operator":"LessThanThreshold"}}}"#,
    )
    .unwrap();
    let ev = evaluate(&stats, &cons, ProblemType::Regression).unwrap();
    let v: Vec<(&str, &str)> = ev
        .violations
        .violations
        .iter()
        .map(|v| {
            (
                v.metric_name.as_deref().unwrap(),
                v.constraint_check_type.as_str(),
            )
        })
        .collect();
    assert_eq!(
        v,
        [
            ("mae", "GreaterThanOrEqualToThreshold"),
            ("mse", "GreaterThanThreshold"),
            ("rmse", "LessThanOrEqualToThreshold")
        ]
    );
    assert_eq!(
        ev.violations.violations[1].description,
        "Metric mse with 0.33364933609800973 was GreaterThanThreshold 0.03364933609800973"
    );
    assert_eq!(ev.checks.len(), 5);
    assert_eq!(ev.checks[3].note.as_deref(), Some("metric value is NaN"));
    assert_eq!(
        ev.checks[4].note.as_deref(),
        Some("metric not in the statistics")
    );
    // Wrong section, bad operator.
    assert!(matches!(
        evaluate(&stats, &cons, ProblemType::BinaryClassification),
        Err(ModelQualityError::MissingConstraints { .. })
    ));
    let bad = parse_constraints(
        br#"{"regression_constraints":{"mae":{"threshold":1,"comparison_operator":"Above"}}}"#,
    )
    .unwrap();
    let e = evaluate(&stats, &bad, ProblemType::Regression).unwrap_err();
    assert!(e.to_string().contains("Above"), "{e}");
    // Operators.
    for (op, v, t, want) in [
        ("GreaterThanThreshold", 1.0, 1.0, false),
        ("GreaterThanOrEqualToThreshold", 1.0, 1.0, true),
        ("LessThanThreshold", 0.5, 1.0, true),
        ("lessthanorequaltothreshold", 1.5, 1.0, false),
    ] {
        assert_eq!(Operator::parse(op).unwrap().holds(v, t), want, "{op}");
    }
    assert!(!Operator::LessThanThreshold.holds(f64::NAN, 1.0));
}

// ----- scikit-learn oracle -----------------------------------------------------------

fn oracle() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/oracle/model_quality_reference.json"
    );
    let text = std::fs::read_to_string(path)
        .expect("oracle/model_quality_reference.json (run gen_model_quality.py)");
    serde_json::from_str(&text).unwrap()
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got}, sklearn {want}"
    );
}

fn close_vec(got: &[f64], want: &Value, what: &str) {
    let want: Vec<f64> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        close(*g, *w, &format!("{what}[{i}]"));
    }
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64()
        .unwrap_or_else(|| panic!("oracle value {k} missing"))
}

#[test]
fn binary_matches_sklearn() {
    let o = oracle();
    let cases = o["binary"].as_array().unwrap();
    assert!(cases.len() >= 2);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let scores = case["scores"].as_array().unwrap();
        let preds = case["predicted"].as_array().unwrap();
        let labels = case["labels"].as_array().unwrap();
        let obs: Vec<BinaryObservation> = scores
            .iter()
            .zip(preds)
            .zip(labels)
            .map(|((s, p), l)| BinaryObservation {
                score: s.as_f64().unwrap(),
                predicted: p.as_u64().unwrap() == 1,
                actual: l.as_u64().unwrap() == 1,
            })
            .collect();
        let m = binary_metrics(&obs);
        let e = &case["expected"];
        let cm: Vec<Vec<u64>> = serde_json::from_value(e["confusion_matrix"].clone()).unwrap();
        assert_eq!(
            m.confusion.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            cm
        );
        for (k, got) in [
            ("accuracy", m.accuracy),
            ("precision", m.precision),
            ("recall", m.recall),
            ("f0_5", m.f0_5),
            ("f1", m.f1),
            ("f2", m.f2),
            ("auc", m.auc),
            ("true_positive_rate", m.true_positive_rate),
            ("true_negative_rate", m.true_negative_rate),
            ("false_positive_rate", m.false_positive_rate),
            ("false_negative_rate", m.false_negative_rate),
            (
                "accuracy_best_constant_classifier",
                m.accuracy_best_constant_classifier,
            ),
            (
                "precision_best_constant_classifier",
                m.precision_best_constant_classifier,
            ),
            (
                "recall_best_constant_classifier",
                m.recall_best_constant_classifier,
            ),
            (
                "f0_5_best_constant_classifier",
                m.f0_5_best_constant_classifier,
            ),
            ("f1_best_constant_classifier", m.f1_best_constant_classifier),
            ("f2_best_constant_classifier", m.f2_best_constant_classifier),
        ] {
            close(got, f(e, k), &format!("{name}.{k}"));
        }
        // ROC: sklearn's roc_curve(drop_intermediate=False) + the final (1, 1).
        let n = m.roc_false_positive_rates.len();
        assert_eq!(m.roc_false_positive_rates[n - 1], 1.0);
        assert_eq!(m.roc_true_positive_rates[n - 1], 1.0);
        close_vec(&m.roc_false_positive_rates[..n - 1], &e["roc_fpr"], name);
        close_vec(&m.roc_true_positive_rates[..n - 1], &e["roc_tpr"], name);
        // PR: sklearn's precision_recall_curve reversed; the first precision is Spark's.
        let mut sk_p: Vec<f64> = serde_json::from_value(e["pr_precision"].clone()).unwrap();
        let mut sk_r: Vec<f64> = serde_json::from_value(e["pr_recall"].clone()).unwrap();
        sk_p.reverse();
        sk_r.reverse();
        assert_eq!(sk_r[0], 0.0);
        sk_p[0] = m.pr_precisions[1];
        close_vec(&m.pr_precisions, &json!(sk_p), name);
        close_vec(&m.pr_recalls, &json!(sk_r), name);
        // The area under our ROC curve is sklearn's trapezoid too.
        close(m.auc, f(e, "auc_trapz"), &format!("{name}.auc_trapz"));
    }
}

#[test]
fn multiclass_matches_sklearn() {
    let o = oracle();
    for case in o["multiclass"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let preds: Vec<String> = serde_json::from_value(case["predicted"].clone()).unwrap();
        let labels: Vec<String> = serde_json::from_value(case["labels"].clone()).unwrap();
        let m = multiclass_metrics(
            preds
                .iter()
                .map(String::as_str)
                .zip(labels.iter().map(String::as_str)),
        );
        let e = &case["expected"];
        let classes: Vec<String> = serde_json::from_value(e["classes"].clone()).unwrap();
        assert_eq!(m.classes, classes, "{name}");
        let cm: Vec<Vec<u64>> = serde_json::from_value(e["confusion_matrix"].clone()).unwrap();
        assert_eq!(m.confusion, cm, "{name}");
        assert_eq!(
            m.best_constant_class.as_deref(),
            e["best_constant_class"].as_str(),
            "{name}"
        );
        for (k, got) in [
            ("accuracy", m.accuracy),
            ("weighted_recall", m.weighted_recall),
            ("weighted_precision", m.weighted_precision),
            ("weighted_f0_5", m.weighted_f0_5),
            ("weighted_f1", m.weighted_f1),
            ("weighted_f2", m.weighted_f2),
            (
                "accuracy_best_constant_classifier",
                m.accuracy_best_constant_classifier,
            ),
            (
                "weighted_recall_best_constant_classifier",
                m.weighted_recall_best_constant_classifier,
            ),
            (
                "weighted_precision_best_constant_classifier",
                m.weighted_precision_best_constant_classifier,
            ),
            (
                "weighted_f0_5_best_constant_classifier",
                m.weighted_f0_5_best_constant_classifier,
            ),
            (
                "weighted_f1_best_constant_classifier",
                m.weighted_f1_best_constant_classifier,
            ),
            (
                "weighted_f2_best_constant_classifier",
                m.weighted_f2_best_constant_classifier,
            ),
        ] {
            close(got, f(e, k), &format!("{name}.{k}"));
        }
    }
}

#[test]
fn regression_matches_sklearn() {
    let o = oracle();
    for case in o["regression"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let preds: Vec<f64> = serde_json::from_value(case["predicted"].clone()).unwrap();
        let labels: Vec<f64> = serde_json::from_value(case["labels"].clone()).unwrap();
        let obs: Vec<RegressionObservation> = preds
            .iter()
            .zip(&labels)
            .map(|(&p, &a)| RegressionObservation {
                predicted: p,
                actual: a,
            })
            .collect();
        let m = regression_metrics(&obs);
        let e = &case["expected"];
        close(m.mae, f(e, "mae"), &format!("{name}.mae"));
        close(m.mse, f(e, "mse"), &format!("{name}.mse"));
        close(m.rmse, f(e, "rmse"), &format!("{name}.rmse"));
        close(m.r2, f(e, "r2"), &format!("{name}.r2"));
    }
}

#[test]
fn problem_types_name_their_metrics() {
    for pt in ProblemType::ALL {
        assert_eq!(ProblemType::parse(pt.as_str()), Some(pt));
        assert!(
            pt.dashboard_metrics()
                .iter()
                .all(|m| pt.all_metrics().contains(m)),
            "{pt}"
        );
    }
    assert_eq!(
        ProblemType::parse(" multiclass "),
        Some(ProblemType::MulticlassClassification)
    );
    assert_eq!(
        ProblemType::Regression.dashboard_metrics(),
        &["mae", "rmse", "r2"]
    );
}
