//! Python's text for numbers and JSON: `repr(float)` and `json.dumps(obj, indent=4)`.
//!
//! Clarify writes `analysis.json` with Python's `json` module, whose floats are `repr` (the
//! shortest round-trip digits, in scientific form when the decimal exponent is below −4 or at
//! least 16: `1e-05`, `1.2e+16`). Rust's `{}` never uses an exponent, so files that must be
//! byte-compatible go through [`py_float_repr`] and [`dumps_indent4`].

use serde_json::Value;

/// `repr(x)` of a Python float: `0.1`, `2.916666666666667`, `1e-05`, `1.2e+16`, `-0.0`, `inf`,
/// `nan`.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits: "d.ddde<exp>".
    let sci = format!("{:e}", x.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp < 0 {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        } else if n <= exp + 1 {
            format!("{}{}.0", digits, "0".repeat((exp + 1 - n) as usize))
        } else {
            let (a, b) = digits.split_at((exp + 1) as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() == 1 {
            digits.clone()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let es = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    }
}

/// `json.dumps(value, indent=4)` (ASCII-escaped strings, `", "`-free item separators at line
/// ends, `": "` after keys, keys in the map's order). Non-finite floats cannot occur in a
/// `serde_json::Value`.
pub fn dumps_indent4(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out
}

fn write_value(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&py_float_repr(n.as_f64().unwrap_or(f64::NAN)));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, x, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(o) => {
            if o.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_str(out, k);
                out.push_str(": ");
                write_value(out, x, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// A JSON string as Python's `json` writes it with `ensure_ascii=True`.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        for (x, s) in [
            (0.1, "0.1"),
            (2.916666666666667, "2.916666666666667"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1.2e16, "1.2e+16"),
            (1e15, "1000000000000000.0"),
            (123.0, "123.0"),
            (-0.08, "-0.08"),
            (-0.0, "-0.0"),
            (4.139e-05, "4.139e-05"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(py_float_repr(x), s);
        }
    }

    #[test]
    fn dumps_like_python() {
        let v: Value = serde_json::from_str(r#"{"a": [1, 2.0, "é"], "b": {}, "c": []}"#).unwrap();
        assert_eq!(
            dumps_indent4(&v),
            "{\n    \"a\": [\n        1,\n        2.0,\n        \"\\u00e9\"\n    ],\n    \"b\": {},\n    \"c\": []\n}"
        );
    }

    // Cases of the explainability writer (once a copy of this module in `attribution`).
    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (0.05962069398767555, "0.05962069398767555"),
            (0.250623226165771, "0.250623226165771"),
            (1.0, "1.0"),
            (0.9, "0.9"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123456789012345.6, "123456789012345.6"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e20, "1.2345e+20"),
            (-2.5, "-2.5"),
            (-0.0, "-0.0"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.1 + 0.2, "0.30000000000000004"),
            (100.0, "100.0"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float_repr(x), want, "{x:e}");
        }
    }

    #[test]
    fn layout_is_json_dumps_indent_4() {
        let v = serde_json::json!({"version": "1.0", "a": {"b": [1, 2.5], "e": {}, "f": []}, "s": "Hours per week é"});
        assert_eq!(
            dumps_indent4(&v),
            "{\n    \"version\": \"1.0\",\n    \"a\": {\n        \"b\": [\n            1,\n            2.5\n        ],\n        \"e\": {},\n        \"f\": []\n    },\n    \"s\": \"Hours per week \\u00e9\"\n}"
        );
    }
}
