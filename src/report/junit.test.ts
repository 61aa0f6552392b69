// src/report/junit.test.ts — JUnit XML is well-formed, has a case per task, and never passes what did not run.
import { describe, expect, it } from 'vitest';
import { makeLargeReport, makeReport } from './fixture.js';
import { toJunit } from './junit.js';

interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

/** A strict little XML 1.0 reader: enough to prove well-formedness of what toJunit writes (no DTDs, no CDATA). */
function parseXml(xml: string): Node {
  const illegal = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u.exec(xml);
  if (illegal) throw new Error(`illegal character U+${illegal[0].codePointAt(0)?.toString(16)} at ${illegal.index}`);
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  const decode = (s: string): string => {
    if (/[<]/u.test(s)) fail('raw < in text or attribute');
    return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);|&/giu, (m, ref: string | undefined) => {
      if (ref === undefined) return fail('bare &');
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
      return named[ref] ?? fail(`unknown entity ${m}`);
    });
  };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  const root: Node = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: Node[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    const top = stack[stack.length - 1]!;
    if (text.trim() !== '' && stack.length === 1) fail('text outside the root element');
    top.text += decode(text);
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*)\s*>/u.exec(xml.slice(i)) ?? fail('bad end tag');
      const open = stack.pop();
      if (!open || open.name !== m[1]) fail(`end tag </${m[1]}> does not match <${open?.name}>`);
      i += m[0].length;
      continue;
    }
    const m = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"]*")*)\s*(\/?)>/u.exec(xml.slice(i)) ?? fail('bad start tag');
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*"([^"]*)"/gu)) {
      if (a[1]! in attrs) fail(`duplicate attribute ${a[1]}`);
      attrs[a[1]!] = decode(a[2]!);
    }
    const node: Node = { name: m[1]!, attrs, children: [], text: '' };
    if (stack.length === 1 && root.children.length > 0) fail('second root element');
    top.children.push(node);
    if (m[3] !== '/') stack.push(node);
    i += m[0].length;
  }
  if (stack.length !== 1) fail(`unclosed <${stack[stack.length - 1]!.name}>`);
  const only = root.children[0];
  if (!only) return fail('no root element');
  return only;
}

function all(node: Node, name: string): Node[] {
  return node.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}

describe('the XML checker used here', () => {
  it('rejects what is not well-formed', () => {
    for (const bad of ['<a><b></a>', '<a>&</a>', '<a x="<"/>', '<a>\u0001</a>', '<a/><b/>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a>']) {
      expect(() => parseXml(bad)).toThrow();
    }
    expect(parseXml('<a x="&lt;&#10;">t&amp;<b/></a>')).toMatchObject({ name: 'a', attrs: { x: '<\n' }, text: 't&' });
  });
});

