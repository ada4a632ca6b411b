//! How `drift_report.json` spells numbers that JSON cannot hold, as serde helpers.
//!
//! Two conventions live in the report, both inherited from the writers:
//! - **drift scores** (the data-quality part): a non-finite `f64` is written as `null` (serde_json
//!   does that for any `f64`), and read back as NaN;
//! - **model-quality metrics and thresholds**: written as SageMaker's Jackson does, a number or
//!   one of the strings `"NaN"`, `"Infinity"`, `"-Infinity"` ([`crate::model_quality::json_number`]).
//!
//! Field shapes (absent, present, `null`) are kept apart by the `deserialize_with` helpers below:
//! an `Option<f64>` field that the writer omits when it has no value uses [`present`] (present
//! `null` → `Some(NaN)`), one it always writes uses [`nullable`] (`null` → `None`).

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `f64`, with `null` read back as NaN.
pub fn nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Option::<f64>::deserialize(d).map(|x| x.unwrap_or(f64::NAN))
}

/// A field written only when it has a value: present `null` is `Some(NaN)` (so that it is
/// written again, as `null`).
pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    nan(d).map(Some)
}

/// A field written only in some variants, whose value may itself be `null`: the outer `Option`
/// is presence, the inner one the value.
pub fn present_nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

/// An array of `f64` where `null` is NaN.
pub fn nan_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    Vec::<Option<f64>>::deserialize(d)
        .map(|v| v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

/// An `f64` in Jackson's spelling: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Jackson(pub f64);

impl Serialize for Jackson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_finite() {
            s.serialize_f64(x)
        } else if x.is_nan() {
            s.serialize_str("NaN")
        } else if x > 0.0 {
            s.serialize_str("Infinity")
        } else {
            s.serialize_str("-Infinity")
        }
    }
}

impl<'de> Deserialize<'de> for Jackson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(x) => Ok(Jackson(x)),
            Raw::Text(t) => match t.as_str() {
                "NaN" => Ok(Jackson(f64::NAN)),
                "Infinity" => Ok(Jackson(f64::INFINITY)),
                "-Infinity" => Ok(Jackson(f64::NEG_INFINITY)),
                _ => Err(de::Error::custom(format!("`{t}` is not a number"))),
            },
        }
    }
}

/// `f64` fields in Jackson's spelling (`#[serde(with = "jackson")]`).
pub mod jackson {
    use super::*;

    /// Writes a number or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        Jackson(*x).serialize(s)
    }

    /// Reads what [`serialize`] writes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Jackson::deserialize(d).map(|j| j.0)
    }
}

/// `Option<f64>` fields in Jackson's spelling, `None` as `null` (`#[serde(with = "jackson_opt")]`).
pub mod jackson_opt {
    use super::*;

    /// Writes `null`, a number or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    pub fn serialize<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        x.map(Jackson).serialize(s)
    }

    /// Reads what [`serialize`] writes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<Jackson>::deserialize(d).map(|o| o.map(|j| j.0))
    }
}

/// Named `f64` values in their order, written as a JSON object in Jackson's spelling
/// (`#[serde(with = "jackson_map")]`). A `Vec` rather than a map: the order is the writer's.
pub mod jackson_map {
    use super::*;

    /// Writes `{"name": value, …}` in order.
    pub fn serialize<S: Serializer>(v: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(v.len()))?;
        for (k, x) in v {
            m.serialize_entry(k, &Jackson(*x))?;
        }
        m.end()
    }

    struct Ordered;

    impl<'de> Visitor<'de> for Ordered {
        type Value = Vec<(String, f64)>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of numbers")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, Jackson(x))) = a.next_entry::<String, Jackson>()? {
                if out.iter().any(|(o, _): &(String, f64)| *o == k) {
                    return Err(de::Error::custom(format!("duplicate metric `{k}`")));
                }
                out.push((k, x));
            }
            Ok(out)
        }
    }

    /// Reads what [`serialize`] writes, keeping the order.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        d.deserialize_map(Ordered)
    }
}
