//! Smaller properties of the bias core: the registry, undefined metrics (never NaN, counted,
//! not published), the rule's edge cases, the seeded PRNG and resampler, the normal quantile,
//! and smclarify's column typing.

use driftmon_rules::bias::analysis::{analyze, BiasAnalysis, BiasSpec, BiasTable, FacetSpec};
use driftmon_rules::bias::cloudwatch::bias_points;
use driftmon_rules::bias::drift::{
    check_drift, normal_quantile, violations_json, DecisionMode, DriftParams, Resampler, Rng, Skip,
    Verdict,
};
use driftmon_rules::bias::metrics::{np_sum, Cells, Metric, Num, Stage, REGISTRY};
use driftmon_rules::bias::table::{
    facet_indexes, interval_index, series_datatype, Column, DataType,
};
use driftmon_rules::clarify::{MethodSelection, NameOrIndex, Scalar};
use driftmon_rules::metrics_catalog::{PointContext, Target};

#[test]
fn registry_order_and_descriptions() {
    let pre: Vec<&str> = REGISTRY
        .iter()
        .filter(|d| d.stage == Stage::PreTraining)
        .map(|d| d.name)
        .collect();
    let post: Vec<&str> = REGISTRY
        .iter()
        .filter(|d| d.stage == Stage::PostTraining)
        .map(|d| d.name)
        .collect();
    assert_eq!(pre, ["CDDL", "CI", "DPL", "JS", "KL", "KS", "LP", "TVD"]);
    assert_eq!(
        post,
        ["AD", "CDDPL", "DAR", "DCA", "DCR", "DI", "DPPL", "DRR", "FT", "GE", "RD", "SD", "TE"]
    );
    assert_eq!(
        Metric::KL.descriptor().description,
        "Kullback-Liebler Divergence (KL)"
    );
    assert_eq!(
        Metric::from_name("DCR").unwrap().descriptor().description,
        "Difference in Conditional Rejection (DCR)"
    );
    for d in REGISTRY {
        assert!(d.description.ends_with(&format!("({})", d.name)));
    }
}

fn table(f: Vec<i64>, y: Vec<i64>, p: Vec<i64>) -> BiasTable {
    let n = f.len();
    BiasTable {
        features: vec![
            ("f".into(), Column::Int(f)),
            (
                "g".into(),
                Column::Int((0..n as i64).map(|i| i % 2).collect()),
            ),
            (
                "x".into(),
                Column::Float((0..n).map(|i| i as f64 * 0.37 % 1.0).collect()),
            ),
        ],
        label: Column::Int(y),
        predicted_label: Some(Column::Int(p)),
    }
}

fn spec(values: Vec<Scalar>) -> BiasSpec {
    BiasSpec {
        label_name: "y".into(),
        label_values: vec![Scalar::Int(1)],
        facets: vec![FacetSpec {
            column: NameOrIndex::Name("f".into()),
            values: Some(values),
        }],
        group_variable: Some(NameOrIndex::Name("g".into())),
        pre_training: Some(MethodSelection::All),
        post_training: Some(MethodSelection::All),
    }
}

