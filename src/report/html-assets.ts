// src/report/html-assets.ts — the one inline stylesheet and the one inline script of report.html, and their CSP hashes.
import { createHash } from 'node:crypto';

export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--accent:#0969da;
--critical:#8250df;--high:#cf222e;--medium:#bc4c00;--low:#0969da;--info:#59636e;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;--accent:#4493f8;
--critical:#ab7df8;--high:#f85149;--medium:#db6d28;--low:#4493f8;--info:#9198a1;--pass:#3fb950;--fail:#f85149;--warn:#d29922}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}h4{font-size:13px;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
a{color:var(--accent)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.meta{color:var(--muted);margin:0}
.verdict{margin:16px 0;padding:14px 16px;border-radius:8px;border:2px solid var(--line)}
.verdict.pass{border-color:var(--pass)}.verdict.fail{border-color:var(--fail)}
.verdict .word{font-size:24px;font-weight:700;margin-right:10px}
.verdict.pass .word{color:var(--pass)}.verdict.fail .word{color:var(--fail)}
.verdict.incomplete{border-color:var(--warn)}.verdict.incomplete .word{color:var(--warn)}
.lvl-incomplete{color:var(--warn);font-weight:600}.incomplete-why{margin:8px 0 0;font-weight:600}
table.coverage tr.low th,table.coverage tr.low td:last-child{color:var(--warn);font-weight:600}
.verdict ul{margin:8px 0 0;padding-left:20px}
.partial{margin:12px 0;padding:10px 14px;border-left:4px solid var(--warn);background:var(--panel)}
.lvl-fail{color:var(--fail);font-weight:600}.lvl-warn{color:var(--warn);font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{flex:1 1 140px;padding:10px 14px;border:1px solid var(--line);border-radius:8px;background:var(--panel)}
.card b{display:block;font-size:22px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.charts figure{margin:0}.charts figcaption{font-weight:600;margin-bottom:4px}
svg text{fill:var(--fg);font:12px system-ui,sans-serif}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin:8px 0 12px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
.filters select{font:inherit;padding:3px 6px;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.factors{display:block;color:var(--muted);font-size:11px;white-space:nowrap}
.badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid currentColor}
.sev-critical{color:var(--critical)}.sev-high{color:var(--high)}.sev-medium{color:var(--medium)}.sev-low{color:var(--low)}.sev-info{color:var(--info)}
.tentative{font-style:italic;color:var(--muted)}
details.finding{border:1px solid var(--line);border-radius:8px;margin:10px 0;background:var(--bg)}
details.finding>summary{cursor:pointer;padding:8px 12px;list-style-position:inside}
details.finding[open]>summary{border-bottom:1px solid var(--line);background:var(--panel)}
details.finding .body{padding:4px 16px 12px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow:auto;max-height:480px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
.xhead{font-size:12px;color:var(--muted);margin-top:10px}
.note{color:var(--warn);font-size:12px}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:16px}
.cols ul{padding-left:18px;margin:4px 0}
footer{margin:40px 0 8px;color:var(--muted);font-size:12px}
mark.evidence{background:#fff8c5;color:#1f2328;outline:2px solid #bf8700;border-radius:2px}
button{font:inherit;padding:2px 10px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer}
button.copy{font-size:11px;text-transform:none;letter-spacing:0;margin-left:8px}
caption{text-align:left;font-size:12px;padding:4px 0}
tr.over td{font-weight:600}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
`;

/** Filters (family, severity, confidence, status, exposure), opening a finding's details from a link, copying curl. */
export const SCRIPT = `
'use strict';
(function () {
  var dataEl = document.getElementById('data');
  var data = JSON.parse(dataEl ? dataEl.textContent || '{}' : '{}');
  var byIndex = {};
  (data.findings || []).forEach(function (f) { byIndex[String(f.i)] = f; });
  var selects = Array.prototype.slice.call(document.querySelectorAll('select[data-filter]'));
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-i]'));
  var shown = document.getElementById('shown');
  function apply() {
    var want = {};
    selects.forEach(function (s) { if (s.value !== '') want[s.getAttribute('data-filter')] = s.value; });
    var visible = {};
    var count = 0;
    Object.keys(byIndex).forEach(function (k) {
      var f = byIndex[k];
      var ok = Object.keys(want).every(function (key) { return String(f[key]) === want[key]; });
      visible[k] = ok;
      if (ok) count++;
    });
    items.forEach(function (el) { el.hidden = !visible[el.getAttribute('data-i')]; });
    if (shown) shown.textContent = count + ' of ' + Object.keys(byIndex).length + ' shown';
  }
  // Without the data block (the dashboard filters on the server) rows stay as rendered.
  if (dataEl) selects.forEach(function (s) { s.addEventListener('change', apply); });
  var reset = document.getElementById('reset');
  if (reset && dataEl) reset.addEventListener('click', function () { selects.forEach(function (s) { s.value = ''; }); apply(); });
  function openHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') { el.open = true; el.hidden = false; }
  }
  window.addEventListener('hashchange', openHash);
  Array.prototype.slice.call(document.querySelectorAll('pre.repro')).forEach(function (src) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'copy';
    b.textContent = 'copy curl';
    b.addEventListener('click', function () {
      var text = src.textContent || '';
      var done = function () { b.textContent = 'copied'; };
      if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, function () {}); return; }
      var r = document.createRange(); r.selectNodeContents(src);
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
      if (document.execCommand('copy')) done();
    });
    src.parentNode.insertBefore(b, src);
  });
  openHash();
  if (dataEl) apply();
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export const STYLE_HASH = sha256(STYLE);
export const SCRIPT_HASH = sha256(SCRIPT);

/** The page's Content-Security-Policy: nothing loads, only our own style and script run. */
export const CSP = `default-src 'none'; style-src ${STYLE_HASH}; script-src ${SCRIPT_HASH}; img-src data:; base-uri 'none'; form-action 'none'`;
