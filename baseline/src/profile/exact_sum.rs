//! [`ExactSum`], the correctly rounded sum behind [`crate::profile::Moments`]'s `sum` and
//! `mean`, so that merged shard profiles equal a one-pass profile to the last bit.

use super::merge::Merge;

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

/// [`ExactSum`] against the Shewchuk-per-add implementation it replaced (kept here as the
/// oracle).
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The previous `ExactSum`: Shewchuk's partials updated on every add.
    #[derive(Debug, Clone, Default, serde::Serialize)]
    struct OldExactSum {
        partials: Vec<f64>,
    }

    /// The old code is the production read-out (Shewchuk's partials, `math.fsum`'s rounding)
    /// applied on every add instead of once.
    impl OldExactSum {
        fn add(&mut self, x: f64) {
            shewchuk_add(&mut self.partials, x);
        }

        fn value(&self) -> f64 {
            fsum_round(&self.partials)
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
