// bench/targets/score.mjs — pure scoring of one scan against a target's ground truth: which entries a vouch
// report.json (or wapiti's JSON, mapped to the same classes) confirms, leaves tentative or misses, and which
// confirmed findings fall outside the ground truth. No I/O: (report, truth, options) → scores.

/** Entries that apply to a scanned variant (DVWA: `low` / `impossible`; single-variant targets: all). */
export function applicable(truth, variant) {
  return truth.entries.filter((e) => !variant || !e.variant || e.variant === 'both' || e.variant === variant);
}

const re = (pattern) => new RegExp(pattern, 'i');

/** The places a vouch finding points at: its operation and every other location of the same root cause. */
function places(f) {
  const list = [{ method: f.operation?.method ?? '', path: f.operation?.path ?? '', parameter: f.parameter }];
  for (const l of f.locations ?? []) list.push({ method: l.method, path: l.path, parameter: l.parameter });
  // A finding's URL may hold a path the operation template hides (a crawled page under a template).
  try {
    if (f.url) list.push({ method: f.operation?.method ?? '', path: new URL(f.url).pathname, parameter: f.parameter });
  } catch {
    // not a URL (a GraphQL field name or a placeholder): only the operation counts
    list.push({ method: '', path: '', parameter: undefined });
  }
  return list;
}

/** Whether one place matches an entry's `match` (path regex, optional methods, optional parameter regex). */
function placeMatches(m, p) {
  if (!re(m.path).test(p.path)) return false;
  if (m.methods && !m.methods.map((x) => x.toUpperCase()).includes(p.method.toUpperCase())) return false;
  if (m.parameter && !(p.parameter !== undefined && re(m.parameter).test(p.parameter))) return false;
  return true;
}

/** Whether a vouch finding proves this entry: one of its check ids, at a matching operation. */
export function vouchMatches(entry, f) {
  const m = entry.match;
  if (!m || !m.checks.includes(f.checkId)) return false;
  // `text`: what the finding must say (title or proof summary) when one check proves several entries.
  if (m.text && !re(m.text).test(`${f.title ?? ''} ${f.proof?.summary ?? ''}`)) return false;
  return places(f).some((p) => placeMatches(m, p));
}

/** Whether a finding is one the ground truth's `extra` list already examined (true problem or false positive). */
export function examined(truth, f, tool = 'vouch') {
  return (truth.extra ?? []).find(
    (x) => (x.tool ?? 'vouch') === tool && x.checkId === f.checkId && places(f).some((p) => re(x.path).test(p.path)),
  );
}

/**
 * Scores one vouch report.json against the ground truth.
 * Returns per entry: confirmed | tentative | missed (| n/a when not DAST-testable), and the confirmed findings
 * outside the ground truth (each with what `extra` says of it, when it was examined).
 */
export function scoreVouch(report, truth, { variant } = {}) {
  const entries = applicable(truth, variant);
  const findings = report?.findings ?? [];
  const rows = entries.map((e) => {
    const hits = findings.filter((f) => vouchMatches(e, f));
    const state = !e.dast ? 'n/a' : hits.some((f) => f.confidence === 'confirmed') ? 'confirmed' : hits.length ? 'tentative' : 'missed';
    return { id: e.id, class: e.class, dast: e.dast, state, findings: hits.map((f) => f.fingerprint) };
  });
  // Outside: confirmed findings that match no entry of ANY variant (a low-only entry seen at impossible is a
  // false positive of that scan, so variant-specific entries only count for their own variant).
  const outside = findings
    .filter((f) => f.confidence === 'confirmed' && !entries.some((e) => vouchMatches(e, f)))
    .map((f) => ({ checkId: f.checkId, method: f.operation?.method, path: f.operation?.path, parameter: f.parameter, fingerprint: f.fingerprint, examined: examined(truth, f) ?? null }));
  return summarize(rows, outside);
}

function summarize(rows, outside) {
  const dast = rows.filter((r) => r.dast);
  const count = (s) => dast.filter((r) => r.state === s).length;
  return {
    entries: rows,
    dastTestable: dast.length,
    confirmed: count('confirmed'),
    tentative: count('tentative'),
    missed: count('missed'),
    confirmedRatio: dast.length ? count('confirmed') / dast.length : 0,
    outside,
    falsePositives: outside.filter((o) => o.examined?.verdict === 'false-positive').length,
    unexamined: outside.filter((o) => !o.examined).length,
  };
}

/**
 * Wapiti 3 JSON: `vulnerabilities: { <category>: [{ method, path, parameter, info, level }] }`. Each category maps to
 * ground-truth classes (`categories`); a wapiti finding counts as confirmed (wapiti's own standard: it reports
 * what its module's detection fired on, with no separate proof step).
 */
