//! Scale-out: `driftmon run --shard I/N --partial-output <loc>` profiles one contiguous part of
//! a window and writes it as `partial-I-of-N.json`; `driftmon merge --partials <loc>` merges the
//! parts in shard order and evaluates them exactly as `driftmon run` would.
//!
//! Shard `I` of `N` takes the objects whose index in the window's sorted listing lies in
//! `[I * len / N, (I + 1) * len / N)`: contiguous ranges, so merging the shards in shard order
//! visits the objects in the same order as a single run (counts, sums, means, minima, maxima,
//! category counts, rejects and their samples are identical; only the order-sensitive sketches
//! and the floating-point `m2` may differ in the last bits, within their error bounds).

use std::collections::BTreeMap;
use std::path::Path;

use driftmon_baseline::capture::format_timestamp_ms;
use driftmon_baseline::profile::Merge;

use crate::adapters::store::{resolve, StoreError};
use crate::job::{run_once, Job, RunOutcome};
use crate::monitors::data_quality::{
    check_window, load_baseline, profile_stage, DataQuality, ProfiledWindow, RunExtras, RunSpec,
};
use crate::monitors::RunError;

/// Version of the partial file format.
pub const PARTIAL_FORMAT: u32 = 1;

/// One shard of `count`: `index` in `0..count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard's index.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` (`0 <= I < N`).
    pub fn parse(s: &str) -> Option<Shard> {
        let (i, n) = s.split_once('/')?;
        let index: usize = i.trim().parse().ok()?;
        let count: usize = n.trim().parse().ok()?;
        (count > 0 && index < count).then_some(Shard { index, count })
    }

    /// This shard's objects among `len`: a contiguous range of the sorted listing.
    pub fn range(&self, len: usize) -> std::ops::Range<usize> {
        let at = |k: usize| (len as u128 * k as u128 / self.count as u128) as usize;
        at(self.index)..at(self.index + 1)
    }

    /// The partial file's name: `partial-I-of-N.json`.
    pub fn file_name(&self) -> String {
        format!("partial-{}-of-{}.json", self.index, self.count)
    }
}

/// A shard's result, as written to `partial-I-of-N.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Partial {
    /// [`PARTIAL_FORMAT`].
    pub format: u32,
    /// Endpoint.
    pub endpoint: String,
    /// The `--variant` given, if any.
    pub variant: Option<String>,
    /// Window start, ms since the epoch.
    pub start_ms: i64,
    /// Window end, ms since the epoch.
    pub end_ms: i64,
    /// This shard's index.
    pub shard: usize,
    /// How many shards.
    pub shards: usize,
    /// The objects this shard profiled (its range of the sorted listing).
    pub shard_objects: Vec<String>,
    /// The shard's index range in the listing, `[first, end)`.
    pub range: (usize, usize),
    /// The window's listing facts (all objects) and the shard's profile, not finished.
    pub window: ProfiledWindow,
}

/// A shard or merge that could not complete.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// The run part failed.
    #[error("{0}")]
    Run(#[from] RunError),
    /// A partial file could not be read or written.
    #[error("{object}: {err}")]
    Store {
        /// The partial file or location.
        object: String,
        /// Why.
        err: StoreError,
    },
    /// A partial file is not a partial of this driftmon.
    #[error("{object}: not a driftmon partial: {msg}")]
    Parse {
        /// The partial file.
        object: String,
        /// Why.
        msg: String,
    },
    /// A partial does not belong with the others or with the merge's flags.
    #[error("{object}: {msg}")]
    Mismatch {
        /// The partial file.
        object: String,
        /// What differs.
        msg: String,
    },
    /// The partials do not form a complete set `0..N`.
    #[error("incomplete partial set under {location}: {msg}")]
    Incomplete {
        /// The partials location.
        location: String,
        /// What is missing.
        msg: String,
    },
}

/// `driftmon run --shard`: profiles `shard`'s part of the window and writes the partial to
/// `partial_output`. Returns the partial and the URI written.
pub fn run_shard(
    spec: &RunSpec,
    shard: Shard,
    partial_output: &Path,
) -> Result<(Partial, String), ShardError> {
    check_window(&spec.window())?;
    let baseline = load_baseline(&spec.baseline)?;
    let names = baseline.names();
    let capture = resolve(&spec.capture).map_err(RunError::Store)?;
    let out = resolve(partial_output).map_err(|err| ShardError::Store {
        object: partial_output.display().to_string(),
        err,
    })?;
    let (files, window) = profile_stage(&capture, &names, spec, |n| shard.range(n))?;
    let range = shard.range(files.len());
    let partial = Partial {
        format: PARTIAL_FORMAT,
        endpoint: spec.endpoint.clone(),
        variant: spec.variant.clone(),
        start_ms: spec.start_ms,
        end_ms: spec.end_ms,
        shard: shard.index,
        shards: shard.count,
        shard_objects: files.get(range.clone()).unwrap_or_default().to_vec(),
        range: (range.start, range.end),
        window,
    };
    let name = shard.file_name();
    let uri = out.uri(&name);
    let bytes = serde_json::to_vec(&partial).map_err(|e| ShardError::Parse {
        object: uri.clone(),
        msg: e.to_string(),
    })?;
    out.put(&name, &bytes).map_err(|err| ShardError::Store {
        object: uri.clone(),
        err,
    })?;
    Ok((partial, uri))
}