/// 100 rows (categorical 0/1 columns need n > 40) with facet value 7 absent: every metric that
/// needs d fails with smclarify's message.
#[test]
fn undefined_metrics_are_null_counted_and_not_published() {
    let n = 100;
    let f: Vec<i64> = (0..n).map(|i| i % 2).collect();
    let y: Vec<i64> = (0..n).map(|i| (i % 3 == 0) as i64).collect();
    let p: Vec<i64> = (0..n).map(|i| (i % 4 == 0) as i64).collect();
    let t = table(f, y, p);
    let cur = analyze(&t, &spec(vec![Scalar::Int(7)])).unwrap();
    let text = cur.to_json_string();
    assert!(!text.contains("NaN") && !text.contains("nan"));
    assert!(text.contains("\"value\": null,\n                            \"error\": \"CI: facet set is empty. Check that x[facet] has non-zero length.\""), "{text}");
    // CDDL/CDDPL (no emptiness check in smclarify's CDD: 0.0) and GE (facet-independent)
    // have values; everything else fails.
    let pre = cur.pre_training.as_ref().unwrap().as_ref().unwrap();
    let fv = &pre.facets[0].values.as_ref().unwrap()[0];
    assert!(fv
        .metrics
        .iter()
        .all(|m| m.outcome.is_err() == (m.metric != Metric::CDDL)));
    let ctx = PointContext {
        target: Target::Endpoint("e"),
        schedule: "s",
        timestamp_ms: 1,
    };
    let (points, undefined) = bias_points(&ctx, &cur);
    assert_eq!((points.len(), undefined), (3, 18));
    let names: Vec<&str> = points.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["bias_metric_CDDPL", "bias_metric_GE", "bias_metric_CDDL"]
    );
    // The baseline had the facet value; the current window does not: skipped, counted.
    let good = analyze(&t, &spec(vec![Scalar::Int(1)])).unwrap();
    let mut base = BiasAnalysis::from_json_str(&good.to_json_string().replace(
        "\"value_or_threshold\": \"1\"",
        "\"value_or_threshold\": \"7\"",
    ))
    .unwrap();
    let r = check_drift(&base, &cur, &DriftParams::default());
    assert_eq!(r.undefined(), 18);
    assert!(r.checks.iter().any(|c| matches!(&c.verdict, Verdict::Skipped(Skip::CurrentUndefined(e)) if e == "DCO: Facet set is empty")));
    // Baseline errors are skipped too.
    base = BiasAnalysis::from_json_str(&cur.to_json_string()).unwrap();
    let r = check_drift(&base, &good, &DriftParams::default());
    assert!(r.checks.is_empty(), "no pair: facet values differ");
}

#[test]
fn aborted_stage_is_reported() {
    let n = 100;
    let t = table(
        (0..n).map(|i| i % 2).collect(),
        (0..n).map(|i| (i % 3 == 0) as i64).collect(),
        vec![0; n as usize],
    );
    let cur = analyze(&t, &spec(vec![Scalar::Int(0)])).unwrap();
    let err = cur.post_training.clone().unwrap().unwrap_err();
    assert_eq!(err, "No Label values are present in the predicted Label Column,Positive Predicted Index Series contains all False values");
    assert!(!cur.to_json_string().contains("post_training_bias_metrics"));
    let r = check_drift(&cur, &cur, &DriftParams::default());
    assert_eq!(r.aborted, vec![(Stage::PostTraining, None, err)]);
    assert!(r.violations().is_empty() && violations_json(&r.violations()).is_none());
}

#[test]
fn rule_edge_cases() {
    // Baseline inf never violates; current inf with finite baseline does; integer 0 prints "0".
    let mk = |v: &str| {
        BiasAnalysis::from_json_str(&format!(
            r#"{{"version":"1.0","post_training_bias_metrics":{{"label":"y","facets":{{"f":[{{"value_or_threshold":"1","metrics":[
            {{"name":"TE","description":"Treatment Equality (TE)","value":{v}}},
            {{"name":"DCR","description":"Difference in Conditional Rejection (DCR)","value":0}}]}}]}},"label_value_or_threshold":"1"}}}}"#
        ))
        .unwrap()
    };
    let point = DriftParams {
        mode: DecisionMode::Point,
        ..DriftParams::default()
    };
    let r = check_drift(&mk("\"Infinity\""), &mk("-3.5"), &point);
    assert!(r.violations().is_empty());
    let r = check_drift(&mk("0.5"), &mk("\"-Infinity\""), &point);
    let v = r.violations();
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].description,
        "Metric value -Infinity doesn't meet the baseline constraint requirement 0.5"
    );
    assert_eq!(r.checks[1].current, Some(Num::Int(0)));
    assert_eq!(mk("1e-05").to_json_string().matches("1e-05").count(), 1);
    assert!(mk("0.5").to_json_string().contains("\"value\": 0\n"));
}

