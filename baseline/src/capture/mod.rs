//! Data-capture records: parse SageMaker capture and ground-truth lines, and turn their payloads
//! into [`Row`]s. AWS documents the capture record in
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture.html> and the
//! ground-truth record in
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-merge.html>; how
//! payloads become rows is driftmon's own rule, below (see also `README.md`, "JSON payloads").
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
//! `tru`, `[1]]`, trailing characters) is `malformed_json`, never a partial row. JSON numbers
//! become [`Cell::Int`] when the literal has no fraction or exponent and fits in `i64` (`-0` is
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
//! is a deliberate choice: SageMaker itself does not document any flattening of JSON (its
//! analyzer reads only flat JSON; `README.md`, "JSON payloads").
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
//!   order; `README.md`, "Using it"). Different counts fail with `row_count_mismatch`.
//! * The joined row is named if both parts are named. If both are positional, or if one is named
//!   and one positional, it is positional (names are dropped), because names cannot be given
//!   to only part of a row.
//! * With only one side read, its rows are returned as they are. A record with neither side
//!   gives no rows.
//!
//! Ground-truth payloads are read with [`event_rows`] and the same rules.
//!
//! # Layout
//!
//! [`record`] parses lines into records, [`payload`] turns payloads into rows with [`csv`],
//! `json` and [`jsonpath`], and [`error`] holds the one error type. Everything public is
//! re-exported here (`capture::parse_capture_line`, `capture::JsonPath`, …); the timestamp
//! functions are [`crate::time`]'s.

pub mod csv;
pub mod error;
mod json;
pub mod jsonpath;
pub mod payload;
pub mod record;

pub use self::csv::{comma_fields, CommaFields};
pub use error::{DecodeError, Part};
pub use jsonpath::JsonPath;
pub use payload::{event_rows, plain_csv_rows, record_rows, ExtractConfig};
pub use record::{
    parse_capture_line, parse_capture_ref, CaptureRecord, CaptureRef, Encoding, EventData, EventRef,
};

/// The timestamp functions are [`crate::time`]'s; re-exported here, where records use them.
pub use crate::time::{format_timestamp_ms, parse_timestamp_ms};

#[cfg(test)]
mod tests;
