//! The classic failure of drift monitors: at a million rows every p-value is tiny. A 1M-record
//! window drawn from the baseline's own distribution must raise no violation, and shifts in
//! named features must flag exactly those features.

use std::collections::BTreeSet;

use driftmon_baseline::files::{parse_constraints, parse_statistics, to_jackson};
use driftmon_baseline::profile::{CellRef, DatasetProfile, Location};
use driftmon_baseline::suggest;
use driftmon_monitor::cli::demo::Rng;
use driftmon_rules::baseline_view::BaselineView;
use driftmon_rules::config::DriftConfig;
use driftmon_rules::evaluate::{context, evaluate, Status};

const NAMES: [&str; 8] = [
    "normal",
    "lognormal",
    "count",
    "uniform",
    "discrete",
    "mean_shift",
    "channel",
    "cat_shift",
];

fn loc() -> Location {
    Location {
        source: "synthetic".into(),
        line: 0,
    }
}

/// Draws `n` rows. `shift` moves `mean_shift` by 0.3 σ and reverses `cat_shift`'s mix.
fn profile(n: usize, seed: u64, shift: bool) -> DatasetProfile {
    let names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let mut p = DatasetProfile::with_names(&names);
    let mut r = Rng::new(seed);
    let channels = ["web", "mobile", "branch", "partner"];
    let cats = ["a", "b", "c"];
    for _ in 0..n {
        let normal = 50.0 + 10.0 * r.normal();
        let logn = (1.0 + 0.6 * r.normal()).exp();
        // Poisson(4) by inversion.
        let (mut k, mut prob, u) = (0i64, (-4.0f64).exp(), r.uniform());
        let mut cdf = prob;
        while u > cdf && k < 100 {
            k += 1;
            prob *= 4.0 / k as f64;
            cdf += prob;
        }
        let uniform = r.uniform() * 100.0;
        let discrete = (r.uniform() * 5.0).floor() as i64;
        let ms = 10.0 + 2.0 * r.normal() + if shift { 0.6 } else { 0.0 };
        let ch = channels[r.pick(&[0.4, 0.3, 0.2, 0.1])];
        let w: [f64; 3] = if shift {
            [0.2, 0.3, 0.5]
        } else {
            [0.5, 0.3, 0.2]
        };
        let cs = cats[r.pick(&w)];
        p.add_positional(
            [
                CellRef::Float(normal),
                CellRef::Float(logn),
                CellRef::Int(k),
                CellRef::Float(uniform),
                CellRef::Int(discrete),
                CellRef::Float(ms),
                CellRef::Str(ch),
                CellRef::Str(cs),
            ],
            &loc,
        );
    }
    p
}

fn baseline() -> BaselineView {
    let p = profile(200_000, 1, false);
    // Through the files, as a real run reads them.
    let stats = parse_statistics(
        to_jackson(&suggest::statistics(&p))
            .expect("ser")
            .as_bytes(),
    )
    .expect("stats");
    let cons = parse_constraints(
        to_jackson(&suggest::constraints(&p))
            .expect("ser")
            .as_bytes(),
    )
    .expect("cons");
    BaselineView::new(&stats, &cons)
}

fn flagged(b: &BaselineView, cur: &DatasetProfile) -> BTreeSet<String> {
    let drift = DriftConfig::default();
    let ctx = context(b, cur, &drift);
    // Every score is computed for every feature, breach or not.
    for f in &ctx.features {
        assert!(
            f.numeric.is_some() || f.categorical.is_some(),
            "{} has no scores",
            f.baseline.name
        );
    }
    evaluate(&ctx)
        .into_iter()
        .filter(|o| o.status == Status::Violation)
        .map(|o| {
            eprintln!("violation: {} {}", o.feature, o.description);
            o.feature
        })
        .collect()
}

#[test]
fn million_rows_from_the_baseline_distribution_raise_nothing() {
    let b = baseline();
    let cur = profile(1_000_000, 2, false);
    let f = flagged(&b, &cur);
    assert!(f.is_empty(), "false alarms on undrifted data: {f:?}");
}

#[test]
fn shifts_flag_exactly_the_shifted_features() {
    let b = baseline();
    let cur = profile(1_000_000, 3, true);
    let f = flagged(&b, &cur);
    let want: BTreeSet<String> = ["mean_shift", "cat_shift"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(f, want);
}
