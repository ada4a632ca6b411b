//! Tests of the SageMaker files: round trips of the shared fixtures byte for byte, lenient reading,
//! validation.

use super::*;
use serde_json::json;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> Option<PathBuf> {
    let dir = match std::env::var_os("DRIFTMON_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
    };
    let dir = dir.join("fixtures/sagemaker");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: shared fixtures absent");
        None
    }
}

/// JSON equality where numbers compare by their f64 value, so an integer in
/// the original equals the same whole double in our output. This is only
/// needed where a hand-written original used an integer for a field we type
/// as `f64` (none of the AWS-written files do; byte identity covers those).
/// Objects compare as key sets (order-insensitive).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Statistics,
    Constraints,
    Violations,
}

/// How the written file must compare with the original.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// Jackson-formatted AWS output: byte-identical.
    Bytes,
    /// Byte-identical except that the original ends with one extra LF.
    BytesPlusTrailingLf,
    /// Hand-written: equal as JSON.
    Semantic,
    /// Hand-edited model-card file without `version`/`dataset`: equal as JSON
    /// once the `version`/`dataset` we add are removed.
    SemanticWithoutVersionDataset,
}

const FIXTURES: &[(&str, Kind, Expect)] = &[
        (
            "sdk-data-quality-baseline-headerless-csv/statistics.json",
            Kind::Statistics,
            Expect::Bytes,
        ),
        (
            "sdk-data-quality-baseline-headerless-csv/constraints.good_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-data-quality-baseline-headerless-csv/constraints.bad_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-model-quality-regression-baseline/statistics.json",
            Kind::Statistics,
            Expect::Bytes,
        ),
        (
            "sdk-model-quality-regression-baseline/constraints.good_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-model-quality-regression-baseline/constraints.bad_case.json",
            Kind::Constraints,
            Expect::Bytes,
        ),
        (
            "sdk-model-card-model-quality-statistics/model_monitor_model_quality_regression.json",
            Kind::Statistics,
            Expect::Bytes,
        ),
        (
            "sdk-model-card-model-quality-statistics/model_monitor_model_quality_binary_classification.json",
            Kind::Statistics,
            Expect::SemanticWithoutVersionDataset,
        ),
        (
            "sdk-monitor-testdata/statistics.json",
            Kind::Statistics,
            Expect::Semantic,
        ),
        (
            "sdk-monitor-testdata/constraints.json",
            Kind::Constraints,
            Expect::Semantic,
        ),
        (
            "sdk-monitor-testdata/constraint_violations.json",
            Kind::Violations,
            Expect::BytesPlusTrailingLf,
        ),
    ];

fn round_trip(bytes: &[u8], kind: Kind) -> String {
    match kind {
        Kind::Statistics => to_jackson(&parse_statistics(bytes).unwrap()).unwrap(),
        Kind::Constraints => to_jackson(&parse_constraints(bytes).unwrap()).unwrap(),
        Kind::Violations => to_jackson(&parse_violations(bytes).unwrap()).unwrap(),
    }
}

#[test]
fn fixtures_round_trip() {
    let Some(dir) = fixtures() else {
        return;
    };
    for &(rel, kind, expect) in FIXTURES {
        let path: &Path = &dir.join(rel);
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let ours = round_trip(&bytes, kind);
        let original: Value = serde_json::from_slice(&bytes).unwrap();
        let mut reparsed: Value = serde_json::from_str(&ours).unwrap();
        if expect == Expect::SemanticWithoutVersionDataset {
            let obj = reparsed.as_object_mut().unwrap();
            assert_eq!(obj.shift_remove("version"), Some(json!(0.0)));
            assert_eq!(obj.shift_remove("dataset"), Some(json!({"item_count": 0})));
        }
        assert!(
            json_eq(&original, &reparsed),
            "{rel}: not equal as JSON\n--- ours ---\n{ours}"
        );
        match expect {
            Expect::Bytes => assert!(ours == text, "{rel}: bytes differ\n{ours}"),
            Expect::BytesPlusTrailingLf => {
                assert!(format!("{ours}\n") == text, "{rel}: bytes differ\n{ours}")
            }
            Expect::Semantic | Expect::SemanticWithoutVersionDataset => {}
        }
        // Writing what we read back gives the same bytes again.
        assert_eq!(round_trip(ours.as_bytes(), kind), ours, "{rel}: not stable");
    }
}

