//! Mergeable column and dataset profiles.
//!
//! Every statistic here is a monoid: `Default` is the identity of [`Merge::merge`], so a profile
//! of a whole dataset equals the merge of the profiles of its parts (per object, per chunk, per
//! shard, per machine). Counts, sums, minima and maxima merge exactly; the KLL sketch within its
//! rank-error bound; categorical counts exactly while a column has at most
//! [`MAX_TRACKED_CATEGORIES`] distinct values (see [`Categories`]).

use std::collections::{BTreeMap, HashMap};

use crate::kll::KllSketch;
use crate::value::{Cell, Row, ValueType};

/// Serde for doubles that may be infinite (JSON has no ∞): written as the strings
/// `"Infinity"` / `"-Infinity"`.
pub mod nonfinite {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes a double, infinities as strings.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else if *x > 0.0 {
            s.serialize_str("Infinity")
        } else {
            s.serialize_str("-Infinity")
        }
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum V {
            N(f64),
            S(String),
        }
        match V::deserialize(d)? {
            V::N(x) => Ok(x),
            V::S(s) if s == "Infinity" => Ok(f64::INFINITY),
            V::S(s) if s == "-Infinity" => Ok(f64::NEG_INFINITY),
            V::S(s) => Err(serde::de::Error::custom(format!("not a number: {s}"))),
        }
    }
}

/// Combining two partial states into the state of their union. `Default` is the identity.
pub trait Merge: Default {
    /// Folds `other` into `self`.
    fn merge(&mut self, other: &Self);
}

/// How many distinct values a column tracks exactly. Beyond this the column is treated as
/// high-cardinality: tracked counts are frozen, new values only go to the HyperLogLog distinct
/// estimate and to `untracked`. This bounds a column's categorical memory to about
/// `MAX_TRACKED_CATEGORIES × (value length + 40 bytes)` plus 4 KiB for the estimator.
pub const MAX_TRACKED_CATEGORIES: usize = 1000;

/// Longest value (in bytes) kept as a category; longer values are counted as untracked.
pub const MAX_CATEGORY_BYTES: usize = 256;

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

/// Count, sum, mean, second central moment, minimum and maximum of the numeric values.
///
/// The update and merge formulas are Spark's `CentralMomentAgg` (what the AWS analyzer runs), so
/// `std_dev` matches its output to the last bit on the fixtures:
/// `δ = x − avg; avg += δ/n; m2 += δ(δ − δ/n)`, merged with Chan et al.'s pairwise formula.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    /// Number of numeric values.
    pub n: u64,
    /// Exact sum of the values (rounded once when read), so that any split-and-merge order
    /// gives the same `sum` and `mean` to the last bit.
    pub sum: ExactSum,
    /// Running mean (used only for `m2`; the reported mean is `sum / n`, as Deequ does).
    pub avg: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// Smallest value (`+∞` when empty).
    #[serde(with = "crate::profile::nonfinite")]
    pub min: f64,
    /// Largest value (`−∞` when empty).
    #[serde(with = "crate::profile::nonfinite")]
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            n: 0,
            sum: ExactSum::default(),
            avg: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        let n = self.n as f64;
        let delta = x - self.avg;
        let delta_n = delta / n;
        self.avg += delta_n;
        self.m2 += delta * (delta - delta_n);
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
    }

    /// Mean as Deequ reports it (`sum / n`); `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum.value() / self.n as f64)
    }

    /// Population standard deviation `sqrt(m2 / n)`; `None` when empty.
    pub fn std_dev(&self) -> Option<f64> {
        (self.n > 0).then(|| (self.m2 / self.n as f64).sqrt())
    }
}

