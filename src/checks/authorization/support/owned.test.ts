// src/checks/authorization/support/owned.test.ts — owners from list items, user ids from /me, and the owner's marker.
import { describe, expect, it } from 'vitest';
import { idParam, markerOf, ownedBy, userIdOf } from './owned.js';

describe('owned', () => {
  it('reads owner fields, nested owners and user ids', () => {
    expect(ownedBy({ id: 1, owner: 'Alice' }, ['alice'])).toBe(true);
    expect(ownedBy({ id: 1, user: { id: 41, name: 'x' } }, ['alice'], '41')).toBe(true);
    expect(ownedBy({ id: 1, title: 'alice' }, ['alice'])).toBe(false);
    expect(ownedBy({ id: 1, owner: 'bob' }, ['alice'])).toBe(false);
    expect(userIdOf({ id: 41, username: 'alice' }, ['alice'])).toBe('41');
    expect(userIdOf({ id: 41, username: 'carol' }, ['alice'])).toBeUndefined();
  });

  it('picks a value only the owner has, preferring words to times, never the id or a common word', () => {
    const order = { id: 3, status: 'pending', createdAt: '2024-03-01T10:00:00.000Z', address: '1 Main St', total: 12 };
    expect(markerOf(order, '3', ['{"id":9,"status":"pending","address":"2 High St"}'])).toEqual({ field: 'address', value: '1 Main St' });
    expect(markerOf(order, '3', ['{"address":"1 Main St"}'])).toEqual({ field: 'createdAt', value: '2024-03-01T10:00:00.000Z' });
    expect(markerOf({ id: 3, status: 'pending' }, '3', [''])).toBeUndefined();
  });

  it('knows query parameters that name a user', () => {
    const op = (name: string) => ({ id: 'GET /p', method: 'GET', path: '/p', params: [{ name, in: 'query' as const }], auth: 'required' as const, sources: ['spec' as const] });
    expect(idParam(op('user_id'))).toBe('user_id');
    expect(idParam(op('userId'))).toBe('userId');
    expect(idParam(op('q'))).toBeUndefined();
  });
});
