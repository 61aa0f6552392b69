// src/checks/security/ldap-injection.test.ts — the LDAP injection check on endpoints that paste a value into a
// search filter (errors shown, errors hidden) or take the whole filter, evaluated by a small RFC 4515 filter
// matcher, and on safe twins: the value escaped, and a search whose `*` is an ordinary wildcard (no LDAP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { isFilter, ldapError } from './ldap-injection.js';

type Entry = Record<string, string[]>;
const ENTRIES: Entry[] = [
  { objectClass: ['top', 'person'], cn: ['alice'], mail: ['alice@example.com'] },
  { objectClass: ['top', 'person'], cn: ['bob'], mail: ['bob@example.com'] },
  { objectClass: ['top', 'person'], cn: ['carol'], mail: ['carol@example.com'] },
];

/** Parses and evaluates an RFC 4515 filter (and, or, not, equality with `*` substrings); throws on bad syntax. */
function search(filter: string): Entry[] {
  let i = 0;
  const bad = (): never => {
    throw new Error('Bad search filter');
  };
  const value = (): string => {
    let out = '';
    while (i < filter.length && filter[i] !== ')') {
      const c = filter[i++]!;
      if (c === '(') bad();
      if (c === '\\') {
        const hex = filter.slice(i, i + 2);
        if (!/^[0-9a-f]{2}$/i.test(hex)) bad();
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
      } else out += c === '*' ? '\u0000' : c;
    }
    return out;
  };
  const node = (): ((e: Entry) => boolean) => {
    if (filter[i++] !== '(') bad();
    const op = filter[i];
    let test: (e: Entry) => boolean;
    if (op === '&' || op === '|' || op === '!') {
      i++;
      const parts: Array<(e: Entry) => boolean> = [];
      while (filter[i] === '(') parts.push(node());
      if (!parts.length || (op === '!' && parts.length !== 1)) bad();
      test = op === '&' ? (e) => parts.every((p) => p(e)) : op === '|' ? (e) => parts.some((p) => p(e)) : (e) => !parts[0]!(e);
    } else {
      const attr = /^[\w.;-]+/.exec(filter.slice(i))?.[0] ?? bad();
      i += attr.length;
      if (filter[i++] !== '=') bad();
      const v = value();
      const re = new RegExp(`^${v.split('\u0000').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
      test = (e) => (e[attr] ?? []).some((x) => re.test(x));
    }
    if (filter[i++] !== ')') bad();
    return test;
  };
  const root = node();
  if (i !== filter.length) bad();
  return ENTRIES.filter(root);
}
const names = (es: Entry[]): string[] => es.map((e) => e.cn[0]!);
const escape = (v: string): string => v.replace(/[\\*()]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

let changes = 0;
/** Already signed up: the example's email, and what an earlier scan's constant true condition created. */
const emails = new Set<string>(['john@example.com', 'john@example.com)(objectClass=*']);
let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const q = (k: string): string => url.searchParams.get(k) ?? '';
    try {
      switch (url.pathname) {
        case '/people':
          return sendJson(res, 200, names(search(`(&(objectClass=person)(cn=${q('name')}))`)));
        case '/blind':
          try {
            return sendJson(res, 200, names(search(`(&(objectClass=person)(cn=${q('name')}))`)));
          } catch {
            return sendJson(res, 200, []); // errors hidden: only the answer changes
          }
        case '/ldap': {
          // The caller sends the whole filter; none found is a 500, as some apps answer.
          const found = names(search(q('query')));
          return found.length ? sendJson(res, 200, found) : sendJson(res, 500, { error: 'User not found' });
        }
        case '/filter-blind':
          try {
            return sendJson(res, 200, names(search(q('query'))));
          } catch {
            return sendJson(res, 200, []);
          }
        case '/echo': // reflects the value into a page: the payloads differ, the answers to them do not
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end(`<html><body><p>You asked for ${url.searchParams.get('q') ?? ''}</p></body></html>`);
        case '/changes': // its content changes by itself after the third request (a deploy, someone else's post)
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end(++changes <= 3 ? '<p>Welcome to the guestbook</p>' : '<p>Sorry, the guestbook is closed for maintenance today</p>');
        case '/signup': { // a create whose value must be unique: a value sent twice is "already exists"
          const email = (JSON.parse(req.body) as { email: string }).email;
          if (emails.has(email)) return sendJson(res, 409, { message: 'User already exists' });
          emails.add(email);
          return sendJson(res, 201, {});
        }
        case '/safe':
          return sendJson(res, 200, names(search(`(&(objectClass=person)(cn=${escape(q('name'))}))`)));
        case '/glob': // no LDAP: `*` is this search's own wildcard, parentheses are plain text
          return sendJson(res, 200, names(ENTRIES.filter((e) => new RegExp(`^${q('name').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(e.cn[0]!))));
      }
    } catch (e) {
      return sendJson(res, 500, { error: `javax.naming.directory.InvalidSearchFilterException: ${(e as Error).message}` });
    }
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const op = (path: string, name: string, example: string) => ({ method: 'GET', path, params: [{ name, in: 'query' as const, schema: { type: 'string' }, examples: [example] }] });

