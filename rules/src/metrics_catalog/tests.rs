use super::encode::url_len;
use super::*;
use crate::report::DriftReport;
use driftmon_baseline::files::parse_statistics;

fn ctx() -> PointContext<'static> {
    PointContext {
        target: Target::Endpoint("ep"),
        schedule: "sched",
        timestamp_ms: 1_795_000_000_000,
    }
}

fn point(ns: &str, name: &str, v: f64) -> MetricPoint {
    MetricPoint {
        namespace: ns.into(),
        name: name.into(),
        dimensions: ctx().dimensions(),
        value: MetricValue::Single(v),
        unit: "None".into(),
        timestamp_ms: 0,
    }
}

#[test]
fn every_kind_has_one_entry() {
    assert_eq!(CATALOG.len(), MetricKind::ALL.len());
    for k in MetricKind::ALL {
        assert_eq!(CATALOG.iter().filter(|d| d.kind == k).count(), 1, "{k:?}");
        assert_eq!(def(k).kind, k);
    }
}

#[test]
fn sagemaker_names_namespaces_and_dimensions() {
    assert_eq!(
        def(MetricKind::FeatureData).metric_name("age"),
        "feature_data_age"
    );
    assert_eq!(
        def(MetricKind::FeatureNonNull).metric_name("age"),
        "feature_non_null_age"
    );
    assert_eq!(
        def(MetricKind::FeatureBaselineDrift).metric_name("age"),
        "feature_baseline_drift_age"
    );
    assert_eq!(def(MetricKind::ModelQuality).metric_name("f2"), "f2");
    assert_eq!(
        def(MetricKind::FeatureData).namespace_for(&Target::Endpoint("e")),
        "aws/sagemaker/Endpoints/data-metrics"
    );
    assert_eq!(
        def(MetricKind::ModelQuality).namespace_for(&Target::Endpoint("e")),
        "aws/sagemaker/Endpoints/model-metrics"
    );
    assert_eq!(
        def(MetricKind::FeatureData).namespace_for(&Target::Batch),
        "aws/sagemaker/ModelMonitoring/data-metrics"
    );
    assert!(CATALOG
        .iter()
        .filter(|d| d.namespace.starts_with("driftmon/"))
        .all(|d| d.batch_namespace.starts_with("driftmon/")));
    assert_eq!(
        ctx().dimensions(),
        vec![
            Dimension::new("Endpoint", "ep"),
            Dimension::new("MonitoringSchedule", "sched")
        ]
    );
    let batch = PointContext {
        target: Target::Batch,
        ..ctx()
    };
    assert_eq!(
        batch.dimensions(),
        vec![Dimension::new("MonitoringSchedule", "sched")]
    );
}

const STATS: &str = r#"{"version":0.0,"dataset":{"item_count":4},"features":[
  {"name":"age","inferred_type":"Fractional","numerical_statistics":{"common":{"num_present":3,"num_missing":1},
    "mean":2.0,"sum":6.0,"std_dev":0.8,"min":1.0,"max":3.0,
    "distribution":{"kll":{"buckets":[],"sketch":{"parameters":{"c":0.64,"k":2048.0},"data":[]}}}}},
  {"name":"city","inferred_type":"String","string_statistics":{"common":{"num_present":4,"num_missing":0},
    "distinct_count":2.0,"distribution":{"categorical":{"buckets":[]}}}}]}"#;

/// A report with `violations: 2`, 10 records read of which 1 rejected, a numeric `age` (L∞
/// 0.25, PSI 0.5, KS 0.3 with p 1e-300) and a categorical `city` (L∞ null, PSI 0.1).
fn report() -> DriftReport {
    let feature = |name: &str, linf: &str, psi: f64, test: &str| {
        format!(
            r#"{{"name": "{name}", "inferred_type": "Fractional", "num_present": 3, "num_missing": 1,
               "linf_distance": {linf}, "linf_method": "Simple", "linf_threshold": 0.1,
               "linf_verdict": "ok", "psi": {psi}, {test}, "psi_threshold": 0.25,
               "psi_p_value_adjusted": null, "psi_verdict": "ok", "alpha": 0.05, "checks": []}}"#
        )
    };
    let ks = r#""ks_statistic": 0.3, "ks_threshold": 0.1, "ks_p_value": 1e-300,
        "ks_p_value_adjusted": null, "ks_error_bound": 0.0, "ks_verdict": "ok",
        "bins": {"edges": [], "baseline": [], "current": [], "last_bin": "missing"}"#;
    let chi = r#""chi_squared": 1.0, "chi_squared_df": 1.0, "chi_squared_p_value": 0.5,
        "chi_squared_p_value_adjusted": null, "cramers_v": 0.0, "cramers_v_threshold": 0.1,
        "chi_squared_verdict": "ok", "categories": {"labels": [], "baseline": [], "current": []}"#;
    let text = format!(
        r#"{{"endpoint": "ep", "variants": [], "window": {{"start": "", "end": ""}},
          "status": "CompletedWithViolations", "message": "", "violations": 2,
          "records": {{"objects": 1, "read": 10, "outside_window": 0, "rejected": 1, "rows_profiled": 9}},
          "rejected_by_kind": {{}}, "rejected_examples": [], "hours_without_data": [],
          "drift_config": {{"psi_threshold": 0.25, "psi_bins": 10, "psi_epsilon": 0.0001,
            "ks_threshold": 0.1, "cramers_v_threshold": 0.1, "alpha": 0.05, "correction": "none"}},
          "features": [{}, {}]}}"#,
        feature("age", "0.25", 0.5, ks),
        feature("city", "null", 0.1, chi)
    );
    serde_json::from_str(&text).unwrap()
}

