//! Golden monitoring executions: each folder of `tests/golden/` is one run of
//! [`run_once`] (capture in SageMaker's layout, a suggested-then-edited baseline, the run's
//! parameters in `case.json`) with its expected `constraint_violations.json` (compared byte for
//! byte) and `drift_report.json` (compared as JSON, with the capture folder written `<capture>`).
//!
//! `BLESS=1 cargo test -p driftmon-tests --release --test golden` rewrites the expected files.
//! The table below also names the violations each case exists for (and those it must not
//! have), so that a wrong bless fails anyway. `tests/golden/make_cases.py` regenerates the
//! inputs.

use std::path::{Path, PathBuf};

use driftmon_baseline::capture::{parse_timestamp_ms, ExtractConfig, JsonPath};
use driftmon_monitor::monitors::data_quality::RunSpec;
use driftmon_rules::config::DriftConfig;
use driftmon_tests::run_data_quality as run_once;
use driftmon_tests::{fixture, temp_dir};
use serde_json::Value;

/// One violation that must be present, or (in `forbid`) absent: feature (`*`: any),
/// `constraint_check_type` (`*`: any) and the start of the description.
type Expect = (&'static str, &'static str, &'static str);

struct Case {
    /// The folder under `tests/golden/`.
    name: &'static str,
    /// The execution status.
    status: &'static str,
    /// `records.rows_profiled` of the report.
    rows: u64,
    /// Violations that must be present.
    expect: &'static [Expect],
    /// Violations that must be absent.
    forbid: &'static [Expect],
}

const DRIFT: &str = "baseline_drift_check";
const LINF: &str = "Baseline drift distance: ";

static CASES: &[Case] = &[
    Case {
        name: "clean",
        status: "Completed",
        rows: 20,
        expect: &[],
        forbid: &[("*", "*", "")],
    },
    Case {
        name: "data_type_check",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[(
            "churn",
            "data_type_check",
            "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. Observed: Only 0.0% of data is Integral.",
        )],
        forbid: &[("*", "completeness_check", ""), ("*", "data_type_check", "Value")],
    },
    Case {
        name: "completeness_check",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[
            (
                "account_length",
                "completeness_check",
                "Value: 0.75 does not meet the constraint requirement! ",
            ),
            (
                "plan",
                "completeness_check",
                "Value: 0.8 does not meet the constraint requirement! ",
            ),
        ],
        forbid: &[
            ("churn", "completeness_check", ""),
            ("day_mins", "completeness_check", ""),
            ("state", "completeness_check", ""),
            ("*", "data_type_check", ""),
        ],
    },
    Case {
        name: "missing_column_check",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[(
            "state",
            "missing_column_check",
            "There are missing columns in current dataset. Number of columns in current dataset: 4, Number of columns in baseline constraints: 5",
        )],
        forbid: &[
            ("churn", "missing_column_check", ""),
            ("plan", "missing_column_check", ""),
            ("*", "extra_column_check", ""),
        ],
    },
    Case {
        name: "extra_column_check_csv",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[(
            "_c5",
            "extra_column_check",
            "There are extra columns in current dataset. Number of columns in current dataset: 6, Number of columns in baseline constraints: 5",
        )],
        forbid: &[("*", "missing_column_check", "")],
    },
    Case {
        name: "extra_column_check_json",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[(
            "zip_code",
            "extra_column_check",
            "There are extra columns in current dataset. Number of columns in current dataset: 6, Number of columns in baseline constraints: 5",
        )],
        forbid: &[("*", "missing_column_check", ""), ("*", "data_type_check", "")],
    },
    Case {
        name: "categorical_values_check",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[(
            "plan",
            "categorical_values_check",
            "Value: 0.8 does not meet the constraint requirement! ",
        )],
        forbid: &[("state", "categorical_values_check", "")],
    },
    Case {
        name: "drift_numeric_robust",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[("day_mins", DRIFT, LINF)],
        forbid: &[("account_length", DRIFT, LINF), ("plan", DRIFT, LINF)],
    },
    Case {
        name: "drift_numeric_simple",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[("day_mins", DRIFT, LINF), ("account_length", DRIFT, LINF)],
        forbid: &[],
    },
    Case {
        name: "drift_string_linfinity",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[("plan", DRIFT, LINF)],
        forbid: &[
            ("plan", "categorical_values_check", ""),
            ("plan", DRIFT, "Baseline drift chi-squared"),
        ],
    },
    Case {
        name: "drift_string_chisquared",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[("plan", DRIFT, "Baseline drift chi-squared p-value: ")],
        forbid: &[
            ("plan", "categorical_values_check", ""),
            ("plan", DRIFT, LINF),
        ],
    },
    Case {
        name: "driftmon_psi_ks_chisquare",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[
            ("day_mins", DRIFT, "PSI ("),
            ("day_mins", DRIFT, "KS ("),
            ("plan", DRIFT, "PSI ("),
            ("plan", DRIFT, "Chi-squared ("),
        ],
        forbid: &[("*", DRIFT, "Baseline drift")],
    },
    Case {
        name: "override_disabled",
        status: "CompletedWithViolations",
        rows: 20,
        expect: &[
            (
                "account_length",
                "completeness_check",
                "Value: 0.8 does not meet the constraint requirement! ",
            ),
            (
                "state",
                "categorical_values_check",
                "Value: 0.95 does not meet the constraint requirement! ",
            ),
        ],
        forbid: &[
            ("day_mins", "*", ""),
            ("plan", "*", ""),
            ("account_length", DRIFT, ""),
        ],
    },
    Case {
        name: "json_capture_paths",
        status: "Completed",
        rows: 20,
        expect: &[],
        forbid: &[("*", "*", "")],
    },
    Case {
        name: "sdk_monitor_testdata",
        status: "CompletedWithViolations",
        rows: 6,
        expect: &[
            (
                "message",
                "categorical_values_check",
                "Value: 0.0 does not meet the constraint requirement! ",
            ),
            (
                "second_message",
                "categorical_values_check",
                "Value: 0.0 does not meet the constraint requirement! ",
            ),
        ],
        forbid: &[("*", "data_type_check", ""), ("*", "completeness_check", "")],
    },
];

fn golden_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/golden"))
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn str_field<'a>(spec: &'a Value, key: &str) -> Option<&'a str> {
    spec.get(key).map(|v| {
        v.as_str()
            .unwrap_or_else(|| panic!("case.json: {key} must be a string"))
    })
}

