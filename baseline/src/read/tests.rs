//! Tests of the dataset readers: CSV (one pass and blocks), gzip, JSON Lines, capture JSONL.

use super::*;
use crate::profile::DatasetProfile;

#[test]
fn csv_header_auto_and_ragged() {
    let data = "a,b\n1,x\n2,y,extra\n3,z\n";
    let mut p = DatasetProfile::default();
    let s = profile_csv(data.as_bytes(), "t.csv", HeaderMode::Auto, &mut p).unwrap();
    assert!(s.header);
    assert_eq!(s.rows, 2);
    assert_eq!(s.rejected, 1);
    assert_eq!(p.item_count, 2);
    assert_eq!(p.rejects.samples[0].location.line, 3);
    assert_eq!(p.rejects.samples[0].kind, "ragged_row");
    assert_eq!(p.columns[0].0, "a");
}

#[test]
fn csv_invalid_utf8_is_rejected_with_line() {
    let mut data = b"1,2\n3,".to_vec();
    data.extend_from_slice(&[0xff, 0xfe]);
    data.extend_from_slice(b"\n5,6\n");
    let mut p = DatasetProfile::default();
    let s = profile_csv(&data[..], "t.csv", HeaderMode::Absent, &mut p).unwrap();
    assert_eq!((s.rows, s.rejected), (2, 1));
    assert_eq!(p.rejects.samples[0].kind, "invalid_utf8");
    assert_eq!(p.rejects.samples[0].location.line, 2);
    assert_eq!(p.columns[0].0, "_c0");
}

#[test]
fn csv_empty_is_an_error() {
    let mut p = DatasetProfile::default();
    let e = profile_csv(&b""[..], "e.csv", HeaderMode::Auto, &mut p).unwrap_err();
    assert!(e.to_string().contains("e.csv"), "{e}");
}

#[test]
fn gzip_is_transparent() {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(b"1,2\n3,4\n").unwrap();
    let gz = enc.finish().unwrap();
    let mut p = DatasetProfile::default();
    let s = profile_csv(&gz[..], "t.csv.gz", HeaderMode::Absent, &mut p).unwrap();
    assert_eq!(s.rows, 2);
}

/// A CSV of `rows` rows meant to be cut into many blocks: LF and CRLF regions, blank lines
/// (some runs of three), quoted fields holding newlines, commas and `""`, a quote inside an
/// unquoted field, ragged rows, invalid UTF-8 and non-numeric values in a numeric column.
/// Returns the bytes and the true line of every rejected record, in order.
fn tricky_csv(rows: u64) -> (Vec<u8>, Vec<(u64, &'static str)>) {
    let mut out = b"id,x,cat,note\n".to_vec();
    let mut rejects = Vec::new();
    let line_now = |out: &Vec<u8>| out.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for i in 0..rows {
        let eol: &[u8] = if (i / 40) % 2 == 1 { b"\r\n" } else { b"\n" };
        if i % 7 == 3 {
            for _ in 0..(1 + 2 * (i % 2)) {
                out.extend_from_slice(eol);
            }
        }
        let line = line_now(&out);
        if i % 97 == 13 {
            out.extend_from_slice(format!("{i},1.5,short").as_bytes());
            out.extend_from_slice(eol);
            rejects.push((line, "ragged_row"));
            continue;
        }
        if i % 89 == 7 {
            out.extend_from_slice(format!("{i},2.5,").as_bytes());
            out.extend_from_slice(&[0xff, 0xfe]);
            out.extend_from_slice(b",\"x\ny\"");
            out.extend_from_slice(eol);
            rejects.push((line, "invalid_utf8"));
            continue;
        }
        let x = match i % 11 {
            0 => String::new(),
            5 if i % 3 == 0 => "bad".to_owned(),
            _ => format!("{}", (i as f64) * 0.37 - 100.0),
        };
        let cat = match i % 4 {
            0 => "\"c\"\"q\"\"\"".to_owned(),
            1 => "c1".to_owned(),
            2 => "\"c,2\"".to_owned(),
            _ => "5\"in".to_owned(),
        };
        let note = match i % 5 {
            0 => format!("\"multi\nline \"\"q\"\" {}\"", i % 3),
            1 => format!("\"a,\r\nb{}\"", i % 2),
            _ => format!("n{}", i % 4),
        };
        out.extend_from_slice(format!("{i},{x},{cat},{note}").as_bytes());
        out.extend_from_slice(eol);
    }
    (out, rejects)
}

fn assert_same_profile(a: &DatasetProfile, b: &DatasetProfile, what: &str) {
    assert_eq!(a.item_count, b.item_count, "{what}: item_count");
    assert_eq!(a.rejects, b.rejects, "{what}: rejects");
    let names = |p: &DatasetProfile| p.columns.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b), "{what}: columns");
    for ((name, x), (_, y)) in a.columns.iter().zip(&b.columns) {
        assert_eq!(x.types, y.types, "{what}: {name} types");
        assert_eq!(x.moments.n, y.moments.n, "{what}: {name} n");
        assert_eq!(
            x.moments.sum.value(),
            y.moments.sum.value(),
            "{what}: {name} sum"
        );
        assert_eq!(x.moments.mean(), y.moments.mean(), "{what}: {name} mean");
        assert_eq!(x.moments.min, y.moments.min, "{what}: {name} min");
        assert_eq!(x.moments.max, y.moments.max, "{what}: {name} max");
        // A column with more than 1000 distinct values tracks a different 1000 (see
        // CSV_BLOCK_SIZE); the values counted are the same.
        let (cx, cy) = (&x.categories, &y.categories);
        assert_eq!(cx.overflowed, cy.overflowed, "{what}: {name} overflowed");
        if cx.overflowed {
            let all = |c: &crate::profile::Categories| c.counts.values().sum::<u64>() + c.untracked;
            assert_eq!(all(cx), all(cy), "{what}: {name} values counted");
        } else {
            assert!(cx.counts == cy.counts, "{what}: {name} categories differ");
            assert_eq!(cx.untracked, cy.untracked, "{what}: {name} untracked");
        }
        assert_eq!(x.categories.hll, y.categories.hll, "{what}: {name} hll");
        assert_eq!(x.first_non_numeric, y.first_non_numeric, "{what}: {name}");
        assert_eq!(x.kll.count(), y.kll.count(), "{what}: {name} kll count");
    }
}