#[test]
fn normal_quantile_and_prng() {
    assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-13);
    assert!((normal_quantile(0.995) - 2.5758293035489004).abs() < 1e-12);
    assert!((normal_quantile(0.01) + 2.3263478740408408).abs() < 1e-12);
    let a: Vec<u64> = {
        let mut r = Rng::new(7);
        (0..5).map(|_| r.next_u64()).collect()
    };
    let b: Vec<u64> = {
        let mut r = Rng::new(7);
        (0..5).map(|_| r.next_u64()).collect()
    };
    assert_eq!(a, b);
    let mut r = Rng::new(1);
    assert!((0..10_000).all(|_| r.below(3) < 3));
}

#[test]
fn resampler_keeps_rows_and_proportions() {
    let mut cells = Cells::new(2, true);
    cells.counts[0] = [10, 0, 5, 0, 0, 0, 0, 85];
    cells.counts[1] = [0, 0, 0, 0, 0, 0, 0, 900];
    let s = Resampler::new(&cells);
    let mut rng = Rng::new(3);
    let mut total = [0u64; 16];
    for _ in 0..200 {
        let c = s.draw(&mut rng);
        assert_eq!(c.rows(), 1000);
        for g in 0..2 {
            for i in 0..8 {
                total[g * 8 + i] += c.counts[g][i];
            }
        }
        assert_eq!(c.counts[0][1] + c.counts[1][0], 0, "empty cells stay empty");
    }
    let share = total[15] as f64 / 200_000.0;
    assert!((share - 0.9).abs() < 0.005, "{share}");
}

#[test]
fn column_typing_like_smclarify() {
    // Integer 0/1: categorical above 40 rows, continuous at 40 or fewer (uniqueness ≥ 0.05).
    assert_eq!(
        series_datatype(&Column::Int([0, 1].repeat(21)), None),
        DataType::Categorical
    );
    assert_eq!(
        series_datatype(&Column::Int([0, 1].repeat(20)), None),
        DataType::Continuous
    );
    assert_eq!(
        series_datatype(
            &Column::Float([0.0, 1.0].repeat(50)),
            Some(&[Scalar::Int(1)])
        ),
        DataType::Continuous
    );
    assert_eq!(
        series_datatype(
            &Column::Float(vec![0.0, 1.0]),
            Some(&[Scalar::Int(0), Scalar::Int(1)])
        ),
        DataType::Categorical
    );
    let iv = interval_index(&Column::Int(vec![18, 90, 40]), &[Scalar::Int(40)]).unwrap();
    assert_eq!(iv.text, "(40, 90]");
    let iv = interval_index(&Column::Int(vec![18, 90]), &[Scalar::Float(40.5)]).unwrap();
    assert_eq!(iv.text, "(40.5, 90.0]");
    let iv = interval_index(&Column::Float(vec![0.2, 0.99]), &[Scalar::Int(0)]).unwrap();
    assert_eq!(iv.text, "(0.0, 0.99]");
    // One-vs-rest in order of first appearance.
    let idx = facet_indexes(
        &Column::Str(
            ["b", "a", "b", "c"]
                .repeat(30)
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        None,
    )
    .unwrap();
    assert_eq!(
        idx.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
        ["b", "a", "c"]
    );
    // Values of the wrong type are converted when nothing matched: [1] on a string label.
    let idx = facet_indexes(
        &Column::Str(
            ["1", "0"]
                .repeat(30)
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        Some(&[Scalar::Int(1)]),
    )
    .unwrap();
    assert_eq!(
        (idx[0].text.as_str(), idx[0].flags[0], idx[0].flags[1]),
        ("1", true, false)
    );
}

#[test]
fn numpy_pairwise_sum() {
    let v: Vec<f64> = (0..300)
        .map(|i| 0.1 * i as f64 + 1e-3 / (i as f64 + 1.0))
        .collect();
    let naive: f64 = v.iter().sum();
    assert!((np_sum(&v) - naive).abs() < 1e-9);
    assert_eq!(np_sum(&[]), 0.0);
    assert_eq!(np_sum(&[1.5]), 1.5);
}

#[test]
fn binomial_moments() {
    let mut rng = Rng::new(5);
    for (n, p) in [
        (10u64, 0.3),
        (100, 0.5),
        (1_000_000, 0.001),
        (1_000_000, 0.37),
        (5_000, 0.999),
    ] {
        let reps = 4000;
        let xs: Vec<f64> = (0..reps).map(|_| rng.binomial(n, p) as f64).collect();
        assert!(xs.iter().all(|&x| x <= n as f64));
        let mean = xs.iter().sum::<f64>() / reps as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (reps - 1) as f64;
        let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
        // Mean within 4 standard errors; variance within 10 %.
        assert!(
            (mean - m).abs() < 4.0 * (v / reps as f64).sqrt(),
            "n={n} p={p}: mean {mean} vs {m}"
        );
        assert!((var / v - 1.0).abs() < 0.1, "n={n} p={p}: var {var} vs {v}");
    }
}

/// The multinomial resampler against resampling the rows themselves: the same bootstrap
/// standard error of DPPL and TE (within sampling noise).
#[test]
fn resampler_matches_row_resampling() {
    let mut cells = Cells::new(1, false);
    cells.counts[0] = [300, 80, 60, 260, 90, 30, 40, 140];
    let rows: Vec<usize> = (0..8)
        .flat_map(|i| std::iter::repeat_n(i, cells.counts[0][i] as usize))
        .collect();
    let sd = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
    };
    let s = Resampler::new(&cells);
    let mut rng = Rng::new(11);
    for m in [Metric::DPPL, Metric::TE, Metric::CI] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..2000 {
            a.push(s.draw(&mut rng).compute(m).unwrap().unwrap().as_f64());
            let mut c = Cells::new(1, false);
            for _ in 0..rows.len() {
                c.counts[0][rows[rng.below(rows.len() as u64) as usize]] += 1;
            }
            b.push(c.compute(m).unwrap().unwrap().as_f64());
        }
        let (sa, sb) = (sd(&a), sd(&b));
        assert!((sa / sb - 1.0).abs() < 0.08, "{m}: {sa} vs {sb}");
    }
}