export function wapitiFindings(json, categories) {
  const out = [];
  for (const [category, list] of Object.entries(json?.vulnerabilities ?? {})) {
    for (const v of list ?? []) {
      let path = v.path ?? '';
      try {
        path = new URL(path, 'http://x').pathname;
      } catch {
        // keep wapiti's path as given
      }
      const info = String(v.info ?? '');
      const classes = [...(categories[category] ?? [])];
      // wapiti's sql module also reports XPath and LDAP errors under "SQL Injection"
      if (/xpath/i.test(info)) classes.push('xpath-injection');
      if (/ldap/i.test(info)) classes.push('ldap-injection');
      if (category === 'Path Traversal' && /remote/i.test(info)) classes.push('rfi');
      out.push({ category, classes, method: v.method ?? 'GET', path, parameter: v.parameter ?? '', info });
    }
  }
  return out;
}

/** Whether a wapiti finding proves this entry: same class, matching operation. */
export function wapitiMatches(entry, w) {
  if (!entry.match || !w.classes.includes(entry.class)) return false;
  const m = entry.match;
  if (!re(m.path).test(w.path)) return false;
  return !m.methods || m.methods.map((x) => x.toUpperCase()).includes(w.method.toUpperCase());
}

/** Scores wapiti's findings (from `wapitiFindings`) against the ground truth, like `scoreVouch`. */
export function scoreWapiti(findings, truth, { variant } = {}) {
  const entries = applicable(truth, variant);
  const rows = entries.map((e) => {
    const hits = findings.filter((w) => wapitiMatches(e, w));
    return { id: e.id, class: e.class, dast: e.dast, state: !e.dast ? 'n/a' : hits.length ? 'confirmed' : 'missed', findings: hits.map((w) => `${w.category} ${w.method} ${w.path} ${w.parameter}`) };
  });
  const outside = findings
    .filter((w) => !entries.some((e) => wapitiMatches(e, w)))
    .map((w) => ({ checkId: w.category, method: w.method, path: w.path, parameter: w.parameter, examined: examined(truth, { checkId: w.category, operation: { method: w.method, path: w.path } }, 'wapiti') ?? null }));
  return summarize(rows, outside);
}

/**
 * The gate's view of DVWA: candidate (low) findings with status `new` should all be low-only entries; a `new`
 * finding that matches an entry present at `impossible` (variant both/impossible) is wrongly new.
 */
export function scoreGate(report, truth) {
  const findings = report?.findings ?? [];
  const isNew = (f) => f.status === 'new' || (report?.comparison?.findings?.new ?? []).includes(f.fingerprint);
  const newOnes = findings.filter(isNew);
  const lowOnly = truth.entries.filter((e) => e.variant === 'low');
  const atImpossible = truth.entries.filter((e) => e.variant === 'both' || e.variant === 'impossible');
  const newLow = lowOnly.filter((e) => e.dast && newOnes.some((f) => vouchMatches(e, f) && f.confidence === 'confirmed'));
  const wronglyNew = newOnes.filter((f) => atImpossible.some((e) => vouchMatches(e, f)) && !lowOnly.some((e) => vouchMatches(e, f)));
  return {
    verdict: report?.verdict?.status ?? (report?.verdict ? (report.verdict.pass ? 'pass' : 'fail') : null),
    newFindings: newOnes.length,
    lowOnlyTestable: lowOnly.filter((e) => e.dast).length,
    lowOnlyReportedNew: newLow.map((e) => e.id),
    wronglyNew: wronglyNew.map((f) => `${f.checkId} ${f.operation?.method} ${f.operation?.path}`),
  };
}

/**
 * Why vouch did not confirm an entry, from the report alone: no check for its class, why its finding stayed tentative,
 * its operation never discovered, or what each of its checks did there (clean, inconclusive or skipped, and why).
 */
export function whyMissed(entry, report) {
  const m = entry.match;
  if (!m || m.checks.length === 0) return 'no check for this class';
  const tentative = (report?.findings ?? []).find((f) => f.confidence === 'tentative' && vouchMatches(entry, f));
  if (tentative) return `tentative — ${/not confirmed: (.*)\)$/.exec(tentative.proof?.summary ?? '')?.[1] ?? tentative.proof?.summary ?? ''}`;
  const ops = (report?.surface?.operations ?? []).filter((o) => re(m.path).test(o.path) && (!m.methods || m.methods.includes(o.method)));
  if (ops.length === 0) return 'operation not discovered';
  const ids = new Set(ops.map((o) => o.id ?? `${o.method} ${o.path}`));
  const seen = new Map();
  const note = (check, what) => {
    const list = seen.get(check) ?? new Set();
    list.add(what);
    seen.set(check, list);
  };
  for (const t of report?.stats?.tasks ?? []) {
    // A target-wide task (no operation) covers every entry.
    if (t.operationId && !ids.has(t.operationId)) continue;
    if (!m.checks.includes(t.checkId)) continue;
    const where = t.operationId ? '' : ' (target-wide)';
    const what = t.status === 'found' ? 'found, but a finding that does not prove this entry' : t.status === 'clean' ? 'clean' : `${t.status}: ${t.reason ?? ''}`.trim();
    note(t.checkId, `${what}${where}`);
  }
  for (const k of report?.stats?.checks?.skipped ?? []) {
    if (m.checks.includes(k.checkId) && (!k.operationId || ids.has(k.operationId))) note(k.checkId, `skipped: ${k.reason}`);
  }
  if (seen.size === 0) return `discovered (${ops.length} operation${ops.length > 1 ? 's' : ''}); its checks did not run there`;
  return [...seen].map(([check, what]) => `${check}: ${[...what].slice(0, 2).join('; ')}${what.size > 2 ? '; …' : ''}`).join(' / ');
}


