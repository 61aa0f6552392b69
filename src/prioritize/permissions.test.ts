// src/prioritize/permissions.test.ts — the permission diff between two audits and the policy rule on gains beyond scope.
import { describe, expect, it } from 'vitest';
import type { Capability, PermissionAudit } from '../core/index.js';
import { DEFAULT_RULES, diffPermissions, evaluatePolicy } from './index.js';

const cap = (operation: string, intended: boolean, whose: Capability['whose'] = 'any'): Capability => ({ operation, whose, established: 'read', intended });
const audit = (identity: string, capabilities: Capability[], extra: Partial<PermissionAudit> = {}): PermissionAudit => ({ identity, intended: ['GET /orders'], capabilities, ...extra });

describe('permission diff', () => {
  it('lists gained and lost operations per identity, and the gains beyond the intended scope', () => {
    const before = [audit('agent', [cap('GET /orders', true), cap('DELETE /notes/{id}', false)])];
    const after = [audit('agent', [cap('GET /orders', true), cap('GET /orders', true, 'others'), cap('GET /users/{userId}', false), cap('POST /orders', true)])];
    expect(diffPermissions(before, after)).toEqual({
      identities: [{ identity: 'agent', gained: ['GET /users/{userId}', 'POST /orders'], lost: ['DELETE /notes/{id}'], gainedBeyondIntended: ['GET /users/{userId}'] }],
    });
  });

  it('compares routes, not parameter names, and skips identities missing or not audited on either side', () => {
    const d = diffPermissions(
      [audit('agent', [cap('GET /users/{id}', false)]), audit('bot', [], { unavailable: 'login failed' })],
      [audit('agent', [cap('GET /users/{userId}', false)]), audit('bot', [cap('GET /orders', true)]), audit('new', [cap('GET /x', false)])],
    );
    expect(d).toEqual({ identities: [{ identity: 'agent', gained: [], lost: [] }] });
  });

  it('fails the default policy on a gain beyond the intended scope, not on an intended one', () => {
    const beyond = evaluatePolicy(DEFAULT_RULES, [], undefined, { identities: [{ identity: 'agent', gained: ['GET /users/{id}', 'POST /orders'], lost: [], gainedBeyondIntended: ['GET /users/{id}'] }] });
    expect(beyond.pass).toBe(false);
    expect(beyond.reasons).toEqual([{ rule: 'permission-gained-beyond-intended', level: 'fail', message: 'gained beyond the intended scope: agent: GET /users/{id}', fingerprints: [] }]);
    expect(evaluatePolicy(DEFAULT_RULES, [], undefined, { identities: [{ identity: 'agent', gained: ['POST /orders'], lost: [] }] }).pass).toBe(true);
    expect(evaluatePolicy([{ id: 'any-gain', level: 'warn', when: { permissions: 'gained' } }], [], undefined, { identities: [{ identity: 'agent', gained: ['POST /orders'], lost: [] }] }).reasons[0]?.message).toBe('gained: agent: POST /orders');
  });
});
