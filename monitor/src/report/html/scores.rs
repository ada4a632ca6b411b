//! Reading a feature's checks and scores: verdicts, comparisons, severity ratios.

use super::*;

/// A finite number, else `None` (the report writes non-finite numbers as `null`).
pub(super) fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A count as the report's numbers read (`0`, `1,234`).
pub(super) fn fmt_count(n: u64) -> String {
    fmt_num(n as f64)
}

pub(super) fn violated_checks(f: &FeatureReport) -> impl Iterator<Item = &CheckRecord> {
    f.violated_checks()
}

pub(super) fn check_status(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Pass => "pass",
        CheckStatus::Violation => "violation",
        CheckStatus::Skipped => "skipped",
    }
}

/// The value of the score under `key` (`psi`, `ks_statistic`, …) of a feature, if finite.
pub(super) fn score_value(f: &FeatureReport, key: &str) -> Option<f64> {
    f.scores()
        .into_iter()
        .find(|s| s.key == key)
        .and_then(|s| fin(s.value))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Drift when the value exceeds the threshold.
    Distance,
    /// Drift when the p-value is below the threshold.
    PValue,
}

/// When a value is on the wrong side of its threshold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    pub(super) fn from_operator(op: Operator) -> Cmp {
        match op {
            Operator::GreaterThanThreshold => Cmp::Gt,
            Operator::GreaterThanOrEqualToThreshold => Cmp::Ge,
            Operator::LessThanThreshold => Cmp::Lt,
            Operator::LessThanOrEqualToThreshold => Cmp::Le,
        }
    }

    pub(super) fn holds(self, v: f64, t: f64) -> bool {
        match self {
            Cmp::Gt => v > t,
            Cmp::Ge => v >= t,
            Cmp::Lt => v < t,
            Cmp::Le => v <= t,
        }
    }

    pub(super) fn is_gt(self) -> bool {
        matches!(self, Cmp::Gt | Cmp::Ge)
    }

    pub(super) fn symbol(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => "≥",
            Cmp::Lt => "<",
            Cmp::Le => "≤",
        }
    }

    pub(super) fn words(self) -> &'static str {
        match self {
            Cmp::Gt => "over",
            Cmp::Ge => "at or over",
            Cmp::Lt => "under",
            Cmp::Le => "at or under",
        }
    }
}

/// One drift score of a feature.
pub(super) struct Score {
    /// Short name for tables and sparklines.
    pub(super) name: &'static str,
    /// What it is, one line.
    pub(super) what: String,
    /// The report key of the value (for history).
    pub(super) key: &'static str,
    pub(super) value: Option<f64>,
    pub(super) threshold: Option<f64>,
    pub(super) verdict: &'static str,
    pub(super) kind: Kind,
    /// HTML: secondary numbers (p-values).
    pub(super) detail: String,
    /// HTML: the rule, next to the threshold.
    pub(super) rule: String,
}

impl Score {
    pub(super) fn ratio(&self) -> Option<f64> {
        let (v, t) = (self.value?, self.threshold?);
        let r = match self.kind {
            Kind::Distance if t > 0.0 => v / t,
            Kind::PValue if t > 0.0 && t < 1.0 => v.max(1e-300).ln() / t.ln(),
            _ => return None,
        };
        r.is_finite().then_some(r.max(0.0))
    }
}

pub(super) fn scores(f: &FeatureReport) -> Vec<Score> {
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
pub(super) fn worst_ratio(f: &FeatureReport) -> Option<(&'static str, f64)> {
    scores(f)
        .iter()
        .filter(|s| s.verdict != "skipped")
        .filter_map(|s| Some((s.name, s.ratio()?.min(1e12))))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Ok,
    Bad,
    Skip,
    Unknown,
}

pub(super) fn verdict_of(s: &str) -> Verdict {
    match s.to_ascii_lowercase().as_str() {
        "ok" | "pass" | "passed" | "completed" => Verdict::Ok,
        "drift" | "violation" | "violated" | "fail" | "failed" | "breach" => Verdict::Bad,
        "skipped" | "skip" => Verdict::Skip,
        _ => Verdict::Unknown,
    }
}

/// A verdict as a word with a symbol (never colour alone).
pub(super) fn badge(s: &str) -> String {
    let (class, sym, word) = match verdict_of(s) {
        Verdict::Ok => ("ok", "✓", if s.is_empty() { "ok" } else { s }),
        Verdict::Bad => ("bad", "✗", s),
        Verdict::Skip => ("skip", "–", s),
        Verdict::Unknown if s.is_empty() => ("skip", "?", "no verdict"),
        Verdict::Unknown => ("skip", "?", s),
    };
    format!("<span class=\"v {class}\">{sym}&nbsp;{}</span>", esc(word))
}
