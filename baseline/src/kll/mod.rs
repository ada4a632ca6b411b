//! KLL quantile sketch, compatible item-for-item with the one in AWS Deequ 2.0.x. Every numeric
//! column of a [`crate::profile::ColumnProfile`] carries one; [`crate::suggest`] writes it (and
//! its equal-width buckets) into `statistics.json`, and the rules read it back for drift.
//!
//! SageMaker Model Monitor writes Deequ's `KLLSketch` state into `statistics.json` as
//!
//! ```text
//! "sketch" : { "parameters" : { "c" : 0.64, "k" : 2048.0 },
//!              "data" : [ [level0 items...], [level1 items...], ... ] }
//! ```
//!
//! This module is a faithful port of `com.amazon.deequ.analyzers.QuantileNonSample` and
//! `NonSampleCompactor` (deterministic compaction: Deequ ships with the random offset
//! commented out), plus the bucket computation of `KLLSketch.computeMetricFrom`. Fed the
//! same values in the same order (and merged in the same order), [`KllSketch::levels`]
//! returns exactly the arrays Deequ writes as `data`, bit for bit.
//!
//! Sources ported (awslabs/deequ, `src/main/scala/com/amazon/deequ/analyzers/`):
//! `QuantileNonSample.scala` (commit 9c69f009), `NonSampleCompactor.scala`,
//! `KLLSketch.scala` (commit 80988c7a) and `catalyst/StatefulKLLSketch.scala` (076f9e1e).
//! Deequ 2.0.x is built with Scala 2.12, whose `Ordering.Double` sorts with
//! `java.lang.Double.compare` but answers `gt`/`lt` with IEEE `>`/`<`; both are mirrored.
//!
//! Ported behaviour, in Deequ's own words (Scala quoted where it matters):
//!
//! * Level capacity (note: `shrinkingFactor ^ height`, so level 0 is the *largest* level,
//!   unlike the KLL paper where the top level is largest):
//!   `2 * (Math.ceil(sketchSize * Math.pow(shrinkingFactor, height) / 2).toInt + 1)`.
//!   For k = 2048, c = 0.64 the capacities are 2050, 1314, 842, 540, 346, 222, 144, 94, 60,
//!   40, 26, 18, 12, 10, 6, 6, 4, 4, ...: the 10 levels used for 1M values hold at most
//!   5652 items, and every level above the 16th adds 4.
//! * `update` appends to level 0 and calls `condense()` once when the number of stored
//!   items exceeds the sum of capacities (`compactorActualSize > compactorTotalSize`).
//! * `condense()` compacts the *lowest* level whose buffer length is `>= capacity(height)`,
//!   adding a level first if it is the top one, and stops after that one compaction.
//! * `merge` concatenates `this.buffer ++ that.buffer` level by level, then runs
//!   `while (compactorActualSize >= compactorTotalSize) condense()` (note `>=` here versus
//!   `>` in `update`).
//! * Ranks weight an item of level `h` by `1L << h`.

use std::cmp::Ordering;

/// Per-level compactor state of Deequ's `NonSampleCompactor` (`numOfCompress`, `offset`).
///
/// It is not part of the `data` arrays written to `statistics.json`; a sketch rebuilt
/// from those arrays starts with fresh compactors, exactly like Deequ's `reconstruct`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct CompactorState {
    num_of_compress: u64,
    offset: usize,
}

