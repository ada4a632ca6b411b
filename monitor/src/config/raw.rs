//! The TOML as written: serde structs with every key optional, and the generic table decoding
//! that reports every unknown key (with a suggestion) and every bad value of a table at once.

use super::*;

// ---------------------------------------------------------------------------------------------
// Raw structs (serde)
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    pub(super) listen: Option<String>,
    pub(super) shutdown_grace_seconds: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    pub(super) capture: Option<String>,
    pub(super) output: Option<String>,
    pub(super) variant: Option<String>,
    pub(super) schedule: Option<String>,
    pub(super) start_offset: Option<String>,
    pub(super) end_offset: Option<String>,
    pub(super) max_catch_up: Option<u64>,
    pub(super) lease: Option<String>,
    pub(super) retry_attempts: Option<u32>,
    pub(super) retry_backoff: Option<String>,
    pub(super) retry_max_backoff: Option<String>,
    pub(super) workers: Option<u64>,
    pub(super) drift: Option<Value>,
    pub(super) policy: Option<Value>,
    pub(super) actions: Option<Value>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(super) enum RawAttr {
    Index(u64),
    Name(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMonitor {
    pub(super) name: Option<String>,
    pub(super) kind: Option<String>,
    #[serde(rename = "type")]
    pub(super) monitor_type: Option<String>,
    pub(super) endpoint: Option<String>,
    pub(super) variant: Option<String>,
    pub(super) capture: Option<String>,
    pub(super) baseline: Option<String>,
    pub(super) output: Option<String>,
    pub(super) schedule: Option<String>,
    pub(super) start_offset: Option<String>,
    pub(super) end_offset: Option<String>,
    pub(super) input_path: Option<String>,
    pub(super) output_path: Option<String>,
    pub(super) ground_truth: Option<String>,
    pub(super) problem_type: Option<String>,
    pub(super) inference_attribute: Option<RawAttr>,
    pub(super) probability_attribute: Option<RawAttr>,
    pub(super) probability_threshold: Option<f64>,
    pub(super) ground_truth_attribute: Option<RawAttr>,
    pub(super) analysis_config: Option<String>,
    pub(super) decision_mode: Option<String>,
    pub(super) bootstrap_resamples: Option<u64>,
    pub(super) bootstrap_seed: Option<u64>,
    pub(super) max_catch_up: Option<u64>,
    pub(super) lease: Option<String>,
    pub(super) retry_attempts: Option<u32>,
    pub(super) retry_backoff: Option<String>,
    pub(super) retry_max_backoff: Option<String>,
    pub(super) workers: Option<u64>,
    pub(super) drift: Option<Value>,
    pub(super) policy: Option<Value>,
    pub(super) actions: Option<Value>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDrift {
    pub(super) psi: Option<bool>,
    pub(super) psi_threshold: Option<f64>,
    pub(super) psi_bins: Option<u64>,
    pub(super) psi_epsilon: Option<f64>,
    pub(super) ks: Option<bool>,
    pub(super) ks_threshold: Option<f64>,
    pub(super) chi_square: Option<bool>,
    pub(super) cramers_v_threshold: Option<f64>,
    pub(super) alpha: Option<f64>,
    pub(super) correction: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) check_types: Option<Vec<String>>,
    pub(super) features: Option<Vec<String>>,
    pub(super) ignore_features: Option<Vec<String>>,
    pub(super) consecutive_windows: Option<u32>,
    pub(super) clean_windows_to_close: Option<u32>,
    pub(super) notify_resolved: Option<bool>,
    pub(super) alert_on_failure: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawActions {
    pub(super) pipeline: Option<Value>,
    pub(super) email: Option<Value>,
    pub(super) webhook: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPipeline {
    pub(super) pipeline_name: Option<String>,
    pub(super) parameters: Option<BTreeMap<String, String>>,
    pub(super) region: Option<String>,
    pub(super) cooldown: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmail {
    pub(super) to: Option<OneOrMany>,
    pub(super) from: Option<String>,
    pub(super) smtp_host: Option<String>,
    pub(super) smtp_port: Option<u16>,
    pub(super) tls: Option<String>,
    pub(super) username: Option<String>,
    pub(super) password_env: Option<String>,
    pub(super) password_file: Option<String>,
    pub(super) subject_prefix: Option<String>,
    pub(super) timeout_seconds: Option<u64>,
    pub(super) cooldown: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebhook {
    pub(super) url: Option<String>,
    pub(super) slack: Option<bool>,
    pub(super) token_env: Option<String>,
    pub(super) token_file: Option<String>,
    pub(super) timeout_seconds: Option<u64>,
    pub(super) cooldown: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Generic table decoding: every unknown key and every bad value of a table
// ---------------------------------------------------------------------------------------------

/// The field names serde derives for a struct (its `deserialize_struct` call).
pub(super) fn struct_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> de::Deserializer<'de> for Probe<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("probe"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("probe"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

pub(super) fn join_path(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

/// Cleans serde/toml messages: one line, without toml's own key suffixes.
pub(super) fn clean_message(e: &toml::de::Error) -> String {
    let m = e.message().trim();
    let first = m.lines().next().unwrap_or(m);
    first.trim_end_matches('.').to_owned()
}

/// Decodes a table into `T`: reports every unknown key and every key whose value does not
/// decode, and decodes the rest. Returns the value and the keys that were bad (so that
/// "missing key" is not reported for them as well).
pub(super) fn decode<T: DeserializeOwned + Default>(
    value: Value,
    path: &str,
    errs: &mut Errs,
) -> (T, BTreeSet<String>) {
    let mut bad = BTreeSet::new();
    let mut table = match value {
        Value::Table(t) => t,
        other => {
            errs.push(
                path,
                format!("expected a table, found {}", type_name(&other)),
            );
            return (T::default(), bad);
        }
    };
    let known = struct_fields::<T>();
    let unknown: Vec<String> = table
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in unknown {
        let near = known
            .iter()
            .map(|c| (edit_distance(&k, c), *c))
            .filter(|(d, c)| *d <= 2.max(c.len() / 4))
            .min();
        let hint = match near {
            Some((_, c)) => format!("; did you mean `{c}`?"),
            None => format!(" (expected one of: {})", known.join(", ")),
        };
        errs.push(&join_path(path, &k), format!("unknown key{hint}"));
        table.remove(&k);
        bad.insert(k);
    }
    match T::deserialize(Value::Table(table.clone())) {
        Ok(t) => (t, bad),
        Err(_) => {
            // Find every bad key on its own: the structs' fields are all optional.
            let keys: Vec<String> = table.keys().cloned().collect();
            for k in keys {
                let Some(v) = table.get(&k).cloned() else {
                    continue;
                };
                let mut one = Table::new();
                one.insert(k.clone(), v.clone());
                if let Err(e) = T::deserialize(Value::Table(one)) {
                    errs.push(
                        &join_path(path, &k),
                        format!("{} (found {})", clean_message(&e), type_name(&v)),
                    );
                    table.remove(&k);
                    bad.insert(k);
                }
            }
            match T::deserialize(Value::Table(table)) {
                Ok(t) => (t, bad),
                Err(e) => {
                    errs.push(path, clean_message(&e));
                    (T::default(), bad)
                }
            }
        }
    }
}
