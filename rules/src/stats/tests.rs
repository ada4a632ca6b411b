use std::f64::consts::PI;

use super::ks::gcd;
use super::*;
use serde_json::Value;

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/oracle/reference.json");
    let text = std::fs::read_to_string(path).expect("oracle/reference.json (run gen_reference.py)");
    serde_json::from_str(&text).expect("valid JSON")
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn pairs(v: &Value) -> Vec<(f64, u64)> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|p| {
            (
                p[0].as_f64().expect("value"),
                p[1].as_u64().expect("weight"),
            )
        })
        .collect()
}

fn rel_err(got: f64, want: f64) -> f64 {
    if got == want {
        0.0
    } else {
        (got - want).abs() / want.abs().max(f64::MIN_POSITIVE)
    }
}

/// Asserts `|got − want| ≤ atol + rtol·|want|`; returns the relative error for reporting.
#[track_caller]
fn close(got: f64, want: f64, rtol: f64, atol: f64, what: &str) -> f64 {
    assert!(
        (got - want).abs() <= atol + rtol * want.abs(),
        "{what}: got {got:e}, want {want:e} (rel {:e})",
        rel_err(got, want)
    );
    rel_err(got, want)
}

fn sorted(v: &Value) -> Vec<f64> {
    let mut x = f64s(v);
    x.sort_by(f64::total_cmp);
    x
}

// ---------------------------------------------------------------- hand-computed cases

#[test]
fn ks_statistic_hand_examples() {
    // a = {1,2,3}, b = {2,3,4}: F_a - F_b at 1: 1/3-0, 2: 2/3-1/3, 3: 1-2/3, 4: 0 -> 1/3.
    // (The max is attained at x = 3: 1 − 2/3 = 0.33333333333333337 in floating point, as in SciPy.)
    assert_eq!(
        ks_statistic_sorted(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0]),
        1.0 - 2.0 / 3.0
    );
    // Disjoint samples: D = 1.
    assert_eq!(ks_statistic_sorted(&[1.0, 2.0], &[3.0, 4.0, 5.0]), 1.0);
    // Identical with ties: D = 0.
    assert_eq!(ks_statistic_sorted(&[1.0, 1.0, 2.0], &[1.0, 1.0, 2.0]), 0.0);
    // Ties across samples are stepped together: a={1,1}, b={1,2}: at 1: 1 - 1/2.
    assert_eq!(ks_statistic_sorted(&[1.0, 1.0], &[1.0, 2.0]), 0.5);
    assert!(ks_statistic_sorted(&[], &[1.0]).is_nan());
    // Weighted equals expanded.
    let a = [(1.0, 2u64), (2.0, 1), (3.0, 3)];
    let b = [(1.5, 1u64), (2.0, 3), (4.0, 1)];
    let ea = [1.0, 1.0, 2.0, 3.0, 3.0, 3.0];
    let eb = [1.5, 2.0, 2.0, 2.0, 4.0];
    assert_eq!(ks_statistic_weighted(&a, &b), ks_statistic_sorted(&ea, &eb));
    // Duplicated items within one side and zero weights are fine.
    let a2 = [(1.0, 1u64), (1.0, 1), (2.0, 0), (3.0, 1)];
    assert_eq!(
        ks_statistic_weighted(&a2, &[(1.0, 2), (3.0, 1)]),
        ks_statistic_sorted(&[1.0, 1.0, 3.0], &[1.0, 1.0, 3.0])
    );
}

#[test]
fn ks_exact_pvalue_hand_examples() {
    // n = m = 2: C(4,2) = 6 equally likely orderings. D = 1 for aabb and bbaa: p = 2/6.
    close(ks_pvalue(1.0, 2, 2), 1.0 / 3.0, 1e-15, 0.0, "n=m=2, D=1");
    // D >= 1/2 always holds for n=m=2 (every ordering has D in {1/2, 1}).
    close(ks_pvalue(0.5, 2, 2), 1.0, 1e-15, 0.0, "n=m=2, D=1/2");
    // n=1, m=2: orderings of {a,b,b}: abb (D=1), bab (D=1/2), bba (D=1): P(D>=1) = 2/3.
    close(ks_pvalue(1.0, 1, 2), 2.0 / 3.0, 1e-15, 0.0, "n=1,m=2,D=1");
    // n = m = 3, D = 1: only aaabbb and bbbaaa out of C(6,3) = 20.
    close(ks_pvalue(1.0, 3, 3), 0.1, 1e-15, 0.0, "n=m=3, D=1");
    // n=2, m=3, D=1: 2 of C(5,2)=10 orderings.
    close(ks_pvalue(1.0, 2, 3), 0.2, 1e-15, 0.0, "n=2,m=3,D=1");
    // D = 0 -> p = 1.
    assert_eq!(ks_pvalue(0.0, 5, 7), 1.0);
    assert!(ks_pvalue(f64::NAN, 5, 7).is_nan());
    assert!(ks_pvalue(0.5, 0, 7).is_nan());
    // Symmetric in (n, m).
    assert_eq!(ks_pvalue(0.4, 5, 7), ks_pvalue(0.4, 7, 5));
}