/// A deterministic KLL quantile sketch over `f64`, compatible with Deequ 2.0.x
/// (`QuantileNonSample[Double]`), as written by SageMaker Model Monitor.
///
/// Build one with [`KllSketch::default`] (SageMaker's k = 2048, c = 0.64) or
/// [`KllSketch::new`], feed it with [`KllSketch::update`] and combine partial sketches with
/// [`KllSketch::merge`]. A sketch read back from `statistics.json` is rebuilt with
/// [`KllSketch::from_levels`].
///
/// NaN values should be filtered out by the caller before `update`; if they are fed anyway,
/// they are sorted after `+inf` (Java's `Double.compare`) and ranks follow Deequ's IEEE
/// comparisons (see [`KllSketch::rank_inclusive`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KllSketch {
    /// Deequ's `sketchSize`.
    k: usize,
    /// Deequ's `shrinkingFactor`.
    c: f64,
    /// Compactor buffers, level 0 first; never empty.
    levels: Vec<Vec<f64>>,
    /// Compactor state, one per level.
    compactors: Vec<CompactorState>,
    /// `capacity(height)` per level (cached; a pure function of k, c and the height).
    capacities: Vec<usize>,
    /// Deequ's `compactorActualSize`: number of stored items.
    actual_size: usize,
    /// Deequ's `compactorTotalSize`: sum of the level capacities.
    total_size: usize,
    /// Sum of `2^h` over compactions that kept the even positions (offset 0): each can only
    /// raise an estimated rank, by at most `2^h`.
    error_up: u64,
    /// Sum of `2^h` over compactions that kept the odd positions (offset 1): each can only
    /// lower an estimated rank, by at most `2^h`.
    error_down: u64,
}

impl KllSketch {
    /// SageMaker Model Monitor's sketch size `k` (Deequ `KLLSketch.DEFAULT_SKETCH_SIZE`).
    pub const DEFAULT_K: usize = 2048;
    /// SageMaker Model Monitor's shrinking factor `c` (Deequ
    /// `KLLSketch.DEFAULT_SHRINKING_FACTOR`).
    pub const DEFAULT_C: f64 = 0.64;

    /// Creates an empty sketch with sketch size `k` and shrinking factor `c`
    /// (`new QuantileNonSample[Double](k, c)`), holding one empty level.
    ///
    /// Deequ's parameters are meant to satisfy `k >= 2` and `0 < c <= 1`. Other values do
    /// not panic: every capacity is clamped to at least 2 (Deequ could compute 0 or a
    /// negative capacity there and loop forever).
    pub fn new(k: usize, c: f64) -> KllSketch {
        let cap0 = deequ_capacity(k, c, 0);
        KllSketch {
            k,
            c,
            levels: vec![Vec::with_capacity(cap0.saturating_add(1).min(1 << 20))],
            compactors: vec![CompactorState::default()],
            capacities: vec![cap0],
            actual_size: 0,
            total_size: cap0,
            error_up: 0,
            error_down: 0,
        }
    }

    /// Rebuilds a sketch from the `data` arrays of a `statistics.json` sketch (level 0
    /// first; an item of level `h` weighs `2^h`), with the file's `k` and `c`.
    ///
    /// This is Deequ's `QuantileNonSample.reconstruct`: the buffers are taken as they are,
    /// no compaction is run, and every level gets a fresh compactor (`numOfCompress = 0`,
    /// `offset = 0`), because the file does not store that state. So ranks, quantiles and
    /// buckets of the rebuilt sketch equal those of the original, and `levels()` round-trips
    /// exactly, but later updates may compact with different offsets than the original
    /// sketch would have.
    ///
    /// An empty `levels` vector gives an empty sketch with one level (Deequ would keep zero
    /// levels and fail on the next update).
    ///
    /// The compaction history is unknown, so [`KllSketch::rank_error_bound`] of the rebuilt
    /// sketch is derived from the level sizes: every compaction at level `h` moves at least
    /// `capacity(h) / 2` items up, so the weight above level `h` bounds how many
    /// compactions level `h` can have done (see [`KllSketch::rank_error_bound`]).
    pub fn from_levels(k: usize, c: f64, levels: Vec<Vec<f64>>) -> KllSketch {
        let mut levels = levels;
        if levels.is_empty() {
            levels.push(Vec::new());
        }
        let capacities: Vec<usize> = (0..levels.len()).map(|h| deequ_capacity(k, c, h)).collect();
        let derived = derived_error_bound(&levels, &capacities);
        KllSketch {
            k,
            c,
            compactors: vec![CompactorState::default(); levels.len()],
            actual_size: levels.iter().map(Vec::len).sum(),
            total_size: sum_saturating(&capacities),
            capacities,
            levels,
            error_up: derived,
            error_down: derived,
        }
    }

