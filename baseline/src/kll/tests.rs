//! Tests of the KLL sketch against Deequ (hand traces, a Java transliteration, fixtures) and its
//! bounds.

use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

/// SplitMix64, for reproducible test data without extra dependencies.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

fn mixed_data(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| match rng.below(4) {
            0 => (0..12).map(|_| rng.unit()).sum::<f64>() - 6.0,
            1 => -rng.unit().max(1e-300).ln() * 3.0,
            2 => rng.below(25) as f64,
            _ => rng.unit() * 1e6 - 5e5,
        })
        .collect()
}

fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DRIFTMON_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIP: shared folder {} not found (set DRIFTMON_SHARED_DIR)",
            dir.display()
        );
        None
    }
}

fn bits(levels: &[Vec<f64>]) -> Vec<Vec<u64>> {
    levels
        .iter()
        .map(|l| l.iter().map(|v| v.to_bits()).collect())
        .collect()
}

/// Exact number of values `< x` and `<= x` in sorted (NaN-free) data.
fn exact_ranks(sorted: &[f64], x: f64) -> (u64, u64) {
    (
        sorted.partition_point(|&v| v < x) as u64,
        sorted.partition_point(|&v| v <= x) as u64,
    )
}

/// Checks every documented guarantee of `sketch` against the exact data.
fn check_against_exact(sketch: &KllSketch, data: &[f64]) {
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as u64;
    assert_eq!(sketch.count(), n);
    assert!(sketch.stored_items() <= sketch.total_capacity());
    let e = sketch.rank_error_weight();
    // Probes: every stored item, a sample of data values, and values in between/outside.
    let mut probes: Vec<f64> = sketch.levels().iter().flatten().copied().collect();
    let step = (sorted.len() / 300).max(1);
    probes.extend(sorted.iter().step_by(step).copied());
    probes.extend(
        sorted
            .windows(2)
            .step_by(step)
            .map(|w| w[0] + (w[1] - w[0]) / 2.0),
    );
    if let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) {
        probes.extend([lo - 1.0, hi + 1.0, f64::INFINITY, f64::NEG_INFINITY]);
    }
    for &x in &probes {
        let (lt, le) = exact_ranks(&sorted, x);
        let (r, ri) = (sketch.rank(x), sketch.rank_inclusive(x));
        assert!(
            r.abs_diff(lt) <= e,
            "rank({x}) = {r}, exact {lt}, bound {e}"
        );
        assert!(
            ri.abs_diff(le) <= e,
            "rank_inclusive({x}) = {ri}, exact {le}, bound {e}"
        );
    }
    // Every stored item is one of the values fed.
    for &v in sketch.levels().iter().flatten() {
        assert!(
            sorted.binary_search_by(|p| p.total_cmp(&v)).is_ok(),
            "{v} not in data"
        );
    }
    // Without compaction the sketch is the exact histogram (so min/max are kept).
    if e == 0 {
        let mut exact: Vec<(f64, u64)> = Vec::new();
        for &v in &sorted {
            match exact.last_mut() {
                Some(last) if last.0 == v => last.1 += 1,
                _ => exact.push((v, 1)),
            }
        }
        assert_eq!(sketch.sorted_weighted(), exact);
    }
    // sorted_weighted is consistent with rank / rank_inclusive.
    let sw = sketch.sorted_weighted();
    let mut before = 0u64;
    for (i, &(v, w)) in sw.iter().enumerate() {
        if i % 13 == 0 || i + 1 == sw.len() {
            assert_eq!(sketch.rank(v), before);
            assert_eq!(sketch.rank_inclusive(v), before + w);
        }
        before += w;
    }
    assert_eq!(before, n);
    // Quantiles: the returned item's true rank interval meets [target - e, target + e].
    if n > 0 {
        for i in 0..=20 {
            let q = i as f64 / 20.0;
            let target = ((q * n as f64).ceil() as u64).clamp(1, n);
            let v = sketch.quantile(q).expect("non-empty");
            let (lt, le) = exact_ranks(&sorted, v);
            assert!(
                lt < target + e,
                "quantile({q}) = {v}: exact rank < is {lt}, target {target}, e {e}"
            );
            assert!(
                le + e >= target,
                "quantile({q}) = {v}: exact rank <= is {le}, target {target}, e {e}"
            );
        }
    }
}

