//! Data-capture records: parse SageMaker capture and ground-truth lines, and turn their payloads
//! into [`Row`]s (`sagemaker-compat.md` §1.2, §1.3, §2.1).
//!
//! This module is pure: it takes bytes and returns values. It does no I/O and reads no clock.
//!
//! # Records
//!
//! [`parse_capture_line`] reads one JSON object (one line of a capture `.jsonl` file, or one
//! merged / ground-truth record). Keys may come in any order and unknown keys are ignored. A
//! record must have `captureData` or `groundTruthData` (or both, as in merged records).
//! `captureData.endpointInput` and `captureData.endpointOutput` are each optional, because each
//! is present only when that capture option is on. `captureData.batchTransformOutput`, found in
//! batch-transform merge records, is not read, so such a record has neither input nor output.
//! `eventMetadata.inferenceTime` is kept verbatim. [`CaptureRecord::inference_time_ms`] is its
//! parsed value, or `None` when the text is not a timestamp (the SDK test fixtures hold the
//! placeholder `"{%s}"`).
//!
//! # Payload format
//!
//! Each side's format comes from its `encoding`, and from `observedContentType` where needed.
//! For the content type, only the part before `;` counts, in lower case.
//!
//! | `encoding` | content type | payload read as |
//! | --- | --- | --- |
//! | `CSV` | any | CSV |
//! | `JSON` | contains `jsonl` (`application/jsonlines`, `application/jsonl`, …) or `ndjson` | JSON Lines |
//! | `JSON` | anything else, or absent | one JSON document |
//! | `BASE64` | contains `jsonl` or `ndjson` / contains `json` / contains `csv` | decoded, then JSON Lines / JSON / CSV |
//! | `BASE64` | anything else, or absent | error `unsupported_content_type` |
//!
//! `BASE64` payloads are decoded with the standard alphabet (padding optional), then must be
//! UTF-8. The `encoding` value itself is matched without regard to case (`CSV`, `csv`).
//!
//! # CSV payloads
//!
//! * Each non-blank line is one row. A line that is empty or holds only whitespace is skipped,
//!   so a trailing `\n` does not add a row. `\r\n` line ends are accepted.
//! * Fields are split on `,` as RFC 4180 describes. A field that starts with `"` is quoted: it
//!   may hold `,`, line breaks and doubled quotes `""`. After its closing quote, only `,` or the
//!   line end may follow. A `"` inside an unquoted field is kept as a literal.
//! * Each field becomes [`Cell::Text`] with its text **not trimmed**. The profiler infers types
//!   from the literal text, as the AWS analyzer does. Spark's CSV reader also keeps spaces, so
//!   `" 3"` is not the number 3.
//! * An empty field, quoted (`""`) or not, becomes [`Cell::Null`].
//!
//! # JSON payloads
//!
//! Payloads are parsed as RFC 8259 JSON by `serde_json` (a `JSON Lines` payload as a stream of
//! documents separated by whitespace), nested at most 127 levels deep. Invalid JSON (`01`,
//! `tru`, `[1]]`, trailing characters) is `malformed_json`, never a partial row. JSON numbers become
//! [`Cell::Int`] when the literal has no fraction or exponent and fits in `i64` (`-0` is
//! `Int(0)`). Otherwise they become [`Cell::Float`], correctly rounded (as Java's
//! `Double.parseDouble`: the workspace turns on `serde_json`'s `float_roundtrip`, without which it
//! can be 1 ULP off), and
//! this includes integers beyond the `i64` range. A literal too large for `f64` (`1e400`) is
//! `malformed_json`. Strings become [`Cell::Str`], `true`/`false` become [`Cell::Bool`] and `null`
//! becomes [`Cell::Null`]. A "row value" is one of:
//!
//! * a scalar: one positional row with one cell;
//! * an array of scalars: one [`Row::Positional`];
//! * an object whose values are all scalars (a *flat* object): one [`Row::Named`], with keys in
//!   payload order (duplicate keys are kept as they appear).
//!
//! Any other value (an array or object nested inside a row) is the error `nested_json`. The
//! message says which key or element is nested, and suggests a path.
//!
//! ## Default rules (no path configured)
//!
//! Each JSON document (the whole payload, or each line of JSON Lines) is read by the first rule
//! that matches:
//!
//! 1. An object with **exactly one key**, `instances` or `predictions`, whose value is an array.
//!    Each element of the array is **one row**: the batch convention of SageMaker and TensorFlow
//!    Serving. An element `{"features": [scalars…]}` (that single key) becomes the positional
//!    row of those features. Any other element must be a row value. So
//!    `{"instances": [1.0, 2.0, 5.0]}` is three one-cell rows, and
//!    `{"instances": [{"features": [28, 2]}, {"features": [43, 2]}]}` is two rows of two cells.
//!    An empty array gives no rows.
//! 2. An object with exactly one key `features` whose value is an array of scalars: one
//!    positional row (the JSON Lines record shape `{"features": [...]}`).
//! 3. A top-level array whose elements are all arrays or objects: each element is one row, read
//!    as in rule 1 (`[[1, 2], [3, 4]]` gives two rows). An empty array gives no rows.
//! 4. Otherwise the document must itself be a row value. A flat object is one named row, an array
//!    of scalars is one positional row (`[0.2, 0.8]`), and a scalar is a one-cell row.
//!
//! Anything else (for example `{"signature_name": "x", "instances": [...]}`, or
//! `{"data": {"features": ...}}`) fails with `nested_json`. No other flattening is guessed. This
//! is a deliberate choice: SageMaker itself does not document any flattening of JSON (§1.3).
//!
//! ## Configured paths
//!
//! [`ExtractConfig::input_path`] / [`ExtractConfig::output_path`] take a [`JsonPath`]. It is
//! applied to each JSON document *instead of* the default rules (CSV payloads ignore it):
//!
//! * A path with no `[*]` selects one value, and that value must be a row value. So `instances`
//!   on `{"instances": [1.0, 2.0, 5.0]}` is **one** positional row of three cells, and `@` takes
//!   the whole document as one row.
//! * A path with `[*]` projects. Every value it reaches is one row value, in document order
//!   (`instances[*].features`, `predictions[*].score`, `instances[*]`). Several `[*]` flatten
//!   into one list of rows.
//! * A key that is missing, or a value of the wrong kind (`[*]` on an object, an index out of
//!   range), is the error `path_not_found`. Unlike JMESPath, it is never skipped silently,
//!   because a dropped row would pair the wrong input and output rows.
//!
//! # Building rows from a record
//!
//! [`record_rows`] reads the input and output payloads (each if present and enabled in
//! [`ExtractConfig`]) and pairs their rows:
//!
//! * If both sides are read, they must have the same format family. CSV on one side and JSON
//!   or JSON Lines on the other fails with `encoding_mismatch`, with SageMaker's message.
//! * If both sides are read, they must yield the same number of rows. The *k*-th output row is
//!   joined with the *k*-th input row, and the **output cells come first** (SageMaker's column
//!   order, §1.3). Different counts fail with `row_count_mismatch`.
//! * The joined row is named if both parts are named. If both are positional, or if one is named
//!   and one positional, it is positional (names are dropped), because names cannot be given
//!   to only part of a row.
//! * With only one side read, its rows are returned as they are. A record with neither side
//!   gives no rows.
//!
//! Ground-truth payloads are read with [`event_rows`] and the same rules.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::value::{Cell, Row};

/// The timestamp functions are [`crate::time`]'s; re-exported here, where records use them.
pub use crate::time::{format_timestamp_ms, parse_timestamp_ms};

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/// The `encoding` of a captured payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// `"CSV"`: `data` is the payload text (a content type listed in `CsvContentTypes`).
    Csv,
    /// `"JSON"`: `data` is the payload text (a content type listed in `JsonContentTypes`).
    Json,
    /// `"BASE64"`: `data` is the base64 of the raw payload bytes (any other content type).
    Base64,
}

impl Encoding {
    /// The spelling used in capture files: `"CSV"`, `"JSON"` or `"BASE64"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Csv => "CSV",
            Encoding::Json => "JSON",
            Encoding::Base64 => "BASE64",
        }
    }

    /// Parses an `encoding` value, ignoring case; `None` for anything else.
    pub fn parse(s: &str) -> Option<Encoding> {
        if s.eq_ignore_ascii_case("CSV") {
            Some(Encoding::Csv)
        } else if s.eq_ignore_ascii_case("JSON") {
            Some(Encoding::Json)
        } else if s.eq_ignore_ascii_case("BASE64") {
            Some(Encoding::Base64)
        } else {
            None
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One captured payload (`endpointInput`, `endpointOutput` or `groundTruthData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventData {
    /// `observedContentType`: the request Content-Type or response Accept, verbatim.
    pub observed_content_type: Option<String>,
    /// `mode`: `"INPUT"` or `"OUTPUT"` (absent in ground-truth records).
    pub mode: Option<String>,
    /// `data`: the payload text, or its base64 when `encoding` is [`Encoding::Base64`].
    pub data: String,
    /// `encoding`.
    pub encoding: Encoding,
}

/// One parsed capture, ground-truth or merged record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureRecord {
    /// `eventMetadata.eventId` (a number there is kept as its decimal text).
    pub event_id: Option<String>,
    /// `eventMetadata.inferenceId`, present when the caller passed `InferenceId`.
    pub inference_id: Option<String>,
    /// `eventMetadata.inferenceTime`, verbatim.
    pub inference_time: Option<String>,
    /// `inference_time` parsed by [`parse_timestamp_ms`] (ms since the Unix epoch, UTC); `None`
    /// when absent or not a timestamp.
    pub inference_time_ms: Option<i64>,
    /// `eventMetadata.customAttributes`: a string gives one element, an array gives its string
    /// elements (other elements are skipped); `None` when absent or of another type.
    pub custom_attributes: Option<Vec<String>>,
    /// `captureData.endpointInput`.
    pub input: Option<EventData>,
    /// `captureData.endpointOutput`.
    pub output: Option<EventData>,
    /// `groundTruthData` (ground-truth and merged records).
    pub ground_truth: Option<EventData>,
}

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

/// What [`record_rows`] reads from a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractConfig {
    /// Read `endpointInput` (SageMaker's `captureIndexNames` containing `endpointInput`).
    pub use_input: bool,
    /// Read `endpointOutput`.
    pub use_output: bool,
    /// Path selecting the input rows of JSON payloads; `None` applies the default rules.
    pub input_path: Option<JsonPath>,
    /// Path selecting the output rows of JSON payloads; `None` applies the default rules.
    pub output_path: Option<JsonPath>,
}

impl Default for ExtractConfig {
    /// Both sides, default JSON rules.
    fn default() -> Self {
        ExtractConfig {
            use_input: true,
            use_output: true,
            input_path: None,
            output_path: None,
        }
    }
}

/// A small JMESPath-like path that selects rows in a JSON payload.
///
/// Grammar (a subset of JMESPath):
///
/// ```text
/// path    := "@" | segment ( "." name | bracket )*
/// segment := name | bracket
/// name    := [A-Za-z_][A-Za-z0-9_]*  |  '"' JSON-string-content '"'
/// bracket := "[*]"  |  "[" integer "]"        (negative indexes count from the end)
/// ```
///
/// Examples: `@`, `features`, `instances`, `instances[*]`, `instances[*].features`,
/// `predictions[*].score`, `predictions[0]`, `"my key"[*]`, `[*].features`. Multi-selects,
/// filters, slices, functions and `[]` flattening are not supported. The module documentation
/// describes how the selected values become rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    source: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Wildcard,
    Index(i64),
}

impl JsonPath {
    /// Parses a path; see the type documentation for the grammar.
    pub fn parse(s: &str) -> Result<JsonPath, DecodeError> {
        let src = s.trim();
        let err = |detail: String| DecodeError::InvalidPath {
            path: s.to_string(),
            detail,
        };
        if src.is_empty() {
            return Err(err("the path is empty".to_string()));
        }
        if src == "@" {
            return Ok(JsonPath {
                source: src.to_string(),
                steps: Vec::new(),
            });
        }
        let b = src.as_bytes();
        let mut pos = 0usize;
        let mut steps = Vec::new();
        // At the start, a name or a bracket; after '.', a name; after a segment, '.' or '['.
        let mut need_segment = true;
        let mut after_dot = false;
        while pos < b.len() {
            let c = b[pos];
            if need_segment {
                if c == b'[' && !after_dot {
                    pos = parse_bracket(src, pos, &mut steps).map_err(err)?;
                } else if c == b'"' {
                    let (name, next) = parse_quoted_name(src, pos).map_err(err)?;
                    steps.push(Step::Key(name));
                    pos = next;
                } else if c.is_ascii_alphabetic() || c == b'_' {
                    let start = pos;
                    while pos < b.len() && (b[pos].is_ascii_alphanumeric() || b[pos] == b'_') {
                        pos += 1;
                    }
                    steps.push(Step::Key(src[start..pos].to_string()));
                } else {
                    return Err(err(format!(
                        "expected a key name at byte {pos}, found {:?}",
                        char_at(src, pos)
                    )));
                }
                need_segment = false;
                after_dot = false;
            } else if c == b'.' {
                pos += 1;
                need_segment = true;
                after_dot = true;
            } else if c == b'[' {
                pos = parse_bracket(src, pos, &mut steps).map_err(err)?;
            } else {
                return Err(err(format!(
                    "unexpected {:?} at byte {pos} (supported: names, `.`, `[*]`, `[N]`, `@`)",
                    char_at(src, pos)
                )));
            }
        }
        if need_segment {
            return Err(err("the path ends with `.`".to_string()));
        }
        Ok(JsonPath {
            source: src.to_string(),
            steps,
        })
    }

    /// The path text as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn projects(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Wildcard))
    }

    fn rows(&self, doc: JVal, part: Part, out: &mut Vec<Row>) -> Result<(), DecodeError> {
        let mut matches = Vec::new();
        eval_path(doc, &self.steps, &mut matches).map_err(|detail| DecodeError::PathNotFound {
            part,
            path: self.source.clone(),
            detail,
        })?;
        let projected = self.projects();
        for m in matches {
            out.push(row_from_value(m, part).map_err(|e| match e {
                DecodeError::Nested { part, detail } if !projected => DecodeError::Nested {
                    part,
                    detail: format!(
                        "the value selected by `{}` is not a row ({detail}); to make one row per \
                         element, project it with `{}[*]`",
                        self.source, self.source
                    ),
                },
                DecodeError::Nested { part, detail } => DecodeError::Nested {
                    part,
                    detail: format!(
                        "a value selected by `{}` is not a row ({detail})",
                        self.source
                    ),
                },
                other => other,
            })?);
        }
        Ok(())
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for JsonPath {
    type Err = DecodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JsonPath::parse(s)
    }
}

fn char_at(s: &str, pos: usize) -> char {
    s.get(pos..)
        .and_then(|t| t.chars().next())
        .unwrap_or('\u{fffd}')
}

fn parse_bracket(src: &str, pos: usize, steps: &mut Vec<Step>) -> Result<usize, String> {
    let rest = &src[pos..];
    let close = rest
        .find(']')
        .ok_or_else(|| format!("`[` at byte {pos} is not closed"))?;
    let inner = rest[1..close].trim();
    if inner == "*" {
        steps.push(Step::Wildcard);
    } else if !inner.is_empty()
        && inner
            .bytes()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 0 && c == b'-'))
    {
        let idx = inner
            .parse::<i64>()
            .map_err(|_| format!("index `{inner}` is out of range"))?;
        steps.push(Step::Index(idx));
    } else {
        return Err(format!(
            "unsupported bracket `[{inner}]` (supported: `[*]` and `[N]`)"
        ));
    }
    Ok(pos + close + 1)
}