    /// The sketch size `k` (Deequ `sketchSize`, written as `parameters.k`).
    pub fn k(&self) -> usize {
        self.k
    }

    /// The shrinking factor `c` (Deequ `shrinkingFactor`, written as `parameters.c`).
    pub fn c(&self) -> f64 {
        self.c
    }

    /// Adds one value (`QuantileNonSample.update`).
    ///
    /// ```scala
    /// compactors(0).buffer = compactors(0).buffer :+ item
    /// compactorActualSize = compactorActualSize + 1
    /// if (compactorActualSize > compactorTotalSize) { condense() }
    /// ```
    pub fn update(&mut self, x: f64) {
        if self.levels.is_empty() {
            self.expand();
        }
        if let Some(level0) = self.levels.first_mut() {
            level0.push(x);
        }
        self.actual_size += 1;
        if self.actual_size > self.total_size {
            self.condense();
        }
    }

    /// Merges `other` into `self` with Deequ's semantics (`QuantileNonSample.merge`):
    /// `self` gains levels until it has as many as `other`, each level becomes
    /// `self.buffer ++ other.buffer`, then
    /// `while (compactorActualSize >= compactorTotalSize) condense()`.
    ///
    /// `self` keeps its own `k`, `c` and compactor states; levels added here start with
    /// fresh compactors (so Spark's "empty buffer merges a partition" resets the partition's
    /// offsets, as in Deequ). Merging an empty sketch changes nothing, except that a sketch
    /// whose stored items exactly equal its total capacity is condensed once (Deequ's `>=`).
    pub fn merge(&mut self, other: &KllSketch) {
        while self.levels.len() < other.levels.len() {
            self.expand();
        }
        for (mine, theirs) in self.levels.iter_mut().zip(&other.levels) {
            mine.extend_from_slice(theirs);
        }
        self.actual_size = self.levels.iter().map(Vec::len).sum();
        self.error_up = self.error_up.saturating_add(other.error_up);
        self.error_down = self.error_down.saturating_add(other.error_down);
        while self.actual_size >= self.total_size {
            if !self.condense() {
                break;
            }
        }
    }

    /// Total weight of the sketch, i.e. the number of values fed (exact).
    pub fn count(&self) -> u64 {
        self.levels
            .iter()
            .enumerate()
            .fold(0u64, |acc, (h, level)| {
                acc.saturating_add((level.len() as u64).saturating_mul(level_weight(h)))
            })
    }

    /// `true` when no value has been fed.
    pub fn is_empty(&self) -> bool {
        self.actual_size == 0
    }

    /// The compactor buffers, level 0 first: exactly the `sketch.data` arrays Deequ
    /// writes (`getCompactorItems`). Level 0 is in insertion order (after its last
    /// compaction, if any); an item of level `h` stands for `2^h` values. Empty levels are
    /// included, as Deequ writes them.
    pub fn levels(&self) -> &[Vec<f64>] {
        &self.levels
    }

    /// Number of items currently stored (Deequ `compactorActualSize`).
    pub fn stored_items(&self) -> usize {
        self.actual_size
    }

    /// Sum of the capacities of the current levels (Deequ `compactorTotalSize`). After
    /// every `update` and `merge`, [`KllSketch::stored_items`] is at most this value.
    pub fn total_capacity(&self) -> usize {
        self.total_size
    }

    /// Estimated number of values strictly less than `x` (Deequ `getRankExclusive`:
    /// sum of the weights of the items with `item < x`, IEEE comparison).
    pub fn rank(&self, x: f64) -> u64 {
        self.weighted_count(|v| v < x)
    }

