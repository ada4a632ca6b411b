//! Payload decoding: error kinds, CSV and JSON rules, invalid JSON.

use super::*;

// ----- payload errors ------------------------------------------------------------------

#[test]
fn payload_error_kinds() {
    let d = ExtractConfig::default();
    let b64 = |ct: Option<&str>, data: &str| ev(Encoding::Base64, ct, data);
    let cases: Vec<(CaptureRecord, &str)> = vec![
        (rec(Some(json("{\"a\":")), None), "malformed_json"),
        (
            rec(Some(json("{\"a\":1} {\"b\":2}")), None),
            "malformed_json",
        ),
        (
            rec(
                Some(ev(
                    Encoding::Json,
                    Some("application/jsonlines"),
                    "{\"a\":1}\n{",
                )),
                None,
            ),
            "malformed_json",
        ),
        (
            rec(Some(b64(Some("text/csv"), "!!!notbase64")), None),
            "bad_base64",
        ),
        (
            rec(Some(b64(Some("text/csv"), "/w==")), None),
            "invalid_utf8",
        ),
        (
            rec(Some(b64(Some("image/png"), "AAAA")), None),
            "unsupported_content_type",
        ),
        (
            rec(Some(b64(None, "AAAA")), None),
            "unsupported_content_type",
        ),
        (rec(Some(csv("1,\"2")), None), "malformed_csv"),
        (rec(Some(csv("1,\"2\"x,3")), None), "malformed_csv"),
        (rec(Some(json("{\"a\":[1]}")), None), "nested_json"),
        (rec(Some(json("[1,[2]]")), None), "nested_json"),
        (
            rec(Some(json("{\"instances\":[[[1]]]}")), None),
            "nested_json",
        ),
        (
            rec(
                Some(json("{\"signature_name\":\"s\",\"instances\":[1]}")),
                None,
            ),
            "nested_json",
        ),
        (
            rec(Some(csv("1\n2\n")), Some(csv("0.5"))),
            "row_count_mismatch",
        ),
        (rec(Some(csv("1,2")), Some(csv(""))), "row_count_mismatch"),
        (
            rec(Some(csv("1,2")), Some(json("{\"p\":1}"))),
            "encoding_mismatch",
        ),
        (rec(Some(json("[1]")), Some(csv("1"))), "encoding_mismatch"),
    ];
    for (r, kind) in cases {
        let err = record_rows(&r, &d).unwrap_err();
        assert_eq!(err.kind(), kind, "{r:?}: {err}");
    }
    // SageMaker's text, verbatim.
    let err = record_rows(&rec(Some(csv("1,2")), Some(json("{\"p\":1}"))), &d).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Encoding mismatch: Encoding is CSV for endpointInput, but Encoding is JSON for \
             endpointOutput. We currently only support the same type of input and output \
             encoding at the moment."
    );
    // The mismatch does not matter when one side is not read.
    let only_in = ExtractConfig {
        use_output: false,
        ..ExtractConfig::default()
    };
    let r = rec(Some(csv("1,2")), Some(json("{\"p\":1}")));
    assert_eq!(record_rows(&r, &only_in).unwrap().len(), 1);
    let err = record_rows(&rec(Some(csv("1\n2\n3")), Some(csv("0.5\n0.7"))), &d).unwrap_err();
    assert_eq!(
        err,
        DecodeError::RowCountMismatch {
            input: 3,
            output: 2
        }
    );
    let err = record_rows(&rec(Some(json("{\"x\":{\"y\":1}}")), None), &d).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("key `x` holds an object"), "{msg}");
    assert!(msg.contains("input_path"), "{msg}");
}

// ----- CSV -----------------------------------------------------------------------------