impl Merge for Moments {
    fn merge(&mut self, o: &Self) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o.clone();
            return;
        }
        let n1 = self.n as f64;
        let n2 = o.n as f64;
        let n = n1 + n2;
        let delta = o.avg - self.avg;
        let delta_n = delta / n;
        self.avg += delta_n * n2;
        self.m2 += o.m2 + delta * delta_n * n1 * n2;
        self.n += o.n;
        self.sum.merge(&o.sum);
        // Explicit comparisons (not f64::min/max, which leave the sign of a zero unspecified):
        // the same rule as `add`, so merged and one-pass profiles agree on every platform.
        if o.min < self.min {
            self.min = o.min;
        }
        if o.max > self.max {
            self.max = o.max;
        }
    }
}

/// An exact floating-point sum: Shewchuk's non-overlapping partials (Python's `math.fsum`).
///
/// The value is the correctly rounded sum of all inputs, whatever their order or grouping, so
/// merged shard profiles equal a one-pass profile exactly. Holds at most a few dozen partials.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    /// Adds a finite value.
    pub fn add(&mut self, mut x: f64) {
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// The correctly rounded sum (round-half-even), as `math.fsum` computes it.
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

impl Merge for ExactSum {
    fn merge(&mut self, o: &Self) {
        for &x in &o.partials {
            self.add(x);
        }
    }
}

/// A HyperLogLog distinct-count estimator (2^12 registers, standard error ≈ 1.04/√4096 ≈ 1.6%).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hll {
    registers: Vec<u8>,
}

const HLL_P: u32 = 12;
const HLL_M: usize = 1 << HLL_P;

/// A 64-bit hash of bytes: FNV-1a followed by the SplitMix64 finaliser, stable across runs and
/// platforms (so distinct estimates are deterministic).
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

impl Hll {
    /// Adds a value by its hash.
    pub fn add_hash(&mut self, h: u64) {
        if self.registers.is_empty() {
            self.registers = vec![0; HLL_M];
        }
        let idx = (h >> (64 - HLL_P)) as usize;
        let rest = (h << HLL_P) | (1 << (HLL_P - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if rank > self.registers[idx] {
            self.registers[idx] = rank;
        }
    }

    /// The estimated number of distinct values (with the small-range linear-counting correction).
    pub fn estimate(&self) -> f64 {
        if self.registers.is_empty() {
            return 0.0;
        }
        let m = HLL_M as f64;
        let mut sum = 0.0;
        let mut zeros = 0usize;
        for &r in &self.registers {
            sum += 2f64.powi(-i32::from(r));
            if r == 0 {
                zeros += 1;
            }
        }
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let e = alpha * m * m / sum;
        if e <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            e
        }
    }
}

impl Merge for Hll {
    fn merge(&mut self, o: &Self) {
        if o.registers.is_empty() {
            return;
        }
        if self.registers.is_empty() {
            self.registers = o.registers.clone();
            return;
        }
        for (a, b) in self.registers.iter_mut().zip(&o.registers) {
            if *b > *a {
                *a = *b;
            }
        }
    }
}

/// Value counts of a column, exact up to [`MAX_TRACKED_CATEGORIES`] distinct values.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Categories {
    /// Value → count for the tracked values.
    pub counts: HashMap<String, u64>,
    /// Values not tracked (after overflow, or longer than [`MAX_CATEGORY_BYTES`]).
    pub untracked: u64,
    /// True once the column had more distinct values than can be tracked.
    pub overflowed: bool,
    /// Distinct-count estimate over all values.
    pub hll: Hll,
}

impl Categories {
    /// Adds one non-null value (its text form).
    pub fn add(&mut self, v: &str) {
        self.hll.add_hash(hash64(v.as_bytes()));
        if let Some(c) = self.counts.get_mut(v) {
            *c += 1;
            return;
        }
        if self.overflowed || v.len() > MAX_CATEGORY_BYTES {
            self.untracked += 1;
            return;
        }
        if self.counts.len() >= MAX_TRACKED_CATEGORIES {
            self.overflowed = true;
            self.untracked += 1;
            return;
        }
        self.counts.insert(v.to_owned(), 1);
    }

