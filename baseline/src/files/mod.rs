//! Typed models of the SageMaker Model Monitor files `statistics.json`,
//! `constraints.json` and `constraint_violations.json` (data quality and model
//! quality), used both to read files written by AWS and to write our own.
//!
//! * Field order in every struct is the order of the keys in real AWS output,
//!   so [`to_jackson`] reproduces AWS files byte for byte.
//! * Reading is lenient: counts written as `24` or `24.0` are both accepted,
//!   doubles may be the strings `"NaN"`, `"Infinity"` or `"-Infinity"` (as the
//!   analyzer writes non-finite metrics), and unknown keys are kept in each
//!   struct's `extra` map (written back after the known keys).
//! * Writing: `f64` fields are always written as doubles (`231.0`), `u64`
//!   fields as integers (`100`), non-finite doubles as the strings `"NaN"`,
//!   `"Infinity"`, `"-Infinity"`.
//!
//! Layout: [`statistics`] (`statistics.json`), [`constraints`] (`constraints.json` and the
//! resolved `monitoring_config`), [`violations`] (`constraint_violations.json`), with the
//! lenient number (de)serialization of all three in `lenient` and the one error type in
//! [`error`]. Every public item is re-exported here, so `files::Statistics` and
//! `files::parse_constraints` are the paths to use.

pub mod constraints;
pub mod error;
mod lenient;
pub mod statistics;
pub mod violations;

pub use constraints::*;
pub use error::FilesError;
pub use statistics::*;
pub use violations::*;

use crate::jackson::to_jackson_pretty;
use serde::Serialize;

/// Serializes `t` in the exact byte format of the Model Monitor analyzer
/// (Jackson's default pretty printer, no trailing newline); see
/// [`crate::jackson::to_jackson_pretty`].
pub fn to_jackson<T: Serialize>(t: &T) -> Result<String, FilesError> {
    let value = serde_json::to_value(t).map_err(|source| FilesError::Serialize { source })?;
    Ok(to_jackson_pretty(&value))
}

/// Parses a `statistics.json` (data quality or model quality).
pub fn parse_statistics(bytes: &[u8]) -> Result<Statistics, FilesError> {
    serde_json::from_slice(bytes).map_err(|source| FilesError::Parse {
        what: "statistics.json",
        source,
    })
}

/// Parses a `constraints.json` (data quality or model quality).
pub fn parse_constraints(bytes: &[u8]) -> Result<Constraints, FilesError> {
    serde_json::from_slice(bytes).map_err(|source| FilesError::Parse {
        what: "constraints.json",
        source,
    })
}

/// Parses a `constraint_violations.json`.
pub fn parse_violations(bytes: &[u8]) -> Result<ConstraintViolations, FilesError> {
    serde_json::from_slice(bytes).map_err(|source| FilesError::Parse {
        what: "constraint_violations.json",
        source,
    })
}

#[cfg(test)]
mod tests;
