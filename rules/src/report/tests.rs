use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;

/// Every `drift_report.json` checked in under `tests/golden/`.
fn golden_reports() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path().join("expected/drift_report.json"))
        .filter(|p| p.exists())
        .collect();
    out.sort();
    out
}

/// Parses `text` as a [`DriftReport`] and checks that writing it again gives the bytes the run
/// writes for the same content (`to_string_pretty` of the untyped value) and the same value.
fn assert_round_trip(what: &str, text: &str) -> DriftReport {
    let untyped: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let typed: DriftReport =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: not a DriftReport: {e}"));
    let want = serde_json::to_string_pretty(&untyped).unwrap();
    let got = typed.to_json_pretty();
    if want != got {
        let line = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{what}: line {}: want {:?}, got {:?}",
            line + 1,
            want.lines().nth(line),
            got.lines().nth(line)
        );
    }
    assert_eq!(serde_json::to_value(&typed).unwrap(), untyped, "{what}");
    // And once more from our own bytes.
    assert_eq!(
        DriftReport::from_json(got.as_bytes())
            .unwrap()
            .to_json_pretty(),
        got
    );
    typed
}

#[test]
fn every_golden_report_round_trips_byte_for_byte() {
    let files = golden_reports();
    assert!(files.len() >= 15, "only {} golden reports", files.len());
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        assert_round_trip(&p.display().to_string(), &text);
    }
}

