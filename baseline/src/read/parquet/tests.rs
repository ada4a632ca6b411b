//! Tests of the Parquet reader, against files written with polars and against the CSV reader.

use super::*;
use crate::profile::Merge;
use crate::read::{profile_csv, HeaderMode};
use crate::value::ValueType;
use polars::prelude::*;

/// A fresh file path in the temp dir (removed on drop).
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(tag: &str) -> TempFile {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        TempFile(std::env::temp_dir().join(format!(
            "driftmon-pq-{tag}-{}-{nanos}-{}.parquet",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        )))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn write_parquet(df: &mut DataFrame, row_group: usize, tag: &str) -> TempFile {
    let t = TempFile::new(tag);
    let f = std::fs::File::create(&t.0).unwrap();
    ParquetWriter::new(f)
        .with_row_group_size(Some(row_group))
        .finish(df)
        .unwrap();
    t
}

fn profile_file(t: &TempFile) -> (Result<ReadSummary, ReadError>, DatasetProfile) {
    let mut p = DatasetProfile::default();
    let f = std::fs::File::open(&t.0).unwrap();
    let r = profile_parquet(f, "t.parquet", &mut p);
    (r, p)
}

/// 23 rows of int, float, string and bool columns with nulls (and a NaN).
fn sample() -> (DataFrame, String) {
    let n = 23;
    let ints: Vec<Option<i64>> = (0..n).map(|i| (i % 5 != 3).then_some(i * 7 - 40)).collect();
    let floats: Vec<Option<f64>> = (0..n)
        .map(|i| match i % 6 {
            0 => None,
            4 => Some(f64::NAN),
            _ => Some(i as f64 * 0.25 - 1.5),
        })
        .collect();
    let strs: Vec<Option<&str>> = (0..n)
        .map(|i| match i % 4 {
            0 => Some("alpha"),
            1 => None,
            2 => Some("beta gamma"),
            _ => Some(""),
        })
        .collect();
    let bools: Vec<Option<bool>> = (0..n).map(|i| (i % 7 != 0).then_some(i % 2 == 0)).collect();
    let mut csv = String::from("i,f,s,b\n");
    for i in 0..n as usize {
        let f = match floats[i] {
            Some(x) if !x.is_nan() => format!("{x:?}"),
            _ => String::new(),
        };
        csv.push_str(&format!(
            "{},{},{},{}\n",
            ints[i].map(|v| v.to_string()).unwrap_or_default(),
            f,
            strs[i].unwrap_or(""),
            bools[i].map(|v| v.to_string()).unwrap_or_default(),
        ));
    }
    let df = DataFrame::new_infer_height(vec![
        Series::new("i".into(), &ints).into_column(),
        Series::new("f".into(), &floats).into_column(),
        Series::new("s".into(), &strs).into_column(),
        Series::new("b".into(), &bools).into_column(),
    ])
    .unwrap();
    (df, csv)
}

#[test]
fn profiles_row_groups_like_csv() {
    let (mut df, csv) = sample();
    let t = write_parquet(&mut df, 5, "sample");
    let (r, p) = profile_file(&t);
    let s = r.unwrap();
    assert_eq!((s.records, s.rows, s.rejected), (23, 23, 0));
    assert_eq!(p.item_count, 23);
    let names: Vec<&str> = p.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["i", "f", "s", "b"]);

    let i = p.column("i").unwrap();
    assert_eq!(i.types.integral, 19);
    assert_eq!(i.types.null, 4);
    assert_eq!(p.missing(i), 4);
    let expect: Vec<f64> = (0..23)
        .filter(|k| k % 5 != 3)
        .map(|k| (k * 7 - 40) as f64)
        .collect();
    assert_eq!(i.moments.n, 19);
    assert_eq!(i.moments.sum.value(), expect.iter().sum::<f64>());
    assert_eq!(i.moments.min, -40.0);
    assert_eq!(i.moments.max, 114.0);

    let f = p.column("f").unwrap();
    assert_eq!(f.types.null, 8, "4 nulls and 4 NaNs");
    assert_eq!(f.types.fractional, 15);
    assert_eq!(f.moments.min, -1.25);
    assert_eq!(f.moments.max, 3.75);

    let st = p.column("s").unwrap();
    assert_eq!(st.types.string, 12);
    assert_eq!(st.types.null, 11, "6 nulls and 5 empty strings");
    assert_eq!(st.categories.counts["alpha"], 6);
    assert_eq!(st.categories.counts["beta gamma"], 6);

    let b = p.column("b").unwrap();
    assert_eq!(b.types.boolean, 19);
    assert_eq!(b.types.null, 4);
    assert_eq!(b.categories.counts["true"], 10);

    let mut c = DatasetProfile::default();
    profile_csv(csv.as_bytes(), "t.csv", HeaderMode::Present, &mut c).unwrap();
    assert_eq!(c.item_count, p.item_count);
    for ((pn, pc), (cn, cc)) in p.columns.iter().zip(&c.columns) {
        assert_eq!(pn, cn);
        assert_eq!(pc.types, cc.types, "{pn}");
        assert_eq!(pc.moments, cc.moments, "{pn}");
        assert_eq!(pc.kll, cc.kll, "{pn}");
        assert_eq!(pc.categories, cc.categories, "{pn}");
    }
    assert_eq!(p.columns.len(), c.columns.len());
}