#[test]
fn data_quality_points_from_outputs() {
    let stats = parse_statistics(STATS.as_bytes()).unwrap();
    let pts = data_quality_points(&ctx(), &stats, &report());
    let find = |n: &str| {
        pts.iter()
            .find(|p| p.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(
        find("feature_data_age").value,
        MetricValue::Statistics {
            sample_count: 3.0,
            sum: 6.0,
            minimum: 1.0,
            maximum: 3.0
        }
    );
    assert!(!pts.iter().any(|p| p.name == "feature_data_city"));
    assert_eq!(
        find("feature_non_null_age").value,
        MetricValue::Single(0.75)
    );
    assert_eq!(
        find("feature_non_null_city").value,
        MetricValue::Single(1.0)
    );
    assert_eq!(
        find("feature_baseline_drift_age").value,
        MetricValue::Single(0.25)
    );
    assert_eq!(find("feature_psi_age").namespace, DRIFTMON_NAMESPACE);
    assert_eq!(
        find("feature_ks_statistic_age").value,
        MetricValue::Single(0.3)
    );
    assert_eq!(find("records_read").value, MetricValue::Single(10.0));
    assert_eq!(find("records_rejected").value, MetricValue::Single(1.0));
    assert_eq!(
        find("records_rejected_ratio").value,
        MetricValue::Single(0.1)
    );
    assert_eq!(
        find("constraint_violations").value,
        MetricValue::Single(2.0)
    );
    assert_eq!(find("records_read").unit, "Count");
    assert_eq!(find("feature_data_age").namespace, DATA_QUALITY_NAMESPACE);
    // The null drift distance of `city` is kept as NaN, so encode counts it.
    let enc = encode(&pts);
    assert_eq!(enc.dropped_non_finite, 1);
    assert_eq!(enc.points(), pts.len() - 1);
    // The tiny p-value is published as 0.
    let p = enc
        .batches
        .iter()
        .flat_map(|b| &b.points)
        .find(|p| p.name == "feature_ks_p_value_age")
        .unwrap();
    assert_eq!(p.value, MetricValue::Single(0.0));
}

#[test]
fn model_quality_points_are_bare_keys() {
    let stats = parse_statistics(
        br#"{"version":0.0,"dataset":{"item_count":100},"binary_classification_metrics":{
          "confusion_matrix":{"0":{"0":1,"1":2},"1":{"0":0,"1":1}},
          "f2":{"value":0.8,"standard_deviation":"NaN"},
          "auc":{"value":0.9,"standard_deviation":0.01},
          "receiver_operating_characteristic_curve":{"false_positive_rates":[0.0],"true_positive_rates":[1.0]}}}"#,
    )
    .unwrap();
    let pts = model_quality_points(&ctx(), &stats);
    let names: Vec<&str> = pts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["f2", "auc"]);
    assert!(pts.iter().all(|p| p.namespace == MODEL_QUALITY_NAMESPACE));
}

#[test]
fn encode_splits_at_1000_datums_per_namespace() {
    let mut pts: Vec<MetricPoint> = (0..2500)
        .map(|i| {
            point(
                DATA_QUALITY_NAMESPACE,
                &format!("feature_data_f{i}"),
                i as f64,
            )
        })
        .collect();
    pts.insert(10, point(DRIFTMON_NAMESPACE, "records_read", 5.0));
    let enc = encode(&pts);
    let sizes: Vec<(String, usize)> = enc
        .batches
        .iter()
        .map(|b| (b.namespace.clone(), b.points.len()))
        .collect();
    assert_eq!(
        sizes,
        vec![
            (DATA_QUALITY_NAMESPACE.to_owned(), 1000),
            (DATA_QUALITY_NAMESPACE.to_owned(), 1000),
            (DATA_QUALITY_NAMESPACE.to_owned(), 500),
            (DRIFTMON_NAMESPACE.to_owned(), 1)
        ]
    );
    assert!(enc
        .batches
        .iter()
        .all(|b| b.points.iter().all(|p| p.namespace == b.namespace)));
    // Order is kept.
    assert_eq!(enc.batches[1].points[0].name, "feature_data_f1000");
}

