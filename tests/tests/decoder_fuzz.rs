//! Decoders never panic (issue "Baseline suggestion", "Must show"): arbitrary bytes, structured
//! near-valid inputs and mutations of real SageMaker files fed to every reader and parser. They
//! may reject, and must then say where; they must not panic, and what they accept must be
//! consistent (records = rows + rejected, every reject counted).

use std::sync::OnceLock;

use driftmon_baseline::capture::{
    comma_fields, event_rows, parse_capture_line, parse_capture_ref, parse_timestamp_ms,
    plain_csv_rows, record_rows, CaptureRecord, ExtractConfig, JsonPath, Part,
};
use driftmon_baseline::files::{parse_constraints, parse_statistics, parse_violations, to_jackson};
use driftmon_baseline::kll::equal_width_buckets;
use driftmon_baseline::profile::DatasetProfile;
use driftmon_baseline::read::{profile_capture, profile_csv, profile_jsonl, HeaderMode};
use driftmon_baseline::suggest;
use driftmon_baseline::value::{Cell, Row};
use driftmon_tests::fixture;
use proptest::prelude::*;
use serde_json::{json, Value};

const SOURCE: &str = "fuzz-input";

/// Feeds `bytes` to every decoder; panics (fails the property) only on a real defect.
fn feed_all(bytes: &[u8]) -> Result<(), TestCaseError> {
    for mode in [HeaderMode::Present, HeaderMode::Absent, HeaderMode::Auto] {
        let mut p = DatasetProfile::default();
        match profile_csv(bytes, SOURCE, mode, &mut p) {
            Ok(s) => {
                prop_assert_eq!(s.records, s.rows + s.rejected, "csv {:?}", mode);
                prop_assert_eq!(p.item_count, s.rows);
                prop_assert_eq!(p.rejects.total, s.rejected);
                prop_assert!(s.rows > 0);
                for (name, c) in &p.columns {
                    prop_assert!(c.present() <= p.item_count, "csv column {} present", name);
                }
                outputs_of(&p)?;
            }
            Err(e) => prop_assert!(
                e.to_string().contains(SOURCE),
                "error names the input: {}",
                e
            ),
        }
    }
    let mut p = DatasetProfile::default();
    match profile_jsonl(bytes, SOURCE, &mut p) {
        Ok(s) => {
            prop_assert_eq!(s.records, s.rows + s.rejected, "jsonl");
            prop_assert_eq!(p.item_count, s.rows);
            prop_assert_eq!(p.rejects.total, s.rejected);
            for (name, c) in &p.columns {
                prop_assert!(c.present() <= p.item_count, "jsonl column {} present", name);
            }
            outputs_of(&p)?;
        }
        Err(e) => prop_assert!(e.to_string().contains(SOURCE), "{}", e),
    }
    let mut p = DatasetProfile::default();
    match profile_capture(bytes, SOURCE, &mut p) {
        Ok(s) => {
            prop_assert_eq!(p.item_count, s.rows, "capture");
            prop_assert_eq!(p.rejects.total, s.rejected);
            prop_assert!(s.rejected <= s.records);
            outputs_of(&p)?;
        }
        Err(e) => prop_assert!(e.to_string().contains(SOURCE), "{}", e),
    }
    let cfg = ExtractConfig::default();
    let paths = ExtractConfig {
        input_path: JsonPath::parse("instances[*].features").ok(),
        output_path: JsonPath::parse("predictions[*].score").ok(),
        ..ExtractConfig::default()
    };
    for line in std::iter::once(bytes).chain(bytes.split(|&b| b == b'\n')) {
        match parse_capture_line(line) {
            Ok(rec) => {
                fast_path_agrees(line, &rec)?;
                for c in [&cfg, &paths] {
                    if let Ok(rows) = record_rows(&rec, c) {
                        let mut p = DatasetProfile::default();
                        for r in &rows {
                            p.add_row(r, &|| driftmon_baseline::profile::Location {
                                source: SOURCE.into(),
                                line: 1,
                            });
                        }
                        prop_assert_eq!(p.item_count, rows.len() as u64);
                    }
                }
                for ev in [&rec.input, &rec.output, &rec.ground_truth]
                    .into_iter()
                    .flatten()
                {
                    let _ = event_rows(ev, Part::GroundTruth, None);
                }
            }
            Err(e) => {
                prop_assert!(!e.kind().is_empty());
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
    files_of(bytes)?;
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = JsonPath::parse(s);
        let _ = parse_timestamp_ms(s);
    }
    Ok(())
}

/// The run's fast path (`parse_capture_ref` + `plain_csv_rows`) gives the record and the cells
/// the general path gives, or declines without emitting anything.
fn fast_path_agrees(line: &[u8], rec: &CaptureRecord) -> Result<(), TestCaseError> {
    let r = parse_capture_ref(line).expect("parse_capture_line accepted the line");
    prop_assert_eq!(&r.clone().into_owned(), rec);
    let configs = [
        ExtractConfig::default(),
        ExtractConfig {
            use_output: false,
            ..ExtractConfig::default()
        },
        ExtractConfig {
            use_input: false,
            ..ExtractConfig::default()
        },
    ];
    for cfg in &configs {
        for width in 0..6 {
            let mut fast: Vec<Vec<Option<String>>> = Vec::new();
            let took = plain_csv_rows(&r, cfg, width, |o, i| {
                fast.push(
                    o.into_iter()
                        .chain(i)
                        .flat_map(comma_fields)
                        .map(|f| (!f.is_empty()).then(|| f.to_owned()))
                        .collect(),
                );
            });
            if !took {
                prop_assert!(fast.is_empty(), "declined after emitting rows");
                continue;
            }
            let rows = record_rows(rec, cfg);
            prop_assert!(
                rows.is_ok(),
                "fast path took a record the general path rejects"
            );
            let slow: Vec<Vec<Option<String>>> = rows
                .unwrap_or_default()
                .iter()
                .map(|row| match row {
                    Row::Positional(cells) => cells
                        .iter()
                        .map(|c| match c {
                            Cell::Null => None,
                            Cell::Text(t) => Some(t.clone()),
                            other => Some(format!("not text: {other:?}")),
                        })
                        .collect(),
                    Row::Named(_) => vec![Some("named".to_owned())],
                })
                .collect();
            prop_assert!(slow.iter().all(|r| r.len() == width), "width");
            prop_assert_eq!(fast, slow);
        }
    }
    Ok(())
}

/// Everything downstream of a profile: the two SageMaker files, serialised.
fn outputs_of(p: &DatasetProfile) -> Result<(), TestCaseError> {
    let stats = suggest::statistics(p);
    let cons = suggest::constraints(p);
    let s = to_jackson(&stats).expect("statistics serialise");
    let c = to_jackson(&cons).expect("constraints serialise");
    // What we write, we read back.
    prop_assert!(parse_statistics(s.as_bytes()).is_ok(), "{}", s);
    prop_assert!(parse_constraints(c.as_bytes()).is_ok(), "{}", c);
    Ok(())
}

/// The file parsers, and what is done with a parsed baseline (rebuilding and querying sketches,
/// validating constraints, writing them back).
fn files_of(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(stats) = parse_statistics(bytes) {
        let _ = to_jackson(&stats);
        for f in stats.features.iter().flatten() {
            if let Some(ns) = &f.numerical_statistics {
                let k = suggest::sketch_of(ns);
                let _ = k.quantile(0.5);
                let _ = k.rank(ns.mean);
                let _ = k.rank_inclusive(ns.max);
                let _ = k.rank_error_bound();
                let _ = k.deequ_quantiles(10);
                let _ = equal_width_buckets(&k, ns.min, ns.max, 10);
                let mut m = k.clone();
                m.merge(&k);
                prop_assert_eq!(m.count(), k.count().saturating_mul(2));
            }
        }
    }
    if let Ok(c) = parse_constraints(bytes) {
        let _ = c.validate();
        let _ = to_jackson(&c);
        let _ = c.monitoring_config.as_ref().map(|m| m.resolved());
        for f in c.features.iter().flatten() {
            let _ = c.resolved_for(f);
        }
    }
    if let Ok(v) = parse_violations(bytes) {
        let _ = to_jackson(&v);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// Real SageMaker files (whole, or the first 16 KiB of a larger CSV, cut at a line end). Empty
/// when the shared fixtures are absent.
fn fixtures() -> &'static [Vec<u8>] {
    static F: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        let files = [
            "sdk-data-quality-baseline-headerless-csv/baseline_dataset.csv",
            "sdk-data-quality-baseline-headerless-csv/statistics.json",
            "sdk-data-quality-baseline-headerless-csv/constraints.good_case.json",
            "sdk-data-quality-baseline-headerless-csv/constraints.bad_case.json",
            "sdk-monitor-testdata/capture.jsonl",
            "sdk-monitor-testdata/captured-data.jsonl",
            "sdk-monitor-testdata/actuals.jsonl",
            "sdk-monitor-testdata/statistics.json",
            "sdk-monitor-testdata/constraints.json",
            "sdk-monitor-testdata/constraint_violations.json",
            "sdk-model-quality-regression-baseline/statistics.json",
            "examples-churn-data-quality-datasets/training-dataset-with-header.csv",
            "examples-clarify-json-datasets/test-dataset.jsonl",
            "examples-notebook-output-captures/endpoint-csv-capture.excerpt.jsonl",
            "examples-notebook-output-captures/endpoint-json-instances-capture.jsonl",
            "examples-notebook-output-captures/endpoint-jsonlines-capture.jsonl",
            "examples-notebook-output-captures/merged-record-endpoint.pretty.json",
        ];
        let mut out = Vec::new();
        for f in files {
            let Some(path) = fixture(f) else {
                return Vec::new();
            };
            let mut b = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if b.len() > 16384 && f.ends_with(".csv") {
                let cut = b[..16384]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .unwrap_or(16384);
                b.truncate(cut + 1);
            }
            out.push(b);
        }
        out
    })
}

/// Bytes that matter to the grammars involved.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        prop::sample::select(
            b",\"\n\r{}[]:\\ 0123456789.eE-+aT\t\x00\x7f\xff\xfe\xc3\x80\xef\xbb\xbf\x1f\x8b"
                .to_vec()
        ),
        any::<u8>(),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    SetByte(prop::sample::Index, u8),
    FlipBit(prop::sample::Index, u8),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    Truncate(prop::sample::Index),
    Duplicate(prop::sample::Index, usize, prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    use prop::sample::Index;
    prop_oneof![
        4 => (any::<Index>(), interesting_byte()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        2 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        3 => (any::<Index>(), prop::collection::vec(interesting_byte(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        3 => (any::<Index>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), 1usize..200, any::<Index>())
            .prop_map(|(i, n, j)| Mutation::Duplicate(i, n, j)),
    ]
}

fn apply(mut b: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = b.len();
        if len == 0 {
            b.push(b'{');
            continue;
        }
        match m {
            Mutation::SetByte(i, v) => b[i.index(len)] = *v,
            Mutation::FlipBit(i, bit) => b[i.index(len)] ^= 1 << bit,
            Mutation::Insert(i, bytes) => {
                let at = i.index(len + 1);
                b.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let at = i.index(len);
                b.drain(at..(at + n).min(len));
            }
            Mutation::Truncate(i) => b.truncate(i.index(len)),
            Mutation::Duplicate(i, n, j) => {
                let at = i.index(len);
                let seg: Vec<u8> = b[at..(at + n).min(len)].to_vec();
                let to = j.index(len + 1);
                b.splice(to..to, seg);
            }
        }
    }
    b
}

/// A JSON document in the shape of the files and records involved, with wrong types,
/// missing keys and odd values, to get past the parsers' first checks.
fn json_like() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "captureData",
        "endpointInput",
        "endpointOutput",
        "groundTruthData",
        "eventMetadata",
        "eventId",
        "inferenceId",
        "inferenceTime",
        "customAttributes",
        "eventVersion",
        "observedContentType",
        "mode",
        "data",
        "encoding",
        "instances",
        "features",
        "predictions",
        "score",
        "version",
        "dataset",
        "item_count",
        "name",
        "inferred_type",
        "numerical_statistics",
        "string_statistics",
        "common",
        "num_present",
        "num_missing",
        "mean",
        "sum",
        "std_dev",
        "min",
        "max",
        "distribution",
        "kll",
        "buckets",
        "sketch",
        "parameters",
        "c",
        "k",
        "lower_bound",
        "upper_bound",
        "count",
        "categorical",
        "value",
        "distinct_count",
        "completeness",
        "num_constraints",
        "is_non_negative",
        "string_constraints",
        "domains",
        "monitoring_config",
        "evaluate_constraints",
        "emit_metrics",
        "datatype_check_threshold",
        "domain_content_threshold",
        "distribution_constraints",
        "perform_comparison",
        "comparison_threshold",
        "comparison_method",
        "violations",
        "feature_name",
        "constraint_check_type",
        "description",
        "a",
        "b",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|i| json!(i)),
        prop_oneof![
            any::<f64>(),
            -1e3f64..1e3,
            Just(1e308),
            Just(-0.0),
            Just(5e-324)
        ]
        .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "CSV",
            "JSON",
            "BASE64",
            "text/csv",
            "application/json",
            "application/jsonlines",
            "INPUT",
            "OUTPUT",
            "Integral",
            "Fractional",
            "String",
            "Unknown",
            "Enabled",
            "Disabled",
            "Robust",
            "Simple",
            "2024-01-01T00:00:00Z",
            "2024-13-45T99:99:99.9Z",
            "1,2,3",
            "1,\"2",
            "{\"instances\":[{\"features\":[1,2]}]}",
            "[1,[2]]",
            "MSwy",
            "%%%",
            "",
            "\u{feff}",
            "NaN",
            "Infinity",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        "[ -~]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// A capture record with valid structure and an arbitrary payload.
fn capture_record() -> impl Strategy<Value = Vec<u8>> {
    let event = (
        prop::sample::select(vec![
            "text/csv", "application/json", "application/jsonlines", "text/csv; charset=utf-8",
            "application/x-npy", "",
        ]),
        prop::sample::select(vec!["CSV", "JSON", "BASE64", "csv", "XML"]),
        prop_oneof![
            "[0-9,.\\-e\" \n]{0,40}",
            "[\\[\\]{}0-9,:\"a-z ]{0,40}",
            "[A-Za-z0-9+/=]{0,40}",
        ],
    )
        .prop_map(|(ct, enc, data)| {
            json!({"observedContentType": ct, "mode": "INPUT", "data": data, "encoding": enc})
        });
    (event.clone(), prop::option::of(event), any::<bool>()).prop_map(|(i, o, gt)| {
        let mut rec = json!({
            "eventMetadata": {"eventId": "e", "inferenceTime": "2024-01-01T00:00:00Z"},
            "eventVersion": "0",
        });
        if gt {
            rec["groundTruthData"] = i;
        } else {
            rec["captureData"] = json!({"endpointInput": i});
            if let Some(o) = o {
                rec["captureData"]["endpointOutput"] = o;
            }
        }
        serde_json::to_vec(&rec).unwrap()
    })
}

/// A capture record with CSV payloads (plain or BASE64 of CSV) that are often, but not always,
/// what the run's fast path takes: blank lines, `\r\n`, empty fields, quotes, several rows.
fn csv_capture_record() -> impl Strategy<Value = Vec<u8>> {
    let payload = prop_oneof![
        "[0-9a-z,]{0,12}",
        "[0-9a-z, \r\n]{0,24}",
        "[0-9a-z,\"\r\n]{0,24}",
    ];
    let event = (
        prop::sample::select(vec![
            "text/csv",
            "text/csv; charset=utf-8",
            "application/json",
        ]),
        any::<bool>(),
        payload,
    )
        .prop_map(|(ct, b64, data)| {
            if b64 {
                use base64::Engine as _;
                let d = base64::engine::general_purpose::STANDARD.encode(data.as_bytes());
                json!({"observedContentType": ct, "mode": "INPUT", "data": d, "encoding": "BASE64"})
            } else {
                json!({"observedContentType": ct, "mode": "INPUT", "data": data, "encoding": "CSV"})
            }
        });
    (prop::option::of(event.clone()), prop::option::of(event)).prop_map(|(i, o)| {
        let mut cap = json!({});
        if let Some(i) = i {
            cap["endpointInput"] = i;
        }
        if let Some(o) = o {
            cap["endpointOutput"] = o;
        }
        serde_json::to_vec(&json!({
            "captureData": cap,
            "eventMetadata": {"eventId": "e", "inferenceTime": "2024-01-01T00:00:00Z"},
        }))
        .unwrap()
    })
}

/// A statistics.json numeric feature with an arbitrary sketch (an untrusted baseline).
fn statistics_with_sketch() -> impl Strategy<Value = Vec<u8>> {
    let f = prop_oneof![any::<f64>(), -1e6f64..1e6, Just(f64::MAX), Just(0.0)];
    (
        f.clone(),
        f.clone(),
        prop::collection::vec(prop::collection::vec(-1e6f64..1e6, 0..20), 0..70),
        f.clone(),
        f,
    )
        .prop_map(|(c, k, data, min, max)| {
            let num = |x: f64| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number);
            serde_json::to_vec(&json!({
                "version": 0.0,
                "dataset": {"item_count": 10},
                "features": [{
                    "name": "x",
                    "inferred_type": "Fractional",
                    "numerical_statistics": {
                        "common": {"num_present": 10, "num_missing": 0},
                        "mean": 1.0, "sum": 10.0, "std_dev": 0.0,
                        "min": num(min), "max": num(max),
                        "distribution": {"kll": {
                            "buckets": [],
                            "sketch": {"parameters": {"c": num(c), "k": num(k)}, "data": data}
                        }}
                    }
                }]
            }))
            .unwrap()
        })
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        feed_all(&bytes)?;
    }

    /// Bytes from the alphabets of CSV and JSON, so that the grammars are entered, plus
    /// optional gzip magic and a UTF-8 byte-order mark.
    #[test]
    fn grammar_bytes(
        prefix in prop::sample::select(vec![&b""[..], b"\x1f\x8b", b"\x1f\x8b\x08\x00", b"\xef\xbb\xbf"]),
        body in prop::collection::vec(interesting_byte(), 0..1024),
    ) {
        let mut b = prefix.to_vec();
        b.extend(body);
        feed_all(&b)?;
    }

    #[test]
    fn mutated_fixtures(
        which in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..8),
    ) {
        let fx = fixtures();
        if !fx.is_empty() {
            let b = apply(fx[which.index(fx.len())].clone(), &muts);
            feed_all(&b)?;
        }
    }

    #[test]
    fn structured_json(docs in prop::collection::vec(json_like(), 1..4)) {
        // As a file and as JSON Lines.
        let lines: Vec<Vec<u8>> = docs.iter().map(|d| serde_json::to_vec(d).unwrap()).collect();
        for l in &lines {
            feed_all(l)?;
        }
        feed_all(&lines.join(&b'\n'))?;
    }

    #[test]
    fn capture_records_with_arbitrary_payloads(recs in prop::collection::vec(capture_record(), 1..5)) {
        let file = recs.join(&b'\n');
        feed_all(&file)?;
        // A file of well-formed records is read: every record is either rows or one reject.
        let mut p = DatasetProfile::default();
        if let Ok(s) = profile_capture(&file[..], SOURCE, &mut p) {
            prop_assert_eq!(s.records, recs.len() as u64);
        }
    }

    #[test]
    fn csv_fast_path_equals_the_general_path(line in csv_capture_record()) {
        let rec = parse_capture_line(&line).expect("a well-formed record");
        fast_path_agrees(&line, &rec)?;
    }

    #[test]
    fn untrusted_baseline_sketches(file in statistics_with_sketch()) {
        prop_assert!(parse_statistics(&file).is_ok());
        files_of(&file)?;
    }
}

/// Real fixture files themselves go through cleanly (the mutation base is valid input).
#[test]
fn fixtures_are_accepted() {
    let fx = fixtures();
    if fx.is_empty() {
        return;
    }
    for b in fx {
        feed_all(b).unwrap();
    }
    // The capture file profiles without a single reject, and its statistics parse.
    let mut p = DatasetProfile::default();
    let s = profile_capture(&fx[4][..], "capture.jsonl", &mut p).unwrap();
    assert_eq!(s.rejected, 0);
    assert!(s.rows > 0);
    assert!(parse_statistics(&fx[1]).is_ok());
    assert!(parse_constraints(&fx[2]).is_ok());
}
