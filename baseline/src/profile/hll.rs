//! [`Hll`], the HyperLogLog distinct-count estimate of a column, and [`hash64`], the one stable
//! hash of category values (the estimate and the category index share it). Part of
//! [`crate::profile::Categories`].

use super::merge::Merge;

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