fn parse_quoted_name(src: &str, pos: usize) -> Result<(String, usize), String> {
    let b = src.as_bytes();
    let mut i = pos + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => {
                let lit = &src[pos..=i];
                let name: String =
                    serde_json::from_str(lit).map_err(|e| format!("bad quoted name {lit}: {e}"))?;
                return Ok((name, i + 1));
            }
            _ => i += 1,
        }
    }
    Err(format!("quoted name at byte {pos} is not closed"))
}

fn kind_name(v: &JVal) -> &'static str {
    match v {
        JVal::Null => "null",
        JVal::Bool(_) => "a boolean",
        JVal::Int(_) | JVal::Float(_) => "a number",
        JVal::Str(_) => "a string",
        JVal::Arr(_) => "an array",
        JVal::Obj(_) => "an object",
    }
}

fn eval_path(v: JVal, steps: &[Step], out: &mut Vec<JVal>) -> Result<(), String> {
    let Some((step, rest)) = steps.split_first() else {
        out.push(v);
        return Ok(());
    };
    match step {
        Step::Key(k) => match v {
            JVal::Obj(fields) => match fields.into_iter().rev().find(|(name, _)| name == k) {
                Some((_, child)) => eval_path(child, rest, out),
                None => Err(format!("key `{k}` not found")),
            },
            other => Err(format!(
                "expected an object with key `{k}`, found {}",
                kind_name(&other)
            )),
        },
        Step::Wildcard => match v {
            JVal::Arr(items) => {
                for item in items {
                    eval_path(item, rest, out)?;
                }
                Ok(())
            }
            other => Err(format!(
                "`[*]` expects an array, found {}",
                kind_name(&other)
            )),
        },
        Step::Index(i) => match v {
            JVal::Arr(mut items) => {
                let len = items.len();
                let idx = if *i < 0 {
                    i64::try_from(len).ok().and_then(|l| l.checked_add(*i))
                } else {
                    Some(*i)
                };
                match idx.and_then(|x| usize::try_from(x).ok()) {
                    Some(x) if x < len => eval_path(items.swap_remove(x), rest, out),
                    _ => Err(format!(
                        "index {i} is out of range (the array has {len} element(s))"
                    )),
                }
            }
            other => Err(format!(
                "`[{i}]` expects an array, found {}",
                kind_name(&other)
            )),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Record parsing
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(expecting = "a capture record object")]
struct RawLine<'a> {
    #[serde(rename = "captureData", default, borrow)]
    capture_data: Option<RawCapture<'a>>,
    #[serde(rename = "groundTruthData", default, borrow)]
    ground_truth_data: Option<RawEvent<'a>>,
    #[serde(rename = "eventMetadata", default, borrow)]
    event_metadata: Option<RawMeta<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "a captureData object")]
struct RawCapture<'a> {
    #[serde(rename = "endpointInput", default, borrow)]
    endpoint_input: Option<RawEvent<'a>>,
    #[serde(rename = "endpointOutput", default, borrow)]
    endpoint_output: Option<RawEvent<'a>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an event data object with `data` and `encoding`")]
struct RawEvent<'a> {
    #[serde(rename = "observedContentType", default, borrow)]
    observed_content_type: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    mode: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    data: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    encoding: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(expecting = "an eventMetadata object")]
struct RawMeta<'a> {
    #[serde(rename = "eventId", default, borrow)]
    event_id: Option<IdString<'a>>,
    #[serde(rename = "inferenceId", default, borrow)]
    inference_id: Option<IdString<'a>>,
    #[serde(rename = "inferenceTime", default, borrow)]
    inference_time: Option<Cow<'a, str>>,
    #[serde(rename = "customAttributes", default)]
    custom_attributes: Option<JVal>,
}

/// A string, or an integer kept as its decimal text (hand-written ground truth may use numbers).
/// Borrowed from the line when the string has no escapes.
struct IdString<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for IdString<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = IdString<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer id")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<IdString<'a>, E> {
                Ok(IdString(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdString<'a>, E> {
                Ok(IdString(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IdString<'a>, E> {
                Ok(IdString(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdString<'a>, E> {
                Ok(IdString(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdString<'a>, E> {
                Ok(IdString(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

fn convert_event<'a>(
    raw: RawEvent<'a>,
    part: Part,
    data_field: &'static str,
    encoding_field: &'static str,
) -> Result<EventRef<'a>, DecodeError> {
    let data = raw
        .data
        .ok_or(DecodeError::MissingField { field: data_field })?;
    let enc_text = raw.encoding.ok_or(DecodeError::MissingField {
        field: encoding_field,
    })?;
    let encoding = Encoding::parse(&enc_text).ok_or_else(|| DecodeError::UnknownEncoding {
        part,
        encoding: enc_text.into_owned(),
    })?;
    Ok(EventRef {
        observed_content_type: raw.observed_content_type,
        mode: raw.mode,
        data,
        encoding,
    })
}

/// One payload of a [`CaptureRef`]: an [`EventData`] that still borrows from the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// `observedContentType`, verbatim.
    pub observed_content_type: Option<Cow<'a, str>>,
    /// `mode`.
    pub mode: Option<Cow<'a, str>>,
    /// `data`: the payload text, or its base64.
    pub data: Cow<'a, str>,
    /// `encoding`.
    pub encoding: Encoding,
}

impl EventRef<'_> {
    /// The owned form.
    pub fn into_owned(self) -> EventData {
        EventData {
            observed_content_type: self.observed_content_type.map(Cow::into_owned),
            mode: self.mode.map(Cow::into_owned),
            data: self.data.into_owned(),
            encoding: self.encoding,
        }
    }
}

/// A parsed record that borrows its strings from the line wherever they have no JSON escapes
/// (see [`parse_capture_ref`]); [`CaptureRef::into_owned`] gives the [`CaptureRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaptureRef<'a> {
    /// `eventMetadata.eventId`.
    pub event_id: Option<Cow<'a, str>>,
    /// `eventMetadata.inferenceId`.
    pub inference_id: Option<Cow<'a, str>>,
    /// `eventMetadata.inferenceTime`, verbatim.
    pub inference_time: Option<Cow<'a, str>>,
    /// `inference_time` parsed by [`parse_timestamp_ms`].
    pub inference_time_ms: Option<i64>,
    /// `eventMetadata.customAttributes` (see [`CaptureRecord::custom_attributes`]).
    pub custom_attributes: Option<Vec<String>>,
    /// `captureData.endpointInput`.
    pub input: Option<EventRef<'a>>,
    /// `captureData.endpointOutput`.
    pub output: Option<EventRef<'a>>,
    /// `groundTruthData`.
    pub ground_truth: Option<EventRef<'a>>,
}

impl CaptureRef<'_> {
    /// The owned record, equal to what [`parse_capture_line`] returns for the same line.
    pub fn into_owned(self) -> CaptureRecord {
        CaptureRecord {
            event_id: self.event_id.map(Cow::into_owned),
            inference_id: self.inference_id.map(Cow::into_owned),
            inference_time: self.inference_time.map(Cow::into_owned),
            inference_time_ms: self.inference_time_ms,
            custom_attributes: self.custom_attributes,
            input: self.input.map(EventRef::into_owned),
            output: self.output.map(EventRef::into_owned),
            ground_truth: self.ground_truth.map(EventRef::into_owned),
        }
    }
}

/// Parses one capture, ground-truth or merged record (one line of a `.jsonl` file; surrounding
/// whitespace and a leading UTF-8 BOM are allowed, and so is a pretty-printed object).
///
/// Errors: `invalid_utf8`, `malformed_json` (also for an empty line, so callers should skip
/// blank lines first), `invalid_record` (valid JSON of the wrong shape), `missing_field` (no
/// `captureData`/`groundTruthData`, or an event without `data`/`encoding`) and
/// `unknown_encoding`.
pub fn parse_capture_line(line: &[u8]) -> Result<CaptureRecord, DecodeError> {
    parse_capture_ref(line).map(CaptureRef::into_owned)
}

/// [`parse_capture_line`] without copying: strings without JSON escapes borrow from `line`.
/// Same rules and errors.
pub fn parse_capture_ref(line: &[u8]) -> Result<CaptureRef<'_>, DecodeError> {
    let text = std::str::from_utf8(line).map_err(|e| DecodeError::InvalidUtf8 {
        part: Part::Record,
        valid_up_to: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(DecodeError::MalformedJson {
            part: Part::Record,
            detail: "the line is empty".to_string(),
        });
    }
    if text.trim_start().starts_with('[') {
        return Err(DecodeError::InvalidRecord {
            detail: "a capture record must be a JSON object, not an array".to_string(),
        });
    }
    let raw: RawLine<'_> = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => DecodeError::InvalidRecord {
            detail: e.to_string(),
        },
        _ => DecodeError::MalformedJson {
            part: Part::Record,
            detail: e.to_string(),
        },
    })?;
    if raw.capture_data.is_none() && raw.ground_truth_data.is_none() {
        return Err(DecodeError::MissingField {
            field: "captureData` or `groundTruthData",
        });
    }
    let mut rec = CaptureRef::default();
    if let Some(meta) = raw.event_metadata {
        rec.event_id = meta.event_id.map(|s| s.0);
        rec.inference_id = meta.inference_id.map(|s| s.0);
        rec.inference_time_ms = meta.inference_time.as_deref().and_then(parse_timestamp_ms);
        rec.inference_time = meta.inference_time;
        rec.custom_attributes = match meta.custom_attributes {
            Some(JVal::Str(s)) => Some(vec![s]),
            Some(JVal::Arr(items)) => Some(
                items
                    .into_iter()
                    .filter_map(|v| match v {
                        JVal::Str(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        };
    }
    if let Some(cap) = raw.capture_data {
        if let Some(ev) = cap.endpoint_input {
            rec.input = Some(convert_event(
                ev,
                Part::Input,
                "captureData.endpointInput.data",
                "captureData.endpointInput.encoding",
            )?);
        }
        if let Some(ev) = cap.endpoint_output {
            rec.output = Some(convert_event(
                ev,
                Part::Output,
                "captureData.endpointOutput.data",
                "captureData.endpointOutput.encoding",
            )?);
        }
    }
    if let Some(ev) = raw.ground_truth_data {
        rec.ground_truth = Some(convert_event(
            ev,
            Part::GroundTruth,
            "groundTruthData.data",
            "groundTruthData.encoding",
        )?);
    }
    Ok(rec)
}

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
    JsonLines,
}

impl Format {
    fn is_csv(self) -> bool {
        self == Format::Csv
    }
}

fn content_type_format(ct: &str) -> Option<Format> {
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence.contains("jsonl") || essence.contains("ndjson") {
        Some(Format::JsonLines)
    } else if essence.contains("json") {
        Some(Format::Json)
    } else if essence.contains("csv") {
        Some(Format::Csv)
    } else {
        None
    }
}

fn resolve_format(ev: &EventData, part: Part) -> Result<Format, DecodeError> {
    let ct = ev
        .observed_content_type
        .as_deref()
        .and_then(content_type_format);
    match ev.encoding {
        Encoding::Csv => Ok(Format::Csv),
        Encoding::Json => Ok(if ct == Some(Format::JsonLines) {
            Format::JsonLines
        } else {
            Format::Json
        }),
        Encoding::Base64 => ct.ok_or_else(|| DecodeError::UnsupportedContentType {
            part,
            content_type: ev.observed_content_type.clone(),
        }),
    }
}

const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn payload_text(ev: &EventData, part: Part) -> Result<Cow<'_, str>, DecodeError> {
    match ev.encoding {
        Encoding::Csv | Encoding::Json => Ok(Cow::Borrowed(ev.data.as_str())),
        Encoding::Base64 => {
            let bytes = BASE64
                .decode(ev.data.trim())
                .map_err(|e| DecodeError::BadBase64 {
                    part,
                    detail: e.to_string(),
                })?;
            let text = String::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
                part,
                valid_up_to: e.utf8_error().valid_up_to(),
            })?;
            Ok(Cow::Owned(match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_string(),
                None => text,
            }))
        }
    }
}

