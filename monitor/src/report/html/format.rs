//! Formatting numbers, counts, text and tables for the page.

use super::*;

/// HTML-escapes text for element content and attribute values.
pub(super) fn esc(s: &str) -> String {
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
pub(super) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut o: String = s.chars().take(max.saturating_sub(1)).collect();
        o.push('…');
        o
    }
}

pub(super) fn trim_zeros(s: String) -> String {
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

pub(super) fn group_thousands(int: &str) -> String {
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
pub(super) fn fmt_sig(x: f64, sig: i32) -> String {
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

pub(super) fn fmt_num(x: f64) -> String {
    fmt_sig(x, 4)
}

/// p-values: two significant digits in scientific notation below 0.001.
pub(super) fn fmt_p(p: f64) -> String {
    if p.is_finite() && p > 0.0 && p < 1e-3 {
        format!("{p:.1e}")
    } else {
        fmt_sig(p, 3)
    }
}

/// A number, or a dash for none or a non-finite one.
pub(super) fn fmt_opt(x: Option<f64>) -> String {
    x.and_then(fin).map_or_else(|| "—".into(), fmt_num)
}

pub(super) fn fmt_pct(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

/// Short axis labels: 28.9k, 1.2M.
pub(super) fn fmt_compact(x: f64, sig: i32) -> String {
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

pub(super) fn times(r: f64) -> String {
    if r >= 100.0 {
        format!("{}×", fmt_sig(r, 3))
    } else {
        format!("{r:.2}×")
    }
}

/// Counts as drawn: a non-finite count (`null` in the file) is 0.
pub(super) fn counts(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| fin(*x).unwrap_or(0.0)).collect()
}

/// A table of `rows` under `head`: the first [`TOP_ROWS`] shown, the others in a collapsed
/// `<details>` below (all in the page, one tap away).
pub(super) fn split_table(class: &str, head: &str, rows: &[String], what: &str) -> String {
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
pub(super) fn check_matches(check: &str, score: &str) -> bool {
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
pub(super) fn duration(start: &str, end: &str) -> Option<String> {
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

pub(super) fn fmt_severity(s: f64) -> String {
    // Truncated, not rounded: 2.999 must not read as 3 violations.
    format!("{:.2}", (s * 100.0).floor() / 100.0)
}

pub(super) fn fmt_axis_pct(p: f64) -> String {
    let s = trim_zeros(format!("{:.1}", p * 100.0));
    format!("{s}%")
}

/// The smallest "nice" upper bound of a share axis at or above `p`.
pub(super) fn nice_ceiling(p: f64) -> f64 {
    const STEPS: [f64; 12] = [
        0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|s| *s >= p - 1e-12)
        .unwrap_or(1.0)
}