#[test]
fn csv_rules() {
    let d = ExtractConfig::default();
    // Multi-row requests pair line by line; trailing newline and CRLF.
    let rows = record_rows(&rec(Some(csv("1,2\r\n3,4\r\n")), Some(csv("a\nb\n"))), &d).unwrap();
    assert_eq!(
        rows,
        vec![
            Row::Positional(vec![t("a"), t("1"), t("2")]),
            Row::Positional(vec![t("b"), t("3"), t("4")]),
        ]
    );
    // Quotes, embedded comma / quote / newline, empties, spaces kept, blank lines skipped.
    let data = "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\n\n  \n,\"\", 3 ,\r\n\"q\"\r\nz\"w,\n";
    let rows = event_rows(&csv(data), Part::Input, None).unwrap();
    assert_eq!(
        rows,
        vec![
            Row::Positional(vec![t("a,b"), t("say \"hi\""), t("x\ny")]),
            Row::Positional(vec![Cell::Null, Cell::Null, t(" 3 "), Cell::Null]),
            Row::Positional(vec![t("q")]),
            Row::Positional(vec![t("z\"w"), Cell::Null]),
        ]
    );
    assert!(event_rows(&csv(""), Part::Input, None).unwrap().is_empty());
    assert!(event_rows(&csv("\n\r\n"), Part::Input, None)
        .unwrap()
        .is_empty());
    assert_eq!(
        event_rows(&csv("\"\""), Part::Input, None).unwrap(),
        vec![Row::Positional(vec![Cell::Null])]
    );
    // `encoding` decides over the content type.
    assert_eq!(
        event_rows(
            &ev(Encoding::Csv, Some("application/json"), "{\"a\":1}"),
            Part::Input,
            None
        )
        .unwrap(),
        vec![Row::Positional(vec![t("{\"a\":1}")])]
    );
    let err = event_rows(&csv("a,\"b\" ,c"), Part::Output, None).unwrap_err();
    assert_eq!(err.kind(), "malformed_csv");
    assert!(err.to_string().contains("endpointOutput"), "{err}");
}