/// The run of a case: `RunSpec` from `case.json`, with the capture and baseline folders given.
fn spec_of(case_json: &Value, capture: PathBuf, baseline: PathBuf, output: PathBuf) -> RunSpec {
    let time = |key: &str| {
        let s = str_field(case_json, key).unwrap_or_else(|| panic!("case.json: no {key}"));
        parse_timestamp_ms(s).unwrap_or_else(|| panic!("case.json: {key} {s:?} is not a time"))
    };
    let path = |key: &str| {
        str_field(case_json, key)
            .map(|s| JsonPath::parse(s).unwrap_or_else(|e| panic!("case.json: {key}: {e}")))
    };
    RunSpec {
        capture,
        endpoint: str_field(case_json, "endpoint")
            .expect("case.json: no endpoint")
            .to_owned(),
        variant: str_field(case_json, "variant").map(str::to_owned),
        baseline,
        output,
        start_ms: time("start"),
        end_ms: time("end"),
        drift: DriftConfig::default(),
        extract: ExtractConfig {
            input_path: path("input_path"),
            output_path: path("output_path"),
            ..ExtractConfig::default()
        },
        workers: 0,
    }
}

/// Builds `sdk-monitor-testdata`'s capture in SageMaker's layout from its `captured-data.jsonl`
/// (records of 2019-11-24 07:30–07:31 UTC); the baseline is read in place.
fn sdk_inputs(name: &str, endpoint: &str) -> Option<(PathBuf, PathBuf)> {
    let dir = fixture("sdk-monitor-testdata")?;
    let lines = std::fs::read(dir.join("captured-data.jsonl")).expect("read captured-data.jsonl");
    let capture = temp_dir(&format!("golden-{name}-capture"));
    let hour = capture.join(endpoint).join("AllTraffic/2019/11/24/07");
    std::fs::create_dir_all(&hour).expect("mkdir");
    std::fs::write(hour.join("30-50-000-captured-data.jsonl"), lines).expect("write capture");
    Some((capture, dir))
}

/// Replaces machine-specific paths in a report by `<capture>`.
fn normalise(report: &str, capture: &Path) -> String {
    let json_escaped = |p: &Path| {
        let s = serde_json::to_string(&p.display().to_string()).expect("ser");
        s[1..s.len() - 1].to_owned()
    };
    report.replace(&json_escaped(capture), "<capture>")
}

