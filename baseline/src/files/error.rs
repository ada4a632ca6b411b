//! The one error type of the SageMaker files: a file that does not parse, a value that does
//! not serialize, or a `monitoring_config` value that [`crate::files::Constraints::validate`]
//! rejects.

use std::fmt;

/// Error returned when reading, writing or validating a Model Monitor file.
#[derive(Debug)]
pub enum FilesError {
    /// The bytes are not valid JSON, or the JSON does not have the expected shape.
    Parse {
        /// Which document was being read, e.g. `"statistics.json"`.
        what: &'static str,
        /// The underlying error; carries the line and column.
        source: serde_json::Error,
    },
    /// A value could not be converted to JSON.
    Serialize {
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A configuration knob has a value that Model Monitor does not accept.
    InvalidValue {
        /// Where the value was found, e.g. `monitoring_config.distribution_constraints.comparison_method`.
        field: String,
        /// The value found.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
}

impl fmt::Display for FilesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilesError::Parse { what, source } => write!(
                f,
                "cannot parse {what} (line {}, column {}): {source}",
                source.line(),
                source.column()
            ),
            FilesError::Serialize { source } => write!(f, "cannot serialize to JSON: {source}"),
            FilesError::InvalidValue {
                field,
                value,
                expected,
            } => write!(
                f,
                "invalid value {value:?} for {field}: expected {expected}"
            ),
        }
    }
}

impl std::error::Error for FilesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FilesError::Parse { source, .. } | FilesError::Serialize { source } => Some(source),
            FilesError::InvalidValue { .. } => None,
        }
    }
}
