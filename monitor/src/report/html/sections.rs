//! The page's sections other than the features: violations, ranking, data read, model
//! quality and the thresholds used.

use std::fmt::Write as _;

use super::*;

impl Renderer<'_> {
    pub(super) fn violations_section(
        &mut self,
        report: &DriftReport,
        features: &[(f64, &FeatureReport)],
    ) {
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

    pub(super) fn ranking_section(&mut self, features: &[(f64, &FeatureReport)]) {
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

    pub(super) fn data_section(&mut self, report: &DriftReport) {
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

    pub(super) fn model_quality_section(&mut self, mq: &ModelQualitySection) {
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

    pub(super) fn config_section(&mut self, report: &DriftReport) {
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

/// The constraint check of `metric`, if the section has one.
pub(super) fn mq_check<'m>(
    mq: &'m ModelQualitySection,
    metric: &str,
) -> Option<&'m MetricCheckRecord> {
    mq.checks.iter().flatten().find(|c| c.metric == metric)
}