    /// Estimated number of values less than or equal to `x` (Deequ `getRank`: sum of the
    /// weights of the items with `!(item > x)`, IEEE comparison, so NaN items, if any,
    /// count for every `x`, and a NaN `x` counts everything, exactly as in Deequ).
    pub fn rank_inclusive(&self, x: f64) -> u64 {
        // Scala 2.12 `Ordering.Double.gt` is IEEE `>`; `!(v > x)` == "not Greater".
        self.weighted_count(|v| v.partial_cmp(&x) != Some(Ordering::Greater))
    }

    /// Estimated empirical CDF at `x`: `rank_inclusive(x) / count()`. An empty sketch
    /// returns 0.0 everywhere.
    pub fn cdf(&self, x: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return 0.0;
        }
        self.rank_inclusive(x) as f64 / n as f64
    }

    /// The `q`-quantile (lower inverse of the estimated CDF): the smallest stored item `v`
    /// whose inclusive cumulative weight reaches `ceil(q * count())` (at least 1).
    /// `q` is clamped to `[0, 1]`; `q = 0` gives the smallest item and `q = 1` the
    /// largest. `None` when the sketch is empty or `q` is NaN.
    ///
    /// While nothing was compacted this is the exact sample quantile (type 1). Deequ's own
    /// (slightly different) `quantiles(q)` is [`KllSketch::deequ_quantiles`].
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if q.is_nan() {
            return None;
        }
        let n = self.count();
        if n == 0 {
            return None;
        }
        quantile_of_sorted(&self.sorted_weighted(), n, q)
    }

    /// Port of Deequ's `QuantileNonSample.quantiles(q)`: the `q - 1` values at
    /// `1/q, ..., (q-1)/q`. Empty when the sketch is empty or `q < 2` (Deequ throws for
    /// `q = 0`).
    ///
    /// ```scala
    /// var nextThresh = totalWeight / q
    /// while (i < sortedItems.length && curq < q) {
    ///   while (sumSoFar < nextThresh) { sumSoFar += sortedItems(i)._2; i += 1 }
    ///   quantiles(curq - 1) = sortedItems(math.min(i, sortedItems.length - 1))._1
    ///   curq += 1
    ///   nextThresh = curq * totalWeight / q
    /// }
    /// ```
    ///
    /// Note that it returns the item *after* the one that reaches the threshold.
    pub fn deequ_quantiles(&self, q: usize) -> Vec<f64> {
        let sorted = self.sorted_items();
        if sorted.is_empty() || q < 2 {
            return Vec::new();
        }
        let total: u64 = sorted
            .iter()
            .fold(0u64, |acc, &(_, w)| acc.saturating_add(w));
        let q64 = q as u64;
        let len = sorted.len();
        let mut quantiles = vec![sorted[0].0; q - 1];
        let mut next_thresh = total / q64;
        let mut curq = 1usize;
        let mut i = 0usize;
        let mut sum_so_far = 0u64;
        while i < len && curq < q {
            while sum_so_far < next_thresh && i < len {
                sum_so_far = sum_so_far.saturating_add(sorted[i].1);
                i += 1;
            }
            quantiles[curq - 1] = sorted[i.min(len - 1)].0;
            curq += 1;
            next_thresh = ((curq as u128 * total as u128) / q as u128) as u64;
        }
        quantiles
    }

    /// All stored items sorted ascending (Java `Double.compare` order: `-0.0` before
    /// `0.0`, NaN last), with their weights, equal values merged into one entry (`-0.0`
    /// and `0.0` are merged and keep the first key; NaNs are merged together).
    ///
    /// The running sum of the weights up to and including an entry is
    /// `rank_inclusive(value)`, and the sum before it is `rank(value)`, so two sketches'
    /// CDFs can be compared with one merge walk over their `sorted_weighted()` lists
    /// (Deequ's `getRankMap`).
    pub fn sorted_weighted(&self) -> Vec<(f64, u64)> {
        let sorted = self.sorted_items();
        let mut out: Vec<(f64, u64)> = Vec::with_capacity(sorted.len());
        for (v, w) in sorted {
            match out.last_mut() {
                Some(last) if last.0 == v || (last.0.is_nan() && v.is_nan()) => {
                    last.1 = last.1.saturating_add(w);
                }
                _ => out.push((v, w)),
            }
        }
        out
    }

    /// A deterministic, conservative bound on `|estimated rank - true rank| / count()`
    /// that holds for every query point, for both [`KllSketch::rank`] and
    /// [`KllSketch::rank_inclusive`] (and so for `cdf`, and for the ranks around a returned
    /// quantile). 0.0 while nothing was compacted (ranks are then exact) and for an empty
    /// sketch.
    ///
    /// Derivation: a compaction of level `h` sorts its (even-length) buffer and keeps every
    /// other item with double weight. For any `x`, the `m` buffered items below `x` form a
    /// sorted prefix; keeping positions 0, 2, 4, ... (offset 0) keeps `ceil(m/2)` of them,
    /// changing the rank estimate by `0` or `+2^h`; offset 1 keeps `floor(m/2)`, changing it
    /// by `0` or `-2^h`. The changes add up over all compactions (including those of merged
    /// sketches), so the total error lies in `[-D, U]`, where `U` (`D`) is the sum of `2^h`
    /// over offset-0 (offset-1) compactions. The bound returned is `max(U, D) / count()`;
    /// `U` and `D` are tracked exactly. For a sketch rebuilt by
    /// [`KllSketch::from_levels`], `U = D = sum over h of 2^h * floor(W_h / (2^h *
    /// capacity(h)))`, where `W_h` is the weight stored above level `h`.
    pub fn rank_error_bound(&self) -> f64 {
        let n = self.count();
        if n == 0 {
            return 0.0;
        }
        self.rank_error_weight() as f64 / n as f64
    }

    /// The absolute form of [`KllSketch::rank_error_bound`]: a bound on
    /// `|estimated rank - true rank|` in number of values.
    pub fn rank_error_weight(&self) -> u64 {
        self.error_up.max(self.error_down)
    }

    // ----- internals -------------------------------------------------------------------

    fn weighted_count(&self, pred: impl Fn(f64) -> bool) -> u64 {
        let mut r = 0u64;
        for (h, level) in self.levels.iter().enumerate() {
            let n = level.iter().filter(|&&v| pred(v)).count() as u64;
            r = r.saturating_add(n.saturating_mul(level_weight(h)));
        }
        r
    }

    /// Deequ's `output.sortBy(_._1)`: (item, weight) in level order, stably sorted by
    /// `java.lang.Double.compare`.
    fn sorted_items(&self) -> Vec<(f64, u64)> {
        let mut all: Vec<(f64, u64)> = Vec::with_capacity(self.actual_size);
        for (h, level) in self.levels.iter().enumerate() {
            let w = level_weight(h);
            all.extend(level.iter().map(|&v| (v, w)));
        }
        all.sort_by(|a, b| java_double_compare(a.0, b.0));
        all
    }

    /// `QuantileNonSample.expand`: add one level with a fresh compactor.
    fn expand(&mut self) {
        let h = self.levels.len();
        self.levels.push(Vec::new());
        self.compactors.push(CompactorState::default());
        self.capacities.push(deequ_capacity(self.k, self.c, h));
        self.total_size = sum_saturating(&self.capacities);
    }

    /// `QuantileNonSample.condense`: compact the lowest full level, once.
    ///
    /// ```scala
    /// for (height <- compactors.indices) {
    ///   if (compactors(height).buffer.length >= capacity(height)) {
    ///     if (height + 1 >= curNumOfCompactors) expand()
    ///     val output: Array[T] = compactors(height).compact
    ///     output.foreach(element => compactors(height + 1).buffer = compactors(height + 1).buffer :+ element)
    ///     compactorActualSize = getCompactorItemsCount
    ///     break
    /// } }
    /// ```
    ///
    /// Returns whether a level was compacted.
    fn condense(&mut self) -> bool {
        for height in 0..self.levels.len() {
            if self.levels[height].len() >= self.capacities[height] {
                if height + 1 >= self.levels.len() {
                    self.expand();
                }
                self.compact(height);
                self.actual_size = self.levels.iter().map(Vec::len).sum();
                return true;
            }
        }
        false
    }

    /// `NonSampleCompactor.compact` of level `height`, appending the output to the next
    /// level (which must exist).
    ///
    /// ```scala
    /// var items = buffer.length
    /// val len = items - (items % 2)
    /// if (numOfCompress % 2 == 1) {
    ///   offset = 1 - offset
    /// }
    /// // Comment it For unit testing, should uncomment it for real use.
    /// //    else {
    /// //      offset = if (Random.nextBoolean()) 1 else 0
    /// //    }
    /// val sBuff = buffer.toArray.slice(0,len).sorted
    /// val output = (offset until len by 2).map(sBuff(_)).toArray
    /// val tail = findOdd(items)   // Some(buffer(items - 1)) when items is odd
    /// ...
    /// buffer = newBuffer          // just the tail, if any
    /// numOfCompress = numOfCompress + 1
    /// ```
    ///
    /// So the offsets of successive compactions of one level are 0, 1, 1, 0, 0, 1, 1, ...
    /// and an odd element left behind is the *last inserted* one, not the largest.
    fn compact(&mut self, height: usize) {
        let (lower, upper) = self.levels.split_at_mut(height + 1);
        let (Some(buf), Some(next)) = (lower.last_mut(), upper.first_mut()) else {
            return;
        };
        let Some(state) = self.compactors.get_mut(height) else {
            return;
        };
        let items = buf.len();
        let len = items - items % 2;
        if state.num_of_compress % 2 == 1 {
            state.offset = 1 - state.offset;
        }
        let tail = if items % 2 == 1 {
            Some(buf[items - 1])
        } else {
            None
        };
        buf.truncate(len);
        if buf.iter().any(|v| v.is_nan()) {
            sort_like_scala(buf);
            next.extend(buf.iter().skip(state.offset).step_by(2));
        } else {
            // No NaN: `java.lang.Double.compare` is `total_cmp`, i.e. the unsigned order of
            // the keys, and equal keys are bit-identical doubles, so any sort of the keys gives
            // the bits Scala's stable sort gives. Integer comparisons are about twice as fast
            // as `total_cmp`. Level 0 is in insertion order (pattern-defeating quicksort);
            // a higher level is a concatenation of sorted compaction outputs, which the stable
            // sort detects as runs and merges in linear time.
            let mut keys: Vec<u64> = buf.iter().map(|&v| total_order_key(v)).collect();
            if height == 0 {
                keys.sort_unstable();
            } else {
                keys.sort();
            }
            next.extend(
                keys.iter()
                    .skip(state.offset)
                    .step_by(2)
                    .map(|&k| from_total_order_key(k)),
            );
        }
        if len > 0 {
            let w = level_weight(height);
            if state.offset == 0 {
                self.error_up = self.error_up.saturating_add(w);
            } else {
                self.error_down = self.error_down.saturating_add(w);
            }
        }
        buf.clear();
        if let Some(t) = tail {
            buf.push(t);
        }
        state.num_of_compress += 1;
    }
}

