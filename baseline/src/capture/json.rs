//! JSON payloads: documents are read by `serde_json` into [`JVal`] (keys in order, duplicates
//! kept, integer and float literals apart), a `JSON` payload as one document
//! ([`parse_json_doc`]) and a `JSON Lines` payload as a stream ([`for_each_json_doc`]); invalid
//! JSON is `malformed_json`. [`default_rows`] applies the default rules of the module
//! documentation and [`row_from_value`] checks a row value.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::error::{DecodeError, Part};
use crate::value::{Cell, Row};

pub(super) fn kind_name(v: &JVal) -> &'static str {
    match v {
        JVal::Null => "null",
        JVal::Bool(_) => "a boolean",
        JVal::Int(_) | JVal::Float(_) => "a number",
        JVal::Str(_) => "a string",
        JVal::Arr(_) => "an array",
        JVal::Obj(_) => "an object",
    }
}

/// A JSON value that keeps object keys in order (and duplicates) and the integer/float
/// distinction of the literal.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum JVal {
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
pub(super) fn parse_json_doc(text: &str) -> Result<JVal, String> {
    let text = negative_zero_as_int(text);
    let mut de = serde_json::Deserializer::from_str(&text);
    let doc = JVal::deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end()
        .map_err(|e| format!("{e} (use a JSON Lines content type for several documents)"))?;
    Ok(doc)
}

/// Why [`for_each_json_doc`] stopped.
pub(super) enum LinesError {
    /// The text is not a sequence of JSON documents.
    Malformed(String),
    /// The callback failed.
    Rows(DecodeError),
}

impl LinesError {
    pub(super) fn into_decode_error(self, part: Part) -> DecodeError {
        match self {
            LinesError::Malformed(detail) => DecodeError::MalformedJson { part, detail },
            LinesError::Rows(e) => e,
        }
    }
}

/// Calls `f` on each document of a `JSON Lines` payload, in order: a sequence of JSON documents
/// separated by whitespace (usually one a line). Two documents must not touch unless the first
/// ends with `]`, `}` or `"` (so `01` and `truefalse` are malformed, `{}{}` is two documents).
pub(super) fn for_each_json_doc(
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
pub(super) fn row_from_value(v: JVal, part: Part) -> Result<Row, DecodeError> {
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

pub(super) fn default_rows(doc: JVal, part: Part, out: &mut Vec<Row>) -> Result<(), DecodeError> {
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