#[test]
fn columns_from_json_and_scores() {
    use driftmon_rules::bias::table::labels_from_scores;
    use serde_json::json;
    let c = |v: serde_json::Value| Column::from_json(v.as_array().unwrap());
    assert_eq!(c(json!([1, 0, 2])), Ok(Column::Int(vec![1, 0, 2])));
    assert_eq!(c(json!([1, 0.5])), Ok(Column::Float(vec![1.0, 0.5])));
    assert_eq!(c(json!([true, false])), Ok(Column::Bool(vec![true, false])));
    assert_eq!(
        c(json!(["a", 1, 0.5, true])),
        Ok(Column::Str(vec![
            "a".into(),
            "1".into(),
            "0.5".into(),
            "True".into()
        ]))
    );
    assert_eq!(c(json!([1, null])), Err("row 1: missing value".into()));
    assert_eq!(
        labels_from_scores(&[0.5, 0.51, 0.1], 0.5),
        Column::Int(vec![0, 1, 0])
    );
    let e = BiasTable::from_feature_rows(
        &["a".into(), "b".into()],
        &[vec![json!(1), json!(2)], vec![json!(1)]],
        Column::Int(vec![0, 1]),
        None,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "feature row 1 has 1 values, expected 2");
}

#[test]
fn config_metric_names_are_the_registry() {
    use driftmon_rules::clarify::{POST_TRAINING_NAMES, PRE_TRAINING_NAMES};
    let names = |s: Stage| {
        REGISTRY
            .iter()
            .filter(|d| d.stage == s)
            .map(|d| d.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(Stage::PreTraining), PRE_TRAINING_NAMES);
    assert_eq!(names(Stage::PostTraining), POST_TRAINING_NAMES);
}