#[test]
fn typed_content_of_fixtures() {
    let Some(dir) = fixtures() else {
        return;
    };
    let read = |rel: &str| std::fs::read(dir.join(rel)).unwrap();

    let s = parse_statistics(&read(
        "sdk-data-quality-baseline-headerless-csv/statistics.json",
    ))
    .unwrap();
    assert_eq!(s.version, 0.0);
    assert_eq!(s.dataset.item_count, 100);
    let features = s.features.as_ref().unwrap();
    assert_eq!(features.len(), 6);
    let c0 = features[0].numerical_statistics.as_ref().unwrap();
    assert_eq!(features[0].name, "_c0");
    assert_eq!(c0.common.num_present, 100);
    assert_eq!(c0.sum, 231.0);
    assert_eq!(c0.std_dev, 0.8330066026148891);
    assert_eq!(c0.distribution.kll.buckets.len(), 10);
    assert_eq!(c0.distribution.kll.buckets[0].count, 24.0);
    assert_eq!(c0.distribution.kll.sketch.parameters.c, 0.64);
    assert_eq!(c0.distribution.kll.sketch.parameters.k, 2048.0);
    assert_eq!(c0.distribution.kll.sketch.data[0].len(), 100);
    assert!(s.extra.is_empty());

    let s = parse_statistics(&read(
        "sdk-model-card-model-quality-statistics/model_monitor_model_quality_regression.json",
    ))
    .unwrap();
    assert_eq!(s.dataset.item_count, 627);
    assert_eq!(
        s.dataset.evaluation_time.as_deref(),
        Some("2023-03-30T21:08:34.729Z")
    );
    let keys: Vec<&String> = s.regression_metrics.as_ref().unwrap().keys().collect();
    assert_eq!(keys, ["mae", "mse", "rmse", "r2"]);

    let s = parse_statistics(&read("sdk-monitor-testdata/statistics.json")).unwrap();
    let st = s.features.as_ref().unwrap()[0]
        .string_statistics
        .as_ref()
        .unwrap();
    assert_eq!(st.distinct_count, 1.0);
    assert_eq!(st.distribution.categorical.buckets[0].count, 418);

    let c = parse_constraints(&read(
        "sdk-model-quality-regression-baseline/constraints.good_case.json",
    ))
    .unwrap();
    let rc = c.regression_constraints.as_ref().unwrap();
    let names: Vec<&str> = rc.iter().map(|(k, _)| k).collect();
    assert_eq!(names, ["mae", "mse", "rmse", "r2"]);
    let r2 = rc.get("r2").unwrap();
    assert_eq!(r2.threshold, -3.208758170289026);
    assert_eq!(r2.comparison_operator, "LessThanThreshold");

    let v = parse_violations(&read("sdk-monitor-testdata/constraint_violations.json")).unwrap();
    assert_eq!(v.violations.len(), 7);
    assert_eq!(
        v.violations[0].feature_name.as_deref(),
        Some("store_and_fwd_flag")
    );
    assert_eq!(
        v.violations[0].constraint_check_type,
        "categorical_values_check"
    );
}

#[test]
fn resolved_config_of_real_suggestion() {
    let Some(dir) = fixtures() else {
        return;
    };
    let c = parse_constraints(
        &std::fs::read(
            dir.join("sdk-data-quality-baseline-headerless-csv/constraints.good_case.json"),
        )
        .unwrap(),
    )
    .unwrap();
    c.validate().unwrap();
    assert_eq!(c.resolved(), ResolvedMonitoringConfig::default());
    let f = c.feature("_c0").unwrap();
    assert_eq!(f.completeness, Some(1.0));
    assert_eq!(
        f.num_constraints.as_ref().unwrap().is_non_negative,
        Some(true)
    );
    assert!(f.overrides().is_none());
    assert_eq!(c.resolved_for(f), ResolvedMonitoringConfig::default());
}

#[test]
fn resolved_config_with_legacy_keys() {
    let Some(dir) = fixtures() else {
        return;
    };
    let c = parse_constraints(
        &std::fs::read(dir.join("sdk-monitor-testdata/constraints.json")).unwrap(),
    )
    .unwrap();
    c.validate().unwrap();
    let d = c
        .monitoring_config
        .as_ref()
        .unwrap()
        .distribution_constraints
        .as_ref()
        .unwrap();
    assert_eq!(d.enable_comparisons, Some(true));
    assert_eq!(d.min_domain_mass, Some(1.0));
    assert!(d.extra.is_empty());
    let g = c.resolved();
    assert!(g.perform_comparison);
    assert_eq!(g.comparison_threshold, 1.0);
    assert_eq!(g.comparison_method, ComparisonMethod::Robust);
    assert_eq!(g.datatype_check_threshold, 1.0);

    let message = c.feature("message").unwrap();
    let o = message.overrides().unwrap();
    assert_eq!(o.evaluate_constraints.as_deref(), Some("Enabled"));
    assert_eq!(o.emit_metrics.as_deref(), Some("Enabled"));
    assert_eq!(c.resolved_for(message), g);
    assert!(c.feature("second_message").unwrap().overrides().is_none());

    // Legacy enable_comparisons=false disables the drift check, unless
    // perform_comparison says otherwise.
    let mut legacy = c.monitoring_config.clone().unwrap();
    let dc = legacy.distribution_constraints.as_mut().unwrap();
    dc.enable_comparisons = Some(false);
    assert!(!legacy.resolved().perform_comparison);
    let dc = legacy.distribution_constraints.as_mut().unwrap();
    dc.perform_comparison = Some("Enabled".to_string());
    assert!(legacy.resolved().perform_comparison);
}