#[test]
fn default_capacities_match_deequ_and_are_robust_to_pow_rounding() {
    let s = KllSketch::default();
    assert_eq!((s.k(), s.c()), (2048, 0.64));
    let caps: Vec<usize> = (0..20).map(|h| deequ_capacity(2048, 0.64, h)).collect();
    assert_eq!(
        caps,
        [2050, 1314, 842, 540, 346, 222, 144, 94, 60, 40, 26, 18, 12, 10, 6, 6, 4, 4, 4, 4]
    );
    // k * c^h / 2 is never within a relative 1e-9 of an integer for h >= 1 (and is
    // in (0, 1) from h = 16 on), so a 1-ulp difference between Java's Math.pow and
    // Rust's powf cannot change a capacity.
    for h in 1..200 {
        let x = 2048.0 * 0.64f64.powf(h as f64) / 2.0;
        if x < 1.0 {
            assert!(x > 0.0 && h >= 16, "h={h}: {x}");
        } else {
            let frac = x - x.floor();
            assert!(frac > 1e-9 * x && frac < 1.0 - 1e-9 * x, "h={h}: {x}");
        }
    }
    assert_eq!(s.levels(), &[Vec::<f64>::new()][..]);
    assert_eq!(s.count(), 0);
    assert_eq!(s.rank_error_bound(), 0.0);
    assert_eq!(s.quantile(0.5), None);
    assert_eq!(s.cdf(1.0), 0.0);
}

#[test]
fn hand_traced_small_sketch() {
    // k = 2, c = 0.64: every capacity is 2 * (ceil(x) + 1) = 4.
    let mut s = KllSketch::new(2, 0.64);
    for v in [5.0, 4.0, 3.0, 2.0, 1.0] {
        s.update(v);
    }
    // 5th update: 5 > 4 -> expand, compact level 0 (offset 0): sorted [2,3,4,5] keeps
    // [2,4]; the last inserted (1) stays.
    assert_eq!(s.levels(), &[vec![1.0], vec![2.0, 4.0]][..]);
    for v in [10.0, 9.0, 8.0, 7.0, 6.0, 0.0] {
        s.update(v);
    }
    // 2nd compaction of level 0 flips the offset to 1: sorted [1,6,7,8,9,10] keeps
    // [6,8,10]; tail 0.
    assert_eq!(s.levels(), &[vec![0.0], vec![2.0, 4.0, 6.0, 8.0, 10.0]][..]);
    for v in [11.0, 12.0, 13.0] {
        s.update(v);
    }
    // 3rd compaction keeps offset 1 (numOfCompress = 2 is even): [0,11,12,13] -> [11,13].
    // Level 1 now holds 7 >= 4 items, but condense stops after one compaction.
    assert_eq!(
        s.levels(),
        &[vec![], vec![2.0, 4.0, 6.0, 8.0, 10.0, 11.0, 13.0]][..]
    );
    s.update(14.0);
    s.update(15.0);
    // Level 0 (2 items) is not full; level 1 is: expand, sorted [2,4,6,8,10,11]
    // keeps [2,6,10] (offset 0), tail 13 (last inserted, not largest).
    assert_eq!(
        s.levels(),
        &[vec![14.0, 15.0], vec![13.0], vec![2.0, 6.0, 10.0]][..]
    );
    assert_eq!(s.count(), 16);
    // Offsets used: level 0: 0, 1, 1 (up 1, down 2); level 1: 0 (up 2).
    assert_eq!((s.error_up, s.error_down), (3, 2));
    assert_eq!(s.rank_error_weight(), 3);
    let data: Vec<f64> = (0..16).map(f64::from).collect();
    check_against_exact(&s, &data);
    // Deequ's quantiles return the item after the threshold is reached.
    assert_eq!(s.deequ_quantiles(2), vec![10.0]);
    assert_eq!(s.deequ_quantiles(1), Vec::<f64>::new());
}