/// Brute force: enumerate every interleaving of n a's and m b's (all C(n+m, n) equally likely
/// under H0) and count those with D >= d.
fn brute_force_p(n: usize, m: usize, d: f64) -> f64 {
    let total = n + m;
    let (mut hit, mut all) = (0u64, 0u64);
    for mask in 0u32..(1 << total) {
        if mask.count_ones() as usize != n {
            continue;
        }
        all += 1;
        let (mut i, mut j) = (0usize, 0usize);
        let mut dd: f64 = 0.0;
        for pos in 0..total {
            if mask >> pos & 1 == 1 {
                i += 1;
            } else {
                j += 1;
            }
            dd = dd.max((i as f64 / n as f64 - j as f64 / m as f64).abs());
        }
        if dd >= d - 1e-12 {
            hit += 1;
        }
    }
    hit as f64 / all as f64
}

#[test]
fn ks_exact_matches_brute_force() {
    // Every lattice point of every small pair of sizes: no panic, p in [0, 1].
    for n in 1..=25u64 {
        for m in 1..=25u64 {
            let lcm = n / gcd(n, m) * m;
            for h in 0..=lcm {
                let d = h as f64 / lcm as f64;
                let p = ks_pvalue(d, n, m);
                assert!((0.0..=1.0).contains(&p), "n={n} m={m} h={h}: {p}");
                // The exact routine declines only where SciPy's does (it rounds to
                // 1 + 2^-52 at D = 1/n for n = m in {5, 7, 13, 14, 15, 23}); ks_pvalue
                // then falls back to the asymptotic value as SciPy does (n = m = 7,
                // D = 1/7: SciPy 1.17 returns 0.9999609537692629 too).
                if ks_pvalue_exact(d, n, m).is_none() {
                    assert!(n == m && h == 1, "n={n} m={m} h={h}");
                    assert_eq!(p, ks_pvalue_asymp(d, n, m));
                }
            }
        }
    }
    assert_eq!(ks_pvalue(1.0 / 7.0, 7, 7), 0.999_960_953_769_262_9);
    for n in 1..=25u64 {
        for m in 1..=25u64 {
            if n == m {
                continue;
            }
            let lcm = n / gcd(n, m) * m;
            for h in 0..=lcm {
                assert!(ks_pvalue_exact(h as f64 / lcm as f64, n, m).is_some());
            }
        }
    }
    for (n, m) in [(3, 4), (4, 4), (2, 7), (5, 6), (6, 6), (4, 9)] {
        let g = gcd(n as u64, m as u64);
        let lcm = (n as u64 / g) * m as u64;
        for h in 0..=lcm {
            let d = h as f64 / lcm as f64;
            let want = brute_force_p(n, m, d);
            // Exact rationals with few paths: only rounding, 1e-13 is generous.
            close(
                ks_pvalue(d, n as u64, m as u64),
                want,
                1e-13,
                1e-15,
                "brute force",
            );
        }
    }
}

