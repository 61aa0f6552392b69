// src/checks/security/technology-disclosure.ts — passive: response headers that name the server's software *and its
// version* (Server, X-Powered-By, X-AspNet-Version…); the recorded response is the proof. One finding per header.
import { z } from 'zod';
import type { Exchange, ResponseRecord } from '../../core/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { groupSightings, type Sighting } from '../kit/group.js';
import { header, pathOf, routeOf, targetExchanges } from './support/exchanges.js';

/** Headers that announce the software behind a response; `bare` ones hold only a version (the name says what of). */
export const HEADERS: ReadonlyArray<{ name: string; bare?: string }> = [
  { name: 'server' },
  { name: 'x-powered-by' },
  { name: 'x-aspnet-version', bare: 'ASP.NET' },
  { name: 'x-aspnetmvc-version', bare: 'ASP.NET MVC' },
  { name: 'x-generator' },
  { name: 'x-drupal-version', bare: 'Drupal' },
  { name: 'x-runtime-version' },
];

/** A version number: at least major.minor (`2.4.57`, `^0.103.0`, `v1.25`), so a lone build or date digit is not one. */
const VERSION = /(?:^|[\s/(,;:=-])[v^~]?(\d+\.\d+(?:\.\d+)*[\w.+-]*)/i;
/** A product token before a version: `PHP/8.2.36`, `Python 3.10`, `Microsoft-IIS/10.0`, `FastAPI ^0.103.0`. */
const PRODUCT_VERSION = /([A-Za-z][\w.+-]*?)(?:\/|\s+)[v^~]?(\d+\.\d+(?:\.\d+)*[\w.+-]*)/;

/**
 * The product and version a header value discloses, or undefined when it names no version (`nginx`, `uvicorn`,
 * `Express` say what, not which: nothing to look up in a vulnerability database).
 */
export function disclosed(name: string, value: string): string | undefined {
  const v = value.trim().slice(0, 200);
  const def = HEADERS.find((h) => h.name === name.toLowerCase());
  if (!def) return undefined;
  if (def.bare) {
    const m = /^[v^~]?(\d+(?:\.\d+)+)/.exec(v);
    return m ? `${def.bare} ${m[1]}` : undefined;
  }
  const pv = PRODUCT_VERSION.exec(v);
  if (pv) return `${pv[1]} ${pv[2]}`;
  return VERSION.test(v) ? v : undefined;
}

type Hit = { x: Exchange & { response: ResponseRecord }; header: string; value: string; what: string };

export default defineCheck({
  id: 'technology-disclosure',
  family: 'security',
  kind: 'passive',
  scope: 'target',
  meta: {
    title: 'Software version disclosed in response headers',
    description: 'Responses name the server software and its exact version (Server, X-Powered-By, X-AspNet-Version…), telling an attacker which known vulnerabilities to try.',
    severity: 'low',
    cwe: 'CWE-497',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Remove the version from these headers (or the headers): `expose_php = Off`, `ServerTokens Prod`, `server_tokens off`, `app.disable(\'x-powered-by\')`, `<httpRuntime enableVersionHeader="false">`, or strip them at the proxy.',
    proves: 'The recorded response itself: the header and its value naming a product and a version (cited by exchange id).',
  },
  options: z.strictObject({
    /** Header names (lower case) not to judge. Default none. */
    ignore: z.array(z.string()).default([]),
  }),
  async run(ctx) {
    const answers = targetExchanges(ctx.recorded(), ctx.target.url);
    if (!answers.length) return { status: 'inconclusive', reason: 'no response from the target was recorded, so there were no headers to read' };
    const candidates: CandidateInput[] = [];
    for (const h of HEADERS) {
      if (ctx.options.ignore.map((n) => n.toLowerCase()).includes(h.name)) continue;
      const sightings: Array<Sighting<Hit>> = [];
      for (const x of answers) {
        const value = header(x.response.headers, h.name);
        const what = value === undefined ? undefined : disclosed(h.name, value);
        if (what && value !== undefined) sightings.push({ ...routeOf(x.request.method, x.request.url, ctx.surface), url: x.request.url, hit: { x, header: h.name, value, what } });
      }
      // One header set server-wide (or by a proxy) is one root cause: one finding, every page path a location.
      const group = groupSightings(sightings, (s) => `${s.method} ${pathOf(s.url)}`);
      if (!group) continue;
      const first = group.first.hit;
      const values = [...new Set(group.list.map((s) => s.hit.value.trim()))];
      candidates.push({
        operation: { method: group.first.method, path: group.first.path },
        url: first.x.request.url,
        grouped: true,
        title: `Software version disclosed in ${first.header === 'server' ? 'Server' : first.header} header`,
        severity: 'low',
        vulnClass: `version-disclosure:${h.name}`,
        confidence: 'confirmed',
        proof: {
          summary: `${first.x.request.method} ${pathOf(first.x.request.url)} → ${first.x.response.status} with ${h.name}: ${first.value.trim()} (discloses ${first.what})`
            + `${group.list.length > 1 ? `; ${group.list.length - 1} more page(s) alike` : ''}${values.length > 1 ? `; other values: ${values.slice(1, 4).join(' | ')}` : ''}`,
          exchangeIds: group.list.slice(0, 3).map((s) => s.hit.x.id),
          evidence: `${h.name}: ${first.value.trim()}`,
        },
        locations: group.locations,
      });
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  example: { url: 'http://127.0.0.1:8080/healthcheck', summary: 'GET /healthcheck → 200 with x-powered-by: PHP/8.2.36 (discloses PHP 8.2.36); 12 more page(s) alike' },
});
