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

/// An exact floating-point sum: a fixed-point "small superaccumulator" (after Radford Neal,
/// *Fast exact summation using small and large superaccumulators*, 2015), read out through
/// Shewchuk's partials and `math.fsum`'s rounding.
///
/// The value is the correctly rounded sum of all inputs, whatever their order or grouping, so
/// merged shard profiles equal a one-pass profile exactly.
///
/// # Representation
///
/// A finite double with biased exponent `E` and fraction `F` is exactly `±M · 2^(e − 1075)`,
/// where `e = max(E, 1)` and `M = F + 2^52` for normal numbers (`E ≥ 1`), `M = F` for
/// subnormals (`E = 0`). Writing `e = 32·i + r` (`0 ≤ r < 32`, `0 ≤ i ≤ 63`), the shifted
/// mantissa `M · 2^r < 2^84` is cut into three 32-bit pieces that are added (with the value's
/// sign) into the signed 64-bit chunks `i`, `i + 1`, `i + 2`. Chunk `j` weighs
/// `2^(32·j − 1075)`, so the accumulator always holds exactly
/// `Σ_j chunk[j] · 2^(32·j − 1075)` = the sum of the inputs, with no rounding at all.
///
/// An add is branch-free integer work (no loop, no data-dependent branch). Each add changes a
/// chunk by less than `2^32`, so a chunk that starts in `[0, 2^32)` cannot overflow an `i64`
/// within `2^30` adds; every [`ExactSum::CARRY_EVERY`] = `2^30` adds (and on merge and read)
/// the carries are propagated (`chunk[j+1] += chunk[j] >> 32`, keeping the low 32 bits), which
/// leaves every chunk but the top one in `[0, 2^32)`. The top chunk (weight `2^1005`) grows by
/// less than `2^20` per value, so the representation is exact for fewer than `2^43` (≈ 8.8·10^12)
/// added values, far more than a profile sees.
///
/// # Reading
///
/// [`ExactSum::value`] makes the accumulator sign-magnitude (negating every chunk if the total is
/// negative and propagating carries again), turns each nonzero chunk into the double
/// `chunk[j] · 2^(32·j − 1075)` (exact: at most 32 significant bits, and a multiple of `2^−1074`
/// because chunk 0 only ever receives even values, `r ≥ 1` there), adds these through
/// Shewchuk's partials and rounds them with `math.fsum`'s round-half-even step. Shewchuk/fsum is
/// correctly rounded whenever no intermediate sum overflows; the pieces are all of one sign and
/// below `2^973` unless the total is, and for such huge totals the pieces are first scaled by
/// `2^−64` (see [`ExactSum::value`]), so nothing overflows and the result is correctly rounded
/// for every total, `±∞` when the rounded total exceeds the double range. Hence `value()`
/// equals what the former Shewchuk-per-add implementation returned for every sum it could
/// compute (that one produced NaN or ∞ as soon as an *intermediate* partial overflowed, e.g. for
/// `MAX + MAX − MAX`, where this one returns `MAX`).
///
/// Signed zero follows IEEE addition, as before: the sum is `−0.0` when at least one value was
/// added and every value was `−0.0`, and `+0.0` for any other zero total (and when empty).
///
/// # Serde
///
/// Serialized as `{"partials": [...]}`, Shewchuk's partials of the value (the form written by
/// earlier versions, so old partial profiles still load: deserializing adds the partials, which
/// sum exactly to the stored total). A zero total writes `[]` (nothing added), `[-0.0]` (only
/// `−0.0` added) or `[0.0]`, so the signed-zero state round-trips. Totals of magnitude `≥ 2^973`
/// write the exact chunk pieces instead of Shewchuk partials (see `partials`); a total beyond
/// the double range (only reachable by adding values near `f64::MAX`) has no finite
/// representation and is written with a non-finite piece, which JSON cannot carry (the previous
/// implementation could not write such sums either: its partials became NaN/∞).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "SumPartials", try_from = "SumPartials")]
pub struct ExactSum {
    /// `chunk[j]` weighs `2^(32·j − 1075)`.
    chunks: [i64; SUM_CHUNKS],
    /// Adds since the carries were last propagated.
    pending: u32,
    /// [`ZERO_NONE`], [`ZERO_NEG`] or [`ZERO_OTHER`]: what decides the sign of a zero total.
    zero: u8,
}

