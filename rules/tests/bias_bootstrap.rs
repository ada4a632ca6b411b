//! The bootstrap drift rule on synthetic windows: its false-alarm rate on windows drawn from
//! the baseline's own distribution, a planted bias change caught, and (ignored by default) the
//! cost on a million-row window.

use driftmon_rules::bias::analysis::{analyze, BiasAnalysis, BiasSpec, BiasTable, FacetSpec};
use driftmon_rules::bias::drift::{check_drift, DecisionMode, DriftParams, Rng, Verdict};
use driftmon_rules::bias::metrics::Metric;
use driftmon_rules::bias::table::Column;
use driftmon_rules::clarify::{MethodSelection, NameOrIndex, Scalar};

/// A population: facet d with P(d) = 0.3, group g in 0..5, P(y | a) = 0.5, P(y | d) = 0.4, the
/// model right with probability 0.8, except that d's positives are predicted positive with
/// probability `d_recall`.
fn window(n: usize, rng: &mut Rng, d_recall: f64) -> BiasTable {
    let (mut f, mut g, mut x, mut y, mut p) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let d = rng.uniform() < 0.3;
        let yy = rng.uniform() < if d { 0.4 } else { 0.5 };
        let right = if d && yy {
            rng.uniform() < d_recall
        } else {
            rng.uniform() < 0.8
        };
        f.push(d as i64);
        g.push(rng.below(5) as i64);
        x.push(rng.uniform());
        y.push(yy as i64);
        p.push(if right { yy } else { !yy } as i64);
    }
    BiasTable {
        features: vec![
            ("f".into(), Column::Int(f)),
            ("g".into(), Column::Int(g)),
            ("x".into(), Column::Float(x)),
        ],
        label: Column::Int(y),
        predicted_label: Some(Column::Int(p)),
    }
}

/// Every metric but FT (kNN is not resampled; under the point rule it alarms about half the time
/// on a stationary stream, see `ft_point_rule_alarm_rate`).
fn spec(with_ft: bool) -> BiasSpec {
    let post: Vec<String> = Metric::of_stage(driftmon_rules::bias::Stage::PostTraining)
        .filter(|m| with_ft || *m != Metric::FT)
        .map(|m| m.name().to_owned())
        .collect();
    BiasSpec {
        label_name: "y".into(),
        label_values: vec![Scalar::Int(1)],
        facets: vec![FacetSpec {
            column: NameOrIndex::Name("f".into()),
            values: Some(vec![Scalar::Int(1)]),
        }],
        group_variable: Some(NameOrIndex::Name("g".into())),
        pre_training: Some(MethodSelection::All),
        post_training: Some(MethodSelection::Names(post)),
    }
}

fn baseline(with_ft: bool) -> BiasAnalysis {
    let mut rng = Rng::new(12345);
    let t = window(if with_ft { 4000 } else { 50_000 }, &mut rng, 0.8);
    analyze(&t, &spec(with_ft)).unwrap()
}

#[test]
fn false_alarm_rate_on_baseline_distribution() {
    let base = baseline(false);
    let params = DriftParams {
        resamples: 100,
        ..DriftParams::default()
    };
    let point = DriftParams {
        mode: DecisionMode::Point,
        ..params
    };
    let mut rng = Rng::new(777);
    let (windows, n) = (60, 1000);
    let (mut checks, mut alarms, mut point_alarms, mut windows_alarmed) = (0, 0, 0, 0);
    for w in 0..windows {
        let t = window(n, &mut rng, 0.8);
        let cur = analyze(&t, &spec(false)).unwrap();
        let r = check_drift(&base, &cur, &DriftParams { seed: w, ..params });
        checks += r
            .checks
            .iter()
            .filter(|c| !matches!(c.verdict, Verdict::Skipped(_)))
            .count();
        let v = r
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Violation)
            .count();
        alarms += v;
        windows_alarmed += (v > 0) as usize;
        point_alarms += check_drift(&base, &cur, &point).violations().len();
    }
    let rate = alarms as f64 / checks as f64;
    let point_rate = point_alarms as f64 / checks as f64;
    eprintln!(
        "bootstrap false-alarm rate: {alarms}/{checks} checks = {rate:.4} ({windows_alarmed}/{windows} windows with any alarm); \
         point rule: {point_alarms}/{checks} = {point_rate:.4}"
    );
    // Family-wise (Bonferroni over the window's checks): a stationary window raises any alarm
    // with probability at most about α (1 % by default; measured: 1 of 60 windows, 5 of 1,200 checks;
    // without the correction 11 of 60 windows). The point rule alarms about half the time.
    assert!(windows_alarmed <= 6, "{windows_alarmed}/{windows}");
    assert!(rate < 0.01, "{rate}");
    assert!(point_rate > 0.3, "{point_rate}");
}

