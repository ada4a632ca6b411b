//! Bad data capture never crashes a monitoring execution: every unusable record is counted by
//! kind, with file and line, in `drift_report.json`, and the run still evaluates the good
//! records. A window without a single usable record fails as SageMaker's does ("Job inputs had
//! no data"), and the `driftmon` binary reports all of this on its last stdout line and in its
//! exit code.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use driftmon_baseline::capture::{parse_timestamp_ms, ExtractConfig};
use driftmon_baseline::jackson::java_double;
use driftmon_baseline::read::HeaderMode;
use driftmon_monitor::cli::demo::Rng;
use driftmon_monitor::job::RunOutcome;
use driftmon_monitor::monitors::data_quality::suggest::{suggest, Format};
use driftmon_monitor::monitors::data_quality::RunSpec;
use driftmon_monitor::monitors::RunError;
use driftmon_rules::config::DriftConfig;
use driftmon_tests::run_data_quality as run_once;
use driftmon_tests::{built_driftmon, temp_dir};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;

const ENDPOINT: &str = "bad-ep";
const HOUR_DIR: &str = "AllTraffic/2024/03/05/10";
const START: &str = "2024-03-05T10:00:00Z";
const END: &str = "2024-03-05T11:00:00Z";

/// Training rows: `label` (Integral), `amount` (Fractional), `count` (Integral), `color`.
fn training() -> Vec<[String; 4]> {
    let mut r = Rng::new(7);
    (0..80)
        .map(|_| {
            [
                u8::from(r.uniform() < 0.3).to_string(),
                format!("{:.2}", 50.0 + 10.0 * r.normal()),
                ((r.uniform() * 20.0) as u32).to_string(),
                ["red", "green", "blue"][r.pick(&[0.5, 0.3, 0.2])].to_owned(),
            ]
        })
        .collect()
}

/// A test folder with `baseline/` suggested from the training rows and an empty `capture/`.
struct Env {
    root: PathBuf,
}

