// src/checks/security/mixed-content.ts — passive: an https page loads scripts, styles, frames or media over plain
// http; the recorded page is the proof. One finding for blockable and one for passive content, all pages listed.
import { z } from 'zod';
import type { Exchange, ResponseRecord } from '../../core/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { groupSightings, type Sighting } from '../kit/group.js';
import { isHtml, pathOf, routeOf, targetExchanges, textBody } from './support/exchanges.js';

type Page = Exchange & { response: ResponseRecord };

/** Tags whose http:// resource browsers block (active) or load with a warning (passive). */
const ACTIVE = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'link']);
const TAG = /<(script|iframe|frame|object|embed|link|img|audio|video|source|track)\b([^>]*)>/gi;
const URL_ATTR = /\b(src|href|data|srcset)\s*=\s*["']?\s*(http:\/\/[^"'\s>]+)/i;

export interface MixedResource { tag: string; url: string; active: boolean }

/** The http:// subresources an HTML document loads (links only when they are stylesheets, icons or preloads). */
export function mixedResources(html: string): MixedResource[] {
  const out: MixedResource[] = [];
  for (const m of html.matchAll(TAG)) {
    const tag = m[1]!.toLowerCase();
    const attrs = m[2] ?? '';
    if (tag === 'link' && !/\brel\s*=\s*["']?[^"'>]*\b(stylesheet|icon|preload|modulepreload|manifest)\b/i.test(attrs)) continue;
    const u = URL_ATTR.exec(attrs);
    if (u) out.push({ tag, url: u[2]!, active: ACTIVE.has(tag) });
  }
  return out;
}

export default defineCheck({
  id: 'mixed-content',
  family: 'security',
  kind: 'passive',
  scope: 'target',
  meta: {
    title: 'Mixed content on HTTPS pages',
    description: 'An HTTPS page loads resources over plain HTTP; a network attacker can replace an http script or stylesheet and take over the page, or swap images and media.',
    severity: 'medium',
    cwe: 'CWE-319',
    owasp: 'A02:2021 Cryptographic Failures',
    remediation: 'Load every subresource over https (or protocol-relative to the page), and add `Content-Security-Policy: upgrade-insecure-requests` as a safety net.',
    proves: 'The recorded 2xx text/html response of an https URL itself: the tag and its http:// URL are the evidence.',
  },
  options: z.strictObject({}),
  async run(ctx) {
    const pages: Page[] = targetExchanges(ctx.recorded(), ctx.target.url).filter((x) => x.request.url.startsWith('https:') && x.response.status >= 200 && x.response.status < 300 && isHtml(x.response));
    if (!pages.length) return ctx.target.url.startsWith('https:') ? { status: 'inconclusive', reason: 'no 2xx HTML page was recorded' } : { status: 'clean' };
    const groups = new Map<'active' | 'passive', Array<Sighting<{ x: Page; r: MixedResource }>>>();
    for (const x of pages) {
      for (const r of mixedResources(textBody(x.response))) {
        const kind = r.active ? 'active' : 'passive';
        const g = groups.get(kind) ?? [];
        groups.set(kind, g);
        g.push({ ...routeOf(x.request.method, x.request.url, ctx.surface), url: x.request.url, hit: { x, r } });
      }
    }
    const candidates: CandidateInput[] = [];
    for (const [kind, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const group = groupSightings(g)!;
      const list = group.list.map((s) => s.hit);
      const first = group.first.hit;
      candidates.push({
        operation: { method: group.first.method, path: group.first.path },
        url: first.x.request.url,
        grouped: true,
        title: kind === 'active' ? 'Mixed content: scripts, styles or frames over HTTP' : 'Mixed content: images or media over HTTP',
        severity: kind === 'active' ? 'medium' : 'low',
        vulnClass: `mixed-content:${kind}`,
        confidence: 'confirmed',
        proof: {
          summary: `${first.x.request.method} ${pathOf(first.x.request.url)} (https) → ${first.x.response.status} text/html loads <${first.r.tag}> from ${first.r.url}${list.length > 1 ? `; ${list.length - 1} more page(s) alike` : ''}`,
          exchangeIds: list.slice(0, 3).map((h) => h.x.id),
          evidence: `<${first.r.tag} … ${first.r.url}>`,
        },
        locations: group.locations,
      });
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  example: { url: 'https://shop.example/', summary: 'GET / (https) → 200 text/html loads <script> from http://cdn.example/app.js' },
});