#[test]
fn encode_splits_at_the_payload_limit() {
    // 900-character dimension values: ~1 KB (query-encoded, more) per datum.
    let big = "x".repeat(900);
    let pts: Vec<MetricPoint> = (0..1000)
        .map(|i| {
            let mut p = point(DRIFTMON_NAMESPACE, &format!("m{i}"), 1.0);
            p.dimensions.push(Dimension::new("Big", &big));
            p.dimensions
                .push(Dimension::new("Big2", &big.replace('x', "/")));
            p
        })
        .collect();
    let enc = encode(&pts);
    assert!(enc.batches.len() > 1, "{}", enc.batches.len());
    assert_eq!(enc.points(), 1000);
    for b in &enc.batches {
        let est: usize = b.points.iter().map(encoded_size).sum();
        assert!(est <= REQUEST_BYTES_BUDGET);
        assert!(b.points.len() <= MAX_DATUMS_PER_REQUEST);
        // The real query-protocol body, as a check of the estimate.
        let body: usize = b
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let m = format!("&MetricData.member.{}.", i + 1);
                let mut n = m.len() + "MetricName=".len() + url_len(&p.name);
                for (j, d) in p.dimensions.iter().enumerate() {
                    let dm = format!("{m}Dimensions.member.{}.", j + 1);
                    n += 2 * dm.len() + "Name=".len() + "&Value=".len();
                    n += url_len(&d.name) + url_len(&d.value);
                }
                n + m.len() + "Value=1.0".len() + m.len() + "Unit=None".len() + 60
            })
            .sum();
        assert!(body < MAX_REQUEST_BYTES, "{body}");
    }
}

#[test]
fn encode_drops_what_cloudwatch_rejects() {
    let mut many_dims = point(DRIFTMON_NAMESPACE, "a", 1.0);
    many_dims.dimensions = (0..31)
        .map(|i| Dimension::new(&format!("d{i}"), "v"))
        .collect();
    let mut thirty = many_dims.clone();
    thirty.name = "thirty".into();
    thirty.dimensions.truncate(30);
    let pts = vec![
        point(DRIFTMON_NAMESPACE, "nan", f64::NAN),
        point(DRIFTMON_NAMESPACE, "inf", f64::INFINITY),
        point(DRIFTMON_NAMESPACE, "ninf", f64::NEG_INFINITY),
        point(DRIFTMON_NAMESPACE, "huge", 1e200),
        point(DRIFTMON_NAMESPACE, &"n".repeat(256), 1.0),
        many_dims,
        thirty,
        MetricPoint {
            value: MetricValue::Statistics {
                sample_count: 2.0,
                sum: f64::NAN,
                minimum: 0.0,
                maximum: 1.0,
            },
            ..point(DRIFTMON_NAMESPACE, "stats_nan", 0.0)
        },
        point(DRIFTMON_NAMESPACE, "ok", -0.5),
    ];
    let enc = encode(&pts);
    assert_eq!(enc.dropped_non_finite, 4);
    assert_eq!(enc.dropped_invalid.len(), 3, "{:?}", enc.dropped_invalid);
    assert!(enc
        .dropped_invalid
        .iter()
        .any(|w| w.contains("31 dimensions")));
    let kept: Vec<&str> = enc.batches[0]
        .points
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(kept, vec!["thirty", "ok"]);
    assert!(encode(&[]).batches.is_empty());
}

#[test]
fn json_line_has_the_byoc_schema() {
    let p = MetricPoint {
        timestamp_ms: 1_574_737_200_000,
        value: MetricValue::Statistics {
            sample_count: 3.0,
            sum: 6.0,
            minimum: 1.0,
            maximum: 3.0,
        },
        ..point(DATA_QUALITY_NAMESPACE, "feature_data_age", 0.0)
    };
    assert_eq!(
        p.to_json().to_string(),
        r#"{"Namespace":"aws/sagemaker/Endpoints/data-metrics","MetricName":"feature_data_age","Timestamp":"2019-11-26T03:00:00Z","Dimensions":[{"Name":"Endpoint","Value":"ep"},{"Name":"MonitoringSchedule","Value":"sched"}],"StatisticValues":{"SampleCount":3.0,"Sum":6.0,"Minimum":1.0,"Maximum":3.0},"Unit":"None"}"#
    );
}