fn decode_rows(
    ev: &EventData,
    format: Format,
    part: Part,
    path: Option<&JsonPath>,
) -> Result<Vec<Row>, DecodeError> {
    let text = payload_text(ev, part)?;
    match format {
        Format::Csv => Ok(parse_csv(&text, part)?
            .into_iter()
            .map(Row::Positional)
            .collect()),
        Format::Json => {
            let mut out = Vec::new();
            if text.trim().is_empty() {
                return Ok(out);
            }
            let doc = parse_json_doc(&text)
                .map_err(|detail| DecodeError::MalformedJson { part, detail })?;
            doc_rows(doc, part, path, &mut out)?;
            Ok(out)
        }
        Format::JsonLines => {
            let mut out = Vec::new();
            for_each_json_doc(&text, |doc| doc_rows(doc, part, path, &mut out))
                .map_err(|e| e.into_decode_error(part))?;
            Ok(out)
        }
    }
}

/// The text of a payload whose format is CSV and that has no quote character, or `None`
/// (another format, a quote somewhere, or a payload that does not decode: the general path
/// handles and reports those).
fn plain_csv_text<'r>(ev: &'r EventRef<'_>) -> Option<Cow<'r, str>> {
    let text: Cow<'r, str> = match ev.encoding {
        Encoding::Csv => Cow::Borrowed(&ev.data),
        Encoding::Json => return None,
        Encoding::Base64 => {
            let ct = ev.observed_content_type.as_deref()?;
            if content_type_format(ct) != Some(Format::Csv) {
                return None;
            }
            let bytes = BASE64.decode(ev.data.trim()).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            Cow::Owned(match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_string(),
                None => text,
            })
        }
    };
    memchr::memchr(b'"', text.as_bytes())
        .is_none()
        .then_some(text)
}

/// The non-blank lines of a quote-free CSV payload, without their `\r`: the rows
/// [`parse_csv`] makes, before splitting on `,`.
fn plain_csv_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .filter(|l| !l.bytes().all(|b| b.is_ascii_whitespace()))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// The `,`-separated fields of a line: `line.split(',')`, by a plain byte loop (fields are
/// short, so this beats a `memchr` call per field).
pub fn comma_fields(line: &str) -> CommaFields<'_> {
    CommaFields {
        s: line,
        pos: 0,
        done: false,
    }
}

/// The iterator of [`comma_fields`].
#[derive(Debug, Clone)]
pub struct CommaFields<'a> {
    s: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> Iterator for CommaFields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let b = self.s.as_bytes();
        let mut i = self.pos;
        while i < b.len() && b[i] != b',' {
            i += 1;
        }
        // `,` is ASCII, so both ends are character boundaries.
        let field = &self.s[self.pos..i];
        if i == b.len() {
            self.done = true;
        } else {
            self.pos = i + 1;
        }
        Some(field)
    }
}

fn csv_field_count(line: Option<&str>) -> usize {
    line.map_or(0, |l| memchr::memchr_iter(b',', l.as_bytes()).count() + 1)
}

/// The fast path of [`record_rows`] for the common case: CSV payloads (plain or base64)
/// without quotes, every row `width` cells wide. Calls `on(output_line, input_line)` for each
/// row (a side is `None` when it is not read) and returns `true`; the cells of a row are the
/// output line's `,`-separated fields ([`comma_fields`]), then the input line's, an empty field being null —
/// exactly the cells [`record_rows`] returns. Returns `false`, having called `on` for no row,
/// for anything else (another format, quotes, undecodable payloads, different row counts,
/// another width, nothing to read, `width == 0`): [`record_rows`] then gives the rows or the
/// error.
pub fn plain_csv_rows(
    rec: &CaptureRef<'_>,
    cfg: &ExtractConfig,
    width: usize,
    mut on: impl FnMut(Option<&str>, Option<&str>),
) -> bool {
    let input = rec.input.as_ref().filter(|_| cfg.use_input);
    let output = rec.output.as_ref().filter(|_| cfg.use_output);
    if width == 0 || (input.is_none() && output.is_none()) {
        return false;
    }
    fn text<'r>(ev: Option<&'r EventRef<'_>>) -> Option<Option<Cow<'r, str>>> {
        match ev {
            None => Some(None),
            Some(e) => plain_csv_text(e).map(Some),
        }
    }
    fn lines<'t>(t: &'t Option<Cow<'_, str>>) -> Option<impl Iterator<Item = &'t str>> {
        t.as_deref().map(plain_csv_lines)
    }
    let (Some(inp), Some(out)) = (text(input), text(output)) else {
        return false;
    };
    let (mut ol, mut il) = (lines(&out), lines(&inp));
    loop {
        let o = ol.as_mut().and_then(Iterator::next);
        let i = il.as_mut().and_then(Iterator::next);
        let o_done = ol.is_some() && o.is_none();
        let i_done = il.is_some() && i.is_none();
        if o_done || i_done {
            if (ol.is_none() || o_done) && (il.is_none() || i_done) {
                break;
            }
            return false;
        }
        if csv_field_count(o) + csv_field_count(i) != width {
            return false;
        }
    }
    let (mut ol, mut il) = (lines(&out), lines(&inp));
    loop {
        let o = ol.as_mut().and_then(Iterator::next);
        let i = il.as_mut().and_then(Iterator::next);
        if o.is_none() && i.is_none() {
            return true;
        }
        on(o, i);
    }
}

/// Decodes one payload into rows, by the module's rules for its format. `path` is used for JSON
/// payloads only (`None` applies the default rules), and `part` names the payload in errors.
/// Use it for ground truth: `event_rows(rec.ground_truth.as_ref()?, Part::GroundTruth, None)`.
pub fn event_rows(
    ev: &EventData,
    part: Part,
    path: Option<&JsonPath>,
) -> Result<Vec<Row>, DecodeError> {
    let format = resolve_format(ev, part)?;
    decode_rows(ev, format, part, path)
}

fn encoding_label(ev: &EventData) -> String {
    match (ev.encoding, ev.observed_content_type.as_deref()) {
        (Encoding::Base64, Some(ct)) => format!("BASE64 ({ct})"),
        (enc, _) => enc.as_str().to_string(),
    }
}

fn join_rows(output: Row, input: Row) -> Row {
    match (output, input) {
        (Row::Positional(mut o), Row::Positional(i)) => {
            o.extend(i);
            Row::Positional(o)
        }
        (Row::Named(mut o), Row::Named(i)) => {
            o.extend(i);
            Row::Named(o)
        }
        (o, i) => {
            let mut cells = into_cells(o);
            cells.extend(into_cells(i));
            Row::Positional(cells)
        }
    }
}

fn into_cells(r: Row) -> Vec<Cell> {
    match r {
        Row::Positional(c) => c,
        Row::Named(n) => n.into_iter().map(|(_, c)| c).collect(),
    }
}

