//! `dashboards/grafana/driftmon-serve.json`, the Grafana dashboard of `driftmon serve`'s
//! `/metrics`, against the real exporter ([`driftmon_monitor::daemon::scheduler::Status::prometheus`]):
//!
//! * every `driftmon_*` metric named in a panel's query (and in the `monitor` variable's query) is
//!   a family the exporter declares with a `# TYPE` line (per-monitor families have no samples
//!   until a monitor exists, but their `# TYPE` lines are always there);
//! * the dashboard has a `uid` and a `title`, a `${DS_PROMETHEUS}` import input, a `datasource`
//!   variable of type prometheus and a `monitor` variable from
//!   `label_values(driftmon_runs_total, monitor)`;
//! * every panel has a title, a datasource (the `datasource` variable), a position and at least
//!   one query, and panel ids are unique.

use std::collections::BTreeSet;
use std::path::PathBuf;

use driftmon_monitor::daemon::scheduler::Status;
use serde_json::Value;

fn dashboard() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("dashboards/grafana/driftmon-serve.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `driftmon_[a-z_]+` in `text`.
fn metric_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("driftmon_") {
        let before = rest[..i].chars().next_back();
        let tail = &rest[i..];
        let len = tail
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_lowercase() || c == '_'))
            .map_or(tail.len(), |(j, _)| j);
        // Part of a longer identifier (`x_driftmon_y`) is not a metric name of ours.
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(tail[..len].to_owned());
        }
        rest = &tail[len.max(1)..];
    }
    out
}

/// Panels, including those nested in collapsed rows.
fn all_panels(d: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = d["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .rev()
        .collect();
    while let Some(p) = stack.pop() {
        out.push(p);
        if let Some(inner) = p["panels"].as_array() {
            stack.extend(inner.iter().rev());
        }
    }
    out
}

/// The metric families the exporter declares (`# TYPE name kind`).
fn exported_families() -> BTreeSet<String> {
    let text = Status::default().prometheus();
    let families: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(
        families.contains("driftmon_runs_total") && families.contains("driftmon_up"),
        "{text}"
    );
    families
}

#[test]
fn metric_name_extraction() {
    assert_eq!(
        metric_names(
            "time() - max by (monitor) (driftmon_last_success_timestamp_seconds{monitor=~\"$monitor\"} > 0) + x_driftmon_no"
        ),
        vec!["driftmon_last_success_timestamp_seconds"]
    );
    assert_eq!(
        metric_names("sum(rate(driftmon_runs_total[5m])) / driftmon_up"),
        vec!["driftmon_runs_total", "driftmon_up"]
    );
}

#[test]
fn every_queried_metric_is_exported() {
    let d = dashboard();
    let families = exported_families();
    let mut used = BTreeSet::new();
    let mut queries = 0;
    for p in all_panels(&d) {
        for t in p["targets"].as_array().into_iter().flatten() {
            let expr = t["expr"]
                .as_str()
                .unwrap_or_else(|| panic!("panel `{}`: a target without `expr`", p["title"]));
            queries += 1;
            let names = metric_names(expr);
            assert!(
                !names.is_empty(),
                "panel `{}`: `{expr}` queries no driftmon metric",
                p["title"]
            );
            for n in names {
                assert!(
                    families.contains(&n),
                    "panel `{}` queries `{n}`, which driftmon serve does not export \
                     (exported: {families:?})",
                    p["title"]
                );
                used.insert(n);
            }
        }
    }
    assert!(queries >= 12, "only {queries} queries");
    // The variables' queries too.
    for v in d["templating"]["list"].as_array().expect("templating.list") {
        let text = format!("{} {}", v["query"], v["definition"]);
        for n in metric_names(&text) {
            assert!(
                families.contains(&n),
                "variable `{}` queries `{n}`, which driftmon serve does not export",
                v["name"]
            );
        }
    }
    // The panels the operator's guide promises.
    for must in [
        "driftmon_up",
        "driftmon_runs_total",
        "driftmon_run_failed_attempts_total",
        "driftmon_last_success_timestamp_seconds",
        "driftmon_last_violations",
        "driftmon_drift_episode_open",
        "driftmon_actions_total",
        "driftmon_lease_busy_total",
        "driftmon_state_errors_total",
        "driftmon_skipped_windows_total",
        "driftmon_run_in_progress",
        "driftmon_last_run_duration_seconds",
    ] {
        assert!(used.contains(must), "no panel shows {must}");
    }
}

#[test]
fn dashboard_identity_variables_and_panels() {
    let d = dashboard();
    assert!(d["uid"].as_str().is_some_and(|s| !s.is_empty()), "no uid");
    assert!(
        d["title"].as_str().is_some_and(|s| !s.is_empty()),
        "no title"
    );
    assert!(d["schemaVersion"].as_u64().is_some_and(|v| v >= 36));

    // Import input and the datasource variable.
    let inputs = d["__inputs"].as_array().expect("__inputs");
    assert!(
        inputs
            .iter()
            .any(|i| i["name"] == "DS_PROMETHEUS" && i["pluginId"] == "prometheus"),
        "{inputs:?}"
    );
    let vars = d["templating"]["list"].as_array().expect("templating.list");
    let var = |name: &str| {
        vars.iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no `{name}` variable"))
    };
    let ds = var("datasource");
    assert_eq!(ds["type"], "datasource");
    assert_eq!(ds["query"], "prometheus");
    let monitor = var("monitor");
    assert_eq!(monitor["type"], "query");
    assert_eq!(
        monitor["definition"],
        "label_values(driftmon_runs_total, monitor)"
    );
    assert_eq!(monitor["datasource"]["uid"], "${datasource}");

    let mut ids = BTreeSet::new();
    for p in all_panels(&d) {
        let title = p["title"].as_str().unwrap_or("");
        assert!(!title.trim().is_empty(), "a panel without a title: {p}");
        let ds = &p["datasource"];
        assert!(
            ds.is_object() || ds.is_string(),
            "panel `{title}` has no datasource"
        );
        if p["type"] == "row" {
            continue;
        }
        assert_eq!(ds["type"], "prometheus", "panel `{title}`");
        assert_eq!(ds["uid"], "${datasource}", "panel `{title}`");
        let id = p["id"]
            .as_u64()
            .unwrap_or_else(|| panic!("panel `{title}` has no id"));
        assert!(ids.insert(id), "panel id {id} is used twice");
        for k in ["x", "y", "w", "h"] {
            assert!(
                p["gridPos"][k].is_u64(),
                "panel `{title}`: gridPos.{k} missing"
            );
        }
        let targets = p["targets"].as_array().map_or(0, Vec::len);
        assert!(targets > 0, "panel `{title}` has no query");
        for t in p["targets"].as_array().into_iter().flatten() {
            assert!(
                t["refId"].as_str().is_some_and(|s| !s.is_empty()),
                "panel `{title}`: a target without refId"
            );
        }
    }
}
