//! [`encode`]: points into `PutMetricData` batches within the API's limits (1000 datums and
//! 1 MB per request, one namespace per request, 30 dimensions, no NaN or ±∞, magnitudes CloudWatch
//! accepts), counting what it had to drop.

use super::*;

/// One `PutMetricData` request: a namespace and at most [`MAX_DATUMS_PER_REQUEST`] points.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The request's namespace.
    pub namespace: String,
    /// Its data, in input order.
    pub points: Vec<MetricPoint>,
}

/// What [`encode`] produced and left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Encoded {
    /// The requests, each within the API's limits.
    pub batches: Vec<Batch>,
    /// Points dropped because a value was NaN or infinite.
    pub dropped_non_finite: usize,
    /// Points dropped because CloudWatch would reject them (the reason of each).
    pub dropped_invalid: Vec<String>,
}

impl Encoded {
    /// Points kept.
    pub fn points(&self) -> usize {
        self.batches.iter().map(|b| b.points.len()).sum()
    }
}

fn clamp_tiny(v: f64) -> f64 {
    if v != 0.0 && v.abs() < MIN_MAGNITUDE {
        0.0
    } else {
        v
    }
}

pub(super) fn url_len(s: &str) -> usize {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// A conservative estimate of a datum's size in a request: its strings URL-encoded (the largest
/// of the wire protocols CloudWatch speaks) plus the member prefixes of the query protocol.
pub fn encoded_size(p: &MetricPoint) -> usize {
    const MEMBER: usize = 48; // `&MetricData.member.1000.Dimensions.member.30.Value=`
    let dims: usize = p
        .dimensions
        .iter()
        .map(|d| 2 * MEMBER + url_len(&d.name) + url_len(&d.value))
        .sum();
    let value = match p.value {
        MetricValue::Single(_) => MEMBER + 24,
        MetricValue::Statistics { .. } => 4 * (MEMBER + 24),
    };
    3 * MEMBER + url_len(&p.name) + dims + value + url_len(&p.unit) + 32
}

fn check(p: &MetricPoint) -> Result<(), String> {
    let what = || format!("{}/{}", p.namespace, p.name);
    if p.namespace.is_empty() || p.namespace.len() > MAX_NAME_LEN {
        return Err(format!(
            "{}: namespace must be 1-{MAX_NAME_LEN} characters",
            what()
        ));
    }
    if p.name.is_empty() || p.name.len() > MAX_NAME_LEN {
        return Err(format!(
            "{}: metric name must be 1-{MAX_NAME_LEN} characters",
            what()
        ));
    }
    if p.dimensions.len() > MAX_DIMENSIONS {
        return Err(format!(
            "{}: {} dimensions, at most {MAX_DIMENSIONS}",
            what(),
            p.dimensions.len()
        ));
    }
    for d in &p.dimensions {
        if d.name.is_empty() || d.name.len() > MAX_NAME_LEN {
            return Err(format!(
                "{}: dimension name {:?} too long or empty",
                what(),
                d.name
            ));
        }
        if d.value.is_empty() || d.value.len() > MAX_DIMENSION_VALUE_LEN {
            return Err(format!(
                "{}: dimension {} value must be 1-{MAX_DIMENSION_VALUE_LEN} characters",
                what(),
                d.name
            ));
        }
    }
    if p.value.numbers().iter().any(|v| v.abs() > MAX_MAGNITUDE) {
        return Err(format!(
            "{}: value beyond CloudWatch's range (2^360)",
            what()
        ));
    }
    if let MetricValue::Statistics {
        sample_count,
        minimum,
        maximum,
        ..
    } = p.value
    {
        if sample_count <= 0.0 || minimum > maximum {
            return Err(format!(
                "{}: statistic values need SampleCount > 0 and Minimum <= Maximum",
                what()
            ));
        }
    }
    Ok(())
}

/// Packs points into `PutMetricData` requests: one namespace per request (in order of first
/// appearance), at most [`MAX_DATUMS_PER_REQUEST`] points and [`REQUEST_BYTES_BUDGET`] estimated
/// bytes each. Points with a NaN or infinite value are dropped and counted; points CloudWatch
/// would reject (over 30 dimensions, names too long, values beyond ±2³⁶⁰) are dropped with the
/// reason; magnitudes below 2⁻²⁶⁰ become 0.
pub fn encode(points: &[MetricPoint]) -> Encoded {
    let mut enc = Encoded::default();
    let mut namespaces: Vec<&str> = Vec::new();
    for p in points {
        if !namespaces.contains(&p.namespace.as_str()) {
            namespaces.push(&p.namespace);
        }
    }
    for ns in namespaces {
        let mut cur = Batch {
            namespace: ns.to_owned(),
            points: Vec::new(),
        };
        let mut bytes = url_len(ns) + 64;
        for p in points.iter().filter(|p| p.namespace == ns) {
            if p.value.numbers().iter().any(|v| !v.is_finite()) {
                enc.dropped_non_finite += 1;
                continue;
            }
            if let Err(why) = check(p) {
                enc.dropped_invalid.push(why);
                continue;
            }
            let mut p = p.clone();
            p.value = match p.value {
                MetricValue::Single(v) => MetricValue::Single(clamp_tiny(v)),
                MetricValue::Statistics {
                    sample_count,
                    sum,
                    minimum,
                    maximum,
                } => MetricValue::Statistics {
                    sample_count,
                    sum: clamp_tiny(sum),
                    minimum: clamp_tiny(minimum),
                    maximum: clamp_tiny(maximum),
                },
            };
            let size = encoded_size(&p);
            if !cur.points.is_empty()
                && (cur.points.len() >= MAX_DATUMS_PER_REQUEST
                    || bytes + size > REQUEST_BYTES_BUDGET)
            {
                enc.batches.push(std::mem::replace(
                    &mut cur,
                    Batch {
                        namespace: ns.to_owned(),
                        points: Vec::new(),
                    },
                ));
                bytes = url_len(ns) + 64;
            }
            bytes += size;
            cur.points.push(p);
        }
        if !cur.points.is_empty() {
            enc.batches.push(cur);
        }
    }
    enc
}