/// Builds the rows of one capture record: output cells first, then input cells (see the module
/// documentation for pairing, formats and the JSON rules). Ground truth is not included; see
/// [`event_rows`].
///
/// Errors: `encoding_mismatch`, `row_count_mismatch`, and every payload error (`bad_base64`,
/// `invalid_utf8`, `unsupported_content_type`, `malformed_csv`, `malformed_json`, `nested_json`,
/// `path_not_found`).
pub fn record_rows(rec: &CaptureRecord, cfg: &ExtractConfig) -> Result<Vec<Row>, DecodeError> {
    let input = rec.input.as_ref().filter(|_| cfg.use_input);
    let output = rec.output.as_ref().filter(|_| cfg.use_output);
    let in_fmt = input.map(|e| resolve_format(e, Part::Input)).transpose()?;
    let out_fmt = output
        .map(|e| resolve_format(e, Part::Output))
        .transpose()?;
    match (input, in_fmt, output, out_fmt) {
        (Some(i), Some(fi), Some(o), Some(fo)) => {
            if fi.is_csv() != fo.is_csv() {
                return Err(DecodeError::EncodingMismatch {
                    input: encoding_label(i),
                    output: encoding_label(o),
                });
            }
            let in_rows = decode_rows(i, fi, Part::Input, cfg.input_path.as_ref())?;
            let out_rows = decode_rows(o, fo, Part::Output, cfg.output_path.as_ref())?;
            if in_rows.len() != out_rows.len() {
                return Err(DecodeError::RowCountMismatch {
                    input: in_rows.len(),
                    output: out_rows.len(),
                });
            }
            Ok(out_rows
                .into_iter()
                .zip(in_rows)
                .map(|(o, i)| join_rows(o, i))
                .collect())
        }
        (Some(i), Some(fi), _, _) => decode_rows(i, fi, Part::Input, cfg.input_path.as_ref()),
        (_, _, Some(o), Some(fo)) => decode_rows(o, fo, Part::Output, cfg.output_path.as_ref()),
        _ => Ok(Vec::new()),
    }
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

fn text_cell(field: &str) -> Cell {
    if field.is_empty() {
        Cell::Null
    } else {
        Cell::Text(field.to_string())
    }
}

fn parse_csv(text: &str, part: Part) -> Result<Vec<Vec<Cell>>, DecodeError> {
    let b = text.as_bytes();
    let n = b.len();
    let mut rows = Vec::new();
    let mut width = 0usize;
    let mut pos = 0usize;
    while pos < n {
        let line_end = b[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(n, |k| pos + k);
        let line = &b[pos..line_end];
        if line.iter().all(u8::is_ascii_whitespace) {
            pos = line_end + 1;
            continue;
        }
        let mut row = Vec::with_capacity(width);
        if !line.contains(&b'"') {
            let line = &text[pos..line_end];
            let line = line.strip_suffix('\r').unwrap_or(line);
            row.extend(line.split(',').map(text_cell));
            pos = line_end + 1;
        } else {
            pos = parse_csv_record(text, pos, &mut row, part)?;
        }
        width = row.len();
        rows.push(row);
    }
    Ok(rows)
}

/// Parses one record that contains a quote, starting at `pos`; returns the position after its
/// line end.
fn parse_csv_record(
    text: &str,
    mut pos: usize,
    row: &mut Vec<Cell>,
    part: Part,
) -> Result<usize, DecodeError> {
    let b = text.as_bytes();
    let n = b.len();
    loop {
        if pos < n && b[pos] == b'"' {
            let open = pos;
            pos += 1;
            let mut val = String::new();
            let mut seg = pos;
            loop {
                match b[pos..].iter().position(|&c| c == b'"') {
                    None => {
                        return Err(DecodeError::MalformedCsv {
                            part,
                            detail: format!(
                                "quoted field starting at byte {open} has no closing quote"
                            ),
                        })
                    }
                    Some(k) => {
                        let q = pos + k;
                        if b.get(q + 1) == Some(&b'"') {
                            val.push_str(&text[seg..=q]);
                            pos = q + 2;
                            seg = pos;
                        } else {
                            val.push_str(&text[seg..q]);
                            pos = q + 1;
                            break;
                        }
                    }
                }
            }
            if b.get(pos) == Some(&b'\r') && matches!(b.get(pos + 1), None | Some(b'\n')) {
                pos += 1;
            }
            row.push(if val.is_empty() {
                Cell::Null
            } else {
                Cell::Text(val)
            });
            match b.get(pos) {
                None => return Ok(n),
                Some(b',') => pos += 1,
                Some(b'\n') => return Ok(pos + 1),
                Some(_) => {
                    return Err(DecodeError::MalformedCsv {
                        part,
                        detail: format!(
                            "unexpected {:?} after the closing quote at byte {} (a quoted field \
                             must be followed by `,` or a line end)",
                            char_at(text, pos),
                            pos - 1
                        ),
                    })
                }
            }
        } else {
            let end = b[pos..]
                .iter()
                .position(|&c| c == b',' || c == b'\n')
                .map_or(n, |k| pos + k);
            let mut field = &text[pos..end];
            if end == n || b[end] == b'\n' {
                field = field.strip_suffix('\r').unwrap_or(field);
            }
            row.push(text_cell(field));
            if end == n {
                return Ok(n);
            }
            if b[end] == b'\n' {
                return Ok(end + 1);
            }
            pos = end + 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/// A JSON value that keeps object keys in order (and duplicates) and the integer/float
/// distinction of the literal.
#[derive(Debug, Clone, PartialEq)]
enum JVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<JVal>),
    Obj(Vec<(String, JVal)>),
}

impl JVal {
    fn is_scalar(&self) -> bool {
        !matches!(self, JVal::Arr(_) | JVal::Obj(_))
    }

    /// The cell of a scalar (`None` for arrays and objects).
    fn into_cell(self) -> Option<Cell> {
        Some(match self {
            JVal::Null => Cell::Null,
            JVal::Bool(b) => Cell::Bool(b),
            JVal::Int(i) => Cell::Int(i),
            JVal::Float(f) => Cell::Float(f),
            JVal::Str(s) => Cell::Str(s),
            JVal::Arr(_) | JVal::Obj(_) => return None,
        })
    }
}

impl<'de> Deserialize<'de> for JVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JValVisitor)
    }
}

struct JValVisitor;

