//! Properties of the mergeable profiles (issue "Baseline suggestion", "Must show"):
//!
//! * a dataset split into random chunks, profiled chunk by chunk and merged (in order, and as a
//!   balanced tree), gives exactly the one-pass profile: counts, per-type counts, present and
//!   missing, `n`, the exact sum (bit for bit), mean (bit for bit), min, max, categories while
//!   under the cap, rejects; `std_dev` within 1e-12 of the data's scale; the KLL sketch's count
//!   exactly and every rank and quantile within the sketch's own `rank_error_bound()`;
//! * `Default` is the identity of `merge`, on the left and on the right;
//! * merge is associative on everything that is counted.

use driftmon_baseline::kll::KllSketch;
use driftmon_baseline::profile::{
    classify, ColumnProfile, DatasetProfile, Location, Merge, MAX_TRACKED_CATEGORIES,
};
use driftmon_baseline::read::{profile_csv, HeaderMode};
use driftmon_baseline::value::{Cell, Row};
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// An untyped CSV field: integral, fractional and exponent literals, signed zeros, padded
/// numbers, text from a small alphabet (so categories repeat), booleans, and empty/blank (null).
fn text_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        4 => (-1_000_000i64..1_000_000).prop_map(|i| Cell::Text(i.to_string())),
        4 => (-1.0e6f64..1.0e6).prop_map(|f| Cell::Text(format!("{f:.3}"))),
        1 => (-1.0e3f64..1.0e3).prop_map(|f| Cell::Text(format!("{f:e}"))),
        1 => prop::sample::select(vec!["-0", "0", "-0.0", "0.0", "+7", " 12 ", "1e3", ".5", "5."])
            .prop_map(|s| Cell::Text(s.to_owned())),
        3 => "[a-c]{1,3}".prop_map(Cell::Text),
        2 => prop::sample::select(vec!["true", "FALSE", "NaN", "1,5", "", " ", "Infinity"])
            .prop_map(|s| Cell::Text(s.to_owned())),
    ]
}

/// A typed cell (JSON, Parquet, capture): ints, floats (signed zeros, and non-finite values,
/// which the profiler counts as null), booleans, strings (the empty one is null), nulls.
fn typed_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        4 => (-1_000_000i64..1_000_000).prop_map(Cell::Int),
        4 => (-1.0e6f64..1.0e6).prop_map(Cell::Float),
        1 => prop::sample::select(vec![-0.0, 0.0, f64::NAN, f64::INFINITY, 0.1, -2.5])
            .prop_map(Cell::Float),
        1 => any::<bool>().prop_map(Cell::Bool),
        2 => "[a-c]{0,2}".prop_map(Cell::Str),
        1 => Just(Cell::Null),
    ]
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![text_cell(), typed_cell()]
}