#[test]
fn special_function_hand_values() {
    assert_eq!(ln_gamma(1.0), 0.0);
    assert_eq!(ln_gamma(2.0), 0.0);
    close(ln_gamma(0.5), 0.5 * PI.ln(), 1e-15, 0.0, "lnG(1/2)");
    close(ln_gamma(11.0), 3_628_800f64.ln(), 1e-15, 0.0, "lnG(11)");
    // Q(1, x) = e^{-x}; chi2 df=2 sf = e^{-x/2}.
    close(gamma_q(1.0, 3.0), (-3.0f64).exp(), 1e-14, 0.0, "Q(1,3)");
    close(chi2_sf(10.0, 2.0), (-5.0f64).exp(), 1e-14, 0.0, "chi2 df2");
    close(
        gamma_p(1.0, 0.5),
        1.0 - (-0.5f64).exp(),
        1e-14,
        0.0,
        "P(1,.5)",
    );
    assert_eq!(chi2_sf(0.0, 3.0), 1.0);
    assert!(gamma_q(-1.0, 1.0).is_nan());
    // Q_KS(1) = 0.26999967167735456 (Kolmogorov).
    close(
        kolmogorov_sf(1.0),
        0.269_999_671_677_354_56,
        1e-14,
        0.0,
        "Q_KS(1)",
    );
    assert_eq!(kolmogorov_sf(0.0), 1.0);
}

#[test]
fn psi_hand_examples() {
    // Identical proportions: 0, regardless of scale.
    assert_eq!(psi(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0], 1e-4), 0.0);
    // Two bins, no eps: (0.6-0.5)ln(0.6/0.5) + (0.4-0.5)ln(0.4/0.5)
    let want = 0.1 * (1.2f64).ln() + (-0.1) * (0.8f64).ln();
    close(
        psi(&[5.0, 5.0], &[6.0, 4.0], 0.0),
        want,
        1e-15,
        0.0,
        "psi 2 bins",
    );
    // Both-empty bin adds exactly nothing, even with eps = 0.
    assert_eq!(
        psi(&[5.0, 0.0, 5.0], &[6.0, 0.0, 4.0], 0.0),
        psi(&[5.0, 5.0], &[6.0, 4.0], 0.0)
    );
    // One-sided empty bin with eps = 0 is infinite; with eps it is bounded.
    assert_eq!(psi(&[1.0, 0.0], &[1.0, 1.0], 0.0), f64::INFINITY);
    assert!(psi(&[1.0, 0.0], &[1.0, 1.0], DEFAULT_PSI_EPSILON) < 5.0);
    assert!(psi(&[], &[], 1e-4).is_nan());
    assert!(psi(&[0.0], &[1.0], 1e-4).is_nan());
    assert!(psi(&[1.0], &[1.0, 2.0], 1e-4).is_nan());
}

#[test]
fn bin_counts_boundaries() {
    let edges = [1.0, 2.0, 2.0, 3.0];
    let items = [
        (f64::NEG_INFINITY, 1u64),
        (0.5, 1),
        (1.0, 2), // on e1 -> bin 1
        (1.5, 1),
        (2.0, 4), // on the duplicated edge -> after both: bin 3; bin 2 stays empty
        (3.0, 1), // last edge -> last bin
        (f64::NAN, 7),
        (f64::INFINITY, 1),
    ];
    assert_eq!(bin_counts(&edges, &items), vec![2.0, 3.0, 0.0, 4.0, 2.0]);
    assert_eq!(bin_counts(&[], &[(1.0, 3)]), vec![3.0]);
}

#[test]
fn chi_square_hand_examples() {
    // 2x2: baseline (10, 10), current (20, 0): E = row*col/N.
    let r = chi_square_homogeneity(&[10.0, 10.0], &[20.0, 0.0]).expect("defined");
    // N=40, cols 30,10, rows 20,20 -> E = 15,5 in both rows; stat = 25/15+25/5+25/15+25/5
    close(
        r.statistic,
        25.0 / 15.0 * 2.0 + 10.0,
        1e-15,
        0.0,
        "2x2 stat",
    );
    assert_eq!(r.df, 1);
    close(r.cramers_v(), (r.statistic / 40.0).sqrt(), 1e-15, 0.0, "V");
    assert!(chi_square_homogeneity(&[1.0, 0.0], &[2.0, 0.0]).is_none());
    assert!(chi_square_homogeneity(&[0.0, 0.0], &[2.0, 1.0]).is_none());
    // GOF: observed (10, 30) vs 50/50: stat = (10-20)^2/20 * 2 = 10.
    let g = chi_square_goodness_of_fit(&[10.0, 30.0], &[0.5, 0.5]).expect("defined");
    close(g.statistic, 10.0, 1e-15, 0.0, "gof");
    close(g.p_value, chi2_sf(10.0, 1.0), 1e-15, 0.0, "gof p");
    // A category missing from the baseline is ignored entirely.
    let g2 = chi_square_goodness_of_fit(&[10.0, 30.0, 99.0], &[0.5, 0.5, 0.0]).expect("ok");
    assert_eq!(g, g2);
    // Regrouping: 2 cells with an expected count below 10 merge into 1 -> undefined.
    assert!(chi_square_goodness_of_fit_regrouped(
        &[3.0, 2.0],
        &[50.0, 50.0],
        &RegroupThresholds::default()
    )
    .is_none());
}

