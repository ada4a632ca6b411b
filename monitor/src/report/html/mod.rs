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

pub mod bias;
mod charts;
mod feature;
mod format;
mod scores;
mod sections;
mod style;
#[cfg(test)]
mod tests;

use format::*;
use scores::*;
use style::CSS;

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
}
