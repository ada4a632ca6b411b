//! The one seeded random source of the pure core: xoshiro256** (Blackman and Vigna), seeded
//! through SplitMix64. Small, fully specified, and the same on every platform, so a `seed`
//! reproduces a run bit for bit: Kernel SHAP's coalitions (Clarify's own stream is closed source
//! and cannot be matched, `clarify-monitors.md` §5.2 step 9: only the distribution of the draws
//! is shap's), the bias bootstrap ([`crate::bias::drift`] adds its distributions), the
//! model-quality standard-deviation draws, and the demo's data.

/// SplitMix64: expands one 64-bit seed into well-mixed words (used to seed [`Xoshiro256`]).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting at `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next word.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// xoshiro256**: the generator behind every random coalition.
#[derive(Debug, Clone)]
pub struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    /// A generator seeded from `seed` by SplitMix64 (never the all-zero state).
    pub fn seed_from(seed: u64) -> Xoshiro256 {
        let mut sm = SplitMix64::new(seed);
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        Xoshiro256 { s }
    }

    /// The stream of record `index` of a run seeded with `seed`: each explained record draws
    /// from its own stream, so its values do not depend on how records are batched, ordered or
    /// split across machines.
    pub fn for_record(seed: u64, index: u64) -> Xoshiro256 {
        let mut sm = SplitMix64::new(seed);
        let base = sm.next_u64();
        Xoshiro256::seed_from(base ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03))
    }

    /// The next word.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform double in `[0, 1)` (53 random bits).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n` (`n > 0`), without modulo bias (Lemire's method).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro_matches_the_reference_implementation() {
        // Reference: the C code of xoshiro256** with state {1, 2, 3, 4}.
        let mut g = Xoshiro256 { s: [1, 2, 3, 4] };
        let first: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(first, vec![11520, 0, 1509978240]);
    }

    #[test]
    fn splitmix_matches_the_reference_implementation() {
        // Reference values of SplitMix64 seeded with 1234567.
        let mut g = SplitMix64::new(1234567);
        assert_eq!(g.next_u64(), 6457827717110365317);
        assert_eq!(g.next_u64(), 3203168211198807973);
    }

    #[test]
    fn below_is_in_range_and_uses_every_value() {
        let mut g = Xoshiro256::seed_from(7);
        let mut seen = [0u32; 5];
        for _ in 0..5000 {
            seen[g.below(5) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
    }

    #[test]
    fn record_streams_differ_and_repeat() {
        let a: Vec<u64> = {
            let mut g = Xoshiro256::for_record(42, 0);
            (0..4).map(|_| g.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut g = Xoshiro256::for_record(42, 1);
            (0..4).map(|_| g.next_u64()).collect()
        };
        let a2: Vec<u64> = {
            let mut g = Xoshiro256::for_record(42, 0);
            (0..4).map(|_| g.next_u64()).collect()
        };
        assert_ne!(a, b);
        assert_eq!(a, a2);
    }
}
