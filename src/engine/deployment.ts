// src/engine/deployment.ts — version assurance: the version a deployment declares and a fingerprint of its front-end assets.
import { createHash } from 'node:crypto';
import type { Deployment, DeploymentAssets, Exchange, HttpEngine, Surface, VerdictReason } from '../core/index.js';
import type { VouchConfig } from '../config/index.js';

export type VersionSource = NonNullable<VouchConfig['target']['version']>;

/** HTML pages whose scripts and styles are hashed: the root plus parameter-free pages the crawl found, at most this many. */
const MAX_PAGES = 10;
/** Asset files fetched at most. */
const MAX_ASSETS = 50;

const META = { identity: 'anonymous', checkId: 'deployment' } as const;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function bodyBytes(ex: Exchange): Buffer | undefined {
  const r = ex.response;
  if (!r) return undefined;
  return r.bodyEncoding === 'base64' ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
}

const header = (ex: Exchange, name: string): string | undefined => ex.response?.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3] ?? '').replace(/&amp;/g, '&') : undefined;
}

/** `<meta name="X" content="v">` (any attribute order). */
export function metaContent(html: string, name: string): string | undefined {
  for (const m of html.matchAll(/<meta\b[^>]*>/gi)) if (attr(m[0], 'name')?.toLowerCase() === name.toLowerCase()) return attr(m[0], 'content');
  return undefined;
}

/** The `src` of every `<script>` and the `href` of every stylesheet `<link>` in a page. */
export function assetRefs(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attr(m[0], 'src');
    if (src) out.push(src);
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(m[0], 'rel') ?? '').toLowerCase().split(/\s+/);
    const href = attr(m[0], 'href');
    if (href && (rel.includes('stylesheet') || rel.includes('modulepreload'))) out.push(href);
  }
  return out;
}

/** A dotted path (`build.version`, `items.0.v`) into parsed JSON; only a string or number counts as a version. */
export function jsonPath(value: unknown, path: string): string | undefined {
  let cur = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'string' && cur.length > 0 ? cur : typeof cur === 'number' ? String(cur) : undefined;
}

/** Fingerprint over the sorted `url sha256` lines: equal when and only when the same files with the same bytes are served. */
export function assetsFingerprint(files: DeploymentAssets['files']): string {
  return sha256(files.map((f) => `${f.url} ${f.sha256}`).sort().join('\n'));
}

const isHtml = (ex: Exchange): boolean => (ex.response?.status ?? 500) < 400 && (header(ex, 'content-type') ?? '').includes('html') && ex.response?.bodyEncoding !== 'base64';

/**
 * Observes the deployment through the engine (scope, budget, audit): the declared version where `source` says,
 * and the scripts and styles the root page and the crawled pages load (same origin only). Never throws for the target's
 * sake: what could not be read is said in `versionSource`, or leaves `assets` out.
 */
export async function observeDeployment(engine: HttpEngine, targetUrl: string, surface: Surface, source?: VersionSource): Promise<Deployment> {
  const root = await engine.send({ method: 'GET', url: '/' }, META);
  const out: Deployment = {};
  if (source) Object.assign(out, await readVersion(engine, root, source));

  const origin = new URL(targetUrl).origin;
  const pages: Exchange[] = isHtml(root) ? [root] : [];
  const more = surface.operations.filter((o) => o.method === 'GET' && o.sources.includes('html') && !o.path.includes('{') && o.path !== '/').slice(0, MAX_PAGES - 1);
  for (const op of more) {
    const ex = await engine.send({ method: 'GET', url: op.path }, META);
    if (isHtml(ex)) pages.push(ex);
  }
  if (pages.length === 0) return out;
  const refs = new Set<string>();
  for (const p of pages) {
    for (const ref of assetRefs(bodyBytes(p)!.toString('utf8'))) {
      try {
        const u = new URL(ref, p.request.url.startsWith('http') ? p.request.url : new URL(p.request.url, targetUrl));
        if (u.origin === origin) refs.add(u.pathname + u.search);
      } catch {
        // an unparsable src is not an asset we can fetch
      }
    }
  }
  const files: DeploymentAssets['files'] = [];
  for (const path of [...refs].sort().slice(0, MAX_ASSETS)) {
    const ex = await engine.send({ method: 'GET', url: path }, META);
    const bytes = bodyBytes(ex);
    if (bytes && ex.response!.status < 400) files.push({ url: path, sha256: sha256(bytes) });
  }
  out.assets = { fingerprint: assetsFingerprint(files), files };
  return out;
}

async function readVersion(engine: HttpEngine, root: Exchange, source: VersionSource): Promise<Pick<Deployment, 'version' | 'versionSource'>> {
  if ('header' in source) {
    const v = header(root, source.header)?.trim();
    return v ? { version: v, versionSource: `header ${source.header}` } : { versionSource: `header ${source.header}: absent from GET /${root.error ? ` (${root.error.message})` : ''}` };
  }
  if ('meta' in source) {
    const v = isHtml(root) ? metaContent(bodyBytes(root)!.toString('utf8'), source.meta)?.trim() : undefined;
    return v ? { version: v, versionSource: `meta ${source.meta}` } : { versionSource: `meta ${source.meta}: no such <meta name> on GET /` };
  }
  const ex = await engine.send({ method: 'GET', url: source.json.url, headers: [['accept', 'application/json']] }, META);
  const where = `json ${source.json.url} ${source.json.path}`;
  if (!ex.response || ex.response.status >= 400) return { versionSource: `${where}: ${ex.error?.message ?? `status ${ex.response?.status}`}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyBytes(ex)!.toString('utf8'));
  } catch {
    return { versionSource: `${where}: the body is not JSON` };
  }
  const v = jsonPath(parsed, source.json.path);
  return v ? { version: v, versionSource: where } : { versionSource: `${where}: no string or number at that path` };
}

/**
 * What the observed deployment means for the verdict: `--expect-version` failing on another version or none, and a
 * warning when the assets changed since the baseline while the declared version did not.
 */
export function deploymentReasons(current: Deployment | undefined, opts: { expectVersion?: string; baseline?: Deployment }): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  if (opts.expectVersion !== undefined) {
    if (current?.version === undefined) {
      reasons.push({ rule: 'expect-version', level: 'fail', fingerprints: [], message: `expected version ${opts.expectVersion}, but the deployment declared none (${current?.versionSource ?? 'no version source'})` });
    } else if (current.version !== opts.expectVersion) {
      reasons.push({ rule: 'expect-version', level: 'fail', fingerprints: [], message: `expected version ${opts.expectVersion}, but the deployment says ${current.version} (${current.versionSource})` });
    }
  }
  const before = opts.baseline;
  if (before?.assets && current?.assets && before.assets.fingerprint !== current.assets.fingerprint && before.version !== undefined && before.version === current.version) {
    const was = new Map(before.assets.files.map((f) => [f.url, f.sha256]));
    const now = new Map(current.assets.files.map((f) => [f.url, f.sha256]));
    const changed = [...new Set([...was.keys(), ...now.keys()])].filter((u) => was.get(u) !== now.get(u)).sort();
    reasons.push({
      rule: 'deployment-changed-same-version',
      level: 'warn',
      fingerprints: [],
      message: `the deployment changed but its version did not: still ${current.version}, front-end assets differ from the baseline (${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''})`,
    });
  }
  return reasons;
}
