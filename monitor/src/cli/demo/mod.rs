//! `driftmon demo`: a realistic endpoint, with no AWS account and no network.
//!
//! A credit-risk model (`credit-risk`, variant `AllTraffic`) scores applications with five
//! numeric and two categorical features. The demo writes its training data (with the model's
//! score as the first column, as SageMaker expects), suggests a baseline from it, writes 24 hours
//! of data capture in SageMaker's layout in which drift begins at hour 14 (incomes fall by a
//! third and most traffic moves to the mobile channel), runs every hour and prints a verdict
//! table. Hour 03 holds a malformed line and hour 05 a record with a missing column, so the
//! reject accounting is visible too.
//!
//! Labels (ground truth) arrive for every prediction. From hour [`QUALITY_DROP_START`] to
//! [`QUALITY_DROP_END`] the world changes in a way the inputs do not show: defaults stop
//! following the model's score (concept drift). Input drift checks stay clean in those hours;
//! only the model-quality run, joining labels to predictions, reveals the drop.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub mod bias;

use crate::job::{run_once, Job};
use crate::monitors::data_quality::suggest::{suggest, Format};
use crate::monitors::data_quality::{RunExtras, RunSpec};
use crate::monitors::model_quality::{
    suggest_model_quality, Attribute, ModelQualityOptions, ModelQualityRunSpec, SuggestSpec,
};
use driftmon_baseline::capture::{format_timestamp_ms, parse_timestamp_ms};
use driftmon_baseline::files::to_jackson;
use driftmon_baseline::read::HeaderMode;
use driftmon_rules::model_quality::ProblemType;

/// Hour at which the demo's drift begins.
pub const DRIFT_START_HOUR: u32 = 14;
/// First hour whose labels no longer follow the model (concept drift, inputs unchanged).
pub const QUALITY_DROP_START: u32 = 8;
/// Last hour of the quality drop.
pub const QUALITY_DROP_END: u32 = 11;
/// The demo endpoint.
pub const ENDPOINT: &str = "credit-risk";
/// The demo variant.
pub const VARIANT: &str = "AllTraffic";
/// First hour of the demo capture (UTC), as `(year, month, day)`.
pub const DAY: (i32, u32, u32) = (2026, 11, 21);

/// A small deterministic PRNG (the core's SplitMix64): the demo is the same on every machine.
#[derive(Debug, Clone)]
pub struct Rng(driftmon_rules::rng::SplitMix64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(driftmon_rules::rng::SplitMix64::new(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Picks an index with the given weights.
    pub fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i;
            }
            u -= w;
        }
        weights.len() - 1
    }
}

/// Column names of the demo's training data (model output first).
pub const COLUMNS: [&str; 8] = [
    "score",
    "age",
    "income",
    "credit_score",
    "loan_amount",
    "tenure_months",
    "channel",
    "region",
];

const CHANNELS: [&str; 3] = ["web", "mobile", "branch"];
const REGIONS: [&str; 4] = ["north", "south", "east", "west"];

/// One application: the input features as CSV text and the model's score.
#[derive(Debug, Clone)]
pub struct Application {
    /// The input CSV line (7 fields).
    pub input: String,
    /// The model's output (probability of default).
    pub score: f64,
}

/// Draws one application. `drift` moves incomes down by a third and traffic to mobile.
pub fn application(rng: &mut Rng, drift: bool) -> Application {
    let age = (40.0 + 12.0 * rng.normal()).round().clamp(18.0, 90.0) as i64;
    let mut income = (10.9 + 0.5 * rng.normal()).exp();
    if drift {
        income *= 0.66;
    }
    let credit = (680.0 + 60.0 * rng.normal()).round().clamp(300.0, 850.0) as i64;
    let loan = (9.5 + 0.7 * rng.normal()).exp();
    let tenure = (rng.uniform() * 120.0).floor() as i64;
    let channel = if drift {
        CHANNELS[rng.pick(&[0.2, 0.7, 0.1])]
    } else {
        CHANNELS[rng.pick(&[0.5, 0.35, 0.15])]
    };
    let region = REGIONS[rng.pick(&[0.3, 0.25, 0.25, 0.2])];
    let z = -1.0 - 0.8 * ((income.ln() - 10.9) / 0.5) - 1.2 * ((credit as f64 - 680.0) / 60.0)
        + 0.6 * ((loan.ln() - 9.5) / 0.7)
        + 0.3 * rng.normal();
    let score = 1.0 / (1.0 + (-z).exp());
    Application {
        input: format!("{age},{income:.2},{credit},{loan:.2},{tenure},{channel},{region}"),
        score: (score * 1e6).round() / 1e6,
    }
}