#[test]
fn buckets_when_min_equals_max_and_edge_cases() {
    let mut s = KllSketch::default();
    for _ in 0..7 {
        s.update(3.5);
    }
    let b = equal_width_buckets(&s, 3.5, 3.5, 10);
    assert_eq!(b.len(), 10);
    for (i, &(lo, hi, c)) in b.iter().enumerate() {
        assert_eq!((lo, hi), (3.5, 3.5));
        assert_eq!(c, if i == 9 { 7.0 } else { 0.0 });
    }
    assert!(equal_width_buckets(&s, 0.0, 1.0, 0).is_empty());
    let e = KllSketch::default();
    assert!(equal_width_buckets(&e, 0.0, 1.0, 3)
        .iter()
        .all(|b| b.2 == 0.0));
    assert_eq!(deequ_kll_range(1.0, 2.0), (1.0, 2.0));
    assert_eq!(deequ_kll_range(1.7e12, 1.8e12), (2147483647.0, 1.8e12));
    assert_eq!(deequ_kll_range(-1e10, -5e9), (-1e10, -2147483648.0));
}

#[test]
fn nan_and_signed_zero_follow_java_ordering() {
    let mut v = vec![
        f64::NAN,
        1.0,
        -0.0,
        0.0,
        f64::NEG_INFINITY,
        -0.0,
        f64::INFINITY,
    ];
    sort_like_scala(&mut v);
    let b: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
    let want: Vec<u64> = [
        f64::NEG_INFINITY,
        -0.0,
        -0.0,
        0.0,
        1.0,
        f64::INFINITY,
        f64::NAN,
    ]
    .iter()
    .map(|x| x.to_bits())
    .collect();
    assert_eq!(b, want);
    let mut s = KllSketch::default();
    for x in [0.0, -0.0, 2.0] {
        s.update(x);
    }
    assert_eq!(s.sorted_weighted().len(), 2);
    assert_eq!(s.rank_inclusive(0.0), 2);
    assert_eq!(s.rank(0.0), 0);
    assert_eq!(s.quantile(f64::NAN), None);
}

fn special_or_any() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("no NaN", |v| !v.is_nan()),
        Just(0.0),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MIN_POSITIVE),
        Just(-f64::from_bits(1)),
        Just(f64::from_bits(1)),
        (0i32..20).prop_map(f64::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// The key sort of `compact` gives exactly the bits of Scala's sort.
    #[test]
    fn key_sort_is_scala_sort(v in prop::collection::vec(special_or_any(), 0..300)) {
        let mut want = v.clone();
        want.sort_by(|a, b| java_double_compare(*a, *b));
        let mut keys: Vec<u64> = v.iter().map(|&x| total_order_key(x)).collect();
        keys.sort_unstable();
        let got: Vec<u64> = keys.iter().map(|&k| from_total_order_key(k).to_bits()).collect();
        let want_bits: Vec<u64> = want.iter().map(|x| x.to_bits()).collect();
        prop_assert_eq!(&got, &want_bits);
        let mut keys: Vec<u64> = v.iter().map(|&x| total_order_key(x)).collect();
        keys.sort();
        let got: Vec<u64> = keys.iter().map(|&k| from_total_order_key(k).to_bits()).collect();
        prop_assert_eq!(&got, &want_bits);
    }

    /// Sketches fed special values (no NaN) match a reference that compacts with Scala's
    /// comparison sort.
    #[test]
    fn compaction_matches_comparison_sort(
        v in prop::collection::vec(special_or_any(), 0..3000),
        k in prop::sample::select(vec![2usize, 8, 50, 256]),
    ) {
        let mut s = KllSketch::new(k, 0.64);
        let mut r = ReferenceKll::new(k, 0.64);
        for &x in &v {
            s.update(x);
            r.update(x);
        }
        prop_assert_eq!(bits(s.levels()), bits(&r.levels));
    }
}