#[test]
fn linf_and_verdict_hand_examples() {
    close(
        c_alpha(0.05),
        1.358_101_515_740_619_5,
        1e-14,
        0.0,
        "c(0.05)",
    );
    close(
        c_alpha(0.003),
        1.803_093_199_320_818_8,
        1e-14,
        0.0,
        "c(0.003)",
    );
    // docs/statistics.md (L∞, Robust): n = m = 100 -> threshold 1.8*sqrt(0.02) = 0.2546
    close(
        linf_robust(0.3, 100.0, 100.0, DEFAULT_C_ALPHA),
        0.3 - 1.8 * 0.02f64.sqrt(),
        1e-15,
        0.0,
        "robust",
    );
    assert_eq!(linf_robust(0.2, 100.0, 100.0, DEFAULT_C_ALPHA), 0.0);
    assert_eq!(linf_categorical(&[1.0, 1.0], &[3.0, 1.0]), 0.25);
    assert!(drift_verdict(0.15, 0.1, 0.01, 0.05));
    assert!(!drift_verdict(0.05, 0.1, 1e-300, 0.05)); // large n, tiny effect
    assert!(!drift_verdict(0.5, 0.1, 0.2, 0.05)); // large effect, small n
    assert!(!drift_verdict(f64::NAN, 0.1, 0.0, 0.05));
    assert_eq!(bonferroni(&[0.01, f64::NAN, 0.6])[0], 0.02);
    assert!(bonferroni(&[0.01, f64::NAN])[1].is_nan());
    assert_eq!(bonferroni(&[0.01, f64::NAN, 0.6])[2], 1.0);
    let bh = benjamini_hochberg(&[0.04, 0.01, f64::NAN, 0.03]);
    // sorted 0.01,0.03,0.04 (m=3): 0.03, 0.045, 0.04 -> cummin from top: 0.03, 0.04, 0.04
    assert_eq!(bh[1], 0.01 / (1.0 / 3.0));
    assert_eq!(bh[3], 0.04);
    assert_eq!(bh[0], 0.04);
    assert!(bh[2].is_nan());
}

// ---------------------------------------------------------------- oracle (SciPy) cases

#[test]
fn oracle_ks_samples() {
    let r = reference();
    let (mut worst_stat, mut worst_exact, mut worst_asymp) = (0.0f64, 0.0f64, 0.0f64);
    for case in r["ks_samples"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let a = sorted(&case["a"]);
        let b = sorted(&case["b"]);
        let (n, m) = (a.len() as u64, b.len() as u64);
        let d = ks_statistic_sorted(&a, &b);
        // Same merge and the same float divisions as SciPy's searchsorted version:
        // bit-identical in asymp mode; in exact mode SciPy returns h/lcm (a few ulps).
        assert_eq!(d, case["stat_asymp"].as_f64().expect("stat"), "{name} stat");
        worst_stat = worst_stat.max(close(
            d,
            case["stat_auto"].as_f64().expect("s"),
            1e-14,
            0.0,
            name,
        ));
        let p_auto = case["p_auto"].as_f64().expect("p");
        let p_asymp = case["p_asymp"].as_f64().expect("p");
        let exact = case["auto_mode"] == "exact";
        // Exact route: same algorithm and operation order as SciPy's compiled code, only
        // rounding differs; 1e-12 relative.
        // Asymptotic route: same formulas evaluated differently (Loader's binomial instead
        // of double-double, Durbin instead of Pomeranz for en <= 140); 1e-9 relative.
        let (tol_auto, atol) = if exact {
            (1e-12, 1e-300)
        } else {
            (1e-9, 1e-300)
        };
        let e = close(
            ks_pvalue(d, n, m),
            p_auto,
            tol_auto,
            atol,
            &format!("{name} p_auto"),
        );
        if exact {
            worst_exact = worst_exact.max(e);
        } else {
            worst_asymp = worst_asymp.max(e);
        }
        let e = close(
            ks_pvalue_with(d, n, m, KsMethod::Asymp),
            p_asymp,
            1e-9,
            1e-300,
            &format!("{name} p_asymp"),
        );
        worst_asymp = worst_asymp.max(e);
    }
    println!("ks samples: stat rel {worst_stat:e}, exact p rel {worst_exact:e}, asymp p rel {worst_asymp:e}");
}