/// The true outcome of an application: normally drawn with the model's probability; during the
/// quality drop, defaults happen at a 35% rate whatever the score.
pub fn label(rng: &mut Rng, score: f64, quality_drop: bool) -> u8 {
    let p = if quality_drop { 0.35 } else { score };
    u8::from(rng.uniform() < p)
}

/// Writes the model-quality baseline dataset: the model's score and the true label of `n`
/// held-out applications (`score,label`).
pub fn validation_csv(path: &Path, n: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut s = String::from("score,label\n");
    for _ in 0..n {
        let a = application(&mut rng, false);
        let y = label(&mut rng, a.score, false);
        let _ = writeln!(s, "{},{y}", a.score);
    }
    std::fs::write(path, s)
}

/// Writes the demo's training CSV (with header) of `n` rows.
pub fn training_csv(path: &Path, n: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut s = String::with_capacity(n * 64);
    s.push_str(&COLUMNS.join(","));
    s.push('\n');
    for _ in 0..n {
        let a = application(&mut rng, false);
        let _ = writeln!(s, "{},{}", a.score, a.input);
    }
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    std::fs::write(path, s)
}

/// One SageMaker capture line for an application (CSV encoding, output captured).
pub fn capture_line(a: &Application, event_id: &str, time: &str) -> String {
    serde_json::json!({
        "captureData": {
            "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": a.input, "encoding": "CSV"},
            "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT", "data": a.score.to_string(), "encoding": "CSV"}
        },
        "eventMetadata": {"eventId": event_id, "inferenceTime": time},
        "eventVersion": "0"
    })
    .to_string()
}

/// Writes 24 hours of capture under `capture/<endpoint>/<variant>/YYYY/MM/DD/HH/`, `per_hour`
/// records an hour, drift from [`DRIFT_START_HOUR`], and their labels under
/// `ground_truth/YYYY/MM/DD/HH/` (same hour, joined by `eventId`).
pub fn write_capture(
    capture: &Path,
    ground_truth: &Path,
    per_hour: usize,
    seed: u64,
) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut lrng = Rng::new(seed ^ 0x5eed);
    let (y, m, d) = DAY;
    for hour in 0..24u32 {
        let dir = capture
            .join(ENDPOINT)
            .join(VARIANT)
            .join(format!("{y:04}"))
            .join(format!("{m:02}"))
            .join(format!("{d:02}"))
            .join(format!("{hour:02}"));
        std::fs::create_dir_all(&dir)?;
        let drift = hour >= DRIFT_START_HOUR;
        let quality_drop = (QUALITY_DROP_START..=QUALITY_DROP_END).contains(&hour);
        let mut s = String::with_capacity(per_hour * 400);
        let mut labels = String::with_capacity(per_hour * 120);
        for i in 0..per_hour {
            let a = application(&mut rng, drift);
            let secs = (i * 3600 / per_hour.max(1)) as u32;
            let time = format!(
                "{y:04}-{m:02}-{d:02}T{hour:02}:{:02}:{:02}Z",
                secs / 60,
                secs % 60
            );
            let id = format!("{:08x}-{hour:02}-{i:06}", rng.next_u64() as u32);
            let y = label(&mut lrng, a.score, quality_drop);
            let _ = writeln!(
                labels,
                "{}",
                serde_json::json!({
                    "groundTruthData": {"data": y.to_string(), "encoding": "CSV"},
                    "eventMetadata": {"eventId": id},
                    "eventVersion": "0"
                })
            );
            let mut line = capture_line(&a, &id, &time);
            if hour == 3 && i == 7 {
                line.truncate(line.len() / 2); // a malformed (truncated) line
            }
            if hour == 5 && i == 11 {
                let short = Application {
                    input: a
                        .input
                        .rsplit_once(',')
                        .map(|x| x.0.to_owned())
                        .unwrap_or_default(),
                    score: a.score,
                };
                line = capture_line(&short, &id, &time); // a record missing its last column
            }
            s.push_str(&line);
            s.push('\n');
        }
        std::fs::write(dir.join(format!("00-00-000-demo-{hour:02}.jsonl")), s)?;
        let gdir = ground_truth
            .join(format!("{y:04}"))
            .join(format!("{m:02}"))
            .join(format!("{d:02}"))
            .join(format!("{hour:02}"));
        std::fs::create_dir_all(&gdir)?;
        std::fs::write(gdir.join("labels.jsonl"), labels)?;
    }
    Ok(())
}

/// Training rows the demo baselines on.
pub const TRAINING_ROWS: usize = 5000;
/// Capture records per hour.
pub const RECORDS_PER_HOUR: usize = 600;

