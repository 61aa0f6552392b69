// src/checks/security/support/browser.ts — loads a page in Chromium for an execution proof with every request the
// page makes (navigation included) sent through ctx.send, so scope, budget, rate limit and audit apply.
import type { Exchange, SendRequest } from '../../../core/index.js';
import { proveExecution, type ExecutionResult } from '../../../browser/execution.js';
import type { CheckContext } from '../../kit/define.js';

export interface PageRun {
  result: ExecutionResult;
  /** The navigation's exchange (what the page was). */
  page: Exchange | undefined;
  /** Every exchange the page load made. */
  sent: string[];
}

/**
 * Opens `url` (absolute, on the target) and waits for `vouchProof(nonce)`. `navigation` overrides the request sent
 * for the page itself (method, body); the URL fragment never leaves the browser.
 */
export async function loadForProof<O>(ctx: CheckContext<O>, url: string, nonce: string, navigation?: SendRequest): Promise<PageRun> {
  const origin = new URL(ctx.target.url).origin;
  const sent: string[] = [];
  let page: Exchange | undefined;
  const result = await proveExecution({
    url,
    origin,
    nonce,
    serve: async ({ method, url: u, navigation: nav }) => {
      const req: SendRequest = nav && !page && navigation ? { ...navigation, url: u.split('#')[0]! } : { method, url: u.split('#')[0]! };
      const x = await ctx.send(req);
      if (nav && !page) page = x;
      sent.push(x.id);
      const res = x.response;
      if (!res || res.notes?.some((n) => n.startsWith('could not decode'))) return undefined; // nothing faithful to render
      const decoded = x.request.headers.some(([k]) => k.toLowerCase() === 'accept-encoding');
      const headers = decoded ? res.headers.filter(([k]) => k.toLowerCase() !== 'content-encoding') : res.headers;
      return { status: res.status, headers, body: Buffer.from(res.body, res.bodyEncoding === 'base64' ? 'base64' : 'utf8') };
    },
  });
  return { result, page, sent };
}
