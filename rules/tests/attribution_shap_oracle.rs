//! Kernel SHAP against the `shap` package (`clarify-monitors.md` §7.2), on the nonlinear model of
//! `rules/oracle/shap_reference.json` (`rules/oracle/gen_shap.py`: a scikit-learn MLP, 8
//! features, 5 background rows, 10 records, two outputs).
//!
//! * **Exact** (every coalition enumerated, `num_samples ≥ 2^M − 2`): equal to
//!   `shap.explainers.Exact` and to `KernelExplainer(nsamples=254)` within **1e-9** absolute,
//!   identity link and logit link; `expected_value` within 1e-12.
//! * **Sampled** (`num_samples` 40 and 120, fewer than the 254 coalitions): both sides are random
//!   with different generators (numpy's global stream vs driftmon's xoshiro256**), so they are
//!   compared as distributions. shap ran 40 seeds, driftmon runs 200; for every record, feature
//!   and output the two means must agree within **4.5 combined standard errors**
//!   `|m_r − m_s| ≤ 4.5·√(s_r²/200 + s_s²/40)` (160 comparisons per sample size; at 4.5σ a
//!   correct implementation fails any of them with probability ≈ 0.1 %, and the outcome is fixed
//!   by the seeds, so the test is not flaky), and the root-mean-square error against the exact
//!   values must be within **±25 %** of shap's (the same estimator has the same spread; with 40
//!   shap runs the RMSE itself is known to a few percent).
// Record × feature × output loops read best with indices.
#![allow(clippy::needless_range_loop)]

use driftmon_rules::attribution::{explain, FnModel, RunOptions, ShapSettings};
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("../oracle/shap_reference.json")).expect("reference json")
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("f64"))
                .collect()
        })
        .collect()
}

fn vector(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("f64"))
        .collect()
}

/// `[record][feature][output]`.
fn cube(v: &Value) -> Vec<Vec<Vec<f64>>> {
    v.as_array().expect("array").iter().map(matrix).collect()
}

/// The MLP of the reference: `p1 = σ(relu(x W1 + b1) W2 + b2)`, outputs `[1 − p1, p1]`.
struct Mlp {
    w1: Vec<Vec<f64>>,
    b1: Vec<f64>,
    w2: Vec<Vec<f64>>,
    b2: Vec<f64>,
}

impl Mlp {
    fn from(v: &Value) -> Mlp {
        let m = &v["model"];
        assert_eq!(m["kind"], "mlp_relu_logistic_binary");
        Mlp {
            w1: matrix(&m["w1"]),
            b1: vector(&m["b1"]),
            w2: matrix(&m["w2"]),
            b2: vector(&m["b2"]),
        }
    }

    fn predict(&self, x: &[f64]) -> Vec<f64> {
        let hidden: Vec<f64> = (0..self.b1.len())
            .map(|h| {
                let s: f64 = x.iter().zip(&self.w1).map(|(xi, row)| xi * row[h]).sum();
                (s + self.b1[h]).max(0.0)
            })
            .collect();
        let z: f64 = hidden
            .iter()
            .zip(&self.w2)
            .map(|(a, row)| a * row[0])
            .sum::<f64>()
            + self.b2[0];
        let p = 1.0 / (1.0 + (-z).exp());
        vec![1.0 - p, p]
    }
}

fn settings(r: &Value) -> ShapSettings {
    ShapSettings {
        baseline: matrix(&r["background"]),
        ..Default::default()
    }
}

#[test]
fn model_matches_predict_proba() {
    let r = reference();
    let mlp = Mlp::from(&r);
    for (rows, probs) in [
        (matrix(&r["records"]), matrix(&r["predict_proba_records"])),
        (
            matrix(&r["background"]),
            matrix(&r["predict_proba_background"]),
        ),
    ] {
        for (x, p) in rows.iter().zip(&probs) {
            let q = mlp.predict(x);
            for d in 0..2 {
                assert!((q[d] - p[d]).abs() < 1e-12, "{q:?} vs {p:?}");
            }
        }
    }
}

fn max_gap(e: &driftmon_rules::attribution::Explanation, want: &[Vec<Vec<f64>>]) -> f64 {
    let mut gap = 0.0f64;
    for (i, l) in e.local.iter().enumerate() {
        for j in 0..want[i].len() {
            for (d, phi) in l.phi.iter().enumerate() {
                gap = gap.max((phi[j] - want[i][j][d]).abs());
            }
        }
    }
    gap
}

