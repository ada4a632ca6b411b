//! Tests of capture decoding: real fixture lines, record parsing; payloads and properties in the
//! submodules.

use super::csv::text_cell;
use super::jsonpath::Step;
use super::payload::BASE64;
use super::*;
use crate::value::{Cell, Row};
use base64::Engine as _;
use proptest::prelude::*;

/// `endpoint-csv-capture.excerpt.jsonl`, line 1 (verbatim).
const CSV_LINE_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"132,10,182.9,54,292.4,68,142.3,116,11.5,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,0,1","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.036397725343704224","encoding":"CSV"}},"eventMetadata":{"eventId":"f04a8538-696c-4648-8064-8b680b2e3318","inferenceTime":"2022-04-18T00:21:48Z"},"eventVersion":"0"}"##;
/// `endpoint-csv-capture.excerpt.jsonl`, line 2 (verbatim).
const CSV_LINE_2: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"130,0,263.7,113,186.5,103,195.3,99,18.3,6,1,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,1,0","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.3791300654411316","encoding":"CSV"}},"eventMetadata":{"eventId":"4f301857-49c9-44d1-b275-ba0ab7767033","inferenceTime":"2022-04-18T00:21:49Z"},"eventVersion":"0"}"##;
/// `endpoint-json-instances-capture.jsonl`, line 1 (verbatim).
const JSON_INSTANCES_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{\"instances\": [{\"features\": [28, 2, 133937, 9, 13, 2, 0, 0, 4, 1, 15024, 0, 55, 37]}]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\"predictions\": [{\"score\": 0.9899773597717285, \"predicted_label\": 1}]}","encoding":"JSON"}},"eventMetadata":{"eventId":"7ddb2d7c-4d6a-4e67-a68e-23870399829d","inferenceTime":"2024-01-19T19:27:57Z"},"eventVersion":"0"}"##;
/// `endpoint-json-instances-capture.jsonl`, line 2 (verbatim).
const JSON_INSTANCES_2: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{\"instances\": [{\"features\": [28, 2, 133937, 9, 13, 2, 0, 0, 4, 1, 15024, 0, 55, 37]}, {\"features\": [43, 2, 72338, 12, 14, 2, 12, 0, 1, 1, 0, 0, 40, 37]}]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\"predictions\": [{\"score\": 0.9899773597717285, \"predicted_label\": 1}, {\"score\": 0.5041388273239136, \"predicted_label\": 1}]}","encoding":"JSON"}},"eventMetadata":{"eventId":"9066ac80-dde1-4370-a73e-ab997e2544f1","inferenceTime":"2024-01-19T19:27:57Z"},"eventVersion":"0"}"##;
/// `endpoint-jsonlines-capture.jsonl`, line 1 (verbatim).
const JSONLINES_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/jsonlines","mode":"INPUT","data":"{\"features\":[28,2,133937,9,13,2,0,0,4,1,15024,0,55,37]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/jsonlines","mode":"OUTPUT","data":"{\"predicted_label\":1,\"score\":0.989977359771728}\n","encoding":"JSON"}},"eventMetadata":{"eventId":"40394cfe-37c3-4abb-b22c-dd7accbe9608","inferenceTime":"2023-01-19T05:31:46Z"},"eventVersion":"0"}"##;
/// `endpoint-jsonlines-capture.jsonl`, line 2 (verbatim).
const JSONLINES_2: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/jsonlines","mode":"INPUT","data":"{\"features\":[28,2,133937,9,13,2,0,0,4,1,15024,0,55,37]}\n{\"features\":[43,2,72338,12,14,2,12,0,1,1,0,0,40,37]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/jsonlines","mode":"OUTPUT","data":"{\"predicted_label\":1,\"score\":0.989977359771728}\n{\"predicted_label\":1,\"score\":0.504138827323913}\n","encoding":"JSON"}},"eventMetadata":{"eventId":"32aaea1b-1a60-4870-b81d-40271f950c4a","inferenceTime":"2023-01-19T05:31:46Z"},"eventVersion":"0"}"##;
/// `captured-data.jsonl`, line 1 (verbatim).
const SDK_CAPTURED_DATA_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{\"instances\": [1.0, 2.0, 5.0]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\n    \"predictions\": [3.5, 4.0, 5.5\n    ]\n}","encoding":"JSON"}},"eventMetadata":{"eventId":"12b73486-e916-45de-9d82-7fa23d4a39a6","inferenceTime":"2019-11-24T07:30:50Z"},"eventVersion":"0"}"##;
/// `capture.jsonl`, line 1 (verbatim).
const SDK_CAPTURE_1: &str = r##"{"eventMetadata":{"eventId":"74b0dd56-e7c8-368e-94b1-14a138a96000","inferenceTime":"{%s}"},"eventVersion":"0","captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"9,45,45,42,7,5,0","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.302709460258","encoding":"CSV"}}}"##;
/// `actuals.jsonl`, line 1 (verbatim).
const SDK_ACTUALS_1: &str = r##"{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"74b0dd56-e7c8-368e-94b1-14a138a96000","inferenceTime":"{%s}"},"eventVersion":"0"}"##;

