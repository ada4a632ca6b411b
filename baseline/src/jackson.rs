//! Byte-exact reproduction of the JSON text that SageMaker Model Monitor's
//! analyzer writes.
//!
//! The analyzer is a JVM program that serializes its reports with Jackson's
//! `DefaultPrettyPrinter`, and formats doubles with Java's `Double.toString`.
//! This module reproduces both, so that files we write are byte-identical to
//! the ones AWS writes for the same content. It is the last step of writing the SageMaker
//! files ([`crate::files::to_jackson`]).

use serde_json::Value;
use std::fmt::Write as _;

/// Formats `x` exactly like Java's `Double.toString(double)` (JDK 19+ semantics,
/// i.e. the shortest decimal that uniquely identifies the double).
///
/// * `NaN` gives `"NaN"`, infinities give `"Infinity"` / `"-Infinity"`.
/// * Zeros give `"0.0"` / `"-0.0"`.
/// * For `1e-3 <= |x| < 1e7` the result is plain decimal with at least one
///   digit after the point: `"231.0"`, `"0.001"`, `"1.8399999999999999"`.
/// * Otherwise it is computerized scientific notation `d.dddE<exp>` with at
///   least one digit after the point: `"1.0E-4"`, `"2.3E7"`, `"-3.5E-5"`.
///
/// The digits come from Rust's shortest round-trip formatting. Java's only
/// deviation from "shortest" (when a single digit suffices it may prefer a
/// closer two-digit decimal, e.g. `Double.MIN_VALUE` is `4.9E-324`, not `5.0E-324`)
/// is reproduced as well, and so is its tie rule (of two equally close shortest
/// decimals Java takes the one with the even last digit, where Rust's shortest
/// formatting may take the other). Checked against `Double.toString` of
/// Temurin JDK 25 on 12 million doubles (random bit patterns, subnormals,
/// short decimals, the `1e-3` / `1e7` boundaries): no difference.
pub fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    let a = x.abs();
    let (mut digits, mut exp) = split_sci(&format!("{a:e}"));
    if digits.len() > 1 {
        // Among the shortest decimals Java takes the one closest to x, and on
        // an exact tie the one with an even last digit; Rust's shortest mode
        // may pick the other one of a tie (e.g. 1.0065674027176772E15, where
        // Rust says ...773). `{:.Ne}` rounds exactly, half to even, so the
        // same-length correctly rounded decimal is Java's choice whenever it
        // still rounds to x.
        let closest = format!("{a:.*e}", digits.len() - 1);
        if closest.parse::<f64>() == Ok(a) {
            (digits, exp) = split_sci(&closest);
        }
    } else {
        // Java (JDK 19+): when the shortest decimal has length 1, the decimals
        // of length 2 are candidates too, and the one closest to x wins.
        // `{:.1e}` is the correctly rounded (closest) 2-digit decimal; if it
        // still rounds to x it is at least as close as the 1-digit one.
        let two = format!("{a:.1e}");
        if two.parse::<f64>() == Ok(a) {
            let (d2, e2) = split_sci(&two);
            digits = d2.trim_end_matches('0').to_string();
            if digits.is_empty() {
                digits.push('0');
            }
            exp = e2;
        }
    }
    let mut out = String::with_capacity(digits.len() + 8);
    if x < 0.0 {
        out.push('-');
    }
    let n = digits.len() as i32;
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp + 1;
            if n > int_len {
                out.push_str(&digits[..int_len as usize]);
                out.push('.');
                out.push_str(&digits[int_len as usize..]);
            } else {
                out.push_str(&digits);
                for _ in 0..(int_len - n) {
                    out.push('0');
                }
                out.push_str(".0");
            }
        } else {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if n > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        let _ = write!(out, "{exp}");
    }
    out
}

/// Splits Rust's `{:e}` output of a positive finite number (`"1.25e-3"`) into its
/// significant digits without the point (`"125"`) and the decimal exponent of
/// the first digit (`-3`).
fn split_sci(s: &str) -> (String, i32) {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse::<i32>().unwrap_or(0))
}