/// One input record: a positional row (CSV-like, possibly short), a named row (JSON-like, keys
/// overlapping the positional names) or a rejected record.
#[derive(Debug, Clone)]
enum Record {
    Row(Row),
    Reject(&'static str),
}

fn record(ncols: usize) -> impl Strategy<Value = Record> {
    let named = prop::collection::vec(
        (prop::sample::select(vec!["_c0", "_c1", "x", "y"]), cell()),
        0..4,
    )
    .prop_map(|kv| {
        let mut out: Vec<(String, Cell)> = Vec::new();
        for (k, c) in kv {
            if !out.iter().any(|(n, _)| n == k) {
                out.push((k.to_owned(), c));
            }
        }
        Record::Row(Row::Named(out))
    });
    prop_oneof![
        12 => prop::collection::vec(cell(), 0..=ncols).prop_map(|c| Record::Row(Row::Positional(c))),
        4 => named,
        1 => prop::sample::select(vec!["ragged_row", "invalid_utf8", "malformed_json"])
            .prop_map(Record::Reject),
    ]
}

fn dataset(max_rows: usize) -> impl Strategy<Value = Vec<Record>> {
    (1usize..5).prop_flat_map(move |ncols| prop::collection::vec(record(ncols), 0..max_rows))
}

/// Chunk boundaries `0 = b0 <= b1 <= … <= n` from random cut points (empty chunks included).
fn boundaries(n: usize, cuts: &[Index]) -> Vec<usize> {
    let mut b: Vec<usize> = cuts.iter().map(|i| i.index(n + 1)).collect();
    b.push(0);
    b.push(n);
    b.sort_unstable();
    b
}

// ---------------------------------------------------------------------------------------------
// Profiling and merging
// ---------------------------------------------------------------------------------------------

/// Profiles `records`, the first of which is record number `first` (1-based line numbers).
fn profile(records: &[Record], first: u64) -> DatasetProfile {
    let mut p = DatasetProfile::default();
    for (i, r) in records.iter().enumerate() {
        let line = first + i as u64;
        let loc = move || Location {
            source: "gen".into(),
            line,
        };
        match r {
            Record::Row(row) => p.add_row(row, &loc),
            Record::Reject(kind) => p.rejects.add(loc(), kind, format!("{kind} at {line}")),
        }
    }
    p
}

fn chunk_profiles(records: &[Record], cuts: &[Index]) -> Vec<DatasetProfile> {
    let b = boundaries(records.len(), cuts);
    b.windows(2)
        .map(|w| profile(&records[w[0]..w[1]], w[0] as u64 + 1))
        .collect()
}

fn merge_in_order(parts: &[DatasetProfile]) -> DatasetProfile {
    let mut acc = DatasetProfile::default();
    for p in parts {
        acc.merge(p);
    }
    acc
}

fn merge_tree(parts: &[DatasetProfile]) -> DatasetProfile {
    match parts.len() {
        0 => DatasetProfile::default(),
        1 => parts[0].clone(),
        n => {
            let mut left = merge_tree(&parts[..n / 2]);
            left.merge(&merge_tree(&parts[n / 2..]));
            left
        }
    }
}

/// The numeric values a column received, as the profiler reads them (the truth for the sketch).
fn numeric_values(records: &[Record], column: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut push = |c: &Cell| match c {
        Cell::Text(s) => {
            if let (_, Some(x)) = classify(s) {
                if x.is_finite() {
                    out.push(x);
                }
            }
        }
        Cell::Int(i) => out.push(*i as f64),
        Cell::Float(f) if f.is_finite() => out.push(*f),
        _ => {}
    };
    for r in records {
        match r {
            Record::Row(Row::Positional(cells)) => {
                if let Some(pos) = column
                    .strip_prefix("_c")
                    .and_then(|d| d.parse::<usize>().ok())
                {
                    if let Some(c) = cells.get(pos) {
                        push(c);
                    }
                }
            }
            Record::Row(Row::Named(kv)) => {
                for (k, c) in kv {
                    if k == column {
                        push(c);
                    }
                }
            }
            Record::Reject(_) => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

fn bits(x: Option<f64>) -> Option<u64> {
    x.map(f64::to_bits)
}

/// Asserts that the sketch's ranks and quantiles are within its own documented
/// `rank_error_bound()` of the exact ranks of `truth` (the values it was fed, in any order).
fn check_sketch_against_truth(
    kll: &KllSketch,
    truth: &[f64],
    what: &str,
) -> Result<(), TestCaseError> {
    let mut sorted = truth.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    prop_assert_eq!(kll.count(), n as u64, "{}: sketch count", what);
    if n == 0 {
        prop_assert_eq!(kll.quantile(0.5), None);
        return Ok(());
    }
    // The documented bound is a fraction of the count; in values it is an integer.
    let err = (kll.rank_error_bound() * n as f64).round() as u64;
    prop_assert_eq!(err, kll.rank_error_weight());
    // Probe ranks at (up to 200) data points and just beside them.
    let step = (n / 200).max(1);
    for &v in sorted.iter().step_by(step).chain([sorted[n - 1]].iter()) {
        for x in [v, v - 0.5, v + 0.5] {
            let lt = sorted.partition_point(|&y| y < x) as u64;
            let le = sorted.partition_point(|&y| y <= x) as u64;
            let (r, ri) = (kll.rank(x), kll.rank_inclusive(x));
            prop_assert!(
                r.abs_diff(lt) <= err,
                "{}: rank({}) = {}, exact {}, bound {} of {}",
                what,
                x,
                r,
                lt,
                err,
                n
            );
            prop_assert!(
                ri.abs_diff(le) <= err,
                "{}: rank_inclusive({}) = {}, exact {}, bound {} of {}",
                what,
                x,
                ri,
                le,
                err,
                n
            );
        }
    }
    // Quantiles: the returned value lies between the exact order statistics `err` ranks either
    // side of the target rank ceil(q·n).
    for q in [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0] {
        let v = kll.quantile(q).expect("non-empty");
        let target = ((q * n as f64).ceil() as usize).clamp(1, n);
        let lo = sorted[target.saturating_sub(1 + err as usize)];
        let hi = sorted[(target - 1 + err as usize).min(n - 1)];
        prop_assert!(
            lo <= v && v <= hi,
            "{}: quantile({}) = {} outside [{}, {}] (target rank {}, bound {})",
            what,
            q,
            v,
            lo,
            hi,
            target,
            err
        );
    }
    Ok(())
}

/// Asserts that `merged` is the one-pass profile `one` on everything that merges exactly, and
/// within the documented bounds elsewhere. `records` is the data, for the sketch's truth;
/// `locations` says whether `file:line` examples must agree too.
fn check_equivalent(
    one: &DatasetProfile,
    merged: &DatasetProfile,
    records: &[Record],
    locations: bool,
    what: &str,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(merged.item_count, one.item_count, "{}: item_count", what);
    let names = |p: &DatasetProfile| p.columns.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    prop_assert_eq!(
        names(merged),
        names(one),
        "{}: columns in first-seen order",
        what
    );
    if locations {
        prop_assert_eq!(&merged.rejects, &one.rejects, "{}: rejects", what);
    } else {
        prop_assert_eq!(merged.rejects.total, one.rejects.total);
        prop_assert_eq!(&merged.rejects.by_kind, &one.rejects.by_kind);
    }
    for (name, a) in &one.columns {
        let b = merged.column(name).expect("column present");
        let w = format!("{what}: column {name}");
        check_column(one, a, merged, b, &w, locations)?;
        if !records.is_empty() {
            let truth = numeric_values(records, name);
            check_sketch_against_truth(&a.kll, &truth, &format!("{w} (one pass)"))?;
            check_sketch_against_truth(&b.kll, &truth, &format!("{w} (merged)"))?;
        }
    }
    Ok(())
}

fn check_column(
    pa: &DatasetProfile,
    a: &ColumnProfile,
    pb: &DatasetProfile,
    b: &ColumnProfile,
    w: &str,
    locations: bool,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(&b.types, &a.types, "{}: per-type counts", w);
    prop_assert_eq!(b.present(), a.present(), "{}: present", w);
    prop_assert_eq!(pb.missing(b), pa.missing(a), "{}: missing", w);
    prop_assert_eq!(b.inferred_type(), a.inferred_type(), "{}: inferred type", w);
    let (ma, mb) = (&a.moments, &b.moments);
    prop_assert_eq!(mb.n, ma.n, "{}: n", w);
    prop_assert_eq!(
        mb.sum.value().to_bits(),
        ma.sum.value().to_bits(),
        "{}: sum {} vs {}",
        w,
        mb.sum.value(),
        ma.sum.value()
    );
    prop_assert_eq!(
        bits(mb.mean()),
        bits(ma.mean()),
        "{}: mean {:?} vs {:?}",
        w,
        mb.mean(),
        ma.mean()
    );
    prop_assert_eq!(
        mb.min.to_bits(),
        ma.min.to_bits(),
        "{}: min {} vs {}",
        w,
        mb.min,
        ma.min
    );
    prop_assert_eq!(
        mb.max.to_bits(),
        ma.max.to_bits(),
        "{}: max {} vs {}",
        w,
        mb.max,
        ma.max
    );
    if let (Some(sa), Some(sb), Some(mean)) = (ma.std_dev(), mb.std_dev(), ma.mean()) {
        // Tolerance: 1e-12 relative to the data's scale rms = sqrt(mean² + sd²), which is the
        // std-dev itself for centred data. Welford's update and Chan's merge have a worst-case
        // relative error of about n·u·κ in the sum of squares (Chan, Golub & LeVeque 1983), with
        // u = 1.1e-16 and κ = rms/sd, i.e. an absolute error of about n·u·rms in the std-dev:
        // 4.4e-14·rms for the 400 rows here, 1.3e-12 for 12,000 rows as a worst case that
        // rounding errors of random sign never approach (they grow like √n).
        let rms = (mean * mean + sa * sa).sqrt();
        prop_assert!(
            (sa - sb).abs() <= 1e-12 * rms.max(sa),
            "{}: std_dev {} vs {} (rms {})",
            w,
            sb,
            sa,
            rms
        );
    } else {
        prop_assert_eq!(mb.std_dev(), ma.std_dev());
    }
    if locations {
        prop_assert_eq!(
            &b.first_non_numeric,
            &a.first_non_numeric,
            "{}: first non-numeric",
            w
        );
    } else {
        prop_assert_eq!(
            b.first_non_numeric.as_ref().map(|s| &s.value),
            a.first_non_numeric.as_ref().map(|s| &s.value)
        );
    }
    // HyperLogLog registers merge by max: order-independent, always exact.
    prop_assert_eq!(&b.categories.hll, &a.categories.hll, "{}: HLL", w);
    if !a.categories.overflowed {
        prop_assert_eq!(
            &b.categories,
            &a.categories,
            "{}: categories under the cap",
            w
        );
        prop_assert_eq!(b.categories.distinct(), a.categories.distinct());
    } else {
        // Over the cap only the totals are defined: which values got tracked depends on order.
        let total =
            |c: &ColumnProfile| c.categories.counts.values().sum::<u64>() + c.categories.untracked;
        prop_assert_eq!(total(b), total(a), "{}: category total", w);
        prop_assert!(b.categories.overflowed);
        prop_assert_eq!(b.categories.counts.len(), MAX_TRACKED_CATEGORIES);
    }
    prop_assert_eq!(b.kll.count(), a.kll.count(), "{}: sketch count", w);
    if a.kll.rank_error_weight() == 0 && b.kll.rank_error_weight() == 0 {
        // Uncompacted: merging concatenates level 0 in chunk order, i.e. insertion order.
        prop_assert_eq!(b.kll.levels(), a.kll.levels(), "{}: uncompacted sketch", w);
    }
    Ok(())
}

/// Observable equality of two profiles, used for the identity laws: everything equal, and
/// sketches equal in the data they hold and in their error bound (a sketch merged into an empty
/// one restarts its compactors' offset sequence, which Deequ does too and which is not data).
fn check_same(a: &DatasetProfile, b: &DatasetProfile, what: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.item_count, b.item_count, "{}", what);
    prop_assert_eq!(&a.rejects, &b.rejects, "{}", what);
    prop_assert_eq!(a.columns.len(), b.columns.len(), "{}", what);
    for ((na, ca), (nb, cb)) in a.columns.iter().zip(&b.columns) {
        prop_assert_eq!(na, nb, "{}", what);
        prop_assert_eq!(&ca.types, &cb.types, "{}: {}", what, na);
        prop_assert_eq!(&ca.moments, &cb.moments, "{}: {}", what, na);
        prop_assert_eq!(&ca.categories, &cb.categories, "{}: {}", what, na);
        prop_assert_eq!(
            &ca.first_non_numeric,
            &cb.first_non_numeric,
            "{}: {}",
            what,
            na
        );
        prop_assert_eq!(ca.kll.levels(), cb.kll.levels(), "{}: {}", what, na);
        prop_assert_eq!(ca.kll.rank_error_weight(), cb.kll.rank_error_weight());
        prop_assert_eq!(ca.kll.total_capacity(), cb.kll.total_capacity());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Mixed cells, random chunks: merged = one pass, in order and as a balanced tree.
    #[test]
    fn chunked_merge_equals_one_pass(
        records in dataset(400),
        cuts in prop::collection::vec(any::<Index>(), 0..10),
    ) {
        let one = profile(&records, 1);
        let parts = chunk_profiles(&records, &cuts);
        check_equivalent(&one, &merge_in_order(&parts), &records, true, "in order")?;
        check_equivalent(&one, &merge_tree(&parts), &records, true, "tree")?;
        // Nothing here compacts (at most 400 values per column), so the in-order merge is the
        // one-pass profile bit for bit, sketches included, except the running mean and m2.
        let ordered = merge_in_order(&parts);
        for ((_, a), (_, b)) in one.columns.iter().zip(&ordered.columns) {
            prop_assert_eq!(a.kll.levels(), b.kll.levels());
        }
    }

    /// `Default` is the identity of merge, on either side (exact equality of the whole profile,
    /// index and positional names included, while nothing compacts).
    #[test]
    fn default_is_the_identity(records in dataset(200)) {
        let p = profile(&records, 1);
        let mut right = p.clone();
        right.merge(&DatasetProfile::default());
        prop_assert_eq!(&right, &p);
        let mut left = DatasetProfile::default();
        left.merge(&p);
        prop_assert_eq!(&left, &p);
        // And positional names survive: one more positional row lands in the same columns.
        let row = Row::Positional(vec![Cell::Text("1".into()); 5]);
        let here = || Location { source: "x".into(), line: 1 };
        let (mut l2, mut p2) = (left.clone(), p.clone());
        l2.add_row(&row, &here);
        p2.add_row(&row, &here);
        prop_assert_eq!(&l2, &p2);
    }

    /// (a ∘ b) ∘ c = a ∘ (b ∘ c) on counts, sums, extrema, categories and sketch counts.
    #[test]
    fn merge_is_associative_on_counts(
        a in dataset(150),
        b in dataset(150),
        c in dataset(150),
    ) {
        let (pa, pb, pc) = (profile(&a, 1), profile(&b, 1000), profile(&c, 2000));
        let mut left = pa.clone();
        left.merge(&pb);
        left.merge(&pc);
        let mut bc = pb.clone();
        bc.merge(&pc);
        let mut right = pa.clone();
        right.merge(&bc);
        check_equivalent(&left, &right, &[], true, "associativity")?;
        // And both equal the one-pass profile of a ++ b ++ c.
        let all: Vec<Record> = a.iter().chain(&b).chain(&c).cloned().collect();
        let one = profile(&all, 1);
        // Line numbers differ (1000, 2000 offsets), so compare without locations.
        check_equivalent(&one, &right, &all, false, "a ++ b ++ c")?;
    }

    /// The CSV reader itself: a headerless CSV split at random line boundaries, each piece read
    /// by `profile_csv` and the profiles merged, equals reading the whole file (line numbers
    /// restart in each piece, so only locations may differ).
    #[test]
    fn csv_chunks_merge_like_the_whole_file(
        rows in (1usize..5).prop_flat_map(|k| prop::collection::vec(prop::collection::vec(text_cell(), k..=k), 1..300)),
        cuts in prop::collection::vec(any::<Index>(), 0..6),
    ) {
        let line = |r: &Vec<Cell>| {
            r.iter()
                .map(|c| match c {
                    Cell::Text(s) if s.contains(',') => format!("\"{s}\""),
                    Cell::Text(s) => s.clone(),
                    _ => unreachable!(),
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let text = |rows: &[Vec<Cell>]| rows.iter().map(|r| line(r) + "\n").collect::<String>();
        let read = |t: &str| {
            let mut p = DatasetProfile::default();
            let res = profile_csv(t.as_bytes(), "t.csv", HeaderMode::Absent, &mut p);
            (p, res.ok().map(|s| s.rows))
        };
        let (whole, whole_rows) = read(&text(&rows));
        let b = boundaries(rows.len(), &cuts);
        let mut merged = DatasetProfile::default();
        let mut rows_read = 0;
        for w in b.windows(2) {
            let (p, n) = read(&text(&rows[w[0]..w[1]]));
            rows_read += n.unwrap_or(0);
            merged.merge(&p);
        }
        prop_assert_eq!(Some(rows_read).filter(|&n| n > 0), whole_rows);
        let records: Vec<Record> = rows
            .iter()
            .filter(|r| !line(r).is_empty()) // a single empty field is a blank line, not a row
            .map(|r| Record::Row(Row::Positional(r.clone())))
            .collect();
        prop_assert_eq!(whole.item_count, records.len() as u64);
        check_equivalent(&whole, &merged, &records, false, "csv pieces")?;
    }
}

/// Numeric columns large enough for the sketch to compact (k = 2048: level 0 holds 2050 items),
/// random chunking: exact statistics still merge exactly, the sketches within their bound.
fn numeric_dataset() -> impl Strategy<Value = Vec<Record>> {
    let value = prop_oneof![
        3 => (-1.0e3f64..1.0e3).prop_map(Cell::Float),
        2 => (-50i64..50).prop_map(Cell::Int),               // many ties
        1 => (-1.0e6f64..1.0e6).prop_map(|f| Cell::Text(format!("{f}"))),
        1 => Just(Cell::Null),
        1 => "[a-z]{1,4}".prop_map(Cell::Str),                 // overflows the category cap
    ];
    prop::collection::vec(prop::collection::vec(value, 2), 4000..12_000).prop_map(|rows| {
        rows.into_iter()
            .map(|r| Record::Row(Row::Positional(r)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn compacting_sketches_merge_within_their_bound(
        records in numeric_dataset(),
        cuts in prop::collection::vec(any::<Index>(), 1..12),
    ) {
        let one = profile(&records, 1);
        // The point of this property (a shrunk case may not compact; that is not the failure).
        prop_assume!(one.columns.iter().any(|(_, c)| c.kll.rank_error_weight() > 0));
        let parts = chunk_profiles(&records, &cuts);
        check_equivalent(&one, &merge_in_order(&parts), &records, true, "in order")?;
        check_equivalent(&one, &merge_tree(&parts), &records, true, "tree")?;
        // Identity laws, observationally (see `check_same`). A sketch whose stored items exactly
        // fill its capacity is condensed once by Deequ's `>=` in merge
        // (`merging_empty_into_a_full_sketch_condenses_within_bound`): then only within the bound.
        let full = one
            .columns
            .iter()
            .any(|(_, c)| c.kll.count() > 0 && c.kll.stored_items() == c.kll.total_capacity());
        let mut right = one.clone();
        right.merge(&DatasetProfile::default());
        let mut left = DatasetProfile::default();
        left.merge(&one);
        if full {
            check_equivalent(&one, &right, &records, true, "right identity (a full sketch)")?;
            check_equivalent(&one, &left, &records, true, "left identity (a full sketch)")?;
        } else {
            check_same(&right, &one, "right identity")?;
            check_same(&left, &one, "left identity")?;
        }
    }
}

/// The one documented exception to "merging an empty sketch changes nothing": a sketch whose
/// stored items exactly fill its capacity (2050 values) is condensed once by Deequ's `>=` in
/// merge. Its count is unchanged and it stays within its (now non-zero) bound.
#[test]
fn merging_empty_into_a_full_sketch_condenses_within_bound() {
    let values: Vec<f64> = (0..2050).map(|i| ((i * 7919) % 2050) as f64).collect();
    let mut s = KllSketch::default();
    for &v in &values {
        s.update(v);
    }
    assert_eq!(s.rank_error_weight(), 0, "2050 values fit level 0");
    assert_eq!(s.stored_items(), s.total_capacity());
    let before = s.clone();
    s.merge(&KllSketch::default());
    assert_eq!(s.count(), 2050);
    assert_ne!(s.levels(), before.levels(), "condensed once");
    assert!(s.rank_error_weight() > 0);
    check_sketch_against_truth(&s, &values, "condensed").unwrap();
    // One value fewer: nothing is full, merging the identity changes nothing at all.
    let mut t = KllSketch::default();
    for &v in &values[..2049] {
        t.update(v);
    }
    let before = t.clone();
    t.merge(&KllSketch::default());
    assert_eq!(t, before);
}

/// Signed zeros: the extrema of merged chunks are those of one pass, sign included (`-0.0` and
/// `0.0` are written differently in `statistics.json`). One pass keeps the first of equal
/// values; so must merge, in either order.
#[test]
fn signed_zero_extrema_merge_like_one_pass() {
    for (first, second) in [("0", "-0"), ("-0", "0"), ("0.0", "-0.0"), ("-0.0", "0")] {
        let rows = |cells: &[&str]| -> Vec<Record> {
            cells
                .iter()
                .map(|c| Record::Row(Row::Positional(vec![Cell::Text((*c).to_owned())])))
                .collect()
        };
        let one = profile(&rows(&[first, second]), 1);
        let mut merged = profile(&rows(&[first]), 1);
        merged.merge(&profile(&rows(&[second]), 2));
        let (a, b) = (&one.columns[0].1.moments, &merged.columns[0].1.moments);
        assert_eq!(a.min.to_bits(), b.min.to_bits(), "min of {first}, {second}");
        assert_eq!(a.max.to_bits(), b.max.to_bits(), "max of {first}, {second}");
        assert_eq!(a.sum.value().to_bits(), b.sum.value().to_bits());
    }
}