fn par(workers: usize, block_size: u64) -> CsvParallel {
    CsvParallel {
        workers,
        block_size,
    }
}

#[test]
fn csv_blocks_equal_one_pass() {
    use crate::rows::csv_blocks;
    let (data, truth) = tricky_csv(3000);
    let mut one = DatasetProfile::default();
    let s1 = profile_csv(&data[..], "t.csv", HeaderMode::Auto, &mut one).unwrap();
    assert!(s1.header);
    assert_eq!(s1.rejected, truth.len() as u64);
    assert_eq!(one.rejects.total, truth.len() as u64);
    let lines: Vec<(u64, &str)> = one
        .rejects
        .samples
        .iter()
        .map(|r| (r.location.line, r.kind.as_str()))
        .collect();
    assert_eq!(lines, truth[..lines.len()], "true lines of the rejects");
    let mut all = Vec::new();
    crate::rows::for_each_csv_row(&data[..], "t.csv", HeaderMode::Auto, |ev| {
        if let crate::rows::CsvEvent::Reject { line, kind, .. } = ev {
            all.push((line, kind));
        }
    })
    .unwrap();
    assert_eq!(all, truth, "true lines of all rejects");
    let bad = one.column("x").unwrap().first_non_numeric.as_ref().unwrap();
    assert_eq!(bad.value, "bad");
    let (mut blank_starts, mut quoted_skips) = (0, 0);
    for block_size in [97, 256, 1000, 1500, 4096, 10_000] {
        let blocks = csv_blocks(&data[..], data.len() as u64, block_size).unwrap();
        assert!(blocks.len() > 1, "{block_size}");
        for (b, next) in blocks.iter().zip(&blocks[1..]) {
            assert_eq!(b.end, next.start);
            let lines = data[..next.start as usize].iter().filter(|&&c| c == b'\n');
            assert_eq!(next.first_line, lines.count() as u64 + 1);
            let rest = &data[next.start as usize..];
            blank_starts += usize::from(rest.starts_with(b"\n") || rest.starts_with(b"\r\n"));
            let target = (b.start + block_size - 1) as usize;
            let first_nl = target + memchr::memchr(b'\n', &data[target..]).unwrap();
            quoted_skips += usize::from(first_nl as u64 + 1 != b.end);
        }
        for workers in [1, 2, 3] {
            let mut p = DatasetProfile::default();
            let s = profile_csv_at(
                &data[..],
                data.len() as u64,
                "t.csv",
                HeaderMode::Auto,
                par(workers, block_size),
                &mut p,
            )
            .unwrap();
            assert_eq!(s, s1, "summary, block size {block_size}");
            assert_same_profile(&p, &one, &format!("block size {block_size}"));
        }
    }
    assert!(blank_starts > 0, "no block started with a blank line");
    assert!(
        quoted_skips > 0,
        "no block target fell inside a quoted field"
    );
}