/// Rows of the model-quality baseline (held-out applications with labels).
pub const VALIDATION_ROWS: usize = 3000;

/// How much the demo loosens the suggested model-quality thresholds (AWS suggests the baseline
/// value itself, which fires on every other window; its docs advise editing them).
pub const MQ_TOLERANCE: f64 = 0.15;

fn loosen(c: &mut driftmon_baseline::files::Constraints) {
    for section in [
        c.binary_classification_constraints.as_mut(),
        c.multiclass_classification_constraints.as_mut(),
        c.regression_constraints.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        for (_, mc) in section.0.iter_mut() {
            if mc.comparison_operator.starts_with("Less") {
                mc.threshold *= 1.0 - MQ_TOLERANCE;
            } else {
                mc.threshold = mc.threshold * (1.0 + MQ_TOLERANCE) + 0.05;
            }
        }
    }
}

/// Where the demo writes its inputs and baselines (under the demo folder).
struct DemoFiles {
    training: PathBuf,
    validation: PathBuf,
    baseline: PathBuf,
    baseline_mq: PathBuf,
    capture: PathBuf,
    ground_truth: PathBuf,
}

impl DemoFiles {
    /// The demo's layout under `dir`.
    fn new(dir: &Path) -> Self {
        DemoFiles {
            training: dir.join("training.csv"),
            validation: dir.join("validation.csv"),
            baseline: dir.join("baseline"),
            baseline_mq: dir.join("baseline-model-quality"),
            capture: dir.join("capture"),
            ground_truth: dir.join("ground-truth"),
        }
    }
}

/// One line of the verdict table.
#[derive(Default)]
struct Verdict {
    rows: u64,
    rej: u64,
    dq: String,
    drifted: String,
    acc: String,
    auc: String,
    mqs: String,
}