describe('ldap-injection', () => {
  it('recognizes LDAP filter errors and filters', () => {
    expect(ldapError('ldap_search(): Search: Bad search filter')?.library).toBe('OpenLDAP');
    expect(ldapError('[LDAP: error code 87 - filter error]')?.library).toBe('JNDI');
    expect(ldapError('Invalid filter in the search form')).toBeUndefined();
    expect(isFilter('(&(objectClass=person)(email=a@b.c))')).toBe(true);
    expect(isFilter('alice')).toBe(false);
  });

  it('confirms an error-based injection against its escaped control', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/people', 'name', 'alice')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'ldap-error', confidence: 'confirmed', parameter: 'query:name' });
    expect(r.findings[0]!.proof.summary).toContain('alice\\\\29\\\\28');
  });

  it('confirms a boolean-based injection when errors are hidden', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/blind', 'name', 'alice')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'ldap-boolean', confidence: 'confirmed' });
    expect(r.findings[0]!.proof.summary).toContain('(|(objectClass=*)(objectClass=vouch');
  });

  it('confirms a parameter that is the whole filter, its original value answered with a 500', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/ldap', 'query', '(&(objectClass=person)(mail=nobody@example.com))')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'ldap-error', confidence: 'confirmed', parameter: 'query:query' });
  });

  it('confirms the whole-filter wildcard when errors are hidden', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/filter-blind', 'query', '(&(objectClass=person)(mail=nobody@example.com))')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'ldap-boolean', confidence: 'confirmed' });
    expect(r.findings[0]!.proof.summary).toContain('(mail=*))');
  });

  it('reports nothing on the safe twin that escapes the value', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe', 'name', 'alice')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('reports nothing on a search whose own wildcard is `*`', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/glob', 'name', 'alice')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });
  it('reports nothing on a page that only echoes the value (a regression: the echoed payloads differed)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/echo', params: [{ name: 'q', in: 'query' as const, examples: ['shoes'] }] }] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });
  it('reports nothing, not even tentative, on a page that changed by itself right after the pair', async () => {
    // low strength: the original, one breaker, the true and false conditions (3rd and 4th), then the original again.
    const r = await testCheck(check, { url: app.url, operations: [op('/changes', 'name', 'Sign Guestbook')], strength: 'low' });
    expect(r.requests).toBe(5);
    expect(r.findings).toEqual([]);
  });
  it('reports nothing on a create whose value must be unique, scanned twice (a regression: a constant true condition was "already exists")', async () => {
    const signup = { method: 'POST', path: '/signup', params: [], requestBody: { contentType: 'application/json', example: { email: 'john@example.com' } } };
    const r = await testCheck(check, { url: app.url, operations: [signup] });
    expect(r.requests).toBeGreaterThan(3);
    expect(r.findings).toEqual([]);
  });
});
