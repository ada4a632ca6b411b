//! [`Categories`]: the value counts of a column, exact up to [`MAX_TRACKED_CATEGORIES`]
//! distinct values and frozen beyond (then only the [`Hll`] estimate grows), in a
//! [`CategoryCounts`] map indexed by [`hash64`]. [`crate::suggest`] turns them into the
//! categorical distribution of `statistics.json` and the domain constraints.

use std::collections::HashMap;

use super::hll::{hash64, Hll};
use super::merge::Merge;

/// How many distinct values a column tracks exactly. Beyond this the column is treated as
/// high-cardinality: tracked counts are frozen, new values only go to the HyperLogLog distinct
/// estimate and to `untracked`. This bounds a column's categorical memory to about
/// `MAX_TRACKED_CATEGORIES × (value length + 40 bytes)` plus 4 KiB for the estimator.
pub const MAX_TRACKED_CATEGORIES: usize = 1000;

/// Longest value (in bytes) kept as a category; longer values are counted as untracked.
pub const MAX_CATEGORY_BYTES: usize = 256;

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

/// [`Categories`] against the `HashMap<String, u64>` implementation it replaced.
#[cfg(test)]
mod tests {
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
