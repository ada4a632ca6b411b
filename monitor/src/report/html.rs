//! `report.html`: one monitoring execution's `drift_report.json` as a single self-contained HTML
//! page that an on-call engineer can read at 3 a.m., on a laptop or a phone.
//!
//! The page has inline CSS and inline SVG only: no script, no font, no image and no link leaves
//! the file, so it can be mailed, attached to a ticket or opened from S3 as it is. From top to
//! bottom it shows:
//!
//! 1. the SageMaker status, the number of violations and every violation (feature, check,
//!    description), most severe feature first;
//! 2. the features ranked by drift severity (defined below);
//! 3. the data read: the window, the inputs (endpoint, variants, number of capture objects, and
//!    each object when the report lists them under `inputs`), records read, outside the window
//!    and rejected (by kind, with example locations), and hours without data (rejects and
//!    missing hours are also flagged in the status banner);
//! 4. model-quality metrics against their baseline, when the report has a `model_quality`
//!    object (rendered generically: metric, value, baseline threshold, operator, verdict);
//! 5. one section per feature, most severe first: the baseline and current distributions
//!    overlaid (numeric features: the PSI bins as shares of rows, baseline as outlined bars and
//!    current as solid bars, the open-ended outer bins and the missing bin labelled; string
//!    features: paired bars per category, `<unseen>` categories marked with ⚠ and their own
//!    colour), then each score (PSI, KS, chi-square / Cramér's V, SageMaker's L∞) with its
//!    threshold, its verdict and a sparkline of its recent history with the threshold line;
//! 6. the thresholds the run used.
//!
//! Features whose severity is below 0.5 (no failed check, every score under its threshold) are
//! collapsed (`<details>`) so that the drifted ones stand out; one tap opens them. Likewise the
//! violations and ranking tables show their first 10 features and fold the others, so that a
//! report of hundreds of features still starts with what matters. Everything stays in the file.
//! Sparklines draw p-values (SageMaker's chi-squared method) as −log10 p, so that up always
//! means more drift.
//!
//! # Severity
//!
//! Each feature gets
//!
//! ```text
//! severity = V + r / (1 + r)
//! ```
//!
//! where `V` is the number of the feature's checks with status `violation` (any check: data
//! type, completeness, categorical values, L∞, PSI, KS, chi-square) and `r` is the largest
//! ratio of a drift score to its threshold among the scores that were not skipped:
//! `psi / psi_threshold`, `ks_statistic / ks_threshold`, `cramers_v / cramers_v_threshold` and
//! `linf_distance / linf_threshold`; for SageMaker's chi-squared goodness-of-fit method, whose
//! threshold is on a p-value (drift when `p < threshold`), `r = ln p / ln threshold`. Features
//! are ranked by severity, highest first (ties by name).
//!
//! The integer part is the number of violated checks; the fraction `r / (1 + r)` is in `[0, 1)`,
//! equals 0.5 when the worst score is exactly at its threshold and grows towards 1 as it moves
//! past it (0.67 at twice the threshold, 0.8 at four times). So `3.72` reads "three violated
//! checks, worst score 2.6 times its threshold", and a fraction of .50 or more without a
//! violation means a score is over its threshold without being significant. Verdicts always
//! dominate: one more violated check outranks any distance.
//!
//! # Accessibility
//!
//! Every SVG has `role="img"` and a `<title>` (referenced by `aria-labelledby`) that states the
//! numbers it draws. Verdicts are words with symbols (✓ ok, ✗ drift, – skipped), never colour
//! alone; colours meet WCAG AA contrast on their backgrounds, in light and dark mode. Tables
//! have header cells; below 640 px wide their rows stack so that nothing scrolls sideways. All
//! text taken from the report is HTML-escaped.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use driftmon_rules::model_quality::Operator;
use driftmon_rules::report::{
    BinsRecord, CategoriesRecord, CheckRecord, CheckStatus, DriftReport, FeatureReport, Measure,
    MetricCheckRecord, ModelQualitySection, ScoreKind,
};

/// At most this many earlier runs (the most recent) are drawn in each sparkline.
pub const MAX_HISTORY: usize = 48;

/// Categories drawn one by one at most; the rest are summed into one "other" row.
const MAX_CATEGORIES: usize = 20;

/// Rows of the violations and ranking tables shown before a "show the others" fold.
const TOP_ROWS: usize = 10;

/// The gap before a histogram's missing bin, in bin widths.
const MISSING_GAP: f64 = 0.8;

macro_rules! w {
    ($dst:expr, $($arg:tt)*) => {{
        let _ = write!($dst, $($arg)*);
    }};
}

/// Reads the `drift_report.json` of earlier runs, in the order given (pass them oldest first).
/// Each entry is a run's output folder (or the report file itself); folders without a readable,
/// parseable report are skipped.
pub fn load_history(output_dirs: &[PathBuf]) -> Vec<DriftReport> {
    output_dirs
        .iter()
        .filter_map(|d| {
            let p = if d.is_file() {
                d.clone()
            } else {
                d.join("drift_report.json")
            };
            let bytes = std::fs::read(p).ok()?;
            DriftReport::from_json(&bytes).ok()
        })
        .collect()
}

/// The drift severity of one entry of a report's `features` array: the number of violated
/// checks plus `r / (1 + r)`, where `r` is the largest ratio of a drift score to its threshold
/// (see the module documentation).
pub fn severity(feature: &FeatureReport) -> f64 {
    let v = violated_checks(feature).count() as f64;
    let r = worst_ratio(feature).map(|(_, r)| r).unwrap_or(0.0);
    v + r / (1.0 + r)
}

/// Renders a `drift_report.json` as one self-contained HTML page. `history` holds earlier runs'
/// reports, oldest first (see [`load_history`]); entries with the same endpoint and window as
/// `report` are ignored, and only the last [`MAX_HISTORY`] are drawn.
pub fn render(report: &DriftReport, history: &[DriftReport]) -> String {
    render_with_inputs(report, history, &[])
}

/// [`render`], with the capture objects the run read listed under "Data read" (the report
/// itself only counts them).
pub fn render_with_inputs(
    report: &DriftReport,
    history: &[DriftReport],
    inputs: &[String],
) -> String {
    let hist: Vec<&DriftReport> = history
        .iter()
        .filter(|h| !(h.window == report.window && h.endpoint == report.endpoint))
        .collect();
    let hist = &hist[hist.len().saturating_sub(MAX_HISTORY)..];
    let hist_index: Vec<HashMap<&str, &FeatureReport>> = hist
        .iter()
        .map(|h| h.features.iter().map(|f| (f.name.as_str(), f)).collect())
        .collect();
    let mut features: Vec<(f64, &FeatureReport)> =
        report.features.iter().map(|f| (severity(f), f)).collect();
    features.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let mut r = Renderer {
        out: String::with_capacity(16_384 + features.len() * 8_192),
        ids: 0,
        hist,
        hist_index,
        inputs,
    };
    r.page(report, &features);
    r.out
}

// ---------------------------------------------------------------------------------------------
// Reading the report

/// A finite number, else `None` (the report writes non-finite numbers as `null`).
fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A count as the report's numbers read (`0`, `1,234`).
fn fmt_count(n: u64) -> String {
    fmt_num(n as f64)
}

fn violated_checks(f: &FeatureReport) -> impl Iterator<Item = &CheckRecord> {
    f.violated_checks()
}

fn check_status(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Pass => "pass",
        CheckStatus::Violation => "violation",
        CheckStatus::Skipped => "skipped",
    }
}

/// The value of the score under `key` (`psi`, `ks_statistic`, …) of a feature, if finite.
fn score_value(f: &FeatureReport, key: &str) -> Option<f64> {
    f.scores()
        .into_iter()
        .find(|s| s.key == key)
        .and_then(|s| fin(s.value))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Drift when the value exceeds the threshold.
    Distance,
    /// Drift when the p-value is below the threshold.
    PValue,
}

/// When a value is on the wrong side of its threshold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    fn from_operator(op: Operator) -> Cmp {
        match op {
            Operator::GreaterThanThreshold => Cmp::Gt,
            Operator::GreaterThanOrEqualToThreshold => Cmp::Ge,
            Operator::LessThanThreshold => Cmp::Lt,
            Operator::LessThanOrEqualToThreshold => Cmp::Le,
        }
    }

    fn holds(self, v: f64, t: f64) -> bool {
        match self {
            Cmp::Gt => v > t,
            Cmp::Ge => v >= t,
            Cmp::Lt => v < t,
            Cmp::Le => v <= t,
        }
    }

    fn is_gt(self) -> bool {
        matches!(self, Cmp::Gt | Cmp::Ge)
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => "≥",
            Cmp::Lt => "<",
            Cmp::Le => "≤",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Cmp::Gt => "over",
            Cmp::Ge => "at or over",
            Cmp::Lt => "under",
            Cmp::Le => "at or under",
        }
    }
}

/// One drift score of a feature.
struct Score {
    /// Short name for tables and sparklines.
    name: &'static str,
    /// What it is, one line.
    what: String,
    /// The report key of the value (for history).
    key: &'static str,
    value: Option<f64>,
    threshold: Option<f64>,
    verdict: &'static str,
    kind: Kind,
    /// HTML: secondary numbers (p-values).
    detail: String,
    /// HTML: the rule, next to the threshold.
    rule: String,
}

