//! Explainability smoke test (`clarify-monitors.md` §7.4 case 4, §7.2 linear oracle): a linear
//! model over the 14 Adult features of `examples-clarify-json-datasets/test-dataset.jsonl`
//! (334 records), the real notebooks' baseline record, `num_samples = 100`, `mean_abs`.
//!
//! With `f(x) = w·x + c` every coalition value is affine in the mask, so the constrained weighted
//! least squares fits with zero residual for *any* coalition sample: `φ_j = w_j (x_j − b_j)`
//! exactly, up to the rounding of the solve (checked to 1e-9 of the record's total
//! attribution `Σ_j |φ_j|`), `expected_value = f(b)`, and the global values are
//! `mean_i |w_j (x_ij − b_j)|`. Compared with itself the run is clean: nDCG 1 (±1 ulp, as sklearn), no
//! `constraint_violations.json`, status `Completed`.

use std::path::PathBuf;
use std::time::Instant;

use driftmon_rules::attribution::{
    check_drift, explain, parse_analysis, plan, write_analysis, AggMethod, FnModel, RunOptions,
    ShapSettings,
};
use driftmon_rules::report::ExecutionStatus;

fn fixtures() -> Option<PathBuf> {
    let dir = match std::env::var_os("DRIFTMON_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
    };
    let dir = dir.join("fixtures/sagemaker");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: shared fixtures absent (set DRIFTMON_SHARED_DIR)");
        None
    }
}

const HEADERS: [&str; 14] = [
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
];

/// The notebooks' SHAP baseline (NB-EXPL-BT cell 45, NB-BT-JSONL cell 19).
const BASELINE: [f64; 14] = [
    39.0, 2.0, 184870.0, 10.0, 10.0, 3.0, 6.0, 1.0, 4.0, 1.0, 1597.0, 61.0, 41.0, 37.0,
];

const W: [f64; 14] = [
    0.01, -0.02, 1e-6, 0.03, 0.1, -0.05, 0.004, -0.06, 0.02, 0.15, 2e-5, 1e-4, 0.008, -0.001,
];
const C: f64 = -1.0;

fn linear(r: &[f64]) -> Vec<f64> {
    vec![W.iter().zip(r).map(|(w, x)| w * x).sum::<f64>() + C]
}

fn records(dir: &std::path::Path) -> Vec<Vec<f64>> {
    let text =
        std::fs::read_to_string(dir.join("examples-clarify-json-datasets/test-dataset.jsonl"))
            .expect("fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            v["features"]
                .as_array()
                .expect("features")
                .iter()
                .map(|x| x.as_f64().expect("number"))
                .collect()
        })
        .collect()
}

#[test]
fn linear_model_over_the_adult_test_set() {
    let Some(dir) = fixtures() else { return };
    let recs = records(&dir);
    assert_eq!(recs.len(), 334);
    let settings = ShapSettings {
        baseline: vec![BASELINE.to_vec()],
        num_samples: Some(100),
        agg_method: AggMethod::MeanAbs,
        headers: Some(HEADERS.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    };
    let opts = RunOptions::default();
    let need = plan(&recs, &settings, &opts).expect("plan");
    let t = Instant::now();
    let e = explain(FnModel(linear), &recs, &settings, &opts).expect("explain");
    let elapsed = t.elapsed();
    assert_eq!(e.usage, need);
    println!(
        "Kernel SHAP: {} records x 14 features, num_samples 100, 1 baseline row: {:?}, {} calls, {} rows",
        recs.len(),
        elapsed,
        e.usage.calls,
        e.usage.rows
    );

    // Local values: exact.
    for (i, (x, l)) in recs.iter().zip(&e.local).enumerate() {
        let want: Vec<f64> = (0..14).map(|j| W[j] * (x[j] - BASELINE[j])).collect();
        let scale: f64 = want.iter().map(|v| v.abs()).sum();
        for (j, (got, want)) in l.phi[0].iter().zip(&want).enumerate() {
            let err = (got - want).abs();
            assert!(
                err <= 1e-9 * scale,
                "record {i} feature {j}: {got} vs {want}"
            );
        }
    }
    assert_eq!(e.expected_value, linear(&BASELINE));

    // Global values: mean_abs of the exact values.
    let global = e.global(AggMethod::MeanAbs);
    assert_eq!(global.len(), 1);
    assert_eq!(global[0].label, "label0");
    let names: Vec<&str> = global[0]
        .global_shap_values
        .iter()
        .map(|(f, _)| f.as_str())
        .collect();
    assert_eq!(names, HEADERS.to_vec());
    for (j, (_, v)) in global[0].global_shap_values.iter().enumerate() {
        let want = recs
            .iter()
            .map(|x| (W[j] * (x[j] - BASELINE[j])).abs())
            .sum::<f64>()
            / 334.0;
        assert!(
            (v - want).abs() <= 1e-9 * want.max(1e-12),
            "{j}: {v} vs {want}"
        );
    }

    // analysis.json: Clarify's layout, header order, reads back.
    let text = write_analysis(&global);
    assert!(text.starts_with(
        "{\n    \"version\": \"1.0\",\n    \"explanations\": {\n        \"kernel_shap\": {\n            \"label0\": {\n                \"global_shap_values\": {\n                    \"Age\": "
    ));
    assert!(text.contains("\n                },\n                \"expected_value\": "));
    assert!(text.ends_with("\n            }\n        }\n    }\n}"));
    let back = parse_analysis(text.as_bytes()).expect("parse");
    assert_eq!(back, global);

    // Against itself: clean.
    let check = check_drift(&back, &global, 0.9);
    let ndcg = match &check.labels[0] {
        driftmon_rules::attribution::LabelOutcome::Checked { ndcg, .. } => *ndcg,
        o => panic!("{o:?}"),
    };
    println!("nDCG against itself: {ndcg:?}");
    // 1 up to rounding: for these values sklearn.metrics.ndcg_score gives 1.0000000000000002 too
    // (DCG is a pairwise sum, iDCG an FMA dot product; checked with sklearn 1.9.1).
    assert!((ndcg - 1.0).abs() <= 2.0 * f64::EPSILON, "{ndcg}");
    assert_eq!(check.constraint_violations_json(), None);
    let status = if check.has_violations() {
        ExecutionStatus::CompletedWithViolations
    } else {
        ExecutionStatus::Completed
    };
    assert_eq!(status.as_str(), "Completed");
}