#[test]
fn overrides_both_spellings_and_places() {
    let c = parse_constraints(
            br#"{
  "version": 0,
  "features": [
    {"name": "a", "inferred_type": "String",
     "string_constraints": {"domains": ["x"],
        "monitoring_config_overrides": {"evaluate_constraints": "Disabled"}}},
    {"name": "b", "inferred_type": "String",
     "string_constraints": {"domains": ["x"],
        "monitoringConfigOverrides": {"categorical_drift_method": "ChiSquared"}}},
    {"name": "c", "inferred_type": "Integral",
     "monitoringConfigOverrides": {"comparison_threshold": 0.3, "comparison_method": "Simple",
                                   "future_knob": 1}},
    {"name": "d", "inferred_type": "Integral",
     "monitoring_config_overrides": {"datatype_check_threshold": 0.5, "emit_metrics": "Disabled"}},
    {"name": "e", "inferred_type": "String",
     "monitoringConfigOverrides": {"perform_comparison": "Disabled"},
     "string_constraints": {"monitoring_config_overrides":
        {"perform_comparison": "Enabled", "domain_content_threshold": 0.25}}}
  ],
  "monitoring_config": {"comparison_threshold": 0.7,
     "distribution_constraints": {"comparison_threshold": 0.2, "categorical_comparison_threshold": "0.4"}}
}"#,
        )
        .unwrap();
    c.validate().unwrap();
    // Unknown top-level key inside monitoring_config is kept.
    assert_eq!(
        c.monitoring_config
            .as_ref()
            .unwrap()
            .extra
            .get("comparison_threshold"),
        Some(&json!(0.7))
    );
    let g = c.resolved();
    assert_eq!(g.comparison_threshold, 0.2);
    assert_eq!(g.categorical_comparison_threshold, 0.4);

    let r = |n: &str| c.resolved_for(c.feature(n).unwrap());
    assert!(!r("a").evaluate_constraints);
    assert!(r("a").emit_metrics);
    assert_eq!(
        r("b").categorical_drift_method,
        CategoricalDriftMethod::ChiSquared
    );
    assert_eq!(r("c").comparison_threshold, 0.3);
    assert_eq!(r("c").comparison_method, ComparisonMethod::Simple);
    assert_eq!(r("c").categorical_comparison_threshold, 0.4);
    assert_eq!(
        c.feature("c")
            .unwrap()
            .overrides()
            .unwrap()
            .extra
            .get("future_knob"),
        Some(&json!(1))
    );
    assert_eq!(r("d").datatype_check_threshold, 0.5);
    assert!(!r("d").emit_metrics);
    // Feature-level camelCase beats string_constraints; knobs merge.
    let e = r("e");
    assert!(!e.perform_comparison);
    assert_eq!(e.domain_content_threshold, 0.25);
    assert_eq!(c.feature("e").unwrap().all_overrides().len(), 2);
    assert_eq!(
        c.feature("e")
            .unwrap()
            .overrides()
            .unwrap()
            .perform_comparison
            .as_deref(),
        Some("Disabled")
    );

    // Both spellings are written back as they were read.
    let out: Value = serde_json::from_str(&to_jackson(&c).unwrap()).unwrap();
    assert!(out["features"][1]["string_constraints"]["monitoringConfigOverrides"].is_object());
    assert!(out["features"][2]["monitoringConfigOverrides"].is_object());
    assert!(out["features"][3]["monitoring_config_overrides"].is_object());
    assert_eq!(
        out["features"][2]["monitoringConfigOverrides"]["future_knob"],
        json!(1)
    );
}

#[test]
fn validate_rejects_unknown_values() {
    let c = parse_constraints(
            br#"{"version": 0.0, "monitoring_config": {"distribution_constraints": {"comparison_method": "Robustt"}}}"#,
        )
        .unwrap();
    // Resolution falls back to the default...
    assert_eq!(c.resolved().comparison_method, ComparisonMethod::Robust);
    // ...but validation reports it.
    let err = c.validate().unwrap_err();
    assert!(err.to_string().contains("Robustt"), "{err}");
    assert!(err.to_string().contains("comparison_method"), "{err}");
}

#[test]
fn empty_violations() {
    let v = ConstraintViolations::default();
    assert_eq!(to_jackson(&v).unwrap(), "{\n  \"violations\" : [ ]\n}");
    let parsed = parse_violations(b"{\"violations\": []}").unwrap();
    assert_eq!(parsed, v);
}

