//! The type lattice of the profiler: [`classify`] gives a literal its SageMaker type (and its
//! number), [`TypeCounts`] keeps the per-type counts of a column, and [`infer_type`] turns
//! those counts into the column's suggested [`InferredType`] (as the AWS analyzer does), which
//! `data_type_check` in the rules compares against.

use super::merge::Merge;
use crate::value::ValueType;

/// Per-type value counts (Deequ's type histogram).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TypeCounts {
    /// Null or empty values.
    pub null: u64,
    /// Whole numbers written without a fraction.
    pub integral: u64,
    /// Numbers written with a fraction or exponent.
    pub fractional: u64,
    /// `true` / `false`.
    pub boolean: u64,
    /// Everything else.
    pub string: u64,
}

impl TypeCounts {
    /// Adds one value of type `t`.
    pub fn add(&mut self, t: ValueType) {
        match t {
            ValueType::Null => self.null += 1,
            ValueType::Integral => self.integral += 1,
            ValueType::Fractional => self.fractional += 1,
            ValueType::Boolean => self.boolean += 1,
            ValueType::String => self.string += 1,
        }
    }

    /// Count of values of type `t`.
    pub fn get(&self, t: ValueType) -> u64 {
        match t {
            ValueType::Null => self.null,
            ValueType::Integral => self.integral,
            ValueType::Fractional => self.fractional,
            ValueType::Boolean => self.boolean,
            ValueType::String => self.string,
        }
    }

    /// Non-null values.
    pub fn present(&self) -> u64 {
        self.integral + self.fractional + self.boolean + self.string
    }

    /// Integral plus fractional values.
    pub fn numeric(&self) -> u64 {
        self.integral + self.fractional
    }
}

impl Merge for TypeCounts {
    fn merge(&mut self, o: &Self) {
        self.null += o.null;
        self.integral += o.integral;
        self.fractional += o.fractional;
        self.boolean += o.boolean;
        self.string += o.string;
    }
}

/// Classifies a literal into SageMaker's types and parses numbers.
///
/// Rules (documented in the README): surrounding ASCII whitespace is ignored; empty is null;
/// `[+-]?digits` is Integral; `[+-]?(digits.digits* | .digits)([eE][+-]?digits)?` or
/// `[+-]?digits[eE][+-]?digits` is Fractional; `true`/`false` in any case is Boolean; anything
/// else (including `NaN`, `Infinity`, `1,5`) is String.
pub fn classify(s: &str) -> (ValueType, Option<f64>) {
    let t = if needs_no_trim(s) {
        s
    } else {
        s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r' || c == '\n')
    };
    if t.is_empty() {
        return (ValueType::Null, None);
    }
    let b = t.as_bytes();
    let mut i = 0;
    if b[0] == b'+' || b[0] == b'-' {
        i = 1;
    }
    // The decimal digits as an integer (meaningful while there are at most 19 of them).
    let mut mant: u64 = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        mant = mant.wrapping_mul(10).wrapping_add(u64::from(b[i] - b'0'));
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    let mut fractional = false;
    if i < b.len() && b[i] == b'.' {
        fractional = true;
        i += 1;
        let s2 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(b[i] - b'0'));
            i += 1;
        }
        frac_digits = i - s2;
    }
    let mut exponent = false;
    if int_digits + frac_digits > 0 && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let save = i;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s3 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i > s3 {
            fractional = true;
            exponent = true;
        } else {
            i = save;
        }
    }
    if i == b.len() && int_digits + frac_digits > 0 {
        let ty = if fractional {
            ValueType::Fractional
        } else {
            ValueType::Integral
        };
        if !exponent && int_digits + frac_digits <= 19 {
            if let Some(v) = clinger_fast_path(mant, frac_digits, b[0] == b'-') {
                return (ty, Some(v));
            }
        }
        if let Ok(v) = t.parse::<f64>() {
            return (ty, Some(v));
        }
    }
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        return (ValueType::Boolean, None);
    }
    (ValueType::String, None)
}

/// Whether neither `str::trim` nor `classify`'s trim would remove anything: the first and last
/// bytes are printable ASCII (every whitespace character, ASCII or Unicode, is encoded with
/// bytes `≤ 0x20` or `≥ 0x80`).
#[inline]
pub(super) fn needs_no_trim(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&a), Some(&z)) => (0x21..0x80).contains(&a) && (0x21..0x80).contains(&z),
        _ => false,
    }
}

/// Exact powers of ten `10^0 ..= 10^22` (every one is a double: `10^22 = 2^22 · 5^22` and
/// `5^22 < 2^53`).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Clinger's fast path for a plain decimal `±mant / 10^frac_digits` (no exponent part):
/// when `mant ≤ 2^53` it is exactly a double, and `10^frac_digits` is exactly a double for
/// `frac_digits ≤ 22`, so one IEEE division (correctly rounded, round-half-even) gives the
/// correctly rounded value of the decimal, which is what `str::parse::<f64>` returns (it is
/// correctly rounded too, and takes this same path internally). Negation is exact, and
/// `-0`, `-0.000` give `−0.0` as `parse` does. `None` outside those bounds (the caller then
/// parses). `mant` must be the exact digit value (at most 19 digits, so no `u64` overflow).
#[inline]
fn clinger_fast_path(mant: u64, frac_digits: usize, negative: bool) -> Option<f64> {
    if mant > 1 << 53 {
        return None;
    }
    let pow = *POW10.get(frac_digits)?;
    let v = mant as f64 / pow;
    Some(if negative { -v } else { v })
}

/// The type a column is suggested as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InferredType {
    /// Whole numbers.
    Integral,
    /// Real numbers.
    Fractional,
    /// Text (and booleans: SageMaker has no Boolean feature type).
    String,
    /// No non-null value at all.
    Unknown,
}