/// Runs the whole demo into `dir` and prints the verdict table.
pub fn run_demo(dir: &Path) -> anyhow::Result<()> {
    let files = DemoFiles::new(dir);
    let options = prepare(dir, &files)?;
    println!(
        "{:<6} {:>5} {:>4}  {:<24} {:<40} {:>8} {:>6}  model quality",
        "hour", "rows", "rej", "data quality", "drifted features (PSI)", "accuracy", "auc",
    );
    let (y, m, d) = DAY;
    let day0 = parse_timestamp_ms(&format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
        .ok_or_else(|| anyhow::anyhow!("bad demo day"))?;
    for hour in 0..24i64 {
        let start = day0 + hour * 3_600_000;
        let label = format_timestamp_ms(start)[11..16].to_owned();
        let job = hour_job(dir, &files, &options, hour, start);
        let Verdict {
            rows,
            rej,
            dq,
            drifted,
            acc,
            auc,
            mqs,
        } = match run_once(&job, None) {
            Ok((o, _)) => verdict(&o.drift_report),
            Err(e) => Verdict {
                rows: 0,
                rej: 0,
                dq: format!("Failed: {e}"),
                drifted: String::new(),
                acc: "-".into(),
                auc: "-".into(),
                mqs: "-".into(),
            },
        };
        println!("{label:<6} {rows:>5} {rej:>4}  {dq:<24} {drifted:<40} {acc:>8} {auc:>6}  {mqs}");
    }
    println!(
        "\nEach hour's outputs are in {0}/runs/HH/: constraint_violations.json (data quality), statistics.json, model_quality/statistics.json and model_quality/constraint_violations.json (model quality), drift_report.json and report.html (open {0}/runs/14/report.html).",
        dir.display()
    );
    bias::run_bias_demo(dir)
}

/// Step 1 of [`run_demo`]: writes training, validation, capture and label data, suggests both
/// baselines (model-quality thresholds loosened) and prints what it made; returns the
/// model-quality options of the runs.
fn prepare(dir: &Path, f: &DemoFiles) -> anyhow::Result<ModelQualityOptions> {
    training_csv(&f.training, TRAINING_ROWS, 7)?;
    validation_csv(&f.validation, VALIDATION_ROWS, 13)?;
    let _ = std::fs::remove_dir_all(&f.capture);
    let _ = std::fs::remove_dir_all(&f.ground_truth);
    let _ = std::fs::remove_dir_all(dir.join("runs"));
    write_capture(&f.capture, &f.ground_truth, RECORDS_PER_HOUR, 11)?;
    let b = suggest(&f.training, Format::Csv, HeaderMode::Present, &f.baseline)?;
    let mut options = ModelQualityOptions::new(ProblemType::BinaryClassification, None);
    options.probability_attribute = Some(Attribute::Name("score".into()));
    options.probability_threshold = Some(0.5);
    let mq = suggest_model_quality(&SuggestSpec {
        input: f.validation.clone(),
        format: Format::Csv,
        header: HeaderMode::Present,
        output: f.baseline_mq.clone(),
        options: options.clone(),
        ground_truth_attribute: Attribute::Name("label".into()),
    })?;
    let mut cons = mq.constraints.clone();
    loosen(&mut cons);
    crate::adapters::atomic::write_atomic(
        &f.baseline_mq,
        "constraints.json",
        to_jackson(&cons)?.as_bytes(),
    )?;
    println!(
        "driftmon demo in {}\n  training data:  {} ({} rows) -> data-quality baseline {}\n  labelled data:  {} ({} rows) -> model-quality baseline {}\n  capture:        {}/{ENDPOINT}/{VARIANT}/… (24 hours, {RECORDS_PER_HOUR} records an hour)\n  ground truth:   {}/YYYY/MM/DD/HH/labels.jsonl\n  input drift from hour {DRIFT_START_HOUR:02}; labels stop following the model in hours {QUALITY_DROP_START:02}-{QUALITY_DROP_END:02} (inputs unchanged)\n",
        dir.display(),
        f.training.display(),
        b.summary.rows,
        f.baseline.display(),
        f.validation.display(),
        mq.rows,
        f.baseline_mq.display(),
        f.capture.display(),
        f.ground_truth.display(),
    );
    Ok(options)
}

/// Step 2 of [`run_demo`]: the data- and model-quality job of the hour starting at `start`
/// (its labels arrive within the next hour; the earlier hours are its history).
fn hour_job(
    dir: &Path,
    f: &DemoFiles,
    options: &ModelQualityOptions,
    hour: i64,
    start: i64,
) -> Job {
    let end = start + 3_600_000;
    let spec = RunSpec {
        capture: f.capture.clone(),
        endpoint: ENDPOINT.into(),
        variant: Some(VARIANT.into()),
        baseline: f.baseline.clone(),
        output: dir.join("runs").join(format!("{hour:02}")),
        start_ms: start,
        end_ms: end,
        drift: Default::default(),
        extract: Default::default(),
        workers: 0,
    };
    let mut mq_spec = ModelQualityRunSpec::new(
        f.capture.clone(),
        ENDPOINT.into(),
        (start, end),
        f.ground_truth.clone(),
        (start, end + 3_600_000),
        ModelQualityOptions {
            probability_attribute: Some(Attribute::Index(0)),
            ..options.clone()
        },
    );
    mq_spec.variant = Some(VARIANT.into());
    mq_spec.baseline = Some(f.baseline_mq.clone());
    let extras = RunExtras {
        model_quality: Some(mq_spec),
        history: (0..hour)
            .map(|h| dir.join("runs").join(format!("{h:02}")))
            .collect(),
    };
    Job::from_spec(&spec, &extras)
}

/// Step 3 of [`run_demo`]: an hour's verdict from its `drift_report.json`.
fn verdict(r: &Option<driftmon_rules::report::DriftReport>) -> Verdict {
    let Some(r) = r else {
        return Verdict::default();
    };
    let mut drifted = Vec::new();
    let mut dq_violations = 0;
    for f in &r.features {
        let n = f.violated_checks().count();
        dq_violations += n;
        if n > 0 {
            let psi = f
                .drift
                .as_ref()
                .map(|d| d.psi.value)
                .filter(|p| p.is_finite())
                .map(|p| format!(" ({p:.2})"))
                .unwrap_or_default();
            drifted.push(format!("{}{psi}", f.name));
        }
    }
    let mq = r.model_quality.as_ref();
    let metric = |k: &str| {
        mq.and_then(|m| m.metrics.as_ref())
            .and_then(|m| m.get(k))
            .map(|x| format!("{x:.3}"))
            .unwrap_or_else(|| "-".into())
    };
    let n = mq.map_or(0, |m| m.violations);
    let mq_status = mq.map_or("-", |m| m.status.as_str());
    let dq_status = if dq_violations > 0 {
        format!("violations ({dq_violations})")
    } else {
        "clean".to_owned()
    };
    Verdict {
        rows: r.records.rows_profiled,
        rej: r.records.rejected,
        dq: dq_status,
        drifted: if drifted.is_empty() {
            "-".to_owned()
        } else {
            drifted.join(", ")
        },
        acc: metric("accuracy"),
        auc: metric("auc"),
        mqs: if n > 0 {
            format!("{mq_status} ({n})")
        } else {
            mq_status.to_owned()
        },
    }
}
