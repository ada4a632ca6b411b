//! Lenient number (de)serialization for the SageMaker files: doubles may be written as the
//! strings `"NaN"`, `"Infinity"`, `"-Infinity"` (as the analyzer writes non-finite metrics) and
//! counts as whole doubles (`24.0`); written back as AWS writes them. Used through
//! `#[serde(with = "…")]` by [`super::statistics`] and [`super::constraints`].

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serializer};
use std::fmt;

fn non_finite_name(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// Parses a double written as a string: `NaN`, `Infinity`, `-Infinity`
/// (also `+Infinity`, `inf`, …) or any decimal number.
fn f64_from_str(s: &str) -> Option<f64> {
    let t = s.trim();
    match t {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "+Infinity" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => t.parse::<f64>().ok(),
    }
}

struct F64Visitor;

impl Visitor<'_> for F64Visitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or one of the strings \"NaN\", \"Infinity\", \"-Infinity\"")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        f64_from_str(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// An `f64` read leniently (see [`F64Visitor`]).
struct LenientF64(f64);

impl<'de> Deserialize<'de> for LenientF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(F64Visitor).map(LenientF64)
    }
}

fn serialize_f64<S: Serializer>(x: f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(x)
    } else {
        s.serialize_str(non_finite_name(x))
    }
}

/// `f64` fields: numbers or `"NaN"`/`"Infinity"` strings when reading; written
/// as doubles, non-finite values as those strings.
pub(super) mod lenient_f64 {
    use super::{Deserializer, F64Visitor, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        super::serialize_f64(*x, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        d.deserialize_any(F64Visitor)
    }
}

/// `Option<f64>` fields: as [`lenient_f64`], `null` reads as `None`.
pub(super) mod lenient_opt_f64 {
    use super::{Deserialize, Deserializer, LenientF64, Serializer};

    pub fn serialize<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(v) => super::serialize_f64(*v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(Option::<LenientF64>::deserialize(d)?.map(|v| v.0))
    }
}

/// `u64` counts: accept `24`, `24.0` (any non-negative whole double) and
/// numeric strings; written as integers.
pub(super) mod lenient_u64 {
    use super::{de, f64_from_str, fmt, Deserializer, Serializer, Visitor};

    struct U64Visitor;

    /// 2^64 as f64; whole doubles below it fit in u64.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;

    fn from_f64<E: de::Error>(v: f64) -> Result<u64, E> {
        if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < LIMIT {
            Ok(v as u64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &U64Visitor))
        }
    }

    impl Visitor<'_> for U64Visitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            from_f64(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            if let Ok(n) = v.trim().parse::<u64>() {
                return Ok(n);
            }
            match f64_from_str(v) {
                Some(x) => from_f64(x),
                None => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }

    pub fn serialize<S: Serializer>(x: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*x)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(U64Visitor)
    }
}