/// The shapes the golden set lacks: a feature absent from the window, null scores (NaN) and a
/// null adjusted p-value, a chi-squared GOF p-value, a rejected record, and a model-quality
/// section with Jackson's `"NaN"` and a `null` check value.
const SAMPLE: &str = r#"{
  "endpoint": "ep",
  "variants": ["AllTraffic", "B"],
  "window": {"start": "2024-03-05T10:00:00Z", "end": "2024-03-05T11:00:00Z"},
  "status": "CompletedWithViolations",
  "message": "CompletedWithViolations: Job completed successfully with 1 violations.",
  "violations": 1,
  "records": {"objects": 2, "read": 11, "outside_window": 1, "rejected": 1, "rows_profiled": 9},
  "rejected_by_kind": {"malformed_json": 1},
  "rejected_examples": [{"location": "s3://b/k.jsonl:3", "kind": "malformed_json", "message": "expected value"}],
  "hours_without_data": ["2024-03-05T10:00:00Z"],
  "drift_config": {"psi_threshold": 0.25, "psi_bins": 10, "psi_epsilon": 0.0001, "ks_threshold": 0.1,
                   "cramers_v_threshold": 0.1, "alpha": 0.05, "correction": "none"},
  "features": [
    {"name": "gone", "inferred_type": "Fractional", "absent": true, "baseline_completeness": 1.0,
     "baseline_mean": 2.5, "linf_verdict": "skipped", "alpha": 0.05,
     "checks": [{"check": "completeness", "constraint_check_type": "completeness_check", "status": "skipped",
                 "reason": "feature absent from the window"}]},
    {"name": "x", "inferred_type": "Fractional", "num_present": 9, "num_missing": 0, "completeness": 1.0,
     "mean": null, "baseline_completeness": 1.0, "baseline_mean": 1.0, "linf_distance": null,
     "linf_method": "Simple", "linf_threshold": 0.1, "linf_verdict": "drift", "psi": null,
     "ks_statistic": 0.5, "ks_threshold": 0.1, "ks_p_value": 0.01, "ks_p_value_adjusted": null,
     "ks_error_bound": 0.0, "ks_verdict": "skipped",
     "bins": {"edges": [1.0, null], "baseline": [1.0, 2.0, 0.0], "current": [0.0, 9.0, 0.0], "last_bin": "missing"},
     "psi_threshold": 0.25, "psi_p_value_adjusted": null, "psi_verdict": "ok", "alpha": 0.05,
     "checks": [{"check": "L-infinity drift (SageMaker)", "constraint_check_type": "baseline_drift_check",
                 "status": "violation", "description": "Baseline drift distance: 0.5 exceeds threshold: 0.1"}]},
    {"name": "c", "inferred_type": "String", "num_present": 9, "num_missing": 0, "completeness": 1.0,
     "chi_squared_gof_p_value": 0.2, "linf_method": "ChiSquared", "linf_threshold": 0.05,
     "linf_verdict": "ok", "psi": 0.01, "chi_squared": 1.5, "chi_squared_df": 2.0,
     "chi_squared_p_value": 0.4, "chi_squared_p_value_adjusted": 0.4, "cramers_v": 0.05,
     "cramers_v_threshold": 0.1, "chi_squared_verdict": "ok",
     "categories": {"labels": ["a", "b", "<unseen>", "<missing>"], "baseline": [5.0, 5.0, 0.0, 0.0], "current": [4.0, 5.0, 0.0, 0.0]},
     "psi_threshold": 0.25, "psi_p_value_adjusted": 0.4, "psi_verdict": "ok", "alpha": 0.05, "checks": []}
  ],
  "model_quality": {
    "status": "CompletedWithViolations",
    "message": "CompletedWithViolations: Job completed successfully with 1 violations.",
    "options": {"problem_type": "BinaryClassification", "inference_attribute": null,
                "probability_attribute": "0", "probability_threshold": 0.5},
    "endpoint": "ep",
    "variants": ["AllTraffic"],
    "capture_window": {"start": "2024-03-05T10:00:00Z", "end": "2024-03-05T11:00:00Z"},
    "ground_truth_window": {"start": "2024-03-05T10:00:00Z", "end": "2024-03-05T13:00:00Z"},
    "objects": {"capture": 1, "ground_truth": 2},
    "counts": {"capture_records": 10, "outside_window": 0, "predictions": 10, "duplicate_predictions": 0,
               "label_records": 9, "labels": 9, "duplicate_labels": 0, "matched": 9,
               "unmatched_predictions": 1, "unmatched_labels": 0, "labels_for_unknown_ids": 0,
               "labels_for_predictions_outside_window": 0, "labels_for_rejected_predictions": 0,
               "non_numeric_labels": 0, "invalid_labels": 1, "missing_labels": 0,
               "missing_predictions": 0, "invalid_predictions": 0, "missing_probability": 0,
               "invalid_probability": 0, "bad_lines": 0, "samples": 8},
    "match_rate": 0.9,
    "awaiting_labels_examples": ["id-10 (s3://b/c.jsonl:10)"],
    "issues": {"invalid_label": {"count": 1, "examples": [{"location": "s3://b/gt.jsonl:4", "message": "\"id-4\": bad label"}]}},
    "hours_without_capture": [],
    "ground_truth_hours": {"listed": 3, "without_objects": 1},
    "metrics": {"recall": 1.0, "precision": 0.75, "auc": "NaN", "f2": "Infinity"},
    "violations": 1,
    "checks": [
      {"metric": "auc", "operator": "LessThanThreshold", "threshold": 0.7, "value": "NaN", "violated": false,
       "note": "not a number"},
      {"metric": "precision", "operator": "LessThanThreshold", "threshold": 0.8, "value": 0.75,
       "violated": true, "note": null},
      {"metric": "r2", "operator": "GreaterThanOrEqualToThreshold", "threshold": "-Infinity", "value": null,
       "violated": false, "note": "no r2 in the statistics"}
    ]
  }
}"#;

#[test]
fn every_shape_of_the_writers_round_trips() {
    let r = assert_round_trip("SAMPLE", SAMPLE);
    assert!(r.feature("gone").unwrap().current.is_none());
    let x = r.feature("x").unwrap();
    assert!(x.current.as_ref().unwrap().mean.unwrap().is_nan());
    assert!(x.linf.as_ref().unwrap().value.is_nan());
    assert_eq!(x.ks().unwrap().p_value_adjusted, None);
    assert!(x.ks().unwrap().bins.edges[1].is_nan());
    assert_eq!(
        r.feature("c").unwrap().linf.as_ref().unwrap().kind,
        LinfKind::PValue
    );
    let mq = r.model_quality.as_ref().unwrap();
    assert_eq!(mq.status, ModelQualityStatus::CompletedWithViolations);
    let m = mq.metrics.as_ref().unwrap();
    assert_eq!(m.get("precision"), Some(0.75));
    assert!(m.get("auc").unwrap().is_nan());
    assert_eq!(m.get("f2"), Some(f64::INFINITY));
    assert_eq!(mq.checks.as_ref().unwrap()[2].threshold, f64::NEG_INFINITY);
}

