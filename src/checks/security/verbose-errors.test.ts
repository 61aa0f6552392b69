// src/checks/security/verbose-errors.test.ts — stack traces and debug pages per route, and pages that only mention errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { debugOutput } from './verbose-errors.js';

const NODE_STACK = `Error: order not found\n    at getOrder (/app/src/orders.js:42:11)\n    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;

const SAMPLES: Record<string, [name: string, text: string]> = {
  node: ['Node.js stack trace', NODE_STACK],
  express: ['Node.js stack trace', '<pre>TypeError: x is undefined<br> &nbsp; &nbsp;at /srv/app.js:3:9<br> &nbsp; &nbsp;at new Router (/srv/r.js:1:1)</pre>'],
  json: ['Node.js stack trace', JSON.stringify({ error: 'boom', stack: NODE_STACK })],
  python: ['Python traceback', 'Traceback (most recent call last):\n  File "/srv/app.py", line 12, in view\n    raise KeyError(k)\nKeyError: \'id\''],
  java: ['Java stack trace', 'java.lang.NullPointerException\n\tat com.acme.shop.OrderService.find(OrderService.java:57)\n\tat com.acme.shop.Api.get(Api.java:12)'],
  javaThread: ['Java stack trace', 'Exception in thread "main" java.lang.IllegalStateException: nope'],
  php: ['PHP error', '<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function foo() in /var/www/html/index.php:7'],
  phpLine: ['PHP error', 'Warning: Undefined variable $x in /var/www/html/cart.php on line 31'],
  aspnet: ['ASP.NET error page', "<h1>Server Error in '/' Application.</h1><h2><i>Object reference not set to an instance of an object.</i></h2>"],
  django: ['Django debug page', "<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>"],
  rails: ['Rails debug page', '<title>Action Controller: Exception caught</title>'],
};

const BENIGN = [
  'An error occurred. Please try again later.',
  '<h1>Exception handling in Java</h1><p>An exception is thrown at runtime; see the error guide at /docs/errors.</p>',
  '<p>We looked at the traceback and the stack trace you sent: thanks!</p>',
  '{"error":"not_found","message":"Order at /orders/12 does not exist"}',
  'Meet us at the office (/contact:12)', // looks a little like a frame, but not on its own line with line:column
];

const PATH_FILE = '/tmp/shop-target/src/dist/components/global-exception.filter.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const p = url.pathname;
    if (p.startsWith('/orders/')) return sendHtml(res, 500, `<pre>${NODE_STACK}</pre>`);
    if (p === '/api/crash') return sendJson(res, 500, { error: 'boom', stack: NODE_STACK });
    if (p === '/django') return sendHtml(res, 500, SAMPLES.django![1]);
    if (p.startsWith('/benign/')) return sendHtml(res, 500, BENIGN[Number(p.slice(8))] ?? '');
    if (p === '/safe') return sendJson(res, 500, { error: 'internal error', id: 'c0ffee' });
    if (p === '/api/counter') return sendJson(res, 500, { error: 'Invalid counter value', location: PATH_FILE });
    if (p === '/ok-with-path') return sendJson(res, 200, { built: PATH_FILE }); // not an error answer
    if (p === '/graphql-debug' || p === '/graphql-prod') {
      const frames = ['Error: order not found', '    at resolveOrder (/app/src/schema.js:42:11)', '    at field (/app/node_modules/graphql/execution/execute.js:10:5)'];
      const extensions = p === '/graphql-debug' ? { code: 'INTERNAL_SERVER_ERROR', exception: { stacktrace: frames } } : { code: 'INTERNAL_SERVER_ERROR' };
      return sendJson(res, 200, { errors: [{ message: 'order not found', path: ['order'], extensions }], data: { order: null } });
    }
    if (p === '/api/file') return sendJson(res, 400, { error: `no such file ${url.searchParams.get('name') ?? ''}` }); // echo
    if (p === '/api/missing') return sendJson(res, 404, { error: 'Cannot GET /api/v1/users.json', docs: 'https://x.example/usr/share/doc.html' });
    return sendHtml(res, 404, 'not found');
  });
});
afterAll(() => app.close());

describe('verbose-errors', () => {
  it.each(Object.entries(SAMPLES))('recognizes %s debug output', (_k, [name, text]) => {
    expect(debugOutput(text)?.name).toBe(name);
  });

  it.each(BENIGN.map((b) => [b]))('does not fire on ordinary error wording: %s', (text) => {
    expect(debugOutput(text)).toBeUndefined();
  });

  it('cites the matching line as evidence', () => {
    expect(debugOutput(NODE_STACK)?.line).toBe('at getOrder (/app/src/orders.js:42:11)');
  });

  it('reports one grouped finding, anchored at the first page in order, every page a location', async () => {
    const r = await testCheck(check, {
      url: app.url,
      warmup: ['/orders/2', '/orders/1', '/orders/1', '/django', '/api/crash', '/safe'],
      operations: [{ method: 'GET', path: '/orders/{id}', params: [] }],
    });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.grouped).toBe(true);
    expect(f.operation).toEqual({ method: 'GET', path: '/api/crash' });
    expect(f.confidence).toBe('confirmed');
    expect(f.locations?.map((l) => `${l.path} ${new URL(l.url).pathname}`)).toEqual(['/api/crash /api/crash', '/django /django', '/orders/{id} /orders/1', '/orders/{id} /orders/2']);
    expect(f.proof.exchanges).toHaveLength(3);
    expect(f.severity).toBe('medium'); // the Django debug page is the worst of them
    expect(r.requests).toBe(0);
  });

  it('gives the same finding whatever order the pages were recorded in', async () => {
    const one = await testCheck(check, { url: app.url, warmup: ['/orders/1', '/api/crash', '/django'], operations: [{ method: 'GET', path: '/orders/{id}', params: [] }] });
    const two = await testCheck(check, { url: app.url, warmup: ['/django', '/api/crash', '/orders/1'], operations: [{ method: 'GET', path: '/orders/{id}', params: [] }] });
    expect(two.findings.map((f) => [f.fingerprint, f.operation.path, f.locations])).toEqual(one.findings.map((f) => [f.fingerprint, f.operation.path, f.locations]));
    // Seen on fewer pages, the same root cause keeps its fingerprint.
    const fewer = await testCheck(check, { url: app.url, warmup: ['/orders/1'], operations: [{ method: 'GET', path: '/orders/{id}', params: [] }] });
    expect(fewer.findings[0]!.operation.path).toBe('/orders/{id}');
    expect(fewer.findings[0]!.fingerprint).toBe(one.findings[0]!.fingerprint);
  });

  it.each([
    ['a Unix path in a JSON error', 500, `{"error":"x","location":"${PATH_FILE}"}`, PATH_FILE],
    ['a container path in a text error', 502, 'upstream failed at /usr/src/app/server/index.js line 3', '/usr/src/app/server/index.js'],
    ['a Windows path', 500, '{"error":"C:\\\\inetpub\\\\shop\\\\Controllers\\\\Cart.cs failed"}', 'C:\\inetpub\\shop\\Controllers\\Cart.cs'],
  ])('recognizes full path disclosure: %s', (_k, status, body, path) => {
    const sig = debugOutput(body, { status, sent: 'GET /x' });
    expect(sig?.name).toBe('full path disclosure');
    expect(sig?.line).toContain(path);
  });

  it.each([
    ['a route, not a file path', 404, '{"error":"Cannot GET /api/v1/users.json"}'],
    ['a URL', 500, '{"error":"see https://docs.example/usr/src/app/guide.js"}'],
    ['a path under no filesystem root', 500, '{"error":"/static/js/main.js failed to load"}'],
    ['a file path in a success answer', 200, `{"built":"${PATH_FILE}"}`],
    ['a path without a code extension', 500, '{"error":"cannot read /etc/passwd"}'],
  ])('does not take %s for a path disclosure', (_k, status, body) => {
    expect(debugOutput(body, { status, sent: 'GET /x' })).toBeUndefined();
  });

  it('does not count a path the request itself carried (an echoed payload)', () => {
    const body = '{"error":"no such file /var/www/app/config.php"}';
    expect(debugOutput(body, { status: 400, sent: 'GET /api/file?name=/var/www/app/config.php' })).toBeUndefined();
  });

  it('reports an error answer that names an absolute file path, not the echo or success twins', async () => {
    const echoed = `/api/file?name=${encodeURIComponent('/var/www/app/config.php')}`;
    const r = await testCheck(check, { url: app.url, warmup: ['/api/counter', '/ok-with-path', echoed, '/api/missing'] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.operation.path).toBe('/api/counter');
    expect(r.findings[0]!.proof.summary).toContain('full path disclosure');
    expect(r.findings[0]!.proof.summary).toContain('/tmp/shop-target/src/dist');
    const twins = await testCheck(check, { url: app.url, warmup: ['/ok-with-path', echoed, '/api/missing'] });
    expect(twins.findings).toEqual([]);
  });

  it('reads a GraphQL error whose stack trace is an array of frames, answered with HTTP 200', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/graphql-debug', '/graphql-prod'] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.operation.path).toBe('/graphql-debug');
    expect(r.findings[0]!.proof.summary).toContain('Node.js stack trace');
    expect(r.findings[0]!.proof.evidence).toBe('at resolveOrder (/app/src/schema.js:42:11)');
    // The production twin: the same error with a code and no trace.
    const twin = await testCheck(check, { url: app.url, warmup: ['/graphql-prod'] });
    expect(twin.findings).toEqual([]);
  });

  it('counts a path in a GraphQL error (HTTP 200) as an error answer, not in a 200 without errors', () => {
    const path = '/usr/src/app/dist/resolvers/order.resolver.js';
    const withErrors = JSON.stringify({ errors: [{ message: `failed in ${path}` }], data: null });
    expect(debugOutput(withErrors, { status: 200, sent: 'POST /graphql' })?.name).toBe('full path disclosure');
    expect(debugOutput(JSON.stringify({ data: { build: path } }), { status: 200, sent: 'POST /graphql' })).toBeUndefined();
  });

  it('reports nothing for generic error pages (the safe twin)', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/safe', ...BENIGN.map((_b, i) => `/benign/${i}`)] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });
});
