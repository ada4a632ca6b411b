//! Scale-out: `driftmon run --shard I/N` in separate processes plus `driftmon merge` must write
//! the same outputs as one `driftmon run` (exactly, except for the order-sensitive KLL sketches,
//! which must agree within their rank-error bounds), and the worker count must not matter.

use std::path::{Path, PathBuf};
use std::process::Command;

use driftmon_baseline::read::HeaderMode;
use driftmon_monitor::cli::demo::{training_csv, write_capture, ENDPOINT};
use driftmon_monitor::monitors::data_quality::suggest::{suggest, Format};
use serde_json::Value;

const START: &str = "2026-11-21T00:00:00Z";
const END: &str = "2026-11-22T00:00:00Z";

struct Setup {
    dir: PathBuf,
    capture: PathBuf,
    baseline: PathBuf,
}

fn setup(name: &str) -> Setup {
    let dir = driftmon_tests::temp_dir(name);
    let capture = dir.join("capture");
    let baseline = dir.join("baseline");
    training_csv(&dir.join("training.csv"), 3000, 7).expect("training csv");
    // 24 hour folders, one object each, 120 records each: 2880 records, so the KLL sketches
    // (k = 2048) compact, and at different points when merged per shard.
    write_capture(&capture, &dir.join("gt"), 120, 11).expect("capture");
    suggest(
        &dir.join("training.csv"),
        Format::Csv,
        HeaderMode::Present,
        &baseline,
    )
    .expect("baseline");
    Setup {
        dir,
        capture,
        baseline,
    }
}

fn driftmon(args: &[&str]) -> std::process::Output {
    Command::new(driftmon_tests::built_driftmon())
        .args(args)
        .output()
        .expect("run driftmon")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn run(st: &Setup, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        "--capture",
        s(&st.capture),
        "--endpoint",
        ENDPOINT,
        "--baseline",
        s(&st.baseline),
        "--output",
        s(out),
        "--start",
        START,
        "--end",
        END,
    ];
    args.extend_from_slice(extra);
    let o = driftmon(&args);
    assert!(
        o.status.success(),
        "driftmon {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn merge(st: &Setup, partials: &Path, out: &Path) -> std::process::Output {
    driftmon(&[
        "merge",
        "--partials",
        s(partials),
        "--endpoint",
        ENDPOINT,
        "--baseline",
        s(&st.baseline),
        "--output",
        s(out),
        "--start",
        START,
        "--end",
        END,
    ])
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read output")
}

fn json(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&read(dir, name)).expect("parse output")
}

fn features(v: &Value) -> Vec<Value> {
    v["features"].as_array().expect("features").clone()
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

/// The rank-error weight (in values) of a statistics.json KLL sketch, derived from its levels.
fn kll_error_weight(num: &Value) -> u64 {
    let sk = &num["distribution"]["kll"]["sketch"];
    let k = f(&sk["parameters"]["k"]) as usize;
    let c = f(&sk["parameters"]["c"]);
    let levels: Vec<Vec<f64>> = sk["data"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|l| l.as_array().expect("level").iter().map(f).collect())
        .collect();
    driftmon_baseline::kll::KllSketch::from_levels(k, c, levels).rank_error_weight()
}

/// Compares statistics.json: exact for counts and moments except `std_dev` (1e-12 relative),
/// KLL bucket counts within `2 * (W_a + W_b)` (a bucket is a difference of two ranks, each off
/// by at most the sketch's rank-error weight `W`). Returns (identical buckets, max bucket diff).
fn compare_statistics(a: &Value, b: &Value) -> (bool, u64) {
    assert_eq!(a["dataset"], b["dataset"]);
    let (fa, fb) = (features(a), features(b));
    assert_eq!(fa.len(), fb.len());
    let mut identical = true;
    let mut max_diff = 0;
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x["name"], y["name"]);
        assert_eq!(x["inferred_type"], y["inferred_type"]);
        if let Some(sx) = x.get("string_statistics") {
            assert_eq!(sx, &y["string_statistics"], "{}", x["name"]);
        }
        let Some(nx) = x.get("numerical_statistics") else {
            continue;
        };
        let ny = &y["numerical_statistics"];
        assert_eq!(nx["common"], ny["common"], "{}", x["name"]);
        for k in ["sum", "mean", "min", "max"] {
            assert_eq!(nx[k], ny[k], "{} {k}", x["name"]);
        }
        let (da, db) = (f(&nx["std_dev"]), f(&ny["std_dev"]));
        assert!(
            (da - db).abs() <= 1e-12 * da.abs().max(db.abs()),
            "{} std_dev {da} vs {db}",
            x["name"]
        );
        let bound = 2 * (kll_error_weight(nx) + kll_error_weight(ny));
        let ba = nx["distribution"]["kll"]["buckets"].as_array().expect("a");
        let bb = ny["distribution"]["kll"]["buckets"].as_array().expect("b");
        assert_eq!(ba.len(), bb.len());
        for (p, q) in ba.iter().zip(bb) {
            assert_eq!(p["lower_bound"], q["lower_bound"]);
            assert_eq!(p["upper_bound"], q["upper_bound"]);
            let (cp, cq) = (f(&p["count"]) as u64, f(&q["count"]) as u64);
            let d = cp.abs_diff(cq);
            max_diff = max_diff.max(d);
            identical &= d == 0;
            assert!(
                d <= bound,
                "{} bucket {cp} vs {cq}, bound {bound}",
                x["name"]
            );
        }
    }
    (identical, max_diff)
}

