//! CSV payloads: [`parse_csv`] splits a payload into rows of untrimmed text cells by the RFC
//! 4180 rules of the module documentation, and the quote-free fast path's line and field
//! splitting ([`comma_fields`]) that [`super::payload::plain_csv_rows`] uses.

use super::error::{char_at, DecodeError, Part};
use crate::value::Cell;

/// The non-blank lines of a quote-free CSV payload, without their `\r`: the rows
/// [`parse_csv`] makes, before splitting on `,`.
pub(super) fn plain_csv_lines(text: &str) -> impl Iterator<Item = &str> {
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

pub(super) fn csv_field_count(line: Option<&str>) -> usize {
    line.map_or(0, |l| memchr::memchr_iter(b',', l.as_bytes()).count() + 1)
}

pub(super) fn text_cell(field: &str) -> Cell {
    if field.is_empty() {
        Cell::Null
    } else {
        Cell::Text(field.to_string())
    }
}

pub(super) fn parse_csv(text: &str, part: Part) -> Result<Vec<Vec<Cell>>, DecodeError> {
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
