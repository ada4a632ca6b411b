//! From a record's payloads to rows: each side's format from its `encoding` and content type,
//! BASE64 decoding, then CSV ([`super::csv`]) or JSON ([`super::json`], with a configured
//! [`JsonPath`] or the default rules); [`record_rows`] pairs the output and input rows of a
//! record, and [`plain_csv_rows`] is its allocation-free fast path for quote-free CSV.

use std::borrow::Cow;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::csv::{csv_field_count, parse_csv, plain_csv_lines};
use super::error::{DecodeError, Part};
use super::json::{default_rows, for_each_json_doc, parse_json_doc, JVal};
use super::jsonpath::JsonPath;
use super::record::{CaptureRecord, CaptureRef, Encoding, EventData, EventRef};
use crate::value::{Cell, Row};

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

/// The BASE64 engine of payloads: standard alphabet, padding optional.
pub(super) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The text of a payload: its `data`, decoded first when it is BASE64.
fn payload_text(ev: &EventData, part: Part) -> Result<Cow<'_, str>, DecodeError> {
    match ev.encoding {
        Encoding::Csv | Encoding::Json => Ok(Cow::Borrowed(ev.data.as_str())),
        Encoding::Base64 => base64_text(&ev.data, part).map(Cow::Owned),
    }
}

/// A BASE64 payload decoded (standard alphabet, padding optional, surrounding whitespace
/// ignored) to UTF-8 text, without a leading byte-order mark.
fn base64_text(data: &str, part: Part) -> Result<String, DecodeError> {
    let bytes = BASE64
        .decode(data.trim())
        .map_err(|e| DecodeError::BadBase64 {
            part,
            detail: e.to_string(),
        })?;
    let text = String::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
        part,
        valid_up_to: e.utf8_error().valid_up_to(),
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
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
            // The part only names an error, and errors are dropped here.
            Cow::Owned(base64_text(&ev.data, Part::Input).ok()?)
        }
    };
    memchr::memchr(b'"', text.as_bytes())
        .is_none()
        .then_some(text)
}

/// The fast path of [`record_rows`] for the common case: CSV payloads (plain or base64)
/// without quotes, every row `width` cells wide. Calls `on(output_line, input_line)` for each
/// row (a side is `None` when it is not read) and returns `true`; the cells of a row are the
/// output line's `,`-separated fields ([`comma_fields`](super::csv::comma_fields)), then the input line's, an empty field being null —
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