#[test]
fn oracle_ks_weighted() {
    let r = reference();
    for case in r["ks_weighted"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let a = pairs(&case["a"]);
        let b = pairs(&case["b"]);
        let (n, m) = (
            case["n"].as_u64().expect("n"),
            case["m"].as_u64().expect("m"),
        );
        let d = ks_statistic_weighted(&a, &b);
        close(d, case["stat"].as_f64().expect("stat"), 1e-14, 0.0, name);
        let tol = if n.max(m) <= KS_EXACT_MAX_N {
            1e-12
        } else {
            1e-9
        };
        close(
            ks_pvalue(d, n, m),
            case["p_auto"].as_f64().expect("p"),
            tol,
            1e-300,
            name,
        );
    }
}

#[test]
fn oracle_ks_exact_grid() {
    let r = reference();
    let mut worst = 0.0f64;
    for case in r["ks_exact_grid"].as_array().expect("cases") {
        let (n, m) = (
            case["n"].as_u64().expect("n"),
            case["m"].as_u64().expect("m"),
        );
        let d = case["d"].as_f64().expect("d");
        let want = case["p"].as_f64().expect("p");
        let got = ks_pvalue_exact(d, n, m).expect("computable");
        // Same algorithm and operation order as SciPy: rounding-level agreement.
        worst = worst.max(close(
            got,
            want,
            1e-12,
            1e-300,
            &format!("exact n={n} m={m} d={d}"),
        ));
    }
    println!("ks exact grid: worst rel {worst:e}");
}

#[test]
fn oracle_kstwo_and_kolmogorov() {
    let r = reference();
    let mut worst = 0.0f64;
    for case in r["kstwo_sf"].as_array().expect("cases") {
        let n = case["n"].as_u64().expect("n");
        let x = case["x"].as_f64().expect("x");
        let want = case["sf"].as_f64().expect("sf");
        // Different but exact algorithms for the same quantity (see kstwo_sf): 1e-9
        // relative, plus 1e-15 absolute for sf ≈ 1 − cdf where both lose digits.
        worst = worst.max(close(
            kstwo_sf(x, n),
            want,
            1e-9,
            1e-15,
            &format!("kstwo n={n} x={x}"),
        ));
    }
    println!("kstwo: worst rel vs scipy {worst:e}");
    // Where SciPy uses Pomeranz and this module Durbin's matrix, a 50-digit Durbin
    // evaluation arbitrates: both lose digits forming sf = 1 − cdf (sf ≈ 2.7e-3), ours
    // stays within 1e-12 relative (measured ≤ 5e-13; SciPy's values are off by up to 2e-12).
    let mut worst = 0.0f64;
    for case in r["kstwo_mp"].as_array().expect("cases") {
        let n = case["n"].as_u64().expect("n");
        let x = case["x"].as_f64().expect("x");
        worst = worst.max(close(
            kstwo_sf(x, n),
            case["mp"].as_f64().expect("mp"),
            1e-12,
            0.0,
            &format!("kstwo mp n={n}"),
        ));
    }
    println!("kstwo: worst rel vs 50-digit Durbin {worst:e}");
    let mut worst = 0.0f64;
    for case in r["kolmogorov_sf"].as_array().expect("cases") {
        let x = case["x"].as_f64().expect("x");
        let got = kolmogorov_sf(x);
        // Same series as SciPy (1e-14 relative); vs the 40-digit sum 1e-14 relative plus
        // 1e-16 absolute, since for x <= 0.82 the sf is formed as 1 − cdf.
        worst = worst.max(close(
            got,
            case["sf"].as_f64().expect("sf"),
            1e-14,
            0.0,
            &format!("kolmogorov {x}"),
        ));
        close(
            got,
            case["mp"].as_f64().expect("mp"),
            1e-14,
            1e-16,
            &format!("kolmogorov {x} mp"),
        );
    }
    println!("kolmogorov: worst rel {worst:e}");
}

