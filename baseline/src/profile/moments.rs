//! [`Moments`] of a column's numeric values (count, exact sum, mean, variance, minimum and
//! maximum) with Spark's update and merge formulas, and the serde helper [`nonfinite`] for its
//! infinite minimum and maximum. Part of every [`crate::profile::ColumnProfile`].

use super::exact_sum::ExactSum;
use super::merge::Merge;

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
    #[serde(with = "nonfinite")]
    pub min: f64,
    /// Largest value (`−∞` when empty).
    #[serde(with = "nonfinite")]
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