impl Score {
    fn ratio(&self) -> Option<f64> {
        let (v, t) = (self.value?, self.threshold?);
        let r = match self.kind {
            Kind::Distance if t > 0.0 => v / t,
            Kind::PValue if t > 0.0 && t < 1.0 => v.max(1e-300).ln() / t.ln(),
            _ => return None,
        };
        r.is_finite().then_some(r.max(0.0))
    }
}

fn scores(f: &FeatureReport) -> Vec<Score> {
    let alpha = fin(f.alpha);
    let sig = |adj: Option<f64>| -> String {
        match (adj, alpha) {
            (Some(_), Some(a)) => format!(
                "<span class=\"sub\">and adj. p&nbsp;&lt;&nbsp;{}</span>",
                fmt_num(a)
            ),
            _ => String::new(),
        }
    };
    let mut out: Vec<Score> = f
        .scores()
        .into_iter()
        .map(|s| {
            let adj = s.p_value_adjusted.and_then(fin);
            let mut detail = Vec::new();
            if let Some(p) = s.p_value.and_then(fin) {
                detail.push(format!("p {}", fmt_p(p)));
            }
            if let Some(c) = s.chi_squared.and_then(|(c, _)| fin(c)) {
                let df = s
                    .chi_squared
                    .and_then(|(_, d)| fin(d))
                    .map(|d| format!(", df {}", fmt_num(d)))
                    .unwrap_or_default();
                detail.push(format!("χ² {}{df}", fmt_num(c)));
            }
            if let Some(p) = adj {
                detail.push(format!("adj. p {}", fmt_p(p)));
            }
            let (name, what, rule) = match s.measure {
                Measure::Psi => ("PSI", "population stability".into(), sig(adj)),
                Measure::Ks => ("KS", "Kolmogorov–Smirnov D".into(), sig(adj)),
                Measure::ChiSquared => ("χ²", "Cramér's V of the χ² test".into(), sig(adj)),
                Measure::Linf => (
                    "L∞",
                    match s.method.filter(|m| !m.is_empty()) {
                        Some(m) => format!("SageMaker, {}", esc(m)),
                        None => "SageMaker's check".into(),
                    },
                    String::new(),
                ),
            };
            Score {
                name,
                what,
                key: s.key,
                value: fin(s.value),
                threshold: fin(s.threshold),
                verdict: s.verdict.as_str(),
                kind: match s.kind {
                    ScoreKind::Distance => Kind::Distance,
                    ScoreKind::PValue => Kind::PValue,
                },
                detail: detail.join(" · "),
                rule,
            }
        })
        .collect();
    // SageMaker's check has a verdict even without a score (e.g. an absent feature).
    if f.linf.is_none() {
        out.push(Score {
            name: "L∞",
            what: "SageMaker's check".into(),
            key: "linf_distance",
            value: None,
            threshold: None,
            verdict: f.linf_verdict.as_str(),
            kind: Kind::Distance,
            detail: String::new(),
            rule: String::new(),
        });
    }
    out
}

/// The worst (largest) score-to-threshold ratio among the scores that were not skipped.
fn worst_ratio(f: &FeatureReport) -> Option<(&'static str, f64)> {
    scores(f)
        .iter()
        .filter(|s| s.verdict != "skipped")
        .filter_map(|s| Some((s.name, s.ratio()?.min(1e12))))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    Bad,
    Skip,
    Unknown,
}

fn verdict_of(s: &str) -> Verdict {
    match s.to_ascii_lowercase().as_str() {
        "ok" | "pass" | "passed" | "completed" => Verdict::Ok,
        "drift" | "violation" | "violated" | "fail" | "failed" | "breach" => Verdict::Bad,
        "skipped" | "skip" => Verdict::Skip,
        _ => Verdict::Unknown,
    }
}

/// A verdict as a word with a symbol (never colour alone).
fn badge(s: &str) -> String {
    let (class, sym, word) = match verdict_of(s) {
        Verdict::Ok => ("ok", "✓", if s.is_empty() { "ok" } else { s }),
        Verdict::Bad => ("bad", "✗", s),
        Verdict::Skip => ("skip", "–", s),
        Verdict::Unknown if s.is_empty() => ("skip", "?", "no verdict"),
        Verdict::Unknown => ("skip", "?", s),
    };
    format!("<span class=\"v {class}\">{sym}&nbsp;{}</span>", esc(word))
}

// ---------------------------------------------------------------------------------------------
// Formatting

/// HTML-escapes text for element content and attribute values.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut o: String = s.chars().take(max.saturating_sub(1)).collect();
        o.push('…');
        o
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

fn group_thousands(int: &str) -> String {
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut o = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            o.push(',');
        }
        o.push(c);
    }
    format!("{sign}{o}")
}

/// `sig` significant digits, thousands grouped, scientific for tiny or huge values.
fn fmt_sig(x: f64, sig: i32) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "n/a".into()
        } else if x > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    let a = x.abs();
    if a == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e9).contains(&a) {
        let t = format!("{:.*e}", (sig - 2).max(1) as usize, x);
        return match t.split_once('e') {
            Some((m, e)) => format!("{}e{e}", trim_zeros(m.to_owned())),
            None => t,
        };
    }
    let decimals = (sig - 1 - a.log10().floor() as i32).max(0) as usize;
    let s = trim_zeros(format!("{x:.decimals$}"));
    match s.split_once('.') {
        Some((i, d)) => format!("{}.{d}", group_thousands(i)),
        None => group_thousands(&s),
    }
}

fn fmt_num(x: f64) -> String {
    fmt_sig(x, 4)
}

/// p-values: two significant digits in scientific notation below 0.001.
fn fmt_p(p: f64) -> String {
    if p.is_finite() && p > 0.0 && p < 1e-3 {
        format!("{p:.1e}")
    } else {
        fmt_sig(p, 3)
    }
}

/// A number, or a dash for none or a non-finite one.
fn fmt_opt(x: Option<f64>) -> String {
    x.and_then(fin).map_or_else(|| "—".into(), fmt_num)
}

/// The constraint check of `metric`, if the section has one.
fn mq_check<'m>(mq: &'m ModelQualitySection, metric: &str) -> Option<&'m MetricCheckRecord> {
    mq.checks.iter().flatten().find(|c| c.metric == metric)
}