fn t(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn rows_of(line: &str) -> Vec<Row> {
    let rec = parse_capture_line(line.as_bytes()).unwrap();
    record_rows(&rec, &ExtractConfig::default()).unwrap()
}

fn positional(row: &Row) -> &[Cell] {
    match row {
        Row::Positional(c) => c,
        Row::Named(_) => panic!("expected a positional row, got {row:?}"),
    }
}

fn ev(encoding: Encoding, ct: Option<&str>, data: &str) -> EventData {
    EventData {
        observed_content_type: ct.map(str::to_string),
        mode: None,
        data: data.to_string(),
        encoding,
    }
}

fn rec(input: Option<EventData>, output: Option<EventData>) -> CaptureRecord {
    CaptureRecord {
        input,
        output,
        ..CaptureRecord::default()
    }
}

fn csv(data: &str) -> EventData {
    ev(Encoding::Csv, Some("text/csv"), data)
}

fn json(data: &str) -> EventData {
    ev(Encoding::Json, Some("application/json"), data)
}

fn cfg_paths(input: Option<&str>, output: Option<&str>) -> ExtractConfig {
    ExtractConfig {
        input_path: input.map(|p| JsonPath::parse(p).unwrap()),
        output_path: output.map(|p| JsonPath::parse(p).unwrap()),
        ..ExtractConfig::default()
    }
}

// ----- real fixture lines -------------------------------------------------------------

#[test]
fn comma_fields_split_like_str_split() {
    for s in [
        "", ",", ",,", "a", "a,", ",a", "a,,b", "é,ü,", " 1 , 2 ", "x\r",
    ] {
        let want: Vec<&str> = s.split(',').collect();
        assert_eq!(comma_fields(s).collect::<Vec<_>>(), want, "{s:?}");
    }
}

#[test]
fn csv_excerpt_line_1() {
    let rec = parse_capture_line(CSV_LINE_1.as_bytes()).unwrap();
    assert_eq!(
        rec.event_id.as_deref(),
        Some("f04a8538-696c-4648-8064-8b680b2e3318")
    );
    assert_eq!(rec.inference_id, None);
    assert_eq!(rec.inference_time.as_deref(), Some("2022-04-18T00:21:48Z"));
    assert_eq!(rec.inference_time_ms, Some(1_650_241_308_000));
    let input = rec.input.as_ref().unwrap();
    assert_eq!(input.encoding, Encoding::Csv);
    assert_eq!(input.mode.as_deref(), Some("INPUT"));
    assert_eq!(input.observed_content_type.as_deref(), Some("text/csv"));
    let output = rec.output.as_ref().unwrap();
    assert_eq!(
        output.observed_content_type.as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
    assert_eq!(rows.len(), 1);
    let cells = positional(&rows[0]);
    assert_eq!(cells.len(), 70);
    assert_eq!(cells[0], t("0.036397725343704224"));
    assert_eq!(cells[1], t("132"));
    assert_eq!(cells[2], t("10"));
    assert_eq!(cells[3], t("182.9"));
    assert_eq!(cells[69], t("1"));
}

#[test]
fn csv_excerpt_line_2_and_sides() {
    let rec = parse_capture_line(CSV_LINE_2.as_bytes()).unwrap();
    let only_in = ExtractConfig {
        use_output: false,
        ..ExtractConfig::default()
    };
    let only_out = ExtractConfig {
        use_input: false,
        ..ExtractConfig::default()
    };
    let none = ExtractConfig {
        use_input: false,
        use_output: false,
        ..ExtractConfig::default()
    };
    let rows = record_rows(&rec, &only_in).unwrap();
    assert_eq!(positional(&rows[0]).len(), 69);
    assert_eq!(positional(&rows[0])[0], t("130"));
    let rows = record_rows(&rec, &only_out).unwrap();
    assert_eq!(rows, vec![Row::Positional(vec![t("0.3791300654411316")])]);
    assert!(record_rows(&rec, &none).unwrap().is_empty());
}

#[test]
fn json_instances_capture() {
    let rows = rows_of(JSON_INSTANCES_1);
    assert_eq!(rows.len(), 1);
    let rows = rows_of(JSON_INSTANCES_2);
    assert_eq!(rows.len(), 2);
    let r0 = positional(&rows[0]);
    assert_eq!(r0.len(), 16);
    assert_eq!(r0[0], Cell::Float(0.9899773597717285));
    assert_eq!(r0[1], Cell::Int(1));
    assert_eq!(&r0[2..5], &[Cell::Int(28), Cell::Int(2), Cell::Int(133937)]);
    assert_eq!(r0[15], Cell::Int(37));
    let r1 = positional(&rows[1]);
    assert_eq!(r1.len(), 16);
    assert_eq!(r1[0], Cell::Float(0.5041388273239136));
    assert_eq!(r1[2], Cell::Int(43));
    assert_eq!(r1[12], Cell::Int(0));
}

#[test]
fn json_instances_with_paths() {
    let rec = parse_capture_line(JSON_INSTANCES_2.as_bytes()).unwrap();
    let cfg = cfg_paths(Some("instances[*].features"), Some("predictions[*].score"));
    let rows = record_rows(&rec, &cfg).unwrap();
    assert_eq!(rows.len(), 2);
    let r1 = positional(&rows[1]);
    assert_eq!(r1.len(), 15);
    assert_eq!(r1[0], Cell::Float(0.5041388273239136));
    assert_eq!(r1[1], Cell::Int(43));
    // The output alone keeps its names.
    let cfg = ExtractConfig {
        use_input: false,
        ..cfg_paths(None, Some("predictions[*]"))
    };
    let rows = record_rows(&rec, &cfg).unwrap();
    assert_eq!(
        rows[0],
        Row::Named(vec![
            ("score".to_string(), Cell::Float(0.9899773597717285)),
            ("predicted_label".to_string(), Cell::Int(1)),
        ])
    );
    // Without a projection the list is not a row.
    let cfg = cfg_paths(Some("instances"), None);
    let err = record_rows(&rec, &cfg).unwrap_err();
    assert_eq!(err.kind(), "nested_json");
    assert!(err.to_string().contains("instances[*]"), "{err}");
    // A missing key is reported, not skipped.
    let cfg = cfg_paths(Some("instances[*].feature"), None);
    let err = record_rows(&rec, &cfg).unwrap_err();
    assert_eq!(err.kind(), "path_not_found");
    assert!(err.to_string().contains("`feature`"), "{err}");
    // Indexes.
    let cfg = ExtractConfig {
        use_output: false,
        ..cfg_paths(Some("instances[-1].features"), None)
    };
    let rows = record_rows(&rec, &cfg).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(positional(&rows[0])[0], Cell::Int(43));
}

#[test]
fn jsonlines_capture() {
    let rows = rows_of(JSONLINES_1);
    assert_eq!(rows.len(), 1);
    let rows = rows_of(JSONLINES_2);
    assert_eq!(rows.len(), 2);
    for (row, (score, first)) in rows
        .iter()
        .zip([(0.989977359771728, 28), (0.504138827323913, 43)])
    {
        let c = positional(row);
        assert_eq!(c.len(), 16);
        assert_eq!(c[0], Cell::Int(1));
        assert_eq!(c[1], Cell::Float(score));
        assert_eq!(c[2], Cell::Int(first));
    }
    // The output alone: named rows.
    let rec = parse_capture_line(JSONLINES_2.as_bytes()).unwrap();
    let out = event_rows(rec.output.as_ref().unwrap(), Part::Output, None).unwrap();
    assert_eq!(
        out[1],
        Row::Named(vec![
            ("predicted_label".to_string(), Cell::Int(1)),
            ("score".to_string(), Cell::Float(0.504138827323913)),
        ])
    );
}

#[test]
fn sdk_captured_data_instances_of_scalars() {
    let rec = parse_capture_line(SDK_CAPTURED_DATA_1.as_bytes()).unwrap();
    assert_eq!(
        rec.inference_time_ms,
        parse_timestamp_ms("2019-11-24T07:30:50Z")
    );
    // Default: `instances` / `predictions` are batches, one row per element.
    let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
    assert_eq!(
        rows,
        vec![
            Row::Positional(vec![Cell::Float(3.5), Cell::Float(1.0)]),
            Row::Positional(vec![Cell::Float(4.0), Cell::Float(2.0)]),
            Row::Positional(vec![Cell::Float(5.5), Cell::Float(5.0)]),
        ]
    );
    // A path without projection: a list of scalars is ONE row.
    let rows = record_rows(&rec, &cfg_paths(Some("instances"), Some("predictions"))).unwrap();
    let want: Vec<Cell> = [3.5, 4.0, 5.5, 1.0, 2.0, 5.0]
        .into_iter()
        .map(Cell::Float)
        .collect();
    assert_eq!(rows, vec![Row::Positional(want)]);
    // With projection: like the default.
    let rows = record_rows(
        &rec,
        &cfg_paths(Some("instances[*]"), Some("predictions[*]")),
    )
    .unwrap();
    assert_eq!(rows.len(), 3);
    // Mixed: 1 input row vs 3 output rows.
    let err = record_rows(&rec, &cfg_paths(Some("instances"), None)).unwrap_err();
    assert_eq!(
        err,
        DecodeError::RowCountMismatch {
            input: 1,
            output: 3
        }
    );
}

#[test]
fn sdk_capture_and_actuals() {
    let rec = parse_capture_line(SDK_CAPTURE_1.as_bytes()).unwrap();
    assert_eq!(
        rec.event_id.as_deref(),
        Some("74b0dd56-e7c8-368e-94b1-14a138a96000")
    );
    assert_eq!(rec.inference_time.as_deref(), Some("{%s}"));
    assert_eq!(rec.inference_time_ms, None);
    let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
    let want: Vec<Cell> = ["0.302709460258", "9", "45", "45", "42", "7", "5", "0"]
        .into_iter()
        .map(t)
        .collect();
    assert_eq!(rows, vec![Row::Positional(want)]);

    let gt = parse_capture_line(SDK_ACTUALS_1.as_bytes()).unwrap();
    assert_eq!(gt.event_id, rec.event_id);
    assert!(gt.input.is_none() && gt.output.is_none());
    let g = gt.ground_truth.as_ref().unwrap();
    assert_eq!(g.encoding, Encoding::Csv);
    assert_eq!(g.data, "1");
    assert_eq!(g.mode, None);
    assert_eq!(
        event_rows(g, Part::GroundTruth, None).unwrap(),
        vec![Row::Positional(vec![t("1")])]
    );
    assert!(record_rows(&gt, &ExtractConfig::default())
        .unwrap()
        .is_empty());
}

/// Every line of every capture fixture on disk, when the shared fixtures are next to the
/// repository (`<crate>/../../shared`); skipped with a note otherwise.
#[test]
fn all_fixture_files() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/sagemaker");
    if !root.is_dir() {
        eprintln!("note: {} not found; fixture walk skipped", root.display());
        return;
    }
    let mut lines = 0;
    for dir in ["examples-notebook-output-captures", "sdk-monitor-testdata"] {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        entries.sort();
        for path in entries {
            let bytes = std::fs::read(&path).unwrap();
            for line in bytes.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                let rec =
                    parse_capture_line(line).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let rows = record_rows(&rec, &ExtractConfig::default())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                if rec.input.is_some() {
                    assert!(!rows.is_empty(), "{}", path.display());
                }
                if let Some(g) = &rec.ground_truth {
                    assert_eq!(event_rows(g, Part::GroundTruth, None).unwrap().len(), 1);
                }
                lines += 1;
            }
        }
    }
    assert_eq!(lines, 3 + 2 + 2 + 44 + 44 + 2);

    // Merged records (pretty-printed by the notebook; EventData keys alphabetical).
    let dir = root.join("examples-notebook-output-captures");
    let merged = std::fs::read(dir.join("merged-record-endpoint.pretty.json")).unwrap();
    let rec = parse_capture_line(&merged).unwrap();
    assert_eq!(rec.inference_id.as_deref(), Some("7"));
    assert_eq!(
        rec.event_id.as_deref(),
        Some("eed5a268-2703-4392-901f-70ffab9a7fd3")
    );
    let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
    assert_eq!(rows.len(), 334);
    assert!(rows.iter().all(|r| positional(r).len() == 16));
    let labels = event_rows(rec.ground_truth.as_ref().unwrap(), Part::GroundTruth, None).unwrap();
    assert_eq!(labels.len(), 334);
    assert_eq!(
        labels[0],
        Row::Named(vec![("label".to_string(), Cell::Int(0))])
    );

    let batch =
        std::fs::read(dir.join("merged-record-batch-transform-jsonlines.pretty.json")).unwrap();
    let rec = parse_capture_line(&batch).unwrap();
    assert!(rec.input.is_none() && rec.output.is_none());
    assert!(record_rows(&rec, &ExtractConfig::default())
        .unwrap()
        .is_empty());
    let labels = event_rows(rec.ground_truth.as_ref().unwrap(), Part::GroundTruth, None).unwrap();
    assert_eq!(
        labels,
        vec![Row::Named(vec![("label".to_string(), Cell::Int(1))])]
    );
}