/// Compares drift_report.json: everything but the sketch-derived numbers exactly; `ks_statistic`
/// and `linf_distance` (numeric) within `e_a + e_b` (the reports' `ks_error_bound`s: each CDF is
/// off by at most its bound), `psi` within the first-order change of PSI when every bin's share
/// moves by `2 * (e_a + e_b)`. Returns the largest differences (ks, psi).
fn compare_reports(a: &Value, b: &Value) -> (f64, f64) {
    for k in [
        "endpoint",
        "variants",
        "window",
        "records",
        "rejected_by_kind",
        "rejected_examples",
        "hours_without_data",
        "drift_config",
    ] {
        assert_eq!(a[k], b[k], "{k}");
    }
    let eps = f(&a["drift_config"]["psi_epsilon"]);
    let (mut ks_max, mut psi_max) = (0f64, 0f64);
    for (x, y) in features(a).iter().zip(&features(b)) {
        let name = &x["name"];
        for k in ["num_present", "num_missing", "mean", "inferred_type"] {
            assert_eq!(x[k], y[k], "{name} {k}");
        }
        if x.get("categories").is_some() {
            assert_eq!(x, y, "categorical {name}");
            continue;
        }
        let Some(ea) = x.get("ks_error_bound").map(f) else {
            assert_eq!(x, y, "{name}");
            continue;
        };
        let e = ea + f(&y["ks_error_bound"]);
        for k in ["ks_statistic", "linf_distance"] {
            if let (Some(p), Some(q)) = (x.get(k), y.get(k)) {
                let d = (f(p) - f(q)).abs();
                ks_max = ks_max.max(d);
                assert!(d <= e + 1e-12, "{name} {k} {p} vs {q}, bound {e}");
            }
        }
        let base: Vec<f64> = x["bins"]["baseline"]
            .as_array()
            .expect("bins")
            .iter()
            .map(f)
            .collect();
        let cur: Vec<f64> = x["bins"]["current"]
            .as_array()
            .expect("bins")
            .iter()
            .map(f)
            .collect();
        let (nb, nc) = (base.iter().sum::<f64>(), cur.iter().sum::<f64>());
        let delta = 2.0 * e;
        let tol: f64 = base
            .iter()
            .zip(&cur)
            .map(|(&bq, &cp)| {
                let q = (bq / nb.max(1.0)).max(eps);
                let p = (cp / nc.max(1.0)).max(eps);
                let p_low = (p - delta).max(eps);
                delta * ((p_low / q).ln().abs().max((p / q).ln().abs()) + 1.0 + q / p_low)
            })
            .sum();
        let d = (f(&x["psi"]) - f(&y["psi"])).abs();
        psi_max = psi_max.max(d);
        assert!(
            d <= tol + 1e-12,
            "{name} psi {} vs {}, bound {tol}",
            x["psi"],
            y["psi"]
        );
    }
    (ks_max, psi_max)
}

#[test]
fn sharded_run_and_merge_match_one_run() {
    let st = setup("shard-merge");
    let single = st.dir.join("single");
    run(&st, &single, &["--workers", "3"]);

    let partials = st.dir.join("partials");
    let n = 3;
    for i in 0..n {
        let shard = format!("{i}/{n}");
        run(
            &st,
            &st.dir.join(format!("unused-{i}")),
            &["--shard", &shard, "--partial-output", s(&partials)],
        );
        assert!(partials.join(format!("partial-{i}-of-{n}.json")).is_file());
    }
    let merged = st.dir.join("merged");
    let o = merge(&st, &partials, &merged);
    assert!(
        o.status.success(),
        "merge: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    assert_eq!(
        read(&single, "constraint_violations.json"),
        read(&merged, "constraint_violations.json")
    );
    let (identical, max_bucket) = compare_statistics(
        &json(&single, "statistics.json"),
        &json(&merged, "statistics.json"),
    );
    let (ks, psi) = compare_reports(
        &json(&single, "drift_report.json"),
        &json(&merged, "drift_report.json"),
    );
    eprintln!(
        "shard merge vs single run: KLL buckets identical: {identical} (max diff {max_bucket}); \
         max |Δks|/|Δlinf| {ks:e}, max |Δpsi| {psi:e}; statistics.json byte-identical: {}; \
         drift_report.json byte-identical: {}",
        read(&single, "statistics.json") == read(&merged, "statistics.json"),
        read(&single, "drift_report.json") == read(&merged, "drift_report.json"),
    );
    let _ = std::fs::remove_dir_all(&st.dir);
}

#[test]
fn worker_count_does_not_change_outputs() {
    let st = setup("shard-workers");
    let one = st.dir.join("w1");
    let four = st.dir.join("w4");
    run(&st, &one, &["--workers", "1"]);
    run(&st, &four, &["--workers", "4"]);
    for name in [
        "statistics.json",
        "constraint_violations.json",
        "drift_report.json",
        "report.html",
    ] {
        assert!(read(&one, name) == read(&four, name), "{name} differs");
    }
    let _ = std::fs::remove_dir_all(&st.dir);
}

#[test]
fn incomplete_partial_set_is_an_error() {
    let st = setup("shard-incomplete");
    let partials = st.dir.join("partials");
    for i in [0, 2] {
        let shard = format!("{i}/3");
        run(
            &st,
            &st.dir.join("unused"),
            &["--shard", &shard, "--partial-output", s(&partials)],
        );
    }
    let out = st.dir.join("merged");
    let o = merge(&st, &partials, &out);
    assert!(!o.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("incomplete partial set") && text.contains("missing shard 1"),
        "{text}"
    );
    assert!(!out.join("constraint_violations.json").exists());
    let _ = std::fs::remove_dir_all(&st.dir);
}
