//! `analysis_config.json` reading: the real configs of clarify-monitors.md §2.1 (as the SDK
//! logged them in the AWS example notebooks; there is no raw file among the fixtures) and
//! malformed ones, whose problems must all be reported at once with their JSON paths.

use driftmon_rules::bias::BiasSpec;
use driftmon_rules::clarify::{AggMethod, AnalysisConfig, MethodSelection, NameOrIndex, Scalar};

const BIAS_BASELINE: &str = r#"{"dataset_type": "application/json", "features": "instances[*].features",
 "headers": ["Age","Workclass","fnlwgt","Education","Education-Num","Marital Status","Occupation","Relationship",
             "Ethnic group","Sex","Capital Gain","Capital Loss","Hours per week","Country","Target"],
 "label": "instances[*].label", "label_values_or_threshold": [1],
 "facet": [{"name_or_index": "Sex", "value_or_threshold": [0]}], "group_variable": "Age",
 "methods": {"report": {"name": "report", "title": "Analysis Report"},
             "pre_training_bias": {"methods": "all"}, "post_training_bias": {"methods": "all"}},
 "predictor": {"model_name": "DEMO-xgb-churn-pred-model", "instance_type": "ml.m5.xlarge", "initial_instance_count": 1,
               "accept_type": "application/json", "content_type": "application/json",
               "content_template": "{\"instances\":$records}", "record_template": "{\"features\":$features}",
               "label": "predictions[*].predicted_label", "probability": "predictions[*].score"}}"#;

const EXPLAINABILITY_BASELINE: &str = r#"{"dataset_type": "application/json", "features": "instances[*].features",
 "headers": ["Age","Workclass","fnlwgt","Education","Education-Num","Marital Status","Occupation","Relationship",
             "Ethnic group","Sex","Capital Gain","Capital Loss","Hours per week","Country","Target"],
 "label": "instances[*].label",
 "predictor": {"model_name": "DEMO-model", "instance_type": "ml.m5.xlarge", "initial_instance_count": 1,
               "accept_type": "application/json", "content_type": "application/json",
               "content_template": "{\"instances\":$records}", "record_template": "{\"features\":$features}",
               "label": "predictions[*].score"},
 "methods": {"report": {"name": "report", "title": "Analysis Report"},
             "shap": {"use_logit": false, "save_local_shap_values": false,
                      "baseline": {"instances": [{"features": [39,2,184870,10,10,3,6,1,4,1,1597,61,41,37]}]},
                      "num_samples": 100, "agg_method": "mean_abs"}}}"#;

const BIAS_MONITOR: &str = r#"{"label_values_or_threshold":[1],"facet":[{"name_or_index":"Sex","value_or_threshold":[0]}],
 "group_variable":"Age","headers":["Age","Workclass","fnlwgt","Education","Education-Num","Marital Status","Occupation",
 "Relationship","Ethnic group","Sex","Capital Gain","Capital Loss","Hours per week","Country","Target"],"label":"instances[*].label"}"#;

#[test]
fn real_bias_baseline_config() {
    let c = AnalysisConfig::from_json_str(BIAS_BASELINE).unwrap();
    assert_eq!(c.dataset_type.as_deref(), Some("application/json"));
    assert_eq!(c.headers.as_ref().unwrap().len(), 15);
    assert_eq!(
        c.label,
        Some(NameOrIndex::Name("instances[*].label".into()))
    );
    assert_eq!(c.label_header().as_deref(), Some("Target"));
    assert_eq!(c.label_values_or_threshold, Some(vec![Scalar::Int(1)]));
    assert_eq!(c.facet[0].name_or_index, NameOrIndex::Name("Sex".into()));
    assert_eq!(c.facet[0].value_or_threshold, Some(vec![Scalar::Int(0)]));
    assert_eq!(c.group_variable, Some(NameOrIndex::Name("Age".into())));
    assert_eq!(c.methods.pre_training_bias, Some(MethodSelection::All));
    assert_eq!(c.methods.post_training_bias, Some(MethodSelection::All));
    assert_eq!(c.methods.report.as_ref().unwrap().name, "report");
    let p = c.predictor.as_ref().unwrap();
    assert_eq!(
        p.label,
        Some(NameOrIndex::Name("predictions[*].predicted_label".into()))
    );
    assert_eq!(
        p.probability,
        Some(NameOrIndex::Name("predictions[*].score".into()))
    );
    assert_eq!(p.initial_instance_count, Some(1));
    assert_eq!(c.probability_threshold_or_default(), 0.5);
    assert!(c.wants_bias());
    let spec = BiasSpec::from_config(&c).unwrap();
    assert_eq!(spec.label_name, "Target");
}

