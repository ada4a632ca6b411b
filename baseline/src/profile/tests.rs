//! Tests of column and dataset profiles: adding, merging, serde.

use super::*;

fn here() -> Location {
    Location {
        source: "t".into(),
        line: 1,
    }
}

#[test]
fn classify_literals() {
    let cases: &[(&str, ValueType)] = &[
        ("3", ValueType::Integral),
        ("-3", ValueType::Integral),
        ("+12", ValueType::Integral),
        ("3.0", ValueType::Fractional),
        (".5", ValueType::Fractional),
        ("5.", ValueType::Fractional),
        ("1e5", ValueType::Fractional),
        ("1.5E-3", ValueType::Fractional),
        (" 7 ", ValueType::Integral),
        ("", ValueType::Null),
        ("  ", ValueType::Null),
        ("true", ValueType::Boolean),
        ("FALSE", ValueType::Boolean),
        ("NaN", ValueType::String),
        ("1,5", ValueType::String),
        ("e5", ValueType::String),
        ("-", ValueType::String),
        ("1e", ValueType::String),
        ("abc", ValueType::String),
    ];
    for (s, t) in cases {
        assert_eq!(classify(s).0, *t, "{s:?}");
    }
    assert_eq!(classify("1.5E-3").1, Some(0.0015));
}

#[test]
fn moments_exact_small() {
    let mut m = Moments::default();
    for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
        m.add(x);
    }
    assert_eq!(m.mean(), Some(5.0));
    assert_eq!(m.std_dev(), Some(2.0));
    assert_eq!(m.min, 2.0);
    assert_eq!(m.max, 9.0);
}

#[test]
fn merge_identity() {
    let mut p = DatasetProfile::default();
    for i in 0..50 {
        let s = format!("{i}");
        p.add_positional([CellRef::Text(&s), CellRef::Text("a")], &here);
    }
    let mut q = p.clone();
    q.merge(&DatasetProfile::default());
    assert_eq!(q.item_count, p.item_count);
    assert_eq!(q.columns, p.columns);
    let mut e = DatasetProfile::default();
    e.merge(&p);
    assert_eq!(e.columns, p.columns);
}

#[test]
fn inference_tolerates_one_percent_text() {
    let mut t = TypeCounts {
        integral: 99,
        string: 1,
        ..Default::default()
    };
    assert_eq!(infer_type(&t), InferredType::Integral);
    t.string = 2;
    assert_eq!(infer_type(&t), InferredType::String);
    t = TypeCounts {
        integral: 50,
        fractional: 50,
        ..Default::default()
    };
    assert_eq!(infer_type(&t), InferredType::Fractional);
    assert_eq!(infer_type(&TypeCounts::default()), InferredType::Unknown);
}

#[test]
fn categories_cap() {
    let mut c = Categories::default();
    for i in 0..(MAX_TRACKED_CATEGORIES + 500) {
        c.add(&i.to_string());
    }
    assert!(c.overflowed);
    assert_eq!(c.counts.len(), MAX_TRACKED_CATEGORIES);
    assert_eq!(c.untracked, 500);
    let d = c.distinct();
    assert!((d - 1500.0).abs() / 1500.0 < 0.05, "{d}");
}

#[test]
fn profile_round_trips_through_json() {
    let mut p = DatasetProfile::default();
    for i in 0..5000 {
        let x = format!("{}", (i * 7919) % 3001);
        let c = if i % 3 == 0 { "" } else { "cat" };
        p.add_positional(
            [
                CellRef::Text(&x),
                CellRef::Text(c),
                CellRef::Float(i as f64 / 7.0),
            ],
            &here,
        );
    }
    p.rejects.add(here(), "ragged_row", "expected 3 fields");
    let json = serde_json::to_string(&p).unwrap();
    let back: DatasetProfile = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let empty: DatasetProfile =
        serde_json::from_str(&serde_json::to_string(&DatasetProfile::default()).unwrap()).unwrap();
    assert_eq!(empty, DatasetProfile::default());
}