#[test]
fn oracle_gamma_and_chi2() {
    let r = reference();
    // Two references per value: mpmath at 40 digits (tight: our own error) and SciPy
    // (looser: SciPy's igamc forms a·ln x − x − lgam(a) directly and loses up to ~1e-12
    // relative at large a; see gen_reference.py).
    let (mut w_mp, mut w_sp) = (0.0f64, 0.0f64);
    for case in r["ln_gamma"].as_array().expect("cases") {
        let x = case["x"].as_f64().expect("x");
        let got = ln_gamma(x);
        w_mp = w_mp.max(close(
            got,
            case["mp"].as_f64().expect("mp"),
            2e-15,
            0.0,
            &format!("lnG({x}) mp"),
        ));
        w_sp = w_sp.max(close(
            got,
            case["v"].as_f64().expect("v"),
            1e-14,
            0.0,
            &format!("lnG({x}) scipy"),
        ));
    }
    println!("ln_gamma: worst rel vs mpmath {w_mp:e}, vs scipy {w_sp:e}");
    let (mut w_mp, mut w_sp) = (0.0f64, 0.0f64);
    for case in r["gamma"].as_array().expect("cases") {
        let a = case["a"].as_f64().expect("a");
        let x = case["x"].as_f64().expect("x");
        let (q, p) = (gamma_q(a, x), gamma_p(a, x));
        // 1e-13 relative vs mpmath down to 1e-300 (absolute 1e-300 only for the underflowing
        // deep lower tail); 5e-12 vs SciPy.
        let tag = format!("({a},{x})");
        w_mp = w_mp.max(close(
            q,
            case["q_mp"].as_f64().expect("q"),
            1e-13,
            1e-300,
            &format!("Q{tag} mp"),
        ));
        w_mp = w_mp.max(close(
            p,
            case["p_mp"].as_f64().expect("p"),
            1e-13,
            1e-300,
            &format!("P{tag} mp"),
        ));
        w_sp = w_sp.max(close(
            q,
            case["q"].as_f64().expect("q"),
            5e-12,
            1e-300,
            &format!("Q{tag} scipy"),
        ));
        w_sp = w_sp.max(close(
            p,
            case["p"].as_f64().expect("p"),
            5e-12,
            1e-300,
            &format!("P{tag} scipy"),
        ));
    }
    println!("gamma P/Q: worst rel vs mpmath {w_mp:e}, vs scipy {w_sp:e}");
    let (mut w_mp, mut w_sp) = (0.0f64, 0.0f64);
    for case in r["chi2_sf"].as_array().expect("cases") {
        let x = case["x"].as_f64().expect("x");
        let df = case["df"].as_f64().expect("df");
        let got = chi2_sf(x, df);
        let tag = format!("chi2_sf({x},{df})");
        w_mp = w_mp.max(close(
            got,
            case["mp"].as_f64().expect("mp"),
            1e-13,
            1e-300,
            &tag,
        ));
        w_sp = w_sp.max(close(
            got,
            case["sf"].as_f64().expect("sf"),
            5e-12,
            1e-300,
            &tag,
        ));
    }
    println!("chi2_sf: worst rel vs mpmath {w_mp:e}, vs scipy {w_sp:e}");
}

#[test]
fn oracle_psi_and_bins() {
    let r = reference();
    for case in r["psi"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let bc = f64s(&case["baseline_counts"]);
        let cc = f64s(&case["current_counts"]);
        if !case["edges"].is_null() {
            let edges = f64s(&case["edges"]);
            // Integer counts: exact.
            assert_eq!(
                bin_counts(&edges, &pairs(&case["baseline_items"])),
                bc,
                "{name}"
            );
            assert_eq!(
                bin_counts(&edges, &pairs(&case["current_items"])),
                cc,
                "{name}"
            );
        }
        let eps = case["eps"].as_f64().expect("eps");
        // Same formula, different summation order (NumPy pairwise): 1e-12 relative.
        close(
            psi(&bc, &cc, eps),
            case["psi"].as_f64().expect("psi"),
            1e-12,
            1e-15,
            name,
        );
    }
}

/// A chi-square result against an oracle case: the statistic to 1e-12 relative (same sums in
/// another order), df exactly, p to 1e-11 relative (the chi2_sf accuracy, 1e-12 relative, on top
/// of the statistic's).
fn assert_chi_square(res: &ChiSquare, case: &Value, what: &str) {
    close(
        res.statistic,
        case["stat"].as_f64().expect("s"),
        1e-12,
        0.0,
        &format!("{what} stat"),
    );
    assert_eq!(res.df, case["df"].as_u64().expect("df"), "{what} df");
    close(
        res.p_value,
        case["p"].as_f64().expect("p"),
        1e-11,
        1e-300,
        &format!("{what} p"),
    );
}

