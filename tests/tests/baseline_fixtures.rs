//! Baseline suggestion against real AWS analyzer output.

use driftmon_baseline::files::{parse_constraints, parse_statistics, to_jackson};
use driftmon_baseline::profile::DatasetProfile;
use driftmon_baseline::read::{profile_csv, HeaderMode};
use driftmon_baseline::suggest;
use driftmon_tests::fixture;

fn profile(path: &std::path::Path, header: HeaderMode) -> DatasetProfile {
    let mut p = DatasetProfile::default();
    let f = std::fs::File::open(path).expect("open fixture");
    profile_csv(f, &path.display().to_string(), header, &mut p).expect("profile");
    p
}

#[test]
fn headerless_statistics_are_byte_identical_to_aws() {
    let Some(dir) = fixture("sdk-data-quality-baseline-headerless-csv") else {
        return;
    };
    let p = profile(&dir.join("baseline_dataset.csv"), HeaderMode::Absent);
    let ours = to_jackson(&suggest::statistics(&p)).expect("serialise");
    let theirs = std::fs::read_to_string(dir.join("statistics.json")).expect("read");
    if ours != theirs {
        for (i, (a, b)) in ours.lines().zip(theirs.lines()).enumerate() {
            assert_eq!(a, b, "first difference at line {}", i + 1);
        }
    }
    assert_eq!(ours, theirs);
}

#[test]
fn headerless_constraints_hold_every_aws_key_and_value() {
    let Some(dir) = fixture("sdk-data-quality-baseline-headerless-csv") else {
        return;
    };
    let p = profile(&dir.join("baseline_dataset.csv"), HeaderMode::Absent);
    let ours: serde_json::Value =
        serde_json::from_str(&to_jackson(&suggest::constraints(&p)).expect("ser")).expect("json");
    let theirs: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("constraints.good_case.json")).expect("read"),
    )
    .expect("json");
    fn contains(ours: &serde_json::Value, theirs: &serde_json::Value, path: &str) {
        match (ours, theirs) {
            (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
                for (k, v) in b {
                    let sub = a.get(k).unwrap_or_else(|| panic!("missing key {path}.{k}"));
                    contains(sub, v, &format!("{path}.{k}"));
                }
            }
            (serde_json::Value::Array(a), serde_json::Value::Array(b)) => {
                assert_eq!(a.len(), b.len(), "array length at {path}");
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    contains(x, y, &format!("{path}[{i}]"));
                }
            }
            (a, b) => assert_eq!(a, b, "value at {path}"),
        }
    }
    contains(&ours, &theirs, "$");
    // The keys we add, listed in the README.
    let dc = &ours["monitoring_config"]["distribution_constraints"];
    assert_eq!(dc["categorical_comparison_threshold"], 0.1);
    assert_eq!(dc["categorical_drift_method"], "LInfinity");
}

/// The churn intro notebook's printed baseline (rounded to 6 decimals).
#[test]
fn churn_figures_match_the_notebook() {
    let Some(path) =
        fixture("examples-churn-data-quality-datasets/training-dataset-with-header.csv")
    else {
        return;
    };
    let p = profile(&path, HeaderMode::Present);
    let s = suggest::statistics(&p);
    let feat = |name: &str| {
        s.features
            .as_ref()
            .and_then(|f| f.iter().find(|x| x.name == name))
            .and_then(|f| f.numerical_statistics.clone())
            .unwrap_or_else(|| panic!("numeric feature {name}"))
    };
    let round6 = |x: f64| (x * 1e6).round() / 1e6;
    assert_eq!(round6(feat("Churn").mean), 0.139306);
    assert_eq!(feat("Account Length").sum, 236279.0);
    let intl = feat("Intl Mins");
    assert_eq!(
        format!("{:?}", intl.distribution.kll.buckets[0].upper_bound),
        "1.8399999999999999"
    );
}

#[test]
fn every_fixture_file_round_trips() {
    let Some(root) = driftmon_tests::shared_dir() else {
        return;
    };
    let root = root.join("fixtures/sagemaker");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).expect("list") {
        let dir = dir.expect("entry").path();
        for f in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = f.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let original = std::fs::read(&path).expect("read");
            let value: serde_json::Value = match serde_json::from_slice(&original) {
                Ok(v) => v,
                Err(_) => continue,
            };
            let written = if name.starts_with("statistics")
                || name.starts_with("model_monitor_model_quality")
            {
                to_jackson(&parse_statistics(&original).expect("parse statistics")).expect("ser")
            } else if name.starts_with("constraints") {
                to_jackson(&parse_constraints(&original).expect("parse constraints")).expect("ser")
            } else {
                continue;
            };
            seen += 1;
            let back: serde_json::Value = serde_json::from_str(&written).expect("json");
            assert!(
                json_eq(&back, &value),
                "{} does not round-trip",
                path.display()
            );
            if original.starts_with(b"{\n  \"version\" : ") {
                assert_eq!(
                    written.as_bytes(),
                    &original[..],
                    "{} not byte-identical",
                    path.display()
                );
            }
        }
    }
    assert!(
        seen >= 9,
        "expected the fixtures' statistics/constraints files, saw {seen}"
    );
}

/// JSON equality with numbers compared by value (`24` equals `24.0`), ignoring keys the typed
/// model adds with default values (`version`, `dataset` on the hand-edited model-card file).
fn json_eq(ours: &serde_json::Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (ours, theirs) {
        (Number(a), Number(b)) => a.as_f64() == b.as_f64(),
        (Object(a), Object(b)) => {
            b.iter()
                .all(|(k, v)| a.get(k).is_some_and(|x| json_eq(x, v)))
                && a.keys()
                    .all(|k| b.contains_key(k) || k == "version" || k == "dataset")
        }
        (Array(a), Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_eq(x, y)),
        (a, b) => a == b,
    }
}