fn fmt_pct(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

/// Short axis labels: 28.9k, 1.2M.
fn fmt_compact(x: f64, sig: i32) -> String {
    let a = x.abs();
    let (v, suffix) = if a >= 1e9 {
        (x / 1e9, "G")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e4 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let s = fmt_sig(v, sig).replace(',', "");
    format!("{s}{suffix}")
}

fn times(r: f64) -> String {
    if r >= 100.0 {
        format!("{}×", fmt_sig(r, 3))
    } else {
        format!("{r:.2}×")
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

const CSS: &str = r#"
:root{--bg:#fff;--fg:#111827;--mut:#4b5563;--line:#d1d5db;--card:#f3f4f6;--bad:#b91c1c;--badbg:#fef2f2;--ok:#166534;--okbg:#f0fdf4;--warn:#8a3c00;--warnbg:#fffbeb;--cur:#1d4ed8;--base:#111827;--un:#b45309;--link:#1d4ed8}
@media (prefers-color-scheme:dark){:root{--bg:#0f172a;--fg:#e5e7eb;--mut:#a3acb9;--line:#3b4556;--card:#1e293b;--bad:#fca5a5;--badbg:#3f1010;--ok:#86efac;--okbg:#0b3320;--warn:#fcd34d;--warnbg:#3a2a05;--cur:#60a5fa;--base:#f3f4f6;--un:#fbbf24;--link:#93c5fd}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif}
main,header.top{max-width:1120px;margin:0 auto;padding:0 14px}
header.top{padding-top:14px}
a{color:var(--link)}
h1{font-size:1.45rem;margin:.2rem 0;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid var(--line)}
h3{font-size:1.08rem;margin:1rem 0 .3rem;overflow-wrap:anywhere}
summary h3{display:inline;margin:0}
p{margin:.35rem 0}
small,.mut{color:var(--mut)}
code{font:.85em/1.3 ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
.kicker{margin:0;color:var(--mut);font-size:.9rem;text-transform:uppercase;letter-spacing:.04em}
.banner{margin:.7rem 0 0;padding:.7rem 1rem;border-left:8px solid;border-radius:6px}
.banner.bad{background:var(--badbg);border-color:var(--bad)}
.banner.ok{background:var(--okbg);border-color:var(--ok)}
.banner.skip{background:var(--warnbg);border-color:var(--warn)}
.banner .st{font-size:1.3rem;font-weight:800;margin:0;overflow-wrap:anywhere}
.banner.bad .st{color:var(--bad)}.banner.ok .st{color:var(--ok)}.banner.skip .st{color:var(--warn)}
.v{font-weight:700;white-space:nowrap}
.v.bad{color:var(--bad)}.v.ok{color:var(--ok)}.v.skip{color:var(--warn)}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{text-align:left;padding:5px 7px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:break-word}
th{font-weight:700;background:var(--card)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.kv th{width:45%;background:none;font-weight:600}
.dg{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:.5rem 0}
.dg div{background:var(--card);border-radius:6px;padding:6px 10px;border-left:5px solid var(--line)}
.dg div.warn{background:var(--warnbg);border-left-color:var(--warn)}
.dg div.bad{background:var(--badbg);border-left-color:var(--bad)}
.dg .full{grid-column:1/-1}
.dg dt{font-size:.82rem;color:var(--mut)}
.dg dd{margin:0;font-weight:700;font-size:1.05rem;overflow-wrap:anywhere}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
details.feat{border:1px solid var(--line);border-left:8px solid var(--line);border-radius:6px;margin:.8rem 0;padding:.5rem .8rem}
details.feat.bad{border-left-color:var(--bad)}
details.feat.skip{border-left-color:var(--warn)}
details.feat>summary{cursor:pointer;padding:.15rem 0}
details.more>summary{cursor:pointer;padding:.4rem 0;font-weight:600;color:var(--link)}
.sev{font-weight:600;color:var(--mut);white-space:nowrap}
.facts{color:var(--mut);font-size:.92rem}
.cols{display:grid;grid-template-columns:minmax(0,1fr);gap:.4rem 1.4rem;margin-top:.4rem;content-visibility:auto;contain-intrinsic-size:auto 420px}
@media (min-width:900px){.cols{grid-template-columns:minmax(0,5fr) minmax(0,7fr)}}
figure{margin:0}
figcaption{font-weight:600;font-size:.92rem}
.legend{font-size:.85rem;margin:.1rem 0}
.sw{display:inline-block;width:16px;height:11px;margin:0 5px 0 0;vertical-align:-1px}
.sw.c{background:var(--cur)}.sw.b{border:2px solid var(--base)}.sw.u{background:var(--un)}
.legend span+span{margin-left:12px}
svg{display:block;width:100%;height:auto;max-width:560px}
svg text{fill:var(--fg);font-size:12px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,"DejaVu Sans",sans-serif}
svg .sm{font-size:11px;fill:var(--mut)}
svg .un{fill:var(--un);font-weight:700}
.g{stroke:var(--line);stroke-width:1;fill:none}
.yl text,.xl text,svg .r{text-anchor:end}
.c{fill:var(--cur)}
.b{fill:none;stroke:var(--base);stroke-width:2}
.u{fill:var(--un)}
.mb{fill:var(--card)}
.t{stroke:var(--bad);stroke-width:2.4;stroke-dasharray:8 6;fill:none}
.sl{fill:none;stroke:var(--cur);stroke-width:3.2;stroke-linejoin:round}
.pb{fill:var(--bad)}.po{fill:var(--cur)}
svg.spark{width:120px;max-width:120px;height:32px}
.note{font-size:.88rem}
.sub{display:block;font-size:.82rem;font-weight:400;color:var(--mut)}
thead th{white-space:nowrap}
.nw{white-space:nowrap}
ul.vl{margin:0;padding-left:1.1rem}
ul.vl li{margin:.1rem 0}
@media (max-width:640px){
 body{font-size:15px}
 table.st thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%)}
 table.st tr{display:block;border-bottom:1px solid var(--line);padding:4px 0}
 table.st td,table.st th{display:block;border:0;padding:2px 4px;background:none;text-align:left;overflow-wrap:anywhere}
 td,th{overflow-wrap:anywhere}
 table.st td[data-l]::before,table.sc td::before{content:attr(data-l) ": ";color:var(--mut);font-weight:600}
 table.sc td:nth-child(2)::before{content:"Value: "}
 table.sc td:nth-child(3)::before{content:"Drift when: "}
 table.sc td:nth-child(4)::before{content:"Verdict: "}
 table.sc td:nth-child(5)::before{content:"History: "}
 details.feat{padding:.4rem .55rem}
 .wide{display:none}
 table.rk thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%)}
 table.rk tr{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 10px;border-bottom:1px solid var(--line);padding:5px 2px}
 table.rk td{display:block;border:0;padding:0}
 table.rk td:nth-child(1){flex:1 1 50%;order:1}
 table.rk td:nth-child(2){order:2}
 table.rk td:nth-child(2)::before{content:"severity ";color:var(--mut)}
 table.rk td:nth-child(4){order:3}
 table.rk td:nth-child(3){order:4;flex-basis:100%}
 table.rk td:nth-child(3)::before{content:"worst: ";color:var(--mut)}
 table.rk .sub{display:inline;margin-left:6px}
}
"#;

struct Renderer<'a> {
    out: String,
    ids: usize,
    hist: &'a [&'a DriftReport],
    hist_index: Vec<HashMap<&'a str, &'a FeatureReport>>,
    inputs: &'a [String],
}

impl<'a> Renderer<'a> {
    fn next_id(&mut self) -> usize {
        self.ids += 1;
        self.ids
    }

    fn page(&mut self, report: &DriftReport, features: &[(f64, &FeatureReport)]) {
        let status = report.status.as_str();
        let endpoint = report.endpoint.as_str();
        let start = report.window.start.as_str();
        let end = report.window.end.as_str();
        let violations = report.violations;
        let (class, sym) = match status {
            "Completed" => ("ok", "✓"),
            "CompletedWithViolations" => ("bad", "✗"),
            _ => ("skip", "⚠"),
        };
        let o = &mut self.out;
        w!(
            o,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"color-scheme\" content=\"light dark\">\n\
             <title>{sym} {} · {} · {} — driftmon</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            esc(if status.is_empty() {
                "no status"
            } else {
                status
            }),
            esc(endpoint),
            esc(start)
        );
        // Header: what, when, status.
        let variants: Vec<String> = report.variants.iter().map(|v| esc(v)).collect();
        w!(
            o,
            "<header class=\"top\">\n<p class=\"kicker\">driftmon · drift report</p>\n<h1>{}",
            esc(endpoint)
        );
        if !variants.is_empty() {
            w!(o, " <small>/ {}</small>", variants.join(", "));
        }
        w!(
            o,
            "</h1>\n<p>Window <strong>{}</strong> → <strong>{}</strong>{}</p>\n",
            esc(start),
            esc(end),
            duration(start, end)
                .map(|d| format!(" <span class=\"mut\">({d})</span>"))
                .unwrap_or_default()
        );
        let nfeat_bad = features
            .iter()
            .filter(|(_, f)| violated_checks(f).next().is_some())
            .count();
        w!(
            o,
            "<div class=\"banner {class}\" role=\"status\">\n<p class=\"st\">{sym} {}</p>\n<p><strong>{violations} violation{}</strong>",
            esc(if status.is_empty() { "no status" } else { status }),
            if violations == 1 { "" } else { "s" }
        );
        if nfeat_bad > 0 {
            w!(o, " in {nfeat_bad} of {} features", features.len());
        } else {
            w!(o, " · {} features checked", features.len());
        }
        w!(o, "</p>\n");
        let bad: Vec<String> = features
            .iter()
            .enumerate()
            .filter_map(|(i, (_, f))| {
                let k = violated_checks(f).count();
                (k > 0).then(|| format!("<a href=\"#f{i}\">{}</a>&nbsp;({k})", esc(&f.name)))
            })
            .collect();
        if !bad.is_empty() {
            let more = bad.len().saturating_sub(12);
            w!(
                o,
                "<p>Features with violations, worst first: {}{}</p>\n",
                bad[..bad.len().min(12)].join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        // Data problems, so that they are not missed below.
        let rejected = report.records.rejected;
        if rejected > 0 {
            let kinds: Vec<String> = report
                .rejected_by_kind
                .iter()
                .map(|(k, v)| format!("{} {}", fmt_count(*v), esc(k)))
                .collect();
            w!(
                o,
                "<p><span class=\"v skip\">⚠</span> <a href=\"#data\">{} record{} rejected</a>{}</p>\n",
                group_thousands(&rejected.to_string()),
                if rejected == 1 { "" } else { "s" },
                if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) }
            );
        }
        let missing_hours = report.hours_without_data.len();
        if missing_hours > 0 {
            w!(
                o,
                "<p><span class=\"v skip\">⚠</span> <a href=\"#data\">{missing_hours} hour folder{} without data</a></p>\n",
                if missing_hours == 1 { "" } else { "s" }
            );
        }
        let message = report.message.as_str();
        if !message.is_empty() {
            w!(o, "<p class=\"mut\">{}</p>\n", esc(message));
        }
        w!(o, "</div>\n</header>\n<main>\n");

        self.violations_section(report, features);
        self.ranking_section(features);
        self.data_section(report);
        if let Some(mq) = &report.model_quality {
            self.model_quality_section(mq);
        }
        self.features_section(features);
        self.config_section(report);
        let o = &mut self.out;
        w!(
            o,
            "<footer><p class=\"mut\">Generated by driftmon from <code>drift_report.json</code>; {} earlier run{} in the history sparklines.</p></footer>\n</main>\n</body>\n</html>\n",
            self.hist.len(),
            if self.hist.len() == 1 { "" } else { "s" }
        );
    }

    fn violations_section(&mut self, report: &DriftReport, features: &[(f64, &FeatureReport)]) {
        // One row per feature (most severe first), its violated checks listed in the row.
        let mut rows: Vec<String> = Vec::new();
        let mut n = 0;
        for (i, (_, f)) in features.iter().enumerate() {
            let items: Vec<String> = violated_checks(f)
                .map(|c| {
                    format!(
                        "<li><strong>{}</strong>: {}</li>",
                        esc(&c.check),
                        esc(c.description.as_deref().unwrap_or(""))
                    )
                })
                .collect();
            if items.is_empty() {
                continue;
            }
            n += items.len();
            rows.push(format!(
                "<tr><th scope=\"row\" data-l=\"Feature\"><a href=\"#f{i}\">{}</a><span class=\"sub\">{} violation{}</span></th><td data-l=\"Checks\"><ul class=\"vl\">{}</ul></td></tr>\n",
                esc(&f.name),
                items.len(),
                if items.len() == 1 { "" } else { "s" },
                items.concat()
            ));
        }
        let mq_items: Vec<String> = report
            .model_quality
            .iter()
            .flat_map(|mq| mq.checks.iter().flatten())
            .filter(|c| c.violated)
            .map(|c| {
                format!(
                    "<li><strong>{}</strong>: Metric {} with {} was {} {}</li>",
                    esc(&c.metric),
                    esc(&c.metric),
                    fmt_opt(c.value),
                    c.operator.as_str(),
                    fmt_num(c.threshold)
                )
            })
            .collect();
        if !mq_items.is_empty() {
            n += mq_items.len();
            rows.insert(0, format!(
                "<tr><th scope=\"row\" data-l=\"Feature\"><a href=\"#quality\">model quality</a><span class=\"sub\">{} violation{}</span></th><td data-l=\"Checks\"><ul class=\"vl\">{}</ul></td></tr>\n",
                mq_items.len(),
                if mq_items.len() == 1 { "" } else { "s" },
                mq_items.concat()
            ));
        }
        let o = &mut self.out;
        w!(
            o,
            "<section id=\"violations\" aria-labelledby=\"h-viol\">\n<h2 id=\"h-viol\">Violations ({n})</h2>\n"
        );
        if n == 0 {
            w!(
                o,
                "<p><span class=\"v ok\">✓</span> No check was violated.</p>\n"
            );
        } else {
            o.push_str(&split_table(
                "st",
                "<th scope=\"col\">Feature</th><th scope=\"col\">Violated check: description</th>",
                &rows,
                "features with violations",
            ));
        }
        w!(o, "</section>\n");
    }

    fn ranking_section(&mut self, features: &[(f64, &FeatureReport)]) {
        let mut rows: Vec<String> = Vec::new();
        for (i, (sev, f)) in features.iter().enumerate() {
            let name = f.name.as_str();
            let bad: Vec<String> = violated_checks(f).map(|c| esc(&c.check)).collect();
            let worst_txt = match worst_ratio(f) {
                Some((score, r)) => {
                    let s = scores(f).into_iter().find(|s| s.name == score);
                    let v = match s {
                        Some(s) if s.kind == Kind::PValue => s
                            .value
                            .map(|p| format!("p {}", fmt_p(p)))
                            .unwrap_or_default(),
                        Some(s) => s.value.map(fmt_num).unwrap_or_default(),
                        None => String::new(),
                    };
                    format!(
                        "{score} {v}<span class=\"sub\">{} threshold</span>",
                        times(r)
                    )
                }
                None => "—".into(),
            };
            let absent = if f.current.is_none() {
                " <span class=\"v skip\">⚠&nbsp;absent</span>"
            } else {
                ""
            };
            let violated = if bad.is_empty() {
                "<span class=\"v ok\">✓&nbsp;none</span>".to_owned()
            } else {
                let since = self
                    .streak_text(name, f)
                    .map(|t| format!("<span class=\"sub\">{t}</span>"))
                    .unwrap_or_default();
                format!(
                    "<span class=\"v bad\">✗&nbsp;{}</span> <span class=\"wide\">{}</span>{since}",
                    bad.len(),
                    bad.join(", ")
                )
            };
            rows.push(format!(
                "<tr><td data-l=\"Feature\"><a href=\"#f{i}\">{}</a>{absent}<span class=\"sub\">{}</span></td><td data-l=\"Severity\" class=\"n\">{}</td><td data-l=\"Worst score\">{worst_txt}</td><td data-l=\"Violated\">{violated}</td></tr>\n",
                esc(name),
                esc(&f.inferred_type),
                fmt_severity(*sev),
            ));
        }
        w!(
            self.out,
            "<section id=\"ranking\" aria-labelledby=\"h-rank\">\n<h2 id=\"h-rank\">Features by drift severity</h2>\n\
             <p class=\"note mut\">Severity = number of violated checks + r/(1+r), where r is the worst score's ratio to its threshold: .50 means at the threshold, .67 twice it, .80 four times it.</p>\n\
"
        );
        let table = split_table(
            "rk",
            "<th scope=\"col\">Feature</th><th scope=\"col\" class=\"n\">Severity</th><th scope=\"col\">Worst score</th><th scope=\"col\">Violated checks</th>",
            &rows,
            "features",
        );
        w!(self.out, "{table}</section>\n");
    }

    fn data_section(&mut self, report: &DriftReport) {
        let rec = &report.records;
        let o = &mut self.out;
        w!(
            o,
            "<section id=\"data\" aria-labelledby=\"h-data\">\n<h2 id=\"h-data\">Data read</h2>\n<dl class=\"dg\">\n"
        );
        let (start, end) = (&report.window.start, &report.window.end);
        w!(
            o,
            "<div class=\"full\"><dt>Window (start inclusive, end exclusive)</dt><dd>{} → {}</dd></div>\n",
            esc(start),
            esc(end)
        );
        let variants: Vec<String> = report.variants.iter().map(|v| esc(v)).collect();
        w!(
            o,
            "<div><dt>Endpoint</dt><dd>{}</dd></div>\n<div><dt>Variants</dt><dd>{}</dd></div>\n",
            esc(&report.endpoint),
            if variants.is_empty() {
                "—".into()
            } else {
                variants.join(", ")
            }
        );
        let rows: [(&str, &str, u64); 5] = [
            ("objects", "Capture objects read", rec.objects),
            ("read", "Records read", rec.read),
            (
                "outside_window",
                "Records outside the window",
                rec.outside_window,
            ),
            ("rejected", "Records rejected", rec.rejected),
            ("rows_profiled", "Rows profiled", rec.rows_profiled),
        ];
        for (k, label, v) in rows {
            {
                let (class, flag) = match k {
                    "rejected" if v > 0 => (" class=\"warn\"", "<span class=\"v skip\">⚠</span> "),
                    "rows_profiled" if v == 0 => {
                        (" class=\"bad\"", "<span class=\"v bad\">✗</span> ")
                    }
                    _ => ("", ""),
                };
                w!(
                    o,
                    "<div{class}><dt>{label}</dt><dd>{flag}{}</dd></div>\n",
                    group_thousands(&v.to_string())
                );
            }
        }
        let missing: Vec<String> = report
            .hours_without_data
            .iter()
            .map(|h| format!("<code>{}</code>", esc(h)))
            .collect();
        if missing.is_empty() {
            w!(o, "<div><dt>Hours without data</dt><dd>none</dd></div>\n");
        } else {
            w!(
                o,
                "<div class=\"warn full\"><dt>Hours without data</dt><dd><span class=\"v skip\">⚠&nbsp;{}</span> {}</dd></div>\n",
                missing.len(),
                missing.join(", ")
            );
        }
        w!(o, "</dl>\n");
        let kinds = &report.rejected_by_kind;
        if !kinds.is_empty() {
            w!(o, "<h3>Rejected records by kind</h3>\n<table>\n<thead><tr><th scope=\"col\">Kind</th><th scope=\"col\" class=\"n\">Records</th></tr></thead>\n<tbody>\n");
            for (k, v) in kinds {
                w!(
                    o,
                    "<tr><td><code>{}</code></td><td class=\"n\">{}</td></tr>\n",
                    esc(k),
                    fmt_count(*v)
                );
            }
            w!(o, "</tbody>\n</table>\n");
        }
        let examples = &report.rejected_examples;
        if !examples.is_empty() {
            w!(o, "<h3>Examples of rejected records</h3>\n<table class=\"st\">\n<thead><tr><th scope=\"col\">Location</th><th scope=\"col\">Kind</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
            for e in examples {
                w!(
                    o,
                    "<tr><td data-l=\"Location\"><code>{}</code></td><td data-l=\"Kind\"><code class=\"nw\">{}</code></td><td data-l=\"Why\">{}</td></tr>\n",
                    esc(&e.location),
                    esc(&e.kind),
                    esc(&e.message)
                );
            }
            w!(o, "</tbody>\n</table>\n");
        }
        // Inputs, when the caller lists them.
        let inputs = self.inputs;
        if !inputs.is_empty() {
            w!(
                o,
                "<details><summary>Inputs read ({})</summary>\n<ul>\n",
                inputs.len()
            );
            for i in inputs {
                w!(o, "<li><code>{}</code></li>\n", esc(i));
            }
            w!(o, "</ul>\n</details>\n");
        }
        w!(o, "</section>\n");
    }

    fn model_quality_section(&mut self, mq: &ModelQualitySection) {
        let mut rows = String::new();
        for (name, value) in mq.metrics.iter().flat_map(|m| m.0.iter()) {
            let check = mq_check(mq, name);
            let cmp = check.map(|c| Cmp::from_operator(c.operator));
            let series: Vec<Option<f64>> = self
                .hist
                .iter()
                .map(|h| {
                    h.model_quality
                        .as_ref()
                        .and_then(|m| m.metrics.as_ref()?.get(name))
                })
                .chain(std::iter::once(Some(*value)))
                .collect();
            let spark = self.sparkline(
                &format!("model quality {name}"),
                &series,
                check.map(|c| c.threshold),
                Kind::Distance,
                cmp,
            );
            let verdict = match check {
                Some(c) if c.violated => "violation",
                Some(c) if c.value.is_some() => "ok",
                _ => "",
            };
            w!(
                rows,
                "<tr><td data-l=\"Metric\"><strong>{}</strong></td><td data-l=\"Value\" class=\"n\">{}</td><td data-l=\"Baseline threshold\" class=\"n\">{}</td><td data-l=\"Operator\">{}</td><td data-l=\"Verdict\">{}</td><td data-l=\"History\">{spark}</td></tr>\n",
                esc(name),
                fmt_opt(Some(*value)),
                fmt_opt(check.map(|c| c.threshold)),
                check
                    .map(|c| format!(
                        "<code>{}</code> ({})",
                        c.operator.as_str(),
                        esc(Cmp::from_operator(c.operator).symbol())
                    ))
                    .unwrap_or_else(|| "—".into()),
                badge(verdict)
            );
        }
        let o = &mut self.out;
        w!(o, "<section id=\"quality\" aria-labelledby=\"h-mq\">\n<h2 id=\"h-mq\">Model quality</h2>\n");
        let c = &mq.counts;
        let scalars = [
            ("status", esc(mq.status.as_str())),
            ("message", esc(&mq.message)),
            ("problem type", esc(mq.options.problem_type.as_str())),
            ("predictions", fmt_count(c.predictions)),
            ("matched with ground truth", fmt_count(c.matched)),
            (
                "match rate",
                mq.match_rate
                    .and_then(fin)
                    .map_or_else(|| "—".into(), fmt_pct),
            ),
            ("violations", fmt_count(mq.violations)),
        ];
        let scalars: Vec<String> = scalars
            .iter()
            .map(|(k, v)| format!("<tr><th scope=\"row\">{k}</th><td>{v}</td></tr>"))
            .collect();
        w!(
            o,
            "<table class=\"kv\"><tbody>{}</tbody></table>\n",
            scalars.join("\n")
        );
        if rows.is_empty() {
            w!(
                o,
                "<p class=\"mut\">No metric was computed: {}.</p>\n",
                esc(mq.status.as_str())
            );
        } else {
            w!(
                o,
                "<table class=\"st\">\n<thead><tr><th scope=\"col\">Metric</th><th scope=\"col\" class=\"n\">Value</th><th scope=\"col\" class=\"n\">Baseline threshold</th><th scope=\"col\">Operator</th><th scope=\"col\">Verdict</th><th scope=\"col\">History</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
            );
        }
        w!(o, "</section>\n");
    }

    fn features_section(&mut self, features: &[(f64, &FeatureReport)]) {
        w!(
            self.out,
            "<section id=\"features\" aria-labelledby=\"h-feat\">\n<h2 id=\"h-feat\">Features, most severe first</h2>\n\
             <p class=\"note mut\">Features with a violation or a score at or over its threshold are open; the others are collapsed.</p>\n"
        );
        for (i, (sev, f)) in features.iter().enumerate() {
            self.feature(i, *sev, f);
        }
        w!(self.out, "</section>\n");
    }

    fn feature(&mut self, i: usize, sev: f64, f: &FeatureReport) {
        let name = f.name.as_str();
        let nbad = violated_checks(f).count();
        let absent = f.current.is_none();
        let class = if nbad > 0 {
            "bad"
        } else if absent || sev >= 0.5 {
            "skip"
        } else {
            "ok"
        };
        let open = if sev >= 0.5 || absent { " open" } else { "" };
        let head = if nbad > 0 {
            format!("<span class=\"v bad\">✗&nbsp;{nbad} violated</span>")
        } else if absent {
            "<span class=\"v skip\">⚠&nbsp;absent from the window</span>".into()
        } else if sev >= 0.5 {
            "<span class=\"v skip\">⚠&nbsp;over a threshold, not significant</span>".into()
        } else {
            badge("ok")
        };
        w!(
            self.out,
            "<details class=\"feat {class}\" id=\"f{i}\"{open}>\n<summary><h3>{}</h3> {head} <span class=\"sev\">severity {} · {}</span></summary>\n",
            esc(name),
            fmt_severity(sev),
            esc(&f.inferred_type)
        );
        // Facts.
        let mut facts = Vec::new();
        if let Some(t) = self.streak_text(name, f) {
            facts.push(format!("<strong>{t}</strong>"));
        }
        let cur = f.current.as_ref();
        let mean = cur.and_then(|c| c.mean).and_then(fin);
        if let (Some(m), Some(b)) = (mean, f.baseline_mean.and_then(fin)) {
            let change = if b != 0.0 {
                format!(" ({:+.1}%)", (m - b) / b.abs() * 100.0).replace('-', "−")
            } else {
                String::new()
            };
            facts.push(format!(
                "mean {} vs baseline {}{change}",
                fmt_num(m),
                fmt_num(b)
            ));
        } else if let Some(m) = mean {
            facts.push(format!("mean {}", fmt_num(m)));
        }
        if let Some(c) = cur.and_then(|c| c.completeness).and_then(fin) {
            let b = f
                .baseline_completeness
                .and_then(fin)
                .map(|b| format!(" vs baseline {}", fmt_pct(b)))
                .unwrap_or_default();
            facts.push(format!("completeness {}{b}", fmt_pct(c)));
        }
        if let Some((p, m)) = cur.map(|c| (c.num_present, c.num_missing)) {
            facts.push(format!(
                "{} present, {} missing",
                group_thousands(&p.to_string()),
                group_thousands(&m.to_string())
            ));
        }
        if !facts.is_empty() {
            w!(self.out, "<p class=\"facts\">{}</p>\n", facts.join(" · "));
        }
        w!(self.out, "<div class=\"cols\">\n");
        // Distribution.
        if let Some(k) = f.ks() {
            self.histogram(name, &k.bins);
        } else if let Some(c) = f.chi_squared() {
            self.categories(name, &c.categories);
        } else {
            w!(
                self.out,
                "<p class=\"mut\">No distribution in the report for this feature.</p>\n"
            );
        }
        // Scores.
        self.scores_table(name, f);
        w!(self.out, "</div>\n</details>\n");
    }

    fn scores_table(&mut self, name: &str, f: &FeatureReport) {
        let ss = scores(f);
        let mut rows = String::new();
        for s in &ss {
            let ratio = s
                .ratio()
                .filter(|_| s.verdict != "skipped")
                .map(|r| format!("<span class=\"sub\">{}&nbsp;threshold</span>", times(r)))
                .unwrap_or_default();
            let value = match (s.value, s.kind) {
                (Some(v), Kind::PValue) => format!("p {}", fmt_p(v)),
                (Some(v), Kind::Distance) => fmt_num(v),
                (None, _) => "—".into(),
            };
            let thr = match (s.threshold, s.kind) {
                (Some(t), Kind::PValue) => format!("p&nbsp;&lt;&nbsp;{}", fmt_num(t)),
                (Some(t), Kind::Distance) => format!("&gt;&nbsp;{}", fmt_num(t)),
                (None, _) => "—".into(),
            };
            let detail = if s.detail.is_empty() {
                String::new()
            } else {
                format!("<span class=\"sub\">{}</span>", s.detail)
            };
            let series = self.series(name, s);
            let label = format!("{} of {name}", s.name);
            let cmp = match s.kind {
                Kind::Distance => Cmp::Gt,
                Kind::PValue => Cmp::Lt,
            };
            let spark = self.sparkline(&label, &series, s.threshold, s.kind, Some(cmp));
            let reason = f
                .checks
                .iter()
                .find(|c| c.status == CheckStatus::Skipped && check_matches(&c.check, s.name))
                .map(|c| {
                    format!(
                        "<span class=\"sub\">{}</span>",
                        esc(c.reason.as_deref().unwrap_or(""))
                    )
                })
                .unwrap_or_default();
            w!(
                rows,
                "<tr><th scope=\"row\">{}<span class=\"sub\">{}</span></th><td><strong>{value}</strong>{ratio}{detail}</td><td>{thr}{}</td><td>{}{reason}</td><td>{spark}</td></tr>\n",
                s.name,
                s.what,
                s.rule,
                badge(s.verdict)
            );
        }
        let o = &mut self.out;
        w!(o, "<div>\n");
        if ss.is_empty() {
            w!(o, "<p class=\"mut\">No drift score for this feature.</p>\n");
        } else {
            w!(
                o,
                "<table class=\"st sc\">\n<caption class=\"sr\">Drift scores of {}</caption>\n<thead><tr><th scope=\"col\">Score</th><th scope=\"col\">Value</th><th scope=\"col\">Drift when</th><th scope=\"col\">Verdict</th><th scope=\"col\">History</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n",
                esc(name)
            );
        }
        let others: Vec<String> = f
            .checks
            .iter()
            .filter(|c| c.constraint_check_type != "baseline_drift_check")
            .map(|c| {
                let desc = c.description.as_deref().unwrap_or("");
                let reason = c.reason.as_deref().unwrap_or("");
                let extra = if !desc.is_empty() {
                    format!(": {}", esc(desc))
                } else if !reason.is_empty() {
                    format!(": {}", esc(reason))
                } else {
                    String::new()
                };
                let st = check_status(c.status);
                let sym = match verdict_of(st) {
                    Verdict::Ok => "<span class=\"v ok\">✓</span>",
                    Verdict::Bad => "<span class=\"v bad\">✗</span>",
                    _ => "<span class=\"v skip\">–</span>",
                };
                format!(
                    "{sym}&nbsp;{} <span class=\"mut\">({})</span>{extra}",
                    esc(&c.check),
                    esc(st)
                )
            })
            .collect();
        if !others.is_empty() {
            w!(
                o,
                "<p class=\"note\">Other checks: {}</p>\n",
                others.join(" · ")
            );
        }
        w!(o, "</div>\n");
    }

    /// When `name` has a violation in this run: how many runs in a row (this one included) and
    /// the window start of the first of them.
    fn streak(&self, name: &str, f: &FeatureReport) -> Option<(usize, &'a str)> {
        violated_checks(f).next()?;
        let mut first: Option<&'a str> = None;
        let mut n = 1;
        for (h, idx) in self.hist.iter().zip(&self.hist_index).rev() {
            match idx.get(name) {
                Some(hf) if violated_checks(hf).next().is_some() => {
                    n += 1;
                    first = Some(h.window.start.as_str());
                }
                _ => break,
            }
        }
        Some((n, first.unwrap_or("")))
    }

    /// The streak in words, when there is history to compare with.
    fn streak_text(&self, name: &str, f: &FeatureReport) -> Option<String> {
        let (n, first) = self.streak(name, f)?;
        if self.hist.is_empty() {
            None
        } else if n == 1 {
            Some("first violated in this run".into())
        } else {
            Some(format!("violated {n} runs in a row, since {}", esc(first)))
        }
    }

    /// A score's values over the history then this run (`None` where absent).
    fn series(&self, name: &str, s: &Score) -> Vec<Option<f64>> {
        self.hist_index
            .iter()
            .map(|idx| idx.get(name).and_then(|f| score_value(f, s.key)))
            .chain(std::iter::once(s.value))
            .collect()
    }

    /// A sparkline of `series` (oldest first, this run last) with the threshold as a dashed line.
    /// `cmp` says when a value is on the wrong side of the threshold; p-values are drawn as
    /// −log10 p so that up is always "more drift" for drift scores.
    fn sparkline(
        &mut self,
        label: &str,
        series: &[Option<f64>],
        threshold: Option<f64>,
        kind: Kind,
        cmp: Option<Cmp>,
    ) -> String {
        let n = series.len();
        let known = series.iter().filter(|v| v.is_some()).count();
        if n < 2 || known < 2 {
            return "<small>no earlier runs</small>".into();
        }
        let plot = |v: f64| match kind {
            Kind::Distance => v,
            Kind::PValue => -(v.max(1e-300).log10()),
        };
        let crossed = |v: f64| match (threshold, cmp) {
            (Some(t), Some(c)) => c.holds(v, t),
            _ => false,
        };
        let tplot = threshold.map(plot);
        let plotted = series.iter().flatten().map(|v| plot(*v)).chain(tplot);
        let (lo, hi) = if kind == Kind::Distance && cmp.is_some_and(|c| !c.is_gt()) {
            // A lower bound (model quality): zoom on the values.
            plotted.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            })
        } else {
            (0.0, plotted.fold(0.0f64, f64::max))
        };
        let span = (hi - lo).max(1e-12);
        let (lo, hi) = if lo == 0.0 {
            (0.0, hi.max(1e-12) * 1.12)
        } else {
            (lo - span * 0.12, hi + span * 0.12)
        };
        let (wd, ht, pad) = (240.0, 64.0, 6.0);
        let x = |i: usize| pad + (wd - 2.0 * pad) * i as f64 / (n - 1) as f64;
        let y = |v: f64| ht - pad - (ht - 2.0 * pad) * ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        let id = self.next_id();
        let vals: Vec<String> = series
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let t = match v {
                    Some(v) if kind == Kind::PValue => fmt_p(*v),
                    Some(v) => fmt_num(*v),
                    None => "none".into(),
                };
                if i == n - 1 {
                    format!("{t} (this run)")
                } else {
                    t
                }
            })
            .collect();
        let ncross = series.iter().flatten().filter(|v| crossed(**v)).count();
        let mut title = format!(
            "{} over the last {n} runs, oldest first{}: {}",
            esc(label),
            if kind == Kind::PValue {
                " (p-values, drawn as −log10 p)"
            } else {
                ""
            },
            vals.join(", ")
        );
        if let (Some(t), Some(c)) = (threshold, cmp) {
            w!(
                title,
                "; threshold {}, value {} threshold in {ncross} of {known} runs",
                fmt_num(t),
                c.words()
            );
        }
        let mut s = format!(
            "<svg class=\"spark\" viewBox=\"0 0 240 64\" role=\"img\" aria-labelledby=\"s{id}\"><title id=\"s{id}\">{title}</title>"
        );
        if let Some(t) = tplot {
            let ty = y(t);
            w!(s, "<path class=\"t\" d=\"M0 {ty:.0}H240\"/>");
        }
        // One polyline per run of consecutive known values.
        let mut seg: Vec<String> = Vec::new();
        let flush = |s: &mut String, seg: &mut Vec<String>| {
            if seg.len() > 1 {
                w!(s, "<polyline class=\"sl\" points=\"{}\"/>", seg.join(" "));
            }
            seg.clear();
        };
        for (i, v) in series.iter().enumerate() {
            match v {
                Some(v) => seg.push(format!("{:.0},{:.0}", x(i), y(plot(*v)))),
                None => flush(&mut s, &mut seg),
            }
        }
        flush(&mut s, &mut seg);
        if let Some(last) = series[n - 1] {
            let cls = if crossed(last) { "pb" } else { "po" };
            w!(
                s,
                "<circle class=\"{cls}\" cx=\"{:.0}\" cy=\"{:.0}\" r=\"6\"/>",
                x(n - 1),
                y(plot(last))
            );
        }
        s.push_str("</svg>");
        if let Some(c) = cmp.filter(|_| threshold.is_some()) {
            w!(s, "<small>{ncross}/{known} runs {}</small>", c.words());
        }
        s
    }

    fn histogram(&mut self, name: &str, bins: &BinsRecord) {
        let edges: Vec<f64> = bins
            .edges
            .iter()
            .map(|e| fin(*e).unwrap_or(f64::NAN))
            .collect();
        let (base, cur) = (counts(&bins.baseline), counts(&bins.current));
        let n = base.len().max(cur.len());
        if n == 0 {
            w!(self.out, "<p class=\"mut\">No bins in the report.</p>\n");
            return;
        }
        let has_missing = bins.last_bin == "missing" && n >= 2;
        let intervals = if has_missing { n - 1 } else { n };
        // Bins are (−∞, e₁), [e₁, e₂), …, [e_k, +∞): edges label the boundaries.
        let by_edges = !edges.is_empty() && intervals == edges.len() + 1;
        // Short edge labels, as precise as needed to tell neighbours apart.
        let short_edges = (3..=7)
            .map(|sig| {
                edges
                    .iter()
                    .map(|e| fmt_compact(*e, sig))
                    .collect::<Vec<_>>()
            })
            .find(|l| l.windows(2).all(|p| p[0] != p[1]))
            .unwrap_or_else(|| edges.iter().map(|e| fmt_compact(*e, 7)).collect());
        let long = |i: usize| -> String {
            if has_missing && i == n - 1 {
                "missing".into()
            } else if !by_edges {
                if intervals == 1 {
                    "all values".into()
                } else {
                    format!("bin {}", i + 1)
                }
            } else if i == 0 {
                format!("below {}", fmt_sig(edges[0], 7))
            } else if i == edges.len() {
                format!("{} and above", fmt_sig(edges[i - 1], 7))
            } else {
                format!("{} to {}", fmt_sig(edges[i - 1], 7), fmt_sig(edges[i], 7))
            }
        };
        let tb: f64 = base.iter().sum();
        let tc: f64 = cur.iter().sum();
        let share = |v: &[f64], t: f64, i: usize| {
            if t > 0.0 {
                v.get(i).copied().unwrap_or(0.0) / t
            } else {
                0.0
            }
        };
        let pb: Vec<f64> = (0..n).map(|i| share(&base, tb, i)).collect();
        let pc: Vec<f64> = (0..n).map(|i| share(&cur, tc, i)).collect();
        let maxp = pb.iter().chain(&pc).fold(0.0f64, |a, b| a.max(*b));
        let ymax = nice_ceiling(maxp);
        // Axis labels under the plot: boundaries (−∞, e₁ … e_k, +∞) or bin numbers, and "missing".
        let mut ticks: Vec<(f64, String)> = Vec::new();
        let (wd, ml, mr, mt, ph) = (400.0, 40.0, 8.0, 10.0, 120.0);
        let slots = n as f64 + if has_missing { MISSING_GAP } else { 0.0 };
        let slot = (wd - ml - mr) / slots;
        let sx = |i: usize| {
            ml + slot * i as f64
                + if has_missing && i == n - 1 {
                    MISSING_GAP * slot
                } else {
                    0.0
                }
        };
        if by_edges {
            ticks.push((sx(0), "−∞".into()));
            for (k, e) in short_edges.iter().enumerate() {
                ticks.push((sx(k + 1), e.clone()));
            }
            ticks.push((sx(intervals), "+∞".into()));
        } else {
            for i in 0..intervals {
                ticks.push((sx(i) + slot / 2.0, long(i)));
            }
        }
        if has_missing {
            ticks.push((sx(n - 1) + slot / 2.0, "missing".into()));
        }
        let longest = ticks.iter().map(|t| t.1.chars().count()).max().unwrap_or(4) as f64;
        let ht = (mt + ph + 14.0 + longest * 7.0 * 0.72).ceil();
        let y = |p: f64| mt + ph - ph * (p / ymax).clamp(0.0, 1.0);
        let id = self.next_id();
        let parts: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{}: {} ({}) → {} ({})",
                    esc(&long(i)),
                    fmt_pct(pb[i]),
                    fmt_num(base.get(i).copied().unwrap_or(0.0)),
                    fmt_pct(pc[i]),
                    fmt_num(cur.get(i).copied().unwrap_or(0.0))
                )
            })
            .collect();
        let o = &mut self.out;
        w!(
            o,
            "<figure>\n<figcaption>Distribution over the PSI bins (share of rows)</figcaption>\n\
             <p class=\"legend\"><span><i class=\"sw b\"></i>baseline</span><span><i class=\"sw c\"></i>current</span></p>\n\
             <svg viewBox=\"0 0 {wd} {ht}\" role=\"img\" aria-labelledby=\"h{id}\"><title id=\"h{id}\">Histogram of {}, share of rows per bin, baseline (outlined bars, {} rows) → current (solid bars, {} rows); the outer bins are open-ended{}: {}</title>",
            esc(name),
            group_thousands(&format!("{tb:.0}")),
            group_thousands(&format!("{tc:.0}")),
            if has_missing { " and the last bin counts missing values" } else { "" },
            parts.join("; ")
        );
        if has_missing {
            let x0 = sx(n - 1) - 0.4 * slot;
            w!(
                o,
                "<rect class=\"mb\" x=\"{x0:.1}\" y=\"{mt}\" width=\"{:.1}\" height=\"{ph}\"/>",
                wd - x0
            );
        }
        // Grid lines and their labels.
        let grid: Vec<(f64, String)> = (0..=2)
            .map(|k| {
                let p = ymax * k as f64 / 2.0;
                (y(p), fmt_axis_pct(p))
            })
            .collect();
        w!(o, "<path class=\"g\" d=\"");
        for (yy, _) in &grid {
            w!(o, "M{ml} {yy:.1}H{}", wd - mr);
        }
        w!(o, "\"/><g class=\"yl\">");
        for (yy, t) in &grid {
            w!(
                o,
                "<text x=\"{}\" y=\"{:.1}\">{t}</text>",
                ml - 4.0,
                yy + 4.0
            );
        }
        w!(o, "</g>");
        // Bars: current solid, baseline outlined on top; one path each.
        let bw = slot * 0.76;
        let floor = mt + ph;
        for (class, ps) in [("c", &pc), ("b", &pb)] {
            let mut d = String::new();
            for (i, p) in ps.iter().enumerate().filter(|(_, p)| **p > 0.0) {
                let x0 = sx(i) + (slot - bw) / 2.0;
                w!(d, "M{x0:.1} {floor}V{:.1}h{bw:.1}V{floor}z", y(*p));
            }
            if !d.is_empty() {
                w!(o, "<path class=\"{class}\" d=\"{d}\"/>");
            }
        }
        // Ticks and their labels, rotated by −45° (coordinates turned by +45° to match).
        w!(o, "<path class=\"g\" d=\"");
        for (x, _) in &ticks {
            w!(o, "M{x:.1} {floor}v5");
        }
        w!(o, "\"/><g class=\"xl\" transform=\"rotate(-45)\">");
        let c45 = std::f64::consts::FRAC_1_SQRT_2;
        for (x, t) in &ticks {
            let (px, py) = (x + 4.0, floor + 14.0);
            let cls = if t == "missing" { " class=\"sm\"" } else { "" };
            w!(
                o,
                "<text{cls} x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                (px - py) * c45,
                (px + py) * c45,
                esc(t)
            );
        }
        w!(o, "</g></svg>\n");
        // The largest shift, in words.
        let biggest =
            (0..n).max_by(|a, b| (pc[*a] - pb[*a]).abs().total_cmp(&(pc[*b] - pb[*b]).abs()));
        if let Some(i) = biggest.filter(|_| tb > 0.0 && tc > 0.0) {
            w!(
                o,
                "<p class=\"note\">Largest shift: <strong>{}</strong>, {} → {} ({} points).</p>\n",
                esc(&long(i)),
                fmt_pct(pb[i]),
                fmt_pct(pc[i]),
                format!("{:+.1}", (pc[i] - pb[i]) * 100.0).replace('-', "−")
            );
        }
        w!(o, "</figure>\n");
    }

    fn categories(&mut self, name: &str, cats: &CategoriesRecord) {
        let labels = &cats.labels;
        let (base, cur) = (counts(&cats.baseline), counts(&cats.current));
        let n = labels.len();
        if n == 0 {
            w!(
                self.out,
                "<p class=\"mut\">No categories in the report.</p>\n"
            );
            return;
        }
        let tb: f64 = base.iter().sum();
        let tc: f64 = cur.iter().sum();
        let share = |v: &[f64], t: f64, i: usize| {
            if t > 0.0 {
                v.get(i).copied().unwrap_or(0.0) / t
            } else {
                0.0
            }
        };
        // Rows: (label, baseline share, current share, baseline count, current count, kind).
        #[derive(Clone, Copy, PartialEq)]
        enum K {
            Plain,
            Unseen,
            Missing,
            Other,
        }
        let mut rows: Vec<(String, f64, f64, f64, f64, K)> = (0..n)
            .map(|i| {
                let k = match labels[i].as_str() {
                    "<unseen>" => K::Unseen,
                    "<missing>" => K::Missing,
                    _ => K::Plain,
                };
                (
                    labels[i].clone(),
                    share(&base, tb, i),
                    share(&cur, tc, i),
                    base.get(i).copied().unwrap_or(0.0),
                    cur.get(i).copied().unwrap_or(0.0),
                    k,
                )
            })
            .collect();
        let plain = rows.iter().filter(|r| r.5 == K::Plain).count();
        if plain > MAX_CATEGORIES {
            let (mut keep, special): (Vec<_>, Vec<_>) =
                rows.into_iter().partition(|r| r.5 == K::Plain);
            keep.sort_by(|a, b| b.1.max(b.2).total_cmp(&a.1.max(a.2)));
            let rest = keep.split_off(MAX_CATEGORIES - 1);
            let other = rest.iter().fold((0.0, 0.0, 0.0, 0.0), |a, r| {
                (a.0 + r.1, a.1 + r.2, a.2 + r.3, a.3 + r.4)
            });
            keep.push((
                format!("({} other categories)", rest.len()),
                other.0,
                other.1,
                other.2,
                other.3,
                K::Other,
            ));
            keep.extend(special);
            rows = keep;
        }
        let maxp = rows
            .iter()
            .fold(0.0f64, |a, r| a.max(r.1).max(r.2))
            .max(1e-12);
        let (wd, rh) = (400.0, 42.0);
        let ht = rows.len() as f64 * rh + 4.0;
        let id = self.next_id();
        let parts: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{}{}: {} ({}) → {} ({})",
                    esc(&r.0),
                    if r.5 == K::Unseen {
                        " (values not seen in the baseline)"
                    } else {
                        ""
                    },
                    fmt_pct(r.1),
                    fmt_num(r.3),
                    fmt_pct(r.2),
                    fmt_num(r.4)
                )
            })
            .collect();
        let o = &mut self.out;
        w!(
            o,
            "<figure>\n<figcaption>Categories, share of rows</figcaption>\n<p class=\"legend\"><span><i class=\"sw b\"></i>baseline</span><span><i class=\"sw c\"></i>current</span><span><i class=\"sw u\"></i>⚠ unseen in baseline</span></p>\n\
             <svg viewBox=\"0 0 {wd} {ht}\" role=\"img\" aria-labelledby=\"c{id}\"><title id=\"c{id}\">Categories of {}, share of rows, baseline (outlined bars, {} rows) → current (solid bars, {} rows): {}</title>",
            esc(name),
            group_thousands(&format!("{tb:.0}")),
            group_thousands(&format!("{tc:.0}")),
            parts.join("; ")
        );
        let bwid = |p: f64| ((wd - 2.0) * p / maxp).max(0.0);
        let (mut pb, mut pc, mut pu) = (String::new(), String::new(), String::new());
        w!(o, "<g class=\"cl\">");
        for (j, r) in rows.iter().enumerate() {
            let y0 = j as f64 * rh + 2.0;
            let (text, cls) = match r.5 {
                K::Unseen => (format!("⚠ {} (not in baseline)", r.0), " class=\"un\""),
                K::Missing => (format!("{} (no value)", r.0), ""),
                _ => (r.0.clone(), ""),
            };
            w!(
                o,
                "<text{cls} x=\"0\" y=\"{:.0}\">{}</text><text class=\"sm r\" x=\"{wd}\" y=\"{:.0}\">{} → {}</text>",
                y0 + 11.0,
                esc(&clip(&text, 38)),
                y0 + 11.0,
                fmt_pct(r.1),
                fmt_pct(r.2)
            );
            if r.1 > 0.0 {
                w!(pb, "M1 {:.0}h{:.1}v9H1z", y0 + 16.0, bwid(r.1));
            }
            let cur = if r.5 == K::Unseen { &mut pu } else { &mut pc };
            if r.2 > 0.0 {
                w!(cur, "M1 {:.0}h{:.1}v10H1z", y0 + 28.0, bwid(r.2));
            }
        }
        w!(
            o,
            "</g><path class=\"b\" d=\"{pb}\"/><path class=\"c\" d=\"{pc}\"/>"
        );
        if !pu.is_empty() {
            w!(o, "<path class=\"u\" d=\"{pu}\"/>");
        }
        w!(o, "</svg>\n");
        if let Some(u) = rows.iter().find(|r| r.5 == K::Unseen && r.4 > 0.0) {
            w!(o, "<p class=\"note\"><span class=\"v skip\">⚠ {} current rows ({}) have values not seen in the baseline.</span></p>\n", fmt_num(u.4), fmt_pct(u.2));
        }
        w!(o, "</figure>\n");
    }

    fn config_section(&mut self, report: &DriftReport) {
        let c = &report.drift_config;
        let num = |x: f64| fin(x).map_or_else(|| "—".into(), fmt_num);
        let rows = [
            ("psi_threshold", num(c.psi_threshold)),
            ("psi_bins", fmt_num(c.psi_bins as f64)),
            ("psi_epsilon", num(c.psi_epsilon)),
            ("ks_threshold", num(c.ks_threshold)),
            ("cramers_v_threshold", num(c.cramers_v_threshold)),
            ("alpha", num(c.alpha)),
            ("correction", esc(c.correction.as_str())),
        ];
        let o = &mut self.out;
        w!(o, "<section id=\"config\" aria-labelledby=\"h-cfg\">\n<h2 id=\"h-cfg\">Thresholds used</h2>\n<table class=\"kv\"><tbody>\n");
        for (k, v) in rows {
            w!(
                o,
                "<tr><th scope=\"row\"><code>{k}</code></th><td>{v}</td></tr>\n"
            );
        }
        w!(o, "</tbody></table>\n</section>\n");
    }
}

