//! Property tests (never panic, round trips) and the throughput check.

use super::*;

// ----- properties ----------------------------------------------------------------------

fn payload_alphabet() -> impl Strategy<Value = String> {
    let chars = vec![
        '{', '}', '[', ']', '"', ',', ':', '\n', '\r', ' ', '1', '0', '-', '.', 'e', 'a', '\\',
        'n', 'u', 'l', 't', 'r', 'é', 'i', 's', 'f',
    ];
    prop_oneof![
        proptest::collection::vec(proptest::sample::select(chars), 0..80)
            .prop_map(|v| v.into_iter().collect::<String>()),
        any::<String>(),
        Just("{\"instances\":[{\"features\":[1,2]},[3],4]}".to_string()),
        Just("{\"predictions\":[{\"a\":1},{\"b\":[1]}]}".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_capture_line_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_capture_line(&bytes);
    }

    #[test]
    fn mutated_real_lines_never_panic(
        idx in 0usize..4,
        cut in 0usize..2000,
        flip in any::<u8>(),
    ) {
        let line = [CSV_LINE_1, JSON_INSTANCES_2, JSONLINES_2, SDK_CAPTURED_DATA_1][idx];
        let mut bytes = line.as_bytes().to_vec();
        let at = cut % bytes.len();
        bytes[at] = flip;
        if let Ok(rec) = parse_capture_line(&bytes) {
            let _ = record_rows(&rec, &ExtractConfig::default());
        }
        let _ = parse_capture_line(&line.as_bytes()[..at]);
    }

    #[test]
    fn record_rows_never_panics(
        in_data in payload_alphabet(),
        out_data in payload_alphabet(),
        in_enc in 0usize..3,
        out_enc in 0usize..3,
        in_ct in 0usize..5,
        out_ct in 0usize..5,
        path in 0usize..6,
    ) {
        let encs = [Encoding::Csv, Encoding::Json, Encoding::Base64];
        let cts = [None, Some("text/csv"), Some("application/json"), Some("application/jsonlines"), Some("image/png")];
        let paths = [None, Some("@"), Some("instances"), Some("instances[*].features"), Some("[*]"), Some("a[-1][*]")];
        let mk = |enc: Encoding, ct: Option<&str>, data: &str| {
            let data = if enc == Encoding::Base64 && data.len().is_multiple_of(2) {
                BASE64.encode(data.as_bytes())
            } else {
                data.to_string()
            };
            ev(enc, ct, &data)
        };
        let r = rec(
            Some(mk(encs[in_enc], cts[in_ct], &in_data)),
            Some(mk(encs[out_enc], cts[out_ct], &out_data)),
        );
        let cfg = cfg_paths(paths[path], paths[(path + 1) % paths.len()]);
        for c in [cfg.clone(), ExtractConfig::default(), ExtractConfig { use_output: false, ..cfg }] {
            if let Ok(rows) = record_rows(&r, &c) {
                let _ = rows.len();
            }
        }
        // The same data through a serialized capture line.
        let line = format!(
            "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"application/json\",\"data\":{},\"encoding\":\"JSON\"}}}}}}",
            serde_json::to_string(&in_data).unwrap()
        );
        let rec = parse_capture_line(line.as_bytes()).unwrap();
        prop_assert_eq!(&rec.input.as_ref().unwrap().data, &in_data);
        let _ = record_rows(&rec, &ExtractConfig::default());
    }

    #[test]
    fn json_path_parse_never_panics(s in payload_alphabet()) {
        if let Ok(p) = JsonPath::parse(&s) {
            prop_assert_eq!(JsonPath::parse(p.as_str()).unwrap(), p);
        }
    }

    #[test]
    fn csv_round_trip(rows in proptest::collection::vec(
        proptest::collection::vec("[a-z0-9 ,\"\n.]{0,6}", 1..5), 1..5)
    ) {
        // Quote every field, then read back: same cells (empty -> Null).
        let text: String = rows
            .iter()
            .map(|r| r.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join("\n");
        let got = event_rows(&csv(&text), Part::Input, None).unwrap();
        let want: Vec<Row> = rows
            .iter()
            .map(|r| Row::Positional(r.iter().map(|f| text_cell(f)).collect()))
            .collect();
        prop_assert_eq!(got, want);
    }
}

// ----- throughput ----------------------------------------------------------------------

/// `cargo test --release -- --ignored --nocapture capture_throughput`
#[test]
#[ignore]
fn capture_throughput() {
    const N: usize = 200_000;
    let lines: Vec<String> = (0..N)
            .map(|i| {
                let feats: Vec<String> = (0..25)
                    .map(|j| {
                        if j % 2 == 0 {
                            format!("{}", (i * 31 + j * 7) % 1000)
                        } else {
                            format!("{}.{}", (i + j) % 97, (i * j) % 1000)
                        }
                    })
                    .collect();
                format!(
                    "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"text/csv\",\"mode\":\"INPUT\",\"data\":\"{}\",\"encoding\":\"CSV\"}},\"endpointOutput\":{{\"observedContentType\":\"text/csv; charset=utf-8\",\"mode\":\"OUTPUT\",\"data\":\"0.{:06}\",\"encoding\":\"CSV\"}}}},\"eventMetadata\":{{\"eventId\":\"f04a8538-696c-4648-8064-{:012}\",\"inferenceTime\":\"2022-04-18T00:21:48Z\"}},\"eventVersion\":\"0\"}}",
                    feats.join(","),
                    i % 1_000_000,
                    i
                )
            })
            .collect();
    let bytes: usize = lines.iter().map(String::len).sum();
    let cfg = ExtractConfig::default();

    let start = std::time::Instant::now();
    let mut n_ok = 0usize;
    for l in &lines {
        if parse_capture_line(l.as_bytes()).is_ok() {
            n_ok += 1;
        }
    }
    let parse_s = start.elapsed().as_secs_f64();
    assert_eq!(n_ok, N);

    let start = std::time::Instant::now();
    let mut cells = 0usize;
    for l in &lines {
        let rec = parse_capture_line(l.as_bytes()).unwrap();
        for r in record_rows(&rec, &cfg).unwrap() {
            cells += positional(&r).len();
        }
    }
    let all_s = start.elapsed().as_secs_f64();
    assert_eq!(cells, N * 26);
    println!(
        "{N} CSV capture lines (25 features, {:.0} bytes/line): parse_capture_line {:.0} lines/s \
             ({:.0} MB/s); parse + record_rows {:.0} lines/s ({:.0} MB/s)",
        bytes as f64 / N as f64,
        N as f64 / parse_s,
        bytes as f64 / parse_s / 1e6,
        N as f64 / all_s,
        bytes as f64 / all_s / 1e6,
    );
}