#[test]
fn planted_bias_change_is_caught() {
    let base = baseline(false);
    let params = DriftParams {
        resamples: 100,
        ..DriftParams::default()
    };
    let mut rng = Rng::new(4242);
    let windows = 20;
    let mut caught = 0;
    for w in 0..windows {
        // The model now finds only 40 % of d's positives (recall 0.8 before).
        let t = window(1000, &mut rng, 0.4);
        let cur = analyze(&t, &spec(false)).unwrap();
        let r = check_drift(&base, &cur, &DriftParams { seed: w, ..params });
        let names: Vec<String> = r.violations().into_iter().map(|v| v.metric_name).collect();
        if names.iter().any(|n| n == "RD") && names.iter().any(|n| n == "DPPL") {
            caught += 1;
        }
    }
    eprintln!("planted recall drop on d: RD and DPPL flagged in {caught}/{windows} windows");
    assert!(caught >= 18, "{caught}");
}

#[test]
fn ft_point_rule_alarm_rate() {
    let base = baseline(true);
    let mut rng = Rng::new(99);
    let (windows, mut alarms) = (20, 0);
    for _ in 0..windows {
        let t = window(600, &mut rng, 0.8);
        let cur = analyze(&t, &spec(true)).unwrap();
        let point = DriftParams {
            mode: DecisionMode::Point,
            ..DriftParams::default()
        };
        let r = check_drift(&base, &cur, &point);
        alarms += r.violations().iter().any(|v| v.metric_name == "FT") as usize;
        // The default (bootstrap) mode does not check FT: it has no interval.
        let b = check_drift(&base, &cur, &DriftParams::default());
        assert!(!b.violations().iter().any(|v| v.metric_name == "FT"));
    }
    eprintln!("FT (point rule) alarms on stationary windows: {alarms}/{windows}");
    // Why bootstrap mode skips FT: the point rule alarms on most stationary windows.
    assert!(alarms >= windows / 2, "{alarms}/{windows}");
}

#[test]
#[ignore = "timing: cargo test --release -p driftmon-rules --test bias_bootstrap -- --ignored --nocapture"]
fn million_row_window_timing() {
    let mut rng = Rng::new(1);
    let t0 = std::time::Instant::now();
    let t = window(1_000_000, &mut rng, 0.8);
    let gen = t0.elapsed();
    let base = baseline(false);
    let t1 = std::time::Instant::now();
    let cur = analyze(&t, &spec(false)).unwrap();
    let a = t1.elapsed();
    let t2 = std::time::Instant::now();
    let r = check_drift(&base, &cur, &DriftParams::default());
    let b = t2.elapsed();
    eprintln!(
        "1M rows: generate {gen:?}, analyze (20 metrics) {a:?}, bootstrap B=200 {b:?}; {} checks",
        r.checks.len()
    );
    let t3 = std::time::Instant::now();
    let with_ft = analyze(&t, &spec(true)).unwrap();
    let c = t3.elapsed();
    let ft = with_ft
        .post_training
        .as_ref()
        .and_then(|s| s.as_ref().ok())
        .map(|s| {
            s.facets[0].values.as_ref().unwrap()[0]
                .metrics
                .iter()
                .any(|m| m.metric == Metric::FT && m.outcome.is_ok())
        });
    eprintln!("1M rows: analyze with FT (KD-tree, 2 features) {c:?}, FT computed: {ft:?}");
}