/// Pretty JSON for blessed reports, compact where it stays readable: arrays of scalars (bins,
/// labels) and small objects of scalars (a check's verdict) on one line.
fn write_pretty(v: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    let scalar = |x: &Value| !x.is_object() && !x.is_array();
    match v {
        Value::Object(m) if m.values().all(scalar) && m.len() <= 5 => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| {
                    format!(
                        "{}: {}",
                        serde_json::to_string(k).expect("ser"),
                        serde_json::to_string(x).expect("ser")
                    )
                })
                .collect();
            out.push('{');
            out.push_str(&items.join(", "));
            out.push('}');
        }
        Value::Object(m) => {
            out.push_str("{\n");
            for (i, (k, x)) in m.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&serde_json::to_string(k).expect("ser"));
                out.push_str(": ");
                write_pretty(x, indent + 1, out);
                out.push_str(if i + 1 < m.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(a) if !a.iter().all(scalar) => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_pretty(x, indent + 1, out);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| serde_json::to_string(x).expect("ser"))
                .collect();
            out.push('[');
            out.push_str(&items.join(", "));
            out.push(']');
        }
        _ => out.push_str(&serde_json::to_string(v).expect("ser")),
    }
}

/// The first difference between two JSON values, by path.
fn json_diff(want: &Value, got: &Value, path: &str) -> Option<String> {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    None => return Some(format!("{path}.{k}: missing (expected {v})")),
                    Some(w) => {
                        if let Some(d) = json_diff(v, w, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k))
                .map(|k| format!("{path}.{k}: unexpected key"))
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                if let Some(d) = json_diff(x, y, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (a.len() != b.len())
                .then(|| format!("{path}: {} elements, expected {}", b.len(), a.len()))
        }
        (a, b) => (a != b).then(|| format!("{path}: {b}, expected {a}")),
    }
}

fn matches(v: &Value, (feature, check, prefix): &Expect) -> bool {
    let s = |k: &str| v[k].as_str().unwrap_or_default();
    (*feature == "*" || s("feature_name") == *feature)
        && (*check == "*" || s("constraint_check_type") == *check)
        && s("description").starts_with(prefix)
}

fn run_case(case: &Case) {
    let dir = golden_root().join(case.name);
    let case_json: Value = serde_json::from_slice(
        &std::fs::read(dir.join("case.json")).unwrap_or_else(|e| panic!("{}: {e}", case.name)),
    )
    .expect("case.json is JSON");
    let (capture, baseline) = match str_field(&case_json, "fixture") {
        Some("sdk-monitor-testdata") => {
            let endpoint = str_field(&case_json, "endpoint").expect("case.json: no endpoint");
            match sdk_inputs(case.name, endpoint) {
                Some(x) => x,
                None => return,
            }
        }
        Some(other) => panic!("unknown fixture {other}"),
        None => (dir.join("capture"), dir.join("baseline")),
    };
    let out = temp_dir(&format!("golden-{}", case.name));
    let spec = spec_of(&case_json, capture.clone(), baseline, out.clone());
    let outcome = run_once(&spec).unwrap_or_else(|e| panic!("{}: run failed: {e}", case.name));

    let violations_bytes =
        std::fs::read(out.join("constraint_violations.json")).expect("constraint_violations.json");
    let report_text = normalise(
        &std::fs::read_to_string(out.join("drift_report.json")).expect("drift_report.json"),
        &capture,
    );
    let report: Value = serde_json::from_str(&report_text).expect("report is JSON");
    let expected = dir.join("expected");
    if bless() {
        std::fs::create_dir_all(&expected).expect("mkdir expected");
        std::fs::write(
            expected.join("constraint_violations.json"),
            &violations_bytes,
        )
        .expect("bless violations");
        let mut pretty = String::new();
        write_pretty(&report, 0, &mut pretty);
        pretty.push('\n');
        std::fs::write(expected.join("drift_report.json"), pretty).expect("bless report");
    } else {
        let want = std::fs::read(expected.join("constraint_violations.json")).unwrap_or_else(|e| {
            panic!(
                "{}: no expected/constraint_violations.json ({e}); run with BLESS=1",
                case.name
            )
        });
        if want != violations_bytes {
            let (w, g) = (
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&violations_bytes),
            );
            let line = w
                .lines()
                .zip(g.lines())
                .position(|(a, b)| a != b)
                .map_or(w.lines().count().min(g.lines().count()), |i| i);
            panic!(
                "{}: constraint_violations.json differs from expected at line {}:\nexpected: {:?}\n     got: {:?}\n(full output in {})",
                case.name,
                line + 1,
                w.lines().nth(line),
                g.lines().nth(line),
                out.display()
            );
        }
        let want: Value = serde_json::from_slice(
            &std::fs::read(expected.join("drift_report.json")).expect("expected drift_report"),
        )
        .expect("expected drift_report is JSON");
        if let Some(d) = json_diff(&want, &report, "$") {
            panic!(
                "{}: drift_report.json differs from expected at {d} (full output in {})",
                case.name,
                out.display()
            );
        }
    }

    // What the case exists for, independent of the blessed files.
    let v: Value = serde_json::from_slice(&violations_bytes).expect("violations are JSON");
    let list = v["violations"].as_array().expect("violations array");
    assert_eq!(
        outcome.status.as_str(),
        case.status,
        "{}: status",
        case.name
    );
    assert_eq!(
        report["status"], case.status,
        "{}: report status",
        case.name
    );
    assert_eq!(
        outcome.violations,
        list.len(),
        "{}: violation count",
        case.name
    );
    assert_eq!(report["violations"], list.len(), "{}", case.name);
    assert!(
        report["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(&format!("{}: Job completed successfully", case.status))),
        "{}: message {}",
        case.name,
        report["message"]
    );
    if list.is_empty() {
        assert_eq!(
            String::from_utf8_lossy(&violations_bytes),
            "{\n  \"violations\" : [ ]\n}",
            "{}: an execution without violations writes an empty list",
            case.name
        );
    }
    assert_eq!(
        report["records"]["rows_profiled"], case.rows,
        "{}",
        case.name
    );
    assert_eq!(report["records"]["rejected"], 0, "{}: rejects", case.name);
    for e in case.expect {
        assert!(
            list.iter().any(|x| matches(x, e)),
            "{}: expected violation {e:?} is missing; got {list:#?}",
            case.name
        );
    }
    for f in case.forbid {
        let hit = list.iter().find(|x| matches(x, f));
        assert!(
            hit.is_none(),
            "{}: violation {hit:?} must not be reported (rule {f:?})",
            case.name
        );
    }
    // Every violation is also in the report's per-feature checks.
    for x in list {
        let name = x["feature_name"].as_str().unwrap_or_default();
        let in_report = report["features"].as_array().is_some_and(|fs| {
            fs.iter().any(|f| {
                f["name"] == name
                    && f["checks"].as_array().is_some_and(|cs| {
                        cs.iter().any(|c| {
                            c["status"] == "violation" && c["description"] == x["description"]
                        })
                    })
            })
        });
        // Extra columns are not baseline features, so they have no entry in `features`.
        assert!(
            in_report || x["constraint_check_type"] == "extra_column_check",
            "{}: violation {x} is not in drift_report.json features",
            case.name
        );
    }
}