#[test]
fn a_model_quality_section_without_metrics_round_trips() {
    let mut v: Value = serde_json::from_str(SAMPLE).unwrap();
    let mq = &mut v["model_quality"];
    mq["status"] = "NoGroundTruth".into();
    mq["metrics"] = Value::Null;
    mq["checks"] = Value::Null;
    mq["match_rate"] = Value::Null;
    mq["options"]["probability_threshold"] = Value::Null;
    let text = serde_json::to_string_pretty(&v).unwrap();
    let r = assert_round_trip("no metrics", &text);
    let mq = r.model_quality.unwrap();
    assert!(!mq.status.has_metrics());
    assert_eq!((mq.metrics, mq.checks, mq.match_rate), (None, None, None));
}

#[test]
fn unknown_fields_are_refused_at_every_level() {
    let v: Value = serde_json::from_str(SAMPLE).unwrap();
    let paths: &[&[&str]] = &[
        &[],
        &["records"],
        &["drift_config"],
        &["window"],
        &["features", "1"],
        &["features", "1", "bins"],
        &["features", "2", "categories"],
        &["features", "1", "checks", "0"],
        &["model_quality"],
        &["model_quality", "counts"],
        &["model_quality", "options"],
        &["model_quality", "checks", "0"],
    ];
    for path in paths {
        let mut w = v.clone();
        let mut at = &mut w;
        for k in *path {
            at = match k.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*k],
            };
        }
        at["surprise"] = 1.into();
        let e = serde_json::from_value::<DriftReport>(w).expect_err(&format!("{path:?}"));
        assert!(e.to_string().contains("surprise"), "{path:?}: {e}");
    }
}

#[test]
fn mixed_feature_shapes_are_refused() {
    let v: Value = serde_json::from_str(SAMPLE).unwrap();
    let breaks: &[(&str, &str, Value)] = &[
        ("1", "absent", true.into()),
        ("1", "chi_squared", 1.0.into()),
        ("2", "linf_distance", 1.0.into()),
        ("0", "psi", 1.0.into()),
    ];
    for (i, key, x) in breaks {
        let mut w = v.clone();
        w["features"][i.parse::<usize>().unwrap()][*key] = x.clone();
        assert!(
            serde_json::from_value::<DriftReport>(w).is_err(),
            "{i} {key}"
        );
    }
    let mut w = v.clone();
    w["features"][1].as_object_mut().unwrap().remove("bins");
    assert!(serde_json::from_value::<DriftReport>(w).is_err());
}

#[test]
fn scores_list_psi_then_the_test_then_linf() {
    let r: DriftReport = serde_json::from_str(SAMPLE).unwrap();
    let keys = |n: &str| -> Vec<(&'static str, ScoreKind, Verdict)> {
        r.feature(n)
            .unwrap()
            .scores()
            .iter()
            .map(|s| (s.key, s.kind, s.verdict))
            .collect()
    };
    assert_eq!(keys("gone"), vec![]);
    assert_eq!(
        keys("x"),
        vec![
            ("psi", ScoreKind::Distance, Verdict::Ok),
            ("ks_statistic", ScoreKind::Distance, Verdict::Skipped),
            ("linf_distance", ScoreKind::Distance, Verdict::Drift),
        ]
    );
    assert_eq!(
        keys("c"),
        vec![
            ("psi", ScoreKind::Distance, Verdict::Ok),
            ("cramers_v", ScoreKind::Distance, Verdict::Ok),
            ("chi_squared_gof_p_value", ScoreKind::PValue, Verdict::Ok),
        ]
    );
    let c = r.feature("c").unwrap().scores();
    assert_eq!(c[1].chi_squared, Some((1.5, 2.0)));
    assert_eq!(c[2].method, Some("ChiSquared"));
    assert_eq!(r.feature("x").unwrap().violated_checks().count(), 1);
}

#[test]
fn drift_settings_echo_the_config() {
    let d = crate::config::DriftConfig::default();
    let s = DriftSettings::from(&d);
    assert_eq!(
        serde_json::to_string(&s).unwrap(),
        r#"{"psi_threshold":0.25,"psi_bins":10,"psi_epsilon":0.0001,"ks_threshold":0.1,"cramers_v_threshold":0.1,"alpha":0.05,"correction":"benjamini-hochberg"}"#
    );
}

