// src/checks/security/file-upload.test.ts — an upload form that stores any file and serves it as text/html (and
// "runs" PHP), a spec multipart upload, and safe twins: one that refuses the types, one that serves uploads as
// attachments in text/plain; a 500 target and safe mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { fileField } from './file-upload.js';

const stored = new Map<string, string>();

/** The file part of a multipart body: its filename and content. */
function filePart(body: string): { name: string; content: string } | undefined {
  const m = /filename="([^"]+)"\r\nContent-Type: [^\r]+\r\n\r\n([\s\S]*?)\r\n--/.exec(body);
  return m ? { name: m[1]!, content: m[2]! } : undefined;
}

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const p = url.pathname;
    if (req.method === 'POST') {
      const file = filePart(req.body);
      if (!file) return sendJson(res, 400, { error: 'no file' });
      if (p === '/broken/upload') return sendJson(res, 500, { error: 'boom' });
      if (p === '/safe/upload' && !/\.(png|jpe?g)$/.test(file.name)) return sendJson(res, 400, { error: 'only images' });
      stored.set(`${p.split('/')[1]}/${file.name}`, file.content);
      if (p === '/upload/') return sendHtml(res, 200, `<pre>../uploads/${file.name} succesfully uploaded!</pre>`);
      return sendJson(res, 201, { url: `/${p.split('/')[1]}-files/${file.name}` });
    }
    // GET /uploads/<name> serves the form's files; GET /<dir>-files/<name> the spec uploads' of /<dir>/upload.
    const [, dir, name] = /^\/(?:uploads|([\w]+)-files)\/([^/]+)$/.exec(p) ?? [];
    const content = name === undefined ? undefined : stored.get(`${dir ?? 'upload'}/${name}`);
    if (content === undefined) return sendJson(res, 404, {});
    if (dir === 'inert') return sendHtml(res, 200, content, { 'content-type': 'text/plain', 'content-disposition': 'attachment' });
    // The vulnerable server "runs" PHP the way a PHP server would: the echo's output, not the source.
    if (name!.endsWith('.php')) return sendHtml(res, 200, content.replace(/<\?php echo "([^"]+)" \. \(7\*6\); \?>/, '$142'));
    return sendHtml(res, 200, content);
  });
});
afterAll(() => app.close());

const form = (path: string) => ({
  method: 'POST',
  path,
  params: [
    { name: 'MAX_FILE_SIZE', in: 'form' as const, examples: ['100000'] },
    { name: 'uploaded', in: 'form' as const },
    { name: 'Upload', in: 'form' as const, required: true, schema: { type: 'string', enum: ['Upload'] }, examples: ['Upload'] },
  ],
});
const spec = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'multipart/form-data', schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } });

describe('file-upload', () => {
  it('finds the file field of a crawled form and of a spec multipart body', () => {
    expect(fileField({ id: 'x', auth: 'none', sources: ['html'], ...form('/upload/') })).toEqual({ name: 'uploaded', others: [['MAX_FILE_SIZE', '100000'], ['Upload', 'Upload']] });
    expect(fileField({ id: 'x', auth: 'none', sources: ['spec'], ...spec('/api/files') })?.name).toBe('file');
    expect(fileField({ id: 'x', auth: 'none', sources: ['spec'], method: 'POST', path: '/notes', params: [{ name: 'text', in: 'form' }] })).toBeUndefined();
  });

  it('confirms a PHP upload that runs, at the URL the answer names; the twin that takes only images is clean', async () => {
    const r = await testCheck(check, { url: app.url, operations: [form('/upload/'), spec('/safe/upload')] });
    expect(r.findings.map((f) => [f.operation.path, f.vulnClass, f.severity, f.confidence])).toEqual([['/upload/', 'file-upload:php', 'critical', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toMatch(/took vouch-[0-9a-f]{12}\.php .*GET \/uploads\/vouch-[0-9a-f]{12}\.php: the PHP script ran: the page says "vouch-[0-9a-f]{12}-42"/);
    expect(r.outcomes.map((o) => o.status).sort()).toEqual(['clean', 'found']);
  });

  it('confirms HTML served from the origin for a spec upload; the twin serving uploads as text/plain attachments is clean', async () => {
    const r = await testCheck(check, { url: app.url, operations: [spec('/api/upload'), spec('/inert/upload')], options: { extensions: ['html'] } });
    expect(r.findings.map((f) => [f.operation.path, f.vulnClass, f.confidence])).toEqual([['/api/upload', 'file-upload:html', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toMatch(/served as text\/html with the uploaded markup; fetched again: the same, while a name vouch never uploaded gets 404/);
    expect(r.outcomes.map((o) => o.status).sort()).toEqual(['clean', 'found']);
  });

  it('is inconclusive on a failing upload, and uploads nothing in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [spec('/broken/upload')] });
    expect(r.outcomes.map((o) => o.status)).toEqual(['inconclusive']);
    const safe = await testCheck(check, { url: app.url, operations: [spec('/api/upload')], safeMode: true });
    expect(safe.requests).toBe(0);
  });
});