#[test]
fn csv_blocks_chunk_size_does_not_matter() {
    use super::csv_blocks::csv_blocks_chunked;
    let (data, _) = tricky_csv(400);
    let len = data.len() as u64;
    let want = csv_blocks_chunked(&data[..], len, 300, 1 << 20).unwrap();
    for chunk in [1, 2, 3, 5, 64, 1000] {
        assert_eq!(
            csv_blocks_chunked(&data[..], len, 300, chunk).unwrap(),
            want
        );
    }
}

/// Numeric data large enough for every block's sketch to compact.
fn numeric_csv(rows: u64) -> Vec<u8> {
    let mut out = b"a,b,s\n".to_vec();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let a = (x % 1_000_000) as f64 / 1000.0;
        let b = ((x >> 20) % 1000) as i64 - 500 + (i as i64 % 7);
        out.extend_from_slice(format!("{a},{b},s{}\n", (x >> 40) % 1500).as_bytes());
    }
    out
}

fn files(p: &DatasetProfile) -> (String, String) {
    let st = crate::files::to_jackson(&crate::suggest::statistics(p)).unwrap();
    let co = crate::files::to_jackson(&crate::suggest::constraints(p)).unwrap();
    (st, co)
}

#[test]
fn block_result_does_not_depend_on_workers() {
    for (data, block_size) in [(numeric_csv(60_000), 64 * 1024), (tricky_csv(3000).0, 1000)] {
        let len = data.len() as u64;
        let run = |workers| {
            let mut p = DatasetProfile::default();
            let s = profile_csv_at(
                &data[..],
                len,
                "t.csv",
                HeaderMode::Auto,
                par(workers, block_size),
                &mut p,
            )
            .unwrap();
            (s, files(&p), p)
        };
        let (s1, f1, p1) = run(1);
        assert!(
            crate::rows::csv_blocks(&data[..], len, block_size)
                .unwrap()
                .len()
                > 3
        );
        for workers in [2, 3, 0] {
            let (s, f, p) = run(workers);
            assert_eq!(s, s1);
            assert!(
                f == f1,
                "statistics/constraints differ with {workers} workers"
            );
            assert_eq!(p, p1);
        }
    }
}

#[test]
fn merged_kll_is_within_its_rank_bound() {
    let rows = 300_000;
    let data = numeric_csv(rows);
    let mut p = DatasetProfile::default();
    profile_csv_at(
        &data[..],
        data.len() as u64,
        "t.csv",
        HeaderMode::Present,
        par(2, 64 * 1024),
        &mut p,
    )
    .unwrap();
    let mut one = DatasetProfile::default();
    profile_csv(&data[..], "t.csv", HeaderMode::Present, &mut one).unwrap();
    assert_same_profile(&p, &one, "kll data");
    let text = std::str::from_utf8(&data).unwrap();
    for (c, name) in ["a", "b"].iter().enumerate() {
        let mut sorted: Vec<f64> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(c).unwrap().parse().unwrap())
            .collect();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as u64;
        let kll = &p.column(name).unwrap().kll;
        assert_eq!(kll.count(), n);
        let e = kll.rank_error_weight();
        eprintln!(
            "{name}: merged rank bound {:.2e}, one pass {:.2e}",
            kll.rank_error_bound(),
            one.column(name).unwrap().kll.rank_error_bound()
        );
        assert!(e > 0 && kll.rank_error_bound() < 0.02, "{name}: bound {e}");
        for i in 0..=100 {
            let q = i as f64 / 100.0;
            let target = ((q * n as f64).ceil() as u64).clamp(1, n);
            let v = kll.quantile(q).unwrap();
            let lt = sorted.partition_point(|&y| y < v) as u64;
            let le = sorted.partition_point(|&y| y <= v) as u64;
            assert!(
                lt < target + e,
                "{name} q{q}: {v} has rank {lt}, target {target} ± {e}"
            );
            assert!(
                le + e >= target,
                "{name} q{q}: {v} has rank {le}, target {target} ± {e}"
            );
        }
    }
}

/// A file whose reads fail when they start at or past `from` (byte 0 always reads: the
/// scan reads a small file in one chunk from 0, so only the block readers see the error).
struct FailFrom {
    data: Vec<u8>,
    from: u64,
}

impl ReadAt for FailFrom {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        if offset > 0 && offset >= self.from {
            return Err(std::io::Error::other("bad sector"));
        }
        self.data[..].read_at(buf, offset)
    }
}

