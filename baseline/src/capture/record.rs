//! Capture records: [`parse_capture_line`] / [`parse_capture_ref`] read one JSONL line of a
//! capture, ground-truth or merged file into a [`CaptureRecord`] (owned) or a [`CaptureRef`]
//! (borrowing the line), with each side's payload as an [`EventData`] / [`EventRef`]. The first
//! step of decoding; [`super::payload`] then turns the payloads into rows.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::error::{DecodeError, Part};
use super::json::JVal;
use crate::time::parse_timestamp_ms;

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