/** A route or operation path made comparable: `{anything}` → `{}`, no trailing `index.php` or `/`. */
const routePath = (p) => (p.replace(/\{[^}]*\}/g, '{}').replace(/\/index\.php$/, '').replace(/\/+$/, '') || '/');

/** Whether a discovered operation is one of the application's routes (`METHOD /path`, ANY = any method). */
export function routeMatches(route, op) {
  const [method, path] = route.split(' ');
  if (method !== 'ANY' && method !== String(op.method).toUpperCase()) return false;
  const want = routePath(path);
  const got = routePath(op.path ?? '');
  if (want === got) return true;
  // A concrete crawled path under a template route (`/menu/1` for `/menu/{}`).
  const pattern = new RegExp(`^${want.split('{}').map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);
  return pattern.test(got.replace(/\{\}/g, 'x'));
}

/**
 * Issue 17's surface figures from one report: the share of the application's real routes (`truth.routes`) found,
 * overall and by discovery source, and which configured identities stayed signed in for the whole scan.
 */
export function scoreSurface(report, truth, identities = []) {
  const ops = report?.surface?.operations ?? [];
  const routes = truth.routes ?? [];
  const bySource = {};
  for (const op of ops) for (const s of op.sources ?? []) (bySource[s] ??= { operations: 0, routes: new Set() }).operations++;
  const found = [];
  for (const r of routes) {
    const hits = ops.filter((o) => routeMatches(r, o));
    if (!hits.length) continue;
    found.push(r);
    for (const s of new Set(hits.flatMap((o) => o.sources ?? []))) bySource[s].routes.add(r);
  }
  const lost = new Set(
    (report?.verdict?.incomplete ?? []).filter((c) => c.cause === 'login-failed' || c.cause === 'session-lost').map((c) => c.identity),
  );
  return {
    operations: ops.length,
    routes: routes.length,
    routesFound: found.length,
    routesRatio: routes.length ? found.length / routes.length : 0,
    missing: routes.filter((r) => !found.includes(r)),
    bySource: Object.fromEntries(Object.entries(bySource).map(([s, v]) => [s, { operations: v.operations, routes: v.routes.size }])),
    identities: identities.length,
    signedIn: identities.filter((i) => !lost.has(i)),
    lost: [...lost].filter(Boolean),
  };
}

/**
 * Operation names that reset or wipe state, or remove or disable something (issue 17: dangerous unless a config allows
 * them). A password-reset *request* (`/reset-password`, `/forgot`) is an account flow, not a state wipe.
 */
const DANGEROUS = /(^|[/_.-])(reset|drop|create_?db|setup|purge|wipe|truncate|flush|install|factory|delete|remove|disable|deactivate)([/_.-]|\.php|$)/i;
const PASSWORD_FLOW = /reset[-_]?password|password[-_]?reset|forgot/i;

/**
 * Requests of one scan that changed state on objects vouch did not create, from its audit log, each with a kind:
 * `delete` (DELETE answered 2xx), `dangerous` (a 2xx to a path named like reset/drop/setup/delete…, any method), or
 * `modify` (PUT/PATCH answered 2xx). A URL naming an object vouch created (`created`: the paths `report.created`
 * lists, or under one) is left out, and so are logins (no checkId, or `login`) and writes by the accounts vouch registered
 * (`ownAccounts`: identity names of `report.accounts`) to their own account (a path naming no object id).
 */
export function outsideWrites(auditLines, created = [], ownAccounts = []) {
  // A write by an account vouch registered itself to a path naming no object (`PATCH /profile`) is to its own account.
  const ownAccount = (e) => ownAccounts.includes(e.identity) && !/\/(\d+|[0-9a-f-]{16,})(\/|$)/i.test(new URL(e.url).pathname);
  // A path of an object vouch created (`/menu/16`), or one under it (`/menu/16/photo`); `/menu/160` is another object.
  const own = (url) => {
    const path = new URL(url).pathname.replace(/\/+$/, '');
    return created.some((c) => path === c || path.startsWith(`${c}/`));
  };
  const out = [];
  for (const e of auditLines) {
    if (e.outcome !== 'sent' || !/^2/.test(String(e.status ?? ''))) continue;
    if (!e.checkId || e.checkId === 'login' || own(e.url) || ownAccount(e)) continue;
    if (e.method === 'PUT' && e.status === 201) continue; // 201 Created: a create through PUT, no object changed
    const path = new URL(e.url).pathname;
    const kind = e.method === 'DELETE' ? 'delete' : DANGEROUS.test(path) && !PASSWORD_FLOW.test(path) && e.method !== 'GET' ? 'dangerous' : ['PUT', 'PATCH'].includes(e.method) ? 'modify' : undefined;
    if (kind) out.push({ kind, method: e.method, url: e.url, checkId: e.checkId, identity: e.identity });
  }
  return out;
}
