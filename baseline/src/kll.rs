//! TEMPORARY stand-in, replaced by the Deequ-compatible sketch.
#![allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub struct KllSketch {
    items: Vec<f64>,
}
impl Default for KllSketch {
    fn default() -> Self {
        KllSketch { items: Vec::new() }
    }
}
impl KllSketch {
    pub const DEFAULT_K: usize = 2048;
    pub const DEFAULT_C: f64 = 0.64;
    pub fn update(&mut self, x: f64) {
        self.items.push(x)
    }
    pub fn merge(&mut self, o: &KllSketch) {
        self.items.extend_from_slice(&o.items)
    }
    pub fn count(&self) -> u64 {
        self.items.len() as u64
    }
    pub fn levels(&self) -> &[Vec<f64>] {
        std::slice::from_ref(&self.items)
    }
    pub fn from_levels(_k: usize, _c: f64, l: Vec<Vec<f64>>) -> KllSketch {
        KllSketch {
            items: l.into_iter().flatten().collect(),
        }
    }
    pub fn sorted_weighted(&self) -> Vec<(f64, u64)> {
        let mut v: Vec<f64> = self.items.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v.into_iter().map(|x| (x, 1)).collect()
    }
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let s = self.sorted_weighted();
        if s.is_empty() {
            return None;
        }
        let i = ((q * s.len() as f64) as usize).min(s.len() - 1);
        Some(s[i].0)
    }
    pub fn rank_error_bound(&self) -> f64 {
        0.0
    }
}
pub fn equal_width_buckets(s: &KllSketch, min: f64, max: f64, n: usize) -> Vec<(f64, f64, f64)> {
    (0..n)
        .map(|i| {
            let lo = min + (max - min) * i as f64 / n as f64;
            let hi = min + (max - min) * (i + 1) as f64 / n as f64;
            let c = s
                .items
                .iter()
                .filter(|&&x| x >= lo && (x < hi || (i == n - 1 && x <= hi)))
                .count();
            (lo, hi, c as f64)
        })
        .collect()
}
