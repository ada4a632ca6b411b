//! TEMPORARY stand-in.
#![allow(missing_docs)]
pub fn java_double(x: f64) -> String { format!("{x:?}") }