impl Env {
    fn new(name: &str) -> Env {
        let root = temp_dir(&format!("bad-capture-{name}"));
        let csv = root.join("training.csv");
        let mut text = String::from("label,amount,count,color\n");
        for row in training() {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        std::fs::write(&csv, text).expect("write training.csv");
        suggest(
            &csv,
            Format::Csv,
            HeaderMode::Present,
            &root.join("baseline"),
        )
        .expect("baseline suggest");
        std::fs::create_dir_all(root.join("capture").join(ENDPOINT).join("AllTraffic"))
            .expect("mkdir capture");
        Env { root }
    }

    fn capture(&self) -> PathBuf {
        self.root.join("capture")
    }

    fn hour(&self, rel: &str) -> PathBuf {
        let d = self.capture().join(ENDPOINT).join(rel);
        std::fs::create_dir_all(&d).expect("mkdir hour");
        d
    }

    /// Writes one capture object of `lines` (each without its `\n`) into `rel`.
    fn object(&self, rel: &str, file: &str, lines: &[Vec<u8>]) -> PathBuf {
        let p = self.hour(rel).join(file);
        std::fs::write(&p, join_lines(lines)).expect("write capture object");
        p
    }

    fn spec(&self, start: &str, end: &str) -> RunSpec {
        RunSpec {
            capture: self.capture(),
            endpoint: ENDPOINT.into(),
            variant: None,
            baseline: self.root.join("baseline"),
            output: self.root.join("out"),
            start_ms: parse_timestamp_ms(start).expect("start"),
            end_ms: parse_timestamp_ms(end).expect("end"),
            drift: DriftConfig::default(),
            extract: ExtractConfig::default(),
            workers: 0,
        }
    }

    fn run(&self) -> Result<RunOutcome, RunError> {
        run_once(&self.spec(START, END))
    }

    fn out(&self, name: &str) -> PathBuf {
        self.root.join("out").join(name)
    }
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for l in lines {
        bytes.extend_from_slice(l);
        bytes.push(b'\n');
    }
    bytes
}

fn q(s: &str) -> String {
    serde_json::to_string(s).expect("ser")
}

fn event(mode: &str, content_type: &str, data: &str, encoding: &str) -> String {
    format!(
        r#"{{"observedContentType":{},"mode":"{mode}","data":{},"encoding":"{encoding}"}}"#,
        q(content_type),
        q(data)
    )
}

/// A capture record from its two events and its `inferenceTime`.
fn record(input: &str, output: &str, time: &str) -> Vec<u8> {
    format!(
        r#"{{"captureData":{{"endpointInput":{input},"endpointOutput":{output}}},"eventMetadata":{{"eventId":"e","inferenceTime":{}}},"eventVersion":"0"}}"#,
        q(time)
    )
    .into_bytes()
}

/// A CSV record: `output` is the model's answer (the first column), `input` the features.
fn csv(output: &str, input: &str, time: &str) -> Vec<u8> {
    record(
        &event("INPUT", "text/csv", input, "CSV"),
        &event("OUTPUT", "text/csv; charset=utf-8", output, "CSV"),
        time,
    )
}

fn at(minute: usize) -> String {
    format!("2024-03-05T10:{:02}:{:02}Z", minute % 60, (minute * 7) % 60)
}

/// `n` good records: training rows (so the window does not drift), in the window.
fn good(n: usize) -> Vec<Vec<u8>> {
    training()
        .iter()
        .step_by(3)
        .take(n)
        .enumerate()
        .map(|(i, r)| csv(&r[0], &r[1..].join(","), &at(i)))
        .collect()
}

fn report(env: &Env) -> Value {
    serde_json::from_slice(&std::fs::read(env.out("drift_report.json")).expect("report"))
        .expect("report is JSON")
}

fn violations(env: &Env) -> Vec<Value> {
    let v: Value = serde_json::from_slice(
        &std::fs::read(env.out("constraint_violations.json")).expect("violations"),
    )
    .expect("violations are JSON");
    v["violations"].as_array().expect("array").clone()
}

fn by_kind(report: &Value) -> BTreeMap<String, u64> {
    report["rejected_by_kind"]
        .as_object()
        .expect("rejected_by_kind")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
        .collect()
}

/// One bad line of each kind: (name, line, the reject kind it must be counted as).
fn bad_lines() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let t = "2024-03-05T10:30:00Z";
    let mut invalid_utf8 = csv("0", "51.00,3,red", t);
    let at_ = invalid_utf8
        .windows(3)
        .position(|w| w == b"red")
        .expect("red");
    invalid_utf8[at_] = 0xff; // "\xffed": not UTF-8
    vec![
        (
            "truncated JSON",
            br#"{"captureData":{"endpointInput":{"observedContentType":"text/csv""#.to_vec(),
            "malformed_json",
        ),
        ("a JSON array", b"[1, 2, 3]".to_vec(), "invalid_record"),
        (
            "no captureData",
            format!(
                r#"{{"eventMetadata":{{"eventId":"e","inferenceTime":"{t}"}},"eventVersion":"0"}}"#
            )
            .into_bytes(),
            "missing_field",
        ),
        (
            "unknown encoding",
            record(
                &event("INPUT", "text/xml", "<a/>", "XML"),
                &event("OUTPUT", "text/csv", "0", "CSV"),
                t,
            ),
            "unknown_encoding",
        ),
        (
            "bad base64",
            record(
                &event("INPUT", "text/csv", "51.0,3,red", "CSV"),
                &event("OUTPUT", "text/csv", "not*base64!", "BASE64"),
                t,
            ),
            "bad_base64",
        ),
        ("invalid UTF-8 in the line", invalid_utf8, "invalid_utf8"),
        (
            "invalid UTF-8 in a BASE64 payload",
            // "//4s" is base64 of the bytes ff fe 2c.
            record(
                &event("INPUT", "text/csv", "51.0,3,red", "CSV"),
                &event("OUTPUT", "text/csv", "//4s", "BASE64"),
                t,
            ),
            "invalid_utf8",
        ),
        (
            "BASE64 of an unreadable content type",
            record(
                &event("INPUT", "image/png", "iVBORw0KGgo=", "BASE64"),
                &event("OUTPUT", "image/png", "iVBORw0KGgo=", "BASE64"),
                t,
            ),
            "unsupported_content_type",
        ),
        (
            "unclosed CSV quote",
            csv("0", r#"51.0,"3,red"#, t),
            "malformed_csv",
        ),
        (
            "nested JSON",
            record(
                &event("INPUT", "application/json", r#"{"a":{"b":1}}"#, "JSON"),
                &event("OUTPUT", "application/json", r#"{"score":1}"#, "JSON"),
                t,
            ),
            "nested_json",
        ),
        (
            "CSV input, JSON output",
            record(
                &event("INPUT", "text/csv", "51.0,3,red", "CSV"),
                &event("OUTPUT", "application/json", "[0]", "JSON"),
                t,
            ),
            "encoding_mismatch",
        ),
        (
            "two input rows, one output row",
            csv("0", "51.0,3,red\n52.0,4,blue", t),
            "row_count_mismatch",
        ),
        (
            "the SDK fixtures' placeholder time",
            csv("0", "51.0,3,red", "{%s}"),
            "bad_inference_time",
        ),
        (
            "no inferenceTime",
            format!(
                r#"{{"captureData":{{"endpointInput":{}}},"eventVersion":"0"}}"#,
                event("INPUT", "text/csv", "51.0,3,red", "CSV")
            )
            .into_bytes(),
            "bad_inference_time",
        ),
        (
            "one record of another width",
            csv("0", "51.0,3", t),
            "wrong_column_count",
        ),
    ]
}

#[test]
fn each_kind_of_bad_record_is_counted_and_the_run_completes() {
    for (i, (what, line, kind)) in bad_lines().into_iter().enumerate() {
        let env = Env::new(&format!("kind-{i}"));
        let mut lines = good(6);
        lines.insert(3, line);
        let obj = env.object(HOUR_DIR, "00-00-000-a.jsonl", &lines);
        let outcome = env
            .run()
            .unwrap_or_else(|e| panic!("{what}: the run failed: {e}"));
        let r = report(&env);
        assert_eq!(r["records"]["read"], 7, "{what}");
        assert_eq!(r["records"]["rows_profiled"], 6, "{what}: the good rows");
        assert_eq!(r["records"]["rejected"], 1, "{what}");
        assert_eq!(
            by_kind(&r),
            BTreeMap::from([(kind.to_owned(), 1)]),
            "{what}: rejected_by_kind"
        );
        let ex = &r["rejected_examples"][0];
        assert_eq!(ex["kind"], kind, "{what}");
        assert_eq!(
            ex["location"],
            format!("{}:4", obj.display()),
            "{what}: file and line of the bad record"
        );
        assert!(
            ex["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: a message"
        );
        // The good rows are evaluated as usual: they are training rows, so nothing fires.
        assert_eq!(outcome.violations, 0, "{what}: {:?}", violations(&env));
        assert_eq!(r["status"], "Completed", "{what}");
        assert!(env.out("constraint_violations.json").is_file(), "{what}");
    }
}

#[test]
fn bad_records_are_reported_and_the_good_ones_still_evaluated() {
    let env = Env::new("mixed");
    let bad = bad_lines();
    let pick = |kind: &str| {
        bad.iter()
            .find(|b| b.2 == kind)
            .map(|b| b.1.clone())
            .expect("bad line")
    };
    let mut lines = good(20);
    // Line 21 on: the bad records.
    lines.push(pick("malformed_json")); // 21
    lines.push(pick("wrong_column_count")); // 22
    lines.push(csv("1", "abc,7,green", "2024-03-05T10:45:00Z")); // 23: text in `amount`
    lines.push(pick("unknown_encoding")); // 24
    lines.push(pick("invalid_utf8")); // 25
    lines.push(pick("bad_base64")); // 26
    lines.push(csv("0", "50.00,3,red", "2024-03-05T09:59:59Z")); // 27: an hour early
    lines.push(Vec::new()); // 28: blank, skipped
    lines.push(csv("0", "50.00,3,red", END)); // 29: the end is exclusive
                                              // A good record whose output is BASE64 ("MQ==" is "1"), decoded as CSV.
    lines.push(record(
        &event("INPUT", "text/csv", "49.50,5,blue", "CSV"),
        &event("OUTPUT", "text/csv", "MQ==", "BASE64"),
        "2024-03-05T10:59:59Z",
    )); // 30
    let obj = env.object(HOUR_DIR, "00-00-000-mixed.jsonl", &lines);

    let outcome = env.run().expect("the run completes despite bad records");
    let r = report(&env);
    let rec = &r["records"];
    assert_eq!(rec["objects"], 1);
    assert_eq!(rec["read"], 29, "every non-blank line is a record read");
    assert_eq!(
        rec["outside_window"], 2,
        "outside the window is not a reject"
    );
    assert_eq!(rec["rejected"], 5);
    assert_eq!(
        rec["rows_profiled"], 22,
        "20 good + the text row + the BASE64 row"
    );
    assert_eq!(
        by_kind(&r),
        BTreeMap::from([
            ("bad_base64".to_owned(), 1),
            ("invalid_utf8".to_owned(), 1),
            ("malformed_json".to_owned(), 1),
            ("unknown_encoding".to_owned(), 1),
            ("wrong_column_count".to_owned(), 1),
        ])
    );
    let mut examples: Vec<(String, String)> = r["rejected_examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|e| {
            (
                e["location"].as_str().expect("location").to_owned(),
                e["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect();
    examples.sort();
    let at_line = |n: u32, kind: &str| (format!("{}:{n}", obj.display()), kind.to_owned());
    let mut want = vec![
        at_line(21, "malformed_json"),
        at_line(22, "wrong_column_count"),
        at_line(24, "unknown_encoding"),
        at_line(25, "invalid_utf8"),
        at_line(26, "bad_base64"),
    ];
    want.sort();
    assert_eq!(examples, want);

    // The text in `amount` is a row: data_type_check reports its share.
    let share = java_double(21.0 / 22.0 * 100.0);
    let v = violations(&env);
    let dt: Vec<&Value> = v
        .iter()
        .filter(|x| x["constraint_check_type"] == "data_type_check")
        .collect();
    assert_eq!(dt.len(), 1, "{v:#?}");
    assert_eq!(dt[0]["feature_name"], "amount");
    assert_eq!(
        dt[0]["description"],
        format!(
            "Data type match requirement is not met. Expected data type: Fractional, Expected match: 100.0%. Observed: Only {share}% of data is Fractional."
        )
    );
    assert_eq!(outcome.status.as_str(), "CompletedWithViolations");
    assert_eq!(r["status"], "CompletedWithViolations");
    // The BASE64 output was decoded: `label` saw its "1" as an Integral value.
    let label = r["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == "label")
        .expect("label");
    assert_eq!(label["num_present"], 22);
    let amount = r["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == "amount")
        .expect("amount");
    assert_eq!(amount["num_present"], 22, "the text value is present");
}

#[test]
fn empty_and_missing_hour_folders_are_listed() {
    let env = Env::new("hours");
    env.object(HOUR_DIR, "00-00-000-a.jsonl", &good(8));
    // 11:00 exists but holds no capture object (only a stray file); 12:00 does not exist.
    let empty = env.hour("AllTraffic/2024/03/05/11");
    std::fs::write(empty.join("notes.txt"), "not capture").expect("write");
    let spec = env.spec(START, "2024-03-05T13:00:00Z");
    let outcome = run_once(&spec).expect("the run completes");
    let r = report(&env);
    // An object store has no folders: an hour without objects is the same whether its folder is
    // empty or absent.
    assert_eq!(
        r["hours_without_data"],
        serde_json::json!(["AllTraffic/2024/03/05/11", "AllTraffic/2024/03/05/12"])
    );
    assert_eq!(r["records"]["objects"], 1);
    assert_eq!(r["records"]["rows_profiled"], 8);
    assert_eq!(r["window"]["end"], "2024-03-05T13:00:00Z");
    assert_eq!(outcome.status.as_str(), "Completed");
}

#[test]
fn a_window_without_a_usable_record_fails_with_no_data() {
    let env = Env::new("nodata");
    let bad = bad_lines();
    let lines = vec![
        bad[0].1.clone(),                                // malformed_json
        csv("0", "50.00,3,red", "2024-03-05T11:30:00Z"), // outside the window
        bad[3].1.clone(),                                // unknown_encoding
    ];
    let obj = env.object(HOUR_DIR, "00-00-000-a.jsonl", &lines);
    let err = env.run().expect_err("no usable record");
    assert!(matches!(err, RunError::NoData(_)), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("Job inputs had no data: "), "{msg}");
    assert!(
        msg.contains("1 objects, 3 records read, 1 outside the window, 2 rejected"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("(first: {}:1: malformed JSON", obj.display())),
        "the first reject is named: {msg}"
    );
    // A failed execution leaves no result behind.
    assert!(!env.out("constraint_violations.json").exists());
    assert!(!env.out("drift_report.json").exists());
}

#[test]
fn a_window_without_capture_objects_fails_with_no_data() {
    let env = Env::new("noobjects");
    env.object(HOUR_DIR, "00-00-000-a.jsonl", &good(5));
    // The next hour: no folder at all.
    let err =
        run_once(&env.spec("2024-03-05T11:00:00Z", "2024-03-05T12:00:00Z")).expect_err("no data");
    assert!(matches!(err, RunError::NoData(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Job inputs had no data: 0 objects, 0 records read, 0 outside the window, 0 rejected"
    );
}

// --- gzip -------------------------------------------------------------------------------------

/// One gzip member holding `data`.
fn gzip_member(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

#[test]
fn gzip_objects_are_read_transparently() {
    let mut lines = good(12);
    lines.push(bad_lines()[0].1.clone()); // line 13: a reject, to compare its location too
    let plain = Env::new("plain");
    plain.object(HOUR_DIR, "00-00-000-a.jsonl", &lines);
    plain.run().expect("plain run");

    // The same records as a two-member gzip object (as concatenated uploads produce).
    let zipped = Env::new("gzip");
    let (first, second) = lines.split_at(5);
    let mut gz = gzip_member(&join_lines(first));
    gz.extend(gzip_member(&join_lines(second)));
    let obj = zipped.hour(HOUR_DIR).join("00-00-000-a.jsonl.gz");
    std::fs::write(&obj, gz).expect("write gz");
    zipped.run().expect("gzip run");

    for name in ["constraint_violations.json", "statistics.json"] {
        assert_eq!(
            std::fs::read(plain.out(name)).expect("plain"),
            std::fs::read(zipped.out(name)).expect("gzip"),
            "{name}: gzip must not change the result"
        );
    }
    let r = report(&zipped);
    assert_eq!(r["records"]["read"], 13);
    assert_eq!(r["records"]["rows_profiled"], 12);
    assert_eq!(
        r["rejected_examples"][0]["location"],
        format!("{}:13", obj.display()),
        "lines are counted inside the decompressed object"
    );
}

#[test]
fn a_corrupt_gzip_object_fails_the_run_with_its_name() {
    let env = Env::new("corruptgz");
    let mut gz = gzip_member(&join_lines(&good(5)));
    gz.truncate(gz.len() - 20);
    let obj = env.hour(HOUR_DIR).join("00-00-000-a.jsonl.gz");
    std::fs::write(&obj, gz).expect("write");
    let err = env.run().expect_err("a truncated object cannot be read");
    match &err {
        RunError::Capture { path, .. } => assert_eq!(path, &obj),
        other => panic!("expected a capture error, got {other:?}"),
    }
}

// --- the driftmon binary ----------------------------------------------------------------------

struct Cli {
    code: Option<i32>,
    last_line: String,
    stderr: String,
}

fn cli_run(env: &Env, baseline: &Path) -> Cli {
    let out = Command::new(built_driftmon())
        .arg("run")
        .arg("--capture")
        .arg(env.capture())
        .args(["--endpoint", ENDPOINT, "--start", START, "--end", END])
        .arg("--baseline")
        .arg(baseline)
        .arg("--output")
        .arg(env.root.join("out"))
        .output()
        .expect("run driftmon");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Cli {
        code: out.status.code(),
        last_line: stdout.lines().last().unwrap_or_default().to_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn cli_prints_completed_and_exits_zero() {
    let env = Env::new("cli-clean");
    env.object(HOUR_DIR, "00-00-000-a.jsonl", &good(10));
    let c = cli_run(&env, &env.root.join("baseline"));
    assert_eq!(c.last_line, "Completed", "stderr: {}", c.stderr);
    assert_eq!(c.code, Some(0));
    assert!(c
        .stderr
        .contains("Completed: Job completed successfully with no violations."));
    assert!(env.out("constraint_violations.json").is_file());
}

#[test]
fn cli_prints_completed_with_violations_and_exits_zero() {
    let env = Env::new("cli-violations");
    let mut lines = good(10);
    lines.push(csv("1", "abc,7,green", "2024-03-05T10:45:00Z"));
    lines.push(bad_lines()[0].1.clone());
    env.object(HOUR_DIR, "00-00-000-a.jsonl", &lines);
    let c = cli_run(&env, &env.root.join("baseline"));
    assert_eq!(
        c.last_line, "CompletedWithViolations",
        "stderr: {}",
        c.stderr
    );
    assert_eq!(c.code, Some(0));
    let r = report(&env);
    assert_eq!(r["records"]["rejected"], 1);
    assert!(violations(&env)
        .iter()
        .any(|v| v["feature_name"] == "amount" && v["constraint_check_type"] == "data_type_check"));
}

#[test]
fn cli_fails_without_data() {
    let env = Env::new("cli-nodata");
    env.object(HOUR_DIR, "00-00-000-a.jsonl", &[bad_lines()[0].1.clone()]);
    let c = cli_run(&env, &env.root.join("baseline"));
    assert!(
        c.last_line
            .starts_with("Failed: Job inputs had no data: 1 objects, 1 records read"),
        "{:?} (stderr: {})",
        c.last_line,
        c.stderr
    );
    assert_ne!(c.code, Some(0));
    assert!(!env.out("constraint_violations.json").exists());
}

#[test]
fn cli_fails_without_baseline() {
    let env = Env::new("cli-nobaseline");
    env.object(HOUR_DIR, "00-00-000-a.jsonl", &good(5));
    let missing = env.root.join("no-such-baseline");
    let c = cli_run(&env, &missing);
    assert!(
        c.last_line.starts_with("Failed: baseline ") && c.last_line.contains("statistics.json"),
        "{:?} (stderr: {})",
        c.last_line,
        c.stderr
    );
    assert_ne!(c.code, Some(0));
    assert!(!env.out("constraint_violations.json").exists());
}

/// The baseline's column names, in order (what `driftmon run` profiles against).
fn baseline_names(env: &Env) -> Vec<String> {
    let stats: Value = serde_json::from_slice(
        &std::fs::read(env.root.join("baseline").join("statistics.json")).expect("statistics"),
    )
    .expect("statistics JSON");
    stats["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The parts of a window profile that merging keeps exactly (everything but the KLL sketches'
/// items and the HyperLogLog registers, which are exact only within their bounds).
fn exact_parts(wp: &driftmon_monitor::monitors::data_quality::WindowProfile) -> Value {
    let col = |c: &driftmon_baseline::profile::ColumnProfile| {
        let mut cats: Vec<(&String, &u64)> = c.categories.counts.iter().collect();
        cats.sort();
        serde_json::json!({
            "types": serde_json::to_value(&c.types).expect("types"),
            "n": c.moments.n,
            "sum": c.moments.sum.value(),
            "min": c.moments.min,
            "max": c.moments.max,
            "kll_count": c.kll.count(),
            "categories": cats,
            "untracked": c.categories.untracked,
            "first_non_numeric": serde_json::to_value(&c.first_non_numeric).expect("sample"),
        })
    };
    let prof = |p: &driftmon_baseline::profile::DatasetProfile| {
        serde_json::json!({
            "items": p.item_count,
            "columns": p.columns.iter().map(|(n, c)| (n.clone(), col(c))).collect::<Vec<_>>(),
            "rejects": serde_json::to_value(&p.rejects).expect("rejects"),
        })
    };
    serde_json::json!({
        "main": prof(&wp.main),
        "off_width": wp.off_width.iter().map(|(w, o)| serde_json::json!({
            "width": w, "records": o.records,
            "samples": serde_json::to_value(&o.samples).expect("samples"),
            "profile": prof(&o.profile),
        })).collect::<Vec<_>>(),
        "records_read": wp.records_read,
        "outside_window": wp.outside_window,
    })
}

/// A large object is profiled as byte ranges in parallel (`RANGE_BYTES`): whatever the range
/// size and the number of workers, counts, sums, extremes, categories, rejects and their file
/// and line numbers equal the profile of the object read whole; for one range size the whole
/// profile (sketches included) does not depend on the number of workers.
#[test]
fn ranges_of_one_object_profile_like_the_whole_object() {
    use driftmon_monitor::adapters::store::resolve;
    use driftmon_monitor::monitors::data_quality::profile_objects_in_ranges;
    let env = Env::new("ranges");
    let bad = bad_lines();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut expected_lines = Vec::new();
    let mut next_bad = 0;
    for round in 0..6 {
        for (k, g) in good(25).into_iter().enumerate() {
            lines.push(g);
            if k % 7 == 3 {
                lines.push(Vec::new()); // blank lines are counted as lines, not records
            }
            if k % 5 == 1 {
                let (_, l, kind) = &bad[next_bad % bad.len()];
                next_bad += 1;
                lines.push(l.clone());
                expected_lines.push((lines.len() as u64, *kind));
            }
        }
        // A record outside the window and a CRLF-ended one.
        lines.push(csv("1", "50.5,3,red", "2024-03-05T12:00:00Z"));
        let mut crlf = csv("0", "49.5,4,green", &at(round));
        crlf.push(b'\r');
        lines.push(crlf);
    }
    let obj = env.object(HOUR_DIR, "00-00-000-big.jsonl", &lines);
    let size = std::fs::metadata(&obj).expect("size").len();
    let names = baseline_names(&env);
    let capture = resolve(&env.capture()).expect("capture store");
    let key = format!("{ENDPOINT}/{HOUR_DIR}/00-00-000-big.jsonl");
    let profile = |range_bytes: u64, workers: usize| {
        let spec = RunSpec {
            workers,
            ..env.spec(START, END)
        };
        profile_objects_in_ranges(
            &capture,
            std::slice::from_ref(&key),
            &names,
            &spec,
            range_bytes,
        )
        .expect("profile")
    };
    let whole = profile(u64::MAX, 1);
    assert_eq!(
        whole.records_read,
        lines.iter().filter(|l| !l.is_empty()).count() as u64
    );
    assert_eq!(whole.outside_window, 6);
    // The rejected examples name the object and the true line of each bad record.
    let samples: Vec<(u64, String)> = whole
        .main
        .rejects
        .samples
        .iter()
        .map(|r| (r.location.line, r.kind.clone()))
        .collect();
    let want: Vec<(u64, String)> = expected_lines
        .iter()
        .filter(|(_, k)| *k != "wrong_column_count")
        .take(20)
        .map(|(l, k)| (*l, (*k).to_owned()))
        .collect();
    assert_eq!(samples.len(), want.len().min(20));
    assert_eq!(samples, want, "reject lines of the whole object");
    let whole_exact = exact_parts(&whole);
    for range_bytes in [size / 3, 1000, 333, 64, 1] {
        let one = profile(range_bytes, 1);
        assert_eq!(
            exact_parts(&one),
            whole_exact,
            "range size {range_bytes}: exact parts equal the whole object's"
        );
        for workers in [2, 3] {
            assert_eq!(
                profile(range_bytes, workers),
                one,
                "range size {range_bytes}, {workers} workers: the same profile as 1 worker"
            );
        }
    }
}