// ----- record parsing ------------------------------------------------------------------

#[test]
fn key_order_metadata_and_custom_attributes() {
    let line = r#"  {"eventVersion":"0","eventMetadata":{"customAttributes":["a","b",3],"inferenceTime":"2021-09-12T08:03:35Z","inferenceId":"c7f0","eventId":17},"captureData":{"endpointOutput":{"encoding":"CSV","data":"1","mode":"OUTPUT"}},"extra":{"x":[1]}}  "#;
    let rec = parse_capture_line(line.as_bytes()).unwrap();
    assert_eq!(rec.event_id.as_deref(), Some("17"));
    assert_eq!(rec.inference_id.as_deref(), Some("c7f0"));
    assert_eq!(
        rec.custom_attributes,
        Some(vec!["a".to_string(), "b".to_string()])
    );
    assert_eq!(
        rec.inference_time_ms,
        parse_timestamp_ms("2021-09-12T08:03:35Z")
    );
    assert!(rec.input.is_none());
    assert_eq!(rec.output.as_ref().unwrap().observed_content_type, None);
    let line = "\u{feff}{\"groundTruthData\":{\"data\":\"0\",\"encoding\":\"csv\"},\"eventMetadata\":{\"eventId\":\"1\",\"customAttributes\":\"c=1\"}}";
    let rec = parse_capture_line(line.as_bytes()).unwrap();
    assert_eq!(rec.ground_truth.as_ref().unwrap().encoding, Encoding::Csv);
    assert_eq!(rec.custom_attributes, Some(vec!["c=1".to_string()]));
    assert_eq!(rec.inference_time, None);
}

