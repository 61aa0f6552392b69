// src/dashboard/assets.ts — the dashboard's static files: htmx and uPlot from node_modules (no CDN, no build step),
// the report's own stylesheet and script (the same code as report.html) plus the dashboard's small client.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SCRIPT, STYLE } from '../report/html-assets.js';

/** Live progress (SSE), uPlot trend charts, keyboard navigation; loaded after the report script. */
export const CLIENT = `
'use strict';
(function () {
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent || 'null') : null; }
  // Live progress of running scans over server-sent events.
  Array.prototype.slice.call(document.querySelectorAll('[data-progress-scan]')).forEach(function (box) {
    var id = box.getAttribute('data-progress-scan');
    var bar = box.querySelector('progress');
    var text = box.querySelector('.progress-text');
    var es = new EventSource('/events/scans/' + encodeURIComponent(id));
    es.addEventListener('progress', function (e) {
      var p = JSON.parse(e.data);
      if (bar) { bar.max = Math.max(1, p.total); bar.value = p.done; }
      if (text) text.textContent = p.text;
      box.setAttribute('data-done', String(p.done));
    });
    es.addEventListener('finished', function () { es.close(); if (box.hasAttribute('data-reload')) location.reload(); else if (text) text.textContent += ' (finished: reload to see the results)'; });
  });
  // The guard page's live part: re-fetched every second, replaced only when it changed (a button is not swapped away
  // under a click); the server escapes everything in it.
  var live = document.querySelector('[data-live]');
  if (live) {
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(live.getAttribute('data-live'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (r) {
          var state = r.headers.get('x-live-state');
          if (!r.ok || state === live.getAttribute('data-live-state')) return null;
          return r.text().then(function (html) { live.innerHTML = html; live.setAttribute('data-live-state', state || ''); });
        })
        .catch(function () { return null; })
        .then(function () { busy = false; });
    }, 1000);
  }
  // Trend sparklines: findings per scan, pass/fail by point shape in the table beside it (readable without colour).
  var trends = json('trend-data');
  if (trends && window.uPlot) {
    Object.keys(trends).forEach(function (k) {
      var el = document.getElementById('trend-' + k);
      var d = trends[k];
      if (!el || !d || d.x.length === 0) return;
      new window.uPlot({ width: 260, height: 70, legend: { show: false }, cursor: { show: false },
        scales: { x: { time: true } }, axes: [{ show: false }, { show: false }],
        series: [{}, { label: 'findings', stroke: '#0969da', width: 2, points: { show: true, size: 5 } }] }, [d.x, d.y], el);
    });
  }
  // Keyboard: j/k move between rows of the main table, / jumps to the filters, ? shows the keys.
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll('main table tbody tr a')); };
  document.addEventListener('keydown', function (e) {
    var tag = (e.target && e.target.tagName) || '';
    if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|SELECT|TEXTAREA|BUTTON/.test(tag)) return;
    var links = rows();
    var at = links.indexOf(document.activeElement);
    if (e.key === 'j' || e.key === 'k') {
      if (links.length === 0) return;
      var next = e.key === 'j' ? Math.min(links.length - 1, at + 1) : Math.max(0, at < 0 ? 0 : at - 1);
      links[next].focus();
      e.preventDefault();
    } else if (e.key === '/') {
      var f = document.querySelector('.filters select');
      if (f) { f.focus(); e.preventDefault(); }
    } else if (e.key === '?') {
      var help = document.getElementById('keys');
      if (help) help.hidden = !help.hidden;
    }
  });
})();
`;

export const DASHBOARD_STYLE = `${STYLE}
nav.top{display:flex;gap:16px;align-items:center;padding:8px 24px;border-bottom:1px solid var(--line);background:var(--panel)}
nav.top a{font-weight:600;text-decoration:none}nav.top .who{margin-left:auto;color:var(--muted);font-size:12px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px}
.trend{display:flex;gap:2px;font-family:ui-monospace,monospace}
.t-pass{color:var(--pass)}.t-fail{color:var(--fail)}.t-incomplete{color:var(--warn)}.t-none{color:var(--muted)}
.spark{width:260px;height:70px}
progress{width:320px;height:14px}
form.inline{display:inline}
.acceptform{display:grid;grid-template-columns:max-content 1fr;gap:6px 10px;max-width:640px;margin:8px 0}
.acceptform input{font:inherit;padding:3px 6px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.error{padding:12px 16px;border-left:4px solid var(--fail);background:var(--panel)}
.stale{color:var(--warn);font-weight:600}
.decision-allow{color:var(--pass)}.decision-deny{color:var(--fail)}
`;

const require = createRequire(import.meta.url);
const read = (spec: string): string => readFileSync(require.resolve(spec), 'utf8');

export interface Asset {
  type: string;
  body: string;
}

/** Every file the dashboard serves under /assets/, read once. */
export function loadAssets(): Record<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  return {
    'htmx.min.js': { type: js, body: read('htmx.org/dist/htmx.min.js') },
    'uplot.min.js': { type: js, body: read('uplot/dist/uPlot.iife.min.js') },
    'uplot.min.css': { type: css, body: read('uplot/dist/uPlot.min.css') },
    'report.js': { type: js, body: SCRIPT },
    'dashboard.js': { type: js, body: CLIENT },
    'style.css': { type: css, body: DASHBOARD_STYLE },
  };
}