/// `feature_scores` as it was written with `json!` before [`FeatureReport`], kept as the
/// reference the typed builder must reproduce.
fn legacy_feature_scores(ctx: &Context<'_>, report: &Report) -> Vec<Value> {
    use serde_json::{json, Map};
    fn num(x: f64) -> Value {
        serde_json::Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
    let d = ctx.drift;
    ctx.features
        .iter()
        .map(|f| {
            let b = f.baseline;
            let v = |rule| report.verdict(rule, &b.name).as_str();
            let mut o = Map::new();
            o.insert("name".into(), json!(b.name));
            o.insert("inferred_type".into(), json!(b.inferred_type.as_str()));
            if let Some(col) = f.current {
                let rows = ctx.current.item_count;
                o.insert("num_present".into(), json!(col.present()));
                o.insert("num_missing".into(), json!(rows.saturating_sub(col.present())));
                if rows > 0 {
                    o.insert("completeness".into(), num(col.present() as f64 / rows as f64));
                }
                if let Some(m) = col.moments.mean() {
                    o.insert("mean".into(), num(m));
                }
            } else {
                o.insert("absent".into(), json!(true));
            }
            if let Some(c) = b.completeness {
                o.insert("baseline_completeness".into(), num(c));
            }
            if let Some(m) = b.mean {
                o.insert("baseline_mean".into(), num(m));
            }
            if let Some((dist, thr, method, is_p)) = linf_distance(f) {
                let key = if is_p { "chi_squared_gof_p_value" } else { "linf_distance" };
                o.insert(key.into(), num(dist));
                o.insert("linf_method".into(), json!(method));
                o.insert("linf_threshold".into(), num(thr));
            }
            o.insert("linf_verdict".into(), json!(v(RuleKind::BaselineDrift)));
            if let Some(m) = &f.numeric {
                o.insert("psi".into(), num(m.psi));
                o.insert("ks_statistic".into(), num(m.ks_statistic));
                o.insert("ks_threshold".into(), num(d.ks_threshold));
                o.insert("ks_p_value".into(), num(m.ks_p_value));
                o.insert("ks_p_value_adjusted".into(), f.ks_p_adjusted.map(num).unwrap_or(Value::Null));
                o.insert("ks_error_bound".into(), num(m.ks_error_bound));
                o.insert("ks_verdict".into(), json!(v(RuleKind::Ks)));
                o.insert(
                    "bins".into(),
                    json!({"edges": m.bins.edges.iter().map(|x| num(*x)).collect::<Vec<_>>(),
                           "baseline": m.bins.baseline, "current": m.bins.current,
                           "last_bin": "missing"}),
                );
            }
            if let Some(m) = &f.categorical {
                o.insert("psi".into(), num(m.psi));
                o.insert("chi_squared".into(), num(m.chi2_statistic));
                o.insert("chi_squared_df".into(), num(m.chi2_df));
                o.insert("chi_squared_p_value".into(), num(m.chi2_p_value));
                o.insert("chi_squared_p_value_adjusted".into(), f.chi2_p_adjusted.map(num).unwrap_or(Value::Null));
                o.insert("cramers_v".into(), num(m.cramers_v));
                o.insert("cramers_v_threshold".into(), num(d.cramers_v_threshold));
                o.insert("chi_squared_verdict".into(), json!(v(RuleKind::ChiSquare)));
                o.insert(
                    "categories".into(),
                    json!({"labels": m.labels, "baseline": m.baseline, "current": m.current}),
                );
            }
            if f.numeric.is_some() || f.categorical.is_some() {
                o.insert("psi_threshold".into(), num(d.psi_threshold));
                o.insert("psi_p_value_adjusted".into(), f.psi_p_adjusted.map(num).unwrap_or(Value::Null));
                o.insert("psi_verdict".into(), json!(v(RuleKind::Psi)));
            }
            o.insert("alpha".into(), num(d.alpha));
            let checks: Vec<Value> = report
                .outcomes
                .iter()
                .filter(|x| x.feature == b.name)
                .map(|x| {
                    let (status, reason) = match &x.status {
                        Status::Pass => ("pass", None),
                        Status::Violation => ("violation", None),
                        Status::Skipped(r) => ("skipped", Some(r.clone())),
                    };
                    let mut c = json!({
                        "check": descriptor(x.rule).map(|d| d.name).unwrap_or("?"),
                        "constraint_check_type": descriptor(x.rule).map(|d| d.check_type).unwrap_or("?"),
                        "status": status,
                    });
                    if let Some(r) = reason {
                        c["reason"] = json!(r);
                    }
                    if !x.description.is_empty() {
                        c["description"] = json!(x.description);
                    }
                    c
                })
                .collect();
            o.insert("checks".into(), Value::Array(checks));
            Value::Object(o)
        })
        .collect()
}

/// A profile of `n` rows of (num, int, cat, gone) — `gone` only when `with_gone` — shifted by
/// `shift`; every seventh row misses `num`, and `inf` puts an infinite value into `num`.
fn synthetic(
    n: usize,
    shift: f64,
    with_gone: bool,
    inf: bool,
) -> driftmon_baseline::profile::DatasetProfile {
    use driftmon_baseline::profile::{CellRef, DatasetProfile, Location};
    let mut names = vec!["num".to_owned(), "int".to_owned(), "cat".to_owned()];
    names.push(if with_gone { "gone" } else { "extra" }.to_owned());
    let mut p = DatasetProfile::with_names(&names);
    let loc = || Location {
        source: "synthetic".into(),
        line: 0,
    };
    let cats = ["a", "b", "c", "d"];
    for i in 0..n {
        let x = ((i * 7919) % 1000) as f64 / 10.0 + shift;
        let num = if i % 7 == 3 {
            CellRef::Null
        } else if inf && i == 5 {
            CellRef::Float(f64::INFINITY)
        } else {
            CellRef::Float(x)
        };
        let k = (i as f64 * shift.max(1.0)) as usize;
        p.add_positional(
            [
                num,
                CellRef::Int((i % 5) as i64),
                CellRef::Str(cats[k % cats.len()]),
                CellRef::Str("z"),
            ],
            &loc,
        );
    }
    p
}

#[test]
fn feature_reports_write_what_the_json_builder_wrote() {
    use crate::baseline_view::BaselineView;
    use crate::config::{Correction, DriftConfig};
    use crate::evaluate::{context, evaluate};
    use driftmon_baseline::files::{parse_constraints, parse_statistics, to_jackson};
    use driftmon_baseline::suggest;
    let base = synthetic(500, 0.0, true, false);
    let stats =
        parse_statistics(to_jackson(&suggest::statistics(&base)).unwrap().as_bytes()).unwrap();
    let cons =
        parse_constraints(to_jackson(&suggest::constraints(&base)).unwrap().as_bytes()).unwrap();
    let view = BaselineView::new(&stats, &cons);
    let configs = [
        DriftConfig::default(),
        DriftConfig {
            correction: Correction::None,
            psi_bins: 4,
            ..DriftConfig::default()
        },
    ];
    let mut shapes = std::collections::BTreeSet::new();
    for (cur, drift) in [
        (synthetic(300, 0.0, true, false), &configs[0]),
        (synthetic(300, 30.0, false, true), &configs[0]),
        (synthetic(40, 3.0, true, true), &configs[1]),
        (synthetic(0, 0.0, true, false), &configs[1]),
    ] {
        let ctx = context(&view, &cur, drift);
        let report = Report {
            outcomes: evaluate(&ctx),
        };
        let want = Value::Array(legacy_feature_scores(&ctx, &report));
        let typed = feature_reports(&ctx, &report);
        let got = serde_json::to_value(&typed).unwrap();
        assert_eq!(
            serde_json::to_string_pretty(&got).unwrap(),
            serde_json::to_string_pretty(&want).unwrap()
        );
        assert_eq!(Value::Array(feature_scores(&ctx, &report)), want);
        for f in &typed {
            shapes.insert((
                f.current.is_some(),
                f.ks().is_some(),
                f.chi_squared().is_some(),
                f.linf.is_some(),
            ));
        }
    }
    // Absent, numeric, categorical and score-less features were all compared.
    assert!(shapes.contains(&(false, false, false, false)), "{shapes:?}");
    assert!(shapes.contains(&(true, true, false, true)), "{shapes:?}");
    assert!(shapes.contains(&(true, false, true, true)), "{shapes:?}");
}