    /// Counts a value that is not tracked, by its hash (for the distinct estimate).
    pub fn add_untracked_hash(&mut self, h: u64) {
        self.hll.add_hash(h);
        self.untracked += 1;
    }

    /// Distinct values: exact while nothing overflowed, else the HyperLogLog estimate.
    pub fn distinct(&self) -> f64 {
        if self.overflowed || self.untracked > 0 {
            self.hll.estimate().max(self.counts.len() as f64)
        } else {
            self.counts.len() as f64
        }
    }

    /// Tracked values sorted by descending count, then by value (deterministic output order).
    pub fn sorted(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.counts.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        v
    }
}

impl Merge for Categories {
    fn merge(&mut self, o: &Self) {
        self.hll.merge(&o.hll);
        self.untracked += o.untracked;
        self.overflowed |= o.overflowed;
        // Deterministic regardless of hash order: visit the other side's values sorted.
        let mut keys: Vec<(&String, &u64)> = o.counts.iter().collect();
        keys.sort();
        for (k, c) in keys {
            if let Some(mine) = self.counts.get_mut(k) {
                *mine += c;
            } else if self.counts.len() < MAX_TRACKED_CATEGORIES {
                self.counts.insert(k.clone(), *c);
            } else {
                self.overflowed = true;
                self.untracked += c;
            }
        }
    }
}

/// Where a value or record came from: a file (or object key) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// File path or `s3://` key.
    pub source: String,
    /// 1-based line number.
    pub line: u64,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// A value that did not have the column's numeric type, kept as an example for the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValueSample {
    /// Where it was read.
    pub location: Location,
    /// The value, truncated to 80 bytes.
    pub value: String,
}

/// The profile of one column.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnProfile {
    /// Per-type counts (nulls included).
    pub types: TypeCounts,
    /// Moments of the numeric values (integral and fractional).
    pub moments: Moments,
    /// KLL sketch of the numeric values (SageMaker's parameters).
    pub kll: KllSketch,
    /// Counts of the non-null values' text.
    pub categories: Categories,
    /// The first value that was not a number (to name file and line when a numeric column holds
    /// some text).
    pub first_non_numeric: Option<ValueSample>,
}

/// A borrowed cell, the profiler's input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellRef<'a> {
    /// Absent or empty.
    Null,
    /// Untyped text, typed by its literal.
    Text(&'a str),
    /// A typed integer.
    Int(i64),
    /// A typed float.
    Float(f64),
    /// A typed boolean.
    Bool(bool),
    /// A typed string.
    Str(&'a str),
}

impl<'a> From<&'a Cell> for CellRef<'a> {
    fn from(c: &'a Cell) -> Self {
        match c {
            Cell::Null => CellRef::Null,
            Cell::Text(s) => CellRef::Text(s),
            Cell::Int(i) => CellRef::Int(*i),
            Cell::Float(f) => CellRef::Float(*f),
            Cell::Bool(b) => CellRef::Bool(*b),
            Cell::Str(s) => CellRef::Str(s),
        }
    }
}