/// Chunks of an [`ExactSum`]: indices up to 63 (`e >> 5`, `e ≤ 2046`) plus two above.
const SUM_CHUNKS: usize = 66;
/// Nothing added yet.
const ZERO_NONE: u8 = 0;
/// Only `−0.0` added.
const ZERO_NEG: u8 = 1;
/// Something other than `−0.0` added.
const ZERO_OTHER: u8 = 2;

/// The serde form of [`ExactSum`].
#[derive(serde::Serialize, serde::Deserialize)]
struct SumPartials {
    partials: Vec<f64>,
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum {
            chunks: [0; SUM_CHUNKS],
            pending: 0,
            zero: ZERO_NONE,
        }
    }
}

impl PartialEq for ExactSum {
    /// Equal when they hold the same exact total and the same signed-zero state.
    fn eq(&self, o: &Self) -> bool {
        self.zero == o.zero && self.normalized() == o.normalized()
    }
}

/// `2^k` as a double, for `−1074 ≤ k ≤ 1023`.
fn pow2(k: i32) -> f64 {
    debug_assert!((-1074..=1023).contains(&k));
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

impl ExactSum {
    /// Adds between carry propagations (see the type's documentation).
    pub const CARRY_EVERY: u32 = 1 << 30;

    /// Adds a finite value (callers filter NaN and ±∞: they would be added as huge finite
    /// numbers).
    #[inline]
    pub fn add(&mut self, x: f64) {
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as u32;
        let frac = bits & ((1u64 << 52) - 1);
        let mant = frac | (u64::from(biased != 0) << 52);
        let e = biased.max(1);
        let shifted = u128::from(mant) << (e & 31);
        let i = (e >> 5) as usize;
        // 0 for a positive value, −1 for a negative one: `(p ^ neg) − neg` is `±p`.
        let neg = (bits as i64) >> 63;
        let p0 = (shifted as u64 & 0xffff_ffff) as i64;
        let p1 = ((shifted >> 32) as u64 & 0xffff_ffff) as i64;
        let p2 = (shifted >> 64) as i64;
        if let Some(c) = self.chunks.get_mut(i..i + 3) {
            c[0] += (p0 ^ neg) - neg;
            c[1] += (p1 ^ neg) - neg;
            c[2] += (p2 ^ neg) - neg;
        }
        self.zero = if bits == 1u64 << 63 {
            self.zero.max(ZERO_NEG)
        } else {
            ZERO_OTHER
        };
        self.pending += 1;
        if self.pending >= Self::CARRY_EVERY {
            self.carry();
        }
    }

    /// Propagates the carries: afterwards every chunk but the top one is in `[0, 2^32)`.
    fn carry(&mut self) {
        propagate(&mut self.chunks);
        self.pending = 0;
    }

    fn normalized(&self) -> [i64; SUM_CHUNKS] {
        let mut c = self.chunks;
        propagate(&mut c);
        c
    }

    /// The total in sign-magnitude form: chunks `0..65` in `[0, 2^32)`, the top one `≥ 0`,
    /// and whether the total is negative.
    fn magnitude(&self) -> ([i64; SUM_CHUNKS], bool) {
        let mut c = self.normalized();
        let negative = c[SUM_CHUNKS - 1] < 0;
        if negative {
            for x in &mut c {
                *x = -*x;
            }
            propagate(&mut c);
        }
        (c, negative)
    }

    /// The double `sign · c · 2^(32·j − 1075 − scale)` for a chunk of the magnitude: exact for
    /// `c < 2^32` when that is at least `2^−1074`-aligned and below `2^1024` (chunk 0 only ever
    /// receives even values, so `c · 2^−1075` is a multiple of `2^−1074`).
    fn piece(j: usize, c: i64, negative: bool, scale: i32) -> f64 {
        let sign = if negative { -1.0 } else { 1.0 };
        let k = 32 * j as i32 - 1075 - scale;
        let v = if c >= 1 << 32 {
            // Only the top chunk can exceed 32 bits; it then weighs ≥ 2^1037: overflow.
            f64::INFINITY
        } else if k < -1074 {
            debug_assert!(k == -1075 && c % 2 == 0);
            (c >> 1) as f64 * pow2(-1074)
        } else if k > 1023 {
            f64::INFINITY
        } else {
            c as f64 * pow2(k)
        };
        sign * v
    }

    /// The total as Shewchuk partials (non-overlapping, increasing magnitude), with the
    /// signed-zero state as `[]`, `[-0.0]` or `[0.0]` when the total is zero.
    ///
    /// For `|total| ≥ 2^973` (only reachable near `f64::MAX`, where Shewchuk's additions could
    /// overflow an intermediate) the raw chunk pieces are written instead: still
    /// non-overlapping, increasing and summing exactly to the total, finite when the total is
    /// below `2^1024`.
    fn partials(&self) -> Vec<f64> {
        let (c, negative) = self.magnitude();
        let mut partials = Vec::new();
        let Some(top) = c.iter().rposition(|&x| x != 0) else {
            match self.zero {
                ZERO_NONE => {}
                ZERO_NEG => partials.push(-0.0),
                _ => partials.push(0.0),
            }
            return partials;
        };
        for (j, &x) in c.iter().enumerate() {
            if x != 0 {
                let p = Self::piece(j, x, negative, 0);
                if top < 64 {
                    shewchuk_add(&mut partials, p);
                } else {
                    partials.push(p);
                }
            }
        }
        partials
    }

    /// The correctly rounded sum (round-half-even), as `math.fsum` computes it; `±∞` when that
    /// exceeds the double range.
    ///
    /// When the top nonzero chunk is below 64 (`|total| < 2^973`) the unscaled pieces go through
    /// Shewchuk's partials, whose intermediate sums stay below `2^980`. Otherwise the pieces of
    /// chunks `3..` are scaled by `2^−64` (exact: they stay at least `2^−1043`-aligned and below
    /// `2^973`), chunks `0..3` (below `2^−979`) are replaced by a single sticky `2^−1074` (they
    /// can only decide ties at an ulp `≥ 2^857`, and only by being nonzero), and the rounded
    /// result is scaled back by `2^64`, which overflows to `±∞` exactly when the correctly
    /// rounded total does.
    pub fn value(&self) -> f64 {
        let (c, negative) = self.magnitude();
        let Some(top) = c.iter().rposition(|&x| x != 0) else {
            return if self.zero == ZERO_NEG { -0.0 } else { 0.0 };
        };
        let mut partials = Vec::new();
        if top < 64 {
            for (j, &x) in c.iter().enumerate() {
                if x != 0 {
                    shewchuk_add(&mut partials, Self::piece(j, x, negative, 0));
                }
            }
            return fsum_round(&partials);
        }
        if c[SUM_CHUNKS - 1] >= 1 << 32 {
            return if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
        }
        if c[..3].iter().any(|&x| x != 0) {
            let sticky = pow2(-1074);
            partials.push(if negative { -sticky } else { sticky });
        }
        for (j, &x) in c.iter().enumerate().skip(3) {
            if x != 0 {
                shewchuk_add(&mut partials, Self::piece(j, x, negative, 64));
            }
        }
        fsum_round(&partials) * pow2(64)
    }
}

/// Carry propagation over 64-bit chunks holding 32-bit digits (arithmetic shift: a negative
/// chunk borrows from the next).
fn propagate(c: &mut [i64; SUM_CHUNKS]) {
    for j in 0..SUM_CHUNKS - 1 {
        let carry = c[j] >> 32;
        c[j] -= carry << 32;
        c[j + 1] += carry;
    }
}

/// Shewchuk's exact addition of `x` to non-overlapping partials (Python's `math.fsum` loop).
fn shewchuk_add(partials: &mut Vec<f64>, mut x: f64) {
    let mut i = 0;
    for j in 0..partials.len() {
        let mut y = partials[j];
        if x.abs() < y.abs() {
            std::mem::swap(&mut x, &mut y);
        }
        let hi = x + y;
        let lo = y - (hi - x);
        if lo != 0.0 {
            partials[i] = lo;
            i += 1;
        }
        x = hi;
    }
    partials.truncate(i);
    partials.push(x);
}

/// The correctly rounded (round-half-even) sum of Shewchuk partials, `math.fsum`'s final step.
fn fsum_round(p: &[f64]) -> f64 {
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

impl From<ExactSum> for SumPartials {
    fn from(s: ExactSum) -> Self {
        SumPartials {
            partials: s.partials(),
        }
    }
}

impl TryFrom<SumPartials> for ExactSum {
    type Error = String;

    fn try_from(p: SumPartials) -> Result<Self, String> {
        let mut s = ExactSum::default();
        for x in p.partials {
            if !x.is_finite() {
                return Err(format!("non-finite partial sum {x}"));
            }
            s.add(x);
        }
        Ok(s)
    }
}

impl Merge for ExactSum {
    fn merge(&mut self, o: &Self) {
        self.carry();
        let theirs = o.normalized();
        for (a, b) in self.chunks.iter_mut().zip(theirs) {
            *a += b;
        }
        self.carry();
        self.zero = self.zero.max(o.zero);
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
    pub counts: CategoryCounts,
    /// Values not tracked (after overflow, or longer than [`MAX_CATEGORY_BYTES`]).
    pub untracked: u64,
    /// True once the column had more distinct values than can be tracked.
    pub overflowed: bool,
    /// Distinct-count estimate over all values.
    pub hll: Hll,
}

/// A `Hasher` for keys that already are [`hash64`] values: `write_u64` passes the value through
/// (it is SplitMix-finalised, so every bit is well mixed). Other input (never written by
/// [`CategoryCounts`]) is folded in with FNV-1a, so the hasher stays a valid `Hasher`.
#[derive(Default)]
struct PassThroughHasher(u64);

impl std::hash::Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

type PassThrough = std::hash::BuildHasherDefault<PassThroughHasher>;

/// Value → count map of the tracked categories, indexed by the [`hash64`] that the distinct
/// estimate needs anyway, so an added value is hashed once (FNV-1a + SplitMix) instead of once
/// for the HyperLogLog and once more with SipHash for a `HashMap<String, u64>`.
///
/// Layout: `entries` holds `(value, count)` in first-insertion order; `index` maps a value's
/// `hash64` to its entry; the practically impossible case of two tracked values with the same
/// 64-bit hash is handled exactly by `collisions` (value → entry) for the later ones. A lookup
/// compares the stored text, so counts are exact whatever the hashes.
///
/// Observable behaviour is a `HashMap<String, u64>`'s: `len`, `get`, `iter`/`keys`/`values`
/// (in insertion order, where a `HashMap` has an arbitrary one), `map["value"]`, equality
/// regardless of order, and the serde form (a JSON object value → count; written in insertion
/// order).
#[derive(Debug, Clone, Default)]
pub struct CategoryCounts {
    entries: Vec<(String, u64)>,
    index: HashMap<u64, usize, PassThrough>,
    collisions: HashMap<String, usize>,
}

impl CategoryCounts {
    /// Number of tracked values.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no value is tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of `v`, whose [`hash64`] is `h`.
    #[inline]
    fn find(&self, v: &str, h: u64) -> Option<usize> {
        match self.index.get(&h) {
            Some(&i) if short_eq(self.entries[i].0.as_bytes(), v.as_bytes()) => Some(i),
            Some(_) => self.collisions.get(v).copied(),
            None => None,
        }
    }

    /// Adds a new value with hash `h` (which must not be tracked yet).
    fn insert_new(&mut self, v: String, h: u64, count: u64) {
        let i = self.entries.len();
        match self.index.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collisions.insert(v.clone(), i);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
        self.entries.push((v, count));
    }

    /// The count of a tracked value.
    pub fn get<Q: AsRef<str> + ?Sized>(&self, v: &Q) -> Option<&u64> {
        let v = v.as_ref();
        self.find(v, hash64(v.as_bytes()))
            .map(|i| &self.entries[i].1)
    }

    /// `(value, count)` pairs, in first-insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &u64)> + '_ {
        self.entries.iter().map(|(k, c)| (k, c))
    }

    /// The tracked values, in first-insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &String> + '_ {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The counts, in first-insertion order.
    pub fn values(&self) -> impl Iterator<Item = &u64> + '_ {
        self.entries.iter().map(|(_, c)| c)
    }
}

/// Byte-slice equality without a `memcmp` call for the short values categories mostly hold:
/// up to 16 bytes are compared as two (possibly overlapping) words covering every byte —
/// `[0, 8)` and `[len − 8, len)` for `8 ≤ len ≤ 16`, `[0, 4)` and `[len − 4, len)` for
/// `4 ≤ len < 8`, bytes `0`, `len / 2` and `len − 1` for `len < 4`; longer slices use `==`.
#[inline]
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word8 = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .map(|w| u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]))
    };
    let word4 = |s: &[u8], at: usize| {
        s.get(at..at + 4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    };
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

impl<Q: AsRef<str> + ?Sized> std::ops::Index<&Q> for CategoryCounts {
    type Output = u64;

    fn index(&self, v: &Q) -> &u64 {
        self.get(v).expect("category not tracked")
    }
}

impl PartialEq for CategoryCounts {
    /// Equal as maps (insertion order does not matter).
    fn eq(&self, o: &Self) -> bool {
        self.len() == o.len() && self.iter().all(|(k, c)| o.get(k) == Some(c))
    }
}

impl<'a> IntoIterator for &'a CategoryCounts {
    type Item = (&'a String, &'a u64);
    type IntoIter = Box<dyn Iterator<Item = (&'a String, &'a u64)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl FromIterator<(String, u64)> for CategoryCounts {
    /// A later duplicate replaces the earlier count (as in a `HashMap`).
    fn from_iter<I: IntoIterator<Item = (String, u64)>>(it: I) -> Self {
        let mut m = CategoryCounts::default();
        for (k, c) in it {
            let h = hash64(k.as_bytes());
            match m.find(&k, h) {
                Some(i) => m.entries[i].1 = c,
                None => m.insert_new(k, h, c),
            }
        }
        m
    }
}

impl serde::Serialize for CategoryCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for CategoryCounts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Through a HashMap, as before: a duplicate key keeps the last count.
        let m: HashMap<String, u64> = HashMap::deserialize(d)?;
        Ok(m.into_iter().collect())
    }
}

