//! Unit tests of the page's formatting and rendering.

use super::*;
use serde_json::json;

#[test]
fn numbers_read_well() {
    assert_eq!(fmt_num(40568.37748), "40,568");
    assert_eq!(fmt_num(0.6515752547), "0.6516");
    assert_eq!(fmt_num(0.1), "0.1");
    assert_eq!(fmt_p(6.497581007001163e-19), "6.5e-19");
    assert_eq!(fmt_compact(28862.87, 3), "28.9k");
    assert_eq!(fmt_compact(0.046518, 3), "0.0465");
    assert_eq!(fmt_severity(2.9999), "2.99");
    assert_eq!(esc("<a&\"'>"), "&lt;a&amp;&quot;&#39;&gt;");
}

fn feature(v: serde_json::Value) -> FeatureReport {
    let mut f = json!({"name": "f", "inferred_type": "Fractional",
        "linf_verdict": "skipped", "alpha": 0.05, "checks": []});
    if v.get("absent").is_none() {
        f["num_present"] = json!(10);
        f["num_missing"] = json!(0);
    }
    for (k, x) in v.as_object().unwrap() {
        f[k] = x.clone();
    }
    serde_json::from_value(f).expect("feature")
}

fn report(features: Vec<FeatureReport>) -> DriftReport {
    serde_json::from_value(json!({
        "endpoint": "ep", "variants": [], "status": "Completed", "message": "", "violations": 0,
        "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T01:00:00Z"},
        "records": {"objects": 0, "read": 0, "outside_window": 0, "rejected": 0, "rows_profiled": 0},
        "rejected_by_kind": {}, "rejected_examples": [], "hours_without_data": [],
        "drift_config": {"psi_threshold": 0.25, "psi_bins": 10, "psi_epsilon": 1e-4,
            "ks_threshold": 0.1, "cramers_v_threshold": 0.1, "alpha": 0.05, "correction": "none"},
        "features": features,
    }))
    .expect("report")
}

#[test]
fn odd_reports_render() {
    let gone = feature(json!({"absent": true,
        "checks": [{"check": "completeness", "constraint_check_type": "completeness_check",
                    "status": "violation", "description": "Data completeness 0.0"}]}));
    for r in [report(vec![]), report(vec![gone])] {
        let html = render(&r, std::slice::from_ref(&r));
        assert!(html.ends_with("</html>\n"));
    }
}

#[test]
fn severity_counts_violations_then_ratio() {
    let ks = |stat: f64, verdict: &str| {
        json!({"psi": 0.5, "psi_threshold": 0.25, "psi_p_value_adjusted": null,
            "psi_verdict": "drift", "ks_statistic": stat, "ks_threshold": 0.1,
            "ks_p_value": 0.5, "ks_p_value_adjusted": null, "ks_error_bound": 0.0,
            "ks_verdict": verdict,
            "bins": {"edges": [], "baseline": [1.0], "current": [1.0], "last_bin": "missing"},
            "checks": [{"check": "PSI (driftmon)", "constraint_check_type": "baseline_drift_check",
                        "status": "violation"},
                       {"check": "KS", "constraint_check_type": "baseline_drift_check",
                        "status": "pass"}]})
    };
    let s = severity(&feature(ks(0.1, "ok")));
    assert!((s - (1.0 + 2.0 / 3.0)).abs() < 1e-9, "{s}");
    let p = feature(
        json!({"chi_squared_gof_p_value": 0.01, "linf_threshold": 0.1,
        "linf_method": "ChiSquared", "linf_verdict": "drift"}),
    );
    assert!((severity(&p) - 2.0 / 3.0).abs() < 1e-9);
}