impl Default for KllSketch {
    /// An empty sketch with SageMaker Model Monitor's parameters (k = 2048, c = 0.64).
    fn default() -> Self {
        KllSketch::new(KllSketch::DEFAULT_K, KllSketch::DEFAULT_C)
    }
}

/// SageMaker's (Deequ `KLLSketch.computeMetricFrom`) equal-width histogram of `sketch`
/// over `[min, max]` with `n` buckets, as `(lower_bound, upper_bound, count)`.
///
/// Bounds are computed in exactly Deequ's floating-point form (`i` promoted to double,
/// multiplied before dividing):
///
/// ```scala
/// val lowBound = start + (end - start) * i / numberOfBuckets.toDouble
/// val highBound = start + (end - start) * (i + 1) / numberOfBuckets.toDouble
/// if (i == numberOfBuckets - 1) {
///   BucketValue(lowBound, highBound, finalSketch.getRank(highBound) - finalSketch.getRankExclusive(lowBound))
/// } else {
///   BucketValue(lowBound, highBound, finalSketch.getRankExclusive(highBound) - finalSketch.getRankExclusive(lowBound))
/// }
/// ```
///
/// so bucket `i` counts values in `[lower, upper)` and the last one `[lower, upper]`
/// (counts are sketch ranks: exact until the sketch compacts). The upper bound of the last
/// bucket is not forced to `max`, also as in Deequ.
///
/// When `min == max` every bound equals `min`; Deequ then gives 0 to every bucket but the
/// last, which gets `rank_inclusive(min) - rank(min)`, i.e. all values. `n = 0` gives no
/// buckets. SageMaker uses `n = 10`, `min`/`max` from Deequ's KLL state (see
/// [`deequ_kll_range`]).
pub fn equal_width_buckets(
    sketch: &KllSketch,
    min: f64,
    max: f64,
    n: usize,
) -> Vec<(f64, f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    // lowBound of bucket i+1 and highBound of bucket i are the same expression, so
    // compute each boundary (and its exclusive rank) once.
    let bounds: Vec<f64> = (0..=n)
        .map(|i| min + (max - min) * (i as f64) / nf)
        .collect();
    let excl: Vec<i128> = bounds.iter().map(|&b| i128::from(sketch.rank(b))).collect();
    (0..n)
        .map(|i| {
            let lo = bounds[i];
            let hi = bounds[i + 1];
            let count = if i == n - 1 {
                i128::from(sketch.rank_inclusive(hi)) - excl[i]
            } else {
                excl[i + 1] - excl[i]
            };
            (lo, hi, count as f64)
        })
        .collect()
}

