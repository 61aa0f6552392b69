// src/guard/policy.test.ts — normalisation (path tricks refused), operation matching, the decision order and budgets.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../core/index.js';
import { bodyOverride, isRefusal, normalise } from './normalise.js';
import { Budgets, judge, OperationIndex, type AgentPolicy } from './policy.js';

const op = (method: string, path: string): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'unknown', sources: ['spec'] });
const ops = [op('GET', '/api/orders'), op('GET', '/api/orders/{id}'), op('GET', '/api/orders/summary'), op('POST', '/api/orders'), op('DELETE', '/api/orders/{id}')];
const agent: AgentPolicy = { name: 'bot', intended: ['GET /api/orders', 'GET /api/orders/*'], denied: ['DELETE /api/**'], approval: ['POST /api/orders'] };

describe('normalise', () => {
  const rule = (method: string, url: string, headers = {}): string | undefined => {
    const n = normalise(method, url, headers);
    return isRefusal(n) ? n.rule : undefined;
  };
  it('decodes a clean request for matching and keeps its bytes for forwarding', () => {
    expect(normalise('get', '/api/orders/%41b?x=1&y=2', {})).toEqual({ method: 'GET', path: '/api/orders/Ab', target: '/api/orders/%41b?x=1&y=2' });
  });
  it.each([
    ['/api/../admin', 'path-trick:dot-segment'],
    ['/api/./orders', 'path-trick:dot-segment'],
    ['/api/%2E%2e/admin', 'path-trick:dot-segment'],
    ['/api/orders%2F1', 'path-trick:encoded-slash'],
    ['/api/orders%5c1', 'path-trick:encoded-slash'],
    ['/api\\orders', 'path-trick:backslash'],
    ['/api//orders', 'path-trick:empty-segment'],
    ['//evil.example/x', 'path-trick:absolute'],
    ['http://evil.example/x', 'path-trick:absolute'],
    ['/api/%zz', 'path-trick:encoding'],
    ['/api/a%00b', 'path-trick:control'],
    ['/api/orders?id=1&id=2', 'query-trick:duplicate-key'],
    ['/api/orders?id[]=1&id[]=2', 'query-trick:duplicate-key'],
    ['/api/orders?_method=DELETE', 'method-override'],
  ])('refuses %s (%s)', (url, expected) => {
    expect(rule('GET', url)).toBe(expected);
  });
  it('refuses method override headers and unknown methods, lets a trailing slash through', () => {
    expect(rule('POST', '/api/orders', { 'x-http-method-override': 'DELETE' })).toBe('method-override');
    expect(rule('POST', '/api/orders', { 'x-method-override': 'DELETE' })).toBe('method-override');
    expect(rule('TRACE', '/api/orders')).toBe('method');
    expect(rule('GET', '/api/orders/')).toBeUndefined();
  });
  it('refuses a form body that names another method, not a JSON one', () => {
    expect(bodyOverride('application/x-www-form-urlencoded', Buffer.from('a=1&_method=DELETE'))?.rule).toBe('method-override');
    expect(bodyOverride('application/json', Buffer.from('{"_method":"DELETE"}'))).toBeUndefined();
  });
});

describe('OperationIndex', () => {
  const index = new OperationIndex(ops);
  it('prefers an exact path to a template, matches HEAD as GET, and knows nothing else', () => {
    expect(index.match('GET', '/api/orders/summary')?.path).toBe('/api/orders/summary');
    expect(index.match('GET', '/api/orders/7')?.path).toBe('/api/orders/{id}');
    expect(index.match('HEAD', '/api/orders/7')?.path).toBe('/api/orders/{id}');
    expect(index.match('GET', '/api/orders/7/items')).toBeUndefined();
    expect(index.match('PUT', '/api/orders/7')).toBeUndefined();
    expect(index.size).toBe(5);
  });
});

describe('judge', () => {
  const index = new OperationIndex(ops);
  const decide = (method: string, path: string, learn = false) => judge(agent, method, path, index.match(method, path), learn);
  it('allows intended, denies denied and not intended, holds approval, denies unknown', () => {
    expect(decide('GET', '/api/orders/7')).toEqual({ decision: 'allow', rule: 'intended: GET /api/orders/*', operation: 'GET /api/orders/{id}' });
    expect(decide('DELETE', '/api/orders/7')).toEqual({ decision: 'deny', rule: 'denied: DELETE /api/**', operation: 'DELETE /api/orders/{id}' });
    expect(decide('POST', '/api/orders')).toEqual({ decision: 'hold', rule: 'approval: POST /api/orders', operation: 'POST /api/orders' });
    expect(decide('GET', '/api/other')).toEqual({ decision: 'deny', rule: 'unknown-operation' });
    expect(judge({ ...agent, intended: [] }, 'GET', '/api/orders', index.match('GET', '/api/orders'), false).rule).toBe('not-intended');
  });
  it('under --learn allows what is not denied, known or not', () => {
    expect(decide('GET', '/api/other', true)).toEqual({ decision: 'allow', rule: 'learn' });
    expect(decide('POST', '/api/orders', true).decision).toBe('allow');
    expect(decide('DELETE', '/api/orders/7', true).decision).toBe('deny');
  });
});

describe('Budgets', () => {
  it('counts requests per minute and writes per hour, in sliding windows', () => {
    let now = 0;
    const b = new Budgets(() => now);
    const a: AgentPolicy = { ...agent, budgets: { requestsPerMinute: 3, writesPerHour: 1 } };
    expect(b.take(a, 'POST')).toBeUndefined();
    expect(b.take(a, 'POST')).toBe('writesPerHour');
    expect(b.take(a, 'GET')).toBeUndefined();
    expect(b.take(a, 'GET')).toBeUndefined();
    expect(b.take(a, 'GET')).toBe('requestsPerMinute');
    now = 61_000;
    expect(b.take(a, 'GET')).toBeUndefined();
    expect(b.take(a, 'DELETE')).toBe('writesPerHour');
    now = 3_601_000;
    expect(b.take(a, 'DELETE')).toBeUndefined();
    expect(new Budgets().take(agent, 'GET')).toBeUndefined();
  });
});