impl<'de> Visitor<'de> for JValVisitor {
    type Value = JVal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<JVal, E> {
        Ok(JVal::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<JVal, E> {
        Ok(JVal::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<JVal, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => JVal::Int(i),
            Err(_) => JVal::Float(v as f64),
        })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<JVal, E> {
        Ok(JVal::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<JVal, E> {
        Ok(JVal::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<JVal, E> {
        Ok(JVal::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<JVal, E> {
        Ok(JVal::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<JVal, E> {
        Ok(JVal::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<JVal, D::Error> {
        JVal::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JVal, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element::<JVal>()? {
            items.push(v);
        }
        Ok(JVal::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JVal, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some((k, v)) = map.next_entry::<String, JVal>()? {
            fields.push((k, v));
        }
        Ok(JVal::Obj(fields))
    }
}

/// Parses a `JSON` payload: exactly one JSON document, whitespace around it allowed. The error
/// is `serde_json`'s message, with the line and column inside the payload.
fn parse_json_doc(text: &str) -> Result<JVal, String> {
    let text = negative_zero_as_int(text);
    let mut de = serde_json::Deserializer::from_str(&text);
    let doc = JVal::deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end()
        .map_err(|e| format!("{e} (use a JSON Lines content type for several documents)"))?;
    Ok(doc)
}

/// Why [`for_each_json_doc`] stopped.
enum LinesError {
    /// The text is not a sequence of JSON documents.
    Malformed(String),
    /// The callback failed.
    Rows(DecodeError),
}

impl LinesError {
    fn into_decode_error(self, part: Part) -> DecodeError {
        match self {
            LinesError::Malformed(detail) => DecodeError::MalformedJson { part, detail },
            LinesError::Rows(e) => e,
        }
    }
}

/// Calls `f` on each document of a `JSON Lines` payload, in order: a sequence of JSON documents
/// separated by whitespace (usually one a line). Two documents must not touch unless the first
/// ends with `]`, `}` or `"` (so `01` and `truefalse` are malformed, `{}{}` is two documents).
fn for_each_json_doc(
    text: &str,
    mut f: impl FnMut(JVal) -> Result<(), DecodeError>,
) -> Result<(), LinesError> {
    let text = negative_zero_as_int(text);
    for doc in serde_json::Deserializer::from_str(&text).into_iter::<JVal>() {
        let doc = doc.map_err(|e| LinesError::Malformed(e.to_string()))?;
        f(doc).map_err(LinesError::Rows)?;
    }
    Ok(())
}

/// The text with each number literal `-0` (no fraction, no exponent) written ` 0`, so that it
/// becomes `Int(0)` as the module documentation says (`serde_json` reads `-0` as the float
/// `-0.0`). The blank keeps every line and column. Only a `-0` where a value may start (after
/// `[`, `,`, `:`, whitespace or at the start) and outside strings is rewritten, so invalid text
/// stays invalid. Text without `-0` is returned as it is, without a scan.
fn negative_zero_as_int(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    if memchr::memmem::find(b, b"-0").is_none() {
        return Cow::Borrowed(text);
    }
    let mut out: Option<Vec<u8>> = None;
    let (mut in_string, mut escaped) = (false, false);
    for k in 0..b.len() {
        let c = b[k];
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'-' if b.get(k + 1) == Some(&b'0')
                && !matches!(b.get(k + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
                && (k == 0
                    || matches!(b[k - 1], b'[' | b',' | b':' | b' ' | b'\t' | b'\n' | b'\r')) =>
            {
                out.get_or_insert_with(|| b.to_vec())[k] = b' ';
            }
            _ => {}
        }
    }
    match out.map(String::from_utf8) {
        Some(Ok(s)) => Cow::Owned(s),
        // Replacing an ASCII byte by another keeps UTF-8 valid; never reached.
        Some(Err(_)) | None => Cow::Borrowed(text),
    }
}

fn nested_err(part: Part, detail: String) -> DecodeError {
    DecodeError::Nested { part, detail }
}

/// A row value (scalar, array of scalars, flat object) as one row.
fn row_from_value(v: JVal, part: Part) -> Result<Row, DecodeError> {
    match v {
        JVal::Arr(items) => {
            if let Some((i, bad)) = items.iter().enumerate().find(|(_, x)| !x.is_scalar()) {
                return Err(nested_err(
                    part,
                    format!("array element {i} is {}", kind_name(bad)),
                ));
            }
            Ok(Row::Positional(
                items.into_iter().filter_map(JVal::into_cell).collect(),
            ))
        }
        JVal::Obj(fields) => {
            if let Some((k, bad)) = fields.iter().find(|(_, x)| !x.is_scalar()) {
                return Err(nested_err(
                    part,
                    format!("key `{k}` holds {}", kind_name(bad)),
                ));
            }
            Ok(Row::Named(
                fields
                    .into_iter()
                    .filter_map(|(k, v)| v.into_cell().map(|c| (k, c)))
                    .collect(),
            ))
        }
        scalar => Ok(Row::Positional(scalar.into_cell().into_iter().collect())),
    }
}

/// One element of an `instances` / `predictions` list or of a top-level array of rows.
fn element_row(v: JVal, part: Part) -> Result<Row, DecodeError> {
    match v {
        JVal::Obj(mut fields)
            if fields.len() == 1
                && fields[0].0 == "features"
                && matches!(fields[0].1, JVal::Arr(_)) =>
        {
            match fields.pop() {
                Some((_, arr)) => row_from_value(arr, part),
                None => Ok(Row::Positional(Vec::new())),
            }
        }
        other => row_from_value(other, part),
    }
}

fn doc_rows(
    doc: JVal,
    part: Part,
    path: Option<&JsonPath>,
    out: &mut Vec<Row>,
) -> Result<(), DecodeError> {
    match path {
        Some(p) => p.rows(doc, part, out),
        None => default_rows(doc, part, out),
    }
}

fn default_rows(doc: JVal, part: Part, out: &mut Vec<Row>) -> Result<(), DecodeError> {
    match doc {
        JVal::Obj(mut fields)
            if fields.len() == 1
                && matches!(fields[0].0.as_str(), "instances" | "predictions")
                && matches!(fields[0].1, JVal::Arr(_)) =>
        {
            if let Some((key, JVal::Arr(items))) = fields.pop() {
                out.reserve(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let row = element_row(item, part).map_err(|e| match e {
                        DecodeError::Nested { part, detail } => nested_err(
                            part,
                            format!(
                                "in `{key}[{i}]`, {detail} (by default an element must be a \
                                 scalar, an array of scalars, a flat object or \
                                 {{\"features\": [...]}})"
                            ),
                        ),
                        other => other,
                    })?;
                    out.push(row);
                }
            }
            Ok(())
        }
        JVal::Arr(items) if !items.is_empty() && items.iter().all(|x| !x.is_scalar()) => {
            out.reserve(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let row = element_row(item, part).map_err(|e| match e {
                    DecodeError::Nested { part, detail } => {
                        nested_err(part, format!("in top-level element {i}, {detail}"))
                    }
                    other => other,
                })?;
                out.push(row);
            }
            Ok(())
        }
        JVal::Arr(items) if items.is_empty() => Ok(()),
        JVal::Obj(mut fields)
            if fields.len() == 1
                && fields[0].0 == "features"
                && matches!(&fields[0].1, JVal::Arr(a) if a.iter().all(JVal::is_scalar)) =>
        {
            if let Some((_, arr)) = fields.pop() {
                out.push(row_from_value(arr, part)?);
            }
            Ok(())
        }
        other => {
            out.push(row_from_value(other, part)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `endpoint-csv-capture.excerpt.jsonl`, line 1 (verbatim).
    const CSV_LINE_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"132,10,182.9,54,292.4,68,142.3,116,11.5,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,0,1","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.036397725343704224","encoding":"CSV"}},"eventMetadata":{"eventId":"f04a8538-696c-4648-8064-8b680b2e3318","inferenceTime":"2022-04-18T00:21:48Z"},"eventVersion":"0"}"##;
    /// `endpoint-csv-capture.excerpt.jsonl`, line 2 (verbatim).
    const CSV_LINE_2: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"130,0,263.7,113,186.5,103,195.3,99,18.3,6,1,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,1,0","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8","mode":"OUTPUT","data":"0.3791300654411316","encoding":"CSV"}},"eventMetadata":{"eventId":"4f301857-49c9-44d1-b275-ba0ab7767033","inferenceTime":"2022-04-18T00:21:49Z"},"eventVersion":"0"}"##;
    /// `endpoint-json-instances-capture.jsonl`, line 1 (verbatim).
    const JSON_INSTANCES_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{\"instances\": [{\"features\": [28, 2, 133937, 9, 13, 2, 0, 0, 4, 1, 15024, 0, 55, 37]}]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\"predictions\": [{\"score\": 0.9899773597717285, \"predicted_label\": 1}]}","encoding":"JSON"}},"eventMetadata":{"eventId":"7ddb2d7c-4d6a-4e67-a68e-23870399829d","inferenceTime":"2024-01-19T19:27:57Z"},"eventVersion":"0"}"##;
    /// `endpoint-json-instances-capture.jsonl`, line 2 (verbatim).
    const JSON_INSTANCES_2: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{\"instances\": [{\"features\": [28, 2, 133937, 9, 13, 2, 0, 0, 4, 1, 15024, 0, 55, 37]}, {\"features\": [43, 2, 72338, 12, 14, 2, 12, 0, 1, 1, 0, 0, 40, 37]}]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\"predictions\": [{\"score\": 0.9899773597717285, \"predicted_label\": 1}, {\"score\": 0.5041388273239136, \"predicted_label\": 1}]}","encoding":"JSON"}},"eventMetadata":{"eventId":"9066ac80-dde1-4370-a73e-ab997e2544f1","inferenceTime":"2024-01-19T19:27:57Z"},"eventVersion":"0"}"##;
    /// `endpoint-jsonlines-capture.jsonl`, line 1 (verbatim).
    const JSONLINES_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/jsonlines","mode":"INPUT","data":"{\"features\":[28,2,133937,9,13,2,0,0,4,1,15024,0,55,37]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/jsonlines","mode":"OUTPUT","data":"{\"predicted_label\":1,\"score\":0.989977359771728}\n","encoding":"JSON"}},"eventMetadata":{"eventId":"40394cfe-37c3-4abb-b22c-dd7accbe9608","inferenceTime":"2023-01-19T05:31:46Z"},"eventVersion":"0"}"##;
    /// `endpoint-jsonlines-capture.jsonl`, line 2 (verbatim).
    const JSONLINES_2: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/jsonlines","mode":"INPUT","data":"{\"features\":[28,2,133937,9,13,2,0,0,4,1,15024,0,55,37]}\n{\"features\":[43,2,72338,12,14,2,12,0,1,1,0,0,40,37]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/jsonlines","mode":"OUTPUT","data":"{\"predicted_label\":1,\"score\":0.989977359771728}\n{\"predicted_label\":1,\"score\":0.504138827323913}\n","encoding":"JSON"}},"eventMetadata":{"eventId":"32aaea1b-1a60-4870-b81d-40271f950c4a","inferenceTime":"2023-01-19T05:31:46Z"},"eventVersion":"0"}"##;
    /// `captured-data.jsonl`, line 1 (verbatim).
    const SDK_CAPTURED_DATA_1: &str = r##"{"captureData":{"endpointInput":{"observedContentType":"application/json","mode":"INPUT","data":"{\"instances\": [1.0, 2.0, 5.0]}","encoding":"JSON"},"endpointOutput":{"observedContentType":"application/json","mode":"OUTPUT","data":"{\n    \"predictions\": [3.5, 4.0, 5.5\n    ]\n}","encoding":"JSON"}},"eventMetadata":{"eventId":"12b73486-e916-45de-9d82-7fa23d4a39a6","inferenceTime":"2019-11-24T07:30:50Z"},"eventVersion":"0"}"##;
    /// `capture.jsonl`, line 1 (verbatim).
    const SDK_CAPTURE_1: &str = r##"{"eventMetadata":{"eventId":"74b0dd56-e7c8-368e-94b1-14a138a96000","inferenceTime":"{%s}"},"eventVersion":"0","captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"9,45,45,42,7,5,0","encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv","mode":"OUTPUT","data":"0.302709460258","encoding":"CSV"}}}"##;
    /// `actuals.jsonl`, line 1 (verbatim).
    const SDK_ACTUALS_1: &str = r##"{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"74b0dd56-e7c8-368e-94b1-14a138a96000","inferenceTime":"{%s}"},"eventVersion":"0"}"##;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn rows_of(line: &str) -> Vec<Row> {
        let rec = parse_capture_line(line.as_bytes()).unwrap();
        record_rows(&rec, &ExtractConfig::default()).unwrap()
    }

    fn positional(row: &Row) -> &[Cell] {
        match row {
            Row::Positional(c) => c,
            Row::Named(_) => panic!("expected a positional row, got {row:?}"),
        }
    }

    fn ev(encoding: Encoding, ct: Option<&str>, data: &str) -> EventData {
        EventData {
            observed_content_type: ct.map(str::to_string),
            mode: None,
            data: data.to_string(),
            encoding,
        }
    }

    fn rec(input: Option<EventData>, output: Option<EventData>) -> CaptureRecord {
        CaptureRecord {
            input,
            output,
            ..CaptureRecord::default()
        }
    }

    fn csv(data: &str) -> EventData {
        ev(Encoding::Csv, Some("text/csv"), data)
    }

    fn json(data: &str) -> EventData {
        ev(Encoding::Json, Some("application/json"), data)
    }

    fn cfg_paths(input: Option<&str>, output: Option<&str>) -> ExtractConfig {
        ExtractConfig {
            input_path: input.map(|p| JsonPath::parse(p).unwrap()),
            output_path: output.map(|p| JsonPath::parse(p).unwrap()),
            ..ExtractConfig::default()
        }
    }

    // ----- real fixture lines -------------------------------------------------------------

    #[test]
    fn comma_fields_split_like_str_split() {
        for s in [
            "", ",", ",,", "a", "a,", ",a", "a,,b", "é,ü,", " 1 , 2 ", "x\r",
        ] {
            let want: Vec<&str> = s.split(',').collect();
            assert_eq!(comma_fields(s).collect::<Vec<_>>(), want, "{s:?}");
        }
    }

    #[test]
    fn csv_excerpt_line_1() {
        let rec = parse_capture_line(CSV_LINE_1.as_bytes()).unwrap();
        assert_eq!(
            rec.event_id.as_deref(),
            Some("f04a8538-696c-4648-8064-8b680b2e3318")
        );
        assert_eq!(rec.inference_id, None);
        assert_eq!(rec.inference_time.as_deref(), Some("2022-04-18T00:21:48Z"));
        assert_eq!(rec.inference_time_ms, Some(1_650_241_308_000));
        let input = rec.input.as_ref().unwrap();
        assert_eq!(input.encoding, Encoding::Csv);
        assert_eq!(input.mode.as_deref(), Some("INPUT"));
        assert_eq!(input.observed_content_type.as_deref(), Some("text/csv"));
        let output = rec.output.as_ref().unwrap();
        assert_eq!(
            output.observed_content_type.as_deref(),
            Some("text/csv; charset=utf-8")
        );
        let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
        assert_eq!(rows.len(), 1);
        let cells = positional(&rows[0]);
        assert_eq!(cells.len(), 70);
        assert_eq!(cells[0], t("0.036397725343704224"));
        assert_eq!(cells[1], t("132"));
        assert_eq!(cells[2], t("10"));
        assert_eq!(cells[3], t("182.9"));
        assert_eq!(cells[69], t("1"));
    }

    #[test]
    fn csv_excerpt_line_2_and_sides() {
        let rec = parse_capture_line(CSV_LINE_2.as_bytes()).unwrap();
        let only_in = ExtractConfig {
            use_output: false,
            ..ExtractConfig::default()
        };
        let only_out = ExtractConfig {
            use_input: false,
            ..ExtractConfig::default()
        };
        let none = ExtractConfig {
            use_input: false,
            use_output: false,
            ..ExtractConfig::default()
        };
        let rows = record_rows(&rec, &only_in).unwrap();
        assert_eq!(positional(&rows[0]).len(), 69);
        assert_eq!(positional(&rows[0])[0], t("130"));
        let rows = record_rows(&rec, &only_out).unwrap();
        assert_eq!(rows, vec![Row::Positional(vec![t("0.3791300654411316")])]);
        assert!(record_rows(&rec, &none).unwrap().is_empty());
    }

    #[test]
    fn json_instances_capture() {
        let rows = rows_of(JSON_INSTANCES_1);
        assert_eq!(rows.len(), 1);
        let rows = rows_of(JSON_INSTANCES_2);
        assert_eq!(rows.len(), 2);
        let r0 = positional(&rows[0]);
        assert_eq!(r0.len(), 16);
        assert_eq!(r0[0], Cell::Float(0.9899773597717285));
        assert_eq!(r0[1], Cell::Int(1));
        assert_eq!(&r0[2..5], &[Cell::Int(28), Cell::Int(2), Cell::Int(133937)]);
        assert_eq!(r0[15], Cell::Int(37));
        let r1 = positional(&rows[1]);
        assert_eq!(r1.len(), 16);
        assert_eq!(r1[0], Cell::Float(0.5041388273239136));
        assert_eq!(r1[2], Cell::Int(43));
        assert_eq!(r1[12], Cell::Int(0));
    }

    #[test]
    fn json_instances_with_paths() {
        let rec = parse_capture_line(JSON_INSTANCES_2.as_bytes()).unwrap();
        let cfg = cfg_paths(Some("instances[*].features"), Some("predictions[*].score"));
        let rows = record_rows(&rec, &cfg).unwrap();
        assert_eq!(rows.len(), 2);
        let r1 = positional(&rows[1]);
        assert_eq!(r1.len(), 15);
        assert_eq!(r1[0], Cell::Float(0.5041388273239136));
        assert_eq!(r1[1], Cell::Int(43));
        // The output alone keeps its names.
        let cfg = ExtractConfig {
            use_input: false,
            ..cfg_paths(None, Some("predictions[*]"))
        };
        let rows = record_rows(&rec, &cfg).unwrap();
        assert_eq!(
            rows[0],
            Row::Named(vec![
                ("score".to_string(), Cell::Float(0.9899773597717285)),
                ("predicted_label".to_string(), Cell::Int(1)),
            ])
        );
        // Without a projection the list is not a row.
        let cfg = cfg_paths(Some("instances"), None);
        let err = record_rows(&rec, &cfg).unwrap_err();
        assert_eq!(err.kind(), "nested_json");
        assert!(err.to_string().contains("instances[*]"), "{err}");
        // A missing key is reported, not skipped.
        let cfg = cfg_paths(Some("instances[*].feature"), None);
        let err = record_rows(&rec, &cfg).unwrap_err();
        assert_eq!(err.kind(), "path_not_found");
        assert!(err.to_string().contains("`feature`"), "{err}");
        // Indexes.
        let cfg = ExtractConfig {
            use_output: false,
            ..cfg_paths(Some("instances[-1].features"), None)
        };
        let rows = record_rows(&rec, &cfg).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(positional(&rows[0])[0], Cell::Int(43));
    }

    #[test]
    fn jsonlines_capture() {
        let rows = rows_of(JSONLINES_1);
        assert_eq!(rows.len(), 1);
        let rows = rows_of(JSONLINES_2);
        assert_eq!(rows.len(), 2);
        for (row, (score, first)) in rows
            .iter()
            .zip([(0.989977359771728, 28), (0.504138827323913, 43)])
        {
            let c = positional(row);
            assert_eq!(c.len(), 16);
            assert_eq!(c[0], Cell::Int(1));
            assert_eq!(c[1], Cell::Float(score));
            assert_eq!(c[2], Cell::Int(first));
        }
        // The output alone: named rows.
        let rec = parse_capture_line(JSONLINES_2.as_bytes()).unwrap();
        let out = event_rows(rec.output.as_ref().unwrap(), Part::Output, None).unwrap();
        assert_eq!(
            out[1],
            Row::Named(vec![
                ("predicted_label".to_string(), Cell::Int(1)),
                ("score".to_string(), Cell::Float(0.504138827323913)),
            ])
        );
    }

    #[test]
    fn sdk_captured_data_instances_of_scalars() {
        let rec = parse_capture_line(SDK_CAPTURED_DATA_1.as_bytes()).unwrap();
        assert_eq!(
            rec.inference_time_ms,
            parse_timestamp_ms("2019-11-24T07:30:50Z")
        );
        // Default: `instances` / `predictions` are batches, one row per element.
        let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
        assert_eq!(
            rows,
            vec![
                Row::Positional(vec![Cell::Float(3.5), Cell::Float(1.0)]),
                Row::Positional(vec![Cell::Float(4.0), Cell::Float(2.0)]),
                Row::Positional(vec![Cell::Float(5.5), Cell::Float(5.0)]),
            ]
        );
        // A path without projection: a list of scalars is ONE row.
        let rows = record_rows(&rec, &cfg_paths(Some("instances"), Some("predictions"))).unwrap();
        let want: Vec<Cell> = [3.5, 4.0, 5.5, 1.0, 2.0, 5.0]
            .into_iter()
            .map(Cell::Float)
            .collect();
        assert_eq!(rows, vec![Row::Positional(want)]);
        // With projection: like the default.
        let rows = record_rows(
            &rec,
            &cfg_paths(Some("instances[*]"), Some("predictions[*]")),
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        // Mixed: 1 input row vs 3 output rows.
        let err = record_rows(&rec, &cfg_paths(Some("instances"), None)).unwrap_err();
        assert_eq!(
            err,
            DecodeError::RowCountMismatch {
                input: 1,
                output: 3
            }
        );
    }

    #[test]
    fn sdk_capture_and_actuals() {
        let rec = parse_capture_line(SDK_CAPTURE_1.as_bytes()).unwrap();
        assert_eq!(
            rec.event_id.as_deref(),
            Some("74b0dd56-e7c8-368e-94b1-14a138a96000")
        );
        assert_eq!(rec.inference_time.as_deref(), Some("{%s}"));
        assert_eq!(rec.inference_time_ms, None);
        let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
        let want: Vec<Cell> = ["0.302709460258", "9", "45", "45", "42", "7", "5", "0"]
            .into_iter()
            .map(t)
            .collect();
        assert_eq!(rows, vec![Row::Positional(want)]);

        let gt = parse_capture_line(SDK_ACTUALS_1.as_bytes()).unwrap();
        assert_eq!(gt.event_id, rec.event_id);
        assert!(gt.input.is_none() && gt.output.is_none());
        let g = gt.ground_truth.as_ref().unwrap();
        assert_eq!(g.encoding, Encoding::Csv);
        assert_eq!(g.data, "1");
        assert_eq!(g.mode, None);
        assert_eq!(
            event_rows(g, Part::GroundTruth, None).unwrap(),
            vec![Row::Positional(vec![t("1")])]
        );
        assert!(record_rows(&gt, &ExtractConfig::default())
            .unwrap()
            .is_empty());
    }

    /// Every line of every capture fixture on disk, when the shared fixtures are next to the
    /// repository (`<crate>/../../shared`); skipped with a note otherwise.
    #[test]
    fn all_fixture_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/fixtures/sagemaker");
        if !root.is_dir() {
            eprintln!("note: {} not found; fixture walk skipped", root.display());
            return;
        }
        let mut lines = 0;
        for dir in ["examples-notebook-output-captures", "sdk-monitor-testdata"] {
            let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect();
            entries.sort();
            for path in entries {
                let bytes = std::fs::read(&path).unwrap();
                for line in bytes.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                    let rec = parse_capture_line(line)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    let rows = record_rows(&rec, &ExtractConfig::default())
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    if rec.input.is_some() {
                        assert!(!rows.is_empty(), "{}", path.display());
                    }
                    if let Some(g) = &rec.ground_truth {
                        assert_eq!(event_rows(g, Part::GroundTruth, None).unwrap().len(), 1);
                    }
                    lines += 1;
                }
            }
        }
        assert_eq!(lines, 3 + 2 + 2 + 44 + 44 + 2);

        // Merged records (pretty-printed by the notebook; EventData keys alphabetical).
        let dir = root.join("examples-notebook-output-captures");
        let merged = std::fs::read(dir.join("merged-record-endpoint.pretty.json")).unwrap();
        let rec = parse_capture_line(&merged).unwrap();
        assert_eq!(rec.inference_id.as_deref(), Some("7"));
        assert_eq!(
            rec.event_id.as_deref(),
            Some("eed5a268-2703-4392-901f-70ffab9a7fd3")
        );
        let rows = record_rows(&rec, &ExtractConfig::default()).unwrap();
        assert_eq!(rows.len(), 334);
        assert!(rows.iter().all(|r| positional(r).len() == 16));
        let labels =
            event_rows(rec.ground_truth.as_ref().unwrap(), Part::GroundTruth, None).unwrap();
        assert_eq!(labels.len(), 334);
        assert_eq!(
            labels[0],
            Row::Named(vec![("label".to_string(), Cell::Int(0))])
        );

        let batch =
            std::fs::read(dir.join("merged-record-batch-transform-jsonlines.pretty.json")).unwrap();
        let rec = parse_capture_line(&batch).unwrap();
        assert!(rec.input.is_none() && rec.output.is_none());
        assert!(record_rows(&rec, &ExtractConfig::default())
            .unwrap()
            .is_empty());
        let labels =
            event_rows(rec.ground_truth.as_ref().unwrap(), Part::GroundTruth, None).unwrap();
        assert_eq!(
            labels,
            vec![Row::Named(vec![("label".to_string(), Cell::Int(1))])]
        );
    }

    // ----- record parsing ------------------------------------------------------------------

    #[test]
    fn key_order_metadata_and_custom_attributes() {
        let line = r#"  {"eventVersion":"0","eventMetadata":{"customAttributes":["a","b",3],"inferenceTime":"2021-09-12T08:03:35Z","inferenceId":"c7f0","eventId":17},"captureData":{"endpointOutput":{"encoding":"CSV","data":"1","mode":"OUTPUT"}},"extra":{"x":[1]}}  "#;
        let rec = parse_capture_line(line.as_bytes()).unwrap();
        assert_eq!(rec.event_id.as_deref(), Some("17"));
        assert_eq!(rec.inference_id.as_deref(), Some("c7f0"));
        assert_eq!(
            rec.custom_attributes,
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            rec.inference_time_ms,
            parse_timestamp_ms("2021-09-12T08:03:35Z")
        );
        assert!(rec.input.is_none());
        assert_eq!(rec.output.as_ref().unwrap().observed_content_type, None);
        let line = "\u{feff}{\"groundTruthData\":{\"data\":\"0\",\"encoding\":\"csv\"},\"eventMetadata\":{\"eventId\":\"1\",\"customAttributes\":\"c=1\"}}";
        let rec = parse_capture_line(line.as_bytes()).unwrap();
        assert_eq!(rec.ground_truth.as_ref().unwrap().encoding, Encoding::Csv);
        assert_eq!(rec.custom_attributes, Some(vec!["c=1".to_string()]));
        assert_eq!(rec.inference_time, None);
    }

    #[test]
    fn record_error_kinds() {
        let cases: &[(&[u8], &str)] = &[
            (b"{\"captureData\":", "malformed_json"),
            (b"not json", "malformed_json"),
            (b"", "malformed_json"),
            (b"   \n", "malformed_json"),
            (b"[1,2]", "invalid_record"),
            (b"{\"captureData\":5}", "invalid_record"),
            (
                b"{\"captureData\":{\"endpointInput\":{\"data\":5,\"encoding\":\"CSV\"}}}",
                "invalid_record",
            ),
            (b"{\"eventMetadata\":{\"eventId\":\"x\"}}", "missing_field"),
            (b"{\"captureData\":null}", "missing_field"),
            (
                b"{\"captureData\":{\"endpointInput\":{\"encoding\":\"CSV\"}}}",
                "missing_field",
            ),
            (b"{\"groundTruthData\":{\"data\":\"1\"}}", "missing_field"),
            (
                b"{\"captureData\":{\"endpointInput\":{\"data\":\"1\",\"encoding\":\"XML\"}}}",
                "unknown_encoding",
            ),
            (
                b"{\"captureData\":{\"endpointInput\":\xff}}",
                "invalid_utf8",
            ),
            (b"{\"a\":\"\xc3\x28\"}", "invalid_utf8"),
        ];
        for (line, kind) in cases {
            let err = parse_capture_line(line).unwrap_err();
            assert_eq!(
                err.kind(),
                *kind,
                "{:?}: {err}",
                String::from_utf8_lossy(line)
            );
            assert!(!err.to_string().is_empty());
        }
        let err = parse_capture_line(
            b"{\"captureData\":{\"endpointOutput\":{\"data\":\"1\",\"encoding\":\"XML\"}}}",
        )
        .unwrap_err();
        assert_eq!(
            err,
            DecodeError::UnknownEncoding {
                part: Part::Output,
                encoding: "XML".to_string()
            }
        );
        assert_eq!(
            err.to_string(),
            "unknown encoding \"XML\" in endpointOutput; expected \"CSV\", \"JSON\" or \"BASE64\""
        );
        let err =
            parse_capture_line(b"{\"captureData\":{\"endpointInput\":{\"encoding\":\"CSV\"}}}")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing field: the capture record has no `captureData.endpointInput.data`"
        );
        let err = parse_capture_line(b"{}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing field: the capture record has no `captureData` or `groundTruthData`"
        );
        let err = parse_capture_line(b"ab\xffcd").unwrap_err();
        assert_eq!(
            err,
            DecodeError::InvalidUtf8 {
                part: Part::Record,
                valid_up_to: 2
            }
        );
    }