macro_rules! golden {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let case = CASES
                    .iter()
                    .find(|c| c.name == stringify!($name))
                    .expect("case in the table");
                run_case(case);
            }
        )*
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

golden!(
    clean,
    data_type_check,
    completeness_check,
    missing_column_check,
    extra_column_check_csv,
    extra_column_check_json,
    categorical_values_check,
    drift_numeric_robust,
    drift_numeric_simple,
    drift_string_linfinity,
    drift_string_chisquared,
    driftmon_psi_ks_chisquare,
    override_disabled,
    json_capture_paths,
    sdk_monitor_testdata,
);

#[test]
fn every_case_folder_is_in_the_table_and_tested() {
    let mut folders: Vec<String> = std::fs::read_dir(golden_root())
        .expect("tests/golden")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut table: Vec<String> = CASES.iter().map(|c| c.name.to_owned()).collect();
    table.sort();
    let mut tested: Vec<String> = TESTED.iter().map(|s| s.to_string()).collect();
    tested.sort();
    assert_eq!(folders, table, "tests/golden folders vs the CASES table");
    assert_eq!(table, tested, "the CASES table vs the golden! tests");
}

#[test]
fn every_check_type_has_a_golden_violation() {
    let mut seen: Vec<&str> = CASES
        .iter()
        .flat_map(|c| c.expect.iter().map(|e| e.1))
        .collect();
    seen.sort();
    seen.dedup();
    for t in [
        "data_type_check",
        "completeness_check",
        "missing_column_check",
        "extra_column_check",
        "categorical_values_check",
        "baseline_drift_check",
    ] {
        assert!(seen.contains(&t), "no golden case expects {t}");
    }
    let prefixes: Vec<&str> = CASES
        .iter()
        .flat_map(|c| c.expect.iter().map(|e| e.2))
        .collect();
    for p in [
        LINF,
        "Baseline drift chi-squared",
        "PSI (",
        "KS (",
        "Chi-squared (",
    ] {
        assert!(
            prefixes.iter().any(|x| x.starts_with(p)),
            "no golden case expects a {p:?} violation"
        );
    }
}
