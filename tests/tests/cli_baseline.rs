//! `driftmon baseline suggest` through the real binary (issue "Baseline suggestion", "Must
//! show"): the AWS fixture byte for byte, bad input reported with file and line, unusable input
//! failing with one `error:` line and no output files, gzip, format inference. No run may
//! panic.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use driftmon_tests::{driftmon_bin, fixture, temp_dir};
use serde_json::Value;

/// The binary, rebuilt once per test process (`cargo test` does not build a dependency's
/// binaries, so the one in `target/` could be stale).
fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args([
            "build",
            "--quiet",
            "-p",
            "driftmon-monitor",
            "--bin",
            "driftmon",
        ])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"));
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "cargo build --bin driftmon failed");
        let b = driftmon_bin();
        assert!(b.is_file(), "no binary at {}", b.display());
        b
    })
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    /// Exit 0 and no error line.
    fn assert_ok(&self) {
        assert_eq!(self.code, Some(0), "stderr: {}", self.stderr);
        assert!(!self.stderr.contains("error:"), "{}", self.stderr);
    }

    /// Non-zero exit and exactly one stderr line, `error: …`, naming `what`.
    fn assert_one_error_naming(&self, what: &str) {
        assert_ne!(self.code, Some(0), "must fail; stdout: {}", self.stdout);
        assert!(self.code.is_some(), "killed by a signal");
        let lines = self.stderr_lines();
        assert_eq!(lines.len(), 1, "one line on stderr, got: {:?}", lines);
        assert!(lines[0].starts_with("error: "), "{}", lines[0]);
        assert!(
            lines[0].contains(what),
            "{:?} does not name {what}",
            lines[0]
        );
    }

    /// The stderr line that mentions `needle`.
    fn line_with(&self, needle: &str) -> &str {
        self.stderr
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no stderr line with {needle:?}:\n{}", self.stderr))
    }
}

fn driftmon(args: &[&str]) -> Run {
    let out = Command::new(bin())
        .args(args)
        .output()
        .expect("run driftmon");
    let r = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !r.stderr.contains("panicked") && !r.stdout.contains("panicked"),
        "driftmon panicked: {}",
        r.stderr
    );
    r
}

fn suggest(input: &Path, extra: &[&str], output: &Path) -> Run {
    let mut args = vec![
        "baseline",
        "suggest",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    driftmon(&args)
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A failed run leaves nothing in its (fresh) output folder.
fn assert_no_outputs(out: &Path) {
    for f in [
        "statistics.json",
        "constraints.json",
        "baseline_report.json",
    ] {
        assert!(!out.join(f).exists(), "{f} left behind by a failed run");
    }
}

fn feature<'a>(stats: &'a Value, name: &str) -> &'a Value {
    stats["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no feature {name}"))
}

// ---------------------------------------------------------------------------------------------