impl Categories {
    /// Adds one non-null value (its text form).
    pub fn add(&mut self, v: &str) {
        let h = hash64(v.as_bytes());
        self.hll.add_hash(h);
        if let Some(i) = self.counts.find(v, h) {
            self.counts.entries[i].1 += 1;
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
        self.counts.insert_new(v.to_owned(), h, 1);
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
        // Deterministic regardless of insertion order: visit the other side's values sorted.
        let mut keys: Vec<(&String, &u64)> = o.counts.iter().collect();
        keys.sort();
        for (k, c) in keys {
            let h = hash64(k.as_bytes());
            if let Some(i) = self.counts.find(k, h) {
                self.counts.entries[i].1 += c;
            } else if self.counts.len() < MAX_TRACKED_CATEGORIES {
                self.counts.insert_new(k.clone(), h, *c);
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
fn needs_no_trim(s: &str) -> bool {
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

impl ColumnProfile {
    /// Adds one cell read at `loc` (the location is only used when an example must be kept).
    pub fn add(&mut self, cell: CellRef<'_>, loc: impl FnOnce() -> Location) {
        match cell {
            CellRef::Null => self.types.add(ValueType::Null),
            CellRef::Text(s) => {
                let (ty, num) = classify(s);
                let text = if needs_no_trim(s) { s } else { s.trim() };
                self.add_classified(ty, num, text, loc);
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

/// [`ExactSum`] against the Shewchuk-per-add implementation it replaced (kept here as the
/// oracle).
#[cfg(test)]
mod exact_sum_tests {
    use super::*;
    use proptest::prelude::*;

    /// The previous `ExactSum`: Shewchuk's partials updated on every add.
    #[derive(Debug, Clone, Default, serde::Serialize)]
    struct OldExactSum {
        partials: Vec<f64>,
    }

    impl OldExactSum {
        fn add(&mut self, mut x: f64) {
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

        fn value(&self) -> f64 {
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

        fn merge(&mut self, o: &Self) {
            for &x in &o.partials {
                self.add(x);
            }
        }
    }

    fn sum_of(xs: &[f64]) -> ExactSum {
        let mut s = ExactSum::default();
        for &x in xs {
            s.add(x);
        }
        s
    }

    fn old_sum_of(xs: &[f64]) -> OldExactSum {
        let mut s = OldExactSum::default();
        for &x in xs {
            s.add(x);
        }
        s
    }

    /// Finite doubles of every kind, magnitudes below 2^1000 so that the old implementation
    /// cannot overflow an intermediate partial.
    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            // Any finite double up to 2^1000, uniform in the bit pattern.
            (any::<bool>(), 0u64..(2023u64 << 52))
                .prop_map(|(neg, b)| f64::from_bits(b | (u64::from(neg) << 63))),
            // Small integers times a power of two: lots of cancellation and rounding ties.
            (-8i64..=8, -1074i32..=990).prop_map(|(k, e)| k as f64 * pow2(e)),
            // Subnormals and the smallest normals.
            (any::<bool>(), 0u64..(3u64 << 52))
                .prop_map(|(neg, b)| f64::from_bits(b | (u64::from(neg) << 63))),
            // Decimals like the ones CSV files hold.
            (-10_000_000i64..10_000_000).prop_map(|i| i as f64 / 10_000.0),
            Just(0.0),
            Just(-0.0),
            Just(1.0),
            Just(-1.0),
            Just(pow2(-1074)),
            Just(-pow2(-1074)),
        ]
    }

    fn assert_same(new: &ExactSum, old: &OldExactSum, what: &str) {
        assert_eq!(
            new.value().to_bits(),
            old.value().to_bits(),
            "{what}: new {:e} old {:e} (partials {:?})",
            new.value(),
            old.value(),
            old.partials
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn matches_old_implementation(xs in prop::collection::vec(value(), 0..60)) {
            assert_same(&sum_of(&xs), &old_sum_of(&xs), "one pass");
        }

        #[test]
        fn split_and_merge_in_any_order(
            xs in prop::collection::vec(value(), 0..80),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
            order in any::<u64>(),
            carry_at in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        ) {
            let mut bounds: Vec<usize> = cuts.iter().map(|i| i.index(xs.len() + 1)).collect();
            bounds.extend([0, xs.len()]);
            bounds.sort_unstable();
            let mut parts: Vec<ExactSum> = bounds
                .windows(2)
                .map(|w| {
                    let mut s = ExactSum::default();
                    for (k, &x) in xs[w[0]..w[1]].iter().enumerate() {
                        s.add(x);
                        // Carry propagation at arbitrary points changes nothing.
                        if carry_at.iter().any(|c| c.index(xs.len().max(1)) == k) {
                            s.carry();
                        }
                    }
                    s
                })
                .collect();
            // Merge the parts in a pseudo-random order.
            let mut o = order;
            let mut merged = ExactSum::default();
            while !parts.is_empty() {
                let i = (o % parts.len() as u64) as usize;
                o = o.rotate_left(7).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                merged.merge(&parts.swap_remove(i));
            }
            let one = sum_of(&xs);
            prop_assert_eq!(&merged, &one);
            assert_same(&merged, &old_sum_of(&xs), "merged");
            // The old implementation merges by adding partials: same value.
            let mut old_merged = OldExactSum::default();
            for w in bounds.windows(2) {
                old_merged.merge(&old_sum_of(&xs[w[0]..w[1]]));
            }
            prop_assert_eq!(merged.value().to_bits(), old_merged.value().to_bits());
        }

        #[test]
        fn serde_round_trip_and_old_files(xs in prop::collection::vec(value(), 0..40)) {
            let s = sum_of(&xs);
            let json = serde_json::to_string(&s).unwrap();
            let back: ExactSum = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &s);
            prop_assert_eq!(back.value().to_bits(), s.value().to_bits());
            // The written partials are genuine Shewchuk partials: the old code reads them.
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            let partials: Vec<f64> = serde_json::from_value(v["partials"].clone()).unwrap();
            let old = OldExactSum { partials };
            assert_same(&s, &old, "written partials");
            // A file written by the old implementation loads to the same sum.
            let old = old_sum_of(&xs);
            let loaded: ExactSum =
                serde_json::from_str(&serde_json::to_string(&old).unwrap()).unwrap();
            prop_assert_eq!(&loaded, &s);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Totals near the top of the range (the scaled read-out) agree with the same values
        /// scaled down by 2^100 (the unscaled read-out, checked against the oracle above).
        #[test]
        fn huge_totals_scale(
            big in prop::collection::vec((-3i64..=3, 950i32..=1020), 1..8),
            small in prop::collection::vec((-1000i64..=1000, -850i32..=900), 0..8),
        ) {
            let xs: Vec<f64> = big
                .iter()
                .chain(&small)
                .map(|&(k, e)| k as f64 * pow2(e))
                .collect();
            let scaled: Vec<f64> = xs.iter().map(|x| x * pow2(-100)).collect();
            let want = sum_of(&scaled).value() * pow2(100);
            prop_assert_eq!(sum_of(&xs).value().to_bits(), want.to_bits());
            let back: ExactSum =
                serde_json::from_str(&serde_json::to_string(&sum_of(&xs)).unwrap()).unwrap();
            if want.is_finite() && want.abs() < pow2(1020) {
                prop_assert_eq!(&back, &sum_of(&xs));
            }
        }
    }

    #[test]
    fn signed_zero_as_before() {
        let cases: &[&[f64]] = &[
            &[],
            &[-0.0],
            &[-0.0, -0.0],
            &[0.0],
            &[-0.0, 0.0],
            &[0.0, -0.0],
            &[1.0, -1.0],
            &[-1.0, 1.0],
            &[-0.0, -1.0, 1.0],
            &[-1.0, 1.0, -0.0],
            &[pow2(-1074), -pow2(-1074), -0.0],
            &[1e300, 1.0, -1e300, -1.0],
        ];
        for xs in cases {
            let (new, old) = (sum_of(xs), old_sum_of(xs));
            assert_same(&new, &old, &format!("{xs:?}"));
            let back: ExactSum =
                serde_json::from_str(&serde_json::to_string(&new).unwrap()).unwrap();
            assert_eq!(back.value().to_bits(), old.value().to_bits(), "{xs:?}");
            // Merging pieces keeps the sign of zero too.
            let mut m = ExactSum::default();
            for &x in xs.iter() {
                m.merge(&sum_of(&[x]));
            }
            assert_eq!(m.value().to_bits(), old.value().to_bits(), "{xs:?} merged");
        }
        assert_eq!(sum_of(&[-0.0]).value().to_bits(), (-0.0f64).to_bits());
        assert_eq!(sum_of(&[]).value().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn subnormals_and_extremes() {
        let tiny = pow2(-1074);
        let cases: &[&[f64]] = &[
            &[tiny, tiny, tiny],
            &[f64::MIN_POSITIVE, -tiny],
            &[f64::MIN_POSITIVE - tiny, tiny],
            &[1.0, tiny, -1.0],
            &[1.0, pow2(-53)],
            &[1.0, pow2(-53), pow2(-1074)],
            &[1.0, pow2(-53), -pow2(-1074)],
            &[1.0 + pow2(-52), pow2(-53)],
            &[pow2(1000), pow2(947), pow2(-1074)],
            &[pow2(1023), -pow2(1023), tiny],
            &[f64::MAX, -f64::MAX, 1.0],
        ];
        for xs in cases {
            assert_same(&sum_of(xs), &old_sum_of(xs), &format!("{xs:?}"));
        }
    }

    #[test]
    fn near_f64_max() {
        let max = f64::MAX;
        // Exact total within range: exact, where the old code overflowed an intermediate.
        assert_eq!(sum_of(&[max, max, -max]).value(), max);
        assert_eq!(sum_of(&[-max, -max, max, 1.0]).value(), -max);
        // Totals beyond the range round to ±∞ (half an ulp above MAX ties to even = 2^1024).
        assert_eq!(sum_of(&[max, max]).value(), f64::INFINITY);
        assert_eq!(sum_of(&[-max, -max]).value(), f64::NEG_INFINITY);
        assert_eq!(sum_of(&[max, pow2(970)]).value(), f64::INFINITY);
        assert_eq!(sum_of(&[max, pow2(969)]).value(), max);
        assert_eq!(sum_of(&[max, pow2(970), -pow2(-1074)]).value(), max);
        let mut many = ExactSum::default();
        for _ in 0..1000 {
            many.add(max);
        }
        for _ in 0..999 {
            many.add(-max);
        }
        assert_eq!(many.value(), max);
    }

    #[test]
    fn carry_every_is_honoured() {
        // Start just below the carry threshold with chunks near their bound.
        let mut s = ExactSum::default();
        let mut old = OldExactSum::default();
        for x in [1.5, -2.25e10, 3.0e-300, 7.0] {
            s.add(x);
            old.add(x);
        }
        s.pending = ExactSum::CARRY_EVERY - 3;
        let big = (1u64 << 53) as f64 - 1.0;
        for _ in 0..10 {
            s.add(big);
            old.add(big);
        }
        assert!(s.pending < 10);
        assert_same(&s, &old, "across a carry");
    }

    #[test]
    fn many_decimals_match() {
        // A long run of CSV-like decimals (the profiler's workload).
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut new = ExactSum::default();
        let mut old = OldExactSum::default();
        for i in 0..200_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = ((x >> 33) as i64 - (1 << 30)) as f64 / 10_000.0;
            let v = if i % 3 == 0 { v * 1e-3 } else { v };
            new.add(v);
            old.add(v);
        }
        assert_same(&new, &old, "200k decimals");
    }
}

/// [`Categories`] against the `HashMap<String, u64>` implementation it replaced.
#[cfg(test)]
mod categories_tests {
    use super::*;
    use proptest::prelude::*;

    /// The previous `Categories` (without the HyperLogLog, which is unchanged).
    #[derive(Default)]
    struct OldCategories {
        counts: HashMap<String, u64>,
        untracked: u64,
        overflowed: bool,
    }

    impl OldCategories {
        fn add(&mut self, v: &str) {
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

        fn merge(&mut self, o: &Self) {
            self.untracked += o.untracked;
            self.overflowed |= o.overflowed;
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

    fn same(new: &Categories, old: &OldCategories) {
        assert_eq!(new.untracked, old.untracked);
        assert_eq!(new.overflowed, old.overflowed);
        assert_eq!(new.counts.len(), old.counts.len());
        for (k, c) in &old.counts {
            assert_eq!(new.counts.get(k), Some(c), "{k:?}");
            assert_eq!(new.counts[k.as_str()], *c);
        }
        let mut want: Vec<(&str, u64)> = old.counts.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        assert_eq!(new.sorted(), want);
    }

    /// Values from a small space (many repeats), sometimes very long.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..1500).prop_map(|i| i.to_string()),
            (0u32..30).prop_map(|i| format!("cat{i}")),
            (0usize..3).prop_map(|i| "x".repeat(MAX_CATEGORY_BYTES - 1 + i)),
            Just(String::new()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn matches_hashmap_implementation(
            vs in prop::collection::vec(value(), 0..3000),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut new = Categories::default();
            let mut old = OldCategories::default();
            for v in &vs {
                new.add(v);
                old.add(v);
            }
            same(&new, &old);
            // Split, merge (both directions), and a serde round trip.
            let k = cut.index(vs.len() + 1);
            let (mut a, mut b) = (Categories::default(), Categories::default());
            let (mut oa, mut ob) = (OldCategories::default(), OldCategories::default());
            for v in &vs[..k] {
                a.add(v);
                oa.add(v);
            }
            for v in &vs[k..] {
                b.add(v);
                ob.add(v);
            }
            let mut ba = b.clone();
            ba.merge(&a);
            let mut oba = OldCategories::default();
            oba.merge(&ob);
            oba.merge(&oa);
            same(&ba, &oba);
            a.merge(&b);
            oa.merge(&ob);
            same(&a, &oa);
            let back: Categories = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
            prop_assert_eq!(&back, &a);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

        #[test]
        fn short_eq_is_eq(a in prop::collection::vec(0u8..3, 0..20), flip in any::<prop::sample::Index>(), same in any::<bool>()) {
            let mut b = a.clone();
            if !same && !b.is_empty() {
                let i = flip.index(b.len());
                b[i] ^= 1;
            }
            prop_assert_eq!(short_eq(&a, &b), a == b);
            prop_assert_eq!(short_eq(&a, &a[..a.len() / 2]), a.is_empty());
        }
    }

    #[test]
    fn hash_collisions_are_exact() {
        // Force two values onto one hash: both are counted separately and found again.
        let mut m = CategoryCounts::default();
        m.insert_new("a".into(), 42, 1);
        m.insert_new("b".into(), 42, 5);
        m.insert_new("c".into(), 43, 7);
        assert_eq!(m.find("a", 42), Some(0));
        assert_eq!(m.find("b", 42), Some(1));
        assert_eq!(m.find("c", 42), None);
        assert_eq!(m.find("c", 43), Some(2));
        assert_eq!(m.find("d", 42), None);
        assert_eq!(m.len(), 3);
        let keys: Vec<&String> = m.keys().collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }

    #[test]
    fn serde_form_is_a_plain_map() {
        let mut c = Categories::default();
        for v in ["b", "a", "b"] {
            c.add(v);
        }
        let v: serde_json::Value = serde_json::to_value(&c).unwrap();
        assert_eq!(v["counts"], serde_json::json!({"a": 1, "b": 2}));
        // A file written with the HashMap form loads.
        let old = serde_json::json!({
            "counts": {"x": 3, "y": 1},
            "untracked": 0,
            "overflowed": false,
            "hll": {"registers": []}
        });
        let back: Categories = serde_json::from_value(old).unwrap();
        assert_eq!(back.counts["x"], 3);
        assert_eq!(back.counts.get("y"), Some(&1));
        assert_eq!(back.counts.get("z"), None);
    }
}

/// [`classify`]'s fast paths against the version that always trims and calls `str::parse`.
#[cfg(test)]
mod classify_tests {
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
