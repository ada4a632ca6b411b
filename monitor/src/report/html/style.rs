//! The page's inline stylesheet (light and dark, and a narrow layout below 640 px).

pub(super) const CSS: &str = r#"
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
