//! Why a capture line or payload cannot be read: [`DecodeError`] (with a stable
//! [`DecodeError::kind`] code that readers count as the reject kind) and the [`Part`] of the
//! record it is about. Every other module of [`crate::capture`] returns it; the readers turn
//! it into a counted reject with its file and line.

use std::fmt;

/// Which part of a record an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The capture line itself.
    Record,
    /// `captureData.endpointInput`.
    Input,
    /// `captureData.endpointOutput`.
    Output,
    /// `groundTruthData`.
    GroundTruth,
}

impl Part {
    /// The name used in messages: `"capture record"`, `"endpointInput"`, `"endpointOutput"` or
    /// `"groundTruthData"`.
    pub fn name(self) -> &'static str {
        match self {
            Part::Record => "capture record",
            Part::Input => "endpointInput",
            Part::Output => "endpointOutput",
            Part::GroundTruth => "groundTruthData",
        }
    }

    fn path_setting(self) -> &'static str {
        match self {
            Part::Input => "input_path (e.g. `instances[*].features`)",
            Part::Output => "output_path (e.g. `predictions[*].score`)",
            Part::GroundTruth => "a ground-truth JSON path (e.g. `instances[*]`)",
            Part::Record => "a JSON path (e.g. `instances[*].features`)",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a capture line or payload could not be read. The message has no file or line number;
/// the caller adds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The line, or a decoded BASE64 payload, is not UTF-8.
    InvalidUtf8 {
        /// Where.
        part: Part,
        /// Byte offset of the first invalid sequence.
        valid_up_to: usize,
    },
    /// The line, or a JSON payload, is not valid JSON.
    MalformedJson {
        /// Where.
        part: Part,
        /// The JSON parser's message (with line and column inside that text).
        detail: String,
    },
    /// The line is valid JSON but does not have the shape of a record (e.g. `data` is a number).
    InvalidRecord {
        /// What is wrong.
        detail: String,
    },
    /// A required field is absent (or `null`).
    MissingField {
        /// Dotted path of the field, e.g. `"captureData.endpointInput.data"`.
        field: &'static str,
    },
    /// `encoding` is not `CSV`, `JSON` or `BASE64`.
    UnknownEncoding {
        /// Where.
        part: Part,
        /// The value found.
        encoding: String,
    },
    /// A BASE64 payload does not decode.
    BadBase64 {
        /// Where.
        part: Part,
        /// The decoder's message.
        detail: String,
    },
    /// A BASE64 payload whose content type is neither CSV nor JSON.
    UnsupportedContentType {
        /// Where.
        part: Part,
        /// The `observedContentType`, if any.
        content_type: Option<String>,
    },
    /// A CSV payload breaks the quoting rules.
    MalformedCsv {
        /// Where.
        part: Part,
        /// What is wrong.
        detail: String,
    },
    /// A JSON payload is nested where a row was expected.
    Nested {
        /// Where.
        part: Part,
        /// What is nested, and a hint.
        detail: String,
    },
    /// Input and output give different numbers of rows.
    RowCountMismatch {
        /// Rows from `endpointInput`.
        input: usize,
        /// Rows from `endpointOutput`.
        output: usize,
    },
    /// Input and output have different formats (CSV vs JSON).
    EncodingMismatch {
        /// The input's `encoding` (with the content type for BASE64).
        input: String,
        /// The output's `encoding` (with the content type for BASE64).
        output: String,
    },
    /// A JSON path string does not parse.
    InvalidPath {
        /// The path text.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// A configured JSON path does not match the payload.
    PathNotFound {
        /// Where.
        part: Part,
        /// The configured path.
        path: String,
        /// What did not match.
        detail: String,
    },
}

impl DecodeError {
    /// A short, stable code for counting rejects: `invalid_utf8`, `malformed_json`,
    /// `invalid_record`, `missing_field`, `unknown_encoding`, `bad_base64`,
    /// `unsupported_content_type`, `malformed_csv`, `nested_json`, `row_count_mismatch`,
    /// `encoding_mismatch`, `invalid_path` or `path_not_found`.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::InvalidUtf8 { .. } => "invalid_utf8",
            DecodeError::MalformedJson { .. } => "malformed_json",
            DecodeError::InvalidRecord { .. } => "invalid_record",
            DecodeError::MissingField { .. } => "missing_field",
            DecodeError::UnknownEncoding { .. } => "unknown_encoding",
            DecodeError::BadBase64 { .. } => "bad_base64",
            DecodeError::UnsupportedContentType { .. } => "unsupported_content_type",
            DecodeError::MalformedCsv { .. } => "malformed_csv",
            DecodeError::Nested { .. } => "nested_json",
            DecodeError::RowCountMismatch { .. } => "row_count_mismatch",
            DecodeError::EncodingMismatch { .. } => "encoding_mismatch",
            DecodeError::InvalidPath { .. } => "invalid_path",
            DecodeError::PathNotFound { .. } => "path_not_found",
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::InvalidUtf8 { part: Part::Record, valid_up_to } => write!(
                f,
                "invalid UTF-8: the capture record has an invalid byte sequence at byte {valid_up_to}"
            ),
            DecodeError::InvalidUtf8 { part, valid_up_to } => write!(
                f,
                "invalid UTF-8: the decoded BASE64 payload of {part} has an invalid byte sequence \
                 at byte {valid_up_to}; only text payloads can be monitored"
            ),
            DecodeError::MalformedJson { part: Part::Record, detail } => {
                write!(f, "malformed JSON: the capture record is not a JSON object: {detail}")
            }
            DecodeError::MalformedJson { part, detail } => {
                write!(f, "malformed JSON in the {part} payload: {detail}")
            }
            DecodeError::InvalidRecord { detail } => {
                write!(f, "invalid capture record: {detail}")
            }
            DecodeError::MissingField { field } => {
                write!(f, "missing field: the capture record has no `{field}`")
            }
            DecodeError::UnknownEncoding { part, encoding } => write!(
                f,
                "unknown encoding {encoding:?} in {part}; expected \"CSV\", \"JSON\" or \"BASE64\""
            ),
            DecodeError::BadBase64 { part, detail } => {
                write!(f, "bad BASE64 in the {part} payload: {detail}")
            }
            DecodeError::UnsupportedContentType { part, content_type } => match content_type {
                Some(ct) => write!(
                    f,
                    "unsupported content type {ct:?} for the BASE64 payload of {part}; only CSV, \
                     JSON and JSON Lines payloads can be monitored (add the type to the capture's \
                     CsvContentTypes or JsonContentTypes)"
                ),
                None => write!(
                    f,
                    "unsupported content type: the BASE64 payload of {part} has no \
                     observedContentType, so its format is unknown"
                ),
            },
            DecodeError::MalformedCsv { part, detail } => {
                write!(f, "malformed CSV in the {part} payload: {detail}")
            }
            DecodeError::Nested { part, detail } => write!(
                f,
                "nested JSON in the {part} payload: {detail}; nested payloads are not flattened \
                 automatically: set {} or send flat JSON objects",
                part.path_setting()
            ),
            DecodeError::RowCountMismatch { input, output } => write!(
                f,
                "row count mismatch: endpointInput has {input} row(s) but endpointOutput has \
                 {output}; each output row must answer one input row"
            ),
            DecodeError::EncodingMismatch { input, output } => write!(
                f,
                "Encoding mismatch: Encoding is {input} for endpointInput, but Encoding is \
                 {output} for endpointOutput. We currently only support the same type of input \
                 and output encoding at the moment."
            ),
            DecodeError::InvalidPath { path, detail } => {
                write!(f, "invalid JSON path {path:?}: {detail}")
            }
            DecodeError::PathNotFound { part, path, detail } => write!(
                f,
                "JSON path `{path}` does not match the {part} payload: {detail}"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The character at byte `pos` of `s` (U+FFFD past the end), to show in a parse error.
pub(super) fn char_at(s: &str, pos: usize) -> char {
    s.get(pos..)
        .and_then(|t| t.chars().next())
        .unwrap_or('\u{fffd}')
}