/// A direct port of Deequ's update/condense/compact with the comparison sort, as the
/// reference for the key sort.
struct ReferenceKll {
    k: usize,
    c: f64,
    levels: Vec<Vec<f64>>,
    states: Vec<(u64, usize)>,
}

impl ReferenceKll {
    fn new(k: usize, c: f64) -> Self {
        ReferenceKll {
            k,
            c,
            levels: vec![Vec::new()],
            states: vec![(0, 0)],
        }
    }

    fn total(&self) -> usize {
        (0..self.levels.len())
            .map(|h| deequ_capacity(self.k, self.c, h))
            .sum()
    }

    fn update(&mut self, x: f64) {
        self.levels[0].push(x);
        if self.levels.iter().map(Vec::len).sum::<usize>() > self.total() {
            for h in 0..self.levels.len() {
                if self.levels[h].len() >= deequ_capacity(self.k, self.c, h) {
                    if h + 1 >= self.levels.len() {
                        self.levels.push(Vec::new());
                        self.states.push((0, 0));
                    }
                    let buf = std::mem::take(&mut self.levels[h]);
                    let items = buf.len();
                    let len = items - items % 2;
                    let st = &mut self.states[h];
                    if st.0 % 2 == 1 {
                        st.1 = 1 - st.1;
                    }
                    let mut sorted = buf[..len].to_vec();
                    sorted.sort_by(|a, b| java_double_compare(*a, *b));
                    let out: Vec<f64> = sorted.iter().skip(st.1).step_by(2).copied().collect();
                    if items % 2 == 1 {
                        self.levels[h].push(buf[items - 1]);
                    }
                    st.0 += 1;
                    self.levels[h + 1].extend(out);
                    break;
                }
            }
        }
    }
}

#[test]
fn from_levels_round_trips_and_handles_empty() {
    let data = mixed_data(7, 30_000);
    let mut s = KllSketch::default();
    for &v in &data {
        s.update(v);
    }
    let r = KllSketch::from_levels(s.k(), s.c(), s.levels().to_vec());
    assert_eq!(bits(r.levels()), bits(s.levels()));
    assert_eq!(r.count(), s.count());
    assert_eq!(r.sorted_weighted(), s.sorted_weighted());
    assert_eq!(r.total_capacity(), s.total_capacity());
    assert!(r.rank_error_weight() >= s.rank_error_weight());
    check_against_exact(&r, &data);
    // Uncompacted: the rebuilt sketch is identical, compactor state included.
    let mut small = KllSketch::default();
    for &v in &data[..500] {
        small.update(v);
    }
    let r = KllSketch::from_levels(2048, 0.64, small.levels().to_vec());
    assert_eq!(r, small);
    let e = KllSketch::from_levels(2048, 0.64, Vec::new());
    assert_eq!(e, KllSketch::default());
}

