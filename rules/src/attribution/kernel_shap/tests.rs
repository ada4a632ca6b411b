//! Unit tests of Kernel SHAP.

use super::coalitions::for_each_combination;
use super::*;
use crate::attribution::model::FnModel;
use crate::attribution::rng::Xoshiro256;

fn settings(baseline: Vec<Vec<f64>>) -> ShapSettings {
    ShapSettings {
        baseline,
        ..Default::default()
    }
}

#[test]
fn combinations_follow_itertools_order() {
    let mut all = Vec::new();
    for_each_combination(4, 2, |c| all.push(c.to_vec()));
    assert_eq!(
        all,
        vec![
            vec![0, 1],
            vec![0, 2],
            vec![0, 3],
            vec![1, 2],
            vec![1, 3],
            vec![2, 3]
        ]
    );
    let mut n = 0;
    for_each_combination(5, 5, |_| n += 1);
    assert_eq!(n, 1);
}

#[test]
fn full_enumeration_covers_every_proper_coalition_once() {
    let mut rng = Xoshiro256::seed_from(1);
    for m in 2..=9 {
        let c = coalitions(m, None, &mut rng);
        assert!(c.complete);
        assert_eq!(c.len(), (1 << m) - 2, "m = {m}");
        let mut seen = std::collections::HashSet::new();
        for s in 0..c.len() {
            assert!(seen.insert(c.mask(s).to_vec()));
        }
        let total: f64 = c.weights.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }
}

#[test]
fn sampling_respects_the_sample_count() {
    let mut rng = Xoshiro256::seed_from(3);
    let c = coalitions(10, Some(100), &mut rng);
    assert!(!c.complete);
    assert_eq!(c.nsamples, 100);
    assert!(c.len() <= 100 && c.len() >= 90, "{}", c.len());
    let total: f64 = c.weights.iter().sum();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
}

#[test]
fn linear_model_is_exact_with_any_sample() {
    let w = [0.5, -2.0, 3.0, 0.25, 1.0, -1.5];
    let f = move |r: &[f64]| vec![w.iter().zip(r).map(|(a, b)| a * b).sum::<f64>() + 0.1];
    let b = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let x = vec![2.0, 0.0, 1.0, 8.0, 5.0, 7.0];
    for ns in [10, 30, 62] {
        let mut s = settings(vec![b.clone()]);
        s.num_samples = Some(ns);
        let e = explain(
            FnModel(f),
            std::slice::from_ref(&x),
            &s,
            &RunOptions::default(),
        )
        .unwrap();
        for j in 0..6 {
            let want = w[j] * (x[j] - b[j]);
            assert!((e.local[0].phi[0][j] - want).abs() < 1e-9, "ns {ns} j {j}");
        }
    }
}

/// The Shapley formula by brute force: `φ_j = Σ_S |S|!(M−|S|−1)!/M! (v(S∪j) − v(S))`.
fn brute_force_shapley(f: &dyn Fn(&[f64]) -> f64, x: &[f64], bg: &[Vec<f64>]) -> Vec<f64> {
    let m = x.len();
    let v = |set: usize| -> f64 {
        bg.iter()
            .map(|b| {
                let r: Vec<f64> = (0..m)
                    .map(|j| if set >> j & 1 == 1 { x[j] } else { b[j] })
                    .collect();
                f(&r)
            })
            .sum::<f64>()
            / bg.len() as f64
    };
    let fact = |n: usize| (1..=n).map(|i| i as f64).product::<f64>();
    (0..m)
        .map(|j| {
            let mut phi = 0.0;
            for set in 0..(1usize << m) {
                if set >> j & 1 == 1 {
                    continue;
                }
                let s = set.count_ones() as usize;
                let w = fact(s) * fact(m - s - 1) / fact(m);
                phi += w * (v(set | 1 << j) - v(set));
            }
            phi
        })
        .collect()
}

