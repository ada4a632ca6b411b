//! A measure that panics on a window with many features (more than twice the workers of the
//! pool that computes them) ends the job as `Failed` with the panic's message, within seconds,
//! and writes nothing; it is never a hang and never reported as "no data". Its own test binary:
//! the fault is injected for the whole process.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use driftmon_baseline::capture::{parse_timestamp_ms, ExtractConfig};
use driftmon_baseline::read::HeaderMode;
use driftmon_monitor::monitors::data_quality::suggest::{suggest, Format};
use driftmon_monitor::monitors::data_quality::RunSpec;
use driftmon_monitor::monitors::{MonitorType, RunError};
use driftmon_rules::config::DriftConfig;
use driftmon_tests::{run_data_quality, temp_dir};

const FEATURES: usize = 40;

fn write_window(root: &Path) {
    let header: Vec<String> = (0..FEATURES).map(|i| format!("f{i}")).collect();
    let mut csv = header.join(",") + "\n";
    for r in 0..200 {
        let row: Vec<String> = (0..FEATURES)
            .map(|i| ((r * 7 + i * 3) % 23).to_string())
            .collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    std::fs::write(root.join("train.csv"), csv).unwrap();
    suggest(
        &root.join("train.csv"),
        Format::Csv,
        HeaderMode::Present,
        &root.join("baseline"),
    )
    .unwrap();
    let hour = root.join("capture/ep/AllTraffic/2024/03/05/10");
    std::fs::create_dir_all(&hour).unwrap();
    let mut lines = String::new();
    for r in 0..300 {
        let row: Vec<String> = (0..FEATURES)
            .map(|i| ((r * 5 + i) % 19).to_string())
            .collect();
        lines.push_str(&format!(
            "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"text/csv\",\"mode\":\"INPUT\",\"data\":\"{}\",\"encoding\":\"CSV\"}}}},\"eventMetadata\":{{\"eventId\":\"e{r}\",\"inferenceTime\":\"2024-03-05T10:00:{:02}Z\"}},\"eventVersion\":\"0\"}}\n",
            row.join(","),
            r % 60
        ));
    }
    std::fs::write(hour.join("a.jsonl"), lines).unwrap();
}

#[test]
fn a_panicking_measure_fails_the_run_with_its_message() {
    let root = temp_dir("measure-panic");
    write_window(&root);
    let spec = RunSpec {
        capture: root.join("capture"),
        endpoint: "ep".into(),
        variant: None,
        baseline: root.join("baseline"),
        output: root.join("out"),
        start_ms: parse_timestamp_ms("2024-03-05T10:00:00Z").unwrap(),
        end_ms: parse_timestamp_ms("2024-03-05T11:00:00Z").unwrap(),
        drift: DriftConfig::default(),
        extract: ExtractConfig::default(),
        workers: 2,
    };
    // Without the fault the window is fine.
    run_data_quality(&spec).expect("a clean run completes");
    std::fs::remove_dir_all(root.join("out")).unwrap();

    driftmon_rules::evaluate::inject_panic_in_measures_of("f17");
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let s = spec.clone();
    std::thread::spawn(move || {
        let _ = tx.send(run_data_quality(&s));
    });
    let result = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the run ends instead of hanging");
    let elapsed = started.elapsed();
    let err = result.expect_err("a panicking measure fails the run");
    match &err {
        RunError::Panic {
            monitor_type,
            message,
        } => {
            assert_eq!(*monitor_type, MonitorType::DataQuality);
            assert!(
                message.contains("injected fault in the measures of f17"),
                "{message}"
            );
        }
        other => panic!("expected RunError::Panic, got {other:?}"),
    }
    assert!(!matches!(err, RunError::NoData(_)));
    assert!(
        err.to_string().starts_with("data-quality: internal error:"),
        "{err}"
    );
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    // A failed job writes nothing.
    assert!(!root.join("out/constraint_violations.json").exists());
    assert!(!root.join("out/statistics.json").exists());
}
