// src/prioritize/surface-diff.test.ts — the surface diff: parameters added / removed / retyped, shadow and zombie
// operations, a gone spec operation counted as removed.
import { describe, expect, it } from 'vitest';
import type { Operation, Surface } from '../core/index.js';
import { diffSurface } from './compare.js';

const op = (method: string, path: string, extra: Partial<Operation> = {}): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'none', sources: ['spec'], ...extra });
const surface = (operations: Operation[]): Surface => ({ target: 'x', operations, warnings: [] });

describe('diffSurface', () => {
  it('lists parameter changes of operations present in both, body fields included', () => {
    const before = op('POST', '/orders', {
      params: [{ name: 'dryRun', in: 'query', schema: { type: 'boolean' } }],
      requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { quantity: { type: 'integer' }, note: { type: 'string' } } } },
    });
    const after = op('POST', '/orders', {
      params: [{ name: 'coupon', in: 'query', schema: { type: 'string' } }],
      requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { quantity: { type: 'string' }, note: { type: 'string' } } } },
    });
    expect(diffSurface(surface([before]), surface([after])).paramsChanged).toEqual([
      { operation: 'POST /orders', parameter: 'coupon', in: 'query', change: 'added', to: 'string' },
      { operation: 'POST /orders', parameter: 'dryRun', in: 'query', change: 'removed', from: 'boolean' },
      { operation: 'POST /orders', parameter: 'quantity', in: 'body', change: 'retyped', from: 'integer', to: 'string' },
    ]);
  });

  it('names shadow operations (live, in no spec) and zombies (in the spec, gone); a zombie counts as removed', () => {
    const d = diffSurface(
      surface([op('GET', '/a'), op('GET', '/b')]),
      surface([op('GET', '/a', { live: false }), op('GET', '/b', { live: true }), op('GET', '/internal/stats', { sources: ['shadow'], live: true }), op('GET', '/page', { sources: ['html'] })]),
    );
    expect(d.shadow).toEqual(['GET /internal/stats']);
    expect(d.zombie).toEqual(['GET /a']);
    expect(d.removed).toEqual(['GET /a']);
    expect(d.added).toEqual(['GET /internal/stats', 'GET /page']);
  });
});