#[test]
fn windows_inside_a_row_group_equal_one_pass() {
    // One row group, decoded whole and in windows of 7 rows: same profile.
    let (mut df, _) = sample();
    let t = write_parquet(&mut df, 1000, "window");
    let bytes = std::fs::read(&t.0).unwrap();
    let md = read_metadata(&mut Cursor::new(&bytes)).unwrap();
    let schema = infer_schema(&md).unwrap();
    assert_eq!(md.row_groups.len(), 1);
    let kinds: Vec<Kind> = schema
        .iter()
        .map(|(_, f)| kind_of(f.dtype()).unwrap())
        .collect();
    let names: Vec<String> = schema.iter().map(|(n, _)| n.to_string()).collect();
    let rg = &md.row_groups[0];
    let mut cur = Cursor::new(bytes.clone());
    let chunks = read_row_group(&mut cur, rg, &schema, bytes.len() as u64).unwrap();
    let mut windowed = DatasetProfile::with_names(&names);
    let mut s = ReadSummary::default();
    let mut start = 0;
    while start < 23 {
        let end = (start + 7).min(23);
        let cols = decode_window(&schema, &kinds, &chunks, start, end).unwrap();
        feed_window(
            &cols,
            &names,
            end - start,
            start as u64,
            "t.parquet",
            &mut windowed,
            &mut s,
        )
        .unwrap();
        start = end;
    }
    let (_, whole) = profile_file(&t);
    assert_eq!(s.rows, 23);
    assert_eq!(windowed.columns, whole.columns);
}

#[test]
fn merge_of_two_files_equals_one() {
    let (mut df, _) = sample();
    let t = write_parquet(&mut df, 4, "merge");
    let (_, whole) = profile_file(&t);
    let mut a = df.slice(0, 10);
    let mut b = df.slice(10, 13);
    let (ta, tb) = (write_parquet(&mut a, 3, "a"), write_parquet(&mut b, 3, "b"));
    let (_, mut pa) = profile_file(&ta);
    let (_, pb) = profile_file(&tb);
    pa.merge(&pb);
    assert_eq!(pa.item_count, whole.item_count);
    for ((an, ac), (wn, wc)) in pa.columns.iter().zip(&whole.columns) {
        assert_eq!(an, wn);
        assert_eq!(ac.types, wc.types, "{an}");
        assert_eq!(ac.categories, wc.categories, "{an}");
        assert_eq!(ac.kll, wc.kll, "{an}");
        assert_eq!(ac.first_non_numeric, wc.first_non_numeric, "{an}");
        let (am, wm) = (&ac.moments, &wc.moments);
        assert_eq!(
            (am.n, am.sum.value(), am.min, am.max),
            (wm.n, wm.sum.value(), wm.min, wm.max)
        );
        assert!((am.m2 - wm.m2).abs() <= 1e-9 * wm.m2.abs().max(1.0), "{an}");
    }
}

#[test]
fn nested_values_reject_their_row() {
    let lists = Series::new(
        "l".into(),
        &[
            Some(Series::new("".into(), &[1i64, 2])),
            None,
            Some(Series::new("".into(), &[3i64])),
            None,
        ],
    );
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("x".into(), &[1i32, 2, 3, 4]).into_column(),
        lists.into_column(),
    ])
    .unwrap();
    let t = write_parquet(&mut df, 3, "nested");
    let (r, p) = profile_file(&t);
    let s = r.unwrap();
    assert_eq!((s.records, s.rows, s.rejected), (4, 2, 2));
    assert_eq!(p.rejects.by_kind["nested_value"], 2);
    let lines: Vec<u64> = p.rejects.samples.iter().map(|r| r.location.line).collect();
    assert_eq!(lines, [1, 3]);
    assert_eq!(p.column("x").unwrap().moments.sum.value(), 6.0);
    assert_eq!(p.column("l").unwrap().types.null, 2);
}

#[test]
fn small_ints_decimals_and_binary() {
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("i8".into(), &[Some(-3i8), None, Some(7)]).into_column(),
        Series::new("u16".into(), &[1u16, 2, 65535]).into_column(),
        Series::new("u64".into(), &[1u64, u64::MAX, 3]).into_column(),
        Series::new("f32".into(), &[0.5f32, f32::NAN, 2.0]).into_column(),
        Series::new("bin".into(), &[&b"ok"[..], &b"\xff\xfe"[..], &b"x"[..]]).into_column(),
    ])
    .unwrap();
    let t = write_parquet(&mut df, 2, "types");
    let (r, p) = profile_file(&t);
    let s = r.unwrap();
    assert_eq!((s.rows, s.rejected), (2, 1));
    assert_eq!(p.rejects.samples[0].kind, "invalid_utf8");
    assert_eq!(p.rejects.samples[0].location.line, 2);
    assert_eq!(p.column("i8").unwrap().moments.sum.value(), 4.0);
    assert_eq!(p.column("u16").unwrap().moments.max, 65535.0);
    assert_eq!(p.column("u64").unwrap().types.integral, 2);
    let f = p.column("f32").unwrap();
    assert_eq!(f.types.get(ValueType::Fractional), 2);
    assert_eq!(p.column("bin").unwrap().categories.counts["ok"], 1);

    assert_eq!(decimal_cell(12345, 2), CellRef::Float(123.45));
    assert_eq!(decimal_cell(-5, 3), CellRef::Float(-0.005));
    assert_eq!(decimal_cell(42, 0), CellRef::Int(42));
    assert_eq!(decimal_cell(i128::MAX, 0), CellRef::Float(i128::MAX as f64));
}