#[test]
fn sagemaker_headerless_fixture_matches_exactly() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("fixtures/sagemaker/sdk-data-quality-baseline-headerless-csv");
    let csv = std::fs::read_to_string(dir.join("baseline_dataset.csv")).expect("csv");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("statistics.json")).expect("json"))
            .expect("parse");
    let rows: Vec<Vec<f64>> = csv
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|f| f.trim().parse::<f64>().expect("number"))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 100);
    let features = stats["features"].as_array().expect("features");
    let mut checked = 0;
    for f in features {
        let name = f["name"].as_str().expect("name");
        let ns = &f["numerical_statistics"];
        if ns.is_null() {
            continue;
        }
        let col: usize = name.trim_start_matches("_c").parse().expect("_cN");
        let kll = &ns["distribution"]["kll"];
        let k = kll["sketch"]["parameters"]["k"].as_f64().expect("k");
        let c = kll["sketch"]["parameters"]["c"].as_f64().expect("c");
        assert_eq!((k, c), (KllSketch::DEFAULT_K as f64, KllSketch::DEFAULT_C));
        let mut s = KllSketch::new(k as usize, c);
        let values: Vec<f64> = rows.iter().map(|r| r[col]).collect();
        for &v in &values {
            s.update(v);
        }
        let want: Vec<Vec<f64>> = kll["sketch"]["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|l| {
                l.as_array()
                    .expect("level")
                    .iter()
                    .map(|v| v.as_f64().expect("f64"))
                    .collect()
            })
            .collect();
        assert_eq!(bits(s.levels()), bits(&want), "{name}: sketch data");
        let (min, max) = (
            ns["min"].as_f64().expect("min"),
            ns["max"].as_f64().expect("max"),
        );
        let data_min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let data_max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!((data_min, data_max), (min, max));
        let (lo, hi) = deequ_kll_range(data_min, data_max);
        let got = equal_width_buckets(&s, lo, hi, 10);
        let want_b: Vec<(u64, u64, u64)> = kll["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .map(|b| {
                (
                    b["lower_bound"].as_f64().expect("lb").to_bits(),
                    b["upper_bound"].as_f64().expect("ub").to_bits(),
                    b["count"].as_f64().expect("count").to_bits(),
                )
            })
            .collect();
        let got_b: Vec<(u64, u64, u64)> = got
            .iter()
            .map(|&(l, u, c)| (l.to_bits(), u.to_bits(), c.to_bits()))
            .collect();
        assert_eq!(got_b, want_b, "{name}: buckets");
        // The rebuilt baseline sketch gives the same buckets.
        let rebuilt = KllSketch::from_levels(k as usize, c, want);
        assert_eq!(equal_width_buckets(&rebuilt, min, max, 10), got);
        assert_eq!(rebuilt.rank_error_bound(), 0.0);
        checked += 1;
    }
    assert_eq!(checked, 6);
    println!("headerless fixture: 6 columns, sketch data and buckets bit-identical");
}

#[test]
fn churn_intl_mins_first_bucket_bound() {
    let Some(shared) = shared_dir() else { return };
    let path = shared.join(
        "fixtures/sagemaker/examples-churn-data-quality-datasets/training-dataset-with-header.csv",
    );
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "Intl Mins")
        .expect("Intl Mins");
    assert_eq!(col, 9);
    let values: Vec<f64> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .nth(col)
                .expect("field")
                .parse::<f64>()
                .expect("number")
        })
        .collect();
    assert_eq!(values.len(), 2333);
    let mut s = KllSketch::default();
    for &v in &values {
        s.update(v);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let b = equal_width_buckets(&s, min, max, 10);
    println!("Intl Mins: min {min:?} max {max:?}");
    for x in &b {
        println!("  {:?}", x);
    }
    assert_eq!((min, max), (0.0, 18.4));
    assert_eq!(format!("{:?}", b[0].1), "1.8399999999999999");
    assert_eq!(b[1].0.to_bits(), b[0].1.to_bits());
    assert_eq!(b[0].0, 0.0);
    assert_eq!(b.iter().map(|x| x.2).sum::<f64>(), 2333.0);
    // 2333 > 2050: level 0 compacted once (offset 0), so ranks may be off by 1.
    assert_eq!(s.levels().len(), 2);
    assert_eq!((s.levels()[0].len(), s.levels()[1].len()), (283, 1025));
    assert_eq!(s.rank_error_weight(), 1);
    check_against_exact(&s, &values);
}