#[test]
fn oracle_chi_square() {
    let r = reference();
    // Statistic: same sums in another order, 1e-12 relative. p: the chi2_sf accuracy
    // (1e-12 relative) on top of the statistic's, so 1e-11 relative.
    for case in r["chi2_contingency"].as_array().expect("cases") {
        let b = f64s(&case["baseline"]);
        let c = f64s(&case["current"]);
        let res = chi_square_homogeneity(&b, &c).expect("defined");
        assert_chi_square(&res, case, "contingency");
        close(
            res.cramers_v(),
            case["cramers_v"].as_f64().expect("v"),
            1e-12,
            0.0,
            "cramers v",
        );
    }
    for case in r["chisquare"].as_array().expect("cases") {
        let o = f64s(&case["observed"]);
        let p = f64s(&case["expected_props"]);
        let res = chi_square_goodness_of_fit(&o, &p).expect("defined");
        assert_chi_square(&res, case, "gof");
    }
    for case in r["chisquare_deequ"].as_array().expect("cases") {
        let o = f64s(&case["observed"]);
        let b = f64s(&case["baseline_counts"]);
        let res = chi_square_goodness_of_fit_regrouped(&o, &b, &RegroupThresholds::default());
        if case["stat"].is_null() {
            assert!(res.is_none());
            continue;
        }
        let res = res.expect("defined");
        assert_chi_square(&res, case, "deequ");
    }
}

#[test]
fn oracle_multitest_and_linf() {
    let r = reference();
    for case in r["multitest"].as_array().expect("cases") {
        let p = f64s(&case["p"]);
        // Same float operations as the NumPy reference (and statsmodels): exact.
        assert_eq!(bonferroni(&p), f64s(&case["bonferroni"]));
        assert_eq!(benjamini_hochberg(&p), f64s(&case["bh"]));
    }
    for case in r["linf_categorical"].as_array().expect("cases") {
        let c1 = f64s(&case["c1"]);
        let c2 = f64s(&case["c2"]);
        let d = linf_categorical(&c1, &c2);
        assert_eq!(d, case["linf"].as_f64().expect("linf"));
        let (n, m) = (c1.iter().sum(), c2.iter().sum());
        close(
            linf_robust(d, n, m, DEFAULT_C_ALPHA),
            case["robust_1_8"].as_f64().expect("r"),
            1e-15,
            1e-15,
            "robust",
        );
    }
}

/// xorshift64* — a tiny deterministic generator so property checks need no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn compress(x: &[f64]) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for &v in x {
        match out.last_mut() {
            Some(last) if last.0 == v => last.1 += 1,
            _ => out.push((v, 1)),
        }
    }
    out
}

