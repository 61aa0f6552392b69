// src/report/audit.test.ts — the audit table and the summary lines for audits and permission changes.
import { describe, expect, it } from 'vitest';
import type { PermissionAudit } from '../core/index.js';
import { auditLines, auditTable, permissionDiffLines } from './audit.js';

const agent: PermissionAudit = {
  identity: 'agent',
  intended: ['GET /api/orders'],
  capabilities: [
    { operation: 'DELETE /api/products/{id}', whose: 'any', established: 'validation-rejected', exchangeId: 'x1', intended: false },
    { operation: 'GET /api/orders', whose: 'any', established: 'read', exchangeId: 'x2', intended: true },
  ],
  undetermined: ['GET /go: agent → 302'],
};

describe('audit text', () => {
  it('prints one row per capability, beyond-scope rows marked, with how each was established', () => {
    const t = auditTable([agent, { identity: 'bot', intended: [], capabilities: [], unavailable: 'login /login answered 401' }]);
    expect(t).toContain('identity agent  intended: GET /api/orders');
    expect(t).toMatch(/BEYOND\s+DELETE \/api\/products\/\{id\}\s+-\s+probe refused for validation \(400\/422\), not authorization\s+x1/);
    expect(t).toMatch(/ok\s+GET \/api\/orders\s+-\s+read \(2xx\)\s+x2/);
    expect(t).toContain('2 capabilities, 1 operation beyond the intended scope: DELETE /api/products/{id}');
    expect(t).toContain('undetermined (1): GET /go: agent → 302');
    expect(t).toContain('identity bot  intended: (none declared)\n  not audited: login /login answered 401');
  });

  it('sums audits and permission changes up in one line each', () => {
    expect(auditLines([agent])).toEqual(['agent: 2 capabilities, beyond intended scope: DELETE /api/products/{id}']);
    expect(permissionDiffLines({ identities: [{ identity: 'agent', gained: ['GET /a', 'GET /b'], lost: ['GET /c'], gainedBeyondIntended: ['GET /b'] }, { identity: 'same', gained: [], lost: [] }] })).toEqual([
      'agent: gained GET /a, GET /b (beyond intended); lost GET /c',
    ]);
  });
});