#[test]
fn java_transliteration_of_deequ_agrees() {
    let tool = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/DeequRef.java"));
    if !tool.is_file()
        || std::process::Command::new("java")
            .arg("-version")
            .output()
            .is_err()
    {
        println!("SKIP: java or tools/DeequRef.java not available");
        return;
    }
    let run = |k: usize, c: f64, chunks: &[Vec<f64>], spark_merge: bool| {
        use std::io::Write;
        let mut input = String::new();
        for chunk in chunks {
            for v in chunk {
                input.push_str(&format!("v {:016x}\n", v.to_bits()));
            }
            input.push_str(if spark_merge { "m\n" } else { "s\n" });
        }
        let mut child = std::process::Command::new("java")
            .arg(&tool)
            .arg(k.to_string())
            .arg(format!("{c:?}"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn java");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("java output");
        let text = String::from_utf8(out.stdout).expect("utf8");
        let mut caps = Vec::new();
        let mut levels: Vec<Vec<u64>> = Vec::new();
        for line in text.lines() {
            let mut parts = line.split(' ');
            match parts.next() {
                Some("cap") => {
                    let h: usize = parts.next().expect("h").parse().expect("h");
                    let v: i64 = parts.next().expect("v").parse().expect("v");
                    caps.push((h, v));
                }
                Some("L") => levels.push(
                    parts
                        .map(|p| u64::from_str_radix(p, 16).expect("hex"))
                        .collect(),
                ),
                _ => {}
            }
        }
        // Rust side.
        let mut acc = KllSketch::new(k, c);
        let mut single = None;
        for chunk in chunks {
            let mut s = KllSketch::new(k, c);
            for &v in chunk {
                s.update(v);
            }
            if spark_merge {
                acc.merge(&s);
            } else {
                single = Some(s);
            }
        }
        let mine = single.unwrap_or(acc);
        for (h, v) in caps {
            assert_eq!(
                deequ_capacity(k, c, h) as i64,
                v,
                "capacity({h}) k={k} c={c}"
            );
        }
        assert_eq!(
            bits(mine.levels()),
            levels,
            "k={k} c={c} merge={spark_merge}"
        );
        mine
    };
    let data = mixed_data(11, 60_000);
    run(2048, 0.64, std::slice::from_ref(&data), false);
    run(64, 0.64, &[data[..20_000].to_vec()], false);
    let mut asc: Vec<f64> = data[..30_000].to_vec();
    asc.sort_by(f64::total_cmp);
    run(16, 0.5, &[asc], false);
    // Spark-style: partitions of uneven sizes merged into an empty buffer.
    let chunks: Vec<Vec<f64>> = [0usize, 7_000, 7_001, 25_000, 40_000, 60_000]
        .windows(2)
        .map(|w| data[w[0]..w[1]].to_vec())
        .collect();
    let merged = run(2048, 0.64, &chunks, true);
    check_against_exact(&merged, &data);
    run(32, 0.7, &chunks, true);
    // Special values, including NaN (stable sort path) and signed zeros.
    let mut rng = Rng(5);
    let specials: Vec<f64> = (0..5_000)
        .map(|_| match rng.below(8) {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            3 => f64::INFINITY,
            4 => f64::NEG_INFINITY,
            _ => rng.below(10) as f64,
        })
        .collect();
    run(20, 0.64, &[specials], false);
    println!("Java transliteration of Deequ agrees bit-for-bit on all scenarios");
}

#[test]
fn one_million_values_within_bound() {
    let n = 1_000_000;
    for (name, data) in [
        ("mixed", mixed_data(42, n)),
        ("ascending", (0..n).map(|i| i as f64).collect::<Vec<_>>()),
        (
            "descending-dups",
            (0..n).map(|i| ((n - i) / 7) as f64).collect::<Vec<_>>(),
        ),
    ] {
        let mut s = KllSketch::default();
        let mut max_stored = 0;
        for &v in &data {
            s.update(v);
            max_stored = max_stored.max(s.stored_items());
            debug_assert!(s.stored_items() <= s.total_capacity());
        }
        assert_eq!(s.count(), n as u64);
        check_against_exact(&s, &data);
        // Actual worst rank error over all stored items and many probes.
        let mut sorted = data.clone();
        sorted.sort_by(f64::total_cmp);
        let sw = s.sorted_weighted();
        let mut before = 0u64;
        let mut worst = 0u64;
        for &(v, w) in &sw {
            let (lt, le) = exact_ranks(&sorted, v);
            worst = worst
                .max(before.abs_diff(lt))
                .max((before + w).abs_diff(le));
            before += w;
        }
        let derived = KllSketch::from_levels(s.k(), s.c(), s.levels().to_vec());
        println!(
                "{name}: n={n} levels={} stored={} (max {max_stored}, capacity {}) \
                 bound={:.3e} ({} values; derived-from-levels {}) actual max rank error={} ({:.3e})",
                s.levels().len(),
                s.stored_items(),
                s.total_capacity(),
                s.rank_error_bound(),
                s.rank_error_weight(),
                derived.rank_error_weight(),
                worst,
                worst as f64 / n as f64
            );
        assert!(worst <= s.rank_error_weight());
        assert!(s.rank_error_weight() <= derived.rank_error_weight());
        for q in [0.001, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999] {
            let est = s.quantile(q).expect("q");
            let exact = sorted[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
            println!("  q={q}: sketch {est} exact {exact}");
        }
    }
}

#[test]
#[ignore = "throughput measurement; run with --release --ignored --nocapture"]
fn update_throughput() {
    let data = mixed_data(3, 20_000_000);
    for _ in 0..2 {
        let mut s = KllSketch::default();
        let t = std::time::Instant::now();
        for &v in &data {
            s.update(v);
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "update: {} values in {secs:.3}s = {:.1} M values/s (count {})",
            data.len(),
            data.len() as f64 / secs / 1e6,
            s.count()
        );
    }
    let mut sorted = data.clone();
    sorted.sort_by(f64::total_cmp);
    let mut s = KllSketch::default();
    let t = std::time::Instant::now();
    for &v in &sorted {
        s.update(v);
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "update (sorted input): {:.1} M values/s",
        data.len() as f64 / secs / 1e6
    );
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![(0i32..20).prop_map(f64::from), -1.0e6f64..1.0e6]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn merged_chunks_vs_one_pass(
        data in prop::collection::vec(value(), 0..4000),
        k in prop::sample::select(vec![2usize, 5, 8, 16, 50, 200, 2048]),
        c in prop::sample::select(vec![0.5f64, 0.64, 0.9, 1.0]),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut one = KllSketch::new(k, c);
        for &v in &data {
            one.update(v);
            prop_assert!(one.stored_items() <= one.total_capacity());
        }
        let mut bounds: Vec<usize> = cuts.iter().map(|i| i.index(data.len() + 1)).collect();
        bounds.extend([0, data.len()]);
        bounds.sort_unstable();
        let mut merged = KllSketch::new(k, c);
        for w in bounds.windows(2) {
            let mut part = KllSketch::new(k, c);
            for &v in &data[w[0]..w[1]] {
                part.update(v);
            }
            merged.merge(&part);
            prop_assert!(merged.stored_items() <= merged.total_capacity());
        }
        prop_assert_eq!(merged.count(), data.len() as u64);
        prop_assert_eq!(one.count(), data.len() as u64);
        check_against_exact(&one, &data);
        check_against_exact(&merged, &data);

        // Merging an empty sketch is the identity (except Deequ's `>=` edge case).
        for s in [&one, &merged] {
            let mut m = s.clone();
            m.merge(&KllSketch::default());
            if s.stored_items() < s.total_capacity() {
                prop_assert_eq!(&m, s);
            } else {
                check_against_exact(&m, &data);
            }
            let mut e = KllSketch::new(k, c);
            e.merge(s);
            if s.stored_items() < s.total_capacity() {
                prop_assert_eq!(bits(e.levels()), bits(s.levels()));
                prop_assert_eq!(e.rank_error_weight(), s.rank_error_weight());
            }
            check_against_exact(&e, &data);
            // from_levels round trip.
            let r = KllSketch::from_levels(k, c, s.levels().to_vec());
            prop_assert_eq!(bits(r.levels()), bits(s.levels()));
            prop_assert_eq!(r.count(), s.count());
            prop_assert!(r.rank_error_weight() >= s.rank_error_weight());
            check_against_exact(&r, &data);
        }
    }
}
