//! A 1,000,000-row × 10-column CSV through the real binary (issue "Baseline suggestion",
//! "Must show"): every row counted, peak memory bounded (the reader streams; profiles are
//! constant-size per column: a KLL sketch, at most 1000 tracked categories and a 4 KiB
//! HyperLogLog). Prints wall time and peak RSS. `scripts/measure_1m_csv.sh` measures the same
//! thing standalone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use driftmon_tests::{driftmon_bin, temp_dir};

const ROWS: u64 = 1_000_000;
const PEAK_RSS_LIMIT_KB: u64 = 100 * 1024;

/// The binary, rebuilt first (`cargo test` does not build a dependency's binaries).
fn bin() -> PathBuf {
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
    assert!(cmd.status().expect("cargo").success(), "cargo build failed");
    driftmon_bin()
}

/// Ten columns of the usual kinds: a unique id, small and large integers, fractional values,
/// low- and high-cardinality strings, booleans, and a column with 1% empty cells.
fn write_csv(path: &Path) {
    let f = std::fs::File::create(path).unwrap();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    writeln!(w, "id,age,income,score,ts,state,city,flag,token,ratio").unwrap();
    let mut s: u64 = 42;
    for i in 0..ROWS {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let age = 18 + s % 70;
        let income = (s >> 8) % 200_000;
        let score = ((s >> 20) % 1_000_000) as f64 / 1e4;
        let ts = 1_700_000_000_000u64 + i * 1000;
        let state = ["CA", "NY", "TX", "WA", "FL"][(s >> 40) as usize % 5];
        let city = (s >> 44) % 50;
        let flag = if s & 1 == 0 { "true" } else { "false" };
        let token = (s >> 3) % 1_000_003;
        let ratio = if i % 100 == 0 {
            String::new()
        } else {
            format!("{:.4}", ((s >> 30) % 10_000) as f64 / 10_000.0)
        };
        writeln!(
            w,
            "{i},{age},{income},{score},{ts},{state},city{city},{flag},t{token},{ratio}"
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// Peak RSS (KiB) and wall time (s) from `/usr/bin/time -v` output.
fn parse_time_v(stderr: &str) -> (Option<u64>, Option<f64>) {
    let mut rss = None;
    let mut wall = None;
    for l in stderr.lines() {
        let l = l.trim();
        if let Some(v) = l.strip_prefix("Maximum resident set size (kbytes):") {
            rss = v.trim().parse().ok();
        }
        if let Some(v) = l.strip_prefix("Elapsed (wall clock) time (h:mm:ss or m:ss):") {
            let secs = v
                .trim()
                .split(':')
                .try_fold(0.0, |acc, p| p.parse::<f64>().map(|x| acc * 60.0 + x));
            wall = secs.ok();
        }
    }
    (rss, wall)
}

/// About 1.5 s in release on a 2-core machine (0.5 s to write the 68 MB file, 0.75 s to profile
/// it, peak RSS 9.4 MB), so it is not ignored in release; debug builds are many times slower, so
/// it is ignored there.
#[test]
#[cfg_attr(debug_assertions, ignore = "slow in debug builds; run with --release")]
fn one_million_rows_in_bounded_memory() {
    let bin = bin();
    let dir = temp_dir("large-csv");
    let input = dir.join("1m.csv");
    let t = Instant::now();
    write_csv(&input);
    let size = std::fs::metadata(&input).unwrap().len();
    eprintln!(
        "wrote {} ({:.1} MB) in {:.2} s",
        input.display(),
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let out = dir.join("out");
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.is_file() {
        let mut c = Command::new(time);
        c.arg("-v").arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    cmd.args(["baseline", "suggest", "--header", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&out);
    let t = Instant::now();
    let o = cmd.output().expect("run driftmon");
    let elapsed = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "driftmon failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("statistics.json")).unwrap()).unwrap();
    assert_eq!(stats["dataset"]["item_count"], ROWS);
    let features = stats["features"].as_array().unwrap();
    assert_eq!(features.len(), 10);
    let f = |n: &str| features.iter().find(|f| f["name"] == n).unwrap();
    assert_eq!(f("id")["inferred_type"], "Integral");
    assert_eq!(
        f("id")["numerical_statistics"]["sum"],
        (ROWS * (ROWS - 1) / 2) as f64
    );
    assert_eq!(
        f("ratio")["numerical_statistics"]["common"]["num_missing"],
        ROWS / 100
    );
    assert_eq!(f("state")["inferred_type"], "String");
    assert_eq!(f("token")["inferred_type"], "String");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("baseline_report.json")).unwrap()).unwrap();
    assert_eq!(report["rows_profiled"], ROWS);
    assert_eq!(report["records_rejected"], 0);

    let (rss, wall) = parse_time_v(&stderr);
    eprintln!(
        "driftmon baseline suggest, 1,000,000 rows x 10 columns: wall {:.2} s (measured here {:.2} s), peak RSS {}",
        wall.unwrap_or(elapsed),
        elapsed,
        rss.map_or("not measured (no /usr/bin/time)".to_owned(), |k| format!(
            "{:.1} MB",
            k as f64 / 1024.0
        ))
    );
    if time.is_file() {
        let rss = rss.expect("/usr/bin/time -v reports the peak RSS");
        assert!(
            rss < PEAK_RSS_LIMIT_KB,
            "peak RSS {rss} KiB >= {PEAK_RSS_LIMIT_KB} KiB"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn time_v_output_is_parsed() {
    let sample = "\tCommand being timed: \"x\"\n\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50\n\tMaximum resident set size (kbytes): 12345\n";
    assert_eq!(parse_time_v(sample), (Some(12345), Some(62.5)));
}
