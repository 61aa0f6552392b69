// bench/targets.bench.mjs — real third-party applications in the loop: per target (../shared/targets/<name>) run
// setup.sh, scan it as configured and zero-config with the built CLI (DVWA: `vouch gate` secure → vulnerable), run
// wapiti on it, score everything against bench/targets/<name>.json and print the tables (docs/targets.md).
// `npm run bench -- targets [name…] [--wapiti-time 300] [--scan-timeout 1800] [--no-wapiti] [--only configured]`
// `--rescore .vouch/bench/targets/<stamp>` scores a finished run's reports again (after editing a ground truth).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outsideWrites, scoreGate, scoreSurface, scoreVouch, scoreWapiti, wapitiFindings, whyMissed } from './targets/score.mjs';
import { startProxy } from './targets/proxy.mjs';
import { targets } from './targets/targets.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'bench', 'targets');
const say = (s) => process.stdout.write(`${s}\n`);
const log = (s) => process.stderr.write(`[targets ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

// Options: bare words are target names; --wapiti-time S bounds wapiti's scan, --scan-timeout S each vouch run.
const names = [];
const opt = { wapitiTime: 300, scanTimeout: 1800, wapiti: true, only: undefined, rescore: undefined };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const value = () => a.split('=')[1] ?? process.argv[++i];
  if (a.startsWith('--wapiti-time')) opt.wapitiTime = Number(value());
  else if (a.startsWith('--scan-timeout')) opt.scanTimeout = Number(value());
  else if (a === '--no-wapiti') opt.wapiti = false;
  else if (a.startsWith('--only')) opt.only = value();
  else if (a.startsWith('--rescore')) opt.rescore = value();
  else if (!a.startsWith('-')) names.push(a);
}
for (const n of names) {
  if (!targets[n]) {
    process.stderr.write(`bench targets: unknown target "${n}"; known: ${Object.keys(targets).join(', ')}\n`);
    process.exit(2);
  }
}
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  process.stderr.write('bench targets: dist/ is missing; run `npx tsc -p tsconfig.build.json` first\n');
  process.exit(2);
}
const previous = opt.rescore ? readJsonOrExit(join(opt.rescore, 'result.json')) : undefined;
const chosen = names.length ? names : previous ? Object.keys(previous.targets) : Object.keys(targets);
const missing = previous ? chosen.filter((n) => !previous.targets[n]) : [];
if (missing.length) {
  process.stderr.write(`bench targets: ${opt.rescore} holds no run of ${missing.join(', ')}; rescore the targets it has: ${Object.keys(previous.targets).join(', ')}\n`);
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const outRoot = opt.rescore ?? join(root, '.vouch', 'bench', 'targets', stamp);
mkdirSync(outRoot, { recursive: true });
const categories = JSON.parse(readFileSync(join(here, 'wapiti-categories.json'), 'utf8')).categories;

function readJsonOrExit(f) {
  if (!existsSync(f)) {
    process.stderr.write(`bench targets: ${f} not found; --rescore takes a folder of a finished run (.vouch/bench/targets/<stamp>)\n`);
    process.exit(2);
  }
  return JSON.parse(readFileSync(f, 'utf8'));
}

/** Runs a command, samples its peak RSS (VmHWM) from /proc, stops it (SIGINT, then SIGKILL) after `timeoutS`. */
function measured(cmd, args, { env = {}, timeoutS, cwd = root }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    let out = '';
    let timedOut = false;
    child.stdout.on('data', (c) => (out = (out + c).slice(-20_000)));
    child.stderr.on('data', (c) => (out = (out + c).slice(-20_000)));
    const sample = setInterval(() => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        if (kb > peakKb) peakKb = kb;
      } catch {
        // the process has just exited: the last sample stands
        clearInterval(sample);
      }
    }, 250);
    const stop = setTimeout(() => {
      timedOut = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearInterval(sample);
      clearTimeout(stop);
      resolve({ code: code ?? signal, timedOut, wallS: (performance.now() - t0) / 1000, peakMb: Math.round(peakKb / 1024), tail: out.split('\n').slice(-8).join('\n') });
    });
  });
}

const readJson = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined);

/** Scores a finished run's saved reports again with the current ground truth (run figures as they were). */
function rescore(t, truth, res) {
  const saved = previous.targets[t];
  res.gate = undefined;
  for (const [mode, fig] of Object.entries(saved.runs)) {
    const run = { code: fig.code, timedOut: fig.timedOut, wallS: fig.wallS, peakMb: fig.peakMb, tail: fig.tail };
    if (mode === 'wapiti') {
      const json = readJson(join(outRoot, t, 'wapiti', 'wapiti.json'));
      const found = json ? wapitiFindings(json, categories) : [];
      res.runs.wapiti = { run, requests: fig.requests, score: json ? scoreWapiti(found, truth, { variant: targets[t].wapiti.variant }) : undefined };
      continue;
    }
    const report = readJson(join(outRoot, t, mode, 'report.json'));
    const variant = targets[t][mode === 'configured' ? 'configured' : 'zeroConfig'].variant;
    res.runs[mode] = { run, report, score: report ? scoreVouch(report, truth, { variant }) : undefined };
    if (report) res.runs[mode].surface = surfaceFigures(t, mode, report, truth);
    if (mode === 'configured' && targets[t].configured.gate && report) res.gate = scoreGate(report, truth);
  }
  if (saved.error) res.error = saved.error;
}

/** One vouch run (scan or gate) through the built CLI; the report is read even when the CLI exits 2 (incomplete). */
async function vouch(kind, t, mode, env) {
  const dir = join(outRoot, t, mode);
  mkdirSync(dir, { recursive: true });
  const spec = mode === 'configured' ? targets[t].configured : targets[t].zeroConfig;
  const cfg = mode === 'configured' ? ['-c', join(here, `${t}.vouch.yaml`)] : [];
  const args = spec.gate
    ? ['gate', '--candidate', spec.gate.candidate, '--baseline', spec.gate.baseline, ...cfg]
    : ['scan', spec.url, ...cfg];
  log(`${t} ${mode}: vouch ${args.join(' ')}`);
  // Zero-config runs from an empty folder so no ./vouch.yaml is picked up.
  const cwd = mode === 'configured' ? root : dir;
  const run = await measured(process.execPath, [join(root, 'bin', 'vouch.js'), ...args, '--format', 'json', '--out', dir, '-q'], { env, timeoutS: opt.scanTimeout, cwd });
  const report = readJson(join(dir, 'report.json'));
  if (!report) log(`${t} ${mode}: no report.json (exit ${run.code}): ${run.tail}`);
  return { kind, spec, dir, run, report };
}

/** Installs wapiti (Debian) when missing; waits for other apt users through apt's own lock timeout. */
function ensureWapiti() {
  if (spawnSync('sh', ['-c', 'command -v wapiti']).status === 0) return true;
  log('installing wapiti (apt-get)');
  const r = spawnSync('sh', ['-c', 'apt-get -o DPkg::Lock::Timeout=600 update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y wapiti'], { stdio: 'inherit' });
  return r.status === 0;
}

async function wapiti(t, login) {
  const w = targets[t].wapiti;
  const dir = join(outRoot, t, 'wapiti');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'wapiti.json');
  // Through a loopback-only proxy: it refuses wapiti's off-machine endpoints and redirects, applies the exclusions
  // (wapiti 3.0.4's -x crashes on Python 3.11) and counts requests. It is also wapiti's endpoint (never called back).
  const proxy = await startProxy({ exclude: w.exclude });
  const args = ['-u', w.url, '--scope', 'folder', '-f', 'json', '-o', file, '--flush-session', '--store-session', join(dir, 'session'), '--no-bugreport', '-v', '0',
    '-p', proxy.url, '--external-endpoint', proxy.url, '--internal-endpoint', proxy.url,
    '--max-scan-time', String(opt.wapitiTime), '--max-attack-time', String(Math.max(30, Math.round(opt.wapitiTime / 8))),
    ...(w.start ?? []).flatMap((s) => ['-s', s]), ...login.wapiti];
  log(`${t}: wapiti ${args.join(' ').replace(/(Authorization: (Bearer )?)\S+/g, '$1[REDACTED]').replace(/-c \S+/, '-c <cookie file>')}`);
  const run = await measured('wapiti', args, { timeoutS: opt.wapitiTime + 300 });
  await proxy.close();
  const s = proxy.stats;
  log(`${t}: wapiti done (exit ${run.code}); proxy forwarded ${s.forwarded}, refused ${s.refusedPath} excluded paths and ${s.refusedHost} off-machine requests${s.refusedHosts.size ? ` (${[...s.refusedHosts].join(', ')})` : ''}`);
  if (!existsSync(file)) log(`${t}: wapiti wrote no report: ${run.tail}`);
  return { run, json: readJson(file), file, requests: s.forwarded };
}

/** Identity names of a target's bench config (for "stayed signed in"); none for zero-config runs. */
function configuredIdentities(t, mode) {
  if (mode !== 'configured') return [];
  const text = readFileSync(join(here, `${t}.vouch.yaml`), 'utf8');
  const block = /^identities:\n((?:[ \t]+.*\n|\n)*)/m.exec(text)?.[1] ?? '';
  return [...block.matchAll(/^ {2}([A-Za-z0-9_-]+):/gm)].map((m) => m[1]);
}

/** A vouch run's audit log: the scan's, or the candidate's of a gate. */
function auditOf(t, mode) {
  for (const f of [join(outRoot, t, mode, 'audit.jsonl'), join(outRoot, t, mode, 'candidate', 'audit.jsonl')]) {
    if (existsSync(f)) return readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
  return [];
}

/** Issue 17's figures for one vouch run: routes found by source, identities signed in, writes on others' objects. */
function surfaceFigures(t, mode, report, truth) {
  const s = scoreSurface(report, truth, configuredIdentities(t, mode));
  const created = report?.created ?? [];
  const writes = outsideWrites(auditOf(t, mode), created, (report?.accounts ?? []).map((a) => a.identity));
  const examples = (kinds) => [...new Set(writes.filter((w) => kinds.includes(w.kind)).map((w) => `${w.method} ${new URL(w.url).pathname} (${w.checkId})`))].slice(0, 4);
  const destructive = writes.filter((w) => w.kind !== 'modify');
  return { ...s, destructiveWrites: destructive.length, modifyWrites: writes.length - destructive.length, destructiveExamples: examples(['delete', 'dangerous']), modifyExamples: examples(['modify']) };
}

const pct = (x) => `${(x * 100).toFixed(0)}%`;
const fmtRun = (r) => `${r.wallS.toFixed(0)} s`;

/** Prints one target's tables (markdown, so docs/benchmarks.md can hold them as printed). */
function print(t, res) {
  say(`\n### ${t}\n`);
  say('| run | confirmed | tentative | missed | confirmed % | confirmed outside truth (unexamined) | requests | wall | peak RSS | exit |');
  say('|---|---|---|---|---|---|---|---|---|---|');
  for (const [mode, r] of Object.entries(res.runs)) {
    const s = r.score;
    const req = r.report?.stats?.requests?.sent ?? r.requests ?? '–';
    say(`| ${mode} | ${s ? s.confirmed : '–'} | ${s ? s.tentative : '–'} | ${s ? s.missed : '–'} | ${s ? `${pct(s.confirmedRatio)} of ${s.dastTestable}` : '–'} | ${s ? `${s.outside.length} (${s.unexamined})` : '–'} | ${req} | ${fmtRun(r.run)}${r.run.timedOut ? ' (timed out)' : ''} | ${r.run.peakMb} MB | ${r.run.code} |`);
  }
  const surfaced = Object.entries(res.runs).filter(([, r]) => r.surface);
  if (surfaced.length) {
    say('\n| run | operations | real routes found | by source (operations / routes) | identities signed in throughout | destructive requests on objects vouch did not create | modifications of objects vouch did not create |');
    say('|---|---|---|---|---|---|---|');
    for (const [mode, r] of surfaced) {
      const f = r.surface;
      const src = Object.entries(f.bySource).map(([k, v]) => `${k} ${v.operations}/${v.routes}`).join(', ');
      const ids = f.identities ? `${f.signedIn.length} of ${f.identities}${f.lost.length ? ` (lost: ${f.lost.join(', ')})` : ''}` : '–';
      const n = (count, ex) => `${count}${ex.length ? ` (${ex.join('; ')})` : ''}`;
      say(`| ${mode} | ${f.operations} | ${f.routesFound} of ${f.routes} (${pct(f.routesRatio)}) | ${src} | ${ids} | ${n(f.destructiveWrites, f.destructiveExamples)} | ${n(f.modifyWrites, f.modifyExamples)} |`);
    }
  }
  const modes = Object.keys(res.runs);
  const conf = res.runs.configured;
  say(`\n| entry | class | who | dast | ${modes.join(' | ')} | why not confirmed (as configured) |`);
  say(`|---|---|---|---|${modes.map(() => '---').join('|')}|---|`);
  for (const e of res.entries) {
    const cells = modes.map((m) => res.runs[m].score?.entries.find((x) => x.id === e.id)?.state ?? '–');
    const state = conf?.score?.entries.find((x) => x.id === e.id)?.state;
    const why = !e.dast ? (e.why ?? '') : conf?.report && state !== 'confirmed' ? whyMissed(e, conf.report) : '';
    say(`| ${e.id} | ${e.class} | ${e.who} | ${e.dast ? 'yes' : 'no'} | ${cells.join(' | ')} | ${why.replace(/\|/g, '\\|').slice(0, 220)} |`);
  }
  for (const [mode, r] of Object.entries(res.runs)) {
    if (!r.score?.outside.length) continue;
    say(`\n${mode}: confirmed findings outside the ground truth, by check and what the ground truth's \`extra\` says`);
    const byCheck = new Map();
    for (const o of r.score.outside) {
      const verdict = o.examined ? `${o.examined.verdict}: ${o.examined.why}` : 'NOT EXAMINED';
      const key = `${o.checkId}\u0000${verdict}`;
      byCheck.set(key, [...(byCheck.get(key) ?? []), `${o.method ?? ''} ${o.path ?? ''}${o.parameter ? ` [${o.parameter}]` : ''}`]);
    }
    for (const [key, ops] of byCheck) {
      const [check, verdict] = key.split('\u0000');
      const shown = [...new Set(ops)];
      say(`- ${check} ×${ops.length} (${shown.slice(0, 5).join(', ')}${shown.length > 5 ? ', …' : ''}) — ${verdict}`);
    }
  }
  if (res.gate) {
    const g = res.gate;
    say(`\ngate 4281 (impossible, baseline) → 4280 (low, candidate): verdict ${g.verdict}; ${g.newFindings} new findings; low-only entries reported new and confirmed: ${g.lowOnlyReportedNew.length} of ${g.lowOnlyTestable}${g.lowOnlyReportedNew.length ? ` (${g.lowOnlyReportedNew.join(', ')})` : ''}; new but present at impossible: ${g.wronglyNew.length}${g.wronglyNew.length ? ` (${g.wronglyNew.join('; ')})` : ''}`);
  }
  const c = res.runs.configured;
  const w = res.runs.wapiti;
  if (c?.score && w?.score) {
    const ratio = w.score.confirmed ? (c.score.confirmed / w.score.confirmed).toFixed(2) : c.score.confirmed ? '∞' : 'n/a (0/0)';
    say(`\nvouch/wapiti: confirmed entries ${c.score.confirmed}/${w.score.confirmed} = ${ratio}; time ${c.run.wallS.toFixed(0)}/${w.run.wallS.toFixed(0)} s = ${(c.run.wallS / w.run.wallS).toFixed(2)}`);
  }
}