#[test]
fn exact_values_equal_shap_exact_and_full_kernel() {
    let r = reference();
    let mlp = Mlp::from(&r);
    let records = matrix(&r["records"]);
    let s = settings(&r); // num_samples None: 2M + 2048 ≥ 254, every coalition
    let e = explain(
        FnModel(|x: &[f64]| mlp.predict(x)),
        &records,
        &s,
        &RunOptions::default(),
    )
    .expect("explain");
    assert_eq!(e.labels, vec!["label0", "label1"]);
    // 8 varying features: 254 coalitions; x7 = 0 as in the background: 7 vary, 126.
    for (l, x) in e.local.iter().zip(&records) {
        assert_eq!(l.coalitions, if x[7] == 0.0 { 126 } else { 254 });
    }
    let gap_exact = max_gap(&e, &cube(&r["exact"]));
    let gap_kernel = max_gap(&e, &cube(&r["kernel_full"]));
    println!("max |driftmon − shap Exact| = {gap_exact:e}, max |driftmon − KernelExplainer(254)| = {gap_kernel:e}");
    assert!(gap_exact < 1e-9 && gap_kernel < 1e-9);
    let ev = vector(&r["expected_value"]);
    for d in 0..2 {
        assert!((e.expected_value[d] - ev[d]).abs() < 1e-12);
    }
}

#[test]
fn exact_logit_values_equal_shap() {
    let r = reference();
    let mlp = Mlp::from(&r);
    let records = matrix(&r["records"]);
    let mut s = settings(&r);
    s.use_logit = true;
    let e = explain(
        FnModel(|x: &[f64]| mlp.predict(x)),
        &records,
        &s,
        &RunOptions::default(),
    )
    .expect("explain");
    let gap = max_gap(&e, &cube(&r["kernel_logit_full"]));
    println!("logit link: max |driftmon − KernelExplainer(254, logit)| = {gap:e}");
    assert!(gap < 1e-9);
    let ev = vector(&r["expected_value_logit"]);
    for d in 0..2 {
        assert!((e.expected_value[d] - ev[d]).abs() < 1e-12);
    }
}

#[test]
fn sampled_values_match_kernel_explainer_statistically() {
    const RUNS: usize = 200;
    let r = reference();
    let mlp = Mlp::from(&r);
    let records = matrix(&r["records"]);
    let exact = cube(&r["exact"]);
    for case in r["sampled"].as_array().expect("sampled") {
        let ns = case["nsamples"].as_u64().expect("nsamples") as usize;
        let shap_runs = case["seeds"].as_u64().expect("seeds") as f64;
        let shap_mean = cube(&case["mean"]);
        let shap_std = cube(&case["std"]);
        let shap_rmse = case["rmse_vs_exact"].as_f64().expect("rmse");
        // driftmon: RUNS seeds; sums for the mean and the variance of every entry
        let (nr, nf, nd) = (records.len(), exact[0].len(), 2);
        let mut sum = vec![0.0; nr * nf * nd];
        let mut sum_sq = vec![0.0; nr * nf * nd];
        let mut sq_err = 0.0;
        for seed in 0..RUNS as u64 {
            let mut s = settings(&r);
            s.num_samples = Some(ns);
            s.seed = Some(seed);
            let e = explain(
                FnModel(|x: &[f64]| mlp.predict(x)),
                &records,
                &s,
                &RunOptions::default(),
            )
            .expect("explain");
            for i in 0..nr {
                for j in 0..nf {
                    for d in 0..nd {
                        let v = e.local[i].phi[d][j];
                        let k = (i * nf + j) * nd + d;
                        sum[k] += v;
                        sum_sq[k] += v * v;
                        sq_err += (v - exact[i][j][d]).powi(2);
                    }
                }
            }
        }
        let n = RUNS as f64;
        let mut worst_z = 0.0f64;
        for i in 0..nr {
            for j in 0..nf {
                for d in 0..nd {
                    let k = (i * nf + j) * nd + d;
                    let mean = sum[k] / n;
                    let var = ((sum_sq[k] - sum[k] * sum[k] / n) / (n - 1.0)).max(0.0);
                    let se = (var / n + shap_std[i][j][d].powi(2) / shap_runs).sqrt();
                    let diff = (mean - shap_mean[i][j][d]).abs();
                    if se == 0.0 {
                        assert!(diff < 1e-12, "ns {ns} record {i} feature {j} output {d}");
                        continue;
                    }
                    let z = diff / se;
                    worst_z = worst_z.max(z);
                    assert!(
                        z <= 4.5,
                        "ns {ns} record {i} feature {j} output {d}: driftmon mean {mean}, shap mean {}, z = {z:.2}",
                        shap_mean[i][j][d]
                    );
                }
            }
        }
        let rmse = (sq_err / (n * (nr * nf * nd) as f64)).sqrt();
        let ratio = rmse / shap_rmse;
        println!(
            "num_samples {ns}: worst z = {worst_z:.2}; RMSE vs exact: driftmon {rmse:.4e}, shap {shap_rmse:.4e} (ratio {ratio:.3})"
        );
        assert!((0.8..=1.25).contains(&ratio), "RMSE ratio {ratio}");
    }
}
