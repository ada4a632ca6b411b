//! nDCG golden values (`clarify-monitors.md` §5.5, §7.3): the three worked values bit for bit,
//! and scikit-learn's `ndcg_score` on generated cases (`rules/oracle/ndcg_reference.json`, from
//! `rules/oracle/gen_ndcg.py`): 140 of 2–15 features (ties included) bit for bit, 20 of 16–64
//! features within 1e-15 relative.

use std::path::PathBuf;

use driftmon_rules::attribution::ndcg::ndcg;
use serde_json::Value;

/// The shared fixtures folder (`$DRIFTMON_SHARED_DIR`, else `../shared` beside the repository);
/// `None`, with a note, when absent.
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

/// The second real baseline of the same model and data: NB-BT-JSONL cell 49
/// (aws/amazon-sagemaker-examples, `sm-clarify_model_bias_monitor_batch_transform.ipynb`), in
/// header order.
const NB_BT_JSONL_CELL_49: [(&str, f64); 14] = [
    ("Age", 0.05966147427879835),
    ("Workclass", 0.00912397024204763),
    ("fnlwgt", 0.0010359326386406794),
    ("Education", 0.014584218772494863),
    ("Education-Num", 0.09914514927164537),
    ("Marital Status", 0.05460401411146745),
    ("Occupation", 0.002615299661494767),
    ("Relationship", 0.018177001453756298),
    ("Ethnic group", 0.005266052293379711),
    ("Sex", 0.03201881160113639),
    ("Capital Gain", 0.09911907893044279),
    ("Capital Loss", 0.013593711604795078),
    ("Hours per week", 0.036417023377112064),
    ("Country", 0.004667358596049477),
];

fn fixture_label0() -> Option<Vec<(String, f64)>> {
    let path = fixtures()?
        .join("examples-notebook-output-clarify/explainability-baseline-analysis.label0.json");
    let v: Value = serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("json");
    let g = v["explanations"]["kernel_shap"]["label0"]["global_shap_values"]
        .as_object()
        .expect("global_shap_values")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_f64().expect("number")))
        .collect();
    Some(g)
}

#[test]
fn docs_example_is_exact() {
    // DOC clarify-model-monitor-feature-attribution-drift.md (rounded there to 0.69).
    let got = ndcg(&[0.70, 0.50, 0.05], &[0.10, 0.20, 0.70]);
    assert_eq!(got, 0.687639624122622);
}

#[test]
fn two_real_baselines_are_exact() {
    let Some(base) = fixture_label0() else { return };
    let a: Vec<f64> = base.iter().map(|(_, v)| *v).collect();
    let c: Vec<f64> = base
        .iter()
        .map(|(k, _)| {
            NB_BT_JSONL_CELL_49
                .iter()
                .find(|(n, _)| n == k)
                .expect("feature")
                .1
        })
        .collect();
    assert_eq!(ndcg(&a, &c), 0.9996906074301998);
}

#[test]
fn reversed_ranking_is_exact() {
    let Some(base) = fixture_label0() else { return };
    let a: Vec<f64> = base.iter().map(|(_, v)| *v).collect();
    let c: Vec<f64> = a.iter().map(|v| -v).collect();
    assert_eq!(ndcg(&a, &c), 0.49452089872231425);
}

#[test]
fn matches_sklearn_on_generated_cases() {
    let text = include_str!("../oracle/ndcg_reference.json");
    let v: Value = serde_json::from_str(text).expect("json");
    let cases = v["cases"].as_array().expect("cases");
    assert!(cases.len() >= 100);
    let (mut exact, mut long, mut worst) = (0, 0, 0.0f64);
    for case in cases {
        let nums = |k: &str| -> Vec<f64> {
            case[k]
                .as_array()
                .expect("array")
                .iter()
                .map(|x| x.as_f64().expect("f64"))
                .collect()
        };
        let (a, c) = (nums("baseline"), nums("current"));
        let want = case["ndcg"].as_f64().expect("ndcg");
        let got = ndcg(&a, &c);
        if a.len() < 16 {
            // Bit for bit below 16 features (see the module docs).
            assert_eq!(got, want, "{} case {a:?} / {c:?}", case["kind"]);
            exact += 1;
        } else {
            // OpenBLAS's SIMD kernel from 16 features on: within 1e-15 relative.
            let rel = (got - want).abs() / want;
            worst = worst.max(rel);
            assert!(rel <= 1e-15, "{} features: {got} vs {want}", a.len());
            long += 1;
        }
    }
    println!("{exact} cases bit for bit, {long} long cases within {worst:e} relative");
    assert!(exact >= 100 && long >= 20);
}