/// The `[start, end]` range Deequ's KLL aggregation uses for the buckets, given the
/// ordinary `min` and `max` of the non-null values.
///
/// Deequ's `StatefulKLLSketch` does not start from ±infinity:
///
/// ```scala
/// buffer(MIN_POS) = Int.MaxValue.toDouble
/// buffer(MAX_POS) = Int.MinValue.toDouble
/// ...
/// buffer(MIN_POS) = Math.min(buffer.getDouble(MIN_POS), tmp)
/// buffer(MAX_POS) = Math.max(buffer.getDouble(MAX_POS), tmp)
/// ```
///
/// so when every value is above 2147483647 (e.g. epoch milliseconds) the buckets start
/// at 2147483647.0, and when every value is below -2147483648 they end at -2147483648.0.
/// This returns `(Math.min(2147483647.0, data_min), Math.max(-2147483648.0, data_max))`
/// with Java's NaN propagation. From the Deequ source; not yet seen in real AWS output.
pub fn deequ_kll_range(data_min: f64, data_max: f64) -> (f64, f64) {
    (
        java_min(f64::from(i32::MAX), data_min),
        java_max(f64::from(i32::MIN), data_max),
    )
}

/// Deequ's `capacity(height)` with Java `Int` semantics for `.toInt` (saturating, NaN to
/// 0), computed in `i64` so it cannot overflow, and clamped to at least 2.
///
/// ```scala
/// 2 * (Math.ceil(sketchSize * Math.pow(shrinkingFactor, height) / 2).toInt + 1)
/// ```
fn deequ_capacity(k: usize, c: f64, height: usize) -> usize {
    let h = height.min(i32::MAX as usize) as f64;
    let half = (k as f64 * c.powf(h) / 2.0).ceil() as i32;
    let cap = 2 * (i64::from(half) + 1);
    usize::try_from(cap.max(2)).unwrap_or(usize::MAX)
}

