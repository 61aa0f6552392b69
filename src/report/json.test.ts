// src/report/json.test.ts — report.json text: stable, ranked, schema-valid, independent of insertion order.
import { describe, expect, it } from 'vitest';
import type { Report } from '../core/index.js';
import { makeReport } from './fixture.js';
import { toJson } from './json.js';

function shuffled(r: Report): Report {
  // Same data, different insertion order of keys and findings.
  const reverseKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reverseKeys);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
    return v;
  };
  const copy = reverseKeys(r) as Report;
  copy.findings = [...copy.findings].reverse();
  return copy;
}

describe('toJson', () => {
  it('is byte-identical for the same report built in a different order', () => {
    const r = makeReport();
    expect(toJson(shuffled(r))).toBe(toJson(r));
  });

  it('starts with schemaVersion, ranks findings and ends with a newline', () => {
    const text = toJson(makeReport());
    expect(text.startsWith('{\n  "schemaVersion": 1,\n  "tool"')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(text) as Report;
    expect(parsed.findings.map((f) => f.risk)).toEqual([88, 80, 52, 41, 12]);
  });

  it('keeps every byte of target data (the 300 kB body, control characters, U+2028)', () => {
    const r = makeReport();
    const parsed = JSON.parse(toJson(r)) as Report;
    const hostile = r.findings.find((f) => f.checkId === 'verbose-errors');
    expect(parsed.findings.find((f) => f.checkId === 'verbose-errors')).toEqual(hostile);
  });

  it('does not change the report it is given', () => {
    const r = makeReport();
    const before = JSON.stringify(r);
    toJson(r);
    expect(JSON.stringify(r)).toBe(before);
  });
});