#[test]
fn base64_csv_round_trip() {
    let text = "5,\"x,y\",7.25\n8,,9\n";
    let encoded = BASE64.encode(text.as_bytes());
    let line = format!(
            "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"text/csv\",\"mode\":\"INPUT\",\"data\":{encoded:?},\"encoding\":\"BASE64\"}},\"endpointOutput\":{{\"observedContentType\":\"text/csv; charset=utf-8\",\"mode\":\"OUTPUT\",\"data\":\"0.1\\n0.2\",\"encoding\":\"CSV\"}}}},\"eventMetadata\":{{\"eventId\":\"e\",\"inferenceTime\":\"2022-04-18T00:21:48Z\"}},\"eventVersion\":\"0\"}}"
        );
    let parsed = parse_capture_line(line.as_bytes()).unwrap();
    assert_eq!(parsed.input.as_ref().unwrap().encoding, Encoding::Base64);
    assert_eq!(parsed.input.as_ref().unwrap().data, encoded);
    let via_b64 = record_rows(&parsed, &ExtractConfig::default()).unwrap();
    let plain = rec(Some(csv(text)), Some(csv("0.1\n0.2")));
    assert_eq!(
        via_b64,
        record_rows(&plain, &ExtractConfig::default()).unwrap()
    );
    assert_eq!(
        via_b64[0],
        Row::Positional(vec![t("0.1"), t("5"), t("x,y"), t("7.25")])
    );
    // Padding is optional; JSON and JSON Lines by content type.
    let unpadded = BASE64.encode(b"{\"a\": 1}");
    let unpadded = unpadded.trim_end_matches('=');
    let rows = event_rows(
        &ev(Encoding::Base64, Some("application/json"), unpadded),
        Part::Output,
        None,
    )
    .unwrap();
    assert_eq!(
        rows,
        vec![Row::Named(vec![("a".to_string(), Cell::Int(1))])]
    );
    let lines = BASE64.encode(b"{\"a\": 1}\n{\"a\": 2}\n");
    let rows = event_rows(
        &ev(Encoding::Base64, Some("application/x-ndjson"), &lines),
        Part::Output,
        None,
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
}

// ----- JSON ----------------------------------------------------------------------------

#[test]
fn json_scalars_and_shapes() {
    let one = |data: &str| event_rows(&json(data), Part::Output, None).unwrap();
    assert_eq!(
            one("{\"i\": 3, \"f\": 3.0, \"e\": 1e5, \"n\": -7, \"big\": 9223372036854775808, \"s\": \"3\", \"b\": true, \"z\": null}"),
            vec![Row::Named(vec![
                ("i".to_string(), Cell::Int(3)),
                ("f".to_string(), Cell::Float(3.0)),
                ("e".to_string(), Cell::Float(1e5)),
                ("n".to_string(), Cell::Int(-7)),
                ("big".to_string(), Cell::Float(9223372036854775808.0)),
                ("s".to_string(), Cell::Str("3".to_string())),
                ("b".to_string(), Cell::Bool(true)),
                ("z".to_string(), Cell::Null),
            ])]
        );
    // Keys stay in payload order (not sorted).
    assert_eq!(
        one("{\"b\":1,\"a\":2}"),
        vec![Row::Named(vec![
            ("b".to_string(), Cell::Int(1)),
            ("a".to_string(), Cell::Int(2))
        ])]
    );
    assert_eq!(one("0.25"), vec![Row::Positional(vec![Cell::Float(0.25)])]);
    assert_eq!(
        one("\"cat\""),
        vec![Row::Positional(vec![Cell::Str("cat".to_string())])]
    );
    assert_eq!(
        one("[0.2, 0.8]"),
        vec![Row::Positional(vec![Cell::Float(0.2), Cell::Float(0.8)])]
    );
    assert_eq!(one("[[1, 2], [3, 4]]").len(), 2);
    assert_eq!(one("[{\"a\": 1}, {\"features\": [2]}]").len(), 2);
    assert!(one("[]").is_empty());
    assert!(one("  \n").is_empty());
    assert!(one("{\"instances\": []}").is_empty());
    assert_eq!(one("{}"), vec![Row::Named(Vec::new())]);
    assert_eq!(
        one("{\"features\": [1, \"a\"]}"),
        vec![Row::Positional(vec![
            Cell::Int(1),
            Cell::Str("a".to_string())
        ])]
    );
    assert_eq!(
        one("{\"predictions\": [[0.1, 0.9], [0.3, 0.7]]}"),
        vec![
            Row::Positional(vec![Cell::Float(0.1), Cell::Float(0.9)]),
            Row::Positional(vec![Cell::Float(0.3), Cell::Float(0.7)]),
        ]
    );
    // Named + named joins names, output first.
    let rows = record_rows(
        &rec(
            Some(json("{\"a\":1,\"b\":\"x\"}")),
            Some(json("{\"p\":0.5}")),
        ),
        &ExtractConfig::default(),
    )
    .unwrap();
    assert_eq!(
        rows,
        vec![Row::Named(vec![
            ("p".to_string(), Cell::Float(0.5)),
            ("a".to_string(), Cell::Int(1)),
            ("b".to_string(), Cell::Str("x".to_string())),
        ])]
    );
    // JSON input with JSON Lines output is one family.
    let rows = record_rows(
        &rec(
            Some(json("{\"instances\":[{\"x\":1},{\"x\":2}]}")),
            Some(ev(Encoding::Json, Some("application/jsonlines"), "1\n2\n")),
        ),
        &ExtractConfig::default(),
    )
    .unwrap();
    assert_eq!(rows[1], Row::Positional(vec![Cell::Int(2), Cell::Int(2)]));
}

#[test]
fn json_path_parsing() {
    for ok in [
        "@",
        "instances",
        "instances[*]",
        "instances[*].features",
        "predictions[*].score",
        "features",
        " features ",
        "a[0][*].b_2[-1]",
        "[*].features",
        "\"my key\"[*].\"x\\\"y\"",
    ] {
        let p = JsonPath::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        assert_eq!(p.as_str(), ok.trim());
        assert_eq!(p.to_string(), ok.trim());
        assert_eq!(ok.parse::<JsonPath>().unwrap(), p);
    }
    for bad in [
        "",
        " ",
        "a.",
        ".a",
        "a..b",
        "a[",
        "a[x]",
        "a[]",
        "1abc",
        "a b",
        "a.[*]",
        "@.a",
        "\"open",
        "a[99999999999999999999]",
        "a|b",
        "é",
    ] {
        let err = JsonPath::parse(bad).unwrap_err();
        assert_eq!(err.kind(), "invalid_path", "{bad:?}");
    }
    let p = JsonPath::parse("\"my key\"[*].\"x\\\"y\"").unwrap();
    assert_eq!(
        p.steps,
        vec![
            Step::Key("my key".to_string()),
            Step::Wildcard,
            Step::Key("x\"y".to_string())
        ]
    );
}

#[test]
fn json_path_evaluation() {
    let rows = |path: &str, data: &str| {
        let p = JsonPath::parse(path).unwrap();
        event_rows(&json(data), Part::Input, Some(&p))
    };
    let doc = "{\"instances\":[{\"features\":[1,2]},{\"features\":[3,4]}],\"k\":{\"a\":1}}";
    assert_eq!(rows("instances[*].features", doc).unwrap().len(), 2);
    assert_eq!(
        rows("k", doc).unwrap(),
        vec![Row::Named(vec![("a".to_string(), Cell::Int(1))])]
    );
    assert_eq!(
        rows("instances[1].features[0]", doc).unwrap(),
        vec![Row::Positional(vec![Cell::Int(3)])]
    );
    assert_eq!(rows("@", "{\"a\":1}").unwrap().len(), 1);
    assert_eq!(rows("@", doc).unwrap_err().kind(), "nested_json");
    assert_eq!(rows("[*]", "[[1],[2],[3]]").unwrap().len(), 3);
    assert_eq!(rows("[*][*]", "[[1,2],[3]]").unwrap().len(), 3);
    for (path, want) in [
        ("k[*]", "`[*]` expects an array, found an object"),
        (
            "instances[5]",
            "index 5 is out of range (the array has 2 element(s))",
        ),
        (
            "instances.x",
            "expected an object with key `x`, found an array",
        ),
        ("nope", "key `nope` not found"),
    ] {
        let err = rows(path, doc).unwrap_err();
        assert_eq!(err.kind(), "path_not_found");
        assert!(err.to_string().ends_with(want), "{err}");
    }
    // JSON Lines: the path applies to each line.
    let p = JsonPath::parse("features").unwrap();
    let r = event_rows(
        &ev(
            Encoding::Json,
            Some("application/jsonlines"),
            "{\"features\":[1]}\n{\"features\":[2]}",
        ),
        Part::Input,
        Some(&p),
    )
    .unwrap();
    assert_eq!(r.len(), 2);
    // Paths do not apply to CSV.
    assert_eq!(
        event_rows(&csv("1,2"), Part::Input, Some(&p))
            .unwrap()
            .len(),
        1
    );
}

// ----- invalid JSON payloads -----------------------------------------------------------

#[test]
fn invalid_json_payloads_are_malformed_not_rows() {
    let jsonl = |data: &str| ev(Encoding::Json, Some("application/jsonlines"), data);
    let invalid = [
        "01",
        "{\"a\":1",
        "[1,2]]",
        "tru",
        "{\"a\":1} x",
        "[1] 2x",
        "truefalse",
        "1-0",
        "-01",
        "1.",
        "\"unterminated",
        "{\"a\":1,}",
        "[1,]",
        "nul",
        "1e400",
        "\"\\ud800\"",
    ];
    for text in invalid {
        for (what, e) in [("JSON Lines", jsonl(text)), ("JSON", json(text))] {
            let err = event_rows(&e, Part::Input, None)
                .expect_err(&format!("{what} payload {text:?} is not valid"));
            assert_eq!(err.kind(), "malformed_json", "{what} {text:?}: {err}");
            assert!(err.to_string().contains("at line 1 column"), "{err}");
        }
    }
    // Several documents in a JSON payload; a document after an error in JSON Lines.
    for (e, text) in [
        (json("{\"a\":1} {\"b\":2}"), "two documents"),
        (
            jsonl("{\"a\":1}\n{\"a\":\n{\"a\":3}"),
            "a broken second line",
        ),
    ] {
        let err = event_rows(&e, Part::Output, None).expect_err(text);
        assert_eq!(err.kind(), "malformed_json", "{text}");
    }
}

#[test]
fn valid_json_payloads_keep_their_rows() {
    let jsonl = |data: &str| ev(Encoding::Json, Some("application/jsonlines"), data);
    let rows = |e: EventData| event_rows(&e, Part::Input, None).unwrap();
    let p = |cells: Vec<Cell>| Row::Positional(cells);
    // `-0` is Int(0) (also when `serde_json` would read -0.0), in every position.
    assert_eq!(rows(json("-0")), vec![p(vec![Cell::Int(0)])]);
    assert_eq!(
        rows(json("[-0, -0.0, -0e1, \"-0\", -1]")),
        vec![p(vec![
            Cell::Int(0),
            Cell::Float(-0.0),
            Cell::Float(-0.0),
            Cell::Str("-0".to_owned()),
            Cell::Int(-1)
        ])]
    );
    assert_eq!(
        rows(json("{\"a\":-0,\"b\\\"-0\":\"x\\\\\",\"c\":-0}")),
        vec![Row::Named(vec![
            ("a".to_owned(), Cell::Int(0)),
            ("b\"-0".to_owned(), Cell::Str("x\\".to_owned())),
            ("c".to_owned(), Cell::Int(0)),
        ])]
    );
    let r = rows(json("[-0.0]"));
    assert!(
        matches!(r[0], Row::Positional(ref c) if matches!(c[0], Cell::Float(f) if f.is_sign_negative()))
    );
    // JSON Lines: documents separated by whitespace, self-delimiting ones may touch.
    assert_eq!(rows(jsonl("1 2\n\n3\r\n")).len(), 3);
    assert_eq!(rows(jsonl("{\"a\":1}{\"a\":2}")).len(), 2);
    assert_eq!(rows(jsonl("\"a\"\"b\"")).len(), 2);
    assert_eq!(
        rows(jsonl("-0\n-0")),
        vec![p(vec![Cell::Int(0)]), p(vec![Cell::Int(0)])]
    );
    assert!(rows(jsonl("  \n")).is_empty());
    assert!(rows(json(" \n ")).is_empty());
    // Correct rounding, big integers.
    assert_eq!(
        rows(json(
            "[0.1, 2.2250738585072011e-308, 18446744073709551616, -9223372036854775808]"
        )),
        vec![p(vec![
            Cell::Float(0.1),
            Cell::Float("2.2250738585072011e-308".parse().unwrap()),
            Cell::Float(18446744073709551616.0),
            Cell::Int(i64::MIN)
        ])]
    );
}

/// Nesting limit of payload JSON: `serde_json`'s recursion limit (its 128th open bracket fails).
const MAX_JSON_NESTING: usize = 127;

#[test]
fn nesting_limit_of_json_payloads() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let err = event_rows(&json(&nested(MAX_JSON_NESTING)), Part::Input, None).unwrap_err();
    assert_eq!(err.kind(), "nested_json", "{err}");
    let err = event_rows(&json(&nested(MAX_JSON_NESTING + 1)), Part::Input, None).unwrap_err();
    assert_eq!(err.kind(), "malformed_json", "{err}");
}

proptest! {
    /// Float literals are read as `str::parse::<f64>` reads them (correctly rounded).
    #[test]
    fn json_floats_round_like_str_parse(mant in any::<u64>(), exp in -330i32..310, frac in 0u32..20) {
        let lit = format!("{}.{:0width$}e{exp}", mant, 7u64, width = frac as usize + 1);
        let want = lit.parse::<f64>().unwrap();
        prop_assume!(want.is_finite());
        let r = event_rows(&json(&format!("[{lit}]")), Part::Input, None).unwrap();
        prop_assert_eq!(r, vec![Row::Positional(vec![Cell::Float(want)])]);
    }
}
