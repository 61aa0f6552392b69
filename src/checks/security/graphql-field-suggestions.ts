// src/checks/security/graphql-field-suggestions.ts — introspection is off, yet validation errors suggest real field
// names ("Did you mean …"): the schema leaks a name at a time. Proof: the suggestion answer beside the refused schema.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { jsonBody } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { endpoints, INTROSPECTION, schemaOf } from './graphql-introspection.js';
import { pathOf } from './support/exchanges.js';

/** Near misses of common root field names: one letter short, so a server that suggests names names the real one. */
export const STEMS = ['use', 'produc', 'orde', 'searc', 'accoun', 'sessio', 'nod'];

/** The probe: near misses of the endpoint's known query fields (one letter added) and the stems; it never validates. */
export function probeDocument(known: readonly string[]): string {
  const names = [...new Set([...known.slice(0, 5).map((f) => `${f}x`), ...STEMS])];
  return `query VouchSuggest { ${names.join(' ')} }`;
}

/** Field names an answer's error messages suggest (`Did you mean "a", "b", or "c"?`), those the probe sent left out. */
export function suggestions(x: Exchange, sent: string): string[] {
  const body = jsonBody(x)?.value;
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  const asked = new Set(sent.replace(/^query VouchSuggest \{|\}$/g, '').trim().split(/\s+/));
  const out = new Set<string>();
  for (const e of errors) {
    const m = /did you mean (.+?)\?/i.exec(String((e as { message?: unknown } | null)?.message ?? ''));
    const said = m?.[1] ?? '';
    // Quoted names when the server quotes them (graphql-js: `"a", "b", or "c"`), else the bare words.
    const found = /["'`]/.test(said) ? [...said.matchAll(/["'`]([_A-Za-z][_0-9A-Za-z]*)["'`]/g)].map((q) => q[1]!) : said.split(/,|\bor\b|\s+/);
    for (const name of found.map((n) => n.trim())) {
      if (/^[_A-Za-z][_0-9A-Za-z]*$/.test(name) && !asked.has(name)) out.add(name);
    }
  }
  return [...out].sort();
}

/** A document sent the way the endpoint can take it: JSON POST, or in safe mode a GET with `?query=`. */
const ask = (ctx: CheckContext<unknown>, path: string, query: string): Promise<Exchange> =>
  ctx.safeMode
    ? ctx.send({ method: 'GET', url: `${path}?query=${encodeURIComponent(query)}`, headers: [['apollo-require-preflight', 'true']], probe: true })
    : ctx.send({ method: 'POST', url: path, headers: [['content-type', 'application/json']], body: JSON.stringify({ query }), probe: true });

/** Whether an answer is GraphQL's (a JSON object with `errors` or `data`): the endpoint validated the document. */
const graphqlAnswer = (x: Exchange): boolean => /"(errors|data)"\s*:/.test(x.response?.body ?? '');

export default defineCheck({
  id: 'graphql-field-suggestions',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'GraphQL field suggestions leak the schema',
    description: 'Introspection is turned off, but the endpoint\'s validation errors still suggest real field names ("Cannot query field "produc" on type "Query". Did you mean "product"?"): anyone can rebuild the hidden schema a name at a time (tools like Clairvoyance automate it).',
    severity: 'low',
    cwe: 'CWE-209',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Strip suggestions from errors in deployed environments (graphql-armor `blockFieldSuggestions`, Apollo Server 4 `hideSchemaDetailsFromClientErrors`, or a `formatError` that drops "Did you mean …"), alongside introspection off.',
    proves: 'An introspection query gets no schema, and a query naming near misses of field names gets an error suggesting real ones; a replay suggests them again.',
  },
  options: z.strictObject({}),
  async run(ctx) {
    const candidates: CandidateInput[] = [];
    const why: string[] = [];
    let judged = 0;
    for (const path of endpoints(ctx)) {
      const schema = await ask(ctx, path, INTROSPECTION);
      // Introspection open: nothing is hidden, and graphql-introspection reports that.
      if (schemaOf(schema)) {
        judged++;
        continue;
      }
      const known = ctx.surface.operations.filter((o) => o.path === path && o.graphql?.kind === 'query').map((o) => o.graphql!.field);
      const doc = probeDocument(known);
      const x = await ask(ctx, path, doc);
      if (!graphqlAnswer(x)) {
        why.push(`${path}: ${x.response ? `HTTP ${x.response.status} without a GraphQL answer` : 'no answer'}`);
        continue;
      }
      judged++;
      const names = suggestions(x, doc);
      if (!names.length) continue;
      candidates.push({
        operation: { method: x.request.method, path },
        url: x.request.url,
        severity: 'low',
        vulnClass: 'graphql-field-suggestions',
        confidence: 'tentative',
        proof: {
          summary: `${x.request.method} ${pathOf(x.request.url)}: introspection refused (${schema.response?.status ?? 'no answer'}), `
            + `yet near-miss field names got suggestions naming ${names.length} real field(s): ${names.slice(0, 8).join(', ')}`,
          exchangeIds: [x.id, schema.id],
          evidence: `suggested: ${names.join(', ')}`,
          payload: doc,
        },
        data: { document: doc },
      });
    }
    if (candidates.length) return { status: 'found', candidates };
    if (!judged) return { status: 'inconclusive', reason: `no GraphQL answer to judge: ${why.join('; ')}` };
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const doc = (candidate.data as { document?: string } | undefined)?.document;
    if (!doc) return { confirmed: false, exchangeIds: [], reason: 'no document to replay' };
    const x = await ask(ctx, candidate.operation.path, doc);
    const names = suggestions(x, doc);
    if (names.length) return { confirmed: true, exchangeIds: [x.id], summary: `${candidate.proof.summary}; a replay suggested ${names.join(', ')} again` };
    return { confirmed: false, exchangeIds: [x.id], reason: `the replay got ${x.response ? `${x.response.status} without a suggestion` : 'no answer'}` };
  },
  example: { url: 'http://127.0.0.1:8080/graphql', summary: 'POST /graphql: introspection refused (400), yet near-miss field names got suggestions naming 2 real field(s): order, product' },
});