#[test]
fn error_in_a_later_block_is_reported() {
    let data = numeric_csv(40_000);
    let len = data.len() as u64;
    assert!(len > 300_000 && len < 1 << 20, "{len}");
    let src = FailFrom {
        data,
        from: 300_000,
    };
    let mut one = DatasetProfile::default();
    let e1 = profile_csv(
        RangeReader::new(&src, 0, len),
        "t.csv",
        HeaderMode::Auto,
        &mut one,
    )
    .unwrap_err();
    for workers in [1, 2, 3] {
        let mut p = DatasetProfile::default();
        let e = profile_csv_at(
            &src,
            len,
            "t.csv",
            HeaderMode::Auto,
            par(workers, 16 * 1024),
            &mut p,
        )
        .unwrap_err();
        assert!(matches!(e, ReadError::Io { .. }), "{e}");
        assert_eq!(e.to_string(), e1.to_string());
        assert_eq!(e.to_string(), "t.csv: read error: bad sector");
    }
}

#[test]
fn blocks_fall_back_for_gzip_small_and_empty_inputs() {
    use std::io::Write;
    let (data, _) = tricky_csv(300);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&data).unwrap();
    let gz = enc.finish().unwrap();
    let mut one = DatasetProfile::default();
    let s1 = profile_csv(&data[..], "t.csv", HeaderMode::Auto, &mut one).unwrap();
    for input in [&gz[..], &data[..]] {
        for block_size in [64, CSV_BLOCK_SIZE] {
            let mut p = DatasetProfile::default();
            let s = profile_csv_at(
                input,
                input.len() as u64,
                "t.csv",
                HeaderMode::Auto,
                par(2, block_size),
                &mut p,
            )
            .unwrap();
            assert_eq!(s, s1);
            assert_same_profile(&p, &one, "fallback");
        }
    }
    // Blank lines, then a header only: the same errors as one pass.
    for text in [
        "\n\n\n\n\n\n\n\n\n\n\n\n",
        "a,b\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n",
        "a,b\n\n\n\n\n\n\n\n\n\n\n1,x\n",
    ] {
        let bytes = text.as_bytes();
        let mut one = DatasetProfile::default();
        let r1 = profile_csv(bytes, "t.csv", HeaderMode::Present, &mut one);
        let mut p = DatasetProfile::default();
        let r = profile_csv_at(
            bytes,
            bytes.len() as u64,
            "t.csv",
            HeaderMode::Present,
            par(2, 3),
            &mut p,
        );
        match (r1, r) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b);
                assert_same_profile(&p, &one, text);
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("{text:?}: {a:?} vs {b:?}"),
        }
    }
}

#[test]
fn jsonl_rows_and_rejects() {
    let data = "{\"a\":1,\"b\":\"x\"}\n{oops\n[1]\n{\"a\":2.5,\"c\":{\"n\":1}}\n\n{\"b\":\"y\"}\n";
    let mut p = DatasetProfile::default();
    let s = profile_jsonl(data.as_bytes(), "t.jsonl", &mut p).unwrap();
    assert_eq!((s.records, s.rows, s.rejected), (5, 2, 3));
    assert_eq!(p.rejects.by_kind["malformed_json"], 1);
    assert_eq!(p.rejects.by_kind["not_an_object"], 1);
    assert_eq!(p.rejects.by_kind["nested_json"], 1);
    let a = p.column("a").unwrap();
    assert_eq!(a.present(), 1);
    assert_eq!(p.missing(a), 1);
}

#[test]
fn capture_with_invalid_json_payloads_counts_every_record() {
    let line = |data: &str| {
        format!(
                "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"application/jsonlines\",\"mode\":\"INPUT\",\"data\":{},\"encoding\":\"JSON\"}}}}}}\n",
                serde_json::to_string(data).unwrap()
            )
    };
    let payloads = [
        "{\"a\":1}",            // 1: one row
        "01",                   // 2: rejected (was two rows 0 and 1)
        "{\"a\":1",             // 3: rejected
        "{\"a\":2}\n{\"a\":3}", // 4: two rows
        "[1,2]]",               // 5: rejected
        "tru",                  // 6: rejected
        "{\"a\":4} garbage",    // 7: rejected
        "-0",                   // 8: one row
    ];
    let input: String = payloads.iter().map(|p| line(p)).collect();
    let mut p = DatasetProfile::default();
    let s = profile_capture(input.as_bytes(), "c.jsonl", &mut p).unwrap();
    assert_eq!((s.records, s.rows, s.rejected), (8, 4, 5));
    let with_rows = 3;
    assert_eq!(
        s.records,
        with_rows + s.rejected,
        "read = profiled + rejected"
    );
    assert_eq!(p.rejects.total, 5);
    assert_eq!(p.rejects.by_kind.get("malformed_json"), Some(&5));
    let lines: Vec<u64> = p.rejects.samples.iter().map(|r| r.location.line).collect();
    assert_eq!(lines, vec![2, 3, 5, 6, 7]);
    assert!(p
        .rejects
        .samples
        .iter()
        .all(|r| r.location.source == "c.jsonl"));
}
