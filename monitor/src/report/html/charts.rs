//! The distribution charts: PSI-bin histograms and category bars, as inline SVG.

use std::fmt::Write as _;

use super::*;

impl Renderer<'_> {
    pub(super) fn histogram(&mut self, name: &str, bins: &BinsRecord) {
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
        write_grid(o, ml, wd - mr, ymax, y);
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
        write_x_ticks(o, &ticks, floor);
        if tb > 0.0 && tc > 0.0 {
            write_largest_shift(o, &long, &pb, &pc);
        }
        w!(o, "</figure>\n");
    }

    pub(super) fn categories(&mut self, name: &str, cats: &CategoriesRecord) {
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
}

/// The horizontal grid lines at 0, ½ and 1 × `ymax`, labelled on the left of `x0`.
fn write_grid(o: &mut String, ml: f64, x1: f64, ymax: f64, y: impl Fn(f64) -> f64) {
    // Grid lines and their labels.
    let grid: Vec<(f64, String)> = (0..=2)
        .map(|k| {
            let p = ymax * k as f64 / 2.0;
            (y(p), fmt_axis_pct(p))
        })
        .collect();
    w!(o, "<path class=\"g\" d=\"");
    for (yy, _) in &grid {
        w!(o, "M{ml} {yy:.1}H{x1}");
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
}

/// Tick marks under the plot at `floor`, their labels rotated by −45°.
fn write_x_ticks(o: &mut String, ticks: &[(f64, String)], floor: f64) {
    // Ticks and their labels, rotated by −45° (coordinates turned by +45° to match).
    w!(o, "<path class=\"g\" d=\"");
    for (x, _) in ticks {
        w!(o, "M{x:.1} {floor}v5");
    }
    w!(o, "\"/><g class=\"xl\" transform=\"rotate(-45)\">");
    let c45 = std::f64::consts::FRAC_1_SQRT_2;
    for (x, t) in ticks {
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
}

/// "Largest shift": the bin whose share moved most between baseline `pb` and current `pc`.
fn write_largest_shift(o: &mut String, label: &dyn Fn(usize) -> String, pb: &[f64], pc: &[f64]) {
    let n = pb.len();
    // The largest shift, in words.
    let biggest = (0..n).max_by(|a, b| (pc[*a] - pb[*a]).abs().total_cmp(&(pc[*b] - pb[*b]).abs()));
    if let Some(i) = biggest {
        w!(
            o,
            "<p class=\"note\">Largest shift: <strong>{}</strong>, {} → {} ({} points).</p>\n",
            esc(&label(i)),
            fmt_pct(pb[i]),
            fmt_pct(pc[i]),
            format!("{:+.1}", (pc[i] - pb[i]) * 100.0).replace('-', "−")
        );
    }
}

/// The share of count `i` of `v` in the total `t` (0 when there are no rows).
fn share(v: &[f64], t: f64, i: usize) -> f64 {
    if t > 0.0 {
        v.get(i).copied().unwrap_or(0.0) / t
    } else {
        0.0
    }
}
