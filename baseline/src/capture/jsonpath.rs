//! [`JsonPath`], the small JMESPath subset of `input_path` / `output_path` (keys, indexes,
//! `[*]` projections, `@`): parsed once from the configuration, then applied by
//! [`super::payload`] to each JSON document of a payload instead of the default rules.

use std::fmt;
use std::str::FromStr;

use super::error::{char_at, DecodeError, Part};
use super::json::{kind_name, row_from_value, JVal};
use crate::value::Row;

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
    pub(super) steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
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

    pub(super) fn rows(
        &self,
        doc: JVal,
        part: Part,
        out: &mut Vec<Row>,
    ) -> Result<(), DecodeError> {
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