impl InferredType {
    /// SageMaker's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            InferredType::Integral => "Integral",
            InferredType::Fractional => "Fractional",
            InferredType::String => "String",
            InferredType::Unknown => "Unknown",
        }
    }

    /// Parses SageMaker's spelling.
    pub fn parse(s: &str) -> Option<InferredType> {
        match s {
            "Integral" => Some(InferredType::Integral),
            "Fractional" => Some(InferredType::Fractional),
            "String" => Some(InferredType::String),
            "Unknown" => Some(InferredType::Unknown),
            _ => None,
        }
    }

    /// Whether a value of `t` has this type (for `data_type_check`). Integral values also satisfy
    /// Fractional, as every integer is a real number.
    pub fn accepts(self, t: ValueType) -> bool {
        match self {
            InferredType::Integral => t == ValueType::Integral,
            InferredType::Fractional => matches!(t, ValueType::Integral | ValueType::Fractional),
            InferredType::String => t != ValueType::Null,
            InferredType::Unknown => true,
        }
    }
}

/// The share of non-numeric values a column may hold and still be suggested as numeric.
pub const NUMERIC_TOLERANCE: f64 = 0.01;

/// Infers a column's type from its type counts: the lattice Integral ⊂ Fractional ⊂ String.
///
/// * no non-null value → Unknown;
/// * at least `1 − NUMERIC_TOLERANCE` (99%) of non-null values numeric → Fractional if any value
///   was fractional, else Integral (the rest are reported as non-conforming values, with the first
///   one's file and line);
/// * otherwise String.
///
/// Deequ turns a column String on a single string value; that makes one typo in a million rows
/// disable every numeric check on the column, so driftmon tolerates 1%.
pub fn infer_type(t: &TypeCounts) -> InferredType {
    let present = t.present();
    if present == 0 {
        return InferredType::Unknown;
    }
    let numeric = t.numeric();
    if numeric as f64 >= (1.0 - NUMERIC_TOLERANCE) * present as f64 && numeric > 0 {
        if t.fractional > 0 {
            InferredType::Fractional
        } else {
            InferredType::Integral
        }
    } else {
        InferredType::String
    }
}

/// [`classify`]'s fast paths against the version that always trims and calls `str::parse`.
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn old_classify(s: &str) -> (ValueType, Option<f64>) {
        let t = s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r' || c == '\n');
        if t.is_empty() {
            return (ValueType::Null, None);
        }
        let b = t.as_bytes();
        let mut i = 0;
        if b[0] == b'+' || b[0] == b'-' {
            i = 1;
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = i - int_start;
        let mut frac_digits = 0;
        let mut fractional = false;
        if i < b.len() && b[i] == b'.' {
            fractional = true;
            i += 1;
            let s2 = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac_digits = i - s2;
        }
        if int_digits + frac_digits > 0 && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let save = i;
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            let s3 = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i > s3 {
                fractional = true;
            } else {
                i = save;
            }
        }
        if i == b.len() && int_digits + frac_digits > 0 {
            if let Ok(v) = t.parse::<f64>() {
                let ty = if fractional {
                    ValueType::Fractional
                } else {
                    ValueType::Integral
                };
                return (ty, Some(v));
            }
        }
        if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
            return (ValueType::Boolean, None);
        }
        (ValueType::String, None)
    }

    fn check(s: &str) {
        let (a, b) = (classify(s), old_classify(s));
        assert_eq!(a.0, b.0, "{s:?}");
        assert_eq!(
            a.1.map(f64::to_bits),
            b.1.map(f64::to_bits),
            "{s:?}: {a:?} vs {b:?}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

        #[test]
        fn plain_decimals(
            sign in prop::sample::select(vec!["", "-", "+"]),
            int in "[0-9]{0,20}",
            dot in any::<bool>(),
            frac in "[0-9]{0,24}",
        ) {
            let s = if dot { format!("{sign}{int}.{frac}") } else { format!("{sign}{int}{frac}") };
            check(&s);
        }

        #[test]
        fn near_the_bounds(m in (1u64 << 52)..((1u64 << 53) + 4), f in 0usize..25, neg in any::<bool>()) {
            let digits = m.to_string();
            let s = if f == 0 {
                digits.clone()
            } else if f < digits.len() {
                format!("{}.{}", &digits[..digits.len() - f], &digits[digits.len() - f..])
            } else {
                format!("0.{}{}", "0".repeat(f - digits.len()), digits)
            };
            check(&if neg { format!("-{s}") } else { s });
        }

        #[test]
        fn any_text(s in "[ \t\r\n\u{a0}\u{2003}]{0,2}[-+.eE0-9a-zA-Z]{0,12}[ \t\r\n\u{a0}\u{0b}]{0,2}") {
            check(&s);
            // The text kept for categories is `str::trim`'s.
            let text = if needs_no_trim(&s) { s.as_str() } else { s.trim() };
            prop_assert_eq!(text, s.trim());
        }
    }

    #[test]
    fn edge_cases() {
        for s in [
            "0",
            "-0",
            "+0",
            "-0.0",
            "-.0",
            "0.",
            "-0.000",
            "9007199254740992",
            "9007199254740993",
            "-9007199254740993",
            "9007199254740992.5",
            "1.7976931348623157",
            "0.1",
            "0.3",
            "123456789012345678",
            "1234567890123456789",
            "12345678901234567890",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "1e5",
            "1.5E-3",
            " 7 ",
            "\u{a0}7",
            "7\u{0b}",
            "18.1587",
        ] {
            check(s);
        }
    }
}