/// Counts as drawn: a non-finite count (`null` in the file) is 0.
fn counts(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| fin(*x).unwrap_or(0.0)).collect()
}

/// A table of `rows` under `head`: the first [`TOP_ROWS`] shown, the others in a collapsed
/// `<details>` below (all in the page, one tap away).
fn split_table(class: &str, head: &str, rows: &[String], what: &str) -> String {
    let table = |rows: &[String]| {
        format!(
            "<table class=\"{class}\">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{}</tbody>\n</table>\n",
            rows.concat()
        )
    };
    if rows.len() <= TOP_ROWS + 2 {
        return table(rows);
    }
    format!(
        "{}<details class=\"more\"><summary>Show the other {} {what}</summary>\n{}</details>\n",
        table(&rows[..TOP_ROWS]),
        rows.len() - TOP_ROWS,
        table(&rows[TOP_ROWS..])
    )
}

/// Whether a check's name (`PSI (driftmon)`, `L-infinity drift (SageMaker)`…) is about a score.
fn check_matches(check: &str, score: &str) -> bool {
    let c = check.to_ascii_lowercase();
    match score {
        "PSI" => c.starts_with("psi"),
        "KS" => c.starts_with("kolmogorov") || c.starts_with("ks"),
        "χ²" => c.starts_with("chi"),
        "L∞" => c.starts_with("l-inf") || c.contains("baseline drift"),
        _ => false,
    }
}