/// Weight of an item of level `h` (`1L << h`), saturating.
fn level_weight(h: usize) -> u64 {
    if h < 64 {
        1u64 << h
    } else {
        u64::MAX
    }
}

fn sum_saturating(values: &[usize]) -> usize {
    values.iter().fold(0usize, |a, &b| a.saturating_add(b))
}

/// Bound on the rank error of a sketch with unknown compaction history (see
/// [`KllSketch::from_levels`]).
fn derived_error_bound(levels: &[Vec<f64>], capacities: &[usize]) -> u64 {
    let weight128 = |h: usize| -> u128 { 1u128.checked_shl(h as u32).unwrap_or(u128::MAX) };
    let mut above: u128 = 0; // weight stored strictly above the current level
    let mut bound: u128 = 0;
    for h in (0..levels.len()).rev() {
        let cap = capacities.get(h).copied().unwrap_or(2).max(2) as u128;
        let per_compaction = weight128(h).saturating_mul(cap);
        let compactions = above / per_compaction;
        bound = bound.saturating_add(compactions.saturating_mul(weight128(h)));
        above = above.saturating_add((levels[h].len() as u128).saturating_mul(weight128(h)));
    }
    u64::try_from(bound).unwrap_or(u64::MAX)
}

/// `java.lang.Double.compare`: `-0.0 < 0.0`, every NaN equal and greater than `+inf`.
fn java_double_compare(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.total_cmp(&b),
    }
}

