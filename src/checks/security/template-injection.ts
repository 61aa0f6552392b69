// src/checks/security/template-injection.ts — server-side template injection: an arithmetic expression with random
// operands, written in several engines' syntaxes, comes back evaluated; proof is fresh operands plus controls.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { all, hasInjectionPoints, safeMethodOrNotSafeMode } from '../kit/guards.js';
import { forStrength } from '../kit/strength.js';
import { textBody } from './support/exchanges.js';
import { Tally } from './support/tally.js';

/** Expression syntaxes, most common first, with the engines that evaluate them. */
export const SYNTAXES: ReadonlyArray<{ engines: string; wrap: (expr: string) => string }> = [
  { engines: 'Jinja2, Twig, Nunjucks, Angular', wrap: (e) => `{{${e}}}` },
  { engines: 'FreeMarker, JSP/JSF EL, Mako, JavaScript template literals', wrap: (e) => `\${${e}}` },
  { engines: 'ERB, EJS', wrap: (e) => `<%= ${e} %>` },
  { engines: 'Ruby interpolation, Pug, Thymeleaf', wrap: (e) => `#{${e}}` },
  { engines: 'doT', wrap: (e) => `{{=${e}}}` },
  { engines: 'Smarty', wrap: (e) => `{${e}}` },
  { engines: 'Razor', wrap: (e) => `@(${e})` },
  { engines: 'Thymeleaf inlining', wrap: (e) => `[[\${${e}}]]` },
];

const COUNTS = { low: 2, default: 4, high: 8 } as const;

/** Random 3–4 digit operands whose product (≥ 6 digits) is not in the page by chance. */
function operands(): { expr: string; product: string } {
  const a = randomInt(1000, 9999);
  const b = randomInt(100, 999);
  return { expr: `${a}*${b}`, product: String(a * b) };
}

export default defineCheck({
  id: 'template-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Server-side template injection',
    description: 'A parameter becomes part of a server-side template: template expressions in it are evaluated, which in most engines leads to code execution.',
    severity: 'critical',
    cwe: 'CWE-1336',
    owasp: 'A03:2021 Injection',
    remediation: 'Pass input to templates as data (a variable the template prints, auto-escaped), never concatenate it into template source; when users must write templates, use a sandboxed logic-less engine.',
    proves: 'The product of two random numbers, written as a template expression, comes back evaluated; a replay with fresh operands shows the new product, while the bare expression without template delimiters and the original request do not.',
  },
  options: z.strictObject({}),
  requestsPerPoint: COUNTS,
  appliesTo: all(hasInjectionPoints, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const baseline = await ctx.send(buildRequest(op));
    if (!baseline.response) return { status: 'inconclusive', reason: `the unmodified request failed: ${baseline.error?.message ?? 'no response'}` };
    const candidates: CandidateInput[] = [];
    const tally = new Tally();
    for (const point of injectionPoints(op, { inline: true })) {
      // A raw body (text/plain, XML) is often the template itself, and there is one per operation: every syntax.
      for (const syntax of forStrength(SYNTAXES, COUNTS, point.location === 'body' ? 'high' : ctx.strength)) {
        const o = operands();
        const payload = `${point.base}${syntax.wrap(o.expr)}`;
        const x = tally.note(await ctx.send(buildRequest(op, point, payload)));
        const body = textBody(x.response);
        const at = body.indexOf(o.product);
        if (at < 0 || textBody(baseline.response).includes(o.product)) continue;
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          parameter: pointLabel(point),
          vulnClass: 'template-injection',
          confidence: 'tentative',
          proof: {
            summary: `${point.location} ${point.name}=${JSON.stringify(payload)} → ${x.response?.status ?? '-'} containing ${o.product} = ${o.expr} evaluated (${syntax.engines} syntax)`,
            exchangeIds: [x.id, baseline.id],
            evidence: body.slice(Math.max(0, at - 40), at + o.product.length + 40),
            payload,
          },
          data: { point, syntax: SYNTAXES.indexOf(syntax) },
        });
        break;
      }
    }
    return candidates.length ? { status: 'found', candidates } : tally.result();
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { point: InjectionPoint; syntax: number } | undefined;
    const syntax = data ? SYNTAXES[data.syntax] : undefined;
    if (!ctx.operation || !data || !syntax) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const o = operands();
    const replay: Exchange = await ctx.send(buildRequest(ctx.operation, data.point, `${data.point.base}${syntax.wrap(o.expr)}`));
    // Controls: the bare expression (no template delimiters) and the original value must not show the product.
    const bare: Exchange = await ctx.send(buildRequest(ctx.operation, data.point, `${data.point.base}${o.expr}`));
    const original: Exchange = await ctx.send(buildRequest(ctx.operation));
    const ids = [replay.id, bare.id, original.id];
    const has = (x: Exchange): boolean => textBody(x.response).includes(o.product);
    if (has(replay) && !has(bare) && !has(original)) {
      return { confirmed: true, exchangeIds: ids, summary: `${candidate.proof.summary}; with fresh operands ${o.expr} the replay shows ${o.product} again, the bare expression and the original request do not` };
    }
    return { confirmed: false, exchangeIds: ids, reason: !has(replay) ? 'the replay with fresh operands was not evaluated' : 'a control shows the product too (the input is evaluated without template syntax, or the page holds the number)' };
  },
  example: { url: 'http://127.0.0.1:8080/greet?name=ada%7B%7B4721*809%7D%7D', summary: 'query name="ada{{4721*809}}" → 200 containing 3819289 = 4721*809 evaluated (Jinja2, Twig, Nunjucks, Angular syntax)' },
});