/// The window's length in words (`1 h`, `90 min`, `2 d`), when both ends parse.
fn duration(start: &str, end: &str) -> Option<String> {
    use driftmon_baseline::capture::parse_timestamp_ms;
    let ms = parse_timestamp_ms(end)? - parse_timestamp_ms(start)?;
    let min = ms / 60_000;
    Some(if ms <= 0 {
        return None;
    } else if min % 1440 == 0 {
        format!("{} d", min / 1440)
    } else if min % 60 == 0 {
        format!("{} h", min / 60)
    } else if min > 0 {
        format!("{min} min")
    } else {
        format!("{} s", ms / 1000)
    })
}

fn fmt_severity(s: f64) -> String {
    // Truncated, not rounded: 2.999 must not read as 3 violations.
    format!("{:.2}", (s * 100.0).floor() / 100.0)
}

fn fmt_axis_pct(p: f64) -> String {
    let s = trim_zeros(format!("{:.1}", p * 100.0));
    format!("{s}%")
}

/// The smallest "nice" upper bound of a share axis at or above `p`.
fn nice_ceiling(p: f64) -> f64 {
    const STEPS: [f64; 12] = [
        0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|s| *s >= p - 1e-12)
        .unwrap_or(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(40568.37748), "40,568");
        assert_eq!(fmt_num(0.6515752547), "0.6516");
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_p(6.497581007001163e-19), "6.5e-19");
        assert_eq!(fmt_compact(28862.87, 3), "28.9k");
        assert_eq!(fmt_compact(0.046518, 3), "0.0465");
        assert_eq!(fmt_severity(2.9999), "2.99");
        assert_eq!(esc("<a&\"'>"), "&lt;a&amp;&quot;&#39;&gt;");
    }

    fn feature(v: serde_json::Value) -> FeatureReport {
        let mut f = json!({"name": "f", "inferred_type": "Fractional",
            "linf_verdict": "skipped", "alpha": 0.05, "checks": []});
        if v.get("absent").is_none() {
            f["num_present"] = json!(10);
            f["num_missing"] = json!(0);
        }
        for (k, x) in v.as_object().unwrap() {
            f[k] = x.clone();
        }
        serde_json::from_value(f).expect("feature")
    }

    fn report(features: Vec<FeatureReport>) -> DriftReport {
        serde_json::from_value(json!({
            "endpoint": "ep", "variants": [], "status": "Completed", "message": "", "violations": 0,
            "window": {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T01:00:00Z"},
            "records": {"objects": 0, "read": 0, "outside_window": 0, "rejected": 0, "rows_profiled": 0},
            "rejected_by_kind": {}, "rejected_examples": [], "hours_without_data": [],
            "drift_config": {"psi_threshold": 0.25, "psi_bins": 10, "psi_epsilon": 1e-4,
                "ks_threshold": 0.1, "cramers_v_threshold": 0.1, "alpha": 0.05, "correction": "none"},
            "features": features,
        }))
        .expect("report")
    }

    #[test]
    fn odd_reports_render() {
        let gone = feature(json!({"absent": true,
            "checks": [{"check": "completeness", "constraint_check_type": "completeness_check",
                        "status": "violation", "description": "Data completeness 0.0"}]}));
        for r in [report(vec![]), report(vec![gone])] {
            let html = render(&r, std::slice::from_ref(&r));
            assert!(html.ends_with("</html>\n"));
        }
    }

    #[test]
    fn severity_counts_violations_then_ratio() {
        let ks = |stat: f64, verdict: &str| {
            json!({"psi": 0.5, "psi_threshold": 0.25, "psi_p_value_adjusted": null,
                "psi_verdict": "drift", "ks_statistic": stat, "ks_threshold": 0.1,
                "ks_p_value": 0.5, "ks_p_value_adjusted": null, "ks_error_bound": 0.0,
                "ks_verdict": verdict,
                "bins": {"edges": [], "baseline": [1.0], "current": [1.0], "last_bin": "missing"},
                "checks": [{"check": "PSI (driftmon)", "constraint_check_type": "baseline_drift_check",
                            "status": "violation"},
                           {"check": "KS", "constraint_check_type": "baseline_drift_check",
                            "status": "pass"}]})
        };
        let s = severity(&feature(ks(0.1, "ok")));
        assert!((s - (1.0 + 2.0 / 3.0)).abs() < 1e-9, "{s}");
        let p = feature(
            json!({"chi_squared_gof_p_value": 0.01, "linf_threshold": 0.1,
            "linf_method": "ChiSquared", "linf_verdict": "drift"}),
        );
        assert!((severity(&p) - 2.0 / 3.0).abs() < 1e-9);
    }
}