/// Classifies a literal into SageMaker's types and parses numbers.
///
/// Rules (documented in the README): surrounding ASCII whitespace is ignored; empty is null;
/// `[+-]?digits` is Integral; `[+-]?(digits.digits* | .digits)([eE][+-]?digits)?` or
/// `[+-]?digits[eE][+-]?digits` is Fractional; `true`/`false` in any case is Boolean; anything
/// else (including `NaN`, `Infinity`, `1,5`) is String.
pub fn classify(s: &str) -> (ValueType, Option<f64>) {
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

impl ColumnProfile {
    /// Adds one cell read at `loc` (the location is only used when an example must be kept).
    pub fn add(&mut self, cell: CellRef<'_>, loc: impl FnOnce() -> Location) {
        match cell {
            CellRef::Null => self.types.add(ValueType::Null),
            CellRef::Text(s) => {
                let (ty, num) = classify(s);
                self.add_classified(ty, num, s.trim(), loc);
            }
            CellRef::Int(i) => {
                self.add_typed_number(ValueType::Integral, i as f64, || i.to_string())
            }
            // `{:?}` is the shortest round-trip text ("3.0", "0.1"): cheap, and the same text
            // before and after a column overflows, so the distinct estimate stays consistent.
            CellRef::Float(f) if f.is_finite() => {
                self.add_typed_number(ValueType::Fractional, f, || format!("{f:?}"))
            }
            CellRef::Float(_) => self.types.add(ValueType::Null),
            CellRef::Bool(b) => self.add_classified(
                ValueType::Boolean,
                None,
                if b { "true" } else { "false" },
                loc,
            ),
            CellRef::Str("") => self.types.add(ValueType::Null),
            CellRef::Str(s) => self.add_classified(ValueType::String, None, s, loc),
        }
    }

    /// A number that came typed: its text form is only built while categories are tracked
    /// (a high-cardinality numeric column costs no formatting per value).
    fn add_typed_number(&mut self, ty: ValueType, x: f64, text: impl FnOnce() -> String) {
        self.types.add(ty);
        self.moments.add(x);
        self.kll.update(x);
        if self.categories.overflowed {
            // Hash the same text as `Categories::add` does, so that a value counts once in the
            // distinct estimate whether it arrives before or after the overflow, and merged
            // chunk profiles equal the one-pass profile.
            self.categories
                .add_untracked_hash(hash64(text().as_bytes()));
        } else {
            self.categories.add(&text());
        }
    }

    fn add_classified(
        &mut self,
        ty: ValueType,
        num: Option<f64>,
        text: &str,
        loc: impl FnOnce() -> Location,
    ) {
        self.types.add(ty);
        if ty == ValueType::Null {
            return;
        }
        match num {
            Some(x) if x.is_finite() => {
                self.moments.add(x);
                self.kll.update(x);
                if self.categories.overflowed {
                    // High-cardinality numeric column: no per-value counting any more.
                    self.categories.add_untracked_hash(hash64(text.as_bytes()));
                    return;
                }
            }
            _ => {
                if self.first_non_numeric.is_none() {
                    let mut v = text.to_owned();
                    if v.len() > 80 {
                        let mut cut = 80;
                        while !v.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        v.truncate(cut);
                    }
                    self.first_non_numeric = Some(ValueSample {
                        location: loc(),
                        value: v,
                    });
                }
            }
        }
        self.categories.add(text);
    }

    /// Non-null values.
    pub fn present(&self) -> u64 {
        self.types.present()
    }

    /// The inferred type: see [`infer_type`].
    pub fn inferred_type(&self) -> InferredType {
        infer_type(&self.types)
    }
}

impl Merge for ColumnProfile {
    fn merge(&mut self, o: &Self) {
        self.types.merge(&o.types);
        self.moments.merge(&o.moments);
        self.kll.merge(&o.kll);
        self.categories.merge(&o.categories);
        if self.first_non_numeric.is_none() {
            self.first_non_numeric = o.first_non_numeric.clone();
        }
    }
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

/// One rejected record: where, what kind, and a message a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reject {
    /// Where the record was read.
    pub location: Location,
    /// A short stable code (`ragged_row`, `invalid_utf8`, `malformed_json`, …).
    pub kind: String,
    /// What was wrong.
    pub message: String,
}

/// How many example rejects a log keeps (all are counted).
pub const MAX_REJECT_SAMPLES: usize = 20;

/// Counts of rejected records by kind, with the first few as examples.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectLog {
    /// All rejected records.
    pub total: u64,
    /// Rejected records by kind.
    pub by_kind: BTreeMap<String, u64>,
    /// The first [`MAX_REJECT_SAMPLES`] rejects.
    pub samples: Vec<Reject>,
}

