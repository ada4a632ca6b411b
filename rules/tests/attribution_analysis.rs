//! `analysis.json` for explainability against the AWS-written files (`clarify-monitors.md`
//! §5.4): the notebook baseline is reproduced byte for byte, and the SDK's hand-edited model-card
//! example (extra `global_top_shap_text`, two labels, two-space indentation) reads as a baseline.

use std::path::PathBuf;

use driftmon_rules::attribution::{check_drift, parse_analysis, write_analysis};

fn fixtures() -> Option<PathBuf> {
    let dir = match std::env::var_os("DRIFTMON_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
    };
    let dir = dir.join("fixtures/sagemaker");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: shared fixtures absent (set DRIFTMON_SHARED_DIR)");
        None
    }
}

#[test]
fn notebook_baseline_is_reproduced_byte_for_byte() {
    let Some(dir) = fixtures() else { return };
    let bytes = std::fs::read(
        dir.join("examples-notebook-output-clarify/explainability-baseline-analysis.label0.json"),
    )
    .expect("fixture");
    let labels = parse_analysis(&bytes).expect("parse");
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].label, "label0");
    assert_eq!(labels[0].expected_value, Some(0.250623226165771));
    let names: Vec<&str> = labels[0]
        .global_shap_values
        .iter()
        .map(|(f, _)| f.as_str())
        .collect();
    assert_eq!(names[0], "Age");
    assert_eq!(names[13], "Country");
    // The fixture is the notebook's print() of the S3 object: the object plus print's newline.
    let written = write_analysis(&labels);
    assert_eq!(format!("{written}\n").as_bytes(), &bytes[..]);
}

#[test]
fn sdk_model_card_example_reads_as_a_baseline() {
    let Some(dir) = fixtures() else { return };
    let bytes =
        std::fs::read(dir.join("sdk-clarify-analysis/model_card_clarify_explanability.json"))
            .expect("fixture");
    let labels = parse_analysis(&bytes).expect("parse");
    let names: Vec<&str> = labels.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(names, vec!["label0", "label1"]);
    assert_eq!(labels[0].global_shap_values.len(), 8);
    assert_eq!(
        labels[0].global_shap_values[0],
        ("Marital Status".to_string(), 0.028630413807559794)
    );
    assert_eq!(labels[1].global_shap_values.len(), 5);
    assert_eq!(labels[1].expected_value, Some(0.0006380207487381995));
    // Compared with itself: clean.
    let check = check_drift(&labels, &labels, 0.9);
    assert_eq!(check.constraint_violations_json(), None);
}