/// Scala 2.12 `sorted` with `Ordering.Double`: a stable sort (`java.util.Arrays.sort` on
/// boxed values) by `java.lang.Double.compare`. Without NaNs, elements that compare equal
/// are bit-identical, so an unstable sort by `total_cmp` gives the same bits faster.
fn sort_like_scala(buf: &mut [f64]) {
    if buf.iter().any(|v| v.is_nan()) {
        buf.sort_by(|a, b| java_double_compare(*a, *b));
    } else {
        buf.sort_unstable_by(f64::total_cmp);
    }
}

/// The `u64` whose unsigned order is `f64::total_cmp`'s order: the sign bit is flipped for
/// positive values and every bit for negative ones (`−0.0` maps just below `0.0`; a non-NaN
/// double's key is below every positive NaN's and above every negative NaN's). Bijective, so
/// [`from_total_order_key`] gives back the exact bits.
fn total_order_key(v: f64) -> u64 {
    let b = v.to_bits();
    b ^ (((b as i64 >> 63) as u64) | (1 << 63))
}

/// Inverse of [`total_order_key`].
fn from_total_order_key(k: u64) -> f64 {
    let mask = if k >> 63 == 1 { 1 << 63 } else { u64::MAX };
    f64::from_bits(k ^ mask)
}

/// Java `Math.min` (NaN if either is NaN; `-0.0` below `0.0`).
fn java_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if java_double_compare(a, b) == Ordering::Greater {
        b
    } else {
        a
    }
}

/// Java `Math.max` (NaN if either is NaN; `0.0` above `-0.0`).
fn java_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if java_double_compare(a, b) == Ordering::Less {
        b
    } else {
        a
    }
}

/// [`KllSketch::quantile`] over a sketch's [`KllSketch::sorted_weighted`] list and its
/// `count()` `n` (to take several quantiles with one sort).
pub fn quantile_of_sorted(sorted: &[(f64, u64)], n: u64, q: f64) -> Option<f64> {
    if q.is_nan() || n == 0 {
        return None;
    }
    let q = q.clamp(0.0, 1.0);
    let target = ((q * n as f64).ceil() as u64).clamp(1, n);
    let mut cum = 0u64;
    for &(v, w) in sorted {
        cum = cum.saturating_add(w);
        if cum >= target {
            return Some(v);
        }
    }
    sorted.last().map(|&(v, _)| v)
}

#[cfg(test)]
mod tests;
