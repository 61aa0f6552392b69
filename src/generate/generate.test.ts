// src/generate/generate.test.ts — the schema compiler and the phases: positives validate with ajv, negatives break
// exactly the claimed constraint, seeds reproduce, recursion and contradictions are reported, shrinking finds minima.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonSchema, Operation } from '../core/index.js';
import { compileSchema, generateCases, isValid, negativeValues, positiveValues, shrinkFailure, valuesOf, validatorFor } from './index.js';

const ORDER: JsonSchema = { type: 'object', required: ['productId', 'quantity'], properties: { productId: { type: 'integer', minimum: 1 }, quantity: { type: 'integer', minimum: 1, maximum: 100 } } };
const RICH: JsonSchema[] = [
  ORDER,
  { type: 'string', pattern: '^[A-Z]{2}-\\d{3}$' },
  { type: 'string', format: 'email' },
  { type: 'string', format: 'date-time' },
  { type: 'string', format: 'uuid', nullable: true },
  { type: 'number', exclusiveMinimum: true, minimum: 0, maximum: 1 },
  { type: 'integer', multipleOf: 5, minimum: 7, maximum: 40 },
  { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c'] }, minItems: 1, maxItems: 3, uniqueItems: true },
  { oneOf: [{ type: 'object', required: ['kind'], properties: { kind: { const: 'cat' }, lives: { type: 'integer', minimum: 0, maximum: 9 } } }, { type: 'object', required: ['kind'], properties: { kind: { const: 'dog' } } }] },
  { allOf: [{ type: 'object', required: ['a'], properties: { a: { type: 'string', minLength: 2, maxLength: 4 } } }, { required: ['b'], properties: { b: { type: 'boolean' } } }] },
  { type: 'object', properties: { title: { type: 'string', minLength: 1, maxLength: 100 }, id: { type: 'integer', readOnly: true } }, required: ['title'], additionalProperties: false },
];

describe('compileSchema', () => {
  it('generates only values that ajv accepts (property over all sample schemas)', () => {
    for (const schema of RICH) {
      const c = compileSchema(schema);
      expect(c.ok, JSON.stringify(schema)).toBe(true);
      if (!c.ok) continue;
      const validate = validatorFor(schema, '3.0.3');
      fc.assert(fc.property(c.arb, (v) => validate(v) === true), { seed: 7, numRuns: 60 });
    }
  });

  it('reproduces the same values from the same seed, and different ones from another seed', () => {
    expect(positiveValues(ORDER, 42, 10).values).toEqual(positiveValues(ORDER, 42, 10).values);
    expect(positiveValues(ORDER, 42, 10).values).not.toEqual(positiveValues(ORDER, 43, 10).values);
  });

  it('names why it cannot: recursion, contradictions, empty enums', () => {
    expect(compileSchema({ type: 'object', required: ['next'], properties: { next: { $ref: '#/components/schemas/Node' } } })).toEqual({ ok: false, reason: expect.stringContaining('recursive') as string });
    expect(compileSchema({ type: 'integer', minimum: 5, maximum: 2 })).toEqual({ ok: false, reason: expect.stringContaining('no integer') as string });
    expect(compileSchema({ type: 'string', minLength: 5, maxLength: 2 })).toEqual({ ok: false, reason: expect.stringContaining('minLength') as string });
    // an optional recursive property is simply left out
    expect(compileSchema({ type: 'object', properties: { next: { $ref: '#/x' }, n: { type: 'integer' } } }).ok).toBe(true);
  });

  it('falls back to json-schema-faker for keywords it does not model, still valid', () => {
    const schema: JsonSchema = { type: 'object', required: ['a'], properties: { a: { type: 'string', minLength: 1 } }, not: { required: ['zzz'] } };
    const src = valuesOf(schema);
    expect(src.ok && src.via).toBe('json-schema-faker');
    const { values } = positiveValues(schema, 3, 5);
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(isValid(schema, v)).toBe(true);
  });
});

describe('negativeValues', () => {
  it('breaks exactly the claimed constraint, nothing else (property over valid bases)', () => {
    const c = compileSchema(ORDER);
    if (!c.ok) throw new Error(c.reason);
    const validate = validatorFor(ORDER, '3.0.3');
    fc.assert(
      fc.property(c.arb, (base) => {
        const negs = negativeValues(ORDER, base, 20);
        expect(new Set(negs.map((n) => n.keyword))).toEqual(new Set(['required', 'type', 'minimum', 'maximum']));
        for (const n of negs) {
          expect(validate(n.value)).toBe(false);
          for (const e of validate.errors ?? []) expect([n.keyword, 'type']).toContain(e.keyword);
        }
      }),
      { seed: 11, numRuns: 25 },
    );
  });
});

describe('generateCases', () => {
  const op: Operation = { id: 'POST /orders', method: 'POST', path: '/orders', params: [{ name: 'dry', in: 'query', schema: { type: 'boolean' } }], requestBody: { contentType: 'application/json', schema: ORDER, example: { productId: 2, quantity: 1 } }, auth: 'none', sources: ['spec'] };

  it('runs the phases: example, boundaries, positives, labelled negatives; identifiers keep their example', () => {
    const set = generateCases(op, { seed: 1, count: 20 });
    const phases = new Set(set.cases.map((c) => c.phase));
    expect([...phases]).toEqual(['example', 'boundary', 'positive', 'negative']);
    expect(set.cases.find((c) => c.phase === 'boundary' && c.label.includes('quantity = maximum 100'))).toBeDefined();
    for (const c of set.cases.filter((x) => x.phase === 'positive')) expect((c.values.body as { productId: number }).productId).toBe(2);
    const neg = set.cases.filter((c) => c.phase === 'negative');
    expect(neg.map((c) => c.breaks?.keyword)).toContain('maximum');
    expect(neg.every((c) => c.label.length > 0 && c.breaks?.path)).toBe(true);
  });

  it('sends an operation without parameters once, not once per phase', () => {
    const bare: Operation = { id: 'GET /s', method: 'GET', path: '/s', params: [], auth: 'none', sources: ['spec'] };
    expect(generateCases(bare, { seed: 1, count: 10 }).cases).toHaveLength(1);
  });

  it('shrinks a failure to a minimal case', async () => {
    const set = generateCases(op, { seed: 5, count: 5 });
    const first = { body: { productId: 2, quantity: 87 }, 'query:dry': true };
    const shrunk = await shrinkFailure(set.arbitrary!, 5, first, async (v) => ((v.body as { quantity: number }).quantity ?? 0) >= 10, { maxSteps: 200 });
    expect((shrunk?.value.body as { quantity: number }).quantity).toBe(10);
  });
});