    // ----- payload errors ------------------------------------------------------------------

    #[test]
    fn payload_error_kinds() {
        let d = ExtractConfig::default();
        let b64 = |ct: Option<&str>, data: &str| ev(Encoding::Base64, ct, data);
        let cases: Vec<(CaptureRecord, &str)> = vec![
            (rec(Some(json("{\"a\":")), None), "malformed_json"),
            (
                rec(Some(json("{\"a\":1} {\"b\":2}")), None),
                "malformed_json",
            ),
            (
                rec(
                    Some(ev(
                        Encoding::Json,
                        Some("application/jsonlines"),
                        "{\"a\":1}\n{",
                    )),
                    None,
                ),
                "malformed_json",
            ),
            (
                rec(Some(b64(Some("text/csv"), "!!!notbase64")), None),
                "bad_base64",
            ),
            (
                rec(Some(b64(Some("text/csv"), "/w==")), None),
                "invalid_utf8",
            ),
            (
                rec(Some(b64(Some("image/png"), "AAAA")), None),
                "unsupported_content_type",
            ),
            (
                rec(Some(b64(None, "AAAA")), None),
                "unsupported_content_type",
            ),
            (rec(Some(csv("1,\"2")), None), "malformed_csv"),
            (rec(Some(csv("1,\"2\"x,3")), None), "malformed_csv"),
            (rec(Some(json("{\"a\":[1]}")), None), "nested_json"),
            (rec(Some(json("[1,[2]]")), None), "nested_json"),
            (
                rec(Some(json("{\"instances\":[[[1]]]}")), None),
                "nested_json",
            ),
            (
                rec(
                    Some(json("{\"signature_name\":\"s\",\"instances\":[1]}")),
                    None,
                ),
                "nested_json",
            ),
            (
                rec(Some(csv("1\n2\n")), Some(csv("0.5"))),
                "row_count_mismatch",
            ),
            (rec(Some(csv("1,2")), Some(csv(""))), "row_count_mismatch"),
            (
                rec(Some(csv("1,2")), Some(json("{\"p\":1}"))),
                "encoding_mismatch",
            ),
            (rec(Some(json("[1]")), Some(csv("1"))), "encoding_mismatch"),
        ];
        for (r, kind) in cases {
            let err = record_rows(&r, &d).unwrap_err();
            assert_eq!(err.kind(), kind, "{r:?}: {err}");
        }
        // SageMaker's text, verbatim.
        let err = record_rows(&rec(Some(csv("1,2")), Some(json("{\"p\":1}"))), &d).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Encoding mismatch: Encoding is CSV for endpointInput, but Encoding is JSON for \
             endpointOutput. We currently only support the same type of input and output \
             encoding at the moment."
        );
        // The mismatch does not matter when one side is not read.
        let only_in = ExtractConfig {
            use_output: false,
            ..ExtractConfig::default()
        };
        let r = rec(Some(csv("1,2")), Some(json("{\"p\":1}")));
        assert_eq!(record_rows(&r, &only_in).unwrap().len(), 1);
        let err = record_rows(&rec(Some(csv("1\n2\n3")), Some(csv("0.5\n0.7"))), &d).unwrap_err();
        assert_eq!(
            err,
            DecodeError::RowCountMismatch {
                input: 3,
                output: 2
            }
        );
        let err = record_rows(&rec(Some(json("{\"x\":{\"y\":1}}")), None), &d).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("key `x` holds an object"), "{msg}");
        assert!(msg.contains("input_path"), "{msg}");
    }

    // ----- CSV -----------------------------------------------------------------------------

    #[test]
    fn csv_rules() {
        let d = ExtractConfig::default();
        // Multi-row requests pair line by line; trailing newline and CRLF.
        let rows = record_rows(&rec(Some(csv("1,2\r\n3,4\r\n")), Some(csv("a\nb\n"))), &d).unwrap();
        assert_eq!(
            rows,
            vec![
                Row::Positional(vec![t("a"), t("1"), t("2")]),
                Row::Positional(vec![t("b"), t("3"), t("4")]),
            ]
        );
        // Quotes, embedded comma / quote / newline, empties, spaces kept, blank lines skipped.
        let data = "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\n\n  \n,\"\", 3 ,\r\n\"q\"\r\nz\"w,\n";
        let rows = event_rows(&csv(data), Part::Input, None).unwrap();
        assert_eq!(
            rows,
            vec![
                Row::Positional(vec![t("a,b"), t("say \"hi\""), t("x\ny")]),
                Row::Positional(vec![Cell::Null, Cell::Null, t(" 3 "), Cell::Null]),
                Row::Positional(vec![t("q")]),
                Row::Positional(vec![t("z\"w"), Cell::Null]),
            ]
        );
        assert!(event_rows(&csv(""), Part::Input, None).unwrap().is_empty());
        assert!(event_rows(&csv("\n\r\n"), Part::Input, None)
            .unwrap()
            .is_empty());
        assert_eq!(
            event_rows(&csv("\"\""), Part::Input, None).unwrap(),
            vec![Row::Positional(vec![Cell::Null])]
        );
        // `encoding` decides over the content type.
        assert_eq!(
            event_rows(
                &ev(Encoding::Csv, Some("application/json"), "{\"a\":1}"),
                Part::Input,
                None
            )
            .unwrap(),
            vec![Row::Positional(vec![t("{\"a\":1}")])]
        );
        let err = event_rows(&csv("a,\"b\" ,c"), Part::Output, None).unwrap_err();
        assert_eq!(err.kind(), "malformed_csv");
        assert!(err.to_string().contains("endpointOutput"), "{err}");
    }

    #[test]
    fn base64_csv_round_trip() {
        let text = "5,\"x,y\",7.25\n8,,9\n";
        let encoded = BASE64.encode(text.as_bytes());
        let line = format!(
            "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"text/csv\",\"mode\":\"INPUT\",\"data\":{encoded:?},\"encoding\":\"BASE64\"}},\"endpointOutput\":{{\"observedContentType\":\"text/csv; charset=utf-8\",\"mode\":\"OUTPUT\",\"data\":\"0.1\\n0.2\",\"encoding\":\"CSV\"}}}},\"eventMetadata\":{{\"eventId\":\"e\",\"inferenceTime\":\"2022-04-18T00:21:48Z\"}},\"eventVersion\":\"0\"}}"
        );
        let parsed = parse_capture_line(line.as_bytes()).unwrap();
        assert_eq!(parsed.input.as_ref().unwrap().encoding, Encoding::Base64);
        assert_eq!(parsed.input.as_ref().unwrap().data, encoded);
        let via_b64 = record_rows(&parsed, &ExtractConfig::default()).unwrap();
        let plain = rec(Some(csv(text)), Some(csv("0.1\n0.2")));
        assert_eq!(
            via_b64,
            record_rows(&plain, &ExtractConfig::default()).unwrap()
        );
        assert_eq!(
            via_b64[0],
            Row::Positional(vec![t("0.1"), t("5"), t("x,y"), t("7.25")])
        );
        // Padding is optional; JSON and JSON Lines by content type.
        let unpadded = BASE64.encode(b"{\"a\": 1}");
        let unpadded = unpadded.trim_end_matches('=');
        let rows = event_rows(
            &ev(Encoding::Base64, Some("application/json"), unpadded),
            Part::Output,
            None,
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![Row::Named(vec![("a".to_string(), Cell::Int(1))])]
        );
        let lines = BASE64.encode(b"{\"a\": 1}\n{\"a\": 2}\n");
        let rows = event_rows(
            &ev(Encoding::Base64, Some("application/x-ndjson"), &lines),
            Part::Output,
            None,
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
    }

    // ----- JSON ----------------------------------------------------------------------------

    #[test]
    fn json_scalars_and_shapes() {
        let one = |data: &str| event_rows(&json(data), Part::Output, None).unwrap();
        assert_eq!(
            one("{\"i\": 3, \"f\": 3.0, \"e\": 1e5, \"n\": -7, \"big\": 9223372036854775808, \"s\": \"3\", \"b\": true, \"z\": null}"),
            vec![Row::Named(vec![
                ("i".to_string(), Cell::Int(3)),
                ("f".to_string(), Cell::Float(3.0)),
                ("e".to_string(), Cell::Float(1e5)),
                ("n".to_string(), Cell::Int(-7)),
                ("big".to_string(), Cell::Float(9223372036854775808.0)),
                ("s".to_string(), Cell::Str("3".to_string())),
                ("b".to_string(), Cell::Bool(true)),
                ("z".to_string(), Cell::Null),
            ])]
        );
        // Keys stay in payload order (not sorted).
        assert_eq!(
            one("{\"b\":1,\"a\":2}"),
            vec![Row::Named(vec![
                ("b".to_string(), Cell::Int(1)),
                ("a".to_string(), Cell::Int(2))
            ])]
        );
        assert_eq!(one("0.25"), vec![Row::Positional(vec![Cell::Float(0.25)])]);
        assert_eq!(
            one("\"cat\""),
            vec![Row::Positional(vec![Cell::Str("cat".to_string())])]
        );
        assert_eq!(
            one("[0.2, 0.8]"),
            vec![Row::Positional(vec![Cell::Float(0.2), Cell::Float(0.8)])]
        );
        assert_eq!(one("[[1, 2], [3, 4]]").len(), 2);
        assert_eq!(one("[{\"a\": 1}, {\"features\": [2]}]").len(), 2);
        assert!(one("[]").is_empty());
        assert!(one("  \n").is_empty());
        assert!(one("{\"instances\": []}").is_empty());
        assert_eq!(one("{}"), vec![Row::Named(Vec::new())]);
        assert_eq!(
            one("{\"features\": [1, \"a\"]}"),
            vec![Row::Positional(vec![
                Cell::Int(1),
                Cell::Str("a".to_string())
            ])]
        );
        assert_eq!(
            one("{\"predictions\": [[0.1, 0.9], [0.3, 0.7]]}"),
            vec![
                Row::Positional(vec![Cell::Float(0.1), Cell::Float(0.9)]),
                Row::Positional(vec![Cell::Float(0.3), Cell::Float(0.7)]),
            ]
        );
        // Named + named joins names, output first.
        let rows = record_rows(
            &rec(
                Some(json("{\"a\":1,\"b\":\"x\"}")),
                Some(json("{\"p\":0.5}")),
            ),
            &ExtractConfig::default(),
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![Row::Named(vec![
                ("p".to_string(), Cell::Float(0.5)),
                ("a".to_string(), Cell::Int(1)),
                ("b".to_string(), Cell::Str("x".to_string())),
            ])]
        );
        // JSON input with JSON Lines output is one family.
        let rows = record_rows(
            &rec(
                Some(json("{\"instances\":[{\"x\":1},{\"x\":2}]}")),
                Some(ev(Encoding::Json, Some("application/jsonlines"), "1\n2\n")),
            ),
            &ExtractConfig::default(),
        )
        .unwrap();
        assert_eq!(rows[1], Row::Positional(vec![Cell::Int(2), Cell::Int(2)]));
    }

    #[test]
    fn json_path_parsing() {
        for ok in [
            "@",
            "instances",
            "instances[*]",
            "instances[*].features",
            "predictions[*].score",
            "features",
            " features ",
            "a[0][*].b_2[-1]",
            "[*].features",
            "\"my key\"[*].\"x\\\"y\"",
        ] {
            let p = JsonPath::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(p.as_str(), ok.trim());
            assert_eq!(p.to_string(), ok.trim());
            assert_eq!(ok.parse::<JsonPath>().unwrap(), p);
        }
        for bad in [
            "",
            " ",
            "a.",
            ".a",
            "a..b",
            "a[",
            "a[x]",
            "a[]",
            "1abc",
            "a b",
            "a.[*]",
            "@.a",
            "\"open",
            "a[99999999999999999999]",
            "a|b",
            "é",
        ] {
            let err = JsonPath::parse(bad).unwrap_err();
            assert_eq!(err.kind(), "invalid_path", "{bad:?}");
        }
        let p = JsonPath::parse("\"my key\"[*].\"x\\\"y\"").unwrap();
        assert_eq!(
            p.steps,
            vec![
                Step::Key("my key".to_string()),
                Step::Wildcard,
                Step::Key("x\"y".to_string())
            ]
        );
    }

    #[test]
    fn json_path_evaluation() {
        let rows = |path: &str, data: &str| {
            let p = JsonPath::parse(path).unwrap();
            event_rows(&json(data), Part::Input, Some(&p))
        };
        let doc = "{\"instances\":[{\"features\":[1,2]},{\"features\":[3,4]}],\"k\":{\"a\":1}}";
        assert_eq!(rows("instances[*].features", doc).unwrap().len(), 2);
        assert_eq!(
            rows("k", doc).unwrap(),
            vec![Row::Named(vec![("a".to_string(), Cell::Int(1))])]
        );
        assert_eq!(
            rows("instances[1].features[0]", doc).unwrap(),
            vec![Row::Positional(vec![Cell::Int(3)])]
        );
        assert_eq!(rows("@", "{\"a\":1}").unwrap().len(), 1);
        assert_eq!(rows("@", doc).unwrap_err().kind(), "nested_json");
        assert_eq!(rows("[*]", "[[1],[2],[3]]").unwrap().len(), 3);
        assert_eq!(rows("[*][*]", "[[1,2],[3]]").unwrap().len(), 3);
        for (path, want) in [
            ("k[*]", "`[*]` expects an array, found an object"),
            (
                "instances[5]",
                "index 5 is out of range (the array has 2 element(s))",
            ),
            (
                "instances.x",
                "expected an object with key `x`, found an array",
            ),
            ("nope", "key `nope` not found"),
        ] {
            let err = rows(path, doc).unwrap_err();
            assert_eq!(err.kind(), "path_not_found");
            assert!(err.to_string().ends_with(want), "{err}");
        }
        // JSON Lines: the path applies to each line.
        let p = JsonPath::parse("features").unwrap();
        let r = event_rows(
            &ev(
                Encoding::Json,
                Some("application/jsonlines"),
                "{\"features\":[1]}\n{\"features\":[2]}",
            ),
            Part::Input,
            Some(&p),
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        // Paths do not apply to CSV.
        assert_eq!(
            event_rows(&csv("1,2"), Part::Input, Some(&p))
                .unwrap()
                .len(),
            1
        );
    }

    // ----- properties ----------------------------------------------------------------------

    fn payload_alphabet() -> impl Strategy<Value = String> {
        let chars = vec![
            '{', '}', '[', ']', '"', ',', ':', '\n', '\r', ' ', '1', '0', '-', '.', 'e', 'a', '\\',
            'n', 'u', 'l', 't', 'r', 'é', 'i', 's', 'f',
        ];
        prop_oneof![
            proptest::collection::vec(proptest::sample::select(chars), 0..80)
                .prop_map(|v| v.into_iter().collect::<String>()),
            any::<String>(),
            Just("{\"instances\":[{\"features\":[1,2]},[3],4]}".to_string()),
            Just("{\"predictions\":[{\"a\":1},{\"b\":[1]}]}".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parse_capture_line_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_capture_line(&bytes);
        }

        #[test]
        fn mutated_real_lines_never_panic(
            idx in 0usize..4,
            cut in 0usize..2000,
            flip in any::<u8>(),
        ) {
            let line = [CSV_LINE_1, JSON_INSTANCES_2, JSONLINES_2, SDK_CAPTURED_DATA_1][idx];
            let mut bytes = line.as_bytes().to_vec();
            let at = cut % bytes.len();
            bytes[at] = flip;
            if let Ok(rec) = parse_capture_line(&bytes) {
                let _ = record_rows(&rec, &ExtractConfig::default());
            }
            let _ = parse_capture_line(&line.as_bytes()[..at]);
        }

        #[test]
        fn record_rows_never_panics(
            in_data in payload_alphabet(),
            out_data in payload_alphabet(),
            in_enc in 0usize..3,
            out_enc in 0usize..3,
            in_ct in 0usize..5,
            out_ct in 0usize..5,
            path in 0usize..6,
        ) {
            let encs = [Encoding::Csv, Encoding::Json, Encoding::Base64];
            let cts = [None, Some("text/csv"), Some("application/json"), Some("application/jsonlines"), Some("image/png")];
            let paths = [None, Some("@"), Some("instances"), Some("instances[*].features"), Some("[*]"), Some("a[-1][*]")];
            let mk = |enc: Encoding, ct: Option<&str>, data: &str| {
                let data = if enc == Encoding::Base64 && data.len().is_multiple_of(2) {
                    BASE64.encode(data.as_bytes())
                } else {
                    data.to_string()
                };
                ev(enc, ct, &data)
            };
            let r = rec(
                Some(mk(encs[in_enc], cts[in_ct], &in_data)),
                Some(mk(encs[out_enc], cts[out_ct], &out_data)),
            );
            let cfg = cfg_paths(paths[path], paths[(path + 1) % paths.len()]);
            for c in [cfg.clone(), ExtractConfig::default(), ExtractConfig { use_output: false, ..cfg }] {
                if let Ok(rows) = record_rows(&r, &c) {
                    let _ = rows.len();
                }
            }
            // The same data through a serialized capture line.
            let line = format!(
                "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"application/json\",\"data\":{},\"encoding\":\"JSON\"}}}}}}",
                serde_json::to_string(&in_data).unwrap()
            );
            let rec = parse_capture_line(line.as_bytes()).unwrap();
            prop_assert_eq!(&rec.input.as_ref().unwrap().data, &in_data);
            let _ = record_rows(&rec, &ExtractConfig::default());
        }

        #[test]
        fn json_path_parse_never_panics(s in payload_alphabet()) {
            if let Ok(p) = JsonPath::parse(&s) {
                prop_assert_eq!(JsonPath::parse(p.as_str()).unwrap(), p);
            }
        }

        #[test]
        fn csv_round_trip(rows in proptest::collection::vec(
            proptest::collection::vec("[a-z0-9 ,\"\n.]{0,6}", 1..5), 1..5)
        ) {
            // Quote every field, then read back: same cells (empty -> Null).
            let text: String = rows
                .iter()
                .map(|r| r.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join("\n");
            let got = event_rows(&csv(&text), Part::Input, None).unwrap();
            let want: Vec<Row> = rows
                .iter()
                .map(|r| Row::Positional(r.iter().map(|f| text_cell(f)).collect()))
                .collect();
            prop_assert_eq!(got, want);
        }
    }

    // ----- throughput ----------------------------------------------------------------------

    /// `cargo test --release -- --ignored --nocapture capture_throughput`
    #[test]
    #[ignore]
    fn capture_throughput() {
        const N: usize = 200_000;
        let lines: Vec<String> = (0..N)
            .map(|i| {
                let feats: Vec<String> = (0..25)
                    .map(|j| {
                        if j % 2 == 0 {
                            format!("{}", (i * 31 + j * 7) % 1000)
                        } else {
                            format!("{}.{}", (i + j) % 97, (i * j) % 1000)
                        }
                    })
                    .collect();
                format!(
                    "{{\"captureData\":{{\"endpointInput\":{{\"observedContentType\":\"text/csv\",\"mode\":\"INPUT\",\"data\":\"{}\",\"encoding\":\"CSV\"}},\"endpointOutput\":{{\"observedContentType\":\"text/csv; charset=utf-8\",\"mode\":\"OUTPUT\",\"data\":\"0.{:06}\",\"encoding\":\"CSV\"}}}},\"eventMetadata\":{{\"eventId\":\"f04a8538-696c-4648-8064-{:012}\",\"inferenceTime\":\"2022-04-18T00:21:48Z\"}},\"eventVersion\":\"0\"}}",
                    feats.join(","),
                    i % 1_000_000,
                    i
                )
            })
            .collect();
        let bytes: usize = lines.iter().map(String::len).sum();
        let cfg = ExtractConfig::default();

        let start = std::time::Instant::now();
        let mut n_ok = 0usize;
        for l in &lines {
            if parse_capture_line(l.as_bytes()).is_ok() {
                n_ok += 1;
            }
        }
        let parse_s = start.elapsed().as_secs_f64();
        assert_eq!(n_ok, N);

        let start = std::time::Instant::now();
        let mut cells = 0usize;
        for l in &lines {
            let rec = parse_capture_line(l.as_bytes()).unwrap();
            for r in record_rows(&rec, &cfg).unwrap() {
                cells += positional(&r).len();
            }
        }
        let all_s = start.elapsed().as_secs_f64();
        assert_eq!(cells, N * 26);
        println!(
            "{N} CSV capture lines (25 features, {:.0} bytes/line): parse_capture_line {:.0} lines/s \
             ({:.0} MB/s); parse + record_rows {:.0} lines/s ({:.0} MB/s)",
            bytes as f64 / N as f64,
            N as f64 / parse_s,
            bytes as f64 / parse_s / 1e6,
            N as f64 / all_s,
            bytes as f64 / all_s / 1e6,
        );
    }

    // ----- invalid JSON payloads -----------------------------------------------------------

    #[test]
    fn invalid_json_payloads_are_malformed_not_rows() {
        let jsonl = |data: &str| ev(Encoding::Json, Some("application/jsonlines"), data);
        let invalid = [
            "01",
            "{\"a\":1",
            "[1,2]]",
            "tru",
            "{\"a\":1} x",
            "[1] 2x",
            "truefalse",
            "1-0",
            "-01",
            "1.",
            "\"unterminated",
            "{\"a\":1,}",
            "[1,]",
            "nul",
            "1e400",
            "\"\\ud800\"",
        ];
        for text in invalid {
            for (what, e) in [("JSON Lines", jsonl(text)), ("JSON", json(text))] {
                let err = event_rows(&e, Part::Input, None)
                    .expect_err(&format!("{what} payload {text:?} is not valid"));
                assert_eq!(err.kind(), "malformed_json", "{what} {text:?}: {err}");
                assert!(err.to_string().contains("at line 1 column"), "{err}");
            }
        }
        // Several documents in a JSON payload; a document after an error in JSON Lines.
        for (e, text) in [
            (json("{\"a\":1} {\"b\":2}"), "two documents"),
            (
                jsonl("{\"a\":1}\n{\"a\":\n{\"a\":3}"),
                "a broken second line",
            ),
        ] {
            let err = event_rows(&e, Part::Output, None).expect_err(text);
            assert_eq!(err.kind(), "malformed_json", "{text}");
        }
    }

    #[test]
    fn valid_json_payloads_keep_their_rows() {
        let jsonl = |data: &str| ev(Encoding::Json, Some("application/jsonlines"), data);
        let rows = |e: EventData| event_rows(&e, Part::Input, None).unwrap();
        let p = |cells: Vec<Cell>| Row::Positional(cells);
        // `-0` is Int(0) (also when `serde_json` would read -0.0), in every position.
        assert_eq!(rows(json("-0")), vec![p(vec![Cell::Int(0)])]);
        assert_eq!(
            rows(json("[-0, -0.0, -0e1, \"-0\", -1]")),
            vec![p(vec![
                Cell::Int(0),
                Cell::Float(-0.0),
                Cell::Float(-0.0),
                Cell::Str("-0".to_owned()),
                Cell::Int(-1)
            ])]
        );
        assert_eq!(
            rows(json("{\"a\":-0,\"b\\\"-0\":\"x\\\\\",\"c\":-0}")),
            vec![Row::Named(vec![
                ("a".to_owned(), Cell::Int(0)),
                ("b\"-0".to_owned(), Cell::Str("x\\".to_owned())),
                ("c".to_owned(), Cell::Int(0)),
            ])]
        );
        let r = rows(json("[-0.0]"));
        assert!(
            matches!(r[0], Row::Positional(ref c) if matches!(c[0], Cell::Float(f) if f.is_sign_negative()))
        );
        // JSON Lines: documents separated by whitespace, self-delimiting ones may touch.
        assert_eq!(rows(jsonl("1 2\n\n3\r\n")).len(), 3);
        assert_eq!(rows(jsonl("{\"a\":1}{\"a\":2}")).len(), 2);
        assert_eq!(rows(jsonl("\"a\"\"b\"")).len(), 2);
        assert_eq!(
            rows(jsonl("-0\n-0")),
            vec![p(vec![Cell::Int(0)]), p(vec![Cell::Int(0)])]
        );
        assert!(rows(jsonl("  \n")).is_empty());
        assert!(rows(json(" \n ")).is_empty());
        // Correct rounding, big integers.
        assert_eq!(
            rows(json(
                "[0.1, 2.2250738585072011e-308, 18446744073709551616, -9223372036854775808]"
            )),
            vec![p(vec![
                Cell::Float(0.1),
                Cell::Float(2.2250738585072011e-308),
                Cell::Float(18446744073709551616.0),
                Cell::Int(i64::MIN)
            ])]
        );
    }

    /// Nesting limit of payload JSON: `serde_json`'s recursion limit (its 128th open bracket fails).
    const MAX_JSON_NESTING: usize = 127;

    #[test]
    fn nesting_limit_of_json_payloads() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let err = event_rows(&json(&nested(MAX_JSON_NESTING)), Part::Input, None).unwrap_err();
        assert_eq!(err.kind(), "nested_json", "{err}");
        let err = event_rows(&json(&nested(MAX_JSON_NESTING + 1)), Part::Input, None).unwrap_err();
        assert_eq!(err.kind(), "malformed_json", "{err}");
    }

    proptest! {
        /// Float literals are read as `str::parse::<f64>` reads them (correctly rounded).
        #[test]
        fn json_floats_round_like_str_parse(mant in any::<u64>(), exp in -330i32..310, frac in 0u32..20) {
            let lit = format!("{}.{:0width$}e{exp}", mant, 7u64, width = frac as usize + 1);
            let want = lit.parse::<f64>().unwrap();
            prop_assume!(want.is_finite());
            let r = event_rows(&json(&format!("[{lit}]")), Part::Input, None).unwrap();
            prop_assert_eq!(r, vec![Row::Positional(vec![Cell::Float(want)])]);
        }
    }
}
