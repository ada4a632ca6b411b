//! One section per feature: its summary, its scores table with history sparklines.

use std::fmt::Write as _;

use super::*;

impl<'a> Renderer<'a> {
    pub(super) fn features_section(&mut self, features: &[(f64, &FeatureReport)]) {
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

    pub(super) fn feature(&mut self, i: usize, sev: f64, f: &FeatureReport) {
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

    pub(super) fn scores_table(&mut self, name: &str, f: &FeatureReport) {
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
    pub(super) fn streak(&self, name: &str, f: &FeatureReport) -> Option<(usize, &'a str)> {
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
    pub(super) fn streak_text(&self, name: &str, f: &FeatureReport) -> Option<String> {
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
    pub(super) fn series(&self, name: &str, s: &Score) -> Vec<Option<f64>> {
        self.hist_index
            .iter()
            .map(|idx| idx.get(name).and_then(|f| score_value(f, s.key)))
            .chain(std::iter::once(s.value))
            .collect()
    }

    /// A sparkline of `series` (oldest first, this run last) with the threshold as a dashed line.
    /// `cmp` says when a value is on the wrong side of the threshold; p-values are drawn as
    /// −log10 p so that up is always "more drift" for drift scores.
    pub(super) fn sparkline(
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
}