describe('toJunit', () => {
  const report = makeReport();
  const xml = toJunit(report);
  const doc = parseXml(xml);

  it('is well-formed XML with a suite per family seen', () => {
    expect(doc.name).toBe('testsuites');
    expect(all(doc, 'testsuite').map((s) => s.attrs['name'])).toEqual(['vouch verdict', 'vouch security', 'vouch authorization', 'vouch unclassified']);
  });

  it('has a case per task record, per skipped check, per incomplete cause and per finding not re-tested, with counts that add up', () => {
    const cases = all(doc, 'testcase');
    const causes = report.verdict.incomplete!.length;
    const notRetested = report.comparison?.notRetestedFindings?.length ?? 0;
    expect(notRetested).toBe(1);
    expect(cases).toHaveLength(report.stats.tasks.length + report.stats.checks.skipped.length + causes + notRetested);
    expect(all(doc, 'failure')).toHaveLength(4); // sqli, bola, verbose-errors, security-headers (confirmed)
    expect(all(doc, 'error')).toHaveLength(1 + causes); // the crashed task, and an errored case per cause
    expect(all(doc, 'skipped')).toHaveLength(5); // inconclusive + not-run + 2 skipped checks + 1 not re-tested
    expect(doc.attrs).toMatchObject({ tests: '16', failures: '4', errors: '4', skipped: '5' });
    const nr = cases.find((c) => c.attrs['name']?.includes('f0e1d2c3b4a59687'));
    expect(nr?.children.find((k) => k.name === 'skipped')?.attrs['message']).toMatch(/^not re-tested: /);
    for (const s of all(doc, 'testsuite')) {
      const c = all(s, 'testcase');
      expect(Number(s.attrs['tests'])).toBe(c.length);
      expect(Number(s.attrs['failures'])).toBe(c.filter((x) => x.children.some((k) => k.name === 'failure')).length);
      expect(Number(s.attrs['skipped'])).toBe(c.filter((x) => x.children.some((k) => k.name === 'skipped')).length);
    }
  });

  it('names cases `checkId · operationId · identity` and gives failures the proof and the curl line', () => {
    const sqli = all(doc, 'testcase').find((c) => c.attrs['name'] === 'sqli-error · GET /api/products/search · anonymous')!;
    const failure = sqli.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs['message']).toBe(report.findings.find((f) => f.checkId === 'sqli-error')!.proof.summary);
    expect(failure.text).toContain("reproduce: curl -i 'http://127.0.0.1:4100/api/products/search?q=%27'");
  });

  it('never passes what did not run: inconclusive, not-run and skipped are <skipped>, crashed is <error>', () => {
    const byName = new Map(all(doc, 'testcase').map((c) => [c.attrs['name'], c]));
    const kind = (name: string) => byName.get(name)?.children.map((c) => c.name);
    expect(kind('sqli-time · GET /api/products/search · anonymous')).toEqual(['skipped']);
    expect(kind('response-schema · GET /api/products · anonymous')).toEqual(['skipped']);
    expect(kind('server-errors · POST /api/orders · alice')).toEqual(['error']);
    expect(kind('xss-dom · target · any identity')).toEqual(['skipped']);
    expect(byName.get('xss-dom · target · any identity')!.children[0]!.attrs['message']).toBe('skipped: Chromium is not installed');
    // A task that only produced a tentative finding ran and is not a failure.
    expect(kind('xss-reflected · GET /search · anonymous')).toEqual(['system-out']);
  });

  it('keeps hostile data as text: escaped markup, control characters dropped', () => {
    const hostile = all(doc, 'testcase').find((c) => c.attrs['classname'] === 'vouch.security.verbose-errors')!;
    const failure = hostile.children[0]!;
    expect(failure.text).toContain('<script>alert(1)</script>');
    expect(xml).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/u);
  });

  it('uses the families map when given, and writes findings that match no task as their own cases', () => {
    const r = makeReport();
    r.stats.tasks = r.stats.tasks.filter((t) => t.checkId !== 'bola');
    const d = parseXml(toJunit(r, { families: { 'sqli-time': 'security', 'server-errors': 'reliability', 'response-schema': 'conformance', 'xss-dom': 'security' } }));
    expect(all(d, 'testsuite').map((s) => s.attrs['name'])).toEqual(['vouch verdict', 'vouch security', 'vouch conformance', 'vouch reliability', 'vouch authorization']);
    const bola = all(d, 'testcase').find((c) => c.attrs['classname'] === 'vouch.authorization.bola')!;
    expect(bola.attrs['name']).toBe('bola · GET /api/orders/{id} · bob');
    expect(bola.children[0]!.name).toBe('failure');
  });

  it('an incomplete verdict: INCOMPLETE in the title, one errored case per cause first, in the verdict suite', () => {
    const r = makeReport({ incomplete: true });
    const d = parseXml(toJunit(r));
    expect(d.attrs['name']).toBe('vouch INCOMPLETE: candidate');
    const suite = all(d, 'testsuite')[0]!;
    expect(suite.attrs).toMatchObject({ name: 'vouch verdict', tests: '3', errors: '3', failures: '0' });
    const errors = all(suite, 'testcase').map((c) => [c.attrs['classname'], c.children[0]!.name, c.children[0]!.attrs['type']]);
    expect(errors).toEqual([
      ['vouch.verdict.login-failed', 'error', 'incomplete'],
      ['vouch.verdict.check-crashed', 'error', 'incomplete'],
      ['vouch.verdict.coverage', 'error', 'incomplete'],
    ]);
    expect(all(suite, 'testcase')[0]!.attrs['name']).toBe('incomplete 1 · login-failed · carol');
    expect(all(suite, 'error')[2]!.attrs['message']).toMatch(/^7 of 10 planned tasks got a real answer/u);
    // A complete pass has no verdict suite at all.
    const pass = makeReport();
    pass.verdict = { pass: true, status: 'pass', reasons: [] };
    expect(all(parseXml(toJunit(pass)), 'testsuite').map((x) => x.attrs['name'])).not.toContain('vouch verdict');
  });

  it('is well-formed and deterministic for a large report', () => {
    const big = makeLargeReport(500);
    const text = toJunit(big);
    expect(all(parseXml(text), 'testcase')).toHaveLength(500 + big.stats.checks.skipped.length + (big.comparison?.notRetestedFindings?.length ?? 0));
    expect(toJunit(big)).toBe(text);
  });
});