#[test]
fn full_enumeration_gives_the_shapley_values() {
    let f = |r: &[f64]| (r[0] * r[1]).sin() + r[2] * r[3] * r[4] + (r[5] - r[0]).exp();
    let bg = vec![
        vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        vec![1.0, -1.0, 0.5, 0.0, 2.0, -0.5],
        vec![0.3, 0.9, -0.2, 1.1, 0.0, 0.4],
    ];
    let x = vec![0.7, 1.3, -0.4, 2.0, 1.5, 0.2];
    let want = brute_force_shapley(&f, &x, &bg);
    let s = settings(bg.clone());
    let e = explain(
        FnModel(|r: &[f64]| vec![f(r)]),
        std::slice::from_ref(&x),
        &s,
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(e.local[0].coalitions, 62);
    for j in 0..6 {
        assert!(
            (e.local[0].phi[0][j] - want[j]).abs() < 1e-12,
            "{j}: {:?} {want:?}",
            e.local[0].phi[0]
        );
    }
}

#[test]
fn one_varying_feature_gets_the_whole_difference() {
    let f = |r: &[f64]| vec![r[0] * r[1]];
    let s = settings(vec![vec![1.0, 2.0]]);
    let e = explain(FnModel(f), &[vec![3.0, 2.0]], &s, &RunOptions::default()).unwrap();
    assert_eq!(e.local[0].phi[0], vec![4.0, 0.0]);
    assert_eq!(e.local[0].coalitions, 0);
    assert_eq!(e.expected_value, vec![2.0]);
}

#[test]
fn budget_is_checked_before_any_call() {
    let mut calls = 0;
    let f = |r: &[f64]| {
        calls += 1;
        vec![r[0] + r[1] + r[2]]
    };
    let s = settings(vec![vec![0.0, 0.0, 0.0]]);
    let recs = vec![vec![1.0, 2.0, 3.0]; 4];
    let opts = RunOptions {
        max_rows_per_call: 8,
        budget: Budget {
            max_calls: Some(2),
            max_rows: None,
        },
    };
    let need = plan(&recs, &s, &opts).unwrap();
    // 1 background row + 4 records × (1 + 6 coalitions) rows, 7 rows a record, 8 per call
    assert_eq!(need, Usage { calls: 4, rows: 29 });
    let err = explain(FnModel(f), &recs, &s, &opts).unwrap_err();
    assert!(
        matches!(err, ShapError::Call(CallError::Budget(_))),
        "{err}"
    );
    assert_eq!(calls, 0);
}

#[test]
fn results_do_not_depend_on_batching() {
    let f = |r: &[f64]| vec![(r[0] * r[1]).sin() + r[2] * r[3], r[0].tanh()];
    let mut s = settings(vec![vec![0.1, 0.2, 0.3, 0.4], vec![1.0, -1.0, 0.5, 0.0]]);
    s.num_samples = Some(8);
    s.seed = Some(9);
    let recs: Vec<Vec<f64>> = (0..5)
        .map(|i| vec![i as f64, 1.0 - i as f64, 0.5 * i as f64, 2.0])
        .collect();
    let one = explain(
        FnModel(f),
        &recs,
        &s,
        &RunOptions {
            max_rows_per_call: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let all = explain(FnModel(f), &recs, &s, &RunOptions::default()).unwrap();
    assert_eq!(one.local, all.local);
    assert_eq!(one.usage.calls, 5);
    assert_eq!(all.usage.calls, 1);
    assert_eq!(one.labels, vec!["label0", "label1"]);
}

#[test]
fn features_to_explain_holds_the_others_at_x() {
    let f = |r: &[f64]| vec![r[0] + 2.0 * r[1] + 3.0 * r[2]];
    let mut s = settings(vec![vec![0.0, 0.0, 0.0]]);
    s.headers = Some(vec!["a".into(), "b".into(), "c".into()]);
    s.features_to_explain = Some(vec![FeatureRef::Name("c".into()), FeatureRef::Index(0)]);
    let e = explain(
        FnModel(f),
        &[vec![1.0, 1.0, 1.0]],
        &s,
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(e.features, vec!["a", "c"]);
    assert_eq!(e.local[0].phi[0], vec![1.0, 3.0]);
    assert_eq!(e.expected_value, vec![0.0]);
}

#[test]
fn model_errors_end_the_run_with_endpoint_and_status() {
    use crate::attribution::model::ModelError;
    struct Down;
    impl Model for Down {
        fn predict(&mut self, _: &[&[f64]]) -> Result<Vec<Vec<f64>>, ModelError> {
            Err(ModelError::Http {
                endpoint: "shadow-ep".into(),
                status: 503,
                message: "ServiceUnavailable".into(),
            })
        }
    }
    let s = settings(vec![vec![0.0, 0.0]]);
    let err = explain(Down, &[vec![1.0, 1.0]], &s, &RunOptions::default()).unwrap_err();
    match &err {
        ShapError::Call(CallError::Model(m)) => {
            assert_eq!(m.endpoint(), Some("shadow-ep"));
            assert_eq!(m.status(), Some(503));
            assert!(m.is_retryable());
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(
        err.to_string(),
        "model shadow-ep: HTTP 503: ServiceUnavailable"
    );
}

#[test]
fn label_headers_name_the_outputs() {
    let f = |r: &[f64]| vec![r[0], 1.0 - r[0]];
    let mut s = settings(vec![vec![0.0, 0.0]]);
    s.label_headers = Some(vec!["yes".into(), "no".into()]);
    let e = explain(FnModel(f), &[vec![1.0, 1.0]], &s, &RunOptions::default()).unwrap();
    assert_eq!(e.labels, vec!["yes", "no"]);
    s.label_headers = Some(vec!["yes".into()]);
    let err = explain(FnModel(f), &[vec![1.0, 1.0]], &s, &RunOptions::default()).unwrap_err();
    assert_eq!(
        err,
        ShapError::LabelCount {
            headers: 1,
            outputs: 2
        }
    );
}

#[test]
fn bad_inputs_are_named() {
    let f = |r: &[f64]| vec![r[0]];
    let s = settings(vec![vec![0.0, 0.0]]);
    let e = explain(FnModel(f), &[vec![1.0]], &s, &RunOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), "record 0 has 1 features, expected 2");
    assert_eq!(
        explain(FnModel(f), &[], &s, &RunOptions::default()).unwrap_err(),
        ShapError::NoRecords
    );
    assert_eq!(
        explain(
            FnModel(f),
            &[vec![1.0]],
            &settings(vec![]),
            &RunOptions::default()
        )
        .unwrap_err(),
        ShapError::NoBaseline
    );
    let nan = |_: &[f64]| vec![f64::NAN];
    assert!(matches!(
        explain(FnModel(nan), &[vec![1.0, 2.0]], &s, &RunOptions::default()),
        Err(ShapError::NonFinite { output: 0, .. })
    ));
}

#[test]
fn aggregates_are_numpy_s() {
    let v = [-1.0, 2.0, -3.0, 4.0];
    assert_eq!(aggregate(&v, AggMethod::MeanAbs), 2.5);
    assert_eq!(aggregate(&v, AggMethod::MeanSq), 7.5);
    assert_eq!(aggregate(&v, AggMethod::Median), 0.5);
    assert_eq!(aggregate(&v[..3], AggMethod::Median), -1.0);
}

#[test]
fn logit_link_clamps() {
    assert_eq!(link(true, 0.5), 0.0);
    assert!(link(true, 1.0).is_finite() && link(true, 0.0).is_finite());
}