#[test]
fn dates_and_times_format_like_polars() {
    assert_eq!(format_date(0), "1970-01-01");
    assert_eq!(format_date(19_723), "2024-01-01");
    assert_eq!(format_date(-1), "1969-12-31");
    assert_eq!(format_date(11_017), "2000-03-01");
    assert_eq!(format_date(2_932_897), "+10000-01-01");
    assert_eq!(format_date(-719_529), "-0001-12-31");
    assert_eq!(
        format_datetime(1_704_110_400_000_000, TimeUnit::Microseconds, false),
        "2024-01-01 12:00:00"
    );
    assert_eq!(
        format_datetime(-1, TimeUnit::Milliseconds, true),
        "1969-12-31 23:59:59.999 UTC"
    );
    assert_eq!(
        format_datetime(1_500, TimeUnit::Nanoseconds, false),
        "1970-01-01 00:00:00.000001500"
    );
    format_datetime(i64::MIN, TimeUnit::Milliseconds, false);
    format_datetime(i64::MAX, TimeUnit::Nanoseconds, true);
    format_date(i64::from(i32::MIN));
}

#[test]
fn dates_and_categoricals_read_as_strings() {
    let dates = Series::new("d".into(), &[Some(19_723i32), None, Some(0)])
        .cast(&DataType::Date)
        .unwrap();
    let ts = Series::new("t".into(), &[1_704_110_400_000i64, 0, -1])
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .unwrap();
    let cat = Series::new("c".into(), &["x", "y", "x"])
        .cast(&DataType::from_categories(Categories::global()))
        .unwrap();
    let mut df = DataFrame::new_infer_height(vec![
        dates.into_column(),
        ts.into_column(),
        cat.into_column(),
    ])
    .unwrap();
    let t = write_parquet(&mut df, 2, "dates");
    let (r, p) = profile_file(&t);
    assert_eq!(r.unwrap().rows, 3);
    let d = p.column("d").unwrap();
    assert_eq!(d.types.string, 2);
    assert_eq!(d.categories.counts["2024-01-01"], 1);
    let t = p.column("t").unwrap();
    assert_eq!(t.categories.counts["2024-01-01 12:00:00"], 1);
    assert_eq!(t.categories.counts["1969-12-31 23:59:59.999"], 1);
    assert_eq!(p.column("c").unwrap().categories.counts["x"], 2);
}

#[test]
fn empty_file_is_an_error() {
    let mut df = DataFrame::new_infer_height(vec![
        Series::new("a".into(), Vec::<i64>::new()).into_column()
    ])
    .unwrap();
    let t = write_parquet(&mut df, 10, "empty");
    let (r, p) = profile_file(&t);
    match r {
        Err(ReadError::Empty { source_name, .. }) => assert_eq!(source_name, "t.parquet"),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.item_count, 0);
}

#[test]
fn corrupt_input_is_an_error_not_a_panic() {
    let (mut df, _) = sample();
    let t = write_parquet(&mut df, 5, "corrupt");
    let good = std::fs::read(&t.0).unwrap();
    // xorshift: deterministic "random" bytes.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let random: Vec<u8> = (0..4096).map(|_| next() as u8).collect();
    let mut p = DatasetProfile::default();
    let e = profile_parquet(Cursor::new(random), "r.parquet", &mut p).unwrap_err();
    assert!(e.to_string().contains("r.parquet"), "{e}");
    let mut p = DatasetProfile::default();
    assert!(profile_parquet(Cursor::new(Vec::new()), "e.parquet", &mut p).is_err());
    // Flip bytes inside the data pages and the footer of a real file: any outcome but a
    // panic is fine (some flips only change values).
    for k in 0..200 {
        let mut bad = good.clone();
        let at = (next() as usize) % bad.len();
        bad[at] ^= (next() as u8) | 1;
        if k % 2 == 0 {
            let at = 4 + (next() as usize) % (bad.len() - 8);
            bad[at] = next() as u8;
        }
        let mut p = DatasetProfile::default();
        let _ = profile_parquet(Cursor::new(bad), "b.parquet", &mut p);
    }
    // Truncated files.
    for cut in [8, good.len() / 2, good.len() - 9, good.len() - 1] {
        let mut p = DatasetProfile::default();
        assert!(profile_parquet(Cursor::new(good[..cut].to_vec()), "t", &mut p).is_err());
    }
}