/// Renders `v` exactly like Jackson's `DefaultPrettyPrinter` (as used by the
/// Model Monitor analyzer):
///
/// * two-space indentation, `"key" : value`;
/// * an object is `{`, one entry per line, then `}` on its own line; `{ }` when empty;
/// * an array is written on one line with single spaces: `[ 3.0, 1.0 ]`,
///   `[ {` … `}, {` … `} ]`, `[ [ 1.0 ], [ 2.0 ] ]`; `[ ]` when empty
///   (arrays do not add indentation);
/// * integers (`i64`/`u64` in `serde_json`) are printed as integers, every other
///   number with [`java_double`];
/// * strings are escaped as Jackson does: `"`, `\`, and control characters
///   (`\b \t \n \f \r` by name, others as `\u00XX`); non-ASCII stays UTF-8;
/// * LF line endings and no trailing newline.
pub fn to_jackson_pretty(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 0);
    out
}

fn write_value(out: &mut String, v: &Value, nesting: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                out.push_str(&java_double(f));
            } else {
                // Unreachable without serde_json's arbitrary_precision feature.
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            if items.is_empty() {
                out.push_str(" ]");
                return;
            }
            out.push(' ');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, nesting);
            }
            out.push_str(" ]");
        }
        Value::Object(map) => {
            out.push('{');
            if map.is_empty() {
                out.push_str(" }");
                return;
            }
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, nesting + 1);
                write_string(out, key);
                out.push_str(" : ");
                write_value(out, value, nesting + 1);
            }
            newline_indent(out, nesting);
            out.push('}');
        }
    }
}

fn newline_indent(out: &mut String, nesting: usize) {
    out.push('\n');
    for _ in 0..nesting {
        out.push_str("  ");
    }
}

fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 0xF] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn java_double_table() {
        let cases: &[(f64, &str)] = &[
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-1.0, "-1.0"),
            (231.0, "231.0"),
            (2048.0, "2048.0"),
            (2.31, "2.31"),
            (0.64, "0.64"),
            (0.1, "0.1"),
            (0.8330066026148891, "0.8330066026148891"),
            (1.8399999999999999, "1.8399999999999999"),
            (-3.208758170289026, "-3.208758170289026"),
            (0.03364933609800973, "0.03364933609800973"),
            (100.0, "100.0"),
            (123456.789, "123456.789"),
            (9999999.0, "9999999.0"),
            (9999999.999, "9999999.999"),
            (1e7, "1.0E7"),
            (-1e7, "-1.0E7"),
            (2.3e7, "2.3E7"),
            (12345678.0, "1.2345678E7"),
            (1e10, "1.0E10"),
            (1.5e300, "1.5E300"),
            (1e21, "1.0E21"),
            (1e22, "1.0E22"),
            (1e23, "1.0E23"),
            (0.001, "0.001"),
            (-0.001, "-0.001"),
            (0.0015, "0.0015"),
            (0.00999, "0.00999"),
            (0.01, "0.01"),
            (0.009009009009009009, "0.009009009009009009"),
            (9.99e-4, "9.99E-4"),
            (1e-4, "1.0E-4"),
            (-3.5e-5, "-3.5E-5"),
            (1.0e-300, "1.0E-300"),
            (123.456e-10, "1.23456E-8"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN, "-1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (f64::EPSILON, "2.220446049250313E-16"),
            // Subnormals where Java prefers a closer 2-digit decimal.
            (5e-324, "4.9E-324"),
            (-5e-324, "-4.9E-324"),
            (1e-323, "9.9E-324"),
            (1.5e-323, "1.5E-323"),
            (2e-323, "2.0E-323"),
            (0.30000000000000004, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (2.0 / 3.0, "0.6666666666666666"),
            (99.5, "99.5"),
            (1234567.0, "1234567.0"),
            (1000000.0, "1000000.0"),
            (4.35, "4.35"),
            (2.0e-3, "0.002"),
            (9007199254740993.0, "9.007199254740992E15"),
            // Exact ties between two shortest decimals: Java takes the even one.
            (f64::from_bits(0xc30c9bbde3da0f6a), "-1.0065674027176772E15"),
            (f64::from_bits(0x42ea8090bb0f6d84), "2.3311589051479612E14"),
            (f64::from_bits(0xc2d2403c35e85ec8), "-8.026838949106712E13"),
        ];
        for &(x, want) in cases {
            assert_eq!(java_double(x), want, "java_double({x:?})");
        }
    }

    #[test]
    fn printer_shapes() {
        assert_eq!(to_jackson_pretty(&json!({})), "{ }");
        assert_eq!(to_jackson_pretty(&json!([])), "[ ]");
        assert_eq!(
            to_jackson_pretty(&json!({"violations": []})),
            "{\n  \"violations\" : [ ]\n}"
        );
        assert_eq!(
            to_jackson_pretty(&json!({"a": {}, "b": [1, 2.0, "x", null, true]})),
            "{\n  \"a\" : { },\n  \"b\" : [ 1, 2.0, \"x\", null, true ]\n}"
        );
        assert_eq!(
            to_jackson_pretty(&json!({"f": [{"a": 1}, {"b": [[3.0, 1.0], [2.5]]}]})),
            "{\n  \"f\" : [ {\n    \"a\" : 1\n  }, {\n    \"b\" : [ [ 3.0, 1.0 ], [ 2.5 ] ]\n  } ]\n}"
        );
        assert_eq!(
            to_jackson_pretty(&json!([{"a": {"b": {}}}])),
            "[ {\n  \"a\" : {\n    \"b\" : { }\n  }\n} ]"
        );
        assert_eq!(to_jackson_pretty(&json!(-7)), "-7");
        assert_eq!(to_jackson_pretty(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(to_jackson_pretty(&json!(1e-4)), "1.0E-4");
        assert_eq!(to_jackson_pretty(&json!("NaN")), "\"NaN\"");
    }

    #[test]
    fn string_escaping() {
        let s = "q\"b\\s/n\nt\tr\rb\u{8}f\u{c}z\u{0}o\u{1f}d\u{7f}é€😀";
        assert_eq!(
            to_jackson_pretty(&Value::String(s.to_string())),
            "\"q\\\"b\\\\s/n\\nt\\tr\\rb\\bf\\fz\\u0000o\\u001Fd\u{7f}é€😀\""
        );
        assert_eq!(
            to_jackson_pretty(&json!({"k\"ey": "v"})),
            "{\n  \"k\\\"ey\" : \"v\"\n}"
        );
    }

    fn shared_dir() -> Option<PathBuf> {
        let dir = match std::env::var_os("DRIFTMON_SHARED_DIR") {
            Some(d) => PathBuf::from(d),
            None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
        };
        if dir.join("fixtures/sagemaker").is_dir() {
            Some(dir)
        } else {
            println!("skipped: shared fixtures absent");
            None
        }
    }

    fn json_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                json_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }

    /// Every fixture written by Jackson (recognised by `{\n  "key" : `) must be
    /// reproduced byte for byte from its parsed `Value`.
    #[test]
    fn reproduces_jackson_fixtures_byte_for_byte() {
        let Some(shared) = shared_dir() else {
            return;
        };
        let mut files = Vec::new();
        json_files(&shared.join("fixtures/sagemaker"), &mut files);
        files.sort();
        let mut checked = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let first_two: Vec<&str> = text.splitn(3, '\n').take(2).collect();
            let jackson_style = first_two.len() == 2
                && first_two[0] == "{"
                && first_two[1].starts_with("  \"")
                && first_two[1].contains("\" : ");
            if !jackson_style {
                continue;
            }
            let value: Value = serde_json::from_str(&text).unwrap();
            let printed = to_jackson_pretty(&value);
            // sdk-monitor-testdata/constraint_violations.json carries one extra
            // trailing LF (added when the SDK authors committed it); Jackson
            // itself never writes one.
            let expected = text.strip_suffix('\n').unwrap_or(&text);
            if printed != expected {
                let at = printed
                    .bytes()
                    .zip(expected.bytes())
                    .position(|(a, b)| a != b)
                    .unwrap_or(printed.len().min(expected.len()));
                let from = at.saturating_sub(80);
                panic!(
                    "{} differs at byte {at}:\n--- ours ---\n{}\n--- file ---\n{}",
                    path.display(),
                    &printed[from..(at + 80).min(printed.len())],
                    &expected[from..(at + 80).min(expected.len())]
                );
            }
            checked.push(path);
        }
        assert!(
            checked.len() >= 8,
            "expected at least 8 Jackson-formatted fixtures, found {checked:?}"
        );
    }
}