#[test]
fn real_explainability_baseline_config() {
    let c = AnalysisConfig::from_json_str(EXPLAINABILITY_BASELINE).unwrap();
    let s = c.methods.shap.as_ref().unwrap();
    assert_eq!(
        (
            s.num_samples,
            s.agg_method,
            s.use_logit,
            s.save_local_shap_values
        ),
        (Some(100), AggMethod::MeanAbs, false, false)
    );
    assert!(s.baseline.as_ref().unwrap()["instances"][0]["features"].is_array());
    assert_eq!(
        c.predictor.as_ref().unwrap().label,
        Some(NameOrIndex::Name("predictions[*].score".into()))
    );
    assert!(!c.wants_bias());
}

#[test]
fn real_bias_monitor_config_computes_everything() {
    let c = AnalysisConfig::from_json_str(BIAS_MONITOR).unwrap();
    assert!(c.methods.pre_training_bias.is_none() && c.predictor.is_none());
    assert!(c.wants_bias());
    let spec = BiasSpec::from_config(&c).unwrap();
    assert_eq!(spec.pre_training, Some(MethodSelection::All));
    assert_eq!(spec.post_training, Some(MethodSelection::All));
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let bad = r#"{
        "version": "2.0",
        "dataset_type": "text/tsv",
        "headers": ["a", "b", "a"],
        "excluded_columns": ["a", 1.5],
        "label": -1,
        "label_values_or_threshold": [],
        "facet": [{"value_or_threshold": [0]}, {"name_or_index": "zz", "value_or_threshold": "x"}, 7],
        "group_variable": "nope",
        "probability_threshold": "high",
        "methods": {"pre_training_bias": {"methods": ["CI", "XYZ"]},
                    "post_training_bias": {},
                    "shap": {"num_samples": 0, "agg_method": "max", "use_logit": "no", "baseline": 3},
                    "report": {"title": "t"}},
        "predictor": {"endpoint_name_prefix": "a-prefix-that-is-far-too-long", "initial_instance_count": 0}
    }"#;
    let errs = AnalysisConfig::from_json_str(bad).unwrap_err();
    let got: Vec<String> = errs.0.iter().map(|p| p.to_string()).collect();
    let want = [
        "version: unsupported version \"2.0\" (only \"1.0\")",
        "headers[2]: duplicate header \"a\"",
        "excluded_columns[1]: expected a column name",
        "label: expected a column name or a non-negative integer index",
        "label_values_or_threshold: empty list",
        "facet[0].name_or_index: missing",
        "facet[1].value_or_threshold: expected a list of values",
        "facet[2]: expected an object",
        "probability_threshold: expected a number",
        "methods.pre_training_bias.methods[1]: unknown metric \"XYZ\"",
        "methods.post_training_bias.methods: missing",
        "methods.report.name: missing",
        "methods.shap.agg_method: unknown \"max\"",
        "methods.shap.baseline: expected an S3 URI",
        "methods.shap.num_samples: expected an integer ≥ 1",
        "methods.shap.use_logit: expected true or false",
        "predictor.initial_instance_count: expected an integer ≥ 1",
        "predictor.endpoint_name_prefix: longer than 23 characters",
        "predictor: needs endpoint_name or model_name",
        "dataset_type: unknown \"text/tsv\"",
        "facet[1].name_or_index: \"zz\" is not one of the headers",
        "group_variable: \"nope\" is not one of the headers",
    ];
    for w in want {
        assert!(
            got.iter().any(|g| g.starts_with(w)),
            "missing {w:?} in {got:#?}"
        );
    }
    // The whole list renders as one error message.
    assert!(errs.to_string().starts_with("analysis_config.json: "));
}

#[test]
fn bias_spec_needs_label_values_and_facet() {
    let c = AnalysisConfig::from_json_str(r#"{"label": "y"}"#).unwrap();
    let e = BiasSpec::from_config(&c).unwrap_err();
    let got: Vec<String> = e.0.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        ["label_values_or_threshold: missing", "facet: missing"]
    );
    let e =
        AnalysisConfig::from_json_str(r#"{"methods": {"post_training_bias": {"methods": "all"}}}"#)
            .unwrap_err();
    let got: Vec<String> = e.0.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        [
            "label_values_or_threshold: missing (required for bias metrics)",
            "facet: missing (required for bias metrics)",
            "predictor: missing (post_training_bias needs predictor or predicted_label)"
        ]
    );
    assert!(
        AnalysisConfig::from_json_str("[1]").unwrap_err().0[0].to_string()
            == "$: expected an object"
    );
    assert!(AnalysisConfig::from_json_str("{").unwrap_err().0[0].path == "$");
}