/// Parses `partial-I-of-N.json` (the last segment of a key).
fn parse_name(key: &str) -> Option<Shard> {
    let name = key.rsplit('/').next()?;
    let rest = name.strip_prefix("partial-")?.strip_suffix(".json")?;
    let (i, n) = rest.split_once("-of-")?;
    Shard::parse(&format!("{i}/{n}"))
}

/// Reads every partial under `partials`, checks that they form the complete set `0..N` of
/// `spec`'s window, and merges them in shard order (not yet finished).
pub fn read_partials(spec: &RunSpec, partials: &Path) -> Result<ProfiledWindow, ShardError> {
    let location = partials.display().to_string();
    let loc = resolve(partials).map_err(|err| ShardError::Store {
        object: location.clone(),
        err,
    })?;
    let keys = loc.store.list(&loc.base).map_err(|err| ShardError::Store {
        object: location.clone(),
        err,
    })?;
    let mut found: BTreeMap<usize, (String, Shard)> = BTreeMap::new();
    let mut counts = BTreeMap::<usize, Vec<String>>::new();
    for key in keys {
        let Some(s) = parse_name(&key) else { continue };
        let uri = loc.store.uri(&key);
        counts.entry(s.count).or_default().push(uri.clone());
        found.insert(s.index, (key, s));
    }
    if counts.len() > 1 {
        let sets: Vec<String> = counts
            .iter()
            .map(|(n, v)| format!("{} of {n}", v.len()))
            .collect();
        return Err(ShardError::Incomplete {
            location,
            msg: format!("partials of different shard counts ({})", sets.join(", ")),
        });
    }
    let Some((&n, _)) = counts.iter().next() else {
        return Err(ShardError::Incomplete {
            location,
            msg: "no partial-I-of-N.json file".into(),
        });
    };
    let missing: Vec<String> = (0..n)
        .filter(|i| !found.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(ShardError::Incomplete {
            location,
            msg: format!(
                "{} of {n} shards present, missing shard {}",
                found.len(),
                missing.join(", ")
            ),
        });
    }
    let mut merged: Option<ProfiledWindow> = None;
    let mut next_object = 0usize;
    for (i, (key, _)) in &found {
        let object = loc.store.uri(key);
        let bytes = loc.store.get(key).map_err(|err| ShardError::Store {
            object: object.clone(),
            err,
        })?;
        let p: Partial = serde_json::from_slice(&bytes).map_err(|e| ShardError::Parse {
            object: object.clone(),
            msg: e.to_string(),
        })?;
        let mismatch = |msg: String| ShardError::Mismatch {
            object: object.clone(),
            msg,
        };
        if p.format != PARTIAL_FORMAT {
            return Err(mismatch(format!(
                "format {}, this driftmon reads {PARTIAL_FORMAT}",
                p.format
            )));
        }
        if p.shard != *i || p.shards != n {
            return Err(mismatch(format!(
                "holds shard {}/{}, its name says {i}/{n}",
                p.shard, p.shards
            )));
        }
        if p.endpoint != spec.endpoint
            || p.variant != spec.variant
            || p.start_ms != spec.start_ms
            || p.end_ms != spec.end_ms
        {
            return Err(mismatch(format!(
                "window {} {:?} {}..{}, the merge asks for {} {:?} {}..{}",
                p.endpoint,
                p.variant,
                format_timestamp_ms(p.start_ms),
                format_timestamp_ms(p.end_ms),
                spec.endpoint,
                spec.variant,
                format_timestamp_ms(spec.start_ms),
                format_timestamp_ms(spec.end_ms)
            )));
        }
        let expect = Shard {
            index: *i,
            count: n,
        }
        .range(p.window.objects);
        if p.range != (next_object, expect.end) || expect.start != next_object {
            return Err(mismatch(format!(
                "covers objects {}..{} of {}, expected {}..{}",
                p.range.0, p.range.1, p.window.objects, next_object, expect.end
            )));
        }
        next_object = expect.end;
        match &mut merged {
            None => merged = Some(p.window),
            Some(m) => {
                if m.objects != p.window.objects
                    || m.variants != p.window.variants
                    || m.hours_without_data != p.window.hours_without_data
                {
                    return Err(mismatch(
                        "lists a different window (objects, variants or hours) than shard 0".into(),
                    ));
                }
                m.profile.merge(&p.window.profile);
            }
        }
    }
    let Some(window) = merged else {
        return Err(ShardError::Incomplete {
            location,
            msg: "no partial".into(),
        });
    };
    if next_object != window.objects {
        return Err(ShardError::Incomplete {
            location,
            msg: format!(
                "the shards cover {next_object} of {} objects",
                window.objects
            ),
        });
    }
    Ok(window)
}

/// `driftmon merge`: reads and merges the partials under `partials` ([`read_partials`]), then
/// finishes, evaluates and writes the outputs to `spec.output` exactly as `driftmon run` does.
pub fn merge_partials(
    spec: &RunSpec,
    partials: &Path,
    metrics: Option<&crate::adapters::metrics::MetricsTarget<'_>>,
    extras: &RunExtras,
) -> Result<(RunOutcome, Option<crate::adapters::metrics::Published>), ShardError> {
    check_window(&spec.window())?;
    load_baseline(&spec.baseline)?;
    resolve(&spec.output).map_err(RunError::Store)?;
    let window = read_partials(spec, partials)?;
    let mut job = Job::from_spec(spec, extras);
    job.monitors[0] = Box::new(DataQuality {
        profiled: Some(window),
        ..DataQuality::new(spec)
    });
    Ok(run_once(&job, metrics)?)
}
