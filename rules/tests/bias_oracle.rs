//! Every bias metric against smclarify 0.5 itself: `rules/oracle/bias_reference.json`, written
//! by `rules/oracle/gen_bias.py` (generated tables with several facets, thresholds, group
//! variables and label values, and the edge cases). Values agree to 1e-12 (relative, or
//! absolute below 1); error messages, infinities, the integer `0`, `value_or_threshold`
//! strings and stage aborts agree exactly.

use driftmon_rules::bias::analysis::{analyze, BiasSpec, BiasTable, FacetSpec};
use driftmon_rules::bias::metrics::{Metric, Num};
use driftmon_rules::bias::table::Column;
use driftmon_rules::clarify::{MethodSelection, NameOrIndex, Scalar};
use serde_json::Value;

fn column(v: &Value) -> Column {
    let vals = v["values"].as_array().unwrap();
    match v["type"].as_str().unwrap() {
        "int" => Column::Int(vals.iter().map(|x| x.as_i64().unwrap()).collect()),
        "float" => Column::Float(vals.iter().map(|x| x.as_f64().unwrap()).collect()),
        "bool" => Column::Bool(vals.iter().map(|x| x.as_bool().unwrap()).collect()),
        _ => Column::Str(
            vals.iter()
                .map(|x| x.as_str().unwrap().to_owned())
                .collect(),
        ),
    }
}

fn scalars(v: &Value) -> Vec<Scalar> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| match x {
            Value::Bool(b) => Scalar::Bool(*b),
            Value::String(s) => Scalar::Str(s.clone()),
            Value::Number(n) if n.is_f64() => Scalar::Float(n.as_f64().unwrap()),
            Value::Number(n) => Scalar::Int(n.as_i64().unwrap()),
            _ => panic!("bad value {x}"),
        })
        .collect()
}

#[test]
fn every_metric_matches_smclarify() {
    let text = include_str!("../oracle/bias_reference.json");
    let r: Value = serde_json::from_str(text).unwrap();
    let (mut compared, mut edge, mut exact) = (0usize, 0usize, 0usize);
    for case in r["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let table = BiasTable {
            features: case["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f[0].as_str().unwrap().to_owned(), column(&f[1])))
                .collect(),
            label: column(&case["label"]),
            predicted_label: case["predicted_label"]
                .as_object()
                .map(|_| column(&case["predicted_label"])),
        };
        for f in case["facets"].as_array().unwrap() {
            let spec = BiasSpec {
                label_name: "y".into(),
                label_values: scalars(&case["label_values"]),
                facets: vec![FacetSpec {
                    column: NameOrIndex::Name(f["name"].as_str().unwrap().to_owned()),
                    values: f["values"].as_array().map(|_| scalars(&f["values"])),
                }],
                group_variable: case["group_variable"]
                    .as_str()
                    .map(|g| NameOrIndex::Name(g.to_owned())),
                pre_training: Some(MethodSelection::All),
                post_training: table.predicted_label.as_ref().map(|_| MethodSelection::All),
            };
            let ours = analyze(&table, &spec).unwrap();
            for (key, stage) in [("pre", &ours.pre_training), ("post", &ours.post_training)] {
                let want = &f[key];
                if want.is_null() {
                    continue;
                }
                let ctx = format!("{name} / {} / {key}", f["name"]);
                let got = match stage.as_ref().unwrap() {
                    Err(e) => Err(e.clone()),
                    Ok(s) => s.facets[0].values.clone(),
                };
                if let Some(e) = want.get("error") {
                    assert_eq!(got.as_ref().err().map(String::as_str), e.as_str(), "{ctx}");
                    edge += 1;
                    continue;
                }
                let got = got.unwrap_or_else(|e| panic!("{ctx}: we failed with {e}"));
                let want = want["result"].as_array().unwrap();
                assert_eq!(got.len(), want.len(), "{ctx}");
                for (g, w) in got.iter().zip(want) {
                    assert_eq!(
                        g.value_or_threshold,
                        w["value_or_threshold"].as_str().unwrap(),
                        "{ctx}"
                    );
                    let wm = w["metrics"].as_array().unwrap();
                    assert_eq!(g.metrics.len(), wm.len(), "{ctx}");
                    for (gm, wm) in g.metrics.iter().zip(wm) {
                        let mname = wm["name"].as_str().unwrap();
                        assert_eq!(Some(gm.metric), Metric::from_name(mname), "{ctx}");
                        let c = format!("{ctx} / {} / {mname}", g.value_or_threshold);
                        match (&gm.outcome, &wm["value"]) {
                            (Err(e), Value::Null) => {
                                assert_eq!(Some(e.as_str()), wm["error"].as_str(), "{c}");
                                edge += 1;
                            }
                            (Ok(Num::Float(x)), Value::String(s)) => {
                                let inf = if s == "Infinity" {
                                    f64::INFINITY
                                } else {
                                    f64::NEG_INFINITY
                                };
                                assert_eq!(*x, inf, "{c}");
                                edge += 1;
                            }
                            (Ok(Num::Int(i)), Value::Number(n)) if n.is_i64() => {
                                assert_eq!(Some(*i), n.as_i64(), "{c}");
                                edge += 1;
                            }
                            (Ok(Num::Float(x)), Value::Number(n)) if n.is_f64() => {
                                let w = n.as_f64().unwrap();
                                assert!(
                                    (x - w).abs() <= 1e-12 * w.abs().max(1.0),
                                    "{c}: ours {x:?}, smclarify {w:?}"
                                );
                                compared += 1;
                                exact += (*x == w) as usize;
                                if *x != w {
                                    eprintln!("not bit-identical: {c}: {x:?} vs {w:?}");
                                }
                            }
                            (o, w) => panic!("{c}: ours {o:?}, smclarify {w}"),
                        }
                    }
                }
            }
        }
    }
    eprintln!("smclarify oracle: {compared} values within 1e-12 ({exact} bit-identical), {edge} edge cases identical");
    assert!(compared > 300 && edge > 30, "{compared} {edge}");
}