const results = previous ? { ...previous, rescoredAt: new Date().toISOString(), targets: { ...previous.targets } } : { date: new Date().toISOString(), commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim(), node: process.version, cpus: (await import('node:os')).cpus().length, options: opt, targets: {} };
say(`targets bench — ${results.date}, commit ${results.commit}, node ${results.node}, ${results.cpus} cores; out ${outRoot}${previous ? ` (scores recomputed ${results.rescoredAt})` : ''}`);
const haveWapiti = !previous && opt.wapiti && ensureWapiti();
if (!previous && opt.wapiti && !haveWapiti) log('wapiti is not available: its column is left out');

/** A freshly (re)started target may refuse connections for a moment after setup.sh returns: a few tries. */
async function retried(fn, what, tries = 5) {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= tries) throw e;
      log(`${what}: ${e.message}; again in 3 s`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

/** Sets a target up and runs each mode after a reset (wapiti after a fresh login); scores each run into `res`. */
async function measure(t, truth, res) {
  try {
    log(`${t}: setup.sh`);
    targets[t].up();
    for (const mode of ['configured', 'zero-config', 'wapiti']) {
      if (opt.only && opt.only !== mode) continue;
      if (mode === 'wapiti' && !haveWapiti) continue;
      log(`${t}: reset before ${mode}`);
      targets[t].reset();
      mkdirSync(join(outRoot, t), { recursive: true });
      if (mode === 'wapiti') {
        // wapiti is given a session obtained here; vouch logs in by itself with the recipes of <target>.vouch.yaml.
        const login = await retried(() => targets[t].login(join(outRoot, t)), `${t} login`);
        const w = await wapiti(t, login);
        const found = w.json ? wapitiFindings(w.json, categories) : [];
        res.runs.wapiti = { run: w.run, requests: w.requests, score: w.json ? scoreWapiti(found, truth, { variant: targets[t].wapiti.variant }) : undefined };
        continue;
      }
      const key = mode === 'configured' ? 'configured' : 'zeroConfig';
      const v = await vouch(mode === 'configured' && targets[t].configured.gate ? 'gate' : 'scan', t, mode, {});
      res.runs[mode] = { run: v.run, report: v.report, score: v.report ? scoreVouch(v.report, truth, { variant: targets[t][key].variant }) : undefined };
      if (v.report) res.runs[mode].surface = surfaceFigures(t, mode, v.report, truth);
      if (v.kind === 'gate' && v.report) res.gate = scoreGate(v.report, truth);
    }
  } catch (e) {
    log(`${t}: ${e.message}`);
    res.error = e.message;
  }
}

for (const t of chosen) {
  const truth = JSON.parse(readFileSync(join(here, `${t}.json`), 'utf8'));
  const res = { entries: truth.entries, runs: {} };
  if (previous) rescore(t, truth, res);
  else await measure(t, truth, res);
  print(t, res);
  // The JSON keeps scores and run figures, not the reports (they stay in their folders under outRoot).
  const runs = Object.entries(res.runs).map(([m, r]) => [m, { ...r.run, requests: r.report?.stats?.requests?.sent ?? r.requests ?? null, verdict: r.report?.verdict ?? null, score: r.score, surface: r.surface ?? null }]);
  results.targets[t] = { error: res.error, gate: res.gate, runs: Object.fromEntries(runs) };
  writeFileSync(join(outRoot, 'result.json'), `${JSON.stringify(results, null, 2)}\n`);
}
writeFileSync(join(root, '.vouch', 'bench', 'targets', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
say(`\nresult: ${join(outRoot, 'result.json')}`);