#[test]
fn record_error_kinds() {
    let cases: &[(&[u8], &str)] = &[
        (b"{\"captureData\":", "malformed_json"),
        (b"not json", "malformed_json"),
        (b"", "malformed_json"),
        (b"   \n", "malformed_json"),
        (b"[1,2]", "invalid_record"),
        (b"{\"captureData\":5}", "invalid_record"),
        (
            b"{\"captureData\":{\"endpointInput\":{\"data\":5,\"encoding\":\"CSV\"}}}",
            "invalid_record",
        ),
        (b"{\"eventMetadata\":{\"eventId\":\"x\"}}", "missing_field"),
        (b"{\"captureData\":null}", "missing_field"),
        (
            b"{\"captureData\":{\"endpointInput\":{\"encoding\":\"CSV\"}}}",
            "missing_field",
        ),
        (b"{\"groundTruthData\":{\"data\":\"1\"}}", "missing_field"),
        (
            b"{\"captureData\":{\"endpointInput\":{\"data\":\"1\",\"encoding\":\"XML\"}}}",
            "unknown_encoding",
        ),
        (
            b"{\"captureData\":{\"endpointInput\":\xff}}",
            "invalid_utf8",
        ),
        (b"{\"a\":\"\xc3\x28\"}", "invalid_utf8"),
    ];
    for (line, kind) in cases {
        let err = parse_capture_line(line).unwrap_err();
        assert_eq!(
            err.kind(),
            *kind,
            "{:?}: {err}",
            String::from_utf8_lossy(line)
        );
        assert!(!err.to_string().is_empty());
    }
    let err = parse_capture_line(
        b"{\"captureData\":{\"endpointOutput\":{\"data\":\"1\",\"encoding\":\"XML\"}}}",
    )
    .unwrap_err();
    assert_eq!(
        err,
        DecodeError::UnknownEncoding {
            part: Part::Output,
            encoding: "XML".to_string()
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown encoding \"XML\" in endpointOutput; expected \"CSV\", \"JSON\" or \"BASE64\""
    );
    let err = parse_capture_line(b"{\"captureData\":{\"endpointInput\":{\"encoding\":\"CSV\"}}}")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing field: the capture record has no `captureData.endpointInput.data`"
    );
    let err = parse_capture_line(b"{}").unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing field: the capture record has no `captureData` or `groundTruthData`"
    );
    let err = parse_capture_line(b"ab\xffcd").unwrap_err();
    assert_eq!(
        err,
        DecodeError::InvalidUtf8 {
            part: Part::Record,
            valid_up_to: 2
        }
    );
}

mod payloads;
mod properties;