impl RejectLog {
    /// Records one rejected record.
    pub fn add(&mut self, location: Location, kind: &str, message: impl Into<String>) {
        self.total += 1;
        *self.by_kind.entry(kind.to_owned()).or_insert(0) += 1;
        if self.samples.len() < MAX_REJECT_SAMPLES {
            self.samples.push(Reject {
                location,
                kind: kind.to_owned(),
                message: message.into(),
            });
        }
    }
}

impl Merge for RejectLog {
    fn merge(&mut self, o: &Self) {
        self.total += o.total;
        for (k, v) in &o.by_kind {
            *self.by_kind.entry(k.clone()).or_insert(0) += v;
        }
        for s in &o.samples {
            if self.samples.len() >= MAX_REJECT_SAMPLES {
                break;
            }
            self.samples.push(s.clone());
        }
    }
}

/// The profile of a dataset: rows counted, columns in first-seen order, rejected records.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DatasetProfile {
    /// Rows profiled (rejected records are not rows).
    pub item_count: u64,
    /// Columns by name, in first-seen order.
    pub columns: Vec<(String, ColumnProfile)>,
    index: HashMap<String, usize>,
    /// Position → column index for positional rows.
    positional: Vec<usize>,
    /// Records that could not be used, by kind.
    pub rejects: RejectLog,
}

/// The default name of the `i`-th column of headerless data (Spark's).
pub fn default_column_name(i: usize) -> String {
    format!("_c{i}")
}

impl DatasetProfile {
    /// An empty profile whose positional columns are named `names` (in order). Positions beyond
    /// the names get `_c{i}`.
    pub fn with_names(names: &[String]) -> Self {
        let mut p = DatasetProfile::default();
        p.set_positional_names(names);
        p
    }

    /// Names the positional columns (a CSV header, or the baseline's column order).
    pub fn set_positional_names(&mut self, names: &[String]) {
        self.positional.clear();
        for n in names {
            let idx = self.column_index(n);
            self.positional.push(idx);
        }
    }

    /// Index of a column by name, creating it when new.
    pub fn column_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.columns.len();
        self.columns
            .push((name.to_owned(), ColumnProfile::default()));
        self.index.insert(name.to_owned(), i);
        i
    }

    fn positional_index(&mut self, pos: usize) -> usize {
        while self.positional.len() <= pos {
            let name = default_column_name(self.positional.len());
            let idx = self.column_index(&name);
            self.positional.push(idx);
        }
        self.positional[pos]
    }

    /// A column's profile by name.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.index.get(name).map(|&i| &self.columns[i].1)
    }

    /// Adds one positional row of borrowed cells.
    pub fn add_positional<'a, I>(&mut self, cells: I, loc: &dyn Fn() -> Location)
    where
        I: IntoIterator<Item = CellRef<'a>>,
    {
        self.item_count += 1;
        for (pos, c) in cells.into_iter().enumerate() {
            let idx = self.positional_index(pos);
            self.columns[idx].1.add(c, loc);
        }
    }

    /// Adds one row as a reader produced it.
    pub fn add_row(&mut self, row: &Row, loc: &dyn Fn() -> Location) {
        match row {
            Row::Positional(cells) => self.add_positional(cells.iter().map(CellRef::from), loc),
            Row::Named(cells) => {
                self.item_count += 1;
                for (name, c) in cells {
                    let idx = self.column_index(name);
                    self.columns[idx].1.add(CellRef::from(c), loc);
                }
            }
        }
    }

    /// Missing values of a column: rows where it was null or absent.
    pub fn missing(&self, col: &ColumnProfile) -> u64 {
        self.item_count.saturating_sub(col.present())
    }
}

