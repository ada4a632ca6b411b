//! Timing of the Kernel SHAP core (a linear model, so the time is driftmon's own: planning,
//! building rows, solving). Ignored by default; run with
//! `cargo test --release -p driftmon-rules --test attribution_bench -- --ignored --nocapture`.

use std::time::Instant;

use driftmon_rules::attribution::{explain, plan, FnModel, RunOptions, ShapSettings};

fn run(records: usize, features: usize, background: usize, num_samples: Option<usize>) {
    let recs: Vec<Vec<f64>> = (0..records)
        .map(|i| {
            (0..features)
                .map(|j| ((i * 31 + j * 7) % 97) as f64 + 0.5)
                .collect()
        })
        .collect();
    let bg: Vec<Vec<f64>> = (0..background)
        .map(|k| {
            (0..features)
                .map(|j| ((k * 13 + j * 5) % 89) as f64 + 0.25)
                .collect()
        })
        .collect();
    let settings = ShapSettings {
        baseline: bg,
        num_samples,
        ..Default::default()
    };
    let opts = RunOptions::default();
    let need = plan(&recs, &settings, &opts).expect("plan");
    let w: Vec<f64> = (0..features).map(|j| 1.0 / (j + 1) as f64).collect();
    let t = Instant::now();
    let e = explain(
        FnModel(|r: &[f64]| vec![r.iter().zip(&w).map(|(a, b)| a * b).sum()]),
        &recs,
        &settings,
        &opts,
    )
    .expect("explain");
    let dt = t.elapsed();
    assert_eq!(e.usage, need);
    println!(
        "{records} records x {features} features, {background} background rows, num_samples {}: {:.3} s ({} coalitions per record, {} calls, {} rows, {:.0} ns per row)",
        num_samples.map(|n| n.to_string()).unwrap_or_else(|| "auto".into()),
        dt.as_secs_f64(),
        e.local[0].coalitions,
        e.usage.calls,
        e.usage.rows,
        dt.as_nanos() as f64 / e.usage.rows as f64
    );
}

#[test]
#[ignore]
fn kernel_shap_timings() {
    run(334, 14, 1, Some(100));
    run(1000, 14, 1, Some(100));
    run(1000, 14, 1, None);
    run(1000, 10, 1, None);
    run(100, 14, 10, None);
    run(1000, 30, 1, None);
}