#[test]
fn model_quality_violation_order() {
    let v = ConstraintViolations {
        violations: vec![Violation {
            metric_name: Some("mse".to_string()),
            constraint_check_type: "GreaterThanThreshold".to_string(),
            description: "Metric mse with 0.33 was GreaterThanThreshold 0.03".to_string(),
            ..Default::default()
        }],
        ..Default::default()
    };
    assert_eq!(
            to_jackson(&v).unwrap(),
            "{\n  \"violations\" : [ {\n    \"metric_name\" : \"mse\",\n    \"constraint_check_type\" : \"GreaterThanThreshold\",\n    \"description\" : \"Metric mse with 0.33 was GreaterThanThreshold 0.03\"\n  } ]\n}"
        );
}

#[test]
fn lenient_numbers() {
    let s = parse_statistics(
            br#"{"version": 0, "dataset": {"item_count": 24.0},
                 "features": [{"name": "x", "inferred_type": "Fractional",
                   "numerical_statistics": {"common": {"num_present": "3", "num_missing": 0.0},
                     "mean": "NaN", "sum": 1, "std_dev": "Infinity", "min": "-Infinity", "max": 2,
                     "distribution": {"kll": {"buckets": [{"lower_bound": 0, "upper_bound": 1, "count": 3}],
                       "sketch": {"parameters": {"c": 0.64, "k": 2048}, "data": [[1, 2.5]]}}}}}]}"#,
        )
        .unwrap();
    assert_eq!(s.dataset.item_count, 24);
    let n = s.features.as_ref().unwrap()[0]
        .numerical_statistics
        .as_ref()
        .unwrap();
    assert_eq!(n.common.num_present, 3);
    assert_eq!(n.common.num_missing, 0);
    assert!(n.mean.is_nan());
    assert_eq!(n.std_dev, f64::INFINITY);
    assert_eq!(n.min, f64::NEG_INFINITY);
    assert_eq!(n.sum, 1.0);
    let out = to_jackson(&s).unwrap();
    assert!(out.contains("\"item_count\" : 24\n"), "{out}");
    assert!(out.contains("\"num_present\" : 3,"), "{out}");
    assert!(out.contains("\"mean\" : \"NaN\","), "{out}");
    assert!(out.contains("\"sum\" : 1.0,"), "{out}");
    assert!(out.contains("\"std_dev\" : \"Infinity\","), "{out}");
    assert!(out.contains("\"min\" : \"-Infinity\","), "{out}");
    assert!(out.contains("\"k\" : 2048.0"), "{out}");
    assert!(out.contains("[ [ 1.0, 2.5 ] ]"), "{out}");

    for bad in [
        &br#"{"dataset": {"item_count": 2.5}}"#[..],
        br#"{"dataset": {"item_count": -1}}"#,
        br#"{"dataset": {"item_count": "many"}}"#,
        br#"{"version": "zero"}"#,
    ] {
        assert!(parse_statistics(bad).is_err());
    }
}

#[test]
fn parse_error_mentions_file_and_position() {
    let err = parse_statistics(b"{\n  \"version\" : 0.0,\n  \"dataset\" : [ ]\n}").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("statistics.json"), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
    assert!(std::error::Error::source(&err).is_some());
    let err = parse_constraints(b"{").unwrap_err();
    assert!(err.to_string().contains("constraints.json"));
    let err = parse_violations(b"[]").unwrap_err();
    assert!(err.to_string().contains("constraint_violations.json"));
}

#[test]
fn writes_our_own_statistics_in_aws_format() {
    let s = Statistics {
        version: 0.0,
        dataset: Dataset {
            item_count: 2,
            ..Default::default()
        },
        features: Some(vec![FeatureStatistics {
            name: "s".to_string(),
            inferred_type: "String".to_string(),
            string_statistics: Some(StringStatistics {
                common: Common {
                    num_present: 2,
                    num_missing: 0,
                    ..Default::default()
                },
                distinct_count: 1.0,
                distribution: CategoricalDistribution {
                    categorical: Categorical {
                        buckets: vec![CategoricalBucket {
                            value: "a".to_string(),
                            count: 2,
                        }],
                        ..Default::default()
                    },
                    ..Default::default()
                },
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ..Default::default()
    };
    assert_eq!(
        to_jackson(&s).unwrap(),
        r#"{
  "version" : 0.0,
  "dataset" : {
    "item_count" : 2
  },
  "features" : [ {
    "name" : "s",
    "inferred_type" : "String",
    "string_statistics" : {
      "common" : {
        "num_present" : 2,
        "num_missing" : 0
      },
      "distinct_count" : 1.0,
      "distribution" : {
        "categorical" : {
          "buckets" : [ {
            "value" : "a",
            "count" : 2
          } ]
        }
      }
    }
  } ]
}"#
    );
}