impl Merge for DatasetProfile {
    fn merge(&mut self, o: &Self) {
        self.item_count += o.item_count;
        for (name, col) in &o.columns {
            let idx = self.column_index(name);
            self.columns[idx].1.merge(col);
        }
        for &p in &o.positional {
            let name = &o.columns[p].0;
            if !self.positional.iter().any(|&q| self.columns[q].0 == *name) {
                let idx = self.column_index(name);
                self.positional.push(idx);
            }
        }
        self.rejects.merge(&o.rejects);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Location {
        Location {
            source: "t".into(),
            line: 1,
        }
    }

    #[test]
    fn classify_literals() {
        let cases: &[(&str, ValueType)] = &[
            ("3", ValueType::Integral),
            ("-3", ValueType::Integral),
            ("+12", ValueType::Integral),
            ("3.0", ValueType::Fractional),
            (".5", ValueType::Fractional),
            ("5.", ValueType::Fractional),
            ("1e5", ValueType::Fractional),
            ("1.5E-3", ValueType::Fractional),
            (" 7 ", ValueType::Integral),
            ("", ValueType::Null),
            ("  ", ValueType::Null),
            ("true", ValueType::Boolean),
            ("FALSE", ValueType::Boolean),
            ("NaN", ValueType::String),
            ("1,5", ValueType::String),
            ("e5", ValueType::String),
            ("-", ValueType::String),
            ("1e", ValueType::String),
            ("abc", ValueType::String),
        ];
        for (s, t) in cases {
            assert_eq!(classify(s).0, *t, "{s:?}");
        }
        assert_eq!(classify("1.5E-3").1, Some(0.0015));
    }

    #[test]
    fn moments_exact_small() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.add(x);
        }
        assert_eq!(m.mean(), Some(5.0));
        assert_eq!(m.std_dev(), Some(2.0));
        assert_eq!(m.min, 2.0);
        assert_eq!(m.max, 9.0);
    }

    #[test]
    fn merge_identity() {
        let mut p = DatasetProfile::default();
        for i in 0..50 {
            let s = format!("{i}");
            p.add_positional([CellRef::Text(&s), CellRef::Text("a")], &here);
        }
        let mut q = p.clone();
        q.merge(&DatasetProfile::default());
        assert_eq!(q.item_count, p.item_count);
        assert_eq!(q.columns, p.columns);
        let mut e = DatasetProfile::default();
        e.merge(&p);
        assert_eq!(e.columns, p.columns);
    }

    #[test]
    fn inference_tolerates_one_percent_text() {
        let mut t = TypeCounts {
            integral: 99,
            string: 1,
            ..Default::default()
        };
        assert_eq!(infer_type(&t), InferredType::Integral);
        t.string = 2;
        assert_eq!(infer_type(&t), InferredType::String);
        t = TypeCounts {
            integral: 50,
            fractional: 50,
            ..Default::default()
        };
        assert_eq!(infer_type(&t), InferredType::Fractional);
        assert_eq!(infer_type(&TypeCounts::default()), InferredType::Unknown);
    }

    #[test]
    fn categories_cap() {
        let mut c = Categories::default();
        for i in 0..(MAX_TRACKED_CATEGORIES + 500) {
            c.add(&i.to_string());
        }
        assert!(c.overflowed);
        assert_eq!(c.counts.len(), MAX_TRACKED_CATEGORIES);
        assert_eq!(c.untracked, 500);
        let d = c.distinct();
        assert!((d - 1500.0).abs() / 1500.0 < 0.05, "{d}");
    }

    #[test]
    fn profile_round_trips_through_json() {
        let mut p = DatasetProfile::default();
        for i in 0..5000 {
            let x = format!("{}", (i * 7919) % 3001);
            let c = if i % 3 == 0 { "" } else { "cat" };
            p.add_positional(
                [
                    CellRef::Text(&x),
                    CellRef::Text(c),
                    CellRef::Float(i as f64 / 7.0),
                ],
                &here,
            );
        }
        p.rejects.add(here(), "ragged_row", "expected 3 fields");
        let json = serde_json::to_string(&p).unwrap();
        let back: DatasetProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let empty: DatasetProfile =
            serde_json::from_str(&serde_json::to_string(&DatasetProfile::default()).unwrap())
                .unwrap();
        assert_eq!(empty, DatasetProfile::default());
    }
}