#[test]
fn properties_randomized() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..300 {
        let n = 1 + rng.below(40) as usize;
        let m = 1 + rng.below(40) as usize;
        let levels = 1 + rng.below(12);
        let mut a: Vec<f64> = (0..n).map(|_| rng.below(levels) as f64).collect();
        let mut b: Vec<f64> = (0..m)
            .map(|_| rng.below(levels) as f64 + 0.5 * rng.below(2) as f64)
            .collect();
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let d = ks_statistic_sorted(&a, &b);
        // Weighted on the compressed samples == raw on the expanded ones, bit for bit.
        assert_eq!(ks_statistic_weighted(&compress(&a), &compress(&b)), d);
        // Symmetric and in [0, 1].
        assert_eq!(ks_statistic_sorted(&b, &a), d);
        assert!((0.0..=1.0).contains(&d));
        // p-value in [0, 1], symmetric, non-increasing in d.
        let p = ks_pvalue(d, n as u64, m as u64);
        assert!((0.0..=1.0).contains(&p));
        assert_eq!(p, ks_pvalue(d, m as u64, n as u64));
        let p2 = ks_pvalue((d + 0.1).min(1.0), n as u64, m as u64);
        assert!(p2 <= p + 1e-15, "p not monotone: {p} then {p2}");
        // Exact p-value on random lattice points of larger sizes: defined, in [0, 1],
        // non-increasing in d.
        let (nn, mm) = (1 + rng.below(300), 1 + rng.below(300));
        let d1 = rng.unit();
        let d2 = (d1 + 0.05 * rng.unit()).min(1.0);
        let (p1, p2) = (ks_pvalue(d1, nn, mm), ks_pvalue(d2, nn, mm));
        assert!(
            (0.0..=1.0).contains(&p1) && p2 <= p1 + 1e-15,
            "n={nn} m={mm} {d1} {d2}"
        );
        // Robust L-inf never exceeds simple.
        assert!(linf_robust(d, n as f64, m as f64, DEFAULT_C_ALPHA) <= d);

        // PSI: non-negative, 0 on itself, symmetric in (baseline, current).
        let k = 2 + rng.below(10) as usize;
        let cb: Vec<f64> = (0..k).map(|_| rng.below(50) as f64).collect();
        let cc: Vec<f64> = (0..k).map(|_| rng.below(50) as f64).collect();
        if cb.iter().sum::<f64>() > 0.0 && cc.iter().sum::<f64>() > 0.0 {
            let v = psi(&cb, &cc, DEFAULT_PSI_EPSILON);
            assert!(v >= 0.0);
            assert_eq!(psi(&cb, &cb, DEFAULT_PSI_EPSILON), 0.0);
            close(
                psi(&cc, &cb, DEFAULT_PSI_EPSILON),
                v,
                1e-14,
                1e-16,
                "psi symmetry",
            );
            assert!(v <= 2.0 * (1.0 + 1.0 / DEFAULT_PSI_EPSILON).ln());
            // Homogeneity is symmetric in the two rows.
            if let Some(h) = chi_square_homogeneity(&cb, &cc) {
                let h2 = chi_square_homogeneity(&cc, &cb).expect("symmetric");
                close(h2.statistic, h.statistic, 1e-12, 1e-14, "chi2 symmetry");
                assert!((0.0..=1.0).contains(&h.p_value));
                assert!(h.cramers_v() <= 1.0 + 1e-12);
            }
        }

        // bin_counts conserves the total weight.
        let mut edges: Vec<f64> = (0..rng.below(6)).map(|_| rng.below(8) as f64).collect();
        edges.sort_by(f64::total_cmp);
        let items = compress(&a);
        let total: u64 = items.iter().map(|i| i.1).sum();
        assert_eq!(bin_counts(&edges, &items).iter().sum::<f64>(), total as f64);

        // Multiple testing: p ≤ BH ≤ Bonferroni ≤ 1, and BH keeps the order of p.
        let pv: Vec<f64> = (0..1 + rng.below(20)).map(|_| rng.unit().powi(3)).collect();
        let bh = benjamini_hochberg(&pv);
        let bo = bonferroni(&pv);
        for i in 0..pv.len() {
            // (p/(1/m) and p·m may differ by an ulp, hence the 1e-15.)
            assert!(pv[i] <= bh[i] && bh[i] <= bo[i] * (1.0 + 1e-15) && bo[i] <= 1.0);
            for j in 0..pv.len() {
                if pv[i] <= pv[j] {
                    assert!(bh[i] <= bh[j]);
                }
            }
        }
    }
}

/// Timing of the exact p-value at the `auto` cap. Run with
/// `cargo test --release -- --ignored --nocapture timing`.
#[test]
#[ignore]
fn timing_exact_pvalue() {
    use std::time::Instant;
    for (n, m, d) in [
        (10_000u64, 10_000u64, 0.02),
        (10_000, 10_000, 0.9),
        (10_000, 9_999, 0.02),
        (10_000, 9_999, 0.2),
        (10_000, 9_999, 0.99),
        (10_000, 7_000, 0.05),
    ] {
        let t = Instant::now();
        let reps = if n == m { 1000 } else { 3 };
        let mut p = 0.0;
        for _ in 0..reps {
            p = ks_pvalue(std::hint::black_box(d), n, m);
        }
        let dt = t.elapsed() / reps;
        println!("ks_pvalue exact n={n} m={m} d={d}: p={p:e}, {dt:?}");
    }
    for (n, m, d) in [(20_000u64, 30_000u64, 0.02), (1_000_000, 1_000_000, 0.002)] {
        let t = Instant::now();
        let p = ks_pvalue(d, n, m);
        println!(
            "ks_pvalue asymp n={n} m={m} d={d}: p={p:e}, {:?}",
            t.elapsed()
        );
    }
}