#[test]
fn aws_headerless_fixture_is_byte_identical() {
    let Some(dir) = fixture("sdk-data-quality-baseline-headerless-csv") else {
        return;
    };
    let out = temp_dir("cli-aws");
    let r = suggest(&dir.join("baseline_dataset.csv"), &["--no-header"], &out);
    r.assert_ok();
    let ours = std::fs::read(out.join("statistics.json")).unwrap();
    let theirs = std::fs::read(dir.join("statistics.json")).unwrap();
    assert!(ours == theirs, "statistics.json differs from AWS's");
    let report = read_json(&out.join("baseline_report.json"));
    assert_eq!(report["records_rejected"], 0);
    assert_eq!(report["rows_profiled"], 100);
    assert_eq!(report["header"], false);
    let cons = read_json(&out.join("constraints.json"));
    assert_eq!(cons["features"].as_array().unwrap().len(), 6);
    assert!(r.stdout.contains("100 rows"), "{}", r.stdout);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn malformed_jsonl_line_is_reported_with_file_and_line() {
    let dir = temp_dir("cli-jsonl-bad");
    let input = write(
        &dir,
        "train.jsonl",
        b"{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n{\"a\":3,\"b\":\n{\"a\":4,\"b\":\"x\"}\n",
    );
    let out = dir.join("out");
    let r = suggest(&input, &[], &out);
    r.assert_ok();
    let loc = format!("{}:3", input.display());
    assert!(r.line_with(&loc).contains("malformed_json"), "{}", r.stderr);
    let report = read_json(&out.join("baseline_report.json"));
    assert_eq!(report["records_rejected"], 1);
    assert_eq!(report["rows_profiled"], 3);
    assert_eq!(
        report["rejected_by_kind"],
        serde_json::json!({"malformed_json": 1})
    );
    assert_eq!(report["rejected_examples"][0]["line"], 3);
    assert_eq!(
        report["rejected_examples"][0]["source"],
        input.display().to_string()
    );
    let stats = read_json(&out.join("statistics.json"));
    assert_eq!(stats["dataset"]["item_count"], 3);
    assert_eq!(feature(&stats, "a")["numerical_statistics"]["sum"], 7.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ragged_csv_row_is_reported_with_file_and_line() {
    let dir = temp_dir("cli-ragged");
    let input = write(&dir, "train.csv", b"a,b\n1,x\n2,y,extra\n3,z\n4,x\n");
    let out = dir.join("out");
    let r = suggest(&input, &["--header"], &out);
    r.assert_ok();
    let loc = format!("{}:3", input.display());
    assert!(r.line_with(&loc).contains("ragged_row"), "{}", r.stderr);
    let report = read_json(&out.join("baseline_report.json"));
    assert_eq!(report["records_rejected"], 1);
    assert_eq!(report["rejected_by_kind"]["ragged_row"], 1);
    assert_eq!(report["rejected_examples"][0]["line"], 3);
    let stats = read_json(&out.join("statistics.json"));
    assert_eq!(stats["dataset"]["item_count"], 3);
    let a = feature(&stats, "a");
    assert_eq!(a["inferred_type"], "Integral");
    assert_eq!(a["numerical_statistics"]["sum"], 8.0); // 1 + 3 + 4: the ragged row is out
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_utf8_is_reported_with_file_and_line() {
    let dir = temp_dir("cli-utf8");
    let csv = write(&dir, "train.csv", b"1,2\n3,\xff\xfe\n5,6\n");
    let out = dir.join("out-csv");
    let r = suggest(&csv, &["--no-header"], &out);
    r.assert_ok();
    assert!(r
        .line_with(&format!("{}:2", csv.display()))
        .contains("invalid_utf8"));
    let report = read_json(&out.join("baseline_report.json"));
    assert_eq!(report["rejected_by_kind"]["invalid_utf8"], 1);
    assert_eq!(report["rows_profiled"], 2);

    let jsonl = write(
        &dir,
        "train.jsonl",
        b"{\"a\":1}\n{\"a\":\"\xc3\x28\"}\n{\"a\":2}\n",
    );
    let out = dir.join("out-jsonl");
    let r = suggest(&jsonl, &[], &out);
    r.assert_ok();
    assert!(r
        .line_with(&format!("{}:2", jsonl.display()))
        .contains("invalid_utf8"));
    let report = read_json(&out.join("baseline_report.json"));
    assert_eq!(report["records_rejected"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn empty_input_fails_with_one_error_line_and_no_files() {
    let dir = temp_dir("cli-empty");
    for name in ["empty.csv", "empty.jsonl", "blank.csv"] {
        let input = write(
            &dir,
            name,
            if name == "blank.csv" { b"\n\n\n" } else { b"" },
        );
        let out = dir.join(format!("out-{name}"));
        let r = suggest(&input, &[], &out);
        r.assert_one_error_naming(&input.display().to_string());
        assert_no_outputs(&out);
    }
    // A header and no data row is empty too.
    let input = write(&dir, "header-only.csv", b"a,b,c\n");
    let out = dir.join("out-header-only");
    suggest(&input, &["--header"], &out).assert_one_error_naming(&input.display().to_string());
    assert_no_outputs(&out);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_input_fails_with_one_error_line_and_no_files() {
    let dir = temp_dir("cli-missing");
    let input = dir.join("does-not-exist.csv");
    let out = dir.join("out");
    let r = suggest(&input, &[], &out);
    r.assert_one_error_naming(&input.display().to_string());
    assert_no_outputs(&out);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn all_records_rejected_fails_naming_file_and_first_bad_line() {
    let dir = temp_dir("cli-all-bad");
    let input = write(&dir, "bad.jsonl", b"not json\n{\"a\":\n[1,2]\n");
    let out = dir.join("out");
    let r = suggest(&input, &[], &out);
    r.assert_one_error_naming(&format!("{}:1", input.display()));
    assert_no_outputs(&out);

    let input = write(&dir, "bad.csv", b"a,b\n1,2,3\n4\n");
    let out = dir.join("out-csv");
    let r = suggest(&input, &["--header"], &out);
    r.assert_one_error_naming(&format!("{}:2", input.display()));
    assert_no_outputs(&out);
    let _ = std::fs::remove_dir_all(&dir);
}

/// 1% text in a numeric column: still numeric (the tolerance documented in `infer_type`), the
/// text values excluded from its statistics, counted, and the first one located.
#[test]
fn one_percent_text_in_a_numeric_column() {
    let dir = temp_dir("cli-one-percent");
    let mut csv = String::from("id,amount\n");
    let mut numbers = Vec::new();
    for i in 0..1000u64 {
        if i % 100 == 37 {
            csv.push_str(&format!("{i},n/a\n"));
        } else {
            let v = (i * 7919) % 1000;
            numbers.push(v as f64);
            csv.push_str(&format!("{i},{v}\n"));
        }
    }
    let input = write(&dir, "train.csv", csv.as_bytes());
    let out = dir.join("out");
    let r = suggest(&input, &[], &out);
    r.assert_ok();
    // Data row 37 is file line 39 (header on line 1, rows from line 2).
    let loc = format!("{}:39", input.display());
    let w = r.line_with(&loc);
    assert!(
        w.starts_with("warning:") && w.contains("amount") && w.contains("n/a"),
        "{w}"
    );
    let stats = read_json(&out.join("statistics.json"));
    let amount = feature(&stats, "amount");
    assert_eq!(amount["inferred_type"], "Integral");
    let ns = &amount["numerical_statistics"];
    let sum: f64 = numbers.iter().sum();
    assert_eq!(ns["sum"], sum);
    assert_eq!(ns["mean"].as_f64().unwrap(), sum / 990.0);
    let report = read_json(&out.join("baseline_report.json"));
    let nc = &report["nonconforming_values"];
    assert_eq!(nc.as_array().unwrap().len(), 1);
    assert_eq!(nc[0]["feature"], "amount");
    assert_eq!(nc[0]["count"], 10);
    assert_eq!(nc[0]["first_location"], loc);
    assert_eq!(nc[0]["first_value"], "n/a");
    assert_eq!(report["records_rejected"], 0);
    let cons = read_json(&out.join("constraints.json"));
    let c = cons["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "amount")
        .unwrap();
    assert_eq!(c["inferred_type"], "Integral");
    assert_eq!(c["num_constraints"]["is_non_negative"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A gzip file (built here with stored deflate blocks, so no compressor is needed) gives the
/// same statistics as the plain file; `.csv.gz` is recognised as CSV.
#[test]
fn gzip_csv_is_read_transparently() {
    let dir = temp_dir("cli-gzip");
    let mut csv = String::from("x,y,label\n");
    for i in 0..5000 {
        csv.push_str(&format!(
            "{},{}.5,{}\n",
            i % 97,
            i % 13,
            ["a", "b", "c"][i % 3]
        ));
    }
    let plain = write(&dir, "train.csv", csv.as_bytes());
    let gz = write(&dir, "train.csv.gz", &gzip_stored(csv.as_bytes()));
    let (out_plain, out_gz) = (dir.join("plain"), dir.join("gz"));
    suggest(&plain, &[], &out_plain).assert_ok();
    suggest(&gz, &[], &out_gz).assert_ok();
    let a = std::fs::read(out_plain.join("statistics.json")).unwrap();
    let b = std::fs::read(out_gz.join("statistics.json")).unwrap();
    assert!(a == b, "gzip and plain statistics differ");
    let stats = read_json(&out_gz.join("statistics.json"));
    assert_eq!(stats["dataset"]["item_count"], 5000);
    assert_eq!(feature(&stats, "label")["inferred_type"], "String");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn format_is_inferred_from_the_extension() {
    let dir = temp_dir("cli-format");
    let rows = b"{\"f\":1.5,\"g\":\"u\"}\n{\"f\":2.5,\"g\":\"v\"}\n";
    for name in ["t.jsonl", "t.json", "t.jsonl.gz"] {
        let bytes = if name.ends_with(".gz") {
            gzip_stored(rows)
        } else {
            rows.to_vec()
        };
        let input = write(&dir, name, &bytes);
        let out = dir.join(format!("out-{name}"));
        suggest(&input, &[], &out).assert_ok();
        let stats = read_json(&out.join("statistics.json"));
        assert_eq!(
            feature(&stats, "f")["inferred_type"],
            "Fractional",
            "{name}"
        );
        assert_eq!(feature(&stats, "g")["inferred_type"], "String", "{name}");
    }
    // An unknown extension needs --format, and works with it.
    let input = write(&dir, "t.txt", b"1,2\n3,4\n");
    let out = dir.join("out-txt");
    let r = suggest(&input, &[], &out);
    r.assert_one_error_naming(&input.display().to_string());
    assert!(r.stderr.contains("--format"), "{}", r.stderr);
    assert_no_outputs(&out);
    suggest(&input, &["--format", "csv", "--no-header"], &out).assert_ok();
    assert_eq!(
        read_json(&out.join("statistics.json"))["dataset"]["item_count"],
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_format_is_a_one_line_error() {
    let dir = temp_dir("cli-bad-format");
    let input = write(&dir, "t.csv", b"1,2\n");
    let out = dir.join("out");
    let r = suggest(&input, &["--format", "xml"], &out);
    r.assert_one_error_naming("xml");
    assert!(r.stderr.contains("csv"), "lists the formats: {}", r.stderr);
    assert_no_outputs(&out);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Data capture as a training set: the AWS test capture file profiles with no reject.
#[test]
fn capture_format() {
    let Some(cap) = fixture("sdk-monitor-testdata/capture.jsonl") else {
        return;
    };
    let out = temp_dir("cli-capture");
    let r = suggest(&cap, &["--format", "capture"], &out);
    r.assert_ok();
    let report = read_json(&out.join("baseline_report.json"));
    assert_eq!(report["records_rejected"], 0);
    let lines = std::fs::read_to_string(&cap)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let stats = read_json(&out.join("statistics.json"));
    assert_eq!(stats["dataset"]["item_count"], lines as u64);
    // One output column then seven input columns.
    assert_eq!(stats["features"].as_array().unwrap().len(), 8);
    let _ = std::fs::remove_dir_all(&out);
}

// ---------------------------------------------------------------------------------------------

/// A gzip member holding `data` in stored (uncompressed) deflate blocks (RFC 1951 §3.2.4,
/// RFC 1952).
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(c) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none())); // BFINAL, BTYPE = 00
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn crc32_matches_the_standard_check_value() {
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
}

/// A local CSV larger than one 8 MiB block is profiled in parallel blocks: the three files do
/// not depend on `--workers`, every row is counted, and a reject in a later block (a CRLF
/// region, a quoted field holding a newline before it) is reported with its true line. The same
/// bytes through stdin-like streaming (gzip) give the same counts and reject lines.
#[test]
fn large_csv_blocks_do_not_depend_on_workers() {
    let dir = temp_dir("cli-blocks");
    let mut data = b"id,x,name,note\n".to_vec();
    let mut line = 2u64;
    let mut bad_lines = Vec::new();
    let rows = 600_000u64;
    for i in 0..rows {
        let eol: &[u8] = if i >= rows / 2 { b"\r\n" } else { b"\n" };
        if i % 50_000 == 49_999 {
            data.extend_from_slice(format!("{i},ragged").as_bytes());
            bad_lines.push(line);
        } else if i % 3 == 0 {
            let x = (i * 7919 % 100_003) as f64 / 7.0;
            data.extend_from_slice(
                format!("{i},{x},\"n{}\",\"two\nlines \"\"q\"\"\"", i % 13).as_bytes(),
            );
            line += 1;
        } else {
            data.extend_from_slice(
                format!("{i},{},n{},plain text here", i % 977, i % 13).as_bytes(),
            );
        }
        data.extend_from_slice(eol);
        line += 1;
    }
    assert!(data.len() > 2 * (8 << 20), "{}", data.len());
    let input = write(&dir, "big.csv", &data);
    let mut outputs = Vec::new();
    for workers in ["1", "2", "3"] {
        let out = dir.join(format!("out-{workers}"));
        let r = suggest(&input, &["--header", "--workers", workers], &out);
        r.assert_ok();
        let files: Vec<Vec<u8>> = [
            "statistics.json",
            "constraints.json",
            "baseline_report.json",
        ]
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
        outputs.push(files);
    }
    assert!(
        outputs[1] == outputs[0],
        "--workers 2 differs from --workers 1"
    );
    assert!(
        outputs[2] == outputs[0],
        "--workers 3 differs from --workers 1"
    );
    let report = read_json(&dir.join("out-1/baseline_report.json"));
    assert_eq!(report["rows_profiled"], rows - bad_lines.len() as u64);
    let lines: Vec<u64> = report["rejected_examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, bad_lines);
    // The same file gzip-compressed is streamed in one pass: same counts and lines.
    let gz = write(&dir, "big.csv.gz", &gzip_stored(&data));
    let out = dir.join("out-gz");
    suggest(&gz, &["--header"], &out).assert_ok();
    let gz_report = read_json(&out.join("baseline_report.json"));
    assert_eq!(gz_report["rows_profiled"], report["rows_profiled"]);
    let gz_lines: Vec<u64> = gz_report["rejected_examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(gz_lines, bad_lines);
    let _ = std::fs::remove_dir_all(&dir);
}
